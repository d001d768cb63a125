"""`uop-to-metal`: micro-ops to the `metal` dialect (MSL compute kernels), one rule per uop op.

The `metal` dialect keeps tinyir's semantics (wrapping integers; the emitter makes them defined in
MSL), so most rules are a one-to-one mapping to an operator or a `metal::` function; where MSL is
undefined or differs from the ALU table (tinyir/alu.py) the rule adds a select: a divisor of 0 or
-1, a shift amount outside [0, width), signed zeros and NaN in float max, float -> int out of range. On bool, add
is `|`, mul is `&`, max is `|` and neg is `!`. `gidx0`/`gidx1` are the thread position's x and y;
`gidx2`, `gidx3`, ... share z (gidx2 fastest), taken back out with a division and a mod.
A kernel with `wgid`/`lidx` specials dispatches exactly its threadgroups (`wgidN`/`lidxN` are the
threadgroup position and the thread's position in it), `uop.define_local` is a `threadgroup` array
and `uop.barrier` is `threadgroup_barrier(mem_flags::mem_threadgroup)`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from xdsl.context import Context
import numpy as np
from xdsl.dialects.builtin import ModuleOp, f32, f64, i1, i32
from xdsl.ir import Attribute, Block, Operation, SSAValue

from tinyir.diagnostics import emit_error
from tinyir.dialects import uop
from tinyir.element_types import is_float, is_int, is_unsigned, numpy_dtype
from tinyir.passes.uop_vectorize import scalarize, vector_element
from tinyir.rewrite import Rule, RulePass, rule
from tinyir.targets.clike.lower import kernel_grid as clike_kernel_grid
from tinyir.targets.metal import dialect as metal
from tinyir.tensor_cores import APPLE


def kernel_grid(kernel: uop.KernelOp) -> list[int]:
    """The extent of each `gidxN`, N = 0, 1, ...; [1] for a kernel without grid indices."""
    return clike_kernel_grid(kernel, "uop-to-metal", "are not supported yet")


# Metal's limits for a threadgroup
MAX_THREADGROUP = 1024
MAX_THREADGROUP_MEMORY = 32 * 1024


def _special(op: uop.SpecialOp) -> Operation | None:
    kernel = op.parent_op()
    if not isinstance(kernel, metal.KernelOp):
        return None  # the kernel rule reads the grid from the specials first
    kind, dim = uop.special_kind(op.dim.data), uop.special_dim(op.dim.data)
    if kind == "wgid":
        return metal.ThreadgroupPositionOp(dim)
    if kind == "lidx":
        return metal.ThreadInThreadgroupOp(dim)
    if dim < 2:
        return metal.ThreadPositionOp(dim)
    grid = kernel.grid_sizes
    index: Operation = metal.ThreadPositionOp(2)
    stride = 1
    for inner in grid[2:dim]:
        stride *= inner
    if stride > 1:
        index = metal.BinaryOp("/", index.results[0], metal.ConstOp(stride, i32).result)
    if dim < len(grid) - 1:
        index = metal.BinaryOp("%", index.results[0], metal.ConstOp(grid[dim], i32).result)
    return index


def _threadgroup_array(op: uop.DefineLocalOp) -> Operation:
    return metal.ThreadgroupArrayOp(op.result.type.size(), op.result.type.element_type)


def _check_threadgroup(op: uop.KernelOp, group: list[int]) -> None:
    if math.prod(group) > MAX_THREADGROUP:
        emit_error(op, f"uop-to-metal: a threadgroup of {group} (lidx0, 1, 2) exceeds Metal's "
                       f"{MAX_THREADGROUP} threads")
    nbytes = sum(d.result.type.size() * numpy_dtype(d.result.type.element_type).itemsize
                 for d in op.body.block.ops if isinstance(d, uop.DefineLocalOp))
    if nbytes > MAX_THREADGROUP_MEMORY:
        emit_error(op, f"uop-to-metal: {nbytes} bytes of local memory exceed Metal's {MAX_THREADGROUP_MEMORY} "
                       "bytes of threadgroup memory")


def _operator(name: str, on_bool: str | None = None) -> Callable[[Operation], Operation]:
    """A uop binary op as one MSL operator (`on_bool` instead for i1 operands)."""
    def lower(op: Operation) -> Operation:
        lhs, rhs = op.operands
        return metal.BinaryOp(on_bool if on_bool and lhs.type == i1 else name, lhs, rhs)
    lower.__name__ = f"lower_to_{name}"
    return lower


def _max(op: uop.MaxOp) -> Operation:
    lhs, rhs = op.lhs, op.rhs
    if lhs.type == i1:
        return metal.BinaryOp("|", lhs, rhs)
    if not is_float(lhs.type):
        return metal.CallOp("max", [lhs, rhs])
    # the ALU table's IEEE maximum: metal::fmax ignores a NaN operand (x != x only for NaN) and may
    # return either of equal zeros: copysign(a, a + b) is -0 only for -0, -0
    equal = _not(metal.CompareOp("!=", lhs, rhs).result)
    zeros = metal.CallOp("copysign", [lhs, metal.BinaryOp("+", lhs, rhs).result]).result
    larger = metal.SelectOp(equal, zeros, metal.CallOp("fmax", [lhs, rhs]).result).result
    rhs_or_larger = metal.SelectOp(metal.CompareOp("!=", rhs, rhs).result, rhs, larger)
    return metal.SelectOp(metal.CompareOp("!=", lhs, lhs).result, lhs, rhs_or_larger.result)


def _not(p: SSAValue) -> SSAValue:
    return metal.UnaryOp("!", p).result


def _int(value: int, t: Attribute) -> SSAValue:
    return metal.ConstOp(value, t).result


def _known(v: SSAValue) -> int | None:
    owner = v.owner
    return uop.literal_value(owner.value) if isinstance(owner, metal.ConstOp | uop.ConstOp) else None


def _divide(op: uop.IdivOp | uop.ModOp) -> Operation:
    """`/` and `%` as the ALU table says: x/0 = x%0 = 0, x/-1 = -x (wraps), x%-1 = 0 (MSL leaves them
    undefined): the divisor 0 or -1 becomes 1 and a select gives the answer."""
    a, b = op.lhs, op.rhs
    t = a.type
    operator = "/" if isinstance(op, uop.IdivOp) else "%"
    if _known(b) not in (None, 0, -1):
        return metal.BinaryOp(operator, a, b)
    zero = _not(metal.CompareOp("!=", b, _int(0, t)).result)
    edge = zero
    if not is_unsigned(t):
        edge = metal.BinaryOp("|", zero, _not(metal.CompareOp("!=", b, _int(-1, t)).result)).result
    result = metal.BinaryOp(operator, a, metal.SelectOp(edge, _int(1, t), b).result).result
    if operator == "/" and not is_unsigned(t):
        negated = metal.SelectOp(zero, _int(0, t), metal.UnaryOp("-", a).result).result
        return metal.SelectOp(edge, negated, result)
    return metal.SelectOp(edge, _int(0, t), result)


def _shift(op: uop.ShlOp | uop.ShrOp) -> Operation | SSAValue:
    """`<<`/`>>` as the ALU table says: an amount outside [0, width) gives 0 (shl, unsigned shr) or
    the sign fill (signed shr); a constant amount is decided here, else a select."""
    a, b = op.lhs, op.rhs
    t = a.type
    width = 8 * numpy_dtype(t).itemsize
    operator = "<<" if isinstance(op, uop.ShlOp) else ">>"
    signed_shr = operator == ">>" and not is_unsigned(t)

    def fill() -> SSAValue:
        return metal.BinaryOp(">>", a, _int(width - 1, t)).result if signed_shr else _int(0, t)

    known = _known(b)
    if known is not None:
        known &= (1 << width) - 1  # its unsigned value: a negative amount is a huge one
        return metal.BinaryOp(operator, a, _int(known, t)) if known < width else fill()
    in_range = metal.BinaryOp("&", _not(metal.CompareOp("<", b, _int(0, t)).result),
                              metal.CompareOp("<", b, _int(width, t)).result).result
    return metal.SelectOp(in_range, metal.BinaryOp(operator, a, b).result, fill())


def _cast(op: uop.CastOp) -> Operation:
    """static_cast, except float -> int: toward zero, saturating, NaN -> 0 (the ALU table), by a
    clamp into range before the conversion (undefined outside it) and selects."""
    x, to = op.input, op.result.type
    if not (is_float(x.type) and is_int(to)):
        return metal.ConvertOp(x, to)
    info = np.iinfo(numpy_dtype(to))
    if x.type != f32:
        x = metal.ConvertOp(x, f32).result  # half constants would round the i32 bounds to inf
    bound = float(info.max) + 1.0  # DTYPES: a power of two for every width, exact in float
    high = float(np.nextafter(np.float32(bound), np.float32(0)))
    low = metal.CallOp("fmax", [x, metal.ConstOp(float(info.min), f32).result]).result
    value = metal.ConvertOp(metal.CallOp("fmin", [low, metal.ConstOp(high, f32).result]).result, to).result
    below = metal.CompareOp("<", x, metal.ConstOp(bound, f32).result).result
    value = metal.SelectOp(below, value, _int(int(info.max), to)).result
    return metal.SelectOp(metal.CompareOp("!=", x, x).result, _int(0, to), value)


def _neg(op: uop.NegOp) -> Operation:
    return metal.UnaryOp("!" if op.input.type == i1 else "-", op.input)


def _call(name: str) -> Callable[[Operation], Operation]:
    return lambda op: metal.CallOp(name, [op.operands[0]])


def _recip(op: uop.RecipOp) -> Operation:
    return metal.BinaryOp("/", metal.ConstOp(1.0, op.input.type).result, op.input)


def _bitcast(op: uop.BitcastOp) -> Operation:
    return metal.AsTypeOp(op.input, op.result.type)


def _mma(op: uop.MmaOp, msl_version: str) -> Operation:
    """uop.mma -> simdgroup_multiply_accumulate on 8 x 8 simdgroup matrices (MSL 2.3 and later)."""
    name = op.matrix_instruction.name
    if not name.startswith("simdgroup."):
        emit_error(op, f"uop-to-metal: no MSL form for matrix instruction {name} (Metal has {', '.join(APPLE)})")
    if msl_version not in metal.SIMDGROUP_MATRIX_VERSIONS:
        emit_error(op, f"uop-to-metal: simdgroup_matrix needs MSL 2.3 or later, the kernels are MSL {msl_version}")
    return metal.SimdgroupMmaOp(name, list(op.a), list(op.b), list(op.c))


def _check_types(module: ModuleOp) -> None:
    """DTYPES: Metal has no double: a kernel with an f64 value or buffer is one clear error."""
    for kernel in module.walk():
        if isinstance(kernel, uop.KernelOp):
            for inner in (kernel, *kernel.body.walk()):
                values = (*inner.operands, *inner.results, *(kernel.body.block.args if inner is kernel else ()))
                if any(v.type == f64 or uop.buffer_element_type(v.type) == f64 for v in values):
                    emit_error(inner, f"uop-to-metal: device 'metal' has no f64 (float64): Metal Shading Language "
                                      f"has no double type; kernel {kernel.name_str!r} needs it (cast to f32 first)")


@dataclass(frozen=True)
class UopToMetal(RulePass):
    """Rewrite every `uop.kernel` into a `metal.kernel` (an MSL compute kernel as IR)."""

    name = "uop-to-metal"
    summary = "Lower micro-ops to the metal dialect (Metal Shading Language)"

    msl_version: str = "3.0"  # the MSL version the kernels are written for

    def _kernel(self, op: uop.KernelOp) -> Operation:
        launch = uop.workgroup_launch(op)
        if launch is None:
            grid, group = kernel_grid(op), None
        else:
            grid, group = launch
            _check_threadgroup(op, group)
        return metal.KernelOp(op.name_str, self.msl_version, grid, list(op.buffers), op.detach_region(op.body), group)

    def rules(self) -> Sequence[Rule]:
        return [
            rule(uop.KernelOp, self._kernel, "uop.kernel -> metal.kernel: grid of the gidx | grid*group, threadgroup"),
            rule(uop.SpecialOp, _special, "gidx0/1 -> gid.x/y; gidx2.. -> gid.z split by / and %; wgidN -> tgid, lidxN -> lid"),
            rule(uop.DefineLocalOp, _threadgroup_array, "define_local -> threadgroup array"),
            rule(uop.BarrierOp, lambda op: metal.BarrierOp(), "barrier -> threadgroup_barrier(mem_flags::mem_threadgroup)"),
            rule(uop.RangeOp, lambda op: metal.ForOp(op.start.value.data, op.end.value.data), "range -> for"),
            rule(uop.EndRangeOp, lambda op: metal.EndForOp(op.range), "endrange -> closing brace"),
            rule(uop.DefineAccOp, lambda op: metal.VarOp(uop.literal_value(op.value), op.result.type), "acc -> var"),
            rule(uop.AssignOp, lambda op: metal.AssignOp(op.acc, op.value), "assign -> `acc = v;`"),
            rule(uop.ConstOp, lambda op: metal.ConstOp(uop.literal_value(op.value), op.result.type), "const -> literal"),
            rule(uop.LoadOp, lambda op: metal.LoadOp(op.buffer, op.index, op.gate), "load -> `g ? p[i] : 0`"),
            rule(uop.StoreOp, lambda op: metal.StoreOp(op.buffer, op.index, op.value, op.gate), "store -> `p[i] = v`"),
            rule(uop.VLoadOp, lambda op: metal.VLoadOp(op.buffer, op.index, len(op.lanes), op.gate),
                 "vload (f32, i32, device) -> `*(device const float4*)(p + i)`"),
            rule(uop.VStoreOp, lambda op: metal.VStoreOp(op.buffer, op.index, list(op.values), op.gate),
                 "vstore (f32, i32, device) -> `*(device float4*)(p + i) = float4(..)`"),
            rule(uop.AddOp, _operator("+", on_bool="|"), "add -> + (wraps), | on bool"),
            rule(uop.MulOp, _operator("*", on_bool="&"), "mul -> * (wraps), & on bool"),
            rule(uop.MaxOp, _max, "max -> metal::fmax with NaN passed through (float), metal::max (int), | (bool)"),
            rule(uop.IdivOp, _divide, "idiv -> / (truncates); divisor 0 or -1: by 1 and a select"),
            rule(uop.ModOp, _divide, "mod -> % (sign of the dividend); divisor 0 or -1: by 1 and a select"),
            rule(uop.FmodOp, lambda op: metal.CallOp("fmod", [op.lhs, op.rhs]), "fmod -> metal::fmod"),
            rule(uop.AndOp, _operator("&"), "and -> &"),
            rule(uop.OrOp, _operator("|"), "or -> |"),
            rule(uop.XorOp, _operator("^"), "xor -> ^"),
            rule(uop.ShlOp, _shift, "shl -> << (wraps); 0 for an amount outside [0, width)"),
            rule(uop.ShrOp, _shift, "shr -> >> (arithmetic on signed); sign fill for an amount outside [0, width)"),
            rule(uop.CmpltOp, lambda op: metal.CompareOp("<", op.lhs, op.rhs), "cmplt -> <"),
            rule(uop.CmpneOp, lambda op: metal.CompareOp("!=", op.lhs, op.rhs), "cmpne -> !="),
            rule(uop.WhereOp, lambda op: metal.SelectOp(op.cond, op.if_true, op.if_false), "where -> c ? a : b"),
            rule(uop.NegOp, _neg, "neg -> - (wraps), ! on bool"),
            rule(uop.Exp2Op, _call("exp2"), "exp2 -> metal::exp2"),
            rule(uop.Log2Op, _call("log2"), "log2 -> metal::log2"),
            rule(uop.SinOp, _call("sin"), "sin -> metal::sin"),
            rule(uop.SqrtOp, _call("sqrt"), "sqrt -> metal::sqrt"),
            rule(uop.RecipOp, _recip, "recip -> 1 / x"),
            rule(uop.CastOp, _cast, "cast -> static_cast<T>(x); float -> int clamped first (saturates, NaN -> 0)"),
            rule(uop.BitcastOp, _bitcast, "bitcast -> as_type<T>(x)"),
            rule(uop.MmaOp, lambda op: _mma(op, self.msl_version),
                 "mma -> simdgroup_multiply_accumulate on simdgroup_matrix 8x8 (MSL 2.3+)", name="mma -> simdgroup_matrix"),
        ]

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        _check_types(op)
        if self.msl_version not in metal.MSL_VERSIONS:
            emit_error(op, f"uop-to-metal: unknown MSL version '{self.msl_version}' "
                           f"(known: {', '.join(metal.MSL_VERSIONS)})")
        # float4 and int4 on device buffers; threadgroup arrays (element alignment only) lane by lane
        scalarize(op, keep=lambda v: vector_element(v) in (f32, i32) and isinstance(v.buffer.owner, Block))
        super().apply(ctx, op)
        for kernel in op.walk():
            if isinstance(kernel, metal.KernelOp):
                for inner in kernel.body.walk():
                    if inner is not kernel and not inner.name.startswith("metal."):
                        emit_error(inner, f"uop-to-metal: cannot lower {inner.name} to MSL")

