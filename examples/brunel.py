"""Brunel's (2000) sparse E/I network in its four dynamical regimes.

12500 LIF neurons (10000 excitatory, 2500 inhibitory) with delta synapses:
every neuron receives 1000 excitatory (J = 0.1 mV) and 250 inhibitory (-g J)
synapses with a 1.5 ms delay, and 1000 external Poisson inputs of eta nu_thr
each (nu_thr = 10 Hz). The relative inhibition g and the external drive eta set
the regime: SR (g = 3, eta = 2; synchronous regular, about 310 Hz), AI (5, 2;
asynchronous irregular, about 38 Hz, CV about 0.38), SI_fast (6, 4; about 60 Hz
with a 170-180 Hz population oscillation), SI_slow (4.5, 0.9).

The network is `bx.presets.brunel`. This script simulates one regime, prints
the rates, the CV of the inter-spike intervals, the strongest oscillation of
the population rate and the loop and compile times, and saves a raster plot of
the first neurons over the population rate.

Run: `python examples/brunel.py [--regime AI] [--small] [--n-exc N]
[--duration MS] [--out DIR]` (`--small`: N_E = 2000 with C_E = 1000 kept,
300 ms, seconds).

Reference: Brunel, N. (2000). Dynamics of sparsely connected networks of
excitatory and inhibitory spiking neurons. J. Comput. Neurosci. 8, 183-208.
"""

import os
import sys

import jax

import brainox as bx


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _networks  # noqa: E402


def main(
    regime: str = "AI",
    n_exc: int = 10000,
    duration: float = 1000.0,
    *,
    seed: int = 0,
    small: bool = False,
    out_dir: str = "outputs",
) -> dict:
    """Run one regime; `small=True` runs N_E = 2000 (C_E = 1000 kept) for 300 ms.

    The first 100 ms (the transient from the random start) are left out of the
    rates, the CV and the spectrum.
    """
    if small:
        n_exc, duration = min(n_exc, 2000), min(duration, 300.0)
    net = bx.presets.brunel(regime, key=jax.random.key(seed), n_exc=n_exc)
    rec, loop, compile_time = _networks.simulate_timed(net, duration)
    start = min(100.0, duration / 4)
    path = _networks.output_path(out_dir, f"brunel_{regime}_raster.png")
    frequency, ratio = bx.presets.spectral_peak(
        rec["exc"], n_exc, duration, start=start, segment_ms=min(100.0, duration / 3)
    )
    title = (
        f"Brunel (2000), {regime}: population rate peak at {frequency:.0f} Hz "
        f"({ratio:.0f}x the mean power)"
    )
    _networks.raster(rec, net, duration, path, title, max_neurons=200, bin_ms=0.5)
    out = _networks.summarize(
        f"Brunel {regime}", net, rec, duration, loop, compile_time, path, start=start
    )
    print(f"population oscillation: {frequency:.0f} Hz ({ratio:.1f}x the mean power)")
    return dict(out, regime=regime, peak_hz=frequency, peak_ratio=ratio)


def _options(parser):
    parser.add_argument(
        "--regime", default="AI", choices=sorted(bx.presets.REGIMES), help="regime"
    )
    parser.add_argument("--n-exc", type=int, default=10000, help="N_E")
    parser.add_argument("--duration", type=float, default=1000.0, help="ms")


if __name__ == "__main__":
    _networks.command_line(__doc__, main, "N_E = 2000, 300 ms", _options)
