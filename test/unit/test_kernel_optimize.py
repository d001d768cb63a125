"""kernel-optimize: every valid action list computes what the unoptimized kernel computes.

The property test draws, per kernel, a random list of actions that fit (upcast, unroll everywhere;
local and group where the device has work-groups), compiles the program with them, runs it on the
device and compares with numpy, over the corpus and random programs. Float results may differ by
reassociation (unrolled and grouped sums); integer results must be identical.
"""

from __future__ import annotations

import random
import zlib

import numpy as np
import pytest

from corpus import Program, corpus_files, load, random_program
from test_corpus import check
from tinyir.dialects import loop
from tinyir.passes.kernel_optimize import ACTIONS, Action, apply_action, axes, check_action, format_actions, target_limits
from tinyir.runtime.executor import compile_program, run_passes
from tinyir.runtime.reference import entry_function

DEVICES = ["cpu", "opencl", "c"]
AMOUNTS = (2, 3, 4, 8, 16, 0)


def random_actions(kernel: loop.KernelOp, device: str, rng: random.Random, tries: int = 12) -> list[Action]:
    """Up to a few actions that fit the kernel on `device`, applied to `kernel` as they are drawn."""
    limits = target_limits(device)
    needs_local = (loop.RangeKind.LOCAL, loop.RangeKind.GROUP, loop.RangeKind.STAGE)
    kinds = [k for k, spec in ACTIONS.items() if limits.has_local or spec.new_kind not in needs_local]
    chosen: list[Action] = []
    for _ in range(tries):
        n = len(axes(kernel))
        if not n or len(chosen) >= 4:
            break
        action = Action(rng.choice(kinds), rng.randrange(n), rng.choice(AMOUNTS))
        if check_action(kernel, action, limits) is None:
            apply_action(kernel, action, limits)
            chosen.append(action)
    return chosen


def per_kernel_actions(program: Program, device: str, seed: int) -> list[str]:
    """kernel-optimize options, one per kernel, with random valid actions (found on a loop-level copy)."""
    module = program.module()
    run_passes(module, ["tensor-decompose", "schedule-kernels", "fold-views", "shapetracker-to-loop"])
    rng = random.Random(seed)
    options = []
    for kernel in [k for k in module.walk() if isinstance(k, loop.KernelOp)]:
        actions = random_actions(kernel, device, rng)
        if actions:
            options.append(f'actions="{format_actions(actions)}" kernel={kernel.kernel_name.data}')
    return options


def run_with_actions(program: Program, device: str, seed: int):
    module = program.module()
    options = per_kernel_actions(program, device, seed)
    inputs = program.make_inputs(seed, module)
    expected = program.expected([x.copy() for x in inputs], module)
    result_types = list(entry_function(module).function_type.outputs)
    compiled = compile_program(module, device, options or [""])
    return compiled.run(inputs), expected, result_types, options


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.stem)
def test_corpus_with_random_actions(path, device: str) -> None:
    program = load(path)
    seed = zlib.crc32(program.name.encode())
    actual, expected, types, options = run_with_actions(program, device, seed)
    check(f"{program.name} with {options}", actual, expected, types)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("seed", range(6))
def test_random_program_with_random_actions(seed: int, device: str) -> None:
    program = random_program(100 + seed)
    actual, expected, types, options = run_with_actions(program, device, seed)
    check(f"{program.name} with {options}:\n{program.text}", actual, expected, types)


@pytest.mark.parametrize("device", ["cpu", "opencl"])
def test_matmul_register_tile_and_workgroups(device: str) -> None:
    """The shapes of a real matmul tiling (work-groups only where the device has them)."""
    program = load(next(p for p in corpus_files() if p.stem == "matmul"))
    module = program.module()
    inputs = program.make_inputs(0, module)
    expected = program.expected([x.copy() for x in inputs], module)
    actions = "upcast:1:2,upcast:0:2,unroll:2:2" + (",local:1:2,local:0:2" if device == "opencl" else "")
    got = compile_program(module, device, f'actions="{actions}"').run(inputs)
    np.testing.assert_allclose(got[0], expected[0], rtol=1e-5, atol=1e-5)


def test_grouped_sum_of_many_values_is_accurate() -> None:
    """Sums on OpenCL, grouped by hand (one kernel) and by the default pipeline (split in two
    kernels, each grouped), are as accurate as a float64 sum allows for float32 data."""
    from tinyir.ir import parse_module

    def program(n: int):
        return parse_module(f"""
        func.func @main(%a: tensor<{n}xf32>) -> tensor<f32> {{
          %s = tir.reduce_sum %a [0] : tensor<{n}xf32> -> tensor<f32>
          func.return %s : tensor<f32>
        }}""")

    rng = np.random.default_rng(0)
    x = rng.random(4096, dtype=np.float32)
    got = compile_program(program(4096), "opencl", 'actions="group:0:256,unroll:0:4"').run([x])[0]
    assert abs(float(got) - x.astype(np.float64).sum()) / x.astype(np.float64).sum() < 1e-6
    x = rng.random(1 << 20, dtype=np.float32)
    got = compile_program(program(1 << 20), "opencl").run([x])[0]
    assert abs(float(got) - x.astype(np.float64).sum()) / x.astype(np.float64).sum() < 1e-6


def test_register_limits_count_outputs_and_body_copies_apart() -> None:
    """`max_upcast` bounds the outputs a thread holds (upcast sizes); `max_copies` bounds the body
    copies (upcast x unroll): an unrolled reduce may go past max_upcast, but not past max_copies."""
    from dataclasses import replace

    from tinyir.ir import parse_module
    from tinyir.registry import CORE_PIPELINE

    module = parse_module("""func.func @main(%a: tensor<64x64xf32>, %b: tensor<64x64xf32>) -> tensor<64x64xf32> {
      %c = tir.matmul %a, %b : tensor<64x64xf32>, tensor<64x64xf32> -> tensor<64x64xf32>
      func.return %c : tensor<64x64xf32>
    }""")
    run_passes(module, CORE_PIPELINE[: CORE_PIPELINE.index("loop-to-uop")])
    kernel = next(k for k in module.walk() if isinstance(k, loop.KernelOp))
    limits = replace(target_limits("opencl"), max_upcast=16, max_copies=64)
    apply_action(kernel, Action("upcast", 0, 4), limits)
    apply_action(kernel, Action("upcast", 1, 4), limits)
    assert "outputs per thread" in check_action(kernel, Action("upcast", 1, 2), limits)
    assert check_action(kernel, Action("unroll", 2, 4), limits) is None  # 64 copies, 16 outputs
    assert "copies of the body" in check_action(kernel, Action("unroll", 2, 8), limits)


def test_default_heuristics_choose_actions_per_target() -> None:
    """The default pipeline optimizes: a matmul gets a register tile on cpu and work-groups on opencl."""
    from tinyir.ir import parse_module
    from tinyir.registry import default_pipeline

    text = """func.func @main(%a: tensor<128x32xf32>, %b: tensor<32x128xf32>) -> tensor<128x128xf32> {
      %c = tir.matmul %a, %b : tensor<128x32xf32>, tensor<32x128xf32> -> tensor<128x128xf32>
      func.return %c : tensor<128x128xf32>
    }"""
    for device, lower, expect in (("cpu", "uop-to-llvm", "upcast"), ("opencl", "uop-to-opencl", "local")):
        module = parse_module(text)
        specs = default_pipeline(device, lower)
        run_passes(module, specs[: specs.index("loop-to-uop")])
        kernels = [k for k in module.walk() if isinstance(k, loop.KernelOp)]
        chosen = [k.attributes["actions"].data for k in kernels if "actions" in k.attributes]
        assert chosen and all(expect in c for c in chosen), (device, chosen)


@pytest.fixture(scope="module")
def cuda_available() -> None:
    from tinyir.runtime.executor import get_device

    try:
        get_device("cuda")
    except Exception as exc:  # no GPU, or neither pycuda nor cuda-bindings
        pytest.skip(f"no CUDA GPU here ({exc}); run `pytest -m cuda` on the GPU machine")


@pytest.mark.cuda
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.stem)
def test_corpus_with_random_actions_on_cuda(path, cuda_available) -> None:
    program = load(path)
    actual, expected, types, options = run_with_actions(program, "cuda", zlib.crc32(program.name.encode()))
    check(f"{program.name} with {options}", actual, expected, types)


@pytest.mark.cuda
@pytest.mark.parametrize("seed", range(6))
def test_random_program_with_random_actions_on_cuda(seed: int, cuda_available) -> None:
    program = random_program(100 + seed)
    actual, expected, types, options = run_with_actions(program, "cuda", seed)
    check(f"{program.name} with {options}:\n{program.text}", actual, expected, types)


def _matmul_kernel(prologue_ops: int):
    """The loop kernel of `(a transformed by `prologue_ops` elementwise ops) @ b`, 512x256x128."""
    from tinyir.ir import parse_module
    from tinyir.registry import CORE_PIPELINE

    chain, x = [], "%a"
    for i in range(prologue_ops // 2):
        chain += [f"  %m{i} = tir.mul {x}, %s : tensor<512x128xf32>", f"  %p{i} = tir.add %m{i}, %a : tensor<512x128xf32>"]
        x = f"%p{i}"
    module = parse_module("func.func @main(%a: tensor<512x128xf32>, %s: tensor<512x128xf32>, %b: tensor<128x256xf32>)"
                          " -> tensor<512x256xf32> {\n" + "\n".join(chain)
                          + f"\n  %c = tir.matmul {x}, %b : tensor<512x128xf32>, tensor<128x256xf32> -> tensor<512x256xf32>"
                          "\n  func.return %c : tensor<512x256xf32>\n}")
    run_passes(module, CORE_PIPELINE[: CORE_PIPELINE.index("loop-to-uop")])
    return next(k for k in module.walk() if isinstance(k, loop.KernelOp))


def test_gpu_register_tiles_keep_within_a_body_budget() -> None:
    """GPU-TILE-OPS: a matmul keeps its 8x8 register tile on cuda; one with a long fused prologue
    gets fewer outputs per thread, so its copies of the body stay within GPU_TILE_OPS ops."""
    import math

    from tinyir.passes.kernel_heuristics import GPU_TILE_OPS, choose_actions

    limits = target_limits("cuda", "sm_90a")
    plain = _matmul_kernel(0)
    outputs = math.prod(a.amount for a in choose_actions(plain, "cuda", limits) if a.kind == "upcast")
    assert outputs == 64
    fused = _matmul_kernel(160)
    body = sum(1 for _ in fused.body.block.ops)
    actions = choose_actions(fused, "cuda", limits)
    outputs = math.prod(a.amount for a in actions if a.kind == "upcast")
    assert any(a.kind == "local" for a in actions) and 1 < outputs < 64
    assert outputs * body <= GPU_TILE_OPS < 2 * outputs * body, (body, actions)
