"""Print `ocl.kernel` ops as OpenCL C: one statement per op, constants inline.

Names: buffer parameters `data0..`, global ids `gidx0..`, loop indices `ridx0..`, accumulators
`acc0..`, every other value `val0..`.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from xdsl.dialects.builtin import ModuleOp, f16, f32, i1, i32
from xdsl.ir import Attribute, Operation, SSAValue

from tinyir.diagnostics import emit_error
from tinyir.element_types import is_unsigned, numpy_dtype
from tinyir.targets.base import KernelSource
from tinyir.targets.opencl import dialect as ocl

FP16_PRAGMA = "#pragma OPENCL EXTENSION cl_khr_fp16 : enable"
ROUND_HALF = "tinyir_round_half"
# f32 -> nearest f16 (ties to even), back in a float, through a private 2-byte slot: valid
# OpenCL C without cl_khr_fp16, since `half` is only used as a pointer target.
ROUND_HALF_HELPER = f"""float {ROUND_HALF}(float x) {{
  ushort bits;
  vstore_half_rte(x, 0, (__private half*)&bits);
  return vload_half(0, (const __private half*)&bits);
}}"""


def c_type(t: Attribute) -> str:
    return ocl.C_TYPES[t]


def c_literal(value: float | int | bool, t: Attribute) -> str:
    """`value` as an OpenCL C expression of type `t` (e.g. `1.5f`, `(char)-3`, `INFINITY`)."""
    if t == i1:
        return "true" if value else "false"
    if t in ocl.FLOATS:
        v = float(np.float16(value)) if t == f16 else float(np.float32(value))
        if math.isnan(v):
            text = "NAN"
        elif math.isinf(v):
            text = "INFINITY" if v > 0 else "(-INFINITY)"
        else:
            text = str(np.float32(v))  # shortest text that reads back as this float (and half)
            text = f"{text}f" if ("." in text or "e" in text) else f"{text}.0f"
            text = f"({text})" if text.startswith("-") else text
        return text if t == f32 else f"(half){text}"
    v = int(value)
    if t == i32:
        return "(-2147483647-1)" if v == -(2**31) else (f"({v})" if v < 0 else str(v))
    if t == ocl.ui32:
        return f"{v}u"
    return f"(({c_type(t)}){v})"


_SIDE_EFFECTS = (ocl.StoreOp, ocl.StoreHalfOp, ocl.AssignOp, ocl.ForOp, ocl.EndForOp)


def _inlined_ops(kernel: ocl.KernelOp) -> set[Operation]:
    """Ops printed inside their single user's statement instead of as their own.

    These are the pieces of wrap-around arithmetic, so that a signed `uop.add` prints as one
    statement `int val3 = (int)((uint)val1 + (uint)val2);`: casts to unsigned feeding an op,
    and the unsigned op feeding the cast back. Only across ops without side effects.
    """
    ops = list(kernel.body.block.ops)
    position = {op: i for i, op in enumerate(ops)}
    inlined: set[Operation] = set()
    for op in ops:
        uses = list(op.results[0].uses) if len(op.results) == 1 else []
        if len(uses) != 1:
            continue
        user = uses[0].operation
        if user not in position or any(isinstance(o, _SIDE_EFFECTS) for o in ops[position[op] + 1:position[user]]):
            continue
        to_unsigned = isinstance(op, ocl.ConvertOp) and is_unsigned(op.result.type) and not isinstance(user, ocl.ConvertOp)
        wraps_back = (isinstance(op, ocl.BinaryOp | ocl.UnaryOp) and isinstance(user, ocl.ConvertOp)
                      and is_unsigned(op.result.type) and not is_unsigned(user.result.type))
        if to_unsigned or wraps_back:
            inlined.add(op)
    return inlined


class _KernelPrinter:
    """Names values and prints statements for one kernel."""

    def __init__(self, kernel: ocl.KernelOp) -> None:
        self.kernel = kernel
        self.names: dict[SSAValue, str] = {}
        self.counters: dict[str, int] = {}
        self.lines: list[str] = []
        self.depth = 1
        self.inlined = _inlined_ops(kernel)

    def fresh(self, value: SSAValue, prefix: str) -> str:
        n = self.counters.get(prefix, 0)
        self.counters[prefix] = n + 1
        self.names[value] = f"{prefix}{n}"
        return self.names[value]

    def ref(self, value: SSAValue) -> str:
        """How a use of `value` is written: a name, a literal or an inlined expression."""
        owner = value.owner
        if isinstance(owner, ocl.ConstOp):
            return c_literal(ocl.literal_value(owner.value), owner.result.type)
        if owner in self.inlined:
            text = self.expr(owner)
            return text if isinstance(owner, ocl.ConvertOp) else f"({text})"
        return self.names[value]

    def line(self, text: str) -> None:
        self.lines.append("  " * self.depth + text)

    def print_kernel(self) -> str:
        kernel = self.kernel
        # PoCL declares vload_half without `const`, so f16 buffers read that way are left non-const
        written = {op.buffer for op in kernel.body.walk() if isinstance(op, ocl.StoreOp | ocl.StoreHalfOp | ocl.LoadHalfOp)}
        params = []
        for arg in kernel.body.block.args:
            element = ocl.C_STORAGE_TYPES[ocl.buffer_element_type(arg.type)]
            qualifier = "" if arg in written else "const "
            params.append(f"__global {qualifier}{element}* restrict {self.fresh(arg, 'data')}")
        for op in kernel.body.block.ops:
            self.statement(op)
        header = f"__kernel void {kernel.name_str}({', '.join(params)}) {{"
        return "\n".join([header, *self.lines, "}"])

    def statement(self, op: Operation) -> None:
        if op in self.inlined or isinstance(op, ocl.ConstOp):
            return  # printed at its use
        handler = _STATEMENTS.get(type(op))
        if handler is not None:
            handler(self, op)
            return
        result = op.results[0]
        prefix = "acc" if isinstance(op, ocl.VarOp) else "val"
        expr = self.expr(op)
        self.line(f"{c_type(result.type)} {self.fresh(result, prefix)} = {expr};")

    def expr(self, op: Operation) -> str:
        """The C expression computing `op`'s result from its operands."""
        if isinstance(op, ocl.BinaryOp | ocl.CompareOp):
            return f"{self.ref(op.lhs)} {op.C_OPERATOR} {self.ref(op.rhs)}"
        if isinstance(op, ocl.UnaryOp):
            return f"{op.C_OPERATOR}{self.ref(op.operand)}"
        handler = _EXPRESSIONS.get(type(op))
        if handler is None:
            emit_error(op, f"OpenCL emitter: no C form for {op.name}")
        return handler(self, op)

    def load(self, op: ocl.LoadOp) -> str:
        element = op.result.type
        read = f"{self.ref(op.buffer)}[{self.ref(op.index)}]"
        if element == i1:  # stored as uchar
            read = f"(bool){read}"
        if op.gate is None:
            return read
        return f"{self.ref(op.gate)} ? {read} : {c_literal(0, element)}"

    def load_half(self, op: ocl.LoadHalfOp) -> str:
        read = f"vload_half({self.ref(op.index)}, {self.ref(op.buffer)})"
        return read if op.gate is None else f"{self.ref(op.gate)} ? {read} : 0.0f"

    def store_half(self, op: ocl.StoreHalfOp) -> None:
        text = f"vstore_half_rte({self.ref(op.value)}, {self.ref(op.index)}, {self.ref(op.buffer)});"
        self.line(f"if ({self.ref(op.gate)}) {text}" if op.gate is not None else text)

    def store(self, op: ocl.StoreOp) -> None:
        value = self.ref(op.value)
        if op.value.type == i1:
            value = f"(uchar){value}"
        text = f"{self.ref(op.buffer)}[{self.ref(op.index)}] = {value};"
        self.line(f"if ({self.ref(op.gate)}) {text}" if op.gate is not None else text)

    def global_id(self, op: ocl.GetGlobalIdOp) -> None:
        dim = op.dim.value.data
        name = f"gidx{dim}"
        if name in self.names.values():  # a second read of the same id (not CSE'd)
            name = self.fresh(op.result, "val")
        self.names[op.result] = name
        self.line(f"int {name} = get_global_id({dim});")

    def open_loop(self, op: ocl.ForOp) -> None:
        name = self.fresh(op.result, "ridx")
        self.line(f"for (int {name} = {op.lower.value.data}; {name} < {op.upper.value.data}; {name}++) {{")
        self.depth += 1

    def close_loop(self, op: ocl.EndForOp) -> None:
        self.depth -= 1
        self.line("}")


_STATEMENTS: dict[type[Operation], Callable[[_KernelPrinter, Operation], None]] = {
    ocl.GetGlobalIdOp: _KernelPrinter.global_id,
    ocl.ForOp: _KernelPrinter.open_loop,
    ocl.EndForOp: _KernelPrinter.close_loop,
    ocl.AssignOp: lambda p, op: p.line(f"{p.ref(op.var)} = {p.ref(op.value)};"),
    ocl.StoreOp: _KernelPrinter.store,
    ocl.StoreHalfOp: _KernelPrinter.store_half,
}

_EXPRESSIONS: dict[type[Operation], Callable[[_KernelPrinter, Operation], str]] = {
    ocl.VarOp: lambda p, op: c_literal(ocl.literal_value(op.value), op.result.type),
    ocl.LoadOp: _KernelPrinter.load,
    ocl.LoadHalfOp: _KernelPrinter.load_half,
    ocl.RoundHalfOp: lambda p, op: f"{ROUND_HALF}({p.ref(op.operand)})",
    ocl.CallOp: lambda p, op: f"{op.callee.data}({', '.join(p.ref(a) for a in op.args)})",
    ocl.SelectOp: lambda p, op: f"{p.ref(op.cond)} ? {p.ref(op.if_true)} : {p.ref(op.if_false)}",
    ocl.ConvertOp: lambda p, op: f"({c_type(op.result.type)}){p.ref(op.source)}",
    ocl.AsTypeOp: lambda p, op: f"as_{c_type(op.result.type)}({p.ref(op.source)})",
}


def _needs_fp16(kernel: ocl.KernelOp) -> bool:
    """Whether any value is a `half` (native f16); f16 buffers alone need no extension."""
    return any(v.type == f16 for op in kernel.body.walk() for v in (*op.operands, *op.results))


def _preamble(kernel: ocl.KernelOp) -> list[str]:
    """Lines before the kernel: the fp16 pragma and/or the f16 rounding helper."""
    lines = [FP16_PRAGMA] if _needs_fp16(kernel) else []
    if any(isinstance(op, ocl.RoundHalfOp) for op in kernel.body.walk()):
        lines.append(ROUND_HALF_HELPER)
    return lines


def emit_kernel(kernel: Operation) -> KernelSource:
    """The OpenCL C source of one `ocl.kernel`, with its launch grid and parameter dtypes."""
    if not isinstance(kernel, ocl.KernelOp):
        emit_error(kernel, f"OpenCL emitter: expected an ocl.kernel, got {kernel.name}")
    text = "\n".join([*_preamble(kernel), _KernelPrinter(kernel).print_kernel()]) + "\n"
    dtypes = tuple(numpy_dtype(ocl.buffer_element_type(a.type)).name for a in kernel.body.block.args)
    return KernelSource(name=kernel.name_str, text=text, global_size=kernel.grid, arg_dtypes=dtypes)


def emit_module(module: ModuleOp) -> str:
    """Every `ocl.kernel` of the module as one OpenCL C translation unit (for `tinyir-opt -t opencl`)."""
    kernels = [op for op in module.walk() if isinstance(op, ocl.KernelOp)]
    if not kernels:
        emit_error(module, "OpenCL emitter: the module has no ocl.kernel (run uop-to-opencl first)")
    preamble = list(dict.fromkeys(line for k in kernels for line in _preamble(k)))  # each once, in order
    bodies = [_KernelPrinter(k).print_kernel() + "\n" for k in kernels]
    return "\n".join(preamble + bodies)
