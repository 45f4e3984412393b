"""Scaling of the sharded COBA network over 1, 2 and 4 devices.

The fixed-in-degree COBA (`bx.presets.coba(n, fixed_in_degree=80)`: 64 E + 16 I
synapses onto every neuron, rates 16-21 Hz at any size), dt = 0.1 ms, float32,
simulated

- on one device by `bx.simulate(net, ...)` (the baseline), and
- by `bx.simulate(bx.distributed.shard(net, mesh), ...)` on meshes of 1, 2 and
  4 devices (1 device: the cost of the sharded step itself).

On a CPU the script asks JAX for 4 simulated CPU devices
(`jax_num_cpu_devices`); they share the machine's cores, so the numbers show the
overhead of the exchange and of the split, not a speed-up (that needs real
devices: on a multi-GPU host the same script uses the GPUs). The cases run in
turn (A B C A B C ...) so that a shared, noisy machine affects them alike. For
each case it reports the medians over `--repeats` runs of the compiled program,
in seconds per simulated second, of the wall-clock time and of the CPU time of
the process (all its threads: the work, less sensitive to other processes than
the wall clock), their ratios to the baseline, the compile time (first call
minus the median), and whether the spikes equal the baseline's. One JSON line
per case follows.

Run: `python benchmarks/sharded.py [--n 4000] [--duration 200] [--repeats 3]
[--devices 1,2,4] [--exchange spikes|packed] [--propagation default|event|gather]`.
"""

import argparse
import json
import os
import statistics
import time

import jax


jax.config.update("jax_num_cpu_devices", 4)  # only the CPU platform reads it

import numpy as np  # noqa: E402

import brainox as bx  # noqa: E402


DT = 0.1

PROPAGATION = {
    "default": None,  # by backend: event-driven on a CPU, the gather on a GPU
    "event": bx.connect.EventDriven(),
    "gather": bx.connect.FixedInDegreeGather(),
}


def run_once(model, duration, monitors):
    """(recordings, wall-clock s, CPU s of this process) of one `bx.simulate`."""
    wall, cpu = time.perf_counter(), time.process_time()
    _, rec = bx.simulate(model, duration, dt=DT, spikes=monitors)
    return rec, time.perf_counter() - wall, time.process_time() - cpu


def same_spikes(a, b, names):
    return all(
        np.array_equal(a[k].step, b[k].step) and np.array_equal(a[k].index, b[k].index)
        for k in names
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000, help="number of neurons")
    parser.add_argument("--duration", type=float, default=200.0, help="ms")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--devices", default="1,2,4", help="device counts")
    parser.add_argument("--exchange", default="spikes", choices=["spikes", "packed"])
    parser.add_argument(
        "--propagation", default="default", choices=sorted(PROPAGATION), help="strategy"
    )
    args = parser.parse_args(argv)

    devices = jax.devices()
    counts = [int(c) for c in args.devices.split(",") if int(c) <= len(devices)]
    net = bx.presets.coba(
        args.n,
        key=jax.random.key(0),
        fixed_in_degree=80,
        propagation=PROPAGATION[args.propagation],
    )
    monitors = bx.presets.spike_monitors(net)
    seconds = args.duration / 1000.0
    print(
        f"COBA, fixed in-degree 80, N = {args.n}, {args.duration:g} ms, dt = {DT} "
        f"ms, {devices[0].platform} x {len(devices)}, exchange = {args.exchange}, "
        f"propagation = {args.propagation}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    models = {"one device": net}
    for count in counts:
        mesh = jax.make_mesh((count,), ("neurons",), devices=devices[:count])
        models[f"sharded x {count}"] = bx.distributed.shard(
            net, mesh, exchange=args.exchange
        )
    first = {name: run_once(m, args.duration, monitors) for name, m in models.items()}
    # The cases in turn (A B C A B C ...), so that a busy machine slows them alike.
    walls = {name: [] for name in models}
    cpus = {name: [] for name in models}
    for _ in range(args.repeats):
        for name, model in models.items():
            _, wall, cpu = run_once(model, args.duration, monitors)
            walls[name].append(wall)
            cpus[name].append(cpu)
    base = first["one device"][0]
    rates = bx.presets.firing_rates(base, net, args.duration)
    rows = []
    for name in models:
        wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
        compile_time = max(first[name][1] - wall, 0.0)
        same = same_spikes(base, first[name][0], monitors)
        rows.append((name, wall, cpu, compile_time, same))
    base_wall, base_cpu = rows[0][1], rows[0][2]
    print(f"rates: exc {rates['exc']:.1f} Hz, inh {rates['inh']:.1f} Hz")
    print(
        f"{'case':<14}{'wall s/s':>10}{'ratio':>7}{'CPU s/s':>10}{'ratio':>7}"
        f"{'compile s':>11}  same spikes"
    )
    for name, wall, cpu, compile_time, same in rows:
        print(
            f"{name:<14}{wall / seconds:>10.3f}{wall / base_wall:>7.2f}"
            f"{cpu / seconds:>10.3f}{cpu / base_cpu:>7.2f}{compile_time:>11.2f}  {same}"
        )
    for name, wall, cpu, compile_time, same in rows:
        print(
            json.dumps(
                dict(
                    case=name,
                    n=args.n,
                    duration_ms=args.duration,
                    platform=devices[0].platform,
                    exchange=args.exchange,
                    propagation=args.propagation,
                    wall_s_per_s=round(wall / seconds, 4),
                    wall_ratio=round(wall / base_wall, 3),
                    cpu_s_per_s=round(cpu / seconds, 4),
                    cpu_ratio=round(cpu / base_cpu, 3),
                    compile_s=round(compile_time, 2),
                    same_spikes=same,
                )
            )
        )


if __name__ == "__main__":
    main()
