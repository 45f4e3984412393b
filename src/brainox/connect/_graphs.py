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
_FEW_EDGES = 4096  # small_world rewires fewer edges one at a time (milliseconds)


def _symmetric(a: np.ndarray, b: np.ndarray, n: int) -> OutDegreeTable:
    """The table of the undirected edges (a[e], b[e]): both directions."""
    table, _ = table_from_edges(np.concatenate([a, b]), np.concatenate([b, a]), n, n)
    return table


def _member(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Whether each of `keys` is in the sorted array `sorted_keys`."""
    if sorted_keys.shape[0] == 0:
        return np.zeros(keys.shape, bool)
    # Searching in the keys' own order, the searches walk `sorted_keys` once
    # (about 8x faster than random order for a few million keys).
    order = np.argsort(keys)
    at = np.searchsorted(sorted_keys, keys[order])
    found = sorted_keys[np.minimum(at, sorted_keys.shape[0] - 1)] == keys[order]
    member = np.empty(keys.shape, bool)
    member[order] = np.logical_and(at < sorted_keys.shape[0], found)
    return member


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

    **Algorithm:** the result follows the sequential procedure of Watts and
    Strogatz as NetworkX's `watts_strogatz_graph` runs it: edges are taken in
    the order `j = 1, ..., k / 2`, and within each `j` by neuron `i`; a rewired
    edge draws its new end uniformly among the neurons not linked to `i` at
    that moment (edges rewired earlier have left their places, which later
    draws may take), and a neuron already linked to all others keeps the
    edge. The draws are made in parallel rounds: each edge still to rewire
    draws a candidate, and every candidate that no earlier pending edge can
    still affect (none of them starts at either of its ends) is accepted or
    rejected at once, exactly as at its turn in the sequence; rejected edges
    draw again. So the graphs have the sequential procedure's distribution in
    vectorised time. Where a neuron could become linked to all others (`k`
    close to `n`), the sequence is run one edge at a time instead.

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
    # Edge t = (j - 1) n + i is (i, i + j): the order of the sequential procedure.
    near = np.tile(np.arange(n, dtype=np.int64), half)
    far = (near + np.repeat(np.arange(1, half + 1), n)) % n
    rng = host_rng(key)
    pending = rng.random(near.shape[0]) < beta
    rewired = None
    if near.shape[0] > _FEW_EDGES and 2 * k <= n:
        rewired = _rewire_in_rounds(near, far, pending, n, half, rng)
    if rewired is None:  # small or dense: a neuron may get linked to all others
        rewired = _rewire_in_sequence(near, far, pending, n, rng)
    return _symmetric(near, rewired, n)


def _rewire_in_rounds(
    near: np.ndarray,
    far: np.ndarray,
    pending: np.ndarray,
    n: int,
    half: int,
    rng: np.random.Generator,
) -> np.ndarray | None:
    """The far ends after the sequential rewiring of the `pending` edges, drawn
    in parallel rounds; `None` where a neuron could have been linked to all
    others at its turn (the sequence must then be run one edge at a time)."""
    n_edges = near.shape[0]
    far = far.copy()
    moved = np.zeros(n_edges, bool)
    todo = np.flatnonzero(pending)  # ascending: the sequence's order

    def draw(edges):  # uniform among the n - 1 neurons other than the near end
        b = rng.integers(0, n - 1, edges.size)
        return b + (b >= near[edges])

    candidate = np.zeros(n_edges, np.int64)
    candidate[todo] = draw(todo)
    added = np.zeros(0, np.int64)  # keys of the new edges, sorted
    # open_[j - 1, i]: edge (i, i + j) is still to rewire.
    open_ = np.zeros((half, n), bool)
    open_.flat[todo] = True
    neurons = np.arange(n)
    for _ in range(_MAX_ROUNDS * 10):
        if todo.size == 0:
            break
        a, b = near[todo], candidate[todo]
        # The earliest edge still to rewire that starts at each neuron.
        first = np.where(open_.any(axis=0), open_.argmax(axis=0) * n + neurons, n_edges)
        decided = (first[a] == todo) & (first[b] > todo)
        t, a, b = todo[decided], a[decided], b[decided]
        # Taken at edge t's turn: a lattice edge not yet moved (edges before t
        # at either end are settled, those after t have not moved), or a new one.
        ring = (b - a) % n
        lattice = np.minimum(ring, n - ring) <= half
        forward = ring <= half
        place = np.where(forward, (ring - 1) * n + a, (n - ring - 1) * n + b)
        place = np.where(lattice, place, 0)
        taken = lattice & ((place >= t) | ~moved[place])
        keys = np.minimum(a, b) * n + np.maximum(a, b)
        taken |= _member(added, keys)
        accept = t[~taken]
        moved[accept] = True
        open_.flat[accept] = False
        far[accept] = b[~taken]
        new = np.sort(keys[~taken])
        added = np.insert(added, np.searchsorted(added, new), new)
        again = t[taken]
        candidate[again] = draw(again)
        stays = ~decided
        stays[decided] = taken
        todo = todo[stays]
    else:
        return None
    # A neuron's degree never exceeds k plus the new edges that reached it; if
    # that stays below n - 1, no neuron was linked to all others at its turn.
    reached = np.bincount(far[moved], minlength=n)
    if (2 * half + reached >= n - 1).any():
        return None
    return far


def _rewire_in_sequence(
    near: np.ndarray,
    far: np.ndarray,
    pending: np.ndarray,
    n: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """The sequential rewiring, one edge at a time (for `k` close to `n`)."""
    linked = [set() for _ in range(n)]
    for a, b in zip(near.tolist(), far.tolist(), strict=True):
        linked[a].add(b)
        linked[b].add(a)
    far = far.copy()
    for t in np.flatnonzero(pending).tolist():
        a, b = int(near[t]), int(far[t])
        if len(linked[a]) >= n - 1:  # linked to all others: the edge stays
            continue
        w = a
        while w == a or w in linked[a]:
            w = int(rng.integers(0, n))
        linked[a].discard(b)
        linked[b].discard(a)
        linked[a].add(w)
        linked[w].add(a)
        far[t] = w
    return far


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
