"""The tc heuristics on cuda with pipelined staging (issue 10): f16/bf16 matmuls get
`TC_PIPELINED_TILE` (a 128 x 128 block tile of 64 x 64 warp tiles, k chunks of 64) and `uop-async-copy`
gives their tiles the target's `copy_stages` buffers in dynamic shared memory. Checked on the uop
interpreter against numpy, and the default kernel's PTX by ptxas (no spills)."""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pytest

from tinyir.dialects import uop
from tinyir.passes import kernel_heuristics
from tinyir.registry import default_pipeline
from tinyir.runtime.executor import run_passes
from tinyir.runtime.uop_interp import run_program
from tinyir.targets.ptx.emit import emit_module
from test_tensor_cores import actions_of, check, inputs, matmul, uop_level
from test_kernel_optimize import cuda_available  # noqa: F401  (fixture)

PIPELINED = "tc:2:0,upcast:1:8,upcast:0:4,local:0:2,local:1:2,unroll:2:2,stage:2:2"


def test_cuda_limits_pipeline_three_stages() -> None:
    from tinyir.passes.kernel_optimize import target_limits

    limits = target_limits("cuda")
    assert limits.async_copy and limits.copy_stages == 3
    assert kernel_heuristics.TC_PIPELINED_TILE.n_tiles * kernel_heuristics.TC_PIPELINED_TILE.m_tiles == 32


@pytest.mark.parametrize("ty", ["f16", "bf16"])
def test_default_tiles_pipelined_on_the_interpreter(ty: str) -> None:
    m, k, n = 256, 256, 128  # two blocks of 128 x 128, 4 chunks of 64 (more than the 3 stages)
    module = matmul(m, k, n, ty)
    uop_level(module)
    assert actions_of(module) == [PIPELINED]
    # bf16 too: its copies are merged into 4-wide vectors (uop-vectorize's bf16_copies), two a 16-byte cp.async
    waits = [op.pending.value.data for op in module.walk() if isinstance(op, uop.AsyncWaitOp)]
    assert waits == [1, 0]
    tiles = sum(op.result.type.size() * 2 for op in module.walk() if isinstance(op, uop.DefineLocalOp))
    assert tiles > 48 * 1024  # 3 buffers of 128 x 64 + 64 x 128 (padded): dynamic shared memory
    a, b = inputs([(m, k), (k, n)], ty)
    (got,) = run_program(module, [a, b])
    check(got, a.astype(np.float64) @ b.astype(np.float64), ty)


def test_sm_86_takes_the_smaller_tile() -> None:
    # sm_86: 101376 bytes a block: the 36 KB stages of the pipelined tile do not fit 3 times; the
    # 128 x 64 tile (TC_TILE) does, and uop-async-copy still pipelines it
    module = matmul(256, 256, 256, "f16")
    specs = default_pipeline("cuda", "uop-to-ptx{arch=sm_86}")
    specs = [s.replace("target=cuda", "target=cuda arch=sm_86") for s in specs]
    run_passes(module, specs[:-2])
    assert actions_of(module) == ["tc:2:0,upcast:1:4,upcast:0:4,local:0:2,local:1:2,unroll:2:2,stage:2:2"]
    assert [op.pending.value.data for op in module.walk() if isinstance(op, uop.AsyncWaitOp)] == [1, 0]


@pytest.mark.skipif(shutil.which("ptxas") is None, reason="needs ptxas")
@pytest.mark.parametrize("ty", ["f16", "bf16"])
@pytest.mark.parametrize("arch", ["sm_80", "sm_90a"])
def test_default_matmul_kernel_assembles_without_spills(ty: str, arch: str, tmp_path) -> None:
    module = matmul(4096, 4096, 4096, ty)
    run_passes(module, default_pipeline("cuda", f"uop-to-ptx{{arch={arch}}}"))
    text = emit_module(module)
    (tmp_path / "k.ptx").write_text(text)
    run = subprocess.run(["ptxas", f"-arch={arch}", "-v", str(tmp_path / "k.ptx"), "-o", str(tmp_path / "k.cubin")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "0 bytes spill stores, 0 bytes spill loads" in run.stderr, run.stderr
    assert int(re.search(r"Used (\d+) registers", run.stderr).group(1)) <= 255
    assert "cp.async.wait_group 1;" in text and ".extern .shared" in text


@pytest.mark.cuda
@pytest.mark.parametrize("ty", ["f16", "bf16"])
@pytest.mark.parametrize("shape", [(256, 160, 128), (1000, 1000, 1000), (512, 512, 512)])
def test_default_pipelined_matmul_on_cuda(shape, ty: str, cuda_available) -> None:
    from tinyir.runtime.executor import compile_program

    m, k, n = shape
    a, b = inputs([(m, k), (k, n)], ty)
    got = compile_program(matmul(m, k, n, ty), "cuda").run([a, b])[0]
    check(got, a.astype(np.float64) @ b.astype(np.float64), ty)
