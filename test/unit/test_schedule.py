"""schedule-kernels: kernel counts and partition decisions for a set of programs.

Each program is parsed, run through `tensor-decompose` and `schedule-kernels`, and its `st.kernel`
ops are counted; where `fold-views` exists, its output must fold completely (no movement op left).
The scheduled program (before and after fold-views) is also executed by a small numpy evaluator of
the shapetracker level (below) and compared with the tensor-level numpy reference, so a wrong
partition shows up as wrong numbers, independently of the later levels.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tinyir.ir import make_context, parse_module
from tinyir.passes.schedule_partition import entry_function, partition
from tinyir.registry import all_passes

MOVEMENT = {"tir.reshape", "tir.permute", "tir.expand", "tir.pad", "tir.shrink", "tir.flip"}

# name -> (body of @main, signature, expected kernel count)
PROGRAMS: dict[str, tuple[str, int]] = {
    "elementwise_chain": ("""
func.func @main(%a: tensor<4x4xf32>, %b: tensor<4xf32>) -> tensor<4x4xf32> {
  %r = tir.reshape %b : tensor<4xf32> -> tensor<1x4xf32>
  %e = tir.expand %r : tensor<1x4xf32> -> tensor<4x4xf32>
  %0 = tir.add %a, %e : tensor<4x4xf32>
  %1 = tir.exp2 %0 : tensor<4x4xf32>
  %2 = tir.mul %1, %a : tensor<4x4xf32>
  %3 = tir.neg %2 : tensor<4x4xf32>
  %4 = tir.max %3, %0 : tensor<4x4xf32>
  %5 = tir.sin %4 : tensor<4x4xf32>
  func.return %5 : tensor<4x4xf32>
}""", 1),
    "reduce_prologue_epilogue": ("""
func.func @main(%a: tensor<4x8xf32>) -> tensor<4xf32> {
  %0 = tir.mul %a, %a : tensor<4x8xf32>
  %1 = tir.reduce_sum %0 [1] : tensor<4x8xf32> -> tensor<4xf32>
  %2 = tir.sqrt %1 : tensor<4xf32>
  func.return %2 : tensor<4xf32>
}""", 1),
    "matmul_as_mul_sum": ("""
func.func @main(%a: tensor<8x8xf32>, %b: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %ar = tir.reshape %a : tensor<8x8xf32> -> tensor<8x1x8xf32>
  %ae = tir.expand %ar : tensor<8x1x8xf32> -> tensor<8x8x8xf32>
  %bt = tir.permute %b [1, 0] : tensor<8x8xf32> -> tensor<8x8xf32>
  %br = tir.reshape %bt : tensor<8x8xf32> -> tensor<1x8x8xf32>
  %be = tir.expand %br : tensor<1x8x8xf32> -> tensor<8x8x8xf32>
  %m = tir.mul %ae, %be : tensor<8x8x8xf32>
  %s = tir.reduce_sum %m [2] : tensor<8x8x8xf32> -> tensor<8x8xf32>
  func.return %s : tensor<8x8xf32>
}""", 1),
    "matmul_composite": ("""
func.func @main(%a: tensor<4x6xf32>, %b: tensor<6x5xf32>) -> tensor<4x5xf32> {
  %c = tir.matmul %a, %b : tensor<4x6xf32>, tensor<6x5xf32> -> tensor<4x5xf32>
  func.return %c : tensor<4x5xf32>
}""", 1),
    "softmax_primitive": ("""
func.func @main(%x: tensor<4x5xf32>) -> tensor<4x5xf32> {
  %m = tir.reduce_max %x [1] : tensor<4x5xf32> -> tensor<4x1xf32>
  %me = tir.expand %m : tensor<4x1xf32> -> tensor<4x5xf32>
  %nm = tir.neg %me : tensor<4x5xf32>
  %d = tir.add %x, %nm : tensor<4x5xf32>
  %c = tir.constant dense<1.44269502> : tensor<4x5xf32>
  %dl = tir.mul %d, %c : tensor<4x5xf32>
  %e = tir.exp2 %dl : tensor<4x5xf32>
  %s = tir.reduce_sum %e [1] : tensor<4x5xf32> -> tensor<4x1xf32>
  %se = tir.expand %s : tensor<4x1xf32> -> tensor<4x5xf32>
  %r = tir.recip %se : tensor<4x5xf32>
  %o = tir.mul %e, %r : tensor<4x5xf32>
  func.return %o : tensor<4x5xf32>
}""", 1),  # a row kernel: max, sum of exp and the outputs, one row per output
    "softmax_composite": ("""
func.func @main(%x: tensor<4x5xf32>) -> tensor<4x5xf32> {
  %y = tir.softmax %x [1] : tensor<4x5xf32>
  func.return %y : tensor<4x5xf32>
}""", 1),
    "reduce_expand_reduce": ("""
func.func @main(%a: tensor<4x8xf32>) -> tensor<4xf32> {
  %s = tir.reduce_sum %a [1] : tensor<4x8xf32> -> tensor<4x1xf32>
  %e = tir.expand %s : tensor<4x1xf32> -> tensor<4x8xf32>
  %d = tir.mul %a, %e : tensor<4x8xf32>
  %t = tir.reduce_max %d [1] : tensor<4x8xf32> -> tensor<4xf32>
  func.return %t : tensor<4xf32>
}""", 1),  # a row kernel (both reduce the rows of a 4x8)
    "reduce_expand_reduce_other_axis": ("""
func.func @main(%a: tensor<4x8xf32>) -> tensor<8xf32> {
  %s = tir.reduce_sum %a [1] : tensor<4x8xf32> -> tensor<4x1xf32>
  %e = tir.expand %s : tensor<4x1xf32> -> tensor<4x8xf32>
  %d = tir.mul %a, %e : tensor<4x8xf32>
  %t = tir.reduce_max %d [0] : tensor<4x8xf32> -> tensor<8xf32>
  func.return %t : tensor<8xf32>
}""", 2),  # not one row: the second reduce runs over the other axis
    "softmax_then_permute": ("""
func.func @main(%x: tensor<4x5xf32>) -> tensor<5x4xf32> {
  %m = tir.reduce_max %x [1] : tensor<4x5xf32> -> tensor<4x1xf32>
  %me = tir.expand %m : tensor<4x1xf32> -> tensor<4x5xf32>
  %d = tir.add %x, %me : tensor<4x5xf32>
  %p = tir.permute %d [1, 0] : tensor<4x5xf32> -> tensor<5x4xf32>
  func.return %p : tensor<5x4xf32>
}""", 2),  # a movement after the reduce other than its broadcast: not a row kernel
    "reduce_of_reduce": ("""
func.func @main(%a: tensor<4x8xf32>) -> tensor<f32> {
  %s = tir.reduce_sum %a [1] : tensor<4x8xf32> -> tensor<4xf32>
  %t = tir.reduce_max %s [0] : tensor<4xf32> -> tensor<f32>
  func.return %t : tensor<f32>
}""", 2),
    "reduce_then_permute_epilogue": ("""
func.func @main(%a: tensor<4x8x3xf32>, %b: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %s = tir.reduce_sum %a [1] : tensor<4x8x3xf32> -> tensor<4x3xf32>
  %p = tir.permute %s [1, 0] : tensor<4x3xf32> -> tensor<3x4xf32>
  %o = tir.add %p, %b : tensor<3x4xf32>
  func.return %o : tensor<3x4xf32>
}""", 1),
    "reduce_then_pad": ("""
func.func @main(%a: tensor<4x8xf32>) -> tensor<6xf32> {
  %s = tir.reduce_sum %a [1] : tensor<4x8xf32> -> tensor<4xf32>
  %p = tir.pad %s [[1, 1]] : tensor<4xf32> -> tensor<6xf32>
  func.return %p : tensor<6xf32>
}""", 2),
    "shared_reduce_two_outputs": ("""
func.func @main(%a: tensor<4x8xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %s = tir.reduce_sum %a [1] : tensor<4x8xf32> -> tensor<4xf32>
  %x = tir.exp2 %s : tensor<4xf32>
  %y = tir.neg %s : tensor<4xf32>
  func.return %x, %y : tensor<4xf32>, tensor<4xf32>
}""", 3),
    "shared_elementwise_recomputed": ("""
func.func @main(%a: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  %e = tir.exp2 %a : tensor<4x4xf32>
  %x = tir.neg %e : tensor<4x4xf32>
  %y = tir.sqrt %e : tensor<4x4xf32>
  func.return %x, %y : tensor<4x4xf32>, tensor<4x4xf32>
}""", 2),
    "two_independent_reduces": ("""
func.func @main(%a: tensor<4x8xf32>, %b: tensor<4x3xf32>) -> tensor<4xf32> {
  %s = tir.reduce_sum %a [1] : tensor<4x8xf32> -> tensor<4xf32>
  %m = tir.reduce_max %b [1] : tensor<4x3xf32> -> tensor<4xf32>
  %o = tir.add %s, %m : tensor<4xf32>
  func.return %o : tensor<4xf32>
}""", 2),
    "constant_results": ("""
func.func @main() -> (tensor<2x2xf32>, tensor<3xi32>, tensor<2xi1>, tensor<4xf32>) {
  %c = tir.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %i = tir.iota 0 : tensor<3xi32>
  %t = tir.constant dense<true> : tensor<2xi1>
  %f = tir.iota 0 : tensor<4xf32>
  func.return %c, %i, %t, %f : tensor<2x2xf32>, tensor<3xi32>, tensor<2xi1>, tensor<4xf32>
}""", 4),
    "returned_input": ("""
func.func @main(%a: tensor<4x4xf32>) -> tensor<4x4xf32> {
  func.return %a : tensor<4x4xf32>
}""", 1),
    "returned_view_of_input": ("""
func.func @main(%a: tensor<4x3xf32>) -> tensor<3x4xf32> {
  %p = tir.permute %a [1, 0] : tensor<4x3xf32> -> tensor<3x4xf32>
  func.return %p : tensor<3x4xf32>
}""", 1),
    "same_result_twice": ("""
func.func @main(%a: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %e = tir.exp2 %a : tensor<4xf32>
  func.return %e, %e, %a : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}""", 3),
    "non_splat_constant": ("""
func.func @main(%a: tensor<4xf32>) -> tensor<4xf32> {
  %c = tir.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %h = tir.constant dense<0.5> : tensor<4xf32>
  %m = tir.mul %a, %c : tensor<4xf32>
  %o = tir.add %m, %h : tensor<4xf32>
  func.return %o : tensor<4xf32>
}""", 1),
    "iota": ("""
func.func @main(%a: tensor<3x4xi32>) -> tensor<3x4xi32> {
  %i = tir.iota 1 : tensor<3x4xi32>
  %o = tir.add %a, %i : tensor<3x4xi32>
  func.return %o : tensor<3x4xi32>
}""", 1),
    "pad_shrink_flip_chain": ("""
func.func @main(%a: tensor<4x3xf32>) -> tensor<5x3xf32> {
  %p = tir.pad %a [[1, 2], [0, 0]] : tensor<4x3xf32> -> tensor<7x3xf32>
  %e = tir.exp2 %p : tensor<7x3xf32>
  %s = tir.shrink %e [[1, 6], [0, 3]] : tensor<7x3xf32> -> tensor<5x3xf32>
  %f = tir.flip %s [0] : tensor<5x3xf32>
  func.return %f : tensor<5x3xf32>
}""", 1),
}


CORPUS = sorted((Path(__file__).parents[1] / "corpus").glob("*.mlir"))


# --- a numpy evaluator of the shapetracker level (test oracle) --------------------------------


def _index_and_valid(tracker, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    from tinyir.shapetracker.view import NumpyBuilder

    idxs = list(np.indices(shape, dtype=np.int64)) if shape else []
    index, valid = tracker.index_and_valid(idxs, NumpyBuilder())
    return np.broadcast_to(index, shape).astype(np.int64), np.broadcast_to(valid, shape)


def _run_kernel(kernel, buffers: list[np.ndarray]) -> None:
    from tinyir.element_types import numpy_dtype
    from tinyir.runtime.reference import IMPLS

    env = dict(zip(kernel.body.block.args, buffers))
    for op in kernel.body.block.ops:
        if op.name == "st.store":
            index, valid = _index_and_valid(op.tracker(), op.operands[1].type.get_shape())
            env[op.operands[0]].reshape(-1)[index[valid]] = env[op.operands[1]][valid]
            continue
        ty = op.results[0].type
        shape, dtype = tuple(ty.get_shape()), numpy_dtype(ty.element_type)
        if op.name in ("st.load", "st.arange", "st.const"):
            index, valid = _index_and_valid(op.tracker(), shape)
            if op.name == "st.load":
                flat = env[op.operands[0]].reshape(-1)
                out = np.where(valid, flat[np.where(valid, index, 0)], 0)
            elif op.name == "st.arange":
                out = np.where(valid, index, 0)
            else:
                out = np.where(valid, op.scalar(), 0)
            env[op.results[0]] = np.asarray(out).astype(dtype)
        else:
            with np.errstate(all="ignore"):
                env[op.results[0]] = np.asarray(IMPLS[type(op)](op, *(env[v] for v in op.operands)))


def run_st(module, inputs: list[np.ndarray]) -> list[np.ndarray]:
    """Execute a shapetracker-level module on numpy arrays (buffers are flat row-major arrays)."""
    from tinyir.element_types import numpy_dtype

    func = entry_function(module)
    env = {arg: np.array(x) for arg, x in zip(func.body.block.args, inputs)}
    for op in func.body.block.ops:
        if op.name == "func.return":
            return [env[v].copy() for v in op.operands]
        if op.name == "st.alloc":
            ty = op.results[0].type
            shape = tuple(d.data for d in ty.shape)
            env[op.results[0]] = np.full(shape, 7, numpy_dtype(ty.element_type))  # garbage, not 0
        elif op.name == "st.buffer_constant":
            ty = op.results[0].type
            shape = tuple(d.data for d in ty.shape)
            env[op.results[0]] = np.array(op.value.get_values(), numpy_dtype(ty.element_type)).reshape(shape)
        else:
            _run_kernel(op, [env[v] for v in op.operands])
    raise AssertionError("no func.return")


def _inputs(module, seed: int = 0) -> list[np.ndarray]:
    from tinyir.element_types import numpy_dtype

    rng = np.random.default_rng(seed)
    out = []
    for arg in entry_function(module).body.block.args:
        shape, dtype = tuple(arg.type.get_shape()), numpy_dtype(arg.type.element_type)
        if dtype == np.bool_:
            out.append(rng.integers(0, 2, shape).astype(np.bool_))
        elif np.issubdtype(dtype, np.integer):
            out.append(rng.integers(1, 8, shape).astype(dtype))
        else:
            out.append(rng.uniform(-2, 2, shape).astype(dtype))
    return out


def _check_same_numbers(text: str, decompose: bool) -> None:
    from tinyir.runtime.reference import run_reference

    module = parse_module(text)
    inputs = _inputs(module)
    expected = run_reference(module, inputs)
    first = ["tensor-decompose"] if decompose else []
    stages = [first + ["schedule-kernels"]]
    if _have("fold-views"):
        stages.append(first + ["schedule-kernels", "fold-views"])
    for passes in stages:
        scheduled = _run(text, passes)
        if "fold-views" in passes:  # the partition guarantees foldability: no movement op is left
            # but a row kernel's reduce results broadcast back over their rows
            from tinyir.passes.fold_views import is_row_broadcast

            assert [op.name for op in scheduled.walk() if op.name in MOVEMENT and not is_row_broadcast(op)] == []
        got = run_st(scheduled, inputs)
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            assert g.shape == e.shape and g.dtype == e.dtype
            np.testing.assert_allclose(g.astype(np.float64), e.astype(np.float64), rtol=1e-4, atol=1e-5)


def _count_kernels(module) -> int:
    return sum(1 for op in module.walk() if op.name == "st.kernel")


def _run(text: str, passes: list[str]):
    ctx = make_context()
    module = parse_module(text, ctx=ctx)
    registry = all_passes()
    for name in passes:
        registry[name]()().apply(ctx, module)
    module.verify()
    return module


def _have(pass_name: str) -> bool:
    try:
        all_passes()[pass_name]()
    except (ImportError, AttributeError):
        return False
    return True


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_kernel_count(name: str) -> None:
    text, expected = PROGRAMS[name]
    passes = (["tensor-decompose"] if "composite" in name else []) + ["schedule-kernels"]
    module = _run(text, passes)
    assert _count_kernels(module) == expected
    # The host side holds no tensor-level op any more.
    func = entry_function(module)
    assert all(not op.name.startswith("tir.") for op in func.body.block.ops)


def test_scheduling_twice_is_a_no_op() -> None:
    from tinyir.ir import to_text

    text, _ = PROGRAMS["softmax_primitive"]
    once = to_text(_run(text, ["schedule-kernels"]))
    twice = to_text(_run(once, ["schedule-kernels"]))
    assert once == twice


def test_partition_reasons() -> None:
    """The analysis says why each value is realized."""
    module = parse_module(PROGRAMS["softmax_primitive"][0])
    schedule = partition(entry_function(module), max_row=0)  # no row kernels
    reasons = sorted(schedule.realized.values())
    assert reasons == ["function argument", "function result",
                       "reduce reaches its consumer through tir.expand",
                       "reduce reaches its consumer through tir.expand"]
    assert [len(k.reduces) for k in schedule.kernels] == [1, 1, 0]


def test_reduce_reached_with_and_without_a_flip_is_realized() -> None:
    """r * flip(v) + flip(r * v): fold-views lifts a flip after the reduce to the store only when every
    path carries it, so the reduce gets a kernel of its own (this failed to compile: an autograd of
    x * x.flip(0) through an expand's sum)."""
    from tinyir import Tensor

    a, v = np.arange(48, dtype=np.float32).reshape(16, 3), np.arange(16, dtype=np.float32).reshape(16, 1)
    r = Tensor(a).sum(1, keepdim=True)
    got = (r * Tensor(v).flip(0) + (r * Tensor(v)).flip(0)).numpy()
    r_np = a.sum(1, keepdims=True)
    np.testing.assert_array_equal(got, r_np * v[::-1] + (r_np * v)[::-1])
    x = Tensor(np.arange(16, dtype=np.float32).reshape(4, 4), requires_grad=True)
    y = x.reshape(16, 1)
    (g,) = (y * y.flip(0)).unsqueeze(1).expand(16, 3, 1).sum().gradient(x)
    np.testing.assert_array_equal(g.numpy(), 6 * np.arange(16, dtype=np.float32)[::-1].reshape(4, 4))


def test_row_kernel_partition() -> None:
    """softmax is one row kernel; with max_row below its row length it is three kernels again."""
    from tinyir.passes.schedule_partition import row_kernel_problem

    module = parse_module(PROGRAMS["softmax_primitive"][0])
    schedule = partition(entry_function(module))
    assert [len(k.reduces) for k in schedule.kernels] == [2]
    assert row_kernel_problem(schedule.kernels[0]) is None
    assert [len(k.reduces) for k in partition(entry_function(module), max_row=4).kernels] == [1, 1, 0]
    from tinyir.passes.schedule_partition import fused_region

    for name, problem in (("reduce_expand_reduce_other_axis", "reduces over different rows"),
                          ("softmax_then_permute", "tir.permute follows a reduce")):
        func = entry_function(parse_module(PROGRAMS[name][0]))
        root = func.body.block.last_op.operands[0]
        assert row_kernel_problem(fused_region(root, {a: "argument" for a in func.body.block.args})) == problem


def test_composite_op_is_rejected() -> None:
    from tinyir.passes.schedule_partition import ScheduleError

    module = parse_module(PROGRAMS["matmul_composite"][0])
    with pytest.raises(ScheduleError, match="run tensor-decompose first"):
        partition(entry_function(module))


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_scheduled_program_computes_the_same(name: str) -> None:
    _check_same_numbers(PROGRAMS[name][0], decompose="composite" in name)


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_corpus_schedules_folds_and_computes_the_same(path: Path) -> None:
    text = path.read_text()
    module = _run(text, ["tensor-decompose", "schedule-kernels"])
    for kernel in (op for op in module.walk() if op.name == "st.kernel"):
        reduces = [op for op in kernel.walk() if op.name in ("tir.reduce_sum", "tir.reduce_max")]
        # several only in a row kernel: every reduce over the same axes of the same shape
        assert len({(op.operands[0].type, op.axes_tuple()) for op in reduces}) <= 1
    _check_same_numbers(text, decompose=True)


# Structurally different schedules, run end to end on the CPU (the whole pipeline, compiled).
END_TO_END = ["softmax_primitive", "matmul_as_mul_sum", "reduce_then_pad", "same_result_twice",
              "constant_results", "two_independent_reduces", "shared_reduce_two_outputs"]


@pytest.mark.parametrize("name", END_TO_END)
def test_runs_on_cpu(name: str) -> None:
    from tinyir.runtime import run
    from tinyir.runtime.reference import run_reference

    text = PROGRAMS[name][0]
    module = parse_module(text)
    inputs = _inputs(module)
    expected = run_reference(module, inputs)
    got = run(parse_module(text), inputs, device="cpu")
    for g, e in zip(got, expected, strict=True):
        assert g.shape == e.shape and g.dtype == e.dtype
        np.testing.assert_allclose(g.astype(np.float64), e.astype(np.float64), rtol=1e-4, atol=1e-5)


# --- random graphs that stress the partition: several reduces, broadcasts back, shared values ----


def _random_graph(seed: int) -> str:
    """A random DAG over two f32 inputs: elementwise, movement, keepdims reduces expanded back to
    the full shape (softmax-like), and 1-3 outputs (possibly an input or a repeated value)."""
    import random

    r = random.Random(seed)
    pool: list[tuple[str, tuple[int, ...]]] = [("%a", (4, 6)), ("%b", (4, 6))]
    lines: list[str] = []

    def ty(shape: tuple[int, ...]) -> str:
        return "tensor<" + "".join(f"{d}x" for d in shape) + "f32>"

    def emit(text: str, shape: tuple[int, ...]) -> None:
        name = f"%v{len(lines)}"
        lines.append(f"  {name} = {text}")
        pool.append((name, shape))

    for _ in range(r.randint(3, 9)):
        v, s = r.choice(pool[-4:] if r.random() < 0.7 else pool)
        kind = r.choice(["unary", "binary", "binary", "reduce", "reduce", "permute", "pad", "reshape"])
        if kind == "unary":
            emit(f"tir.{r.choice(['neg', 'sin'])} {v} : {ty(s)}", s)
        elif kind == "binary":
            w = r.choice([n for n, t in pool if t == s])
            emit(f"tir.{r.choice(['add', 'mul', 'max'])} {v}, {w} : {ty(s)}", s)
        elif kind == "reduce" and len(s) == 2:
            axis = r.randint(0, 1)
            kept = tuple(1 if i == axis else d for i, d in enumerate(s))
            emit(f"tir.{r.choice(['reduce_sum', 'reduce_max'])} {v} [{axis}] : {ty(s)} -> {ty(kept)}", kept)
            if r.random() < 0.7:  # broadcast back, so that a later op may combine it with the input
                emit(f"tir.expand {pool[-1][0]} : {ty(kept)} -> {ty(s)}", s)
        elif kind == "permute" and len(s) == 2:
            emit(f"tir.permute {v} [1, 0] : {ty(s)} -> {ty(s[::-1])}", s[::-1])
        elif kind == "pad" and len(s) == 2:
            padded = (s[0] + 1, s[1])
            emit(f"tir.pad {v} [[1, 0], [0, 0]] : {ty(s)} -> {ty(padded)}", padded)
            emit(f"tir.shrink {pool[-1][0]} [[0, {s[0]}], [0, {s[1]}]] : {ty(padded)} -> {ty(s)}", s)
        elif kind == "reshape" and len(s) == 2:
            flat = (s[0] * s[1],)
            emit(f"tir.reshape {v} : {ty(s)} -> {ty(flat)}", flat)
            emit(f"tir.reshape {pool[-1][0]} : {ty(flat)} -> {ty(s)}", s)
    outs = [pool[-1]] + r.sample(pool, r.randint(0, 2))
    sig = ", ".join(ty(s) for _, s in outs)
    body = "\n".join(lines)
    return (f"func.func @main(%a: tensor<4x6xf32>, %b: tensor<4x6xf32>) -> ({sig}) {{\n{body}\n"
            f"  func.return {', '.join(n for n, _ in outs)} : {sig}\n}}")


@pytest.mark.parametrize("seed", range(30))
def test_random_graph_schedules_folds_and_computes_the_same(seed: int) -> None:
    text = _random_graph(seed)
    module = _run(text, ["schedule-kernels"])
    for kernel in (op for op in module.walk() if op.name == "st.kernel"):
        reduces = [op for op in kernel.walk() if op.name in ("tir.reduce_sum", "tir.reduce_max")]
        # several only in a row kernel: every reduce over the same axes of the same shape
        assert len({(op.operands[0].type, op.axes_tuple()) for op in reduces}) <= 1, text
    _check_same_numbers(text, decompose=False)
