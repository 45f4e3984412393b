"""Synaptic kinetics against closed forms and scipy: rise-decay, receptors, gaps."""

import itertools

import equinox as eqx
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.integrate import solve_ivp

import brainox as bx


def rise_decay(t, tau_r, tau_d):
    """K(t) = (exp(-t/tau_d) - exp(-t/tau_r)) / (1/tau_r - 1/tau_d); t exp(-t/tau)."""
    t, tau_r, tau_d = np.broadcast_arrays(t, tau_r, tau_d)
    equal = np.isclose(tau_r, tau_d, rtol=1e-12)
    c = np.where(equal, 1.0, 1 / tau_r - 1 / tau_d)
    k = (np.exp(-t / tau_d) - np.exp(-t / tau_r)) / c
    return np.where(equal, t * np.exp(-t / tau_d), k)


def increments_at(steps, weights, n_steps, n):
    """An input array (n_steps, n): `weights[j]` delivered at step `steps[j]`."""
    x = np.zeros((n_steps, n), np.float32)
    for s, w in zip(steps, weights, strict=True):
        x[s] += w
    return jnp.asarray(x)


# --- dual exponential and alpha ---------------------------------------------


def test_dual_exponential_single_spike_matches_closed_form_and_peaks_at_weight():
    tau_r = np.array([0.5, 1.0, 2.0, 5.0, 3.0])
    tau_d = np.array([5.0, 10.0, 2.0, 5.0001, 1.0])  # alpha limit, near it, swapped
    w = np.array([1.0, 6.0, 2.0, 0.5, 3.0])
    syn = bx.synapses.DualExponential(5, tau_rise=tau_r, tau_decay=tau_d)
    dt, n_steps = 0.01, 4000
    _, rec = bx.simulate(syn.add(w), n_steps=n_steps, dt=dt, monitors=["g"])
    t = (np.arange(n_steps) + 1)[:, None] * dt
    # The documented normalisation: the peak time and a peak equal to the weight.
    equal = tau_r == tau_d
    gap = np.where(equal, 1.0, tau_d - tau_r)
    t_peak = np.where(equal, tau_d, tau_r * tau_d / gap * np.log(tau_d / tau_r))
    expected = w * rise_decay(t, tau_r, tau_d) / rise_decay(t_peak, tau_r, tau_d)
    np.testing.assert_allclose(rec["g"], expected, rtol=0, atol=2e-5 * w.max())
    np.testing.assert_allclose(rec["g"].max(axis=0), w, rtol=1e-4)
    np.testing.assert_allclose(t[np.argmax(rec["g"], axis=0), 0], t_peak, atol=dt)
    np.testing.assert_allclose(syn.peak_time(), t_peak, rtol=1e-5)
    assert t_peak[1] == pytest.approx(2.558428, rel=1e-6)


def test_alpha_is_rall_alpha_function():
    tau = np.array([1.0, 2.0, 10.0])
    w = np.array([1.0, 1.5, 4.0])
    syn = bx.synapses.Alpha(3, tau=tau)
    dt, n_steps = 0.05, 1000
    _, rec = bx.simulate(
        syn,
        n_steps=n_steps,
        dt=dt,
        monitors=["g"],
        inputs=increments_at([0], [w], n_steps, 3),
    )
    t = (np.arange(n_steps) + 1)[:, None] * dt
    expected = w * t / tau * np.exp(1 - t / tau)
    np.testing.assert_allclose(rec["g"], expected, rtol=0, atol=1e-5 * w.max())
    np.testing.assert_allclose(t[np.argmax(rec["g"], axis=0), 0], tau, atol=dt)
    np.testing.assert_allclose(syn.increment_scale(), np.e / tau, rtol=1e-6)
    np.testing.assert_array_equal(syn.tau, tau)


def test_dual_exponential_trains_superpose():
    syn = bx.synapses.DualExponential(2, tau_rise=1.0, tau_decay=jnp.array([4.0, 8.0]))
    dt, n_steps = 0.1, 600
    steps, weights = [0, 15, 40, 41], [1.0, 2.0, 0.5, 0.25]
    x = increments_at(steps, weights, n_steps, 2)
    _, rec = bx.simulate(syn, n_steps=n_steps, dt=dt, inputs=x, monitors=["g"])
    t = (np.arange(n_steps) + 1)[:, None] * dt
    tau_d = np.array([4.0, 8.0])
    t_peak = 1.0 * tau_d / (tau_d - 1.0) * np.log(tau_d)
    expected = sum(
        w * np.where(t > s * dt, rise_decay(t - s * dt, 1.0, tau_d), 0)
        for s, w in zip(steps, weights, strict=True)
    ) / rise_decay(t_peak, 1.0, tau_d)
    np.testing.assert_allclose(rec["g"], expected, atol=2e-5)


# --- kinetic receptor schemes (AMPA, GABA_A) --------------------------------


def exact_receptor(alpha, beta, T, T_dur, spikes, t_eval):
    """r(t) of one synapse, the Destexhe scheme solved by scipy, pulse by pulse."""
    edges = sorted({0.0, *spikes, *(s + T_dur for s in spikes), t_eval[-1]})
    on = lambda t: any(s <= t < s + T_dur for s in spikes)
    r, out = np.zeros(1), []
    for a, b in itertools.pairwise(edges):
        Tc = T if on((a + b) / 2) else 0.0
        f = lambda t, y, Tc=Tc: alpha * Tc * (1 - y) - beta * y
        sol = solve_ivp(
            f, (a, b), r, method="LSODA", rtol=1e-10, atol=1e-12, dense_output=True
        )
        pts = t_eval[(t_eval > a) & (t_eval <= b)]
        out.append(sol.sol(pts)[0] if len(pts) else np.zeros(0))
        r = sol.y[:, -1]
    return np.concatenate(out)


@pytest.mark.parametrize(
    "cls, alpha, beta, r_peak",
    [
        (bx.synapses.AMPA, 1.1, 0.19, 0.617986),
        (bx.synapses.GABAa, 5.0, 0.18, 0.959819),
    ],
)
def test_receptor_pulse_response_matches_kinetic_scheme(cls, alpha, beta, r_peak):
    # Neuron 0: one spike; neuron 1: spikes from two different presynaptic
    # neurons 0.3 ms apart with overlapping pulses (summed exactly); neuron 2: the
    # linearised scheme would be 60 % off, so a wrong model fails here.
    dt, n_steps = 0.1, 300
    syn = cls(3, dt=dt)
    assert syn.pulse_steps == 10 and syn.T_dur == pytest.approx(1.0)
    assert float(syn.r_peak()) == pytest.approx(r_peak, rel=1e-5)
    x = np.zeros((n_steps, 3), np.float32)
    x[20, 0] = 2.0
    x[20, 1], x[23, 1] = 1.0, 3.0
    _, rec = bx.simulate(
        syn,
        n_steps=n_steps,
        dt=dt,
        inputs=jnp.asarray(x),
        monitors={"g": lambda s: s.output()},
    )
    t = (np.arange(n_steps) + 1) * dt
    single = lambda t0: exact_receptor(alpha, beta, 1.0, 1.0, [t0], t)
    np.testing.assert_allclose(rec["g"][:, 0], 2.0 * single(2.0), atol=2e-6)
    np.testing.assert_allclose(
        rec["g"][:, 1], single(2.0) + 3.0 * single(2.3), atol=4e-6
    )
    assert rec["g"][:, 0].max() == pytest.approx(2.0 * r_peak, rel=1e-5)


@pytest.mark.parametrize("rate, low, high", [(20.0, 0.0, 1e-4), (50.0, 0.01, 0.02)])
def test_repeated_spikes_of_one_synapse_have_the_documented_error(rate, low, high):
    # A periodic train from one presynaptic neuron: the post-side AMPA ignores
    # what is left of r at each spike; the error is as its docstring states.
    dt, n_steps = 0.1, 2000
    isi = int(round(1000.0 / rate / dt))
    steps = list(range(0, n_steps, isi))
    syn = bx.synapses.AMPA(1, dt=dt)
    _, rec = bx.simulate(
        syn,
        n_steps=n_steps,
        dt=dt,
        inputs=increments_at(steps, [1.0] * len(steps), n_steps, 1),
        monitors={"g": lambda s: s.output()},
    )
    t = (np.arange(n_steps) + 1) * dt
    exact = exact_receptor(1.1, 0.19, 1.0, 1.0, [s * dt for s in steps], t)
    late = t > 100.0
    error = rec["g"][late, 0].mean() / exact[late].mean() - 1
    assert low <= error < high


def test_receptor_in_a_network_and_errors():
    dt, n = 0.1, 2
    src = bx.LIF(n, V_th=-60.0, V_reset=-80.0, t_ref=50.0)  # fires in step 0
    post = bx.LIF(n, V_th=1e3)
    table = bx.connect.OutDegreeTable(jnp.array([[0], [1]]), n_post=n)
    net = bx.Network(
        {"src": src, "post": post},
        {
            "ampa": bx.Projection(
                "src",
                "post",
                table,
                2.0,
                synapse=bx.synapses.AMPA(n, dt=dt),
                output=bx.outputs.COBA(E=0.0),
            )
        },
    )
    _, rec = bx.simulate(
        net,
        n_steps=100,
        dt=dt,
        monitors={
            "g": lambda m: m.projections["ampa"].synapse.output(),
            "s": "populations.src.spike",
        },
        inputs={"src": lambda s, t: 2000.0},
    )
    first = int(np.argmax(rec["s"][:, 0]))
    t = (np.arange(100) + 1) * dt
    arrival = (first + 1) * dt
    expected = 2.0 * exact_receptor(1.1, 0.19, 1.0, 1.0, [arrival], t)
    np.testing.assert_allclose(rec["g"][:, 0], expected, atol=1e-5)
    with pytest.raises(ValueError, match="built for dt = 0.1"):
        bx.synapses.AMPA(2, dt=0.1).step(None, 0.05)
    with pytest.raises(ValueError, match="`T_dur`"):
        bx.synapses.GABAa(2, dt=0.1, T_dur=0.01)
    with pytest.raises(ValueError, match="`beta` must be > 0"):
        bx.synapses.AMPA(2, dt=0.1, beta=0.0)
    with pytest.raises(ValueError, match="`tau_rise` must be > 0"):
        bx.synapses.DualExponential(2, tau_rise=-1.0)
    with pytest.raises(ValueError, match="`tau` must be > 0"):
        bx.synapses.Alpha(2, tau=0.0)
    with pytest.raises(ValueError, match="`alpha` must be > 0"):
        bx.synapses.NMDA(2, alpha=0.0)
    with pytest.raises(ValueError, match="`increments` has shape"):
        bx.synapses.AMPA(2, dt=0.1).add(jnp.ones(3))
    assert bx.state_counts(bx.synapses.AMPA(2, dt=0.1)) == {
        "param": 3,
        "Hidden": 2,
        "ShortTerm": 2,
        "LongTerm": 0,
    }


# --- NMDA --------------------------------------------------------------------


def exact_nmda(alpha, tau_r, tau_d, t):
    f = lambda _, y: [-y[0] / tau_r, -y[1] / tau_d + alpha * y[0] * (1 - y[1])]
    return solve_ivp(
        f, (0, t[-1]), [1.0, 0.0], method="LSODA", t_eval=t, rtol=1e-10, atol=1e-12
    ).y[1]


def test_nmda_is_saturated_single_spike_amplitude_and_linear_limit():
    alpha = np.array([0.5, 0.001])
    syn = bx.synapses.NMDA(2, tau_rise=2.0, tau_decay=100.0, alpha=alpha)
    dt, n_steps = 0.1, 3000
    _, rec = bx.simulate(syn.add(1.0), n_steps=n_steps, dt=dt, monitors=["g"])
    t = (np.arange(n_steps) + 1) * dt
    # The linear model it integrates, in closed form.
    a_sat = 1 - np.exp(-alpha * 2.0)
    model = a_sat / 2.0 * rise_decay(t[:, None], 2.0, 100.0)
    np.testing.assert_allclose(rec["g"] / a_sat, model / a_sat, rtol=0, atol=1e-5)
    # Against Brunel & Wang's saturating model: the documented peak and area.
    exact = exact_nmda(0.5, 2.0, 100.0, t)
    assert rec["g"][:, 0].max() == pytest.approx(0.5836, abs=2e-4)
    assert exact.max() == pytest.approx(0.5918, abs=2e-4)
    assert rec["g"][:, 0].sum() * dt == pytest.approx(exact.sum() * dt, rel=0.02)
    # Where alpha tau_rise << 1 the model is the exact one.
    weak = exact_nmda(0.001, 2.0, 100.0, t)
    np.testing.assert_allclose(rec["g"][:, 1], weak, atol=5e-3 * weak.max())


def test_nmda_with_mg_block_output():
    table = bx.connect.OutDegreeTable(jnp.array([[0, 1]]), n_post=2)
    proj = bx.Projection(
        "a",
        "b",
        table,
        1.0,
        synapse=bx.synapses.NMDA(2),
        output=bx.outputs.MgBlock(E=0.0, Mg=1.0),
    )
    g = jnp.array([2.0, 3.0])
    proj = eqx.tree_at(lambda p: p.synapse.g, proj, proj.synapse.g.replace(g))
    post = bx.LIF(2, V_init=jnp.array([-65.0, -20.0]))
    V = np.array([-65.0, -20.0])
    expected = np.array([2.0, 3.0]) * -V / (1 + np.exp(-0.062 * V) / 3.57)
    np.testing.assert_allclose(proj.current(None, post), expected, rtol=1e-5)


# --- gap junctions -------------------------------------------------------------


def test_two_coupled_passive_neurons_relax_as_derived():
    # tau dV_i/dt = -(V_i - E) + R 1e-3 g (V_j - V_i): the mean decays at 1/tau,
    # the difference at (1 + 2 g R 1e-3) / tau. The coupling current is held over
    # a step, a first-order splitting: the error halves with dt.
    tau, R, g, E = 10.0, 100.0, 2.0, -65.0
    V0 = np.array([-50.0, -70.0])
    table = bx.connect.OutDegreeTable(jnp.array([[1], [0]]), n_post=2)

    def run(dt):
        net = bx.Network(
            {"n": bx.LIF(2, tau=tau, R=R, V_rest=E, V_th=1e3, V_init=V0)},
            {"gap": bx.GapJunction("n", "n", table, g)},
        )
        _, rec = bx.simulate(
            net,
            20.0,
            dt=dt,
            monitors={"V": "populations.n.V"},
            record_every=int(round(1.0 / dt)),
        )
        t = rec["t"][:, None]
        mean = E + (V0.mean() - E) * np.exp(-t / tau)
        diff = (V0[0] - V0[1]) * np.exp(-t * (1 + 2 * g * R * 1e-3) / tau)
        expected = mean + np.array([0.5, -0.5]) * diff
        return np.abs(rec["V"] - expected).max()

    coarse, fine = run(0.02), run(0.01)
    assert fine < 3e-3 * 20.0
    assert coarse / fine == pytest.approx(2.0, rel=0.1)


def symmetric_table(n, p, seed):
    rng = np.random.default_rng(seed)
    A = np.triu(rng.random((n, n)) < p, 1)
    A = A | A.T
    degree = A.sum(1).max()
    rows = [
        np.concatenate([np.flatnonzero(r), np.full(degree - r.sum(), n)]) for r in A
    ]
    return bx.connect.OutDegreeTable(jnp.asarray(np.stack(rows)), n_post=n), A


def test_gap_junction_network_conserves_charge():
    n, tau, E = 50, 20.0, -65.0
    table, A = symmetric_table(n, 0.2, 0)
    V0 = np.random.default_rng(1).uniform(-80.0, -50.0, n).astype(np.float32)
    pop = bx.LIF(n, tau=tau, R=100.0, V_rest=E, V_th=1e3, V_init=V0)
    gap = bx.GapJunction("n", "n", table, 1.0)
    # The current against the dense formula g (A^T V - deg V).
    np.testing.assert_allclose(
        gap.current(pop, pop), A.T @ V0 - A.sum(0) * V0, rtol=1e-5, atol=1e-3
    )
    net = bx.Network({"n": pop}, {"gap": gap})
    dt = 0.1
    _, rec = bx.simulate(
        net,
        50.0,
        dt=dt,
        monitors={
            "V": "populations.n.V",
            "I": lambda m: m.projections["gap"].current(
                m.populations["n"], m.populations["n"]
            ),
        },
    )
    # Each pair exchanges equal and opposite currents: the total is zero, so the
    # mean potential follows the uncoupled leak exactly while the spread shrinks
    # faster than it would alone.
    scale = np.abs(rec["I"]).max()
    assert scale > 10.0
    assert np.abs(rec["I"].sum(axis=1)).max() < 1e-5 * scale * n
    mean = E + (V0.mean() - E) * np.exp(-rec["t"] / tau)
    np.testing.assert_allclose(rec["V"].mean(axis=1), mean, rtol=1e-5)
    spread = rec["V"].std(axis=1)
    assert spread[-1] < 0.5 * V0.std() * np.exp(-50.0 / tau)


def test_gap_junction_between_two_populations_and_errors():
    table = bx.connect.OutDegreeTable(jnp.array([[0, 1], [1, 2], [0, 2]]), n_post=2)
    g = jnp.array([[1.0, 2.0], [0.5, 0.0], [3.0, 0.0]])
    gap = bx.GapJunction("a", "b", table, g)
    a = bx.LIF(3, V_init=jnp.array([-60.0, -70.0, -50.0]))
    b = bx.LIF(2, V_init=jnp.array([-65.0, -55.0]))
    # b0 <- a0 (1 nS), a2 (3 nS); b1 <- a0 (2 nS), a1 (0.5 nS).
    expected = [1.0 * 5.0 + 3.0 * 15.0, 2.0 * -5.0 + 0.5 * -15.0]
    np.testing.assert_allclose(gap.current(a, b), expected, rtol=1e-6)
    assert gap.deliver(a) == (gap, None)
    with pytest.raises(ValueError, match="table is 3 -> 2"):
        gap.current(b, b)
    with pytest.raises(ValueError, match="`weight` has shape"):
        bx.GapJunction("a", "b", table, jnp.ones(3))
