"""The CUBA network: 4000 LIF neurons with current-based exponential synapses.

Benchmark 2 of Brette et al. (2007), after Vogels & Abbott (2005), as in
Brian2's CUBA example: 3200 excitatory and 800 inhibitory LIF neurons whose rest
potential (-49 mV) lies above threshold (-50 mV), connected at random with
probability 2%; a spike adds 1.62 mV (excitatory) or -9 mV (inhibitory) to an
exponentially decaying synaptic variable (5 ms, 10 ms) in the voltage equation.
Inhibition holds the self-driven network at about 5.5 Hz.

The network is `bx.presets.cuba`: two populations and four projections
(`bx.Network`). This script simulates it, prints the rates, the CV of the
inter-spike intervals and the loop and compile times, and saves a raster plot.

Run: `python examples/cuba.py [--small] [--n N] [--duration MS] [--out DIR]`
(`--small`: 1000 neurons, 300 ms, a few seconds).

References: Vogels, T. P. & Abbott, L. F. (2005). J. Neurosci. 25, 10786-10795.
Brette, R. et al. (2007). J. Comput. Neurosci. 23, 349-398.
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
    """Run the CUBA network; `small=True` runs 1000 neurons for 300 ms.

    The in-degree (80 synapses per neuron), and with it the rates, stay as in the
    full network at any `n`.
    """
    if small:
        n, duration = min(n, 1000), min(duration, 300.0)
    net = bx.presets.cuba(n, key=jax.random.key(seed))
    rec, loop, compile_time = _networks.simulate_timed(net, duration)
    path = _networks.output_path(out_dir, "cuba_raster.png")
    title = "CUBA (Brette et al. 2007, benchmark 2): E blue, I red"
    _networks.raster(rec, net, duration, path, title)
    return _networks.summarize("CUBA", net, rec, duration, loop, compile_time, path)


def _options(parser):
    parser.add_argument("--n", type=int, default=4000, help="number of neurons")
    parser.add_argument("--duration", type=float, default=1000.0, help="ms")


if __name__ == "__main__":
    _networks.command_line(__doc__, main, "1000 neurons, 300 ms", _options)
