"""The `c` dialect: a kernel as a linear list of C statements.

Structure is a few ops (`c.kernel`, `c.for`/`c.endfor`, `c.var`/`c.assign`, `c.const`, `c.load`,
`c.store`); every computation is one `c.call` of a helper named after the micro-op it implements
(`add`, `exp2`, `cast`, ...). The emitter defines each helper for the types it is used with as a
`static inline` C function, which is where tinyir's semantics (wrap-around integers, x / 0 = 0,
shift amounts mod the width, saturating float -> int) are written down once.

    c.kernel "k0" grid [16] (%o, %a) : !st.buffer<16xf32>, !st.buffer<16xf32> {
    ^bb0(%out: !st.buffer<16xf32>, %in: !st.buffer<16xf32>):
      %i = c.for 0 to 16 : i32
      %v = c.load %in[%i] : !st.buffer<16xf32> -> f32
      %w = c.call "exp2"(%v) : (f32) -> f32
      c.store %out[%i], %w : !st.buffer<16xf32>, f32
      c.endfor %i
    }
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import ClassVar

from xdsl.dialects.builtin import ArrayAttr, FloatAttr, IntAttr, IntegerAttr, StringAttr, f16, f32, i1, i8, i32
from xdsl.ir import Attribute, Dialect, Region, SSAValue
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
from tinyir.element_types import ui8

SCALAR_TYPES: tuple[Attribute, ...] = (f32, f16, i32, i8, ui8, i1)

# helper name -> number of arguments (what each computes: the uop op of the same name)
HELPERS: dict[str, int] = {
    "add": 2, "mul": 2, "max": 2, "idiv": 2, "mod": 2, "and": 2, "or": 2, "xor": 2, "shl": 2, "shr": 2,
    "cmplt": 2, "cmpne": 2, "where": 3, "neg": 1, "exp2": 1, "log2": 1, "sin": 1, "sqrt": 1, "recip": 1,
    "cast": 1, "bitcast": 1,
}
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _element(t: Attribute) -> Attribute:
    element = buffer_element_type(t)
    if element not in SCALAR_TYPES:
        raise VerifyException(f"expected an !st.buffer of {', '.join(map(str, SCALAR_TYPES))}, got {t}")
    return element


class _LiteralOp(IRDLOperation):
    """`NAME <literal> : type` (numbers, true/false, inf/-inf/nan)."""

    value = prop_def(AnyAttr())
    result = result_def(AnyAttr())

    def __init__(self, value: float | int | bool, type_: Attribute) -> None:
        super().__init__(result_types=[type_], properties={"value": scalar_attr(value, type_)})

    @classmethod
    def parse(cls, parser: Parser) -> _LiteralOp:
        if parser.parse_optional_keyword("true") is not None:
            value: float | int | bool = True
        elif parser.parse_optional_keyword("false") is not None:
            value = False
        else:
            negative = parser.parse_optional_punctuation("-") is not None
            if parser.parse_optional_keyword("inf") is not None:
                value = math.inf
            elif parser.parse_optional_keyword("nan") is not None:
                value = math.nan
            else:
                value = parser.parse_number()
            value = -value if negative else value
        parser.parse_punctuation(":")
        return cls(value, parser.parse_type())

    def print(self, printer: Printer) -> None:
        v = literal_value(self.value)
        if isinstance(v, bool):
            text = "true" if v else "false"
        elif isinstance(v, float) and not math.isfinite(v):
            text = "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
        else:
            text = repr(v)
        printer.print_string(f" {text} : ")
        printer.print_attribute(self.result.type)

    def verify_(self) -> None:
        if self.result.type not in SCALAR_TYPES:
            raise VerifyException(f"{self.name}: {self.result.type} is not a C scalar type of tinyir")
        if not isinstance(self.value, (IntegerAttr, FloatAttr)) or self.value.type != self.result.type:
            raise VerifyException(f"{self.name}: value {self.value} does not have type {self.result.type}")


@irdl_op_definition
class KernelOp(IRDLOperation):
    """`void NAME(T* data0, const T* data1, ...)`: runs once, looping over its own grid."""

    name = "c.kernel"
    kernel_name = prop_def(StringAttr)
    grid = prop_def(ArrayAttr[IntAttr])
    buffers = var_operand_def(AnyAttr())
    body = region_def("single_block")
    traits = traits_def(IsolatedFromAbove(), NoTerminator())

    # c.kernel "k0" grid [4, 2] (%o, %a) : T0, T1 attributes {...} { ^bb0(...): ... }
    @classmethod
    def parse(cls, parser: Parser) -> KernelOp:
        name = parser.parse_str_literal()
        parser.parse_keyword("grid")
        grid = parser.parse_comma_separated_list(parser.Delimiter.SQUARE, parser.parse_integer)
        operands = parser.parse_comma_separated_list(parser.Delimiter.PAREN, parser.parse_unresolved_operand)
        parser.parse_punctuation(":")
        types = parser.parse_comma_separated_list(parser.Delimiter.NONE, parser.parse_type)
        buffers = parser.resolve_operands(operands, types, parser.pos)
        attrs = parser.parse_optional_attr_dict_with_keyword()
        op = cls(name, grid, buffers, parser.parse_region())
        op.attributes |= attrs.data if attrs is not None else {}
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_string_literal(self.kernel_name.data)
        printer.print_string(f" grid [{', '.join(str(g.data) for g in self.grid)}] (")
        printer.print_list(self.buffers, printer.print_operand)
        printer.print_string(") : ")
        printer.print_list((b.type for b in self.buffers), printer.print_attribute)
        printer.print_op_attributes(self.attributes, print_keyword=True)
        printer.print_string(" ")
        printer.print_region(self.body)

    def __init__(self, name: str, grid: Sequence[int], buffers: Sequence[SSAValue], body: Region) -> None:
        super().__init__(operands=[buffers], regions=[body], properties={
            "kernel_name": StringAttr(name), "grid": ArrayAttr(IntAttr(g) for g in grid)})

    def verify_(self) -> None:
        if not _IDENTIFIER.match(self.kernel_name.data):
            raise VerifyException(f"c.kernel: '{self.kernel_name.data}' is not a C identifier")
        if [a.type for a in self.body.block.args] != [b.type for b in self.buffers]:
            raise VerifyException("c.kernel: block arguments must mirror the buffer operand types")
        for arg in self.body.block.args:
            _element(arg.type)
        for op in self.body.block.ops:
            if not op.name.startswith("c."):
                raise VerifyException(f"c.kernel: body may only hold c ops, got {op.name}")


@irdl_op_definition
class ForOp(IRDLOperation):
    """`for (int32_t i = lower; i < upper; i++) {`; the result is the loop index."""

    name = "c.for"
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
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        parser.parse_type()
        op = cls(lower, upper)
        op.attributes |= attrs
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.lower.data} to {self.upper.data}")
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : i32")

    def verify_(self) -> None:
        if self.upper.data <= self.lower.data:
            raise VerifyException(f"c.for: empty loop {self.lower.data} to {self.upper.data}")


@irdl_op_definition
class EndForOp(IRDLOperation):
    """`}`, closing the loop of `%i`."""

    name = "c.endfor"
    loop = operand_def(i32)
    assembly_format = "$loop attr-dict"

    def __init__(self, loop: SSAValue) -> None:
        super().__init__(operands=[loop])

    def verify_(self) -> None:
        if not isinstance(self.loop.owner, ForOp):
            raise VerifyException("c.endfor: operand must be a c.for result")


@irdl_op_definition
class VarOp(_LiteralOp):
    """`T acc = init;`: a register; each use reads its current value."""

    name = "c.var"


@irdl_op_definition
class ConstOp(_LiteralOp):
    """A constant, printed inline."""

    name = "c.const"
    traits = traits_def(Pure())


@irdl_op_definition
class AssignOp(IRDLOperation):
    """`acc = value;`."""

    name = "c.assign"
    T: ClassVar = VarConstraint("T", AnyAttr())
    var = operand_def(T)
    value = operand_def(T)
    assembly_format = "$var `,` $value attr-dict `:` type($value)"

    def __init__(self, var: SSAValue, value: SSAValue) -> None:
        super().__init__(operands=[var, value])

    def verify_(self) -> None:
        if not isinstance(self.var.owner, VarOp):
            raise VerifyException("c.assign: target must be a c.var result")


@irdl_op_definition
class LoadOp(IRDLOperation):
    """`T v = buf[i];`; gated: `T v = gate ? buf[i] : 0;` (not read when false)."""

    name = "c.load"
    buffer = operand_def(AnyAttr())
    index = operand_def(i32)
    gate = opt_operand_def(i1)
    result = result_def(AnyAttr())
    assembly_format = "$buffer `[` $index `]` (`if` $gate^)? attr-dict `:` type($buffer) `->` type($result)"

    def __init__(self, buffer: SSAValue, index: SSAValue, gate: SSAValue | None = None) -> None:
        super().__init__(operands=[buffer, index, [gate] if gate is not None else []],
                         result_types=[_element(buffer.type)])

    def verify_(self) -> None:
        if _element(self.buffer.type) != self.result.type:
            raise VerifyException(f"c.load: buffer of {_element(self.buffer.type)} read as {self.result.type}")


@irdl_op_definition
class StoreOp(IRDLOperation):
    """`buf[i] = value;`; gated: `if (gate) buf[i] = value;`."""

    name = "c.store"
    buffer = operand_def(AnyAttr())
    index = operand_def(i32)
    value = operand_def(AnyAttr())
    gate = opt_operand_def(i1)
    assembly_format = "$buffer `[` $index `]` `,` $value (`if` $gate^)? attr-dict `:` type($buffer) `,` type($value)"

    def __init__(self, buffer: SSAValue, index: SSAValue, value: SSAValue, gate: SSAValue | None = None) -> None:
        super().__init__(operands=[buffer, index, value, [gate] if gate is not None else []])

    def verify_(self) -> None:
        if _element(self.buffer.type) != self.value.type:
            raise VerifyException(f"c.store: buffer of {_element(self.buffer.type)} written with {self.value.type}")


@irdl_op_definition
class CallOp(IRDLOperation):
    """`T v = NAME_TYPES(args);`: one of the helpers in `HELPERS`."""

    name = "c.call"
    callee = prop_def(StringAttr)
    args = var_operand_def(AnyAttr())
    result = result_def(AnyAttr())
    traits = traits_def(Pure())
    assembly_format = "$callee `(` $args `)` attr-dict `:` functional-type($args, $result)"

    def __init__(self, callee: str, args: Sequence[SSAValue], result_type: Attribute) -> None:
        super().__init__(operands=[args], result_types=[result_type], properties={"callee": StringAttr(callee)})

    def verify_(self) -> None:
        name = self.callee.data
        if name not in HELPERS:
            raise VerifyException(f"c.call: unknown helper '{name}' (known: {', '.join(HELPERS)})")
        if len(self.args) != HELPERS[name]:
            raise VerifyException(f"c.call: '{name}' takes {HELPERS[name]} argument(s), got {len(self.args)}")
        for t in (*(a.type for a in self.args), self.result.type):
            if t not in SCALAR_TYPES:
                raise VerifyException(f"c.call: {t} is not a C scalar type of tinyir")


C = Dialect("c", [KernelOp, ForOp, EndForOp, VarOp, ConstOp, AssignOp, LoadOp, StoreOp, CallOp])

__all__ = ["C", "KernelOp", "CallOp", "HELPERS", "SCALAR_TYPES"]
