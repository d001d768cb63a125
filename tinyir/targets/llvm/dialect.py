"""The `llir` dialect: the LLVM IR instructions tinyir kernels need, one op per instruction.

Values have LLVM's signless types (`i1 i8 i16 i32 i64 f16 f32 f64`); signedness lives in the
instruction (`sdiv`/`udiv`, `ashr`/`lshr`, `sitofp`/`uitofp`). Pointers are typed,
`!llir.ptr<f32>` or `!llir.ptr<f32, 1>` (element type, address space), and print as LLVM's opaque
`ptr` / `ptr addrspace(1)`; the element type lets the verifiers check loads, stores and GEPs.

Control flow is structured inside a single-block `llir.kernel`: `llir.loop_begin`/`llir.loop_end`
(a counted loop; its result is the induction variable) and `llir.if_begin`/`llir.if_end` (a guarded
section). The emitter expands them into real basic blocks, with a `phi` for each induction variable.
Accumulators are `llir.alloca` slots, promoted to registers by LLVM's mem2reg.

Target details (triple, data layout, calling convention) are kernel attributes, so the same
dialect serves the CPU (host triple, C calling convention) and GPU targets (e.g. amdgcn).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import ClassVar

from xdsl.dialects.builtin import (
    ArrayAttr,
    FloatAttr,
    IntAttr,
    IntegerAttr,
    IntegerType,
    Signedness,
    StringAttr,
    UnregisteredOp,
    f16,
    f32,
    f64,
    i1,
    i32,
)
from xdsl.ir import (
    Attribute,
    BlockArgument,
    Dialect,
    Operation,
    OpResult,
    ParametrizedAttribute,
    Region,
    SSAValue,
    TypeAttribute,
)
from xdsl.irdl import (
    AnyAttr,
    AttrSizedOperandSegments,
    IRDLOperation,
    VarConstraint,
    base,
    irdl_attr_definition,
    irdl_op_definition,
    lazy_traits_def,
    operand_def,
    opt_prop_def,
    opt_result_def,
    prop_def,
    region_def,
    result_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.parser import AttrParser, Parser
from xdsl.printer import Printer
from xdsl.traits import HasParent, IsTerminator, Pure
from xdsl.utils.exceptions import VerifyException

# ---------------------------------------------------------------- types

FLOAT_TYPES: tuple[Attribute, ...] = (f16, f32, f64)
INT_WIDTHS: tuple[int, ...] = (1, 8, 16, 32, 64)


def is_llvm_float(t: Attribute) -> bool:
    return t in FLOAT_TYPES


def is_llvm_int(t: Attribute) -> bool:
    """A signless integer type LLVM has (i1, i8, i16, i32, i64)."""
    return isinstance(t, IntegerType) and t.signedness.data == Signedness.SIGNLESS and t.width.data in INT_WIDTHS


def bit_width(t: Attribute) -> int:
    if isinstance(t, IntegerType):
        return t.width.data
    return {f16: 16, f32: 32, f64: 64}[t]


def _check_scalar(t: Attribute, what: str) -> None:
    if not (is_llvm_float(t) or is_llvm_int(t)):
        raise VerifyException(f"{what} must be a signless integer or float type, got {t}")


@irdl_attr_definition
class PtrType(ParametrizedAttribute, TypeAttribute):
    """A pointer to `element_type` in `addrspace`: `!llir.ptr<f32>`, `!llir.ptr<f32, 1>`."""

    name = "llir.ptr"

    element_type: Attribute
    addrspace: IntAttr

    def __init__(self, element_type: Attribute, addrspace: int = 0):
        super().__init__(element_type, IntAttr(addrspace))

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            element = parser.parse_type()
            space = parser.parse_integer() if parser.parse_optional_punctuation(",") else 0
        return (element, IntAttr(space))

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_attribute(self.element_type)
            if self.addrspace.data:
                printer.print_string(f", {self.addrspace.data}")

    def verify(self) -> None:
        _check_scalar(self.element_type, "pointer element type")
        if self.addrspace.data < 0:
            raise VerifyException(f"address space must be >= 0, got {self.addrspace.data}")


# ---------------------------------------------------------------- kernel and structured control


@irdl_op_definition
class RetOp(IRDLOperation):
    """`ret void`: the last op of a kernel."""

    name = "llir.ret"
    traits = lazy_traits_def(lambda: (IsTerminator(), HasParent(KernelOp)))
    assembly_format = "attr-dict"


KERNEL_TARGET_PROPS = ("triple", "datalayout", "calling_conv")  # printed in the attribute dict


@irdl_op_definition
class KernelOp(IRDLOperation):
    """A `void` function over buffer pointers; operands are the host buffers it is launched on.

    `global_size` is the launch grid (the CPU kernel loops over it itself); `triple`, `datalayout`
    and `calling_conv` default to the host (empty) and LLVM's C calling convention.
    """

    name = "llir.kernel"

    sym_name = prop_def(StringAttr)
    args = var_operand_def(AnyAttr())
    global_size = prop_def(ArrayAttr[IntAttr])
    triple = opt_prop_def(StringAttr)
    datalayout = opt_prop_def(StringAttr)
    calling_conv = opt_prop_def(StringAttr)
    body = region_def("single_block")

    # llir.kernel "k0" (%a, %b) : T0, T1 global [16, 4] attributes {calling_conv = "..."} { ^bb0(...): ... }

    def __init__(self, name: str, args: Sequence[SSAValue], global_size: Sequence[int], body: Region,
                 calling_conv: str | None = None, triple: str | None = None):
        props: dict[str, Attribute] = {
            "sym_name": StringAttr(name),
            "global_size": ArrayAttr(IntAttr(s) for s in global_size),
        }
        if calling_conv:
            props["calling_conv"] = StringAttr(calling_conv)
        if triple:
            props["triple"] = StringAttr(triple)
        super().__init__(operands=[args], properties=props, regions=[body])

    @classmethod
    def parse(cls, parser: Parser) -> KernelOp:
        name = parser.parse_str_literal()
        args = parser.parse_comma_separated_list(parser.Delimiter.PAREN, parser.parse_unresolved_operand)
        types: list[Attribute] = []
        if args:
            parser.parse_punctuation(":")
            types = [parser.parse_type()]
            while parser.parse_optional_punctuation(","):
                types.append(parser.parse_type())
        operands = parser.resolve_operands(args, types, parser.pos)
        parser.parse_keyword("global")
        sizes = parser.parse_comma_separated_list(parser.Delimiter.SQUARE, parser.parse_integer)
        extra = parser.parse_optional_attr_dict_with_keyword()
        body = parser.parse_region()
        op = cls(name, operands, sizes, body)
        for key, value in (extra.data.items() if extra else ()):
            if key in KERNEL_TARGET_PROPS:
                op.properties[key] = value
            else:
                op.attributes[key] = value
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_string_literal(self.sym_name.data)
        printer.print_string(" (")
        printer.print_list(self.args, printer.print_operand)
        printer.print_string(")")
        if self.args:
            printer.print_string(" : ")
            printer.print_list((a.type for a in self.args), printer.print_attribute)
        printer.print_string(f" global [{', '.join(str(s.data) for s in self.global_size)}]")
        extra = {k: v for k, v in self.properties.items() if k in KERNEL_TARGET_PROPS} | dict(self.attributes)
        printer.print_op_attributes(extra, print_keyword=True)
        printer.print_string(" ")
        printer.print_region(self.body, print_entry_block_args=True)

    def verify_(self) -> None:
        block = self.body.block
        if len(block.args) != len(self.args):
            raise VerifyException(f"kernel has {len(self.args)} operands but {len(block.args)} block arguments")
        for i, arg in enumerate(block.args):
            if not isinstance(arg.type, PtrType):
                raise VerifyException(f"kernel parameter {i} must be an !llir.ptr, got {arg.type}")
        if any(s.data <= 0 for s in self.global_size):
            raise VerifyException("global_size entries must be positive")
        foreign = next((op for op in block.ops if not is_llir_op(op)), None)
        if foreign is not None:
            name = foreign.op_name.data if isinstance(foreign, UnregisteredOp) else foreign.name
            raise VerifyException(f"kernel body may only hold llir ops, got {name}")
        if not isinstance(block.last_op, RetOp):
            raise VerifyException("kernel body must end with llir.ret")
        _verify_structure(block.ops)
        for op in block.ops:  # the host splits the last grid entry: the parallel loop must span it
            if isinstance(op, LoopBeginOp) and "parallel" in op.attributes:
                extent = self.global_size.data[-1].data
                if (op.lower.data, op.upper.data) != (0, extent):
                    raise VerifyException(f"the parallel loop must run over 0 to {extent} (the last global_size "
                                          f"entry), not {op.lower.data} to {op.upper.data}")


def _verify_structure(ops: Iterable[Operation]) -> None:
    """Check that loop/if markers nest, and that no value is used outside the scope defining it
    (allocas excepted: the emitter hoists them into the entry block)."""
    stack: list[Operation] = []
    parallel = False
    scope_of: dict[int, tuple[int, ...]] = {}  # op id -> path of open scope ops (by id)
    for op in ops:
        kind = type(op)  # llir op classes have no subclasses: a class test, not isinstance (ABC checks)
        if kind is LoopEndOp:
            if not stack or stack[-1] is not op.loop.owner:
                raise VerifyException("llir.loop_end does not close the innermost open llir.loop_begin")
            stack.pop()
        elif kind is IfEndOp:
            if not stack or type(stack[-1]) is not IfBeginOp:
                raise VerifyException("llir.if_end does not close an open llir.if_begin")
            stack.pop()
        path = tuple(id(s) for s in stack)
        for operand in op.operands:
            owner = operand.owner
            def_path = None if type(owner) is AllocaOp else scope_of.get(id(owner))
            if def_path is not None and path[: len(def_path)] != def_path and kind is not LoopEndOp:
                raise VerifyException(f"{op.name} uses a value defined inside a loop or if that has ended")
        scope_of[id(op)] = path
        if kind is LoopBeginOp and "parallel" in op.attributes:
            if stack:
                raise VerifyException("a parallel llir.loop_begin must be at the top level of the kernel")
            if parallel:
                raise VerifyException("a kernel has at most one parallel llir.loop_begin")
            parallel = True
        if kind is LoopBeginOp or kind is IfBeginOp:
            stack.append(op)
            scope_of[id(op)] = tuple(id(s) for s in stack)  # the induction variable lives inside
    if stack:
        raise VerifyException(f"{stack[-1].name} is never closed")


@irdl_op_definition
class LoopBeginOp(IRDLOperation):
    """`%i = llir.loop_begin 0 to 16 : i32`: a counted loop; `%i` runs over [lower, upper).

    A loop made from a grid index carries its name, `{dim = "gidx0"}`; the kernel's grid is read
    from those. `{parallel}` (at most one loop, at the top level) splits the loop over threads:
    the kernel function takes the part to run, [start, end) within [lower, upper), as two trailing
    i32 parameters, and the host runs the parts on several threads (every part writes its own
    elements). `{vectorize = false}` asks LLVM not to vectorize the loop (so that the SLP
    vectorizer packs the copies of an upcast body instead).
    """

    name = "llir.loop_begin"

    lower = prop_def(IntAttr)
    upper = prop_def(IntAttr)
    iv = result_def(IntegerType)
    traits = lazy_traits_def(lambda: (HasParent(KernelOp),))

    def __init__(self, lower: int, upper: int, type: Attribute):
        init_fixed(self, (), [type], {"lower": IntAttr(lower), "upper": IntAttr(upper)})

    @classmethod
    def parse(cls, parser: Parser) -> LoopBeginOp:
        lower = parser.parse_integer()
        parser.parse_keyword("to")
        upper = parser.parse_integer()
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        op = cls(lower, upper, parser.parse_type())
        op.attributes.update(attrs)
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.lower.data} to {self.upper.data}")
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        printer.print_attribute(self.iv.type)

    def verify_(self) -> None:
        if not is_llvm_int(self.iv.type) or self.iv.type.width.data < 8:
            raise VerifyException(f"induction variable must be i8..i64, got {self.iv.type}")
        if self.upper.data <= self.lower.data:
            raise VerifyException(f"empty loop: upper {self.upper.data} <= lower {self.lower.data}")
        if "parallel" in self.attributes and self.iv.type != IntegerType(32):
            raise VerifyException("a parallel loop's induction variable must be i32 (its bounds are i32 parameters)")
        vectorize = self.attributes.get("vectorize")
        if vectorize is not None and not (isinstance(vectorize, IntegerAttr) and vectorize.type == IntegerType(1)):
            raise VerifyException(f"vectorize must be true or false, got {vectorize}")


@irdl_op_definition
class LoopEndOp(IRDLOperation):
    """`llir.loop_end %i`: the end of the loop whose induction variable is `%i`."""

    name = "llir.loop_end"

    loop = operand_def(IntegerType)
    traits = lazy_traits_def(lambda: (HasParent(KernelOp),))
    assembly_format = "$loop attr-dict `:` type($loop)"

    def __init__(self, loop: SSAValue):
        init_fixed(self, [loop])

    def verify_(self) -> None:
        if not isinstance(self.loop.owner, LoopBeginOp):
            raise VerifyException("llir.loop_end operand must be the result of an llir.loop_begin")


@irdl_op_definition
class IfBeginOp(IRDLOperation):
    """`llir.if_begin %c`: the ops up to the matching `llir.if_end` run only when `%c` is true."""

    name = "llir.if_begin"

    cond = operand_def(IntegerType(1))
    traits = lazy_traits_def(lambda: (HasParent(KernelOp),))
    assembly_format = "$cond attr-dict"

    def __init__(self, cond: SSAValue):
        init_fixed(self, [cond])


@irdl_op_definition
class IfEndOp(IRDLOperation):
    name = "llir.if_end"
    traits = lazy_traits_def(lambda: (HasParent(KernelOp),))
    assembly_format = "attr-dict"


# ---------------------------------------------------------------- constants and arithmetic


@irdl_op_definition
class ConstantOp(IRDLOperation):
    """`%c = llir.constant 1.5 : f32` (also `-inf`, `nan`, `true`); the emitter inlines the literal."""

    name = "llir.constant"

    value = prop_def(base(IntegerAttr) | base(FloatAttr))
    result = result_def()
    traits = traits_def(Pure())

    def __init__(self, value: int | float | bool, type: Attribute):
        attr = FloatAttr(float(value), type) if is_llvm_float(type) else IntegerAttr(int(value), type)
        init_fixed(self, (), [type], {"value": attr})

    @classmethod
    def parse(cls, parser: Parser) -> ConstantOp:
        if parser.parse_optional_keyword("true") is not None:
            number: int | float = 1
        elif parser.parse_optional_keyword("false") is not None:
            number = 0
        else:
            negative = parser.parse_optional_punctuation("-") is not None
            if parser.parse_optional_keyword("inf") is not None:
                number = math.inf
            elif parser.parse_optional_keyword("nan") is not None:
                number = math.nan
            else:
                number = parser.parse_number()
            number = -number if negative else number
        parser.parse_punctuation(":")
        typ = parser.parse_type()
        return cls(number, typ)

    def print(self, printer: Printer) -> None:
        typ = self.result.type
        v = self.value.value.data
        text = ("true" if v else "false") if typ == IntegerType(1) else repr(v)
        printer.print_string(f" {text} : ")
        printer.print_attribute(typ)

    def verify_(self) -> None:
        _check_scalar(self.result.type, "constant type")
        if self.value.type != self.result.type:
            raise VerifyException(f"constant value type {self.value.type} differs from result type {self.result.type}")


def init_fixed(op: IRDLOperation, operands: Sequence[SSAValue | Operation] = (),
               result_types: Sequence[Attribute] = (), properties: dict[str, Attribute] | None = None) -> None:
    """Build an op whose definition has only single operands and results (no variadic or optional
    groups, regions or successors) straight through `Operation.__init__`: the IRDL builder's
    argument-list checks were a third of the cost of each op uop-to-llvm makes, and say nothing
    for such ops (`verify_` still checks them). `FIXED_ARITY_OPS` lists the users; a test compares
    each with the IRDL builder's op. (FAST-INIT)"""
    Operation.__init__(op, operands=[value_of(v) for v in operands], result_types=result_types,
                       properties=properties or {})


# the classes of SSA values, tested by identity: `SSAValue.get` asks an ABC's isinstance
_VALUE_TYPES = frozenset((OpResult, BlockArgument))


def value_of(v: SSAValue | Operation) -> SSAValue:
    """`SSAValue.get(v)` (an op's single result), with a value's class tested first (FAST-INIT)."""
    if type(v) in _VALUE_TYPES:
        return v
    if isinstance(v, Operation) and len(results := v.results) == 1:
        return results[0]
    return SSAValue.get(v)  # its error


# LLVM's fast-math flags, allowed as `{fastmath = "reassoc nsz"}` on float binary ops.
FASTMATH_FLAGS = ("reassoc", "nnan", "ninf", "nsz", "arcp", "contract", "afn", "fast")
# No-wrap flags, `{overflow = "nuw nsw"}` on add/sub/mul/shl: a promise (proven by the producer)
# that the result does not overflow; LLVM's address analysis needs it to see contiguous accesses.
OVERFLOW_FLAGS = ("nsw", "nuw")
OVERFLOW_OPS = ("llir.add", "llir.sub", "llir.mul", "llir.shl")


class _BinaryOp(IRDLOperation):
    """`%z = llir.fadd %x, %y : f32`; float ops may carry `{fastmath = "reassoc"}`, integer
    add/sub/mul/shl `{overflow = "nsw"}`."""

    T: ClassVar = VarConstraint("T", AnyAttr())
    lhs = operand_def(T)
    rhs = operand_def(T)
    result = result_def(T)
    traits = traits_def(Pure())
    assembly_format = "$lhs `,` $rhs attr-dict `:` type($result)"
    OPERAND_KIND: ClassVar[str] = "int"  # "int" or "float"

    def __init__(self, lhs: SSAValue | Operation, rhs: SSAValue | Operation):
        lhs = value_of(lhs)
        init_fixed(self, [lhs, rhs], [lhs.type])

    def verify_(self) -> None:
        ok = is_llvm_float(self.result.type) if self.OPERAND_KIND == "float" else is_llvm_int(self.result.type)
        if not ok:
            raise VerifyException(f"{self.name} needs {self.OPERAND_KIND} operands, got {self.result.type}")
        flags = self.attributes.get("fastmath")
        if flags is not None:
            if self.OPERAND_KIND != "float":
                raise VerifyException(f"{self.name}: fastmath flags are for float instructions only")
            bad = [f for f in getattr(flags, "data", "?").split() if f not in FASTMATH_FLAGS]
            if not isinstance(flags, StringAttr) or bad:
                raise VerifyException(f"{self.name}: unknown fastmath flags {bad or flags} "
                                      f"(known: {', '.join(FASTMATH_FLAGS)})")
        overflow = self.attributes.get("overflow")
        if overflow is not None:
            if self.name not in OVERFLOW_OPS:
                raise VerifyException(f"{self.name}: overflow flags are for {', '.join(OVERFLOW_OPS)} only")
            bad = [f for f in getattr(overflow, "data", "?").split() if f not in OVERFLOW_FLAGS]
            if not isinstance(overflow, StringAttr) or bad:
                raise VerifyException(f"{self.name}: unknown overflow flags {bad or overflow} "
                                      f"(known: {', '.join(OVERFLOW_FLAGS)})")


def _binary(op_name: str, kind: str, doc: str) -> type[_BinaryOp]:
    cls = type(op_name.title().replace("_", "") + "Op", (_BinaryOp,),
               {"name": f"llir.{op_name}", "OPERAND_KIND": kind, "__doc__": doc,
                "__annotations__": {"OPERAND_KIND": ClassVar[str]}})
    return irdl_op_definition(cls)


FAddOp = _binary("fadd", "float", "float addition")
FSubOp = _binary("fsub", "float", "float subtraction")
FMulOp = _binary("fmul", "float", "float multiplication")
FDivOp = _binary("fdiv", "float", "float division")
FRemOp = _binary("frem", "float", "float remainder (sign of the dividend)")
AddOp = _binary("add", "int", "wrapping integer addition")
SubOp = _binary("sub", "int", "wrapping integer subtraction")
MulOp = _binary("mul", "int", "wrapping integer multiplication")
SDivOp = _binary("sdiv", "int", "signed division, truncating toward zero")
SRemOp = _binary("srem", "int", "signed remainder, sign of the dividend")
UDivOp = _binary("udiv", "int", "unsigned division")
URemOp = _binary("urem", "int", "unsigned remainder")
AndOp = _binary("and", "int", "bitwise and")
OrOp = _binary("or", "int", "bitwise or")
XorOp = _binary("xor", "int", "bitwise xor")
ShlOp = _binary("shl", "int", "shift left")
AShrOp = _binary("ashr", "int", "arithmetic shift right")
LShrOp = _binary("lshr", "int", "logical shift right")

BINARY_OPS: tuple[type[_BinaryOp], ...] = (
    FAddOp, FSubOp, FMulOp, FDivOp, FRemOp, AddOp, SubOp, MulOp, SDivOp, SRemOp, UDivOp, URemOp,
    AndOp, OrOp, XorOp, ShlOp, AShrOp, LShrOp,
)


@irdl_op_definition
class FNegOp(IRDLOperation):
    """Float negation (flips the sign bit, also of 0 and NaN)."""

    name = "llir.fneg"
    T: ClassVar = VarConstraint("T", AnyAttr())
    operand = operand_def(T)
    result = result_def(T)
    traits = traits_def(Pure())
    assembly_format = "$operand attr-dict `:` type($result)"

    def __init__(self, operand: SSAValue | Operation):
        operand = value_of(operand)
        init_fixed(self, [operand], [operand.type])

    def verify_(self) -> None:
        if not is_llvm_float(self.result.type):
            raise VerifyException(f"llir.fneg needs a float operand, got {self.result.type}")


FCMP_PREDICATES = ("false", "oeq", "ogt", "oge", "olt", "ole", "one", "ord",
                   "ueq", "ugt", "uge", "ult", "ule", "une", "uno", "true")
ICMP_PREDICATES = ("eq", "ne", "ugt", "uge", "ult", "ule", "sgt", "sge", "slt", "sle")


class _CmpOp(IRDLOperation):
    """`%m = llir.fcmp olt %x, %y : f32`: compares, giving an i1."""

    T: ClassVar = VarConstraint("T", AnyAttr())
    predicate = prop_def(StringAttr)
    lhs = operand_def(T)
    rhs = operand_def(T)
    result = result_def(IntegerType(1))
    traits = traits_def(Pure())
    PREDICATES: ClassVar[tuple[str, ...]] = ()

    def __init__(self, predicate: str, lhs: SSAValue, rhs: SSAValue):
        init_fixed(self, [lhs, rhs], [i1], {"predicate": StringAttr(predicate)})

    @classmethod
    def parse(cls, parser: Parser) -> _CmpOp:
        pred = parser.parse_identifier()
        lhs = parser.parse_unresolved_operand()
        parser.parse_punctuation(",")
        rhs = parser.parse_unresolved_operand()
        parser.parse_punctuation(":")
        typ = parser.parse_type()
        lhs_v, rhs_v = parser.resolve_operands([lhs, rhs], [typ, typ], parser.pos)
        return cls(pred, lhs_v, rhs_v)

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.predicate.data} ")
        printer.print_operand(self.lhs)
        printer.print_string(", ")
        printer.print_operand(self.rhs)
        printer.print_string(" : ")
        printer.print_attribute(self.lhs.type)

    def verify_(self) -> None:
        if self.predicate.data not in self.PREDICATES:
            raise VerifyException(f"{self.name}: unknown predicate '{self.predicate.data}' "
                                  f"(expected one of {', '.join(self.PREDICATES)})")


@irdl_op_definition
class FCmpOp(_CmpOp):
    name = "llir.fcmp"
    PREDICATES: ClassVar[tuple[str, ...]] = FCMP_PREDICATES

    def verify_(self) -> None:
        super().verify_()
        if not is_llvm_float(self.lhs.type):
            raise VerifyException(f"llir.fcmp needs float operands, got {self.lhs.type}")


@irdl_op_definition
class ICmpOp(_CmpOp):
    name = "llir.icmp"
    PREDICATES: ClassVar[tuple[str, ...]] = ICMP_PREDICATES

    def verify_(self) -> None:
        super().verify_()
        if not is_llvm_int(self.lhs.type):
            raise VerifyException(f"llir.icmp needs integer operands, got {self.lhs.type}")


@irdl_op_definition
class SelectOp(IRDLOperation):
    """`%z = llir.select %c, %x, %y : f32`: `%x` where `%c` is true, else `%y`."""

    name = "llir.select"
    T: ClassVar = VarConstraint("T", AnyAttr())
    cond = operand_def(IntegerType(1))
    true_value = operand_def(T)
    false_value = operand_def(T)
    result = result_def(T)
    traits = traits_def(Pure())
    assembly_format = "$cond `,` $true_value `,` $false_value attr-dict `:` type($result)"

    def __init__(self, cond: SSAValue | Operation, true_value: SSAValue | Operation,
                 false_value: SSAValue | Operation):
        true_value = value_of(true_value)
        init_fixed(self, [cond, true_value, false_value], [true_value.type])


# ---------------------------------------------------------------- casts


class _CastOp(IRDLOperation):
    """`%y = llir.sitofp %x : i32 to f32`."""

    operand = operand_def()
    result = result_def()
    traits = traits_def(Pure())
    assembly_format = "$operand attr-dict `:` type($operand) `to` type($result)"
    SOURCE_KIND: ClassVar[str] = "int"
    RESULT_KIND: ClassVar[str] = "int"
    WIDTH_CHANGE: ClassVar[str] = "any"  # "wider", "narrower", "same", "any"

    def __init__(self, operand: SSAValue, type: Attribute):
        init_fixed(self, [operand], [type])

    def verify_(self) -> None:
        src, dst = self.operand.type, self.result.type
        for t, kind, what in ((src, self.SOURCE_KIND, "source"), (dst, self.RESULT_KIND, "result")):
            good = {"int": is_llvm_int, "float": is_llvm_float,
                    "any": lambda x: is_llvm_int(x) or is_llvm_float(x)}[kind](t)
            if not good:
                raise VerifyException(f"{self.name}: {what} type must be {kind}, got {t}")
        ws, wd = bit_width(src), bit_width(dst)
        wrong = {"wider": wd <= ws, "narrower": wd >= ws, "same": wd != ws, "any": False}[self.WIDTH_CHANGE]
        if wrong:
            raise VerifyException(f"{self.name}: result width {wd} must be {self.WIDTH_CHANGE} than source width {ws}"
                                  if self.WIDTH_CHANGE != "same" else
                                  f"{self.name}: source and result widths differ ({ws} vs {wd})")


def _cast(op_name: str, src: str, dst: str, width: str) -> type[_CastOp]:
    cls = type(op_name.title() + "Op", (_CastOp,), {
        "name": f"llir.{op_name}", "SOURCE_KIND": src, "RESULT_KIND": dst, "WIDTH_CHANGE": width,
        "__doc__": f"{op_name}: {src} to {dst} ({width} width)",
        "__annotations__": {k: ClassVar[str] for k in ("SOURCE_KIND", "RESULT_KIND", "WIDTH_CHANGE")}})
    return irdl_op_definition(cls)


SIToFPOp = _cast("sitofp", "int", "float", "any")
UIToFPOp = _cast("uitofp", "int", "float", "any")
FPToSIOp = _cast("fptosi", "float", "int", "any")
FPToUIOp = _cast("fptoui", "float", "int", "any")
FPExtOp = _cast("fpext", "float", "float", "wider")
FPTruncOp = _cast("fptrunc", "float", "float", "narrower")
TruncOp = _cast("trunc", "int", "int", "narrower")
ZExtOp = _cast("zext", "int", "int", "wider")
SExtOp = _cast("sext", "int", "int", "wider")
BitcastOp = _cast("bitcast", "any", "any", "same")

CAST_OPS: tuple[type[_CastOp], ...] = (SIToFPOp, UIToFPOp, FPToSIOp, FPToUIOp, FPExtOp, FPTruncOp,
                                       TruncOp, ZExtOp, SExtOp, BitcastOp)


# ---------------------------------------------------------------- memory and calls


@irdl_op_definition
class GEPOp(IRDLOperation):
    """`%p = llir.gep %base[%i] : !llir.ptr<f32>, i32`: `getelementptr inbounds` by one element index."""

    name = "llir.gep"
    P: ClassVar = VarConstraint("P", base(PtrType))
    base_ptr = operand_def(P)
    index = operand_def(IntegerType)
    result = result_def(P)
    traits = traits_def(Pure())
    assembly_format = "$base_ptr `[` $index `]` attr-dict `:` type($base_ptr) `,` type($index)"

    def __init__(self, base_ptr: SSAValue | Operation, index: SSAValue | Operation,
                 result_type: PtrType | None = None):
        base_ptr = value_of(base_ptr)
        # `result_type` is for lowerings that build GEPs on buffers whose type is still the host's.
        init_fixed(self, [base_ptr, index], [result_type or base_ptr.type])

    def verify_(self) -> None:
        if not is_llvm_int(self.index.type) or self.index.type.width.data < 8:
            raise VerifyException(f"llir.gep index must be an integer of 8..64 bits, got {self.index.type}")


@irdl_op_definition
class LoadOp(IRDLOperation):
    """`%v = llir.load %p : !llir.ptr<f32> -> f32`."""

    name = "llir.load"
    ptr = operand_def(PtrType)
    result = result_def()
    assembly_format = "$ptr attr-dict `:` type($ptr) `->` type($result)"

    def __init__(self, ptr: SSAValue | Operation):
        ptr = value_of(ptr)
        assert isinstance(ptr.type, PtrType)
        init_fixed(self, [ptr], [ptr.type.element_type])

    def verify_(self) -> None:
        assert isinstance(self.ptr.type, PtrType)
        if self.result.type != self.ptr.type.element_type:
            raise VerifyException(f"llir.load of {self.ptr.type} cannot give {self.result.type}")


@irdl_op_definition
class StoreOp(IRDLOperation):
    """`llir.store %v, %p : f32, !llir.ptr<f32>`."""

    name = "llir.store"
    value = operand_def()
    ptr = operand_def(PtrType)
    assembly_format = "$value `,` $ptr attr-dict `:` type($value) `,` type($ptr)"

    def __init__(self, value: SSAValue, ptr: SSAValue):
        init_fixed(self, [value, ptr])

    def verify_(self) -> None:
        assert isinstance(self.ptr.type, PtrType)
        if self.value.type != self.ptr.type.element_type:
            raise VerifyException(f"llir.store of {self.value.type} through {self.ptr.type}")


def _verify_lanes(op: Operation, ptr: SSAValue, lanes: Sequence[SSAValue]) -> None:
    assert isinstance(ptr.type, PtrType)
    if len(lanes) not in (2, 4):
        raise VerifyException(f"{op.name}: 2 or 4 lanes, got {len(lanes)}")
    if any(lane.type != ptr.type.element_type for lane in lanes):
        raise VerifyException(f"{op.name}: every lane must be the pointer's element type {ptr.type.element_type}")


@irdl_op_definition
class VLoadOp(IRDLOperation):
    """`%a, %b, %c, %d = llir.vload %p : !llir.ptr<f32, 1> -> 4 x f32`: `load <4 x float>, ptr %p, align 16`
    (aligned to the whole vector) and one `extractelement` per lane."""

    name = "llir.vload"
    ptr = operand_def(PtrType)
    lanes = var_result_def()

    def __init__(self, ptr: SSAValue | Operation, width: int):
        ptr = value_of(ptr)
        assert isinstance(ptr.type, PtrType)
        super().__init__(operands=[ptr], result_types=[[ptr.type.element_type] * width])

    def verify_(self) -> None:
        _verify_lanes(self, self.ptr, self.lanes)

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_operand(self.ptr)
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        printer.print_attribute(self.ptr.type)
        printer.print_string(f" -> {len(self.lanes)} x ")
        printer.print_attribute(self.lanes[0].type if self.lanes else i32)

    @classmethod
    def parse(cls, parser: Parser) -> VLoadOp:
        ptr = parser.parse_unresolved_operand()
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        ptr_type = parser.parse_type()
        parser.parse_punctuation("->")
        width = parser.parse_integer(allow_boolean=False, allow_negative=False)
        parser.parse_keyword("x")
        lane_type = parser.parse_type()
        op = cls.create(operands=[parser.resolve_operand(ptr, ptr_type)], result_types=[lane_type] * width)
        op.attributes |= attrs
        return op


@irdl_op_definition
class VStoreOp(IRDLOperation):
    """`llir.vstore %a, %b, %c, %d, %p : f32, !llir.ptr<f32, 1>`: the lanes `insertelement`ed into a vector,
    then `store <4 x float> %v, ptr %p, align 16`."""

    name = "llir.vstore"
    values = var_operand_def()
    ptr = operand_def(PtrType)
    irdl_options = (AttrSizedOperandSegments(as_property=True),)

    def __init__(self, values: Sequence[SSAValue | Operation], ptr: SSAValue | Operation):
        super().__init__(operands=[[SSAValue.get(v) for v in values], SSAValue.get(ptr)])

    def verify_(self) -> None:
        _verify_lanes(self, self.ptr, self.values)

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_list(self.values, printer.print_operand)
        printer.print_string(", ")
        printer.print_operand(self.ptr)
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        printer.print_attribute(self.values[0].type if self.values else i32)
        printer.print_string(", ")
        printer.print_attribute(self.ptr.type)

    @classmethod
    def parse(cls, parser: Parser) -> VStoreOp:
        operands = parser.parse_comma_separated_list(parser.Delimiter.NONE, parser.parse_unresolved_operand)
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        lane_type = parser.parse_type()
        parser.parse_punctuation(",")
        ptr_type = parser.parse_type()
        *values, ptr = operands
        op = cls([parser.resolve_operand(v, lane_type) for v in values], parser.resolve_operand(ptr, ptr_type))
        op.attributes |= attrs
        return op


@irdl_op_definition
class MaskedVLoadOp(IRDLOperation):
    """`%a, %b = llir.masked_vload %p[%i], %g0, %g1 : !llir.ptr<f32>, i32 -> 2 x f32`: elements i, i+1, ...
    of the buffer, lane k read only where gate k is true and 0 elsewhere (`llvm.masked.load`, which
    touches no gated-off lane's memory, so lane 0 may lie before the buffer). The CPU lowering
    (tinyir/targets/llvm/masked_loads.py) makes it from a run of gated loads, one gate per lane."""

    name = "llir.masked_vload"
    base_ptr = operand_def()  # a pointer once the kernel is lowered (the host buffer before)
    index = operand_def(IntegerType)
    gates = var_operand_def()
    lanes = var_result_def()

    def __init__(self, base_ptr: SSAValue | Operation, index: SSAValue | Operation,
                 gates: Sequence[SSAValue | Operation], lane_type: Attribute):
        super().__init__(operands=[SSAValue.get(base_ptr), SSAValue.get(index), [SSAValue.get(g) for g in gates]],
                         result_types=[[lane_type] * len(gates)])

    def verify_(self) -> None:
        if len(self.gates) != len(self.lanes) or len(self.lanes) < 2:
            raise VerifyException(f"{self.name}: one gate per lane and at least 2 lanes, got "
                                  f"{len(self.gates)} gates for {len(self.lanes)} lanes")
        if any(g.type != i1 for g in self.gates):
            raise VerifyException(f"{self.name}: gates must be i1")
        if isinstance(self.base_ptr.type, PtrType) and any(v.type != self.base_ptr.type.element_type
                                                           for v in self.lanes):
            raise VerifyException(f"{self.name}: every lane must be the pointer's element type")

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_operand(self.base_ptr)
        printer.print_string("[")
        printer.print_operand(self.index)
        printer.print_string("], ")
        printer.print_list(self.gates, printer.print_operand)
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        printer.print_attribute(self.base_ptr.type)
        printer.print_string(", ")
        printer.print_attribute(self.index.type)
        printer.print_string(f" -> {len(self.lanes)} x ")
        printer.print_attribute(self.lanes[0].type if self.lanes else i32)

    @classmethod
    def parse(cls, parser: Parser) -> MaskedVLoadOp:
        base_ptr = parser.parse_unresolved_operand()
        parser.parse_punctuation("[")
        index = parser.parse_unresolved_operand()
        parser.parse_punctuation("]")
        parser.parse_punctuation(",")
        gates = parser.parse_comma_separated_list(parser.Delimiter.NONE, parser.parse_unresolved_operand)
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        ptr_type = parser.parse_type()
        parser.parse_punctuation(",")
        index_type = parser.parse_type()
        parser.parse_punctuation("->")
        parser.parse_integer(allow_boolean=False, allow_negative=False)
        parser.parse_keyword("x")
        lane_type = parser.parse_type()
        op = cls(parser.resolve_operand(base_ptr, ptr_type), parser.resolve_operand(index, index_type),
                 [parser.resolve_operand(g, i1) for g in gates], lane_type)
        op.attributes |= attrs
        return op


@irdl_op_definition
class AllocaOp(IRDLOperation):
    """`%a = llir.alloca : !llir.ptr<f32>`: one stack slot (an accumulator)."""

    name = "llir.alloca"
    result = result_def(PtrType)
    assembly_format = "attr-dict `:` type($result)"

    def __init__(self, element_type: Attribute, addrspace: int = 0):
        init_fixed(self, (), [PtrType(element_type, addrspace)])


@irdl_op_definition
class CallOp(IRDLOperation):
    """`%y = llir.call @llvm.sqrt.f32(%x) : (f32) -> f32`: a call of an LLVM intrinsic
    (`llir.call "llvm.amdgcn.s.barrier"() : () -> ()` for one that returns void)."""

    name = "llir.call"
    callee = prop_def(StringAttr)
    args = var_operand_def()
    result = opt_result_def()
    assembly_format = "$callee `(` $args `)` attr-dict `:` functional-type($args, $result)"

    def __init__(self, callee: str, args: Sequence[SSAValue], result_type: Attribute | None):
        super().__init__(operands=[args], result_types=[[result_type] if result_type is not None else []],
                         properties={"callee": StringAttr(callee)})

    def verify_(self) -> None:
        if not self.callee.data.startswith("llvm."):
            raise VerifyException(f"llir.call may only call LLVM intrinsics (llvm.*), got '{self.callee.data}'")
        for t in [*(a.type for a in self.args), *(r.type for r in self.results)]:
            _check_scalar(t, "llir.call argument/result type")


@irdl_op_definition
class VectorCallOp(IRDLOperation):
    """`%d0, %d1 = llir.vector_call "llvm.x"(%a0, %a1, %s) groups [2, 1] : (f16, f16, i32) -> (f32, f32)`:
    a call of an LLVM intrinsic that takes and returns vectors (matrix instructions). The arguments
    come in `groups`, each a run of scalars of one type: a group of n > 1 is `insertelement`ed into
    an `<n x T>` argument, a group of 1 is passed as a scalar; several results are the lanes of a
    vector result (one `extractelement` each). The callee carries its own overload suffix."""

    name = "llir.vector_call"
    callee = prop_def(StringAttr)
    groups = prop_def(ArrayAttr[IntAttr])
    args = var_operand_def()
    lanes = var_result_def()

    def __init__(self, callee: str, groups: Sequence[Sequence[SSAValue]], result_type: Attribute, lanes: int):
        args = [v for group in groups for v in group]
        super().__init__(operands=[args], result_types=[[result_type] * lanes],
                         properties={"callee": StringAttr(callee),
                                     "groups": ArrayAttr(IntAttr(len(g)) for g in groups)})

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_string_literal(self.callee.data)
        printer.print_string("(")
        printer.print_list(self.args, printer.print_operand)
        printer.print_string(f") groups [{', '.join(str(g.data) for g in self.groups.data)}]")
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : (")
        printer.print_list([a.type for a in self.args], printer.print_attribute)
        printer.print_string(") -> (")
        printer.print_list([r.type for r in self.lanes], printer.print_attribute)
        printer.print_string(")")

    @classmethod
    def parse(cls, parser: Parser) -> VectorCallOp:
        callee = parser.parse_str_literal()
        args = parser.parse_comma_separated_list(parser.Delimiter.PAREN, parser.parse_unresolved_operand)
        parser.parse_keyword("groups")
        sizes = parser.parse_comma_separated_list(parser.Delimiter.SQUARE, parser.parse_integer)
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        arg_types = parser.parse_comma_separated_list(parser.Delimiter.PAREN, parser.parse_type)
        parser.parse_punctuation("->")
        lane_types = parser.parse_comma_separated_list(parser.Delimiter.PAREN, parser.parse_type)
        if len(arg_types) != len(args):
            parser.raise_error(f"llir.vector_call: {len(args)} arguments but {len(arg_types)} types")
        op = cls.create(operands=[parser.resolve_operand(a, t) for a, t in zip(args, arg_types)],
                        result_types=lane_types,
                        properties={"callee": StringAttr(callee), "groups": ArrayAttr(IntAttr(n) for n in sizes)})
        op.attributes |= attrs
        return op

    def argument_groups(self) -> list[list[SSAValue]]:
        out, at = [], 0
        for size in self.groups.data:
            out.append(list(self.args[at:at + size.data]))
            at += size.data
        return out

    def verify_(self) -> None:
        if not self.callee.data.startswith("llvm."):
            raise VerifyException(f"llir.vector_call may only call LLVM intrinsics (llvm.*), got '{self.callee.data}'")
        sizes = [g.data for g in self.groups.data]
        if any(s < 1 for s in sizes) or sum(sizes) != len(self.args):
            raise VerifyException(f"llir.vector_call: groups {sizes} must be positive and cover the "
                                  f"{len(self.args)} arguments")
        if not self.lanes:
            raise VerifyException("llir.vector_call needs at least one result")
        for group in self.argument_groups():
            if len({v.type for v in group}) > 1:
                raise VerifyException("llir.vector_call: the arguments of one group must have one type")
        if len({r.type for r in self.lanes}) > 1:
            raise VerifyException("llir.vector_call: every result lane must have one type")
        for t in [*(a.type for a in self.args), self.lanes[0].type]:
            _check_scalar(t, "llir.vector_call argument/result type")


FENCE_ORDERINGS = ("acquire", "release", "acq_rel", "seq_cst")


@irdl_op_definition
class FenceOp(IRDLOperation):
    """`llir.fence release "workgroup"`: `fence syncscope("workgroup") release` (scope optional)."""

    name = "llir.fence"
    ordering = prop_def(StringAttr)
    syncscope = opt_prop_def(StringAttr)

    def __init__(self, ordering: str, syncscope: str | None = None):
        props = {"ordering": StringAttr(ordering)}
        if syncscope is not None:
            props["syncscope"] = StringAttr(syncscope)
        super().__init__(properties=props)

    @classmethod
    def parse(cls, parser: Parser) -> FenceOp:
        ordering = parser.parse_identifier()
        scope = parser.parse_optional_str_literal()
        op = cls(ordering, scope)
        op.attributes |= parser.parse_optional_attr_dict()
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.ordering.data}")
        if self.syncscope is not None:
            printer.print_string(" ")
            printer.print_string_literal(self.syncscope.data)
        printer.print_op_attributes(self.attributes)

    def verify_(self) -> None:
        if self.ordering.data not in FENCE_ORDERINGS:
            raise VerifyException(f"llir.fence ordering must be one of {', '.join(FENCE_ORDERINGS)}, "
                                  f"got '{self.ordering.data}'")


@irdl_op_definition
class GlobalArrayOp(IRDLOperation):
    """`%a = llir.global_array 256 : !llir.ptr<f32, 3>`: an internal module-level `[256 x float]` in
    the pointer's address space, left undefined (`poison`: AMDGPU LDS cannot be initialised); the
    result is its address. At the top level of a kernel."""

    name = "llir.global_array"
    size = prop_def(IntAttr)
    result = result_def(PtrType)

    def __init__(self, size: int, element_type: Attribute, addrspace: int):
        super().__init__(result_types=[PtrType(element_type, addrspace)], properties={"size": IntAttr(size)})

    @classmethod
    def parse(cls, parser: Parser) -> GlobalArrayOp:
        size = parser.parse_integer()
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        t = parser.parse_type()
        if not isinstance(t, PtrType):
            parser.raise_error(f"llir.global_array needs a !llir.ptr type, got {t}")
        op = cls(size, t.element_type, t.addrspace.data)
        op.attributes |= attrs
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.size.data}")
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        printer.print_attribute(self.result.type)

    def verify_(self) -> None:
        if self.size.data < 1:
            raise VerifyException(f"llir.global_array needs a positive size, got {self.size.data}")
        _check_scalar(self.result.type.element_type, "llir.global_array element type")
        if not isinstance(self.parent_op(), KernelOp):
            raise VerifyException("llir.global_array must be at the top level of an llir.kernel")


LLIR = Dialect(
    "llir",
    [KernelOp, RetOp, LoopBeginOp, LoopEndOp, IfBeginOp, IfEndOp, ConstantOp, FNegOp, FCmpOp, ICmpOp,
     SelectOp, GEPOp, LoadOp, StoreOp, VLoadOp, VStoreOp, MaskedVLoadOp, AllocaOp, CallOp, VectorCallOp, FenceOp, GlobalArrayOp, *BINARY_OPS, *CAST_OPS],
    [PtrType],
)

LLIR_OPS: tuple[type[IRDLOperation], ...] = tuple(LLIR.operations)
_LLIR_OP_TYPES = frozenset(LLIR_OPS)


# The ops built by `init_fixed` (FAST-INIT): each has only single operands and results.
FIXED_ARITY_OPS: tuple[type[IRDLOperation], ...] = (
    LoopBeginOp, LoopEndOp, IfBeginOp, ConstantOp, *BINARY_OPS, FNegOp, FCmpOp, ICmpOp, SelectOp,
    *CAST_OPS, GEPOp, LoadOp, StoreOp, AllocaOp)


def is_llir_op(op: object) -> bool:
    """`isinstance(op, LLIR_OPS)`, by the op's class first (LLIR-TEST): an isinstance test against
    the tuple's 50 ABC classes costs up to 50 checks, and the lowering and the kernel verifier ask it
    of every op of a kernel (1500 for a 64x64 matmul's register tile)."""
    return type(op) in _LLIR_OP_TYPES or isinstance(op, LLIR_OPS)


__all__ = ["LLIR", "LLIR_OPS", "FIXED_ARITY_OPS", "init_fixed", "value_of", "PtrType", "KernelOp", "BINARY_OPS", "CAST_OPS", "is_llir_op"]
