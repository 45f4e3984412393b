"""Poisson input onto one device's block, drawn as on one device."""

import equinox as eqx
import jax
import jax.numpy as jnp

from .._custom_types import Array
from ..inputs.poisson import PoissonInput
from ..outputs import AbstractOutput
from ..projections import AbstractSynapticProjection
from ..synapses._base import AbstractSynapse


class BlockPoissonInput(AbstractSynapticProjection):
    """A [`brainox.inputs.PoissonInput`][] restricted to one block of its population.

    Every device draws the counts of the whole population, with the same key as
    the unsharded input (so the draws are identical), and keeps those of its
    block; the post-side synapse and output are the block's. Drawing the whole
    vector costs one uniform per neuron of the population and step on every
    device, a small part of a step.

    **Arguments:**

    - `source`: the input of the whole population.
    - `synapse`, `output`: the block's part of `source.synapse` and
      `source.output`.
    - `start`: index of the block's first neuron in the population.
    - `size`: neurons per block.
    - `padded`: the population's size with its padding.
    """

    draw: PoissonInput
    synapse: AbstractSynapse | None
    output: AbstractOutput
    start: Array
    size: int = eqx.field(static=True)
    padded: int = eqx.field(static=True)

    def __init__(
        self,
        source: PoissonInput,
        synapse: AbstractSynapse | None,
        output: AbstractOutput,
        *,
        start: int,
        size: int,
        padded: int,
    ):
        # The draws of the whole population as delta increments: count x weight.
        self.draw = (
            source
            if source.synapse is None
            else eqx.tree_at(lambda p: p.synapse, source, None)
        )
        self.synapse = synapse
        self.output = output
        self.start = jnp.asarray(start, jnp.int32)
        self.size = int(size)
        self.padded = int(padded)

    @property
    def pre(self) -> str:
        """The post population's name (an external input has no population)."""
        return self.draw.post

    @property
    def post(self) -> str:
        """The post population's name."""
        return self.draw.post

    def deliver(self, pre) -> tuple["BlockPoissonInput", Array | None]:
        draw, increments = self.draw.deliver(pre)
        assert increments is not None
        increments = jnp.pad(increments, (0, self.padded - increments.shape[0]))
        mine = jax.lax.dynamic_slice_in_dim(increments, self.start, self.size)
        return eqx.tree_at(lambda p: p.draw, self, draw).receive(mine)

    def integrate(self, dt: float) -> "BlockPoissonInput":
        new = eqx.tree_at(lambda p: p.draw, self, self.draw.integrate(dt))
        return new.integrate_synapse(dt)
