"""The Traub-Miles Hodgkin-Huxley neuron of the COBAHH benchmark."""

from typing import ClassVar

import diffrax
import jax.numpy as jnp

from .._custom_types import Array, ArrayLike, FloatLike
from .._dynamics import AbstractNeuron
from .._solvers.exponential_euler import ExponentialEuler
from .._state import Hidden, ShortTerm
from .._validate import HH_DT_LIMIT, as_param, check_size
from ..surrogate import AbstractSurrogate, Sigmoid
from ._common import (
    count_down,
    gate_derivative,
    gate_steady_state,
    gates_at_rest,
    initial_state,
    linexp,
    upward_crossing,
)


AREA_CM2 = 20000e-8
"""The membrane area of the COBAHH benchmark cell, 20000 um^2, in cm^2."""


class TraubMilesHH(AbstractNeuron):
    """A population of Traub-Miles Hodgkin-Huxley neurons (COBAHH benchmark cell).

    `C dV/dt = I - g_L (V - E_L) - g_Na m^3 h (V - E_Na) - g_Kd n^4 (V - E_K)`

    `dx/dt = alpha_x(V) (1 - x) - beta_x(V) x` for each gate `x` in `m, h, n`,

    in absolute units: `V` in mV, time in ms, `C` in pF, conductances in nS and
    the input `I` in pA (nS x mV = pA, pA / pF = mV/ms), so synaptic conductances
    in nS compose as the current `g (E - V)`. With `u = V - V_T` (mV), the rates
    (1/ms, [`brainox.TraubMilesHH.rates`][]) are those of Traub & Miles (1991) as
    used by the COBAHH benchmark (Brian2's example):

    - `alpha_m = 0.32 (13 - u) / (exp((13 - u) / 4) - 1)`,
      `beta_m = 0.28 (u - 40) / (exp((u - 40) / 5) - 1)`;
    - `alpha_h = 0.128 exp((17 - u) / 18)`, `beta_h = 4 / (1 + exp((40 - u) / 5))`;
    - `alpha_n = 0.032 (15 - u) / (exp((15 - u) / 5) - 1)`,
      `beta_n = 0.5 exp((10 - u) / 40)`.

    The removable singularities at `u = 13`, `40` and `15` mV are guarded (finite
    values and gradients, equal to the limits).

    A spike is an upward crossing of `V_th` (-20 mV), detected only: `V` is not
    reset, and for `t_ref` (3 ms, rounded to whole steps) after a spike no
    further spike is detected, so each action potential counts once.

    The defaults are the cell of Brette et al. (2007, benchmark 3): area
    20000 um^2, `C = 1` uF/cm^2, `g_L = 5e-5` S/cm^2, `g_Na = 100`,
    `g_Kd = 30` mS/cm^2, which give `C = 200` pF, `g_L = 10` nS,
    `g_Na = 20000` nS and `g_Kd = 6000` nS; `E_L = -60`, `E_K = -90`,
    `E_Na = 50`, `V_T = -63` mV. For other cells multiply densities by the area:
    1 uF/cm^2 x 1 cm^2 = 1e6 pF and 1 mS/cm^2 x 1 cm^2 = 1e6 nS
    (`AREA_CM2 = 2e-4` is the benchmark's area in cm^2).

    With these parameters the isolated cell has no resting state: its leak
    (10 nS) cannot hold the sodium window current, and without input it fires on
    its own at 13.9 Hz (ISI 72.2 ms from `V = E_L`; the tests check the spike
    times against scipy). A current of -50 pA holds it at rest near -64.74 mV.

    The default solver is [`brainox.ExponentialEuler`][], as in the benchmark's
    Brian2 code: every equation is linear in its own variable (conditionally
    linear), so each gate is exact over a step for fixed `V`. `dt = 0.1` ms is the
    benchmark's step; use `dt <= 0.01` ms (or [`brainox.RK4`][]) for
    reference-quality spike times.

    The input passed to `step` (and `args` of `vector_field`) is `I`, in pA: a
    scalar or one value per neuron.

    **Arguments:**

    - `n`: number of neurons.
    - `C`: membrane capacitance (pF, > 0).
    - `g_L`, `g_Na`, `g_Kd`: leak, sodium and delayed-rectifier potassium
      conductances (nS, >= 0).
    - `E_L`, `E_Na`, `E_K`: reversal potentials (mV).
    - `V_T`: offset of the rate functions (mV); it sets the firing threshold.
    - `V_th`: spike detection threshold (mV); it does not change the dynamics.
    - `t_ref`: dead time of the spike detector (ms, >= 0).
    - `V_init`: initial potential (mV), a number or one value per neuron. Default
      `E_L`.
    - `m_init`, `h_init`, `n_init`: initial gates (in [0, 1]). Default: the steady
      state at `V_init`. (Brian2's COBAHH example starts them at 0.)
    - `surrogate`: the spike function's surrogate gradient (default
      `bx.surrogate.Sigmoid(1.0)`, slope in 1/mV).
    - `solver`: any diffrax solver (default [`brainox.ExponentialEuler`][]).
    - `dtype`: floating dtype of parameters and states.

    Every numeric parameter may be a scalar or one value per neuron.

    ??? cite "Reference"
        Traub, R. D. & Miles, R. (1991). Neuronal Networks of the Hippocampus.
        Cambridge University Press.

        Brette, R. et al. (2007). Simulation of networks of spiking neurons: a
        review of tools and strategies. Journal of Computational Neuroscience
        23(3), 349-398 (benchmark 3, COBAHH).

    !!! example
        ```python
        neuron = bx.TraubMilesHH(2)
        current = jnp.array([200.0, 1000.0])       # pA
        neuron, rec = bx.simulate(neuron, 200.0, dt=0.01,
                                  inputs=lambda step, t: current,
                                  spikes={"hh": "spike"})
        ```
    """

    V: Hidden
    m: Hidden
    h: Hidden
    n: Hidden
    spike: ShortTerm
    refractory_left: ShortTerm
    C: Array
    g_L: Array
    g_Na: Array
    g_Kd: Array
    E_L: Array
    E_Na: Array
    E_K: Array
    V_T: Array
    V_th: Array
    t_ref: Array
    surrogate: AbstractSurrogate
    solver: diffrax.AbstractSolver
    dt_limit: ClassVar[float] = HH_DT_LIMIT
    """Largest step (ms) resolving the sodium gates; `bx.simulate` warns above it."""

    def __init__(
        self,
        n: int,
        *,
        C: FloatLike = 200.0,
        g_L: FloatLike = 10.0,
        g_Na: FloatLike = 20000.0,
        g_Kd: FloatLike = 6000.0,
        E_L: FloatLike = -60.0,
        E_Na: FloatLike = 50.0,
        E_K: FloatLike = -90.0,
        V_T: FloatLike = -63.0,
        V_th: FloatLike = -20.0,
        t_ref: FloatLike = 3.0,
        V_init: FloatLike | None = None,
        m_init: FloatLike | None = None,
        h_init: FloatLike | None = None,
        n_init: FloatLike | None = None,
        surrogate: AbstractSurrogate | None = None,
        solver: diffrax.AbstractSolver | None = None,
        dtype=jnp.float32,
    ):
        size = check_size("n", n)
        self.C = as_param("C", C, size, dtype, positive=True)
        self.g_L = as_param("g_L", g_L, size, dtype, nonnegative=True)
        self.g_Na = as_param("g_Na", g_Na, size, dtype, nonnegative=True)
        self.g_Kd = as_param("g_Kd", g_Kd, size, dtype, nonnegative=True)
        self.E_L = as_param("E_L", E_L, size, dtype)
        self.E_Na = as_param("E_Na", E_Na, size, dtype)
        self.E_K = as_param("E_K", E_K, size, dtype)
        self.V_T = as_param("V_T", V_T, size, dtype)
        self.V_th = as_param("V_th", V_th, size, dtype)
        self.t_ref = as_param("t_ref", t_ref, size, dtype, nonnegative=True)
        if callable(V_init):
            raise TypeError(
                "`V_init` of TraubMilesHH must be a number or an array (mV), not an "
                "initializer: the gates start at the steady state of V_init. For a "
                "random start draw it yourself, e.g. "
                "`V_init=-65 + 5 * jax.random.normal(key, (n,))`."
            )
        self.V = initial_state(V_init, self.E_L, size, dtype, None, "V_init")
        inits = {"m": m_init, "h": h_init, "n": n_init}
        gates = gates_at_rest(self.rates(self.V.value), inits, size, dtype)
        self.m, self.h, self.n = gates["m"], gates["h"], gates["n"]
        self.spike = ShortTerm(jnp.zeros(size, dtype))
        self.refractory_left = ShortTerm(jnp.zeros(size, jnp.int32))
        self.surrogate = Sigmoid(1.0) if surrogate is None else surrogate
        self.solver = ExponentialEuler() if solver is None else solver

    def rates(self, V: ArrayLike) -> dict[str, tuple[Array, Array]]:
        """The opening and closing rates `(alpha, beta)` of each gate (1/ms).

        **Arguments:**

        - `V`: membrane potential (mV), of a shape that broadcasts with `V_T`.

        **Returns:** `{"m": (alpha_m, beta_m), "h": ..., "n": ...}`. The singular
        points give the finite limits (`alpha_m = 1.28`, `beta_m = 1.4`,
        `alpha_n = 0.16` per ms), with finite gradients.

        !!! example
            ```python
            V = jnp.linspace(-80.0, 40.0, 121)
            alpha_m, beta_m = bx.TraubMilesHH(1).rates(V)["m"]
            ```
        """
        u = jnp.asarray(V) - self.V_T
        return {
            "m": (0.32 * linexp(u - 13.0, 4.0), 0.28 * linexp(40.0 - u, 5.0)),
            "h": (
                0.128 * jnp.exp((17.0 - u) / 18.0),
                4.0 / (1.0 + jnp.exp((40.0 - u) / 5.0)),
            ),
            "n": (0.032 * linexp(u - 15.0, 5.0), 0.5 * jnp.exp((10.0 - u) / 40.0)),
        }

    def steady_state(self, V: ArrayLike) -> dict[str, Array]:
        """The steady-state gates `alpha / (alpha + beta)` at `V` (mV)."""
        return {
            gate: gate_steady_state(alpha, beta)
            for gate, (alpha, beta) in self.rates(V).items()
        }

    def vector_field(self, t, y, args):
        """`dV/dt` (mV/ms) and the gates' `dx/dt` (1/ms); `args = I` in pA."""
        current = 0.0 if args is None else args
        V, m, h, n = y["V"], y["m"], y["h"], y["n"]
        i_L = self.g_L * (V - self.E_L)
        i_Na = self.g_Na * m**3 * h * (V - self.E_Na)
        i_K = self.g_Kd * n**4 * (V - self.E_K)
        out = {"V": (current - i_L - i_Na - i_K) / self.C}
        for gate, (alpha, beta) in self.rates(V).items():
            out[gate] = gate_derivative(alpha, beta, y[gate])
        return out

    def fire(self, y0, y1, dt):
        ready = (self.refractory_left.value == 0).astype(y1["V"].dtype)
        crossing = upward_crossing(
            self.surrogate, y0["V"] - self.V_th, y1["V"] - self.V_th
        )
        spike = crossing * ready
        left = count_down(self.refractory_left.value, spike, self.t_ref, dt)
        return self.with_states(**y1, spike=spike, refractory_left=left)
