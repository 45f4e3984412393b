"""Bifurcation diagrams: fixed-point branches by stability and limit-cycle range."""

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..dynsys import BifurcationDiagram
from ._mpl import axes
from .phase import STABLE


def _columns(result: BifurcationDiagram | Mapping[str, Any], variable: str | None):
    # (values, points (p, k), stable (p, k), minimum, maximum, parameter, variable)
    if isinstance(result, BifurcationDiagram):
        name = result.variable if variable is None else variable
        if name not in result.points:
            raise ValueError(
                f"`variable` {name!r} is not a state of the scan; choose one of "
                f"{sorted(result.points)}."
            )
        p, k = np.shape(result.valid)
        points = np.asarray(result.points[name]).reshape(p, k, -1)[..., 0]
        stable = np.isin(np.asarray(result.stability), STABLE)
        keep_range = name == result.variable
        return (
            np.asarray(result.values),
            np.where(np.asarray(result.valid), points, np.nan),
            stable,
            np.asarray(result.minimum) if keep_range else None,
            np.asarray(result.maximum) if keep_range else None,
            result.parameter,
            name,
        )
    missing = {"values", "points", "stable"} - set(result)
    if missing:
        raise ValueError(
            f"a bifurcation result needs the keys 'values', 'points', 'stable' "
            f"(and optionally 'minimum', 'maximum'); missing {sorted(missing)}."
        )
    values = np.asarray(result["values"], np.float64)
    if values.size == 0:
        raise ValueError("the bifurcation result has no parameter `values` to draw.")
    points = np.asarray(result["points"], np.float64).reshape(values.size, -1)
    stable = np.asarray(result["stable"], bool).reshape(points.shape)
    lo, hi = result.get("minimum"), result.get("maximum")
    return (
        values,
        points,
        stable,
        None if lo is None else np.asarray(lo),
        None if hi is None else np.asarray(hi),
        result.get("parameter", "parameter"),
        variable or result.get("variable", "state"),
    )


def bifurcation_diagram(
    result: BifurcationDiagram | Mapping[str, Any],
    *,
    variable: str | None = None,
    threshold: float = 1e-6,
    ax: Any = None,
) -> Any:
    """A one-parameter bifurcation diagram.

    Fixed points are drawn against the parameter, stable ones as filled black
    dots, unstable ones as open dots; where the simulated range of the state
    (`maximum - minimum`) exceeds `threshold` the model oscillates and the
    limit cycle's minimum and maximum are drawn as red dots.

    **Arguments:**

    - `result`: a [`brainox.dynsys.BifurcationDiagram`][] (from
      [`brainox.dynsys.bifurcation_scan`][]), or a mapping with
        - `"values"`: the parameter values, shape `(p,)`;
        - `"points"`: the fixed points' values of the plotted state, shape
          `(p, k)` (NaN where there is none);
        - `"stable"`: booleans `(p, k)`, True for stable fixed points;
        - optional `"minimum"`, `"maximum"`: `(p,)`, the oscillation's range;
        - optional `"parameter"`, `"variable"`: axis labels.
    - `variable`: the state to plot (default: the scan's recorded variable).
    - `threshold`: the smallest range (unit of the state) drawn as a limit
      cycle.
    - `ax`: a matplotlib `Axes` (default: a new figure).

    **Returns:** the `Axes`: a `PathCollection` each for stable points
    (label `"stable"`), unstable points (`"unstable"`) and the limit cycle's
    extremes (`"limit cycle"`), those present.

    ??? cite "Reference"
        Rinzel, J. & Ermentrout, G. B. (1998). Analysis of neural excitability
        and oscillations. In Methods in Neuronal Modeling, 2nd ed., MIT Press.

    !!! example
        ```python
        diagram = bx.dynsys.bifurcation_scan(bx.HH(1), jnp.linspace(0, 15, 31))
        ax = bx.plot.bifurcation_diagram(diagram)
        ```
    """
    values, points, stable, lo, hi, parameter, name = _columns(result, variable)
    ax = axes(ax)
    grid = np.broadcast_to(values[:, None], points.shape)
    found = ~np.isnan(points)
    if (found & stable).any():
        ax.scatter(
            grid[found & stable],
            points[found & stable],
            s=12,
            color="k",
            label="stable",
        )
    if (found & ~stable).any():
        ax.scatter(
            grid[found & ~stable],
            points[found & ~stable],
            s=12,
            facecolors="white",
            edgecolors="k",
            label="unstable",
        )
    if lo is not None and hi is not None:
        cycling = (hi - lo) > threshold
        if cycling.any():
            ax.scatter(
                np.concatenate([values[cycling]] * 2),
                np.concatenate([lo[cycling], hi[cycling]]),
                s=12,
                color="tab:red",
                label="limit cycle",
            )
    ax.set(xlabel=parameter, ylabel=name)
    ax.legend(fontsize=8)
    return ax
