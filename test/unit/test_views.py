"""Shapetracker algebra against numpy: random chains of the six movement ops read the same elements."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinyir.shapetracker import NumpyBuilder, ShapeTracker, StringBuilder, View, invert_permutation


def read(tracker: ShapeTracker, buffer: np.ndarray) -> np.ndarray:
    """Evaluate the tracker over a flat buffer: valid elements load, masked ones read 0."""
    idxs = list(np.indices(tracker.shape, dtype=np.int64)) if tracker.shape else []
    index, valid = tracker.index_and_valid(idxs, NumpyBuilder())
    index = np.broadcast_to(index, tracker.shape)
    valid = np.broadcast_to(valid, tracker.shape)
    assert np.all((index[valid] >= 0) & (index[valid] < buffer.size)), "valid element outside the buffer"
    return np.where(valid, buffer[np.clip(index, 0, buffer.size - 1)], 0)


def numpy_apply(arr: np.ndarray, kind: str, arg) -> np.ndarray:
    if kind == "reshape":
        return arr.reshape(arg)
    if kind == "permute":
        return arr.transpose(arg)
    if kind == "expand":
        return np.broadcast_to(arr, arg)
    if kind == "pad":
        return np.pad(arr, arg)
    if kind == "shrink":
        return arr[tuple(slice(b, e) for b, e in arg)]
    if kind == "flip":
        return np.flip(arr, arg) if arg else arr
    raise AssertionError(kind)


def factor_shapes(size: int, draw) -> tuple[int, ...]:
    """A random shape with `size` elements: the prime factors grouped randomly, some 1s inserted."""
    factors, n, p = [], size, 2
    while n > 1:
        while n % p == 0:
            factors.append(p)
            n //= p
        p += 1
    order = draw(st.permutations(factors)) if factors else []
    dims: list[int] = []
    for f in order:
        if dims and draw(st.booleans()):
            dims[-1] *= f
        else:
            dims.append(f)
    for _ in range(draw(st.integers(0, 2))):
        dims.insert(draw(st.integers(0, len(dims))), 1)
    return tuple(dims) or (1,)


@st.composite
def movement_chains(draw):
    shape = tuple(draw(st.lists(st.integers(1, 5), min_size=1, max_size=4)))
    steps = []
    cur = shape
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["reshape", "permute", "expand", "pad", "shrink", "flip"]))
        if kind == "reshape":
            arg = factor_shapes(int(np.prod(cur)), draw)
            new = arg
        elif kind == "permute":
            arg = tuple(draw(st.permutations(range(len(cur)))))
            new = tuple(cur[p] for p in arg)
        elif kind == "expand":
            arg = tuple(draw(st.integers(1, 4)) if d == 1 else d for d in cur)
            new = arg
        elif kind == "pad":
            arg = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in cur)
            new = tuple(d + b + a for d, (b, a) in zip(cur, arg))
        elif kind == "shrink":
            arg = []
            for d in cur:
                b = draw(st.integers(0, d - 1))
                arg.append((b, draw(st.integers(b + 1, d))))
            arg = tuple(arg)
            new = tuple(e - b for b, e in arg)
        else:
            arg = tuple(sorted(draw(st.sets(st.integers(0, len(cur) - 1)))))
            new = cur
        steps.append((kind, arg))
        cur = new
    return shape, steps


@settings(max_examples=150, deadline=None)
@given(movement_chains())
def test_chain_reads_what_numpy_reads(chain):
    shape, steps = chain
    buffer = np.arange(int(np.prod(shape)), dtype=np.int64) + 1  # +1: a real 0 means "masked"
    expected = buffer.reshape(shape)
    tracker = ShapeTracker.contiguous(shape)
    for kind, arg in steps:
        expected = numpy_apply(expected, kind, arg)
        tracker = tracker.movement(kind, arg)
        assert tracker.shape == expected.shape
    np.testing.assert_array_equal(read(tracker, buffer), expected)
    simplified = tracker.simplify()
    assert len(simplified.views) <= len(tracker.views)
    np.testing.assert_array_equal(read(simplified, buffer), expected)


@settings(max_examples=100, deadline=None)
@given(movement_chains())
def test_store_side_inverse_round_trips(chain):
    """Storing movement(v) through T writes what storing v through T.invert_movement(...) writes."""
    shape, steps = chain
    kind, arg = steps[0]
    if kind not in ("reshape", "permute", "flip"):
        return
    value = np.arange(int(np.prod(shape))).reshape(shape)
    moved = numpy_apply(value, kind, arg)
    target = ShapeTracker.contiguous(moved.shape)
    out_direct = np.zeros(moved.size, dtype=np.int64)
    idx, _ = target.index_and_valid(list(np.indices(moved.shape)), NumpyBuilder())
    out_direct[np.broadcast_to(idx, moved.shape)] = moved
    inverse = target.invert_movement(kind, arg, shape)
    out_inv = np.zeros(moved.size, dtype=np.int64)
    idx, _ = inverse.index_and_valid(list(np.indices(shape)), NumpyBuilder())
    out_inv[np.broadcast_to(idx, shape)] = value
    np.testing.assert_array_equal(out_direct, out_inv)


def test_canonical_form():
    v = View.create((4, 1, 3), (3, 7, 1))
    assert v.strides == (3, 0, 1)
    assert View.create((4, 3), mask=((0, 4), (0, 3))).mask is None
    empty = View.create((4, 3), (3, 1), 5, ((2, 2), (0, 3)))
    assert empty.all_invalid and empty.strides == (0, 0) and empty.offset == 0
    single = View.create((4, 3), (3, 1), 0, ((2, 3), (0, 3)))  # one valid row: its term joins the offset
    assert single.strides == (0, 1) and single.offset == 6


def test_reshape_merges_in_one_view():
    st_ = ShapeTracker.contiguous((2, 3, 4)).reshape((6, 4)).reshape((24,)).reshape((4, 6))
    assert st_.views == (View.contiguous((4, 6)),)
    permuted = ShapeTracker.contiguous((4, 6)).permute((1, 0)).reshape((6, 2, 2))  # splits a dim: one view
    assert len(permuted.views) == 1 and permuted.views[0].strides == (1, 12, 6)
    padded = ShapeTracker.contiguous((1, 4)).pad(((1, 1), (0, 0))).reshape((12,))
    assert padded.views == (View.create((12,), (1,), -4, ((4, 8),)),)


def test_reshape_that_cannot_merge_stacks_a_view():
    st_ = ShapeTracker.contiguous((4, 3)).permute((1, 0)).reshape((12,))
    assert len(st_.views) == 2
    assert len(st_.simplify().views) == 2  # really not expressible by one view
    broadcast = ShapeTracker.contiguous((3, 1)).expand((3, 4)).reshape((12,))
    assert len(broadcast.views) == 2


def test_simplify_merges_easy_cases():
    stacked = ShapeTracker((View.contiguous((12,)), View.create((3, 4), (1, 3))))  # contiguous below
    assert stacked.simplify().views == (View.create((3, 4), (1, 3)),)
    reshape_above = ShapeTracker((View.create((4, 3), (1, 4)), View.contiguous((4, 3))))
    assert reshape_above.simplify().views == (View.create((4, 3), (1, 4)),)
    # an upper view moving single digits of the lower's index merges (shrink of a permuted reshape)
    lower = View.create((3, 4), (1, 3))
    upper = View.create((2, 2), (4, 1), 1)
    merged = ShapeTracker((lower, upper)).simplify()
    assert len(merged.views) == 1
    buf = np.arange(12) + 1
    np.testing.assert_array_equal(read(merged, buf), read(ShapeTracker((lower, upper)), buf))


def test_index_expressions_are_clean():
    b = StringBuilder()
    assert ShapeTracker.contiguous((4, 4)).index_and_valid(["x", "y"], b) == ("((x*4)+y)", "true")
    assert ShapeTracker.contiguous((4, 1)).expand((4, 5)).index_and_valid(["x", "y"], b) == ("x", "true")
    idx, valid = ShapeTracker.contiguous((4,)).pad(((1, 0),)).index_and_valid(["x"], b)
    assert (idx, valid) == ("(x+-1)", "(0<x)")
    stacked = ShapeTracker.contiguous((4, 3)).permute((1, 0)).reshape((12,))
    assert stacked.index_and_valid(["i"], b)[0] == "((i/4)+((i%4)*3))"
    nothing = ShapeTracker.contiguous((4,)).shrink(((1, 3),)).pad(((2, 0),)).shrink(((0, 2),))
    assert nothing.index_and_valid(["x"], b) == ("0", "false")


def test_real_strides_and_contiguity():
    assert ShapeTracker.contiguous((2, 3)).is_contiguous
    t = ShapeTracker.contiguous((2, 3)).permute((1, 0))
    assert not t.is_contiguous and t.real_strides == (1, 3)
    assert ShapeTracker.contiguous((2, 3)).pad(((0, 0), (1, 0))).real_strides == (3, None)
    assert ShapeTracker.contiguous((4, 3)).permute((1, 0)).reshape((12,)).real_strides == (None,)


def test_invert_permutation():
    assert invert_permutation((2, 0, 1)) == (1, 2, 0)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="reshape"):
        ShapeTracker.contiguous((4,)).reshape((3,))
    with pytest.raises(ValueError, match="expand"):
        ShapeTracker.contiguous((4,)).expand((5,))
    with pytest.raises(ValueError, match="shrink"):
        ShapeTracker.contiguous((4,)).shrink(((2, 5),))
    with pytest.raises(ValueError, match="not invertible"):
        ShapeTracker.contiguous((4,)).invert_movement("pad", ((1, 0),), (3,))


# ----------------------------------------------------------------------------------------------
# fold-views, numerically: a tiny numpy interpreter of the st level runs the scheduled program
# before and after the pass; both must equal the tir reference.

from xdsl.dialects.func import FuncOp, ReturnOp  # noqa: E402

from tinyir.dialects import shapetracker as st_dialect  # noqa: E402
from tinyir.element_types import numpy_dtype  # noqa: E402
from tinyir.ir import make_context, parse_module  # noqa: E402
from tinyir.passes.fold_views import FoldViews  # noqa: E402
from tinyir.runtime.reference import IMPLS, run_reference  # noqa: E402


def _valid_index(tracker: ShapeTracker) -> tuple[np.ndarray, np.ndarray]:
    idxs = list(np.indices(tracker.shape, dtype=np.int64)) if tracker.shape else []
    index, valid = tracker.index_and_valid(idxs, NumpyBuilder())
    return np.broadcast_to(index, tracker.shape), np.broadcast_to(valid, tracker.shape)


def run_st(module, inputs: list[np.ndarray]) -> list[np.ndarray]:
    """Interpret an st-level entry function (kernel bodies may still hold tir movement ops)."""
    func = next(op for op in module.ops if isinstance(op, FuncOp))
    env = {a: np.asarray(x).reshape(-1).copy() for a, x in zip(func.body.block.args, inputs)}
    for op in func.body.block.ops:
        if isinstance(op, st_dialect.AllocOp):
            env[op.result] = np.zeros(op.result.type.size(), numpy_dtype(op.result.type.element_type))
        elif isinstance(op, st_dialect.BufferConstantOp):
            env[op.result] = np.array(op.value.get_values(), numpy_dtype(op.result.type.element_type))
        elif isinstance(op, st_dialect.KernelOp):
            run_kernel(op, [env[b] for b in op.buffers])
        elif isinstance(op, ReturnOp):
            return [env[v].reshape(v.type.shape_tuple()) for v in op.arguments]
    raise AssertionError("no func.return")


def run_kernel(kernel, buffers: list[np.ndarray]) -> None:
    vals: dict = dict(zip(kernel.body.block.args, buffers))
    for op in kernel.body.block.ops:
        if isinstance(op, st_dialect.StoreOp):
            index, valid = _valid_index(op.tracker())
            vals[op.buffer][index[valid]] = vals[op.value][valid]
            continue
        dtype = numpy_dtype(op.results[0].type.element_type)
        if isinstance(op, st_dialect.LoadOp):
            out = read(op.tracker(), vals[op.buffer])
        elif isinstance(op, st_dialect.ArangeOp):
            index, valid = _valid_index(op.tracker())
            out = np.where(valid, index, 0)
        elif isinstance(op, st_dialect.ConstOp):
            out = np.where(_valid_index(op.tracker())[1], op.scalar(), 0)
        else:
            with np.errstate(all="ignore"):
                out = IMPLS[type(op)](op, *(vals[v] for v in op.operands))
        vals[op.results[0]] = np.asarray(out).astype(dtype)


FOLD_PROGRAMS = {
    "broadcast_permute_exp2": """
func.func @main(%a: tensor<4x3xf32>, %b: tensor<3xf32>) -> tensor<3x4xf32> {
  %r = tir.reshape %b : tensor<3xf32> -> tensor<1x3xf32>
  %e = tir.expand %r : tensor<1x3xf32> -> tensor<4x3xf32>
  %s = tir.add %a, %e : tensor<4x3xf32>
  %x = tir.exp2 %s : tensor<4x3xf32>
  %p = tir.permute %x [1, 0] : tensor<4x3xf32> -> tensor<3x4xf32>
  func.return %p : tensor<3x4xf32>
}""",
    "pad_of_exp2_reads_zero": """
func.func @main(%a: tensor<4x3xf32>) -> tensor<6x5xf32> {
  %x = tir.exp2 %a : tensor<4x3xf32>
  %f = tir.flip %x [0] : tensor<4x3xf32>
  %p = tir.pad %f [[1, 1], [2, 0]] : tensor<4x3xf32> -> tensor<6x5xf32>
  func.return %p : tensor<6x5xf32>
}""",
    "pad_of_idiv_never_divides_by_zero": """
func.func @main(%a: tensor<6xi32>, %b: tensor<6xi32>) -> tensor<9xi32> {
  %q = tir.idiv %a, %b : tensor<6xi32>
  %m = tir.mod %a, %b : tensor<6xi32>
  %s = tir.add %q, %m : tensor<6xi32>
  %p = tir.pad %s [[2, 1]] : tensor<6xi32> -> tensor<9xi32>
  func.return %p : tensor<9xi32>
}""",
    "shrink_reshape_iota": """
func.func @main(%a: tensor<4x6xf32>) -> tensor<2x3x2xf32> {
  %s = tir.shrink %a [[1, 3], [0, 6]] : tensor<4x6xf32> -> tensor<2x6xf32>
  %r = tir.reshape %s : tensor<2x6xf32> -> tensor<2x3x2xf32>
  %i = tir.iota 1 : tensor<2x3x2xf32>
  %y = tir.mul %r, %i : tensor<2x3x2xf32>
  func.return %y : tensor<2x3x2xf32>
}""",
    "reduce_then_permute_epilogue": """
func.func @main(%a: tensor<2x3x4xf32>, %c: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %s = tir.reduce_sum %a [2] : tensor<2x3x4xf32> -> tensor<2x3xf32>
  %p = tir.permute %s [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  %y = tir.mul %p, %c : tensor<3x2xf32>
  %z = tir.sqrt %y : tensor<3x2xf32>
  func.return %z : tensor<3x2xf32>
}""",
    "reduce_of_permuted_padded": """
func.func @main(%a: tensor<3x4xf32>) -> tensor<6xf32> {
  %p = tir.permute %a [1, 0] : tensor<3x4xf32> -> tensor<4x3xf32>
  %q = tir.pad %p [[0, 0], [1, 2]] : tensor<4x3xf32> -> tensor<4x6xf32>
  %m = tir.reduce_max %q [0] : tensor<4x6xf32> -> tensor<6xf32>
  func.return %m : tensor<6xf32>
}""",
}


def _schedule(text: str):
    from tinyir.registry import all_passes

    ctx = make_context()
    module = parse_module(text, ctx=ctx)
    all_passes()["schedule-kernels"]()().apply(ctx, module)
    module.verify()
    return ctx, module


@pytest.mark.parametrize("name", sorted(FOLD_PROGRAMS))
def test_fold_views_keeps_results(name: str) -> None:
    text = FOLD_PROGRAMS[name]
    rng = np.random.default_rng(0)
    tir_module = parse_module(text)
    args = tir_module.ops.first.body.block.args
    inputs = []
    for a in args:
        dt = numpy_dtype(a.type.get_element_type())
        shape = tuple(a.type.get_shape())
        inputs.append(rng.integers(-9, 10, shape).astype(dt) if dt.kind == "i"
                      else rng.uniform(0.5, 2.0, shape).astype(dt))
    expected = run_reference(tir_module, inputs)
    ctx, module = _schedule(text)
    for got, want in zip(run_st(module, inputs), expected):
        np.testing.assert_allclose(got, want, rtol=1e-5)
    FoldViews().apply(ctx, module)
    module.verify()
    left = [op.name for op in module.walk() if op.name in {"tir.reshape", "tir.permute", "tir.expand",
                                                           "tir.pad", "tir.shrink", "tir.flip"}]
    assert left == []
    for got, want in zip(run_st(module, inputs), expected):
        np.testing.assert_allclose(got, want, rtol=1e-5)


def _tir_movement(name: str, x: str, src: tuple[int, ...], kind: str, arg) -> tuple[str, tuple[int, ...]]:
    """One line of tir text applying a movement op, and the new shape."""
    def ty(shape: tuple[int, ...]) -> str:
        return "tensor<" + "".join(f"{d}x" for d in shape) + "f32>"

    dst = numpy_apply(np.zeros(src), kind, arg).shape
    ints = lambda xs: "[" + ", ".join(str(v) for v in xs) + "]"  # noqa: E731
    if kind in ("reshape", "expand"):
        return f"  %{name} = tir.{kind} %{x} : {ty(src)} -> {ty(dst)}", dst
    if kind == "permute":
        return f"  %{name} = tir.permute %{x} {ints(arg)} : {ty(src)} -> {ty(dst)}", dst
    if kind == "flip":
        return f"  %{name} = tir.flip %{x} {ints(arg)} : {ty(src)}", dst
    pairs = "[" + ", ".join(ints(p) for p in arg) + "]"
    return f"  %{name} = tir.{kind} %{x} {pairs} : {ty(src)} -> {ty(dst)}", dst


@settings(max_examples=25, deadline=None)
@given(movement_chains(), st.sampled_from(["exp2", "neg", "recip"]))
def test_fold_views_random_chains(chain, unary):
    """A movement chain over f(x) + x, with f possibly not zero-preserving, folds and keeps values."""
    shape, steps = chain
    ty = "tensor<" + "".join(f"{d}x" for d in shape) + "f32>"
    lines = [f"  %u = tir.{unary} %a : {ty}", f"  %v0 = tir.add %u, %a : {ty}"]
    cur, name = shape, "v0"
    for i, (kind, arg) in enumerate(steps):
        line, cur = _tir_movement(f"v{i + 1}", name, cur, kind, arg)
        lines.append(line)
        name = f"v{i + 1}"
    out_ty = "tensor<" + "".join(f"{d}x" for d in cur) + "f32>"
    text = "\n".join([f"func.func @main(%a: {ty}) -> {out_ty} {{", *lines,
                      f"  func.return %{name} : {out_ty}", "}"])
    inputs = [np.random.default_rng(1).uniform(0.5, 2.0, shape).astype(np.float32)]
    expected = run_reference(parse_module(text), inputs)
    ctx, module = _schedule(text)
    FoldViews().apply(ctx, module)
    module.verify()
    assert not [op for op in module.walk() if op.name.startswith("tir.") and
                op.name[4:] in ("reshape", "permute", "expand", "pad", "shrink", "flip")]
    for got, want in zip(run_st(module, inputs), expected):
        np.testing.assert_allclose(got, want, rtol=1e-5)


@st.composite
def epilogue_programs(draw):
    """tir text: reduce one axis, then a chain of bijective movements mixed with elementwise ops."""
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=2, max_size=4)))
    axis = draw(st.integers(0, len(shape) - 1))
    cur = tuple(d for i, d in enumerate(shape) if i != axis)
    tyf = lambda s: "tensor<" + "".join(f"{d}x" for d in s) + "f32>"  # noqa: E731
    lines = [f"  %v0 = tir.reduce_sum %a [{axis}] : {tyf(shape)} -> {tyf(cur)}"]
    name, n = "v0", 0
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["reshape", "permute", "flip", "neg"]))
        n += 1
        if kind == "neg":
            lines.append(f"  %v{n} = tir.neg %{name} : {tyf(cur)}")
        else:
            arg = (factor_shapes(int(np.prod(cur)), draw) if kind == "reshape" else
                   tuple(draw(st.permutations(range(len(cur))))) if kind == "permute" else
                   tuple(sorted(draw(st.sets(st.integers(0, len(cur) - 1))))))
            line, cur = _tir_movement(f"v{n}", name, cur, kind, arg)
            lines.append(line)
        name = f"v{n}"
    lines.append(f"  %out = tir.mul %{name}, %b : {tyf(cur)}")
    text = "\n".join([f"func.func @main(%a: {tyf(shape)}, %b: {tyf(cur)}) -> {tyf(cur)} {{", *lines,
                      f"  func.return %out : {tyf(cur)}", "}"])
    return text, [shape, cur]


@settings(max_examples=25, deadline=None)
@given(epilogue_programs())
def test_fold_views_epilogue_movements_reach_the_store(program):
    text, shapes = program
    rng = np.random.default_rng(2)
    inputs = [rng.uniform(-2, 2, s).astype(np.float32) for s in shapes]
    expected = run_reference(parse_module(text), inputs)
    ctx, module = _schedule(text)
    FoldViews().apply(ctx, module)
    module.verify()
    assert not [op for op in module.walk() if op.name.startswith("tir.") and
                op.name[4:] in ("reshape", "permute", "expand", "pad", "shrink", "flip")]
    for got, want in zip(run_st(module, inputs), expected):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
