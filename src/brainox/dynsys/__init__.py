"""Dynamical-systems tools: fixed points, stability, nullclines, bifurcations.

Every tool takes a model's vector field (`vector_field(t, y, args)` of any
[`brainox.AbstractDynamics`][]) at a constant input and returns plain arrays in
documented result types, which `bx.plot` draws.
"""

from ._bifurcation import (
    BifurcationDiagram as BifurcationDiagram,
    bifurcation_scan as bifurcation_scan,
)
from ._fixed_points import FixedPoints as FixedPoints, fixed_points as fixed_points
from ._hopf import hopf_point as hopf_point
from ._nullclines import Nullclines as Nullclines, nullclines as nullclines
from ._phase_plane import PhasePlane as PhasePlane, phase_plane as phase_plane
from ._stability import (
    STABILITY_LABELS as STABILITY_LABELS,
    stability_code as stability_code,
)
