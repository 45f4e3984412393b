"""A spiking convolutional network trained on Fashion-MNIST with surrogate gradients.

The brainox counterpart of the seed tutorial's `SpikingCNN` (section 4), trained.
A convolution (`eqx.nn.Conv2d`) and 2x2 max pooling turn the image into a
constant input current (direct encoding); from there everything spikes for `T`
steps: LIF neurons, a second convolution on their spikes, max pooling, LIF
neurons, a fully connected LIF layer, and a non-spiking
leaky-integrator (LI) readout whose potential, averaged over time, gives the class
scores. It is trained with backpropagation through time and the arctan surrogate
gradient of the spikes (`bx.nn.LIF`), batched with `jax.vmap`, with Adam and a
cosine learning-rate decay.

The script prints the loss and the test accuracy after every epoch, and saves
the learning curve (`spiking_cnn_curve.png`) and the history (`history.json`).

Run: `python examples/spiking_cnn_fashion_mnist.py [--small] [--epochs N]
[--train-size N] [--num-steps T] [--out DIR]` (`--small`: 2000 training images,
one epoch). By default it trains 2 epochs on the first 30000 training images
(`--train-size 60000` for all of them) and tests on all 10000 test images.
`--init DIR/spiking_cnn.eqx` continues training from a model it saved.
Fashion-MNIST comes from the Debian package
`dataset-fashion-mnist` (or pass `--data DIR`).

References: Xiao, H., Rasul, K. & Vollgraf, R. (2017). Fashion-MNIST.
arXiv:1708.07747. Neftci, E. O., Mostafa, H. & Zenke, F. (2019). Surrogate
gradient learning in spiking neural networks. IEEE Signal Process. Mag. 36, 51-63.
Rueckauer, B. et al. (2017). Conversion of continuous-valued deep networks to
efficient event-driven networks for image classification. Front. Neurosci. 11, 682
(direct, analogue input to the first layer).
"""

import json
import os
import sys
import time
from collections.abc import Callable

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax

import brainox as bx


F32 = jnp.float32
"""The layers' dtype: float32 like the data and bx.nn's layers, also in 64-bit
mode (where eqx.nn layers would default to float64)."""


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _networks  # noqa: E402


class SpikingCNN(eqx.Module):
    """Conv stem (direct current) -> LIF conv layers -> LIF dense -> LI readout.

    The stem (convolution and 2x2 max pooling of the image) is computed once: its
    output is the constant input current of the first LIF layer at every step.
    Called on one image `(28, 28)`, the model returns the readout potential
    `(T, 10)`. The weights start at `weight_gain` times Equinox's default
    initialisation (uniform, scaled by 1/sqrt(fan-in)): with the default gain 3,
    15-25 % of the LIF neurons of each layer spike on the first image batch, so
    surrogate gradients reach every layer from the first step (with gain 1 the
    dense LIF layer starts silent and the loss hardly moves).
    """

    stem: eqx.nn.Sequential
    body: bx.nn.Sequential
    num_steps: int = eqx.field(static=True)

    def __init__(
        self,
        *,
        channels: tuple[int, int] = (16, 32),
        hidden: int = 128,
        num_steps: int = 4,
        beta: float = 0.9,
        weight_gain: float = 3.0,
        image_size: int = 28,
        num_classes: int = 10,
        key: jax.Array,
    ):
        c1, c2 = channels
        k_stem, k_conv, k_fc, k_out = jax.random.split(key, 4)
        half, quarter = image_size // 2, image_size // 4
        pool = eqx.nn.MaxPool2d(2, 2)
        stem_conv = eqx.nn.Conv2d(1, c1, 3, padding=1, key=k_stem, dtype=F32)
        self.stem = eqx.nn.Sequential([scale_weights(stem_conv, weight_gain), pool])
        self.body = bx.nn.Sequential(
            [
                bx.nn.LIF((c1, half, half), beta=beta),
                scale_weights(
                    eqx.nn.Conv2d(c1, c2, 3, padding=1, key=k_conv, dtype=F32),
                    weight_gain,
                ),
                pool,
                bx.nn.LIF((c2, quarter, quarter), beta=beta),
                eqx.nn.Lambda(jnp.ravel),
                scale_weights(
                    eqx.nn.Linear(c2 * quarter**2, hidden, key=k_fc, dtype=F32),
                    weight_gain,
                ),
                bx.nn.LIF(hidden, beta=beta),
                scale_weights(
                    eqx.nn.Linear(hidden, num_classes, key=k_out, dtype=F32),
                    weight_gain,
                ),
                bx.nn.LI(num_classes, beta=beta),
            ]
        )
        self.num_steps = num_steps

    def __call__(self, image: jax.Array) -> jax.Array:
        current = self.stem(image[None])  # the same input current at every step
        potentials, _ = bx.nn.run(
            bx.reset(self.body), bx.nn.current_encode(current, self.num_steps)
        )
        return potentials


def scale_weights(layer, gain: float):
    """`layer` (an `eqx.nn.Linear` or `eqx.nn.Conv2d`) with its weight times `gain`."""
    return eqx.tree_at(lambda m: m.weight, layer, gain * layer.weight)


def readout_loss(
    model: Callable, images: jax.Array, labels: jax.Array, key: jax.Array
) -> jax.Array:
    """Cross-entropy of the time-averaged readout potential, over a batch.

    `key` is unused: the direct encoding is deterministic.
    """
    del key
    potentials = jax.vmap(model)(images)
    return bx.nn.membrane_cross_entropy(potentials, labels, reduce="mean")


def readout_scores(model: Callable, images: jax.Array, key: jax.Array) -> jax.Array:
    """Class scores of a batch: the readout potential averaged over time."""
    del key
    return jax.vmap(model)(images).mean(axis=-2)


@eqx.filter_jit
def _correct(scores_fn, model, images, labels, key) -> jax.Array:
    return jnp.sum(jnp.argmax(scores_fn(model, images, key), axis=-1) == labels)


def evaluate(
    model: Callable,
    x: np.ndarray,
    y: np.ndarray,
    *,
    scores_fn: Callable = readout_scores,
    seed: int = 0,
    batch: int = 500,
) -> float:
    """Accuracy of `model`: `scores_fn(model, x, key)` gives `(B, C)` scores."""
    keys = jax.random.split(jax.random.key(seed), -(-len(y) // batch))
    correct = sum(
        int(_correct(scores_fn, model, x[i : i + batch], y[i : i + batch], k))
        for i, k in zip(range(0, len(y), batch), keys, strict=True)
    )
    return correct / len(y)


def fit(
    model: Callable,
    data: bx.datasets.Dataset,
    *,
    epochs: int,
    batch_size: int = 128,
    learning_rate: float = 2e-3,
    loss_fn: Callable = readout_loss,
    scores_fn: Callable = readout_scores,
    seed: int = 0,
    max_seconds: float | None = None,
    progress_every: int = 0,
    log: Callable[[str], None] = print,
) -> tuple[Callable, list[dict]]:
    """Train with Adam and a cosine decay; evaluate on the test set every epoch.

    `loss_fn(model, x, y, key)` is the loss of a batch and `scores_fn(model, x,
    key)` its `(B, C)` class scores (`key` for random input encodings; a fresh
    one per batch). Returns the trained model and the history (one dict per
    epoch: mean training loss, test accuracy, seconds of training). With
    `max_seconds`, training stops early when another epoch would end after that
    many seconds of training. With `progress_every`, the mean loss of the last
    `progress_every` batches is logged every `progress_every` batches.
    """
    n = len(data.y_train)
    steps_per_epoch = n // batch_size
    schedule = optax.cosine_decay_schedule(learning_rate, epochs * steps_per_epoch)
    optimizer = optax.adam(schedule)
    opt_state = bx.nn.init_optimizer(optimizer, model)
    step = bx.nn.make_train_step(loss_fn, optimizer)
    rng = np.random.default_rng(seed)
    key = jax.random.key(seed)
    history = []
    start = time.perf_counter()
    for epoch in range(epochs):
        order = rng.permutation(n)
        losses = []
        for b in range(steps_per_epoch):
            idx = order[b * batch_size : (b + 1) * batch_size]
            key, batch_key = jax.random.split(key)
            model, opt_state, loss = step(
                model, opt_state, data.x_train[idx], data.y_train[idx], batch_key
            )
            losses.append(float(loss))
            if progress_every and (b + 1) % progress_every == 0:
                log(
                    f"  batch {b + 1}/{steps_per_epoch}: loss "
                    f"{np.mean(losses[-progress_every:]):.4f}, "
                    f"{time.perf_counter() - start:.0f} s"
                )
        train_seconds = time.perf_counter() - start
        accuracy = evaluate(
            model, data.x_test, data.y_test, scores_fn=scores_fn, seed=seed + 1
        )
        history.append(
            {
                "epoch": epoch + 1,
                "loss": float(np.mean(losses)),
                "first_batch_loss": losses[0],
                "test_accuracy": accuracy,
                "train_seconds": train_seconds,
            }
        )
        log(
            f"epoch {epoch + 1}/{epochs}: loss {np.mean(losses):.4f}, "
            f"test accuracy {accuracy:.4f}, {train_seconds:.0f} s of training"
        )
        epoch_seconds = train_seconds / (epoch + 1)
        if max_seconds is not None and train_seconds + epoch_seconds > max_seconds:
            if epoch + 1 < epochs:
                log(f"stopping after epoch {epoch + 1}: time budget {max_seconds} s")
            break
    return model, history


def save_curve(history: list[dict], path: str, title: str) -> None:
    """Plot the training loss and the test accuracy per epoch."""
    import matplotlib.pyplot as plt

    epochs = [h["epoch"] for h in history]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5))
    ax1.plot(epochs, [h["loss"] for h in history], "o-")
    ax1.set_xlabel("epoch")
    ax1.set_ylabel("training loss (nats)")
    ax2.plot(epochs, [100 * h["test_accuracy"] for h in history], "o-")
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("test accuracy (%)")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(
    *,
    epochs: int = 2,
    train_size: int = 30000,
    num_steps: int = 4,
    batch_size: int = 128,
    learning_rate: float = 2e-3,
    seed: int = 0,
    time_budget: float | None = None,
    init: str | None = None,
    data: str | None = None,
    small: bool = False,
    out_dir: str = "outputs",
) -> dict:
    """Train the spiking CNN; `small=True`: 2000 images, 1000 test, one epoch."""
    dataset = bx.datasets.load_fashion_mnist(path=data)
    if small:
        epochs, train_size = 1, min(train_size, 2000)
        dataset = dataset._replace(
            x_test=dataset.x_test[:1000], y_test=dataset.y_test[:1000]
        )
    dataset = dataset._replace(
        x_train=dataset.x_train[:train_size], y_train=dataset.y_train[:train_size]
    )
    model = SpikingCNN(num_steps=num_steps, key=jax.random.key(seed))
    if init is not None:  # continue from a model this script saved
        model = eqx.tree_deserialise_leaves(init, model)
    print(
        f"Spiking CNN on Fashion-MNIST: {len(dataset.y_train)} training and "
        f"{len(dataset.y_test)} test images, T = {num_steps} steps, "
        f"{epochs} epochs, batch {batch_size}",
        flush=True,
    )
    log = lambda line: print(line, flush=True)  # noqa: E731
    model, history = fit(
        model,
        dataset,
        epochs=epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        seed=seed,
        max_seconds=time_budget,
        progress_every=50,
        log=log,
    )
    best = max(h["test_accuracy"] for h in history)
    print(
        f"final test accuracy {history[-1]['test_accuracy']:.4f} (best {best:.4f}), "
        f"training time {history[-1]['train_seconds']:.0f} s"
    )
    with open(_networks.output_path(out_dir, "history.json"), "w") as f:
        json.dump(history, f, indent=1)
    title = f"Spiking CNN, Fashion-MNIST, T = {num_steps}"
    save_curve(history, _networks.output_path(out_dir, "spiking_cnn_curve.png"), title)
    eqx.tree_serialise_leaves(_networks.output_path(out_dir, "spiking_cnn.eqx"), model)
    return {"history": history, "best_test_accuracy": best}


def _options(parser):
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--train-size", dest="train_size", type=int, default=30000)
    parser.add_argument("--num-steps", dest="num_steps", type=int, default=4)
    parser.add_argument("--batch-size", dest="batch_size", type=int, default=128)
    parser.add_argument(
        "--learning-rate", dest="learning_rate", type=float, default=2e-3
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--time-budget",
        dest="time_budget",
        type=float,
        default=None,
        help="seconds of training after which no new epoch starts",
    )
    parser.add_argument("--init", default=None, help="start from a saved model")
    parser.add_argument("--data", default=None, help="folder with the IDX files")


if __name__ == "__main__":
    _networks.command_line(__doc__, main, "2000 images, one epoch", _options)
