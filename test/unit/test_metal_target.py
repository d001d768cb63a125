"""The Metal target: every corpus program lowered with uop-to-metal, printed as MSL, and compiled by the
system C++ compiler against test/metal/metal_stub.h, a header declaring the Metal pieces the kernels use.

This is a syntax and type check only: there is no Metal compiler or Apple GPU here, so nothing runs, and
the stub cannot catch what only Metal's compiler would reject."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from corpus import corpus_files, load
from tinyir.diagnostics import DiagnosticError
from tinyir.ir import make_context, parse_module
from tinyir.registry import CORE_PIPELINE
from tinyir.runtime.executor import run_passes
from tinyir.targets.metal import TARGET
from tinyir.targets.metal import dialect as metal
from tinyir.targets.metal.emit import emit_kernel, emit_module
from tinyir.targets.metal.lower import UopToMetal

STUB = Path(__file__).resolve().parents[1] / "metal" / "metal_stub.h"


@pytest.fixture(scope="module")
def cxx_check(tmp_path_factory):
    """A function that syntax- and type-checks MSL text with g++ and the stub header."""
    compiler = shutil.which(os.environ.get("CXX", "g++"))
    if compiler is None:
        message = "cannot check MSL kernels: no C++ compiler (g++ or $CXX) on PATH"
        if os.environ.get("TINYIR_ALLOW_MISSING_TOOLS") == "1":
            pytest.skip(message)
        pytest.fail(message + " (set TINYIR_ALLOW_MISSING_TOOLS=1 to skip)")
    include = tmp_path_factory.mktemp("metal_include")
    (include / "metal_stdlib").write_text("// stands in for Metal's <metal_stdlib>: see metal_stub.h\n")

    def check(text: str, name: str) -> None:
        source = include.parent / f"{name}.metal"
        source.write_text(text)
        done = subprocess.run([compiler, "-std=c++17", "-fsyntax-only", "-Wall", "-Werror", "-x", "c++",
                               "-I", str(include), "-include", str(STUB), str(source)], capture_output=True, text=True)
        assert done.returncode == 0, f"{name}: g++ rejects the MSL:\n{done.stderr}\n{text}"

    return check


def lowered(text: str, **options):
    module = parse_module(text)
    run_passes(module, CORE_PIPELINE)
    UopToMetal(**options).apply(make_context(), module)
    module.verify()
    return module


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.stem)
def test_corpus_kernels_pass_the_cxx_check(path, cxx_check) -> None:
    module = lowered(load(path).text)
    kernels = [op for op in module.walk() if isinstance(op, metal.KernelOp)]
    assert kernels, f"{path.stem}: no metal.kernel"
    cxx_check(emit_module(module), path.stem)


F16_SUM = """
func.func @main(%a: tensor<3x5xf16>) -> tensor<3xf16> {
  %s = tir.reduce_sum %a [1] : tensor<3x5xf16> -> tensor<3xf16>
  func.return %s : tensor<3xf16>
}
"""


def test_kernel_source_and_version() -> None:
    module = lowered(F16_SUM, msl_version="2.4")
    kernel = next(op for op in module.walk() if isinstance(op, metal.KernelOp))
    source = emit_kernel(kernel)
    assert source.global_size == (3,) and source.arg_dtypes == ("float16", "float16")
    assert source.text.startswith("// Metal Shading Language 2.4\n#include <metal_stdlib>")
    assert "device half* data0 [[buffer(0)]], device const half* data1 [[buffer(1)]]" in source.text
    assert "uint3 gid [[thread_position_in_grid]]" in source.text
    # an f16 sum accumulates in f32 (shapetracker-to-loop) and is rounded to half once, at the store
    assert "float acc0 = 0.0f;" in source.text and "for (int ridx0 = 0; ridx0 < 5; ridx0++) {" in source.text
    assert "half val5 = static_cast<half>(acc0);" in source.text
    assert TARGET.kernel_op == "metal.kernel" and TARGET.device is None


def test_unknown_msl_version_is_a_lowering_error() -> None:
    with pytest.raises(DiagnosticError, match="unknown MSL version '1.0'"):
        lowered(F16_SUM, msl_version="1.0")


def test_the_cxx_check_rejects_what_metal_would(cxx_check) -> None:
    """The stub is strict enough to matter: a size-changing as_type and an undeclared function fail."""
    bad_size = "kernel void k(device int* d [[buffer(0)]]) { d[0] = as_type<int>(half(1.0f)); }\n"
    unknown = "kernel void k(device float* d [[buffer(0)]]) { d[0] = metal::pow(d[0], 2.0f); }\n"
    for name, text in (("bad_size", bad_size), ("unknown", unknown)):
        with pytest.raises(AssertionError, match="g\\+\\+ rejects the MSL"):
            cxx_check(text, name)
