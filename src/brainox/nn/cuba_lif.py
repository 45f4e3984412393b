"""The current-based leaky integrate-and-fire layer (a synaptic current state)."""

from typing import Any

import equinox as eqx
import jax.numpy as jnp

from .._custom_types import Array, FloatLike
from .._state import Hidden, ShortTerm
from ..surrogate import AbstractSurrogate
from ._layer import (
    AbstractSpikingLayer,
    check_input,
    feature_param,
    trained,
    with_states,
)
from ._membrane import Reset, fire, init_spiking, leak


class CubaLIF(AbstractSpikingLayer):
    """A layer of current-based LIF neurons: a synaptic current filters the input.

    One call is one time step:

    1. `I[t] = alpha I[t-1] + x[t]`: the synaptic current decays by
       `alpha = exp(-dt/tau_syn)` and the input arrives as a jump;
    2. `V[t] = beta V[t-1] + I[t]`: the membrane decays by
       `beta = exp(-dt/tau_mem)` and integrates the current;
    3. `spike = H(V[t] - threshold)` (surrogate gradient), then the reset of
       [`brainox.nn.LIF`][] (`V -= threshold` or `V = 0`).

    This is snnTorch's `Synaptic` neuron and the discrete form of NIR's
    `CubaLIF` node (see [`brainox.interop.to_nir`][]). Currents and potentials
    are dimensionless (the unit of the input).

    **Arguments:**

    - `shape`: the feature shape, an int or a tuple (unbatched).
    - `alpha`: per-step decay of the synaptic current, in `[0, 1]`; a scalar or
      an array that broadcasts to `shape`. `bx.nn.decay(tau_syn, dt)` gives it
      from time constants in ms.
    - `beta`: per-step decay of the membrane, in `[0, 1]`.
    - `threshold`: firing threshold (> 0).
    - `reset`: `"subtract"` (default) or `"zero"`.
    - `surrogate`: spike function (default `bx.surrogate.Arctan(2.0)`).
    - `learn_alpha`, `learn_beta`, `learn_threshold`: let gradients reach these
      parameters (otherwise their gradient is stopped).
    - `dtype`: floating dtype of parameters and states.

    States: `I`, `V` (`bx.Hidden`, reset to 0) and `spike` (`bx.ShortTerm`).

    **Returns (when called):** `(spike, new_layer)`, spikes of shape `shape`.

    ??? cite "Reference"
        Eshraghian, J. K. et al. (2023). Training spiking neural networks using
        lessons from deep learning. Proceedings of the IEEE 111(9), 1016-1054.
        Pedersen, J. E. et al. (2024). Neuromorphic intermediate representation:
        a unified instruction set for interoperable brain-inspired computing.
        Nature Communications 15, 8122.

    !!! example
        ```python
        layer = bx.nn.CubaLIF(64, alpha=bx.nn.decay(5.0, 1.0), beta=0.9)
        spike, layer = layer(jnp.ones(64))
        layer.I.value, layer.V.value     # current and potential after the step
        ```
    """

    I: Hidden  # noqa: E741  (the synaptic current, as in NIR)
    V: Hidden
    spike: ShortTerm
    alpha: Array
    beta: Array
    threshold: Array
    surrogate: AbstractSurrogate
    reset: Reset = eqx.field(static=True)
    learn_alpha: bool = eqx.field(static=True)
    learn_beta: bool = eqx.field(static=True)
    learn_threshold: bool = eqx.field(static=True)
    shape: tuple[int, ...] = eqx.field(static=True)

    def __init__(
        self,
        shape: int | tuple[int, ...],
        *,
        alpha: FloatLike = 0.8,
        beta: FloatLike = 0.9,
        threshold: FloatLike = 1.0,
        reset: str = "subtract",
        surrogate: AbstractSurrogate | None = None,
        learn_alpha: bool = False,
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
        self.alpha = feature_param("alpha", alpha, self.shape, dtype, low=0.0, high=1.0)
        self.learn_alpha = learn_alpha
        self.I = Hidden(jnp.zeros(self.shape, dtype))

    def __call__(self, x: Array) -> tuple[Array, "CubaLIF"]:
        x = check_input(x, self.shape, "CubaLIF")
        current = leak(self.I.value, x, trained(self.alpha, self.learn_alpha))
        V = leak(self.V.value, current, trained(self.beta, self.learn_beta))
        threshold = trained(self.threshold, self.learn_threshold)
        spike, V = fire(V, threshold, self.surrogate, self.reset)
        return spike, with_states(self, I=current, V=V, spike=spike)
