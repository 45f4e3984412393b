"""Argument checks shared by the connectivity generators.

Each error names the argument, the value it got, and what to pass instead.
"""

import math
from typing import Any

import numpy as np


def check_probability(
    p: Any,
    name: str = "p",
    what: str = "the connection probability",
    example: str = "p=0.02 for 2%",
) -> float:
    """A probability in `[0, 1]`, as a Python float."""
    if isinstance(p, (bool, np.bool_)):
        raise TypeError(f"`{name}` must be a number, {what}, got {p}.")
    try:
        value = float(p)
    except (TypeError, ValueError) as e:
        raise TypeError(f"`{name}` must be a number, {what}, got {p!r}.") from e
    if not 0.0 <= value <= 1.0:
        raise ValueError(
            f"`{name}` must be a probability in [0, 1], got {value}; pass {what}, "
            f"e.g. {example}."
        )
    return value


def check_flag(name: str, value: Any) -> bool:
    """A Python bool (or numpy bool)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"`{name}` must be a bool, got {value!r}.")
    return bool(value)


def check_count(name: str, value: Any, low: int, high: int, meaning: str) -> int:
    """An integer in `[low, high]`; `meaning` says what it counts and why the bounds."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"`{name}` must be an integer ({meaning}), got {value!r}.")
    if not low <= value <= high:
        raise ValueError(
            f"`{name}` must be an integer in [{low}, {high}] ({meaning}), got {value}."
        )
    return int(value)


def check_positive(
    name: str, value: Any, unit: str, *, allow_inf: bool = False
) -> float:
    """A positive number (finite unless `allow_inf`), as a Python float."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"`{name}` must be a number ({unit}), got {value}.")
    try:
        x = float(value)
    except (TypeError, ValueError) as e:
        raise TypeError(f"`{name}` must be a number ({unit}), got {value!r}.") from e
    if not (x > 0 and (allow_inf or math.isfinite(x))):
        finite = "" if allow_inf else " finite"
        raise ValueError(
            f"`{name}` must be a{finite} positive number ({unit}), got {x}."
        )
    return x
