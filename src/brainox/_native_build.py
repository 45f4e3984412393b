"""Building brainox's native CPU code: the compiler, the cache, one build.

The event-driven propagation kernel (`connect/_event_scatter.cc`) and the
fused steps of [`brainox.native_step`][] are XLA FFI handlers written in C++.
They are compiled on first use with the system's C++ compiler against the
headers that ship with jaxlib (`jax.ffi.include_dir()`) and cached as shared
libraries; later processes load the cached file.

- Cache: `$BRAINOX_CACHE_DIR`, else `$XDG_CACHE_HOME/brainox`, else
  `~/.cache/brainox`. A file's name holds a hash of its sources, the jax
  version, the compiler and its flags, so an upgrade rebuilds it.
- Compiler: `$CXX`, else the first of `c++`, `g++`, `clang++` on the `PATH`.
- `BRAINOX_NATIVE=0` turns the native code off.
"""

import hashlib
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

import jax


FLAGS = ("-O3", "-std=c++17", "-shared", "-fPIC", "-w")
"""The flags of every build (a build adds its own after them)."""


def compiler() -> str | None:
    """The C++ compiler to use, or `None` if there is none."""
    if os.environ.get("CXX"):
        return shutil.which(os.environ["CXX"])
    for name in ("c++", "g++", "clang++"):
        if path := shutil.which(name):
            return path
    return None


def cache_dir() -> pathlib.Path:
    """Where compiled libraries are kept."""
    if os.environ.get("BRAINOX_CACHE_DIR"):
        return pathlib.Path(os.environ["BRAINOX_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join("~", ".cache")
    return pathlib.Path(base).expanduser() / "brainox"


def disabled() -> bool:
    """Whether `BRAINOX_NATIVE=0` turns the native code off."""
    return os.environ.get("BRAINOX_NATIVE", "1") == "0"


def build(
    source: pathlib.Path,
    stem: str,
    compiler: str,
    *,
    flags: tuple[str, ...] = (),
    depends: tuple[pathlib.Path, ...] = (),
) -> pathlib.Path:
    """The shared library of `source`, from the cache or freshly built into it.

    `depends` are the files `source` includes (their text enters the hash).
    A failed build raises `RuntimeError` with the compiler's message; nothing
    is cached then.
    """
    parts = [source.read_bytes(), *(p.read_bytes() for p in depends)]
    parts += [jax.__version__.encode(), compiler.encode(), " ".join(flags).encode()]
    digest = hashlib.sha256(b"\0".join(parts)).hexdigest()[:16]
    suffix = ".dylib" if sys.platform == "darwin" else ".so"
    library = cache_dir() / f"{stem}-{digest}{suffix}"
    if library.exists():
        return library
    library.parent.mkdir(parents=True, exist_ok=True)
    # Build under a temporary name, then rename: concurrent builds are safe.
    fd, partial = tempfile.mkstemp(suffix=suffix, dir=library.parent)
    os.close(fd)
    include = ["-I", jax.ffi.include_dir(), "-I", str(source.parent)]
    command = [compiler, *FLAGS, *flags, *include, str(source), "-o", partial]
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
