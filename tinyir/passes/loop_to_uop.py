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

Before both, the tile ranges of a `tc` action become a `uop.mma` and per-element copies
(tinyir/passes/tensor_core.py), and upcast and unroll ranges are expanded into copies
(tinyir/passes/expand.py).

Special numbering: with n global ranges in body order, the last (innermost) is `gidx0`, the first
`gidx<n-1>`, like OpenCL's get_global_id(0) being the fastest-moving id. A kernel with work-group
ranges (`local`, or `group` from a grouped reduce) uses explicit work-groups instead: global
ranges become work-group ids `wgid<d>` and local/group ranges local ids `lidx<d>`, numbered the
same way.

A grouped reduce (a `loop.reduce` ending a `group` range g of size G) is lowered as: each thread
accumulates its part over the other ranges; it stores its partial into a `uop.define_local` buffer
at its linear local id; `uop.barrier`; every thread then combines the G partials of its group
from local memory (a loop over g's values). Only the threads with g == 0 store to global memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, i32
from xdsl.ir import Block, BlockArgument, Operation, Region, SSAValue
from xdsl.pattern_rewriter import PatternRewriter
from xdsl.rewriter import InsertPoint, Rewriter
from tinyir.diagnostics import DiagnosticError

from tinyir.dialects import loop, uop
from tinyir.passes.expand import expand_kernel
from tinyir.passes.stage import StagePlan, stage_kernel
from tinyir.passes.tensor_core import TC_ATTR, accumulate_in_place, lower_tensor_cores
from tinyir.rewrite import Rule, RulePass, RuleTable, rule

RK = loop.RangeKind
#: range kinds that become hardware indices (uop.special)
HARDWARE_KINDS = frozenset({RK.GLOBAL, RK.LOCAL, RK.GROUP})
#: range kinds that are threads of one work-group
WORKGROUP_KINDS = frozenset({RK.LOCAL, RK.GROUP})
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
    result_of: dict[int, SSAValue] = field(default_factory=dict)  # id(loop.reduce) -> its final value
    parts_of: dict[int, list[SSAValue]] = field(default_factory=dict)  # id(loop.reduce) -> unrolled copies


def _special_names(ranges: Sequence[loop.RangeOp]) -> dict[int, str]:
    """gidx for global ranges, or wgid + lidx when the kernel has work-group ranges; last = 0."""
    workgroup = [r for r in ranges if r.range_kind in WORKGROUP_KINDS]
    grid = [r for r in ranges if r.range_kind == RK.GLOBAL]
    names: dict[int, str] = {}
    for prefix, of_kind in (("wgid" if workgroup else "gidx", grid), ("lidx", workgroup)):
        for pos, r in enumerate(of_kind):
            names[id(r)] = f"{prefix}{len(of_kind) - 1 - pos}"
    return names


def _local_linear_index(ranges: Sequence[loop.RangeOp], skip: loop.RangeOp | None,
                        ops: list[Operation]) -> tuple[SSAValue | None, int]:
    """sum(lidx_d * stride_d) over the work-group ranges except `skip` (lidx0 has stride 1), the ops
    appended to `ops`; and the stride of `skip`."""
    workgroup = [r for r in ranges if r.range_kind in WORKGROUP_KINDS]
    total: SSAValue | None = None
    stride, skip_stride = 1, 0
    for r in reversed(workgroup):  # lidx0 first
        if r is skip:
            skip_stride = stride
        else:
            term = r.result
            if stride != 1:
                ops.append(c := uop.ConstOp(stride, i32))
                ops.append(m := uop.MulOp(term, c.result))
                term = m.result
            if total is not None:
                ops.append(a := uop.AddOp(total, term))
                term = a.result
            total = term
        stride *= r.extent
    return total, skip_stride


def _loops(red: loop.ReduceOp) -> tuple[SSAValue, ...]:
    """The ranges a reduce loops over (a group range is a hardware index instead)."""
    return tuple(r for r in red.ranges if r.owner.range_kind != RK.GROUP)


def plan_kernel(kernel: loop.KernelOp, stage: StagePlan | None = None) -> KernelPlan:
    """The placement analysis described in the module docstring; `stage` places a staged chunk's
    copy (tinyir/passes/stage.py) before the chunk's loops, between barriers."""
    ops = list(kernel.body.block.ops)
    deps = loop.range_dependencies(ops)
    reduces = [op for op in ops if isinstance(op, loop.ReduceOp)]
    # Reduces over the same loops (copies made by an upcast) share one loop nest, led by the first.
    ended_by: dict[SSAValue, loop.ReduceOp] = {}  # loop range -> the first reduce of its nest
    nest_of: dict[int, list[loop.ReduceOp]] = {}  # id(first reduce) -> every reduce of the nest
    for red in reduces:
        loops = _loops(red)
        head = ended_by.get(loops[0]) if loops else None
        if head is not None and _loops(head) == loops:
            nest_of[id(head)].append(red)
            continue
        for r in loops:
            if r in ended_by:
                raise LoopToUopError(red, "loop-to-uop: a reduce range is ended by two loop.reduce ops")
            ended_by[r] = red
        nest_of[id(red)] = [red]
    position = {id(op): i for i, op in enumerate(ops)}
    ranges = [op for op in ops if isinstance(op, loop.RangeOp)]
    # A row kernel's serial ranges loop around the stores of its outputs (copies, when upcast) and what
    # only they need; the nest is placed at the last of those stores.
    serial = [r for r in ranges if r.range_kind == RK.SERIAL]
    row_kernel = bool(serial) or len(reduces) > 1  # several reduces over one row, or serial outputs
    serial_store: uop.StoreOp | None = None
    if serial:
        stores = [op for op in ops if isinstance(op, uop.StoreOp)
                  and any(r.result in frozenset().union(*(deps.get(v, frozenset()) for v in op._operands))
                          for r in serial)]
        if not stores:
            raise LoopToUopError(serial[0], "loop-to-uop: serial ranges need a store that uses them")
        serial_store = stores[-1]
        for r in serial:
            ended_by[r.result] = serial_store  # type: ignore[assignment]
    for r in ranges:
        if r.range_kind not in HARDWARE_KINDS and r.result not in ended_by:
            raise LoopToUopError(r, f"loop-to-uop: {r.range_kind.value} range of size {r.extent} is not supported "
                                 "here (only global, local, group and reduce ranges ended by a loop.reduce)")

    def owner(op: Operation) -> loop.ReduceOp | None:
        """The innermost (first in order) reduce ending one of the ranges the op depends on."""
        if isinstance(op, loop.RangeOp):
            return ended_by.get(op.result)
        used = deps[op.results[0]] if op.results else frozenset().union(
            *(deps.get(v, frozenset()) for v in op._operands))
        owners = [ended_by[r] for r in used if r in ended_by]
        return min(owners, key=lambda red: position[id(red)]) if owners else None

    owned: dict[int | None, list[Operation]] = {}
    for op in ops:
        o = owner(op)
        if o is op:  # the serial store: top level, around it its loops
            o = None
        if not isinstance(op, loop.RangeOp) or o is None:
            owned.setdefault(None if o is None else id(o), []).append(op)

    plan = KernelPlan(special_name=_special_names(ranges))

    def emit(op: Operation) -> None:
        if isinstance(op, loop.ReduceOp):
            if id(op) in nest_of:  # the others of a nest are emitted with its first
                emit_reduce(op)
        elif op is serial_store:
            emit_serial(op)
        else:
            plan.order.append(op)

    def emit_serial(store: uop.StoreOp) -> None:
        """The serial loops (outer to inner), each followed by the owned ops that need no deeper one,
        then the store, then the endranges."""
        body = owned.get(id(store), [])
        for depth, r in enumerate(serial):
            plan.order.append(r)
            for op in body:
                used = deps[op.results[0]] if op.results else frozenset().union(
                    *(deps.get(v, frozenset()) for v in op._operands))
                if max((serial.index(x.owner) for x in used if x.owner in serial), default=0) == depth:
                    emit(op)
        plan.order.append(store)
        plan.end_after[id(store)] = list(reversed(serial))

    def emit_reduce(head: loop.ReduceOp) -> None:
        nest = nest_of[id(head)]
        for red in nest:
            acc = uop.DefineAccOp(loop.reduce_identity(red.kind, red.result.type), red.result.type)
            plan.acc_of[id(red)] = acc
            plan.order.append(acc)
        levels = list(_loops(head))
        body = owned.get(id(head), [])
        chunk = stage is not None and any(r.owner.range_kind == RK.STAGE for r in levels)
        if chunk and levels[:len(stage.outer)] != stage.outer:
            raise LoopToUopError(head, "loop-to-uop: a staged reduce must list its outer loops before its stage range")
        copy_at = len(stage.outer) if chunk else -1  # the level the copy goes before
        for depth, r in enumerate(levels):
            if depth == copy_at:
                plan.order += [*stage.copy_ops, uop.BarrierOp()]
            plan.order.append(r.owner)
            for op in body:
                used = deps[op.results[0]] if op.results else frozenset()
                if max((levels.index(x) for x in used if x in levels), default=0) == depth:
                    emit(op)
        plan.order.extend(nest)
        if copy_at > 0:  # the chunk's loops end, then a barrier before the next chunk's copy
            plan.end_after[id(nest[-1])] = [r.owner for r in reversed(levels[copy_at:])]
            plan.order.append(barrier := uop.BarrierOp())
            plan.end_after[id(barrier)] = [r.owner for r in reversed(levels[:copy_at])]
        else:
            plan.end_after[id(nest[-1])] = [r.owner for r in reversed(levels)]
        for red in nest:
            groups = [r.owner for r in red.ranges if r.owner.range_kind == RK.GROUP]
            if groups:
                emit_group_exchange(red, plan.acc_of[id(red)], groups[0])

    def emit_group_exchange(red: loop.ReduceOp, acc: uop.DefineAccOp, group: loop.RangeOp) -> None:
        """Partials through local memory: store, barrier, then each thread combines its group's."""
        ops: list[Operation] = []
        others, group_stride = _local_linear_index(ranges, group, ops)
        ops.append(c := uop.ConstOp(group_stride, i32))
        ops.append(m := uop.MulOp(group.result, c.result))
        mine = m.result
        if others is not None:
            ops.append(a := uop.AddOp(others, mine))
            mine = a.result
        size = 1
        for r in ranges:
            if r.range_kind in WORKGROUP_KINDS:
                size *= r.extent
        local = uop.DefineLocalOp(size, red.result.type)
        locals_.append(local)  # declared up front, next to the hardware indices
        ops += [uop.StoreOp(local.result, mine, acc.result), uop.BarrierOp()]
        extent = group.extent
        if row_kernel and extent & (extent - 1) == 0:
            emit_tree_exchange(red, group, local, mine, others, group_stride, ops)
            return
        total = uop.DefineAccOp(loop.reduce_identity(red.kind, red.result.type), red.result.type)
        k = uop.RangeOp(0, group.extent)
        ops += [total, k, c2 := uop.ConstOp(group_stride, i32), m2 := uop.MulOp(k.result, c2.result)]
        index = m2.result
        if others is not None:
            ops.append(a2 := uop.AddOp(others, index))
            index = a2.result
        ops.append(load := uop.LoadOp(local.result, index))
        ops.append(update := ACCUMULATE[red.kind](total.result, load.result))
        ops.append(assign := uop.AssignOp(total.result, update.results[0]))
        plan.order.extend(ops)
        plan.end_after[id(assign)] = [k]
        plan.result_of[id(red)] = total.result

    def emit_tree_exchange(red: loop.ReduceOp, group: loop.RangeOp, local: uop.DefineLocalOp, mine: SSAValue,
                           others: SSAValue | None, group_stride: int, ops: list[Operation]) -> None:
        """A row kernel's partials combined in log2(G) halving steps (it exchanges once per reduce): in
        the step of half s, thread g < s combines its slot with slot g + s (gated loads and store; no
        two threads touch one slot), then a barrier; every thread then reads slot 0 of its group."""
        half = group.extent // 2
        while half >= 1:
            ops.append(s_const := uop.ConstOp(half, i32))
            ops.append(lower := uop.CmpltOp(group.result, s_const.result))
            ops.append(offset := uop.ConstOp(half * group_stride, i32))
            ops.append(partner := uop.AddOp(mine, offset.result))
            ops.append(own := uop.LoadOp(local.result, mine))
            ops.append(other := uop.LoadOp(local.result, partner.result, lower.result))
            ops.append(both := ACCUMULATE[red.kind](own.result, other.result))
            ops += [uop.StoreOp(local.result, mine, both.results[0], lower.result), uop.BarrierOp()]
            half //= 2
        if others is None:
            ops.append(first := uop.ConstOp(0, i32))
            others = first.result
        ops.append(total := uop.LoadOp(local.result, others))
        plan.order.extend(ops)
        plan.result_of[id(red)] = total.result

    top = owned.get(None, [])
    groups = [r for r in ranges if r.range_kind == RK.GROUP]
    locals_: list[uop.DefineLocalOp] = []
    for op in top:  # hardware indices first
        if isinstance(op, loop.RangeOp):
            emit(op)
    prelude_end = len(plan.order)
    for op in top:
        if isinstance(op, loop.RangeOp):
            continue
        if groups and isinstance(op, uop.StoreOp) and isinstance(op.buffer, BlockArgument):
            # a group range the store is indexed by is a thread index there (a row kernel's outputs)
            stored_from = frozenset().union(*(deps.get(v, frozenset()) for v in op._operands))
            gated = [g for g in groups if g.result not in stored_from]
            if not gated:
                emit(op)
                continue
            if op is serial_store:
                raise LoopToUopError(op, "loop-to-uop: a serial store must be indexed by every group range")
            store = gate_to_first_thread(op, gated)
            plan.order.extend(store[:-1])
            emit(store[-1])
        else:
            emit(op)
    plan.order[prelude_end:prelude_end] = (stage.locals if stage is not None else []) + locals_
    return plan



def gate_to_first_thread(store: uop.StoreOp, groups: Sequence[loop.RangeOp]) -> list[Operation]:
    """The store, done only by the threads whose group indices are 0 (all of them hold the value):
    the gate ops and the gated store, replacing `store` (which is erased)."""
    ops: list[Operation] = []
    gate = store.gate
    for g in groups:
        ops += [one := uop.ConstOp(1, i32), first := uop.CmpltOp(g.result, one.result)]
        if gate is not None:
            ops.append(both := uop.AndOp(gate, first.result))
            gate = both.result
        else:
            gate = first.result
    ops.append(uop.StoreOp(store.buffer, store.index, store.value, gate))
    store.detach()
    store.erase()
    return ops


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
            total, updates = acc, []
            for value in plan.parts_of.get(id(op), [op.value]):  # unrolled copies one by one
                updates.append(update := ACCUMULATE[op.kind](total, value))
                total = update.result
            rewriter.insert([*updates, uop.AssignOp(acc, total)], InsertPoint.before(op))
            return plan.result_of.get(id(op), acc)

        return [
            rule(loop.RangeOp, range_to_uop, "global/local/group range -> uop.special, reduce range -> uop.range"),
            rule(loop.ReduceOp, reduce_to_assign, "reduce -> acc = acc op value; uses read the acc (or the group's)"),
        ]

    def rules(self) -> Sequence[Rule]:
        return self.kernel_rules(KernelPlan())

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for kernel in [k for k in op.walk() if isinstance(k, loop.KernelOp)]:
            lower_kernel(kernel, self)


def lower_kernel(kernel: loop.KernelOp, lowering: LoopToUop | None = None) -> uop.KernelOp:
    """Replace one loop.kernel by its uop.kernel; returns the new kernel."""
    lowering = lowering or LoopToUop()
    ranges = [op for op in kernel.body.block.ops if isinstance(op, loop.RangeOp)]
    stage = None
    if any(r.range_kind == RK.STAGE for r in ranges):
        tid_ops: list[Operation] = []
        tid, _ = _local_linear_index(ranges, None, tid_ops)
        if tid is None:
            raise LoopToUopError(kernel, "loop-to-uop: a stage range needs local ranges (threads to copy with)")
        threads = 1
        for r in ranges:
            if r.range_kind in WORKGROUP_KINDS:
                threads *= r.extent
        stage = stage_kernel(kernel, tid_ops, tid, threads)
        if stage is None:  # nothing shared to stage: the thread id ops are not placed, so drop their uses
            for op in reversed(tid_ops):
                op.erase()
    lower_tensor_cores(kernel)  # after staging: a tc tile's fragments then read the staged tiles
    parts = expand_kernel(kernel)
    plan = plan_kernel(kernel, stage)
    plan.parts_of = parts
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
    # one walk in order, as the driver's single (not greedy) walk would go, without its worklist
    RuleTable(lowering.name, lowering.kernel_rules(plan)).apply_in_order(new_kernel.body.walk())
    if TC_ATTR in new_kernel.attributes:
        accumulate_in_place(new_kernel)
    return new_kernel
