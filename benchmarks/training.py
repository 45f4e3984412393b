"""Training throughput of a spiking MLP: brainox against snnTorch (same model).

The model is the snnTorch tutorial network: 784 -> 256 LIF -> 10 LIF, T = 25
steps, decay beta = 0.95, threshold 1, reset by subtraction, the arctan
surrogate with slope 2 (snnTorch's default `atan(alpha=2.0)`, the same function
as `bx.surrogate.Arctan(2.0)`: `(a/2) / (1 + (pi a x / 2)^2)`), the spike-count
cross-entropy (snnTorch's `ce_count_loss`), and Adam (lr 5e-4). One training step
is forward over the T steps, backpropagation through time and the Adam update,
on a batch of 128 Poisson-coded inputs generated once (input encoding is not
timed).

- brainox: `bx.nn.Sequential` + `bx.nn.run` under `jax.vmap`, stepped by
  `bx.nn.make_train_step` (one compiled program per step); `brainox-unrolled`
  is the same with `bx.nn.run(..., unroll=25)`, the time loop fully unrolled
  (faster steps, longer compile).
- snnTorch: `torch.nn.Linear` + `snn.Leaky`, the Python time loop of the
  snnTorch tutorials, `torch.optim.Adam`.

The two alternate in short runs (A B A B ...), so a shared, noisy machine
affects both alike; each number is the median over the repeats of samples per
second (compile time excluded, and reported apart: the first step minus the
second). The ratios of brainox to
the others are printed last, with one JSON line. snnTorch is an optional benchmark
dependency (`pip install snntorch`), not a brainox dependency; without it (as on
a GPU machine with no torch) only brainox is timed.

With Spyx installed (`pip install spyx`, which keeps the installed jax), its
`spyx.nn.LIF` + `flax.nnx.Linear` version of the network is timed too (Spyx's
LIF computes the spike from the potential before the update, a one-step delay;
the surrogate is given snnTorch's arctan derivative).

Run: `python benchmarks/training.py [--repeats R] [--steps S] [--batch B]
[--torch-threads N]`. On a machine shared with other jobs, torch's default
intra-op thread pool can slow down by an order of magnitude; `--torch-threads 1`
gives snnTorch a single thread (XLA's thread pool is set with `XLA_FLAGS`).
"""

import argparse
import json
import statistics
import time

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax

import brainox as bx


N_IN, N_HIDDEN, N_OUT = 784, 256, 10
NUM_STEPS = 25
BETA = 0.95
LEARNING_RATE = 5e-4


def make_data(batch: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Poisson-coded random "images" `(B, T, 784)` and labels `(B,)`, float32."""
    rng = np.random.default_rng(seed)
    intensity = rng.random((batch, N_IN), dtype=np.float32)
    spikes = rng.random((batch, NUM_STEPS, N_IN), dtype=np.float32) < intensity[:, None]
    labels = rng.integers(0, N_OUT, batch)
    return spikes.astype(np.float32), labels.astype(np.int32)


def brainox_trainer(x: np.ndarray, y: np.ndarray, unroll: int = 1):
    """A function running `n` brainox training steps on the batch (`unroll`:
    time steps per iteration of the scan, see `bx.nn.run`)."""
    k1, k2 = jax.random.split(jax.random.key(0))
    surrogate = bx.surrogate.Arctan(2.0)
    model = bx.nn.Sequential(
        [
            eqx.nn.Linear(N_IN, N_HIDDEN, key=k1),
            bx.nn.LIF(N_HIDDEN, beta=BETA, surrogate=surrogate),
            eqx.nn.Linear(N_HIDDEN, N_OUT, key=k2),
            bx.nn.LIF(N_OUT, beta=BETA, surrogate=surrogate),
        ]
    )

    def loss_fn(model, x, y):
        def forward(x):
            spikes, _ = bx.nn.run(bx.reset(model), x, unroll=unroll)
            return spikes

        return bx.nn.spike_count_cross_entropy(jax.vmap(forward)(x), y)

    optimizer = optax.adam(LEARNING_RATE)
    step = bx.nn.make_train_step(loss_fn, optimizer)
    state = [model, bx.nn.init_optimizer(optimizer, model)]
    xj, yj = jnp.asarray(x), jnp.asarray(y)

    def train(n: int) -> float:
        model, opt_state = state
        loss = jnp.full((), jnp.nan)
        for _ in range(n):
            model, opt_state, loss = step(model, opt_state, xj, yj)
        state[:] = model, opt_state
        return float(jax.block_until_ready(loss))

    return train


def snntorch_trainer(x: np.ndarray, y: np.ndarray):
    """The same model and step in snnTorch (the tutorials' time loop)."""
    import snntorch as snn
    import snntorch.functional as SF
    import torch
    from snntorch import surrogate

    torch.manual_seed(0)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            grad = surrogate.atan(alpha=2.0)
            self.fc1 = torch.nn.Linear(N_IN, N_HIDDEN)
            self.lif1 = snn.Leaky(beta=BETA, spike_grad=grad)
            self.fc2 = torch.nn.Linear(N_HIDDEN, N_OUT)
            self.lif2 = snn.Leaky(beta=BETA, spike_grad=grad)

        def forward(self, x):  # x: (T, B, 784)
            mem1, mem2 = self.lif1.init_leaky(), self.lif2.init_leaky()
            out = []
            for x_t in x:
                spk1, mem1 = self.lif1(self.fc1(x_t), mem1)
                spk2, mem2 = self.lif2(self.fc2(spk1), mem2)
                out.append(spk2)
            return torch.stack(out)

    net = Net()
    loss_fn = SF.ce_count_loss()
    optimizer = torch.optim.Adam(net.parameters(), lr=LEARNING_RATE)
    xt = torch.from_numpy(np.ascontiguousarray(x.transpose(1, 0, 2)))  # (T, B, 784)
    yt = torch.from_numpy(y).long()

    def train(n: int) -> float:
        loss = torch.full((), float("nan"))
        for _ in range(n):
            loss = loss_fn(net(xt), yt)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return float(loss.detach())

    return train


def spyx_trainer(x: np.ndarray, y: np.ndarray):
    """The same model in Spyx (flax.nnx), with snnTorch's arctan derivative."""
    import spyx
    from flax import nnx

    def atan_derivative(v):  # snnTorch atan(alpha=2): 1 / (1 + (pi v)^2)
        return 1 / (1 + (jnp.pi * v) ** 2)

    act = spyx.axn.custom(atan_derivative, spyx.axn.heaviside)
    rngs = nnx.Rngs(0)
    model = spyx.nn.Sequential(
        nnx.Linear(N_IN, N_HIDDEN, rngs=rngs),
        spyx.nn.LIF((N_HIDDEN,), beta=BETA, activation=act, rngs=rngs),
        nnx.Linear(N_HIDDEN, N_OUT, rngs=rngs),
        spyx.nn.LIF((N_OUT,), beta=BETA, activation=act, rngs=rngs),
    )
    optimizer = nnx.Optimizer(model, optax.adam(LEARNING_RATE), wrt=nnx.Param)

    def loss_fn(model, x, y):
        spikes, _ = spyx.nn.run(model, x)  # time-major (T, B, 10)
        return bx.nn.spike_count_cross_entropy(jnp.swapaxes(spikes, 0, 1), y)

    @nnx.jit
    def step(model, optimizer, x, y):
        loss, grads = nnx.value_and_grad(loss_fn)(model, x, y)
        optimizer.update(model, grads)
        return loss

    xj, yj = jnp.asarray(x.transpose(1, 0, 2)), jnp.asarray(y)

    def train(n: int) -> float:
        loss = jnp.full((), jnp.nan)
        for _ in range(n):
            loss = step(model, optimizer, xj, yj)
        return float(jax.block_until_ready(loss))

    return train


def main(
    repeats: int = 7, steps: int = 5, batch: int = 128, torch_threads: int = 0
) -> dict:
    x, y = make_data(batch)
    trainers = {
        "brainox": brainox_trainer(x, y),
        "brainox-unrolled": brainox_trainer(x, y, unroll=NUM_STEPS),
    }
    try:
        import torch

        if torch_threads:
            torch.set_num_threads(torch_threads)
        trainers["snntorch"] = snntorch_trainer(x, y)
        torch_info = f"torch {torch.__version__} ({torch.get_num_threads()} threads)"
    except ImportError:
        print("snntorch is not installed: `pip install snntorch` to compare with it")
        torch_info = "no torch"
    try:
        trainers["spyx"] = spyx_trainer(x, y)
    except ImportError:
        print("spyx is not installed: `pip install spyx` to compare with it")
    compile_s = {}
    for name, train in trainers.items():  # compile / warm up
        start = time.perf_counter()
        train(1)
        first = time.perf_counter() - start
        start = time.perf_counter()
        train(1)
        compile_s[name] = max(first - (time.perf_counter() - start), 0.0)
    rates = {name: [] for name in trainers}
    for _ in range(repeats):
        for name, train in trainers.items():
            start = time.perf_counter()
            train(steps)
            rates[name].append(steps * batch / (time.perf_counter() - start))
    medians = {name: statistics.median(r) for name, r in rates.items()}
    ours = [name for name in medians if name.startswith("brainox")]
    ratios = {
        f"{a}/{b}": medians[a] / medians[b]
        for a in ours
        for b in medians
        if b not in ours
    }
    print(
        f"784-{N_HIDDEN}-{N_OUT} LIF MLP, T={NUM_STEPS}, batch {batch}, Adam; "
        f"{repeats} x {steps} steps each, alternating; jax {jax.__version__} on "
        f"{jax.devices()[0].device_kind}, {torch_info}"
    )
    for name, median in medians.items():
        print(
            f"{name:>16}: {median:9.1f} samples/s (median), "
            f"compile {compile_s[name]:.1f} s"
        )
    for name, ratio in ratios.items():
        print(f"{name}: {ratio:.2f}x")
    result = {
        "samples_per_s": medians,
        "ratios": ratios,
        "compile_s": compile_s,
        "batch": batch,
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7, help="alternations")
    parser.add_argument("--steps", type=int, default=5, help="steps per run")
    parser.add_argument("--batch", type=int, default=128, help="batch size")
    parser.add_argument(
        "--torch-threads", type=int, default=0, help="torch threads (0: default)"
    )
    args = parser.parse_args()
    main(args.repeats, args.steps, args.batch, args.torch_threads)
