"""The iteration space of a *row kernel* for `shapetracker-to-loop` (schedule_partition.py says
which kernels are row kernels: softmax, layernorm, `x - mean(x)`, ...).

A row kernel holds several reduces over the same axes of the same *full* shape (one row per
output), and values that broadcast a reduce's result back over its row. Per row it computes each
reduce in turn, then the row's outputs; each of these *segments* loops over the row separately:

    i = global ranges (the dims that are not reduced; one row each)
    segment k (one per reduce, in body order): reduce ranges over the row, ended by that reduce
    the outputs (when the stored value has the full shape): `serial` ranges over the row

The st-level body shares values between segments (softmax reads `x` in all three), but a value
at the loop level belongs to the ranges it is indexed by, so the full-shape ops that a reduce
reads are cloned for it (its *cone*: walking operands back, stopping at values of another shape,
which are one value per row: reduce results and per-row leaves); what is left serves the outputs.
A reduce result expanded over the row (or reshaped by size-1 dims) is the value itself.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from xdsl.ir import Operation, SSAValue

from tinyir.dialects import loop, shapetracker as st, tensor as tir
from tinyir.passes.st_to_loop import KernelSpace, StToLoopError


def _shape(v: SSAValue) -> tuple[int, ...]:
    return tir.shape_of(v)


def _row_ranges(space: KernelSpace, axes: Sequence[int], kind: loop.RangeKind,
                hint: str) -> tuple[list[loop.RangeOp], list[SSAValue | int]]:
    """New ranges over the row's dims (size > 1) and the full-shape indices that use them."""
    ranges: list[loop.RangeOp] = []
    idxs = list(space.full_idxs)
    for d in axes:
        if space.full_shape[d] > 1:
            r = loop.RangeOp(space.full_shape[d], kind)
            r.result.name_hint = f"{hint}{d}"
            ranges.append(r)
            idxs[d] = r.result
    return ranges, idxs


def _cone(root: SSAValue, full: tuple[int, ...]) -> set[Operation]:
    """The full-shape ops `root` is computed from (stopping at values of another shape)."""
    ops: set[Operation] = set()
    stack = [root]
    while stack:
        value = stack.pop()
        owner = value.owner
        if not isinstance(owner, Operation) or owner in ops or _shape(value) != full:
            continue
        ops.add(owner)
        stack.extend(owner.operands)
    return ops


def row_space(kernel: st.KernelOp, reduces: Sequence[tir.ReduceOp], max_global_dims: int) -> KernelSpace:
    """The space of a row kernel; clones each reduce's cone in the body (module docstring)."""
    name = kernel.name_str
    rows = {(_shape(red.x), red.axes_tuple()) for red in reduces}
    if not reduces or len(rows) > 1:
        why = "reduces over different rows" if reduces else "a movement op but no reduce"
        raise StToLoopError(kernel, f"st.kernel \"{name}\" is not a row kernel ({why}): run fold-views, and "
                            "schedule-kernels puts at most one reduce in a kernel that is not a row kernel")
    for red in reduces:
        if not red.keepdims():
            raise StToLoopError(red, "shapetracker-to-loop needs keepdims reduces (as after fold-views)")
    (full, axes), = rows
    keep = tuple(1 if d in axes else n for d, n in enumerate(full))
    stored = _shape(kernel.store().value)
    if stored != full and [n for n in stored if n != 1] != [n for n in keep if n != 1]:
        raise StToLoopError(kernel.store(), f"row kernel \"{name}\" stores shape {stored}: neither its rows "
                            f"{full} nor one value per row {keep}")
    base = KernelSpace.build(full, keep, (), max_global_dims)
    space = KernelSpace(full, keep, base.full_idxs, base.out_idxs, [], list(base.ranges), base.index_ops,
                        row_kernel=True)
    if full == keep:  # rows of one element: every value is one per row, a reduce is its input
        return space
    block = kernel.body.block
    for k, red in enumerate(reduces):
        cone = _cone(red.x, full)
        mapping: dict[SSAValue, SSAValue] = {}
        ranges, idxs = _row_ranges(space, axes, loop.RangeKind.REDUCE, "r" if k == 0 else f"r{k}_")
        for op in [o for o in block.ops if o in cone]:
            clone = op.clone(value_mapper=mapping)
            block.insert_op_before(clone, red)
            mapping.update(zip(op.results, clone.results))
            space.segment_idxs[id(clone)] = idxs
        red.operands[0] = mapping[red.x]
        space.ranges += ranges
        space.reduce_ranges_of[id(red)] = [r.result for r in ranges]
    for op in reversed(list(block.ops)):  # the originals no reduce reads any more
        if op.results and not any(r.uses for r in op.results) and not isinstance(op, tir.ReduceOp):
            op.detach()
            op.erase()
    if stored == full:
        ranges, idxs = _row_ranges(space, axes, loop.RangeKind.SERIAL, "j")
        space.ranges += ranges
        for op in block.ops:
            if id(op) not in space.segment_idxs and (isinstance(op, st.StoreOp) or
                                                     (op.results and _shape(op.results[0]) == full)):
                space.segment_idxs[id(op)] = idxs
    if math.prod(full) == 0:
        raise StToLoopError(kernel, f"row kernel \"{name}\" has an empty row shape {full}")
    return space


__all__ = ["row_space"]
