"""Matrix instructions (tensor cores): what each target's matrix-multiply-accumulate computes, and
which thread holds which element of its operands, as data.

One instruction computes D = A @ B + C for an m x k tile A, a k x n tile B and m x n tiles C and D,
with `threads` threads of a warp (wave, SIMD-group) together: each holds some elements of every
operand in registers. Every layout here is *bit-linear*: the (row, column) of element e held by lane
l is the sum, over the set bits of l and of e, of a fixed (row, column) step per bit. That covers
NVIDIA's mma.sync fragments, AMD's MFMA and WMMA and Apple's simdgroup matrices, and it lets the
lowering compute coordinates with shifts and masks (`Layout.lane_terms`).

`tc` (tinyir/passes/kernel_optimize.py) picks an instruction a target lists in its `KernelLimits`;
tinyir/passes/tensor_core.py rewrites the kernel's tile ranges into per-element copies of the
operands and one `uop.mma`; each target lowers `uop.mma` to its instruction.
"""

from __future__ import annotations

import os

from dataclasses import dataclass

Step = tuple[int, int]  # (row, column) added by one set bit


@dataclass(frozen=True)
class Layout:
    """Which (row, column) of a `rows` x `cols` tile each (lane, element) holds."""

    rows: int
    cols: int
    lane_bits: tuple[Step, ...]     # step of lane bit 0, 1, ...
    element_bits: tuple[Step, ...]  # step of element bit 0, 1, ...

    @property
    def elements(self) -> int:
        return 1 << len(self.element_bits)

    def coordinate(self, lane: int, element: int) -> Step:
        row = col = 0
        for bits, value in ((self.lane_bits, lane), (self.element_bits, element)):
            for i, (dr, dc) in enumerate(bits):
                if value >> i & 1:
                    row, col = row + dr, col + dc
        return row, col

    def lane_terms(self, axis: int) -> list[tuple[int, int, int]]:
        """The lane's part of coordinate `axis` (0 row, 1 column) as (shift, mask, scale) terms, each
        `((lane >> shift) & mask) * scale`: runs of lane bits whose steps double merge into one."""
        return bit_terms([step[axis] for step in self.lane_bits])


def bit_terms(steps) -> list[tuple[int, int, int]]:
    """sum over the set bits i of x of steps[i], as (shift, mask, scale) terms each
    `((x >> shift) & mask) * scale`: runs of bits whose steps double merge into one."""
    terms: list[tuple[int, int, int]] = []
    for i, s in enumerate(steps):
        if not s:
            continue
        if terms:
            shift, mask, scale = terms[-1]
            width = mask.bit_length()
            if shift + width == i and scale << width == s:
                terms[-1] = (shift, mask * 2 + 1, scale)
                continue
        terms.append((i, 1, s))
    return terms


@dataclass(frozen=True)
class MatrixInstruction:
    """One matrix-multiply-accumulate instruction of a target."""

    name: str         # the key `uop.mma` names it by, e.g. "mma.m16n8k16.f16"
    m: int
    n: int
    k: int
    in_type: str      # element type of A and B ("f16", "bf16")
    acc_type: str     # element type of C and D ("f32")
    threads: int      # lanes that execute it together (warp, wave, SIMD-group, warpgroup)
    a: Layout | None  # m x k (None: read from shared memory, `shared` says how)
    b: Layout | None  # k x n
    c: Layout         # m x n (C and D)
    shared: SharedOperands | None = None  # A and B come from staged tiles through descriptors

    def check(self) -> None:
        """Every layout covers its tile (each element held by some lane)."""
        for layout, shape in ((self.a, (self.m, self.k)), (self.b, (self.k, self.n)), (self.c, (self.m, self.n))):
            if layout is None:
                continue
            held = {layout.coordinate(l, e) for l in range(self.threads) for e in range(layout.elements)}
            assert (layout.rows, layout.cols) == shape and held == {(r, c) for r in range(shape[0])
                                                                      for c in range(shape[1])}, self.name


@dataclass(frozen=True)
class SharedOperands:
    """How an instruction that reads A and B from shared memory (NVIDIA's wgmma) finds them: each
    operand is a `rows` x k tile (A: m x k; B: n x k, i.e. B transposed), k contiguous ("K-major"),
    made of 8 x 8 *core matrices* of 16-bit elements, each 128 contiguous bytes (row r of it at byte
    16 r). A 64-bit descriptor names the tile: bits 0-13 its start address >> 4, 16-29 the leading
    byte offset >> 4 (between core matrices neighbouring along k), 32-45 the stride byte offset >> 4
    (between core matrices neighbouring along the rows), 62-63 the swizzle mode (0: none).

    The stage pass stores each operand's rows x 16 block of one instruction this way
    (`element_offset`), whole blocks one after another; the lowering builds the descriptors from
    `descriptor_bits` and the block's start; the uop interpreter decodes the descriptor as the
    hardware does, so a disagreement between the two is a wrong result there, not only on the chip."""

    leading_bytes: int = 128   # core matrices along k: neighbours in memory
    stride_bytes: int = 256    # core matrices along the rows: after the two along k (k = 16)
    swizzle_bytes: int = 0     # 0: no swizzle (interleaved core matrices); else 32, 64 or 128 (`swizzled`)
    # MN-major (the instruction's transpose immediate, unswizzled only): a core matrix's 16-byte rows
    # run along the tile's rows and step along k, so a copy whose global reads run along the rows
    # (B, k x n row-major) stores them as 16-byte vectors. The byte offsets keep their meaning
    # (leading: along k, stride: along the rows; CUTLASS make_gmma_desc's canonical MN-major layout)
    mn_major: bool = False

    @staticmethod
    def swizzled(width: int) -> SharedOperands:
        """The `width`-byte swizzle (32, 64 or 128): a block's rows are `width` bytes of k (16, 32 or 64
        elements: 1, 2 or 4 instructions' k), 8 rows an atom (stride byte offset 8 * width), and the
        16-byte chunk c of row r is stored at chunk c ^ ((r % 8) * width / 128): the chip applies that
        xor to address bits 4.. from bits 7.., so tiles are aligned to 1024 bytes. An instruction's
        descriptor starts at its k offset in the row (32 bytes per k step); the leading byte offset is
        unused (16)."""
        assert width in (32, 64, 128), width
        return SharedOperands(leading_bytes=16, stride_bytes=8 * width, swizzle_bytes=width)

    @staticmethod
    def swizzled_mn(rows: int) -> SharedOperands:
        """MN-major with the 128-byte swizzle (SWIZZLE-MN), for an instruction's `rows` x 16 block: atoms
        of 64 rows x 8 k, each k's 64 rows one 128-byte line whose 16-byte chunk c (rows 8c..8c+7) is
        stored at chunk c ^ (k % 8); the block's two atoms along k are neighbours (stride byte offset
        1024: between 8-k groups) and its atoms along the rows 2048 bytes apart (leading byte offset:
        between 64-row groups), so a copy's 16-byte runs along the rows fill whole lines."""
        return SharedOperands(leading_bytes=2048, stride_bytes=1024, swizzle_bytes=128, mn_major=True)

    @property
    def block_k(self) -> int:
        """k elements of one stored block (one row of a K-major swizzle atom, or one instruction's 16)."""
        return self.swizzle_bytes // 2 if self.swizzle_bytes and not self.mn_major else 16

    @property
    def mode(self) -> int:
        """The descriptor's 2-bit swizzle mode."""
        return {0: 0, 128: 1, 64: 2, 32: 3}[self.swizzle_bytes]

    @property
    def transpose(self) -> int:
        """The instruction's imm-trans operand for this tile: 1 for MN-major."""
        return int(self.mn_major)

    def row_steps(self, rows: int) -> list[int]:
        """Element offset of each bit of the row: 8 elements (16 bytes) within a core matrix (1 element
        MN-major), then the stride byte offset per core matrix."""
        within = 1 if self.mn_major else 8
        return [within << i if i < 3 else (self.stride_bytes // 2) << (i - 3) for i in range(rows.bit_length() - 1)]

    def k_steps(self) -> list[int]:
        """Element offset of each bit of k (0..15): contiguous within a core matrix (8 elements, one
        16-byte row, MN-major), then the leading byte offset."""
        within = 8 if self.mn_major else 1
        return [within, 2 * within, 4 * within, self.leading_bytes // 2]

    def element_offset(self, row: int, k: int) -> int:
        """Where (row, k) lies in its block (k < block_k), in 16-bit elements."""
        if self.swizzle_bytes and self.mn_major:  # SWIZZLE-MN (128 bytes only)
            assert self.swizzle_bytes == 128, self.swizzle_bytes
            linear = (row >> 6) * self.leading_bytes + (k >> 3) * self.stride_bytes + (k & 7) * 128 + (row & 63) * 2
            return (linear ^ (((linear >> 7) & 7) << 4)) // 2
        if self.swizzle_bytes:
            width = self.swizzle_bytes
            chunk = (k >> 3) ^ ((row & 7) * width >> 7)
            return (row >> 3) * (4 * width) + (row & 7) * (width // 2) + chunk * 8 + (k & 7)
        bits = [*((row >> i & 1) * s for i, s in enumerate(self.row_steps(1 << 16))),
                *((k >> i & 1) * s for i, s in enumerate(self.k_steps()))]
        return sum(bits)

    def descriptor_bits(self) -> int:
        """The descriptor without its start address."""
        return (self.leading_bytes >> 4) << 16 | (self.stride_bytes >> 4) << 32 | self.mode << 62


def _nvidia_wgmma(n: int, in_type: str) -> MatrixInstruction:
    # a warpgroup of 4 warps: warp w holds rows 16w..16w+15 of D; in a warp, as mma.m16n8k16's C
    # (lane = 4 * group + t: row group, columns 2t + {0, 1}; element bit 1: 8 rows down) repeated
    # every 8 columns (element bits 2..): PTX ISA "wgmma .m64nNk16 register fragment", accumulator D
    column_blocks = tuple((0, 8 << i) for i in range((n // 8).bit_length() - 1))
    return MatrixInstruction(
        f"wgmma.m64n{n}k16.{in_type}", 64, n, 16, in_type, "f32", 128, a=None, b=None,
        c=Layout(64, n, ((0, 2), (0, 4), (1, 0), (2, 0), (4, 0), (16, 0), (32, 0)), ((0, 1), (8, 0), *column_blocks)),
        shared=SharedOperands())


def _nvidia_m16n8k16(in_type: str) -> MatrixInstruction:
    # lane = 4 * group + thread_in_group; A rows by group (+8 for element bit 1), columns by pairs
    return MatrixInstruction(
        f"mma.m16n8k16.{in_type}", 16, 8, 16, in_type, "f32", 32,
        a=Layout(16, 16, ((0, 2), (0, 4), (1, 0), (2, 0), (4, 0)), ((0, 1), (8, 0), (0, 8))),
        b=Layout(16, 8, ((2, 0), (4, 0), (0, 1), (0, 2), (0, 4)), ((1, 0), (8, 0))),
        c=Layout(16, 8, ((0, 2), (0, 4), (1, 0), (2, 0), (4, 0)), ((0, 1), (8, 0))))


def _amd_mfma_16x16x16(in_type: str) -> MatrixInstruction:
    # 64 lanes: lane % 16 is the row of A / column of B and C, lane // 16 picks 4 consecutive k (A, B)
    # or 4 consecutive rows (C)
    sixteen = ((1, 0), (2, 0), (4, 0), (8, 0))
    return MatrixInstruction(
        f"mfma.16x16x16.{in_type}", 16, 16, 16, in_type, "f32", 64,
        a=Layout(16, 16, (*sixteen, (0, 4), (0, 8)), ((0, 1), (0, 2))),
        b=Layout(16, 16, (*((r, c) for c, r in sixteen), (4, 0), (8, 0)), ((1, 0), (2, 0))),
        c=Layout(16, 16, (*((r, c) for c, r in sixteen), (4, 0), (8, 0)), ((1, 0), (2, 0))))


def _amd_wmma_16x16x16(in_type: str) -> MatrixInstruction:
    # wave32 (gfx11): lanes 0-15 and 16-31 both hold all of A's row lane % 16 and B's column lane % 16
    # (16 elements each); C: column lane % 16, rows 2 * e + lane // 16
    return MatrixInstruction(
        f"wmma.16x16x16.{in_type}", 16, 16, 16, in_type, "f32", 32,
        a=Layout(16, 16, ((1, 0), (2, 0), (4, 0), (8, 0), (0, 0)), ((0, 1), (0, 2), (0, 4), (0, 8))),
        b=Layout(16, 16, ((0, 1), (0, 2), (0, 4), (0, 8), (0, 0)), ((1, 0), (2, 0), (4, 0), (8, 0))),
        c=Layout(16, 16, ((0, 1), (0, 2), (0, 4), (0, 8), (1, 0)), ((2, 0), (4, 0), (8, 0))))


def _apple_simdgroup_8x8(in_type: str) -> MatrixInstruction:
    # 32 threads, 2 neighbouring columns each: lane bit 0 steps 2 columns, bits 1-2 one and two rows,
    # bit 3 four columns, bit 4 four rows (the quadrant order of simdgroup_matrix's thread_elements())
    steps = ((0, 2), (1, 0), (2, 0), (0, 4), (4, 0))
    return MatrixInstruction(
        f"simdgroup.8x8x8.{in_type}", 8, 8, 8, in_type, "f32", 32,
        a=Layout(8, 8, steps, ((0, 1),)), b=Layout(8, 8, steps, ((0, 1),)), c=Layout(8, 8, steps, ((0, 1),)))


#: every matrix instruction by name
INSTRUCTIONS: dict[str, MatrixInstruction] = {
    i.name: i for i in (*(_nvidia_m16n8k16(t) for t in ("f16", "bf16")),
                        *(_amd_mfma_16x16x16(t) for t in ("f16", "bf16")),
                        *(_amd_wmma_16x16x16(t) for t in ("f16", "bf16")),
                        _apple_simdgroup_8x8("f16"),
                        *(_nvidia_wgmma(n, t) for t in ("f16", "bf16") for n in (64, 128)))}

#: the instructions of each target family (a target's KernelLimits lists its own)
NVIDIA_SM80 = ("mma.m16n8k16.f16", "mma.m16n8k16.bf16")
#: wgmma tiles staged with the widest swizzle the chunk's k steps allow (128 bytes for 4, 64 for 2, else
#: 32: fewer bank conflicts on the copies into shared memory) instead of interleaved core matrices, and
#: MN-major tiles with the 128-byte swizzle (SWIZZLE-MN). With MN-major B tiles, an H100's f16 4096^3
#: with 128 x 256 tiles, 4 stages, took 0.306 ms (59% of cuBLAS; bf16 0.307) against 0.70 for the
#: interleaved layouts; results right (3.2e-4). On by default; `TINYIR_WGMMA_SWIZZLE=0`: interleaved
SWIZZLE_WGMMA_TILES = os.environ.get("TINYIR_WGMMA_SWIZZLE", "1") == "1"
#: wgmma tiles whose stride-1 dimension is the tile's rows (B, k x n row-major) stored MN-major
#: (SharedOperands.mn_major), so their staged copies run in 16-byte vectors (and cp.async pipelines
#: them). On by default (ran right on an H100, stop 19); `TINYIR_WGMMA_MN_MAJOR=0`: K-major, copied
#: element by element
MN_MAJOR_WGMMA_TILES = os.environ.get("TINYIR_WGMMA_MN_MAJOR", "1") == "1"
#: sm_90a adds wgmma (A and B from shared memory); `tc:A:1` picks m64n64, `tc:A:2` m64n128
NVIDIA_SM90A = (*NVIDIA_SM80, "wgmma.m64n64k16.f16", "wgmma.m64n128k16.f16", "wgmma.m64n64k16.bf16",
                "wgmma.m64n128k16.bf16")
AMD_CDNA = ("mfma.16x16x16.f16", "mfma.16x16x16.bf16")
AMD_RDNA3 = ("wmma.16x16x16.f16", "wmma.16x16x16.bf16")
APPLE = ("simdgroup.8x8x8.f16",)
