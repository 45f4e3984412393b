"""The discrete part of spiking neurons, shared by every model: reset, refractoriness."""

from typing import Any

import jax.numpy as jnp

from .._custom_types import Array
from .._state import Hidden
from .._validate import as_param
from ..init import draw


def reset_where(x: Array, spike: Array, value: Array) -> Array:
    """`value` where `spike` is 1, `x` elsewhere, written so gradients flow."""
    return x + spike * (value - x)


def refractory_steps(t_ref: Array, dt: float) -> Array:
    """The refractory period in whole steps, rounded to the nearest step."""
    return jnp.round(t_ref / dt).astype(jnp.int32)


def count_down(steps_left: Array, spike: Array, t_ref: Array, dt: float) -> Array:
    """Refractory steps left after this step: restart at a spike, else count down."""
    restart = jnp.broadcast_to(refractory_steps(t_ref, dt), steps_left.shape)
    return jnp.where(spike > 0, restart, jnp.maximum(steps_left - 1, 0))


def initial_state(
    init: Any, default: Array, n: int, dtype: Any, key: Array | None, name: str
) -> Hidden:
    """A `Hidden` state of `n` values from `init` (number, array or initializer).

    A random initializer is drawn from `key` and kept as the state's `init`, so
    [`brainox.reset`][] draws again; a fixed value is checked like a parameter.
    """
    init = default if init is None else init
    if callable(init):
        if key is None:
            raise ValueError(
                f"`{name}` is random ({init}); pass `key=jax.random.key(...)` to "
                "draw it."
            )
        return Hidden(draw(init, key, (n,), dtype), init=init)
    value = jnp.broadcast_to(as_param(name, init, n, dtype), (n,))
    return Hidden(value)


def linexp(x: Array, k: Array | float) -> Array:
    """`x / (1 - exp(-x / k))`, finite with finite gradients at `x = 0`.

    The voltage-dependent rate of Hodgkin-Huxley-type models, `a (V - V0) /
    (1 - exp(-(V - V0) / k))`, is `a * linexp(V - V0, k)`. At `x = 0` it has a
    removable singularity with limit `k` and slope `1/2`. Near it (`|x / k| <
    1e-2`) the series `k (1 + w/2 + w^2/12)`, `w = x / k`, replaces the quotient,
    and the quotient is evaluated at a safe dummy point there, so neither the value
    nor the gradient is NaN (the "double where" trick). The series is exact to
    `w^4 / 720 < 2e-11` relative.
    """
    w = x / k
    small = jnp.abs(w) < 1e-2
    safe_w = jnp.where(small, 1.0, w)
    quotient = k * safe_w / -jnp.expm1(-safe_w)
    series = k * (1 + w / 2 + w * w / 12)
    return jnp.where(small, series, quotient)


def upward_crossing(surrogate: Any, x0: Array, x1: Array) -> Array:
    """Spikes where `x` crosses 0 upwards during a step: `x0 < 0 <= x1`.

    For threshold-crossing neurons without reset (Hodgkin-Huxley type), where `x`
    is `V - V_th` at the start (`x0`) and end (`x1`) of the step. The surrogate
    gradient flows through `x1`; the "was below" condition carries no gradient.
    """
    return surrogate(x1) * (x0 < 0).astype(x1.dtype)
