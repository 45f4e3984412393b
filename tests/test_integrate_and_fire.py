"""ExpIF, AdEx, QIF and GIF against closed forms and event-driven scipy references.

References are independent of brainox: closed forms (quadrature of the ExpIF
period, the QIF/theta-neuron arctangent period, `expm` of GIF's linear
subthreshold system) and scipy `solve_ivp` run from spike to spike with exact
event location and the reset applied by hand. The AdEx reference spike trains
(LSODA, rtol = atol = 1e-10, about 3 s) are stored below; the slow test
recomputes them.

On a fixed grid a threshold crossing is seen at the end of the step that makes
it, so each interspike interval (ISI) is late by less than one step `dt`.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.integrate as si
import scipy.linalg as sl

import brainox as bx
from brainox.neurons.adex import NAUD_2008


def _spike_trains(events, n):
    return [np.asarray(events.time[events.index == j]) for j in range(n)]


def _event_driven_reference(f, y0, reset, threshold, duration, method="LSODA"):
    """Spike times of `dy/dt = f(t, y)` with `reset(y)` whenever `threshold(y)` = 0."""

    def event(t, y):
        return threshold(y)

    event.terminal, event.direction = True, 1
    t, y, spikes = 0.0, list(y0), []
    while t < duration:
        sol = si.solve_ivp(
            f, (t, duration), y, method=method, rtol=1e-10, atol=1e-10, events=event
        )
        if sol.status != 1:
            break
        t = float(sol.t_events[0][0])
        spikes.append(t)
        y = reset(sol.y_events[0][0])
    return np.array(spikes)


# ---------------------------------------------------------------------------- ExpIF

EXPIF = dict(tau=10.0, V_rest=-65.0, V_reset=-68.0, V_T=-59.9, Delta_T=3.48)


def _expif_period(RI, V_cut=-30.0, t_ref=1.7):
    """t_ref + tau * integral from V_reset to V_cut of dV / F(V) (ms)."""
    p = EXPIF

    def F(V):
        return (
            -(V - p["V_rest"])
            + p["Delta_T"] * np.exp((V - p["V_T"]) / p["Delta_T"])
            + RI
        )

    T, _ = si.quad(
        lambda V: p["tau"] / F(V), p["V_reset"], V_cut, epsabs=1e-12, limit=200
    )
    return T + t_ref


def test_expif_rheobase_and_f_i_curve_against_quadrature():
    # Rheobase R I = V_T - V_rest - Delta_T = 1.62 mV, i.e. 16.2 pA at 100 MOhm.
    currents = np.array([16.0, 17.0, 20.0, 30.0, 50.0, 100.0, 200.0], np.float32)
    dt = 0.05
    neuron = bx.ExpIF(len(currents))  # defaults: Fourcaud-Trocme 2003, R = 100 MOhm
    assert isinstance(neuron.solver, bx.RK4)
    _, rec = bx.simulate(
        neuron,
        1000.0,
        dt=dt,
        inputs=lambda s, t: jnp.asarray(currents),
        spikes={"s": "spike"},
        monitors=["V"],
        record_every=10,
    )
    trains = _spike_trains(rec["s"], len(currents))
    assert len(trains[0]) == 0  # 0.2 pA below the rheobase: rests
    assert rec["V"][:, 0].max() < EXPIF["V_T"]
    for j, current in enumerate(currents[1:], start=1):
        T = _expif_period(float(current) * 0.1)
        isi = np.diff(trains[j])
        assert len(isi) >= 2, current
        # Each ISI is T rounded up to the grid (refractory: 34 whole steps).
        assert np.all(isi > T - 1e-4 * T - 2e-3) and np.all(isi < T + dt + 2e-3), (
            current,
            T,
            isi,
        )
    # The overshoot of a spike step never enters the state.
    assert rec["V"].max() <= -30.0


# ----------------------------------------------------------------------------- AdEx

# Naud et al. (2008) patterns, from V = E_L, w = 0, step current of Table 1, 500 ms,
# V_peak = 0 mV: spike times (ms) by solve_ivp LSODA at rtol = atol = 1e-10.
ADEX_REFERENCE = {
    "tonic": (51, 9.585),  # (spike count, steady ISI)
    "adapting": [14.904, 26.172, 40.548, 60.158, 89.581, 137.325, 205.03, 279.827,
                 355.619, 431.516],
    "initial_burst": [5.464, 8.883, 16.202, 70.949, 135.068, 199.018, 262.97, 326.922,
                      390.874, 454.826],
    "regular_bursting": [16.158, 19.076, 24.198, 155.956, 161.31, 294.503, 299.854,
                         433.03, 438.381],
}  # fmt: skip
PATTERNS = list(ADEX_REFERENCE)


def _adex_reference(name, duration=500.0, V_peak=0.0):
    p = NAUD_2008[name]

    def f(t, y):
        V, w = y
        spike_current = p["g_L"] * p["Delta_T"] * np.exp((V - p["V_T"]) / p["Delta_T"])
        dV = (-p["g_L"] * (V - p["E_L"]) + spike_current - w + p["I"]) / p["C"]
        return [dV, (p["a"] * (V - p["E_L"]) - w) / p["tau_w"]]

    return _event_driven_reference(
        f,
        [p["E_L"], 0.0],
        lambda y: [p["V_reset"], y[1] + p["b"]],
        lambda y: y[0] - V_peak,
        duration,
    )


@pytest.fixture(scope="module")
def adex_trains():
    """The four patterns at once, default RK4 at dt = 0.02 ms, 500 ms."""
    neuron = bx.AdEx.preset(PATTERNS)
    current = jnp.array([NAUD_2008[k]["I"] for k in PATTERNS], jnp.float32)
    _, rec = bx.simulate(
        neuron, 500.0, dt=0.02, inputs=lambda s, t: current, spikes={"s": "spike"}
    )
    return dict(zip(PATTERNS, _spike_trains(rec["s"], len(PATTERNS)), strict=True))


def test_adex_presets_are_the_table_of_naud_2008():
    neuron = bx.AdEx.preset(PATTERNS)
    # Table 1 of Naud et al. (2008): C, g_L, E_L, a, tau_w, b, V_reset.
    expected = {
        "C": [200, 200, 130, 200],
        "g_L": [10, 12, 18, 10],
        "E_L": [-70, -70, -58, -58],
        "a": [2, 2, 4, 2],
        "tau_w": [30, 300, 150, 120],
        "b": [0, 60, 120, 100],
        "V_reset": [-58, -58, -50, -46],
    }
    for field, values in expected.items():
        np.testing.assert_allclose(getattr(neuron, field), values, err_msg=field)
    np.testing.assert_allclose([neuron.V_T, neuron.Delta_T, neuron.V_peak], [-50, 2, 0])
    assert [NAUD_2008[k]["I"] for k in PATTERNS] == [500, 500, 400, 210]
    one = bx.AdEx.preset("adapting", 3)
    assert one.size == 3 and one.tau_w.shape == () and float(one.b) == 60.0


def test_adex_tonic_spiking(adex_trains):
    count, steady_isi = ADEX_REFERENCE["tonic"]
    times = adex_trains["tonic"]
    isi = np.diff(times)
    assert len(times) == count
    np.testing.assert_allclose(isi[-20:], steady_isi, atol=0.025)  # dt + rounding
    assert isi[-1] / isi[0] < 1.1  # (almost) no adaptation


def test_adex_adapting(adex_trains):
    reference = np.array(ADEX_REFERENCE["adapting"])
    times = adex_trains["adapting"]
    assert len(times) == len(reference)
    np.testing.assert_allclose(times, reference, atol=0.2)
    isi = np.diff(times)
    assert np.all(np.diff(isi) > 0)  # ISIs lengthen monotonically
    assert 6.0 < isi[-1] / isi[0] < 7.5  # reference 75.897 / 11.268 = 6.74


def test_adex_bursting(adex_trains):
    # Initial burst: 3 spikes (ISIs 3.4, 7.3 ms), then tonic at ISI 63.95 ms.
    times = adex_trains["initial_burst"]
    np.testing.assert_allclose(times, ADEX_REFERENCE["initial_burst"], atol=0.2)
    isi = np.diff(times)
    assert isi[:2].max() < 8.0 and isi[2:].min() > 50.0
    np.testing.assert_allclose(isi[-3:], 63.952, atol=0.05)
    # Regular bursting: bursts of 3, 2, 2, 2 spikes every 138.5 ms.
    times = adex_trains["regular_bursting"]
    np.testing.assert_allclose(times, ADEX_REFERENCE["regular_bursting"], atol=0.2)
    bursts = np.split(times, np.flatnonzero(np.diff(times) > 20.0) + 1)
    assert [len(b) for b in bursts] == [3, 2, 2, 2]
    np.testing.assert_allclose(np.diff([b[0] for b in bursts[1:]]), 138.5, atol=0.3)


@pytest.mark.slow
@pytest.mark.parametrize("name", PATTERNS)
def test_adex_stored_reference_is_reproduced_by_scipy(name):
    spikes = _adex_reference(name)
    stored = ADEX_REFERENCE[name]
    if name == "tonic":
        assert len(spikes) == stored[0]
        np.testing.assert_allclose(np.diff(spikes)[-1], stored[1], atol=1e-3)
    else:
        np.testing.assert_allclose(spikes, stored, atol=1e-3)


@jax.jit
def _adex_gradients(current, b):
    def loss(current, b):
        neuron = bx.AdEx(1, b=b, V_peak=-30.0)
        final, rec = bx.simulate(
            neuron, 60.0, dt=0.1, inputs=lambda s, t: current, monitors=["spike", "V"]
        )
        return jnp.sum(rec["spike"]), (final.w.value[0], jnp.sum(rec["V"]))

    return jax.value_and_grad(loss, argnums=(0, 1), has_aux=True)(current, b)


def test_adex_gradients_through_spikes_are_finite():
    # The runaway to infinity is cut at V_peak; the vector field is frozen above
    # it, so no stage of RK4 overflows and the surrogate gradient is finite.
    (count, (w_final, _)), (d_current, d_b) = _adex_gradients(
        jnp.float32(1000.0), jnp.float32(80.5)
    )
    assert float(count) >= 3 and float(w_final) > 100.0
    assert np.isfinite(d_current) and float(d_current) > 0.0
    assert np.isfinite(d_b)


# ------------------------------------------------------------------------------ QIF

QIF = dict(tau=10.0, a0=0.07, V_rest=-65.0, V_c=-50.0)


def _qif_period(RI, V_reset, V_peak):
    """The exact period of tau dV/dt = a0 (V - V_rest)(V - V_c) + R I (ms)."""
    m = (QIF["V_rest"] + QIF["V_c"]) / 2
    q = RI - QIF["a0"] * ((QIF["V_c"] - QIF["V_rest"]) / 2) ** 2
    s = np.sqrt(QIF["a0"] / q)
    angle = np.arctan((V_peak - m) * s) - np.arctan((V_reset - m) * s)
    return QIF["tau"] / np.sqrt(QIF["a0"] * q) * angle


def test_qif_period_closed_form_and_theta_neuron_limit():
    # R = 100 MOhm: R I = 0.1 mV/pA. Rheobase a0 (V_c - V_rest)^2 / 4 = 3.9375 mV.
    currents = np.array([39.0, 45.0, 60.0, 100.0, 200.0, 100.0], np.float32)
    m, far = -57.5, 1000.0
    V_reset = np.array([-68.0] * 5 + [m - far], np.float32)
    V_peak = np.array([-30.0] * 5 + [m + far], np.float32)
    dt = 0.05
    neuron = bx.QIF(len(currents), V_reset=V_reset, V_peak=V_peak, **QIF)
    _, rec = bx.simulate(
        neuron,
        1000.0,
        dt=dt,
        inputs=lambda s, t: jnp.asarray(currents),
        spikes={"s": "spike"},
    )
    trains = _spike_trains(rec["s"], len(currents))
    assert len(trains[0]) == 0  # R I = 3.9 mV < 3.9375 mV
    for j in range(1, len(currents)):
        T = _qif_period(0.1 * float(currents[j]), float(V_reset[j]), float(V_peak[j]))
        isi = np.diff(trains[j])
        assert len(isi) >= 4
        # Far from rest (last neuron: +-1000 mV) exponential Euler's linearisation
        # of the quadratic costs up to one more step.
        slack = dt if j < 5 else 2 * dt
        assert np.all(isi > T - 2e-3) and np.all(isi < T + slack + 2e-3), (j, T, isi)
    # Peak and reset at m -/+ 1000 mV approach the theta neuron, T = pi tau /
    # sqrt(a0 q) = 48.2253 ms at q = 10 - 3.9375 mV, within 2 tau / (a0 1000 mV).
    theta = np.pi * QIF["tau"] / np.sqrt(QIF["a0"] * (10.0 - 3.9375))
    np.testing.assert_allclose(theta, 48.2253, atol=1e-4)
    assert abs(np.mean(np.diff(trains[-1])) - theta) < 2 * QIF["tau"] / (0.07 * far)


# ------------------------------------------------------------------------------ GIF

GIF = dict(C=200.0, g_L=10.0, E_L=-70.0, b=0.01, k1=0.2, k2=0.02, Theta_inf=-50.0)


def _gif_reference(a, current, A1=0.0, A2=0.0, duration=500.0):
    p = GIF

    def f(t, y):
        V, Theta, I1, I2 = y
        return [
            (current + I1 + I2 - p["g_L"] * (V - p["E_L"])) / p["C"],
            a * (V - p["E_L"]) - p["b"] * (Theta - p["Theta_inf"]),
            -p["k1"] * I1,
            -p["k2"] * I2,
        ]

    def reset(y):  # R1 = 0, R2 = 1, V_reset = -70, Theta_reset = -60 mV
        return [-70.0, max(-60.0, y[1]), A1, y[3] + A2]

    return _event_driven_reference(
        f, [-70.0, -50.0, 0.0, 0.0], reset, lambda y: y[0] - y[1], duration, "DOP853"
    )


def test_gif_firing_patterns_of_mihalas_niebur():
    # Table 1 (I, A in units of C: V/s = mV/ms): tonic spiking (1A), spike
    # frequency adaptation (1C), tonic bursting (1M).
    C = GIF["C"]
    a = jnp.array([0.0, 0.005, 0.005])
    current = C * jnp.array([1.5, 2.0, 2.0])
    A1, A2 = C * jnp.array([0.0, 0.0, 10.0]), C * jnp.array([0.0, 0.0, -0.6])
    dt = 0.02
    neuron = bx.GIF(3, a=a, A1=A1, A2=A2)
    assert isinstance(neuron.solver, bx.ExponentialEuler)
    _, rec = bx.simulate(
        neuron, 500.0, dt=dt, inputs=lambda s, t: current, spikes={"s": "spike"}
    )
    tonic, sfa, burst = _spike_trains(rec["s"], 3)
    # Tonic: Theta stays at -50 mV, V climbs from -70 towards -70 + I/g_L = -40 mV:
    # ISI = (C / g_L) ln(30 / 10) = 20 ln 3 = 21.9722 ms, rounded up to the grid.
    grid_isi = np.ceil(20 * np.log(3) / dt) * dt
    np.testing.assert_allclose(np.diff(tonic), grid_isi, atol=1e-3)
    # Adaptation: the threshold follows V, so ISIs lengthen (15.5 -> 22.4 ms).
    reference = _gif_reference(0.005, 2.0 * C)
    isi, ref_isi = np.diff(sfa), np.diff(reference)
    assert len(sfa) == len(reference) == 23
    assert np.all(np.diff(isi) > 0)
    np.testing.assert_allclose(isi, ref_isi, atol=2 * dt)
    # Tonic bursting: a burst of 8 spikes, a pause of 104 ms, and so on.
    reference = _gif_reference(0.005, 2.0 * C, A1=10 * C, A2=-0.6 * C)
    assert len(burst) == len(reference)
    np.testing.assert_allclose(burst, reference, atol=0.15)
    sizes = [len(b) for b in np.split(burst, np.flatnonzero(np.diff(burst) > 50) + 1)]
    assert sizes[0] == 8 and min(sizes[:-1]) >= 4


def test_gif_linear_subthreshold_closed_form():
    # Below threshold (Theta_inf = 0 mV) the GIF is linear: y(t) = expm(A t) y0 for
    # y = (V, Theta, I1, I2, 1), with the constant terms in the last column.
    p = dict(GIF, Theta_inf=0.0, a=0.005)
    current, y0 = 150.0, np.array([-65.0, 0.0, 300.0, -80.0, 1.0])
    A = np.zeros((5, 5))
    A[0] = [
        -p["g_L"] / p["C"],
        0,
        1 / p["C"],
        1 / p["C"],
        (current + p["g_L"] * p["E_L"]) / p["C"],
    ]
    A[1] = [p["a"], -p["b"], 0, 0, -p["a"] * p["E_L"] + p["b"] * p["Theta_inf"]]
    A[2, 2], A[3, 3] = -p["k1"], -p["k2"]
    times = np.arange(1, 101) * 1.0
    exact = np.stack([sl.expm(A * t) @ y0 for t in times])[:, :4]
    for solver, dt, atol in [
        (bx.RK4(), 0.1, 2e-4),
        (bx.ExponentialEuler(), 0.02, 0.05),
    ]:
        neuron = bx.GIF(
            1, V_init=-65.0, I1_init=300.0, I2_init=-80.0, solver=solver, **p
        )
        _, rec = bx.simulate(
            neuron,
            100.0,
            dt=dt,
            inputs=lambda s, t: current,
            monitors=["V", "Theta", "I1", "I2"],
            record_every=int(round(1.0 / dt)),
        )
        got = np.stack([rec[k][:, 0] for k in ("V", "Theta", "I1", "I2")], axis=1)
        assert rec["V"].max() < -40.0  # no spike
        np.testing.assert_allclose(got, exact, atol=atol, rtol=1e-5)


# ------------------------------------------------------------- shared discrete part


@jax.jit
def _two_steps(model, dt=0.1):
    stepped = model.step(1e4, dt)
    return stepped, stepped.step(1e4, dt)


def test_refractory_and_clip_are_shared_with_lif():
    # One step of each LIF-like model from just below its cut-off with a strong
    # input: all spike, reset, clip and start the same refractory count.
    models = [
        bx.ExpIF(1, V_init=-30.5, t_ref=2.0),
        bx.QIF(1, V_init=-30.5, t_ref=2.0),
        bx.AdEx(1, V_init=-0.5, t_ref=2.0),
        bx.LIF(1, V_init=-50.5, t_ref=2.0),
    ]
    for model in models:
        stepped, held = _two_steps(model)
        assert float(stepped.spike.value[0]) == 1.0, type(model).__name__
        np.testing.assert_allclose(stepped.V.value, model.V_reset)
        assert int(stepped.refractory_left.value[0]) == 20
        np.testing.assert_allclose(held.V.value, model.V_reset)
        assert float(held.spike.value[0]) == 0.0
        assert int(held.refractory_left.value[0]) == 19


def test_spike_gradient_is_the_surrogate_outside_refractoriness_and_zero_in_it():
    # d spike / d V_end of one step: the surrogate's derivative at V_end - V_th
    # for a free neuron; 0 for a refractory one (held potential, no spike),
    # whatever the integrated potential, and never through the held start value.
    from brainox.neurons._common import integrate_and_fire

    surrogate = bx.surrogate.Sigmoid(4.0)
    free = bx.LIF(1, surrogate=surrogate, t_ref=2.0)
    held = free.with_states(refractory_left=jnp.array([3]))

    def spike(neuron, v0, v1):
        out = integrate_and_fire(neuron, {"V": v0}, {"V": v1}, neuron.V_th, 0.1)
        return out["spike"][0]

    v0, v1 = jnp.array([-60.0]), jnp.array([-49.5])
    d0, d1 = jax.grad(lambda a, b: spike(free, a, b), argnums=(0, 1))(v0, v1)
    expected = surrogate.derivative(v1 - free.V_th, 4.0)
    np.testing.assert_allclose(d1, expected, rtol=1e-6)
    assert float(d0[0]) == 0.0 and float(d1[0]) > 0.0
    assert float(spike(held, v0, v1)) == 0.0
    h0, h1 = jax.grad(lambda a, b: spike(held, a, b), argnums=(0, 1))(v0, v1)
    assert float(h0[0]) == 0.0 and float(h1[0]) == 0.0


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: bx.ExpIF(2, Delta_T=0.0), "`Delta_T` must be > 0"),
        (lambda: bx.ExpIF(2, tau=-1.0), "`tau` must be > 0"),
        (lambda: bx.AdEx(2, C=0.0), "`C` must be > 0"),
        (lambda: bx.AdEx(2, tau_w=jnp.ones(3)), r"`tau_w` has shape \(3,\)"),
        (lambda: bx.AdEx.preset("bursty"), "unknown AdEx preset 'bursty'"),
        (lambda: bx.AdEx.preset(["tonic", "adapting"], n=3), r"`n` \(3\) differs"),
        (lambda: bx.QIF(2, a0=0.0), "`a0` must be > 0"),
        (lambda: bx.QIF(2, V_init=bx.init.normal(-60.0, 1.0)), "pass `key="),
        (lambda: bx.GIF(2, k1=-0.1), "`k1` must be >= 0"),
        (lambda: bx.GIF(2, t_ref=-1.0), "`t_ref` must be >= 0"),
    ],
)
def test_bad_arguments_are_rejected(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_adex_preset_refuses_table_parameters():
    with pytest.raises(TypeError, match="preset\\(\\) sets C, g_L"):
        bx.AdEx.preset("tonic", b=10.0)
