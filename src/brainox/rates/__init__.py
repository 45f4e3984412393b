"""Rate models: population activities and oscillators, without spikes.

They are [`brainox.AbstractDynamics`][] (a vector field stepped by a diffrax
solver), not neurons: `step` only integrates.
"""

from .stuart_landau import StuartLandau as StuartLandau
from .wilson_cowan import WilsonCowan as WilsonCowan


__all__ = ["StuartLandau", "WilsonCowan"]
