"""Bifurcation diagram of the Hodgkin-Huxley neuron against the input current.

`bx.dynsys.bifurcation_scan` computes, for every current at once (`jax.vmap`):
the fixed point (Newton's method on `bx.HH.vector_field`), its stability from the
Jacobian's eigenvalues, and the range of `V` over the last 30 ms of a 600 ms
current step from rest (RK4, dt = 0.025 ms). Two values come out of it:

- the onset of repetitive firing from rest, about 6.26 uA/cm^2: the first current
  at which the step from rest ends on the stable limit cycle (a fine scan
  between 6.0 and 6.6 uA/cm^2 locates it);
- the subcritical Hopf bifurcation, about 9.78 uA/cm^2: a complex pair of
  eigenvalues of the rest state crosses the imaginary axis (linear interpolation
  on the scan, then bisection in float64 with `bx.dynsys.hopf_point`).

Between the two the rest is stable and coexists with the limit cycle
(bistability). The script prints both values and the eigenvalues at the Hopf
point, and saves `hh_bifurcation.png` (fixed points by stability, the limit
cycle's minimum and maximum, and the leading eigenvalue's real part).

Run: `python examples/hh_bifurcation.py [--small] [--out DIR]` (`--small`:
coarser grids, about a minute on a laptop CPU).

References: Hodgkin, A. L. & Huxley, A. F. (1952). J. Physiol. 117, 500-544.
Rinzel, J. & Miller, R. N. (1980). Math. Biosci. 49, 27-59.
"""

import argparse
import os

import jax
import jax.numpy as jnp
import numpy as np

import brainox as bx


def scan(small: bool) -> bx.dynsys.BifurcationDiagram:
    """The scan over 0-15 uA/cm^2, finer between 6.0 and 6.6 uA/cm^2."""
    coarse = np.linspace(0.0, 15.0, 31 if small else 61)
    fine = np.linspace(6.0, 6.6, 13 if small else 61)
    return bx.dynsys.bifurcation_scan(
        bx.HH(1, solver=bx.RK4()),
        np.unique(np.concatenate([coarse, fine])),
        guesses={"V": jnp.array([-60.0])},
        dt=0.025,
        transient=600.0,
        window=30.0,
    )


def refined_hopf(bracket: float) -> tuple[float, np.ndarray]:
    """The Hopf point to 1e-6 uA/cm^2 (float64), and the eigenvalues there."""
    with jax.enable_x64(True):
        hh = bx.HH(1, dtype=jnp.float64)
        value = float(bx.dynsys.hopf_point(hh, bracket - 0.3, bracket + 0.3))
        fp = bx.dynsys.fixed_points(hh, value, guesses={"V": jnp.array([-60.0])})
        return value, np.asarray(fp.eigenvalues[0])


def plot(diagram, onset, hopf, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax, ax_eig) = plt.subplots(
        2, 1, figsize=(7, 6), sharex=True, height_ratios=[3, 1]
    )
    bx.plot.bifurcation_diagram(diagram, threshold=10.0, ax=ax)
    ax.axvline(onset, color="tab:green", ls="--", lw=1, label=f"firing {onset:.2f}")
    ax.axvline(hopf, color="tab:purple", ls=":", lw=1, label=f"Hopf {hopf:.3f}")
    ax.set(
        xlabel="",
        ylabel="V (mV)",
        title="Hodgkin-Huxley: rest, limit cycle, bistability",
    )
    ax.legend(fontsize=8, loc="center left")
    leading = np.real(np.asarray(diagram.eigenvalues[:, 0, 0]))
    ax_eig.plot(diagram.values, leading, "k.-", ms=3)
    ax_eig.axhline(0.0, color="0.6", lw=0.8)
    ax_eig.set(xlabel="I (uA/cm$^2$)", ylabel="max Re $\\lambda$ (1/ms)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(small: bool = False, out_dir: str = "outputs") -> dict:
    """Run the scan, print and return the onset and Hopf values, save the figure."""
    diagram = scan(small)
    onset = diagram.firing_onset(threshold=50.0)
    (coarse_hopf,) = diagram.hopf_points()
    hopf, eigenvalues = refined_hopf(coarse_hopf)
    print(f"onset of repetitive firing from rest: {onset:.3f} uA/cm^2 (ref. 6.26)")
    print(f"Hopf bifurcation (scan):   {coarse_hopf:.4f} uA/cm^2")
    print(f"Hopf bifurcation (refined): {hopf:.6f} uA/cm^2 (ref. 9.78)")
    print(f"eigenvalues there (1/ms): {np.round(eigenvalues, 5)}")
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "hh_bifurcation.png")
    plot(diagram, onset, hopf, path)
    print(path)
    return {"onset": onset, "hopf_scan": coarse_hopf, "hopf": hopf, "figure": path}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="coarser grids")
    parser.add_argument("--out", default="outputs", help="output directory")
    args = parser.parse_args()
    main(small=args.small, out_dir=args.out)
