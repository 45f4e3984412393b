"""The Morris-Lecar neuron, with the type I and type II sets of Rinzel & Ermentrout."""

import diffrax
import jax.numpy as jnp

from .._custom_types import Array, ArrayLike, FloatLike
from .._dynamics import AbstractNeuron
from .._solvers.rk4 import RK4
from .._state import Hidden, ShortTerm
from .._validate import as_param, check_size
from ..surrogate import AbstractSurrogate, Sigmoid
from ._common import NO_KEY, initial_state, upward_crossing


_PRESETS: dict[str, dict[str, float]] = {
    "type_II": {"g_Ca": 4.4, "V3": 2.0, "V4": 30.0, "phi": 0.04},
    "type_I": {"g_Ca": 4.0, "V3": 12.0, "V4": 17.4, "phi": 1.0 / 15.0},
}


class MorrisLecar(AbstractNeuron):
    """A population of Morris-Lecar neurons (barnacle muscle fibre, two variables).

    `C dV/dt = I - g_L (V - E_L) - g_Ca m_inf(V) (V - E_Ca) - g_K w (V - E_K)`

    `dw/dt = phi (w_inf(V) - w) / tau_w(V)`

    `m_inf(V) = (1 + tanh((V - V1) / V2)) / 2`,
    `w_inf(V) = (1 + tanh((V - V3) / V4)) / 2`,
    `tau_w(V) = 1 / cosh((V - V3) / (2 V4))`,

    with `V` in mV, time in ms, `C` in uF/cm^2, conductances in mS/cm^2 and the
    input `I` in uA/cm^2; `w` (the fraction of open K+ channels) and `phi` (1/ms,
    with `tau_w` dimensionless) set the recovery. The calcium current is
    instantaneous.

    A spike is an upward crossing of `V_th`: `V < V_th` at the start of a step and
    `V >= V_th` at its end. There is no reset: the spike shape comes from the
    dynamics, as for [`brainox.HH`][].

    Two parameter sets of Rinzel & Ermentrout (1989) show the two classes of
    excitability ([`brainox.MorrisLecar.preset`][]); both share `C = 20`,
    `g_L = 2`, `g_K = 8`, `E_L = -60`, `E_K = -84`, `E_Ca = 120`, `V1 = -1.2`,
    `V2 = 18`:

    | name    | class, onset of firing        | g_Ca | V3 | V4   | phi   |
    |---------|-------------------------------|------|----|------|-------|
    | type_II | Hopf: jumps to a finite rate  | 4.4  | 2  | 30   | 0.04  |
    | type_I  | SNIC: arbitrarily low rates   | 4    | 12 | 17.4 | 1/15  |

    The defaults are the type II set. With it the rest loses stability in a
    subcritical Hopf bifurcation at `I = 93.86` uA/cm^2 and firing starts at a
    finite rate; with the type I set a saddle-node on the invariant circle at
    `I = 39.96` uA/cm^2 starts firing at zero rate (from the Jacobian and the
    steady-state current-voltage curve, in float64; the tests recompute both).

    The default solver is [`brainox.RK4`][]: the `V` equation is not conditionally
    linear (`m_inf` depends on `V`), and the model is smooth and slow (`C = 20`),
    so `dt = 0.05-0.1` ms is accurate.

    The input passed to `step` (and `args` of `vector_field`) is `I`, in uA/cm^2:
    a scalar or one value per neuron.

    **Arguments:**

    - `n`: number of neurons.
    - `C`: membrane capacitance (uF/cm^2, > 0).
    - `g_Ca`, `g_K`, `g_L`: maximal calcium, potassium and leak conductances
      (mS/cm^2, >= 0).
    - `E_Ca`, `E_K`, `E_L`: reversal potentials (mV).
    - `V1`, `V2`: midpoint and slope of `m_inf` (mV; `V2 > 0`).
    - `V3`, `V4`: midpoint and slope of `w_inf` and `tau_w` (mV; `V4 > 0`).
    - `phi`: rate of the recovery variable (1/ms, > 0).
    - `V_th`: spike detection threshold (mV); it does not change the dynamics.
    - `V_init`: initial potential (mV), a number or one value per neuron. Default
      -60 mV.
    - `w_init`: initial recovery variable (in [0, 1]). Default `w_inf(V_init)`.
    - `surrogate`: the spike function's surrogate gradient (default
      `bx.surrogate.Sigmoid(1.0)`, slope in 1/mV).
    - `solver`: any diffrax solver (default [`brainox.RK4`][]).
    - `dtype`: floating dtype of parameters and states.

    Every numeric parameter may be a scalar or one value per neuron.

    ??? cite "Reference"
        Morris, C. & Lecar, H. (1981). Voltage oscillations in the barnacle giant
        muscle fiber. Biophysical Journal 35(1), 193-213.

        Rinzel, J. & Ermentrout, G. B. (1989). Analysis of neural excitability
        and oscillations. In Koch, C. & Segev, I. (eds.), Methods in Neuronal
        Modeling, 135-169. MIT Press.

        Ermentrout, G. B. & Terman, D. H. (2010). Mathematical Foundations of
        Neuroscience, chapter 3. Springer.

    !!! example
        ```python
        neuron = bx.MorrisLecar.preset("type_I", 3)
        current = jnp.array([35.0, 45.0, 60.0])   # uA/cm^2
        neuron, rec = bx.simulate(neuron, 1000.0, dt=0.05,
                                  inputs=lambda step, t: current,
                                  monitors=["V"], spikes={"ml": "spike"})
        ```
    """

    V: Hidden
    w: Hidden
    spike: ShortTerm
    C: Array
    g_Ca: Array
    g_K: Array
    g_L: Array
    E_Ca: Array
    E_K: Array
    E_L: Array
    V1: Array
    V2: Array
    V3: Array
    V4: Array
    phi: Array
    V_th: Array
    surrogate: AbstractSurrogate
    solver: diffrax.AbstractSolver

    def __init__(
        self,
        n: int,
        *,
        C: FloatLike = 20.0,
        g_Ca: FloatLike = 4.4,
        g_K: FloatLike = 8.0,
        g_L: FloatLike = 2.0,
        E_Ca: FloatLike = 120.0,
        E_K: FloatLike = -84.0,
        E_L: FloatLike = -60.0,
        V1: FloatLike = -1.2,
        V2: FloatLike = 18.0,
        V3: FloatLike = 2.0,
        V4: FloatLike = 30.0,
        phi: FloatLike = 0.04,
        V_th: FloatLike = 0.0,
        V_init: FloatLike = -60.0,
        w_init: FloatLike | None = None,
        surrogate: AbstractSurrogate | None = None,
        solver: diffrax.AbstractSolver | None = None,
        dtype=jnp.float32,
    ):
        n = check_size("n", n)
        self.C = as_param("C", C, n, dtype, positive=True)
        self.g_Ca = as_param("g_Ca", g_Ca, n, dtype, nonnegative=True)
        self.g_K = as_param("g_K", g_K, n, dtype, nonnegative=True)
        self.g_L = as_param("g_L", g_L, n, dtype, nonnegative=True)
        self.E_Ca = as_param("E_Ca", E_Ca, n, dtype)
        self.E_K = as_param("E_K", E_K, n, dtype)
        self.E_L = as_param("E_L", E_L, n, dtype)
        self.V1 = as_param("V1", V1, n, dtype)
        self.V2 = as_param("V2", V2, n, dtype, positive=True)
        self.V3 = as_param("V3", V3, n, dtype)
        self.V4 = as_param("V4", V4, n, dtype, positive=True)
        self.phi = as_param("phi", phi, n, dtype, positive=True)
        self.V_th = as_param("V_th", V_th, n, dtype)
        if callable(V_init):
            raise TypeError(
                "`V_init` of MorrisLecar must be a number or an array (mV), not an "
                "initializer: w starts at w_inf(V_init). For a random start draw it "
                "yourself, e.g. `V_init=-60 + 2 * jax.random.normal(key, (n,))`."
            )
        self.V = initial_state(
            V_init, jnp.asarray(-60.0, dtype), n, dtype, None, "V_init"
        )
        w_default = self.steady_state(self.V.value)["w"]
        self.w = initial_state(w_init, w_default, n, dtype, NO_KEY, "w_init")
        self.spike = ShortTerm(jnp.zeros(n, dtype))
        self.surrogate = Sigmoid(1.0) if surrogate is None else surrogate
        self.solver = RK4() if solver is None else solver

    @classmethod
    def preset(cls, name: str, n: int = 1, **kwargs) -> "MorrisLecar":
        """A population with the type I or type II set of Rinzel & Ermentrout.

        **Arguments:**

        - `name`: `"type_I"` (SNIC onset) or `"type_II"` (Hopf onset).
        - `n`: number of neurons.
        - `**kwargs`: other arguments of [`brainox.MorrisLecar`][]; `g_Ca`, `V3`,
          `V4`, `phi` come from the table.

        !!! example
            ```python
            neuron = bx.MorrisLecar.preset("type_I", 100)
            ```
        """
        if name not in _PRESETS:
            raise ValueError(
                f"unknown MorrisLecar preset {name!r}; choose one of "
                f"{sorted(_PRESETS)}, or pass g_Ca, V3, V4, phi to bx.MorrisLecar."
            )
        clash = sorted(set(_PRESETS[name]) & set(kwargs))
        if clash:
            raise TypeError(
                f"preset() sets g_Ca, V3, V4, phi from the table; got {clash} too. "
                "Call bx.MorrisLecar(n, ...) for custom values."
            )
        return cls(n, **_PRESETS[name], **kwargs)

    def steady_state(self, V: ArrayLike) -> dict[str, Array]:
        """`m_inf(V)` and `w_inf(V)` (dimensionless) at `V` (mV).

        **Returns:** `{"m": m_inf, "w": w_inf}`.
        """
        V = jnp.asarray(V)
        return {
            "m": 0.5 * (1 + jnp.tanh((V - self.V1) / self.V2)),
            "w": 0.5 * (1 + jnp.tanh((V - self.V3) / self.V4)),
        }

    def vector_field(self, t, y, args):
        """`dV/dt` (mV/ms) and `dw/dt` (1/ms), with `args = I` in uA/cm^2."""
        current = 0.0 if args is None else args
        V, w = y["V"], y["w"]
        inf = self.steady_state(V)
        i_Ca = self.g_Ca * inf["m"] * (V - self.E_Ca)
        i_K = self.g_K * w * (V - self.E_K)
        i_L = self.g_L * (V - self.E_L)
        rate = self.phi * jnp.cosh((V - self.V3) / (2 * self.V4))  # phi / tau_w
        return {
            "V": (current - i_L - i_Ca - i_K) / self.C,
            "w": rate * (inf["w"] - w),
        }

    def fire(self, y0, y1, dt):
        spike = upward_crossing(
            self.surrogate, y0["V"] - self.V_th, y1["V"] - self.V_th
        )
        return self.with_states(**y1, spike=spike)
