"""Delays: per-synapse arrival times, rounding, buffers, and runs in a network."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainox as bx
from pulse import Pulse


DT = 0.1  # ms

SCATTER_AND_GATHER = {
    "event": lambda table: bx.connect.EventDriven(),
    "event (xla loop)": lambda table: bx.connect.EventDriven(kernel="xla"),
    "dense": lambda table: bx.connect.Dense(),
    "gather": lambda table: bx.connect.FixedInDegreeGather(table),
    "compacted": lambda table: bx.connect.CompactedEventDriven(table.n_pre),
}


@eqx.filter_jit
def run_delay(delay, strategy, table, raster, weight):
    """Feed `raster[t]` at call t; return what arrives at each call."""

    def step(delay, spikes):
        arriving, delay = delay(strategy, table, spikes, weight)
        return delay, arriving

    return jax.lax.scan(step, delay, raster)[1]


def expected_arrivals(table, steps, raster, weight):
    """Spikes given at call t through synapse (i, k) arrive at call t + d - 1."""
    indices = np.asarray(table.indices)
    w = np.broadcast_to(np.asarray(weight, np.float64), indices.shape)
    n_steps = raster.shape[0]
    out = np.zeros((n_steps, table.n_post))
    for t, i in zip(*np.nonzero(raster), strict=True):
        for k, post in enumerate(indices[i]):
            arrival = t + steps[i, k] - 1
            if post < table.n_post and arrival < n_steps:
                out[arrival, post] += w[i, k] * raster[t, i]
    return out


def random_delays(key, table, low=0.1, high=2.0):
    return np.asarray(
        jax.random.uniform(key, table.indices.shape, minval=low, maxval=high)
    )


@pytest.mark.parametrize("name", SCATTER_AND_GATHER)
def test_each_synapse_delivers_exactly_its_delay_later(name, getkey):
    # One presynaptic neuron fires at a time; every synapse's weight reaches its
    # own post neuron exactly d steps after the spike (d rounded from ms).
    n_pre, n_post = 30, 20
    table = bx.connect.fixed_probability(getkey(), n_pre, n_post, 0.3)
    delays = random_delays(getkey(), table)
    strategy = SCATTER_AND_GATHER[name](table)
    delay = bx.delays.HeterogeneousDelay(table, delays, DT, propagation=strategy)
    steps = np.asarray(delay.steps)
    valid = np.asarray(table.indices) < n_post
    np.testing.assert_array_equal(steps[valid], np.round(delays / DT)[valid])
    assert delay.length == steps[valid].max() <= 20
    weight = np.random.default_rng(0).integers(1, 9, table.indices.shape)
    weight = weight.astype(np.float32)
    n_steps = 25
    onehot = np.zeros((n_pre, n_steps, n_pre), np.float32)
    onehot[np.arange(n_pre), 0, np.arange(n_pre)] = 1.0
    arrivals = jax.vmap(lambda r: run_delay(delay, strategy, table, r, weight))(onehot)
    arrivals = np.asarray(arrivals)
    indices = np.asarray(table.indices)
    for i in range(n_pre):
        expected = np.zeros((n_steps, n_post), np.float32)
        for k in np.flatnonzero(valid[i]):
            expected[steps[i, k] - 1, indices[i, k]] += weight[i, k]
        np.testing.assert_array_equal(arrivals[i], expected, err_msg=f"pre {i}")


@pytest.mark.parametrize("name", SCATTER_AND_GATHER)
@pytest.mark.parametrize("scalar", [True, False])
def test_random_spike_trains_arrive_on_time(name, scalar, getkey):
    n_pre, n_post, n_steps = 40, 25, 60
    table = bx.connect.fixed_probability(getkey(), n_pre, n_post, 0.25)
    delays = random_delays(getkey(), table, 0.05, 1.5)
    strategy = SCATTER_AND_GATHER[name](table)
    delay = bx.delays.HeterogeneousDelay(table, delays, DT, propagation=strategy)
    rng = np.random.default_rng(1)
    raster = (rng.random((n_steps, n_pre)) < 0.2).astype(np.float32)
    raster[5] = 1.0  # every neuron at once
    weight = (
        np.float32(3.0)
        if scalar
        else rng.integers(-4, 9, table.indices.shape).astype(np.float32)
    )
    out = run_delay(delay, strategy, table, raster, weight)
    expected = expected_arrivals(table, np.asarray(delay.steps), raster, weight)
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize(
    "ms, steps",
    [
        (1.04, 10),
        (1.06, 11),
        (1.0, 10),
        (0.06, 1),
        (0.1, 1),
        (0.25, 2),
        (0.34, 3),
        (0.36, 4),
    ],
)
def test_delays_are_rounded_to_the_nearest_step(ms, steps):
    # The rule of delay_steps: nearest step, halves to even, at least one step.
    assert bx.delays.delay_steps(ms, DT) == steps
    table = bx.connect.OutDegreeTable(jnp.array([[0, 1], [1, 2]]), n_post=2)
    delays = np.array([[ms, 0.3], [0.3, 123.0]])  # [1, 1] is padding: ignored
    delay = bx.delays.HeterogeneousDelay(table, delays, DT)
    np.testing.assert_array_equal(delay.steps, [[steps, 3], [3, 1]])
    assert delay.length == max(steps, 3)


@pytest.mark.parametrize("ms", [0.04, 0.05, 0.0, -1.0])
def test_a_delay_shorter_than_half_a_step_is_an_error(ms):
    table = bx.connect.OutDegreeTable(jnp.array([[0, 1]]), n_post=2)
    with pytest.raises(ValueError, match=r"`delay\[0, 1\]` .* shorter than half"):
        bx.delays.HeterogeneousDelay(table, np.array([[1.0, ms]]), DT)
    with pytest.raises(ValueError, match="shorter than half a step"):
        bx.delays.delay_steps(ms, DT)


def test_a_delay_longer_than_the_buffer_cannot_be_built():
    table = bx.connect.OutDegreeTable(jnp.array([[0, 1], [1, 0]]), n_post=2)
    delays = np.array([[0.5, 1.0], [1.5, 0.2]])
    message = (
        r"`delay\[1, 0\]` = 1.5 ms is 15 steps, longer than the buffer of "
        r"max_delay = 1.0 ms \(10 steps\); raise `max_delay` to at least 1.5 ms"
    )
    with pytest.raises(ValueError, match=message):
        bx.delays.HeterogeneousDelay(table, delays, DT, max_delay=1.0)
    ok = bx.delays.HeterogeneousDelay(table, delays, DT, max_delay=2.0)
    assert ok.length == 20 and ok.buffer.value.shape == (20, 2)
    with pytest.raises(ValueError, match="pass `max_delay=`"):
        jax.jit(lambda d: bx.delays.HeterogeneousDelay(table, d, DT).steps)(delays)


def test_traced_delays_are_checked_at_every_step():
    table = bx.connect.OutDegreeTable(jnp.array([[0, 1], [1, 0]]), n_post=2)
    strategy = bx.connect.EventDriven()

    @jax.jit
    def first_input(delays):
        delay = bx.delays.HeterogeneousDelay(table, delays, DT, max_delay=1.0)
        return delay(strategy, table, jnp.ones(2), 1.0)[0]

    np.testing.assert_array_equal(first_input(jnp.full((2, 2), 0.1)), [2.0, 2.0])
    with pytest.raises(Exception, match="longer than the buffer of 10 steps"):
        jax.block_until_ready(first_input(jnp.full((2, 2), 1.5)))


def test_bad_delay_arguments(getkey):
    table = bx.connect.fixed_probability(getkey(), 10, 8, 0.5)
    with pytest.raises(ValueError, match="one delay \\(ms\\) per synapse"):
        bx.Projection("a", "b", table, 1.0, delay=np.ones((3, 3)), dt=DT)
    with pytest.raises(ValueError, match="pass `dt=`"):
        bx.Projection("a", "b", table, 1.0, delay=np.ones(table.indices.shape))

    class Plain(bx.connect.AbstractPropagation):
        def __call__(self, table, spikes, weight):
            return bx.connect.Dense()(table, spikes, weight)

    with pytest.raises(TypeError, match="Plain does not support heterogeneous"):
        bx.Projection(
            "a",
            "b",
            table,
            1.0,
            propagation=Plain(),
            delay=np.ones(table.indices.shape),
            dt=DT,
        )
    conn = bx.connect.Procedural(getkey(), 10, 8, in_degree=2)
    # Runtime type checks (jaxtyping + beartype) may reject it first.
    with pytest.raises(TypeError, match="need a stored table|parameter 'table'"):
        bx.delays.HeterogeneousDelay(conn, 1.0, DT)  # type: ignore[arg-type]
    # A homogeneous delay works with procedural connectivity.
    proj = bx.Projection("a", "b", conn, 1.0, delay=1.0, dt=DT)
    assert isinstance(proj.delay, bx.delays.HomogeneousDelay)


@pytest.mark.parametrize("ms", [np.nan, np.inf, -np.inf])
def test_a_delay_that_is_not_finite_is_an_error(ms):
    with pytest.raises(
        ValueError, match=f"`delay` must be a finite number of ms, got {ms}"
    ):
        bx.delays.delay_steps(ms, DT)
    with pytest.raises(ValueError, match="finite number of ms"):
        bx.Projection("a", "b", bx.connect.one_to_one(3), 1.0, delay=ms, dt=DT)
    table = bx.connect.OutDegreeTable(jnp.array([[0, 1]]), n_post=2)
    with pytest.raises(ValueError, match=r"`delay\[0, 1\]` is .*must be finite"):
        bx.delays.HeterogeneousDelay(table, np.array([[1.0, ms]]), DT)


@pytest.mark.parametrize("dt", [0.0, -0.1, np.nan])
def test_delay_steps_needs_a_positive_step(dt):
    with pytest.raises(ValueError, match="`dt` must be a positive number of ms"):
        bx.delays.delay_steps(1.0, dt)


def test_traced_delays_in_a_projection_need_a_fixed_buffer():
    # A traced delay cannot size a buffer: the errors say what to build instead,
    # and that (a HeterogeneousDelay with max_delay) gives the concrete result.
    table = bx.connect.OutDegreeTable(jnp.array([[0, 1], [1, 0]]), n_post=2)
    with pytest.raises(TypeError, match="`delay` is traced"):
        jax.jit(lambda d: bx.Projection("a", "b", table, 1.0, delay=d, dt=DT).weight)(
            jnp.asarray(1.0)
        )
    with pytest.raises(
        TypeError, match=r"HeterogeneousDelay\(table, delay, dt, max_delay"
    ):
        jax.jit(lambda d: bx.Projection("a", "b", table, 1.0, delay=d, dt=DT).weight)(
            jnp.full((2, 2), 1.0)
        )

    def arrivals(delays, traced):
        if traced:
            delay = bx.delays.HeterogeneousDelay(table, delays, DT, max_delay=1.0)
        else:
            delay = delays
        proj = bx.Projection("a", "b", table, 1.0, delay=delay, dt=DT)
        out = []
        for spikes in ([1.0, 0.0], [0.0, 1.0]) + ([0.0, 0.0],) * 8:
            pre = bx.LIF(2).with_states(spike=jnp.asarray(spikes))
            proj, increments = proj.deliver(pre)
            out.append(increments)
        return jnp.stack(out)

    delays = np.array([[0.3, 0.7], [0.2, 1.0]])
    concrete = arrivals(delays, traced=False)
    traced = jax.jit(lambda d: arrivals(d, traced=True))(jnp.asarray(delays))
    np.testing.assert_array_equal(traced, concrete)
    # Neuron 0 (step 0) reaches post 0 after 3 steps and post 1 after 7; neuron 1
    # (step 1) reaches post 1 after 2 steps and post 0 after 10 (past the window).
    expected = np.zeros((10, 2))
    expected[2, 0] = expected[6, 1] = expected[2, 1] = 1.0
    np.testing.assert_array_equal(concrete, expected)


@pytest.mark.parametrize("delay", [1.0, "per-synapse"])
def test_a_delay_refuses_another_step(delay):
    # Built for 0.1 ms, the delay counts steps of 0.1 ms: stepped at 0.05 ms it
    # would deliver after half the delay; the run refuses instead.
    table = bx.connect.one_to_one(2)
    if delay == "per-synapse":
        delay = np.full(table.indices.shape, 1.0)
    net = bx.Network(
        {"src": Pulse(2, 0), "post": bx.LIF(2)},
        {"p": bx.Projection("src", "post", table, 1.0, delay=delay, dt=0.1)},
    )
    message = r"the delay of projection 'src' -> 'post' was built for dt = 0.1 ms"
    with pytest.raises(ValueError, match=message):
        bx.simulate(net, n_steps=10, dt=0.05)
    bx.simulate(net, n_steps=10, dt=0.1)


def test_a_homogeneous_delay_buffers_spikes_in_the_weights_dtype():
    table = bx.connect.one_to_one(3)
    weight = jnp.asarray(0.5, jnp.bfloat16)
    proj = bx.Projection("a", "b", table, weight, delay=0.5, dt=DT)
    assert proj.delay.buffer.value.dtype == jnp.bfloat16


def test_a_ready_delay_object_is_resized_for_the_strategy(getkey):
    table = bx.connect.fixed_probability(getkey(), 12, 7, 0.5)
    delay = bx.delays.HeterogeneousDelay(table, random_delays(getkey(), table), DT)
    assert delay.buffer.value.shape == (delay.length, 7)  # future input, post side
    proj = bx.Projection(
        "a",
        "b",
        table,
        1.0,
        delay=delay,
        propagation=bx.connect.FixedInDegreeGather(),
    )
    assert proj.delay.buffer.value.shape == (delay.length, 12)  # spike history
    np.testing.assert_array_equal(proj.delay.steps, delay.steps)
    with pytest.raises(ValueError, match="for_propagation"):
        delay(proj.propagation, table, jnp.ones(12), 1.0)


# ------------------------------------------------------------------ networks


@pytest.mark.parametrize("name", SCATTER_AND_GATHER)
def test_per_synapse_delays_in_a_simulated_network(name, getkey):
    # A pulse at step 3 reaches each post neuron through each synapse at step
    # 3 + d: the conductance jumps by the weight then, and decays otherwise.
    n_pre, n_post, fire_at, tau = 15, 10, 3, 5.0
    table = bx.connect.fixed_probability(getkey(), n_pre, n_post, 0.4)
    delays = random_delays(getkey(), table, 0.1, 2.0)
    weight = np.random.default_rng(2).integers(1, 5, table.indices.shape)
    weight = weight.astype(np.float32)
    net = bx.Network(
        populations={
            "src": Pulse(n_pre, fire_at),
            "post": bx.LIF(n_post, V_th=1e6),
        },
        projections={
            "p": bx.Projection(
                "src",
                "post",
                table,
                weight,
                delay=delays,
                dt=DT,
                propagation=SCATTER_AND_GATHER[name](table),
                synapse=bx.synapses.Exponential(n_post, tau=tau),
            )
        },
    )
    assert isinstance(net.projections["p"].delay, bx.delays.HeterogeneousDelay)
    n_steps = 30
    _, rec = bx.simulate(
        net,
        n_steps=n_steps,
        dt=DT,
        monitors={"g": lambda m: m.projections["p"].synapse.g.value},
    )
    steps = np.round(delays / DT).astype(int)
    increments = np.zeros((n_steps, n_post))
    indices = np.asarray(table.indices)
    for i, k in zip(*np.nonzero(indices < n_post), strict=True):
        increments[fire_at + steps[i, k], indices[i, k]] += weight[i, k]
    g, expected = 0.0, np.zeros((n_steps, n_post))
    for t in range(n_steps):
        g = (g + increments[t]) * np.exp(-DT / tau)
        expected[t] = g
    np.testing.assert_allclose(rec["g"], expected, rtol=1e-5, atol=1e-6)
    first = fire_at + steps[indices < n_post].min()
    np.testing.assert_array_equal(rec["g"][:first], 0.0)


def _coba(delay, propagation, key):
    n = 200
    n_e = 160
    exc = bx.connect.fixed_probability(jax.random.key(1), n, n, 0.05)
    empty = jnp.full((n - n_e, exc.max_degree), n, jnp.int32)
    exc = bx.connect.OutDegreeTable(jnp.concatenate([exc.indices[:n_e], empty]), n)
    if isinstance(delay, str):  # "array": the same delay for every synapse
        delay = np.full(exc.indices.shape, 1.5)
    neurons = bx.LIF(
        n,
        tau=20.0,
        V_rest=-60.0,
        V_reset=-60.0,
        V_th=-50.0,
        t_ref=2.0,
        V_init=bx.init.uniform(-60.0, -50.0),
        key=key,
    )
    return bx.Network(
        populations={"all": neurons},
        projections={
            "exc": bx.Projection(
                "all",
                "all",
                exc,
                2.0,
                delay=delay,
                dt=DT,
                propagation=propagation,
                synapse=bx.synapses.Exponential(n, tau=5.0),
                output=bx.outputs.COBA(E=0.0),
            )
        },
    )


@pytest.mark.parametrize("name", SCATTER_AND_GATHER)
def test_homogeneous_and_equal_heterogeneous_delays_give_identical_runs(name, getkey):
    key = getkey()
    runs = []
    for delay in (1.5, "array"):
        strategy = {
            "event": bx.connect.EventDriven(),
            "event (xla loop)": bx.connect.EventDriven(kernel="xla"),
            "dense": bx.connect.Dense(),
            "gather": bx.connect.FixedInDegreeGather(),  # prepared by the projection
            "compacted": bx.connect.CompactedEventDriven(),
        }[name]
        net = _coba(delay, strategy, key)
        kind = type(net.projections["exc"].delay)
        assert kind is (
            bx.delays.HomogeneousDelay if delay == 1.5 else bx.delays.HeterogeneousDelay
        )
        _, rec = bx.simulate(
            net,
            100.0,
            dt=DT,
            inputs={"all": lambda step, t: 110.0},
            spikes={"s": "populations.all.spike"},
        )
        runs.append(rec["s"])
    assert len(runs[0].index) > 200
    np.testing.assert_array_equal(runs[0].step, runs[1].step)
    np.testing.assert_array_equal(runs[0].index, runs[1].index)


def test_reset_clears_the_delay_buffer(getkey):
    table = bx.connect.fixed_probability(getkey(), 10, 10, 0.5)
    delay = bx.delays.HeterogeneousDelay(table, 1.0, DT)
    _, used = delay(bx.connect.EventDriven(), table, jnp.ones(10), 1.0)
    assert float(jnp.abs(used.buffer.value).sum()) > 0 and int(used.head.value) == 1
    fresh = bx.reset(used)
    np.testing.assert_array_equal(fresh.buffer.value, 0.0)
    assert int(fresh.head.value) == 0


def test_gradients_through_delays_match_between_dense_and_gather(getkey):
    table = bx.connect.fixed_probability(getkey(), 20, 15, 0.3)
    delays = random_delays(getkey(), table, 0.1, 0.8)
    rng = np.random.default_rng(5)
    raster = (rng.random((12, 20)) < 0.3).astype(np.float32)
    weight = rng.normal(size=table.indices.shape).astype(np.float32)
    coefficients = rng.normal(size=(12, 15)).astype(np.float32)
    grads = []
    for strategy in (bx.connect.Dense(), bx.connect.FixedInDegreeGather(table)):
        delay = bx.delays.HeterogeneousDelay(table, delays, DT, propagation=strategy)

        def loss(w, raster, delay=delay, strategy=strategy):
            out = run_delay(delay, strategy, table, raster, w)
            return jnp.sum(out * coefficients)

        grads.append(jax.grad(loss, argnums=(0, 1))(weight, raster))
    for a, b in zip(grads[0], grads[1], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
