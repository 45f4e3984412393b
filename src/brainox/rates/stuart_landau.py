"""The Stuart-Landau oscillator: the normal form of a Hopf bifurcation."""

import math

import diffrax
import jax.numpy as jnp

from .._custom_types import Array, FloatLike, PyTree
from .._dynamics import AbstractDynamics
from .._solvers.rk4 import RK4
from .._state import Hidden
from .._validate import as_param, check_size
from ..neurons._common import initial_state, state_key
from ._common import split_input


class StuartLandau(AbstractDynamics):
    """A population of Stuart-Landau oscillators (Hopf normal form).

    `dz/dt = (mu + i omega) z - (1 + i beta) |z|^2 z`,  `z = x + i y`,

    integrated as the real pair

    `dx/dt = mu x - omega y - (x^2 + y^2) (x - beta y)`

    `dy/dt = mu y + omega x - (x^2 + y^2) (y + beta x)`

    with time in ms, `mu` in 1/ms, `omega` in rad/ms and `x`, `y`, `beta`
    dimensionless. For `mu > 0` every orbit except the origin tends to the limit
    cycle of radius `sqrt(mu)`, travelled at the angular frequency
    `omega - beta mu` (rad/ms; `(omega - beta mu) / (2 pi)` kHz); the radius obeys
    `dr/dt = mu r - r^3`, so `r(t)^2 = mu r0^2 / (r0^2 + (mu - r0^2) exp(-2 mu t))`.
    For `mu < 0` the origin is a stable focus and oscillations decay as
    `exp(mu t)`. `mu = 0` is the (supercritical) Hopf bifurcation. `beta = 0` is
    the pure normal form, whose frequency is `omega` on and off the cycle.

    The default solver is [`brainox.RK4`][]: the equations are smooth and not
    conditionally linear.

    The input passed to `step` (and `args` of `vector_field`) is an additive
    forcing (1/ms): `None`, an array (added to `dx/dt`), or a dict with keys `"x"`
    and/or `"y"`; a scalar or one value per oscillator. Coupled networks pass
    each other's `x`, `y` through it.

    **Arguments:**

    - `n`: number of oscillators.
    - `mu`: bifurcation parameter (1/ms); the limit-cycle radius is `sqrt(mu)`.
    - `omega`: intrinsic angular frequency (rad/ms); the default is 40 Hz,
      `2 pi x 0.04`.
    - `beta`: shear (nonisochronicity, dimensionless); 0 for the pure normal form.
    - `x_init`, `y_init`: initial values: numbers, arrays or initializers (then
      `key` is required). Default `(1, 0)`.
    - `solver`: any diffrax solver (default [`brainox.RK4`][]).
    - `key`: a `jax.random.key` for random initial values.
    - `dtype`: floating dtype of parameters and states.

    Every numeric parameter may be a scalar or one value per oscillator.

    ??? cite "Reference"
        Kuramoto, Y. (1984). Chemical Oscillations, Waves, and Turbulence,
        chapter 2. Springer.

        Strogatz, S. H. (2015). Nonlinear Dynamics and Chaos, 2nd ed.,
        section 8.2 (supercritical Hopf bifurcation). Westview Press.

    !!! example
        ```python
        model = bx.rates.StuartLandau(3, mu=jnp.array([-0.1, 0.05, 0.2]))
        model, rec = bx.simulate(model, 500.0, dt=0.05, monitors=["x", "y"])
        ```
    """

    x: Hidden
    y: Hidden
    mu: Array
    omega: Array
    beta: Array
    solver: diffrax.AbstractSolver

    def __init__(
        self,
        n: int,
        *,
        mu: FloatLike = 0.1,
        omega: FloatLike = 2 * math.pi * 0.04,
        beta: FloatLike = 0.0,
        x_init: PyTree = 1.0,
        y_init: PyTree = 0.0,
        solver: diffrax.AbstractSolver | None = None,
        key: Array | None = None,
        dtype=jnp.float32,
    ):
        n = check_size("n", n)
        self.mu = as_param("mu", mu, n, dtype)
        self.omega = as_param("omega", omega, n, dtype)
        self.beta = as_param("beta", beta, n, dtype)
        zero = jnp.zeros((), dtype)
        self.x = initial_state(x_init, zero, n, dtype, key, "x_init")
        self.y = initial_state(y_init, zero, n, dtype, state_key(key, 1), "y_init")
        self.solver = RK4() if solver is None else solver

    @property
    def size(self) -> int:
        """Number of oscillators."""
        return self.x.value.shape[-1]

    def vector_field(self, t, y, args):
        """`dx/dt` and `dy/dt` (1/ms); `args` is an additive forcing (see above)."""
        forcing = split_input(args, ("x", "y"), "StuartLandau", y["x"])
        x, yy = y["x"], y["y"]
        r2 = x * x + yy * yy
        return {
            "x": self.mu * x
            - self.omega * yy
            - r2 * (x - self.beta * yy)
            + forcing["x"],
            "y": self.mu * yy
            + self.omega * x
            - r2 * (yy + self.beta * x)
            + forcing["y"],
        }
