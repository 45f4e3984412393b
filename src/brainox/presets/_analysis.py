"""Reading a preset's recordings: rates, ISI irregularity, population oscillations.

Minimal helpers for validating the presets against published values; a general
analysis toolbox belongs in its own module.
"""

from collections.abc import Mapping
from typing import Any

import numpy as np

from .._run import SpikeEvents
from ..network import Network


def spike_monitors(network: Network) -> dict[str, str]:
    """The `spikes=` argument of [`brainox.simulate`][] for every population.

    **Returns:** `{name: "populations.<name>.spike"}` for each population of
    `network` (recorded compactly as [`brainox.SpikeEvents`][]).

    !!! example
        ```python
        net, rec = bx.simulate(net, 1000.0, dt=0.1,
                               spikes=bx.presets.spike_monitors(net))
        ```
    """
    return {name: f"populations.{name}.spike" for name in network.populations}


def _sizes(network: Network | Mapping[str, int]) -> dict[str, int]:
    if isinstance(network, Network):
        return {
            name: int(np.prod(np.shape(pop.spike.value)))
            for name, pop in network.populations.items()
        }
    return {name: int(size) for name, size in network.items()}


def firing_rates(
    recordings: Mapping[str, Any],
    network: Network | Mapping[str, int],
    duration: float,
    *,
    start: float = 0.0,
) -> dict[str, float]:
    """Mean firing rate (Hz) of each recorded population.

    **Arguments:**

    - `recordings`: the recordings of [`brainox.simulate`][], holding
      [`brainox.SpikeEvents`][] under the population names (as recorded with
      [`brainox.presets.spike_monitors`][]).
    - `network`: the network (or a dict from population name to its size).
    - `duration`: the simulated time (ms).
    - `start`: ignore spikes before this time (ms), e.g. a transient.

    **Returns:** `{name: rate}` in Hz, for the populations found in
    `recordings`.
    """
    if not duration > start:
        raise ValueError(
            f"`duration` ({duration} ms) must exceed `start` ({start} ms)."
        )
    seconds = (duration - start) / 1000.0
    rates = {}
    for name, size in _sizes(network).items():
        events = recordings.get(name)
        if isinstance(events, SpikeEvents):
            count = int(np.sum(np.asarray(events.time) > start))
            rates[name] = count / size / seconds
    return rates


def cv_isi(events: SpikeEvents, *, start: float = 0.0, min_spikes: int = 3) -> float:
    """The mean coefficient of variation of the inter-spike intervals.

    For each neuron with at least `min_spikes` spikes after `start` (ms), the
    CV is the standard deviation of its inter-spike intervals over their mean;
    the result averages it over those neurons (NaN if there are none). A
    Poisson process has CV 1, a regular (clock-like) train CV 0.

    **Arguments:**

    - `events`: one population's [`brainox.SpikeEvents`][].
    - `start`: ignore spikes before this time (ms).
    - `min_spikes`: neurons with fewer spikes are left out (>= 3: two
      intervals).
    """
    if min_spikes < 3:
        raise ValueError(
            f"`min_spikes` must be >= 3 (two intervals), got {min_spikes}."
        )
    time = np.asarray(events.time, np.float64)
    index = np.asarray(events.index)
    keep = time > start
    time, index = time[keep], index[keep]
    order = np.lexsort((time, index))
    time, index = time[order], index[order]
    same = index[1:] == index[:-1]
    isi, owner = np.diff(time)[same], index[1:][same]
    if isi.size == 0:
        return float("nan")
    n = int(index.max()) + 1
    count = np.bincount(owner, minlength=n)
    total = np.bincount(owner, weights=isi, minlength=n)
    square = np.bincount(owner, weights=isi * isi, minlength=n)
    ok = count >= min_spikes - 1
    if not ok.any():
        return float("nan")
    mean = total[ok] / count[ok]
    var = np.maximum(square[ok] / count[ok] - mean * mean, 0.0)
    return float(np.mean(np.sqrt(var) / mean))


def population_rate(
    events: SpikeEvents, size: int, duration: float, *, bin_ms: float
) -> np.ndarray:
    """The population rate (Hz) in bins of `bin_ms` over `[0, duration)` ms."""
    n_bins = int(round(duration / bin_ms))
    counts, _ = np.histogram(
        np.asarray(events.time), bins=n_bins, range=(0.0, n_bins * bin_ms)
    )
    return counts / size / (bin_ms / 1000.0)


def spectral_peak(
    events: SpikeEvents,
    size: int,
    duration: float,
    *,
    bin_ms: float = 0.5,
    start: float = 0.0,
    segment_ms: float = 100.0,
    f_min: float = 20.0,
) -> tuple[float, float]:
    """The frequency of the strongest oscillation of the population rate.

    The population rate in bins of `bin_ms` after `start` (ms), minus its mean,
    is cut into segments of about `segment_ms` (ms), and their power spectra are
    averaged (Welch's method, Hann window); the result is the frequency of the
    largest power above `f_min` (Hz), and that power relative to the mean power
    above `f_min` (a sharp population oscillation stands out by 10x or more;
    asynchronous activity stays near 1-3).

    **Returns:** `(frequency in Hz, peak-to-mean power ratio)`.
    """
    rate = population_rate(events, size, duration, bin_ms=bin_ms)
    rate = rate[int(round(start / bin_ms)) :]
    length = int(round(segment_ms / bin_ms))
    n_segments = rate.size // length
    if n_segments < 1:
        raise ValueError(
            f"{(duration - start):g} ms of activity is shorter than one segment "
            f"(`segment_ms` = {segment_ms}); simulate longer or shorten it."
        )
    segments = rate[: n_segments * length].reshape(n_segments, length)
    segments = segments - segments.mean(axis=1, keepdims=True)
    window = np.hanning(length)
    power = np.mean(np.abs(np.fft.rfft(segments * window, axis=1)) ** 2, axis=0)
    freq = np.fft.rfftfreq(length, d=bin_ms / 1000.0)
    band = freq >= f_min
    peak = int(np.argmax(power[band]))
    return float(freq[band][peak]), float(power[band][peak] / power[band].mean())
