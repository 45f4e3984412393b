"""Tsodyks-Markram short-term plasticity: published values and the recursion."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainox as bx


class Driven(eqx.Module):
    """Drives short-term plasticity with spikes given as input, keeping efficacies."""

    stp: bx.synapses.TsodyksMarkram
    efficacy: bx.ShortTerm

    def __init__(self, stp):
        self.stp = stp
        self.efficacy = bx.ShortTerm(jnp.zeros_like(stp.u.value))

    def step(self, spikes, dt):
        efficacy, stp = self.stp.on_spikes(spikes)
        return eqx.tree_at(
            lambda d: (d.stp, d.efficacy),
            self,
            (stp.step(None, dt), self.efficacy.replace(efficacy)),
        )


def spike_array(trains, n_steps):
    x = np.zeros((n_steps, len(trains)), np.float32)
    for i, steps in enumerate(trains):
        x[steps, i] = 1.0
    return jnp.asarray(x)


def recursion(U, tau_F, tau_D, times):
    """u_n, R_n at each spike of a train (ms), from the closed-form recursion."""
    u, R = [U], [1.0]
    for gap in np.diff(times):
        decay_F = np.exp(-gap / tau_F) if tau_F > 0 else 0.0
        u.append(U + u[-1] * (1 - U) * decay_F)
        R.append(1 + (R[-1] - u[-2] * R[-1] - 1) * np.exp(-gap / tau_D))
    return np.array(u), np.array(R)


def test_depressing_synapse_reproduces_published_values():
    # U = 0.5, tau_D = 800 ms, tau_F = 0, 20 Hz: A2/A1 = 0.53029, R -> 0.114252.
    dt, isi, n_spikes = 0.5, 100, 40
    steps = np.arange(n_spikes) * isi
    stp = bx.synapses.TsodyksMarkram(1, U=0.5, tau_F=0.0, tau_D=800.0)
    _, rec = bx.simulate(
        Driven(stp),
        n_steps=n_spikes * isi,
        dt=dt,
        inputs=spike_array([steps], n_spikes * isi),
        monitors={"A": "efficacy", "u": "stp.u", "x": "stp.x"},
    )
    A = rec["A"][steps, 0]
    assert A[0] == pytest.approx(0.5, rel=1e-7)
    assert A[1] / A[0] == pytest.approx(0.53029, abs=1e-5)
    assert A[1] / A[0] == pytest.approx(1 - 0.5 * np.exp(-50 / 800), rel=1e-6)
    R_inf = A[-1] / 0.5
    assert R_inf == pytest.approx(0.114252, abs=1e-6)
    # Without facilitation u is U at every spike and stays there between spikes.
    np.testing.assert_allclose(rec["u"][steps[0] :, 0], 0.5, rtol=1e-7)
    # Just before a spike (end of the previous step) x is R_n; after it, R_n/2.
    np.testing.assert_allclose(rec["x"][steps[1:] - 1, 0], A[1:] / 0.5, rtol=1e-5)
    _, R = recursion(0.5, 0.0, 800.0, steps * dt)
    np.testing.assert_allclose(A, 0.5 * R, rtol=2e-5)


def test_facilitating_and_mixed_trains_match_the_recursion_at_every_spike():
    dt, n_steps = 0.1, 20000
    rng = np.random.default_rng(0)
    trains = [np.cumsum(rng.integers(20, 1500, size=60)) for _ in range(3)]
    trains = [t[t < n_steps] for t in trains]
    U = np.array([0.15, 0.05, 0.5])
    tau_F = np.array([750.0, 300.0, 0.0])
    tau_D = np.array([50.0, 400.0, 200.0])
    stp = bx.synapses.TsodyksMarkram(3, U=U, tau_F=tau_F, tau_D=tau_D)
    _, rec = bx.simulate(
        Driven(stp),
        n_steps=n_steps,
        dt=dt,
        inputs=spike_array(trains, n_steps),
        monitors=["efficacy"],
    )
    for i, steps in enumerate(trains):
        u, R = recursion(U[i], tau_F[i], tau_D[i], steps * dt)
        np.testing.assert_allclose(rec["efficacy"][steps, i], u * R, rtol=2e-5)
        silent = np.setdiff1d(np.arange(n_steps), steps)
        assert not rec["efficacy"][silent, i].any()
    # The facilitating synapse does facilitate: u grows within a burst.
    u, _ = recursion(U[0], tau_F[0], tau_D[0], trains[0] * dt)
    assert u.max() > 2 * U[0]


class Train(bx.AbstractNeuron):
    """A spike source that fires at given steps (one row of steps per neuron)."""

    V: bx.Hidden
    spike: bx.ShortTerm
    count: bx.ShortTerm
    at: jnp.ndarray
    surrogate: bx.surrogate.AbstractSurrogate
    solver: object

    def __init__(self, at):
        self.at = jnp.asarray(at)
        n = self.at.shape[0]
        self.V = bx.Hidden(jnp.zeros(n))
        self.spike = bx.ShortTerm(jnp.zeros(n))
        self.count = bx.ShortTerm(jnp.zeros((), jnp.int32))
        self.surrogate = bx.surrogate.Sigmoid()
        self.solver = bx.ExponentialEuler()

    def vector_field(self, t, y, args):
        return {"V": jnp.zeros_like(y["V"])}

    def fire(self, y0, y1, dt):
        spike = jnp.any(self.at == self.count.value, axis=1).astype(jnp.float32)
        return self.with_states(spike=spike, count=self.count.value + 1)


def test_efficacy_times_weight_reaches_the_post_conductance_in_a_network():
    dt, n_steps, tau = 0.1, 3000, 5.0
    steps = [[10, 210, 260, 300, 1800, 1850], [50, 100, 150, 2000, -1, -1]]
    U, tau_F, tau_D = jnp.array([0.2, 0.5]), jnp.array([500.0, 0.0]), 300.0
    # pre 0 -> post 0 (1 nS) and post 1 (2 nS); pre 1 -> post 1 (3 nS).
    table = bx.connect.OutDegreeTable(jnp.array([[0, 1], [1, 2]]), n_post=2)
    weight = jnp.array([[1.0, 2.0], [3.0, 0.0]])
    net = bx.Network(
        {"src": Train(steps), "post": bx.LIF(2, V_th=1e3)},
        {
            "stp": bx.Projection(
                "src",
                "post",
                table,
                weight,
                synapse=bx.synapses.Exponential(2, tau=tau),
                presynaptic=bx.synapses.TsodyksMarkram(
                    2, U=U, tau_F=tau_F, tau_D=tau_D
                ),
            )
        },
    )
    _, rec = bx.simulate(
        net,
        n_steps=n_steps,
        dt=dt,
        monitors={"g": lambda m: m.projections["stp"].synapse.g.value},
    )
    t_end = np.arange(n_steps) + 1  # end of each step, in steps
    W = np.asarray(table.to_dense(weight))  # (n_pre, n_post), nS
    expected = np.zeros((n_steps, 2))
    for i, row in enumerate(steps):
        row = np.array([s for s in row if s >= 0])
        u, R = recursion(float(U[i]), float(tau_F[i]), tau_D, row * dt)
        for arrival, eff in zip(
            row + 1, u * R, strict=True
        ):  # delivered in the next step
            decay = np.where(t_end > arrival, np.exp(-(t_end - arrival) * dt / tau), 0)
            expected += eff * decay[:, None] * W[i]
    np.testing.assert_allclose(rec["g"], expected, rtol=2e-5, atol=1e-6)
    # The first spike of pre 0 (step 10) arrives in step 11 with efficacy U.
    assert rec["g"][11, 0] == pytest.approx(0.2 * np.exp(-dt / tau), rel=1e-6)
    assert not rec["g"][:11].any()


@pytest.mark.parametrize("tau_F", [0.0, 50.0])
def test_a_spike_count_acts_as_that_many_spikes_in_a_row(tau_F):
    # A step with c spikes of one neuron (SpikeGenerator(allow_multiple=True))
    # uses the resources as c single spikes applied one after the other.
    stp = bx.synapses.TsodyksMarkram(4, U=0.5, tau_D=100.0, tau_F=tau_F)
    stp = stp.with_states(
        u=jnp.array([0.0, 0.3, 0.7, 0.2]), x=jnp.array([1.0, 0.8, 0.4, 0.6])
    )
    for c in (2, 3, 5):
        burst, after = stp.on_spikes(jnp.array([c, c, c, 0.0]))
        one_by_one, total = stp, 0.0
        for _ in range(c):
            efficacy, one_by_one = one_by_one.on_spikes(jnp.array([1.0, 1.0, 1.0, 0.0]))
            total = total + efficacy
        np.testing.assert_allclose(burst, total, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(after.u.value, one_by_one.u.value, rtol=1e-6)
        np.testing.assert_allclose(
            after.x.value, one_by_one.x.value, rtol=1e-6, atol=1e-7
        )
        assert (after.x.value >= 0).all()
    # Below one spike the update stays linear, and its gradient finite.
    grad = jax.grad(lambda s: stp.on_spikes(s)[0].sum())(
        jnp.array([1.0, 0.5, 0.0, 2.0])
    )
    assert np.isfinite(grad).all()
    half, _ = stp.on_spikes(jnp.full(4, 0.5))
    u, x = np.array([0.0, 0.3, 0.7, 0.2]), np.array([1.0, 0.8, 0.4, 0.6])
    before = u if tau_F > 0 else 0.0
    u_half = u + 0.5 * (0.5 + 0.5 * before - u)
    np.testing.assert_allclose(half, 0.5 * u_half * x, rtol=1e-6)
