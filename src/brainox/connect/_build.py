"""Shared routes into an `OutDegreeTable`, and the host random stream.

- `table_from_rows`: one row of post indices per presynaptic neuron, in any
  order, `n_post` marking an empty slot (what most generators draw).
- `table_from_edges`: (pre, post) pairs in any order, with optional weights
  (what conversions and undirected graphs produce).
- `host_rng`: a NumPy generator seeded from a `jax.random.key`.

These run on the host in NumPy, vectorised: NumPy's sorts of integer keys are
several times faster than XLA's on a CPU (and a multi-operand XLA sort, such
as an argsort, is slower still), and a table is built once. A (pre, post) pair
is packed into one int64 key `pre * n_post + post`, so a plain sort orders the
edges with no permutation to carry.
"""

import jax
import jax.numpy as jnp
import numpy as np

from .._custom_types import Array
from .._validate import check_key
from ._table import OutDegreeTable


def host_rng(key: Array) -> np.random.Generator:
    """A NumPy generator whose stream is fixed by `key` (128 bits drawn from it)."""
    seed = np.asarray(jax.random.bits(check_key("key", key), (4,), jnp.uint32))
    return np.random.default_rng(seed.astype(np.uint64))


def table_from_rows(
    rows: np.ndarray, n_post: int, *, unique: bool = False, is_sorted: bool = False
) -> OutDegreeTable:
    """An `OutDegreeTable` from rows of post indices in `[0, n_post]`.

    Each row is sorted (unless `is_sorted`), repeated targets are dropped when
    `unique`, and the table is cut to the largest degree. `n_post` marks an empty
    slot, anywhere in a row.
    """
    if not is_sorted:
        rows = np.sort(rows, axis=1)
    elif unique:
        rows = np.array(rows)  # a copy: repeats are overwritten below
    if unique and rows.shape[1] > 1:
        repeated = rows[:, 1:] == rows[:, :-1]
        rows[:, 1:][repeated] = n_post
        rows = np.sort(rows, axis=1)
    width = int(np.sum(rows < n_post, axis=1).max(initial=0))
    return OutDegreeTable(jnp.asarray(rows[:, :width], jnp.int32), n_post)


def table_from_edges(
    pre: np.ndarray,
    post: np.ndarray,
    n_pre: int,
    n_post: int,
    weights: np.ndarray | None = None,
    *,
    duplicates: str = "merge",
) -> tuple[OutDegreeTable, Array | None]:
    """An `OutDegreeTable` (and table-shaped weights) from (pre, post) pairs.

    `pre` and `post` are 1-D integer arrays of in-range indices, in any order.
    A pair listed more than once raises a `ValueError` if `duplicates="error"`;
    with `"merge"` it becomes one synapse whose weight is the sum of the listed
    weights (a linear synapse then receives the same input). Padded weights are
    zero.
    """
    n_edges = pre.shape[0]
    key = pre.astype(np.int64) * n_post + post.astype(np.int64)
    perm = None
    if weights is not None and n_edges:
        if n_pre * n_post < np.iinfo(np.int64).max // n_edges:
            # The edge's position rides in the low digits: one sort, stable.
            packed = np.sort(key * n_edges + np.arange(n_edges))
            key = packed // n_edges
            perm = packed - key * n_edges
        else:
            perm = np.argsort(key, kind="stable")
            key = key[perm]
    else:
        key = np.sort(key)
    first = np.ones(n_edges, bool)
    first[1:] = key[1:] != key[:-1]
    if duplicates == "error" and not first.all():
        at = int(np.argmin(first))
        raise ValueError(
            f"the edge list holds {n_edges - int(first.sum())} repeated (pre, "
            f"post) pair(s), e.g. ({key[at] // n_post}, {key[at] % n_post}); pass "
            "`duplicates='merge'` to make each repeated pair one synapse with the "
            "summed weight, or remove the repeats."
        )
    w = weights if perm is None or weights is None else weights[perm]
    if w is not None and not first.all():  # repeated pairs: sum their weights
        w = np.bincount(np.cumsum(first) - 1, weights=w).astype(w.dtype)
    if not first.all():
        key = key[first]
    # Sorted keys: row i is the run of keys in [i n_post, (i + 1) n_post).
    bounds = np.searchsorted(key, np.arange(n_pre + 1, dtype=np.int64) * n_post)
    degree = np.diff(bounds)
    post = key - np.repeat(np.arange(n_pre, dtype=np.int64) * n_post, degree)
    indices = fill_rows(degree, post, n_post, np.int32)
    table_weights = None if w is None else jnp.asarray(fill_rows(degree, w, 0, w.dtype))
    return OutDegreeTable(jnp.asarray(indices), n_post), table_weights


def fill_rows(degree: np.ndarray, values: np.ndarray, pad: int, dtype) -> np.ndarray:
    """Rows of width `max(degree)`: row i holds the next `degree[i]` of `values`.

    The rest of each row is `pad`. `values` lists the rows' entries one row after
    the other.
    """
    width = int(degree.max(initial=0))
    filled = np.arange(width) < degree[:, None]
    rows = np.full((degree.shape[0], width), pad, dtype)
    rows[filled] = values
    return rows
