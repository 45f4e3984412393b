"""Triplet STDP: the pairing protocol of Sjostrom et al. (2001) against direct sums."""

import jax.numpy as jnp
import numpy as np
import pytest

import brainox as bx


DT = 1.0  # ms: every spike time of the protocol lies on the grid
PULSE = 1e5  # pA: a LIF driven by this spikes within the step
FREQUENCIES = [5.0, 10.0, 20.0, 40.0, 50.0]  # Hz
LAGS = [10.0, -10.0]  # t_post - t_pre, ms
N_PAIRINGS = 60


def trace(times, t, tau, nearest):
    """A trace at time t from the spikes strictly before t."""
    before = times[times < t]
    if nearest:
        before = before[-1:]
    return np.sum(np.exp(-(t - before) / tau))


def triplet_change(pre, post, rule, nearest):
    """The weight change of the triplet rule, summed over spike times directly."""
    names = ("A2_plus", "A3_plus", "A2_minus", "A3_minus")
    names += ("tau_plus", "tau_x", "tau_minus", "tau_y")
    p = {name: float(getattr(rule, name)) for name in names}
    dw = 0.0
    for t in post:
        o2 = trace(post, t, p["tau_y"], nearest)
        dw += trace(pre, t, p["tau_plus"], nearest) * (p["A2_plus"] + p["A3_plus"] * o2)
    for t in pre:
        r2 = trace(pre, t, p["tau_x"], nearest)
        o1 = trace(post, t, p["tau_minus"], nearest)
        dw -= o1 * (p["A2_minus"] + p["A3_minus"] * r2)
    return dw


def protocol():
    """Spike times (ms) of each synapse: 60 pairings per frequency and lag."""
    cases = [(f, lag) for f in FREQUENCIES for lag in LAGS]
    times = []
    for f, lag in cases:
        onsets = 20.0 + 1000.0 / f * np.arange(N_PAIRINGS)
        times.append((onsets, onsets + lag))
    return cases, times


def test_pairing_protocol_frequency_dependence():
    cases, times = protocol()
    n = len(cases)
    n_steps = int(max(t.max() for pair in times for t in pair) / DT) + 10
    pre = np.zeros((n_steps, n), bool)
    post = np.zeros((n_steps, n), bool)
    for k, (t_pre, t_post) in enumerate(times):
        # A spike of step s happens at (s + 1) dt.
        pre[np.round(t_pre / DT).astype(int) - 1, k] = True
        post[np.round(t_post / DT).astype(int) - 1, k] = True
    table = bx.connect.one_to_one(n)
    rules = {
        "all-to-all": (bx.plasticity.TripletSTDP(), bx.connect.EventDriven()),
        "nearest": (
            bx.plasticity.TripletSTDP(pairing="nearest"),
            bx.connect.EventDriven(),
        ),
        "all-to-all dense": (bx.plasticity.TripletSTDP(), bx.connect.Dense()),
    }
    w0 = 1.0  # the paper's normalised initial weight
    projections = {
        name: bx.Projection(
            "pre",
            "post",
            table,
            bx.LongTerm(jnp.full((n, 1), w0)),
            plasticity=rule,
            propagation=propagation,
        )
        for name, (rule, propagation) in rules.items()
    }
    net = bx.Network({"pre": bx.LIF(n), "post": bx.LIF(n)}, projections)
    inputs = {"pre": jnp.asarray(pre * PULSE, jnp.float32),
              "post": jnp.asarray(post * PULSE, jnp.float32)}  # fmt: skip
    net, rec = bx.simulate(
        net, n_steps=n_steps, dt=DT, inputs=inputs,
        spikes={"post": "populations.post.spike"},
    )  # fmt: skip
    np.testing.assert_array_equal(rec["post"].step, np.nonzero(post)[0])
    changes = {}
    for name, (rule, _) in rules.items():
        dw = np.asarray(net.projections[name].weight.value)[:, 0] - w0
        expect = [
            triplet_change(t_pre, t_post, rule, nearest=name.startswith("nearest"))
            for t_pre, t_post in times
        ]
        np.testing.assert_allclose(dw, expect, rtol=1e-4, atol=2e-6, err_msg=name)
        changes[name] = dict(zip(cases, dw, strict=True))
    dense = list(changes["all-to-all dense"].values())
    np.testing.assert_allclose(dense, list(changes["all-to-all"].values()), atol=1e-6)
    dw = changes["all-to-all"]
    # Low frequency: post-before-pre pairings depress (Sjostrom et al. 2001).
    for f in (5.0, 10.0, 20.0):
        assert dw[f, -10.0] < -0.3
    # Pre-before-post potentiation grows with frequency.
    assert dw[5.0, 10.0] < dw[10.0, 10.0] < dw[20.0, 10.0] < dw[40.0, 10.0]
    # 40-50 Hz: both orders potentiate.
    for f in (40.0, 50.0):
        assert dw[f, 10.0] > 0.1 and dw[f, -10.0] > 0.1
    assert dw[50.0, -10.0] == pytest.approx(0.749, abs=0.01)
