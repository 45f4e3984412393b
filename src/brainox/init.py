"""Random initial values for states, drawn from an explicit key.

Pass one as `init=` to a state tag, or as a neuron's initial value, and
[`brainox.reset`][] draws a fresh value from its key each episode.

!!! example
    ```python
    V = bx.Hidden(jnp.zeros(4000), init=bx.init.normal(-55.0, 2.0))
    model = bx.reset(model, key=jax.random.key(0))
    ```
"""

import math
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp

from ._custom_types import Array


class Normal(eqx.Module):
    """Gaussian initial values: `mean + std * N(0, 1)`, in the state's unit.

    **Arguments:**

    - `mean`: the mean.
    - `std`: the standard deviation (>= 0).

    !!! example
        ```python
        bx.init.Normal(-55.0, 2.0)(jax.random.key(0), (3,), jnp.float32)
        ```
    """

    mean: float = eqx.field(static=True)
    std: float = eqx.field(static=True)

    def __check_init__(self):
        _check_finite(mean=self.mean, std=self.std)
        if not self.std >= 0:
            raise ValueError(f"`std` must be >= 0, got {self.std}.")

    def __call__(self, key: Array, shape: tuple[int, ...], dtype: Any) -> Array:
        _check_floating(self, dtype)
        return self.mean + self.std * jax.random.normal(key, shape, dtype)


class Uniform(eqx.Module):
    """Uniform initial values on `[low, high)`, in the state's unit (values that
    round up to `high` in the state's dtype are moved just below it).

    **Arguments:**

    - `low`, `high`: the bounds, `low <= high`.

    !!! example
        ```python
        bx.init.Uniform(-60.0, -50.0)(jax.random.key(0), (3,), jnp.float32)
        ```
    """

    low: float = eqx.field(static=True)
    high: float = eqx.field(static=True)

    def __check_init__(self):
        _check_finite(low=self.low, high=self.high)
        if not self.low <= self.high:
            raise ValueError(
                f"`low` ({self.low}) must not exceed `high` ({self.high})."
            )

    def __call__(self, key: Array, shape: tuple[int, ...], dtype: Any) -> Array:
        _check_floating(self, dtype)
        x = jax.random.uniform(key, shape, dtype, self.low, self.high)
        # low + (high - low) u can round up to high itself (3 in 2e7 draws of
        # uniform(-60, -50) in float32).
        high = jnp.asarray(self.high, x.dtype)
        return jnp.minimum(x, jnp.nextafter(high, jnp.asarray(self.low, x.dtype)))


def _check_finite(**values: float) -> None:
    for name, value in values.items():
        if not math.isfinite(value):
            raise ValueError(f"`{name}` must be a finite number, got {value}.")


def _check_floating(init: Any, dtype: Any) -> None:
    if not jnp.issubdtype(dtype, jnp.floating):
        raise TypeError(
            f"{init} draws floating-point values, but the state has dtype "
            f"{jnp.dtype(dtype)}; give it a fixed initial value instead."
        )


def normal(mean: float, std: float) -> Normal:
    """Shorthand for [`brainox.init.Normal`][]`(mean, std)`."""
    return Normal(float(mean), float(std))


def uniform(low: float, high: float) -> Uniform:
    """Shorthand for [`brainox.init.Uniform`][]`(low, high)`."""
    return Uniform(float(low), float(high))


def draw(init: Any, key: Array, shape: tuple[int, ...], dtype: Any) -> Array:
    """Draw an initial value: call an initializer, or broadcast a fixed value.

    **Arguments:**

    - `init`: an initializer `(key, shape, dtype) -> Array` or a number/array.
    - `key`: the key (unused for a fixed value).
    - `shape`, `dtype`: of the result.

    !!! example
        ```python
        v0 = bx.init.draw(bx.init.normal(-55.0, 2.0), key, (100,), jnp.float32)
        ```
    """
    if callable(init):
        return jnp.asarray(init(key, shape, dtype), dtype)
    return jnp.broadcast_to(jnp.asarray(init, dtype), shape)
