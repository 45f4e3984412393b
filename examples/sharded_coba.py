"""The COBA network sharded across devices, and a sweep of its drive split across them.

Two uses of several devices (`bx.distributed`):

1. **One network over several devices.** The COBA network (Vogels & Abbott 2005;
   `bx.presets.coba` with a fixed in-degree of 80) is simulated on one device and
   sharded over all of them (`bx.distributed.shard`): each device holds a block of
   every population and the synapses into it, and the spikes are exchanged every
   step. The script checks that both runs give the same spikes and saves the
   raster.
2. **Many networks at once.** The excitatory rate as a function of the external
   drive (`I_ext`, pA), for several drives in one compiled, vectorised run split
   over the devices (`bx.distributed.sweep`); saved as a plot.

On a CPU the script asks JAX for 4 simulated devices (they share the cores: this
shows the mechanics, not a speed-up); on a multi-GPU host it uses the GPUs.

Run: `python examples/sharded_coba.py [--small] [--n N] [--duration MS]
[--out DIR]` (`--small`: 1000 neurons, 200 ms, a 6-point sweep of 400-neuron
networks; a minute on 2 cores).

References: Vogels, T. P. & Abbott, L. F. (2005). J. Neurosci. 25, 10786-10795.
Morrison, A. et al. (2005). Neural Comput. 17, 1776-1801 (distributed simulation
with an all-gather of the spikes).
"""

import os
import sys
import time

import jax


jax.config.update("jax_num_cpu_devices", 4)  # only the CPU platform reads it

import equinox as eqx  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

import brainox as bx  # noqa: E402


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _networks  # noqa: E402


DT = 0.1

SWEEP_MONITORS = {"exc": lambda m: jnp.sum(m.populations["exc"].spike.value)}


def excitatory_rate(I_ext, net, n_steps):
    """The excitatory rate (Hz) of `net` driven by `I_ext` (pA)."""
    net = eqx.tree_at(lambda n: n.projections["drive_exc"].amplitude, net, I_ext)
    _, rec = bx.simulate(net, n_steps=n_steps, dt=DT, monitors=SWEEP_MONITORS)
    n_exc = net.populations["exc"].size
    return jnp.sum(rec["exc"]) / n_exc / (n_steps * DT / 1000.0)


def sweep_plot(currents, rates, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.5), dpi=120)
    ax.plot(currents, rates, "o-")
    ax.set(xlabel="external drive I_ext (pA)", ylabel="excitatory rate (Hz)")
    ax.set_title("COBA: rate against drive (one sweep)")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main(
    n: int = 4000,
    duration: float = 1000.0,
    *,
    seed: int = 0,
    small: bool = False,
    out_dir: str = "outputs",
) -> dict:
    """Run COBA on one device and sharded; sweep the drive; save two plots."""
    if small:
        n, duration = min(n, 1000), min(duration, 200.0)
    devices = jax.devices()
    mesh = jax.make_mesh((len(devices),), ("devices",))
    net = bx.presets.coba(n, key=jax.random.key(seed), fixed_in_degree=80)
    monitors = bx.presets.spike_monitors(net)

    _, one = bx.simulate(net, duration, dt=DT, spikes=monitors)
    start = time.perf_counter()
    sharded = bx.distributed.shard(net, mesh)
    _, rec = bx.simulate(sharded, duration, dt=DT, spikes=monitors)
    elapsed = time.perf_counter() - start
    same = all(
        np.array_equal(one[k].step, rec[k].step)
        and np.array_equal(one[k].index, rec[k].index)
        for k in monitors
    )
    rates = bx.presets.firing_rates(rec, net, duration)
    where = f"{len(devices)} {devices[0].platform} devices"
    print(f"COBA, N = {n}, {duration:g} ms on {where}")
    print("rates: " + ", ".join(f"{k} {v:.2f} Hz" for k, v in rates.items()))
    print(f"sharded run (with compilation): {elapsed:.2f} s")
    print(f"same spikes as on one device: {same}")
    raster = _networks.output_path(out_dir, "sharded_coba_raster.png")
    title = f"COBA sharded over {len(devices)} devices: E blue, I red"
    _networks.raster(rec, net, duration, raster, title, max_neurons=1000)

    n_sweep, steps = (400, 2000) if small else (n, int(round(duration / DT)))
    currents = jnp.linspace(100.0, 400.0, 6 if small else 16)  # pA
    base = bx.presets.coba(n_sweep, key=jax.random.key(seed), fixed_in_degree=80)
    start = time.perf_counter()
    sweep_rates = bx.distributed.sweep(
        lambda current, net: excitatory_rate(current, net, steps),
        currents,
        base,
        mesh=mesh,
    )
    print(f"sweep of {len(currents)} drives: {time.perf_counter() - start:.2f} s")
    for current, rate in zip(
        np.asarray(currents), np.asarray(sweep_rates), strict=True
    ):
        print(f"  I_ext = {current:6.1f} pA: exc {rate:6.2f} Hz")
    plot = _networks.output_path(out_dir, "sharded_coba_sweep.png")
    sweep_plot(np.asarray(currents), np.asarray(sweep_rates), plot)
    print(f"plots: {raster}, {plot}")
    return dict(
        rates_hz=rates,
        same_spikes=same,
        sweep_currents_pa=np.asarray(currents).tolist(),
        sweep_rates_hz=np.asarray(sweep_rates).tolist(),
    )


def _options(parser):
    parser.add_argument("--n", type=int, default=4000, help="number of neurons")
    parser.add_argument("--duration", type=float, default=1000.0, help="ms")


if __name__ == "__main__":
    _networks.command_line(
        __doc__, main, "1000 neurons, 200 ms; a 6-point sweep", _options
    )
