"""The `ptx` dialect: NVIDIA PTX kernels as IR, one op per PTX instruction.

Values are PTX virtual registers; their builtin type is the register class:

    i1 -> `.reg .pred %p<N>`   f16 -> `.reg .b16 %h<N>`   f32 -> `.reg .f32 %f<N>`
    i32 -> `.reg .b32 %r<N>`   i64 -> `.reg .b64 %rd<N>`

Every instruction carries its PTX instruction type (`ty`: `f32`, `s32`, `u64`, `pred`, ...), which
fixes the register class of its operands, and at most one modifier (`mod`: a rounding mode, a
comparison, `wide`, `approx`, a state space ...). Any instruction may be predicated (`if %p`, PTX
`@%p`). A kernel is a linear list like `uop`'s; loops are labels and predicated branches, and
mutable registers (`ptx.reg`, written by `ptx.assign`) carry accumulators and loop counters.

    ptx.kernel "k0" target "sm_90" version "8.0" global [16] block [16, 1, 1] (%o) : !st.buffer<16xf32> {
    ^bb0(%out: !st.buffer<16xf32>):
      %p = ptx.ld param %out : u64                 // ld.param.u64 %rd0, [k0_param_0];
      %g = ptx.cvta to.global %p : u64             // cvta.to.global.u64 %rd1, %rd0;
      %t = ptx.sreg tid.x : i32                    // mov.u32 %r0, %tid.x;
      %c = ptx.const 4 : s32                       // mov.b32 %r1, 4;
      %a = ptx.mad wide %t, %c, %g : s32           // mad.wide.s32 %rd2, %r0, %r1, %rd1;
      %v = ptx.cvt rn %t : s32 to f32              // cvt.rn.f32.s32 %f0, %r0;
      ptx.st global %a, %v : f32                   // st.global.f32 [%rd2], %f0;
    }
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from xdsl.dialects.builtin import (
    ArrayAttr,
    FloatAttr,
    I64,
    IntegerAttr,
    StringAttr,
    UnitAttr,
    f16,
    f32,
    f64,
    i1,
    i32,
    i64,
)
from xdsl.ir import Attribute, Dialect, Operation, SSAValue
from xdsl.irdl import (
    AnyAttr,
    AttrSizedOperandSegments,
    IRDLOperation,
    VarConstraint,
    irdl_op_definition,
    operand_def,
    opt_operand_def,
    opt_prop_def,
    prop_def,
    region_def,
    result_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import IsolatedFromAbove, NoTerminator, Pure
from xdsl.utils.exceptions import VerifyException

from tinyir.dialects.shapetracker import BufferType
from tinyir.dialects.uop import buffer_element_type
from tinyir.element_types import numpy_dtype

# ---------------------------------------------------------------- types

#: PTX instruction type -> register class it reads and writes. `s8`/`u8` exist only as memory
#: and conversion types: sub-word integers live in 32-bit registers (widened on load).
PTX_TYPES: dict[str, Attribute] = {
    "pred": i1, "b16": f16, "f16": f16, "f32": f32, "b32": i32, "s32": i32, "u32": i32,
    "b64": i64, "s64": i64, "u64": i64, "s8": i32, "u8": i32,
    "f64": f64, "s16": i32, "u16": i32,  # DTYPES: sub-word s16/u16 live in 32-bit registers as s8/u8 do
}
FLOAT_TYPES = frozenset({"f16", "f32", "f64"})
SIGNED_TYPES = frozenset({"s8", "s16", "s32", "s64"})
UNSIGNED_TYPES = frozenset({"u8", "u16", "u32", "u64"})
INT_TYPES = SIGNED_TYPES | UNSIGNED_TYPES
BIT_TYPES = frozenset({"b16", "b32", "b64"})
REGISTER_CLASSES: tuple[Attribute, ...] = (i1, f16, f32, i32, i64, f64)
#: register class -> (`.reg` declaration type, name prefix)
REGISTER_DECLS: dict[Attribute, tuple[str, str]] = {
    i1: ("pred", "p"), f16: ("b16", "h"), f32: ("f32", "f"), i32: ("b32", "r"), i64: ("b64", "rd"),
    f64: ("f64", "fd")}
#: width in bits of each register class (predicates have none)
CLASS_BITS: dict[Attribute, int] = {f16: 16, f32: 32, i32: 32, i64: 64, f64: 64}

ROUND_FLOAT = ("rn", "rz", "rm", "rp")          # float result rounding
ROUND_INT = ("rni", "rzi", "rmi", "rpi")        # float -> integer rounding
COMPARE_INT = ("eq", "ne", "lt", "le", "gt", "ge", "lo", "ls", "hi", "hs")
COMPARE_FLOAT = ("eq", "ne", "lt", "le", "gt", "ge", "equ", "neu", "ltu", "leu", "gtu", "geu", "num", "nan")
SPECIAL_REGISTERS = frozenset(f"{r}.{d}" for r in ("tid", "ntid", "ctaid", "nctaid") for d in "xyz")
ARCHS = ("sm_80", "sm_86", "sm_89", "sm_90", "sm_90a")
#: bytes of shared memory one block may use per architecture (static and dynamic together, the
#: opt-in maximum of cuFuncSetAttribute's MAX_DYNAMIC_SHARED_SIZE_BYTES); over 48 KB only dynamically
SHARED_BYTES_PER_BLOCK = {"sm_80": 166912, "sm_86": 101376, "sm_89": 101376, "sm_90": 232448, "sm_90a": 232448}
#: bytes of `.shared` arrays a kernel may declare statically; a kernel needing more gets one
#: `.extern .shared` array (dynamic shared memory) sized at launch
MAX_STATIC_SHARED = 48 * 1024
PTX_VERSIONS = ("8.0", "8.1", "8.2", "8.3", "8.4", "8.5", "8.6", "8.7", "8.8", "9.0")


def register_class(ty: str) -> Attribute:
    return PTX_TYPES[ty]


def _check_type(op: Operation, ty: str, allowed: Sequence[str] | frozenset[str]) -> None:
    if ty not in allowed:
        raise VerifyException(f"{op.name}: instruction type .{ty} is not one of "
                              f"{', '.join('.' + t for t in sorted(allowed))}")


def _check_operand(op: Operation, what: str, value: SSAValue, expected: Attribute) -> None:
    if value.type != expected:
        raise VerifyException(f"{op.name}: {what} must be a {expected} register, got {value.type}")


def _check_class(op: Operation, what: str, t: Attribute) -> None:
    if t not in REGISTER_CLASSES:
        raise VerifyException(f"{op.name}: {what} has type {t}, not a register class (i1, f16, f32, i32, i64, f64)")


def _parse_guard(parser: Parser) -> list[SSAValue]:
    return [parser.parse_operand()] if parser.parse_optional_keyword("if") is not None else []


def _print_guard(printer: Printer, guard: SSAValue | None) -> None:
    if guard is not None:
        printer.print_string(" if ")
        printer.print_operand(guard)


def _enclosing_kernel(op: Operation) -> KernelOp | None:
    parent = op.parent_op()
    return parent if isinstance(parent, KernelOp) else None


# ---------------------------------------------------------------- instructions


@dataclass(frozen=True)
class Form:
    """What one PTX instruction accepts: operand count, types and modifiers by type kind."""

    arity: int
    types: frozenset[str]
    float_mods: tuple[str, ...] = ()  # allowed modifiers when `ty` is a float type
    other_mods: tuple[str, ...] = ()  # ... when it is an integer, bit or predicate type
    float_needs_mod: bool = False
    other_needs_mod: bool = False


class Instr(IRDLOperation):
    """`%d = ptx.NAME [mod] %a, %b, ... [if %guard] : ty` -- PTX `[@guard] NAME[.mod].ty d, a, b;`."""

    FORM: ClassVar[Form]
    ty = prop_def(StringAttr)
    mod = opt_prop_def(StringAttr)
    args = var_operand_def(AnyAttr())
    guard = opt_operand_def(i1)
    result = result_def(AnyAttr())
    irdl_options = (AttrSizedOperandSegments(as_property=True),)

    def __init__(self, ty: str, args: Sequence[SSAValue], mod: str | None = None,
                 guard: SSAValue | None = None) -> None:
        props: dict[str, Attribute] = {"ty": StringAttr(ty)}
        if mod is not None:
            props["mod"] = StringAttr(mod)
        super().__init__(operands=[list(args), [guard] if guard is not None else []],
                         result_types=[self.result_class(ty, mod)], properties=props)

    # -- typing rules (overridden by instructions that deviate from "everything is class(ty)")
    @classmethod
    def result_class(cls, ty: str, mod: str | None) -> Attribute:
        return PTX_TYPES.get(ty, i32)

    @classmethod
    def operand_classes(cls, ty: str, mod: str | None) -> list[Attribute]:
        return [PTX_TYPES.get(ty, i32)] * cls.FORM.arity

    @property
    def ty_str(self) -> str:
        return self.ty.data

    @property
    def mod_str(self) -> str | None:
        return self.mod.data if self.mod is not None else None

    @property
    def mnemonic(self) -> str:
        """The PTX opcode with its modifier and type, e.g. `mul.wide.s32`."""
        base = self.name.split(".", 1)[1]
        return ".".join([base, *([self.mod_str] if self.mod_str else []), self.ty_str])

    def verify_(self) -> None:
        form, ty, mod = self.FORM, self.ty_str, self.mod_str
        _check_type(self, ty, form.types)
        is_float = ty in FLOAT_TYPES
        allowed = form.float_mods if is_float else form.other_mods
        needs = form.float_needs_mod if is_float else form.other_needs_mod
        if mod is not None and mod not in allowed:
            hint = f"one of {', '.join(allowed)}" if allowed else "none"
            raise VerifyException(f"{self.name}: modifier .{mod} is not allowed with .{ty} (allowed: {hint})")
        if mod is None and needs:
            raise VerifyException(f"{self.name}.{ty} needs a modifier, one of {', '.join(allowed)}")
        if len(self.args) != form.arity:
            raise VerifyException(f"{self.name}: expected {form.arity} operands, got {len(self.args)}")
        for i, (value, expected) in enumerate(zip(self.args, self.operand_classes(ty, mod))):
            _check_operand(self, f"operand {i}", value, expected)
        expected = self.result_class(ty, mod)
        if self.result.type != expected:
            raise VerifyException(f"{self.name}.{ty}: result must be a {expected} register, got {self.result.type}")

    def print(self, printer: Printer) -> None:
        if self.mod_str:
            printer.print_string(f" {self.mod_str}")
        printer.print_string(" ")
        printer.print_list(self.args, printer.print_operand)
        _print_guard(printer, self.guard)
        printer.print_op_attributes(self.attributes)
        printer.print_string(f" : {self.ty_str}")

    @classmethod
    def parse(cls, parser: Parser) -> Instr:
        mod = parser.parse_optional_identifier()
        args = parser.parse_comma_separated_list(parser.Delimiter.NONE, parser.parse_unresolved_operand)
        guard = _parse_guard(parser)
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        ty = parser.parse_identifier()
        if ty not in PTX_TYPES:
            parser.raise_error(f"{cls.name}: unknown PTX type .{ty}")
        classes = cls.operand_classes(ty, mod)
        if len(classes) != len(args):
            parser.raise_error(f"{cls.name}: expected {len(classes)} operands, got {len(args)}")
        operands = [parser.resolve_operand(a, t) for a, t in zip(args, classes)]
        op = cls(ty, operands, mod, guard[0] if guard else None)
        op.attributes |= attrs
        return op


def _instr(name: str, form: Form, doc: str, base: type[Instr] = Instr, pure: bool = True) -> type[Instr]:
    """Define `ptx.<name>` (one line per instruction in the tables below)."""
    body: dict[str, object] = {"name": f"ptx.{name}", "FORM": form, "__doc__": doc, "__module__": __name__,
                               "__annotations__": {"FORM": ClassVar[Form]}}
    if pure:
        body["traits"] = traits_def(Pure())
    return irdl_op_definition(type(name.capitalize() + "Op", (base,), body))


class _WideInstr(Instr):
    """mul/mad: `.wide` doubles the result width (`mul.wide.s32` writes a 64-bit register)."""

    @classmethod
    def result_class(cls, ty: str, mod: str | None) -> Attribute:
        return i64 if mod == "wide" else PTX_TYPES.get(ty, i32)

    @classmethod
    def operand_classes(cls, ty: str, mod: str | None) -> list[Attribute]:
        classes = [PTX_TYPES.get(ty, i32)] * cls.FORM.arity
        if mod == "wide" and cls.FORM.arity == 3:
            classes[2] = i64  # the addend of mad.wide
        return classes

    def verify_(self) -> None:
        if self.mod_str == "wide" and self.ty_str not in ("s32", "u32"):
            raise VerifyException(f"{self.name}.wide needs a 32-bit integer type, got .{self.ty_str}")
        super().verify_()


class _ShiftInstr(Instr):
    """shl/shr: the shift amount is always a 32-bit register."""

    @classmethod
    def operand_classes(cls, ty: str, mod: str | None) -> list[Attribute]:
        return [PTX_TYPES.get(ty, i32), i32]


class _SetpInstr(Instr):
    """setp: compares two registers of class(ty), writes a predicate."""

    @classmethod
    def result_class(cls, ty: str, mod: str | None) -> Attribute:
        return i1

    def verify_(self) -> None:
        super().verify_()
        if self.ty_str in SIGNED_TYPES and self.mod_str in ("lo", "ls", "hi", "hs"):
            raise VerifyException(f"ptx.setp: .{self.mod_str} is an unsigned comparison, not for .{self.ty_str}")


class _SelpInstr(Instr):
    """selp: `d = c ? a : b` with a predicate `c`."""

    @classmethod
    def operand_classes(cls, ty: str, mod: str | None) -> list[Attribute]:
        return [PTX_TYPES.get(ty, i32)] * 2 + [i1]


NUMERIC = frozenset({"f16", "f32", "f64", "s32", "u32", "s64", "u64"})
INTEGER = frozenset({"s32", "u32", "s64", "u64"})
LOGIC = frozenset({"pred", "b16", "b32", "b64"})
F32 = frozenset({"f32"})
F32_F64 = frozenset({"f32", "f64"})  # DTYPES

AddOp = _instr("add", Form(2, NUMERIC, ROUND_FLOAT), "d = a + b (integers wrap)")
SubOp = _instr("sub", Form(2, NUMERIC, ROUND_FLOAT), "d = a - b (integers wrap)")
MulOp = _instr("mul", Form(2, NUMERIC, ROUND_FLOAT, ("lo", "hi", "wide"), other_needs_mod=True),
               "d = a * b; integers keep the .lo/.hi half or the .wide product", base=_WideInstr)
MadOp = _instr("mad", Form(3, NUMERIC, ROUND_FLOAT, ("lo", "hi", "wide"), True, True),
               "d = a * b + c (one rounding for floats)", base=_WideInstr)
DivOp = _instr("div", Form(2, INTEGER | F32_F64, ("rn", "approx", "full"), float_needs_mod=True),
               "d = a / b (integers truncate toward zero)")
RemOp = _instr("rem", Form(2, INTEGER), "d = a % b (sign of the dividend)")
MinOp = _instr("min", Form(2, NUMERIC), "d = min(a, b)")
MaxOp = _instr("max", Form(2, NUMERIC, ("NaN",)), "d = max(a, b); .NaN propagates a NaN operand (sm_80+)")
NegOp = _instr("neg", Form(1, frozenset({"f16", "f32", "f64", "s32", "s64"})), "d = -a")
NotOp = _instr("not", Form(1, LOGIC), "d = ~a (logical not on predicates)")
AndOp = _instr("and", Form(2, LOGIC), "d = a & b")
OrOp = _instr("or", Form(2, LOGIC), "d = a | b")
XorOp = _instr("xor", Form(2, LOGIC), "d = a ^ b")
ShlOp = _instr("shl", Form(2, frozenset({"b32", "b64"})), "d = a << b", base=_ShiftInstr)
ShrOp = _instr("shr", Form(2, frozenset({"b32", "b64", "s32", "s64", "u32", "u64"})),
               "d = a >> b (arithmetic on .s types)", base=_ShiftInstr)
SetpOp = _instr("setp", Form(2, NUMERIC | frozenset({"b16", "b32", "b64"}), COMPARE_FLOAT, COMPARE_INT, True, True),
                "p = a CMP b", base=_SetpInstr)
SelpOp = _instr("selp", Form(3, frozenset({"b16", "b32", "b64", "s32", "u32", "f32", "f64"})), "d = c ? a : b",
                base=_SelpInstr)
Ex2Op = _instr("ex2", Form(1, F32, ("approx",), float_needs_mod=True), "d = 2**a")
Lg2Op = _instr("lg2", Form(1, F32, ("approx",), float_needs_mod=True), "d = log2(a)")
SinOp = _instr("sin", Form(1, F32, ("approx",), float_needs_mod=True), "d = sin(a)")
SqrtOp = _instr("sqrt", Form(1, F32_F64, ("rn", "approx"), float_needs_mod=True), "d = sqrt(a)")
RcpOp = _instr("rcp", Form(1, F32_F64, ("rn", "approx"), float_needs_mod=True), "d = 1 / a")
CvtaOp = _instr("cvta", Form(1, frozenset({"u64"}), (), ("to.global",), other_needs_mod=True),
                "a generic address -> a .global one")


@irdl_op_definition
class CvtOp(IRDLOperation):
    """`%d = ptx.cvt [mode] %a : FROM to TO` -- PTX `cvt[.mode].TO.FROM d, a;`.

    A narrowing float result (or int -> float) needs a float rounding (`rn` ...), float -> int an
    integer rounding (`rzi` ...), as does float -> the same float type (to an integral value);
    widening float and int -> int conversions take none. `s8`/`u8` on either side sign/zero-extend
    or truncate a 32-bit register's low byte.
    """

    name = "ptx.cvt"
    to_ty = prop_def(StringAttr)
    from_ty = prop_def(StringAttr)
    mod = opt_prop_def(StringAttr)
    input = operand_def(AnyAttr())
    result = result_def(AnyAttr())
    traits = traits_def(Pure())
    CONVERTIBLE: ClassVar[frozenset[str]] = FLOAT_TYPES | INT_TYPES

    def __init__(self, input: SSAValue, from_ty: str, to_ty: str, mod: str | None = None) -> None:
        props: dict[str, Attribute] = {"to_ty": StringAttr(to_ty), "from_ty": StringAttr(from_ty)}
        if mod is not None:
            props["mod"] = StringAttr(mod)
        super().__init__(operands=[input], result_types=[PTX_TYPES.get(to_ty, i32)], properties=props)

    @property
    def mnemonic(self) -> str:
        mods = [self.mod.data] if self.mod is not None else []
        return ".".join(["cvt", *mods, self.to_ty.data, self.from_ty.data])

    def required_rounding(self) -> tuple[str, ...]:
        """The rounding modes this conversion needs (empty: it takes none)."""
        src, dst = self.from_ty.data, self.to_ty.data
        if dst == src and dst in FLOAT_TYPES:  # to an integral value in the same type (cvt.rzi.f32.f32)
            return ROUND_INT
        if dst in FLOAT_TYPES and src in FLOAT_TYPES:  # narrowing rounds (DTYPES: f64 -> f32/f16 too)
            return ROUND_FLOAT if CLASS_BITS[PTX_TYPES[dst]] < CLASS_BITS[PTX_TYPES[src]] else ()
        if dst in FLOAT_TYPES:
            return ROUND_FLOAT
        if src in FLOAT_TYPES:
            return ROUND_INT
        return ()

    def verify_(self) -> None:
        src, dst, mod = self.from_ty.data, self.to_ty.data, self.mod.data if self.mod else None
        _check_type(self, src, self.CONVERTIBLE)
        _check_type(self, dst, self.CONVERTIBLE)
        needed = self.required_rounding()
        if needed and mod not in needed:
            raise VerifyException(f"ptx.cvt .{src} to .{dst} needs a rounding modifier, one of {', '.join(needed)}")
        if not needed and mod is not None:
            raise VerifyException(f"ptx.cvt .{src} to .{dst} takes no rounding modifier, got .{mod}")
        _check_operand(self, "the input", self.input, PTX_TYPES[src])
        _check_operand(self, "the result", self.result, PTX_TYPES[dst])

    def print(self, printer: Printer) -> None:
        if self.mod is not None:
            printer.print_string(f" {self.mod.data}")
        printer.print_string(" ")
        printer.print_operand(self.input)
        printer.print_op_attributes(self.attributes)
        printer.print_string(f" : {self.from_ty.data} to {self.to_ty.data}")

    @classmethod
    def parse(cls, parser: Parser) -> CvtOp:
        mod = parser.parse_optional_identifier()
        arg = parser.parse_unresolved_operand()
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        src = parser.parse_identifier()
        parser.parse_keyword("to")
        dst = parser.parse_identifier()
        for t in (src, dst):
            if t not in PTX_TYPES:
                parser.raise_error(f"ptx.cvt: unknown PTX type .{t}")
        op = cls(parser.resolve_operand(arg, PTX_TYPES[src]), src, dst, mod)
        op.attributes |= attrs
        return op


@irdl_op_definition
class MovOp(IRDLOperation):
    """`%d = ptx.mov %a : f32 to i32` -- PTX `mov.b32 d, a;`: the same bits in another register class."""

    name = "ptx.mov"
    input = operand_def(AnyAttr())
    result = result_def(AnyAttr())
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($input) `to` type($result)"

    def __init__(self, input: SSAValue, to: Attribute) -> None:
        super().__init__(operands=[input], result_types=[to])

    @property
    def mnemonic(self) -> str:
        return f"mov.b{CLASS_BITS[self.result.type]}"

    def verify_(self) -> None:
        a, b = self.input.type, self.result.type
        _check_class(self, "the input", a)
        _check_class(self, "the result", b)
        if a == i1 or b == i1 or CLASS_BITS[a] != CLASS_BITS[b]:
            raise VerifyException(f"ptx.mov: moves bits between registers of one width, got {a} to {b}")


# ---------------------------------------------------------------- registers and constants


def literal_attr(value: float | int | bool, ty: str) -> Attribute:
    """The property holding an immediate of PTX type `ty` (ints wrap to the register width)."""
    cls = PTX_TYPES[ty]
    if cls in (f16, f32, f64):
        return FloatAttr(float(value), cls)  # type: ignore[arg-type]
    if cls == i1:
        return IntegerAttr(int(bool(value)), i1)
    bits = 64 if cls == i64 else 32
    v = int(value) & ((1 << bits) - 1)
    return IntegerAttr(v - (1 << bits) if v >= 1 << (bits - 1) else v, cls)


def literal_of(op: ConstOp | RegOp) -> float | int | bool:
    attr = op.value
    if isinstance(attr, FloatAttr):
        return attr.value.data
    assert isinstance(attr, IntegerAttr)
    return bool(attr.value.data) if attr.type == i1 else attr.value.data


def _parse_literal(parser: Parser) -> float | int | bool:
    if (flag := parser.parse_optional_boolean()) is not None:
        return flag
    negative = parser.parse_optional_punctuation("-") is not None
    for word in ("inf", "nan"):
        if parser.parse_optional_keyword(word) is not None:
            return float(f"-{word}" if negative else word)
    number = parser.parse_number()
    return -number if negative else number


class _Immediate(IRDLOperation):
    """`%d = ptx.NAME <literal> : ty` -- PTX `mov.ty d, <literal>;`."""

    ty = prop_def(StringAttr)
    value = prop_def(AnyAttr())
    result = result_def(AnyAttr())

    def __init__(self, value: float | int | bool, ty: str) -> None:
        super().__init__(result_types=[PTX_TYPES[ty]],
                         properties={"ty": StringAttr(ty), "value": literal_attr(value, ty)})

    def verify_(self) -> None:
        _check_type(self, self.ty.data, frozenset(PTX_TYPES) - {"s8", "u8", "b16"})
        if self.result.type != PTX_TYPES[self.ty.data]:
            raise VerifyException(f"{self.name}: result must be a {PTX_TYPES[self.ty.data]} register")
        if getattr(self.value, "type", None) != self.result.type:
            raise VerifyException(f"{self.name}: value {self.value} does not have type {self.result.type}")

    def print(self, printer: Printer) -> None:
        value = literal_of(self)  # type: ignore[arg-type]
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, float) and not math.isfinite(value):
            text = "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
        else:
            text = repr(value)
        printer.print_string(f" {text}")
        printer.print_op_attributes(self.attributes)
        printer.print_string(f" : {self.ty.data}")

    @classmethod
    def parse(cls, parser: Parser) -> _Immediate:
        value = _parse_literal(parser)
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        ty = parser.parse_identifier()
        if ty not in PTX_TYPES:
            parser.raise_error(f"{cls.name}: unknown PTX type .{ty}")
        if isinstance(value, float) and ty not in FLOAT_TYPES:
            parser.raise_error(f"{cls.name}: float literal {value} for non-float type .{ty}")
        op = cls(value, ty)
        op.attributes |= attrs
        return op


@irdl_op_definition
class ConstOp(_Immediate):
    """A register holding a constant (never written again)."""

    name = "ptx.const"
    traits = traits_def(Pure())


@irdl_op_definition
class RegOp(_Immediate):
    """A mutable register, initialised here; `ptx.assign` writes it, every use reads its current value."""

    name = "ptx.reg"


@irdl_op_definition
class AssignOp(IRDLOperation):
    """`ptx.assign %reg, %v : f32` -- PTX `mov.f32 reg, v;` into a `ptx.reg` register."""

    name = "ptx.assign"
    T: ClassVar = VarConstraint("T", AnyAttr())
    target = operand_def(T)
    value = operand_def(T)
    assembly_format = "$target `,` $value attr-dict `:` type($value)"

    def __init__(self, target: SSAValue, value: SSAValue) -> None:
        super().__init__(operands=[target, value])

    def verify_(self) -> None:
        if not isinstance(self.target.owner, RegOp):
            raise VerifyException("ptx.assign: the first operand must be a ptx.reg register")
        _check_class(self, "the value", self.value.type)
        if self.value.type != self.target.type:
            raise VerifyException(f"ptx.assign: value {self.value.type} does not match register {self.target.type}")


@irdl_op_definition
class SregOp(IRDLOperation):
    """`%d = ptx.sreg tid.x : i32` -- PTX `mov.u32 d, %tid.x;` (tid, ntid, ctaid, nctaid)."""

    name = "ptx.sreg"
    register = prop_def(StringAttr)
    result = result_def(i32)
    traits = traits_def(Pure())

    def __init__(self, register: str) -> None:
        super().__init__(result_types=[i32], properties={"register": StringAttr(register)})

    def verify_(self) -> None:
        if self.register.data not in SPECIAL_REGISTERS:
            raise VerifyException(f"ptx.sreg: unknown special register %{self.register.data} "
                                  "(tid, ntid, ctaid, nctaid with .x, .y or .z)")

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.register.data}")
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : i32")

    @classmethod
    def parse(cls, parser: Parser) -> SregOp:
        register = parser.parse_identifier()
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        parser.parse_type()
        op = cls(register)
        op.attributes |= attrs
        return op


# ---------------------------------------------------------------- memory

MEMORY_TYPES = frozenset({"f32", "b16", "f16", "b32", "s32", "u32", "s8", "u8", "b64", "u64", "s64",
                          "f64", "s16", "u16"})  # DTYPES
SPACES = ("global", "shared", "param")


@irdl_op_definition
class LdOp(IRDLOperation):
    """`%d = ptx.ld SPACE %addr [if %p] : ty` -- PTX `[@p] ld.SPACE.ty d, [addr];`.

    In `param` space the operand is the kernel's buffer parameter itself (`[k0_param_N]`); in
    `global`/`shared` space it is a 64-bit address register. `s8`/`u8` widen into a 32-bit register.
    """

    name = "ptx.ld"
    space = prop_def(StringAttr)
    ty = prop_def(StringAttr)
    address = operand_def(AnyAttr())
    guard = opt_operand_def(i1)
    result = result_def(AnyAttr())

    def __init__(self, space: str, address: SSAValue, ty: str, guard: SSAValue | None = None) -> None:
        super().__init__(operands=[address, [guard] if guard is not None else []], result_types=[PTX_TYPES[ty]],
                         properties={"space": StringAttr(space), "ty": StringAttr(ty)})

    @property
    def mnemonic(self) -> str:
        return f"ld.{self.space.data}.{self.ty.data}"

    def verify_(self) -> None:
        _verify_access(self, self.space.data, self.ty.data, self.address)
        if self.space.data == "param" and self.guard is not None:
            raise VerifyException("ptx.ld: a parameter load cannot be predicated")
        _check_operand(self, "the result", self.result, PTX_TYPES[self.ty.data])

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.space.data} ")
        printer.print_operand(self.address)
        _print_guard(printer, self.guard)
        printer.print_op_attributes(self.attributes)
        printer.print_string(f" : {self.ty.data}")

    @classmethod
    def parse(cls, parser: Parser) -> LdOp:
        space = parser.parse_identifier()
        address = parser.parse_operand()
        guard = _parse_guard(parser)
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        ty = parser.parse_identifier()
        if ty not in PTX_TYPES:
            parser.raise_error(f"ptx.ld: unknown PTX type .{ty}")
        op = cls(space, address, ty, guard[0] if guard else None)
        op.attributes |= attrs
        return op


@irdl_op_definition
class StOp(IRDLOperation):
    """`ptx.st SPACE %addr, %v [if %p] : ty` -- PTX `[@p] st.SPACE.ty [addr], v;` (`u8` stores the low byte)."""

    name = "ptx.st"
    space = prop_def(StringAttr)
    ty = prop_def(StringAttr)
    address = operand_def(i64)
    value = operand_def(AnyAttr())
    guard = opt_operand_def(i1)

    def __init__(self, space: str, address: SSAValue, value: SSAValue, ty: str, guard: SSAValue | None = None) -> None:
        super().__init__(operands=[address, value, [guard] if guard is not None else []],
                         properties={"space": StringAttr(space), "ty": StringAttr(ty)})

    @property
    def mnemonic(self) -> str:
        return f"st.{self.space.data}.{self.ty.data}"

    def verify_(self) -> None:
        if self.space.data == "param":
            raise VerifyException("ptx.st: kernel parameters are read-only")
        _verify_access(self, self.space.data, self.ty.data, self.address)
        _check_operand(self, "the stored value", self.value, PTX_TYPES[self.ty.data])

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.space.data} ")
        printer.print_operand(self.address)
        printer.print_string(", ")
        printer.print_operand(self.value)
        _print_guard(printer, self.guard)
        printer.print_op_attributes(self.attributes)
        printer.print_string(f" : {self.ty.data}")

    @classmethod
    def parse(cls, parser: Parser) -> StOp:
        space = parser.parse_identifier()
        address = parser.parse_operand()
        parser.parse_punctuation(",")
        value = parser.parse_unresolved_operand()
        guard = _parse_guard(parser)
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        ty = parser.parse_identifier()
        if ty not in PTX_TYPES:
            parser.raise_error(f"ptx.st: unknown PTX type .{ty}")
        op = cls(space, address, parser.resolve_operand(value, PTX_TYPES[ty]), ty, guard[0] if guard else None)
        op.attributes |= attrs
        return op


#: element types of vector accesses (`ld.global.v4.f32`; f16 lanes as `.b16`)
VECTOR_TYPES = ("f32", "s32", "b16")


def _verify_vector(op: Operation, space: str, ty: str, address: SSAValue, lanes: Sequence[SSAValue]) -> None:
    if space not in ("global", "shared"):
        raise VerifyException(f"{op.name}: vector accesses are .global or .shared, not .{space}")
    _verify_access(op, space, ty, address)
    _check_type(op, ty, VECTOR_TYPES)
    if len(lanes) not in (2, 4):
        raise VerifyException(f"{op.name}: .v2 or .v4 only, got {len(lanes)} lanes")
    for lane in lanes:
        _check_operand(op, "a lane", lane, PTX_TYPES[ty])


@irdl_op_definition
class LdVOp(IRDLOperation):
    """`%a, %b, %c, %d = ptx.ldv SPACE %addr [if %p] : ty` -- PTX `[@p] ld.SPACE.v4.ty {a, b, c, d}, [addr];`
    (the address must be aligned to the whole vector)."""

    name = "ptx.ldv"
    space = prop_def(StringAttr)
    ty = prop_def(StringAttr)
    address = operand_def(i64)
    guard = opt_operand_def(i1)
    lanes = var_result_def(AnyAttr())

    def __init__(self, space: str, address: SSAValue, ty: str, width: int, guard: SSAValue | None = None) -> None:
        super().__init__(operands=[address, [guard] if guard is not None else []],
                         result_types=[[PTX_TYPES[ty]] * width],
                         properties={"space": StringAttr(space), "ty": StringAttr(ty)})

    @property
    def mnemonic(self) -> str:
        return f"ld.{self.space.data}.v{len(self.lanes)}.{self.ty.data}"

    def verify_(self) -> None:
        _verify_vector(self, self.space.data, self.ty.data, self.address, self.lanes)

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.space.data} ")
        printer.print_operand(self.address)
        _print_guard(printer, self.guard)
        printer.print_op_attributes(self.attributes)
        printer.print_string(f" : {len(self.lanes)} x {self.ty.data}")

    @classmethod
    def parse(cls, parser: Parser) -> LdVOp:
        space = parser.parse_identifier()
        address = parser.parse_operand()
        guard = _parse_guard(parser)
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        width = parser.parse_integer(allow_boolean=False, allow_negative=False)
        parser.parse_keyword("x")
        ty = parser.parse_identifier()
        if ty not in PTX_TYPES:
            parser.raise_error(f"ptx.ldv: unknown PTX type .{ty}")
        op = cls(space, address, ty, width, guard[0] if guard else None)
        op.attributes |= attrs
        return op


@irdl_op_definition
class StVOp(IRDLOperation):
    """`ptx.stv SPACE %addr, %a, %b, %c, %d [if %p] : ty` -- PTX `[@p] st.SPACE.v4.ty [addr], {a, b, c, d};`."""

    name = "ptx.stv"
    space = prop_def(StringAttr)
    ty = prop_def(StringAttr)
    address = operand_def(i64)
    values = var_operand_def(AnyAttr())
    guard = opt_operand_def(i1)
    irdl_options = (AttrSizedOperandSegments(as_property=True),)

    def __init__(self, space: str, address: SSAValue, values: Sequence[SSAValue], ty: str,
                 guard: SSAValue | None = None) -> None:
        super().__init__(operands=[address, list(values), [guard] if guard is not None else []],
                         properties={"space": StringAttr(space), "ty": StringAttr(ty)})

    @property
    def mnemonic(self) -> str:
        return f"st.{self.space.data}.v{len(self.values)}.{self.ty.data}"

    def verify_(self) -> None:
        _verify_vector(self, self.space.data, self.ty.data, self.address, self.values)

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.space.data} ")
        printer.print_operand(self.address)
        printer.print_string(", ")
        printer.print_list(self.values, printer.print_operand)
        _print_guard(printer, self.guard)
        printer.print_op_attributes(self.attributes)
        printer.print_string(f" : {self.ty.data}")

    @classmethod
    def parse(cls, parser: Parser) -> StVOp:
        space = parser.parse_identifier()
        address = parser.parse_operand()
        parser.parse_punctuation(",")
        values = parser.parse_comma_separated_list(parser.Delimiter.NONE, parser.parse_unresolved_operand)
        guard = _parse_guard(parser)
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        ty = parser.parse_identifier()
        if ty not in PTX_TYPES:
            parser.raise_error(f"ptx.stv: unknown PTX type .{ty}")
        op = cls(space, address, [parser.resolve_operand(v, PTX_TYPES[ty]) for v in values], ty,
                 guard[0] if guard else None)
        op.attributes |= attrs
        return op


def _verify_access(op: Operation, space: str, ty: str, address: SSAValue) -> None:
    if space not in SPACES:
        raise VerifyException(f"{op.name}: unknown state space .{space} (expected {', '.join(SPACES)})")
    _check_type(op, ty, MEMORY_TYPES)
    if space == "param":
        kernel = _enclosing_kernel(op)
        if kernel is None or address not in kernel.body.block.args:
            raise VerifyException(f"{op.name}: a .param access must name a parameter of the enclosing ptx.kernel")
        if ty != "u64":
            raise VerifyException(f"{op.name}: buffer parameters are .u64 pointers, not .{ty}")
    elif address.type != i64:
        raise VerifyException(f"{op.name}: a .{space} address must be an i64 register, got {address.type}")


def shared_bytes(array: BufferType) -> int:
    """Bytes of a `.shared` array holding `array` (bool: one byte per element, as in global memory)."""
    return array.size() * numpy_dtype(array.element_type).itemsize


@irdl_op_definition
class SharedOp(IRDLOperation):
    """`%a = ptx.shared !st.buffer<256xf32> : i64` -- a work-group (CTA) array holding that buffer
    (bool as bytes): declared with the registers as `.shared .align 16 .b8 NAME_smem<N>[1024];`, and
    here `mov.u64 a, NAME_smem<N>;`, its address in the .shared window (for `ld.shared`/`st.shared`).
    Top level of the kernel only."""

    name = "ptx.shared"
    array = prop_def(BufferType)
    result = result_def(i64)

    def __init__(self, array: BufferType) -> None:
        super().__init__(result_types=[i64], properties={"array": array})

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_attribute(self.array)
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : i64")

    @classmethod
    def parse(cls, parser: Parser) -> SharedOp:
        array = parser.parse_type()
        if not isinstance(array, BufferType):
            parser.raise_error(f"ptx.shared: expected an !st.buffer type, got {array}")
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        parser.parse_type()
        op = cls(array)
        op.attributes |= attrs
        return op

    @property
    def element(self) -> Attribute:
        return self.array.element_type

    @property
    def nbytes(self) -> int:
        return shared_bytes(self.array)

    @property
    def alignment(self) -> int:
        """Bytes its address is a multiple of: 16 (vector accesses, cp.async), or the `align`
        attribute (wgmma's swizzled tiles: 1024)."""
        align = self.attributes.get("align")
        return align.value.data if align is not None else 16

    def verify_(self) -> None:
        if len(self.array.shape) != 1 or self.array.size() < 1:
            raise VerifyException(f"ptx.shared: needs a 1-D non-empty buffer type, got {self.array}")
        if _enclosing_kernel(self) is None:
            raise VerifyException("ptx.shared: must be directly inside a ptx.kernel")


def shared_layout(arrays: Sequence[SharedOp]) -> tuple[list[int], int]:
    """The byte offset of each array in one shared window (each at a multiple of its alignment, in
    order) and the window's size: where a kernel's dynamic shared memory puts them, and an upper
    bound of what their static declarations take."""
    offsets, end = [], 0
    for array in arrays:
        end = -(-end // array.alignment) * array.alignment
        offsets.append(end)
        end += array.nbytes
    return offsets, end


@irdl_op_definition
class BarSyncOp(IRDLOperation):
    """`ptx.bar_sync` -- PTX `bar.sync 0;`: waits for every thread of the CTA; their shared-memory
    writes before it are seen by all after it."""

    name = "ptx.bar_sync"
    assembly_format = "attr-dict"

    def __init__(self) -> None:
        super().__init__()


# ---------------------------------------------------------------- tensor cores


@irdl_op_definition
class Pack2Op(IRDLOperation):
    """`%d = ptx.pack2 "f16x2" %lo, %hi : f16` -- two halves in one 32-bit register, `lo` in the low
    bits: `mov.b32 d, {lo, hi};` for f16 registers, `cvt.rn.bf16x2.f32 d, hi, lo;` for f32 registers
    that hold bf16 values (exact), `prmt.b32 d, lo, hi, 0x5410;` for 32-bit registers holding bf16's
    16 bits in their low half."""

    name = "ptx.pack2"
    kind = prop_def(StringAttr)
    lo = operand_def(AnyAttr())
    hi = operand_def(AnyAttr())
    result = result_def(i32)
    traits = traits_def(Pure())
    assembly_format = "$kind $lo `,` $hi attr-dict `:` type($lo) `,` type($hi)"

    def __init__(self, kind: str, lo: SSAValue, hi: SSAValue) -> None:
        super().__init__(operands=[lo, hi], result_types=[i32], properties={"kind": StringAttr(kind)})

    def verify_(self) -> None:
        want = {"f16x2": (f16,), "bf16x2": (f32, i32)}.get(self.kind.data)
        if want is None:
            raise VerifyException(f"ptx.pack2: kind must be f16x2 or bf16x2, got {self.kind.data}")
        if self.lo.type not in want or self.hi.type != self.lo.type:
            raise VerifyException(f"ptx.pack2 {self.kind.data}: packs two registers of one type: "
                                  f"{' or '.join(map(str, want))}")


@irdl_op_definition
class Unpack2Op(IRDLOperation):
    """`%lo, %hi = ptx.unpack2 %r : f16, f16` -- the two 16-bit halves of a 32-bit register: f16 registers
    (`mov.b32 {lo, hi}, r;`), or i32 ones holding the bits in their low half, as bf16 is held
    (`and.b32 lo, r, 0xFFFF; shr.u32 hi, r, 16;`)."""

    name = "ptx.unpack2"
    input = operand_def(i32)
    lo = result_def(AnyAttr())
    hi = result_def(AnyAttr())
    traits = traits_def(Pure())
    assembly_format = "$input attr-dict `:` type($lo) `,` type($hi)"

    def __init__(self, input: SSAValue, half: Attribute = f16) -> None:
        super().__init__(operands=[input], result_types=[half, half])

    def verify_(self) -> None:
        if self.lo.type not in (f16, i32) or self.hi.type != self.lo.type:
            raise VerifyException("ptx.unpack2: two f16 halves, or two i32 registers of 16 bits each")


@irdl_op_definition
class LdMatrixOp(IRDLOperation):
    """`%r0, ... = ptx.ldmatrix %addr x 4 trans` -- `ldmatrix.sync.aligned.m8n8.x4[.trans].shared.b16 {r0, ...},
    [addr];`: a warp's 8 x 8 blocks of 16-bit elements from shared memory, two per lane and block."""

    name = "ptx.ldmatrix"
    address = operand_def(i64)
    trans = opt_prop_def(UnitAttr)
    blocks = var_result_def(i32)
    assembly_format = "$address (`trans` $trans^)? attr-dict `:` type($blocks)"

    def __init__(self, address: SSAValue, count: int, trans: bool) -> None:
        super().__init__(operands=[address], result_types=[[i32] * count],
                         properties={"trans": UnitAttr()} if trans else {})

    @property
    def mnemonic(self) -> str:
        return f"ldmatrix.sync.aligned.m8n8.x{len(self.blocks)}{'.trans' if self.trans else ''}.shared.b16"

    def verify_(self) -> None:
        if len(self.blocks) not in (1, 2, 4):
            raise VerifyException(f"ptx.ldmatrix: 1, 2 or 4 blocks, got {len(self.blocks)}")


@irdl_op_definition
class MmaSyncOp(IRDLOperation):
    """`ptx.mma_sync "m16n8k16" "f16" a(...) b(...) c(...)` -- `mma.sync.aligned.SHAPE.row.col.f32.T.T.f32
    {d}, {a}, {b}, {c};`: a warp's matrix multiply-accumulate; a and b are packed pairs (b32), c and d
    f32 registers."""

    name = "ptx.mma_sync"
    shape = prop_def(StringAttr)
    element = prop_def(StringAttr)
    a = var_operand_def(i32)
    b = var_operand_def(i32)
    c = var_operand_def(f32)
    d = var_result_def(f32)
    irdl_options = (AttrSizedOperandSegments(as_property=True),)
    assembly_format = ("$shape $element `a` `(` $a `)` `b` `(` $b `)` `c` `(` $c `)` attr-dict `:` "
                       "type($d)")

    def __init__(self, shape: str, element: str, a: Sequence[SSAValue], b: Sequence[SSAValue],
                 c: Sequence[SSAValue]) -> None:
        super().__init__(operands=[list(a), list(b), list(c)], result_types=[[f32] * len(c)],
                         properties={"shape": StringAttr(shape), "element": StringAttr(element)})

    @property
    def mnemonic(self) -> str:
        t = self.element.data
        return f"mma.sync.aligned.{self.shape.data}.row.col.f32.{t}.{t}.f32"

    def verify_(self) -> None:
        if (self.shape.data, len(self.a), len(self.b), len(self.c)) != ("m16n8k16", 4, 2, 4):
            raise VerifyException("ptx.mma_sync: only m16n8k16 (4 a, 2 b, 4 c registers) is supported")
        if self.element.data not in ("f16", "bf16"):
            raise VerifyException(f"ptx.mma_sync: element must be f16 or bf16, got {self.element.data}")


# ---------------------------------------------------------------- warpgroup matrix multiply (sm_90a)


@irdl_op_definition
class WgmmaOp(IRDLOperation):
    """`ptx.wgmma "m64n64k16" "f16" %adesc, %bdesc, %scale c(...)` -- `wgmma.fence.sync.aligned;` after
    moving c into the accumulator registers d, then `wgmma.mma_async.sync.aligned.SHAPE.f32.T.T {d},
    adesc, bdesc, scale, 1, 1, ta, tb;`: a warpgroup's D = A @ B + C (scale-d predicate: add C), A and B
    in shared memory through their 64-bit descriptors, K-major or (ta / tb: `a_trans` / `b_trans`)
    MN-major. It is asynchronous: D is read only
    after a `ptx.wgmma_commit` and a `ptx.wgmma_wait`. `chained`: it continues the in-flight
    accumulation of a same-shape wgmma on the same registers, so it needs no fence of its own."""

    name = "ptx.wgmma"
    shape = prop_def(StringAttr)
    element = prop_def(StringAttr)
    a_desc = operand_def(i64)
    b_desc = operand_def(i64)
    scale_d = operand_def(i1)
    c = var_operand_def(f32)
    d = var_result_def(f32)
    a_trans = opt_prop_def(UnitAttr)
    b_trans = opt_prop_def(UnitAttr)
    #: joins the in-flight group of the wgmma whose accumulators it updates in place: no wgmma.fence
    chained = opt_prop_def(UnitAttr)
    #: the uop wgmma's `in_flight`: its group may run on into the next chunk (WGMMA-IN-FLIGHT)
    in_flight = opt_prop_def(UnitAttr)
    assembly_format = ("$shape $element $a_desc (`trans` $a_trans^)? `,` $b_desc (`trans` $b_trans^)? `,` $scale_d "
                       "`c` `(` $c `)` (`chained` $chained^)? (`in_flight` $in_flight^)? attr-dict `:` type($d)")

    def __init__(self, shape: str, element: str, a_desc: SSAValue, b_desc: SSAValue, scale_d: SSAValue,
                 c: Sequence[SSAValue], a_trans: bool = False, b_trans: bool = False) -> None:
        props = {"shape": StringAttr(shape), "element": StringAttr(element)}
        props.update({name: UnitAttr() for name, on in (("a_trans", a_trans), ("b_trans", b_trans)) if on})
        super().__init__(operands=[a_desc, b_desc, scale_d, list(c)], result_types=[[f32] * len(c)], properties=props)

    @property
    def mnemonic(self) -> str:
        t = self.element.data
        return f"wgmma.mma_async.sync.aligned.{self.shape.data}.f32.{t}.{t}"

    def verify_(self) -> None:
        shape = self.shape.data
        n = int(shape[4:-3]) if shape.startswith("m64n") and shape.endswith("k16") and shape[4:-3].isdigit() else 0
        if not n or n % 8 or n > 256:
            raise VerifyException(f"ptx.wgmma: shape must be m64nNk16 with N a multiple of 8 up to 256, got {shape}")
        if len(self.c) != n // 2 or len(self.d) != n // 2:
            raise VerifyException(f"ptx.wgmma {shape}: {n // 2} accumulator registers, got {len(self.c)}")
        if self.element.data not in ("f16", "bf16"):
            raise VerifyException(f"ptx.wgmma: element must be f16 or bf16, got {self.element.data}")


@irdl_op_definition
class WgmmaCommitOp(IRDLOperation):
    """`ptx.wgmma_commit` -- `wgmma.commit_group.sync.aligned;`: the warpgroup's wgmmas issued since
    the last commit form one group."""

    name = "ptx.wgmma_commit"
    assembly_format = "attr-dict"


@irdl_op_definition
class WgmmaWaitOp(IRDLOperation):
    """`ptx.wgmma_wait 0` -- `wgmma.wait_group.sync.aligned 0;`: waits until at most N committed groups
    are pending (0: every wgmma's D is written)."""

    name = "ptx.wgmma_wait"
    pending = prop_def(IntegerAttr)
    assembly_format = "$pending attr-dict"

    def __init__(self, pending: int = 0) -> None:
        super().__init__(properties={"pending": IntegerAttr(pending, i64)})


@irdl_op_definition
class CpAsyncOp(IRDLOperation):
    """`ptx.cp_async %dst, %src, %src_size : 8` -- `cp.async.ca.shared.global [dst], [src], 8, src_size;`
    (`.cg` for 16 bytes): copies `bytes` from global to shared memory without registers, the bytes past
    `src_size` (0: all of them, nothing read) as zeros; lands by `cp.async.wait_group`."""

    name = "ptx.cp_async"
    dst = operand_def(i64)
    src = operand_def(i64)
    src_size = operand_def(i32)
    bytes = prop_def(IntegerAttr)
    assembly_format = "$dst `,` $src `,` $src_size attr-dict `:` $bytes"

    def __init__(self, dst: SSAValue, src: SSAValue, src_size: SSAValue, size: int) -> None:
        super().__init__(operands=[dst, src, src_size], properties={"bytes": IntegerAttr(size, i64)})

    @property
    def mnemonic(self) -> str:
        return f"cp.async.{'cg' if self.bytes.value.data == 16 else 'ca'}.shared.global"

    def verify_(self) -> None:
        if self.bytes.value.data not in (4, 8, 16):
            raise VerifyException(f"ptx.cp_async copies 4, 8 or 16 bytes, got {self.bytes.value.data}")


@irdl_op_definition
class CpAsyncCommitOp(IRDLOperation):
    """`ptx.cp_async_commit` -- `cp.async.commit_group;`: the thread's cp.asyncs since the last commit
    form one group."""

    name = "ptx.cp_async_commit"
    assembly_format = "attr-dict"


@irdl_op_definition
class CpAsyncWaitOp(IRDLOperation):
    """`ptx.cp_async_wait 1` -- `cp.async.wait_group 1;`: waits until at most N of the thread's committed
    groups are pending."""

    name = "ptx.cp_async_wait"
    pending = prop_def(IntegerAttr)
    assembly_format = "$pending attr-dict"

    def __init__(self, pending: int = 0) -> None:
        super().__init__(properties={"pending": IntegerAttr(pending, i64)})


@irdl_op_definition
class FenceProxyAsyncOp(IRDLOperation):
    """`ptx.fence_proxy_async` -- `fence.proxy.async.shared::cta;`: this thread's shared-memory stores
    become visible to the async proxy (the tensor cores' wgmma reads), before the barrier."""

    name = "ptx.fence_proxy_async"
    assembly_format = "attr-dict"


# ---------------------------------------------------------------- control flow


@irdl_op_definition
class LabelOp(IRDLOperation):
    """`ptx.label "LOOP_0"` -- PTX `LOOP_0:`, a branch target."""

    name = "ptx.label"
    label = prop_def(StringAttr)
    assembly_format = "$label attr-dict"

    def __init__(self, label: str) -> None:
        super().__init__(properties={"label": StringAttr(label)})

    def verify_(self) -> None:
        text = self.label.data
        if not text or not (text[0].isalpha() or text[0] in "_$") or not all(c.isalnum() or c in "_$" for c in text):
            raise VerifyException(f'ptx.label: "{text}" is not a PTX identifier')


@irdl_op_definition
class BraOp(IRDLOperation):
    """`ptx.bra "LOOP_0" [if %p]` -- PTX `[@p] bra LOOP_0;`."""

    name = "ptx.bra"
    label = prop_def(StringAttr)
    guard = opt_operand_def(i1)
    assembly_format = "$label (`if` $guard^)? attr-dict"

    def __init__(self, label: str, guard: SSAValue | None = None) -> None:
        super().__init__(operands=[[guard] if guard is not None else []], properties={"label": StringAttr(label)})


@irdl_op_definition
class RetOp(IRDLOperation):
    """`ptx.ret [if %p]` -- PTX `[@p] ret;` (the thread exits)."""

    name = "ptx.ret"
    guard = opt_operand_def(i1)
    assembly_format = "(`if` $guard^)? attr-dict"

    def __init__(self, guard: SSAValue | None = None) -> None:
        super().__init__(operands=[[guard] if guard is not None else []])


# ---------------------------------------------------------------- kernel


@irdl_op_definition
class KernelOp(IRDLOperation):
    """`.visible .entry NAME(.param .u64 NAME_param_0, ...)` for one target and PTX version.

    `global_size[d]` is the number of threads along grid dimension d (x, y, z) -- the extent of
    `gidx<d>`; `block_size` the threads per block (`.maxntid`). The grid is their ceiling ratio.
    """

    name = "ptx.kernel"
    kernel_name = prop_def(StringAttr)
    arch = prop_def(StringAttr)
    ptx_version = prop_def(StringAttr)
    global_size = prop_def(ArrayAttr[IntegerAttr[I64]])
    block_size = prop_def(ArrayAttr[IntegerAttr[I64]])
    args = var_operand_def()
    body = region_def("single_block")
    traits = traits_def(IsolatedFromAbove(), NoTerminator())

    def __init__(self, name: str, arch: str, ptx_version: str, global_size: Sequence[int], block_size: Sequence[int],
                 args: Sequence[SSAValue], body) -> None:
        super().__init__(operands=[args], regions=[body], properties={
            "kernel_name": StringAttr(name), "arch": StringAttr(arch), "ptx_version": StringAttr(ptx_version),
            "global_size": ArrayAttr(IntegerAttr(n, i64) for n in global_size),
            "block_size": ArrayAttr(IntegerAttr(n, i64) for n in block_size)})

    @property
    def name_str(self) -> str:
        return self.kernel_name.data

    @property
    def grid(self) -> tuple[int, ...]:
        return tuple(n.value.data for n in self.global_size.data)

    @property
    def block(self) -> tuple[int, ...]:
        return tuple(n.value.data for n in self.block_size.data)

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.kernel_name} target {self.arch} version {self.ptx_version}"
                             f" global [{', '.join(map(str, self.grid))}] block [{', '.join(map(str, self.block))}] (")
        printer.print_list(self.args, printer.print_operand)
        printer.print_string(") : ")
        printer.print_list([a.type for a in self.args], printer.print_attribute)
        printer.print_op_attributes(self.attributes, print_keyword=True)
        printer.print_string(" ")
        printer.print_region(self.body, print_entry_block_args=True, print_empty_block=True)

    @classmethod
    def parse(cls, parser: Parser) -> KernelOp:
        name = parser.parse_str_literal()
        parser.parse_keyword("target")
        arch = parser.parse_str_literal()
        parser.parse_keyword("version")
        version = parser.parse_str_literal()
        parser.parse_keyword("global")
        grid = parser.parse_comma_separated_list(parser.Delimiter.SQUARE, parser.parse_integer)
        parser.parse_keyword("block")
        block = parser.parse_comma_separated_list(parser.Delimiter.SQUARE, parser.parse_integer)
        args = parser.parse_comma_separated_list(parser.Delimiter.PAREN, parser.parse_operand)
        parser.parse_punctuation(":")
        types = parser.parse_comma_separated_list(parser.Delimiter.NONE, parser.parse_type)
        if types != [a.type for a in args]:
            parser.raise_error("ptx.kernel: the listed types do not match the operands")
        attrs = parser.parse_optional_attr_dict_with_keyword()
        op = cls(name, arch, version, grid, block, args, parser.parse_region())
        if attrs is not None:
            op.attributes |= attrs.data
        return op

    def verify_(self) -> None:
        if self.arch.data not in ARCHS:
            raise VerifyException(f"ptx.kernel: target {self.arch.data} is not one of {', '.join(ARCHS)}")
        if self.ptx_version.data not in PTX_VERSIONS:
            raise VerifyException(f"ptx.kernel: PTX version {self.ptx_version.data} is not one of "
                                  f"{', '.join(PTX_VERSIONS)}")
        grid, block = self.grid, self.block
        if not 1 <= len(grid) <= 3 or len(block) != 3:
            raise VerifyException(f"ptx.kernel: needs 1 to 3 global sizes and 3 block sizes, got {list(grid)} "
                                  f"and {list(block)}")
        if any(n <= 0 for n in (*grid, *block)):
            raise VerifyException(f"ptx.kernel: sizes must be positive, got global {list(grid)} block {list(block)}")
        if math.prod(block) > 1024:
            raise VerifyException(f"ptx.kernel: a block has at most 1024 threads, got {list(block)}")
        block_args = self.body.block.args
        if [a.type for a in block_args] != [a.type for a in self.args]:
            raise VerifyException("ptx.kernel: block arguments must mirror the operands' types")
        if not block_args:
            raise VerifyException("ptx.kernel: needs at least one buffer parameter (the output)")
        for arg in block_args:
            if buffer_element_type(arg.type) is None:
                raise VerifyException(f"ptx.kernel: parameters must be !st.buffer values, got {arg.type}")
        labels: set[str] = set()
        for op in self.body.block.ops:
            if isinstance(op, SharedOp) and labels:
                raise VerifyException("ptx.shared: must come before the first label (not inside a loop)")
            if isinstance(op, LabelOp):
                if op.label.data in labels:
                    raise VerifyException(f'ptx.kernel: label "{op.label.data}" is defined twice')
                labels.add(op.label.data)
            for v in op.results:
                _check_class(op, "the result", v.type)
        for op in self.body.block.ops:
            if isinstance(op, BraOp) and op.label.data not in labels:
                raise VerifyException(f'ptx.bra: no label "{op.label.data}" in kernel "{self.name_str}"')


PTX = Dialect(
    "ptx",
    [KernelOp, LdOp, StOp, LdVOp, StVOp, SharedOp, BarSyncOp, CvtOp, MovOp, ConstOp, RegOp, AssignOp, SregOp, LabelOp, BraOp, RetOp,
     AddOp, SubOp, MulOp, MadOp, DivOp, RemOp, MinOp, MaxOp, NegOp, NotOp, AndOp, OrOp, XorOp, ShlOp, ShrOp,
     SetpOp, SelpOp, Ex2Op, Lg2Op, SinOp, SqrtOp, RcpOp, CvtaOp, Pack2Op, MmaSyncOp, Unpack2Op, LdMatrixOp,
     WgmmaOp, WgmmaCommitOp, WgmmaWaitOp, FenceProxyAsyncOp, CpAsyncOp, CpAsyncCommitOp, CpAsyncWaitOp],
    [],
)
