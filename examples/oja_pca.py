"""Oja's rule extracts the first principal component of its inputs.

A linear neuron `y = w . x` sees two-dimensional Gaussian inputs with covariance
`C = [[3, 1], [1, 2]]`, one sample per 1 ms step, and learns with Oja's rule
`dw/dt = eta y (x - y w)`. The weight vector turns to the unit principal
eigenvector of `C`, `+-(0.85065, 0.52573)`, and its length goes to 1.

The script prints the final weight, `|cos|` with the eigenvector and `|w|`, and
saves `oja_pca.png` (the samples, the eigenvector and the weight's path).

Run: `python examples/oja_pca.py [--small] [--out DIR]` (`--small`: fewer
samples).

Reference: Oja, E. (1982). A simplified neuron model as a principal component
analyzer. J. Math. Biol. 15, 267-273.
"""

import argparse
import os

import jax
import jax.numpy as jnp
import numpy as np

import brainox as bx


def main(*, small: bool = False, out_dir: str = "outputs", seed: int = 0) -> dict:
    C = np.array([[3.0, 1.0], [1.0, 2.0]])
    e1 = np.linalg.eigh(C)[1][:, -1]
    n = 10_000 if small else 50_000
    key_x, key_w = jax.random.split(jax.random.key(seed))
    x = jax.random.multivariate_normal(key_x, jnp.zeros(2), C, (n,))
    w0 = jax.random.normal(key_w, (2, 1)) * 0.3

    def step(carry, x):
        rule, w = carry
        rule, w = rule.update(w, x, x @ w, 1.0)  # dt = 1 ms per sample
        return (rule, w), w[:, 0]

    rule = bx.plasticity.Oja(eta=5e-4)
    (_, w), path = jax.lax.scan(step, (rule, w0), x)
    w, path = np.asarray(w)[:, 0], np.asarray(path)
    cos = abs(w @ e1) / np.linalg.norm(w)
    print(f"principal eigenvector +-{np.abs(e1).round(5)}, final w = {w.round(5)}")
    print(f"|cos| = {cos:.5f}, |w| = {np.linalg.norm(w):.4f}")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 5), dpi=120)
    shown = np.asarray(x[:2000])
    ax.scatter(shown[:, 0], shown[:, 1], s=2, c="0.75", label="inputs")
    ax.plot(3 * np.array([-e1[0], e1[0]]), 3 * np.array([-e1[1], e1[1]]), "k--",
            label="principal eigenvector")  # fmt: skip
    ax.plot(path[:, 0] * 3, path[:, 1] * 3, color="tab:red", lw=1.5,
            label="3 w during learning")  # fmt: skip
    ax.plot(3 * w[0], 3 * w[1], "o", color="tab:red")
    ax.set_aspect("equal")
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_title("Oja's rule")
    ax.legend(loc="lower right")
    os.makedirs(out_dir, exist_ok=True)
    out = os.path.join(out_dir, "oja_pca.png")
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)
    print(f"saved {out}")
    return {"cos": float(cos), "norm": float(np.linalg.norm(w))}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="fewer samples")
    parser.add_argument("--out", default="outputs", help="directory for the figure")
    args = parser.parse_args()
    main(small=args.small, out_dir=args.out)
