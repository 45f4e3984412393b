"""The rows of an out-degree table without their padding: what the CPU kernel of
event-driven propagation reads."""

import equinox as eqx
import jax.numpy as jnp
import numpy as np
from jax.core import Tracer

from .._custom_types import Array, Int, Integer
from ._table import OutDegreeTable


NARROW_LIMIT = 2**16
"""Post populations up to this size store their targets as 16-bit integers."""

OFFSET_LIMIT = 2**31 - 1
"""Tables up to this many entries fit 32-bit row offsets."""


class CompactRows(eqx.Module):
    """An out-degree table's rows, concatenated without padding.

    Row `i` is `targets[offsets[i]:offsets[i + 1]]`: the valid entries of row
    `i` of the table, in their order. Targets are `uint16` when the post
    population has at most `2^16` neurons (else `int32`), so at in-degree 80
    the rows of 4000 neurons fill 0.64 MB instead of the padded table's 1.9 MB
    (widest row 119): fewer cache misses when the rows of the spiking neurons
    are read.
    `targets` keeps the length of the table (`n_pre x max_degree`, zeros after
    the last row), so compact rows of tables of one shape have one shape too
    (they stack, as the blocks of a sharded network do).

    Built by `compact_rows(table)`; the layout needs the padding of every row
    to come after its synapses, which every generator's table has, so that
    entry `k` of row `i` is also the per-synapse weight `w[i, k]`.
    """

    targets: Integer[Array, " entries"]
    offsets: Int[Array, " n_pre_plus_1"]
    n_post: int = eqx.field(static=True)
    max_degree: int = eqx.field(static=True)

    @property
    def n_pre(self) -> int:
        return self.offsets.shape[-1] - 1


def compact_rows(table: OutDegreeTable) -> CompactRows | None:
    """The compact rows of `table` (host NumPy, once), or `None` where they
    cannot be built: a traced table, padding before a synapse in some row
    (per-synapse weights would no longer line up), or more entries than 32-bit
    offsets address."""
    if isinstance(table.indices, Tracer) or table.indices.size > OFFSET_LIMIT:
        return None
    indices = np.asarray(table.indices)
    valid = indices < table.n_post
    # Synapses first, then padding: `valid` never rises along a row.
    if np.any(valid[:, 1:] > valid[:, :-1]):
        return None
    offsets = np.zeros(table.n_pre + 1, np.int32)
    np.cumsum(valid.sum(axis=1), out=offsets[1:])
    dtype = np.uint16 if table.n_post <= NARROW_LIMIT else np.int32
    targets = np.zeros(indices.size, dtype)
    targets[: offsets[-1]] = indices[valid]
    return CompactRows(
        jnp.asarray(targets), jnp.asarray(offsets), table.n_post, table.max_degree
    )


def padded_rows(table: OutDegreeTable) -> CompactRows:
    """The table itself in the same layout: row `i` starts at `i x max_degree`
    and keeps its padding, which the kernel skips."""
    offsets = jnp.arange(table.n_pre + 1, dtype=jnp.int32) * table.max_degree
    return CompactRows(
        table.indices.reshape(-1), offsets, table.n_post, table.max_degree
    )
