"""Propagation by a gather over each post neuron's presynaptic partners."""

import jax.numpy as jnp

from .._custom_types import Array, ArrayLike, Float, Int
from ._in_degree import InDegreeTable, in_degree_table
from ._propagation import AbstractGatherPropagation, check_spikes
from ._table import OutDegreeTable, check_derived_from, check_weight


class FixedInDegreeGather(AbstractGatherPropagation):
    """Each post neuron sums the spikes of its presynaptic partners: a gather.

    Algorithm: with the in-degree table `pre` (post neuron `j`'s presynaptic
    partners, padded) derived once from the canonical
    [`brainox.connect.OutDegreeTable`][],

    `out[j] = sum_k spikes[pre[j, k]] * w[j, k]`,

    one gather of `n_post x max_in_degree` spike values and a row sum, with no
    scatter and no data-dependent loop. Per-synapse weights are stored in the
    table's shape and gathered through the in-degree table's `synapse`
    positions each step (so plastic or trained weights are always current); a
    scalar weight multiplies the row sums.

    Cost: `O(n_post x max_in_degree)` per step whatever the activity. On a GPU
    this is the best strategy for small and medium tables (on an H200, 0.21 s
    per simulated second for the fixed-in-degree COBA at 4000 neurons, 0.63 s
    at 10^5), but it reads every synapse each step, so at 10^6 neurons (5.7 s)
    [`brainox.connect.CompactedEventDriven`][] is 5.6x faster. On a CPU it is
    43-91x slower than [`brainox.connect.EventDriven`][] at 20 Hz (309 against
    3.4 us per step at N = 4000, in-degree 80). It is differentiable
    in the spikes and the weights, with the same gradients as
    [`brainox.connect.Dense`][], at a fraction of its cost.

    The in-degree table is built by `prepare(table)` (which
    [`brainox.Projection`][] calls at construction) or by passing the table to
    the constructor, and held as the field `in_table`, so it is not recomputed
    each step. An unprepared gather called on a concrete table derives it on
    the fly (convenient, but a sort per call).

    Heterogeneous delays: the projection keeps the presynaptic spikes of the
    last `max_delay` steps, and each synapse reads the spike emitted its delay
    ago (a gather from a `(length, n_pre)` history; still differentiable).

    **Arguments:**

    - `table`: optional; an [`brainox.connect.OutDegreeTable`][] to derive the
      in-degree table from, or a ready [`brainox.connect.InDegreeTable`][].

    !!! example
        ```python
        table = bx.connect.fixed_probability(jax.random.key(0), 3200, 4000, 0.02)
        gather = bx.connect.FixedInDegreeGather(table)
        g_input = gather(table, spikes, 6.0)           # nS, (4000,)
        proj = bx.Projection("exc", "all", table, 6.0,
                             propagation=bx.connect.FixedInDegreeGather(), ...)
        ```
    """

    in_table: InDegreeTable | None

    def __init__(self, table: OutDegreeTable | InDegreeTable | None = None):
        if isinstance(table, OutDegreeTable):
            table = in_degree_table(table)
        self.in_table = table

    def prepare(self, table: OutDegreeTable) -> "FixedInDegreeGather":
        """A gather holding the in-degree table derived from `table`."""
        return FixedInDegreeGather(table)

    def _in_table(self, table: OutDegreeTable) -> InDegreeTable:
        if not isinstance(table, OutDegreeTable):
            raise TypeError(
                f"`table` must be a bx.connect.OutDegreeTable, got "
                f"{type(table).__name__}."
            )
        if self.in_table is None:
            return in_degree_table(table)
        check_derived_from(
            self.in_table,
            table,
            "FixedInDegreeGather holds an in-degree table",
            "gather.prepare(table)",
        )
        return self.in_table

    def __call__(
        self, table: OutDegreeTable, spikes: ArrayLike, weight: ArrayLike
    ) -> Float[Array, " n_post"]:
        t = self._in_table(table)
        w = check_weight(table, weight)
        s = check_spikes(table.n_pre, spikes).astype(w.dtype)
        # Padding (index n_pre) is out of range: it reads 0, no spike.
        g = s.at[t.indices].get(mode="fill", fill_value=0)
        if w.ndim == 0:
            return jnp.sum(g, axis=1) * w
        w_in = w.reshape(-1).at[t.synapse].get(mode="fill", fill_value=0)
        return jnp.sum(g * w_in, axis=1)

    def gather_delayed(
        self,
        table: OutDegreeTable,
        history: Float[Array, "length n_pre"],
        head: Int[Array, ""],
        weight: ArrayLike,
        steps: Int[Array, "n_pre max_degree"],
    ) -> Float[Array, " n_post"]:
        t = self._in_table(table)
        w = check_weight(table, weight, history.dtype)
        steps_in = steps.reshape(-1).at[t.synapse].get(mode="fill", fill_value=1)
        length, n_pre = history.shape
        slots = (head - steps_in + 1) % length
        if length * n_pre < 2**31 - 1:
            # A 1-D gather at flat positions: 1.6x faster than a 2-D gather on
            # a CPU. Padding points past the end and reads 0.
            valid = t.indices < n_pre
            flat = jnp.where(valid, slots * n_pre + t.indices, length * n_pre)
            g = history.reshape(-1).at[flat].get(mode="fill", fill_value=0)
        else:  # flat positions would overflow int32
            g = history.at[slots, t.indices].get(mode="fill", fill_value=0)
        if w.ndim == 0:
            return jnp.sum(g, axis=1) * w
        w_in = w.reshape(-1).at[t.synapse].get(mode="fill", fill_value=0)
        return jnp.sum(g * w_in, axis=1)
