"""A stack of layers, stateful and stateless, called in order."""

from collections.abc import Callable, Sequence
from typing import Any

from .._custom_types import Array
from ._layer import AbstractLayer


class Sequential(AbstractLayer):
    """Call layers in order, threading the states of the stateful ones.

    A [`brainox.nn.AbstractLayer`][] (spiking layers, readouts, another
    `Sequential`) is called as `y, layer = layer(x)` and replaced by its new
    version; anything else (`eqx.nn.Linear`, `eqx.nn.Conv2d`, `eqx.nn.MaxPool2d`,
    `eqx.nn.Lambda(jnp.ravel)`, a plain function) is called as `y = layer(x)` and
    left unchanged. One call is one time step; [`brainox.nn.run`][] scans it over
    time.

    Layers are unbatched, as in Equinox: batch with `jax.vmap`.

    **Arguments:**

    - `layers`: the layers, in order.

    **Returns (when called):** `(y, new_sequential)`.

    !!! example
        ```python
        k1, k2 = jax.random.split(jax.random.key(0))
        model = bx.nn.Sequential([
            eqx.nn.Linear(784, 256, key=k1), bx.nn.LIF(256),
            eqx.nn.Linear(256, 10, key=k2), bx.nn.LIF(10),
        ])
        spikes, model = model(jnp.ones(784))
        ```
    """

    layers: tuple[Any, ...]

    def __init__(self, layers: Sequence[Callable[..., Any]]):
        layers = tuple(layers)
        for i, layer in enumerate(layers):
            if not callable(layer):
                raise TypeError(
                    f"`layers[{i}]` is a {type(layer).__name__}, not a callable "
                    "layer; pass eqx.nn layers, brainox.nn layers or functions."
                )
        self.layers = layers

    def __call__(self, x: Array) -> tuple[Array, "Sequential"]:
        new_layers = []
        for layer in self.layers:
            if isinstance(layer, AbstractLayer):
                x, layer = layer(x)
            else:
                x = layer(x)
            new_layers.append(layer)
        return x, Sequential(new_layers)

    def __getitem__(self, i: int) -> Any:
        return self.layers[i]

    def __len__(self) -> int:
        return len(self.layers)
