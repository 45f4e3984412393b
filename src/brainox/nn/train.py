"""An optax training step over the parameters of a model, never its states."""

from collections.abc import Callable
from typing import Any

import equinox as eqx
import optax

from .._custom_types import Model, PyTree
from .._state import combine, partition


def init_optimizer(
    optimizer: optax.GradientTransformation,
    model: Model,
    *,
    frozen: Callable[[Model], Any] | None = None,
) -> PyTree:
    """The optimizer state for the trainable parameters of `model`.

    Only the parameters from [`brainox.partition`][] (untagged floating arrays,
    minus `frozen` ones) get optimizer slots; states never do.

    **Arguments:**

    - `optimizer`: an optax gradient transformation.
    - `model`: the model.
    - `frozen`: optional `where` function picking parameters to keep fixed, as
      in [`brainox.partition`][]; pass the same one to
      [`brainox.nn.make_train_step`][].

    **Returns:** `optimizer.init(params)`.

    !!! example
        ```python
        opt_state = bx.nn.init_optimizer(optax.adam(1e-3), model)
        ```
    """
    return optimizer.init(partition(model, frozen=frozen)[0])


def make_train_step(
    loss_fn: Callable[..., Any],
    optimizer: optax.GradientTransformation,
    *,
    has_aux: bool = False,
    frozen: Callable[[Model], Any] | None = None,
) -> Callable[..., tuple]:
    """A compiled training step: loss, gradient over parameters, optax update.

    The model is split with [`brainox.partition`][] into parameters, states and
    static parts; `loss_fn` is differentiated with `eqx.filter_value_and_grad`
    with respect to the parameters only, and optax updates only them. States
    (membrane potentials, spikes, plastic weights) never receive gradients or
    updates, and frozen parameters stay as they are.

    **Arguments:**

    - `loss_fn`: `loss_fn(model, *batch) -> loss` (a scalar), or `-> (loss, aux)`
      with `has_aux=True`. It usually resets the model, runs it over time with
      [`brainox.nn.run`][] under `jax.vmap`, and applies a loss such as
      [`brainox.nn.spike_count_cross_entropy`][].
    - `optimizer`: an optax gradient transformation.
    - `has_aux`: `loss_fn` returns `(loss, aux)`.
    - `frozen`: optional `where` function of parameters to keep fixed (as in
      [`brainox.partition`][]); use the same in [`brainox.nn.init_optimizer`][].

    **Returns:** `step(model, opt_state, *batch) -> (model, opt_state, loss)`
    (with `aux` appended when `has_aux`), compiled with `eqx.filter_jit`.

    !!! example
        ```python
        optimizer = optax.adam(1e-3)
        opt_state = bx.nn.init_optimizer(optimizer, model)
        step = bx.nn.make_train_step(loss_fn, optimizer)
        model, opt_state, loss = step(model, opt_state, x, y)
        ```
    """

    @eqx.filter_jit
    def step(model, opt_state, *batch):
        params, states, static = partition(model, frozen=frozen)

        def loss_of_params(params):
            return loss_fn(combine(params, states, static), *batch)

        value_and_grad = eqx.filter_value_and_grad(loss_of_params, has_aux=has_aux)
        value, grads = value_and_grad(params)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        params = eqx.apply_updates(params, updates)
        model = combine(params, states, static)
        if has_aux:
            loss, aux = value
            return model, opt_state, loss, aux
        return model, opt_state, value

    return step
