"""Noise currents as SDEs: OU moments against closed forms, white noise, and the
LIF rate under white noise against the Siegert formula."""

import diffrax
import jax
import numpy as np
import pytest
from scipy import integrate, special

import brainox as bx


def ou_source(n, dt, **kw):
    return bx.inputs.OUCurrent("pop", n, key=jax.random.key(3), dt=dt, **kw)


def test_ou_stationary_mean_variance_and_autocorrelation():
    mean, sigma, tau, dt, n = 5.0, 2.0, 10.0, 0.1, 2000
    ou = ou_source(n, dt, mean=mean, sigma=sigma, tau=tau, stationary=True)
    path = np.asarray(ou.sample(3000), np.float64)  # 300 ms = 30 tau
    # Samples 50 ms (5 tau) apart are nearly independent (correlation e^-5).
    samples = path[::500].ravel()
    se_mean = sigma / np.sqrt(samples.size)
    assert abs(samples.mean() - mean) < 4 * se_mean
    # Euler-Maruyama inflates the variance by 1 / (1 - dt / (2 tau)) = 1.005.
    se_var = sigma**2 * np.sqrt(2.0 / samples.size)
    assert abs(samples.var() - sigma**2) < 4 * se_var + 0.005 * sigma**2
    # Autocorrelation at lag tau: exp(-1).
    lag = int(tau / dt)
    x = path[:-lag] - mean
    y = path[lag:] - mean
    rho = np.mean(x * y) / np.sqrt(np.mean(x * x) * np.mean(y * y))
    assert rho == pytest.approx(np.exp(-1.0), abs=0.02)


@pytest.mark.parametrize("solver", [diffrax.Euler(), diffrax.Heun()])
def test_ou_transient_moments_from_a_fixed_start(solver):
    mean, sigma, tau, dt, n, I0 = 0.0, 3.0, 5.0, 0.05, 20000, 10.0
    ou = ou_source(n, dt, mean=mean, sigma=sigma, tau=tau, I_init=I0, solver=solver)
    path = np.asarray(ou.sample(200), np.float64)  # path[i]: the current at i dt
    for step in (50, 100, 199):  # t = tau/2, tau, ~2 tau
        t = step * dt
        m = mean + (I0 - mean) * np.exp(-t / tau)
        v = sigma**2 * (1 - np.exp(-2 * t / tau))
        x = path[step]
        assert abs(x.mean() - m) < 4 * np.sqrt(v / n) + 0.003 * I0
        assert abs(x.var() - v) < 4 * v * np.sqrt(2.0 / n) + 0.01 * v


def test_ou_in_a_network_equals_its_sample_in_chunks_and_after_reset():
    n, dt = 4, 0.1
    ou = ou_source(n, dt, mean=1.0, sigma=1.0, tau=2.0, block_size=7)
    net = bx.Network({"pop": bx.LIF(n)}, {"noise": ou})
    # The current read in step i is the drive at the start of the step; the
    # monitor records it after step i, i.e. sample[i + 1]. Chunks of 30 steps
    # cut the blocks of 7 increments anywhere: the noise is the same.
    net, rec = bx.simulate(
        net, 10.0, dt=dt, chunk_size=30, monitors={"I": "projections.noise.drive"}
    )
    expected = np.asarray(ou.sample(101))[1:]
    np.testing.assert_allclose(rec["I"], expected, rtol=1e-6)
    again = bx.reset(net)
    np.testing.assert_array_equal(
        again.projections["noise"].sample(101), ou.sample(101)
    )


def test_white_noise_steps_are_independent_with_variance_sigma2_over_dt():
    mean, sigma, dt = 2.0, 3.0, 0.1
    wn = bx.inputs.WhiteNoiseCurrent(
        "pop", 500, mean=mean, sigma=sigma, key=jax.random.key(0), dt=dt
    )
    x = np.asarray(wn.sample(400), np.float64)
    var = sigma**2 / dt
    assert abs(x.mean() - mean) < 4 * np.sqrt(var / x.size)
    assert x.var() == pytest.approx(var, rel=4 * np.sqrt(2 / x.size))
    rho = np.mean((x[1:] - mean) * (x[:-1] - mean)) / var
    assert abs(rho) < 4 / np.sqrt(x[1:].size)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: ou_source(3, 0.1, mean=0.0, sigma=-1.0, tau=1.0), "sigma"),
        (lambda: ou_source(3, 0.1, mean=0.0, sigma=1.0, tau=0.0), "tau"),
        (
            lambda: ou_source(3, 0.1, mean=0.0, sigma=1.0, tau=1.0, block_size=0),
            "block_size",
        ),
    ],
)
def test_bad_noise_arguments_are_named(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("key", [0, None])
def test_ou_current_checks_its_key(key):
    # (Under the jaxtyping test hook its check names the argument first.)
    with pytest.raises(
        TypeError, match="`key` must be a jax.random.key|parameter 'key'"
    ):
        bx.inputs.OUCurrent("pop", 3, mean=0.0, sigma=1.0, tau=5.0, dt=0.1, key=key)


def test_noise_refuses_another_dt_and_population_size():
    ou = ou_source(3, 0.1, mean=0.0, sigma=1.0, tau=1.0)
    with pytest.raises(ValueError, match="built for dt = 0.1"):
        bx.simulate(bx.Network({"pop": bx.LIF(3)}, {"n": ou}), 1.0, dt=0.05)
    with pytest.raises(ValueError, match="build it with n = 5"):
        bx.simulate(bx.Network({"pop": bx.LIF(5)}, {"n": ou}), 1.0, dt=0.1)


# LIF under white noise: tau dV/dt = -(V - V_rest) + mu + sigma_V sqrt(tau) xi.
TAU, THETA, V_R, T_REF = 20.0, 20.0, 10.0, 2.0  # ms, mV above rest, ms
ZETA_HALF = 1.4603545088095868  # -zeta(1/2)


def siegert_rate(mu, sigma, theta=THETA):
    """The Siegert formula (Hz) via scipy quad, with `erfcx(-u) = e^{u^2}(1+erf u)`."""
    lo, hi = (V_R - mu) / sigma, (theta - mu) / sigma
    area, _ = integrate.quad(lambda u: special.erfcx(-u), lo, hi)
    return 1000.0 / (T_REF + TAU * np.sqrt(np.pi) * area)


def lif_white_noise_rate(mu, sigma_V, dt, n, duration, transient=100.0):
    R = 100.0  # MOhm: 1 pA -> 0.1 mV
    mean = mu / (R * 1e-3)
    sigma = sigma_V * np.sqrt(TAU) / (R * 1e-3)
    lif = bx.LIF(
        n,
        tau=TAU,
        V_rest=-65.0,
        V_reset=-65.0 + V_R,
        V_th=-65.0 + THETA,
        R=R,
        t_ref=T_REF,
    )
    noise = bx.inputs.WhiteNoiseCurrent(
        "lif", n, mean=mean, sigma=sigma, key=jax.random.key(11), dt=dt
    )
    net = bx.Network({"lif": lif}, {"noise": noise})
    _, rec = bx.simulate(net, duration, dt=dt, spikes={"s": "populations.lif.spike"})
    count = np.sum(rec["s"].time > transient)
    return count / n / ((duration - transient) / 1000.0)


def discrete_time_threshold(sigma_V, dt):
    # On a grid of dt the potential is checked only at step ends: a random walk
    # of step std s crosses a boundary as if it were 0.5826 s higher (Siegmund's
    # correction, -zeta(1/2)/sqrt(2 pi)), s = sigma_V sqrt(dt / tau).
    return THETA + ZETA_HALF / np.sqrt(2 * np.pi) * sigma_V * np.sqrt(dt / TAU)


def test_lif_rate_under_white_noise_matches_siegert():
    mu, sigma_V, dt = 15.0, 5.0, 0.1
    rate = lif_white_noise_rate(mu, sigma_V, dt, n=1000, duration=600.0)
    expected = siegert_rate(mu, sigma_V, discrete_time_threshold(sigma_V, dt))
    assert expected == pytest.approx(8.821, abs=0.01)
    assert rate == pytest.approx(expected, rel=0.05)


@pytest.mark.slow
@pytest.mark.parametrize("mu, sigma_V", [(15.0, 5.0), (10.0, 8.0), (22.0, 3.0)])
def test_lif_rate_under_white_noise_matches_siegert_fine_step(mu, sigma_V):
    dt = 0.01
    rate = lif_white_noise_rate(mu, sigma_V, dt, n=1000, duration=600.0)
    expected = siegert_rate(mu, sigma_V, discrete_time_threshold(sigma_V, dt))
    assert rate == pytest.approx(expected, rel=0.03)
    assert rate == pytest.approx(siegert_rate(mu, sigma_V), rel=0.05)
