"""Reward-modulated STDP: reward that follows one pairing selects that synapse."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainox as bx


DT = 1.0  # ms
PULSE = 1e5  # pA: a LIF driven by this spikes within the step
N_PRE, N_POST = 8, 2
CHOSEN = (3, 1)  # the rewarded synapse: pre 3 -> post 1


def task(seconds, seed=0):
    """Background spikes at 4 Hz, the chosen pairing (pre, then post 5 ms
    later) about once a second, and 0.5 uM of dopamine 100-500 ms after it."""
    rng = np.random.default_rng(seed)
    n_steps = int(seconds * 1000 / DT)
    pre = rng.random((n_steps, N_PRE)) < 4.0 * DT / 1000
    post = rng.random((n_steps, N_POST)) < 4.0 * DT / 1000
    release = np.zeros(n_steps, np.float32)
    t = 200
    while True:
        t += int(rng.integers(700, 1300))
        delay = int(rng.integers(100, 500))
        if t + 5 + delay >= n_steps:
            break
        pre[t, CHOSEN[0]] = True
        post[t + 5, CHOSEN[1]] = True
        release[t + 5 + delay] += 0.5
    return pre, post, release


def reference(pre, post, release, rule, w0):
    """The documented per-step order, in float64, for every synapse (dense)."""
    stdp = rule.stdp
    A_plus, A_minus = float(stdp.A_plus), float(stdp.A_minus)
    decay_plus = np.exp(-DT / float(stdp.tau_plus))
    decay_minus = np.exp(-DT / float(stdp.tau_minus))
    decay_c = np.exp(-DT / float(rule.tau_c))
    decay_d = np.exp(-DT / float(rule.tau_d))
    x_pre, x_post = np.zeros(N_PRE), np.zeros(N_POST)
    c, d, w = np.zeros((N_PRE, N_POST)), 0.0, np.full((N_PRE, N_POST), w0)
    for n in range(pre.shape[0]):
        x_pre *= decay_plus
        x_post *= decay_minus
        c *= decay_c
        c -= A_minus * np.outer(pre[n], x_post)
        c += A_plus * np.outer(x_pre, post[n])
        x_pre += pre[n]
        x_post += post[n]
        d = d * decay_d + release[n]
        w = np.clip(w + DT * c * d, 0.0, 4.0)
    return w


def run(pre, post, release, rule, w0):
    table = bx.connect.all_to_all(N_PRE, N_POST)
    proj = bx.Projection(
        "pre", "post", table, bx.LongTerm(jnp.full(table.indices.shape, w0)),
        plasticity=rule, propagation=bx.connect.EventDriven(),
    )  # fmt: skip
    net = bx.Network({"pre": bx.LIF(N_PRE), "post": bx.LIF(N_POST)}, {"da": proj})
    inputs = {
        "pre": jnp.asarray(pre * PULSE, jnp.float32),
        "post": jnp.asarray(post * PULSE, jnp.float32),
        "da": jnp.asarray(release),  # the projection's neuromodulator input
    }
    net, _ = bx.simulate(net, n_steps=pre.shape[0], dt=DT, inputs=inputs)
    return np.asarray(net.projections["da"].weight.value)


def test_the_rewarded_synapse_grows_and_the_others_do_not():
    pre, post, release = task(30.0)
    rule = bx.plasticity.RewardModulatedSTDP(tau_c=1000.0, tau_d=200.0)
    w0 = 1.0
    w = run(pre, post, release, rule, w0)
    np.testing.assert_allclose(w, reference(pre, post, release, rule, w0), atol=1e-4)
    change = w - w0
    chosen = change[CHOSEN]
    others = np.delete(change.ravel(), CHOSEN[0] * N_POST + CHOSEN[1])
    assert chosen > 0.5
    assert np.all(others < 0.25 * chosen)
    assert others.mean() < 0.1 * chosen
    # Without dopamine the same spikes change nothing.
    still = run(pre, post, np.zeros_like(release), rule, w0)
    np.testing.assert_array_equal(still, w0)


def test_dopamine_input_must_be_one_number_per_step():
    table = bx.connect.all_to_all(2, 1)
    proj = bx.Projection(
        "pre", "post", table, bx.LongTerm(jnp.ones((2, 1))),
        plasticity=bx.plasticity.RewardModulatedSTDP(),
    )  # fmt: skip
    net = bx.Network({"pre": bx.LIF(2), "post": bx.LIF(1)}, {"da": proj})
    with pytest.raises(ValueError, match="one number"):
        jax.eval_shape(lambda: net.step({"da": jnp.ones(2)}, DT))
