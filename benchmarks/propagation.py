"""Cost of the propagation strategies on COBA-like networks, per step.

For N = 4000, 16000 and 100000 neurons, each receiving on average 80 synapses
(`fixed_probability(N, N, 80 / N)`: the in-degree-80 scaling networks of
`BENCHMARKS.md`) and firing at about 20 Hz at dt = 0.1 ms (each neuron spikes
with probability 0.002 per step), it times one `lax.scan` over pre-drawn spike
vectors whose body computes the post-synaptic input through:

- `event`: [`brainox.connect.EventDriven`][] prepared for the table, as a
  [`brainox.Projection`][] holds it (CPU default; on the CPU its native
  kernel reading the table's compact rows: no padding, 16-bit targets);
- `event-padded`: the same kernel reading the padded table itself (an
  unprepared `EventDriven()`), the layout it read before the compact rows;
- `event-xla`: the same strategy with `kernel="xla"`, its per-spike XLA loop;
- `compacted`: [`brainox.connect.CompactedEventDriven`][] (spikes compacted
  into batches, one vectorised scatter per batch; GPU default at large sizes);
- `gather`: [`brainox.connect.FixedInDegreeGather`][];
- `dense`: [`brainox.connect.Dense`][] (N = 4000 only: N^2 per step);
- `procedural`: [`brainox.connect.Procedural`][] with `in_degree=80`
  (partners regenerated each step; same statistics, not the same table);
- `event+delays`, `gather+delays`: the event-driven and gather strategies with
  heterogeneous per-synapse delays uniform in [1, 5] ms (a ring buffer);
- `baseline`: the same scan reading the spikes and adding them up, no
  propagation (the loop's own cost, included in every other number).

The runs alternate (A B C ... A B C ...); each number is the median over the
repeats, in microseconds per step; compile time (first call minus median) is
reported separately. The summed inputs of the stored strategies are checked to
agree, so a fast but wrong strategy is caught. Prints a table and one JSON line.

Run: `python benchmarks/propagation.py [--repeats R] [--sizes 4000 16000]`.
"""

import argparse
import json
import statistics
import time

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

import brainox as bx


DT = 0.1  # ms
RATE = 20.0  # Hz
IN_DEGREE = 80
WEIGHT = 6.0  # nS
STEPS = {4000: 2000, 16000: 500, 100000: 100}


@eqx.filter_jit
def run_plain(strategy, table, raster):
    """Sum of the post input over the steps (so nothing is optimised away)."""

    def body(total, spikes):
        return total + strategy(table, spikes.astype(jnp.float32), WEIGHT), None

    n_post = strategy.n_post if table is None else table.n_post
    return jax.lax.scan(body, jnp.zeros(n_post), raster)[0]


@eqx.filter_jit
def run_delayed(delay, strategy, table, raster):
    def body(carry, spikes):
        delay, total = carry
        arriving, delay = delay(strategy, table, spikes.astype(jnp.float32), WEIGHT)
        return (delay, total + arriving), None

    return jax.lax.scan(body, (delay, jnp.zeros(table.n_post)), raster)[0][1]


@eqx.filter_jit
def run_baseline(raster):
    def body(total, spikes):
        return total + spikes.astype(jnp.float32), None

    return jax.lax.scan(body, jnp.zeros(raster.shape[1]), raster)[0]


def _timed(fn) -> float:
    start = time.perf_counter()
    jax.block_until_ready(fn())
    return time.perf_counter() - start


def bench(n: int, repeats: int, seed: int = 0) -> dict:
    key = jax.random.key(seed)
    k_table, k_spikes, k_delay, k_proc = jax.random.split(key, 4)
    n_steps = STEPS.get(n, max(100, 8_000_000 // n))
    start = time.perf_counter()
    table = bx.connect.fixed_probability(k_table, n, n, IN_DEGREE / n)
    table.indices.block_until_ready()
    build_table = time.perf_counter() - start
    start = time.perf_counter()
    gather = bx.connect.FixedInDegreeGather(table)
    gather.in_table.indices.block_until_ready()  # pyright: ignore
    build_gather = time.perf_counter() - start
    start = time.perf_counter()
    procedural = bx.connect.Procedural(k_proc, n, n, in_degree=IN_DEGREE)
    build_procedural = time.perf_counter() - start
    start = time.perf_counter()
    event = bx.connect.EventDriven().prepare(table)
    build_rows = time.perf_counter() - start
    event_padded = bx.connect.EventDriven()
    event_xla = bx.connect.EventDriven(kernel="xla")
    compacted = bx.connect.CompactedEventDriven()
    delays = jax.random.uniform(k_delay, table.indices.shape, minval=1.0, maxval=5.0)
    delay_event = bx.delays.HeterogeneousDelay(table, delays, DT, propagation=event)
    delay_gather = bx.delays.HeterogeneousDelay(table, delays, DT, propagation=gather)
    p_spike = RATE * DT * 1e-3
    raster = jax.random.bernoulli(k_spikes, p_spike, (n_steps, n))

    runs = {
        "baseline": lambda: run_baseline(raster),
        "event": lambda: run_plain(event, table, raster),
        "event-padded": lambda: run_plain(event_padded, table, raster),
        "event-xla": lambda: run_plain(event_xla, table, raster),
        "compacted": lambda: run_plain(compacted, table, raster),
        "gather": lambda: run_plain(gather, table, raster),
        "procedural": lambda: run_plain(procedural, None, raster),
        "event+delays": lambda: run_delayed(delay_event, event, table, raster),
        "gather+delays": lambda: run_delayed(delay_gather, gather, table, raster),
    }
    if n <= 4000:
        runs["dense"] = lambda: run_plain(bx.connect.Dense(), table, raster)
    first = {name: _timed(fn) for name, fn in runs.items()}
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):  # A B C ... A B C ...
        for name, fn in runs.items():
            times[name].append(_timed(fn))
    median = {name: statistics.median(t) for name, t in times.items()}

    # The stored strategies agree (exactly: the weight is an integer); delays
    # only shift the input in time, so the totals differ by the last steps.
    ref = np.asarray(runs["event"]())
    agree = {
        name: bool(np.array_equal(np.asarray(runs[name]()), ref))
        for name in ("event-padded", "event-xla", "compacted", "gather", "dense")
        if name in runs
    }
    return dict(
        n=n,
        in_degree=IN_DEGREE,
        synapses=table.n_synapses(),
        max_out_degree=table.max_degree,
        max_in_degree=gather.in_table.max_in_degree,  # pyright: ignore
        n_steps=n_steps,
        spikes_per_step=float(jnp.mean(jnp.sum(raster, axis=1))),
        us_per_step={k: 1e6 * v / n_steps for k, v in median.items()},
        compile_s={k: max(first[k] - median[k], 0.0) for k in runs},
        build_s=dict(
            table=build_table,
            rows=build_rows,
            gather=build_gather,
            procedural=build_procedural,
        ),
        agree_with_event=agree,
    )


COLUMNS = (
    "baseline",
    "event",
    "event-padded",
    "event-xla",
    "compacted",
    "gather",
    "dense",
    "procedural",
    "event+delays",
    "gather+delays",
)


def main(sizes=(4000, 16000, 100000), repeats: int = 7) -> list[dict]:
    results = [bench(n, repeats) for n in sizes]
    device = jax.devices()[0]
    print(f"backend: {jax.default_backend()}, {device.device_kind}")
    print("us per step (median of alternating runs); each includes the baseline")
    print(f"{'N':>7} {'spikes':>7} " + " ".join(f"{c:>13}" for c in COLUMNS))
    for r in results:
        us = r["us_per_step"]
        cells = [f"{us[c]:>13.1f}" if c in us else f"{'-':>13}" for c in COLUMNS]
        print(f"{r['n']:>7} {r['spikes_per_step']:>7.1f} " + " ".join(cells))
    print("build s (table / compact rows / in-degree table / procedural check):")
    for r in results:
        b = r["build_s"]
        print(
            f"{r['n']:>7} {b['table']:.2f} / {b['rows']:.2f} / {b['gather']:.2f} / "
            f"{b['procedural']:.2f}; max in-degree {r['max_in_degree']}, "
            f"agree {r['agree_with_event']}"
        )
    print(json.dumps({"benchmark": "propagation", "results": results}))
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--sizes", type=int, nargs="+", default=[4000, 16000, 100000])
    args = parser.parse_args()
    main(tuple(args.sizes), args.repeats)
