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
`uint3 gid [[thread_position_in_grid]]`. A kernel with a `threadgroup` size reads
`uint3 tgid [[threadgroup_position_in_grid]]` and `uint3 lid [[thread_position_in_threadgroup]]`
instead, and may declare `threadgroup` arrays (`metal.threadgroup_array`, accessed by the same loads
and stores) and `metal.barrier`s.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from xdsl.dialects.builtin import ArrayAttr, IntAttr, IntegerType, Signedness, StringAttr, bf16, f16, f32, i1, i8, i16, i32, i64
from xdsl.ir import Attribute, Dialect, Operation, Region, SSAValue
from xdsl.irdl import (
    AnyAttr,
    AttrSizedOperandSegments,
    IRDLOperation,
    irdl_op_definition,
    opt_prop_def,
    prop_def,
    result_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

from tinyir.targets.clike import ops as base

ui8 = IntegerType(8, Signedness.UNSIGNED)
ui16, ui32, ui64 = (IntegerType(w, Signedness.UNSIGNED) for w in (16, 32, 64))

# The dialect's scalar types -> their MSL spelling; buffers of bool hold bytes.
MSL_TYPES: dict[Attribute, str] = {f32: "float", f16: "half", i32: "int", i8: "char", ui8: "uchar", i1: "bool",
                                   i64: "long", ui64: "ulong", i16: "short", ui16: "ushort", ui32: "uint",
                                   bf16: "ushort"}  # DTYPES: bf16 as its bits (uop-emulate-bf16); no f64 in MSL
MSL_STORAGE_TYPES: dict[Attribute, str] = {**MSL_TYPES, i1: "uchar"}
FLOATS: tuple[Attribute, ...] = (f32, f16)
INTS: tuple[Attribute, ...] = (i32, i8, ui8, i64, ui64, i16, ui16, ui32)
MSL_VERSIONS: tuple[str, ...] = ("2.0", "2.1", "2.2", "2.3", "2.4", "3.0", "3.1", "3.2")
SCALARS = base.ScalarTypes(MSL_TYPES, FLOATS, wrong_type="{op}: {what} has type {type}, expected one of {allowed}",
                           parse_error="{op}: {type} is not a scalar type of the metal dialect")

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
    "fmax": (2, FLOATS), "fmin": (2, FLOATS), "copysign": (2, FLOATS), "max": (2, INTS),
    "fmod": (2, FLOATS),  # exact (C99 fmod; 0 ulp in OpenCL and Metal)
}


buffer_type_of = base.buffer_element  # the element type of an `!st.buffer` parameter


# ---------------------------------------------------------------- structure


@irdl_op_definition
class KernelOp(base.KernelBase):
    """`kernel void NAME(device T* data0 [[buffer(0)]], ..., uint3 gid [[thread_position_in_grid]])`.

    `grid` is the number of threads per gidx dimension (dims from 2 on share the z position);
    `msl` the Metal Shading Language version the text is written for. With `threadgroup [x, y, z]`
    the dispatch uses exactly those threadgroups (`grid` is then the threads per dim x, y, z, a
    multiple of the group), and the body reads threadgroup/thread-in-group positions instead of
    `gid`, and may hold threadgroup arrays and barriers.
    """

    name = "metal.kernel"
    msl_version = prop_def(StringAttr)
    grid = prop_def(ArrayAttr[IntAttr])
    threadgroup = opt_prop_def(ArrayAttr[IntAttr])

    def __init__(self, name: str, msl_version: str, grid: Sequence[int], buffers: Sequence[SSAValue],
                 body: Region, threadgroup: Sequence[int] | None = None) -> None:
        props = {"kernel_name": StringAttr(name), "msl_version": StringAttr(msl_version), "grid": base.grid_attr(grid)}
        if threadgroup is not None:
            props["threadgroup"] = base.grid_attr(threadgroup)
        super().__init__(operands=[buffers], regions=[body], properties=props)

    @property
    def grid_sizes(self) -> tuple[int, ...]:
        return tuple(g.data for g in self.grid)

    @property
    def group_sizes(self) -> tuple[int, ...] | None:
        """Threads per threadgroup (x, y, z), or None for a gidx kernel (the runtime picks)."""
        return None if self.threadgroup is None else tuple(g.data for g in self.threadgroup)

    @classmethod
    def parse(cls, parser: Parser) -> KernelOp:
        name = parser.parse_str_literal()
        parser.parse_keyword("msl")
        version = parser.parse_str_literal()
        parser.parse_keyword("grid")
        grid = parser.parse_comma_separated_list(parser.Delimiter.SQUARE, parser.parse_integer)
        group = None
        if parser.parse_optional_keyword("threadgroup") is not None:
            group = parser.parse_comma_separated_list(parser.Delimiter.SQUARE, parser.parse_integer)
        buffers = cls.parse_buffers(parser)
        return cls.parse_body(parser, lambda body: cls(name, version, grid, buffers, body, group))  # type: ignore[return-value]

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_string_literal(self.name_str)
        printer.print_string(" msl ")
        printer.print_string_literal(self.msl_version.data)
        printer.print_string(f" grid [{', '.join(map(str, self.grid_sizes))}]")
        if self.group_sizes is not None:
            printer.print_string(f" threadgroup [{', '.join(map(str, self.group_sizes))}]")
        self.print_buffers_and_body(printer)

    def verify_(self) -> None:
        if self.msl_version.data not in MSL_VERSIONS:
            raise VerifyException(f"metal.kernel: unknown MSL version '{self.msl_version.data}' "
                                  f"(known: {', '.join(MSL_VERSIONS)})")
        if not self.grid_sizes or any(g <= 0 for g in self.grid_sizes):
            raise VerifyException(f"metal.kernel: grid sizes must be positive, got {list(self.grid_sizes)}")
        self.verify_mirrored_buffers("block arguments must mirror the buffer operand types")
        for arg in self.body.block.args:
            SCALARS.check(self, "a buffer element", buffer_type_of(arg.type))
        self.verify_own_ops("metal")
        group = self.group_sizes
        if group is not None and (len(group) != 3 or len(self.grid_sizes) != 3
                                  or any(n <= 0 or g % n for g, n in zip(self.grid_sizes, group))):
            raise VerifyException(f"metal.kernel: threadgroup {list(group)} must have 3 positive sizes, each "
                                  f"dividing the 3-d grid (grid {list(self.grid_sizes)})")
        for op in self.body.block.ops:
            if isinstance(op, ThreadPositionOp) and group is not None:
                raise VerifyException("metal.thread_position: a kernel with a threadgroup reads the "
                                      "threadgroup positions instead")
            if isinstance(op, WORKGROUP_OPS) and group is None:
                raise VerifyException(f"{op.name}: needs a metal.kernel with a threadgroup")


class _PositionOp(IRDLOperation):
    """`int NAME = int(VAR.x);` for dim 0, 1, 2 of the kernel parameter `VAR` (a uint3)."""

    VAR: ClassVar[str]  # the kernel parameter read
    PREFIX: ClassVar[str]  # the emitted variable: PREFIX + dim
    dim = prop_def(IntAttr)
    result = result_def(i32)
    traits = traits_def(Pure())

    def __init__(self, dim: int) -> None:
        super().__init__(properties={"dim": IntAttr(dim)}, result_types=[i32])

    @classmethod
    def parse(cls, parser: Parser) -> _PositionOp:
        dim = parser.parse_integer()
        parser.parse_punctuation(":")
        parser.parse_type()
        return cls(dim)

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.dim.data} : i32")

    def verify_(self) -> None:
        if self.dim.data not in (0, 1, 2):
            raise VerifyException(f"{self.name}: dim must be 0, 1 or 2 (x, y, z), got {self.dim.data}")


@irdl_op_definition
class ThreadPositionOp(_PositionOp):
    """`gid.x` / `gid.y` / `gid.z` (dim 0, 1, 2) as an int: `[[thread_position_in_grid]]`."""

    name = "metal.thread_position"
    VAR: ClassVar[str] = "gid"
    PREFIX: ClassVar[str] = "gidx"


@irdl_op_definition
class ThreadgroupPositionOp(_PositionOp):
    """`tgid.x/y/z`: the threadgroup's position in the grid (`[[threadgroup_position_in_grid]]`)."""

    name = "metal.threadgroup_position"
    VAR: ClassVar[str] = "tgid"
    PREFIX: ClassVar[str] = "wgid"


@irdl_op_definition
class ThreadInThreadgroupOp(_PositionOp):
    """`lid.x/y/z`: the thread's position in its threadgroup (`[[thread_position_in_threadgroup]]`)."""

    name = "metal.thread_position_in_threadgroup"
    VAR: ClassVar[str] = "lid"
    PREFIX: ClassVar[str] = "lidx"


@irdl_op_definition
class ThreadgroupArrayOp(base.LocalArrayBase):
    """`threadgroup T lmemN[SIZE];` (bool elements stored as uchar)."""

    name = "metal.threadgroup_array"
    KERNEL: ClassVar = KernelOp
    TYPES: ClassVar = SCALARS


@irdl_op_definition
class BarrierOp(base.BarrierBase):
    """`threadgroup_barrier(mem_flags::mem_threadgroup);`"""

    name = "metal.barrier"
    KERNEL: ClassVar = KernelOp


#: ops that exist only in a kernel with a threadgroup
WORKGROUP_OPS = (ThreadgroupPositionOp, ThreadInThreadgroupOp, ThreadgroupArrayOp, BarrierOp)


@irdl_op_definition
class ForOp(base.LoopBase):
    """`for (int ridxN = lower; ridxN < upper; ridxN++) {`; the result is the loop index."""

    name = "metal.for"
    ATTR_DICT: ClassVar[bool] = False


@irdl_op_definition
class EndForOp(base.EndLoopBase):
    """`}` closing the loop of `%i`."""

    name = "metal.endfor"
    LOOP: ClassVar = ForOp
    NOT_A_LOOP: ClassVar[str] = "operand must be a metal.for result"


@irdl_op_definition
class VarOp(base.LiteralBase):
    """`T accN = init;`: a register; each use reads its current value."""

    name = "metal.var"
    TYPES: ClassVar = SCALARS
    SIGNED_NAN: ClassVar[bool] = False


@irdl_op_definition
class ConstOp(base.LiteralBase):
    """A constant, printed inline as a literal."""

    name = "metal.const"
    TYPES: ClassVar = SCALARS
    SIGNED_NAN: ClassVar[bool] = False
    traits = traits_def(Pure())


@irdl_op_definition
class AssignOp(base.AssignBase):
    """`accN = value;`."""

    name = "metal.assign"
    VAR: ClassVar = VarOp
    NOT_A_VAR: ClassVar[str] = "target must be a metal.var result"


# ---------------------------------------------------------------- memory


def _check_access(op: Operation, buffer: SSAValue, value_type: Attribute) -> None:
    base.check_index(op, op.index)  # INDEX64
    element = buffer_type_of(buffer.type)
    if element != value_type:
        raise VerifyException(f"{op.name}: buffer of {element} accessed as {value_type}")


@irdl_op_definition
class LoadOp(base.LoadBase):
    """`T valN = buf[idx];`; gated: `T valN = gate ? buf[idx] : 0;` (not read when false)."""

    name = "metal.load"
    result_type = staticmethod(buffer_type_of)

    def verify_(self) -> None:
        _check_access(self, self.buffer, self.result.type)


@irdl_op_definition
class StoreOp(base.StoreBase):
    """`buf[idx] = value;`; gated: `if (gate) buf[idx] = value;`."""

    name = "metal.store"

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
        SCALARS.check(self, f"operator '{name}' operand", self.operands[0].type, self.OPERATORS[name])


@irdl_op_definition
class BinaryOp(_OperatorOp, base.BinaryBase):
    """`T valN = a OP b;` (`+ - * / % & | ^ << >>`)."""

    name = "metal.binary"
    OPERATORS: ClassVar[dict[str, tuple[Attribute, ...]]] = BINARY_OPERATORS
    assembly_format = "$operator $lhs `,` $rhs attr-dict `:` type($result)"

    def __init__(self, operator: str, lhs: SSAValue, rhs: SSAValue) -> None:
        super().__init__(operands=[lhs, rhs], result_types=[lhs.type], properties={"operator": StringAttr(operator)})


@irdl_op_definition
class CompareOp(_OperatorOp, base.CompareBase):
    """`bool valN = a OP b;` (`<`, `!=`)."""

    name = "metal.compare"
    OPERATORS: ClassVar[dict[str, tuple[Attribute, ...]]] = COMPARE_OPERATORS
    assembly_format = "$operator $lhs `,` $rhs attr-dict `:` type($lhs)"

    def __init__(self, operator: str, lhs: SSAValue, rhs: SSAValue) -> None:
        super().__init__(operands=[lhs, rhs], result_types=[i1], properties={"operator": StringAttr(operator)})


@irdl_op_definition
class UnaryOp(_OperatorOp, base.UnaryBase):
    """`T valN = OP a;` (`-`, `!`)."""

    name = "metal.unary"
    OPERATORS: ClassVar[dict[str, tuple[Attribute, ...]]] = UNARY_OPERATORS
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
            SCALARS.check(self, f"metal::{name} argument", a.type, allowed)
        if self.result.type != self.args[0].type:
            raise VerifyException(f"metal.call: metal::{name} returns its argument type {self.args[0].type}")


@irdl_op_definition
class SelectOp(base.SelectBase):
    """`T valN = cond ? a : b;`."""

    name = "metal.select"


@irdl_op_definition
class ConvertOp(base.CastBase):
    """`static_cast<T>(x)`: a value conversion (float -> int truncates; -> bool is != 0)."""

    name = "metal.convert"
    TYPES: ClassVar = SCALARS


@irdl_op_definition
class AsTypeOp(base.CastBase):
    """`as_type<T>(x)`: the same bits, read as another type of the same width."""

    name = "metal.as_type"
    TYPES: ClassVar = SCALARS

    def verify_(self) -> None:
        super().verify_()
        widths = {f32: 32, f16: 16, i32: 32, i8: 8, ui8: 8, i64: 64, ui64: 64, i16: 16, ui16: 16, ui32: 32,
                  bf16: 16}  # DTYPES
        a, b = self.source.type, self.result.type
        if a == i1 or b == i1 or widths[a] != widths[b]:
            raise VerifyException(f"metal.as_type: needs two non-bool types of one width, got {a} and {b}")


@irdl_op_definition
class VLoadOp(base.VLoadBase):
    """`float4 valN = *(device const float4*)(buf + idx);` (device buffers, 16-byte aligned); lanes `valN.x` ..."""

    name = "metal.vload"


@irdl_op_definition
class VStoreOp(base.VStoreBase):
    """`*(device float4*)(buf + idx) = float4(a, b, c, d);`."""

    name = "metal.vstore"


#: MSL versions with simdgroup_matrix (Apple GPU family 7 and later)
SIMDGROUP_MATRIX_VERSIONS = tuple(v for v in MSL_VERSIONS if v >= "2.3")


@irdl_op_definition
class SimdgroupMmaOp(IRDLOperation):
    """`%d0, %d1 = metal.simdgroup_mma "simdgroup.8x8x8.f16" a(%a0, %a1) b(%b0, %b1) c(%c0, %c1) : f16, f32`:
    `D = A @ B + C` on 8 x 8 `simdgroup_matrix`es (tinyir/tensor_cores.py's layout): this thread's
    elements set as each matrix's `thread_elements()`, `simdgroup_multiply_accumulate`, D's read back."""

    name = "metal.simdgroup_mma"
    instruction = prop_def(StringAttr)
    a = var_operand_def(AnyAttr())
    b = var_operand_def(AnyAttr())
    c = var_operand_def(AnyAttr())
    d = var_result_def(AnyAttr())
    irdl_options = (AttrSizedOperandSegments(as_property=True),)
    assembly_format = ("$instruction `a` `(` $a `)` `b` `(` $b `)` `c` `(` $c `)` attr-dict "
                       "`:` `(` type($a) `)` `,` `(` type($b) `)` `,` `(` type($c) `)` `->` `(` type($d) `)`")

    def __init__(self, instruction: str, a: Sequence[SSAValue], b: Sequence[SSAValue], c: Sequence[SSAValue]):
        super().__init__(operands=[a, b, c], result_types=[[c[0].type] * len(c)],
                         properties={"instruction": StringAttr(instruction)})

    def verify_(self) -> None:
        from tinyir.tensor_cores import INSTRUCTIONS

        mi = INSTRUCTIONS.get(self.instruction.data)
        if mi is None or not mi.name.startswith("simdgroup.8x8x8."):
            raise VerifyException(f"metal.simdgroup_mma: {self.instruction.data!r} is not a simdgroup_matrix "
                                  "instruction")
        types = {"f16": f16, "f32": f32}
        for what, values, layout, t in (("a", self.a, mi.a, mi.in_type), ("b", self.b, mi.b, mi.in_type),
                                        ("c", self.c, mi.c, mi.acc_type), ("d", self.d, mi.c, mi.acc_type)):
            if len(values) != layout.elements or any(v.type != types[t] for v in values):
                raise VerifyException(f"metal.simdgroup_mma: {what} must be {layout.elements} {t} elements")


METAL = Dialect("metal", [KernelOp, ThreadPositionOp, ThreadgroupPositionOp, ThreadInThreadgroupOp,
                          ThreadgroupArrayOp, BarrierOp, ForOp, EndForOp, VarOp, ConstOp, AssignOp, LoadOp,
                          StoreOp, VLoadOp, VStoreOp, BinaryOp, CompareOp, UnaryOp, CallOp, SelectOp, ConvertOp, AsTypeOp, SimdgroupMmaOp])

__all__ = ["METAL", "MSL_TYPES", "MSL_STORAGE_TYPES", "MSL_VERSIONS", "KernelOp"]
