"""The stateful-layer interface and the pieces its layers share.

A layer is an unbatched `equinox.Module` holding its states as tagged leaves.
Calling it advances it by one time step: `y, layer = layer(x)`. Batching is done
with `jax.vmap`, exactly as for `eqx.nn` layers.
"""

import abc
import dataclasses
import math
from typing import Any, ClassVar, TypeVar

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jax.core import Tracer

from .._custom_types import Array, ArrayLike, FloatLike
from .._state import ShortTerm


_L = TypeVar("_L", bound="AbstractLayer")


class AbstractLayer(eqx.Module):
    """A layer with state, advanced one time step per call.

    Subclasses implement `__call__(x) -> (y, new_layer)`: the output of this step
    and the layer holding its new states. The original layer is unchanged.
    [`brainox.nn.Sequential`][] threads the new layer through a stack of layers and
    [`brainox.nn.run`][] scans it over time.
    """

    always_fixed: ClassVar[tuple[str, ...]] = ()

    @abc.abstractmethod
    def __call__(self: _L, x: Array) -> tuple[Array, _L]:
        """Advance one time step with input `x`; return `(output, new_layer)`."""

    @property
    def fixed_parameters(self) -> tuple[str, ...]:
        """The parameters not trained: those whose `learn_<name>` flag is off,
        and the class's `always_fixed`. [`brainox.partition`][] moves them out
        of the trainable parameters, so that no optimizer changes them."""
        flagged = tuple(
            f.name
            for f in dataclasses.fields(self)
            if not getattr(self, f"learn_{f.name}", True)
        )
        return flagged + self.always_fixed


class AbstractSpikingLayer(AbstractLayer):
    """A layer that emits spikes, kept in its `spike` state.

    [`brainox.nn.record_spikes`][] reads the `spike` state of every spiking layer
    of a model.
    """

    spike: eqx.AbstractVar[ShortTerm]


def with_states(layer: _L, **values: Array) -> _L:
    """Return `layer` with the named tagged-state fields set to new values."""
    names = list(values)
    return eqx.tree_at(
        lambda m: [getattr(m, k) for k in names],
        layer,
        [getattr(layer, k).replace(values[k]) for k in names],
    )


def feature_shape(shape: Any) -> tuple[int, ...]:
    """Check a layer's feature shape: a positive int or a tuple of them."""
    dims = (shape,) if isinstance(shape, (int, np.integer)) else shape
    if (
        not isinstance(dims, tuple)
        or not dims
        or any(
            isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1
            for d in dims
        )
    ):
        raise ValueError(
            f"`shape` must be a positive int or a tuple of positive ints (such as "
            f"128 or (32, 14, 14)), got {shape!r}."
        )
    return tuple(int(d) for d in dims)


def feature_param(
    name: str,
    value: FloatLike,
    shape: tuple[int, ...],
    dtype: Any,
    *,
    low: float,
    high: float = math.inf,
    closed_low: bool = True,
) -> Array:
    """A parameter broadcastable to the feature `shape`, checked to lie in a range.

    Scalars stay scalars (one value shared by all features); arrays must broadcast
    to `shape` (such as `(C, 1, 1)`, one value per channel). Traced values are
    converted but not checked.
    """
    arr = jnp.asarray(value, dtype=dtype)
    try:
        np.broadcast_shapes(arr.shape, shape)
        fits = arr.ndim <= len(shape)
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"`{name}` has shape {arr.shape}, which does not broadcast to the layer's "
            f"shape {shape}; pass a scalar or an array broadcastable to {shape}."
        )
    if arr.ndim:  # same rank as the states: no implicit rank promotion
        arr = arr.reshape((1,) * (len(shape) - arr.ndim) + arr.shape)
    if isinstance(arr, Tracer):
        return arr
    host = np.asarray(arr)
    above = host >= low if closed_low else host > low
    if np.isnan(host).any() or not (above & (host <= high)).all():
        bracket = "[" if closed_low else "("
        raise ValueError(
            f"`{name}` must lie in {bracket}{low}, {high}], got {host.min()} to "
            f"{host.max()}."
        )
    return arr


def trained(value: Array, learn: bool) -> Array:
    """`value`, with its gradient stopped unless `learn` is set."""
    return value if learn else jax.lax.stop_gradient(value)


def decay(tau: FloatLike, dt: FloatLike) -> Array:
    """The per-step decay factor `beta = exp(-dt / tau)` of a leaky variable.

    A variable following `tau dV/dt = -V` for one step of `dt` is multiplied by
    exactly this factor (the exact discretisation of the leak).

    **Arguments:**

    - `tau`: time constant (ms, > 0), a scalar or an array.
    - `dt`: the time step (ms, > 0).

    **Returns:** `exp(-dt / tau)`, in `(0, 1)`.

    !!! example
        ```python
        lif = bx.nn.LIF(128, beta=bx.nn.decay(tau=10.0, dt=1.0))   # beta = 0.905
        ```
    """
    tau_arr, dt_arr = jnp.asarray(tau), jnp.asarray(dt)
    for name, arr in (("tau", tau_arr), ("dt", dt_arr)):
        if not isinstance(arr, Tracer) and not (np.asarray(arr) > 0).all():
            raise ValueError(f"`{name}` must be > 0 ms, got {np.asarray(arr)}.")
    return jnp.exp(-dt_arr / tau_arr)


def check_input(x: ArrayLike, shape: tuple[int, ...], layer: str) -> Array:
    """Check that an unbatched input has the layer's feature shape."""
    x = jnp.asarray(x)
    if x.shape != shape:
        hint = (
            " A leading batch axis? Layers are unbatched: use `jax.vmap`."
            if x.shape[1:] == shape
            else ""
        )
        raise ValueError(
            f"{layer} of shape {shape} got an input of shape {x.shape}.{hint}"
        )
    return x
