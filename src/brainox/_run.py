"""The runner: simulate any brainox model in one compiled `lax.scan`."""

import functools
import hashlib
import json
import math
import numbers
import os
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
import jax.tree_util as jtu
import numpy as np
from jax._src import core as _jax_core
from jax.core import Tracer

from ._compiler_options import (
    check_compiler_options,
    default_compiler_options,
    has_hoisted_loop,
    platform_of,
    uses_region_analysis,
    without_region_analysis,
)
from ._custom_types import Array, Model, PyTree
from ._dynamics import AbstractNeuron
from ._state import AbstractState, is_state
from ._validate import (
    check_dt,
    check_input_shape,
    check_resolution,
    check_state_dtypes,
)
from .native._step import UntranslatableStep, fused, fused_steps
from .projections import check_spike_buffers, error_if_spike_buffers_overflowed


class SpikeEvents(NamedTuple):
    """Spikes recorded compactly as one `(step, index)` event per spike.

    - `step`: the step during which the spike happened (int32); its time is the end
      of that step, `time = (step + 1) * dt`.
    - `index`: the index of the neuron that spiked (int32), into the flattened
      spike vector.
    - `time`: the spike time in ms.

    Events are ordered by step, then by index.

    !!! example
        ```python
        ev = rec["exc"]
        rate_hz = len(ev.index) / n_neurons / (duration / 1000)
        ```
    """

    step: Any
    index: Any
    time: Any


Monitor = str | Callable[[Model], Any]
"""A monitor: a function of the model, or the dotted name of a state ("exc.V"); the
dotted path walks attributes, dict keys and list indices ("populations.exc.V",
"layers.0.V")."""


@functools.cache
def _resolve(name: str) -> Callable[[Model], Any]:
    # Cached so that the same name gives the same function, and simulate's
    # compiled chunk is reused across calls instead of recompiled.
    def read(model):
        x = model
        for part in name.split("."):
            if isinstance(x, Mapping) and part in x:
                x = x[part]
                continue
            if isinstance(x, (list, tuple)) and part.isdigit() and int(part) < len(x):
                x = x[int(part)]
                continue
            if not hasattr(x, part):
                raise AttributeError(
                    f"monitor {name!r}: {type(x).__name__} has no field {part!r}; "
                    "name a state such as 'V' or 'exc.V', or pass a function of "
                    "the model."
                )
            x = getattr(x, part)
        return x.value if isinstance(x, AbstractState) else x

    return read


def _as_functions(spec: Mapping[str, Monitor] | list[str] | tuple | None, arg: str):
    if spec is None:
        return {}
    if isinstance(spec, (list, tuple)):
        spec = {name: name for name in spec}
    if not isinstance(spec, Mapping):
        raise TypeError(
            f"`{arg}` must be a dict of name -> function of the model (or state "
            f"name), or a list of state names; got {type(spec).__name__}."
        )
    for name, monitor in spec.items():
        if not isinstance(name, str):
            raise TypeError(
                f"`{arg}` names must be strings, got {name!r} "
                f"({type(name).__name__}); e.g. {{'exc': 'populations.exc.spike'}}."
            )
        if not (isinstance(monitor, str) or callable(monitor)):
            raise TypeError(
                f"`{arg}[{name!r}]` must be a state name such as 'V' or a function "
                f"of the model, got {monitor!r}."
            )
    if "t" in spec:
        raise ValueError(f"`{arg}` may not use the name 't': it holds the times.")
    return {k: _resolve(v) if isinstance(v, str) else v for k, v in spec.items()}


def _split_inputs(inputs: PyTree, n_steps: int):
    paths, treedef = jtu.tree_flatten_with_path(inputs, is_leaf=callable)
    arrays, functions = [], []
    for path, leaf in paths:
        if callable(leaf):
            arrays.append(None)
            functions.append(leaf)
            continue
        arr = jnp.asarray(leaf)
        if arr.ndim == 0 or arr.shape[0] != n_steps:
            raise ValueError(
                f"the input array `inputs{jtu.keystr(path)}` has shape {arr.shape}, "
                f"but arrays in `inputs` are over time and need a leading axis of "
                f"n_steps = {n_steps}. For a constant input pass a function "
                "instead: `lambda step, t: value`."
            )
        arrays.append(arr)
        functions.append(None)
    return arrays, tuple(functions), treedef


def _record(name: str, monitor: Callable[[Model], Any], model: Model) -> Array:
    value = monitor(model)
    if isinstance(value, AbstractState):
        value = value.value
    if not isinstance(value, (jax.Array, np.ndarray, numbers.Number)):
        raise TypeError(
            f"monitor {name!r} returned a {type(value).__name__}; a monitor returns "
            "one array (or number). For several, give one monitor each, e.g. "
            "monitors={'V': 'V', 'g': lambda m: m.g.value}."
        )
    return jnp.asarray(value)


def _pack(spike: Array) -> Array:
    # One bit per neuron: 1/8 byte per neuron and step, decoded on the host.
    return jnp.packbits(jnp.ravel(spike) > 0)


def _dotted(path) -> str:
    # A key path as the dotted name monitors use: "populations.exc.V".
    parts = []
    for key in path:
        for attr in ("name", "key", "idx"):
            if hasattr(key, attr):
                parts.append(str(getattr(key, attr)))
                break
    return ".".join(parts)


def _state_leaves(states) -> list[tuple[str, Array]]:
    # The arrays of the tagged states, each with its dotted path.
    found = jtu.tree_flatten_with_path(states, is_leaf=is_state)[0]
    return [
        (_dotted(path), s.value) for path, s in found if isinstance(s, AbstractState)
    ]


def _check_carry(before, after) -> None:
    # At trace time: a step must keep the states, each of its shape and dtype.
    old, new = dict(_state_leaves(before)), dict(_state_leaves(after))
    if list(old) != list(new):
        raise ValueError(
            f"one step changes which states the model holds (before: {list(old)}, "
            f"after: {list(new)}); `step` must return the model with the same "
            "tagged states (update them with `.replace(value)`)."
        )
    for path, x in old.items():
        y = new[path]
        if x.shape != y.shape or x.dtype != y.dtype:
            raise ValueError(
                f"one step turns the state `{path}` from {x.dtype}{list(x.shape)} "
                f"into {y.dtype}{list(y.shape)}: an input of another shape or "
                "dtype leaks into it. Give `inputs` one value per neuron (or a "
                f"scalar) of dtype {x.dtype}, e.g. `jnp.asarray(x, jnp.{x.dtype})`, "
                "or build the model with the inputs' dtype."
            )


class _NonFiniteMessages(Sequence):
    # The message of index `step * n + leaf`: which state went non-finite, when.
    # Hashable (equinox keeps the messages as a static argument).
    def __init__(self, paths: tuple[str, ...], dt: float, n_steps: int):
        self.paths, self.dt, self.n_steps = paths, dt, n_steps

    def __len__(self) -> int:
        return self.n_steps * len(self.paths)

    def __getitem__(self, index):
        step, leaf = divmod(int(index), len(self.paths))
        return (
            f"check_finite: the state `{self.paths[leaf]}` holds NaN or inf after "
            f"step {step} (t = {(step + 1) * self.dt:g} ms). Monitor it up to that "
            "step to see it diverge; usual causes: dt too large for the fastest "
            "time constant, an exploding input or weight, or a NaN parameter."
        )

    def __hash__(self) -> int:
        return hash((self.paths, self.dt, self.n_steps))

    def __eq__(self, other) -> bool:
        return isinstance(other, _NonFiniteMessages) and (
            (self.paths, self.dt, self.n_steps)
            == (other.paths, other.dt, other.n_steps)
        )


def _error_if_not_finite(states, step, dt: float, n_steps: int):
    # `states`, with a runtime error naming the first non-finite state and step.
    leaves = [
        (path, x)
        for path, x in _state_leaves(states)
        if jnp.issubdtype(x.dtype, jnp.inexact)
    ]
    if not leaves:
        return states
    bad = jnp.stack([jnp.logical_not(jnp.all(jnp.isfinite(x))) for _, x in leaves])
    paths = tuple(path for path, _ in leaves)
    index = step * len(paths) + jnp.argmax(bad).astype(step.dtype)
    messages = _NonFiniteMessages(paths, dt, n_steps)
    return eqx.branched_error_if(states, jnp.any(bad), index, messages)


def _run_chunk(
    states,
    rest,
    start,
    arrays,
    functions,
    treedef,
    monitors,
    spikes,
    counters,
    totals,
    k,
    dt,
    n_records,
    check_finite=None,
    native=False,
):
    # Runs n_records blocks of k steps from step `start`; records the monitors after
    # each block and the bit-packed spikes after every step, and adds each step's
    # spikes of the `counters` to their running `totals`. `check_finite` is None
    # (no check, nothing added to the computation) or the total number of steps.
    def inputs_at(step, xs):
        # The model's input at `step` (a traced int32), from the input arrays'
        # rows `xs` and the input functions.
        t = step.astype(jnp.result_type(float)) * dt
        leaves = [
            f(step, t) if f is not None else x
            for f, x in zip(functions, xs, strict=True)
        ]
        return jtu.tree_unflatten(treedef, leaves)

    def check_inputs(model, x):
        if isinstance(model, AbstractNeuron) and isinstance(x, jax.Array):
            check_input_shape("the neuron (`inputs`)", x, model.spike.value)

    def step_and_count(model_and_totals, x):
        model, totals = model_and_totals
        model = model.step(x, dt)
        totals = {
            name: total + (jnp.reshape(counters[name](model), total.shape) > 0)
            for name, total in totals.items()
        }
        return model, totals

    def one_step(carry, xs):
        states, step, totals = carry
        model = eqx.combine(states, rest, is_leaf=is_state)
        x = inputs_at(step, xs)
        check_inputs(model, x)
        if native:  # the step and the spike counts in one generated loop
            name = type(model).__name__
            model, totals = fused(step_and_count, (model, totals), x, name)
        else:
            model, totals = step_and_count((model, totals), x)
        packed = {name: _pack(fn(model)) for name, fn in spikes.items()}
        new_states, _ = eqx.partition(model, is_state, is_leaf=is_state)
        _check_carry(states, new_states)
        if check_finite is not None:
            new_states = _error_if_not_finite(new_states, step, dt, check_finite)
        return (new_states, step + 1, totals), packed

    def native_steps(carry, xs, n):
        # The `n` steps of `xs` (leading axis: steps) in one generated loop,
        # which also returns each step's spikes to record.
        states, step, totals = carry
        model = eqx.combine(states, rest, is_leaf=is_state)
        steps = step + jnp.arange(n, dtype=step.dtype)
        try:
            x = jax.vmap(inputs_at)(steps, xs)
        except Exception:  # an input function that vmap cannot batch
            x = jax.lax.map(lambda a: inputs_at(*a), (steps, xs))
        check_inputs(model, jtu.tree_map(lambda a: a[0], x))

        def body(model_and_totals, x):
            model, totals = step_and_count(model_and_totals, x)
            # (traced before any C++ is generated: each state goes on into the
            # next step, so its shape and dtype must hold)
            _check_carry(states, eqx.filter(model, is_state, is_leaf=is_state))
            fired = {name: jnp.ravel(fn(model)) > 0 for name, fn in spikes.items()}
            return (model, totals), fired

        name = type(model).__name__
        (model, totals), fired = fused_steps(body, (model, totals), x, name, steps=n)
        packed = {name: jnp.packbits(f, axis=1) for name, f in fired.items()}
        new_states, _ = eqx.partition(model, is_state, is_leaf=is_state)
        return (new_states, step + n, totals), packed

    def native_block(carry, xs_block):
        # The k steps between two records in generated loops of `block` steps,
        # the last one shorter if `block` does not divide k.
        whole, rest_steps = divmod(k, block)
        head = [None if x is None else x[: whole * block] for x in xs_block]
        head = [
            None if x is None else x.reshape(whole, block, *x.shape[1:]) for x in head
        ]
        carry, packed = jax.lax.scan(
            functools.partial(native_steps, n=block), carry, head, length=whole
        )
        packed = {name: p.reshape(whole * block, -1) for name, p in packed.items()}
        if rest_steps:
            tail = [None if x is None else x[whole * block :] for x in xs_block]
            carry, last = native_steps(carry, tail, rest_steps)
            packed = {
                name: jnp.concatenate([p, last[name]]) for name, p in packed.items()
            }
        return carry, packed

    # A native run without the finiteness check runs the steps between records
    # (all of them without monitors) in generated loops of `block` steps, as
    # many as keep their stacked inputs and spikes within _NATIVE_VALUES values.
    looped = native and check_finite is None
    block = 1
    if looped and not monitors:
        k, n_records = k * n_records, 1
    if looped:
        row = [None if a is None else a[0] for a in arrays]
        per_step = sum(
            math.prod(x.shape)
            for x in jtu.tree_leaves(jax.eval_shape(inputs_at, start, row))
        )
        model = eqx.combine(states, rest, is_leaf=is_state)
        per_step += sum(math.prod(jnp.shape(fn(model))) for fn in spikes.values())
        block = max(min(k, _NATIVE_VALUES // per_step) if per_step else k, 1)

    def step_by_step(carry, xs_block):
        if k == 1:  # no inner loop: one step per record
            first = [None if x is None else x[0] for x in xs_block]
            carry, packed = one_step(carry, first)
            return carry, {name: p[None] for name, p in packed.items()}
        return jax.lax.scan(one_step, carry, xs_block, length=k)

    def recorded(carry, packed):
        model = eqx.combine(carry[0], rest, is_leaf=is_state)
        records = {name: _record(name, fn, model) for name, fn in monitors.items()}
        return carry, (records, packed)

    def record_block(carry, xs_block):
        if looped:
            try:
                return recorded(*native_block(carry, xs_block))
            except UntranslatableStep:
                if not spikes:
                    raise
                # A spike record the generator cannot translate: one native
                # call per step, XLA reading the spikes after each.
        return recorded(*step_by_step(carry, xs_block))

    xs = [None if a is None else a.reshape(-1, k, *a.shape[1:]) for a in arrays]
    (states, _, totals), (records, packed) = jax.lax.scan(
        record_block, (states, start, totals), xs, length=n_records
    )
    packed = {name: p.reshape(n_records * k, -1) for name, p in packed.items()}
    return states, records, packed, totals


_NATIVE_VALUES = 2**22
"""The most input and spike values (over all steps) that one generated loop of
a native run takes and returns at once: 16 MB of float32 inputs."""


@functools.cache
def _jitted_run_chunk(options: tuple[tuple[str, Any], ...]):
    # One jitted runner per set of XLA options, so that each keeps its own
    # cache of compiled chunks.
    return eqx.filter_jit(_run_chunk, compiler_options=dict(options))  # pyright: ignore[reportCallIssue]


@functools.cache
def _compiled_run_chunk(options: tuple[tuple[str, Any], ...], remat: bool):
    run = _jitted_run_chunk(options)
    return eqx.filter_checkpoint(run) if remat else run


_CHECKED: dict[Any, bool] = {}
"""Whether a chunk compiles safely with region-based copy analysis, by the
chunk's signature (its arguments' structure, static values and array types;
the keys hold the static values, such as input functions, for as long as
they stay among the 64 most recent)."""


def _signature(args: tuple) -> Any:
    leaves, treedef = jtu.tree_flatten(args)
    return treedef, tuple(
        (x.shape, x.dtype, getattr(x, "weak_type", False))
        if isinstance(x, (jax.Array, np.ndarray))
        else x
        for x in leaves
    )


def _safe_with_regions(options: tuple[tuple[str, Any], ...], args: tuple) -> bool:
    # Whether XLA compiles the chunk `args` with `options` without the hoisted
    # loop that region-based copy analysis mishandles (see
    # `default_compiler_options`). Checked once per signature; the jitted run
    # then finds the compiled program in JAX's cache.
    try:
        key = (options, _signature(args))
        hash(key)
    except TypeError:  # an unhashable static value: check every time
        key = None
    if key in _CHECKED:
        return _CHECKED[key]
    compiled = _jitted_run_chunk(options).lower(*args).compile()
    safe = not has_hoisted_loop(compiled.compiled.as_text())
    if key is not None:
        if len(_CHECKED) >= 64:  # keep the most recent signatures
            del _CHECKED[next(iter(_CHECKED))]
        _CHECKED[key] = safe
    return safe


_TRACED_OPTIONS = (
    "checkpoints and progress bars need concrete values; do not combine them with "
    "jax.grad/jit around simulate."
)


def _is_traced(tree: PyTree) -> bool:
    return any(isinstance(x, Tracer) for x in jtu.tree_leaves(tree))


def _inside_trace() -> bool:
    # Whether simulate runs inside jax.jit, grad or vmap, even when the model and
    # inputs are closed over rather than passed in. JAX has no public test for
    # this; `trace_state_clean` is its internal one.
    clean = getattr(_jax_core, "trace_state_clean", None)
    if clean is None:
        return isinstance(jnp.zeros(()) + 0, Tracer)
    return not clean()


def simulate(
    model: Model,
    duration: float | None = None,
    *,
    dt: float,
    n_steps: int | None = None,
    inputs: PyTree = None,
    monitors: Mapping[str, Monitor] | list[str] | None = None,
    record_every: int = 1,
    spikes: Mapping[str, Monitor] | list[str] | None = None,
    spike_counts: Mapping[str, Monitor] | list[str] | None = None,
    chunk_size: int | None = None,
    progress: bool = False,
    checkpoint: str | os.PathLike | None = None,
    checkpoint_every: int = 1,
    resume: bool = True,
    remat: bool = False,
    check_finite: bool = False,
    compiler_options: Mapping[str, Any] | None = None,
    native: bool = False,
) -> tuple[Model, dict[str, Any]]:
    """Simulate a model for `duration` ms (or `n_steps` steps) of `dt` ms.

    Each step calls `model.step(x, dt)`, which returns the new model, inside one
    compiled `jax.lax.scan` per chunk. Time is counted in integer steps: step `i`
    spans `[i dt, (i + 1) dt]`.

    **Arguments:**

    - `model`: any module with a `step(x, dt) -> model` method (a neuron, a
      network, ...).
    - `duration`: simulated time (ms). Give this or `n_steps`.
    - `dt`: the time step (ms, > 0). A `UserWarning` says when it is coarser
      than half the model's fastest time constant (any `tau*` parameter), or
      than 0.1 ms for Hodgkin-Huxley-type neurons.
    - `n_steps`: number of steps, instead of `duration`.
    - `inputs`: the `x` passed to `step`: a PyTree whose leaves are arrays over time
      (leading axis `n_steps`, entry `i` used during step `i`) or functions
      `(step, t) -> value` of the integer step and its start time `t = step dt`
      (ms). `None` passes `None`.
    - `monitors`: what to record: a dict from a name to a function of the model or
      the dotted name of a state (`"V"`, `"exc.V"`), or a list of state names.
      Recorded after every `record_every`-th step.
    - `record_every`: decimation: record after steps `k-1, 2k-1, ...` (k >= 1).
    - `spikes`: spike vectors to record compactly as [`brainox.SpikeEvents`][]
      (same forms as `monitors`, e.g. `{"exc": "spike"}`). Every step is seen:
      the device keeps one bit per neuron and step (so no buffer can overflow and
      no spike is dropped), decoded into events on the host after each chunk.
    - `spike_counts`: spike vectors to count instead (same forms): each entry
      becomes an int32 array shaped like the spike vector, the number of steps
      in which each neuron spiked over the whole run (Brian2's
      `SpikeMonitor(record=False)`). Firing rates without a record over time:
      the device keeps one running total per neuron, so the cost neither grows
      with the duration nor depends on how many spikes there are.
    - `chunk_size`: run in chunks of this many steps (a multiple of
      `record_every`), moving recordings to host memory after each chunk so that
      device memory stays bounded on long runs. Default: one chunk. After each
      chunk, projections with a bounded spike buffer are checked
      ([`brainox.check_spike_buffers`][]): an overflow raises there.
    - `progress`: show a progress bar (needs the `progress` extra, tqdm).
    - `checkpoint`: a directory. After every `checkpoint_every` chunks the model,
      the recordings so far and the position are saved there (atomically, in
      `progress.json`, `model-N.eqx` and `records-N.npz`; other files in the
      directory are left alone).
    - `checkpoint_every`: chunks between checkpoints.
    - `resume`: if `checkpoint` holds a run of the same configuration, continue it.
      The resumed result equals an uninterrupted run bit for bit.
    - `remat`: recompute each chunk in the backward pass instead of storing its
      intermediates (`jax.checkpoint`), for gradients through long runs
      (outside `jax.grad` it changes nothing).
    - `check_finite`: after every step, check that every floating state is
      finite, and raise (through `eqx.error_if`, so inside `jit` and `grad`
      too) naming the first state that holds NaN or inf, by its path such as
      `populations.exc.V`, and the step. Off by default: then nothing is added
      to the compiled computation.
    - `compiler_options`: XLA options for compiling the loop (a dict from option
      name to value, as `jax.jit(compiler_options=...)` takes). `None` (the
      default) uses [`brainox.default_compiler_options`][] for the platform the
      model lives on; `{}` uses XLA's own defaults. Inside an outer `jax.jit` or
      `jax.grad` the outer computation's options apply. Region-based copy
      analysis is left out of a loop in which XLA moves a small inner loop into
      a call, where it would reorder reads and writes of the state (see
      [`brainox.default_compiler_options`][]).
    - `native`: run the steps as generated C++ ([`brainox.native_step`][];
      CPU only, not differentiable, for models of elementwise arithmetic and
      event-driven propagation): one call loops over all the steps between
      two records (all the steps of a chunk without `monitors`), in blocks
      of at most 2^22 input and recorded spike values; one step per call
      with `check_finite` or a spike record it cannot translate. `False`
      (the default) runs `model.step` through XLA.

    **Returns:** `(final_model, recordings)`. `recordings` maps each monitor name to
    an array with a leading time axis, each `spikes` name to
    [`brainox.SpikeEvents`][], each `spike_counts` name to its counts, and `"t"`
    to the times (ms) of the records (the end of each recorded step).

    Gradients flow through `simulate` (backpropagation through time) when it is
    called inside `jax.grad`; recordings then stay on the device, and each
    `spikes` entry is the bit-packed record, a `(n_steps, ceil(n / 8))` uint8
    array (`jnp.unpackbits(x, axis=1, count=n)` restores the 0/1 spikes).

    !!! example
        ```python
        neuron = bx.LIF(100, t_ref=2.0)
        neuron, rec = bx.simulate(neuron, 1000.0, dt=0.1,
                                  inputs=lambda step, t: 250.0,
                                  monitors=["V"], spikes={"lif": "spike"})
        rec["V"].shape        # (10000, 100)
        rec["lif"].time       # spike times, ms
        ```
    """
    dt = check_dt(dt)
    n_steps = _n_steps(duration, n_steps, dt)
    if not isinstance(native, bool):
        raise TypeError(f"`native` must be True or False, got {native!r}.")
    k = _positive_int("record_every", record_every)
    checkpoint_every = _positive_int("checkpoint_every", checkpoint_every)
    chunk = n_steps if chunk_size is None else _positive_int("chunk_size", chunk_size)
    if n_steps % k or chunk % k:
        raise ValueError(
            f"n_steps ({n_steps}) and chunk_size ({chunk}) must be multiples of "
            f"record_every ({k}); change the duration or record_every."
        )
    if not callable(getattr(model, "step", None)):
        raise TypeError(
            f"`model` ({type(model).__name__}) has no `step(x, dt)` method; "
            "simulate a brainox neuron, network or a module that defines one."
        )
    check_resolution(model, dt)
    check_state_dtypes(model)
    finite_steps = _finite_check_steps(check_finite, n_steps, model)
    if compiler_options is None:
        compiler_options = default_compiler_options(platform_of(model))
    options = check_compiler_options(compiler_options)
    monitor_fns = _as_functions(monitors, "monitors")
    spike_fns = _as_functions(spikes, "spikes")
    count_fns = _as_functions(spike_counts, "spike_counts")
    _check_distinct_names(
        monitors=monitor_fns, spikes=spike_fns, spike_counts=count_fns
    )
    arrays, functions, treedef = _split_inputs(inputs, n_steps)
    states, rest = eqx.partition(model, is_state, is_leaf=is_state)
    traced = _is_traced((states, rest, arrays)) or _inside_trace()
    if traced and (checkpoint is not None or progress):
        raise ValueError(_TRACED_OPTIONS)
    if traced:  # a nested jit takes its outer computation's compiler options
        options = ()

    chunks = [(s, min(chunk, n_steps - s)) for s in range(0, n_steps, chunk)]
    parts: dict[str, list] = {name: [] for name in monitor_fns}
    events: dict[str, list] = {name: [] for name in spike_fns}
    totals = {  # (NumPy: no device dispatch for the first chunk's zeros)
        name: np.zeros(jnp.shape(fn(model)), np.int32) for name, fn in count_fns.items()
    }
    first = 0
    config: dict[str, Any] = dict(
        n_steps=n_steps,
        dt=dt,
        chunk_size=chunk,
        record_every=k,
        monitors=sorted(monitor_fns),
        spikes=sorted(spike_fns),
    )
    if count_fns:  # only then, so that earlier checkpoints without counts resume
        config["spike_counts"] = sorted(count_fns)
    if checkpoint is not None:
        config["parameters"] = _fingerprint(rest)
    if checkpoint is not None and resume:
        loaded = _load_checkpoint(checkpoint, config, model)
        if loaded is not None:
            first, model, parts, events, saved_totals = loaded
            totals = {name: jnp.asarray(saved_totals[name]) for name in totals}
            states, rest = eqx.partition(model, is_state, is_leaf=is_state)

    done = chunks[first][0] if first < len(chunks) else n_steps
    bar = _progress_bar(n_steps, done) if progress else None
    # Recomputation only matters under a gradient (then traced); at top level
    # the loop simply runs.
    remat = bool(remat) and traced
    run = _compiled_run_chunk(options, remat)
    for c in range(first, len(chunks)):
        start, length = chunks[c]
        xs = [None if a is None else a[start : start + length] for a in arrays]
        args = (
            states,
            rest,
            jnp.asarray(start, jnp.int32),
            xs,
            functions,
            treedef,
            monitor_fns,
            spike_fns,
            count_fns,
            totals,
            k,
            dt,
            length // k,
            finite_steps,
            native,
        )
        if uses_region_analysis(options) and not _safe_with_regions(options, args):
            options = without_region_analysis(options)
            run = _compiled_run_chunk(options, remat)
        states, records, packed, totals = run(*args)
        traced = traced or _is_traced((states, records, packed, totals))
        if traced and (checkpoint is not None or progress):
            raise ValueError(_TRACED_OPTIONS)
        if traced:  # the spike-buffer check below, inside the computation
            states, records, packed, totals = error_if_spike_buffers_overflowed(
                eqx.combine(states, rest, is_leaf=is_state),
                (states, records, packed, totals),
            )
        for name, value in records.items():
            parts[name].append(value if traced else np.asarray(value))
        for name, bits in packed.items():
            events[name].append(bits if traced else _unpack(bits, start))
        if not traced:  # before a checkpoint can save an incomplete step
            check_spike_buffers(eqx.combine(states, rest, is_leaf=is_state))
        due = (c + 1) % checkpoint_every == 0 or c + 1 == len(chunks)
        if checkpoint is not None and due:
            model = eqx.combine(states, rest, is_leaf=is_state)
            _save_checkpoint(checkpoint, config, c + 1, model, parts, events, totals)
        if bar is not None:
            bar.update(length)
    if bar is not None:
        bar.close()
    return eqx.combine(states, rest, is_leaf=is_state), _assemble(
        parts, events, totals, n_steps, k, dt, traced
    )


def _n_steps(duration, n_steps, dt) -> int:
    if (duration is None) == (n_steps is None):
        raise ValueError("give exactly one of `duration` (ms) and `n_steps`.")
    if n_steps is not None:
        return _positive_int("n_steps", n_steps)
    if isinstance(duration, Tracer):
        raise TypeError(
            "`duration` is traced (inside jit, vmap or grad), but it sets the "
            "number of steps, which must be known to compile the loop: pass a "
            "number of ms (a static argument), or `n_steps`."
        )
    steps = float(duration) / dt
    if not (steps > 0 and math.isfinite(steps)):
        raise ValueError(f"`duration` must be a finite number > 0 ms, got {duration}.")
    rounded = round(steps)
    # A whole number of steps up to the rounding of `duration / dt` in float64.
    if rounded == 0 or abs(steps - rounded) > 1e-9 * steps:
        raise ValueError(
            f"`duration` ({duration} ms) is not a whole number of steps of dt = "
            f"{dt} ms; pass n_steps or a duration that is a multiple of dt."
        )
    return int(rounded)


def _finite_check_steps(check_finite: Any, n_steps: int, model: Model) -> int | None:
    if not isinstance(check_finite, (bool, np.bool_)):
        raise TypeError(f"`check_finite` must be True or False, got {check_finite!r}.")
    if not check_finite:
        return None
    n_states = len(_state_leaves(eqx.filter(model, is_state, is_leaf=is_state)))
    if n_steps * max(n_states, 1) >= 2**31:
        raise ValueError(
            f"check_finite counts steps x states in int32: {n_steps} steps x "
            f"{n_states} states is too many; check a shorter run (split it with "
            "`checkpoint=` and simulate the parts), or fewer states."
        )
    return n_steps


def _check_distinct_names(**named: Mapping[str, Any]) -> None:
    # Monitors, spikes and spike counts share one dict of recordings.
    seen: dict[str, str] = {}
    for arg, names in named.items():
        for name in names:
            if name in seen:
                raise ValueError(
                    f"the name {name!r} is in both `{seen[name]}` and `{arg}`; "
                    "recordings share one dict, so give each a distinct name."
                )
            seen[name] = arg


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"`{name}` must be a positive integer, got {value!r}.")
    return int(value)


def _unpack(bits, start: int) -> tuple[np.ndarray, np.ndarray]:
    """The (step, index) pairs of the set bits, ordered by step then index.

    The bytes are read as 64-bit words and only the nonzero words are expanded
    into bits: sparse spikes decode in a fraction of the time of unpacking every
    bit, or every byte. The bits past the last neuron are padding (always 0)."""
    bits = np.ascontiguousarray(bits, dtype=np.uint8)
    n_rows, n_bytes = bits.shape
    if n_bytes % 8:  # pad each row to whole words
        bits = np.concatenate([bits, np.zeros((n_rows, -n_bytes % 8), np.uint8)], 1)
    per_row = bits.shape[1] // 8
    words = bits.view(np.uint64).ravel()
    found = np.flatnonzero(words)
    # Bit b of the expansion of word w is bit b of the row's bytes from 8 w on,
    # in np.packbits' order: neuron 64 w + b.
    set_bits = np.flatnonzero(np.unpackbits(words[found].view(np.uint8)))
    word = found[set_bits >> 6]
    step, first = np.divmod(word, per_row)
    index = first * 64 + (set_bits & 63)
    return (step + start).astype(np.int32), index.astype(np.int32)


def _assemble(parts, events, totals, n_steps, k, dt, traced):
    cat = jnp.concatenate if traced else np.concatenate
    out: dict[str, Any] = {name: cat(v) for name, v in parts.items()}
    for name, total in totals.items():
        out[name] = total if traced else np.array(total)
    for name, chunks in events.items():
        if traced:  # bit-packed spikes, (n_steps, ceil(n / 8)) uint8: jnp.unpackbits
            out[name] = jnp.concatenate(chunks)
            continue
        step = np.concatenate([s for s, _ in chunks]).astype(np.int32)
        index = np.concatenate([i for _, i in chunks]).astype(np.int32)
        out[name] = SpikeEvents(step, index, (step + 1) * dt)
    out["t"] = (np.arange(n_steps // k) + 1) * k * dt
    return out


def _progress_bar(total: int, initial: int):
    try:
        from tqdm.auto import tqdm
    except ImportError as e:
        raise ImportError(
            "progress=True needs tqdm: `pip install 'brainox[progress]'`."
        ) from e
    return tqdm(total=total, initial=initial, unit="step")


def _is_key(x) -> bool:
    return isinstance(x, jax.Array) and jnp.issubdtype(x.dtype, jax.dtypes.prng_key)


def _serialise(f, x):
    if _is_key(x):
        x = jax.random.key_data(x)
    eqx.default_serialise_filter_spec(f, x)


def _deserialise(f, x):
    if _is_key(x):
        data = eqx.default_deserialise_filter_spec(f, jax.random.key_data(x))
        return jax.random.wrap_key_data(data, impl=jax.random.key_impl(x))
    return eqx.default_deserialise_filter_spec(f, x)


def _write_atomically(target: str, write: Callable[[Any], Any]) -> None:
    # Write to a temporary file, flush it to disk, then rename it over `target`:
    # a process killed at any moment leaves the old file or the new one, whole.
    tmp = f"{target}.tmp"
    with open(tmp, "wb") as f:
        write(f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, target)


def _save_checkpoint(path, config, n_done, model, parts, events, totals) -> None:
    # The data files first, then progress.json (which names them): progress.json
    # always points at complete files.
    os.makedirs(path, exist_ok=True)
    model_file = f"model-{n_done}.eqx"
    records_file = f"records-{n_done}.npz"
    _write_atomically(
        os.path.join(path, model_file),
        lambda f: eqx.tree_serialise_leaves(f, model, filter_spec=_serialise),
    )
    flat: dict[str, Any] = {
        f"m.{name}": np.concatenate(v) for name, v in parts.items() if v
    }
    for name, chunks in events.items():
        if chunks:
            flat[f"s.{name}.step"] = np.concatenate([s for s, _ in chunks])
            flat[f"s.{name}.index"] = np.concatenate([i for _, i in chunks])
    for name, total in totals.items():
        flat[f"c.{name}"] = np.asarray(total)
    # NumPy files store dtypes NumPy lacks (bfloat16, float8) as raw bytes: keep
    # their bits as unsigned integers and their names, to view them back.
    dtypes = {k: str(a.dtype) for k, a in flat.items() if a.dtype.kind == "V"}
    for key in dtypes:
        flat[key] = flat[key].view(f"u{flat[key].dtype.itemsize}")
    _write_atomically(os.path.join(path, records_file), lambda f: np.savez(f, **flat))
    progress = dict(
        config,
        chunks_done=n_done,
        model=model_file,
        records=records_file,
        record_dtypes=dtypes,
    )
    _write_atomically(
        os.path.join(path, "progress.json"),
        lambda f: f.write(json.dumps(progress).encode()),
    )
    # Remove the files of earlier checkpoints of this run (and any temporary
    # file a killed save left), never other files in the directory.
    for old in os.listdir(path):
        ours = _CHECKPOINT_FILE.fullmatch(old)
        if ours and old not in (model_file, records_file, "progress.json"):
            os.remove(os.path.join(path, old))


_CHECKPOINT_FILE = re.compile(
    r"(model-\d+\.eqx|records-\d+\.npz|progress\.json)(\.tmp)?"
)


_OPTIONAL_CONFIG = ("spike_counts", "parameters")


def _fingerprint(parameters: PyTree) -> str:
    """A digest of the arrays of `parameters` (their shapes, dtypes and values):
    a checkpoint resumes only the run of the same parameters."""
    digest = hashlib.sha256()
    for leaf in jtu.tree_leaves(eqx.filter(parameters, eqx.is_array)):
        value = np.asarray(jax.random.key_data(leaf) if _is_key(leaf) else leaf)
        digest.update(f"{value.shape}{value.dtype}".encode())
        digest.update(np.ascontiguousarray(value).tobytes())
    return digest.hexdigest()[:16]


def _load_checkpoint(path, config, model):
    progress_file = os.path.join(path, "progress.json")
    if not os.path.exists(progress_file):
        return None
    with open(progress_file) as f:
        progress = json.load(f)
    # Keys a run has only with some options (spike_counts) compare as absent.
    keys = list(config) + [k for k in _OPTIONAL_CONFIG if k in progress]
    saved = {key: progress.get(key) for key in keys}
    differ = [key for key in keys if saved[key] != config.get(key)]
    if differ:
        changes = "; ".join(
            f"{key}: saved {saved[key]!r}, now {config.get(key)!r}" for key in differ
        )
        raise ValueError(
            f"the checkpoint in {os.fspath(path)!r} is of another run ({changes}; "
            "`parameters` is a digest of the model's parameters); delete it, "
            "choose another directory, or pass resume=False to overwrite it."
        )
    model = eqx.tree_deserialise_leaves(
        os.path.join(path, progress["model"]), model, filter_spec=_deserialise
    )
    parts: dict[str, list] = {name: [] for name in config["monitors"]}
    events: dict[str, list] = {name: [] for name in config["spikes"]}
    totals: dict[str, np.ndarray] = {}
    dtypes = progress.get("record_dtypes", {})
    with np.load(os.path.join(path, progress["records"])) as stored:
        data = {
            key: stored[key].view(jnp.dtype(dtypes[key]))
            if key in dtypes
            else stored[key]
            for key in stored.files
        }
    for key, value in data.items():
        kind, name = key.split(".", 1)
        if kind == "m":
            parts[name] = [value]
        elif kind == "c":
            totals[name] = value
        elif name.endswith(".step"):
            base = name[: -len(".step")]
            events[base] = [(value, data[f"s.{base}.index"])]
    return progress["chunks_done"], model, parts, events, totals
