"""Surrogate spike functions.

Each surrogate is a Heaviside step in the forward pass, `spike = (x >= 0)`, with
the derivative of a smooth function in the backward pass, so gradients flow
through spikes (Neftci, Mostafa & Zenke 2019). `x` is the distance to threshold,
for example `V - V_th` in mV. Every derivative below is written so that it stays
finite for any finite slope (checked up to 1e38 in float32) and any `x` (no
overflow of `exp`, no division by zero).

??? cite "Reference"
    ```bibtex
    @article{neftci2019surrogate,
      title={Surrogate gradient learning in spiking neural networks},
      author={Neftci, Emre O and Mostafa, Hesham and Zenke, Friedemann},
      journal={IEEE Signal Processing Magazine}, volume={36}, number={6},
      pages={51--63}, year={2019}
    }
    ```
"""

import abc
import functools
import math
from collections.abc import Callable

import equinox as eqx
import jax
import jax.numpy as jnp

from ._custom_types import Array, ArrayLike


@functools.partial(jax.custom_jvp, nondiff_argnums=(0, 1))
def _heaviside(derivative: Callable[[Array, float], Array], slope: float, x: Array):
    return (x >= 0).astype(x.dtype)


@_heaviside.defjvp
def _heaviside_jvp(derivative, slope, primals, tangents):
    (x,), (dx,) = primals, tangents
    return _heaviside(derivative, slope, x), derivative(x, slope) * dx


class AbstractSurrogate(eqx.Module):
    """A spike function: Heaviside forward, a smooth derivative backward.

    Subclasses define `derivative(x, slope)`; calling the surrogate on `x` returns
    spikes as 0.0/1.0 in the dtype of `x`.
    """

    slope: eqx.AbstractVar[float]

    @staticmethod
    @abc.abstractmethod
    def derivative(x: Array, slope: float) -> Array:
        """The surrogate derivative d spike / d x used in the backward pass."""

    def __call__(self, x: ArrayLike) -> Array:
        x = jnp.asarray(x)
        if not jnp.issubdtype(x.dtype, jnp.floating):
            raise TypeError(
                f"a surrogate needs a floating-point input, got dtype {x.dtype}; "
                "pass the distance to threshold as floats."
            )
        return _heaviside(type(self).derivative, self.slope, x)


def _check_slope(slope: float) -> float:
    slope = float(slope)
    if not (slope > 0 and math.isfinite(slope)):
        raise ValueError(f"`slope` must be a finite number > 0, got {slope}.")
    return slope


class Sigmoid(AbstractSurrogate):
    """Derivative of a logistic sigmoid: `s sigmoid(s x) (1 - sigmoid(s x))`.

    Integrates to 1 over `x`. **Arguments:** `slope` `s` (1/unit of `x`).

    !!! example
        ```python
        spike = bx.surrogate.Sigmoid(slope=4.0)(V - V_th)
        ```
    """

    slope: float = eqx.field(static=True, converter=_check_slope, default=4.0)

    @staticmethod
    def derivative(x: Array, slope: float) -> Array:
        sig = jax.nn.sigmoid(slope * x)
        return slope * sig * (1 - sig)


class FastSigmoid(AbstractSurrogate):
    """SuperSpike's fast sigmoid derivative: `1 / (1 + s |x|)^2`.

    The form of Zenke & Ganguli (2018) and of snnTorch's `fast_sigmoid`: peak 1
    at threshold, integral `2 / s`. **Arguments:** `slope` `s` (1/unit of `x`).

    ??? cite "Reference"
        Zenke, F. & Ganguli, S. (2018). SuperSpike: supervised learning in
        multilayer spiking neural networks. Neural Computation 30(6), 1514-1541.

    !!! example
        ```python
        spike = bx.surrogate.FastSigmoid(slope=25.0)(V - V_th)
        ```
    """

    slope: float = eqx.field(static=True, converter=_check_slope, default=25.0)

    @staticmethod
    def derivative(x: Array, slope: float) -> Array:
        return 1 / (1 + slope * jnp.abs(x)) ** 2


class Arctan(AbstractSurrogate):
    """Derivative of a scaled arctangent: `(s/2) / (1 + (pi s x / 2)^2)`.

    Integrates to 1 over `x` (the form of Fang et al. 2021 and snnTorch's
    `atan`). **Arguments:** `slope` `s` (1/unit of `x`).

    ??? cite "Reference"
        Fang, W. et al. (2021). Incorporating learnable membrane time constant to
        enhance learning of spiking neural networks. ICCV, 2661-2671.

    !!! example
        ```python
        spike = bx.surrogate.Arctan(slope=2.0)(V - V_th)
        ```
    """

    slope: float = eqx.field(static=True, converter=_check_slope, default=2.0)

    @staticmethod
    def derivative(x: Array, slope: float) -> Array:
        return (slope / 2) / (1 + (math.pi / 2 * slope * x) ** 2)


class Triangle(AbstractSurrogate):
    """Triangular derivative: `s max(0, 1 - s |x|)`, support `|x| < 1/s`.

    Integrates to 1 over `x` (Esser et al. 2016; Bellec et al. 2018 use this
    "pseudo-derivative"). **Arguments:** `slope` `s` (1/unit of `x`).

    ??? cite "Reference"
        Bellec, G. et al. (2018). Long short-term memory and learning-to-learn in
        networks of spiking neurons. NeurIPS 31.

    !!! example
        ```python
        spike = bx.surrogate.Triangle(slope=1.0)(V - V_th)
        ```
    """

    slope: float = eqx.field(static=True, converter=_check_slope, default=1.0)

    @staticmethod
    def derivative(x: Array, slope: float) -> Array:
        return slope * jnp.maximum(0, 1 - slope * jnp.abs(x))


class Gaussian(AbstractSurrogate):
    """Gaussian derivative: `s / sqrt(2 pi) exp(-(s x)^2 / 2)`.

    Integrates to 1 over `x`; `1/s` is the standard deviation (Yin et al. 2021).
    **Arguments:** `slope` `s` (1/unit of `x`).

    ??? cite "Reference"
        Yin, B., Corradi, F. & Bohte, S. M. (2021). Accurate and efficient
        time-domain classification with adaptive spiking recurrent neural
        networks. Nature Machine Intelligence 3, 905-913.

    !!! example
        ```python
        spike = bx.surrogate.Gaussian(slope=2.0)(V - V_th)
        ```
    """

    slope: float = eqx.field(static=True, converter=_check_slope, default=2.0)

    @staticmethod
    def derivative(x: Array, slope: float) -> Array:
        return slope / math.sqrt(2 * math.pi) * jnp.exp(-0.5 * (slope * x) ** 2)
