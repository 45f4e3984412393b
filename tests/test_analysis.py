"""Analysis against known answers: Poisson and regular trains, kernels, spectra,
correlograms, synchrony; and the three forms of recorded spikes agreeing."""

import jax
import numpy as np
import pytest

import brainox as bx


def poisson_trains(rng, n, rate_hz, duration):
    """Independent homogeneous Poisson trains (ms), drawn with NumPy."""
    counts = rng.poisson(rate_hz * duration / 1000.0, size=n)
    return [np.sort(rng.uniform(0, duration, c)) for c in counts]


def as_events(trains, dt):
    """SpikeEvents on a grid of dt: a spike at t falls in the step ending at ceil."""
    index = np.concatenate([np.full(t.size, i) for i, t in enumerate(trains)])
    step = np.ceil(np.concatenate(trains) / dt).astype(np.int64) - 1
    order = np.lexsort((index, step))
    step, index = step[order], index[order]
    return bx.SpikeEvents(step, index, (step + 1) * dt)


def as_raster(events, n, n_steps):
    raster = np.zeros((n_steps, n), bool)
    raster[events.step, events.index] = True
    return raster


def test_poisson_trains_have_cv_and_fano_one():
    rng = np.random.default_rng(0)
    trains = poisson_trains(rng, 200, 20.0, 20_000.0)  # ~400 spikes each
    assert bx.analysis.cv_isi(trains) == pytest.approx(1.0, abs=0.02)
    fano = bx.analysis.fano_factor(trains, 200, 20_000.0, bin_ms=100.0)
    # 200 windows of mean 2 spikes per neuron: each neuron's Fano factor has a
    # standard error of about sqrt(2 / 199); the mean over 200 neurons 0.007.
    assert fano == pytest.approx(1.0, abs=0.04)
    density, edges = bx.analysis.isi_histogram(trains, bins=20, max_isi=200.0)
    centres = (edges[:-1] + edges[1:]) / 2
    # Exponential intervals: density 0.02 exp(-0.02 t) per ms (conditioned on
    # the histogram range, which holds 1 - e^-4 of the mass).
    expected = 0.02 * np.exp(-0.02 * centres) / (1 - np.exp(-4.0))
    np.testing.assert_allclose(density, expected, rtol=0.08)


def test_regular_trains_have_cv_zero_and_fano_zero():
    trains = [np.arange(5.0, 1000.0, 25.0), np.arange(12.5, 1000.0, 50.0)]
    assert bx.analysis.cv_isi(trains) == pytest.approx(0.0, abs=1e-12)
    cvs = bx.analysis.cv_isi(trains, per_neuron=True)
    np.testing.assert_allclose(cvs, [0.0, 0.0], atol=1e-12)
    # Windows of whole periods hold the same count every time.
    assert bx.analysis.fano_factor(trains, 2, 1000.0, bin_ms=100.0) == 0.0
    np.testing.assert_allclose(
        bx.analysis.firing_rates(trains, 1000.0), [40.0, 20.0], rtol=1e-12
    )
    intervals = bx.analysis.isis(trains)
    np.testing.assert_allclose(intervals[0], 25.0)


def test_events_rasters_and_lists_give_the_same_answers():
    rng = np.random.default_rng(1)
    n, dt, n_steps = 30, 0.1, 5000
    events = as_events(poisson_trains(rng, n, 30.0, n_steps * dt), dt)
    raster = as_raster(events, n, n_steps)
    trains = bx.analysis.spike_trains(events, n=n)
    np.testing.assert_array_equal(
        np.concatenate(bx.analysis.spike_trains(raster, dt=dt)), np.concatenate(trains)
    )
    duration = n_steps * dt
    for form, kw in ((events, {"n": n}), (raster, {"dt": dt}), (trains, {})):
        rates = bx.analysis.firing_rates(form, duration, **kw)
        np.testing.assert_allclose(rates, np.bincount(events.index, minlength=n) / 0.5)
        pop = bx.analysis.population_rate(form, n, duration, bin_ms=10.0, dt=dt)
        counts = np.bincount(events.step // 100, minlength=50)
        np.testing.assert_allclose(pop, counts / n / 0.01)
        assert bx.analysis.cv_isi(form, **kw) == pytest.approx(
            bx.analysis.cv_isi(events, n=n), rel=1e-12
        )


def test_population_rate_bins_take_spikes_at_their_end():
    # A spike at the end of step 9 (t = 1.0 ms, dt 0.1) belongs to bin (0, 1].
    events = bx.SpikeEvents(np.array([9, 10]), np.array([0, 0]), np.array([1.0, 1.1]))
    np.testing.assert_allclose(
        bx.analysis.population_rate(events, 1, 2.0, bin_ms=1.0), [1000.0, 1000.0]
    )


def test_smoothing_kernels_preserve_area_and_shape():
    rate = np.zeros(400)
    rate[200] = 1.0
    for kernel, width in (("box", 10.0), ("gaussian", 5.0), ("exponential", 8.0)):
        out = bx.analysis.smooth(rate, kernel=kernel, width=width, bin_ms=0.5)
        assert out.sum() == pytest.approx(1.0, rel=1e-9)
    gauss = bx.analysis.smooth(rate, kernel="gaussian", width=5.0, bin_ms=0.5)
    t = (np.arange(400) - 200) * 0.5
    np.testing.assert_allclose(
        gauss, np.exp(-0.5 * (t / 5.0) ** 2) / 5.0 / np.sqrt(2 * np.pi) * 0.5, atol=1e-4
    )
    expo = bx.analysis.smooth(rate, kernel="exponential", width=8.0, bin_ms=0.5)
    assert np.all(expo[:200] == 0)  # causal
    assert expo[216] / expo[200] == pytest.approx(np.exp(-1.0), rel=1e-9)
    box = bx.analysis.smooth(rate, kernel="box", width=10.0, bin_ms=0.5)
    assert np.count_nonzero(box) == 20 and box.max() == pytest.approx(0.05)
    # A constant rate stays constant away from the edges.
    flat = bx.analysis.smooth(
        np.full(400, 7.0), kernel="gaussian", width=5.0, bin_ms=0.5
    )
    np.testing.assert_allclose(flat[50:-50], 7.0)


def test_cross_correlogram_peaks_at_the_known_lag():
    rng = np.random.default_rng(2)
    a = np.sort(rng.uniform(0, 20_000, 400))
    b = np.sort(
        np.concatenate(
            [a + 7.0 + rng.normal(0, 0.3, a.size), rng.uniform(0, 20_000, 400)]
        )
    )
    lags, counts = bx.analysis.cross_correlogram(a, b, bin_ms=1.0, max_lag=30.0)
    assert lags[np.argmax(counts)] == 7.0
    assert counts.max() > 300
    # Reversing the roles mirrors the correlogram.
    lags2, counts2 = bx.analysis.cross_correlogram(b, a, bin_ms=1.0, max_lag=30.0)
    np.testing.assert_array_equal(counts2, counts[::-1])
    # Hand case: every pair difference counted once.
    lags, counts = bx.analysis.cross_correlogram(
        [0.0, 10.0], [2.0, 11.0], bin_ms=1.0, max_lag=12.0
    )
    expected = {2.0: 1, 11.0: 1, -8.0: 1, 1.0: 1}
    assert dict(zip(lags[counts > 0], counts[counts > 0], strict=True)) == expected
    # Autocorrelogram: all pairs of distinct spikes, against brute force.
    lags, auto = bx.analysis.autocorrelogram(a, max_lag=5.0)
    d = (a[None, :] - a[:, None])[~np.eye(a.size, dtype=bool)]
    brute = np.bincount(np.round(d[np.abs(d) < 5.5]).astype(int) + 5, minlength=11)
    np.testing.assert_array_equal(auto, brute)


@pytest.mark.parametrize("dt", [0.1, 0.25, 0.5])
def test_correlograms_of_grid_spikes_are_flat_and_symmetric(dt):
    # Spike times on a simulation grid put many pairs exactly on the bin
    # edges (lags (k + 1/2) ms); they count half in each bin. Independent
    # trains then give counts with Poisson scatter around a flat mean.
    rng = np.random.default_rng(1)
    a = np.unique(np.round(rng.uniform(0, 20_000, 2000) / dt)) * dt
    b = np.unique(np.round(rng.uniform(0, 20_000, 2000) / dt)) * dt
    _, counts = bx.analysis.cross_correlogram(a, b, bin_ms=1.0, max_lag=20.0)
    z = (counts - counts.mean()) / np.sqrt(counts.mean())
    assert np.abs(z).max() < 4 and 0.6 < z.std() < 1.4
    _, auto = bx.analysis.autocorrelogram(a, bin_ms=1.0, max_lag=20.0)
    np.testing.assert_array_equal(auto, auto[::-1])
    # A regular train on a 0.5 ms grid: every lag bin holds the same number of
    # grid lags, so the counts fall linearly with |lag| (the overlap), with no
    # alternation between even and odd bins.
    regular = np.arange(1, 201) * 0.5
    _, auto = bx.analysis.autocorrelogram(regular, bin_ms=1.0, max_lag=5.0)
    np.testing.assert_array_equal(auto, [380, 384, 388, 392, 396, 199, 396, 392,
                                         388, 384, 380])  # fmt: skip


def test_cross_correlogram_matches_numpy_off_the_edges():
    rng = np.random.default_rng(2)
    a, b = rng.uniform(0, 1000, 300), rng.uniform(0, 1000, 300)
    lags = (b[None, :] - a[:, None]).ravel()
    expected, _ = np.histogram(lags, bins=np.arange(-10.5, 11.5, 1.0))
    _, counts = bx.analysis.cross_correlogram(a, b, bin_ms=1.0, max_lag=10.0)
    np.testing.assert_array_equal(counts, expected)


@pytest.mark.parametrize("duration, bin_ms", [(1000.0, 0.1), (1.0, 0.1), (0.3, 0.1),
                                              (100.0, 0.2), (10.0, 3.0)])  # fmt: skip
def test_spike_counts_keep_every_whole_window(duration, bin_ms):
    # 1000 // 0.1 is 9999 in floating point: the last window was dropped.
    counts = bx.analysis.spike_counts([[duration]], 1, duration, bin_ms=bin_ms)
    whole = int(np.floor(duration / bin_ms + 1e-6))
    assert counts.shape == (whole, 1)
    # A spike at the very end lies in the last window, (.., duration], when
    # the windows tile the recording.
    assert counts.sum() == (1 if abs(whole * bin_ms - duration) < 1e-9 else 0)


def test_count_correlation_of_identical_and_independent_trains():
    rng = np.random.default_rng(3)
    trains = poisson_trains(rng, 3, 20.0, 50_000.0)
    trains.append(trains[0].copy())
    c = bx.analysis.count_correlation(trains, 4, 50_000.0, bin_ms=50.0)
    assert c[0, 3] == pytest.approx(1.0)
    # 1000 windows: independent trains correlate within 4 / sqrt(1000).
    assert abs(c[0, 1]) < 4 / np.sqrt(1000) and abs(c[1, 2]) < 4 / np.sqrt(1000)
    np.testing.assert_allclose(np.diag(c), 1.0)


def test_golomb_chi_for_synchronous_and_independent_traces():
    rng = np.random.default_rng(4)
    common = rng.normal(size=(5000, 1))
    assert bx.analysis.golomb_chi(np.repeat(common, 50, axis=1)) == pytest.approx(1.0)
    independent = rng.normal(size=(5000, 100))
    assert bx.analysis.golomb_chi(independent) == pytest.approx(0.1, rel=0.1)


def test_power_spectrum_is_normalised_and_finds_a_sinusoid():
    rng = np.random.default_rng(5)
    dt = 0.5
    x = rng.normal(0, 3.0, 40_000)
    freq, power = bx.analysis.power_spectrum(x, dt, segment_ms=200.0)
    # Parseval: the density integrates to the variance (Hann-window loss aside
    # for white noise, none).
    assert np.sum(power) * (freq[1] - freq[0]) == pytest.approx(9.0, rel=0.03)
    t = np.arange(40_000) * dt
    freq, power = bx.analysis.power_spectrum(
        np.sin(2 * np.pi * 0.055 * t), dt, segment_ms=200.0
    )
    assert freq[np.argmax(power)] == pytest.approx(55.0, abs=5.0)


def test_spectral_peak_of_a_sinusoidally_modulated_population():
    # 800 Poisson sources at 30 (1 + 0.8 sin(2 pi 40 t)) Hz.
    dt, n = 0.1, 800
    rate = bx.inputs.Sinusoid(24.0, 40.0, dt=dt, offset=30.0)
    group = bx.inputs.InhomogeneousPoissonGroup(n, key=jax.random.key(0))
    _, rec = bx.simulate(group, 1000.0, dt=dt, inputs=rate, spikes={"s": "spike"})
    frequency, ratio = bx.analysis.spectral_peak(rec["s"], n, 1000.0, f_min=10.0)
    assert frequency == pytest.approx(40.0, abs=5.0)
    assert ratio > 10


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: bx.analysis.firing_rates(np.zeros((10, 2), bool)), "dt="),
        (lambda: bx.analysis.firing_rates([np.array([1.0])]), "duration="),
        (lambda: bx.analysis.cv_isi([np.array([1.0])], min_spikes=2), "min_spikes"),
        (
            lambda: bx.analysis.smooth(np.ones(5), kernel="tri", width=1.0, bin_ms=1.0),
            "kernel",
        ),
        (
            lambda: bx.analysis.firing_rates(
                bx.SpikeEvents(np.array([0]), np.array([5]), np.array([0.1])), 1.0, n=3
            ),
            "neuron 5",
        ),
        (lambda: bx.analysis.firing_rates({"a": 1}, 1.0), "not understood"),
        # n must be a whole number: 2.5 moved spikes onto the wrong neuron,
        # and a duration in n's place (population_rate(raster, 1000.0)) gave
        # 0.4 Hz for 100 Hz.
        (
            lambda: bx.analysis.spike_counts([[1.0], [2.0]], 2.5, 10.0, bin_ms=1.0),
            r"`n`, the number of neurons, must be an integer >= 0, got 2.5"
            r"|parameter 'n'",  # (the annotation, under the jaxtyping test hook)
        ),
        (
            lambda: bx.analysis.population_rate(np.ones((10, 4)), 1000.0, dt=1.0),
            r"got 1000.0 \(check the order of the arguments|parameter 'n'",
        ),
        (
            lambda: bx.analysis.firing_rates(np.ones((10, 3)), dt=1.0, n=4),
            r"`n` is 4 but the raster has 3 neurons",
        ),
        # A list of numbers is not a population (it was one neuron per spike),
        # a 1-D array not a raster (it was read as counts).
        (
            lambda: bx.analysis.cv_isi([10.0, 20.0, 35.0, 40.0]),
            r"`spikes` is a list of 4 numbers: pass one list of spike times",
        ),
        (
            lambda: bx.analysis.cv_isi(np.array([10.0, 20.0, 35.0]), dt=0.1),
            r"a spike raster must be 2-D, \(n_steps, n\), got shape \(3,\)",
        ),
        (
            lambda: bx.analysis.firing_rates(np.array([[0.5], [0.0]]), dt=1.0),
            r"holds 1 other values \(e.g. 0.5\)",
        ),
        (
            lambda: bx.analysis.firing_rates(np.array([[-1.0], [0.0]]), dt=1.0),
            r"whole numbers >= 0",
        ),
        (
            lambda: bx.analysis.firing_rates([[np.nan, 5.0]], 10.0),
            r"holds 1 spike times that are NaN or inf",
        ),
        (
            lambda: bx.analysis.spike_counts([[1.0]], 1, 10.0, bin_ms=0.0),
            r"`bin_ms` must be > 0 ms, got 0.0",
        ),
        (
            lambda: bx.analysis.smooth(np.ones(5), kernel="box", width=1.0, bin_ms=0.0),
            r"`bin_ms` must be > 0 ms, got 0.0",
        ),
        (
            lambda: bx.analysis.power_spectrum(np.ones(100), 0.0),
            r"`dt` must be a positive number of ms, got 0.0",
        ),
        (
            lambda: bx.analysis.power_spectrum(np.ones(10), 1.0, segment_ms=1.0),
            r"holds 1 samples of `dt` = 1.0 ms; it needs at least 2",
        ),
    ],
)
def test_bad_inputs_are_named(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
