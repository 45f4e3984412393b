"""Plots of recordings and phase planes (needs the `plot` extra: matplotlib).

matplotlib is imported when a plot is drawn, never at `import brainox`. Every
function takes an optional `ax` (a matplotlib `Axes`; default a new figure) and
returns the `Axes` it drew on.

- [`brainox.plot.raster`][], [`brainox.plot.population_rate`][],
  [`brainox.plot.isi_histogram`][]: spikes, from any recorded form.
- [`brainox.plot.voltage_traces`][]: monitored states over time.
- [`brainox.plot.phase_portrait`][]: vector field, nullclines and fixed points
  of a two-variable model (from [`brainox.dynsys`][]).
- [`brainox.plot.bifurcation_diagram`][]: a one-parameter scan.

!!! example
    ```python
    ax = bx.plot.raster(rec["exc"], n=400)
    ax.figure.savefig("raster.png")
    ```
"""

from .bifurcation import bifurcation_diagram as bifurcation_diagram
from .phase import phase_portrait as phase_portrait
from .spikes import (
    isi_histogram as isi_histogram,
    population_rate as population_rate,
    raster as raster,
)
from .traces import voltage_traces as voltage_traces


__all__ = [
    "bifurcation_diagram",
    "isi_histogram",
    "phase_portrait",
    "population_rate",
    "raster",
    "voltage_traces",
]
