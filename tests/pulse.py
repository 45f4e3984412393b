"""A spike source for order and delivery tests: every neuron fires once."""

import jax.numpy as jnp

import brainox as bx


class Pulse(bx.AbstractNeuron):
    """A spike source whose `n` neurons all fire once, at step `at`."""

    V: bx.Hidden
    spike: bx.ShortTerm
    count: bx.ShortTerm
    at: int
    surrogate: bx.surrogate.AbstractSurrogate
    solver: object

    def __init__(self, n, at):
        self.V = bx.Hidden(jnp.zeros(n))
        self.spike = bx.ShortTerm(jnp.zeros(n))
        self.count = bx.ShortTerm(jnp.zeros((), jnp.int32))
        self.at = at
        self.surrogate = bx.surrogate.Sigmoid()
        self.solver = bx.ExponentialEuler()

    def vector_field(self, t, y, args):
        return {"V": jnp.zeros_like(y["V"])}

    def fire(self, y0, y1, dt):
        fired = jnp.where(self.count.value == self.at, 1.0, 0.0)
        spike = jnp.broadcast_to(fired, self.spike.value.shape)
        return self.with_states(spike=spike, count=self.count.value + 1)
