"""Spike-train and population analysis.

Every function reads the runner's recordings as they come: compact
[`brainox.SpikeEvents`][] (from `simulate(..., spikes=...)`), dense `(n_steps, n)`
rasters of a `spike` monitor (with `dt=`), or lists of per-neuron spike times
(ms). Results are NumPy arrays and floats, computed on the host.

- Rates: [`brainox.analysis.firing_rates`][] (per neuron),
  [`brainox.analysis.rate_traces`][] (per neuron over time),
  [`brainox.analysis.population_rate`][], [`brainox.analysis.smooth`][] (box,
  Gaussian, exponential kernels).
- Intervals: [`brainox.analysis.isis`][], [`brainox.analysis.isi_histogram`][],
  [`brainox.analysis.cv_isi`][].
- Counts: [`brainox.analysis.spike_counts`][], [`brainox.analysis.fano_factor`][],
  [`brainox.analysis.count_correlation`][].
- Timing: [`brainox.analysis.cross_correlogram`][],
  [`brainox.analysis.autocorrelogram`][], [`brainox.analysis.golomb_chi`][]
  (synchrony), [`brainox.analysis.power_spectrum`][],
  [`brainox.analysis.spectral_peak`][].
- Distances: [`brainox.analysis.victor_purpura`][],
  [`brainox.analysis.van_rossum`][].

!!! example
    ```python
    net, rec = bx.simulate(net, 1000.0, dt=0.1, spikes={"exc": "populations.exc.spike"})
    bx.analysis.firing_rates(rec["exc"], 1000.0, n=3200).mean()   # Hz
    bx.analysis.cv_isi(rec["exc"], start=100.0)
    ```
"""

from ._spikes import spike_trains as spike_trains
from .correlograms import (
    autocorrelogram as autocorrelogram,
    cross_correlogram as cross_correlogram,
)
from .counts import (
    count_correlation as count_correlation,
    fano_factor as fano_factor,
    spike_counts as spike_counts,
)
from .distances import van_rossum as van_rossum, victor_purpura as victor_purpura
from .isi import cv_isi as cv_isi, isi_histogram as isi_histogram, isis as isis
from .rates import (
    firing_rates as firing_rates,
    population_rate as population_rate,
    rate_traces as rate_traces,
    smooth as smooth,
)
from .spectrum import power_spectrum as power_spectrum, spectral_peak as spectral_peak
from .synchrony import golomb_chi as golomb_chi


__all__ = [
    "autocorrelogram",
    "count_correlation",
    "cross_correlogram",
    "cv_isi",
    "fano_factor",
    "firing_rates",
    "golomb_chi",
    "isi_histogram",
    "isis",
    "population_rate",
    "power_spectrum",
    "rate_traces",
    "smooth",
    "spectral_peak",
    "spike_counts",
    "spike_trains",
    "van_rossum",
    "victor_purpura",
]
