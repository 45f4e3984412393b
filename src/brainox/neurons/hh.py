"""The Hodgkin-Huxley neuron."""

from typing import ClassVar

import diffrax
import jax.numpy as jnp

from .._custom_types import Array, ArrayLike, FloatLike
from .._dynamics import AbstractNeuron
from .._solvers.exponential_euler import ExponentialEuler
from .._state import Hidden, ShortTerm
from .._validate import HH_DT_LIMIT, as_param, check_size
from ..surrogate import AbstractSurrogate, Sigmoid
from ._common import NO_KEY, initial_state, linexp, upward_crossing


HH_REST = -64.9964
"""Resting potential (mV) of the Hodgkin-Huxley model with its default parameters."""


class HH(AbstractNeuron):
    """A population of Hodgkin-Huxley neurons (squid giant axon, 6.3 C).

    `C dV/dt = I - g_Na m^3 h (V - E_Na) - g_K n^4 (V - E_K) - g_L (V - E_L)`

    `dx/dt = alpha_x(V) (1 - x) - beta_x(V) x` for each gate `x` in `m, h, n`,

    in the modern convention (rest near -65 mV, `V` in mV, time in ms), with the
    rates (1/ms) of [`brainox.HH.rates`][]:

    - `alpha_m = 0.1 (V + 40) / (1 - exp(-(V + 40) / 10))`,
      `beta_m = 4 exp(-(V + 65) / 18)`;
    - `alpha_h = 0.07 exp(-(V + 65) / 20)`, `beta_h = 1 / (1 + exp(-(V + 35) / 10))`;
    - `alpha_n = 0.01 (V + 55) / (1 - exp(-(V + 55) / 10))`,
      `beta_n = 0.125 exp(-(V + 65) / 80)`.

    The removable singularities of `alpha_m` at `V = -40` and `alpha_n` at
    `V = -55` mV are guarded: rates and their gradients are finite there and equal
    the limits (`alpha_m(-40) = 1`, `alpha_n(-55) = 0.1`).

    A spike is an upward crossing of `V_th`: `V < V_th` at the start of a step and
    `V >= V_th` at its end. The surrogate gradient acts on `V - V_th` at the end of
    the step. There is no reset: the spike shape comes from the dynamics. The
    default solver, exponential Euler, is exact for each variable's linear part
    (every equation is linear in its own variable: conditionally linear); use
    [`brainox.RK4`][] for reference-quality spike times.

    The input passed to `step` (and `args` of `vector_field`) is `I`, the injected
    current density in uA/cm^2: a scalar or one value per neuron.

    With the default parameters the model rests at `V = -64.9964` mV
    (`m = 0.0530, h = 0.5960, n = 0.3177`). A 500 ms step current evokes a spike
    from about 2.24 uA/cm^2, and repetitive firing (type II, jumping from 0 to about
    52 Hz) from about 6.26 uA/cm^2.

    **Arguments:**

    - `n`: number of neurons.
    - `C`: membrane capacitance (uF/cm^2, > 0).
    - `g_Na`, `g_K`, `g_L`: maximal sodium, potassium and leak conductances
      (mS/cm^2, >= 0).
    - `E_Na`, `E_K`, `E_L`: reversal potentials (mV).
    - `V_th`: spike detection threshold (mV); it does not change the dynamics.
    - `V_init`: initial potential (mV), a number or one value per neuron. Default
      the rest of the default parameters, -64.9964 mV.
    - `m_init`, `h_init`, `n_init`: initial gating variables (dimensionless, in
      [0, 1]). Default: the steady state at `V_init`, `alpha / (alpha + beta)`.
    - `surrogate`: the spike function's surrogate gradient (default
      `bx.surrogate.Sigmoid(1.0)`, slope in 1/mV).
    - `solver`: any diffrax solver (default [`brainox.ExponentialEuler`][]).
    - `dtype`: floating dtype of parameters and states.

    Every numeric parameter may be a scalar or one value per neuron.

    ??? cite "Reference"
        Hodgkin, A. L. & Huxley, A. F. (1952). A quantitative description of
        membrane current and its application to conduction and excitation in
        nerve. The Journal of Physiology 117(4), 500-544.

    !!! example
        ```python
        neuron = bx.HH(3, solver=bx.RK4())
        current = jnp.array([2.0, 6.5, 10.0])        # uA/cm^2, one per neuron
        neuron, rec = bx.simulate(neuron, 500.0, dt=0.01,
                                  inputs=lambda step, t: current,
                                  monitors=["V"], spikes={"hh": "spike"})
        ```
    """

    V: Hidden
    m: Hidden
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
        g_Na: FloatLike = 120.0,
        g_K: FloatLike = 36.0,
        g_L: FloatLike = 0.3,
        E_Na: FloatLike = 50.0,
        E_K: FloatLike = -77.0,
        E_L: FloatLike = -54.387,
        V_th: FloatLike = 0.0,
        V_init: FloatLike = HH_REST,
        m_init: FloatLike | None = None,
        h_init: FloatLike | None = None,
        n_init: FloatLike | None = None,
        surrogate: AbstractSurrogate | None = None,
        solver: diffrax.AbstractSolver | None = None,
        dtype=jnp.float32,
    ):
        n = check_size("n", n)
        self.C = as_param("C", C, n, dtype, positive=True)
        self.g_Na = as_param("g_Na", g_Na, n, dtype, nonnegative=True)
        self.g_K = as_param("g_K", g_K, n, dtype, nonnegative=True)
        self.g_L = as_param("g_L", g_L, n, dtype, nonnegative=True)
        self.E_Na = as_param("E_Na", E_Na, n, dtype)
        self.E_K = as_param("E_K", E_K, n, dtype)
        self.E_L = as_param("E_L", E_L, n, dtype)
        self.V_th = as_param("V_th", V_th, n, dtype)
        if callable(V_init):
            raise TypeError(
                "`V_init` of HH must be a number or an array (mV), not an "
                "initializer: the gates start at the steady state of V_init. For a "
                "random start draw it yourself, e.g. "
                "`V_init=-65 + 2 * jax.random.normal(key, (n,))`."
            )
        self.V = initial_state(
            V_init, jnp.asarray(HH_REST, dtype), n, dtype, None, "V_init"
        )
        steady = self.steady_state(self.V.value)
        self.m = initial_state(m_init, steady["m"], n, dtype, NO_KEY, "m_init")
        self.h = initial_state(h_init, steady["h"], n, dtype, NO_KEY, "h_init")
        self.n = initial_state(n_init, steady["n"], n, dtype, NO_KEY, "n_init")
        self.spike = ShortTerm(jnp.zeros(n, dtype))
        self.surrogate = Sigmoid(1.0) if surrogate is None else surrogate
        self.solver = ExponentialEuler() if solver is None else solver

    @staticmethod
    def rates(V: ArrayLike) -> dict[str, tuple[Array, Array]]:
        """The opening and closing rates `(alpha, beta)` of each gate (1/ms).

        **Arguments:**

        - `V`: membrane potential (mV), any shape.

        **Returns:** `{"m": (alpha_m, beta_m), "h": (alpha_h, beta_h),
        "n": (alpha_n, beta_n)}`, arrays of the shape of `V`. The singular points
        `V = -40` (`alpha_m`) and `V = -55` mV (`alpha_n`) give the finite limits,
        with finite gradients.

        !!! example
            ```python
            alpha_m, beta_m = bx.HH.rates(jnp.linspace(-80.0, 40.0, 121))["m"]
            ```
        """
        V = jnp.asarray(V)
        return {
            "m": (0.1 * linexp(V + 40.0, 10.0), 4.0 * jnp.exp(-(V + 65.0) / 18.0)),
            "h": (
                0.07 * jnp.exp(-(V + 65.0) / 20.0),
                1.0 / (1.0 + jnp.exp(-(V + 35.0) / 10.0)),
            ),
            "n": (0.01 * linexp(V + 55.0, 10.0), 0.125 * jnp.exp(-(V + 65.0) / 80.0)),
        }

    @staticmethod
    def steady_state(V: ArrayLike) -> dict[str, Array]:
        """The steady-state gating variables `alpha / (alpha + beta)` at `V` (mV).

        **Returns:** `{"m": m_inf, "h": h_inf, "n": n_inf}`, dimensionless.

        !!! example
            ```python
            bx.HH.steady_state(-64.9964)["n"]   # 0.3177
            ```
        """
        return {
            gate: alpha / (alpha + beta) for gate, (alpha, beta) in HH.rates(V).items()
        }

    def vector_field(self, t, y, args):
        """`dV/dt` (mV/ms) and the gates' `dx/dt` (1/ms); `args = I` in uA/cm^2."""
        current = 0.0 if args is None else args
        V, m, h, n = y["V"], y["m"], y["h"], y["n"]
        i_Na = self.g_Na * m**3 * h * (V - self.E_Na)
        i_K = self.g_K * n**4 * (V - self.E_K)
        i_L = self.g_L * (V - self.E_L)
        out = {"V": (current - i_Na - i_K - i_L) / self.C}
        for gate, (alpha, beta) in self.rates(V).items():
            x = y[gate]
            out[gate] = alpha * (1 - x) - beta * x
        return out

    def fire(self, y0, y1, dt):
        spike = upward_crossing(
            self.surrogate, y0["V"] - self.V_th, y1["V"] - self.V_th
        )
        return self.with_states(**y1, spike=spike)
