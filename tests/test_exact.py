"""Exact event-driven simulation (`bx.exact`) against closed forms.

LIF, `tau dV/dt = -(V - V_rest) + R I`, reset to rest, refractory `t_ref`
(shared/REFERENCES.md): the first spike is at `t* = tau ln(RI / (RI - theta))`
and the train is periodic, `t_k = t* + k (t_ref + t*)`; an event-exact path must
hit these to 1e-6 relative. The spike time's derivative with respect to the
input is `dt*/dI = -tau theta R / (RI (RI - theta))` (R I in mV, R in MOhm).
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainox as bx


MV_PER_MOHM_PA = 1e-3

# Rows of the REFERENCES.md LIF table: tau (ms), R (MOhm), I (pA), theta (mV),
# t_ref (ms), t* (ms).
ROWS = np.array(
    [
        [10.0, 40.0, 500.0, 15.0, 2.0, 13.8629],
        [20.0, 100.0, 250.0, 20.0, 0.0, 32.1888],
        [20.0, 100.0, 250.0, 20.0, 2.0, 32.1888],
        [20.0, 100.0, 210.0, 20.0, 2.0, 60.8904],
    ]
)
V_REST = -65.0


def _population(rows, dtype):
    tau, R, _, theta, t_ref, _ = (jnp.asarray(c, dtype) for c in rows.T)
    return bx.LIF(
        len(rows),
        tau=tau,
        R=R,
        V_rest=V_REST,
        V_reset=V_REST,
        V_th=V_REST + theta,
        t_ref=t_ref,
        dtype=dtype,
    )


def _first_spike_closed_form(tau, R, current, theta):
    drive = R * current * MV_PER_MOHM_PA
    return tau * np.log(drive / (drive - theta))


def _per_neuron(train, n):
    times, index = np.asarray(train.times), np.asarray(train.index)
    count = int(train.count)
    return [times[:count][index[:count] == j] for j in range(n)]


@pytest.fixture(scope="module")
def x64():
    with jax.enable_x64(True):
        yield


@pytest.fixture(scope="module")
def reference_train(x64):
    """The four table rows as one population, 300 ms, exact in float64."""
    neuron = _population(ROWS, jnp.float64)
    return bx.exact.simulate(neuron, 300.0, jnp.asarray(ROWS[:, 2]), max_spikes=64)


def _closed_form_train(j, duration):
    tau, R, current, theta, t_ref, _ = ROWS[j]
    t_star = _first_spike_closed_form(tau, R, current, theta)
    return t_star + np.arange(int((duration - t_star) // (t_ref + t_star)) + 1) * (
        t_ref + t_star
    )


def test_periodic_spike_train_matches_closed_form(reference_train):
    train = reference_train
    assert not bool(train.overflow) and float(train.t_end) == 300.0
    tau, R, current, theta, _, table = ROWS.T
    np.testing.assert_allclose(
        _first_spike_closed_form(tau, R, current, theta), table, atol=1e-4
    )  # the table itself
    per_neuron = _per_neuron(train, len(ROWS))
    for j, times in enumerate(per_neuron):
        expected = _closed_form_train(j, 300.0)
        assert len(times) == len(expected), (j, len(times), len(expected))
        np.testing.assert_allclose(times, expected, rtol=1e-6)
    # 63.04 Hz for the first row (NEST iaf_psc_delta and Brian2: 63 spikes in 1 s).
    np.testing.assert_allclose(1000.0 / np.diff(per_neuron[0]).mean(), 63.04, rtol=1e-5)
    # Spikes are recorded in time order.
    assert np.all(np.diff(np.asarray(train.times[: int(train.count)])) >= 0)


def test_overflow_is_reported_never_dropped(x64):
    neuron = _population(ROWS, jnp.float64)
    current = jnp.asarray(ROWS[:, 2])
    # Same program as the reference train (the duration is traced): about 140
    # spikes in 1 s do not fit into 64.
    train = bx.exact.simulate(neuron, 1000.0, current, max_spikes=64, throw=False)
    assert bool(train.overflow) and int(train.count) == 64
    t_end = float(train.t_end)
    assert t_end < 1000.0
    # The 64 recorded spikes are all the spikes up to t_end, exact.
    for j, times in enumerate(_per_neuron(train, len(ROWS))):
        expected = _closed_form_train(j, 1000.0)
        expected = expected[expected <= t_end + 1e-9]
        np.testing.assert_allclose(times, expected, rtol=1e-6)
    with pytest.raises(Exception, match="max_spikes"):
        bx.exact.simulate(neuron, 1000.0, current, max_spikes=64)


@pytest.mark.parametrize("in_x64", [False, True])
def test_float32_trains_match_the_closed_form(in_x64):
    # float32 (bx.LIF's default): the root finder works on the distance to the
    # threshold in units of |V_th|, which float32 resolves (an absolute 1e-6 mV
    # is below one float32 step of V near -50 mV). Also in 64-bit mode.
    with jax.enable_x64(in_x64):
        neuron = _population(ROWS, jnp.float32)
        train = bx.exact.simulate(neuron, 300.0, jnp.asarray(ROWS[:, 2], jnp.float32))
    assert not bool(train.overflow) and float(train.t_end) == 300.0
    for j, times in enumerate(_per_neuron(train, len(ROWS))):
        expected = _closed_form_train(j, 300.0)
        assert len(times) == len(expected), (j, len(times), len(expected))
        np.testing.assert_allclose(times, expected, rtol=1e-5)


def test_fixed_step_spike_times_converge_to_exact_at_first_order(reference_train):
    """`bx.simulate` (exponential Euler, exact on the grid) vs the exact train.

    On a grid of step dt a spike is detected at the first step end after the
    crossing, so every inter-spike interval is late by less than one step: the
    k-th spike (k = 0, 1, ...) is late by `0 <= error < (k + 1) dt`, and the mean
    error falls in proportion to dt (order 1).
    """
    exact = _per_neuron(reference_train, len(ROWS))
    neuron = _population(ROWS, jnp.float32)
    current = jnp.asarray(ROWS[:, 2], jnp.float32)
    dts = np.array([0.1, 0.05, 0.02, 0.01, 0.005])
    mean_errors = []
    for dt in dts:
        _, rec = bx.simulate(
            neuron, 300.0, dt=dt, inputs=lambda step, t: current, spikes={"s": "spike"}
        )
        events = rec["s"]
        errors = []
        for j, times in enumerate(exact):
            grid = np.asarray(events.time[events.index == j], np.float64)
            n = min(len(grid), len(times))
            assert n >= len(times) - 1
            error = grid[:n] - times[:n]
            k = np.arange(n)
            assert np.all(error > -1e-3) and np.all(error < (k + 1) * dt + 1e-3), (
                dt,
                j,
            )
            errors.append(error)
        mean_errors.append(np.mean(np.concatenate(errors)))
    order = np.polyfit(np.log(dts), np.log(mean_errors), 1)[0]
    assert 0.8 < order < 1.2, (order, mean_errors)


def test_spike_time_gradients_match_implicit_function_theorem(x64):
    """Third spike t_2 = 3 t* (t_ref = 0): dt_2/dI = 3 dt*/dI, dt_2/dtau = 3 t*/tau.

    The spike times are differentiated in reverse mode through diffrax's event
    root finding (implicit function theorem) and through two resets.
    """
    tau, R, current, theta = 20.0, 100.0, 250.0, 15.0

    def third_spike(current, tau):
        neuron = bx.LIF(1, tau=tau, R=R, V_th=V_REST + theta, dtype=jnp.float64)
        return bx.exact.simulate(neuron, 70.0, current, max_spikes=4).times[2]

    value, (d_current, d_tau) = jax.jit(
        jax.value_and_grad(third_spike, argnums=(0, 1))
    )(jnp.float64(current), jnp.float64(tau))
    drive = R * current * MV_PER_MOHM_PA
    dt_dI = -tau * theta * R * MV_PER_MOHM_PA / (drive * (drive - theta))
    t_star = _first_spike_closed_form(tau, R, current, theta)
    np.testing.assert_allclose(value, 3 * t_star, rtol=1e-9)
    np.testing.assert_allclose(d_current, 3 * dt_dI, rtol=1e-6)
    np.testing.assert_allclose(d_tau, 3 * t_star / tau, rtol=1e-6)


def _pair(dtype=jnp.float64):
    """Two LIF neurons: tau 20 ms, R 100 MOhm, threshold 15 mV above rest."""
    return bx.LIF(
        2,
        tau=20.0,
        R=100.0,
        V_rest=V_REST,
        V_reset=V_REST,
        V_th=V_REST + 15.0,
        dtype=dtype,
    )


def test_delta_synapse_network_matches_hand_calculation(x64):
    """Neuron 0 (R I = 25 mV) drives neuron 1 (R I = 10 mV) by +6 mV jumps.

    Neuron 0 fires at k t*, t* = 20 ln 2.5. Neuron 1 relaxes towards 10 mV
    (below the 15 mV threshold), so it fires only at an arrival, when the jump
    takes it over threshold: the first arrival finds it at 10 (1 - e^{-(t*+d)/20}),
    6.29 mV (+ 6 < 15), the second at 10 + (w + 6.29 - 10) e^{-t*/20} = 10.92 mV
    (+ 6 >= 15: a spike at 2 t* + d). After each reset the same repeats: spikes at
    2 t* + d and 4 t* + d in 100 ms, for any delay d (here 1.5 ms and 0).
    """
    w, duration = 6.0, 100.0
    t_star = 20.0 * np.log(2.5)
    decay = np.exp(-t_star / 20.0)  # 0.4 exactly
    for d in (1.5, 0.0):
        first = 10.0 * (1 - np.exp(-(t_star + d) / 20.0))
        second = 10.0 + (first + w - 10.0) * decay
        assert first + w < 15.0 <= second + w  # the hand calculation
        synapses = bx.exact.DeltaSynapses(
            jnp.array([[0.0, 0.0], [w, 0.0]]), delay=d, dtype=jnp.float64
        )
        train = bx.exact.simulate(
            _pair(), duration, jnp.array([250.0, 100.0]), synapses=synapses
        )
        times0, times1 = _per_neuron(train, 2)
        np.testing.assert_allclose(times0, t_star * np.arange(1, 6), rtol=1e-9)
        np.testing.assert_allclose(times1, [2 * t_star + d, 4 * t_star + d], rtol=1e-9)
        # The potentials at 100 ms: neuron 0 since its spike at 5 t*; neuron 1
        # since the arrival at 5 t* + d (from 6 mV after 4 t* + d, + 6 mV).
        V0 = 25.0 * (1 - np.exp(-(duration - 5 * t_star) / 20.0))
        V1 = 10.0 + (10.0 * (1 - decay) + w - 10.0) * np.exp(
            -(duration - 5 * t_star - d) / 20.0
        )
        np.testing.assert_allclose(train.V - V_REST, [V0, V1], rtol=1e-8)
    # With delay 0 the target fires at the very time of the source's spike,
    # recorded after it.
    assert list(np.asarray(train.index[:4])) == [0, 0, 1, 0]


@pytest.mark.slow
def test_exponential_synapse_network_matches_closed_form(x64):
    """Neuron 0 (R I = 25 mV) drives neuron 1 (no input) by a 1200 pA, 5 ms current.

    After an arrival at time a, neuron 1's potential is
    `V(t) = 40 (e^{-(t-a)/20} - e^{-(t-a)/5})` mV (R w tau_s / (tau - tau_s) =
    120 mV x 5/15), which peaks at 18.9 mV: it crosses 15 mV at a time found
    here by scipy's brentq, resets, and then follows the same form from 0 mV
    with the remaining synaptic current.
    """
    from scipy.optimize import brentq

    tau, tau_s, w, delay, duration = 20.0, 5.0, 1200.0, 1.0, 30.0
    synapses = bx.exact.ExponentialSynapses(
        jnp.array([[0.0, 0.0], [w, 0.0]]), tau=tau_s, delay=delay, dtype=jnp.float64
    )
    train = bx.exact.simulate(
        _pair(), duration, jnp.array([250.0, 0.0]), synapses=synapses
    )
    t_star = 20.0 * np.log(2.5)
    arrival = t_star + delay

    def response(x, current):  # mV, x ms after a current jump of `current` pA
        gain = 100.0 * current * MV_PER_MOHM_PA * tau_s / (tau - tau_s)
        return gain * (np.exp(-x / tau) - np.exp(-x / tau_s))

    crossing = brentq(lambda x: response(x, w) - 15.0, 0.0, 9.0, xtol=1e-14)
    t1 = arrival + crossing
    times0, times1 = _per_neuron(train, 2)
    np.testing.assert_allclose(times0, [t_star], rtol=1e-9)
    np.testing.assert_allclose(times1, [t1], rtol=1e-8)
    s_at_t1 = w * np.exp(-crossing / tau_s)
    V1 = response(duration - t1, s_at_t1)
    V0 = 25.0 * (1 - np.exp(-(duration - t_star) / tau))
    np.testing.assert_allclose(train.V - V_REST, [V0, V1], rtol=1e-7)
    np.testing.assert_allclose(
        train.synaptic, [0.0, w * np.exp(-(duration - arrival) / tau_s)], rtol=1e-7
    )


def test_argument_errors():
    with pytest.raises(TypeError, match="integrate-and-fire"):
        bx.exact.simulate(bx.HH(1), 10.0, 5.0)
    with pytest.raises(ValueError, match="weight matrix"):
        bx.exact.simulate(
            bx.LIF(3), 10.0, synapses=bx.exact.DeltaSynapses(jnp.zeros((2, 2)))
        )
    with pytest.raises(ValueError, match="square"):
        bx.exact.DeltaSynapses(jnp.zeros((2, 3)))
    with pytest.raises(ValueError, match="`delay` must be >= 0"):
        bx.exact.ExponentialSynapses(jnp.zeros((2, 2)), tau=5.0, delay=-1.0)
    with pytest.raises(ValueError, match="`max_spikes`"):
        bx.exact.simulate(bx.LIF(1), 10.0, max_spikes=0)
    with pytest.raises(ValueError, match="`duration`"):
        bx.exact.simulate(bx.LIF(1), 0.0)
    with pytest.raises(ValueError, match="one delay"):
        bx.exact.DeltaSynapses(jnp.zeros((2, 2)), delay=jnp.ones(2))
    with pytest.raises(ValueError, match=r"`current` has shape \(3,\), but the"):
        bx.exact.simulate(bx.LIF(2), 10.0, jnp.ones(3))
    with pytest.raises(ValueError, match=r"`current\(t\)` returns shape \(3,\)"):
        bx.exact.simulate(bx.LIF(2), 10.0, lambda t: jnp.ones(3) * t)


@pytest.mark.slow
def test_time_varying_current(x64):
    """A current step at 10 ms: the first spike at 10 + t*, then periodic."""
    neuron = bx.LIF(1, tau=20.0, R=100.0, V_th=V_REST + 15.0, dtype=jnp.float64)

    def step(t):
        return jnp.where(t >= 10.0, 250.0, 0.0)

    train = bx.exact.simulate(neuron, 100.0, step, max_spikes=16)
    t_star = 20.0 * np.log(2.5)
    expected = 10.0 + t_star * np.arange(1, 5)
    np.testing.assert_allclose(train.times[: int(train.count)], expected, rtol=1e-6)
