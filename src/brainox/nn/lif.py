"""The leaky integrate-and-fire layer."""

from typing import Any

import equinox as eqx
import jax.numpy as jnp

from .._custom_types import Array, FloatLike
from .._state import Hidden, ShortTerm
from ..surrogate import AbstractSurrogate
from ._layer import (
    AbstractSpikingLayer,
    check_input,
    trained,
    with_states,
)
from ._membrane import Reset, fire, init_spiking, leak


class LIF(AbstractSpikingLayer):
    """A layer of leaky integrate-and-fire neurons in discrete time.

    Put it after any `eqx.nn` layer, whose output it takes as input. One call is
    one time step:

    1. `V[t] = beta V[t-1] + x[t]`: the membrane decays by `beta = exp(-dt/tau)`
       (exact for `tau dV/dt = -V` over a step of `dt`, see
       [`brainox.nn.decay`][]) and the input `x` is added as a charge;
    2. `spike = H(V[t] - threshold)`, with the surrogate gradient of `surrogate`;
    3. reset where a spike occurred: `V -= threshold` (`reset="subtract"`) or
       `V = 0` (`reset="zero"`), with the spike detached in the reset.

    This is snnTorch's `Leaky` neuron (same decay, input and thresholds) with the
    reset applied in the step that spikes rather than in the next one. Potentials,
    inputs and the threshold are dimensionless (the unit of the input).

    **Arguments:**

    - `shape`: the feature shape: an int (`128`) or a tuple (`(32, 14, 14)` after
      a convolution). States and the input have this shape (unbatched).
    - `beta`: per-step decay factor in `[0, 1]`: a scalar or an array that
      broadcasts to `shape` (e.g. one per channel).
    - `threshold`: firing threshold (> 0), scalar or broadcastable to `shape`.
    - `reset`: `"subtract"` (default) or `"zero"`.
    - `surrogate`: spike function (default `bx.surrogate.Arctan(2.0)`, snnTorch's
      default `atan`).
    - `learn_beta`, `learn_threshold`: let gradients reach `beta` / `threshold`.
      Otherwise their gradient is stopped (they are still arrays, so a sweep with
      `vmap` or a new value does not recompile).
    - `dtype`: floating dtype of parameters and states.

    States: `V` (`bx.Hidden`, reset to 0) and `spike` (`bx.ShortTerm`, 0.0/1.0).

    **Returns (when called):** `(spike, new_layer)`, spikes of shape `shape`.

    ??? cite "Reference"
        Eshraghian, J. K. et al. (2023). Training spiking neural networks using
        lessons from deep learning. Proceedings of the IEEE 111(9), 1016-1054.
        Neftci, E. O., Mostafa, H. & Zenke, F. (2019). Surrogate gradient learning
        in spiking neural networks. IEEE Signal Processing Magazine 36(6), 51-63.

    !!! example
        ```python
        lif = bx.nn.LIF(128, beta=0.9)
        spike, lif = lif(jnp.ones(128))
        lif.V.value                      # the potential after reset
        ```
    """

    V: Hidden
    spike: ShortTerm
    beta: Array
    threshold: Array
    surrogate: AbstractSurrogate
    reset: Reset = eqx.field(static=True)
    learn_beta: bool = eqx.field(static=True)
    learn_threshold: bool = eqx.field(static=True)
    shape: tuple[int, ...] = eqx.field(static=True)

    def __init__(
        self,
        shape: int | tuple[int, ...],
        *,
        beta: FloatLike = 0.9,
        threshold: FloatLike = 1.0,
        reset: str = "subtract",
        surrogate: AbstractSurrogate | None = None,
        learn_beta: bool = False,
        learn_threshold: bool = False,
        dtype: Any = jnp.float32,
    ):
        init_spiking(
            self,
            shape,
            beta=beta,
            threshold=threshold,
            reset=reset,
            surrogate=surrogate,
            learn_beta=learn_beta,
            learn_threshold=learn_threshold,
            dtype=dtype,
        )

    def __call__(self, x: Array) -> tuple[Array, "LIF"]:
        x = check_input(x, self.shape, "LIF")
        V = leak(self.V.value, x, trained(self.beta, self.learn_beta))
        threshold = trained(self.threshold, self.learn_threshold)
        spike, V = fire(V, threshold, self.surrogate, self.reset)
        return spike, with_states(self, V=V, spike=spike)
