"""Run the peer benchmarks (Brian2, BrainPy) side by side and report medians.

Each configuration (simulator x device x network) runs R times, interleaved
(A B C A B C ...), so that the load of a shared machine falls on all alike. Every
run is a fresh process that prints one JSON line (see README.md); the driver
prints a table of medians and, last, one JSON line with the medians and every run.

The peers live in their own virtualenvs. Their interpreters come from
``--brian2-python`` / ``--brainpy-python``, else from the environment variables
``BRIAN2_PYTHON`` / ``BRAINPY_PYTHON``, else from ``../peer-venvs/<name>/bin/python``
beside the repository. A peer whose interpreter is missing or cannot import its
simulator is skipped with a message. ``--also LABEL=COMMAND`` adds any other
command that prints the same JSON line (e.g. a brainox benchmark) to the rotation.

This driver needs only the standard library.
Run: `python benchmarks/peers/run_peers.py [--repeats 3] [--networks coba cobahh]
[--n 4000] [--fixed-indegree 80] [--brian2-devices cpp_standalone runtime]`.
"""

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import time


HERE = os.path.dirname(os.path.abspath(__file__))
VENVS = os.path.normpath(os.path.join(HERE, "..", "..", "..", "peer-venvs"))
FIELDS = ("setup_s", "compile_s", "loop_per_bio_s", "rate_e_hz", "rate_i_hz")
MEDIANS = (*FIELDS, "wall_est_per_bio_s", "load_before")


def find_python(flag: str | None, env: str, name: str, module: str) -> str | None:
    python = flag or os.environ.get(env) or os.path.join(VENVS, name, "bin", "python")
    if not os.path.exists(python):
        print(f"skipping {name}: no interpreter at {python} (set {env})", flush=True)
        return None
    check = subprocess.run(
        [python, "-c", f"import {module}"], capture_output=True, text=True
    )
    if check.returncode != 0:
        error = (check.stderr.strip().splitlines() or ["?"])[-1]
        print(f"skipping {name}: {python} cannot import {module}: {error}", flush=True)
        return None
    return python


def run_once(command: list[str], timeout: float) -> dict:
    start = time.perf_counter()
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    wall = time.perf_counter() - start
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"exit {proc.returncode}: {tail}"}
    result = json.loads(lines[-1])
    result["process_wall_s"] = round(wall, 3)
    seconds = result.get("duration_s", 1.0)
    if result.get("loop_s") is not None:
        result["loop_per_bio_s"] = round(result["loop_s"] / seconds, 4)
    if result.get("loop_wall_est_s") is not None:
        result["wall_est_per_bio_s"] = round(result["loop_wall_est_s"] / seconds, 4)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brian2-python")
    parser.add_argument("--brainpy-python")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--networks", nargs="+", default=["coba", "cobahh"])
    parser.add_argument("--n", type=int, nargs="+", default=[4000])
    parser.add_argument("--fixed-indegree", type=int, default=0, metavar="K")
    parser.add_argument("--duration", type=float, default=1000.0, help="ms")
    parser.add_argument(
        "--brian2-devices", nargs="+", default=["cpp_standalone", "runtime"]
    )
    parser.add_argument(
        "--brian2-threads",
        type=int,
        default=0,
        help="OpenMP threads of cpp_standalone (default 0: none, loop in CPU time)",
    )
    parser.add_argument("--peers", nargs="+", default=["brian2", "brainpy"])
    parser.add_argument(
        "--also",
        action="append",
        default=[],
        metavar="LABEL=COMMAND",
        help="another command printing the same JSON line, run in the rotation",
    )
    parser.add_argument("--timeout", type=float, default=1800.0, help="s per run")
    parser.add_argument("--out", help="also write the JSON summary to this file")
    args = parser.parse_args()

    pythons = {}
    if "brian2" in args.peers:
        pythons["brian2"] = find_python(
            args.brian2_python, "BRIAN2_PYTHON", "brian2", "brian2"
        )
    if "brainpy" in args.peers:
        pythons["brainpy"] = find_python(
            args.brainpy_python, "BRAINPY_PYTHON", "brainpy", "brainpy"
        )

    common = ["--duration", str(args.duration)]
    if args.fixed_indegree:
        common += ["--fixed-indegree", str(args.fixed_indegree)]
    configs: list[tuple[str, list[str]]] = []
    for n in args.n:
        for network in args.networks:
            size = ["--n", str(n), *common]
            if pythons.get("brian2"):
                script = os.path.join(HERE, f"brian2_{network}.py")
                for device in args.brian2_devices:
                    command = [pythons["brian2"], script, "--device", device, *size]
                    if device == "cpp_standalone" and args.brian2_threads:
                        command += ["--threads", str(args.brian2_threads)]
                    configs.append((f"brian2 {device} {network} {n}", command))
            if pythons.get("brainpy"):
                script = os.path.join(HERE, f"brainpy_{network}.py")
                configs.append(
                    (f"brainpy {network} {n}", [pythons["brainpy"], script, *size])
                )
    for spec in args.also:
        label, _, command = spec.partition("=")
        configs.append((label, shlex.split(command)))
    if not configs:
        print("nothing to run: no peer is installed (see benchmarks/peers/README.md)")
        return

    runs: dict[str, list[dict]] = {label: [] for label, _ in configs}
    for repeat in range(args.repeats):
        for label, command in configs:
            load = os.getloadavg()[0]
            result = run_once(command, args.timeout)
            result["load_before"] = round(load, 2)
            runs[label].append(result)
            shown = result.get("error") or " ".join(
                f"{key}={result.get(key)}" for key in FIELDS
            )
            print(f"[{repeat + 1}/{args.repeats}] {label}: {shown}", flush=True)

    summary = []
    for label, results in runs.items():
        good = [r for r in results if "error" not in r]
        row = {"label": label, "ok": len(good), "runs": len(results)}
        for key in MEDIANS:
            values = [r[key] for r in good if r.get(key) is not None]
            row[key] = round(statistics.median(values), 4) if values else None
        row["errors"] = [r["error"] for r in results if "error" in r]
        row["all"] = results
        summary.append(row)

    header = f"{'configuration':34} {'ok':>4} {'setup':>8} {'compile':>8} "
    header += f"{'loop/bio':>8} {'wall~':>7} {'rate E':>7} {'rate I':>7} {'load':>5}"
    print(f"\nmedians of {args.repeats} runs: setup and compile in s, loop in s per")
    print("simulated s (Brian2 cpp_standalone without --brian2-threads: CPU time;")
    print("wall~ = its wall-time estimate), rates in Hz, load = 1-min load average")
    print(header)
    print("-" * len(header))

    def cell(value, width, digits):
        if value is None:
            return " " * (width - 1) + "-"
        return f"{value:{width}.{digits}f}"

    for row in summary:
        print(
            f"{row['label']:34} {row['ok']:>2}/{row['runs']:<1} "
            f"{cell(row['setup_s'], 8, 2)} {cell(row['compile_s'], 8, 2)} "
            f"{cell(row['loop_per_bio_s'], 8, 3)} "
            f"{cell(row['wall_est_per_bio_s'], 7, 3)} {cell(row['rate_e_hz'], 7, 2)} "
            f"{cell(row['rate_i_hz'], 7, 2)} {cell(row['load_before'], 5, 1)}"
        )
    line = json.dumps({"peers": summary, "cpu_count": os.cpu_count()})
    print(line)
    if args.out:
        with open(args.out, "w") as f:
            f.write(line + "\n")
    if any(row["ok"] == 0 for row in summary):
        sys.exit(1)


if __name__ == "__main__":
    main()
