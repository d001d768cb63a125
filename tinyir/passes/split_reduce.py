"""`split-reduce`: a reduce of many elements into few outputs becomes two reduces.

One thread per output summing a million elements is slow on every device and, for floats, loses
precision (the error of a running sum grows with its length). When reduced/outputs >= `threshold`,
a reduced dim of size n is reshaped to (s, n/s) for a divisor s (the largest in [8, max_split]),
the inner n/s are reduced first, then the s partials. The scheduler makes two kernels of them:
the first has s * outputs independent partial sums. Integer sums (wrapping) and max are
associative, so the result is exactly the same; float sums only round differently (better).

f16 sums are split in f32 (the partials live in a buffer between the two kernels), with the
accumulator type from shapetracker-to-loop's table; a product of f16 values feeding the sum is
computed in f32 from its cast operands, as a matmul should be.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from xdsl.ir import Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter

from tinyir.dialects import tensor as tir
from tinyir.passes.st_to_loop import sum_accumulator
from tinyir.rewrite import Rule, RulePass, rule


def _widened(x: SSAValue, wide: Any) -> list[Operation]:
    """Ops giving x in the accumulator type (last one); an f16 product as the product of the cast
    operands (exact)."""
    if isinstance(x.owner, tir.MulOp):
        lhs, rhs = tir.CastOp(x.owner.lhs, wide), tir.CastOp(x.owner.rhs, wide)
        return [lhs, rhs, tir.MulOp(lhs, rhs)]
    return [tir.CastOp(x, wide)]


def _broadcast_dims(x: SSAValue) -> set[int]:
    """Dims of x that an expand grew from 1: splitting them would reread one element (not worth it)."""
    if not isinstance(x.owner, tir.ExpandOp):
        return set()
    src = tir.shape_of(x.owner.x)
    return {d for d, (a, b) in enumerate(zip(src, tir.shape_of(x))) if a == 1 and b != 1}


@dataclass(frozen=True)
class SplitReduce(RulePass):
    """Big reduces into few outputs -> a reduce into s partials per output, then a reduce over s."""

    name = "split-reduce"
    summary = "split a reduce of many elements into few outputs into two reduces (two kernels)"

    threshold: int = 1 << 15  # split when reduced elements per output reach this
    max_split: int = 256      # most partials per output (the divisor is the largest <= this, >= 8)

    def __post_init__(self) -> None:
        if self.threshold < 1:
            raise ValueError(f"threshold must be at least 1, got {self.threshold}")
        if self.max_split < 8:
            raise ValueError(f"max_split must be at least 8, got {self.max_split}")

    def split_point(self, op: tir.ReduceOp) -> tuple[int, int] | None:
        """(dim, divisor) to split, or None when the reduce is small, or no reduced dim divides."""
        shape, axes = tir.shape_of(op.x), op.axes_tuple()
        reduced = math.prod(shape[a] for a in axes)
        outputs = math.prod(shape) // reduced if reduced else 0
        if not outputs or reduced < self.threshold * outputs:
            return None
        # s * outputs partials stay below 2^22, so the partial buffer stays small
        largest = min(self.max_split, (1 << 22) // outputs)
        skip = _broadcast_dims(op.x)
        for dim in (a for a in axes if a not in skip):
            for s in range(min(largest, shape[dim] // 2), 7, -1):  # both halves > 1
                if shape[dim] % s == 0:
                    return dim, s
        return None

    def rules(self) -> list[Rule]:
        def split(op: tir.ReduceOp, rewriter: PatternRewriter) -> bool:
            point = self.split_point(op)
            if point is None:
                return False
            dim, s = point
            shape, axes = tir.shape_of(op.x), op.axes_tuple()
            narrow = tir.element_type_of(op.x)
            wide = sum_accumulator(narrow) if isinstance(op, tir.ReduceSumOp) else None
            ops = _widened(op.x, wide) if wide is not None else []
            x = ops[-1].results[0] if ops else op.x
            ops.append(parts := tir.ReshapeOp(x, [*shape[:dim], s, shape[dim] // s, *shape[dim + 1:]]))
            inner = [a + (a >= dim) for a in axes]  # dim itself -> its inner half, dim + 1
            ops.append(partial := type(op)(parts, inner, keepdims=True))  # s partials per output, at dim
            ops.append(total := type(op)(partial, [dim], keepdims=True))
            ops.append(tir.ReshapeOp(total, tir.shape_of(op.result)))
            if wide is not None:
                ops.append(tir.CastOp(ops[-1], narrow))
            narrow_product = op.x.owner if wide is not None and isinstance(op.x.owner, tir.MulOp) else None
            rewriter.replace(op, ops, [ops[-1].results[0]])
            if narrow_product is not None and not narrow_product.result.uses:  # replaced by the f32 one
                rewriter.erase(narrow_product)
            return True

        return [
            rule(tir.REDUCE_OPS, split, "reduce of >= threshold elements per output: s partials, then their reduce"),
        ]
