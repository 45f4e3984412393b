"""Cross- and auto-correlograms of spike trains."""

import numpy as np

from ._spikes import TrainLike


def cross_correlogram(
    a: TrainLike,
    b: TrainLike,
    *,
    bin_ms: float = 1.0,
    max_lag: float = 50.0,
    exclude_zero: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """The histogram of time differences `t_b - t_a` between two spike trains.

    Counts every pair `(i, j)` with `|b_j - a_i| <= max_lag + bin_ms / 2` in bins
    of `bin_ms` centred on the lags `k bin_ms`. A pair exactly on the edge
    between two bins (a lag of `(k + 1/2) bin_ms`, to 1e-9 relative) counts
    half in each, so that spike times on a simulation's grid (where many pairs
    fall on the edges when `dt` divides `bin_ms / 2`) give a flat correlogram
    for uncorrelated trains, symmetric for an autocorrelogram. A peak at a
    positive lag means that `b` tends to fire after `a`.

    **Arguments:**

    - `a`, `b`: spike times (ms), 1-D (e.g. `bx.analysis.spike_trains(...)[i]`).
    - `bin_ms`: the bin width (ms).
    - `max_lag`: the largest lag (ms), rounded to whole bins.
    - `exclude_zero`: leave out pairs at exactly zero lag (for an
      autocorrelogram, `a` is `b`).

    **Returns:** `(lags, counts)`: bin centres (ms) from `-max_lag` to `max_lag`
    and pair counts (float64: whole numbers, or halves from pairs on edges).

    ??? cite "Reference"
        Perkel, D. H., Gerstein, G. L. & Moore, G. P. (1967). Neuronal spike
        trains and stochastic point processes. II. Simultaneous spike trains.
        Biophys. J. 7, 419-440.

    !!! example
        ```python
        trains = bx.analysis.spike_trains(rec["exc"], n=100)
        lags, counts = bx.analysis.cross_correlogram(trains[0], trains[1])
        ```
    """
    a = np.sort(np.asarray(a, np.float64).reshape(-1))
    b = np.sort(np.asarray(b, np.float64).reshape(-1))
    if not bin_ms > 0 or not max_lag >= 0:
        raise ValueError(f"need bin_ms > 0 and max_lag >= 0, got {bin_ms}, {max_lag}.")
    k = int(round(max_lag / bin_ms))
    reach = (k + 0.5) * bin_ms
    lo = np.searchsorted(b, a - reach, side="left")
    hi = np.searchsorted(b, a + reach, side="right")
    owners = np.repeat(np.arange(a.size), hi - lo)
    offsets = np.arange(owners.size) - np.repeat(
        np.cumsum(hi - lo) - (hi - lo), hi - lo
    )
    diff = b[lo[owners] + offsets] - a[owners]
    if exclude_zero:
        diff = diff[diff != 0]
    lag = diff / bin_ms
    below = np.floor(lag)
    # A pair on the edge between two bins (a lag of (j + 1/2) bin_ms, to 1e-9)
    # counts half in each: with spikes on a time grid whose step divides
    # bin_ms / 2, every edge holds pairs, and any one-sided rule would fill
    # every other bin.
    edge = np.abs(lag - below - 0.5) <= 1e-9 * np.maximum(1.0, np.abs(lag))
    nearest = np.where(lag - below < 0.5, below, below + 1)
    counts = _histogram(nearest[~edge], 1.0, k)
    counts += _histogram(below[edge], 0.5, k) + _histogram(below[edge] + 1, 0.5, k)
    return np.arange(-k, k + 1) * bin_ms, counts


def _histogram(lags: np.ndarray, weight: float, k: int) -> np.ndarray:
    """`weight` times the number of entries of `lags` at each of -k ... k."""
    bins = lags.astype(np.int64) + k
    keep = (bins >= 0) & (bins <= 2 * k)
    return weight * np.bincount(bins[keep], minlength=2 * k + 1).astype(np.float64)


def autocorrelogram(
    a: TrainLike, *, bin_ms: float = 1.0, max_lag: float = 50.0
) -> tuple[np.ndarray, np.ndarray]:
    """The cross-correlogram of a spike train with itself, without zero-lag self pairs.

    **Arguments:**

    - `a`: spike times (ms), 1-D.
    - `bin_ms`, `max_lag`: as in [`brainox.analysis.cross_correlogram`][].

    **Returns:** `(lags, counts)`, symmetric about 0.

    !!! example
        ```python
        lags, counts = bx.analysis.autocorrelogram(trains[0], max_lag=100.0)
        ```
    """
    return cross_correlogram(a, a, bin_ms=bin_ms, max_lag=max_lag, exclude_zero=True)
