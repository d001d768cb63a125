"""The loop level `loop` (docs/ir.md section 3): a kernel as a dataflow graph over explicit ranges.

A `loop.kernel` body holds `loop.range`s, the `uop` scalar ops (index math, loads, ALU, store) and
`loop.reduce`s. There are no nested regions: a value depends on the ranges it uses transitively, and
a `loop.reduce` ends the reduce ranges it lists. Kernel optimizations rewrite ranges at this level.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from xdsl.dialects.builtin import I64, IntegerAttr, i32, i64
from xdsl.dialects.utils.enum_attribute import EnumAttribute
from xdsl.ir import Attribute, Dialect, Operation, SpacedOpaqueSyntaxAttribute, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    VarConstraint,
    irdl_attr_definition,
    irdl_op_definition,
    operand_def,
    prop_def,
    result_def,
    var_operand_def,
)
from xdsl.utils.exceptions import VerifyException
from xdsl.utils.str_enum import StrEnum

from tinyir.dialects import uop
from tinyir.dialects.uop import SCALAR, KernelBase, StoreOp

#: uop ops that only make sense in a linear uop.kernel (the loop level expresses them as ranges/reduces)
LINEAR_ONLY_UOPS = (uop.SpecialOp, uop.RangeOp, uop.EndRangeOp, uop.DefineAccOp, uop.AssignOp)


class RangeKind(StrEnum):
    """What a range becomes: a grid dim, a workgroup dim, a loop, or an unrolled/vector dim."""

    GLOBAL = "global"
    LOCAL = "local"
    REDUCE = "reduce"
    UPCAST = "upcast"
    UNROLL = "unroll"
    GROUP = "group"
    STAGE = "stage"  # a reduce loop over one chunk, its shared loads staged through local memory
    SERIAL = "serial"  # a loop over output elements in one thread (a row kernel's outputs)
    TC = "tc"  # a tile dim of a matrix instruction (m, n or k); its lanes hold the elements (tensor_core.py)


class ReduceKind(StrEnum):
    ADD = "add"
    MAX = "max"


@irdl_attr_definition
class RangeKindAttr(EnumAttribute[RangeKind], SpacedOpaqueSyntaxAttribute):
    name = "loop.range_kind"


@irdl_attr_definition
class ReduceKindAttr(EnumAttribute[ReduceKind], SpacedOpaqueSyntaxAttribute):
    name = "loop.reduce_kind"


#: Range kinds a loop.reduce may end (a grouped reduce splits one reduce over a workgroup; an
#: unrolled one is combined from copies).
REDUCING_KINDS = frozenset({RangeKind.REDUCE, RangeKind.GROUP, RangeKind.UNROLL, RangeKind.STAGE, RangeKind.TC})


@irdl_op_definition
class RangeOp(IRDLOperation):
    """An index running over 0 .. size-1, of the given kind."""

    name = "loop.range"
    size = prop_def(IntegerAttr[I64])
    kind = prop_def(RangeKindAttr)
    result = result_def(i32)
    assembly_format = "$size $kind attr-dict `:` type($result)"

    def __init__(self, size: int, kind: RangeKind | str):
        super().__init__(result_types=[i32], properties={
            "size": IntegerAttr(size, i64), "kind": RangeKindAttr(RangeKind(kind))})

    @property
    def extent(self) -> int:
        return self.size.value.data

    @property
    def range_kind(self) -> RangeKind:
        return self.kind.data

    def verify_(self) -> None:
        if self.extent < 1:
            raise VerifyException(f"loop.range size must be positive, got {self.extent}")


@irdl_op_definition
class ReduceOp(IRDLOperation):
    """`add`/`max` of `value` over the listed reduce ranges, starting from the identity."""

    name = "loop.reduce"
    reduce_kind = prop_def(ReduceKindAttr)
    T: ClassVar = VarConstraint("T", SCALAR)
    value = operand_def(T)
    ranges = var_operand_def(i32)
    result = result_def(T)
    assembly_format = "$reduce_kind $value `over` $ranges attr-dict `:` type($result)"

    def __init__(self, kind: ReduceKind | str, value: SSAValue, ranges: Sequence[SSAValue]):
        super().__init__(operands=[value, ranges], result_types=[value.type],
                         properties={"reduce_kind": ReduceKindAttr(ReduceKind(kind))})

    @property
    def kind(self) -> ReduceKind:
        return self.reduce_kind.data

    def verify_(self) -> None:
        if not self.ranges:
            raise VerifyException("loop.reduce needs at least one range")
        for r in self.ranges:
            if not isinstance(r.owner, RangeOp) or r.owner.range_kind not in REDUCING_KINDS:
                raise VerifyException("loop.reduce ranges must be loop.range results of kind reduce, group, unroll "
                                      "or stage")
        if len(set(self.ranges)) != len(self.ranges):
            raise VerifyException("loop.reduce lists a range twice")


def range_dependencies(ops: Sequence[Operation]) -> dict[SSAValue, frozenset[SSAValue]]:
    """For each value, the loop.range results it depends on; a loop.reduce drops the ranges it ends."""
    deps: dict[SSAValue, frozenset[SSAValue]] = {}
    empty: frozenset[SSAValue] = frozenset()
    for op in ops:
        # most operands depend on what another operand does (or on nothing): no new set for them
        used = empty
        for v in op._operands:
            more = deps.get(v, empty)
            if more is not used and more and not more <= used:
                used = more if not used or used <= more else used | more
        if isinstance(op, RangeOp):
            used = frozenset({op.result})
        elif isinstance(op, ReduceOp):
            used = deps.get(op.value, frozenset()) - frozenset(op.ranges)
        for r in op.results:
            deps[r] = used
    return deps


@irdl_op_definition
class KernelOp(KernelBase):
    """A kernel as scalar dataflow over explicit ranges (operand 0 is written)."""

    name = "loop.kernel"

    def verify_(self) -> None:
        super().verify_()
        ops = list(self.body.block.ops)
        deps = range_dependencies(ops)
        for op in ops:
            if op.dialect_name() not in ("loop", "uop") or isinstance(op, LINEAR_ONLY_UOPS):
                raise VerifyException(f"loop.kernel body holds loop ops and scalar uop ops, found {op.name}")
            if isinstance(op, StoreOp):
                # a group range is also a thread index: a row kernel's threads store their own elements;
                # a tc range is an output tile dimension of a matrix instruction (its m or n)
                open_reduce = [r for r in frozenset().union(*(deps.get(v, frozenset()) for v in op.operands))
                               if isinstance(r.owner, RangeOp) and r.owner.range_kind in REDUCING_KINDS
                               and r.owner.range_kind not in (RangeKind.GROUP, RangeKind.TC)]
                if open_reduce:
                    raise VerifyException("uop.store in a loop.kernel depends on a reduce range that no loop.reduce ends")


def reduce_identity(kind: ReduceKind, element_type: Attribute) -> float | int | bool:
    """The start value of a reduce: 0 for add; -inf / the type's minimum / false for max."""
    from tinyir.element_types import is_bool, is_float, is_unsigned, numpy_dtype

    if kind == ReduceKind.ADD:
        return False if is_bool(element_type) else (0.0 if is_float(element_type) else 0)
    if is_float(element_type):
        return float("-inf")
    if is_bool(element_type):
        return False
    if is_unsigned(element_type):
        return 0
    import numpy as np

    return int(np.iinfo(numpy_dtype(element_type)).min)


LOOP = Dialect("loop", [KernelOp, RangeOp, ReduceOp], [RangeKindAttr, ReduceKindAttr])
