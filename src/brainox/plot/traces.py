"""Plots of recorded traces: membrane potentials (or any monitored state)."""

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._custom_types import ArrayLike
from ._mpl import axes


def voltage_traces(
    values: ArrayLike,
    t: ArrayLike | None = None,
    *,
    neurons: Sequence[int] | None = None,
    dt: float | None = None,
    ax: Any = None,
    ylabel: str = "V (mV)",
    **plot_kwargs: Any,
) -> Any:
    """Traces of a monitored state over time, one line per neuron.

    **Arguments:**

    - `values`: a recording from [`brainox.simulate`][]'s monitors,
      `(n_records,)` or `(n_records, n)`.
    - `t`: the record times (ms), e.g. `rec["t"]`; default `(i + 1) dt`.
    - `neurons`: which neurons to draw (default: all, up to 10).
    - `dt`: the time between records (ms), when `t` is not given.
    - `ax`: a matplotlib `Axes` (default: a new figure).
    - `ylabel`: the y-axis label (the state's name and unit).
    - `**plot_kwargs`: passed to `ax.plot`.

    **Returns:** the `Axes`; one `Line2D` per neuron drawn.

    !!! example
        ```python
        _, rec = bx.simulate(bx.LIF(5), 200.0, dt=0.1, inputs=drive, monitors=["V"])
        bx.plot.voltage_traces(rec["V"], rec["t"], neurons=[0, 1])
        ```
    """
    v = np.asarray(values)
    if v.ndim == 1:
        v = v[:, None]
    if v.ndim != 2:
        raise ValueError(
            f"`values` must be (n_records,) or (n_records, n), got {v.shape}."
        )
    if t is None:
        if dt is None:
            raise ValueError("pass the record times `t` (rec['t']) or the step `dt=`.")
        t = (np.arange(v.shape[0]) + 1) * dt
    t = np.asarray(t)
    if t.shape != (v.shape[0],):
        raise ValueError(f"`t` has shape {t.shape}; expected ({v.shape[0]},).")
    chosen = list(range(min(v.shape[1], 10))) if neurons is None else list(neurons)
    outside = [i for i in chosen if not -v.shape[1] <= i < v.shape[1]]
    if outside:
        raise ValueError(
            f"`neurons` names {outside}, but `values` has {v.shape[1]} neurons "
            f"(indices 0 to {v.shape[1] - 1})."
        )
    ax = axes(ax)
    for i in chosen:
        ax.plot(t, v[:, i], **({"lw": 0.8, "label": f"neuron {i}"} | plot_kwargs))
    ax.set(xlabel="time (ms)", ylabel=ylabel)
    return ax
