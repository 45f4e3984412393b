"""Locating a Hopf bifurcation precisely by bisection on the eigenvalues."""

import equinox as eqx
import jax
import jax.numpy as jnp
import optimistix as optx

from .._custom_types import Array, Model, PyTree
from ._common import flat_vector_field, with_parameter
from ._fixed_points import Guesses, default_tolerances, initial_guesses


def hopf_point(
    model: Model,
    lower: float,
    upper: float,
    *,
    parameter: str | None = None,
    args: PyTree = None,
    guess: Guesses = None,
    tol: float = 1e-6,
    rtol: float | None = None,
    atol: float | None = None,
    max_steps: int = 64,
) -> Array:
    """The parameter value of a Hopf bifurcation, bracketed by `lower` and `upper`.

    At a Hopf bifurcation a complex pair of Jacobian eigenvalues crosses the
    imaginary axis. This finds the root of `value -> Re(lambda)`, the real part
    of the leading complex eigenvalue at the fixed point, by bisection
    (`optimistix.Bisection`); at each value the fixed point is found by Newton's
    method from `guess`. `lower` and `upper` come from
    [`brainox.dynsys.BifurcationDiagram.hopf_points`][] or by hand, and must
    bracket a sign change.

    **Arguments:**

    - `model`: any [`brainox.AbstractDynamics`][] of one neuron (`n=1`).
    - `lower`, `upper`: the bracket, in the parameter's unit.
    - `parameter`: `None` for the input (`args`), or the name of a parameter field.
    - `args`: the constant input while a parameter field is varied.
    - `guess`: the initial guess of the fixed point, as `guesses` of
      [`brainox.dynsys.fixed_points`][] with one entry (default: the model's
      current state).
    - `tol`: absolute tolerance on the bifurcation value (parameter unit).
    - `rtol`, `atol`, `max_steps`: Newton's method for the fixed point.

    **Returns:** the bifurcation value (a scalar array). Raises an error when the
    bracket holds no sign change.

    ??? cite "Reference"
        Kuznetsov, Y. A. (2004). Elements of Applied Bifurcation Theory, 3rd ed.,
        section 3.4 (Andronov-Hopf bifurcation). Springer.

    !!! example
        ```python
        hh = bx.HH(1, dtype=jnp.float64)       # inside jax.enable_x64(True)
        bx.dynsys.hopf_point(hh, 9.0, 10.5)    # 9.7754 uA/cm^2
        ```
    """
    x0 = initial_guesses(model, guess)
    if x0.shape[0] != 1:
        raise ValueError(
            f"`guess` gives {x0.shape[0]} initial states; hopf_point follows one "
            "fixed point: give a single guess near it."
        )
    default = default_tolerances(x0.dtype)
    return _bisect(
        model,
        jax.tree.map(jnp.asarray, args),
        parameter,
        x0[0],
        jnp.asarray(lower, x0.dtype),
        jnp.asarray(upper, x0.dtype),
        tol,
        default[0] if rtol is None else rtol,
        default[1] if atol is None else atol,
        max_steps,
    )


@eqx.filter_jit
def _bisect(model, args, parameter, x0, lower, upper, tol, rtol, atol, max_steps):
    newton = optx.Newton(rtol=rtol, atol=atol)

    def leading_complex_real(value, _):
        m, a = with_parameter(model, args, parameter, value)
        f = flat_vector_field(m, a)
        x = optx.root_find(lambda x, _: f(x), newton, x0, max_steps=max_steps).value
        eigenvalues = jnp.linalg.eigvals(jax.jacfwd(f)(x))
        re = jnp.real(eigenvalues)
        complex_ = jnp.abs(jnp.imag(eigenvalues)) > 0
        return jnp.max(jnp.where(complex_, re, -jnp.inf))

    f_low = leading_complex_real(lower, None)
    f_high = leading_complex_real(upper, None)
    lower = eqx.error_if(
        lower,
        ~(jnp.isfinite(f_low) & jnp.isfinite(f_high) & (f_low * f_high < 0)),
        "hopf_point: the real part of the leading complex eigenvalue pair does not "
        "change sign between `lower` and `upper`; pass a bracket around one Hopf "
        "bifurcation, e.g. from BifurcationDiagram.hopf_points().",
    )
    bisection = optx.Bisection(rtol=0.0, atol=tol)
    sol = optx.root_find(
        leading_complex_real,
        bisection,
        (lower + upper) / 2,
        options={"lower": lower, "upper": upper},
        max_steps=200,
    )
    return sol.value
