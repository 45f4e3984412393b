"""Morris-Lecar, Wang-Buzsaki and Traub-Miles HH against independent references.

References: fixed points and bifurcations from float64 NumPy/SciPy transcriptions
of the published equations (root finding on the steady-state current-voltage
curve, finite-difference Jacobians), and `solve_ivp` (LSODA, rtol = atol = 1e-10)
with event location for spike times. References that take seconds are stored
below with the run that gives them; the slow tests recompute them.
"""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.integrate as si
import scipy.optimize as so

import brainox as bx


def _spike_trains(events, n):
    return [np.asarray(events.time[events.index == j]) for j in range(n)]


def _rate(times, after):
    """1000 / mean ISI (Hz) of the spikes after `after` ms (0 with fewer than 2)."""
    late = times[times > after]
    return 1000.0 / np.mean(np.diff(late)) if len(late) > 1 else 0.0


def _spike_times(f, y0, args, duration, V_th):
    def event(t, y, *args):
        return y[0] - V_th

    event.direction = 1
    sol = si.solve_ivp(
        f, (0, duration), y0, args=args, method="LSODA", rtol=1e-10, atol=1e-10,
        events=event,
    )  # fmt: skip
    return sol.t_events[0]


# ---------------------------------------------------------------------- Morris-Lecar

ML_COMMON = dict(C=20, g_L=2, g_K=8, E_L=-60, E_K=-84, E_Ca=120, V1=-1.2, V2=18)
ML_SETS = {
    "type_I": dict(g_Ca=4.0, V3=12, V4=17.4, phi=1 / 15),
    "type_II": dict(g_Ca=4.4, V3=2, V4=30, phi=0.04),
}


def _ml_numpy(name):
    p = {**ML_COMMON, **ML_SETS[name]}

    def m_inf(V):
        return 0.5 * (1 + np.tanh((V - p["V1"]) / p["V2"]))

    def w_inf(V):
        return 0.5 * (1 + np.tanh((V - p["V3"]) / p["V4"]))

    def I_ss(V):  # steady-state current-voltage curve
        i_Ca = p["g_Ca"] * m_inf(V) * (V - p["E_Ca"])
        return p["g_L"] * (V - p["E_L"]) + i_Ca + p["g_K"] * w_inf(V) * (V - p["E_K"])

    def f(t, y, current):
        V, w = y
        i_Ca = p["g_Ca"] * m_inf(V) * (V - p["E_Ca"])
        dV = current - p["g_L"] * (V - p["E_L"]) - i_Ca - p["g_K"] * w * (V - p["E_K"])
        rate = p["phi"] * np.cosh((V - p["V3"]) / (2 * p["V4"]))
        return np.array([dV / p["C"], rate * (w_inf(V) - w)])

    return w_inf, I_ss, f


def _ml_trace(name, current, V):
    _, _, f = _ml_numpy(name)
    y, h, J = np.array([V, _ml_numpy(name)[0](V)]), 1e-6, np.zeros((2, 2))
    for k in range(2):
        e = np.eye(2)[k] * h
        J[:, k] = (f(0, y + e, current) - f(0, y - e, current)) / (2 * h)
    return np.trace(J)


def _ml_bifurcations():
    # Type I: the saddle-node is the local maximum of I_ss (the knee).
    _, I_ss, _ = _ml_numpy("type_I")
    knee = so.minimize_scalar(
        lambda V: -I_ss(V),
        bounds=(-40, -20),
        method="bounded",
        options={"xatol": 1e-10},
    )
    I_snic = float(I_ss(knee.x))
    # Type II: I_ss is monotone, one fixed point; Hopf where its trace is zero.
    _, I_ss2, _ = _ml_numpy("type_II")

    def rest(current):
        return so.brentq(lambda V: I_ss2(V) - current, -80, 40, xtol=1e-13)

    I_hopf = so.brentq(lambda c: _ml_trace("type_II", c, rest(c)), 80, 120, xtol=1e-12)
    return I_snic, I_hopf, rest


def test_morris_lecar_fixed_points_against_scipy():
    # Type I at I = 30 uA/cm^2: three fixed points (node, saddle, focus), the
    # roots of I_ss(V) = I. The model's vector field vanishes at each.
    w_inf, I_ss, _ = _ml_numpy("type_I")
    grid = np.linspace(-80, 40, 1201)
    g = I_ss(grid) - 30.0
    brackets = np.flatnonzero(np.sign(g[:-1]) != np.sign(g[1:]))
    roots = [
        so.brentq(lambda V: I_ss(V) - 30.0, grid[i], grid[i + 1]) for i in brackets
    ]
    assert len(roots) == 3
    neuron = bx.MorrisLecar.preset("type_I", 3, V_init=np.array(roots, np.float32))
    np.testing.assert_allclose(neuron.w.value, w_inf(np.array(roots)), rtol=5e-5)
    dy = neuron.vector_field(0.0, neuron.hidden_values(), 30.0)
    assert np.max(np.abs(dy["V"])) < 2e-5 and np.max(np.abs(dy["w"])) < 1e-7
    # The Jacobian (autodiff) matches the float64 finite differences; the lowest
    # point is a stable node, the middle one a saddle (negative determinant).
    jac = jax.jit(jax.jacfwd(lambda y: neuron.vector_field(0.0, y, 30.0)))(
        neuron.hidden_values()
    )
    for k, V in enumerate(roots):
        J = np.array(
            [[jac["V"]["V"][k, k], jac["V"]["w"][k, k]],
             [jac["w"]["V"][k, k], jac["w"]["w"][k, k]]]
        )  # fmt: skip
        np.testing.assert_allclose(np.trace(J), _ml_trace("type_I", 30.0, V), atol=1e-5)
        if k == 0:
            assert np.trace(J) < 0 and np.linalg.det(J) > 0
        if k == 1:
            assert np.linalg.det(J) < 0


@pytest.fixture(scope="module")
def ml_run():
    """Type I and type II neurons in one population (per-neuron parameters)."""
    I_snic, I_hopf, rest = _ml_bifurcations()
    kinds = ["type_I"] * 6 + ["type_II"] * 4
    currents = np.array(
        [I_snic - 0.5, I_snic + 0.04, I_snic + 0.14, I_snic + 0.54, 45.0, 60.0,
         I_hopf - 1.0, I_hopf + 1.0, 90.0, 100.0]
    )  # fmt: skip
    params = {k: np.array([ML_SETS[kd][k] for kd in kinds]) for k in ML_SETS["type_I"]}
    V0 = np.full(len(kinds), -60.0)
    w0 = np.array([_ml_numpy(kd)[0](-60.0) for kd in kinds])
    # Type II next to the Hopf point: start 0.1 mV off the fixed point.
    for j in (6, 7):
        V0[j] = rest(currents[j]) + 0.1
        w0[j] = _ml_numpy("type_II")[0](V0[j] - 0.1)
    neuron = bx.MorrisLecar(len(kinds), **params, V_init=V0, w_init=w0)
    # The model is slow (C = 20): RK4 at dt = 0.25 ms gives rates within 1e-3 Hz.
    _, rec = bx.simulate(
        neuron,
        4000.0,
        dt=0.25,
        inputs=lambda s, t: jnp.asarray(currents, jnp.float32),
        spikes={"s": "spike"},
        monitors=["V"],
        record_every=8,
    )
    return dict(
        I_snic=I_snic,
        I_hopf=I_hopf,
        currents=currents,
        trains=_spike_trains(rec["s"], len(kinds)),
        V=rec["V"],
    )


def test_morris_lecar_bifurcation_points():
    I_snic, I_hopf, _ = _ml_bifurcations()
    # Rinzel & Ermentrout (1989) parameter sets: SNIC near 40, Hopf near 94.
    np.testing.assert_allclose(I_snic, 39.963, atol=1e-3)
    np.testing.assert_allclose(I_hopf, 93.858, atol=1e-3)


def test_morris_lecar_type_I_starts_at_arbitrarily_low_rates(ml_run):
    rates = [_rate(t, 1000.0) for t in ml_run["trains"][:6]]
    assert rates[0] == 0.0 and len(ml_run["trains"][0]) == 0
    # 0.04 above the saddle-node: about 1 Hz; f ~ sqrt(I - I_c) close to it.
    assert 0.5 < rates[1] < 1.5
    excess = ml_run["currents"][1:4] - ml_run["I_snic"]
    slope = np.array(rates[1:4]) ** 2 / excess
    assert slope.max() / slope.min() < 1.25, slope
    # Further up, against solve_ivp (LSODA): 10.0697 Hz at 45, 17.0586 at 60.
    np.testing.assert_allclose(rates[4:6], [10.0697, 17.0586], atol=0.01)


def test_morris_lecar_type_II_hopf_onset_jumps_to_a_finite_rate(ml_run):
    below, above, bistable, high = ml_run["trains"][6:]
    V = ml_run["V"]
    # 1 uA/cm^2 below the Hopf point the perturbation decays, above it grows
    # into spikes at once at about 11 Hz: the f-I curve jumps from 0.
    assert len(below) == 0
    assert np.ptp(V[-50:, 6]) < 0.1 * np.ptp(V[:50, 6])
    rate = _rate(above, 2000.0)
    assert 10.5 < rate < 11.5
    # Subcritical: at I = 90 < I_hopf the rest is stable, but a step from
    # -60 mV lands on the coexisting limit cycle (9.73 Hz).
    assert _rate(bistable, 1000.0) > 9.0
    np.testing.assert_allclose(_rate(high, 1000.0), 11.7246, atol=0.01)


@pytest.mark.slow
def test_morris_lecar_stored_rates_are_reproduced_by_scipy():
    for name, current, rate in [
        ("type_I", 45.0, 10.0697),
        ("type_I", 60.0, 17.0586),
        ("type_II", 100.0, 11.7246),
    ]:
        w_inf, _, f = _ml_numpy(name)
        times = _spike_times(f, [-60.0, w_inf(-60.0)], (current,), 2000.0, 0.0)
        np.testing.assert_allclose(1000.0 / np.diff(times)[-1], rate, atol=1e-4)


# --------------------------------------------------------------------- Wang-Buzsaki


def _wb_numpy():
    def rates(V):
        am = 0.1 * (V + 35) / (1 - np.exp(-(V + 35) / 10))
        bm = 4 * np.exp(-(V + 60) / 18)
        ah, bh = 0.07 * np.exp(-(V + 58) / 20), 1 / (1 + np.exp(-(V + 28) / 10))
        an = 0.01 * (V + 34) / (1 - np.exp(-(V + 34) / 10))
        bn = 0.125 * np.exp(-(V + 44) / 80)
        return am, bm, ah, bh, an, bn

    def I_ss(V):
        am, bm, ah, bh, an, bn = rates(V)
        m, h, n = am / (am + bm), ah / (ah + bh), an / (an + bn)
        return 35 * m**3 * h * (V - 55) + 9 * n**4 * (V + 90) + 0.1 * (V + 65)

    def f(t, y, current):
        V, h, n = y
        am, bm, ah, bh, an, bn = rates(V)
        m = am / (am + bm)
        dV = current - 35 * m**3 * h * (V - 55) - 9 * n**4 * (V + 90) - 0.1 * (V + 65)
        return [dV, 5 * (ah * (1 - h) - bh * h), 5 * (an * (1 - n) - bn * n)]

    return rates, I_ss, f


# Steady rates (Hz, last ISI of 1.5 s from rest) by solve_ivp LSODA, 1e-10.
WB_RATES = {0.2: 8.6206, 0.5: 32.2172, 1.0: 59.7015, 2.0: 101.7857, 3.0: 135.5029,
            5.0: 189.6254, 10.0: 284.9383}  # fmt: skip


def test_wang_buzsaki_rest_and_rheobase():
    rates, I_ss, _ = _wb_numpy()
    rest = so.brentq(I_ss, -70, -62, xtol=1e-12)
    np.testing.assert_allclose(rest, -64.0176, atol=1e-4)
    # The saddle-node on the invariant circle: the knee of I_ss. Wang & Buzsaki
    # (1996) give 0.16 uA/cm^2 as the threshold of repetitive firing.
    knee = so.minimize_scalar(
        lambda V: -I_ss(V),
        bounds=(-63, -55),
        method="bounded",
        options={"xatol": 1e-12},
    )
    np.testing.assert_allclose(I_ss(knee.x), 0.16009, atol=1e-5)
    neuron = bx.WangBuzsaki(1, V_init=rest)
    am, bm, ah, bh, an, bn = rates(rest)
    np.testing.assert_allclose(neuron.h.value, ah / (ah + bh), rtol=1e-5)
    np.testing.assert_allclose(neuron.n.value, an / (an + bn), rtol=1e-5)
    dy = neuron.vector_field(0.0, neuron.hidden_values(), 0.0)
    assert abs(float(dy["V"][0])) < 1e-4 and abs(float(dy["n"][0])) < 1e-6


def test_wang_buzsaki_f_i_curve():
    currents = np.array([0.159, 0.165, *WB_RATES], np.float32)
    neuron = bx.WangBuzsaki(len(currents))
    assert isinstance(neuron.solver, bx.RK4)
    _, rec = bx.simulate(
        neuron,
        800.0,
        dt=0.05,
        inputs=lambda s, t: jnp.asarray(currents),
        spikes={"s": "spike"},
    )
    trains = _spike_trains(rec["s"], len(currents))
    # Type I: just below the knee (0.16009) no spike at all; just above, a low
    # rate (2.79 Hz at 0.165: the ISI diverges at the saddle-node).
    assert len(trains[0]) == 0
    assert 2.0 < _rate(trains[1], 300.0) < 3.5
    rates = np.array([_rate(t, 300.0) for t in trains[2:]])
    np.testing.assert_allclose(rates, list(WB_RATES.values()), atol=0.1)
    # Fast spiking: over 100 Hz from 2 uA/cm^2 on, about 285 Hz at 10.
    assert rates[3] > 100.0 and rates[-1] > 280.0


@pytest.mark.slow
def test_wang_buzsaki_stored_rates_are_reproduced_by_scipy():
    rates, I_ss, f = _wb_numpy()
    rest = so.brentq(I_ss, -70, -62, xtol=1e-12)
    am, bm, ah, bh, an, bn = rates(rest)
    y0 = [rest, ah / (ah + bh), an / (an + bn)]
    for current in (0.5, 3.0, 10.0):
        times = _spike_times(f, y0, (current,), 1500.0, -20.0)
        rate = 1000.0 / np.diff(times)[-1]
        np.testing.assert_allclose(rate, WB_RATES[current], atol=1e-3)


def test_wang_buzsaki_guarded_singularities():
    V = jnp.array([-35.0, -34.0, -35.0 + 1e-3, -34.0 - 1e-3])
    values = jax.jit(bx.WangBuzsaki.rates)(V)
    np.testing.assert_allclose(values["m"][0][:1], 1.0, rtol=1e-6)  # 0.1 x 10
    np.testing.assert_allclose(values["n"][0][1:2], 0.1, rtol=1e-6)  # 0.01 x 10
    slopes = jax.jit(jax.vmap(jax.grad(lambda v: bx.WangBuzsaki.rates(v)["m"][0])))(V)
    np.testing.assert_allclose(slopes[0], 0.05, rtol=1e-5)  # 0.1 / 2


# ------------------------------------------------------------------- Traub-Miles HH

TM = dict(C=200.0, g_L=10.0, g_Na=20000.0, g_Kd=6000.0, E_L=-60.0, E_Na=50.0,
          E_K=-90.0, V_T=-63.0)  # fmt: skip


def _tm_numpy():
    def rates(V):
        u = V - TM["V_T"]
        am = 0.32 * (13 - u) / (np.exp((13 - u) / 4) - 1)
        bm = 0.28 * (u - 40) / (np.exp((u - 40) / 5) - 1)
        ah, bh = 0.128 * np.exp((17 - u) / 18), 4 / (1 + np.exp((40 - u) / 5))
        an = 0.032 * (15 - u) / (np.exp((15 - u) / 5) - 1)
        bn = 0.5 * np.exp((10 - u) / 40)
        return am, bm, ah, bh, an, bn

    def f(t, y, current, g=0.0, E=0.0):
        V, m, h, n = y
        am, bm, ah, bh, an, bn = rates(V)
        ionic = (
            TM["g_L"] * (V - TM["E_L"])
            + TM["g_Na"] * m**3 * h * (V - TM["E_Na"])
            + TM["g_Kd"] * n**4 * (V - TM["E_K"])
        )
        return [
            (current + g * (E - V) - ionic) / TM["C"],
            am * (1 - m) - bm * m,
            ah * (1 - h) - bh * h,
            an * (1 - n) - bn * n,
        ]

    def start(V):
        am, bm, ah, bh, an, bn = rates(V)
        return [V, am / (am + bm), ah / (ah + bh), an / (an + bn)]

    return rates, f, start


# From V = E_L = -60 mV, gates at steady state, 300 ms: spike times (upward
# crossings of -20 mV) by solve_ivp LSODA at rtol = atol = 1e-10. The cell fires
# on its own (14 Hz): its leak (10 nS) cannot hold the sodium window current.
TM_REFERENCE = {
    0.0: [10.972, 83.149, 155.326, 227.503, 299.68],
    100.0: [5.502, 37.155, 68.809, 100.463, 132.117, 163.772, 195.426, 227.08,
            258.734, 290.388],
    1000.0: [1.631, 9.172, 16.7, 24.227, 31.755, 39.282, 46.809, 54.337, 61.864,
             69.392, 76.919, 84.446, 91.974, 99.501, 107.029, 114.556, 122.083,
             129.611, 137.138, 144.666, 152.193, 159.72, 167.248, 174.775, 182.303,
             189.83, 197.357, 204.885, 212.412, 219.94, 227.467, 234.995, 242.522,
             250.049, 257.577, 265.104, 272.632, 280.159, 287.686, 295.214],
    # A constant conductance of 3 nS towards 0 mV instead of a current.
    "g=3nS": [4.286, 25.875, 47.465, 69.054, 90.644, 112.233, 133.822, 155.412,
              177.001, 198.591, 220.18, 241.77, 263.359, 284.949],
}  # fmt: skip


def test_traub_miles_units_and_rest():
    neuron = bx.TraubMilesHH(1)
    # 20000 um^2 = 2e-4 cm^2: 1 uF/cm^2 -> 200 pF, 5e-5 S/cm^2 -> 10 nS,
    # 100 mS/cm^2 -> 20000 nS, 30 mS/cm^2 -> 6000 nS.
    area = 20000e-8
    np.testing.assert_allclose(
        [neuron.C, neuron.g_L, neuron.g_Na, neuron.g_Kd],
        [1.0 * area * 1e6, 5e-5 * 1e3 * area * 1e6, 100 * area * 1e6, 30 * area * 1e6],
        rtol=1e-6,
    )
    # With -50 pA the cell rests; the rest is the root of the steady-state I-V.
    rates, f, start = _tm_numpy()
    rest = so.brentq(lambda V: f(0, start(V), -50.0)[0], -75.0, -62.0, xtol=1e-12)
    hyper = bx.TraubMilesHH(1, V_init=rest)
    np.testing.assert_allclose(
        [hyper.m.value[0], hyper.h.value[0], hyper.n.value[0]],
        start(rest)[1:],
        rtol=2e-5,
    )
    dy = hyper.vector_field(0.0, hyper.hidden_values(), -50.0)
    assert abs(float(dy["V"][0])) < 1e-3
    # Guarded singularities: alpha_m and beta_m at u = 13 and 40 mV, alpha_n at 15.
    u = jnp.array([13.0, 40.0, 15.0]) + TM["V_T"]
    r = neuron.rates(u)
    np.testing.assert_allclose(
        [r["m"][0][0], r["m"][1][1], r["n"][0][2]], [1.28, 1.4, 0.16], rtol=1e-6
    )


class _ConductanceDriven(eqx.Module):
    """Cells driven by a current (pA) plus a conductance (nS) towards E (mV).

    As in the COBAHH network: the conductance current uses V at the start of
    the step, `g (E - V)`, nS x mV = pA.
    """

    neuron: bx.TraubMilesHH
    current: jax.Array
    g: jax.Array
    E: jax.Array

    def step(self, x, dt):
        current = self.current + self.g * (self.E - self.neuron.V.value)
        return eqx.tree_at(lambda m: m.neuron, self, self.neuron.step(current, dt))


@pytest.fixture(scope="module")
def tm_rk4_run():
    # Currents 0, 100, 1000, -50 pA, and a conductance of 3 nS towards 0 mV.
    model = _ConductanceDriven(
        bx.TraubMilesHH(5, solver=bx.RK4()),
        current=jnp.array([0.0, 100.0, 1000.0, -50.0, 0.0]),
        g=jnp.array([0.0, 0.0, 0.0, 0.0, 3.0]),
        E=jnp.array(0.0),
    )
    _, rec = bx.simulate(
        model,
        200.0,
        dt=0.02,
        spikes={"s": "neuron.spike"},
        monitors=["neuron.V"],
    )
    return _spike_trains(rec["s"], 5), rec["neuron.V"]


def test_traub_miles_spike_times_against_scipy(tm_rk4_run):
    trains, V = tm_rk4_run
    for j, current in enumerate((0.0, 100.0, 1000.0)):
        reference = np.array(TM_REFERENCE[current])
        reference = reference[reference < 200.0]
        assert len(trains[j]) == len(reference), current
        np.testing.assert_allclose(trains[j], reference, atol=0.03)
    # Hyperpolarised by 50 pA it does not fire.
    assert len(trains[3]) == 0 and V[:, 3].max() < -60.0
    # The detector counts each action potential once: spikes = upward crossings
    # of -20 mV in the trace (peaks at +48 mV).
    for j in range(3):
        crossings = np.sum((V[:-1, j] < -20.0) & (V[1:, j] >= -20.0))
        assert crossings == len(trains[j])
    assert 47.0 < V[:, 2].max() < 50.0


def test_traub_miles_default_exponential_euler():
    # The benchmark's solver, first order: at dt = 0.01 ms the steady ISI is
    # within 1.5 % of the reference.
    neuron = bx.TraubMilesHH(2)
    assert isinstance(neuron.solver, bx.ExponentialEuler)
    _, rec = bx.simulate(
        neuron,
        150.0,
        dt=0.01,
        inputs=lambda s, t: jnp.array([100.0, 1000.0]),
        spikes={"s": "spike"},
    )
    for j, current in enumerate((100.0, 1000.0)):
        isi = np.diff(_spike_trains(rec["s"], 2)[j])[-1]
        reference = np.diff(TM_REFERENCE[current])[-1]
        assert abs(isi - reference) / reference < 0.015, (current, isi, reference)


def test_traub_miles_conductance_input_in_nS_composes(tm_rk4_run):
    trains, _ = tm_rk4_run
    reference = np.array(TM_REFERENCE["g=3nS"])
    reference = reference[reference < 200.0]
    assert len(trains[4]) == len(reference)
    # The conductance current uses V at the start of each step (the network's
    # order): first order in dt, under 0.1 ms after 10 spikes at dt = 0.02 ms.
    np.testing.assert_allclose(trains[4], reference, atol=0.1)


def test_traub_miles_detector_dead_time():
    dt = 0.1
    neuron = bx.TraubMilesHH(2)
    y0 = {k: jnp.array([v[0]] * 2) for k, v in neuron.hidden_values().items()}
    y0["V"] = jnp.array([-25.0, -25.0])
    y1 = dict(y0, V=jnp.array([-15.0, -15.0]))
    waiting = neuron.with_states(refractory_left=jnp.array([0, 5], jnp.int32))
    fired = waiting.fire(y0, y1, dt)
    # The first detects the crossing and starts 3 ms = 30 steps of dead time; the
    # second is still in its dead time: no spike, the count goes on.
    np.testing.assert_array_equal(fired.spike.value, [1.0, 0.0])
    np.testing.assert_array_equal(fired.refractory_left.value, [30, 4])
    np.testing.assert_array_equal(fired.V.value, [-15.0, -15.0])  # no reset


@pytest.mark.slow
def test_traub_miles_stored_reference_is_reproduced_by_scipy():
    _, f, start = _tm_numpy()
    for key, args in [(0.0, (0.0,)), (100.0, (100.0,)), (1000.0, (1000.0,)),
                      ("g=3nS", (0.0, 3.0, 0.0))]:  # fmt: skip
        times = _spike_times(f, start(-60.0), args, 300.0, -20.0)
        np.testing.assert_allclose(times, TM_REFERENCE[key], atol=1e-3)


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: bx.MorrisLecar(2, C=0.0), ValueError, "`C` must be > 0"),
        (lambda: bx.MorrisLecar(2, V4=-1.0), ValueError, "`V4` must be > 0"),
        (lambda: bx.MorrisLecar.preset("type_III"), ValueError, "unknown MorrisLecar"),
        (lambda: bx.MorrisLecar.preset("type_I", phi=0.1), TypeError, "sets g_Ca"),
        (lambda: bx.WangBuzsaki(2, phi=0.0), ValueError, "`phi` must be > 0"),
        (lambda: bx.WangBuzsaki(2, g_Na=-1.0), ValueError, "`g_Na` must be >= 0"),
        # An initializer is refused (by the runtime type check, if on).
        (
            lambda: bx.TraubMilesHH(2, V_init=bx.init.normal(-65.0, 5.0)),
            TypeError,
            "V_init",
        ),
        (lambda: bx.TraubMilesHH(2, t_ref=-3.0), ValueError, "`t_ref` must be >= 0"),
        (lambda: bx.TraubMilesHH(2, g_Kd=jnp.ones(3)), ValueError, "`g_Kd` has shape"),
    ],
)
def test_bad_arguments_are_rejected(make, error, message):
    with pytest.raises(error, match=message):
        make()
