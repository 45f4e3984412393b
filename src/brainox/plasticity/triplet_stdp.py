"""Triplet spike-timing-dependent plasticity (Pfister & Gerstner 2006)."""

import equinox as eqx
import jax.numpy as jnp

from .._custom_types import Array, FloatLike
from .._state import ShortTerm
from .._validate import as_param
from ..connect import InDegreeTable
from .spike_timing import AbstractSpikeTimingRule, check_pairing
from .weight_dependence import AbstractWeightDependence, Additive


class TripletSTDP(AbstractSpikeTimingRule):
    """Triplet STDP: pair terms plus terms that need a third spike.

    Each presynaptic neuron has two traces, `r1` (time constant `tau_plus`)
    and `r2` (`tau_x`); each post neuron two, `o1` (`tau_minus`) and `o2`
    (`tau_y`). At a presynaptic spike

    `w <- w - o1 (A2_minus + A3_minus r2)`

    and at a post-synaptic spike

    `w <- w + r1 (A2_plus + A3_plus o2)`,

    where `r2` and `o2` are read before this spike's own increment (the
    paper's `t - epsilon`); then the traces of the neurons that fired are
    incremented by 1 (`"all-to-all"`) or set to 1 (`"nearest"`). The `A3_plus`
    term makes potentiation grow with the post rate, so pairings at 40-50 Hz
    potentiate whatever their order while pairings at low frequency with
    `t_post - t_pre = -10` ms depress (Sjostrom, Turrigiano & Nelson 2001).

    Defaults: the minimal all-to-all model fitted to the visual cortex data
    (Pfister & Gerstner 2006): `A2_plus = 0`, `A3_plus = 6.5e-3`,
    `A2_minus = 7.1e-3`, `A3_minus = 0`, `tau_plus = 16.8`, `tau_minus = 33.7`,
    `tau_x = 101`, `tau_y = 114` ms (`tau_x` is unused when `A3_minus = 0`).
    Amplitudes are in the unit of the weight (the paper's weights are
    normalised, initial weight 1).

    **Arguments:**

    - `A2_plus`, `A3_plus`: pair and triplet potentiation amplitudes (weight
      unit, >= 0).
    - `A2_minus`, `A3_minus`: pair and triplet depression amplitudes (weight
      unit, >= 0).
    - `tau_plus`, `tau_x`: time constants of the pre traces `r1`, `r2` (ms).
    - `tau_minus`, `tau_y`: time constants of the post traces `o1`, `o2` (ms).
    - `pairing`: `"all-to-all"` (default) or `"nearest"`.
    - `weight_dependence`: default `Additive(w_min=0, w_max=inf)`.

    ??? cite "Reference"
        Pfister, J.-P. & Gerstner, W. (2006). Triplets of spikes in a model of
        spike timing-dependent plasticity. J. Neurosci. 26, 9673-9682.

    !!! example
        ```python
        triplet = bx.plasticity.TripletSTDP()        # visual cortex, minimal
        proj = bx.Projection("pre", "post", table, weight=bx.LongTerm(w0),
                             plasticity=triplet)
        ```
    """

    A2_plus: Array
    A3_plus: Array
    A2_minus: Array
    A3_minus: Array
    tau_plus: Array
    tau_x: Array
    tau_minus: Array
    tau_y: Array
    weight_dependence: AbstractWeightDependence
    pairing: str = eqx.field(static=True)
    pre_trace: ShortTerm | None
    post_trace: ShortTerm | None
    in_table: InDegreeTable | None

    def __init__(
        self,
        A2_plus: FloatLike = 0.0,
        A3_plus: FloatLike = 6.5e-3,
        A2_minus: FloatLike = 7.1e-3,
        A3_minus: FloatLike = 0.0,
        tau_plus: FloatLike = 16.8,
        tau_x: FloatLike = 101.0,
        tau_minus: FloatLike = 33.7,
        tau_y: FloatLike = 114.0,
        *,
        pairing: str = "all-to-all",
        weight_dependence: AbstractWeightDependence | None = None,
    ):
        def amplitude(name, value):
            return as_param(name, value, None, float, nonnegative=True)

        def tau(name, value):
            return as_param(name, value, None, float, positive=True)

        self.A2_plus = amplitude("A2_plus", A2_plus)
        self.A3_plus = amplitude("A3_plus", A3_plus)
        self.A2_minus = amplitude("A2_minus", A2_minus)
        self.A3_minus = amplitude("A3_minus", A3_minus)
        self.tau_plus = tau("tau_plus", tau_plus)
        self.tau_x = tau("tau_x", tau_x)
        self.tau_minus = tau("tau_minus", tau_minus)
        self.tau_y = tau("tau_y", tau_y)
        self.pairing = check_pairing(pairing)
        self.weight_dependence = (
            Additive() if weight_dependence is None else weight_dependence
        )
        self.pre_trace = self.post_trace = None
        self.in_table = None

    def pre_taus(self) -> Array:
        return jnp.stack([self.tau_plus, self.tau_x])

    def post_taus(self) -> Array:
        return jnp.stack([self.tau_minus, self.tau_y])

    def depression(self, pre: Array, post: Array) -> Array:
        return post[0] * (self.A2_minus + self.A3_minus * pre[1])

    def potentiation(self, pre: Array, post: Array) -> Array:
        return pre[0] * (self.A2_plus + self.A3_plus * post[1])
