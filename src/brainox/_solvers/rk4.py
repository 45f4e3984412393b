"""The classical fourth-order Runge-Kutta method, straight-line code."""

from ._base import AbstractFixedStepSolver, axpy, finish


class RK4(AbstractFixedStepSolver):
    """The classical Runge-Kutta method: fourth order, four stages.

    Its `step` is straight-line code (no loop over stages, no error estimate),
    cheaper per step inside a `lax.scan` than diffrax's generic Runge-Kutta. It
    also works in `diffrax.diffeqsolve` with a constant step size.

    ??? cite "Reference"
        Kutta, W. (1901). Beitrag zur naeherungsweisen Integration totaler
        Differentialgleichungen. Zeitschrift fuer Mathematik und Physik 46, 435-453.

    !!! example
        ```python
        neuron = bx.HH(10, solver=bx.RK4())
        ```
    """

    def order(self, terms):
        return 4

    def step(self, terms, t0, t1, y0, args, solver_state, made_jump):
        dt = terms.contr(t0, t1)
        tm = t0 + (t1 - t0) / 2
        k1 = terms.vf(t0, y0, args)
        k2 = terms.vf(tm, axpy(dt / 2, k1, y0), args)
        k3 = terms.vf(tm, axpy(dt / 2, k2, y0), args)
        k4 = terms.vf(t1, axpy(dt, k3, y0), args)
        y1 = axpy(dt / 6, k4, axpy(dt / 3, k3, axpy(dt / 3, k2, axpy(dt / 6, k1, y0))))
        return finish(y0, y1)
