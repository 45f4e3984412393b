"""The Wang-Buzsaki fast-spiking interneuron."""

from typing import ClassVar

import diffrax
import jax.numpy as jnp

from .._custom_types import Array, ArrayLike, FloatLike
from .._dynamics import AbstractNeuron
from .._solvers.rk4 import RK4
from .._state import Hidden, ShortTerm
from .._validate import HH_DT_LIMIT, as_param, check_size
from ..surrogate import AbstractSurrogate, Sigmoid
from ._common import (
    gate_derivative,
    gate_steady_state,
    gates_at_rest,
    initial_state,
    linexp,
    upward_crossing,
)


class WangBuzsaki(AbstractNeuron):
    """A population of Wang-Buzsaki hippocampal interneurons (fast spiking).

    `C dV/dt = I - g_Na m_inf^3 h (V - E_Na) - g_K n^4 (V - E_K) - g_L (V - E_L)`

    `dh/dt = phi (alpha_h (1 - h) - beta_h h)`,
    `dn/dt = phi (alpha_n (1 - n) - beta_n n)`

    with the sodium activation at its steady state `m_inf = alpha_m / (alpha_m +
    beta_m)`, `V` in mV, time in ms, `C` in uF/cm^2, conductances in mS/cm^2 and
    the input `I` in uA/cm^2. The rates (1/ms, [`brainox.WangBuzsaki.rates`][]):

    - `alpha_m = 0.1 (V + 35) / (1 - exp(-(V + 35) / 10))`,
      `beta_m = 4 exp(-(V + 60) / 18)`;
    - `alpha_h = 0.07 exp(-(V + 58) / 20)`, `beta_h = 1 / (1 + exp(-(V + 28) / 10))`;
    - `alpha_n = 0.01 (V + 34) / (1 - exp(-(V + 34) / 10))`,
      `beta_n = 0.125 exp(-(V + 44) / 80)`.

    The removable singularities at `V = -35` and `-34` mV are guarded (finite
    values and gradients). The temperature factor `phi = 5` makes `h` and `n`
    fast: the neuron fires brief spikes at high rates, with a type I f-I curve
    (firing starts at a low rate near `I = 0.16` uA/cm^2, which Wang & Buzsaki
    report as the threshold of repetitive firing; the tests measure 0.160).

    A spike is an upward crossing of `V_th`; there is no reset.

    The default solver is [`brainox.RK4`][]: the `V` equation is not
    conditionally linear (`m_inf(V)^3`), and exponential Euler, first order,
    under-estimates the rates by 3-9 % even at `dt = 0.025` ms, while RK4 at
    `dt = 0.05` ms is within 0.03 Hz of a converged solution up to 10 uA/cm^2.

    The input passed to `step` (and `args` of `vector_field`) is `I`, in uA/cm^2:
    a scalar or one value per neuron.

    **Arguments:**

    - `n`: number of neurons.
    - `C`: membrane capacitance (uF/cm^2, > 0).
    - `g_Na`, `g_K`, `g_L`: maximal sodium, potassium and leak conductances
      (mS/cm^2, >= 0).
    - `E_Na`, `E_K`, `E_L`: reversal potentials (mV).
    - `phi`: temperature factor of `h` and `n` (dimensionless, > 0).
    - `V_th`: spike detection threshold (mV); it does not change the dynamics.
    - `V_init`: initial potential (mV), a number or one value per neuron. Default
      -64 mV (near the rest, -64.02 mV).
    - `h_init`, `n_init`: initial gates (in [0, 1]). Default: the steady state at
      `V_init`.
    - `surrogate`: the spike function's surrogate gradient (default
      `bx.surrogate.Sigmoid(1.0)`, slope in 1/mV).
    - `solver`: any diffrax solver (default [`brainox.RK4`][]).
    - `dtype`: floating dtype of parameters and states.

    Every numeric parameter may be a scalar or one value per neuron.

    ??? cite "Reference"
        Wang, X.-J. & Buzsaki, G. (1996). Gamma oscillation by synaptic
        inhibition in a hippocampal interneuronal network model. The Journal of
        Neuroscience 16(20), 6402-6413.

    !!! example
        ```python
        neuron = bx.WangBuzsaki(3)
        current = jnp.array([0.5, 1.0, 3.0])     # uA/cm^2
        neuron, rec = bx.simulate(neuron, 500.0, dt=0.05,
                                  inputs=lambda step, t: current,
                                  spikes={"wb": "spike"})
        ```
    """

    V: Hidden
    h: Hidden
    n: Hidden
    spike: ShortTerm
    C: Array
    g_Na: Array
    g_K: Array
    g_L: Array
    E_Na: Array
    E_K: Array
    E_L: Array
    phi: Array
    V_th: Array
    surrogate: AbstractSurrogate
    solver: diffrax.AbstractSolver
    dt_limit: ClassVar[float] = HH_DT_LIMIT
    """Largest step (ms) resolving the sodium gates; `bx.simulate` warns above it."""

    def __init__(
        self,
        n: int,
        *,
        C: FloatLike = 1.0,
        g_Na: FloatLike = 35.0,
        g_K: FloatLike = 9.0,
        g_L: FloatLike = 0.1,
        E_Na: FloatLike = 55.0,
        E_K: FloatLike = -90.0,
        E_L: FloatLike = -65.0,
        phi: FloatLike = 5.0,
        V_th: FloatLike = -20.0,
        V_init: FloatLike = -64.0,
        h_init: FloatLike | None = None,
        n_init: FloatLike | None = None,
        surrogate: AbstractSurrogate | None = None,
        solver: diffrax.AbstractSolver | None = None,
        dtype=jnp.float32,
    ):
        size = check_size("n", n)
        self.C = as_param("C", C, size, dtype, positive=True)
        self.g_Na = as_param("g_Na", g_Na, size, dtype, nonnegative=True)
        self.g_K = as_param("g_K", g_K, size, dtype, nonnegative=True)
        self.g_L = as_param("g_L", g_L, size, dtype, nonnegative=True)
        self.E_Na = as_param("E_Na", E_Na, size, dtype)
        self.E_K = as_param("E_K", E_K, size, dtype)
        self.E_L = as_param("E_L", E_L, size, dtype)
        self.phi = as_param("phi", phi, size, dtype, positive=True)
        self.V_th = as_param("V_th", V_th, size, dtype)
        if callable(V_init):
            raise TypeError(
                "`V_init` of WangBuzsaki must be a number or an array (mV), not an "
                "initializer: the gates start at the steady state of V_init. For a "
                "random start draw it yourself, e.g. "
                "`V_init=-64 + 2 * jax.random.normal(key, (n,))`."
            )
        self.V = initial_state(
            V_init, jnp.asarray(-64.0, dtype), size, dtype, None, "V_init"
        )
        gates = gates_at_rest(
            self.rates(self.V.value), {"h": h_init, "n": n_init}, size, dtype
        )
        self.h, self.n = gates["h"], gates["n"]
        self.spike = ShortTerm(jnp.zeros(size, dtype))
        self.surrogate = Sigmoid(1.0) if surrogate is None else surrogate
        self.solver = RK4() if solver is None else solver

    @staticmethod
    def rates(V: ArrayLike) -> dict[str, tuple[Array, Array]]:
        """The opening and closing rates `(alpha, beta)` of `m`, `h`, `n` (1/ms).

        Without the factor `phi`. The singular points `V = -35` (`alpha_m`) and
        `V = -34` mV (`alpha_n`) give the finite limits, with finite gradients.

        !!! example
            ```python
            alpha_n, beta_n = bx.WangBuzsaki.rates(jnp.linspace(-80.0, 40.0, 121))["n"]
            ```
        """
        V = jnp.asarray(V)
        return {
            "m": (0.1 * linexp(V + 35.0, 10.0), 4.0 * jnp.exp(-(V + 60.0) / 18.0)),
            "h": (
                0.07 * jnp.exp(-(V + 58.0) / 20.0),
                1.0 / (1.0 + jnp.exp(-(V + 28.0) / 10.0)),
            ),
            "n": (
                0.01 * linexp(V + 34.0, 10.0),
                0.125 * jnp.exp(-(V + 44.0) / 80.0),
            ),
        }

    def vector_field(self, t, y, args):
        """`dV/dt` (mV/ms) and the gates' `dx/dt` (1/ms); `args = I` in uA/cm^2."""
        current = 0.0 if args is None else args
        V, h, n = y["V"], y["h"], y["n"]
        rates = self.rates(V)
        m_inf = gate_steady_state(*rates["m"])
        i_Na = self.g_Na * m_inf**3 * h * (V - self.E_Na)
        i_K = self.g_K * n**4 * (V - self.E_K)
        i_L = self.g_L * (V - self.E_L)
        return {
            "V": (current - i_Na - i_K - i_L) / self.C,
            "h": self.phi * gate_derivative(*rates["h"], h),
            "n": self.phi * gate_derivative(*rates["n"], n),
        }

    def fire(self, y0, y1, dt):
        spike = upward_crossing(
            self.surrogate, y0["V"] - self.V_th, y1["V"] - self.V_th
        )
        return self.with_states(**y1, spike=spike)
