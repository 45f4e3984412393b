"""Propagation strategies: one result through every path, gradients, defaults."""

import re

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import brainox as bx


@eqx.filter_jit
def propagate(strategy, table, spikes, weight):
    return strategy(table, spikes, weight)


def reference(table, spikes, weight):
    """Post input by plain loops over the table, in numpy (float64)."""
    indices = np.asarray(table.indices)
    w = np.broadcast_to(np.asarray(weight, np.float64), indices.shape)
    spikes = np.asarray(spikes, np.float64)
    out = np.zeros(table.n_post)
    for i in np.flatnonzero(spikes):
        for j, k in enumerate(indices[i]):
            if k < table.n_post:
                out[k] += w[i, j] * spikes[i]
    return out


def spike_patterns(n_pre, seed):
    rng = np.random.default_rng(seed)
    sparse = (rng.random(n_pre) < 0.05).astype(np.float32)
    edges = np.zeros(n_pre, np.float32)
    edges[[0, -1]] = 1.0
    return {
        "none": np.zeros(n_pre, np.float32),
        "all": np.ones(n_pre, np.float32),
        "sparse": sparse,
        "dense": (rng.random(n_pre) < 0.6).astype(np.float32),
        "first and last": edges,
        "graded": sparse * 2.0,
    }


def stored_strategies(table):
    return {
        "event": bx.connect.EventDriven(),
        "event (xla loop)": bx.connect.EventDriven(kernel="xla"),
        "dense": bx.connect.Dense(),
        "gather": bx.connect.FixedInDegreeGather().prepare(table),
        "compacted": bx.connect.CompactedEventDriven(table.n_pre),
    }


def assert_all_equal(table, spikes, weight, extra=None):
    """Every stored strategy (and `extra`) gives the numpy reference, exactly."""
    expected = reference(table, spikes, weight)
    results = {
        name: propagate(s, table, spikes, weight)
        for name, s in stored_strategies(table).items()
    }
    if extra is not None:
        results.update(extra)
    for name, out in results.items():
        assert out.shape == (table.n_post,), name
        assert out.dtype == jnp.float32, name
        np.testing.assert_array_equal(out, expected, err_msg=name)


# ------------------------------------------------------------ stored strategies


@pytest.mark.parametrize(
    "n_pre, n_post, p",
    [(300, 200, 0.1), (1000, 37, 0.3), (1, 5, 0.5), (50, 60, 0.0), (20, 30, 1.0)],
)
def test_stored_strategies_agree_exactly(n_pre, n_post, p, getkey):
    table = bx.connect.fixed_probability(getkey(), n_pre, n_post, p)
    rng = np.random.default_rng(n_pre)
    per_synapse = rng.integers(1, 10, table.indices.shape).astype(np.float32)
    for weight in (np.float32(6.0), per_synapse):
        for name, spikes in spike_patterns(n_pre, n_post).items():
            try:
                assert_all_equal(table, spikes, weight)
            except AssertionError as e:
                raise AssertionError(f"spikes {name!r}") from e


def test_every_strategy_accumulates_into_an_array(getkey):
    # `accumulate(..., into)` is `into` plus the sum: exactly, with integer
    # values, whether the strategy adds into `into` (row scatters, the kernel)
    # or adds its sum to it.
    n_pre, n_post = 300, 200
    conn = bx.connect.Procedural(getkey(), n_pre, n_post, p=0.1)
    table = conn.table()
    into = np.asarray(jax.random.randint(getkey(), (n_post,), -50, 50), np.float32)
    strategies = dict(stored_strategies(table), procedural=conn)
    for name, spikes in spike_patterns(n_pre, 2).items():
        expected = into + reference(table, spikes, np.float32(3.0))
        for strategy_name, strategy in strategies.items():
            source = conn if strategy_name == "procedural" else table
            out = eqx.filter_jit(strategy.accumulate)(
                source, spikes, np.float32(3.0), jnp.asarray(into)
            )
            assert out.dtype == jnp.float32, strategy_name
            np.testing.assert_array_equal(
                out, expected, err_msg=f"{strategy_name}, spikes {name!r}"
            )


@pytest.mark.parametrize("strategy", ["event", "dense"])
def test_accumulator_of_the_wrong_size_is_refused(strategy, getkey):
    table = bx.connect.fixed_probability(getkey(), 30, 20, 0.2)
    propagation = {"event": bx.connect.EventDriven(), "dense": bx.connect.Dense()}
    with pytest.raises(ValueError, match=r"`into` has shape \(21,\); expected \(20,\)"):
        propagation[strategy].accumulate(table, jnp.ones(30), 1.0, jnp.zeros(21))


def test_in_degree_table_is_the_transpose(getkey):
    table = bx.connect.fixed_probability(getkey(), 200, 150, 0.1)
    t = bx.connect.in_degree_table(table)
    dense = np.asarray(table.to_dense())
    indices, synapse = np.asarray(t.indices), np.asarray(t.synapse)
    out_flat = np.asarray(table.indices).reshape(-1)
    assert t.max_in_degree == dense.sum(axis=0).max()
    np.testing.assert_array_equal(t.in_degree(), dense.sum(axis=0))
    for j in range(table.n_post):
        pre = indices[j][indices[j] < table.n_pre]
        np.testing.assert_array_equal(pre, np.flatnonzero(dense[:, j]))  # ascending
        pos = synapse[j][: len(pre)]
        np.testing.assert_array_equal(pos // table.max_degree, pre)
        np.testing.assert_array_equal(out_flat[pos], j)
        assert (synapse[j][len(pre) :] == table.n_pre * table.max_degree).all()
        assert (indices[j][len(pre) :] == table.n_pre).all()


def test_gather_with_multapses():
    # A pair listed twice in a row counts twice, in every strategy.
    table = bx.connect.OutDegreeTable(jnp.array([[1, 1, 2], [0, 3, 3]]), n_post=3)
    weight = np.array([[1.0, 2.0, 4.0], [8.0, 0.0, 0.0]], np.float32)
    assert_all_equal(table, np.array([1.0, 1.0], np.float32), weight)


def test_strategies_batch_with_vmap(getkey):
    table = bx.connect.fixed_probability(getkey(), 100, 80, 0.1)
    spikes = (np.random.default_rng(0).random((5, 100)) < 0.2).astype(np.float32)
    expected = np.stack([reference(table, s, 3.0) for s in spikes])
    for name, strategy in stored_strategies(table).items():
        out = jax.vmap(lambda s, strategy=strategy: strategy(table, s, 3.0))(spikes)
        np.testing.assert_array_equal(out, expected, err_msg=name)


# ----------------------------------------------------------------- gradients


def _loss(strategy, table, coefficients):
    def loss(weight, spikes):
        return jnp.sum(strategy(table, spikes, weight) * coefficients)

    return loss


@pytest.mark.parametrize("scalar", [True, False])
def test_gradients_of_dense_and_gather_match(scalar, getkey):
    table = bx.connect.fixed_probability(getkey(), 60, 40, 0.2)
    rng = np.random.default_rng(3)
    spikes = (rng.random(60) < 0.4).astype(np.float32)
    coefficients = rng.normal(size=40).astype(np.float32)
    weight = (
        np.float32(1.7)
        if scalar
        else rng.normal(size=table.indices.shape).astype(np.float32)
    )
    grads = {}
    for name in ("dense", "gather"):
        strategy = stored_strategies(table)[name]
        loss = jax.jit(jax.grad(_loss(strategy, table, coefficients), argnums=(0, 1)))
        grads[name] = loss(weight, spikes)
    (dw_d, ds_d), (dw_g, ds_g) = grads["dense"], grads["gather"]
    assert dw_g.shape == np.shape(weight) and ds_g.shape == (60,)
    np.testing.assert_allclose(dw_g, dw_d, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ds_g, ds_d, rtol=1e-5, atol=1e-5)
    # Known answers: d/dw[i, k] = spikes[i] c[post]; d/dspikes = W @ c.
    W = np.asarray(table.to_dense(weight), np.float64)
    np.testing.assert_allclose(ds_g, W @ coefficients, rtol=1e-5, atol=1e-5)
    if not scalar:
        idx = np.asarray(table.indices)
        c_pad = np.append(coefficients, 0.0)
        np.testing.assert_allclose(dw_g, spikes[:, None] * c_pad[idx], rtol=1e-6)


def test_gradients_through_procedural_match_its_table(getkey):
    conn = bx.connect.Procedural(getkey(), 50, 40, p=0.2)
    table = conn.table()
    rng = np.random.default_rng(4)
    spikes = (rng.random(50) < 0.4).astype(np.float32)
    coefficients = rng.normal(size=40).astype(np.float32)
    grad_proc = jax.jit(jax.grad(_loss(conn, None, coefficients), argnums=(0, 1)))
    g_proc = grad_proc(1.5, spikes)
    dense = bx.connect.Dense()
    g_dense = jax.grad(_loss(dense, table, coefficients), argnums=(0, 1))(1.5, spikes)
    for a, b in zip(g_proc, g_dense, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------- procedural


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(in_degree=7),
        dict(in_degree=5, allow_autapses=False),
        dict(p=0.1),
        dict(p=0.1, allow_autapses=False),
        dict(p=1.0),
        dict(p=0.0),
    ],
)
def test_procedural_equals_stored_strategies_on_its_table(kwargs, getkey):
    n_pre, n_post = 300, 200
    conn = bx.connect.Procedural(getkey(), n_pre, n_post, **kwargs)
    table = conn.table()
    assert table.n_pre == n_pre and table.n_post == n_post
    dense = np.asarray(table.to_dense())
    if not kwargs.get("allow_autapses", True):
        assert np.diag(dense[:n_post, :n_post]).sum() == 0
    if "in_degree" in kwargs:
        np.testing.assert_array_equal(dense.sum(axis=0), kwargs["in_degree"])
    for name, spikes in spike_patterns(n_pre, 1).items():
        extra = {"procedural": propagate(conn, None, spikes, np.float32(3.0))}
        try:
            assert_all_equal(table, spikes, np.float32(3.0), extra)
        except AssertionError as e:
            raise AssertionError(f"spikes {name!r}") from e


def test_procedural_statistics(getkey):
    n_pre, n_post, p = 2000, 500, 0.05
    dense = np.asarray(
        bx.connect.Procedural(getkey(), n_pre, n_post, p=p).table().to_dense()
    )
    assert dense.max() == 1.0  # distinct partners
    in_degree = dense.sum(axis=0)
    mean, var = n_pre * p, n_pre * p * (1 - p)
    assert abs(in_degree.mean() - mean) < 5 * np.sqrt(var / n_post)
    assert 0.8 < in_degree.var() / var < 1.2
    out_degree = dense.sum(axis=1)  # no bias over the presynaptic index
    half = n_pre // 2
    assert abs(out_degree[:half].mean() - out_degree[half:].mean()) < 1.0


def test_procedural_fixed_in_degree_draws_uniformly(getkey):
    n_pre, n_post, k = 1000, 2000, 50
    conn = bx.connect.Procedural(getkey(), n_pre, n_post, in_degree=k)
    dense = np.asarray(conn.table().to_dense())
    np.testing.assert_array_equal(dense.sum(axis=0), k)
    out_degree = dense.sum(axis=1)  # multinomial: mean and variance n_post k / n_pre
    mean = n_post * k / n_pre
    assert abs(out_degree.mean() - mean) < 1e-9
    assert 0.85 < out_degree.var() / (mean * (1 - 1 / n_pre)) < 1.15


def test_procedural_is_regenerated_each_call_not_hoisted(getkey):
    conn = bx.connect.Procedural(getkey(), 30, 20, in_degree=3)
    jaxpr = str(jax.make_jaxpr(lambda s: conn(None, s, 1.0))(jnp.ones(30)))
    assert "optimization_barrier" in jaxpr


def test_procedural_does_not_depend_on_the_block_size(getkey):
    key = getkey()
    spikes = (np.random.default_rng(0).random(100) < 0.3).astype(np.float32)
    outs = [
        propagate(
            bx.connect.Procedural(key, 100, 333, p=0.1, block_size=b),
            None,
            spikes,
            np.float32(1.0),
        )
        for b in (1, 100, 1000)
    ]
    for out in outs[1:]:
        np.testing.assert_array_equal(out, outs[0])


def test_procedural_overflow_is_an_error_never_a_silent_drop(getkey):
    key = getkey()
    # Concrete key: an explicit capacity that is too small is refused.
    with pytest.raises(ValueError, match=r"more than capacity = 4 .*capacity=8"):
        bx.connect.Procedural(key, 100, 50, p=0.5, capacity=4)
    # Traced key (no check at construction): every call checks.
    spikes = jnp.ones(100)

    @jax.jit
    def run(key):
        return bx.connect.Procedural(key, 100, 50, p=0.5, capacity=4)(None, spikes, 1.0)

    with pytest.raises(Exception, match=r"more than capacity = 4 presynaptic"):
        jax.block_until_ready(run(key))
    # A sufficient capacity passes the same check.
    ok = jax.jit(
        lambda key: bx.connect.Procedural(key, 100, 50, p=0.5, capacity=100)(
            None, spikes, 1.0
        )
    )(key)
    np.testing.assert_array_equal(
        ok, bx.connect.Procedural(key, 100, 50, p=0.5).table().to_dense().sum(axis=0)
    )


def test_procedural_default_capacity_holds_every_neuron(getkey):
    conn = bx.connect.Procedural(getkey(), 400, 300, p=0.3)
    table = conn.table()
    assert np.asarray(table.to_dense()).sum(axis=0).max() <= conn.capacity


def test_procedural_errors(getkey):
    key = getkey()
    with pytest.raises(ValueError, match="exactly one of `in_degree`"):
        bx.connect.Procedural(key, 10, 10)
    with pytest.raises(ValueError, match="exactly one of `in_degree`"):
        bx.connect.Procedural(key, 10, 10, in_degree=3, p=0.1)
    with pytest.raises(ValueError, match="`p` must be a probability"):
        bx.connect.Procedural(key, 10, 10, p=1.5)
    with pytest.raises(ValueError, match="fixed-probability rule only"):
        bx.connect.Procedural(key, 10, 10, in_degree=3, capacity=5)
    # (Under the jaxtyping test hook its check names the argument first.)
    with pytest.raises(
        TypeError, match="`key` must be a jax.random.key|parameter 'key'"
    ):
        bx.connect.Procedural(0, 10, 10, p=0.1)  # pyright: ignore[reportArgumentType]
    with pytest.raises((ValueError, TypeError), match="a seed is not|parameter 'key'"):
        bx.connect.Procedural(jnp.asarray(0), 10, 10, p=0.1)
    conn = bx.connect.Procedural(key, 10, 12, in_degree=3)
    with pytest.raises(ValueError, match="takes one scalar weight"):
        conn(None, jnp.ones(10), jnp.ones((10, 3)))
    with pytest.raises(TypeError, match="reads no table"):
        conn(conn.table(), jnp.ones(10), 1.0)
    with pytest.raises(ValueError, match="`spikes` has shape"):
        conn(None, jnp.ones(11), 1.0)


# ------------------------------------------------------------- property tests


@settings(deadline=None, max_examples=10)
@given(
    n_pre=st.integers(1, 40),
    n_post=st.integers(1, 40),
    p=st.sampled_from([0.0, 0.05, 0.3, 0.8, 1.0]),
    rate=st.sampled_from([0.0, 0.1, 0.5, 1.0]),
    seed=st.integers(0, 2**16),
    per_synapse=st.booleans(),
)
def test_property_stored_strategies_agree(n_pre, n_post, p, rate, seed, per_synapse):
    table = bx.connect.fixed_probability(jax.random.key(seed), n_pre, n_post, p)
    rng = np.random.default_rng(seed)
    spikes = (rng.random(n_pre) < rate).astype(np.float32)
    weight = (
        rng.integers(-5, 10, table.indices.shape).astype(np.float32)
        if per_synapse
        else np.float32(rng.integers(1, 10))
    )
    assert_all_equal(table, spikes, weight)


@settings(deadline=None, max_examples=6)
@given(
    n_pre=st.integers(2, 40),
    n_post=st.integers(1, 40),
    rule=st.sampled_from(["in_degree", "p"]),
    autapses=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_property_procedural_equals_its_table(n_pre, n_post, rule, autapses, seed):
    kwargs = dict(in_degree=seed % 6) if rule == "in_degree" else dict(p=0.2)
    key = jax.random.key(seed)
    conn = bx.connect.Procedural(key, n_pre, n_post, allow_autapses=autapses, **kwargs)
    spikes = (np.random.default_rng(seed).random(n_pre) < 0.4).astype(np.float32)
    extra = {"procedural": propagate(conn, None, spikes, np.float32(2.0))}
    assert_all_equal(conn.table(), spikes, np.float32(2.0), extra)


# ------------------------------------------------- defaults and projections


def test_default_propagation_by_backend(getkey):
    table = bx.connect.fixed_probability(getkey(), 50, 40, 0.2)
    assert isinstance(
        bx.connect.default_propagation(table, backend="cpu"), bx.connect.EventDriven
    )
    # A table of 2^23 entries or more: spikes compacted instead of gathered.
    large = bx.connect.OutDegreeTable(jnp.full((2**17, 64), 10, jnp.int32), 10)
    for backend in ("gpu", "tpu"):
        gather = bx.connect.default_propagation(table, backend=backend)
        assert isinstance(gather, bx.connect.FixedInDegreeGather)
        assert gather.in_table is not None and gather.in_table.matches(table)
        compacted = bx.connect.default_propagation(large, backend=backend)
        assert isinstance(compacted, bx.connect.CompactedEventDriven)
    assert jax.default_backend() == "cpu"  # the test run
    proj = bx.Projection("a", "b", table, 1.0)
    assert isinstance(proj.propagation, bx.connect.EventDriven)


def test_projection_prepares_the_gather_once(getkey):
    table = bx.connect.fixed_probability(getkey(), 50, 40, 0.2)
    proj = bx.Projection(
        "a",
        "b",
        table,
        1.0,
        synapse=bx.synapses.Exponential(40, tau=5.0),
        propagation=bx.connect.FixedInDegreeGather(),
    )
    assert isinstance(proj.propagation, bx.connect.FixedInDegreeGather)
    in_table = proj.propagation.in_table
    assert in_table is not None and in_table.matches(table)
    # The derived table is a field: a step neither sorts nor transposes.
    pre = bx.LIF(50)
    jaxpr = str(jax.make_jaxpr(lambda p, pre: p.deliver(pre))(proj, pre))
    assert re.search(r"= sort\[", jaxpr) is None
    assert re.search(r"= gather\[", jaxpr) is not None


def test_gather_errors(getkey):
    table = bx.connect.fixed_probability(getkey(), 30, 20, 0.3)
    other = bx.connect.fixed_probability(getkey(), 30, 25, 0.3)
    gather = bx.connect.FixedInDegreeGather(table)
    with pytest.raises(ValueError, match=r"prepare it for this table"):
        gather(other, jnp.ones(30), 1.0)
    with pytest.raises(ValueError, match="`weight` has shape"):
        gather(table, jnp.ones(30), jnp.ones(20))
    with pytest.raises(ValueError, match="`spikes` has shape"):
        gather(table, jnp.ones(31), 1.0)
    # Unprepared and traced: the in-degree table cannot be sized.
    unprepared = bx.connect.FixedInDegreeGather()
    with pytest.raises(ValueError, match="concrete indices"):
        jax.jit(lambda t: unprepared(t, jnp.ones(30), 1.0))(table)
    # Unprepared but concrete: derived on the fly, same answer.
    np.testing.assert_array_equal(
        unprepared(table, jnp.ones(30), 1.0), gather(table, jnp.ones(30), 1.0)
    )


def test_projection_with_procedural_connectivity(getkey):
    conn = bx.connect.Procedural(getkey(), 20, 30, in_degree=4)
    proj = bx.Projection("a", "b", conn, 2.0)
    assert proj.propagation is conn
    with pytest.raises(ValueError, match="its own propagation"):
        bx.Projection("a", "b", conn, 2.0, propagation=bx.connect.EventDriven())
    with pytest.raises(ValueError, match="pass it as `connectivity`"):
        bx.Projection("a", "b", conn.table(), 2.0, propagation=conn)
    with pytest.raises(ValueError, match="takes one scalar weight"):
        bx.Projection("a", "b", conn, jnp.ones((20, 4)))
    with pytest.raises(ValueError, match="procedural connectivity stores no"):
        bx.Projection("a", "b", conn, 2.0, delay=jnp.ones((20, 4)), dt=0.1)


def _network(connectivity, propagation, key):
    n = 100
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
                connectivity,
                1.0,
                propagation=propagation,
                synapse=bx.synapses.Exponential(n, tau=5.0),
                output=bx.outputs.COBA(E=0.0),
            ),
        },
    )


def test_networks_through_every_strategy_spike_identically(getkey):
    key = getkey()
    conn = bx.connect.Procedural(
        jax.random.key(3), 100, 100, in_degree=10, allow_autapses=False
    )
    table = conn.table()
    runs = {}
    for name, (c, s) in {
        "procedural": (conn, None),
        "event": (table, bx.connect.EventDriven()),
        "event (xla loop)": (table, bx.connect.EventDriven(kernel="xla")),
        "dense": (table, bx.connect.Dense()),
        "gather": (table, bx.connect.FixedInDegreeGather()),
        "compacted": (table, bx.connect.CompactedEventDriven()),
    }.items():
        net = _network(c, s, key)
        _, rec = bx.simulate(
            net,
            100.0,
            dt=0.1,
            inputs={"all": lambda step, t: 110.0},
            spikes={"s": "populations.all.spike"},
        )
        runs[name] = rec["s"]
    assert len(runs["event"].index) > 100
    for name, ev in runs.items():
        np.testing.assert_array_equal(ev.step, runs["event"].step, err_msg=name)
        np.testing.assert_array_equal(ev.index, runs["event"].index, err_msg=name)


# ------------------------------------------------ compacted event-driven


def test_compacted_buffer_sizes():
    assert bx.connect.default_batch_size(100) == 32  # at least 32
    assert bx.connect.default_batch_size(800_000) == 40_000  # 5%
    assert bx.connect.default_batch_size(1000, fraction=0.2) == 200
    assert bx.connect.CompactedEventDriven().spike_capacity(20) == 20  # <= n_pre
    assert bx.connect.CompactedEventDriven(7).spike_capacity(20) == 7
    for bad in (0, -3, True):
        with pytest.raises(ValueError, match="`batch_size` must be a positive"):
            bx.connect.CompactedEventDriven(bad)
    for bad in (0.0, 1.5):
        with pytest.raises(ValueError, match="`fraction` must be in"):
            bx.connect.CompactedEventDriven(fraction=bad)


def test_compacted_called_directly_raises_on_overflow_never_drops(getkey):
    table = bx.connect.fixed_probability(getkey(), 60, 40, 0.2)
    strategy = bx.connect.CompactedEventDriven(5)
    spikes = np.zeros(60, np.float32)
    spikes[[3, 17, 20, 41, 59]] = 1.0  # exactly the buffer: delivered
    np.testing.assert_array_equal(
        propagate(strategy, table, spikes, 2.0), reference(table, spikes, 2.0)
    )
    spikes[8] = 1.0  # one more: an error, not a partial sum
    with pytest.raises(Exception, match=r"batch_size=5\) delivers"):
        jax.block_until_ready(propagate(strategy, table, spikes, 2.0))


def test_projection_monitors_its_peak_and_simulate_raises_on_overflow(getkey):
    key = getkey()
    conn = bx.connect.Procedural(
        jax.random.key(3), 100, 100, in_degree=10, allow_autapses=False
    )
    kwargs = dict(
        inputs={"all": lambda step, t: 110.0}, spikes={"s": "populations.all.spike"}
    )
    roomy = _network(conn.table(), bx.connect.CompactedEventDriven(100), key)
    proj = roomy.projections["exc"]
    assert not proj.propagation.checked  # monitored by the projection instead
    final, rec = bx.simulate(roomy, 100.0, dt=0.1, **kwargs)
    # The peak is the busiest step's spike count (spikes of step t arrive at t+1).
    per_step = np.bincount(rec["s"].step, minlength=1000)
    peak = int(final.projections["exc"].peak_spikes.value)
    assert peak == per_step[:-1].max() > 5
    bx.check_spike_buffers(final)  # no overflow: no error

    tight = _network(conn.table(), bx.connect.CompactedEventDriven(peak - 1), key)
    # (After the first incomplete step the run differs, so its peak may too.)
    message = r"'all' -> 'all': \d+ presynaptic neurons spiked in one step, more "
    with pytest.raises(RuntimeError, match=message + rf"than the {peak - 1} "):
        bx.simulate(tight, 100.0, dt=0.1, **kwargs)
    with pytest.raises(RuntimeError, match=rf"batch_size={2 * peak}\)"):
        bx.check_spike_buffers(tight.step(None, dt=0.1) and final_with(tight, peak))
    # Inside jit, grad or vmap the check is part of the computation.
    traced = rf"more presynaptic neurons spiked in one step than the {peak - 1} "
    run = eqx.filter_jit(lambda net: bx.simulate(net, 100.0, dt=0.1, **kwargs))
    with pytest.raises(Exception, match=traced):
        jax.block_until_ready(run(tight))
    assert int(run(roomy)[0].projections["exc"].peak_spikes.value) == peak


def final_with(net, peak):
    """`net` with its projection's recorded peak set to `peak`."""
    return eqx.tree_at(
        lambda n: n.projections["exc"].peak_spikes,
        net,
        bx.ShortTerm(jnp.asarray(peak, jnp.int32)),
    )
