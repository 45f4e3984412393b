"""The COBAHH benchmark network of Brette et al. (2007, benchmark 3)."""

from typing import Any

import jax
import jax.numpy as jnp

from .._custom_types import Array
from ..connect import AbstractPropagation
from ..network import Network
from ..neurons.traub_miles import TraubMilesHH
from ._coba import MEAN_IN_DEGREE
from ._common import (
    EXC,
    INH,
    Pathway,
    check_parameters,
    connectivity_rule,
    ei_projections,
    ei_tables,
    split_key,
    split_sizes,
    split_values,
)


def cobahh(
    n: int = 4000,
    *,
    key: Array,
    p: float | None = None,
    fixed_in_degree: int | None = None,
    w_e: float = 6.0,
    w_i: float = 67.0,
    tau_e: float = 5.0,
    tau_i: float = 10.0,
    E_e: float = 0.0,
    E_i: float = -80.0,
    gates_at_rest: bool = False,
    propagation: AbstractPropagation | None = None,
    dtype: Any = jnp.float32,
) -> Network:
    """The COBAHH network: Traub-Miles Hodgkin-Huxley cells with conductance synapses.

    Brette et al. (2007, benchmark 3), as in Brian2's COBAHH example: `n`
    [`brainox.TraubMilesHH`][] cells (its defaults: area 20000 um^2, `C = 200`
    pF, `g_L = 10` nS, `g_Na = 20000` nS, `g_Kd = 6000` nS, `E_L = -60`,
    `E_Na = 50`, `E_K = -90`, `V_T = -63` mV; a spike is a crossing of -20 mV,
    3 ms dead time), 80% excitatory, connected at random, with exponential
    conductances added to the membrane current,

    `I_syn = g_e (E_e - V) + g_i (E_i - V)` (nS x mV = pA),
    `dg_e/dt = -g_e / tau_e`, `dg_i/dt = -g_i / tau_i`,

    where a spike of an excitatory (inhibitory) neuron adds `w_e = 6` nS
    (`w_i = 67` nS) to the `g_e` (`g_i`) of its targets after one step. No
    external drive: the activity is self-sustained. Initial values as Brian2's
    example: `V = E_L + 5 N(0, 1) - 5` mV, `g_e = 10 (4 + 1.5 N(0, 1))` nS,
    `g_i = 10 (20 + 12 N(0, 1))` nS, gates `m = h = n = 0` (or at their steady
    state with `gates_at_rest=True`); [`brainox.reset`][] restores these same
    values. Brian2 gives 33.9-36.3 Hz, BrainPy 35.9 / 36.3 Hz (E / I) at
    `n = 4000`.

    Populations, projections and connectivity are named and drawn as in
    [`brainox.presets.coba`][] (`p = 80 / n` by default). The cell's exponential
    Euler step at `dt = 0.1` ms is the benchmark's; use a smaller `dt` for
    reference-quality spike times.

    **Arguments:**

    - `n`: number of neurons (`>= 2`).
    - `key`: a `jax.random.key` for the connectivity and the initial values.
    - `p`: connection probability (default `80 / n`: 2% at `n = 4000`).
    - `fixed_in_degree`: synapses per neuron instead of `p`.
    - `w_e`, `w_i`: excitatory and inhibitory weights (nS).
    - `tau_e`, `tau_i`: synaptic time constants (ms).
    - `E_e`, `E_i`: synaptic reversal potentials (mV).
    - `gates_at_rest`: start the gates at their steady state at `V(0)` instead
      of 0.
    - `propagation`: the strategy of the recurrent projections.
    - `dtype`: floating dtype of parameters and states.

    **Returns:** the [`brainox.Network`][].

    ??? cite "Reference"
        Brette, R. et al. (2007). Simulation of networks of spiking neurons: a
        review of tools and strategies. J. Comput. Neurosci. 23, 349-398
        (benchmark 3).

        Traub, R. D. & Miles, R. (1991). Neuronal Networks of the Hippocampus.
        Cambridge University Press.

    !!! example
        ```python
        net = bx.presets.cobahh(4000, key=jax.random.key(0))
        net, rec = bx.simulate(net, 1000.0, dt=0.1,
                               spikes=bx.presets.spike_monitors(net))
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
    k_v, k_ge, k_gi = jax.random.split(k_v, 3)
    cell = TraubMilesHH(1, dtype=dtype)
    E_L = cell.E_L
    V0 = split_values(E_L + 5.0 * jax.random.normal(k_v, (n,), dtype) - 5.0, n_exc)
    g_e = 10.0 * (4.0 + 1.5 * jax.random.normal(k_ge, (n,), dtype))
    g_i = 10.0 * (20.0 + 12.0 * jax.random.normal(k_gi, (n,), dtype))
    gate = None if gates_at_rest else 0.0
    populations = {
        name: TraubMilesHH(
            size, V_init=V0[name], m_init=gate, h_init=gate, n_init=gate, dtype=dtype
        )
        for name, size in ((EXC, n_exc), (INH, n_inh))
    }
    # The initial conductances belong to the post neuron: g_e to the synapse
    # from the excitatory population, g_i to the one from the inhibitory.
    g_init = {EXC: split_values(g_e, n_exc), INH: split_values(g_i, n_exc)}
    projections = ei_projections(
        tables,
        {EXC: n_exc, INH: n_inh},
        {EXC: Pathway(w_e, tau_e, E_e), INH: Pathway(w_i, tau_i, E_i)},
        propagation=propagation,
        g_init=g_init,
        dtype=dtype,
    )
    return Network(populations, projections)
