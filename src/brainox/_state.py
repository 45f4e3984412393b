"""The state model: tagged PyTree leaves and the filters that split a model.

A brainox model is an immutable `equinox.Module`. Its **parameters** are untagged
floating arrays (the Equinox convention, so every `eqx.nn` layer composes
unchanged). Its **states** are arrays wrapped in one of three tags, one per
lifetime:

- [`brainox.Hidden`][]: a variable of an ODE/SDE (membrane potential, gating
  variable, conductance). Restored by [`brainox.reset`][].
- [`brainox.ShortTerm`][]: other per-episode state (spike flags, refractory
  counters, traces, delay buffers). Restored by [`brainox.reset`][].
- [`brainox.LongTerm`][]: state that persists across episodes and is not trained
  by gradient (plastic weights, running statistics, counters). Left alone by
  [`brainox.reset`][].
"""

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

import equinox as eqx
import jax
import jax.numpy as jnp
import jax.tree_util as jtu

from ._custom_types import Array, ArrayLike, Model, PyTree


_T = TypeVar("_T")
_S = TypeVar("_S", bound="AbstractState")

Initializer = Callable[[Array, tuple[int, ...], Any], Array]
"""A function `(key, shape, dtype) -> Array` that draws a random initial value."""


class AbstractState(eqx.Module):
    """Base class of the three state tags; filters read the tag's type.

    A tag wraps the current `value` of a state together with `init`, what
    [`brainox.reset`][] restores: either a fixed array or an initializer
    `(key, shape, dtype) -> Array` that draws a fresh value from a key.

    **Arguments:**

    - `value`: the current value, an array (or anything `jnp.asarray` accepts).
    - `init`: what [`brainox.reset`][] restores. Either an array of the same shape
      (default: `value` itself) or an initializer `(key, shape, dtype)` for a
      random initial value, such as `bx.init.normal(-55.0, 2.0)`.
    """

    value: Array
    init: Array | Initializer = eqx.field(default=None)  # set by __init__

    def __init__(self, value: ArrayLike, init: ArrayLike | Initializer | None = None):
        self.value = jnp.asarray(value)
        self.init = self.value if init is None else _as_init(init)
        if not callable(self.init) and jnp.shape(self.init) != self.value.shape:
            raise ValueError(
                f"`init` has shape {jnp.shape(self.init)} but `value` has shape "
                f"{self.value.shape}; pass an initial value of the state's shape."
            )
        if not (callable(self.init) or _same_kind(self.init.dtype, self.value.dtype)):
            raise TypeError(
                f"`init` has dtype {self.init.dtype} but `value` has dtype "
                f"{self.value.dtype}; pass an initial value of the state's dtype "
                "(a reset would refuse it)."
            )

    def replace(self: _S, value: ArrayLike) -> _S:
        """Return the same tag holding `value` (and the same `init`).

        **Arguments:**

        - `value`: the new value, of the same shape as the old one. It is cast to
          the old dtype (within the same kind: float to float, int to int).

        **Returns:** a new tag; the original is unchanged.

        !!! example
            ```python
            v = bx.Hidden(jnp.zeros(3))
            v2 = v.replace(v.value + 1.0)
            ```
        """
        value = jnp.asarray(value)
        old = self.value
        if value.shape != old.shape:
            raise ValueError(
                f"cannot replace a {type(self).__name__} state of shape {old.shape} "
                f"with a value of shape {value.shape}; states keep their shape."
            )
        if not _same_kind(value.dtype, old.dtype):
            raise TypeError(
                f"cannot replace a {type(self).__name__} state of dtype {old.dtype} "
                f"with a value of dtype {value.dtype}; convert it with "
                f"`.astype({old.dtype})` if that is intended."
            )
        if not jnp.issubdtype(old.dtype, jax.dtypes.prng_key):
            value = value.astype(old.dtype)  # also drops a weak type: no retraces
        return dataclasses.replace(self, value=value)  # pyright: ignore

    def initial_value(self, key: Array | None) -> Array:
        """The value [`brainox.reset`][] restores (drawn from `key` if random)."""
        if callable(self.init):
            if key is None:
                raise ValueError(
                    f"{type(self).__name__} state with shape {self.value.shape} has a "
                    "random initial value, so reset needs a key: call "
                    "`bx.reset(model, key=jax.random.key(0))`."
                )
            return jnp.asarray(self.init(key, self.value.shape, self.value.dtype))
        return self.init


def _same_kind(new: Any, old: Any) -> bool:
    """Whether a state of dtype `old` takes a value of dtype `new`: a cast
    within the same kind (float to float, int to int); typed keys only match
    themselves."""
    if jnp.issubdtype(old, jax.dtypes.prng_key):
        return new == old
    return bool(jnp.can_cast(new, old, casting="same_kind"))


def _as_init(init: ArrayLike | Initializer) -> Array | Initializer:
    return init if callable(init) else jnp.asarray(init)


class Hidden(AbstractState):
    """A variable of an ODE/SDE: membrane potential, gating variable, conductance.

    Hidden states are what a model's `vector_field` integrates. They are restored
    by [`brainox.reset`][] at the start of an episode (BrainState's `HiddenState`).
    Arguments as for [`brainox.AbstractState`][].

    !!! example
        ```python
        V = bx.Hidden(jnp.full(100, -65.0))                 # mV, reset to -65
        V = bx.Hidden(v0, init=bx.init.normal(-55.0, 2.0))  # random on each reset
        ```
    """


class ShortTerm(AbstractState):
    """Per-episode state that is not an ODE variable.

    Spike flags, refractory counters, traces, delay buffers. Restored by
    [`brainox.reset`][] (BrainState's `ShortTermState`). Arguments as for
    [`brainox.AbstractState`][].

    !!! example
        ```python
        spike = bx.ShortTerm(jnp.zeros(100))
        ```
    """


class LongTerm(AbstractState):
    """State that persists across episodes and is not trained by gradient.

    Plastic weights, running statistics, counters. [`brainox.reset`][] leaves it
    alone (BrainState's `LongTermState`). Arguments as for
    [`brainox.AbstractState`][].

    !!! example
        ```python
        total_spikes = bx.LongTerm(jnp.array(0))
        ```
    """


_RESETTABLE = (Hidden, ShortTerm)


def is_state(x: Any) -> bool:
    """True for a tagged state (`Hidden`, `ShortTerm` or `LongTerm`).

    Use it as `is_leaf` when mapping over a model yourself:
    `jax.tree.map(f, model, is_leaf=bx.is_state)`.
    """
    return isinstance(x, AbstractState)


def is_param(x: Any) -> bool:
    """True for a parameter: an untagged floating-point array (Equinox convention)."""
    return eqx.is_inexact_array(x)


def _where_mask(model: Model, where: Callable[[Model], Any]) -> PyTree[bool]:
    mask = jtu.tree_map(lambda _: False, model, is_leaf=is_state)
    return eqx.tree_at(where, mask, replace_fn=lambda _: True, is_leaf=is_state)


def _frozen_mask(model: Model, frozen: Callable[[Model], Any]) -> PyTree[bool]:
    # `_where_mask` with errors in the user's terms: `frozen` must pick
    # parameters (arrays or modules) of the model, not states.
    try:
        mask = _where_mask(model, frozen)
    except (AttributeError, TypeError, ValueError, KeyError, IndexError) as e:
        raise ValueError(
            "`frozen` must pick parameters of the model as `eqx.tree_at`'s "
            "`where` does, e.g. `lambda m: m.fc1.weight` (an array or a module, "
            f"not `.value` of a state); calling it failed: {e}"
        ) from e
    on_state = jtu.tree_map(
        lambda picked, leaf: picked and is_state(leaf), mask, model, is_leaf=is_state
    )
    if any(jtu.tree_leaves(on_state)):
        raise ValueError(
            "`frozen` picks a state; states are not trained parameters (they "
            "are in `states`, never in `params`): pick parameters only."
        )
    return mask


def partition(
    model: Model, *, frozen: Callable[[Model], Any] | None = None
) -> tuple[PyTree, PyTree, PyTree]:
    """Split a model into `(params, states, static)`.

    - `params`: the trainable parameters (untagged floating arrays), `None`
      elsewhere. This is what optax and gradients see.
    - `states`: every tagged state (whole tag modules), `None` elsewhere.
    - `static`: everything else (integer arrays, Python values, frozen
      parameters, the structure).

    [`brainox.combine`][] reverses it.

    **Arguments:**

    - `model`: any PyTree, usually an `equinox.Module`.
    - `frozen`: optional `where` function (as in `eqx.tree_at`) that picks
      parameters to freeze, e.g. `lambda m: m.fc1.weight` or
      `lambda m: (m.fc1.weight, m.fc1.bias)`. Frozen parameters go to `static`, so
      gradients and optax skip them.

    A module may also name parameters that are never trained in a
    `fixed_parameters` attribute (a tuple of field names): the layers of
    `bx.nn` name those whose `learn_*` flag is off. They go to `static` too,
    so that no optimizer (weight decay included) changes them.

    **Returns:** the triple `(params, states, static)`.

    !!! example
        ```python
        params, states, static = bx.partition(model)
        opt_state = optimizer.init(params)
        model = bx.combine(params, states, static)
        ```
    """
    states, rest = eqx.partition(model, is_state, is_leaf=is_state)
    params, static = eqx.partition(rest, is_param, is_leaf=is_state)
    masks = [_fixed_mask(model)]
    if frozen is not None:
        masks.append(_frozen_mask(model, frozen))
    for mask in masks:
        frozen_params, params = eqx.partition(params, mask, is_leaf=is_state)
        static = eqx.combine(static, frozen_params, is_leaf=is_state)
    return params, states, static


def _has_fixed(x: Any) -> bool:
    return isinstance(x, eqx.Module) and hasattr(x, "fixed_parameters")


def _fixed_mask(model: Model) -> PyTree[bool]:
    # True at the fields a module names in its `fixed_parameters` (the
    # parameters of a layer whose `learn_*` flag is off, say): not trained.
    def mark(node):
        if not _has_fixed(node):  # a state or a leaf
            return False
        # The module's own fields, and those of modules inside it.
        inner = lambda x: x is not node and (is_state(x) or _has_fixed(x))  # noqa: E731
        mask = jtu.tree_map(mark, node, is_leaf=inner)
        # (In a partitioned tree, such as gradients, a field may be None.)
        names = [n for n in node.fixed_parameters if getattr(node, n) is not None]
        if not names:
            return mask
        return eqx.tree_at(
            lambda m: [getattr(m, name) for name in names],
            mask,
            replace_fn=lambda _: True,
            is_leaf=is_state,
        )

    return jtu.tree_map(mark, model, is_leaf=lambda x: is_state(x) or _has_fixed(x))


def combine(*trees: PyTree) -> PyTree:
    """Combine the parts from [`brainox.partition`][] back into a model.

    Like `eqx.combine`, with tagged states kept whole (`is_leaf` baked in).

    !!! example
        ```python
        model = bx.combine(params, states, static)
        ```
    """
    return eqx.combine(*trees, is_leaf=is_state)


def states(model: Model, tag: type[AbstractState] | None = None) -> PyTree:
    """Select the states of one tag (or all states), `None` elsewhere.

    **Arguments:**

    - `model`: the model.
    - `tag`: `bx.Hidden`, `bx.ShortTerm`, `bx.LongTerm`, or `None` for all.

    **Returns:** a PyTree of the model's structure holding only those states.

    !!! example
        ```python
        long_term = bx.states(model, bx.LongTerm)
        model = bx.combine(long_term, bx.states(fresh, bx.Hidden), ...)
        ```
    """
    kind = AbstractState if tag is None else tag
    return eqx.filter(model, lambda x: isinstance(x, kind), is_leaf=is_state)


def list_states(
    model: Model, tag: type[AbstractState] | None = None
) -> dict[str, AbstractState]:
    """List the states of a model by path, as BrainState's `model.states()` does.

    **Arguments:**

    - `model`: the model.
    - `tag`: restrict to one tag, or `None` for all.

    **Returns:** a dict from path (such as `".exc.V"`) to the tagged state.

    !!! example
        ```python
        for path, s in bx.list_states(model, bx.Hidden).items():
            print(path, s.value.shape)
        ```
    """
    kind = AbstractState if tag is None else tag
    leaves = jtu.tree_flatten_with_path(model, is_leaf=is_state)[0]
    return {jtu.keystr(p): x for p, x in leaves if isinstance(x, kind)}


def list_params(model: Model) -> dict[str, Array]:
    """List the trainable parameters of a model by path (those of
    [`brainox.partition`][]: fixed parameters of `bx.nn` layers are not listed).

    !!! example
        ```python
        n = sum(p.size for p in bx.list_params(model).values())
        ```
    """
    params = partition(model)[0]
    leaves = jtu.tree_flatten_with_path(params, is_leaf=is_state)[0]
    return {jtu.keystr(p): x for p, x in leaves if is_param(x)}


def state_counts(model: Model) -> dict[str, int]:
    """Count parameters and states by kind, as the seed tutorial's example does.

    **Returns:** `{"param": ..., "Hidden": ..., "ShortTerm": ..., "LongTerm": ...}`,
    the number of arrays of each kind (not their sizes).

    !!! example
        ```python
        >>> bx.state_counts(model)
        {'param': 1, 'Hidden': 0, 'ShortTerm': 1, 'LongTerm': 1}
        ```
    """
    counts = {"param": len(list_params(model))}
    for tag in (Hidden, ShortTerm, LongTerm):
        counts[tag.__name__] = len(list_states(model, tag))
    return counts


def reset(model: _T, key: Array | None = None) -> _T:
    """Restore `Hidden` and `ShortTerm` states to their initial values.

    `LongTerm` states and parameters are left alone. States whose initial value is
    random are drawn from `key`, a different sub-key for each state, so the same key
    gives the same model. The sub-key of a state is `fold_in(key, i)`, `i` its
    position among the model's leaves: a model with another layout (say, one
    more parameter before the state) draws other values from the same key, and
    the values drawn at construction are not those of a reset.

    **Arguments:**

    - `model`: the model.
    - `key`: a `jax.random.key`, needed only when some initial value is random.

    **Returns:** the reset model.

    !!! example
        ```python
        model = bx.reset(model, key=jax.random.key(0))
        ```
    """
    leaves, treedef = jtu.tree_flatten(model, is_leaf=is_state)
    out = []
    for i, leaf in enumerate(leaves):
        if isinstance(leaf, _RESETTABLE):
            sub = None if key is None else jax.random.fold_in(key, i)
            leaf = leaf.replace(leaf.initial_value(sub))
        out.append(leaf)
    return jtu.tree_unflatten(treedef, out)
