"""The interface of synaptic kinetics kept on the post-synaptic side."""

import abc
from typing import TypeVar

import jax.numpy as jnp

from .._custom_types import Array, ArrayLike, PyTree
from .._dynamics import AbstractDynamics


_S = TypeVar("_S", bound="AbstractSynapse")
_P = TypeVar("_P", bound="AbstractPresynaptic")


class AbstractSynapse(AbstractDynamics):
    """Synaptic kinetics driven by spikes, one set of variables per post neuron.

    Linear kinetics sum over all the synapses onto a post-synaptic neuron, so a
    population of `n` post-synaptic neurons holds `n` copies of the variables
    whatever the number of synapses. A step of a network calls, in order:

    1. `add(increments)`: deliver the summed weights of this step's arriving
       spikes (nS for a conductance, pA for a current);
    2. `output()`: the quantity an output turns into a current (see
       [`brainox.outputs`][]);
    3. `step(None, dt)`: integrate over `[t, t + dt]`.

    Subclasses define `vector_field`, `add` and `output`; concrete ones are final.
    """

    @property
    def size(self) -> int:
        """Number of post-synaptic neurons."""
        return self.output().shape[-1]

    @abc.abstractmethod
    def add(self: _S, increments: ArrayLike) -> _S:
        """Deliver spikes: `increments` (one value per post neuron, or a scalar)."""

    @abc.abstractmethod
    def output(self) -> Array:
        """The synaptic variable read by the output (conductance nS or current pA)."""

    def step(self: _S, args: PyTree, dt: float) -> _S:
        """Deliver `args` (increments, or `None`), then integrate for `dt` ms."""
        syn = self if args is None else self.add(args)
        return syn.with_hidden(syn.integrate(None, dt))


class AbstractPresynaptic(AbstractDynamics):
    """Presynaptic dynamics that scale each spike's efficacy (one state per pre neuron).

    Short-term plasticity depends only on the presynaptic spike train, so its
    state lives on the presynaptic side, one set of variables per presynaptic
    neuron, shared by all its synapses. A projection calls `on_spikes(spikes)` when
    the presynaptic spikes of the previous step are delivered (before the delay),
    which returns the efficacy of each spike (the factor its weights are scaled
    by) and the updated state, and then `step(None, dt)` to let the variables relax
    over the step.

    Subclasses define `vector_field` (the relaxation between spikes) and
    `on_spikes`.
    """

    @abc.abstractmethod
    def on_spikes(self: _P, spikes: Array) -> tuple[Array, _P]:
        """The efficacy of each presynaptic spike, and the state after the spikes."""

    def step(self: _P, args: PyTree, dt: float) -> _P:
        """Relax the variables over `dt` ms (spikes are applied by `on_spikes`)."""
        return self.with_hidden(self.integrate(None, dt))


def check_increments(increments: ArrayLike, n: int) -> Array:
    """A scalar or one value per post-synaptic neuron; errors name the shape."""
    increments = jnp.asarray(increments)
    if increments.ndim > 1 or (increments.ndim == 1 and increments.shape[0] != n):
        raise ValueError(
            f"`increments` has shape {increments.shape}; expected a scalar or "
            f"shape ({n},), one value per post-synaptic neuron."
        )
    return increments
