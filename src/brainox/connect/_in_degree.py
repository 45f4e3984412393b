"""The in-degree table: a form derived from the canonical out-degree table."""

import functools

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jax.core import Tracer

from .._custom_types import Array, ArrayLike, Int
from ._table import OutDegreeTable


def _is_concrete(x: Array) -> bool:
    return not isinstance(x, Tracer)


def max_count(indices: Array, n_cols: int) -> int:
    """The most often occurring value of `indices` in `[0, n_cols)` (concrete)."""
    if indices.size == 0:
        return 0
    counts = jnp.bincount(indices.reshape(-1), length=n_cols + 1)[:n_cols]
    return int(jnp.max(counts))


@functools.partial(jax.jit, static_argnums=(1, 2))
def transpose_indices(indices: Array, n_cols: int, width: int) -> tuple[Array, Array]:
    """Transpose a padded index table by a stable sort of its entries.

    `indices` has shape `(n_rows, d)` with values in `[0, n_cols]`, `n_cols`
    marking padding. Returns `(rows, positions)`, both `(n_cols, width)`: row
    `c` lists the rows `r` holding `c`, in ascending order, padded with `n_rows`,
    and `positions` the flat index `r * d + j` of each entry in `indices`,
    padded with `n_rows * d`. `width` must be at least the largest count.
    """
    n_rows, d = indices.shape
    if n_rows * d == 0 or width == 0:
        empty = jnp.zeros((n_cols, width), jnp.int32)
        return empty + n_rows, empty + n_rows * d
    flat = indices.reshape(-1)
    # A stable sort by column keeps the row-major order within a column: the
    # rows of each column come out ascending.
    order = jnp.argsort(flat, stable=True).astype(jnp.int32)
    cols = flat[order]
    counts = jnp.bincount(flat, length=n_cols + 1)
    starts = (jnp.cumsum(counts) - counts).astype(jnp.int32)
    rank = jnp.arange(flat.shape[0], dtype=jnp.int32) - starts[cols]
    # Padding entries (column n_cols) go to an extra row that is cut off.
    shape = (n_cols + 1, width)
    rows = jnp.full(shape, n_rows, jnp.int32)
    rows = rows.at[cols, rank].set(order // d, mode="drop")
    positions = jnp.full(shape, n_rows * d, jnp.int32)
    positions = positions.at[cols, rank].set(order, mode="drop")
    return rows[:n_cols], positions[:n_cols]


class InDegreeTable(eqx.Module):
    """For each post-synaptic neuron, its presynaptic partners: the transposed table.

    Row `j` of `indices` lists the presynaptic neurons that connect to post
    neuron `j`, in ascending order, padded on the right with `n_pre` (an
    out-of-range index that reads as no spike). `synapse[j, k]` is the position
    of that synapse in the canonical [`brainox.connect.OutDegreeTable`][]
    (its flat index `i * max_degree + c` into `table.indices`), so that
    per-synapse weights stored in the table's shape are read as
    `weight.ravel()[synapse]`; padding holds `n_pre * max_degree`.

    An in-degree table is derived, never stored on its own: build it with
    [`brainox.connect.in_degree_table`][] (one stable sort of the table's
    entries, vectorised), and let [`brainox.connect.FixedInDegreeGather`][]
    hold it. Its width is the largest in-degree; for random connectivity with a
    mean in-degree of 80 that is about 120, so it stores about 1.5x as many
    entries as there are synapses (twice: pre index and position).

    **Arguments:**

    - `indices`: integer array `(n_post, max_in_degree)`, entries in
      `[0, n_pre]`.
    - `synapse`: integer array of the same shape, entries in
      `[0, n_pre * max_degree]`.
    - `n_pre`: number of presynaptic neurons.
    - `max_degree`: width of the out-degree table it was derived from.

    !!! example
        ```python
        table = bx.connect.OutDegreeTable(jnp.array([[1, 2], [0, 3]]), n_post=3)
        t = bx.connect.in_degree_table(table)
        t.indices        # [[1], [0], [0]]: post 0 <- pre 1, posts 1, 2 <- pre 0
        t.in_degree()    # [1, 1, 1]
        ```
    """

    indices: Int[Array, "n_post max_in_degree"]
    synapse: Int[Array, "n_post max_in_degree"]
    n_pre: int = eqx.field(static=True)
    max_degree: int = eqx.field(static=True)

    def __init__(
        self, indices: ArrayLike, synapse: ArrayLike, n_pre: int, max_degree: int
    ):
        indices, synapse = jnp.asarray(indices), jnp.asarray(synapse)
        if indices.ndim != 2 or indices.shape != synapse.shape:
            raise ValueError(
                f"`indices` and `synapse` must be 2-D of one shape (n_post, "
                f"max_in_degree), got {indices.shape} and {synapse.shape}; build "
                "an in-degree table with `bx.connect.in_degree_table(table)`."
            )
        self.indices = indices.astype(jnp.int32)
        self.synapse = synapse.astype(jnp.int32)
        self.n_pre = int(n_pre)
        self.max_degree = int(max_degree)

    @property
    def n_post(self) -> int:
        """Number of post-synaptic neurons (rows)."""
        return self.indices.shape[0]

    @property
    def max_in_degree(self) -> int:
        """Width of the table: the largest in-degree."""
        return self.indices.shape[1]

    def in_degree(self) -> Int[Array, " n_post"]:
        """The in-degree of each post-synaptic neuron (padding not counted)."""
        return jnp.sum(self.indices < self.n_pre, axis=1, dtype=jnp.int32)

    def matches(self, table: OutDegreeTable) -> bool:
        """Whether this was derived from a table of `table`'s shape and size."""
        return (self.n_pre, self.n_post, self.max_degree) == (
            table.n_pre,
            table.n_post,
            table.max_degree,
        )


def in_degree_table(table: OutDegreeTable) -> InDegreeTable:
    """Derive the [`brainox.connect.InDegreeTable`][] of an out-degree table.

    Algorithm: count the in-degrees (one `bincount`), then sort the flat
    entries of `table.indices` by post index with a stable sort, which keeps
    the presynaptic neurons of each post neuron in ascending order, and place
    entry number `r` of post neuron `j` at `[j, r]`. Cost: one sort of the
    `n_pre * max_degree` entries, compiled (about a second for 10^7 synapses on
    a CPU). Done once per projection, never per step.

    **Arguments:**

    - `table`: an [`brainox.connect.OutDegreeTable`][] with concrete indices
      (the width of the result, the largest in-degree, is a shape).

    **Returns:** the in-degree table.

    !!! example
        ```python
        table = bx.connect.fixed_probability(jax.random.key(0), 3200, 4000, 0.02)
        t = bx.connect.in_degree_table(table)
        t.in_degree().mean()     # about 64
        ```
    """
    if not isinstance(table, OutDegreeTable):
        raise TypeError(
            f"`table` must be a bx.connect.OutDegreeTable, got {type(table).__name__}."
        )
    if not _is_concrete(table.indices):
        raise ValueError(
            "`table` holds traced indices (inside jit, vmap or grad); the in-degree "
            "table's width is the largest in-degree, a shape, so it needs concrete "
            "indices: derive it (or build the projection) outside the transform."
        )
    n_pre, width = table.n_pre, table.max_degree
    if n_pre * width >= np.iinfo(np.int32).max:
        raise ValueError(
            f"`table` has {n_pre} x {width} entries, too many for int32 synapse "
            "positions; split the projection into several."
        )
    max_in = max_count(table.indices, table.n_post)
    rows, positions = transpose_indices(table.indices, table.n_post, max_in)
    return InDegreeTable(rows, positions, n_pre, width)
