"""The sparsely connected E/I network of Brunel (2000), with its dynamical regimes."""

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._custom_types import Array
from ..connect import AbstractPropagation
from ..init import uniform
from ..inputs.poisson import PoissonInput
from ..network import Network
from ._common import (
    EXC,
    INH,
    AccumulateWhileRefractory,
    Pathway,
    check_choice,
    check_parameters,
    ei_projections,
    ei_tables,
    lif_populations,
    split_key,
)


REGIMES = {
    "SR": (3.0, 2.0),
    "AI": (5.0, 2.0),
    "SI_fast": (6.0, 4.0),
    "SI_slow": (4.5, 0.9),
}
"""`(g, eta)` of Brunel's (2000) four regimes (his figure 8)."""


def threshold_rate(J: float, c_e: int, tau: float, theta: float) -> float:
    """`nu_thr = theta / (J C_E tau)` (Hz): the external rate per synapse whose
    mean input alone brings the potential to threshold.

    **Arguments:** `J` (mV), `c_e` (excitatory synapses per neuron), `tau` (ms),
    `theta` (mV). Brunel's values give 10 Hz.
    """
    return 1000.0 * theta / (J * c_e * tau)


def _check_degree(name: str, value: Any, n: int, n_name: str) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, np.integer))
        or not 1 <= value <= n
    ):
        raise ValueError(
            f"`{name}` is {value!r}; it is a number of synapses per neuron from the "
            f"{n_name} = {n} neurons, so an integer in [1, {n}]: lower it or raise "
            f"`n_exc`."
        )
    return int(value)


def brunel(
    regime: str = "AI",
    *,
    key: Array,
    n_exc: int = 10000,
    c_e: int = 1000,
    gamma: float = 0.25,
    g: float | None = None,
    eta: float | None = None,
    J: float = 0.1,
    delay: float = 1.5,
    dt: float = 0.1,
    tau: float = 20.0,
    theta: float = 20.0,
    V_r: float = 10.0,
    t_ref: float = 2.0,
    refractory_input: bool = False,
    propagation: AbstractPropagation | None = None,
    dtype: Any = jnp.float32,
) -> Network:
    """Brunel's (2000) sparse network of LIF neurons with delta synapses.

    Model A of Brunel (2000): `n_exc` excitatory and `gamma n_exc` inhibitory
    LIF neurons (`tau dV/dt = -V`, threshold `theta = 20` mV, reset `V_r = 10`
    mV, refractory `t_ref = 2` ms; `V(0)` uniform on `[V_r, theta)`). Every
    neuron receives exactly `C_E = c_e` excitatory and `C_I = gamma C_E`
    inhibitory synapses from random neurons of the network, and `C_E` external
    Poisson inputs of `nu_ext = eta nu_thr` each
    ([`brainox.inputs.PoissonInput`][]), with
    `nu_thr = theta / (J C_E tau)` = 10 Hz. A spike makes the potential of its
    targets jump by `J = 0.1` mV (excitatory and external) or `-g J`
    (inhibitory), after `delay = 1.5` ms for recurrent synapses.

    `regime` picks `(g, eta)`:

    | regime | g | eta | activity (N_E = 10000, C_E = 1000) |
    |---|---|---|---|
    | `"SR"` | 3 | 2 | synchronous regular: about 310 Hz, CV_ISI about 0.01 |
    | `"AI"` | 5 | 2 | asynchronous irregular: 37.95 Hz (mean field), CV 0.38 |
    | `"SI_fast"` | 6 | 4 | synchronous irregular: 55.8 Hz, oscillation 170-180 Hz |
    | `"SI_slow"` | 4.5 | 0.9 | synchronous irregular, slow oscillation |

    (Brian2 gives 36.7-38.7 Hz for AI and 60.4 Hz for SI_fast; SI_slow is not
    validated here.)

    `g` and `eta` override the regime's values.

    **Scaling down.** The mean-field state depends on `C_E`, `J`, `g`, `eta`
    (and `gamma`), not on `N_E`, so a smaller network keeps `c_e = 1000` and
    reduces `n_exc`: the rates stay near the full network's, while the
    connection probability `C_E / N_E` grows (0.1 at `N_E` = 10000, 0.5 at
    2000), which makes the inputs of different neurons more correlated and
    the population more synchronous than Brunel's sparse limit; and
    finite-size fluctuations grow as `1 / sqrt(N)`. The work per step is
    `N x rate x C` (spikes times targets): reducing `N_E` reduces it in
    proportion. Reducing `c_e` (with `J` scaled by `1000 / c_e` to keep the
    mean input) would change the input fluctuations (`J^2 C_E`) and with them
    the regime; avoid it.

    The network has populations `"exc"` and `"inh"`, recurrent projections
    `"ee"`, `"ei"`, `"ie"`, `"ii"` (named pre then post; delta synapses with a
    [`brainox.delays.HomogeneousDelay`][]) and the external inputs
    `"ext_exc"`, `"ext_inh"`. Autapses are allowed. It is built for one `dt`
    (delays and Poisson counts are in steps).

    **Arguments:**

    - `regime`: `"SR"`, `"AI"`, `"SI_fast"` or `"SI_slow"`.
    - `key`: a `jax.random.key` for the connectivity, `V(0)` and the external
      input.
    - `n_exc`: number of excitatory neurons (`N_E`).
    - `c_e`: excitatory synapses per neuron (`C_E`), at most `n_exc`.
    - `gamma`: `N_I / N_E = C_I / C_E`.
    - `g`: relative strength of inhibition (default: the regime's).
    - `eta`: external rate in units of `nu_thr` (default: the regime's).
    - `J`: excitatory jump (mV).
    - `delay`: recurrent transmission delay (ms).
    - `dt`: the simulation step (ms).
    - `tau`: membrane time constant (ms).
    - `theta`, `V_r`: threshold and reset (mV, rest at 0).
    - `t_ref`: refractory period (ms).
    - `refractory_input`: keep the jumps that arrive during the refractory
      period and add them when it ends (Brian2's `v += J`), instead of losing
      them (Brunel 2000 and NEST's default; see
      [`brainox.AbstractNeuron.jump`][]).
    - `propagation`: the strategy of the recurrent projections.
    - `dtype`: floating dtype of parameters and states.

    **Returns:** the [`brainox.Network`][]; simulate it with the same `dt`.

    ??? cite "Reference"
        Brunel, N. (2000). Dynamics of sparsely connected networks of excitatory
        and inhibitory spiking neurons. J. Comput. Neurosci. 8, 183-208.

    !!! example
        ```python
        net = bx.presets.brunel("AI", key=jax.random.key(0), n_exc=4000)
        net, rec = bx.simulate(net, 1000.0, dt=0.1,
                               spikes=bx.presets.spike_monitors(net))
        bx.presets.cv_isi(rec["exc"], start=200.0)      # about 0.4
        ```
    """
    g_regime, eta_regime = check_choice("regime", regime, REGIMES)
    g = g_regime if g is None else g
    eta = eta_regime if eta is None else eta
    assert g is not None and eta is not None
    check_parameters(
        positive={"gamma": gamma, "J": J, "tau": tau},
        nonnegative={"g": g, "eta": eta, "t_ref": t_ref, "delay": delay},
        ordered=(("V_r", V_r), ("theta", theta)),
    )
    if isinstance(n_exc, bool) or not isinstance(n_exc, (int, np.integer)) or n_exc < 1:
        raise ValueError(f"`n_exc` must be a positive integer, got {n_exc!r}.")
    n_exc = int(n_exc)
    n_inh = max(1, int(round(gamma * n_exc)))
    c_e = _check_degree("c_e", c_e, n_exc, "n_exc")
    c_i = _check_degree(
        "round(gamma * c_e)", max(1, round(gamma * c_e)), n_inh, "n_inh"
    )
    k_v, k_e, k_i, k_x = split_key(key, 4)
    tables = ei_tables(k_e, k_i, n_exc, n_inh, in_degree=(c_e, c_i))
    populations = lif_populations(
        k_v,
        n_exc,
        n_inh,
        uniform(V_r, theta),
        dtype,
        tau=tau,
        V_rest=0.0,
        V_reset=V_r,
        V_th=theta,
        t_ref=t_ref,
    )
    if refractory_input:
        populations = {k: AccumulateWhileRefractory(v) for k, v in populations.items()}
    sizes = {EXC: n_exc, INH: n_inh}
    projections = ei_projections(
        tables,
        sizes,
        {EXC: Pathway(J), INH: Pathway(-g * J)},
        propagation=propagation,
        delay=delay,
        dt=dt,
        dtype=dtype,
    )
    nu_ext = eta * threshold_rate(J, c_e, tau, theta)
    for name, k in zip((EXC, INH), jax.random.split(k_x), strict=True):
        projections[f"ext_{name}"] = PoissonInput(
            name, c_e, nu_ext, J, key=k, dt=dt, size=sizes[name], dtype=dtype
        )
    return Network(populations, projections)
