"""The adaptive exponential integrate-and-fire neuron (AdEx)."""

from collections.abc import Sequence

import diffrax
import jax.numpy as jnp
import numpy as np

from .._custom_types import Array, FloatLike, PyTree
from .._dynamics import AbstractNeuron
from .._solvers.rk4 import RK4
from .._state import Hidden, ShortTerm
from .._validate import as_param, check_size
from ..surrogate import AbstractSurrogate, Sigmoid
from ._common import initial_state, integrate_and_fire, state_key
from .expif import exp_spike_current


_PRESET_FIELDS = ("C", "g_L", "E_L", "V_T", "Delta_T", "a", "tau_w", "b", "V_reset")

NAUD_2008: dict[str, dict[str, float]] = {
    name: dict(zip((*_PRESET_FIELDS, "I"), values, strict=True))
    for name, values in {
        # C, g_L, E_L, V_T, Delta_T, a, tau_w, b, V_reset, I
        "tonic": (200, 10, -70, -50, 2, 2, 30, 0, -58, 500),
        "adapting": (200, 12, -70, -50, 2, 2, 300, 60, -58, 500),
        "initial_burst": (130, 18, -58, -50, 2, 4, 150, 120, -50, 400),
        "regular_bursting": (200, 10, -58, -50, 2, 2, 120, 100, -46, 210),
        "delayed_accelerating": (200, 12, -70, -50, 2, -10, 300, 0, -58, 300),
        "delayed_regular_bursting": (100, 10, -65, -50, 2, -10, 90, 30, -47, 110),
        "transient": (100, 10, -65, -50, 2, 10, 90, 100, -47, 180),
        "irregular": (100, 12, -60, -50, 2, -11, 130, 30, -48, 160),
    }.items()
}
"""Table 1 of Naud et al. (2008): AdEx parameters and step current `I` (pA) of each
firing pattern. Units as in [`brainox.AdEx`][]."""


class AdEx(AbstractNeuron):
    """A population of adaptive exponential integrate-and-fire neurons.

    `C dV/dt = -g_L (V - E_L) + g_L Delta_T exp((V - V_T) / Delta_T) - w + I`

    `tau_w dw/dt = a (V - E_L) - w`

    with `V` in mV, time in ms, the capacitance `C` in pF, conductances in nS and
    the currents `w`, `I` in pA (nS x mV = pA, pA / pF = mV/ms). The exponential
    term makes `V` run off to infinity in finite time above the soft threshold
    `V_T`; when `V >= V_peak` the neuron spikes: `V` is clipped to `V_peak` (the
    overshoot of that step never enters the state), reset to `V_reset`, and the
    adaptation current jumps, `w <- w + b`. For `t_ref` ms after a spike (default
    0, as in the papers) `V` is held at `V_reset` while `w` keeps evolving. Above
    `V_peak` the vector field is frozen at its value at `V_peak`, so no solver
    stage overflows and the overshoot does not leak into `w`.

    The default solver is [`brainox.RK4`][]: the `V` equation is not
    conditionally linear, and exponential Euler overflows in float32 when it
    linearises the run-away near `V_peak` (see [`brainox.ExpIF`][]).
    Solvers with negative stage weights (`diffrax.Tsit5`, `diffrax.Dopri5`)
    are not suited: the frozen field at `V_peak` is huge (about `10^11` mV/ms
    at `V_peak = 0`, `V_T = -50`, `Delta_T = 2`), and a negatively weighted
    stage sends `V` far below rest and `w` far up, silently (at 800 pA, dt =
    0.01 ms, Tsit5 gives 1 spike in 100 ms where RK4 and Heun give the 3 of
    an accurate reference at 17.7, 40.5 and 71.3 ms). Use RK4, Heun or Euler.

    The input passed to `step` (and `args` of `vector_field`) is `I`, in pA: a
    scalar or one value per neuron. Synaptic conductances `g` (nS) compose as the
    current `g (E - V)` (pA).

    The defaults are the regular-spiking cell of Brette & Gerstner (2005) with a
    spike cut-off of 0 mV (NEST's `aeif_*` models use the same values, with
    `V_reset = -60` mV). [`brainox.AdEx.preset`][] gives the firing patterns of
    Naud et al. (2008, Table 1), each with its step current `I` (pA) in
    `NAUD_2008[name]["I"]` (`from brainox.neurons.adex import NAUD_2008`):

    | name                     | C   | g_L | E_L | a   | tau_w | b   | V_reset | I   |
    |--------------------------|-----|-----|-----|-----|-------|-----|---------|-----|
    | tonic                    | 200 | 10  | -70 | 2   | 30    | 0   | -58     | 500 |
    | adapting                 | 200 | 12  | -70 | 2   | 300   | 60  | -58     | 500 |
    | initial_burst            | 130 | 18  | -58 | 4   | 150   | 120 | -50     | 400 |
    | regular_bursting         | 200 | 10  | -58 | 2   | 120   | 100 | -46     | 210 |
    | delayed_accelerating     | 200 | 12  | -70 | -10 | 300   | 0   | -58     | 300 |
    | delayed_regular_bursting | 100 | 10  | -65 | -10 | 90    | 30  | -47     | 110 |
    | transient                | 100 | 10  | -65 | 10  | 90    | 100 | -47     | 180 |
    | irregular                | 100 | 12  | -60 | -11 | 130   | 30  | -48     | 160 |

    All with `V_T = -50`, `Delta_T = 2` mV and (here) `V_peak = 0` mV.

    **Arguments:**

    - `n`: number of neurons.
    - `C`: membrane capacitance (pF, > 0).
    - `g_L`: leak conductance (nS, > 0).
    - `E_L`: leak reversal potential (mV).
    - `V_T`: soft threshold (mV).
    - `Delta_T`: slope factor (mV, > 0).
    - `a`: subthreshold adaptation conductance (nS, any sign).
    - `tau_w`: adaptation time constant (ms, > 0).
    - `b`: spike-triggered adaptation increment (pA).
    - `V_reset`: reset potential (mV).
    - `V_peak`: spike cut-off (mV), well above `V_T`.
    - `t_ref`: absolute refractory period (ms, >= 0).
    - `V_init`: initial potential (mV): a number, an array, or an initializer (then
      `key` is required). Default `E_L`.
    - `w_init`: initial adaptation current (pA): a number, an array, or an
      initializer (drawn from its own sub-key of `key`). Default 0.
    - `surrogate`: the spike function's surrogate gradient (default
      `bx.surrogate.Sigmoid(1.0)`, slope in 1/mV).
    - `solver`: a diffrax solver with non-negative stage weights (default
      [`brainox.RK4`][]; see above).
    - `key`: a `jax.random.key` for a random `V_init` or `w_init`.
    - `dtype`: floating dtype of parameters and states.

    Every numeric parameter may be a scalar or one value per neuron.

    ??? cite "Reference"
        Brette, R. & Gerstner, W. (2005). Adaptive exponential integrate-and-fire
        model as an effective description of neuronal activity. Journal of
        Neurophysiology 94(5), 3637-3642.

        Naud, R., Marcille, N., Clopath, C. & Gerstner, W. (2008). Firing
        patterns in the adaptive exponential integrate-and-fire model.
        Biological Cybernetics 99(4-5), 335-347.

    !!! example
        ```python
        from brainox.neurons.adex import NAUD_2008

        names = ["tonic", "adapting", "initial_burst", "regular_bursting"]
        neuron = bx.AdEx.preset(names)
        current = jnp.array([NAUD_2008[k]["I"] for k in names])   # pA
        neuron, rec = bx.simulate(neuron, 500.0, dt=0.02,
                                  inputs=lambda step, t: current,
                                  spikes={"adex": "spike"})
        ```
    """

    V: Hidden
    w: Hidden
    spike: ShortTerm
    refractory_left: ShortTerm
    C: Array
    g_L: Array
    E_L: Array
    V_T: Array
    Delta_T: Array
    a: Array
    tau_w: Array
    b: Array
    V_reset: Array
    V_peak: Array
    t_ref: Array
    surrogate: AbstractSurrogate
    solver: diffrax.AbstractSolver

    def __init__(
        self,
        n: int,
        *,
        C: FloatLike = 281.0,
        g_L: FloatLike = 30.0,
        E_L: FloatLike = -70.6,
        V_T: FloatLike = -50.4,
        Delta_T: FloatLike = 2.0,
        a: FloatLike = 4.0,
        tau_w: FloatLike = 144.0,
        b: FloatLike = 80.5,
        V_reset: FloatLike = -70.6,
        V_peak: FloatLike = 0.0,
        t_ref: FloatLike = 0.0,
        V_init: PyTree = None,
        w_init: PyTree = 0.0,
        surrogate: AbstractSurrogate | None = None,
        solver: diffrax.AbstractSolver | None = None,
        key: Array | None = None,
        dtype=jnp.float32,
    ):
        n = check_size("n", n)
        self.C = as_param("C", C, n, dtype, positive=True)
        self.g_L = as_param("g_L", g_L, n, dtype, positive=True)
        self.E_L = as_param("E_L", E_L, n, dtype)
        self.V_T = as_param("V_T", V_T, n, dtype)
        self.Delta_T = as_param("Delta_T", Delta_T, n, dtype, positive=True)
        self.a = as_param("a", a, n, dtype)
        self.tau_w = as_param("tau_w", tau_w, n, dtype, positive=True)
        self.b = as_param("b", b, n, dtype)
        self.V_reset = as_param("V_reset", V_reset, n, dtype)
        self.V_peak = as_param("V_peak", V_peak, n, dtype)
        self.t_ref = as_param("t_ref", t_ref, n, dtype, nonnegative=True)
        self.V = initial_state(V_init, self.E_L, n, dtype, key, "V_init")
        self.w = initial_state(
            w_init, jnp.zeros((), dtype), n, dtype, state_key(key, 1), "w_init"
        )
        self.spike = ShortTerm(jnp.zeros(n, dtype))
        self.refractory_left = ShortTerm(jnp.zeros(n, jnp.int32))
        self.surrogate = Sigmoid(1.0) if surrogate is None else surrogate
        self.solver = RK4() if solver is None else solver

    @classmethod
    def preset(
        cls, name: str | Sequence[str], n: int | None = None, **kwargs
    ) -> "AdEx":
        """A population with a firing pattern of Naud et al. (2008), table above.

        **Arguments:**

        - `name`: a pattern (`"tonic"`, `"adapting"`, `"initial_burst"`,
          `"regular_bursting"`, `"delayed_accelerating"`,
          `"delayed_regular_bursting"`, `"transient"`, `"irregular"`), or a
          sequence of names, one per neuron.
        - `n`: number of neurons (default 1 for one name, the number of names for
          a sequence).
        - `**kwargs`: other arguments of [`brainox.AdEx`][] (`V_peak`, `solver`,
          ...); the table's parameters may not be passed.

        **Returns:** the population. Drive it with the table's current,
        `NAUD_2008[name]["I"]` (pA).

        !!! example
            ```python
            neuron = bx.AdEx.preset("adapting", 10)
            ```
        """
        names = [name] if isinstance(name, str) else list(name)
        for item in names:
            if item not in NAUD_2008:
                raise ValueError(
                    f"unknown AdEx preset {item!r}; choose one of "
                    f"{sorted(NAUD_2008)}, or pass the parameters to bx.AdEx."
                )
        clash = sorted(set(_PRESET_FIELDS) & set(kwargs))
        if clash:
            raise TypeError(
                f"preset() sets {', '.join(_PRESET_FIELDS)} from the table of Naud "
                f"et al. (2008); got {clash} too. Call bx.AdEx(n, ...) for custom "
                "values."
            )
        if isinstance(name, str):
            n = 1 if n is None else n
        elif n is not None and n != len(names):
            raise ValueError(
                f"`n` ({n}) differs from the number of preset names ({len(names)}); "
                "with a sequence of names leave n out."
            )
        else:
            n = len(names)
        table = np.array([[NAUD_2008[k][f] for f in _PRESET_FIELDS] for k in names])
        # A column shared by every neuron stays a scalar parameter.
        params = {
            f: col[0] if np.all(col == col[0]) else col
            for f, col in zip(_PRESET_FIELDS, table.T, strict=True)
        }
        return cls(n, **params, **kwargs)

    def vector_field(self, t, y, args):
        """`dV/dt` (mV/ms) and `dw/dt` (pA/ms), with `args = I` in pA."""
        current = 0.0 if args is None else args
        V, w = jnp.minimum(y["V"], self.V_peak), y["w"]  # frozen above the cut-off
        spike_current = exp_spike_current(V, self.V_T, self.Delta_T)
        membrane = -self.g_L * (V - self.E_L) + self.g_L * spike_current
        return {
            "V": (membrane - w + current) / self.C,
            "w": (self.a * (V - self.E_L) - w) * (1.0 / self.tau_w),
        }

    def fire(self, y0, y1, dt):
        fired = integrate_and_fire(self, y0, y1, self.V_peak, dt, clip=True)
        w = y1["w"] + fired["spike"] * self.b
        return self.with_states(w=w, **fired)
