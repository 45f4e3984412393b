"""Synapse models: post-side kinetics and presynaptic short-term plasticity.

Post-side kinetics ([`brainox.synapses.AbstractSynapse`][]) keep one set of
variables per post-synaptic neuron: [`brainox.synapses.Exponential`][],
[`brainox.synapses.DualExponential`][], [`brainox.synapses.Alpha`][] (linear,
exact), and the receptor schemes [`brainox.synapses.AMPA`][],
[`brainox.synapses.GABAa`][] and [`brainox.synapses.NMDA`][], whose per-synapse
nonlinearity is approximated on the post side as each class documents.
Presynaptic dynamics ([`brainox.synapses.AbstractPresynaptic`][]) keep one set per
presynaptic neuron: [`brainox.synapses.TsodyksMarkram`][].
"""

from ._base import (
    AbstractPresynaptic as AbstractPresynaptic,
    AbstractSynapse as AbstractSynapse,
)
from ._pulse import AbstractPulseKinetics as AbstractPulseKinetics
from ._rise_decay import AbstractRiseDecay as AbstractRiseDecay
from .alpha import Alpha as Alpha
from .ampa import AMPA as AMPA
from .dual_exponential import DualExponential as DualExponential
from .exponential import Exponential as Exponential
from .gaba_a import GABAa as GABAa
from .nmda import NMDA as NMDA
from .tsodyks_markram import TsodyksMarkram as TsodyksMarkram


__all__ = [
    "AMPA",
    "AbstractPresynaptic",
    "AbstractPulseKinetics",
    "AbstractRiseDecay",
    "AbstractSynapse",
    "Alpha",
    "DualExponential",
    "Exponential",
    "GABAa",
    "NMDA",
    "TsodyksMarkram",
]
