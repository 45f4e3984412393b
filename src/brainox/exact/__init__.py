"""Exact event-driven simulation: spike times found by root finding.

[`brainox.exact.simulate`][] integrates integrate-and-fire neurons (alone or
coupled by [`brainox.exact.DeltaSynapses`][] or
[`brainox.exact.ExponentialSynapses`][]) with an adaptive diffrax solver and
locates every threshold crossing with `diffrax.Event`: spike times without a time
grid, differentiable with respect to parameters.
"""

from ._simulate import SpikeTrain as SpikeTrain, simulate as simulate
from ._synapses import (
    AbstractEventSynapses as AbstractEventSynapses,
    DeltaSynapses as DeltaSynapses,
    ExponentialSynapses as ExponentialSynapses,
)
