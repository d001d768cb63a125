"""Staged copies in runs across tile dimensions (part of the stage pass, tinyir/passes/stage.py).

`stage._copy_ops` copies a tile in runs along its innermost dimension only: a convolution's weights
tile ends in its 3-wide window (kw), so it is copied one 2-byte element at a time although the chunk's
channels and window, (ic, kh, kw), are one contiguous stretch of global memory (144 elements per
output channel for 16 channels of a 3x3 window). CONTIGUOUS-RUNS: where the innermost dimensions of
an ungated tile are contiguous in global memory (each one's stride the extent times the stride of the
next, the innermost's 1, and the index linear in them) and the innermost alone gives no run, the copy
takes runs of 8 (or 4) consecutive elements of that stretch: one load index per run, the run's
elements at +1, +2, ... (so uop-vectorize merges them into vector loads), each stored at its own tile
position (the tile may store them apart: TC-K-INNER puts the channels innermost).
"""

from __future__ import annotations

import math

from xdsl.ir import Operation, SSAValue

from tinyir.dialects import loop, uop
from tinyir.passes.symbolic import linear_terms

#: run lengths tried, longest first (8 f16 elements: one 16-byte access, or two of uop-vectorize's 4-wide)
RUNS = (8, 4)


def _reads(v: SSAValue, ranges: set[SSAValue]) -> bool:
    """Whether `v` is computed from any of `ranges`."""
    seen: set[int] = set()
    todo = [v]
    while todo:
        x = todo.pop()
        if x in ranges:
            return True
        owner = x.owner
        if isinstance(owner, Operation) and id(owner) not in seen and not isinstance(owner, loop.RangeOp):
            seen.add(id(owner))
            todo.extend(owner.operands)
    return False


def contiguous_tail(s) -> list[loop.RangeOp]:
    """The innermost copy dimensions of staged load `s` that are one contiguous stretch of global
    memory (outer to inner; empty unless two or more, the load ungated, without halo, and linear in them)."""
    from tinyir.passes.stage import _stride

    if s.core is not None or s.load.gate is not None or s.halo:
        return []
    tail: list[loop.RangeOp] = []
    expect = 1
    for d in reversed(s.dims):
        if _stride(s.load.index, d.result) != expect:
            break
        tail.insert(0, d)
        expect *= d.extent
    if len(tail) < 2:
        return []
    mine = {d.result for d in tail}
    terms, _ = linear_terms(s.load.index)
    if any(atom not in mine and _reads(atom, mine) for atom, _ in terms):
        return []  # a tail range inside something other than a sum (a division, a modulo)
    return tail


def contiguous_copy_ops(s, tile: uop.DefineLocalOp, tid: SSAValue, threads: int) -> list[Operation] | None:
    """The copy of `s`'s tile in runs across its contiguous tail (CONTIGUOUS-RUNS), or None where that
    does not apply (then stage._copy_ops copies it)."""
    from tinyir.passes.stage import COPY_VECTOR, _index_builders, _layout_index, substitute

    if s.extent(s.dims[-1]) % COPY_VECTOR == 0:
        return None  # the innermost dimension alone gives runs
    tail = contiguous_tail(s)
    if not tail:
        return None
    stretch = math.prod(d.extent for d in tail)
    run = next((r for r in RUNS if stretch % r == 0 and s.elements % (r * threads) == 0), None)
    if run is None:
        return None
    outer = s.dims[: len(s.dims) - len(tail)]
    units = s.elements // run
    ops: list[Operation] = []
    const, binary = _index_builders(ops)

    for j in range(-(-units // threads)):
        unit = tid if not j else binary(uop.AddOp, tid, const(j * threads))
        coordinate: dict[SSAValue, SSAValue] = {}
        # the run's start in the stretch, then the outer dimensions (innermost first)
        extent, stride = stretch // run, 1
        start = unit if stride * extent >= units else binary(uop.ModOp, unit, const(extent))
        start = binary(uop.MulOp, start, const(run))
        stride *= extent
        for d in reversed(outer):
            value = binary(uop.IdivOp, unit, const(stride))
            if stride * d.extent < units:
                value = binary(uop.ModOp, value, const(d.extent))
            coordinate[d.result] = value
            stride *= d.extent
        in_tile = binary(uop.CmpltOp, unit, const(units)) if (j + 1) * threads > units else None
        zero = const(0)
        origin = substitute(s.load.index, {**coordinate, **{d.result: zero for d in tail}}, ops)
        first = binary(uop.AddOp, origin, start)
        for lane in range(run):
            index = first if not lane else binary(uop.AddOp, first, const(lane))
            ops.append(load := uop.LoadOp(s.load.buffer, index, in_tile))
            at = start if not lane else binary(uop.AddOp, start, const(lane))
            lane_coordinate = dict(coordinate)
            step = 1
            for d in reversed(tail):  # the element's coordinates in the tail dimensions
                value = at if step == 1 else binary(uop.IdivOp, at, const(step))
                if d is not tail[0]:
                    value = binary(uop.ModOp, value, const(d.extent))
                lane_coordinate[d.result] = value
                step *= d.extent
            ops.append(uop.StoreOp(tile.result, _layout_index(s, lane_coordinate, ops), load.result, in_tile))
    return ops


__all__ = ["contiguous_copy_ops", "contiguous_tail"]
