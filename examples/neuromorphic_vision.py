"""NeuromorphicVision: a convolutional network run as spikes or as rates.

The brainox counterpart of the seed tutorial's `NeuromorphicVision` (section 5.3),
trained on the 8x8 scikit-learn digits. One set of weights, two modes:

- **rate** mode: the static network. Two convolutions with ReLU and 2x2 max
  pooling extract features, a dense layer turns them into 100 "currents", and a
  dense decision layer gives 10 class scores. ReLU plays the firing rate of a
  neuron driven by its input.
- **spike** mode: the same layers, with every ReLU replaced by a layer of LIF
  neurons (`bx.nn.to_spiking`) and a LIF decision layer; the image enters as
  Poisson spike trains (`bx.nn.rate_encode`, spike probability per step = pixel
  intensity) or, with `--encoding latency`, one spike per pixel, earlier for
  brighter pixels (`bx.nn.latency_encode`). The class is the decision neuron
  that fires most, and training minimises the cross-entropy of the spike counts
  through the surrogate gradient.

Each mode is trained from the same initial weights with Adam; the script prints
the test accuracy of both, and of the rate-trained weights run in spike mode
(conversion without retraining), and saves the spike raster of one test digit
(`neuromorphic_vision_raster.png`).

Run: `python examples/neuromorphic_vision.py [--small] [--epochs N]
[--num-steps T] [--encoding poisson|latency] [--out DIR]` (`--small`: 2 epochs,
T <= 8).

References: Diehl, P. U. et al. (2015). Fast-classifying, high-accuracy spiking
deep networks through weight and threshold balancing. IJCNN. Neftci, E. O.,
Mostafa, H. & Zenke, F. (2019). Surrogate gradient learning in spiking neural
networks. IEEE Signal Process. Mag. 36, 51-63.
"""

import os
import sys
from typing import Literal

import equinox as eqx
import jax
import jax.numpy as jnp
import optax

import brainox as bx


F32 = jnp.float32
"""The layers' dtype: float32 like the data and bx.nn's layers, also in 64-bit
mode (where eqx.nn layers would default to float64)."""


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _networks  # noqa: E402
from spiking_cnn_fashion_mnist import evaluate, fit, scale_weights  # noqa: E402


class NeuromorphicVision(eqx.Module):
    """CNN features and a decision layer, run as rates or as spikes.

    Called on one image `(H, W)`: `mode="rate"` returns 10 scores, `mode="spike"`
    returns the decision layer's spikes `(T, 10)` (it needs a `key` for the
    Poisson input). The weights start at `weight_gain` times Equinox's default
    initialisation, so that the LIF layers spike from the first step.
    """

    network: eqx.nn.Sequential
    image_shape: tuple[int, int] = eqx.field(static=True)
    num_steps: int = eqx.field(static=True)
    encoding: str = eqx.field(static=True)

    def __init__(
        self,
        image_shape: tuple[int, int] = (8, 8),
        *,
        channels: tuple[int, int] = (32, 64),
        hidden: int = 100,
        num_classes: int = 10,
        num_steps: int = 16,
        encoding: Literal["poisson", "latency"] = "poisson",
        weight_gain: float = 2.0,
        key: jax.Array,
    ):
        if encoding not in ("poisson", "latency"):
            raise ValueError(
                f"`encoding` must be 'poisson' or 'latency', got {encoding!r}."
            )
        c1, c2 = channels
        k1, k2, k3, k4 = jax.random.split(key, 4)
        height, width = image_shape
        relu = eqx.nn.Lambda(jax.nn.relu)
        n_features = c2 * (height // 4) * (width // 4)
        pool = eqx.nn.MaxPool2d(2, 2)
        self.network = eqx.nn.Sequential(
            [
                scale_weights(
                    eqx.nn.Conv2d(1, c1, 3, padding=1, key=k1, dtype=F32), weight_gain
                ),
                relu,
                pool,
                scale_weights(
                    eqx.nn.Conv2d(c1, c2, 3, padding=1, key=k2, dtype=F32), weight_gain
                ),
                relu,
                pool,
                eqx.nn.Lambda(jnp.ravel),
                scale_weights(
                    eqx.nn.Linear(n_features, hidden, key=k3, dtype=F32), weight_gain
                ),
                relu,  # the "current" of the tutorial's fc_current
                # the tutorial's W_decision:
                scale_weights(
                    eqx.nn.Linear(hidden, num_classes, key=k4, dtype=F32), weight_gain
                ),
            ]
        )
        self.image_shape = (height, width)
        self.num_steps = num_steps
        self.encoding = encoding

    def spiking(self) -> bx.nn.Sequential:
        """The spiking network: every ReLU a LIF layer, plus LIF decision neurons."""
        return bx.nn.to_spiking(
            self.network, (1, *self.image_shape), readout=lambda shape: bx.nn.LIF(shape)
        )

    def encode(self, image: jax.Array, key: jax.Array | None) -> jax.Array:
        """Spike trains `(T, 1, H, W)` of an image with intensities in `[0, 1]`."""
        if self.encoding == "latency":
            return bx.nn.latency_encode(image[None], self.num_steps, normalize=True)
        if key is None:
            raise ValueError("spike mode with Poisson input needs `key=`.")
        return bx.nn.rate_encode(key, image[None], self.num_steps)

    def __call__(
        self,
        image: jax.Array,
        mode: Literal["spike", "rate"] = "spike",
        *,
        key: jax.Array | None = None,
    ) -> jax.Array:
        if mode == "rate":
            return self.network(image[None])
        if mode != "spike":
            raise ValueError(f"`mode` must be 'spike' or 'rate', got {mode!r}.")
        spikes, _ = bx.nn.run(bx.reset(self.spiking()), self.encode(image, key))
        return spikes


def spike_loss(model, images, labels, key):
    """Cross-entropy of the decision layer's spike counts."""
    keys = jax.random.split(key, len(images))
    spikes = jax.vmap(lambda x, k: model(x, "spike", key=k))(images, keys)
    return bx.nn.spike_count_cross_entropy(spikes, labels)


def spike_scores(model, images, key):
    """Spike counts of the decision neurons."""
    keys = jax.random.split(key, len(images))
    return jax.vmap(lambda x, k: model(x, "spike", key=k))(images, keys).sum(axis=-2)


def rate_loss(model, images, labels, key):
    """Cross-entropy of the rate network's scores (`key` unused)."""
    del key
    logits = jax.vmap(lambda x: model(x, "rate"))(images)
    return optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()


def rate_scores(model, images, key):
    """Scores of the rate network (`key` unused)."""
    del key
    return jax.vmap(lambda x: model(x, "rate"))(images)


def save_raster(model: NeuromorphicVision, image: jax.Array, path: str) -> None:
    """Input, hidden and decision spikes of one image in spike mode."""
    import matplotlib.pyplot as plt

    spiking = bx.reset(model.spiking())
    spikes_in = model.encode(image, jax.random.key(1))
    _, _, rec = bx.nn.run(spiking, spikes_in, record=bx.nn.record_spikes)
    panels = [("input", spikes_in.reshape(model.num_steps, -1))]
    panels += [
        (name, s.reshape(model.num_steps, -1)) for name, s in sorted(rec.items())
    ]
    fig, axes = plt.subplots(len(panels), 1, figsize=(7, 2 * len(panels)))
    for ax, (name, s) in zip(axes, panels, strict=True):
        t, i = jnp.nonzero(s)
        ax.scatter(t, i, s=2, c="k")
        ax.set_xlim(-0.5, model.num_steps - 0.5)
        ax.set_ylabel(f"{name}\nneuron")
    axes[-1].set_xlabel("time step")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(
    *,
    epochs: int = 30,
    num_steps: int = 16,
    encoding: str = "poisson",
    seed: int = 0,
    small: bool = False,
    out_dir: str = "outputs",
) -> dict:
    """Train both modes on the digits; `small=True`: 2 epochs, at most 8 steps."""
    if small:
        epochs, num_steps = min(epochs, 2), min(num_steps, 8)
    data = bx.datasets.load_digits(seed=seed)
    init = NeuromorphicVision(
        num_steps=num_steps, encoding=encoding, key=jax.random.key(seed)
    )
    log = lambda line: print(line, flush=True)  # noqa: E731
    results = {}
    trained = {}
    for mode, loss_fn, scores_fn in (
        ("rate", rate_loss, rate_scores),
        ("spike", spike_loss, spike_scores),
    ):
        print(f"{mode} mode ({encoding} input, T = {num_steps}):", flush=True)
        trained[mode], history = fit(
            init,
            data,
            epochs=epochs,
            batch_size=64,
            learning_rate=1e-3,
            loss_fn=loss_fn,
            scores_fn=scores_fn,
            seed=seed,
            log=log,
        )
        results[mode] = history[-1]["test_accuracy"]
        results[f"{mode}_train_seconds"] = history[-1]["train_seconds"]
    results["rate_weights_in_spike_mode"] = evaluate(
        trained["rate"], data.x_test, data.y_test, scores_fn=spike_scores, seed=seed
    )
    print(
        f"test accuracy: rate mode {results['rate']:.4f}, spike mode "
        f"{results['spike']:.4f}, rate-trained weights in spike mode "
        f"{results['rate_weights_in_spike_mode']:.4f}"
    )
    path = _networks.output_path(out_dir, "neuromorphic_vision_raster.png")
    save_raster(trained["spike"], jnp.asarray(data.x_test[0]), path)
    print(f"raster: {path}")
    return results


def _options(parser):
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--num-steps", dest="num_steps", type=int, default=16)
    parser.add_argument("--encoding", choices=["poisson", "latency"], default="poisson")
    parser.add_argument("--seed", type=int, default=0)


if __name__ == "__main__":
    _networks.command_line(__doc__, main, "2 epochs, T <= 8", _options)
