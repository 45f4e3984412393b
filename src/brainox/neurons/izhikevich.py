"""The Izhikevich (2003) simple model and the integration scheme of its paper."""

from collections.abc import Sequence
from typing import ClassVar

import diffrax
import jax.numpy as jnp
import numpy as np

from .._custom_types import Array, FloatLike, PyTree
from .._dynamics import AbstractNeuron
from .._solvers._base import AbstractFixedStepSolver, finish
from .._solvers.exponential_euler import ExponentialEuler
from .._state import Hidden, ShortTerm
from .._validate import as_param, check_size
from ..surrogate import AbstractSurrogate, Sigmoid
from ._common import initial_state, reset_where, state_key


_PRESETS: dict[str, tuple[float, float, float, float]] = {
    "RS": (0.02, 0.2, -65.0, 8.0),
    "IB": (0.02, 0.2, -55.0, 4.0),
    "CH": (0.02, 0.2, -50.0, 2.0),
    "FS": (0.1, 0.2, -65.0, 2.0),
    "LTS": (0.02, 0.25, -65.0, 2.0),
    "TC": (0.02, 0.25, -65.0, 0.05),
    "RZ": (0.1, 0.26, -65.0, 2.0),
}


class Izhikevich(AbstractNeuron):
    """A population of Izhikevich (2003) neurons.

    `dv/dt = 0.04 v^2 + 5 v + 140 - u + I`

    `du/dt = a (b v - u)`

    with the membrane potential `v` in mV and time in ms (the paper's scaling of a
    dimensionless model). The recovery variable `u`, the input `I` and the
    increment `d` enter `dv/dt` directly, so they are in mV/ms (`I` is a current
    divided by a unit capacitance); `a` and `b` are in 1/ms. When `v >= v_peak`
    the neuron spikes, then `v <- c` and `u <- u + d`. A step of `I = 10` evokes
    the classic firing patterns.

    The input passed to `step` (and `args` of `vector_field`) is `I`: a scalar or
    one value per neuron. The hidden states are named `v` and `u`.

    Within one step `v` may overshoot `v_peak` by a lot (the quadratic term blows
    up in finite time); at a spike it is clipped to `v_peak` before the reset, so
    neither the state nor the surrogate gradient becomes infinite. Monitors see
    `v = c` after a spike step; to plot spikes at `v_peak`, record
    `lambda m: jnp.where(m.spike.value > 0, m.v_peak, m.v.value)`.

    The default solver is exponential Euler (exact for the `u` equation and the
    linearised `v` equation over a step); [`brainox.RK4`][] at `dt <= 0.05` ms gives
    converged spike times, and [`brainox.IzhikevichEuler2003`][] at `dt = 1` ms
    reproduces the paper's MATLAB code.

    **Parameters** of the classic firing classes ([`brainox.Izhikevich.preset`][]):

    | name | class                       |    a |    b |   c |    d |
    |------|-----------------------------|------|------|-----|------|
    | RS   | regular spiking (cortex)    | 0.02 | 0.2  | -65 | 8    |
    | IB   | intrinsically bursting      | 0.02 | 0.2  | -55 | 4    |
    | CH   | chattering                  | 0.02 | 0.2  | -50 | 2    |
    | FS   | fast spiking (interneuron)  | 0.1  | 0.2  | -65 | 2    |
    | LTS  | low-threshold spiking       | 0.02 | 0.25 | -65 | 2    |
    | TC   | thalamo-cortical            | 0.02 | 0.25 | -65 | 0.05 |
    | RZ   | resonator                   | 0.1  | 0.26 | -65 | 2    |

    **Arguments:**

    - `n`: number of neurons.
    - `a`: recovery rate (1/ms, >= 0).
    - `b`: sensitivity of `u` to `v` (1/ms).
    - `c`: after-spike reset value of `v` (mV).
    - `d`: after-spike increment of `u` (mV/ms).
    - `v_peak`: spike cut-off (mV).
    - `v_init`: initial potential (mV): a number, an array, or an initializer such
      as `bx.init.uniform(-70.0, -60.0)` (then `key` is required). Default -65 mV,
      as in the paper's code.
    - `u_init`: initial recovery variable (mV/ms): a number, an array, or an
      initializer (drawn from its own sub-key of `key`). Default `b * v_init`;
      with a random `v_init` that is `b` times the first draw, and
      [`brainox.reset`][] restores that value (it does not follow later draws
      of `v`).
    - `surrogate`: the spike function's surrogate gradient (default
      `bx.surrogate.Sigmoid(1.0)`, slope in 1/mV).
    - `solver`: any diffrax solver (default [`brainox.ExponentialEuler`][]).
    - `key`: a `jax.random.key` for a random `v_init` or `u_init`.
    - `dtype`: floating dtype of parameters and states.

    Every numeric parameter may be a scalar or one value per neuron, so one
    population can mix firing classes.

    ??? cite "Reference"
        Izhikevich, E. M. (2003). Simple model of spiking neurons. IEEE
        Transactions on Neural Networks 14(6), 1569-1572.

    !!! example
        ```python
        neuron = bx.Izhikevich.preset(["RS", "IB", "CH", "FS"], solver=bx.RK4())
        neuron, rec = bx.simulate(neuron, 500.0, dt=0.025,
                                  inputs=lambda step, t: 10.0,
                                  spikes={"izh": "spike"})
        ```
    """

    v: Hidden
    u: Hidden
    spike: ShortTerm
    a: Array
    b: Array
    c: Array
    d: Array
    v_peak: Array
    surrogate: AbstractSurrogate
    solver: diffrax.AbstractSolver

    voltage_name: ClassVar[str] = "v"

    def __init__(
        self,
        n: int,
        *,
        a: FloatLike = 0.02,
        b: FloatLike = 0.2,
        c: FloatLike = -65.0,
        d: FloatLike = 8.0,
        v_peak: FloatLike = 30.0,
        v_init: PyTree = -65.0,
        u_init: PyTree = None,
        surrogate: AbstractSurrogate | None = None,
        solver: diffrax.AbstractSolver | None = None,
        key: Array | None = None,
        dtype=jnp.float32,
    ):
        n = check_size("n", n)
        self.a = as_param("a", a, n, dtype, nonnegative=True)
        self.b = as_param("b", b, n, dtype)
        self.c = as_param("c", c, n, dtype)
        self.d = as_param("d", d, n, dtype)
        self.v_peak = as_param("v_peak", v_peak, n, dtype)
        self.v = initial_state(
            v_init, jnp.asarray(-65.0, dtype), n, dtype, key, "v_init"
        )
        u_default = self.b * self.v.value
        self.u = initial_state(u_init, u_default, n, dtype, state_key(key, 1), "u_init")
        self.spike = ShortTerm(jnp.zeros(n, dtype))
        self.surrogate = Sigmoid(1.0) if surrogate is None else surrogate
        self.solver = ExponentialEuler() if solver is None else solver

    @classmethod
    def preset(
        cls, name: str | Sequence[str], n: int | None = None, **kwargs
    ) -> "Izhikevich":
        """A population of one of the classic firing classes (table above).

        **Arguments:**

        - `name`: `"RS"`, `"IB"`, `"CH"`, `"FS"`, `"LTS"`, `"TC"` or `"RZ"`, or a
          sequence of such names, one per neuron.
        - `n`: number of neurons (default 1 for one name, the number of names for
          a sequence).
        - `**kwargs`: other arguments of [`brainox.Izhikevich`][] (`v_peak`,
          `solver`, ...). `a`, `b`, `c`, `d` come from the table.

        **Returns:** the population.

        !!! example
            ```python
            rs = bx.Izhikevich.preset("RS", 100)
            mix = bx.Izhikevich.preset(["RS", "IB", "CH", "FS"])
            ```
        """
        names = [name] if isinstance(name, str) else list(name)
        for item in names:
            if item not in _PRESETS:
                raise ValueError(
                    f"unknown Izhikevich preset {item!r}; choose one of "
                    f"{sorted(_PRESETS)}, or pass a, b, c, d to bx.Izhikevich."
                )
        clash = sorted({"a", "b", "c", "d"} & set(kwargs))
        if clash:
            raise TypeError(
                f"preset() sets a, b, c, d from the table; got {clash} too. Call "
                "bx.Izhikevich(n, a=..., b=..., c=..., d=...) for custom values."
            )
        if isinstance(name, str):
            n = 1 if n is None else n
            a, b, c, d = _PRESETS[name]
        else:
            if n is not None and n != len(names):
                raise ValueError(
                    f"`n` ({n}) differs from the number of preset names "
                    f"({len(names)}); with a sequence of names leave n out."
                )
            n = len(names)
            table = np.array([_PRESETS[k] for k in names])
            a, b, c, d = table.T
        return cls(n, a=a, b=b, c=c, d=d, **kwargs)

    def vector_field(self, t, y, args):
        """`dv/dt` and `du/dt` (mV/ms); `args = I` in mV/ms."""
        current = 0.0 if args is None else args
        v, u = y["v"], y["u"]
        return {
            "v": 0.04 * v * v + 5.0 * v + 140.0 - u + current,
            "u": self.a * (self.b * v - u),
        }

    def fire(self, y0, y1, dt):
        spike = self.surrogate(y1["v"] - self.v_peak)
        v = reset_where(jnp.minimum(y1["v"], self.v_peak), spike, self.c)
        u = y1["u"] + spike * self.d
        return self.with_states(v=v, u=u, spike=spike)


class IzhikevichEuler2003(AbstractFixedStepSolver):
    """The integration scheme of Izhikevich's (2003) published MATLAB code.

    Per step of `dt` (ms), with `I` held constant:

    1. `v <- v + (dt/2) f_v(v, u)`, twice (two half steps of `v` with `u` fixed),
    2. `u <- u + dt f_u(v, u)` at the new `v` (one Euler step of `u`),

    where `f_v`, `f_u` are the two components of the vector field. At `dt = 1` ms
    this is exactly the paper's `v=v+0.5*(0.04*v.^2+5*v+140-u+I)` (twice) and
    `u=u+a.*(b.*v-u)`. The code checks `v >= 30` at the start of each step and
    brainox at the end, which is the same sequence of operations, so spike trains
    agree with the published ones (labelled one step later).

    It is first order and, at `dt = 1` ms, far from converged: spike counts and
    burst sizes differ slightly from a converged solve (e.g. [`brainox.RK4`][] at
    `dt = 0.025` ms). Use it to reproduce the paper's figures and networks, not as a
    reference solution.

    !!! warning "Restriction"
        The scheme treats `v` and `u` differently, so the state must be a dict
        with exactly the keys `"v"` and `"u"` (as [`brainox.Izhikevich`][] has),
        and the vector field must return the same keys. It evaluates the vector
        field three times per step: at `(v, u)` and at the half-step `(v', u)` for
        `v`, then at `(v_new, u)` for `u`. Any other state raises a `ValueError`.

    ??? cite "Reference"
        Izhikevich, E. M. (2003). Simple model of spiking neurons. IEEE
        Transactions on Neural Networks 14(6), 1569-1572.

    !!! example
        ```python
        net = bx.Izhikevich.preset("RS", 1000, solver=bx.IzhikevichEuler2003())
        net, rec = bx.simulate(net, 1000.0, dt=1.0, inputs=lambda step, t: 10.0)
        ```
    """

    def order(self, terms):
        return 1

    def step(self, terms, t0, t1, y0, args, solver_state, made_jump):
        if not isinstance(y0, dict) or set(y0) != {"v", "u"}:
            found = sorted(y0) if isinstance(y0, dict) else type(y0).__name__
            raise ValueError(
                "IzhikevichEuler2003 integrates a state dict with exactly the keys "
                f"'v' and 'u' (the Izhikevich model), got {found}. Use it with "
                "bx.Izhikevich, or pick a general solver such as bx.RK4() or "
                "diffrax.Tsit5()."
            )
        dt = terms.contr(t0, t1)
        half = dt / 2
        v, u = y0["v"], y0["u"]
        v = v + half * terms.vf(t0, {"v": v, "u": u}, args)["v"]
        v = v + half * terms.vf(t0 + half, {"v": v, "u": u}, args)["v"]
        u = u + dt * terms.vf(t1, {"v": v, "u": u}, args)["u"]
        return finish(y0, {"v": v, "u": u})
