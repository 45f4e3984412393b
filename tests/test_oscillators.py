"""FitzHugh-Nagumo, Wilson-Cowan and Stuart-Landau against closed forms and scipy.

References: the FitzHugh-Nagumo fixed point (roots of a cubic) and Hopf point
(zero trace of the Jacobian), Wilson-Cowan fixed points by `scipy.optimize.root`
and limit-cycle periods by `solve_ivp` (LSODA, rtol = atol = 1e-10), and the exact
solution of the Stuart-Landau normal form in polar coordinates. Two of the
models are also integrated with `diffrax.diffeqsolve` on their vector field.
"""

import diffrax
import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.integrate as si
import scipy.optimize as so

import brainox as bx


def _period(f, y0, args, duration, level):
    """The last period of upward crossings of `level` by y[0] (solve_ivp)."""

    def event(t, y, *args):
        return y[0] - level

    event.direction = 1
    sol = si.solve_ivp(
        f, (0, duration), y0, args=args, method="LSODA", rtol=1e-10, atol=1e-10,
        events=event,
    )  # fmt: skip
    return np.diff(sol.t_events[0])[-1]


def _crossing_period(t, x, level):
    """Mean period of upward crossings of `level` by a sampled trace (interpolated)."""
    i = np.flatnonzero((x[:-1] < level) & (x[1:] >= level))
    times = t[i] + (level - x[i]) / (x[i + 1] - x[i]) * (t[i + 1] - t[i])
    return np.mean(np.diff(times))


# ---------------------------------------------------------------- FitzHugh-Nagumo

A, B, TAU = 0.7, 0.8, 12.5
# Hopf point: trace 1 - v^2 - b / tau = 0 at the fixed point.
V_HOPF = -np.sqrt(1 - B / TAU)
I_HOPF = V_HOPF**3 / 3 - V_HOPF + (V_HOPF + A) / B


def _fhn(t, y, current):
    v, w = y
    return [v - v**3 / 3 - w + current, (v + A - B * w) / TAU]


def test_fitzhugh_nagumo_fixed_point_is_the_cubic_root():
    currents = np.array([0.0, 0.2, I_HOPF, 0.5, 1.0, -1.0])
    neuron = bx.FitzHughNagumo(len(currents))
    rest = jax.jit(lambda m, c: m.fixed_point(c))(
        neuron, jnp.asarray(currents, jnp.float32)
    )
    for k, current in enumerate(currents):
        # v^3 / 3 + (1 / b - 1) v + a / b - I = 0 has one real root for b < 1.
        roots = np.roots([1 / 3, 0.0, 1 / B - 1, A / B - current])
        v = roots[np.abs(roots.imag) < 1e-9].real
        assert len(v) == 1
        np.testing.assert_allclose(rest["v"][k], v[0], atol=2e-6)
        np.testing.assert_allclose(rest["w"][k], (v[0] + A) / B, atol=2e-6)
    # The default initial state is the rest without input: v* = -1.19941.
    np.testing.assert_allclose(neuron.v.value, -1.1994080, atol=1e-6)
    dy = jax.jit(lambda y: neuron.vector_field(0.0, y, 0.0))(neuron.hidden_values())
    assert np.max(np.abs(dy["v"])) < 3e-6 and np.max(np.abs(dy["w"])) < 1e-7


def test_fitzhugh_nagumo_hopf_point():
    np.testing.assert_allclose([V_HOPF, I_HOPF], [-0.967471, 0.331281], atol=1e-6)
    neuron = bx.FitzHughNagumo(3)
    currents = jnp.array([I_HOPF - 0.01, I_HOPF, I_HOPF + 0.01], jnp.float32)

    @jax.jit
    def traces(currents):
        rest = neuron.fixed_point(currents)
        jac = jax.jacfwd(lambda y: neuron.vector_field(0.0, y, currents))(rest)
        return jnp.diagonal(jac["v"]["v"]) + jnp.diagonal(jac["w"]["w"])

    trace = traces(currents)
    # Negative below (stable focus), zero at, positive above I_H.
    assert trace[0] < -1e-3 and abs(trace[1]) < 1e-5 and trace[2] > 1e-3


def test_fitzhugh_nagumo_oscillation_onset_and_period():
    currents = np.array([I_HOPF - 0.02, I_HOPF + 0.005, 0.5, 1.0])
    neuron = bx.FitzHughNagumo(len(currents))
    rest = neuron.fixed_point(jnp.asarray(currents, jnp.float32))
    neuron = bx.FitzHughNagumo(len(currents), v_init=rest["v"] + 0.01, w_init=rest["w"])
    dt = 0.05
    _, rec = bx.simulate(
        neuron,
        3000.0,
        dt=dt,
        inputs=lambda s, t: jnp.asarray(currents, jnp.float32),
        spikes={"s": "spike"},
        monitors=["v"],
        record_every=2,
    )
    v, t = rec["v"], rec["t"]
    events = rec["s"]
    # Below I_H the perturbation decays; just above it grows into the
    # relaxation oscillation (amplitude 3.8, no small cycles: subcritical-like).
    assert np.sum(events.index == 0) == 0 and np.ptp(v[-1000:, 0]) < 1e-4
    assert np.ptp(v[-1000:, 1]) > 3.5 and np.sum(events.index == 1) >= 5
    # Periods of the relaxation oscillation against solve_ivp.
    for j in (1, 2, 3):
        reference = _period(_fhn, [-1.0, -0.5], (currents[j],), 600.0, 1.0)
        late = t > 1000.0
        period = _crossing_period(t[late], v[late, j], 1.0)
        np.testing.assert_allclose(period, reference, rtol=2e-4)
        spikes = np.asarray(events.time[events.index == j])
        np.testing.assert_allclose(np.diff(spikes)[-5:], reference, atol=dt + 1e-3)


def test_fitzhugh_nagumo_diffeqsolve_agrees_with_stepping():
    """`diffeqsolve` on the vector field with the same solver and steps as `step`."""
    neuron = bx.FitzHughNagumo(2, v_init=jnp.array([-1.0, 0.5]), w_init=jnp.zeros(2))
    real = neuron.v.value.dtype  # float32: input and times too, also in 64-bit mode
    current = jnp.array([0.5, 0.0], real)
    _, rec = bx.simulate(
        neuron, 100.0, dt=0.05, inputs=lambda s, t: current, monitors=["v", "w"]
    )
    sol = diffrax.diffeqsolve(
        diffrax.ODETerm(neuron.vector_field),
        neuron.solver,
        jnp.asarray(0.0, real),
        jnp.asarray(100.0, real),
        jnp.asarray(0.05, real),
        neuron.hidden_values(),
        args=current,
        saveat=diffrax.SaveAt(ts=jnp.asarray(rec["t"][::20], real)),
        stepsize_controller=diffrax.ConstantStepSize(),
        max_steps=2_001,
    )
    # Equal up to the float32 rounding of the time grid (the relaxation jumps
    # amplify it near v = +-1).
    np.testing.assert_allclose(sol.ys["v"], rec["v"][::20], atol=1e-3)
    np.testing.assert_allclose(sol.ys["w"], rec["w"][::20], atol=1e-4)
    assert np.ptp(rec["v"][:, 0]) > 3.5  # it went through spikes


# -------------------------------------------------------------------- Wilson-Cowan

WC = dict(c1=16.0, c2=12.0, c3=15.0, c4=3.0, a_E=1.3, theta_E=4.0, a_I=2.0,
          theta_I=3.7, tau=10.0)  # fmt: skip


def _wc_numpy(y, P, Q=0.0):
    def S(x, a, theta):
        return 1 / (1 + np.exp(-a * (x - theta))) - 1 / (1 + np.exp(a * theta))

    p = WC
    k_E = 1 / (1 + np.exp(-p["a_E"] * p["theta_E"]))
    k_I = 1 / (1 + np.exp(-p["a_I"] * p["theta_I"]))
    E, inh = y
    x_E = p["c1"] * E - p["c2"] * inh + P
    x_I = p["c3"] * E - p["c4"] * inh + Q
    return np.array([
        (-E + (k_E - E) * S(x_E, p["a_E"], p["theta_E"])) / p["tau"],
        (-inh + (k_I - inh) * S(x_I, p["a_I"], p["theta_I"])) / p["tau"],
    ])  # fmt: skip


def _wc_fixed_points(P):
    roots = []
    for E0 in np.linspace(0.0, 0.45, 10):
        for I0 in np.linspace(0.0, 0.45, 10):
            r = so.root(lambda y: _wc_numpy(y, P), [E0, I0], tol=1e-14)
            if r.success and np.max(np.abs(_wc_numpy(r.x, P))) < 1e-13:
                if all(np.max(np.abs(r.x - q)) > 1e-7 for q in roots):
                    roots.append(r.x)
    return sorted(roots, key=lambda y: y[0])


def test_wilson_cowan_fixed_points_against_scipy():
    # At P = 1: a stable low state, a saddle and an unstable focus.
    roots = _wc_fixed_points(1.0)
    assert len(roots) == 3
    E0, I0 = np.array(roots).T
    model = bx.rates.WilsonCowan(3, P=1.0, E_init=E0, I_init=I0)
    np.testing.assert_allclose(model.k_E, 1 / (1 + np.exp(-1.3 * 4.0)), rtol=1e-6)

    @jax.jit
    def field_and_jacobian(y):
        f = lambda y: model.vector_field(0.0, y, None)
        return f(y), jax.jacfwd(f)(y)

    dy, jac = field_and_jacobian(model.hidden_values())
    assert np.max(np.abs(dy["E"])) < 1e-7 and np.max(np.abs(dy["I"])) < 1e-7
    dets, traces = [], []
    for k in range(3):
        J = np.array(
            [[jac["E"]["E"][k, k], jac["E"]["I"][k, k]],
             [jac["I"]["E"][k, k], jac["I"]["I"][k, k]]]
        )  # fmt: skip
        dets.append(np.linalg.det(J))
        traces.append(np.trace(J))
    assert dets[0] > 0 and traces[0] < 0  # stable node
    assert dets[1] < 0  # saddle
    np.testing.assert_allclose(traces[2], 0.024928, rtol=1e-3)  # unstable focus
    assert dets[2] > traces[2] ** 2 / 4
    # Without input the origin is the only fixed point.
    np.testing.assert_allclose(_wc_fixed_points(0.0), [[0.0, 0.0]], atol=1e-10)


def test_wilson_cowan_oscillatory_regime():
    P = np.array([0.0, 1.0, 1.25, 1.5], np.float32)
    model = bx.rates.WilsonCowan(4, P=P, E_init=0.1, I_init=0.05)
    assert isinstance(model.solver, bx.RK4)
    _, rec = bx.simulate(model, 1500.0, dt=0.1, monitors=["E", "I"])
    E, t = rec["E"], rec["t"]
    late = t > 1000.0
    # P = 0 decays to rest; P = 1 settles in its low (only stable) state.
    np.testing.assert_allclose(E[-1, 0], 0.0, atol=1e-6)
    low = _wc_fixed_points(1.0)[0]
    np.testing.assert_allclose([E[-1, 1], rec["I"][-1, 1]], low, atol=1e-5)
    # P = 1.25 and 1.5: a limit cycle around the unstable fixed point; its
    # period against solve_ivp.
    for j in (2, 3):
        e = E[late, j]
        assert np.ptp(e) > 0.1
        level = 0.5 * (e.max() + e.min())
        reference = _period(
            lambda t, y, P: _wc_numpy(y, P), [0.1, 0.05], (float(P[j]),), 1500.0, level
        )
        period = _crossing_period(t[late], e, level)
        np.testing.assert_allclose(period, reference, rtol=1e-3)
    np.testing.assert_allclose(
        _period(lambda t, y: _wc_numpy(y, 1.25), [0.1, 0.05], (), 1500.0, 0.12),
        49.96,
        atol=0.02,
    )


def test_wilson_cowan_input_adds_to_P_and_Q():
    model = bx.rates.WilsonCowan(2, P=1.25, Q=0.5)
    shifted = bx.rates.WilsonCowan(2)
    y = {"E": jnp.array([0.1, 0.3]), "I": jnp.array([0.05, 0.2])}
    expect = model.vector_field(0.0, y, None)
    got = shifted.vector_field(0.0, y, {"E": 1.25, "I": 0.5})
    for k in "EI":
        np.testing.assert_allclose(got[k], expect[k], rtol=1e-6)
    np.testing.assert_allclose(
        shifted.vector_field(0.0, y, 1.25)["E"],
        bx.rates.WilsonCowan(2, P=1.25).vector_field(0.0, y, None)["E"],
        rtol=1e-6,
    )
    with pytest.raises(ValueError, match=r"keys \['X'\]"):
        shifted.vector_field(0.0, y, {"X": 1.0})


# ------------------------------------------------------------------- Stuart-Landau


def _stuart_landau_exact(t, mu, omega, beta, r0, theta0):
    """Radius and phase of dz/dt = (mu + i omega) z - (1 + i beta) |z|^2 z."""
    grow = np.expm1(2 * mu * t)
    r2 = mu * r0**2 / (r0**2 + (mu - r0**2) * np.exp(-2 * mu * t))
    integral = 0.5 * np.log1p(r0**2 * grow / mu)  # int_0^t r^2
    return np.sqrt(r2), theta0 + omega * t - beta * integral


MU = np.array([-0.1, 0.05, 0.2, 0.2])
OMEGA = np.array([0.3, 0.3, 0.6, 0.6])
BETA = np.array([0.0, 0.0, 0.0, 1.5])


@pytest.fixture(scope="module")
def landau_run():
    model = bx.rates.StuartLandau(4, mu=MU, omega=OMEGA, beta=BETA, x_init=0.1)
    _, rec = bx.simulate(model, 200.0, dt=0.05, monitors=["x", "y"], record_every=10)
    return model, rec


def test_stuart_landau_radius_frequency_and_decay(landau_run):
    _, rec = landau_run
    t = rec["t"]
    r = np.hypot(rec["x"], rec["y"])
    phase = np.unwrap(np.arctan2(rec["y"], rec["x"]), axis=0)
    for j in range(4):
        r_exact, phase_exact = _stuart_landau_exact(
            t, MU[j], OMEGA[j], BETA[j], 0.1, 0.0
        )
        np.testing.assert_allclose(r[:, j], r_exact, rtol=2e-5, atol=1e-7)
        np.testing.assert_allclose(phase[:, j], phase_exact, atol=2e-4)
    # mu < 0: decays to 0 as exp(mu t) (asymptotically r0 sqrt(mu / (mu - r0^2))
    # exp(mu t)); mu > 0: radius sqrt(mu), frequency omega (pure normal form) or
    # omega - beta mu (with shear).
    decay = 0.1 * np.sqrt(-0.1 / (-0.1 - 0.01)) * np.exp(-0.1 * 200.0)
    np.testing.assert_allclose(r[-1, 0], decay, rtol=1e-3)
    np.testing.assert_allclose(r[-1, 1:], np.sqrt(MU[1:]), rtol=1e-5)
    late = t > 150.0
    frequency = np.diff(phase[late], axis=0).mean(axis=0) / (t[1] - t[0])
    np.testing.assert_allclose(frequency[2:], OMEGA[2:] - BETA[2:] * MU[2:], rtol=1e-5)


def test_stuart_landau_diffeqsolve_agrees_with_the_closed_form(landau_run):
    model, rec = landau_run
    ts = jnp.asarray(rec["t"][::10], jnp.float32)
    sol = diffrax.diffeqsolve(
        diffrax.ODETerm(model.vector_field),
        diffrax.Tsit5(),
        0.0,
        200.0,
        0.05,
        model.hidden_values(),
        saveat=diffrax.SaveAt(ts=ts),
        stepsize_controller=diffrax.PIDController(rtol=1e-8, atol=1e-8),
        max_steps=20_000,
    )
    r = np.hypot(sol.ys["x"], sol.ys["y"])
    for j in range(4):
        r_exact, _ = _stuart_landau_exact(
            np.asarray(ts), MU[j], OMEGA[j], BETA[j], 0.1, 0.0
        )
        np.testing.assert_allclose(r[:, j], r_exact, rtol=2e-5, atol=1e-7)
    # Adaptive Tsit5 and bx.simulate's fixed-step RK4 agree.
    np.testing.assert_allclose(sol.ys["x"], rec["x"][::10], atol=2e-5)


def test_stuart_landau_forcing_and_random_start(getkey):
    model = bx.rates.StuartLandau(
        3,
        x_init=bx.init.normal(0.0, 1.0),
        y_init=bx.init.normal(0.0, 1.0),
        key=getkey(),
    )
    x, y = model.x.value, model.y.value
    assert np.ptp(x) > 0 and not np.allclose(x, y)
    dy = model.vector_field(0.0, model.hidden_values(), {"y": 0.5})
    free = model.vector_field(0.0, model.hidden_values(), None)
    np.testing.assert_allclose(dy["y"] - free["y"], 0.5, rtol=1e-5)
    np.testing.assert_allclose(dy["x"], free["x"])
    again = bx.reset(model, key=getkey())
    assert not np.allclose(again.x.value, x)  # a fresh draw


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: bx.FitzHughNagumo(2, tau=0.0), "`tau` must be > 0"),
        (lambda: bx.FitzHughNagumo(2, b=1.5), "needs 0 < b < 1"),
        (lambda: bx.rates.WilsonCowan(2, tau_E=-1.0), "`tau_E` must be > 0"),
        (lambda: bx.rates.WilsonCowan(2, w_EI=-1.0), "`w_EI` must be >= 0"),
        (
            lambda: bx.rates.WilsonCowan(2, E_init=bx.init.uniform(0.0, 1.0)),
            "pass `key=",
        ),
        (lambda: bx.rates.StuartLandau(2, mu=jnp.ones(3)), r"`mu` has shape \(3,\)"),
    ],
)
def test_bad_arguments_are_rejected(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_fitzhugh_nagumo_with_explicit_state_allows_b_above_one():
    neuron = bx.FitzHughNagumo(1, b=1.5, v_init=0.0, w_init=0.0)
    assert float(neuron.b) == 1.5
    assert np.isnan(neuron.fixed_point(0.0)["v"])
