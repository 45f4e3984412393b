"""Shared by the dynamical-systems tools: a model's state as one flat vector, and
setting the parameter that a scan varies."""

from collections.abc import Callable
from typing import Any

import equinox as eqx
import jax.numpy as jnp
from jax.flatten_util import ravel_pytree

from .._custom_types import Array, Model, PyTree


def check_dynamics(model: Model) -> dict[str, Array]:
    """The model's hidden values; an error unless it is a dynamics module with state."""
    if not hasattr(model, "vector_field") or not hasattr(model, "hidden_values"):
        raise TypeError(
            f"`model` must be a brainox dynamics module (bx.AbstractDynamics, such "
            f"as bx.HH(1)), got {type(model).__name__}."
        )
    hidden = model.hidden_values()
    if not hidden:
        raise ValueError(
            f"`model` ({type(model).__name__}) has no Hidden state: there is no "
            "vector field to analyse."
        )
    return hidden


def flat_vector_field(model: Model, args: PyTree) -> Callable[[Array], Array]:
    """The model's vector field as a function of one flat state vector.

    **Returns:** `f` with `f(x) = dx/dt` at the constant input `args`, where `x`
    is the model's hidden values flattened by `jax.flatten_util.ravel_pytree`
    (keys in sorted order).
    """
    _, unravel = ravel_pytree(model.hidden_values())

    def f(x: Array) -> Array:
        dy = model.vector_field(jnp.zeros((), x.dtype), unravel(x), args)
        return ravel_pytree(dy)[0].astype(x.dtype)

    return f


def with_parameter(
    model: Model, args: PyTree, parameter: str | None, value: Any
) -> tuple[Model, PyTree]:
    """`(model, args)` with `parameter` set to `value`.

    `parameter=None` sets the input (`args`, for a neuron its input current); a
    string names a parameter field of the model (e.g. `"g_K"`), whose value is
    replaced, keeping its shape.
    """
    if parameter is None:
        return model, value
    field = getattr(model, parameter, None)
    if not eqx.is_inexact_array(field):
        raise ValueError(
            f"`parameter` is {parameter!r}, which is not a floating parameter array "
            f"of {type(model).__name__}; name one of its parameter fields (such as "
            "'g_K' for bx.HH), or pass parameter=None to vary the input current."
        )
    old = jnp.asarray(field)
    new = jnp.broadcast_to(jnp.asarray(value, old.dtype), old.shape)
    return eqx.tree_at(lambda m: getattr(m, parameter), model, new), args


def check_two_dimensional(
    model: Model, names: tuple[str, str] | None
) -> tuple[str, str]:
    """The names `(x, y)` of a two-variable, one-neuron model's hidden states."""
    hidden = check_dynamics(model)
    sizes = {k: jnp.size(v) for k, v in hidden.items()}
    if len(hidden) != 2 or any(s != 1 for s in sizes.values()):
        raise ValueError(
            f"phase planes need one neuron with two state variables; "
            f"{type(model).__name__} has {sizes} (variable: number of values). Use "
            "a two-variable model with n=1, e.g. bx.FitzHughNagumo(1)."
        )
    if names is None:
        first, second = hidden
        return first, second
    if sorted(names) != sorted(hidden):
        raise ValueError(
            f"`names` is {names}; it must order the two state variables "
            f"{tuple(hidden)} of {type(model).__name__}."
        )
    return names[0], names[1]
