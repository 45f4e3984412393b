"""Fixed in-degree and fixed out-degree: every neuron gets exactly k partners."""

import numpy as np

from .._custom_types import Array
from .._validate import check_size
from ._build import host_rng, table_from_edges, table_from_rows
from ._checks import check_count, check_flag
from ._table import OutDegreeTable


_BLOCK = 1 << 22  # draws per block of rows: bounds the memory of the sampler


def _draws_needed(candidates: int, k: int) -> int:
    # Draws with replacement until k distinct values out of `candidates` are
    # seen: a sum of geometric variables with success probabilities
    # (candidates - i) / candidates, i < k. Mean + 8 standard deviations.
    p = (candidates - np.arange(k)) / candidates
    mean = np.sum(1.0 / p)
    sd = np.sqrt(np.sum((1.0 - p) / p**2))
    return int(np.ceil(mean + 8.0 * sd + 16.0))


def _distinct_block(
    rng: np.random.Generator, rows: np.ndarray, n: int, k: int, exclude_own: bool
) -> np.ndarray:
    # k distinct values of [0, n) per row, ascending; row r never draws r when
    # `exclude_own`. Each row draws w values with replacement, and keeps the
    # first k distinct ones in draw order: the same law as drawing one value
    # at a time and rejecting repeats, i.e. a uniform k-subset.
    n_rows = rows.shape[0]
    # Rows that exclude themselves (a leading run of `rows`) draw from the n - 1
    # values other than their own index.
    n_own = int(np.sum(rows < n)) if exclude_own else 0
    w = _draws_needed(n - int(exclude_own), k)
    while True:
        bits = int(w - 1).bit_length()  # (value, draw position) packed in an int64
        r = np.empty((n_rows, w), np.int64)
        if n_own:
            r[:n_own] = rng.integers(0, n - 1, (n_own, w))
            r[:n_own] += r[:n_own] >= rows[:n_own, None]
        if n_own < n_rows:
            r[n_own:] = rng.integers(0, n, (n_rows - n_own, w))
        packed = np.sort((r << bits) | np.arange(w), axis=1)
        value = packed >> bits
        draw = packed & ((1 << bits) - 1)
        first = np.ones((n_rows, w), bool)  # first draw of its value
        first[:, 1:] = value[:, 1:] != value[:, :-1]
        if (first.sum(axis=1) >= k).all():
            break
        w *= 2  # rare: some row saw fewer than k distinct values
    # The k values first seen earliest: those whose first draw is at most the
    # k-th smallest first-draw position.
    kth = np.partition(np.where(first, draw, w), k - 1, axis=1)[:, k - 1 : k]
    keep = np.logical_and(first, draw <= kth)
    return value[keep].reshape(n_rows, k)


def _ranked_block(
    rng: np.random.Generator, rows: np.ndarray, n: int, k: int, exclude_own: bool
) -> np.ndarray:
    # The k smallest of n uniform random keys per row: a uniform k-subset.
    keys = rng.random((rows.shape[0], n))
    if exclude_own:
        own = np.flatnonzero(rows < n)
        keys[own, rows[own]] = 2.0  # never among the k smallest
    return np.sort(np.argpartition(keys, k - 1, axis=1)[:, :k], axis=1)


def distinct_rows(
    rng: np.random.Generator, n_rows: int, n: int, k: int, exclude_own: bool
) -> np.ndarray:
    """For each row, k distinct values of `[0, n)` drawn uniformly, ascending.

    Row `r` never holds `r` when `exclude_own`. When `k` is small against `n`,
    rows draw with replacement and reject repeats (about k draws each); when
    `3 k >= n` they rank n random keys. Rows go in blocks of about 4M draws,
    so memory stays a small multiple of the output.
    """
    if k == 0:
        return np.zeros((n_rows, 0), np.int64)
    if 3 * k >= n:
        block, width = _ranked_block, n
    else:
        block, width = _distinct_block, _draws_needed(n - int(exclude_own), k)
    step = max(1, _BLOCK // width)
    blocks = [
        block(rng, np.arange(i, min(i + step, n_rows)), n, k, exclude_own)
        for i in range(0, n_rows, step)
    ]
    return np.concatenate(blocks, axis=0)


def _check_degree(
    k: int, n_pre: int, n_post: int, allow_autapses: bool, which: str
) -> int:
    n_from = n_pre if which == "in" else n_post
    side = "presynaptic" if which == "in" else "post-synaptic"
    name = "n_pre" if which == "in" else "n_post"
    high = n_from - (not allow_autapses)
    bound = f"{name}" if allow_autapses else f"{name} - 1 without autapses"
    meaning = (
        f"the {which}-degree: distinct {side} partners per neuron, at most {bound}"
    )
    return check_count("k", k, 0, high, meaning)


def fixed_in_degree(
    key: Array,
    n_pre: int,
    n_post: int,
    k: int,
    *,
    allow_autapses: bool = True,
) -> OutDegreeTable:
    """Give every post-synaptic neuron exactly `k` distinct presynaptic partners.

    Also called "fixed pre-number" or "fixed total number per target". Each post
    neuron draws its `k` partners uniformly without replacement, independently
    of the others; the out-degrees are then random (hypergeometric-like, mean
    `k n_post / n_pre`).

    **Algorithm:** when `k` is small against `n_pre`, each post neuron draws
    about `k` values with replacement and keeps the first `k` distinct ones (a
    uniform `k`-subset, in O(k) memory per neuron); when `3 k >= n_pre` it takes
    the `k` smallest of `n_pre` random keys instead. All neurons are drawn at
    once with array operations, then the (pre, post) pairs are sorted by
    presynaptic neuron into the out-degree table. 10^7 synapses take about two
    seconds on a CPU.

    **Arguments:**

    - `key`: a `jax.random.key`; the same key gives the same table.
    - `n_pre`: number of presynaptic neurons.
    - `n_post`: number of post-synaptic neurons.
    - `k`: the in-degree, in `[0, n_pre]` (`[0, n_pre - 1]` without autapses).
    - `allow_autapses`: if `False`, post neuron `j` never receives from pre
      neuron `j` (both index the same population, or the presynaptic one is its
      leading slice).

    **Returns:** a [`brainox.connect.OutDegreeTable`][] whose in-degrees all
    equal `k`.

    !!! example
        ```python
        # Brunel (2000): each neuron receives 800 excitatory synapses
        table = bx.connect.fixed_in_degree(jax.random.key(0), 8000, 10000, 800)
        ```
    """
    n_pre = check_size("n_pre", n_pre)
    n_post = check_size("n_post", n_post)
    allow_autapses = check_flag("allow_autapses", allow_autapses)
    k = _check_degree(k, n_pre, n_post, allow_autapses, "in")
    pre = distinct_rows(host_rng(key), n_post, n_pre, k, not allow_autapses)
    post = np.repeat(np.arange(n_post), k)
    table, _ = table_from_edges(pre.ravel(), post, n_pre, n_post)
    return table


def fixed_out_degree(
    key: Array,
    n_pre: int,
    n_post: int,
    k: int,
    *,
    allow_autapses: bool = True,
) -> OutDegreeTable:
    """Give every presynaptic neuron exactly `k` distinct post-synaptic targets.

    Also called "fixed post-number". Each presynaptic neuron draws its `k`
    targets uniformly without replacement, independently of the others; the
    in-degrees are then random (mean `k n_pre / n_post`).

    **Algorithm:** as in [`brainox.connect.fixed_in_degree`][], with the roles
    of pre and post swapped; the drawn rows are already the table's rows
    (ascending), so no sort by presynaptic neuron is needed.

    **Arguments:**

    - `key`: a `jax.random.key`; the same key gives the same table.
    - `n_pre`: number of presynaptic neurons.
    - `n_post`: number of post-synaptic neurons.
    - `k`: the out-degree, in `[0, n_post]` (`[0, n_post - 1]` without
      autapses).
    - `allow_autapses`: if `False`, pre neuron `i` never targets post neuron
      `i`.

    **Returns:** a [`brainox.connect.OutDegreeTable`][] of width `k` with no
    padding.

    !!! example
        ```python
        table = bx.connect.fixed_out_degree(jax.random.key(0), 1000, 1000, 50,
                                            allow_autapses=False)
        table.degree()   # all 50
        ```
    """
    n_pre = check_size("n_pre", n_pre)
    n_post = check_size("n_post", n_post)
    allow_autapses = check_flag("allow_autapses", allow_autapses)
    k = _check_degree(k, n_pre, n_post, allow_autapses, "out")
    rows = distinct_rows(host_rng(key), n_pre, n_post, k, not allow_autapses)
    return table_from_rows(rows, n_post, is_sorted=True)
