"""Hodgkin-Huxley validation against published values (shared/REFERENCES.md).

Reference (scipy LSODA at rtol = atol = 1e-9, NEST 3.10, NEURON 9.0), modern
convention: rest -64.9964 mV (m, h, n = 0.0530, 0.5960, 0.3177); rheobase of a
500 ms step 2.2402-2.2405 uA/cm^2; repetitive firing from 6.2574-6.2576; spikes in
1 s for I = 2, 6, 6.3, 7, 10: 0, 2, 53/54, 59, 69; steady rate (250-500 ms) for
I = 6.5, 10, 20: 55.1, 68.3, 86.5 Hz; first-spike peak +34 to +43 mV, about
+40.3 mV at 10 uA/cm^2.

One population holds one neuron per current, so a whole f-I table is one
`bx.simulate` (one `lax.scan`).
"""

import diffrax
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainox as bx


REST = -64.9964

# One neuron per current (uA/cm^2): rheobase bracket (coarse and tight), onset of
# repetitive firing bracket, and the NEST/NEURON f-I table.
CURRENTS = np.array(
    [2.0, 2.23, 2.239, 2.242, 2.25, 6.0, 6.25, 6.265, 6.3, 6.5, 7.0, 10.0, 20.0],
    np.float32,
)
COUNTS_1S = {2.0: (0, 0), 6.0: (2, 2), 6.3: (53, 54), 7.0: (59, 59), 10.0: (69, 69)}
STEADY_RATE_HZ = {6.5: 55.1, 10.0: 68.3, 20.0: 86.5}


def _column(value):
    return int(np.flatnonzero(np.isclose(CURRENTS, value))[0])


def _run(solver, dt, currents, duration, record_v=True):
    neuron = bx.HH(len(currents), solver=solver)
    current = jnp.asarray(currents)
    _, rec = bx.simulate(
        neuron,
        duration,
        dt=dt,
        inputs=lambda step, t: current,
        monitors=["V"] if record_v else None,
        spikes={"hh": "spike"},
    )
    events = rec["hh"]
    times = [np.asarray(events.time[events.index == j]) for j in range(len(currents))]
    return times, (np.asarray(rec["V"]) if record_v else None)


def _steady_rate(times):
    """1000 / mean ISI (Hz) of the spikes in the 250-500 ms window."""
    window = times[(times >= 250.0) & (times < 500.0)]
    return 1000.0 / np.mean(np.diff(window))


@pytest.fixture(scope="module")
def rk4_run():
    """RK4 at dt = 0.01 ms for 1 s, every current at once."""
    return _run(bx.RK4(), 0.01, CURRENTS, 1000.0)


def rates_float64(V):
    V = np.asarray(V, np.float64)
    return {
        "m": (
            0.1 * (V + 40) / (1 - np.exp(-(V + 40) / 10)),
            4 * np.exp(-(V + 65) / 18),
        ),
        "h": (0.07 * np.exp(-(V + 65) / 20), 1 / (1 + np.exp(-(V + 35) / 10))),
        "n": (
            0.01 * (V + 55) / (1 - np.exp(-(V + 55) / 10)),
            0.125 * np.exp(-(V + 65) / 80),
        ),
    }


def test_rest_is_a_fixed_point():
    neuron = bx.HH(1)
    y = neuron.hidden_values()
    np.testing.assert_allclose(y["V"], REST)
    for gate, expected in {"m": 0.0530, "h": 0.5960, "n": 0.3177}.items():
        np.testing.assert_allclose(y[gate], expected, atol=1e-4)
    dy = neuron.vector_field(0.0, y, None)
    # A 0.01 mV error in the rest would leave |dV/dt| of about 7e-3 mV/ms.
    assert abs(float(dy["V"][0])) < 1e-3
    for gate in "mhn":
        assert abs(float(dy[gate][0])) < 1e-6
    # A long run with no input stays at rest, with either solver.
    for solver in (bx.RK4(), bx.ExponentialEuler()):
        _, rec = bx.simulate(
            bx.HH(1, solver=solver), 500.0, dt=0.05, monitors=["V"], record_every=10
        )
        assert np.max(np.abs(rec["V"] - REST)) < 1e-3


def test_rheobase(rk4_run):
    times, _ = rk4_run
    first_500 = [int(np.sum(times[_column(i)] < 500.0)) for i in (2.23, 2.25)]
    assert first_500 == [0, 1]
    # Tighter bracket of the reference 2.2402-2.2405 uA/cm^2.
    assert int(np.sum(times[_column(2.239)] < 500.0)) == 0
    assert int(np.sum(times[_column(2.242)] < 500.0)) >= 1


def test_onset_of_repetitive_firing(rk4_run):
    # Reference onset 6.2574-6.2576 uA/cm^2: below it the spikes die out (the
    # rest is still stable), above it firing goes on to the end of the run.
    times, _ = rk4_run
    below, above = times[_column(6.25)], times[_column(6.265)]
    assert 1 <= len(below) and below[-1] < 400.0
    assert np.sum(above >= 750.0) >= 10 and len(above) >= 50


def test_f_i_table(rk4_run):
    times, _ = rk4_run
    for current, (low, high) in COUNTS_1S.items():
        count = len(times[_column(current)])
        assert low - 1 <= count <= high + 1, (current, count)


def test_steady_rate(rk4_run):
    times, _ = rk4_run
    for current, expected in STEADY_RATE_HZ.items():
        rate = _steady_rate(times[_column(current)])
        assert abs(rate - expected) < 1.0, (current, rate)


def test_spike_peak(rk4_run):
    times, V = rk4_run
    peaks = []
    for current in (6.0, 6.5, 7.0, 10.0, 20.0):
        j = _column(current)
        first = times[j][0]
        window = slice(max(0, int((first - 2.0) / 0.01)), int((first + 2.0) / 0.01))
        peaks.append(float(V[window, j].max()))
    assert all(34.0 <= p <= 43.0 for p in peaks), peaks
    assert np.all(np.diff(peaks) > 0), peaks  # rises with I
    assert abs(peaks[3] - 40.3) < 0.3, peaks


def test_exponential_euler_default(rk4_run):
    """The default solver at dt = 0.01 ms meets the same tolerances as RK4.

    Exponential Euler is first order: at dt = 0.01 ms its steady rates are within
    0.5 Hz of the converged ones (spike counts within one of the table), and
    halving dt halves the error. The converged rates are those of RK4 at
    dt = 0.01 ms, which match the published ones to 0.1 Hz.
    """
    currents = np.array([2.23, 2.25, 6.3, 6.5, 7.0, 10.0, 20.0], np.float32)
    times, _ = _run(bx.ExponentialEuler(), 0.01, currents, 1000.0, record_v=False)
    assert [int(np.sum(t < 500.0)) for t in times[:2]] == [0, 1]
    for current, (low, high) in COUNTS_1S.items():
        if current in currents:
            count = len(times[int(np.flatnonzero(np.isclose(currents, current))[0])])
            assert low - 1 <= count <= high + 1, (current, count)
    steady = currents[3:]
    coarse = np.array([_steady_rate(t) for t in times[3:]])
    fine_times, _ = _run(bx.ExponentialEuler(), 0.005, steady, 500.0, record_v=False)
    fine = np.array([_steady_rate(t) for t in fine_times])
    exact = np.array([_steady_rate(rk4_run[0][_column(c)]) for c in steady])
    error_coarse, error_fine = np.abs(coarse - exact), np.abs(fine - exact)
    assert np.all(error_coarse < 1.0), coarse
    ratio = error_coarse / error_fine
    assert np.all((1.5 < ratio) & (ratio < 2.7)), ratio  # first order


@jax.jit
def _rates_and_slopes(V):
    def alpha(v):
        rates = bx.HH.rates(v)
        return jnp.stack([rates["m"][0], rates["n"][0]])

    return jax.vmap(alpha)(V), jax.vmap(jax.jacfwd(alpha))(V)


def test_guarded_singularities():
    # Per singular point V0: V0 itself, then both sides of the switch to the
    # series (|V - V0| = 0.1 mV), close to V0 and further out.
    offsets = np.array([0.0, -0.5, -0.1001, -0.0999, -1e-3, 1e-3, 0.0999, 0.1001, 0.5])
    V = np.concatenate([-40.0 + offsets, -55.0 + offsets]).astype(np.float32)
    values, slopes = _rates_and_slopes(jnp.asarray(V))
    alpha_m, alpha_n = values[:9, 0], values[9:, 1]
    slope_m, slope_n = slopes[:9, 0], slopes[9:, 1]
    # Exactly at the singular points: the limits 0.1 * 10 and 0.01 * 10, and the
    # slopes 0.1 / 2 and 0.01 / 2 (d/dx [x / (1 - exp(-x / 10))] = 1/2 at 0).
    np.testing.assert_allclose([alpha_m[0], alpha_n[0]], [1.0, 0.1], rtol=1e-6)
    np.testing.assert_allclose([slope_m[0], slope_n[0]], [0.05, 0.005], rtol=1e-5)
    # Elsewhere: the float64 values and central differences of the plain formula.
    V64, h = V.astype(np.float64), 1e-5
    for got, slope, V0, g in (
        (alpha_m, slope_m, V64[1:9], "m"),
        (alpha_n, slope_n, V64[10:], "n"),
    ):
        fd = (rates_float64(V0 + h)[g][0] - rates_float64(V0 - h)[g][0]) / (2 * h)
        np.testing.assert_allclose(got[1:], rates_float64(V0)[g][0], rtol=2e-6)
        np.testing.assert_allclose(slope[1:], fd, rtol=1e-4)
    # The full vector field and its Jacobian are finite at both points.
    neuron = bx.HH(2, V_init=jnp.array([-40.0, -55.0]))
    jac = jax.jit(jax.jacfwd(lambda y: neuron.vector_field(0.0, y, 5.0)))(
        neuron.hidden_values()
    )
    assert all(np.isfinite(x).all() for x in jax.tree.leaves(jac))


def test_diffeqsolve_agrees_with_stepping():
    """The vector field in `diffrax.diffeqsolve` matches the neuron's own stepping.

    `bx.simulate` calls `step`, which integrates each step with `integrate_step`
    and the neuron's solver (here diffrax's Tsit5). Subthreshold steps from rest
    (1 and 2 uA/cm^2, below the rheobase), so no spike intervenes.
    """
    dt, duration = 0.01, 30.0
    current = jnp.array([1.0, 2.0], jnp.float32)  # the neuron's precision, also in x64
    neuron = bx.HH(2, solver=diffrax.Tsit5())
    _, rec = bx.simulate(
        neuron, duration, dt=dt, inputs=lambda step, t: current, monitors=["V", "n"]
    )
    assert np.all(np.ptp(rec["V"], axis=0) > 1.5) and rec["V"].max() < -55.0
    term = diffrax.ODETerm(neuron.vector_field)
    ts = jnp.asarray(rec["t"], jnp.float32)
    y0 = neuron.hidden_values()
    fixed = diffrax.diffeqsolve(
        term,
        diffrax.Tsit5(),
        0.0,
        duration,
        dt,
        y0,
        args=current,
        saveat=diffrax.SaveAt(ts=ts),
        max_steps=4096,
    )
    # Same solver, same steps: equal up to float32 rounding of the time grid.
    np.testing.assert_allclose(fixed.ys["V"], rec["V"], atol=2e-4)
    np.testing.assert_allclose(fixed.ys["n"], rec["n"], atol=2e-6)
    # The first record is one `step`, which is one `integrate_step`.
    stepped = jax.jit(lambda m: m.step(current, dt))(neuron)
    y1 = jax.jit(
        lambda m, y: bx.integrate_step(m.solver, m.vector_field, y, current, dt)
    )(neuron, y0)
    np.testing.assert_allclose(stepped.V.value, fixed.ys["V"][0], atol=1e-5)
    np.testing.assert_allclose(y1["V"], stepped.V.value)
    np.testing.assert_array_equal(stepped.spike.value, 0.0)


@pytest.mark.slow
def test_adaptive_diffeqsolve_agrees_with_rk4_stepping():
    """An adaptive Tsit5 solve of the vector field matches RK4 stepping (2e-3 mV).

    The tolerance is float32 rounding: near the turning points V changes by about
    one ulp (8e-6 mV) per RK4 step of 0.01 ms, and 3000 such roundings add up to
    about 1e-3 mV. The fast counterpart is `test_diffeqsolve_agrees_with_stepping`.
    """
    dt, duration = 0.01, 30.0
    current = jnp.array([1.0, 2.0])
    neuron = bx.HH(2, solver=bx.RK4())
    _, rec = bx.simulate(
        neuron, duration, dt=dt, inputs=lambda step, t: current, monitors=["V"]
    )
    term = diffrax.ODETerm(neuron.vector_field)
    ts = jnp.asarray(rec["t"], jnp.float32)
    y0 = neuron.hidden_values()
    adaptive = diffrax.diffeqsolve(
        term,
        diffrax.Tsit5(),
        0.0,
        duration,
        dt,
        y0,
        args=current,
        saveat=diffrax.SaveAt(ts=ts),
        stepsize_controller=diffrax.PIDController(rtol=1e-6, atol=1e-6),
        max_steps=4096,
    )
    np.testing.assert_allclose(adaptive.ys["V"], rec["V"], atol=2e-3)


def test_spike_is_an_upward_crossing():
    neuron = bx.HH(1, solver=bx.RK4())
    _, rec = bx.simulate(
        neuron, 50.0, dt=0.01, inputs=lambda step, t: 10.0, monitors=["V", "spike"]
    )
    V, spike = rec["V"][:, 0], rec["spike"][:, 0]
    before = np.concatenate([[REST], V[:-1]])
    crossing = (before < 0.0) & (V >= 0.0)
    np.testing.assert_array_equal(spike > 0, crossing)
    assert 2 <= spike.sum() <= 5
    assert V.max() > 30.0  # no reset: the spike peak is in the trace


@jax.jit
def _spike_and_gradients(current):
    # Early upstroke, 0.5 mV below threshold: one RK4 step of 0.025 ms crosses 0 mV
    # by under a millivolt.
    neuron = bx.HH(1, V_init=-0.5, m_init=0.3, h_init=0.5, n_init=0.35, solver=bx.RK4())

    def spike(current):
        return neuron.step(current, 0.025).spike.value[0]

    def voltage(current):
        return neuron.step(current, 0.025).V.value[0]

    return jax.value_and_grad(spike)(current), jax.value_and_grad(voltage)(current)


def test_surrogate_gradient_of_a_spike():
    (spike, grad), (V1, dV1) = _spike_and_gradients(jnp.float32(0.0))
    assert float(spike) == 1.0 and 0.0 <= float(V1) < 2.0
    # dV1/dI ~ dt / C, and d spike / dI = sigmoid'(V1 - V_th) dV1/dI.
    np.testing.assert_allclose(dV1, 0.025, rtol=0.1)
    sigmoid = 1 / (1 + np.exp(-float(V1)))
    np.testing.assert_allclose(grad, sigmoid * (1 - sigmoid) * dV1, rtol=1e-5)


@pytest.mark.slow
def test_gradients_flow_through_a_simulation():
    n_steps, dt = 600, 0.025

    def loss(current):
        neuron = bx.HH(1, solver=bx.RK4())
        _, rec = bx.simulate(
            neuron,
            dt=dt,
            n_steps=n_steps,
            inputs=jnp.full((n_steps, 1), current),
            monitors=["spike"],
        )
        return jnp.sum(rec["spike"])

    value, grad = jax.value_and_grad(loss)(jnp.float32(10.0))
    assert float(value) >= 1.0
    assert np.isfinite(grad) and float(grad) != 0.0


def test_parameter_validation():
    with pytest.raises(ValueError, match="`g_Na` must be >= 0"):
        bx.HH(2, g_Na=-1.0)
    with pytest.raises(ValueError, match="`C` must be > 0"):
        bx.HH(2, C=0.0)
    with pytest.raises(ValueError, match="`g_K` has shape"):
        bx.HH(2, g_K=jnp.ones(3))
    neuron = bx.HH(3, g_Na=jnp.array([100.0, 120.0, 140.0]), E_L=-54.0)
    assert neuron.g_Na.shape == (3,) and neuron.E_L.shape == ()
    assert set(neuron.hidden_values()) == {"V", "m", "h", "n"}


def test_a_float64_input_drives_a_float32_neuron_in_its_precision():
    # Under 64-bit mode an input array is float64 by default; the neuron takes
    # it in its own precision (the solver's stages stay float32).
    with jax.enable_x64(True):
        neuron = bx.HH(2, solver=diffrax.Tsit5())
        current = jnp.array([1.0, 2.0])
        assert current.dtype == jnp.float64
        _, rec = bx.simulate(
            neuron, 5.0, dt=0.01, inputs=lambda s, t: current, monitors=["V"]
        )
        _, rec32 = bx.simulate(
            neuron,
            5.0,
            dt=0.01,
            inputs=lambda s, t: current.astype(jnp.float32),
            monitors=["V"],
        )
    assert rec["V"].dtype == jnp.float32
    np.testing.assert_array_equal(rec["V"], rec32["V"])
