"""Runs of gated loads of consecutive elements, one gate per lane, as one masked vector load (CPU).

A padded convolution's register tile reads `x[base + k]` for k = 0..N-1, each copy gated by its own
bounds test (the padding: the first lane of the leftmost tile is off the image). Lowered one by one,
a gated load reads element 0 where its gate is false, so its address is a `select` and LLVM can only
vectorize the run as a gather. `group_masked_loads` replaces such a run by one `llir.masked_vload`
(`llvm.masked.load`: a contiguous vector load whose gated-off lanes touch no memory and read 0),
made before the kernel is lowered; its lanes feed the same ops the loads fed, and LLVM's SLP
vectorizer packs those into vector FMAs as it does for ungated upcast copies.

Runs come from chains: loads of one buffer and index form (but for its constant) in one loop body
that follow each other in program order at constants c, c+1, ... (an upcast tile's copies). A
chain a lane or two short of the longest in its group (a window tap whose edge copy is off the
image on every tile, folded to 0 by uop-simplify) is padded back with gate-false lanes, and each
chain is cut into 16, 8 or 4 lanes from its start, so that every vector holds the lanes of the same
accumulators (a 56-wide row: 16 + 16 + 16 + 8). A run with at least one gated or padding lane is
merged where its first load was when nothing between its loads writes memory that may be the
buffer; the pure index and compare math of its index and gates moves up to that point. Runs of
plain loads are left to SLP, and whatever is not merged stays scalar. Two more shapes of run: a
chain of 5 to 7 lanes (a 7-wide row) is padded to 8, and where a group has no consecutive
constants, loads at c, c+2, c+4, ... (a stride-2 convolution) are one masked load whose odd lanes
are gate-false (every other element read, where SLP would gather).
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import f16, f32, i1, i32
from xdsl.ir import Operation, SSAValue
from xdsl.rewriter import InsertPoint, Rewriter

from tinyir.dialects import uop
from tinyir.passes.uop_vectorize import IndexFacts
from tinyir.targets.llvm import dialect as ll

#: lanes of a masked load, widest first (a 512-bit vector of f32 holds 16)
MASKED_WIDTHS = (16, 8, 4)
MASKED_TYPES = (f32, f16, i32)
#: a chain longer than 4 and shorter than this is padded to this many lanes
PAD_BELOW = 8


def _candidates(ops: Sequence[Operation], facts: IndexFacts) -> dict[tuple, list[tuple[int, uop.LoadOp]]]:
    """Loads by (buffer, type, index terms, enclosing loop), in program order with their index constants."""
    groups: dict[tuple, list[tuple[int, uop.LoadOp]]] = {}
    loop = 0  # which loop body (ranges are flat begin/end markers in the kernel's block)
    for op in ops:
        if isinstance(op, (uop.RangeOp, uop.EndRangeOp)):
            loop += 1
        elif isinstance(op, uop.LoadOp) and op.result.type in MASKED_TYPES:
            form = facts.form(op.index)
            if form is not None:
                groups.setdefault((op.buffer, op.result.type, form[0], loop), []).append((form[1], op))
    return groups


Run = list[uop.LoadOp | None]  # None: a lane no load reads (gate false), padding a chain to its tile


def _chains(loads: list[tuple[int, uop.LoadOp]]) -> list[tuple[int, list[uop.LoadOp]]]:
    """(first constant, loads) of each run of loads that follow each other in program order at
    constants c, c+1, ... (an upcast tile's copies). A chain is also cut where 8 or more gated loads
    meet 8 or more plain ones: a window's row off the image next to one inside it, when a tile is
    one whole row and rows follow each other (a tile's few gated edge lanes stay in its chain)."""
    chains: list[tuple[int, list[uop.LoadOp]]] = []
    previous: int | None = None
    for const, op in loads:
        if previous is not None and const == previous + 1:
            chains[-1][1].append(op)
        else:
            chains.append((const, [op]))
        previous = const
    out: list[tuple[int, list[uop.LoadOp]]] = []
    for start, ops in chains:
        segments: list[list[uop.LoadOp]] = []  # maximal stretches all gated or all plain
        for op in ops:
            if segments and (op.gate is None) == (segments[-1][-1].gate is None):
                segments[-1].append(op)
            else:
                segments.append([op])
        piece: list[uop.LoadOp] = []
        for k, segment in enumerate(segments):
            if piece and len(segment) >= 8 and len(segments[k - 1]) >= 8:
                out.append((start, piece))
                start, piece = start + len(piece), []
            piece = piece + segment
        out.append((start, piece))
    return out


def _padded(chains: list[tuple[int, list[uop.LoadOp]]]) -> list[tuple[int, Run]]:
    """Chains a lane or two shorter than the group's longest (a window tap whose first or last
    copy is off the image on every tile, so uop-simplify folded that load to 0) padded back to the
    tile's width, on the side that does not repeat a full chain's range (each tap of a window is
    shifted by one), so that every chain is cut at the same lanes of the tile."""
    full = max((len(ops) for _, ops in chains), default=0)
    ranges = {(start, start + len(ops)) for start, ops in chains if len(ops) == full}
    out: list[tuple[int, Run]] = []
    for start, ops in chains:
        short = full - len(ops)
        lanes: Run = list(ops)
        if 0 < short <= 2 and full >= 8:
            if (start - short, start + len(ops)) not in ranges:
                start, lanes = start - short, [None] * short + lanes
            elif (start, start + full) not in ranges:
                lanes = lanes + [None] * short
        out.append((start, lanes))
    return out


def _strided_chains(loads: list[tuple[int, uop.LoadOp]]) -> list[tuple[int, Run]]:
    """Runs of loads at constants c, c+2, c+4, ... in program order (a stride-2 convolution's
    tile), each followed by a gate-false lane: one masked load reads the pairs, every other lane
    used, where SLP would gather. Only where the group has no consecutive constants at all."""
    chains: list[tuple[int, Run]] = []
    previous: int | None = None
    for const, op in loads:
        if previous is not None and const == previous + 2:
            chains[-1][1].extend((op, None))
        else:
            chains.append((const, [op, None]))
        previous = const
    return chains


def _runs(loads: list[tuple[int, uop.LoadOp]]) -> list[Run]:
    """The chains (see `_chains`, `_padded`) cut into 16, 8 or 4 lanes from each one's start (a
    row of 56 copies is 16 + 16 + 16 + 8, each vector the lanes of the same accumulators); a run
    of plain loads only is left to SLP. A group whose chains are all one load long may step by 2
    instead (`_strided_chains`). A chain of 5 to 7 lanes is padded to 8 with gate-false lanes."""
    runs = []
    chains = _padded(_chains(loads))
    if all(len(chain) == 1 for _, chain in chains):
        chains = _strided_chains(loads)
    for _, chain in chains:
        if MASKED_WIDTHS[-1] < len(chain) < PAD_BELOW:
            # a 7-wide row: one vector of 8 with a gate-false lane, rather than 4 lanes and 3
            # scalars (512x512x7x7 3x3, one thread: 8.9 -> 7.8 ms; padding 14 lanes to 16 made a
            # 14-wide row slower, 3.6 -> 4.8 ms)
            chain = chain + [None] * (PAD_BELOW - len(chain))
        while chain:
            width = next((w for w in MASKED_WIDTHS if w <= len(chain)), 0)
            if not width:
                break
            run, chain = chain[:width], chain[width:]
            if sum(op is not None for op in run) >= 2 and any(op is None or op.gate is not None for op in run):
                runs.append(run)
    return runs


def _writes_between(ops: Sequence[Operation], first: int, last: int, buffer: SSAValue) -> bool:
    for op in ops[first + 1:last]:
        if isinstance(op, (uop.StoreOp, uop.VStoreOp)) and (op.buffer is buffer or op.buffer.owner is buffer.owner):
            return True
        if isinstance(op, uop.BarrierOp):
            return True
    return False


def _hoistable(value: SSAValue, first: int, pos: dict[Operation, int], moves: list[Operation]) -> bool:
    """Whether `value` is computed before position `first`, or by pure ops that can move there
    (collected in `moves`, operands first)."""
    owner = value.owner
    if not isinstance(owner, Operation) or pos.get(owner, -1) < first or owner in moves:
        return True
    if not isinstance(owner, (*uop.UOP_ALU, uop.ConstOp)) or not all(_hoistable(v, first, pos, moves) for v in owner.operands):
        return False
    moves.append(owner)
    return True


def group_masked_loads(kernel: uop.KernelOp) -> int:
    """Replace the kernel's runs of per-lane gated loads by `llir.masked_vload`s; returns how many."""
    block = kernel.body.block
    facts = IndexFacts()
    merged = 0
    for loads in _candidates(list(block.ops), facts).values():
        for run in _runs(loads):
            ops = list(block.ops)  # afresh: each merge moves ops
            pos = {op: i for i, op in enumerate(ops)}
            present = [op for op in run if op is not None]
            lead = next(k for k, op in enumerate(run) if op is not None)  # lanes before the first load
            first, last = min(pos[op] for op in present), max(pos[op] for op in present)
            moves: list[Operation] = []
            if _writes_between(ops, first, last, present[0].buffer) or not all(
                    _hoistable(v, first, pos, moves) for v in (present[0].index, *(op.gate for op in present if op.gate))):
                continue
            for op in moves:  # the gates' and the first load's index math, computed before the first load
                op.detach()
                Rewriter.insert_op(op, InsertPoint.before(ops[first]))
            new: list[Operation] = []
            constants: dict[bool, SSAValue] = {}

            def flag(value: bool) -> SSAValue:  # the gate of an ungated (true) or padding (false) lane
                if value not in constants:
                    new.append(uop.ConstOp(value, i1))
                    constants[value] = new[-1].results[0]
                return constants[value]

            gates = [flag(False) if op is None else op.gate or flag(True) for op in run]
            index = present[0].index
            if lead:
                offset = uop.ConstOp(-lead, index.type)
                start = uop.AddOp(index, offset.result)
                new += [offset, start]
                index = start.result
            vload = ll.MaskedVLoadOp(present[0].buffer, index, gates, present[0].result.type)
            Rewriter.insert_op([*new, vload], InsertPoint.before(ops[first]))
            for load, lane in zip(run, vload.lanes):
                if load is not None:
                    load.result.replace_all_uses_with(lane)
                    load.detach()
                    load.erase()
            merged += 1
    return merged


__all__ = ["group_masked_loads", "MASKED_WIDTHS"]
