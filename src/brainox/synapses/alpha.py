"""The alpha synapse: Rall's alpha function, peak at tau."""

import diffrax
import jax.numpy as jnp

from .._custom_types import Array, FloatLike
from .._validate import as_param, check_size
from ._rise_decay import AbstractRiseDecay, peak_scale


class Alpha(AbstractRiseDecay):
    """Alpha-function synapses: `g(t) = w (t / tau) exp(1 - t / tau)` per spike.

    The response to an isolated spike of weight `w` rises and decays with the one
    time constant `tau` (ms), peaking at `t = tau` with the value `w`. It is the
    dual exponential ([`brainox.synapses.DualExponential`][]) at
    `tau_rise = tau_decay = tau`, with the same implementation:

    ```
    dh/dt = -h / tau            h += w e / tau at each spike
    dg/dt = -g / tau + h
    ```

    The kinetics are linear, so the synapses onto one post-synaptic neuron sum
    into one pair `(g, h)` kept on the post-synaptic side. `g` is a conductance
    (nS; use [`brainox.outputs.COBA`][]) or a current (pA;
    [`brainox.outputs.CUBA`][]), in the unit of the weights.

    The default solver is [`brainox.RK4`][] (relative error about
    `(dt / tau)^5 / 120` per step, stable for `dt < 2.78 tau`).

    **Arguments:**

    - `n`: number of post-synaptic neurons.
    - `tau`: time constant and time to peak (ms, > 0): a scalar or one value per
      neuron.
    - `solver`: any diffrax solver (default [`brainox.RK4`][]).
    - `dtype`: floating dtype of the parameter and the states.

    ??? cite "Reference"
        Rall, W. (1967). Distinguishing theoretical synaptic potentials computed
        for different soma-dendritic distributions of synaptic input. J.
        Neurophysiol. 30, 1138-1168. Also Roth, A. & van Rossum, M. C. W.
        (2009). Modeling synapses. In Computational Modeling Methods for
        Neuroscientists, chapter 6. MIT Press.

    !!! example
        ```python
        syn = bx.synapses.Alpha(100, tau=2.0)
        syn = syn.add(1.5)                    # 1.5 nS onto every neuron
        syn, rec = bx.simulate(syn, 10.0, dt=0.1, monitors=["g"])
        # rec["g"] peaks at 2 ms with 1.5 nS
        ```
    """

    def __init__(
        self,
        n: int,
        *,
        tau: FloatLike = 2.0,
        solver: diffrax.AbstractSolver | None = None,
        dtype=jnp.float32,
    ):
        tau = as_param("tau", tau, check_size("n", n), dtype, positive=True)
        super().__init__(n, tau_rise=tau, tau_decay=tau, solver=solver, dtype=dtype)

    @property
    def tau(self) -> Array:
        """The time constant (ms)."""
        return self.tau_decay

    def increment_scale(self) -> Array:
        """`e / tau` (1/ms): one spike of weight `w` peaks at `w`, at `t = tau`."""
        return peak_scale(self.tau_rise, self.tau_decay)
