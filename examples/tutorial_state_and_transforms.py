"""From BrainState to brainox, sections 1-3: models, states and JAX transforms.

The brainox counterparts of the seed tutorial's first examples:

1. `StandardMLP`: an `eqx.nn.MLP`, batched with `jax.vmap`.
2. `LIFNeuron`: the built-in `bx.LIF` population (tau = 10 ms, V_rest = -70 mV,
   V_th = -50 mV), driven by a noisy current and simulated with `bx.simulate`
   (exponential Euler, exact for this equation).
3. `HybridModel`: one parameter (a plain array), one `bx.ShortTerm` state and one
   `bx.LongTerm` counter; `bx.state_counts` counts them as
   `model.states(bst.ParamState)` did.
4. `CombinedModel`: an `eqx.nn` layer followed by a leaky rate layer with
   first-order dynamics, in one `bx.nn.Sequential`.
5. `jit`, `grad` and `vmap`: `eqx.filter_jit`, a gradient over the parameters
   only (`eqx.filter_grad` over `bx.partition`, BrainState's `grad_states=`),
   and `jax.vmap` over samples.

Run: `python examples/tutorial_state_and_transforms.py [--small] [--out DIR]`
(a few seconds either way; the script prints what the tutorial printed).

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


def standard_mlp(input_dim: int, hidden_dim: int, output_dim: int, *, key):
    """The tutorial's `StandardMLP`: Linear -> ReLU -> Linear."""
    return eqx.nn.MLP(input_dim, output_dim, hidden_dim, depth=1, key=key)


def lif_neuron(size: int, *, tau: float = 10.0) -> bx.LIF:
    """The tutorial's `LIFNeuron`: tau 10 ms, rest/reset -70 mV, threshold -50 mV.

    `R` = 1000 MOhm, so an input of 1 pA moves the steady state by 1 mV (the
    tutorial's `R = 1` with currents in mV).
    """
    return bx.LIF(size, tau=tau, V_rest=-70.0, V_reset=-70.0, V_th=-50.0, R=1000.0)


class HybridModel(eqx.Module):
    """One parameter, one short-term and one long-term state (section 2).

    A step: `activity <- tanh(W x + activity)`, and the long-term counter adds the
    number of units whose activity exceeds 0.5.
    """

    W: jax.Array
    activity: bx.ShortTerm
    total_spikes: bx.LongTerm

    def __init__(self, size: int, *, key: jax.Array):
        self.W = 0.1 * jax.random.normal(key, (size, size))
        self.activity = bx.ShortTerm(jnp.zeros(size))
        self.total_spikes = bx.LongTerm(jnp.array(0, jnp.int32))

    def __call__(self, x: jax.Array) -> tuple[jax.Array, "HybridModel"]:
        activity = jnp.tanh(self.W @ x + self.activity.value)
        count = self.total_spikes.value + jnp.sum(activity > 0.5)
        new = eqx.tree_at(
            lambda m: (m.activity, m.total_spikes),
            self,
            (self.activity.replace(activity), self.total_spikes.replace(count)),
        )
        return activity, new


def leaky_rate(dim: int, *, tau: float = 10.0, dt: float = 0.1) -> bx.nn.Sequential:
    """First-order dynamics `tau dr/dt = -r + x` (tau, dt in ms), stepped exactly.

    Over a step with constant `x`, `r <- beta r + (1 - beta) x` with
    `beta = exp(-dt / tau)`: a `bx.nn.LI` readout fed `(1 - beta) x`.
    """
    beta = float(bx.nn.decay(tau, dt))
    return bx.nn.Sequential(
        [eqx.nn.Lambda(lambda x: (1.0 - beta) * x), bx.nn.LI(dim, beta=beta)]
    )


def combined_model(dim: int, *, key: jax.Array) -> bx.nn.Sequential:
    """Section 3.1: a ReLU `eqx.nn.Linear` layer, then a leaky rate layer."""
    k1, k2 = jax.random.split(key)
    return bx.nn.Sequential(
        [
            eqx.nn.Linear(dim, dim, key=k1),
            jax.nn.relu,
            eqx.nn.Linear(dim, dim, key=k2),
            leaky_rate(dim),
        ]
    )


def count_params(model) -> int:
    """Number of trainable numbers (BrainState: sizes of the `ParamState`s)."""
    return sum(p.size for p in bx.list_params(model).values())


def main(*, seed: int = 0, small: bool = False, out_dir: str = "outputs") -> dict:
    """Run every example of sections 1-3 and return what they print."""
    del small, out_dir  # every part takes seconds and only prints
    keys = iter(jax.random.split(jax.random.key(seed), 8))
    results = {}

    mlp = standard_mlp(784, 128, 10, key=next(keys))
    x = jax.random.normal(next(keys), (32, 784))
    results["mlp_output_shape"] = jax.vmap(mlp)(x).shape
    print(f"MLP output shape: {results['mlp_output_shape']}")

    lif = lif_neuron(100)
    current = 5.0 * jax.random.normal(next(keys), (100,)) + 25.0  # pA
    lif, rec = bx.simulate(
        lif, 100.0, dt=0.1, inputs=lambda i, t: current, spikes=["spike"]
    )
    results["lif_spikes_100ms"] = len(rec["spike"].index)
    print(f"LIF, 100 ms of 25 +- 5 pA: {results['lif_spikes_100ms']} spikes")

    hybrid = HybridModel(10, key=next(keys))
    y, hybrid = hybrid(jax.random.normal(next(keys), (10,)))
    results["state_counts"] = bx.state_counts(hybrid)
    print(f"State counts: {results['state_counts']}")

    combined = combined_model(20, key=next(keys))
    step = lambda model, x: model(x)[0]  # noqa: E731  one step, output only
    x = jax.random.normal(next(keys), (5, 20))
    results["combined_output_shape"] = jax.vmap(step, in_axes=(None, 0))(
        combined, x
    ).shape
    results["combined_params"] = count_params(combined)
    print(f"Combined model output shape: {results['combined_output_shape']}")
    print(f"Total parameters: {results['combined_params']}")

    forward = eqx.filter_jit(jax.vmap(step, in_axes=(None, 0)))
    print(f"JIT output shape: {forward(combined, x[:3]).shape}")

    params, states, static = bx.partition(combined)

    def loss_fn(params, x):
        model = bx.combine(params, states, static)
        return jnp.sum(jax.vmap(step, in_axes=(None, 0))(model, x) ** 2)

    loss, grads = eqx.filter_value_and_grad(loss_fn)(params, x[:3])
    results["grad_paths"] = list(bx.list_params(grads))
    print(f"Loss: {float(loss):.4f}")
    print(f"Gradient paths: {results['grad_paths'][:3]}")

    per_sample = jax.vmap(lambda x: jnp.sum(step(combined, x)))(x[:3])
    results["vmap_shape"] = per_sample.shape
    print(f"vmap results shape: {results['vmap_shape']}")
    return results


if __name__ == "__main__":
    _networks.command_line(__doc__, main, "same as the full run (seconds)")
