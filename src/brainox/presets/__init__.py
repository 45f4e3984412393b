"""Ready-made networks: the standard benchmarks, composed from populations and
projections.

Each preset is a function that returns a [`brainox.Network`][] with two
populations, `"exc"` and `"inh"`, recurrent projections `"ee"`, `"ei"`, `"ie"`,
`"ii"` (named pre then post), and its external drive; every parameter is an
argument, with its unit and the paper it comes from.

| preset | model | published activity (N = 4000 or 12500) |
|---|---|---|
| [`brainox.presets.coba`][] | LIF, conductance synapses, 200 pA drive | 16-22 Hz |
| [`brainox.presets.cuba`][] | LIF, current synapses | 5.5-5.6 Hz |
| [`brainox.presets.cobahh`][] | Traub-Miles HH, conductance synapses | 34-36 Hz |
| [`brainox.presets.brunel`][] | LIF, delta synapses, Poisson input | by regime |

Reading the results: [`brainox.presets.spike_monitors`][] (what to record) and
[`brainox.presets.firing_rates`][] (each population's mean rate); `cv_isi`,
`population_rate` and `spectral_peak` are those of [`brainox.analysis`][],
re-exported here.

!!! example
    ```python
    net = bx.presets.coba(4000, key=jax.random.key(0))
    net, rec = bx.simulate(net, 1000.0, dt=0.1,
                           spikes=bx.presets.spike_monitors(net))
    bx.presets.firing_rates(rec, net, 1000.0)    # {"exc": ..., "inh": ...} Hz
    ```
"""

from ..analysis import (
    cv_isi as cv_isi,
    population_rate as population_rate,
    spectral_peak as spectral_peak,
)
from ._analysis import firing_rates as firing_rates, spike_monitors as spike_monitors
from ._brunel import REGIMES as REGIMES, brunel as brunel
from ._coba import coba as coba
from ._cobahh import cobahh as cobahh
from ._cuba import cuba as cuba


__all__ = [
    "REGIMES",
    "brunel",
    "coba",
    "cobahh",
    "cuba",
    "cv_isi",
    "firing_rates",
    "population_rate",
    "spectral_peak",
    "spike_monitors",
]
