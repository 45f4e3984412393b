"""Phase portraits of two-variable models: vector field, nullclines, fixed points."""

from collections.abc import Mapping
from typing import Any

import numpy as np

from .._custom_types import ArrayLike, Model, PyTree
from ..dynsys import PhasePlane, phase_plane
from ._mpl import axes


STABLE = (0, 1)
"""Stability codes of [`brainox.dynsys.STABILITY_LABELS`][] drawn as filled dots."""


def phase_portrait(
    model: Model | PhasePlane,
    args: PyTree = None,
    x_range: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
    *,
    names: tuple[str, str] | None = None,
    num: int = 25,
    trajectory: Mapping[str, ArrayLike] | None = None,
    ax: Any = None,
) -> Any:
    """The phase portrait of a two-variable model at a constant input.

    Draws the vector field as arrows (`quiver`), the two nullclines (`dx/dt = 0`
    and `dy/dt = 0`) as lines, the fixed points as dots (filled: stable, open:
    unstable), and optionally a trajectory. The field, nullclines and fixed
    points come from [`brainox.dynsys.phase_plane`][] (Newton's method on the
    model's `vector_field`), or from a [`brainox.dynsys.PhasePlane`][] computed
    beforehand.

    **Arguments:**

    - `model`: a model of one neuron with two state variables
      ([`brainox.FitzHughNagumo`][], [`brainox.MorrisLecar`][],
      [`brainox.Izhikevich`][], ...), or a ready
      [`brainox.dynsys.PhasePlane`][] (then `args` and the ranges are unused).
    - `args`: the constant input, in the model's input unit.
    - `x_range`, `y_range`: `(low, high)` of the two variables.
    - `names`: the state variables as `(x, y)`; default their order in the model.
    - `num`: arrows per axis.
    - `trajectory`: optional recorded states, e.g. `{"v": rec["v"], "w":
      rec["w"]}`, drawn as a line over the portrait.
    - `ax`: a matplotlib `Axes` (default: a new figure).

    **Returns:** the `Axes`: one `Quiver`, two nullcline `Line2D`s (labelled
    `"d<x>/dt = 0"`, `"d<y>/dt = 0"`), one `PathCollection` of fixed points per
    stability class present, and the trajectory's `Line2D`.

    ??? cite "Reference"
        Izhikevich, E. M. (2007). Dynamical Systems in Neuroscience, chapter 4.
        MIT Press. Rinzel, J. & Ermentrout, G. B. (1998). Analysis of neural
        excitability and oscillations. In Methods in Neuronal Modeling, 2nd ed.

    !!! example
        ```python
        ax = bx.plot.phase_portrait(bx.FitzHughNagumo(1), 0.5, (-2.5, 2.5), (-1, 3))
        ax.figure.savefig("fhn_phase.png")
        ```
    """
    if isinstance(model, PhasePlane):
        plane = model
    else:
        if x_range is None or y_range is None:
            raise ValueError("pass `x_range` and `y_range` = (low, high) of the plane.")
        plane = phase_plane(model, args, x_range, y_range, num=num, names=names)
    x_name, y_name = plane.names
    ax = axes(ax)
    dx, dy = np.asarray(plane.dx), np.asarray(plane.dy)
    # Arrows show direction; their length grows with the speed, compressed.
    speed = np.hypot(dx / np.ptp(plane.x), dy / np.ptp(plane.y))
    scale = np.where(speed > 0, speed, 1.0) ** 0.75
    ax.quiver(plane.x, plane.y, dx / scale, dy / scale, color="0.6", angles="xy")
    lines = plane.nullclines
    ax.plot(lines.x, lines.x_nullcline, color="tab:blue", label=f"d{x_name}/dt = 0")
    ax.plot(lines.x, lines.y_nullcline, color="tab:orange", label=f"d{y_name}/dt = 0")
    points = plane.fixed_points
    px = np.asarray(points.points[x_name]).reshape(-1)
    py = np.asarray(points.points[y_name]).reshape(-1)
    stable = np.isin(np.asarray(points.stability), STABLE)
    if stable.any():
        ax.scatter(px[stable], py[stable], s=50, color="k", zorder=3, label="stable")
    if (~stable).any():
        ax.scatter(
            px[~stable],
            py[~stable],
            s=50,
            facecolors="white",
            edgecolors="k",
            zorder=3,
            label="unstable",
        )
    if trajectory is not None:
        missing = [k for k in (x_name, y_name) if k not in trajectory]
        if missing:
            raise ValueError(
                f"`trajectory` needs the recorded states {[x_name, y_name]}; it "
                f"lacks {missing} (it has {sorted(trajectory)})."
            )
        tx = np.asarray(trajectory[x_name]).reshape(-1)
        ty = np.asarray(trajectory[y_name]).reshape(-1)
        ax.plot(tx, ty, color="tab:red", lw=1.0, label="trajectory")
    ax.set(xlabel=x_name, ylabel=y_name, xlim=_limits(plane.x), ylim=_limits(plane.y))
    ax.legend(loc="upper right", fontsize=8)
    return ax


def _limits(grid) -> tuple[float, float]:
    grid = np.asarray(grid)
    return float(grid.min()), float(grid.max())
