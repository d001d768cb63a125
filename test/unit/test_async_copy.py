"""`uop-async-copy` (tinyir/passes/async_copy.py): staged tiles pipelined through asynchronous copies in
2 to 4 buffers (cp.async on cuda). Kernels run on the uop interpreter, whose async copies land only at a wait, so a
missing or misplaced wait shows as a wrong result; PTX is assembled by ptxas; cuda runs are marked."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest

from tinyir.dialects import uop
from tinyir.ir import parse_module
from tinyir.passes import stage
from tinyir.registry import default_pipeline
from tinyir.runtime.executor import compile_program, run_passes
from tinyir.runtime.uop_interp import UopInterpreterError, run_program
from tinyir.targets.ptx.emit import emit_module
from test_kernel_optimize import cuda_available  # noqa: F401  (fixture)

UOP = ["tensor-decompose", "split-reduce", "schedule-kernels", "fold-views", "shapetracker-to-loop", None,
       "loop-to-uop", "uop-simplify", "uop-vectorize{width=4}"]


def matmul(m: int, k: int, n: int, ty: str):
    a, b, c = f"tensor<{m}x{k}x{ty}>", f"tensor<{k}x{n}x{ty}>", f"tensor<{m}x{n}x{ty}>"
    return parse_module(f"""func.func @main(%a: {a}, %b: {b}) -> {c} {{
      %0 = tir.matmul %a, %b : {a}, {b} -> {c}
      func.return %0 : {c}
    }}""")


def lowered(shape, ty: str, actions: str, async_copy: bool = True, stages: int = 2, unroll: int = 0):
    module = matmul(*shape, ty)
    specs = [p or f'kernel-optimize{{target=cuda actions="{actions}"}}' for p in UOP]
    run_passes(module, specs + ([f"uop-async-copy{{stages={stages} unroll={unroll}}}"] if async_copy else []))
    return module


def inputs(shape, ty: str):
    m, k, n = shape
    rng = np.random.default_rng(0)
    dt = {"f32": np.float32, "f16": np.float16}[ty]
    return rng.standard_normal((m, k)).astype(dt), rng.standard_normal((k, n)).astype(dt)


def count(module, cls) -> int:
    return sum(isinstance(op, cls) for op in module.walk())


CASES = [((64, 48, 32), "f32", "local:0:8,local:1:8,stage:2:8", 1),            # scalar 4-byte copies
         ((64, 48, 32), "f32", "local:0:8,local:1:8,stage:2:8,upcast:1:4", 4),  # 16-byte vectors
         ((64, 64, 32), "f16", "tc:2:0,local:0:2,stage:2:2", 4),               # 8-byte vectors, ldmatrix reads
         ((64, 128, 32), "f16", "tc:2:0,upcast:1:2,local:0:2,unroll:2:2,stage:2:2", 4)]


@pytest.mark.parametrize("stages", [2, 3, 4])
@pytest.mark.parametrize("shape,ty,actions,vector", CASES, ids=[c[2] for c in CASES])
def test_pipelined_tiles_match_numpy(shape, ty, actions, vector, stages, monkeypatch) -> None:
    monkeypatch.setattr(stage, "COPY_VECTOR", vector)
    module = lowered(shape, ty, actions, stages=stages)
    waits = [op.pending.value.data for op in module.walk() if isinstance(op, uop.AsyncWaitOp)]
    assert count(module, uop.AsyncCopyOp) > 0 and waits == [stages - 2, 0]
    assert count(module, uop.AsyncCommitOp) == stages  # one a prologue chunk, one in the loop
    assert count(module, uop.BarrierOp) == 1  # the chunk's closing barrier went
    a, b = inputs(shape, ty)
    (got,) = run_program(module, [a, b])
    want = a.astype(np.float64) @ b.astype(np.float64)
    np.testing.assert_allclose(got.astype(np.float64), want, rtol=1e-2 if ty == "f16" else 1e-5,
                               atol=2e-2 if ty == "f16" else 1e-5)


@pytest.mark.parametrize("stages", [2, 3, 4])
@pytest.mark.parametrize("change", ["no wait", "one group too few"])
def test_without_the_wait_the_interpreter_reads_stale_tiles(stages, change, monkeypatch) -> None:
    monkeypatch.setattr(stage, "COPY_VECTOR", 1)
    shape, actions = (64, 48, 32), "local:0:8,local:1:8,stage:2:8"  # 6 chunks
    module = lowered(shape, "f32", actions, stages=stages)
    wait = next(op for op in module.walk() if isinstance(op, uop.AsyncWaitOp))  # the loop's (the last waits for all)
    assert wait.pending.value.data == stages - 2
    if change == "no wait":
        wait.detach()
        wait.erase()
    else:  # waits until S-1 groups are in flight: chunk c has not landed yet
        wait.properties["pending"] = type(wait.pending)(stages - 1, wait.pending.type)
    a, b = inputs(shape, "f32")
    try:
        (got,) = run_program(module, [a, b])
    except UopInterpreterError as exc:  # or a chunk lands late, over a buffer others read since the barrier
        assert "a race" in str(exc)
        return
    assert not np.allclose(got, a.astype(np.float64) @ b.astype(np.float64), atol=1e-3)


@pytest.mark.parametrize("stages", [2, 3])
def test_a_copy_into_a_buffer_still_read_is_a_race(stages, monkeypatch) -> None:
    # chunk c+S-1's copies issued before the barrier (not after): they overwrite the buffer that chunk
    # c-1 was read from while other work-items may still read it
    monkeypatch.setattr(stage, "COPY_VECTOR", 1)
    shape, actions = (64, 48, 32), "local:0:8,local:1:8,stage:2:8"
    module = lowered(shape, "f32", actions, stages=stages)
    (barrier,) = [op for op in module.walk() if isinstance(op, uop.BarrierOp)]
    wait = barrier.prev_op
    assert isinstance(wait, uop.AsyncWaitOp)
    while not isinstance(barrier.next_op, uop.AsyncCommitOp):
        moved = barrier.next_op
        moved.detach()
        barrier.parent.insert_op_before(moved, wait)
    commit = barrier.next_op
    commit.detach()
    barrier.parent.insert_op_before(commit, wait)
    a, b = inputs(shape, "f32")
    with pytest.raises(UopInterpreterError, match="copies into local memory"):
        run_program(module, [a, b])


@pytest.mark.parametrize("stages", [2, 4])
@pytest.mark.parametrize("shape,ty,actions,vector", CASES, ids=[c[2] for c in CASES])
def test_unrolled_k_steps_match_numpy(shape, ty, actions, vector, stages, monkeypatch) -> None:
    # the chunk's inner loop (its k steps, at most 8 here) becomes copies of its body: one loop left
    monkeypatch.setattr(stage, "COPY_VECTOR", vector)
    module = lowered(shape, ty, actions, stages=stages, unroll=8)
    assert count(module, uop.RangeOp) == 1
    a, b = inputs(shape, ty)
    (got,) = run_program(module, [a, b])
    want = a.astype(np.float64) @ b.astype(np.float64)
    np.testing.assert_allclose(got.astype(np.float64), want, rtol=1e-2 if ty == "f16" else 1e-5,
                               atol=2e-2 if ty == "f16" else 1e-5)


def test_fewer_chunks_than_stages(monkeypatch) -> None:
    # 2 chunks and 4 stages: the prologue's third group is empty, the loop's copies are gated off
    monkeypatch.setattr(stage, "COPY_VECTOR", 1)
    shape = (64, 16, 32)
    module = lowered(shape, "f32", "local:0:8,local:1:8,stage:2:8", stages=4)
    assert count(module, uop.AsyncCommitOp) == 4
    a, b = inputs(shape, "f32")
    (got,) = run_program(module, [a, b])
    np.testing.assert_allclose(got, a.astype(np.float64) @ b.astype(np.float64), rtol=1e-5, atol=1e-5)


def test_loops_it_cannot_double_buffer_are_left_alone(monkeypatch) -> None:
    # f16 scalar copies are 2 bytes (cp.async copies 4, 8 or 16)
    monkeypatch.setattr(stage, "COPY_VECTOR", 1)
    assert count(lowered((64, 64, 32), "f16", "tc:2:0,local:0:2,stage:2:2"), uop.AsyncCopyOp) == 0
    # 64 threads copy a 32-element tile: the copies past its end are gated off (no skip in cp.async here)
    assert count(lowered((64, 48, 32), "f32", "local:0:8,local:1:8,stage:2:4"), uop.AsyncCopyOp) == 0
    # the doubled tiles must fit the local memory budget: one byte short, then exactly
    module = lowered((64, 64, 64), "f32", "local:0:8,local:1:8,upcast:0:4,upcast:1:4,stage:2:16", async_copy=False)
    used = sum(op.result.type.size() * 4 for op in module.walk() if isinstance(op, uop.DefineLocalOp))
    run_passes(module, [f"uop-async-copy{{max_bytes={2 * used - 1}}}"])
    assert count(module, uop.AsyncCopyOp) == 0
    run_passes(module, [f"uop-async-copy{{max_bytes={2 * used} stages=2}}"])
    assert count(module, uop.AsyncCopyOp) > 0


@pytest.mark.parametrize("room,stages", [(2, 2), (3, 3), (4, 4), (5, 4)])
def test_as_many_stages_as_fit(room, stages, monkeypatch) -> None:
    # 4 stages asked for; `room` copies of the tiles fit: the most stages up to 4 that fit
    monkeypatch.setattr(stage, "COPY_VECTOR", 1)
    module = lowered((64, 64, 64), "f32", "local:0:8,local:1:8,stage:2:8", async_copy=False)
    used = sum(op.result.type.size() * 4 for op in module.walk() if isinstance(op, uop.DefineLocalOp))
    run_passes(module, [f"uop-async-copy{{max_bytes={room * used} stages=4}}"])
    locals_ = sum(op.result.type.size() * 4 for op in module.walk() if isinstance(op, uop.DefineLocalOp))
    assert locals_ == stages * used and count(module, uop.AsyncCommitOp) == stages


def test_the_cuda_pipeline_pipelines() -> None:
    assert any(p.startswith("uop-async-copy") for p in default_pipeline("cuda", "uop-to-ptx"))
    assert not any(p.startswith("uop-async-copy") for p in default_pipeline("opencl", "uop-to-opencl"))


def test_stages_and_arch_reach_the_pass_through_lower_to_ptx() -> None:
    from tinyir.passes.async_copy import UopAsyncCopy
    from tinyir.tools.pipeline import PipelineError, build_pipeline

    (copy,) = [p for p in build_pipeline("lower-to-ptx{arch=sm_86 stages=3}") if isinstance(p, UopAsyncCopy)]
    assert (copy.arch, copy.stages, copy.target) == ("sm_86", 3, "cuda")
    with pytest.raises(PipelineError, match="stages must be 2 or more"):
        build_pipeline("uop-async-copy{stages=1}")


@pytest.mark.skipif(shutil.which("ptxas") is None, reason="needs ptxas")
@pytest.mark.parametrize("arch,stages", [("sm_80", 2), ("sm_90a", 3), ("sm_80", 4)])
@pytest.mark.parametrize("shape,ty,actions,vector", CASES, ids=[c[2] for c in CASES])
def test_cp_async_assembles(shape, ty, actions, vector, arch, stages, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(stage, "COPY_VECTOR", vector)
    monkeypatch.setattr(stage, "COPY_RUN_BYTES", 2 * vector)  # f16 tiles too: runs of `vector` (16 bytes: test_tc_copies)
    module = lowered(shape, ty, actions, stages=stages)
    run_passes(module, ["uop-emulate-bf16", f"uop-to-ptx{{arch={arch}}}"])
    text = emit_module(module)
    assert "cp.async.commit_group;" in text and f"cp.async.wait_group {stages - 2};" in text
    assert ("cp.async.cg.shared.global" if vector * {"f32": 4, "f16": 2}[ty] == 16 else "cp.async.ca.shared.global") in text
    (tmp_path / "k.ptx").write_text(text)
    run = subprocess.run(["ptxas", f"-arch={arch}", str(tmp_path / "k.ptx"), "-o", str(tmp_path / "k.cubin")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


@pytest.mark.cuda
@pytest.mark.parametrize("shape,ty,actions,vector", CASES, ids=[c[2] for c in CASES])
def test_double_buffered_on_cuda(shape, ty, actions, vector, monkeypatch, cuda_available) -> None:
    monkeypatch.setattr(stage, "COPY_VECTOR", vector)
    a, b = inputs(shape, ty)
    got = compile_program(matmul(*shape, ty), "cuda", f'actions="{actions}"').run([a, b])[0]
    want = a.astype(np.float64) @ b.astype(np.float64)
    np.testing.assert_allclose(got.astype(np.float64), want, rtol=1e-2 if ty == "f16" else 1e-5,
                               atol=2e-2 if ty == "f16" else 1e-5)


def test_async_copy_verifier() -> None:
    from xdsl.utils.exceptions import VerifyException

    text = open(__file__.replace("unit/test_async_copy.py", "lit/uop-async-copy/roundtrip.mlir")).read()
    parse_module(text).verify()
    for old, new, message in [("uop.async_copy %t[%i], %in", "uop.async_copy %out[%i], %in", "define_local tile"),
                              (": 4 x", ": 3 x", "copies 1, 2 or 4 elements")]:
        with pytest.raises(VerifyException, match=message):
            parse_module(text.replace(old, new)).verify()
