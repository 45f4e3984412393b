"""Shared machinery of the rise-and-decay synapses: dual exponential, alpha, NMDA.

All three are the same linear cascade, one pair of variables per post neuron:

```
dh/dt = -h / tau_rise                 (h: nS/ms; a spike adds  w * scale)
dg/dt = -g / tau_decay + h            (g: nS or pA; the output)
```

so a weight `w` delivered at `t = 0` gives

```
g(t) = w * scale * K(t),   K(t) = (exp(-t/tau_decay) - exp(-t/tau_rise))
                                   / (1/tau_rise - 1/tau_decay)
```

and they differ only in `scale` (1/ms), the factor a weight is multiplied by when
it reaches `h`. `K` is symmetric in the two time constants and its limit at
`tau_rise = tau_decay = tau` is the alpha function `t exp(-t/tau)`; nothing here
divides by `tau_decay - tau_rise`, so the limit needs no special case.
"""

import abc
from typing import TypeVar

import diffrax
import jax.numpy as jnp

from .._custom_types import Array, FloatLike
from .._solvers.rk4 import RK4
from .._state import Hidden
from .._validate import as_param, check_size
from ._base import AbstractSynapse, check_increments


_R = TypeVar("_R", bound="AbstractRiseDecay")


def _log_ratio(tau_rise: Array, tau_decay: Array) -> Array:
    # L = ln(rho) / (rho - 1) with rho = tau_decay / tau_rise, continued by its
    # limit 1 at rho = 1 (the series 1 - e/2 + e^2/3 where |rho - 1| is tiny).
    e = tau_decay / tau_rise - 1
    small = jnp.abs(e) < 1e-3
    safe = jnp.where(small, 1.0, e)
    return jnp.where(small, 1 - e / 2 + e * e / 3, jnp.log1p(safe) / safe)


def peak_time(tau_rise: Array, tau_decay: Array) -> Array:
    """Time (ms) of the peak of `K`: `tau_r tau_d / (tau_d - tau_r) ln(tau_d / tau_r)`.

    Equal to `tau` when `tau_rise = tau_decay = tau` (the alpha function).
    """
    return tau_decay * _log_ratio(tau_rise, tau_decay)


def peak_scale(tau_rise: Array, tau_decay: Array) -> Array:
    """The `scale` (1/ms) that makes the peak of `w * scale * K(t)` equal to `w`.

    The peak of `K` is `tau_rise exp(-t_peak / tau_decay)` (which is `tau / e` for
    the alpha function), so `scale = exp(t_peak / tau_decay) / tau_rise`.
    """
    return jnp.exp(_log_ratio(tau_rise, tau_decay)) * (1 / tau_rise)


class AbstractRiseDecay(AbstractSynapse):
    """Linear rise-and-decay kinetics, one pair `(g, h)` per post neuron.

    `dh/dt = -h / tau_rise`, `dg/dt = -g / tau_decay + h`; an arriving weight `w`
    adds `w * scale` to `h`, where concrete classes choose `scale` (1/ms). The
    output is `g` (nS for conductance-based use, pA for current-based use).

    The kinetics are linear, so all the synapses onto one post neuron sum into one
    pair of variables (post-side state, whatever the number of synapses).
    Concrete subclasses set the fields through this class's `__init__` and define
    `increment_scale`.

    The default solver is [`brainox.RK4`][]: the cascade is not diagonal, so
    exponential Euler (which holds `h` constant over a step) would overestimate
    the response by a relative `dt / (2 tau_rise)`; RK4's error is about
    `(dt / tau_rise)^5 / 120` per step, and it is stable for
    `dt < 2.78 min(tau_rise, tau_decay)`. For larger steps pass
    `solver=bx.ExponentialEuler()` (stable for any step, first order).
    """

    g: Hidden
    h: Hidden
    tau_rise: Array
    tau_decay: Array
    solver: diffrax.AbstractSolver

    def __init__(
        self,
        n: int,
        *,
        tau_rise: FloatLike,
        tau_decay: FloatLike,
        solver: diffrax.AbstractSolver | None,
        dtype,
    ):
        n = check_size("n", n)
        self.tau_rise = as_param("tau_rise", tau_rise, n, dtype, positive=True)
        self.tau_decay = as_param("tau_decay", tau_decay, n, dtype, positive=True)
        self.g = Hidden(jnp.zeros(n, dtype))
        self.h = Hidden(jnp.zeros(n, dtype))
        self.solver = RK4() if solver is None else solver

    @abc.abstractmethod
    def increment_scale(self) -> Array:
        """The factor (1/ms) an arriving weight is multiplied by when added to `h`."""

    def vector_field(self, t, y, args):
        """`dg/dt = -g / tau_decay + h`, `dh/dt = -h / tau_rise`; `args` is unused."""
        return {
            "g": y["g"] * (-1 / self.tau_decay) + y["h"],
            "h": y["h"] * (-1 / self.tau_rise),
        }

    def add(self: _R, increments: FloatLike) -> _R:
        """Deliver spikes: add `increments * increment_scale()` to `h`.

        **Arguments:**

        - `increments`: the summed weights of this step's arriving spikes (nS or
          pA), a scalar or one value per post-synaptic neuron.

        **Returns:** the synapse with the new `h` (`g` is unchanged until it is
        integrated).
        """
        increments = check_increments(increments, self.size)
        h = self.h.value
        scale = self.increment_scale()
        return self.with_states(h=h + increments.astype(h.dtype) * scale)

    def output(self) -> Array:
        """The conductance (nS) or current (pA) `g`."""
        return self.g.value

    def peak_time(self) -> Array:
        """Time (ms) from an isolated spike to the peak of `g` (continuous time)."""
        return peak_time(self.tau_rise, self.tau_decay)
