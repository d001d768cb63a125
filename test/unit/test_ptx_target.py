"""The PTX target without a GPU: every corpus program is lowered to PTX and assembled by `ptxas`
for sm_80 and sm_90 (a missing ptxas FAILS the test unless TINYIR_ALLOW_MISSING_TOOLS=1), plus
checks of the lowering, the options and the errors. Runs on the GPU are in test_cuda_device below
(marker `cuda`) and test/gpu/run_on_gpu.sh."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest

from tinyir.errors import TinyirError
from tinyir.ir import make_context, parse_module
from tinyir.registry import CORE_PIPELINE
from tinyir.targets.base import KernelSource
from tinyir.runtime.executor import run_passes
from tinyir.targets.ptx import TARGET
from tinyir.targets.ptx import dialect as ptx
from tinyir.targets.ptx.emit import emit_kernel, emit_module
from tinyir.targets.ptx.lower import UopToPTX

from corpus import corpus_files, load

CORPUS = corpus_files()


def _ptxas() -> str | None:
    """Path of ptxas; a missing one fails the test unless missing tools are allowed (then skip)."""
    found = shutil.which("ptxas") or next((p for p in ("/usr/local/cuda/bin/ptxas",) if os.path.exists(p)), None)
    if found is None:
        reason = "ptxas not found on PATH or in /usr/local/cuda/bin: the PTX could not be assembled"
        if os.environ.get("TINYIR_ALLOW_MISSING_TOOLS") == "1":
            pytest.skip(reason)
        pytest.fail(reason + " (set TINYIR_ALLOW_MISSING_TOOLS=1 to skip instead)")
    return found


def assemble(text: str, arch: str) -> None:
    """Assemble PTX text with ptxas for `arch`; fails the test with ptxas' message."""
    tool = _ptxas()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "k.ptx")
        path.write_text(text)
        done = subprocess.run([tool, f"-arch={arch}", str(path), "-o", str(Path(tmp, "k.cubin"))],
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"ptxas -arch={arch} rejected the PTX:\n{done.stderr}\n{text}"


def lower_program(text: str, name: str = "<test>", **options) -> object:
    module = parse_module(text, name)
    run_passes(module, CORE_PIPELINE)
    UopToPTX(**options).apply(make_context(), module)
    module.verify()
    return module


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_corpus_assembles(path: Path) -> None:
    """Each corpus program: one PTX module for sm_80 (ISA 8.0) and one for sm_90 (ISA 9.0), both assembled."""
    program = load(path)
    for arch, version in (("sm_80", "8.0"), ("sm_90", "9.0")):
        module = lower_program(program.text, program.name, arch=arch, ptx_version=version)
        kernels = [op for op in module.walk() if isinstance(op, ptx.KernelOp)]
        if not kernels:  # a program that only returns its input has no kernel
            continue
        text = emit_module(module)
        assert f".target {arch}" in text and f".version {version}" in text
        assemble(text, arch)


def test_kernel_source_launch_sizes() -> None:
    module = lower_program("""
func.func @main(%a: tensor<3x200xf32>) -> tensor<3x200xf32> {
  %0 = tir.exp2 %a : tensor<3x200xf32>
  func.return %0 : tensor<3x200xf32>
}""")
    kernel = next(op for op in module.walk() if isinstance(op, ptx.KernelOp))
    source = emit_kernel(kernel)
    assert source.global_size == (200, 3) and source.local_size == (128, 1, 1)
    assert source.arg_dtypes == ("float32", "float32")
    # 200 is not a multiple of the 128-thread block: threads past the end return
    assert "setp.ge.s32" in source.text and "ret;" in source.text
    for register in ("%ctaid.x", "%ntid.x", "%tid.x", "%ctaid.y", "%ntid.y", "%tid.y"):
        assert f", {register};" in source.text
    assert "ex2.approx.f32" in source.text


def test_launch_grid_rounds_up() -> None:
    from tinyir.runtime.cuda import launch_grid

    source = KernelSource("k", "", global_size=(200, 3), local_size=(128, 1, 1))
    assert launch_grid(source) == ((2, 3, 1), (128, 1, 1))
    assert launch_grid(KernelSource("k", "", global_size=(1,))) == ((1, 1, 1), (1, 1, 1))


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match="arch must be one of"):
        UopToPTX(arch="sm_70")
    with pytest.raises(ValueError, match="ptx-version must be one of"):
        UopToPTX(ptx_version="7.8")
    assert UopToPTX(arch="sm_90a", ptx_version="9.0").arch == "sm_90a"


def test_target_description() -> None:
    assert TARGET.name == "cuda" and TARGET.lower_pass == "uop-to-ptx" and TARGET.kernel_op == "ptx.kernel"


def test_cuda_device_error_without_gpu() -> None:
    """Where neither pycuda nor cuda-bindings can reach a GPU, the device says so clearly."""
    try:
        TARGET.device()
    except TinyirError as exc:
        assert "cuda" in str(exc).lower()
    else:  # pragma: no cover - only on a machine with a GPU
        pytest.skip("a CUDA device is present here")


@pytest.fixture(scope="module")
def cuda_device():
    """The cuda device; without a GPU (or pycuda/cuda-bindings) the `cuda` tests skip, naming why."""
    from tinyir.runtime.executor import get_device

    try:
        return get_device("cuda")
    except TinyirError as exc:
        pytest.skip(f"no CUDA GPU here ({exc}); run `pytest -m cuda` or test/gpu/run_on_gpu.sh on the GPU machine")


@pytest.mark.cuda
@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_corpus_on_cuda(path: Path, cuda_device) -> None:
    """On an NVIDIA GPU: the program's outputs match numpy (`pytest -m cuda`)."""
    from tinyir.runtime.executor import run

    program = load(path)
    module = program.module()
    inputs = program.make_inputs(0, module)
    got = run(module, inputs, device="cuda")
    for g, want in zip(got, program.expected(inputs, module)):
        want = np.asarray(want)
        if want.dtype.kind == "f":
            tol = 2e-2 if want.dtype == np.float16 else 2e-3  # ex2/lg2/sin.approx, f16 rounding
            np.testing.assert_allclose(g.astype(np.float64), want.astype(np.float64), rtol=tol, atol=tol)
        else:
            np.testing.assert_array_equal(g, want.astype(g.dtype))
