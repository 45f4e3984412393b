"""The dual-exponential synapse: a rise and a decay time constant."""

import diffrax
import jax.numpy as jnp

from .._custom_types import Array, FloatLike
from ._rise_decay import AbstractRiseDecay, peak_scale


class DualExponential(AbstractRiseDecay):
    """Dual-exponential synapses, normalised so that one spike peaks at its weight.

    ```
    dh/dt = -h / tau_rise                   h += w * s at each spike
    dg/dt = -g / tau_decay + h
    ```

    so an isolated spike of weight `w` gives

    `g(t) = w s (exp(-t/tau_decay) - exp(-t/tau_rise)) / (1/tau_rise - 1/tau_decay)`,

    which peaks at `t_peak = tau_rise tau_decay / (tau_decay - tau_rise)
    ln(tau_decay / tau_rise)` with the value **`g(t_peak) = w`**: the
    normalisation is `s = exp(t_peak / tau_decay) / tau_rise` (1/ms). With
    `tau_rise = tau_decay = tau` this is the alpha function
    ([`brainox.synapses.Alpha`][]), computed without dividing by zero.

    The kinetics are linear, so the synapses onto one post-synaptic neuron sum
    into one pair `(g, h)` kept on the post-synaptic side. `g` is a conductance
    (nS; use [`brainox.outputs.COBA`][]) or a current (pA;
    [`brainox.outputs.CUBA`][]), in the unit of the weights; `h` is in that unit
    per ms.

    A step delivers the spikes (`add`), reads `g` (`output`), then integrates over
    `[t, t + dt]` with the solver, default [`brainox.RK4`][] (relative error about
    `(dt / tau_rise)^5 / 120` per step; stable for `dt < 2.78 tau_rise`; pass
    `solver=bx.ExponentialEuler()` for steps larger than that).

    **Arguments:**

    - `n`: number of post-synaptic neurons.
    - `tau_rise`: rise time constant (ms, > 0): a scalar or one value per neuron.
    - `tau_decay`: decay time constant (ms, > 0): a scalar or one value per
      neuron. The response is symmetric in the two; by convention
      `tau_rise <= tau_decay`.
    - `solver`: any diffrax solver (default [`brainox.RK4`][]).
    - `dtype`: floating dtype of the parameters and the states.

    ??? cite "Reference"
        Roth, A. & van Rossum, M. C. W. (2009). Modeling synapses. In E. De
        Schutter (ed.), Computational Modeling Methods for Neuroscientists,
        chapter 6, 139-159. MIT Press.

    !!! example
        ```python
        syn = bx.synapses.DualExponential(100, tau_rise=1.0, tau_decay=10.0)
        syn = syn.add(jnp.full(100, 2.0))     # one 2 nS spike onto each neuron
        syn.peak_time()                       # 2.56 ms, where g = 2 nS
        proj = bx.Projection("exc", "inh", table, 2.0, synapse=syn,
                             output=bx.outputs.COBA(E=0.0))
        ```
    """

    def __init__(
        self,
        n: int,
        *,
        tau_rise: FloatLike = 1.0,
        tau_decay: FloatLike = 10.0,
        solver: diffrax.AbstractSolver | None = None,
        dtype=jnp.float32,
    ):
        super().__init__(
            n, tau_rise=tau_rise, tau_decay=tau_decay, solver=solver, dtype=dtype
        )

    def increment_scale(self) -> Array:
        """`exp(t_peak / tau_decay) / tau_rise` (1/ms): one spike peaks at `w`."""
        return peak_scale(self.tau_rise, self.tau_decay)
