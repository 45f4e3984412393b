"""Oja's rule: Hebbian learning normalised to extract the principal component."""

import diffrax
import jax.numpy as jnp

from .._custom_types import Array, FloatLike
from .._validate import as_param
from .rate_rule import AbstractRateRule


class Oja(AbstractRateRule):
    """Oja's rule: `dw_ij/dt = eta y_j (x_i - y_j w_ij)`.

    A Hebbian term `eta x y` with a decay `eta y^2 w` that keeps each weight
    vector (column `w[:, j]`) at unit length. For a linear neuron `y = x @ w`
    and zero-mean inputs with covariance `C`, the weight vector converges to
    the unit principal eigenvector of `C` (up to sign): the neuron computes the
    first principal component. For `C = [[3, 1], [1, 2]]`, `w -> +-(0.85065,
    0.52573)`.

    **Arguments:**

    - `eta`: learning rate (1/ms per unit of `x y`), > 0.
    - `solver`: a diffrax solver (default `diffrax.Euler()`).

    ??? cite "Reference"
        Oja, E. (1982). A simplified neuron model as a principal component
        analyzer. J. Math. Biol. 15, 267-273.

    !!! example
        ```python
        rule = bx.plasticity.Oja(eta=0.005)
        rule, w = rule.update(w, x, x @ w, dt=1.0)    # w: (2, 1), x: (2,)
        ```
    """

    eta: Array
    solver: diffrax.AbstractSolver

    def __init__(
        self, eta: FloatLike = 0.001, *, solver: diffrax.AbstractSolver | None = None
    ):
        self.eta = as_param("eta", eta, None, jnp.float32, positive=True)
        self.solver = diffrax.Euler() if solver is None else solver

    def vector_field(self, t, y, args):
        w, x, out = y["w"], args["x"][:, None], args["y"][None, :]
        return {"w": self.eta * out * (x - out * w)}
