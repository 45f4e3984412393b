"""Random connectivity in which every pair connects independently with probability p."""

import functools
import math

import jax
import jax.numpy as jnp

from .._custom_types import Array, RealScalarLike
from .._validate import check_key, check_size
from ._checks import check_flag, check_probability
from ._geometric import geometric_gaps, log1m
from ._table import OutDegreeTable


def _saturating_add(cap: int):
    return lambda a, b: jnp.minimum(a + b, cap)


@functools.partial(jax.jit, static_argnums=(2, 3, 4, 5))
def _draw(
    key: Array,
    log1m_p: Array,
    n_pre: int,
    n_post: int,
    width: int,
    allow_autapses: bool,
) -> tuple[Array, Array, Array]:
    # The gaps between successive connected candidates of a Bernoulli(p) sequence
    # are geometric; their running sum gives the candidates that connect, in
    # ascending order.
    cap = n_post + 1  # any position >= n_post is past the end of a row
    bits = jax.random.bits(key, (n_pre, width), jnp.uint32)
    gaps = geometric_gaps(bits, log1m_p, cap)
    if width * cap < 2**31 - 1:
        ends = jnp.cumsum(gaps, axis=1)
    else:  # saturate, so that the running sum never overflows int32
        ends = jax.lax.associative_scan(_saturating_add(cap), gaps, axis=1)
    pos = ends - 1

    # Without autapses, row i (< n_post) draws from the n_post - 1 candidates
    # other than i: positions >= i shift up by one.
    rows = jnp.arange(n_pre, dtype=jnp.int32)[:, None]
    has_self = jnp.logical_and(not allow_autapses, rows < n_post)
    candidates = n_post - has_self.astype(jnp.int32)  # per row, (n_pre, 1)
    valid = pos < candidates
    post = pos + jnp.logical_and(has_self, pos >= rows).astype(jnp.int32)
    post = jnp.where(valid, post, n_post)
    # Complete when every row ran past its last candidate (or has a column for
    # each candidate); otherwise the caller draws a wider table.
    complete = jnp.logical_or(width >= n_post, jnp.all(pos[:, -1:] >= candidates))
    return post, jnp.max(jnp.sum(valid, axis=1)), complete


def fixed_probability(
    key: Array,
    n_pre: int,
    n_post: int,
    p: RealScalarLike,
    *,
    allow_autapses: bool = True,
) -> OutDegreeTable:
    """Connect every (pre, post) pair independently with probability `p`.

    The out-degrees are binomial and the targets of each presynaptic neuron are
    distinct, in ascending order. Generation is vectorised and compiled (the gaps
    between targets are drawn as geometric variables and summed), so 10^7
    synapses take about a second on a CPU. The same key gives the same table.

    **Arguments:**

    - `key`: a `jax.random.key`.
    - `n_pre`: number of presynaptic neurons.
    - `n_post`: number of post-synaptic neurons.
    - `p`: connection probability, in `[0, 1]`.
    - `allow_autapses`: if `False`, pre neuron `i` never connects to post neuron
      `i`, as when both index the same population (or the presynaptic
      population is the leading slice `[0, n_pre)` of the post-synaptic one).
      Each of the remaining pairs still connects with probability `p`.

    **Returns:** a [`brainox.connect.OutDegreeTable`][].

    !!! example
        ```python
        # 3200 excitatory neurons onto all 4000 neurons of a COBA network
        table = bx.connect.fixed_probability(jax.random.key(0), 3200, 4000, 0.02)
        table.degree().mean()    # about 80
        ```
    """
    n_pre = check_size("n_pre", n_pre)
    n_post = check_size("n_post", n_post)
    p = check_probability(p)
    allow_autapses = check_flag("allow_autapses", allow_autapses)
    key = check_key("key", key)
    if p == 0.0:
        return OutDegreeTable(jnp.full((n_pre, 0), n_post, jnp.int32), n_post)

    # Wide enough for the largest binomial out-degree with overwhelming
    # probability; drawn again twice as wide in the rare case it is not.
    mean = n_post * p
    width = math.ceil(mean + 7.0 * math.sqrt(mean * (1.0 - p)) + 16.0)
    log1m_p = jnp.asarray(log1m(p), jnp.float32)  # an argument: one compile
    while True:
        width = min(width, n_post)
        post, max_degree, complete = _draw(
            key, log1m_p, n_pre, n_post, width, bool(allow_autapses)
        )
        if bool(complete):
            break
        width *= 2
    return OutDegreeTable(post[:, : int(max_degree)], n_post)
