"""`loop-to-uop`: linearize each `loop.kernel` into a `uop.kernel`.

Two steps per kernel:
1. Placement (an analysis, `plan_kernel`): decide the execution order. Global/local ranges become
   hardware indices and go first. Every op that depends on a reduce range belongs to the innermost
   `loop.reduce` that ends one of its ranges (its *owner*); everything else is top level. A reduce
   is emitted where it stands as: `define_acc`, then for each of its ranges (outer to inner, in the
   order the reduce lists them) the range followed by the owned ops that need no deeper range, then
   the accumulate, then the endranges. Nested reduces recurse. Ops keep their relative order.
2. Conversion (a rule table, `LoopToUop.kernel_rules`): `loop.range` -> `uop.special` / `uop.range`,
   `loop.reduce` -> `acc = acc op value` with `uop.assign`, its result the accumulator.

Special numbering: with n global ranges in body order, the last (innermost) is `gidx0`, the first
`gidx<n-1>`, like OpenCL's get_global_id(0) being the fastest-moving id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.pattern_rewriter import PatternRewriter
from xdsl.rewriter import InsertPoint, Rewriter
from tinyir.diagnostics import DiagnosticError

from tinyir.dialects import loop, uop
from tinyir.rewrite import Rule, RulePass, RuleTable, rule

#: hardware index prefix per range kind
SPECIAL_PREFIX = {loop.RangeKind.GLOBAL: "gidx", loop.RangeKind.LOCAL: "lidx"}
#: the accumulate op of each reduce kind
ACCUMULATE = {loop.ReduceKind.ADD: uop.AddOp, loop.ReduceKind.MAX: uop.MaxOp}


class LoopToUopError(DiagnosticError):
    """A loop.kernel that this lowering cannot linearize (e.g. unsupported range kinds)."""


@dataclass
class KernelPlan:
    """Placement of one kernel: the op order, endranges to add, accumulators and special names."""

    order: list[Operation] = field(default_factory=list)
    end_after: dict[int, list[loop.RangeOp]] = field(default_factory=dict)  # id(op) -> ranges to end
    acc_of: dict[int, uop.DefineAccOp] = field(default_factory=dict)  # id(loop.reduce) -> its acc
    special_name: dict[int, str] = field(default_factory=dict)  # id(loop.range) -> "gidx0"


def _special_names(ranges: Sequence[loop.RangeOp]) -> dict[int, str]:
    names: dict[int, str] = {}
    for kind, prefix in SPECIAL_PREFIX.items():
        of_kind = [r for r in ranges if r.range_kind == kind]
        for pos, r in enumerate(of_kind):
            names[id(r)] = f"{prefix}{len(of_kind) - 1 - pos}"
    return names


def plan_kernel(kernel: loop.KernelOp) -> KernelPlan:
    """The placement analysis described in the module docstring."""
    ops = list(kernel.body.block.ops)
    deps = loop.range_dependencies(ops)
    reduces = [op for op in ops if isinstance(op, loop.ReduceOp)]
    ended_by: dict[SSAValue, loop.ReduceOp] = {}
    for red in reduces:
        for r in red.ranges:
            if r in ended_by:
                raise LoopToUopError(red, "loop-to-uop: a reduce range is ended by two loop.reduce ops")
            ended_by[r] = red
    position = {id(op): i for i, op in enumerate(ops)}
    ranges = [op for op in ops if isinstance(op, loop.RangeOp)]
    for r in ranges:
        if r.range_kind not in SPECIAL_PREFIX and r.result not in ended_by:
            raise LoopToUopError(r, f"loop-to-uop: {r.range_kind.value} range of size {r.extent} is not supported "
                                 "here (only global, local and reduce ranges ended by a loop.reduce)")

    def owner(op: Operation) -> loop.ReduceOp | None:
        """The innermost (first in order) reduce ending one of the ranges the op depends on."""
        if isinstance(op, loop.RangeOp):
            return ended_by.get(op.result)
        used = deps[op.results[0]] if op.results else frozenset().union(
            *(deps.get(v, frozenset()) for v in op.operands))
        owners = [ended_by[r] for r in used if r in ended_by]
        return min(owners, key=lambda red: position[id(red)]) if owners else None

    owned: dict[int | None, list[Operation]] = {}
    for op in ops:
        o = owner(op)
        if not isinstance(op, loop.RangeOp) or o is None:
            owned.setdefault(None if o is None else id(o), []).append(op)

    plan = KernelPlan(special_name=_special_names(ranges))

    def emit(op: Operation) -> None:
        if isinstance(op, loop.ReduceOp):
            emit_reduce(op)
        else:
            plan.order.append(op)

    def emit_reduce(red: loop.ReduceOp) -> None:
        acc = uop.DefineAccOp(loop.reduce_identity(red.kind, red.result.type), red.result.type)
        plan.acc_of[id(red)] = acc
        plan.order.append(acc)
        levels = list(red.ranges)
        body = owned.get(id(red), [])
        for depth, r in enumerate(levels):
            plan.order.append(r.owner)
            for op in body:
                used = deps[op.results[0]] if op.results else frozenset()
                if max((levels.index(x) for x in used if x in levels), default=0) == depth:
                    emit(op)
        plan.order.append(red)
        plan.end_after[id(red)] = [r.owner for r in reversed(levels)]

    top = owned.get(None, [])
    for op in top:  # hardware indices first
        if isinstance(op, loop.RangeOp):
            emit(op)
    for op in top:
        if not isinstance(op, loop.RangeOp):
            emit(op)
    return plan


class LoopToUop(RulePass):
    """Linearize loop.kernels into uop.kernels (placement analysis + conversion rule table)."""

    name = "loop-to-uop"
    summary = "linearize each loop.kernel into a uop.kernel with specials, ranges and accumulators"

    def kernel_rules(self, plan: KernelPlan) -> Sequence[Rule]:
        def range_to_uop(op: loop.RangeOp) -> Operation:
            if id(op) in plan.special_name:
                return uop.SpecialOp(plan.special_name[id(op)], op.extent)
            return uop.RangeOp(0, op.extent)

        def reduce_to_assign(op: loop.ReduceOp, rewriter: PatternRewriter) -> SSAValue:
            acc = plan.acc_of[id(op)].result
            update = ACCUMULATE[op.kind](acc, op.value)
            rewriter.insert([update, uop.AssignOp(acc, update.result)], InsertPoint.before(op))
            return acc

        return [
            rule(loop.RangeOp, range_to_uop, "global/local range -> uop.special, reduce range -> uop.range"),
            rule(loop.ReduceOp, reduce_to_assign, "reduce -> acc = acc op value; uses read the acc"),
        ]

    def rules(self) -> Sequence[Rule]:
        return self.kernel_rules(KernelPlan())

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for kernel in [k for k in op.walk() if isinstance(k, loop.KernelOp)]:
            lower_kernel(kernel, self)


def lower_kernel(kernel: loop.KernelOp, lowering: LoopToUop | None = None) -> uop.KernelOp:
    """Replace one loop.kernel by its uop.kernel; returns the new kernel."""
    lowering = lowering or LoopToUop()
    plan = plan_kernel(kernel)
    old_block = kernel.body.block
    block = Block(arg_types=[a.type for a in old_block.args])
    for old, new in zip(old_block.args, block.args):
        old.replace_all_uses_with(new)
    for op in plan.order:
        if op.parent is not None:
            op.detach()
        block.add_op(op)
        for r in plan.end_after.get(id(op), []):
            block.add_op(uop.EndRangeOp(r.result))
    new_kernel = uop.KernelOp(kernel.kernel_name.data, list(kernel.buffers), Region(block))
    new_kernel.attributes.update(kernel.attributes)
    Rewriter.replace_op(kernel, new_kernel)
    RuleTable(lowering.name, lowering.kernel_rules(plan)).apply(new_kernel, greedy=False)
    return new_kernel
