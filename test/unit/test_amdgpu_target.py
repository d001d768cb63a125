"""The AMDGPU target: every corpus kernel lowered with uop-to-amdgpu and assembled to an ELF object by
LLVM's AMDGPU backend (inside llvmlite) for gfx90a, gfx942 and gfx1100. There is no AMD GPU here, so
kernels are compiled, not run: this checks that the kernel ABI and the IR are accepted by the backend."""

from __future__ import annotations

import os

import pytest

from corpus import corpus_files, load
from tinyir.diagnostics import DiagnosticError
from tinyir.ir import make_context, parse_module
from tinyir.registry import CORE_PIPELINE
from tinyir.runtime.executor import run_passes
from tinyir.targets.amdgpu import TARGET
from tinyir.targets.amdgpu import dialect as amd
from tinyir.targets.amdgpu.emit import compile_object, emit_kernel, emit_module, llvm_ir
from tinyir.targets.amdgpu.lower import UopToAMDGPU
from tinyir.targets.llvm import dialect as ll


def _backend_or_fail() -> None:
    """Fail (or skip, with TINYIR_ALLOW_MISSING_TOOLS=1) when llvmlite has no AMDGPU backend."""
    from tinyir.targets.amdgpu.emit import target_machine

    try:
        target_machine("gfx942")
    except RuntimeError as exc:
        if os.environ.get("TINYIR_ALLOW_MISSING_TOOLS") == "1":
            pytest.skip(f"cannot assemble AMDGPU kernels: {exc}")
        pytest.fail(f"cannot assemble AMDGPU kernels: {exc} (set TINYIR_ALLOW_MISSING_TOOLS=1 to skip)")


def lowered(text: str, **options):
    module = parse_module(text)
    run_passes(module, CORE_PIPELINE)
    UopToAMDGPU(**options).apply(make_context(), module)
    module.verify()
    return module


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.stem)
def test_corpus_kernels_assemble_for_every_arch(path) -> None:
    _backend_or_fail()
    module = lowered(load(path).text)
    kernels = [op for op in module.walk() if isinstance(op, ll.KernelOp)]
    for kernel in kernels:
        assert kernel.calling_conv.data == "amdgpu_kernel" and kernel.triple.data == amd.TRIPLE
        assert all(a.type.addrspace.data == 1 for a in kernel.body.block.args)
        ir = llvm_ir(kernel)
        for arch in amd.ARCHS:
            obj = compile_object(ir, arch)
            assert obj[:4] == b"\x7fELF", f"{path.stem}/{kernel.sym_name.data}: not an ELF object for {arch}"
            assert kernel.sym_name.data.encode() in obj


SCALED = """
func.func @main(%a: tensor<1000xf32>) -> tensor<1000xf32> {
  %c = tir.constant dense<2.0> : tensor<1000xf32>
  %y = tir.mul %a, %c : tensor<1000xf32>
  func.return %y : tensor<1000xf32>
}
"""


def test_partial_workgroup_is_guarded_and_launch_sizes_are_reported() -> None:
    _backend_or_fail()
    module = lowered(SCALED, arch="gfx90a", block_size=128)
    kernel = next(op for op in module.walk() if isinstance(op, ll.KernelOp))
    ops = list(kernel.body.block.ops)
    guard = next(op for op in ops if isinstance(op, ll.IfBeginOp))
    assert isinstance(guard.cond.owner, ll.ICmpOp) and guard.cond.owner.predicate.data == "slt"
    source = emit_kernel(kernel)
    assert source.global_size == (1000,) and source.local_size == (128, 1, 1)
    assert ".amdgcn_target \"amdgcn-amd-amdhsa--gfx90a\"" in source.text
    assert "global_store_dword" in source.text and "s_endpgm" in source.text
    assert TARGET.lower_pass == "uop-to-amdgpu" and TARGET.device is None


def test_exact_grid_has_no_guard() -> None:
    module = lowered(SCALED.replace("1000", "1024"))
    kernel = next(op for op in module.walk() if isinstance(op, ll.KernelOp))
    assert not any(isinstance(op, ll.IfBeginOp) for op in kernel.body.block.ops)
    assert kernel.attributes[amd.TARGET_KEY] == amd.TargetAttr("gfx942", [256, 1, 1])


def test_bad_options_are_lowering_errors() -> None:
    with pytest.raises(DiagnosticError, match="unknown arch 'gfx800'"):
        lowered(SCALED, arch="gfx800")
    with pytest.raises(DiagnosticError, match="block_size must be in 1..1024"):
        lowered(SCALED, block_size=4096)


def test_module_emitter_needs_amdgpu_kernels() -> None:
    module = parse_module(SCALED)
    run_passes(module, [*CORE_PIPELINE, "uop-to-llvm"])  # a CPU kernel: no amdgpu.target
    with pytest.raises(DiagnosticError, match="not an AMDGPU kernel"):
        emit_module(module)
