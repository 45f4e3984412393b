"""Apply per-synapse updates at pre and post spikes: event-driven or to all synapses.

Both paths compute, for every synapse `(i, c)` of an out-degree table with post
neuron `j = indices[i, c]`, first `w <- on_pre(w, pre_traces[:, i],
post_traces[:, j])` if pre neuron `i` fired, then `w <- on_post(w, ...)` if post
neuron `j` fired, with the same element-wise arithmetic; they differ in which
synapses they visit.
"""

from collections.abc import Callable

import jax.numpy as jnp

from .._custom_types import Array
from ..connect import InDegreeTable, OutDegreeTable
from ..connect._propagation import _for_each_spike


SynapseUpdate = Callable[[Array, Array, Array], Array]
"""`(w, pre_traces, post_traces) -> w`, element-wise over synapses; the traces
have a leading axis of trace kinds, broadcast against `w` after it."""


def visit_all_synapses(
    table: OutDegreeTable,
    w: Array,
    pre_fired: Array,
    post_fired: Array,
    pre_traces: Array,
    post_traces: Array,
    on_pre: SynapseUpdate,
    on_post: SynapseUpdate,
) -> Array:
    """Update every synapse of the table at once (O(synapses) per step).

    Used with [`brainox.connect.Dense`][] and
    [`brainox.connect.FixedInDegreeGather`][] propagation; differentiable.
    """
    indices = table.indices
    valid = indices < table.n_post
    pre_at = pre_traces[:, :, None]
    post_at = post_traces.at[:, indices].get(mode="fill", fill_value=0)
    depress = pre_fired[:, None] & valid
    w = jnp.where(depress, on_pre(w, pre_at, post_at), w)
    potentiate = post_fired.at[indices].get(mode="fill", fill_value=False)
    return jnp.where(potentiate, on_post(w, pre_at, post_at), w)


def visit_spiking_synapses(
    table: OutDegreeTable,
    in_table: InDegreeTable,
    w: Array,
    pre_fired: Array,
    post_fired: Array,
    pre_traces: Array,
    post_traces: Array,
    on_pre: SynapseUpdate,
    on_post: SynapseUpdate,
) -> Array:
    """Update only the rows of pre neurons and the columns of post neurons that fired.

    Rows are the out-degree table's; columns are read through the in-degree
    table's `synapse` positions. Work proportional to the spikes times the
    degrees (plus one pass over each spike vector), as in
    [`brainox.connect.EventDriven`][].
    """
    indices = table.indices
    n_post = table.n_post

    def row(i, w):
        targets = indices[i]
        post_at = post_traces.at[:, targets].get(mode="fill", fill_value=0)
        new = on_pre(w[i], pre_traces[:, i, None], post_at)
        return w.at[i].set(jnp.where(targets < n_post, new, w[i]))

    w = _for_each_spike(pre_fired, row, w)

    def column(j, flat):
        positions = in_table.synapse[j]
        sources = in_table.indices[j]
        old = flat.at[positions].get(mode="fill", fill_value=0)
        pre_at = pre_traces.at[:, sources].get(mode="fill", fill_value=0)
        new = on_post(old, pre_at, post_traces[:, j, None])
        return flat.at[positions].set(new, mode="drop")

    flat = _for_each_spike(post_fired, column, w.reshape(-1))
    return flat.reshape(w.shape)
