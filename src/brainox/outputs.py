"""Synaptic outputs: how a synaptic variable becomes a current in the post neuron.

An output maps the synapse's variable `g` (see
[`brainox.synapses.AbstractSynapse.output`][]) and the post-synaptic membrane
potential `V` (mV) to a current (pA, or the post neuron's input unit):

| output | current |
|---|---|
| [`brainox.outputs.CUBA`][] | `I = g` (current-based: `g` is already a current) |
| [`brainox.outputs.COBA`][] | `I = g (E - V)` (conductance-based, nS x mV = pA) |
| [`brainox.outputs.MgBlock`][] | `I = g (E - V) / (1 + [Mg] / 3.57 exp(-0.062 V))` |

A projection without synaptic kinetics uses [`brainox.outputs.Delta`][]: each
arriving spike makes the post-synaptic potential jump by the weight (mV).
"""

import abc

import equinox as eqx
import jax.numpy as jnp

from ._custom_types import Array, FloatLike
from ._validate import as_param


class AbstractOutput(eqx.Module):
    """Turns a synaptic variable and the post membrane potential into a current."""

    @abc.abstractmethod
    def current(self, g: Array, V: Array) -> Array:
        """The current into the post neurons.

        **Arguments:**

        - `g`: the synaptic variable, one value per post neuron (nS or pA).
        - `V`: the post-synaptic membrane potential (mV).

        **Returns:** the current (pA for the built-in neurons).
        """


class CUBA(AbstractOutput):
    """Current-based output: `I = g`, the synaptic variable is the current (pA).

    !!! example
        ```python
        bx.outputs.CUBA().current(g, V)      # == g
        ```
    """

    def current(self, g: Array, V: Array) -> Array:
        return g


class COBA(AbstractOutput):
    """Conductance-based output: `I = g (E - V)` (nS x mV = pA).

    **Arguments:**

    - `E`: the reversal potential (mV): 0 for AMPA, -80 for GABA_A.

    ??? cite "Reference"
        Vogels, T. P. & Abbott, L. F. (2005). Signal propagation and logic gating
        in networks of integrate-and-fire neurons. J. Neurosci. 25, 10786-10795.

    !!! example
        ```python
        excitatory = bx.outputs.COBA(E=0.0)
        inhibitory = bx.outputs.COBA(E=-80.0)
        ```
    """

    E: Array

    def __init__(self, E: FloatLike, dtype=jnp.float32):
        self.E = as_param("E", E, None, dtype)

    def current(self, g: Array, V: Array) -> Array:
        return g * (self.E - V)


class MgBlock(AbstractOutput):
    """NMDA output with a voltage-dependent magnesium block.

    `I = g (E - V) B(V)`, `B(V) = 1 / (1 + [Mg2+] / beta exp(-alpha V))`, with
    `alpha = 0.062 /mV` and `beta = 3.57 mM` (Jahr & Stevens 1990).

    **Arguments:**

    - `E`: the reversal potential (mV, default 0).
    - `Mg`: the extracellular magnesium concentration (mM, default 1.2).
    - `alpha`: steepness of the block (1/mV, default 0.062).
    - `beta`: the concentration scale (mM, default 3.57).

    ??? cite "Reference"
        Jahr, C. E. & Stevens, C. F. (1990). Voltage dependence of NMDA-activated
        macroscopic conductances predicted by single-channel kinetics. J.
        Neurosci. 10(9), 3178-3182.

    !!! example
        ```python
        nmda = bx.outputs.MgBlock(E=0.0, Mg=1.0)
        nmda.block(jnp.asarray(-65.0))       # about 0.06: mostly blocked at rest
        ```
    """

    E: Array
    Mg: Array
    alpha: Array
    beta: Array

    def __init__(
        self,
        E: FloatLike = 0.0,
        Mg: FloatLike = 1.2,
        alpha: FloatLike = 0.062,
        beta: FloatLike = 3.57,
        dtype=jnp.float32,
    ):
        self.E = as_param("E", E, None, dtype)
        self.Mg = as_param("Mg", Mg, None, dtype, nonnegative=True)
        self.alpha = as_param("alpha", alpha, None, dtype, nonnegative=True)
        self.beta = as_param("beta", beta, None, dtype, positive=True)

    def block(self, V: Array) -> Array:
        """The unblocked fraction `B(V)` at potential `V` (mV), in (0, 1]."""
        return 1 / (1 + self.Mg / self.beta * jnp.exp(-self.alpha * V))

    def current(self, g: Array, V: Array) -> Array:
        return g * (self.E - V) * self.block(V)


class Delta(AbstractOutput):
    """No kinetics: an arriving spike makes the post potential jump by the weight.

    Used with a projection whose `synapse` is `None`; the weight is in mV (the
    delta synapses of Brunel 2000). It carries no current.

    ??? cite "Reference"
        Brunel, N. (2000). Dynamics of sparsely connected networks of excitatory
        and inhibitory spiking neurons. J. Comput. Neurosci. 8, 183-208.

    !!! example
        ```python
        proj = bx.Projection("exc", "all", table, weight=0.1,
                             output=bx.outputs.Delta())     # J = 0.1 mV
        ```
    """

    def current(self, g: Array, V: Array) -> Array:
        return jnp.zeros_like(V)
