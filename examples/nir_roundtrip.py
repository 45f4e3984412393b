"""Export a trained spiking MLP to NIR, read it back, and check nothing changed.

A spiking MLP (64 inputs -> 128 LIF -> 10 LI readout) is trained for a short while
on scikit-learn's 8x8 digits (each image a constant input current for `T` steps,
class scores the readout potential averaged over time) with surrogate gradients
and Adam. It is then written as a NIR graph with `bx.interop.to_nir` and
`nir.write` (an HDF5 file, `digits_snn.nir`, that snnTorch, Norse, Spyx, Lava or
Sinabs can read), read back with `nir.read` and `bx.interop.from_nir`, and both
models are run on the test set: the script prints the graph's nodes, the test
accuracy of both, whether every hidden spike is identical and the largest
difference of the readout potentials, and saves the readout of one test digit
before and after the round trip (`nir_roundtrip.png`).

Run: `python examples/nir_roundtrip.py [--small] [--epochs N] [--out DIR]`
(`--small`: one epoch, a few seconds).

References: Pedersen, J. E. et al. (2024). Neuromorphic intermediate
representation: a unified instruction set for interoperable brain-inspired
computing. Nature Communications 15, 8122. Eshraghian, J. K. et al. (2023).
Training spiking neural networks using lessons from deep learning. Proc. IEEE
111, 1016-1054.
"""

import os
import sys

import equinox as eqx
import jax
import jax.numpy as jnp
import nir
import numpy as np
import optax

import brainox as bx


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _networks  # noqa: E402


NUM_STEPS = 20
DT = 1.0  # ms per step


def spiking_mlp(key: jax.Array) -> bx.nn.Sequential:
    """64 -> 128 LIF (tau 10 ms) -> 10 LI (tau 20 ms), dt = 1 ms."""
    k1, k2 = jax.random.split(key)
    return bx.nn.Sequential(
        [
            eqx.nn.Linear(64, 128, key=k1),
            bx.nn.LIF(128, beta=bx.nn.decay(10.0, DT), reset="zero"),
            eqx.nn.Linear(128, 10, key=k2),
            bx.nn.LI(10, beta=bx.nn.decay(20.0, DT)),
        ]
    )


def run_batch(model, images):
    """Readout potentials `(B, T, 10)` and hidden spikes `(B, T, 128)`."""

    def one(image):
        xs = bx.nn.current_encode(image.reshape(-1), NUM_STEPS)
        V, _, spikes = bx.nn.run(bx.reset(model), xs, record=bx.nn.record_spikes)
        return V, spikes[".layers[1]"]

    return jax.vmap(one)(images)


def train(model, data, epochs: int, key: jax.Array, batch: int = 64):
    def loss_fn(model, images, labels):
        V, _ = run_batch(model, images)
        return bx.nn.membrane_cross_entropy(V, labels, reduce="mean")

    optimizer = optax.adam(2e-3)
    opt_state = bx.nn.init_optimizer(optimizer, model)
    step = bx.nn.make_train_step(loss_fn, optimizer)
    n = len(data.x_train)
    for epoch in range(epochs):
        key, sub = jax.random.split(key)
        order = np.asarray(jax.random.permutation(sub, n))
        losses = []
        for i in range(0, n - batch + 1, batch):
            idx = order[i : i + batch]
            model, opt_state, loss = step(
                model, opt_state, data.x_train[idx], data.y_train[idx]
            )
            losses.append(float(loss))
        print(f"epoch {epoch + 1}: mean training loss {np.mean(losses):.3f}")
    return model


def plot(V, V_back, label: int, path: str) -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    t = np.arange(1, NUM_STEPS + 1) * DT
    for c in range(10):
        ax.plot(t, V[:, c], lw=2.5 if c == label else 1, alpha=0.6)
        ax.plot(t, V_back[:, c], "k:", lw=1)
    ax.set(
        xlabel="time (ms)",
        ylabel="readout potential",
        title=f"digit {label}: brainox (colour) and re-imported from NIR (dotted)",
    )
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(*, epochs: int = 5, small: bool = False, out_dir: str = "outputs") -> dict:
    """Train, export to `out_dir/digits_snn.nir`, re-import and compare."""
    if small:
        epochs = 1
    data = bx.datasets.load_digits(seed=0)
    key_model, key_train = jax.random.split(jax.random.key(0))
    model = train(spiking_mlp(key_model), data, epochs, key_train)

    path = _networks.output_path(out_dir, "digits_snn.nir")
    nir.write(path, bx.interop.to_nir(model, 64, dt=DT))
    graph = nir.read(path)
    for name, _ in graph.edges[1:]:
        node = graph.nodes[name]
        print(f"  {name:10s} {type(node).__name__:8s}", dict(node.output_type))
    model_back = bx.interop.from_nir(graph)

    V, spikes = run_batch(model, data.x_test)
    V_back, spikes_back = run_batch(model_back, data.x_test)
    accuracy = float(bx.nn.membrane_accuracy(V, data.y_test, reduce="mean"))
    accuracy_back = float(bx.nn.membrane_accuracy(V_back, data.y_test, reduce="mean"))
    same_spikes = bool(jnp.array_equal(spikes, spikes_back))
    max_dV = float(jnp.abs(V - V_back).max())
    print(f"test accuracy: brainox {accuracy:.3f}, re-imported {accuracy_back:.3f}")
    print(f"hidden spikes identical: {same_spikes} ({int(spikes.sum())} spikes)")
    print(f"largest readout difference: {max_dV:.2e}")
    figure = _networks.output_path(out_dir, "nir_roundtrip.png")
    plot(np.asarray(V[0]), np.asarray(V_back[0]), int(data.y_test[0]), figure)
    return {
        "accuracy": accuracy,
        "accuracy_reimported": accuracy_back,
        "same_spikes": same_spikes,
        "max_readout_difference": max_dV,
        "nir_file": path,
    }


def _options(parser):
    parser.add_argument("--epochs", type=int, default=5, help="training epochs")


if __name__ == "__main__":
    _networks.command_line(__doc__, main, "one training epoch", _options)
