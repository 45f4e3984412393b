"""BCM learning makes a neuron selective to one of several input patterns.

A linear neuron `y = w . x` sees `K = 4` orthogonal input patterns (the rows of
a random orthogonal matrix), one chosen at random per 1 ms step, and learns with
the BCM rule `dw/dt = eta x y (y - theta)`, whose threshold `theta` is a
low-pass filter of `y^2 / y0` (Intrator & Cooper). From small responses to every
pattern, one response grows to `K y0 = 4` and the others decay to 0: the neuron
becomes selective, and which pattern wins depends on the initial weights and
the order of presentation (several runs, different winners).

The script prints, for each run, the final responses to the patterns and the
selectivity `1 - mean / max` (its maximum is `1 - 1/K = 0.75`), and saves
`bcm_selectivity.png` (the responses and the threshold over time).

Run: `python examples/bcm_selectivity.py [--small] [--out DIR]` (`--small`:
fewer steps and runs).

References: Bienenstock, E. L., Cooper, L. N. & Munro, P. W. (1982). J.
Neurosci. 2, 32-48. Intrator, N. & Cooper, L. N. (1992). Neural Netw. 5, 3-17.
"""

import argparse
import os

import jax
import jax.numpy as jnp
import numpy as np
import scipy.stats

import brainox as bx


K = 4


def main(*, small: bool = False, out_dir: str = "outputs", seed: int = 0) -> dict:
    n_steps, n_runs = (20_000, 2) if small else (40_000, 6)
    patterns = jnp.asarray(
        scipy.stats.ortho_group.rvs(K, random_state=seed), jnp.float32
    )

    def run(key):
        k_w, k_order = jax.random.split(key)
        u0 = jax.random.uniform(k_w, (K,), minval=0.1, maxval=0.3)
        w0 = (patterns.T @ u0)[:, None]  # small positive responses
        order = jax.random.randint(k_order, (n_steps,), 0, K)
        rule = bx.plasticity.BCM(1, eta=0.005, tau_theta=10.0, y0=1.0)

        def step(carry, i):
            rule, w = carry
            x = patterns[i]
            rule, w = rule.update(w, x, x @ w, 1.0)
            return (rule, w), (patterns @ w[:, 0], rule.theta.value[0])

        _, (responses, theta) = jax.lax.scan(step, (rule, w0), order)
        return responses, theta

    keys = jax.random.split(jax.random.key(seed), n_runs)
    responses, theta = map(np.asarray, jax.jit(jax.vmap(run))(keys))
    final = responses[:, -1]
    averaged = responses[:, -n_steps // 4 :].mean(axis=1)
    selectivity = 1 - averaged.mean(axis=1) / averaged.max(axis=1)
    for r in range(n_runs):
        print(f"run {r}: responses {final[r].round(3)}, winner {np.argmax(final[r])}, "
              f"selectivity {selectivity[r]:.3f}")  # fmt: skip

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4), dpi=120)
    t = np.arange(n_steps) / 1000.0
    # theta follows y^2 within ~10 presentations: show its mean over 0.5 s.
    smooth = np.convolve(theta[0], np.ones(500) / 500, mode="same")
    axes[0].plot(t, smooth, color="0.6", lw=1, label="theta (0.5 s mean)")
    for k in range(K):
        axes[0].plot(t, responses[0, :, k], lw=1.5, label=f"pattern {k}")
    axes[0].set_xlabel("time (s)")
    axes[0].set_ylabel("response y")
    axes[0].set_title("Run 0: responses to each pattern")
    axes[0].legend()
    axes[1].bar(np.arange(n_runs), np.argmax(final, axis=1) + 1, color="tab:blue")
    axes[1].set_xlabel("run")
    axes[1].set_ylabel("winning pattern (1-4)")
    axes[1].set_title("Different runs select different patterns")
    fig.tight_layout()
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "bcm_selectivity.png")
    fig.savefig(path)
    plt.close(fig)
    print(f"saved {path}")
    return {"final": final, "selectivity": selectivity}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="fewer steps and runs")
    parser.add_argument("--out", default="outputs", help="directory for the figure")
    args = parser.parse_args()
    main(small=args.small, out_dir=args.out)
