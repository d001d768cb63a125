"""Print `ocl.kernel` ops as OpenCL C: one statement per op, constants inline.

Names: buffer parameters `data0..`, global ids `gidx0..` (group and local ids `wgid0..`, `lidx0..`),
local arrays `lmem0..`, loop indices `ridx0..`, accumulators
`acc0..`, every other value `val0..`.
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import IntegerType, ModuleOp, f16, f32, f64, i1, i32, i64
from xdsl.ir import Attribute, Operation, SSAValue

from tinyir.diagnostics import emit_error
from tinyir.dialects import uop
from tinyir.element_types import is_unsigned, numpy_dtype, ui64
from tinyir.targets.base import KernelSource
from tinyir.targets.clike.emit import StatementPrinter, double_text, float_text, int32_text, int64_text, kernels_of
from tinyir.targets.opencl import dialect as ocl

FP16_PRAGMA = "#pragma OPENCL EXTENSION cl_khr_fp16 : enable"
FP64_PRAGMA = "#pragma OPENCL EXTENSION cl_khr_fp64 : enable"  # DTYPES: double (OpenCL 1.2 needs the pragma)
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
    if t == f64:
        return double_text(float(value))
    if t in (i64, ui64):
        return int64_text(int(value), t == ui64)
    if t in ocl.FLOATS:
        text = float_text(float(np.float16(value)) if t == f16 else float(np.float32(value)))
        return text if t == f32 else f"(half){text}"
    v = int(value)
    if t == i32:
        return int32_text(v)
    if t == ocl.ui32:
        return f"{v}u"
    return f"(({c_type(t)}){v})"


_SIDE_EFFECTS = (ocl.StoreOp, ocl.StoreHalfOp, ocl.VStoreOp, ocl.AssignOp, ocl.ForOp, ocl.EndForOp)


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
        # C promotes a narrow (uchar) operand to int: inlined into a wider conversion, `(int)(a + b)`
        # would not wrap at 8 bits (the ALU table's rule), so only a same-width conversion may take it
        wraps_back = (isinstance(op, ocl.BinaryOp | ocl.UnaryOp) and isinstance(user, ocl.ConvertOp)
                      and is_unsigned(op.result.type) and not is_unsigned(user.result.type)
                      and (_width(op.result.type) >= 32 or _width(op.result.type) == _width(user.result.type)))
        if to_unsigned or wraps_back:
            inlined.add(op)
    return inlined


def _width(t: Attribute) -> int | None:
    return t.width.data if isinstance(t, IntegerType) else None


class _KernelPrinter(StatementPrinter):
    """OpenCL C spelling, operator ops, f16 storage ops and inlined wrap-around casts."""

    CONST = ocl.ConstOp
    VAR = ocl.VarOp
    # PoCL declares vload_half without `const`, so f16 buffers read that way are left non-const
    WRITES = (ocl.StoreOp, ocl.StoreHalfOp, ocl.VStoreOp, ocl.LoadHalfOp)
    TYPES = ocl.C_TYPES
    STORAGE = ocl.C_STORAGE_TYPES
    HEADER = "__kernel void {name}({params}) {{"
    PARAMETER = "__global {const}{type}* restrict {name}"
    BOOL_FROM_BYTE = "(bool){}"
    BYTE_FROM_BOOL = "(uchar){}"
    NO_FORM = "OpenCL emitter: no C form for {op}"

    def __init__(self, kernel: ocl.KernelOp) -> None:
        super().__init__(kernel)
        self.inlined = _inlined_ops(kernel)

    def literal(self, value: float | int | bool, t: Attribute) -> str:
        return c_literal(value, t)

    def ref(self, value: SSAValue) -> str:
        """How a use of `value` is written: a name, a literal or an inlined expression."""
        owner = value.owner
        if owner in self.inlined:
            text = self.expr(owner)
            return text if isinstance(owner, ocl.ConvertOp) else f"({text})"
        return super().ref(value)

    def expr(self, op: Operation) -> str:
        if isinstance(op, ocl.BinaryOp | ocl.CompareOp):
            return f"{self.ref(op.lhs)} {op.C_OPERATOR} {self.ref(op.rhs)}"
        if isinstance(op, ocl.UnaryOp):
            return f"{op.C_OPERATOR}{self.ref(op.operand)}"
        return super().expr(op)

    def load_half(self, op: ocl.LoadHalfOp) -> str:
        read = f"vload_half({self.ref(op.index)}, {self.ref(op.buffer)})"
        return read if op.gate is None else f"{self.ref(op.gate)} ? {read} : 0.0f"

    def vector_of(self, vector_type: str, parts: list[str]) -> str:
        return f"({vector_type})({', '.join(parts)})"

    def vload(self, op: ocl.VLoadOp) -> None:
        where = f"{self.ref(op.buffer)} + {self.ref(op.index)}"
        if isinstance(op.buffer.owner, ocl.LocalArrayOp):  # __local arrays: element alignment only
            return self.vector_load(op, f"vload{len(op.lanes)}(0, {where})")
        self.vector_load(op, f"*(__global const {c_type(op.lanes[0].type)}{len(op.lanes)}*)({where})")

    def vstore(self, op: ocl.VStoreOp) -> None:
        vector_type, value = self.vector_value(op)
        where = f"{self.ref(op.buffer)} + {self.ref(op.index)}"
        if isinstance(op.buffer.owner, ocl.LocalArrayOp):
            self.line(self.gated(op.gate, f"vstore{len(op.values)}({value}, 0, {where});"))
        else:
            self.line(self.gated(op.gate, f"*(__global {vector_type}*)({where}) = {value};"))

    def store_half(self, op: ocl.StoreHalfOp) -> None:
        self.line(self.gated(op.gate, f"vstore_half_rte({self.ref(op.value)}, {self.ref(op.index)}, {self.ref(op.buffer)});"))


_KernelPrinter.STATEMENTS = {
    **{cls: lambda p, op: p.grid_index(op.result, op.dim.value.data, f"{op.FUNCTION}({op.dim.value.data})", op.PREFIX)
       for cls in (ocl.GetGlobalIdOp, ocl.GetGroupIdOp, ocl.GetLocalIdOp)},
    ocl.LocalArrayOp: lambda p, op: p.local_array(op, "__local"),
    ocl.BarrierOp: lambda p, op: p.line("barrier(CLK_LOCAL_MEM_FENCE);"),
    ocl.ForOp: lambda p, op: p.open_loop(op.result, op.lower.value.data, op.upper.value.data),
    ocl.EndForOp: _KernelPrinter.close_loop,
    ocl.AssignOp: _KernelPrinter.assign,
    ocl.StoreOp: _KernelPrinter.store,
    ocl.StoreHalfOp: _KernelPrinter.store_half,
    ocl.VLoadOp: _KernelPrinter.vload,
    ocl.VStoreOp: _KernelPrinter.vstore,
}

_KernelPrinter.EXPRESSIONS = {
    ocl.VarOp: _KernelPrinter.register,
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


def uses_f64(kernel: ocl.KernelOp) -> bool:
    """Whether any value or buffer is a double (the device must have cl_khr_fp64)."""
    values = [*kernel.body.block.args, *(v for op in kernel.body.walk() for v in (*op.operands, *op.results))]
    return any(v.type == f64 or uop.buffer_element_type(v.type) == f64 for v in values)


def _preamble(kernel: ocl.KernelOp) -> list[str]:
    """Lines before the kernel: the fp16 pragma and/or the f16 rounding helper."""
    lines = [FP16_PRAGMA] if _needs_fp16(kernel) else []
    if uses_f64(kernel):
        lines.append(FP64_PRAGMA)
    if any(isinstance(op, ocl.RoundHalfOp) for op in kernel.body.walk()):
        lines.append(ROUND_HALF_HELPER)
    return lines


def emit_kernel(kernel: Operation) -> KernelSource:
    """The OpenCL C source of one `ocl.kernel`, with its launch grid and parameter dtypes."""
    if not isinstance(kernel, ocl.KernelOp):
        emit_error(kernel, f"OpenCL emitter: expected an ocl.kernel, got {kernel.name}")
    text = "\n".join([*_preamble(kernel), _KernelPrinter(kernel).print_kernel()]) + "\n"
    dtypes = tuple(numpy_dtype(ocl.buffer_element_type(a.type)).name for a in kernel.body.block.args)
    return KernelSource(name=kernel.name_str, text=text, global_size=kernel.grid, local_size=kernel.group,
                        arg_dtypes=dtypes)


def emit_module(module: ModuleOp) -> str:
    """Every `ocl.kernel` of the module as one OpenCL C translation unit (for `tinyir-opt -t opencl`)."""
    kernels = kernels_of(module, ocl.KernelOp, "OpenCL emitter: the module has no ocl.kernel (run uop-to-opencl first)")
    preamble = list(dict.fromkeys(line for k in kernels for line in _preamble(k)))  # each once, in order
    bodies = [_KernelPrinter(k).print_kernel() + "\n" for k in kernels]
    return "\n".join(preamble + bodies)
