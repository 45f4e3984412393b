"""A spiking MLP trained with surrogate gradients on the scikit-learn 8x8 digits.

The network is `eqx.nn.Linear` layers with `bx.nn.LIF` spiking layers in between
and a leaky-integrator readout (`bx.nn.LI`): 64 -> 256 LIF -> 256 LIF -> 10 LI.
Each image (pixels standardised with the training set's mean and standard
deviation) is fed as a constant current for T = 16 steps
(`bx.nn.current_encode`); the class score is the maximum over time of the
readout potential (`bx.nn.membrane_cross_entropy`). Training is backpropagation
through time with the arctan surrogate, Adam with a cosine learning-rate decay,
and `bx.nn.make_train_step` (gradients over parameters only). The split is the
stratified 80/20 split of `bx.datasets.load_digits(seed=0)` (1438 / 359 images).

The script prints the test accuracy and the training time (including
compilation and an evaluation every 10 epochs), and saves the test accuracy
over training and the hidden spike raster of one test image.

Run: `python examples/spiking_mlp_digits.py [--small] [--epochs N] [--out DIR]`
(`--small`: 3 epochs, a few seconds). The full run (40 epochs, seed 0) reaches
97.2% test accuracy (349/359; seeds 1 and 2: 97.2% and 98.1%) and trains in
about 12 s on a 2-core CPU (80 s when the machine is heavily shared).

References: Neftci, E. O., Mostafa, H. & Zenke, F. (2019). Surrogate gradient
learning in spiking neural networks. IEEE Signal Process. Mag. 36(6), 51-63.
Zenke, F. & Vogels, T. P. (2021). Neural Computation 33(4), 899-925.
"""

import argparse
import os
import time

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax

import brainox as bx


NUM_STEPS = 16
HIDDEN = 256
BATCH = 64


def build(key) -> bx.nn.Sequential:
    """64 -> 256 LIF -> 256 LIF -> 10 LI, decay beta = 0.9 per step."""
    k1, k2, k3 = jax.random.split(key, 3)
    return bx.nn.Sequential(
        [
            eqx.nn.Linear(64, HIDDEN, key=k1),
            bx.nn.LIF(HIDDEN, beta=0.9),
            eqx.nn.Linear(HIDDEN, HIDDEN, key=k2),
            bx.nn.LIF(HIDDEN, beta=0.9),
            eqx.nn.Linear(HIDDEN, 10, key=k3),
            bx.nn.LI(10, beta=0.9),
        ]
    )


def readout(model, image):
    """Readout potential over time `(T, 10)` for one flattened image."""
    V, _ = bx.nn.run(bx.reset(model), bx.nn.current_encode(image, NUM_STEPS))
    return V


def loss_fn(model, images, labels):
    V = jax.vmap(readout, in_axes=(None, 0))(model, images)
    return bx.nn.membrane_cross_entropy(V, labels, reduce="max")


@eqx.filter_jit
def accuracy(model, images, labels):
    V = jax.vmap(readout, in_axes=(None, 0))(model, images)
    return bx.nn.membrane_accuracy(V, labels, reduce="max")


def standardise(x_train: np.ndarray, x_test: np.ndarray):
    """Centre each pixel and divide by its standard deviation (training set).

    0.1 (a pixel count of 1.6 / 16) is added to the deviation so that pixels that
    are almost always blank (the image border) are not blown up.
    """
    mean, scale = x_train.mean(0), x_train.std(0) + 0.1
    return (x_train - mean) / scale, (x_test - mean) / scale


def main(
    *, epochs: int = 40, seed: int = 0, small: bool = False, out_dir: str = "outputs"
) -> dict:
    """Train and evaluate; `small=True` trains for 3 epochs."""
    if small:
        epochs = min(epochs, 3)
    data = bx.datasets.load_digits(seed=0)
    x_train, x_test = standardise(
        data.x_train.reshape(len(data.x_train), -1),
        data.x_test.reshape(len(data.x_test), -1),
    )
    model = build(jax.random.key(seed))
    steps_per_epoch = len(x_train) // BATCH
    schedule = optax.cosine_decay_schedule(2e-3, epochs * steps_per_epoch)
    optimizer = optax.adam(schedule)
    opt_state = bx.nn.init_optimizer(optimizer, model)
    train_step = bx.nn.make_train_step(loss_fn, optimizer)

    rng = np.random.default_rng(seed)
    history = []
    loss = jnp.full((), jnp.nan)
    start = time.perf_counter()
    for epoch in range(epochs):
        order = rng.permutation(len(x_train))
        for i in range(steps_per_epoch):
            batch = order[i * BATCH : (i + 1) * BATCH]
            model, opt_state, loss = train_step(
                model, opt_state, x_train[batch], data.y_train[batch]
            )
        if (epoch + 1) % 10 == 0 or epoch + 1 == epochs:
            test = float(accuracy(model, x_test, data.y_test))
            history.append((epoch + 1, test))
            print(f"epoch {epoch + 1:3d}  loss {float(loss):.4f}  test {test:.4f}")
    train_time = time.perf_counter() - start
    test_accuracy = history[-1][1]
    print(
        f"test accuracy {test_accuracy:.4f} ({round(test_accuracy * len(x_test))}/"
        f"{len(x_test)}), trained in {train_time:.1f} s ({epochs} epochs, "
        "including compilation and evaluation)"
    )
    path = _plot(model, x_test[0], history, out_dir)
    return {"test_accuracy": test_accuracy, "train_time_s": train_time, "plot": path}


def _plot(model, image, history, out_dir: str) -> str:
    import matplotlib.pyplot as plt

    _, _, spikes = bx.nn.run(
        bx.reset(model),
        bx.nn.current_encode(image, NUM_STEPS),
        record=bx.nn.record_spikes,
    )
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    epochs, accuracies = np.array(history).T
    ax1.plot(epochs, accuracies, "o-")
    ax1.set(xlabel="epoch", ylabel="test accuracy", title="Spiking MLP on digits")
    t, i = np.nonzero(np.asarray(spikes[".layers[1]"]))
    ax2.plot(t, i, "|k", markersize=2)
    ax2.set(xlabel="step", ylabel="hidden neuron", title="First hidden layer")
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "spiking_mlp_digits.png")
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--small", action="store_true", help="3 epochs")
    parser.add_argument("--epochs", type=int, default=40, help="training epochs")
    parser.add_argument("--seed", type=int, default=0, help="initialisation seed")
    parser.add_argument("--out", default="outputs", help="output directory")
    args = parser.parse_args()
    main(epochs=args.epochs, seed=args.seed, small=args.small, out_dir=args.out)
