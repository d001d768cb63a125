"""Expansion of `upcast` and `unroll` ranges (the first step of `loop-to-uop`).

An upcast or unroll range of size n stands for n copies of everything that depends on it: each op
whose operands depend on such ranges is copied once per assignment of values to them, with the
range itself read as the constant of that assignment. A `loop.reduce` that ends unroll ranges
and still loops over others accumulates its copies one by one (its operator, in order, so `max`
and integer sums stay exact); a reduce that only depended on unroll ranges becomes the combined
value. Copies of a store write different elements (an upcast is a register tile of
outputs). Nothing here makes vectors: consecutive copies are left for the target (LLVM's SLP
vectorizer, or a later vector pass) to merge.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from xdsl.dialects.builtin import i32
from xdsl.ir import Block, Operation, SSAValue

from tinyir.dialects import loop, uop

#: range kinds that become copies rather than loops or hardware indices
EXPANDED_KINDS = frozenset({loop.RangeKind.UPCAST, loop.RangeKind.UNROLL})
#: how the copies of a reduced value are combined
COMBINE = {loop.ReduceKind.ADD: uop.AddOp, loop.ReduceKind.MAX: uop.MaxOp}

Assignment = tuple[tuple[int, int], ...]  # ((position of the range, value), ...) sorted


def is_expanded(op: Operation) -> bool:
    """Upcast and unroll ranges, and reduce or serial ranges of size 1 (left by splitting off a whole
    axis)."""
    return isinstance(op, loop.RangeOp) and (
        op.range_kind in EXPANDED_KINDS
        or (op.range_kind in (loop.RangeKind.REDUCE, loop.RangeKind.SERIAL) and op.extent == 1))


def expand_kernel(kernel: loop.KernelOp) -> dict[int, list[SSAValue]]:
    """Replace the kernel's upcast/unroll ranges by copies, in place. Returns, for each `loop.reduce`
    that still loops and ended unroll ranges (by id), the copies it accumulates: its value operand is
    the first of them, and the lowering adds them into the accumulator one after another
    (`acc + v0 + v1`, so each product can fuse with its add into an fma)."""
    block = kernel.body.block
    ops = list(block.ops)
    targets = [op for op in ops if is_expanded(op)]
    parts: dict[int, list[SSAValue]] = {}
    if not targets:
        return parts
    position = {op.result: i for i, op in enumerate(targets)}
    size = [op.extent for op in targets]
    deps = loop.range_dependencies(ops)

    known: dict[SSAValue, tuple[int, ...]] = {}  # asked for each operand of every copy: once per value

    def expanded_deps(value: SSAValue) -> tuple[int, ...]:
        found = known.get(value)
        if found is None:
            found = known[value] = tuple(sorted(position[r] for r in deps.get(value, frozenset()) if r in position))
        return found

    def assignments(positions: tuple[int, ...]) -> Iterator[Assignment]:
        for values in itertools.product(*(range(size[p]) for p in positions)):
            yield tuple(zip(positions, values))

    copies: dict[tuple[SSAValue, Assignment], SSAValue] = {}
    new_ops: list[Operation] = []

    def lookup(value: SSAValue, assignment: dict[int, int]) -> SSAValue:
        if value in position:
            const = uop.ConstOp(assignment[position[value]], i32)
            new_ops.append(const)
            return const.result
        key = tuple((p, assignment[p]) for p in expanded_deps(value))
        return copies.get((value, key), value)

    for op in ops:
        if isinstance(op, loop.RangeOp) and op.result in position:
            continue
        if isinstance(op, loop.ReduceOp):
            _expand_reduce(op, position, expanded_deps, assignments, lookup, copies, new_ops, parts)
            continue
        operands = op._operands  # the op's own tuple: `op.operands` makes a view object per call
        positions = tuple(sorted({p for v in operands for p in expanded_deps(v)}))
        if not positions:  # kept, reading the combined value of any reduce it uses
            op.operands = [lookup(v, {}) for v in operands]
            op.detach()
            new_ops.append(op)
            continue
        # a copy is built with its operands at once (cloning, then setting them, redoes the use
        # lists); an op with regions, or reading one value twice, is cloned and then rewired
        direct = not op.regions and not op.successors and len(set(operands)) == len(operands)
        result_types = [r.type for r in op.results]
        for assignment in assignments(positions):
            amap = dict(assignment)
            if direct:  # `clone_without_regions`, less its value and block maps (there is nothing to map)
                clone = op.create(operands=[lookup(v, amap) for v in operands], result_types=result_types,
                                  properties=op.properties.copy(), attributes=op.attributes.copy(),
                                  location=op.location)
            else:
                clone = op.clone()
                clone.operands = [lookup(v, amap) for v in operands]
            new_ops.append(clone)
            for old, new in zip(op.results, clone.results):
                new.name_hint = old.name_hint
                copies[(old, assignment)] = new
    _replace_body(block, new_ops)
    return parts


def _expand_reduce(op: loop.ReduceOp, position, expanded_deps, assignments, lookup, copies, new_ops,
                   parts: dict[int, list[SSAValue]]) -> None:
    ended = tuple(sorted(position[r] for r in op.ranges if r in position))
    rest = [r for r in op.ranges if r not in position]
    outer = tuple(p for p in expanded_deps(op.value) if p not in ended)
    for assignment in assignments(outer):
        amap = dict(assignment)
        values = [lookup(op.value, {**amap, **dict(inner)}) for inner in assignments(ended)]
        if rest:  # still a loop: the copies go into the accumulator one by one (see expand_kernel)
            red = loop.ReduceOp(op.kind, values[0], rest)
            red.result.name_hint = op.result.name_hint
            new_ops.append(red)
            if len(values) > 1:
                parts[id(red)] = values
            copies[(op.result, assignment)] = red.result
            continue
        combined = values[0]
        for value in values[1:]:
            step = COMBINE[op.kind](combined, value)
            new_ops.append(step)
            combined = step.results[0]
        copies[(op.result, assignment)] = combined


def _replace_body(block: Block, new_ops: list[Operation]) -> None:
    """Put `new_ops` in the block in order and erase whatever of the old body is left over."""
    for op in reversed(list(block.ops)):  # the copied originals, users first
        op.detach()
        op.erase(safe_erase=False)
    for op in new_ops:
        block.add_op(op)
