"""Firing rates: per neuron, over time, and of a population, with smoothing kernels."""

import numpy as np

from ._spikes import Spikes, flatten, resolve_duration, window


MS_PER_S = 1000.0

KERNELS = ("box", "gaussian", "exponential")
"""The smoothing kernels of [`brainox.analysis.smooth`][]."""


def firing_rates(
    spikes: Spikes,
    duration: float | None = None,
    *,
    n: int | None = None,
    dt: float | None = None,
    start: float = 0.0,
) -> np.ndarray:
    """The mean firing rate of each neuron (Hz) over `(start, duration]` ms.

    **Arguments:**

    - `spikes`: [`brainox.SpikeEvents`][], a dense `(n_steps, n)` raster (with
      `dt`), or a list of per-neuron spike-time arrays (ms).
    - `duration`: the end of the window (ms; default: a raster's length).
    - `n`: the number of neurons (default: from the spikes).
    - `dt`: the step (ms), for a raster.
    - `start`: ignore spikes at or before this time (ms), e.g. a transient.

    **Returns:** a float64 array of `n` rates (Hz).

    !!! example
        ```python
        rates = bx.analysis.firing_rates(rec["exc"], 1000.0, n=3200)
        rates.mean()        # the population's mean rate, Hz
        ```
    """
    flat = flatten(spikes, n=n, dt=dt)
    duration = resolve_duration(flat, duration)
    if not duration > start:
        raise ValueError(
            f"`duration` ({duration} ms) must exceed `start` ({start} ms)."
        )
    flat = window(flat, start, duration)
    counts = np.bincount(flat.index, minlength=flat.n)
    return counts / ((duration - start) / MS_PER_S)


def check_bin_ms(bin_ms: float) -> float:
    """Refuse a bin of `bin_ms <= 0` (ms) by name."""
    if not bin_ms > 0:
        raise ValueError(f"`bin_ms` must be > 0 ms, got {bin_ms}.")
    return bin_ms


def kernel_weights(kernel: str, width: float, bin_ms: float) -> tuple[np.ndarray, int]:
    """A kernel sampled on bins of `bin_ms`, summing to 1, and its centre bin.

    - `"box"`: flat over `width` ms (rounded to whole bins, at least one),
      centred;
    - `"gaussian"`: standard deviation `width` ms, truncated at 4 standard
      deviations, centred;
    - `"exponential"`: causal, `exp(-t / width)` for `t >= 0` (time constant
      `width` ms), truncated at 8 time constants.
    """
    if kernel not in KERNELS:
        raise ValueError(f"`kernel` must be one of {KERNELS}, got {kernel!r}.")
    check_bin_ms(bin_ms)
    if not width > 0:
        raise ValueError(f"`width` must be > 0 ms, got {width}.")
    if kernel == "box":
        half = max(int(round(width / bin_ms)), 1) // 2
        size = max(int(round(width / bin_ms)), 1)
        return np.full(size, 1.0 / size), half
    if kernel == "gaussian":
        half = max(int(np.ceil(4 * width / bin_ms)), 1)
        t = np.arange(-half, half + 1) * bin_ms
        w = np.exp(-0.5 * (t / width) ** 2)
        return w / w.sum(), half
    t = np.arange(max(int(np.ceil(8 * width / bin_ms)), 1) + 1) * bin_ms
    w = np.exp(-t / width)
    return w / w.sum(), 0


def smooth(
    signal: np.ndarray, *, kernel: str, width: float, bin_ms: float
) -> np.ndarray:
    """Convolve a binned signal with a normalised kernel along its first axis.

    The kernel sums to one, so a constant rate stays constant (away from the
    edges, where the signal is taken as zero outside the recording).

    **Arguments:**

    - `signal`: binned values, time along the first axis (e.g. a rate in Hz).
    - `kernel`: `"box"` (width = full width), `"gaussian"` (width = standard
      deviation) or `"exponential"` (causal, width = time constant).
    - `width`: the kernel's width (ms).
    - `bin_ms`: the bin size of `signal` (ms).

    **Returns:** the smoothed signal, of the same shape.

    ??? cite "Reference"
        Dayan, P. & Abbott, L. F. (2001). Theoretical Neuroscience, section 1.2
        (window functions for the firing rate). MIT Press.

    !!! example
        ```python
        rate = bx.analysis.population_rate(rec["exc"], 3200, 1000.0, bin_ms=0.5)
        smooth = bx.analysis.smooth(rate, kernel="gaussian", width=2.0, bin_ms=0.5)
        ```
    """
    x = np.asarray(signal, np.float64)
    if x.ndim == 0:
        raise ValueError(
            "`signal` must have time along its first axis, got a scalar; pass "
            "an array of binned values."
        )
    w, centre = kernel_weights(kernel, width, bin_ms)
    flat = x.reshape(x.shape[0], -1)
    out = np.empty_like(flat)
    for j in range(flat.shape[1]):
        full = np.convolve(flat[:, j], w)
        out[:, j] = full[centre : centre + x.shape[0]]
    return out.reshape(x.shape)


def bin_index(time: np.ndarray, bin_ms: float) -> np.ndarray:
    """The bin `k` with `k bin_ms < time <= (k + 1) bin_ms` (to 1e-9 relative).

    Spikes are stamped at the end of their step, so a spike at exactly
    `(k + 1) bin_ms` belongs to bin `k`; the tolerance absorbs the rounding of
    `(s + 1) dt` in floating point.
    """
    return (np.ceil(np.asarray(time) / bin_ms - 1e-9) - 1).astype(np.int64)


def _n_bins(duration: float, bin_ms: float) -> int:
    check_bin_ms(bin_ms)
    n_bins = int(round(duration / bin_ms))
    if n_bins < 1:
        raise ValueError(f"`bin_ms` ({bin_ms}) exceeds the duration ({duration} ms).")
    return n_bins


def binned_counts(flat, duration: float, bin_ms: float) -> np.ndarray:
    """Spike counts per bin and neuron, `(round(duration / bin_ms), n)` int64."""
    n_bins = _n_bins(duration, bin_ms)
    b = bin_index(flat.time, bin_ms)
    keep = (b >= 0) & (b < n_bins)
    flat_bins = b[keep] * flat.n + flat.index[keep]
    counts = np.bincount(flat_bins, minlength=n_bins * flat.n)
    return counts.reshape(n_bins, flat.n)


def rate_traces(
    spikes: Spikes,
    n: int | None = None,
    duration: float | None = None,
    *,
    bin_ms: float = 1.0,
    kernel: str | None = None,
    width: float | None = None,
    dt: float | None = None,
) -> np.ndarray:
    """Time-resolved firing rate of each neuron (Hz), binned and optionally smoothed.

    Bin `k` covers `(k bin_ms, (k + 1) bin_ms]` of `[0, duration]`.

    **Arguments:**

    - `spikes`: any recorded form of spikes (see [`brainox.analysis.firing_rates`][]).
    - `n`: the number of neurons (default: from the spikes).
    - `duration`: the recording's length (ms; default: a raster's length).
    - `bin_ms`: the bin size (ms).
    - `kernel`, `width`: smoothing (see [`brainox.analysis.smooth`][]); none by
      default.
    - `dt`: the step (ms), for a raster.

    **Returns:** a `(n_bins, n)` float64 array of rates (Hz).

    !!! example
        ```python
        r = bx.analysis.rate_traces(rec["exc"], 100, 1000.0, bin_ms=1.0,
                                    kernel="gaussian", width=10.0)
        ```
    """
    flat = flatten(spikes, n=n, dt=dt)
    duration = resolve_duration(flat, duration)
    rate = binned_counts(flat, duration, bin_ms) / (bin_ms / MS_PER_S)
    if kernel is not None:
        rate = smooth(rate, kernel=kernel, width=_width(width), bin_ms=bin_ms)
    return rate


def population_rate(
    spikes: Spikes,
    n: int | None = None,
    duration: float | None = None,
    *,
    bin_ms: float = 1.0,
    kernel: str | None = None,
    width: float | None = None,
    dt: float | None = None,
) -> np.ndarray:
    """The population rate (Hz per neuron) over time, binned and optionally smoothed.

    The number of spikes of all `n` neurons in each bin of `bin_ms` over
    `[0, duration]`, divided by `n` and the bin length: the mean rate of the
    population over time (bin `k` covers `(k bin_ms, (k + 1) bin_ms]`).

    **Arguments:**

    - `spikes`: any recorded form of spikes (see [`brainox.analysis.firing_rates`][]).
    - `n`: the population size (default: from the spikes).
    - `duration`: the recording's length (ms; default: a raster's length).
    - `bin_ms`: the bin size (ms).
    - `kernel`, `width`: smoothing (see [`brainox.analysis.smooth`][]); none by
      default.
    - `dt`: the step (ms), for a raster.

    **Returns:** a float64 array of `round(duration / bin_ms)` rates (Hz).

    !!! example
        ```python
        rate = bx.analysis.population_rate(rec["exc"], 3200, 1000.0, bin_ms=1.0)
        ```
    """
    flat = flatten(spikes, n=n, dt=dt)
    duration = resolve_duration(flat, duration)
    if flat.n < 1:
        raise ValueError("the population is empty: pass its size as `n=`.")
    n_bins = _n_bins(duration, bin_ms)
    b = bin_index(flat.time, bin_ms)
    counts = np.bincount(b[(b >= 0) & (b < n_bins)], minlength=n_bins)
    rate = counts / flat.n / (bin_ms / MS_PER_S)
    if kernel is not None:
        rate = smooth(rate, kernel=kernel, width=_width(width), bin_ms=bin_ms)
    return rate


def _width(width: float | None) -> float:
    if width is None:
        raise ValueError("smoothing needs the kernel's `width=` (ms).")
    return float(width)
