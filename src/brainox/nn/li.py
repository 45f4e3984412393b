"""The leaky integrator readout layer (non-spiking)."""

from typing import Any

import equinox as eqx
import jax.numpy as jnp

from .._custom_types import Array, FloatLike
from .._state import Hidden
from ._layer import (
    AbstractLayer,
    check_input,
    feature_param,
    feature_shape,
    trained,
    with_states,
)
from ._membrane import leak


class LI(AbstractLayer):
    """A layer of leaky integrators: a non-spiking readout of a spiking network.

    One call is one time step, `V[t] = beta V[t-1] + x[t]` (the membrane of
    [`brainox.nn.LIF`][] without threshold or reset), and returns `V[t]`. Read the
    class scores off the potential over time with
    [`brainox.nn.membrane_cross_entropy`][] (maximum or mean over time).

    **Arguments:**

    - `shape`: the feature shape (int or tuple).
    - `beta`: decay per step in `[0, 1]` (`exp(-dt/tau)`, see
      [`brainox.nn.decay`][]); `beta = 1` integrates without leak.
    - `learn_beta`: let gradients reach `beta`.
    - `dtype`: floating dtype of parameters and states.

    State: `V` (`bx.Hidden`, reset to 0), dimensionless (the unit of the input).

    **Returns (when called):** `(V, new_layer)`.

    ??? cite "Reference"
        Zenke, F. & Vogels, T. P. (2021). The remarkable robustness of surrogate
        gradient learning for instilling complex function in spiking neural
        networks. Neural Computation 33(4), 899-925.

    !!! example
        ```python
        readout = bx.nn.LI(10, beta=0.95)
        V, readout = readout(jnp.ones(10))
        ```
    """

    V: Hidden
    beta: Array
    learn_beta: bool = eqx.field(static=True)
    shape: tuple[int, ...] = eqx.field(static=True)

    def __init__(
        self,
        shape: int | tuple[int, ...],
        *,
        beta: FloatLike = 0.9,
        learn_beta: bool = False,
        dtype: Any = jnp.float32,
    ):
        self.shape = feature_shape(shape)
        self.beta = feature_param("beta", beta, self.shape, dtype, low=0.0, high=1.0)
        self.learn_beta = learn_beta
        self.V = Hidden(jnp.zeros(self.shape, dtype))

    def __call__(self, x: Array) -> tuple[Array, "LI"]:
        x = check_input(x, self.shape, "LI")
        V = leak(self.V.value, x, trained(self.beta, self.learn_beta))
        return V, with_states(self, V=V)
