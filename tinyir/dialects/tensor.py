"""The tensor level: the `tir` dialect (docs/ir.md section 1).

Values are builtin static-shaped `tensor<...>` types; every op is pure. The primitive ops are the
RISC core every later level handles; composite ops are readable shorthands that
`tensor-decompose` rewrites into primitives.

Building IR from Python (operands may be `SSAValue`s or single-result ops; result types are
inferred unless a shape or type is the point of the op):

    ConstantOp.splat(1.0, TensorType(f32, [2, 3]))      ConstantOp.from_list([1, 2], TensorType(i32, [2]))
    IotaOp(axis, TensorType(i32, [2, 3]))               RandomBitsOp(key, [4, 4])
    NegOp(x)  Exp2Op(x)  Log2Op(x)  SinOp(x)  SqrtOp(x)  RecipOp(x)
    CastOp(x, f32)  BitcastOp(x, i32)                   (target element type; shape is kept)
    AddOp(x, y)  MulOp  MaxOp  IdivOp  ModOp  FmodOp  AndOp  OrOp  XorOp  ShlOp  ShrOp
    CmpltOp(x, y)  CmpneOp(x, y)                        (result is i1)
    WhereOp(cond, x, y)
    ReduceSumOp(x, axes, keepdims=False)  ReduceMaxOp(x, axes, keepdims=False)
    ReshapeOp(x, shape)  PermuteOp(x, perm)  ExpandOp(x, shape)
    PadOp(x, [(before, after), ...])  ShrinkOp(x, [(begin, end), ...])  FlipOp(x, axes)
    composites: MatmulOp(a, b)  SubOp(x, y)  DivOp(x, y)  ExpOp(x)  LogOp(x)  ReluOp(x)
                SoftmaxOp(x, axes)

Python-side accessors: `shape_of(value)`, `element_type_of(value)`, and on ops `axes_tuple()`,
`perm_tuple()`, `pads()`, `bounds()`, `keepdims()`, `axis_int()`; op families as tuples
(`ELEMENTWISE_UNARY`, `ELEMENTWISE_BINARY`, `COMPARE_OPS`, `ELEMENTWISE_OPS`, `MOVEMENT_OPS`,
`REDUCE_OPS`, `SOURCE_OPS`, `COMPOSITE_OPS`, `PRIMITIVE_OPS`).
"""

from __future__ import annotations

import functools
import math
import struct
from collections.abc import Sequence
from typing import ClassVar, TypeVar

from xdsl.dialects.builtin import (
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    IntegerAttr,
    TensorType,
    i1,
    i32,
    i64,
)
from xdsl.ir import Attribute, Dialect, Operation, SSAValue
from xdsl.irdl import IRDLOperation, irdl_op_definition, operand_def, prop_def, result_def, traits_def
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

from tinyir import alu
from tinyir.element_types import ELEMENT_TYPES, TYPE_NAMES, is_bool, is_float

Value = SSAValue | Operation

# --------------------------------------------------------------------------------------------
# dtype classes: which element types an op accepts


# The classes are the ALU table's (tinyir/alu.py); re-exported here for the ops below.
DTypeClass, FLOAT, INT, INT_OR_BOOL, NUMERIC, ANY = alu.DTypeClass, alu.FLOAT, alu.INT, alu.INT_OR_BOOL, alu.NUMERIC, alu.ANY


# --------------------------------------------------------------------------------------------
# small helpers


def value(v: Value) -> SSAValue:
    """An SSA value from a value or a single-result op."""
    return SSAValue.get(v)


def tensor_type(v: Value) -> TensorType:
    t = value(v).type
    if not isinstance(t, TensorType):
        raise VerifyException(f"expected a tensor value, got {t}")
    return t


def shape_of(v: Value | TensorType) -> tuple[int, ...]:
    """Static shape of a tensor value (or type) as a tuple."""
    t = v if isinstance(v, TensorType) else tensor_type(v)
    return tuple(t.get_shape())


def element_type_of(v: Value | TensorType) -> Attribute:
    t = v if isinstance(v, TensorType) else tensor_type(v)
    return t.get_element_type()


def make_type(element: Attribute, shape: Sequence[int]) -> TensorType:
    """The tensor type of `shape` over `element`: one shared (immutable) object per type, as the
    view folding builds thousands of ops of a few types and xDSL verifies each new type it makes."""
    return _tensor_type(element, tuple(int(n) for n in shape))


@functools.lru_cache(maxsize=8192)
def _tensor_type(element: Attribute, shape: tuple[int, ...]) -> TensorType:
    return TensorType(element, list(shape))


def _i64_array(values: Sequence[int]) -> DenseArrayBase:
    return DenseArrayBase.from_list(i64, [int(x) for x in values])


def _check_tensor(op: Operation, what: str, t: Attribute, dtypes: DTypeClass = ANY) -> TensorType:
    """Every tir value is a static tensor of one of tinyir's element types (of the op's class)."""
    if not isinstance(t, TensorType):
        raise VerifyException(f"{what} must be a tensor, got {t}")
    if any(d < 0 for d in t.get_shape()):
        raise VerifyException(f"{what} {t} must have a static shape")
    el = t.get_element_type()
    if el not in ELEMENT_TYPES:
        raise VerifyException(f"{what} {t} has unsupported element type {el} ({TYPE_NAMES})")
    if not dtypes.accepts(el):
        raise VerifyException(f"{what} {t}: element type must be {dtypes.name}")
    return t


def _check_axes(op: Operation, axes: Sequence[int], rank: int, what: str = "axes") -> None:
    """Axes lists are sorted, unique and in [0, rank)."""
    if list(axes) != sorted(set(axes)):
        raise VerifyException(f"{what} {list(axes)} must be sorted and unique")
    for a in axes:
        if not 0 <= a < rank:
            raise VerifyException(f"axis {a} out of range for rank {rank}")


def _fmt_ints(xs: Sequence[int]) -> str:
    return "[" + ", ".join(str(x) for x in xs) + "]"


def _fmt_pairs(xs: Sequence[tuple[int, int]]) -> str:
    return "[" + ", ".join(_fmt_ints(p) for p in xs) + "]"


def _parse_int_list(parser: Parser) -> list[int]:
    return parser.parse_comma_separated_list(parser.Delimiter.SQUARE, parser.parse_integer)


def _parse_pair_list(parser: Parser) -> list[tuple[int, int]]:
    def pair() -> tuple[int, int]:
        xs = _parse_int_list(parser)
        if len(xs) != 2:
            parser.raise_error(f"expected a [lo, hi] pair, got {len(xs)} integers")
        return xs[0], xs[1]

    return parser.parse_comma_separated_list(parser.Delimiter.SQUARE, pair)


def _parse_tensor_type(parser: Parser) -> TensorType:
    pos = parser.pos
    t = parser.parse_type()
    if not isinstance(t, TensorType):
        parser.raise_error(f"expected a tensor type, got {t}", pos, parser.pos)
    return t


def _print_attrs(printer: Printer, op: Operation) -> None:
    printer.print_op_attributes(op.attributes)


# --------------------------------------------------------------------------------------------
# base classes of the op families (not ops themselves)


class TirOp(IRDLOperation):
    """Common base: every tir op is pure."""

    traits = traits_def(Pure())


class UnaryOp(TirOp):
    """`%y = tir.NAME %x : T` — elementwise, result type = operand type."""

    DTYPES: ClassVar[DTypeClass] = ANY
    x = operand_def(TensorType)
    result = result_def(TensorType)

    def __init__(self, x: Value):
        x = value(x)
        super().__init__(operands=[x], result_types=[x.type])

    @classmethod
    def parse(cls, parser: Parser) -> UnaryOp:
        x = parser.parse_unresolved_operand()
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        t = _parse_tensor_type(parser)
        return cls.build(operands=[parser.resolve_operand(x, t)], result_types=[t], attributes=attrs)

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_operand(self.x)
        _print_attrs(printer, self)
        printer.print_string(" : ")
        printer.print_attribute(self.x.type)

    def verify_(self) -> None:
        t = _check_tensor(self, "operand", self.x.type, self.DTYPES)
        if self.result.type != t:
            raise VerifyException(f"result type {self.result.type} must equal operand type {t}")


class BinaryOp(TirOp):
    """`%z = tir.NAME %x, %y : T` — elementwise on operands of identical type."""

    DTYPES: ClassVar[DTypeClass] = ANY
    RESULT_IS_BOOL: ClassVar[bool] = False
    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    result = result_def(TensorType)

    @classmethod
    def _result_type(cls, t: TensorType) -> TensorType:
        return make_type(i1, t.get_shape()) if cls.RESULT_IS_BOOL else t

    def __init__(self, lhs: Value, rhs: Value):
        lhs, rhs = value(lhs), value(rhs)
        super().__init__(operands=[lhs, rhs], result_types=[self._result_type(lhs.type)])

    @classmethod
    def parse(cls, parser: Parser) -> BinaryOp:
        lhs = parser.parse_unresolved_operand()
        parser.parse_punctuation(",")
        rhs = parser.parse_unresolved_operand()
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        t = _parse_tensor_type(parser)
        operands = parser.resolve_operands([lhs, rhs], [t, t], parser.pos)
        return cls.build(operands=operands, result_types=[cls._result_type(t)], attributes=attrs)

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_operand(self.lhs)
        printer.print_string(", ")
        printer.print_operand(self.rhs)
        _print_attrs(printer, self)
        printer.print_string(" : ")
        printer.print_attribute(self.lhs.type)

    def verify_(self) -> None:
        t = _check_tensor(self, "lhs", self.lhs.type, self.DTYPES)
        if self.rhs.type != t:
            raise VerifyException(
                f"operands must have identical types (broadcast with tir.expand), "
                f"got {t} and {self.rhs.type}"
            )
        if self.result.type != self._result_type(t):
            raise VerifyException(f"result type {self.result.type} must be {self._result_type(t)}")


class Composite:
    """Marker mixin: the op has a rule in `tensor-decompose` and no lowering of its own."""


def _op_class_name(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_")) + "Op"


_OpT = TypeVar("_OpT", bound=IRDLOperation)


def _family(base: type[_OpT], name: str, dtypes: DTypeClass, doc: str, *, composite: bool = False,
            **extra: object) -> type[_OpT]:
    """Define `tir.NAME` as a subclass of `base` (one line per op below)."""
    bases = (Composite, base) if composite else (base,)
    consts = {"DTYPES": dtypes, **extra}
    cls = type(_op_class_name(name), bases, {
        "name": f"tir.{name}", "__doc__": doc, "__module__": __name__, **consts,
        "__annotations__": {k: "ClassVar" for k in consts},  # IRDL accepts only ClassVar constants
    })
    return irdl_op_definition(cls)


# --------------------------------------------------------------------------------------------
# elementwise primitives: one line per op; dtype class and meaning are the op's row of the ALU table


def _alu_family(base: type[_OpT], name: str, **extra: object) -> type[_OpT]:
    row = alu.ALU[name]
    return _family(base, name, row.dtypes, row.doc, **extra)


NegOp = _alu_family(UnaryOp, "neg")
Exp2Op = _alu_family(UnaryOp, "exp2")
Log2Op = _alu_family(UnaryOp, "log2")
SinOp = _alu_family(UnaryOp, "sin")
SqrtOp = _alu_family(UnaryOp, "sqrt")
RecipOp = _alu_family(UnaryOp, "recip")

AddOp = _alu_family(BinaryOp, "add")
MulOp = _alu_family(BinaryOp, "mul")
MaxOp = _alu_family(BinaryOp, "max")
IdivOp = _alu_family(BinaryOp, "idiv")
ModOp = _alu_family(BinaryOp, "mod")
FmodOp = _alu_family(BinaryOp, "fmod")
AndOp = _alu_family(BinaryOp, "and")
OrOp = _alu_family(BinaryOp, "or")
XorOp = _alu_family(BinaryOp, "xor")
ShlOp = _alu_family(BinaryOp, "shl")
ShrOp = _alu_family(BinaryOp, "shr")

CmpltOp = _alu_family(BinaryOp, "cmplt", RESULT_IS_BOOL=True)
CmpneOp = _alu_family(BinaryOp, "cmpne", RESULT_IS_BOOL=True)

# elementwise composites
SubOp = _family(BinaryOp, "sub", NUMERIC, "x - y = x + neg(y)", composite=True)
DivOp = _family(BinaryOp, "div", FLOAT, "x / y = x * recip(y)", composite=True)
ExpOp = _family(UnaryOp, "exp", FLOAT, "e ** x = exp2(x * log2(e))", composite=True)
LogOp = _family(UnaryOp, "log", FLOAT, "ln x = log2(x) * ln(2)", composite=True)
ReluOp = _family(UnaryOp, "relu", NUMERIC, "max(x, 0)", composite=True)


@irdl_op_definition
class WhereOp(TirOp):
    """`%z = tir.where %m, %x, %y : T` — `%m ? %x : %y` elementwise; `%m` is i1 of T's shape."""

    name = "tir.where"
    cond = operand_def(TensorType)
    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    result = result_def(TensorType)

    def __init__(self, cond: Value, lhs: Value, rhs: Value):
        cond, lhs, rhs = value(cond), value(lhs), value(rhs)
        super().__init__(operands=[cond, lhs, rhs], result_types=[lhs.type])

    @classmethod
    def parse(cls, parser: Parser) -> WhereOp:
        names = [parser.parse_unresolved_operand()]
        for _ in range(2):
            parser.parse_punctuation(",")
            names.append(parser.parse_unresolved_operand())
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        t = _parse_tensor_type(parser)
        cond_t = make_type(i1, t.get_shape())
        operands = parser.resolve_operands(names, [cond_t, t, t], parser.pos)
        return cls.build(operands=operands, result_types=[t], attributes=attrs)

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_list([self.cond, self.lhs, self.rhs], printer.print_operand)
        _print_attrs(printer, self)
        printer.print_string(" : ")
        printer.print_attribute(self.lhs.type)

    def verify_(self) -> None:
        t = _check_tensor(self, "lhs", self.lhs.type)
        if self.rhs.type != t:
            raise VerifyException(f"branches must have identical types, got {t} and {self.rhs.type}")
        cond_t = make_type(i1, t.get_shape())
        if self.cond.type != cond_t:
            raise VerifyException(f"condition must be {cond_t}, got {self.cond.type}")
        if self.result.type != t:
            raise VerifyException(f"result type {self.result.type} must equal {t}")


class ConversionOp(TirOp):
    """`%y = tir.NAME %x : A to B` — elementwise, same shape, new element type."""

    x = operand_def(TensorType)
    result = result_def(TensorType)
    assembly_format = "$x attr-dict `:` type($x) `to` type($result)"

    def __init__(self, x: Value, to: Attribute):
        """`to` is the new element type (or a whole tensor type of the same shape)."""
        x = value(x)
        result = to if isinstance(to, TensorType) else make_type(to, shape_of(x))
        super().__init__(operands=[x], result_types=[result])

    def verify_(self) -> None:
        src = _check_tensor(self, "operand", self.x.type)
        dst = _check_tensor(self, "result", self.result.type)
        if shape_of(src) != shape_of(dst):
            raise VerifyException(f"shapes differ: {src} to {dst}")


@irdl_op_definition
class CastOp(ConversionOp):
    """Value conversion: float->int truncates toward zero, ->i1 is `!= 0`, i1-> 0/1."""

    name = "tir.cast"


@irdl_op_definition
class BitcastOp(ConversionOp):
    """Reinterpret the bits; source and destination element types have the same width."""

    name = "tir.bitcast"

    def verify_(self) -> None:
        super().verify_()
        from tinyir.element_types import bit_width

        src, dst = element_type_of(self.x), element_type_of(self.result)
        if src == i1 or dst == i1 or bit_width(src) != bit_width(dst):
            raise VerifyException(f"{src} and {dst} differ in bit width (i1 cannot be bitcast)")


# --------------------------------------------------------------------------------------------
# sources


def _literal(parser: Parser, element: object, el: Attribute) -> float | int:
    """One dense-literal element as a value of `el`. A hex literal of a float type is its bit
    pattern (how MLIR, and xDSL's printer, write inf and nan), not an integer to convert."""
    text = element.span.text  # type: ignore[attr-defined]
    if is_float(el) and text.lower().startswith("0x"):
        from tinyir.element_types import bit_width

        fmt = {16: "<e", 32: "<f", 64: "<d"}[bit_width(el)]
        bits = int(text, 16)
        return struct.unpack(fmt, bits.to_bytes(bit_width(el) // 8, "little"))[0]
    return element.to_type(parser, el)  # type: ignore[attr-defined]


def _dense_from_hex(parser: Parser, text: str, t: TensorType, pos: int) -> DenseIntOrFPElementsAttr:
    """`dense<"0x...">`: the raw little-endian bytes of every element, or of one (a splat)."""
    from xdsl.dialects.builtin import BytesAttr

    from tinyir.element_types import bit_width

    try:
        data = bytes.fromhex(text.removeprefix("0x").removeprefix("0X"))
    except ValueError:
        parser.raise_error(f"invalid hex data in dense<\"{text[:20]}...\">", pos, parser.pos)
    size = bit_width(t.get_element_type()) // 8
    if len(data) == size:
        return DenseIntOrFPElementsAttr(make_type(t.get_element_type(), []), BytesAttr(data))
    if len(data) != size * math.prod(t.get_shape()):
        parser.raise_error(f"hex data of {len(data)} bytes does not fill {t}", pos, parser.pos)
    return DenseIntOrFPElementsAttr(t, BytesAttr(data))


def _same_value(a: float | int, b: float | int) -> bool:
    """Equal as stored values: NaN matches NaN (NaN != NaN made a NaN splat no splat), and the sign
    of a zero counts."""
    if isinstance(a, float) or isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    return a == b


@irdl_op_definition
class ConstantOp(TirOp):
    """`%c = tir.constant dense<...> : tensor<...>` — a splat or full dense value.

    A splat stores its one value as a rank-0 `value` (`dense<1.0> : tensor<f32>` in the generic
    form) whatever the result's shape, so its size never grows with the element count: compile
    time and hashes stay proportional to what the program literally contains."""

    name = "tir.constant"
    value = prop_def(DenseIntOrFPElementsAttr)
    result = result_def(TensorType)

    def __init__(self, value: DenseIntOrFPElementsAttr, type: TensorType | None = None):
        """`value` holds every element of `type` (default: its own type), or one (rank 0): a splat."""
        super().__init__(properties={"value": value}, result_types=[type or value.type])

    @staticmethod
    def splat(x: float | int | bool, type: TensorType) -> ConstantOp:
        """Every element equal to `x` (converted to the element type)."""
        el = type.get_element_type()
        scalar = (float if is_float(el) else int)(x)
        return ConstantOp(DenseIntOrFPElementsAttr.from_list(make_type(el, []), [scalar]), type)

    @staticmethod
    def from_list(values: Sequence[float | int | bool], type: TensorType) -> ConstantOp:
        """A constant from a flat row-major list (one value splats)."""
        if len(values) == 1:
            return ConstantOp.splat(values[0], type)
        el = type.get_element_type()
        conv = float if is_float(el) else int
        return ConstantOp(DenseIntOrFPElementsAttr.from_list(type, [conv(v) for v in values]))

    def is_splat(self) -> bool:
        """Stored as one value (always true of constants built by `splat` or parsed as `dense<v>`)."""
        return self.value.type != self.result.type or math.prod(shape_of(self.result)) == 1

    def _stored(self) -> tuple[float | int, ...]:
        vals = tuple(self.value.get_values())
        return tuple(bool(v) for v in vals) if is_bool(element_type_of(self.result)) else vals

    def values(self) -> tuple[float | int, ...]:
        """All elements, flat, row-major (i1 as Python bools: xDSL stores true as -1). A splat's
        tuple repeats one object, but it is still as long as the tensor: only for small constants."""
        vals = self._stored()
        if self.value.type != self.result.type:
            return vals * math.prod(shape_of(self.result))
        return vals

    def splat_value(self) -> float | int | None:
        """The common value if every element is the same (NaN is NaN, -0.0 is not 0.0), else None
        (O(1) for a stored splat)."""
        vals = self._stored()
        return vals[0] if vals and all(_same_value(v, vals[0]) for v in vals) else None

    @classmethod
    def parse(cls, parser: Parser) -> ConstantOp:
        pos = parser.pos
        if parser.parse_optional_keyword("dense") is None:
            parser.raise_error("expected a dense<...> : tensor<...> value", pos, parser.pos)
        parser.parse_punctuation("<")
        splat, hex_data = None, None
        if parser.parse_optional_punctuation(">") is None:
            hex_data = parser.parse_optional_str_literal()  # raw bytes, as xDSL prints large values
            if hex_data is None:
                # xDSL's own tensor-literal reader; a scalar literal (shape []) is a splat, kept as one value
                elements, shape = parser._parse_tensor_literal()  # pyright: ignore[reportPrivateUsage]
                splat = elements[0] if not shape else None
            parser.parse_punctuation(">")
        else:
            elements, shape = [], [0]
        parser.parse_punctuation(":")
        t = _parse_tensor_type(parser)
        el = t.get_element_type()
        if hex_data is not None:
            op = cls(_dense_from_hex(parser, hex_data, t, pos), t)
        elif splat is not None:
            value = DenseIntOrFPElementsAttr.from_list(make_type(el, []), [_literal(parser, splat, el)])
            op = cls(value, t)
        else:
            if list(t.get_shape()) != shape and not (math.prod(t.get_shape()) == 0 and not elements):
                parser.raise_error(f"dense literal of shape {shape} does not match {t}", pos, parser.pos)
            op = cls(DenseIntOrFPElementsAttr.from_list(t, [_literal(parser, e, el) for e in elements]))
        op.attributes.update(parser.parse_optional_attr_dict())
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        self.value.print_without_type(printer)
        printer.print_string(" : ")
        printer.print_attribute(self.result.type)
        _print_attrs(printer, self)

    def verify_(self) -> None:
        t = _check_tensor(self, "result", self.result.type)
        one = make_type(t.get_element_type(), [])
        if self.value.type not in (t, one):
            raise VerifyException(f"value type {self.value.type} must be {t} (or {one} for a splat)")


@irdl_op_definition
class IotaOp(TirOp):
    """`%i = tir.iota 1 : tensor<2x3xi32>` — each element is its index along `axis`."""

    name = "tir.iota"
    axis = prop_def(IntegerAttr)
    result = result_def(TensorType)

    def __init__(self, axis: int, type: TensorType):
        super().__init__(properties={"axis": IntegerAttr(axis, i64)}, result_types=[type])

    def axis_int(self) -> int:
        return self.axis.value.data

    @classmethod
    def parse(cls, parser: Parser) -> IotaOp:
        axis = parser.parse_integer(allow_boolean=False)
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        op = cls(axis, _parse_tensor_type(parser))
        op.attributes.update(attrs)
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.axis_int()}")
        _print_attrs(printer, self)
        printer.print_string(" : ")
        printer.print_attribute(self.result.type)

    def verify_(self) -> None:
        t = _check_tensor(self, "result", self.result.type, NUMERIC)
        _check_axes(self, [self.axis_int()], len(shape_of(t)), "axis")


# The random_bits hash, shared by the numpy reference and the decomposition so both agree bit for
# bit: h = flat_index + (key + 1) * RANDOM_BITS_KEY_MUL (the +1 keeps key 0 from hashing index 0 to
# 0), then these steps, all on i32 with wrap-around.
# ("xorshift", s) is h ^= h >>> s (a logical shift: arithmetic `shr` then `and` with a mask);
# ("mul", c) is h *= c. The constants are the "lowbias32" integer hash finalizer.
RANDOM_BITS_KEY_MUL = -1640531527  # 0x9E3779B9 as a signed i32
RANDOM_BITS_STEPS: tuple[tuple[str, int], ...] = (
    ("xorshift", 16),
    ("mul", 0x7FEB352D),
    ("xorshift", 15),
    ("mul", 0x846CA68B - 2**32),
    ("xorshift", 16),
)


@irdl_op_definition
class RandomBitsOp(Composite, TirOp):
    """`%r = tir.random_bits %key : tensor<i32> -> tensor<4x4xi32>` — hash(flat index, key)."""

    name = "tir.random_bits"
    key = operand_def(TensorType)
    result = result_def(TensorType)
    assembly_format = "$key attr-dict `:` type($key) `->` type($result)"

    def __init__(self, key: Value, shape: Sequence[int]):
        super().__init__(operands=[value(key)], result_types=[make_type(i32, shape)])

    def verify_(self) -> None:
        if self.key.type != make_type(i32, []):
            raise VerifyException(f"key must be tensor<i32>, got {self.key.type}")
        t = _check_tensor(self, "result", self.result.type)
        if element_type_of(t) != i32:
            raise VerifyException(f"result must have element type i32, got {t}")


# --------------------------------------------------------------------------------------------
# ops with an integer-list property, printed `%x [..] : A -> B` or `%x [..] : T`


class ListOp(TirOp):
    """Base of ops whose property is a list of ints (`nested`: a list of [lo, hi] pairs)."""

    LIST_PROP: ClassVar[str]
    NESTED: ClassVar[bool] = False
    SAME_TYPE: ClassVar[bool] = False  # print `: T` instead of `: A -> B`
    x = operand_def(TensorType)
    result = result_def(TensorType)

    def _ints(self) -> tuple[int, ...]:
        return tuple(self.properties[self.LIST_PROP].get_values())

    def _pairs(self) -> tuple[tuple[int, int], ...]:
        flat = self._ints()
        return tuple(zip(flat[0::2], flat[1::2]))

    def _init(self, x: Value, ints: Sequence[int], result: TensorType) -> None:
        IRDLOperation.__init__(self, operands=[value(x)], result_types=[result], properties={self.LIST_PROP: _i64_array(ints)})

    @classmethod
    def parse(cls, parser: Parser) -> ListOp:
        x = parser.parse_unresolved_operand()
        if cls.NESTED:
            ints = [v for pair in _parse_pair_list(parser) for v in pair]
        else:
            ints = _parse_int_list(parser)
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        src = _parse_tensor_type(parser)
        dst = src
        if not cls.SAME_TYPE:
            parser.parse_punctuation("->")
            dst = _parse_tensor_type(parser)
        return cls.build(
            operands=[parser.resolve_operand(x, src)], result_types=[dst],
            properties={cls.LIST_PROP: _i64_array(ints)}, attributes=attrs,
        )

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_operand(self.x)
        printer.print_string(" " + (_fmt_pairs(self._pairs()) if self.NESTED else _fmt_ints(self._ints())))
        _print_attrs(printer, self)
        printer.print_string(" : ")
        printer.print_attribute(self.x.type)
        if not self.SAME_TYPE:
            printer.print_string(" -> ")
            printer.print_attribute(self.result.type)

    def verify_(self) -> None:
        _check_tensor(self, "operand", self.x.type)
        _check_tensor(self, "result", self.result.type)
        if element_type_of(self.x) != element_type_of(self.result):
            raise VerifyException(f"element types differ: {self.x.type} -> {self.result.type}")
        if self.NESTED and len(self._ints()) != 2 * len(shape_of(self.x)):
            raise VerifyException(
                f"needs one [lo, hi] pair per dimension of {self.x.type}, got {_fmt_pairs(self._pairs())}"
            )
        self.verify_list(shape_of(self.x), shape_of(self.result))

    def verify_list(self, src: tuple[int, ...], dst: tuple[int, ...]) -> None:
        raise NotImplementedError


class ReduceOp(ListOp):
    """`%s = tir.NAME %x [axes] : A -> B` — reduce over sorted unique axes; B keeps them as 1
    when its rank equals A's (keepdims), else drops them."""

    LIST_PROP: ClassVar[str] = "axes"
    axes = prop_def(DenseArrayBase)

    def __init__(self, x: Value, axes: Sequence[int], keepdims: bool = False):
        src = tensor_type(x)
        shape = shape_of(src)
        out = [1 if i in axes else d for i, d in enumerate(shape)] if keepdims else \
              [d for i, d in enumerate(shape) if i not in axes]
        self._init(x, sorted(axes), make_type(src.get_element_type(), out))

    def axes_tuple(self) -> tuple[int, ...]:
        return self._ints()

    def keepdims(self) -> bool:
        return len(shape_of(self.result)) == len(shape_of(self.x))

    def verify_list(self, src: tuple[int, ...], dst: tuple[int, ...]) -> None:
        _check_tensor(self, "operand", self.x.type, self.DTYPES)
        axes = self.axes_tuple()
        _check_axes(self, axes, len(src))
        kept = [1 if i in axes else d for i, d in enumerate(src)]
        dropped = [d for i, d in enumerate(src) if i not in axes]
        if list(dst) not in (kept, dropped):
            raise VerifyException(
                f"reducing {self.x.type} over {list(axes)} gives shape {kept} (keepdims) or "
                f"{dropped}, not {self.result.type}"
            )


ReduceSumOp = _family(ReduceOp, "reduce_sum", NUMERIC, "sum over the axes (identity 0)")
ReduceMaxOp = _family(ReduceOp, "reduce_max", NUMERIC, "max over the axes (identity: lowest value)")


@irdl_op_definition
class SoftmaxOp(Composite, ListOp):
    """`%y = tir.softmax %x [axes] : T` — exp(x - max) / sum(exp(x - max)) over the axes."""

    name = "tir.softmax"
    LIST_PROP: ClassVar[str] = "axes"
    SAME_TYPE: ClassVar[bool] = True
    axes = prop_def(DenseArrayBase)

    def __init__(self, x: Value, axes: Sequence[int]):
        self._init(x, sorted(axes), tensor_type(x))

    def axes_tuple(self) -> tuple[int, ...]:
        return self._ints()

    def verify_list(self, src: tuple[int, ...], dst: tuple[int, ...]) -> None:
        _check_tensor(self, "operand", self.x.type, FLOAT)
        if not self.axes_tuple():
            raise VerifyException("needs at least one axis")
        _check_axes(self, self.axes_tuple(), len(src))
        if self.result.type != self.x.type:
            raise VerifyException(f"result type {self.result.type} must equal {self.x.type}")


# --------------------------------------------------------------------------------------------
# movement ops


class ShapeOp(TirOp):
    """`%y = tir.NAME %x : A -> B` — the result type carries the new shape."""

    x = operand_def(TensorType)
    result = result_def(TensorType)
    assembly_format = "$x attr-dict `:` type($x) `->` type($result)"

    def __init__(self, x: Value, shape: Sequence[int]):
        super().__init__(operands=[value(x)], result_types=[make_type(element_type_of(x), shape)])

    def verify_(self) -> None:
        src = _check_tensor(self, "operand", self.x.type)
        dst = _check_tensor(self, "result", self.result.type)
        if src.get_element_type() != dst.get_element_type():
            raise VerifyException(f"element types differ: {src} -> {dst}")
        self.verify_shapes(shape_of(src), shape_of(dst))

    def verify_shapes(self, src: tuple[int, ...], dst: tuple[int, ...]) -> None:
        raise NotImplementedError


@irdl_op_definition
class ReshapeOp(ShapeOp):
    """Same elements, row-major, in a new shape with the same element count."""

    name = "tir.reshape"

    def verify_shapes(self, src: tuple[int, ...], dst: tuple[int, ...]) -> None:
        if math.prod(src) != math.prod(dst):
            raise VerifyException(
                f"element count of {self.x.type} ({math.prod(src)}) differs from "
                f"{self.result.type} ({math.prod(dst)})"
            )


@irdl_op_definition
class ExpandOp(ShapeOp):
    """Broadcast: same rank, each dim kept or grown from 1."""

    name = "tir.expand"

    def verify_shapes(self, src: tuple[int, ...], dst: tuple[int, ...]) -> None:
        if len(src) != len(dst):
            raise VerifyException(f"rank changes from {self.x.type} to {self.result.type}")
        for i, (a, b) in enumerate(zip(src, dst)):
            if a != b and a != 1:
                raise VerifyException(
                    f"dim {i} of {self.x.type} is {a}; only size-1 dims expand (to {b})"
                )


@irdl_op_definition
class PermuteOp(ListOp):
    """`%y = tir.permute %x [1, 0] : A -> B` — result dim i is input dim perm[i]."""

    name = "tir.permute"
    LIST_PROP: ClassVar[str] = "perm"
    perm = prop_def(DenseArrayBase)

    def __init__(self, x: Value, perm: Sequence[int]):
        src = shape_of(x)
        out = [src[p] if 0 <= p < len(src) else 1 for p in perm]
        self._init(x, perm, make_type(element_type_of(x), out))

    def perm_tuple(self) -> tuple[int, ...]:
        return self._ints()

    def verify_list(self, src: tuple[int, ...], dst: tuple[int, ...]) -> None:
        perm = self.perm_tuple()
        if sorted(perm) != list(range(len(src))):
            raise VerifyException(f"{list(perm)} is not a permutation of the {len(src)} dims of {self.x.type}")
        want = tuple(src[p] for p in perm)
        if dst != want:
            raise VerifyException(f"permuting {self.x.type} by {list(perm)} gives shape {list(want)}, not {self.result.type}")


@irdl_op_definition
class PadOp(ListOp):
    """`%y = tir.pad %x [[before, after], ...] : A -> B` — zero (false) padding per dim."""

    name = "tir.pad"
    LIST_PROP: ClassVar[str] = "pads"
    NESTED: ClassVar[bool] = True
    pads_ = prop_def(DenseArrayBase, prop_name="pads")

    def __init__(self, x: Value, pads: Sequence[tuple[int, int]]):
        out = [d + lo + hi for d, (lo, hi) in zip(shape_of(x), pads)]
        self._init(x, [v for p in pads for v in p], make_type(element_type_of(x), out))

    def pads(self) -> tuple[tuple[int, int], ...]:
        return self._pairs()

    def verify_list(self, src: tuple[int, ...], dst: tuple[int, ...]) -> None:
        pads = self.pads()
        if any(lo < 0 or hi < 0 for lo, hi in pads):
            raise VerifyException(f"padding {_fmt_pairs(pads)} must be non-negative")
        want = tuple(d + lo + hi for d, (lo, hi) in zip(src, pads))
        if dst != want:
            raise VerifyException(f"padding {self.x.type} by {_fmt_pairs(pads)} gives shape {list(want)}, not {self.result.type}")


@irdl_op_definition
class ShrinkOp(ListOp):
    """`%y = tir.shrink %x [[begin, end], ...] : A -> B` — keep [begin, end) per dim."""

    name = "tir.shrink"
    LIST_PROP: ClassVar[str] = "bounds"
    NESTED: ClassVar[bool] = True
    bounds_ = prop_def(DenseArrayBase, prop_name="bounds")

    def __init__(self, x: Value, bounds: Sequence[tuple[int, int]]):
        out = [hi - lo for lo, hi in bounds]
        self._init(x, [v for b in bounds for v in b], make_type(element_type_of(x), out))

    def bounds(self) -> tuple[tuple[int, int], ...]:
        return self._pairs()

    def verify_list(self, src: tuple[int, ...], dst: tuple[int, ...]) -> None:
        bounds = self.bounds()
        for i, ((lo, hi), d) in enumerate(zip(bounds, src)):
            if not 0 <= lo <= hi <= d:
                raise VerifyException(f"bounds [{lo}, {hi}] of dim {i} must satisfy 0 <= begin <= end <= {d} for {self.x.type}")
        want = tuple(hi - lo for lo, hi in bounds)
        if dst != want:
            raise VerifyException(f"shrinking {self.x.type} to {_fmt_pairs(bounds)} gives shape {list(want)}, not {self.result.type}")


@irdl_op_definition
class FlipOp(ListOp):
    """`%y = tir.flip %x [axes] : T` — reverse the listed axes."""

    name = "tir.flip"
    LIST_PROP: ClassVar[str] = "axes"
    SAME_TYPE: ClassVar[bool] = True
    axes = prop_def(DenseArrayBase)

    def __init__(self, x: Value, axes: Sequence[int]):
        self._init(x, sorted(axes), tensor_type(x))

    def axes_tuple(self) -> tuple[int, ...]:
        return self._ints()

    def verify_list(self, src: tuple[int, ...], dst: tuple[int, ...]) -> None:
        _check_axes(self, self.axes_tuple(), len(src))
        if self.result.type != self.x.type:
            raise VerifyException(f"result type {self.result.type} must equal {self.x.type}")


# --------------------------------------------------------------------------------------------
# matmul


@irdl_op_definition
class MatmulOp(Composite, TirOp):
    """`%c = tir.matmul %a, %b : A, B -> C` — [..., m, k] x [..., k, n] -> [..., m, n]."""

    name = "tir.matmul"
    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    result = result_def(TensorType)
    assembly_format = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)"

    def __init__(self, lhs: Value, rhs: Value):
        a, b = shape_of(lhs), shape_of(rhs)
        out = [*a[:-1], b[-1]] if a and b else []
        super().__init__(operands=[value(lhs), value(rhs)], result_types=[make_type(element_type_of(lhs), out)])

    def verify_(self) -> None:
        ta = _check_tensor(self, "lhs", self.lhs.type, NUMERIC)
        tb = _check_tensor(self, "rhs", self.rhs.type, NUMERIC)
        a, b = shape_of(ta), shape_of(tb)
        if ta.get_element_type() != tb.get_element_type():
            raise VerifyException(f"element types differ: {ta} and {tb}")
        if len(a) < 2 or len(a) != len(b):
            raise VerifyException(f"operands need equal rank >= 2, got {ta} and {tb}")
        if a[:-2] != b[:-2]:
            raise VerifyException(f"batch dims of {ta} and {tb} must match")
        if a[-1] != b[-2]:
            raise VerifyException(f"contraction dims differ: {ta} has k={a[-1]}, {tb} has k={b[-2]}")
        want = make_type(ta.get_element_type(), [*a[:-1], b[-1]])
        if self.result.type != want:
            raise VerifyException(f"result type {self.result.type} must be {want}")


# --------------------------------------------------------------------------------------------
# families and the dialect

ELEMENTWISE_UNARY: tuple[type[Operation], ...] = (NegOp, Exp2Op, Log2Op, SinOp, SqrtOp, RecipOp)
CONVERSION_OPS: tuple[type[Operation], ...] = (CastOp, BitcastOp)
ELEMENTWISE_BINARY: tuple[type[Operation], ...] = (
    AddOp, MulOp, MaxOp, IdivOp, ModOp, FmodOp, AndOp, OrOp, XorOp, ShlOp, ShrOp,
)
COMPARE_OPS: tuple[type[Operation], ...] = (CmpltOp, CmpneOp)
ELEMENTWISE_OPS: tuple[type[Operation], ...] = (
    *ELEMENTWISE_UNARY, *CONVERSION_OPS, *ELEMENTWISE_BINARY, *COMPARE_OPS, WhereOp,
)
#: The primitive elementwise op of each row of the ALU table (tinyir/alu.py), by short name.
ALU_BY_NAME: dict[str, type[Operation]] = {
    op.name.split(".", 1)[1]: op for op in (*ELEMENTWISE_UNARY, *CONVERSION_OPS, *ELEMENTWISE_BINARY, *COMPARE_OPS, WhereOp)}
SOURCE_OPS: tuple[type[Operation], ...] = (ConstantOp, IotaOp)
REDUCE_OPS: tuple[type[Operation], ...] = (ReduceSumOp, ReduceMaxOp)
MOVEMENT_OPS: tuple[type[Operation], ...] = (ReshapeOp, PermuteOp, ExpandOp, PadOp, ShrinkOp, FlipOp)
PRIMITIVE_OPS: tuple[type[Operation], ...] = (*SOURCE_OPS, *ELEMENTWISE_OPS, *REDUCE_OPS, *MOVEMENT_OPS)
COMPOSITE_OPS: tuple[type[Operation], ...] = (
    MatmulOp, SubOp, DivOp, ExpOp, LogOp, ReluOp, SoftmaxOp, RandomBitsOp,
)

TIR = Dialect("tir", [*PRIMITIVE_OPS, *COMPOSITE_OPS], [])

__all__ = [
    "TIR", "shape_of", "element_type_of", "make_type", "tensor_type", "value",
    "UnaryOp", "BinaryOp", "ConversionOp", "ReduceOp", "ShapeOp", "ListOp", "Composite",
    "NegOp", "Exp2Op", "Log2Op", "SinOp", "SqrtOp", "RecipOp", "CastOp", "BitcastOp",
    "AddOp", "MulOp", "MaxOp", "IdivOp", "ModOp", "FmodOp", "AndOp", "OrOp", "XorOp", "ShlOp", "ShrOp",
    "CmpltOp", "CmpneOp", "WhereOp", "ConstantOp", "IotaOp", "ReduceSumOp", "ReduceMaxOp",
    "ReshapeOp", "PermuteOp", "ExpandOp", "PadOp", "ShrinkOp", "FlipOp",
    "MatmulOp", "SubOp", "DivOp", "ExpOp", "LogOp", "ReluOp", "SoftmaxOp", "RandomBitsOp",
    "RANDOM_BITS_KEY_MUL", "RANDOM_BITS_STEPS",
    "ALU_BY_NAME", "ELEMENTWISE_UNARY", "CONVERSION_OPS", "ELEMENTWISE_BINARY", "COMPARE_OPS", "ELEMENTWISE_OPS",
    "SOURCE_OPS", "REDUCE_OPS", "MOVEMENT_OPS", "PRIMITIVE_OPS", "COMPOSITE_OPS",
]
