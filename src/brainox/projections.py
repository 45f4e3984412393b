"""Projections: connectivity + synaptic kinetics + output + delay, between populations."""

import abc
from typing import TypeVar

import equinox as eqx
import jax.numpy as jnp

from ._custom_types import Array, ArrayLike
from ._state import LongTerm
from .connect import AbstractPropagation, EventDriven, OutDegreeTable
from .connect._table import check_weight
from .delays import HomogeneousDelay
from .outputs import AbstractOutput, CUBA, Delta
from .synapses._base import AbstractPresynaptic, AbstractSynapse


_P = TypeVar("_P", bound="AbstractProjection")


class AbstractProjection(eqx.Module):
    """Anything that couples a presynaptic to a post-synaptic population.

    A [`brainox.Network`][] calls, each step and in this order, `deliver` (the
    spikes of the previous step arrive), `current` (the input to the post
    neurons), and `integrate` (the projection's own dynamics over the step).
    """

    pre: eqx.AbstractVar[str]
    post: eqx.AbstractVar[str]

    @abc.abstractmethod
    def deliver(self: _P, pre) -> tuple[_P, Array | None]:
        """Deliver the spikes of the presynaptic population `pre`.

        **Returns:** the projection and, for delta synapses, the jump of the post
        membrane potential (mV), else `None`.
        """

    @abc.abstractmethod
    def current(self, pre, post) -> Array:
        """The current into the post-synaptic neurons (pA for built-in neurons)."""

    def integrate(self: _P, dt: float) -> _P:
        """Advance the projection's own state over one step of `dt` ms."""
        return self


class Projection(AbstractProjection):
    """Spikes of one population acting on another through synapses.

    Each step, the presynaptic spikes of the previous step are scaled by the
    `presynaptic` dynamics (short-term plasticity) if any, pass through the
    `delay`, then `propagation` sums `weight` over the `connectivity` into one
    increment per post neuron, the `synapse` (kept on the post-synaptic side)
    receives it, and `output` turns the synaptic variable into a current. Without
    a `synapse`, the increments are jumps of the post membrane potential (delta
    synapses, weight in mV).

    **Arguments:**

    - `pre`, `post`: names of the populations in the [`brainox.Network`][].
    - `connectivity`: a [`brainox.connect.OutDegreeTable`][].
    - `weight`: nS (conductance), pA (current) or mV (delta); a scalar or one
      value per synapse (the table's shape). A floating array is a trainable
      parameter; wrap it in `bx.LongTerm` for a plastic weight.
    - `synapse`: post-side kinetics such as [`brainox.synapses.Exponential`][],
      or `None` for delta synapses.
    - `output`: [`brainox.outputs.COBA`][], [`brainox.outputs.CUBA`][],
      [`brainox.outputs.MgBlock`][] (default: CUBA with a synapse, Delta without).
    - `propagation`: the strategy (default [`brainox.connect.EventDriven`][]).
    - `delay`: the transmission delay (ms); `None` means one step.
    - `dt`: the simulation step (ms), needed with a `delay` to count its steps.
    - `presynaptic`: presynaptic dynamics that scale each spike's efficacy, such
      as Tsodyks-Markram short-term plasticity (one state per presynaptic neuron,
      applied before the delay).

    !!! example
        ```python
        table = bx.connect.fixed_probability(key, 3200, 4000, 0.02)
        exc = bx.Projection("exc", "all", table, weight=6.0,
                            synapse=bx.synapses.Exponential(4000, tau=5.0),
                            output=bx.outputs.COBA(E=0.0))
        ```
    """

    pre: str = eqx.field(static=True)
    post: str = eqx.field(static=True)
    connectivity: OutDegreeTable
    weight: Array | LongTerm
    synapse: AbstractSynapse | None
    output: AbstractOutput
    propagation: AbstractPropagation
    delay: HomogeneousDelay | None
    presynaptic: AbstractPresynaptic | None

    def __init__(
        self,
        pre: str,
        post: str,
        connectivity: OutDegreeTable,
        weight: ArrayLike | LongTerm,
        *,
        synapse: AbstractSynapse | None = None,
        output: AbstractOutput | None = None,
        propagation: AbstractPropagation | None = None,
        delay: float | None = None,
        dt: float | None = None,
        presynaptic: AbstractPresynaptic | None = None,
    ):
        self.pre, self.post = str(pre), str(post)
        self.connectivity = connectivity
        if isinstance(weight, LongTerm):
            check_weight(connectivity, weight.value)
            self.weight = weight
        else:
            self.weight = check_weight(connectivity, weight)
        if synapse is not None and synapse.size != connectivity.n_post:
            raise ValueError(
                f"`synapse` has {synapse.size} post neurons but `connectivity` has "
                f"n_post = {connectivity.n_post}; give the synapse one variable per "
                "post-synaptic neuron."
            )
        if synapse is None and output is not None and not isinstance(output, Delta):
            raise ValueError(
                f"`output` is {type(output).__name__} but there is no `synapse`; "
                "pass a synapse (e.g. bx.synapses.Exponential) or use "
                "bx.outputs.Delta() for delta synapses."
            )
        self.synapse = synapse
        default = Delta() if synapse is None else CUBA()
        self.output = default if output is None else output
        self.propagation = EventDriven() if propagation is None else propagation
        if delay is None:
            self.delay = None
        elif dt is None:
            raise ValueError(
                f"`delay` = {delay} ms needs the simulation step: pass `dt=` (ms)."
            )
        else:
            self.delay = HomogeneousDelay(connectivity.n_pre, delay, dt)
        if presynaptic is not None:
            n_pre = presynaptic.hidden_values()
            sizes = {v.shape[-1] for v in n_pre.values()}
            if sizes != {connectivity.n_pre}:
                raise ValueError(
                    f"`presynaptic` has state sizes {sorted(sizes)} but the "
                    f"connectivity has n_pre = {connectivity.n_pre}; it needs one "
                    "state per presynaptic neuron."
                )
        self.presynaptic = presynaptic

    def weights(self) -> Array:
        """The current weights (the value of a plastic `LongTerm` weight)."""
        w = self.weight
        return w.value if isinstance(w, LongTerm) else w

    def deliver(self, pre) -> tuple["Projection", Array | None]:
        spikes = pre.spike.value
        if spikes.shape != (self.connectivity.n_pre,):
            raise ValueError(
                f"projection {self.pre!r} -> {self.post!r}: the presynaptic "
                f"population has {spikes.shape[-1]} neurons but the connectivity "
                f"has n_pre = {self.connectivity.n_pre}."
            )
        proj = self
        if self.presynaptic is not None:
            spikes, presynaptic = self.presynaptic.on_spikes(spikes)
            proj = eqx.tree_at(lambda p: p.presynaptic, proj, presynaptic)
        if self.delay is not None:
            spikes, delay = self.delay(spikes)
            proj = eqx.tree_at(lambda p: p.delay, proj, delay)
        increments = self.propagation(self.connectivity, spikes, self.weights())
        if self.synapse is None:
            return proj, increments
        return eqx.tree_at(lambda p: p.synapse, proj, self.synapse.add(increments)), None

    def current(self, pre, post) -> Array:
        if self.synapse is None:
            return jnp.zeros_like(post.voltage)
        return self.output.current(self.synapse.output(), post.voltage)

    def integrate(self, dt: float) -> "Projection":
        proj = self
        if self.presynaptic is not None:
            presynaptic = self.presynaptic.step(None, dt)
            proj = eqx.tree_at(lambda p: p.presynaptic, proj, presynaptic)
        if self.synapse is not None:
            proj = eqx.tree_at(lambda p: p.synapse, proj, self.synapse.step(None, dt))
        return proj

