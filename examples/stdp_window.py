"""The STDP window and the triplet rule's frequency dependence, simulated.

Left: the pair-STDP window. One pre/post pair per synapse, with `t_post -
t_pre` from -50 to +50 ms, is simulated in a network (two populations of LIF
neurons forced to fire at chosen steps by strong current pulses, dt = 0.1 ms),
and the weight change of each synapse is compared with the window
`A_plus exp(-s / tau_plus)` for `s > 0`, `-A_minus exp(s / tau_minus)` for
`s < 0` (Bi & Poo's time constants, 16.8 and 33.7 ms).

Right: the pairing protocol of Sjostrom, Turrigiano & Nelson (2001), 60
pre/post pairings at +10 ms and -10 ms, at several frequencies, with the
minimal all-to-all triplet rule for visual cortex (Pfister & Gerstner 2006):
post-before-pre pairings depress at low frequency, and both orders potentiate
at 40-50 Hz.

The script prints the largest deviation from the window formula and the
triplet weight changes, and saves `stdp_window.png`.

Run: `python examples/stdp_window.py [--small] [--out DIR]` (`--small`: fewer
points; a few seconds).

References: Bi, G. Q. & Poo, M. M. (1998). J. Neurosci. 18, 10464-10472.
Sjostrom, P. J., Turrigiano, G. G. & Nelson, S. B. (2001). Neuron 32,
1149-1164. Pfister, J.-P. & Gerstner, W. (2006). J. Neurosci. 26, 9673-9682.
"""

import argparse
import os

import jax.numpy as jnp
import numpy as np

import brainox as bx


PULSE = 1e5  # pA: a LIF (R = 100 MOhm) driven by this fires within the step


def replay(rule, pre_times, post_times, dt, w0):
    """Final weight change of synapse k (from `w0`), whose pre/post neurons fire
    at the times `pre_times[k]`, `post_times[k]` (arrays of ms, multiples of dt)."""
    n = len(pre_times)
    last = max(max(t.max() for t in pre_times), max(t.max() for t in post_times))
    n_steps = int(round(last / dt)) + 10
    drive = {"pre": np.zeros((n_steps, n), np.float32),
             "post": np.zeros((n_steps, n), np.float32)}  # fmt: skip
    for k in range(n):
        # A spike of step s happens at the end of the step, (s + 1) dt.
        drive["pre"][np.round(pre_times[k] / dt).astype(int) - 1, k] = PULSE
        drive["post"][np.round(post_times[k] / dt).astype(int) - 1, k] = PULSE
    table = bx.connect.one_to_one(n)
    proj = bx.Projection("pre", "post", table, bx.LongTerm(jnp.full((n, 1), w0)),
                         plasticity=rule)  # fmt: skip
    net = bx.Network({"pre": bx.LIF(n), "post": bx.LIF(n)}, {"plastic": proj})
    net, _ = bx.simulate(net, n_steps=n_steps, dt=dt, inputs=drive)
    return np.asarray(net.projections["plastic"].weight.value[:, 0]) - w0


def main(*, small: bool = False, out_dir: str = "outputs") -> dict:
    dt = 0.1
    A_plus, A_minus, tau_plus, tau_minus = 0.01, 0.0105, 16.8, 33.7
    unbounded = bx.plasticity.Additive(w_min=-np.inf, w_max=np.inf)
    pair = bx.plasticity.PairSTDP(A_plus, A_minus, tau_plus, tau_minus,
                                  weight_dependence=unbounded)  # fmt: skip
    lags = np.arange(-50.0, 50.1, 10.0 if small else 2.0)
    lags = lags[lags != 0]
    onset = 60.0
    dw = replay(pair, [np.array([onset])] * len(lags),
                [np.array([onset + s]) for s in lags], dt, w0=0.0)  # fmt: skip
    window = np.where(lags > 0, A_plus * np.exp(-lags / tau_plus),
                      -A_minus * np.exp(lags / tau_minus))  # fmt: skip
    error = np.max(np.abs(dw - window) / np.abs(window))
    print(f"pair STDP window: largest relative deviation {error:.1e}")

    frequencies = [5.0, 20.0, 50.0] if small else [1.0, 5.0, 10.0, 20.0, 40.0, 50.0]
    cases = [(f, lag) for f in frequencies for lag in (10.0, -10.0)]
    pre_times = [20.0 + 1000.0 / f * np.arange(60) for f, _ in cases]
    post_times = [t + lag for t, (_, lag) in zip(pre_times, cases, strict=True)]
    rule = bx.plasticity.TripletSTDP()
    triplet = replay(rule, pre_times, post_times, dt=1.0, w0=1.0)
    print("triplet STDP, 60 pairings (w0 = 1):")
    print("  f (Hz)   dw(+10 ms)   dw(-10 ms)")
    for i, f in enumerate(frequencies):
        print(f"  {f:6.0f}   {triplet[2 * i]:+10.4f}   {triplet[2 * i + 1]:+10.4f}")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_w, ax_f) = plt.subplots(1, 2, figsize=(10, 4), dpi=120)
    fine = np.linspace(-50, 50, 1001)
    ax_w.plot(fine[fine > 0], A_plus * np.exp(-fine[fine > 0] / tau_plus), "k-",
              label="A exp(-|s| / tau)")  # fmt: skip
    ax_w.plot(fine[fine < 0], -A_minus * np.exp(fine[fine < 0] / tau_minus), "k-")
    ax_w.plot(lags, dw, "o", color="tab:blue", label="simulated (dt = 0.1 ms)")
    ax_w.axhline(0, color="0.8", lw=0.8)
    ax_w.set_xlabel("t_post - t_pre (ms)")
    ax_w.set_ylabel("weight change")
    ax_w.set_title("Pair STDP window")
    ax_w.legend()
    ax_f.plot(frequencies, triplet[0::2], "o-", label="+10 ms (pre first)")
    ax_f.plot(frequencies, triplet[1::2], "s-", label="-10 ms (post first)")
    ax_f.axhline(0, color="0.8", lw=0.8)
    ax_f.set_xlabel("pairing frequency (Hz)")
    ax_f.set_ylabel("weight change after 60 pairings")
    ax_f.set_title("Triplet STDP (visual cortex, minimal)")
    ax_f.legend()
    fig.tight_layout()
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "stdp_window.png")
    fig.savefig(path)
    plt.close(fig)
    print(f"saved {path}")
    return {
        "window_error": float(error),
        "triplet": dict(zip(cases, triplet, strict=True)),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="fewer points")
    parser.add_argument("--out", default="outputs", help="directory for the figure")
    args = parser.parse_args()
    main(small=args.small, out_dir=args.out)
