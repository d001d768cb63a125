"""`uop-to-opencl`: micro-ops to the `ocl` dialect, one rule per uop op.

Every ALU op means what the ALU table says (tinyir/alu.py, docs/ir.md): signed add/mul/shl/neg wrap
around, so they are computed in the unsigned type of the same width and converted back (signed
overflow is undefined in C); `/` and `%` truncate toward zero, and a divisor of 0 or -1 is replaced
by 1 with a select giving the table's answer; shifts outside [0, width) select 0 or the sign fill;
float max propagates NaN and orders -0 below +0; float -> int clamps before converting (NaN -> 0).
Each op is its own typed statement, so a narrow (char) result is wrapped before any use. On bool,
add is `|`, mul is `&`, max is `|` and neg is `!`.

f16 has two modes (option `fp16`). `storage` (the default, runs on every OpenCL device): f16 is
only the element type of buffers -- read with `vload_half` into float, written with
`vstore_half_rte` -- every f16 value of the uop program is a float in OpenCL C, and a cast to f16
rounds to f16 precision (`ocl.round_half`). `native`: f16 values are `half` and the kernel needs
the cl_khr_fp16 extension (the device reports a clear error without it).

A kernel with `wgid`/`lidx` specials launches exactly its work-groups (`local` size = the lidx sizes,
global size = grid * group); in storage mode an f16 `__local` array holds floats.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import IntegerType, ModuleOp, Signedness, f16, f32, f64, i1, i32
from xdsl.ir import Attribute, Operation, SSAValue

from tinyir.diagnostics import emit_error
from tinyir.errors import TinyirError
from tinyir.dialects import uop
from tinyir.element_types import is_float, is_int, is_unsigned, numpy_dtype
from tinyir.rewrite import Rule, RulePass, erase_dead, rule
from tinyir.passes.uop_vectorize import scalarize, vector_element
from tinyir.targets.opencl import dialect as ocl


def _is_signed_int(t: Attribute) -> bool:
    return is_int(t) and not is_unsigned(t)


def _unsigned(t: Attribute) -> Attribute:
    assert isinstance(t, IntegerType)
    return IntegerType(t.width.data, Signedness.UNSIGNED)


def _as_unsigned(x: SSAValue) -> SSAValue:
    """`(uT)x`; a constant becomes an unsigned constant (`8u`) directly."""
    u = _unsigned(x.type)
    if isinstance(x.owner, ocl.ConvertOp) and x.owner.source.type == u:
        return x.owner.source  # (uT)(T)y is y: chained wrapping ops stay unsigned
    if isinstance(x.owner, ocl.ConstOp | uop.ConstOp):
        value = uop.literal_value(x.owner.value) & ((1 << u.width.data) - 1)
        return ocl.ConstOp(value, u).result
    return ocl.ConvertOp(x, u).result


def _wrapping(op_cls: type[ocl.BinaryOp], a: SSAValue, b: SSAValue) -> Operation:
    """`(T)((uT)a OP (uT)b)`: two's complement wrap-around without signed overflow."""
    return ocl.ConvertOp(op_cls(_as_unsigned(a), _as_unsigned(b)).result, a.type)


def _arith(op_cls: type[ocl.BinaryOp], bool_cls: type[ocl.BinaryOp]):
    """Rule body for add/mul: wrap on signed ints, `bool_cls` on i1, plain C otherwise."""
    def lower(op: Operation) -> Operation:
        a, b = op.operands
        if a.type == i1:
            return bool_cls(a, b)
        if _is_signed_int(a.type):
            return _wrapping(op_cls, a, b)
        return op_cls(a, b)
    return lower


def _max(op: uop.MaxOp) -> Operation:
    a, b = op.lhs, op.rhs
    if a.type == i1:
        return ocl.OrOp(a, b)
    if not is_float(a.type):
        return ocl.CallOp("max", [a, b])
    # the ALU table's IEEE maximum: fmax ignores a NaN operand (numpy and PyTorch propagate it; x != x
    # only for NaN), and may return either zero of equal ones: copysign(a, a + b) is -0 only for -0, -0
    equal = ocl.NotOp(ocl.NeOp(a, b).result).result
    zeros = ocl.CallOp("copysign", [a, ocl.AddOp(a, b).result]).result
    larger = ocl.SelectOp(equal, zeros, ocl.CallOp("fmax", [a, b]).result).result
    return ocl.SelectOp(ocl.NeOp(a, a).result, a, ocl.SelectOp(ocl.NeOp(b, b).result, b, larger).result)


def _int_const(value: int, t: Attribute) -> SSAValue:
    return ocl.ConstOp(value, t).result


def _known(v: SSAValue) -> int | None:
    """The value of a constant operand (lowered or not), else None."""
    owner = v.owner
    return uop.literal_value(owner.value) if isinstance(owner, ocl.ConstOp | uop.ConstOp) else None


def _equals(a: SSAValue, value: int) -> SSAValue:
    return ocl.NotOp(ocl.NeOp(a, _int_const(value, a.type)).result).result


def _divide(op: uop.IdivOp | uop.ModOp) -> Operation:
    """x / y and x % y as the ALU table says: x/0 = x%0 = 0, x/-1 = -x (wraps), x%-1 = 0. C's `/` and
    `%` trap or are undefined there, so they divide by 1 instead and a select gives the answer."""
    a, b = op.lhs, op.rhs
    t = a.type
    c_op = ocl.DivOp if isinstance(op, uop.IdivOp) else ocl.RemOp
    if _known(b) not in (None, 0, -1):
        return c_op(a, b)
    zero = _equals(b, 0)
    edge = ocl.OrOp(zero, _equals(b, -1)).result if _is_signed_int(t) else zero
    result = c_op(a, ocl.SelectOp(edge, _int_const(1, t), b).result).result
    if c_op is ocl.DivOp and _is_signed_int(t):  # x / -1 = -x (wrapping), x / 0 = 0
        negated = ocl.SelectOp(zero, _int_const(0, t), _neg_value(a)).result
        return ocl.SelectOp(edge, negated, result)
    return ocl.SelectOp(edge, _int_const(0, t), result)


def _neg_value(x: SSAValue) -> SSAValue:
    """-x wrapping: (T)(0u - (uT)x)."""
    u = _unsigned(x.type)
    return ocl.ConvertOp(ocl.SubOp(ocl.ConstOp(0, u).result, _as_unsigned(x)).result, x.type).result


def _shift(op: uop.ShlOp | uop.ShrOp) -> Operation | SSAValue:
    """x << y, x >> y as the ALU table says: an amount outside [0, width) gives 0 (shl, unsigned shr)
    or the sign fill (signed shr). A constant amount is decided here, else a select."""
    a, b = op.lhs, op.rhs
    t = a.type
    width = t.width.data
    signed = _is_signed_int(t)

    def shift(n: SSAValue) -> SSAValue:
        if isinstance(op, uop.ShrOp):
            return ocl.ShrOp(a, n).result
        return _wrapping(ocl.ShlOp, a, n).results[0] if signed else ocl.ShlOp(a, n).result

    def fill() -> SSAValue:
        if isinstance(op, uop.ShrOp) and signed:
            return ocl.ShrOp(a, _int_const(width - 1, t)).result
        return _int_const(0, t)

    known = _known(b)
    if known is not None:
        known &= (1 << width) - 1  # its unsigned value: a negative amount is a huge one
        return shift(_int_const(known, t)) if known < width else fill()
    in_range = ocl.LtOp(_as_unsigned(b), ocl.ConstOp(width, _unsigned(t)).result).result
    return ocl.SelectOp(in_range, shift(b), fill())


def _float_to_int(x: SSAValue, to: Attribute) -> Operation:
    """float -> int as the ALU table says: toward zero, saturating, NaN -> 0. C's conversion is
    undefined out of range, so the value is clamped first (to the largest float below max + 1, a power
    of two, and a select gives the maximum from there on: DTYPES, for every width)."""
    info = np.iinfo(numpy_dtype(to))
    if x.type == f16:  # native half: its own constants would round the bounds to inf
        x = ocl.ConvertOp(x, f32).result
    t = x.type
    bound = float(info.max) + 1.0  # a power of two, exact in float and double
    np_float = np.float64 if t == f64 else np.float32
    high = float(np.nextafter(np_float(bound), np_float(0)))
    low = ocl.CallOp("fmax", [x, ocl.ConstOp(float(info.min), t).result]).result  # NaN -> the minimum
    value = ocl.ConvertOp(ocl.CallOp("fmin", [low, ocl.ConstOp(high, t).result]).result, to).result
    below = ocl.LtOp(x, ocl.ConstOp(bound, t).result).result  # false for NaN too
    value = ocl.SelectOp(below, value, _int_const(int(info.max), to)).result
    return ocl.SelectOp(ocl.NeOp(x, x).result, _int_const(0, to), value)


def _neg(op: uop.NegOp) -> Operation:
    x = op.input
    if x.type == i1:
        return ocl.NotOp(x)
    if _is_signed_int(x.type):  # 0u - (uT)x: -INT_MIN must wrap, not overflow
        u = _unsigned(x.type)
        return ocl.ConvertOp(ocl.SubOp(ocl.ConstOp(0, u).result, _as_unsigned(x)).result, x.type)
    return ocl.NegOp(x)


def _bitcast(op: uop.BitcastOp) -> Operation:
    # bool has no bit pattern in OpenCL C; a byte <-> bool bitcast is a 0/1 value conversion
    if i1 in (op.input.type, op.result.type):
        return ocl.ConvertOp(op.input, op.result.type)
    return ocl.AsTypeOp(op.input, op.result.type)


# special kind -> the OpenCL id it reads
_ID_OPS: dict[str, type[Operation]] = {"gidx": ocl.GetGlobalIdOp, "wgid": ocl.GetGroupIdOp, "lidx": ocl.GetLocalIdOp}


def _special(op: uop.SpecialOp) -> Operation | None:
    if not isinstance(op.parent_op(), ocl.KernelOp):
        return None  # the kernel rule reads the sizes of the specials first
    name = op.dim.data
    return _ID_OPS[uop.special_kind(name)](uop.special_dim(name))


def _global_size(kernel: uop.KernelOp) -> list[int]:
    sizes: dict[int, int] = {}
    for op in kernel.body.block.ops:
        if isinstance(op, uop.SpecialOp) and op.dim.data.startswith("gidx"):
            dim = int(op.dim.data[4:])
            if dim > 2:
                emit_error(op, f"uop-to-opencl: OpenCL has 3 global dimensions, got {op.dim.data}")
            if sizes.setdefault(dim, op.size.value.data) != op.size.value.data:
                emit_error(op, f"uop-to-opencl: {op.dim.data} is used with two different sizes")
    return [sizes.get(d, 1) for d in range(max(sizes) + 1)] if sizes else [1]


Fp16Mode = Literal["storage", "native"]


@dataclass(frozen=True)
class UopToOpenCL(RulePass):
    """Rewrite every `uop.kernel` into an `ocl.kernel` (OpenCL C as IR)."""

    name = "uop-to-opencl"
    summary = "Lower micro-ops to the ocl dialect (OpenCL C)"

    fp16: Fp16Mode = "storage"  # storage: f16 only in buffers, float math; native: `half` (cl_khr_fp16)

    def __post_init__(self) -> None:
        if self.fp16 not in get_args(Fp16Mode):
            raise TinyirError(f"uop-to-opencl: option fp16={self.fp16!r} is not one of "
                              f"{', '.join(get_args(Fp16Mode))}")

    @property
    def _storage(self) -> bool:
        return self.fp16 == "storage"

    def _type(self, t: Attribute) -> Attribute:
        """The OpenCL value type of a uop value type: in storage mode f16 values are floats."""
        return f32 if self._storage and t == f16 else t

    def _const(self, op: uop.ConstOp | uop.DefineAccOp, cls: type[ocl.ConstOp] | type[ocl.VarOp]) -> Operation:
        value = uop.literal_value(op.value)
        if self._storage and op.result.type == f16:
            value = float(np.float16(value))  # the f16 value, written as a float literal
        return cls(value, self._type(op.result.type))

    def _local_array(self, op: uop.DefineLocalOp) -> Operation:
        # storage mode: an f16 local holds the f32 values the kernel computes with (exact: they are
        # f16 values), since OpenCL C without cl_khr_fp16 declares no `half` arrays
        t = op.result.type
        return ocl.LocalArrayOp(t.size(), self._type(t.element_type))

    def _half_access(self, buffer: SSAValue) -> bool | None:
        """Whether an access to `buffer` goes through vload/vstore_half; None while a local buffer
        is not lowered yet (its element type may still change)."""
        if isinstance(buffer.owner, uop.DefineLocalOp):
            return None
        return self._storage and ocl.buffer_element_type(buffer.type) == f16

    def _load(self, op: uop.LoadOp) -> Operation | None:
        half = self._half_access(op.buffer)
        if half is None:
            return None
        return (ocl.LoadHalfOp if half else ocl.LoadOp)(op.buffer, op.index, op.gate)

    def _store(self, op: uop.StoreOp) -> Operation | None:
        half = self._half_access(op.buffer)
        if half is None:
            return None
        return (ocl.StoreHalfOp if half else ocl.StoreOp)(op.buffer, op.index, op.value, op.gate)

    @staticmethod
    def _vload(op: uop.VLoadOp) -> Operation | None:
        if isinstance(op.buffer.owner, uop.DefineLocalOp):
            return None  # its local array is lowered first
        return ocl.VLoadOp(op.buffer, op.index, len(op.lanes), op.gate)

    @staticmethod
    def _vstore(op: uop.VStoreOp) -> Operation | None:
        if isinstance(op.buffer.owner, uop.DefineLocalOp):
            return None
        return ocl.VStoreOp(op.buffer, op.index, list(op.values), op.gate)

    def _cast(self, op: uop.CastOp) -> Operation | SSAValue:
        x, to = op.input, op.result.type  # x is already lowered: an f16 source is a float here
        if self._storage and to == f16:  # widen to float if needed, then round to f16 precision
            return ocl.RoundHalfOp(x if x.type == f32 else ocl.ConvertOp(x, f32).result)
        if self._storage and x.type == to:
            return x  # f16 -> f32: the value already is that float
        if is_float(x.type) and is_int(to):
            return _float_to_int(x, to)
        return ocl.ConvertOp(x, to)

    def _bitcast(self, op: uop.BitcastOp) -> Operation:
        if self._storage and f16 in (op.input.type, op.result.type):
            emit_error(op, "uop-to-opencl: bitcast of f16 needs fp16=native (f16 values are floats in storage mode)")
        return _bitcast(op)

    def _kernel(self, op: uop.KernelOp) -> Operation:
        launch = uop.workgroup_launch(op)
        global_size, local_size = launch if launch else (_global_size(op), None)
        return ocl.KernelOp(op.name_str, global_size, list(op.buffers), op.detach_region(op.body), local_size)

    def rules(self) -> Sequence[Rule]:
        return [
            rule(uop.KernelOp, self._kernel, "uop.kernel -> ocl.kernel: global size of the gidx | grid*group, local size"),
            rule(uop.SpecialOp, _special, "gidxN/wgidN/lidxN -> get_global_id/get_group_id/get_local_id(N)"),
            rule(uop.DefineLocalOp, self._local_array, "define_local -> __local array (f16 storage: of float)"),
            rule(uop.BarrierOp, lambda op: ocl.BarrierOp(), "barrier -> barrier(CLK_LOCAL_MEM_FENCE)"),
            rule(uop.RangeOp, lambda op: ocl.ForOp(op.start.value.data, op.end.value.data), "range -> for"),
            rule(uop.EndRangeOp, lambda op: ocl.EndForOp(op.range), "endrange -> closing brace"),
            rule(uop.DefineAccOp, lambda op: self._const(op, ocl.VarOp), "acc -> var (f16 storage: a float var)"),
            rule(uop.AssignOp, lambda op: ocl.AssignOp(op.acc, op.value), "assign -> `acc = v;`"),
            rule(uop.ConstOp, lambda op: self._const(op, ocl.ConstOp), "const -> literal (f16 storage: a float literal)"),
            rule(uop.LoadOp, self._load, "load -> `g ? p[i] : 0` (f16 storage: vload_half)"),
            rule(uop.StoreOp, self._store, "store -> `p[i] = v` (f16 storage: vstore_half_rte)"),
            rule(uop.VLoadOp, self._vload, "vload (f32, i32) -> `*(__global const float4*)(p + i)`, vload4 on local"),
            rule(uop.VStoreOp, self._vstore, "vstore (f32, i32) -> `*(__global float4*)(p + i) = ..`, vstore4 on local"),
            rule(uop.AddOp, _arith(ocl.AddOp, ocl.OrOp), "add: wraps on signed ints, | on bool"),
            rule(uop.MulOp, _arith(ocl.MulOp, ocl.AndOp), "mul: wraps on signed ints, & on bool"),
            rule(uop.MaxOp, _max, "max -> fmax with NaN passed through (float), max (int), | (bool)"),
            rule(uop.IdivOp, _divide, "idiv -> / (truncates); divisor 0 or -1: by 1 and a select"),
            rule(uop.ModOp, _divide, "mod -> % (sign of the dividend); divisor 0 or -1: by 1 and a select"),
            rule(uop.FmodOp, lambda op: ocl.CallOp("fmod", [op.lhs, op.rhs]), "fmod -> fmod (exact, 0 ulp)"),
            rule(uop.AndOp, lambda op: ocl.AndOp(op.lhs, op.rhs), "and -> &"),
            rule(uop.OrOp, lambda op: ocl.OrOp(op.lhs, op.rhs), "or -> |"),
            rule(uop.XorOp, lambda op: ocl.XorOp(op.lhs, op.rhs), "xor -> ^"),
            rule(uop.ShlOp, _shift, "shl -> << (via unsigned on signed ints); 0 for an amount outside [0, width)"),
            rule(uop.ShrOp, _shift, "shr -> >> (arithmetic on signed); sign fill for an amount outside [0, width)"),
            rule(uop.CmpltOp, lambda op: ocl.LtOp(op.lhs, op.rhs), "cmplt -> <"),
            rule(uop.CmpneOp, lambda op: ocl.NeOp(op.lhs, op.rhs), "cmpne -> !="),
            rule(uop.WhereOp, lambda op: ocl.SelectOp(op.cond, op.if_true, op.if_false), "where -> c ? a : b"),
            rule(uop.NegOp, _neg, "neg -> -x (wrapping on signed ints), !x on bool"),
            rule(uop.Exp2Op, lambda op: ocl.CallOp("exp2", [op.input]), "exp2 -> exp2()"),
            rule(uop.Log2Op, lambda op: ocl.CallOp("log2", [op.input]), "log2 -> log2()"),
            rule(uop.SinOp, lambda op: ocl.CallOp("sin", [op.input]), "sin -> sin()"),
            rule(uop.SqrtOp, lambda op: ocl.CallOp("sqrt", [op.input]), "sqrt -> sqrt()"),
            rule(uop.RecipOp, lambda op: ocl.DivOp(ocl.ConstOp(1.0, op.input.type).result, op.input), "recip -> 1/x"),
            rule(uop.CastOp, self._cast, "cast -> (T)x (f16 storage: to f16 rounds, from f16 is float)"),
            rule(uop.BitcastOp, self._bitcast, "bitcast -> as_T(x) (bool: 0/1 conversion)"),
        ]

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        scalarize(op, keep=lambda v: vector_element(v) in (f32, i32))  # others lane by lane
        super().apply(ctx, op)
        for kernel in op.walk():
            if isinstance(kernel, ocl.KernelOp):
                erase_dead(kernel, lambda dead: isinstance(dead, ocl.ConvertOp | ocl.ConstOp | ocl.RoundHalfOp))
                for inner in kernel.body.walk():
                    if inner is not kernel and not inner.name.startswith("ocl."):
                        emit_error(inner, f"uop-to-opencl: cannot lower {inner.name} to OpenCL C")
