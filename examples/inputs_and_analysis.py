"""Inputs and analysis: a LIF population driven by OU noise and a sinusoid.

A population of LIF neurons receives two inputs: an Ornstein-Uhlenbeck current
(`bx.inputs.OUCurrent`, an SDE stepped by diffrax with Wiener increments drawn in
blocks from an explicit key) inside the network, and a common 8 Hz sinusoidal
current (`bx.inputs.Sinusoid`) through `simulate`'s `inputs=`. The spikes are
then read with `bx.analysis`: the mean rate, the CV of the inter-spike
intervals, the Fano factor, the population rhythm (the spectral peak should be
the 8 Hz drive), Golomb's synchrony chi of the membrane potentials, and a
Victor-Purpura distance between two neurons. Three figures are saved with
`bx.plot`: `inputs_raster.png` (raster over the smoothed population rate),
`inputs_isi.png` (ISI histogram) and `inputs_traces.png` (potentials of three
neurons).

Run: `python examples/inputs_and_analysis.py [--small] [--out DIR]`
(`--small`: 200 neurons, 1 s, a few seconds).

References: Uhlenbeck, G. E. & Ornstein, L. S. (1930). Phys. Rev. 36, 823-841.
Golomb, D. & Rinzel, J. (1993). Phys. Rev. E 48, 4810-4814. Victor, J. D. &
Purpura, K. P. (1996). J. Neurophysiol. 76, 1310-1326.
"""

import argparse
import os

import jax

import brainox as bx


DT = 0.1  # ms
DRIVE_HZ = 8.0


def main(*, small: bool = False, out_dir: str = "outputs", seed: int = 0) -> dict:
    """Simulate, analyse and plot; return the measured statistics."""
    n, duration = (200, 1000.0) if small else (1000, 5000.0)
    lif = bx.LIF(
        n, tau=20.0, V_rest=-65.0, V_reset=-65.0, V_th=-50.0, R=100.0, t_ref=2.0
    )
    noise = bx.inputs.OUCurrent(
        "exc",
        n,
        mean=120.0,
        sigma=60.0,
        tau=5.0,
        key=jax.random.key(seed),
        dt=DT,
        stationary=True,
    )
    net = bx.Network({"exc": lif}, {"noise": noise})
    sinusoid = bx.inputs.Sinusoid(40.0, DRIVE_HZ, dt=DT, offset=20.0)  # pA
    net, rec = bx.simulate(
        net,
        duration,
        dt=DT,
        inputs={"exc": sinusoid},
        monitors={"V": lambda m: m.populations["exc"].V.value[:50]},
        spikes={"exc": "populations.exc.spike"},
    )
    spikes = rec["exc"]
    trains = bx.analysis.spike_trains(spikes, n=n)
    stats = {
        "rate_hz": float(bx.analysis.firing_rates(spikes, duration, n=n).mean()),
        "cv_isi": bx.analysis.cv_isi(spikes, n=n),
        "fano_100ms": bx.analysis.fano_factor(spikes, n, duration, bin_ms=100.0),
        "peak_hz": bx.analysis.spectral_peak(
            spikes, n, duration, bin_ms=1.0, segment_ms=500.0, f_min=2.0
        )[0],
        "chi_V": bx.analysis.golomb_chi(rec["V"]),
        "victor_purpura_q0.1": bx.analysis.victor_purpura(trains[0], trains[1], 0.1),
    }
    for name, value in stats.items():
        print(f"{name}: {value:.3f}")
    os.makedirs(out_dir, exist_ok=True)
    stats["figures"] = _figures(rec, n, duration, out_dir)
    return stats


def _figures(rec, n, duration, out_dir):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = {}
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(7, 4.5), sharex=True, height_ratios=[3, 1]
    )
    bx.plot.raster(rec["exc"], n=n, neurons=min(n, 200), ax=top, s=1.0)
    bx.plot.population_rate(
        rec["exc"], n, duration, bin_ms=1.0, kernel="gaussian", width=5.0, ax=bottom
    )
    top.set(title=f"LIF + OU noise + {DRIVE_HZ:g} Hz sinusoid", xlabel="")
    paths["raster"] = _save(fig, out_dir, "inputs_raster.png")
    ax = bx.plot.isi_histogram(rec["exc"], bins=60, max_isi=300.0)
    ax.figure.set_size_inches(5, 3.2)
    paths["isi"] = _save(ax.figure, out_dir, "inputs_isi.png")
    ax = bx.plot.voltage_traces(rec["V"], rec["t"], neurons=[0, 1, 2])
    ax.figure.set_size_inches(7, 3)
    ax.set_xlim(0, min(duration, 500.0))
    paths["traces"] = _save(ax.figure, out_dir, "inputs_traces.png")
    plt.close("all")
    return paths


def _save(fig, out_dir, name):
    path = os.path.join(out_dir, name)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    print(f"saved {path}")
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="200 neurons, 1 s")
    parser.add_argument("--out", default="outputs", help="output directory")
    args = parser.parse_args()
    main(small=args.small, out_dir=args.out)
