"""A reference interpreter for `uop.kernel`s (a debug device) and the scalar semantics of uop ALU ops.

The kernel's linear op list is executed once, vectorized over every point of its `uop.special`
index space (numpy arrays of length N = product of the special sizes); `uop.range` loops run in
Python. Loads check their (valid) indices against the buffer, so an out-of-bounds access is an
error here rather than a silent wrong result.

Work-group kernels (`wgid`/`lidx` specials) run every (group, local id) pair as one point. Each
`uop.define_local` is one array per work-group. Lockstep execution means every work-item finishes an op
before any starts the next, so `uop.barrier` needs no waiting here; what it does instead is end a
race-check epoch: a local element written by one work-item and read or written (with another value) by
another with no barrier in between is an error, since on a GPU that order is not guaranteed.
Asynchronous copies (`uop.async_copy`) read their source at issue and write the tile only when a
`uop.async_wait N` finds their commit group among those older than the newest N (cp.async's groups,
first in first out; uncommitted copies never land), so a missing or too weak wait reads stale tiles;
from its issue a copy's elements count as written for the race check (read by another work-item
since the last barrier: an error).

ALU ops mean what the ALU table says (tinyir/alu.py, `eval_alu`); `uop-simplify` folds constants
with the same table, so folding and execution cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from xdsl.ir import Attribute, Operation, SSAValue

from tinyir.alu import ALU_TABLE, eval_op
from tinyir.element_types import is_float_dtype, numpy_dtype  # DTYPES

Array = np.ndarray


#: op name -> numpy function on arrays of the operand element type (i1 arithmetic is logical:
#: add/max = or, mul = and, neg = not), derived from the ALU table (tinyir/alu.py).
ALU_SEMANTICS: dict[str, Callable[..., Array]] = {row.name: row.meaning for row in ALU_TABLE if row.meaning}


def eval_alu(name: str, operands: Sequence[Any], result_type: Attribute,
             operand_types: Sequence[Attribute] | None = None) -> Array:
    """Evaluate ALU op `name` (short name, "add") on numpy operands, giving `result_type` values.

    Operands are read as their element types (`operand_types`, else their own numpy dtypes), so a
    folded Python constant means what the same value in a register would."""
    with np.errstate(all="ignore"):
        if operand_types is not None:
            arrays = [np.asarray(o, dtype=numpy_dtype(t)) for o, t in zip(operands, operand_types)]
        else:
            arrays = [np.asarray(o) for o in operands]
    return eval_op(name, arrays, numpy_dtype(result_type))


class UopInterpreterError(RuntimeError):
    """A kernel did something the hardware would not survive (an out-of-bounds access, ...)."""


def run_kernel(kernel: Operation, buffers: Sequence[Array]) -> None:
    """Execute a `uop.kernel` on numpy buffers (flat or shaped; written in place)."""
    from tinyir.dialects import uop
    from tinyir.dialects.uop import literal_value

    assert isinstance(kernel, uop.KernelOp)
    block = kernel.body.block
    flat = [b.reshape(-1) for b in buffers]  # views: stores land in the caller's arrays
    ops = list(block.ops)
    specials = sorted((op for op in ops if isinstance(op, uop.SpecialOp)), key=lambda o: o.dim.data)
    sizes = {op.dim.data: op.size.value.data for op in specials}
    # gidx0 is the fastest-moving index: lay points out with it last (row-major, reversed names)
    names = sorted(sizes, key=lambda n: (n[:4], -int(n[4:])))
    points = int(np.prod([sizes[n] for n in names])) if names else 1
    grids = np.indices([sizes[n] for n in names]).reshape(len(names), -1) if names else np.zeros((0, 1))
    env: dict[SSAValue, Any] = {a: f for a, f in zip(block.args, flat)}
    for n, g in zip(names, grids):
        for op in specials:
            if op.dim.data == n:
                env[op.result] = g.astype(np.int32)

    group = _group_of_points(kernel, env, points)
    value = env.__getitem__
    range_start: dict[int, int] = {}  # position of uop.range -> its loop body start
    copying: list = []  # uop.async_copy's not yet committed, then committed groups not yet landed
    groups: list[list] = []
    pc = 0
    while pc < len(ops):
        op = ops[pc]
        if isinstance(op, uop.RangeOp):
            env[op.result] = np.full(points, op.start.value.data, np.int32)
            range_start[id(op)] = pc + 1
        elif isinstance(op, uop.EndRangeOp):
            rng = op.range.owner
            nxt = env[op.range] + 1
            if nxt[0] < rng.end.value.data:
                env[op.range] = nxt
                pc = range_start[id(rng)]
                continue
        elif isinstance(op, uop.SpecialOp):
            pass
        elif isinstance(op, uop.DefineLocalOp):
            env[op.result] = _LocalMemory(op.result.type, group)
        elif isinstance(op, uop.BarrierOp):
            for mem in env.values():
                if isinstance(mem, _LocalMemory):
                    mem.barrier()
        elif isinstance(op, (uop.ConstOp, uop.DefineAccOp)):  # define_acc (re)starts its register
            env[op.result] = np.full(points, literal_value(op.value), numpy_dtype(op.result.type))
        elif isinstance(op, uop.AssignOp):
            env[op.acc] = np.broadcast_to(value(op.value), (points,)).copy()
        elif isinstance(op, uop.LoadOp):
            env[op.result] = _load(op, value(op.buffer), value(op.index),
                                   None if op.gate is None else value(op.gate), points)
        elif isinstance(op, uop.StoreOp):
            _store(op, value(op.buffer), value(op.index), value(op.value),
                   None if op.gate is None else value(op.gate), points)
        elif isinstance(op, uop.VLoadOp):  # lane by lane, after the alignment check targets rely on
            gate = None if op.gate is None else value(op.gate)
            idx = _aligned_index(op, value(op.index), gate, len(op.lanes), points)
            for k, lane in enumerate(op.lanes):
                env[lane] = _load(op, value(op.buffer), idx + np.int32(k), gate, points)
        elif isinstance(op, uop.LdMatrixOp):
            for r, v in zip(op.elements, _ldmatrix(op, value(op.buffer), value(op.index), kernel, env, group, points)):
                env[r] = v
        elif isinstance(op, uop.MmaOp):
            for r, v in zip(op.d, _mma(op, [value(v) for v in op.operands], kernel, env, group, points)):
                env[r] = v
        elif isinstance(op, uop.WgmmaOp):
            for r, v in zip(op.d, _wgmma(op, env, kernel, group, points)):
                env[r] = v
        elif isinstance(op, uop.AsyncCopyOp):  # read now (global memory does not change in a kernel), land later
            gate = None if op.gate is None else value(op.gate)
            lanes = op.lanes.value.data
            src = value(op.source_index) if lanes == 1 else _aligned_index(op, value(op.source_index), gate, lanes, points)
            dst = value(op.tile_index) if lanes == 1 else _aligned_index(op, value(op.tile_index), None, lanes, points)
            for k in range(lanes):  # from its issue the copy may write the tile: no one else may read it then
                value(op.tile).claim(op, dst + np.int32(k), points)
            copying.append([(op, value(op.tile), dst + np.int32(k), _load(op, value(op.source), src + np.int32(k), gate, points))
                            for k in range(lanes)])
        elif isinstance(op, uop.AsyncCommitOp):
            groups.append([c for copy in copying for c in copy])
            copying = []
        elif isinstance(op, uop.AsyncWaitOp):
            while len(groups) > op.pending.value.data:
                for copy_op, tile, idx, val in groups.pop(0):
                    tile.store(copy_op, idx, val, None, points)
        elif isinstance(op, uop.VStoreOp):
            gate = None if op.gate is None else value(op.gate)
            idx = _aligned_index(op, value(op.index), gate, len(op.values), points)
            for k, lane in enumerate(op.values):
                _store(op, value(op.buffer), idx + np.int32(k), value(lane), gate, points)
        else:
            short = op.name.split(".", 1)[1]
            result = eval_alu(short, [value(v) for v in op.operands], op.results[0].type)
            env[op.results[0]] = np.broadcast_to(result, (points,))
        pc += 1


def _mma(op: Operation, operands: list[Array], kernel: Operation, env: dict[SSAValue, Any], group: Array,
         points: int) -> list[Array]:
    """A warp's matrix instruction: gather each warp's A, B and C tiles from its lanes' elements (the
    instruction's layouts), multiply in f32 (exact f16/bf16 products, f32 sums) and scatter D back."""
    from tinyir.dialects import uop

    mi = op.matrix_instruction
    warp, lane, warps = _warps(op, kernel, env, group, points, mi.threads)
    na, nb = mi.a.elements, mi.b.elements
    tiles = []
    for layout, values in ((mi.a, operands[:na]), (mi.b, operands[na:na + nb]), (mi.c, operands[na + nb:])):
        tile = np.zeros((warps, layout.rows, layout.cols), np.float32)
        for e, v in enumerate(values):
            rc = np.array([layout.coordinate(l, e) for l in range(mi.threads)])[lane]
            tile[warp, rc[:, 0], rc[:, 1]] = np.broadcast_to(v, (points,)).astype(np.float32)
        tiles.append(tile)
    with np.errstate(all="ignore"):  # inf * 0 and inf - inf are NaN, as on the hardware
        d = np.matmul(tiles[0], tiles[1]) + tiles[2]
    out = []
    for e in range(mi.c.elements):
        rc = np.array([mi.c.coordinate(l, e) for l in range(mi.threads)])[lane]
        out.append(d[warp, rc[:, 0], rc[:, 1]].astype(np.float32))
    return out


def _wgmma(op: Operation, env: dict[SSAValue, Any], kernel: Operation, group: Array, points: int) -> list[Array]:
    """A warpgroup's wgmma: decode each operand's 64-bit descriptor as the hardware does (start
    address, leading and stride byte offsets, swizzle mode; core matrices of 8 rows x 16 bytes, K-major
    or, with the op's a_trans / b_trans, MN-major; or rows of 32, 64 or 128 bytes whose 16-byte chunks
    are xor-swizzled, each a row's k or, MN-major, a k's rows),
    read A (m x k) and B (n x k) from the warpgroup's local tiles, multiply in f32 and hand each
    thread its elements of D by the instruction's C layout. Every thread of a warpgroup must give the
    same descriptors, and the tiles must hold no store since the last barrier."""
    mi = op.matrix_instruction
    warp, lane, warps = _warps(op, kernel, env, group, points, mi.threads)
    one = np.zeros(warps, np.int64)  # a point of each warpgroup: it reads the operands for all
    one[warp] = np.arange(points)
    tiles = []
    for what, tile, desc, rows, trans in (("a", op.a_tile, op.a_desc, mi.m, op.a_trans is not None),
                                          ("b", op.b_tile, op.b_desc, mi.n, op.b_trans is not None)):
        memory: _LocalMemory = env[tile]
        bits = np.broadcast_to(env[desc], (points,)).astype(np.int64).view(np.uint64)
        first = np.zeros(warps, np.uint64)
        first[warp] = bits
        if (bits != first[warp]).any():
            raise UopInterpreterError(f"{op.name}: the threads of a warpgroup give different {what} descriptors")
        bits = first
        start = (bits & 0x3FFF).astype(np.int64) << 4
        leading = ((bits >> 16) & 0x3FFF).astype(np.int64) << 4
        stride = ((bits >> 32) & 0x3FFF).astype(np.int64) << 4
        modes = np.unique(bits >> 62)
        if len(modes) > 1 or ((bits >> 49) & 7).any():
            raise UopInterpreterError(f"{op.name}: {what} descriptors mix swizzle modes or ask for a base offset")
        width = {0: 0, 1: 128, 2: 64, 3: 32}[int(modes[0])] if len(modes) else 0
        r, c = np.meshgrid(np.arange(rows), np.arange(mi.k), indexing="ij")
        if width and trans:
            # MN-major, swizzled: each k a `width`-byte line of width/2 rows, 8 k an atom; atoms along
            # the rows the leading byte offset apart, along k the stride byte offset; the chip xors
            # the 16-byte chunk bits 4.. of the address with bits 7..
            atom = width // 2
            linear = start[:, None, None] + ((r // atom)[None] * leading[:, None, None]
                                             + (c // 8)[None] * stride[:, None, None] + (c % 8) * width + (r % atom) * 2)
            address = linear ^ (((linear >> 7) & (width // 16 - 1)) << 4)
        elif width:
            # rows of `width` bytes, 8 an atom (stride byte offset apart); the chip xors the 16-byte
            # chunk bits 4.. of the address with bits 7.. (tiles are 1024-byte aligned: offsets from
            # the tile's start have the same bits)
            linear = start[:, None, None] + ((r // 8)[None] * stride[:, None, None] + (r % 8) * width + c * 2)
            address = linear ^ (((linear >> 7) & (width // 16 - 1)) << 4)
        else:
            # byte address of (r, c) in core matrix (r // 8, c // 8): K-major, row r % 8 and element
            # c % 8 in it; MN-major (transposed), row c % 8 and element r % 8
            within = (r % 8) * 2 + (c % 8) * 16 if trans else (r % 8) * 16 + (c % 8) * 2
            in_tile = within + (c // 8)[None] * leading[:, None, None] + (r // 8)[None] * stride[:, None, None]
            address = start[:, None, None] + in_tile  # per warpgroup
        element = memory.data.itemsize
        if (address % element).any():
            raise UopInterpreterError(f"{op.name}: {what} descriptor addresses are not {element}-byte aligned")
        index = address // element
        if (index < 0).any() or (index >= memory.size).any():
            raise UopInterpreterError(f"{op.name}: the {what} descriptor reaches past its tile of {memory.size} elements")
        slot = memory.offset[one][:, None, None] + index
        written = memory.writer[slot]
        if (written >= 0).any():
            raise UopInterpreterError(f"{op.name} reads local memory element {int(index[written >= 0][0])} stored "
                                      "since the last uop.barrier (a race: the tensor cores may read it first)")
        memory.reader[slot] = -2  # read by several: a store before the next barrier is a race
        tiles.append(memory.data[slot].astype(np.float32))
    c = np.zeros((warps, mi.m, mi.n), np.float32)
    for e, v in enumerate(op.c):
        rc = np.array([mi.c.coordinate(l, e) for l in range(mi.threads)])[lane]
        c[warp, rc[:, 0], rc[:, 1]] = np.broadcast_to(env[v], (points,)).astype(np.float32)
    with np.errstate(all="ignore"):  # inf * 0 and inf - inf are NaN, as on the hardware
        d = np.matmul(tiles[0], tiles[1].transpose(0, 2, 1)) + c
    out = []
    for e in range(mi.c.elements):
        rc = np.array([mi.c.coordinate(l, e) for l in range(mi.threads)])[lane]
        out.append(d[warp, rc[:, 0], rc[:, 1]].astype(np.float32))
    return out


def _warps(op: Operation, kernel: Operation, env: dict[SSAValue, Any], group: Array, points: int,
           threads: int) -> tuple[Array, Array, int]:
    """Each point's warp number and lane (warps of `threads` neighbouring linear local ids), and the
    number of warps."""
    from tinyir.dialects import uop

    local = np.zeros(points, np.int64)  # the linear local id (lidx0 fastest)
    _, block = uop.launch_shape(kernel)
    for s in kernel.body.block.ops:
        if isinstance(s, uop.SpecialOp) and uop.special_kind(s.dim.data) == "lidx" and s.result in env:
            d = uop.special_dim(s.dim.data)
            local = local + env[s.result].astype(np.int64) * int(np.prod(block[:d]))
    size = int(np.prod(block)) if block else 1
    if size % threads:
        raise UopInterpreterError(f"{op.name}: a work-group of {size} threads is not whole warps of {threads}")
    warp = group * (size // threads) + local // threads
    return warp, local % threads, (int(warp.max()) + 1 if points else 0)


def _ldmatrix(op: Operation, memory: Any, index: Array, kernel: Operation, env: dict[SSAValue, Any],
              group: Array, points: int) -> list[Array]:
    """ldmatrix: lane 8j + r gives where row r of block j starts; each lane reads its two elements
    of every block (row lane // 4, columns 2 (lane % 4) + {0, 1}; transposed: rows 2 (lane % 4) + {0, 1}
    of column lane // 4)."""
    warp, lane, warps = _warps(op, kernel, env, group, points, 32)
    starts = np.zeros((warps, 32), np.int64)
    starts[warp, lane] = np.broadcast_to(index, (points,))
    out = []
    for j in range(op.count.value.data):
        for half in range(2):
            if op.trans is None:
                at = starts[warp, 8 * j + lane // 4] + 2 * (lane % 4) + half
            else:
                at = starts[warp, 8 * j + 2 * (lane % 4) + half] + lane // 4
            out.append(memory.load(op, at.astype(np.int32), None, points))
    return out


def _group_of_points(kernel: Operation, env: dict[SSAValue, Any], points: int) -> Array:
    """The linear work-group number of every point (wgid0 fastest; 0 everywhere without wgid)."""
    from tinyir.dialects import uop

    grid, _ = uop.launch_shape(kernel)
    group = np.zeros(points, np.int64)
    for op in kernel.body.block.ops:
        if isinstance(op, uop.SpecialOp) and uop.special_kind(op.dim.data) == "wgid" and op.result in env:
            d = uop.special_dim(op.dim.data)
            group = group + env[op.result].astype(np.int64) * int(np.prod(grid[:d]))
    return group


class _LocalMemory:
    """One `uop.define_local` array per work-group, with the race check between barriers: `writer` is
    the point that last stored each element since the last barrier (-1: none), `reader` the point that
    read it (-1: none, -2: several)."""

    def __init__(self, type_: Attribute, group: Array):
        self.size = type_.size()
        self.offset = group * self.size  # per point: where its group's array starts
        groups = int(group.max()) + 1 if group.size else 1
        self.data = np.zeros(groups * self.size, numpy_dtype(type_.element_type))
        self.writer = np.full(self.data.size, -1, np.int64)
        self.reader = np.full(self.data.size, -1, np.int64)

    def barrier(self) -> None:
        self.writer.fill(-1)
        self.reader.fill(-1)

    def _race(self, op: Operation, where: Array, slot: Array, what: str) -> None:
        if where.any():
            element = int(slot[where][0])
            raise UopInterpreterError(
                f"{op.name}: work-item {what} local memory element {element % self.size} of work-group "
                f"{element // self.size} that another work-item used since the last uop.barrier (a race)")

    def load(self, op: Operation, idx: Array, gate: Array | None, points: int) -> Array:
        local, live = _checked_index(op, self.data[:self.size], idx, gate, points)
        slot = (self.offset + local)[live]
        point = np.arange(points)[live]
        w = self.writer[slot]
        self._race(op, (w >= 0) & (w != point), slot, "reads")
        # readers: one point, or -2 when a second one reads the element before the next barrier
        if not slot.size:
            return np.zeros(points, self.data.dtype)
        pairs = np.unique(slot * points + point)  # distinct (element, reader) pairs, sorted by element
        pair_slot, pair_point = pairs // points, pairs % points
        slots, start, counts = np.unique(pair_slot, return_index=True, return_counts=True)
        first = pair_point[start]
        prev = self.reader[slots]
        self.reader[slots] = np.where((counts == 1) & ((prev == -1) | (prev == first)), first, -2)
        return np.where(live, self.data[self.offset + local], np.zeros((), self.data.dtype))

    def claim(self, op: Operation, idx: Array, points: int) -> None:
        """An asynchronous copy into these elements starts: one another work-item read since the
        last barrier is a race (the copy may land any time until its wait)."""
        local, live = _checked_index(op, self.data[:self.size], idx, None, points)
        slot = (self.offset + local)[live]
        r = self.reader[slot]
        self._race(op, (r != -1) & (r != np.arange(points)[live]), slot, "copies into")

    def store(self, op: Operation, idx: Array, val: Any, gate: Array | None, points: int) -> None:
        local, live = _checked_index(op, self.data[:self.size], idx, gate, points)
        slot = (self.offset + local)[live]
        point = np.arange(points)[live]
        val = np.broadcast_to(val, (points,))[live]
        r = self.reader[slot]
        self._race(op, (r != -1) & (r != point), slot, "writes")
        # two work-items writing one element: only the same value is harmless
        w = self.writer[slot]
        self._race(op, (w >= 0) & (w != point) & ~_same_bits(self.data[slot], val), slot, "writes")
        order = np.argsort(slot, kind="stable")
        s, v, pt = slot[order], val[order], point[order]
        dup = (s[1:] == s[:-1]) & (pt[1:] != pt[:-1]) & ~_same_bits(v[1:], v[:-1])
        self._race(op, dup, s[1:], "writes")
        self.data[slot] = val
        self.writer[slot] = point


def _same_bits(a: Array, b: Array) -> Array:
    a, b = np.ascontiguousarray(a), np.ascontiguousarray(b)
    if is_float_dtype(a.dtype):  # DTYPES: bf16 too (its numpy kind is "V")
        return a.view(f"u{a.dtype.itemsize}") == b.view(f"u{b.dtype.itemsize}")
    return a == b


def _checked_index(op: Operation, buf: Array, idx: Array, gate: Array | None, points: int) -> Array:
    idx = np.broadcast_to(idx, (points,))
    live = np.ones(points, bool) if gate is None else np.broadcast_to(gate, (points,))
    bad = live & ((idx < 0) | (idx >= buf.size))
    if bad.any():
        raise UopInterpreterError(
            f"{op.name} index {int(idx[bad][0])} out of bounds for a buffer of {buf.size} elements")
    return np.where(live, idx, 0), live


def _aligned_index(op: Operation, idx: Array, gate: Array | None, width: int, points: int) -> Array:
    """A vector access's index, which must be a multiple of its lane count where the gate holds."""
    idx = np.broadcast_to(idx, (points,))
    live = np.ones(points, bool) if gate is None else np.broadcast_to(gate, (points,))
    bad = live & (idx % width != 0)
    if bad.any():
        raise UopInterpreterError(f"{op.name} index {int(idx[bad][0])} is not a multiple of its {width} lanes")
    return idx


def _load(op: Operation, buf: Any, idx: Array, gate: Array | None, points: int) -> Array:
    if isinstance(buf, _LocalMemory):
        return buf.load(op, idx, gate, points)
    safe, live = _checked_index(op, buf, idx, gate, points)
    return np.where(live, buf[safe], np.zeros((), buf.dtype))


def _store(op: Operation, buf: Any, idx: Array, val: Any, gate: Array | None, points: int) -> None:
    if isinstance(buf, _LocalMemory):
        return buf.store(op, idx, val, gate, points)
    safe, live = _checked_index(op, buf, idx, gate, points)
    val = np.broadcast_to(val, (points,))
    buf[safe[live]] = val[live]


def run_program(module: Operation, inputs: Sequence[Array]) -> list[Array]:
    """Run the entry function of a uop-level module: host ops and `uop.kernel` launches."""
    from xdsl.dialects import func

    from tinyir.dialects import uop

    main = next((op for op in module.walk() if isinstance(op, func.FuncOp) and op.sym_name.data == "main"),
                None) or next(op for op in module.walk() if isinstance(op, func.FuncOp))
    env: dict[SSAValue, Array] = {}
    for arg, x in zip(main.body.block.args, inputs):
        env[arg] = np.array(x, dtype=numpy_dtype(arg.type.element_type), copy=True)
    for op in main.body.block.ops:
        if isinstance(op, uop.KernelOp):
            run_kernel(op, [env[v] for v in op.buffers])
        elif isinstance(op, func.ReturnOp):
            return [env[v] for v in op.operands]
        elif op.name == "st.alloc":
            t = op.results[0].type
            env[op.results[0]] = np.zeros(_shape(t), numpy_dtype(t.element_type))
        elif op.name == "st.buffer_constant":
            t = op.results[0].type
            data = op.properties.get("value") or op.attributes.get("value")
            env[op.results[0]] = _dense_to_numpy(data, t)
        else:
            raise UopInterpreterError(f"uop interpreter: unsupported host op {op.name}")
    return []


def _shape(t: Attribute) -> tuple[int, ...]:
    shape = getattr(t, "shape", None)
    if hasattr(t, "get_shape"):
        return tuple(t.get_shape())
    return tuple(d.data if hasattr(d, "data") else int(d) for d in shape)


def _dense_to_numpy(attr: Any, t: Attribute) -> Array:
    values = attr.get_values() if hasattr(attr, "get_values") else attr
    arr = np.array(list(values), dtype=numpy_dtype(t.element_type))
    return np.broadcast_to(arr, _shape(t)).copy() if arr.size == 1 else arr.reshape(_shape(t))


__all__ = ["ALU_SEMANTICS", "eval_alu", "run_kernel", "run_program", "UopInterpreterError"]
