"""Networks of populations and projections: step order, delays, equivalence."""

import importlib.util
import os

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainox as bx
from pulse import Pulse


_PATH = os.path.join(os.path.dirname(__file__), "..", "examples", "coba.py")
_spec = importlib.util.spec_from_file_location("coba_example", _PATH)
assert _spec is not None and _spec.loader is not None
coba = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(coba)


def pad_rows(table, n_before, n_after):
    """The table of a sub-population seen from the whole population (empty rows)."""
    n_post = table.n_post
    empty = lambda n: jnp.full((n, table.max_degree), n_post, jnp.int32)
    rows = [empty(n_before), table.indices, empty(n_after)]
    return bx.connect.OutDegreeTable(jnp.concatenate(rows), n_post)


def test_network_composition_reproduces_the_hand_written_coba_module():
    n = 1000
    hand = coba.COBA(n, key=jax.random.key(0))
    n_e = hand.n_exc
    net = bx.Network(
        populations={"all": hand.neurons},
        projections={
            "exc": bx.Projection(
                "all",
                "all",
                pad_rows(hand.exc, 0, n - n_e),
                6.0,
                synapse=bx.synapses.Exponential(n, tau=5.0),
                output=bx.outputs.COBA(E=0.0),
            ),
            "inh": bx.Projection(
                "all",
                "all",
                pad_rows(hand.inh, n_e, 0),
                67.0,
                synapse=bx.synapses.Exponential(n, tau=10.0),
                output=bx.outputs.COBA(E=-80.0),
            ),
        },
    )
    _, a = bx.simulate(hand, 200.0, dt=0.1, spikes={"s": coba.read_spikes})
    _, b = bx.simulate(
        net,
        200.0,
        dt=0.1,
        inputs={"all": lambda s, t: 200.0},
        spikes={"s": "populations.all.spike"},
    )
    assert len(a["s"].index) > 1000
    np.testing.assert_array_equal(a["s"].step, b["s"].step)
    np.testing.assert_array_equal(a["s"].index, b["s"].index)


def one_to_one(n):
    return bx.connect.OutDegreeTable(jnp.arange(n, dtype=jnp.int32)[:, None], n)


@pytest.mark.parametrize(
    "delay, steps", [(None, 1), (0.1, 1), (1.0, 10), (1.04, 10), (1.06, 11), (2.5, 25)]
)
def test_a_spike_arrives_after_the_delay_and_acts_in_the_documented_order(delay, steps):
    dt, fire_at, n = 0.1, 3, 2
    post = bx.LIF(n, tau=10.0, R=100.0, V_rest=0.0, V_reset=0.0, V_th=100.0)
    net = bx.Network(
        populations={"src": Pulse(n, fire_at), "post": post},
        projections={
            "delta": bx.Projection(
                "src", "post", one_to_one(n), 2.0, delay=delay, dt=dt
            ),
            "syn": bx.Projection(
                "src",
                "post",
                one_to_one(n),
                100.0,
                synapse=bx.synapses.Exponential(n, tau=5.0),
                delay=delay,
                dt=dt,
            ),
        },
    )
    _, rec = bx.simulate(
        net,
        n_steps=40,
        dt=dt,
        monitors={
            "V": "populations.post.V",
            "g": lambda m: m.projections["syn"].synapse.g.value,
            "src": "populations.src.spike",
        },
    )
    assert int(np.argmax(rec["src"][:, 0])) == fire_at
    arrival = fire_at + steps
    # Until the arrival step V stays at rest; in the arrival step the delta jump
    # (2 mV) lands first, then the current of the conductance delivered in the
    # same step drives V during the step.
    np.testing.assert_array_equal(rec["V"][:arrival, 0], 0.0)
    np.testing.assert_array_equal(rec["g"][:arrival, 0], 0.0)
    # g was delivered at the start of the arrival step and decayed over it.
    assert rec["g"][arrival, 0] == pytest.approx(100.0 * np.exp(-dt / 5.0), rel=1e-6)
    # V: jump of 2 mV, then tau dV/dt = -V + R g 1e-3 (CUBA: g is pA) over dt.
    drive = 100.0 * 100.0 * 1e-3
    expect = drive + (2.0 - drive) * np.exp(-dt / 10.0)
    assert rec["V"][arrival, 0] == pytest.approx(expect, rel=1e-4)


def test_mg_block_matches_jahr_stevens():
    out = bx.outputs.MgBlock(E=0.0, Mg=1.0)
    V = jnp.asarray([-80.0, -65.0, -20.0, 0.0, 20.0])
    expect = 1 / (1 + 1.0 / 3.57 * np.exp(-0.062 * np.asarray(V)))
    np.testing.assert_allclose(out.block(V), expect, rtol=1e-6)
    np.testing.assert_allclose(
        out.current(jnp.ones(5), V), -np.asarray(V) * expect, rtol=1e-6
    )


def test_bad_network_definitions():
    table = one_to_one(3)
    with pytest.raises(ValueError, match="not in `populations`"):
        bx.Network({"a": bx.LIF(3)}, {"p": bx.Projection("a", "b", table, 1.0)})
    with pytest.raises(ValueError, match="pass `dt=`"):
        bx.Projection("a", "a", table, 1.0, delay=1.0)
    with pytest.raises(ValueError, match="shorter than half a step"):
        bx.Projection("a", "a", table, 1.0, delay=0.01, dt=0.1)
    with pytest.raises(ValueError, match="post neurons"):
        bx.Projection("a", "a", table, 1.0, synapse=bx.synapses.Exponential(4))
    with pytest.raises(ValueError, match="there is no `synapse`"):
        bx.Projection("a", "a", table, 1.0, output=bx.outputs.COBA(0.0))
    net = bx.Network({"a": bx.LIF(3)})
    with pytest.raises(ValueError, match="not in the network"):
        net.step({"b": 1.0}, 0.1)
