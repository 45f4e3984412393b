"""Gaussian white-noise current: the derivative of a Wiener process with drift."""

import diffrax
import equinox as eqx
import jax.numpy as jnp

from .._custom_types import Array, FloatLike
from .._validate import as_param, check_dt, check_size
from ._sde import AbstractNoiseCurrent, BrownianBlocks


class WhiteNoiseCurrent(AbstractNoiseCurrent):
    """A Gaussian white-noise current into every neuron of a population.

    `I(t) = mean + sigma xi(t)`, `<xi(t) xi(t')> = delta(t - t')`

    independently per neuron. It is the derivative of the SDE `dX = mean dt +
    sigma dW`: during each step the current is the step average `I = (X(t + dt) -
    X(t)) / dt`, with `X` stepped from 0 by the diffrax `solver` with the step's
    Wiener increment (drawn in blocks of `block_size` steps from `key`). Its
    values are independent across steps, with mean `mean` and variance
    `sigma^2 / dt`.

    `sigma` is the noise intensity in pA sqrt(ms). Into a LIF neuron (`tau dV/dt =
    -(V - V_rest) + R I`) the potential receives mean drive `mu = R mean` and
    fluctuations of `sigma_V = R sigma / sqrt(tau)` (mV, with `R` scaled from MOhm
    pA to mV): the parameters of the Siegert formula for its rate.

    **Arguments:**

    - `post`: name of the population in the network.
    - `n`: number of neurons.
    - `mean`: mean current (pA).
    - `sigma`: noise intensity (pA sqrt(ms), >= 0).
    - `key`: a `jax.random.key`, the seed of the noise.
    - `dt`: the simulation step (ms).
    - `block_size`: steps of Wiener increments drawn at a time.
    - `solver`: a diffrax SDE solver (default `diffrax.Euler()`).
    - `dtype`: floating dtype.

    ??? cite "Reference"
        Siegert, A. J. F. (1951). On the first passage time probability problem.
        Phys. Rev. 81, 617-623. Brunel, N. (2000). Dynamics of sparsely connected
        networks of excitatory and inhibitory spiking neurons. J. Comput.
        Neurosci. 8, 183-208 (the LIF rate under white noise, eq. 21).

    !!! example
        ```python
        noise = bx.inputs.WhiteNoiseCurrent("exc", 1000, mean=150.0, sigma=224.0,
                                            key=jax.random.key(0), dt=0.1)
        net = bx.Network({"exc": bx.LIF(1000)}, {"noise": noise})
        ```
    """

    post: str = eqx.field(static=True)
    mean: Array
    sigma: Array
    noise: BrownianBlocks
    solver: diffrax.AbstractSolver
    dt: float = eqx.field(static=True)
    size: int = eqx.field(static=True)

    def __init__(
        self,
        post: str,
        n: int,
        *,
        mean: FloatLike,
        sigma: FloatLike,
        key: Array,
        dt: float,
        block_size: int = 128,
        solver: diffrax.AbstractSolver | None = None,
        dtype=jnp.float32,
    ):
        self.size = check_size("n", n)
        self.post = str(post)
        self.dt = check_dt(dt)
        self.mean = as_param("mean", mean, n, dtype)
        self.sigma = as_param("sigma", sigma, n, dtype, nonnegative=True)
        self.noise = BrownianBlocks(self.size, key, block_size, dtype)
        self.solver = diffrax.Euler() if solver is None else solver

    def drift(self, t, y, args):
        """`mean` (pA)."""
        return jnp.broadcast_to(self.mean, y.shape)

    def diffusion(self, t, y, args):
        """`sigma` (pA sqrt(ms))."""
        return jnp.broadcast_to(self.sigma, y.shape)

    def value(self) -> Array:
        """The step average of the current during this step (pA)."""
        zero = jnp.zeros(self.size, self.mean.dtype)
        return self.step_sde(zero) / self.dt

    def integrate(self, dt: float) -> "WhiteNoiseCurrent":
        self.check_dt(dt)
        return eqx.tree_at(lambda s: s.noise, self, self.noise.advance())
