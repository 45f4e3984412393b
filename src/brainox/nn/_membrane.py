"""The discrete-time membrane shared by the spiking layers.

Over one step of `dt` a leaky membrane `tau dV/dt = -V` decays by exactly
`beta = exp(-dt / tau)`; the input of the step arrives as a charge (a jump of `x`)
at the end of the step:

`V[t] = beta V[t-1] + x[t]`

(the convention of snnTorch's `Leaky` and Spyx's `LIF`). A spike is emitted when
`V[t] >= threshold`, with a surrogate gradient, and the potential is then reset in
the same step.
"""

from typing import Literal

import jax
import jax.numpy as jnp

from .._custom_types import Array
from ..neurons._common import reset_where
from ..surrogate import AbstractSurrogate


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
