"""Plots of spikes: raster, population rate, inter-spike-interval histogram."""

from typing import Any

import numpy as np

from .. import analysis
from ..analysis._spikes import Spikes, flatten
from ._mpl import axes


def raster(
    spikes: Spikes,
    *,
    n: int | None = None,
    dt: float | None = None,
    neurons: int | None = None,
    offset: int = 0,
    ax: Any = None,
    **scatter_kwargs: Any,
) -> Any:
    """A raster plot: one dot per spike at (time, neuron index).

    **Arguments:**

    - `spikes`: [`brainox.SpikeEvents`][], a dense `(n_steps, n)` raster (with
      `dt`), or a list of per-neuron spike-time arrays (ms).
    - `n`: the population size (default: from the spikes).
    - `dt`: the step (ms), for a raster.
    - `neurons`: show only the first `neurons` neurons.
    - `offset`: added to the neuron index (to stack populations on one axes).
    - `ax`: a matplotlib `Axes` (default: a new figure).
    - `**scatter_kwargs`: passed to `ax.scatter` (`color`, `s`, `label`, ...).

    **Returns:** the `Axes`; the dots are one `PathCollection`.

    !!! example
        ```python
        ax = bx.plot.raster(rec["exc"], n=3200, color="tab:blue", s=1)
        bx.plot.raster(rec["inh"], n=800, offset=3200, ax=ax, color="tab:red")
        ax.figure.savefig("raster.png")
        ```
    """
    flat = flatten(spikes, n=n, dt=dt)
    keep = flat.index < (flat.n if neurons is None else neurons)
    ax = axes(ax)
    options = {"s": 2.0, "color": "k", "linewidths": 0} | scatter_kwargs
    ax.scatter(flat.time[keep], flat.index[keep] + offset, **options)
    ax.set(xlabel="time (ms)", ylabel="neuron")
    return ax


def population_rate(
    spikes: Spikes,
    n: int | None = None,
    duration: float | None = None,
    *,
    bin_ms: float = 1.0,
    kernel: str | None = None,
    width: float | None = None,
    dt: float | None = None,
    ax: Any = None,
    **plot_kwargs: Any,
) -> Any:
    """The population rate over time (Hz), binned and optionally smoothed.

    Draws [`brainox.analysis.population_rate`][] against the bin centres.

    **Arguments:**

    - `spikes`, `n`, `duration`, `bin_ms`, `kernel`, `width`, `dt`: as in
      [`brainox.analysis.population_rate`][].
    - `ax`: a matplotlib `Axes` (default: a new figure).
    - `**plot_kwargs`: passed to `ax.plot`.

    **Returns:** the `Axes`; the rate is one `Line2D`.

    !!! example
        ```python
        bx.plot.population_rate(rec["exc"], 3200, 1000.0, bin_ms=1.0,
                                kernel="gaussian", width=2.0)
        ```
    """
    rate = analysis.population_rate(
        spikes, n, duration, bin_ms=bin_ms, kernel=kernel, width=width, dt=dt
    )
    ax = axes(ax)
    centres = (np.arange(rate.size) + 0.5) * bin_ms
    ax.plot(centres, rate, **({"color": "k", "lw": 0.8} | plot_kwargs))
    ax.set(xlabel="time (ms)", ylabel="rate (Hz)")
    return ax


def isi_histogram(
    spikes: Spikes,
    *,
    bins: int = 50,
    max_isi: float | None = None,
    n: int | None = None,
    dt: float | None = None,
    start: float = 0.0,
    ax: Any = None,
    **bar_kwargs: Any,
) -> Any:
    """The inter-spike-interval distribution (density, 1/ms) as a bar histogram.

    Draws [`brainox.analysis.isi_histogram`][].

    **Arguments:**

    - `spikes`, `bins`, `max_isi`, `n`, `dt`, `start`: as in
      [`brainox.analysis.isi_histogram`][].
    - `ax`: a matplotlib `Axes` (default: a new figure).
    - `**bar_kwargs`: passed to `ax.bar`.

    **Returns:** the `Axes`; one bar (`Rectangle` patch) per bin.

    !!! example
        ```python
        bx.plot.isi_histogram(rec["exc"], bins=100, max_isi=200.0)
        ```
    """
    density, edges = analysis.isi_histogram(
        spikes, bins=bins, max_isi=max_isi, n=n, dt=dt, start=start
    )
    ax = axes(ax)
    options = {"color": "0.4", "align": "edge"} | bar_kwargs
    ax.bar(edges[:-1], density, width=np.diff(edges), **options)
    ax.set(xlabel="inter-spike interval (ms)", ylabel="density (1/ms)")
    return ax
