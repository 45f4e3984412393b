"""Poisson inputs: the distributions of their counts, determinism, network use."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

import brainox as bx


def chi_square_pvalue(samples: np.ndarray, pmf, *, min_expected: float = 5.0):
    """Pearson's chi-square test of integer samples against a pmf.

    Bins with fewer than `min_expected` expected counts are pooled into the tails
    (everything below the first and above the last well-populated value), so the
    expected counts of all bins add up to the number of samples.
    """
    n = samples.size
    ks = np.arange(int(samples.max()) + 1)
    expected = n * pmf(ks)
    ok = np.flatnonzero(expected >= min_expected)
    lo, hi = int(ok[0]), int(ok[-1])
    observed = np.bincount(samples, minlength=ks.size)
    # Bins: k <= lo, each lo < k < hi, k >= hi.
    obs = np.concatenate(
        [[observed[: lo + 1].sum()], observed[lo + 1 : hi], [observed[hi:].sum()]]
    )
    low = n * np.sum(pmf(np.arange(lo + 1)))
    inner = expected[lo + 1 : hi]
    exp = np.concatenate([[low], inner, [n - low - inner.sum()]])
    return stats.chisquare(obs, exp).pvalue


def check_moments(samples: np.ndarray, mean: float, var: float, z: float = 4.0):
    """Sample mean and variance within `z` standard errors of the true ones."""
    n = samples.size
    assert abs(samples.mean() - mean) < z * np.sqrt(var / n), samples.mean()
    # Standard error of the sample variance: sqrt((mu4 - var^2 (n - 3)/(n - 1)) / n);
    # for the Poisson/binomial laws used here mu4 ~ 3 var^2 + var.
    se_var = np.sqrt((2 * var**2 + var) / n)
    assert abs(samples.var(ddof=1) - var) < z * se_var, samples.var(ddof=1)


@pytest.mark.parametrize("lam", [0.05, 2.0, 12.0, 75.0])
def test_poisson_counts_follow_the_poisson_distribution(lam):
    # 75 > 30 is drawn in three parts.
    counts = np.asarray(
        bx.inputs.poisson_counts(jax.random.key(7), jnp.full(200_000, lam))
    )
    assert counts.dtype == np.int32 and counts.min() >= 0
    check_moments(counts, lam, lam)
    assert chi_square_pvalue(counts, lambda k: stats.poisson.pmf(k, lam)) > 1e-3


def test_poisson_counts_per_entry_means_and_zero():
    lam = jnp.tile(jnp.asarray([0.0, 1.0, 3.0, 8.0]), 50_000)
    counts = np.asarray(bx.inputs.poisson_counts(jax.random.key(3), lam))
    for i, mean in enumerate([0.0, 1.0, 3.0, 8.0]):
        c = counts[i::4]
        if mean == 0.0:
            assert (c == 0).all()
        else:
            check_moments(c, mean, mean)


def test_poisson_group_counts_are_binomial_and_steps_independent():
    n, steps, rate, dt = 2000, 1000, 200.0, 0.1  # p = 0.02 per step
    p = rate * dt / 1000.0
    group = bx.inputs.PoissonGroup(n, rate, key=jax.random.key(0))
    _, rec = bx.simulate(group, n_steps=steps, dt=dt, spikes={"s": "spike"})
    events = rec["s"]
    per_neuron = np.bincount(events.index, minlength=n)
    check_moments(per_neuron, steps * p, steps * p * (1 - p))
    pmf = lambda k: stats.binom.pmf(k, steps, p)  # noqa: E731
    assert chi_square_pvalue(per_neuron, pmf) > 1e-3
    # Independent trials per step: the number of sources spiking in a step is
    # Binomial(n, p), and the first spike of a source comes at a Geometric(p)
    # step (1-based; the window is long enough that every source spikes).
    per_step = np.bincount(events.step, minlength=steps)
    pmf = lambda k: stats.binom.pmf(k, n, p)  # noqa: E731
    assert chi_square_pvalue(per_step, pmf) > 1e-3
    first = np.full(n, steps, np.int64)
    np.minimum.at(first, events.index, events.step)
    assert first.max() < steps - 1
    ks = np.arange(1, first.max() + 2)
    empirical = np.searchsorted(np.sort(first + 1), ks, side="right") / n
    # The 1% critical value of the KS statistic is 1.63 / sqrt(n).
    assert np.max(np.abs(empirical - stats.geom.cdf(ks, p))) < 1.63 / np.sqrt(n)


def test_poisson_group_per_neuron_rates():
    rates = jnp.asarray([0.0, 50.0, 500.0, 10_000.0])  # the last: every step
    group = bx.inputs.PoissonGroup(4, rates, key=jax.random.key(1))
    _, rec = bx.simulate(group, n_steps=20_000, dt=0.1, spikes={"s": "spike"})
    counts = np.bincount(rec["s"].index, minlength=4)
    assert counts[0] == 0 and counts[3] == 20_000
    for i in (1, 2):
        p = float(rates[i]) * 1e-4
        mean, var = 20_000 * p, 20_000 * p * (1 - p)
        assert abs(counts[i] - mean) < 4 * np.sqrt(var)


def test_runs_are_fixed_by_the_key_and_independent_of_chunks_and_reset():
    group = bx.inputs.PoissonGroup(300, 40.0, key=jax.random.key(5))
    run = lambda g, **kw: bx.simulate(  # noqa: E731
        g, n_steps=600, dt=0.1, spikes={"s": "spike"}, **kw
    )
    final, a = run(group)
    _, b = run(group, chunk_size=150)
    _, c = run(bx.inputs.PoissonGroup(300, 40.0, key=jax.random.key(5)))
    _, d = run(bx.reset(final))
    _, other = run(bx.inputs.PoissonGroup(300, 40.0, key=jax.random.key(6)))
    assert len(a["s"].index) > 500
    for rec in (b, c, d):
        np.testing.assert_array_equal(a["s"].step, rec["s"].step)
        np.testing.assert_array_equal(a["s"].index, rec["s"].index)
    assert not np.array_equal(a["s"].index[:50], other["s"].index[:50])
    # Legacy raw keys work and equal the typed key with the same data.
    _, legacy = run(bx.inputs.PoissonGroup(300, 40.0, key=jax.random.PRNGKey(5)))
    np.testing.assert_array_equal(a["s"].index, legacy["s"].index)


def free_membrane(n, tau=20.0):
    # V_rest = 0 and a threshold that is never reached: V integrates the jumps.
    return bx.LIF(n, tau=tau, V_rest=0.0, V_reset=0.0, V_th=1e6)


def test_poisson_input_counts_and_determinism_in_a_network():
    # With no leak to speak of (tau = 1e7 ms), V sums the jumps: V / J counts
    # the input spikes, Poisson(n rate T) over T ms.
    n_post, C, nu, J, dt, steps = 4000, 100, 20.0, 0.5, 0.1, 500
    ext = bx.inputs.PoissonInput(
        "post", C, nu, J, size=n_post, dt=dt, key=jax.random.key(2)
    )
    net = bx.Network({"post": free_membrane(n_post, tau=1e7)}, {"ext": ext})
    out, rec = bx.simulate(
        net, n_steps=steps, dt=dt, monitors={"V": "populations.post.V"}
    )
    counts = np.rint(np.asarray(out.populations["post"].V.value) / J).astype(int)
    lam = C * nu * steps * dt / 1000.0  # 100 spikes
    check_moments(counts, lam, lam)
    assert chi_square_pvalue(counts, lambda k: stats.poisson.pmf(k, lam)) > 1e-3
    # Per step: the increments of V are Poisson(C nu dt / 1000) = Poisson(0.2) jumps.
    per_step = np.rint(np.diff(np.asarray(rec["V"])[:, :500], axis=0) / J)
    check_moments(per_step.ravel().astype(int), 0.2, 0.2)
    again = bx.simulate(net, n_steps=steps, dt=dt, chunk_size=100)[0]
    np.testing.assert_array_equal(
        out.populations["post"].V.value, again.populations["post"].V.value
    )


def test_poisson_input_drives_the_free_membrane_to_the_mean_field():
    # tau dV/dt = -V + J tau sum of spikes: stationary mean C nu J tau = 40 mV and
    # variance J^2 C nu tau / 2 = 2 mV^2 (Brunel 2000, eq. 3-4; C = 1000, nu =
    # 20 Hz, J = 0.1 mV, tau = 20 ms).
    n_post, dt = 2000, 0.1
    ext = bx.inputs.PoissonInput(
        "post", 1000, 20.0, 0.1, size=n_post, dt=dt, key=jax.random.key(4)
    )
    net = bx.Network({"post": free_membrane(n_post)}, {"ext": ext})
    net = eqx.tree_at(
        lambda m: m.populations["post"].V,
        net,
        net.populations["post"].V.replace(jnp.full(n_post, 40.0)),
    )
    out, _ = bx.simulate(net, 100.0, dt=dt)
    V = np.asarray(out.populations["post"].V.value)
    assert abs(V.mean() - 40.0) < 4 * np.sqrt(2.0 / n_post) + 0.05
    assert V.var() == pytest.approx(2.0, rel=0.15)


def test_poisson_input_into_a_synapse():
    n_post, dt = 3000, 0.1
    syn = bx.synapses.Exponential(n_post, tau=5.0)
    ext = bx.inputs.PoissonInput(
        "post",
        10,
        100.0,
        2.0,
        synapse=syn,
        dt=dt,
        key=jax.random.key(8),
        output=bx.outputs.COBA(E=0.0),
    )
    net = bx.Network({"post": free_membrane(n_post)}, {"ext": ext})
    # g is a sum of exponentials: mean = w n rate tau / 1000 = 2 * 10 * 100 * 5e-3.
    out, rec = bx.simulate(
        net,
        200.0,
        dt=dt,
        monitors={"g": lambda m: m.projections["ext"].synapse.g.value},
    )
    g = np.asarray(rec["g"])[500:]
    assert g.mean() == pytest.approx(10.0 * np.exp(-dt / 2 / 5.0), rel=0.03)
    # The COBA output drove V towards E = 0 from below? V_rest = 0 here, and the
    # current g (0 - V) keeps V at 0.
    assert np.all(np.asarray(out.populations["post"].V.value) == 0.0)


def test_poisson_group_drives_a_projection():
    n_src, n_post = 500, 100
    table = bx.connect.fixed_probability(jax.random.key(0), n_src, n_post, 0.1)
    net = bx.Network(
        {
            "src": bx.inputs.PoissonGroup(n_src, 50.0, key=jax.random.key(1)),
            "post": free_membrane(n_post, tau=1e7),
        },
        {"ff": bx.Projection("src", "post", table, 1.0)},
    )
    out, rec = bx.simulate(net, 100.0, dt=0.1, spikes={"src": "populations.src.spike"})
    # The jumps reach V one step after the spike: the last step's spikes are not
    # delivered yet.
    events = rec["src"]
    delivered = events.step < 999
    dense = np.asarray(table.to_dense(1.0))
    expect = dense[events.index[delivered]].sum(axis=0)
    np.testing.assert_allclose(out.populations["post"].V.value, expect, rtol=1e-5)


def test_constant_current_is_an_input_of_the_network():
    lif = bx.LIF(3, tau=10.0, R=100.0, V_rest=-60.0, V_th=0.0)
    net = bx.Network({"a": lif}, {"drive": bx.inputs.ConstantCurrent("a", 150.0)})
    out, _ = bx.simulate(net, 200.0, dt=0.1)
    # Steady state V_rest + R I = -60 + 15 mV.
    np.testing.assert_allclose(out.populations["a"].V.value, -45.0, atol=1e-3)
    per_neuron = bx.inputs.ConstantCurrent("a", jnp.asarray([0.0, 100.0, 200.0]))
    out, _ = bx.simulate(bx.Network({"a": lif}, {"d": per_neuron}), 200.0, dt=0.1)
    np.testing.assert_allclose(
        out.populations["a"].V.value, [-60.0, -50.0, -40.0], atol=1e-3
    )


def test_errors_name_the_argument_and_the_fix():
    key = jax.random.key(0)
    with pytest.raises(ValueError, match="rate"):
        bx.inputs.PoissonGroup(3, -1.0, key=key)
    with pytest.raises(TypeError, match="key"):
        bx.inputs.PoissonGroup(3, 1.0, key=0)
    with pytest.raises(ValueError, match="single key"):
        bx.inputs.PoissonGroup(3, 1.0, key=jax.random.split(key, 2))
    with pytest.raises(ValueError, match="takes no input"):
        bx.inputs.PoissonGroup(3, 1.0, key=key).step(jnp.ones(3), 0.1)
    with pytest.raises(Exception, match="exceeds one spike per step"):
        bx.simulate(bx.inputs.PoissonGroup(3, 20_000.0, key=key), 1.0, dt=0.1)
    with pytest.raises(ValueError, match="size="):
        bx.inputs.PoissonInput("a", 10, 1.0, 0.1, dt=0.1, key=key)
    with pytest.raises(ValueError, match="no `synapse`"):
        bx.inputs.PoissonInput(
            "a", 10, 1.0, 0.1, dt=0.1, key=key, size=3, output=bx.outputs.CUBA()
        )
    with pytest.raises(ValueError, match="post neurons"):
        bx.inputs.PoissonInput(
            "a",
            10,
            1.0,
            0.1,
            dt=0.1,
            key=key,
            size=3,
            synapse=bx.synapses.Exponential(4),
        )
    with pytest.raises(ValueError, match="`rate` must be finite"):  # it never ended
        bx.inputs.PoissonInput("a", 10, np.inf, 0.1, dt=0.1, key=key, size=3)
    # A NaN rate fed to an inhomogeneous group is an error, not silence.
    group = bx.inputs.InhomogeneousPoissonGroup(3, key=key)
    with pytest.raises(Exception, match="must be a number >= 0 Hz"):
        rate = jnp.array([np.nan, 100.0, 100.0])
        bx.simulate(group, n_steps=5, dt=0.1, inputs=lambda s, t: rate)
    ext = bx.inputs.PoissonInput("a", 10, 1.0, 0.1, dt=0.1, key=key, size=3)
    with pytest.raises(ValueError, match="dt=0.2"):
        bx.simulate(bx.Network({"a": bx.LIF(3)}, {"x": ext}), 1.0, dt=0.2)
    with pytest.raises(ValueError, match="one value per neuron"):
        net = bx.Network(
            {"a": bx.LIF(3)}, {"d": bx.inputs.ConstantCurrent("a", jnp.ones(4))}
        )
        net.step(None, 0.1)
