"""The preset networks against the published activity in REFERENCES.md.

Chaotic networks are compared by their statistics (mean rates, CV of the ISIs,
the frequency of a population oscillation), never spike by spike, except where
the preset must reproduce a hand-written network built from the same keys.

Reduced sizes keep each network's in-degree (COBA, CUBA, COBAHH: 80 synapses per
neuron; Brunel: C_E = 1000) and so its mean-field state; fewer neurons and
shorter runs fluctuate more, and the denser connectivity of a small Brunel
network (C_E / N_E = 0.5 at N_E = 2000 instead of 0.1) correlates the inputs of
different neurons. The tolerances below say how much each check allows.
"""

import importlib.util
import os

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainox as bx


_PATH = os.path.join(os.path.dirname(__file__), "..", "examples", "coba.py")
_spec = importlib.util.spec_from_file_location("coba_example", _PATH)
assert _spec is not None and _spec.loader is not None
coba_example = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(coba_example)


def run(net, duration, *, start=0.0, dt=0.1):
    """Simulate, return the rates (Hz) after `start` (ms) and the spike events."""
    _, rec = bx.simulate(net, duration, dt=dt, spikes=bx.presets.spike_monitors(net))
    return bx.presets.firing_rates(rec, net, duration, start=start), rec


def widen(low, high, fraction):
    """The reference span `[low, high]` widened by `fraction` on each side."""
    return (1 - fraction) * low, (1 + fraction) * high


def check_rates(rates, span):
    low, high = span
    for name, rate in rates.items():
        assert low < rate < high, (
            f"{name}: {rate:.2f} Hz outside ({low:.1f}, {high:.1f})"
        )


# Published spans (REFERENCES.md), E and I together.
COBA = (16.2, 21.7)  # Brian2 19.6/21.0, BrainPy 21.2-21.7, a JAX prototype 16.2-16.7
CUBA = (5.5, 5.6)  # Brian2
COBAHH = (33.9, 36.3)  # Brian2 33.9-36.3, BrainPy 35.9/36.3


def in_degrees(net, post):
    """Synapses onto each neuron of `post`, by presynaptic population."""
    n = net.populations[post].size
    out = {}
    for proj in net.projections.values():
        if isinstance(proj, bx.Projection) and proj.post == post:
            idx = np.asarray(proj.connectivity.indices).ravel()
            out[proj.pre] = np.bincount(idx[idx < n], minlength=n)
    return out


# --- COBA ------------------------------------------------------------------


def test_coba_preset_gives_the_spikes_of_the_hand_written_example():
    # Same keys, same synapses and initial potentials: the two-population network
    # sums each neuron's input in the same order as examples/coba.py.
    n, duration = 1000, 200.0
    hand = coba_example.COBA(n, key=jax.random.key(0))
    _, a = bx.simulate(hand, duration, dt=0.1, spikes={"s": coba_example.read_spikes})
    net = bx.presets.coba(
        n, key=jax.random.key(0), propagation=bx.connect.EventDriven()
    )
    _, b = run(net, duration)
    events, n_exc = a["s"], hand.n_exc
    exc = events.index < n_exc
    assert len(events.index) > 1000
    np.testing.assert_array_equal(events.step[exc], b["exc"].step)
    np.testing.assert_array_equal(events.index[exc], b["exc"].index)
    np.testing.assert_array_equal(events.step[~exc], b["inh"].step)
    np.testing.assert_array_equal(events.index[~exc] - n_exc, b["inh"].index)


def test_coba_reduced_rates_and_structure():
    # 2000 neurons, in-degree 80 as in the full network, 300 ms: the peers' span
    # widened by 20% (as tests/test_coba.py does).
    n = 2000
    net = bx.presets.coba(n, key=jax.random.key(1))
    assert set(net.populations) == {"exc", "inh"}
    assert net.populations["exc"].size == 1600
    degree = in_degrees(net, "exc")
    assert 60 < degree["exc"].mean() < 68 and 14 < degree["inh"].mean() < 18
    rates, _ = run(net, 300.0)
    check_rates(rates, widen(*COBA, 0.2))


def test_coba_fixed_in_degree():
    # 64 E + 16 I synapses onto every neuron, unchanged weights: the rates of the
    # benchmark at any size (2500 neurons here).
    net = bx.presets.coba(2500, key=jax.random.key(2), fixed_in_degree=80)
    for post in ("exc", "inh"):
        degree = in_degrees(net, post)
        assert (degree["exc"] == 64).all() and (degree["inh"] == 16).all()
    rates, _ = run(net, 300.0)
    check_rates(rates, widen(*COBA, 0.2))


# --- CUBA ------------------------------------------------------------------


def test_cuba_reduced_rates():
    # 2000 neurons (in-degree 80), 500 ms: within 15% of Brian2's 5.5-5.6 Hz.
    net = bx.presets.cuba(2000, key=jax.random.key(0))
    rates, _ = run(net, 500.0)
    check_rates(rates, widen(*CUBA, 0.15))


# --- COBAHH ----------------------------------------------------------------


def test_cobahh_reduced_rates():
    # 2000 neurons (in-degree 80), 300 ms: the peers' span widened by 15%.
    net = bx.presets.cobahh(2000, key=jax.random.key(1))
    rates, rec = run(net, 300.0)
    check_rates(rates, widen(*COBAHH, 0.15))
    assert len(np.unique(rec["exc"].index)) > 0.5 * 1600


# --- Brunel 2000 -----------------------------------------------------------


def test_brunel_structure_and_drive():
    net = bx.presets.brunel("AI", key=jax.random.key(0), n_exc=1200, c_e=1000)
    assert net.populations["inh"].size == 300
    for post in ("exc", "inh"):
        degree = in_degrees(net, post)
        assert (degree["exc"] == 1000).all() and (degree["inh"] == 250).all()
    ee = net.projections["ee"]
    assert ee.delay.steps == 15 and ee.synapse is None
    np.testing.assert_allclose(net.projections["ie"].weights(), -0.5)
    ext = net.projections["ext_exc"]
    # nu_ext = eta nu_thr = 2 x 10 Hz per input, C_E = 1000 inputs.
    assert ext.n == 1000 and float(ext.rate) == pytest.approx(20.0)
    np.testing.assert_allclose(ext.mean_count(), 2.0, rtol=1e-6)


def test_brunel_input_during_refractoriness_is_lost_or_kept():
    # Default (Brunel 2000, NEST): jumps onto refractory neurons are lost.
    # refractory_input=True (Brian2's v += J): they add to the held potential,
    # which the refractory step keeps, and are felt when the period ends.
    left = jnp.zeros(1000, jnp.int32).at[:10].set(5)
    for keep in (False, True):
        net = bx.presets.brunel(
            "AI", key=jax.random.key(0), n_exc=1000, refractory_input=keep
        )
        pop = net.populations["exc"]
        neuron = pop.neuron if keep else pop
        neuron = neuron.with_states(refractory_left=left)
        pop = type(pop)(neuron) if keep else neuron
        V = pop.voltage
        jumped = pop.jump(jnp.full(1000, 0.3))
        expect = V[:10] + 0.3 if keep else V[:10]
        np.testing.assert_allclose(jumped.voltage[:10], expect, rtol=1e-6)
        np.testing.assert_allclose(jumped.voltage[10:], V[10:] + 0.3, rtol=1e-6)
        held = jumped.step(0.0, 0.1).voltage[:10]  # still refractory: held
        np.testing.assert_array_equal(held, jumped.voltage[:10])


@pytest.fixture(scope="module")
def brunel_ai():
    # N_E = 2000 with C_E = 1000, 600 ms, the first 100 ms left out.
    net = bx.presets.brunel("AI", key=jax.random.key(0), n_exc=2000)
    return net, *run(net, 600.0, start=100.0)


def test_brunel_ai_rate_and_irregularity(brunel_ai):
    # Mean field 37.95 Hz, Brian2 36.7-38.7 Hz: within 10%. CV_ISI about 0.38 at
    # full size (0.40 measured); the reduced network, whose neurons share half
    # their inputs, fires a little more irregularly (0.44-0.47 over seeds).
    net, rates, rec = brunel_ai
    check_rates(rates, widen(36.7, 38.7, 0.1))
    for name in ("exc", "inh"):
        cv = bx.presets.cv_isi(rec[name], start=100.0)
        assert 0.3 < cv < 0.55, f"{name}: CV {cv:.3f}"
    # Asynchronous: no sharp population oscillation.
    _, ratio = bx.presets.spectral_peak(rec["exc"], 2000, 600.0, start=100.0)
    assert ratio < 15


def test_brunel_si_fast_rate_and_oscillation():
    # Mean field 55.8 Hz, Brian2 60.4 Hz (the reduced network: 61-62 Hz): within
    # [50, 68] Hz; a population oscillation at 170-180 Hz (+-20 Hz, the spectral
    # resolution is 10 Hz), standing well above the rest of the spectrum.
    net = bx.presets.brunel("SI_fast", key=jax.random.key(0), n_exc=2000)
    rates, rec = run(net, 500.0, start=100.0)
    check_rates(rates, (50.0, 68.0))
    frequency, ratio = bx.presets.spectral_peak(rec["exc"], 2000, 500.0, start=100.0)
    assert 150.0 <= frequency <= 200.0 and ratio > 10, (frequency, ratio)


def test_brunel_sr_is_regular_and_fast():
    # About 310 Hz with CV about 0.01 (REFERENCES.md). The network locks into
    # two alternating clusters, each fired by the other's volley one delay
    # (1.5 ms) later: a period of 2 x 1.5 ms, 333 Hz at every size measured
    # (N_E = 2000 to 10000). Within [290, 345] Hz, CV < 0.05.
    net = bx.presets.brunel("SR", key=jax.random.key(0), n_exc=2000)
    rates, rec = run(net, 150.0, start=50.0)
    check_rates(rates, (290.0, 345.0))
    assert bx.presets.cv_isi(rec["exc"], start=50.0) < 0.05


def test_presets_are_fixed_by_their_key():
    a = bx.presets.cuba(200, key=jax.random.key(3))
    b = bx.presets.cuba(200, key=jax.random.key(3))
    c = bx.presets.cuba(200, key=jax.random.key(4))
    np.testing.assert_array_equal(
        a.projections["ee"].connectivity.indices,
        b.projections["ee"].connectivity.indices,
    )
    np.testing.assert_array_equal(
        a.populations["exc"].V.value, b.populations["exc"].V.value
    )
    assert not np.array_equal(
        a.populations["exc"].V.value, c.populations["exc"].V.value
    )
    # Reset draws fresh random potentials from the initializer.
    reset = bx.reset(a, key=jax.random.key(9))
    assert not np.array_equal(
        reset.populations["exc"].V.value, a.populations["exc"].V.value
    )


def test_firing_rates_from_spike_counts_equal_those_from_events():
    net = bx.presets.coba(400, key=jax.random.key(3))
    monitors = bx.presets.spike_monitors(net)
    _, events = bx.simulate(net, 200.0, dt=0.1, spikes=monitors)
    _, counts = bx.simulate(net, 200.0, dt=0.1, spike_counts=monitors)
    from_events = bx.presets.firing_rates(events, net, 200.0)
    from_counts = bx.presets.firing_rates(counts, net, 200.0)
    assert set(from_counts) == {"exc", "inh"} and from_counts["exc"] > 1.0
    for name, rate in from_events.items():
        assert from_counts[name] == pytest.approx(rate, rel=1e-12)
    with pytest.raises(ValueError, match="cannot apply to spike counts"):
        bx.presets.firing_rates(counts, net, 200.0, start=50.0)
    with pytest.raises(ValueError, match="holds 3 spike counts"):
        bx.presets.firing_rates({"exc": np.zeros(3, np.int32)}, net, 200.0)


def test_analysis_helpers_on_known_trains():
    # Two clock-like neurons: CV 0, 50 Hz each.
    step = np.concatenate([np.arange(0, 10000, 200), np.arange(100, 10000, 200)])
    index = np.concatenate([np.zeros(50, int), np.ones(50, int)])
    order = np.argsort(step, kind="stable")
    events = bx.SpikeEvents(step[order], index[order], (step[order] + 1) * 0.1)
    assert bx.presets.cv_isi(events) == pytest.approx(0.0, abs=1e-9)
    assert bx.presets.firing_rates({"a": events}, {"a": 2}, 1000.0) == {"a": 50.0}
    # A Poisson train: CV 1.
    rng = np.random.default_rng(0)
    times = np.sort(rng.uniform(0, 100_000, 20_000))
    events = bx.SpikeEvents(np.zeros(20_000, int), np.zeros(20_000, int), times)
    assert bx.presets.cv_isi(events) == pytest.approx(1.0, abs=0.03)
    # 500 neurons firing as an inhomogeneous Poisson process of rate
    # 40 (1 + sin(2 pi 170 t)) Hz: the population rate oscillates at 170 Hz.
    n, duration = 500, 1000.0
    t = rng.uniform(0, duration, 200_000)
    keep = rng.uniform(0, 2, t.size) < 1 + np.sin(2 * np.pi * 0.170 * t)
    t = np.sort(t[keep][: int(40 * n * duration / 1000)])
    events = bx.SpikeEvents(np.zeros(t.size, int), rng.integers(0, n, t.size), t)
    frequency, ratio = bx.presets.spectral_peak(events, n, duration)
    assert frequency == pytest.approx(170.0, abs=10.0) and ratio > 10


def test_errors_name_the_argument():
    key = jax.random.key(0)
    with pytest.raises(ValueError, match="regime"):
        bx.presets.brunel("XY", key=key)
    with pytest.raises(ValueError, match="c_e"):
        bx.presets.brunel(key=key, n_exc=500, c_e=1000)
    with pytest.raises(ValueError, match="not both"):
        bx.presets.coba(100, key=key, p=0.1, fixed_in_degree=10)
    with pytest.raises(ValueError, match="fixed_in_degree"):
        bx.presets.coba(100, key=key, fixed_in_degree=0)
    with pytest.raises(ValueError, match="`n`"):
        bx.presets.cuba(1, key=key)
    with pytest.raises(TypeError, match="key"):
        bx.presets.cobahh(100, key=0)


KEY = jax.random.key(0)
BRUNEL = dict(key=KEY, n_exc=500, c_e=100)


@pytest.mark.parametrize(
    "make, match",
    [
        # Named by the preset's own arguments (the parts' errors said `tau`,
        # `rate`, `low`, `k`, or divided by zero).
        (lambda: bx.presets.coba(100, key=KEY, tau_e=-5.0), r"`tau_e` must be > 0"),
        (lambda: bx.presets.cuba(100, key=KEY, tau_m=0.0), r"`tau_m` must be > 0"),
        (lambda: bx.presets.cobahh(100, key=KEY, w_i=-1.0), r"`w_i` must be >= 0"),
        (
            lambda: bx.presets.cuba(100, key=KEY, V_r=-40.0),
            r"`V_r` \(-40.0\) must be "
            r"below `V_t` \(-50.0\)",
        ),  # fmt: skip
        (lambda: bx.presets.brunel(eta=-1.0, **BRUNEL), r"`eta` must be >= 0"),
        (
            lambda: bx.presets.brunel(theta=5.0, **BRUNEL),
            r"`V_r` \(10.0\) must be "
            r"below `theta`",
        ),  # fmt: skip
        (lambda: bx.presets.brunel(J=0.0, **BRUNEL), r"`J` must be > 0, got 0.0"),
        # gamma = 0 built one inhibitory neuron onto every excitatory one.
        (lambda: bx.presets.brunel(gamma=0.0, **BRUNEL), r"`gamma` must be > 0"),
        (
            lambda: bx.presets.coba(100, key=KEY, fixed_in_degree=200),
            r"`fixed_in_degree` = 200 asks for 160 excitatory and 40 inhibitory "
            r"synapses per neuron, but `n` = 100 has 80 and 20 neurons",
        ),
    ],
)
def test_preset_parameters_are_refused_by_their_own_names(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def _load_example(name):
    path = os.path.join(os.path.dirname(__file__), "..", "examples", f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"{name}_example", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("cuba", dict(n=400, duration=50.0)),
        ("cobahh", dict(n=400, duration=50.0)),
        ("brunel", dict(regime="SI_fast", n_exc=1000, duration=60.0)),
    ],
)
def test_examples_write_a_raster_and_report(name, kwargs, tmp_path, capsys):
    result = _load_example(name).main(**kwargs, out_dir=str(tmp_path))
    assert os.path.getsize(result["raster"]) > 0
    assert result["loop_s"] > 0 and result["compile_s"] >= 0
    assert set(result["rates_hz"]) == {"exc", "inh"}
    out = capsys.readouterr().out
    assert "rates: exc" in out and "compile:" in out and "raster:" in out


# --- Full size (--runslow) -------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    "preset, span",
    [
        ("coba", widen(*COBA, 0.1)),
        ("cuba", widen(*CUBA, 0.1)),
        ("cobahh", widen(*COBAHH, 0.1)),
    ],
)
def test_full_size_benchmark_rates(preset, span):
    net = getattr(bx.presets, preset)(4000, key=jax.random.key(0))
    rates, _ = run(net, 1000.0)
    check_rates(rates, span)


@pytest.mark.slow
def test_full_size_brunel_regimes():
    # N_E = 10000, N_I = 2500, C_E = 1000, 1 s (SR: 300 ms), transients left out.
    net = bx.presets.brunel("AI", key=jax.random.key(0))
    rates, rec = run(net, 1000.0, start=200.0)
    check_rates(rates, widen(36.7, 38.7, 0.1))
    assert 0.3 < bx.presets.cv_isi(rec["exc"], start=200.0) < 0.46
    net = bx.presets.brunel("SI_fast", key=jax.random.key(0))
    rates, rec = run(net, 1000.0, start=200.0)
    check_rates(rates, (52.0, 66.0))
    frequency, ratio = bx.presets.spectral_peak(rec["exc"], 10000, 1000.0, start=200.0)
    assert 160.0 <= frequency <= 190.0 and ratio > 10
    net = bx.presets.brunel("SR", key=jax.random.key(0))
    rates, rec = run(net, 300.0, start=100.0)
    check_rates(rates, (290.0, 345.0))
    assert bx.presets.cv_isi(rec["exc"], start=100.0) < 0.05
