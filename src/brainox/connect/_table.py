"""The canonical stored form of connectivity: a padded out-degree table."""

import functools
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jax.core import Tracer

from .._custom_types import Array, ArrayLike, Float, Int


class OutDegreeTable(eqx.Module):
    """Connectivity stored as, for each presynaptic neuron, its post targets.

    Row `i` of `indices` lists the post-synaptic targets of presynaptic neuron
    `i` in ascending order, padded on the right with `n_post`, an out-of-range
    index that scatters drop. A table of shape `(n_pre, max_degree)` is what
    event-driven propagation needs: a spike of neuron `i` adds a weight to the
    targets `indices[i]`, work proportional to the spikes that happened (see
    [`brainox.connect.EventDriven`][]).

    The indices are an integer array field of the module, so a network holding
    the table passes it to `jit` as an argument (never as a compile-time
    constant) and [`brainox.partition`][] puts it in the static part (it is not
    trainable). Per-synapse weights, when used, are a floating array of the same
    shape `(n_pre, max_degree)`; their padded entries are ignored.

    Generators such as [`brainox.connect.fixed_probability`][] build tables;
    [`brainox.connect.OutDegreeTable.to_dense`][] expands one into a matrix.

    **Arguments:**

    - `indices`: integer array of shape `(n_pre, max_degree)`, entries in
      `[0, n_post]`, where `n_post` marks padding.
    - `n_post`: number of post-synaptic neurons.

    !!! example
        ```python
        table = bx.connect.OutDegreeTable(jnp.array([[1, 2], [0, 3]]), n_post=3)
        table.degree()          # [2, 1]: the 3 in row 1 is padding
        table.to_dense(6.0)     # (2, 3) matrix of weights, nS
        ```
    """

    indices: Int[Array, "n_pre max_degree"]
    n_post: int = eqx.field(static=True)

    def __init__(self, indices: ArrayLike, n_post: int):
        if isinstance(n_post, bool) or not isinstance(n_post, (int, np.integer)):
            raise TypeError(f"`n_post` must be an int, got {n_post!r}.")
        if n_post < 1:
            raise ValueError(f"`n_post` must be a positive integer, got {n_post}.")
        indices = jnp.asarray(indices)
        if not jnp.issubdtype(indices.dtype, jnp.integer) or indices.ndim != 2:
            raise ValueError(
                f"`indices` must be a 2-D integer array (n_pre, max_degree), got "
                f"dtype {indices.dtype} and shape {indices.shape}; build a table "
                "with a generator such as `bx.connect.fixed_probability`."
            )
        if indices.shape[0] < 1:
            raise ValueError("`indices` has no rows; it needs one row per pre neuron.")
        if not isinstance(indices, Tracer) and indices.size:
            host = np.asarray(indices)
            low, high = int(host.min()), int(host.max())
            if low < 0 or high > n_post:
                raise ValueError(
                    f"`indices` holds values in [{low}, {high}], outside [0, "
                    f"n_post = {n_post}]; post indices run from 0 to n_post - 1 "
                    "and n_post marks padding."
                )
        self.indices = indices.astype(jnp.int32)
        self.n_post = int(n_post)

    @property
    def n_pre(self) -> int:
        """Number of presynaptic neurons (rows)."""
        return self.indices.shape[0]

    @property
    def max_degree(self) -> int:
        """Width of the table: the largest out-degree."""
        return self.indices.shape[1]

    def degree(self) -> Int[Array, " n_pre"]:
        """The out-degree of each presynaptic neuron (padding not counted)."""
        return jnp.sum(self.indices < self.n_post, axis=1, dtype=jnp.int32)

    def n_synapses(self) -> int:
        """Total number of synapses (a Python int; needs concrete indices)."""
        return int(jnp.sum(self.indices < self.n_post))

    def to_dense(
        self, weight: ArrayLike = 1.0, dtype: Any = None
    ) -> Float[Array, "n_pre n_post"]:
        """Expand to a dense `(n_pre, n_post)` weight matrix (zero where unconnected).

        **Arguments:**

        - `weight`: a scalar, or per-synapse weights of shape `(n_pre, max_degree)`.
        - `dtype`: floating dtype of the result (default: that of `weight`,
          float32 for a Python number).

        **Returns:** `W` with `W[i, indices[i, j]] = weight[i, j]`, so that the
        input to the post neurons is `spikes @ W`.
        """
        return _dense(self.indices, check_weight(self, weight, dtype), self.n_post)


@functools.partial(jax.jit, static_argnums=2)
def _dense(indices: Array, w: Array, n_post: int) -> Array:
    rows = jnp.arange(indices.shape[0], dtype=jnp.int32)[:, None]
    values = jnp.broadcast_to(w, indices.shape)
    dense = jnp.zeros((indices.shape[0], n_post), w.dtype)
    return dense.at[rows, indices].add(values, mode="drop")


def check_derived_from(derived: Any, table: OutDegreeTable, what: str, fix: str):
    """Raise if `derived`, a form a strategy derived from a table (with
    `n_pre`, `n_post` and `max_degree`), was derived from a table of another
    shape than `table`. `what` names the form and its holder, `fix` the call
    that prepares it for `table`."""
    shape = (derived.n_pre, derived.n_post, derived.max_degree)
    if shape != (table.n_pre, table.n_post, table.max_degree):
        raise ValueError(
            f"{what} derived from a table of n_pre = {shape[0]}, n_post = "
            f"{shape[1]}, max_degree = {shape[2]}, but is called with one of "
            f"n_pre = {table.n_pre}, n_post = {table.n_post}, max_degree = "
            f"{table.max_degree}; prepare it for this table: `{fix}`."
        )


def check_weight(
    table: OutDegreeTable, weight: ArrayLike, dtype: Any = None
) -> Float[Array, "..."]:
    """A floating weight: a scalar or one value per entry of `table.indices`."""
    w = jnp.asarray(weight)
    if dtype is None:
        dtype = w.dtype if jnp.issubdtype(w.dtype, jnp.floating) else jnp.float32
        dtype = jnp.float32 if w.weak_type else dtype
    if not jnp.issubdtype(dtype, jnp.floating):
        raise TypeError(f"`dtype` must be a floating dtype, got {dtype}.")
    if w.ndim != 0 and w.shape != table.indices.shape:
        raise ValueError(
            f"`weight` has shape {w.shape}; expected a scalar or per-synapse "
            f"weights of the table's shape {table.indices.shape} (n_pre, "
            "max_degree), padded entries ignored."
        )
    if not isinstance(w, Tracer) and np.isnan(np.asarray(w)).any():
        raise ValueError(
            "`weight` holds NaN; pass finite weights (nS, pA or mV) and find "
            "the NaN entries with `jnp.argwhere(jnp.isnan(weight))`."
        )
    return w.astype(dtype)
