"""Sharded simulation and parameter sweeps: the same results as on one device.

`conftest.py` gives 4 simulated CPU devices.
"""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.sharding import PartitionSpec

import brainox as bx


N_STEPS = 200
DT = 0.1


def mesh(n_devices, name="neurons"):
    return jax.make_mesh((n_devices,), (name,), devices=jax.devices()[:n_devices])


def assert_same_spikes(a, b, at_least):
    for name, count in at_least.items():
        assert len(a[name].index) >= count
        np.testing.assert_array_equal(a[name].step, b[name].step)
        np.testing.assert_array_equal(a[name].index, b[name].index)


def run(net, **kwargs):
    return bx.simulate(net, n_steps=N_STEPS, dt=DT, **kwargs)


@pytest.mark.parametrize(
    "n, n_devices, propagation",
    [
        (402, 4, bx.connect.EventDriven()),  # 322 + 80 neurons: blocks padded
        (400, 2, bx.connect.FixedInDegreeGather()),
        (400, 4, bx.connect.CompactedEventDriven()),
    ],
)
def test_sharded_coba_gives_the_spikes_and_states_of_one_device(
    n, n_devices, propagation
):
    net = bx.presets.coba(
        n, key=jax.random.key(0), fixed_in_degree=40, propagation=propagation
    )
    spikes = bx.presets.spike_monitors(net)
    monitors = {"V": "populations.exc.V", "V_inh": "populations.inh.V"}
    final, a = run(net, spikes=spikes, monitors=monitors)
    sharded = bx.distributed.shard(net, mesh(n_devices))
    final_sharded, b = run(sharded, spikes=spikes, monitors=monitors)

    assert_same_spikes(a, b, {"exc": 150, "inh": 30})
    # Bit-identical potentials at every step, padding removed from the view.
    np.testing.assert_array_equal(a["V"], b["V"])
    np.testing.assert_array_equal(a["V_inh"], b["V_inh"])
    for name in ("exc", "inh"):
        one, many = final.populations[name], final_sharded.populations[name]
        np.testing.assert_array_equal(one.V.value, many.V.value)
        np.testing.assert_array_equal(
            one.refractory_left.value, many.refractory_left.value
        )
    # The synaptic conductances of the blocks, put end to end, are the
    # network's (each device holds the post-side state of its own neurons).
    g = final_sharded.local.projections["ee"].synapse.g.value
    n_exc = final.populations["exc"].size
    block = -(-n_exc // n_devices)
    assert g.shape == (n_devices, block)
    np.testing.assert_array_equal(
        g.reshape(-1)[:n_exc], final.projections["ee"].synapse.g.value
    )


def test_each_device_holds_one_block_and_the_synapses_into_it():
    n = 402
    net = bx.presets.coba(n, key=jax.random.key(1), fixed_in_degree=40)
    sharded = bx.distributed.shard(net, mesh(4))
    V = sharded.local.populations["exc"].V.value
    assert V.sharding.spec == PartitionSpec("neurons")
    assert {s.data.shape for s in V.addressable_shards} == {(1, 81)}  # 322 / 4
    assert len({s.device for s in V.addressable_shards}) == 4
    # Each device's table holds exactly the synapses onto its block.
    ee = net.projections["ee"].connectivity
    local = sharded.local.projections["ee"].connectivity.indices
    dense = np.asarray(ee.to_dense())
    for d in range(4):
        block = bx.connect.OutDegreeTable(local[d], 81).to_dense()
        padded = np.zeros((ee.n_pre, 4 * 81), np.float32)
        padded[:, : ee.n_post] = dense
        np.testing.assert_array_equal(block, padded[:, d * 81 : (d + 1) * 81])


def poisson_network(key):
    """Poisson sources and inputs, per-synapse weights, a delay, STP, 203 neurons."""
    k_src, k_in, k_delta, k_table, k_rec, k_w, k_v = jax.random.split(key, 7)
    n = 203
    sources = bx.inputs.PoissonGroup(60, rate=80.0, key=k_src)
    neurons = bx.LIF(
        n, tau=20.0, V_rest=-60.0, V_reset=-60.0, V_th=-50.0, t_ref=2.0,
        V_init=bx.init.uniform(-60.0, -50.0), key=k_v,
    )  # fmt: skip
    table = bx.connect.fixed_probability(k_table, 60, n, 0.2)
    weights = jax.random.uniform(k_w, table.indices.shape, minval=1.0, maxval=4.0)
    recurrent = bx.connect.fixed_probability(k_rec, n, n, 0.05)
    projections = {
        "feed": bx.Projection(
            "src", "cells", table, weights, delay=1.5, dt=DT,
            synapse=bx.synapses.Exponential(n, tau=5.0),
            output=bx.outputs.COBA(E=0.0),
        ),
        "recurrent": bx.Projection(
            "cells", "cells", recurrent, 1.5,
            presynaptic=bx.synapses.TsodyksMarkram(n, U=0.4, tau_F=50.0, tau_D=200.0),
        ),
        "noise": bx.inputs.PoissonInput(
            "cells", 100, rate=10.0, weight=2.0, key=k_in, dt=DT,
            synapse=bx.synapses.Exponential(n, tau=5.0),
        ),
        "kicks": bx.inputs.PoissonInput(
            "cells", 20, rate=5.0, weight=jnp.linspace(0.5, 1.5, n), key=k_delta,
            dt=DT, size=n,
        ),
    }  # fmt: skip
    return bx.Network({"src": sources, "cells": neurons}, projections)


def test_poisson_inputs_delays_and_stp_give_the_spikes_of_one_device():
    net = poisson_network(jax.random.key(2))
    n = net.populations["cells"].size
    drive = jnp.linspace(0.0, 60.0, n)  # pA, one value per neuron
    kwargs = dict(
        inputs={"cells": lambda step, t: drive},
        spikes={"cells": "populations.cells.spike", "src": "populations.src.spike"},
        monitors={"V": "populations.cells.V"},
    )
    _, a = run(net, **kwargs)
    sharded = bx.distributed.shard(net, mesh(4), exchange="packed")
    _, b = run(sharded, **kwargs)
    assert_same_spikes(a, b, {"cells": 300, "src": 70})  # src: 96 expected
    # Potentials agree to float rounding: two delta jumps onto one neuron
    # (STP-scaled recurrent + Poisson kicks) are summed in programs of other
    # shapes, where XLA may fuse a multiply-add differently (1 ulp seen).
    np.testing.assert_allclose(a["V"], b["V"], rtol=1e-6, atol=0)
    assert np.all(b["cells"].index < n)  # padded neurons never appear


def test_unsupported_networks_and_arguments_raise_clear_errors():
    key = jax.random.key(3)
    table = bx.connect.fixed_probability(key, 20, 20, 0.3)
    lif = bx.LIF(20)
    delays = jnp.ones(table.indices.shape)  # ms, one per synapse
    hetero = bx.Network(
        {"a": lif}, {"p": bx.Projection("a", "a", table, 1.0, delay=delays, dt=DT)}
    )
    with pytest.raises(ValueError, match="per-synapse delays"):
        bx.distributed.shard(hetero, mesh(2))
    conn = bx.connect.Procedural(key, 20, 20, in_degree=4)
    procedural = bx.Network({"a": lif}, {"p": bx.Projection("a", "a", conn, 1.0)})
    with pytest.raises(ValueError, match=r"connectivity.table\(\)"):
        bx.distributed.shard(procedural, mesh(2))
    w = bx.LongTerm(jnp.ones(table.indices.shape))  # nS
    stdp = bx.Projection("a", "a", table, w, plasticity=bx.plasticity.PairSTDP())
    with pytest.raises(ValueError, match="plastic"):
        bx.distributed.shard(bx.Network({"a": lif}, {"p": stdp}), mesh(2))
    plain = bx.Network({"a": lif})
    two_axes = jax.make_mesh((2, 2), ("x", "y"))
    with pytest.raises(ValueError, match="pass `axis=`"):
        bx.distributed.shard(plain, two_axes)
    with pytest.raises(ValueError, match="not an axis"):
        bx.distributed.shard(plain, two_axes, axis="z")
    with pytest.raises(ValueError, match="exchange"):
        bx.distributed.shard(plain, mesh(2), exchange="events")
    with pytest.raises(TypeError, match="Mesh"):  # also beartype's check
        bx.distributed.shard(plain, jax.devices())
    with pytest.raises(ValueError, match="one shared leading axis"):
        bx.distributed.sweep(lambda v: v, {"a": jnp.ones(3), "b": jnp.ones(4)})


@pytest.mark.parametrize("shape", [(3,), (2,)])
def test_sharded_network_refuses_an_input_of_another_size(shape):
    # 5 neurons on 2 devices (blocks of 3): a (3,) input once broadcast onto
    # each block and drove neuron 3 with neuron 0's current.
    net = bx.Network({"a": bx.LIF(5, V_th=-50.0)})
    sharded = bx.distributed.shard(net, mesh(2))
    drive = jnp.zeros(shape).at[0].set(300.0)  # pA
    for model in (net, sharded):
        with pytest.raises(ValueError, match=rf"has shape \({shape[0]},\) per step, "
                           r"but the population has shape \(5,\)"):  # fmt: skip
            run(model, inputs={"a": lambda step, t: drive})
    _, one = run(net, inputs={"a": lambda s, t: jnp.zeros(5).at[0].set(300.0)},
                 monitors={"V": "populations.a.V"})  # fmt: skip
    _, many = run(sharded, inputs={"a": lambda s, t: jnp.zeros(5).at[0].set(300.0)},
                  monitors={"V": "populations.a.V"})  # fmt: skip
    np.testing.assert_array_equal(one["V"], many["V"])


SWEEP_MONITORS = {
    "count": lambda m: jnp.sum(m.populations["exc"].spike.value),
    "V": "populations.exc.V",
}


def drive_response(I_ext, net):
    """Excitatory spike count and final potentials at drive `I_ext` (pA)."""
    net = eqx.tree_at(lambda n: n.projections["drive_exc"].amplitude, net, I_ext)
    _, rec = bx.simulate(net, n_steps=100, dt=DT, monitors=SWEEP_MONITORS)
    return jnp.sum(rec["count"]), rec["V"][-1]


def test_sweep_equals_individual_runs_and_sharded_sweep_equals_unsharded():
    net = bx.presets.coba(200, key=jax.random.key(4), fixed_in_degree=20)
    currents = jnp.linspace(150.0, 300.0, 6)  # 6 runs on 4 devices: padded to 8
    counts, V = bx.distributed.sweep(drive_response, currents, net)
    assert counts.shape == (6,) and V.shape == (6, 160)
    for i, current in enumerate(currents):
        count, V_alone = drive_response(current, net)
        assert counts[i] == count
        np.testing.assert_array_equal(V[i], V_alone)
    assert counts[-1] > counts[0] > 0  # a stronger drive, more spikes
    sharded = bx.distributed.sweep(drive_response, currents, net, mesh=mesh(4))
    np.testing.assert_array_equal(sharded[0], counts)
    np.testing.assert_array_equal(sharded[1], V)
