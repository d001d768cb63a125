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

import re
from collections.abc import Sequence
from typing import ClassVar

from xdsl.dialects.builtin import ArrayAttr, IntAttr, StringAttr, bf16, f16, f32, f64, i1, i8, i16, i32, i64
from xdsl.ir import Attribute, Dialect, Region, SSAValue
from xdsl.irdl import AnyAttr, IRDLOperation, irdl_op_definition, prop_def, result_def, traits_def, var_operand_def
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

from tinyir.dialects.uop import buffer_element_type
from tinyir.element_types import ui8, ui16, ui32, ui64
from tinyir.targets.clike import ops as base

# The scalar types -> their C99 spelling; buffers of bool hold bytes.
C_TYPES: dict[Attribute, str] = {f32: "float", f16: "_Float16", i32: "int32_t", i8: "int8_t", ui8: "uint8_t", i1: "bool",
                                 f64: "double", i64: "int64_t", i16: "int16_t", ui64: "uint64_t", ui32: "uint32_t",
                                 ui16: "uint16_t", bf16: "uint16_t"}  # DTYPES: bf16 as its bits (uop-emulate-bf16)
STORAGE_TYPES: dict[Attribute, str] = {**C_TYPES, i1: "uint8_t"}
SCALAR_TYPES: tuple[Attribute, ...] = tuple(C_TYPES)
SCALARS = base.ScalarTypes(C_TYPES, (f32, f16, f64), wrong_type="{op}: {type} is not a C scalar type of tinyir")

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


@irdl_op_definition
class KernelOp(base.KernelBase):
    """`void NAME(T* data0, const T* data1, ...)`: runs once, looping over its own grid."""

    name = "c.kernel"
    grid = prop_def(ArrayAttr[IntAttr])

    # c.kernel "k0" grid [4, 2] (%o, %a) : T0, T1 attributes {...} { ^bb0(...): ... }
    @classmethod
    def parse(cls, parser: Parser) -> KernelOp:
        name = parser.parse_str_literal()
        parser.parse_keyword("grid")
        grid = parser.parse_comma_separated_list(parser.Delimiter.SQUARE, parser.parse_integer)
        buffers = cls.parse_buffers(parser)
        return cls.parse_body(parser, lambda body: cls(name, grid, buffers, body))  # type: ignore[return-value]

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_string_literal(self.kernel_name.data)
        printer.print_string(f" grid [{', '.join(str(g.data) for g in self.grid)}]")
        self.print_buffers_and_body(printer)

    def __init__(self, name: str, grid: Sequence[int], buffers: Sequence[SSAValue], body: Region) -> None:
        super().__init__(operands=[buffers], regions=[body], properties={
            "kernel_name": StringAttr(name), "grid": base.grid_attr(grid)})

    def verify_(self) -> None:
        if not _IDENTIFIER.match(self.kernel_name.data):
            raise VerifyException(f"c.kernel: '{self.kernel_name.data}' is not a C identifier")
        self.verify_mirrored_buffers("block arguments must mirror the buffer operand types")
        for arg in self.body.block.args:
            _element(arg.type)
        self.verify_own_ops("c")


@irdl_op_definition
class ForOp(base.LoopBase):
    """`for (int32_t i = lower; i < upper; i++) {`; the result is the loop index."""

    name = "c.for"

    def verify_(self) -> None:
        if self.upper.data <= self.lower.data:
            raise VerifyException(f"c.for: empty loop {self.lower.data} to {self.upper.data}")


@irdl_op_definition
class EndForOp(base.EndLoopBase):
    """`}`, closing the loop of `%i`."""

    name = "c.endfor"
    LOOP: ClassVar = ForOp
    NOT_A_LOOP: ClassVar[str] = "operand must be a c.for result"


@irdl_op_definition
class VarOp(base.LiteralBase):
    """`T acc = init;`: a register; each use reads its current value."""

    name = "c.var"
    TYPES: ClassVar = SCALARS
    ATTR_DICT: ClassVar[bool] = False


@irdl_op_definition
class ConstOp(base.LiteralBase):
    """A constant, printed inline."""

    name = "c.const"
    TYPES: ClassVar = SCALARS
    ATTR_DICT: ClassVar[bool] = False
    traits = traits_def(Pure())


@irdl_op_definition
class AssignOp(base.AssignBase):
    """`acc = value;`."""

    name = "c.assign"
    VAR: ClassVar = VarOp
    NOT_A_VAR: ClassVar[str] = "target must be a c.var result"


@irdl_op_definition
class LoadOp(base.LoadBase):
    """`T v = buf[i];`; gated: `T v = gate ? buf[i] : 0;` (not read when false)."""

    name = "c.load"  # INDEX64: text as base.LOAD_FORMAT/STORE_FORMAT, printed by the base op
    result_type = staticmethod(_element)

    def verify_(self) -> None:
        if _element(self.buffer.type) != self.result.type:
            raise VerifyException(f"c.load: buffer of {_element(self.buffer.type)} read as {self.result.type}")


@irdl_op_definition
class StoreOp(base.StoreBase):
    """`buf[i] = value;`; gated: `if (gate) buf[i] = value;`."""

    name = "c.store"  # INDEX64: text as base.LOAD_FORMAT/STORE_FORMAT, printed by the base op

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
            SCALARS.check(self, "a value", t)


C = Dialect("c", [KernelOp, ForOp, EndForOp, VarOp, ConstOp, AssignOp, LoadOp, StoreOp, CallOp])

__all__ = ["C", "KernelOp", "CallOp", "HELPERS", "SCALAR_TYPES"]
