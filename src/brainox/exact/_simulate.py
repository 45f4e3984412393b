"""Exact event-driven simulation of integrate-and-fire neurons."""

from collections.abc import Callable
from typing import NamedTuple, cast

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import optimistix as optx
from jax.core import Tracer

from .._custom_types import Array, ArrayLike
from .._dynamics import AbstractNeuron
from ._synapses import AbstractEventSynapses


_THRESHOLDS = ("V_cut", "V_peak", "V_th")
"""Threshold fields, in order of precedence: the spike cut-off of ExpIF, of QIF,
the threshold of LIF."""


class SpikeTrain(NamedTuple):
    """Spike times of an exact event-driven simulation.

    - `times`: `(max_spikes,)` spike times (ms), ascending; `inf` after `count`.
    - `index`: `(max_spikes,)` int32 index of the neuron that spiked; -1 after
      `count`.
    - `count`: number of spikes recorded (int32 scalar).
    - `t_end`: the time the simulation reached (ms): the requested duration, or
      less where it stopped early (`overflow`).
    - `overflow`: True when the simulation stopped before the duration because
      `max_spikes`, `max_events` or `max_steps` were too small: the spikes
      recorded are all those up to `t_end`, exact; nothing is dropped silently.
    - `V`: `(n,)` potentials at `t_end` (mV).
    - `synaptic`: `(n,)` synaptic variables at `t_end` (pA for
      [`brainox.exact.ExponentialSynapses`][]; zeros otherwise).

    !!! example
        ```python
        train = bx.exact.simulate(bx.LIF(1), 100.0, 250.0)
        train.times[: train.count]
        ```
    """

    times: Array
    index: Array
    count: Array
    t_end: Array
    overflow: Array
    V: Array
    synaptic: Array


def _threshold_name(neuron) -> str:
    hidden = neuron.hidden_values() if hasattr(neuron, "hidden_values") else {}
    names = [k for k in _THRESHOLDS if hasattr(neuron, k)]
    if (
        not isinstance(neuron, AbstractNeuron)
        or set(hidden) != {"V"}
        or not names
        or not hasattr(neuron, "V_reset")
        or not hasattr(neuron, "t_ref")
    ):
        raise TypeError(
            f"`neuron` is a {type(neuron).__name__}; exact simulation needs an "
            "integrate-and-fire neuron whose only Hidden state is `V`, with a "
            "threshold (V_th, V_peak or V_cut), V_reset and t_ref, such as bx.LIF, "
            "bx.QIF or bx.ExpIF."
        )
    return names[0]


def simulate(
    neuron: AbstractNeuron,
    duration: float | Array,
    current: ArrayLike | Callable[[Array], Array] = 0.0,
    *,
    synapses: AbstractEventSynapses | None = None,
    max_spikes: int = 64,
    max_events: int | None = None,
    solver: diffrax.AbstractAdaptiveSolver | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    max_steps: int = 4096,
    throw: bool = True,
) -> SpikeTrain:
    """Simulate integrate-and-fire neurons with exact spike times.

    No time grid: between events the neurons' vector field (and the synaptic
    variables) is solved by an adaptive diffrax solver, and threshold crossings
    are located by the root finding of `diffrax.Event` (`optimistix.Newton` on
    the solver's dense interpolation). At a crossing the neuron spikes, its
    potential is reset to `V_reset` and held there for `t_ref` ms; the spike is
    delivered to its targets `delay` ms later. The loop runs over events
    (crossings, deliveries, ends of refractory periods), at most `max_events`,
    recording at most `max_spikes` spikes; if either runs out before `duration`
    the result says so (`overflow`) and, with `throw=True`, an error is raised.
    A solve that fails (the root finder or the step limit) ends the run where
    that interval began, so the train up to `t_end` stays exact.

    Crossings are detected at the ends of the solver's steps: a potential that
    rises above the threshold and falls back below it within one step is not a
    spike here, though a fine fixed-step simulation counts one. Only
    near-grazing crossings are affected: a LIF (tau 20 ms, R 100 MOhm, 15 mV
    to threshold) under `159.37 + 20 sin(2 pi 0.05 t)` pA peaks 1e-3 mV above
    threshold for 0.5 ms and is missed at the default tolerances; with a mean
    of 159.45 pA its crossing is found. Pass a smaller `rtol`/`atol` for
    smaller steps.

    The spike times are differentiable with respect to the parameters, the input
    and the weights: `jax.grad` of a spike time is the implicit-function-theorem
    derivative `dt*/dp = -(dV/dp) / (dV/dt)` at the crossing, which diffrax's
    event root finding provides.

    The neurons start from their current `V` and not refractory.

    **Arguments:**

    - `neuron`: an integrate-and-fire population whose only Hidden state is `V`
      (mV), with a threshold (`V_th`, or the cut-off `V_peak`/`V_cut`), `V_reset`
      (mV) and `t_ref` (ms): [`brainox.LIF`][], [`brainox.QIF`][],
      [`brainox.ExpIF`][].
    - `duration`: simulated time (ms).
    - `current`: external input current (pA): a scalar, one value per neuron, or
      a function `t -> current` of the time (ms).
    - `synapses`: coupling among the neurons,
      [`brainox.exact.DeltaSynapses`][] or
      [`brainox.exact.ExponentialSynapses`][]; `None` for uncoupled neurons.
    - `max_spikes`: size of the spike record.
    - `max_events`: iterations of the event loop (default `3 max_spikes + 2`:
      a crossing, a delivery and the end of a refractory period per spike).
    - `solver`: an adaptive diffrax solver (default `diffrax.Tsit5()`).
    - `rtol`, `atol`: tolerances of the step-size controller and of the Newton
      root finder of the spike times (which solves for the distance to the
      threshold in units of `|V_th|`). Default `1e-10` in float64 and `1e-6`
      in float32.
    - `max_steps`: solver steps per inter-event interval.
    - `throw`: raise an error on overflow (else only flag it).

    **Returns:** a [`brainox.exact.SpikeTrain`][].

    ??? cite "Reference"
        Brette, R. (2006). Exact simulation of integrate-and-fire models with
        synaptic conductances. Neural Computation 18(8), 2004-2027.

        Kidger, P. (2021). On Neural Differential Equations. PhD thesis,
        University of Oxford (section 5.4: events and their gradients).

    !!! example
        ```python
        with jax.enable_x64(True):
            neuron = bx.LIF(1, tau=20.0, R=100.0, V_th=-50.0, dtype=jnp.float64)
            train = bx.exact.simulate(neuron, 100.0, 250.0)
            train.times[0]            # 20 ln(25 / 10) = 18.3258 ms
            jax.grad(lambda i: bx.exact.simulate(neuron, 100.0, i).times[0])(250.0)
        ```
    """
    threshold = _threshold_name(neuron)
    if not isinstance(duration, Tracer) and not float(duration) > 0:
        raise ValueError(f"`duration` must be a positive number of ms, got {duration}.")
    dtype = neuron.hidden_values()["V"].dtype
    if (
        isinstance(max_spikes, bool)
        or not isinstance(max_spikes, int)
        or max_spikes < 1
    ):
        raise ValueError(
            f"`max_spikes` must be a positive integer, got {max_spikes!r}."
        )
    if max_events is None:
        max_events = 3 * max_spikes + 2
    if (
        isinstance(max_events, bool)
        or not isinstance(max_events, int)
        or max_events < 1
    ):
        raise ValueError(
            f"`max_events` must be a positive integer, got {max_events!r}."
        )
    if synapses is not None and synapses.weights.shape[0] != neuron.size:
        raise ValueError(
            f"`synapses` has weights of shape {synapses.weights.shape} for a neuron "
            f"population of {neuron.size}; pass a ({neuron.size}, {neuron.size}) "
            "weight matrix."
        )
    n = neuron.hidden_values()["V"].shape[0]
    if callable(current):
        shape = jax.eval_shape(current, jnp.zeros((), dtype)).shape
    else:
        shape = jnp.shape(current)
    if shape not in ((), (1,), (n,)):
        where = "`current(t)` returns" if callable(current) else "`current` has"
        raise ValueError(
            f"{where} shape {shape}, but the population has {n} neurons; give a "
            f"scalar or one value per neuron, shape ({n},) (pA)."
        )
    tol = 1e-10 if jnp.finfo(dtype).bits == 64 else 1e-6
    train = _run(
        neuron,
        threshold,
        jnp.asarray(duration, dtype),
        current if callable(current) else jnp.asarray(current, dtype),
        synapses,
        max_spikes,
        max_events,
        diffrax.Tsit5() if solver is None else solver,
        tol if rtol is None else rtol,
        tol if atol is None else atol,
        max_steps,
    )
    if throw:
        times = eqx.error_if(
            train.times,
            train.overflow,
            "exact simulation stopped early: more spikes, events or solver steps "
            "than `max_spikes`, `max_events` or `max_steps` allow (raise them), or "
            "the solver or its root finder failed (a non-finite input or state, or "
            "`rtol`/`atol` below the dtype's precision). The spike train up to "
            "`t_end` is exact; pass throw=False to get it.",
        )
        train = train._replace(times=times)
    return train


@eqx.filter_jit
def _run(
    neuron,
    threshold,
    duration,
    current,
    synapses,
    max_spikes,
    max_events,
    solver,
    rtol,
    atol,
    max_steps,
):
    V0 = neuron.hidden_values()["V"]
    n, dtype = V0.shape[0], V0.dtype
    V_th = jnp.broadcast_to(getattr(neuron, threshold), (n,))
    V_reset = jnp.broadcast_to(neuron.V_reset, (n,))
    t_ref = jnp.broadcast_to(neuron.t_ref, (n,))
    delay = jnp.asarray(jnp.inf if synapses is None else synapses.delay, dtype)
    inf = jnp.asarray(jnp.inf, dtype)

    def external(t):
        value = cast(Array, current(t) if callable(current) else current)
        return jnp.broadcast_to(value, (n,))

    def vector_field(t, y, active):
        drive = external(t)
        if synapses is not None:
            drive = drive + synapses.current(y["s"])
        dV = neuron.vector_field(t, {"V": y["V"]}, drive)["V"]
        ds = jnp.zeros_like(y["s"]) if synapses is None else synapses.derivative(y["s"])
        return {"V": jnp.where(active, dV, 0.0), "s": ds}

    # The distance in units of the threshold's magnitude: the root finder's
    # tolerance is then relative, reachable in float32 too (one float32 step of
    # V near -50 mV is 4e-6 mV, above an absolute 1e-6).
    scale = jnp.maximum(jnp.abs(V_th), 1.0)

    def distance_to_threshold(t, y, args, **kwargs):
        # `args` is the mask of neurons outside their refractory period.
        # (In JAX's default float: diffrax compares it with a Python 0.0, which
        # is float64 under 64-bit mode, also for a float32 neuron.)
        distance = jnp.max(jnp.where(args, (y["V"] - V_th) / scale, -1.0))
        return distance.astype(jnp.result_type(float))

    event = diffrax.Event(
        distance_to_threshold,
        root_finder=optx.Newton(rtol=rtol, atol=atol),
        direction=True,
    )
    term = diffrax.ODETerm(vector_field)
    controller = diffrax.PIDController(rtol=rtol, atol=atol)

    def one_event(carry, _):
        t, y, ref_until, times, index, count, delivered, stopped = carry
        active = ref_until <= t
        above = active & (y["V"] >= V_th)
        immediate = jnp.any(above)
        pending = delivered < count
        t_delivery = jnp.where(
            pending, times[jnp.minimum(delivered, max_spikes - 1)] + delay, inf
        )
        t_ref_end = jnp.min(jnp.where(ref_until > t, ref_until, inf))
        t_next = jnp.minimum(duration, jnp.minimum(t_delivery, t_ref_end))
        t_stop = jnp.where(immediate | stopped, t, t_next)
        sol = diffrax.diffeqsolve(
            term,
            solver,
            t,
            t_stop,
            None,
            y,
            args=active,
            saveat=diffrax.SaveAt(t1=True),
            stepsize_controller=controller,
            event=event,
            max_steps=max_steps,
            throw=False,
        )
        failed = (sol.result != diffrax.RESULTS.successful) & (
            sol.result != diffrax.RESULTS.event_occurred
        )
        # A failed solve (step limit, root finder, non-finite values) ends the
        # run where this segment began: what came before is exact.
        t_new = jnp.where(failed, t, cast(Array, sol.ts)[-1])
        y_new = jax.tree.map(lambda a, b: jnp.where(failed, a, b[-1]), y, sol.ys)
        crossed = jax.tree.leaves(sol.event_mask)[0] & ~immediate & ~stopped & ~failed
        spiker = jnp.where(
            immediate,
            jnp.argmax(above),
            jnp.argmax(jnp.where(active, y_new["V"] - V_th, -jnp.inf)),
        ).astype(jnp.int32)
        spikes = (immediate | crossed) & ~stopped
        full = spikes & (count >= max_spikes)
        record = spikes & ~full
        slot = jnp.minimum(count, max_spikes - 1)
        times = jnp.where(record, times.at[slot].set(t_new), times)
        index = jnp.where(record, index.at[slot].set(spiker), index)
        is_spiker = record & (jnp.arange(n) == spiker)
        V = jnp.where(is_spiker, V_reset, y_new["V"])
        ref_until = jnp.where(is_spiker, t_new + t_ref, ref_until)
        count = count + record
        deliver = ~spikes & ~stopped & pending & (t_delivery <= t_new)
        s = y_new["s"]
        if synapses is not None:
            source = index[jnp.minimum(delivered, max_spikes - 1)]
            V_in, s_in = synapses.deliver(V, s, source, ref_until <= t_new)
            V, s = jnp.where(deliver, V_in, V), jnp.where(deliver, s_in, s)
        delivered = delivered + deliver
        stopped = stopped | full | failed
        carry = (
            t_new,
            {"V": V, "s": s},
            ref_until,
            times,
            index,
            count,
            delivered,
            stopped,
        )
        return carry, None

    init = (
        jnp.zeros((), dtype),
        {"V": V0, "s": jnp.zeros((n,), dtype)},
        jnp.full((n,), -jnp.inf, dtype),
        jnp.full((max_spikes,), jnp.inf, dtype),
        jnp.full((max_spikes,), -1, jnp.int32),
        jnp.zeros((), jnp.int32),
        jnp.zeros((), jnp.int32),
        jnp.zeros((), bool),
    )
    (t, y, _, times, index, count, _, stopped), _ = jax.lax.scan(
        one_event, init, None, length=max_events
    )
    overflow = stopped | (t < duration)
    return SpikeTrain(times, index, count, t, overflow, y["V"], y["s"])
