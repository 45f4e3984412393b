"""From BrainState to brainox, section 6: from a static model to dynamics.

The seed tutorial converts a static layer `relu(W x + b)` into one with
first-order dynamics `tau dr/dt = -r + relu(W x + b)` and copies the weights
across. In brainox the static model is an `eqx.nn.Sequential`; its layers are
reused as they are (the same arrays, nothing to copy):

- `to_dynamics`: append the leaky rate layer (`tau` = 10 ms, `dt` = 0.1 ms, stepped
  exactly); for a constant input, after `n` steps the output is
  `(1 - exp(-n dt / tau))` times the static output.
- `bx.nn.to_spiking`: replace the ReLU by LIF neurons, the spiking counterpart.

The script prints the static output, the dynamic one after 1 and 500 steps, and
the spike counts of the spiking version, and saves the approach of the dynamic
output to the static one (`migration.png`).

Run: `python examples/tutorial_migration.py [--small] [--out DIR]`
(seconds either way).

Reference: the BrainState tutorial "BrainPy Integration"
(https://brainstate.readthedocs.io/).
"""

import os
import sys

import equinox as eqx
import jax
import jax.numpy as jnp

import brainox as bx


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _networks  # noqa: E402
from tutorial_state_and_transforms import leaky_rate  # noqa: E402


def static_model(dim: int, *, key: jax.Array) -> eqx.nn.Sequential:
    """The tutorial's `OriginalBrainState`: `relu(W x + b)`."""
    return eqx.nn.Sequential(
        [eqx.nn.Linear(dim, dim, key=key), eqx.nn.Lambda(jax.nn.relu)]
    )


def to_dynamics(
    model: eqx.nn.Sequential, dim: int, *, tau: float = 10.0, dt: float = 0.1
) -> bx.nn.Sequential:
    """The static layers followed by first-order dynamics (tau, dt in ms)."""
    return bx.nn.Sequential([*model.layers, leaky_rate(dim, tau=tau, dt=dt)])


def main(
    *,
    num_steps: int = 500,
    seed: int = 0,
    small: bool = False,
    out_dir: str = "outputs",
) -> dict:
    """Compare the static, dynamic and spiking versions on one batch."""
    del small  # seconds either way
    dim = 10
    k_model, k_x = jax.random.split(jax.random.key(seed))
    orig = static_model(dim, key=k_model)
    dynamic = to_dynamics(orig, dim)
    spiking = bx.nn.to_spiking(orig, (dim,))
    x = jax.random.normal(k_x, (5, dim))

    def trace(model, x):  # the output at every step, input held constant
        outputs, _ = bx.nn.run(bx.reset(model), jnp.broadcast_to(x, (num_steps, dim)))
        return outputs

    out_orig = jax.vmap(orig)(x)
    out_dyn = jax.vmap(trace, in_axes=(None, 0))(dynamic, x)  # (5, T, dim)
    spikes = jax.vmap(trace, in_axes=(None, 0))(spiking, x)
    print(f"Original output (instant): {out_orig[0, :5]}")
    print(f"Converted output after 1 step: {out_dyn[0, 0, :5]}")
    print(f"Converted output after {num_steps} steps: {out_dyn[0, -1, :5]}")
    print(f"Spiking version, spike counts over {num_steps} steps: {spikes[0].sum(0)}")
    print("Note: the converted version has temporal dynamics!")

    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    t = 0.1 * jnp.arange(1, num_steps + 1)
    ax.plot(t, out_dyn[0], lw=1)
    ax.plot(jnp.full(dim, t[-1]), out_orig[0], "k_", ms=12, label="static output")
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("rate")
    ax.legend()
    fig.tight_layout()
    fig.savefig(_networks.output_path(out_dir, "migration.png"), dpi=120)
    plt.close(fig)
    return {"static": out_orig, "dynamic": out_dyn, "spikes": spikes}


if __name__ == "__main__":
    _networks.command_line(__doc__, main, "same as the full run (seconds)")
