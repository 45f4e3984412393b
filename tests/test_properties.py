"""Property-based tests: invariants that must hold for every random instance.

- State handling on real models (a network with Poisson sources, synapses and
  delay buffers, its states set to arbitrary values): partition then combine
  gives the model back; reset is idempotent and forgets everything simulated.
- Connectivity generators (beside the fixed-degree, small-world and Gaussian
  properties of `test_connect_generators.py`): indices in range, rows ascending
  and padded at the end, the binomial synapse count of the fixed-probability
  rule, and the edge count, symmetry and degrees of scale-free graphs.
- Propagation: every strategy gives exactly the same input for arbitrary tables
  (from random edge lists, skewed degrees included), spikes, integer weights and
  per-synapse delays.

Sizes are drawn from a few values so that compiled code is reused across
examples.
"""

import functools
import math

import equinox as eqx
import jax
import jax.numpy as jnp
import jax.tree_util as jtu
import numpy as np
from hypothesis import given, settings, strategies as st

import brainox as bx


SIZES = st.sampled_from([1, 17])
SEEDS = st.integers(0, 2**31 - 1)
FEW = settings(max_examples=10, deadline=None)


# ------------------------------------------------------------------ state


def network(n_source, n_exc, seed):
    k_source, k_table, k_drive = jax.random.split(jax.random.key(seed), 3)
    table = bx.connect.fixed_probability(k_table, n_source, n_exc, 0.5)
    return bx.Network(
        populations={
            "source": bx.inputs.PoissonGroup(n_source, 20.0, key=k_source),
            "exc": bx.LIF(n_exc, V_init=bx.init.uniform(-70.0, -50.0), key=k_drive),
        },
        projections={
            "se": bx.Projection(
                "source",
                "exc",
                table,
                1.0,
                synapse=bx.synapses.Exponential(n_exc),
                delay=jnp.full(table.indices.shape, 0.3),
                dt=0.1,
            ),
            "drive": bx.inputs.PoissonInput(
                "exc", 5, 10.0, 1.0, key=k_drive, dt=0.1, size=n_exc
            ),
        },
    )


def scramble(model, seed):
    # Every state set to arbitrary values of its shape and dtype.
    rng = np.random.default_rng(seed)
    leaves, treedef = jtu.tree_flatten(model, is_leaf=bx.is_state)

    def arbitrary(x):
        if jnp.issubdtype(x.dtype, jnp.floating):
            return rng.normal(0.0, 50.0, x.shape)
        return rng.integers(0, np.iinfo(x.dtype).max, x.shape, dtype=x.dtype)

    new = [s.replace(arbitrary(s.value)) if bx.is_state(s) else s for s in leaves]
    return jtu.tree_unflatten(treedef, new)


def assert_identical(a, b):
    la, ta = jtu.tree_flatten(a)
    lb, tb = jtu.tree_flatten(b)
    assert ta == tb
    for x, y in zip(la, lb, strict=True):
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))


@FEW
@given(n_source=SIZES, n_exc=SIZES, seed=SEEDS)
def test_partition_combine_and_reset_of_a_network(n_source, n_exc, seed):
    fresh = network(n_source, n_exc, seed)
    used = scramble(fresh, seed)
    changed = [
        path
        for path, s in bx.list_states(used).items()
        if not np.array_equal(s.value, bx.list_states(fresh)[path].value)
    ]
    assert len(changed) == len(bx.list_states(fresh))
    params, states, static = bx.partition(used)
    assert_identical(bx.combine(params, states, static), used)
    assert bx.state_counts(used) == bx.state_counts(fresh)
    # Reset forgets the scrambled values: the fresh network again (random
    # initial potentials drawn again from the same key), and a second reset
    # changes nothing.
    key = jax.random.key(seed % 7)
    once = bx.reset(used, key)
    assert_identical(once, bx.reset(fresh, key))
    assert_identical(bx.reset(once, key), once)
    assert_identical(bx.list_params(once), bx.list_params(fresh))


# ----------------------------------------------------------- connectivity


def assert_valid_rows(table, n_pre, n_post):
    indices = np.asarray(table.indices)
    assert indices.shape[0] == n_pre and table.n_post == n_post
    assert indices.dtype == np.int32
    assert indices.size == 0 or (indices.min() >= 0 and indices.max() <= n_post)
    valid = indices < n_post
    # Padding only at the end of a row; targets distinct and ascending.
    assert (np.diff(valid.astype(int), axis=1) <= 0).all()
    for row, ok in zip(indices, valid, strict=True):
        assert (np.diff(row[ok]) > 0).all()
    return indices, valid


@FEW
@given(
    n_pre=st.sampled_from([1, 200]),
    n_post=st.sampled_from([1, 300]),
    p=st.sampled_from([0.0, 0.01, 0.1, 0.5, 1.0]),
    allow_autapses=st.booleans(),
    seed=SEEDS,
)
def test_fixed_probability_ranges_and_synapse_count(
    n_pre, n_post, p, allow_autapses, seed
):
    table = bx.connect.fixed_probability(
        jax.random.key(seed), n_pre, n_post, p, allow_autapses=allow_autapses
    )
    indices, valid = assert_valid_rows(table, n_pre, n_post)
    diagonal = 0 if allow_autapses else min(n_pre, n_post)
    if not allow_autapses:
        rows = np.arange(n_pre)[:, None]
        assert not (valid & (indices == rows)).any()
    # The synapse count is binomial(n_pre n_post - diagonal, p): within 6 sd.
    pairs = n_pre * n_post - diagonal
    mean, sd = pairs * p, math.sqrt(pairs * p * (1 - p))
    assert abs(int(valid.sum()) - mean) <= 6 * sd + 1e-9


@settings(max_examples=6, deadline=None)
@given(m=st.sampled_from([1, 4]), extra=st.sampled_from([1, 40]), seed=SEEDS)
def test_scale_free_edges_degrees_and_symmetry(m, extra, seed):
    n = m + extra
    table = bx.connect.scale_free(jax.random.key(seed), n, m)
    _, valid = assert_valid_rows(table, n, n)
    dense = np.asarray(table.to_dense()) > 0
    assert (dense == dense.T).all() and not dense.diagonal().any()
    assert valid.sum() == 2 * m * (n - m)
    # Every node added after the star links to m older nodes: degree >= m.
    assert (dense.sum(axis=1)[m + 1 :] >= m).all()


# ------------------------------------------------------------ propagation


WIDTH = 40


def random_table(seed, n_pre, n_post, n_edges):
    rng = np.random.default_rng(seed)
    # Skewed: half of the edges leave neuron 0, so one row is much longer.
    pre = np.where(rng.random(n_edges) < 0.5, 0, rng.integers(0, n_pre, n_edges))
    post = rng.integers(0, n_post, n_edges)
    table, weights = bx.connect.from_edges(
        pre, post, n_pre, n_post, rng.integers(-4, 9, n_edges), duplicates="merge"
    )
    # Padded to one width (a valid table too), so compiled code is reused.
    pad = ((0, 0), (0, WIDTH - table.max_degree))
    indices = jnp.pad(table.indices, pad, constant_values=n_post)
    table = bx.connect.OutDegreeTable(indices, n_post)
    return table, jnp.pad(weights, pad), rng


@eqx.filter_jit
def propagate(strategy, table, spikes, weight):
    return strategy(table, spikes, weight)


STRATEGIES = {
    "event-driven": bx.connect.EventDriven,
    "event-driven (xla loop)": functools.partial(bx.connect.EventDriven, kernel="xla"),
    "dense": bx.connect.Dense,
    "gather": bx.connect.FixedInDegreeGather,
}


@FEW
@given(
    n_pre=SIZES,
    n_post=SIZES,
    n_edges=st.sampled_from([1, 40]),
    rate=st.sampled_from([0.0, 0.3, 1.0]),
    scalar=st.booleans(),
    seed=SEEDS,
)
def test_strategies_give_identical_input_on_arbitrary_tables(
    n_pre, n_post, n_edges, rate, scalar, seed
):
    table, weights, rng = random_table(seed, n_pre, n_post, n_edges)
    weight = jnp.float32(3.0) if scalar else weights
    spikes = jnp.asarray(rng.random(n_pre) < rate, jnp.float32)
    # Reference: add the weight of every synapse of every spiking neuron.
    pre, post, w = (np.asarray(a) for a in bx.connect.to_edges(table, weight))
    expected = np.zeros(n_post, np.float32)
    np.add.at(expected, post, w * np.asarray(spikes)[pre])
    for name, strategy in STRATEGIES.items():
        out = propagate(strategy().prepare(table), table, spikes, weight)
        np.testing.assert_array_equal(out, expected, err_msg=name)


@eqx.filter_jit
def arrivals(strategy, table, delay, raster, weight):
    # Feed raster[t] at call t; return what arrives at each call.
    def step(delay, spikes):
        arriving, delay = delay(strategy, table, spikes, weight)
        return delay, arriving

    return jax.lax.scan(step, delay, raster)[1]


def run_delayed(strategy, table, delays, raster, weight):
    prepared = strategy().prepare(table)
    delay = bx.delays.HeterogeneousDelay(table, delays, 0.1, propagation=prepared)
    return np.asarray(arrivals(prepared, table, delay, raster, weight))


@settings(max_examples=8, deadline=None)
@given(
    n_pre=SIZES,
    n_post=SIZES,
    n_edges=st.just(40),
    max_steps=st.sampled_from([1, 6]),
    seed=SEEDS,
)
def test_strategies_agree_with_per_synapse_delays(
    n_pre, n_post, n_edges, max_steps, seed
):
    table, weights, rng = random_table(seed, n_pre, n_post, n_edges)
    delays = 0.1 * rng.integers(1, max_steps + 1, table.indices.shape)  # ms
    raster = jnp.asarray(rng.random((15, n_pre)) < 0.4, jnp.float32)
    outs = {
        name: run_delayed(strategy, table, delays, raster, weights)
        for name, strategy in STRATEGIES.items()
    }
    # Reference: the spike given at call t through synapse (i, k) arrives at
    # call t + steps[i, k] - 1.
    steps = np.round(delays / 0.1).astype(int)
    expected = np.zeros((15, n_post), np.float32)
    w = np.asarray(weights)
    for t, i in zip(*np.nonzero(np.asarray(raster)), strict=True):
        for k, j in enumerate(np.asarray(table.indices)[i]):
            if j < n_post and t + steps[i, k] - 1 < 15:
                expected[t + steps[i, k] - 1, j] += w[i, k]
    for name, out in outs.items():
        np.testing.assert_array_equal(out, expected, err_msg=name)
