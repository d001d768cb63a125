"""st -> loop -> uop (-> uop-simplify) keeps results: hand-written st kernels run on the uop
interpreter (tinyir/runtime/uop_interp.py) and compared with numpy."""

from __future__ import annotations

import numpy as np
import pytest
from xdsl.context import Context

from tinyir.dialects import uop
from tinyir.ir import make_context, parse_module
from tinyir.passes.loop_to_uop import LoopToUop
from tinyir.passes.st_to_loop import ShapetrackerToLoop
from tinyir.passes.uop_simplify import UopSimplify
from tinyir.runtime.uop_interp import UopInterpreterError, eval_alu, run_program

RNG = np.random.default_rng(0)


def lower(text: str, simplify: bool):
    ctx: Context = make_context()
    module = parse_module(text, ctx=ctx)
    passes = [ShapetrackerToLoop(), LoopToUop()] + ([UopSimplify()] if simplify else [])
    for p in passes:
        p.apply(ctx, module)
        module.verify()
    return module


def run_both(text: str, inputs: list[np.ndarray]) -> list[np.ndarray]:
    """Run unsimplified and simplified lowering; they must agree exactly; return the results."""
    plain = run_program(lower(text, simplify=False), inputs)
    simple_module = lower(text, simplify=True)
    simple = run_program(simple_module, inputs)
    for a, b in zip(plain, simple):
        np.testing.assert_array_equal(a, b)
    return simple


def kernel(out: str, args: list[str], body: str, ret: str = "%t") -> str:
    """A one-kernel program: func args `args`, output buffer type `out`, kernel body `body`."""
    params = ", ".join(f"%a{i}: {t}" for i, t in enumerate(args))
    operands = ", ".join(["%t"] + [f"%a{i}" for i in range(len(args))])
    types = ", ".join([out] + args)
    block_args = ", ".join([f"%o: {out}"] + [f"%x{i}: {t}" for i, t in enumerate(args)])
    return f"""
func.func @main({params}) -> {out} {{
  %t = st.alloc : {out}
  st.kernel "k0" ({operands}) : {types} {{
  ^bb0({block_args}):
{body}
  }}
  func.return {ret} : {out}
}}"""


def test_elementwise_permuted_view() -> None:
    x, y = RNG.standard_normal((3, 4), np.float32), RNG.standard_normal((4, 3), np.float32)
    text = kernel("!st.buffer<4x3xf32>", ["!st.buffer<3x4xf32>", "!st.buffer<4x3xf32>"], """
    %a = st.load %x0 [#st.view<[4, 3], [1, 4], 0>] : tensor<4x3xf32>
    %b = st.load %x1 [#st.view<[4, 3], [3, 1], 0>] : tensor<4x3xf32>
    %s = tir.add %a, %b : tensor<4x3xf32>
    st.store %o [#st.view<[4, 3], [3, 1], 0>], %s : tensor<4x3xf32>""")
    (out,) = run_both(text, [x, y])
    np.testing.assert_allclose(out, x.T + y, rtol=1e-6)


def test_padded_and_flipped_views() -> None:
    x = RNG.standard_normal((2, 3), np.float32)
    # pad [[1, 1], [0, 1]] -> 4x4 with a mask, plus the flipped rows of the padded result
    text = kernel("!st.buffer<4x4xf32>", ["!st.buffer<2x3xf32>"], """
    %p = st.load %x0 [#st.view<[4, 4], [3, 1], -3, [[1, 3], [0, 3]]>] : tensor<4x4xf32>
    %f = st.load %x0 [#st.view<[4, 4], [-3, 1], 6, [[1, 3], [0, 3]]>] : tensor<4x4xf32>
    %c = st.const 1.5 [#st.view<[4, 4], [0, 0], 0, [[0, 4], [1, 4]]>] : tensor<4x4xf32>
    %m = tir.mul %p, %f : tensor<4x4xf32>
    %s = tir.add %m, %c : tensor<4x4xf32>
    st.store %o [#st.view<[4, 4], [4, 1], 0>], %s : tensor<4x4xf32>""")
    (out,) = run_both(text, [x])
    padded = np.pad(x, [(1, 1), (0, 1)])
    const = np.zeros((4, 4), np.float32)
    const[:, 1:] = 1.5
    np.testing.assert_allclose(out, padded * padded[::-1] + const, rtol=1e-6)


def test_stacked_views_and_arange() -> None:
    x = RNG.standard_normal((3, 4), np.float32)
    # x.T flattened (a reshape one view cannot express), plus an iota cast to float
    text = kernel("!st.buffer<12xf32>", ["!st.buffer<3x4xf32>"], """
    %a = st.load %x0 [#st.view<[4, 3], [1, 4], 0>, #st.view<[12], [1], 0>] : tensor<12xf32>
    %i = st.arange [#st.view<[12], [1], 0>] : tensor<12xf32>
    %s = tir.add %a, %i : tensor<12xf32>
    st.store %o [#st.view<[12], [1], 0>], %s : tensor<12xf32>""")
    (out,) = run_both(text, [x])
    np.testing.assert_allclose(out, x.T.reshape(-1) + np.arange(12, dtype=np.float32), rtol=1e-6)


def test_reduce_sum_over_axis_with_epilogue() -> None:
    x, y = RNG.standard_normal((3, 4), np.float32), RNG.standard_normal(4, np.float32)
    text = kernel("!st.buffer<4x1xf32>", ["!st.buffer<3x4xf32>", "!st.buffer<4xf32>"], """
    %v = st.load %x0 [#st.view<[4, 3], [1, 4], 0>] : tensor<4x3xf32>
    %w = st.load %x1 [#st.view<[4, 3], [1, 0], 0>] : tensor<4x3xf32>
    %m = tir.mul %v, %w : tensor<4x3xf32>
    %s = tir.reduce_sum %m [1] : tensor<4x3xf32> -> tensor<4x1xf32>
    %c = st.const 2.0 [#st.view<[4, 1], [0, 0], 0>] : tensor<4x1xf32>
    %r = tir.add %s, %c : tensor<4x1xf32>
    st.store %o [#st.view<[4, 1], [1, 0], 0>], %r : tensor<4x1xf32>""")
    (out,) = run_both(text, [x, y])
    np.testing.assert_allclose(out[:, 0], (x.T * y[:, None]).sum(1) + 2, rtol=1e-5)


def test_reduce_max_int_over_two_axes() -> None:
    x = RNG.integers(-1000, -1, (2, 3, 4)).astype(np.int32)  # all negative: the identity must be INT_MIN
    text = kernel("!st.buffer<1x3x1xi32>", ["!st.buffer<2x3x4xi32>"], """
    %v = st.load %x0 [#st.view<[2, 3, 4], [12, 4, 1], 0>] : tensor<2x3x4xi32>
    %s = tir.reduce_max %v [0, 2] : tensor<2x3x4xi32> -> tensor<1x3x1xi32>
    st.store %o [#st.view<[1, 3, 1], [0, 1, 0], 0>], %s : tensor<1x3x1xi32>""")
    (out,) = run_both(text, [x])
    np.testing.assert_array_equal(out.reshape(-1), x.max(axis=(0, 2)))


def test_reduce_of_masked_padding() -> None:
    x = RNG.standard_normal((2, 3), np.float32)
    # sum over the padded rows: the masked-out elements read as 0 and are never loaded
    text = kernel("!st.buffer<1x3xf32>", ["!st.buffer<2x3xf32>"], """
    %p = st.load %x0 [#st.view<[5, 3], [3, 1], -6, [[2, 4], [0, 3]]>] : tensor<5x3xf32>
    %s = tir.reduce_sum %p [0] : tensor<5x3xf32> -> tensor<1x3xf32>
    st.store %o [#st.view<[1, 3], [0, 1], 0>], %s : tensor<1x3xf32>""")
    (out,) = run_both(text, [x])
    np.testing.assert_allclose(out[0], x.sum(0), rtol=1e-6)


def test_int_semantics_match_c() -> None:
    x = np.array([-7, -1, 0, 5, 9, 2**31 - 1], np.int32)
    y = np.array([2, 3, 4, -2, 4, 2], np.int32)
    text = kernel("!st.buffer<6xi32>", ["!st.buffer<6xi32>", "!st.buffer<6xi32>"], """
    %a = st.load %x0 [#st.view<[6], [1], 0>] : tensor<6xi32>
    %b = st.load %x1 [#st.view<[6], [1], 0>] : tensor<6xi32>
    %q = tir.idiv %a, %b : tensor<6xi32>
    %r = tir.mod %a, %b : tensor<6xi32>
    %one = st.const 1 [#st.view<[6], [0], 0>] : tensor<6xi32>
    %w = tir.add %a, %one : tensor<6xi32>
    %lt = tir.cmplt %q, %r : tensor<6xi32>
    %sel = tir.where %lt, %w, %r : tensor<6xi32>
    %sh = tir.shl %sel, %one : tensor<6xi32>
    %z = tir.xor %sh, %q : tensor<6xi32>
    st.store %o [#st.view<[6], [1], 0>], %z : tensor<6xi32>""")
    (out,) = run_both(text, [x, y])
    q = (np.abs(x) // np.abs(y)) * np.sign(x) * np.sign(y)
    r = x - y * q
    with np.errstate(over="ignore"):
        expected = (np.where(q < r, x + np.int32(1), r) << 1) ^ q
    np.testing.assert_array_equal(out, expected.astype(np.int32))


def test_simplify_removes_index_math() -> None:
    """The stacked-view kernel's idiv/mod chains collapse for a contiguous reshape."""
    text = kernel("!st.buffer<12xf32>", ["!st.buffer<3x4xf32>"], """
    %a = st.load %x0 [#st.view<[3, 4], [4, 1], 0>, #st.view<[12], [1], 0>] : tensor<12xf32>
    st.store %o [#st.view<[12], [1], 0>], %a : tensor<12xf32>""")
    module = lower(text, simplify=True)
    names = [op.name for op in module.walk() if op.dialect_name() == "uop"]
    assert "uop.idiv" not in names and "uop.mod" not in names, names


def test_eval_alu_matches_c_semantics() -> None:
    from xdsl.dialects.builtin import i8, i32

    assert eval_alu("idiv", [np.int32(-7), np.int32(2)], i32) == -3
    assert eval_alu("mod", [np.int32(-7), np.int32(2)], i32) == -1
    assert eval_alu("add", [np.int8(127), np.int8(1)], i8) == -128
    assert eval_alu("cast", [np.float32(-2.7)], i32) == -2


def test_out_of_bounds_load_is_an_error() -> None:
    text = """
func.func @main(%a: !st.buffer<4xf32>) -> !st.buffer<4xf32> {
  %t = st.alloc : !st.buffer<4xf32>
  uop.kernel "k0" (%t, %a) : !st.buffer<4xf32>, !st.buffer<4xf32> {
  ^bb0(%o: !st.buffer<4xf32>, %x: !st.buffer<4xf32>):
    %g = uop.special "gidx0" 4 : i32
    %one = uop.const 1 : i32
    %i = uop.add %g, %one : i32
    %v = uop.load %x[%i] : f32
    uop.store %o[%g], %v : f32
  }
  func.return %t : !st.buffer<4xf32>
}"""
    with pytest.raises(UopInterpreterError, match="out of bounds"):
        run_program(parse_module(text), [np.zeros(4, np.float32)])
    assert uop.LoadOp in uop.PURE_UOPS


def _random_movements(rng: np.random.Generator, shape: tuple[int, ...]):
    """A random chain of movement ops applied to both a ShapeTracker and a numpy array."""
    from tinyir.shapetracker.view import ShapeTracker

    st = ShapeTracker.contiguous(shape)
    ref = np.arange(1, int(np.prod(shape)) + 1, dtype=np.float32).reshape(shape)  # 0 means padding
    for _ in range(rng.integers(1, 5)):
        kind = rng.choice(["permute", "pad", "shrink", "flip", "reshape", "expand"])
        if kind == "permute":
            perm = tuple(int(p) for p in rng.permutation(ref.ndim))
            st, ref = st.permute(perm), ref.transpose(perm)
        elif kind == "pad":
            arg = tuple((int(rng.integers(0, 2)), int(rng.integers(0, 2))) for _ in ref.shape)
            st, ref = st.pad(arg), np.pad(ref, arg)
        elif kind == "shrink":
            arg = []
            for d in ref.shape:
                lo = int(rng.integers(0, d))
                arg.append((lo, int(rng.integers(lo + 1, d + 1))))
            st, ref = st.shrink(tuple(arg)), ref[tuple(slice(lo, hi) for lo, hi in arg)]
        elif kind == "flip":
            axes = tuple(i for i in range(ref.ndim) if rng.integers(0, 2))
            st, ref = st.flip(axes), np.flip(ref, axes)
        elif kind == "reshape":
            flat = ref.size
            divisors = [d for d in range(1, flat + 1) if flat % d == 0]
            first = int(rng.choice(divisors))
            new = (first, flat // first)
            st, ref = st.reshape(new), ref.reshape(new)
        elif kind == "expand" and 1 in ref.shape:
            new = tuple(3 if d == 1 else d for d in ref.shape)
            st, ref = st.expand(new), np.broadcast_to(ref, new)
    return st, np.ascontiguousarray(ref)


@pytest.mark.parametrize("seed", range(12))
def test_random_views_gather_like_numpy(seed: int) -> None:
    """Random movement chains: the lowered, simplified gather equals numpy's movement ops."""
    from xdsl.dialects.builtin import ModuleOp, f32
    from xdsl.dialects import func
    from xdsl.ir import Block, Region

    from tinyir.dialects import shapetracker as st_d
    from tinyir.shapetracker.view import ShapeTracker

    rng = np.random.default_rng(seed)
    src_shape = tuple(int(d) for d in rng.integers(1, 5, size=int(rng.integers(1, 4))))
    tracker, expected = _random_movements(rng, src_shape)
    src_t, out_t = st_d.BufferType(src_shape, f32), st_d.BufferType(expected.shape, f32)
    entry = Block(arg_types=[src_t])
    alloc = st_d.AllocOp(out_t)
    kern = st_d.KernelOp("gather", [alloc.results[0], entry.args[0]])
    out_arg, src_arg = kern.body.block.args
    load = st_d.LoadOp(src_arg, tracker)
    kern.body.block.add_ops([load, st_d.StoreOp(out_arg, ShapeTracker.contiguous(expected.shape), load.result)])
    entry.add_ops([alloc, kern, func.ReturnOp(alloc.results[0])])
    fn = func.FuncOp("main", ((src_t,), (out_t,)), Region(entry))
    module = ModuleOp([fn])
    module.verify()
    ctx = make_context()
    for p in (ShapetrackerToLoop(), LoopToUop(), UopSimplify()):
        p.apply(ctx, module)
    module.verify()
    src = np.arange(1, int(np.prod(src_shape)) + 1, dtype=np.float32).reshape(src_shape)
    (out,) = run_program(module, [src])
    np.testing.assert_array_equal(out, expected, err_msg=f"tracker {tracker}")
