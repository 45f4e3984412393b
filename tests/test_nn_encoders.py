"""Encoders against their definitions and snnTorch's documented values."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainox as bx


def test_rate_encode_matches_the_bernoulli_probabilities():
    x = jnp.array([0.0, 0.1, 0.5, 0.9, 1.0, 1.7])
    T = 4000
    spikes = bx.nn.rate_encode(jax.random.key(0), x, T)
    assert spikes.shape == (T, 6)
    assert set(np.unique(spikes)) <= {0.0, 1.0}
    p = np.clip(np.asarray(x), 0, 1)
    rate = np.asarray(spikes.mean(0))
    sigma = np.sqrt(p * (1 - p) / T)
    assert np.all(np.abs(rate - p) <= 4 * sigma + 1e-12)  # exact at p = 0 and 1
    # The same key gives the same spikes; gain scales the probability.
    np.testing.assert_array_equal(spikes, bx.nn.rate_encode(jax.random.key(0), x, T))
    half = bx.nn.rate_encode(jax.random.key(1), jnp.full(2000, 0.8), 50, gain=0.5)
    assert float(half.mean()) == pytest.approx(0.4, abs=4 * np.sqrt(0.24 / 1e5))


def test_latency_times_match_snntorch_documented_examples():
    # spikegen.latency_code docstrings: a = [0.02, 0.5, 1], num_steps=5,
    # normalize=True -> linear [3.92, 2.0, 0.0], log [4.0000, 0.1166, 0.0580].
    a = jnp.array([0.02, 0.5, 1.0])
    linear = bx.nn.latency_times(a, 5, normalize=True, linear=True)
    np.testing.assert_allclose(linear, [3.92, 2.0, 0.0], atol=1e-6)
    log = bx.nn.latency_times(a, 5, normalize=True)
    np.testing.assert_allclose(log, [4.0, 0.1166, 0.0580], atol=1e-4)


def test_latency_times_follow_the_rc_charging_time():
    x = np.array([0.2, 0.5, 0.9])
    t = bx.nn.latency_times(jnp.asarray(x), 10, tau=5.0, threshold=0.1)
    np.testing.assert_allclose(t, 5.0 * np.log(x / (x - 0.1)), rtol=1e-6)
    below = bx.nn.latency_times(jnp.array([0.05]), 10, tau=5.0, threshold=0.1)
    real = below.dtype.type  # float32, or float64 in 64-bit mode
    floor = real(0.1) + real(1e-7)  # threshold + epsilon, in the input's precision
    expect = 5.0 * np.log(floor / (floor - real(0.1)))
    assert float(below[0]) == pytest.approx(expect, rel=1e-5)


def test_latency_encode_places_one_spike_at_the_rounded_time():
    x = jnp.array([1.0, 0.75, 0.5, 0.3, 0.0])
    spikes = bx.nn.latency_encode(x, 9, linear=True, normalize=True)
    # t = 8 (1 - x) = [0, 2, 4, 5.6, 7.92] -> steps [0, 2, 4, 6, 8]
    np.testing.assert_array_equal(spikes.sum(0), 1.0)
    np.testing.assert_array_equal(np.argmax(spikes, 0), [0, 2, 4, 6, 8])
    # Without normalisation, spikes after step T - 1 are dropped: t = 4 (1 - x)
    # = [0, 1, 2, 2.8, 3.96] keeps the first three in T = 3 steps.
    late = bx.nn.latency_encode(x, 3, tau=4.0, linear=True)
    np.testing.assert_array_equal(late.sum(0), [1, 1, 1, 0, 0])
    clipped = bx.nn.latency_encode(x, 9, linear=True, normalize=True, clip=True)
    np.testing.assert_array_equal(clipped.sum(0), [1, 1, 1, 1, 0])
    images = bx.nn.latency_encode(jnp.ones((2, 3, 3)) * 0.5, 4, normalize=True)
    assert images.shape == (4, 2, 3, 3)


def test_current_encode_repeats_the_input():
    x = jnp.arange(6.0).reshape(2, 3)
    xs = bx.nn.current_encode(x, 4)
    assert xs.shape == (4, 2, 3)
    for t in range(4):
        np.testing.assert_array_equal(xs[t], x)


def test_encoder_errors_name_the_argument():
    with pytest.raises(ValueError, match="`num_steps`"):
        bx.nn.current_encode(jnp.ones(3), 0)
    with pytest.raises(ValueError, match="`threshold`"):
        bx.nn.latency_times(jnp.ones(3), 5, threshold=1.5)
    with pytest.raises(ValueError, match="`tau`"):
        bx.nn.latency_encode(jnp.ones(3), 5, tau=-1.0)
