"""Global ranges and the grid's dimensions, at the loop level (part of kernel-optimize).

GPUs launch at most 3 grid dimensions, so shapetracker-to-loop gives a kernel with more output dims
one global range for its outer dims, read through idiv/mod ("digits" of the merged index). That
hides the dims from the optimizer: in a convolution's (n, oc, h, w) output, n and oc share one range
that both the input and the weights read, so no matrix product is seen.

`unmerge_globals` splits such a range back into one range per digit (each use rebuilt exactly from
the digits, so it is right for any use), and `merge_globals` merges the outermost global ranges
again once the actions are applied, where a kernel has more than the target's grid dimensions.
"""

from __future__ import annotations

import math

from xdsl.dialects.builtin import i32
from xdsl.ir import Operation, SSAValue
from xdsl.rewriter import InsertPoint, Rewriter

from tinyir.dialects import loop, uop
from tinyir.passes.symbolic import build_linear, int_const as _const

RK = loop.RangeKind


def _boundaries(r: loop.RangeOp) -> list[int] | None:
    """The digit boundaries 1 = B0 < B1 < ... < Bn = extent of a range read through idiv/mod by
    constants (each dividing the next), or None where its uses show no digits."""
    extent, found = r.extent, set()
    for use in r.result.uses:
        op = use.operation
        if isinstance(op, (uop.IdivOp, uop.ModOp)) and use.index == 0 and (c := _const(op.rhs)) is not None:
            if isinstance(op, uop.IdivOp):
                found.add(c)
                for inner in op.result.uses:  # mod(idiv(r, c), s): a digit between c and c*s
                    if isinstance(inner.operation, uop.ModOp) and inner.index == 0 and (s := _const(inner.operation.rhs)):
                        found.add(c * s)
            else:
                found.add(c)
    cuts = sorted(c for c in found if 1 < c < extent)
    bounds = [1, *cuts, extent]
    if not cuts or any(b % a for a, b in zip(bounds, bounds[1:])):
        return None
    return bounds


def _digits_value(digits: list[SSAValue], bounds: list[int], lo: int, hi: int, ops: list[Operation]) -> SSAValue:
    """sum of digit_i * (B_i / B_lo) for lo <= i < hi: the value of digits lo..hi-1 as one number."""
    return build_linear([(digits[i], bounds[i] // bounds[lo]) for i in range(lo, hi)], 0, ops)


def unmerge_global(r: loop.RangeOp) -> bool:
    """Split global range `r` into one range per digit of its idiv/mod uses (outermost first); every
    use is rebuilt from the digits. False where `r` shows no digits."""
    bounds = _boundaries(r)
    if r.range_kind != RK.GLOBAL or bounds is None:
        return False
    hint = r.result.name_hint or "i"
    outer_first = [loop.RangeOp(bounds[i + 1] // bounds[i], RK.GLOBAL) for i in reversed(range(len(bounds) - 1))]
    for pos, new in enumerate(outer_first):
        new.result.name_hint = f"{hint}_{pos}"
    digits = [new.result for new in reversed(outer_first)]  # digit 0 varies fastest
    Rewriter.insert_op(outer_first, InsertPoint.before(r))
    n = len(digits)
    for use in list(r.result.uses):
        op = use.operation
        ops: list[Operation] = []
        c = _const(op.rhs) if isinstance(op, (uop.IdivOp, uop.ModOp)) and use.index == 0 else None
        if c is not None and c in bounds and isinstance(op, uop.ModOp):
            new_value, replaced = _digits_value(digits, bounds, 0, bounds.index(c), ops), op
        elif c is not None and c in bounds and isinstance(op, uop.IdivOp):
            lo = bounds.index(c)
            for inner in list(op.result.uses):  # mod(idiv(r, c), s): digits lo.. up to c*s
                mod = inner.operation
                s = _const(mod.rhs) if isinstance(mod, uop.ModOp) and inner.index == 0 else None
                if s is not None and c * s in bounds:
                    sub: list[Operation] = []
                    value = _digits_value(digits, bounds, lo, bounds.index(c * s), sub)
                    Rewriter.insert_op(sub, InsertPoint.before(mod))
                    mod.result.replace_all_uses_with(value)
                    mod.detach()
                    mod.erase()
            if not op.result.uses:
                op.detach()
                op.erase()
                continue
            new_value, replaced = _digits_value(digits, bounds, lo, n, ops), op
        else:  # any other use reads the whole index, rebuilt
            new_value, replaced = _digits_value(digits, bounds, 0, n, ops), None
        Rewriter.insert_op(ops, InsertPoint.before(op))
        if replaced is None:
            op.operands[use.index] = new_value
        else:
            replaced.results[0].replace_all_uses_with(new_value)
            replaced.detach()
            replaced.erase()
    r.detach()
    r.erase()
    return True


def unmerge_globals(kernel: loop.KernelOp) -> bool:
    """`unmerge_global` on every global range of `kernel`; whether any was split."""
    ranges = [op for op in kernel.body.block.ops if isinstance(op, loop.RangeOp) and op.range_kind == RK.GLOBAL]
    return any([unmerge_global(r) for r in ranges])


def merge_globals(kernel: loop.KernelOp, max_dims: int) -> None:
    """Merge the outermost global ranges into one where the kernel has more than `max_dims`; each is
    then read from the merged index by idiv/mod (innermost fastest)."""
    grid = [op for op in kernel.body.block.ops if isinstance(op, loop.RangeOp) and op.range_kind == RK.GLOBAL]
    if len(grid) <= max_dims or max_dims < 1:
        return
    merged = grid[: len(grid) - max_dims + 1]
    whole = loop.RangeOp(math.prod(r.extent for r in merged), RK.GLOBAL)
    whole.result.name_hint = "grid"
    ops: list[Operation] = [whole]
    values: list[SSAValue] = []
    inner = 1
    for r in reversed(merged):
        value = whole.result
        if inner > 1:
            ops.append(c := uop.ConstOp(inner, i32))
            ops.append(div := uop.IdivOp(value, c.result))
            value = div.result
        if r.extent == 1:
            ops.append(c := uop.ConstOp(0, i32))
            value = c.result
        elif r is not merged[0]:
            ops.append(c := uop.ConstOp(r.extent, i32))
            ops.append(rem := uop.ModOp(value, c.result))
            value = rem.result
        values.append(value)
        inner *= r.extent
    Rewriter.insert_op(ops, InsertPoint.before(merged[0]))
    for r, value in zip(reversed(merged), values):
        r.result.replace_all_uses_with(value)
        r.detach()
        r.erase()
