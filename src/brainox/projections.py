"""Projections: connectivity, synaptic kinetics, output and delay, pre to post."""

import abc
import functools
from typing import TypeVar

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jax.core import Tracer

from ._custom_types import Array, ArrayLike, PyTree
from ._state import LongTerm, ShortTerm
from ._validate import check_built_dt
from .connect import (
    AbstractPropagation,
    CompactedEventDriven,
    OutDegreeTable,
    Procedural,
    default_propagation,
)
from .connect._table import check_weight
from .delays import HeterogeneousDelay, HomogeneousDelay
from .outputs import CUBA, AbstractOutput, Delta
from .plasticity import AbstractPlasticity
from .synapses._base import AbstractPresynaptic, AbstractSynapse


_P = TypeVar("_P", bound="AbstractProjection")
_S = TypeVar("_S", bound="AbstractSynapticProjection")


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

    def plasticity_step(
        self: _P, pre, post, dt: float, modulator: ArrayLike | None = None
    ) -> _P:
        """Apply synaptic plasticity after both populations fired (step 5).

        **Arguments:**

        - `pre`, `post`: the populations after this step, whose `spike` states
          hold the spikes of this step.
        - `dt`: the step (ms).
        - `modulator`: the network's input for this projection, if any (a
          neuromodulator such as the dopamine release of
          [`brainox.plasticity.RewardModulatedSTDP`][]).

        **Returns:** the projection with its new weights and plasticity
        states; by default the projection unchanged (no plasticity).
        """
        if modulator is not None:
            raise ValueError(
                f"projection {self.pre!r} -> {self.post!r} received an input, "
                "but only a plastic projection takes one (a neuromodulator); "
                "give it a `plasticity` such as "
                "bx.plasticity.RewardModulatedSTDP, or drop the input."
            )
        return self


class AbstractSynapticProjection(AbstractProjection):
    """A projection whose increments reach the post neurons through a synapse.

    The post-side part shared by every projection that delivers increments (from
    spikes, or drawn as Poisson input): with a `synapse`, each step's increments
    are added to it and `output` turns its variable into a current; without one,
    they are jumps of the post membrane potential (delta synapses).
    """

    synapse: eqx.AbstractVar[AbstractSynapse | None]
    output: eqx.AbstractVar[AbstractOutput]

    def receive(self: _S, increments: Array) -> tuple[_S, Array | None]:
        """Add this step's `increments` to the synapse.

        **Returns:** the projection and, without a synapse, the increments as the
        jump of the post membrane potential (mV), else `None`.
        """
        if self.synapse is None:
            return self, increments
        synapse = self.synapse.add(increments)
        return eqx.tree_at(lambda p: p.synapse, self, synapse), None

    def current(self, pre, post) -> Array:
        if self.synapse is None:
            return jnp.zeros_like(post.voltage)
        return self.output.current(self.synapse.output(), post.voltage)

    def integrate_synapse(self: _S, dt: float) -> _S:
        """Advance the synapse (if any) over one step of `dt` ms."""
        if self.synapse is None:
            return self
        return eqx.tree_at(lambda p: p.synapse, self, self.synapse.step(None, dt))


class Projection(AbstractSynapticProjection):
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
    - `connectivity`: a [`brainox.connect.OutDegreeTable`][], or a
      [`brainox.connect.Procedural`][] connectivity (regenerated each step,
      never stored; it is then also the propagation, and takes a scalar
      weight).
    - `weight`: nS (conductance), pA (current) or mV (delta); a scalar or one
      value per synapse (the table's shape). A floating array is a trainable
      parameter; wrap it in `bx.LongTerm` for a plastic weight.
    - `synapse`: post-side kinetics such as [`brainox.synapses.Exponential`][],
      or `None` for delta synapses.
    - `output`: [`brainox.outputs.COBA`][], [`brainox.outputs.CUBA`][],
      [`brainox.outputs.MgBlock`][], or [`brainox.outputs.Delta`][] without a
      synapse (default: CUBA with a synapse, Delta without).
    - `propagation`: the strategy (default: by backend, see
      [`brainox.connect.default_propagation`][]: event-driven on a CPU, the
      fixed-in-degree gather on a GPU). It is prepared for `connectivity` here,
      once: a form derived from the table (the gather's in-degree table, the
      event-driven kernel's compact rows) is built now and held in this
      field, never recomputed per step. (So after replacing `connectivity`,
      build a new projection.)
    - `delay`: the transmission delay (ms), rounded to whole steps by
      [`brainox.delays.delay_steps`][]: `None` (one step); a number, the same
      delay for every synapse ([`brainox.delays.HomogeneousDelay`][]); an array
      of the table's shape, one delay per synapse
      ([`brainox.delays.HeterogeneousDelay`][], a ring buffer of future input
      on the post side); or a ready delay object. Delays traced inside a
      transform need a fixed buffer: pass a `HeterogeneousDelay` built with
      `max_delay`.
    - `dt`: the simulation step (ms), needed with a `delay` in ms to count its
      steps; stepping the projection with another `dt` is an error.
    - `presynaptic`: presynaptic dynamics that scale each spike's efficacy, such
      as Tsodyks-Markram short-term plasticity (one state per presynaptic neuron,
      applied before the delay).
    - `plasticity`: a learning rule that changes the weights, such as
      [`brainox.plasticity.PairSTDP`][]. It needs a stored table and a plastic
      per-synapse weight, `weight=bx.LongTerm(w)` with `w` of the table's
      shape; it is prepared (sized, and given the in-degree table for
      event-driven updates) here. A [`brainox.Network`][] applies it after
      the populations fire (see `plasticity_step`). With a delay, a spike in
      flight meets weight changes: per-synapse delays on scatter strategies
      (`EventDriven`, `Dense`, `CompactedEventDriven`) deliver the weight of
      the moment it was sent (they store future input, as NEST does); the
      gather (`FixedInDegreeGather`) and homogeneous delays read it when it
      arrives (they store past spikes, as Brian2 does). Pick the strategy
      explicitly where the difference matters: the default differs by backend.

    With a bounded spike buffer ([`brainox.connect.CompactedEventDriven`][]),
    the projection also holds `peak_spikes`, a `ShortTerm` count of the most
    presynaptic spikes it has delivered in one step; [`brainox.simulate`][]
    checks it after each chunk ([`brainox.check_spike_buffers`][]) and raises
    if it exceeded the buffer, so no spike is lost silently.

    !!! example
        ```python
        table = bx.connect.fixed_probability(key, 3200, 4000, 0.02)
        exc = bx.Projection("exc", "all", table, weight=6.0,
                            synapse=bx.synapses.Exponential(4000, tau=5.0),
                            output=bx.outputs.COBA(E=0.0))
        # one delay per synapse, uniform in [1, 5] ms, on the GPU's strategy
        delays = jax.random.uniform(key, table.indices.shape, minval=1.0,
                                    maxval=5.0)
        exc = bx.Projection("exc", "all", table, weight=6.0, delay=delays, dt=0.1,
                            propagation=bx.connect.FixedInDegreeGather(),
                            synapse=bx.synapses.Exponential(4000, tau=5.0))
        # too big to store: regenerated each step from a key
        conn = bx.connect.Procedural(key, 800_000, 1_000_000, in_degree=64)
        exc = bx.Projection("exc", "all", conn, weight=6.0,
                            synapse=bx.synapses.Exponential(1_000_000, tau=5.0))
        ```
    """

    pre: str = eqx.field(static=True)
    post: str = eqx.field(static=True)
    connectivity: OutDegreeTable | Procedural
    weight: Array | LongTerm
    synapse: AbstractSynapse | None
    output: AbstractOutput
    propagation: AbstractPropagation
    delay: HomogeneousDelay | HeterogeneousDelay | None
    presynaptic: AbstractPresynaptic | None
    plasticity: AbstractPlasticity | None
    peak_spikes: ShortTerm | None

    def __init__(
        self,
        pre: str,
        post: str,
        connectivity: OutDegreeTable | Procedural,
        weight: ArrayLike | LongTerm,
        *,
        synapse: AbstractSynapse | None = None,
        output: AbstractOutput | None = None,
        propagation: AbstractPropagation | None = None,
        delay: ArrayLike | HomogeneousDelay | HeterogeneousDelay | None = None,
        dt: float | None = None,
        presynaptic: AbstractPresynaptic | None = None,
        plasticity: AbstractPlasticity | None = None,
    ):
        self.pre, self.post = str(pre), str(post)
        if not isinstance(connectivity, (OutDegreeTable, Procedural)):
            raise TypeError(
                "`connectivity` must be a bx.connect.OutDegreeTable (from a "
                "generator such as bx.connect.fixed_probability) or a "
                f"bx.connect.Procedural, got {type(connectivity).__name__}."
            )
        self.connectivity = connectivity
        if isinstance(weight, LongTerm):
            if not jnp.issubdtype(weight.value.dtype, jnp.floating):
                raise TypeError(
                    f"`weight` is a LongTerm of dtype {weight.value.dtype}; plastic "
                    "weights must be floating or their updates are truncated: "
                    "`bx.LongTerm(jnp.asarray(w, jnp.float32))`."
                )
            _check_weight(connectivity, weight.value)
            self.weight = weight
        else:
            self.weight = _check_weight(connectivity, weight)
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
        self.propagation = _prepare(connectivity, propagation)
        self.peak_spikes = None
        if isinstance(self.propagation, CompactedEventDriven):
            # Monitored here (a state checked after each chunk) instead of by
            # an in-step check, which would synchronise a GPU every step.
            self.propagation = self.propagation.unchecked()
            self.peak_spikes = ShortTerm(jnp.zeros((), jnp.int32))
        self.delay = _make_delay(
            connectivity, self.propagation, delay, dt, self.weights().dtype
        )
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
        self.plasticity = _prepare_plasticity(
            connectivity, self.weight, self.propagation, plasticity
        )

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
        if self.peak_spikes is not None:
            count = jnp.sum(spikes != 0, dtype=jnp.int32)
            peak = self.peak_spikes.replace(jnp.maximum(self.peak_spikes.value, count))
            proj = eqx.tree_at(lambda p: p.peak_spikes, proj, peak)
        if isinstance(self.delay, HeterogeneousDelay):
            assert isinstance(self.connectivity, OutDegreeTable)
            increments, delay = self.delay(
                self.propagation, self.connectivity, spikes, self.weights()
            )
            proj = eqx.tree_at(lambda p: p.delay, proj, delay)
        else:
            if self.delay is not None:
                spikes, delay = self.delay(spikes)
                proj = eqx.tree_at(lambda p: p.delay, proj, delay)
            if self.synapse is not None:
                # The strategy adds the weights into the synapse's variable.
                accumulate = functools.partial(
                    self.propagation.accumulate,
                    self.connectivity,
                    spikes,
                    self.weights(),
                )
                synapse = self.synapse.add_from(accumulate)
                return eqx.tree_at(lambda p: p.synapse, proj, synapse), None
            increments = self.propagation(self.connectivity, spikes, self.weights())
        return proj.receive(increments)

    def check_spike_buffer(self) -> None:
        """Raise if a step had more presynaptic spikes than the strategy's buffer.

        Only projections with a bounded buffer
        ([`brainox.connect.CompactedEventDriven`][]) can fail; call on concrete
        values (outside `jit`), as [`brainox.check_spike_buffers`][] does.
        """
        size = self.spike_buffer_size()
        if size is None:
            return
        assert self.peak_spikes is not None
        peak = int(np.max(np.asarray(self.peak_spikes.value)))
        if peak > size:
            spiked = f"{peak} presynaptic neurons spiked in one step, more than"
            raise RuntimeError(self._overflow_message(spiked, size, 2 * peak))

    def spike_buffer_size(self) -> int | None:
        """The most presynaptic spikes a step can deliver (`None`: no limit)."""
        if self.peak_spikes is None:
            return None
        assert isinstance(self.propagation, CompactedEventDriven)
        assert isinstance(self.connectivity, OutDegreeTable)
        # The rows of the table (the last but one axis: a projection stacked
        # over devices or a sweep has a leading axis).
        return self.propagation.spike_capacity(self.connectivity.indices.shape[-2])

    def _overflow_message(self, spiked: str, size: int, suggested: int) -> str:
        return (
            f"projection {self.pre!r} -> {self.post!r}: {spiked} the {size} that "
            f"CompactedEventDriven(batch_size={size}) delivers, so that step's "
            "input is incomplete. Rebuild the projection with "
            f"propagation=bx.connect.CompactedEventDriven(batch_size={suggested}) "
            "(or EventDriven / FixedInDegreeGather, which have no limit)."
        )

    def error_if_spike_buffer_overflowed(self, values: PyTree) -> PyTree:
        """`values` behind an `eqx.error_if` that fails if a step overflowed the
        spike buffer: the check of `check_spike_buffer` for traced models."""
        size = self.spike_buffer_size()
        if size is None:
            return values
        assert self.peak_spikes is not None
        overflowed = jnp.any(self.peak_spikes.value > size)
        spiked = "more presynaptic neurons spiked in one step than"
        message = self._overflow_message(spiked, size, 2 * size)
        return eqx.error_if(values, overflowed, message)

    def integrate(self, dt: float) -> "Projection":
        if self.delay is not None:
            where = f"the delay of projection {self.pre!r} -> {self.post!r}"
            check_built_dt(where, self.delay.dt, dt)
        proj = self
        if self.presynaptic is not None:
            presynaptic = self.presynaptic.step(None, dt)
            proj = eqx.tree_at(lambda p: p.presynaptic, proj, presynaptic)
        return proj.integrate_synapse(dt)

    def plasticity_step(
        self, pre, post, dt: float, modulator: ArrayLike | None = None
    ) -> "Projection":
        if self.plasticity is None:
            return super().plasticity_step(pre, post, dt, modulator)
        assert isinstance(self.connectivity, OutDegreeTable)
        assert isinstance(self.weight, LongTerm)
        plasticity, weight = self.plasticity.step(
            self.connectivity,
            self.weight.value,
            pre.spike.value,
            post.spike.value,
            dt,
            modulator,
        )
        return eqx.tree_at(
            lambda p: (p.plasticity, p.weight),
            self,
            (plasticity, self.weight.replace(weight)),
        )


def _prepare_plasticity(
    connectivity: OutDegreeTable | Procedural,
    weight: Array | LongTerm,
    propagation: AbstractPropagation,
    plasticity: AbstractPlasticity | None,
) -> AbstractPlasticity | None:
    if plasticity is None:
        return None
    if not isinstance(plasticity, AbstractPlasticity):
        raise TypeError(
            "`plasticity` must be a rule such as bx.plasticity.PairSTDP(...), got "
            f"{type(plasticity).__name__}."
        )
    if not isinstance(connectivity, OutDegreeTable):
        raise ValueError(
            "`plasticity` needs stored synapses, but the connectivity is "
            "procedural; materialise it with `connectivity.table()`."
        )
    shape = connectivity.indices.shape
    if not isinstance(weight, LongTerm) or weight.value.shape != shape:
        got = (
            f"a LongTerm of shape {weight.value.shape}"
            if isinstance(weight, LongTerm)
            else f"an untagged array of shape {jnp.shape(weight)}"
        )
        raise ValueError(
            f"`plasticity` needs a plastic per-synapse weight, but `weight` is "
            f"{got}; pass `weight=bx.LongTerm(w)` with `w` of the table's shape "
            f"{shape}, e.g. `bx.LongTerm(jnp.full({shape}, 0.5))`."
        )
    rule = plasticity.prepare(connectivity, propagation)
    # The rule's parameters and states in the weights' precision (float64
    # weights under JAX's 64-bit mode: float64 traces and amplitudes).
    dtype = weight.value.dtype
    return jax.tree.map(
        lambda x: x.astype(dtype) if eqx.is_inexact_array(x) else x, rule
    )


def _check_weight(
    connectivity: OutDegreeTable | Procedural, weight: ArrayLike
) -> Array:
    if isinstance(connectivity, Procedural):
        return connectivity.check_weight(weight)
    return check_weight(connectivity, weight)


def _prepare(
    connectivity: OutDegreeTable | Procedural,
    propagation: AbstractPropagation | None,
) -> AbstractPropagation:
    if isinstance(connectivity, Procedural):
        if propagation is not None and propagation is not connectivity:
            raise ValueError(
                f"`propagation` is {type(propagation).__name__}, but procedural "
                "connectivity is its own propagation (it regenerates the synapses "
                "each step); omit `propagation`, or materialise the connectivity "
                "with `connectivity.table()` to use a stored strategy."
            )
        return connectivity
    if isinstance(propagation, Procedural):
        raise ValueError(
            "`propagation` is a bx.connect.Procedural, which is a connectivity: "
            "pass it as `connectivity` (the second positional argument after the "
            "population names) instead of a table."
        )
    if propagation is None:
        return default_propagation(connectivity)
    if not isinstance(propagation, AbstractPropagation):
        raise TypeError(
            "`propagation` must be a strategy such as bx.connect.EventDriven(), got "
            f"{type(propagation).__name__}."
        )
    return propagation.prepare(connectivity)


def _make_delay(
    connectivity: OutDegreeTable | Procedural,
    propagation: AbstractPropagation,
    delay: ArrayLike | HomogeneousDelay | HeterogeneousDelay | None,
    dt: float | None,
    dtype,
) -> HomogeneousDelay | HeterogeneousDelay | None:
    if delay is None:
        return None
    if isinstance(delay, HomogeneousDelay):
        if delay.buffer.value.shape[1:] != (connectivity.n_pre,):
            raise ValueError(
                f"`delay` buffers {delay.buffer.value.shape[1:]} presynaptic "
                f"neurons but the connectivity has n_pre = {connectivity.n_pre}."
            )
        return delay
    if isinstance(delay, HeterogeneousDelay):
        if not isinstance(connectivity, OutDegreeTable):
            raise ValueError(
                "per-synapse delays need a stored table; procedural connectivity "
                "supports one delay (a number of ms) per projection."
            )
        return delay.for_propagation(propagation, connectivity)
    if dt is None:
        raise ValueError(
            f"`delay` = {delay} ms needs the simulation step: pass `dt=` (ms)."
        )
    if isinstance(delay, Tracer):
        raise TypeError(
            "`delay` is traced (inside jit, vmap or grad), so it cannot size the "
            "delay buffer: give concrete delays (ms), or build per-synapse delays "
            "with a fixed buffer, `bx.delays.HeterogeneousDelay(table, delay, dt, "
            "max_delay=..., propagation=...)`, and pass that as `delay=`."
        )
    if jnp.ndim(delay) == 0:
        return HomogeneousDelay(connectivity.n_pre, float(delay), dt, dtype)  # pyright: ignore[reportArgumentType]
    if not isinstance(connectivity, OutDegreeTable):
        raise ValueError(
            f"`delay` has shape {jnp.shape(delay)}, per-synapse delays, but "
            "procedural connectivity stores no synapses; give one delay (ms) "
            "for the whole projection."
        )
    return HeterogeneousDelay(
        connectivity, delay, dt, propagation=propagation, dtype=dtype
    )


def check_spike_buffers(model) -> None:
    """Raise if a projection of `model` had more spikes in a step than its buffer.

    Projections with a bounded spike buffer
    ([`brainox.connect.CompactedEventDriven`][]) record the most presynaptic
    spikes they delivered in one step (`peak_spikes`) rather than checking
    every step. [`brainox.simulate`][] calls this after each chunk; call it
    yourself on a model you stepped in your own loop. It reads one integer per
    such projection, on the host.

    **Arguments:**

    - `model`: any PyTree holding [`brainox.Projection`][]s, with concrete
      values (not inside `jit`).

    **Raises:** `RuntimeError` naming the projection and the batch size to use.

    !!! example
        ```python
        net = jax.lax.fori_loop(0, 1000, lambda i, n: n.step(None, dt=0.1), net)
        bx.check_spike_buffers(net)
        ```
    """
    for projection in _projections(model):
        projection.check_spike_buffer()


def error_if_spike_buffers_overflowed(model, values: PyTree) -> PyTree:
    """`values` behind the check of [`brainox.check_spike_buffers`][] on `model`,
    through `eqx.error_if`: for models inside `jit`, `grad` or `vmap`, where
    [`brainox.simulate`][] attaches it to its results."""
    for projection in _projections(model):
        values = projection.error_if_spike_buffer_overflowed(values)
    return values


def _projections(model) -> list[Projection]:
    is_projection = lambda x: isinstance(x, Projection)  # noqa: E731
    leaves = jax.tree_util.tree_leaves(model, is_leaf=is_projection)
    return [leaf for leaf in leaves if is_projection(leaf)]
