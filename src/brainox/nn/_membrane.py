"""The discrete-time membrane shared by the spiking layers.

Over one step of `dt` a leaky membrane `tau dV/dt = -V` decays by exactly
`beta = exp(-dt / tau)`; the input of the step arrives as a charge (a jump of `x`)
at the end of the step:

`V[t] = beta V[t-1] + x[t]`

(the convention of snnTorch's `Leaky` and Spyx's `LIF`). A spike is emitted when
`V[t] >= threshold`, with a surrogate gradient, and the potential is then reset in
the same step.
"""

from typing import Any, Literal

import jax
import jax.numpy as jnp

from .._custom_types import Array, FloatLike
from .._state import Hidden, ShortTerm
from ..neurons._common import reset_where
from ..surrogate import AbstractSurrogate, Arctan
from ._layer import feature_param, feature_shape


Reset = Literal["subtract", "zero"]
RESETS = ("subtract", "zero")


def check_reset(reset: str) -> Reset:
    """Check a reset mechanism's name."""
    if reset not in RESETS:
        raise ValueError(
            f"`reset` must be 'subtract' (V -= threshold) or 'zero' (V = 0), got "
            f"{reset!r}."
        )
    return reset  # pyright: ignore[reportReturnType]


def leak(V: Array, x: Array, beta: Array) -> Array:
    """One step of the leaky membrane: `beta V + x`."""
    return beta * V + x


def fire(
    V: Array, threshold: Array, surrogate: AbstractSurrogate, reset: Reset
) -> tuple[Array, Array]:
    """Threshold, spike and reset: the spikes and the potential after reset.

    `spike = H(V - threshold)` (surrogate gradient), then where a spike occurred
    either `V -= threshold` (`"subtract"`, keeps the overshoot) or `V = 0`
    (`"zero"`). The spike is detached in the reset (Zenke & Vogels 2021), as in
    [`brainox.LIF`][].
    """
    spike = surrogate(V - threshold)
    if reset == "subtract":
        V = V - jax.lax.stop_gradient(spike) * threshold
    else:
        V = reset_where(V, spike, jnp.zeros((), V.dtype))
    return spike, V


def init_spiking(
    layer: Any,
    shape: int | tuple[int, ...],
    *,
    beta: FloatLike,
    threshold: FloatLike,
    reset: str,
    surrogate: AbstractSurrogate | None,
    learn_beta: bool,
    learn_threshold: bool,
    dtype: Any,
) -> None:
    """Set, inside a spiking layer's `__init__`, the fields every one of them has.

    `shape`, `beta` (in `[0, 1]`), `threshold` (> 0), `reset`, `surrogate`
    (default `bx.surrogate.Arctan(2.0)`), the `learn_*` flags, and the states `V`
    (`bx.Hidden`) and `spike` (`bx.ShortTerm`), both zero.
    """
    layer.shape = feature_shape(shape)
    layer.beta = feature_param("beta", beta, layer.shape, dtype, low=0.0, high=1.0)
    layer.threshold = feature_param(
        "threshold", threshold, layer.shape, dtype, low=0.0, closed_low=False
    )
    layer.reset = check_reset(reset)
    layer.surrogate = Arctan(2.0) if surrogate is None else surrogate
    layer.learn_beta = learn_beta
    layer.learn_threshold = learn_threshold
    layer.V = Hidden(jnp.zeros(layer.shape, dtype))
    layer.spike = ShortTerm(jnp.zeros(layer.shape, dtype))
