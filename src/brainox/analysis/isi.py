"""Inter-spike intervals: their distribution and irregularity (CV)."""

import numpy as np

from ._spikes import Spikes, flatten, trains, window


def isis(
    spikes: Spikes, *, n: int | None = None, dt: float | None = None, start: float = 0.0
) -> list[np.ndarray]:
    """The inter-spike intervals of each neuron (ms), from spikes after `start`.

    **Arguments:**

    - `spikes`: [`brainox.SpikeEvents`][], a dense `(n_steps, n)` raster (with
      `dt`), or a list of per-neuron spike-time arrays (ms).
    - `n`: the number of neurons (default: from the spikes).
    - `dt`: the step (ms), for a raster.
    - `start`: ignore spikes at or before this time (ms).

    **Returns:** a list of `n` arrays of intervals (ms), in order.

    !!! example
        ```python
        intervals = bx.analysis.isis(rec["exc"], n=400)
        ```
    """
    flat = window(flatten(spikes, n=n, dt=dt), start, None)
    return [np.diff(t) for t in trains(flat)]


def isi_histogram(
    spikes: Spikes,
    *,
    bins: int = 50,
    max_isi: float | None = None,
    n: int | None = None,
    dt: float | None = None,
    start: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """The distribution of inter-spike intervals pooled over neurons.

    **Arguments:**

    - `spikes`: any recorded form of spikes (see [`brainox.analysis.isis`][]).
    - `bins`: number of bins.
    - `max_isi`: the upper edge (ms; default: the largest interval).
    - `n`, `dt`, `start`: as in [`brainox.analysis.isis`][].

    **Returns:** `(density, edges)`: the probability density (1/ms, integrating
    to 1 over the bins) and the `bins + 1` edges (ms), starting at 0.

    !!! example
        ```python
        density, edges = bx.analysis.isi_histogram(rec["exc"], bins=100)
        ```
    """
    pooled = np.concatenate(isis(spikes, n=n, dt=dt, start=start) or [np.zeros(0)])
    if pooled.size == 0:
        raise ValueError("there are no inter-spike intervals (no neuron spiked twice).")
    top = float(pooled.max()) if max_isi is None else float(max_isi)
    density, edges = np.histogram(pooled, bins=bins, range=(0.0, top), density=True)
    return density, edges


def cv_isi(
    spikes: Spikes,
    *,
    start: float = 0.0,
    min_spikes: int = 3,
    n: int | None = None,
    dt: float | None = None,
    per_neuron: bool = False,
) -> float | np.ndarray:
    """The coefficient of variation of the inter-spike intervals.

    For each neuron with at least `min_spikes` spikes after `start` (ms), the CV
    is the standard deviation of its intervals over their mean. A Poisson
    process has CV 1, a regular (clock-like) train CV 0.

    **Arguments:**

    - `spikes`: any recorded form of spikes (see [`brainox.analysis.isis`][]).
    - `start`: ignore spikes at or before this time (ms).
    - `min_spikes`: neurons with fewer spikes are left out (>= 3: two intervals).
    - `n`, `dt`: as in [`brainox.analysis.isis`][].
    - `per_neuron`: return every neuron's CV (NaN where left out) instead of
      the mean.

    **Returns:** the mean CV over the neurons kept (NaN if none), or an array of
    `n` CVs with `per_neuron=True`.

    ??? cite "Reference"
        Softky, W. R. & Koch, C. (1993). The highly irregular firing of cortical
        cells is inconsistent with temporal integration of random EPSPs. J.
        Neurosci. 13, 334-350.

    !!! example
        ```python
        bx.analysis.cv_isi(rec["exc"], start=200.0)     # about 1 if irregular
        ```
    """
    if min_spikes < 3:
        raise ValueError(
            f"`min_spikes` must be >= 3 (two intervals), got {min_spikes}."
        )
    intervals = isis(spikes, n=n, dt=dt, start=start)
    cvs = np.array(
        [
            np.std(x) / np.mean(x) if x.size >= min_spikes - 1 else np.nan
            for x in intervals
        ],
        np.float64,
    )
    if per_neuron:
        return cvs
    kept = cvs[~np.isnan(cvs)]
    return float(np.mean(kept)) if kept.size else float("nan")
