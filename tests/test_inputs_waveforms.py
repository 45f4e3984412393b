"""Waveform inputs: values against their formulas, the callable and array paths."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainox as bx


DT = 0.1


def test_piecewise_constant_sections_start_at_rounded_steps():
    w = bx.inputs.PiecewiseConstant([0.96, 2.0, 3.04], [5.0, -1.0, 0.0], dt=DT)
    values = np.asarray(w.sample(40))
    expected = np.zeros(40)
    expected[10:20] = 5.0  # round(0.96 / 0.1) = 10
    expected[20:30] = -1.0
    np.testing.assert_array_equal(values, expected)


def test_piecewise_constant_per_neuron_values_and_before():
    w = bx.inputs.PiecewiseConstant([1.0], [[1.0, 2.0]], dt=DT, before=-3.0)
    values = np.asarray(w.sample(12))
    assert values.shape == (12, 2)
    np.testing.assert_array_equal(values[:10], -3.0)
    np.testing.assert_array_equal(values[10:], [[1.0, 2.0]] * 2)


def test_ramp_is_linear_inside_its_window_and_zero_outside():
    w = bx.inputs.Ramp(10.0, 30.0, t_start=1.0, t_stop=3.0, dt=DT)
    values = np.asarray(w.sample(40))
    steps = np.arange(40)
    inside = (steps >= 10) & (steps < 30)
    expected = np.where(inside, 10.0 + 20.0 * (steps - 10) / 20.0, 0.0)
    np.testing.assert_allclose(values, expected, rtol=1e-6)


def test_sinusoid_matches_its_formula():
    w = bx.inputs.Sinusoid(2.0, 40.0, dt=DT, phase=0.3, offset=1.0, t_start=5.0)
    values = np.asarray(w.sample(1000))
    t = np.arange(1000) * DT
    expected = 1.0 + 2.0 * np.sin(2 * np.pi * 40.0 * (t - 5.0) / 1000.0 + 0.3)
    expected[t < 5.0 - 1e-9] = 0.0
    np.testing.assert_allclose(values, expected, atol=2e-5)


@pytest.mark.parametrize("dtype, bound", [(jnp.float32, 6.3e-3), (jnp.float64, 1e-9)])
def test_sinusoid_phase_after_long_runs_is_as_documented(dtype, bound):
    # The docstring: in float32 the value is off by up to 2 pi f t x 1e-7 of
    # the amplitude (6.3e-3 at 10 Hz after 1000 s); float64 keeps it exact.
    steps = np.array([10**5, 10**6, 10**7])
    with jax.enable_x64(dtype == jnp.float64):
        w = bx.inputs.Sinusoid(1.0, 10.0, dt=DT, phase=0.7, dtype=dtype)
        values = np.asarray(jax.vmap(w.at)(jnp.asarray(steps, jnp.int32)))
    expected = np.sin(2 * np.pi * 10.0 * steps * DT / 1000.0 + 0.7)
    errors = np.abs(values - expected)
    assert errors.max() < bound
    if dtype == jnp.float32:  # the error grows with t, as documented
        assert errors[0] < 1e-4 < errors[2]


def test_square_wave_in_float64_keeps_its_boundaries_in_long_runs():
    # The docstring: float32 moves boundaries near a step's start (206 of the
    # 10^5 steps after 1000 s at 7.3 Hz); float64 keeps every one.
    steps = np.arange(10**7 - 10**5, 10**7)
    cycles = steps * DT * 7.3 / 1000.0
    expected = np.where(cycles - np.floor(cycles) < 0.5, 1.0, 0.0)
    with jax.enable_x64(True):
        w = bx.inputs.SquareWave(1.0, 7.3, dt=DT, duty=0.5, dtype=jnp.float64)
        values = np.asarray(jax.vmap(w.at)(jnp.asarray(steps, jnp.int32)))
    w32 = bx.inputs.SquareWave(1.0, 7.3, dt=DT, duty=0.5)
    values32 = np.asarray(jax.vmap(w32.at)(jnp.asarray(steps, jnp.int32)))
    np.testing.assert_array_equal(values, expected)
    assert 100 < np.sum(values32 != expected) < 400
    # After 10 s (the docstring: 2 of 10^5 steps) the float32 wave is nearly right.
    early = np.arange(10**5, 2 * 10**5)
    cycles = early * DT * 7.3 / 1000.0
    expected = np.where(cycles - np.floor(cycles) < 0.5, 1.0, 0.0)
    values32 = np.asarray(jax.vmap(w32.at)(jnp.asarray(early, jnp.int32)))
    assert 1 <= np.sum(values32 != expected) <= 10


def test_square_wave_duty_cycle_and_period():
    # 20 Hz = 50 ms period, 25 % duty: 12.5 ms (125 steps) high per period.
    w = bx.inputs.SquareWave(3.0, 20.0, dt=DT, duty=0.25, offset=1.0)
    values = np.asarray(w.sample(2000))
    assert set(np.unique(values)) == {1.0, 4.0}
    high = values.reshape(4, 500) == 4.0
    np.testing.assert_array_equal(high.sum(axis=1), 125)
    assert high[:, :125].all()


def test_callable_and_array_paths_drive_a_neuron_identically():
    w = bx.inputs.Sinusoid(100.0, 25.0, dt=DT, offset=180.0)
    neuron = bx.LIF(1, t_ref=2.0)
    _, by_fn = bx.simulate(neuron, 100.0, dt=DT, inputs=w, monitors=["V"])
    _, by_arr = bx.simulate(neuron, 100.0, dt=DT, inputs=w.sample(1000), monitors=["V"])
    np.testing.assert_allclose(by_fn["V"], by_arr["V"], rtol=1e-6)
    assert by_fn["V"].std() > 1.0


def test_wrong_dt_is_refused_inside_jit():
    w = bx.inputs.Sinusoid(1.0, 10.0, dt=DT)
    with pytest.raises(Exception, match="built for dt = 0.1"):
        bx.simulate(bx.LIF(1), 10.0, dt=0.05, inputs=w)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: bx.inputs.PiecewiseConstant([1.0, 1.02], [1, 2], dt=DT), "increase"),
        (lambda: bx.inputs.PiecewiseConstant([1.0], [1, 2], dt=DT), "values"),
        (lambda: bx.inputs.Ramp(0, 1, t_start=2.0, t_stop=2.0, dt=DT), "empty"),
        (lambda: bx.inputs.SquareWave(1.0, 5.0, dt=DT, duty=1.5), "duty"),
        (lambda: bx.inputs.Sinusoid(1.0, -5.0, dt=DT), "frequency"),
        (lambda: bx.inputs.Sinusoid(1.0, 5.0, dt=DT, t_start=-1.0), "t_start"),
    ],
)
def test_bad_arguments_are_named(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_waveform_parameters_are_differentiable():
    def mean_drive(amplitude):
        w = bx.inputs.Sinusoid(amplitude, 50.0, dt=DT, offset=amplitude)
        return jnp.mean(w.sample(200))

    # mean of offset + amplitude sin over 200 steps = 1 whole period of 20 ms:
    # d/da = 1 + mean(sin) = 1.
    assert jax.grad(mean_drive)(2.0) == pytest.approx(1.0, abs=1e-5)
