"""One device's part of a network: a block of each population and the synapses into it.

A population of `n` neurons on `n_devices` devices is cut into contiguous blocks
of `block = ceil(n / n_devices)` neurons: device `d` owns neurons
`[d block, (d + 1) block)`. The last blocks are padded up to `block` with copies
of the last neuron; padded neurons are computed but never seen (their spikes are
cut off before the exchange, and no synapse targets them).

Everything here runs once, on the host, when a network is sharded.
"""

from typing import Any, NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .._custom_types import Array
from .._state import LongTerm
from ..connect import (
    CompactedEventDriven,
    Dense,
    EventDriven,
    FixedInDegreeGather,
    InDegreeTable,
    OutDegreeTable,
    Procedural,
    in_degree_table,
)
from ..delays import HeterogeneousDelay
from ..inputs.current import ConstantCurrent
from ..inputs.poisson import PoissonInput
from ..projections import AbstractProjection, Projection
from ._poisson import BlockPoissonInput


class Blocks(NamedTuple):
    """How a population of `n` neurons is cut over `n_devices` devices."""

    n: int
    n_devices: int

    @property
    def size(self) -> int:
        """Neurons per device, padding included: `ceil(n / n_devices)`."""
        return -(-self.n // self.n_devices)

    @property
    def padded(self) -> int:
        """`n_devices * size`: the population with its padding."""
        return self.n_devices * self.size


def is_neuron_leaf(x: Any, n: int) -> bool:
    """Whether `x` holds one value per neuron of a population of `n`: an array
    whose leading axis has length `n`."""
    return eqx.is_array(x) and x.ndim >= 1 and x.shape[0] == n


def neuron_leaf_flags(module: Any, n: int) -> tuple[bool, ...]:
    """For each array leaf of `module` (flattening order), `is_neuron_leaf`."""
    arrays = eqx.filter(module, eqx.is_array)
    return tuple(is_neuron_leaf(x, n) for x in jax.tree.leaves(arrays))


def cut_neurons(module: Any, blocks: Blocks, device: int) -> Any:
    """`module` with every per-neuron array cut to the block of `device`.

    Arrays whose leading axis has length `blocks.n` are padded by repeating the
    last neuron and sliced; every other leaf is kept whole.
    """
    n, size = blocks.n, blocks.size

    def cut(x):
        if not is_neuron_leaf(x, n):
            return x
        if blocks.padded > n:
            x = jnp.concatenate([x, jnp.repeat(x[-1:], blocks.padded - n, axis=0)])
        return x[device * size : (device + 1) * size]

    return jax.tree.map(cut, module)


class TableBlocks(NamedTuple):
    """A table split by post-synaptic block, one part per device (host arrays).

    - `indices[d]`: `(n_pre, width)`, post indices local to block `d`, each row
      ascending, padded with the block size; `width` is the largest local
      out-degree over all devices.
    - `positions[d]`: the flat position of each entry in the original table.
    - `in_width`: the largest in-degree of the original table (every device's
      in-degree table is padded to it, so row sums run over the same width as on
      one device).
    """

    indices: list[np.ndarray]
    positions: list[np.ndarray]
    in_width: int


def split_table(table: OutDegreeTable, blocks: Blocks) -> TableBlocks:
    """Split `table` into the synapses onto each device's block of post neurons.

    Row `i` of part `d` lists, in the original (ascending) order, the targets of
    presynaptic neuron `i` that lie in block `d`, shifted to local indices.
    """
    idx = np.asarray(table.indices).astype(np.int64)
    n_pre, width = idx.shape
    valid = idx < table.n_post
    owner = np.where(valid, idx // blocks.size, blocks.n_devices)
    parts, positions, widths = [], [], [0]
    for d in range(blocks.n_devices):
        mine = owner == d
        local = np.where(mine, idx - d * blocks.size, blocks.size)
        # A stable sort moves the block's targets (a run of each ascending row)
        # to the front, in their order, and the rest behind them.
        order = np.argsort(local, axis=1, kind="stable")
        parts.append(np.take_along_axis(local, order, axis=1))
        positions.append(np.arange(n_pre)[:, None] * width + order)
        widths.append(int(mine.sum(axis=1).max(initial=0)))
    cut = max(widths)
    in_width = int(np.bincount(idx[valid], minlength=1).max(initial=0))
    return TableBlocks(
        [p[:, :cut] for p in parts], [p[:, :cut] for p in positions], in_width
    )


def _local_weight(weight: Array, part: np.ndarray, position: np.ndarray, size: int):
    if weight.ndim == 0:
        return weight
    w = np.asarray(weight).reshape(-1)[position]
    return jnp.asarray(np.where(part < size, w, 0), weight.dtype)


def _padded_gather(table: OutDegreeTable, in_width: int) -> FixedInDegreeGather:
    # The gather of a local table, its in-degree table padded to `in_width`, the
    # same width on every device and as on one device.
    t = in_degree_table(table)
    pad = ((0, 0), (0, in_width - t.max_in_degree))
    n_slots = t.n_pre * t.max_degree
    padded = InDegreeTable(
        jnp.pad(t.indices, pad, constant_values=t.n_pre),
        jnp.pad(t.synapse, pad, constant_values=n_slots),
        t.n_pre,
        t.max_degree,
    )
    return FixedInDegreeGather(padded)


_STRATEGIES = (EventDriven, CompactedEventDriven, Dense, FixedInDegreeGather)


def _local_projection(
    name: str, proj: Projection, blocks: Blocks, parts: TableBlocks, device: int
) -> Projection:
    if proj.plasticity is not None:
        raise ValueError(
            f"projection {name!r} is plastic ({type(proj.plasticity).__name__}), "
            "which bx.distributed does not shard (the weight updates need both "
            "populations' spikes of the step); simulate it on one device."
        )
    if isinstance(proj.delay, HeterogeneousDelay):
        raise ValueError(
            f"projection {name!r} has per-synapse delays, which bx.distributed "
            "does not shard; give it one delay (ms) for the whole projection, or "
            "simulate it on one device."
        )
    if not isinstance(proj.propagation, _STRATEGIES):
        raise TypeError(
            f"projection {name!r} uses {type(proj.propagation).__name__}; "
            "bx.distributed shards EventDriven, CompactedEventDriven, Dense and "
            "FixedInDegreeGather propagation."
        )
    assert isinstance(proj.connectivity, OutDegreeTable)
    part = parts.indices[device]
    table = OutDegreeTable(jnp.asarray(part, jnp.int32), blocks.size)
    weight = _local_weight(proj.weights(), part, parts.positions[device], blocks.size)
    local = Projection(
        proj.pre,
        proj.post,
        table,
        LongTerm(weight) if isinstance(proj.weight, LongTerm) else weight,
        synapse=cut_neurons(proj.synapse, blocks, device),
        output=cut_neurons(proj.output, blocks, device),
        # The same strategy, re-prepared for the local table (the compacted
        # one keeps its buffer size: the local table has every pre neuron).
        propagation=(
            proj.propagation
            if isinstance(proj.propagation, CompactedEventDriven)
            else type(proj.propagation)()
        ),
        delay=proj.delay,
        presynaptic=proj.presynaptic,
    )
    if isinstance(proj.propagation, FixedInDegreeGather):
        gather = _padded_gather(table, parts.in_width)
        local = eqx.tree_at(lambda p: p.propagation, local, gather)
    return local


def local_projections(
    name: str, proj: AbstractProjection, blocks: Blocks
) -> list[AbstractProjection]:
    """The part of `proj` on each device: its synapses onto the device's block.

    **Arguments:**

    - `name`: the projection's name (for errors).
    - `proj`: a [`brainox.Projection`][] (stored table),
      [`brainox.inputs.ConstantCurrent`][] or [`brainox.inputs.PoissonInput`][].
    - `blocks`: how its post population is cut.

    **Returns:** one projection per device, all of the same structure.
    """
    if isinstance(proj, Projection):
        if isinstance(proj.connectivity, Procedural):
            raise ValueError(
                f"projection {name!r} has procedural connectivity, which "
                "bx.distributed does not shard; materialise it with "
                "`connectivity.table()` (for networks that fit in memory), or "
                "simulate it on one device."
            )
        parts = split_table(proj.connectivity, blocks)
        return [
            _local_projection(name, proj, blocks, parts, d)
            for d in range(blocks.n_devices)
        ]
    if isinstance(proj, ConstantCurrent):
        return [cut_neurons(proj, blocks, d) for d in range(blocks.n_devices)]
    if isinstance(proj, PoissonInput):
        return [
            BlockPoissonInput(
                proj,
                cut_neurons(proj.synapse, blocks, d),
                cut_neurons(proj.output, blocks, d),
                start=d * blocks.size,
                size=blocks.size,
                padded=blocks.padded,
            )
            for d in range(blocks.n_devices)
        ]
    raise TypeError(
        f"projection {name!r} is a {type(proj).__name__}; bx.distributed shards "
        "bx.Projection (stored connectivity), bx.inputs.ConstantCurrent and "
        "bx.inputs.PoissonInput."
    )
