"""Conversions: a table from a dense matrix, a scipy.sparse matrix or an edge list,
and back to an edge list."""

from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._custom_types import Array, ArrayLike, Float, Int
from .._validate import check_size
from ._build import fill_rows, table_from_edges
from ._table import OutDegreeTable, check_weight


def _as_weights(name: str, value: Any) -> np.ndarray:
    if hasattr(value, "tocoo"):
        raise TypeError(
            f"`{name}` is a scipy.sparse matrix; build its table with "
            "`bx.connect.from_sparse`."
        )
    w = np.asarray(value)
    if w.dtype == bool or np.issubdtype(w.dtype, np.integer):
        w = w.astype(np.float32)
    if not jnp.issubdtype(w.dtype, jnp.floating):  # numpy's test misses bfloat16
        raise TypeError(f"`{name}` must hold real numbers, got dtype {w.dtype}.")
    if np.isnan(w).any():
        at = np.argwhere(np.isnan(w))[0]
        raise ValueError(
            f"`{name}` holds NaN (first at index {tuple(int(i) for i in at)}); "
            "pass finite weights."
        )
    return w.astype(jax.dtypes.canonicalize_dtype(w.dtype))  # float32 unless x64


def from_dense(
    W: ArrayLike,
) -> tuple[OutDegreeTable, Float[Array, "n_pre max_degree"]]:
    """A table and per-synapse weights from a dense weight matrix.

    Every nonzero entry `W[i, j]` becomes a synapse from pre neuron `i` to post
    neuron `j` with that weight; zeros are not stored. A boolean or integer
    matrix gives float32 weights.

    **Arguments:**

    - `W`: the weight matrix, shape `(n_pre, n_post)` (the unit of the weights:
      nS for conductances, pA for currents), no NaN.

    **Returns:** `(table, weights)`: a [`brainox.connect.OutDegreeTable`][] and
    the weights in the table's shape, zero in the padding, so that
    `table.to_dense(weights)` equals `W`.

    !!! example
        ```python
        W = jnp.array([[0.0, 2.0], [1.5, 0.0]])
        table, weights = bx.connect.from_dense(W)
        table.to_dense(weights)   # == W
        ```
    """
    w = _as_weights("W", W)
    if w.ndim != 2 or 0 in w.shape:
        raise ValueError(
            f"`W` must be a non-empty 2-D matrix (n_pre, n_post), got shape {w.shape}."
        )
    nonzero = w != 0
    degree = nonzero.sum(axis=1)
    indices = fill_rows(degree, np.nonzero(nonzero)[1], w.shape[1], np.int32)
    weights = fill_rows(degree, w[nonzero], 0, w.dtype)
    return OutDegreeTable(jnp.asarray(indices), w.shape[1]), jnp.asarray(weights)


def from_sparse(S: Any) -> tuple[OutDegreeTable, Float[Array, "n_pre max_degree"]]:
    """A table and per-synapse weights from a `scipy.sparse` matrix.

    Every stored entry `S[i, j]` becomes a synapse from pre neuron `i` to post
    neuron `j`, explicit zeros included (call `S.eliminate_zeros()` first to
    drop them). An entry stored more than once (possible in COO format) becomes
    one synapse with the summed weight, as SciPy itself reads it. Needs SciPy,
    imported only here.

    **Arguments:**

    - `S`: a `scipy.sparse` matrix or array of shape `(n_pre, n_post)`, any
      format (CSR, CSC, COO, ...), in the unit of the weights (nS, pA).

    **Returns:** `(table, weights)` as for [`brainox.connect.from_dense`][], with
    `table.to_dense(weights)` equal to `S.toarray()`.

    !!! example
        ```python
        import scipy.sparse
        S = scipy.sparse.random(1000, 800, density=0.05, format="csr")
        table, weights = bx.connect.from_sparse(S)
        ```
    """
    try:
        import scipy.sparse
    except ImportError as e:  # pragma: no cover - scipy is a test dependency
        raise ImportError(
            "`bx.connect.from_sparse` needs SciPy; install it with `pip install "
            "scipy`, or pass the entries to `bx.connect.from_edges`."
        ) from e
    if not scipy.sparse.issparse(S):
        raise TypeError(
            f"`S` must be a scipy.sparse matrix or array, got {type(S).__name__}; "
            "for a dense array use `bx.connect.from_dense`."
        )
    if S.ndim != 2:
        raise ValueError(f"`S` must be 2-D (n_pre, n_post), got shape {S.shape}.")
    n_pre = check_size("S.shape[0]", S.shape[0])
    n_post = check_size("S.shape[1]", S.shape[1])
    coo = S.tocoo()
    data = _as_weights("S", coo.data)
    table, weights = table_from_edges(
        coo.row, coo.col, n_pre, n_post, data, duplicates="merge"
    )
    assert weights is not None
    return table, weights


def _as_index(name: str, value: Any, n_name: str, n: int) -> np.ndarray:
    index = np.asarray(value)
    if index.ndim != 1 or not (
        np.issubdtype(index.dtype, np.integer) or index.size == 0
    ):
        raise ValueError(
            f"`{name}` must be a 1-D array of integer neuron indices, got dtype "
            f"{index.dtype} and shape {index.shape}."
        )
    index = index.astype(np.int64)
    bad = (index < 0) | (index >= n)
    if bad.any():
        at = int(np.argmax(bad))
        raise ValueError(
            f"`{name}[{at}]` is {index[at]}, outside [0, {n_name} = {n}); neuron "
            f"indices run from 0 to {n_name} - 1."
        )
    return index


def from_edges(
    pre: ArrayLike | Sequence[int],
    post: ArrayLike | Sequence[int],
    n_pre: int,
    n_post: int,
    weights: ArrayLike | Sequence[float] | None = None,
    *,
    duplicates: str = "error",
) -> OutDegreeTable | tuple[OutDegreeTable, Float[Array, "n_pre max_degree"]]:
    """A table (and per-synapse weights) from an edge list.

    Edge `e` is a synapse from pre neuron `pre[e]` to post neuron `post[e]`;
    the edges may come in any order. The pairs are sorted by (pre, post) with
    vectorised array operations (a few seconds for 10^7 weighted edges on a
    2-core CPU, as long as `fixed_probability` takes to draw them).

    A (pre, post) pair listed more than once is an error by default
    (`duplicates="error"`), since it usually means a bug in the code that made
    the list. With `duplicates="merge"` each repeated pair becomes one synapse
    whose weight is the sum of its listed weights: for linear synapses the
    post-synaptic input is then the same as with the repeats.

    **Arguments:**

    - `pre`: 1-D integer array of presynaptic indices, in `[0, n_pre)`.
    - `post`: 1-D integer array of post-synaptic indices, in `[0, n_post)`,
      the same length as `pre`.
    - `n_pre`: number of presynaptic neurons.
    - `n_post`: number of post-synaptic neurons.
    - `weights`: optional 1-D array of per-edge weights (nS, pA), the same
      length as `pre`.
    - `duplicates`: `"error"` or `"merge"`, see above.

    **Returns:** a [`brainox.connect.OutDegreeTable`][] when `weights` is
    `None`, otherwise `(table, table_weights)` with the weights in the table's
    shape (zero in the padding).

    !!! example
        ```python
        table, w = bx.connect.from_edges([0, 0, 2], [1, 2, 0], 3, 3,
                                         weights=[0.5, 1.0, 2.0])
        bx.connect.to_edges(table, w)   # the same three edges and weights
        ```
    """
    n_pre = check_size("n_pre", n_pre)
    n_post = check_size("n_post", n_post)
    if duplicates not in ("error", "merge"):
        raise ValueError(
            f"`duplicates` must be 'error' (reject repeated pairs) or 'merge' (one "
            f"synapse with the summed weight), got {duplicates!r}."
        )
    pre_index = _as_index("pre", pre, "n_pre", n_pre)
    post_index = _as_index("post", post, "n_post", n_post)
    if pre_index.shape != post_index.shape:
        raise ValueError(
            f"`pre` and `post` must have the same length, one entry per edge; got "
            f"{pre_index.shape[0]} and {post_index.shape[0]}."
        )
    w = None
    if weights is not None:
        w = _as_weights("weights", weights)
        if w.shape != pre_index.shape:
            raise ValueError(
                f"`weights` has shape {w.shape}; expected ({pre_index.shape[0]},), "
                "one weight per edge."
            )
    table, table_weights = table_from_edges(
        pre_index, post_index, n_pre, n_post, w, duplicates=duplicates
    )
    return table if table_weights is None else (table, table_weights)


def to_edges(
    table: OutDegreeTable, weights: ArrayLike | None = None
) -> (
    tuple[Int[Array, " n_synapses"], Int[Array, " n_synapses"]]
    | tuple[
        Int[Array, " n_synapses"],
        Int[Array, " n_synapses"],
        Float[Array, " n_synapses"],
    ]
):
    """The edge list of a table: one (pre, post) pair per synapse.

    The edges come sorted by presynaptic neuron, then by the order of the table's
    rows (ascending post index for tables made by the generators).

    **Arguments:**

    - `table`: a [`brainox.connect.OutDegreeTable`][].
    - `weights`: optional weights, a scalar or per-synapse weights of the
      table's shape.

    **Returns:** `(pre, post)` int32 arrays, or `(pre, post, weights)` when
    `weights` is given.

    !!! example
        ```python
        pre, post = bx.connect.to_edges(bx.connect.one_to_one(3))
        # pre == post == [0, 1, 2]
        ```
    """
    indices = np.asarray(table.indices)
    pre, column = np.nonzero(indices < table.n_post)
    post = indices[pre, column]
    edges = (jnp.asarray(pre, jnp.int32), jnp.asarray(post, jnp.int32))
    if weights is None:
        return edges
    w = jnp.broadcast_to(check_weight(table, weights), indices.shape)
    return (*edges, w[pre, column])
