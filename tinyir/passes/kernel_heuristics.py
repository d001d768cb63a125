"""Hand-written choices of kernel-optimization actions, per kind of target (read by `kernel-optimize`).

The heuristics look at a `loop.kernel`'s axes and at how each load and store moves along them
(its *stride* per axis: the index difference when that axis goes from 0 to 1, the others at 0),
and pick actions within the target's `KernelLimits`:

GPU (targets with work-groups):
  * a reduce along a contiguous axis (row sum, softmax, a full sum) is grouped: the threads of a
    work-group read neighbouring elements and combine their partials through local memory;
  * a matmul-like kernel (some input is broadcast along a global axis) gets a work-group of 128
    threads along the contiguous output axis and the most reused axes (16x8 for a matmul), each
    thread a register tile (8x8 for a matmul), small windows unrolled whole, and otherwise its
    reduce unrolled by 2 and staged through local memory in chunks of 8 (`stage`);
  * everything else gets 256 threads along the axis the output is contiguous in, each thread
    doing 4 elements spaced a work-group apart (so every load instruction is coalesced).
CPU (no work-groups): register tiles for LLVM to vectorize: a matmul-like kernel gets an 8x16
tile (16 contiguous outputs, or 8 where 16 does not divide, else 4 or 2, by 8 rows) and its small
window reduces unrolled. A padded convolution over rows 24..64 wide, or narrower ones 16 and 8 do
not divide, gets a whole row by up to 8 channels, and so does a stride-2 one (wider rows: 4
outputs by up to 32 channels); a 7x7 window its outer axis unrolled. A reduce along a strided
axis gets 16 contiguous outputs per iteration; elementwise kernels and contiguous reduces are left
to LLVM's loop vectorizer.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

from xdsl.ir import SSAValue

from tinyir.dialects import loop, uop
from tinyir.passes.kernel_optimize import Action, axes
from tinyir.targets.base import KernelLimits

RK = loop.RangeKind
# A CPU register tile copies the whole kernel body (a fused epilogue too) once per tile element.
# Its rows (the second output axis) are added only while the copies stay under this many ops, so
# a matmul's few-op body keeps its full tile while a gradient fused with its optimizer update
# (hundreds of ops) is not compiled 128 times over; its row (vector width) and small unrolled
# windows (a convolution's, which its speed needs) are not limited.
CPU_TILE_OPS = 4096
# A padded convolution whose output rows are at most this wide (and at least CPU_WHOLE_ROW_MIN)
# gets a whole row per tile (and 2 or more channels, as many as fit): its gated window loads become masked
# vectors of 16 + 16 + ... lanes (tinyir/targets/llvm/masked_loads.py), each loaded vector used
# by every channel of the tile. On a 3x3 conv over 56-wide rows (8x64x56x56, CPU time of one
# thread): 13.6 ms against 18.3 ms for 8 pixels x 8 channels (torch 8.5 ms), for 1008 body copies
# instead of 576 (compile time).
CPU_WHOLE_ROW, CPU_WHOLE_ROW_MIN = 64, 24
# A convolution's rows narrower than CPU_WHOLE_ROW_MIN that 16 and 8 do not divide (14 or 7 wide:
# ResNet's later stages) get the whole row too, rather than no tile at all (256x256x14x14, one
# thread: 60 ms -> 3.3 ms, torch 1.6 ms). Its tile holds up to the target's `max_upcast` outputs
# (a 56-wide row by 4 channels: 8x64x56x56 13.8 ms against 18.1 ms for 2 channels, torch 8.8 ms).
# A row whose loads step 2 elements per output (a stride-2 convolution or downsample) is read by
# masked loads of every other lane (masked_loads.py) and tiled as a stride-1 one, within
# CPU_STRIDED_COPIES body copies (64x56x56 -> 128, one thread: 1x1 no tile 1.9 ms, 28x8 0.1 ms,
# torch 0.13 ms; 3x3 6.9 ms, 28x4 1.0 ms, torch 0.7-1.2 ms); one wider than CPU_WHOLE_ROW (a
# 7x7 stem's 112) gets CPU_STRIDED_WIDTH outputs by up to CPU_STRIDED_ROWS channels (4x32 13.9 ms,
# 16x8 25 ms, torch 1.7 ms).
CPU_STRIDED_WIDTH, CPU_STRIDED_ROWS, CPU_STRIDED_COPIES = 4, 32, 1024
# A kernel whose last two reduce axes are 5 to this size has a wide window (a 7x7 stem).
CPU_WIDE_WINDOW = 7
# A matmul-like kernel's tile: up to 8 rows of a 16- or 8-wide row (128 outputs).
CPU_MATMUL_OUTPUTS = 128

_ARITH = {uop.AddOp: lambda a, b: a + b, uop.MulOp: lambda a, b: a * b,
          uop.IdivOp: lambda a, b: int(a / b) if b else 0, uop.ModOp: lambda a, b: a - b * int(a / b) if b else a}


def _evaluate(value: SSAValue, env: dict[SSAValue, int], memo: dict[SSAValue, int | None]) -> int | None:
    """The integer value of an index expression with ranges set by `env` (others 0); None if unknown."""
    if value in memo:
        return memo[value]
    owner = value.owner
    result: int | None = None
    if isinstance(owner, loop.RangeOp):
        result = env.get(value, 0)
    elif isinstance(owner, uop.ConstOp):
        literal = uop.literal_value(owner.value)
        result = int(literal) if isinstance(literal, (int, bool)) else None
    elif type(owner) in _ARITH:
        a, b = (_evaluate(v, env, memo) for v in owner.operands)
        result = None if a is None or b is None else _ARITH[type(owner)](a, b)
    memo[value] = result
    return result


def strides(kernel: loop.KernelOp, index: SSAValue) -> list[int | None]:
    """Per axis, how far `index` moves when that axis steps from 0 to 1 (None: not affine-known)."""
    base = _evaluate(index, {}, {})
    out: list[int | None] = []
    for r in axes(kernel):
        moved = _evaluate(index, {r.result: 1}, {}) if r.extent > 1 else base
        out.append(None if base is None or moved is None else moved - base)
    return out


def _accesses(kernel: loop.KernelOp) -> tuple[list[list[int | None]], list[list[int | None]]]:
    loads, stores = [], []
    for op in kernel.body.block.ops:
        if isinstance(op, uop.LoadOp):
            loads.append(strides(kernel, op.index))
        elif isinstance(op, uop.StoreOp):
            stores.append(strides(kernel, op.index))
    return loads, stores


def _largest_divisor(n: int, limit: int, candidates: Sequence[int]) -> int:
    return next((c for c in candidates if c <= limit and n % c == 0), 1)


def _cpu_row_tile(row: int, step: int, convolution: bool, widths: Sequence[int],
                  budget: int) -> tuple[int, int]:
    """(outputs along the contiguous output row, most rows) of a CPU register tile of up to
    `budget` outputs whose loads move `step` elements per output along that row (2: a stride-2
    convolution, whose loads of every other element are masked loads too)."""
    width = _largest_divisor(row, widths[0], widths)
    if (convolution or step > 1) and row <= CPU_WHOLE_ROW and (row >= CPU_WHOLE_ROW_MIN or width == 1) \
            and 2 * row <= budget:
        return row, budget // row  # the whole output row (see CPU_WHOLE_ROW)
    if step > 1 and row > CPU_WHOLE_ROW:  # a wide strided row (a stem's): few lanes and many rows
        return _largest_divisor(row, CPU_STRIDED_WIDTH, (4, 2)), CPU_STRIDED_ROWS
    if width == 1:
        width = _largest_divisor(row, 4, (4, 2))
    return width, budget


def choose_actions(kernel: loop.KernelOp, target: str, limits: KernelLimits) -> list[Action]:
    """The heuristic action list for one kernel on a target (may be empty)."""
    from tinyir.passes.row_optimize import is_row_kernel, row_actions

    if is_row_kernel(kernel):  # softmax, layernorm: one row per work-group (row_optimize.py)
        return [Action(*a) for a in row_actions(kernel, limits)]
    return gpu_actions(kernel, limits) if limits.has_local else cpu_actions(kernel, limits)


def _shape(kernel: loop.KernelOp) -> tuple[list[loop.RangeOp], list[int], list[int]]:
    axis_list = axes(kernel)
    glob = [i for i, r in enumerate(axis_list) if r.range_kind == RK.GLOBAL]
    red = [i for i, r in enumerate(axis_list) if r.range_kind == RK.REDUCE]
    return axis_list, glob, red


def _broadcast_axes(glob: list[int], loads: list[list[int | None]]) -> list[int]:
    """Global axes along which some load does not move (its value is reused across that axis)."""
    return [a for a in glob if any(s[a] == 0 for s in loads)]


def _contiguous(axis: int, accesses: list[list[int | None]]) -> bool:
    return any(s[axis] == 1 for s in accesses)


@dataclasses.dataclass(frozen=True)
class TcTile:
    """What the tc heuristics aim for, in instruction tiles (each side as far as its extent divides)."""

    n_tiles: int   # instruction tiles per warp along n (B's fragments reused along m)
    m_tiles: int   # ... along m (A's reused along n)
    warps_m: int   # warps of a work-group along m
    warps_n: int   # ... along n
    unroll: int    # k steps of the reduce unrolled
    stage: int     # unrolled k steps per staged chunk (a chunk is k * unroll * stage of the reduce)


#: staged tiles in one buffer (no asynchronous copies): 4 x 4 instructions a warp (64 x 32 of
#: m16n8k16), 2 x 2 warps, k chunks of 64: 0.68 ms for f16 4096^3 on an H100 single-buffered
TC_TILE = TcTile(n_tiles=4, m_tiles=4, warps_m=2, warps_n=2, unroll=2, stage=2)
#: staged tiles pipelined through `copy_stages` buffers (limits.async_copy: cuda's cp.async): 64 x 64
#: a warp (8 x 4 instructions), 2 x 2 warps (a 128 x 128 block tile), 2 k steps unrolled, k chunks of
#: 64: 32 KB a stage. f16 4096^3 on an H100 with 3 stages: 0.505 ms, against 0.685 ms for k chunks
#: of 32 without the unroll (4 stages) and 0.588 ms for TC_TILE pipelined
TC_PIPELINED_TILE = TcTile(n_tiles=8, m_tiles=4, warps_m=2, warps_n=2, unroll=2, stage=2)
#: unstaged tc kernels: every lane computes its own fragment addresses (and a window's gates): 4 x 4
#: spills on sm_90 (255 registers for the f16 conv), 4 x 2 does not (128)
TC_UNSTAGED_TILE = TcTile(n_tiles=4, m_tiles=2, warps_m=2, warps_n=2, unroll=2, stage=2)


#: CONV-TC-TILE: a convolution on mma.sync (its reduce has a window besides the channels): 64 output
#: channels (4 instructions along m) by 4 rows of 8 columns (4 along n) a warp, 4 warps along the rows
#: and images, chunks of 32 input channels staged with the whole window in the chunk, where the
#: input's window overlap is one halo tile (tinyir/passes/stage.py HALO: 2 images x 2 x (4 + 2) rows
#: x (8 + 2) columns a chunk instead of 9 shifted copies) and both tiles are read by ldmatrix (TC-K-INNER).
#: Reasoned, not yet measured (build/scratch/h10conv/sweep.py times it): the unstaged tile before it
#: fetched every fragment element from global memory, 2 bytes at a time, 2 loads per mma.sync (f16
#: 32x64x56x56: 0.219 ms on an H100, cuDNN 0.057 ms); this one's thread loads 60 input elements and 36
#: 8-byte weight vectors (CONTIGUOUS-RUNS) per chunk, in which its warp runs 288 mma.sync (61 KB of
#: shared memory, 255 registers: 2 work-groups an SM).
CONV_TC_TILE = TcTile(n_tiles=4, m_tiles=4, warps_m=1, warps_n=4, unroll=1, stage=2)


def _has_halo(kernel: loop.KernelOp, actions: list[Action], limits: KernelLimits) -> bool:
    """Whether `actions` stage a tile with a halo (stage.py HALO) on a copy of `kernel`. (A 28-wide
    row's 8-column tiles are padded and gated, so only its rows make a halo; the tile is still smaller
    than the pipelined matmul tile's: 2x128x28x28, 128 filters: 105 KB, 220 bytes of spills, against
    133 KB and 584.)"""
    from tinyir.passes.kernel_optimize import KernelOptimizeError, apply_actions
    from tinyir.passes.stage import staged_loads

    trial = kernel.clone()
    try:
        apply_actions(trial, actions, limits)
    except KernelOptimizeError:
        return False
    return any(s.halo for s in staged_loads(trial))


def tensor_core_actions(kernel: loop.KernelOp, limits: KernelLimits) -> list[Action] | None:
    """A matrix product the target's matrix instruction fits (tinyir/passes/tensor_core.py): `tc`
    on its longest reduce axis, then each warp a tile of instructions (A's elements reused along n,
    B's along m), warps a work-group, the reduce unrolled and staged through local memory (the
    fragments then come by ldmatrix) where the tiles fit: `TC_PIPELINED_TILE` where the target
    pipelines staged tiles (all `copy_stages` buffers must fit), else `TC_TILE`; `TC_UNSTAGED_TILE`
    where no stage fits. None: no fit."""
    from tinyir.passes.kernel_optimize import KernelOptimizeError, apply_actions, tc_plan

    if not limits.matrix_instructions:
        return None
    from tinyir.passes.wgmma_heuristics import wgmma_actions

    wgmma = wgmma_actions(kernel, limits)  # None unless PREFER_WGMMA, the target has wgmma (sm_90a) and it fits
    if wgmma is not None:
        return wgmma
    axis_list, glob, red = _shape(kernel)
    for r in sorted(red, key=lambda a: -axis_list[a].extent):
        found = tc_plan(kernel, axis_list[r], 0, limits)
        if isinstance(found, str):
            continue
        match, mi = found
        m, n = axis_list.index(match.m), axis_list.index(match.n)
        left = {m: -(-match.m.extent // mi.m), n: -(-match.n.extent // mi.n), r: -(-axis_list[r].extent // mi.k)}
        # the other output axes only one factor reads (a convolution's rows, a batch of one side) take
        # what m or n cannot: more tiles per warp or warps per group that share the other's fragments
        deps = loop.range_dependencies(list(kernel.body.block.ops))
        side = {match.x: [m], match.y: [n]}
        for a in reversed(glob):
            v = axis_list[a].result
            for mine, other in ((match.x, match.y), (match.y, match.x)):
                if a not in (m, n) and v in deps[mine] and v not in deps[other]:
                    side[mine].append(a)
                    left[a] = axis_list[a].extent
        base = dict(left)

        def tiles(tile: TcTile, stages: int) -> list[Action]:
            left.update(base)
            actions = [Action("tc", r, 0)]
            for kind, axes_of, most in (("upcast", side[match.y], tile.n_tiles), ("upcast", side[match.x], tile.m_tiles),
                                        ("local", side[match.x], tile.warps_m), ("local", side[match.y], tile.warps_n),
                                        ("unroll", [r], tile.unroll)):
                for axis in axes_of:  # the matched axis first, then the others innermost first
                    if most == 1:
                        break
                    amount = _largest_divisor(left[axis], most, tuple(c for c in (8, 4, 2) if c <= most))
                    if amount > 1:
                        actions.append(Action(kind, axis, amount))
                        left[axis] //= amount
                        most //= amount
            # (a convolution's chunk may take all its channels: its window loops stay inside it)
            if left[r] % tile.stage == 0 and (left[r] > tile.stage or tile is CONV_TC_TILE):
                try:  # the staged tiles, `stages` times over, must fit the local memory
                    room = dataclasses.replace(limits, local_memory_bytes=limits.local_memory_bytes // stages)
                    apply_actions(kernel.clone(), [*actions, Action("stage", r, tile.stage)], room)
                    actions.append(Action("stage", r, tile.stage))
                except KernelOptimizeError:
                    pass
            return actions

        windows = [x for x in red if x != r and 1 < axis_list[x].extent <= 4]
        if windows and not mi.shared:  # a convolution: CONV_TC_TILE where its input tile has a halo
            actions = tiles(CONV_TC_TILE, 1)
            if any(a.kind == "stage" for a in actions) and _has_halo(kernel, actions, limits):
                return actions
        actions = tiles(TC_PIPELINED_TILE, limits.copy_stages) if limits.async_copy else tiles(TC_TILE, 1)
        if not any(a.kind == "stage" for a in actions) and limits.async_copy:
            actions = tiles(TC_TILE, 1)
        if not any(a.kind == "stage" for a in actions):
            actions = tiles(TC_UNSTAGED_TILE, 1)
        return actions
    return None


def gpu_actions(kernel: loop.KernelOp, limits: KernelLimits) -> list[Action]:
    tensor_core = tensor_core_actions(kernel, limits)
    if tensor_core is not None:
        return tensor_core
    axis_list, glob, red = _shape(kernel)
    loads, stores = _accesses(kernel)
    size = [r.extent for r in axis_list]
    threads = min(256, limits.max_local_size)
    out_axes = [a for a in glob if _contiguous(a, stores)] or glob[-1:]
    if red:
        reuse = _broadcast_axes(glob, loads)
        if reuse and math.prod(size[a] for a in glob) >= 64 * limits.cores and \
                (not out_axes or _tiles_reuse(loads, reuse, red, size, out_axes[-1])):  # ROW-REUSE
            return register_tile_actions(size, glob, red, reuse, out_axes, limits,
                                         body_ops=sum(1 for _ in kernel.body.block.ops))
        contiguous = [a for a in red if _contiguous(a, loads)]
        r = contiguous[-1] if contiguous else None
        if r is not None and size[r] >= 64:
            g = _largest_divisor(size[r], min(128, threads), (128, 64, 32, 16))
            if g >= 16:
                # unrolled first: each thread reads 4 neighbours (one vector), neighbouring threads
                # neighbouring vectors
                return ([Action("unroll", r, 4)] if (size[r] // g) % 4 == 0 else []) + [Action("group", r, g)]
        # strided reduce: neighbouring threads take neighbouring outputs
        if out_axes:
            local = _largest_divisor(size[out_axes[-1]], threads, (256, 128, 64, 32, 16))
            if local > 1:
                return [Action("local", out_axes[-1], local)]
        return []
    if not out_axes:
        return []
    a = out_axes[-1]
    local = _largest_divisor(size[a], threads, (256, 128, 64, 32))
    if local == 1:
        return []  # not a multiple of 32: the target's own guarded launch
    rest, others = size[a] // local, math.prod(size[x] for x in glob if x != a)
    if rest % 4 == 0 and others * rest // 4 >= 4 * limits.cores:
        return [Action("upcast", a, 4), Action("local", a, local)]  # a vector per thread, coalesced
    return [Action("local", a, local)]


#: CONV_TILE: a 3x3 conv f32 (32x64x56x56, 64 filters) on an H100 with 128 threads of 8 x 2 x 2
#: outputs (channels x rows x columns), its window unrolled whole: 0.56 ms; with 64 threads of 8 x 2 x 4,
#: its window's columns and 2 input channels unrolled: 0.35 ms (cuDNN 0.25 ms)


#: GPU-TILE-OPS: a GPU register tile copies the kernel's body once per output too: outside a
#: convolution, the outputs per thread are kept within this many body ops (a matmul's 20-op body
#: keeps its 8x8 tile; a GPT step's matmuls with a layernorm fused in, 100-300 ops, took 64 copies
#: each, and 28 s of a first call on an H100 against tinygrad's 5.5 s)
GPU_TILE_OPS = 4096


def register_tile_actions(size: list[int], glob: list[int], red: list[int], reuse: list[int],
                          out_axes: list[int], limits: KernelLimits, body_ops: int = 0) -> list[Action]:
    """A matmul-like kernel (an input broadcast along a global axis): 128 threads, each a register
    tile. The contiguous output axis gets a few neighbouring outputs per thread (vector accesses)
    and up to 16 threads; the largest other reused axis 8 threads of 8 outputs each; any other
    axis the threads left (2 outputs each where it is reused). Small windows (a 3x3 convolution's)
    are unrolled whole; otherwise the main reduce is unrolled by 2 and staged through local memory
    in chunks of 8 (both operands of a matmul tile come from global memory once per work-group).
    A convolution (a 3- or 4-wide window) takes 64 threads with bigger tiles and its channel reduce
    unrolled by 2 (CONV_TILE)."""
    windows = [r for r in red if size[r] <= 4]
    convolution = any(size[r] >= 3 for r in windows)
    threads = min(64 if convolution else 128, limits.max_local_size)
    if not convolution and body_ops:  # GPU-TILE-OPS
        limits = dataclasses.replace(limits, max_upcast=min(limits.max_upcast, max(1, GPU_TILE_OPS // body_ops)))
    left = list(size)
    actions: list[Action] = []
    used, outputs = 1, 1

    def split(kind: str, axis: int, amounts: tuple[int, ...], budget: int, keep: int = 1) -> int:
        amount = next((a for a in amounts if a <= budget and left[axis] % (a * keep) == 0), 1)
        if amount > 1:
            actions.append(Action(kind, axis, amount))
            left[axis] //= amount
        return amount

    contiguous = out_axes[-1] if out_axes else None
    primary = max((a for a in reuse if a != contiguous), key=lambda a: size[a], default=None)
    others = sorted((a for a in glob if a not in (contiguous, primary)), key=lambda a: -size[a])
    if contiguous is not None:
        if contiguous in reuse:  # neighbours first (a vector each), leaving room for 4 threads (2: a conv's row)
            outputs *= split("upcast", contiguous, (8, 4, 2), limits.max_upcast, keep=2 if convolution else 4)
        used *= split("local", contiguous, (16, 8, 4, 2) if convolution else (16, 8, 4), threads)
    if primary is not None:
        used *= split("local", primary, (8, 4, 2), threads // used)
    for a in others:
        if len([x for x in actions if x.kind == "local"]) < limits.max_local_dims:
            used *= split("local", a, (8, 4, 2), threads // used)
    if primary is not None:
        outputs *= split("upcast", primary, (8, 4, 2), limits.max_upcast // outputs)
    for a in others:
        if a in reuse:
            outputs *= split("upcast", a, (2,), limits.max_upcast // outputs)
    copies = outputs
    for r in reversed(windows):
        if copies * size[r] <= limits.max_copies:
            actions.append(Action("unroll", r, 0))
            copies *= size[r]
    main = [r for r in red if size[r] > 4]
    if main and (convolution or not windows):
        r = main[-1]
        if size[r] % 2 == 0 and copies * 2 <= limits.max_copies:
            actions.append(Action("unroll", r, 2))
            left[r] //= 2
        if not windows and limits.local_memory_bytes and used > 1 and left[r] % 8 == 0 and left[r] > 8:
            actions.append(Action("stage", r, 8))
    return actions


#: A kernel of fewer multiply-adds than this (its whole iteration space) is small: its register tile
#: is kept within CPU_SMALL_COPIES body copies. Compile time grows with the copies, and a small
#: kernel's run cannot repay it: a 2x3x16x16 conv took 6.3 s to compile with 1512 copies (a whole
#: 14-wide row by 4 channels by the unrolled 3x3x3 window) for a 0.1 ms kernel.
CPU_SMALL_WORK, CPU_SMALL_COPIES = 1 << 22, 256


#: CONV-CHANNELS: a convolution's small reduce axes other than its window (conv2d's last two reduce
#: axes), such as 3 input channels, are left a loop: unrolling them too tripled the body copies for
#: nothing (a 2x3x16x16 conv with 16 outputs: 938 -> 331 ms to compile, 29 -> 24 us to run;
#: 8x3x32x32: 762 -> 326 ms, 305 -> 272 us). They still count in the tile's copy budget.


def _tiles_reuse(loads: list[list[int | None]], reuse: list[int], red: list[int], size: list[int], j: int) -> bool:
    """Whether a register tile over output axis `j` and another reused axis reuses loaded data along
    both: some load reused along `j` moves along that other axis (a matmul's row of A, a convolution's
    filter). ROW-REUSE: a reduce whose loads reused along `j` are the same for every row (a layernorm's
    weight, broadcast over both) gains nothing from the tile's rows; tiled 16 x 8 it was 1200-2400
    uops a kernel (a GPT step's first call: 20 s, half of it compiling those), left to LLVM's
    vectorizer it runs as fast (on a GPU, as a grouped reduce: the register tile made the GPT step's
    first call on cuda 28 s). A convolution's small windows are tiled regardless."""
    if any(size[r] <= 4 for r in red):
        return True
    along_j = [st for st in loads if st[j] == 0]
    return any(st[a] for st in along_j for a in reuse if a != j)


def cpu_actions(kernel: loop.KernelOp, limits: KernelLimits) -> list[Action]:
    axis_list, glob, red = _shape(kernel)
    if not red:
        return []
    if math.prod(r.extent for r in axis_list) < CPU_SMALL_WORK:
        limits = dataclasses.replace(limits, max_copies=min(limits.max_copies, CPU_SMALL_COPIES),
                                     max_upcast=min(limits.max_upcast, CPU_SMALL_COPIES))
    loads, stores = _accesses(kernel)
    size = [r.extent for r in axis_list]
    widths = (2 * limits.vector_width, limits.vector_width)
    body_ops = sum(1 for _ in kernel.body.block.ops)
    row_copies = min(limits.max_upcast, CPU_TILE_OPS // max(1, body_ops))  # the tile's rows: within budget
    reuse = _broadcast_axes(glob, loads)
    contiguous_out = [a for a in glob if _contiguous(a, stores)]
    actions: list[Action] = []
    if len(reuse) >= 2 and contiguous_out and _tiles_reuse(loads, reuse, red, size, contiguous_out[-1]):
        j = contiguous_out[-1]
        along_j = [k for k, st in enumerate(loads) if st[j] == 0]  # loads reused across j
        i = next((a for a in reversed(reuse) if a != j and any(st[a] == 0 for k, st in enumerate(loads)
                                                               if k not in along_j)), None)
        windows = [r for r in reversed(red) if size[r] <= 4]
        window_copies = math.prod(size[r] for r in windows)
        # A wide window (a 7x7 stem's: conv2d's last two reduce axes) is a sum of 49 gated loads
        # per output: its outer axis alone is unrolled (each copy's loads of other window rows
        # fold away: 217 -> 17 ms on a 7x7 stride-2 stem, torch 1.6 ms); unrolling both takes
        # minutes of compile time.
        if len(red) >= 2 and all(4 < size[r] <= CPU_WIDE_WINDOW for r in red[-2:]):
            windows, window_copies = red[-2:-1], size[red[-2]]
        convolution = any(size[r] >= 3 for r in windows)
        # input elements per output along j: 2 in a stride-2 convolution (a transposed matmul
        # operand's large stride is not a convolution's)
        step = max((abs(st[j]) for st in loads if st[j] and abs(st[j]) <= CPU_STRIDED_WIDTH), default=1)
        outputs = min(limits.max_upcast, limits.max_copies // window_copies) if convolution or step > 1 \
            else CPU_MATMUL_OUTPUTS
        if step > 1:
            outputs = min(outputs, CPU_STRIDED_COPIES // window_copies)
        width, rows_limit = _cpu_row_tile(size[j], step, convolution, widths, outputs)
        if width > 1:
            actions.append(Action("upcast", j, width))
            # a convolution's rows (its output channels) reuse each loaded input row: its speed needs
            # the full tile (4 or 8 rows: 3x faster than 2 on a 3x3 conv), whatever its body's size.
            # Its windows are 3 or 4 wide; a size-2 reduce (a batch of 2 summed in a weight gradient
            # fused with its optimizer update) keeps the compile-time budget. Every small window
            # must stay unrolled (a rolled one leaves its padding tests in the loop: 3x slower).
            budget = min(outputs if convolution else row_copies, width * rows_limit)
            candidates = (32, 16, 8, 4, 2) if step > 1 else (8, 4, 2)
            rows = _largest_divisor(size[i], budget // width, candidates) if i is not None else 1
            if rows > 1:
                actions.append(Action("upcast", i, rows))
            copies = width * rows
            for r in windows:  # small windows (a 3x3 convolution's) unrolled whole
                if convolution and r not in red[-2:]:
                    continue  # CONV-CHANNELS: few input channels stay a loop (see above cpu_actions)
                if copies * size[r] <= limits.max_copies:
                    actions.append(Action("unroll", r, 0))
                    copies *= size[r]
            return actions
    if contiguous_out and not any(_contiguous(a, loads) for a in red):
        j = contiguous_out[-1]
        width = _largest_divisor(size[j], widths[0], widths)
        if width > 1:
            actions.append(Action("upcast", j, width))
    return actions
