"""Connectivity generators and conversions: statistics, invariants, round trips."""

import math

import jax
import jax.numpy as jnp
import networkx as nx
import numpy as np
import pytest
import scipy.sparse
import scipy.sparse.csgraph
from hypothesis import given, settings, strategies as st

import brainox as bx
from brainox.connect import _graphs


def _valid_table(table, n_pre, n_post):
    """Shared invariants: shape, dtype, range, padding last, rows ascending and
    distinct. Returns the indices (numpy) and the mask of real entries."""
    indices = np.asarray(table.indices)
    assert indices.dtype == np.int32
    assert indices.shape[0] == n_pre and table.n_post == n_post
    assert indices.size == 0 or (indices.min() >= 0 and indices.max() <= n_post)
    valid = indices < n_post
    assert (np.diff(valid.astype(int), axis=1) <= 0).all()  # padding only at the end
    diffs = np.diff(indices, axis=1)
    assert (diffs[valid[:, 1:]] > 0).all()  # ascending, hence no duplicate targets
    if indices.shape[1]:
        assert valid[:, -1].any() or not valid.any()  # no all-padding column
    return indices, valid


def _dense(table):
    """The 0/1 (or count) matrix, in numpy: no compilation per table shape."""
    indices = np.asarray(table.indices)
    rows, columns = np.nonzero(indices < table.n_post)
    dense = np.zeros((indices.shape[0], table.n_post), np.int64)
    np.add.at(dense, (rows, indices[rows, columns]), 1)
    return dense


def _out_degree(table):
    return np.sum(np.asarray(table.indices) < table.n_post, axis=1)


def _in_degree(table):
    indices = np.asarray(table.indices)
    return np.bincount(indices[indices < table.n_post], minlength=table.n_post)


def _same(a, b):
    return a.indices.shape == b.indices.shape and bool(
        jnp.array_equal(a.indices, b.indices)
    )


# ----------------------------------------------------------------------------
# Fixed in-degree / out-degree


@pytest.mark.parametrize(
    "n_pre, n_post, k",
    [(400, 300, 20), (300, 400, 250), (50, 2000, 50), (1, 5, 1)],
)
@pytest.mark.parametrize("allow_autapses", [True, False])
def test_fixed_in_degree_exact_degrees(n_pre, n_post, k, allow_autapses, getkey):
    k = min(k, n_pre - (not allow_autapses))
    table = bx.connect.fixed_in_degree(
        getkey(), n_pre, n_post, k, allow_autapses=allow_autapses
    )
    _valid_table(table, n_pre, n_post)
    np.testing.assert_array_equal(_in_degree(table), k)
    if not allow_autapses:
        m = min(n_pre, n_post)
        assert np.trace(_dense(table)[:m, :m]) == 0
    # Out-degrees: each pre is a partner of each post with probability k / n_pre
    # (binomial mean and variance, up to the exclusion of autapses).
    if allow_autapses and n_pre >= 50 and k < n_pre:
        q = k / n_pre
        degree = _out_degree(table)
        assert abs(degree.mean() - n_post * q) < 1e-9  # the total is exact
        assert 0.8 < degree.var() / (n_post * q * (1 - q)) < 1.2


@pytest.mark.parametrize(
    "n_pre, n_post, k",
    [(300, 400, 20), (400, 300, 250), (2000, 50, 50), (5, 1, 1)],
)
@pytest.mark.parametrize("allow_autapses", [True, False])
def test_fixed_out_degree_exact_degrees(n_pre, n_post, k, allow_autapses, getkey):
    k = min(k, n_post - (not allow_autapses))
    table = bx.connect.fixed_out_degree(
        getkey(), n_pre, n_post, k, allow_autapses=allow_autapses
    )
    indices, valid = _valid_table(table, n_pre, n_post)
    assert indices.shape == (n_pre, k) and valid.all()
    if not allow_autapses:
        m = min(n_pre, n_post)
        assert np.trace(_dense(table)[:m, :m]) == 0
    if allow_autapses and n_post >= 50 and k < n_post:
        q = k / n_post
        in_degree = _in_degree(table)
        assert 0.8 < in_degree.var() / (n_pre * q * (1 - q)) < 1.2


@pytest.mark.parametrize("k", [5, 60, 190])  # the sparse sampler and the dense one
def test_fixed_degree_targets_are_uniform(k, getkey):
    # 4000 rows of k of 200: every value is drawn about 4000 k / 200 times, with
    # no bias by position (chi-square of the counts against uniform).
    n_rows, n = 4000, 200
    table = bx.connect.fixed_out_degree(getkey(), n_rows, n, k)
    counts = _in_degree(table)
    expected = n_rows * k / n
    chi2 = np.sum((counts - expected) ** 2 / (expected * (1 - k / n)))
    assert abs(chi2 - (n - 1)) < 6 * math.sqrt(2 * (n - 1))
    # Pairs of values appear together as often as independent choice predicts.
    dense = _dense(table).astype(float)
    together = dense[:, 0] @ dense[:, 1] / n_rows
    p_pair = k * (k - 1) / (n * (n - 1))
    assert abs(together - p_pair) < 6 * math.sqrt(p_pair / n_rows) + 1e-3


def test_fixed_degree_extremes(getkey):
    empty = bx.connect.fixed_in_degree(getkey(), 10, 20, 0)
    assert empty.indices.shape == (10, 0) and empty.n_synapses() == 0
    full = bx.connect.fixed_out_degree(getkey(), 6, 4, 4)
    np.testing.assert_array_equal(_dense(full), np.ones((6, 4)))
    no_self = bx.connect.fixed_in_degree(getkey(), 5, 5, 4, allow_autapses=False)
    np.testing.assert_array_equal(_dense(no_self), 1 - np.eye(5))


@pytest.mark.parametrize(
    "generator", [bx.connect.fixed_in_degree, bx.connect.fixed_out_degree]
)
def test_fixed_degree_bad_k(generator, getkey):
    with pytest.raises(ValueError, match=r"`k` must be an integer in \[0, 30\].*40"):
        generator(getkey(), 30, 30, 40)
    with pytest.raises(ValueError, match=r"\[0, 29\].*without autapses.*30"):
        generator(getkey(), 30, 30, 30, allow_autapses=False)
    with pytest.raises((ValueError, TypeError), match="`k`|parameter 'k'"):
        generator(getkey(), 30, 30, -1)
    with pytest.raises(ValueError, match="`n_pre` must be a positive integer"):
        generator(getkey(), 0, 30, 1)


@settings(deadline=None, max_examples=25)
@given(
    n_pre=st.integers(1, 120),
    n_post=st.integers(1, 120),
    fraction=st.floats(0.0, 1.0),
    allow_autapses=st.booleans(),
    in_degree=st.booleans(),
    seed=st.integers(0, 2**31 - 1),
)
def test_fixed_degree_property(
    n_pre, n_post, fraction, allow_autapses, in_degree, seed
):
    n_from = n_pre if in_degree else n_post
    k = int(fraction * (n_from - (not allow_autapses)))
    generator = bx.connect.fixed_in_degree if in_degree else bx.connect.fixed_out_degree
    table = generator(
        jax.random.key(seed), n_pre, n_post, k, allow_autapses=allow_autapses
    )
    _valid_table(table, n_pre, n_post)
    degree = _in_degree(table) if in_degree else _out_degree(table)
    np.testing.assert_array_equal(degree, k)
    assert degree.sum() == k * (n_post if in_degree else n_pre)
    if not allow_autapses:
        m = min(n_pre, n_post)
        assert np.trace(_dense(table)[:m, :m]) == 0


# ----------------------------------------------------------------------------
# Determinism of every random generator

POSITIONS = np.random.default_rng(0).random((300, 2)) * 10.0
RANDOM_GENERATORS = {
    "fixed_in_degree": lambda key: bx.connect.fixed_in_degree(key, 200, 300, 15),
    "fixed_out_degree": lambda key: bx.connect.fixed_out_degree(key, 300, 200, 15),
    "gaussian": lambda key: bx.connect.gaussian(key, POSITIONS, POSITIONS, 1.0, 0.5),
    "small_world": lambda key: bx.connect.small_world(key, 300, 6, 0.2),
    "scale_free": lambda key: bx.connect.scale_free(key, 300, 3),
}


@pytest.mark.parametrize("name", sorted(RANDOM_GENERATORS))
def test_generators_are_deterministic_from_the_key(name):
    generator = RANDOM_GENERATORS[name]
    a = generator(jax.random.key(3))
    b = generator(jax.random.key(3))
    c = generator(jax.random.key(4))
    assert _same(a, b)
    assert not _same(a, c)


# ----------------------------------------------------------------------------
# One-to-one, all-to-all, grid


def test_one_to_one():
    table = bx.connect.one_to_one(7)
    _valid_table(table, 7, 7)
    np.testing.assert_array_equal(_dense(table), np.eye(7))


@pytest.mark.parametrize("n_pre, n_post", [(5, 5), (3, 6), (6, 3), (1, 1)])
@pytest.mark.parametrize("allow_autapses", [True, False])
def test_all_to_all(n_pre, n_post, allow_autapses):
    table = bx.connect.all_to_all(n_pre, n_post, allow_autapses=allow_autapses)
    _valid_table(table, n_pre, n_post)
    expected = np.ones((n_pre, n_post))
    if not allow_autapses:
        m = min(n_pre, n_post)
        expected[np.arange(m), np.arange(m)] = 0
    np.testing.assert_array_equal(_dense(table), expected)


def _lattice_degree(rows, cols, neighbours, periodic):
    """Neighbour counts by brute force over the lattice coordinates."""
    r, c = np.divmod(np.arange(rows * cols), cols)
    dr = r[:, None] - r[None, :]
    dc = c[:, None] - c[None, :]
    if periodic:
        dr = np.minimum(np.abs(dr) % rows, (-np.abs(dr)) % rows)
        dc = np.minimum(np.abs(dc) % cols, (-np.abs(dc)) % cols)
    dr, dc = np.abs(dr), np.abs(dc)
    if neighbours == 4:
        adjacent = dr + dc == 1
    else:
        adjacent = (np.maximum(dr, dc) == 1) & (dr + dc > 0)
    return adjacent.astype(np.int64)


@pytest.mark.parametrize("shape", [(5, 7), (1, 6), (2, 2), (3, 3), (8, 2)])
@pytest.mark.parametrize("neighbours", [4, 8])
@pytest.mark.parametrize("periodic", [False, True])
def test_grid_matches_brute_force(shape, neighbours, periodic):
    table = bx.connect.grid(shape, neighbours, periodic=periodic)
    n = shape[0] * shape[1]
    _valid_table(table, n, n)
    dense = _dense(table)
    np.testing.assert_array_equal(dense, _lattice_degree(*shape, neighbours, periodic))
    np.testing.assert_array_equal(dense, dense.T)


def test_grid_neighbour_counts():
    degree = np.asarray(bx.connect.grid((6, 5), 4).degree()).reshape(6, 5)
    assert degree[1:-1, 1:-1].min() == degree[1:-1, 1:-1].max() == 4  # interior
    assert degree[0, 1:-1].tolist() == [3, 3, 3] and degree[1:-1, 0].min() == 3
    assert degree[0, 0] == degree[0, -1] == degree[-1, 0] == degree[-1, -1] == 2
    moore = np.asarray(bx.connect.grid((6, 5), 8).degree()).reshape(6, 5)
    assert moore[2, 2] == 8 and moore[0, 2] == 5 and moore[0, 0] == 3
    for neighbours in (4, 8):
        torus = bx.connect.grid((6, 5), neighbours, periodic=True)
        np.testing.assert_array_equal(torus.degree(), neighbours)
    # Neuron (2, 3) of a 6 x 5 lattice is 13; its von Neumann neighbours:
    row = np.asarray(bx.connect.grid((6, 5), 4).indices[13])
    assert row.tolist() == [8, 12, 14, 18]


@settings(deadline=None, max_examples=20)
@given(rows=st.integers(1, 30), cols=st.integers(1, 30))
def test_grid_synapse_count_property(rows, cols):
    # Von Neumann: 2 (rows (cols - 1) + cols (rows - 1)) directed synapses.
    # Moore adds 4 (rows - 1) (cols - 1) diagonal ones.
    straight = 2 * (rows * (cols - 1) + cols * (rows - 1))
    diagonal = 4 * (rows - 1) * (cols - 1)
    assert _out_degree(bx.connect.grid((rows, cols), 4)).sum() == straight
    assert _out_degree(bx.connect.grid((rows, cols), 8)).sum() == straight + diagonal


def test_grid_bad_arguments():
    with pytest.raises(ValueError, match="`neighbours` must be 4.*or 8.*got 6"):
        bx.connect.grid((4, 4), 6)
    with pytest.raises(ValueError, match=r"`shape\[1\]` must be a positive integer"):
        bx.connect.grid((4, 0))
    with pytest.raises((ValueError, TypeError), match="`shape`|parameter 'shape'"):
        bx.connect.grid((4, 4, 4))


# ----------------------------------------------------------------------------
# Gaussian (distance-dependent)


def _gaussian_probability(x_pre, x_post, sigma, p_max, cutoff, allow_autapses):
    d = np.sqrt(np.sum((x_pre[:, None] - x_post[None]) ** 2, axis=-1))
    p = p_max * np.exp(-(d**2) / (2 * sigma**2))
    p[d > cutoff * sigma] = 0.0
    if not allow_autapses:
        m = min(len(x_pre), len(x_post))
        p[np.arange(m), np.arange(m)] = 0.0
    return p, d


@pytest.mark.parametrize(
    "dim, sigma, p_max, cutoff, allow_autapses",
    [
        (2, 0.6, 0.8, 4.0, False),
        (2, 1.5, 0.3, float("inf"), True),
        (1, 0.2, 1.0, 3.0, True),
        (3, 0.8, 0.5, 4.0, False),
    ],
)
def test_gaussian_realised_probability(dim, sigma, p_max, cutoff, allow_autapses):
    rng = np.random.default_rng(dim)
    x_pre = rng.random((1500, dim)) * 8.0
    x_post = np.concatenate([x_pre[:1000], rng.random((700, dim)) * 8.0])
    table = bx.connect.gaussian(
        jax.random.key(dim),
        x_pre,
        x_post,
        sigma,
        p_max,
        cutoff=cutoff,
        allow_autapses=allow_autapses,
    )
    _valid_table(table, 1500, 1700)
    p, d = _gaussian_probability(x_pre, x_post, sigma, p_max, cutoff, allow_autapses)
    dense = _dense(table)
    # Total count: a sum of independent Bernoulli variables.
    assert abs(dense.sum() - p.sum()) < 5 * math.sqrt(np.sum(p * (1 - p)))
    assert (dense[p == 0] == 0).all()  # nothing beyond the cut-off, no autapse
    # The fall-off with distance: counts in distance bins against their means.
    bins = np.digitize(d, np.array([0.5, 1.0, 1.5, 2.0, 3.0]) * sigma)
    for b in range(6):
        mean = p[bins == b].sum()
        sd = math.sqrt(np.sum(p[bins == b] * (1 - p[bins == b])))
        assert abs(dense[bins == b].sum() - mean) < 5 * sd + 1e-9, b
    # Per-synapse distances, in the table's shape, zero in the padding.
    indices, valid = _valid_table(table, 1500, 1700)
    dist = np.asarray(bx.connect.distances(table, x_pre, x_post))
    rows = np.nonzero(valid)[0]
    np.testing.assert_allclose(dist[valid], d[rows, indices[valid]], rtol=1e-5)
    assert (dist[~valid] == 0).all()


def test_gaussian_small_sigma_examines_few_pairs():
    # 40 000 neurons and sigma of one spacing: about 2 pi 0.5 = 3 synapses per
    # neuron. An O(n^2) method would examine 1.6e9 pairs; this takes moments.
    side = np.arange(200.0)
    xy = np.stack(np.meshgrid(side, side, indexing="ij"), -1).reshape(-1, 2)
    table = bx.connect.gaussian(
        jax.random.key(0), xy, xy, 1.0, 0.5, allow_autapses=False
    )
    degree = _out_degree(table).reshape(200, 200)
    offsets = np.arange(-4, 5)
    d2 = offsets[:, None] ** 2 + offsets[None] ** 2
    kernel = 0.5 * np.exp(-d2 / 2.0) * (d2 <= 16) * (d2 > 0)
    interior = degree[10:-10, 10:-10]
    assert abs(interior.mean() - kernel.sum()) < 5 * math.sqrt(
        np.sum(kernel * (1 - kernel)) / interior.size
    )
    dist = np.asarray(bx.connect.distances(table, xy, xy))
    assert dist.max() <= 4.0


def test_gaussian_edge_cases(getkey):
    x = np.random.default_rng(0).random((50, 2))
    empty = bx.connect.gaussian(getkey(), x, x, 0.1, 0.0)
    assert empty.indices.shape == (50, 0)
    # Everything at one point, p_max = 1: all pairs, but no autapses.
    same = np.zeros((20, 3))
    full = bx.connect.gaussian(getkey(), same, same, 1.0, allow_autapses=False)
    np.testing.assert_array_equal(_dense(full), 1 - np.eye(20))
    # 1-D positions as a flat vector.
    line = bx.connect.gaussian(getkey(), np.arange(30.0), np.arange(30.0), 1.0)
    _valid_table(line, 30, 30)


def test_gaussian_bad_arguments(getkey):
    x = np.zeros((10, 2))
    with pytest.raises(ValueError, match="`sigma` must be a finite positive number"):
        bx.connect.gaussian(getkey(), x, x, 0.0)
    with pytest.raises(ValueError, match=r"`p_max` must be a probability in \[0, 1\]"):
        bx.connect.gaussian(getkey(), x, x, 1.0, 1.5)
    with pytest.raises(ValueError, match="`cutoff` must be a positive number"):
        bx.connect.gaussian(getkey(), x, x, 1.0, cutoff=-1.0)
    with pytest.raises(ValueError, match="both need the same dimension"):
        bx.connect.gaussian(getkey(), x, np.zeros((10, 3)), 1.0)
    with pytest.raises(ValueError, match="`positions_post` must have shape"):
        bx.connect.gaussian(getkey(), x, np.zeros((10, 4)), 1.0)
    with pytest.raises(ValueError, match="NaN or infinite"):
        bx.connect.gaussian(getkey(), x, np.full((10, 2), np.nan), 1.0)


@settings(deadline=None, max_examples=15)
@given(
    n_pre=st.integers(1, 200),
    n_post=st.integers(1, 200),
    sigma=st.floats(0.05, 5.0),
    p_max=st.floats(0.0, 1.0),
    allow_autapses=st.booleans(),
    seed=st.integers(0, 2**31 - 1),
)
def test_gaussian_property(n_pre, n_post, sigma, p_max, allow_autapses, seed):
    rng = np.random.default_rng(seed)
    x_pre, x_post = rng.random((n_pre, 2)) * 10, rng.random((n_post, 2)) * 10
    table = bx.connect.gaussian(
        jax.random.key(seed), x_pre, x_post, sigma, p_max, allow_autapses=allow_autapses
    )
    _valid_table(table, n_pre, n_post)
    p, _ = _gaussian_probability(x_pre, x_post, sigma, p_max, 4.0, allow_autapses)
    dense = _dense(table)
    assert (dense[p == 0] == 0).all()
    assert abs(dense.sum() - p.sum()) < 6 * math.sqrt(np.sum(p * (1 - p))) + 1e-9


# ----------------------------------------------------------------------------
# Small world and scale free


def _undirected_checks(table, n):
    _valid_table(table, n, n)
    dense = _dense(table)
    np.testing.assert_array_equal(dense, dense.T)  # symmetric
    assert np.trace(dense) == 0  # no self-loops
    return dense


def _clustering(dense):
    a = dense.astype(float)
    degree = a.sum(axis=1)
    triangles = np.einsum("ij,jk,ki->i", a, a, a) / 2
    pairs = degree * (degree - 1) / 2
    return np.mean(np.where(pairs > 0, triangles / np.maximum(pairs, 1), 0.0))


def _transitivity(dense):
    """Global clustering: 3 triangles / connected triples (Barrat & Weigt's C')."""
    a = dense.astype(float)
    degree = a.sum(axis=1)
    return np.trace(a @ a @ a) / np.sum(degree * (degree - 1))


def _path_length(dense):
    hops = scipy.sparse.csgraph.shortest_path(
        scipy.sparse.csr_array(dense), unweighted=True
    )
    finite = np.isfinite(hops) & (hops > 0)
    return hops[finite].mean()


def test_small_world_ring_lattice_at_beta_zero():
    n, k = 300, 10
    dense = _undirected_checks(bx.connect.small_world(jax.random.key(0), n, k, 0.0), n)
    np.testing.assert_array_equal(dense.sum(axis=1), k)
    # Exact clustering of a ring lattice, and its exact mean path length: a
    # neuron at ring distance s is ceil(s / (k / 2)) hops away.
    assert _clustering(dense) == pytest.approx(3 * (k - 2) / (4 * (k - 1)))
    ring = np.minimum(np.arange(1, n), n - np.arange(1, n))
    assert _path_length(dense) == pytest.approx(np.mean(np.ceil(ring / (k // 2))))


def test_small_world_rewired():
    n, k = 300, 10
    c0 = 3 * (k - 2) / (4 * (k - 1))
    for beta, key in ((0.1, 1), (1.0, 2)):
        table = bx.connect.small_world(jax.random.key(key), n, k, beta)
        dense = _undirected_checks(table, n)
        assert dense.sum() == n * k  # n k / 2 edges, both directions
        c = _clustering(dense)
        length = _path_length(dense)
        if beta == 0.1:
            # Clustering about c0 (1 - beta)^3 (Barrat & Weigt 2000: a lattice
            # triangle survives if none of its 3 edges moved); paths already
            # much shorter than the lattice's n / (2 k) = 15.
            assert abs(_transitivity(dense) - c0 * (1 - beta) ** 3) < 0.05
            assert length < 6.0
        else:
            # A random graph: clustering about k / n, path about ln n / ln k.
            assert c < 3 * k / n
            assert abs(length - math.log(n) / math.log(k)) < 1.0


def _lattice_share(dense, half):
    # The share of the edges that join neurons at most k / 2 apart on the ring.
    n = dense.shape[0]
    a, b = np.nonzero(np.triu(dense))
    ring = np.minimum(b - a, n - (b - a))
    return np.mean(ring <= half)


@pytest.mark.parametrize(
    "n, k, beta, path",
    [(40, 16, 1.0, "rounds"), (40, 16, 1.0, "sequence"), (10, 8, 0.5, "sequence")],
)
def test_small_world_rewiring_matches_networkx(n, k, beta, path, monkeypatch):
    # NetworkX's watts_strogatz_graph rewires one edge at a time: a later edge
    # may take the place of one rewired before it. Both of small_world's ways
    # (parallel rounds for large sparse graphs, the plain sequence for small or
    # dense ones) must give its distribution: here the share of edges still
    # between lattice neighbours (0.279 at n = 40, k = 16, beta = 1; drawing
    # all new ends at once against the full lattice gives 0.20), and at
    # n = 10, k = 8 also the rule that a neuron linked to all others keeps
    # its edge.
    monkeypatch.setattr(_graphs, "_FEW_EDGES", 0 if path == "rounds" else 10**9)
    seeds = 300
    ours = [
        _lattice_share(
            np.asarray(
                bx.connect.small_world(jax.random.key(s), n, k, beta).to_dense()
            ),
            k // 2,
        )
        for s in range(seeds)
    ]
    reference = [
        _lattice_share(
            nx.to_numpy_array(nx.watts_strogatz_graph(n, k, beta, seed=s)), k // 2
        )
        for s in range(seeds)
    ]
    error = np.hypot(np.std(ours), np.std(reference)) / np.sqrt(seeds)
    assert abs(np.mean(ours) - np.mean(reference)) < 4 * error


@settings(deadline=None, max_examples=15)
@given(
    n=st.integers(3, 200),
    half=st.integers(0, 20),
    beta=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**31 - 1),
)
def test_small_world_property(n, half, beta, seed):
    # Both ways of rewiring (parallel rounds, the plain sequence) give valid
    # graphs: symmetric, no self-loops or repeated edges, n k / 2 edges.
    k = 2 * min(half, (n - 1) // 2)
    for few_edges in (0, 10**9):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(_graphs, "_FEW_EDGES", few_edges)
            table = bx.connect.small_world(jax.random.key(seed), n, k, beta)
        dense = _undirected_checks(table, n)
        assert dense.sum() == n * k and dense.max() <= 1


def test_small_world_bad_arguments(getkey):
    with pytest.raises(ValueError, match="`k` must be even.*got 5"):
        bx.connect.small_world(getkey(), 100, 5, 0.1)
    with pytest.raises(ValueError, match=r"`k` must be an integer in \[0, 9\]"):
        bx.connect.small_world(getkey(), 10, 12, 0.1)
    with pytest.raises(ValueError, match=r"`beta` must be a probability in \[0, 1\]"):
        bx.connect.small_world(getkey(), 100, 4, -0.5)


def test_scale_free_edges_and_degree_tail():
    n, m = 20000, 3
    table = bx.connect.scale_free(jax.random.key(0), n, m)
    indices, valid = _valid_table(table, n, n)
    # Exactly m (n - m) undirected edges: m for the seed star, m per new node.
    assert table.n_synapses() == 2 * m * (n - m)
    degree = _out_degree(table)
    assert degree.min() == m
    # Symmetric: the edge list equals its transpose; no self-loops.
    pre, post = bx.connect.to_edges(table)
    forward = np.sort(np.asarray(pre, np.int64) * n + np.asarray(post))
    backward = np.sort(np.asarray(post, np.int64) * n + np.asarray(pre))
    np.testing.assert_array_equal(forward, backward)
    assert not np.any(np.asarray(pre) == np.asarray(post))
    # Power-law tail P(d) ~ d^-3: discrete maximum-likelihood exponent
    # (Clauset, Shalizi & Newman 2009) above d_min = 10.
    tail = degree[degree >= 10]
    alpha = 1 + tail.size / np.sum(np.log(tail / 9.5))
    assert 2.5 < alpha < 3.5
    # A hub emerges: the largest degree grows like sqrt(n).
    assert degree.max() > 5 * m * math.sqrt(n) / 10


def test_scale_free_small_cases(getkey):
    star = _undirected_checks(bx.connect.scale_free(getkey(), 4, 3), 4)
    assert star.sum(axis=1).tolist() == [3, 1, 1, 1]
    small = _undirected_checks(bx.connect.scale_free(getkey(), 300, 3), 300)
    assert small.sum() == 2 * 3 * (300 - 3)
    with pytest.raises(ValueError, match=r"`m` must be an integer in \[1, 3\].*got 4"):
        bx.connect.scale_free(getkey(), 4, 4)
    with pytest.raises(ValueError, match=r"`m` must be an integer in \[1, 9\]"):
        bx.connect.scale_free(getkey(), 10, 0)
    with pytest.raises(ValueError, match="`n` must be at least 2"):
        bx.connect.scale_free(getkey(), 1, 1)


# ----------------------------------------------------------------------------
# Conversions


def test_dense_round_trip():
    rng = np.random.default_rng(0)
    W = rng.normal(size=(40, 30)).astype(np.float32) * (rng.random((40, 30)) < 0.3)
    W[5] = 0.0  # a row with no synapse
    table, weights = bx.connect.from_dense(W)
    _valid_table(table, 40, 30)
    assert weights.shape == table.indices.shape and weights.dtype == jnp.float32
    np.testing.assert_array_equal(table.to_dense(weights), W)
    assert table.n_synapses() == np.count_nonzero(W)
    # A boolean matrix: unit weights.
    table, weights = bx.connect.from_dense(W != 0)
    np.testing.assert_array_equal(table.to_dense(weights), (W != 0).astype(np.float32))
    # bfloat16 weights keep their dtype; a sparse matrix is pointed to from_sparse.
    table, weights = bx.connect.from_dense(jnp.asarray(W, jnp.bfloat16))
    assert weights.dtype == jnp.bfloat16
    np.testing.assert_array_equal(
        table.to_dense(weights), np.asarray(jnp.asarray(W, jnp.bfloat16))
    )
    # (Under the jaxtyping test hook its check names the argument first.)
    sparse_message = "`W` is a scipy.sparse matrix; build its table with|parameter 'W'"
    with pytest.raises(TypeError, match=sparse_message):
        bx.connect.from_dense(scipy.sparse.csr_matrix(W))


def test_sparse_round_trip():
    S = scipy.sparse.random(60, 45, density=0.2, format="csr", random_state=1)
    for matrix in (S, S.tocsc(), S.tocoo(), scipy.sparse.csr_array(S)):
        table, weights = bx.connect.from_sparse(matrix)
        _valid_table(table, 60, 45)
        np.testing.assert_allclose(table.to_dense(weights), S.toarray(), rtol=1e-6)
    # COO with a repeated entry: summed, as SciPy reads it; explicit zeros stay.
    coo = scipy.sparse.coo_array(
        (np.array([1.0, 2.0, 0.0]), (np.array([0, 0, 1]), np.array([2, 2, 0]))),
        shape=(2, 3),
    )
    table, weights = bx.connect.from_sparse(coo)
    np.testing.assert_array_equal(table.to_dense(weights), coo.toarray())
    assert table.n_synapses() == 2  # (0, 2) merged, (1, 0) kept with weight 0
    with pytest.raises(TypeError, match="`S` must be a scipy.sparse matrix"):
        bx.connect.from_sparse(np.eye(3))


def test_edges_round_trip(getkey):
    table = bx.connect.fixed_out_degree(getkey(), 50, 40, 7)
    weights = np.random.default_rng(0).random(table.indices.shape).astype(np.float32)
    pre, post, w = bx.connect.to_edges(table, weights)
    order = np.random.default_rng(1).permutation(pre.shape[0])  # any order
    back, back_w = bx.connect.from_edges(
        np.asarray(pre)[order], np.asarray(post)[order], 50, 40, np.asarray(w)[order]
    )
    assert _same(back, table)
    np.testing.assert_array_equal(back_w, weights)
    pre2, post2, w2 = bx.connect.to_edges(back, back_w)
    np.testing.assert_array_equal(pre2, pre)
    np.testing.assert_array_equal(post2, post)
    np.testing.assert_array_equal(w2, w)


def test_from_edges_duplicates_and_validation():
    pre, post = [0, 2, 0, 1], [1, 0, 1, 1]
    with pytest.raises(ValueError, match=r"1 repeated \(pre, post\) pair.*\(0, 1\)"):
        bx.connect.from_edges(pre, post, 3, 2)
    table, w = bx.connect.from_edges(
        pre, post, 3, 2, [1.0, 2.0, 3.0, 4.0], duplicates="merge"
    )
    np.testing.assert_array_equal(table.to_dense(w), [[0, 4], [0, 4], [2, 0]])
    unweighted = bx.connect.from_edges(pre, post, 3, 2, duplicates="merge")
    assert isinstance(unweighted, bx.connect.OutDegreeTable)
    assert unweighted.n_synapses() == 3
    empty = bx.connect.from_edges([], [], 4, 5)
    assert empty.indices.shape == (4, 0)
    with pytest.raises(
        ValueError, match=r"`post\[1\]` is 7, outside \[0, n_post = 2\)"
    ):
        bx.connect.from_edges([0, 1], [1, 7], 3, 2)
    with pytest.raises(ValueError, match="the same length"):
        bx.connect.from_edges([0, 1], [1], 3, 2)
    with pytest.raises(ValueError, match=r"`weights` has shape \(1,\)"):
        bx.connect.from_edges([0, 1], [1, 0], 3, 2, [1.0])
    with pytest.raises(ValueError, match="`duplicates` must be 'error'"):
        bx.connect.from_edges([0], [1], 3, 2, duplicates="sum")
    with pytest.raises((ValueError, TypeError), match="integer neuron|'pre'"):
        bx.connect.from_edges(np.array([0.5]), [1], 3, 2)


@settings(deadline=None, max_examples=20)
@given(
    n_pre=st.integers(1, 40),
    n_post=st.integers(1, 40),
    n_edges=st.integers(0, 300),
    seed=st.integers(0, 2**31 - 1),
)
def test_from_edges_property(n_pre, n_post, n_edges, seed):
    # Random edge lists with repeats: merge gives the summed dense matrix.
    rng = np.random.default_rng(seed)
    pre = rng.integers(0, n_pre, n_edges)
    post = rng.integers(0, n_post, n_edges)
    w = rng.integers(1, 5, n_edges).astype(np.float32)
    table, weights = bx.connect.from_edges(
        pre, post, n_pre, n_post, w, duplicates="merge"
    )
    indices, valid = _valid_table(table, n_pre, n_post)
    expected = np.zeros((n_pre, n_post), np.float32)
    np.add.at(expected, (pre, post), w)
    rows = np.nonzero(valid)[0]
    got = np.zeros((n_pre, n_post), np.float32)
    got[rows, indices[valid]] = np.asarray(weights)[valid]
    np.testing.assert_array_equal(got, expected)
    assert (np.asarray(weights)[~valid] == 0).all()
