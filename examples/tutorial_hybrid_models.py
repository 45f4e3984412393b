"""From BrainState to brainox, sections 4-5: hybrid deep-learning + spiking models.

The brainox counterparts of the seed tutorial's hybrid models, built and run once
on random inputs of the tutorial's shapes (the trained versions are
`spiking_cnn_fashion_mnist.py` and `neuromorphic_vision.py`):

1. `SpikingCNN` (section 4): a convolutional front end (`eqx.nn.Conv2d`,
   `eqx.nn.MaxPool2d`) and spiking layers (`bx.nn.LIF`) with a leaky-integrator
   readout, on a 1x28x28 image; it prints the readout scores and the spike
   counts of the hidden LIF layer.
2. `ImageClassifier` (section 5.1): a standard CNN for CIFAR-like 3x32x32 images
   (random data here, as in the tutorial), with its parameter count.
3. `NeuromorphicVision` (section 5.3): CNN features and a decision layer, run in
   spike mode (Poisson input, LIF neurons) and rate mode (ReLU), same weights.

Run: `python examples/tutorial_hybrid_models.py [--small] [--out DIR]`
(seconds either way; it prints what the tutorial printed).

Reference: the BrainState tutorial "BrainPy Integration"
(https://brainstate.readthedocs.io/).
"""

import os
import sys

import equinox as eqx
import jax
import jax.numpy as jnp

import brainox as bx


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _networks  # noqa: E402
from neuromorphic_vision import NeuromorphicVision  # noqa: E402
from spiking_cnn_fashion_mnist import SpikingCNN  # noqa: E402
from tutorial_state_and_transforms import count_params  # noqa: E402


class ImageClassifier(eqx.Module):
    """The tutorial's standard CNN for 3x32x32 images (section 5.1)."""

    conv1: eqx.nn.Conv2d
    conv2: eqx.nn.Conv2d
    fc1: eqx.nn.Linear
    fc2: eqx.nn.Linear
    pool: eqx.nn.MaxPool2d

    def __init__(self, *, key: jax.Array):
        k1, k2, k3, k4 = jax.random.split(key, 4)
        self.conv1 = eqx.nn.Conv2d(3, 64, 3, padding="SAME", key=k1)
        self.conv2 = eqx.nn.Conv2d(64, 128, 3, padding="SAME", key=k2)
        self.fc1 = eqx.nn.Linear(128 * 8 * 8, 256, key=k3)
        self.fc2 = eqx.nn.Linear(256, 10, key=k4)
        self.pool = eqx.nn.MaxPool2d(2, 2)

    def __call__(self, x: jax.Array) -> jax.Array:
        x = self.pool(jax.nn.relu(self.conv1(x)))
        x = self.pool(jax.nn.relu(self.conv2(x)))
        x = jax.nn.relu(self.fc1(jnp.ravel(x)))
        return self.fc2(x)


def main(*, seed: int = 0, small: bool = False, out_dir: str = "outputs") -> dict:
    """Build and run the three hybrid models once on random inputs."""
    del small, out_dir  # seconds either way; it only prints
    keys = iter(jax.random.split(jax.random.key(seed), 8))
    results = {}

    cnn = SpikingCNN(num_steps=10, key=next(keys))
    image = jax.random.uniform(next(keys), (28, 28))
    potentials = cnn(image)
    results["spiking_cnn_scores_shape"] = potentials.mean(axis=0).shape
    current = cnn.stem(image[None])
    inputs = bx.nn.current_encode(current, cnn.num_steps)
    _, _, spikes = bx.nn.run(bx.reset(cnn.body), inputs, record=bx.nn.record_spikes)
    counts = {path: int(s.sum()) for path, s in spikes.items()}
    results["spiking_cnn_spike_counts"] = counts
    print(f"SpikingCNN readout potential: {potentials.shape} (T, classes)")
    print(f"SpikingCNN scores: {potentials.mean(axis=0)}")
    print(f"SpikingCNN spike counts by layer over {cnn.num_steps} steps: {counts}")

    classifier = ImageClassifier(key=next(keys))
    sample = jax.random.normal(next(keys), (4, 3, 32, 32))  # CIFAR-like
    results["classifier_output_shape"] = jax.vmap(classifier)(sample).shape
    results["classifier_params"] = count_params(classifier)
    print(f"Predictions shape: {results['classifier_output_shape']}")
    print(f"Parameters: {results['classifier_params']:,}")

    vision = NeuromorphicVision((28, 28), num_steps=20, key=next(keys))
    test_img = jax.random.uniform(next(keys), (28, 28))
    spikes = vision(test_img, "spike", key=next(keys))
    rate = vision(test_img, "rate")
    results["vision_spike_shape"] = spikes.shape
    results["vision_rate_shape"] = rate.shape
    print(f"Spike-based output (counts): {spikes.sum(axis=0)}")
    print(f"Predicted class: {int(jnp.argmax(spikes.sum(axis=0)))}")
    print(f"Rate-based output: {rate}")
    print(f"Predicted class: {int(jnp.argmax(rate))}")
    return results


if __name__ == "__main__":
    _networks.command_line(__doc__, main, "same as the full run (seconds)")
