"""Heun's method (explicit trapezoid), straight-line code."""

from ._base import AbstractFixedStepSolver, axpy, finish


class Heun(AbstractFixedStepSolver):
    """Heun's method: second-order explicit Runge-Kutta, two stages.

    `k1 = f(t0, y0)`, `k2 = f(t1, y0 + dt k1)`, `y1 = y0 + dt (k1 + k2) / 2`.

    Unlike `diffrax.Heun` it carries no embedded error estimate and its `step` is
    straight-line code (no loop over stages), which makes it cheaper per step
    inside a `lax.scan`. It also works in `diffrax.diffeqsolve` with a constant step
    size.

    !!! example
        ```python
        neuron = bx.HH(10, solver=bx.Heun())
        sol = diffrax.diffeqsolve(diffrax.ODETerm(f), bx.Heun(), 0.0, 1.0, 0.01, y0)
        ```
    """

    def order(self, terms):
        return 2

    def step(self, terms, t0, t1, y0, args, solver_state, made_jump):
        dt = terms.contr(t0, t1)
        k1 = terms.vf(t0, y0, args)
        k2 = terms.vf(t1, axpy(dt, k1, y0), args)
        return finish(y0, axpy(dt / 2, k2, axpy(dt / 2, k1, y0)))
