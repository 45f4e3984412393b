"""Argument checks shared by constructors: errors name the argument, value and fix."""

import math
from typing import Any

import jax.numpy as jnp
import numpy as np
from jax.core import Tracer

from ._custom_types import Array


def as_param(
    name: str,
    value: Any,
    n: int | None,
    dtype: Any,
    *,
    positive: bool = False,
    nonnegative: bool = False,
) -> Array:
    """Convert `value` to a floating parameter array of shape `()` or `(n,)`.

    Raises a `ValueError` naming `name` when the value is NaN, of the wrong shape,
    or of the wrong sign. Values that are already traced (inside `jit`/`vmap`) are
    converted but not checked.
    """
    arr = jnp.asarray(value, dtype=dtype)
    if arr.ndim > 1 or (arr.ndim == 1 and n is not None and arr.shape[0] not in (n,)):
        raise ValueError(
            f"`{name}` has shape {arr.shape}; expected a scalar or shape ({n},), "
            "one value per neuron."
        )
    if isinstance(arr, Tracer):
        return arr
    host = np.asarray(arr)
    if np.isnan(host).any():
        raise ValueError(f"`{name}` contains NaN; pass finite values.")
    if positive and not (host > 0).all():
        raise ValueError(
            f"`{name}` must be > 0, got {_show(host)}; time constants and "
            "capacitances are positive (ms, pF)."
        )
    if nonnegative and not (host >= 0).all():
        raise ValueError(f"`{name}` must be >= 0, got {_show(host)}.")
    return arr


def check_size(name: str, n: Any) -> int:
    """Check that a population size is a positive integer."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"`{name}` must be a positive integer, got {n!r}.")
    return int(n)


def check_dt(dt: Any) -> float:
    """Check that a time step is a finite positive number of ms."""
    try:
        dt = float(dt)
    except TypeError as e:
        raise TypeError(f"`dt` must be a number of ms, got {dt!r}.") from e
    if not (dt > 0 and math.isfinite(dt)):
        raise ValueError(f"`dt` must be a positive number of ms, got {dt}.")
    return dt


def _show(x: np.ndarray) -> str:
    return str(x.item()) if x.size == 1 else f"min {x.min()}"
