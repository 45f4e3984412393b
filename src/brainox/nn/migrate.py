"""Migration: turn a static `eqx.nn` network into its spiking counterpart."""

from collections.abc import Callable, Sequence
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp

from .._validate import floating_dtype
from ._layer import AbstractLayer, feature_shape
from .lif import LIF
from .sequential import Sequential


ACTIVATIONS: tuple[Callable[..., Any], ...] = (
    jax.nn.relu,
    jax.nn.relu6,
    jax.nn.sigmoid,
    jax.nn.hard_tanh,
    jax.nn.tanh,
    jnp.tanh,
    jax.nn.gelu,
    jax.nn.silu,
    jax.nn.elu,
    jax.nn.leaky_relu,
    jax.nn.softplus,
)
"""The activation functions [`brainox.nn.to_spiking`][] replaces by default."""


def _activation_of(layer: Any) -> Callable[..., Any] | None:
    return layer.fn if isinstance(layer, eqx.nn.Lambda) else layer


def _static_layers(model: Any, readout: bool) -> list[tuple[Any, bool]]:
    """The layers of a Sequential or MLP, each flagged `True` if it is an activation."""
    if isinstance(model, eqx.nn.MLP):
        if getattr(model, "scan", False):
            raise ValueError(
                "`model` is an eqx.nn.MLP built with scan=True (stacked hidden "
                "layers); build it with scan=False to convert it."
            )
        layers: list[tuple[Any, bool]] = []
        for layer in model.layers[:-1]:
            layers += [(layer, False), (None, True)]
        layers.append((model.layers[-1], False))
        if readout:
            layers.append((None, True))
        return layers
    raise TypeError(
        f"`model` must be an eqx.nn.Sequential or eqx.nn.MLP, got "
        f"{type(model).__name__}; for another model, build the spiking version "
        "with bx.nn.Sequential and reuse its eqx.nn layers."
    )


def to_spiking(
    model: Any,
    in_shape: int | tuple[int, ...] | None = None,
    *,
    neuron: Callable[[tuple[int, ...]], AbstractLayer] | None = None,
    readout: Callable[[tuple[int, ...]], AbstractLayer] | None = None,
    activations: Sequence[Callable[..., Any]] = ACTIVATIONS,
) -> Sequential:
    """Turn a static `eqx.nn` network into a spiking one with the same weights.

    Every activation function is replaced by a spiking layer of the shape of its
    input, `neuron(shape)`; every other layer (`Linear`, `Conv2d`, pooling,
    reshapes) is carried over unchanged, so its weights are exactly those of the
    static model. The result is a [`brainox.nn.Sequential`][] to run over time
    with [`brainox.nn.run`][]: a static network `y = f(x)` becomes a dynamical
    system whose spike rates approximate the activations.

    - `eqx.nn.Sequential`: layers that are an activation function, or an
      `eqx.nn.Lambda` of one (see `activations`), are replaced; if `readout` is
      given, it is appended after the last layer.
    - `eqx.nn.MLP`: the activation after each hidden layer is replaced; the
      final activation is dropped, and `readout(out_shape)`, if given, is
      appended instead (e.g. `bx.nn.LI` or `bx.nn.LIF`).

    **Arguments:**

    - `model`: an `eqx.nn.Sequential` or an `eqx.nn.MLP` (built with
      `scan=False`).
    - `in_shape`: the (unbatched) input shape. Optional when the first layer is
      an `eqx.nn.Linear` (it is then `(in_features,)`); needed for convolutions.
    - `neuron`: `shape -> layer` for each activation (default
      `lambda shape: bx.nn.LIF(shape)`).
    - `readout`: `shape -> layer` appended after the output layer, or `None`.
    - `activations`: the functions that count as activations
      ([`brainox.nn.ACTIVATIONS`][] by default).

    **Returns:** the spiking [`brainox.nn.Sequential`][].

    !!! example
        ```python
        mlp = eqx.nn.MLP(64, 10, width_size=128, depth=2, key=jax.random.key(0))
        snn = bx.nn.to_spiking(mlp, readout=lambda shape: bx.nn.LI(shape))
        snn.layers[0].weight is mlp.layers[0].weight   # True: same weights
        ```
    """
    neuron = (lambda shape: LIF(shape)) if neuron is None else neuron
    if isinstance(model, eqx.nn.Sequential):
        layers = [
            (layer, any(_activation_of(layer) is f for f in activations))
            for layer in model.layers
        ]
        if readout is not None:
            layers.append((None, True))
    else:
        layers = _static_layers(model, readout is not None)
    first = layers[0][0]
    if in_shape is None:
        if not isinstance(first, eqx.nn.Linear):
            raise ValueError(
                "`in_shape` is needed when the first layer is not an eqx.nn.Linear; "
                "pass the unbatched input shape, e.g. in_shape=(1, 28, 28)."
            )
        shape = feature_shape((first.in_features,))
    else:
        shape = feature_shape(in_shape)
    converted = []
    last = len(layers) - 1
    for i, (layer, is_activation) in enumerate(layers):
        if is_activation:
            make = readout if (i == last and readout is not None) else neuron
            converted.append(make(shape))
        else:
            converted.append(layer)
            like = jax.ShapeDtypeStruct(shape, floating_dtype(layer))
            shape = jax.eval_shape(layer, like)
            shape = shape.shape
    return Sequential(converted)
