"""Hand-written work-group uop kernels (wgid/lidx specials, local memory, barriers) and their numpy
meaning, shared by the interpreter test and every GPU target's test (test_workgroups.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

RNG = np.random.default_rng(7)


@dataclass(frozen=True)
class Case:
    name: str
    text: str  # a uop-level module: @main allocates the output and launches one kernel
    inputs: Callable[[], list[np.ndarray]]
    expect: Callable[..., list[np.ndarray | None]]  # from the inputs: every kernel buffer (output first)
    # after the kernel, None where not checked
    grid: tuple[int, int, int]
    group: tuple[int, int, int]

    def buffers(self) -> tuple[list[np.ndarray], list[np.ndarray | None]]:
        """Fresh kernel buffers (a zeroed output, then the inputs) and what they must hold after."""
        inputs = self.inputs()
        out_type = self.text.split("%t = st.alloc : ")[1].split("\n")[0]
        shape, dtype = parse_buffer_type(out_type)
        expected = self.expect(*[a.copy() for a in inputs])
        return [np.zeros(shape, dtype), *inputs], expected


def parse_buffer_type(text: str) -> tuple[tuple[int, ...], np.dtype]:
    """`!st.buffer<4x8xf32>` -> ((4, 8), float32)."""
    *dims, element = text.strip()[len("!st.buffer<"):-1].split("x")
    names = {"f32": np.float32, "f16": np.float16, "i32": np.int32, "i8": np.int8, "ui8": np.uint8, "i1": np.bool_}
    return tuple(int(d) for d in dims), np.dtype(names[element])


def program(out: str, args: list[str], body: str) -> str:
    params = ", ".join(f"%a{i}: {t}" for i, t in enumerate(args))
    operands = ", ".join(["%t"] + [f"%a{i}" for i in range(len(args))])
    types = ", ".join([out] + args)
    block_args = ", ".join([f"%o: {out}"] + [f"%x{i}: {t}" for i, t in enumerate(args)])
    return f"""
func.func @main({params}) -> {out} {{
  %t = st.alloc : {out}
  uop.kernel "k0" ({operands}) : {types} {{
  ^bb0({block_args}):
{body}
  }}
  func.return %t : {out}
}}"""


def group_sum(groups: int = 4, n: int = 256) -> Case:
    """Each work-group sums its n values: stage them in local memory, barrier, then a tree of
    halving steps (one barrier each), and work-item 0 stores tmp[0]."""
    lines = [f'    %g = uop.special "wgid0" {groups} : i32', f'    %l = uop.special "lidx0" {n} : i32',
             f"    %tmp = uop.define_local : !st.buffer<{n}xf32>", f"    %cn = uop.const {n} : i32",
             "    %base = uop.mul %g, %cn : i32", "    %i = uop.add %base, %l : i32",
             "    %v = uop.load %x0[%i] : f32",
             "    uop.store %tmp[%l], %v : f32", "    uop.barrier"]
    half = n // 2
    step = 0
    while half >= 1:
        lines += [f"    %h{step} = uop.const {half} : i32",
                  f"    %on{step} = uop.cmplt %l, %h{step} : i32",
                  f"    %j{step} = uop.add %l, %h{step} : i32",
                  f"    %lo{step} = uop.load %tmp[%l], %on{step} : f32",
                  f"    %hi{step} = uop.load %tmp[%j{step}], %on{step} : f32",
                  f"    %s{step} = uop.add %lo{step}, %hi{step} : f32",
                  "    uop.barrier",
                  f"    uop.store %tmp[%l], %s{step}, %on{step} : f32",
                  "    uop.barrier"]
        half //= 2
        step += 1
    lines += ["    %c0 = uop.const 0 : i32", "    %one = uop.const 1 : i32",
              "    %r = uop.load %tmp[%c0] : f32", "    %first = uop.cmplt %l, %one : i32",
              "    uop.store %o[%g], %r, %first : f32"]
    text = program(f"!st.buffer<{groups}xf32>", [f"!st.buffer<{groups * n}xf32>"], "\n".join(lines))

    def expect(x: np.ndarray) -> np.ndarray:
        acc = x.reshape(groups, n).astype(np.float32)
        while acc.shape[1] > 1:  # the same pairwise order as the kernel: bit-exact
            h = acc.shape[1] // 2
            acc = acc[:, :h] + acc[:, h:]
        return [acc[:, 0], x]

    return Case("group_sum", text, lambda: [RNG.standard_normal(groups * n).astype(np.float32)], expect,
                (groups, 1, 1), (n, 1, 1))


def transpose_tiles(rows: int = 32, cols: int = 48, tile: int = 16) -> Case:
    """out = x.T through a tile x tile local buffer: a 2-D grid of 2-D work-groups; each work-item
    loads x[row, col] into tmp[ly][lx], barrier, then stores tmp[lx][ly] at the transposed place."""
    gy, gx = rows // tile, cols // tile
    body = f"""
    %wy = uop.special "wgid1" {gy} : i32
    %wx = uop.special "wgid0" {gx} : i32
    %ly = uop.special "lidx1" {tile} : i32
    %lx = uop.special "lidx0" {tile} : i32
    %tmp = uop.define_local : !st.buffer<{tile * tile}xi32>
    %T = uop.const {tile} : i32
    %R = uop.const {rows} : i32
    %C = uop.const {cols} : i32
    %y0 = uop.mul %wy, %T : i32
    %x0_ = uop.mul %wx, %T : i32
    %row = uop.add %y0, %ly : i32
    %col = uop.add %x0_, %lx : i32
    %rc = uop.mul %row, %C : i32
    %src = uop.add %rc, %col : i32
    %v = uop.load %x0[%src] : i32
    %lyT = uop.mul %ly, %T : i32
    %here = uop.add %lyT, %lx : i32
    uop.store %tmp[%here], %v : i32
    uop.barrier
    %lxT = uop.mul %lx, %T : i32
    %there = uop.add %lxT, %ly : i32
    %w = uop.load %tmp[%there] : i32
    %orow = uop.add %x0_, %ly : i32
    %ocol = uop.add %y0, %lx : i32
    %orr = uop.mul %orow, %R : i32
    %dst = uop.add %orr, %ocol : i32
    uop.store %o[%dst], %w : i32"""
    text = program(f"!st.buffer<{cols}x{rows}xi32>", [f"!st.buffer<{rows}x{cols}xi32>"], body)
    return Case("transpose_tiles", text,
                lambda: [RNG.integers(-2**31, 2**31 - 1, (rows, cols)).astype(np.int32)],
                lambda x: [x.T, x], (gx, gy, 1), (tile, tile, 1))


def neighbour_flags(groups: int = 3, n: int = 64) -> Case:
    """Booleans in local memory (i1, stored as bytes by some targets) and an f16 input: each work-item
    publishes x > 0, barrier, then reads its right neighbour's flag (wrapping in the group) and
    stores flag(self) xor flag(right) as i1 plus the neighbour's value as f16 through a second local."""
    body = f"""
    %g = uop.special "wgid0" {groups} : i32
    %l = uop.special "lidx0" {n} : i32
    %flags = uop.define_local : !st.buffer<{n}xi1>
    %vals = uop.define_local : !st.buffer<{n}xf16>
    %N = uop.const {n} : i32
    %one = uop.const 1 : i32
    %zero = uop.const 0.0 : f16
    %base = uop.mul %g, %N : i32
    %i = uop.add %base, %l : i32
    %v = uop.load %x0[%i] : f16
    %pos = uop.cmplt %zero, %v : f16
    uop.store %flags[%l], %pos : i1
    uop.store %vals[%l], %v : f16
    uop.barrier
    %r0 = uop.add %l, %one : i32
    %r = uop.mod %r0, %N : i32
    %f = uop.load %flags[%r] : i1
    %w = uop.load %vals[%r] : f16
    %x = uop.xor %pos, %f : i1
    uop.store %o[%i], %x : i1
    uop.store %x1[%i], %w : f16"""
    text = program(f"!st.buffer<{groups * n}xi1>", [f"!st.buffer<{groups * n}xf16>",
                                                    f"!st.buffer<{groups * n}xf16>"], body)

    def expect(x: np.ndarray, _: np.ndarray) -> list[np.ndarray]:
        pos = x.reshape(groups, n) > 0
        right = np.roll(x.reshape(groups, n), -1, axis=1).reshape(-1)
        return [(pos ^ np.roll(pos, -1, axis=1)).reshape(-1), x, right]

    return Case("neighbour_flags", text,
                lambda: [RNG.standard_normal(groups * n).astype(np.float16), np.zeros(groups * n, np.float16)],
                expect, (groups, 1, 1), (n, 1, 1))


def local_only(n: int = 8, m: int = 4) -> Case:
    """One work-group of lidx1 x lidx0 (no wgid at all): out[y, x] = y * 100 + x, written through a
    local buffer read back mirrored in x."""
    body = f"""
    %y = uop.special "lidx1" {n} : i32
    %x = uop.special "lidx0" {m} : i32
    %tmp = uop.define_local : !st.buffer<{n * m}xi32>
    %M = uop.const {m} : i32
    %H = uop.const 100 : i32
    %last = uop.const {m - 1} : i32
    %yM = uop.mul %y, %M : i32
    %at = uop.add %yM, %x : i32
    %y100 = uop.mul %y, %H : i32
    %val = uop.add %y100, %x : i32
    uop.store %tmp[%at], %val : i32
    uop.barrier
    %nx = uop.neg %x : i32
    %mx = uop.add %last, %nx : i32
    %from = uop.add %yM, %mx : i32
    %w = uop.load %tmp[%from] : i32
    uop.store %o[%at], %w : i32"""
    text = program(f"!st.buffer<{n}x{m}xi32>", [], body)
    ref = (np.arange(n)[:, None] * 100 + np.arange(m)[None, ::-1]).astype(np.int32)
    return Case("local_only", text, lambda: [], lambda: [ref], (1, 1, 1), (m, n, 1))


CASES: list[Case] = [group_sum(), transpose_tiles(), neighbour_flags(), local_only()]
