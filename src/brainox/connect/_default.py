"""The default propagation strategy, chosen by backend."""

import jax
from jax.core import Tracer

from ._compacted import CompactedEventDriven
from ._gather import FixedInDegreeGather
from ._propagation import AbstractPropagation, EventDriven
from ._table import OutDegreeTable


LARGE_TABLE = 2**23
"""Table entries (`n_pre x max_degree`) from which an accelerator compacts
spikes ([`brainox.connect.CompactedEventDriven`][]) instead of gathering."""


def default_propagation(
    table: OutDegreeTable, *, backend: str | None = None
) -> AbstractPropagation:
    """The propagation strategy brainox uses when none is given, ready for `table`.

    The rule, from measurements on the COBA scaling networks (in-degree 80,
    about 20 Hz, dt = 0.1 ms; `benchmarks/propagation.py` and
    `BENCHMARKS.md`):

    - **CPU**: [`brainox.connect.EventDriven`][], holding the compact rows
      of `table` that its native kernel reads (derived here, once). Its work
      follows the spikes that happened; the gather and the dense product work
      on every synapse or pair each step. Measured on a 2-core CPU,
      microseconds per step (event-driven with its native kernel / with its
      XLA loop / gather / dense): 3.4 / 25.8 / 309 / 1775 at N = 4000,
      23 / 87 / 1192 at N = 16000, 238 / 733 / 10308 at N = 10^5. The kernel
      costs under 1 us per spike at N = 4000, so the gather would only win at
      several hundred spikes per step there (above 1 kHz): the rule does not
      depend on size.
    - **GPU / TPU**, tables of fewer than `2^23` (8.4 million) entries
      (`n_pre x max_degree`): [`brainox.connect.FixedInDegreeGather`][], its
      in-degree table derived here, once. A per-spike loop serialises on an
      accelerator (74x slower than the gather at 10^5 neurons on an H100). The
      gather stores a second, transposed index table.
    - **GPU / TPU**, larger tables: [`brainox.connect.CompactedEventDriven`][]
      (spikes compacted into one batch, scattered at once), whose work follows
      the spikes while the gather reads every synapse each step. Measured on
      an H200, fixed-in-degree COBA (in-degree 80, 17 Hz), seconds per
      simulated second (gather / compacted): 0.21 / 0.38 at N = 4000, 0.28 /
      0.42 at 16000, 0.63 / 0.50 at 10^5, 5.7 / 1.0 at 10^6 (the excitatory
      tables have 1.4 x 10^6, 8.8 x 10^6 and 8.8 x 10^7 entries). Its buffer
      is bounded (5% of the presynaptic neurons by default); a projection that
      overflows it raises after the chunk, naming the size to use.
    - If `table` is traced (a projection built inside `jit`), the derived
      table cannot be sized, and the event-driven strategy is used instead.

    Override it by passing `propagation=` to [`brainox.Projection`][]; for
    surrogate-gradient training on a CPU pass
    [`brainox.connect.FixedInDegreeGather`][] or [`brainox.connect.Dense`][]
    (the event-driven loop is not reverse-mode differentiable). The backend is
    read when the projection is built: a model built for the CPU keeps the
    event-driven strategy when later run on a GPU.

    **Arguments:**

    - `table`: the connectivity.
    - `backend`: `"cpu"`, `"gpu"`, `"tpu"`, ... (default: `jax.default_backend()`).

    **Returns:** a strategy, prepared for `table`.

    !!! example
        ```python
        strategy = bx.connect.default_propagation(table)   # EventDriven on a CPU
        bx.connect.default_propagation(table, backend="gpu")  # the gather here
        ```
    """
    if backend is None:
        backend = jax.default_backend()
    if not isinstance(backend, str):
        raise TypeError(f"`backend` must be a string such as 'cpu', got {backend!r}.")
    if backend == "cpu" or isinstance(table.indices, Tracer):
        return EventDriven().prepare(table)
    if table.n_pre * table.max_degree >= LARGE_TABLE:
        return CompactedEventDriven()
    return FixedInDegreeGather(table)
