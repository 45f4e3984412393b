"""A step's jaxpr as one flat list of equations, for the C++ generator.

Calls (`jit`, custom derivatives, checkpoints) are inlined, and the
platform-dependent branches that the propagation strategies lower
(`jax.lax.platform_dependent`: a `platform_index` feeding a `cond`) are
resolved to the CPU's. What remains are primitives on 0-d and 1-d arrays,
which `_codegen.py` translates one by one, and the event-driven kernel's FFI
call.
"""

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
from jax.extend.core import ClosedJaxpr, Jaxpr, Literal


_numbering = [itertools.count()]


@dataclass(eq=False)
class Value:
    """One array of the flat program: an input, a constant or an equation's result."""

    shape: tuple[int, ...]
    dtype: np.dtype
    literal: Any = None  # a NumPy scalar for constants known at trace time
    id: int = -1  # numbered in order of creation within one program

    def __post_init__(self):
        self.id = next(_numbering[-1])

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))


@dataclass(eq=False)
class Equation:
    primitive: str
    inputs: list[Value]
    outputs: list[Value]
    params: dict


@dataclass
class FlatProgram:
    inputs: list[Value]
    outputs: list[Value]
    equations: list[Equation]
    constants: list[tuple[Value, np.ndarray]]  # non-scalar constants, passed in


_CALLS = {
    "pjit": "jaxpr",
    "jit": "jaxpr",
    "closed_call": "call_jaxpr",
    "core_call": "call_jaxpr",
    "remat": "jaxpr",
    "checkpoint": "jaxpr",
    "custom_jvp_call": "call_jaxpr",
    "custom_vjp_call": "call_jaxpr",
    "custom_vjp_call_jaxpr": "fun_jaxpr",
}
"""Primitives that call a jaxpr, and the parameter that holds it."""


class NotNative(ValueError):
    """A step that the generator cannot translate."""


def _value_of(aval) -> Value:
    try:
        dtype = np.dtype(aval.dtype)
    except TypeError:
        message = f"arrays of dtype {aval.dtype} have no native counterpart"
        raise NotNative(message) from None
    return Value(tuple(aval.shape), dtype)


class _Flattener:
    def __init__(self):
        self.equations: list[Equation] = []
        self.constants: list[tuple[Value, np.ndarray]] = []

    def constant(self, x, aval) -> Value:
        array = np.asarray(x)
        value = _value_of(aval)
        if array.ndim == 0:
            value.literal = array.astype(value.dtype)[()]
        else:
            self.constants.append((value, array))
        return value

    def inline(self, jaxpr: Jaxpr, consts, args: list[Value]) -> list[Value]:
        env: dict[Any, Value] = {}
        for var, c in zip(jaxpr.constvars, consts, strict=True):
            env[var] = self.constant(c, var.aval)
        for var, arg in zip(jaxpr.invars, args, strict=True):
            env[var] = arg

        def read(atom) -> Value:
            if isinstance(atom, Literal):
                return self.constant(atom.val, atom.aval)
            return env[atom]

        platform: dict[Any, int] = {}  # platform_index results: the CPU's branch
        for eqn in jaxpr.eqns:
            name = eqn.primitive.name
            if name == "platform_index":
                platforms = eqn.params["platforms"]
                cpu = [i for i, p in enumerate(platforms) if p and "cpu" in p]
                default = [i for i, p in enumerate(platforms) if p is None]
                platform[eqn.outvars[0]] = (cpu or default)[0]
                continue
            if name == "cond" and eqn.invars[0] in platform:
                branch = eqn.params["branches"][platform[eqn.invars[0]]]
                args = [read(a) for a in eqn.invars[1:]]
                results = self.inline(branch.jaxpr, branch.consts, args)
            elif name in _CALLS and _CALLS[name] in eqn.params:
                inner = eqn.params[_CALLS[name]]
                if isinstance(inner, ClosedJaxpr):
                    inner_jaxpr, consts = inner.jaxpr, inner.consts
                else:
                    inner_jaxpr, consts = inner, []
                results = self.inline(
                    inner_jaxpr, consts, [read(a) for a in eqn.invars]
                )
            else:
                results = [_value_of(v.aval) for v in eqn.outvars]
                self.equations.append(
                    Equation(name, [read(a) for a in eqn.invars], results, eqn.params)
                )
            for var, value in zip(eqn.outvars, results, strict=True):
                env[var] = value
        return [read(v) for v in jaxpr.outvars]


def flatten(closed: ClosedJaxpr) -> FlatProgram:
    """The equations of `closed`, with every call inlined. Values are numbered
    from 0 in each program, so the same step always gives the same C++."""
    _numbering.append(itertools.count())
    try:
        flattener = _Flattener()
        inputs = [_value_of(v.aval) for v in closed.jaxpr.invars]
        outputs = flattener.inline(closed.jaxpr, closed.consts, inputs)
    finally:
        _numbering.pop()
    return FlatProgram(inputs, outputs, flattener.equations, flattener.constants)
