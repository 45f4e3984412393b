"""Shared pieces of the peer benchmark scripts: the CLI, connectivity, the result.

The peer scripts run in their own virtual environments (Brian2, BrainPy), never in
brainox's, so this module needs only the standard library and numpy.

Connectivity modes (see BENCHMARKS.md, "Scaling"):

- ``p2`` (default): each pair is connected with probability p = 0.02 and every
  weight is scaled by 4000 / N, so the mean input stays that of the N = 4000 net;
  rates fall with N.
- ``--fixed-indegree K``: each neuron receives exactly 0.8 K excitatory and
  0.2 K inhibitory synapses (64 + 16 for K = 80), drawn without replacement, with
  unchanged weights; rates stay at 16-21 Hz at any N.
"""

import argparse
import json

import numpy as np


N_REF = 4000  # the size at which the published weights apply
P_CONN = 0.02
E_FRACTION = 0.8


def parse_args(description: str, devices: tuple[str, ...] = ()) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    if devices:
        parser.add_argument("--device", choices=devices, default=devices[0])
        parser.add_argument(
            "--threads",
            type=int,
            default=0,
            help="cpp_standalone OpenMP threads (0: none, loop timed in CPU time)",
        )
    parser.add_argument("--n", type=int, default=N_REF, help="neurons (80%% E)")
    parser.add_argument(
        "--fixed-indegree",
        type=int,
        default=0,
        metavar="K",
        help="K inputs per neuron (0.8 K E + 0.2 K I), unchanged weights; "
        "default: p = 0.02 with weights scaled by 4000 / N",
    )
    parser.add_argument("--duration", type=float, default=1000.0, help="ms")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.n_e = int(round(E_FRACTION * args.n))
    args.n_i = args.n - args.n_e
    if args.fixed_indegree:
        args.k_e = int(round(E_FRACTION * args.fixed_indegree))
        args.k_i = args.fixed_indegree - args.k_e
        args.w_scale = 1.0
    else:
        args.w_scale = N_REF / args.n
    return args


def fixed_indegree(
    n_pre: int, n_post: int, k: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """(pre, post) indices: each post neuron gets k distinct random pre neurons."""
    pre = rng.integers(0, n_pre, size=(n_post, k))
    pre.sort(axis=1)
    while True:  # redraw the rows that hold a duplicate
        bad = np.flatnonzero((np.diff(pre, axis=1) == 0).any(axis=1))
        if bad.size == 0:
            break
        pre[bad] = np.sort(rng.integers(0, n_pre, size=(bad.size, k)), axis=1)
    post = np.repeat(np.arange(n_post), k)
    return pre.ravel(), post


def connectivity_label(args: argparse.Namespace) -> str:
    return f"k{args.fixed_indegree}" if args.fixed_indegree else "p0.02"


def report(args: argparse.Namespace, spikes_e: int, spikes_i: int, **fields) -> None:
    """Print the one JSON result line (rates in Hz over the whole run).

    ``fields`` must hold sim, device, network, setup_s, compile_s and loop_s; any
    other field (import_s, dtype, ...) is appended after the rates.
    """
    seconds = args.duration / 1000.0
    first = ("sim", "device", "network")
    result = {key: fields.pop(key) for key in first}
    result.update(n=args.n, conn=connectivity_label(args))
    for key in ("setup_s", "compile_s", "loop_s"):
        result[key] = round(fields.pop(key), 4)
    result.update(
        rate_e_hz=round(spikes_e / (args.n_e * seconds), 3),
        rate_i_hz=round(spikes_i / (args.n_i * seconds), 3),
        duration_s=seconds,
    )
    for key, value in fields.items():
        result[key] = round(value, 4) if isinstance(value, float) else value
    print(json.dumps(result), flush=True)
