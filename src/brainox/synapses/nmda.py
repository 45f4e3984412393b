"""NMDA receptor kinetics (Brunel & Wang 2001), kept on the post-synaptic side."""

import diffrax
import jax.numpy as jnp

from .._custom_types import Array, FloatLike
from .._validate import as_param, check_size
from ._rise_decay import AbstractRiseDecay


class NMDA(AbstractRiseDecay):
    """NMDA synapses: fast rise, slow decay and saturation, one pair per post neuron.

    **The model** (Brunel & Wang 2001), for one synapse with gating `s` in [0, 1]:

    ```
    dx/dt = -x / tau_rise                      x += 1 at each presynaptic spike
    ds/dt = -s / tau_decay + alpha x (1 - s)
    ```

    and the post-synaptic conductance is `g = sum_j w_j s_j` (nS), to be used with
    [`brainox.outputs.MgBlock`][], which multiplies by the magnesium block of
    Jahr & Stevens (1990): `I = g (E - V) / (1 + [Mg] / 3.57 exp(-0.062 V))`.

    **What brainox integrates** (post-side approximation). The factor `(1 - s)`
    makes `s` nonlinear per synapse, so the exact model needs one `(x, s)` per
    presynaptic neuron and the sum `sum_j w_j s_j` recomputed over all synapses at
    every step. This class instead keeps one linear pair per *post* neuron, so
    that spikes are propagated event by event like the other synapses:

    ```
    dh/dt = -h / tau_rise             h += w (1 - exp(-alpha tau_rise)) / tau_rise
    dg/dt = -g / tau_decay + h
    ```

    Each spike adds the saturated amplitude of an isolated response: integrating
    the rise of `x` from `s = 0` gives `s -> 1 - exp(-alpha tau_rise)` (0.632 at
    the defaults), instead of the linearised `alpha tau_rise` (1.0). Responses
    then superpose linearly. Against the exact per-synapse model (defaults):

    - an isolated spike: peak `0.584 w` at 7.98 ms instead of `0.592 w` at
      7.08 ms (-1.4 %), area -1 %; the rise (first 2 ms) is slower, by up to 13 %
      of the peak;
    - repeated spikes of one presynaptic neuron do not saturate: the mean
      conductance of a periodic train is too large by 9 % at 5 Hz, 35 % at
      10 Hz and 96 % at 20 Hz.

    Use it where each presynaptic neuron fires sparsely (well below
    `1 / tau_decay`, a few Hz); for persistent-activity models whose NMDA
    synapses saturate (Wang 2002), the exact per-presynaptic form is needed.
    With `alpha tau_rise << 1` the increment tends to `alpha w` and the model to
    the linearised Brunel-Wang equations.

    `g` is in nS, `h` in nS/ms. The default solver is [`brainox.RK4`][] (see
    [`brainox.synapses.DualExponential`][] for its accuracy).

    **Arguments:**

    - `n`: number of post-synaptic neurons.
    - `tau_rise`: rise time constant of `x` (ms, > 0), default 2.
    - `tau_decay`: decay time constant of `s` (ms, > 0), default 100.
    - `alpha`: saturation rate (1/ms, > 0), default 0.5.
    - `solver`: any diffrax solver (default [`brainox.RK4`][]).
    - `dtype`: floating dtype of the parameters and the states.

    ??? cite "Reference"
        Brunel, N. & Wang, X.-J. (2001). Effects of neuromodulation in a cortical
        network model of object working memory dominated by recurrent
        inhibition. J. Comput. Neurosci. 11, 63-85. Magnesium block: Jahr, C. E.
        & Stevens, C. F. (1990). Voltage dependence of NMDA-activated
        macroscopic conductances predicted by single-channel kinetics. J.
        Neurosci. 10, 3178-3182.

    !!! example
        ```python
        proj = bx.Projection(
            "exc", "exc", table, weight=0.3,                 # nS
            synapse=bx.synapses.NMDA(1000, tau_rise=2.0, tau_decay=100.0),
            output=bx.outputs.MgBlock(E=0.0, Mg=1.0),
        )
        ```
    """

    alpha: Array

    def __init__(
        self,
        n: int,
        *,
        tau_rise: FloatLike = 2.0,
        tau_decay: FloatLike = 100.0,
        alpha: FloatLike = 0.5,
        solver: diffrax.AbstractSolver | None = None,
        dtype=jnp.float32,
    ):
        self.alpha = as_param("alpha", alpha, check_size("n", n), dtype, positive=True)
        super().__init__(
            n, tau_rise=tau_rise, tau_decay=tau_decay, solver=solver, dtype=dtype
        )

    def increment_scale(self) -> Array:
        """`(1 - exp(-alpha tau_rise)) / tau_rise` (1/ms): the saturated amplitude."""
        return -jnp.expm1(-self.alpha * self.tau_rise) * (1 / self.tau_rise)
