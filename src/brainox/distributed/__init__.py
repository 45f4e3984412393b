"""Simulation sharded across devices, and parameter sweeps.

- [`brainox.distributed.shard`][]: spread a [`brainox.Network`][]'s neurons, and
  the synapses into them, over the devices of a `jax.sharding.Mesh`; the result,
  a [`brainox.distributed.ShardedNetwork`][], runs with [`brainox.simulate`][]
  and gives the spikes of the unsharded network.
- [`brainox.distributed.sweep`][]: evaluate a function of a parameter for many
  values in one compiled, vectorised run, optionally split across devices.

!!! example
    ```python
    mesh = jax.make_mesh((jax.device_count(),), ("neurons",))
    sharded = bx.distributed.shard(net, mesh)
    sharded, rec = bx.simulate(sharded, 1000.0, dt=0.1,
                               spikes=bx.presets.spike_monitors(net))
    ```
"""

from ._shard import ShardedNetwork as ShardedNetwork, shard as shard
from ._sweep import sweep as sweep


__all__ = ["ShardedNetwork", "shard", "sweep"]
