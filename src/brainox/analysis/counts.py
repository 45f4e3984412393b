"""Spike counts in windows: their variability (Fano factor) and correlations."""

import numpy as np

from ._spikes import Spikes, flatten, resolve_duration, window
from .rates import binned_counts, check_bin_ms


def spike_counts(
    spikes: Spikes,
    n: int | None = None,
    duration: float | None = None,
    *,
    bin_ms: float,
    start: float = 0.0,
    dt: float | None = None,
) -> np.ndarray:
    """Spike counts of each neuron in consecutive windows of `bin_ms`.

    Window `k` covers `(start + k bin_ms, start + (k + 1) bin_ms]`; a last
    partial window is dropped.

    **Arguments:**

    - `spikes`: [`brainox.SpikeEvents`][], a dense `(n_steps, n)` raster (with
      `dt`), or a list of per-neuron spike-time arrays (ms).
    - `n`: the number of neurons (default: from the spikes).
    - `duration`: the recording's length (ms; default: a raster's length).
    - `bin_ms`: the window (ms).
    - `start`: where the first window begins (ms).
    - `dt`: the step (ms), for a raster.

    **Returns:** a `(n_windows, n)` int64 array.

    !!! example
        ```python
        counts = bx.analysis.spike_counts(rec["exc"], 400, 1000.0, bin_ms=50.0)
        ```
    """
    flat = flatten(spikes, n=n, dt=dt)
    duration = resolve_duration(flat, duration)
    check_bin_ms(bin_ms)
    flat = window(flat, start, duration)
    shifted = flat._replace(time=flat.time - start)
    # Whole windows, to 1e-9 relative: 1000 ms in windows of 0.1 ms is 10000
    # of them (the float quotient 1000 // 0.1 is 9999).
    n_windows = int(np.floor((duration - start) / bin_ms * (1 + 1e-9)))
    return binned_counts(shifted, n_windows * bin_ms, bin_ms)


def fano_factor(
    spikes: Spikes,
    n: int | None = None,
    duration: float | None = None,
    *,
    bin_ms: float,
    start: float = 0.0,
    dt: float | None = None,
    per_neuron: bool = False,
) -> float | np.ndarray:
    """The Fano factor of spike counts: their variance over their mean.

    Counts of each neuron in windows of `bin_ms` (see
    [`brainox.analysis.spike_counts`][]); the Fano factor of a neuron is the
    variance of its counts (ddof 1) over their mean. A Poisson process has Fano
    factor 1 for any window, a regular train close to 0.

    **Arguments:**

    - `spikes`, `n`, `duration`, `bin_ms`, `start`, `dt`: as in
      [`brainox.analysis.spike_counts`][].
    - `per_neuron`: return every neuron's value (NaN for silent ones) instead
      of the mean over active neurons.

    **Returns:** the mean Fano factor over neurons that spiked, or an array.

    ??? cite "Reference"
        Fano, U. (1947). Ionization yield of radiations. II. The fluctuations of
        the number of ions. Phys. Rev. 72, 26-29.

    !!! example
        ```python
        bx.analysis.fano_factor(rec["exc"], 400, 2000.0, bin_ms=100.0)
        ```
    """
    counts = spike_counts(spikes, n, duration, bin_ms=bin_ms, start=start, dt=dt)
    if counts.shape[0] < 2:
        raise ValueError(
            f"a Fano factor needs at least two windows; `bin_ms` ({bin_ms}) is too "
            "long for the recording."
        )
    mean = counts.mean(axis=0)
    var = counts.var(axis=0, ddof=1)
    fano = np.where(mean > 0, var / np.where(mean > 0, mean, 1.0), np.nan)
    if per_neuron:
        return fano
    kept = fano[~np.isnan(fano)]
    return float(np.mean(kept)) if kept.size else float("nan")


def count_correlation(
    spikes: Spikes,
    n: int | None = None,
    duration: float | None = None,
    *,
    bin_ms: float,
    start: float = 0.0,
    dt: float | None = None,
) -> np.ndarray:
    """Pearson correlations of the spike counts of every pair of neurons.

    **Arguments:**

    - `spikes`, `n`, `duration`, `bin_ms`, `start`, `dt`: as in
      [`brainox.analysis.spike_counts`][].

    **Returns:** an `(n, n)` matrix of correlation coefficients; rows and columns
    of neurons whose count never varies are NaN. The mean pairwise correlation
    is the mean of its off-diagonal entries (`np.nanmean`).

    ??? cite "Reference"
        Cohen, M. R. & Kohn, A. (2011). Measuring and interpreting neuronal
        correlations. Nat. Neurosci. 14, 811-819.

    !!! example
        ```python
        c = bx.analysis.count_correlation(rec["exc"], 100, 2000.0, bin_ms=50.0)
        mean_r = np.nanmean(c[~np.eye(100, dtype=bool)])
        ```
    """
    counts = spike_counts(spikes, n, duration, bin_ms=bin_ms, start=start, dt=dt)
    x = counts - counts.mean(axis=0)
    sd = np.sqrt((x * x).sum(axis=0))
    safe = np.where(sd > 0, sd, np.nan)
    return (x.T @ x) / np.outer(safe, safe)
