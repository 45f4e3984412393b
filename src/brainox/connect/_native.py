"""The CPU kernel of event-driven propagation, compiled on first use.

[`brainox.connect.EventDriven`][] adds the table rows of the neurons that
spiked. Written as an XLA loop, each spike costs one loop iteration of XLA's
CPU runtime; the kernel in `_event_scatter.cc` (the row additions themselves
are in `_event_rows.h`, which [`brainox.native_step`][] shares) does the same
additions, in the same order, in one call (one pass over the spike vector plus
one addition per synapse of a spiking neuron), straight into the accumulator
it is given (its output aliases it). It reads the rows in one layout, a start
offset per row into an array of targets: the compact rows of `_compact_rows.py`
(no padding, 16-bit targets where they fit) or the padded table itself. It is
an XLA FFI handler, built and cached as `brainox._native_build` describes
(`$CXX`, `$BRAINOX_CACHE_DIR`; `BRAINOX_NATIVE=0` turns it off, and the XLA
loop is used, silently).
"""

import ctypes
import functools
import pathlib
import subprocess

import jax
import jax.numpy as jnp

from .. import _native_build
from .._custom_types import Array
from ._compact_rows import CompactRows


TARGET = "brainox_event_scatter"
_SOURCE = pathlib.Path(__file__).with_name("_event_scatter.cc")
ROWS_HEADER = pathlib.Path(__file__).with_name("_event_rows.h")
_SYMBOL = "BrainoxEventScatter"
_compiler = _native_build.compiler
disabled = _native_build.disabled


def _build(compiler: str) -> pathlib.Path:
    """The compiled kernel, from the cache or freshly built into it."""
    return _native_build.build(
        _SOURCE, "event_scatter", compiler, depends=(ROWS_HEADER,)
    )


@functools.cache
def load() -> str | None:
    """Build (or find) and register the kernel, once per process.

    **Returns:** `None` when the kernel is ready, else why it is not (no
    compiler, a failed build, or `BRAINOX_NATIVE=0`).
    """
    if disabled():
        return "it is turned off by BRAINOX_NATIVE=0"
    compiler = _compiler()
    if compiler is None:
        return "no C++ compiler was found (set CXX, or install g++ or clang++)"
    try:
        library = _build(compiler)
        handler = getattr(ctypes.cdll.LoadLibrary(str(library)), _SYMBOL)
        jax.ffi.register_ffi_target(TARGET, jax.ffi.pycapsule(handler), platform="cpu")
    except (OSError, RuntimeError, AttributeError, subprocess.SubprocessError) as e:
        return f"building it failed: {e}"
    return None


SUPPORTED_DTYPES = (jnp.dtype(jnp.float32), jnp.dtype(jnp.float64))


def _call(targets: Array, offsets: Array, s: Array, w: Array, into: Array) -> Array:
    # The output aliases `into`: the kernel adds into the accumulator's buffer.
    kernel = jax.ffi.ffi_call(
        TARGET,
        jax.ShapeDtypeStruct(into.shape, into.dtype),
        vmap_method="sequential",
        input_output_aliases={4: 0},
    )
    return kernel(s, targets, offsets, w, into)


@jax.custom_jvp
def _add_spiking_rows(targets, offsets, s, w, into):
    return _call(targets, offsets, s, w, into)


@_add_spiking_rows.defjvp
def _add_spiking_rows_jvp(primals, tangents):
    # Linear in the weights and in the accumulator. In the spikes only the
    # nonzero entries are read (as by the XLA loop, which visits those alone),
    # so the spike tangent counts where a spike is nonzero.
    targets, offsets, s, w, into = primals
    _, _, s_dot, w_dot, into_dot = tangents
    tangent = _call(targets, offsets, s, w_dot, into_dot)
    tangent = _call(targets, offsets, jnp.where(s != 0, s_dot, 0), w, tangent)
    return _call(targets, offsets, s, w, into), tangent


def add_spiking_rows(rows: CompactRows, s: Array, w: Array, into: Array) -> Array:
    """`into` plus `s[i] w[i, k]` over the rows with a nonzero spike, through
    the kernel. `s`, `w` and `into` share a dtype in `SUPPORTED_DTYPES`; the
    caller has checked `load()`."""
    return _add_spiking_rows(rows.targets, rows.offsets, s, w, into)
