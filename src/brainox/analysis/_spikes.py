"""One reading of every form of recorded spikes: times, owners and population size.

The analysis functions accept:

- [`brainox.SpikeEvents`][] (from `simulate(..., spikes=...)`);
- a dense raster: a `(n_steps, n)` array (boolean or 0/1, or spike counts), as
  recorded by a monitor of `spike`; with the step `dt` (ms), a spike during
  step `s` is at the end of the step, `(s + 1) dt`, as in `SpikeEvents`;
- a sequence of per-neuron arrays of spike times (ms).
"""

from collections.abc import Sequence
from typing import Any, NamedTuple, TypeAlias

import numpy as np

from .._custom_types import ArrayLike
from .._run import SpikeEvents


TrainLike: TypeAlias = ArrayLike | Sequence[float]
"""One spike train: spike times (ms), an array or a list."""

Spikes = Any
"""`SpikeEvents`, a dense `(n_steps, n)` raster (with `dt`), or a sequence of
per-neuron spike-time arrays (ms)."""


class Flat(NamedTuple):
    """Spikes as one list: `time` (ms, float64) and `index` (int), plus the
    population size `n` and, for rasters, the recorded duration (ms)."""

    time: np.ndarray
    index: np.ndarray
    n: int
    duration: float | None


def flatten(spikes: Spikes, *, n: int | None = None, dt: float | None = None) -> Flat:
    """Read any form of spikes (see the module docstring) into a `Flat`."""
    n = None if n is None else _check_n(n)
    duration = None
    if isinstance(spikes, SpikeEvents):
        time = np.asarray(spikes.time, np.float64)
        index = np.asarray(spikes.index, np.int64)
    elif _is_raster(spikes):
        counts = _raster_counts(np.asarray(spikes))
        if dt is None:
            raise ValueError(
                "a dense spike raster needs the step: pass `dt=` (ms), the dt "
                "of the simulation."
            )
        if n is not None and n != counts.shape[1]:
            raise ValueError(
                f"`n` is {n} but the raster has {counts.shape[1]} neurons "
                f"(shape {counts.shape}); leave `n` out for a raster."
            )
        step, index = np.nonzero(counts)
        repeat = np.asarray(counts[step, index], np.int64)
        step, index = np.repeat(step, repeat), np.repeat(index, repeat)
        time = (step + 1) * float(dt)
        duration = counts.shape[0] * float(dt)
        n = counts.shape[1]
    elif isinstance(spikes, Sequence):
        if len(spikes) and all(np.ndim(t) == 0 for t in spikes):
            raise ValueError(
                f"`spikes` is a list of {len(spikes)} numbers: pass one list of "
                "spike times per neuron, e.g. `[times]` for a single train."
            )
        trains = [np.asarray(t, np.float64).reshape(-1) for t in spikes]
        time = np.concatenate(trains) if trains else np.zeros(0)
        index = np.repeat(np.arange(len(trains)), [t.size for t in trains])
        if n is None:
            n = len(trains)
    else:
        raise TypeError(
            f"spikes of type {type(spikes).__name__} are not understood; pass "
            "bx.SpikeEvents, a (n_steps, n) raster with dt=, or a list of "
            "per-neuron spike-time arrays (ms)."
        )
    if not np.all(np.isfinite(time)):
        raise ValueError(
            f"`spikes` holds {int(np.sum(~np.isfinite(time)))} spike times that "
            "are NaN or inf; spike times must be finite (ms)."
        )
    if n is None:
        n = int(index.max()) + 1 if index.size else 0
    if index.size and index.max() >= n:
        raise ValueError(
            f"a spike belongs to neuron {int(index.max())} but `n` is {n}; pass "
            "the population size as `n=`."
        )
    return Flat(time, index, int(n), duration)


def _check_n(n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(
            f"`n`, the number of neurons, must be an integer >= 0, got {n!r} "
            "(check the order of the arguments: most functions take "
            "`(spikes, n, duration)`, `firing_rates` takes `(spikes, duration)`)."
        )
    return int(n)


def _raster_counts(raster: np.ndarray) -> np.ndarray:
    """A raster's spike counts per step and neuron, `(n_steps, n)`, checked."""
    if raster.ndim != 2:
        raise ValueError(
            f"a spike raster must be 2-D, (n_steps, n), got shape {raster.shape}; "
            "for one neuron's raster pass `raster[:, None]`, for one train of "
            "spike times pass `[times]`."
        )
    if raster.dtype == bool:
        return raster
    bad = ~np.isfinite(raster) | (raster < 0) | (raster != np.round(raster))
    if np.any(bad):
        raise ValueError(
            "a spike raster holds spike counts per step (0/1, booleans or whole "
            f"numbers >= 0), but `spikes` holds {int(np.sum(bad))} other values "
            f"(e.g. {raster[bad].flat[0].item()!r})."
        )
    return raster.astype(np.int64)


def _is_raster(x: Any) -> bool:
    # Arrays (numpy or JAX) are rasters; lists and tuples are spike-time lists.
    return hasattr(x, "ndim") and hasattr(x, "dtype")


def window(flat: Flat, start: float, stop: float | None) -> Flat:
    """The spikes with `start < time <= stop` (ms)."""
    keep = flat.time > start
    if stop is not None:
        keep &= flat.time <= stop
    return Flat(flat.time[keep], flat.index[keep], flat.n, flat.duration)


def resolve_duration(flat: Flat, duration: float | None) -> float:
    """The recording's duration (ms): given, else a raster's length."""
    if duration is None:
        if flat.duration is None:
            raise ValueError(
                "pass `duration=` (ms): spike events and spike-time lists do not "
                "record how long the simulation ran."
            )
        duration = flat.duration
    duration = float(duration)
    if not duration > 0:
        raise ValueError(f"`duration` must be > 0 ms, got {duration}.")
    return duration


def trains(flat: Flat) -> list[np.ndarray]:
    """Per-neuron sorted spike times (ms)."""
    order = np.lexsort((flat.time, flat.index))
    time, index = flat.time[order], flat.index[order]
    bounds = np.searchsorted(index, np.arange(flat.n + 1))
    return [time[bounds[i] : bounds[i + 1]] for i in range(flat.n)]


def spike_trains(
    spikes: Spikes, *, n: int | None = None, dt: float | None = None
) -> list[np.ndarray]:
    """Per-neuron spike times (ms, sorted), from any recorded form of spikes.

    **Arguments:**

    - `spikes`: [`brainox.SpikeEvents`][], a dense `(n_steps, n)` raster, or a
      sequence of per-neuron spike-time arrays.
    - `n`: the population size (default: the raster's width, the list's length,
      or one more than the largest index).
    - `dt`: the step (ms), needed for a raster (a spike during step `s` is at
      `(s + 1) dt`).

    **Returns:** a list of `n` float64 arrays of spike times (ms).

    !!! example
        ```python
        trains = bx.analysis.spike_trains(rec["exc"], n=400)
        trains[3]          # spike times of neuron 3, ms
        ```
    """
    return trains(flatten(spikes, n=n, dt=dt))
