"""Spike-train distances: Victor-Purpura and van Rossum."""

import numpy as np

from ._spikes import TrainLike


def _train(name: str, x: TrainLike) -> np.ndarray:
    t = np.asarray(x, np.float64)
    if t.ndim != 1:
        raise ValueError(
            f"`{name}` must be a 1-D array of spike times (ms), got {t.shape}."
        )
    if not np.all(np.isfinite(t)):
        raise ValueError(f"`{name}` contains non-finite spike times.")
    return np.sort(t)


def victor_purpura(a: TrainLike, b: TrainLike, q: float | int) -> float:
    """The Victor-Purpura distance between two spike trains.

    The least total cost of turning train `a` into train `b` by deleting or
    inserting spikes (cost 1 each) and shifting spikes (cost `q |dt|`). For
    `q = 0` it is the difference of the spike counts; for `q` above `2 / dt_min`
    no shift pays and it is the total number of spikes that do not coincide
    exactly.

    Computed by the dynamic program of Victor & Purpura (1996), one vectorised
    row at a time: `O(len(a) len(b))` operations.

    **Arguments:**

    - `a`, `b`: spike times (ms), 1-D (any order).
    - `q`: the cost per ms of shifting a spike (1/ms, >= 0); `1 / q` is the
      time scale below which timing matters.

    **Returns:** the distance (dimensionless).

    ??? cite "Reference"
        Victor, J. D. & Purpura, K. P. (1996). Nature and precision of temporal
        coding in visual cortex: a metric-space analysis. J. Neurophysiol. 76,
        1310-1326.

    !!! example
        ```python
        bx.analysis.victor_purpura([10.0, 20.0], [11.0], q=0.5)   # 0.5 + 1 = 1.5
        ```
    """
    a, b = _train("a", a), _train("b", b)
    if not q >= 0:
        raise ValueError(f"`q` must be >= 0 (1/ms), got {q}.")
    # row[j]: the distance between the first i spikes of a and the first j of b.
    row = np.arange(b.size + 1, dtype=np.float64)
    j = np.arange(b.size + 1)
    for i, t in enumerate(a, start=1):
        shift = row[:-1] + q * np.abs(t - b)
        candidate = np.concatenate([[row[0] + 1], np.minimum(row[1:] + 1, shift)])
        # Then insertions along the row: new[j] = min_k<=j candidate[k] + (j - k).
        row = np.minimum.accumulate(candidate - j) + j
        row[0] = i
    return float(row[-1])


def van_rossum(a: TrainLike, b: TrainLike, tau: float | int) -> float:
    """The van Rossum distance between two spike trains.

    Each train is filtered with a causal exponential, `f(t) = sum_i H(t - t_i)
    exp(-(t - t_i) / tau)`, and

    `D^2 = (1 / tau) int (f_a(t) - f_b(t))^2 dt`.

    The integral has a closed form over pairs of spikes,
    `D^2 = (S(a, a) + S(b, b) - 2 S(a, b)) / 2` with
    `S(x, y) = sum_ij exp(-|x_i - y_j| / tau)`, computed here in
    `O((len(a) + len(b)) log)` by running exponential sums. One spike alone
    gives `D = 1 / sqrt(2)`; two single spikes `d` ms apart give
    `D^2 = 1 - exp(-d / tau)`.

    **Arguments:**

    - `a`, `b`: spike times (ms), 1-D (any order).
    - `tau`: the filter's time constant (ms, > 0).

    **Returns:** the distance (dimensionless).

    ??? cite "Reference"
        van Rossum, M. C. W. (2001). A novel spike distance. Neural Computation
        13, 751-763.

    !!! example
        ```python
        bx.analysis.van_rossum([10.0], [15.0], tau=5.0)   # sqrt(1 - e^-1)
        ```
    """
    a, b = _train("a", a), _train("b", b)
    if not tau > 0:
        raise ValueError(f"`tau` must be > 0 ms, got {tau}.")
    square = 0.5 * (_pair_sum(a, a, tau) + _pair_sum(b, b, tau)) - _pair_sum(a, b, tau)
    return float(np.sqrt(max(square, 0.0)))


def _pair_sum(x: np.ndarray, y: np.ndarray, tau: float | int) -> float:
    # sum_ij exp(-|x_i - y_j| / tau) for sorted x, y: for each x_i, the spikes of
    # y at or before it (a causal trace read at x_i) plus those after it (an
    # anti-causal trace), each accumulated by one pass with exponential decay.
    if x.size == 0 or y.size == 0:
        return 0.0
    return _one_sided(x, y, tau) + _one_sided(-x[::-1], -y[::-1], tau, strict=True)


def _one_sided(x: np.ndarray, y: np.ndarray, tau: float, strict: bool = False) -> float:
    # sum_i sum_{y_j <= x_i} exp(-(x_i - y_j) / tau) (y_j < x_i with strict).
    side = "left" if strict else "right"
    count = np.searchsorted(y, x, side=side)  # y[:count[i]] precede x[i]
    trace = np.zeros(y.size + 1)  # trace[k]: sum_{j<k} exp(-(y_{k-1} - y_j)/tau)
    for k in range(1, y.size + 1):
        gap = y[k - 1] - y[k - 2] if k > 1 else 0.0
        trace[k] = trace[k - 1] * np.exp(-gap / tau) + 1.0
    last = np.where(count > 0, y[np.maximum(count - 1, 0)], 0.0)
    return float(np.sum(trace[count] * np.exp(-(x - last) / tau) * (count > 0)))
