"""The BCM rule with a sliding modification threshold."""

import diffrax
import equinox as eqx
import jax.numpy as jnp

from .._custom_types import Array, FloatLike
from .._state import LongTerm
from .._validate import as_param, check_size
from .rate_rule import AbstractRateRule


class BCM(AbstractRateRule):
    """Bienenstock-Cooper-Munro learning with a sliding threshold.

    ```
    dw_ij/dt        = eta x_i y_j (y_j - theta_j)
    tau_theta dtheta_j/dt = y_j^2 / y0 - theta_j
    ```

    Activity above the threshold `theta` potentiates, below it depresses;
    the threshold is a low-pass filter of `y^2` (Intrator & Cooper 1992), so
    it rises when the neuron is very active and falls when it is not, which
    stabilises learning. With several orthogonal input patterns presented at
    random the stable fixed points are selective: the neuron responds (with
    `y = K y0` for `K` equiprobable patterns) to exactly one pattern and not to
    the others. The threshold must follow `y^2` faster than the weights move
    (`tau_theta` well below `1 / (eta y^2)`).

    The threshold is a `bx.LongTerm` state, one per post neuron (a running
    statistic kept across episodes).

    **Arguments:**

    - `n_post`: number of post-synaptic neurons.
    - `eta`: learning rate (1/ms per unit of `x y^2`), > 0.
    - `tau_theta`: time constant of the threshold (ms), > 0.
    - `y0`: the rate scale of the threshold (unit of `y`), > 0.
    - `theta_init`: initial threshold (unit of `y`), default 0.
    - `solver`: a diffrax solver (default `diffrax.Euler()`).

    ??? cite "Reference"
        Bienenstock, E. L., Cooper, L. N. & Munro, P. W. (1982). Theory for
        the development of neuron selectivity. J. Neurosci. 2, 32-48.
        Intrator, N. & Cooper, L. N. (1992). Objective function formulation of
        the BCM theory of visual cortical plasticity. Neural Netw. 5, 3-17.

    !!! example
        ```python
        rule = bx.plasticity.BCM(1, eta=0.01, tau_theta=50.0)
        y = x @ w
        rule, w = rule.update(w, x, y, dt=1.0)
        rule.theta.value            # the sliding threshold
        ```
    """

    theta: LongTerm
    eta: Array
    tau_theta: Array
    y0: Array
    solver: diffrax.AbstractSolver

    def __init__(
        self,
        n_post: int,
        eta: FloatLike = 0.001,
        tau_theta: FloatLike = 100.0,
        y0: FloatLike = 1.0,
        *,
        theta_init: FloatLike = 0.0,
        solver: diffrax.AbstractSolver | None = None,
    ):
        n_post = check_size("n_post", n_post)
        self.eta = as_param("eta", eta, None, jnp.float32, positive=True)
        self.tau_theta = as_param(
            "tau_theta", tau_theta, None, jnp.float32, positive=True
        )
        self.y0 = as_param("y0", y0, None, jnp.float32, positive=True)
        theta = as_param("theta_init", theta_init, n_post, jnp.float32)
        self.theta = LongTerm(jnp.broadcast_to(theta, (n_post,)))
        self.solver = diffrax.Euler() if solver is None else solver

    def states(self) -> dict[str, Array]:
        return {"theta": self.theta.value}

    def with_states(self, values: dict[str, Array]) -> "BCM":
        theta = self.theta.replace(values["theta"])
        return eqx.tree_at(lambda r: r.theta, self, theta)

    def vector_field(self, t, y, args):
        out = args["y"]
        dw = self.eta * args["x"][:, None] * (out * (out - y["theta"]))[None, :]
        dtheta = (out * out / self.y0 - y["theta"]) / self.tau_theta
        return {"w": dw, "theta": dtheta}
