"""The CPU kernel of event-driven propagation, compiled on first use.

[`brainox.connect.EventDriven`][] adds the table rows of the neurons that
spiked. Written as an XLA loop, each spike costs one loop iteration of XLA's
CPU runtime; the kernel in `_event_scatter.cc` does the same additions, in the
same order, in one call (one pass over the spike vector plus one addition per
synapse of a spiking neuron). It is an XLA FFI handler: the first process that
needs it compiles it with the system's C++ compiler against the headers that
ship with jaxlib (`jax.ffi.include_dir()`, a few seconds) and caches the shared
library; later processes load the cached file.

- Cache: `$BRAINOX_CACHE_DIR`, else `$XDG_CACHE_HOME/brainox`, else
  `~/.cache/brainox`; the file name holds a hash of the source, the jax
  version and the compiler, so an upgrade rebuilds it.
- Compiler: `$CXX`, else the first of `c++`, `g++`, `clang++` on the `PATH`.
- `BRAINOX_NATIVE=0` turns the kernel off (the XLA loop is used, silently).
"""

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


@functools.cache
def load() -> str | None:
    """Build (or find) and register the kernel, once per process.

    **Returns:** `None` when the kernel is ready, else why it is not (no
    compiler, a failed build, or `BRAINOX_NATIVE=0`).
    """
    if os.environ.get("BRAINOX_NATIVE", "1") == "0":
        return "it is turned off by BRAINOX_NATIVE=0"
    compiler = _compiler()
    if compiler is None:
        return "no C++ compiler was found (set CXX, or install g++ or clang++)"
    try:
        library = _build(compiler)
        import ctypes

        handler = getattr(ctypes.cdll.LoadLibrary(str(library)), _SYMBOL)
        jax.ffi.register_ffi_target(
            TARGET, jax.ffi.pycapsule(handler), platform="cpu"
        )
    except (OSError, RuntimeError, AttributeError, subprocess.SubprocessError) as e:
        return f"building it failed: {e}"
    return None


SUPPORTED_DTYPES = (jnp.dtype(jnp.float32), jnp.dtype(jnp.float64))


def _call(indices, s, w, steps, head, ring, shape, delayed):
    # `ring` is None for a fresh output of `shape` (the kernel zeroes it: no
    # zero-filled operand, so no extra XLA operation per call), else the
    # buffer the kernel adds to, in place when XLA can.
    if ring is None:
        initial, aliases = jnp.zeros((0,), s.dtype), {}
    else:
        initial, aliases = ring, {5: 0}
    kernel = jax.ffi.ffi_call(
        TARGET,
        jax.ShapeDtypeStruct(shape, s.dtype),
        vmap_method="sequential",
        input_output_aliases=aliases,
    )
    return kernel(s, indices, w, steps, head, initial, delayed=delayed)


@functools.partial(jax.custom_jvp, nondiff_argnums=(6, 7))
def _add_spiking_rows(indices, s, w, steps, head, ring, shape, delayed):
    return _call(indices, s, w, steps, head, ring, shape, delayed)


@_add_spiking_rows.defjvp
def _add_spiking_rows_jvp(shape, delayed, primals, tangents):
    # Linear in the weights and in the ring. In the spikes only the nonzero
    # entries are read (as by the XLA loop, which visits those alone), so the
    # spike tangent counts where a spike is nonzero.
    indices, s, w, steps, head, ring = primals
    _, s_dot, w_dot, _, _, ring_dot = tangents
    s_dot = jnp.where(s != 0, s_dot, 0)
    tangent = _call(indices, s, w_dot, steps, head, None, shape, delayed) + _call(
        indices, s_dot, w, steps, head, None, shape, delayed
    )
    if ring is not None:
        tangent = tangent + ring_dot
    return _call(indices, s, w, steps, head, ring, shape, delayed), tangent


def add_spiking_rows(
    indices: Array,
    n_post: int,
    s: Array,
    w: Array,
    delay: tuple[Array, Array, Array] | None,
) -> Array:
    """The contract of `AbstractRowScatter.add_spiking_rows`, through the kernel.

    `s` and `w` share a dtype in `SUPPORTED_DTYPES` (as does the ring of
    `delay = (steps, head, ring)`); the caller has checked `load()`.
    """
    if delay is None:
        steps = jnp.ones((1, 1), jnp.int32)
        head, ring, shape = jnp.zeros((), jnp.int32), None, (n_post,)
    else:
        steps, head, ring = delay
        steps, head = steps.astype(jnp.int32), jnp.asarray(head, jnp.int32)
        shape = ring.shape
    return _add_spiking_rows(
        indices.astype(jnp.int32), s, w, steps, head, ring, shape, delay is not None
    )
