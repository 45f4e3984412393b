"""The same key gives the same spikes: across repeated runs, chunk sizes and decimation.

The network draws random numbers every step (a Poisson spike source and Poisson
input, whose keys are states carried through the simulation), so any dependence
of the random stream on how the run is cut up would change the spikes.
"""

import jax
import numpy as np
import pytest

import brainox as bx


N_STEPS = 1200


def network(seed):
    k_source, k_table, k_drive = jax.random.split(jax.random.key(seed), 3)
    table = bx.connect.fixed_probability(k_table, 40, 30, 0.2)
    return bx.Network(
        populations={
            "source": bx.inputs.PoissonGroup(40, 40.0, key=k_source),
            "exc": bx.LIF(30, tau=10.0, t_ref=1.0),
        },
        projections={
            "se": bx.Projection(
                "source", "exc", table, 60.0, synapse=bx.synapses.Exponential(30)
            ),
            "drive": bx.inputs.PoissonInput(
                "exc", 20, 30.0, 1.5, key=k_drive, dt=0.1, size=30
            ),
        },
    )


def run(seed=0, model=None, **options):
    final, rec = bx.simulate(
        network(seed) if model is None else model,
        n_steps=N_STEPS,
        dt=0.1,
        monitors={"V": "populations.exc.V"},
        spikes={"source": "populations.source.spike", "exc": "populations.exc.spike"},
        **options,
    )
    return final, rec


@pytest.fixture(scope="module")
def reference():
    return run()


def assert_same_spikes(a, b):
    for name in ("source", "exc"):
        np.testing.assert_array_equal(a[name].step, b[name].step)
        np.testing.assert_array_equal(a[name].index, b[name].index)


def test_the_network_is_random_and_active(reference):
    _, rec = reference
    # 40 sources at 40 Hz for 120 ms: 192 spikes expected (sd 14).
    assert 130 < len(rec["source"].index) < 260
    assert len(rec["exc"].index) > 50
    _, other = run(seed=1)
    assert not np.array_equal(other["source"].index, rec["source"].index)


def test_repeated_runs_are_identical(reference):
    final, rec = reference
    final2, rec2 = run()
    assert_same_spikes(rec, rec2)
    np.testing.assert_array_equal(rec["V"], rec2["V"])
    # Running again from the reset network repeats it too (reset restores keys).
    _, rec3 = run(model=bx.reset(final2))
    assert_same_spikes(rec, rec3)
    np.testing.assert_array_equal(rec["V"], rec3["V"])


def test_chunks_and_decimation_change_only_what_is_recorded(reference):
    final, rec = reference
    # Chunks of 480, 480 and 240 steps, recording every 6th step.
    final_c, rec_c = run(chunk_size=480, record_every=6)
    assert_same_spikes(rec, rec_c)
    np.testing.assert_array_equal(rec_c["V"], rec["V"][5::6])
    np.testing.assert_allclose(rec_c["t"], rec["t"][5::6])
    for path, state in bx.list_states(final).items():
        np.testing.assert_array_equal(
            state.value, bx.list_states(final_c)[path].value, err_msg=path
        )
