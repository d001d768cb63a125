"""The `stage` action: a reduce axis in chunks whose shared loads are copied into local memory once
per work-group (tinyir/passes/stage.py). Each result is compared with numpy on OpenCL and on the uop
interpreter, whose race check fails a kernel that reads a tile before every thread wrote it or
overwrites it while others still read it."""

from __future__ import annotations

import random
import zlib

import numpy as np
import pytest

from corpus import corpus_files, load, random_program
from test_corpus import check
from tinyir.dialects import loop, uop
from tinyir.ir import parse_module
from tinyir.passes.kernel_optimize import Action, KernelOptimizeError, apply_action, axes, check_action, target_limits
from tinyir.registry import default_pipeline
from tinyir.runtime.executor import compile_program, run_passes
from tinyir.runtime.reference import entry_function
from tinyir.runtime.uop_interp import UopInterpreterError, run_program
from test_kernel_optimize import cuda_available  # noqa: F401  (fixture)
from test_metal_target import cxx_check  # noqa: F401  (fixture)


def matmul(m: int, k: int, n: int):
    return parse_module(f"""func.func @main(%a: tensor<{m}x{k}xf32>, %b: tensor<{k}x{n}xf32>) -> tensor<{m}x{n}xf32> {{
      %0 = tir.matmul %a, %b : tensor<{m}x{k}xf32>, tensor<{k}x{n}xf32> -> tensor<{m}x{n}xf32>
      func.return %0 : tensor<{m}x{n}xf32>
    }}""")


def conv(x: tuple[int, ...], w: tuple[int, ...]):
    """conv2d 3x3 with padding 1 (its padded loads are gated: a staged copy must copy their zeros)."""
    from tinyir import Tensor
    from tinyir.frontend.realize import build_function, collect

    inputs = [Tensor(np.zeros(x, np.float32), device="reference"), Tensor(np.zeros(w, np.float32), device="reference")]
    out = inputs[0].conv2d(inputs[1], padding=1)
    module, _ = build_function(collect([out.lazydata], lambda node: node.realized is not None))
    return module


def conv_numpy(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    padded = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (1, 1), (1, 1)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, w.shape[2:], axis=(2, 3))
    return np.einsum("nchwij,ocij->nohw", windows, w.astype(np.float64))


def uop_module(module, actions: str):
    specs = default_pipeline("opencl", "uop-to-opencl", f'actions="{actions}"')
    run_passes(module, specs[: specs.index("uop-to-opencl")])
    return module


MATMULS = [
    ((64, 32, 48), "upcast:1:4,local:1:4,local:0:8,upcast:0:2,unroll:2:2,stage:2:4"),  # tiles 128 and 128
    ((64, 32, 48), "local:1:4,local:0:8,stage:2:8"),
    ((64, 32, 48), "local:1:16,local:0:4,stage:2:0"),           # the whole axis: one chunk, no loop around it
    ((30, 12, 20), "local:1:5,local:0:3,stage:2:3"),            # 15 threads, tiles of 9 and 15: a gated last round
    ((16, 64, 16), "local:1:16,stage:2:16,unroll:2:2"),         # only one operand is shared (A along columns)
]


@pytest.mark.parametrize("shape,actions", MATMULS, ids=[a for _, a in MATMULS])
def test_staged_matmul_matches_numpy(shape, actions: str) -> None:
    m, k, n = shape
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((m, k)).astype(np.float32), rng.standard_normal((k, n)).astype(np.float32)
    want = a.astype(np.float64) @ b.astype(np.float64)
    got = compile_program(matmul(m, k, n), "opencl", f'actions="{actions}"').run([a, b])[0]
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
    (got,) = run_program(uop_module(matmul(m, k, n), actions), [a, b])
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


CONVS = ["local:2:4,local:0:8,local:1:4,upcast:0:2,stage:3:4",
         "local:2:4,local:0:8,local:1:4,upcast:0:2,unroll:5:0,unroll:4:0,stage:3:4",
         "local:2:8,local:0:4,stage:3:2,unroll:5:0"]


@pytest.mark.parametrize("actions", CONVS)
def test_staged_convolution_copies_padding_zeros(actions: str) -> None:
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((2, 16, 16, 16)).astype(np.float32), rng.standard_normal((16, 16, 3, 3)).astype(np.float32)
    want = conv_numpy(x, w)
    got = compile_program(conv(x.shape, w.shape), "opencl", f'actions="{actions}"').run([x, w])[0]
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
    (got,) = run_program(uop_module(conv(x.shape, w.shape), actions), [x, w])
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def test_copy_loads_and_barriers_are_placed_per_chunk() -> None:
    """Two tiles; per chunk: copy (one global load per element share), barrier, the chunk loop reading
    the tiles, barrier, then the next chunk."""
    module = uop_module(matmul(64, 32, 48), "local:1:4,local:0:8,stage:2:8")
    kernel = next(op for op in module.walk() if isinstance(op, uop.KernelOp))
    ops = list(kernel.body.block.ops)
    kinds = [type(op).__name__ for op in ops if isinstance(op, uop.RangeOp | uop.EndRangeOp | uop.BarrierOp)]
    assert kinds == ["RangeOp", "BarrierOp", "RangeOp", "EndRangeOp", "BarrierOp", "EndRangeOp"]
    tiles = [op for op in ops if isinstance(op, uop.DefineLocalOp)]
    assert [t.result.type.size() for t in tiles] == [64, 32]  # A: 8 rows x 8, B: 8 x 4 columns
    reads = [op for op in ops if isinstance(op, uop.LoadOp) and isinstance(op.buffer.owner, uop.DefineLocalOp)]
    assert len(reads) == 2


def test_missing_barrier_is_caught_by_the_interpreter() -> None:
    """Without the barrier that ends a chunk, the next chunk's copy overwrites a tile other threads
    still read: the interpreter's race check reports it (so the tests above would see a bad placement)."""
    module = uop_module(matmul(64, 32, 48), "local:1:4,local:0:8,stage:2:8")
    kernel = next(op for op in module.walk() if isinstance(op, uop.KernelOp))
    barriers = [op for op in kernel.body.block.ops if isinstance(op, uop.BarrierOp)]
    barriers[-1].detach()
    barriers[-1].erase()
    rng = np.random.default_rng(0)
    with pytest.raises(UopInterpreterError, match="race"):
        run_program(module, [rng.standard_normal((64, 32)).astype(np.float32),
                             rng.standard_normal((32, 48)).astype(np.float32)])


def loop_kernel(m: int = 64, k: int = 32, n: int = 48) -> loop.KernelOp:
    module = matmul(m, k, n)
    run_passes(module, ["tensor-decompose", "schedule-kernels", "fold-views", "shapetracker-to-loop"])
    return next(op for op in module.walk() if isinstance(op, loop.KernelOp))


def test_stage_refusals() -> None:
    opencl, cpu = target_limits("opencl"), target_limits("cpu")
    kernel = loop_kernel()
    assert "no work-groups" in check_action(kernel, Action("stage", 2, 4), cpu)
    assert "no local range" in check_action(kernel, Action("stage", 2, 4), opencl)
    assert "needs a reduce axis" in check_action(kernel, Action("stage", 0, 4), opencl)
    apply_action(kernel, Action("local", 0, 8), opencl)
    apply_action(kernel, Action("stage", 2, 4), opencl)
    assert "already has a group or stage range" in check_action(kernel, Action("stage", 2, 2), opencl)
    assert "already has a stage range" in check_action(kernel, Action("group", 2, 2), opencl)


def test_tiles_over_local_memory_are_one_clear_error() -> None:
    """The tiles' size is known only after the whole list (later upcasts widen them): checked at the end."""
    with pytest.raises(KernelOptimizeError, match=r"staged tiles need 69632 bytes of local memory, over the target's 32768"):
        compile_program(matmul(256, 256, 64), "opencl", 'actions="local:0:16,local:1:4,stage:2:0,upcast:0:4"')


def test_stage_with_random_programs() -> None:
    """Every corpus and random program kernel with a reduce and a global axis gets a local range and a
    staged chunk (plus a random upcast/unroll), and still matches the reference."""
    limits = target_limits("opencl")
    programs = [load(p) for p in corpus_files()] + [random_program(300 + s) for s in range(6)]
    staged = 0
    for program in programs:
        rng = random.Random(zlib.crc32(program.name.encode()))
        module = program.module()
        run_passes(module, ["tensor-decompose", "schedule-kernels", "fold-views", "shapetracker-to-loop"])
        options = []
        for kernel in [k for k in module.walk() if isinstance(k, loop.KernelOp)]:
            chosen: list[Action] = []
            for kind in ("local", "stage", "upcast", "unroll"):
                candidates = [Action(kind, a, amount) for a in range(len(axes(kernel))) for amount in (2, 3, 4, 0)]
                fitting = [c for c in candidates if check_action(kernel, c, limits) is None]
                if fitting:
                    chosen.append(action := rng.choice(fitting))
                    apply_action(kernel, action, limits)
            if any(a.kind == "stage" for a in chosen):
                staged += 1
                options.append(f'actions="{",".join(map(str, chosen))}" kernel={kernel.kernel_name.data}')
        if not options:
            continue
        fresh = program.module()
        inputs = program.make_inputs(0, fresh)
        expected = program.expected([x.copy() for x in inputs], fresh)
        types = list(entry_function(fresh).function_type.outputs)
        try:
            got = compile_program(fresh, "opencl", options).run(inputs)
        except KernelOptimizeError as exc:  # tiles over the local memory: refused, never wrong
            assert "local memory" in str(exc)
            continue
        check(f"{program.name} with {options}", got, expected, types)
    assert staged >= 10


@pytest.mark.cuda
@pytest.mark.parametrize("shape,actions", MATMULS, ids=[a for _, a in MATMULS])
def test_staged_matmul_on_cuda(shape, actions: str, cuda_available) -> None:
    m, k, n = shape
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((m, k)).astype(np.float32), rng.standard_normal((k, n)).astype(np.float32)
    got = compile_program(matmul(m, k, n), "cuda", f'actions="{actions}"').run([a, b])[0]
    np.testing.assert_allclose(got, a.astype(np.float64) @ b.astype(np.float64), rtol=1e-4, atol=1e-4)


@pytest.mark.cuda
@pytest.mark.parametrize("actions", CONVS)
def test_staged_convolution_on_cuda(actions: str, cuda_available) -> None:
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((2, 16, 16, 16)).astype(np.float32), rng.standard_normal((16, 16, 3, 3)).astype(np.float32)
    got = compile_program(conv(x.shape, w.shape), "cuda", f'actions="{actions}"').run([x, w])[0]
    np.testing.assert_allclose(got, conv_numpy(x, w), rtol=1e-4, atol=1e-4)


def test_staged_kernels_assemble_with_ptxas() -> None:
    """The PTX of staged kernels (shared tiles, bar.sync inside the chunk loop) is accepted by ptxas."""
    from test_ptx_target import assemble

    from tinyir.targets.ptx.emit import emit_module

    for module, actions in [(matmul(*shape), a) for shape, a in MATMULS] + [(conv((2, 16, 16, 16), (16, 16, 3, 3)), CONVS[1])]:
        specs = default_pipeline("cuda", "uop-to-ptx{arch=sm_90 ptx_version=9.0}", f'actions="{actions}"')
        run_passes(module, specs)
        text = emit_module(module)
        assert "bar.sync" in text and ".shared" in text
        assemble(text, "sm_90")


def test_default_matmul_copies_and_reads_tiles_as_vectors(monkeypatch) -> None:
    """The cuda heuristics stage a matmul; with copy runs of 4 the copy reads 4 neighbours as one
    vector load (where the tile's innermost dimension allows) and stores them as one vector; the
    chunk loop reads a thread's neighbouring operands as vectors."""
    from test_ptx_target import assemble

    from tinyir.targets.ptx.emit import emit_module

    from tinyir.passes import stage

    monkeypatch.setattr(stage, "COPY_VECTOR", 4)
    specs = default_pipeline("cuda", "uop-to-ptx{arch=sm_90 ptx_version=9.0}")
    module = matmul(512, 512, 512)
    run_passes(module, [p for p in specs if not p.startswith("uop-async-copy")])
    text = emit_module(module)
    assert "bar.sync" in text  # staged
    assert "ld.global.v4.f32" in text and "ld.shared.v4.f32" in text and "st.shared.v4.f32" in text
    assemble(text, "sm_90")
    # the default double-buffers the tiles where they fit twice: the runs of 4 are 16-byte cp.asyncs
    module = matmul(512, 512, 512)
    run_passes(module, specs)
    text = emit_module(module)
    assert "ld.shared.v4.f32" in text and "st.shared" not in text
    assert "cp.async.cg.shared.global" in text and ", 16, " in text
    assemble(text, "sm_90")


@pytest.mark.parametrize("shape,actions", MATMULS[:2], ids=[a for _, a in MATMULS[:2]])
def test_staged_kernels_for_metal_and_amdgpu(shape, actions: str, cxx_check) -> None:
    """Metal (threadgroup tiles, threadgroup_barrier inside the loop) passes the C++ check; AMDGPU
    (address space 3, s_barrier between fences) is assembled by LLVM for every arch."""
    from test_amdgpu_target import _backend_or_fail

    from tinyir.targets.amdgpu import dialect as amd
    from tinyir.targets.amdgpu.emit import compile_object, llvm_ir
    from tinyir.targets.llvm import dialect as ll
    from tinyir.targets.metal.emit import emit_module as emit_metal

    module = matmul(*shape)
    run_passes(module, default_pipeline("metal", "uop-to-metal", f'actions="{actions}"'))
    text = emit_metal(module)
    assert "threadgroup float" in text and text.count("threadgroup_barrier") == 2
    cxx_check(text, "staged")
    _backend_or_fail()
    module = matmul(*shape)
    run_passes(module, default_pipeline("amdgpu", "uop-to-amdgpu", f'actions="{actions}"'))
    for kernel in [op for op in module.walk() if isinstance(op, ll.KernelOp)]:
        ir = llvm_ir(kernel)
        assert "addrspace(3)" in ir and ir.count("call void @llvm.amdgcn.s.barrier") == 2
        for arch in amd.ARCHS:
            assert compile_object(ir, arch)[:4] == b"\x7fELF"


@pytest.mark.parametrize("shape,actions", MATMULS, ids=[a for _, a in MATMULS])
def test_vector_copy_runs_match_numpy(shape, actions: str, monkeypatch) -> None:
    """Copy runs of 4 (COPY_VECTOR) give the same results, with the interpreter's race check."""
    from tinyir.passes import stage

    monkeypatch.setattr(stage, "COPY_VECTOR", 4)
    m, k, n = shape
    m *= 2  # a program no earlier test compiled (compiled programs are cached by their IR)
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((m, k)).astype(np.float32), rng.standard_normal((k, n)).astype(np.float32)
    want = a.astype(np.float64) @ b.astype(np.float64)
    np.testing.assert_allclose(compile_program(matmul(m, k, n), "opencl", f'actions="{actions}"').run([a, b])[0],
                               want, rtol=1e-4, atol=1e-4)
    (got,) = run_program(uop_module(matmul(m, k, n), actions), [a, b])
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
