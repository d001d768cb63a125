"""`uop-emulate-bf16`: bf16 arithmetic as f32 arithmetic rounded to bf16 after every op.

No built-in target computes in bfloat16, so before a lowering every bf16 value of a `uop.kernel`
becomes the f32 holding the same number, and bf16 stays only where memory is touched: a load of a
bf16 buffer is followed by its widening (the 16 bits, shifted up into an f32), a store is preceded
by taking the 16 high bits of the f32 (exact: every inexact op has already rounded to nearest even,
and a NaN made by one is a quiet bf16 NaN).
What a target must do for bf16 is therefore only to load, store and bitcast 16-bit values.

bf16 that only moves stays 16 bits: a load (or an ldmatrix element) whose every reader is a store
of its value into bf16 memory, a bitcast, or an A/B element of a `uop.mma` (which multiplies bf16
itself) is not widened, so a copy moves the bits and a matrix op's fragments need no repacking
(ldmatrix hands mma.sync its registers as they came). A matrix op's bf16 elements may therefore be
bf16 (the bits) or f32 (a computed value, rounded), one kind per operand (where they would mix, the
bits are widened too); targets take both.

Each op whose result is bf16 gives exactly the bf16 that rounding its f32 result gives (ml_dtypes,
PyTorch on the CPU): ops that can be inexact in bf16 (add, mul, exp2, log2, sin, sqrt, recip, and
casts to bf16) round their f32 result to bf16 precision; neg, max, where and constants are exact.
A cast to bf16 from a type wider than f32's 24-bit significand (f64, i32, ui32, i64, ui64) rounds
once, as ml_dtypes and numpy do (PyTorch rounds twice): the value is first rounded to f32 *to odd*
(toward zero, the last bit set when inexact), which f32 -> bf16's round to nearest even then turns
into the correctly rounded bf16. Casts f64 -> f16 get the same treatment (LLVM on x86 has no direct
conversion, and OpenCL's storage-mode f16 goes through float).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, bf16, f16, f32, f64, i32, i64
from xdsl.ir import Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter
from xdsl.rewriter import InsertPoint

from tinyir.dialects import uop
from tinyir.element_types import BFLOAT16, bit_width, is_float, ui16, ui32, ui64
from tinyir.rewrite import Rule, RulePass, RuleTable, _detached_producers, rule

#: ops whose f32 result is rounded to bf16 precision (the others give a bf16 value from bf16 operands)
INEXACT: tuple[type[Operation], ...] = (uop.AddOp, uop.MulOp, uop.Exp2Op, uop.Log2Op, uop.SinOp, uop.SqrtOp,
                                        uop.RecipOp)
EXACT: tuple[type[Operation], ...] = (uop.NegOp, uop.MaxOp, uop.WhereOp, uop.FmodOp)  # fmod: representable


def _u32(value: int) -> SSAValue:
    return uop.ConstOp(value, ui32).result


def rounded_bits(x: SSAValue) -> Operation:
    """The f32 `x` rounded to nearest-even bf16, as the bf16's bits in the high half of a ui32 (low
    half zero): bits + 0x7FFF + (bit 16), the NaNs made quiet instead (their payload may not round
    into inf)."""
    bits = uop.BitcastOp(x, ui32).result
    lsb = uop.AndOp(uop.ShrOp(bits, _u32(16)).result, _u32(1)).result
    rounded = uop.AddOp(uop.AddOp(bits, _u32(0x7FFF)).result, lsb).result
    quiet_nan = uop.OrOp(bits, _u32(0x400000)).result
    chosen = uop.WhereOp(uop.CmpneOp(x, x).result, quiet_nan, rounded).result
    return uop.AndOp(chosen, _u32(0xFFFF0000))


def round_to_bf16(x: SSAValue) -> Operation:
    """The f32 `x` rounded to the nearest bf16 value, still an f32."""
    return uop.BitcastOp(rounded_bits(x).results[0], f32)


def high_bits(x: SSAValue) -> SSAValue:
    """The 16 bits of the bf16 that the f32 `x` holds exactly (every value made from bf16 values
    does: the inexact ops round), as a ui16: the high half of its bits."""
    return uop.CastOp(uop.ShrOp(uop.BitcastOp(x, ui32).result, _u32(16)).result, ui16).result


def bf16_bits(x: SSAValue) -> Operation:
    """The f32 `x` (a bf16 value) as a bf16 (its 16 bits) for a store."""
    return uop.BitcastOp(high_bits(x), bf16)


def widen(bits16: SSAValue) -> Operation:
    """The 16 bits of a bf16 (ui16) as the f32 of the same value."""
    return uop.BitcastOp(uop.ShlOp(uop.CastOp(bits16, ui32).result, _u32(16)).result, f32)


#: sources whose conversion to f32 may round (then f32 -> bf16/f16 would round a second time)
WIDE_SOURCES = (f64, i32, ui32, i64, ui64)


def to_f32_round_to_odd(x: SSAValue) -> SSAValue:
    """`x` (f64 or an integer) as an f32 rounded toward zero, with the lowest bit set when that was
    inexact: rounding this to any format 2+ bits narrower gives the correctly rounded result."""
    nearest = uop.CastOp(x, f32).result
    back = uop.CastOp(nearest, x.type).result  # exact unless x was inexact (or NaN, or saturated: harmless)
    inexact = uop.CmpneOp(back, x).result
    zero = uop.ConstOp(0.0 if is_float(x.type) else 0, x.type).result
    positive_away = uop.AndOp(uop.CmpltOp(zero, x).result, uop.CmpltOp(x, back).result).result
    negative_away = uop.AndOp(uop.CmpltOp(x, zero).result, uop.CmpltOp(back, x).result).result
    away = uop.OrOp(positive_away, negative_away).result  # rounded away from zero: step back one ulp
    bits = uop.BitcastOp(nearest, ui32).result
    toward_zero = uop.WhereOp(away, uop.AddOp(bits, _u32(0xFFFFFFFF)).result, bits)  # bits - 1 (wraps)
    odd = uop.OrOp(toward_zero.result, uop.CastOp(inexact, ui32).result).result
    return uop.BitcastOp(odd, f32).result


def _is_bf16(v: SSAValue) -> bool:
    return v.type == bf16


def _moves(use) -> bool:
    """Whether a use of a bf16 value takes its bits as they are: a bitcast, a store of it into bf16
    memory, or an element of a matrix op's A or B."""
    reader = use.operation
    if isinstance(reader, uop.BitcastOp):
        return True
    if isinstance(reader, uop.StoreOp):
        return reader.value is reader.operands[use.index] and uop.buffer_element_type(reader.buffer.type) == bf16
    if isinstance(reader, uop.MmaOp):
        return use.index < len(reader.a) + len(reader.b)
    return False


def _widened_load(op: uop.LoadOp) -> Operation | None:
    if not _is_bf16(op.result) or all(_moves(u) for u in op.result.uses):
        return None  # it only moves (or was widened already: its only readers take the bits)
    load = uop.LoadOp.create(operands=list(op.operands), result_types=[bf16], attributes=dict(op.attributes))
    return widen(uop.BitcastOp(load.results[0], ui16).result)


def _widened_ldmatrix(op: uop.LdMatrixOp, rewriter: PatternRewriter) -> bool:
    """The bf16 elements of an ldmatrix stay bits for readers that only move them; the others read
    each element widened (placed right after the ldmatrix)."""
    after: Operation = op
    changed = False
    for element in op.elements:
        others = [u for u in element.uses if not _moves(u)]
        if not _is_bf16(element) or not others:
            continue
        wide = widen(uop.BitcastOp(element, ui16).result)
        chain: list[Operation] = []
        _detached_producers(wide, chain, set())
        chain.append(wide)
        rewriter.insert(chain, InsertPoint.after(after))
        after, changed = wide, True
        for u in others:
            u.operation.operands[u.index] = wide.results[0]
    return changed  # the ldmatrix itself stays


def _uniform_matrix_operands(op: uop.MmaOp) -> Operation | None:
    """A matrix op's A (and B) elements are all bits or all f32 (uop.mma's verifier): where some of an
    operand's elements were widened (computed, or read by a reader that computes), its bits are too."""
    changed = False

    def uniform(values: Sequence[SSAValue]) -> list[SSAValue]:
        nonlocal changed
        if len({v.type for v in values}) < 2:
            return list(values)
        changed = True
        return [widen(uop.BitcastOp(v, ui16).result).results[0] if _is_bf16(v) else v for v in values]

    a, b = uniform(op.a), uniform(op.b)
    return uop.MmaOp(op.instruction.data, a, b, list(op.c)) if changed else None


def _rounded_store(op: uop.StoreOp) -> Operation | None:
    if op.value.type != f32 or uop.buffer_element_type(op.buffer.type) != bf16:
        return None
    gate = [op.gate] if op.gate is not None else []
    return uop.StoreOp.create(operands=[op.buffer, op.index, bf16_bits(op.value).results[0], *gate],
                              attributes=dict(op.attributes))


def _literal(op: uop.ConstOp | uop.DefineAccOp) -> Operation | None:
    if not _is_bf16(op.result):
        return None
    value = float(np.float32(op.value.value.data).astype(BFLOAT16))  # exact (IR written by hand may not be)
    return type(op)(value, f32)  # a bf16 value is an f32 value


def _alu(op: Operation) -> Operation | None:
    if not op.results or not _is_bf16(op.results[0]):
        return None
    wide = type(op).create(operands=list(op.operands), result_types=[f32], attributes=dict(op.attributes))
    return round_to_bf16(wide.results[0]) if isinstance(op, INEXACT) else wide


def _cast(op: uop.CastOp, native_stores: bool = False) -> Operation | SSAValue | None:
    src, dst = op.input.type, op.result.type
    if native_stores and dst == bf16 and src == f32 and all(
            isinstance(u.operation, uop.StoreOp) and u.index == 2 for u in op.result.uses):
        return None  # the target rounds it (NATIVE-BF16-STORES)
    if dst == bf16:
        if src in WIDE_SOURCES:
            return round_to_bf16(to_f32_round_to_odd(op.input))
        return round_to_bf16(op.input if src == f32 else uop.CastOp(op.input, f32).result)
    if dst == f16 and src == f64:
        return uop.CastOp(to_f32_round_to_odd(op.input), f16)
    if src == f32 and dst == f32:  # from bf16: the value already is that f32
        return op.input
    return None


def _bitcast(op: uop.BitcastOp) -> Operation | None:
    src, dst = op.input.type, op.result.type
    if dst == bf16:  # 16 bits read as a bf16: widened, unless they only go to memory as they are
        if all(isinstance(u.operation, uop.StoreOp) for u in op.result.uses):
            return None
        return widen(op.input if src == ui16 else uop.BitcastOp(op.input, ui16).results[0])
    if src == f32 and bit_width(dst) == 16:  # the bits of a bf16 (now an f32 of the same value)
        bits = high_bits(op.input)
        return bits.owner if dst == ui16 else uop.BitcastOp(bits, dst)
    return None


def rules(native_stores: bool = False) -> Sequence[Rule]:
    return [
        rule(uop.LoadOp, _widened_load, "load of bf16 -> load, then its bits shifted into an f32 (unless it only moves)"),
        rule(uop.LdMatrixOp, _widened_ldmatrix, "ldmatrix of bf16 -> the same; elements widened for readers that compute"),
        rule(uop.MmaOp, _uniform_matrix_operands, "mma whose A (B) mixes bf16 bits and f32 -> the bits widened too"),
        rule(uop.StoreOp, _rounded_store, "store of a (bf16 as f32) value -> round to nearest even bf16, store"),
        rule((uop.ConstOp, uop.DefineAccOp), _literal, "bf16 const/define_acc -> the same f32"),
        rule(uop.CastOp, lambda op: _cast(op, native_stores),
             "cast to bf16 -> to f32 (to odd from f64/i32/i64), round (native_stores: an f32 cast only stored "
             "stays); bf16 -> f32: the value; f64 -> f16: through f32 rounded to odd"),
        rule(uop.BitcastOp, _bitcast, "bitcast to bf16 -> widen the bits; bitcast of bf16 -> its 16 bits"),
        rule(INEXACT, _alu, "inexact bf16 op -> the f32 op, rounded to bf16"),
        rule(EXACT, _alu, "neg/max/where on bf16 -> the f32 op (exact)"),
    ]


@dataclass(frozen=True)
class EmulateBf16(RulePass):
    """bf16 values as f32 (rounded to bf16 after each op), bf16 only in memory."""

    name = "uop-emulate-bf16"
    summary = "bf16 arithmetic in f32, rounded to bf16 after every op; bf16 only in loads and stores"
    greedy = False
    # NATIVE-BF16-STORES: an f32 -> bf16 cast whose every reader is a store of its value stays, for a
    # lowering that rounds it itself (cuda: cvt.rn.bf16x2.f32; a NaN becomes the canonical quiet NaN)
    native_stores: bool = False

    def rules(self) -> Sequence[Rule]:
        return rules(self.native_stores)

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if not any(_is_bf16(v) or isinstance(o, uop.CastOp) and v.type == f64 for o in op.walk()
                   for v in (*o.results, *o.operands)):
            return  # no bf16 and no f64 cast: nothing to walk
        RuleTable(self.name, self.rules()).apply(op, greedy=False)
