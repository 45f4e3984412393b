"""Event-driven propagation for accelerators: the spikes compacted into one batch."""

import math
from collections.abc import Callable
from typing import Any

import equinox as eqx
import jax.numpy as jnp
import numpy as np

from .._custom_types import Array
from ._propagation import AbstractRowScatter
from ._table import OutDegreeTable


def default_batch_size(n_pre: int, fraction: float = 0.05) -> int:
    """The default buffer of [`brainox.connect.CompactedEventDriven`][]:
    `ceil(fraction n_pre)`, at least 32 (5%: 500 Hz at dt = 0.1 ms, above the
    onset transient of the COBA benchmark, whose busiest step has 3% of the
    excitatory neurons spiking)."""
    return max(32, math.ceil(fraction * n_pre))


def _compact(s: Array, size: int) -> tuple[Array, Array]:
    """The indices of the nonzero entries of `s` in ascending order, in a buffer
    of `size` padded with `len(s)`, and their count (which may exceed `size`:
    the indices past the buffer are left out)."""
    n_pre = s.shape[0]
    fired = s != 0
    rank = jnp.cumsum(fired, dtype=jnp.int32) - 1  # position among the spikes
    slot = jnp.where(fired, rank, size)  # out of range: dropped by the scatter
    ids = jnp.arange(n_pre, dtype=jnp.int32)
    rows = jnp.full(size, n_pre, jnp.int32).at[slot].set(ids, mode="drop")
    return rows, rank[-1] + 1


class CompactedEventDriven(AbstractRowScatter):
    """Event-driven propagation in one vectorised batch: the accelerator's path.

    Each step, the indices of the neurons that spiked are compacted into a
    buffer of `batch_size` entries (one prefix sum over the spike vector and a
    scatter), and the table rows of the whole buffer are added to the output
    in one scatter of `batch_size x max_degree` values (padding entries point
    out of range and are dropped). There is no loop and no data-dependent
    control flow, so on a GPU a simulation step stays one stream of kernels
    with no host synchronisation.

    Work per step: one pass over the spike vector plus `batch_size x
    max_degree` scatter updates, however large the table. On an H200, for the
    fixed-in-degree COBA (in-degree 80, 17 Hz; `benchmarks/networks.py`), the
    loop takes 1.02 s per simulated second at 10^6 neurons with the default
    buffer (0.91 s with `fraction=0.035`) against 5.7 s for the
    [`brainox.connect.FixedInDegreeGather`][], which reads all `8 x 10^7`
    synapses each step; at 10^5 neurons 0.50 against 0.63 s; at 4000 the
    gather is faster (0.21 against 0.38 s). A version that looped over further
    batches when the buffer overflowed took 1.7 s at 10^6: a data-dependent
    loop makes the GPU wait for the host every step, so there is none. On a
    CPU, [`brainox.connect.EventDriven`][] is cheaper (`benchmarks/propagation.py`
    at N = 4000: 3.4 us per step with its native kernel, 25.8 with its XLA
    loop, against 112 for this strategy).

    **The buffer is bounded**: a step in which more than `batch_size`
    presynaptic neurons spike cannot be delivered. Nothing is dropped
    silently:

    - called directly, the strategy raises (through `eqx.error_if`, inside
      `jit`) naming the number of spikes and the batch size to pass;
    - inside a [`brainox.Projection`][], the projection records the largest
      number of spikes it has seen in one step (its `peak_spikes` state) instead
      of checking every step (a check is a device-to-host synchronisation on a
      GPU), and [`brainox.simulate`][] raises after each chunk if it exceeded
      the batch size, naming the projection and the size to use (inside
      `jit`, `grad` or `vmap`, through `eqx.error_if` on its results;
      [`brainox.check_spike_buffers`][] runs the same check on a model you
      stepped yourself).

    Size the batch above the busiest step: a larger batch costs more scatter
    work every step.

    Heterogeneous delays: the batch is scattered into the post-side ring buffer
    of future input, at each synapse's arrival slot.

    !!! warning
        The compaction is not differentiable in the spikes: for
        surrogate-gradient training use [`brainox.connect.Dense`][] or
        [`brainox.connect.FixedInDegreeGather`][].

    **Arguments:**

    - `batch_size`: the most presynaptic spikes delivered per step; default
      [`brainox.connect.default_batch_size`][]`(n_pre, fraction)`.
    - `fraction`: without `batch_size`, the buffer holds this fraction of the
      presynaptic neurons (default 0.05, at least 32 entries).
    - `checked`: raise inside `jit` when a call has more spikes than the batch
      (default). [`brainox.Projection`][] turns it off and monitors the peak
      instead.

    !!! example
        ```python
        table = bx.connect.fixed_in_degree(jax.random.key(0), 800_000, 10**6, 64)
        g_input = bx.connect.CompactedEventDriven()(table, spikes, 6.0)  # (10**6,)
        ```
    """

    batch_size: int | None = eqx.field(static=True)
    fraction: float = eqx.field(static=True)
    checked: bool = eqx.field(static=True)

    def __init__(
        self,
        batch_size: int | None = None,
        *,
        fraction: float = 0.05,
        checked: bool = True,
    ):
        if batch_size is not None and (
            isinstance(batch_size, bool)
            or not isinstance(batch_size, (int, np.integer))
            or batch_size < 1
        ):
            raise ValueError(
                f"`batch_size` must be a positive integer (spikes per step, e.g. "
                f"1000) or None for a `fraction` of the presynaptic neurons, got "
                f"{batch_size!r}."
            )
        if not 0.0 < fraction <= 1.0:
            raise ValueError(
                f"`fraction` must be in (0, 1] (the share of presynaptic neurons "
                f"the buffer holds, e.g. 0.05), got {fraction!r}."
            )
        self.batch_size = None if batch_size is None else int(batch_size)
        self.fraction = float(fraction)
        self.checked = bool(checked)

    def spike_capacity(self, n_pre: int) -> int:
        """The most spikes one call delivers from `n_pre` presynaptic neurons."""
        return min(self.batch_size or default_batch_size(n_pre, self.fraction), n_pre)

    def unchecked(self) -> "CompactedEventDriven":
        """The same strategy without the in-step check (`checked=False`)."""
        return CompactedEventDriven(
            self.batch_size, fraction=self.fraction, checked=False
        )

    def for_each_spiking_row(
        self, table: OutDegreeTable, s: Array, body: Callable, init: Any
    ) -> Any:
        """All spiking rows at once, compacted by a prefix sum into one batch."""
        size = self.spike_capacity(table.n_pre)
        rows, count = _compact(s, size)
        if self.checked:
            rows = eqx.error_if(rows, count > size, _overflow_message(size))
        return body(rows, init)


def _overflow_message(size: int) -> str:
    return (
        f"more presynaptic neurons spiked in one step than the {size} that "
        f"CompactedEventDriven(batch_size={size}) delivers; pass a larger "
        "`batch_size`, or use bx.connect.EventDriven / FixedInDegreeGather, "
        "which have no limit."
    )
