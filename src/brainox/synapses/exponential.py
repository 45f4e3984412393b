"""The exponential synapse: a conductance (or current) that decays after each spike."""

from collections.abc import Callable

import diffrax
import jax.numpy as jnp

from .._custom_types import Array, FloatLike
from .._solvers.exponential_euler import ExponentialEuler
from .._state import Hidden
from .._validate import as_param, check_size
from ._base import AbstractSynapse, check_accumulated, check_increments


class Exponential(AbstractSynapse):
    """Exponentially decaying synapses, one variable per post-synaptic neuron.

    `dg/dt = -g / tau`, and every incoming spike adds its weight to `g`.

    The synapse is linear, so the contributions of all the synapses onto one
    post-synaptic neuron sum into one variable `g` (the post-synaptic side holds
    the state, not each synapse). `g` is a conductance in nS for
    conductance-based use (the current is `g (E - V)`, nS x mV = pA) or a current
    in pA for current-based use; the synapse itself does not care.

    A step of a network delivers the spikes first, reads `g` to compute the
    synaptic current, then integrates:

    ```python
    syn = syn.add(increments)            # deliver: g += sum of weights (nS)
    current = syn.g.value * (E - V)      # pA
    syn = syn.step(None, dt)             # decay over [t, t + dt]
    ```

    `syn.step(increments, dt)` does the first and last lines in one call, which
    is what [`brainox.simulate`][] needs for a synapse driven by an input.

    The default solver, [`brainox.ExponentialEuler`][], is exact for this
    equation: one step multiplies `g` by `exp(-dt / tau)`.

    **Arguments:**

    - `n`: number of post-synaptic neurons.
    - `tau`: decay time constant (ms, > 0): a scalar or one value per neuron.
    - `g_init`: initial value (nS or pA), a number or an array of shape `(n,)`.
      Default 0.
    - `solver`: any diffrax solver (default [`brainox.ExponentialEuler`][]).
    - `dtype`: floating dtype of the parameter and the state.

    ??? cite "Reference"
        Dayan, P. & Abbott, L. F. (2001). Theoretical Neuroscience, section 5.8
        (synaptic conductances). MIT Press. Used for the conductances of the COBA
        network of Vogels, T. P. & Abbott, L. F. (2005). Signal propagation and
        logic gating in networks of integrate-and-fire neurons. J. Neurosci. 25,
        10786-10795.

    !!! example
        ```python
        g_e = bx.synapses.Exponential(4000, tau=5.0)   # excitatory, ms
        g_e = g_e.add(jnp.full(4000, 6.0))            # one 6 nS spike each
        g_e = g_e.step(None, dt=0.1)                  # g = 6 exp(-0.1 / 5) nS
        ```
    """

    g: Hidden
    tau: Array
    solver: diffrax.AbstractSolver

    def __init__(
        self,
        n: int,
        *,
        tau: FloatLike = 5.0,
        g_init: FloatLike = 0.0,
        solver: diffrax.AbstractSolver | None = None,
        dtype=jnp.float32,
    ):
        n = check_size("n", n)
        self.tau = as_param("tau", tau, n, dtype, positive=True)
        self.g = Hidden(jnp.broadcast_to(as_param("g_init", g_init, n, dtype), (n,)))
        self.solver = ExponentialEuler() if solver is None else solver

    def vector_field(self, t, y, args):
        """`dg/dt = -g / tau` (nS/ms or pA/ms); `args` is unused."""
        # A product with 1 / tau (computed once per run, outside the time loop)
        # is several times cheaper on a CPU than a division per element.
        return {"g": y["g"] * (-1.0 / self.tau)}

    def add(self, increments: FloatLike) -> "Exponential":
        """Deliver spikes: add `increments` (nS or pA) to `g`.

        **Arguments:**

        - `increments`: a scalar or one value per post-synaptic neuron, usually the
          summed weights of the synapses whose presynaptic neuron spiked (see
          [`brainox.connect.EventDriven`][]).

        **Returns:** the synapse with `g + increments`.
        """
        increments = check_increments(increments, self.size)
        g = self.g.value
        return self.with_states(g=g + increments.astype(g.dtype))

    def add_from(self, accumulate: Callable[[Array], Array]) -> "Exponential":
        """Deliver spikes: `g` becomes `accumulate(g)`, the propagation strategy
        adding this step's summed weights (nS or pA) into `g` directly (see
        [`brainox.synapses.AbstractSynapse.add_from`][])."""
        g = self.g.value
        return self.with_states(g=check_accumulated(accumulate(g), g))

    def output(self) -> Array:
        """The conductance (nS) or current (pA) `g`."""
        return self.g.value
