"""Dynamical-systems tools (`bx.dynsys`) against closed forms and published values.

- FitzHugh-Nagumo (`dv/dt = v - v^3/3 - w + I`, `tau dw/dt = v + a - b w`): the
  fixed points are the real roots of `v^3/3 + (1/b - 1) v + a/b - I = 0`, the
  Jacobian is `[[1 - v^2, -1], [1/tau, -b/tau]]`, and the Hopf points are where
  its trace vanishes, `v*^2 = 1 - b/tau`: `I_H = v*^3/3 - v* + (v* + a)/b`
  (0.33128 and 1.41872 for a = 0.7, b = 0.8, tau = 12.5).
- Hodgkin-Huxley 1952 (shared/REFERENCES.md; Rinzel & Miller 1980): the rest
  loses stability in a subcritical Hopf bifurcation at 9.78 uA/cm^2; a current
  step from rest starts sustained firing from 6.26 uA/cm^2 (6.2574-6.2576).
- Izhikevich (a = 0.02, b = 0.2): fixed points at `0.04 v^2 + 4.8 v + 140 + I = 0`,
  v = -70 (stable node) and -50 mV (saddle) at I = 0.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainox as bx


A, B, TAU = 0.7, 0.8, 12.5


def fhn_jacobian(v, b=B, tau=TAU):
    return np.array([[1 - v**2, -1.0], [1 / tau, -b / tau]])


def classify_2d(jacobian):
    """Stability of a planar fixed point from its trace and determinant."""
    trace, det = np.trace(jacobian), np.linalg.det(jacobian)
    if det < 0:
        return "saddle"
    kind = "focus" if trace**2 < 4 * det else "node"
    return ("stable " if trace < 0 else "unstable ") + kind


@pytest.fixture(scope="module")
def x64():
    with jax.enable_x64(True):
        yield


def test_fitzhugh_nagumo_fixed_points_match_the_cubic(x64):
    guesses = {"v": jnp.linspace(-2.5, 2.5, 6)}
    # b < 1: one fixed point. b = 2, a = 0: three (v = 0, +-sqrt(1.5) at I = 0).
    cases = [(A, B, i) for i in (0.0, 0.2, 0.5, 1.0, 1.5)] + [(0.0, 2.0, 0.0)]
    for a, b, current in cases:
        model = bx.FitzHughNagumo(
            1, a=a, b=b, v_init=0.0, w_init=0.0, dtype=jnp.float64
        )
        fp = bx.dynsys.fixed_points(model, current, guesses=guesses)
        roots = np.roots([1 / 3, 0.0, 1 / b - 1, a / b - current])
        roots = np.sort(roots[np.abs(roots.imag) < 1e-9].real)
        v = np.asarray(fp.points["v"][:, 0])
        np.testing.assert_allclose(v, roots, atol=1e-9)
        np.testing.assert_allclose(fp.points["w"][:, 0], (roots + a) / b, atol=1e-9)
        for k, root in enumerate(roots):
            jacobian = fhn_jacobian(root, b)
            expected = np.linalg.eigvals(jacobian)
            expected = expected[np.argsort(-expected.real, kind="stable")]
            np.testing.assert_allclose(
                np.sort_complex(fp.eigenvalues[k]), np.sort_complex(expected), atol=1e-9
            )
            assert fp.labels[k] == classify_2d(jacobian), (a, b, current, root)
    assert fp.labels == ("stable focus", "saddle", "stable focus")


def test_fitzhugh_nagumo_hopf_points_match_closed_form(x64):
    v_star = np.array([-1.0, 1.0]) * np.sqrt(1 - B / TAU)
    closed_form = v_star**3 / 3 - v_star + (v_star + A) / B
    np.testing.assert_allclose(closed_form, [0.33128, 1.41872], atol=1e-5)
    model = bx.FitzHughNagumo(1, dtype=jnp.float64)
    diagram = bx.dynsys.bifurcation_scan(
        model, jnp.linspace(0.0, 2.0, 21), dt=0.1, transient=300.0, window=100.0
    )
    coarse = diagram.hopf_points()
    np.testing.assert_allclose(coarse, closed_form, atol=0.01)
    for bracket, expected in zip(coarse, closed_form, strict=True):
        refined = bx.dynsys.hopf_point(model, bracket - 0.05, bracket + 0.05, tol=1e-9)
        np.testing.assert_allclose(refined, expected, atol=1e-7)
    # Varying the parameter `a` at I = 0.5 instead: the lower Hopf point is at
    # a_H = b (I - v*^3/3 + v*) - v* (the same trace condition).
    v = v_star[0]
    a_hopf = B * (0.5 - v**3 / 3 + v) - v
    refined = bx.dynsys.hopf_point(
        model, 0.75, 0.95, parameter="a", args=jnp.float64(0.5), tol=1e-9
    )
    np.testing.assert_allclose(refined, a_hopf, atol=1e-7)
    # The stability along the scan matches the trace/determinant classification
    # (unstable between the Hopf points: a focus near them, a node in the middle).
    # There the neuron oscillates (relaxation oscillations of amplitude about 3.8);
    # outside the simulation settles (amplitude 0).
    values = np.asarray(diagram.values)
    v = np.asarray(diagram.points["v"][:, 0, 0])
    expected = [classify_2d(fhn_jacobian(x)) for x in v]
    labels = [
        bx.dynsys.STABILITY_LABELS[c] for c in np.asarray(diagram.stability[:, 0])
    ]
    assert labels == expected
    assert {"unstable focus", "unstable node", "stable focus"} <= set(labels)
    inside = (values > closed_form[0]) & (values < closed_form[1])
    amplitude = np.asarray(diagram.amplitude)
    assert np.all(amplitude[inside] > 3.0) and np.all(amplitude[~inside] < 1e-3)


@pytest.fixture(scope="module")
def hh_diagram():
    """HH from rest, RK4 dt = 0.025 ms: coarse 0-12 and fine 6.0-6.6 uA/cm^2."""
    values = np.unique(
        np.concatenate([np.linspace(0.0, 12.0, 25), np.linspace(6.0, 6.6, 31)])
    )
    return bx.dynsys.bifurcation_scan(
        bx.HH(1, solver=bx.RK4()),
        values,
        guesses={"V": jnp.array([-60.0])},
        dt=0.025,
        transient=600.0,
        window=30.0,
    )


def test_hh_hopf_from_eigenvalues(hh_diagram):
    hopf = hh_diagram.hopf_points()
    assert hopf.shape == (1,) and abs(hopf[0] - 9.78) < 0.05, hopf
    refined = bx.dynsys.hopf_point(bx.HH(1), 9.5, 10.0, tol=1e-4)
    assert abs(float(refined) - 9.78) < 0.05, refined
    # One fixed point at every current: a stable rest below, an unstable focus
    # (a complex pair in the right half plane) above.
    assert np.all(np.asarray(hh_diagram.valid).sum(axis=1) == 1)
    values, codes = (
        np.asarray(hh_diagram.values),
        np.asarray(hh_diagram.stability[:, 0]),
    )
    assert np.all(np.isin(codes[values < 9.7], [0, 1]))
    assert np.all(codes[values > 9.9] == 3)
    eigenvalues = np.asarray(hh_diagram.eigenvalues[:, 0])
    above = eigenvalues[values > 9.9]
    assert np.all(above[:, 0].real > 0) and np.all(np.abs(above[:, 0].imag) > 0.5)


def test_hh_onset_of_repetitive_firing(hh_diagram):
    """From rest, sustained firing starts at 6.26 uA/cm^2, far below the Hopf point.

    Between 6.26 and 9.78 the rest is still stable (bistability): the scan finds
    the limit cycle because a step from rest without input lands in its basin.
    """
    onset = hh_diagram.firing_onset(threshold=50.0)
    assert abs(onset - 6.26) < 0.05, onset
    values = np.asarray(hh_diagram.values)
    amplitude = np.asarray(hh_diagram.amplitude)
    assert np.all(amplitude[values < 6.2] < 1.0)
    assert np.all(amplitude[values > 6.3] > 90.0)  # spikes of about 100 mV
    bistable = (values > 6.3) & (values < 9.7)
    assert np.all(np.isin(np.asarray(hh_diagram.stability[bistable, 0]), [0, 1]))


@pytest.mark.slow
def test_hh_onset_fine_scan():
    """RK4 at dt = 0.01 ms (the reference step) and a 0.005 uA/cm^2 grid."""
    diagram = bx.dynsys.bifurcation_scan(
        bx.HH(1, solver=bx.RK4()),
        np.linspace(6.2, 6.35, 31),
        guesses={"V": jnp.array([-60.0])},
        dt=0.01,
        transient=1000.0,
        window=30.0,
    )
    onset = diagram.firing_onset(threshold=50.0)
    assert abs(onset - 6.2575) < 0.01, onset  # measured 6.265


def test_phase_planes():
    # FitzHugh-Nagumo: nullclines w = v - v^3/3 + I and w = (v + a)/b.
    fhn = bx.FitzHughNagumo(1)
    current = 0.5
    plane = bx.dynsys.phase_plane(fhn, current, (-2.5, 2.5), (-1.0, 3.0), num=21)
    nc = plane.nullclines
    v = np.asarray(nc.x)
    assert nc.names == ("v", "w") == plane.names
    np.testing.assert_allclose(nc.x_nullcline, v - v**3 / 3 + current, atol=1e-5)
    np.testing.assert_allclose(nc.y_nullcline, (v + A) / B, atol=1e-5)
    # The vector field on the grid: row i is y[i], column j is x[j].
    i, j = 7, 3
    x, y = float(plane.x[j]), float(plane.y[i])
    np.testing.assert_allclose(plane.dx[i, j], x - x**3 / 3 - y + current, atol=1e-5)
    np.testing.assert_allclose(plane.dy[i, j], (x + A - B * y) / TAU, atol=1e-6)
    expected_v = fhn.fixed_point(current)["v"]
    np.testing.assert_allclose(
        plane.fixed_points.points["v"][:, 0], expected_v, atol=1e-5
    )
    assert plane.fixed_points.labels == ("unstable focus",)

    # Izhikevich at I = 0: a stable node at -70 mV and a saddle at -50 mV.
    izh = bx.Izhikevich(1)
    plane = bx.dynsys.phase_plane(izh, 0.0, (-80.0, -40.0), (-20.0, 0.0), num=5)
    np.testing.assert_allclose(
        plane.fixed_points.points["v"][:, 0], [-70, -50], atol=1e-3
    )
    np.testing.assert_allclose(
        plane.fixed_points.points["u"][:, 0], [-14, -10], atol=1e-3
    )
    assert plane.fixed_points.labels == ("stable node", "saddle")
    v = np.asarray(plane.nullclines.x, np.float64)
    np.testing.assert_allclose(
        plane.nullclines.x_nullcline, 0.04 * v**2 + 5 * v + 140, rtol=1e-5, atol=1e-4
    )
    np.testing.assert_allclose(plane.nullclines.y_nullcline, 0.2 * v, rtol=1e-5)

    # Morris-Lecar (type I): V-nullcline from the current balance, w = w_inf(V).
    ml = bx.MorrisLecar.preset("type_I")
    current = 30.0
    nc = bx.dynsys.nullclines(ml, current, (-70.0, 30.0), (0.0, 0.6), num=101)
    V = np.asarray(nc.x, np.float64)
    m_inf = 0.5 * (1 + np.tanh((V + 1.2) / 18))
    w_v = (current - 2 * (V + 60) - 4 * m_inf * (V - 120)) / (8 * (V + 84))
    np.testing.assert_allclose(nc.x_nullcline, w_v, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(
        nc.y_nullcline, 0.5 * (1 + np.tanh((V - 12) / 17.4)), rtol=1e-4, atol=1e-7
    )


def test_morris_lecar_saddle_node_fold():
    """Type I: the stable node and the saddle merge at I = 39.96 uA/cm^2 (SNIC)."""
    ml = bx.MorrisLecar.preset("type_I")
    diagram = bx.dynsys.bifurcation_scan(
        ml,
        jnp.linspace(30.0, 50.0, 21),
        guesses={"V": jnp.linspace(-80.0, 40.0, 25)},
        dt=0.1,
        transient=50.0,
        window=10.0,
    )
    counts = np.asarray(diagram.valid).sum(axis=1)
    values = np.asarray(diagram.values)
    assert np.all(counts[values < 39.5] == 3) and np.all(counts[values > 40.5] == 1)
    np.testing.assert_allclose(diagram.folds(), [[39.0, 40.0]])


def test_stability_codes_and_errors():
    eig = jnp.array(
        [
            [-1.0, -2.0],
            [-1.0 + 2j, -1.0 - 2j],
            [1.0, 2.0],
            [1.0 + 2j, 1.0 - 2j],
            [1.0, -2.0],
            [0.0 + 1j, 0.0 - 1j],
        ]
    )
    codes = bx.dynsys.stability_code(eig)
    labels = [bx.dynsys.STABILITY_LABELS[c] for c in np.asarray(codes)]
    assert labels == list(bx.dynsys.STABILITY_LABELS)
    # A saddle-focus with a 2-D unstable manifold (HH past its Hopf point).
    assert int(bx.dynsys.stability_code(jnp.array([0.1 + 1j, 0.1 - 1j, -3.0]))) == 3
    # All unstable: the leading eigenvalue decides, as on the stable side.
    assert int(bx.dynsys.stability_code(jnp.array([3.0, 1 + 1j, 1 - 1j]))) == 2
    assert int(bx.dynsys.stability_code(jnp.array([1.0, 3 + 1j, 3 - 1j]))) == 3
    # A failed Jacobian is no fixed point, not a "stable node"; integers work.
    assert int(bx.dynsys.stability_code(jnp.array([jnp.nan, -1.0]))) == -1
    assert int(bx.dynsys.stability_code(jnp.array([-1, -2]))) == 0
    with pytest.raises(ValueError, match="`eigenvalues` must have"):
        bx.dynsys.stability_code(jnp.zeros(0))
    with pytest.raises(TypeError, match="dynamics module"):
        bx.dynsys.fixed_points(jnp.zeros(2), 0.0)
    with pytest.raises(ValueError, match="not state variables"):
        bx.dynsys.fixed_points(bx.HH(1), 0.0, guesses={"x": jnp.zeros(3)})
    with pytest.raises(ValueError, match="shape"):
        bx.dynsys.fixed_points(bx.HH(1), 0.0, guesses=jnp.zeros((3, 2)))
    with pytest.raises(ValueError, match="two state variables"):
        bx.dynsys.nullclines(bx.HH(1), 0.0, (-80, 0), (0, 1))
    with pytest.raises(ValueError, match="parameter field"):
        bx.dynsys.bifurcation_scan(bx.HH(1), np.ones(2), parameter="g_X")
    with pytest.raises(ValueError, match="variable"):
        bx.dynsys.bifurcation_scan(bx.HH(1), np.ones(2), variable="q")
