"""The plain Hebbian rule with a passive decay of the weights."""

import diffrax
import jax.numpy as jnp

from .._custom_types import Array, FloatLike
from .._validate import as_param
from .rate_rule import AbstractRateRule


class Hebbian(AbstractRateRule):
    """Hebb's rule with decay: `dw_ij/dt = eta x_i y_j - decay w_ij`.

    Weights grow with the correlation of pre- and post-synaptic activity and
    relax to zero without it. For constant `x` and `y` the weight relaxes
    exponentially to `eta x y / decay` with time constant `1 / decay`. (With
    `y = x @ w` and no decay the rule is unstable: the weights grow without
    bound; [`brainox.plasticity.Oja`][] and [`brainox.plasticity.BCM`][] are
    the stabilised variants.)

    **Arguments:**

    - `eta`: learning rate (1/ms per unit of `x y`), >= 0.
    - `decay`: decay rate of the weights (1/ms), >= 0.
    - `solver`: a diffrax solver (default `diffrax.Euler()`;
      [`brainox.ExponentialEuler`][] is exact for inputs constant over a
      step).

    ??? cite "Reference"
        Hebb, D. O. (1949). The Organization of Behavior. Wiley. Gerstner, W.
        & Kistler, W. M. (2002). Mathematical formulations of Hebbian
        learning. Biol. Cybern. 87, 404-415.

    !!! example
        ```python
        rule = bx.plasticity.Hebbian(eta=0.01, decay=0.001)
        rule, w = rule.update(w, x, y, dt=1.0)
        ```
    """

    eta: Array
    decay: Array
    solver: diffrax.AbstractSolver

    def __init__(
        self,
        eta: FloatLike = 0.001,
        decay: FloatLike = 0.0,
        *,
        solver: diffrax.AbstractSolver | None = None,
    ):
        self.eta = as_param("eta", eta, None, jnp.float32, nonnegative=True)
        self.decay = as_param("decay", decay, None, jnp.float32, nonnegative=True)
        self.solver = diffrax.Euler() if solver is None else solver

    def vector_field(self, t, y, args):
        x, out = args["x"][:, None], args["y"][None, :]
        return {"w": self.eta * x * out - self.decay * y["w"]}
