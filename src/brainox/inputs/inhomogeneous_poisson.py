"""Poisson spike sources whose rate is an input over time."""

import equinox as eqx
import jax
import jax.numpy as jnp

from .._custom_types import Array, PyTree
from .._state import ShortTerm
from .._validate import check_size
from .poisson import key_state, next_key, spike_probability


class InhomogeneousPoissonGroup(eqx.Module):
    """A population of independent Poisson spike sources with a time-varying rate.

    The rate is the input of `step`: during a step of `dt` ms each source spikes
    with probability `rate dt / 1000` (`rate` in Hz, the value given for that
    step), independently of the other sources and steps: an inhomogeneous Poisson
    process sampled on the step grid. Give the rate as `inputs=` of
    [`brainox.simulate`][] (an array over time, a function `(step, t)`, or a
    waveform such as [`brainox.inputs.Sinusoid`][]); in a [`brainox.Network`][],
    under the group's name in the inputs dict (no projection may target it).

    The key is a `ShortTerm` state split at every step, as in
    [`brainox.inputs.PoissonGroup`][]: the spikes are fixed by `key` and the same
    however a run is chunked; [`brainox.reset`][] restores it.

    **Arguments:**

    - `n`: number of sources.
    - `key`: a `jax.random.key`.
    - `dtype`: floating dtype of the spikes.

    ??? cite "Reference"
        Dayan, P. & Abbott, L. F. (2001). Theoretical Neuroscience, section 1.4
        (the inhomogeneous Poisson process). MIT Press.

    !!! example
        ```python
        src = bx.inputs.InhomogeneousPoissonGroup(1000, key=jax.random.key(0))
        rate = bx.inputs.Sinusoid(10.0, 4.0, dt=0.1, offset=20.0)   # Hz
        src, rec = bx.simulate(src, 1000.0, dt=0.1, inputs=rate,
                               spikes={"src": "spike"})
        ```
    """

    spike: ShortTerm
    key: ShortTerm
    impl: str = eqx.field(static=True)

    def __init__(self, n: int, *, key: Array, dtype=jnp.float32):
        n = check_size("n", n)
        self.spike = ShortTerm(jnp.zeros(n, dtype))
        self.key, self.impl = key_state(key)

    @property
    def size(self) -> int:
        """Number of sources."""
        return self.spike.value.shape[-1]

    def step(self, x: PyTree, dt: float) -> "InhomogeneousPoissonGroup":
        """Draw this step's spikes at rate `x` (Hz, >= 0; a scalar or one per source).

        **Arguments:**

        - `x`: the rate during this step (Hz).
        - `dt`: the step (ms).

        **Returns:** the group with the new spikes and the advanced key.
        """
        if x is None:
            raise ValueError(
                "InhomogeneousPoissonGroup needs its rate (Hz) as input; pass it "
                "with `inputs=` (an array over time or a function of (step, t))."
            )
        spike = self.spike.value
        rate = jnp.broadcast_to(jnp.asarray(x, spike.dtype), spike.shape)
        rate = eqx.error_if(
            rate,
            jnp.any(~(rate >= 0)),  # NaN too
            "the rate of a Poisson group must be a number >= 0 Hz (got a negative "
            "rate or NaN).",
        )
        key, sub = next_key(self.key, self.impl)
        u = jax.random.uniform(sub, spike.shape, spike.dtype)
        spike = (u < spike_probability(rate, dt)).astype(spike.dtype)
        return eqx.tree_at(
            lambda g: (g.spike, g.key), self, (self.spike.replace(spike), key)
        )
