"""Pair STDP in a simulated network against hand-computed sums over spike pairs."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainox as bx


DT = 0.1  # ms
PULSE = 1e5  # pA: a LIF (R = 100 MOhm) driven by this spikes within the step


def replay_network(table, rules, w0=0.0):
    """Two LIF populations that fire exactly at the steps of their input pulses.

    `rules` maps a projection name to `(plasticity, propagation)`: one plastic
    projection pre -> post each, so several variants share one simulation.
    """
    weight = bx.LongTerm(jnp.full(table.indices.shape, w0, jnp.float32))
    projections = {
        name: bx.Projection(
            "pre", "post", table, weight, propagation=prop, plasticity=rule
        )
        for name, (rule, prop) in rules.items()
    }
    populations = {"pre": bx.LIF(table.n_pre), "post": bx.LIF(table.n_post)}
    return bx.Network(populations, projections)


def replay(net, pre_raster, post_raster):
    """Simulate with spikes forced at the True entries of the rasters (steps, n)."""
    inputs = {
        "pre": jnp.asarray(pre_raster * PULSE, jnp.float32),
        "post": jnp.asarray(post_raster * PULSE, jnp.float32),
    }
    net, rec = bx.simulate(
        net,
        n_steps=pre_raster.shape[0],
        dt=DT,
        inputs=inputs,
        spikes={"pre": "populations.pre.spike", "post": "populations.post.spike"},
    )
    for name, raster in (("pre", pre_raster), ("post", post_raster)):
        steps, index = np.nonzero(raster)
        np.testing.assert_array_equal(rec[name].step, steps)
        np.testing.assert_array_equal(rec[name].index, index)
    return net


def unbounded():
    return bx.plasticity.Additive(w_min=-np.inf, w_max=np.inf)


PROPAGATIONS = [bx.connect.Dense(), bx.connect.EventDriven()]
PAIRINGS = ["all-to-all", "nearest"]


def variants(**params):
    """Pair STDP for each pairing and propagation, by projection name."""
    return {
        f"{pairing} {type(prop).__name__}": (
            bx.plasticity.PairSTDP(
                **params, pairing=pairing, weight_dependence=unbounded()
            ),
            prop,
        )
        for pairing in PAIRINGS
        for prop in PROPAGATIONS
    }


def test_single_pair_at_plus_minus_10_ms_is_exact():
    A_plus, A_minus, tau_plus, tau_minus = 0.01, 0.012, 16.8, 33.7
    rules = variants(
        A_plus=A_plus, A_minus=A_minus, tau_plus=tau_plus, tau_minus=tau_minus
    )
    table = bx.connect.all_to_all(1, 2)
    # Post neuron 0 fires 10 ms after the pre spike, post neuron 1 10 ms before.
    pre = np.zeros((400, 1), bool)
    post = np.zeros((400, 2), bool)
    pre[150, 0] = True
    post[250, 0] = True
    post[50, 1] = True
    net = replay(replay_network(table, rules), pre, post)
    expect = [A_plus * np.exp(-10 / tau_plus), -A_minus * np.exp(-10 / tau_minus)]
    for name in rules:
        w = np.asarray(net.projections[name].weight.value)
        np.testing.assert_allclose(w[0], expect, rtol=2e-6, err_msg=name)


def pair_sums(pre_times, post_times, A_plus, A_minus, tau_plus, tau_minus, nearest):
    """Weight change of one synapse, summed over spike pairs (no simulation)."""
    total = 0.0
    for t_post in post_times:
        before = pre_times[pre_times < t_post]
        if nearest:
            before = before[-1:]
        total += A_plus * np.sum(np.exp(-(t_post - before) / tau_plus))
    for t_pre in pre_times:
        before = post_times[post_times < t_pre]
        if nearest:
            before = before[-1:]
        total -= A_minus * np.sum(np.exp(-(t_pre - before) / tau_minus))
    return total


def test_spike_trains_match_sums_over_pairs():
    params = dict(A_plus=0.01, A_minus=0.0105, tau_plus=16.8, tau_minus=33.7)
    rules = variants(**params)
    n_steps, n_pre, n_post = 2000, 6, 4
    rng = np.random.default_rng(0)
    # 50-100 Hz trains: several spikes within a window, where pairings differ.
    pre = rng.random((n_steps, n_pre)) < rng.uniform(5e-3, 1e-2, n_pre)
    post = rng.random((n_steps, n_post)) < rng.uniform(5e-3, 1e-2, n_post)
    table = bx.connect.fixed_probability(jax.random.key(3), n_pre, n_post, 0.6)
    net = replay(replay_network(table, rules), pre, post)
    indices = np.asarray(table.indices)
    times = (np.arange(n_steps) + 1) * DT  # a spike of step n happens at (n+1) dt
    for name in rules:
        w = np.asarray(net.projections[name].weight.value)
        got, expect = [], []
        for i in range(n_pre):
            for c, j in enumerate(indices[i]):
                if j == n_post:
                    continue
                got.append(w[i, c])
                expect.append(
                    pair_sums(
                        times[pre[:, i]], times[post[:, j]], **params,
                        nearest=name.startswith("nearest"),
                    )
                )  # fmt: skip
        assert len(got) >= 10
        # float32 traces are decayed by a rounded factor each step: a pair
        # `lag` steps apart carries a relative error up to lag x 6e-8, on
        # terms summing to about 0.1 in absolute value.
        np.testing.assert_allclose(got, expect, rtol=5e-5, atol=2e-6, err_msg=name)


def test_all_to_all_and_nearest_differ_at_high_rates():
    # The same trains give different totals: the test above tells them apart.
    pre_times = np.array([1.0, 3.0, 5.0])
    post_times = np.array([6.0])
    args = (0.01, 0.0105, 16.8, 33.7)
    a2a = pair_sums(pre_times, post_times, *args, nearest=False)
    nn = pair_sums(pre_times, post_times, *args, nearest=True)
    assert a2a == pytest.approx(0.01 * np.exp(-np.array([5, 3, 1]) / 16.8).sum())
    assert nn == pytest.approx(0.01 * np.exp(-1 / 16.8))


def sequential_reference(pre_steps, post_steps, n_steps, rule):
    """Soft-bound pair STDP event by event in float64, per the documented order."""
    w, x_pre, x_post = 0.3, 0.0, 0.0
    decay_pre, decay_post = np.exp(-DT / 16.8), np.exp(-DT / 33.7)
    for n in range(n_steps):
        x_pre *= decay_pre
        x_post *= decay_post
        if n in pre_steps:
            w -= rule["A_minus"] * x_post * (w - 0.0) / 1.0
        if n in post_steps:
            w += rule["A_plus"] * x_pre * (1.0 - w) / 1.0
        x_pre += n in pre_steps
        x_post += n in post_steps
    return w


def test_multiplicative_soft_bounds_follow_the_event_order():
    rule = dict(A_plus=0.2, A_minus=0.25)
    soft = bx.plasticity.Multiplicative(w_min=0.0, w_max=1.0)
    stdp = bx.plasticity.PairSTDP(**rule, tau_plus=16.8, tau_minus=33.7,
                                  weight_dependence=soft)  # fmt: skip
    n_steps = 3000
    rng = np.random.default_rng(1)
    pre = rng.random((n_steps, 1)) < 0.01
    post = rng.random((n_steps, 1)) < 0.01
    pre[1000, 0] = post[1000, 0] = True  # simultaneous spikes: both updates
    table = bx.connect.all_to_all(1, 1)
    rules = {"soft": (stdp, bx.connect.Dense())}
    net = replay(replay_network(table, rules, w0=0.3), pre, post)
    expect = sequential_reference(
        set(np.nonzero(pre[:, 0])[0]), set(np.nonzero(post[:, 0])[0]), n_steps, rule
    )
    w = float(net.projections["soft"].weight.value[0, 0])
    assert 0.0 < w < 1.0
    assert w == pytest.approx(expect, rel=5e-5)  # float32 decay factors


def test_additive_hard_bounds_clip():
    bounds = bx.plasticity.Additive(w_min=0.0, w_max=0.02)
    stdp = bx.plasticity.PairSTDP(0.015, 0.015, 20.0, 20.0, weight_dependence=bounds)
    pre = np.zeros((600, 1), bool)
    post = np.zeros((600, 2), bool)
    pre[[100, 300], 0] = True
    post[[101, 301], 0] = True  # two potentiations of ~0.0146: 0.0292 -> 0.02
    post[[99, 299], 1] = True  # two depressions from 0.0: stays at 0
    table = bx.connect.all_to_all(1, 2)
    net = replay(replay_network(table, {"hard": (stdp, bx.connect.Dense())}), pre, post)
    np.testing.assert_allclose(net.projections["hard"].weight.value[0], [0.02, 0.0])


def poisson_network(key, propagations, n_pre=100, n_post=20):
    """Poisson inputs onto LIF neurons through one plastic projection per strategy."""
    k1, k2, k3 = jax.random.split(key, 3)
    table = bx.connect.fixed_probability(k1, n_pre, n_post, 0.3)
    w0 = jax.random.uniform(k2, table.indices.shape, minval=0.0, maxval=1.0)
    projections = {}
    for prop in propagations:
        stdp = bx.plasticity.PairSTDP(
            0.01, 0.0105, 20.0, 20.0,
            weight_dependence=bx.plasticity.Additive(0.0, 1.0),
        )  # fmt: skip
        projections[type(prop).__name__] = bx.Projection(
            "src", "out", table, bx.LongTerm(w0), plasticity=stdp,
            propagation=prop, synapse=bx.synapses.Exponential(n_post, tau=5.0),
            output=bx.outputs.COBA(E=0.0),
        )  # fmt: skip
    populations = {
        "src": bx.inputs.PoissonGroup(n_pre, 40.0, key=k3),
        "out": bx.LIF(n_post, V_rest=-70.0, V_reset=-70.0, V_th=-54.0),
    }
    return bx.Network(populations, projections), w0


def test_dense_and_event_driven_give_the_same_weights():
    # Both projections see the same spikes (one network): the rules must agree.
    net, w0 = poisson_network(jax.random.key(7), PROPAGATIONS)
    net, rec = bx.simulate(net, 200.0, dt=DT, spikes={"out": "populations.out.spike"})
    assert len(rec["out"].index) > 50  # the post neurons fire: both updates act
    dense = np.asarray(net.projections["Dense"].weight.value)
    event = np.asarray(net.projections["EventDriven"].weight.value)
    assert np.mean(np.abs(dense - np.asarray(w0))) > 1e-3  # the weights did move
    np.testing.assert_allclose(dense, event, rtol=0, atol=1e-6)


def test_only_event_driven_propagation_derives_the_in_degree_table():
    strategies = [bx.connect.FixedInDegreeGather(), bx.connect.EventDriven()]
    net, _ = poisson_network(jax.random.key(7), strategies)
    assert net.projections["FixedInDegreeGather"].plasticity.in_table is None
    assert net.projections["EventDriven"].plasticity.in_table is not None


def test_plastic_step_jits_once_and_weights_stay_dynamic():
    table = bx.connect.all_to_all(2, 2)
    rules = {"plastic": (bx.plasticity.PairSTDP(), bx.connect.EventDriven())}
    net = replay_network(table, rules, w0=0.5)
    traces = []

    @eqx.filter_jit
    def step(net, x):
        traces.append(None)
        return net.step(x, DT)

    weights = []
    for n in range(60):
        pulse = jnp.full(2, PULSE * (n % 20 == 0), jnp.float32)
        late = jnp.full(2, PULSE * (n % 20 == 5), jnp.float32)
        net = step(net, {"pre": pulse, "post": late})
        weights.append(np.asarray(net.projections["plastic"].weight.value))
    assert len(traces) == 1
    assert len({w.tobytes() for w in weights}) >= 3  # changed, without retracing
    # A reset restores the traces and keeps the learned weights.
    proj = net.projections["plastic"]
    assert float(proj.plasticity.pre_trace.value.max()) > 0.0
    fresh = bx.reset(net).projections["plastic"]
    assert float(jnp.abs(fresh.plasticity.pre_trace.value).max()) == 0.0
    np.testing.assert_array_equal(fresh.weight.value, proj.weight.value)


def test_gradient_of_the_weight_change_wrt_the_amplitude():
    # dw = A_plus exp(-10 / tau_plus), so d(dw)/dA_plus = exp(-10 / tau_plus).
    table = bx.connect.all_to_all(1, 1)
    pre = np.zeros((300, 1), bool)
    post = np.zeros((300, 1), bool)
    pre[100, 0] = True
    post[200, 0] = True

    def final_weight(A_plus):
        stdp = bx.plasticity.PairSTDP(A_plus, 0.01, 16.8, 33.7,
                                      weight_dependence=unbounded())  # fmt: skip
        net = replay_network(table, {"plastic": (stdp, bx.connect.Dense())})
        inputs = {"pre": jnp.asarray(pre * PULSE, jnp.float32),
                  "post": jnp.asarray(post * PULSE, jnp.float32)}  # fmt: skip
        net, _ = bx.simulate(net, n_steps=300, dt=DT, inputs=inputs)
        return net.projections["plastic"].weight.value[0, 0]

    grad = jax.grad(final_weight)(jnp.asarray(0.01))
    assert float(grad) == pytest.approx(np.exp(-10 / 16.8), rel=1e-5)


def test_construction_errors_name_the_fix():
    table = bx.connect.all_to_all(3, 2)
    stdp = bx.plasticity.PairSTDP()
    with pytest.raises(ValueError, match="LongTerm"):
        bx.Projection("a", "b", table, 0.5, plasticity=stdp)
    with pytest.raises(ValueError, match=r"table's shape \(3, 2\)"):
        bx.Projection("a", "b", table, bx.LongTerm(jnp.zeros(3)), plasticity=stdp)
    with pytest.raises(ValueError, match="pairing"):
        bx.plasticity.PairSTDP(pairing="closest")
    with pytest.raises(ValueError, match="tau_plus"):
        bx.plasticity.PairSTDP(tau_plus=-1.0)
    with pytest.raises(ValueError, match="finite bounds"):
        bx.plasticity.Multiplicative(w_max=np.inf)
    with pytest.raises(ValueError, match="w_min"):
        bx.plasticity.Additive(w_min=1.0, w_max=0.5)
    with pytest.raises(ValueError, match="prepare"):
        stdp.step(table, jnp.zeros((3, 2)), jnp.zeros(3), jnp.zeros(2), DT)


def test_a_modulator_input_needs_a_modulated_rule():
    table = bx.connect.all_to_all(1, 1)
    net = replay_network(table, {"plastic": (bx.plasticity.PairSTDP(), None)})
    with pytest.raises(ValueError, match="takes no neuromodulator"):
        jax.eval_shape(lambda: net.step({"plastic": 1.0}, DT))
    fixed = bx.Network(
        {"pre": bx.LIF(1), "post": bx.LIF(1)},
        {"p": bx.Projection("pre", "post", table, 0.5)},
    )
    with pytest.raises(ValueError, match="only a plastic projection"):
        jax.eval_shape(lambda: fixed.step({"p": 1.0}, DT))


@pytest.mark.parametrize(
    "propagation, delay, read_at",
    [
        (bx.connect.EventDriven(), "per-synapse", "emission"),
        (bx.connect.Dense(), "per-synapse", "emission"),
        (bx.connect.FixedInDegreeGather(), "per-synapse", "arrival"),
        (bx.connect.EventDriven(), "homogeneous", "arrival"),
    ],
)
def test_which_weight_a_delayed_spike_carries(propagation, delay, read_at):
    # A spike sent at step 9 through a 5 ms delay, while STDP raises the weight
    # (post spike at step 19): per-synapse delays on scatter strategies carry
    # the weight of the moment the spike was sent, the gather and homogeneous
    # delays read it when the spike arrives (as documented on bx.Projection).
    from types import SimpleNamespace as Population

    dt, A_plus, tau_plus = 0.1, 0.5, 20.0
    table = bx.connect.OutDegreeTable(jnp.array([[0, 1]]), n_post=2)
    proj = bx.Projection(
        "pre",
        "post",
        table,
        bx.LongTerm(jnp.ones((1, 2))),
        synapse=bx.synapses.Exponential(2, tau=5.0),
        delay=jnp.full((1, 2), 5.0) if delay == "per-synapse" else 5.0,
        dt=dt,
        propagation=propagation,
        plasticity=bx.plasticity.PairSTDP(
            A_plus=A_plus, A_minus=0.0, tau_plus=tau_plus
        ),
    )
    peak = np.zeros(2)
    for step in range(80):
        pre_spike = jnp.array([1.0 if step == 9 else 0.0])
        post_spike = jnp.array([1.0, 0.0]) if step == 19 else jnp.zeros(2)
        pre = Population(spike=Population(value=pre_spike), voltage=jnp.zeros(1))
        post = Population(spike=Population(value=post_spike), voltage=jnp.zeros(2))
        proj, _ = proj.deliver(pre)
        proj = proj.integrate(dt).plasticity_step(pre, post, dt)
        peak = np.maximum(peak, np.asarray(proj.synapse.g.value))
    raised = 1.0 + A_plus * np.exp(-10 * dt / tau_plus)  # synapse 0 after step 19
    np.testing.assert_allclose(np.asarray(proj.weights())[0], [raised, 1.0], rtol=1e-6)
    carried = raised if read_at == "arrival" else 1.0
    decay = np.exp(-dt / 5.0)  # the peak is one step after the arrival
    np.testing.assert_allclose(peak, [carried * decay, decay], rtol=1e-5)


def test_a_rule_takes_the_precision_of_float64_weights():
    # Under 64-bit mode a projection with float64 weights runs its rule in
    # float64 (traces and amplitudes): a 10 ms pair gives A_plus exp(-10/20)
    # to float64 rounding, not float32's.
    from types import SimpleNamespace as Population

    with jax.enable_x64(True):
        table = bx.connect.OutDegreeTable(jnp.array([[0]]), n_post=1)
        proj = bx.Projection(
            "pre",
            "post",
            table,
            bx.LongTerm(jnp.full((1, 1), 0.5, jnp.float64)),
            propagation=bx.connect.Dense(),
            plasticity=bx.plasticity.PairSTDP(A_plus=0.01, A_minus=0.0),
        )
        assert proj.plasticity.pre_trace.value.dtype == jnp.float64
        for step in range(110):
            pre = Population(spike=Population(value=jnp.array([float(step == 5)])))
            post = Population(spike=Population(value=jnp.array([float(step == 105)])))
            proj = proj.plasticity_step(pre, post, 0.1)
        dw = float(proj.weights()[0, 0]) - 0.5
        assert dw == pytest.approx(0.01 * np.exp(-10.0 / 20.0), rel=1e-12)
