"""Building blocks shared by the presets: E/I populations, their connectivity and
projections.

Every preset has two populations, `"exc"` (the first `n_exc` neurons of the
classical single-population formulation) and `"inh"`, and four recurrent
projections named by pre and post type, `"ee"`, `"ei"`, `"ie"`, `"ii"` (`"ei"`:
from `exc` onto `inh`). The connectivity from each presynaptic type is drawn
onto all `n_exc + n_inh` neurons at once and then split by post population, so
a preset draws the same synapses as a hand-written single-population network
given the same keys (`examples/coba.py`).
"""

from collections.abc import Mapping
from typing import Any, NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .._custom_types import Array
from .._state import Hidden
from ..connect import (
    AbstractPropagation,
    OutDegreeTable,
    fixed_in_degree,
    fixed_probability,
)
from ..init import draw
from ..neurons.lif import LIF
from ..outputs import COBA, CUBA, AbstractOutput
from ..projections import AbstractProjection, Projection
from ..synapses.exponential import Exponential


EXC, INH = "exc", "inh"
"""The names of the two populations of every preset."""

PATHWAYS = (("ee", EXC, EXC), ("ei", EXC, INH), ("ie", INH, EXC), ("ii", INH, INH))
"""The recurrent projections `(name, pre, post)`, in the order a network sums
their currents (onto each post population, excitation before inhibition)."""


def check_choice(name: str, value: Any, options: Mapping[str, Any]) -> Any:
    """`options[value]`, or an error naming the argument and the valid values."""
    if value not in options:
        raise ValueError(f"`{name}` is {value!r}; choose one of {sorted(options)}.")
    return options[value]


def check_parameters(
    positive: Mapping[str, Any] = {},
    nonnegative: Mapping[str, Any] = {},
    ordered: tuple[tuple[str, Any], tuple[str, Any]] | None = None,
) -> None:
    """Refuse a preset's parameters by the preset's own names: those in
    `positive` must be finite and > 0, those in `nonnegative` finite and >= 0,
    and `ordered = ((low_name, low), (high_name, high))` needs `low < high`
    (the errors of the parts they go to would name the parts' arguments)."""
    for names, test, words in (
        (positive, lambda v: v > 0, "> 0"),
        (nonnegative, lambda v: v >= 0, ">= 0"),
    ):
        for name, value in names.items():
            if not (np.isfinite(value) and test(value)):
                raise ValueError(f"`{name}` must be {words}, got {value!r}.")
    if ordered is not None:
        (low_name, low), (high_name, high) = ordered
        if not low < high:
            raise ValueError(
                f"`{low_name}` ({low}) must be below `{high_name}` ({high})."
            )


def split_sizes(n: int, exc_fraction: float = 0.8) -> tuple[int, int]:
    """`(n_exc, n_inh)` with `n_exc = round(exc_fraction n)`; both at least 1."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(
            f"`n` must be an integer >= 2 (excitatory and inhibitory neurons), "
            f"got {n!r}."
        )
    n_exc = int(round(exc_fraction * n))
    if not 1 <= n_exc < n:
        raise ValueError(
            f"`n` = {n} with {exc_fraction:.0%} excitatory neurons leaves a "
            "population empty; use a larger `n`."
        )
    return n_exc, int(n) - n_exc


def split_columns(
    table: OutDegreeTable, n_first: int
) -> tuple[OutDegreeTable, OutDegreeTable]:
    """Split a table onto `[0, n)` into the tables onto `[0, n_first)` and the rest.

    The second table's post indices are shifted down by `n_first`. Rows keep
    their ascending order; each table is cut to its largest degree. (Host
    NumPy, once per preset.)
    """
    indices = np.asarray(table.indices)
    n_post = table.n_post
    n_second = n_post - n_first
    first = np.where(indices < n_first, indices, n_first)
    # Targets below n_first are a prefix of each ascending row: after the
    # shift they would lead the row, so the second table is sorted again.
    second = np.where(
        (indices >= n_first) & (indices < n_post), indices - n_first, n_second
    )
    second = np.sort(second, axis=1)
    return _cut(first, n_first), _cut(second, n_second)


def _cut(rows: np.ndarray, n_post: int) -> OutDegreeTable:
    width = int(np.sum(rows < n_post, axis=1).max(initial=0))
    return OutDegreeTable(jnp.asarray(rows[:, :width], jnp.int32), n_post)


def ei_tables(
    k_exc: Array,
    k_inh: Array,
    n_exc: int,
    n_inh: int,
    *,
    p: float | None = None,
    in_degree: tuple[int, int] | None = None,
) -> dict[str, OutDegreeTable]:
    """The four recurrent tables of an E/I network, keyed `"ee"`, `"ei"`, ...

    With `p`, every (pre, post) pair connects with probability `p`
    ([`brainox.connect.fixed_probability`][]); with `in_degree = (K_E, K_I)`,
    every neuron receives exactly `K_E` excitatory and `K_I` inhibitory
    synapses ([`brainox.connect.fixed_in_degree`][]). The tables from each
    presynaptic type are drawn onto all neurons (keys `k_exc`, `k_inh`) and split
    by post population. Autapses are allowed, as in the benchmarks.
    """
    n = n_exc + n_inh
    if (p is None) == (in_degree is None):
        raise ValueError("give exactly one of `p` and `in_degree`.")
    if in_degree is not None:
        from_exc = fixed_in_degree(k_exc, n_exc, n, in_degree[0])
        from_inh = fixed_in_degree(k_inh, n_inh, n, in_degree[1])
    else:
        assert p is not None
        from_exc = fixed_probability(k_exc, n_exc, n, p)
        from_inh = fixed_probability(k_inh, n_inh, n, p)
    ee, ei = split_columns(from_exc, n_exc)
    ie, ii = split_columns(from_inh, n_exc)
    return {"ee": ee, "ei": ei, "ie": ie, "ii": ii}


def connectivity_rule(
    n: int,
    p: float | None,
    fixed_in_degree: int | None,
    *,
    mean_in_degree: int,
    exc_fraction: float = 0.8,
) -> dict[str, Any]:
    """The keyword arguments of [`ei_tables`][] from a preset's `p` /
    `fixed_in_degree`.

    Neither given: `p = mean_in_degree / n` (capped at 1), the in-degree of the
    benchmark at any size. `fixed_in_degree = K`: `round(exc_fraction K)`
    excitatory and the rest inhibitory synapses onto every neuron.
    """
    if p is not None and fixed_in_degree is not None:
        raise ValueError(
            f"give `p` ({p}) or `fixed_in_degree` ({fixed_in_degree}), not both."
        )
    if fixed_in_degree is not None:
        if (
            isinstance(fixed_in_degree, bool)
            or not isinstance(fixed_in_degree, (int, np.integer))
            or fixed_in_degree < 1
        ):
            raise ValueError(
                f"`fixed_in_degree` must be a positive integer (synapses per "
                f"neuron, e.g. 80), got {fixed_in_degree!r}."
            )
        k_exc = int(round(exc_fraction * fixed_in_degree))
        n_exc, n_inh = split_sizes(n, exc_fraction)
        k_inh = int(fixed_in_degree) - k_exc
        if k_exc > n_exc or k_inh > n_inh:
            raise ValueError(
                f"`fixed_in_degree` = {fixed_in_degree} asks for {k_exc} "
                f"excitatory and {k_inh} inhibitory synapses per neuron, but `n` = "
                f"{n} has {n_exc} and {n_inh} neurons; lower it or raise `n`."
            )
        return {"in_degree": (k_exc, k_inh)}
    if p is None:
        p = min(1.0, mean_in_degree / n)
    return {"p": p}


class Pathway(NamedTuple):
    """What one presynaptic type does: weight, synaptic kinetics and output.

    - `weight`: nS (COBA), pA (CUBA) or mV (delta synapses, `tau = None`).
    - `tau`: decay time constant of the exponential synapse (ms), or `None`
      for delta synapses.
    - `E`: reversal potential (mV) of a conductance-based output, or `None` for
      a current-based one.
    """

    weight: float
    tau: float | None = None
    E: float | None = None

    def output(self, dtype: Any) -> AbstractOutput | None:
        if self.tau is None:
            return None
        return CUBA() if self.E is None else COBA(self.E, dtype=dtype)


def ei_projections(
    tables: Mapping[str, OutDegreeTable],
    sizes: Mapping[str, int],
    pathways: Mapping[str, Pathway],
    *,
    propagation: AbstractPropagation | None = None,
    delay: float | None = None,
    dt: float | None = None,
    g_init: Mapping[str, Mapping[str, Array]] | None = None,
    dtype: Any = jnp.float32,
) -> dict[str, AbstractProjection]:
    """The four recurrent projections of an E/I network, in [`PATHWAYS`][] order.

    **Arguments:**

    - `tables`: from [`ei_tables`][].
    - `sizes`: `{"exc": n_exc, "inh": n_inh}`.
    - `pathways`: `{"exc": Pathway(...), "inh": Pathway(...)}`, by presynaptic
      type.
    - `propagation`: the strategy of every projection (default: by backend).
    - `delay`: transmission delay (ms), with `dt`; `None` is one step.
    - `g_init`: optional initial synaptic variables `{pre: {post: array}}`.
    """
    projections: dict[str, AbstractProjection] = {}
    for name, pre, post in PATHWAYS:
        path = pathways[pre]
        synapse = None
        if path.tau is not None:
            init = 0.0 if g_init is None else g_init[pre][post]
            synapse = Exponential(sizes[post], tau=path.tau, g_init=init, dtype=dtype)
        projections[name] = Projection(
            pre,
            post,
            tables[name],
            jnp.asarray(path.weight, dtype),
            synapse=synapse,
            output=path.output(dtype),
            propagation=propagation,
            delay=delay,
            dt=dt,
        )
    return projections


def split_values(values: Array, n_exc: int) -> dict[str, Array]:
    """One array over all neurons (E first) as `{"exc": ..., "inh": ...}`."""
    return {EXC: values[:n_exc], INH: values[n_exc:]}


def with_random_init(neuron: Any, name: str, init: Any) -> Any:
    """`neuron` whose state `name` keeps its value but resets by drawing `init`.

    The presets draw initial values over the whole network at once (as the
    single-population benchmarks do) and split them; this keeps
    [`brainox.reset`][] drawing fresh random values afterwards.
    """
    state = getattr(neuron, name)
    return eqx.tree_at(
        lambda m: getattr(m, name), neuron, Hidden(state.value, init=init)
    )


def split_key(key: Array, n: int) -> Array:
    """`jax.random.split`, with an error that names the argument."""
    if not isinstance(key, jax.Array) or not (
        jnp.issubdtype(key.dtype, jax.dtypes.prng_key)
        or (key.dtype == jnp.uint32 and key.shape == (2,))
    ):
        raise TypeError(
            f"`key` must be a jax.random.key, got {key!r}; pass e.g. "
            "`key=jax.random.key(0)`."
        )
    return jax.random.split(key, n)


def lif_populations(
    key: Array,
    n_exc: int,
    n_inh: int,
    V_init: Any,
    dtype: Any,
    **params: Any,
) -> dict[str, LIF]:
    """Two LIF populations of the same parameters, `V` drawn over all neurons.

    `V_init` (an initializer such as `bx.init.normal(-55.0, 2.0)`) is drawn for
    all `n_exc + n_inh` neurons from `key`, as one population would draw it, and
    split: the excitatory neurons get the first `n_exc` values. Each population
    keeps `V_init` for [`brainox.reset`][].
    """
    V0 = split_values(draw(V_init, key, (n_exc + n_inh,), dtype), n_exc)
    return {
        name: with_random_init(
            LIF(size, V_init=V0[name], dtype=dtype, **params), "V", V_init
        )
        for name, size in ((EXC, n_exc), (INH, n_inh))
    }


class AccumulateWhileRefractory(eqx.Module):
    """An integrate-and-fire population that keeps delta-synapse input that
    arrives while it is refractory.

    A [`brainox.LIF`][] ignores the jumps of delta synapses during its
    refractory period, as Brunel (2000) and NEST's `iaf_psc_delta` do: the
    potential is clamped at `V_r`. This wrapper adds them to the held potential
    instead, so they accumulate and are all felt when the period ends, as
    Brian2's `v += J` on a neuron whose equation is `(unless refractory)`
    does. Everything else is the wrapped neuron's.

    **Arguments:**

    - `neuron`: the population, with `V`, `spike` and `refractory_left` states.
    """

    neuron: LIF

    @property
    def spike(self) -> Any:
        """The wrapped neuron's `spike` state."""
        return self.neuron.spike

    @property
    def voltage(self) -> Array:
        """The membrane potential (mV)."""
        return self.neuron.voltage

    @property
    def size(self) -> int:
        """Number of neurons."""
        return self.neuron.size

    def jump(self, dv: Array) -> "AccumulateWhileRefractory":
        """Add `dv` (mV) to `V`, refractory or not."""
        neuron = self.neuron
        moved = neuron.with_states(**{neuron.voltage_name: neuron.voltage + dv})
        return AccumulateWhileRefractory(moved)

    def step(self, x: Any, dt: float) -> "AccumulateWhileRefractory":
        """The wrapped neuron's step."""
        return AccumulateWhileRefractory(self.neuron.step(x, dt))
