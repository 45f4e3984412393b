"""The element-wise scaling layer, brainox's counterpart of NIR's `Scale` node."""

from typing import Any

import equinox as eqx
import jax.numpy as jnp

from .._custom_types import Array, ArrayLike


class Scale(eqx.Module):
    """Multiply the input element-wise by fixed factors: NIR's `Scale` node.

    A stateless layer for [`brainox.nn.Sequential`][], `y = scale * x`.
    [`brainox.interop.from_nir`][] builds it from a `nir.Scale` node, and puts one
    in front of a neuron layer whose NIR input gain (`r * dt / tau`) is not 1 (such
    as a `LIF` node with `r = 1`); [`brainox.interop.to_nir`][] writes it back as
    `nir.Scale`. `scale` is an untagged array, so it is a trainable parameter.

    **Arguments:**

    - `scale`: the factors (dimensionless), of the shape of the input.
    - `dtype`: floating dtype of `scale` (default float32).

    **Returns (when called):** `scale * x`, of the shape of `x`.

    !!! example
        ```python
        gain = bx.interop.Scale(jnp.full(3, 0.5))
        gain(jnp.ones(3))                        # [0.5, 0.5, 0.5]
        ```
    """

    scale: Array

    def __init__(self, scale: ArrayLike, *, dtype: Any = jnp.float32):
        self.scale = jnp.asarray(scale, dtype)
        if self.scale.ndim == 0:
            raise ValueError(
                "`scale` must be an array of the input's shape (one factor per "
                f"feature), got the scalar {self.scale}; use jnp.full(shape, value)."
            )

    def __call__(self, x: Array) -> Array:
        if x.shape != self.scale.shape:
            raise ValueError(
                f"Scale of shape {self.scale.shape} got an input of shape {x.shape}."
            )
        return self.scale * x
