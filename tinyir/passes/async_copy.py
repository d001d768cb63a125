"""`uop-async-copy`: staged tiles pipelined through asynchronous copies (NVIDIA sm_80+ cp.async).

A staged reduce (tinyir/passes/stage.py) loops over chunks: each chunk the work-group copies its
tiles from global memory through registers into local memory, waits at a barrier, computes from the
tiles, and waits at a second barrier before the next copy may overwrite them. Nothing overlaps.

This pass gives each tile S buffers (S = `stages`, 2 or more) and keeps the copies of the next S-1
chunks in flight (`uop.async_copy`: global to local without registers) while chunk c is computed:

    for j in 0 .. S-2:  copy chunk j -> buffer j; commit       (one group per chunk)
    for c:  wait until at most S-2 groups are in flight (chunk c has landed); barrier
            copy chunk c+S-1 -> buffer (c+S-1)%S (zeros past the last chunk); commit
            compute chunk c from buffer c%S
    wait for all

The buffer written at c, (c-1)%S, is the one read at c-1, which every work-item finished before the
barrier of c: that barrier both publishes chunk c and frees the buffer, so the chunk's closing
barrier goes (kept where the compute section itself stores to local memory or has barriers).

Tiles read only by wgmma with S >= 4 (WGMMA-IN-FLIGHT) are copied S-2 chunks ahead instead, into
the buffer read at c-2, and their wgmmas are marked `in_flight`: uop-to-ptx then waits at the back
branch for all but the newest wgmma group, so chunk c's tensor-core work overlaps chunk c+1's issue.

It applies to a chunk loop whose copy section (what precedes its first barrier) only copies: each
local store an ungated store of a global load used nowhere else, of 4, 8 or 16 bytes (cp.async's
sizes), and whose tiles are read only by loads, vloads, ldmatrix and wgmma (through its descriptor,
whose start moves to the current buffer; cp.async writes are made visible to wgmma's async proxy by
the fence.proxy.async that uop-to-ptx places before each barrier, after the wait) in the rest of the
loop. It
takes the most stages up to `stages` whose tiles fit `max_bytes` of local memory (the target's,
by `arch`, when 0); where not even 2 fit it leaves the loop alone. Two 8-byte copies of 16-bit
elements that continue each other in both memories, 16-byte aligned, become one 16-byte copy. The loops of a pipelined chunk's
compute section (its k steps) of at most `unroll` trips are unrolled: one step's fragment loads may
then overlap the previous step's matrix ops.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, UnitAttr, i32, i64
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter

from tinyir.dialects import uop
from tinyir.dialects.uop import buffer_element_type
from tinyir.element_types import numpy_dtype
from tinyir.rewrite import STATISTICS

ACCESS_BYTES = (4, 8, 16)
#: WGMMA-IN-FLIGHT (`_pipeline`): a wgmma chunk loop keeps one wgmma group running across chunks.
#: From 4 stages: with 3 the copies run only one chunk ahead, and on an H100 (f16 4096^3, 128 x 256
#: tiles) that took 0.81 ms against 0.77 without; with 4 stages 0.773 against 0.776 (no gain yet:
#: the copies, not the tensor cores, bound these kernels)
WGMMA_IN_FLIGHT = True
#: where the stages are the target's choice, a chunk loop whose tiles only wgmma reads takes at least
#: this many (WGMMA-IN-FLIGHT needs 4), and its inner loops of up to this many trips are unrolled, so
#: a chunk's k steps are one wgmma group (WGMMA-CHAIN). H100, f16 4096^3, 128 x 256 tiles: 4 stages
#: 0.306 ms, 3 stages 0.362 (docs/performance.md, stop 19)
WGMMA_STAGES = 4
WGMMA_UNROLL = 8
TILE_READS = (uop.LoadOp, uop.VLoadOp, uop.LdMatrixOp)
#: uop.wgmma's (tile, descriptor) operand positions: it reads a tile through the descriptor's start
WGMMA_TILES = {0: 1, 2: 3}


@dataclass
class _Copy:
    load: uop.LoadOp | uop.VLoadOp
    store: uop.StoreOp | uop.VStoreOp
    next: _Copy | None = None  # the copy of the following elements, merged into this one (`_merge_pairs`)

    @property
    def lanes(self) -> int:
        own = len(self.store.values) if isinstance(self.store, uop.VStoreOp) else 1
        return own + (self.next.lanes if self.next is not None else 0)


def _merge_pairs(copies: list[_Copy]) -> list[_Copy]:
    """Pairs of 8-byte copies of 16-bit elements that continue each other in global and local memory,
    with the same gate, and start 16-byte aligned in both (uop-vectorize's index facts): one 16-byte
    copy each (cp.async's widest; a wgmma tile's 8-element runs)."""
    from tinyir.passes.uop_vectorize import IndexFacts

    facts = IndexFacts()

    def form(v: SSAValue):
        return facts.form(v)

    by_start: dict[tuple, _Copy] = {}
    for c in copies:
        if c.lanes == 4 and _element_bytes(c.store.buffer) == 2:
            src, dst = form(c.load.index), form(c.store.index)
            if src is not None and dst is not None:
                by_start[(c.load.buffer, c.store.buffer, c.load.gate, src, dst)] = c
    merged: set[int] = set()
    for c in copies:
        key = next((k for k, v in by_start.items() if v is c), None)
        if key is None or id(c) in merged:
            continue
        buffer, tile, gate, (sterms, sconst), (dterms, dconst) = key
        partner = by_start.get((buffer, tile, gate, (sterms, sconst + 4), (dterms, dconst + 4)))
        if (partner is None or id(partner) in merged or partner is c
                or not facts.aligned((sterms, sconst), 8) or not facts.aligned((dterms, dconst), 8)):
            continue
        c.next = partner
        merged.update((id(c), id(partner)))
    partners = {id(c.next) for c in copies if c.next is not None}
    return [c for c in copies if id(c) not in partners]


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


def _plan(ops: list[Operation], at: int, max_bytes: int, used_bytes: int, stages: int,
          wgmma_stages: int = 0) -> tuple[list[_Copy], list[uop.DefineLocalOp], int, bool] | None:
    """The copies and tiles of the chunk loop at ops[at], the stages that fit (up to `stages`, or
    `wgmma_stages` where only wgmma reads the tiles), and whether only wgmma reads them (None: not
    this loop)."""
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
    copies = _merge_pairs(copies)
    stores = {id(c.store) for c in copies} | {id(c.next.store) for c in copies if c.next is not None}
    for tile in tiles.values():
        for use in tile.result.uses:
            user = use.operation
            if id(user) in stores:
                continue
            if not (id(user) in rest and (isinstance(user, TILE_READS) and use.index == 0
                                          or isinstance(user, uop.WgmmaOp) and use.index in WGMMA_TILES)):
                return None
        aligned = 1024 if any(isinstance(u.operation, uop.WgmmaOp) for u in tile.result.uses) else 16
        if tile.result.type.size() * _element_bytes(tile.result) % aligned:
            return None  # the second buffer must start aligned (16 bytes; wgmma tiles 1024 for a swizzle)
    readers = [u.operation for t in tiles.values() for u in t.result.uses if id(u.operation) not in stores]
    wgmma_only = bool(readers) and all(isinstance(op, uop.WgmmaOp) for op in readers)
    if wgmma_only:
        stages = max(stages, wgmma_stages)
    extra = sum(t.result.type.size() * _element_bytes(t.result) for t in tiles.values())
    fits = next((n for n in range(stages, 1, -1) if used_bytes + (n - 1) * extra <= max_bytes), None)
    if fits is None:
        return None
    return copies, list(tiles.values()), fits, wgmma_only


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


def pipeline_kernel(kernel: uop.KernelOp, max_bytes: int, stages: int = 2, unroll: int = 0,
                    wgmma_stages: int = 0, wgmma_unroll: int = 0) -> int:
    """Pipeline every chunk loop of `kernel` that fits (module docstring); how many. A loop whose
    tiles only wgmma reads takes at least `wgmma_stages` and unrolls at least `wgmma_unroll`."""
    done = 0
    while True:
        ops = list(kernel.body.block.ops)
        used = sum(d.result.type.size() * _element_bytes(d.result) for d in ops if isinstance(d, uop.DefineLocalOp))
        for at, r in enumerate(ops):
            if not isinstance(r, uop.RangeOp):
                continue
            plan = _plan(ops, at, max_bytes, used, stages, wgmma_stages)
            if plan is None:
                continue
            copies, tiles, fits, wgmma_only = plan
            _pipeline(ops, at, copies, tiles, fits)
            unroll_inner_loops(r, max(unroll, wgmma_unroll) if wgmma_only else unroll)
            done += 1
            break
        else:
            return done


def _buffer_of(chunk: SSAValue, stages: int, ops: list[Operation]) -> SSAValue:
    """`chunk % stages` (an and where stages is a power of two); chunk >= 0."""
    power = stages & (stages - 1) == 0
    ops.append(c := uop.ConstOp(stages - 1 if power else stages, i32))
    ops.append(b := (uop.AndOp if power else uop.ModOp)(chunk, c.result))
    return b.result


def _pipeline(ops: list[Operation], at: int, copies: list[_Copy], old_tiles: list[uop.DefineLocalOp],
              stages: int) -> None:
    r = ops[at]
    first, closing, end = _chunk_loop(ops, at)
    start, stop = r.start.value.data, r.end.value.data
    # each tile `stages` times as long; buffer b starts at b times its old size
    tiles: dict[int, SSAValue] = {}
    sizes: dict[int, int] = {}
    for t in old_tiles:
        size = t.result.type.size()
        new = uop.DefineLocalOp(stages * size, buffer_element_type(t.result.type))
        new.result.name_hint = t.result.name_hint
        Rewriter.insert_op(new, InsertPoint.before(t))
        tiles[id(t)], sizes[id(t)] = new.result, size
    # WGMMA-IN-FLIGHT: tiles read only by wgmma, 4 or more buffers: copies run S-2 chunks ahead, so
    # the buffer a chunk's copy overwrites was read two chunks before, and the last chunk's wgmmas
    # may still run while the next chunk's issue (each thread waits for all but its newest wgmma
    # group at the back branch, then the barrier: every warpgroup is done with the older chunk)
    copy_stores = {id(c.store) for c in copies} | {id(c.next.store) for c in copies if c.next is not None}
    readers = [u.operation for t in old_tiles for u in t.result.uses if id(u.operation) not in copy_stores]
    wgmma_only = bool(readers) and all(isinstance(op, uop.WgmmaOp) for op in readers)
    ahead_by = stages - 2 if WGMMA_IN_FLIGHT and wgmma_only and stages >= 4 else stages - 1
    if ahead_by < stages - 1:
        for op in readers:
            op.properties["in_flight"] = UnitAttr()
    # prologue: chunks 0 .. A-1 into buffers 0 .. A-1 (A = S-1 chunks ahead), a group each (empty
    # past the last chunk, so that the loop's wait counts the same groups however few chunks there are)
    pro: list[Operation] = []
    inside = {id(op) for op in ops[at + 1:end]}
    for j in range(ahead_by):
        if start + j < stop:
            pro.append(chunk := uop.ConstOp(start + j, i32))
            offsets = {}
            for k in tiles:
                pro.append(o := uop.ConstOp(j * sizes[k], i32))
                offsets[k] = o.result
            _async_copies(copies, chunk.result, r.result, offsets, None, pro, tiles, inside)
        pro.append(uop.AsyncCommitOp())
    Rewriter.insert_op(pro, InsertPoint.before(r))
    # in the loop: wait for chunk r, barrier (the existing first one), then chunk r+S-1 into buffer
    # (r+S-1-start)%S, gated to the chunks that exist
    Rewriter.insert_op(uop.AsyncWaitOp(ahead_by - 1), InsertPoint.before(ops[first]))
    head: list[Operation] = [back := uop.ConstOp(-start, i32), rel := uop.AddOp(r.result, back.result),
                             ahead := uop.ConstOp(ahead_by, i32), nxt := uop.AddOp(r.result, ahead.result),
                             nrel := uop.AddOp(rel.result, ahead.result),
                             last := uop.ConstOp(stop, i32), live := uop.CmpltOp(nxt.result, last.result)]
    par, npar = _buffer_of(rel.result, stages, head), _buffer_of(nrel.result, stages, head)
    current = {k: _offset(par, sizes[k], head) for k in tiles}
    following = {k: _offset(npar, sizes[k], head) for k in tiles}
    _async_copies(copies, nxt.result, r.result, following, live.result, head, tiles, set())
    head.append(uop.AsyncCommitOp())
    # the compute section reads the current buffer (a wgmma: its descriptor's start, in 16 bytes, moved)
    starts: dict[int, SSAValue] = {}
    for t in old_tiles:
        if any(isinstance(u.operation, uop.WgmmaOp) for u in t.result.uses):
            step = _offset(par, sizes[id(t)] * _element_bytes(t.result) // 16, head)
            head.append(wide := uop.CastOp(step, i64))
            starts[id(t)] = wide.result
    Rewriter.insert_op(head, InsertPoint.after(ops[first]))
    for t in old_tiles:
        for use in list(t.result.uses):
            user = use.operation
            if isinstance(user, uop.WgmmaOp):
                desc = WGMMA_TILES[use.index]
                shifted = uop.AddOp(user.operands[desc], starts[id(t)])
                Rewriter.insert_op(shifted, InsertPoint.before(user))
                user.operands[desc] = shifted.result
                user.operands[use.index] = tiles[id(t)]
            elif isinstance(user, TILE_READS):
                shifted = uop.AddOp(user.index, current[id(t)])
                Rewriter.insert_op(shifted, InsertPoint.before(user))
                user.operands[1] = shifted.result
                user.operands[0] = tiles[id(t)]
    for c in [*copies, *(c.next for c in copies if c.next is not None)]:
        c.store.detach()
        c.store.erase()
        c.load.detach()
        c.load.erase()
    for t in old_tiles:
        t.detach()
        t.erase()
    compute = ops[first + 1:closing]
    if not any(isinstance(o, uop.BarrierOp) or (isinstance(o, (uop.StoreOp, uop.VStoreOp)) and uop.is_local_buffer(o.buffer))
               for o in compute):
        ops[closing].detach()  # the next chunk's barrier frees this chunk's buffer (module docstring)
        ops[closing].erase()
    Rewriter.insert_op(uop.AsyncWaitOp(0), InsertPoint.after(ops[end]))


def unroll_inner_loops(chunk: uop.RangeOp, most: int) -> int:
    """Unroll the loops inside chunk loop `chunk` (its k steps) of at most `most` trips whose bodies hold
    no loop or barrier: each trip a copy of the body with the index a constant, so that the target
    may overlap one step's fragment loads with the previous step's matrix ops. How many."""
    done = 0
    op = chunk.next_op
    while op is not None and not (isinstance(op, uop.EndRangeOp) and op.range is chunk.result):
        nxt = op.next_op
        if isinstance(op, uop.RangeOp) and op.end.value.data - op.start.value.data <= most:
            body, end = [], op.next_op
            while end is not None and not (isinstance(end, uop.EndRangeOp) and end.range is op.result):
                body.append(end)
                end = end.next_op
            if end is not None and not any(isinstance(b, (uop.RangeOp, uop.BarrierOp)) for b in body):
                for trip in range(op.start.value.data, op.end.value.data):
                    index = uop.ConstOp(trip, op.result.type)
                    mapping: dict[SSAValue, SSAValue] = {op.result: index.result}
                    Rewriter.insert_op([index, *(b.clone(mapping) for b in body)], InsertPoint.before(op))
                nxt = end.next_op
                for dead in [end, *reversed(body), op]:
                    dead.detach()
                    dead.erase()
                done += 1
        op = nxt
    return done


@dataclass(frozen=True)
class UopAsyncCopy(ModulePass):
    """Pipeline staged tiles through asynchronous copies in `stages` buffers (module docstring)."""

    name = "uop-async-copy"
    max_bytes: int = 0    # local memory a kernel may use; 0: the target's (for `arch`)
    stages: int = 0       # buffers per tile (2: double-buffered); 0: the target's choice
    unroll: int = 2       # loops of at most this many trips inside a pipelined chunk loop are unrolled
    target: str = "cuda"  # whose limits give the defaults
    arch: str = ""        # the chip (cuda: sm_80 .. sm_90a; its shared memory per block)

    def __post_init__(self) -> None:
        if self.stages == 1 or self.stages < 0:
            raise ValueError(f"stages must be 2 or more (0: the target's choice), got {self.stages}")
        if self.arch:  # an unknown chip is an option error, not another chip's limits
            from tinyir.errors import TinyirError
            from tinyir.passes.kernel_optimize import target_limits

            try:
                target_limits(self.target, self.arch)
            except TinyirError as exc:
                raise ValueError(str(exc)) from None

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        from tinyir.passes.kernel_optimize import target_limits

        limits = target_limits(self.target, self.arch)
        max_bytes = self.max_bytes or limits.local_memory_bytes
        stages = self.stages or limits.copy_stages
        chosen = 0 if self.stages else WGMMA_STAGES  # explicit stages are taken as given
        for kernel in [k for k in op.walk() if isinstance(k, uop.KernelOp)]:
            STATISTICS.setdefault(self.name, Counter())["pipelined"] += pipeline_kernel(
                kernel, max_bytes, stages, self.unroll, chosen, WGMMA_UNROLL if chosen else 0)
