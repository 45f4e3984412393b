"""Shared machinery of the kinetic receptor schemes with a transmitter pulse.

Destexhe, Mainen & Sejnowski (1994): each synapse has a fraction `r` of open
receptors, `dr/dt = alpha [T] (1 - r) - beta r`, where the transmitter
concentration `[T]` is a pulse of height `T` and duration `T_dur` after each
presynaptic spike. Within a pulse and between pulses `r` obeys a *linear* (affine)
equation, so the weighted sums over the synapses in each phase are linear too:

```
g_on  = sum of w r over the synapses in a pulse:
        dg_on/dt  = alpha T W_on - (alpha T + beta) g_on
g_off = sum of w r over the other synapses:
        dg_off/dt = -beta g_off
```

with `W_on` the summed weights of the synapses whose pulse is on. When a pulse
ends, that synapse's `w r` moves from `g_on` to `g_off`. Its `r` at the end of the
pulse is `r_peak = alpha T / (alpha T + beta) (1 - exp(-(alpha T + beta) T_dur))`
if `r = 0` when the pulse began; the post-side form assumes exactly that, which
is the one approximation (see `AbstractPulseKinetics`).
"""

import math
from typing import TypeVar

import diffrax
import equinox as eqx
import jax.numpy as jnp

from .._custom_types import Array, FloatLike, PyTree
from .._solvers.exponential_euler import ExponentialEuler
from .._state import Hidden, ShortTerm
from .._validate import as_param, check_built_dt, check_dt, check_size
from ._base import AbstractSynapse, check_increments


_K = TypeVar("_K", bound="AbstractPulseKinetics")


def _pulse_steps(T_dur: float | int, dt: float) -> int:
    try:
        T_dur = float(T_dur)
    except TypeError as e:
        raise TypeError(f"`T_dur` must be a number of ms, got {T_dur!r}.") from e
    steps = round(T_dur / dt) if T_dur > 0 and math.isfinite(T_dur) else 0
    if steps < 1:
        raise ValueError(
            f"`T_dur` ({T_dur} ms) must last at least half a step (dt = {dt} ms); "
            "pass a longer pulse or a smaller dt."
        )
    return int(steps)


class AbstractPulseKinetics(AbstractSynapse):
    """Two-state receptor kinetics driven by transmitter pulses, kept post-side.

    State per post neuron: `g_on` and `g_off` (nS, `Hidden`), whose sum is the
    conductance, and the weights of the pulses still on, one row per step of the
    pulse (`active`, a `(pulse_steps, n)` ring buffer, `ShortTerm`). A step

    1. adds the arriving weights to the pulse that starts now (`add`);
    2. integrates `g_on`, `g_off` over `[t, t + dt]` with `W_on` = the weights of
       all pulses on (exact with the default exponential Euler);
    3. ends the pulses that began `pulse_steps` steps ago: their weights times
       `r_peak` move from `g_on` to `g_off`.

    **Exact and approximate.** The response to a spike onto resting receptors is
    exact (the kinetic scheme's rise towards `alpha T / (alpha T + beta)` during
    the pulse, then the decay at rate `beta`), and so is the sum over synapses
    from different presynaptic neurons, at any weights (the saturation of each
    synapse within its pulse is kept). What is approximated is the memory of one
    synapse: a spike that arrives while `r` of the same synapse is still
    `r0 > 0` adds `w r_peak` instead of `w (r_peak + r0 (exp(-(alpha T + beta)
    T_dur) - exp(-beta T_dur)))`. For a periodic presynaptic train with the
    default parameters the conductance is too large by < 1e-4 at 20 Hz, 1.5 %
    (AMPA) / 2.8 % (GABA_A) at 50 Hz and 12 % / 20 % at 100 Hz. The exact
    scheme would keep `r` per presynaptic neuron and recompute `sum_j w_j r_j`
    over all synapses every step (BrainPy's "align pre" projections).

    The pulse lasts `pulse_steps = round(T_dur / dt)` whole steps (at least 1),
    so the synapse needs the simulation step `dt` when it is built and refuses
    another one. `T_dur` is rounded to the nearest whole number of steps (halves
    to even); `r_peak` uses the rounded duration. The buffer costs `pulse_steps`
    floats per post neuron (10 at `dt = 0.1` ms) and a sum over its rows each
    step.
    """

    g_on: Hidden
    g_off: Hidden
    active: ShortTerm
    head: ShortTerm
    alpha: Array
    beta: Array
    T: Array
    dt: float = eqx.field(static=True)
    pulse_steps: int = eqx.field(static=True)
    solver: diffrax.AbstractSolver

    def __init__(
        self,
        n: int,
        *,
        dt: float | int,
        alpha: FloatLike,
        beta: FloatLike,
        T: FloatLike,
        T_dur: float | int,
        solver: diffrax.AbstractSolver | None,
        dtype,
    ):
        n = check_size("n", n)
        self.dt = check_dt(dt)
        self.pulse_steps = _pulse_steps(T_dur, self.dt)
        self.alpha = as_param("alpha", alpha, n, dtype, positive=True)
        self.beta = as_param("beta", beta, n, dtype, positive=True)
        self.T = as_param("T", T, n, dtype, nonnegative=True)
        self.g_on = Hidden(jnp.zeros(n, dtype))
        self.g_off = Hidden(jnp.zeros(n, dtype))
        self.active = ShortTerm(jnp.zeros((self.pulse_steps, n), dtype))
        self.head = ShortTerm(jnp.zeros((), jnp.int32))
        self.solver = ExponentialEuler() if solver is None else solver

    @property
    def T_dur(self) -> float:
        """The pulse duration actually used (ms): `pulse_steps * dt`."""
        return self.pulse_steps * self.dt

    def r_peak(self) -> Array:
        """The open fraction at the end of a pulse that began at `r = 0`."""
        on = self.alpha * self.T
        rate = on + self.beta
        return on * (1 / rate) * -jnp.expm1(-rate * self.T_dur)

    def vector_field(self, t, y, args):
        """The two phases; `args` is `W_on` (nS), the weights of the pulses on.

        `dg_on/dt = alpha T W_on - (alpha T + beta) g_on`,
        `dg_off/dt = -beta g_off` (nS/ms). `args=None` means no pulse.
        """
        on = self.alpha * self.T
        drive = 0.0 if args is None else on * args
        return {
            "g_on": drive - (on + self.beta) * y["g_on"],
            "g_off": y["g_off"] * (-self.beta),
        }

    def add(self: _K, increments: FloatLike) -> _K:
        """Deliver spikes: start a pulse of the summed weights `increments` (nS).

        **Arguments:**

        - `increments`: a scalar or one value per post-synaptic neuron.

        **Returns:** the synapse with the new pulse (the conductance changes when
        it is integrated).
        """
        increments = check_increments(increments, self.size)
        active = self.active.value
        slot = self.head.value
        return self.with_states(
            active=active.at[slot].add(increments.astype(active.dtype))
        )

    def output(self) -> Array:
        """The conductance `g_on + g_off` (nS)."""
        return self.g_on.value + self.g_off.value

    def step(self: _K, args: PyTree, dt: float) -> _K:
        """Deliver `args` (increments, or `None`), integrate for `dt`, end pulses."""
        pulse = f"a transmitter pulse of {self.pulse_steps} steps"
        check_built_dt(f"{type(self).__name__} ({pulse})", self.dt, dt)
        syn = self if args is None else self.add(args)
        active = syn.active.value
        y1 = syn.integrate(jnp.sum(active, axis=0), dt)
        ending = (syn.head.value + 1) % self.pulse_steps
        moved = active[ending] * syn.r_peak()
        return syn.with_states(
            g_on=y1["g_on"] - moved,
            g_off=y1["g_off"] + moved,
            active=active.at[ending].set(0),
            head=ending,
        )
