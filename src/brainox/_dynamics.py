"""Dynamics modules: a vector field stepped by a diffrax solver, plus discrete events.

Every model with ODE state derives from [`brainox.AbstractDynamics`][]. Its
continuous part is a plain vector field `vector_field(t, y, args)` over its
`Hidden` states, usable as `diffrax.ODETerm(model.vector_field)` in any
`diffrax.diffeqsolve`. One simulation step integrates it over `[0, dt]` with the
model's own diffrax solver; a spiking neuron ([`brainox.AbstractNeuron`][]) then
applies its discrete part: threshold -> spike -> reset -> refractoriness.
"""

import abc
import dataclasses
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jax.core import Tracer

from ._custom_types import Array, PyTree
from ._state import Hidden, ShortTerm
from ._validate import check_dt
from .surrogate import AbstractSurrogate


_D = TypeVar("_D", bound="AbstractDynamics")
_N = TypeVar("_N", bound="AbstractNeuron")


def integrate_step(
    solver: diffrax.AbstractSolver,
    vector_field: Callable[[Any, PyTree, PyTree], PyTree],
    y0: PyTree,
    args: PyTree,
    dt: float,
) -> PyTree:
    """Advance `dy/dt = vector_field(t, y, args)` by one step `[0, dt]`.

    The step always spans `[0, dt]` (time is counted in integer steps by the
    caller, so float time never drifts). The solver is initialised afresh each
    step: the input `args` changes between steps and spiking neurons are reset, so
    an FSAL solver (Tsit5, Dopri5, Bosh3, Kvaerno) must re-evaluate its first stage
    anyway, exactly as `made_jump=True` would make it.

    **Arguments:**

    - `solver`: any `diffrax.AbstractSolver` for an `ODETerm`.
    - `vector_field`: `(t, y, args) -> dy/dt`.
    - `y0`: the state at the start of the step.
    - `args`: inputs, held constant over the step.
    - `dt`: the step (ms).

    **Returns:** the state at the end of the step.

    !!! example
        ```python
        y1 = bx.integrate_step(diffrax.Tsit5(), f, {"V": v}, current, 0.1)
        ```
    """
    check_solver(solver)
    if not isinstance(dt, Tracer):
        check_dt(dt)
    term = diffrax.ODETerm(vector_field)
    dtype = _time_dtype(y0)
    # Inputs in the state's precision: a float64 input (64-bit mode) to a
    # float32 neuron would otherwise promote the solver's stages.
    args = jax.tree.map(lambda a: a.astype(dtype) if _is_float_array(a) else a, args)
    t0 = jnp.zeros((), dtype)
    t1 = t0 + dt
    state = solver.init(term, t0, t1, y0, args)
    y1, _, _, _, result = solver.step(term, t0, t1, y0, args, state, False)
    if isinstance(solver, diffrax.AbstractImplicitSolver):
        y1 = eqx.error_if(
            y1,
            result != diffrax.RESULTS.successful,
            "the implicit solver's root finder did not converge in one step; "
            "loosen its rtol/atol, raise root_find_max_steps, or reduce dt.",
        )
    return y1


def check_solver(solver: diffrax.AbstractSolver) -> None:
    """Refuse an implicit solver whose root finder takes its tolerances from a
    step-size controller: brainox steps solvers one fixed step at a time, so
    there is none (diffrax would fail with an unrelated type error)."""
    if not isinstance(solver, diffrax.AbstractImplicitSolver):
        return
    root_finder = solver.root_finder
    tolerances = [getattr(root_finder, name, None) for name in ("rtol", "atol")]
    if not all(
        isinstance(tol, (int, float, np.ndarray, jax.Array)) for tol in tolerances
    ):
        raise ValueError(
            f"solver={type(solver).__name__}(...) has a root finder without "
            "tolerances of its own (diffrax takes them from a step-size "
            "controller, which fixed steps do not have); pass them, e.g. "
            f"diffrax.{type(solver).__name__}(root_finder="
            "diffrax.VeryChord(rtol=1e-6, atol=1e-6))."
        )


def _is_float_array(x: Any) -> bool:
    return isinstance(x, (jax.Array, np.ndarray)) and jnp.issubdtype(
        x.dtype, jnp.floating
    )


def _time_dtype(y: PyTree):
    # Time in the floating dtype of the state, so float32 models stay float32
    # when 64-bit mode is on.
    floats = [
        x.dtype for x in jax.tree.leaves(y) if jnp.issubdtype(x.dtype, jnp.floating)
    ]
    return jnp.result_type(*floats) if floats else jnp.result_type(float)


class AbstractDynamics(eqx.Module):
    """A module whose `Hidden` states follow an ODE.

    Subclasses hold their `Hidden` states as direct fields, a `solver`, and define
    `vector_field(t, y, args)`, where `y` is a dict from the names of those fields to
    their values and `args` carries the inputs. Concrete subclasses are final.

    !!! example
        ```python
        term = diffrax.ODETerm(neuron.vector_field)
        sol = diffrax.diffeqsolve(term, diffrax.Tsit5(), 0.0, 50.0, 0.01,
                                  neuron.hidden_values(), args=current,
                                  max_steps=None)  # 5000 steps of 0.01 ms
        ```
    """

    solver: eqx.AbstractVar[diffrax.AbstractSolver]

    def __check_init__(self):
        check_solver(self.solver)

    @abc.abstractmethod
    def vector_field(self, t: Array, y: dict[str, Array], args: PyTree) -> dict:
        """The time derivative of the hidden states (per ms).

        **Arguments:**

        - `t`: time within the step (ms). brainox models are autonomous, so this
          is unused by them but kept for diffrax's signature.
        - `y`: dict of hidden-state values, as
          [`brainox.AbstractDynamics.hidden_values`][].
        - `args`: the inputs (for a neuron, the input current).

        **Returns:** a dict with the same keys holding `dy/dt`.
        """

    def hidden_values(self) -> dict[str, Array]:
        """The values of this module's own `Hidden` fields, keyed by field name."""
        return {
            f.name: getattr(self, f.name).value
            for f in dataclasses.fields(self)
            if isinstance(getattr(self, f.name), Hidden)
        }

    def with_hidden(self: _D, y: dict[str, Array]) -> _D:
        """Return the module with its `Hidden` fields set to the values in `y`."""
        return self.with_states(**y)

    def with_states(self: _D, **values: Array) -> _D:
        """Return the module with the named tagged-state fields set to new values.

        !!! example
            ```python
            neuron = neuron.with_states(V=jnp.full(neuron.size, -70.0))
            ```
        """
        names = list(values)
        return eqx.tree_at(
            lambda m: [getattr(m, k) for k in names],
            self,
            [getattr(self, k).replace(values[k]) for k in names],
        )

    def integrate(self, args: PyTree, dt: float) -> dict[str, Array]:
        """The hidden values after one step `[0, dt]` of the module's solver."""
        return integrate_step(
            self.solver, self.vector_field, self.hidden_values(), args, dt
        )

    def step(self: _D, args: PyTree, dt: float) -> _D:
        """Advance the module by one step of `dt` ms with input `args`.

        **Returns:** the new module (the original is unchanged).
        """
        return self.with_hidden(self.integrate(args, dt))


class AbstractNeuron(AbstractDynamics):
    """A spiking neuron population: a vector field plus threshold and reset.

    One `step` integrates the vector field over `[0, dt]` with the neuron's diffrax
    solver, then calls `fire`, which applies the discrete part in this order:
    threshold -> spike (with a surrogate gradient) -> reset -> refractoriness. The
    spikes of the step are stored in the `spike` state (0.0/1.0), where monitors,
    projections and losses read them.

    Subclasses define `vector_field` and `fire(y0, y1, dt)`, which receives the
    hidden values before and after integration and returns the new neuron.
    """

    spike: eqx.AbstractVar[ShortTerm]
    surrogate: eqx.AbstractVar[AbstractSurrogate]
    voltage_name: ClassVar[str] = "V"
    """The name of the membrane-potential state (mV), read by synaptic outputs."""

    @property
    def voltage(self) -> Array:
        """The membrane potential (mV), one value per neuron."""
        return getattr(self, self.voltage_name).value

    def jump(self: _N, dv: Array) -> _N:
        """Add `dv` (mV) to the membrane potential: a delta synapse's effect.

        Neurons in their refractory period (a positive `refractory_left`
        state) ignore it: their potential is held, as in NEST's
        `iaf_psc_delta` and in [`brainox.exact.DeltaSynapses`][].
        """
        left = getattr(self, "refractory_left", None)
        if isinstance(left, ShortTerm):
            dv = jnp.where(left.value > 0, 0, dv)
        return self.with_states(**{self.voltage_name: self.voltage + dv})

    @property
    def size(self) -> int:
        """Number of neurons in the population."""
        return self.spike.value.shape[-1]

    @abc.abstractmethod
    def fire(self: _N, y0: dict[str, Array], y1: dict[str, Array], dt: float) -> _N:
        """Threshold, spike, reset and refractoriness after integration.

        **Arguments:**

        - `y0`: hidden values at the start of the step.
        - `y1`: hidden values after integrating over the step.
        - `dt`: the step (ms).

        **Returns:** the neuron with its new hidden values and spikes.
        """

    def step(self: _N, args: PyTree, dt: float) -> _N:
        """Advance the population by one step of `dt` ms with input `args`.

        **Arguments:**

        - `args`: the input (for built-in neurons, the input current; see the
          neuron's `vector_field` for its unit).
        - `dt`: the step (ms).

        **Returns:** the new neuron; its `spike.value` holds this step's spikes.
        """
        y0 = self.hidden_values()
        return self.fire(y0, self.integrate(args, dt), dt)
