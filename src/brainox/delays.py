"""Transmission delays: spikes reach the post-synaptic side whole steps later.

- [`brainox.delays.HomogeneousDelay`][]: one delay for a whole projection, a
  ring buffer of past presynaptic spikes.
- [`brainox.delays.HeterogeneousDelay`][]: one delay per synapse, a ring buffer
  of future input on the post-synaptic side (or, for a gather, of past spikes
  on the presynaptic side).

Delays are given in ms and counted in whole steps by
[`brainox.delays.delay_steps`][]: the nearest step, at least one.
"""

import math
from typing import Any

import equinox as eqx
import jax.numpy as jnp
import numpy as np
from jax.core import Tracer

from ._custom_types import Array, ArrayLike, Float, Int
from ._state import ShortTerm
from ._validate import check_dt, check_size
from .connect import (
    AbstractGatherPropagation,
    AbstractPropagation,
    AbstractScatterPropagation,
    OutDegreeTable,
)


def delay_steps(delay: float, dt: float) -> int:
    """A delay (ms) in whole steps of `dt`, rounded to the nearest step.

    The rule, for a homogeneous delay and for every synapse of a heterogeneous
    one: `steps = round(delay / dt)` in float64, halves rounding to even (as
    Python's `round` and `numpy.round` do), and at least 1. So at dt = 0.1 ms,
    1.04 ms is 10 steps and 1.06 ms is 11. A spike emitted during step `i`
    arrives at the start of step `i + steps`. A delay of 0 steps is not
    allowed: a spike is always delivered at the earliest in the next step, and
    a delay shorter than half a step is an error (not silently one step).
    The quotient is a float64: a decimal delay on a half step may land on
    either side of it (0.35 / 0.1 = 3.4999999999999996, so 3 steps); give
    delays away from half steps where it matters.

    **Arguments:**

    - `delay`: the delay (ms).
    - `dt`: the simulation step (ms).

    **Returns:** the number of steps, an `int >= 1`.

    **Raises:** `ValueError` for a delay that is not finite or shorter than half
    a step, or a `dt` that is not a positive number; `TypeError` for a traced
    delay.

    !!! example
        ```python
        bx.delays.delay_steps(1.5, 0.1)    # 15
        bx.delays.delay_steps(1.04, 0.1)   # 10
        ```
    """
    dt = check_dt(dt)
    if isinstance(delay, Tracer):
        raise TypeError(
            "`delay` is traced (inside jit, vmap or grad), but it sets the number "
            "of steps the buffer holds, which must be known when the model is "
            "built: pass a number, or for delays that change under a transform, "
            "per-synapse delays with a fixed buffer (bx.delays.HeterogeneousDelay"
            "(table, delay, dt, max_delay=...))."
        )
    delay = float(delay)
    if not math.isfinite(delay):
        raise ValueError(
            f"`delay` must be a finite number of ms, got {delay}; give the "
            "transmission delay in ms (at least one step, dt)."
        )
    steps = int(round(delay / dt))
    if steps < 1:
        raise ValueError(
            f"`delay` ({delay} ms) is shorter than half a step (dt = {dt} ms); the "
            f"smallest delay is one step: pass a delay of at least {dt:g} ms."
        )
    return steps


class HomogeneousDelay(eqx.Module):
    """One delay for every synapse of a projection: a ring buffer of past spikes.

    The buffer holds the presynaptic spike vectors of the last `steps - 1` steps
    (a `ShortTerm` state); each step it returns the spikes emitted `steps` steps
    ago and stores the new ones. One step of delay (`steps = 1`) is the
    default behaviour of a projection without a delay: spikes emitted during step
    `i` arrive at the start of step `i + 1`. Memory: `(steps - 1) x n_pre`.

    **Arguments:**

    - `n_pre`: number of presynaptic neurons.
    - `delay`: the delay (ms).
    - `dt`: the simulation step (ms); the delay is rounded to whole steps by
      [`brainox.delays.delay_steps`][]. A [`brainox.Projection`][] refuses to
      step the delay with another `dt`.
    - `dtype`: floating dtype of the buffered spikes (a projection passes that
      of its weights).

    !!! example
        ```python
        delay = bx.delays.HomogeneousDelay(10000, delay=1.5, dt=0.1)  # 15 steps
        ```
    """

    buffer: ShortTerm
    head: ShortTerm
    steps: int = eqx.field(static=True)
    dt: float = eqx.field(static=True)

    def __init__(self, n_pre: int, delay: float, dt: float, dtype=jnp.float32):
        n_pre = check_size("n_pre", n_pre)
        self.dt = check_dt(dt)
        self.steps = delay_steps(delay, self.dt)
        self.buffer = ShortTerm(jnp.zeros((self.steps - 1, n_pre), dtype))
        self.head = ShortTerm(jnp.zeros((), jnp.int32))

    def __call__(self, spikes: Array) -> tuple[Array, "HomogeneousDelay"]:
        """Store this step's `spikes`; return those that arrive now, and the delay."""
        if self.steps == 1:
            return spikes, self
        slot = self.head.value
        arriving = self.buffer.value[slot]
        buffer = self.buffer.value.at[slot].set(spikes.astype(self.buffer.value.dtype))
        head = (slot + 1) % (self.steps - 1)
        new = eqx.tree_at(
            lambda d: (d.buffer, d.head),
            self,
            (self.buffer.replace(buffer), self.head.replace(head)),
        )
        return arriving, new


def _side(propagation: Any) -> str:
    if propagation is None or isinstance(propagation, AbstractScatterPropagation):
        return "post"
    if isinstance(propagation, AbstractGatherPropagation):
        return "pre"
    raise TypeError(
        f"{type(propagation).__name__} does not support heterogeneous (per-synapse) "
        "delays. Use bx.connect.EventDriven (CPU), bx.connect.Dense or "
        "bx.connect.FixedInDegreeGather (GPU), or one delay for the whole "
        "projection (a number of ms)."
    )


def _host_steps(delay: np.ndarray, dt: float, valid: np.ndarray) -> np.ndarray:
    if not np.isfinite(delay[valid]).all():
        i, k = np.argwhere(valid & ~np.isfinite(delay))[0]
        raise ValueError(
            f"`delay[{i}, {k}]` is {delay[i, k]}; delays must be finite numbers of "
            "ms: replace NaN or inf entries (padded entries are ignored)."
        )
    steps = np.where(valid, np.round(delay / dt), 1.0)
    if (steps < 1).any():
        i, k = np.argwhere(steps < 1)[0]
        raise ValueError(
            f"`delay[{i}, {k}]` ({delay[i, k]} ms) is shorter than half a step (dt "
            f"= {dt} ms); the smallest delay is one step: raise it to at least "
            f"{dt} ms."
        )
    return steps.astype(np.int64)


class HeterogeneousDelay(eqx.Module):
    """One delay per synapse: a ring buffer of future input on the post side.

    Each synapse `(i, k)` of the table has its own delay, rounded to
    `steps[i, k]` whole steps by the rule of [`brainox.delays.delay_steps`][].
    A spike emitted by presynaptic neuron `i` during step `n` reaches post
    neuron `indices[i, k]` at the start of step `n + steps[i, k]`.

    Algorithm (scatter strategies, [`brainox.connect.EventDriven`][] and
    [`brainox.connect.Dense`][]): a `ShortTerm` buffer `ring` of shape
    `(length, n_post)` holds the input of the next `length` steps, slot `head`
    being the current step. When the spikes of the previous step are delivered,
    each adds `w[i, k]` to `ring[(head + steps[i, k] - 1) % length,
    indices[i, k]]`; then slot `head` is read (the input arriving now) and
    `head` advances. (A slot is cleared at the start of the next step, before
    anything is scattered into it.) The event-driven scatter costs what it costs
    without delays (work per spike); `length = max(steps)` slots are enough.

    Algorithm (gather strategies, [`brainox.connect.FixedInDegreeGather`][]):
    the buffer holds instead the presynaptic spikes of the last `length` steps,
    shape `(length, n_pre)`, and each post neuron reads, for each synapse, the
    spike emitted that synapse's delay ago. Nothing is scattered, so it stays
    differentiable. The buffer's meaning follows the strategy it is called with
    (`for_propagation` resizes it). [`brainox.connect.Procedural`][] does not
    support heterogeneous delays.

    Memory: `length x n_post` (or `x n_pre`) floats plus one int32 per synapse.
    A delay longer than the buffer cannot be constructed: with `max_delay`
    given, every delay must fit, or the constructor raises naming the delay and
    the buffer length. (For delays traced inside `jit`, which cannot be
    checked on the host, `max_delay` is required and each step checks them with
    `eqx.error_if`. They are rounded from `delay / dt` in their own precision,
    float32 unless JAX runs in 64-bit mode, where concrete delays are rounded in
    float64: a traced delay within about 1e-7 (relative) of a half step, such
    as 0.35 ms at dt = 0.1 ms, may take the other step.)

    **Arguments:**

    - `table`: the projection's [`brainox.connect.OutDegreeTable`][].
    - `delay`: per-synapse delays (ms), an array of the table's shape (entries
      at padding are ignored), or a scalar for the same delay everywhere.
    - `dt`: the simulation step (ms).
    - `max_delay`: optional length of the buffer (ms, rounded by the same
      rule); default: the longest delay.
    - `propagation`: the strategy the projection uses, which decides where the
      buffer lives (default: post side, for event-driven propagation).
      [`brainox.Projection`][] passes its own.
    - `dtype`: floating dtype of the buffer.

    !!! example
        ```python
        table = bx.connect.fixed_probability(key, 3200, 4000, 0.02)
        delays = jax.random.uniform(key, table.indices.shape, minval=1.0,
                                    maxval=5.0)                      # ms
        proj = bx.Projection("exc", "all", table, 6.0, delay=delays, dt=0.1,
                             synapse=bx.synapses.Exponential(4000, tau=5.0))
        ```
    """

    steps: Int[Array, "n_pre max_degree"]
    buffer: ShortTerm
    head: ShortTerm
    length: int = eqx.field(static=True)
    checked: bool = eqx.field(static=True)
    dt: float = eqx.field(static=True)

    def __init__(
        self,
        table: OutDegreeTable,
        delay: ArrayLike,
        dt: float,
        *,
        max_delay: float | None = None,
        propagation: AbstractPropagation | None = None,
        dtype: Any = jnp.float32,
    ):
        if not isinstance(table, OutDegreeTable):
            raise TypeError(
                "heterogeneous delays need a stored table (a bx.connect."
                f"OutDegreeTable), got {type(table).__name__}; procedural "
                "connectivity supports one delay per projection only."
            )
        dt = self.dt = check_dt(dt)
        side = _side(propagation)
        shape = table.indices.shape
        concrete = not isinstance(delay, Tracer) and not isinstance(
            table.indices, Tracer
        )
        # Concrete delays are rounded in float64 from the values as given (a
        # float32 copy would move 0.05 ms off the half step at dt = 0.1 ms).
        d = np.asarray(delay, np.float64) if concrete else jnp.asarray(delay)
        if d.ndim == 0:
            d = np.broadcast_to(d, shape) if concrete else jnp.broadcast_to(d, shape)
        if d.shape != shape:
            raise ValueError(
                f"`delay` has shape {d.shape}; expected one delay (ms) per synapse, "
                f"the table's shape {shape} (n_pre, max_degree), or a scalar."
            )
        length = None if max_delay is None else delay_steps(max_delay, dt)
        if concrete:
            valid = np.asarray(table.indices) < table.n_post
            steps = _host_steps(np.asarray(d), dt, valid)
            longest = int(steps.max()) if steps.size else 1
            if length is None:
                length = longest
            elif longest > length:
                i, k = np.argwhere(steps == longest)[0]
                raise ValueError(
                    f"`delay[{i}, {k}]` = {d[i, k]} ms is {longest} steps, "
                    f"longer than the buffer of max_delay = {max_delay} ms "
                    f"({length} steps); raise `max_delay` to at least "
                    f"{longest * dt:g} ms, or omit it."
                )
            self.steps = jnp.asarray(steps, jnp.int32)
        else:
            if length is None:
                raise ValueError(
                    "`delay` is traced (inside jit, vmap or grad), so its longest "
                    "value cannot size the buffer: pass `max_delay=` (ms)."
                )
            valid = table.indices < table.n_post
            rounded = jnp.round(d / dt).astype(jnp.int32)
            self.steps = jnp.where(valid, rounded, 1)
        self.length = int(length)
        self.checked = concrete
        n = table.n_post if side == "post" else table.n_pre
        self.buffer = ShortTerm(jnp.zeros((self.length, n), dtype))
        self.head = ShortTerm(jnp.zeros((), jnp.int32))

    def for_propagation(
        self, propagation: AbstractPropagation, table: OutDegreeTable
    ) -> "HeterogeneousDelay":
        """The same delays, with the buffer on the side `propagation` needs.

        **Arguments:**

        - `propagation`: the strategy of the projection.
        - `table`: the projection's connectivity (sizes the buffer).

        **Returns:** this delay if its buffer already fits, else a copy with an
        empty buffer of the right shape (a [`brainox.Projection`][] calls this
        at construction).
        """
        if self.steps.shape != table.indices.shape:
            raise ValueError(
                f"this HeterogeneousDelay holds delays of shape {self.steps.shape} "
                f"but the table has shape {table.indices.shape}; build it from the "
                "projection's own table."
            )
        n = table.n_post if _side(propagation) == "post" else table.n_pre
        if self.buffer.value.shape == (self.length, n):
            return self
        buffer = ShortTerm(jnp.zeros((self.length, n), self.buffer.value.dtype))
        head = ShortTerm(jnp.zeros((), jnp.int32))
        return eqx.tree_at(lambda d: (d.buffer, d.head), self, (buffer, head))

    def __call__(
        self,
        propagation: AbstractPropagation,
        table: OutDegreeTable,
        spikes: Array,
        weight: ArrayLike,
    ) -> tuple[Float[Array, " n_post"], "HeterogeneousDelay"]:
        """Deliver this step's spikes; return the input that arrives now.

        **Arguments:**

        - `propagation`: the projection's strategy.
        - `table`: the connectivity.
        - `spikes`: presynaptic spikes emitted during the previous step.
        - `weight`: a scalar or per-synapse weights.

        **Returns:** `(input, delay)`: the summed input arriving at each post
        neuron in this step, and the delay with its buffer advanced.
        """
        side = _side(propagation)
        n = table.n_post if side == "post" else table.n_pre
        if self.buffer.value.shape != (self.length, n):
            raise ValueError(
                f"this HeterogeneousDelay's buffer has shape "
                f"{self.buffer.value.shape}, but {type(propagation).__name__} needs "
                f"({self.length}, {n}) ({side}-synaptic side): call "
                "`delay.for_propagation(propagation, table)` first (a "
                "bx.Projection does)."
            )
        steps = self.steps
        if not self.checked:
            bad = jnp.logical_or(steps < 1, steps > self.length)
            steps = eqx.error_if(
                steps,
                jnp.any(bad),
                f"a per-synapse delay is not finite, shorter than one step or "
                f"longer than the buffer of {self.length} steps; raise "
                "`max_delay` or fix `delay`.",
            )
        head = self.head.value
        buffer = self.buffer.value
        if side == "post":
            assert isinstance(propagation, AbstractScatterPropagation)
            # Clear the slot read in the previous step (the one furthest in the
            # future now) before scattering, rather than right after reading
            # it: reading last lets XLA update the buffer in place (about 2.5x
            # faster on a CPU at N = 4000, 50 slots).
            ring = buffer.at[(head - 1) % self.length].set(0)
            ring = propagation.scatter_delayed(table, spikes, weight, steps, ring, head)
            arriving = ring[head]
            buffer = ring
        else:
            assert isinstance(propagation, AbstractGatherPropagation)
            buffer = buffer.at[head].set(spikes.astype(buffer.dtype))
            arriving = propagation.gather_delayed(table, buffer, head, weight, steps)
        new = eqx.tree_at(
            lambda d: (d.buffer, d.head),
            self,
            (self.buffer.replace(buffer), self.head.replace((head + 1) % self.length)),
        )
        return arriving, new
