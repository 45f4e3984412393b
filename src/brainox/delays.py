"""Transmission delays: spikes reach the post-synaptic side whole steps later."""

import equinox as eqx
import jax.numpy as jnp

from ._custom_types import Array
from ._state import ShortTerm


def delay_steps(delay: float, dt: float) -> int:
    """A delay (ms) in whole steps of `dt`, rounded to the nearest step.

    A delay that is not a multiple of `dt` is rounded to the nearest multiple
    (halves round to even, as `round` does); a spike emitted during step `i`
    arrives at the start of step `i + delay_steps`. A delay of 0 steps is not
    allowed: a spike is always delivered at the earliest in the next step.
    """
    steps = int(round(float(delay) / dt))
    if steps < 1:
        raise ValueError(
            f"`delay` ({delay} ms) is shorter than half a step (dt = {dt} ms); the "
            "smallest delay is one step."
        )
    return steps


class HomogeneousDelay(eqx.Module):
    """One delay for every synapse of a projection: a ring buffer of past spikes.

    The buffer holds the presynaptic spike vectors of the last `steps - 1` steps
    (a `ShortTerm` state); each step it returns the spikes emitted `steps` steps
    ago and stores the new ones. One step of delay (`steps = 1`) is the
    default behaviour of a projection without a delay: spikes emitted during step
    `i` arrive at the start of step `i + 1`.

    **Arguments:**

    - `n_pre`: number of presynaptic neurons.
    - `delay`: the delay (ms).
    - `dt`: the simulation step (ms); the delay is rounded to whole steps by
      [`brainox.delays.delay_steps`][].

    !!! example
        ```python
        delay = bx.delays.HomogeneousDelay(10000, delay=1.5, dt=0.1)  # 15 steps
        ```
    """

    buffer: ShortTerm
    head: ShortTerm
    steps: int = eqx.field(static=True)

    def __init__(self, n_pre: int, delay: float, dt: float, dtype=jnp.float32):
        self.steps = delay_steps(delay, dt)
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

