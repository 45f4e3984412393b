"""The COBAHH network: 4000 Hodgkin-Huxley neurons with conductance synapses.

Benchmark 3 of Brette et al. (2007), as in Brian2's COBAHH example: 3200
excitatory and 800 inhibitory Traub-Miles Hodgkin-Huxley cells (20000 um^2,
spike = crossing of -20 mV), connected at random with probability 2%, with
exponentially decaying excitatory (6 nS, 5 ms, 0 mV) and inhibitory (67 nS,
10 ms, -80 mV) conductances. Self-sustained activity at about 34-36 Hz.

The network is `bx.presets.cobahh`: two `bx.TraubMilesHH` populations and four
projections (`bx.Network`). This script simulates it, prints the rates, the CV
of the inter-spike intervals and the loop and compile times, and saves a raster
plot.

Run: `python examples/cobahh.py [--small] [--n N] [--duration MS] [--out DIR]`
(`--small`: 2000 neurons, 300 ms, seconds).

Reference: Brette, R. et al. (2007). Simulation of networks of spiking neurons:
a review of tools and strategies. J. Comput. Neurosci. 23, 349-398.
"""

import os
import sys

import jax

import brainox as bx


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _networks  # noqa: E402


def main(
    n: int = 4000,
    duration: float = 1000.0,
    *,
    seed: int = 0,
    small: bool = False,
    out_dir: str = "outputs",
) -> dict:
    """Run the COBAHH network; `small=True` runs 2000 neurons for 300 ms.

    The in-degree (80 synapses per neuron), and with it the rates, stay as in the
    full network at any `n`.
    """
    if small:
        n, duration = min(n, 2000), min(duration, 300.0)
    net = bx.presets.cobahh(n, key=jax.random.key(seed))
    rec, loop, compile_time = _networks.simulate_timed(net, duration)
    path = _networks.output_path(out_dir, "cobahh_raster.png")
    title = "COBAHH (Brette et al. 2007, benchmark 3): E blue, I red"
    _networks.raster(rec, net, duration, path, title)
    return _networks.summarize("COBAHH", net, rec, duration, loop, compile_time, path)


def _options(parser):
    parser.add_argument("--n", type=int, default=4000, help="number of neurons")
    parser.add_argument("--duration", type=float, default=1000.0, help="ms")


if __name__ == "__main__":
    _networks.command_line(__doc__, main, "2000 neurons, 300 ms", _options)
