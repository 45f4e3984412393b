"""The default propagation strategy, chosen by backend."""

import jax
from jax.core import Tracer

from ._gather import FixedInDegreeGather
from ._propagation import AbstractPropagation, EventDriven
from ._table import OutDegreeTable


def default_propagation(
    table: OutDegreeTable, *, backend: str | None = None
) -> AbstractPropagation:
    """The propagation strategy brainox uses when none is given, ready for `table`.

    The rule, from measurements on the COBA scaling networks (in-degree 80,
    about 20 Hz, dt = 0.1 ms; `benchmarks/propagation.py` and
    `BENCHMARKS.md`):

    - **CPU**: [`brainox.connect.EventDriven`][]. Its work follows the spikes
      that happened; the gather and the dense product work on every synapse or
      pair each step. Measured on a 2-core CPU, microseconds per step
      (event-driven / gather / dense): 38 / 590 / 3900 at N = 4000, 61 / 2060
      at N = 16000, 780 / 17600 at N = 10^5. The loop costs about 5 us per
      spike at N = 4000, so the gather would only win above about 130 spikes
      per step there (300 Hz): the rule does not depend on size.
    - **GPU / TPU**: [`brainox.connect.FixedInDegreeGather`][], its in-degree
      table derived here, once. A per-spike loop serialises on an accelerator:
      on an H100 the gather took 0.15 s per simulated second at N = 4000 and
      0.46 s at N = 10^5, where the per-spike loop was 74x slower. The gather
      stores a second, transposed index table (about 1.5x the synapses, twice).
      If `table` is traced (a projection built inside `jit`), the derived
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
        bx.connect.default_propagation(table, backend="gpu")  # the gather
        ```
    """
    if backend is None:
        backend = jax.default_backend()
    if not isinstance(backend, str):
        raise TypeError(f"`backend` must be a string such as 'cpu', got {backend!r}.")
    if backend == "cpu" or isinstance(table.indices, Tracer):
        return EventDriven()
    return FixedInDegreeGather(table)
