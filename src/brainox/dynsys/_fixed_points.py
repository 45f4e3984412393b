"""Fixed points of a model's vector field and their linear stability."""

from typing import NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optimistix as optx
from jax.flatten_util import ravel_pytree

from .._custom_types import Array, ArrayLike, Model, PyTree
from ._common import check_dynamics, flat_vector_field
from ._stability import stability_code, stability_label


Guesses = dict[str, ArrayLike] | ArrayLike | None
"""Initial guesses: a dict of 1-D grids per state variable, a `(k, d)` array of
flat states, or `None` for the model's current state."""


class FixedPoints(NamedTuple):
    """Distinct fixed points of a vector field with their linear stability.

    - `points`: dict from each hidden-state name to its values at the fixed points,
      shape `(k, *state_shape)` (for one neuron `(k, 1)`), in the state's unit.
      Sorted by the first state variable (alphabetical order of the names).
    - `eigenvalues`: complex `(k, d)`, the eigenvalues of the Jacobian of the
      flattened state (1/ms), sorted by decreasing real part.
    - `stability`: int32 `(k,)` codes, named by
      [`brainox.dynsys.STABILITY_LABELS`][].

    !!! example
        ```python
        fp = bx.dynsys.fixed_points(bx.FitzHughNagumo(1), 0.5,
                                    guesses={"v": jnp.linspace(-2, 2, 9)})
        fp.points["v"], fp.labels     # one point, ("unstable focus",)
        ```
    """

    points: dict[str, Array]
    eigenvalues: Array
    stability: Array

    @property
    def labels(self) -> tuple[str, ...]:
        """The stability of each point in words (`"stable focus"`, ...)."""
        return tuple(stability_label(int(c)) for c in np.asarray(self.stability))


def default_tolerances(dtype) -> tuple[float, float]:
    """`(rtol, atol)` of Newton's method for a floating dtype."""
    return (1e-10, 1e-10) if jnp.finfo(dtype).bits == 64 else (1e-5, 1e-5)


def initial_guesses(model: Model, guesses: Guesses) -> Array:
    """The initial guesses as a `(k, d)` array of flat states.

    A dict gives a 1-D grid of values for some state variables; the guesses are
    every combination of them (a grid). Variables not named keep the model's
    current value, except that where the dict gives the model's voltage and the
    model has a `steady_state(V)` method (gates of [`brainox.HH`][], `w` of
    [`brainox.MorrisLecar`][]) those variables start at their steady state.
    """
    current = check_dynamics(model)
    x0, _ = ravel_pytree(current)
    if guesses is None:
        return x0[None]
    if not isinstance(guesses, dict):
        array = jnp.asarray(guesses, x0.dtype)
        if array.ndim != 2 or array.shape[1] != x0.size:
            raise ValueError(
                f"`guesses` has shape {array.shape}; an array of guesses must have "
                f"shape (k, {x0.size}) (k flattened states), or pass a dict of grids "
                f"per state variable {sorted(current)}."
            )
        return array
    unknown = sorted(set(guesses) - set(current))
    if unknown:
        raise ValueError(
            f"`guesses` names {unknown}, which are not state variables of "
            f"{type(model).__name__}; its state variables are {sorted(current)}."
        )
    names = list(guesses)
    grids = jnp.meshgrid(
        *[jnp.ravel(jnp.asarray(guesses[k], x0.dtype)) for k in names], indexing="ij"
    )
    columns = {k: g.ravel() for k, g in zip(names, grids, strict=True)}
    voltage = str(getattr(model, "voltage_name", ""))
    steady = voltage in columns and hasattr(model, "steady_state")

    def row(values):
        y = {
            k: jnp.broadcast_to(values[k], v.shape) if k in values else v
            for k, v in current.items()
        }
        if steady:
            at_rest = model.steady_state(y[voltage])
            y.update(
                {k: at_rest[k] for k in current if k in at_rest and k not in values}
            )
        return ravel_pytree(y)[0].astype(x0.dtype)

    return jax.vmap(row)(columns)


def solve_fixed_points(
    model: Model,
    args: PyTree,
    guesses: Array,
    rtol: float,
    atol: float,
    max_steps: int,
    distinct: float,
) -> tuple[Array, Array, Array, Array]:
    """Newton's method from each guess, then deduplication and stability.

    Traceable (usable inside `jit` and `vmap`); every output has a fixed shape.

    **Returns:** `(x, valid, eigenvalues, codes)`: the flat fixed points `(k, d)`,
    a mask `(k,)` of converged points not found earlier in the list, their
    Jacobian eigenvalues `(k, d)` sorted by decreasing real part, and stability
    codes `(k,)` (-1 where not valid).
    """
    f = flat_vector_field(model, args)
    newton = optx.Newton(rtol=rtol, atol=atol)

    def one(x0):
        sol = optx.root_find(
            lambda x, _: f(x), newton, x0, max_steps=max_steps, throw=False
        )
        x = sol.value
        ok = (sol.result == optx.RESULTS.successful) & jnp.all(jnp.isfinite(x))
        eigenvalues = jnp.linalg.eigvals(jax.jacfwd(f)(x))
        order = jnp.argsort(-jnp.real(eigenvalues))
        return x, ok, eigenvalues[order]

    x, ok, eigenvalues = jax.vmap(one)(guesses)
    close = jnp.all(
        jnp.abs(x[:, None] - x[None]) <= distinct * (1 + jnp.abs(x[None])), axis=-1
    )
    earlier = jnp.tril(jnp.ones(close.shape, bool), -1)
    valid = ok & ~jnp.any(close & earlier & ok[None, :], axis=1)
    codes = jnp.where(valid, stability_code(eigenvalues), -1)
    return x, valid, eigenvalues, codes


def fixed_points(
    model: Model,
    args: PyTree = None,
    *,
    guesses: Guesses = None,
    rtol: float | None = None,
    atol: float | None = None,
    max_steps: int = 64,
    distinct: float = 1e-4,
) -> FixedPoints:
    """The fixed points of a model's vector field at a constant input.

    Solves `vector_field(t, y, args) = 0` with Newton's method
    (`optimistix.root_find` with `optimistix.Newton`) from each initial guess,
    keeps the converged, distinct solutions and classifies each from the
    eigenvalues of the Jacobian (`jax.jacfwd` of the flattened vector field).

    Every state variable of the model takes part: give a model of one neuron
    (`n=1`) to analyse a single cell (a population of `n` uncoupled neurons has
    the combinations of their fixed points).

    **Arguments:**

    - `model`: any [`brainox.AbstractDynamics`][] (a neuron, a rate model).
    - `args`: the constant input (for built-in neurons the current, in the unit
      of the model's `vector_field`: pA for [`brainox.LIF`][], uA/cm^2 for
      [`brainox.HH`][]).
    - `guesses`: initial guesses. A dict of 1-D grids per state variable (every
      combination is tried; variables not named keep the model's current value,
      or their steady state at the guessed voltage for models with a
      `steady_state(V)` method such as [`brainox.HH`][]); a `(k, d)` array of
      flat states (variables in alphabetical order); or `None`, the model's
      current state only.
    - `rtol`, `atol`: Newton's tolerances on the step and on the residual (in
      the units of the state and of its time derivative). Default `1e-10` in
      float64 and `1e-5` in float32.
    - `max_steps`: Newton iterations per guess.
    - `distinct`: two solutions closer than `distinct * (1 + |x|)` in every
      variable are one point.

    **Returns:** a [`brainox.dynsys.FixedPoints`][]. Guesses whose iteration
    does not converge are dropped; with no converged guess the result is empty.

    ??? cite "Reference"
        Strogatz, S. H. (2015). Nonlinear Dynamics and Chaos, 2nd ed., chapters
        5-6 (linearisation, classification of fixed points). Westview Press.

    !!! example
        ```python
        hh = bx.HH(1, dtype=jnp.float64)   # inside jax.enable_x64(True)
        fp = bx.dynsys.fixed_points(hh, 5.0, guesses={"V": jnp.linspace(-80, 0, 5)})
        fp.points["V"], fp.labels      # [[-61.73]], ("stable focus",)
        ```
    """
    x_guess = initial_guesses(model, guesses)
    default = default_tolerances(x_guess.dtype)
    x, valid, eigenvalues, codes = _solve_jit(
        model,
        jax.tree.map(jnp.asarray, args),
        x_guess,
        default[0] if rtol is None else rtol,
        default[1] if atol is None else atol,
        max_steps,
        distinct,
    )
    keep = np.flatnonzero(np.asarray(valid))
    _, unravel = ravel_pytree(model.hidden_values())
    x, eigenvalues, codes = x[keep], eigenvalues[keep], codes[keep]
    order = np.argsort(np.asarray(x[:, 0]), kind="stable")
    points = jax.vmap(unravel)(x[order])
    return FixedPoints(points, eigenvalues[order], codes[order])


_solve_jit = eqx.filter_jit(solve_fixed_points)
