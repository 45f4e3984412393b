"""Power spectra of population activity (Welch's method)."""

import numpy as np

from .._custom_types import ArrayLike
from .._validate import check_dt
from ._spikes import Spikes
from .rates import MS_PER_S, population_rate


def power_spectrum(
    signal: ArrayLike, dt: float, *, segment_ms: float = 100.0
) -> tuple[np.ndarray, np.ndarray]:
    """The power spectral density of a signal, by Welch's method.

    The signal (sampled every `dt` ms) is cut into non-overlapping segments of
    about `segment_ms`; each segment has its mean removed and a Hann window
    applied; the periodograms are averaged. The density is one-sided, in units
    of the signal squared per Hz, normalised so that its sum times the frequency
    step equals the variance of the signal (Parseval).

    **Arguments:**

    - `signal`: a 1-D array over time (e.g. a population rate, Hz).
    - `dt`: its sampling step (ms).
    - `segment_ms`: the segment length (ms); the frequency resolution is
      `1000 / segment_ms` Hz.

    **Returns:** `(frequencies in Hz, power density)`.

    ??? cite "Reference"
        Welch, P. (1967). The use of fast Fourier transform for the estimation
        of power spectra. IEEE Trans. Audio Electroacoust. 15, 70-73.

    !!! example
        ```python
        rate = bx.analysis.population_rate(rec["exc"], 3200, 1000.0, bin_ms=0.5)
        freq, power = bx.analysis.power_spectrum(rate, 0.5)
        ```
    """
    x = np.asarray(signal, np.float64).reshape(-1)
    dt = check_dt(dt)
    length = int(round(segment_ms / dt)) if np.isfinite(segment_ms) else 0
    if length < 2:
        raise ValueError(
            f"a segment of `segment_ms` = {segment_ms} ms holds {length} samples "
            f"of `dt` = {dt} ms; it needs at least 2: lengthen it."
        )
    n_segments = x.size // length
    if n_segments < 1:
        raise ValueError(
            f"{x.size * dt:g} ms of signal is shorter than one segment "
            f"(`segment_ms` = {segment_ms}); record longer or shorten it."
        )
    segments = x[: n_segments * length].reshape(n_segments, length)
    segments = segments - segments.mean(axis=1, keepdims=True)
    window = np.hanning(length)
    fs = MS_PER_S / dt
    spectra = np.abs(np.fft.rfft(segments * window, axis=1)) ** 2
    density = spectra.mean(axis=0) / (fs * np.sum(window**2))
    density[1 : (length + 1) // 2] *= 2  # one-sided: fold negative frequencies
    return np.fft.rfftfreq(length, d=dt / MS_PER_S), density


def spectral_peak(
    spikes: Spikes,
    size: int | None = None,
    duration: float | None = None,
    *,
    bin_ms: float = 0.5,
    start: float = 0.0,
    segment_ms: float = 100.0,
    f_min: float = 20.0,
    dt: float | None = None,
) -> tuple[float, float]:
    """The frequency of the strongest oscillation of a population's rate.

    The population rate ([`brainox.analysis.population_rate`][]) in bins of
    `bin_ms` after `start` (ms) goes through [`brainox.analysis.power_spectrum`][];
    the result is the frequency of the largest power above `f_min` (Hz), and
    that power relative to the mean power above `f_min` (a sharp population
    oscillation stands out by 10x or more; asynchronous activity stays near
    1-3).

    **Arguments:**

    - `spikes`: any recorded form of spikes (see
      [`brainox.analysis.firing_rates`][]).
    - `size`: the population size (default: from the spikes).
    - `duration`: the recording's length (ms; default: a raster's length).
    - `bin_ms`, `segment_ms`: the rate's bins and the spectrum's segments (ms).
    - `start`: leave out activity before this time (ms).
    - `f_min`: the lowest frequency considered (Hz).
    - `dt`: the step (ms), for a raster.

    **Returns:** `(frequency in Hz, peak-to-mean power ratio)`.

    !!! example
        ```python
        frequency, ratio = bx.analysis.spectral_peak(rec["exc"], 10000, 1000.0,
                                                     start=200.0)
        ```
    """
    rate = population_rate(spikes, size, duration, bin_ms=bin_ms, dt=dt)
    freq, power = power_spectrum(
        rate[int(round(start / bin_ms)) :], bin_ms, segment_ms=segment_ms
    )
    band = freq >= f_min
    if not band.any():
        raise ValueError(f"no frequency above `f_min` = {f_min} Hz; lower it.")
    peak = int(np.argmax(power[band]))
    return float(freq[band][peak]), float(power[band][peak] / power[band].mean())
