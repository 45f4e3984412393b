"""Reward-modulated STDP: an eligibility trace per synapse gated by dopamine."""

import equinox as eqx
import jax.numpy as jnp

from .._custom_types import Array, ArrayLike, FloatLike
from .._state import ShortTerm
from .._validate import as_param
from ..connect import AbstractPropagation, OutDegreeTable
from ._base import AbstractPlasticity, check_prepared
from .pair_stdp import PairSTDP
from .spike_timing import AbstractSpikeTimingRule
from .weight_dependence import AbstractWeightDependence, Additive


class RewardModulatedSTDP(AbstractPlasticity):
    """STDP that changes a synapse only when a neuromodulator arrives.

    Izhikevich's (2007) solution to the distal reward problem. Each synapse
    has an eligibility trace `c` and the projection a dopamine concentration
    `d` (uM):

    ```
    dc/dt = -c / tau_c + STDP(pre, post)     (a spike-timing rule acting on c)
    dd/dt = -d / tau_d + DA(t)               (DA: the released dopamine)
    dw/dt = c d
    ```

    The spike-timing part is any [`brainox.plasticity.AbstractSpikeTimingRule`][]
    (`stdp`), applied to `c` instead of the weight (its weight dependence
    bounds `c`; the default has none). One `step` of `dt` ms does, in order:

    1. `c <- c exp(-dt / tau_c)`, then `stdp` updates `c` at this step's
       spikes (its own per-step order);
    2. `d <- d exp(-dt / tau_d) + release`, with `release` the modulator input
       of this step (uM; `0` when none is given);
    3. `w <- w + dt c d`, clipped by `weight_dependence` (its bounds).

    Every synapse changes each step (`O(synapses)`), whatever the propagation.

    **The modulator input.** A [`brainox.Network`][] passes an input whose
    key names this projection (instead of a population) as `release`: e.g.
    `inputs={"exc": drive, "plastic": reward}` with `reward(step, t)` the
    dopamine released in that step (uM), such as 0.5 uM a chosen delay after
    a rewarded event.

    **Arguments:**

    - `stdp`: the spike-timing rule that drives the eligibility (default:
      `PairSTDP(A_plus=1e-3, A_minus=1.5e-3, tau_plus=20, tau_minus=20)` with
      unbounded additive changes: Izhikevich's window shape, `A_minus /
      A_plus = 1.5`, scaled so that a pairing rewarded with 0.5 uM 200 ms
      later changes the weight by about 0.05). The eligibility is in weight
      units, so `dw/dt = c d` is in weight units per ms for `d` in uM.
    - `tau_c`: decay of the eligibility trace (ms), default 1000.
    - `tau_d`: decay of dopamine (ms), default 200.
    - `weight_dependence`: bounds of the weight, default
      `Additive(w_min=0, w_max=4)` (Izhikevich's mV).

    ??? cite "Reference"
        Izhikevich, E. M. (2007). Solving the distal reward problem through
        linkage of STDP and dopamine signaling. Cereb. Cortex 17, 2443-2452.

    !!! example
        ```python
        rstdp = bx.plasticity.RewardModulatedSTDP(tau_c=1000.0, tau_d=200.0)
        proj = bx.Projection("pre", "post", table, weight=bx.LongTerm(w0),
                             plasticity=rstdp)
        net = bx.Network({"pre": pre, "post": post}, {"plastic": proj})
        net, rec = bx.simulate(net, 10_000.0, dt=1.0,
                               inputs={"plastic": reward})    # uM per step
        ```
    """

    stdp: AbstractSpikeTimingRule
    tau_c: Array
    tau_d: Array
    weight_dependence: AbstractWeightDependence
    eligibility: ShortTerm | None
    dopamine: ShortTerm

    def __init__(
        self,
        stdp: AbstractSpikeTimingRule | None = None,
        tau_c: FloatLike = 1000.0,
        tau_d: FloatLike = 200.0,
        *,
        weight_dependence: AbstractWeightDependence | None = None,
    ):
        if stdp is None:
            unbounded = Additive(w_min=-jnp.inf, w_max=jnp.inf)
            stdp = PairSTDP(1e-3, 1.5e-3, 20.0, 20.0, weight_dependence=unbounded)
        if not isinstance(stdp, AbstractSpikeTimingRule):
            raise TypeError(
                "`stdp` must be a spike-timing rule such as "
                f"bx.plasticity.PairSTDP(...), got {type(stdp).__name__}."
            )
        self.stdp = stdp
        self.tau_c = as_param("tau_c", tau_c, None, float, positive=True)
        self.tau_d = as_param("tau_d", tau_d, None, float, positive=True)
        self.weight_dependence = (
            Additive(w_min=0.0, w_max=4.0)
            if weight_dependence is None
            else weight_dependence
        )
        self.eligibility = None
        self.dopamine = ShortTerm(jnp.zeros((), float))

    def prepare(
        self, table: OutDegreeTable, propagation: AbstractPropagation
    ) -> "RewardModulatedSTDP":
        stdp = self.stdp.prepare(table, propagation)
        eligibility = ShortTerm(jnp.zeros(table.indices.shape, float))
        return eqx.tree_at(
            lambda r: (r.stdp, r.eligibility),
            self,
            (stdp, eligibility),
            is_leaf=lambda x: x is None,
        )

    def step(
        self,
        table: OutDegreeTable,
        weight: Array,
        pre_spike: Array,
        post_spike: Array,
        dt: float,
        modulator: ArrayLike | None = None,
    ) -> tuple["RewardModulatedSTDP", Array]:
        check_prepared(self, self.eligibility)
        assert self.eligibility is not None
        c = self.eligibility.value * jnp.exp(-dt / self.tau_c)
        stdp, c = self.stdp.apply(table, c, pre_spike, post_spike, dt)
        dtype = self.dopamine.value.dtype
        release = jnp.zeros((), dtype) if modulator is None else modulator
        release = jnp.asarray(release, dtype)
        if release.shape != ():
            raise ValueError(
                f"the dopamine release has shape {release.shape}; give one "
                "number (uM) per step for the projection."
            )
        d = self.dopamine.value * jnp.exp(-dt / self.tau_d) + release
        valid = table.indices < table.n_post
        dw = jnp.where(valid, dt * c * d, 0).astype(weight.dtype)
        weight = jnp.where(valid, self.weight_dependence.clip(weight + dw), weight)
        rule = eqx.tree_at(
            lambda r: (r.stdp, r.eligibility, r.dopamine),
            self,
            (stdp, self.eligibility.replace(c), self.dopamine.replace(d)),
        )
        return rule, weight
