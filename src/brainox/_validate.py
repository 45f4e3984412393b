"""Argument checks shared by constructors and the runner.

Every error names the argument, the value it got, and how to fix it. Values
already traced (inside `jit`, `vmap` or `grad`) cannot be inspected on the host:
they are converted but not checked (runtime checks use `eqx.error_if`).
"""

import dataclasses
import math
import numbers
import warnings
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import jax.tree_util as jtu
import numpy as np
from jax.core import Tracer

from ._custom_types import Array
from ._state import AbstractState


def check_float_dtype(name: str, dtype: Any) -> Any:
    """Check that `dtype` is a floating dtype (parameters and states are floats)."""
    try:
        ok = jnp.issubdtype(dtype, jnp.floating)
    except TypeError:
        ok = False
    if not ok:
        raise TypeError(
            f"`{name}` must be a floating dtype such as jnp.float32 or jnp.float64, "
            f"got {dtype!r}; integer parameters and states would truncate."
        )
    return dtype


def floating_dtype(tree: Any) -> Any:
    """The dtype of the first floating array in `tree`, else the default float
    (an `eqx.nn` layer built in 64-bit mode is float64 and takes float64 input)."""
    floats = jtu.tree_leaves(eqx.filter(tree, eqx.is_inexact_array))
    return floats[0].dtype if floats else jnp.result_type(float)


def as_param(
    name: str,
    value: Any,
    n: int | None,
    dtype: Any,
    *,
    positive: bool = False,
    nonnegative: bool = False,
) -> Array:
    """Convert `value` to a floating parameter array of shape `()` or `(n,)`.

    Raises a `ValueError` naming `name` when the value is NaN, of the wrong shape,
    or of the wrong sign, and a `TypeError` when `dtype` is not floating or the
    value is not numeric. Values that are already traced (inside `jit`/`vmap`) are
    converted but not checked.
    """
    check_float_dtype("dtype", dtype)
    if isinstance(value, (str, bytes)):
        raise TypeError(f"`{name}` must be a number or an array, got {value!r}.")
    arr = jnp.asarray(value, dtype=dtype)
    if arr.ndim > 1 or (arr.ndim == 1 and n is not None and arr.shape[0] not in (n,)):
        raise ValueError(
            f"`{name}` has shape {arr.shape}; expected a scalar or shape ({n},), "
            "one value per neuron."
        )
    if isinstance(arr, Tracer):
        return arr
    host = np.asarray(arr)
    if np.isnan(host).any():
        raise ValueError(f"`{name}` contains NaN; pass finite values.")
    if positive and not (host > 0).all():
        raise ValueError(
            f"`{name}` must be > 0, got {_show(host)}; time constants and "
            "capacitances are positive (ms, pF)."
        )
    if nonnegative and not (host >= 0).all():
        raise ValueError(f"`{name}` must be >= 0, got {_show(host)}.")
    return arr


def check_size(name: str, n: Any) -> int:
    """Check that a population size is a positive integer."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"`{name}` must be a positive integer, got {n!r}.")
    return int(n)


def check_dt(dt: Any) -> float:
    """Check that a time step is a finite positive number of ms."""
    if isinstance(dt, (bool, str, bytes)) or not isinstance(
        dt, (numbers.Real, np.ndarray, jax.Array)
    ):
        raise TypeError(f"`dt` must be a number of ms, got {dt!r}.")
    try:
        dt = float(dt)
    except TypeError as e:
        raise TypeError(
            f"`dt` must be a number of ms, got {dt!r}; a traced or batched dt "
            "cannot set the number of steps."
        ) from e
    if not (dt > 0 and math.isfinite(dt)):
        raise ValueError(f"`dt` must be a positive number of ms, got {dt}.")
    return dt


def check_built_dt(what: str, built: float, dt: Any) -> None:
    """Raise if `what`, built for steps of `built` ms, is stepped with `dt`."""
    if abs(float(dt) - built) > 1e-9 * built:
        raise ValueError(
            f"{what} was built for dt = {built} ms but is stepped with dt = {dt} "
            f"ms; build it with `dt={dt}`."
        )


def check_key(name: str, key: Any) -> Array:
    """Check that `key` is one JAX random key (typed, or raw `uint32` key data)."""
    if not isinstance(key, jax.Array):
        raise TypeError(
            f"`{name}` must be a jax.random.key, got {type(key).__name__} "
            f"{key!r}; pass e.g. `{name}=jax.random.key(0)`."
        )
    typed = jnp.issubdtype(key.dtype, jax.dtypes.prng_key)
    if not typed and not (key.dtype == jnp.uint32 and key.ndim == 1):
        raise ValueError(
            f"`{name}` must be a jax.random.key, got an array of dtype {key.dtype} "
            f"and shape {key.shape}; a seed is not a key: pass "
            f"`{name}=jax.random.key(seed)`."
        )
    if typed and key.shape != ():
        raise ValueError(
            f"`{name}` must be a single jax.random.key, got a batch of shape "
            f"{key.shape}; split it and pass one key (vmap over the construction "
            "for a batch)."
        )
    return key


def check_input_shape(target: str, value: Any, like: Any) -> None:
    """Check that one step's input broadcasts onto a population's neurons.

    **Arguments:**

    - `target`: what receives the input, for the message ("population 'exc'").
    - `value`: the input of one step (an array or its shape-dtype struct).
    - `like`: an array shaped like the population (its spike vector).
    """
    shape, expected = tuple(jnp.shape(value)), tuple(jnp.shape(like))
    try:
        ok = np.broadcast_shapes(shape, expected) == expected
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(
            f"the input to {target} has shape {shape} per step, but the population "
            f"has shape {expected}; pass a scalar or one value per neuron, shape "
            f"{expected} (an array over time in bx.simulate: shape (n_steps,) + "
            f"{expected})."
        )


HH_DT_LIMIT = 0.1
"""Largest step (ms) that resolves the sodium activation of Hodgkin-Huxley-type
neurons (time constants of about 0.1-0.5 ms near threshold)."""


def check_resolution(model: Any, dt: float) -> None:
    """Warn when `dt` is too coarse for the fastest dynamics of `model`.

    A step is too coarse when it exceeds half of a time constant (a positive
    value of a field whose name starts with `tau`, in ms), or the `dt_limit`
    (ms) that a model class declares for fast dynamics without such a field
    (Hodgkin-Huxley-type gating). The warning names the limiting parameter by
    its path in the model and the largest step that resolves it. A coarse step
    is not an error (exponential Euler stays stable), but spike times and
    amplitudes lose accuracy.
    """
    coarse: list[tuple[float, str]] = []  # (largest good dt, what limits it)
    for path, module in _modules(model, ""):
        limit = getattr(type(module), "dt_limit", None)
        if limit is not None and dt > limit:
            coarse.append(
                (float(limit), f"`{path or 'model'}` ({type(module).__name__})")
            )
        for field in dataclasses.fields(module):
            value = getattr(module, field.name, None)
            if not field.name.startswith("tau") or not _concrete(value):
                continue
            taus = np.asarray(jtu.tree_leaves(value)[0])
            taus = taus[taus > 0]  # 0 turns a process off (tau_F = 0: no facilitation)
            if taus.size == 0:
                continue
            fastest = float(taus.min())
            if dt > fastest / 2:
                where = f"{path}.{field.name}" if path else field.name
                coarse.append((fastest / 2, f"`{where}` = {fastest:g} ms"))
    if coarse:
        good, what = min(coarse)
        warnings.warn(
            f"dt = {dt:g} ms is too coarse for {what}: steps longer than half "
            f"the fastest time constant (or 0.1 ms for Hodgkin-Huxley-type "
            f"gates) lose accuracy; use dt <= {good:g} ms.",
            UserWarning,
            stacklevel=3,
        )


def check_state_dtypes(model: Any) -> None:
    """Check that the floating states of each module of `model` share one dtype.

    A state of another dtype (a float64 potential put into a float32 neuron,
    say) runs in mixed precision, silently, and changes the results; the error
    names the module, the states and their dtypes.
    """
    for path, module in _modules(model, ""):
        dtypes = {}
        for field in dataclasses.fields(module):
            value = getattr(module, field.name, None)
            if isinstance(value, AbstractState) and jnp.issubdtype(
                jnp.result_type(value.value), jnp.floating
            ):
                dtypes[field.name] = jnp.result_type(value.value)
        if len(set(dtypes.values())) > 1:
            listed = ", ".join(f"`{k}` is {v}" for k, v in dtypes.items())
            raise ValueError(
                f"the states of `{path or 'model'}` ({type(module).__name__}) mix "
                f"dtypes: {listed}. Build the model with the dtype you want "
                "(`dtype=jnp.float64`), or cast an array before tagging it: "
                "`bx.Hidden(x.astype(jnp.float32))`."
            )


def _modules(tree: Any, path: str):
    # Every equinox module in `tree` with its dotted path ("populations.exc").
    if isinstance(tree, eqx.Module):
        yield path, tree
        for field in dataclasses.fields(tree):
            child = getattr(tree, field.name, None)
            yield from _modules(child, f"{path}.{field.name}" if path else field.name)
    elif isinstance(tree, dict):
        for k, child in tree.items():
            yield from _modules(child, f"{path}.{k}" if path else str(k))
    elif isinstance(tree, (list, tuple)):
        for i, child in enumerate(tree):
            yield from _modules(child, f"{path}.{i}" if path else str(i))


def _concrete(value: Any) -> bool:
    leaves = jtu.tree_leaves(value)
    return (
        len(leaves) == 1
        and isinstance(leaves[0], (jax.Array, np.ndarray))
        and not isinstance(leaves[0], Tracer)
        and jnp.issubdtype(leaves[0].dtype, jnp.floating)
        and leaves[0].size > 0
    )


def _show(x: np.ndarray) -> str:
    return str(x.item()) if x.size == 1 else f"min {x.min()}"
