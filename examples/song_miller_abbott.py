"""Competitive Hebbian learning through STDP (Song, Miller & Abbott 2000).

One conductance-based LIF neuron receives 1000 excitatory Poisson inputs at
15 Hz through synapses with additive pair STDP (hard bounds `[0, g_max]`,
`A_minus / A_plus = 1.05`, 20 ms windows), as in Brian2's `stdp1` example.
Starting from uniform weights, the synapses compete: the weight distribution
becomes bimodal (piles at 0 and at `g_max`), and the output rate first falls
(depression dominates while the inputs are uncorrelated with the output), then
settles when the few strong synapses drive the neuron.

The neuron: `tau_m dV/dt = (E_L - V) + g (E_e - V)` with `tau_m = 10` ms,
`E_L = -74`, `V_th = -54`, `V_reset = -60`, `E_e = 0` mV, and `g` (in units of
the leak conductance, here 1 nS with R = 1000 MOhm) decaying with 5 ms. Every
input spike adds its weight `w` to `g`.

The script prints the fractions of weights near 0 (< 0.1 g_max) and near g_max
(> 0.9 g_max) and the output rate over time, and saves
`song_miller_abbott.png` (weight histograms over time and the output rate).

Run: `python examples/song_miller_abbott.py [--small] [--duration MS] [--out DIR]`
(`--small`: 10 s of simulated time; the default is 100 s).

References: Song, S., Miller, K. D. & Abbott, L. F. (2000). Competitive Hebbian
learning through spike-timing-dependent synaptic plasticity. Nat. Neurosci. 3,
919-926. Brian2 example `synapses/STDP` (stdp1).
"""

import argparse
import os
import time

import jax
import numpy as np

import brainox as bx


N_INPUTS = 1000
G_MAX = 0.01  # nS (units of the 1 nS leak conductance)
DT = 0.1  # ms


def network(seed: int = 0, rate: float = 15.0, A_plus: float = 0.01) -> bx.Network:
    """1000 Poisson inputs onto one LIF neuron through plastic COBA synapses.

    `A_plus` is the potentiation amplitude as a fraction of `G_MAX`; the
    depression amplitude is 1.05 times larger.
    """
    k_weight, k_inputs = jax.random.split(jax.random.key(seed))
    table = bx.connect.all_to_all(N_INPUTS, 1)
    w0 = jax.random.uniform(k_weight, table.indices.shape, maxval=G_MAX)
    stdp = bx.plasticity.PairSTDP(
        A_plus=A_plus * G_MAX,
        A_minus=1.05 * A_plus * G_MAX,
        tau_plus=20.0,
        tau_minus=20.0,
        weight_dependence=bx.plasticity.Additive(w_min=0.0, w_max=G_MAX),
    )
    synapses = bx.Projection(
        "inputs",
        "neuron",
        table,
        weight=bx.LongTerm(w0),
        synapse=bx.synapses.Exponential(1, tau=5.0),
        output=bx.outputs.COBA(E=0.0),
        propagation=bx.connect.Dense(),  # one post neuron: a matrix-vector product
        plasticity=stdp,
    )
    neuron = bx.LIF(1, tau=10.0, V_rest=-74.0, V_reset=-60.0, V_th=-54.0, R=1000.0)
    inputs = bx.inputs.PoissonGroup(N_INPUTS, rate, key=k_inputs)
    return bx.Network({"inputs": inputs, "neuron": neuron}, {"stdp": synapses})


def run(net: bx.Network, duration: float, every_ms: float = 1000.0):
    """Simulate; return weights recorded every `every_ms` and the output spike times."""
    net, rec = bx.simulate(
        net,
        duration,
        dt=DT,
        monitors={"w": lambda n: n.projections["stdp"].weight.value[:, 0]},
        record_every=int(round(every_ms / DT)),
        spikes={"out": "populations.neuron.spike"},
    )
    return net, np.asarray(rec["t"]), np.asarray(rec["w"]), np.asarray(rec["out"].time)


def summarize(times, weights, spike_times, duration, n_rows: int = 10) -> dict:
    """Fractions near the bounds and the output rate, in `n_rows` time windows."""
    edges = np.linspace(0.0, duration, n_rows + 1)
    counts, _ = np.histogram(spike_times, bins=edges)
    rates = counts / (np.diff(edges) / 1000.0)
    rows = []
    for k in range(n_rows):
        # The weights recorded last in window k.
        i = np.searchsorted(times, edges[k + 1] - 1e-6, side="right") - 1
        w = weights[i]
        rows.append(
            (edges[k + 1], np.mean(w < 0.1 * G_MAX), np.mean(w > 0.9 * G_MAX), rates[k])
        )
    return {"rows": rows}


def plot(times, weights, spike_times, duration, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_hist, ax_rate) = plt.subplots(1, 2, figsize=(11, 4), dpi=120)
    picks = np.unique(np.linspace(0, len(times) - 1, 4).astype(int))
    bins = np.linspace(0.0, 1.0, 41)
    for i in picks:
        ax_hist.hist(weights[i] / G_MAX, bins=bins, histtype="step", lw=1.5,
                     label=f"t = {times[i] / 1000:.0f} s")  # fmt: skip
    ax_hist.set_xlabel("w / g_max")
    ax_hist.set_ylabel("synapses")
    ax_hist.set_title("Weight distribution")
    ax_hist.legend()
    bin_ms = max(duration / 50, 200.0)
    edges = np.arange(0.0, duration + bin_ms / 2, bin_ms)
    counts, _ = np.histogram(spike_times, bins=edges)
    ax_rate.plot(edges[1:] / 1000, counts / (bin_ms / 1000), "k.-")
    ax_rate.set_xlabel("time (s)")
    ax_rate.set_ylabel("output rate (Hz)")
    ax_rate.set_title("Output rate")
    fig.suptitle("Song, Miller & Abbott (2000): additive STDP")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main(duration: float = 100_000.0, *, seed: int = 0, small: bool = False,
         out_dir: str = "outputs") -> dict:  # fmt: skip
    """Run the experiment; `small=True` simulates 10 s."""
    if small:
        duration = min(duration, 10_000.0)
    start = time.perf_counter()
    _, times, weights, spike_times = run(network(seed), duration)
    elapsed = time.perf_counter() - start
    summary = summarize(times, weights, spike_times, duration)
    print(
        f"Song, Miller & Abbott: {duration / 1000:.0f} s simulated in {elapsed:.1f} s"
    )
    print("   t (s)  w < 0.1 g_max  w > 0.9 g_max  rate (Hz)")
    for t, low, high, rate in summary["rows"]:
        print(f"{t / 1000:8.1f}  {low:13.3f}  {high:13.3f}  {rate:9.1f}")
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "song_miller_abbott.png")
    plot(times, weights, spike_times, duration, path)
    print(f"saved {path}")
    return summary


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="10 s of simulated time")
    parser.add_argument("--duration", type=float, default=100_000.0, help="ms")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="outputs", help="directory for the figure")
    args = parser.parse_args()
    main(args.duration, seed=args.seed, small=args.small, out_dir=args.out)
