"""`uop-async-copy` (tinyir/passes/async_copy.py): staged tiles double-buffered with asynchronous copies
(cp.async on cuda). Kernels run on the uop interpreter, whose async copies land only at a wait, so a
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
from tinyir.runtime.uop_interp import run_program
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


def lowered(shape, ty: str, actions: str, async_copy: bool = True):
    module = matmul(*shape, ty)
    specs = [p or f'kernel-optimize{{target=cuda actions="{actions}"}}' for p in UOP]
    run_passes(module, specs + (["uop-async-copy"] if async_copy else []))
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


@pytest.mark.parametrize("shape,ty,actions,vector", CASES, ids=[c[2] for c in CASES])
def test_double_buffered_tiles_match_numpy(shape, ty, actions, vector, monkeypatch) -> None:
    monkeypatch.setattr(stage, "COPY_VECTOR", vector)
    module = lowered(shape, ty, actions)
    assert count(module, uop.AsyncCopyOp) > 0 and count(module, uop.AsyncWaitOp) == 2
    a, b = inputs(shape, ty)
    (got,) = run_program(module, [a, b])
    want = a.astype(np.float64) @ b.astype(np.float64)
    np.testing.assert_allclose(got.astype(np.float64), want, rtol=1e-2 if ty == "f16" else 1e-5,
                               atol=2e-2 if ty == "f16" else 1e-5)


def test_without_the_wait_the_interpreter_reads_stale_tiles(monkeypatch) -> None:
    monkeypatch.setattr(stage, "COPY_VECTOR", 1)
    shape, actions = (64, 48, 32), "local:0:8,local:1:8,stage:2:8"
    module = lowered(shape, "f32", actions)
    waits = [op for op in module.walk() if isinstance(op, uop.AsyncWaitOp) and op.pending.value.data == 1]
    for op in waits:
        op.detach()
        op.erase()
    a, b = inputs(shape, "f32")
    (got,) = run_program(module, [a, b])
    assert not np.allclose(got, a.astype(np.float64) @ b.astype(np.float64), atol=1e-3)


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
    run_passes(module, [f"uop-async-copy{{max_bytes={2 * used}}}"])
    assert count(module, uop.AsyncCopyOp) > 0


def test_the_cuda_pipeline_double_buffers() -> None:
    assert any(p.startswith("uop-async-copy") for p in default_pipeline("cuda", "uop-to-ptx"))
    assert not any(p.startswith("uop-async-copy") for p in default_pipeline("opencl", "uop-to-opencl"))


@pytest.mark.skipif(shutil.which("ptxas") is None, reason="needs ptxas")
@pytest.mark.parametrize("shape,ty,actions,vector", CASES, ids=[c[2] for c in CASES])
def test_cp_async_assembles(shape, ty, actions, vector, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(stage, "COPY_VECTOR", vector)
    module = lowered(shape, ty, actions)
    run_passes(module, ["uop-emulate-bf16", "uop-to-ptx{arch=sm_80}"])
    text = emit_module(module)
    assert "cp.async.commit_group;" in text and "cp.async.wait_group 1;" in text
    assert ("cp.async.cg.shared.global" if vector * {"f32": 4, "f16": 2}[ty] == 16 else "cp.async.ca.shared.global") in text
    (tmp_path / "k.ptx").write_text(text)
    run = subprocess.run(["ptxas", "-arch=sm_80", str(tmp_path / "k.ptx"), "-o", str(tmp_path / "k.cubin")],
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
