"""From BrainState to brainox, section 5.2: a 3-layer spiking network and its raster.

The seed tutorial's `SpikingNetwork`: 50 Poisson inputs (10 % spike probability
per step) project through a weight matrix onto 100 LIF neurons (tau = 10 ms),
which project onto 10 LIF output neurons (tau = 20 ms). The weights are plain
arrays (parameters); the neurons are `bx.nn.LIF` layers whose decay per 1 ms step
is `exp(-dt / tau)`. `bx.nn.run` simulates 50 steps in one `lax.scan` and
`bx.nn.record_spikes` records every layer's spikes; the script saves the raster
plot of the hidden and output layers (`spiking_network_raster.png`).

Run: `python examples/tutorial_spiking_network.py [--small] [--out DIR]`
(seconds either way).

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


class SpikingNetwork(bx.nn.AbstractLayer):
    """Input -> W_in -> hidden LIF -> W_out -> output LIF; one call is one step.

    **Arguments:** sizes of the three layers, the weight scale (input charge per
    presynaptic spike, in units of the threshold), the time step and the two
    membrane time constants (ms).
    """

    W_in: jax.Array
    W_out: jax.Array
    hidden: bx.nn.LIF
    output: bx.nn.LIF

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        output_size: int,
        *,
        weight_scale: float = 0.5,
        dt: float = 1.0,
        tau_hidden: float = 10.0,
        tau_output: float = 20.0,
        key: jax.Array,
    ):
        k_in, k_out = jax.random.split(key)
        self.W_in = weight_scale * jax.random.normal(k_in, (input_size, hidden_size))
        self.W_out = weight_scale * jax.random.normal(k_out, (hidden_size, output_size))
        self.hidden = bx.nn.LIF(hidden_size, beta=bx.nn.decay(tau_hidden, dt))
        self.output = bx.nn.LIF(output_size, beta=bx.nn.decay(tau_output, dt))

    def __call__(self, x: jax.Array) -> tuple[jax.Array, "SpikingNetwork"]:
        h, hidden = self.hidden(x @ self.W_in)
        o, output = self.output(h @ self.W_out)
        new = eqx.tree_at(lambda m: (m.hidden, m.output), self, (hidden, output))
        return o, new


def save_raster(hidden: jax.Array, output: jax.Array, path: str) -> None:
    """The tutorial's two-panel raster: hidden (black) and output (red) spikes."""
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(10, 6))
    for ax, spikes, colour, size, title in (
        (ax1, hidden, "black", 1, "Hidden Layer Spike Raster"),
        (ax2, output, "red", 5, "Output Layer Spike Raster"),
    ):
        times, neurons = jnp.nonzero(spikes)
        ax.scatter(times, neurons, s=size, c=colour, alpha=0.7)
        ax.set_ylabel("Neuron Index")
        ax.set_title(title)
        ax.set_xlim(0, spikes.shape[0])
    ax2.set_xlabel("Time Step")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(
    *, num_steps: int = 50, seed: int = 0, small: bool = False, out_dir: str = "outputs"
) -> dict:
    """Simulate the network on random input spikes and save the raster plot."""
    del small  # seconds either way
    k_net, k_in = jax.random.split(jax.random.key(seed))
    snn = SpikingNetwork(50, 100, 10, key=k_net)
    spike_input = jax.random.bernoulli(k_in, 0.1, (num_steps, 50)).astype(jnp.float32)
    _, _, rec = bx.nn.run(bx.reset(snn), spike_input, record=bx.nn.record_spikes)
    hidden, output = rec[".hidden"], rec[".output"]
    print(f"Hidden activity shape: {hidden.shape}")
    print(f"Output activity shape: {output.shape}")
    print(
        f"Total hidden spikes: {int(hidden.sum())}, output spikes: {int(output.sum())}"
    )
    path = _networks.output_path(out_dir, "spiking_network_raster.png")
    save_raster(hidden, output, path)
    print(f"raster: {path}")
    return {"hidden": hidden, "output": output}


if __name__ == "__main__":
    _networks.command_line(__doc__, main, "same as the full run (seconds)")
