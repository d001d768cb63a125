"""`uop-to-ptx`: micro-ops to the `ptx` dialect, one rule per uop op.

How tinyir's element types live in PTX registers:
  * f32 in `.f32`, f16 in `.b16` (native `.f16` add/mul/max/neg/setp on sm_80+; exp2, log2, sin,
    sqrt and recip go through f32 with `cvt`), i1 in `.pred` (one byte `0`/`1` in memory);
  * i32, i8 and ui8 in 32-bit registers. i8 is kept sign-extended and ui8 zero-extended, so signed
    32-bit compare/div/rem/max/shr are right for all three; ops that can leave the byte's range
    (add, mul, shl, neg, idiv) are followed by a wrap: `cvt.s32.s8` (i8) or `and 255` (ui8).
    i16/ui16 the same way (`cvt.s32.s16`, `and 65535`); ui32 in a 32-bit register with the `.u32`
    instructions (unsigned compare, div, rem, max, shr, cvt);
  * i64/ui64 in `.b64` registers (`.s64`/`.u64` instructions; a shift amount goes in as `.u32`,
    clamped to 64 first), f64 in `.f64` (exp2, log2 and sin through f32: approximate, and f32's range);
  * bf16 only as 16 bits (`ld/st .u16` into a 32-bit register): uop-emulate-bf16 computes it in f32.
Global ids are `ctaid * ntid + tid` per dimension (x, y, z = gidx0, 1, 2); the block is up to
128 threads on x, and threads past the size return at once when it is not a multiple of the block.
A kernel with `wgid`/`lidx` specials launches exactly its work-groups (block = the lidx sizes,
`.maxntid`; no guard): `wgidN` is `%ctaid`, `lidxN` is `%tid`, `uop.define_local` a `.shared` array
(`ld.shared`/`st.shared` through its address; past 48 KB in all, a place in one dynamic `.extern
.shared` array, up to the arch's per-block limit) and `uop.barrier` is `bar.sync 0`.
Loops are a counter register, a label and a predicated backward branch.
ALU ops mean what the ALU table says (tinyir/alu.py): PTX's clamping shifts and saturating `cvt.rzi`
already match it; a divisor of 0 or -1 is replaced by 1 and `selp` gives the table's answer; float
-> byte conversions clamp the saturated s32.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import ClassVar

import numpy as np
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import IntegerAttr, IntegerType, ModuleOp, Signedness, UnitAttr, bf16, f16, f32, f64, i1, i8, i16, i32, i64
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter
from xdsl.rewriter import InsertPoint

from tinyir.diagnostics import emit_error
from tinyir.dialects import uop
from tinyir.element_types import is_unsigned, numpy_dtype, ui16, ui32, ui64
from tinyir.passes.symbolic import bounds, int_const
from tinyir.passes.uop_vectorize import scalarize, vector_element
from tinyir.rewrite import Rule, RulePass, _detached_producers, erase_dead, rule
from tinyir.targets.ptx import dialect as ptx
from tinyir.targets.ptx.fmod import lower_fmod

ui8 = IntegerType(8, Signedness.UNSIGNED)
BLOCK_X = 128          # threads per block along x (gidx0)
MAX_GRID_YZ = 65535    # CUDA's limit on gridDim.y and gridDim.z
MAX_BLOCK = 1024       # threads per block
MAX_BLOCK_DIMS = (1024, 1024, 64)
AXES = "xyz"

# tinyir element type -> (register-level instruction type, memory type)
_TYPES: dict[Attribute, tuple[str, str]] = {
    f32: ("f32", "f32"), f16: ("f16", "b16"), i32: ("s32", "s32"), i8: ("s32", "s8"), ui8: ("s32", "u8"),
    i1: ("pred", "u8"),
    # DTYPES
    f64: ("f64", "f64"), i64: ("s64", "s64"), ui64: ("u64", "u64"), ui32: ("u32", "u32"), i16: ("s32", "s16"),
    ui16: ("s32", "u16"), bf16: ("s32", "u16"),
}


def _ty(t: Attribute) -> str:
    """The PTX type an ALU op on tinyir type `t` (or on its register class) computes in."""
    if t in _TYPES:
        return _TYPES[t][0]
    return {i1: "pred", f16: "f16", f32: "f32"}.get(t, "s32")


def _bits(t: Attribute) -> str:
    """The `.bN` type of a register class (for selp/mov), `pred` for predicates."""
    return {f32: "f32", f16: "b16", i1: "pred", f64: "f64", i64: "b64"}.get(t, "b32")


def _is_float(t: Attribute) -> bool:
    return t in (f32, f16, f64)


def _is_wide(t: Attribute) -> bool:
    """A 64-bit integer (in a .b64 register)."""
    return t in (i64, ui64)


def _const(value: float | int | bool, t: Attribute) -> SSAValue:
    """A register holding `value` of tinyir type `t` (a new op, auto-inserted by the driver)."""
    return ptx.ConstOp(value, _ty(t)).result


def _out(value: SSAValue) -> Operation | SSAValue:
    """What a rule returns for `value`: its op when that is new (so the driver inserts it)."""
    owner = value.owner
    return owner if isinstance(owner, Operation) and owner.parent is None else value


def _wrap(value: SSAValue, t: Attribute) -> Operation | SSAValue:
    """Bring a 32-bit result back into the range of a byte type (two's complement wrap)."""
    if t == i8:
        return ptx.CvtOp(value, "s8", "s32")  # sign-extend the low byte
    if t == ui8:
        return ptx.AndOp("b32", [value, ptx.ConstOp(255, "b32").result])
    if t == i16:
        return ptx.CvtOp(value, "s16", "s32")
    if t in (ui16, bf16):
        return ptx.AndOp("b32", [value, ptx.ConstOp(65535, "b32").result])
    return _out(value)


def _via_f32(op: Operation, make) -> Operation:
    """Run an f32-only instruction on f32, f16 or f64 (f16 and f64 convert in and out)."""
    x = op.operands[0]
    if x.type in (f16, f64):
        ty = _ty(x.type)
        wide = make(ptx.CvtOp(x, ty, "f32", "rn" if x.type == f64 else None).result)
        return ptx.CvtOp(wide.result, "f32", ty, None if x.type == f64 else "rn")
    return make(x)


def _not(p: SSAValue) -> SSAValue:
    return ptx.NotOp("pred", [p]).result


# ---------------------------------------------------------------- ALU rules


def _add(op: uop.AddOp, rounding: str | None = "rn") -> Operation | SSAValue:
    t, a, b = op.result.type, op.lhs, op.rhs
    if t == i1:
        return ptx.OrOp("pred", [a, b])
    if _is_float(t):
        return ptx.AddOp(_ty(t), [a, b], rounding)
    return _wrap(ptx.AddOp(_ty(t), [a, b]).result, t)


def _mul(op: uop.MulOp, rounding: str | None = "rn") -> Operation | SSAValue:
    t, a, b = op.result.type, op.lhs, op.rhs
    if t == i1:
        return ptx.AndOp("pred", [a, b])
    if _is_float(t):
        return ptx.MulOp(_ty(t), [a, b], rounding)
    return _wrap(ptx.MulOp(_ty(t), [a, b], "lo").result, t)


def _max(op: uop.MaxOp) -> Operation:
    t = op.result.type
    if t == i1:
        return ptx.OrOp("pred", [op.lhs, op.rhs])
    if t == f64:  # max.f64 has no .NaN: a NaN operand is passed through by selp
        a, b = op.lhs, op.rhs
        larger = ptx.MaxOp("f64", [a, b]).result
        b_or_max = ptx.SelpOp("f64", [b, larger, ptx.SetpOp("f64", [b, b], "nan").result]).result
        return ptx.SelpOp("f64", [a, b_or_max, ptx.SetpOp("f64", [a, a], "nan").result])
    # floats: max.NaN propagates a NaN operand, like numpy and PyTorch (every arch here is sm_80+)
    return ptx.MaxOp(_ty(t), [op.lhs, op.rhs], "NaN" if t in (f32, f16) else None)


def _neg(op: uop.NegOp) -> Operation | SSAValue:
    t, x = op.result.type, op.input
    if t == i1:
        return ptx.NotOp("pred", [x])
    return ptx.NegOp(_ty(t), [x]) if _is_float(t) else _wrap(ptx.NegOp("s64" if _is_wide(t) else "s32", [x]).result, t)


def _known(v: SSAValue) -> int | None:
    """The value of a constant operand (lowered or not), else None."""
    owner = v.owner
    if isinstance(owner, uop.ConstOp):
        return uop.literal_value(owner.value)
    return ptx.literal_of(owner) if isinstance(owner, ptx.ConstOp) else None


#: set by `apply` on an i32 idiv/mod whose dividend is never negative (uop value bounds) and whose
#: divisor is a constant above 1: it lowers without div/rem (`_divide_by_constant`)
NONNEGATIVE_DIVIDEND = "ptx.nonnegative_dividend"


def division_magic(c: int) -> tuple[int, int]:
    """(m, s) with x idiv c == mul.hi.u32(x, m) >> s for every 0 <= x < 2**31 and 2 <= c < 2**31.

    m = ceil(2**(31+l) / c) with l = ceil(log2 c): m*c - 2**(31+l) < c <= 2**l, so the product's error
    stays below one step of the quotient for 31-bit dividends, and m < 2**32 fits the u32 operand."""
    shift = (c - 1).bit_length()
    return -(-(1 << (31 + shift)) // c), shift - 1


def _divide_by_constant(x: SSAValue, c: int, idiv: bool) -> Operation:
    """x idiv c / x mod c for x >= 0 and a constant c > 1, the way a C compiler does it before ptxas
    (which expands div/rem.s32, by a constant too, into ~20 instructions in place, inside loops too):
    a shift and a mask for a power of two, else a multiply-high, a shift and for mod a mad."""
    if c & (c - 1) == 0:
        if idiv:
            return ptx.ShrOp("u32", [x, ptx.ConstOp(c.bit_length() - 1, "u32").result])
        return ptx.AndOp("b32", [x, ptx.ConstOp(c - 1, "b32").result])
    m, s = division_magic(c)
    high = ptx.MulOp("u32", [x, ptx.ConstOp(m, "u32").result], "hi").result
    quotient = ptx.ShrOp("u32", [high, ptx.ConstOp(s, "u32").result]) if s else high.owner
    if idiv:
        return quotient
    return ptx.MadOp("s32", [quotient.results[0], ptx.ConstOp(-c, "s32").result, x], "lo")


def _divide(op: uop.IdivOp | uop.ModOp) -> Operation | SSAValue:
    """div.s32 / rem.s32 as the ALU table says: x/0 = x%0 = 0, x/-1 = -x (wraps), x%-1 = 0. PTX leaves
    division by zero machine-specific, so the divisor 0 or -1 becomes 1 and a select gives the answer.
    A dividend known non-negative over a constant divisor: `_divide_by_constant`."""
    a, b, t = op.lhs, op.rhs, op.result.type
    idiv = isinstance(op, uop.IdivOp)
    if NONNEGATIVE_DIVIDEND in op.attributes and _known(b) is not None:
        return _divide_by_constant(a, _known(b), idiv)
    ty, bits = _ty(t), _bits(ptx.register_class(_ty(t)))  # DTYPES: .u32/.s64/.u64 besides .s32
    make = (lambda x, y: ptx.DivOp(ty, [x, y])) if idiv else (lambda x, y: ptx.RemOp(ty, [x, y]))
    if _known(b) not in (None, 0, -1):
        return _wrap(make(a, b).result, t) if idiv else make(a, b)
    zero = ptx.SetpOp(ty, [b, _const(0, t)], "eq").result
    signed = ty.startswith("s")  # -1 is an edge only of signed types (ui32's 0xFFFFFFFF divides normally)
    edge = ptx.OrOp("pred", [zero, ptx.SetpOp(ty, [b, _const(-1, t)], "eq").result]).result if signed else zero
    result = make(a, ptx.SelpOp(bits, [_const(1, t), b, edge]).result).result
    if idiv and signed:  # -1: the negation (wrapped), 0: zero
        negated = ptx.SelpOp(bits, [_const(0, t), ptx.NegOp(ty, [a]).result, zero]).result
        result = ptx.SelpOp(bits, [negated, result, edge]).result
        return _wrap(result, t)
    return ptx.SelpOp(bits, [_const(0, t), result, edge])


def _nonnegative_over_constant(op: uop.IdivOp | uop.ModOp, memo: dict) -> bool:
    """An i32 division whose dividend's value bounds are non-negative and whose divisor is a constant > 1."""
    c = int_const(op.rhs)
    if op.result.type != i32 or c is None or c < 2:
        return False
    known = bounds(op.lhs, memo=memo)
    return known is not None and known[0] >= 0


def _logic(cls: type[ptx.Instr]):
    """and/or/xor: bitwise on 32/64-bit registers (byte types stay in range), logical on predicates."""
    return lambda op: cls("pred" if op.result.type == i1 else _bits(ptx.register_class(_ty(op.result.type))),
                          [op.lhs, op.rhs])


#: the attribute where `apply` keeps the uop type of a cast's or compare's operand: once the operand
#: is lowered its type is only a register class (ui32 and i32 are both i32 there)
SOURCE_TYPE = "ptx.source_type"


def _source_type(op: Operation) -> Attribute:
    return op.attributes.get(SOURCE_TYPE, op.operands[0].type)


def _cmplt(op: uop.CmpltOp) -> Operation | SSAValue:
    a, b = op.lhs, op.rhs
    if a.type == i1:  # false < true
        return ptx.AndOp("pred", [_not(a), b])
    ty = _ty(_source_type(op))
    return ptx.SetpOp(ty, [a, b], "lo" if ty in ("u32", "u64") else "lt")


def _cmpne(op: uop.CmpneOp) -> Operation:
    a, b = op.lhs, op.rhs
    if a.type == i1:
        return ptx.XorOp("pred", [a, b])
    return ptx.SetpOp(_ty(a.type), [a, b], "neu" if _is_float(a.type) else "ne")


def _where(op: uop.WhereOp) -> Operation:
    c, a, b, t = op.cond, op.if_true, op.if_false, op.result.type
    if t == i1:  # (c & a) | (!c & b)
        return ptx.OrOp("pred", [ptx.AndOp("pred", [c, a]).result, ptx.AndOp("pred", [_not(c), b]).result])
    return ptx.SelpOp(_bits(ptx.register_class(_ty(t))), [a, b, c])


def _to_bool(x: SSAValue, src: Attribute) -> Operation:
    """`x != 0` (NaN counts as true, as in C)."""
    if _is_float(src):
        return ptx.SetpOp(_ty(src), [x, _const(0.0, src)], "neu")
    return ptx.SetpOp(_ty(src), [x, _const(0, src)], "ne")


def _from_bool(p: SSAValue, dst: Attribute) -> Operation:
    reg = ptx.register_class(_ty(dst))
    one, zero = (1.0, 0.0) if _is_float(dst) else (1, 0)
    return ptx.SelpOp(_bits(reg), [_const(one, dst), _const(zero, dst), p])


def _cast(op: uop.CastOp) -> Operation | SSAValue:
    x, src, dst = op.input, _source_type(op), op.result.type
    if src == f32 and dst == bf16:  # NATIVE-BF16-STORES (uop-emulate-bf16 kept it): the bf16 in the low half
        return ptx.Pack2Op("bf16x2", x, x)
    if dst == i1:
        return x if src == i1 else _to_bool(x, src)
    if src == i1:
        return _from_bool(x, dst)
    if _is_float(src) and _is_float(dst):
        if src == dst:
            return x
        narrowing = numpy_dtype(dst).itemsize < numpy_dtype(src).itemsize
        return ptx.CvtOp(x, _ty(src), _ty(dst), "rn" if narrowing else None)
    if _is_float(dst):  # int -> float; byte types are already extended to 32 bits
        return ptx.CvtOp(x, _ty(src), _ty(dst), "rn")
    if _is_float(src):  # toward zero, saturating (NaN -> 0): cvt does it for 32/64 bits, a clamp for bytes
        if _ty(dst) in ("s32", "u32", "s64", "u64") and dst not in (i8, ui8, i16, ui16, bf16):
            return ptx.CvtOp(x, _ty(src), _ty(dst), "rzi")
        wide = ptx.CvtOp(x, _ty(src), "s32", "rzi").result
        info = numpy_dtype(dst).type
        low, high = int(np.iinfo(info).min), int(np.iinfo(info).max)
        return ptx.MaxOp("s32", [ptx.MinOp("s32", [wide, _const(high, i32)]).result, _const(low, i32)])
    # int -> int. DTYPES: between 32- and 64-bit registers a cvt (sign- or zero-extending by the
    # source's signedness; narrowing keeps the low bits), then the narrow types wrap
    if _is_wide(dst) and not _is_wide(src):
        return ptx.CvtOp(x, "u32" if is_unsigned(src) else "s32", _ty(dst))
    if _is_wide(src) and not _is_wide(dst):
        return _wrap(ptx.CvtOp(x, _ty(src), "u32").result, dst)
    return _wrap(x, dst)  # same register width: only narrowing changes the register


def _bitcast(op: uop.BitcastOp) -> Operation | SSAValue:
    x, src, dst = op.input, _source_type(op), op.result.type
    if i1 in (src, dst):  # bool has no bit pattern in a predicate: a 0/1 value conversion
        return _cast(op)
    reg_src, reg_dst = ptx.register_class(_ty(src)), ptx.register_class(_ty(dst))
    if f16 in (reg_src, reg_dst) and reg_src != reg_dst:  # DTYPES: a .b16 register <-> a 32-bit one
        emit_error(op, f"uop-to-ptx: bitcast {src} to {dst} (an f16 register to a 16-bit integer's 32-bit one) "
                       "is not supported")
    if reg_src != reg_dst:
        return ptx.MovOp(x, reg_dst)  # f32 <-> i32, f64 <-> i64
    return _wrap(x, dst)  # same class: f32->f32, i8 <-> ui8 reinterpret the byte


def _shift_amount(amount: SSAValue) -> SSAValue:
    """A shift amount as PTX takes it: a 32-bit register (PTX clamps amounts past the width). A 64-bit
    amount is first clamped (unsigned: a negative one is huge) to 64, so that its low half keeps it
    out of range."""
    if amount.type not in (i64, ui64):
        return amount
    clamped = ptx.MinOp("u64", [amount, ptx.ConstOp(64, "u64").result]).result
    return ptx.CvtOp(clamped, "u64", "u32").result


def _shr_ty(t: Attribute) -> str:
    return {i64: "s64", ui64: "u64", ui32: "u32"}.get(t, "s32")


# ---------------------------------------------------------------- structure rules


def _kernel_of(op: Operation) -> ptx.KernelOp | None:
    parent = op.parent_op()
    return parent if isinstance(parent, ptx.KernelOp) else None


def _global_pointer(kernel: ptx.KernelOp, buffer: SSAValue) -> SSAValue:
    """The `cvta.to.global` address of a buffer parameter (made by the kernel rule)."""
    for use in buffer.uses:
        load = use.operation
        if isinstance(load, ptx.LdOp) and load.space.data == "param":
            for inner in load.result.uses:
                if isinstance(inner.operation, ptx.CvtaOp):
                    return inner.operation.result
    emit_error(kernel, "uop-to-ptx: a buffer access does not name a kernel parameter")


def _address(op: uop.LoadOp | uop.StoreOp | uop.VLoadOp | uop.VStoreOp, element: Attribute) -> tuple[SSAValue, str] | None:
    """The address register and state space of an access (None until its kernel and buffer are lowered)."""
    kernel = _kernel_of(op)
    if kernel is None or isinstance(op.buffer.owner, uop.DefineLocalOp):
        return None
    shared = isinstance(op.buffer.owner, ptx.SharedOp)
    base = op.buffer if shared else _global_pointer(kernel, op.buffer)
    if op.index.type == i64:  # INDEX64: a 64-bit index (a kernel whose indices pass 2**31 - 1)
        size = _const(numpy_dtype(element).itemsize, i64)
        return ptx.MadOp("s64", [op.index, size, base], "lo").result, "shared" if shared else "global"
    size = _const(numpy_dtype(element).itemsize, i32)  # bool: one byte
    return ptx.MadOp("s32", [op.index, size, base], "wide").result, "shared" if shared else "global"


def _load(op: uop.LoadOp) -> Operation | SSAValue | None:
    element = op.result.type
    access = _address(op, element)
    if access is None:
        return None
    address, space = access
    reg_ty, mem_ty = _TYPES[element]
    loaded = ptx.LdOp(space, address, mem_ty, op.gate).result
    if element == i1:
        loaded = ptx.SetpOp("s32", [loaded, _const(0, i32)], "ne").result
    if op.gate is None:
        return _out(loaded)
    # a gated load leaves its register unset when the gate is false: select 0 then
    zero = _const(0.0 if _is_float(element) else (False if element == i1 else 0), element)
    if element == i1:
        return ptx.AndOp("pred", [op.gate, loaded])
    return ptx.SelpOp(_bits(ptx.register_class(reg_ty)), [loaded, zero, op.gate])


def _store(op: uop.StoreOp) -> Operation | None:
    owner = op.buffer.owner  # a lowered local buffer is an address: its type is on the ptx.shared
    element = owner.element if isinstance(owner, ptx.SharedOp) else uop.buffer_element_type(op.buffer.type)
    access = _address(op, element)
    if access is None:
        return None
    address, space = access
    value = op.value
    if element == i1:
        value = ptx.SelpOp("b32", [_const(1, i32), _const(0, i32), value]).result
    return ptx.StOp(space, address, value, _TYPES[element][1], op.gate)


def _vload(op: uop.VLoadOp) -> Operation | list[Operation] | None:
    element = op.lanes[0].type
    access = _address(op, element)
    if access is None:
        return None
    address, space = access
    reg_ty, mem_ty = _TYPES[element]
    loaded = ptx.LdVOp(space, address, mem_ty, len(op.lanes), op.gate)
    if op.gate is None:
        return loaded  # one op: its results are the lanes
    zero = _const(0.0 if _is_float(element) else 0, element)  # as for a gated scalar load
    return [ptx.SelpOp(_bits(ptx.register_class(reg_ty)), [lane, zero, op.gate]) for lane in loaded.lanes]


def _vstore(op: uop.VStoreOp) -> Operation | None:
    owner = op.buffer.owner
    element = owner.element if isinstance(owner, ptx.SharedOp) else uop.buffer_element_type(op.buffer.type)
    access = _address(op, element)
    if access is None:
        return None
    address, space = access
    return ptx.StVOp(space, address, list(op.values), _TYPES[element][1], op.gate)


def _mma(op: uop.MmaOp, rewriter: PatternRewriter) -> Operation | None:
    """mma.sync: element pairs packed into b32 registers (f16: mov.b32 {lo, hi}; bf16 values computed
    in f32 by uop-emulate-bf16: cvt.rn.bf16x2.f32; bf16 bits that only moved: prmt; an ldmatrix
    register as it came), then one mma.sync.aligned.m16n8k16."""
    mi = op.matrix_instruction
    if not mi.name.startswith("mma.m16n8k16."):
        emit_error(op, f"uop-to-ptx: no PTX form for matrix instruction {mi.name}")
        return None
    kind = "f16x2" if mi.in_type == "f16" else "bf16x2"
    ops: list[Operation] = []

    def pairs(values: Sequence[SSAValue]) -> list[SSAValue]:
        packed = []
        for lo, hi in zip(values[::2], values[1::2]):
            owner = lo.owner
            if isinstance(owner, ptx.Unpack2Op) and lo is owner.lo and hi is owner.hi:
                packed.append(owner.input)  # an ldmatrix register, as it came
                continue
            ops.append(pack := ptx.Pack2Op(kind, lo, hi))
            packed.append(pack.result)
        return packed

    a, b = pairs(op.a), pairs(op.b)
    rewriter.insert(ops, InsertPoint.before(op))
    return ptx.MmaSyncOp("m16n8k16", mi.in_type, a, b, list(op.c))


def _async_copy(op: uop.AsyncCopyOp) -> Operation | None:
    """cp.async of the copy's bytes: shared address of the tile element, global address of the source;
    a false gate copies 0 bytes of the source (the rest of the access is zero-filled)."""
    kernel = _kernel_of(op)
    if kernel is None or isinstance(op.tile.owner, uop.DefineLocalOp):
        return None
    size = numpy_dtype(op.tile.owner.element).itemsize
    nbytes = size * op.lanes.value.data
    dst = ptx.MadOp("s32", [op.tile_index, _const(size, i32), op.tile], "wide").result
    base = _global_pointer(kernel, op.source)
    if op.source_index.type == i64:  # INDEX64
        src = ptx.MadOp("s64", [op.source_index, _const(size, i64), base], "lo").result
    else:
        src = ptx.MadOp("s32", [op.source_index, _const(size, i32), base], "wide").result
    full = _const(nbytes, i32)
    src_size = full if op.gate is None else ptx.SelpOp("b32", [full, _const(0, i32), op.gate]).result
    return ptx.CpAsyncOp(dst, src, src_size, nbytes)


def _ldmatrix(op: uop.LdMatrixOp, rewriter: PatternRewriter) -> list[SSAValue] | None:
    """ldmatrix.sync.aligned.m8n8 from the shared tile, each register unpacked into its two halves
    (f16, or bf16's bits; unpacks that only feed mma.sync are erased: it takes the registers)."""
    access = _address(op, op.elements[0].type)
    if access is None:
        return None
    address, _ = access
    half = f16 if op.elements[0].type == f16 else i32  # bf16: its bits, in a 32-bit register (DTYPES)
    load = ptx.LdMatrixOp(address, op.count.value.data, op.trans is not None)
    unpacks = [ptx.Unpack2Op(r, half) for r in load.blocks]
    new: list[Operation] = []
    _detached_producers(load, new, set())  # the address
    rewriter.insert([*new, load, *unpacks], InsertPoint.before(op))
    return [value for u in unpacks for value in (u.lo, u.hi)]


def _wgmma_descriptor(desc: SSAValue, shared: SSAValue, ops: list[Operation]) -> SSAValue:
    """The uop descriptor (start address counted from its tile) plus the tile's address in the shared
    window >> 4, in the 14-bit start field (shared memory is under 256 KB: the sum stays in it)."""
    four, mask = ptx.ConstOp(4, "u32"), ptx.ConstOp(0x3FFF, "b64")
    start = ptx.ShrOp("u64", [shared, four.result])
    field = ptx.AndOp("b64", [start.result, mask.result])
    total = ptx.AddOp("s64", [desc, field.result])
    ops += [four, mask, start, field, total]
    return total.result


def _flush_wgmma(kernel: ptx.KernelOp) -> None:
    """wgmma is asynchronous: after a run of them (those of one k step), `wgmma.commit_group` and
    `wgmma.wait_group 0` go before the first op that reads one's D or is not plain arithmetic (a
    branch, label, barrier, store, register assignment); shared-memory stores become visible to the
    tensor cores by `fence.proxy.async.shared::cta` before each barrier.

    WGMMA-CHAIN: a wgmma that accumulates in place into the registers an earlier in-flight wgmma of
    the same shape writes in place joins its group without a wait (the chip orders accumulator
    accesses of same-shape wgmmas; PTX ISA, wgmma.fence): a k chunk's steps issue back to back and
    wait once, not once a step. It is marked `chained` (no wgmma.fence of its own)."""
    from tinyir.targets.ptx.emit import _updates_in_place

    block = kernel.body.block
    if not any(isinstance(op, ptx.WgmmaOp) for op in block.ops):
        return
    pending: set[SSAValue] = set()     # D registers of wgmmas issued since the last wait
    deferred: list[ptx.AssignOp] = []  # `acc = D` moves of those, placed after the wait
    held: dict[SSAValue, str] = {}     # accumulator registers an in-flight wgmma updates in place: its shape
    for op in list(block.ops):
        written = {a.target for a in deferred}
        reads = set(op.operands)
        if isinstance(op, ptx.WgmmaOp) and not (pending | written) & reads:
            chained = reads & held.keys()
            if not chained or (all(held[r] == op.shape.data for r in chained)
                               and chained == {c for c, d in zip(op.c, op.d) if c in held and _updates_in_place(op, c, d)}):
                pending.update(op.d)  # the next k step's wgmmas join the group
                if chained:
                    op.properties["chained"] = UnitAttr()
                continue
        if pending and isinstance(op, ptx.AssignOp) and op.value in pending and op.target not in pending | written:
            source = op.value.owner
            if isinstance(source, ptx.WgmmaOp) and _updates_in_place(source, op.target, op.value):
                held[op.target] = source.shape.data  # printed as nothing: D is this register
                continue
            op.detach()
            deferred.append(op)
            continue
        if (pending or held) and (not _plain(op) or (pending | written | held.keys()) & reads):
            block.insert_ops_before([ptx.WgmmaCommitOp(), ptx.WgmmaWaitOp(0), *deferred], op)
            pending.clear()
            deferred.clear()
            held.clear()
            if isinstance(op, ptx.WgmmaOp):
                pending.update(op.d)
        if isinstance(op, ptx.BarSyncOp):
            block.insert_op_before(ptx.FenceProxyAsyncOp(), op)
    if pending or held:
        block.insert_ops_before([ptx.WgmmaCommitOp(), ptx.WgmmaWaitOp(0), *deferred], block.last_op)


#: a k loop whose body is only arithmetic and wgmmas that update their accumulators in place keeps
#: its wgmma groups in flight from one iteration to the next (the chip runs wgmmas on the same
#: accumulators in order): its `wgmma.wait_group 0` moves from the back branch to after the loop.
#: Ran right on an H100 (test/gpu/wgmma.py TC_OVERLAP=1) and changed nothing measurable there: off
OVERLAP_K_STEPS = False


def _plain(op: Operation) -> bool:
    """Register arithmetic: no memory, control flow, barrier or register assignment."""
    return isinstance(op, ptx.Instr | ptx.ConstOp | ptx.CvtOp | ptx.MovOp) and not isinstance(op, ptx.LdOp | ptx.StOp)


def _wait_before_back_branch(ops: list[Operation], i: int, nearest_label: bool) -> tuple[int, int] | None:
    """(label, branch) positions where ops[i] is a wgmma wait followed only by register arithmetic
    and moves up to a guarded branch back to a label before it (a loop's end); `nearest_label`: that
    label must be the nearest one before the wait (a loop with no label inside). None otherwise."""
    if not isinstance(ops[i], ptx.WgmmaWaitOp):
        return None
    j = i + 1
    while j < len(ops) and (_plain(ops[j]) or isinstance(ops[j], ptx.AssignOp)):
        j += 1
    if j == len(ops) or not isinstance(ops[j], ptx.BraOp) or ops[j].guard is None:
        return None
    label = ops[j].label.data
    for h in range(i - 1, -1, -1):
        if isinstance(ops[h], ptx.LabelOp) and (nearest_label or ops[h].label.data == label):
            return (h, j) if ops[h].label.data == label else None
    return None


def _overlap_k_steps(kernel: ptx.KernelOp) -> None:
    """OVERLAP_K_STEPS: drop the wait at a loop's back branch where that is safe, wait after the loop."""
    from tinyir.targets.ptx.emit import _updates_in_place

    block = kernel.body.block
    ops = list(block.ops)
    for i, wait in enumerate(ops):
        found = _wait_before_back_branch(ops, i, nearest_label=True)
        if found is None:
            continue
        start, j = found
        bra = ops[j]
        body = ops[start + 1:i]
        wgmmas = [o for o in body if isinstance(o, ptx.WgmmaOp)]
        accumulators = {c for w in wgmmas for c in w.c}
        results = {d for w in wgmmas for d in w.d}
        safe = bool(wgmmas) and all(_plain(o) or isinstance(o, ptx.WgmmaOp | ptx.WgmmaCommitOp)
                                    or (isinstance(o, ptx.AssignOp) and o.value in results) for o in body)  # WGMMA-CHAIN
        safe = safe and all(_updates_in_place(w, c, d) for w in wgmmas for c, d in zip(w.c, w.d))
        for o in ops[i + 1:j + 1]:  # after the wait: the (elided) moves back, the loop counter
            reads = set(o.operands)
            moved_back = isinstance(o, ptx.AssignOp) and o.value in results
            if not moved_back and reads & (accumulators | results):
                safe = False
        if safe:
            wait.detach()
            block.insert_op_after(wait, bra)


def _keep_a_group_in_flight(kernel: ptx.KernelOp) -> None:
    """WGMMA-IN-FLIGHT: a loop whose wgmmas are all `in_flight` (uop-async-copy overwrites their tiles
    only a chunk later, after a barrier) waits at its back branch for all but the newest group
    (`wgmma.wait_group 1`): each chunk's wgmmas run while the next chunk's copies and wgmmas issue.
    Every group is waited for after the loop. Only where nothing between that wait and the branch
    reads the loop's accumulators (the ops there: the loop counter)."""
    block = kernel.body.block
    ops = list(block.ops)
    for i, wait in enumerate(ops):
        found = _wait_before_back_branch(ops, i, nearest_label=False)
        if found is None or wait.pending.value.data != 0:
            continue
        start, j = found
        bra = ops[j]
        wgmmas = [o for o in ops[start + 1:i] if isinstance(o, ptx.WgmmaOp)]
        if not wgmmas or any(w.in_flight is None for w in wgmmas):
            continue
        registers = {v for w in wgmmas for v in (*w.c, *w.d)}
        if any(set(o.operands) & registers for o in ops[i + 1:j]):
            continue
        block.insert_op_before(ptx.WgmmaWaitOp(1), wait)
        wait.detach()
        block.insert_op_after(wait, bra)


def _loop_label(kernel: ptx.KernelOp) -> str:
    count = sum(1 for o in kernel.body.block.ops if isinstance(o, ptx.LabelOp))
    return f"LOOP_{kernel.name_str}_{count}"


@dataclass(frozen=True)
class UopToPTX(RulePass):
    """Rewrite every `uop.kernel` into a `ptx.kernel` (PTX for one architecture and ISA version)."""

    name = "uop-to-ptx"
    summary = "Lower micro-ops to the ptx dialect (NVIDIA PTX, written directly)"

    arch: str = "sm_80"          # .target: sm_80, sm_86, sm_89, sm_90 or sm_90a
    ptx_version: str = "8.0"     # .version: 8.0 .. 9.0 (sm_90a needs 8.0 or later)
    # float add/mul without a rounding modifier, so ptxas may fuse a multiply feeding an add into one
    # fma (nvcc's default -fmad=true: twice the multiply-add rate, one rounding instead of two);
    # false: add.rn/mul.rn, each rounded on its own as on the CPU
    fmad: bool = True
    # one walk per kernel (IN-ORDER, rewrite.py) rather than the greedy driver's worklist; False is
    # for the test that compares the two
    in_order: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if self.arch not in ptx.ARCHS:
            raise ValueError(f"arch must be one of {', '.join(ptx.ARCHS)}, got '{self.arch}'")
        if self.ptx_version not in ptx.PTX_VERSIONS:
            raise ValueError(f"ptx-version must be one of {', '.join(ptx.PTX_VERSIONS)}, got '{self.ptx_version}'")

    # -- kernel structure

    def _kernel(self, op: uop.KernelOp) -> Operation:
        launch = uop.workgroup_launch(op)
        if launch:
            self._check_work_groups(op)
            self._check_shared(op)
        grid, block = launch if launch else self._grid_and_block(op)
        kernel = ptx.KernelOp(op.name_str, self.arch, self.ptx_version, grid, block, list(op.buffers),
                              op.detach_region(op.body))
        block_ops = kernel.body.block
        prologue: list[Operation] = []
        for arg in block_ops.args:  # every parameter: ld.param, then to a .global address
            param = ptx.LdOp("param", arg, "u64")
            prologue += [param, ptx.CvtaOp("u64", [param.result], "to.global")]
        if block_ops.first_op is not None:
            block_ops.insert_ops_before(prologue, block_ops.first_op)
        else:
            block_ops.add_ops(prologue)
        return kernel

    @staticmethod
    def _check_work_groups(op: uop.KernelOp) -> None:
        """CUDA's limits for an explicit launch: threads per block and per block dim, blocks per grid
        dim (shared memory: `_check_shared`, once the arrays are laid out)."""
        grid, group = uop.launch_shape(op)
        if math.prod(group) > MAX_BLOCK or any(n > m for n, m in zip(group, MAX_BLOCK_DIMS)):
            emit_error(op, f"uop-to-ptx: a work-group of {group} (lidx0, 1, 2) exceeds CUDA's block limit "
                           f"({MAX_BLOCK} threads, {list(MAX_BLOCK_DIMS)} per dim)")
        if grid[0] >= 2**31 or max(grid[1:]) > MAX_GRID_YZ:
            emit_error(op, f"uop-to-ptx: a grid of {grid} work-groups (wgid0, 1, 2) exceeds CUDA's grid limit")

    def _check_shared(self, op: uop.KernelOp) -> None:
        """The kernel's local buffers, laid out as their shared arrays will be (ptx.shared_layout;
        wgmma tiles 1024-byte aligned), within what one block of `arch` may use (over
        ptx.MAX_STATIC_SHARED they become dynamic shared memory: tinyir/targets/ptx/emit.py)."""
        arrays = []
        for d in op.body.block.ops:
            if isinstance(d, uop.DefineLocalOp):
                arrays.append(array := ptx.SharedOp(d.result.type))
                if any(isinstance(u.operation, uop.WgmmaOp) for u in d.result.uses):
                    array.attributes["align"] = IntegerAttr(1024, i64)
        used = ptx.shared_layout(arrays)[1]
        limit = ptx.SHARED_BYTES_PER_BLOCK[self.arch]
        if used > limit:
            emit_error(op, f"uop-to-ptx: {used} bytes of local memory exceed the {limit} bytes of shared "
                           f"memory a block may use on {self.arch}")

    @staticmethod
    def _grid_and_block(op: uop.KernelOp) -> tuple[list[int], list[int]]:
        """A gidx kernel: the grid in threads per gidx dim and blocks of up to BLOCK_X threads on x."""
        sizes: dict[int, int] = {}
        for inner in op.body.block.ops:
            if not isinstance(inner, uop.SpecialOp):
                continue
            name, size = inner.dim.data, inner.size.value.data
            dim = int(name[4:])
            if dim > 2:
                emit_error(inner, f"uop-to-ptx: CUDA grids have 3 dimensions, got {name}")
            if sizes.setdefault(dim, size) != size:
                emit_error(inner, f"uop-to-ptx: {name} is used with two different sizes")
        grid = [sizes.get(d, 1) for d in range(max(sizes) + 1)] if sizes else [1]
        block = [min(BLOCK_X, grid[0]), 1, 1]
        for d, n in enumerate(grid):
            blocks = math.ceil(n / block[d])
            if (d > 0 and blocks > MAX_GRID_YZ) or n >= 2**31:
                emit_error(op, f"uop-to-ptx: gidx{d} of size {n} exceeds CUDA's grid limit")
        return grid, block

    def _wgmma(self, op: uop.WgmmaOp, rewriter: PatternRewriter) -> Operation | None:
        """wgmma (sm_90a): each descriptor gets its tile's shared address; scale-d true (D = A B + C)."""
        mi = op.matrix_instruction
        if self.arch != "sm_90a":
            emit_error(op, f"uop-to-ptx: {mi.name} (wgmma) needs arch=sm_90a, got {self.arch}")
        if _kernel_of(op) is None or not all(isinstance(t.owner, ptx.SharedOp) for t in (op.a_tile, op.b_tile)):
            return None  # the kernel and its tiles first
        for tile in (op.a_tile, op.b_tile):  # a swizzle xors address bits up to 9: 1024-byte aligned
            tile.owner.attributes["align"] = IntegerAttr(1024, i64)
        ops: list[Operation] = []
        a = _wgmma_descriptor(op.a_desc, op.a_tile, ops)
        b = _wgmma_descriptor(op.b_desc, op.b_tile, ops)
        one, zero = ptx.ConstOp(1, "s32"), ptx.ConstOp(0, "s32")
        scale = ptx.SetpOp("s32", [one.result, zero.result], "ne")
        rewriter.insert([*ops, one, zero, scale], InsertPoint.before(op))
        new = ptx.WgmmaOp(f"m{mi.m}n{mi.n}k{mi.k}", mi.in_type, a, b, scale.result, list(op.c),
                          op.a_trans is not None, op.b_trans is not None)
        if op.in_flight is not None:
            new.properties["in_flight"] = UnitAttr()
        return new

    @staticmethod
    def _special(op: uop.SpecialOp, rewriter: PatternRewriter) -> SSAValue | Operation | None:
        kernel = _kernel_of(op)
        if kernel is None:
            return None  # the kernel rule reads the sizes of the specials first
        kind, dim, size = uop.special_kind(op.dim.data), uop.special_dim(op.dim.data), op.size.value.data
        axis = AXES[dim]
        if kind != "gidx":  # an exact launch: the block id and the thread id in the block, no guard
            return ptx.SregOp(f"{'ctaid' if kind == 'wgid' else 'tid'}.{axis}")
        ctaid, ntid, tid = (ptx.SregOp(f"{r}.{axis}") for r in ("ctaid", "ntid", "tid"))
        gidx = ptx.MadOp("s32", [ctaid.result, ntid.result, tid.result], "lo")
        new: list[Operation] = [ctaid, ntid, tid, gidx]
        if size % kernel.block[dim]:  # the last block has threads past the end
            limit = ptx.ConstOp(size, "s32")
            past = ptx.SetpOp("s32", [gidx.result, limit.result], "ge")
            new += [limit, past, ptx.RetOp(past.result)]
        rewriter.insert(new, InsertPoint.before(op))
        return gidx.result

    def rules(self) -> Sequence[Rule]:
        loops: dict[SSAValue, tuple[str, int]] = {}  # counter register -> (label, end)

        def range_(op: uop.RangeOp, rewriter: PatternRewriter) -> SSAValue | None:
            kernel = _kernel_of(op)
            if kernel is None:
                return None
            counter = ptx.RegOp(op.start.value.data, "s32")
            label = _loop_label(kernel)
            rewriter.insert([counter, ptx.LabelOp(label)], InsertPoint.before(op))
            loops[counter.result] = (label, op.end.value.data)
            return counter.result

        def endrange(op: uop.EndRangeOp, rewriter: PatternRewriter) -> Operation | None:
            if op.range not in loops:
                return None  # its range is not lowered yet
            label, end = loops[op.range]
            one, limit = ptx.ConstOp(1, "s32"), ptx.ConstOp(end, "s32")
            step = ptx.AddOp("s32", [op.range, one.result])
            again = ptx.SetpOp("s32", [op.range, limit.result], "lt")
            rewriter.insert([one, step, ptx.AssignOp(op.range, step.result), limit, again], InsertPoint.before(op))
            return ptx.BraOp(label, again.result)

        rounding = None if self.fmad else "rn"
        return [
            rule(uop.KernelOp, self._kernel, "uop.kernel -> ptx.kernel: grid, block, ld.param + cvta per buffer"),
            rule(uop.SpecialOp, self._special, "gidxN -> ctaid*ntid+tid (+ `@p ret` past the end); wgidN -> ctaid, lidxN -> tid"),
            rule(uop.DefineLocalOp, lambda op: ptx.SharedOp(op.result.type), "define_local -> .shared array"),
            rule(uop.BarrierOp, lambda op: ptx.BarSyncOp(), "barrier -> bar.sync 0"),
            rule(uop.RangeOp, range_, "range -> counter register + loop label"),
            rule(uop.EndRangeOp, endrange, "endrange -> add, setp.lt, `@p bra` back to the label"),
            rule(uop.DefineAccOp, lambda op: ptx.RegOp(uop.literal_value(op.value), _ty(op.result.type)), "acc -> reg"),
            rule(uop.AssignOp, lambda op: ptx.AssignOp(op.acc, op.value), "assign -> mov into the reg"),
            rule(uop.ConstOp, lambda op: ptx.ConstOp(uop.literal_value(op.value), _ty(op.result.type)), "const -> mov imm"),
            rule(uop.LoadOp, _load, "load -> mad.wide address, [@gate] ld.global/ld.shared (+ selp 0)"),
            rule(uop.StoreOp, _store, "store -> mad.wide address, [@gate] st.global/st.shared"),
            rule(uop.VLoadOp, _vload, "vload -> mad.wide address, [@gate] ld.global/shared.vN (+ selp 0 per lane)"),
            rule(uop.VStoreOp, _vstore, "vstore -> mad.wide address, [@gate] st.global/shared.vN"),
            rule(uop.MmaOp, _mma, "mma -> pairs packed into b32, mma.sync.aligned.m16n8k16.row.col"),
            rule(uop.WgmmaOp, self._wgmma, "wgmma -> descriptors + the tiles' shared addresses, wgmma.fence, "
                 "wgmma.mma_async (commit/wait and fence.proxy.async placed after lowering)"),
            rule(uop.AsyncCopyOp, _async_copy, "async_copy -> shared and global addresses, cp.async (src-size 0 where gated off)"),
            rule(uop.AsyncCommitOp, lambda op: ptx.CpAsyncCommitOp(), "async_commit -> cp.async.commit_group"),
            rule(uop.AsyncWaitOp, lambda op: ptx.CpAsyncWaitOp(op.pending.value.data), "async_wait N -> cp.async.wait_group N"),
            rule(uop.LdMatrixOp, _ldmatrix, "ldmatrix -> ldmatrix.sync.aligned.m8n8.xN[.trans].shared.b16, halves unpacked"),
            rule(uop.AddOp, lambda op: _add(op, rounding), "add -> add (fmad) or add.rn (float), add.s32 + wrap, or.pred"),
            rule(uop.MulOp, lambda op: _mul(op, rounding), "mul -> mul (fmad) or mul.rn (float), mul.lo.s32 + wrap, and.pred"),
            rule(uop.MaxOp, _max, "max -> max.NaN.T (floats), max.T (ints), or.pred"),
            rule(uop.IdivOp, _divide, "idiv -> div.s32 (truncates) + wrap; divisor 0 or -1: by 1 and selp; "
                 "x >= 0 by a constant: shr.u32, or mul.hi.u32 + shr.u32"),
            rule(uop.ModOp, _divide, "mod -> rem.s32 (sign of the dividend); divisor 0 or -1: by 1 and selp; "
                 "x >= 0 by a constant: and.b32, or mul.hi.u32 + shr.u32 + mad.lo"),
            rule(uop.FmodOp, lambda op: lower_fmod(op.lhs, op.rhs),
                 "fmod -> exact long division in 13 (f32, f16) or 41 (f64) straight-line fma steps (ptx/fmod.py)"),
            rule(uop.AndOp, _logic(ptx.AndOp), "and -> and.b32 / and.pred"),
            rule(uop.OrOp, _logic(ptx.OrOp), "or -> or.b32 / or.pred"),
            rule(uop.XorOp, _logic(ptx.XorOp), "xor -> xor.b32 / xor.pred"),
            rule(uop.ShlOp, lambda op: _wrap(ptx.ShlOp(_bits(ptx.register_class(_ty(op.result.type))),
                                                        [op.lhs, _shift_amount(op.rhs)]).result, op.result.type),
                 "shl -> shl.b32/b64 + wrap"),
            rule(uop.ShrOp, lambda op: ptx.ShrOp(_shr_ty(op.result.type), [op.lhs, _shift_amount(op.rhs)]),
                 "shr -> shr.s32 (ui8/ui16 are zero-extended) | shr.u32/u64 (unsigned) | shr.s64"),
            rule(uop.CmpltOp, _cmplt, "cmplt -> setp.lt, !a & b on bools"),
            rule(uop.CmpneOp, _cmpne, "cmpne -> setp.ne / setp.neu (NaN != x), xor.pred"),
            rule(uop.WhereOp, _where, "where -> selp, and/or on bools"),
            rule(uop.NegOp, _neg, "neg -> neg.T (+ wrap), not.pred"),
            rule(uop.Exp2Op, lambda op: _via_f32(op, lambda x: ptx.Ex2Op("f32", [x], "approx")), "exp2 -> ex2.approx.f32"),
            rule(uop.Log2Op, lambda op: _via_f32(op, lambda x: ptx.Lg2Op("f32", [x], "approx")), "log2 -> lg2.approx.f32"),
            rule(uop.SinOp, lambda op: _via_f32(op, lambda x: ptx.SinOp("f32", [x], "approx")), "sin -> sin.approx.f32"),
            rule(uop.SqrtOp, lambda op: ptx.SqrtOp("f64", [op.input], "rn") if op.input.type == f64 else
                 _via_f32(op, lambda x: ptx.SqrtOp("f32", [x], "rn")), "sqrt -> sqrt.rn.f32 | sqrt.rn.f64"),
            rule(uop.RecipOp, lambda op: ptx.RcpOp("f64", [op.input], "rn") if op.input.type == f64 else
                 _via_f32(op, lambda x: ptx.RcpOp("f32", [x], "rn")), "recip -> rcp.rn.f32 | rcp.rn.f64"),
            rule(uop.CastOp, _cast, "cast -> cvt with rounding, setp (to bool), selp (from bool); f32 -> bf16 "
                 "(only stored): cvt.rn.bf16x2.f32"),
            rule(uop.BitcastOp, _bitcast, "bitcast -> mov.b32 (f32 <-> i32), byte reinterpretation"),
        ]

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        scalarize(op, keep=lambda v: vector_element(v) in (f32, i32, f16))  # byte types lane by lane
        memo: dict = {}
        for inner in op.walk():  # DTYPES: the operand's signedness, before lowering leaves only its class
            if isinstance(inner, uop.CastOp | uop.CmpltOp | uop.BitcastOp):
                inner.attributes[SOURCE_TYPE] = inner.operands[0].type
            elif isinstance(inner, uop.IdivOp | uop.ModOp) and _nonnegative_over_constant(inner, memo):
                inner.attributes[NONNEGATIVE_DIVIDEND] = UnitAttr()
        # IN-ORDER (rewrite.py): each kernel, then each op of its body once, after what it reads (the
        # body's rules read the ptx.kernel around them); an op whose rules all decline leaves the rest
        # to the greedy driver, as before
        table = self.table()
        waiting = not self.in_order
        if self.in_order:
            waiting = bool(table.apply_in_order([k for k in op.walk() if isinstance(k, uop.KernelOp)]))
            for kernel in [k for k in op.walk() if isinstance(k, ptx.KernelOp)]:
                waiting |= bool(table.apply_in_order(kernel.body.block.ops))
        if waiting:
            table.apply(op, greedy=self.greedy, reverse=self.reverse)
        for kernel in op.walk():
            if isinstance(kernel, ptx.KernelOp):
                erase_dead(kernel, lambda dead: isinstance(dead, ptx.ConstOp | ptx.CvtOp | ptx.SregOp | ptx.Unpack2Op))
                _flush_wgmma(kernel)
                _keep_a_group_in_flight(kernel)
                if OVERLAP_K_STEPS:
                    _overlap_k_steps(kernel)
                for inner in kernel.body.walk():
                    if inner is not kernel and not inner.name.startswith("ptx."):
                        emit_error(inner, f"uop-to-ptx: cannot lower {inner.name} to PTX")
