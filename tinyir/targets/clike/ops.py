"""Op bases for C-family kernel dialects: one C statement or expression per op.

A dialect subclasses a base, names the op and fills in its data (class constants): its scalar
types (`ScalarTypes`), which op of the dialect an operand must come from, and the wording of its
verifier messages. The bases hold the fields, constructors, syntax and checks, written once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from xdsl.dialects.builtin import ArrayAttr, FloatAttr, IntAttr, IntegerAttr, IntegerType, StringAttr, i1, i32, i64  # INDEX64
from xdsl.ir import Attribute, Operation, Region, SSAValue
from xdsl.irdl import (
    AnyAttr,
    AttrSizedOperandSegments,
    IRDLOperation,
    VarConstraint,
    base,
    operand_def,
    opt_operand_def,
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
from tinyir.dialects.uop import VECTOR_WIDTHS, buffer_element_type, parse_literal, print_literal, scalar_attr


@dataclass(frozen=True)
class ScalarTypes:
    """A dialect's scalar types, their spelling, and how its verifier words a wrong type.

    `wrong_type` is formatted with `op` (the op name), `what`, `type` and `allowed`.
    `parse_error`, if set, makes literal ops reject non-scalar types (and float literals for
    integer types) while parsing; it is formatted with `op` and `type`.
    """

    spelling: Mapping[Attribute, str]
    floats: tuple[Attribute, ...]
    wrong_type: str
    parse_error: str | None = None

    def check(self, op: Operation, what: str, t: Attribute, allowed: Sequence[Attribute] | None = None) -> None:
        allowed = tuple(self.spelling) if allowed is None else allowed
        if t not in allowed:
            names = ", ".join(str(a) for a in allowed)
            raise VerifyException(self.wrong_type.format(op=op.name, what=what, type=t, allowed=names))


def buffer_element(t: Attribute) -> Attribute:
    """The element type of a kernel buffer parameter, an `!st.buffer` (VerifyException otherwise)."""
    element = buffer_element_type(t)
    if element is None:
        raise VerifyException(f"expected an !st.buffer, got {t}")
    return element


def owner_is(value: SSAValue, op_type: type[Operation], message: str, op: Operation) -> None:
    """`value` must be the result of an `op_type` op (else `"<op.name>: <message>"`)."""
    if not isinstance(value.owner, op_type):
        raise VerifyException(f"{op.name}: {message}")


# ---------------------------------------------------------------- kernel


class KernelBase(IRDLOperation):
    """`NAME "k0" <dialect's launch words> (%o, %a) : T0, T1 attributes {...} { ^bb0(...): ... }`.

    The parameters are the `buffers` operands, mirrored by the body's block arguments.
    Subclasses parse and print what sits between the name and the operands.
    """

    kernel_name = prop_def(StringAttr)
    buffers = var_operand_def(AnyAttr())
    body = region_def("single_block")
    traits = traits_def(IsolatedFromAbove(), NoTerminator())

    @property
    def name_str(self) -> str:
        return self.kernel_name.data

    @staticmethod
    def parse_buffers(parser: Parser) -> list[SSAValue]:
        """`(%o, %a) : T0, T1`."""
        operands = parser.parse_comma_separated_list(parser.Delimiter.PAREN, parser.parse_unresolved_operand)
        parser.parse_punctuation(":")
        types = parser.parse_comma_separated_list(parser.Delimiter.NONE, parser.parse_type)
        return parser.resolve_operands(operands, types, parser.pos)

    @staticmethod
    def parse_body(parser: Parser, build: Callable[[Region], Operation]) -> Operation:
        """`attributes {...}? { ... }`: `build` makes the kernel from its body region."""
        attrs = parser.parse_optional_attr_dict_with_keyword()
        kernel = build(parser.parse_region())
        if attrs is not None:
            kernel.attributes |= attrs.data
        return kernel

    def print_buffers_and_body(self, printer: Printer) -> None:
        printer.print_string(" (")
        printer.print_list(self.buffers, printer.print_operand)
        printer.print_string(") : ")
        printer.print_list((b.type for b in self.buffers), printer.print_attribute)
        printer.print_op_attributes(self.attributes, print_keyword=True)
        printer.print_string(" ")
        printer.print_region(self.body)

    def verify_mirrored_buffers(self, message: str) -> None:
        if [a.type for a in self.body.block.args] != [b.type for b in self.buffers]:
            raise VerifyException(f"{self.name}: {message}")

    def verify_own_ops(self, prefix: str) -> None:
        """The body holds only ops of the dialect `prefix`."""
        for op in self.body.block.ops:
            if not op.name.startswith(f"{prefix}."):
                raise VerifyException(f"{self.name}: body may only hold {prefix} ops, got {op.name}")


def grid_attr(grid: Sequence[int]) -> ArrayAttr[IntAttr]:
    """A launch grid as a property: one `IntAttr` per dimension."""
    return ArrayAttr(IntAttr(g) for g in grid)


# ---------------------------------------------------------------- structure


class LoopBase(IRDLOperation):
    """`NAME LO to HI attr-dict? : i32`: `for (int i = LO; i < HI; i++) {`, the result the index."""

    ATTR_DICT: ClassVar[bool] = True  # whether an attribute dictionary may follow the bounds
    lower = prop_def(IntAttr)
    upper = prop_def(IntAttr)
    result = result_def(i32)

    def __init__(self, lower: int, upper: int) -> None:
        super().__init__(properties={"lower": IntAttr(lower), "upper": IntAttr(upper)}, result_types=[i32])

    @classmethod
    def parse(cls, parser: Parser) -> LoopBase:
        lower = parser.parse_integer()
        parser.parse_keyword("to")
        upper = parser.parse_integer()
        attrs = parser.parse_optional_attr_dict() if cls.ATTR_DICT else {}
        parser.parse_punctuation(":")
        parser.parse_type()
        op = cls(lower, upper)
        op.attributes |= attrs
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.lower.data} to {self.upper.data}")
        if self.ATTR_DICT:
            printer.print_op_attributes(self.attributes)
        printer.print_string(" : i32")


class EndLoopBase(IRDLOperation):
    """`}` closing the loop whose index is the operand (a `LOOP` result)."""

    LOOP: ClassVar[type[Operation]]
    NOT_A_LOOP: ClassVar[str]  # the verifier's message when the operand is not a loop index
    loop = operand_def(i32)
    assembly_format = "$loop attr-dict"

    def __init__(self, loop: SSAValue) -> None:
        super().__init__(operands=[loop])

    def verify_(self) -> None:
        owner_is(self.loop, self.LOOP, self.NOT_A_LOOP, self)


class LiteralBase(IRDLOperation):
    """`NAME <literal> attr-dict : type` (numbers, true/false, inf/-inf/nan): constants, registers."""

    TYPES: ClassVar[ScalarTypes]
    ATTR_DICT: ClassVar[bool] = True
    SIGNED_NAN: ClassVar[bool] = True  # whether `-nan` keeps its sign bit
    value = prop_def(AnyAttr())
    result = result_def(AnyAttr())

    def __init__(self, value: float | int | bool, type_: Attribute) -> None:
        super().__init__(result_types=[type_], properties={"value": scalar_attr(value, type_)})

    @classmethod
    def parse(cls, parser: Parser) -> LiteralBase:
        literal = parse_literal(parser, cls.SIGNED_NAN)
        attrs = parser.parse_optional_attr_dict() if cls.ATTR_DICT else {}
        parser.parse_punctuation(":")
        type_ = parser.parse_type()
        if cls.TYPES.parse_error is not None:
            if type_ not in cls.TYPES.spelling:
                parser.raise_error(cls.TYPES.parse_error.format(op=cls.name, type=type_))
            if isinstance(literal, float) and type_ not in cls.TYPES.floats:
                parser.raise_error(f"{cls.name}: float literal {literal} for non-float type {type_}")
        op = cls(literal, type_)
        op.attributes |= attrs
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        print_literal(printer, self.value)
        if self.ATTR_DICT:
            printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        printer.print_attribute(self.result.type)

    def verify_(self) -> None:
        self.TYPES.check(self, "the value", self.result.type)
        if not isinstance(self.value, (IntegerAttr, FloatAttr)) or self.value.type != self.result.type:
            raise VerifyException(f"{self.name}: value {self.value} does not have type {self.result.type}")


class AssignBase(IRDLOperation):
    """`acc = value;` into a register made by a `VAR` op."""

    VAR: ClassVar[type[Operation]]
    NOT_A_VAR: ClassVar[str]
    T: ClassVar = VarConstraint("T", AnyAttr())
    var = operand_def(T)
    value = operand_def(T)
    assembly_format = "$var `,` $value attr-dict `:` type($value)"

    def __init__(self, var: SSAValue, value: SSAValue) -> None:
        super().__init__(operands=[var, value])

    def verify_(self) -> None:
        owner_is(self.var, self.VAR, self.NOT_A_VAR, self)


# ---------------------------------------------------------------- memory

#: INDEX64: an access's index is i32, or i64 in a kernel whose indices pass 2**31 - 1
INDEX = base(IntegerType)


def check_index(op: Operation, index: SSAValue) -> None:
    """INDEX64: i32, or i64 where the kernel's indices need it."""
    if index.type not in (i32, i64):
        raise VerifyException(f"{op.name}: index must be i32 or i64, got {index.type}")


class LoadBase(IRDLOperation):
    """`T v = buf[i];`; gated: `T v = gate ? buf[i] : 0;` (not read when false)."""

    buffer = operand_def(AnyAttr())
    index = operand_def(INDEX)  # INDEX64
    gate = opt_operand_def(i1)
    result = result_def(AnyAttr())

    def __init__(self, buffer: SSAValue, index: SSAValue, gate: SSAValue | None = None) -> None:
        super().__init__(operands=[buffer, index, [gate] if gate is not None else []],
                         result_types=[self.result_type(buffer.type)])

    @classmethod
    def result_type(cls, buffer_type: Attribute) -> Attribute:
        """The type of the value read from a buffer of `buffer_type`."""
        raise NotImplementedError

    # INDEX64: the text of LOAD_FORMAT, with `[%i : i64]` for a 64-bit index (a format cannot infer it)
    def print(self, printer: Printer) -> None:
        _print_access(printer, self, [], self.result.type, " -> ")

    @classmethod
    def parse(cls, parser: Parser) -> LoadBase:
        buffer, index, _, gate, attrs = _parse_access(parser, store=False)
        parser.parse_punctuation("->")
        op = cls.create(operands=[buffer, index, *gate], result_types=[parser.parse_type()])
        op.attributes |= attrs
        return op


class StoreBase(IRDLOperation):
    """`buf[i] = value;`; gated: `if (gate) buf[i] = value;`."""

    buffer = operand_def(AnyAttr())
    index = operand_def(INDEX)  # INDEX64
    value = operand_def(AnyAttr())
    gate = opt_operand_def(i1)

    def __init__(self, buffer: SSAValue, index: SSAValue, value: SSAValue, gate: SSAValue | None = None) -> None:
        super().__init__(operands=[buffer, index, value, [gate] if gate is not None else []])

    def print(self, printer: Printer) -> None:  # INDEX64: STORE_FORMAT's text, `[%i : i64]` when 64-bit
        _print_access(printer, self, [self.value], self.value.type, ", ")

    @classmethod
    def parse(cls, parser: Parser) -> StoreBase:
        buffer, index, values, gate, attrs = _parse_access(parser, store=True)
        parser.parse_punctuation(",")
        value = parser.resolve_operand(values[0], parser.parse_type())
        op = cls.create(operands=[buffer, index, value, *gate])
        op.attributes |= attrs
        return op


def _print_access(printer: Printer, op: Operation, values: list[SSAValue], value_type: Attribute, sep: str) -> None:
    """`%buf[%i(: i64)?](, %value)? (if %gate)? attr-dict : type(buf) SEP value_type` (INDEX64)."""
    printer.print_string(" ")
    printer.print_operand(op.buffer)
    printer.print_string("[")
    printer.print_operand(op.index)
    if op.index.type != i32:
        printer.print_string(" : ")
        printer.print_attribute(op.index.type)
    printer.print_string("]")
    for v in values:
        printer.print_string(", ")
        printer.print_operand(v)
    if op.gate is not None:
        printer.print_string(" if ")
        printer.print_operand(op.gate)
    printer.print_op_attributes(op.attributes)
    printer.print_string(" : ")
    printer.print_attribute(op.buffer.type)
    printer.print_string(sep)
    printer.print_attribute(value_type)


def _parse_access(parser: Parser, store: bool) -> tuple[SSAValue, SSAValue, list[Any], list[SSAValue], dict]:
    """The head of LOAD_FORMAT/STORE_FORMAT up to the buffer's type; a stored value stays unresolved."""
    buffer = parser.parse_operand()
    parser.parse_punctuation("[")
    unresolved = parser.parse_unresolved_operand()
    index = parser.resolve_operand(unresolved, parser.parse_type() if parser.parse_optional_punctuation(":") else i32)
    parser.parse_punctuation("]")
    values = []
    if store:
        parser.parse_punctuation(",")
        values.append(parser.parse_unresolved_operand())
    gate = [parser.parse_operand()] if parser.parse_optional_keyword("if") else []
    attrs = parser.parse_optional_attr_dict()
    parser.parse_punctuation(":")
    buffer_type = parser.parse_type()
    if buffer_type != buffer.type:
        parser.raise_error(f"buffer type {buffer_type} does not match the operand's {buffer.type}")
    return buffer, index, values, gate, attrs


def _verify_vector(op: Operation, buffer: SSAValue, lanes: Sequence[SSAValue]) -> None:
    element = buffer_element_type(buffer.type)
    if len(lanes) not in VECTOR_WIDTHS:
        raise VerifyException(f"{op.name}: {' or '.join(map(str, VECTOR_WIDTHS))} lanes, got {len(lanes)}")
    if any(lane.type != element for lane in lanes):
        raise VerifyException(f"{op.name}: every lane must have the buffer's element type {element}")


def _parse_vector_access(parser: Parser) -> tuple[SSAValue, SSAValue]:
    buffer = parser.parse_operand()
    parser.parse_punctuation("[")
    index = parser.parse_operand()
    parser.parse_punctuation("]")
    return buffer, index


class VLoadBase(IRDLOperation):
    """`%a, %b, %c, %d = D.vload %buf[%i] (if %gate)? : 4 x T`: `TN v = *(TN*)(buf + i);` and the lanes
    `v.x ..`; gated: every lane 0 when false. `i` is a multiple of N (uop.vload's contract)."""

    buffer = operand_def(AnyAttr())
    index = operand_def(INDEX)  # INDEX64
    gate = opt_operand_def(i1)
    lanes = var_result_def(AnyAttr())

    def __init__(self, buffer: SSAValue, index: SSAValue, width: int, gate: SSAValue | None = None) -> None:
        super().__init__(operands=[buffer, index, [gate] if gate is not None else []],
                         result_types=[[buffer_element_type(buffer.type)] * width])

    def verify_(self) -> None:
        _verify_vector(self, self.buffer, self.lanes)

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_operand(self.buffer)
        printer.print_string("[")
        printer.print_operand(self.index)
        printer.print_string("]")
        if self.gate is not None:
            printer.print_string(" if ")
            printer.print_operand(self.gate)
        printer.print_op_attributes(self.attributes)
        printer.print_string(f" : {len(self.lanes)} x ")
        printer.print_attribute(self.lanes[0].type if self.lanes else i32)

    @classmethod
    def parse(cls, parser: Parser) -> VLoadBase:
        buffer, index = _parse_vector_access(parser)
        gate = [parser.parse_operand()] if parser.parse_optional_keyword("if") else []
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        width = parser.parse_integer(allow_boolean=False, allow_negative=False)
        parser.parse_keyword("x")
        type_ = parser.parse_type()
        op = cls.create(operands=[buffer, index, *gate], result_types=[type_] * width)
        op.attributes |= attrs
        return op


class VStoreBase(IRDLOperation):
    """`D.vstore %buf[%i], %a, %b, %c, %d (if %gate)? : T`: `*(TN*)(buf + i) = (TN)(a, b, c, d);`."""

    buffer = operand_def(AnyAttr())
    index = operand_def(INDEX)  # INDEX64
    values = var_operand_def(AnyAttr())
    gate = opt_operand_def(i1)
    irdl_options = (AttrSizedOperandSegments(as_property=True),)

    def __init__(self, buffer: SSAValue, index: SSAValue, values: Sequence[SSAValue],
                 gate: SSAValue | None = None) -> None:
        super().__init__(operands=[buffer, index, list(values), [gate] if gate is not None else []])

    def verify_(self) -> None:
        _verify_vector(self, self.buffer, self.values)

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_operand(self.buffer)
        printer.print_string("[")
        printer.print_operand(self.index)
        printer.print_string("], ")
        printer.print_list(self.values, printer.print_operand)
        if self.gate is not None:
            printer.print_string(" if ")
            printer.print_operand(self.gate)
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        printer.print_attribute(self.values[0].type if self.values else i32)

    @classmethod
    def parse(cls, parser: Parser) -> VStoreBase:
        buffer, index = _parse_vector_access(parser)
        parser.parse_punctuation(",")
        values = parser.parse_comma_separated_list(parser.Delimiter.NONE, parser.parse_unresolved_operand)
        gate = [parser.parse_operand()] if parser.parse_optional_keyword("if") else []
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        type_ = parser.parse_type()
        op = cls(buffer, index, [parser.resolve_operand(v, type_) for v in values], *gate)
        op.attributes |= attrs
        return op


class LocalArrayBase(IRDLOperation):
    """`<qualifier> T lmemN[SIZE];`: work-group memory (1-D `!st.buffer` result), read and written by
    the dialect's loads and stores; declared at the top level of its `KERNEL`."""

    KERNEL: ClassVar[type[Operation]]
    TYPES: ClassVar[ScalarTypes]
    result = result_def(base(BufferType))
    assembly_format = "attr-dict `:` type($result)"

    def __init__(self, size: int, element: Attribute) -> None:
        super().__init__(result_types=[BufferType([size], element)])

    def verify_(self) -> None:
        t = self.result.type
        assert isinstance(t, BufferType)
        if len(t.shape) != 1 or t.size() < 1:
            raise VerifyException(f"{self.name}: needs a 1-D non-empty buffer type, got {t}")
        self.TYPES.check(self, "the element", t.element_type)
        if not isinstance(self.parent_op(), self.KERNEL):
            raise VerifyException(f"{self.name}: must be directly inside a {self.KERNEL.name}")


class BarrierBase(IRDLOperation):
    """A work-group barrier with a local-memory fence, at the top level of its `KERNEL`."""

    KERNEL: ClassVar[type[Operation]]
    assembly_format = "attr-dict"

    def __init__(self) -> None:
        super().__init__()

    def verify_(self) -> None:
        if not isinstance(self.parent_op(), self.KERNEL):
            raise VerifyException(f"{self.name}: must be directly inside a {self.KERNEL.name}")


def local_bytes(kernel: Operation, local_type: type[Operation], storage_bytes: Callable[[Attribute], int]) -> int:
    """Bytes of work-group memory the `local_type` ops of `kernel` declare."""
    return sum(op.result.type.size() * storage_bytes(op.result.type.element_type)  # type: ignore[attr-defined]
               for op in kernel.regions[0].block.ops if isinstance(op, local_type))


# The generic syntax of loads and stores (dialects with their own write theirs on the op).
# INDEX64: LoadBase/StoreBase print and parse this text themselves (an i64 index adds `: i64`); a
# subclass must not set it as its assembly_format (a format cannot infer the index's type)
LOAD_FORMAT = "$buffer `[` $index `]` (`if` $gate^)? attr-dict `:` type($buffer) `->` type($result)"
STORE_FORMAT = "$buffer `[` $index `]` `,` $value (`if` $gate^)? attr-dict `:` type($buffer) `,` type($value)"


# ---------------------------------------------------------------- values


class BinaryBase(IRDLOperation):
    """`T v = a OP b;`: both operands and the result of one type."""

    T: ClassVar = VarConstraint("T", AnyAttr())
    lhs = operand_def(T)
    rhs = operand_def(T)
    result = result_def(T)
    traits = traits_def(Pure())


class CompareBase(IRDLOperation):
    """`bool v = a OP b;`: both operands of one type."""

    T: ClassVar = VarConstraint("T", AnyAttr())
    lhs = operand_def(T)
    rhs = operand_def(T)
    result = result_def(i1)
    traits = traits_def(Pure())


class UnaryBase(IRDLOperation):
    """`T v = OP a;`."""

    T: ClassVar = VarConstraint("T", AnyAttr())
    operand = operand_def(T)
    result = result_def(T)
    traits = traits_def(Pure())



class SelectBase(IRDLOperation):
    """`T v = cond ? a : b;`."""

    T: ClassVar = VarConstraint("T", AnyAttr())
    cond = operand_def(i1)
    if_true = operand_def(T)
    if_false = operand_def(T)
    result = result_def(T)
    traits = traits_def(Pure())
    assembly_format = "$cond `,` $if_true `,` $if_false attr-dict `:` type($result)"

    def __init__(self, cond: SSAValue, if_true: SSAValue, if_false: SSAValue) -> None:
        super().__init__(operands=[cond, if_true, if_false], result_types=[if_true.type])


class CastBase(IRDLOperation):
    """`source : S to T`, both scalar types of the dialect: a conversion or a reinterpretation."""

    TYPES: ClassVar[ScalarTypes]
    source = operand_def(AnyAttr())
    result = result_def(AnyAttr())
    traits = traits_def(Pure())
    assembly_format = "$source attr-dict `:` type($source) `to` type($result)"

    def __init__(self, source: SSAValue, to: Attribute) -> None:
        super().__init__(operands=[source], result_types=[to])

    def verify_(self) -> None:
        self.TYPES.check(self, "the source", self.source.type)
        self.TYPES.check(self, "the result", self.result.type)

