"""Pair-based spike-timing-dependent plasticity with traces."""

import equinox as eqx

from .._custom_types import Array, FloatLike
from .._state import ShortTerm
from .._validate import as_param
from ..connect import InDegreeTable
from .spike_timing import AbstractSpikeTimingRule, check_pairing
from .weight_dependence import AbstractWeightDependence, Additive


class PairSTDP(AbstractSpikeTimingRule):
    """Pair-based STDP: the weight change is a sum over pre-post spike pairs.

    For a pair with `s = t_post - t_pre` (ms),

    ```
    dw = +A_plus  exp(-s / tau_plus)     if s > 0   (pre before post)
    dw = -A_minus exp( s / tau_minus)    if s < 0   (post before pre)
    ```

    (Bi & Poo 1998; Song, Miller & Abbott 2000). It is computed online with one
    trace per neuron: the presynaptic trace `x` (time constant `tau_plus`) is
    read at each post spike, `w <- w + A_plus x`; the post-synaptic trace `y`
    (`tau_minus`) at each pre spike, `w <- w - A_minus y`. Each change passes
    through the `weight_dependence`: [`brainox.plasticity.Additive`][] (hard
    bounds) or [`brainox.plasticity.Multiplicative`][] (soft bounds).

    Pairing schemes (Morrison, Diesmann & Gerstner 2008):

    - `"all-to-all"`: traces add up (`x <- x + 1` at a spike), so every pair
      counts and the change is the sum above over all pairs.
    - `"nearest"` (symmetric nearest-spike): traces are reset to 1 at a
      spike, so each post spike pairs only with the last pre spike before it,
      and each pre spike with the last post spike before it.

    A spike reads the traces before this step's increments, so spikes of the
    same step do not pair (see [`brainox.plasticity.AbstractSpikeTimingRule`][]
    for the per-step order). Spike times are those at which the populations
    emit them, before any transmission delay.

    **Arguments:**

    - `A_plus`: potentiation amplitude (weight unit: nS, pA or mV), >= 0.
    - `A_minus`: depression amplitude (weight unit), >= 0.
    - `tau_plus`: time constant of the pre trace, the potentiation window (ms).
    - `tau_minus`: time constant of the post trace, the depression window (ms).
    - `pairing`: `"all-to-all"` (default) or `"nearest"`.
    - `weight_dependence`: default `Additive(w_min=0, w_max=inf)`.

    ??? cite "Reference"
        Bi, G. Q. & Poo, M. M. (1998). Synaptic modifications in cultured
        hippocampal neurons. J. Neurosci. 18, 10464-10472. Song, S., Miller,
        K. D. & Abbott, L. F. (2000). Competitive Hebbian learning through
        spike-timing-dependent synaptic plasticity. Nat. Neurosci. 3, 919-926.
        Morrison, A., Diesmann, M. & Gerstner, W. (2008). Phenomenological
        models of synaptic plasticity based on spike timing. Biol. Cybern. 98,
        459-478.

    !!! example
        ```python
        stdp = bx.plasticity.PairSTDP(
            A_plus=0.005 * 0.015, A_minus=0.00525 * 0.015,   # nS
            tau_plus=20.0, tau_minus=20.0,
            weight_dependence=bx.plasticity.Additive(0.0, 0.015))
        proj = bx.Projection("inputs", "neuron", table,
                             weight=bx.LongTerm(w0), plasticity=stdp,
                             synapse=bx.synapses.Exponential(1, tau=5.0),
                             output=bx.outputs.COBA(E=0.0))
        ```
    """

    A_plus: Array
    A_minus: Array
    tau_plus: Array
    tau_minus: Array
    weight_dependence: AbstractWeightDependence
    pairing: str = eqx.field(static=True)
    pre_trace: ShortTerm | None
    post_trace: ShortTerm | None
    in_table: InDegreeTable | None

    def __init__(
        self,
        A_plus: FloatLike = 0.01,
        A_minus: FloatLike = 0.0105,
        tau_plus: FloatLike = 20.0,
        tau_minus: FloatLike = 20.0,
        *,
        pairing: str = "all-to-all",
        weight_dependence: AbstractWeightDependence | None = None,
    ):
        self.A_plus = as_param("A_plus", A_plus, None, float, nonnegative=True)
        self.A_minus = as_param("A_minus", A_minus, None, float, nonnegative=True)
        self.tau_plus = as_param("tau_plus", tau_plus, None, float, positive=True)
        self.tau_minus = as_param("tau_minus", tau_minus, None, float, positive=True)
        self.pairing = check_pairing(pairing)
        self.weight_dependence = (
            Additive() if weight_dependence is None else weight_dependence
        )
        self.pre_trace = self.post_trace = None
        self.in_table = None

    def pre_taus(self) -> Array:
        return self.tau_plus[None]

    def post_taus(self) -> Array:
        return self.tau_minus[None]

    def depression(self, pre: Array, post: Array) -> Array:
        return self.A_minus * post[0]

    def potentiation(self, pre: Array, post: Array) -> Array:
        return self.A_plus * pre[0]
