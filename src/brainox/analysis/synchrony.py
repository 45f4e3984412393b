"""Synchrony of a population: Golomb's chi."""

import numpy as np

from .._custom_types import ArrayLike


def golomb_chi(traces: ArrayLike, *, start_index: int = 0) -> float:
    """The synchrony measure chi of Golomb & Rinzel (1993), in [0, 1].

    `chi^2 = Var_t(mean_i x_i(t)) / mean_i Var_t(x_i(t))`

    for traces `x_i(t)` of the neurons (membrane potentials, or firing rates
    from [`brainox.analysis.rate_traces`][] with a smoothing kernel): 1 when
    all neurons move together, about `1 / sqrt(n)` for `n` independent ones.

    **Arguments:**

    - `traces`: a `(n_times, n)` array, time first (a monitor's recording).
    - `start_index`: leave out the first records (a transient).

    **Returns:** chi (NaN if no trace varies).

    ??? cite "Reference"
        Golomb, D. & Rinzel, J. (1993). Dynamics of globally coupled inhibitory
        neurons with heterogeneity. Phys. Rev. E 48, 4810-4814. Golomb, D.
        (2007). Neuronal synchrony measures. Scholarpedia 2(1), 1347.

    !!! example
        ```python
        _, rec = bx.simulate(net, 1000.0, dt=0.1, monitors={"V": "populations.exc.V"})
        bx.analysis.golomb_chi(rec["V"], start_index=1000)
        ```
    """
    x = np.asarray(traces, np.float64)
    if x.ndim != 2 or x.shape[1] < 2:
        raise ValueError(
            f"`traces` must be (n_times, n) with n >= 2 neurons, got shape {x.shape}."
        )
    x = x[start_index:]
    individual = x.var(axis=0).mean()
    if individual == 0:
        return float("nan")
    return float(np.sqrt(x.mean(axis=1).var() / individual))
