"""Synapses of event-driven networks: what a delivered spike does to its targets."""

import abc

import equinox as eqx
import jax.numpy as jnp

from .._custom_types import Array, FloatLike
from .._validate import as_param


class AbstractEventSynapses(eqx.Module):
    """All-to-all synapses among `n` neurons for [`brainox.exact.simulate`][].

    Each neuron has one synaptic variable `s` (post-synaptic side). A spike of
    neuron `j` at time `t` is delivered at `t + delay` to every neuron `i`,
    through `weights[i, j]`. Subclasses say how `s` evolves between spikes, what
    current it gives, and what a delivery does; concrete subclasses are final.

    ??? cite "Reference"
        Brette, R. et al. (2007). Simulation of networks of spiking neurons: a
        review of tools and strategies. J. Comput. Neurosci. 23, 349-398
        (section 2.2, exact event-driven simulation).

    !!! example
        ```python
        synapses = bx.exact.DeltaSynapses(weights, delay=1.0)
        isinstance(synapses, bx.exact.AbstractEventSynapses)   # True
        ```
    """

    weights: eqx.AbstractVar[Array]
    delay: eqx.AbstractVar[Array]

    @abc.abstractmethod
    def current(self, s: Array) -> Array:
        """The synaptic input current (pA) of each neuron, added to the external one."""

    @abc.abstractmethod
    def derivative(self, s: Array) -> Array:
        """`ds/dt` between deliveries (per ms)."""

    @abc.abstractmethod
    def deliver(
        self, V: Array, s: Array, source: Array, active: Array
    ) -> tuple[Array, Array]:
        """`(V, s)` after the arrival of a spike of neuron `source`.

        **Arguments:**

        - `V`: the potentials (mV), shape `(n,)`.
        - `s`: the synaptic variables, shape `(n,)`.
        - `source`: the index of the neuron whose spike arrives (int32 scalar).
        - `active`: `(n,)`, False for neurons in their refractory period.

        **Returns:** the new `(V, s)`.
        """


def _delay(delay, dtype) -> Array:
    value = as_param("delay", delay, None, dtype, nonnegative=True)
    if value.ndim != 0:
        raise ValueError(
            f"`delay` has shape {value.shape}; pass one delay (ms) for all synapses."
        )
    return value


def _weights(weights, dtype) -> Array:
    w = jnp.asarray(weights, dtype)
    if w.ndim != 2 or w.shape[0] != w.shape[1]:
        raise ValueError(
            f"`weights` has shape {w.shape}; pass a square (n, n) matrix, "
            "weights[i, j] from neuron j to neuron i (0 where not connected)."
        )
    return w


class DeltaSynapses(AbstractEventSynapses):
    """Delta synapses: a delivered spike makes the target's potential jump.

    `V_i <- V_i + weights[i, j]` (mV) at each arrival of a spike of neuron `j`,
    `delay` ms after it. A neuron in its refractory period ignores arrivals (its
    potential is clamped at the reset), as NEST's `iaf_psc_delta` does. A jump
    that takes a neuron to threshold makes it spike at once, at the arrival time.

    **Arguments:**

    - `weights`: `(n, n)` jumps (mV), `weights[i, j]` from neuron `j` to `i`.
    - `delay`: transmission delay (ms, >= 0), the same for every synapse.
    - `dtype`: floating dtype.

    ??? cite "Reference"
        Brunel, N. (2000). Dynamics of sparsely connected networks of excitatory
        and inhibitory spiking neurons. J. Comput. Neurosci. 8, 183-208.

    !!! example
        ```python
        synapses = bx.exact.DeltaSynapses(jnp.array([[0.0, 0.0], [5.0, 0.0]]),
                                          delay=1.5)   # 0 -> 1, +5 mV after 1.5 ms
        ```
    """

    weights: Array
    delay: Array

    def __init__(self, weights, *, delay: FloatLike = 0.0, dtype=jnp.float32):
        self.weights = _weights(weights, dtype)
        self.delay = _delay(delay, dtype)

    def current(self, s):
        return jnp.zeros_like(s)

    def derivative(self, s):
        return jnp.zeros_like(s)

    def deliver(self, V, s, source, active):
        return jnp.where(active, V + self.weights[:, source], V), s


class ExponentialSynapses(AbstractEventSynapses):
    """Current-based exponential synapses.

    `tau ds/dt = -s`, and `s_i <- s_i + weights[i, j]` (pA) at each arrival of a
    spike of neuron `j`, `delay` ms after it; `s` (pA) adds to the input current
    of the neuron. Arrivals during a refractory period still add to `s` (the
    synaptic current keeps decaying while the potential is clamped).

    **Arguments:**

    - `weights`: `(n, n)` current jumps (pA), `weights[i, j]` from neuron `j`
      to `i`.
    - `tau`: decay time constant (ms, > 0).
    - `delay`: transmission delay (ms, >= 0), the same for every synapse.
    - `dtype`: floating dtype.

    ??? cite "Reference"
        Brette, R. et al. (2007). Simulation of networks of spiking neurons: a
        review of tools and strategies. J. Comput. Neurosci. 23, 349-398
        (benchmark 2, current-based exponential synapses).

    !!! example
        ```python
        synapses = bx.exact.ExponentialSynapses(200.0 * (1 - jnp.eye(3)),
                                                tau=5.0, delay=1.0)
        ```
    """

    weights: Array
    tau: Array
    delay: Array

    def __init__(
        self, weights, *, tau: FloatLike, delay: FloatLike = 0.0, dtype=jnp.float32
    ):
        self.weights = _weights(weights, dtype)
        self.tau = as_param("tau", tau, None, dtype, positive=True)
        self.delay = _delay(delay, dtype)

    def current(self, s):
        return s

    def derivative(self, s):
        return -s / self.tau

    def deliver(self, V, s, source, active):
        return V, s + self.weights[:, source]
