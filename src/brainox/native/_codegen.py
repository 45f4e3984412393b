"""The C++ of a fused step: one XLA FFI handler for a whole `step`.

The flat program of `_flatten.py` is translated into one function that XLA
calls once per step (or once per run of steps, see below). Its values take
one of three forms:

- *uniform*: the same for every neuron (0-d inputs, literals, broadcast
  scalars and arithmetic on them), computed once, before any loop;
- *lazy*: elementwise arithmetic on whole populations, not stored: an
  expression evaluated inside a loop over the neurons, where its inputs are
  read at the loop's index;
- *buffer*: stored in memory: the inputs, slices of them, the sums of the
  event-driven kernel, and lazy values that one of those needs.

The program runs its barriers (the event-driven kernel's row additions, and
the loops that store what a barrier reads) in the program's order, then one
loop per population size computes every remaining output at once, so a step
of a network reads and writes each state array once, as Brian2's generated
code does. Every primitive on 0-d and 1-d arrays that has a C++ counterpart is
translated; anything else raises `NotNative` with the primitive's name.

Outputs share the memory of the inputs they replace (XLA's
`input_output_aliases`) wherever no later read needs the old values; where a
read would, the output gets its own buffer. Sums of the event-driven kernel
go straight into the output buffer of the state they update.

A generator with `steps=True` wraps the step in a loop over a number of steps
given at run time, as Brian2's generated code loops over time: the uniform
values that do not change between steps (those of the parameters) are
computed once, before the loop; the per-step inputs (`per_step`) advance by
one step's values each step; each state is read where the step before wrote
it, in place where the single step may write in place, else in two buffers
used in turn.
"""

import collections
from collections.abc import Callable

import numpy as np

from ._flatten import Equation, FlatProgram, NotNative, Value


SCATTER_TARGET = "brainox_event_scatter"

_C_TYPES = {
    np.dtype(np.float32): "float",
    np.dtype(np.float64): "double",
    np.dtype(np.int8): "int8_t",
    np.dtype(np.int16): "int16_t",
    np.dtype(np.int32): "int32_t",
    np.dtype(np.int64): "int64_t",
    np.dtype(np.uint8): "uint8_t",
    np.dtype(np.uint16): "uint16_t",
    np.dtype(np.uint32): "uint32_t",
    np.dtype(np.uint64): "uint64_t",
    np.dtype(np.bool_): "bool",
}


def c_type(dtype: np.dtype) -> str:
    if dtype not in _C_TYPES:
        raise NotNative(f"arrays of dtype {dtype} have no native counterpart")
    return _C_TYPES[dtype]


def literal(value, dtype: np.dtype) -> str:
    """`value` as an exact C++ literal of `dtype`."""
    t = c_type(dtype)
    if dtype == np.bool_:
        return "true" if bool(value) else "false"
    if np.issubdtype(dtype, np.floating):
        x = float(value)
        if np.isnan(x):
            return f"std::numeric_limits<{t}>::quiet_NaN()"
        if np.isinf(x):
            sign = "-" if x < 0 else ""
            return f"{sign}std::numeric_limits<{t}>::infinity()"
        return f"{t}({x.hex()})"
    return f"{t}({int(value)}LL)"


def _binary(op: str) -> Callable[..., str]:
    return lambda a, b: f"({a} {op} {b})"


def _call(function: str) -> Callable[..., str]:
    return lambda *args: f"{function}({', '.join(args)})"


_ELEMENTWISE: dict[str, Callable[..., str]] = {
    "add": _binary("+"),
    "add_any": _binary("+"),
    "sub": _binary("-"),
    "mul": _binary("*"),
    "div": _call("brainox_step::Div"),
    "lt": _binary("<"),
    "le": _binary("<="),
    "gt": _binary(">"),
    "ge": _binary(">="),
    "eq": _binary("=="),
    "ne": _binary("!="),
    "neg": lambda a: f"(-{a})",
    "abs": _call("std::abs"),
    "exp": _call("std::exp"),
    "exp2": _call("std::exp2"),
    "log": _call("std::log"),
    "log1p": _call("std::log1p"),
    "expm1": _call("std::expm1"),
    "sqrt": _call("std::sqrt"),
    "cbrt": _call("std::cbrt"),
    "tanh": _call("std::tanh"),
    "sin": _call("std::sin"),
    "cos": _call("std::cos"),
    "tan": _call("std::tan"),
    "atan2": _call("std::atan2"),
    "sinh": _call("std::sinh"),
    "cosh": _call("std::cosh"),
    "asin": _call("std::asin"),
    "acos": _call("std::acos"),
    "atan": _call("std::atan"),
    "asinh": _call("std::asinh"),
    "acosh": _call("std::acosh"),
    "atanh": _call("std::atanh"),
    "erf": _call("std::erf"),
    "erfc": _call("std::erfc"),
    "floor": _call("std::floor"),
    "ceil": _call("std::ceil"),
    "pow": _call("std::pow"),
    "is_finite": _call("std::isfinite"),
    "max": _call("brainox_step::Max"),
    "min": _call("brainox_step::Min"),
    "sign": _call("brainox_step::Sign"),
    "square": lambda a: f"({a} * {a})",
}
"""Elementwise primitives whose C++ needs only their operands."""

_IDENTITY = frozenset({"stop_gradient", "copy", "copy_p"})
"""Primitives whose result is their operand."""


def _elementwise(eqn: Equation, args: list[str]) -> str:
    """The C++ expression of an elementwise equation on operand expressions."""
    name, out = eqn.primitive, eqn.outputs[0]
    t = c_type(out.dtype)
    if name in _IDENTITY:
        return args[0]
    if name in _ELEMENTWISE:
        # Keep the result's type (C++ promotes small integers and bools).
        return f"{t}({_ELEMENTWISE[name](*args)})"
    if name == "rsqrt":
        return f"({t}(1) / std::sqrt({args[0]}))"
    if name == "logistic":
        return f"({t}(1) / ({t}(1) + std::exp(-{args[0]})))"
    if name == "rem":
        return f"{t}(brainox_step::Rem({args[0]}, {args[1]}))"
    if name in ("and", "or", "xor", "not"):
        logical = out.dtype == np.bool_
        if name == "not":
            return f"(!{args[0]})" if logical else f"{t}(~{args[0]})"
        op = {"and": "&", "or": "|", "xor": "^"}[name]
        if logical and name != "xor":
            op += op
        return f"{t}({args[0]} {op} {args[1]})"
    if name == "select_n":
        which, *cases = args
        if eqn.inputs[0].dtype == np.bool_:
            return f"({which} ? {cases[1]} : {cases[0]})"
        expr = cases[-1]
        for i in range(len(cases) - 2, -1, -1):
            expr = f"({which} == {i} ? {cases[i]} : {expr})"
        return expr
    if name == "convert_element_type":
        source = c_type(eqn.inputs[0].dtype)
        return f"brainox_step::Convert<{t}, {source}>({args[0]})"
    if name == "round":
        away = int(eqn.params["rounding_method"]) == 0
        return f"{'std::round' if away else 'std::nearbyint'}({args[0]})"
    if name == "integer_pow":
        return f"brainox_step::IntegerPow<{int(eqn.params['y'])}>({args[0]})"
    if name == "clamp":
        low, x, high = args
        return f"brainox_step::Min(brainox_step::Max({x}, {low}), {high})"
    raise KeyError(name)


ELEMENTWISE_PRIMITIVES = (
    frozenset(_ELEMENTWISE)
    | _IDENTITY
    | {
        "rsqrt",
        "logistic",
        "rem",
        "and",
        "or",
        "xor",
        "not",
        "select_n",
        "convert_element_type",
        "round",
        "integer_pow",
        "clamp",
    }
)


def _by_reciprocal(eqn: Equation) -> Equation:
    """`x / c` for a float literal `c` as `x * (1 / c)`, the reciprocal rounded
    to the dtype, as XLA's algebraic simplifier rewrites a division of a value
    by a constant (a multiply costs a fraction of a divide)."""
    x, c = eqn.inputs
    if c.literal is None or not np.issubdtype(c.dtype, np.floating):
        return eqn
    with np.errstate(divide="ignore", over="ignore"):
        reciprocal = np.divide(np.ones((), c.dtype), np.asarray(c.literal, c.dtype))
    return Equation("mul", [x, Value((), c.dtype, reciprocal)], eqn.outputs, {})


class Buffer:
    """Memory a value is stored in: `pointer` (C++), and what owns it."""

    def __init__(self, pointer: str, owner: tuple, offset: int = 0):
        self.pointer, self.owner, self.offset = pointer, owner, offset


class _Op:
    """One stage of the step, in order, for the aliasing analysis: the inputs
    it reads (`whole` or only at the loop index, `at_index`) and the outputs
    it writes."""

    def __init__(self):
        self.reads: dict[int, str] = {}
        self.writes: set[int] = set()

    def read(self, k: int, how: str) -> None:
        if self.reads.get(k) != "whole":
            self.reads[k] = how


class Generator:
    """Translate a flat program; `outputs[k]` replaces `program.inputs[k]`.

    `n_leaves` is the number of leading inputs that outputs replace (the
    model's leaves); later inputs (the step's input, constants) are read only.
    With `steps=True` the function runs the step a number of times given by
    an int32 input after the packs; the inputs numbered in `per_step` then
    hold one step's values after another (a leading axis of steps).
    """

    def __init__(
        self,
        program: FlatProgram,
        n_leaves: int,
        symbol: str,
        steps: bool = False,
        per_step: frozenset[int] = frozenset(),
    ):
        if per_step and not steps:
            raise ValueError("per-step inputs need a loop over steps")
        self.program, self.n_leaves, self.symbol = program, n_leaves, symbol
        self.steps, self.per_step = steps, per_step
        self.uniform: dict[Value, str] = {}
        # Uniform values that change from step to step (per-step inputs,
        # 0-d states and what depends on them), computed inside the loop.
        self.varying: set[Value] = set()
        self.step_prelude: list[str] = []
        # Values of literals alone, which XLA folds (dividing exactly).
        self.folded: set[Value] = set()
        self.buffer: dict[Value, Buffer] = {}
        self.lazy: dict[Value, Equation] = {}
        self.prelude: list[str] = []
        self.body: list[str] = []
        self.ops: list[_Op] = []
        self.temps: list[str] = []
        self.taken: set[int] = set()  # output buffers holding a value
        self.hosted: set[int] = set()  # those holding sums, until the last loop
        self.found: dict[tuple[str, int], str] = {}  # spikes found, by input
        self.n_found = 0
        inputs = list(program.inputs) + [v for v, _ in program.constants]
        self.inputs = inputs
        self.outputs = {
            k: v
            for k, v in enumerate(program.outputs)
            if not (k < n_leaves and inputs[k] is v)
        }
        self.output_of: dict[Value, list[int]] = collections.defaultdict(list)
        for k, v in self.outputs.items():
            self.output_of[v].append(k)
        self.uses: dict[Value, list[int]] = collections.defaultdict(list)
        self.sliced: set[Value] = set()
        for i, eqn in enumerate(program.equations):
            for v in eqn.inputs:
                self.uses[v].append(i)
            if eqn.primitive == "slice":
                self.sliced.add(eqn.inputs[0])

    # -- values -----------------------------------------------------------

    def name(self, v: Value) -> str:
        return f"v{v.id}"

    def define_uniform(self, v: Value, expr: str, varying: bool = False) -> None:
        prelude = self.step_prelude if varying else self.prelude
        prelude.append(f"const {c_type(v.dtype)} {self.name(v)} = {expr};")
        self.uniform[v] = self.name(v)
        if varying:
            self.varying.add(v)

    def read_buffer(self, buffer: Buffer, length: int, op: _Op, at_index: bool):
        if buffer.owner[0] == "in":
            k = buffer.owner[1]
            same = at_index and buffer.offset == 0
            same = same and length == self.inputs[k].size
            op.read(k, "at_index" if same else "whole")

    def operand(self, v: Value, op: _Op) -> str:
        """`v` inside a loop at index `i` (or anywhere, if uniform); a value of
        one element (lax broadcasts those) is read at index 0."""
        if v.literal is not None:
            return literal(v.literal, v.dtype)
        if v in self.uniform:
            return self.uniform[v]
        if v in self.buffer:
            one = v.size == 1
            self.read_buffer(self.buffer[v], v.size, op, at_index=not one)
            return f"{self.buffer[v].pointer}[{0 if one else 'i'}]"
        if v not in self.lazy:  # an input of a dtype without a C++ type
            raise NotNative(f"arrays of dtype {v.dtype} have no native counterpart")
        return self.name(v)  # lazy: a local of the loop

    # -- loops and barriers -------------------------------------------------

    def temp(self, v: Value) -> Buffer:
        name = f"t{len(self.temps)}"
        t = c_type(v.dtype)
        self.temps.append(
            f"static thread_local std::unique_ptr<{t}[]> {name}_storage"
            f"(new {t}[{v.size}]);\n"
            f"  {t}* const {name} = {name}_storage.get();"
        )
        return Buffer(name, ("temp", name))

    def output_buffer(self, k: int, host: bool = False) -> Buffer:
        self.taken.add(k)
        if host:
            self.hosted.add(k)
        return Buffer(f"out{k}", ("out", k))

    def loop(self, length: int, roots: list[tuple[Value, Buffer]]) -> _Op:
        """A loop over `length` neurons storing each root value in its buffer."""
        op = _Op()
        order: list[Value] = []
        seen: set[int] = set()

        def visit(v: Value) -> None:
            if v.id in seen or v not in self.lazy or v in self.buffer:
                return
            seen.add(v.id)
            for a in self.lazy[v].inputs:
                visit(a)
            order.append(v)

        for v, _ in roots:
            visit(v)
        lines = []
        for v in sorted(order, key=lambda v: v.id):
            eqn = self.lazy[v]
            if eqn.primitive == "broadcast_one":
                (x,) = eqn.inputs
                self.read_buffer(self.buffer[x], x.size, op, at_index=False)
                expr = f"{self.buffer[x].pointer}[0]"
            else:
                expr = _elementwise(eqn, [self.operand(a, op) for a in eqn.inputs])
            lines.append(f"const {c_type(v.dtype)} {self.name(v)} = {expr};")
        for v, buffer in roots:
            lines.append(f"{buffer.pointer}[i] = {self.operand(v, op)};")
            if buffer.owner[0] == "out":
                op.writes.add(buffer.owner[1])
        body = "\n".join("    " + line for line in lines)
        self.body.append(
            f"  #pragma omp simd\n  for (int64_t i = 0; i < {length}; ++i) {{\n"
            f"{body}\n  }}"
        )
        self.ops.append(op)
        return op

    def materialise(self, v: Value) -> Buffer:
        """`v` stored in memory (a loop computes it if it is not yet)."""
        if v in self.buffer:
            return self.buffer[v]
        free = [k for k in self.output_of.get(v, []) if k not in self.taken]
        buffer = self.output_buffer(free[0]) if free else self.temp(v)
        self.loop(v.size, [(v, buffer)])
        self.buffer[v] = buffer
        return buffer

    def scalar_pointer(self, v: Value) -> str:
        """A pointer to a one-element value (the weight of the event-driven
        kernel): its memory, or a constant of the prelude if it is uniform."""
        if not self._is_uniform(v):
            return self.materialise(v).pointer
        holder = f"p{v.id}"
        prelude = self.step_prelude if v in self.varying else self.prelude
        prelude.append(
            f"const {c_type(v.dtype)} {holder}[1] = {{{self.operand(v, _Op())}}};"
        )
        return holder

    def scatter(self, eqn: Equation, index: int) -> None:
        """The event-driven kernel's row additions (`_event_rows.h`)."""
        s, targets, offsets, w, into = eqn.inputs
        (result,) = eqn.outputs
        t = c_type(result.dtype)
        per_synapse = w.size != 1
        if targets.dtype not in (np.uint16, np.int32) or offsets.dtype != np.int32:
            raise NotNative(
                f"event-driven targets of dtype {targets.dtype} and offsets of "
                f"dtype {offsets.dtype} (the kernel reads uint16 or int32 targets "
                "and int32 offsets)"
            )
        if offsets.shape != (s.size + 1,) or (
            per_synapse and (len(w.shape) != 2 or w.shape[0] != s.size)
        ):
            raise ValueError(
                f"the event-driven propagation of {s.size} presynaptic neurons got "
                f"{offsets.size} row offsets (needs {s.size + 1}) and weights of "
                f"shape {w.shape} (needs one value or ({s.size}, width)); build "
                "the table with bx.connect"
            )
        spikes = self.materialise(s)
        rows = [self.materialise(a) for a in (targets, offsets)]
        weight = self.materialise(w).pointer if per_synapse else self.scalar_pointer(w)
        source = self.materialise(into)
        op = _Op()
        for buffer, value in ((spikes, s), (rows[0], targets), (rows[1], offsets)):
            self.read_buffer(buffer, value.size, op, at_index=False)
        if w in self.buffer:
            self.read_buffer(self.buffer[w], w.size, op, at_index=False)
        destination = self.scatter_destination(result, into, source, index)
        if destination.pointer != source.pointer:
            # An input copied into the output that replaces it is no read
            # (no copy at all when the two share memory), unless this stage
            # reads it otherwise too.
            k = source.owner[1] if source.owner[0] == "in" else None
            if not (destination.owner == ("out", k) and k not in op.reads):
                self.read_buffer(source, into.size, op, at_index=False)
            copy = f"std::memcpy({destination.pointer}, {source.pointer}, "
            copy += f"sizeof({t}) * {into.size});"
            self.body.append(f"  if ({destination.pointer} != {source.pointer}) {copy}")
        if destination.owner[0] == "out":
            op.writes.add(destination.owner[1])
        index_type = "uint16_t" if targets.dtype == np.uint16 else "int32_t"
        width = w.shape[1] if per_synapse else 0
        found = self.spikes_found(spikes, s)
        self.body.append(
            f"  if (!brainox_rows::AddRowsOf<{t}, {index_type}>("
            f"brainox_rows::Rows{{{rows[0].pointer}, {rows[1].pointer}, "
            f"{targets.size}, {into.size}, {width}}}, {spikes.pointer}, {found}, "
            f"{found}_count, {weight}, {'true' if per_synapse else 'false'}, "
            f"{destination.pointer})) {{\n"
            '    return ffi::Error::InvalidArgument("brainox native step: a row of '
            'the event-driven propagation lies outside its targets or weights");\n'
            "  }"
        )
        self.ops.append(op)
        self.buffer[result] = destination

    def spikes_found(self, spikes: Buffer, s: Value) -> str:
        """The indices of the nonzero spikes in `spikes`, found once for all the
        tables that read the same input (inputs are not written before the
        outputs that replace them: the found spikes are those of the step)."""
        key = (spikes.pointer, s.size)
        if spikes.owner[0] == "in" and key in self.found:
            return self.found[key]
        name = f"f{self.n_found}"
        self.n_found += 1
        if spikes.owner[0] == "in":
            self.found[key] = name
        self.body.append(
            f"  static thread_local std::unique_ptr<int64_t[]> {name}_storage"
            f"(new int64_t[{s.size}]);\n"
            f"  int64_t* const {name} = {name}_storage.get();\n"
            f"  const int64_t {name}_count = brainox_rows::FindSpikes<"
            f"{c_type(s.dtype)}>({spikes.pointer}, {s.size}, {name});"
        )
        return name

    def scatter_destination(
        self, result: Value, into: Value, source: Buffer, index: int
    ) -> Buffer:
        """Where the sums go: in place when `into` is not read again, else into
        the output buffer of the state that `into` is, else a new buffer."""
        # The sums may stay in an output buffer only if no slice reads them
        # (at another index) and no other output copies them at the end.
        others = [k for k in self.output_of.get(result, []) if k != self._leaf(source)]
        fits_output = result not in self.sliced and not others
        # In place: `into` is read by this equation alone, and owns its buffer.
        alone = self.uses[into] == [index] and into not in self.output_of
        alone = alone and source.offset == 0 and "+" not in source.pointer
        alone = alone and sum(b is source for b in self.buffer.values()) == 1
        kind = source.owner[0]
        if alone and (kind == "temp" or (kind == "out" and fits_output)):
            return source
        k = self._leaf(source)
        if (
            k is not None
            and k in self.outputs
            and k not in self.taken
            and fits_output
            and self.outputs[k].shape == result.shape
            and self.outputs[k].dtype == result.dtype
            and self.inputs[k] is into
        ):
            return self.output_buffer(k, host=True)
        return self.temp(result)

    def _leaf(self, buffer: Buffer) -> int | None:
        owner = buffer.owner
        if owner[0] in ("in", "out") and owner[1] < self.n_leaves:
            return owner[1]
        return None

    # -- the program --------------------------------------------------------

    def translate(self, eqn: Equation, index: int) -> None:
        name = eqn.primitive
        if name == "ffi_call" and eqn.params.get("target_name") == SCATTER_TARGET:
            self.scatter(eqn, index)
            return
        (out,) = eqn.outputs if len(eqn.outputs) == 1 else (None,)
        if out is None or len(out.shape) > 1:
            raise NotNative(f"the primitive `{name}` on {self._shapes(eqn)}")
        if name == "div" and not self._is_folded(eqn.inputs[0]):
            eqn = _by_reciprocal(eqn)
        if name in ELEMENTWISE_PRIMITIVES:
            if all(self._is_uniform(a) for a in eqn.inputs):
                args = [self.operand(a, _Op()) for a in eqn.inputs]
                varying = any(a in self.varying for a in eqn.inputs)
                self.define_uniform(out, _elementwise(eqn, args), varying)
                if all(self._is_folded(a) for a in eqn.inputs):
                    self.folded.add(out)
                return
            for a in eqn.inputs:
                if a.size == 1 < out.size and not self._is_uniform(a):
                    self.materialise(a)  # one value, read by every neuron
            self.lazy[out] = eqn
            return
        if not eqn.inputs:  # iota, random seeds, ...
            raise NotNative(f"the primitive `{name}`")
        (x, *_) = eqn.inputs
        if name in ("broadcast_in_dim", "reshape", "squeeze", "expand_dims"):
            if x.shape == out.shape or (x.size == 1 and self._is_uniform(x)):
                self._same(out, x)
                return
            if x.size == 1:  # one value in memory, read by every neuron
                self.materialise(x)
                self.lazy[out] = Equation("broadcast_one", [x], [out], {})
                return
        if name == "slice" and len(x.shape) == 1:
            strides = eqn.params.get("strides")
            if strides is None or tuple(strides) == (1,):
                (start,) = eqn.params["start_indices"]
                if self._is_uniform(x):
                    self._same(out, x)
                    return
                source = self.materialise(x)
                self.buffer[out] = Buffer(
                    f"({source.pointer} + {start})", source.owner, source.offset + start
                )
                return
        raise NotNative(f"the primitive `{name}` on {self._shapes(eqn)}")

    def _same(self, out: Value, x: Value) -> None:
        if x.literal is not None:  # (a broadcast literal stays a literal)
            out.literal = x.literal
            self.uniform[out] = literal(x.literal, x.dtype)
        elif x in self.uniform:
            self.uniform[out] = self.uniform[x]
            if x in self.varying:
                self.varying.add(out)
            if x in self.folded:
                self.folded.add(out)
        elif x in self.buffer:
            self.buffer[out] = self.buffer[x]
        else:
            self.lazy[out] = Equation("copy", [x], [out], {})

    def _is_uniform(self, v: Value) -> bool:
        return v.literal is not None or v in self.uniform

    def _is_folded(self, v: Value) -> bool:
        return v.literal is not None or v in self.folded

    @staticmethod
    def _shapes(eqn: Equation) -> str:
        shapes = ", ".join(f"{v.dtype}{list(v.shape)}" for v in eqn.inputs)
        return f"arrays of shapes ({shapes})"

    def generate(self) -> tuple[str, list[int], list[int], dict[int, int], list]:
        """The C++ source, the inputs it reads, the outputs it writes (by
        position), which output shares memory with which input, and the packs:
        the 0-d inputs of each dtype, which the caller stacks into one array
        (input `len(inputs) + p` for pack `p`), so that the call passes one
        buffer for all of a model's scalar parameters. With `steps=True` the
        number of steps is the input after the packs."""
        # Inputs whose values change between the steps of a loop: read where
        # they are, every step, rather than packed.
        moving = set(self.per_step)
        if self.steps:
            moving |= {k for k in self.outputs if k < self.n_leaves}
        packs: dict[np.dtype, list[int]] = {}
        for k, v in enumerate(self.inputs):
            # (an input of another dtype is refused only where it is used)
            if v.literal is None and v.shape == () and v.dtype in _C_TYPES:
                if k in moving:
                    self.define_uniform(v, f"in{k}[0]", varying=True)
                else:
                    packs.setdefault(v.dtype, []).append(k)
        n_inputs = len(self.inputs)
        for p, (dtype, members) in enumerate(packs.items()):
            self.inputs.append(Value((len(members),), dtype))
            for j, k in enumerate(members):
                self.define_uniform(self.inputs[k], f"in{n_inputs + p}[{j}]")
        if self.steps:
            self.inputs.append(Value((), np.dtype(np.int32)))
        for k, v in enumerate(self.inputs[:n_inputs]):
            if v.literal is None and v.shape != () and v.dtype in _C_TYPES:
                self.buffer[v] = Buffer(f"in{k}", ("in", k))
        for i, eqn in enumerate(self.program.equations):
            self.translate(eqn, i)
        self.finish()
        read = self._inputs_read()
        return (
            self.source(),
            read,
            sorted(self.outputs),
            self.aliases(),
            [members for members in packs.values()],
        )

    def finish(self) -> None:
        """One loop per population size for the remaining outputs, then copies."""
        groups: dict[int, list[tuple[Value, Buffer]]] = collections.defaultdict(list)
        ends: list[tuple[int, Value]] = []
        for k, v in sorted(self.outputs.items()):
            if v in self.buffer or (v.shape == () and self._is_uniform(v)):
                ends.append((k, v))
            elif k not in self.taken or k in self.hosted:
                groups[v.size].append((v, self.output_buffer(k)))
            else:
                ends.append((k, v))
        # A sum held in an output buffer is overwritten by its own loop: a loop
        # of another size that reads it (a one-element value, broadcast) must
        # not run after that one, so such an output is computed beforehand.
        for length, roots in groups.items():
            for other, other_roots in groups.items():
                read = self._buffers_read([v for v, _ in other_roots])
                owners = {b.owner for b in read}
                for v, buffer in list(roots) if other != length else []:
                    if buffer.owner[1] in self.hosted and buffer.owner in owners:
                        roots.remove((v, buffer))
                        self.materialise(v)
                        ends.append((buffer.owner[1], v))
        for length, roots in groups.items():
            if roots:
                self.loop(length, roots)
        op = _Op()
        for k, v in ends:
            t = c_type(v.dtype)
            if v.shape == () and self._is_uniform(v):
                self.body.append(f"  out{k}[0] = {self.operand(v, op)};")
            else:
                source = self.materialise(v)
                if source.pointer == f"out{k}":
                    continue
                self.read_buffer(source, v.size, op, at_index=False)
                self.body.append(
                    f"  if (out{k} != {source.pointer}) std::memcpy(out{k}, "
                    f"{source.pointer}, sizeof({t}) * {v.size});"
                )
            op.writes.add(k)
        self.ops.append(op)

    def _buffers_read(self, values: list[Value]) -> list[Buffer]:
        """The buffers that computing `values` in a loop reads."""
        read: list[Buffer] = []
        seen: set[int] = set()
        stack = list(values)
        while stack:
            v = stack.pop()
            if v.id in seen:
                continue
            seen.add(v.id)
            if v in self.buffer:
                read.append(self.buffer[v])
            elif v in self.lazy:
                stack.extend(self.lazy[v].inputs)
        return read

    def aliases(self) -> dict[int, int]:
        """Output k shares input k's memory when no read of input k follows
        the first write of output k (a read at the same loop index, or a copy
        into output k, is allowed at that write)."""
        shared = {}
        for k, v in self.outputs.items():
            if k >= self.n_leaves:
                continue
            x = self.inputs[k]
            if x.shape != v.shape or x.dtype != v.dtype:
                continue
            first = next((i for i, op in enumerate(self.ops) if k in op.writes), None)
            if first is None:
                continue
            safe = all(k not in op.reads for op in self.ops[first + 1 :])
            safe = safe and self.ops[first].reads.get(k, "at_index") == "at_index"
            if safe:
                shared[k] = k
        return shared

    def _inputs_read(self) -> list[int]:
        text = "\n".join(self.prelude + self.step_prelude + self.body)
        read = [k for k in range(len(self.inputs)) if f"in{k}" in _words(text)]
        if self.steps:  # the number of steps
            read.append(len(self.inputs) - 1)
        return read

    def source(self) -> str:
        used = self._inputs_read()
        # States read by the next step; those that may not be written in
        # place take two buffers in turn.
        carried = [k for k in sorted(self.outputs) if k < self.n_leaves and k in used]
        carried = carried if self.steps else []
        shared = self.aliases()
        turns = [k for k in carried if k not in shared]
        advancing = set(carried) | (self.per_step & set(used))
        # Outputs after the states: one row per step, with `steps=True`.
        rows = [k for k in sorted(self.outputs) if k >= self.n_leaves]
        lines = []
        for position, k in enumerate(used):
            t = c_type(self.inputs[k].dtype)
            fixed = "" if k in advancing else " const"
            lines.append(
                f"  const {t}*{fixed} in{k} = "
                f"args.get<ffi::AnyBuffer>({position}).value().typed_data<{t}>();"
            )
        for position, k in enumerate(sorted(self.outputs)):
            t = c_type(self.outputs[k].dtype)
            fixed = "" if k in turns or k in rows else " const"
            lines.append(
                f"  {t}*{fixed} out{k} = "
                f"rets.get<ffi::AnyBuffer>({position}).value()->typed_data<{t}>();"
            )
        lines += ["  " + line for line in self.prelude + self.temps]
        if self.steps:
            per_step = sorted(advancing - set(carried))
            lines += self._step_loop(carried, turns, per_step, rows)
        else:
            lines += self.body
        body = "\n".join(lines)
        return _TEMPLATE.format(symbol=self.symbol, body=body)

    def _step_loop(
        self, carried: list[int], turns: list[int], per_step: list[int], rows: list[int]
    ) -> list[str]:
        """The step inside a loop over the steps: each carried state is read
        next where this step wrote it; the per-step inputs and outputs move on
        by one step's values."""
        lines = []
        for k in turns:
            t, size = c_type(self.outputs[k].dtype), self.outputs[k].size
            lines += [
                f"  {t}* const result{k} = out{k};",
                f"  static thread_local std::unique_ptr<{t}[]> turn{k}_storage"
                f"(new {t}[{size}]);",
                f"  {t}* const turn{k} = turn{k}_storage.get();",
            ]
        lines.append(f"  const int64_t steps = in{len(self.inputs) - 1}[0];")
        lines.append("  for (int64_t step = 0; step < steps; ++step) {")
        lines += ["    " + line for line in self.step_prelude]
        lines += ["\n".join("  " + line for line in b.split("\n")) for b in self.body]
        for k in carried:
            lines.append(f"    in{k} = out{k};")
            if k in turns:
                lines.append(f"    out{k} = out{k} == result{k} ? turn{k} : result{k};")
        for k in per_step:
            lines.append(f"    in{k} += {self.inputs[k].size};")
        for k in rows:
            lines.append(f"    out{k} += {self.outputs[k].size};")
        lines.append("  }")
        for k in turns:
            t, size = c_type(self.outputs[k].dtype), self.outputs[k].size
            lines.append(
                f"  if (in{k} != result{k}) "
                f"std::memcpy(result{k}, in{k}, sizeof({t}) * {size});"
            )
        return lines


def _words(text: str) -> set[str]:
    word = []
    words = set()
    for ch in text + " ":
        if ch.isalnum() or ch == "_":
            word.append(ch)
        elif word:
            words.add("".join(word))
            word = []
    return words


_TEMPLATE = """// Generated by brainox.native_step: one step of a model, fused.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>

#include "_event_rows.h"
#include "_support.h"
#include "xla/ffi/api/ffi.h"

namespace ffi = xla::ffi;

static ffi::Error Step(ffi::RemainingArgs args, ffi::RemainingRets rets) {{
{body}
  return ffi::Error::Success();
}}

XLA_FFI_DEFINE_HANDLER_SYMBOL({symbol}, Step,
                              ffi::Ffi::Bind().RemainingArgs().RemainingRets());
"""
