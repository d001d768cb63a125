"""Print `metal.kernel` ops as Metal Shading Language compute kernels (`tinyir-opt -t metal`).

    kernel void k0(device float* data0 [[buffer(0)]], device const float* data1 [[buffer(1)]],
                   uint3 gid [[thread_position_in_grid]]) {
      int gidx0 = int(gid.x);
      float val0 = data1[gidx0];
      ...

Names: buffers `data0..`, thread positions `gidx0..` (threadgroup kernels: `wgid0..`, `lidx0..`),
threadgroup arrays `lmem0..`, loop indices `ridx0..`, registers `acc0..`,
other values `val0..`. Constants are inlined. tinyir's wrap-around integer ops are made defined in
MSL's C++: i32 `+ - * <<` and negation go through `uint` with `as_type`, i8/ui8 results are
narrowed with `static_cast` (the arithmetic itself is done in `int`, where it cannot overflow),
and shift amounts are masked to the bit width.
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import ModuleOp, f16, f32, i1, i32, i64
from xdsl.ir import Attribute, Operation

from tinyir.diagnostics import emit_error
from tinyir.element_types import numpy_dtype
from tinyir.targets.base import KernelSource
from tinyir.targets.clike.emit import StatementPrinter, float_text, int32_text, int64_text, kernels_of
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
        text = float_text(float(np.float16(value)) if t == f16 else float(np.float32(value)))
        return text if t == f32 else f"half({text})"
    v = int(value)
    if t in (i64, metal.ui64):  # DTYPES
        return int64_text(v, t == metal.ui64)
    return int32_text(v) if t == i32 else f"{msl_type(t)}({v})"


# the position parameters of a threadgroup kernel, each declared when the kernel reads it
_GROUP_PARAMETERS = ((metal.ThreadgroupPositionOp, "uint3 tgid [[threadgroup_position_in_grid]]"),
                     (metal.ThreadInThreadgroupOp, "uint3 lid [[thread_position_in_threadgroup]]"))


class _KernelPrinter(StatementPrinter):
    """MSL spelling and the ops of its own: operator families, thread positions."""

    CONST = metal.ConstOp
    VAR = metal.VarOp
    WRITES = (metal.StoreOp, metal.VStoreOp)
    TYPES = metal.MSL_TYPES
    STORAGE = metal.MSL_STORAGE_TYPES
    HEADER = "kernel void {name}({params}) {{"
    PARAMETER = "device {const}{type}* {name} [[buffer({n})]]"
    EXTRA_PARAMETERS = ("uint3 gid [[thread_position_in_grid]]",)
    BOOL_FROM_BYTE = "bool({})"
    BYTE_FROM_BOOL = "uchar({})"
    NO_FORM = "Metal emitter: no MSL form for {op}"

    def __init__(self, kernel: metal.KernelOp) -> None:
        super().__init__(kernel)
        if kernel.group_sizes is not None:  # threadgroup kernels read these positions (those used), not gid
            used = {type(op) for op in kernel.body.block.ops}
            self.EXTRA_PARAMETERS = tuple(param for cls, param in _GROUP_PARAMETERS if cls in used)

    def literal(self, value: float | int | bool, t: Attribute) -> str:
        return msl_literal(value, t)

    def binary(self, op: metal.BinaryOp) -> str:
        t, operator = op.result.type, op.operator.data
        a, b = self.ref(op.lhs), self.ref(op.rhs)
        if operator in ("<<", ">>"):
            b = f"({b} & {8 * numpy_dtype(t).itemsize - 1})"  # amounts mod the width, never UB
        signed, unsigned = {i32: ("int", "uint"), i64: ("long", "ulong")}.get(t, (None, None))  # DTYPES: i64
        if signed and operator == "<<":
            return f"as_type<{signed}>(as_type<{unsigned}>({a}) << {b})"
        if signed and operator in _WRAPPING:
            return f"as_type<{signed}>(as_type<{unsigned}>({a}) {operator} as_type<{unsigned}>({b}))"
        if t in metal.INTS and 8 * numpy_dtype(t).itemsize < 32:  # computed in int (no overflow), narrowed back (wraps)
            if operator == "<<" or (t == metal.ui16 and operator in _WRAPPING):  # DTYPES: 65535 * 65535 overflows int
                a = f"uint({a})"
            return f"static_cast<{msl_type(t)}>({a} {operator} {b})"
        return f"{a} {operator} {b}"

    def vector_of(self, vector_type: str, parts: list[str]) -> str:
        return f"{vector_type}({', '.join(parts)})"

    def vload(self, op: metal.VLoadOp) -> None:
        vector_type = f"{msl_type(op.lanes[0].type)}{len(op.lanes)}"
        self.vector_load(op, f"*(device const {vector_type}*)({self.ref(op.buffer)} + {self.ref(op.index)})")

    def vstore(self, op: metal.VStoreOp) -> None:
        vector_type, value = self.vector_value(op)
        where = f"{self.ref(op.buffer)} + {self.ref(op.index)}"
        self.line(self.gated(op.gate, f"*(device {vector_type}*)({where}) = {value};"))

    def unary(self, op: metal.UnaryOp) -> str:
        t, x = op.result.type, self.ref(op.operand)
        if op.operator.data == "-" and t == i32:
            return f"as_type<int>(0u - as_type<uint>({x}))"
        if op.operator.data == "-" and t == i64:  # DTYPES
            return f"as_type<long>(0ul - as_type<ulong>({x}))"
        if op.operator.data == "-" and t in metal.INTS:
            return f"static_cast<{msl_type(t)}>(-{x})"
        return f"{op.operator.data}{x}"


def _simdgroup_mma(p: _KernelPrinter, op: metal.SimdgroupMmaOp) -> None:
    """`simdgroup_T8x8 mmaN;` per operand, its `thread_elements()` set from this thread's elements,
    `simdgroup_multiply_accumulate(D, A, B, C)` (D is C's matrix), then D's elements read back."""
    names = []
    for values in (op.a, op.b, op.c):
        name = f"mma{p.counters.get('mma', 0)}"
        p.counters["mma"] = p.counters.get("mma", 0) + 1
        p.line(f"simdgroup_{msl_type(values[0].type)}8x8 {name};")
        for k, v in enumerate(values):
            p.line(f"{name}.thread_elements()[{k}] = {p.ref(v)};")
        names.append(name)
    a, b, c = names
    p.line(f"simdgroup_multiply_accumulate({c}, {a}, {b}, {c});")
    for k, d in enumerate(op.d):
        p.line(f"{msl_type(d.type)} {p.fresh(d, 'val')} = {c}.thread_elements()[{k}];")


_KernelPrinter.STATEMENTS = {
    **{cls: lambda p, op: p.grid_index(op.result, op.dim.data, f"int({op.VAR}.{'xyz'[op.dim.data]})", op.PREFIX)
       for cls in (metal.ThreadPositionOp, metal.ThreadgroupPositionOp, metal.ThreadInThreadgroupOp)},
    metal.ThreadgroupArrayOp: lambda p, op: p.local_array(op, "threadgroup"),
    metal.BarrierOp: lambda p, op: p.line("threadgroup_barrier(mem_flags::mem_threadgroup);"),
    metal.ForOp: lambda p, op: p.open_loop(op.result, op.lower.data, op.upper.data),
    metal.EndForOp: _KernelPrinter.close_loop,
    metal.AssignOp: _KernelPrinter.assign,
    metal.StoreOp: _KernelPrinter.store,
    metal.VLoadOp: _KernelPrinter.vload,
    metal.VStoreOp: _KernelPrinter.vstore,
    metal.SimdgroupMmaOp: _simdgroup_mma,
}

_KernelPrinter.EXPRESSIONS = {
    metal.VarOp: _KernelPrinter.register,
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
    return KernelSource(name=kernel.name_str, text=text, global_size=kernel.grid_sizes, local_size=kernel.group_sizes,
                        arg_dtypes=dtypes)


def emit_module(module: ModuleOp) -> str:
    """Every `metal.kernel` of a module as one MSL file (for `tinyir-opt -t metal`)."""
    kernels = kernels_of(module, metal.KernelOp, "Metal emitter: the module has no metal.kernel (run uop-to-metal first)")
    versions = sorted({k.msl_version.data for k in kernels})
    bodies = [_KernelPrinter(k).print_kernel() for k in kernels]
    return f"// Metal Shading Language {', '.join(versions)}\n{PRELUDE}\n" + "\n\n".join(bodies) + "\n"
