"""Synapses: the exponential synapse against its closed form."""

import functools

import diffrax
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainox as bx


def test_decay_matches_closed_form():
    # g(t) = g0 exp(-t / tau), per neuron tau, 200 steps of 0.1 ms.
    tau = jnp.array([5.0, 10.0, 2.0, 50.0])
    g0 = jnp.array([6.0, 67.0, 1.0, 0.5])
    syn = bx.synapses.Exponential(4, tau=tau, g_init=g0)
    dt, n_steps = 0.1, 200
    _, rec = bx.simulate(syn, n_steps=n_steps, dt=dt, monitors=["g"])
    t = (np.arange(n_steps) + 1) * dt
    expected = np.asarray(g0) * np.exp(-t[:, None] / np.asarray(tau))
    np.testing.assert_allclose(rec["g"], expected, rtol=2e-5, atol=0)


def test_one_step_is_exact_to_float_precision():
    tau, dt = jnp.float32(5.0), 0.1
    g0 = jnp.linspace(0.0, 100.0, 11)
    syn = bx.synapses.Exponential(11, tau=tau, g_init=g0)
    g1 = syn.step(None, dt).g.value
    np.testing.assert_allclose(g1, np.asarray(g0) * np.exp(-dt / 5.0), rtol=1e-6)


def test_add_then_step_is_step_with_increments():
    syn = bx.synapses.Exponential(3, tau=10.0)
    inc = jnp.array([6.0, 0.0, 67.0])
    a = syn.add(inc).step(None, 0.1).g.value
    b = syn.step(inc, 0.1).g.value
    assert jnp.array_equal(a, b)
    np.testing.assert_allclose(a, np.asarray(inc) * np.exp(-0.01), rtol=1e-6)
    # A scalar increment reaches every neuron.
    np.testing.assert_array_equal(syn.add(2.0).g.value, [2.0, 2.0, 2.0])


def test_vector_field_in_diffeqsolve_matches_stepping():
    syn = bx.synapses.Exponential(2, tau=jnp.array([5.0, 10.0]), g_init=6.0)
    sol = diffrax.diffeqsolve(
        diffrax.ODETerm(syn.vector_field),
        diffrax.Tsit5(),
        0.0,
        10.0,
        0.1,
        syn.hidden_values(),
        stepsize_controller=diffrax.PIDController(rtol=1e-7, atol=1e-7),
    )
    stepped = syn
    for _ in range(100):
        stepped = stepped.step(None, 0.1)
    np.testing.assert_allclose(sol.ys["g"][-1], stepped.g.value, rtol=1e-5)
    np.testing.assert_allclose(
        stepped.g.value, 6.0 * np.exp(-10.0 / np.array([5, 10])), rtol=1e-5
    )


def test_state_and_reset():
    syn = bx.synapses.Exponential(5, tau=5.0)
    assert bx.state_counts(syn) == {
        "param": 1,
        "Hidden": 1,
        "ShortTerm": 0,
        "LongTerm": 0,
    }
    assert syn.size == 5
    fired = syn.add(jnp.ones(5))
    assert jnp.array_equal(bx.reset(fired).g.value, jnp.zeros(5))


def test_jit_and_sweep_over_tau():
    # tau is an array field: changing it reuses the compiled program.
    @jax.jit
    def decay(syn):
        return syn.step(None, 0.1).g.value

    for tau in (5.0, 10.0):
        syn = bx.synapses.Exponential(2, tau=tau, g_init=1.0)
        np.testing.assert_allclose(decay(syn), np.exp(-0.1 / tau), rtol=1e-6)
    assert decay._cache_size() == 1


def test_add_from_passes_the_conductance_to_the_strategy():
    # Exponential hands its g to the strategy, which adds into it; other
    # synapses add the strategy's sum to zeros with `add`. Both equal `add`
    # of the summed weights (integer weights: exactly).
    table = bx.connect.OutDegreeTable(jnp.array([[0, 2, 3], [1, 2, 3]]), 3)
    spikes = jnp.array([1.0, 1.0])
    deliver = functools.partial(bx.connect.EventDriven().accumulate, table, spikes, 6.0)
    seen = []

    def spy(into):
        seen.append(np.asarray(into))
        return deliver(into)

    exp = bx.synapses.Exponential(3, g_init=jnp.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(exp.add_from(spy).g.value, [7.0, 8.0, 15.0])
    np.testing.assert_array_equal(seen[-1], [1.0, 2.0, 3.0])  # g itself
    dual = bx.synapses.DualExponential(3, tau_rise=1.0, tau_decay=5.0)
    np.testing.assert_array_equal(
        dual.add_from(spy).h.value, dual.add(jnp.array([6.0, 6.0, 12.0])).h.value
    )
    np.testing.assert_array_equal(seen[-1], [0.0, 0.0, 0.0])  # zeros, then `add`
    with pytest.raises(ValueError, match=r"`accumulate` returned shape \(4,\)"):
        exp.add_from(lambda into: jnp.zeros(4))


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="`tau` must be > 0"):
        bx.synapses.Exponential(3, tau=-1.0)
    with pytest.raises(ValueError, match="`tau` has shape"):
        bx.synapses.Exponential(3, tau=jnp.ones(4))
    with pytest.raises(ValueError, match="`n` must be a positive integer"):
        bx.synapses.Exponential(0)
    with pytest.raises(ValueError, match="`increments` has shape"):
        bx.synapses.Exponential(3).add(jnp.ones(4))
