"""The COBA benchmark network of Vogels & Abbott (2005), driven variant."""

from typing import Any

import jax.numpy as jnp

from .._custom_types import Array
from ..connect import AbstractPropagation
from ..init import normal
from ..inputs.current import ConstantCurrent
from ..network import Network
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


MEAN_IN_DEGREE = 80
"""Synapses per neuron in the benchmark: 2% of 4000, 64 excitatory + 16 inhibitory."""

LIF_PARAMS = dict(tau=20.0, R=100.0, V_rest=-60.0, V_reset=-60.0, V_th=-50.0, t_ref=5.0)
"""The benchmark's LIF cell: C = 200 pF and g_L = 10 nS give tau_m = C / g_L =
20 ms and R = 1 / g_L = 100 MOhm; E_L = V_reset = -60 mV, threshold -50 mV,
refractory 5 ms."""


def coba(
    n: int = 4000,
    *,
    key: Array,
    p: float | None = None,
    fixed_in_degree: int | None = None,
    w_e: float = 6.0,
    w_i: float = 67.0,
    I_ext: float = 200.0,
    tau_e: float = 5.0,
    tau_i: float = 10.0,
    E_e: float = 0.0,
    E_i: float = -80.0,
    propagation: AbstractPropagation | None = None,
    dtype: Any = jnp.float32,
) -> Network:
    """The COBA network: LIF neurons with exponential conductance synapses.

    The benchmark network of Vogels & Abbott (2005) in the form of Brette et
    al. (2007, benchmark 1), in the driven variant used for timing (BrainPy's
    benchmark and `BENCHMARKS.md`): `n` LIF neurons, 80% excitatory, connected
    at random, each driven by a constant 200 pA:

    `tau_m dV/dt = -(V - E_L) + R (g_e (E_e - V) + g_i (E_i - V) + I_ext)`,
    `dg_e/dt = -g_e / tau_e`, `dg_i/dt = -g_i / tau_i`,

    and a spike of an excitatory (inhibitory) neuron adds `w_e` (`w_i`) to the
    `g_e` (`g_i`) of its targets after one step. The cell: `C = 200` pF and
    `g_L = 10` nS (`tau_m = 20` ms, `R = 100` MOhm), `E_L = V_reset = -60` mV,
    threshold -50 mV, refractory 5 ms; `V(0) ~ N(-55, 2)` mV. It fires
    asynchronously and irregularly at 16-22 Hz (Brian2 19.6 / 21.0 Hz E / I,
    BrainPy 21.2-21.4 / 21.1-21.7 Hz at `n = 4000`).

    The network has populations `"exc"` (`round(0.8 n)` neurons) and `"inh"`,
    the recurrent projections `"ee"`, `"ei"`, `"ie"`, `"ii"` (named pre then
    post) and the drives `"drive_exc"`, `"drive_inh"`
    ([`brainox.inputs.ConstantCurrent`][]). With the same `key` it draws the
    same connectivity and initial potentials as the single-population
    `examples/coba.py` (excitatory neurons first) and gives the same spikes.

    **Connectivity.** By default every pair connects with probability
    `p = 80 / n` (2% at `n = 4000`), so the mean in-degree, and with it the
    rates, stay the same at any `n`. Pass `p` for another probability (the
    scaling benchmark uses `p = 0.02` with `w_e`, `w_i` scaled by `4000 / n`, and
    its rates fall with `n`), or `fixed_in_degree = K` for exactly
    `round(0.8 K)` excitatory and the rest inhibitory synapses onto every neuron
    (`K = 80`: 64 + 16, unchanged weights; rates stay at 16-21 Hz at any `n`).

    **Arguments:**

    - `n`: number of neurons (`>= 2`).
    - `key`: a `jax.random.key` for the connectivity and `V(0)`.
    - `p`: connection probability (default `80 / n`).
    - `fixed_in_degree`: synapses per neuron instead of `p`.
    - `w_e`, `w_i`: excitatory and inhibitory weights (nS; 6 and 67 nS are the
      published "0.6 and 6.7 in units of g_L").
    - `I_ext`: the constant drive (pA; 200 pA x 100 MOhm = 20 mV).
    - `tau_e`, `tau_i`: synaptic time constants (ms).
    - `E_e`, `E_i`: synaptic reversal potentials (mV).
    - `propagation`: the strategy of the recurrent projections (default by
      backend, [`brainox.connect.default_propagation`][]).
    - `dtype`: floating dtype of parameters and states.

    **Returns:** the [`brainox.Network`][]; record its spikes with
    `spikes=bx.presets.spike_monitors(net)` and read the rates with
    [`brainox.presets.firing_rates`][].

    ??? cite "Reference"
        Vogels, T. P. & Abbott, L. F. (2005). Signal propagation and logic
        gating in networks of integrate-and-fire neurons. J. Neurosci. 25,
        10786-10795.

        Brette, R. et al. (2007). Simulation of networks of spiking neurons: a
        review of tools and strategies. J. Comput. Neurosci. 23, 349-398
        (benchmark 1).

    !!! example
        ```python
        net = bx.presets.coba(4000, key=jax.random.key(0))
        net, rec = bx.simulate(net, 1000.0, dt=0.1,
                               spikes=bx.presets.spike_monitors(net))
        bx.presets.firing_rates(rec, net, 1000.0)   # about 20 Hz each
        ```
    """
    check_parameters(
        positive={"tau_e": tau_e, "tau_i": tau_i},
        nonnegative={"w_e": w_e, "w_i": w_i},
    )
    n_exc, n_inh = split_sizes(n)
    k_v, k_e, k_i = split_key(key, 3)
    rule = connectivity_rule(n, p, fixed_in_degree, mean_in_degree=MEAN_IN_DEGREE)
    tables = ei_tables(k_e, k_i, n_exc, n_inh, **rule)
    populations = lif_populations(
        k_v, n_exc, n_inh, normal(-55.0, 2.0), dtype, **LIF_PARAMS
    )
    projections = ei_projections(
        tables,
        {EXC: n_exc, INH: n_inh},
        {EXC: Pathway(w_e, tau_e, E_e), INH: Pathway(w_i, tau_i, E_i)},
        propagation=propagation,
        dtype=dtype,
    )
    # Listed after the synapses: each neuron's input sums as
    # g_e (E_e - V) + g_i (E_i - V) + I_ext, as in examples/coba.py.
    for name in (EXC, INH):
        projections[f"drive_{name}"] = ConstantCurrent(name, I_ext, dtype=dtype)
    return Network(populations, projections)
