"""The micro-op level `uop` (docs/ir.md section 4): a linear list of scalar ops per kernel.

A `uop.kernel` body is executed once per point of its `uop.special` index space; inside it,
`uop.range`/`uop.endrange` bracket loops and `uop.define_acc`/`uop.assign` are mutable registers.
Everything else is a pure scalar op. The ALU ops are made by three family factories below, one line
per op, so the op set reads like the table in docs/ir.md.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import ClassVar

from xdsl.dialects.builtin import (
    I64,
    BFloat16Type,
    Float16Type,
    Float64Type,
    Float32Type,
    FloatAttr,
    IntegerAttr,
    IntegerType,
    Signedness,
    StringAttr,
    UnitAttr,
    f16,
    f32,
    i1,
    i32,
    i64,
)
from xdsl.ir import Attribute, Block, BlockArgument, Dialect, Operation, OpResult, SSAValue
from xdsl.irdl import (
    AnyAttr,
    AnyOf,
    AttrSizedOperandSegments,
    IRDLOperation,
    VarConstraint,
    base,
    irdl_op_definition,
    operand_def,
    opt_operand_def,
    opt_prop_def,
    prop_def,
    result_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import Commutative, Pure
from xdsl.utils.exceptions import VerifyException

from tinyir import alu
from tinyir.dialects.kernel_base import IsolatedKernelBase
from tinyir.dialects.shapetracker import BufferType
from tinyir.element_types import ELEMENT_TYPES, TYPE_NAMES, bit_width, is_float

# Scalar element types; the exact set (ELEMENT_TYPES) is checked by `_scalar_type` in verifiers.
#: INDEX64: a load/store index is i32, or i64 in a kernel whose indices pass 2**31 - 1 (the verifier's check)
INDEX_TYPES = base(IntegerType)
SCALAR = AnyOf([base(IntegerType), base(Float32Type), base(Float16Type), base(Float64Type), base(BFloat16Type)])


# ---------------------------------------------------------------------------------------------
# Helpers shared with `loop.kernel`: the kernel op shape and buffer operand checks.


def buffer_element_type(t: Attribute) -> Attribute | None:
    """Element type of an `!st.buffer<...>`, or None if `t` is not a buffer type."""
    return t.element_type if isinstance(t, BufferType) else None


class KernelBase(IsolatedKernelBase):
    """The buffer checks of `uop.kernel` and `loop.kernel`: operand 0 is written."""

    def verify_(self) -> None:
        if not self.buffers:
            raise VerifyException(f"{self.name} needs at least one buffer (the output)")
        for i, v in enumerate(self.buffers):
            if buffer_element_type(v.type) is None:
                raise VerifyException(f"{self.name} operand {i} must be an !st.buffer, got {v.type}")
        args = self.body.block.args
        if [a.type for a in args] != [v.type for v in self.buffers]:
            raise VerifyException(f"{self.name} block arguments must mirror the operand types")


# ---------------------------------------------------------------------------------------------
# Kernel structure: kernel, special, range, endrange, define_acc, assign, load, store, const.


@irdl_op_definition
class KernelOp(KernelBase):
    """A kernel as a linear list of micro-ops, run once per point of its special indices."""

    name = "uop.kernel"

    def verify_(self) -> None:
        super().verify_()
        _verify_linear_body(self)


def _name(v: SSAValue) -> str:
    return f"%{v.name_hint}" if v.name_hint else "a value"


def _verify_linear_body(kernel: KernelOp) -> None:
    """Only uop ops; ranges nest properly, each ends once, and no value defined in a range escapes it;
    work-group ops only in a wgid/lidx kernel: define_local at the top level, barrier anywhere (a
    uop.range has constant bounds and nothing is conditional, so every work-item reaches a barrier
    inside loops equally often)."""
    _verify_specials(kernel)
    open_ranges: list[RangeOp] = []
    depth_of: dict[SSAValue, int] = {}  # value -> number of ranges open at its definition
    closed: set[SSAValue] = set()
    for op in kernel.body.block.ops:
        if op.dialect_name() != "uop":
            raise VerifyException(f"uop.kernel body holds only uop ops, found {op.name}")
        for operand in op.operands:
            if operand in closed:
                raise VerifyException(f"{op.name} uses {_name(operand)}, defined inside an ended uop.range "
                                      "(only accumulators carry values out of a loop)")
        if isinstance(op, RangeOp):
            open_ranges.append(op)
        elif isinstance(op, EndRangeOp):
            if not open_ranges or open_ranges[-1].result is not op.range:
                inner = _name(open_ranges[-1].result) if open_ranges else "none"
                raise VerifyException(f"uop.endrange {_name(op.range)} must end the innermost open uop.range "
                                      f"(that is {inner})")
            depth = len(open_ranges)
            open_ranges.pop()
            closed.update(v for v, d in depth_of.items() if d >= depth)
            depth_of = {v: d for v, d in depth_of.items() if d < depth}
        elif isinstance(op, SpecialOp | DefineLocalOp) and open_ranges:
            raise VerifyException(f"{op.name} must not be inside a uop.range")
        for r in op.results:
            depth_of[r] = len(open_ranges)
    if open_ranges:
        raise VerifyException(f"uop.range {_name(open_ranges[-1].result)} has no matching uop.endrange")


def _verify_specials(kernel: KernelOp) -> None:
    """A kernel indexes either by `gidx` only (the target picks the work-group) or by `wgid`/`lidx` only
    (explicit work-groups, exact launch); local memory and barriers exist only in the latter."""
    sizes: dict[str, int] = {}
    for op in kernel.body.block.ops:
        if isinstance(op, SpecialOp):
            name, size = op.dim.data, op.size.value.data
            if sizes.setdefault(name, size) != size:
                raise VerifyException(f'uop.special "{name}" has two sizes, {sizes[name]} and {size}')
    kinds = {special_kind(name) for name in sizes}
    if "gidx" in kinds and kinds & set(WORKGROUP_SPECIALS):
        raise VerifyException("uop.kernel mixes gidx with wgid/lidx specials (use one or the other)")
    if not kinds & set(WORKGROUP_SPECIALS):
        for op in kernel.body.block.ops:
            if isinstance(op, DefineLocalOp | BarrierOp):
                raise VerifyException(f"{op.name} needs a work-group kernel (wgid/lidx specials)")


def special_kind(name: str) -> str:
    """`gidx`, `wgid` or `lidx` of a special name such as `lidx1`."""
    return name[:4]


def special_dim(name: str) -> int:
    """The launch dimension of a special name (`lidx1` -> 1; 0 is the fastest, x)."""
    return int(name[4:])


def is_workgroup_kernel(kernel: Operation) -> bool:
    """Whether `kernel` (a uop.kernel) indexes by explicit work-groups (`wgid`/`lidx` specials)."""
    return any(isinstance(op, SpecialOp) and special_kind(op.dim.data) in WORKGROUP_SPECIALS
               for op in kernel.regions[0].block.ops)


def launch_shape(kernel: Operation) -> tuple[list[int], list[int]]:
    """(grid, group) of a wgid/lidx kernel, 3 entries each: grid[d] = size of wgid<d>, group[d] = size
    of lidx<d>, 1 where absent (the contract in docs/ir.md section 4)."""
    grid, group = [1, 1, 1], [1, 1, 1]
    for op in kernel.regions[0].block.ops:
        if isinstance(op, SpecialOp) and special_kind(op.dim.data) in WORKGROUP_SPECIALS:
            target = grid if special_kind(op.dim.data) == "wgid" else group
            target[special_dim(op.dim.data)] = op.size.value.data
    return grid, group


def workgroup_launch(kernel: Operation) -> tuple[list[int], list[int]] | None:
    """(global size in work-items, work-group size), 3 entries each, of a wgid/lidx kernel (exact:
    global = grid * group, OpenCL's convention); None for a gidx kernel (the target picks the group)."""
    if not is_workgroup_kernel(kernel):
        return None
    grid, group = launch_shape(kernel)
    return [g * n for g, n in zip(grid, group)], group


def _check_element_type(op: Operation, t: Attribute) -> None:
    if t not in ELEMENT_TYPES:
        raise VerifyException(f"{op.name}: {t} is not a tinyir element type ({TYPE_NAMES})")


def _index_type(op: Operation, value: SSAValue, what: str) -> None:
    if value.type not in (i32, i64):  # INDEX64: i64 in a kernel whose indices pass 2**31 - 1
        raise VerifyException(f"{op.name} {what} must be i32 or i64, got {value.type}")


def _gate_type(op: Operation, value: SSAValue | None) -> None:
    if value is not None and value.type != i1:
        raise VerifyException(f"{op.name} gate must be i1, got {value.type}")


#: Special kinds: global ids (the target picks the work-group), and the explicit work-group pair.
SPECIAL_KINDS = ("gidx", "wgid", "lidx")
WORKGROUP_SPECIALS = ("wgid", "lidx")


@irdl_op_definition
class SpecialOp(IRDLOperation):
    """A hardware index along launch dim d (0 is the fastest, x): `gidx<d>` (global work-item id),
    `wgid<d>` (work-group id) or `lidx<d>` (id inside the work-group)."""

    name = "uop.special"
    dim = prop_def(StringAttr)
    size = prop_def(IntegerAttr[I64])
    result = result_def(i32)
    assembly_format = "$dim $size attr-dict `:` type($result)"

    def __init__(self, dim: str, size: int):
        super().__init__(result_types=[i32], properties={"dim": StringAttr(dim), "size": IntegerAttr(size, i64)})

    def verify_(self) -> None:
        d = self.dim.data
        if not (special_kind(d) in SPECIAL_KINDS and d[4:].isdigit()):
            raise VerifyException(f'uop.special name must be "gidx<n>", "wgid<n>" or "lidx<n>", got "{d}"')
        if special_kind(d) in WORKGROUP_SPECIALS and special_dim(d) > 2:
            raise VerifyException(f'uop.special "{d}": work-groups have 3 dims (0, 1, 2)')
        if self.size.value.data < 1:
            raise VerifyException(f"uop.special size must be positive, got {self.size.value.data}")


@irdl_op_definition
class RangeOp(IRDLOperation):
    """Begins a loop: the result runs from `start` to `end` - 1."""

    name = "uop.range"
    start = prop_def(IntegerAttr[I64])
    end = prop_def(IntegerAttr[I64])
    result = result_def(i32)
    assembly_format = "$start `,` $end attr-dict `:` type($result)"

    def __init__(self, start: int, end: int):
        super().__init__(result_types=[i32], properties={"start": IntegerAttr(start, i64), "end": IntegerAttr(end, i64)})

    def verify_(self) -> None:
        if self.end.value.data <= self.start.value.data:
            raise VerifyException(f"uop.range must not be empty, got {self.start.value.data}..{self.end.value.data}")


@irdl_op_definition
class EndRangeOp(IRDLOperation):
    """Ends the loop begun by its operand."""

    name = "uop.endrange"
    range = operand_def(i32)
    assembly_format = "$range attr-dict"

    def __init__(self, range_: SSAValue):
        super().__init__(operands=[range_])

    def verify_(self) -> None:
        if not isinstance(self.range.owner, RangeOp):
            raise VerifyException("uop.endrange operand must be a uop.range result")


@irdl_op_definition
class DefineLocalOp(IRDLOperation):
    """Work-group shared memory of the result's size (a 1-D buffer); one per work-group, shared by
    its work-items; loads/stores on it reach local memory."""

    name = "uop.define_local"
    result = result_def(base(BufferType))
    assembly_format = "attr-dict `:` type($result)"

    def __init__(self, size: int, element: Attribute):
        super().__init__(result_types=[BufferType([size], element)])

    def verify_(self) -> None:
        t = self.result.type
        assert isinstance(t, BufferType)
        if len(t.shape) != 1 or t.size() < 1:
            raise VerifyException(f"uop.define_local needs a 1-D non-empty buffer type, got {t}")
        _check_element_type(self, t.element_type)
        if not isinstance(self.parent_op(), KernelOp):
            raise VerifyException("uop.define_local must be directly in a uop.kernel body")


@irdl_op_definition
class BarrierOp(IRDLOperation):
    """Work-group barrier with a local-memory fence: local stores before it are seen by every
    work-item of the group after it. Every work-item must reach it: it is directly in the kernel body,
    at the top level or inside uop.range loops (uniform: constant bounds), never conditional."""

    name = "uop.barrier"
    assembly_format = "attr-dict"

    def __init__(self):
        super().__init__()

    def verify_(self) -> None:
        if not isinstance(self.parent_op(), KernelOp):
            raise VerifyException("uop.barrier must be directly in a uop.kernel body")


def parse_literal(parser: Parser, signed_nan: bool = False) -> float | int | bool:
    """A literal for const/define_acc: integer, float, true/false, inf/-inf/nan.

    `-nan` is a NaN with the sign bit set if `signed_nan`, else the plain NaN.
    """
    if parser.parse_optional_keyword("true") is not None:
        return True
    if parser.parse_optional_keyword("false") is not None:
        return False
    negative = parser.parse_optional_punctuation("-") is not None
    for word in ("inf", "nan"):
        if parser.parse_optional_keyword(word) is not None:
            return -float(word) if negative and (word == "inf" or signed_nan) else float(word)
    number = parser.parse_number()
    return -number if negative else number


_VALUE_TYPES = frozenset((OpResult, BlockArgument))


def _value(v: SSAValue | Operation) -> SSAValue:
    """An operand as the IRDL builder takes it: a value, or an op of one result (UOP-INIT)."""
    return v if type(v) in _VALUE_TYPES else SSAValue.get(v)


def scalar_attr(value: float | int | bool, type_: Attribute) -> Attribute:
    """`value` as the IntegerAttr/FloatAttr of scalar type `type_` (ints wrap to the type).

    Attributes are immutable, so an int or bool's is made once per (value, type): the lowering
    builds thousands of index constants and xDSL verifies each new attribute. (Floats are not
    remembered: 0.0 and -0.0 are equal keys.)"""
    kind = type(value)
    if kind is int or kind is bool:
        return _int_scalar_attr(kind, value, type_)
    return _scalar_attr(value, type_)


@functools.lru_cache(maxsize=8192)
def _int_scalar_attr(kind: type, value: int | bool, type_: Attribute) -> Attribute:
    return _scalar_attr(value, type_)  # `kind` keys True and 1 apart


def _scalar_attr(value: float | int | bool, type_: Attribute) -> Attribute:
    if is_float(type_):
        return FloatAttr(float(value), type_)  # type: ignore[arg-type]
    assert isinstance(type_, IntegerType)
    bits = type_.width.data
    v = int(value) & ((1 << bits) - 1)
    if type_.signedness.data != Signedness.UNSIGNED and bits > 1 and v >= 1 << (bits - 1):
        v -= 1 << bits
    return IntegerAttr(v, type_)


def literal_value(attr: Attribute) -> float | int | bool:
    """The Python value of a const/define_acc attribute (bool for i1)."""
    if isinstance(attr, FloatAttr):
        return attr.value.data
    assert isinstance(attr, IntegerAttr)
    v = attr.value.data
    return bool(v) if attr.type == i1 else v


def print_literal(printer: Printer, attr: Attribute) -> None:
    v = literal_value(attr)
    if isinstance(v, bool):
        printer.print_string("true" if v else "false")
    elif isinstance(v, float) and not math.isfinite(v):
        printer.print_string("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf"))
    else:
        printer.print_string(repr(v))


class _LiteralOp(IRDLOperation):
    """Shared syntax of const and define_acc: `NAME <literal> attr-dict : type`."""

    value = prop_def(AnyAttr())
    result = result_def(SCALAR)

    def __init__(self, value: float | int | bool, type_: Attribute):
        # UOP-INIT: ops of fixed operands and results go straight through Operation.__init__ (the
        # IRDL builder's argument-list checks say nothing for them; a big program's index math
        # makes tens of thousands)
        Operation.__init__(self, result_types=[type_], properties={"value": scalar_attr(value, type_)})

    @classmethod
    def parse(cls, parser: Parser) -> _LiteralOp:
        start = parser.pos
        literal = parse_literal(parser)
        end = parser.pos
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        type_ = parser.parse_type()
        if isinstance(literal, float) and not is_float(type_):
            parser.raise_error(f"float literal {literal} for non-float type {type_}", start, end)
        op = cls(literal, type_)
        op.attributes.update(attrs)
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        print_literal(printer, self.value)
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        printer.print_attribute(self.result.type)

    def verify_(self) -> None:
        t = self.result.type
        _check_element_type(self, t)
        if not isinstance(self.value, (IntegerAttr, FloatAttr)) or self.value.type != t:
            raise VerifyException(f"{self.name} value {self.value} does not match result type {t}")


@irdl_op_definition
class ConstOp(_LiteralOp):
    """A scalar constant."""

    name = "uop.const"
    traits = traits_def(Pure())


@irdl_op_definition
class DefineAccOp(_LiteralOp):
    """A mutable register, initialised to `value`; each use reads its current value."""

    name = "uop.define_acc"


@irdl_op_definition
class AssignOp(IRDLOperation):
    """Writes `value` into the accumulator `acc`."""

    name = "uop.assign"
    T: ClassVar = VarConstraint("T", SCALAR)
    acc = operand_def(T)
    value = operand_def(T)
    assembly_format = "$acc `,` $value attr-dict `:` type($value)"

    def __init__(self, acc: SSAValue, value: SSAValue):
        super().__init__(operands=[acc, value])

    def verify_(self) -> None:
        if not isinstance(self.acc.owner, DefineAccOp):
            raise VerifyException("uop.assign target must be a uop.define_acc result")


def _parse_buffer(parser: Parser) -> SSAValue:
    """A buffer operand; its type is not spelled out (`%x[%i]`), so it must be defined already
    (kernel bodies only access their block arguments and earlier define_local results, which are)."""
    operand = parser.parse_unresolved_operand()
    found = parser.ssa_values.get(operand.operand_name)
    if found is None or operand.index >= len(found):
        parser.raise_error(f"buffer %{operand.operand_name} must be defined before its use", operand.span)
    return found[operand.index]


def _parse_buffer_access(parser: Parser) -> tuple[SSAValue, SSAValue]:
    """`%buf[%idx]`."""
    buffer = _parse_buffer(parser)
    parser.parse_punctuation("[")
    unresolved = parser.parse_unresolved_operand()
    index_type = parser.parse_type() if parser.parse_optional_punctuation(":") else i32  # INDEX64: `[%i : i64]`
    index = parser.resolve_operand(unresolved, index_type)
    parser.parse_punctuation("]")
    return buffer, index


def _print_access(printer: Printer, op: Operation, values: Sequence[SSAValue] = (), gate_sep: str = ", ") -> None:
    """` %buf[%idx]`, then `, values` (stores), the gate and the attributes: the common head of
    load, store, vload and vstore."""
    printer.print_string(" ")
    printer.print_ssa_value(op.buffer)
    printer.print_string("[")
    printer.print_ssa_value(op.index)
    if op.index.type != i32:  # INDEX64: an i64 index says so
        printer.print_string(" : ")
        printer.print_attribute(op.index.type)
    printer.print_string("]")
    if values:
        printer.print_string(", ")
        printer.print_list(values, printer.print_ssa_value)
    if op.gate is not None:
        printer.print_string(gate_sep)
        printer.print_ssa_value(op.gate)
    printer.print_op_attributes(op.attributes)


def is_local_buffer(buffer: SSAValue) -> bool:
    """Whether a load/store buffer operand is work-group local memory (a define_local result)."""
    return isinstance(buffer.owner, DefineLocalOp)


def _verify_buffer_access(op: Operation, buffer: SSAValue, index: SSAValue, value_type: Attribute) -> None:
    element = buffer_element_type(buffer.type)
    if element is None:
        raise VerifyException(f"{op.name} needs an !st.buffer operand, got {buffer.type}")
    if not (is_local_buffer(buffer) or isinstance(buffer.owner, Block)):
        raise VerifyException(f"{op.name} buffer must be a kernel argument or a uop.define_local result")
    _index_type(op, index, "index")
    if element != value_type:
        raise VerifyException(f"{op.name} value type {value_type} does not match buffer element type {element}")


@irdl_op_definition
class LoadOp(IRDLOperation):
    """`buffer[index]`; with a gate, reads 0 (and touches no memory) when the gate is false."""

    name = "uop.load"
    buffer = operand_def(AnyAttr())
    index = operand_def(INDEX_TYPES)  # INDEX64
    gate = opt_operand_def(i1)
    result = result_def(SCALAR)

    def __init__(self, buffer: SSAValue, index: SSAValue, gate: SSAValue | None = None):
        element = buffer_element_type(buffer.type)
        super().__init__(operands=[buffer, index, [gate] if gate else []], result_types=[element])

    @classmethod
    def parse(cls, parser: Parser) -> LoadOp:
        buffer, index = _parse_buffer_access(parser)
        rest = [parser.parse_operand(i1)] if parser.parse_optional_punctuation(",") else []
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        type_ = parser.parse_type()
        op = cls.create(operands=[buffer, index, *rest], result_types=[type_],
                        attributes=attrs)
        return op

    def print(self, printer: Printer) -> None:
        _print_access(printer, self)
        printer.print_string(" : ")
        printer.print_attribute(self.result.type)

    def verify_(self) -> None:
        _verify_buffer_access(self, self.buffer, self.index, self.result.type)
        _gate_type(self, self.gate)


@irdl_op_definition
class StoreOp(IRDLOperation):
    """`buffer[index] = value`, skipped when the optional gate is false."""

    name = "uop.store"
    buffer = operand_def(AnyAttr())
    index = operand_def(INDEX_TYPES)  # INDEX64
    value = operand_def(SCALAR)
    gate = opt_operand_def(i1)

    def __init__(self, buffer: SSAValue, index: SSAValue, value: SSAValue, gate: SSAValue | None = None):
        super().__init__(operands=[buffer, index, value, [gate] if gate else []])

    @classmethod
    def parse(cls, parser: Parser) -> StoreOp:
        buffer, index = _parse_buffer_access(parser)
        parser.parse_punctuation(",")
        value = parser.parse_unresolved_operand()
        gate = [parser.parse_operand(i1)] if parser.parse_optional_punctuation(",") else []
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        value_type = parser.parse_type()
        return cls.create(operands=[buffer, index, parser.resolve_operand(value, value_type), *gate],
                          attributes=attrs)

    def print(self, printer: Printer) -> None:
        _print_access(printer, self, [self.value])
        printer.print_string(" : ")
        printer.print_attribute(self.value.type)

    def verify_(self) -> None:
        _verify_buffer_access(self, self.buffer, self.index, self.value.type)
        _gate_type(self, self.gate)


#: lanes of a vector access (uop.vload / uop.vstore)
VECTOR_WIDTHS = (2, 4)


def _verify_lanes(op: Operation, types: Sequence[Attribute]) -> None:
    if len(types) not in VECTOR_WIDTHS:
        raise VerifyException(f"{op.name} needs {' or '.join(map(str, VECTOR_WIDTHS))} lanes, got {len(types)}")
    if len(set(types)) != 1:
        raise VerifyException(f"{op.name} lanes must have one type, got {', '.join(map(str, types))}")


@irdl_op_definition
class VLoadOp(IRDLOperation):
    """`%a, %b, %c, %d = uop.vload %buf[%idx] : 4 x f32`: lanes `buffer[index + k]`, k = 0 .. N-1
    (N in VECTOR_WIDTHS), as one access. `index` must be a multiple of N: targets emit aligned vector
    loads (buffers start at least 16-byte aligned). The verifier cannot check that; uop-vectorize, which
    makes these ops, proves it, and the interpreter checks it. With a gate, every lane reads 0 when the
    gate is false."""

    name = "uop.vload"
    buffer = operand_def(AnyAttr())
    index = operand_def(INDEX_TYPES)  # INDEX64
    gate = opt_operand_def(i1)
    lanes = var_result_def(SCALAR)

    def __init__(self, buffer: SSAValue, index: SSAValue, width: int, gate: SSAValue | None = None):
        element = buffer_element_type(buffer.type)
        super().__init__(operands=[buffer, index, [gate] if gate else []], result_types=[[element] * width])

    @classmethod
    def parse(cls, parser: Parser) -> VLoadOp:
        buffer, index = _parse_buffer_access(parser)
        rest = [parser.parse_operand(i1)] if parser.parse_optional_punctuation(",") else []
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        width = parser.parse_integer(allow_boolean=False, allow_negative=False)
        parser.parse_keyword("x")
        type_ = parser.parse_type()
        return cls.create(operands=[buffer, index, *rest], result_types=[type_] * width, attributes=attrs)

    def print(self, printer: Printer) -> None:
        _print_access(printer, self)
        printer.print_string(f" : {len(self.lanes)} x ")
        printer.print_attribute(self.lanes[0].type if self.lanes else i32)

    def verify_(self) -> None:
        _verify_lanes(self, [r.type for r in self.lanes])
        _verify_buffer_access(self, self.buffer, self.index, self.lanes[0].type)
        _gate_type(self, self.gate)


@irdl_op_definition
class VStoreOp(IRDLOperation):
    """`uop.vstore %buf[%idx], %a, %b if %gate : f32`: `buffer[index + k] = values[k]`, k = 0 .. N-1,
    as one access, skipped when the optional gate is false; `index` must be a multiple of N, as for
    uop.vload."""

    name = "uop.vstore"
    buffer = operand_def(AnyAttr())
    index = operand_def(INDEX_TYPES)  # INDEX64
    values = var_operand_def(SCALAR)
    gate = opt_operand_def(i1)
    irdl_options = (AttrSizedOperandSegments(as_property=True),)

    def __init__(self, buffer: SSAValue, index: SSAValue, values: Sequence[SSAValue], gate: SSAValue | None = None):
        super().__init__(operands=[buffer, index, list(values), [gate] if gate else []])

    @classmethod
    def parse(cls, parser: Parser) -> VStoreOp:
        buffer, index = _parse_buffer_access(parser)
        parser.parse_punctuation(",")
        values = parser.parse_comma_separated_list(parser.Delimiter.NONE, parser.parse_unresolved_operand)
        gate = [parser.parse_operand(i1)] if parser.parse_optional_keyword("if") is not None else []
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        value_type = parser.parse_type()
        op = cls(buffer, index, [parser.resolve_operand(v, value_type) for v in values], *gate)
        op.attributes.update(attrs)
        return op

    def print(self, printer: Printer) -> None:
        _print_access(printer, self, self.values, gate_sep=" if ")
        printer.print_string(" : ")
        printer.print_attribute(self.values[0].type if self.values else i32)

    def verify_(self) -> None:
        _verify_lanes(self, [v.type for v in self.values])
        _verify_buffer_access(self, self.buffer, self.index, self.values[0].type)
        _gate_type(self, self.gate)


@irdl_op_definition
class AsyncCopyOp(IRDLOperation):
    """`uop.async_copy %tile[%i], %src[%j] if %gate : 4 x f16`: starts copying N elements of global
    `src` from `j` into local `tile` at `i`, zeros where the optional gate is false (nothing is read
    then). The copy lands by a later `uop.async_wait`; until then the tile holds what it held.
    Copies between two `uop.async_commit`s form one group (tinyir/passes/async_copy.py)."""

    name = "uop.async_copy"
    tile = operand_def(AnyAttr())
    tile_index = operand_def(i32)
    source = operand_def(AnyAttr())
    source_index = operand_def(INDEX_TYPES)
    gate = opt_operand_def(i1)
    lanes = prop_def(IntegerAttr[I64])
    assembly_format = ("$tile `[` $tile_index `]` `,` $source `[` $source_index `:` type($source_index) `]` "
                       "(`if` $gate^)? attr-dict `:` $lanes `x` type($tile) `,` type($source)")

    def __init__(self, tile: SSAValue, tile_index: SSAValue, source: SSAValue, source_index: SSAValue, lanes: int,
                 gate: SSAValue | None = None):
        super().__init__(operands=[tile, tile_index, source, source_index, [gate] if gate else []],
                         properties={"lanes": IntegerAttr(lanes, 64)})

    def verify_(self) -> None:
        if not is_local_buffer(self.tile):
            raise VerifyException(f"{self.name} copies into a uop.define_local tile")
        if not isinstance(self.source.owner, Block):
            raise VerifyException(f"{self.name} copies from a kernel argument (global memory)")
        if buffer_element_type(self.tile.type) != buffer_element_type(self.source.type):
            raise VerifyException(f"{self.name}: tile and source element types differ")
        lanes = self.lanes.value.data
        wide = lanes == 8 and buffer_element_type(self.tile.type) in (f16, BFloat16Type())  # 16 bytes (cp.async's most)
        if lanes not in (1, *VECTOR_WIDTHS) and not wide:
            raise VerifyException(f"{self.name} copies 1, {' or '.join(map(str, VECTOR_WIDTHS))} elements "
                                  "(or 8 of 16 bits)")
        _gate_type(self, self.gate)


@irdl_op_definition
class AsyncCommitOp(IRDLOperation):
    """Closes the group of the `uop.async_copy`s issued since the last commit."""

    name = "uop.async_commit"
    assembly_format = "attr-dict"

    def __init__(self):
        super().__init__()


@irdl_op_definition
class AsyncWaitOp(IRDLOperation):
    """Waits until at most `pending` committed groups of this work-item's copies are still in flight
    (the older ones have landed). Other work-items' copies are seen after a `uop.barrier`."""

    name = "uop.async_wait"
    pending = prop_def(IntegerAttr[I64])
    assembly_format = "$pending attr-dict"

    def __init__(self, pending: int):
        super().__init__(properties={"pending": IntegerAttr(pending, 64)})


@irdl_op_definition
class MmaOp(IRDLOperation):
    """`D = A @ B + C` on one tile, by the matrix instruction `instruction` names (tinyir/tensor_cores.py),
    which the threads of a warp execute together: `a`, `b` and `c` are this thread's elements of the
    operands, `d` its elements of the result, each in the order of the instruction's layouts. Every
    thread of the warp must reach it with the same control flow (like a barrier, never conditional)."""

    name = "uop.mma"
    instruction = prop_def(StringAttr)
    a = var_operand_def(SCALAR)
    b = var_operand_def(SCALAR)
    c = var_operand_def(SCALAR)
    d = var_result_def(SCALAR)
    irdl_options = (AttrSizedOperandSegments(as_property=True),)
    assembly_format = ("$instruction `a` `(` $a `)` `b` `(` $b `)` `c` `(` $c `)` attr-dict "
                       "`:` `(` type($a) `)` `,` `(` type($b) `)` `,` `(` type($c) `)` `->` `(` type($d) `)`")

    def __init__(self, instruction: str, a: Sequence[SSAValue], b: Sequence[SSAValue], c: Sequence[SSAValue]):
        from tinyir.tensor_cores import INSTRUCTIONS

        acc = c[0].type if c else f32
        count = INSTRUCTIONS[instruction].c.elements if instruction in INSTRUCTIONS else len(c)
        super().__init__(operands=[a, b, c], result_types=[[acc] * count],
                         properties={"instruction": StringAttr(instruction)})

    @property
    def matrix_instruction(self):
        from tinyir.tensor_cores import INSTRUCTIONS

        return INSTRUCTIONS[self.instruction.data]

    def verify_(self) -> None:
        from tinyir.tensor_cores import INSTRUCTIONS

        name = self.instruction.data
        if name not in INSTRUCTIONS:
            raise VerifyException(f"uop.mma: unknown matrix instruction {name!r} (known: {', '.join(INSTRUCTIONS)})")
        mi = INSTRUCTIONS[name]
        # bf16 elements may be f32 registers holding bf16 values (after uop-emulate-bf16)
        types = {"f16": (f16,), "bf16": (BFloat16Type(), f32), "f32": (f32,)}
        for what, values, layout, ty in (("a", self.a, mi.a, mi.in_type), ("b", self.b, mi.b, mi.in_type),
                                         ("c", self.c, mi.c, mi.acc_type), ("d", self.d, mi.c, mi.acc_type)):
            if len(values) != layout.elements:
                raise VerifyException(f"uop.mma {name}: {what} needs {layout.elements} elements per thread, "
                                      f"got {len(values)}")
            if any(v.type not in types[ty] for v in values) or len({v.type for v in values}) > 1:
                raise VerifyException(f"uop.mma {name}: {what} elements must be {ty}")


@irdl_op_definition
class LdMatrixOp(IRDLOperation):
    """`%e0, ... = uop.ldmatrix %tile[%idx] x 4 trans : !st.buffer<..xf16> -> f16, ...` -- a warp loads `count` 8 x 8 blocks
    of 16-bit elements from local memory: lane 8j + r gives, as `idx`, where row r of block j starts
    (8 neighbouring elements); each lane gets two elements per block, (row lane / 4, columns
    2 (lane % 4) and + 1) of the block as stored, or with `trans` of its transpose. Results: block 0's
    pair, block 1's, ... (PTX `ldmatrix.sync.aligned.m8n8`; every lane of the warp reaches it)."""

    name = "uop.ldmatrix"
    buffer = operand_def(AnyAttr())
    index = operand_def(i32)
    count = prop_def(IntegerAttr)
    trans = opt_prop_def(UnitAttr)
    elements = var_result_def(SCALAR)
    assembly_format = "$buffer `[` $index `]` `x` $count (`trans` $trans^)? attr-dict `:` type($buffer) `->` type($elements)"

    def __init__(self, buffer: SSAValue, index: SSAValue, count: int, trans: bool):
        props: dict[str, Attribute] = {"count": IntegerAttr(count, i64)}
        if trans:
            props["trans"] = UnitAttr()
        super().__init__(operands=[buffer, index], result_types=[[buffer_element_type(buffer.type)] * (2 * count)],
                         properties=props)

    def verify_(self) -> None:
        count = self.count.value.data
        if count not in (1, 2, 4) or len(self.elements) != 2 * count:
            raise VerifyException(f"uop.ldmatrix: 1, 2 or 4 blocks of two elements per lane, got {count} "
                                  f"blocks and {len(self.elements)} results")
        if not isinstance(self.buffer.owner, DefineLocalOp):
            raise VerifyException("uop.ldmatrix reads local memory (a uop.define_local)")
        element = buffer_element_type(self.buffer.type)
        if element not in (f16, BFloat16Type()) or any(e.type != element for e in self.elements):
            raise VerifyException(f"uop.ldmatrix loads 16-bit floats of its buffer's type, got {element}")


@irdl_op_definition
class WgmmaOp(IRDLOperation):
    """`%d... = uop.wgmma "wgmma.m64n64k16.f16" a(%tileA, %descA) b(%tileB, %descB) c(%c...)` -- `D = A @ B + C`
    by a warpgroup (128 neighbouring threads, 4 warps) that reads A (m x k) and B (n x k, B transposed)
    from staged tiles in local memory through 64-bit matrix descriptors (tinyir/tensor_cores.py
    `SharedOperands`: start address >> 4 counted from the tile's start, leading and stride byte
    offsets, swizzle); `c` and `d` are this thread's accumulator elements in the order of the
    instruction's C layout. Every thread of the warpgroup reaches it with the same descriptors and
    control flow; the tiles' stores must be followed by a `uop.barrier` before it (PTX wgmma).
    `a_trans` / `b_trans`: that tile is MN-major (core-matrix rows along m / n: the instruction's
    transpose immediates), else K-major."""

    name = "uop.wgmma"
    instruction = prop_def(StringAttr)
    a_tile = operand_def(AnyAttr())
    a_desc = operand_def(i64)
    b_tile = operand_def(AnyAttr())
    b_desc = operand_def(i64)
    c = var_operand_def(SCALAR)
    d = var_result_def(SCALAR)
    a_trans = opt_prop_def(UnitAttr)
    b_trans = opt_prop_def(UnitAttr)
    #: its tiles are not overwritten until a chunk later (uop-async-copy WGMMA-IN-FLIGHT): the target
    #: may leave its group running while the next chunk's wgmmas issue
    in_flight = opt_prop_def(UnitAttr)
    assembly_format = ("$instruction `a` `(` $a_tile `,` $a_desc `)` (`trans` $a_trans^)? `b` `(` $b_tile `,` $b_desc `)` "
                       "(`trans` $b_trans^)? `c` `(` $c `)` (`in_flight` $in_flight^)? "
                       "attr-dict `:` type($a_tile) `,` type($b_tile) `,` `(` type($c) `)` `->` `(` type($d) `)`")

    def __init__(self, instruction: str, a_tile: SSAValue, a_desc: SSAValue, b_tile: SSAValue, b_desc: SSAValue,
                 c: Sequence[SSAValue], a_trans: bool = False, b_trans: bool = False):
        props: dict[str, Attribute] = {"instruction": StringAttr(instruction)}
        props.update({name: UnitAttr() for name, on in (("a_trans", a_trans), ("b_trans", b_trans)) if on})
        super().__init__(operands=[a_tile, a_desc, b_tile, b_desc, list(c)], result_types=[[f32] * len(c)],
                         properties=props)

    @property
    def matrix_instruction(self):
        from tinyir.tensor_cores import INSTRUCTIONS

        return INSTRUCTIONS[self.instruction.data]

    def with_c(self, c: Sequence[SSAValue]) -> WgmmaOp:
        op = WgmmaOp(self.instruction.data, self.a_tile, self.a_desc, self.b_tile, self.b_desc, c,
                     self.a_trans is not None, self.b_trans is not None)
        if self.in_flight is not None:
            op.properties["in_flight"] = UnitAttr()
        return op

    def verify_(self) -> None:
        from tinyir.tensor_cores import INSTRUCTIONS

        name = self.instruction.data
        mi = INSTRUCTIONS.get(name)
        if mi is None or mi.shared is None:
            known = ", ".join(n for n, i in INSTRUCTIONS.items() if i.shared is not None)
            raise VerifyException(f"uop.wgmma: {name!r} is not a shared-memory matrix instruction (known: {known})")
        if len(self.c) != mi.c.elements or len(self.d) != mi.c.elements:
            raise VerifyException(f"uop.wgmma {name}: c and d need {mi.c.elements} elements per thread, "
                                  f"got {len(self.c)} and {len(self.d)}")
        if any(v.type != f32 for v in (*self.c, *self.d)):
            raise VerifyException(f"uop.wgmma {name}: c and d elements must be f32")
        want = f16 if mi.in_type == "f16" else BFloat16Type()
        for what, tile in (("a", self.a_tile), ("b", self.b_tile)):
            if not isinstance(tile.owner, DefineLocalOp):
                raise VerifyException(f"uop.wgmma: {what} reads local memory (a uop.define_local)")
            if buffer_element_type(tile.type) != want:
                raise VerifyException(f"uop.wgmma {name}: the {what} tile must hold {mi.in_type}")


# ---------------------------------------------------------------------------------------------
# ALU: the tir elementwise set on scalars. Which element types each op accepts, its commutativity
# and its meaning come from the ALU table (tinyir/alu.py); `ALLOWED` is the op's dtype class there.


class AluOp(IRDLOperation):
    """Common base of every ALU micro-op; `ALLOWED` restricts the operand element type."""

    ALLOWED: ClassVar[alu.DTypeClass] = alu.ANY
    traits = traits_def(Pure())

    def verify_(self) -> None:
        for v in (*self.operands, *self.results):
            _check_element_type(self, v.type)
        t = self.operands[-1].type
        if not self.ALLOWED.accepts(t):
            raise VerifyException(f"{self.name} does not accept {t} operands (needs {self.ALLOWED.name})")


class UnaryOp(AluOp):
    T: ClassVar = VarConstraint("T", SCALAR)
    input = operand_def(T)
    result = result_def(T)
    assembly_format = "$input attr-dict `:` type($result)"

    def __init__(self, input: SSAValue):
        input = _value(input)
        Operation.__init__(self, operands=[input], result_types=[input.type])  # UOP-INIT


class BinaryOp(AluOp):
    T: ClassVar = VarConstraint("T", SCALAR)
    lhs = operand_def(T)
    rhs = operand_def(T)
    result = result_def(T)
    assembly_format = "$lhs `,` $rhs attr-dict `:` type($result)"

    def __init__(self, lhs: SSAValue, rhs: SSAValue):
        lhs = _value(lhs)
        Operation.__init__(self, operands=[lhs, _value(rhs)], result_types=[lhs.type])  # UOP-INIT


class CompareOp(AluOp):
    T: ClassVar = VarConstraint("T", SCALAR)
    lhs = operand_def(T)
    rhs = operand_def(T)
    result = result_def(i1)
    assembly_format = "$lhs `,` $rhs attr-dict `:` type($lhs)"

    def __init__(self, lhs: SSAValue, rhs: SSAValue):
        Operation.__init__(self, operands=[_value(lhs), _value(rhs)], result_types=[i1])  # UOP-INIT


def _family(base: type[AluOp], op: str) -> type[AluOp]:
    """Define `uop.<op>` as a subclass of `base`, with its row of the ALU table (one line per op)."""
    row = alu.ALU[op]
    body: dict[str, object] = {"name": f"uop.{op}", "ALLOWED": row.uop_dtypes, "__doc__": row.doc,
                               "__module__": __name__, "__annotations__": {"ALLOWED": ClassVar[alu.DTypeClass]}}
    if row.commutative:
        body["traits"] = traits_def(Pure(), Commutative())
    cls = type(op.capitalize() + "Op", (base,), body)
    return irdl_op_definition(cls)


NegOp = _family(UnaryOp, "neg")
Exp2Op = _family(UnaryOp, "exp2")
Log2Op = _family(UnaryOp, "log2")
SinOp = _family(UnaryOp, "sin")
SqrtOp = _family(UnaryOp, "sqrt")
RecipOp = _family(UnaryOp, "recip")

AddOp = _family(BinaryOp, "add")
MulOp = _family(BinaryOp, "mul")
MaxOp = _family(BinaryOp, "max")
IdivOp = _family(BinaryOp, "idiv")
ModOp = _family(BinaryOp, "mod")
FmodOp = _family(BinaryOp, "fmod")
AndOp = _family(BinaryOp, "and")
OrOp = _family(BinaryOp, "or")
XorOp = _family(BinaryOp, "xor")
ShlOp = _family(BinaryOp, "shl")
ShrOp = _family(BinaryOp, "shr")

CmpltOp = _family(CompareOp, "cmplt")
CmpneOp = _family(CompareOp, "cmpne")


@irdl_op_definition
class WhereOp(AluOp):
    """`cond ? if_true : if_false`."""

    name = "uop.where"
    T: ClassVar = VarConstraint("T", SCALAR)
    cond = operand_def(i1)
    if_true = operand_def(T)
    if_false = operand_def(T)
    result = result_def(T)
    assembly_format = "$cond `,` $if_true `,` $if_false attr-dict `:` type($result)"

    def __init__(self, cond: SSAValue, if_true: SSAValue, if_false: SSAValue):
        if_true = _value(if_true)
        Operation.__init__(self, operands=[_value(cond), if_true, _value(if_false)],  # UOP-INIT
                           result_types=[if_true.type])


class _ConvertOp(AluOp):
    input = operand_def(SCALAR)
    result = result_def(SCALAR)
    assembly_format = "$input attr-dict `:` type($input) `to` type($result)"

    def __init__(self, input: SSAValue, to: Attribute):
        Operation.__init__(self, operands=[_value(input)], result_types=[to])  # UOP-INIT


@irdl_op_definition
class CastOp(_ConvertOp):
    """Value conversion (float->int truncates, ->i1 is != 0)."""

    name = "uop.cast"


@irdl_op_definition
class BitcastOp(_ConvertOp):
    """Reinterpret the bits (same width)."""

    name = "uop.bitcast"

    def verify_(self) -> None:
        a, b = self.input.type, self.result.type
        if bit_width(a) != bit_width(b):
            raise VerifyException(f"uop.bitcast needs equal bit widths, got {a} and {b}")


# ---------------------------------------------------------------------------------------------
# Op sets, used by passes and targets.

UOP_UNARY: frozenset[type[Operation]] = frozenset({NegOp, Exp2Op, Log2Op, SinOp, SqrtOp, RecipOp})
UOP_BINARY: frozenset[type[Operation]] = frozenset(
    {AddOp, MulOp, MaxOp, IdivOp, ModOp, FmodOp, AndOp, OrOp, XorOp, ShlOp, ShrOp})
UOP_COMPARE: frozenset[type[Operation]] = frozenset({CmpltOp, CmpneOp})
UOP_ALU: frozenset[type[Operation]] = UOP_UNARY | UOP_BINARY | UOP_COMPARE | {WhereOp, CastOp, BitcastOp}
#: Ops without effects: CSE may merge them (unless they read an accumulator), DCE may drop them.
#: Loads are pure too (they only read); define_acc/assign/store/range/endrange/special are not, nor are
#: define_local (each is its own memory) and barrier. vload/vstore come after uop-simplify (uop-vectorize).
PURE_UOPS: frozenset[type[Operation]] = UOP_ALU | {ConstOp, LoadOp, MmaOp, LdMatrixOp, WgmmaOp}
#: ALU op class by its short name ("add" -> AddOp), for lowerings that map tir/loop names.
ALU_BY_NAME: dict[str, type[Operation]] = {cls.name.split(".", 1)[1]: cls for cls in UOP_ALU}


def reads_accumulator(op: Operation) -> bool:
    """Whether `op` reads a `uop.define_acc` register directly (its value changes over time)."""
    return any(isinstance(v.owner, DefineAccOp) for v in op.operands)


UOP = Dialect(
    "uop",
    [KernelOp, SpecialOp, RangeOp, EndRangeOp, DefineLocalOp, BarrierOp, DefineAccOp, AssignOp, ConstOp, LoadOp,
     StoreOp, VLoadOp, VStoreOp, AsyncCopyOp, AsyncCommitOp, AsyncWaitOp, MmaOp, LdMatrixOp, WgmmaOp,
     *sorted(UOP_ALU, key=lambda c: c.name)],
    [],
)
