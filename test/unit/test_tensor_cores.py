"""Tensor cores: the matrix-instruction table (tinyir/tensor_cores.py), the `tc` action and its lowering
to `uop.mma` (tinyir/passes/tensor_core.py), the uop interpreter's per-warp execution of it, and the
PTX it becomes (mma.sync, assembled by ptxas). Results are compared with float64 numpy within the
f16/bf16 tolerance (relative to the largest output: 3e-3 for f16 outputs, 1e-2 for bf16)."""

from __future__ import annotations

import shutil
import subprocess

import ml_dtypes
import numpy as np
import pytest
from xdsl.dialects.builtin import f16, f32
from xdsl.ir import Block
from xdsl.utils.exceptions import VerifyException

from tinyir.dialects import uop
from tinyir.ir import parse_module
from tinyir.passes.kernel_optimize import KernelOptimizeError, parse_actions
from tinyir.registry import default_pipeline
from tinyir.runtime.executor import compile_program, run_passes
from tinyir.runtime.uop_interp import run_program
from tinyir.tensor_cores import INSTRUCTIONS
from test_kernel_optimize import cuda_available  # noqa: F401  (fixture)

DTYPES = {"f16": np.float16, "bf16": ml_dtypes.bfloat16}
TOLERANCE = {"f16": 3e-3, "bf16": 1e-2}


def matmul(m: int, k: int, n: int, ty: str, batch: int = 0):
    pre = f"{batch}x" if batch else ""
    a, b, c = f"tensor<{pre}{m}x{k}x{ty}>", f"tensor<{pre}{k}x{n}x{ty}>", f"tensor<{pre}{m}x{n}x{ty}>"
    return parse_module(f"""func.func @main(%a: {a}, %b: {b}) -> {c} {{
      %0 = tir.matmul %a, %b : {a}, {b} -> {c}
      func.return %0 : {c}
    }}""")


def inputs(shapes, ty: str, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(DTYPES[ty]) for s in shapes]


def check(got: np.ndarray, want: np.ndarray, ty: str) -> None:
    got = got.astype(np.float64)
    assert np.isfinite(got).all()
    assert np.abs(got - want).max() <= TOLERANCE[ty] * np.abs(want).max(), np.abs(got - want).max()


def uop_level(module, device: str = "cuda", actions: str | None = None):
    """The module lowered to uop kernels (before the target's lowering), as the target would get it."""
    lower = {"cuda": "uop-to-ptx"}[device]
    specs = default_pipeline(device, lower, f'actions="{actions}"' if actions else "")
    run_passes(module, specs[: specs.index(lower)])
    return module


def actions_of(module) -> list[str]:
    return [k.attributes["actions"].data for k in module.walk() if k.name == "uop.kernel" and "actions" in k.attributes]


@pytest.mark.parametrize("name", sorted(INSTRUCTIONS))
def test_every_layout_covers_its_tile_once_per_lane_element(name: str) -> None:
    mi = INSTRUCTIONS[name]
    mi.check()
    for layout in (x for x in (mi.a, mi.c) if x is not None):  # wgmma: A from shared memory
        held = [layout.coordinate(lane, e) for lane in range(mi.threads) for e in range(layout.elements)]
        replicas = len(held) // (layout.rows * layout.cols)
        assert len(held) == replicas * layout.rows * layout.cols  # every element equally often


def test_nvidia_fragment_layout_is_the_ptx_isa_one() -> None:
    """mma.m16n8k16: lane = 4 * group + t; a0/a1 at (group, 2t + {0, 1}), a2/a3 8 rows down, a4..a7
    8 columns right; b0/b1 at (2t + {0, 1}, group); c0/c1 at (group, 2t + {0, 1}), c2/c3 8 rows down."""
    mi = INSTRUCTIONS["mma.m16n8k16.f16"]
    for lane in range(32):
        g, t = lane >> 2, lane & 3
        assert [mi.a.coordinate(lane, e) for e in range(8)] == [
            (g, 2 * t), (g, 2 * t + 1), (g + 8, 2 * t), (g + 8, 2 * t + 1),
            (g, 2 * t + 8), (g, 2 * t + 9), (g + 8, 2 * t + 8), (g + 8, 2 * t + 9)]
        assert [mi.b.coordinate(lane, e) for e in range(4)] == [(2 * t, g), (2 * t + 1, g), (2 * t + 8, g), (2 * t + 9, g)]
        assert [mi.c.coordinate(lane, e) for e in range(4)] == [(g, 2 * t), (g, 2 * t + 1), (g + 8, 2 * t), (g + 8, 2 * t + 1)]


SHAPES = [(16, 16, 8), (32, 32, 16), (64, 48, 32), (48, 32, 24), (40, 32, 16)]  # the last: A and B swap roles
ACTIONS = ["tc:2:0", "tc:2:0,upcast:0:2,upcast:1:2,local:0:2,unroll:2:2", "tc:2:0,upcast:1:2,local:1:2",
           "tc:2:0,stage:2:2", "tc:2:0,upcast:1:2,local:0:2,local:1:2,stage:2:0"]  # staged: ldmatrix for f16


@pytest.mark.parametrize("ty", ["f16", "bf16"])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
def test_tc_matmul_on_the_uop_interpreter_matches_numpy(shape, ty: str) -> None:
    m, k, n = shape
    a, b = inputs([(m, k), (k, n)], ty)
    want = a.astype(np.float64) @ b.astype(np.float64)
    for actions in [None, *ACTIONS]:  # None: the cuda heuristics, which choose tc here
        module = matmul(m, k, n, ty)
        try:
            uop_level(module, actions=actions)
        except KernelOptimizeError:
            assert actions is not None  # an explicit list that does not divide this shape
            continue
        if actions is None:
            assert actions_of(module)[0].startswith("tc:")
        assert any(op.name == "uop.mma" for op in module.walk())
        (got,) = run_program(module, [a, b])
        check(got, want, ty)


@pytest.mark.parametrize("ty", ["f16", "bf16"])
def test_staged_fragments_come_by_ldmatrix(ty: str) -> None:
    """A staged f16 or bf16 tile is read by ldmatrix (x4 for row-major A, x4 .trans would be k-major; x2
    .trans for row-major B), the tiles padded where rows are 128 bytes apart; bf16 fragments stay bf16
    bits from the ldmatrix to the mma (uop-emulate-bf16 widens nothing there)."""
    m, k, n = 64, 128, 32
    a, b = inputs([(m, k), (k, n)], ty)
    module = uop_level(matmul(m, k, n, ty), actions="tc:2:0,upcast:1:2,local:0:2,local:1:2,unroll:2:2,stage:2:2")
    found = [op for op in module.walk() if op.name == "uop.ldmatrix"]
    # twice over: uop-async-copy unrolls the chunk's loop of 2 k steps
    assert sorted((op.count.value.data, op.trans is not None) for op in found) == [(2, True)] * 8 + [(4, False)] * 4
    mmas = [op for op in module.walk() if op.name == "uop.mma"]
    assert mmas and all(v.owner.name == "uop.ldmatrix" for op in mmas for v in (*op.a, *op.b))
    (got,) = run_program(module, [a, b])
    check(got, a.astype(np.float64) @ b.astype(np.float64), ty)


def test_ldmatrix_round_trip_and_verifier() -> None:
    text = """func.func @f(%x: !st.buffer<32xf16>) -> !st.buffer<32xf16> {
      uop.kernel "k0"(%x) : !st.buffer<32xf16> {
      ^bb0(%o: !st.buffer<32xf16>):
        %l = uop.special "lidx0" 32 : i32
        %t = uop.define_local : !st.buffer<256xf16>
        %0, %1, %2, %3 = uop.ldmatrix %t[%l] x 2 : i64 trans : !st.buffer<256xf16> -> f16, f16, f16, f16
        uop.store %o[%l], %3 : f16
      }
      func.return %x : !st.buffer<32xf16>
    }"""
    module = parse_module(text)
    module.verify()
    assert str(parse_module(str(module))) == str(module)
    with pytest.raises(Exception, match="1, 2 or 4 blocks"):
        parse_module(text.replace("x 2", "x 3")).verify()


def test_tc_batched_matmul_with_epilogue_on_the_uop_interpreter() -> None:
    """Batches stay grid axes; what follows the reduce (here relu(x @ w + bias) cast to f16) is copied
    once per element of the output tile."""
    from tinyir import Tensor
    from tinyir.frontend.realize import build_function, collect

    x, w, bias = inputs([(3, 32, 48), (48, 16), (16,)], "f16")
    ts = [Tensor(v, device="reference") for v in (x, w, bias)]
    out = (ts[0] @ ts[1] + ts[2]).relu()
    module, _ = build_function(collect([out.lazydata], lambda node: node.realized is not None))
    uop_level(module)
    assert any(a.startswith("tc:") for a in actions_of(module))
    (got,) = run_program(module, [x, w, bias])
    want = np.maximum(x.astype(np.float64) @ w.astype(np.float64) + bias.astype(np.float64), 0)
    check(got, want, "f16")


@pytest.mark.parametrize("shape", [(2, 16, 8, 32, 1), (1, 8, 7, 24, 1), (2, 16, 9, 16, 2)],
                         ids=lambda s: "x".join(map(str, s)))
def test_conv2d_runs_on_tensor_cores(shape) -> None:
    """An f16 conv2d (3x3, padding 1) is a tc kernel: its merged (n, oc) grid range is split back
    (tinyir/passes/grid_dims.py) so the weights read an output axis the input does not."""
    import torch

    from tinyir import Tensor
    from tinyir.frontend.realize import build_function, collect

    n, c, hw, oc, stride = shape
    x, w = inputs([(n, c, hw, hw), (oc, c, 3, 3)], "f16")
    ts = [Tensor(v, device="reference") for v in (x, w)]
    graph = collect([ts[0].conv2d(ts[1], padding=1, stride=stride).lazydata], lambda node: node.realized is not None)
    module, _ = build_function(graph)
    uop_level(module)
    assert any(a.startswith("tc:") for a in actions_of(module))
    order = [next(i for i, t in enumerate(ts) if t.lazydata is a) for a in graph.args]
    (got,) = run_program(module, [(x, w)[i] for i in order])
    want = torch.nn.functional.conv2d(torch.tensor(x.astype(np.float64)), torch.tensor(w.astype(np.float64)),
                                      padding=1, stride=stride)
    check(got, want.numpy(), "f16")


def test_conv3d_with_bias_and_relu_runs_on_tensor_cores() -> None:
    """conv3d's (n, oc, d) share one grid range of three digits, split back; the epilogue is fused."""
    import torch

    from tinyir import Tensor
    from tinyir.frontend.realize import build_function, collect

    x, w, bias = inputs([(2, 16, 3, 5, 6), (16, 16, 3, 3, 3), (16,)], "f16")
    ts = [Tensor(v, device="reference") for v in (x, w, bias)]
    out = ts[0].conv3d(ts[1], ts[2], padding=1).relu()
    graph = collect([out.lazydata], lambda node: node.realized is not None)
    module, _ = build_function(graph)
    uop_level(module)
    assert any(a.startswith("tc:") for a in actions_of(module))
    order = [next(i for i, t in enumerate(ts) if t.lazydata is a) for a in graph.args]
    (got,) = run_program(module, [(x, w, bias)[i] for i in order])
    want = torch.relu(torch.nn.functional.conv3d(*(torch.tensor(v.astype(np.float64)) for v in (x, w, bias)), padding=1))
    check(got, want.numpy(), "f16")


def test_attention_matmuls_run_on_tensor_cores() -> None:
    """scaled_dot_product_attention in f16: Q @ K^T (both operands k-contiguous) and P @ V are tc kernels."""
    import torch

    from tinyir import Tensor
    from tinyir.frontend.realize import build_function, collect

    q, k, v = inputs([(2, 2, 32, 16)] * 3, "f16")
    ts = [Tensor(x, device="reference") for x in (q, k, v)]
    graph = collect([ts[0].scaled_dot_product_attention(ts[1], ts[2]).lazydata], lambda node: node.realized is not None)
    module, _ = build_function(graph)
    uop_level(module)
    assert sum(a.startswith("tc:") for a in actions_of(module)) == 2
    order = [next(i for i, t in enumerate(ts) if t.lazydata is a) for a in graph.args]
    (got,) = run_program(module, [(q, k, v)[i] for i in order])
    want = torch.nn.functional.scaled_dot_product_attention(*(torch.tensor(x.astype(np.float64)) for x in (q, k, v)))
    check(got, want.numpy(), "f16")


def test_tc_refusals_are_located_errors() -> None:
    cases = {
        "tc:2:0": ("opencl", "the target has no matrix instructions"),
        "tc:2:3": ("cuda", r"matrix instruction\(s\) for f16, not 4"),
        "tc:0:0": ("cuda", "tc needs a reduce axis"),
        "tc:2:0,tc:2:0": ("cuda", "already has a tc range"),
    }
    for actions, (device, message) in cases.items():
        module = matmul(32, 32, 16, "f16")
        with pytest.raises(KernelOptimizeError, match=message):
            specs = default_pipeline(device, {"opencl": "uop-to-opencl", "cuda": "uop-to-ptx"}[device],
                                     f'actions="{actions}"')
            run_passes(module, specs)
    module = matmul(32, 32, 16, "f32")
    with pytest.raises(KernelOptimizeError, match="two f16"):
        uop_level(module, actions="tc:2:0")


@pytest.mark.parametrize("shape,actions", [((24, 32, 24), None), ((33, 17, 9), None), ((33, 17, 9), "tc:2:0"),
                                           ((100, 70, 50), None), ((100, 70, 56), "tc:2:0,upcast:1:7,local:0:7,stage:2:5"),
                                           ((100, 70, 56), "tc:2:0,local:1:7,stage:2:0")])
def test_tc_pads_shapes_the_tile_does_not_divide(shape, actions) -> None:
    """A tile past the end of M, N or K is computed with its loads gated to 0 and its stores gated off
    (the staged copy copies those zeros, so ldmatrix still reads the tiles)."""
    m, k, n = shape
    a, b = inputs([(m, k), (k, n)], "f16")
    module = uop_level(matmul(m, k, n, "f16"), actions=actions)
    assert actions_of(module)[0].startswith("tc:")
    (got,) = run_program(module, [a, b])
    check(got, a.astype(np.float64) @ b.astype(np.float64), "f16")


def test_heuristics_fall_back_where_tc_does_not_fit() -> None:
    for module in (matmul(32, 32, 16, "f32"), matmul(32, 32, 1, "f16")):  # f32; a matrix-vector product
        uop_level(module)
        assert not any(op.name == "uop.mma" for op in module.walk())
        assert all(not a.startswith("tc:") for a in actions_of(module))


def test_parse_tc_action() -> None:
    assert str(parse_actions("tc:2:0")[0]) == "tc:2:0"


def _mma(a_count: int = 8, name: str = "mma.m16n8k16.f16") -> uop.MmaOp:
    block = Block(arg_types=[f16] * 12 + [f32] * 4)
    args = block.args
    op = uop.MmaOp(name, args[:a_count], args[8:12], args[12:16])
    block.add_op(op)
    return op


def test_mma_verifier() -> None:
    _mma().verify()
    with pytest.raises(VerifyException, match="a needs 8 elements per thread, got 7"):
        _mma(7).verify()
    with pytest.raises(VerifyException, match="unknown matrix instruction"):
        _mma(name="mma.m8n8k4.f16").verify()


def test_mma_round_trip() -> None:
    text = """func.func @f(%a: f16, %c: f32) -> f32 {
      %d0, %d1, %d2, %d3 = uop.mma "mma.m16n8k16.f16" a(%a, %a, %a, %a, %a, %a, %a, %a) b(%a, %a, %a, %a) c(%c, %c, %c, %c) : (f16, f16, f16, f16, f16, f16, f16, f16), (f16, f16, f16, f16), (f32, f32, f32, f32) -> (f32, f32, f32, f32)
      func.return %d3 : f32
    }"""
    module = parse_module(text)
    module.verify()
    assert str(parse_module(str(module))) == str(module)


@pytest.mark.skipif(shutil.which("ptxas") is None, reason="needs ptxas")
@pytest.mark.parametrize("arch", ["sm_80", "sm_90a"])
@pytest.mark.parametrize("ty", ["f16", "bf16"])
def test_tc_ptx_assembles(arch: str, ty: str, tmp_path) -> None:
    from tinyir.targets.ptx.emit import emit_module

    module = matmul(64, 64, 64, ty)
    run_passes(module, default_pipeline("cuda", f"uop-to-ptx{{arch={arch}}}"))
    text = emit_module(module)
    assert f"mma.sync.aligned.m16n8k16.row.col.f32.{ty}.{ty}.f32" in text
    (tmp_path / "k.ptx").write_text(text)
    subprocess.run(["ptxas", f"-arch={arch}", str(tmp_path / "k.ptx"), "-o", str(tmp_path / "k.cubin")], check=True)


@pytest.mark.cuda
@pytest.mark.parametrize("ty", ["f16", "bf16"])
@pytest.mark.parametrize("shape", [*SHAPES, (128, 256, 64), (24, 32, 24), (33, 17, 9)], ids=lambda s: "x".join(map(str, s)))
def test_matmul_on_cuda_matches_numpy(shape, ty: str, cuda_available) -> None:
    m, k, n = shape
    a, b = inputs([(m, k), (k, n)], ty)
    want = a.astype(np.float64) @ b.astype(np.float64)
    for actions in [None, *ACTIONS]:
        try:
            program = compile_program(matmul(m, k, n, ty), "cuda", f'actions="{actions}"' if actions else None)
        except KernelOptimizeError:
            assert actions is not None
            continue
        check(program.run([a, b])[0], want, ty)


EDGES = np.array([0.0, -0.0, 1.0, -1.0, 65504.0, -65504.0, 6e-8, np.inf, -np.inf, np.nan], np.float16)


def _edge_inputs(m: int, k: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Mostly small values, with f16's edges (signed zeros, the largest finite, a subnormal, infinities,
    NaN) scattered in; what the f32 accumulation of exact f16 products gives is the reference."""
    rng = np.random.default_rng(7)
    a = rng.integers(-3, 4, (m, k)).astype(np.float16)
    b = rng.integers(-3, 4, (k, n)).astype(np.float16)
    a.flat[rng.choice(a.size, len(EDGES), replace=False)] = EDGES
    b.flat[rng.choice(b.size, len(EDGES), replace=False)] = EDGES
    return a, b


def _edge_want(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return (a.astype(np.float32) @ b.astype(np.float32)).astype(np.float16)


def _check_edges(got: np.ndarray, want: np.ndarray) -> None:
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    finite = np.isfinite(want)
    np.testing.assert_array_equal(got[~finite & ~np.isnan(want)], want[~finite & ~np.isnan(want)])
    np.testing.assert_allclose(got[finite].astype(np.float64), want[finite].astype(np.float64), rtol=3e-3, atol=1e-3)


@pytest.mark.parametrize("actions", [None, "tc:2:0,stage:2:2"])
def test_tc_edge_values_on_the_uop_interpreter(actions) -> None:
    a, b = _edge_inputs(32, 64, 16)
    module = uop_level(matmul(32, 64, 16, "f16"), actions=actions)
    (got,) = run_program(module, [a, b])
    _check_edges(got, _edge_want(a, b))


@pytest.mark.cuda
def test_tc_edge_values_on_cuda(cuda_available) -> None:
    a, b = _edge_inputs(32, 64, 16)
    got = compile_program(matmul(32, 64, 16, "f16"), "cuda").run([a, b])[0]
    _check_edges(got, _edge_want(a, b))
