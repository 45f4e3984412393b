"""Deterministic patterns: one-to-one, all-to-all, and 2-D lattices."""

import numpy as np

from .._validate import check_size
from ._build import table_from_rows
from ._checks import check_flag
from ._table import OutDegreeTable


def one_to_one(n: int) -> OutDegreeTable:
    """Connect presynaptic neuron `i` to post-synaptic neuron `i`, for every `i`.

    **Arguments:**

    - `n`: number of neurons in each population.

    **Returns:** a [`brainox.connect.OutDegreeTable`][] of shape `(n, 1)`.

    !!! example
        ```python
        # Poisson input neuron i drives neuron i of a population of 100
        table = bx.connect.one_to_one(100)
        ```
    """
    n = check_size("n", n)
    return table_from_rows(np.arange(n)[:, None], n, is_sorted=True)


def all_to_all(
    n_pre: int, n_post: int, *, allow_autapses: bool = True
) -> OutDegreeTable:
    """Connect every presynaptic neuron to every post-synaptic neuron.

    Work and memory are O(n_pre n_post): for large dense projections prefer
    [`brainox.connect.Dense`][] propagation on the table this returns, or a
    dense weight matrix.

    **Arguments:**

    - `n_pre`: number of presynaptic neurons.
    - `n_post`: number of post-synaptic neurons.
    - `allow_autapses`: if `False`, pre neuron `i` does not connect to post
      neuron `i` (both index the same population, or the presynaptic one is its
      leading slice).

    **Returns:** a [`brainox.connect.OutDegreeTable`][] of width `n_post` (or
    `n_post - 1` when every presynaptic neuron loses its autapse).

    !!! example
        ```python
        table = bx.connect.all_to_all(50, 50, allow_autapses=False)
        table.degree()   # all 49
        ```
    """
    n_pre = check_size("n_pre", n_pre)
    n_post = check_size("n_post", n_post)
    allow_autapses = check_flag("allow_autapses", allow_autapses)
    post = np.arange(n_post, dtype=np.int32)
    if allow_autapses:
        return table_from_rows(
            np.broadcast_to(post, (n_pre, n_post)), n_post, is_sorted=True
        )
    # Row i skips post i: j -> j + (j >= i), which is n_post (padding) at the end
    # of the rows that lost their autapse.
    pre = np.arange(n_pre, dtype=np.int32)[:, None]
    return table_from_rows(post + (post >= pre), n_post, is_sorted=True)


_OFFSETS = {
    4: np.array([(-1, 0), (0, -1), (0, 1), (1, 0)]),
    8: np.array([(dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1) if dr or dc]),
}


def grid(
    shape: tuple[int, int], neighbours: int = 4, *, periodic: bool = False
) -> OutDegreeTable:
    """Connect each neuron of a 2-D lattice to its nearest neighbours.

    The `rows x cols` neurons are numbered row by row: neuron `r cols + c` sits
    at row `r`, column `c` (the order of `jnp.reshape`). Each connects to its
    von Neumann neighbourhood (`neighbours=4`: up, down, left, right) or its
    Moore neighbourhood (`neighbours=8`: also the diagonals). Connections are
    symmetric. Without `periodic`, border neurons have fewer neighbours (an
    interior neuron has 4 or 8, an edge one 3 or 5, a corner 2 or 3); with it
    the lattice wraps round into a torus and every neuron has the same count.
    On a torus narrower than 3 in one direction, a neighbour reached twice (or
    the neuron itself) is counted once (or not at all).

    **Arguments:**

    - `shape`: `(rows, cols)`, the lattice size in neurons.
    - `neighbours`: 4 (von Neumann) or 8 (Moore).
    - `periodic`: wrap the lattice round at its borders.

    **Returns:** a [`brainox.connect.OutDegreeTable`][] with `rows cols` neurons
    on each side.

    !!! example
        ```python
        table = bx.connect.grid((64, 64), neighbours=8, periodic=True)
        table.degree()   # all 8
        ```
    """
    if (
        not isinstance(shape, (tuple, list))
        or len(shape) != 2
        or any(
            isinstance(s, bool) or not isinstance(s, (int, np.integer)) for s in shape
        )
    ):
        raise ValueError(
            f"`shape` must be a pair of positive integers (rows, cols), got {shape!r}."
        )
    n_rows = check_size("shape[0]", shape[0])
    n_cols = check_size("shape[1]", shape[1])
    if neighbours not in _OFFSETS:
        raise ValueError(
            f"`neighbours` must be 4 (von Neumann: up, down, left, right) or 8 "
            f"(Moore: also the diagonals), got {neighbours!r}."
        )
    periodic = check_flag("periodic", periodic)
    n = n_rows * n_cols
    cell = np.arange(n)
    offsets = _OFFSETS[neighbours]
    r = cell[:, None] // n_cols + offsets[:, 0]
    c = cell[:, None] % n_cols + offsets[:, 1]
    if periodic:
        r, c = r % n_rows, c % n_cols
        inside = np.ones(r.shape, bool)
    else:
        inside = (r >= 0) & (r < n_rows) & (c >= 0) & (c < n_cols)
    target = r * n_cols + c
    rows = np.where(inside & (target != cell[:, None]), target, n)
    return table_from_rows(rows, n, unique=periodic)
