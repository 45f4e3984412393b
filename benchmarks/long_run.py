"""Peak memory of long simulations: chunked runs stay flat up to 10^6 steps.

A small network (100 LIF neurons driven by Poisson input, with 10% recurrent
inhibitory connectivity through exponential synapses) is simulated for 10^4,
10^5 and 10^6 steps of 0.1 ms (1 s to 100 s), recording every spike as compact
events and the mean potential every 1000 steps. Each run happens in a fresh
subprocess, which reports its peak resident memory (`ru_maxrss`) and run time.

Two ways are compared at each length:

- `chunked`: `chunk_size=10_000`, so the device holds one chunk of bit-packed
  spikes at a time and the host keeps only the decoded events;
- `one chunk` (the baseline): the whole run in one `lax.scan`, whose packed
  spike record (`n_steps x ceil(n / 8)` bytes) and its decoding grow with the
  length.

The ratios are each peak over the peak of the 10^4-step run of the same way;
chunked runs should stay near 1.0 (the events themselves grow, 8 bytes per
spike). Prints a table and one JSON line.

Run: `python benchmarks/long_run.py [--steps 10000 100000 1000000]`.
"""

import argparse
import json
import resource
import subprocess
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

import brainox as bx


N, DT, CHUNK = 100, 0.1, 10_000


def network() -> bx.Network:
    k_table, k_input, k_init = jax.random.split(jax.random.key(0), 3)
    table = bx.connect.fixed_probability(k_table, N, N, 0.1)
    neurons = bx.LIF(
        N, tau=20.0, t_ref=2.0, V_init=bx.init.uniform(-65.0, -50.0), key=k_init
    )
    return bx.Network(
        populations={"pop": neurons},
        projections={
            # 100 inputs at 10 Hz of 0.9 mV each: 18 mV of mean drive (tau = 20 ms).
            "drive": bx.inputs.PoissonInput(
                "pop", 100, 10.0, 0.9, key=k_input, dt=DT, size=N
            ),
            "rec": bx.Projection(
                "pop",
                "pop",
                table,
                -20.0,  # pA
                synapse=bx.synapses.Exponential(N, tau=5.0),
            ),
        },
    )


def mean_potential(net: bx.Network) -> jax.Array:
    return jnp.mean(net.populations["pop"].V.value)


def child(n_steps: int, chunked: bool) -> None:
    start = time.perf_counter()
    _, rec = bx.simulate(
        network(),
        n_steps=n_steps,
        dt=DT,
        monitors={"V_mean": mean_potential},
        record_every=1000,
        spikes={"pop": "populations.pop.spike"},
        chunk_size=CHUNK if chunked else None,
    )
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KB
    n_spikes = len(rec["pop"].index)
    rate = n_spikes / N / (n_steps * DT / 1000)
    print(json.dumps(dict(peak_mb=peak_mb, seconds=seconds, rate_hz=rate)))


def measure(n_steps: int, chunked: bool) -> dict:
    command = [sys.executable, __file__, "--child", str(n_steps)]
    if not chunked:
        command.append("--one-chunk")
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, nargs="+", default=[10**4, 10**5, 10**6])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--one-chunk", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child, chunked=not args.one_chunk)
        return

    results = {}
    for way, chunked in (("chunked", True), ("one chunk", False)):
        results[way] = {n: measure(n, chunked) for n in args.steps}
    base = args.steps[0]
    print(f"{'steps':>9} {'way':>10} {'peak MB':>9} {'ratio':>6} {'s':>7} {'Hz':>6}")
    for n in args.steps:
        for way, runs in results.items():
            r = runs[n]
            ratio = r["peak_mb"] / runs[base]["peak_mb"]
            print(
                f"{n:>9} {way:>10} {r['peak_mb']:>9.1f} {ratio:>6.2f} "
                f"{r['seconds']:>7.1f} {r['rate_hz']:>6.1f}"
            )
    print(
        json.dumps(
            {way: {str(n): r for n, r in runs.items()} for way, runs in results.items()}
        )
    )
    # A check, not only a report: chunked memory must stay flat.
    last = results["chunked"][args.steps[-1]]["peak_mb"]
    first = results["chunked"][base]["peak_mb"]
    assert np.isfinite(last) and last < 1.25 * first, "chunked memory grew"


if __name__ == "__main__":
    main()
