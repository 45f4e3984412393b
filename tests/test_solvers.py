"""brainox's solvers: convergence order, exactness, and agreement with diffeqsolve."""

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainox as bx


def logistic(t, y, args):
    return {"y": y["y"] * (1 - y["y"])}


def logistic_exact(t):
    return 1 / (1 + 9 * np.exp(-t))


def final_error(solver, dt):
    sol = diffrax.diffeqsolve(
        diffrax.ODETerm(logistic),
        solver,
        t0=0.0,
        t1=2.0,
        dt0=dt,
        y0={"y": jnp.asarray(0.1)},
        stepsize_controller=diffrax.ConstantStepSize(),
    )
    return abs(float(sol.ys["y"][-1]) - logistic_exact(2.0))


@pytest.mark.parametrize(
    "solver, order",
    # Exponential Euler linearised on the (here exact, scalar) Jacobian is the
    # exponential Rosenbrock-Euler method: second order.
    [(bx.ExponentialEuler(), 2), (bx.Heun(), 2), (bx.RK4(), 4)],
)
def test_convergence_order_on_a_closed_form_ode(solver, order):
    with jax.enable_x64(True):
        dts = [0.2, 0.1, 0.05, 0.025]
        errors = [final_error(solver, dt) for dt in dts]
    slope = np.polyfit(np.log(dts), np.log(errors), 1)[0]
    assert abs(slope - order) < 0.15, (errors, slope)


def test_exponential_euler_is_first_order_with_coupled_variables():
    # x' = -y, y' = x (a rotation): the per-variable Jacobian misses the coupling.
    rotation = lambda t, y, args: {"x": -y["y"], "y": y["x"]}
    errors = []
    with jax.enable_x64(True):
        dts = [0.1, 0.05, 0.025, 0.0125]
        for dt in dts:
            sol = diffrax.diffeqsolve(
                diffrax.ODETerm(rotation),
                bx.ExponentialEuler(),
                0.0,
                1.0,
                dt,
                {"x": jnp.asarray(1.0), "y": jnp.asarray(0.0)},
            )
            errors.append(abs(float(sol.ys["x"][-1]) - np.cos(1.0)))
    slope = np.polyfit(np.log(dts), np.log(errors), 1)[0]
    assert bx.ExponentialEuler().order(None) == 1
    assert abs(slope - 1) < 0.15, (errors, slope)


def test_exponential_euler_is_exact_for_linear_dynamics():
    with jax.enable_x64(True):
        a = jnp.asarray([-2.0, -0.5, 0.0, 0.3])
        c = jnp.asarray([1.0, -3.0, 2.0, 0.5])

        def linear(t, y, args):
            return {"x": a * (y["x"] - c) + args, "z": -y["z"] / 4.0}

        y0 = {"x": jnp.asarray([0.5, 0.0, 1.0, -1.0]), "z": jnp.asarray(2.0)}
        y1 = bx.integrate_step(bx.ExponentialEuler(), linear, y0, 0.7, 1.5)
        a64 = np.asarray(a)
        steady = np.asarray(c) - np.where(a64 == 0, 0, 0.7 / np.where(a64 == 0, 1, a64))
        expect = np.where(
            a64 == 0,
            np.asarray(y0["x"]) + 0.7 * 1.5,
            steady + (np.asarray(y0["x"]) - steady) * np.exp(a64 * 1.5),
        )
        np.testing.assert_allclose(y1["x"], expect, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(y1["z"], 2.0 * np.exp(-1.5 / 4.0), rtol=1e-12)


class Logistic(bx.AbstractDynamics):
    """A user-defined nonlinear population: dy/dt = r y (1 - y)."""

    y: bx.Hidden
    r: jax.Array
    solver: diffrax.AbstractSolver

    def vector_field(self, t, y, args):
        return {"y": self.r * y["y"] * (1 - y["y"]) + args}


SOLVERS = [
    bx.ExponentialEuler(),
    bx.Heun(),
    bx.RK4(),
    diffrax.Euler(),
    diffrax.Heun(),
    diffrax.Midpoint(),
    diffrax.Tsit5(),
    diffrax.Kvaerno5(root_finder=diffrax.VeryChord(rtol=1e-4, atol=1e-4)),
]


@pytest.mark.parametrize("solver", SOLVERS, ids=lambda s: type(s).__name__)
def test_stepping_matches_diffeqsolve_with_the_same_solver(solver):
    model = Logistic(bx.Hidden(jnp.asarray([0.05, 0.3, 0.9])), jnp.asarray(1.5), solver)
    dt, n = 0.05, 80
    final, rec = bx.simulate(
        model, n_steps=n, dt=dt, inputs=lambda step, t: 0.01, monitors=["y"]
    )
    sol = diffrax.diffeqsolve(
        diffrax.ODETerm(model.vector_field),
        solver,
        t0=0.0,
        t1=n * dt,
        dt0=dt,
        y0=model.hidden_values(),
        args=0.01,
        saveat=diffrax.SaveAt(steps=True),
        stepsize_controller=diffrax.ConstantStepSize(),
    )
    np.testing.assert_allclose(rec["y"], sol.ys["y"][:n], rtol=2e-6, atol=1e-7)
    np.testing.assert_allclose(final.y.value, sol.ys["y"][n - 1], rtol=2e-6)


IMPLICIT_64 = diffrax.Kvaerno5(root_finder=diffrax.VeryChord(rtol=1e-8, atol=1e-8))


@pytest.mark.parametrize(
    "solver", [*SOLVERS[:-1], IMPLICIT_64], ids=lambda s: type(s).__name__
)
def test_any_solver_steps_a_neuron(solver):
    # Subthreshold LIF, tau = 20 ms, R I = 10 mV: V(t) closed form. Implicit
    # solvers' root finders need float64 at tight tolerances around V ~ -60 mV.
    implicit = isinstance(solver, diffrax.AbstractImplicitSolver)
    with jax.enable_x64(implicit):
        dtype = jnp.float64 if implicit else jnp.float32
        neuron = bx.LIF(
            2, tau=20.0, R=100.0, V_rest=-65.0, V_th=0.0, solver=solver, dtype=dtype
        )
        _, rec = bx.simulate(
            neuron, 20.0, dt=0.1, inputs=lambda s, t: 100.0, monitors=["V"]
        )
    expect = -65.0 + 10.0 * (1 - np.exp(-rec["t"] / 20.0))
    first_order = isinstance(solver, diffrax.Euler)
    np.testing.assert_allclose(
        rec["V"][:, 0], expect, atol=0.02 if first_order else 2e-4
    )


def test_lean_solvers_are_straight_line_code():
    # One jaxpr, no loops or conditionals: lean RK stages are unrolled.
    y0 = {"y": jnp.ones(4)}
    for solver in (bx.RK4(), bx.Heun(), bx.ExponentialEuler()):
        jaxpr = jax.make_jaxpr(
            lambda y, s=solver: bx.integrate_step(s, logistic, y, None, 0.1)
        )(y0)
        prims = {e.primitive.name for e in jaxpr.jaxpr.eqns}
        assert not prims & {"while", "scan", "cond"}, (solver, prims)


def test_implicit_solver_failure_is_reported():
    stiff = lambda t, y, args: {"y": -1e6 * y["y"] ** 3}
    solver = diffrax.ImplicitEuler(
        root_finder=diffrax.VeryChord(rtol=1e-12, atol=1e-12), root_find_max_steps=1
    )
    with pytest.raises(eqx.EquinoxRuntimeError, match="root finder did not converge"):
        jax.block_until_ready(
            bx.integrate_step(solver, stiff, {"y": jnp.ones(3)}, None, 1.0)
        )


@pytest.mark.parametrize("solver", [diffrax.ImplicitEuler(), diffrax.Kvaerno5()])
def test_implicit_solver_without_tolerances_is_refused_by_name(solver):
    # diffrax's default root finder takes rtol/atol from a step-size
    # controller; fixed steps have none (diffrax's own error is a TypeError
    # about `other`).
    with pytest.raises(ValueError, match=r"solver=.*root_finder=diffrax.VeryChord"):
        bx.LIF(2, solver=solver)
    with pytest.raises(ValueError, match="has a root finder without tolerances"):
        bx.integrate_step(solver, logistic, {"y": jnp.ones(2)}, None, 0.1)
