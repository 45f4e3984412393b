"""A population that emits spikes at given times."""

from collections.abc import Sequence

import equinox as eqx
import jax.numpy as jnp
import numpy as np

from .._custom_types import Array, ArrayLike, PyTree
from .._state import ShortTerm
from .._validate import check_built_dt, check_dt, check_size


class SpikeGenerator(eqx.Module):
    """A population of `n` sources that spike at given times.

    Each spike `(indices[k], times[k])` is assigned to a whole step: the one that
    ends at the grid time nearest to it, step `s = round(times[k] / dt) - 1`, so
    that [`brainox.simulate`][] records it at `(s + 1) dt`, the time rounded to
    the nearest multiple of `dt`. A spike that rounds to time 0 (before the end
    of the first step) is refused.

    Several spikes of one source that land in the same step are refused unless
    `allow_multiple=True`; then `spike` holds their number for that step (a
    projection delivers `count x weight`), and a spike recording
    ([`brainox.SpikeEvents`][]) shows one event for them.

    The generator counts its steps in a `ShortTerm` state, so
    [`brainox.reset`][] replays the spikes from the start. Each step reads only
    the spikes of that step (at most the largest number of spikes in one step),
    not the whole list.

    **Arguments:**

    - `n`: number of sources.
    - `indices`: the source of each spike (ints in `[0, n)`).
    - `times`: the time of each spike (ms, > dt / 2; halves round to even).
    - `dt`: the simulation step (ms).
    - `allow_multiple`: allow several spikes of a source in one step.
    - `dtype`: floating dtype of the spikes.

    ??? cite "Reference"
        Brian2's `SpikeGeneratorGroup` and NEST's `spike_generator` define the
        same source. Stimberg, M., Brette, R. & Goodman, D. F. (2019). Brian 2,
        an intuitive and efficient neural simulator. eLife 8, e47314.

    !!! example
        ```python
        gen = bx.inputs.SpikeGenerator(2, [0, 1, 0], [1.0, 2.5, 7.3], dt=0.1)
        gen, rec = bx.simulate(gen, 10.0, dt=0.1, spikes={"g": "spike"})
        rec["g"].time     # [1.0, 2.5, 7.3] (to float32 rounding)
        ```
    """

    spike: ShortTerm
    steps_done: ShortTerm
    event_step: Array
    event_index: Array
    max_per_step: int = eqx.field(static=True)
    dt: float = eqx.field(static=True)

    def __init__(
        self,
        n: int,
        indices: ArrayLike | Sequence,
        times: ArrayLike | Sequence,
        *,
        dt: float,
        allow_multiple: bool = False,
        dtype=jnp.float32,
    ):
        n = check_size("n", n)
        self.dt = check_dt(dt)
        index = np.asarray(indices).reshape(-1)
        time = np.asarray(times, np.float64).reshape(-1)
        if index.shape != time.shape:
            raise ValueError(
                f"`indices` ({index.size}) and `times` ({time.size}) must have one "
                "entry per spike."
            )
        if index.size and (
            not np.issubdtype(index.dtype, np.integer)
            or index.min() < 0
            or index.max() >= n
        ):
            raise ValueError(
                f"`indices` must be integers in [0, {n}), got values from "
                f"{index.min()} to {index.max()}."
            )
        if not np.all(np.isfinite(time)):
            raise ValueError("`times` must be finite (ms).")
        step = np.round(time / self.dt).astype(np.int64) - 1
        if np.any(step < 0):
            early = time[step < 0].min()
            raise ValueError(
                f"a spike at {early} ms rounds to time 0, before the end of the "
                f"first step (dt = {self.dt} ms); spike times must be > dt / 2 (a "
                "time on a half step rounds to the even step: dt / 2 to 0)."
            )
        order = np.lexsort((index, step))
        step, index = step[order], index[order]
        repeated = (step[1:] == step[:-1]) & (index[1:] == index[:-1])
        if repeated.any() and not allow_multiple:
            k = int(np.flatnonzero(repeated)[0])
            raise ValueError(
                f"source {index[k]} has several spikes in the step ending at "
                f"{(step[k] + 1) * self.dt:g} ms (dt = {self.dt} ms); use a "
                "smaller dt, or pass allow_multiple=True to sum them into one "
                "step's spike count."
            )
        self.max_per_step = int(np.bincount(step).max()) if step.size else 0
        self.event_step = jnp.asarray(step, jnp.int32)
        self.event_index = jnp.asarray(index, jnp.int32)
        self.spike = ShortTerm(jnp.zeros(n, dtype))
        self.steps_done = ShortTerm(jnp.zeros((), jnp.int32))

    @property
    def size(self) -> int:
        """Number of sources."""
        return self.spike.value.shape[-1]

    def step(self, x: PyTree, dt: float) -> "SpikeGenerator":
        """Emit the spikes of this step; `x` must be `None`.

        **Arguments:**

        - `x`: `None` (a spike source takes no input).
        - `dt`: the step (ms); it must be the `dt` the generator was built for.

        **Returns:** the generator with this step's spikes (counts) in `spike`.
        """
        if x is not None:
            raise ValueError(
                "SpikeGenerator takes no input, but `step` received "
                f"{type(x).__name__}; do not target it with projections or inputs."
            )
        check_built_dt("SpikeGenerator", self.dt, dt)
        now = self.steps_done.value
        spike = jnp.zeros_like(self.spike.value)
        if self.max_per_step:
            first = jnp.searchsorted(self.event_step, now, side="left")
            slots = first + jnp.arange(self.max_per_step)
            safe = jnp.minimum(slots, self.event_step.size - 1)
            here = (slots < self.event_step.size) & (self.event_step[safe] == now)
            spike = spike.at[self.event_index[safe]].add(here.astype(spike.dtype))
        return eqx.tree_at(
            lambda g: (g.spike, g.steps_done),
            self,
            (self.spike.replace(spike), self.steps_done.replace(now + 1)),
        )
