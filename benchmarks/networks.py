"""The standard networks at scale: COBA, COBAHH and the fixed-in-degree COBA.

Cases (BENCHMARKS.md; 1 s of biological time, dt = 0.1 ms, float32):

- `coba`: `bx.presets.coba`, the driven COBA, at N = 4000 and 16000 with
  p = 2% and the weights scaled by 4000 / N (its rates fall with N: about 5 Hz
  at 16000);
- `coba_hand`: the baseline, the hand-written single-module COBA of
  `examples/coba.py`, same sizes, connectivity and weights (two event-driven
  loops per step instead of the preset's four; the same spikes at N = 4000);
- `cobahh`: `bx.presets.cobahh` at N = 4000 and 16000, p = 2%, weights x 4000 / N;
- `coba_k80`: the COBA with a fixed in-degree of 80 (64 E + 16 I) and unchanged
  weights at N = 4000, 16000 and 100000 (rates stay at 16-21 Hz).

For each case and repeat: `setup` is building the network (connectivity and
initial values) from a cold start (JAX's caches are cleared first, so it
includes compiling the generators, as in a fresh process), `setup warm` the
same build again in the same process, `compile` the
first `bx.simulate` call minus the second, `loop` the second call (the compiled
program again, from the same initial state). The cases run in turn (A B C A B
C ...) so that a shared, noisy machine affects them alike; the table gives the
medians over `--repeats`, with the loop also in seconds per simulated second,
and the E / I rates (so that a fast but wrong simulation shows). One JSON line
per case follows, in the format of `benchmarks/peers/` (medians; the 1-minute
load average of the machine at the start of the case).

Spikes are recorded as events (`bx.simulate(spikes=...)`, one bit per neuron and
step on the device, decoded on the host). `--record counts` records only the
number of E and I spikes per step instead, for networks of 10^6 neurons whose
bit record would be 1.25 GB per simulated second; `--record spike-counts` only
the number of spikes of each neuron over the run (`bx.simulate(spike_counts=...)`,
what Brian2's `SpikeMonitor(record=False)` keeps).

Run: `python benchmarks/networks.py [--networks coba,cobahh,coba_k80,coba_hand]
[--sizes 4000,16000] [--duration 1000] [--repeats 3] [--propagation event]
[--record counts|spike-counts] [--propagation compacted --compacted-fraction 0.035]
[--native off|on|both]`.
`--native on` runs the steps as generated C++ (`bx.simulate(native=True)`,
`bx.native_step`), `--native both` every case both ways, in turn.
`--compare-xla-defaults` runs every case twice in turn, with brainox's XLA
compiler options (`bx.default_compiler_options`, the default of `bx.simulate`)
and with XLA's own (`compiler_options={}`), and prints the ratio of the loop
times. `benchmarks/gpu.sh` runs the GPU figures of the docs.
"""

import argparse
import importlib.util
import json
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

import brainox as bx


N_REF = 4000
"""The size at which the published weights apply (p = 2%: 80 synapses per neuron)."""

DEFAULT_SIZES = {
    "coba": (4000, 16000),
    "coba_hand": (4000, 16000),
    "cobahh": (4000, 16000),
    "coba_k80": (4000, 16000, 100000),
}

PROPAGATION = {
    "default": None,
    "event": bx.connect.EventDriven(),
    "gather": bx.connect.FixedInDegreeGather(),
    "dense": bx.connect.Dense(),
}


def _hand_module():
    path = os.path.join(os.path.dirname(__file__), "..", "examples", "coba.py")
    spec = importlib.util.spec_from_file_location("coba_example", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Case:
    """One network at one size: how to build it, and how to read its spikes."""

    def __init__(
        self,
        network: str,
        n: int,
        propagation: Any,
        record: str,
        xla: bool = False,
        native: bool = False,
    ):
        self.network, self.n, self.record = network, n, record
        self.xla = xla  # XLA's default compiler options instead of brainox's
        self.native = native  # bx.simulate(native=True): generated C++ steps
        self.conn = "k80" if network == "coba_k80" else "p0.02"
        scale = 1.0 if network == "coba_k80" else N_REF / n
        key = jax.random.key(0)
        self.n_exc = int(round(0.8 * n))
        if network == "coba_hand":
            hand = _hand_module()
            self.build: Callable[[], Any] = lambda: hand.COBA(
                n,
                key=key,
                p=0.02,
                w_e=6.0 * scale,
                w_i=67.0 * scale,
                propagation=propagation,
            )
            self.spikes = {"all": hand.read_spikes}
            self.counts = {
                "exc": lambda net: jnp.sum(hand.read_spikes(net)[: self.n_exc]),
                "inh": lambda net: jnp.sum(hand.read_spikes(net)[self.n_exc :]),
            }
            return
        if network == "coba_k80":
            kwargs = dict(fixed_in_degree=80)
        else:
            kwargs = dict(p=0.02, w_e=6.0 * scale, w_i=67.0 * scale)
        preset = bx.presets.cobahh if network == "cobahh" else bx.presets.coba
        self.build = lambda: preset(n, key=key, propagation=propagation, **kwargs)
        self.spikes = {"exc": "populations.exc.spike", "inh": "populations.inh.spike"}
        self.counts = {
            name: lambda net, name=name: jnp.sum(net.populations[name].spike.value)
            for name in ("exc", "inh")
        }

    @property
    def label(self) -> str:
        label = f"{self.network} N={self.n}" + (" xla-defaults" if self.xla else "")
        return label + (" native" if self.native else "")

    def rates(self, rec: dict, duration: float) -> tuple[float, float]:
        seconds = duration / 1000.0
        if self.record == "counts":
            exc, inh = float(np.sum(rec["exc"])), float(np.sum(rec["inh"]))
        elif self.record == "spike-counts" and "all" in rec:
            exc = int(np.sum(rec["all"][: self.n_exc]))
            inh = int(np.sum(rec["all"][self.n_exc :]))
        elif self.record == "spike-counts":
            exc, inh = int(np.sum(rec["exc"])), int(np.sum(rec["inh"]))
        elif "all" in rec:
            exc = int(np.sum(rec["all"].index < self.n_exc))
            inh = len(rec["all"].index) - exc
        else:
            exc, inh = len(rec["exc"].index), len(rec["inh"].index)
        return exc / self.n_exc / seconds, inh / (self.n - self.n_exc) / seconds

    def run_once(self, duration: float, dt: float) -> dict[str, float]:
        """One cold repeat: setup, compile + run, run again."""
        jax.clear_caches()
        start = time.perf_counter()
        net = jax.block_until_ready(self.build())
        setup = time.perf_counter() - start
        start = time.perf_counter()
        jax.block_until_ready(self.build())
        setup_warm = time.perf_counter() - start
        timings = []
        rec: dict = {}
        if self.record == "counts":
            record: dict[str, Any] = dict(monitors=self.counts)
        elif self.record == "spike-counts":
            record = dict(spike_counts=self.spikes)
        else:
            record = dict(spikes=self.spikes)
        for _ in range(2):
            start = time.perf_counter()
            _, rec = bx.simulate(
                net,
                duration,
                dt=dt,
                compiler_options={} if self.xla else None,
                native=self.native,
                **record,
            )
            timings.append(time.perf_counter() - start)
        rate_e, rate_i = self.rates(rec, duration)
        return dict(
            setup_s=setup,
            setup_warm_s=setup_warm,
            compile_s=max(timings[0] - timings[1], 0.0),
            loop_s=timings[1],
            rate_e_hz=rate_e,
            rate_i_hz=rate_i,
        )


def main(
    networks: list[str],
    sizes: list[int] | None,
    duration: float,
    repeats: int,
    dt: float,
    propagation: str,
    record: str = "events",
    fraction: float = 0.05,
    compare_xla_defaults: bool = False,
    native: str = "off",
) -> list[dict]:
    if propagation == "compacted":
        strategy = bx.connect.CompactedEventDriven(fraction=fraction)
    else:
        strategy = PROPAGATION[propagation]
    natives = {"off": (False,), "on": (True,), "both": (False, True)}[native]
    cases = [
        Case(network, n, strategy, record, xla, use_native)
        for network in networks
        for n in (sizes or DEFAULT_SIZES[network])
        for xla in ((False, True) if compare_xla_defaults else (False,))
        for use_native in natives
    ]
    runs: dict[str, list[dict]] = {case.label: [] for case in cases}
    load: dict[str, float] = {}
    for r in range(repeats):
        for case in cases:
            load.setdefault(case.label, os.getloadavg()[0])
            result = case.run_once(duration, dt)
            runs[case.label].append(result)
            print(
                f"[{r + 1}/{repeats}] {case.label}: "
                + ", ".join(f"{k} {v:.3f}" for k, v in result.items()),
                flush=True,
            )
    seconds = duration / 1000.0
    header = (
        f"{'network':<10} {'N':>7} {'conn':>6} {'options':>8} {'step':>6} "
        f"{'setup s':>8} "
        f"{'warm s':>7} {'compile s':>9} {'loop s':>8} {'s/sim-s':>8} "
        f"{'E Hz':>7} {'I Hz':>7}"
    )
    print(
        f"\nmedians of {repeats} runs, {duration:g} ms, dt = {dt} ms, float32, "
        f"propagation {propagation} ({jax.default_backend()})"
    )
    print(header)
    print("-" * len(header))
    lines = []
    for case in cases:
        med = {
            k: statistics.median(run[k] for run in runs[case.label])
            for k in runs[case.label][0]
        }
        columns = [
            f"{case.network:<10}",
            f"{case.n:>7}",
            f"{case.conn:>6}",
            f"{'xla' if case.xla else 'brainox':>8}",
            f"{'native' if case.native else 'xla':>6}",
            f"{med['setup_s']:>8.3f}",
            f"{med['setup_warm_s']:>7.3f}",
            f"{med['compile_s']:>9.3f}",
            f"{med['loop_s']:>8.3f}",
            f"{med['loop_s'] / seconds:>8.3f}",
            f"{med['rate_e_hz']:>7.2f}",
            f"{med['rate_i_hz']:>7.2f}",
        ]
        print(" ".join(columns))
        lines.append(
            dict(
                sim="brainox",
                device=jax.default_backend(),
                network=case.network,
                n=case.n,
                conn=case.conn,
                **{k: round(v, 4) for k, v in med.items()},
                duration_s=seconds,
                dtype="float32",
                propagation=propagation,
                **({"fraction": fraction} if propagation == "compacted" else {}),
                record=record,
                compiler_options="xla" if case.xla else "brainox",
                step="native" if case.native else "xla",
                repeats=repeats,
                load_avg_1min=round(load[case.label], 2),
            )
        )
    if compare_xla_defaults:
        print("\nloop time with brainox's compiler options / with XLA's defaults:")
        for ours, xla in zip(lines[::2], lines[1::2], strict=True):  # with --native off
            ratio = ours["loop_s"] / xla["loop_s"]
            print(f"  {ours['network']} N={ours['n']}: {ratio:.3f}")
    print()
    for line in lines:
        print(json.dumps(line))
    return lines


def _csv(kind):
    return lambda text: [kind(x) for x in text.split(",") if x]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--networks",
        type=_csv(str),
        default=["coba", "coba_hand", "cobahh", "coba_k80"],
        help=f"comma-separated, of {sorted(DEFAULT_SIZES)}",
    )
    parser.add_argument(
        "--sizes",
        type=_csv(int),
        default=None,
        help="comma-separated N for every network (default: each network's own)",
    )
    parser.add_argument("--duration", type=float, default=1000.0, help="ms")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dt", type=float, default=0.1, help="ms")
    parser.add_argument(
        "--propagation", choices=sorted([*PROPAGATION, "compacted"]), default="default"
    )
    parser.add_argument(
        "--compacted-fraction",
        type=float,
        default=0.05,
        help="buffer of the compacted strategy, as a fraction of the pre neurons",
    )
    parser.add_argument(
        "--record",
        choices=["events", "counts", "spike-counts"],
        default="events",
        help="spike events, only E and I spike counts per step (for N = 10^6), "
        "or only each neuron's spike count over the run",
    )
    parser.add_argument(
        "--compare-xla-defaults",
        action="store_true",
        help="also run every case with XLA's default compiler options (in turn "
        "with brainox's, bx.default_compiler_options) and print the loop ratios",
    )
    parser.add_argument(
        "--native",
        choices=["off", "on", "both"],
        default="off",
        help="run the steps as generated C++ (bx.simulate(native=True)); 'both' "
        "runs every case both ways, in turn",
    )
    args = parser.parse_args()
    if args.compare_xla_defaults and args.native != "off":
        parser.error("--compare-xla-defaults pairs cases; use it with --native off")
    unknown = set(args.networks) - set(DEFAULT_SIZES)
    if unknown:
        parser.error(f"unknown networks {sorted(unknown)}; use {sorted(DEFAULT_SIZES)}")
    main(
        args.networks,
        args.sizes,
        args.duration,
        args.repeats,
        args.dt,
        args.propagation,
        args.record,
        args.compacted_fraction,
        args.compare_xla_defaults,
        args.native,
    )
