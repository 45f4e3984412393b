"""The leaky integrate-and-fire neuron."""

import diffrax
import jax.numpy as jnp

from .._custom_types import Array, FloatLike, PyTree
from .._dynamics import AbstractNeuron
from .._solvers.exponential_euler import ExponentialEuler
from .._state import Hidden, ShortTerm
from .._validate import as_param, check_size
from ..surrogate import AbstractSurrogate, Sigmoid
from ._common import initial_state, integrate_and_fire


MOHM_PA_TO_MV = 1e-3
"""1 MOhm x 1 pA = 1e-3 mV."""


class LIF(AbstractNeuron):
    """A population of leaky integrate-and-fire neurons.

    `tau dV/dt = -(V - V_rest) + R I`

    with `V` in mV, `tau` in ms, `R` in MOhm and the input `I` in pA (so `R I` is
    scaled by 1e-3 to mV). When `V >= V_th` the neuron spikes, `V` is set to
    `V_reset`, and for the next `t_ref` ms (rounded to whole steps) `V` is held
    there and no spike can occur. The default solver, exponential Euler, is exact
    for this equation when `I` is constant over a step.

    The input passed to `step` (and `args` of `vector_field`) is `I`, in pA: a
    scalar or one value per neuron.

    **Arguments:**

    - `n`: number of neurons.
    - `tau`: membrane time constant (ms, > 0).
    - `V_rest`: resting potential (mV).
    - `V_reset`: reset potential (mV).
    - `V_th`: firing threshold (mV).
    - `R`: membrane resistance (MOhm, > 0); `1000 / R` is the leak conductance in nS.
    - `t_ref`: absolute refractory period (ms, >= 0).
    - `V_init`: initial potential (mV): a number, an array, or an initializer such
      as `bx.init.normal(-55.0, 2.0)` (then `key` is required). Default `V_rest`.
    - `surrogate`: the spike function's surrogate gradient (default
      `bx.surrogate.Sigmoid(1.0)`, slope in 1/mV).
    - `solver`: any diffrax solver (default [`brainox.ExponentialEuler`][]).
    - `key`: a `jax.random.key` for a random `V_init`.
    - `dtype`: floating dtype of parameters and states.

    Every numeric parameter may be a scalar or one value per neuron.

    ??? cite "Reference"
        Lapicque, L. (1907). Recherches quantitatives sur l'excitation electrique
        des nerfs traitee comme une polarisation. J. Physiol. Pathol. Gen. 9,
        620-635. Modern form: Gerstner, W. et al. (2014). Neuronal Dynamics,
        chapter 1. Cambridge University Press.

    !!! example
        ```python
        neuron = bx.LIF(100, tau=20.0, V_th=-50.0, R=100.0, t_ref=2.0)
        neuron = neuron.step(250.0, dt=0.1)   # 250 pA for 0.1 ms
        neuron.spike.value                    # spikes of that step
        ```
    """

    V: Hidden
    spike: ShortTerm
    refractory_left: ShortTerm
    tau: Array
    V_rest: Array
    V_reset: Array
    V_th: Array
    R: Array
    t_ref: Array
    surrogate: AbstractSurrogate
    solver: diffrax.AbstractSolver

    def __init__(
        self,
        n: int,
        *,
        tau: FloatLike = 20.0,
        V_rest: FloatLike = -65.0,
        V_reset: FloatLike = -65.0,
        V_th: FloatLike = -50.0,
        R: FloatLike = 100.0,
        t_ref: FloatLike = 0.0,
        V_init: PyTree = None,
        surrogate: AbstractSurrogate | None = None,
        solver: diffrax.AbstractSolver | None = None,
        key: Array | None = None,
        dtype=jnp.float32,
    ):
        n = check_size("n", n)
        self.tau = as_param("tau", tau, n, dtype, positive=True)
        self.V_rest = as_param("V_rest", V_rest, n, dtype)
        self.V_reset = as_param("V_reset", V_reset, n, dtype)
        self.V_th = as_param("V_th", V_th, n, dtype)
        self.R = as_param("R", R, n, dtype, positive=True)
        self.t_ref = as_param("t_ref", t_ref, n, dtype, nonnegative=True)
        self.V = initial_state(V_init, self.V_rest, n, dtype, key, "V_init")
        self.spike = ShortTerm(jnp.zeros(n, dtype))
        self.refractory_left = ShortTerm(jnp.zeros(n, jnp.int32))
        self.surrogate = Sigmoid(1.0) if surrogate is None else surrogate
        self.solver = ExponentialEuler() if solver is None else solver

    def vector_field(self, t, y, args):
        """`dV/dt = (-(V - V_rest) + R I) / tau` in mV/ms, with `args = I` in pA."""
        current = 0.0 if args is None else args
        drive = self.R * current * MOHM_PA_TO_MV
        return {"V": (-(y["V"] - self.V_rest) + drive) * (1.0 / self.tau)}

    def fire(self, y0, y1, dt):
        fired = integrate_and_fire(self, y0, y1, self.V_th, dt)
        return self.with_states(**fired)
