"""The interface of a plasticity rule acting on the weights of a projection."""

import abc
from typing import TypeVar

import equinox as eqx

from .._custom_types import Array, ArrayLike
from ..connect import AbstractPropagation, OutDegreeTable


_R = TypeVar("_R", bound="AbstractPlasticity")


class AbstractPlasticity(eqx.Module):
    """A rule that changes the per-synapse weights of a [`brainox.Projection`][].

    A plastic projection holds its weights as a `bx.LongTerm` state of the
    table's shape `(n_pre, max_degree)` and a rule, which holds its own traces
    (`bx.ShortTerm` states, restored by [`brainox.reset`][]). After the
    populations of a [`brainox.Network`][] have fired, the network calls each
    projection's `plasticity_step`, which calls the rule's `step` with the
    spikes of this step on both sides; the rule returns itself with updated
    traces together with the new weights.

    A rule is built without sizes; [`brainox.Projection`][] calls
    `prepare(table, propagation)` at construction, which sizes the traces for
    the table and picks how synapses are visited (see
    [`brainox.plasticity.AbstractSpikeTimingRule`][]). Concrete rules are final.

    ??? cite "Reference"
        The per-step order follows Brian2: Stimberg, M., Brette, R. & Goodman,
        D. F. (2019). Brian 2, an intuitive and efficient neural simulator.
        eLife 8, e47314.

    !!! example
        ```python
        proj = bx.Projection("pre", "post", table, weight=bx.LongTerm(w0),
                             plasticity=bx.plasticity.PairSTDP())
        # what a Network does after the populations fired (step 5):
        proj = proj.plasticity_step(pre, post, dt=0.1)
        rule, w = proj.plasticity.step(table, w, pre_spike, post_spike, 0.1)
        ```
    """

    @abc.abstractmethod
    def prepare(
        self: _R, table: OutDegreeTable, propagation: AbstractPropagation
    ) -> _R:
        """This rule with its states sized for `table`.

        **Arguments:**

        - `table`: the projection's connectivity.
        - `propagation`: the projection's (prepared) propagation strategy.

        **Returns:** a rule of the same type, ready to `step`.
        """

    @abc.abstractmethod
    def step(
        self: _R,
        table: OutDegreeTable,
        weight: Array,
        pre_spike: Array,
        post_spike: Array,
        dt: float,
        modulator: ArrayLike | None = None,
    ) -> tuple[_R, Array]:
        """Advance the rule over one step of `dt` ms and update the weights.

        **Arguments:**

        - `table`: the connectivity the rule was prepared for.
        - `weight`: per-synapse weights of the table's shape (the value of the
          projection's `LongTerm` weight).
        - `pre_spike`: the presynaptic spikes of this step, shape `(n_pre,)`.
        - `post_spike`: the post-synaptic spikes of this step, shape `(n_post,)`.
        - `dt`: the step (ms).
        - `modulator`: a neuromodulatory input of this step for rules that take
          one (such as [`brainox.plasticity.RewardModulatedSTDP`][]), else
          `None`.

        **Returns:** `(rule, weight)`: the rule with its new states and the new
        weights.
        """


def check_prepared(rule: eqx.Module, state) -> None:
    """Raise a clear error when a rule is stepped before `prepare`."""
    if state is None:
        name = type(rule).__name__
        raise ValueError(
            f"{name} has no states yet: pass it as `plasticity=` to a "
            f"bx.Projection, which sizes it, or call `{name}.prepare(table, "
            "propagation)` first."
        )


def check_no_modulator(rule: eqx.Module, modulator: ArrayLike | None) -> None:
    """Raise a clear error when a rule without a neuromodulator receives one."""
    if modulator is not None:
        raise ValueError(
            f"{type(rule).__name__} takes no neuromodulator, but the projection "
            "received an input (the network's inputs name it); use "
            "bx.plasticity.RewardModulatedSTDP for reward-modulated learning, or "
            "do not pass an input for this projection."
        )
