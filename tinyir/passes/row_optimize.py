"""`kernel-optimize` on row kernels (tinyir/passes/row_loops.py): one row per work-group.

A row kernel loops over each row once per reduce and once more for its outputs (the *segments*:
each `loop.reduce`'s ranges, and the `serial` ranges of the outputs, all over the same row dims).
Its actions:

    group:A:N  A is a reduce axis: the row dim it runs over is split in every segment, all sharing
               one `group` range of N threads (a row's index is `outer * N + g`). Each reduce is
               then a grouped reduce (partials through local memory, every thread gets the
               total), and each thread stores the outputs at its own `g` (no gate).
    unroll:A:N A is a reduce axis: the row dim is split in every segment into N copies (`unroll` in
               each reduce, `upcast` in the outputs): N neighbours per thread and step, a vector.
    local:A:N  A is a global axis: as for any kernel (N rows per work-group).

Other actions (upcast on a global axis, stage) are refused on a row kernel.
The GPU heuristic unrolls the row's contiguous dim by 4 (where 64 divides the row) and groups it by
up to 256 threads (fewer when the row is short or not divisible), so one work-group computes one row
and reads it from global memory once per segment (the second and third reads hit the cache); where a
thread's part of the row is at most ROW_REGISTERS values it is unrolled whole instead, so the row
stays in registers and is read once (4096 = 256 threads x 16). A row
that is not contiguous (softmax over a leading axis) is one thread's instead, with neighbouring
threads on neighbouring rows (`local` on the contiguous global axis). The CPU keeps one row per
thread.
"""

from __future__ import annotations

import math

from xdsl.dialects.builtin import i32
from xdsl.rewriter import InsertPoint, Rewriter

from tinyir.dialects import loop, uop
from tinyir.targets.base import KernelLimits

RK = loop.RangeKind

#: the most threads the heuristic gives one row
ROW_THREADS = 256
#: neighbours each thread reads (and writes) per step: one vector (where the row allows)
ROW_UNROLL = 4
#: a thread holds its part of the row in registers, read once, when the part is at most this long
ROW_REGISTERS = 16


def is_row_kernel(kernel: loop.KernelOp) -> bool:
    """Several reduces, or serial ranges: a kernel shapetracker-to-loop made from a row kernel."""
    ops = list(kernel.body.block.ops)
    return (any(isinstance(op, loop.RangeOp) and op.range_kind == RK.SERIAL for op in ops)
            or sum(isinstance(op, loop.ReduceOp) for op in ops) > 1)


def segments(kernel: loop.KernelOp) -> list[list[loop.RangeOp]]:
    """Each reduce's row ranges (reduce kind, as listed), then the outputs' serial ranges."""
    ops = list(kernel.body.block.ops)
    found = [[r.owner for r in op.ranges if r.owner.range_kind == RK.REDUCE]
             for op in ops if isinstance(op, loop.ReduceOp)]
    serial = [op for op in ops if isinstance(op, loop.RangeOp) and op.range_kind == RK.SERIAL]
    return found + ([serial] if serial else [])


def check_row_action(kernel: loop.KernelOp, kind: str, axis: loop.RangeOp, amount: int,
                     limits: KernelLimits) -> str | None:
    """Why an action (whose axis kind and divisibility are checked) does not fit a row kernel, or None.
    Copies and local memory count per row: each segment has its own copies of the row's values."""
    if kind not in ("group", "local", "unroll"):
        return f"{kind} is not supported on a row kernel (only group or unroll on its row and local on its rows)"
    ranges = [op for op in kernel.body.block.ops if isinstance(op, loop.RangeOp)]
    threads = math.prod(r.extent for r in ranges if r.range_kind in (RK.LOCAL, RK.GROUP))
    if kind in ("group", "local"):
        if not limits.has_local:
            return "the target has no work-groups"
        if sum(1 for r in ranges if r.range_kind in (RK.LOCAL, RK.GROUP)) >= limits.max_local_dims:
            return f"over the target's {limits.max_local_dims} work-group dimensions"
        if threads * amount > limits.max_local_size:
            return f"a work-group of {threads * amount} threads is over the target's {limits.max_local_size}"
    if kind == "local":
        return None
    if kind == "group" and any(r.range_kind == RK.GROUP for r in ranges):
        return "the row kernel already has a group range"
    parts = segments(kernel)
    at = next(((i, p.index(axis)) for i, p in enumerate(parts) if axis in p), None)
    if at is None:
        return f"{kind} on a row kernel needs one of its row's reduce ranges"
    position = at[1]
    if any(len(p) <= position or p[position].extent != axis.extent for p in parts):
        return f"the row kernel's segments do not run over the same row"
    if kind == "unroll":  # every segment has the same copies: count the first reduce's
        first = next(op for op in kernel.body.block.ops if isinstance(op, loop.ReduceOp))
        copies = math.prod(x.owner.extent for x in first.ranges if x.owner.range_kind == RK.UNROLL)
        if copies * amount > limits.max_copies:
            return f"{copies * amount} copies of the row's body are over the target's {limits.max_copies}"
        return None
    reduces = sum(1 for op in kernel.body.block.ops if isinstance(op, loop.ReduceOp))
    local_bytes = reduces * threads * amount * 4
    if local_bytes > limits.local_memory_bytes:
        return f"needs {local_bytes} bytes of local memory, over the target's {limits.local_memory_bytes}"
    return None


def group_rows(kernel: loop.KernelOp, axis: loop.RangeOp, amount: int) -> None:
    """Split the row dim `axis` runs over in every segment, sharing one group range of `amount`."""
    parts = segments(kernel)
    position = next(p.index(axis) for p in parts if axis in p)
    group = loop.RangeOp(amount, RK.GROUP)
    group.result.name_hint = "g"
    first = min((p[position] for p in parts), key=lambda r: list(kernel.body.block.ops).index(r))
    Rewriter.insert_op(group, InsertPoint.before(first))
    for part in parts:
        r = part[position]
        outer = loop.RangeOp(r.extent // amount, r.range_kind)
        outer.result.name_hint = r.result.name_hint
        scale = uop.ConstOp(amount, i32)
        mul = uop.MulOp(outer.result, scale.result)
        index = uop.AddOp(mul.result, group.result)
        Rewriter.insert_op([outer, scale, mul, index], InsertPoint.before(r))
        for use in list(r.result.uses):
            red = use.operation
            if isinstance(red, loop.ReduceOp):
                ranges = []
                for x in red.ranges:
                    ranges.extend([group.result, outer.result] if x is r.result else [x])
                new = loop.ReduceOp(red.kind, red.value, ranges)
                new.result.name_hint = red.result.name_hint
                Rewriter.replace_op(red, new)
        r.result.replace_all_uses_with(index.result)
        r.detach()
        r.erase()


def unroll_rows(kernel: loop.KernelOp, axis: loop.RangeOp, amount: int) -> None:
    """Split the row dim `axis` runs over in every segment by `amount` copies: `unroll` in each reduce,
    `upcast` in the outputs (each thread then reads and writes `amount` neighbours, a vector)."""
    from tinyir.passes.kernel_optimize import split_range

    parts = segments(kernel)
    position = next(p.index(axis) for p in parts if axis in p)
    for part in parts:
        r = part[position]
        split_range(r, amount, RK.UNROLL if r.range_kind == RK.REDUCE else RK.UPCAST)


def row_actions(kernel: loop.KernelOp, limits: KernelLimits) -> list[tuple[str, int, int]]:
    """The heuristic (kind, axis, amount) list: on a target with work-groups, the row's innermost
    dim grouped by the most threads up to ROW_THREADS that divide it (at least 16); else none."""
    if not limits.has_local:
        return []
    from tinyir.passes.kernel_optimize import axes

    parts = segments(kernel)
    if not parts or not parts[0]:
        return []
    row = parts[0][-1]
    from tinyir.passes.kernel_heuristics import strides

    axis_list = axes(kernel)
    axis = axis_list.index(row)
    loads = [strides(kernel, op.index) for op in kernel.body.block.ops if isinstance(op, uop.LoadOp)]
    if not any(s[axis] == 1 for s in loads):  # a strided row (softmax over a leading axis):
        # neighbouring threads take neighbouring rows, so that their loads coalesce
        glob = [i for i, r in enumerate(axis_list) if r.range_kind == RK.GLOBAL]
        along = [a for a in glob if any(s[a] == 1 for s in loads)] or glob[-1:]
        if not along:
            return []
        local = next((t for t in (256, 128, 64, 32) if t <= min(ROW_THREADS, limits.max_local_size)
                      and axis_list[along[-1]].extent % t == 0), 0)
        return [("local", along[-1], local)] if local else []
    unroll = ROW_UNROLL if row.extent % (ROW_UNROLL * 16) == 0 else 1
    threads = next((t for t in (1024, 512, 256, 128, 64, 32, 16)
                    if t <= min(ROW_THREADS, limits.max_local_size) and row.extent % (t * unroll) == 0), 0)
    if not threads:
        return []
    if unroll > 1 and row.extent // threads <= min(ROW_REGISTERS, limits.max_copies):
        # the whole row in registers: no loop is left over it, so the loads of every segment are the
        # same values (uop-simplify merges them) and the row is read from memory once
        unroll = row.extent // threads
    return ([("unroll", axis, unroll)] if unroll > 1 else []) + [("group", axis, threads)]


__all__ = ["is_row_kernel", "segments", "check_row_action", "group_rows", "unroll_rows", "row_actions",
           "ROW_THREADS", "ROW_UNROLL", "ROW_REGISTERS"]
