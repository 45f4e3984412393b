"""The time-discretisation convention between brainox layers and NIR neurons.

NIR neurons are continuous-time ODEs, such as `tau dv/dt = (v_leak - v) + r I`.
brainox layers are discrete, `V[t] = beta V[t-1] + x[t]`. The two meet through one
convention, used by export and import alike:

- the value `x[t]` a layer receives at step `t` stands for a current pulse of area
  `dt * x[t]` arriving at the end of the step (a spike is such a pulse), so it
  raises `v` by `r * dt / tau * x[t]`: the per-step *gain* `r * dt / tau`;
- between pulses `v` decays towards `v_leak` over the step `dt`: by the exact
  factor `beta = exp(-dt / tau)` (`"exact"`, brainox's [`brainox.nn.decay`][]), or
  by the forward-Euler factor `beta = 1 - dt / tau` (`"euler"`, snnTorch's and
  Norse's convention).

Export writes `r = tau / dt` (gain 1, as snnTorch does), so NIR's `v` is brainox's
`V` and the thresholds agree. Leak-free layers (`beta = 1`) become NIR's `IF` /
`I`, `dv/dt = r I`, with `r = 1 / dt`.
"""

from typing import Any, Literal

import numpy as np


Discretization = Literal["exact", "euler"]
DISCRETIZATIONS = ("exact", "euler")
GAIN_RTOL = 1e-6
"""Gains within this relative distance of 1 are taken as 1 (float32 round-off)."""


def import_nir() -> Any:
    """Import the `nir` package, or explain how to install it."""
    try:
        import nir
    except ImportError as err:
        raise ImportError(
            "NIR interoperability needs the `nir` package: install it with "
            "`pip install 'brainox[nir]'` (or `pip install nir`)."
        ) from err
    return nir


def check_dt(dt: Any) -> float:
    """Check the time step shared by the NIR graph and the brainox layers."""
    if isinstance(dt, bool) or not isinstance(dt, (int, float, np.floating)):
        raise TypeError(
            f"`dt` must be a positive float (the time step, in the time unit of the "
            f"NIR time constants, ms by brainox convention), got {dt!r}."
        )
    if not (np.isfinite(dt) and dt > 0):
        raise ValueError(f"`dt` must be a finite time step > 0, got {dt!r}.")
    return float(dt)


def check_discretization(method: Any) -> Discretization:
    """Check the name of a discretisation."""
    if method not in DISCRETIZATIONS:
        raise ValueError(
            f"`discretization` must be 'exact' (beta = exp(-dt/tau)) or 'euler' "
            f"(beta = 1 - dt/tau, as snnTorch), got {method!r}."
        )
    return method


def tau_from_decay(beta: np.ndarray, dt: float, method: Discretization) -> np.ndarray:
    """The time constant of a per-step decay factor `beta` in `(0, 1)`."""
    beta = np.asarray(beta, np.float64)
    with np.errstate(divide="ignore"):  # beta = 0 or 1: tau = 0 or inf, checked
        return -dt / np.log(beta) if method == "exact" else dt / (1.0 - beta)


def decay_from_tau(tau: np.ndarray, dt: float, method: Discretization) -> np.ndarray:
    """The per-step decay factor of a time constant `tau` (inverse of the above)."""
    tau = np.asarray(tau, np.float64)
    with np.errstate(divide="ignore"):  # tau = 0 gives a decay out of range, checked
        return np.exp(-dt / tau) if method == "exact" else 1.0 - dt / tau


def is_unit(gain: np.ndarray) -> bool:
    """Whether every per-step gain is 1 up to float32 round-off."""
    return bool(np.allclose(gain, 1.0, rtol=GAIN_RTOL, atol=0.0))
