"""The time loop: a stateful layer scanned over the time axis of its input."""

from collections.abc import Callable
from typing import Any, TypeVar, overload

import jax
import jax.tree_util as jtu

from .._custom_types import Model, PyTree
from .._state import combine, partition
from ._layer import AbstractLayer, AbstractSpikingLayer


_L = TypeVar("_L", bound=AbstractLayer)


@overload
def run(
    model: _L,
    inputs: PyTree,
    *,
    record: None = None,
    checkpoint: bool = False,
    unroll: int | bool = 1,
) -> tuple[PyTree, _L]: ...


@overload
def run(
    model: _L,
    inputs: PyTree,
    *,
    record: Callable[[Any], PyTree],
    checkpoint: bool = False,
    unroll: int | bool = 1,
) -> tuple[PyTree, _L, PyTree]: ...


def run(
    model: Any,
    inputs: PyTree,
    *,
    record: Callable[[Any], PyTree] | None = None,
    checkpoint: bool = False,
    unroll: int | bool = 1,
) -> tuple[PyTree, Any] | tuple[PyTree, Any, PyTree]:
    """Run a layer (usually a [`brainox.nn.Sequential`][]) over `T` time steps.

    One `jax.lax.scan` over the leading axis of `inputs`. The carry holds only the
    model's states; parameters and static structure are closed over, so gradients
    reach the parameters through every step (backpropagation through time). The
    model is not reset: reset it first with [`brainox.reset`][] to start a sample
    from rest.

    **Arguments:**

    - `model`: a [`brainox.nn.AbstractLayer`][] (unbatched).
    - `inputs`: the input at every step, time first: `(T, *in_shape)` (or a PyTree
      of such arrays for a model that takes one).
    - `record`: optional function `model -> PyTree` evaluated after every step,
      such as [`brainox.nn.record_spikes`][].
    - `checkpoint`: wrap the step in `jax.checkpoint`, so the backward pass
      recomputes each step's internals instead of storing them: memory for long
      sequences drops to the states per step, for about one extra forward pass.
    - `unroll`: steps per iteration of the compiled loop (`jax.lax.scan`'s
      `unroll`; `True` unrolls all `T`). Unrolling lets XLA fuse across steps,
      at a longer compile: for the 784-256-10 MLP of `benchmarks/training.py`
      (T = 25, batch 128) on a 2-core CPU, `unroll=25` gave 1.17x, 1.15x and
      0.98x the default's samples per second in three runs, and compiled in
      4.9 s against 1.6 s. Try it for short sequences; keep
      the default (1) for long sequences.

    **Returns:** `(outputs, final_model)` with `outputs` of shape
    `(T, *out_shape)`; with `record`, `(outputs, final_model, recorded)` with
    every leaf of `recorded` stacked over time.

    !!! example
        ```python
        def forward(model, x):                  # x: (T, 784), one sample
            spikes, _ = bx.nn.run(bx.reset(model), x)
            return spikes                        # (T, 10)

        spikes = jax.vmap(forward, in_axes=(None, 0))(model, xb)  # (B, T, 10)
        ```
    """
    if not isinstance(model, AbstractLayer):
        raise TypeError(
            f"`model` must be a brainox.nn layer (called as `y, model = model(x)`), "
            f"got {type(model).__name__}; wrap eqx.nn layers in "
            "`bx.nn.Sequential([...])`."
        )
    lengths = {x.shape[0] if x.ndim else None for x in jtu.tree_leaves(inputs)}
    if len(lengths) != 1 or None in lengths:
        raise ValueError(
            "`inputs` must have a leading time axis of the same length on every "
            f"array, got lengths {sorted(map(str, lengths))}."
        )
    params, states, static = partition(model)

    def step(states, x):
        y, new = combine(params, states, static)(x)
        out = y if record is None else (y, record(new))
        return partition(new)[1], out

    if not isinstance(unroll, bool) and (not isinstance(unroll, int) or unroll < 1):
        raise ValueError(
            f"`unroll` must be a positive number of steps or True (all), got "
            f"{unroll!r}."
        )
    if checkpoint:
        step = jax.checkpoint(step)
    states, out = jax.lax.scan(step, states, inputs, unroll=unroll)
    final = combine(params, states, static)
    if record is None:
        return out, final
    outputs, recorded = out
    return outputs, final, recorded


def record_spikes(model: Model) -> dict[str, Any]:
    """The spikes of every spiking layer of a model, by path.

    Pass it as `record=` to [`brainox.nn.run`][] to record the spike trains of all
    layers over time.

    **Returns:** a dict from the path of each spiking layer (such as
    `".layers[1]"`) to its current spikes.

    !!! example
        ```python
        out, model, spikes = bx.nn.run(model, x, record=bx.nn.record_spikes)
        spikes[".layers[1]"].shape             # (T, 256)
        ```
    """
    is_spiking = lambda x: isinstance(x, AbstractSpikingLayer)  # noqa: E731
    leaves = jtu.tree_flatten_with_path(model, is_leaf=is_spiking)[0]
    return {
        jtu.keystr(path): leaf.spike.value for path, leaf in leaves if is_spiking(leaf)
    }
