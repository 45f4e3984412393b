"""A constant current onto a population, as a projection of a network."""

import equinox as eqx
import jax.numpy as jnp

from .._custom_types import Array, FloatLike
from .._validate import as_param
from ..projections import AbstractProjection


class ConstantCurrent(AbstractProjection):
    """A constant input current into every neuron of a population.

    Adds `amplitude` (pA for the built-in neurons) to the input of the post population
    at every step (step 2 of a [`brainox.Network`][]'s order, after the
    projections listed before it). It is the bias drive of the driven COBA
    benchmark (200 pA), held inside the network: unlike an `inputs=` function
    of [`brainox.simulate`][], `amplitude` is a parameter of the model, so it can be
    swept with `vmap` or trained.

    As a projection it has no presynaptic population: `pre` is the post
    population's name (ignored).

    **Arguments:**

    - `post`: name of the population in the network.
    - `amplitude`: the current (pA): a scalar or one value per neuron.
    - `dtype`: floating dtype of `amplitude`.

    !!! example
        ```python
        net = bx.Network({"exc": bx.LIF(100, R=100.0)},
                         {"drive": bx.inputs.ConstantCurrent("exc", 200.0)})
        ```
    """

    post: str = eqx.field(static=True)
    amplitude: Array

    def __init__(self, post: str, amplitude: FloatLike, *, dtype=jnp.float32):
        self.post = str(post)
        self.amplitude = as_param("amplitude", amplitude, None, dtype)

    @property
    def pre(self) -> str:
        """The post population's name: a drive has no presynaptic population."""
        return self.post

    def deliver(self, pre) -> tuple["ConstantCurrent", None]:
        return self, None

    def current(self, pre, post) -> Array:
        V = post.voltage
        amplitude = self.amplitude
        if amplitude.ndim and amplitude.shape != V.shape:
            raise ValueError(
                f"`amplitude` has shape {amplitude.shape} but population "
                f"{self.post!r} has {V.shape[-1]} neurons; give a scalar or one "
                "value per neuron."
            )
        return jnp.broadcast_to(amplitude, V.shape).astype(V.dtype)
