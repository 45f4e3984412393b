"""The Ornstein-Uhlenbeck current: coloured Gaussian noise as an SDE."""

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp

from .._custom_types import Array, FloatLike
from .._state import Hidden
from .._validate import as_param, check_dt, check_key, check_size
from ._sde import AbstractNoiseCurrent, BrownianBlocks


class OUCurrent(AbstractNoiseCurrent):
    """An Ornstein-Uhlenbeck current into every neuron of a population.

    `dI = (mean - I) / tau dt + sigma sqrt(2 / tau) dW`

    independently per neuron: Gaussian noise with mean `mean`, stationary standard
    deviation `sigma` and correlation time `tau` (autocovariance
    `sigma^2 exp(-|s| / tau)`). From `I(0) = I0` the mean is
    `mean + (I0 - mean) exp(-t / tau)` and the variance
    `sigma^2 (1 - exp(-2 t / tau))`. With `stationary=True` the initial value is
    drawn from the stationary law `N(mean, sigma^2)` instead. The current is the
    `Hidden` state `drive` (pA; monitor it as `"projections.<name>.drive"`).

    One step is one step of the diffrax `solver` on the SDE (drift + diagonal
    diffusion) with the step's Wiener increment, drawn in blocks of
    `block_size` steps from `key` (see [`brainox.inputs.AbstractNoiseCurrent`][]).
    Euler-Maruyama (the default) inflates the stationary variance by
    `1 / (1 - dt / (2 tau))` (0.25 % at `dt = tau / 200`).

    **Arguments:**

    - `post`: name of the population in the network.
    - `n`: number of neurons (one independent process each).
    - `mean`: mean current (pA).
    - `sigma`: stationary standard deviation (pA, >= 0).
    - `tau`: correlation time (ms, > 0).
    - `key`: a `jax.random.key`, the seed of the noise.
    - `dt`: the simulation step (ms).
    - `I_init`: initial current (pA; default `mean`).
    - `stationary`: draw the initial current from `N(mean, sigma^2)`.
    - `block_size`: steps of Wiener increments drawn at a time.
    - `solver`: a diffrax SDE solver (default `diffrax.Euler()`).
    - `dtype`: floating dtype.

    ??? cite "Reference"
        Uhlenbeck, G. E. & Ornstein, L. S. (1930). On the theory of the Brownian
        motion. Phys. Rev. 36, 823-841. As a synaptic-noise model: Destexhe, A.,
        Rudolph, M., Fellous, J.-M. & Sejnowski, T. J. (2001). Fluctuating
        synaptic conductances recreate in vivo-like activity in neocortical
        neurons. Neuroscience 107, 13-24.

    !!! example
        ```python
        noise = bx.inputs.OUCurrent("exc", 100, mean=200.0, sigma=50.0, tau=5.0,
                                    key=jax.random.key(0), dt=0.1)
        net = bx.Network({"exc": bx.LIF(100)}, {"noise": noise})
        # or alone, as an array over time for simulate's `inputs=`:
        current = noise.sample(10000)      # (10000, 100) pA
        ```
    """

    post: str = eqx.field(static=True)
    drive: Hidden
    mean: Array
    sigma: Array
    tau: Array
    noise: BrownianBlocks
    solver: diffrax.AbstractSolver
    dt: float = eqx.field(static=True)

    def __init__(
        self,
        post: str,
        n: int,
        *,
        mean: FloatLike,
        sigma: FloatLike,
        tau: FloatLike,
        key: Array,
        dt: float,
        I_init: FloatLike | None = None,
        stationary: bool = False,
        block_size: int = 128,
        solver: diffrax.AbstractSolver | None = None,
        dtype=jnp.float32,
    ):
        n = check_size("n", n)
        self.post = str(post)
        self.dt = check_dt(dt)
        self.mean = as_param("mean", mean, n, dtype)
        self.sigma = as_param("sigma", sigma, n, dtype, nonnegative=True)
        self.tau = as_param("tau", tau, n, dtype, positive=True)
        init_key, noise_key = jax.random.split(check_key("key", key))
        if stationary:
            if I_init is not None:
                raise ValueError("give `I_init` or `stationary=True`, not both.")
            start = self.mean + self.sigma * jax.random.normal(init_key, (n,), dtype)
        else:
            start = (
                self.mean if I_init is None else as_param("I_init", I_init, n, dtype)
            )
        self.drive = Hidden(jnp.broadcast_to(start, (n,)).astype(dtype))
        self.noise = BrownianBlocks(n, noise_key, block_size, dtype)
        self.solver = diffrax.Euler() if solver is None else solver

    def drift(self, t, y, args):
        """`(mean - I) / tau` (pA/ms)."""
        return (self.mean - y) / self.tau

    def diffusion(self, t, y, args):
        """`sigma sqrt(2 / tau)` (pA/sqrt(ms)), one per neuron."""
        return jnp.broadcast_to(self.sigma * jnp.sqrt(2.0 / self.tau), y.shape)

    def value(self) -> Array:
        """The current `I` (pA) during this step (the `drive` state)."""
        return self.drive.value

    def integrate(self, dt: float) -> "OUCurrent":
        self.check_dt(dt)
        drive = self.drive.replace(self.step_sde(self.drive.value))
        return eqx.tree_at(
            lambda s: (s.drive, s.noise), self, (drive, self.noise.advance())
        )
