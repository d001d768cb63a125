"""`schedule-kernels`: the tensor level (`tir`) to the shapetracker level (`st`).

The pass works in three steps:

1. *Partition* (`schedule_partition.partition`, plain Python over the SSA graph): which tensors are
   realized in buffers, and which ops each kernel fuses. Its module docstring states the rules.
2. *Host construction* (code, below): the entry function is rebuilt over `!st.buffer` arguments;
   non-splat constants become `st.buffer_constant`; each kernel gets an `st.alloc` for its output
   and an `st.kernel` whose body loads each realized input through a contiguous shapetracker
   (`st.load`), copies the fused `tir` ops as they are, and ends in `st.store` of the root through a
   contiguous shapetracker. Outputs that would alias an input or another output get copy kernels.
3. *Kernel-body leaf rules* (the rule table `rules()`, applied inside each `st.kernel`): splat
   constants become `st.const`, iota becomes `st.arange` of its axis reshaped and expanded, and a
   reduce that drops its axes becomes the keepdims reduce plus a reshape. Movement ops stay where
   they are: `fold-views` pushes them into the leaves and the store afterwards.

A function whose host side holds no `tir` op (already scheduled, or empty) is left alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from xdsl.context import Context
from xdsl.dialects.builtin import IntegerType, ModuleOp, Signedness, TensorType
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.rewriter import Rewriter

from tinyir.dialects import shapetracker as st
from tinyir.dialects import tensor as tir
from tinyir.passes.schedule_partition import (
    MAX_ROW,
    Schedule,
    ScheduleError,
    constant_value,
    entry_function,
    is_splat_constant,
    partition,
)
from tinyir.rewrite import Rule, RulePass, rule
from tinyir.shapetracker.view import ShapeTracker, View


def _shape(value: SSAValue | Attribute) -> tuple[int, ...]:
    ty = value.type if isinstance(value, SSAValue) else value
    assert isinstance(ty, TensorType)
    return tuple(ty.get_shape())


def buffer_type(tensor_type: Attribute) -> st.BufferType:
    """The buffer that holds a realized tensor of this type."""
    assert isinstance(tensor_type, TensorType)
    return st.BufferType(tuple(tensor_type.get_shape()), tensor_type.element_type)


def contiguous(shape: Sequence[int]) -> ShapeTracker:
    return ShapeTracker.contiguous(tuple(shape))


def broadcast_scalar(shape: Sequence[int]) -> ShapeTracker:
    """A view of one element seen at every index of `shape` (all strides 0): splat constants."""
    return ShapeTracker((View.create(shape, (0,) * len(shape)),))


# ---------------------------------------------------------------------------------------------
# Kernel-body leaf rules (run inside st.kernel bodies only).


def _in_kernel(op: Operation) -> bool:
    return isinstance(op.parent_op(), st.KernelOp)


def splat_to_const(op: tir.ConstantOp) -> Operation | None:
    """A splat needs no buffer: one scalar seen through a broadcast view."""
    if not _in_kernel(op) or not is_splat_constant(op):
        return None
    value = constant_value(op)
    assert value is not None
    scalar = value.get_values()[0]
    return st.ConstOp(scalar, broadcast_scalar(_shape(op.results[0])), op.results[0].type)


def iota_to_arange(op: tir.IotaOp) -> Operation | None:
    """`iota d` = arange(n_d) seen along dim d: the reshape/expand fold into the arange's view."""
    if not _in_kernel(op):
        return None
    ty = op.results[0].type
    assert isinstance(ty, TensorType)
    shape, axis = _shape(ty), op.axis_int()
    out: Operation = st.ArangeOp(contiguous((shape[axis],)), TensorType(ty.element_type, [shape[axis]]))
    ones = tuple(n if d == axis else 1 for d, n in enumerate(shape))
    if ones != (shape[axis],):  # a 1-d iota is the arange itself
        out = tir.ReshapeOp(out, ones)
    return tir.ExpandOp(out, shape) if ones != shape else out


def reduce_to_keepdims(op: tir.ReduceSumOp | tir.ReduceMaxOp) -> Operation | None:
    """Kernel bodies reduce in keepdims form; dropping the axes is a reshape, lifted to the store."""
    if not _in_kernel(op):
        return None
    in_shape, out_shape = _shape(op.operands[0]), _shape(op.results[0])
    if len(in_shape) == len(out_shape):
        return None
    return tir.ReshapeOp(type(op)(op.operands[0], op.axes_tuple(), True), out_shape)


def empty_reduce_to_identity(op: tir.ReduceSumOp | tir.ReduceMaxOp) -> Operation | None:
    """Reducing over a zero-size axis reads nothing: the result is the reduce's identity."""
    in_shape = _shape(op.operands[0])
    if not _in_kernel(op) or all(in_shape[a] != 0 for a in op.axes_tuple()):
        return None
    ty = op.results[0].type
    assert isinstance(ty, TensorType)
    element = ty.element_type
    if isinstance(op, tir.ReduceSumOp):
        identity: float | int | bool = 0
    elif isinstance(element, IntegerType):
        identity = -(2 ** (element.width.data - 1)) if element.signedness.data != Signedness.UNSIGNED else 0
    else:
        identity = float("-inf")
    return st.ConstOp(identity, broadcast_scalar(_shape(ty)), ty)


def leaf_rules() -> list[Rule]:
    """The rule table of step 3 (kernel bodies only)."""
    return [
        rule(tir.REDUCE_OPS, empty_reduce_to_identity, "reduce over a zero-size axis -> its identity"),
        rule(tir.ConstantOp, splat_to_const, "splat constant -> st.const leaf (all strides 0)"),
        rule(tir.IotaOp, iota_to_arange, "iota -> st.arange of its axis, reshaped and expanded"),
        rule(tir.REDUCE_OPS, reduce_to_keepdims, "reduce dropping axes -> keepdims reduce + reshape"),
    ]


# ---------------------------------------------------------------------------------------------
# Host construction.


@dataclass
class _Host:
    """Builds the new entry function: buffers for realized values, then kernels in order."""

    block: Block
    buffers: dict[SSAValue, SSAValue]
    count: int = 0

    def add(self, op: Operation) -> Operation:
        self.block.add_op(op)
        return op

    def kernel(self, output: SSAValue, inputs: Sequence[SSAValue], ops: Sequence[Operation], root: SSAValue) -> None:
        """An st.kernel writing `root` to `output`: loads `inputs`, then copies the fused `ops`.

        With no `ops`, `root` is one of the `inputs` and the kernel is a copy. An empty output
        needs no kernel at all."""
        if math.prod(_shape(root)) == 0:
            return
        operands = [output, *(self.buffers[v] for v in inputs)]
        body = Block(arg_types=[v.type for v in operands])
        mapping: dict[SSAValue, SSAValue] = {}
        body.args[0].name_hint = "out"
        for value, arg in zip(inputs, body.args[1:]):
            load = st.LoadOp(arg, contiguous(_shape(value)), value.type)
            load.results[0].name_hint = value.name_hint  # readable bodies: a leaf keeps its tensor's name
            body.add_op(load)
            mapping[value] = load.results[0]
        for op in ops:
            clone = op.clone(value_mapper=mapping)
            body.add_op(clone)
            mapping.update(zip(op.results, clone.results))
        body.add_op(st.StoreOp(body.args[0], contiguous(_shape(root)), mapping[root]))
        kernel = st.KernelOp(f"k{self.count}", operands, Region(body))
        if isinstance(root.owner, Operation):  # errors about the kernel point at what it computes
            kernel.location = root.owner.location
        self.add(kernel)
        self.count += 1

    def alloc(self, tensor_type: Attribute) -> SSAValue:
        return self.add(st.AllocOp(buffer_type(tensor_type))).results[0]


def build_function(func: FuncOp, schedule: Schedule) -> FuncOp:
    """The scheduled replacement of `func` (same name), following `schedule`."""
    old = func.body.block
    ret = old.last_op
    assert isinstance(ret, ReturnOp)
    block = Block(arg_types=[buffer_type(a.type) for a in old.args])
    host = _Host(block, {})
    for arg, new in zip(old.args, block.args):
        new.name_hint = arg.name_hint
        host.buffers[arg] = new
    for op in old.ops:
        value = constant_value(op)
        if value is not None and op.results[0] in schedule.realized and not is_splat_constant(op):
            const = host.add(st.BufferConstantOp(value, buffer_type(op.results[0].type)))
            host.buffers[op.results[0]] = const.results[0]
    for kernel in schedule.kernels:
        out = host.alloc(kernel.root.type)
        host.buffers[kernel.root] = out
        host.kernel(out, kernel.inputs, kernel.ops, kernel.root)
    results = [host.buffers[v] for v in ret.operands]
    for index, source in schedule.copies:
        out = host.alloc(source.type)
        host.kernel(out, [source], [], source)
        results[index] = out
    host.add(ReturnOp(*results))
    signature = ([a.type for a in block.args], [r.type for r in results])
    scheduled = FuncOp(func.sym_name.data, signature, Region(block), func.sym_visibility)
    scheduled.location = func.location
    return scheduled


def _needs_scheduling(func: FuncOp) -> bool:
    """Tensor-level host code: a tir op or a tensor argument (a returned input needs a copy)."""
    if not func.body.blocks:  # a declaration
        return False
    block = func.body.block
    has_tir = any(op.name.startswith("tir.") for op in block.ops)
    return has_tir or any(isinstance(a.type, TensorType) for a in block.args)


@dataclass(frozen=True)
class ScheduleKernels(RulePass):
    """Partition the entry function into kernels at the shapetracker level (docs/ir.md section 2)."""

    name: ClassVar[str] = "schedule-kernels"
    summary: ClassVar[str] = "partition tir ops into st.kernel ops over buffers (fusion decisions)"

    # rows of up to this many reduced elements fuse their reduces with the consumers that broadcast
    # them back (row kernels: softmax, layernorm; schedule_partition.py); 0: never
    max_row: int = MAX_ROW

    def rules(self) -> list[Rule]:
        return leaf_rules()

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        func = entry_function(op)
        if func is None or not _needs_scheduling(func):
            return
        if self.max_row < 0:
            raise ScheduleError(f"schedule-kernels: max_row is a number of elements (0: no row kernels), "
                                f"got {self.max_row}")
        schedule = partition(func, self.max_row)
        new_func = build_function(func, schedule)
        Rewriter.replace_op(func, new_func)
        table = self.table()
        for kernel in new_func.body.block.ops:
            if isinstance(kernel, st.KernelOp):
                table.apply(kernel)


__all__ = ["ScheduleKernels", "build_function", "leaf_rules", "buffer_type"]
