"""Connectivity: a canonical stored form, generators, and propagation strategies.

- [`brainox.connect.OutDegreeTable`][]: for each presynaptic neuron, its post
  targets, padded (the form event-driven propagation reads).
- [`brainox.connect.fixed_probability`][]: every pair connects with probability p.
- More generators, all returning a table from a `jax.random.key` (when random):
  [`brainox.connect.fixed_in_degree`][], [`brainox.connect.fixed_out_degree`][],
  [`brainox.connect.one_to_one`][], [`brainox.connect.all_to_all`][],
  [`brainox.connect.grid`][], [`brainox.connect.gaussian`][] (with
  [`brainox.connect.distances`][]), [`brainox.connect.small_world`][],
  [`brainox.connect.scale_free`][]; conversions [`brainox.connect.from_dense`][],
  [`brainox.connect.from_sparse`][], [`brainox.connect.from_edges`][] and
  [`brainox.connect.to_edges`][].
- [`brainox.connect.EventDriven`][], [`brainox.connect.CompactedEventDriven`][]
  and [`brainox.connect.Dense`][]: strategies that turn presynaptic spikes into
  post-synaptic input, with the same result and different costs.
- [`brainox.connect.FixedInDegreeGather`][] (reads the derived
  [`brainox.connect.InDegreeTable`][]), [`brainox.connect.Procedural`][]
  (regenerated from a seed, never stored) and
  [`brainox.connect.default_propagation`][] (EventDriven on a CPU, the gather
  on a GPU).

!!! example
    ```python
    table = bx.connect.fixed_probability(jax.random.key(0), 3200, 4000, 0.02)
    g_input = bx.connect.EventDriven()(table, neurons.spike.value[:3200], 6.0)
    ```
"""

from ._compacted import (
    CompactedEventDriven as CompactedEventDriven,
    default_batch_size as default_batch_size,
)
from ._convert import (
    from_dense as from_dense,
    from_edges as from_edges,
    from_sparse as from_sparse,
    to_edges as to_edges,
)
from ._default import default_propagation as default_propagation
from ._degree import (
    fixed_in_degree as fixed_in_degree,
    fixed_out_degree as fixed_out_degree,
)
from ._fixed_probability import fixed_probability as fixed_probability
from ._gather import FixedInDegreeGather as FixedInDegreeGather
from ._graphs import scale_free as scale_free, small_world as small_world
from ._in_degree import (
    InDegreeTable as InDegreeTable,
    in_degree_table as in_degree_table,
)
from ._procedural import Procedural as Procedural
from ._propagation import (
    AbstractGatherPropagation as AbstractGatherPropagation,
    AbstractPropagation as AbstractPropagation,
    AbstractRowScatter as AbstractRowScatter,
    AbstractScatterPropagation as AbstractScatterPropagation,
    Dense as Dense,
    EventDriven as EventDriven,
)
from ._regular import (
    all_to_all as all_to_all,
    grid as grid,
    one_to_one as one_to_one,
)
from ._spatial import distances as distances, gaussian as gaussian
from ._table import OutDegreeTable as OutDegreeTable


__all__ = [
    "AbstractGatherPropagation",
    "AbstractPropagation",
    "AbstractRowScatter",
    "AbstractScatterPropagation",
    "CompactedEventDriven",
    "Dense",
    "EventDriven",
    "FixedInDegreeGather",
    "InDegreeTable",
    "Procedural",
    "default_batch_size",
    "default_propagation",
    "in_degree_table",
    "OutDegreeTable",
    "fixed_probability",
    "all_to_all",
    "distances",
    "fixed_in_degree",
    "fixed_out_degree",
    "from_dense",
    "from_edges",
    "from_sparse",
    "gaussian",
    "grid",
    "one_to_one",
    "scale_free",
    "small_world",
    "to_edges",
]
