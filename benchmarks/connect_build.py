"""Time to build 10^7 synapses with each scalable connectivity generator.

Every generator builds a table of about `--synapses` synapses (default 10^7);
the baseline is `bx.connect.fixed_probability`, timed in the same run. Each is
run `--repeats` times with different keys, in turn (A B C ... A B C ...), so
that a noisy, shared machine affects all alike; the first call (which also
compiles, where a generator uses `jit`) is reported separately from the median
of the others. Times are wall-clock seconds until the table's indices are
ready. Inputs (positions, edge lists, matrices) are made before the clock
starts. "width" is the table's padded width (its largest out-degree). Prints a
table and one JSON line.

Run: `python benchmarks/connect_build.py [--synapses 1e7] [--repeats 3]
[--only gaussian scale_free ...]`.
"""

import argparse
import json
import math
import statistics
import time

import jax
import numpy as np

import brainox as bx


def cases(n_syn: int) -> dict:
    """name -> (function of a key that builds a table, a description)."""
    rng = np.random.default_rng(0)
    n = int(round(math.sqrt(n_syn / 1e-3)))  # n x n at p = 1e-3: the baseline
    k = 100
    n_k = n_syn // k  # neurons with k synapses each
    side = int(round(math.sqrt(n_syn)))  # side x side dense matrices
    lattice = int(round(math.sqrt(n_syn / 4)))  # 4 neighbours per neuron
    # Gaussian: n_k neurons uniform on the unit square, sigma for a mean degree k.
    xy = rng.random((n_k, 2))
    sigma = math.sqrt(k / (n_k * 2 * math.pi))
    # Small world: degree 10. Scale free: 2 m synapses per neuron, with few
    # neurons: the table's width is the largest degree (about m sqrt(n), at most
    # n), so n x width grows like n^1.5 m; n = 10^4, m = 500 keeps it ~10^8.
    n_sw = n_syn // 10
    n_ba = int(round(math.sqrt(n_syn * 10)))
    m = n_syn // (2 * n_ba)
    # Edge list, dense matrix and CSR matrix, made before timing.
    pre = rng.integers(0, n, n_syn)
    post = rng.integers(0, n, n_syn)
    weights = rng.random(n_syn).astype(np.float32)
    dense = rng.random((side, side), np.float32) + 0.1

    def sparse():
        import scipy.sparse

        return scipy.sparse.csr_array((weights, (pre, post)), shape=(n, n))

    csr = sparse()
    return {
        "fixed_probability (baseline)": (
            lambda key: bx.connect.fixed_probability(key, n, n, 1e-3),
            f"{n} x {n}, p = 0.001",
        ),
        "fixed_in_degree": (
            lambda key: bx.connect.fixed_in_degree(key, n_k, n_k, k),
            f"{n_k} x {n_k}, k = {k}",
        ),
        "fixed_out_degree": (
            lambda key: bx.connect.fixed_out_degree(key, n_k, n_k, k),
            f"{n_k} x {n_k}, k = {k}",
        ),
        "all_to_all": (
            lambda key: bx.connect.all_to_all(side, side),
            f"{side} x {side}",
        ),
        "grid": (
            lambda key: bx.connect.grid((lattice, lattice), 4),
            f"{lattice} x {lattice} lattice, 4 neighbours",
        ),
        "gaussian": (
            lambda key: bx.connect.gaussian(key, xy, xy, sigma),
            f"{n_k} neurons in 2-D, mean degree {k}, cutoff 4 sigma",
        ),
        "small_world": (
            lambda key: bx.connect.small_world(key, n_sw, 10, 0.1),
            f"n = {n_sw}, k = 10, beta = 0.1",
        ),
        "scale_free": (
            lambda key: bx.connect.scale_free(key, n_ba, m),
            f"n = {n_ba}, m = {m}",
        ),
        "from_edges": (
            lambda key: bx.connect.from_edges(
                pre, post, n, n, weights, duplicates="merge"
            )[0],
            f"{n_syn} random edges with weights, {n} x {n}",
        ),
        "from_dense": (
            lambda key: bx.connect.from_dense(dense)[0],
            f"{side} x {side} dense matrix",
        ),
        "from_sparse": (
            lambda key: bx.connect.from_sparse(csr)[0],
            f"CSR {n} x {n}, {csr.nnz} entries",
        ),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synapses", type=float, default=1e7)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args()
    table = cases(int(args.synapses))
    names = [
        name for name in table if args.only is None or any(o in name for o in args.only)
    ]
    first, times, size, width = {}, {name: [] for name in names}, {}, {}
    for repeat in range(args.repeats + 1):
        for name in names:
            build = table[name][0]
            start = time.perf_counter()
            result = build(jax.random.key(repeat))
            result.indices.block_until_ready()
            elapsed = time.perf_counter() - start
            if repeat == 0:
                first[name] = elapsed
                size[name] = result.n_synapses()
                width[name] = result.max_degree
            else:
                times[name].append(elapsed)
    device = jax.devices()[0].device_kind
    print(f"Building about {args.synapses:.0e} synapses ({device}); seconds")
    header = f"{'generator':30s} {'synapses':>10s} {'width':>6s} {'first':>7s}"
    print(f"{header} {'median':>7s}  case")
    results = {}
    for name in names:
        median = statistics.median(times[name]) if times[name] else first[name]
        results[name] = {
            "synapses": size[name],
            "width": width[name],
            "first_s": first[name],
            "median_s": median,
        }
        print(
            f"{name:30s} {size[name]:10d} {width[name]:6d} {first[name]:7.2f} "
            f"{median:7.2f}  {table[name][1]}"
        )
    print(json.dumps({"device": device, "results": results}))


if __name__ == "__main__":
    main()
