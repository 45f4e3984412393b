"""Deterministic waveforms over time: piecewise-constant, ramp, sinusoid, square.

Each waveform is a function of the integer step, built for one step `dt`. It is
usable directly as an input of [`brainox.simulate`][] (`waveform(step, t)`) or
sampled into an array over time (`waveform.sample(n_steps)`); both give the same
values. The value during step `i` is the waveform at the start of the step,
`t = i dt`, held over the step. Section boundaries are whole steps: a time `T`
(ms) is rounded to the nearest step `round(T / dt)`.
"""

import abc
import math
from collections.abc import Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jax.core import Tracer

from .._custom_types import Array, FloatLike, Int
from .._validate import check_dt


MS_PER_S = 1000.0
"""Frequencies are in Hz, times in ms."""


def to_step(name: str, time: float | None, dt: float) -> int | None:
    """The step nearest to `time` (ms): `round(time / dt)`; `None` stays `None`."""
    if time is None:
        return None
    time = float(time)
    if not math.isfinite(time) or time < 0:
        raise ValueError(f"`{name}` must be a finite time >= 0 ms, got {time}.")
    return int(round(time / dt))


class AbstractWaveform(eqx.Module):
    """A deterministic input over time, built for steps of `dt` ms.

    Subclasses define `at(step)`, the value during a step (an integer scalar).
    Calling the waveform as `waveform(step, t)` is the form `inputs=` of
    [`brainox.simulate`][] takes; it checks that the simulation's step is the
    `dt` the waveform was built for (inside `jit` too).

    !!! example
        ```python
        drive = bx.inputs.Sinusoid(50.0, 10.0, dt=0.1, offset=200.0)
        neuron, rec = bx.simulate(bx.LIF(10), 500.0, dt=0.1, inputs=drive)
        drive.sample(5000).shape      # (5000,): the same values as an array
        ```
    """

    dt: eqx.AbstractVar[float]

    @abc.abstractmethod
    def at(self, step: Int[Array, ""]) -> Array:
        """The value during step `step` (an int32 scalar); any shape."""

    def __call__(self, step: Int[Array, ""], t: Array) -> Array:
        """The value during `step`; `t = step dt` (ms) must match the built `dt`."""
        expected = jnp.asarray(step).astype(jnp.result_type(t)) * self.dt
        step = eqx.error_if(
            step,
            jnp.abs(t - expected) > 1e-4 * self.dt + 1e-5 * jnp.abs(expected),
            f"{type(self).__name__} was built for dt = {self.dt} ms but the "
            "simulation uses another step; build it with the simulation's `dt`.",
        )
        return self.at(step)

    def sample(self, n_steps: int) -> Array:
        """The values during steps `0 .. n_steps - 1`: an array over time.

        **Arguments:**

        - `n_steps`: number of steps.

        **Returns:** an array with leading axis `n_steps`, as `inputs=` of
        [`brainox.simulate`][] takes it.
        """
        return jax.vmap(self.at)(jnp.arange(int(n_steps), dtype=jnp.int32))


def _window(step: Array, start: int, stop: int | None) -> Array:
    inside = step >= start
    return inside if stop is None else inside & (step < stop)


def _check_window(start: int, stop: int | None) -> None:
    if stop is not None and stop <= start:
        raise ValueError(
            f"the window [t_start, t_stop) is empty after rounding to steps "
            f"({start} to {stop}); give t_stop > t_start + dt."
        )


class PiecewiseConstant(AbstractWaveform):
    """A piecewise-constant input: value `values[i]` from `times[i]` on.

    Before `times[0]` the input is `before` (default 0); section `i` lasts from
    step `round(times[i] / dt)` until the next section starts (the last one
    forever). A step current from 20 to 220 ms is
    `PiecewiseConstant([20, 220], [amplitude, 0], dt=dt)`.

    **Arguments:**

    - `times`: start times of the sections (ms, >= 0, increasing; distinct after
      rounding to steps).
    - `values`: one value per section (pA for currents, Hz for rates), shape
      `(k,)` or `(k, n)` for one value per neuron.
    - `dt`: the simulation step (ms).
    - `before`: the value before the first section.

    **Returns** (when called): the section's value, shape `()` or `(n,)`.

    ??? cite "Reference"
        Brian2's `TimedArray` and NEST's `step_current_generator` define the same
        input. Stimberg, M., Brette, R. & Goodman, D. F. (2019). Brian 2, an
        intuitive and efficient neural simulator. eLife 8, e47314.

    !!! example
        ```python
        steps = bx.inputs.PiecewiseConstant([20.0, 220.0], [300.0, 0.0], dt=0.1)
        neuron, rec = bx.simulate(bx.LIF(1), 300.0, dt=0.1, inputs=steps,
                                  monitors=["V"])
        ```
    """

    starts: Array
    values: Array
    before: Array
    dt: float = eqx.field(static=True)

    def __init__(
        self,
        times: FloatLike | Sequence,
        values: FloatLike | Sequence,
        *,
        dt: float,
        before: FloatLike = 0.0,
        dtype=jnp.float32,
    ):
        self.dt = check_dt(dt)
        times_np = np.atleast_1d(np.asarray(times, np.float64))
        if times_np.ndim != 1 or times_np.size == 0:
            raise ValueError(
                f"`times` must be a non-empty 1-D list of ms, got shape "
                f"{times_np.shape}."
            )
        steps = np.array([to_step("times", t, self.dt) for t in times_np])
        if np.any(np.diff(steps) <= 0):
            raise ValueError(
                f"`times` {times_np.tolist()} must increase by at least one step "
                f"(dt = {self.dt} ms) from one section to the next."
            )
        values = jnp.asarray(values, dtype)
        if values.ndim not in (1, 2) or values.shape[0] != steps.size:
            raise ValueError(
                f"`values` has shape {values.shape}; expected ({steps.size},) or "
                f"({steps.size}, n): one value (or one per neuron) per time."
            )
        self.starts = jnp.asarray(steps, jnp.int32)
        self.values = values
        self.before = jnp.broadcast_to(jnp.asarray(before, dtype), values.shape[1:])

    def at(self, step):
        section = jnp.searchsorted(self.starts, step, side="right") - 1
        value = self.values[jnp.maximum(section, 0)]
        return jnp.where(section >= 0, value, self.before)


class Ramp(AbstractWaveform):
    """A linear ramp from `start_value` to `stop_value` over `[t_start, t_stop)`.

    During step `i` with `t_start <= i dt < t_stop` the value is
    `start_value + (stop_value - start_value) (i dt - t_start) / (t_stop - t_start)`
    (times rounded to steps); outside the window it is 0.

    **Arguments:**

    - `start_value`, `stop_value`: the values at the ends (pA, Hz, ...): scalars
      or one per neuron.
    - `t_start`, `t_stop`: the window (ms).
    - `dt`: the simulation step (ms).

    ??? cite "Reference"
        NEST's `ramp` inputs and the ramp protocols of slice electrophysiology
        (e.g. rheobase measurement): Gerstner, W. et al. (2014). Neuronal
        Dynamics, chapter 4. Cambridge University Press.

    !!! example
        ```python
        ramp = bx.inputs.Ramp(0.0, 500.0, t_start=0.0, t_stop=1000.0, dt=0.1)
        ```
    """

    start_value: Array
    stop_value: Array
    start: int = eqx.field(static=True)
    stop: int = eqx.field(static=True)
    dt: float = eqx.field(static=True)

    def __init__(
        self,
        start_value: FloatLike,
        stop_value: FloatLike,
        *,
        t_start: float,
        t_stop: float,
        dt: float,
        dtype=jnp.float32,
    ):
        self.dt = check_dt(dt)
        start = to_step("t_start", t_start, self.dt)
        stop = to_step("t_stop", t_stop, self.dt)
        assert start is not None and stop is not None
        _check_window(start, stop)
        self.start, self.stop = start, stop
        self.start_value = jnp.asarray(start_value, dtype)
        self.stop_value = jnp.asarray(stop_value, dtype)

    def at(self, step):
        fraction = (step - self.start) / (self.stop - self.start)
        fraction = fraction.astype(self.start_value.dtype)
        value = self.start_value + (self.stop_value - self.start_value) * fraction
        return jnp.where(_window(step, self.start, self.stop), value, 0.0)


class _Periodic(AbstractWaveform):
    # Shared by the periodic waveforms: amplitude, frequency, offset and window.
    amplitude: Array
    frequency: Array
    offset: Array
    start: int = eqx.field(static=True)
    stop: int | None = eqx.field(static=True)
    dt: float = eqx.field(static=True)

    def __init__(self, amplitude, frequency, dt, offset, t_start, t_stop, dtype):
        self.dt = check_dt(dt)
        start = to_step("t_start", t_start, self.dt)
        assert start is not None
        self.start = start
        self.stop = to_step("t_stop", t_stop, self.dt)
        _check_window(self.start, self.stop)
        self.amplitude = jnp.asarray(amplitude, dtype)
        self.frequency = jnp.asarray(frequency, dtype)
        if not isinstance(self.frequency, Tracer) and np.any(
            np.asarray(self.frequency) < 0
        ):
            raise ValueError(f"`frequency` must be >= 0 Hz, got {frequency}.")
        self.offset = jnp.asarray(offset, dtype)

    def cycles(self, step: Array) -> Array:
        """Periods elapsed since `t_start` at the start of `step`."""
        elapsed = (step - self.start).astype(self.frequency.dtype) * self.dt
        return elapsed * self.frequency / MS_PER_S

    def windowed(self, step: Array, value: Array) -> Array:
        return jnp.where(_window(step, self.start, self.stop), value, 0.0)


class Sinusoid(_Periodic):
    """A sinusoid `offset + amplitude sin(2 pi frequency (t - t_start) + phase)`.

    It is 0 outside `[t_start, t_stop)`; `t` is the start of each step (ms).

    **Arguments:**

    - `amplitude`: the amplitude (pA for currents, Hz for rates): a scalar or one
      value per neuron.
    - `frequency`: the frequency (Hz, >= 0).
    - `dt`: the simulation step (ms).
    - `phase`: the phase at `t_start` (radians).
    - `offset`: the mean value.
    - `t_start`, `t_stop`: the window (ms); `t_stop=None` never stops.
    - `dtype`: of the parameters and the values (default float32). The phase is
      computed from the step number in this precision, so in float32 the value
      is off by up to about `2 pi frequency t` x 1e-7 of the amplitude at time
      `t` (at 10 Hz: a few 1e-3 after 1000 s, below 1e-4 after 10 s); pass
      `jnp.float64` (with 64-bit mode on) for long runs.

    ??? cite "Reference"
        Sinusoidal drive as a probe of neural response: Brunel, N., Chance, F. S.,
        Fourcaud, N. & Abbott, L. F. (2001). Effects of synaptic noise and
        filtering on the frequency response of spiking neurons. Phys. Rev. Lett.
        86, 2186-2189.

    !!! example
        ```python
        drive = bx.inputs.Sinusoid(50.0, 10.0, dt=0.1, offset=200.0)  # pA, Hz
        ```
    """

    phase: Array

    def __init__(
        self,
        amplitude: FloatLike,
        frequency: FloatLike,
        *,
        dt: float,
        phase: FloatLike = 0.0,
        offset: FloatLike = 0.0,
        t_start: float = 0.0,
        t_stop: float | None = None,
        dtype=jnp.float32,
    ):
        super().__init__(amplitude, frequency, dt, offset, t_start, t_stop, dtype)
        self.phase = jnp.asarray(phase, dtype)

    def at(self, step):
        angle = 2 * jnp.pi * self.cycles(step) + self.phase
        return self.windowed(step, self.offset + self.amplitude * jnp.sin(angle))


class SquareWave(_Periodic):
    """A square wave (pulse train): `offset + amplitude` for the first `duty`
    fraction of each period, `offset` for the rest.

    Periods start at `t_start`; the wave is 0 outside `[t_start, t_stop)`.

    **Arguments:**

    - `amplitude`: the height of the pulses above `offset` (pA, Hz, ...).
    - `frequency`: pulses per second (Hz, >= 0).
    - `dt`: the simulation step (ms).
    - `duty`: the fraction of each period that is high (in (0, 1)).
    - `offset`: the low value.
    - `t_start`, `t_stop`: the window (ms); `t_stop=None` never stops.
    - `dtype`: of the parameters and the values (default float32). The cycle
      count is computed from the step number in this precision (relative error
      about 1e-7), so a period boundary that falls close to the start of a
      step can move by one step: at 7.3 Hz and dt = 0.1 ms, 2 of the 10^5
      steps after 10 s differ from float64, 206 of those after 1000 s. Pass
      `jnp.float64` (with 64-bit mode on) for long runs.

    ??? cite "Reference"
        Pulse trains as in NEST's `ac_generator`/`step_current_generator`
        protocols; Gerstner, W. et al. (2014). Neuronal Dynamics, chapter 1.

    !!! example
        ```python
        pulses = bx.inputs.SquareWave(300.0, 5.0, dt=0.1, duty=0.2)  # 40 ms on
        ```
    """

    duty: Array

    def __init__(
        self,
        amplitude: FloatLike,
        frequency: FloatLike,
        *,
        dt: float,
        duty: FloatLike = 0.5,
        offset: FloatLike = 0.0,
        t_start: float = 0.0,
        t_stop: float | None = None,
        dtype=jnp.float32,
    ):
        super().__init__(amplitude, frequency, dt, offset, t_start, t_stop, dtype)
        self.duty = jnp.asarray(duty, dtype)
        if not isinstance(self.duty, Tracer) and not (
            np.all(np.asarray(self.duty) > 0) and np.all(np.asarray(self.duty) < 1)
        ):
            raise ValueError(f"`duty` must be in (0, 1), got {duty}.")

    def at(self, step):
        cycles = self.cycles(step)
        high = (cycles - jnp.floor(cycles)) < self.duty
        value = self.offset + jnp.where(high, self.amplitude, 0.0)
        return self.windowed(step, value)
