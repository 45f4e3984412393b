"""Build, time and report a BrainPy network (for brainpy_coba.py, brainpy_cobahh.py).

BrainPy 2.x ``brainpy.dyn`` API, float32 (BrainPy's default), dt = 0.1 ms. The
network's ``update()`` returns the numbers of E and I spikes of the step; the whole
run is one ``bm.for_loop`` (a ``lax.scan``) inside ``bm.jit``.

What is timed (wall clock; every result is copied to numpy, which waits for it):

- ``import_s``: ``import brainpy``.
- ``setup_s``: building the network, including its connectivity (CSR).
- ``compile_s``: the first call of the jitted run (tracing, XLA compilation and one
  full run) minus ``loop_s``.
- ``loop_s``: the second call, after the state is reset to a fresh initial
  condition; the rates are those of this run. The two calls have the same shapes,
  so the second one reuses the compiled program.
"""

import os
import time
from collections.abc import Callable

import numpy as np
from _common import report


DT = 0.1  # ms


def run(args, network: str, build: Callable) -> None:
    """``build(bp, args, rng) -> (net, reset)``; prints the JSON line.

    ``reset()`` must put the network back into a fresh initial state.
    """
    start = time.perf_counter()
    import brainpy as bp
    import brainpy.math as bm
    import jax

    import_s = time.perf_counter() - start

    bm.set_dt(DT)
    bm.random.seed(args.seed)
    rng = np.random.default_rng(args.seed)

    start = time.perf_counter()
    net, reset = build(bp, args, rng)
    setup_s = time.perf_counter() - start

    indices = np.arange(int(round(args.duration / DT)))

    @bm.jit
    def simulate(steps):
        return bm.for_loop(net.step_run, steps)

    start = time.perf_counter()
    np.asarray(simulate(indices)[0])
    first_s = time.perf_counter() - start

    reset()
    start = time.perf_counter()
    spikes_e, spikes_i = (np.asarray(x) for x in simulate(indices))
    loop_s = time.perf_counter() - start

    report(
        args,
        int(spikes_e.sum()),
        int(spikes_i.sum()),
        sim="brainpy",
        device=jax.devices()[0].platform,
        network=network,
        setup_s=setup_s,
        compile_s=first_s - loop_s,
        loop_s=loop_s,
        import_s=import_s,
        dtype=str(np.dtype(bm.float_)),
        method="exp_auto",
        version=bp.__version__,
        load_avg_1min=os.getloadavg()[0],
    )
