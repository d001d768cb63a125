"""Convolutions staged with a halo tile (tinyir/passes/stage.py HALO, TC-K-INNER) and the f16/bf16
conv tile on tensor cores (kernel_heuristics.CONV_TC_TILE): results against float64 PyTorch on the uop
interpreter (the cuda pipeline's uop kernels) and on opencl, the tile sizes, ldmatrix on both operands,
and the PTX assembled by ptxas."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
import torch

from tinyir import Tensor
from tinyir.frontend.realize import build_function, collect
from tinyir.registry import default_pipeline
from tinyir.runtime.executor import run_passes
from tinyir.runtime.uop_interp import run_program
from test_tensor_cores import actions_of, check, inputs, uop_level
from test_kernel_optimize import cuda_available  # noqa: F401  (fixture)


def conv_module(n: int, c: int, hw: int, oc: int, stride: int, ty: str):
    """(module, its arguments in order, float64 torch result) of conv2d 3x3, padding 1."""
    x, w = inputs([(n, c, hw, hw), (oc, c, 3, 3)], ty)
    ts = [Tensor(v, device="reference") for v in (x, w)]
    graph = collect([ts[0].conv2d(ts[1], padding=1, stride=stride).lazydata], lambda node: node.realized is not None)
    module, _ = build_function(graph)
    order = [next(i for i, t in enumerate(ts) if t.lazydata is a) for a in graph.args]
    want = torch.nn.functional.conv2d(torch.tensor(x.astype(np.float64)), torch.tensor(w.astype(np.float64)),
                                      padding=1, stride=stride).numpy()
    return module, [(x, w)[i] for i in order], want


def local_sizes(module) -> list[int]:
    return [op.result.type.size() for op in module.walk() if op.name == "uop.define_local"]


@pytest.mark.parametrize("shape,ty", [((2, 32, 16, 64, 1), "f16"),   # borders on every side
                                      ((2, 24, 14, 40, 1), "f16"),   # channels and width not tile multiples
                                      ((2, 32, 16, 64, 2), "f16"),   # stride 2
                                      ((2, 32, 16, 64, 1), "bf16")],
                         ids=["f16", "f16-ragged", "f16-stride2", "bf16"])
def test_tc_conv_default_stages_a_halo_tile(shape, ty: str) -> None:
    """Stride 1: CONV_TC_TILE, two staged tiles; the weights (channels and window contiguous in global
    memory, ungated) copied in vector runs (CONTIGUOUS-RUNS) where the channels are a tile multiple.
    Stride 2: no halo forms (the window steps 1, the output 2), so the unstaged tc tiles."""
    module, args, want = conv_module(*shape, ty)
    uop_level(module)
    (actions,) = actions_of(module)
    names = [op.name for op in module.walk()]
    assert actions.startswith("tc:") and ("stage:" in actions) == (shape[4] == 1)
    if shape[4] == 1:
        assert len(local_sizes(module)) == 2  # the input's halo tile and the weights'
        assert ("uop.vload" in names) == (shape[1] % 16 == 0)
    if ty == "f16" and shape[4] == 1:
        mmas = [op for op in module.walk() if op.name == "uop.mma"]
        # both operands by ldmatrix (the TC-K-INNER layout); tiles with a padded k may fall back
        assert names.count("uop.ldmatrix") >= 5 and mmas
    (got,) = run_program(module, args)
    check(got, want, ty)


def test_halo_tile_holds_the_window_overlap_once() -> None:
    """The f16 conv tile of 2x64x56x56 (as of 32x64x56x56): per chunk of 32 channels the input tile is 2 images x 2 warps'
    rows x (4 + 2) rows x (8 + 2) columns x 32 channels (7680 elements, not 9 x 4096), the weights
    64 x 32 x 9; both store the 16 channels of a k step innermost (TC-K-INNER), the rows ldmatrix reads
    padded apart (ROW-PAD)."""
    from tinyir.passes.kernel_heuristics import tensor_core_actions
    from tinyir.passes.kernel_optimize import apply_actions, target_limits, unmerge_for_tensor_cores
    from tinyir.passes.stage import staged_loads
    from tinyir.passes.window_loads import merge_window_loads

    module, _, _ = conv_module(2, 64, 56, 64, 1, "f16")
    specs = default_pipeline("cuda", "uop-to-ptx")
    run_passes(module, specs[: specs.index("shapetracker-to-loop") + 1])
    kernel = next(op for op in module.walk() if op.name == "loop.kernel")
    limits = target_limits("cuda")
    merge_window_loads(kernel)
    unmerge_for_tensor_cores(kernel, limits)
    actions = tensor_core_actions(kernel, limits)
    assert "stage:4:2" in [str(a) for a in actions]
    apply_actions(kernel, actions, limits)
    tiles = staged_loads(kernel)
    assert sorted(s.elements for s in tiles) == [2 * 2 * 6 * 10 * 32, 64 * 32 * 9]
    halo = next(s for s in tiles if s.halo)
    assert sorted(halo.extent(d) for d in halo.dims if id(d) in halo.halo) == [6, 10]
    weights = next(s for s in tiles if not s.halo)
    assert weights.layout[-1].range_kind.value == "tc"  # 16 channels innermost
    # ROW-PAD: ldmatrix's 8 rows (pixels; output channels) 16 bytes past a multiple of 32 apart
    assert halo.strides()[halo.layout.index(halo.rows)] == 24  # a row of 16 channels is 16 elements
    assert weights.strides()[weights.layout.index(weights.rows)] == 2 * 9 * 16 + 8


def test_f32_conv_staged_with_a_halo_on_opencl() -> None:
    """The halo is not tied to tensor cores: an f32 conv whose 8 output channels are the threads and
    whose rows and columns are register tiles, its channels staged in chunks of 4 with the window
    loops in the chunk, runs on opencl (PoCL) and matches PyTorch, padding borders included. Its input
    tile is 4 channels x 2 threads x (2 + 2) rows x (4 + 2) columns (192, not 576 without the halo)."""
    pytest.importorskip("pyopencl")
    from tinyir.ir import parse_module
    from tinyir.runtime.executor import compile_program

    module, args, want = conv_module(1, 16, 12, 8, 1, "f16")
    args = [a.astype(np.float32) for a in args]
    actions = 'actions="local:0:8,local:1:2,upcast:1:2,upcast:2:4,stage:3:4"'
    text = str(module).replace("f16", "f32")
    lowered = parse_module(text)
    specs = default_pipeline("opencl", "uop-to-opencl", actions)
    run_passes(lowered, specs[: specs.index("loop-to-uop") + 1])
    assert sorted(local_sizes(lowered)) == [192, 288]
    got = compile_program(parse_module(text), "opencl", actions).run(args)[0]
    assert np.abs(got - want).max() <= 1e-4 * np.abs(want).max()


@pytest.mark.skipif(shutil.which("ptxas") is None, reason="needs ptxas")
@pytest.mark.parametrize("arch", ["sm_80", "sm_90a"])
@pytest.mark.parametrize("ty", ["f16", "bf16"])
def test_tc_conv_ptx_assembles(arch: str, ty: str, tmp_path) -> None:
    from tinyir.targets.ptx.emit import emit_module

    module, _, _ = conv_module(2, 32, 16, 64, 1, ty)
    run_passes(module, default_pipeline("cuda", f"uop-to-ptx{{arch={arch}}}"))
    text = emit_module(module)
    assert "mma.sync.aligned.m16n8k16" in text and "bar.sync" in text
    if ty == "f16":
        assert "ldmatrix.sync.aligned" in text
    (tmp_path / "k.ptx").write_text(text)
    subprocess.run(["ptxas", f"-arch={arch}", str(tmp_path / "k.ptx"), "-o", str(tmp_path / "k.cubin")], check=True)


@pytest.mark.cuda
@pytest.mark.parametrize("shape,ty", [((2, 32, 16, 64, 1), "f16"), ((2, 24, 14, 40, 1), "f16"),
                                      ((4, 64, 56, 64, 1), "f16"), ((2, 128, 28, 128, 1), "f16"),
                                      ((2, 64, 56, 64, 1), "bf16")],
                         ids=["f16", "f16-ragged", "f16-56", "f16-28x128", "bf16-56"])
def test_tc_conv_default_on_cuda(shape, ty: str, cuda_available) -> None:
    """The default f16/bf16 conv (CONV_TC_TILE where a halo forms) on the GPU against float64 PyTorch."""
    from tinyir.runtime.executor import compile_program

    module, args, want = conv_module(*shape, ty)
    check(compile_program(module, "cuda").run(args)[0], want, ty)


def test_tc_conv_stays_on_mma_sync_for_sm_90a() -> None:
    """The chain an sm_90 GPU's device runs (chip sm_90a) takes wgmma for matrix products, but a
    convolution keeps mma.sync with its halo tile (wgmma_heuristics: more reduces than its channels')."""
    from tinyir.targets.ptx.emit import emit_module

    module, _, _ = conv_module(2, 32, 16, 64, 1, "f16")
    run_passes(module, default_pipeline("cuda", "uop-to-ptx", "", "sm_90a"))
    text = emit_module(module)
    assert ".target sm_90a" in text and "mma.sync.aligned.m16n8k16" in text and "wgmma" not in text
