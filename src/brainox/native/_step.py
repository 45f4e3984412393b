"""`native_step`: a model's whole step as one generated, compiled C++ call."""

import ctypes
import functools
import hashlib
import pathlib
import platform
import subprocess
import tempfile
from collections.abc import Callable
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import jax.tree_util as jtu

from .. import _native_build
from .._custom_types import PyTree
from ..connect import _native as _scatter_kernel
from ._codegen import Generator
from ._flatten import NotNative, flatten


_HERE = pathlib.Path(__file__).parent
_HEADERS = (_HERE / "_support.h", _scatter_kernel.ROWS_HEADER)

FLAGS = (
    "-march=native",
    "-fno-math-errno",
    "-fno-trapping-math",
    "-ffp-contract=off",
    "-fwrapv",
    "-fopenmp-simd",
)
"""Flags of a step's build: vectorised for this machine's CPU, with every
multiply and add rounded separately and integers wrapping around on
overflow, as in XLA's CPU code."""


def _cpu_tag() -> bytes:
    # `-march=native` code runs only on this kind of CPU: the cache keys on it.
    try:
        with open("/proc/cpuinfo") as f:
            flags = [line for line in f if line.startswith(("flags", "model name"))]
        return "".join(sorted(set(flags))).encode()
    except OSError:
        return platform.processor().encode()


@functools.cache
def _register(source: str) -> str:
    """Build (or find in the cache) and register the kernel of `source`;
    returns its FFI target name."""
    if _native_build.disabled():
        raise RuntimeError(
            "native_step cannot run: native code is turned off by BRAINOX_NATIVE=0."
        )
    compiler = _native_build.compiler()
    if compiler is None:
        raise RuntimeError(
            "native_step needs a C++ compiler: none was found (set CXX, or "
            "install g++ or clang++)."
        )
    digest = hashlib.sha256(source.encode() + _cpu_tag()).hexdigest()[:16]
    symbol = f"BrainoxStep_{digest}"
    include = tuple(f"-I{h.parent}" for h in _HEADERS)
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = pathlib.Path(folder) / f"step-{digest}.cc"
            path.write_text(source.replace("BRAINOX_STEP_SYMBOL", symbol))
            library = _native_build.build(
                path, "step", compiler, flags=FLAGS + include, depends=_HEADERS
            )
        handler = getattr(ctypes.cdll.LoadLibrary(str(library)), symbol)
    except (OSError, RuntimeError, AttributeError, subprocess.SubprocessError) as e:
        raise RuntimeError(f"native_step could not build its kernel: {e}") from e
    target = f"brainox_step_{digest}"
    jax.ffi.register_ffi_target(target, jax.ffi.pycapsule(handler), platform="cpu")
    return target


class UntranslatableStep(ValueError):
    """A step that the generator cannot translate into C++ (the message names
    the operation)."""


def native_step(model: PyTree, x: Any, dt: Any) -> PyTree:
    """`model.step(x, dt)`, run as one generated C++ loop per step.

    The step is traced once, and its arithmetic translated into one C++
    function that XLA calls as a single operation per step (an XLA FFI call):
    the event-driven propagation of [`brainox.connect.EventDriven`][] runs in
    place, then one loop over the neurons computes every state for the next
    step, reading and writing each array once. The same generated code serves
    every model with the same structure, shapes and `dt`, whatever its
    parameter values; it is compiled with the system's C++ compiler on first
    use (about 2 s) and cached on disk (`$BRAINOX_CACHE_DIR`, else
    `~/.cache/brainox`; `$CXX` picks the compiler, `BRAINOX_NATIVE=0` turns
    native code off).

    The arithmetic is that of `model.step(x, dt)`, operation by operation,
    in the same order and precision (multiplies and adds rounded
    separately), but `exp` and the other library functions come from the C
    library (its vector variants, within 4 ulp) instead of XLA's own: states
    may differ in the last bits of float32, and the spike trains of a
    network, which amplifies small differences, may part after many steps.
    Divisions by variables are correctly rounded, as in NumPy (XLA's CPU
    division can be 1 ulp off); a value divided by a constant is multiplied
    by the reciprocal, as XLA makes it; the rest of the arithmetic gives
    XLA's results bit for bit, operation by operation (XLA's rewrites of a
    whole program, such as reassociating constants, are not followed).

    Generating one loop per step for the whole model is the approach of
    Brian2 (Goodman, D. F. M. (2010). Code generation: a strategy for neural
    network simulators. Neuroinformatics 8, 183-196; Stimberg, M., Brette, R.
    & Goodman, D. F. M. (2019). Brian 2, an intuitive and efficient neural
    simulator. eLife 8, e47314).

    **Arguments:**

    - `model`: any module with a `step(x, dt)` method whose step uses only
      elementwise arithmetic on 0-d and 1-d arrays, slices, and event-driven
      propagation (brainox's neuron models, exponential, current and
      conductance synapses, networks without random inputs such as COBA and
      CUBA).
      Anything else (random numbers, matrix products, delays, gathers)
      raises a `ValueError` that names the operation.
    - `x`: the step's input, as for `model.step` (`None`, arrays).
    - `dt`: the time step (ms).

    **Returns:** the model after the step.

    It runs on the CPU only, and is not differentiable (train with the XLA
    step). Under `jax.vmap` it runs the batch one element after the other.
    `bx.simulate(model, ..., native=True)` generates the same code with a
    loop over the steps around it.

    Example:
    ```python
    import jax
    import jax.numpy as jnp
    import brainox as bx

    neurons = bx.LIF(100, tau=10.0, V_th=1.0, V_reset=0.0, V_init=0.0)
    after = bx.native_step(neurons, jnp.full(100, 2.0), 0.1)
    same = neurons.step(jnp.full(100, 2.0), 0.1)
    assert jnp.allclose(after.V.value, same.V.value)
    ```
    """
    if isinstance(dt, int | float):  # a constant of the generated code
        return fused(lambda m, x: m.step(x, dt), model, x, type(model).__name__)

    # An array dt is an input of the step, like `x`.
    def step_with_dt(m, inputs):
        return m.step(*inputs)

    return fused(step_with_dt, model, (x, dt), type(model).__name__)


def fused(
    fn: Callable[[Any, Any], Any], state: PyTree, inputs: PyTree, name: str
) -> PyTree:
    """`fn(state, inputs)`, a new state of the same structure, as one
    generated C++ call (see [`brainox.native_step`][]); `name` names the model
    in errors. `bx.simulate(native=True, check_finite=True)` fuses each step
    and its spike counts this way."""
    return _generated(lambda m, x: (fn(m, x), ()), state, inputs, name, None)[0]


def fused_steps(
    fn: Callable[[Any, Any], tuple[Any, Any]],
    state: PyTree,
    inputs: PyTree,
    name: str,
    steps: int,
) -> tuple[PyTree, PyTree]:
    """`steps` (at least 1) applications of `fn` in one loop of generated C++
    (see [`brainox.native_step`][]), as `bx.simulate(native=True)` runs the
    steps between its records.

    `fn(state, x)` returns the new state and the step's outputs (a PyTree of
    0-d and 1-d arrays, such as spikes to record). Each leaf of `inputs` has a
    leading axis of `steps` (row `s` is the input of step `s`). Returns the
    state after the last step and the outputs stacked over the steps."""
    return _generated(fn, state, inputs, name, steps)


def _generated(fn, state, inputs, name, steps):
    if jax.default_backend() != "cpu":
        raise ValueError(
            f"native_step runs on the CPU only; the default backend is "
            f"{jax.default_backend()!r}. Use `model.step` (bx.simulate without "
            "native=True) on accelerators."
        )
    leaves, static = eqx.partition(state, eqx.is_array)
    model_leaves, treedef = jtu.tree_flatten(leaves)
    x_leaves, x_treedef = jtu.tree_flatten(inputs)
    x_leaves = [jnp.asarray(leaf) for leaf in x_leaves]
    if steps is not None and (
        steps < 1 or any(jnp.shape(x)[:1] != (steps,) for x in x_leaves)
    ):
        raise ValueError(
            f"fused_steps: {steps} steps need inputs with a leading axis of {steps}"
        )
    n = len(model_leaves)
    out_static: list = []
    out_treedef: list = []

    def step(*flat):
        m = eqx.combine(jtu.tree_unflatten(treedef, flat[:n]), static)
        new, extra = fn(m, jtu.tree_unflatten(x_treedef, flat[n:]))
        new_leaves, new_static = eqx.partition(new, eqx.is_array)
        out_static.append(new_static)
        flat_new, new_treedef = jtu.tree_flatten(new_leaves)
        if new_treedef != treedef:
            raise ValueError(
                f"native_step: the step of {name} returned a model of another "
                "structure (its arrays differ from the model's)."
            )
        flat_extra, extra_treedef = jtu.tree_flatten(extra)
        out_treedef.append(extra_treedef)
        return flat_new + [jnp.asarray(x) for x in flat_extra]

    args = [*model_leaves, *x_leaves]
    # Abstract values with their weak types, so that the traced step promotes
    # dtypes as `model.step` does (a Python scalar input keeps an int8 state);
    # one step's shape for the inputs of a loop of steps.
    shapes = [
        jax.ShapeDtypeStruct(
            jnp.shape(a)[int(i >= n and steps is not None) :],
            t.dtype,
            weak_type=t.weak_type,
        )
        for i, (a, t) in enumerate((a, jax.typeof(a)) for a in args)
    ]
    closed = jax.make_jaxpr(step)(*shapes)
    if steps is not None:  # each step's state is the next one's
        for k, (before, after) in enumerate(
            zip(shapes[:n], closed.out_avals[:n], strict=True)
        ):
            if (before.shape, before.dtype) != (after.shape, after.dtype):
                raise ValueError(
                    f"fused_steps: the step of {name} turns its array {k} from "
                    f"{before.dtype}{list(before.shape)} into "
                    f"{after.dtype}{list(after.shape)}; a loop of steps needs "
                    "each state to keep its shape and dtype."
                )
    per_step = frozenset(range(n, len(args))) if steps is not None else frozenset()
    try:
        program = flatten(closed)
        source, read, written, aliases, packs = Generator(
            program, n, "BRAINOX_STEP_SYMBOL", steps is not None, per_step
        ).generate()
    except NotNative as e:
        raise UntranslatableStep(
            f"native_step cannot translate the step of {name}: {e}. "
            "It supports elementwise arithmetic on populations (0-d and 1-d "
            "arrays), slices and bx.connect.EventDriven propagation on the CPU; "
            "run this model without native=True."
        ) from None
    target = _register(source)
    everything = args + [c for _, c in program.constants]
    # Scalars stacked by dtype: parameters are the same every step, so XLA
    # moves the stacking out of a simulation's loop.
    everything += [jnp.stack([everything[k] for k in members]) for members in packs]
    if steps is not None:
        everything.append(jnp.asarray(steps, jnp.int32))
    rows = (steps,) if steps is not None else ()
    results = tuple(
        jax.ShapeDtypeStruct(
            (rows if k >= n else ()) + program.outputs[k].shape,
            program.outputs[k].dtype,
        )
        for k in written
    )
    position = {k: i for i, k in enumerate(read)}
    call = jax.ffi.ffi_call(
        target,
        results,
        vmap_method="sequential",
        input_output_aliases={
            position[i]: written.index(o) for i, o in aliases.items() if i in position
        },
    )
    outputs = call(*[everything[k] for k in read]) if results else ()
    new_leaves = list(model_leaves)
    extra: list[Any] = [None] * (len(program.outputs) - n)
    for k, value in zip(written, outputs, strict=True):
        if k < n:
            new_leaves[k] = value
        else:
            extra[k - n] = value
    new = eqx.combine(jtu.tree_unflatten(treedef, new_leaves), out_static[-1])
    return new, jtu.tree_unflatten(out_treedef[-1], extra)
