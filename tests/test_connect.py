"""Connectivity: the padded out-degree table, fixed_probability, propagation."""

import math
import time

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainox as bx


STRATEGIES = [bx.connect.EventDriven(), bx.connect.Dense()]
event_driven = jax.jit(bx.connect.EventDriven().__call__)
dense_matmul = jax.jit(bx.connect.Dense().__call__)


def _reference(table, spikes, weight):
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


def _spike_patterns(n_pre, seed):
    # numpy inputs: no per-shape compilation of eager jax ops in the tests
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


@pytest.mark.parametrize("n_pre, n_post", [(300, 200), (1000, 37), (1, 5)])
def test_event_driven_equals_dense_exactly(n_pre, n_post, getkey):
    table = bx.connect.fixed_probability(getkey(), n_pre, n_post, 0.3)
    rng = np.random.default_rng(n_pre)
    int_weights = rng.integers(1, 10, table.indices.shape).astype(np.float32)
    for weight in (np.float32(6.0), int_weights):
        for name, spikes in _spike_patterns(n_pre, n_post).items():
            event = event_driven(table, spikes, weight)
            dense = dense_matmul(table, spikes, weight)
            assert event.shape == dense.shape == (n_post,)
            assert event.dtype == dense.dtype == jnp.float32
            assert jnp.array_equal(event, dense), name
            np.testing.assert_array_equal(event, _reference(table, spikes, weight))


def test_event_driven_under_jit_and_vmap(getkey):
    table = bx.connect.fixed_probability(getkey(), 500, 400, 0.1)
    spikes = (np.random.default_rng(0).random((8, 500)) < 0.1).astype(np.float32)
    event = jax.jit(jax.vmap(lambda s: bx.connect.EventDriven()(table, s, 67.0)))
    dense = jax.vmap(lambda s: bx.connect.Dense()(table, s, 67.0))
    assert jnp.array_equal(event(spikes), dense(spikes))


def test_table_is_a_jit_argument(getkey):
    # The indices are a module field, so two tables of one shape share a program.
    table1 = bx.connect.fixed_probability(getkey(), 50, 40, 0.2)
    table2 = bx.connect.fixed_probability(getkey(), 50, 40, 0.2)
    width = max(table1.max_degree, table2.max_degree)

    def pad(t):
        extra = jnp.full((50, width - t.max_degree), 40, jnp.int32)
        return bx.connect.OutDegreeTable(jnp.concatenate([t.indices, extra], 1), 40)

    traces = []

    @jax.jit
    def propagate(table, spikes):
        traces.append(None)
        return bx.connect.EventDriven()(table, spikes, 1.0)

    spikes = jnp.ones(50)
    for t in (pad(table1), pad(table2)):
        np.testing.assert_array_equal(propagate(t, spikes), t.to_dense().sum(0))
    assert len(traces) == 1


def test_fixed_probability_realised_probability_and_ranges(getkey):
    n_pre, n_post, p = 2000, 1500, 0.05
    table = bx.connect.fixed_probability(getkey(), n_pre, n_post, p)
    indices = np.asarray(table.indices)
    assert indices.dtype == np.int32 and indices.shape[0] == n_pre
    assert indices.min() >= 0 and indices.max() <= n_post
    valid = indices < n_post
    # Padding only at the end of a row; targets distinct and ascending.
    assert (np.diff(valid.astype(int), axis=1) <= 0).all()
    for row, ok in zip(indices, valid, strict=True):
        assert (np.diff(row[ok]) > 0).all()
    # Realised probability within 5 standard deviations of p.
    n_syn = table.n_synapses()
    realised = n_syn / (n_pre * n_post)
    assert abs(realised - p) < 5 * math.sqrt(p * (1 - p) / (n_pre * n_post))
    # Out-degrees are binomial(n_post, p): mean and variance.
    degree = np.asarray(table.degree())
    assert degree.sum() == n_syn
    assert abs(degree.mean() - n_post * p) < 5 * math.sqrt(n_post * p / n_pre)
    assert 0.85 < degree.var() / (n_post * p * (1 - p)) < 1.15
    # Every post neuron is targeted about equally often (no positional bias).
    in_degree = np.bincount(indices[valid], minlength=n_post)
    assert abs(in_degree[: n_post // 2].mean() - in_degree[n_post // 2 :].mean()) < 2.0


def test_fixed_probability_is_deterministic_from_the_key():
    a = bx.connect.fixed_probability(jax.random.key(7), 400, 300, 0.1)
    b = bx.connect.fixed_probability(jax.random.key(7), 400, 300, 0.1)
    c = bx.connect.fixed_probability(jax.random.key(8), 400, 300, 0.1)
    assert jnp.array_equal(a.indices, b.indices)
    assert a.indices.shape != c.indices.shape or not jnp.array_equal(
        a.indices, c.indices
    )


@pytest.mark.parametrize("n_pre, n_post", [(300, 300), (240, 300)])
def test_fixed_probability_without_autapses(n_pre, n_post, getkey):
    p = 0.3
    table = bx.connect.fixed_probability(
        getkey(), n_pre, n_post, p, allow_autapses=False
    )
    dense = np.asarray(table.to_dense())
    m = min(n_pre, n_post)
    assert np.diag(dense[:m, :m]).sum() == 0
    pairs = n_pre * n_post - m
    realised = dense.sum() / pairs
    assert abs(realised - p) < 5 * math.sqrt(p * (1 - p) / pairs)


@pytest.mark.parametrize("n_pre, n_post", [(6, 6), (4, 6), (6, 4)])
def test_fixed_probability_without_autapses_at_p_one(n_pre, n_post, getkey):
    # Every pair but the autapses connects.
    full = bx.connect.fixed_probability(
        getkey(), n_pre, n_post, 1.0, allow_autapses=False
    )
    m = min(n_pre, n_post)
    expected = np.ones((n_pre, n_post))
    expected[np.arange(m), np.arange(m)] = 0
    np.testing.assert_array_equal(full.to_dense(), expected)


def test_fixed_probability_extremes(getkey):
    empty = bx.connect.fixed_probability(getkey(), 10, 20, 0.0)
    assert empty.n_synapses() == 0
    assert jnp.array_equal(
        bx.connect.EventDriven()(empty, jnp.ones(10), 1.0), jnp.zeros(20)
    )
    full = bx.connect.fixed_probability(getkey(), 10, 20, 1.0)
    np.testing.assert_array_equal(full.to_dense(), np.ones((10, 20)))
    assert full.max_degree == 20


@pytest.mark.parametrize("p", [1e-7, 1e-6, 1e-3, 0.02, 0.5])
def test_geometric_gaps_have_exact_small_gap_probabilities(p):
    # The gaps of fixed_probability and Procedural(p=) come from uniform 32-bit
    # words, and grow with the word. So the share of words giving a gap <= k is
    # P(gap <= k) = 1 - (1 - p)^k, found exactly by bisection over the words.
    # (A float32 uniform on (0, 1] is off by up to 6% at p = 1e-6 for k = 1.)
    from brainox.connect._geometric import geometric_gaps, log1m

    log1m_p = jnp.float32(log1m(p))

    def gap(word):
        return int(geometric_gaps(jnp.asarray(word, jnp.uint32), log1m_p, 10**9))

    for k in (1, 2, 10, 1000):
        low, high = 0, 2**32 - 1  # gap(low) <= k < gap(high)
        if gap(high) <= k:
            continue
        while high - low > 1:
            mid = (low + high) // 2
            low, high = (mid, high) if gap(mid) <= k else (low, mid)
        expected = -np.expm1(k * np.log1p(-p))  # 1 - (1 - p)^k
        np.testing.assert_allclose(high / 2**32, expected, rtol=2e-5, atol=2**-32)


@pytest.mark.parametrize("p", [-0.1, 1.5, float("nan"), float("inf")])
def test_bad_probability_raises(p, getkey):
    with pytest.raises(ValueError, match=r"`p` must be a probability in \[0, 1\]"):
        bx.connect.fixed_probability(getkey(), 10, 10, p)


@pytest.mark.parametrize("p", ["0.1", None, True])
def test_probability_of_wrong_type_raises(p, getkey):
    # Runtime type checks (jaxtyping + beartype) may reject it first.
    with pytest.raises(TypeError, match="`p` must be a number|parameter 'p'"):
        bx.connect.fixed_probability(getkey(), 10, 10, p)


def test_bad_sizes_raise(getkey):
    with pytest.raises(ValueError, match="`n_pre` must be a positive integer"):
        bx.connect.fixed_probability(getkey(), 0, 10, 0.1)
    with pytest.raises(ValueError, match="`n_post` must be a positive integer"):
        bx.connect.fixed_probability(getkey(), 10, -3, 0.1)


def test_table_validation():
    with pytest.raises(ValueError, match=r"outside \[0, n_post = 3\]"):
        bx.connect.OutDegreeTable(jnp.array([[0, 4]]), n_post=3)
    with pytest.raises(ValueError, match="2-D integer array"):
        bx.connect.OutDegreeTable(jnp.array([[0.0, 1.0]]), n_post=3)
    table = bx.connect.OutDegreeTable(jnp.array([[1, 2], [0, 3]]), n_post=3)
    np.testing.assert_array_equal(table.degree(), [2, 1])
    np.testing.assert_array_equal(table.to_dense(2.0), [[0, 2, 2], [2, 0, 0]])


def test_shape_errors_name_the_argument(getkey):
    table = bx.connect.fixed_probability(getkey(), 10, 20, 0.5)
    for strategy in STRATEGIES:
        with pytest.raises(ValueError, match="`spikes` has shape"):
            strategy(table, jnp.ones(11), 1.0)
        with pytest.raises(ValueError, match="`weight` has shape"):
            strategy(table, jnp.ones(10), jnp.ones(20))


def test_dense_is_differentiable(getkey):
    table = bx.connect.fixed_probability(getkey(), 30, 20, 0.5)
    spikes = (np.random.default_rng(1).random(30) < 0.5).astype(np.float32)
    grad = jax.grad(lambda w: bx.connect.Dense()(table, spikes, w).sum())(2.0)
    expected = float(jnp.sum(spikes @ table.to_dense()))
    assert float(grad) == pytest.approx(expected)


@pytest.mark.slow
def test_ten_million_synapses_build_in_seconds():
    start = time.perf_counter()
    table = bx.connect.fixed_probability(jax.random.key(0), 100_000, 100_000, 0.001)
    table.indices.block_until_ready()
    assert time.perf_counter() - start < 20.0
    assert abs(table.n_synapses() - 10_000_000) < 5 * math.sqrt(10_000_000)
