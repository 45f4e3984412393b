"""A network sharded over the devices of a mesh: neurons in blocks, spikes exchanged."""

from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from .._custom_types import Array, PyTree
from .._state import ShortTerm, is_state
from .._validate import check_input_shape
from ..network import Network
from ..projections import AbstractProjection, Projection
from ._localize import Blocks, cut_neurons, local_projections, neuron_leaf_flags
from ._mesh import mesh_axis


_EXCHANGES = ("spikes", "packed")


def _is_source(population: Any) -> bool:
    # A spike source (no membrane potential) is stepped whole on every device.
    return not hasattr(population, "voltage")


class _WholePopulation(eqx.Module):
    # What a projection reads of its presynaptic population: the spikes of all
    # its neurons, exchanged at the start of the step.
    spike: ShortTerm


class _ReadingWholeSpikes(AbstractProjection):
    # A device's part of a projection, delivering the spikes of the whole
    # presynaptic population instead of the device's block of it.
    projection: Projection
    spikes: Array

    def __init__(self, projection: Projection, spikes: Array):
        self.projection = projection
        self.spikes = spikes

    @property
    def pre(self) -> str:
        return self.projection.pre

    @property
    def post(self) -> str:
        return self.projection.post

    def deliver(self, pre) -> tuple["_ReadingWholeSpikes", Array | None]:
        whole = _WholePopulation(ShortTerm(self.spikes))
        projection, jump = self.projection.deliver(whole)
        return _ReadingWholeSpikes(projection, self.spikes), jump

    def current(self, pre, post) -> Array:
        return self.projection.current(pre, post)

    def integrate(self, dt: float) -> "_ReadingWholeSpikes":
        return _ReadingWholeSpikes(self.projection.integrate(dt), self.spikes)


def _stack(parts: list[Any]) -> Any:
    # One module whose arrays have a leading device axis; the rest must agree.
    arrays = [eqx.filter(p, eqx.is_array) for p in parts]
    static = [eqx.filter(p, eqx.is_array, inverse=True) for p in parts]
    first = jax.tree.structure(static[0])
    if any(jax.tree.structure(s) != first for s in static[1:]):
        raise ValueError(
            "the blocks of a population or projection differ in structure; "
            "bx.distributed cannot shard it."
        )
    return eqx.combine(jax.tree.map(lambda *x: jnp.stack(x), *arrays), static[0])


class ShardedNetwork(eqx.Module):
    """A [`brainox.Network`][] whose neurons are spread over the devices of a mesh.

    Build it with [`brainox.distributed.shard`][] and run it with
    [`brainox.simulate`][] like the network itself.

    **Layout.** Each population of `n` neurons is cut into contiguous blocks of
    `ceil(n / devices)`; device `d` holds block `d` of every population (padded
    with inactive neurons where `n` is not a multiple of the device count) and,
    for every projection, the synapses *into* its block with their post-side
    state (synaptic variables, output). Presynaptic state (a delay buffer,
    short-term plasticity) follows the whole presynaptic population and is
    computed on every device. Spike sources (populations without a membrane
    potential, such as [`brainox.inputs.PoissonGroup`][]) are stepped whole on
    every device.

    **A step.** One collective per step exchanges the spikes: each device
    all-gathers the spike vectors of its blocks of every presynaptic
    population (4 bytes per neuron, or 1 bit with `exchange="packed"`), so
    every device holds the whole spike vectors of the previous step. Then each
    device runs [`brainox.Network.step`][] on its blocks (deliver -> currents
    -> integrate -> fire), its projections reading the whole spike vectors and
    writing only its own neurons. The step is one `jax.shard_map` over the
    mesh axis.

    **Reading it.** `populations` is the view of the whole populations (padding
    removed), so the monitors of the unsharded network (such as
    `"populations.exc.spike"` or [`brainox.presets.spike_monitors`][]) record
    the same arrays. `local` holds the devices' parts: every array with a
    leading axis of one entry per device (a projection's `synapse.g.value` has
    shape `(devices, block)`). [`brainox.reset`][] would draw random initial
    values per device block, not as the network does: reset the network, then
    shard it.

    **Arguments:** see [`brainox.distributed.shard`][].

    !!! example
        ```python
        sharded = bx.distributed.shard(net, jax.make_mesh((4,), ("neurons",)))
        sharded, rec = bx.simulate(sharded, 100.0, dt=0.1,
                                   monitors={"V": "populations.exc.V"})
        rec["V"].shape                        # (1000, n_exc): no padding
        sharded.local.populations["exc"].V.value.shape   # (4, ceil(n_exc / 4))
        ```
    """

    local: Network
    mesh: Mesh = eqx.field(static=True)
    axis: str = eqx.field(static=True)
    exchange: str = eqx.field(static=True)
    sizes: tuple[tuple[str, int], ...] = eqx.field(static=True)
    sources: frozenset[str] = eqx.field(static=True)
    neuron_leaves: tuple[tuple[str, tuple[bool, ...]], ...] = eqx.field(static=True)

    @property
    def n_devices(self) -> int:
        """Number of devices along the mesh axis."""
        return self.mesh.shape[self.axis]

    def _blocks(self, name: str) -> Blocks:
        return Blocks(dict(self.sizes)[name], self.n_devices)

    @property
    def populations(self) -> dict[str, Any]:
        """The whole populations, assembled from the devices' blocks (no padding)."""
        flags = dict(self.neuron_leaves)
        whole = {}
        for name, pop in self.local.populations.items():
            n = dict(self.sizes)[name]
            arrays, static = eqx.partition(pop, eqx.is_array)
            leaves, treedef = jax.tree.flatten(arrays)
            leaves = [
                x.reshape((-1,) + x.shape[2:])[:n] if per_neuron else x[0]
                for x, per_neuron in zip(leaves, flags[name], strict=True)
            ]
            whole[name] = eqx.combine(jax.tree.unflatten(treedef, leaves), static)
        return whole

    def _split_inputs(self, x: PyTree) -> dict[str, Any]:
        # Each device's part of the inputs: per-neuron arrays by block, the rest
        # (scalars) repeated, all with a leading device axis.
        inputs = {} if x is None else dict(x)
        unknown = set(inputs) - set(self.local.populations)
        if unknown:
            raise ValueError(
                f"inputs name populations {sorted(unknown)} that are not in the "
                f"network ({sorted(self.local.populations)})."
            )
        d = self.n_devices

        def split(name, value):
            blocks = self._blocks(name)

            def leaf(v):
                v = jnp.asarray(v)
                if name not in self.sources:
                    # Checked against the whole population: a device sees
                    # only its block, where a wrong shape could broadcast.
                    whole = jax.ShapeDtypeStruct((blocks.n,), v.dtype)
                    check_input_shape(f"population {name!r}", v, whole)
                if name in self.sources or not (v.ndim and v.shape[0] == blocks.n):
                    return jnp.broadcast_to(v, (d,) + v.shape)
                pad = [(0, blocks.padded - blocks.n)] + [(0, 0)] * (v.ndim - 1)
                return jnp.pad(v, pad).reshape((d, blocks.size) + v.shape[1:])

            return jax.tree.map(leaf, value)

        return {name: split(name, value) for name, value in inputs.items()}

    def _exchange(self, pops: dict[str, Any], names: list[str]) -> dict[str, Array]:
        # The whole spike vector of each population in `names`, by one all-gather.
        blocks = [pops[name].spike.value for name in names]
        flat = jnp.concatenate([b.astype(blocks[0].dtype) for b in blocks])
        if self.exchange == "packed":
            bits = jax.lax.all_gather(jnp.packbits(flat > 0), self.axis)
            rows = jnp.unpackbits(bits, axis=1, count=flat.shape[0])
        else:
            rows = jax.lax.all_gather(flat, self.axis)
        whole, offset = {}, 0
        for name, block in zip(names, blocks, strict=True):
            size = block.shape[0]
            spikes = rows[:, offset : offset + size].reshape(-1)
            whole[name] = spikes[: self._blocks(name).n].astype(block.dtype)
            offset += size
        return whole

    def _local_step(self, net: Network, x: PyTree, dt: float) -> Network:
        # One device's step: exchange the spikes, then the network's own step,
        # its projections delivering the whole presynaptic spike vectors.
        projs = dict(net.projections)
        senders = {p.pre for p in projs.values() if isinstance(p, Projection)}
        senders = sorted(senders - self.sources)
        if senders:
            spikes = self._exchange(dict(net.populations), senders)
            for name, p in projs.items():
                if isinstance(p, Projection) and p.pre in spikes:
                    projs[name] = _ReadingWholeSpikes(p, spikes[p.pre])
        net = eqx.tree_at(lambda n: n.projections, net, projs).step(x, dt)
        projs = {
            name: p.projection if isinstance(p, _ReadingWholeSpikes) else p
            for name, p in net.projections.items()
        }
        return eqx.tree_at(lambda n: n.projections, net, projs)

    def step(self, x: PyTree, dt: float) -> "ShardedNetwork":
        """One step of `dt` ms on every device.

        **Arguments:**

        - `x`: `None` or a dict from population name to its input (pA for
          built-in neurons), as for [`brainox.Network`][]: a scalar or one value
          per neuron of the whole population.
        - `dt`: the step (ms).

        **Returns:** the sharded network after the step.
        """
        arrays, static = eqx.partition(self.local, eqx.is_array)
        inputs = self._split_inputs(x)

        def local_step(arrays, inputs):
            arrays, inputs = jax.tree.map(lambda a: a[0], (arrays, inputs))
            net = self._local_step(eqx.combine(arrays, static), inputs, dt)
            # Only the states change in a step: only they leave the devices.
            states = eqx.filter(net, is_state, is_leaf=is_state)
            return jax.tree.map(lambda a: a[None], eqx.filter(states, eqx.is_array))

        spec = PartitionSpec(self.axis)
        # No varying-across-devices typing: the network's own code (loops whose
        # carry starts from constants) is written for one device.
        states = jax.shard_map(
            local_step,
            mesh=self.mesh,
            in_specs=(spec, spec),
            out_specs=spec,
            check_vma=False,
        )(arrays, inputs)
        old, rest = eqx.partition(self.local, is_state, is_leaf=is_state)
        states = eqx.combine(states, eqx.filter(old, eqx.is_array, inverse=True))
        local = eqx.combine(states, rest, is_leaf=is_state)
        return eqx.tree_at(lambda s: s.local, self, local)


def shard(
    network: Network,
    mesh: Mesh,
    *,
    axis: str | None = None,
    exchange: str = "spikes",
) -> ShardedNetwork:
    """Spread a network's neurons, and the synapses into them, over a mesh's devices.

    Each population is cut into contiguous blocks, one per device along `axis`
    (see [`brainox.distributed.ShardedNetwork`][] for the layout and the step);
    each device keeps the synapses onto its block, split from the projection's
    [`brainox.connect.OutDegreeTable`][] with their weights, and the same
    propagation strategy. [`brainox.simulate`][] runs the result with the same
    arguments as the network.

    **Equality with one device.** The sharded network computes, for every
    neuron, the operations of the unsharded one in the same order, so a
    simulation gives the same spikes (bit for bit) and states with
    [`brainox.connect.EventDriven`][] (each post neuron adds its inputs in
    ascending presynaptic order, as on one device) and
    [`brainox.connect.FixedInDegreeGather`][] (each device's in-degree table is
    padded to the width of the whole one). [`brainox.connect.Dense`][] agrees
    up to float rounding (a matrix product of another shape may sum in another
    order). XLA may also round the elementwise update of a block of another
    length differently (a fused multiply-add in one program and not in the
    other): COBAHH (201 neurons, 2 devices) has its potentials differ by up to
    2.6e-3 mV after 30 ms with the same spikes; the LIF networks tested (COBA,
    CUBA, Brunel) stay bit for bit. Poisson inputs draw the whole population's
    numbers with the same keys on every device and keep their block's, so their
    draws are those of the unsharded run.

    **Sizes that do not divide.** A population of `n` neurons on `D` devices
    gets blocks of `ceil(n / D)`; the last blocks are padded with copies of the
    last neuron, which are simulated but inactive: no synapse targets them and
    their spikes are dropped before the exchange and from the recordings.

    Supported: populations of any neuron model (arrays whose leading axis has
    the population's length are split; other arrays are copied to every
    device), spike sources without a membrane potential (stepped whole on
    every device), [`brainox.Projection`][] with a stored table, one delay per
    projection and optional presynaptic dynamics,
    [`brainox.inputs.ConstantCurrent`][] and
    [`brainox.inputs.PoissonInput`][]. Per-synapse delays and procedural
    connectivity raise an error.

    **Arguments:**

    - `network`: the [`brainox.Network`][].
    - `mesh`: a `jax.sharding.Mesh`, for instance
      `jax.make_mesh((jax.device_count(),), ("neurons",))`.
    - `axis`: the mesh axis to shard along (default: the mesh's only axis).
    - `exchange`: `"spikes"` (all-gather the float spike vectors; differentiable)
      or `"packed"` (all-gather 1 bit per neuron, 1/32 of the traffic; spikes
      must be 0/1 and no gradient flows through the exchange).

    **Returns:** a [`brainox.distributed.ShardedNetwork`][], its arrays placed
    on the mesh.

    ??? cite "Reference"
        Morrison, A., Mehring, C., Geisel, T., Aertsen, A. & Diesmann, M.
        (2005). Advancing the boundaries of high-connectivity network
        simulation with distributed computing. Neural Comput. 17, 1776-1801
        (neurons distributed over processes, each holding the synapses onto
        its neurons; spikes exchanged by an all-gather).

    !!! example
        ```python
        mesh = jax.make_mesh((jax.device_count(),), ("neurons",))
        net = bx.presets.coba(4000, key=jax.random.key(0))
        sharded = bx.distributed.shard(net, mesh)
        sharded, rec = bx.simulate(sharded, 1000.0, dt=0.1,
                                   spikes=bx.presets.spike_monitors(net))
        bx.presets.firing_rates(rec, net, 1000.0)   # as on one device
        ```
    """
    if not isinstance(network, Network):
        raise TypeError(
            f"`network` must be a bx.Network, got {type(network).__name__}."
        )
    mesh, axis = mesh_axis(mesh, axis, "the neurons")
    if exchange not in _EXCHANGES:
        raise ValueError(f"`exchange` is {exchange!r}; choose one of {_EXCHANGES}.")
    n_devices = mesh.shape[axis]
    pops = network.populations
    sizes = {name: int(pop.spike.value.shape[-1]) for name, pop in pops.items()}
    sources = frozenset(name for name, pop in pops.items() if _is_source(pop))
    for name, proj in network.projections.items():
        if proj.post in sources:
            raise ValueError(
                f"projection {name!r} targets {proj.post!r}, a spike source "
                "without a membrane potential."
            )
    blocks = {name: Blocks(n, n_devices) for name, n in sizes.items()}
    devices = range(n_devices)
    local = Network(
        {
            name: _stack(
                [pop] * n_devices
                if name in sources
                else [cut_neurons(pop, blocks[name], d) for d in devices]
            )
            for name, pop in pops.items()
        },
        {
            name: _stack(local_projections(name, proj, blocks[proj.post]))
            for name, proj in network.projections.items()
        },
    )
    flags = tuple(
        (name, neuron_leaf_flags(pop, -1 if name in sources else sizes[name]))
        for name, pop in pops.items()
    )
    arrays, static = eqx.partition(local, eqx.is_array)
    arrays = jax.device_put(arrays, NamedSharding(mesh, PartitionSpec(axis)))
    return ShardedNetwork(
        eqx.combine(arrays, static),
        mesh,
        axis,
        exchange,
        tuple(sizes.items()),
        sources,
        flags,
    )
