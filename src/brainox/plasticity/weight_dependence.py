"""How a weight change depends on the weight: additive or multiplicative, bounded."""

import abc

import equinox as eqx
import jax.numpy as jnp
import numpy as np

from .._custom_types import Array, FloatLike


def _bound(name: str, value: FloatLike) -> Array:
    arr = jnp.asarray(value, float)  # float32, or float64 in 64-bit mode
    if arr.ndim != 0:
        raise ValueError(f"`{name}` must be a scalar (weight unit), got {arr.shape}.")
    if np.isnan(np.asarray(arr)):
        raise ValueError(f"`{name}` is NaN; pass a number (weight unit).")
    return arr


class AbstractWeightDependence(eqx.Module):
    """The form of a weight change and the hard bounds `[w_min, w_max]`.

    A spike-timing rule computes an amount (in the unit of the weight) at each
    pairing; the weight dependence turns it into a new weight and clips the
    result to `[w_min, w_max]` (weight unit: nS, pA or mV).

    ??? cite "Reference"
        Gutig, R., Aharonov, R., Rotter, S. & Sompolinsky, H. (2003). Learning
        input correlations through nonlinear temporally asymmetric Hebbian
        plasticity. J. Neurosci. 23, 3697-3714.

    !!! example
        ```python
        bounds = bx.plasticity.Additive(w_min=0.0, w_max=1.0)
        bounds.potentiate(jnp.array(0.9), jnp.array(0.2))    # 1.0 (clipped)
        ```
    """

    w_min: eqx.AbstractVar[Array]
    w_max: eqx.AbstractVar[Array]

    @abc.abstractmethod
    def potentiate(self, w: Array, amount: Array) -> Array:
        """The weight after a potentiation of `amount` (>= 0, weight unit)."""

    @abc.abstractmethod
    def depress(self, w: Array, amount: Array) -> Array:
        """The weight after a depression of `amount` (>= 0, weight unit)."""

    def clip(self, w: Array) -> Array:
        """`w` clipped to `[w_min, w_max]`."""
        return jnp.clip(w, self.w_min.astype(w.dtype), self.w_max.astype(w.dtype))


def _check_order(w_min: Array, w_max: Array) -> None:
    if not float(w_min) < float(w_max):
        raise ValueError(
            f"`w_min` = {float(w_min)} must be below `w_max` = {float(w_max)} "
            "(weight unit)."
        )


class Additive(AbstractWeightDependence):
    """Additive changes with hard bounds: `w <- clip(w +- amount, w_min, w_max)`.

    The change does not depend on the weight; the bounds are enforced by
    clipping. With STDP this makes the weight distribution bimodal (Song,
    Miller & Abbott 2000).

    **Arguments:**

    - `w_min`: lower bound (weight unit: nS, pA or mV), default 0.
    - `w_max`: upper bound (weight unit), default `inf` (unbounded).

    ??? cite "Reference"
        Song, S., Miller, K. D. & Abbott, L. F. (2000). Competitive Hebbian
        learning through spike-timing-dependent synaptic plasticity. Nat.
        Neurosci. 3, 919-926.

    !!! example
        ```python
        bounds = bx.plasticity.Additive(w_min=0.0, w_max=0.015)   # nS
        ```
    """

    w_min: Array
    w_max: Array

    def __init__(self, w_min: FloatLike = 0.0, w_max: FloatLike = jnp.inf):
        self.w_min = _bound("w_min", w_min)
        self.w_max = _bound("w_max", w_max)
        _check_order(self.w_min, self.w_max)

    def potentiate(self, w: Array, amount: Array) -> Array:
        return self.clip(w + amount)

    def depress(self, w: Array, amount: Array) -> Array:
        return self.clip(w - amount)


class Multiplicative(AbstractWeightDependence):
    """Soft bounds: changes scale with the distance to the bound they approach.

    `w <- w + amount (w_max - w) / (w_max - w_min)` on potentiation and
    `w <- w - amount (w - w_min) / (w_max - w_min)` on depression (then clipped
    to `[w_min, w_max]`, which only matters if `amount` exceeds the range).
    With `w_min = 0` and `w_max = 1` this is the multiplicative rule of Rubin,
    Lee & Sompolinsky (2001) and PyNN's `MultiplicativeWeightDependence`; the
    amount is the change at the far bound, in the unit of the weight. The
    weight distribution stays unimodal.

    **Arguments:**

    - `w_min`: lower bound (weight unit), default 0.
    - `w_max`: upper bound (weight unit), finite.

    ??? cite "Reference"
        van Rossum, M. C. W., Bi, G. Q. & Turrigiano, G. G. (2000). Stable
        Hebbian learning from spike timing-dependent plasticity. J. Neurosci.
        20, 8812-8821. Rubin, J., Lee, D. D. & Sompolinsky, H. (2001).
        Equilibrium properties of temporally asymmetric Hebbian plasticity.
        Phys. Rev. Lett. 86, 364-367.

    !!! example
        ```python
        soft = bx.plasticity.Multiplicative(w_min=0.0, w_max=1.0)
        stdp = bx.plasticity.PairSTDP(weight_dependence=soft)
        ```
    """

    w_min: Array
    w_max: Array

    def __init__(self, w_min: FloatLike = 0.0, *, w_max: FloatLike):
        self.w_min = _bound("w_min", w_min)
        self.w_max = _bound("w_max", w_max)
        if not (np.isfinite(float(self.w_min)) and np.isfinite(float(self.w_max))):
            raise ValueError(
                f"Multiplicative needs finite bounds, got w_min = "
                f"{float(self.w_min)}, w_max = {float(self.w_max)}; the change "
                "scales with the distance to them."
            )
        _check_order(self.w_min, self.w_max)

    def potentiate(self, w: Array, amount: Array) -> Array:
        span = (self.w_max - self.w_min).astype(w.dtype)
        return self.clip(w + amount * (self.w_max.astype(w.dtype) - w) / span)

    def depress(self, w: Array, amount: Array) -> Array:
        span = (self.w_max - self.w_min).astype(w.dtype)
        return self.clip(w - amount * (w - self.w_min.astype(w.dtype)) / span)
