"""The CUBA benchmark network of Vogels & Abbott (2005) / Brette et al. (2007)."""

from typing import Any

import jax.numpy as jnp

from .._custom_types import Array
from ..connect import AbstractPropagation
from ..init import uniform
from ..network import Network
from ..neurons.lif import MOHM_PA_TO_MV
from ._coba import MEAN_IN_DEGREE
from ._common import (
    EXC,
    INH,
    Pathway,
    check_parameters,
    connectivity_rule,
    ei_projections,
    ei_tables,
    lif_populations,
    split_key,
    split_sizes,
)


R_MOHM = 100.0
"""Membrane resistance of the CUBA cell (MOhm): a synaptic weight of `w` mV in
the voltage equation is a current of `w / (R 1e-3)` pA = `10 w` pA."""


def cuba(
    n: int = 4000,
    *,
    key: Array,
    p: float | None = None,
    fixed_in_degree: int | None = None,
    w_e: float = 1.62,
    w_i: float = -9.0,
    tau_m: float = 20.0,
    tau_e: float = 5.0,
    tau_i: float = 10.0,
    E_l: float = -49.0,
    V_t: float = -50.0,
    V_r: float = -60.0,
    t_ref: float = 5.0,
    propagation: AbstractPropagation | None = None,
    dtype: Any = jnp.float32,
) -> Network:
    """The CUBA network: LIF neurons with exponential current synapses.

    Brette et al. (2007, benchmark 2) after Vogels & Abbott (2005), as in
    Brian2's CUBA example: `n` LIF neurons, 80% excitatory, connected at
    random, with

    `tau_m dV/dt = -(V - E_l) + g_e + g_i`,
    `dg_e/dt = -g_e / tau_e`, `dg_i/dt = -g_i / tau_i` (mV),

    where a spike of an excitatory (inhibitory) neuron adds `w_e = 1.62` mV
    (`w_i = -9` mV) to `g_e` (`g_i`) of its targets after one step. The rest
    potential `E_l = -49` mV lies above the threshold `V_t = -50` mV, so the
    neurons fire on their own and inhibition holds them back. `V(0)` is uniform
    on `[V_r, V_t)`. Brian2 gives 5.5-5.6 Hz at `n = 4000`.

    The synaptic variables are held as currents (pA) of
    [`brainox.synapses.Exponential`][] with a [`brainox.outputs.CUBA`][] output
    into [`brainox.LIF`][] cells of `R = 100` MOhm: `w` mV in the equation above
    is `10 w` pA.

    Populations, projections and connectivity are named and drawn as in
    [`brainox.presets.coba`][] (`p = 80 / n` by default).

    **Arguments:**

    - `n`: number of neurons (`>= 2`).
    - `key`: a `jax.random.key` for the connectivity and `V(0)`.
    - `p`: connection probability (default `80 / n`: 2% at `n = 4000`).
    - `fixed_in_degree`: synapses per neuron instead of `p`.
    - `w_e`, `w_i`: synaptic weights (mV of the voltage equation).
    - `tau_m`, `tau_e`, `tau_i`: membrane and synaptic time constants (ms).
    - `E_l`: rest potential (mV).
    - `V_t`, `V_r`: threshold and reset (mV).
    - `t_ref`: refractory period (ms).
    - `propagation`: the strategy of the recurrent projections.
    - `dtype`: floating dtype of parameters and states.

    **Returns:** the [`brainox.Network`][].

    ??? cite "Reference"
        Vogels, T. P. & Abbott, L. F. (2005). Signal propagation and logic
        gating in networks of integrate-and-fire neurons. J. Neurosci. 25,
        10786-10795.

        Brette, R. et al. (2007). Simulation of networks of spiking neurons: a
        review of tools and strategies. J. Comput. Neurosci. 23, 349-398
        (benchmark 2).

    !!! example
        ```python
        net = bx.presets.cuba(4000, key=jax.random.key(0))
        net, rec = bx.simulate(net, 1000.0, dt=0.1,
                               spikes=bx.presets.spike_monitors(net))
        ```
    """
    check_parameters(
        positive={"tau_m": tau_m, "tau_e": tau_e, "tau_i": tau_i},
        nonnegative={"t_ref": t_ref},
        ordered=(("V_r", V_r), ("V_t", V_t)),
    )
    n_exc, n_inh = split_sizes(n)
    k_v, k_e, k_i = split_key(key, 3)
    rule = connectivity_rule(n, p, fixed_in_degree, mean_in_degree=MEAN_IN_DEGREE)
    tables = ei_tables(k_e, k_i, n_exc, n_inh, **rule)
    populations = lif_populations(
        k_v,
        n_exc,
        n_inh,
        uniform(V_r, V_t),
        dtype,
        tau=tau_m,
        R=R_MOHM,
        V_rest=E_l,
        V_reset=V_r,
        V_th=V_t,
        t_ref=t_ref,
    )
    pa_per_mv = 1.0 / (R_MOHM * MOHM_PA_TO_MV)
    projections = ei_projections(
        tables,
        {EXC: n_exc, INH: n_inh},
        {EXC: Pathway(w_e * pa_per_mv, tau_e), INH: Pathway(w_i * pa_per_mv, tau_i)},
        propagation=propagation,
        dtype=dtype,
    )
    return Network(populations, projections)
