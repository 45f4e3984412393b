"""Random graph models: Watts-Strogatz small-world and Barabasi-Albert scale-free.

Both are undirected graphs, returned as symmetric tables: an edge between
neurons `a` and `b` is a synapse `a -> b` and a synapse `b -> a`.
"""

import functools

import jax
import jax.numpy as jnp
import numpy as np

from .._custom_types import Array, RealScalarLike
from .._validate import check_size
from ._build import host_rng, table_from_edges
from ._checks import check_count, check_probability
from ._table import OutDegreeTable


_MAX_ROUNDS = 1000


def _symmetric(a: np.ndarray, b: np.ndarray, n: int) -> OutDegreeTable:
    """The table of the undirected edges (a[e], b[e]): both directions."""
    table, _ = table_from_edges(np.concatenate([a, b]), np.concatenate([b, a]), n, n)
    return table


def _member(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Whether each of `keys` is in the sorted array `sorted_keys`."""
    if sorted_keys.shape[0] == 0:
        return np.zeros(keys.shape, bool)
    at = np.searchsorted(sorted_keys, keys)
    found = sorted_keys[np.minimum(at, sorted_keys.shape[0] - 1)] == keys
    return np.logical_and(at < sorted_keys.shape[0], found)


def small_world(key: Array, n: int, k: int, beta: RealScalarLike) -> OutDegreeTable:
    """A Watts-Strogatz small-world graph: a ring lattice with rewired edges.

    The `n` neurons sit on a ring, each linked to its `k / 2` nearest neighbours
    on either side (`n k / 2` undirected edges). Then each edge `(i, i + j)`,
    `1 <= j <= k / 2`, is rewired with probability `beta`: its far end moves to
    a neuron drawn uniformly among those that are neither `i` nor already
    linked to `i`. There are never self-loops or duplicate edges, and the edge
    count stays `n k / 2`. At `beta = 0` this is the ring lattice (clustering
    coefficient `3 (k - 2) / (4 (k - 1))`, mean path length about `n / (2 k)`);
    at `beta = 1` it is close to a random graph (clustering about `k / n`, path
    length about `ln n / ln k`); in between, clustering stays high while paths
    are already short.

    **Algorithm:** the rewired edges draw their new ends all at once; an end
    that would make a self-loop or repeat a present edge (or one drawn earlier
    in the same round) is drawn again, in rounds, until every edge has a valid
    end. An edge keeps its old place until it moves, so no other edge can take
    it meanwhile; the edges of a neuron linked to all others stay in place.
    Watts and Strogatz (and NetworkX) rewire one edge at a time; drawing in
    parallel gives the same kind of graph (every rewired edge ends at a
    uniformly drawn valid neuron) in vectorised time.

    **Arguments:**

    - `key`: a `jax.random.key`; the same key gives the same graph.
    - `n`: number of neurons.
    - `k`: the mean degree, even, in `[0, n - 1]`.
    - `beta`: the rewiring probability, in `[0, 1]`.

    **Returns:** a symmetric [`brainox.connect.OutDegreeTable`][] with `n k`
    synapses (each undirected edge in both directions); at `beta = 0` every
    neuron has degree `k`.

    ??? cite "Reference"
        ```bibtex
        @article{watts1998collective,
          author  = {Watts, Duncan J. and Strogatz, Steven H.},
          title   = {Collective dynamics of `small-world' networks},
          journal = {Nature},
          volume  = {393},
          pages   = {440--442},
          year    = {1998},
          doi     = {10.1038/30918}
        }
        ```

    !!! example
        ```python
        table = bx.connect.small_world(jax.random.key(0), 1000, 10, 0.1)
        table.degree().mean()   # 10
        ```
    """
    n = check_size("n", n)
    k = check_count("k", k, 0, n - 1, "the mean degree: k / 2 neighbours per side")
    if k % 2:
        raise ValueError(
            f"`k` must be even (k / 2 neighbours on each side of the ring), got {k}."
        )
    beta = check_probability(beta, "beta", "the rewiring probability", "beta=0.1")
    half = k // 2
    near = np.repeat(np.arange(n, dtype=np.int64), half)
    far = (near + np.tile(np.arange(1, half + 1), n)) % n
    rng = host_rng(key)
    pending = np.flatnonzero(rng.random(near.shape[0]) < beta)

    def edge_key(a, b):  # one int64 per undirected edge
        return np.minimum(a, b) * n + np.maximum(a, b)

    # An edge being rewired keeps its place until it gets its new end, so that
    # no other edge can take that place meanwhile (as when rewiring one edge
    # at a time). Present edges: the lattice's, less those moved away
    # (`released`), plus the new ones (`added`); all as sorted int64 keys.
    lattice = np.sort(edge_key(near, far))
    released = added = np.zeros(0, np.int64)
    degree = np.full(n, k)
    for _ in range(_MAX_ROUNDS):
        # A neuron linked to all others keeps its edges where they are.
        pending = pending[degree[near[pending]] < n - 1]
        if pending.size == 0:
            break
        a = near[pending]
        b = rng.integers(0, n - 1, pending.size)
        b += b >= a  # never a itself
        keys = edge_key(a, b)
        present = _member(lattice, keys) & ~_member(released, keys)
        present |= _member(added, keys)
        ok = np.zeros(pending.size, bool)
        ok[np.unique(keys, return_index=True)[1]] = True  # first to draw it
        ok &= ~present
        moved = pending[ok]
        degree += np.bincount(b[ok], minlength=n) - np.bincount(far[moved], minlength=n)
        released = np.sort(
            np.concatenate([released, edge_key(near[moved], far[moved])])
        )
        added = np.sort(np.concatenate([added, keys[ok]]))
        far[moved] = b[ok]
        pending = pending[~ok]
    else:
        raise RuntimeError(
            f"small_world: {pending.size} edge(s) found no valid new end after "
            f"{_MAX_ROUNDS} rounds; k = {k} is too close to n = {n} for rewiring. "
            "Use a smaller k or beta."
        )
    return _symmetric(near, far, n)


def _on_cpu(key: Array) -> Array:
    # A loop of many small sequential steps runs best on the CPU (on a GPU each
    # step would launch kernels and sync on the loop condition); the result is
    # read on the host anyway. `jit` follows its argument's device.
    try:
        return jax.device_put(key, jax.devices("cpu")[0])
    except RuntimeError:  # no CPU backend enabled: stay where we are
        return key


@functools.partial(jax.jit, static_argnums=(1, 2))
def _attach(key: Array, n: int, m: int) -> Array:
    """The m targets of each new node m + 1, ..., n - 1, by preferential attachment."""
    # `ends` lists both endpoints of every edge so far, so that a uniform entry
    # is a node drawn with probability proportional to its degree. Seed: the
    # star of node 0 with nodes 1..m.
    ends = jnp.zeros(2 * m * (n - m), jnp.int32)
    ends = ends.at[m : 2 * m].set(jnp.arange(1, m + 1, dtype=jnp.int32))
    lanes = jnp.arange(m, dtype=jnp.int32)
    # The first m draws of every new node, at once (the list has 2 m (t - m)
    # entries when node t arrives); repeats are drawn again inside the loop.
    first_key, again_key = jax.random.split(key)
    lengths = 2 * m * jnp.arange(1, n - m, dtype=jnp.int32)
    first_draws = jax.random.randint(first_key, (n - m - 1, m), 0, lengths[:, None])

    def add_node(step, carry):
        ends, targets, mark, claim, draws = carry
        t = m + 1 + step  # the new node

        # Keep, in draw order, the drawn nodes that are new (not yet chosen by
        # t, nor drawn by an earlier lane of the same batch), until m distinct
        # nodes are chosen: sampling without replacement by rejection.
        def keep(c, index):
            chosen, filled, mark, claim, draws = c
            node = ends[index]
            stamp = draws * m + (m - 1 - lanes)  # larger for earlier lanes
            claim = claim.at[node].max(stamp)  # the earliest lane wins a repeat
            new = jnp.logical_and(claim[node] == stamp, mark[node] != t)
            slot = filled + jnp.cumsum(new) - 1
            take = jnp.logical_and(new, slot < m)
            chosen = chosen.at[jnp.where(take, slot, m)].set(node, mode="drop")
            mark = mark.at[jnp.where(take, node, n)].set(t, mode="drop")
            filled = jnp.minimum(filled + jnp.sum(new), m)
            return chosen, filled, mark, claim, draws + 1

        def again(c):
            draw_key = jax.random.fold_in(again_key, c[4])
            return keep(c, jax.random.randint(draw_key, (m,), 0, 2 * m * (t - m)))

        start = (jnp.zeros(m, jnp.int32), 0, mark, claim, draws)
        start = keep(start, first_draws[step])
        done = jax.lax.while_loop(lambda c: c[1] < m, again, start)
        chosen, _, mark, claim, draws = done
        block = jnp.concatenate([jnp.full(m, t, jnp.int32), chosen])
        ends = jax.lax.dynamic_update_slice(ends, block, (2 * m * (t - m),))
        return ends, targets.at[step].set(chosen), mark, claim, draws

    carry = (
        ends,
        jnp.zeros((n - m - 1, m), jnp.int32),
        jnp.full(n, -1, jnp.int32),
        jnp.full(n, -1, jnp.int32),
        jnp.asarray(0, jnp.int32),
    )
    return jax.lax.fori_loop(0, n - m - 1, add_node, carry)[1]


def scale_free(key: Array, n: int, m: int) -> OutDegreeTable:
    """A Barabasi-Albert scale-free graph: growth with preferential attachment.

    Start from a star: node 0 linked to nodes `1, ..., m`. Then add nodes
    `m + 1, ..., n - 1` one at a time, each linked to `m` distinct existing
    nodes drawn with probability proportional to their degree. The graph has
    exactly `m (n - m)` undirected edges (mean degree about `2 m`), no
    self-loops, no duplicate edges, and a degree distribution with a power-law
    tail `P(d) ~ d^-3`. (This is the construction of NetworkX's
    `barabasi_albert_graph`.)

    **Algorithm:** a list holds both ends of every edge, so a uniform entry is
    a node drawn in proportion to its degree. Growth is sequential by nature:
    one compiled `lax.fori_loop` step per new node, drawing its `m` targets as
    a vector (repeats rejected and drawn again), O(n m) work in all.

    **Arguments:**

    - `key`: a `jax.random.key`; the same key gives the same graph.
    - `n`: number of neurons, at least `m + 1`.
    - `m`: edges added with each new node, at least 1.

    **Returns:** a symmetric [`brainox.connect.OutDegreeTable`][] with
    `2 m (n - m)` synapses (each undirected edge in both directions).

    !!! warning
        The table is padded to the largest degree, which for this graph grows
        like the degree of the oldest nodes, about `2 sqrt(m n)` (a hub):
        `n = 10^5, m = 50` gives 10^7 synapses in a table of 4.2e8 entries
        (largest degree 4182, 1.7 GB of int32), while `n = 10^4, m = 500` gives
        the same synapses in 3.6e7 entries (largest degree 3599; both with
        `key=jax.random.key(0)`). Mind `n` times the largest degree.

    ??? cite "Reference"
        ```bibtex
        @article{barabasi1999emergence,
          author  = {Barab{\\'a}si, Albert-L{\\'a}szl{\\'o} and Albert, R{\\'e}ka},
          title   = {Emergence of scaling in random networks},
          journal = {Science},
          volume  = {286},
          number  = {5439},
          pages   = {509--512},
          year    = {1999},
          doi     = {10.1126/science.286.5439.509}
        }
        ```

    !!! example
        ```python
        table = bx.connect.scale_free(jax.random.key(0), 10000, 3)
        table.n_synapses()   # 2 * 3 * (10000 - 3)
        ```
    """
    n = check_size("n", n)
    if n < 2:
        raise ValueError(f"`n` must be at least 2 (a star of m + 1 nodes), got {n}.")
    m = check_count(
        "m", m, 1, n - 1, "edges per new node; the seed star of m + 1 nodes needs n"
    )
    if m * (n - m) > 2**28:
        raise ValueError(
            f"scale_free(n={n}, m={m}) would have m (n - m) = {m * (n - m)} edges, "
            f"more than 2^28 = {2**28}, the most its int32 bookkeeping allows."
        )
    hub = np.zeros(m, np.int64)
    leaves = np.arange(1, m + 1, dtype=np.int64)
    if n == m + 1:
        return _symmetric(hub, leaves, n)
    targets = np.asarray(_attach(_on_cpu(key), n, m), np.int64)
    new = np.repeat(np.arange(m + 1, n, dtype=np.int64), m)
    return _symmetric(
        np.concatenate([hub, new]), np.concatenate([leaves, targets.ravel()]), n
    )
