"""Print `metal.kernel` ops as Metal Shading Language compute kernels (`tinyir-opt -t metal`).

    kernel void k0(device float* data0 [[buffer(0)]], device const float* data1 [[buffer(1)]],
                   uint3 gid [[thread_position_in_grid]]) {
      int gidx0 = int(gid.x);
      float val0 = data1[gidx0];
      ...

Names: buffers `data0..`, thread positions `gidx0..`, loop indices `ridx0..`, registers `acc0..`,
other values `val0..`. Constants are inlined. tinyir's wrap-around integer ops are made defined in
MSL's C++: i32 `+ - * <<` and negation go through `uint` with `as_type`, i8/ui8 results are
narrowed with `static_cast` (the arithmetic itself is done in `int`, where it cannot overflow),
and shift amounts are masked to the bit width.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from xdsl.dialects.builtin import ModuleOp, f16, f32, i1, i32
from xdsl.ir import Attribute, Operation, SSAValue

from tinyir.diagnostics import emit_error
from tinyir.element_types import numpy_dtype
from tinyir.targets.base import KernelSource
from tinyir.targets.metal import dialect as metal

PRELUDE = "#include <metal_stdlib>\nusing namespace metal;\n"
_WRAPPING = ("+", "-", "*", "<<")  # operators whose i32 result may overflow


def msl_type(t: Attribute) -> str:
    return metal.MSL_TYPES[t]


def msl_literal(value: float | int | bool, t: Attribute) -> str:
    """`value` as an MSL expression of type `t` (`1.5f`, `half(0.5f)`, `char(-3)`, `INFINITY`)."""
    if t == i1:
        return "true" if value else "false"
    if t in metal.FLOATS:
        v = float(np.float16(value)) if t == f16 else float(np.float32(value))
        if math.isnan(v):
            text = "NAN"
        elif math.isinf(v):
            text = "INFINITY" if v > 0 else "(-INFINITY)"
        else:
            text = str(np.float32(v))  # the shortest text that reads back as this float
            text = f"{text}f" if ("." in text or "e" in text) else f"{text}.0f"
            text = f"({text})" if text.startswith("-") else text
        return text if t == f32 else f"half({text})"
    v = int(value)
    if t == i32:
        return "(-2147483647-1)" if v == -(2**31) else (f"({v})" if v < 0 else str(v))
    return f"{msl_type(t)}({v})"


class _KernelPrinter:
    """Names values and prints one statement per op."""

    def __init__(self, kernel: metal.KernelOp) -> None:
        self.kernel = kernel
        self.names: dict[SSAValue, str] = {}
        self.counters: dict[str, int] = {}
        self.lines: list[str] = []
        self.depth = 1

    def fresh(self, value: SSAValue, prefix: str) -> str:
        n = self.counters.get(prefix, 0)
        self.counters[prefix] = n + 1
        self.names[value] = f"{prefix}{n}"
        return self.names[value]

    def ref(self, value: SSAValue) -> str:
        owner = value.owner
        if isinstance(owner, metal.ConstOp):
            return msl_literal(metal.literal_value(owner.value), owner.result.type)
        return self.names[value]

    def line(self, text: str) -> None:
        self.lines.append("  " * self.depth + text)

    def print_kernel(self) -> str:
        kernel = self.kernel
        written = {op.buffer for op in kernel.body.walk() if isinstance(op, metal.StoreOp)}
        params = []
        for n, arg in enumerate(kernel.body.block.args):
            element = metal.MSL_STORAGE_TYPES[metal.buffer_type_of(arg.type)]
            const = "" if arg in written else "const "
            params.append(f"device {const}{element}* {self.fresh(arg, 'data')} [[buffer({n})]]")
        params.append("uint3 gid [[thread_position_in_grid]]")
        for op in kernel.body.block.ops:
            self.statement(op)
        header = f"kernel void {kernel.name_str}({', '.join(params)}) {{"
        return "\n".join([header, *self.lines, "}"])

    def statement(self, op: Operation) -> None:
        if isinstance(op, metal.ConstOp):
            return  # printed at its uses
        handler = _STATEMENTS.get(type(op))
        if handler is not None:
            handler(self, op)
            return
        expr = _EXPRESSIONS.get(type(op))
        if expr is None:
            emit_error(op, f"Metal emitter: no MSL form for {op.name}")
        result = op.results[0]
        prefix = "acc" if isinstance(op, metal.VarOp) else "val"
        self.line(f"{msl_type(result.type)} {self.fresh(result, prefix)} = {expr(self, op)};")

    # -------------------------------------------------------------- expressions

    def binary(self, op: metal.BinaryOp) -> str:
        t, operator = op.result.type, op.operator.data
        a, b = self.ref(op.lhs), self.ref(op.rhs)
        if operator in ("<<", ">>"):
            b = f"({b} & {8 * numpy_dtype(t).itemsize - 1})"  # amounts mod the width, never UB
        if t == i32 and operator == "<<":
            return f"as_type<int>(as_type<uint>({a}) << {b})"
        if t == i32 and operator in _WRAPPING:
            return f"as_type<int>(as_type<uint>({a}) {operator} as_type<uint>({b}))"
        if t in metal.INTS and t != i32:  # computed in int (no overflow), narrowed back (wraps)
            if operator == "<<":
                a = f"uint({a})"
            return f"static_cast<{msl_type(t)}>({a} {operator} {b})"
        return f"{a} {operator} {b}"

    def unary(self, op: metal.UnaryOp) -> str:
        t, x = op.result.type, self.ref(op.operand)
        if op.operator.data == "-" and t == i32:
            return f"as_type<int>(0u - as_type<uint>({x}))"
        if op.operator.data == "-" and t in metal.INTS:
            return f"static_cast<{msl_type(t)}>(-{x})"
        return f"{op.operator.data}{x}"

    def load(self, op: metal.LoadOp) -> str:
        read = f"{self.ref(op.buffer)}[{self.ref(op.index)}]"
        if op.result.type == i1:  # stored as uchar
            read = f"bool({read})"
        if op.gate is None:
            return read
        return f"{self.ref(op.gate)} ? {read} : {msl_literal(0, op.result.type)}"

    # -------------------------------------------------------------- statements

    def store(self, op: metal.StoreOp) -> None:
        value = self.ref(op.value)
        if op.value.type == i1:
            value = f"uchar({value})"
        text = f"{self.ref(op.buffer)}[{self.ref(op.index)}] = {value};"
        self.line(f"if ({self.ref(op.gate)}) {text}" if op.gate is not None else text)

    def thread_position(self, op: metal.ThreadPositionOp) -> None:
        dim = op.dim.data
        name = f"gidx{dim}"
        if name in self.names.values():  # a second read of the same position
            name = self.fresh(op.result, "val")
        self.names[op.result] = name
        self.line(f"int {name} = int(gid.{'xyz'[dim]});")

    def open_loop(self, op: metal.ForOp) -> None:
        name = self.fresh(op.result, "ridx")
        self.line(f"for (int {name} = {op.lower.data}; {name} < {op.upper.data}; {name}++) {{")
        self.depth += 1

    def close_loop(self, op: metal.EndForOp) -> None:
        self.depth -= 1
        self.line("}")


_STATEMENTS: dict[type[Operation], Callable[[_KernelPrinter, Operation], None]] = {
    metal.ThreadPositionOp: _KernelPrinter.thread_position,
    metal.ForOp: _KernelPrinter.open_loop,
    metal.EndForOp: _KernelPrinter.close_loop,
    metal.AssignOp: lambda p, op: p.line(f"{p.ref(op.var)} = {p.ref(op.value)};"),
    metal.StoreOp: _KernelPrinter.store,
}

_EXPRESSIONS: dict[type[Operation], Callable[[_KernelPrinter, Operation], str]] = {
    metal.VarOp: lambda p, op: msl_literal(metal.literal_value(op.value), op.result.type),
    metal.LoadOp: _KernelPrinter.load,
    metal.BinaryOp: _KernelPrinter.binary,
    metal.UnaryOp: _KernelPrinter.unary,
    metal.CompareOp: lambda p, op: f"{p.ref(op.lhs)} {op.operator.data} {p.ref(op.rhs)}",
    metal.CallOp: lambda p, op: f"metal::{op.callee.data}({', '.join(p.ref(a) for a in op.args)})",
    metal.SelectOp: lambda p, op: f"{p.ref(op.cond)} ? {p.ref(op.if_true)} : {p.ref(op.if_false)}",
    metal.ConvertOp: lambda p, op: f"static_cast<{msl_type(op.result.type)}>({p.ref(op.source)})",
    metal.AsTypeOp: lambda p, op: f"as_type<{msl_type(op.result.type)}>({p.ref(op.source)})",
}


def emit_kernel(kernel: Operation) -> KernelSource:
    """The MSL source of one `metal.kernel` (with the prelude), its grid and parameter dtypes."""
    if not isinstance(kernel, metal.KernelOp):
        emit_error(kernel, f"Metal emitter: expected a metal.kernel, got {kernel.name}")
    text = f"// Metal Shading Language {kernel.msl_version.data}\n{PRELUDE}\n{_KernelPrinter(kernel).print_kernel()}\n"
    dtypes = tuple(numpy_dtype(metal.buffer_type_of(a.type)).name for a in kernel.body.block.args)
    return KernelSource(name=kernel.name_str, text=text, global_size=kernel.grid_sizes, arg_dtypes=dtypes)


def emit_module(module: ModuleOp) -> str:
    """Every `metal.kernel` of a module as one MSL file (for `tinyir-opt -t metal`)."""
    kernels = [op for op in module.walk() if isinstance(op, metal.KernelOp)]
    if not kernels:
        emit_error(module, "Metal emitter: the module has no metal.kernel (run uop-to-metal first)")
    versions = sorted({k.msl_version.data for k in kernels})
    bodies = [_KernelPrinter(k).print_kernel() for k in kernels]
    return f"// Metal Shading Language {', '.join(versions)}\n{PRELUDE}\n" + "\n\n".join(bodies) + "\n"
