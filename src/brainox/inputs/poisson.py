"""Poisson spike sources: a population of them, and Poisson input as a projection."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jax.core import Tracer

from .._custom_types import Array, ArrayLike, FloatLike, Int, PyTree
from .._state import ShortTerm
from .._validate import as_param, check_built_dt, check_dt, check_size
from ..outputs import CUBA, AbstractOutput, Delta
from ..projections import AbstractSynapticProjection
from ..synapses._base import AbstractSynapse


MS_PER_S = 1000.0
"""Rates are in Hz, steps in ms: a spike has probability `rate dt / 1000` per step."""

_CHUNK = 30.0
"""Largest mean drawn by one inversion (`exp(-30)` is a normal float32)."""

_NEGLIGIBLE = 2.0**-30
"""A tail probability below float32 resolution: the inversion stops there."""


def key_state(key: Array) -> tuple[ShortTerm, str]:
    """A random key as a `ShortTerm` state of raw key data, and its implementation.

    The key data (uint32) is what the scan carries and what [`brainox.reset`][]
    restores; the implementation name (`"threefry2x32"`, `"rbg"`, ...) is static.
    Both typed keys (`jax.random.key`) and raw ones (`jax.random.PRNGKey`) work.
    """
    if not isinstance(key, jax.Array):
        raise TypeError(
            f"`key` must be a jax.random.key, got {type(key).__name__}; pass e.g. "
            "`key=jax.random.key(0)`."
        )
    if not jnp.issubdtype(key.dtype, jax.dtypes.prng_key):
        key = jax.random.wrap_key_data(key)
    if key.shape != ():
        raise ValueError(
            f"`key` must be a single key, got a batch of shape {key.shape}; split "
            "it and pass one key (vmap over the construction for a batch)."
        )
    return ShortTerm(jax.random.key_data(key)), str(jax.random.key_impl(key))


def next_key(state: ShortTerm, impl: str) -> tuple[ShortTerm, Array]:
    """Split the key held in `state`: the advanced state and a sub-key for this step."""
    key, sub = jax.random.split(jax.random.wrap_key_data(state.value, impl=impl))
    return state.replace(jax.random.key_data(key)), sub


def spike_probability(rate: Array, dt: float) -> Array:
    """`rate dt / 1000`, checked (inside `jit` too) to be at most 1."""
    p = rate * (dt / MS_PER_S)
    return eqx.error_if(
        p,
        jnp.any(p > 1),
        f"a Poisson rate times dt exceeds one spike per step (dt = {dt} ms, so "
        f"rates must be <= {MS_PER_S / dt:g} Hz); lower `rate` or `dt`.",
    )


def count_bound(lam: float) -> int:
    """The smallest `K` with `P(X >= K) < 1e-9` for `X ~ Poisson(min(lam, 30))`.

    The number of inversion terms `poisson_counts` computes
    unconditionally (fused into one pass); the rare larger counts are still
    drawn exactly, by a loop that runs only when needed.
    """
    lam = min(max(float(lam), 0.0), _CHUNK)
    term = cdf = float(np.exp(-lam))
    k = 0
    while 1.0 - cdf >= 1e-9 and k < 200:
        k += 1
        term *= lam / k
        cdf += term
    return k + 1


def _inversion(key: Array, lam: Array, unroll: int) -> Array:
    # Poisson(lam) counts for lam <= _CHUNK: the number of k with P(X <= k) < u.
    dtype = lam.dtype
    u = jax.random.uniform(key, lam.shape, dtype)

    def term(carry):
        k, p, cdf, count = carry
        count = count + (u > cdf).astype(jnp.int32)
        k = k + 1
        p = p * lam / k.astype(dtype)
        return k, p, cdf + p, count

    def more(carry):
        k, p, cdf, _ = carry
        # Continue where u > P(X <= k), unless the terms left are below float32
        # resolution (u within rounding of 1): those tails are negligible.
        return jnp.any((u > cdf) & ((p > _NEGLIGIBLE) | (k < lam)))

    p = jnp.exp(-lam)
    carry = (jnp.zeros((), jnp.int32), p, p, jnp.zeros(lam.shape, jnp.int32))
    # The first `unroll` terms as straight-line code, which XLA fuses into one
    # pass over the array; the loop continues only where counts are larger.
    for _ in range(unroll):
        carry = term(carry)
    carry = jax.lax.cond(
        more(carry),
        lambda c: jax.lax.while_loop(more, term, c),
        lambda c: c,
        carry,
    )
    return carry[3]


def poisson_counts(
    key: Array, lam: ArrayLike, *, unroll: int | None = None
) -> Int[Array, "..."]:
    """Independent Poisson counts of mean `lam` (one per entry), drawn exactly.

    Algorithm: inversion of the cumulative distribution, one uniform `u` per
    count: the count is the number of `k` with `P(X <= k) < u`, accumulating
    the terms `p_k = p_{k-1} lam / k`. The first `unroll` terms are computed
    for every entry in one fused pass; a loop then continues only if some `u`
    lies beyond them (probability below 1e-9 per count with the default
    `unroll`), so every count is exact up to the float32 rounding of the
    cumulative sums (below 1e-7 in probability, in the far tail). On a CPU
    this is 10-20x faster than `jax.random.poisson`, whose algorithm for small
    means draws one uniform per event. A mean above 30 is split into parts of
    at most 30 whose counts are summed (a sum of independent Poisson variables
    is Poisson), one uniform per part.

    **Arguments:**

    - `key`: a `jax.random.key`.
    - `lam`: the means (`>= 0`, not checked), any shape.
    - `unroll`: terms computed unconditionally (default: enough that a larger
      count has probability below 1e-9 at `max(lam)` when `lam` is concrete,
      else 8).

    **Returns:** int32 counts of `lam`'s shape.

    !!! example
        ```python
        counts = bx.inputs.poisson_counts(jax.random.key(0), jnp.full(1000, 2.0))
        counts.mean()     # about 2
        ```
    """
    lam = jnp.asarray(lam)
    if not jnp.issubdtype(lam.dtype, jnp.floating):
        lam = lam.astype(jnp.float32)
    if lam.size == 0:
        return jnp.zeros(lam.shape, jnp.int32)
    if unroll is None:
        concrete = not isinstance(lam, Tracer)
        unroll = count_bound(float(jnp.max(lam))) if concrete else 8

    def more(carry):
        return jnp.any(carry[1] > 0)

    def part(carry):
        key, left, count = carry
        key, sub = jax.random.split(key)
        lam_part = jnp.minimum(left, _CHUNK)
        return key, left - lam_part, count + _inversion(sub, lam_part, unroll)

    # One part (one uniform per count) for means up to 30, the usual case.
    start = (key, lam, jnp.zeros(lam.shape, jnp.int32))
    return jax.lax.while_loop(more, part, start)[2]


def _check_no_input(x: PyTree, name: str) -> None:
    if x is not None:
        raise ValueError(
            f"{name} is a spike source and takes no input, but `step` received "
            f"{type(x).__name__}; do not target it with projections or inputs."
        )


class PoissonGroup(eqx.Module):
    """A population of independent Poisson spike sources.

    In each step of `dt` ms, each source spikes with probability `rate dt / 1000`
    (Bernoulli; `rate` in Hz), independently of the other sources and steps: a
    Poisson process of rate `rate` sampled on the step grid. It has a `spike`
    state and `step(x, dt)`, so it is a population of a [`brainox.Network`][]
    whose spikes drive projections like those of any neuron (and
    [`brainox.simulate`][] runs it on its own).

    The random key is a `ShortTerm` state, split at every step: a run is fixed
    by `key`, and the same key gives the same spikes however the run is cut into
    chunks (`chunk_size`) or resumed from a checkpoint. [`brainox.reset`][]
    restores the initial key (and so the same spikes again). `rate` is a
    floating parameter (sweepable without recompiling, differentiable).

    **Arguments:**

    - `n`: number of sources.
    - `rate`: firing rate (Hz, >= 0): a scalar or one value per source.
      `rate dt / 1000` must not exceed 1 (checked each step).
    - `key`: a `jax.random.key`, the seed of the spike trains.
    - `dtype`: floating dtype of the rate and the spikes.

    !!! example
        ```python
        src = bx.inputs.PoissonGroup(1000, rate=10.0, key=jax.random.key(0))
        src, rec = bx.simulate(src, 1000.0, dt=0.1, spikes={"src": "spike"})
        len(rec["src"].index) / 1000        # about 10 spikes per source
        ```
    """

    rate: Array
    spike: ShortTerm
    key: ShortTerm
    impl: str = eqx.field(static=True)

    def __init__(self, n: int, rate: FloatLike, *, key: Array, dtype=jnp.float32):
        n = check_size("n", n)
        self.rate = as_param("rate", rate, n, dtype, nonnegative=True)
        self.spike = ShortTerm(jnp.zeros(n, dtype))
        self.key, self.impl = key_state(key)

    @property
    def size(self) -> int:
        """Number of sources."""
        return self.spike.value.shape[-1]

    def step(self, x: PyTree, dt: float) -> "PoissonGroup":
        """Draw this step's spikes (0.0/1.0 in `spike`); `x` must be `None`.

        **Arguments:**

        - `x`: `None` (a spike source takes no input).
        - `dt`: the step (ms).

        **Returns:** the group with the new spikes and the advanced key.
        """
        _check_no_input(x, "PoissonGroup")
        key, sub = next_key(self.key, self.impl)
        spike = self.spike.value
        p = spike_probability(self.rate, dt)
        u = jax.random.uniform(sub, spike.shape, spike.dtype)
        spike = (u < p).astype(spike.dtype)
        return eqx.tree_at(
            lambda g: (g.spike, g.key), self, (self.spike.replace(spike), key)
        )


class PoissonInput(AbstractSynapticProjection):
    """Independent Poisson input onto every neuron of a population, as a projection.

    Each post neuron receives `n` independent Poisson spike trains of `rate` Hz
    each, all of weight `weight`, without storing them: in each step of `dt` ms
    the number of spikes arriving at each post neuron is drawn as one count

    `count ~ Poisson(n rate dt / 1000)`,

    independently across neurons and steps (the superposition of `n` Poisson
    processes is a Poisson process of rate `n rate`). With `n = C_ext` inputs of
    `nu_ext` each, this is the external drive of Brunel (2000).

    Without a `synapse`, the post membrane potential jumps by `count x weight` mV
    (delta synapses) when a [`brainox.Network`][] delivers (step 1 of its
    order), as a [`brainox.Projection`][]'s delta synapses do. With a `synapse`
    (post-side kinetics such as [`brainox.synapses.Exponential`][]),
    `count x weight` is added to it and `output` turns it into a current.

    The random key is a `ShortTerm` state split at every step, so the input is
    fixed by `key` and the same however a run is cut into chunks;
    [`brainox.reset`][] restores the initial key. Counts are drawn by inversion,
    one uniform per post neuron and step (see
    [`brainox.inputs.poisson_counts`][]).

    As a projection it has no presynaptic population: `pre` is the post
    population's name (the network passes that population, and it is ignored).
    The count's mean depends on the step, so the input is built for one `dt`
    and refuses another (as [`brainox.Projection`][] does with a delay).

    **Arguments:**

    - `post`: name of the post-synaptic population in the network.
    - `n`: number of independent inputs per post neuron (an int, >= 1).
    - `rate`: rate of each input (Hz, >= 0): a scalar or one value per post
      neuron. `n rate` is the total rate of input spikes into a neuron.
    - `weight`: the effect of one input spike: mV (delta synapses), or nS / pA
      with a `synapse`; a scalar or one value per post neuron.
    - `key`: a `jax.random.key`, the seed of the input.
    - `dt`: the simulation step (ms).
    - `size`: number of post neurons (default: the synapse's size; required
      for delta synapses).
    - `synapse`: post-side kinetics, or `None` for delta synapses.
    - `output`: [`brainox.outputs.COBA`][], [`brainox.outputs.CUBA`][], ...
      (default: CUBA with a synapse, Delta without).
    - `dtype`: floating dtype of the rate and weight.

    ??? cite "Reference"
        Brunel, N. (2000). Dynamics of sparsely connected networks of excitatory
        and inhibitory spiking neurons. J. Comput. Neurosci. 8, 183-208.

    !!! example
        ```python
        # Brunel (2000): C_E = 1000 external inputs of nu_ext = 20 Hz, J = 0.1 mV
        ext = bx.inputs.PoissonInput("exc", 1000, rate=20.0, weight=0.1,
                                     size=10000, dt=0.1, key=jax.random.key(1))
        net = bx.Network({"exc": neurons}, {"ext": ext})
        ```
    """

    post: str = eqx.field(static=True)
    n: int = eqx.field(static=True)
    rate: Array
    weight: Array
    synapse: AbstractSynapse | None
    output: AbstractOutput
    key: ShortTerm
    impl: str = eqx.field(static=True)
    size: int = eqx.field(static=True)
    dt: float = eqx.field(static=True)
    unroll: int = eqx.field(static=True)

    def __init__(
        self,
        post: str,
        n: int,
        rate: FloatLike,
        weight: FloatLike,
        *,
        key: Array,
        dt: float,
        size: int | None = None,
        synapse: AbstractSynapse | None = None,
        output: AbstractOutput | None = None,
        dtype=jnp.float32,
    ):
        self.post = str(post)
        self.n = check_size("n", n)
        self.dt = check_dt(dt)
        if size is None:
            if synapse is None:
                raise ValueError(
                    "PoissonInput without a `synapse` (delta synapses) needs the "
                    "number of post neurons: pass `size=` (e.g. size=10000)."
                )
            size = synapse.size
        self.size = check_size("size", size)
        if synapse is not None and synapse.size != self.size:
            raise ValueError(
                f"`synapse` has {synapse.size} post neurons but `size` is "
                f"{self.size}; give the synapse one variable per post neuron."
            )
        if synapse is None and output is not None and not isinstance(output, Delta):
            raise ValueError(
                f"`output` is {type(output).__name__} but there is no `synapse`; "
                "pass a synapse (e.g. bx.synapses.Exponential) or use "
                "bx.outputs.Delta() for delta synapses."
            )
        self.rate = as_param("rate", rate, self.size, dtype, nonnegative=True)
        if not isinstance(self.rate, Tracer) and not bool(
            jnp.all(jnp.isfinite(self.rate))
        ):
            raise ValueError(
                "`rate` must be finite (Hz): an infinite mean count per step has "
                "no Poisson sample."
            )
        self.weight = as_param("weight", weight, self.size, dtype)
        self.synapse = synapse
        default = Delta() if synapse is None else CUBA()
        self.output = default if output is None else output
        self.key, self.impl = key_state(key)
        lam = self.mean_count()
        concrete = not isinstance(lam, Tracer)
        self.unroll = count_bound(float(jnp.max(lam))) if concrete else 8

    @property
    def pre(self) -> str:
        """The post population's name: an external input has no population."""
        return self.post

    def mean_count(self) -> Array:
        """Mean number of input spikes per post neuron and step, `n rate dt / 1000`."""
        return self.n * self.rate * (self.dt / MS_PER_S)

    def deliver(self, pre) -> tuple["PoissonInput", Array | None]:
        key, sub = next_key(self.key, self.impl)
        lam = jnp.broadcast_to(self.mean_count(), (self.size,))
        counts = poisson_counts(sub, lam, unroll=self.unroll)
        counts = counts.astype(self.weight.dtype)
        increments = counts * self.weight
        return eqx.tree_at(lambda p: p.key, self, key).receive(increments)

    def integrate(self, dt: float) -> "PoissonInput":
        what = f"PoissonInput onto {self.post!r} (a mean count of n rate dt per step)"
        check_built_dt(what, self.dt, dt)
        return self.integrate_synapse(dt)
