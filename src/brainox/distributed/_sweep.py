"""Parameter sweeps: one compiled, vectorised run of many values, over devices."""

from collections.abc import Callable
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
from jax.sharding import Mesh, PartitionSpec

from .._custom_types import PyTree
from ._mesh import mesh_axis


def _batch_size(values: PyTree) -> int:
    sizes = {jnp.shape(v)[0] if jnp.ndim(v) else -1 for v in jax.tree.leaves(values)}
    if len(sizes) != 1 or -1 in sizes:
        raise ValueError(
            "`values` must be arrays with one shared leading axis (one entry per "
            f"run); got leading sizes {sorted(sizes)} (-1: a scalar)."
        )
    size = sizes.pop()
    if size == 0:
        raise ValueError("`values` holds no entries (leading axis of length 0).")
    return size


@eqx.filter_jit
def _vmapped(fn, values, args):
    return eqx.filter_vmap(lambda v: fn(v, *args))(values)


@eqx.filter_jit
def _sharded(fn, values, arrays, static, mesh, axis):
    def per_device(values, arrays):
        args = eqx.combine(arrays, static)
        return eqx.filter_vmap(lambda v: fn(v, *args))(values)

    # No varying-across-devices typing: `fn` is code written for one device.
    return jax.shard_map(
        per_device,
        mesh=mesh,
        in_specs=(PartitionSpec(axis), PartitionSpec()),
        out_specs=PartitionSpec(axis),
        check_vma=False,
    )(values, arrays)


def sweep(
    fn: Callable[..., Any],
    values: PyTree,
    *args: Any,
    mesh: Mesh | None = None,
    axis: str | None = None,
) -> PyTree:
    """Evaluate `fn(value, *args)` for every entry of `values` in one compiled run.

    The runs are vectorised with `vmap` (one program for all of them, each
    operation applied to the whole batch), inside `jit`. With a `mesh`, the
    entries are split over its devices along `axis` (a `jax.shard_map`), each
    device running its share vectorised; when their number is not a multiple
    of the device count the last entry is repeated to fill the devices and
    the repeats are dropped from the result. Each run is computed as it is
    alone, so a sweep gives the results of the individual runs.

    `fn` typically sets the swept parameter in a model (`eqx.tree_at`) and
    calls [`brainox.simulate`][], returning numbers computed on the device
    (inside a sweep `simulate` is traced: record with `monitors=` and reduce,
    e.g. a spike count per step). Models and other arrays go in `args`: they
    are shared by all runs and passed as arguments of the compiled program
    (arrays captured by a closure would become compile-time constants).

    **Arguments:**

    - `fn`: `fn(value, *args) -> results`, a PyTree of arrays.
    - `values`: the swept values: an array, or a PyTree of arrays, with one
      entry per run along the leading axis (for example 64 drive currents,
      pA).
    - `args`: anything else `fn` takes (a network, ...), the same for every run.
    - `mesh`: a `jax.sharding.Mesh` to split the runs over (default: one
      device).
    - `axis`: the mesh axis to split along (default: the mesh's only axis).

    **Returns:** the results, each with a leading axis of one entry per run.

    !!! example
        ```python
        net = bx.presets.coba(4000, key=jax.random.key(0))

        def rate(I_ext, net):   # Hz, excitatory population
            net = eqx.tree_at(lambda n: n.projections["drive_exc"].amplitude,
                              net, I_ext)
            _, rec = bx.simulate(net, 1000.0, dt=0.1, monitors={
                "n": lambda m: m.populations["exc"].spike.value.sum()})
            return rec["n"].sum() / 3200 / 1.0

        currents = jnp.linspace(150.0, 250.0, 64)           # pA
        mesh = jax.make_mesh((jax.device_count(),), ("runs",))
        rates = bx.distributed.sweep(rate, currents, net, mesh=mesh)   # (64,)
        ```
    """
    if not callable(fn):
        raise TypeError(f"`fn` must be a function, got {type(fn).__name__}.")
    size = _batch_size(values)
    if mesh is None:
        return _vmapped(fn, values, args)
    mesh, axis = mesh_axis(mesh, axis, "the runs")
    n_devices = mesh.shape[axis]
    padded = -(-size // n_devices) * n_devices
    if padded > size:  # repeat the last entry up to a multiple of the devices
        values = jax.tree.map(
            lambda v: jnp.concatenate([v, jnp.repeat(v[-1:], padded - size, 0)]),
            values,
        )
    arrays, static = eqx.partition(args, eqx.is_array)
    out = _sharded(fn, values, arrays, static, mesh, axis)
    return jax.tree.map(lambda x: x[:size], out)
