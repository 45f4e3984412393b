"""Single neurons: voltage traces and f-I curves of LIF, Izhikevich and HH.

Three figures:

- `single_neuron_traces.png`: a LIF and a Hodgkin-Huxley neuron under a step
  current;
- `izhikevich_patterns.png`: the four firing classes of Izhikevich (2003) under
  `I = 10` (regular spiking, intrinsically bursting, chattering, fast spiking);
- `f_i_curves.png`: firing rate against input current for LIF (simulated and the
  closed form `1 / (t_ref + tau ln(RI / (RI - theta)))`) and for HH (spikes in
  1 s, with the NEST/NEURON values of shared/REFERENCES.md).

Each model is one population (one neuron per current, or per firing class),
simulated in one `bx.simulate` call; the traces are one neuron of it. Rates count
the spikes from the onset of the step to the end of the run (1 s).

Run: `python examples/single_neurons.py [--small] [--out DIR]`.
"""

import argparse
import os

import jax.numpy as jnp
import numpy as np

import brainox as bx


# LIF parameters (ms, mV, MOhm): threshold 15 mV above rest, reset to rest.
TAU, V_REST, V_TH, R, T_REF = 20.0, -65.0, -50.0, 100.0, 2.0
HH_TABLE = {2.0: 0, 6.0: 2, 6.3: 53, 7.0: 59, 10.0: 69}  # spikes in 1 s
ONSET = 20.0  # ms, start of every step current
TRACE_MS = 200.0  # ms of voltage shown


def _step_input(onset, amplitude):
    """A step current switched on at `onset` ms."""
    return lambda step, t: jnp.where(t >= onset, amplitude, 0.0)


def _spike_counts(events, n):
    return np.bincount(np.asarray(events.index), minlength=n)


def lif_rate_closed_form(current_pA):
    """Firing rate (Hz) of the LIF above, from its closed-form first-passage time."""
    drive = R * np.asarray(current_pA, np.float64) * 1e-3  # mV
    theta = V_TH - V_REST
    rate = np.zeros_like(drive)
    above = drive > theta
    period = T_REF + TAU * np.log(drive[above] / (drive[above] - theta))
    rate[above] = 1000.0 / period
    return rate


def lif_run(small):
    """LIF, one neuron per current in pA: the f-I curve and the 200 pA trace."""
    currents = np.linspace(0.0, 500.0, 11 if small else 51)
    duration = ONSET + (200.0 if small else 1000.0)
    neuron = bx.LIF(
        len(currents),
        tau=TAU,
        V_rest=V_REST,
        V_reset=V_REST,
        V_th=V_TH,
        R=R,
        t_ref=T_REF,
    )
    j = int(np.argmin(np.abs(currents - 200.0)))
    _, rec = bx.simulate(
        neuron,
        duration,
        dt=0.05 if small else 0.01,
        inputs=_step_input(ONSET, jnp.asarray(currents, jnp.float32)),
        # Spikes are drawn up to 0 mV (the model resets within the step).
        monitors={"V": lambda m: jnp.where(m.spike.value[j] > 0, 0.0, m.V.value[j])},
        spikes={"s": "spike"},
    )
    rate = _spike_counts(rec["s"], len(currents)) / ((duration - ONSET) / 1000.0)
    return currents, rate, rec


def hh_run(small):
    """HH (RK4), one neuron per current in uA/cm^2: f-I curve and 10 uA/cm^2 trace."""
    if small:
        currents = np.array([0.0, 2.0, 4.0, 6.0, 6.3, 7.0, 10.0, 15.0, 20.0])
    else:
        currents = np.unique(
            np.concatenate([np.linspace(0.0, 20.0, 41), list(HH_TABLE)])
        )
    duration = ONSET + (200.0 if small else 1000.0)
    j = int(np.argmin(np.abs(currents - 10.0)))
    _, rec = bx.simulate(
        bx.HH(len(currents), solver=bx.RK4()),
        duration,
        dt=0.025 if small else 0.01,
        inputs=_step_input(ONSET, jnp.asarray(currents, jnp.float32)),
        monitors={"V": lambda m: m.V.value[j]},
        spikes={"s": "spike"},
    )
    rate = _spike_counts(rec["s"], len(currents)) / ((duration - ONSET) / 1000.0)
    return currents, rate, rec


def izhikevich_run(small):
    """The four Izhikevich classes (RK4), one neuron each, I = 10 from ONSET."""
    classes = ["RS", "IB", "CH", "FS"]
    neuron = bx.Izhikevich.preset(classes, solver=bx.RK4())
    _, rec = bx.simulate(
        neuron,
        ONSET + (180.0 if small else 380.0),
        dt=0.1 if small else 0.025,
        inputs=_step_input(ONSET, 10.0),
        # Spikes are drawn at v_peak (the model resets within the step).
        monitors={"v": lambda m: jnp.where(m.spike.value > 0, m.v_peak, m.v.value)},
    )
    return classes, rec


def main(small: bool = False, out_dir: str = "outputs") -> list[str]:
    """Simulate, plot and save the figures; return the paths of the PNG files.

    **Arguments:**

    - `small`: short runs on coarse grids (a few seconds in all).
    - `out_dir`: directory for the PNG files (created if missing).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    os.makedirs(out_dir, exist_ok=True)
    paths = []

    lif_i, lif_rate, lif_rec = lif_run(small)
    hh_i, hh_rate, hh_rec = hh_run(small)
    shown = lif_rec["t"] <= TRACE_MS
    fig, axes = plt.subplots(2, 1, figsize=(8, 5), sharex=True)
    axes[0].plot(lif_rec["t"][shown], lif_rec["V"][shown], lw=1)
    axes[0].axhline(V_TH, color="0.6", ls="--", lw=0.8, label="threshold")
    axes[0].set(
        ylabel="V (mV)",
        title=f"LIF, 200 pA step at {ONSET:g} ms (spikes drawn to 0 mV)",
    )
    axes[0].legend(loc="lower right", fontsize=8)
    shown = hh_rec["t"] <= TRACE_MS
    axes[1].plot(hh_rec["t"][shown], hh_rec["V"][shown], lw=1, color="C3")
    axes[1].set(
        xlabel="time (ms)",
        ylabel="V (mV)",
        title=f"Hodgkin-Huxley, 10 uA/cm$^2$ step at {ONSET:g} ms",
    )
    fig.tight_layout()
    paths.append(os.path.join(out_dir, "single_neuron_traces.png"))
    fig.savefig(paths[-1], dpi=120)
    plt.close(fig)

    classes, rec = izhikevich_run(small)
    titles = {
        "RS": "regular spiking (RS)",
        "IB": "intrinsically bursting (IB)",
        "CH": "chattering (CH)",
        "FS": "fast spiking (FS)",
    }
    fig, axes = plt.subplots(2, 2, figsize=(10, 5.5), sharex=True, sharey=True)
    for j, (ax, name) in enumerate(zip(axes.flat, classes, strict=True)):
        ax.plot(rec["t"], rec["v"][:, j], lw=0.8)
        ax.set_title(titles[name], fontsize=10)
    for ax in axes[1]:
        ax.set_xlabel("time (ms)")
    for ax in axes[:, 0]:
        ax.set_ylabel("v (mV)")
    fig.suptitle(f"Izhikevich (2003), I = 10 from {ONSET:g} ms (RK4)")
    fig.tight_layout()
    paths.append(os.path.join(out_dir, "izhikevich_patterns.png"))
    fig.savefig(paths[-1], dpi=120)
    plt.close(fig)

    fine = np.linspace(lif_i.min(), lif_i.max(), 400)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    axes[0].plot(fine, lif_rate_closed_form(fine), color="0.5", label="closed form")
    axes[0].plot(lif_i, lif_rate, "o", ms=3, label="brainox")
    axes[0].set(xlabel="I (pA)", ylabel="rate (Hz)", title="LIF f-I curve")
    axes[0].legend(fontsize=8)
    axes[1].plot(hh_i, hh_rate, "o-", ms=3, color="C3", label="brainox (RK4)")
    if not small:
        ref_i = list(HH_TABLE)
        ref_rate = [HH_TABLE[i] for i in ref_i]
        axes[1].plot(ref_i, ref_rate, "kx", ms=7, label="NEST / NEURON")
    axes[1].set(
        xlabel="I (uA/cm$^2$)",
        ylabel="spikes / s",
        title="Hodgkin-Huxley f-I curve (type II)",
    )
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    paths.append(os.path.join(out_dir, "f_i_curves.png"))
    fig.savefig(paths[-1], dpi=120)
    plt.close(fig)
    return paths


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="quick, coarse runs")
    parser.add_argument("--out", default="outputs", help="output directory")
    args = parser.parse_args()
    for path in main(small=args.small, out_dir=args.out):
        print(path)
