"""The adaptive leaky integrate-and-fire layer (adaptive threshold)."""

from typing import Any, ClassVar

import equinox as eqx
import jax
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


class ALIF(AbstractSpikingLayer):
    """A layer of adaptive LIF neurons: each spike raises the threshold for a while.

    The neurons of Bellec et al.'s long short-term memory SNNs (LSNN). One call is
    one time step:

    1. `V[t] = beta V[t-1] + x[t]`, as in [`brainox.nn.LIF`][];
    2. effective threshold `A[t] = threshold + adaptation a[t-1]`;
    3. `spike = H(V[t] - A[t])` (surrogate gradient);
    4. reset where a spike occurred: `V -= A[t]` (`"subtract"`) or `V = 0`
       (`"zero"`);
    5. `a[t] = rho a[t-1] + (1 - rho) spike`: the adaptation variable jumps by
       `1 - rho` per spike and decays with `rho = exp(-dt / tau_a)`.

    Potentials, inputs and thresholds are dimensionless (the unit of the input).

    **Arguments:**

    - `shape`: the feature shape (int or tuple), as for [`brainox.nn.LIF`][].
    - `beta`: membrane decay per step in `[0, 1]`.
    - `rho`: adaptation decay per step in `[0, 1]` (default `exp(-1/200)`:
      `tau_a = 200 ms` at `dt = 1 ms`, as in Bellec et al. 2018).
    - `adaptation`: threshold increase per unit of `a` (>= 0, default 1.8 as in
      Bellec et al. 2018). `0` gives back a LIF layer.
    - `threshold`: baseline threshold (> 0).
    - `reset`, `surrogate`, `learn_beta`, `learn_threshold`, `dtype`: as for
      [`brainox.nn.LIF`][]. The baseline `threshold` is the one made learnable.

    States: `V`, `a` (`bx.Hidden`, reset to 0) and `spike` (`bx.ShortTerm`).

    **Returns (when called):** `(spike, new_layer)`.

    ??? cite "Reference"
        Bellec, G., Salaj, D., Subramoney, A., Legenstein, R. & Maass, W. (2018).
        Long short-term memory and learning-to-learn in networks of spiking
        neurons. NeurIPS 31, 787-797.

    !!! example
        ```python
        alif = bx.nn.ALIF(64, beta=0.95, rho=bx.nn.decay(200.0, 1.0))
        spike, alif = alif(jnp.ones(64))
        ```
    """

    V: Hidden
    a: Hidden
    spike: ShortTerm
    beta: Array
    rho: Array
    adaptation: Array
    always_fixed: ClassVar[tuple[str, ...]] = ("rho", "adaptation")
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
        rho: FloatLike = 0.995012479192682,
        adaptation: FloatLike = 1.8,
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
        self.rho = feature_param("rho", rho, self.shape, dtype, low=0.0, high=1.0)
        self.adaptation = feature_param(
            "adaptation", adaptation, self.shape, dtype, low=0.0
        )
        self.a = Hidden(jnp.zeros(self.shape, dtype))

    def __call__(self, x: Array) -> tuple[Array, "ALIF"]:
        x = check_input(x, self.shape, "ALIF")
        V = leak(self.V.value, x, trained(self.beta, self.learn_beta))
        a = self.a.value
        threshold = trained(self.threshold, self.learn_threshold)
        effective = threshold + jax.lax.stop_gradient(self.adaptation) * a
        spike, V = fire(V, effective, self.surrogate, self.reset)
        rho = jax.lax.stop_gradient(self.rho)
        a = rho * a + (1 - rho) * spike
        return spike, with_states(self, V=V, a=a, spike=spike)
