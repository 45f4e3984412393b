"""Procedural connectivity: regenerated from a seed each step, never stored."""

import math
from collections.abc import Callable

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jax.core import Tracer
from jaxtyping import PRNGKeyArray, UInt32

from .._custom_types import Array, ArrayLike, Bool, Float, Int, RealScalarLike
from .._validate import check_key, check_size
from ._checks import check_flag, check_probability
from ._geometric import geometric_gaps, log1m
from ._in_degree import max_count, transpose_indices
from ._propagation import AbstractPropagation, check_spikes
from ._table import OutDegreeTable


def _saturating_add(cap: int) -> Callable[[Array, Array], Array]:
    return lambda a, b: jnp.minimum(a + b, cap)


_M1 = np.uint32(0x7FEB352D)
_M2 = np.uint32(0x846CA68B)
_LOW16 = np.uint32(0xFFFF)


def _mix(x: Array) -> Array:
    # lowbias32 (C. Wellons' integer hash): a bijection of uint32 with good
    # avalanche; a handful of integer operations against threefry's ~80.
    x = x ^ (x >> 16)
    x = x * _M1
    x = x ^ (x >> 15)
    x = x * _M2
    return x ^ (x >> 16)


def _below(h: Array, n: Array) -> Array:
    # floor(h * n / 2^32) for uint32 h and 0 < n < 2^31: a draw in [0, n)
    # (bias at most n / 2^32), by 16-bit halves so no 64-bit product is needed.
    n = n.astype(jnp.uint32)
    a, c = h >> 16, h & _LOW16
    n_hi, n_lo = n >> 16, n & _LOW16
    a_lo, c_hi, c_lo = a * n_lo, c * n_hi, c * n_lo
    middle = (a_lo & _LOW16) + (c_hi & _LOW16) + (c_lo >> 16)
    high = a * n_hi + (a_lo >> 16) + (c_hi >> 16) + (middle >> 16)
    return high.astype(jnp.int32)


def _default_block(capacity: int, n_post: int) -> int:
    # About 2^20 generated partners per block: a few MB live at a time.
    return max(1, min(n_post, (1 << 20) // max(capacity, 1)))


class Procedural(AbstractPropagation):
    """Random connectivity regenerated from a key at every step: no stored synapses.

    For networks too big to store (10^6 neurons with 10^3 synapses each is
    10^9 synapses, 8 GB as an index table and its weights), each post-synaptic
    neuron `j` draws its presynaptic partners afresh every step, always the
    same ones, and sums their spikes: a gather like
    [`brainox.connect.FixedInDegreeGather`][], with the partner indices
    computed instead of loaded.

    Algorithm: draw `k` of post neuron `j` is a counter-based integer hash of
    `(j, k)` and two seed words taken from `key` (see
    [`brainox.connect.Procedural.partners`][]), so each neuron's partners are
    computed independently, in blocks of `block_size` post neurons. A
    `lax.optimization_barrier` ties them to the step's spikes, so XLA
    never hoists the generation out of the simulation loop (which would store
    the synapses after all).

    Cost: memory `O(n_pre + n_post)` plus one block; work per step about that
    of the gather plus a few integer operations per synapse (fixed in-degree
    rule): measured on a 2-core CPU, about 0.75 ms per step at N = 4000 and
    in-degree 80, close to the stored gather. The fixed-probability rule draws
    about twice as many numbers and needs a log and a prefix sum per draw
    (about 10x slower on a CPU).

    Two statistics are available (give exactly one):

    - `in_degree=k`: each post neuron has exactly `k` partners drawn uniformly
      and independently (with replacement, so a pair may connect twice, as
      NEST's `fixed_indegree` with `allow_multapses=True`).
    - `p=p`: each pair connects independently with probability `p`
      (binomial in-degrees, distinct partners). The partners of a post neuron
      are generated as the running sum of geometric gaps, up to `capacity`
      draws per neuron. A neuron with more than `capacity` partners would be
      cut short: the construction checks every neuron when the key is
      concrete (doubling the default capacity until it suffices), and every
      call checks again with `eqx.error_if`, so nothing is dropped silently.

    The same `key` and arguments give the same connectivity whatever
    `block_size` (which only bounds the memory used per step).
    [`brainox.connect.Procedural.table`][] materialises it as an
    [`brainox.connect.OutDegreeTable`][], through which every stored strategy
    gives the same input (bit-identical with integer-valued weights). The
    connectivity differs from that of [`brainox.connect.fixed_probability`][]
    for the same key (that generator draws out-degrees per presynaptic neuron).

    Weights are one scalar (nS, pA or mV): per-synapse weights would have to be
    stored. Heterogeneous delays are not supported (use the materialised table
    with a stored strategy); a homogeneous delay is.

    In a [`brainox.Projection`][], pass it as the `connectivity` (it is then
    also the propagation).

    **Arguments:**

    - `key`: a `jax.random.key`, the seed of the connectivity.
    - `n_pre`, `n_post`: numbers of pre- and post-synaptic neurons.
    - `in_degree`: number of partners per post neuron (fixed in-degree rule).
    - `p`: connection probability (fixed-probability rule).
    - `allow_autapses`: if `False`, post neuron `j` never draws pre neuron `j`
      (when both index the same population).
    - `capacity`: fixed-probability rule only: partners drawn per post neuron
      (default: mean + 7 standard deviations + 16, enough with overwhelming
      probability and checked).
    - `block_size`: post neurons generated at once (default: about 2^20
      partners per block).

    !!! example
        ```python
        conn = bx.connect.Procedural(jax.random.key(0), 80_000, 1_000_000,
                                     in_degree=80)
        proj = bx.Projection("exc", "all", conn, weight=6.0,
                             synapse=bx.synapses.Exponential(1_000_000, tau=5.0))
        table = bx.connect.Procedural(key, 300, 200, p=0.1).table()  # small ones
        ```
    """

    key: PRNGKeyArray
    n_pre: int = eqx.field(static=True)
    n_post: int = eqx.field(static=True)
    in_degree: int | None = eqx.field(static=True)
    p: float | None = eqx.field(static=True)
    allow_autapses: bool = eqx.field(static=True)
    capacity: int = eqx.field(static=True)
    block_size: int = eqx.field(static=True)

    def __init__(
        self,
        key: PRNGKeyArray,
        n_pre: int,
        n_post: int,
        *,
        in_degree: int | None = None,
        p: RealScalarLike | None = None,
        allow_autapses: bool = True,
        capacity: int | None = None,
        block_size: int | None = None,
    ):
        self.key = check_key("key", key)
        self.n_pre = check_size("n_pre", n_pre)
        self.n_post = check_size("n_post", n_post)
        if (in_degree is None) == (p is None):
            raise ValueError(
                "give exactly one of `in_degree` (partners per post neuron) and "
                f"`p` (connection probability), got in_degree={in_degree!r}, "
                f"p={p!r}."
            )
        self.allow_autapses = check_flag("allow_autapses", allow_autapses)
        if not self.allow_autapses and self.n_pre == 1:
            raise ValueError(
                "`allow_autapses=False` with n_pre = 1 leaves post neuron 0 no "
                "candidate partner; allow autapses or use more presynaptic neurons."
            )
        if in_degree is not None:
            if isinstance(in_degree, bool) or not isinstance(
                in_degree, (int, np.integer)
            ):
                raise TypeError(f"`in_degree` must be an int, got {in_degree!r}.")
            if in_degree < 0:
                raise ValueError(f"`in_degree` must be >= 0, got {in_degree}.")
            if capacity is not None:
                raise ValueError(
                    "`capacity` applies to the fixed-probability rule only; with "
                    f"`in_degree` = {in_degree} every neuron draws exactly that many."
                )
            self.in_degree, self.p = int(in_degree), None
            self.capacity = self.in_degree
        else:
            value = check_probability(p)
            self.in_degree, self.p = None, value
            mean = self.n_pre * value
            default = math.ceil(mean + 7.0 * math.sqrt(mean * (1.0 - value)) + 16.0)
            default = 0 if value == 0.0 else min(default, self.n_pre)
            if capacity is None:
                self.capacity = default
            else:
                if isinstance(capacity, bool) or not isinstance(
                    capacity, (int, np.integer)
                ):
                    raise TypeError(f"`capacity` must be an int, got {capacity!r}.")
                if capacity < 1 and value > 0.0:
                    raise ValueError(
                        f"`capacity` must be a positive number of partners, got "
                        f"{capacity}; omit it for the default ({default})."
                    )
                self.capacity = min(int(capacity), self.n_pre)
        if block_size is None:
            self.block_size = _default_block(self.capacity, self.n_post)
        else:
            self.block_size = check_size("block_size", block_size)
        if self.p is not None and not isinstance(key, Tracer):
            # Check every post neuron once (one pass, nothing stored); grow a
            # default capacity until it holds them all.
            while not bool(_complete(self)):
                if capacity is not None:
                    raise ValueError(self._overflow_message())
                self.capacity = min(2 * self.capacity, self.n_pre)
                if block_size is None:
                    self.block_size = _default_block(self.capacity, self.n_post)

    def _overflow_message(self) -> str:
        return (
            f"Procedural connectivity (p = {self.p}, n_pre = {self.n_pre}, "
            f"n_post = {self.n_post}): a post-synaptic neuron has more than "
            f"capacity = {self.capacity} presynaptic partners, so its input would "
            "be cut short. Raise it: bx.connect.Procedural(..., capacity="
            f"{2 * self.capacity}), or omit `capacity` for a checked default."
        )

    def seed(self) -> UInt32[Array, "2"]:
        """The two 32-bit words, drawn from `key`, that seed the hash."""
        return jax.random.bits(self.key, (2,), jnp.uint32)

    def partners(
        self, posts: Int[Array, " b"], seed: UInt32[Array, "2"] | None = None
    ) -> tuple[Int[Array, "b c"], Bool[Array, " b"]]:
        """The presynaptic partners of the post neurons `posts`, regenerated.

        Draw `k` of post neuron `j` is the hash `mix(mix(mix(j) ^ s0) ^
        mix(k + s1))` of its indices and the seed words `(s0, s1)` (`mix` is
        the `lowbias32` integer hash, a bijection of 32-bit words): counter
        based, so any neuron's partners are computed independently of the
        others, in any order or block. In-degree rule: the partner is
        `floor(hash * candidates / 2^32)`. Probability rule: the gaps between
        successive partners are geometric, drawn from the uniform
        `(hash >> 8) / 2^24`.

        **Arguments:**

        - `posts`: indices of post-synaptic neurons, shape `(b,)`.
        - `seed`: the seed words (default: `self.seed()`).

        **Returns:** `(pre, complete)`: `pre` of shape `(b, capacity)` lists the
        partners of each (ascending for the fixed-probability rule), padded
        with `n_pre`; `complete[j]` is `False` where a neuron has more partners
        than `capacity` (always `True` for the fixed in-degree rule).
        """
        n_pre, width = self.n_pre, self.capacity
        seed = self.seed() if seed is None else seed
        posts = posts.astype(jnp.int32)
        exclude = jnp.logical_and(not self.allow_autapses, posts < n_pre)
        candidates = n_pre - exclude.astype(jnp.int32)
        b = posts.shape[0]
        if width == 0:
            return jnp.zeros((b, 0), jnp.int32), jnp.ones(b, bool)
        per_post = _mix(_mix(posts.astype(jnp.uint32)) ^ seed[0])
        per_draw = _mix(jnp.arange(width, dtype=jnp.uint32) + seed[1])
        h = _mix(per_post[:, None] ^ per_draw[None, :])
        if self.p is None:
            draw = _below(h, candidates[:, None])
            valid = jnp.ones(draw.shape, bool)
            complete = jnp.ones(b, bool)
        else:
            # Geometric gaps between successive connected candidates, summed.
            cap = n_pre + 1
            gaps = geometric_gaps(h, log1m(self.p), cap)
            # A log-depth scan (XLA's cumsum is slower here on a CPU); it
            # saturates where the running sum could overflow int32.
            add = jnp.add if width * cap < 2**31 - 1 else _saturating_add(cap)
            ends = jax.lax.associative_scan(add, gaps, axis=1)
            draw = ends - 1
            valid = draw < candidates[:, None]
            complete = jnp.logical_or(width >= candidates, draw[:, -1] >= candidates)
        shift = jnp.logical_and(exclude[:, None], draw >= posts[:, None])
        pre = jnp.where(valid, draw + shift.astype(jnp.int32), n_pre)
        return pre, complete

    def _map_blocks(
        self, fn: Callable[[Array], Array], seed: Array
    ) -> tuple[Array, Array]:
        # fn(pre of a block) for every block of post neurons; the results are
        # concatenated and cut to n_post. Also returns whether all were complete.
        size = self.block_size
        n_blocks = -(-self.n_post // size)
        posts = jnp.arange(n_blocks * size, dtype=jnp.int32).reshape(n_blocks, size)

        def one(block):
            pre, complete = self.partners(block, seed)
            return fn(pre), jnp.all(jnp.logical_or(complete, block >= self.n_post))

        if n_blocks == 1:
            out, ok = one(posts[0])
        else:
            out, ok = jax.lax.map(one, posts)
            out = out.reshape((n_blocks * size,) + out.shape[2:])
            ok = jnp.all(ok)
        return out[: self.n_post], ok

    def check_weight(self, weight: ArrayLike) -> Float[Array, ""]:
        """The weight as a floating scalar; per-synapse weights are refused."""
        w = jnp.asarray(weight)
        if w.ndim != 0:
            raise ValueError(
                f"`weight` has shape {w.shape}; procedural connectivity stores no "
                "synapses, so it takes one scalar weight. For per-synapse weights "
                "materialise the connectivity with `.table()` and use a stored "
                "strategy."
            )
        floating = jnp.issubdtype(w.dtype, jnp.floating) and not w.weak_type
        return w.astype(w.dtype if floating else jnp.float32)

    def __call__(
        self, table: "Procedural | None", spikes: ArrayLike, weight: ArrayLike
    ) -> Float[Array, " n_post"]:
        """The summed input to each post neuron, the partners drawn afresh.

        **Arguments:**

        - `table`: `None` (or this connectivity, as a projection passes it):
          there is no stored table to read.
        - `spikes`: presynaptic spikes, shape `(n_pre,)`.
        - `weight`: one scalar weight.

        **Returns:** shape `(n_post,)`.
        """
        if table is not None and not isinstance(table, Procedural):
            raise TypeError(
                f"Procedural regenerates its connectivity and reads no table, but "
                f"was called with a {type(table).__name__}; call it as "
                "`conn(None, spikes, weight)`, or use a stored strategy such as "
                "bx.connect.EventDriven on `conn.table()`."
            )
        conn = self if table is None else table
        w = conn.check_weight(weight)
        s = check_spikes(conn.n_pre, spikes).astype(w.dtype)

        def row_sums(pre):
            return jnp.sum(s.at[pre].get(mode="fill", fill_value=0), axis=1)

        # The barrier makes the partners depend on this step's spikes, so XLA
        # cannot hoist their generation out of a simulation loop (which would
        # store them: the memory this strategy exists to save).
        seed, s = jax.lax.optimization_barrier((conn.seed(), s))
        total, ok = conn._map_blocks(row_sums, seed)
        out = total * w
        if conn.p is not None:
            out = eqx.error_if(out, jnp.logical_not(ok), conn._overflow_message())
        return out

    def table(self) -> OutDegreeTable:
        """Materialise the connectivity as an [`brainox.connect.OutDegreeTable`][].

        Generates every post neuron's partners (as each call does) and
        transposes them (one stable sort), so rows list their targets in
        ascending order. Needs a concrete key and memory for all the synapses:
        for testing and for networks small enough to store.

        **Returns:** the out-degree table of exactly this connectivity.
        """
        if isinstance(self.key, Tracer):
            raise ValueError(
                "`table()` needs a concrete key (its width is a shape); call it "
                "outside jit, vmap and grad."
            )
        pre, ok = _generate(self)
        if not bool(ok):
            raise ValueError(self._overflow_message())
        width = max_count(pre, self.n_pre)
        rows, _ = transpose_indices(pre, self.n_pre, width)
        return OutDegreeTable(rows, self.n_post)


@eqx.filter_jit
def _generate(conn: Procedural) -> tuple[Array, Array]:
    return conn._map_blocks(lambda pre: pre, conn.seed())


@eqx.filter_jit
def _complete(conn: Procedural) -> Array:
    zeros = lambda pre: jnp.zeros(pre.shape[0], jnp.int32)
    return conn._map_blocks(zeros, conn.seed())[1]
