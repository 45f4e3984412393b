"""Distance-dependent connectivity: a Gaussian kernel over neuron positions."""

import itertools
import math
from typing import Any

import jax.numpy as jnp
import numpy as np

from .._custom_types import Array, ArrayLike, Float, RealScalarLike
from ._build import host_rng, table_from_edges
from ._checks import check_flag, check_positive, check_probability
from ._table import OutDegreeTable


_BLOCK = 1 << 22  # candidate pairs examined at once: bounds the memory


def _as_positions(name: str, value: Any) -> np.ndarray:
    x = np.asarray(value, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[0] < 1 or not 1 <= x.shape[1] <= 3:
        raise ValueError(
            f"`{name}` must have shape (n,) or (n, d) with d = 1, 2 or 3 "
            f"coordinates per neuron, got shape {np.shape(value)}."
        )
    if not np.isfinite(x).all():
        raise ValueError(
            f"`{name}` holds NaN or infinite coordinates; pass finite ones."
        )
    return x


class _Cells:
    """A cell list: space cut into cubes of side `h`, posts sorted by cube."""

    def __init__(self, pre: np.ndarray, post: np.ndarray, radius: float):
        dim = post.shape[1]
        self.low = np.minimum(pre.min(axis=0), post.min(axis=0))
        extent = np.maximum(pre.max(axis=0), post.max(axis=0)) - self.low
        # Cubes a quarter (in 3-D a half) of the radius wide: the cubes within
        # reach of a neuron's cube then hug the ball of the cut-off radius. No
        # more cubes than about 4 per post neuron, so memory stays O(n).
        side = radius / (4 if dim < 3 else 2)
        cap = 4 * post.shape[0] + 64
        while True:
            if math.isfinite(side):
                shape = (np.floor(extent / side) + 1).astype(np.int64)
            else:
                shape = np.ones(dim, np.int64)
            if np.prod(shape.astype(float)) <= cap:
                break
            side *= 2.0
        self.side, self.shape = side, shape
        # Offsets to the cubes whose nearest point may lie within `radius`.
        reach = [
            min(int(s) - 1, math.ceil(radius / side) if math.isfinite(side) else 0)
            for s in shape
        ]
        offsets = np.array(list(itertools.product(*[range(-r, r + 1) for r in reach])))
        gap = np.maximum(np.abs(offsets) - 1, 0) * (side if math.isfinite(side) else 0)
        self.offsets = offsets[np.sum(gap**2, axis=1) <= radius**2]
        # Row-major numbering of the cubes.
        self.stride = np.cumprod(np.concatenate([shape[1:], [1]])[::-1])[::-1]
        cube = self.cube_of(post) @ self.stride
        self.order = np.argsort(cube, kind="stable")
        self.start = np.searchsorted(cube[self.order], np.arange(np.prod(shape) + 1))

    def cube_of(self, x: np.ndarray) -> np.ndarray:
        if not math.isfinite(self.side):
            return np.zeros(x.shape, np.int64)
        c = np.floor((x - self.low) / self.side).astype(np.int64)
        return np.clip(c, 0, self.shape - 1)

    def near(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per neuron at `x` and per offset: the first sorted post and the count."""
        c = self.cube_of(x)
        cube = (c @ self.stride)[:, None] + (self.offsets @ self.stride)[None]
        inside = np.ones(cube.shape, bool)
        for d in range(c.shape[1]):  # the offset cube lies within the grid
            shifted = c[:, d, None] + self.offsets[None, :, d]
            inside &= (shifted >= 0) & (shifted < self.shape[d])
        cube = np.where(inside, cube, 0)
        first = self.start[cube]
        return first, np.where(inside, self.start[cube + 1] - first, 0)


def _sample(
    rng: np.random.Generator,
    first: np.ndarray,
    count: np.ndarray,
    pre_columns: list[np.ndarray],
    post_columns: list[np.ndarray],
    scale: np.floating,
    p_max: float,
    radius: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Bernoulli trials for the candidates of a block of pre neurons.

    Returns the (block row, sorted post slot) of each pair that connects.
    """
    # Flat list of candidates: for each pre neuron, for each cube within
    # reach, the run of posts (in cube order) of that cube.
    n_seg = count.ravel()
    run_start = np.cumsum(n_seg) - n_seg
    slot = np.repeat(first.ravel() - run_start, n_seg)
    slot += np.arange(slot.shape[0], dtype=slot.dtype)
    total = count.sum(axis=1)
    d2 = np.zeros(slot.shape[0], np.float32)
    for x_post, x_pre in zip(post_columns, pre_columns, strict=True):
        d2 += np.square(x_post[slot] - np.repeat(x_pre, total))
    u = rng.random(slot.shape[0], np.float32)
    hit = np.flatnonzero((u < p_max * np.exp(scale * d2)) & (d2 <= radius**2))
    row = np.searchsorted(np.cumsum(total), hit, "right")
    return row, slot[hit]


def gaussian(
    key: Array,
    positions_pre: ArrayLike,
    positions_post: ArrayLike,
    sigma: RealScalarLike,
    p_max: RealScalarLike = 1.0,
    *,
    cutoff: RealScalarLike = 4.0,
    allow_autapses: bool = True,
) -> OutDegreeTable:
    r"""Connect pairs with a probability that falls off as a Gaussian of distance.

    Pre neuron `i` connects to post neuron `j` independently with probability

    $$p_{ij} = p_\mathrm{max} \exp\left(-\frac{d_{ij}^2}{2 \sigma^2}\right)
    \quad \text{if } d_{ij} \le \mathrm{cutoff}\ \sigma, \text{ else } 0,$$

    with $d_{ij}$ the Euclidean distance between their positions.

    **Algorithm:** a cell list. Space is cut into cubes of a quarter of the
    cut-off radius (half in 3-D), the post neurons are sorted by cube, and each
    pre neuron examines only the post neurons of the cubes within the cut-off
    radius: the work is proportional to the number of pairs closer than about
    the cut-off radius, not to `n_pre n_post`, when `sigma` is small against the
    extent of the positions. It is vectorised over blocks of candidate pairs. In
    2-D about 11 candidate pairs are examined per synapse (at `cutoff=4`), and
    10^7 synapses take about three times as long as
    [`brainox.connect.fixed_probability`][] takes for as many.

    **The cut-off.** The default `cutoff=4` ignores pairs farther apart than
    `4 sigma`, where the probability is below `3.4e-4 p_max`; in 2-D this loses
    a fraction `exp(-cutoff^2 / 2) = 3.4e-4` of the expected synapses. Pass
    `cutoff=float("inf")` for the exact kernel (O(n_pre n_post) work: for small
    networks), or a smaller cut-off (for instance 3: 1% of the synapses lost,
    about half the work) for speed.

    **Arguments:**

    - `key`: a `jax.random.key`; the same key gives the same table.
    - `positions_pre`: shape `(n_pre, d)` or `(n_pre,)`, the positions of the
      presynaptic neurons in `d = 1, 2` or `3` dimensions (a length unit of
      your choice, e.g. um).
    - `positions_post`: shape `(n_post, d)` or `(n_post,)`, in the same unit.
    - `sigma`: the width of the kernel, in the unit of the positions.
    - `p_max`: the connection probability at distance zero, in `[0, 1]`.
    - `cutoff`: the cut-off distance, in units of `sigma` (positive; may be
      infinite).
    - `allow_autapses`: if `False`, pre neuron `i` never connects to post
      neuron `i` (same population: pass the same positions twice).

    **Returns:** a [`brainox.connect.OutDegreeTable`][]. The distance of each
    synapse (for distance-dependent delays or weights) is
    `bx.connect.distances(table, positions_pre, positions_post)`.

    !!! example
        ```python
        # 10 000 neurons on a 100 x 100 lattice, 1 unit apart; sigma 3 units
        rows, cols = jnp.meshgrid(jnp.arange(100.0), jnp.arange(100.0), indexing="ij")
        xy = jnp.stack([rows.ravel(), cols.ravel()], axis=1)
        table = bx.connect.gaussian(jax.random.key(0), xy, xy, sigma=3.0, p_max=0.5,
                                    allow_autapses=False)
        table.degree().mean()   # about 0.5 * 2 pi 3^2 = 28, less at the borders
        ```
    """
    pre = _as_positions("positions_pre", positions_pre)
    post = _as_positions("positions_post", positions_post)
    if pre.shape[1] != post.shape[1]:
        raise ValueError(
            f"`positions_pre` has {pre.shape[1]} coordinates per neuron and "
            f"`positions_post` {post.shape[1]}; both need the same dimension."
        )
    sigma = check_positive(
        "sigma", sigma, "the kernel width, in the unit of the positions"
    )
    p_max = check_probability(
        p_max, "p_max", "the connection probability at distance zero", "p_max=0.1"
    )
    cutoff = check_positive("cutoff", cutoff, "in units of sigma", allow_inf=True)
    allow_autapses = check_flag("allow_autapses", allow_autapses)
    n_pre, n_post = pre.shape[0], post.shape[0]
    if p_max == 0.0:
        return OutDegreeTable(jnp.full((n_pre, 0), n_post, jnp.int32), n_post)

    radius = cutoff * sigma
    cells = _Cells(pre, post, radius)
    # Coordinates by column, from the lower corner, in float32 (half the memory
    # traffic); posts in cube order.
    post_columns = [
        np.ascontiguousarray(c, np.float32) for c in (post[cells.order] - cells.low).T
    ]
    pre_columns = [np.ascontiguousarray(c, np.float32) for c in (pre - cells.low).T]
    rng = host_rng(key)
    scale = np.float32(-0.5 / sigma**2)
    pre_edges, post_edges = [], []
    step = max(1, _BLOCK // (4 * cells.offsets.shape[0]))
    for start in range(0, n_pre, step):  # blocks of pre neurons: bounded memory
        block = slice(start, min(start + step, n_pre))
        first, count = cells.near(pre[block])
        # Sub-blocks of consecutive pre neurons with about _BLOCK candidates.
        cumulative = np.cumsum(count.sum(axis=1))
        cuts = np.searchsorted(cumulative, np.arange(_BLOCK, cumulative[-1], _BLOCK))
        bounds = np.unique(np.concatenate([[0], cuts, [first.shape[0]]]))
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
            row, slot = _sample(
                rng,
                first[lo:hi],
                count[lo:hi],
                [c[block][lo:hi] for c in pre_columns],
                post_columns,
                scale,
                p_max,
                radius,
            )
            source, target = start + lo + row, cells.order[slot]
            if not allow_autapses:
                keep = target != source
                source, target = source[keep], target[keep]
            pre_edges.append(source)
            post_edges.append(target)
    table, _ = table_from_edges(
        np.concatenate(pre_edges), np.concatenate(post_edges), n_pre, n_post
    )
    return table


def distances(
    table: OutDegreeTable, positions_pre: ArrayLike, positions_post: ArrayLike
) -> Float[Array, "n_pre max_degree"]:
    """The Euclidean distance of every synapse of a table, in the table's shape.

    Useful for distance-dependent delays (`distance / velocity`) or weights.

    **Arguments:**

    - `table`: a [`brainox.connect.OutDegreeTable`][].
    - `positions_pre`: shape `(n_pre, d)` or `(n_pre,)`, presynaptic positions.
    - `positions_post`: shape `(n_post, d)` or `(n_post,)`, in the same unit.

    **Returns:** float32 distances of shape `(n_pre, max_degree)`, in the unit of
    the positions; zero in the padding.

    !!! example
        ```python
        table = bx.connect.gaussian(key, xy, xy, sigma=3.0)
        delay = 0.5 + bx.connect.distances(table, xy, xy) / 0.3   # ms, 0.3 units/ms
        ```
    """
    pre = _as_positions("positions_pre", positions_pre)
    post = _as_positions("positions_post", positions_post)
    if pre.shape[0] != table.n_pre or post.shape[0] != table.n_post:
        raise ValueError(
            f"the table connects {table.n_pre} to {table.n_post} neurons; got "
            f"{pre.shape[0]} presynaptic and {post.shape[0]} post-synaptic positions."
        )
    if pre.shape[1] != post.shape[1]:
        raise ValueError(
            "`positions_pre` and `positions_post` need the same dimension."
        )
    indices = np.asarray(table.indices)
    valid = indices < table.n_post
    gap = post[np.where(valid, indices, 0)] - pre[:, None, :]
    d = np.sqrt(np.sum(gap**2, axis=-1))
    return jnp.asarray(np.where(valid, d, 0.0), jnp.float32)
