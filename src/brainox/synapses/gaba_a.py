"""GABA_A receptors: the two-state kinetic scheme of Destexhe et al. (1994)."""

import diffrax
import jax.numpy as jnp

from .._custom_types import FloatLike
from ._pulse import AbstractPulseKinetics


class GABAa(AbstractPulseKinetics):
    """GABA_A synapses: receptor kinetics with a transmitter pulse (Destexhe et al.).

    The same scheme as [`brainox.synapses.AMPA`][] with GABA_A rates: for one
    synapse of maximal conductance `w` (nS),

    `dr/dt = alpha [T] (1 - r) - beta r`,

    with `[T] = T` (mM) for `T_dur` (ms) after each presynaptic spike, 0
    otherwise, and conductance `w r`. With the defaults the rise is fast
    (0.193 ms) and nearly saturating: an isolated spike opens
    `r_peak = 0.960` of the receptors at the end of the 1 ms pulse, which then
    close with time constant `1 / beta = 5.56` ms. Use
    [`brainox.outputs.COBA`][] with `E = -80` mV (or -70 mV).

    **Where the state lives.** As for AMPA: post-side (exact for spikes onto
    closed synapses and for sums over presynaptic neurons); a periodic train from
    one presynaptic neuron gives a conductance too large by 1.2e-4 at 20 Hz,
    2.8 % at 50 Hz, 20 % at 100 Hz. See
    [`brainox.synapses.AbstractPulseKinetics`][].

    **Arguments:**

    - `n`: number of post-synaptic neurons.
    - `dt`: the simulation step (ms); the pulse lasts `round(T_dur / dt)` steps.
    - `alpha`: binding rate (1/(mM ms), > 0), default 5.
    - `beta`: unbinding rate (1/ms, > 0), default 0.18.
    - `T`: transmitter concentration during the pulse (mM, >= 0), default 1.
    - `T_dur`: pulse duration (ms), default 1.
    - `solver`: any diffrax solver (default [`brainox.ExponentialEuler`][], exact
      here).
    - `dtype`: floating dtype of the parameters and the states.

    BrainPy's `GABAa` defaults differ (`alpha=0.53, beta=0.18, T=1, T_dur=1`).

    ??? cite "Reference"
        Destexhe, A., Mainen, Z. F. & Sejnowski, T. J. (1994). An efficient method
        for computing synaptic conductances based on a kinetic model of receptor
        binding. Neural Comput. 6, 14-18; and J. Comput. Neurosci. 1, 195-230.
        Rates from Destexhe, A., Mainen, Z. F. & Sejnowski, T. J. (1998).
        Kinetic models of synaptic transmission. In Methods in Neuronal
        Modeling, 2nd ed., 1-25. MIT Press.

    !!! example
        ```python
        gaba = bx.synapses.GABAa(4000, dt=0.1)
        proj = bx.Projection("inh", "all", table, weight=5.0,       # nS
                             synapse=gaba, output=bx.outputs.COBA(E=-80.0))
        ```
    """

    def __init__(
        self,
        n: int,
        *,
        dt: float | int,
        alpha: FloatLike = 5.0,
        beta: FloatLike = 0.18,
        T: FloatLike = 1.0,
        T_dur: float | int = 1.0,
        solver: diffrax.AbstractSolver | None = None,
        dtype=jnp.float32,
    ):
        super().__init__(
            n,
            dt=dt,
            alpha=alpha,
            beta=beta,
            T=T,
            T_dur=T_dur,
            solver=solver,
            dtype=dtype,
        )
