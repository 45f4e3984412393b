"""Connectivity: a canonical stored form, generators, and propagation strategies.

- [`brainox.connect.OutDegreeTable`][]: for each presynaptic neuron, its post
  targets, padded (the form event-driven propagation reads).
- [`brainox.connect.fixed_probability`][]: every pair connects with probability p.
- [`brainox.connect.EventDriven`][] and [`brainox.connect.Dense`][]: two
  strategies that turn presynaptic spikes into post-synaptic input, with the same
  result and different costs.

!!! example
    ```python
    table = bx.connect.fixed_probability(jax.random.key(0), 3200, 4000, 0.02)
    g_input = bx.connect.EventDriven()(table, neurons.spike.value[:3200], 6.0)
    ```
"""

from ._fixed_probability import fixed_probability as fixed_probability
from ._propagation import (
    AbstractPropagation as AbstractPropagation,
    Dense as Dense,
    EventDriven as EventDriven,
)
from ._table import OutDegreeTable as OutDegreeTable


__all__ = [
    "AbstractPropagation",
    "Dense",
    "EventDriven",
    "OutDegreeTable",
    "fixed_probability",
]
