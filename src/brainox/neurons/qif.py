"""The quadratic integrate-and-fire neuron."""

import diffrax
import jax.numpy as jnp

from .._custom_types import Array, FloatLike, PyTree
from .._dynamics import AbstractNeuron
from .._solvers.exponential_euler import ExponentialEuler
from .._state import Hidden, ShortTerm
from .._validate import as_param, check_size
from ..surrogate import AbstractSurrogate, Sigmoid
from ._common import initial_state, integrate_and_fire
from .lif import MOHM_PA_TO_MV


class QIF(AbstractNeuron):
    """A population of quadratic integrate-and-fire neurons.

    `tau dV/dt = a0 (V - V_rest) (V - V_c) + R I`

    with `V` in mV, `tau` in ms, `a0` in 1/mV, `R` in MOhm and the input `I` in pA
    (`R I` is scaled by 1e-3 to mV), as for [`brainox.LIF`][]. Without input the
    neuron rests at `V_rest` (stable) and has a threshold at `V_c` (unstable); above
    `V_c` the potential runs off to infinity in finite time. The run-away is
    declared a spike when `V >= V_peak`: `V` is clipped to `V_peak` (the overshoot
    of that step never enters the state), set to `V_reset`, and held there for
    `t_ref` ms (rounded to whole steps).

    This is the normal form of a saddle-node on invariant circle (type I
    excitability): with `V_peak -> inf`, `V_reset -> -inf` it is the theta neuron
    of Ermentrout & Kopell (1986). With constant `I` it fires when
    `q = R I - a0 (V_c - V_rest)^2 / 4 > 0`, with period (no refractoriness)

    `T = tau / sqrt(a0 q) [atan((V_peak - m) s) - atan((V_reset - m) s)]`,

    `m = (V_rest + V_c) / 2`, `s = sqrt(a0 / q)`, which tends to the theta
    neuron's `pi tau / sqrt(a0 q)`.

    The default solver is [`brainox.ExponentialEuler`][], as for
    [`brainox.Izhikevich`][]'s quadratic `v`: it linearises `V` over each step
    (first order; the rate `a0 (2 V - V_rest - V_c) / tau` stays moderate up to
    `V_peak`, so it does not overflow). Use [`brainox.RK4`][] for converged spike
    times.

    The input passed to `step` (and `args` of `vector_field`) is `I`, in pA: a
    scalar or one value per neuron.

    **Arguments:**

    - `n`: number of neurons.
    - `tau`: membrane time constant (ms, > 0).
    - `a0`: curvature of the quadratic (1/mV, > 0).
    - `V_rest`: resting potential (mV).
    - `V_c`: critical (threshold) potential (mV), above `V_rest`.
    - `V_reset`: reset potential (mV).
    - `V_peak`: spike cut-off (mV), above `V_c`.
    - `R`: membrane resistance (MOhm, > 0).
    - `t_ref`: absolute refractory period (ms, >= 0).
    - `V_init`: initial potential (mV): a number, an array, or an initializer (then
      `key` is required). Default `V_rest`.
    - `surrogate`: the spike function's surrogate gradient (default
      `bx.surrogate.Sigmoid(1.0)`, slope in 1/mV).
    - `solver`: any diffrax solver (default [`brainox.ExponentialEuler`][]).
    - `key`: a `jax.random.key` for a random `V_init`.
    - `dtype`: floating dtype of parameters and states.

    Every numeric parameter may be a scalar or one value per neuron. The defaults
    (`tau = 10` ms, `a0 = 0.07`/mV, `V_rest = -65`, `V_c = -50`, `V_reset = -68`,
    `V_peak = -30` mV) are BrainPy's `QuaIF` defaults; with them the rheobase is
    `R I = a0 (V_c - V_rest)^2 / 4 = 3.9375` mV.

    ??? cite "Reference"
        Latham, P. E., Richmond, B. J., Nelson, P. G. & Nirenberg, S. (2000).
        Intrinsic dynamics in neuronal networks. I. Theory. Journal of
        Neurophysiology 83(2), 808-827.

        Ermentrout, G. B. & Kopell, N. (1986). Parabolic bursting in an excitable
        system coupled with a slow oscillation. SIAM Journal on Applied
        Mathematics 46(2), 233-253.

    !!! example
        ```python
        neuron = bx.QIF(10, R=100.0)
        neuron, rec = bx.simulate(neuron, 200.0, dt=0.05,
                                  inputs=lambda step, t: 50.0,   # pA: R I = 5 mV
                                  spikes={"qif": "spike"})
        ```
    """

    V: Hidden
    spike: ShortTerm
    refractory_left: ShortTerm
    tau: Array
    a0: Array
    V_rest: Array
    V_c: Array
    V_reset: Array
    V_peak: Array
    R: Array
    t_ref: Array
    surrogate: AbstractSurrogate
    solver: diffrax.AbstractSolver

    def __init__(
        self,
        n: int,
        *,
        tau: FloatLike = 10.0,
        a0: FloatLike = 0.07,
        V_rest: FloatLike = -65.0,
        V_c: FloatLike = -50.0,
        V_reset: FloatLike = -68.0,
        V_peak: FloatLike = -30.0,
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
        self.a0 = as_param("a0", a0, n, dtype, positive=True)
        self.V_rest = as_param("V_rest", V_rest, n, dtype)
        self.V_c = as_param("V_c", V_c, n, dtype)
        self.V_reset = as_param("V_reset", V_reset, n, dtype)
        self.V_peak = as_param("V_peak", V_peak, n, dtype)
        self.R = as_param("R", R, n, dtype, positive=True)
        self.t_ref = as_param("t_ref", t_ref, n, dtype, nonnegative=True)
        self.V = initial_state(V_init, self.V_rest, n, dtype, key, "V_init")
        self.spike = ShortTerm(jnp.zeros(n, dtype))
        self.refractory_left = ShortTerm(jnp.zeros(n, jnp.int32))
        self.surrogate = Sigmoid(1.0) if surrogate is None else surrogate
        self.solver = ExponentialEuler() if solver is None else solver

    def vector_field(self, t, y, args):
        """`dV/dt` in mV/ms, with `args = I` in pA."""
        current = 0.0 if args is None else args
        V = y["V"]
        quadratic = self.a0 * (V - self.V_rest) * (V - self.V_c)
        drive = self.R * current * MOHM_PA_TO_MV
        return {"V": (quadratic + drive) * (1.0 / self.tau)}

    def fire(self, y0, y1, dt):
        fired = integrate_and_fire(self, y0, y1, self.V_peak, dt, clip=True)
        return self.with_states(**fired)
