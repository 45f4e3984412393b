"""Spike sources: inhomogeneous Poisson counts against their distribution, and the
spike generator's exact step assignment."""

import jax
import numpy as np
import pytest
from scipy import stats

import brainox as bx


def test_inhomogeneous_poisson_follows_its_rate():
    n, dt, steps = 2000, 0.1, 2000
    rate = bx.inputs.Sinusoid(40.0, 10.0, dt=dt, offset=50.0)  # 10-90 Hz
    group = bx.inputs.InhomogeneousPoissonGroup(n, key=jax.random.key(0))
    _, rec = bx.simulate(
        group, n_steps=steps, dt=dt, inputs=rate, spikes={"s": "spike"}
    )
    p = np.asarray(rate.sample(steps), np.float64) * dt / 1000.0
    # Spikes per 5 ms bin over all sources: Binomial sums of mean n sum(p) and
    # variance n sum(p (1 - p)); Pearson's statistic is chi-square with one
    # degree of freedom per bin.
    bins = 50
    observed = np.bincount(rec["s"].step // bins, minlength=steps // bins)
    mean = n * p.reshape(-1, bins).sum(axis=1)
    var = n * (p * (1 - p)).reshape(-1, bins).sum(axis=1)
    statistic = np.sum((observed - mean) ** 2 / var)
    assert stats.chi2.sf(statistic, observed.size) > 1e-3
    # Spike counts per source: Poisson-binomial, mean sum(p), var sum(p(1-p)).
    counts = np.bincount(rec["s"].index, minlength=n)
    assert abs(counts.mean() - p.sum()) < 4 * np.sqrt(p.sum() / n)
    assert counts.var(ddof=1) == pytest.approx(np.sum(p * (1 - p)), rel=0.15)


def test_inhomogeneous_poisson_refuses_negative_and_missing_rates():
    group = bx.inputs.InhomogeneousPoissonGroup(3, key=jax.random.key(0))
    with pytest.raises(ValueError, match="needs its rate"):
        bx.simulate(group, 1.0, dt=0.1)
    with pytest.raises(Exception, match=">= 0 Hz"):
        bx.simulate(group, 1.0, dt=0.1, inputs=lambda s, t: -1.0)


def test_spike_generator_emits_each_spike_at_its_rounded_time():
    dt, n = 0.1, 5
    rng = np.random.default_rng(0)
    steps = rng.choice(np.arange(1, 999), size=300, replace=False)
    index = rng.integers(0, n, size=300)
    # Jitter each time by less than half a step: it still rounds to its step.
    times = steps * dt + rng.uniform(-0.45, 0.45, size=300) * dt
    gen = bx.inputs.SpikeGenerator(n, index, times, dt=dt)
    gen, rec = bx.simulate(gen, 100.0, dt=dt, spikes={"g": "spike"})
    events = rec["g"]
    order = np.lexsort((index, steps))
    np.testing.assert_array_equal(events.step, steps[order] - 1)
    np.testing.assert_array_equal(events.index, index[order])
    np.testing.assert_allclose(events.time, steps[order] * dt, rtol=1e-12)
    # Reset replays the same spikes; chunking does not change them.
    _, again = bx.simulate(
        bx.reset(gen), 100.0, dt=dt, chunk_size=70 * 10, spikes={"g": "spike"}
    )
    np.testing.assert_array_equal(again["g"].step, events.step)


def test_spike_generator_multiple_spikes_per_step():
    with pytest.raises(ValueError, match="several spikes in the step ending at 0.5"):
        bx.inputs.SpikeGenerator(2, [1, 1], [0.5, 0.52], dt=0.1)
    gen = bx.inputs.SpikeGenerator(
        2, [1, 1, 0, 1], [0.5, 0.52, 0.5, 0.9], dt=0.1, allow_multiple=True
    )
    _, rec = bx.simulate(gen, 1.0, dt=0.1, monitors={"spike": "spike"})
    expected = np.zeros((10, 2))
    expected[4] = [1.0, 2.0]
    expected[8, 1] = 1.0
    np.testing.assert_array_equal(rec["spike"], expected)


@pytest.mark.parametrize(
    "index, times, match",
    [
        ([0], [0.04], "rounds to time 0"),
        ([3], [1.0], r"\[0, 2\)"),
        ([0, 1], [1.0], "one entry per spike"),
        ([0], [np.nan], "finite"),
    ],
)
def test_spike_generator_bad_spikes_are_named(index, times, match):
    with pytest.raises(ValueError, match=match):
        bx.inputs.SpikeGenerator(2, index, times, dt=0.1)


def test_spike_generator_drives_a_network():
    # One source -> one LIF through a 20 mV delta synapse: each input spike
    # (threshold 15 mV above rest) makes the neuron fire one step later.
    gen = bx.inputs.SpikeGenerator(1, [0, 0], [2.0, 7.0], dt=0.1)
    table = bx.connect.one_to_one(1)
    net = bx.Network(
        {"src": gen, "lif": bx.LIF(1)},
        {"ff": bx.Projection("src", "lif", table, 20.0)},
    )
    _, rec = bx.simulate(net, 10.0, dt=0.1, spikes={"lif": "populations.lif.spike"})
    np.testing.assert_allclose(rec["lif"].time, [2.1, 7.1], atol=1e-9)
