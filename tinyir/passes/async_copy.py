"""`uop-async-copy`: staged tiles double-buffered through asynchronous copies (NVIDIA sm_80+ cp.async).

A staged reduce (tinyir/passes/stage.py) loops over chunks: each chunk the work-group copies its
tiles from global memory through registers into local memory, waits at a barrier, computes from the
tiles, and waits at a second barrier before the next copy may overwrite them. Nothing overlaps.

This pass gives each tile a second buffer and starts the copy of chunk c+1 (`uop.async_copy`: global
to local without registers) before computing chunk c from the other buffer:

    copy chunk 0 -> buffer 0; commit
    for c:  copy chunk c+1 -> buffer (c+1)%2 (zeros past the last chunk); commit
            wait until only that newest group is in flight (chunk c has landed); barrier
            compute chunk c from buffer c%2; barrier
    wait for all

The buffer written at c is the one read at c-1, which every work-item finished before the barrier
ending c-1. It applies to a chunk loop whose copy section (what precedes its first barrier) only
copies: each local store an ungated store of a global load used nowhere else, of 4, 8 or 16 bytes
(cp.async's sizes), and whose tiles are read only by loads, vloads and ldmatrix in the rest of the
loop; where the doubled tiles would pass `max_bytes` of local memory it leaves the loop alone.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, i32
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter

from tinyir.dialects import uop
from tinyir.dialects.uop import buffer_element_type
from tinyir.element_types import numpy_dtype
from tinyir.rewrite import STATISTICS

ACCESS_BYTES = (4, 8, 16)
TILE_READS = (uop.LoadOp, uop.VLoadOp, uop.LdMatrixOp)


@dataclass
class _Copy:
    load: uop.LoadOp | uop.VLoadOp
    store: uop.StoreOp | uop.VStoreOp

    @property
    def lanes(self) -> int:
        return len(self.store.values) if isinstance(self.store, uop.VStoreOp) else 1


def _element_bytes(buffer: SSAValue) -> int:
    return numpy_dtype(buffer_element_type(buffer.type)).itemsize


def _chunk_loop(ops: list[Operation], at: int) -> tuple[int, int, int] | None:
    """(first barrier, closing barrier, endrange) positions of the chunk loop starting at ops[at]."""
    r = ops[at]
    end = next((i for i in range(at + 1, len(ops)) if isinstance(ops[i], uop.EndRangeOp) and ops[i].range is r.result),
               None)
    if end is None or not isinstance(ops[end - 1], uop.BarrierOp):
        return None
    first = next((i for i in range(at + 1, end) if isinstance(ops[i], (uop.BarrierOp, uop.RangeOp))), None)
    if first is None or not isinstance(ops[first], uop.BarrierOp) or first == end - 1:
        return None
    return first, end - 1, end


def _plan(ops: list[Operation], at: int, max_bytes: int, used_bytes: int) -> tuple[list[_Copy], list[uop.DefineLocalOp]] | None:
    found = _chunk_loop(ops, at)
    if found is None:
        return None
    first, closing, _ = found
    copy_section, rest = ops[at + 1:first], set(map(id, ops[first + 1:closing]))
    copies, tiles = [], {}
    for op in copy_section:
        if isinstance(op, (uop.StoreOp, uop.VStoreOp)):
            load = op.values[0].owner if isinstance(op, uop.VStoreOp) else op.value.owner
            values = list(op.values) if isinstance(op, uop.VStoreOp) else [op.value]
            if (op.gate is not None or not uop.is_local_buffer(op.buffer) or not isinstance(load, (uop.LoadOp, uop.VLoadOp))
                    or list(load.results) != values or uop.is_local_buffer(load.buffer)
                    or any(v.uses.get_length() != 1 for v in values) or op.index.type != i32
                    or len(values) * _element_bytes(op.buffer) not in ACCESS_BYTES):
                return None
            copies.append(_Copy(load, op))
            tiles[id(op.buffer.owner)] = op.buffer.owner
        elif isinstance(op, (uop.VLoadOp, uop.LoadOp)):
            continue  # checked with its store
        elif not isinstance(op, tuple(uop.PURE_UOPS)) or isinstance(op, (uop.MmaOp, uop.LdMatrixOp, uop.WgmmaOp)):
            return None  # the copy section only copies
    if not copies:
        return None
    stores = {id(c.store) for c in copies}
    for tile in tiles.values():
        for use in tile.result.uses:
            user = use.operation
            if id(user) in stores:
                continue
            if not (isinstance(user, TILE_READS) and id(user) in rest and use.index == 0):
                return None
        if tile.result.type.size() * _element_bytes(tile.result) % 16:
            return None  # the second buffer must start 16-byte aligned
    extra = sum(t.result.type.size() * _element_bytes(t.result) for t in tiles.values())
    if used_bytes + extra > max_bytes:
        return None
    return copies, list(tiles.values())


def _offset(parity: SSAValue, size: int, ops: list[Operation]) -> SSAValue:
    ops += [c := uop.ConstOp(size, i32), m := uop.MulOp(parity, c.result)]
    return m.result


def _async_copies(copies: list[_Copy], chunk: SSAValue, r: SSAValue, offsets: dict[int, SSAValue],
                  live: SSAValue | None, ops: list[Operation], tiles: dict[int, SSAValue], inside: set[int]) -> None:
    """The copies of chunk `chunk` (the loop index r replaced) into the buffers at `offsets`."""
    from tinyir.passes.stage import substitute

    memo: dict[SSAValue, SSAValue] = {r: chunk}

    def _sub(v: SSAValue) -> SSAValue:
        return substitute(v, memo, ops, inside, memo)

    for c in copies:
        src = _sub(c.load.index)
        gate = _sub(c.load.gate) if c.load.gate is not None else None
        if live is not None:
            if gate is not None:
                ops.append(both := uop.AndOp(gate, live))
                gate = both.result
            else:
                gate = live
        dst = _sub(c.store.index)
        tile = c.store.buffer.owner
        ops.append(at := uop.AddOp(dst, offsets[id(tile)]))
        ops.append(uop.AsyncCopyOp(tiles[id(tile)], at.result, c.load.buffer, src, c.lanes, gate))


def pipeline_kernel(kernel: uop.KernelOp, max_bytes: int) -> int:
    """Double-buffer every chunk loop of `kernel` that fits (module docstring); how many."""
    done = 0
    while True:
        ops = list(kernel.body.block.ops)
        used = sum(d.result.type.size() * _element_bytes(d.result) for d in ops if isinstance(d, uop.DefineLocalOp))
        for at, r in enumerate(ops):
            if not isinstance(r, uop.RangeOp):
                continue
            plan = _plan(ops, at, max_bytes, used)
            if plan is None:
                continue
            _double_buffer(kernel, ops, at, *plan)
            done += 1
            break
        else:
            return done


def _double_buffer(kernel: uop.KernelOp, ops: list[Operation], at: int, copies: list[_Copy],
                   old_tiles: list[uop.DefineLocalOp]) -> None:
    r = ops[at]
    first, _, end = _chunk_loop(ops, at)
    start, stop = r.start.value.data, r.end.value.data
    # each tile twice as long; its old size is the second buffer's offset
    tiles: dict[int, SSAValue] = {}
    sizes: dict[int, int] = {}
    for t in old_tiles:
        size = t.result.type.size()
        new = uop.DefineLocalOp(2 * size, buffer_element_type(t.result.type))
        new.result.name_hint = t.result.name_hint
        Rewriter.insert_op(new, InsertPoint.before(t))
        tiles[id(t)], sizes[id(t)] = new.result, size
    # prologue: chunk 0 into buffer 0
    pro: list[Operation] = [zero := uop.ConstOp(start, i32), nil := uop.ConstOp(0, i32)]
    inside = {id(op) for op in ops[at + 1:end]}
    _async_copies(copies, zero.result, r.result, {k: nil.result for k in tiles}, None, pro, tiles, inside)
    pro.append(uop.AsyncCommitOp())
    Rewriter.insert_op(pro, InsertPoint.before(r))
    # in the loop: chunk r+1 into buffer (r+1-start)%2, gated to the chunks that exist
    head: list[Operation] = [one := uop.ConstOp(1, i32), back := uop.ConstOp(-start, i32),
                             rel := uop.AddOp(r.result, back.result), par := uop.AndOp(rel.result, one.result),
                             nxt := uop.AddOp(r.result, one.result), npar := uop.XorOp(par.result, one.result),
                             last := uop.ConstOp(stop, i32), live := uop.CmpltOp(nxt.result, last.result)]
    current = {k: _offset(par.result, sizes[k], head) for k in tiles}
    following = {k: _offset(npar.result, sizes[k], head) for k in tiles}
    _async_copies(copies, nxt.result, r.result, following, live.result, head, tiles, set())
    head += [uop.AsyncCommitOp(), uop.AsyncWaitOp(1)]
    Rewriter.insert_op(head, InsertPoint.before(ops[first]))
    # the compute section reads the current buffer
    for t in old_tiles:
        for use in list(t.result.uses):
            user = use.operation
            if isinstance(user, TILE_READS):
                shifted = uop.AddOp(user.index, current[id(t)])
                Rewriter.insert_op(shifted, InsertPoint.before(user))
                user.operands[1] = shifted.result
                user.operands[0] = tiles[id(t)]
    for c in copies:
        c.store.detach()
        c.store.erase()
        c.load.detach()
        c.load.erase()
    for t in old_tiles:
        t.detach()
        t.erase()
    Rewriter.insert_op(uop.AsyncWaitOp(0), InsertPoint.after(ops[end]))


@dataclass(frozen=True)
class UopAsyncCopy(ModulePass):
    """Double-buffer staged tiles with asynchronous copies (module docstring)."""

    name = "uop-async-copy"
    max_bytes: int = 48 * 1024  # local memory a kernel may use (CUDA's static shared memory)

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for kernel in [k for k in op.walk() if isinstance(k, uop.KernelOp)]:
            STATISTICS.setdefault(self.name, Counter())["double-buffered"] += pipeline_kernel(kernel, self.max_bytes)
