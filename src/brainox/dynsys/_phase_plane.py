"""Phase planes of two-variable models: vector field, nullclines, fixed points."""

from typing import NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp

from .._custom_types import Array, ArrayLike, Model, PyTree, RealScalarLike
from ._common import check_two_dimensional
from ._fixed_points import FixedPoints, fixed_points
from ._nullclines import Nullclines, nullclines, pair_state


class PhasePlane(NamedTuple):
    """The phase plane of a two-variable model at a constant input.

    - `names`: the state variables `(x, y)`, e.g. `("V", "w")`.
    - `x`, `y`: the grid values, shapes `(nx,)` and `(ny,)`, in their units.
    - `dx`, `dy`: the vector field `dx/dt`, `dy/dt` on the grid, shape
      `(ny, nx)` (row `i` is `y[i]`: `plt.quiver(x, y, dx, dy)` draws it, and
      `plt.streamplot` after `np.asarray` of each, as it does not take JAX
      arrays), in units of the variables per ms.
    - `nullclines`: a [`brainox.dynsys.Nullclines`][] over the same `x` range.
    - `fixed_points`: a [`brainox.dynsys.FixedPoints`][] inside the plane.

    !!! example
        ```python
        pp = bx.dynsys.phase_plane(bx.FitzHughNagumo(1), 0.5, (-2.5, 2.5), (-1, 3))
        plt.streamplot(*(np.asarray(a) for a in (pp.x, pp.y, pp.dx, pp.dy)))
        ```
    """

    names: tuple[str, str]
    x: Array
    y: Array
    dx: Array
    dy: Array
    nullclines: Nullclines
    fixed_points: FixedPoints


def phase_plane(
    model: Model,
    args: PyTree,
    x_range: tuple[RealScalarLike, RealScalarLike],
    y_range: tuple[RealScalarLike, RealScalarLike],
    *,
    num: int = 25,
    nullcline_num: int = 200,
    guess_num: int = 11,
    names: tuple[str, str] | None = None,
) -> PhasePlane:
    """The vector field on a grid, the nullclines and the fixed points.

    **Arguments:**

    - `model`: a model of one neuron (`n=1`) with two state variables, e.g.
      [`brainox.FitzHughNagumo`][], [`brainox.MorrisLecar`][],
      [`brainox.Izhikevich`][].
    - `args`: the constant input (in the model's input unit).
    - `x_range`, `y_range`: `(low, high)` of the two variables.
    - `num`: grid points per axis of the vector field.
    - `nullcline_num`: grid points of the nullclines (see
      [`brainox.dynsys.nullclines`][]).
    - `guess_num`: the fixed points are searched from a `guess_num x guess_num`
      grid of initial guesses over the plane.
    - `names`: the state variables as `(x, y)`; default their order in the model.

    **Returns:** a [`brainox.dynsys.PhasePlane`][].

    ??? cite "Reference"
        Izhikevich, E. M. (2007). Dynamical Systems in Neuroscience, chapter 4
        (two-dimensional systems). MIT Press.

    !!! example
        ```python
        izh = bx.Izhikevich(1)
        pp = bx.dynsys.phase_plane(izh, 0.0, (-80, -40), (-20, 0))
        pp.fixed_points.labels     # ("stable node", "saddle")
        ```
    """
    pair = check_two_dimensional(model, names)
    dtype = model.hidden_values()[pair[0]].dtype
    x = jnp.linspace(x_range[0], x_range[1], num, dtype=dtype)
    y = jnp.linspace(y_range[0], y_range[1], num, dtype=dtype)
    dx, dy = _grid(model, jax.tree.map(jnp.asarray, args), pair, x, y)
    guesses: dict[str, ArrayLike] = {
        pair[0]: jnp.linspace(x_range[0], x_range[1], guess_num),
        pair[1]: jnp.linspace(y_range[0], y_range[1], guess_num),
    }
    points = fixed_points(model, args, guesses=guesses)
    inside = _inside(points, pair, x_range, y_range)
    points = FixedPoints(
        {k: v[inside] for k, v in points.points.items()},
        points.eigenvalues[inside],
        points.stability[inside],
    )
    lines = nullclines(model, args, x_range, y_range, num=nullcline_num, names=pair)
    return PhasePlane(pair, x, y, dx, dy, lines, points)


def _inside(points: FixedPoints, names, x_range, y_range):
    px, py = points.points[names[0]][:, 0], points.points[names[1]][:, 0]
    return (
        (px >= min(x_range))
        & (px <= max(x_range))
        & (py >= min(y_range))
        & (py <= max(y_range))
    )


@eqx.filter_jit
def _grid(model, args, names, x, y):
    def at(xi, yi):
        dy = model.vector_field(0.0, pair_state(model, names, xi, yi), args)
        return jnp.ravel(dy[names[0]])[0], jnp.ravel(dy[names[1]])[0]

    return jax.vmap(jax.vmap(at, in_axes=(0, None)), in_axes=(None, 0))(x, y)
