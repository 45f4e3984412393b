"""The interface of synaptic kinetics kept on the post-synaptic side."""

import abc
from collections.abc import Callable
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
       spikes (nS for a conductance, pA for a current); a projection calls
       `add_from`, which lets the propagation strategy add them;
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

    def add_from(self: _S, accumulate: Callable[[Array], Array]) -> _S:
        """Deliver spikes whose summed weights a propagation strategy adds.

        `accumulate(into)` returns `into` plus this step's increments (one per
        post neuron), as
        [`brainox.connect.AbstractPropagation.accumulate`][] does once its
        table, spikes and weight are bound. By default the synapse calls it on
        zeros and `add`s the result. A synapse whose `add` adds the increments
        unchanged to one variable passes that variable instead, so that the
        strategy adds into it directly ([`brainox.synapses.Exponential`][]
        does; with [`brainox.connect.EventDriven`][] on the CPU this saves a
        separate sum per step).

        **Arguments:**

        - `accumulate`: a function from an array of shape `(size,)` to that
          array plus the increments (nS for a conductance, pA for a current).

        **Returns:** the synapse after the delivery.

        !!! example
            ```python
            deliver = functools.partial(
                bx.connect.EventDriven().accumulate, table, spikes, 6.0
            )
            syn = syn.add_from(deliver)   # the same as syn.add(sum of weights)
            ```
        """
        output = self.output()
        return self.add(accumulate(jnp.zeros(output.shape[-1], output.dtype)))

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


def check_accumulated(value: ArrayLike, into: Array) -> Array:
    """What `add_from`'s `accumulate(into)` returned: the shape of `into`, in
    its dtype; errors name the shape."""
    value = jnp.asarray(value)
    if value.shape != into.shape:
        raise ValueError(
            f"`accumulate` returned shape {value.shape}; expected {into.shape}, "
            "the accumulator it was given plus one increment per post-synaptic "
            "neuron."
        )
    return value.astype(into.dtype)
