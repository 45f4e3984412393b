"""Phase planes: FitzHugh-Nagumo and Morris-Lecar with nullclines and fixed points.

For each two-variable model, `bx.plot.phase_portrait` draws the vector field,
the two nullclines and the fixed points (filled: stable, open: unstable), all
computed by `bx.dynsys.phase_plane` from the model's `vector_field`, and over
them a trajectory simulated with `bx.simulate`:

- `fhn_phase.png`: FitzHugh-Nagumo at I = 0.5, above its Hopf point
  I_H = 0.331: the fixed point is unstable and the trajectory winds onto the
  relaxation limit cycle;
- `morris_lecar_phase.png`: Morris-Lecar (type I parameters) at two currents:
  below the saddle-node on invariant circle (three fixed points, the trajectory
  settles at rest) and above it (one unstable point, periodic firing).

Run: `python examples/phase_plane.py [--small] [--out DIR]` (`--small` uses a
coarser grid).

References: FitzHugh, R. (1961). Biophys. J. 1, 445-466. Morris, C. & Lecar, H.
(1981). Biophys. J. 35, 193-213. Rinzel, J. & Ermentrout, G. B. (1998). In
Methods in Neuronal Modeling, 2nd ed., MIT Press.
"""

import argparse
import os

import brainox as bx


def trajectory(model, current, duration, dt, names):
    """Simulate one neuron at a constant current; return its states over time."""
    _, rec = bx.simulate(
        model, duration, dt=dt, inputs=lambda s, t: current, monitors=list(names)
    )
    return rec


def main(*, small: bool = False, out_dir: str = "outputs") -> dict:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    num = 15 if small else 25
    os.makedirs(out_dir, exist_ok=True)
    paths = {}

    fhn = bx.FitzHughNagumo(1, v_init=-1.5, w_init=-0.5)
    rec = trajectory(fhn, 0.5, 300.0, 0.05, ("v", "w"))
    fig, ax = plt.subplots(figsize=(5.5, 4.2))
    bx.plot.phase_portrait(
        fhn, 0.5, (-2.5, 2.5), (-1.0, 2.5), num=num, trajectory=rec, ax=ax
    )
    ax.set_title("FitzHugh-Nagumo, I = 0.5")
    paths["fhn"] = _save(fig, out_dir, "fhn_phase.png")

    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
    for ax, current in zip(axes, (35.0, 45.0), strict=True):
        ml = bx.MorrisLecar.preset("type_I", V_init=-20.0)
        rec = trajectory(ml, current, 300.0, 0.05, ("V", "w"))
        bx.plot.phase_portrait(
            ml, current, (-75.0, 40.0), (-0.02, 0.6), num=num, trajectory=rec, ax=ax
        )
        ax.set_title(f"Morris-Lecar (type I), I = {current:g} uA/cm^2")
    paths["morris_lecar"] = _save(fig, out_dir, "morris_lecar_phase.png")
    plt.close("all")
    return paths


def _save(fig, out_dir, name):
    path = os.path.join(out_dir, name)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    print(f"saved {path}")
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="coarser grid")
    parser.add_argument("--out", default="outputs", help="output directory")
    args = parser.parse_args()
    main(small=args.small, out_dir=args.out)
