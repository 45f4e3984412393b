"""Pieces shared by the neuron models.

- The discrete part of spiking neurons: reset, refractoriness, and the whole
  integrate-and-fire event (threshold -> spike -> clip -> reset -> refractory) that
  every LIF-like model (LIF, ExpIF, AdEx, QIF, GIF) applies to its potential.
- Threshold-crossing detection for models without a reset (Hodgkin-Huxley type).
- Hodgkin-Huxley-type gates: `dx/dt = alpha (1 - x) - beta x`, their steady
  state, and the guarded rate `x / (1 - exp(-x / k))`.
"""

from typing import Any, cast

import jax
import jax.numpy as jnp

from .._custom_types import Array
from .._state import Hidden, Initializer
from .._validate import as_param, check_key
from ..init import draw


def reset_where(x: Array, spike: Array, value: Array) -> Array:
    """`value` where `spike` is 1, `x` elsewhere.

    The spike is detached (`stop_gradient`) in the reset: gradients flow through
    `x` and `value` but not back through the surrogate of the reset itself. Without
    this, long runs pile up the reset's surrogate terms and gradients explode
    (Zenke & Vogels 2021 recommend the detached reset).
    """
    return x + jax.lax.stop_gradient(spike) * (value - x)


def integrate_and_fire(
    neuron: Any,
    y0: dict[str, Array],
    y1: dict[str, Array],
    V_th: Array,
    dt: float,
    *,
    clip: bool = False,
) -> dict[str, Array]:
    """The discrete part of an integrate-and-fire neuron, after one integration step.

    The neuron holds `V` (Hidden), `spike` and `refractory_left` (ShortTerm),
    `V_reset`, `t_ref` and `surrogate`. In order:

    1. **refractoriness**: where `refractory_left > 0` the potential is held at its
       value before the step (`y0["V"]`, the reset value) and no spike can occur;
    2. **threshold**: `spike = surrogate(V - V_th)` (a Heaviside forward, a smooth
       surrogate gradient backward);
    3. **clip** (with `clip=True`): `V <- min(V, V_th)`, for models whose potential
       runs off to infinity within the step that spikes (exponential, quadratic):
       the overshoot never reaches the state or the gradient;
    4. **reset**: `V <- V_reset` where a spike occurred;
    5. **refractory count**: restart at `t_ref / dt` steps after a spike, else count
       down to 0.

    **Arguments:**

    - `neuron`: the integrate-and-fire neuron.
    - `y0`, `y1`: its hidden values at the start and the end of the step.
    - `V_th`: the threshold (or spike cut-off), a parameter or a state (mV).
    - `dt`: the step (ms).
    - `clip`: clip the potential at `V_th` before the reset.

    **Returns:** the new `V`, `spike` and `refractory_left`, as keyword arguments
    for `neuron.with_states`.
    """
    left = neuron.refractory_left.value
    refractory = left > 0
    V = jnp.where(refractory, y0["V"], y1["V"])
    spike = jnp.where(refractory, 0.0, neuron.surrogate(V - V_th))
    if clip:
        V = jnp.minimum(V, V_th)
    V = reset_where(V, spike, neuron.V_reset)
    left = count_down(left, spike, neuron.t_ref, dt)
    return {"V": V, "spike": spike, "refractory_left": left}


def refractory_steps(t_ref: Array, dt: float) -> Array:
    """The refractory period in whole steps, rounded to the nearest step."""
    return jnp.round(t_ref / dt).astype(jnp.int32)


def count_down(steps_left: Array, spike: Array, t_ref: Array, dt: float) -> Array:
    """Refractory steps left after this step: restart at a spike, else count down."""
    restart = jnp.broadcast_to(refractory_steps(t_ref, dt), steps_left.shape)
    return jnp.where(spike > 0, restart, jnp.maximum(steps_left - 1, 0))


NO_KEY = "no key"
"""The `key` of [`initial_state`][] for models that take no `key` argument."""


def state_key(key: Array | None, index: int) -> Array | None:
    """The key of a model's `index`-th random state: `key` itself for the
    first, `fold_in(key, index)` for the others, so that no two states draw
    from one key (`None` stays `None`)."""
    return key if key is None or index == 0 else jax.random.fold_in(key, index)


def initial_state(
    init: Any, default: Array, n: int, dtype: Any, key: Any, name: str
) -> Hidden:
    """A `Hidden` state of `n` values from `init` (number, array or initializer).

    A random initializer is drawn from `key` (one per state: see
    [`state_key`][]) and kept as the state's `init`, so [`brainox.reset`][]
    draws again; a fixed value is checked like a parameter. `key` is `None`
    when the user gave none, `NO_KEY` for models that take none.
    """
    init = default if init is None else init
    if callable(init):
        if key is NO_KEY:
            raise ValueError(
                f"`{name}` is random ({init}), but this model takes no `key`; "
                f"pass values drawn beforehand, e.g. `{name}=bx.init.draw(init, "
                "jax.random.key(0), (n,))`."
            )
        if key is None:
            raise ValueError(
                f"`{name}` is random ({init}); pass `key=jax.random.key(...)` to "
                "draw it."
            )
        key = check_key("key", key)
        return Hidden(draw(init, key, (n,), dtype), init=cast(Initializer, init))
    value = jnp.broadcast_to(as_param(name, init, n, dtype), (n,))
    return Hidden(value)


def linexp(x: Array, k: Array | float) -> Array:
    """`x / (1 - exp(-x / k))`, finite with finite gradients at `x = 0`.

    The voltage-dependent rate of Hodgkin-Huxley-type models, `a (V - V0) /
    (1 - exp(-(V - V0) / k))`, is `a * linexp(V - V0, k)`. At `x = 0` it has a
    removable singularity with limit `k` and slope `1/2`. Near it the series
    `k (1 + w/2 + w^2/12 - w^4/720)`, `w = x / k`, replaces the quotient, and the
    quotient is evaluated at a safe dummy point there, so neither the value nor
    the gradient is NaN (the "double where" trick). In float64 the series is
    used for `|w| < 1e-2` (exact to `w^6 / 30240 < 4e-17` relative) and the
    quotient uses `expm1`; in lower precision for `|w| < 0.1` (`< 4e-11`), and
    the quotient `1 - exp(-w)`, accurate to 1e-6 relative in float32 there and
    half the cost of `expm1` on a CPU.
    """
    w = x / k
    double = jnp.result_type(w) == jnp.float64
    small = jnp.abs(w) < (1e-2 if double else 0.1)
    safe_w = jnp.where(small, 1.0, w)
    denominator = -jnp.expm1(-safe_w) if double else 1 - jnp.exp(-safe_w)
    w2 = w * w
    series = k * (1 + w / 2 + w2 / 12 * (1 - w2 / 60))
    return jnp.where(small, series, k * safe_w / denominator)


def upward_crossing(surrogate: Any, x0: Array, x1: Array) -> Array:
    """Spikes where `x` crosses 0 upwards during a step: `x0 < 0 <= x1`.

    For threshold-crossing neurons without reset (Hodgkin-Huxley type), where `x`
    is `V - V_th` at the start (`x0`) and end (`x1`) of the step. The surrogate
    gradient flows through `x1`; the "was below" condition carries no gradient.
    """
    return surrogate(x1) * (x0 < 0).astype(x1.dtype)


def gate_derivative(alpha: Array, beta: Array, x: Array) -> Array:
    """`dx/dt = alpha (1 - x) - beta x` of a Hodgkin-Huxley-type gate (1/ms)."""
    return alpha * (1 - x) - beta * x


def gate_steady_state(alpha: Array, beta: Array) -> Array:
    """The steady state `alpha / (alpha + beta)` of a Hodgkin-Huxley-type gate."""
    return alpha / (alpha + beta)


def gates_at_rest(
    rates: dict[str, tuple[Array, Array]],
    inits: dict[str, Any],
    n: int,
    dtype: Any,
) -> dict[str, Hidden]:
    """`Hidden` gate states: each given initial value, or the steady state.

    **Arguments:**

    - `rates`: `{gate: (alpha, beta)}` at the initial potential.
    - `inits`: `{gate: value or None}`; `None` starts the gate at its steady state.
    - `n`, `dtype`: the population size and dtype.
    """
    return {
        gate: initial_state(
            inits[gate],
            gate_steady_state(*rates[gate]),
            n,
            dtype,
            NO_KEY,
            f"{gate}_init",
        )
        for gate in inits
    }
