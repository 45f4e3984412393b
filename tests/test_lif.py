"""LIF against the closed forms and rate table of REFERENCES.md."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainox as bx


def test_subthreshold_closed_form():
    # tau = 20 ms, R I = 15 mV (R = 100 MOhm, I = 150 pA), from E_L: V - E_L at
    # t = 10 ms is 5.90204 mV.
    neuron = bx.LIF(1, tau=20.0, R=100.0, V_rest=-70.0, V_th=0.0)
    _, rec = bx.simulate(
        neuron, 10.0, dt=0.1, inputs=lambda s, t: 150.0, monitors=["V"]
    )
    assert rec["V"][-1, 0] + 70.0 == pytest.approx(5.90204, abs=2e-5)
    expect = 15.0 * (1 - np.exp(-rec["t"] / 20.0))
    np.testing.assert_allclose(rec["V"][:, 0] + 70.0, expect, atol=2e-5)


# tau, R (MOhm), I (pA), theta, t_ref, f (Hz), t* (ms) from REFERENCES.md.
TABLE = [
    (10.0, 40.0, 500.0, 15.0, 2.0, 63.0400, 13.8629),
    (20.0, 100.0, 250.0, 20.0, 0.0, 31.0667, 32.1888),
    (20.0, 100.0, 250.0, 20.0, 2.0, 29.2494, 32.1888),
    (20.0, 100.0, 210.0, 20.0, 2.0, 15.9007, 60.8904),
    (20.0, 100.0, 200.0, 20.0, 2.0, 0.0, np.inf),
]


def test_firing_rate_table_within_the_grid_tolerance():
    dt, duration = 0.01, 1000.0
    columns = map(np.asarray, zip(*TABLE, strict=True))
    tau, R, current, theta, t_ref, rate, t_star = columns
    neuron = bx.LIF(
        len(TABLE), tau=tau, R=R, V_rest=0.0, V_reset=0.0, V_th=theta, t_ref=t_ref
    )
    _, rec = bx.simulate(
        neuron,
        duration,
        dt=dt,
        inputs=lambda s, t: jnp.asarray(current, jnp.float32),
        spikes={"lif": "spike"},
    )
    events = rec["lif"]
    for i, (f_ref, ts, tr) in enumerate(zip(rate, t_star, t_ref, strict=True)):
        times = events.time[events.index == i]
        if f_ref == 0:
            assert len(times) == 0  # at rheobase the neuron never fires
            continue
        # On the grid a crossing is seen at the end of the step that makes it, and
        # the refractory period lasts t_ref / dt whole steps.
        grid_isi = np.ceil(ts / dt - 1e-9) * dt + tr
        assert times[0] == pytest.approx(np.ceil(ts / dt) * dt, abs=1e-6 * duration)
        np.testing.assert_allclose(np.diff(times), grid_isi, atol=1e-3)
        # The measured rate meets the exact rate within dt / ISI (relative).
        measured = 1000.0 / np.mean(np.diff(times))
        assert abs(measured - f_ref) / f_ref <= dt / (1000.0 / f_ref) + 1e-4
    # The first row's count matches NEST iaf_psc_delta and Brian2: 63 in 1 s.
    assert np.sum(events.index == 0) == 63


def test_refractory_period_holds_V_at_reset_for_whole_steps():
    dt = 0.1
    neuron = bx.LIF(1, tau=10.0, R=40.0, V_rest=0.0, V_reset=-5.0, V_th=15.0, t_ref=2.0)
    _, rec = bx.simulate(
        neuron, 40.0, dt=dt, inputs=lambda s, t: 500.0, monitors=["V", "spike"]
    )
    first = int(np.argmax(rec["spike"][:, 0]))
    held = rec["V"][first : first + 21, 0]
    np.testing.assert_array_equal(held[:21], -5.0)  # spike step + 20 steps
    assert rec["V"][first + 21, 0] > -5.0
    assert np.all(rec["spike"][first + 1 : first + 21, 0] == 0)


def test_spike_gradient_flows_through_the_surrogate():
    def voltage_sum(current):
        neuron = bx.LIF(1, tau=10.0, R=40.0, V_rest=0.0, V_reset=0.0, V_th=15.0)
        _, rec = bx.simulate(
            neuron, 30.0, dt=0.1, inputs=lambda s, t: current, monitors=["spike"]
        )
        return rec["spike"].sum()

    g = jax.grad(voltage_sum)(500.0)
    assert np.isfinite(g) and g > 0


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"tau": 0.0}, "`tau` must be > 0"),
        ({"tau": -5.0}, "`tau` must be > 0"),
        ({"R": -1.0}, "`R` must be > 0"),
        ({"t_ref": -1.0}, "`t_ref` must be >= 0"),
        ({"V_th": float("nan")}, "`V_th` contains NaN"),
        ({"tau": jnp.ones(3)}, r"`tau` has shape \(3,\)"),
        ({"V_init": bx.init.normal(-55.0, 2.0)}, "pass `key="),
    ],
)
def test_bad_parameters_are_rejected_with_a_clear_message(kwargs, message):
    with pytest.raises(ValueError, match=message):
        bx.LIF(4, **kwargs)


@pytest.mark.parametrize("n", [0, -3, 2.5, True])
def test_bad_size_is_rejected(n):
    # With runtime type checks on, 2.5 may be refused by the annotation first.
    with pytest.raises((ValueError, TypeError), match="`n`|parameter 'n'"):
        bx.LIF(n)


def test_delta_input_is_ignored_while_refractory():
    # The potential is held during the refractory period: a delta synapse's
    # jump then has no effect (as in NEST's iaf_psc_delta and bx.exact).
    neuron = bx.LIF(2, t_ref=5.0, V_init=-65.0)
    neuron = neuron.with_states(refractory_left=jnp.array([3, 0], jnp.int32))
    np.testing.assert_array_equal(
        neuron.jump(jnp.array([30.0, 30.0])).V.value, [-65.0, -35.0]
    )
    # In a network: a source firing every step onto a neuron that just spiked.
    source = bx.LIF(1, V_reset=-40.0, V_th=-50.0, V_init=-40.0)  # fires every step
    post = bx.LIF(1, t_ref=2.0, V_init=-40.0, V_th=-50.0)  # spikes at step 0
    net = bx.Network(
        {"src": source, "post": post},
        {"p": bx.Projection("src", "post", bx.connect.one_to_one(1), 1.0)},
    )
    _, rec = bx.simulate(net, n_steps=15, dt=0.1, monitors={"V": "populations.post.V"})
    # Held at V_reset for the 20 steps of t_ref (the first 15 here).
    np.testing.assert_array_equal(rec["V"][:, 0], np.full(15, -65.0))
