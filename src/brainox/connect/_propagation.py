"""Propagation strategies: how spikes travel through a table to the post side."""

import abc
import math

import equinox as eqx
import jax
import jax.numpy as jnp

from .._custom_types import Array, ArrayLike, Float
from ._table import OutDegreeTable, check_weight


def _check_spikes(table: OutDegreeTable, spikes: ArrayLike) -> Array:
    s = jnp.asarray(spikes)
    if s.shape != (table.n_pre,):
        raise ValueError(
            f"`spikes` has shape {s.shape}; expected ({table.n_pre},), one value "
            "per presynaptic neuron of the table."
        )
    return s


class AbstractPropagation(eqx.Module):
    """A way to compute the post-synaptic input from presynaptic spikes.

    Every strategy computes the same thing,
    `out[k] = sum_i spikes[i] * W[i, k]`, with `W` the weights of a
    [`brainox.connect.OutDegreeTable`][] (a scalar or per-synapse weight); they
    differ in cost, which depends on the backend and the network's size and
    activity. Choose one per projection; concrete strategies are final.
    """

    @abc.abstractmethod
    def __call__(
        self, table: OutDegreeTable, spikes: ArrayLike, weight: ArrayLike
    ) -> Float[Array, " n_post"]:
        """The summed input to each post-synaptic neuron.

        **Arguments:**

        - `table`: the connectivity.
        - `spikes`: the presynaptic spikes of this step, shape `(n_pre,)`
          (usually 0.0/1.0; other values scale the weights).
        - `weight`: a scalar, or per-synapse weights of the table's shape (nS for
          a conductance, pA for a current).

        **Returns:** shape `(n_post,)`, in the unit of `weight`.
        """


def _block_size(n: int) -> int:
    # A power of two near sqrt(n): finding the next spike then scans about
    # 2 sqrt(n) values instead of n.
    return max(32, 1 << math.ceil(math.log2(math.sqrt(n))))


class EventDriven(AbstractPropagation):
    """Add the weights of the neurons that spiked, one spiking neuron at a time.

    A `lax.while_loop` runs over the spikes that happened, in ascending neuron
    order; each iteration finds the next spiking neuron and scatters its row of
    the table into the output. The work is proportional to the spikes (plus one
    pass over the spike vector), which makes this the fastest strategy on a CPU
    for sparse activity.

    To find the next spike cheaply, the spike vector is cut into blocks of about
    `sqrt(n_pre)` neurons, and each iteration scans the last spiking index of
    every block, then the one block that holds the spike: about `2 sqrt(n_pre)`
    comparisons per spike. (Compacting all indices up front, as
    `jnp.nonzero(size=n_pre)` does, costs two prefix sums and a scatter of
    `n_pre` values per call, several times more on a CPU for sparse spikes.) No
    buffer is involved, so nothing can overflow.

    !!! warning
        A loop of data-dependent length is not reverse-mode differentiable: for
        surrogate-gradient training use [`brainox.connect.Dense`][]. On a GPU a
        per-spike loop is slow at large sizes; prefer another strategy there.

    !!! example
        ```python
        table = bx.connect.fixed_probability(jax.random.key(0), 3200, 4000, 0.02)
        g_input = bx.connect.EventDriven()(table, spikes, 6.0)   # nS, (4000,)
        ```
    """

    def __call__(
        self, table: OutDegreeTable, spikes: ArrayLike, weight: ArrayLike
    ) -> Float[Array, " n_post"]:
        w = check_weight(table, weight)
        s = _check_spikes(table, spikes).astype(w.dtype)
        n_pre = table.n_pre
        block = _block_size(n_pre)
        n_blocks = -(-n_pre // block)
        ids = jnp.arange(n_blocks * block, dtype=jnp.int32)
        fired = jnp.pad(s != 0, (0, n_blocks * block - n_pre))
        count = jnp.sum(fired, dtype=jnp.int32)
        # By block: the index of each spiking neuron (n_pre elsewhere), and the
        # last spiking index of each block (-1 for a block without spikes).
        spiking = jnp.where(fired, ids, n_pre).reshape(n_blocks, block)
        last_in_block = jnp.max(
            jnp.where(fired, ids, -1).reshape(n_blocks, block), axis=1
        )
        blocks = jnp.arange(n_blocks, dtype=jnp.int32)
        indices = table.indices
        per_synapse = w.ndim == 2

        def add_next(_, carry):
            previous, out = carry
            b = jnp.min(jnp.where(last_in_block > previous, blocks, n_blocks - 1))
            row = jax.lax.dynamic_index_in_dim(spiking, b, keepdims=False)
            i = jnp.min(jnp.where(row > previous, row, n_pre))
            w_i = w[i] if per_synapse else w
            return i, out.at[indices[i]].add(w_i * s[i], mode="drop")

        out = jnp.zeros(table.n_post, w.dtype)
        start = jnp.asarray(-1, jnp.int32)
        return jax.lax.fori_loop(0, count, add_next, (start, out))[1]


class Dense(AbstractPropagation):
    """Expand the table to a dense matrix and multiply: `spikes @ W`.

    Costs `O(n_pre n_post)` per call whatever the activity, so it suits small
    networks, gradients (it is differentiable in spikes and weights), and
    cross-checks of the other strategies. The matrix product runs at full
    precision (float32 matmuls on a GPU otherwise default to reduced precision).

    !!! example
        ```python
        assert jnp.array_equal(bx.connect.Dense()(table, spikes, 6.0),
                               bx.connect.EventDriven()(table, spikes, 6.0))
        ```
    """

    def __call__(
        self, table: OutDegreeTable, spikes: ArrayLike, weight: ArrayLike
    ) -> Float[Array, " n_post"]:
        W = table.to_dense(weight)
        s = _check_spikes(table, spikes).astype(W.dtype)
        return jnp.matmul(s, W, precision=jax.lax.Precision.HIGHEST)
