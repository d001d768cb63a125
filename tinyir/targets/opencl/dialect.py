"""The `ocl` dialect: OpenCL C kernels as IR, one op per C statement or expression.

A kernel is a straight-line list of ops (no nested regions besides the kernel's own): loops are
bracketed by `ocl.for` / `ocl.endfor`, accumulators are `ocl.var` registers written by
`ocl.assign`. Values are C scalars: `f32` float, `f16` half, `i32` int, `ui32` uint, `i8` char,
`ui8` uchar, `i1` bool, `f64` double, `i64`/`ui64` long/ulong, `i16`/`ui16` short/ushort, and `bf16`
as its 16 bits in a ushort (only loaded, stored and bitcast: uop-emulate-bf16). Without cl_khr_fp16, f16 is a storage type only: `ocl.load_half` /
`ocl.store_half` (vload_half / vstore_half_rte) move f16 buffer elements to and from f32 values,
and `ocl.round_half` rounds a float to f16 precision. Kernel parameters are `!st.buffer<...>` values, printed as `__global T*`
(bool buffers are stored as `uchar`, one byte per element, like numpy). A kernel with a `local`
size runs in exactly those work-groups: `ocl.get_group_id` / `ocl.get_local_id`, `__local` arrays
(`ocl.local_array`, accessed by the same loads and stores) and `ocl.barrier`.

    ocl.kernel "k0" global [16] (%o, %a) : !st.buffer<16xf32>, !st.buffer<16xf32> {
    ^bb0(%out: !st.buffer<16xf32>, %in: !st.buffer<16xf32>):
      %g = ocl.get_global_id 0 : i32
      %v = ocl.load %in[%g] : f32
      %w = ocl.call "exp2"(%v) : f32
      ocl.store %out[%g], %w : f32
    }
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from xdsl.dialects.builtin import (
    ArrayAttr,
    I64,
    IntegerAttr,
    IntegerType,
    Signedness,
    StringAttr,
    bf16,
    f16,
    f32,
    f64,
    i1,
    i8,
    i16,
    i32,
    i64,
)
from xdsl.ir import Attribute, Dialect, Operation, SSAValue
from xdsl.irdl import (
    AnyAttr,
    IRDLOperation,
    VarConstraint,
    irdl_op_definition,
    operand_def,
    opt_prop_def,
    prop_def,
    result_def,
    traits_def,
    var_operand_def,
)
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

from tinyir.element_types import ui16, ui64
from tinyir.targets.clike import ops as base

ui8 = IntegerType(8, Signedness.UNSIGNED)
ui32 = IntegerType(32, Signedness.UNSIGNED)

# Scalar types of the dialect -> their OpenCL C spelling.
C_TYPES: dict[Attribute, str] = {f32: "float", f16: "half", i32: "int", ui32: "uint", i8: "char",
                                 ui8: "uchar", i1: "bool", f64: "double", i64: "long", ui64: "ulong",
                                 i16: "short", ui16: "ushort", bf16: "ushort"}  # DTYPES: bf16 as its bits
# How a buffer of each element type is declared (bool has no defined size in OpenCL C).
C_STORAGE_TYPES: dict[Attribute, str] = {**C_TYPES, i1: "uchar"}
FLOATS = (f32, f16, f64)
INTS = (i32, ui32, i8, ui8, i64, ui64, i16, ui16)

# OpenCL built-in functions the dialect may call, with the operand kinds they accept.
BUILTINS: dict[str, tuple[int, tuple[Attribute, ...]]] = {
    "exp2": (1, FLOATS), "log2": (1, FLOATS), "sin": (1, FLOATS), "sqrt": (1, FLOATS),
    "fmax": (2, FLOATS), "fmin": (2, FLOATS), "copysign": (2, FLOATS), "max": (2, INTS),
    "fmod": (2, FLOATS),  # exact (C99 fmod; 0 ulp in OpenCL and Metal)
}


SCALARS = base.ScalarTypes(C_TYPES, FLOATS, wrong_type="{op}: type of {what} is {type}, expected one of {allowed}",
                           parse_error="{op}: {type} is not an OpenCL scalar type of tinyir")


buffer_element_type = base.buffer_element  # the element type of an `!st.buffer` parameter


def _enclosing_kernel(op: Operation) -> Operation | None:
    parent = op.parent_op()
    return parent if isinstance(parent, KernelOp) else None


# ---------------------------------------------------------------- structure


@irdl_op_definition
class KernelOp(base.KernelBase):
    """`__kernel void NAME(__global T* ...)`: a body over buffer parameters, run on a global grid.

    `global_size[d]` is the number of work-items along dimension d (`get_global_id(d)`). With
    `local [..]` (`local_size`, one entry per global dimension, each dividing it) the launch uses
    exactly those work-groups, and the body may use group/local ids, local arrays and barriers.
    """

    name = "ocl.kernel"
    global_size = prop_def(ArrayAttr[IntegerAttr[I64]])
    local_size = opt_prop_def(ArrayAttr[IntegerAttr[I64]])

    def __init__(self, name: str, global_size: Sequence[int], buffers: Sequence[SSAValue], body,
                 local_size: Sequence[int] | None = None) -> None:
        props = {"kernel_name": StringAttr(name), "global_size": ArrayAttr(IntegerAttr(n, i64) for n in global_size)}
        if local_size is not None:
            props["local_size"] = ArrayAttr(IntegerAttr(n, i64) for n in local_size)
        super().__init__(operands=[buffers], regions=[body], properties=props)

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.kernel_name} global [{', '.join(map(str, self.grid))}]")
        if self.group is not None:
            printer.print_string(f" local [{', '.join(map(str, self.group))}]")
        self.print_buffers_and_body(printer)

    @classmethod
    def parse(cls, parser: Parser) -> KernelOp:
        name = parser.parse_str_literal()
        parser.parse_keyword("global")
        grid = parser.parse_comma_separated_list(parser.Delimiter.SQUARE, parser.parse_integer)
        group = None
        if parser.parse_optional_keyword("local") is not None:
            group = parser.parse_comma_separated_list(parser.Delimiter.SQUARE, parser.parse_integer)
        buffers = parser.parse_comma_separated_list(parser.Delimiter.PAREN, parser.parse_operand)
        parser.parse_punctuation(":")
        types = parser.parse_comma_separated_list(parser.Delimiter.NONE, parser.parse_type)
        if types != [a.type for a in buffers]:
            parser.raise_error("ocl.kernel: the listed types do not match the operands")
        return cls.parse_body(parser, lambda body: cls(name, grid, buffers, body, group))  # type: ignore[return-value]

    @property
    def grid(self) -> tuple[int, ...]:
        return tuple(n.value.data for n in self.global_size.data)

    @property
    def group(self) -> tuple[int, ...] | None:
        """The work-group size per dimension, or None when the OpenCL runtime picks it."""
        return None if self.local_size is None else tuple(n.value.data for n in self.local_size.data)

    def verify_(self) -> None:
        if any(n <= 0 for n in self.grid):
            raise VerifyException(f"ocl.kernel: global sizes must be positive, got {list(self.grid)}")
        group = self.group
        if group is not None:
            if len(group) != len(self.grid) or any(n <= 0 or g % n for g, n in zip(self.grid, group)):
                raise VerifyException(f"ocl.kernel: local size {list(group)} must have one positive entry per "
                                      f"global dimension, each dividing it (global {list(self.grid)})")
        else:
            for op in self.body.block.ops:
                if isinstance(op, WORKGROUP_OPS):
                    raise VerifyException(f"{op.name}: needs an ocl.kernel with a local size")
        self.verify_mirrored_buffers("block arguments must mirror the operands' types")
        block_args = self.body.block.args
        if not block_args:
            raise VerifyException("ocl.kernel: needs at least one buffer parameter (the output)")
        for arg in block_args:
            buffer_element_type(arg.type)
        open_loops: list[SSAValue] = []
        for op in self.body.block.ops:
            if isinstance(op, ForOp):
                open_loops.append(op.result)
            elif isinstance(op, EndForOp):
                if not open_loops or open_loops[-1] is not op.loop:
                    raise VerifyException("ocl.endfor: does not close the innermost open ocl.for")
                open_loops.pop()
            elif isinstance(op, GetGlobalIdOp | GetGroupIdOp | GetLocalIdOp) and op.dim.value.data >= len(self.grid):
                raise VerifyException(
                    f"{op.name}: dimension {op.dim.value.data} is outside the kernel's "
                    f"{len(self.grid)}-d global size")
            elif isinstance(op, LocalArrayOp) and open_loops:  # barriers may be in (uniform) loops
                raise VerifyException(f"{op.name}: must not be inside an ocl.for")
        if open_loops:
            raise VerifyException("ocl.kernel: an ocl.for has no matching ocl.endfor")


class _IdOp(IRDLOperation):
    """`int NAME = FUNCTION(D);` for a work-item id along dimension D (0, 1, 2)."""

    FUNCTION: ClassVar[str]  # the OpenCL built-in
    PREFIX: ClassVar[str]  # the emitted variable's name: PREFIX + D
    dim = prop_def(IntegerAttr[I64])
    result = result_def(i32)
    traits = traits_def(Pure())
    assembly_format = "$dim attr-dict `:` type($result)"

    def __init__(self, dim: int) -> None:
        super().__init__(result_types=[i32], properties={"dim": IntegerAttr(dim, i64)})

    def verify_(self) -> None:
        if not 0 <= self.dim.value.data < 3:
            raise VerifyException(f"{self.name}: dimension must be 0, 1 or 2, got {self.dim.value.data}")
        if _enclosing_kernel(self) is None:
            raise VerifyException(f"{self.name}: must be directly inside an ocl.kernel")


@irdl_op_definition
class GetGlobalIdOp(_IdOp):
    """`int gidxD = get_global_id(D);`"""

    name = "ocl.get_global_id"
    FUNCTION: ClassVar[str] = "get_global_id"
    PREFIX: ClassVar[str] = "gidx"


@irdl_op_definition
class GetGroupIdOp(_IdOp):
    """`int wgidD = get_group_id(D);` (the work-group's id)"""

    name = "ocl.get_group_id"
    FUNCTION: ClassVar[str] = "get_group_id"
    PREFIX: ClassVar[str] = "wgid"


@irdl_op_definition
class GetLocalIdOp(_IdOp):
    """`int lidxD = get_local_id(D);` (the work-item's id inside its work-group)"""

    name = "ocl.get_local_id"
    FUNCTION: ClassVar[str] = "get_local_id"
    PREFIX: ClassVar[str] = "lidx"


@irdl_op_definition
class LocalArrayOp(base.LocalArrayBase):
    """`__local T lmemN[SIZE];` (bool elements stored as uchar)."""

    name = "ocl.local_array"
    KERNEL: ClassVar = KernelOp
    TYPES: ClassVar = SCALARS


@irdl_op_definition
class BarrierOp(base.BarrierBase):
    """`barrier(CLK_LOCAL_MEM_FENCE);`"""

    name = "ocl.barrier"
    KERNEL: ClassVar = KernelOp


#: ops that exist only in a kernel with an explicit local size
WORKGROUP_OPS = (GetGroupIdOp, GetLocalIdOp, LocalArrayOp, BarrierOp)


@irdl_op_definition
class ForOp(IRDLOperation):
    """`for (int ridxN = LO; ridxN < HI; ridxN++) {` -- closed by the `ocl.endfor` of its result."""

    name = "ocl.for"
    lower = prop_def(IntegerAttr[I64])
    upper = prop_def(IntegerAttr[I64])
    result = result_def(i32)
    assembly_format = "$lower `to` $upper attr-dict `:` type($result)"

    def __init__(self, lower: int, upper: int) -> None:
        super().__init__(result_types=[i32], properties={"lower": IntegerAttr(lower, i64), "upper": IntegerAttr(upper, i64)})

    def verify_(self) -> None:
        if self.lower.value.data > self.upper.value.data:
            raise VerifyException(f"ocl.for: empty range {self.lower.value.data} to {self.upper.value.data}")
        if _enclosing_kernel(self) is None:
            raise VerifyException("ocl.for: must be directly inside an ocl.kernel")


@irdl_op_definition
class EndForOp(base.EndLoopBase):
    """`}` closing the loop whose index is the operand."""

    name = "ocl.endfor"
    LOOP: ClassVar = ForOp
    NOT_A_LOOP: ClassVar[str] = "operand must be the index of an ocl.for"


@irdl_op_definition
class VarOp(base.LiteralBase):
    """`T accN = INIT;` -- a mutable register; every use reads its current value."""

    name = "ocl.var"
    TYPES: ClassVar = SCALARS


@irdl_op_definition
class AssignOp(base.AssignBase):
    """`accN = VALUE;`"""

    name = "ocl.assign"
    VAR: ClassVar = VarOp
    NOT_A_VAR: ClassVar[str] = "the first operand must be an ocl.var"


# ---------------------------------------------------------------- values and memory


@irdl_op_definition
class ConstOp(base.LiteralBase):
    """A literal, printed inline where it is used (`1.5f`, `-3`, `true`)."""

    name = "ocl.const"
    TYPES: ClassVar = SCALARS
    traits = traits_def(Pure())


def _parse_access(parser: Parser) -> tuple[SSAValue, SSAValue]:
    buffer = parser.parse_operand()
    parser.parse_punctuation("[")
    index = parser.parse_operand()
    parser.parse_punctuation("]")
    return buffer, index


def _check_access(op: Operation, buffer: SSAValue, index: SSAValue, gate: SSAValue | None, value_type: Attribute,
                  *, half: bool = False) -> None:
    """`half`: an f16-storage access (vload_half/vstore_half), whose value is an f32 in registers."""
    element = buffer_element_type(buffer.type)
    if half and (element, value_type) != (f16, f32):
        raise VerifyException(f"{op.name}: needs an f16 buffer and an f32 value, got {element} and {value_type}")
    if not half and element != value_type:
        raise VerifyException(f"{op.name}: value type {value_type} does not match the buffer's element type {element}")
    base.check_index(op, index)  # INDEX64
    if gate is not None and gate.type != i1:
        raise VerifyException(f"{op.name}: gate must be i1, got {gate.type}")


class _Load(base.LoadBase):
    """Shared syntax of the loads: `%buf[%idx] (if %gate)? : T`."""

    HALF: ClassVar[bool] = False

    @classmethod
    def result_type(cls, buffer_type: Attribute) -> Attribute:
        return f32 if cls.HALF else buffer_element_type(buffer_type)

    def verify_(self) -> None:
        _check_access(self, self.buffer, self.index, self.gate, self.result.type, half=self.HALF)

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
        printer.print_string(" : ")
        printer.print_attribute(self.result.type)

    @classmethod
    def parse(cls, parser: Parser) -> _Load:
        buffer, index = _parse_access(parser)
        gate = parser.parse_operand() if parser.parse_optional_keyword("if") else None
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        type_ = parser.parse_type()
        op = cls.create(operands=[buffer, index] + ([gate] if gate else []), result_types=[type_])
        op.attributes |= attrs
        return op


@irdl_op_definition
class LoadOp(_Load):
    """`T valN = buf[idx];`, or with a gate `T valN = gate ? buf[idx] : 0;` (not read when false)."""

    name = "ocl.load"


@irdl_op_definition
class LoadHalfOp(_Load):
    """`float valN = vload_half(idx, buf);` -- an f16 buffer element widened to float (no cl_khr_fp16 needed)."""

    name = "ocl.load_half"
    HALF: ClassVar[bool] = True


class _Store(base.StoreBase):
    """Shared syntax of the stores: `%buf[%idx], %v (if %gate)? : T`."""

    HALF: ClassVar[bool] = False

    def verify_(self) -> None:
        _check_access(self, self.buffer, self.index, self.gate, self.value.type, half=self.HALF)

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_operand(self.buffer)
        printer.print_string("[")
        printer.print_operand(self.index)
        printer.print_string("], ")
        printer.print_operand(self.value)
        if self.gate is not None:
            printer.print_string(" if ")
            printer.print_operand(self.gate)
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        printer.print_attribute(self.value.type)

    @classmethod
    def parse(cls, parser: Parser) -> _Store:
        buffer, index = _parse_access(parser)
        parser.parse_punctuation(",")
        value = parser.parse_operand()
        gate = parser.parse_operand() if parser.parse_optional_keyword("if") else None
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        type_ = parser.parse_type()
        if value.type != type_:
            parser.raise_error(f"{cls.name}: value has type {value.type}, but {type_} was written")
        op = cls.create(operands=[buffer, index, value] + ([gate] if gate else []))
        op.attributes |= attrs
        return op


@irdl_op_definition
class StoreOp(_Store):
    """`buf[idx] = value;`, or with a gate `if (gate) buf[idx] = value;`."""

    name = "ocl.store"


@irdl_op_definition
class StoreHalfOp(_Store):
    """`vstore_half_rte(value, idx, buf);` -- a float rounded to nearest-even f16 and stored."""

    name = "ocl.store_half"
    HALF: ClassVar[bool] = True


@irdl_op_definition
class VLoadOp(base.VLoadBase):
    """`float4 valN = *(__global const float4*)(buf + idx);` (global; 16-byte aligned buffers) or
    `vload4(0, buf + idx)` (local arrays, aligned only to their element); lanes `valN.x` .. `.w`."""

    name = "ocl.vload"


@irdl_op_definition
class VStoreOp(base.VStoreBase):
    """`*(__global float4*)(buf + idx) = (float4)(a, b, c, d);` (local arrays: `vstore4`)."""

    name = "ocl.vstore"


# ---------------------------------------------------------------- arithmetic


class BinaryOp(base.BinaryBase):
    """`T valN = a OP b;` with both operands and the result of one type (comparisons give bool)."""

    C_OPERATOR: ClassVar[str]
    ALLOWED: ClassVar[tuple[Attribute, ...]] = tuple(C_TYPES)
    assembly_format = "$lhs `,` $rhs attr-dict `:` type($result)"

    def __init__(self, lhs: SSAValue, rhs: SSAValue) -> None:
        super().__init__(operands=[lhs, rhs], result_types=[lhs.type])

    def verify_(self) -> None:
        SCALARS.check(self, "the operands", self.lhs.type, self.ALLOWED)


class CompareOp(base.CompareBase):
    """`bool valN = a OP b;`"""

    C_OPERATOR: ClassVar[str]
    ALLOWED: ClassVar[tuple[Attribute, ...]] = tuple(C_TYPES)
    assembly_format = "$lhs `,` $rhs attr-dict `:` type($lhs)"

    def __init__(self, lhs: SSAValue, rhs: SSAValue) -> None:
        super().__init__(operands=[lhs, rhs], result_types=[i1])

    def verify_(self) -> None:
        SCALARS.check(self, "the operands", self.lhs.type, self.ALLOWED)


class UnaryOp(base.UnaryBase):
    """`T valN = OPa;`"""

    C_OPERATOR: ClassVar[str]
    ALLOWED: ClassVar[tuple[Attribute, ...]]
    assembly_format = "$operand attr-dict `:` type($result)"

    def __init__(self, operand: SSAValue) -> None:
        super().__init__(operands=[operand], result_types=[operand.type])

    def verify_(self) -> None:
        SCALARS.check(self, "the operand", self.operand.type, self.ALLOWED)


def _c_operator_op(family: type[IRDLOperation], name: str, operator: str, allowed: tuple[Attribute, ...],
                  doc: str) -> type[IRDLOperation]:
    """Define `ocl.<name>` printing as C `operator` (one line per op in the table below)."""
    body = {"name": f"ocl.{name}", "C_OPERATOR": operator, "ALLOWED": allowed, "__doc__": doc,
            "__module__": __name__, "__annotations__": {"C_OPERATOR": ClassVar[str], "ALLOWED": ClassVar[tuple]}}
    return irdl_op_definition(type(name.capitalize() + "Op", (family,), body))


_NUMBERS = FLOATS + INTS
_BITS = INTS + (i1,)
_ANY = tuple(C_TYPES)

AddOp = _c_operator_op(BinaryOp, "add", "+", _NUMBERS, "a + b")
SubOp = _c_operator_op(BinaryOp, "sub", "-", _NUMBERS, "a - b")
MulOp = _c_operator_op(BinaryOp, "mul", "*", _NUMBERS, "a * b")
DivOp = _c_operator_op(BinaryOp, "div", "/", _NUMBERS, "a / b (truncates toward zero on ints)")
RemOp = _c_operator_op(BinaryOp, "rem", "%", INTS, "a % b (sign of the dividend)")
AndOp = _c_operator_op(BinaryOp, "and", "&", _BITS, "a & b")
OrOp = _c_operator_op(BinaryOp, "or", "|", _BITS, "a | b")
XorOp = _c_operator_op(BinaryOp, "xor", "^", _BITS, "a ^ b")
ShlOp = _c_operator_op(BinaryOp, "shl", "<<", INTS, "a << b")
ShrOp = _c_operator_op(BinaryOp, "shr", ">>", INTS, "a >> b (arithmetic on signed types)")
LtOp = _c_operator_op(CompareOp, "lt", "<", _ANY, "a < b")
NeOp = _c_operator_op(CompareOp, "ne", "!=", _ANY, "a != b")
NegOp = _c_operator_op(UnaryOp, "neg", "-", _NUMBERS, "-a")
NotOp = _c_operator_op(UnaryOp, "not", "!", (i1,), "!a")


@irdl_op_definition
class CallOp(IRDLOperation):
    """`T valN = builtin(args...);` for the OpenCL built-ins in `BUILTINS`."""

    name = "ocl.call"
    T: ClassVar = VarConstraint("T", AnyAttr())
    callee = prop_def(StringAttr)
    args = var_operand_def(T)
    result = result_def(T)
    traits = traits_def(Pure())
    assembly_format = "$callee `(` $args `)` attr-dict `:` type($result)"

    def __init__(self, callee: str, args: Sequence[SSAValue]) -> None:
        super().__init__(operands=[list(args)], result_types=[args[0].type],
                         properties={"callee": StringAttr(callee)})

    def verify_(self) -> None:
        name = self.callee.data
        if name not in BUILTINS:
            raise VerifyException(f"ocl.call: unknown built-in {name!r}; known: {', '.join(sorted(BUILTINS))}")
        arity, allowed = BUILTINS[name]
        if len(self.args) != arity:
            raise VerifyException(f"ocl.call: {name} takes {arity} argument(s), got {len(self.args)}")
        SCALARS.check(self, f"the argument of {name}", self.result.type, allowed)


@irdl_op_definition
class SelectOp(base.SelectBase):
    """`T valN = cond ? a : b;`"""

    name = "ocl.select"

    def verify_(self) -> None:
        SCALARS.check(self, "the result", self.result.type)


@irdl_op_definition
class ConvertOp(base.CastBase):
    """`T valN = (T)x;` -- value conversion (float -> int truncates, -> bool is `!= 0`)."""

    name = "ocl.convert"
    TYPES: ClassVar = SCALARS


@irdl_op_definition
class AsTypeOp(base.CastBase):
    """`T valN = as_T(x);` -- reinterpret the bits (same width, not bool)."""

    name = "ocl.as_type"
    TYPES: ClassVar = SCALARS

    def verify_(self) -> None:
        super().verify_()
        src, dst = self.source.type, self.result.type
        if i1 in (src, dst):
            raise VerifyException("ocl.as_type: bool has no defined bit pattern; use ocl.convert")
        if src.bitwidth != dst.bitwidth:  # type: ignore[attr-defined]
            raise VerifyException(f"ocl.as_type: {src} and {dst} differ in width")


@irdl_op_definition
class RoundHalfOp(IRDLOperation):
    """`float valN = tinyir_round_half(x);` -- x rounded to the nearest f16 value, kept in a float.

    How a cast to f16 keeps f16 precision when f16 values live in float registers (storage mode).
    """

    name = "ocl.round_half"
    operand = operand_def(f32)
    result = result_def(f32)
    traits = traits_def(Pure())
    assembly_format = "$operand attr-dict `:` type($result)"

    def __init__(self, operand: SSAValue) -> None:
        super().__init__(operands=[operand], result_types=[f32])


OCL = Dialect("ocl", [
    KernelOp, GetGlobalIdOp, GetGroupIdOp, GetLocalIdOp, LocalArrayOp, BarrierOp,
    ForOp, EndForOp, VarOp, AssignOp, ConstOp, LoadOp, LoadHalfOp, StoreOp, StoreHalfOp, VLoadOp, VStoreOp,
    AddOp, SubOp, MulOp, DivOp, RemOp, AndOp, OrOp, XorOp, ShlOp, ShrOp, LtOp, NeOp,
    NegOp, NotOp, CallOp, SelectOp, ConvertOp, AsTypeOp, RoundHalfOp,
], [])
