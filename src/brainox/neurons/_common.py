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
