"""Shared machinery of brainox's fixed-step solvers."""

from collections.abc import Callable
from typing import ClassVar

import diffrax
import jax.tree_util as jtu

from .._custom_types import Array, PyTree


class AbstractFixedStepSolver(diffrax.AbstractSolver):
    """A one-step, fixed-step, explicit ODE solver with no solver state.

    Subclasses define `order` and `step`. These solvers have no error estimate, so
    in `diffrax.diffeqsolve` use them with `diffrax.ConstantStepSize()`. Dense
    output is linear between step ends.
    """

    term_structure: ClassVar = diffrax.ODETerm
    interpolation_cls: ClassVar[Callable[..., diffrax.LocalLinearInterpolation]] = (
        diffrax.LocalLinearInterpolation
    )

    def init(self, terms, t0, t1, y0, args) -> None:
        return None

    def func(self, terms, t0, y0, args):
        return terms.vf(t0, y0, args)


def axpy(a: Array | float, x: PyTree, y: PyTree) -> PyTree:
    """`y + a * x` leaf by leaf (a PyTree `x`, `y` of the same structure)."""
    return jtu.tree_map(lambda xi, yi: yi + a * xi, x, y)


def finish(y0: PyTree, y1: PyTree):
    """The tuple `step` returns: `(y1, no error, dense info, no state, success)`."""
    return y1, None, dict(y0=y0, y1=y1), None, diffrax.RESULTS.successful
