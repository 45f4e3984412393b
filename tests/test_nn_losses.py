"""Losses and accuracies against their definitions (NumPy / SciPy)."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.special import log_softmax

import brainox as bx


def cross_entropy(logits, labels):
    return -np.mean(np.take_along_axis(log_softmax(logits, -1), labels[..., None], -1))


@pytest.fixture
def spikes_and_labels():
    rng = np.random.default_rng(0)
    spikes = (rng.random((4, 7, 3)) < 0.4).astype(np.float32)  # (B, T, C)
    labels = np.array([0, 2, 1, 2])
    return spikes, labels


def test_spike_count_cross_entropy(spikes_and_labels):
    spikes, labels = spikes_and_labels
    expect = cross_entropy(spikes.sum(1), labels)
    loss = bx.nn.spike_count_cross_entropy(spikes, labels)
    assert float(loss) == pytest.approx(expect, rel=1e-6)


def test_rate_cross_entropy_averages_every_step(spikes_and_labels):
    spikes, labels = spikes_and_labels
    per_step = [cross_entropy(spikes[:, t], labels) for t in range(7)]
    loss = bx.nn.rate_cross_entropy(spikes, labels)
    assert float(loss) == pytest.approx(np.mean(per_step), rel=1e-6)


def test_first_spike_time_is_exact_and_its_gradient_moves_spikes_earlier():
    spikes = jnp.array(  # (T=3, C=5)
        [[0, 0, 1, 0, 0], [0, 1, 0, 1, 0], [1, 0, 0, 0, 0]], jnp.float32
    )
    # neuron 0: spike at step 2; 1: step 1; 2: step 0; 3: step 1; 4: never (T=3)
    np.testing.assert_array_equal(bx.nn.first_spike_time(spikes), [2, 1, 0, 1, 3])
    # d t_first / d spike[k] = -(t_first - k) before the first spike, and at the
    # first spike -(T - k) when no spike follows (removing it delays to T).
    grad = jax.grad(lambda s: bx.nn.first_spike_time(s)[0])(spikes)[:, 0]
    np.testing.assert_array_equal(grad, [-2.0, -1.0, -1.0])


def test_first_spike_time_cross_entropy(spikes_and_labels):
    spikes, labels = spikes_and_labels
    T = spikes.shape[1]
    fired = spikes.any(1)
    t_first = np.where(fired, spikes.argmax(1), T)
    expect = cross_entropy(-t_first.astype(float), labels)
    loss = bx.nn.first_spike_time_cross_entropy(spikes, labels)
    assert float(loss) == pytest.approx(expect, rel=1e-6)


@pytest.mark.parametrize("reduce", ["max", "mean"])
def test_membrane_cross_entropy_and_accuracy(reduce):
    V = np.random.default_rng(1).normal(size=(5, 9, 4)).astype(np.float32)
    labels = np.array([3, 0, 1, 1, 2])
    scores = V.max(1) if reduce == "max" else V.mean(1)
    loss = bx.nn.membrane_cross_entropy(V, labels, reduce=reduce)
    assert float(loss) == pytest.approx(cross_entropy(scores, labels), rel=1e-5)
    acc = bx.nn.membrane_accuracy(V, labels, reduce=reduce)
    assert float(acc) == pytest.approx(np.mean(scores.argmax(1) == labels))


def test_accuracies():
    counts_spikes = np.zeros((3, 4, 2), np.float32)
    counts_spikes[0, :, 1] = 1  # sample 0: class 1 fires 4 times
    counts_spikes[1, :2, 0] = 1  # sample 1: class 0 fires twice
    labels = np.array([1, 1, 0])  # sample 2 silent: ties go to class 0
    assert float(bx.nn.spike_count_accuracy(counts_spikes, labels)) == pytest.approx(
        2 / 3
    )
    scores = jnp.array([[0.1, 2.0], [3.0, 1.0]])
    assert float(bx.nn.accuracy(scores, jnp.array([1, 1]))) == 0.5


def test_unbatched_sample_and_bad_shapes():
    spikes = jnp.zeros((5, 3)).at[:, 2].set(1.0)
    loss = bx.nn.spike_count_cross_entropy(spikes, jnp.array(2))
    expect = -log_softmax(np.array([0.0, 0.0, 5.0]))[2]
    assert float(loss) == pytest.approx(expect, rel=1e-5)
    with pytest.raises(ValueError, match="shape \\(\\.\\.\\., T, C\\)"):
        bx.nn.spike_count_cross_entropy(jnp.zeros((4, 5, 3)), jnp.zeros(5, int))
    with pytest.raises(TypeError, match="integer class indices"):
        bx.nn.rate_cross_entropy(jnp.zeros((4, 5, 3)), jnp.zeros(4))
    with pytest.raises(ValueError, match="`reduce`"):
        bx.nn.membrane_cross_entropy(jnp.zeros((4, 5, 3)), jnp.zeros(4, int), "sum")


@pytest.mark.parametrize(
    "loss",
    [
        bx.nn.spike_count_cross_entropy,
        bx.nn.rate_cross_entropy,
        bx.nn.first_spike_time_cross_entropy,
        bx.nn.membrane_cross_entropy,
    ],
)
def test_labels_outside_the_classes_are_refused(loss):
    # A label >= C (or < 0) would give NaN; refused by value, and inside jit.
    outputs, labels = jnp.ones((2, 5, 3)), jnp.array([0, 3])
    with pytest.raises(ValueError, match=r"`labels` holds 3, outside \[0, 3\)"):
        loss(outputs, labels)
    with pytest.raises(Exception, match=r"`labels` must lie in \[0, 3\)"):
        jax.block_until_ready(eqx.filter_jit(loss)(outputs, labels))
    assert np.isfinite(float(loss(outputs, jnp.array([0, 2]))))
