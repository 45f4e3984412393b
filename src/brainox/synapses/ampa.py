"""AMPA receptors: the two-state kinetic scheme of Destexhe et al. (1994)."""

import diffrax
import jax.numpy as jnp

from .._custom_types import FloatLike
from ._pulse import AbstractPulseKinetics


class AMPA(AbstractPulseKinetics):
    """AMPA synapses: receptor kinetics with a transmitter pulse (Destexhe et al.).

    For one synapse of maximal conductance `w` (nS), the fraction `r` of open
    receptors follows

    `dr/dt = alpha [T] (1 - r) - beta r`,

    where the transmitter concentration `[T]` is `T` (mM) for `T_dur` (ms) after
    each presynaptic spike and 0 otherwise; the conductance is `w r`. During a
    pulse `r` rises towards `alpha T / (alpha T + beta)` with time constant
    `1 / (alpha T + beta)`; after it, `r` decays at rate `beta`. With the
    defaults an isolated spike opens `r_peak = 0.618` of the receptors, so its
    conductance peaks at `0.618 w` at the end of the 1 ms pulse (0.775 ms rise,
    5.26 ms decay). Use [`brainox.outputs.COBA`][] with `E = 0` mV.

    **Where the state lives.** The scheme is nonlinear in `r` per synapse. brainox
    keeps it on the post-synaptic side (two conductances and a ring buffer of the
    pulses in progress per post neuron), which is exact for every spike that
    finds its synapse at rest and for any sum over different presynaptic
    neurons, and approximate only when one presynaptic neuron fires again before
    its synapse has closed: the conductance of a periodic train is too large by
    < 1e-4 at 20 Hz, 1.5 % at 50 Hz, 12 % at 100 Hz. See
    [`brainox.synapses.AbstractPulseKinetics`][] for the construction.

    **Arguments:**

    - `n`: number of post-synaptic neurons.
    - `dt`: the simulation step (ms); the pulse lasts `round(T_dur / dt)` steps.
    - `alpha`: binding rate (1/(mM ms), > 0), default 1.1.
    - `beta`: unbinding rate (1/ms, > 0), default 0.19.
    - `T`: transmitter concentration during the pulse (mM, >= 0), default 1.
    - `T_dur`: pulse duration (ms), default 1.
    - `solver`: any diffrax solver (default [`brainox.ExponentialEuler`][], exact
      here).
    - `dtype`: floating dtype of the parameters and the states.

    The rate parameters may be scalars or one value per post neuron. BrainPy's
    `AMPA` defaults differ (`alpha=0.98, beta=0.18, T=0.5, T_dur=0.5`).

    ??? cite "Reference"
        Destexhe, A., Mainen, Z. F. & Sejnowski, T. J. (1994). An efficient method
        for computing synaptic conductances based on a kinetic model of receptor
        binding. Neural Comput. 6, 14-18; and Synthesis of models for excitable
        membranes, synaptic transmission and neuromodulation using a common
        kinetic formalism. J. Comput. Neurosci. 1, 195-230. Rates from Destexhe,
        A., Mainen, Z. F. & Sejnowski, T. J. (1998). Kinetic models of synaptic
        transmission. In Methods in Neuronal Modeling, 2nd ed., 1-25. MIT Press.

    !!! example
        ```python
        ampa = bx.synapses.AMPA(4000, dt=0.1)
        proj = bx.Projection("exc", "all", table, weight=1.0,       # nS
                             synapse=ampa, output=bx.outputs.COBA(E=0.0))
        ```
    """

    def __init__(
        self,
        n: int,
        *,
        dt: float | int,
        alpha: FloatLike = 1.1,
        beta: FloatLike = 0.19,
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
