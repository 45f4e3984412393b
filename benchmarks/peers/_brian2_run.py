"""Build, time and report a Brian2 network (used by brian2_coba.py, brian2_cobahh.py).

What is timed (wall clock unless said otherwise):

- ``import_s``: ``import brian2``.
- ``setup_s``: creating the groups, synapses and monitor in Python. In ``runtime``
  mode this includes building the synapses (``connect``), whose generated Cython
  code is compiled on first use and then taken from Brian2's disk cache; in
  ``cpp_standalone`` mode the synapses are built later, inside the binary.
- ``compile_s``: ``cpp_standalone``: ``device.build(run=False)``, i.e. C++ code
  generation plus compilation (``make_s`` is the ``make`` part), always from
  scratch in a fresh temporary directory. ``runtime``: the part of ``net.run`` before
  the first time step (code generation, Cython compilation or cache load).
- ``loop_s``: Brian2's own measure of the simulation loop (``_last_run_time``).
  In ``runtime`` mode it is wall time. In ``cpp_standalone`` mode without OpenMP
  it is the binary's CPU time (``std::clock``), which on a loaded machine is less
  than wall time; ``run_wall_s`` and ``run_cpu_s`` are the wall and CPU seconds of
  the whole binary (initialisation, building the synapses, the loop, writing the
  results), so their ratio shows how much the process was held up by other jobs,
  and ``loop_wall_est_s`` = ``loop_s`` x ``run_wall_s`` / ``run_cpu_s`` estimates
  the loop's wall time. With ``--threads T`` (T >= 1) the binary is built with
  OpenMP and T threads, and Brian2 times the loop in wall time (``omp_get_wtime``).
"""

import os
import resource
import shutil
import tempfile
import time
from collections.abc import Callable

import numpy as np
from _common import report


def run(args, network: str, build: Callable) -> None:
    """``build(b2, args, rng) -> (group, objects, method)``; prints the JSON line."""
    start = time.perf_counter()
    import brian2 as b2

    import_s = time.perf_counter() - start

    standalone = args.device == "cpp_standalone"
    workdir = tempfile.mkdtemp(prefix=f"brian2_{network}_")
    try:
        if standalone:
            b2.set_device("cpp_standalone", directory=workdir, build_on_run=False)
            b2.prefs.devices.cpp_standalone.openmp_threads = args.threads
        else:
            b2.prefs.codegen.target = "cython"
        b2.seed(args.seed)
        rng = np.random.default_rng(args.seed)

        start = time.perf_counter()
        group, objects, method = build(b2, args, rng)
        monitor = b2.SpikeMonitor(group, record=False)  # spike counts only
        net = b2.Network(*objects, monitor)
        setup_s = time.perf_counter() - start

        device = b2.get_device()
        extra = {}
        if standalone:
            net.run(args.duration * b2.ms)  # recorded, run by the binary below
            start = time.perf_counter()
            device.build(directory=workdir, compile=True, run=False, with_output=False)
            compile_s = time.perf_counter() - start
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            device.run(directory=workdir, with_output=False)
            run_wall_s = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            loop_s = float(device._last_run_time)
            extra = dict(
                make_s=float(device.timers["compile"]["make"]),
                run_wall_s=run_wall_s,
                run_cpu_s=cpu,
                threads=args.threads,
                loop_clock="wall" if args.threads else "cpu",
            )
            if not args.threads:
                extra["loop_wall_est_s"] = loop_s * run_wall_s / cpu
        else:
            start = time.perf_counter()
            net.run(args.duration * b2.ms)
            total = time.perf_counter() - start
            loop_s = float(device._last_run_time)
            compile_s = total - loop_s
            extra = dict(loop_clock="wall")
        counts = np.asarray(monitor.count[:])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    report(
        args,
        int(counts[: args.n_e].sum()),
        int(counts[args.n_e :].sum()),
        sim="brian2",
        device=args.device,
        network=network,
        setup_s=setup_s,
        compile_s=compile_s,
        loop_s=loop_s,
        import_s=import_s,
        dtype="float64",
        method=method,
        version=b2.__version__,
        load_avg_1min=os.getloadavg()[0],
        **extra,
    )
