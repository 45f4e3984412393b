"""Exponential Euler: exact for linear dynamics, linearised per variable otherwise."""

import functools

import jax
import jax.numpy as jnp
import jax.tree_util as jtu

from ._base import AbstractFixedStepSolver, finish


def _phi1_dt(a, dt):
    # (exp(a dt) - 1) / a, finite (and exact to O((a dt)^2)) when a dt is tiny
    # or zero, with finite gradients there (the "double where").
    z = a * dt
    if jnp.result_type(z) == jnp.float64:
        small = jnp.abs(z) < 1e-6
        safe_a = jnp.where(small, 1.0, a)
        return jnp.where(small, dt * (1 + z / 2), jnp.expm1(z) / safe_a)
    # In lower precision: for |z| < 0.1 a Taylor series to z^5 (relative error
    # below z^6 / 5040 < 2e-10), elsewhere exp(z) - 1 (relative error below
    # 1e-6 in float32 there). On a CPU, XLA's vectorised expm1 costs about two
    # exp.
    small = jnp.abs(z) < 0.1
    safe_z = jnp.where(small, 1.0, z)
    series = 1 + z / 2 * (1 + z / 3 * (1 + z / 4 * (1 + z / 5 * (1 + z / 6))))
    return dt * jnp.where(small, series, (jnp.exp(safe_z) - 1) / safe_z)


class ExponentialEuler(AbstractFixedStepSolver):
    """The exponential Euler method.

    Each variable `y_i` follows `dy_i/dt = f_i(y)`. Over a step, `f_i` is
    linearised in `y_i` alone, `f_i(y) ~ f_i(y0) + a_i (y_i - y0_i)` with
    `a_i = d f_i / d y_i` taken at the start of the step (by one forward-mode
    Jacobian-vector product per variable), and the linear equation is solved
    exactly:

    `y1_i = y0_i + (exp(a_i dt) - 1) / a_i * f_i(y0)`.

    This is exact when each `f_i` is linear in `y_i` with coefficients that do not
    depend on the other variables over the step: leaky membranes with constant
    input, exponential synapses, and the gating variables of Hodgkin-Huxley models
    (Brian2's `exponential_euler` for conditionally linear equations). It is the
    default for LIF-type neurons and stays stable for any step size on a decaying
    variable. Otherwise it is first order in general, and second order (the
    exponential Rosenbrock-Euler method) when no variable's derivative depends on
    another variable, since the per-variable Jacobian is then the full one.

    "Per variable" means per array in the state PyTree, and the Jacobian diagonal
    is read off assuming that elements of one array do not drive each other within
    the vector field (true for a population of independent neurons, whose
    coupling arrives through `args`).

    ??? cite "Reference"
        Hochbruck, M. & Ostermann, A. (2010). Exponential integrators. Acta
        Numerica 19, 209-286.

    !!! example
        ```python
        neuron = bx.LIF(100, solver=bx.ExponentialEuler())
        sol = diffrax.diffeqsolve(term, bx.ExponentialEuler(), 0.0, 10.0, 0.1, y0)
        ```
    """

    def order(self, terms):
        return 1

    def step(self, terms, t0, t1, y0, args, solver_state, made_jump):
        dt = terms.contr(t0, t1)
        leaves, treedef = jtu.tree_flatten(y0)

        def f_of(i, y_i):
            # f_i with every variable but y_i held fixed: their tangents are
            # symbolic zeros, so no derivative through them is computed.
            y = treedef.unflatten(leaves[:i] + [y_i] + leaves[i + 1 :])
            return treedef.flatten_up_to(terms.vf(t0, y, args))[i]

        y1 = []
        for i, y in enumerate(leaves):
            # XLA computes the shared primal f(y0) once (common subexpressions).
            f, a = jax.jvp(functools.partial(f_of, i), (y,), (jnp.ones_like(y),))
            y1.append(y + _phi1_dt(a, dt) * f)
        return finish(y0, treedef.unflatten(y1))
