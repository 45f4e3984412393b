"""The FitzHugh-Nagumo model."""

from typing import ClassVar

import diffrax
import jax
import jax.numpy as jnp
import numpy as np

from .._custom_types import Array, ArrayLike, FloatLike
from .._dynamics import AbstractNeuron
from .._solvers.rk4 import RK4
from .._state import Hidden, ShortTerm
from .._validate import as_param, check_size
from ..surrogate import AbstractSurrogate, Sigmoid
from ._common import NO_KEY, initial_state, upward_crossing


class FitzHughNagumo(AbstractNeuron):
    """A population of FitzHugh-Nagumo neurons.

    `dv/dt = v - v^3 / 3 - w + I`

    `tau dw/dt = v + a - b w`

    a dimensionless two-variable reduction of the Hodgkin-Huxley model: `v` is a
    fast voltage-like variable, `w` a slow recovery. Time is counted in ms (the
    runner's unit), so `tau` is in ms and `dv/dt` in 1/ms; `v`, `w`, `I`, `a`, `b`
    are dimensionless. A spike is an upward crossing of `v_th` (default 1); there
    is no reset.

    For `b < 1` there is one fixed point, `v*` the real root of
    `v^3 / 3 + (1 / b - 1) v + a / b - I = 0` and `w* = (v* + a) / b`
    ([`brainox.FitzHughNagumo.fixed_point`][]). It loses stability where the trace
    of the Jacobian, `1 - v*^2 - b / tau`, crosses zero (a Hopf bifurcation; the
    determinant `(1 - (1 - v*^2) b) / tau` is then positive): at
    `v*^2 = 1 - b / tau`. With FitzHugh's `a = 0.7`, `b = 0.8`, `tau = 12.5` (the
    defaults) that is `v* = -0.96747`, `I_H = v*^3 / 3 - v* + (v* + a) / b =
    0.33128`: the neuron rests below `I_H` and oscillates (fires) above it.

    The default solver is [`brainox.RK4`][]: the model is smooth, not stiff, and
    the cubic `v` equation is not conditionally linear.

    The input passed to `step` (and `args` of `vector_field`) is `I`
    (dimensionless): a scalar or one value per neuron.

    **Arguments:**

    - `n`: number of neurons.
    - `a`: offset of the `w` nullcline (dimensionless).
    - `b`: slope parameter of recovery (dimensionless, >= 0).
    - `tau`: recovery time constant (ms, > 0).
    - `v_th`: spike detection threshold (dimensionless); it does not change the
      dynamics.
    - `v_init`, `w_init`: initial values. Default: the fixed point without input
      (requires `0 < b < 1`, the usual case; otherwise pass both).
    - `surrogate`: the spike function's surrogate gradient (default
      `bx.surrogate.Sigmoid(4.0)`, slope per unit of `v`).
    - `solver`: any diffrax solver (default [`brainox.RK4`][]).
    - `dtype`: floating dtype of parameters and states.

    Every numeric parameter may be a scalar or one value per neuron.

    ??? cite "Reference"
        FitzHugh, R. (1961). Impulses and physiological states in theoretical
        models of nerve membrane. Biophysical Journal 1(6), 445-466.

        Nagumo, J., Arimoto, S. & Yoshizawa, S. (1962). An active pulse
        transmission line simulating nerve axon. Proceedings of the IRE 50(10),
        2061-2070.

    !!! example
        ```python
        neuron = bx.FitzHughNagumo(2)
        current = jnp.array([0.3, 0.5])    # below and above I_H = 0.331
        neuron, rec = bx.simulate(neuron, 500.0, dt=0.05,
                                  inputs=lambda step, t: current,
                                  monitors=["v", "w"], spikes={"fhn": "spike"})
        ```
    """

    v: Hidden
    w: Hidden
    spike: ShortTerm
    a: Array
    b: Array
    tau: Array
    v_th: Array
    surrogate: AbstractSurrogate
    solver: diffrax.AbstractSolver
    voltage_name: ClassVar[str] = "v"

    def __init__(
        self,
        n: int,
        *,
        a: FloatLike = 0.7,
        b: FloatLike = 0.8,
        tau: FloatLike = 12.5,
        v_th: FloatLike = 1.0,
        v_init: FloatLike | None = None,
        w_init: FloatLike | None = None,
        surrogate: AbstractSurrogate | None = None,
        solver: diffrax.AbstractSolver | None = None,
        dtype=jnp.float32,
    ):
        n = check_size("n", n)
        self.a = as_param("a", a, n, dtype)
        self.b = as_param("b", b, n, dtype, nonnegative=True)
        self.tau = as_param("tau", tau, n, dtype, positive=True)
        self.v_th = as_param("v_th", v_th, n, dtype)
        if v_init is None or w_init is None:
            try:
                b_host = np.asarray(self.b)
            except jax.errors.TracerArrayConversionError:
                b_host = None  # traced (inside jit or vmap): not checked
            if b_host is not None and not np.all((b_host > 0) & (b_host < 1)):
                raise ValueError(
                    f"`b` is {b_host}; the default initial state is the unique "
                    "fixed point, which needs 0 < b < 1. Pass `v_init` and `w_init`."
                )
            rest = self.fixed_point(0.0)
            v_init = rest["v"] if v_init is None else v_init
            w_init = rest["w"] if w_init is None else w_init
        self.v = initial_state(v_init, jnp.zeros((), dtype), n, dtype, NO_KEY, "v_init")
        self.w = initial_state(w_init, jnp.zeros((), dtype), n, dtype, NO_KEY, "w_init")
        self.spike = ShortTerm(jnp.zeros(n, dtype))
        self.surrogate = Sigmoid(4.0) if surrogate is None else surrogate
        self.solver = RK4() if solver is None else solver

    def fixed_point(self, current: ArrayLike) -> dict[str, Array]:
        """The fixed point at a constant input `current` (`I`), for `0 < b < 1`.

        It is then unique.

        By Cardano's formula for the real root of the depressed cubic
        `v^3 + p v + q = 0`, `p = 3 (1 / b - 1) > 0`, `q = 3 (a / b - I)`.

        **Returns:** `{"v": v*, "w": w*}` (NaN unless `0 < b < 1`).

        !!! example
            ```python
            bx.FitzHughNagumo(1).fixed_point(0.0)["v"]   # -1.19941
            ```
        """
        p = 3 * (1 / self.b - 1)
        q = 3 * (self.a / self.b - jnp.asarray(current))
        root = jnp.sqrt(q**2 / 4 + p**3 / 27)
        v = jnp.cbrt(-q / 2 + root) + jnp.cbrt(-q / 2 - root)
        v = jnp.where((self.b > 0) & (self.b < 1), v, jnp.nan)
        return {"v": v, "w": (v + self.a) / self.b}

    def vector_field(self, t, y, args):
        """`dv/dt` and `dw/dt` (1/ms), with `args = I` (dimensionless)."""
        current = 0.0 if args is None else args
        v, w = y["v"], y["w"]
        return {
            "v": v - v**3 / 3 - w + current,
            "w": (v + self.a - self.b * w) * (1.0 / self.tau),
        }

    def fire(self, y0, y1, dt):
        spike = upward_crossing(
            self.surrogate, y0["v"] - self.v_th, y1["v"] - self.v_th
        )
        return self.with_states(**y1, spike=spike)
