"""The seed tutorial's models in brainox (examples/tutorial_*.py and the trained ones).

Short training runs on small subsets check that the loss falls and that the
accuracy beats chance (10 %) by a wide margin; the other tests check shapes,
state counts, parameter counts against closed forms, a spiking network against a
hand-written NumPy loop, and that migration keeps the weights.
"""

import math
import os
import sys

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import brainox as bx


sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "examples"))
from neuromorphic_vision import (  # noqa: E402
    NeuromorphicVision,
    rate_loss,
    rate_scores,
    spike_loss,
    spike_scores,
)
from spiking_cnn_fashion_mnist import SpikingCNN, fit  # noqa: E402
from tutorial_hybrid_models import ImageClassifier  # noqa: E402
from tutorial_migration import static_model, to_dynamics  # noqa: E402
from tutorial_spiking_network import SpikingNetwork  # noqa: E402
from tutorial_state_and_transforms import (  # noqa: E402
    HybridModel,
    combined_model,
    count_params,
    lif_neuron,
)


HAS_FASHION = os.path.exists(
    "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"
)


def _subset(data, n_train, n_test):
    return bx.datasets.Dataset(
        data.x_train[:n_train],
        data.y_train[:n_train],
        data.x_test[:n_test],
        data.y_test[:n_test],
    )


def _assert_learns(history, min_accuracy):
    assert history[-1]["loss"] < 0.7 * history[0]["first_batch_loss"]
    assert history[-1]["test_accuracy"] > min_accuracy  # chance: 0.1


@pytest.mark.skipif(not HAS_FASHION, reason="apt-get install dataset-fashion-mnist")
def test_spiking_cnn_learns_fashion_mnist_subset():
    data = _subset(bx.datasets.load_fashion_mnist(), 1024, 500)
    model = SpikingCNN(channels=(4, 8), hidden=32, num_steps=4, key=jax.random.key(0))
    _, history = fit(model, data, epochs=2, batch_size=64, log=lambda _: None)
    _assert_learns(history, 0.4)


@pytest.mark.parametrize(
    "loss_fn, scores_fn, min_accuracy",
    [(rate_loss, rate_scores, 0.6), (spike_loss, spike_scores, 0.4)],
    ids=["rate", "spike"],
)
def test_neuromorphic_vision_learns_digits(loss_fn, scores_fn, min_accuracy):
    data = _subset(bx.datasets.load_digits(), 768, 359)
    model = NeuromorphicVision(
        channels=(8, 16), hidden=64, num_steps=8, key=jax.random.key(0)
    )
    _, history = fit(
        model,
        data,
        epochs=3,
        batch_size=32,
        learning_rate=3e-3,
        loss_fn=loss_fn,
        scores_fn=scores_fn,
        log=lambda _: None,
    )
    _assert_learns(history, min_accuracy)


def test_output_shapes_and_parameter_counts(getkey):
    cnn = SpikingCNN(num_steps=3, key=getkey())
    assert cnn(jnp.zeros((28, 28), jnp.float32)).shape == (3, 10)

    vision = NeuromorphicVision((28, 28), channels=(4, 8), num_steps=5, key=getkey())
    image = jax.random.uniform(getkey(), (28, 28), jnp.float32)
    spikes = vision(image, "spike", key=getkey())
    assert spikes.shape == (5, 10)
    assert set(np.unique(np.asarray(spikes))) <= {0.0, 1.0}
    assert vision(image, "rate").shape == (10,)
    latency = NeuromorphicVision(
        channels=(4, 8), num_steps=6, encoding="latency", key=getkey()
    )
    assert latency(jnp.ones((8, 8), jnp.float32), "spike").shape == (6, 10)
    with pytest.raises(ValueError, match="mode"):
        vision(image, "burst")
    with pytest.raises(ValueError, match="encoding"):
        NeuromorphicVision(encoding="phase", key=getkey())

    classifier = ImageClassifier(key=getkey())
    assert jax.vmap(classifier)(jnp.zeros((4, 3, 32, 32))).shape == (4, 10)
    conv = lambda c_in, c_out: c_in * c_out * 9 + c_out  # noqa: E731
    dense = lambda n_in, n_out: n_in * n_out + n_out  # noqa: E731
    expected = conv(3, 64) + conv(64, 128) + dense(128 * 8 * 8, 256) + dense(256, 10)
    assert count_params(classifier) == expected == 2_175_626

    combined = combined_model(20, key=getkey())
    assert combined(jnp.ones(20))[0].shape == (20,)
    # Two 20x20 layers with biases; the readout's decay factor is fixed (not
    # trained unless `learn_beta`), as BrainState's plain `tau` attribute.
    assert count_params(combined) == 2 * dense(20, 20)


def test_hybrid_model_states(getkey):
    model = HybridModel(10, key=getkey())
    assert bx.state_counts(model) == {
        "param": 1,
        "Hidden": 0,
        "ShortTerm": 1,
        "LongTerm": 1,
    }
    x1, x2 = jax.random.normal(getkey(), (2, 10))
    a1, model = model(x1)
    a2, model = model(x2)
    W = np.asarray(model.W)
    ref1 = np.tanh(W @ np.asarray(x1))
    ref2 = np.tanh(W @ np.asarray(x2) + ref1)
    np.testing.assert_allclose(a2, ref2, rtol=1e-5, atol=1e-6)
    assert int(model.total_spikes.value) == int((ref1 > 0.5).sum() + (ref2 > 0.5).sum())
    reset = bx.reset(model)  # the per-episode activity resets, the counter does not
    np.testing.assert_array_equal(reset.activity.value, np.zeros(10))
    assert int(reset.total_spikes.value) == int(model.total_spikes.value)


def test_spiking_network_matches_a_numpy_loop(getkey):
    snn = SpikingNetwork(50, 100, 10, key=getkey())
    x = jax.random.bernoulli(getkey(), 0.1, (50, 50)).astype(jnp.float32)
    _, _, rec = bx.nn.run(bx.reset(snn), x, record=bx.nn.record_spikes)
    W_in, W_out = np.asarray(snn.W_in, np.float64), np.asarray(snn.W_out, np.float64)
    beta_h, beta_o = math.exp(-1.0 / 10.0), math.exp(-1.0 / 20.0)
    v_h, v_o = np.zeros(100), np.zeros(10)
    hidden, output = [], []
    for x_t in np.asarray(x, np.float64):
        v_h = beta_h * v_h + x_t @ W_in
        s_h = (v_h >= 1.0).astype(float)
        v_h -= s_h  # subtractive reset by the threshold
        v_o = beta_o * v_o + s_h @ W_out
        s_o = (v_o >= 1.0).astype(float)
        v_o -= s_o
        hidden.append(s_h)
        output.append(s_o)
    hidden, output = np.array(hidden), np.array(output)
    assert rec[".hidden"].shape == (50, 100) and rec[".output"].shape == (50, 10)
    assert hidden.sum() > 100 and output.sum() > 10  # the raster is not empty
    # float32 vs float64: allow a handful of threshold ties to flip.
    assert np.abs(np.asarray(rec[".hidden"]) - hidden).sum() <= 5
    assert np.abs(np.asarray(rec[".output"]) - output).sum() <= 5


def test_lif_neuron_spike_counts_match_the_closed_form():
    lif = lif_neuron(5)
    current = jnp.array([15.0, 21.0, 25.0, 30.0, 40.0])  # pA; R I in mV
    _, rec = bx.simulate(
        lif, 100.0, dt=0.1, inputs=lambda i, t: current, spikes=["spike"]
    )
    counts = np.bincount(np.asarray(rec["spike"].index), minlength=5)
    # From rest (-70 mV) the potential reaches -50 mV after tau ln(RI / (RI - 20))
    # ms; exponential Euler is exact, so a spike comes every ceil(that / dt) steps.
    expected = []
    for drive in np.asarray(current):
        if drive <= 20.0:
            expected.append(0)
            continue
        steps = math.ceil(10.0 * math.log(drive / (drive - 20.0)) / 0.1 - 1e-4)
        expected.append(1000 // steps)
    np.testing.assert_array_equal(counts, expected)


def test_migration_keeps_weights_and_converges_to_the_static_output(getkey):
    orig = static_model(10, key=getkey())
    dynamic = to_dynamics(orig, 10, tau=10.0, dt=0.1)
    spiking = bx.nn.to_spiking(orig, (10,))
    for converted in (dynamic, spiking):
        assert converted.layers[0].weight is orig.layers[0].weight
        assert converted.layers[0].bias is orig.layers[0].bias
    x = jax.random.normal(getkey(), (10,))
    n = 200
    outputs, _ = bx.nn.run(bx.reset(dynamic), jnp.broadcast_to(x, (n, 10)))
    # tau dr/dt = -r + relu(Wx + b) from r = 0: r_k = (1 - exp(-k dt / tau)) relu(.)
    k = np.arange(1, n + 1)[:, None]
    expected = (1.0 - np.exp(-k * 0.1 / 10.0)) * np.asarray(orig(x))[None, :]
    np.testing.assert_allclose(outputs, expected, rtol=1e-4, atol=1e-6)
    spikes, _ = bx.nn.run(bx.reset(spiking), jnp.broadcast_to(x, (n, 10)))
    assert isinstance(spiking.layers[1], bx.nn.LIF)
    # Units with zero static output (negative drive) never spike.
    silent = np.asarray(orig(x)) == 0.0
    assert np.asarray(spikes)[:, silent].sum() == 0
    assert eqx.tree_equal(orig.layers[0], spiking.layers[0])
