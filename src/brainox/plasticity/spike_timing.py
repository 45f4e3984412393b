"""Spike-timing rules driven by traces: what pair and triplet STDP share."""

import abc
from typing import TypeVar

import equinox as eqx
import jax.numpy as jnp

from .._custom_types import Array, ArrayLike
from .._state import ShortTerm
from ..connect import (
    AbstractPropagation,
    EventDriven,
    InDegreeTable,
    OutDegreeTable,
    in_degree_table,
)
from ._base import AbstractPlasticity, check_no_modulator, check_prepared
from ._synapse_visit import visit_all_synapses, visit_spiking_synapses
from .weight_dependence import AbstractWeightDependence


_R = TypeVar("_R", bound="AbstractSpikeTimingRule")

PAIRINGS = ("all-to-all", "nearest")


def check_pairing(pairing: str) -> str:
    """Check the pairing scheme's name."""
    if pairing not in PAIRINGS:
        raise ValueError(
            f"`pairing` is {pairing!r}; use 'all-to-all' (traces add up) or "
            "'nearest' (traces are reset to 1 at each spike)."
        )
    return pairing


class AbstractSpikeTimingRule(AbstractPlasticity):
    """A spike-timing rule written with presynaptic and post-synaptic traces.

    Each presynaptic neuron carries traces `pre_trace[k]` and each post neuron
    traces `post_trace[k]`, each decaying with its own time constant (exactly:
    `x <- x exp(-dt / tau)` per step). One `step` does, in this order:

    1. decay every trace over the step;
    2. at each presynaptic spike, every synapse of that neuron is updated by
       `depression(pre, post)` (a depression, through the weight dependence);
    3. at each post-synaptic spike, every synapse onto that neuron is updated
       by `potentiation(pre, post)`;
    4. the traces of the neurons that fired are incremented: `x <- x + 1`
       (`pairing="all-to-all"`: every pair of spikes counts) or set,
       `x <- 1` (`pairing="nearest"`: only the nearest earlier spike of the
       other side counts).

    So a spike sees the other side's traces **before** the increments of its
    own step: a pre and a post spike in the same step do not pair, and a pair
    `t_post - t_pre = s > 0` sees `exp(-s / tau)` exactly.

    A neuron "fires" in a step when its spike value is above 0: a step with
    several spikes of one neuron (a count above 1, from
    `SpikeGenerator(allow_multiple=True)`) counts as one spike for the rule,
    while the projection delivers the count times the weight.

    **Which synapses are visited.** With [`brainox.connect.EventDriven`][]
    propagation, `prepare` derives the in-degree table once, and only the rows
    of the presynaptic neurons that fired and the columns of the post neurons
    that fired are touched (work proportional to the spikes). With any other
    strategy ([`brainox.connect.Dense`][],
    [`brainox.connect.FixedInDegreeGather`][]) every synapse is computed with
    a masked update (differentiable). Both give the same weights.

    Concrete rules set `weight_dependence`, `pairing`, the trace time
    constants (`pre_taus`, `post_taus`, ms) and the two amounts (weight unit).

    ??? cite "Reference"
        Morrison, A., Diesmann, M. & Gerstner, W. (2008). Phenomenological
        models of synaptic plasticity based on spike timing. Biol. Cybern. 98,
        459-478.

    !!! example
        ```python
        stdp = bx.plasticity.PairSTDP(pairing="nearest")
        stdp = stdp.prepare(table, bx.connect.EventDriven())
        stdp, w = stdp.step(table, w, pre_spike, post_spike, dt=0.1)
        ```
    """

    pre_trace: eqx.AbstractVar[ShortTerm | None]
    post_trace: eqx.AbstractVar[ShortTerm | None]
    in_table: eqx.AbstractVar[InDegreeTable | None]
    weight_dependence: eqx.AbstractVar[AbstractWeightDependence]
    pairing: eqx.AbstractVar[str]

    @abc.abstractmethod
    def pre_taus(self) -> Array:
        """Time constants of the presynaptic traces (ms), shape `(k_pre,)`."""

    @abc.abstractmethod
    def post_taus(self) -> Array:
        """Time constants of the post-synaptic traces (ms), shape `(k_post,)`."""

    @abc.abstractmethod
    def depression(self, pre: Array, post: Array) -> Array:
        """Amount of depression at a presynaptic spike (weight unit, >= 0).

        `pre` and `post` are the synapse's traces, leading axis the trace kind.
        """

    @abc.abstractmethod
    def potentiation(self, pre: Array, post: Array) -> Array:
        """Amount of potentiation at a post-synaptic spike (weight unit, >= 0)."""

    def prepare(
        self: _R, table: OutDegreeTable, propagation: AbstractPropagation
    ) -> _R:
        dtype = jnp.result_type(float)  # float32, or float64 in 64-bit mode
        pre = ShortTerm(jnp.zeros((self.pre_taus().shape[0], table.n_pre), dtype))
        post = ShortTerm(jnp.zeros((self.post_taus().shape[0], table.n_post), dtype))
        in_table = None
        if isinstance(propagation, EventDriven):
            in_table = in_degree_table(table)
        return eqx.tree_at(
            lambda r: (r.pre_trace, r.post_trace, r.in_table),
            self,
            (pre, post, in_table),
            is_leaf=lambda x: x is None,
        )

    def step(
        self: _R,
        table: OutDegreeTable,
        weight: Array,
        pre_spike: Array,
        post_spike: Array,
        dt: float,
        modulator: ArrayLike | None = None,
    ) -> tuple[_R, Array]:
        check_no_modulator(self, modulator)
        return self.apply(table, weight, pre_spike, post_spike, dt)

    def apply(
        self: _R,
        table: OutDegreeTable,
        weight: Array,
        pre_spike: Array,
        post_spike: Array,
        dt: float,
    ) -> tuple[_R, Array]:
        """Steps 1-4 above on `weight` (or on any per-synapse variable).

        **Returns:** `(rule, weight)` with the new traces and the new values.
        """
        check_prepared(self, self.pre_trace)
        assert self.pre_trace is not None and self.post_trace is not None
        sizes = (self.pre_trace.value.shape[1], self.post_trace.value.shape[1])
        if (pre_spike.shape, post_spike.shape) != ((sizes[0],), (sizes[1],)):
            raise ValueError(
                f"{type(self).__name__} was prepared for {sizes[0]} pre and "
                f"{sizes[1]} post neurons, but got spikes of shapes "
                f"{pre_spike.shape} and {post_spike.shape}; the populations must "
                "match the projection's table (n_pre, n_post)."
            )
        pre_fired = pre_spike > 0
        post_fired = post_spike > 0
        pre = self.pre_trace.value * jnp.exp(-dt / self.pre_taus())[:, None]
        post = self.post_trace.value * jnp.exp(-dt / self.post_taus())[:, None]
        bounds = self.weight_dependence

        def on_pre(w, pre, post):
            return bounds.depress(w, self.depression(pre, post).astype(w.dtype))

        def on_post(w, pre, post):
            return bounds.potentiate(w, self.potentiation(pre, post).astype(w.dtype))

        args = (weight, pre_fired, post_fired, pre, post, on_pre, on_post)
        if self.in_table is None:
            weight = visit_all_synapses(table, *args)
        else:
            weight = visit_spiking_synapses(table, self.in_table, *args)
        pre = self._increment(pre, pre_fired)
        post = self._increment(post, post_fired)
        rule = eqx.tree_at(
            lambda r: (r.pre_trace, r.post_trace),
            self,
            (self.pre_trace.replace(pre), self.post_trace.replace(post)),
        )
        return rule, weight

    def _increment(self, traces: Array, fired: Array) -> Array:
        fired = fired[None, :]
        if self.pairing == "nearest":
            return jnp.where(fired, jnp.ones_like(traces), traces)
        return traces + fired.astype(traces.dtype)
