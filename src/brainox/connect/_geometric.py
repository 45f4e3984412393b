"""Gaps between the successes of independent Bernoulli(p) trials."""

import math

import jax.numpy as jnp

from .._custom_types import Array


def log1m(p: float) -> float:
    """`log(1 - p)` in float64 (`-inf` at `p = 1`), for `geometric_gaps`."""
    return -math.inf if p >= 1.0 else math.log1p(-p)


def geometric_gaps(bits: Array, log1m_p: Array | float, cap: int) -> Array:
    """The gaps (>= 1) between successive successes of Bernoulli(p) trials.

    One gap per uniform 32-bit word of `bits`: with `v = bits / 2^32`, uniform
    on `[0, 1)`, `gap = 1 + floor(log(1 - v) / log(1 - p))`, for which
    `P(gap > k) = (1 - p)^k`. A small gap needs a small `v`, where float32
    resolves `v` to its 32 bits, so the probabilities of small gaps are exact
    to about `2^-32` (a float32 uniform on `(0, 1]` resolves only `2^-24` near
    1: at `p = 10^-6` that shifts them by up to 6%, and posts whose gap
    probability is under `2^-25` are never drawn). `log1m_p` is `log(1 - p)`
    from `log1m`, `p > 0`; gaps past `cap` are returned as `cap + 1`.
    """
    # The largest words round to 1.0 in float32: keep them below it, so that
    # log(1 - v) stays finite (and p = 1 gives gaps of exactly 1).
    v = jnp.minimum(bits.astype(jnp.float32) * jnp.float32(2.0**-32), 1 - 2.0**-24)
    skip = jnp.floor(jnp.log1p(-v) / log1m_p)
    return 1 + jnp.minimum(skip, cap).astype(jnp.int32)
