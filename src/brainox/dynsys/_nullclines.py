"""Nullclines of two-variable models."""

from typing import NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
import optimistix as optx

from .._custom_types import Array, Model, PyTree, RealScalarLike
from ._common import check_two_dimensional
from ._fixed_points import default_tolerances


class Nullclines(NamedTuple):
    """The two nullclines of a two-variable model, as curves over a grid of `x`.

    With state variables `(x, y)` (`names`):

    - `names`: the names of `x` and `y`, e.g. `("v", "w")`.
    - `x`: the grid of `x` values, shape `(num,)`, in the unit of `x`.
    - `x_nullcline`: the `y` at which `dx/dt = 0` for each grid value of `x`,
      shape `(num,)`, in the unit of `y`; NaN where the solve failed.
    - `y_nullcline`: the `y` at which `dy/dt = 0`, likewise.

    Plot `x_nullcline` and `y_nullcline` against `x`; they cross at the fixed
    points.

    !!! example
        ```python
        nc = bx.dynsys.nullclines(bx.FitzHughNagumo(1), 0.5, (-2.5, 2.5), (-1, 3))
        plt.plot(nc.x, nc.x_nullcline, nc.x, nc.y_nullcline)
        ```
    """

    names: tuple[str, str]
    x: Array
    x_nullcline: Array
    y_nullcline: Array


def pair_state(model: Model, names: tuple[str, str], x: Array, y: Array) -> dict:
    """The hidden-state dict of a two-variable, one-neuron model at `(x, y)`."""
    current = model.hidden_values()
    values = dict(zip(names, (x, y), strict=True))
    return {
        k: jnp.broadcast_to(values[k], v.shape).astype(v.dtype)
        for k, v in current.items()
    }


def nullclines(
    model: Model,
    args: PyTree,
    x_range: tuple[RealScalarLike, RealScalarLike],
    y_range: tuple[RealScalarLike, RealScalarLike],
    *,
    num: int = 200,
    names: tuple[str, str] | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    max_steps: int = 64,
) -> Nullclines:
    """The nullclines `dx/dt = 0` and `dy/dt = 0` of a two-variable model.

    For each of `num` values of `x` on a grid over `x_range`, each nullcline
    equation is solved for `y` with Newton's method (`optimistix.Newton`),
    starting from the middle of `y_range`. This suits neuron models whose second
    variable is a recovery variable (the equations of
    [`brainox.FitzHughNagumo`][], [`brainox.MorrisLecar`][] and
    [`brainox.Izhikevich`][] are linear in it, so each nullcline is a graph
    `y(x)` and Newton converges in one step). Where a nullcline is not a graph
    over `x`, swap `names` so that it is.

    **Arguments:**

    - `model`: a model of one neuron (`n=1`) with two state variables.
    - `args`: the constant input (the model's input unit, e.g. uA/cm^2 for
      [`brainox.MorrisLecar`][]).
    - `x_range`, `y_range`: `(low, high)` of `x` and `y`, in their units.
    - `num`: number of grid values of `x`.
    - `names`: the state variables as `(x, y)`; default their order in the model
      (e.g. `("v", "w")`).
    - `rtol`, `atol`: Newton's tolerances (default `1e-10` in float64, `1e-5` in
      float32).
    - `max_steps`: Newton iterations per grid value.

    **Returns:** a [`brainox.dynsys.Nullclines`][].

    ??? cite "Reference"
        Rinzel, J. & Ermentrout, G. B. (1998). Analysis of neural excitability
        and oscillations. In Koch & Segev (eds.), Methods in Neuronal Modeling,
        2nd ed., 251-291. MIT Press.

    !!! example
        ```python
        ml = bx.MorrisLecar.preset("type_I")
        nc = bx.dynsys.nullclines(ml, 40.0, (-70, 40), (0, 0.6))
        ```
    """
    pair = check_two_dimensional(model, names)
    dtype = model.hidden_values()[pair[0]].dtype
    default = default_tolerances(dtype)
    x = jnp.linspace(x_range[0], x_range[1], num, dtype=dtype)
    y0 = jnp.asarray((y_range[0] + y_range[1]) / 2, dtype)
    x_null, y_null = _solve(
        model,
        jax.tree.map(jnp.asarray, args),
        pair,
        x,
        y0,
        default[0] if rtol is None else rtol,
        default[1] if atol is None else atol,
        max_steps,
    )
    return Nullclines(pair, x, x_null, y_null)


@eqx.filter_jit
def _solve(model, args, names, x, y0, rtol, atol, max_steps):
    newton = optx.Newton(rtol=rtol, atol=atol)

    def along(x_k, component):
        def residual(y, _):
            dy = model.vector_field(0.0, pair_state(model, names, x_k, y), args)
            return jnp.ravel(dy[component])[0]

        sol = optx.root_find(residual, newton, y0, max_steps=max_steps, throw=False)
        return jnp.where(sol.result == optx.RESULTS.successful, sol.value, jnp.nan)

    return tuple(jax.vmap(along, in_axes=(0, None))(x, name) for name in names)
