"""The generalized (linear) integrate-and-fire neuron of Mihalas & Niebur (2009)."""

import diffrax
import jax.numpy as jnp

from .._custom_types import Array, FloatLike, PyTree
from .._dynamics import AbstractNeuron
from .._solvers.exponential_euler import ExponentialEuler
from .._state import Hidden, ShortTerm
from .._validate import as_param, check_size
from ..surrogate import AbstractSurrogate, Sigmoid
from ._common import initial_state, integrate_and_fire, state_key


class GIF(AbstractNeuron):
    """A population of generalized integrate-and-fire neurons (Mihalas & Niebur).

    `C dV/dt = I + I1 + I2 - g_L (V - E_L)`

    `dTheta/dt = a (V - E_L) - b (Theta - Theta_inf)`

    `dI1/dt = -k1 I1`,  `dI2/dt = -k2 I2`

    with `V` and the threshold `Theta` in mV, time in ms, `C` in pF, `g_L` in nS,
    and the input `I` and internal currents `I1`, `I2` (and `A1`, `A2`) in pA. All
    subthreshold dynamics are linear. When `V >= Theta` the neuron spikes and

    `V <- V_reset`, `Theta <- max(Theta_reset, Theta)`, `I1 <- R1 I1 + A1`,
    `I2 <- R2 I2 + A2`;

    for `t_ref` ms after a spike (default 0, as in the paper) `V` is held at
    `V_reset`. Two internal currents and a moving threshold produce tonic and
    phasic spiking and bursting, adaptation, rebound spikes, bistability and more
    (Mihalas & Niebur 2009, Fig. 1).

    **Parameters of the paper.** The paper uses `g_L / C = 50`/s, `E_L = V_reset =
    -70`, `Theta_inf = -50`, `Theta_reset = -60` mV, `k1 = 200`/s, `k2 = 20`/s,
    `b = 10`/s, `R1 = 0`, `R2 = 1` (the defaults here, with `C = 200` pF,
    `g_L = 10` nS) and gives currents divided by `C` in V/s (= mV/ms); multiply by
    `C` (pF) for pA. Some patterns of its Table 1:

    | pattern                    | a (1/ms) | A1/C | A2/C | I/C (mV/ms) |
    |----------------------------|----------|------|------|-------------|
    | tonic spiking              | 0        | 0    | 0    | 1.5         |
    | class 1 excitability       | 0        | 0    | 0    | 1 + 1e-6    |
    | spike-frequency adaptation | 0.005    | 0    | 0    | 2           |
    | phasic spiking             | 0.005    | 0    | 0    | 1.5         |
    | tonic bursting             | 0.005    | 10   | -0.6 | 2           |
    | phasic bursting            | 0.005    | 10   | -0.6 | 1.5         |
    | mixed mode                 | 0.005    | 5    | -0.3 | 2           |

    The default solver is [`brainox.ExponentialEuler`][]: every equation is linear
    in its own variable, so `I1`, `I2` are exact and `V`, `Theta` are exact when
    the variables that drive them are constant over the step (first order
    otherwise). Use [`brainox.RK4`][] for reference-quality spike times.

    The input passed to `step` (and `args` of `vector_field`) is `I`, in pA: a
    scalar or one value per neuron.

    **Arguments:**

    - `n`: number of neurons.
    - `C`: membrane capacitance (pF, > 0).
    - `g_L`: leak conductance (nS, > 0).
    - `E_L`: leak reversal (resting) potential (mV).
    - `V_reset`: reset potential (mV).
    - `Theta_inf`: threshold at rest, the value `Theta` relaxes to (mV).
    - `Theta_reset`: the threshold after a spike is at least this (mV).
    - `a`: threshold adaptation to `V` (1/ms, any sign).
    - `b`: threshold relaxation rate (1/ms, >= 0).
    - `k1`, `k2`: decay rates of `I1`, `I2` (1/ms, >= 0).
    - `R1`, `R2`: fraction of `I1`, `I2` kept at a spike (dimensionless).
    - `A1`, `A2`: increments of `I1`, `I2` at a spike (pA).
    - `t_ref`: absolute refractory period (ms, >= 0).
    - `V_init`: initial potential (mV): a number, an array, or an initializer (then
      `key` is required). Default `E_L`.
    - `Theta_init`: initial threshold (mV). Default `Theta_inf`.
    - `I1_init`, `I2_init`: initial internal currents (pA). Default 0.
      `Theta_init`, `I1_init` and `I2_init` may also be initializers, each
      drawn from its own sub-key of `key`.
    - `surrogate`: the spike function's surrogate gradient (default
      `bx.surrogate.Sigmoid(1.0)`, slope in 1/mV), applied to `V - Theta`.
    - `solver`: any diffrax solver (default [`brainox.ExponentialEuler`][]).
    - `key`: a `jax.random.key` for random initial values.
    - `dtype`: floating dtype of parameters and states.

    Every numeric parameter may be a scalar or one value per neuron.

    ??? cite "Reference"
        Mihalas, S. & Niebur, E. (2009). A generalized linear integrate-and-fire
        neural model produces diverse spiking behaviors. Neural Computation
        21(3), 704-718.

    !!! example
        ```python
        # Tonic spiking and spike-frequency adaptation (paper Fig. 1A, 1C).
        neuron = bx.GIF(2, a=jnp.array([0.0, 0.005]))
        current = 200.0 * jnp.array([1.5, 2.0])      # C x I/C, pA
        neuron, rec = bx.simulate(neuron, 200.0, dt=0.05,
                                  inputs=lambda step, t: current,
                                  monitors=["V", "Theta"], spikes={"gif": "spike"})
        ```
    """

    V: Hidden
    Theta: Hidden
    I1: Hidden
    I2: Hidden
    spike: ShortTerm
    refractory_left: ShortTerm
    C: Array
    g_L: Array
    E_L: Array
    V_reset: Array
    Theta_inf: Array
    Theta_reset: Array
    a: Array
    b: Array
    k1: Array
    k2: Array
    R1: Array
    R2: Array
    A1: Array
    A2: Array
    t_ref: Array
    surrogate: AbstractSurrogate
    solver: diffrax.AbstractSolver

    def __init__(
        self,
        n: int,
        *,
        C: FloatLike = 200.0,
        g_L: FloatLike = 10.0,
        E_L: FloatLike = -70.0,
        V_reset: FloatLike = -70.0,
        Theta_inf: FloatLike = -50.0,
        Theta_reset: FloatLike = -60.0,
        a: FloatLike = 0.0,
        b: FloatLike = 0.01,
        k1: FloatLike = 0.2,
        k2: FloatLike = 0.02,
        R1: FloatLike = 0.0,
        R2: FloatLike = 1.0,
        A1: FloatLike = 0.0,
        A2: FloatLike = 0.0,
        t_ref: FloatLike = 0.0,
        V_init: PyTree = None,
        Theta_init: PyTree = None,
        I1_init: PyTree = 0.0,
        I2_init: PyTree = 0.0,
        surrogate: AbstractSurrogate | None = None,
        solver: diffrax.AbstractSolver | None = None,
        key: Array | None = None,
        dtype=jnp.float32,
    ):
        n = check_size("n", n)
        self.C = as_param("C", C, n, dtype, positive=True)
        self.g_L = as_param("g_L", g_L, n, dtype, positive=True)
        self.E_L = as_param("E_L", E_L, n, dtype)
        self.V_reset = as_param("V_reset", V_reset, n, dtype)
        self.Theta_inf = as_param("Theta_inf", Theta_inf, n, dtype)
        self.Theta_reset = as_param("Theta_reset", Theta_reset, n, dtype)
        self.a = as_param("a", a, n, dtype)
        self.b = as_param("b", b, n, dtype, nonnegative=True)
        self.k1 = as_param("k1", k1, n, dtype, nonnegative=True)
        self.k2 = as_param("k2", k2, n, dtype, nonnegative=True)
        self.R1 = as_param("R1", R1, n, dtype)
        self.R2 = as_param("R2", R2, n, dtype)
        self.A1 = as_param("A1", A1, n, dtype)
        self.A2 = as_param("A2", A2, n, dtype)
        self.t_ref = as_param("t_ref", t_ref, n, dtype, nonnegative=True)
        self.V = initial_state(V_init, self.E_L, n, dtype, key, "V_init")
        self.Theta = initial_state(
            Theta_init, self.Theta_inf, n, dtype, state_key(key, 1), "Theta_init"
        )
        self.I1 = initial_state(
            I1_init, jnp.zeros((), dtype), n, dtype, state_key(key, 2), "I1_init"
        )
        self.I2 = initial_state(
            I2_init, jnp.zeros((), dtype), n, dtype, state_key(key, 3), "I2_init"
        )
        self.spike = ShortTerm(jnp.zeros(n, dtype))
        self.refractory_left = ShortTerm(jnp.zeros(n, jnp.int32))
        self.surrogate = Sigmoid(1.0) if surrogate is None else surrogate
        self.solver = ExponentialEuler() if solver is None else solver

    def vector_field(self, t, y, args):
        """`dV/dt`, `dTheta/dt` (mV/ms), `dI1/dt`, `dI2/dt` (pA/ms); `args = I` (pA)."""
        current = 0.0 if args is None else args
        V, Theta, I1, I2 = y["V"], y["Theta"], y["I1"], y["I2"]
        return {
            "V": (current + I1 + I2 - self.g_L * (V - self.E_L)) / self.C,
            "Theta": self.a * (V - self.E_L) - self.b * (Theta - self.Theta_inf),
            "I1": -self.k1 * I1,
            "I2": -self.k2 * I2,
        }

    def fire(self, y0, y1, dt):
        fired = integrate_and_fire(self, y0, y1, y1["Theta"], dt)
        spike = fired["spike"]
        Theta = y1["Theta"] + spike * (
            jnp.maximum(self.Theta_reset, y1["Theta"]) - y1["Theta"]
        )
        I1 = y1["I1"] + spike * ((self.R1 - 1) * y1["I1"] + self.A1)
        I2 = y1["I2"] + spike * ((self.R2 - 1) * y1["I2"] + self.A2)
        return self.with_states(Theta=Theta, I1=I1, I2=I2, **fired)
