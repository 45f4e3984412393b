"""Shared machinery of the noise inputs: Wiener increments drawn in blocks from an
explicit key, one diffrax SDE step, and the base class of noise currents."""

import abc
from typing import TypeVar

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import lineax as lx

from .._custom_types import Array
from .._state import ShortTerm
from .._validate import check_built_dt, check_dt, check_size
from ..projections import AbstractProjection
from .poisson import key_state, next_key


_N = TypeVar("_N", bound="AbstractNoiseCurrent")


class BrownianBlocks(eqx.Module):
    """Standard normal draws for `n` Wiener processes, drawn `block_size` steps at
    a time from an explicit key (`ShortTerm` states: key, block and position).

    `increment(dt)` reads this step's increments `sqrt(dt) N(0, 1)` without
    advancing; `advance()` moves to the next step, drawing a new block (one call
    to the generator for `block_size x n` numbers) after the last row. The draws
    are fixed by the key and the block size, whatever the chunking of a run;
    [`brainox.reset`][] replays them.
    """

    key: ShortTerm
    block: ShortTerm
    position: ShortTerm
    impl: str = eqx.field(static=True)

    def __init__(self, n: int, key: Array, block_size: int, dtype):
        block_size = check_size("block_size", block_size)
        key_tag, self.impl = key_state(key)
        key_tag, sub = next_key(key_tag, self.impl)
        self.key = ShortTerm(key_tag.value)  # reset restores the key after `sub`
        self.block = ShortTerm(jax.random.normal(sub, (block_size, n), dtype))
        self.position = ShortTerm(jnp.zeros((), jnp.int32))

    def increment(self, dt: float) -> Array:
        """This step's Wiener increments over `dt` ms (shape `(n,)`)."""
        normal = self.block.value[self.position.value]
        return normal * jnp.sqrt(jnp.asarray(dt, normal.dtype))

    def advance(self) -> "BrownianBlocks":
        """The blocks at the next step (a fresh block after the last row)."""
        block = self.block.value
        position = self.position.value + 1

        def fresh(_):
            key, sub = next_key(self.key, self.impl)
            new = jax.random.normal(sub, block.shape, block.dtype)
            return key.value, new, jnp.zeros((), jnp.int32)

        def same(_):
            return self.key.value, block, position

        key, block, position = jax.lax.cond(
            position == block.shape[0], fresh, same, None
        )
        return eqx.tree_at(
            lambda b: (b.key, b.block, b.position),
            self,
            (
                self.key.replace(key),
                self.block.replace(block),
                self.position.replace(position),
            ),
        )


class _Increment(diffrax.AbstractPath):
    # The Brownian path of one step, known only through its increment.
    increment: Array
    t0: Array
    t1: Array

    def evaluate(self, t0, t1=None, left=True):
        del t0, t1, left
        return self.increment


def sde_step(
    solver: diffrax.AbstractSolver,
    drift,
    diffusion,
    y0: Array,
    dW: Array,
    dt: float,
) -> Array:
    """One step `[0, dt]` of `dy = drift(t, y) dt + diffusion(t, y) dW` (diagonal
    noise) with a diffrax solver, given the Wiener increment `dW` of the step."""
    t0 = jnp.zeros((), y0.dtype)
    t1 = t0 + dt
    noise = diffrax.ControlTerm(
        lambda t, y, args: lx.DiagonalLinearOperator(diffusion(t, y, args)),
        _Increment(dW, t0, t1),
    )
    terms = diffrax.MultiTerm(diffrax.ODETerm(drift), noise)
    state = solver.init(terms, t0, t1, y0, None)
    y1, _, _, _, _ = solver.step(terms, t0, t1, y0, None, state, False)
    return y1


class AbstractNoiseCurrent(AbstractProjection):
    """A stochastic current into a population: an SDE driven by Wiener noise.

    Subclasses define the SDE's `drift(t, y, args)` and (diagonal) `diffusion(t,
    y, args)`, in units of the current per ms and per sqrt(ms). As a projection of
    a [`brainox.Network`][] it adds `current()` to its post population's input
    (step 2 of the network's order) and advances in `integrate` (step 3); the
    Wiener increments are drawn in blocks of `block_size` steps from the
    source's key (a `ShortTerm` state; [`brainox.reset`][] replays them), and
    each step is one step of the module's diffrax `solver` (default
    `diffrax.Euler()`, i.e. Euler-Maruyama; any solver that needs only the
    Brownian increment works, such as `diffrax.Heun()`).

    `sample(n_steps)` runs the source alone and returns the current over time,
    an array for `inputs=` of [`brainox.simulate`][].

    As a projection it has no presynaptic population: `pre` is `post`.
    """

    post: eqx.AbstractVar[str]
    noise: eqx.AbstractVar[BrownianBlocks]
    solver: eqx.AbstractVar[diffrax.AbstractSolver]
    dt: eqx.AbstractVar[float]

    @property
    def pre(self) -> str:
        """The post population's name: a noise source has no presynaptic one."""
        return self.post

    @abc.abstractmethod
    def drift(self, t: Array, y: Array, args) -> Array:
        """The drift of the SDE (per ms)."""

    @abc.abstractmethod
    def diffusion(self, t: Array, y: Array, args) -> Array:
        """The diagonal diffusion of the SDE (per sqrt(ms))."""

    @abc.abstractmethod
    def value(self) -> Array:
        """The current during this step, one value per neuron."""

    def deliver(self: _N, pre) -> tuple[_N, None]:
        return self, None

    def current(self, pre, post) -> Array:
        value = self.value()
        V = post.voltage
        if value.shape != V.shape:
            raise ValueError(
                f"{type(self).__name__} has {value.shape[-1]} values but population "
                f"{self.post!r} has {V.shape[-1]} neurons; build it with n = "
                f"{V.shape[-1]}."
            )
        return value.astype(V.dtype)

    def check_dt(self, dt: float) -> None:
        """Refuse a step other than the one the source was built for."""
        check_built_dt(
            f"{type(self).__name__} onto {self.post!r}", self.dt, check_dt(dt)
        )

    def step_sde(self, y0: Array) -> Array:
        """`y` after this step of the SDE from `y0`, with this step's increment."""
        return sde_step(
            self.solver,
            self.drift,
            self.diffusion,
            y0,
            self.noise.increment(self.dt),
            self.dt,
        )

    def sample(self, n_steps: int) -> Array:
        """The current during steps `0 .. n_steps - 1`, shape `(n_steps, n)`.

        The same values the source adds inside a network, as an array for
        `inputs=` of [`brainox.simulate`][].
        """

        def one(source, _):
            return source.integrate(source.dt), source.value()

        _, values = jax.lax.scan(one, self, None, length=check_size("n_steps", n_steps))
        return values
