"""Rate-based learning rules: a vector field for the weights, stepped by a solver."""

import abc
from typing import TypeVar

import diffrax
import equinox as eqx
import jax.numpy as jnp

from .._custom_types import Array, ArrayLike, Float
from .._dynamics import integrate_step


_R = TypeVar("_R", bound="AbstractRateRule")


class AbstractRateRule(eqx.Module):
    """A learning rule driven by presynaptic rates `x` and post-synaptic rates `y`.

    The rule is an ODE for a dense weight matrix `w` of shape `(n_pre, n_post)`
    (the convention of [`brainox.connect.OutDegreeTable.to_dense`][]: the
    input to the post neurons is `x @ w`), plus any states of the rule itself
    (such as the sliding threshold of [`brainox.plasticity.BCM`][]):

    `d/dt {"w": w, ...} = vector_field(t, {"w": w, ...}, {"x": x, "y": y})`.

    `update(w, x, y, dt)` holds `x` and `y` constant over one step of `dt` and
    advances the ODE by one step of the rule's `solver` (default
    `diffrax.Euler()`, which with one input sample per step is the classical
    online form `w <- w + dt dw/dt`). The vector field can also be handed to
    `diffrax.diffeqsolve` directly. The caller computes `y` (for a linear
    neuron `y = x @ w`), so the same rule serves any neuron model.

    Rates and time: `x` and `y` may be in any unit (Hz, or dimensionless);
    learning rates are per ms and per unit of the products they multiply. A
    rule's own variables (`states()`) hold one value per post neuron.

    ??? cite "Reference"
        Gerstner, W. & Kistler, W. M. (2002). Mathematical formulations of
        Hebbian learning. Biol. Cybern. 87, 404-415.

    !!! example
        ```python
        rule = bx.plasticity.Oja(eta=5e-4)
        term = diffrax.ODETerm(rule.vector_field)   # or step it yourself:
        rule, w = rule.update(w, x, x @ w, dt=1.0)
        ```
    """

    solver: eqx.AbstractVar[diffrax.AbstractSolver]

    @abc.abstractmethod
    def vector_field(self, t: Array, y: dict[str, Array], args: dict) -> dict:
        """`d/dt` of `{"w": w, ...}` given `args = {"x": x, "y": y}` (per ms)."""

    def states(self) -> dict[str, Array]:
        """The rule's own variables integrated with `w` (none by default)."""
        return {}

    def with_states(self: _R, values: dict[str, Array]) -> _R:
        """The rule holding new values of its own variables."""
        return self

    def update(
        self: _R,
        w: Float[Array, "n_pre n_post"],
        x: ArrayLike,
        y: ArrayLike,
        dt: float,
    ) -> tuple[_R, Float[Array, "n_pre n_post"]]:
        """One step of `dt` ms of the rule with inputs `x` and outputs `y`.

        **Arguments:**

        - `w`: weight matrix `(n_pre, n_post)`.
        - `x`: presynaptic rates, `(n_pre,)`.
        - `y`: post-synaptic rates, `(n_post,)`.
        - `dt`: the step (ms).

        **Returns:** `(rule, w)`: the rule with its new states and the new
        weights.

        !!! example
            ```python
            rule = bx.plasticity.Oja(eta=0.005)
            y = x @ w
            rule, w = rule.update(w, x, y, dt=1.0)
            ```
        """
        w = jnp.asarray(w)
        if not jnp.issubdtype(w.dtype, jnp.floating):
            raise TypeError(
                f"`w` has dtype {w.dtype}; the weights must be floating point (the "
                "rates are cast to their dtype): pass e.g. `w.astype(jnp.float32)`."
            )
        x = jnp.asarray(x, w.dtype)
        y = jnp.asarray(y, w.dtype)
        if w.ndim != 2 or x.shape != (w.shape[0],) or y.shape != (w.shape[1],):
            raise ValueError(
                f"{type(self).__name__}.update got w {w.shape}, x {x.shape}, y "
                f"{y.shape}; expected w (n_pre, n_post), x (n_pre,) and y "
                "(n_post,), with y the response to x (y = x @ w for a linear "
                "neuron)."
            )
        for name, value in self.states().items():
            if value.shape != y.shape:
                raise ValueError(
                    f"{type(self).__name__} holds `{name}` for {value.shape[-1]} "
                    f"post neurons but got y of shape {y.shape}; build it with "
                    f"n_post = {y.shape[-1]}."
                )
        y0 = {"w": w, **self.states()}
        y1 = integrate_step(self.solver, self.vector_field, y0, {"x": x, "y": y}, dt)
        w1 = y1.pop("w")
        return self.with_states(y1), w1
