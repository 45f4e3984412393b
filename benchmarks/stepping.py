"""Cost of stepping a brainox LIF population against a hand-written `lax.scan`.

For N = 4000 and 100000 neurons and two solvers, forward Euler
(`bx.LIF(solver=diffrax.Euler())` against a hand Euler step) and exponential
Euler (`bx.LIF()`'s default against a hand exponential-Euler step), it times:

- `hand`: a hand-written `lax.scan` step of the same LIF equation, with the same
  threshold, reset and refractory counter;
- `scan`: `bx.LIF.step` inside a `lax.scan` (states in the carry, parameters
  closed over, as the runner does);
- `simulate`: `bx.simulate` with no monitors.

The three run in turn (A B C A B C ...), in short runs so that a shared,
noisy machine affects all alike; each number is the median of the repeats, in
microseconds per step, loop only ("min ratio" compares the fastest runs).
Compile time is reported separately (first call minus the median). The ratio
brainox/hand should be at most 1.1. Prints a table and one JSON line.

Both hand steps are written as one would for speed: 1 / tau and exp(-dt / tau)
are computed once, outside the loop. On a CPU, XLA turns a division by a
loop-invariant scalar into a reciprocal computed per element, which costs about
twice a product in a step this small.

Run: `python benchmarks/stepping.py [--repeats R] [--sizes 4000 100000]`.
"""

import argparse
import json
import statistics
import time

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

import brainox as bx


DT = 0.1  # ms
CURRENT = 250.0  # pA: R I = 25 mV, above the 15 mV to threshold: regular firing
PARAMS = dict(tau=20.0, V_rest=-65.0, V_reset=-65.0, V_th=-50.0, R=100.0, t_ref=2.0)
STEPS = {4000: 10000, 100000: 500}  # short runs, many alternations: robust to load


def drive(step, t):
    """The input of `bx.simulate` (module level, so its program is cached)."""
    return CURRENT


def make_lif(n: int, solver) -> bx.LIF:
    return bx.LIF(
        n,
        **PARAMS,
        V_init=bx.init.uniform(-65.0, -50.0),
        key=jax.random.key(0),
        solver=solver,
    )


# ---------------------------------------------------------------- hand-written


def _hand_fire(V0, V1, left, p, dt):
    # Identical discrete part to bx.LIF: hold V while refractory, spike at
    # V >= V_th, reset, restart or count down the refractory steps.
    refractory = left > 0
    V = jnp.where(refractory, V0, V1)
    spike = jnp.where(refractory, 0.0, (V - p["V_th"] >= 0).astype(V.dtype))
    V = V + spike * (p["V_reset"] - V)
    restart = jnp.round(p["t_ref"] / dt).astype(jnp.int32)
    left = jnp.where(spike > 0, restart, jnp.maximum(left - 1, 0))
    return V, spike, left


def hand_euler(V, left, p, current, dt):
    # Multiply by 1 / tau (computed once, outside the loop) rather than divide
    # each element by tau: a division per element dominates this step on a CPU.
    inv_tau = 1.0 / p["tau"]
    dV = (-(V - p["V_rest"]) + p["R"] * current * 1e-3) * inv_tau
    return _hand_fire(V, V + dt * dV, left, p, dt)


def hand_exponential_euler(V, left, p, current, dt):
    V_inf = p["V_rest"] + p["R"] * current * 1e-3
    V1 = V_inf + (V - V_inf) * jnp.exp(-dt / p["tau"])
    return _hand_fire(V, V1, left, p, dt)


@eqx.filter_jit
def run_hand(step_fn, V, left, p, n_steps):
    def body(carry, _):
        V, _, left = carry
        return step_fn(V, left, p, CURRENT, DT), None

    spike = jnp.zeros_like(V)
    # All three states come out, as from the brainox model.
    return jax.lax.scan(body, (V, spike, left), None, length=n_steps)[0]


# -------------------------------------------------------------------- brainox


@eqx.filter_jit
def run_scan(model, n_steps):
    states, rest = eqx.partition(model, bx.is_state, is_leaf=bx.is_state)

    def body(states, _):
        model = bx.combine(states, rest).step(CURRENT, DT)
        return eqx.partition(model, bx.is_state, is_leaf=bx.is_state)[0], None

    states, _ = jax.lax.scan(body, states, None, length=n_steps)
    return bx.combine(states, rest)


def run_simulate(model, n_steps):
    return bx.simulate(model, n_steps=n_steps, dt=DT, inputs=drive)[0]


# -------------------------------------------------------------------- timing


def _timed(fn):
    start = time.perf_counter()
    jax.block_until_ready(fn())
    return time.perf_counter() - start


def bench(n: int, method: str, repeats: int) -> dict:
    solver = diffrax.Euler() if method == "euler" else bx.ExponentialEuler()
    hand_step = hand_euler if method == "euler" else hand_exponential_euler
    model = make_lif(n, solver)
    p = {k: getattr(model, k) for k in PARAMS}
    V0, left0 = model.V.value, model.refractory_left.value
    n_steps = STEPS.get(n, max(1000, 80_000_000 // n))
    runs = {
        "hand": lambda: run_hand(hand_step, V0, left0, p, n_steps),
        "scan": lambda: run_scan(model, n_steps),
        "simulate": lambda: run_simulate(model, n_steps),
    }
    first = {name: _timed(fn) for name, fn in runs.items()}
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):  # A B C A B C ...
        for name, fn in runs.items():
            times[name].append(_timed(fn))
    median = {name: statistics.median(t) for name, t in times.items()}
    best = {name: min(t) for name, t in times.items()}

    # Same equation, same discrete part: the final states agree to rounding.
    V_hand, _, left_hand = runs["hand"]()
    final = runs["scan"]()
    agree = float(
        np.mean(np.asarray(left_hand) == np.asarray(final.refractory_left.value))
    )
    return dict(
        n=n,
        method=method,
        n_steps=n_steps,
        us_per_step={k: 1e6 * v / n_steps for k, v in median.items()},
        us_per_step_min={k: 1e6 * v / n_steps for k, v in best.items()},
        compile_s={k: max(first[k] - median[k], 0.0) for k in runs},
        ratio_scan=median["scan"] / median["hand"],
        ratio_simulate=median["simulate"] / median["hand"],
        ratio_scan_min=best["scan"] / best["hand"],
        # Rounding differs, so a few neurons may cross threshold a step apart.
        V_agree=float(jnp.mean(jnp.abs(V_hand - final.V.value) < 1e-3)),
        refractory_agree=agree,
    )


def main(sizes=(4000, 100000), repeats: int = 21) -> list[dict]:
    results = [bench(n, m, repeats) for n in sizes for m in ("euler", "exp_euler")]
    header = (
        f"{'N':>7} {'solver':>9} {'hand us':>9} {'scan us':>9} {'ratio':>6} "
        f"{'sim us':>9} {'ratio':>6} {'min ratio':>9} "
        f"{'compile s (hand/scan/sim)':>26} {'V agree':>8}"
    )
    print(f"backend: {jax.default_backend()}, {jax.devices()[0].device_kind}")
    print(header)
    for r in results:
        us, c = r["us_per_step"], r["compile_s"]
        print(
            f"{r['n']:>7} {r['method']:>9} {us['hand']:>9.2f} {us['scan']:>9.2f} "
            f"{r['ratio_scan']:>6.3f} {us['simulate']:>9.2f} "
            f"{r['ratio_simulate']:>6.3f} {r['ratio_scan_min']:>9.3f} "
            f"{c['hand']:>8.2f}/{c['scan']:.2f}/{c['simulate']:.2f}"
            f"{r['V_agree']:>10.4f}"
        )
    print(json.dumps({"benchmark": "stepping", "results": results}))
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument("--sizes", type=int, nargs="+", default=[4000, 100000])
    args = parser.parse_args()
    main(tuple(args.sizes), args.repeats)
