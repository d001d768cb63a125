"""The `metal` dialect: Metal Shading Language (MSL) compute kernels as IR.

A kernel is a linear list of ops, like `uop`'s: loops are bracketed by `metal.for`/`metal.endfor`,
accumulators are `metal.var` registers written by `metal.assign`. Values have tinyir's element
types (`f32` float, `f16` half, `i32` int, `i8` char, `ui8` uchar, `i1` bool) and tinyir's
semantics: integer `+ - * <<` and negation wrap around (the emitter computes them in the
unsigned type, as signed overflow is undefined in MSL's C++), shift amounts are taken modulo the
bit width. Operators are data: one op per operator family, the C++ operator a property.

    metal.kernel "k0" msl "3.0" grid [16] (%o, %a) : !st.buffer<16xf32>, !st.buffer<16xf32> {
    ^bb0(%out: !st.buffer<16xf32>, %in: !st.buffer<16xf32>):
      %g = metal.thread_position 0 : i32
      %v = metal.load %in[%g] : f32
      %w = metal.call "exp2"(%v) : f32
      metal.store %out[%g], %w : f32
    }

Kernel parameters are the `!st.buffer` values, printed as `device T* dataN [[buffer(N)]]`
(bool buffers as `uchar`, one byte per element like numpy); the thread position is the kernel's
`uint3 gid [[thread_position_in_grid]]`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import ClassVar

from xdsl.dialects.builtin import (
    ArrayAttr,
    FloatAttr,
    IntAttr,
    IntegerAttr,
    IntegerType,
    Signedness,
    StringAttr,
    f16,
    f32,
    i1,
    i8,
    i32,
)
from xdsl.ir import Attribute, Dialect, Operation, Region, SSAValue
from xdsl.irdl import (
    AnyAttr,
    IRDLOperation,
    VarConstraint,
    irdl_op_definition,
    operand_def,
    opt_operand_def,
    prop_def,
    region_def,
    result_def,
    traits_def,
    var_operand_def,
)
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import IsolatedFromAbove, NoTerminator, Pure
from xdsl.utils.exceptions import VerifyException

from tinyir.dialects.uop import buffer_element_type, literal_value, scalar_attr

ui8 = IntegerType(8, Signedness.UNSIGNED)

# The dialect's scalar types -> their MSL spelling; buffers of bool hold bytes.
MSL_TYPES: dict[Attribute, str] = {f32: "float", f16: "half", i32: "int", i8: "char", ui8: "uchar", i1: "bool"}
MSL_STORAGE_TYPES: dict[Attribute, str] = {**MSL_TYPES, i1: "uchar"}
FLOATS: tuple[Attribute, ...] = (f32, f16)
INTS: tuple[Attribute, ...] = (i32, i8, ui8)
MSL_VERSIONS: tuple[str, ...] = ("2.0", "2.1", "2.2", "2.3", "2.4", "3.0", "3.1", "3.2")

# operator -> the operand types it accepts (one op class per family, the operator a property)
BINARY_OPERATORS: dict[str, tuple[Attribute, ...]] = {
    "+": FLOATS + INTS, "-": FLOATS + INTS, "*": FLOATS + INTS, "/": FLOATS + INTS, "%": INTS,
    "&": INTS + (i1,), "|": INTS + (i1,), "^": INTS + (i1,), "<<": INTS, ">>": INTS,
}
COMPARE_OPERATORS: dict[str, tuple[Attribute, ...]] = {"<": tuple(MSL_TYPES), "!=": tuple(MSL_TYPES)}
UNARY_OPERATORS: dict[str, tuple[Attribute, ...]] = {"-": FLOATS + INTS, "!": (i1,)}
# metal:: functions -> (arity, operand types)
FUNCTIONS: dict[str, tuple[int, tuple[Attribute, ...]]] = {
    "exp2": (1, FLOATS), "log2": (1, FLOATS), "sin": (1, FLOATS), "sqrt": (1, FLOATS),
    "fmax": (2, FLOATS), "max": (2, INTS),
}


def _check_type(op: Operation, what: str, t: Attribute, allowed: Sequence[Attribute] = tuple(MSL_TYPES)) -> None:
    if t not in allowed:
        raise VerifyException(f"{op.name}: {what} has type {t}, expected one of {', '.join(map(str, allowed))}")


def buffer_type_of(t: Attribute) -> Attribute:
    """The element type of a kernel buffer parameter (an `!st.buffer`)."""
    element = buffer_element_type(t)
    if element is None:
        raise VerifyException(f"expected an !st.buffer, got {t}")
    return element


# ---------------------------------------------------------------- literals


def _parse_literal(parser: Parser) -> float | int | bool:
    if parser.parse_optional_keyword("true") is not None:
        return True
    if parser.parse_optional_keyword("false") is not None:
        return False
    negative = parser.parse_optional_punctuation("-") is not None
    if parser.parse_optional_keyword("inf") is not None:
        return -math.inf if negative else math.inf
    if parser.parse_optional_keyword("nan") is not None:
        return math.nan
    number = parser.parse_number()
    return -number if negative else number


class _LiteralOp(IRDLOperation):
    """`NAME <literal> : type` (literals: numbers, true/false, inf/-inf/nan)."""

    value = prop_def(AnyAttr())
    result = result_def(AnyAttr())

    def __init__(self, value: float | int | bool, type_: Attribute) -> None:
        super().__init__(result_types=[type_], properties={"value": scalar_attr(value, type_)})

    @classmethod
    def parse(cls, parser: Parser) -> _LiteralOp:
        literal = _parse_literal(parser)
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        type_ = parser.parse_type()
        if type_ not in MSL_TYPES:
            parser.raise_error(f"{cls.name}: {type_} is not a scalar type of the metal dialect")
        if isinstance(literal, float) and type_ not in FLOATS:
            parser.raise_error(f"{cls.name}: float literal {literal} for non-float type {type_}")
        op = cls(literal, type_)
        op.attributes |= attrs
        return op

    def print(self, printer: Printer) -> None:
        v = literal_value(self.value)
        if isinstance(v, bool):
            text = "true" if v else "false"
        elif isinstance(v, float) and not math.isfinite(v):
            text = "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
        else:
            text = repr(v)
        printer.print_string(f" {text}")
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        printer.print_attribute(self.result.type)

    def verify_(self) -> None:
        _check_type(self, "the value", self.result.type)
        if not isinstance(self.value, (IntegerAttr, FloatAttr)) or self.value.type != self.result.type:
            raise VerifyException(f"{self.name}: value {self.value} does not have type {self.result.type}")


# ---------------------------------------------------------------- structure


@irdl_op_definition
class KernelOp(IRDLOperation):
    """`kernel void NAME(device T* data0 [[buffer(0)]], ..., uint3 gid [[thread_position_in_grid]])`.

    `grid` is the number of threads per gidx dimension (dims from 2 on share the z position);
    `msl` the Metal Shading Language version the text is written for.
    """

    name = "metal.kernel"
    kernel_name = prop_def(StringAttr)
    msl_version = prop_def(StringAttr)
    grid = prop_def(ArrayAttr[IntAttr])
    buffers = var_operand_def(AnyAttr())
    body = region_def("single_block")
    traits = traits_def(IsolatedFromAbove(), NoTerminator())

    def __init__(self, name: str, msl_version: str, grid: Sequence[int], buffers: Sequence[SSAValue],
                 body: Region) -> None:
        super().__init__(operands=[buffers], regions=[body], properties={
            "kernel_name": StringAttr(name), "msl_version": StringAttr(msl_version),
            "grid": ArrayAttr(IntAttr(g) for g in grid)})

    @property
    def name_str(self) -> str:
        return self.kernel_name.data

    @property
    def grid_sizes(self) -> tuple[int, ...]:
        return tuple(g.data for g in self.grid)

    @classmethod
    def parse(cls, parser: Parser) -> KernelOp:
        name = parser.parse_str_literal()
        parser.parse_keyword("msl")
        version = parser.parse_str_literal()
        parser.parse_keyword("grid")
        grid = parser.parse_comma_separated_list(parser.Delimiter.SQUARE, parser.parse_integer)
        operands = parser.parse_comma_separated_list(parser.Delimiter.PAREN, parser.parse_unresolved_operand)
        parser.parse_punctuation(":")
        types = parser.parse_comma_separated_list(parser.Delimiter.NONE, parser.parse_type)
        buffers = parser.resolve_operands(operands, types, parser.pos)
        attrs = parser.parse_optional_attr_dict_with_keyword()
        op = cls(name, version, grid, buffers, parser.parse_region())
        if attrs is not None:
            op.attributes |= attrs.data
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_string_literal(self.name_str)
        printer.print_string(" msl ")
        printer.print_string_literal(self.msl_version.data)
        printer.print_string(f" grid [{', '.join(map(str, self.grid_sizes))}] (")
        printer.print_list(self.buffers, printer.print_operand)
        printer.print_string(") : ")
        printer.print_list((b.type for b in self.buffers), printer.print_attribute)
        printer.print_op_attributes(self.attributes, print_keyword=True)
        printer.print_string(" ")
        printer.print_region(self.body)

    def verify_(self) -> None:
        if self.msl_version.data not in MSL_VERSIONS:
            raise VerifyException(f"metal.kernel: unknown MSL version '{self.msl_version.data}' "
                                  f"(known: {', '.join(MSL_VERSIONS)})")
        if not self.grid_sizes or any(g <= 0 for g in self.grid_sizes):
            raise VerifyException(f"metal.kernel: grid sizes must be positive, got {list(self.grid_sizes)}")
        args = self.body.block.args
        if [a.type for a in args] != [b.type for b in self.buffers]:
            raise VerifyException("metal.kernel: block arguments must mirror the buffer operand types")
        for arg in args:
            _check_type(self, "a buffer element", buffer_type_of(arg.type))
        for op in self.body.block.ops:
            if not op.name.startswith("metal."):
                raise VerifyException(f"metal.kernel: body may only hold metal ops, got {op.name}")


@irdl_op_definition
class ThreadPositionOp(IRDLOperation):
    """`gid.x` / `gid.y` / `gid.z` (dim 0, 1, 2) as an int."""

    name = "metal.thread_position"
    dim = prop_def(IntAttr)
    result = result_def(i32)
    traits = traits_def(Pure())

    def __init__(self, dim: int) -> None:
        super().__init__(properties={"dim": IntAttr(dim)}, result_types=[i32])

    @classmethod
    def parse(cls, parser: Parser) -> ThreadPositionOp:
        dim = parser.parse_integer()
        parser.parse_punctuation(":")
        parser.parse_type()
        return cls(dim)

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.dim.data} : i32")

    def verify_(self) -> None:
        if self.dim.data not in (0, 1, 2):
            raise VerifyException(f"metal.thread_position: dim must be 0, 1 or 2 (x, y, z), got {self.dim.data}")


@irdl_op_definition
class ForOp(IRDLOperation):
    """`for (int ridxN = lower; ridxN < upper; ridxN++) {`; the result is the loop index."""

    name = "metal.for"
    lower = prop_def(IntAttr)
    upper = prop_def(IntAttr)
    result = result_def(i32)

    def __init__(self, lower: int, upper: int) -> None:
        super().__init__(properties={"lower": IntAttr(lower), "upper": IntAttr(upper)}, result_types=[i32])

    @classmethod
    def parse(cls, parser: Parser) -> ForOp:
        lower = parser.parse_integer()
        parser.parse_keyword("to")
        upper = parser.parse_integer()
        parser.parse_punctuation(":")
        parser.parse_type()
        return cls(lower, upper)

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.lower.data} to {self.upper.data} : i32")


@irdl_op_definition
class EndForOp(IRDLOperation):
    """`}` closing the loop of `%i`."""

    name = "metal.endfor"
    loop = operand_def(i32)
    assembly_format = "$loop attr-dict"

    def __init__(self, loop: SSAValue) -> None:
        super().__init__(operands=[loop])

    def verify_(self) -> None:
        if not isinstance(self.loop.owner, ForOp):
            raise VerifyException("metal.endfor: operand must be a metal.for result")


@irdl_op_definition
class VarOp(_LiteralOp):
    """`T accN = init;`: a register; each use reads its current value."""

    name = "metal.var"


@irdl_op_definition
class ConstOp(_LiteralOp):
    """A constant, printed inline as a literal."""

    name = "metal.const"
    traits = traits_def(Pure())


@irdl_op_definition
class AssignOp(IRDLOperation):
    """`accN = value;`."""

    name = "metal.assign"
    T: ClassVar = VarConstraint("T", AnyAttr())
    var = operand_def(T)
    value = operand_def(T)
    assembly_format = "$var `,` $value attr-dict `:` type($value)"

    def __init__(self, var: SSAValue, value: SSAValue) -> None:
        super().__init__(operands=[var, value])

    def verify_(self) -> None:
        if not isinstance(self.var.owner, VarOp):
            raise VerifyException("metal.assign: target must be a metal.var result")


# ---------------------------------------------------------------- memory


def _check_access(op: Operation, buffer: SSAValue, value_type: Attribute) -> None:
    element = buffer_type_of(buffer.type)
    if element != value_type:
        raise VerifyException(f"{op.name}: buffer of {element} accessed as {value_type}")


@irdl_op_definition
class LoadOp(IRDLOperation):
    """`T valN = buf[idx];`; gated: `T valN = gate ? buf[idx] : 0;` (not read when false)."""

    name = "metal.load"
    buffer = operand_def(AnyAttr())
    index = operand_def(i32)
    gate = opt_operand_def(i1)
    result = result_def(AnyAttr())
    assembly_format = "$buffer `[` $index `]` (`if` $gate^)? attr-dict `:` type($buffer) `->` type($result)"

    def __init__(self, buffer: SSAValue, index: SSAValue, gate: SSAValue | None = None) -> None:
        super().__init__(operands=[buffer, index, [gate] if gate is not None else []],
                         result_types=[buffer_type_of(buffer.type)])

    def verify_(self) -> None:
        _check_access(self, self.buffer, self.result.type)


@irdl_op_definition
class StoreOp(IRDLOperation):
    """`buf[idx] = value;`; gated: `if (gate) buf[idx] = value;`."""

    name = "metal.store"
    buffer = operand_def(AnyAttr())
    index = operand_def(i32)
    value = operand_def(AnyAttr())
    gate = opt_operand_def(i1)
    assembly_format = "$buffer `[` $index `]` `,` $value (`if` $gate^)? attr-dict `:` type($buffer) `,` type($value)"

    def __init__(self, buffer: SSAValue, index: SSAValue, value: SSAValue, gate: SSAValue | None = None) -> None:
        super().__init__(operands=[buffer, index, value, [gate] if gate is not None else []])

    def verify_(self) -> None:
        _check_access(self, self.buffer, self.value.type)


# ---------------------------------------------------------------- arithmetic


class _OperatorOp(IRDLOperation):
    """An op whose C++ operator is a property, checked against `OPERATORS`."""

    OPERATORS: ClassVar[dict[str, tuple[Attribute, ...]]] = {}
    operator = prop_def(StringAttr)

    def verify_(self) -> None:
        name = self.operator.data
        if name not in self.OPERATORS:
            raise VerifyException(f"{self.name}: unknown operator '{name}' (known: {' '.join(self.OPERATORS)})")
        _check_type(self, f"operator '{name}' operand", self.operands[0].type, self.OPERATORS[name])


@irdl_op_definition
class BinaryOp(_OperatorOp):
    """`T valN = a OP b;` (`+ - * / % & | ^ << >>`)."""

    name = "metal.binary"
    OPERATORS: ClassVar[dict[str, tuple[Attribute, ...]]] = BINARY_OPERATORS
    T: ClassVar = VarConstraint("T", AnyAttr())
    lhs = operand_def(T)
    rhs = operand_def(T)
    result = result_def(T)
    traits = traits_def(Pure())
    assembly_format = "$operator $lhs `,` $rhs attr-dict `:` type($result)"

    def __init__(self, operator: str, lhs: SSAValue, rhs: SSAValue) -> None:
        super().__init__(operands=[lhs, rhs], result_types=[lhs.type], properties={"operator": StringAttr(operator)})


@irdl_op_definition
class CompareOp(_OperatorOp):
    """`bool valN = a OP b;` (`<`, `!=`)."""

    name = "metal.compare"
    OPERATORS: ClassVar[dict[str, tuple[Attribute, ...]]] = COMPARE_OPERATORS
    T: ClassVar = VarConstraint("T", AnyAttr())
    lhs = operand_def(T)
    rhs = operand_def(T)
    result = result_def(i1)
    traits = traits_def(Pure())
    assembly_format = "$operator $lhs `,` $rhs attr-dict `:` type($lhs)"

    def __init__(self, operator: str, lhs: SSAValue, rhs: SSAValue) -> None:
        super().__init__(operands=[lhs, rhs], result_types=[i1], properties={"operator": StringAttr(operator)})


@irdl_op_definition
class UnaryOp(_OperatorOp):
    """`T valN = OP a;` (`-`, `!`)."""

    name = "metal.unary"
    OPERATORS: ClassVar[dict[str, tuple[Attribute, ...]]] = UNARY_OPERATORS
    T: ClassVar = VarConstraint("T", AnyAttr())
    operand = operand_def(T)
    result = result_def(T)
    traits = traits_def(Pure())
    assembly_format = "$operator $operand attr-dict `:` type($result)"

    def __init__(self, operator: str, operand: SSAValue) -> None:
        super().__init__(operands=[operand], result_types=[operand.type], properties={"operator": StringAttr(operator)})


@irdl_op_definition
class CallOp(IRDLOperation):
    """`T valN = metal::NAME(args);`."""

    name = "metal.call"
    callee = prop_def(StringAttr)
    args = var_operand_def(AnyAttr())
    result = result_def(AnyAttr())
    traits = traits_def(Pure())
    assembly_format = "$callee `(` $args `)` attr-dict `:` type($args) `->` type($result)"

    def __init__(self, callee: str, args: Sequence[SSAValue]) -> None:
        super().__init__(operands=[args], result_types=[args[0].type], properties={"callee": StringAttr(callee)})

    def verify_(self) -> None:
        name = self.callee.data
        if name not in FUNCTIONS:
            raise VerifyException(f"metal.call: unknown function metal::{name} (known: {', '.join(FUNCTIONS)})")
        arity, allowed = FUNCTIONS[name]
        if len(self.args) != arity:
            raise VerifyException(f"metal.call: metal::{name} takes {arity} argument(s), got {len(self.args)}")
        for a in self.args:
            _check_type(self, f"metal::{name} argument", a.type, allowed)
        if self.result.type != self.args[0].type:
            raise VerifyException(f"metal.call: metal::{name} returns its argument type {self.args[0].type}")


@irdl_op_definition
class SelectOp(IRDLOperation):
    """`T valN = cond ? a : b;`."""

    name = "metal.select"
    T: ClassVar = VarConstraint("T", AnyAttr())
    cond = operand_def(i1)
    if_true = operand_def(T)
    if_false = operand_def(T)
    result = result_def(T)
    traits = traits_def(Pure())
    assembly_format = "$cond `,` $if_true `,` $if_false attr-dict `:` type($result)"

    def __init__(self, cond: SSAValue, if_true: SSAValue, if_false: SSAValue) -> None:
        super().__init__(operands=[cond, if_true, if_false], result_types=[if_true.type])


class _CastOp(IRDLOperation):
    source = operand_def(AnyAttr())
    result = result_def(AnyAttr())
    traits = traits_def(Pure())
    assembly_format = "$source attr-dict `:` type($source) `to` type($result)"

    def __init__(self, source: SSAValue, to: Attribute) -> None:
        super().__init__(operands=[source], result_types=[to])

    def verify_(self) -> None:
        _check_type(self, "the source", self.source.type)
        _check_type(self, "the result", self.result.type)


@irdl_op_definition
class ConvertOp(_CastOp):
    """`static_cast<T>(x)`: a value conversion (float -> int truncates; -> bool is != 0)."""

    name = "metal.convert"


@irdl_op_definition
class AsTypeOp(_CastOp):
    """`as_type<T>(x)`: the same bits, read as another type of the same width."""

    name = "metal.as_type"

    def verify_(self) -> None:
        super().verify_()
        widths = {f32: 32, f16: 16, i32: 32, i8: 8, ui8: 8}
        a, b = self.source.type, self.result.type
        if a == i1 or b == i1 or widths[a] != widths[b]:
            raise VerifyException(f"metal.as_type: needs two non-bool types of one width, got {a} and {b}")


METAL = Dialect("metal", [KernelOp, ThreadPositionOp, ForOp, EndForOp, VarOp, ConstOp, AssignOp, LoadOp,
                          StoreOp, BinaryOp, CompareOp, UnaryOp, CallOp, SelectOp, ConvertOp, AsTypeOp])

__all__ = ["METAL", "MSL_TYPES", "MSL_STORAGE_TYPES", "MSL_VERSIONS", "KernelOp"]
