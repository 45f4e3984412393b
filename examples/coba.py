"""The COBA network: 4000 leaky integrate-and-fire neurons with conductance synapses.

The benchmark network of Vogels & Abbott (2005) in the form of Brette et al.
(2007, benchmark 1), in its driven variant (the one used for timing): 3200
excitatory and 800 inhibitory LIF neurons, connected at random with probability
2%, each driven by a constant 200 pA current and by exponentially decaying
excitatory (6 nS, 5 ms, reversal 0 mV) and inhibitory (67 nS, 10 ms, -80 mV)
conductances. It fires asynchronously and irregularly at about 16-21 Hz.

The network is one module: the neurons, the connectivity from the excitatory and
from the inhibitory neurons, and the two post-synaptic conductances. Its `step`
follows the documented per-step order:

1. deliver the spikes of the previous step to the conductances,
2. synaptic currents `I = g_e (E_e - V) + g_i (E_i - V) + I_ext` (nS x mV = pA),
3. integrate the conductances and the neurons over `[t, t + dt]`,
4. threshold, reset and refractoriness (inside the neurons' step).

Run: `python examples/coba.py [--small] [--n N] [--duration MS] [--out DIR]`.

References: Vogels, T. P. & Abbott, L. F. (2005). Signal propagation and logic
gating in networks of integrate-and-fire neurons. J. Neurosci. 25, 10786-10795.
Brette, R. et al. (2007). Simulation of networks of spiking neurons: a review of
tools and strategies. J. Comput. Neurosci. 23, 349-398.
"""

import argparse
import os
import time
from functools import partial

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array

import brainox as bx


IN_DEGREE = 80
"""Mean number of inputs per neuron (64 E + 16 I at N = 4000, p = 2%)."""


class COBA(eqx.Module):
    """The COBA network: one LIF group whose first 80% are excitatory.

    **Arguments:**

    - `n`: number of neurons (the first `0.8 n` excitatory, the rest inhibitory).
    - `key`: a `jax.random.key` for the connectivity and initial potentials.
    - `p`: connection probability (default `80 / n`, i.e. 2% at n = 4000, so that
      the mean in-degree, and with it the firing rate, stays the same at any n).
    - `w_e`, `w_i`: excitatory and inhibitory weights (nS).
    - `I_ext`: constant drive (pA; 200 pA x 100 MOhm = 20 mV).
    - `propagation`: how spikes reach the conductances (default
      `bx.connect.EventDriven()`; `bx.connect.Dense()` gives the same result).
      It is prepared once for each table (`prepare(table)`): the event-driven
      kernel then reads the table's compact rows.
    """

    neurons: bx.LIF
    g_e: bx.synapses.Exponential
    g_i: bx.synapses.Exponential
    exc: bx.connect.OutDegreeTable
    inh: bx.connect.OutDegreeTable
    w_e: Array
    w_i: Array
    E_e: Array
    E_i: Array
    I_ext: Array
    exc_propagation: bx.connect.AbstractPropagation
    inh_propagation: bx.connect.AbstractPropagation
    n_exc: int = eqx.field(static=True)

    def __init__(
        self,
        n: int = 4000,
        *,
        key: Array,
        p: float | None = None,
        w_e: float = 6.0,
        w_i: float = 67.0,
        I_ext: float = 200.0,
        propagation: bx.connect.AbstractPropagation | None = None,
    ):
        k_v, k_e, k_i = jax.random.split(key, 3)
        p = min(1.0, IN_DEGREE / n) if p is None else p
        self.n_exc = int(round(0.8 * n))
        # C = 200 pF, g_L = 10 nS: tau_m = C / g_L = 20 ms, R = 1 / g_L = 100 MOhm.
        self.neurons = bx.LIF(
            n,
            tau=20.0,
            R=100.0,
            V_rest=-60.0,
            V_reset=-60.0,
            V_th=-50.0,
            t_ref=5.0,
            V_init=bx.init.normal(-55.0, 2.0),
            key=k_v,
        )
        self.g_e = bx.synapses.Exponential(n, tau=5.0)  # nS
        self.g_i = bx.synapses.Exponential(n, tau=10.0)  # nS
        self.exc = bx.connect.fixed_probability(k_e, self.n_exc, n, p)
        self.inh = bx.connect.fixed_probability(k_i, n - self.n_exc, n, p)
        self.w_e = jnp.asarray(w_e, jnp.float32)
        self.w_i = jnp.asarray(w_i, jnp.float32)
        self.E_e = jnp.asarray(0.0, jnp.float32)  # mV
        self.E_i = jnp.asarray(-80.0, jnp.float32)  # mV
        self.I_ext = jnp.asarray(I_ext, jnp.float32)
        strategy = bx.connect.EventDriven() if propagation is None else propagation
        self.exc_propagation = strategy.prepare(self.exc)
        self.inh_propagation = strategy.prepare(self.inh)

    def step(self, x: Array | None, dt: float) -> "COBA":
        """One step of `dt` ms; `x` is an optional extra current (pA) or `None`."""
        # 1. Deliver the spikes of the previous step (nS).
        spikes = self.neurons.spike.value
        n_e = self.n_exc
        # The strategy adds the weights of the spikes straight into g.
        exc = partial(self.exc_propagation.accumulate, self.exc, spikes[:n_e], self.w_e)
        inh = partial(self.inh_propagation.accumulate, self.inh, spikes[n_e:], self.w_i)
        g_e = self.g_e.add_from(exc)
        g_i = self.g_i.add_from(inh)
        # 2. Synaptic currents (nS x mV = pA) plus the drive.
        V = self.neurons.V.value
        current = g_e.g.value * (self.E_e - V) + g_i.g.value * (self.E_i - V)
        current = current + self.I_ext + (0.0 if x is None else x)
        # 3-4. Integrate conductances and neurons; threshold, reset, refractoriness.
        neurons = self.neurons.step(current, dt)
        g_e = g_e.step(None, dt)
        g_i = g_i.step(None, dt)
        return eqx.tree_at(
            lambda m: (m.neurons, m.g_e, m.g_i), self, (neurons, g_e, g_i)
        )


def read_spikes(net: COBA) -> Array:
    """The spike vector of all neurons (a module-level function, so that repeated
    `bx.simulate` calls reuse the compiled program)."""
    return net.neurons.spike.value


def rates(events: bx.SpikeEvents, n: int, n_exc: int, duration: float):
    """Mean excitatory and inhibitory firing rates (Hz) from compact spike events."""
    n_e_spikes = int(np.sum(events.index < n_exc))
    n_i_spikes = len(events.index) - n_e_spikes
    seconds = duration / 1000.0
    return n_e_spikes / n_exc / seconds, n_i_spikes / (n - n_exc) / seconds


def run(
    n: int = 4000,
    duration: float = 1000.0,
    *,
    dt: float = 0.1,
    seed: int = 0,
    propagation: bx.connect.AbstractPropagation | None = None,
) -> tuple[COBA, bx.SpikeEvents, float, float]:
    """Build and simulate the network; return it, its spikes, loop and compile time.

    The first `bx.simulate` call compiles and runs, the second (same program,
    cached) only runs: the loop time is the second, the compile time the
    difference. Both give the same spikes.
    """
    net = COBA(n, key=jax.random.key(seed), propagation=propagation)
    timings = []
    for _ in range(2):
        start = time.perf_counter()
        _, rec = bx.simulate(net, duration, dt=dt, spikes={"spikes": read_spikes})
        timings.append(time.perf_counter() - start)
    loop = timings[1]
    return net, rec["spikes"], loop, max(timings[0] - loop, 0.0)


def raster(events, n_exc, duration, path):
    """Save a raster plot of the spikes (excitatory blue, inhibitory red)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    exc = events.index < n_exc
    fig, ax = plt.subplots(figsize=(9, 5), dpi=120)
    ax.scatter(events.time[exc], events.index[exc], s=0.3, c="tab:blue", lw=0)
    ax.scatter(events.time[~exc], events.index[~exc], s=0.3, c="tab:red", lw=0)
    ax.set(xlim=(0, duration), xlabel="time (ms)", ylabel="neuron index")
    ax.set_title("COBA network: excitatory (blue), inhibitory (red)")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main(
    n: int = 4000,
    duration: float = 1000.0,
    out_dir: str = "outputs",
    small: bool = False,
) -> dict:
    """Run the COBA network, print rates and times, and save a raster plot.

    `small=True` runs 2000 neurons for 300 ms (the in-degree, and with it the
    rates, stay as in the full network).
    """
    if small:
        n, duration = min(n, 2000), min(duration, 300.0)
    net, events, loop, compile_time = run(n, duration)
    rate_e, rate_i = rates(events, n, net.n_exc, duration)
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "coba_raster.png")
    raster(events, net.n_exc, duration, path)
    print(f"COBA: {n} neurons ({net.n_exc} E), {duration:g} ms, dt = 0.1 ms")
    print(f"rates: E {rate_e:.2f} Hz, I {rate_i:.2f} Hz")
    print(f"simulation loop: {loop:.3f} s ({loop / (duration / 1000):.3f} s per s)")
    print(f"compile: {compile_time:.3f} s")
    print(f"raster: {path}")
    return dict(
        n=n,
        duration_ms=duration,
        rate_exc_hz=rate_e,
        rate_inh_hz=rate_i,
        n_spikes=len(events.index),
        loop_s=loop,
        compile_s=compile_time,
        raster=path,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="2000 neurons, 300 ms")
    parser.add_argument("--n", type=int, default=4000, help="number of neurons")
    parser.add_argument("--duration", type=float, default=1000.0, help="ms")
    parser.add_argument("--out", default="outputs", help="output directory")
    args = parser.parse_args()
    main(args.n, args.duration, args.out, args.small)
