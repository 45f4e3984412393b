"""The ceiling of the COBA step's elementwise update: XLA kernels against one loop.

`docs/performance.md` asks how much of the COBA 4000 step a fused native
update could save. This script times, per step of a `lax.fori_loop` compiled
with `bx.default_compiler_options()`:

- `xla`: the elementwise update of the hand-written COBA (`examples/coba.py`)
  for 4000 neurons, written in JAX: exponential conductances `g_e`, `g_i`
  (a constant stands in for the delivered spikes), the synaptic current, the
  LIF step (exponential Euler, tau = 20 ms), threshold, reset, a 5 ms
  refractory count and the spike count per neuron. XLA compiles it into
  several loop kernels.
- `fused`: the same arithmetic as one hand-written C++ loop over the neurons
  (an XLA FFI kernel, vectorised with `#pragma omp simd`, built here with the
  system's C++ compiler; it is not part of brainox), which reads and writes
  each array once.
- `dispatch`: eight separate elementwise kernels on 16 values (the cost of a
  kernel launch in XLA's CPU runtime), and `pass` with 1, 2, 4 and 8 separate
  4000-value multiply-adds (the cost of a pass over an array).

The two update variants are checked to give the same states (to float32
rounding) after 2000 steps, and they run alternately. Each figure is the median
over the repeats, in microseconds per step.

Run: `python benchmarks/fused_update.py [--repeats R]` (needs `c++`/`g++`).
"""

import argparse
import ctypes
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time

import jax
import jax.numpy as jnp
import numpy as np

import brainox as bx


N = 4000
STEPS = 20_000
DT, TAU, TAU_E, TAU_I = 0.1, 20.0, 5.0, 10.0  # ms
E_E, E_I, V_REST, V_TH, V_RESET, I_EXT, R = 0.0, -80.0, -60.0, -50.0, -60.0, 200.0, 0.1
REFRACTORY_STEPS = 50
DELIVERED = 0.01  # nS added to each conductance every step

# LIF exponential Euler: V + (1 - exp(-dt/tau)) (V_rest + R I - V).
LEAK = float(1.0 - np.exp(-DT / TAU))
DECAY_E, DECAY_I = float(np.exp(-DT / TAU_E)), float(np.exp(-DT / TAU_I))

SOURCE = f"""
#include <cstdint>
#include "xla/ffi/api/ffi.h"
namespace ffi = xla::ffi;
using F = ffi::Buffer<ffi::F32>;
using I = ffi::Buffer<ffi::S32>;
static ffi::Error Update(F V, F ge, F gi, I left, I count, ffi::Result<F> oV,
                         ffi::Result<F> oge, ffi::Result<F> ogi, ffi::Result<I> oleft,
                         ffi::Result<F> ospike, ffi::Result<I> ocount) {{
  const int64_t n = V.element_count();
  const float *v = V.typed_data(), *a = ge.typed_data(), *b = gi.typed_data();
  const int32_t *l = left.typed_data(), *c = count.typed_data();
  float *ov = oV->typed_data(), *oa = oge->typed_data(), *ob = ogi->typed_data();
  float *os = ospike->typed_data();
  int32_t *ol = oleft->typed_data(), *oc = ocount->typed_data();
  #pragma omp simd
  for (int64_t i = 0; i < n; ++i) {{
    const float g_e = a[i] + {DELIVERED}f, g_i = b[i] + {DELIVERED}f, x = v[i];
    const float current = g_e * ({E_E}f - x) + g_i * ({E_I}f - x) + {I_EXT}f;
    const bool refractory = l[i] > 0;
    float v1 = x + {LEAK!r}f * ({V_REST}f + {R}f * current - x);
    v1 = refractory ? x : v1;
    const float s = refractory ? 0.f : (v1 - {V_TH}f >= 0.f ? 1.f : 0.f);
    ov[i] = v1 + s * ({V_RESET}f - v1);
    ol[i] = s > 0.f ? {REFRACTORY_STEPS} : (l[i] > 1 ? l[i] - 1 : 0);
    oc[i] = c[i] + (s > 0.f ? 1 : 0);
    oa[i] = g_e * {DECAY_E!r}f;
    ob[i] = g_i * {DECAY_I!r}f;
    os[i] = s;
  }}
  return ffi::Error::Success();
}}
XLA_FFI_DEFINE_HANDLER_SYMBOL(FusedUpdate, Update, ffi::Ffi::Bind()
    .Arg<F>().Arg<F>().Arg<F>().Arg<I>().Arg<I>()
    .Ret<F>().Ret<F>().Ret<F>().Ret<I>().Ret<F>().Ret<I>());
"""


def build_fused() -> None:
    """Compile the C++ loop and register it as the FFI target `fused_update`."""
    compiler = shutil.which(os.environ.get("CXX", "c++")) or shutil.which("g++")
    if compiler is None:
        raise SystemExit("this benchmark needs a C++ compiler (set CXX)")
    folder = tempfile.mkdtemp()
    source, library = os.path.join(folder, "fused.cc"), os.path.join(folder, "f.so")
    with open(source, "w") as f:
        f.write(SOURCE)
    include = jax.ffi.include_dir()
    flags = ["-O3", "-march=native", "-fopenmp-simd", "-std=c++17", "-shared", "-fPIC"]
    flags.append("-w")
    subprocess.run([compiler, *flags, "-I", include, source, "-o", library], check=True)
    handler = ctypes.cdll.LoadLibrary(library).FusedUpdate
    jax.ffi.register_ffi_target("fused_update", jax.ffi.pycapsule(handler))


def xla_update(state):
    V, g_e, g_i, left, spike, count = state
    g_e, g_i = g_e + DELIVERED, g_i + DELIVERED
    current = g_e * (E_E - V) + g_i * (E_I - V) + I_EXT
    refractory = left > 0
    V1 = jnp.where(refractory, V, V + LEAK * (V_REST + R * current - V))
    spike = jnp.where(refractory, 0.0, (V1 - V_TH >= 0).astype(jnp.float32))
    V1 = V1 + spike * (V_RESET - V1)
    left = jnp.where(spike > 0, REFRACTORY_STEPS, jnp.maximum(left - 1, 0))
    count = count + (spike > 0)
    return V1, g_e * DECAY_E, g_i * DECAY_I, left, spike, count


def fused_update(state):
    V, g_e, g_i, left, _, count = state
    f32 = jax.ShapeDtypeStruct((N,), jnp.float32)
    i32 = jax.ShapeDtypeStruct((N,), jnp.int32)
    # Outputs in the inputs' buffers (V, g_e, g_i, left, count), as XLA's
    # own kernels update the loop's state in place.
    aliases = {0: 0, 1: 1, 2: 2, 3: 3, 4: 5}
    call = jax.ffi.ffi_call(
        "fused_update", (f32, f32, f32, i32, f32, i32), input_output_aliases=aliases
    )
    return tuple(call(V, g_e, g_i, left, count))


def initial_state():
    V = jnp.linspace(-60.0, -50.0, N, dtype=jnp.float32)
    zeros, izeros = jnp.zeros(N, jnp.float32), jnp.zeros(N, jnp.int32)
    return V, zeros, zeros, izeros, zeros, izeros


def compiled_loop(update, state, steps):
    def run(state):
        return jax.lax.fori_loop(0, steps, lambda i, s: update(s), state)

    return jax.jit(run).lower(state).compile(bx.default_compiler_options())


def time_once(compiled, args) -> float:
    start = time.perf_counter()
    jax.block_until_ready(compiled(args))
    return time.perf_counter() - start


def separate_updates(k):
    def update(state):
        return tuple(x * 0.999 + 0.001 * (j + 1) for j, x in enumerate(state))

    return update, tuple(jnp.ones(N if k else 16, jnp.float32) for _ in range(k or 8))


def main(repeats: int) -> dict:
    build_fused()
    state = initial_state()
    # The same states after 2000 steps (float32 rounding may differ: FMA).
    short_xla = compiled_loop(xla_update, state, 2000)(state)
    short_fused = compiled_loop(fused_update, state, 2000)(state)
    for name, a, b in zip(("V", "g_e", "g_i"), short_xla, short_fused, strict=False):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-3, err_msg=name)
    spikes = int(short_xla[5].sum())
    assert spikes > 0 and abs(spikes - int(short_fused[5].sum())) <= 0.01 * spikes

    cases = {
        "xla": (compiled_loop(xla_update, state, STEPS), state),
        "fused": (compiled_loop(fused_update, state, STEPS), state),
    }
    for k in (0, 1, 2, 4, 8):
        update, args = separate_updates(k)
        label = "dispatch (8 kernels, 16 values)" if k == 0 else f"pass x {k}"
        cases[label] = (compiled_loop(update, args, STEPS), args)
    for compiled, args in cases.values():  # warm up (first-call costs)
        time_once(compiled, args)
    times = {label: [] for label in cases}
    for _ in range(repeats):
        for label, (compiled, args) in cases.items():
            times[label].append(time_once(compiled, args) / STEPS * 1e6)
    medians = {label: statistics.median(t) for label, t in times.items()}
    print(f"N = {N}, {STEPS} steps, medians of {repeats} alternating runs (us/step)")
    for label, value in medians.items():
        print(f"  {label:34s} {value:7.3f}")
    print(f"  fused / xla: {medians['fused'] / medians['xla']:.2f}")
    return {"n": N, "steps": STEPS, "repeats": repeats, "us_per_step": medians}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    print(json.dumps(main(parser.parse_args().repeats)))
