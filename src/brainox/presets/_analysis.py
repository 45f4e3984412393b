"""Reading a preset's recordings: what to record and each population's rate.

The analysis itself lives in [`brainox.analysis`][]; these helpers map it over
the populations of a network.
"""

from collections.abc import Mapping
from typing import Any

import numpy as np

from .._run import SpikeEvents
from ..analysis import firing_rates as neuron_rates
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

    The mean over each population's neurons of
    [`brainox.analysis.firing_rates`][].

    **Arguments:**

    - `recordings`: the recordings of [`brainox.simulate`][], holding
      [`brainox.SpikeEvents`][] under the population names (as recorded with
      `spikes=`[`brainox.presets.spike_monitors`][]`(net)`), or the spike
      counts of each neuron (recorded with `spike_counts=` and the same
      argument).
    - `network`: the network (or a dict from population name to its size).
    - `duration`: the simulated time (ms).
    - `start`: ignore spikes before this time (ms), e.g. a transient; events
      only (counts cover the whole run).

    **Returns:** `{name: rate}` in Hz, for the populations found in
    `recordings`.

    !!! example
        ```python
        bx.presets.firing_rates(rec, net, 1000.0, start=100.0)  # {"exc": ..., ...}
        ```
    """
    rates = {}
    for name, size in _sizes(network).items():
        entry = recordings.get(name)
        if isinstance(entry, SpikeEvents):
            rates[name] = float(
                np.mean(neuron_rates(entry, duration, n=size, start=start))
            )
        elif entry is not None and np.issubdtype(np.asarray(entry).dtype, np.integer):
            counts = np.asarray(entry)
            rates[name] = _rate_of_counts(name, counts, size, duration, start)
    return rates


def _rate_of_counts(name, counts, size, duration, start) -> float:
    if counts.size != size:
        raise ValueError(
            f"recordings[{name!r}] holds {counts.size} spike counts, but population "
            f"{name!r} has {size} neurons; count its spike vector "
            f"(`spike_counts={{{name!r}: 'populations.{name}.spike'}}`)."
        )
    if start:
        raise ValueError(
            f"`start` ({start} ms) cannot apply to spike counts, which cover the "
            "whole run; record `spikes=` to leave out a transient."
        )
    return float(np.sum(counts)) / size / (duration / 1000.0)
