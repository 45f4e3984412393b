"""The CPU kernel of event-driven propagation, compiled on first use.

[`brainox.connect.EventDriven`][] adds the table rows of the neurons that
spiked. Written as an XLA loop, each spike costs one loop iteration of XLA's
CPU runtime; the kernel in `_event_scatter.cc` does the same additions, in the
same order, in one call (one pass over the spike vector plus one addition per
synapse of a spiking neuron), straight into the accumulator it is given (its
output aliases it). It reads the rows in one layout, a start offset per row
into an array of targets: the compact rows of `_compact_rows.py` (no padding,
16-bit targets where they fit) or the padded table itself. It is an XLA FFI
handler: the first process that needs it compiles it with the system's C++
compiler against the headers that ship with jaxlib (`jax.ffi.include_dir()`, a
few seconds) and caches the shared library; later processes load the cached
file.

- Cache: `$BRAINOX_CACHE_DIR`, else `$XDG_CACHE_HOME/brainox`, else
  `~/.cache/brainox`; the file name holds a hash of the source, the jax
  version and the compiler, so an upgrade rebuilds it.
- Compiler: `$CXX`, else the first of `c++`, `g++`, `clang++` on the `PATH`.
- `BRAINOX_NATIVE=0` turns the kernel off (the XLA loop is used, silently).
"""

import ctypes
import functools
import hashlib
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

import jax
import jax.numpy as jnp

from .._custom_types import Array
from ._compact_rows import CompactRows


TARGET = "brainox_event_scatter"
_SOURCE = pathlib.Path(__file__).with_name("_event_scatter.cc")
_SYMBOL = "BrainoxEventScatter"


def _compiler() -> str | None:
    if os.environ.get("CXX"):
        return shutil.which(os.environ["CXX"])
    for name in ("c++", "g++", "clang++"):
        if path := shutil.which(name):
            return path
    return None


def _cache_dir() -> pathlib.Path:
    if os.environ.get("BRAINOX_CACHE_DIR"):
        return pathlib.Path(os.environ["BRAINOX_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join("~", ".cache")
    return pathlib.Path(base).expanduser() / "brainox"


def _build(compiler: str) -> pathlib.Path:
    """The compiled kernel, from the cache or freshly built into it."""
    source = _SOURCE.read_bytes()
    tag = b"\0".join([source, jax.__version__.encode(), compiler.encode()])
    digest = hashlib.sha256(tag).hexdigest()[:16]
    suffix = ".dylib" if sys.platform == "darwin" else ".so"
    library = _cache_dir() / f"event_scatter-{digest}{suffix}"
    if library.exists():
        return library
    library.parent.mkdir(parents=True, exist_ok=True)
    # Build under a temporary name, then rename: concurrent builds are safe.
    fd, partial = tempfile.mkstemp(suffix=suffix, dir=library.parent)
    os.close(fd)
    command = [
        compiler,
        "-O3",
        "-std=c++17",
        "-shared",
        "-fPIC",
        "-w",
        "-I",
        jax.ffi.include_dir(),
        str(_SOURCE),
        "-o",
        partial,
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise RuntimeError(
                f"`{' '.join(command)}` failed:\n{done.stderr.strip()[-2000:]}"
            )
        os.replace(partial, library)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    return library


def disabled() -> bool:
    """Whether `BRAINOX_NATIVE=0` turns the kernel off."""
    return os.environ.get("BRAINOX_NATIVE", "1") == "0"


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
