"""Staging through local memory (the `stage` action's lowering, the first step of `loop-to-uop`).

A `stage` range is a reduce loop over one *chunk* of a reduce axis. A load inside it whose value
some threads of the work-group share (its index does not move along one of the kernel's `local`
ranges) is *staged*: once per chunk, before the chunk's loop, the work-group copies every element
the chunk will read of that load into a `uop.define_local` tile, each thread a share of it
(neighbouring threads neighbouring elements, so the reads from global memory coalesce); a
`uop.barrier`; the loop then reads the tile; a second barrier ends the chunk before the next copy
overwrites the tile. This is the structure of a tiled SGEMM: a matmul's two operands each come
from global memory once per work-group and chunk instead of once per thread.

The *tile* of a load is the set of values it takes while the ranges of the chunk vary: its
dimensions are the ranges its index depends on other than the global ranges and the reduce loops
outside the chunk (the local, upcast, unroll and stage ranges, and reduce loops inside the chunk).
They are ordered by their stride in global memory, largest first, so that the fastest-moving one
(stride 1, when there is one) is the tile's innermost: thread t copies tile elements t, t + W,
t + 2W, ... (W threads). The copy evaluates the load's index expression (and its gate: a padded
element is copied as its 0) with each tile dimension replaced by the element's coordinate.

A wgmma kernel (its matrix instruction reads A and B from shared memory) stores each tile as the
instruction's descriptors read it: the tc (row, k) dimensions innermost as a block of core matrices
(tinyir/tensor_cores.py SharedOperands), the other dimensions whole blocks apart, and no padding.
The core matrices are K-major, or MN-major where the tile's stride-1 dimension is its rows (B of a
row-major k x n matrix), so that every copy run of 8 lands in one 16-byte core-matrix row.

A padded window's input tile holds each element once per chunk, not once per window position: a
window range summed with an output range of the same stride (index and gate reading only the sum)
becomes one halo dimension of the tile (HALO below); tensor-core tiles with a halo, and a
convolution's weights, store the tc reduce range innermost so that ldmatrix reads both (TC-K-INNER).

This runs on the `loop.kernel` before upcast/unroll expansion (tinyir/passes/expand.py), so a
thread's register tile becomes copies of loads from the tile, which `uop-vectorize` can merge.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from xdsl.dialects.builtin import StringAttr, i32
from xdsl.ir import Operation, SSAValue
from xdsl.rewriter import InsertPoint, Rewriter

from tinyir.dialects import loop, uop
from tinyir.passes.symbolic import build_linear
from tinyir import tensor_cores
from tinyir.tensor_cores import INSTRUCTIONS, SharedOperands, bit_terms

RK = loop.RangeKind
#: range kinds that are threads of one work-group
WORKGROUP_KINDS = frozenset({RK.LOCAL, RK.GROUP})


@dataclass
class StagedLoad:
    """One load of a chunk that is read through a local tile."""

    load: uop.LoadOp
    dims: list[loop.RangeOp]       # the tile's dimensions in copy order: largest global stride first
    layout: list[loop.RangeOp]     # the same in storage order (without `core`'s two)
    pad: int = 0                   # elements added to the first stride that is a multiple of 128 bytes
    # wgmma: (row range, k range) of the instruction's operand tile, stored innermost as the blocks of
    # core matrices its descriptors read (tinyir/tensor_cores.py SharedOperands)
    core: tuple[loop.RangeOp, loop.RangeOp] | None = None
    shared: SharedOperands | None = None
    core_outer: loop.RangeOp | None = None  # swizzled: the stage range whose k steps share a block row
    # HALO: id(output dim) -> the window range merged into it (the index and gate read only their sum)
    halo: dict[int, loop.RangeOp] = field(default_factory=dict)
    # TC-K-INNER: the dimension whose steps are ldmatrix's 8 rows (its stride padded, ROW-PAD)
    rows: loop.RangeOp | None = None

    def extent(self, d: loop.RangeOp) -> int:
        """The tile's extent along dimension `d`: a halo dimension spans its range plus its window's."""
        window = self.halo.get(id(d))
        return d.extent + window.extent - 1 if window is not None else d.extent

    @property
    def elements(self) -> int:
        return math.prod(self.extent(d) for d in self.dims)

    @property
    def block(self) -> int:
        """Elements of the innermost block: one instruction's operand tile for wgmma, else 1."""
        return self.core[0].extent * self.shared.block_k if self.core and self.shared else 1

    def strides(self) -> list[int]:
        """The storage stride of each `layout` dimension (row-major, with the padding)."""
        size = _element_bytes(self.load.result.type)
        strides, stride, padded = [], self.block, False
        for i, d in enumerate(reversed(self.layout)):
            if d is self.rows:  # ROW-PAD: 16 bytes past a multiple of 32 (8 elements past 16 for f16)
                stride += (ROW_PAD_BYTES // size - stride) % (2 * ROW_PAD_BYTES // size)
            strides.append(stride)
            stride *= self.extent(d)
            if self.pad and not padded and i < len(self.layout) - 1 and stride * size % 128 == 0:
                stride, padded = stride + self.pad, True
        return strides[::-1]

    @property
    def storage(self) -> int:
        """Elements the tile takes in local memory, padding included."""
        return self.strides()[0] * self.extent(self.layout[0]) if self.layout else self.block


@dataclass
class StagePlan:
    """What `plan_kernel` places: the copy ops (run once per chunk, after the loops outside it) and
    the tiles to declare up front."""

    outer: list[SSAValue]                                  # the reduce loops outside the chunk
    copy_ops: list[Operation] = field(default_factory=list)
    locals: list[uop.DefineLocalOp] = field(default_factory=list)


def stage_ranges(kernel: loop.KernelOp) -> list[loop.RangeOp]:
    return [op for op in kernel.body.block.ops if isinstance(op, loop.RangeOp) and op.range_kind == RK.STAGE]


def _chunk_reduce(kernel: loop.KernelOp, stages: Sequence[loop.RangeOp]) -> loop.ReduceOp | None:
    for op in kernel.body.block.ops:
        if isinstance(op, loop.ReduceOp) and any(s.result in op.ranges for s in stages):
            return op
    return None


def _outer_loops(red: loop.ReduceOp) -> list[SSAValue]:
    """The reduce's loops listed before its first stage range (the chunk's loops are the rest)."""
    outer = []
    for r in red.ranges:
        if r.owner.range_kind == RK.STAGE:
            break
        if r.owner.range_kind == RK.REDUCE and r.owner.extent > 1:
            outer.append(r)
    return outer


def _stride(value: SSAValue, r: SSAValue) -> int | None:
    """How far an index moves when range `r` steps from 0 to 1 (others at 0); None if not known."""
    from tinyir.passes.kernel_heuristics import _evaluate

    base, moved = _evaluate(value, {}, {}), _evaluate(value, {r: 1}, {})
    return None if base is None or moved is None else moved - base


def staged_loads(kernel: loop.KernelOp) -> list[StagedLoad]:
    """The loads of the kernel's chunk that are staged, with their tiles (empty: no stage range)."""
    stages = stage_ranges(kernel)
    red = _chunk_reduce(kernel, stages) if stages else None
    if red is None:
        return []
    ops = list(kernel.body.block.ops)
    deps = loop.range_dependencies(ops)
    chunk = {s.result for s in stages}
    outer = set(_outer_loops(red))
    locals_ = [op for op in ops if isinstance(op, loop.RangeOp) and op.range_kind == RK.LOCAL]
    position = {id(r): i for i, r in enumerate(o for o in ops if isinstance(o, loop.RangeOp))}
    staged = []
    for op in ops:
        if not isinstance(op, uop.LoadOp) or isinstance(op.buffer.owner, uop.DefineLocalOp):
            continue
        used = deps.get(op.index, frozenset()) | (deps.get(op.gate, frozenset()) if op.gate is not None else frozenset())
        if not used & chunk or all(r.result in used for r in locals_):
            continue  # outside the chunk, or no two threads read the same element
        dims = [r.owner for r in used if r.owner.range_kind != RK.GLOBAL and r not in outer]
        strides = {id(r): _stride(op.index, r.result) for r in dims}
        dims.sort(key=lambda r: (-(abs(strides[id(r)]) if strides[id(r)] is not None else math.inf), position[id(r)]))
        # stored in copy order: a run of neighbours copied by one thread lands in neighbouring
        # words (one vector store, no bank conflicts). A thread's own copies innermost would make
        # its reads vectors but sends a warp's copy stores 8 ways into one bank; with that layout
        # the 4096^3 matmul measured 5.5 ms against 4.1 ms (H100).
        s = StagedLoad(op, dims, list(dims))
        shared = _shared_operands(kernel)
        if shared is not None:  # wgmma: the tc (row, k) tile innermost, in core matrices
            tc = [d for d in dims if d.range_kind == RK.TC]
            k = [d for d in tc if d.result in red.ranges]
            rows = [d for d in tc if d.result not in red.ranges]
            if len(k) == 1 and len(rows) == 1:
                s.core, s.shared = (rows[0], k[0]), shared
                runs_along_rows = dims[-1] is rows[0] and strides[id(rows[0])] == 1
                if tensor_cores.MN_MAJOR_WGMMA_TILES and runs_along_rows:
                    # the copy's runs go along the rows (B, k x n row-major): MN-major core matrices
                    # store them as 16-byte rows; swizzled (SWIZZLE-MN), 128-byte lines of 64 rows
                    swizzle_mn = tensor_cores.SWIZZLE_WGMMA_TILES and rows[0].extent % 64 == 0
                    s.shared = SharedOperands.swizzled_mn(rows[0].extent) if swizzle_mn else replace(shared, mn_major=True)
                elif tensor_cores.SWIZZLE_WGMMA_TILES:
                    _swizzle(s, strides, stages)
                s.layout = [d for d in dims if d not in tc and d is not s.core_outer]
        # a tensor-core kernel reads a tile in 8 x 16-byte blocks (fragments, ldmatrix): rows a multiple
        # of 128 bytes apart would all fall in the same 4 banks, so those rows get 16 bytes more
        elif any(r.range_kind == RK.TC for r in ops if isinstance(r, loop.RangeOp)):
            s.pad = 16 // _element_bytes(op.result.type)
        if s.core is None:
            _find_halos(s, strides, set(red.ranges), deps)
            if s.halo and s.pad:  # TC-K-INNER (see _k_innermost)
                _k_innermost(s, red)
        staged.append(s)
    if red is not None:
        _weights_k_innermost(staged, red)
    return staged


#: HALO: a padded window's load reads `in[... + (y + kh) * W + (x + kw) ...]`, gated by bounds on
#: y + kh and x + kw (tinyir/passes/window_loads.py). Staged dimension by dimension, its tile would hold
#: every (y, kh) pair: each input element 3 times per window axis (9 times for a 3x3 window), copied
#: from global memory each time. Where the index and the gate read an output range and a window
#: range of the chunk only through their sum, the tile has one dimension for the sum instead, its
#: extent the two extents less 1 (8 columns of a 3-wide window: 10): the window's overlap is copied
#: once per chunk.


def _find_halos(s: StagedLoad, strides: dict[int, int | None], reducing: set[SSAValue], deps) -> None:
    """Merge each window range of the chunk (a reduce or unroll range inside it) into the output range
    of the same stride when the load's index and gate read the two only through their sum (HALO)."""
    windows = [d for d in s.dims if d.result in reducing and d.range_kind in (RK.REDUCE, RK.UNROLL) and d.extent > 1]
    outputs = [d for d in s.dims if d.result not in reducing and d.range_kind != RK.STAGE]
    for w in windows:
        stride = strides[id(w)]
        for a in outputs:
            if stride and strides[id(a)] == stride and id(a) not in s.halo and _sum_only(s.load, a, w, deps):
                s.halo[id(a)] = w
                break
    merged = {id(w) for w in s.halo.values()}
    s.dims = [d for d in s.dims if id(d) not in merged]
    s.layout = [d for d in s.layout if id(d) not in merged]


def _sum_only(load: uop.LoadOp, a: loop.RangeOp, w: loop.RangeOp, deps) -> bool:
    """Whether `load`'s index and gate read ranges `a` and `w` only as a + w: the index and the
    operands of the gate's compares (an `and` of `cmplt`s) are linear in both with equal coefficients,
    and nothing else in them reads either."""
    from tinyir.passes.symbolic import linear_terms

    pair = {a.result, w.result}

    def linear_sum(v: SSAValue) -> bool:
        terms, _ = linear_terms(v)
        coef: dict[SSAValue, int] = {}
        for atom, k in terms:
            if atom in pair:
                coef[atom] = coef.get(atom, 0) + k
            elif deps.get(atom, frozenset()) & pair:
                return False  # a or w inside something that is not a sum (a division, a compare)
        return coef.get(a.result, 0) == coef.get(w.result, 0)

    if not linear_sum(load.index):
        return False
    todo = [load.gate] if load.gate is not None else []
    while todo:
        v = todo.pop()
        if not deps.get(v, frozenset()) & pair:
            continue
        op = v.owner
        if isinstance(op, uop.AndOp):
            todo += [op.lhs, op.rhs]
        elif isinstance(op, uop.CmpltOp):
            if not (linear_sum(op.lhs) and linear_sum(op.rhs)):
                return False
        else:
            return False
    return True


#: TC-K-INNER: a tensor-core fragment comes by one ldmatrix when its tile has one of the fragment's
#: axes contiguous and the other rows 16 bytes aligned (tensor_core.ldmatrix_plan). A halo tile's
#: columns (x + kw) start at any element, and a convolution's weights tile ends in its window
#: (kh, kw), so such tiles store the tc reduce range (16 input channels) innermost: each row of 8
#: channels is 16 bytes wherever its pixel or window position starts.


#: ROW-PAD: ldmatrix reads 8 rows of 16 bytes, one a lane group; in a TC-K-INNER tile they are steps of
#: the tile's other tc range (8 pixels, or 8 output channels). Rows a multiple of 32 bytes apart share
#: bank groups (a halo row of 16 channels is 32 bytes: 2-way conflicts; the weights' 576: 4-way), so
#: that range's stride is padded to 16 bytes past a multiple of 32: 8 rows then cover all 32 banks.
ROW_PAD_BYTES = 16


def _k_innermost(s: StagedLoad, red: loop.ReduceOp) -> None:
    """Store the tc range of the reduce innermost in `s`'s tile (TC-K-INNER); the copy order stays.
    The other tc range's stride is padded (ROW-PAD)."""
    k = [d for d in s.layout if d.range_kind == RK.TC and d.result in red.ranges]
    if len(k) == 1:
        s.layout = [d for d in s.layout if d is not k[0]] + k
        rows = [d for d in s.layout if d.range_kind == RK.TC and d is not k[0]]
        s.rows = rows[0] if len(rows) == 1 else None


def _weights_k_innermost(staged: list[StagedLoad], red: loop.ReduceOp) -> None:
    """The other operand of a halo tile (a convolution's weights) gets TC-K-INNER too, where its
    copy order ends in a range that is not a tc range (the window)."""
    if any(s.halo for s in staged):
        for s in staged:
            if not s.halo and s.core is None and s.pad and s.dims and s.dims[-1].range_kind != RK.TC:
                _k_innermost(s, red)


def _swizzle(s: StagedLoad, strides: dict[int, int | None], stages: Sequence[loop.RangeOp]) -> None:
    """The widest swizzle for a wgmma tile: 128 bytes when the chunk is 4 k steps right above the tc k
    (in global memory too), 64 for 2, else 32 (one k step a block row)."""
    rows, k = s.core
    above = [d for d in stages if d in s.dims and d.extent in (2, 4)
             and strides[id(k)] is not None and strides[id(d)] == k.extent * strides[id(k)]]
    s.core_outer = above[0] if len(stages) == 1 and above else None
    s.shared = SharedOperands.swizzled(32 * (s.core_outer.extent if s.core_outer else 1))


def _copy_order(s: StagedLoad, run: int) -> list[loop.RangeOp]:
    """COPY-ORDER: the tile dimensions from the fastest-moving across threads to the slowest: copy
    order (the innermost, the run's, first), except that an unswizzled wgmma tile copied in 16-byte
    runs takes its core k first and its core rows second, so that a warp's runs fill core matrices
    one after another: A (K-major) 2 runs along k then 16 rows, B (MN-major) 16 k rows then 2 runs
    along n: 512 contiguous bytes a warp (conflict-free stores), where in copy order its runs were a
    core matrix apart (128 or 256 bytes: the same 4 banks, 8 to 32 ways). On an H100 (f16 4096^3,
    128 x 256 tiles, 3 stages) 0.80 ms became 0.70; splitting the rows so that a warp read 8 rows of
    64 bytes (instead of 16 of 32) measured 0.77."""
    order = list(reversed(s.dims))
    if run > 1 and s.core is not None and s.shared is not None and not s.shared.swizzle_bytes:
        rows, k = s.core
        order = [k, rows, *(d for d in order if d is not k and d is not rows)]
    return order


def _shared_operands(kernel: loop.KernelOp) -> SharedOperands | None:
    """How the kernel's matrix instruction reads its operands from local memory (wgmma), if it does."""
    from tinyir.passes.tensor_core import TC_ATTR

    name = kernel.attributes.get(TC_ATTR)
    mi = INSTRUCTIONS.get(name.data) if isinstance(name, StringAttr) else None
    return mi.shared if mi is not None else None


def local_bytes(kernel: loop.KernelOp) -> int:
    """Bytes of local memory the kernel's staged tiles take."""
    return sum(s.storage * _element_bytes(s.load.result.type) for s in staged_loads(kernel))


def _element_bytes(t) -> int:
    from tinyir.element_types import numpy_dtype

    return numpy_dtype(t).itemsize


def stage_kernel(kernel: loop.KernelOp, tid_ops: list[Operation], tid: SSAValue, threads: int) -> StagePlan | None:
    """Rewrite the staged loads of `kernel` to read their tiles; return the copy to place. `tid` is
    the work-group's linear thread id (computed by `tid_ops`), `threads` is W."""
    staged = staged_loads(kernel)
    if not staged:
        return None
    from tinyir.passes.contiguous_copy import contiguous_copy_ops

    red = _chunk_reduce(kernel, stage_ranges(kernel))
    assert red is not None
    plan = StagePlan(outer=_outer_loops(red))
    plan.copy_ops.extend(tid_ops)
    for s in staged:
        tile = uop.DefineLocalOp(s.storage, s.load.result.type)
        plan.locals.append(tile)
        copy = contiguous_copy_ops(s, tile, tid, threads)  # CONTIGUOUS-RUNS (contiguous_copy.py)
        plan.copy_ops.extend(copy if copy is not None else _copy_ops(s, tile, tid, threads))
        # the load reads the tile at its coordinates
        ops: list[Operation] = []
        at: dict[SSAValue, SSAValue] = {d.result: d.result for d in s.dims}
        for d in s.dims:  # a halo dimension is read at output + window position
            if id(d) in s.halo:
                ops.append(both := uop.AddOp(d.result, s.halo[id(d)].result))
                at[d.result] = both.result
        new = uop.LoadOp(tile.result, _layout_index(s, at, ops))
        new.result.name_hint = s.load.result.name_hint
        Rewriter.insert_op([*ops, new], InsertPoint.before(s.load))
        s.load.result.replace_all_uses_with(new.result)
        s.load.detach()
        s.load.erase()
    return plan


def _index_builders(ops: list[Operation]):
    """(const, op): make an i32 constant, or a binary op of two values, appended to `ops`."""

    def const(v: int) -> SSAValue:
        ops.append(c := uop.ConstOp(v, i32))
        return c.result

    def op(cls, a: SSAValue, b: SSAValue) -> SSAValue:
        ops.append(o := cls(a, b))
        return o.result

    return const, op


def _swizzled_mn_index(s: StagedLoad, coordinate: dict[SSAValue, SSAValue], ops: list[Operation]) -> SSAValue:
    """(row, k) in an MN-major 128-byte swizzled block (SharedOperands.swizzled_mn, element_offset):
    (row >> 6) * L/2 + (k >> 3) * S/2 + (k & 7) * 64 + (((row >> 3) & 7) ^ (k & 7)) * 8 + (row & 7)."""
    assert s.core is not None and s.shared is not None
    rows, k = s.core

    const, op = _index_builders(ops)

    r, kk = coordinate[rows.result], coordinate[k.result]
    krow = op(uop.AndOp, kk, const(7))
    chunk = op(uop.XorOp, op(uop.AndOp, op(uop.ShrOp, r, const(3)), const(7)), krow)
    index = op(uop.MulOp, op(uop.ShrOp, r, const(6)), const(s.shared.leading_bytes // 2))
    index = op(uop.AddOp, index, op(uop.MulOp, op(uop.ShrOp, kk, const(3)), const(s.shared.stride_bytes // 2)))
    index = op(uop.AddOp, index, op(uop.MulOp, krow, const(64)))
    index = op(uop.AddOp, index, op(uop.MulOp, chunk, const(8)))
    return op(uop.AddOp, index, op(uop.AndOp, r, const(7)))


def _swizzled_index(s: StagedLoad, coordinate: dict[SSAValue, SSAValue], ops: list[Operation]) -> SSAValue:
    """(row, k) in a swizzled block (SharedOperands.element_offset), k = outer * 16 + tc k:
    (row >> 3) * 4w + (row & 7) * w/2 + (((k >> 3) ^ ((row & 7) >> (7 - log2 w))) << 3) + (k & 7)."""
    assert s.core is not None and s.shared is not None
    rows, k = s.core
    width = s.shared.swizzle_bytes

    const, op = _index_builders(ops)

    r, kk = coordinate[rows.result], coordinate[k.result]
    if s.core_outer is not None:
        kk = op(uop.AddOp, op(uop.MulOp, coordinate[s.core_outer.result], const(k.extent)), kk)
    low = op(uop.AndOp, r, const(7))
    flip = low if width == 128 else op(uop.ShrOp, low, const(7 - width.bit_length() + 1))
    chunk = op(uop.XorOp, op(uop.ShrOp, kk, const(3)), flip)
    index = op(uop.MulOp, op(uop.ShrOp, r, const(3)), const(4 * width))
    index = op(uop.AddOp, index, op(uop.MulOp, low, const(width // 2)))
    index = op(uop.AddOp, index, op(uop.MulOp, chunk, const(8)))
    return op(uop.AddOp, index, op(uop.AndOp, kk, const(7)))


def _layout_index(s: StagedLoad, coordinate: dict[SSAValue, SSAValue], ops: list[Operation]) -> SSAValue:
    """The tile position of `coordinate` (range -> value): sum(value * stride) in storage order, plus
    the (row, k) position in the block of core matrices for a wgmma operand."""
    index: SSAValue | None = None
    if s.core is not None and s.shared is not None and s.shared.swizzle_bytes and s.shared.mn_major:
        index = _swizzled_mn_index(s, coordinate, ops)
    elif s.core is not None and s.shared is not None and s.shared.swizzle_bytes:
        index = _swizzled_index(s, coordinate, ops)
    elif s.core is not None and s.shared is not None:
        rows, k = s.core
        for r, steps in ((rows, s.shared.row_steps(rows.extent)), (k, s.shared.k_steps())):
            for shift, mask, scale in bit_terms(steps):
                term = coordinate[r.result]
                if shift:
                    ops += [c := uop.ConstOp(shift, i32), sh := uop.ShrOp(term, c.result)]
                    term = sh.result
                if mask != (1 << (len(steps) - shift)) - 1:  # else the shifted value is below the mask
                    ops += [c := uop.ConstOp(mask, i32), a := uop.AndOp(term, c.result)]
                    term = a.result
                if scale != 1:
                    ops += [c := uop.ConstOp(scale, i32), m := uop.MulOp(term, c.result)]
                    term = m.result
                if index is not None:
                    ops.append(a := uop.AddOp(index, term))
                    term = a.result
                index = term
    terms = [(coordinate[d.result], stride) for d, stride in zip(reversed(s.layout), reversed(s.strides()))]
    if terms:
        rest = build_linear(terms, 0, ops)
        if index is not None:
            ops.append(a := uop.AddOp(index, rest))
            rest = a.result
        index = rest
    assert index is not None
    return index


#: elements a thread copies as one run (neighbours in global memory: one vector load and store, or
#: one cp.async). Measured on an H100 (f16 4096^3, tc heuristics): runs of 4 took 0.68 ms, scalar
#: copies 1.01 ms. wgmma tiles: `WGMMA_COPY_VECTOR`, runs of 8 (16 bytes: one core-matrix row, so
#: one vector store and one cp.async each), with B's tile MN-major (tensor_cores.MN_MAJOR_WGMMA_TILES)
#: so that its runs along n land in one row too; scalar with K-major B tiles (the default: B's copy
#: transposes, and runs of 4 measured 1.1-1.8 ms against 0.80-1.0 ms scalar on an H100).
#: Other tiles of 16-bit elements (f16/bf16: the mma.sync tiles) are copied in runs of `COPY_RUN_BYTES`
#: (8 elements) where the tile allows (else 4): uop-vectorize makes each two 4-lane vectors, and
#: uop-async-copy merges those into one 16-byte cp.async.cg where both memories are 16-byte aligned.
COPY_VECTOR = 4
COPY_RUN_BYTES = 16  # cp.async's widest copy, a 128-bit access
WGMMA_COPY_VECTOR = COPY_RUN_BYTES // 2 if tensor_cores.MN_MAJOR_WGMMA_TILES else 1


def _copy_runs(s: StagedLoad) -> tuple[int, ...]:
    """The run lengths to try for a tile's copy, longest first (the first that divides it is taken)."""
    if s.core is not None:
        return (WGMMA_COPY_VECTOR,)
    if _element_bytes(s.load.result.type) == 2:
        return (COPY_RUN_BYTES // 2, COPY_VECTOR)
    return (COPY_VECTOR,)


def _copy_ops(s: StagedLoad, tile: uop.DefineLocalOp, tid: SSAValue, threads: int) -> list[Operation]:
    """Thread `tid` copies tile elements tid, tid + W, ... in copy order (runs of 4 or 8 neighbours when
    the innermost dimension and the tile allow, so `uop-vectorize` can make them one load): each
    element's coordinates, the load's index and gate at them, the load, and the store into the
    tile at its storage position (gated when W does not divide the tile)."""
    ops: list[Operation] = []
    inner = s.dims[-1]
    run = next((v for v in _copy_runs(s) if s.extent(inner) % v == 0 and s.elements % (v * threads) == 0), 1)
    units = s.elements // run  # runs of the tile
    for j in range(-(-units // threads)):
        unit = tid
        if j:
            ops += [c := uop.ConstOp(j * threads, i32), a := uop.AddOp(tid, c.result)]
            unit = a.result
        coordinate: dict[SSAValue, SSAValue] = {}
        stride = 1
        for d in _copy_order(s, run):  # COPY-ORDER
            extent = s.extent(d) // run if d is inner else s.extent(d)
            value = unit
            if stride != 1:
                ops += [c := uop.ConstOp(stride, i32), q := uop.IdivOp(value, c.result)]
                value = q.result
            if stride * extent < units:
                ops += [c := uop.ConstOp(extent, i32), m := uop.ModOp(value, c.result)]
                value = m.result
            if d is inner and run > 1:
                ops += [c := uop.ConstOp(run, i32), m := uop.MulOp(value, c.result)]
                value = m.result
            coordinate[d.result] = value
            stride *= extent
        if s.halo:  # HALO: the element at halo position p is the load's at output p, window 0
            ops.append(zero := uop.ConstOp(0, i32))
            for window in s.halo.values():
                coordinate[window.result] = zero.result
        in_tile = None
        if (j + 1) * threads > units:  # the last round: threads past the tile's end copy nothing
            ops += [c := uop.ConstOp(units, i32), lt := uop.CmpltOp(unit, c.result)]
            in_tile = lt.result
        base = coordinate[inner.result]
        loads: list[tuple[dict[SSAValue, SSAValue], uop.LoadOp]] = []
        for lane in range(run):
            if lane:
                ops += [c := uop.ConstOp(lane, i32), a := uop.AddOp(base, c.result)]
                coordinate = {**coordinate, inner.result: a.result}
            index = substitute(s.load.index, coordinate, ops)
            gate = substitute(s.load.gate, coordinate, ops) if s.load.gate is not None else None
            if in_tile is not None:
                if gate is not None:
                    ops.append(both := uop.AndOp(gate, in_tile))
                    gate = both.result
                else:
                    gate = in_tile
            ops.append(load := uop.LoadOp(s.load.buffer, index, gate))
            loads.append((coordinate, load))
        # a wgmma block's runs of up to 8 along a core-matrix row (k, or the rows MN-major) are
        # contiguous: the first element's position + j, which uop-vectorize can see as one vector store
        along_k = (s.core is not None and s.shared is not None and run <= 8
                   and inner is s.core[0 if s.shared.mn_major else 1])
        first: SSAValue | None = None
        for j, (lane_coordinate, load) in enumerate(loads):
            if j and along_k and first is not None:
                ops += [c := uop.ConstOp(j, i32), a := uop.AddOp(first, c.result)]
                index = a.result
            else:
                index = first = _layout_index(s, lane_coordinate, ops)
            ops.append(uop.StoreOp(tile.result, index, load.result, in_tile))
    return ops


def substitute(value: SSAValue, coordinate: dict[SSAValue, SSAValue], ops: list[Operation],
               inside: frozenset[int] | set[int] = frozenset(), memo: dict[SSAValue, SSAValue] | None = None) -> SSAValue:
    """`value` with each range in `coordinate` replaced: the ops depending on them are cloned into
    `ops` (in dependency order); the others are used as they are, except those `inside` (ids of ops
    the new ops cannot see, e.g. a loop's body for ops placed before the loop), cloned too. `memo`
    (holding `coordinate`'s entries) shares the clones between calls."""
    if memo is None:
        memo = dict(coordinate)

    def visit(v: SSAValue) -> SSAValue:
        if v in memo:
            return memo[v]
        owner = v.owner
        if (not isinstance(owner, Operation) or isinstance(owner, (loop.RangeOp, uop.RangeOp))
                or (not owner.operands and id(owner) not in inside)):
            memo[v] = v
            return v
        operands = [visit(x) for x in owner.operands]
        if all(a is b for a, b in zip(operands, owner.operands)) and id(owner) not in inside:
            memo[v] = v
            return v
        clone = owner.clone()
        clone.operands = operands
        ops.append(clone)
        for old, new in zip(owner.results, clone.results):
            memo[old] = new
        return memo[v]

    return visit(value)


__all__ = ["StagePlan", "StagedLoad", "local_bytes", "stage_kernel", "stage_ranges", "staged_loads", "substitute"]
