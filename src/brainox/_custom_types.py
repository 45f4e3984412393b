"""Shared type aliases for annotations across brainox."""

from typing import Any, TypeAlias

import numpy as np
from jaxtyping import Array, ArrayLike, Bool, Float, Int, Integer, PyTree


RealScalarLike: TypeAlias = float | int | np.floating | np.integer | Array
FloatLike: TypeAlias = float | int | ArrayLike
Model: TypeAlias = Any
"""Any PyTree (usually an `equinox.Module`) that may hold tagged states."""

__all__ = [
    "Array",
    "ArrayLike",
    "Bool",
    "Float",
    "FloatLike",
    "Int",
    "Integer",
    "Model",
    "PyTree",
    "RealScalarLike",
]
