"""The XLA options that `bx.simulate` compiles its loop with."""

from collections.abc import Mapping
from typing import Any

import jax
import jax.tree_util as jtu
from jax.core import Tracer


_REGION_ANALYSIS = "xla_cpu_copy_insertion_use_region_analysis"
_CPU_OPTIONS: dict[str, Any] = {
    _REGION_ANALYSIS: True,
    "xla_cpu_prefer_vector_width": 512,
}


def default_compiler_options(platform: str | None = None) -> dict[str, Any]:
    """The XLA compiler options [`brainox.simulate`][] uses on a platform.

    A simulation loop carries every state variable from one step to the next,
    and a step reads old values next to writing new ones (`V_new = f(V, g)`
    beside `g_new = h(g)`). By default XLA's CPU backend copies a carried
    buffer unless a simple analysis shows that its old value is no longer read
    when the new one is written; region-based copy analysis shows it for most
    of them. XLA also emits 256-bit vector code by default; on CPUs with
    AVX-512, 512-bit vectors speed up the exponentials and divisions of
    conductance-based neurons, and on CPUs without AVX-512 the option has no
    effect. Neither option changes the
    arithmetic: the tests find the same spikes, potentials and final states.

    One combination is unsafe in XLA itself: after copy insertion, XLA's CPU
    backend moves small `while` loops (about 1 kB of memory traffic per
    iteration, such as an event loop over a one-to-one table or the steps of a
    tiny network between records) into calls, and with region-based analysis
    that move loses the order between the loop reading a state buffer and the
    step overwriting it, so the loop can read the next step's value (a spike
    lost). `bx.simulate` therefore checks each compiled loop and, if XLA moved
    such a loop, compiles it again without region-based analysis. If you pass
    these options to `jax.jit` for a loop of your own, check it the same way:
    `'xla_cpu_small_call' in jitted.lower(*args).compile().as_text()` means
    leave region-based analysis off.

    On the `"cpu"` platform this returns

    - `xla_cpu_copy_insertion_use_region_analysis = True`,
    - `xla_cpu_prefer_vector_width = 512`;

    on other platforms (GPU, TPU) an empty dict: XLA's defaults.

    **Arguments:**

    - `platform`: `"cpu"`, `"gpu"`, `"cuda"`, `"rocm"` or `"tpu"`; `None` means
      JAX's default backend (`jax.default_backend()`).

    **Returns:** a new dict from XLA option names to values, for
    `bx.simulate(..., compiler_options=...)` or `jax.jit(...,
    compiler_options=...)`.

    !!! example
        ```python
        options = bx.default_compiler_options("cpu")
        step_loop = jax.jit(my_loop, compiler_options=options)
        # XLA's own defaults instead:
        bx.simulate(net, 1000.0, dt=0.1, compiler_options={})
        ```
    """
    if platform is None:
        platform = jax.default_backend()
    if not isinstance(platform, str):
        raise TypeError(
            f"`platform` must be a platform name such as 'cpu' or 'gpu', got "
            f"{platform!r}."
        )
    return dict(_CPU_OPTIONS) if platform == "cpu" else {}


def uses_region_analysis(options: tuple[tuple[str, Any], ...]) -> bool:
    """Whether `options` (as from `check_compiler_options`) turn on XLA's
    region-based copy analysis."""
    return bool(dict(options).get(_REGION_ANALYSIS, False))


def has_hoisted_loop(compiled_text: str) -> bool:
    """Whether an optimised XLA CPU program has a small `while` loop moved into a
    call, whose order against buffer writes region-based copy analysis does not
    keep (see `default_compiler_options`)."""
    return "xla_cpu_small_call" in compiled_text


def without_region_analysis(
    options: tuple[tuple[str, Any], ...],
) -> tuple[tuple[str, Any], ...]:
    """`options` with region-based copy analysis off."""
    return tuple((k, v) for k, v in options if k != _REGION_ANALYSIS)


def platform_of(tree: Any) -> str:
    """The platform the arrays of `tree` live on: that of its first committed
    array, else JAX's default backend."""
    for leaf in jtu.tree_leaves(tree):
        if isinstance(leaf, jax.Array) and not isinstance(leaf, Tracer):
            if getattr(leaf, "committed", False):
                return next(iter(leaf.devices())).platform
    return jax.default_backend()


def check_compiler_options(options: Any) -> tuple[tuple[str, Any], ...]:
    """`options` as sorted `(name, value)` pairs (hashable, so a compiled loop
    is reused across calls), or a `TypeError` naming what is wrong."""
    if not isinstance(options, Mapping):
        raise TypeError(
            "`compiler_options` must be a dict from XLA option names to values "
            f"(or None for bx.default_compiler_options()), got {options!r}."
        )
    for name, value in options.items():
        if not isinstance(name, str) or not isinstance(value, (bool, int, float, str)):
            raise TypeError(
                "`compiler_options` maps XLA option names (str) to a bool, int, "
                f"float or str; got {name!r}: {value!r}."
            )
    return tuple(sorted(options.items()))
