"""Synaptic plasticity: learning rules as state updates.

Spike-timing rules act on the per-synapse `bx.LongTerm` weight of a
[`brainox.Projection`][] (pass them as `plasticity=`); a
[`brainox.Network`][] applies them after its populations fire:

- [`brainox.plasticity.PairSTDP`][]: pair-based STDP, all-to-all or
  nearest-spike pairing.
- [`brainox.plasticity.TripletSTDP`][]: triplet STDP (Pfister & Gerstner 2006).
- [`brainox.plasticity.RewardModulatedSTDP`][]: an eligibility trace per
  synapse gated by a dopamine input (Izhikevich 2007).
- [`brainox.plasticity.Additive`][] and [`brainox.plasticity.Multiplicative`][]:
  how a change depends on the weight (hard or soft bounds).

Rate-based rules update a dense weight matrix from rates, `rule.update(w, x, y,
dt)`:

- [`brainox.plasticity.Hebbian`][]: Hebb's rule with decay.
- [`brainox.plasticity.Oja`][]: Oja's rule (the principal component).
- [`brainox.plasticity.BCM`][]: BCM with a sliding threshold.

Short-term plasticity (Tsodyks-Markram) is presynaptic dynamics:
[`brainox.synapses.TsodyksMarkram`][].

!!! example
    ```python
    stdp = bx.plasticity.PairSTDP(A_plus=0.01, A_minus=0.0105,
                                  weight_dependence=bx.plasticity.Additive(0, 1))
    proj = bx.Projection("pre", "post", table, weight=bx.LongTerm(w0),
                         plasticity=stdp)
    ```
"""

from ._base import AbstractPlasticity as AbstractPlasticity
from .bcm import BCM as BCM
from .hebbian import Hebbian as Hebbian
from .oja import Oja as Oja
from .pair_stdp import PairSTDP as PairSTDP
from .rate_rule import AbstractRateRule as AbstractRateRule
from .reward_stdp import RewardModulatedSTDP as RewardModulatedSTDP
from .spike_timing import AbstractSpikeTimingRule as AbstractSpikeTimingRule
from .triplet_stdp import TripletSTDP as TripletSTDP
from .weight_dependence import (
    AbstractWeightDependence as AbstractWeightDependence,
    Additive as Additive,
    Multiplicative as Multiplicative,
)


__all__ = [
    "BCM",
    "AbstractPlasticity",
    "AbstractRateRule",
    "AbstractSpikeTimingRule",
    "AbstractWeightDependence",
    "Additive",
    "Hebbian",
    "Multiplicative",
    "Oja",
    "PairSTDP",
    "RewardModulatedSTDP",
    "TripletSTDP",
]
