"""One-parameter bifurcation scans: fixed points, stability and oscillation range."""

from collections.abc import Sequence
from typing import NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jax.flatten_util import ravel_pytree

from .._custom_types import Array, ArrayLike, Model, PyTree
from .._state import is_state
from .._validate import check_dt
from ._common import check_dynamics, with_parameter
from ._fixed_points import (
    Guesses,
    default_tolerances,
    initial_guesses,
    solve_fixed_points,
)


class BifurcationDiagram(NamedTuple):
    """The result of [`brainox.dynsys.bifurcation_scan`][].

    For `p` parameter values and `k` initial guesses of fixed points:

    - `parameter`: the scanned parameter's name (`"input"` for the input current).
    - `values`: the parameter values, shape `(p,)` (sorted ascending).
    - `points`: dict from each hidden-state name to the fixed points, shape
      `(p, k, *state_shape)`; NaN where `valid` is False.
    - `valid`: `(p, k)`, True for each distinct converged fixed point.
    - `eigenvalues`: complex `(p, k, d)`, Jacobian eigenvalues (1/ms) sorted by
      decreasing real part.
    - `stability`: int32 `(p, k)` codes of
      [`brainox.dynsys.STABILITY_LABELS`][] (-1 where not valid).
    - `variable`: the recorded state variable (e.g. `"V"`).
    - `minimum`, `maximum`: `(p,)`, the range of `variable` (its unit) over the
      recording window of a simulation from the model's initial state: equal at a
      stable fixed point, apart on a limit cycle (the oscillation's amplitude).

    !!! example
        ```python
        diagram = bx.dynsys.bifurcation_scan(hh, jnp.linspace(0, 15, 31), ...)
        diagram.firing_onset(), diagram.hopf_points()
        ```
    """

    parameter: str
    values: Array
    points: dict[str, Array]
    valid: Array
    eigenvalues: Array
    stability: Array
    variable: str
    minimum: Array
    maximum: Array

    @property
    def amplitude(self) -> Array:
        """`maximum - minimum` (unit of `variable`): 0 at rest, > 0 when oscillating."""
        return self.maximum - self.minimum

    def firing_onset(self, threshold: float = 10.0) -> float:
        """The first parameter value at which the simulation oscillates.

        **Arguments:**

        - `threshold`: the smallest `amplitude` (unit of `variable`, e.g. mV) that
          counts as oscillation (firing).

        **Returns:** the lowest value whose amplitude exceeds `threshold` and above
        which every value does, or NaN if the last value does not oscillate. Its
        accuracy is the spacing of `values`.
        """
        firing = np.asarray(self.amplitude) > threshold
        if not firing[-1]:
            return float("nan")
        quiet = np.flatnonzero(~firing)
        first = 0 if quiet.size == 0 else quiet[-1] + 1
        return float(np.asarray(self.values)[first])

    def hopf_points(self) -> np.ndarray:
        """Parameter values where a complex pair of eigenvalues crosses the axis.

        Each fixed point at one value is continued to the nearest fixed point at
        the next value; where the real part of the leading complex eigenvalue pair
        changes sign between them, the crossing is located by linear interpolation
        (refine it with [`brainox.dynsys.hopf_point`][]).

        **Returns:** the Hopf bifurcation values, ascending (float64 numpy array).
        """
        found = []
        for i, j, a, b in self._continued_pairs():
            ra, rb = (
                _leading_complex_real(self.eigenvalues[i, a]),
                _leading_complex_real(self.eigenvalues[j, b]),
            )
            if np.isfinite(ra) and np.isfinite(rb) and (ra < 0) != (rb < 0):
                v0, v1 = float(self.values[i]), float(self.values[j])
                found.append(v0 + (v1 - v0) * ra / (ra - rb))
        return np.sort(np.asarray(found, np.float64))

    def folds(self) -> np.ndarray:
        """Parameter intervals in which the number of fixed points changes.

        Fixed points appear or vanish in pairs at saddle-node (fold)
        bifurcations, e.g. the saddle-node on the invariant circle of
        [`brainox.MorrisLecar`][] type I.

        **Returns:** `(m, 2)` array of `(lower, upper)` values bracketing each fold.
        """
        count = np.asarray(self.valid).sum(axis=1)
        change = np.flatnonzero(count[1:] != count[:-1])
        values = np.asarray(self.values, np.float64)
        return np.stack([values[change], values[change + 1]], axis=-1)

    def _continued_pairs(self):
        flat = np.concatenate(
            [
                np.asarray(self.points[k]).reshape(*self.valid.shape, -1)
                for k in sorted(self.points)
            ],
            axis=-1,
        )
        valid = np.asarray(self.valid)
        for i in range(len(self.values) - 1):
            nxt = np.flatnonzero(valid[i + 1])
            if nxt.size == 0:
                continue
            for a in np.flatnonzero(valid[i]):
                scaled = np.abs(flat[i + 1, nxt] - flat[i, a]) / (
                    1 + np.abs(flat[i, a])
                )
                yield i, i + 1, a, int(nxt[np.argmin(scaled.max(axis=-1))])


def _leading_complex_real(eigenvalues) -> float:
    eigenvalues = np.asarray(eigenvalues)
    scale = max(1.0, float(np.abs(eigenvalues).max()))
    re, im = np.real(eigenvalues), np.imag(eigenvalues)
    complex_ = np.abs(im) > 100 * np.finfo(re.dtype).eps * scale
    return float(re[complex_].max()) if complex_.any() else float("nan")


def bifurcation_scan(
    model: Model,
    values: ArrayLike | Sequence[float],
    *,
    parameter: str | None = None,
    args: PyTree = None,
    guesses: Guesses = None,
    variable: str | None = None,
    dt: float = 0.01,
    transient: float = 500.0,
    window: float = 100.0,
    rtol: float | None = None,
    atol: float | None = None,
    max_steps: int = 64,
    distinct: float = 1e-4,
) -> BifurcationDiagram:
    """Scan one parameter: fixed points, their stability, and oscillations.

    For each parameter value (all values at once, with `jax.vmap`):

    1. the fixed points from every initial guess (Newton's method, as
       [`brainox.dynsys.fixed_points`][]) and their stability from the
       Jacobian's eigenvalues;
    2. a simulation from the model's current state with its own solver
       (`model.step`) for `transient` ms, then the minimum and maximum of
       `variable` over the next `window` ms: the limit cycle's range where the
       model oscillates.

    The simulation shows the attractor reached from the model's initial state.
    Where a stable fixed point and a stable limit cycle coexist (bistability,
    e.g. [`brainox.HH`][] between about 6.26 and 9.78 uA/cm^2) which one is found
    depends on that state: a [`brainox.HH`][] at its rest without input, given
    a current step, reaches the limit cycle from 6.26 uA/cm^2 on (the onset of
    repetitive firing), while its rest at that current stays stable up to the
    subcritical Hopf bifurcation at 9.78 uA/cm^2.

    **Arguments:**

    - `model`: any [`brainox.AbstractDynamics`][] of one neuron (`n=1`).
    - `values`: the parameter values, 1-D (sorted ascending by the scan).
    - `parameter`: `None` to scan the input (`args`, e.g. the current in
      uA/cm^2 for [`brainox.HH`][]), or the name of a parameter field of the
      model (e.g. `"g_K"`), whose unit the values take.
    - `args`: the constant input while a parameter field is scanned.
    - `guesses`: initial guesses of the fixed points, as for
      [`brainox.dynsys.fixed_points`][] (default: the model's current state).
    - `variable`: the state recorded for the oscillation range (default the
      model's voltage, e.g. `"V"`, or else its first state variable in
      alphabetical order).
    - `dt`: the simulation step (ms).
    - `transient`: simulated time discarded before recording (ms).
    - `window`: recorded time (ms); longer than one period of the oscillation.
    - `rtol`, `atol`, `max_steps`, `distinct`: as for
      [`brainox.dynsys.fixed_points`][].

    **Returns:** a [`brainox.dynsys.BifurcationDiagram`][].

    ??? cite "Reference"
        Rinzel, J. & Miller, R. N. (1980). Numerical calculation of stable and
        unstable periodic solutions to the Hodgkin-Huxley equations.
        Mathematical Biosciences 49, 27-59 (HH: Hopf at 9.78, onset of stable
        periodic firing at 6.26 uA/cm^2).

    !!! example
        ```python
        hh = bx.HH(1, solver=bx.RK4())
        diagram = bx.dynsys.bifurcation_scan(
            hh, jnp.linspace(0.0, 15.0, 31), guesses={"V": jnp.array([-60.0])})
        diagram.firing_onset(), diagram.hopf_points()   # ~6.5, [~9.78]
        ```
    """
    hidden = check_dynamics(model)
    if variable is None:
        voltage = getattr(model, "voltage_name", None)
        recorded = str(voltage) if voltage in hidden else sorted(hidden)[0]
    else:
        recorded = variable
    if recorded not in hidden:
        raise ValueError(
            f"`variable` is {recorded!r}; record one of the state variables "
            f"{sorted(hidden)} of {type(model).__name__}."
        )
    values = jnp.sort(jnp.ravel(jnp.asarray(values, hidden[recorded].dtype)))
    if values.size == 0:
        raise ValueError("`values` is empty; pass at least one parameter value.")
    dt = check_dt(dt)
    if not (transient >= 0 and window > 0):
        raise ValueError(
            f"`transient` ({transient} ms) must be >= 0 and `window` ({window} ms) "
            "> 0: the range of the variable is recorded over the window after the "
            "transient."
        )
    n_transient, n_window = round(transient / dt), max(1, round(window / dt))
    default = default_tolerances(values.dtype)
    points, valid, eigenvalues, codes, low, high = _scan(
        model,
        jax.tree.map(jnp.asarray, args),
        values,
        parameter,
        guesses,
        recorded,
        dt,
        n_transient,
        n_window,
        default[0] if rtol is None else rtol,
        default[1] if atol is None else atol,
        max_steps,
        distinct,
    )
    return BifurcationDiagram(
        "input" if parameter is None else parameter,
        values,
        points,
        valid,
        eigenvalues,
        codes,
        recorded,
        low,
        high,
    )


@eqx.filter_jit
def _scan(
    model,
    args,
    values,
    parameter,
    guesses,
    variable,
    dt,
    n_transient,
    n_window,
    rtol,
    atol,
    max_steps,
    distinct,
):
    _, unravel = ravel_pytree(model.hidden_values())

    def at(value):
        m, a = with_parameter(model, args, parameter, value)
        x, valid, eigenvalues, codes = solve_fixed_points(
            m, a, initial_guesses(m, guesses), rtol, atol, max_steps, distinct
        )
        x = jnp.where(valid[:, None], x, jnp.nan)
        low, high = _range_after_transient(m, a, variable, dt, n_transient, n_window)
        return jax.vmap(unravel)(x), valid, eigenvalues, codes, low, high

    return jax.vmap(at)(values)


def _range_after_transient(model, args, variable, dt, n_transient, n_window):
    states, rest = eqx.partition(model, is_state, is_leaf=is_state)

    def step(states):
        m = eqx.combine(states, rest, is_leaf=is_state).step(args, dt)
        return eqx.partition(m, is_state, is_leaf=is_state)[0]

    states = jax.lax.fori_loop(0, n_transient, lambda _, s: step(s), states)

    def record(_, carry):
        states, low, high = carry
        states = step(states)
        x = jnp.ravel(getattr(states, variable).value)[0]
        return states, jnp.minimum(low, x), jnp.maximum(high, x)

    start = jnp.ravel(getattr(states, variable).value)[0]
    _, low, high = jax.lax.fori_loop(0, n_window, record, (states, start, start))
    return low, high
