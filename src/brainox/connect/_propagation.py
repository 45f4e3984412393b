"""Propagation strategies: how spikes travel through a table to the post side.

Every strategy computes `out[k] = sum_i spikes[i] * W[i, k]` for the weights `W`
of an [`brainox.connect.OutDegreeTable`][]; they differ in cost. This file holds
the interface, its two capability markers (how a strategy supports heterogeneous
delays), and the two strategies that read the table as stored:
[`brainox.connect.EventDriven`][] and [`brainox.connect.Dense`][].
"""

import abc
import functools
import math
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

import equinox as eqx
import jax
import jax.numpy as jnp

from .._custom_types import Array, ArrayLike, Float, Int
from . import _native
from ._compact_rows import OFFSET_LIMIT, CompactRows, compact_rows, padded_rows
from ._table import OutDegreeTable, check_derived_from, check_weight


_P = TypeVar("_P", bound="AbstractPropagation")


def _check_vector(name: str, value: ArrayLike, n: int, per: str) -> Array:
    """`value` as an array of shape `(n,)`; errors name the argument and shape."""
    value = jnp.asarray(value)
    if value.shape != (n,):
        raise ValueError(
            f"`{name}` has shape {value.shape}; expected ({n},), one value per {per}."
        )
    return value


def check_spikes(n_pre: int, spikes: ArrayLike) -> Array:
    """The spike vector as an array of shape `(n_pre,)`; errors name the shape."""
    return _check_vector("spikes", spikes, n_pre, "presynaptic neuron of the table")


def check_accumulator(n_post: int, into: ArrayLike) -> Array:
    """The accumulator as an array of shape `(n_post,)`; errors name the shape."""
    return _check_vector(
        "into",
        into,
        n_post,
        "post-synaptic neuron of the connectivity (a synapse must have the size "
        "of the connectivity's n_post)",
    )


class AbstractPropagation(eqx.Module):
    """A way to compute the post-synaptic input from presynaptic spikes.

    Every strategy computes the same thing,
    `out[k] = sum_i spikes[i] * W[i, k]`, with `W` the weights of a
    [`brainox.connect.OutDegreeTable`][] (a scalar or per-synapse weight); they
    differ in cost, which depends on the backend and the network's size and
    activity. With integer-valued weights and 0/1 spikes all strategies give
    bit-identical results; otherwise they agree up to float rounding (the sums
    run in different orders).

    | strategy | work per step | gradients | per-synapse delays |
    |---|---|---|---|
    | `EventDriven` | spikes x out-degree | forward only | post-side ring |
    | `CompactedEventDriven` | n_pre + buffer x degree | forward only | post-side ring |
    | `Dense` | n_pre x n_post | yes | post-side ring |
    | `FixedInDegreeGather` | n_post x in-degree | yes | pre-side history |
    | `Procedural` | n_post x in-degree + RNG | yes | no |

    [`brainox.connect.default_propagation`][] picks one by backend. A strategy
    that needs a form derived from the table (the in-degree table of the gather)
    builds it once in `prepare(table)`, which a [`brainox.Projection`][] calls
    at construction. Concrete strategies are final.
    """

    @abc.abstractmethod
    def __call__(
        self, table: Any, spikes: ArrayLike, weight: ArrayLike
    ) -> Float[Array, " n_post"]:
        """The summed input to each post-synaptic neuron.

        **Arguments:**

        - `table`: the connectivity, an [`brainox.connect.OutDegreeTable`][].
        - `spikes`: the presynaptic spikes of this step, shape `(n_pre,)`
          (usually 0.0/1.0; other values scale the weights).
        - `weight`: a scalar, or per-synapse weights of the table's shape (nS for
          a conductance, pA for a current).

        **Returns:** shape `(n_post,)`, in the unit of `weight`.
        """

    def accumulate(
        self, table: Any, spikes: ArrayLike, weight: ArrayLike, into: Array
    ) -> Float[Array, " n_post"]:
        """`into` plus the summed input, `into + self(table, spikes, weight)`.

        A synapse that adds the summed input unchanged to one of its variables
        (the conductance of [`brainox.synapses.Exponential`][]) passes that
        variable as `into` (see [`brainox.synapses.AbstractSynapse.add_from`][]).
        A strategy that visits the synapses of the spikes adds them straight
        into it: [`brainox.connect.EventDriven`][] then needs no separate sum
        to clear and add, and its CPU kernel writes into `into`'s buffer. The
        others add their sum.

        **Arguments:**

        - `table`, `spikes`, `weight`: as for calling the strategy.
        - `into`: the accumulator, shape `(n_post,)`, in the unit of `weight`.

        **Returns:** shape `(n_post,)`, the dtype of `into`. A row scatter adds
        each spike's weights to `into` in turn, so the sum can differ from
        `into + self(...)` in the last bits (not with integer values).

        !!! example
            ```python
            table = bx.connect.fixed_probability(key, 3200, 4000, 0.02)
            g = bx.connect.EventDriven().accumulate(table, spikes, 6.0, g)  # nS
            ```
        """
        increments = self(table, spikes, weight)
        into = check_accumulator(increments.shape[0], into)
        return (into + increments).astype(into.dtype)

    def prepare(self: _P, table: Any) -> _P:
        """This strategy, ready to propagate through `table`.

        Strategies that read the table as stored return themselves; one that
        needs a derived form (such as the in-degree table of
        [`brainox.connect.FixedInDegreeGather`][]) computes it here, once, and
        returns a strategy holding it. [`brainox.Projection`][] calls this at
        construction, so the derived form is a field of the projection and is
        not recomputed each step.

        **Arguments:**

        - `table`: the connectivity the strategy will be called with.

        **Returns:** a strategy of the same type.
        """
        return self


class AbstractScatterPropagation(AbstractPropagation):
    """A strategy that supports per-synapse delays by scattering into the future.

    With heterogeneous delays (see [`brainox.delays.HeterogeneousDelay`][]) a
    projection keeps a ring buffer of future input on the post-synaptic side,
    shape `(length, n_post)`. Each step, each spike adds its weight `w[i, k]`
    to the slot of the step in which it arrives; the projection then reads the
    slot of the current step (and clears it before it is reused). Strategies
    of this kind implement the scatter as `scatter_delayed`.
    """

    @abc.abstractmethod
    def scatter_delayed(
        self,
        table: OutDegreeTable,
        spikes: ArrayLike,
        weight: ArrayLike,
        steps: Int[Array, "n_pre max_degree"],
        ring: Float[Array, "length n_post"],
        head: Int[Array, ""],
    ) -> Float[Array, "length n_post"]:
        """Add each spike's weights to the ring buffer of future input.

        Synapse `(i, k)` adds `spikes[i] * w[i, k]` to
        `ring[(head + steps[i, k] - 1) % length, indices[i, k]]`: slot `head`
        is read in the current step, so a delay of one step arrives now.

        **Arguments:**

        - `table`: the connectivity.
        - `spikes`: presynaptic spikes emitted during the previous step, `(n_pre,)`.
        - `weight`: a scalar or per-synapse weights (the table's shape).
        - `steps`: per-synapse delays in steps, `>= 1` and `<= length`, the
          table's shape (padded entries must hold a valid value such as 1).
        - `ring`: the buffer of future input.
        - `head`: the slot of the current step.

        **Returns:** the updated buffer.
        """


class AbstractGatherPropagation(AbstractPropagation):
    """A strategy that supports per-synapse delays by reading a spike history.

    With heterogeneous delays a gather keeps, instead of a buffer of future
    input, the presynaptic spikes of the last `length` steps (shape
    `(length, n_pre)`): each post neuron reads, for each of its synapses, the
    spike emitted that synapse's delay ago. Nothing is scattered, so the result
    is differentiable like the undelayed gather. Strategies of this kind
    implement the read as `gather_delayed`.
    """

    @abc.abstractmethod
    def gather_delayed(
        self,
        table: OutDegreeTable,
        history: Float[Array, "length n_pre"],
        head: Int[Array, ""],
        weight: ArrayLike,
        steps: Int[Array, "n_pre max_degree"],
    ) -> Float[Array, " n_post"]:
        """The input arriving now, read from the presynaptic spike history.

        Synapse `(i, k)` contributes `history[(head - steps[i, k] + 1) % length, i]
        * w[i, k]`, where `history[head]` holds the spikes emitted during the
        previous step (a delay of one step).

        **Arguments:**

        - `table`: the connectivity.
        - `history`: presynaptic spikes of the last `length` steps.
        - `head`: the slot holding the most recent spikes.
        - `weight`: a scalar or per-synapse weights (the table's shape).
        - `steps`: per-synapse delays in steps, `>= 1` and `<= length`.

        **Returns:** shape `(n_post,)`.
        """


def _row_values(
    table: OutDegreeTable, s: Array, w: Array, rows: Array
) -> tuple[Array, Array]:
    """The targets and added values of the table rows `rows`.

    `rows` is one presynaptic index or an array of them; an index of `n_pre` (or
    more) is padding, whose targets are `n_post` (out of range: dropped by the
    scatter) and whose values are 0.
    """
    targets = table.indices.at[rows].get(mode="fill", fill_value=table.n_post)
    spike = s.at[rows].get(mode="fill", fill_value=0)[..., None]
    if w.ndim == 2:
        values = w.at[rows].get(mode="fill", fill_value=0) * spike
    else:
        values = jnp.broadcast_to(w * spike, targets.shape)
    return targets, values


def add_rows(table: OutDegreeTable, s: Array, w: Array, rows: Array, out: Array):
    """`out` plus the weights of the rows `rows` times their spikes."""
    targets, values = _row_values(table, s, w, rows)
    return out.at[targets].add(values, mode="drop")


def add_rows_delayed(
    table: OutDegreeTable,
    s: Array,
    w: Array,
    steps: Array,
    head: Array,
    rows: Array,
    ring: Array,
):
    """`ring` plus the weights of the rows `rows`, each at its arrival slot."""
    targets, values = _row_values(table, s, w, rows)
    delay = steps.at[rows].get(mode="fill", fill_value=1)
    slots = (head + delay - 1) % ring.shape[0]
    return ring.at[slots, targets].add(values, mode="drop")


def _block_size(n: int) -> int:
    # A power of two near sqrt(n): finding the next spike then scans about
    # 2 sqrt(n) values instead of n.
    return max(32, 1 << math.ceil(math.log2(math.sqrt(n))))


def _for_each_spike(s: Array, body: Callable[[Array, Any], Any], init: Any) -> Any:
    """Run `carry = body(i, carry)` for every `i` with `s[i] != 0`, ascending."""
    n_pre = s.shape[0]
    block = _block_size(n_pre)
    n_blocks = -(-n_pre // block)
    ids = jnp.arange(n_blocks * block, dtype=jnp.int32)
    fired = jnp.pad(s != 0, (0, n_blocks * block - n_pre))
    count = jnp.sum(fired, dtype=jnp.int32)
    # By block: the index of each spiking neuron (n_pre elsewhere), and the
    # last spiking index of each block (-1 for a block without spikes).
    spiking = jnp.where(fired, ids, n_pre).reshape(n_blocks, block)
    last_in_block = jnp.max(jnp.where(fired, ids, -1).reshape(n_blocks, block), axis=1)
    blocks = jnp.arange(n_blocks, dtype=jnp.int32)

    def next_spike(_, state):
        previous, carry = state
        b = jnp.min(jnp.where(last_in_block > previous, blocks, n_blocks - 1))
        row = jax.lax.dynamic_index_in_dim(spiking, b, keepdims=False)
        i = jnp.min(jnp.where(row > previous, row, n_pre))
        return i, body(i, carry)

    start = jnp.asarray(-1, jnp.int32)
    return jax.lax.fori_loop(0, count, next_spike, (start, init))[1]


class AbstractRowScatter(AbstractScatterPropagation):
    """A scatter strategy that adds the table rows of the neurons that spiked.

    Subclasses say how the spiking rows are visited (`for_each_spiking_row`);
    the output, with or without heterogeneous delays, is then built the same
    way: each visited row adds its weights, times its spike, to its targets.
    """

    @abc.abstractmethod
    def for_each_spiking_row(
        self, table: OutDegreeTable, s: Array, body: Callable, init: Any
    ) -> Any:
        """Run `carry = body(rows, carry)` over the nonzero entries of `s`:
        `rows` is one index or a padded array of them (padding `n_pre`)."""

    def add_spiking_rows(
        self, table: OutDegreeTable, s: Array, w: Array, into: Array
    ) -> Array:
        """`into` plus the weights of every row with a nonzero spike, times that
        spike, added per target: shape `(n_post,)`."""
        add = functools.partial(add_rows, table, s, w)
        return self.for_each_spiking_row(table, s, add, into)

    def __call__(
        self, table: OutDegreeTable, spikes: ArrayLike, weight: ArrayLike
    ) -> Float[Array, " n_post"]:
        # The sum is the accumulation into zeros of the weight's dtype.
        w = check_weight(table, weight)
        return self.accumulate(table, spikes, w, jnp.zeros(table.n_post, w.dtype))

    def accumulate(
        self,
        table: OutDegreeTable,
        spikes: ArrayLike,
        weight: ArrayLike,
        into: Array,
    ) -> Float[Array, " n_post"]:
        into = check_accumulator(table.n_post, into)
        w = check_weight(table, weight, into.dtype)
        s = check_spikes(table.n_pre, spikes).astype(into.dtype)
        return self.add_spiking_rows(table, s, w, into)

    def scatter_delayed(
        self,
        table: OutDegreeTable,
        spikes: ArrayLike,
        weight: ArrayLike,
        steps: Int[Array, "n_pre max_degree"],
        ring: Float[Array, "length n_post"],
        head: Int[Array, ""],
    ) -> Float[Array, "length n_post"]:
        w = check_weight(table, weight, ring.dtype)
        s = check_spikes(table.n_pre, spikes).astype(ring.dtype)
        # Each synapse adds into the ring at its arrival slot.
        add = functools.partial(add_rows_delayed, table, s, w, steps, head)
        return self.for_each_spiking_row(table, s, add, ring)


KERNELS = ("auto", "native", "xla")


class EventDriven(AbstractRowScatter):
    """Add the weights of the neurons that spiked: work follows the spikes.

    For every presynaptic neuron that spiked, in ascending order, its row of
    the table is added to the output. The work is one pass over the spike
    vector plus one addition per synapse of a spiking neuron, which makes this
    the fastest strategy on a CPU for sparse activity (see
    `benchmarks/propagation.py`). No buffer is involved, so nothing can
    overflow.

    **Two implementations, the same sums bit for bit** (`kernel`):

    - `"native"`: on the CPU, a C++ kernel called through XLA's FFI does all the
      additions in one call. brainox compiles it on first use with the
      system's C++ compiler (a few seconds, then cached; see "The native CPU
      kernel" in the connectivity guide for the settings). Prepared for a
      table (`prepare(table)`, which [`brainox.Projection`][] and
      [`brainox.connect.default_propagation`][] do), it reads the table's
      compact rows: the synapses without the padding, with 16-bit targets up
      to `2^16` post neurons, prefetched a batch of spikes at a time
      (`benchmarks/propagation.py`, in-degree 80, 20 Hz: 3.4 us per step at
      N = 4000 against 5.8 reading the padded table, 23 against 35 at 16000,
      238 against 274 at 10^5).
    - `"xla"`: a `lax.while_loop` with one iteration per spiking neuron, which
      finds the next spike by a block scan (the spike vector is cut into blocks
      of about `sqrt(n_pre)` neurons; each iteration scans the last spiking
      index of every block, then the one block that holds the spike) and
      scatters its row. It runs anywhere; each iteration costs a few
      microseconds of XLA's loop machinery on a CPU (`benchmarks/propagation.py`
      at N = 4000, 8 spikes per step: 25.8 us per step, against 3.4 with the
      kernel).
    - `"auto"` (default): `"native"` for float32 / float64 computations on the
      CPU backend, `"xla"` otherwise, and `"xla"` with a warning (once) if the
      kernel cannot be built, e.g. without a C++ compiler. `BRAINOX_NATIVE=0`
      makes `"auto"` use the loop without building or warning.

    Heterogeneous delays: each spike's row is added into the post-side ring
    buffer of future input, at the slot of each synapse's arrival step. This
    always runs as the XLA loop, which updates the ring in place (through the
    kernel XLA copied the whole ring every step).

    **Arguments:**

    - `kernel`: `"auto"`, `"native"` (raises if the kernel cannot be built or
      the dtype is not float32 / float64) or `"xla"`.
    - `rows`: the compact rows the kernel reads, built by `prepare(table)`
      (which [`brainox.Projection`][] calls); leave it `None`.

    !!! warning
        Forward-mode derivatives (`jax.jvp`) work; reverse mode does not: for
        surrogate-gradient training use [`brainox.connect.Dense`][] or
        [`brainox.connect.FixedInDegreeGather`][]. On a GPU a per-spike loop is
        slow at large sizes (74x slower than the gather at 10^5 neurons on an
        H100); use the gather or [`brainox.connect.CompactedEventDriven`][]
        there.

    !!! example
        ```python
        table = bx.connect.fixed_probability(jax.random.key(0), 3200, 4000, 0.02)
        event = bx.connect.EventDriven().prepare(table)   # compact rows, once
        g_input = event(table, spikes, 6.0)               # nS, (4000,)
        assert jnp.array_equal(
            g_input, bx.connect.EventDriven(kernel="xla")(table, spikes, 6.0)
        )
        ```
    """

    kernel: str = eqx.field(default="auto", static=True)
    rows: CompactRows | None = None

    def __check_init__(self):
        if self.kernel not in KERNELS:
            raise ValueError(
                f"`kernel` must be one of {KERNELS}, got {self.kernel!r}: "
                '"auto" picks the native CPU kernel when it can be built.'
            )

    def _use_native(self, dtype: Any) -> bool:
        if self.kernel == "xla":
            return False
        if self.kernel == "auto" and (
            jax.default_backend() != "cpu" or _native.disabled()
        ):
            return False
        supported = jnp.dtype(dtype) in _native.SUPPORTED_DTYPES
        reason = _native.load() if supported else f"dtype {jnp.dtype(dtype)}"
        if reason is None:
            return True
        if self.kernel == "native":
            raise RuntimeError(
                f"EventDriven(kernel='native') cannot run: {reason}. The kernel "
                "supports float32 and float64 on the CPU; use kernel='auto' to "
                "fall back to the XLA loop."
            )
        if supported:
            _warn_fallback(reason)
        return False

    def prepare(self, table: OutDegreeTable) -> "EventDriven":
        """This strategy holding the compact rows of `table`, for the kernel.

        The rows of the table without their padding, with 16-bit targets when
        `table.n_post <= 2^16`, built once here (on the host). The kernel then
        reads a fraction of the padded table's memory per spike. Nothing is
        built for `kernel="xla"`, for a traced table, or for a table with
        padding before a synapse in some row (no generator makes one): the
        kernel then reads the padded table, with the same sums.
        """
        if self.kernel == "xla":
            return self
        return EventDriven(self.kernel, compact_rows(table))

    def _rows(self, table: OutDegreeTable) -> CompactRows | None:
        # The rows the kernel reads: the compact ones, else the padded table
        # (None if it has too many entries for 32-bit offsets: the loop runs).
        if self.rows is None:
            if table.indices.size > OFFSET_LIMIT:
                return None
            return padded_rows(table)
        check_derived_from(
            self.rows,
            table,
            "EventDriven holds compact rows",
            "EventDriven().prepare(table)",
        )
        return self.rows

    def add_spiking_rows(
        self, table: OutDegreeTable, s: Array, w: Array, into: Array
    ) -> Array:
        # Only the undelayed sum runs through the kernel: with delays the loop
        # (`scatter_delayed`) adds into the ring buffer in place, where the
        # kernel, an opaque call, made XLA copy the whole ring every step.
        loop = super().add_spiking_rows
        rows = self._rows(table)
        if rows is None or not self._use_native(w.dtype):
            return loop(table, s, w, into)

        def native(s, w, into):
            return _native.add_spiking_rows(rows, s, w, into)

        # The kernel exists for the CPU only; on another platform (arrays
        # placed on a GPU), the loop is lowered instead.
        return jax.lax.platform_dependent(
            s, w, into, cpu=native, default=functools.partial(loop, table)
        )

    def for_each_spiking_row(
        self, table: OutDegreeTable, s: Array, body: Callable, init: Any
    ) -> Any:
        """One row at a time, found by a block scan (see the class docstring)."""
        return _for_each_spike(s, body, init)


@functools.cache
def _warn_fallback(reason: str) -> None:
    warnings.warn(
        f"brainox's native CPU kernel for bx.connect.EventDriven is not "
        f"available ({reason}); EventDriven uses its XLA loop instead, which "
        "gives the same results more slowly (see docs/performance.md). Pass "
        "EventDriven(kernel='xla'), or set BRAINOX_NATIVE=0, to choose the loop "
        "without this warning.",
        RuntimeWarning,
        stacklevel=4,
    )


class Dense(AbstractScatterPropagation):
    """Expand the table to a dense matrix and multiply: `spikes @ W`.

    Costs `O(n_pre n_post)` per call whatever the activity, so it suits small
    networks, gradients (it is differentiable in spikes and weights), and
    cross-checks of the other strategies. The matrix product runs at full
    precision (float32 matmuls on a GPU otherwise default to reduced precision).

    Heterogeneous delays: every synapse of the table is scattered into the
    post-side ring buffer each step (`O(synapses)`, spiking or not), a
    differentiable reference for the event-driven path.

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
        s = check_spikes(table.n_pre, spikes).astype(W.dtype)
        return jnp.matmul(s, W, precision=jax.lax.Precision.HIGHEST)

    def scatter_delayed(
        self,
        table: OutDegreeTable,
        spikes: ArrayLike,
        weight: ArrayLike,
        steps: Int[Array, "n_pre max_degree"],
        ring: Float[Array, "length n_post"],
        head: Int[Array, ""],
    ) -> Float[Array, "length n_post"]:
        w = check_weight(table, weight, ring.dtype)
        s = check_spikes(table.n_pre, spikes).astype(ring.dtype)
        values = s[:, None] * jnp.broadcast_to(w, table.indices.shape)
        slots = (head + steps - 1) % ring.shape[0]
        return ring.at[slots, table.indices].add(values, mode="drop")
