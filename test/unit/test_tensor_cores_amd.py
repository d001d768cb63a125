"""Tensor cores on AMD: `uop.mma` as MFMA (gfx90a, gfx942; wave64) and WMMA (gfx1100; wave32).

The layout data of tinyir/tensor_cores.py is checked against AMD's register layouts written out as
formulas (CDNA3 ISA, section "Dependency and layout of matrix operands"; AMD's RDNA3 WMMA guide);
the tc kernels run on the uop interpreter against numpy (the data is self-consistent) and their
LLVM IR is assembled by LLVM's AMDGPU backend for every arch (no AMD GPU here to run them)."""

from __future__ import annotations

import numpy as np
import pytest

from test_tensor_cores import actions_of, check, inputs, matmul
from tinyir.diagnostics import DiagnosticError
from tinyir.registry import default_pipeline
from tinyir.runtime.executor import run_passes
from tinyir.runtime.uop_interp import run_program
from tinyir.targets.amdgpu import CHIP_LIMITS, TARGET
from tinyir.targets.amdgpu.emit import emit_module
from tinyir.targets.amdgpu.mma import ARCH_INSTRUCTIONS, WAVE_SIZE
from tinyir.tensor_cores import INSTRUCTIONS

ARCHS = ("gfx90a", "gfx942", "gfx1100")


@pytest.mark.parametrize("ty", ["f16", "bf16"])
def test_mfma_16x16x16_layout_is_the_cdna_one(ty: str) -> None:
    """v_mfma_f32_16x16x16{f16,bf16_1k}: lane l, element e of A is A[l % 16][4 * (l // 16) + e],
    of B is B[4 * (l // 16) + e][l % 16]; of C and D, C[4 * (l // 16) + e][l % 16]."""
    mi = INSTRUCTIONS[f"mfma.16x16x16.{ty}"]
    assert (mi.threads, mi.a.elements, mi.b.elements, mi.c.elements) == (64, 4, 4, 4)
    for lane in range(64):
        i, g = lane % 16, lane // 16
        assert [mi.a.coordinate(lane, e) for e in range(4)] == [(i, 4 * g + e) for e in range(4)]
        assert [mi.b.coordinate(lane, e) for e in range(4)] == [(4 * g + e, i) for e in range(4)]
        assert [mi.c.coordinate(lane, e) for e in range(4)] == [(4 * g + e, i) for e in range(4)]


@pytest.mark.parametrize("ty", ["f16", "bf16"])
def test_wmma_16x16x16_layout_is_the_rdna3_one(ty: str) -> None:
    """v_wmma_f32_16x16x16_{f16,bf16} (wave32): lanes l and l + 16 both hold row l % 16 of A and
    column l % 16 of B, all 16 k in order; D's element e is D[2 * e + l // 16][l % 16]."""
    mi = INSTRUCTIONS[f"wmma.16x16x16.{ty}"]
    assert (mi.threads, mi.a.elements, mi.b.elements, mi.c.elements) == (32, 16, 16, 8)
    for lane in range(32):
        i = lane % 16
        assert [mi.a.coordinate(lane, e) for e in range(16)] == [(i, e) for e in range(16)]
        assert [mi.b.coordinate(lane, e) for e in range(16)] == [(e, i) for e in range(16)]
        assert [mi.c.coordinate(lane, e) for e in range(8)] == [(2 * e + lane // 16, i) for e in range(8)]


def test_each_chip_lists_its_own_instructions() -> None:
    assert TARGET.limits == CHIP_LIMITS["gfx942"]  # uop-to-amdgpu's default arch
    for arch in ARCHS:
        names = CHIP_LIMITS[arch].matrix_instructions
        assert names == ARCH_INSTRUCTIONS[arch]
        assert all(INSTRUCTIONS[n].threads == WAVE_SIZE[arch] for n in names)


def uop_level(module, arch: str, actions: str | None = None):
    options = f"arch={arch}" + (f' actions="{actions}"' if actions else "")
    specs = default_pipeline("amdgpu", "uop-to-amdgpu", options)
    run_passes(module, specs[: specs.index("uop-to-amdgpu")])
    return module


def mma_names(module) -> set[str]:
    return {op.instruction.data for op in module.walk() if op.name == "uop.mma"}


SHAPES = [(16, 16, 16), (64, 48, 32), (32, 64, 48), (48, 32, 16), (24, 40, 20), (17, 33, 9)]  # last two: padded tiles


@pytest.mark.parametrize("ty", ["f16", "bf16"])
@pytest.mark.parametrize("arch", ["gfx942", "gfx1100"])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
def test_tc_matmul_on_the_uop_interpreter_matches_numpy(shape, arch: str, ty: str) -> None:
    m, k, n = shape
    a, b = inputs([(m, k), (k, n)], ty)
    module = uop_level(matmul(m, k, n, ty), arch)  # the heuristics choose tc here
    assert actions_of(module)[0].startswith("tc:")
    family = "mfma" if arch == "gfx942" else "wmma"
    assert mma_names(module) == {f"{family}.16x16x16.{ty}"}
    (got,) = run_program(module, [a, b])
    check(got, a.astype(np.float64) @ b.astype(np.float64), ty)


ACTIONS = ["tc:2:0,upcast:0:2,upcast:1:2,local:0:2,unroll:2:2", "tc:2:0,stage:2:2",
           "tc:2:0,upcast:1:2,local:0:2,local:1:2,stage:2:0"]


@pytest.mark.parametrize("actions", ACTIONS)
@pytest.mark.parametrize("arch", ["gfx90a", "gfx1100"])
def test_tc_with_explicit_actions_on_the_uop_interpreter(arch: str, actions: str) -> None:
    """Tiles of instructions per wave, several waves a workgroup, staged operands (LDS)."""
    a, b = inputs([(64, 64), (64, 64)], "bf16", seed=1)
    module = uop_level(matmul(64, 64, 64, "bf16"), arch, actions)
    (got,) = run_program(module, [a, b])
    check(got, a.astype(np.float64) @ b.astype(np.float64), "bf16")


def test_tc_batched_matmul_with_epilogue_on_the_uop_interpreter() -> None:
    from tinyir import Tensor
    from tinyir.frontend.realize import build_function, collect

    x, w, bias = inputs([(2, 32, 48), (48, 16), (16,)], "f16")
    ts = [Tensor(v, device="reference") for v in (x, w, bias)]
    out = (ts[0] @ ts[1] + ts[2]).relu()
    want = np.maximum(x.astype(np.float64) @ w.astype(np.float64) + bias.astype(np.float64), 0)
    for arch in ("gfx90a", "gfx1100"):
        module, _ = build_function(collect([out.lazydata], lambda node: node.realized is not None))
        uop_level(module, arch)
        assert mma_names(module) and any(a.startswith("tc:") for a in actions_of(module))
        (got,) = run_program(module, [x, w, bias])
        check(got, want, "f16")


@pytest.mark.parametrize("ty", ["f16", "bf16"])
@pytest.mark.parametrize("arch", ARCHS)
def test_tc_amdgpu_assembles(arch: str, ty: str) -> None:
    """The matmul on MFMA (gfx90a, gfx942) or WMMA (gfx1100) in the ISA LLVM writes, on the wave
    size the instruction needs."""
    module = matmul(64, 64, 64, ty)
    run_passes(module, default_pipeline("amdgpu", f"uop-to-amdgpu{{arch={arch}}}", f"arch={arch}"))
    text = emit_module(module)
    isa = {("gfx90a", "f16"): "v_mfma_f32_16x16x16f16", ("gfx90a", "bf16"): "v_mfma_f32_16x16x16bf16_1k",
           ("gfx942", "f16"): "v_mfma_f32_16x16x16_f16", ("gfx942", "bf16"): "v_mfma_f32_16x16x16_bf16",
           ("gfx1100", "f16"): "v_wmma_f32_16x16x16_f16", ("gfx1100", "bf16"): "v_wmma_f32_16x16x16_bf16"}
    assert isa[arch, ty] in text
    wave32 = ".amdhsa_wavefront_size32 1" in text
    assert wave32 == (WAVE_SIZE[arch] == 32)


@pytest.mark.parametrize("arch", ARCHS)
def test_staged_tc_amdgpu_assembles(arch: str) -> None:
    """Operands staged through LDS, several waves a workgroup, on the chip's instruction."""
    module = matmul(64, 64, 64, "f16")
    run_passes(module, default_pipeline("amdgpu", f"uop-to-amdgpu{{arch={arch}}}",
                                        f'arch={arch} actions="{ACTIONS[2]}"'))
    text = emit_module(module)
    assert ("v_wmma_f32_16x16x16_f16" if arch == "gfx1100" else "v_mfma_f32_16x16x16") in text
    assert "s_barrier" in text and ("ds_read" in text or "ds_load" in text)  # LDS reads (gfx11 names them ds_load)


def test_tc_llvm_ir_builds_the_vectors() -> None:
    """bf16 elements (f32 registers after uop-emulate-bf16) pass their high 16 bits as i16."""
    from tinyir.targets.llvm.emit import emit_module as llvm_text

    module = matmul(16, 16, 16, "bf16")
    run_passes(module, default_pipeline("amdgpu", "uop-to-amdgpu{arch=gfx942}", "arch=gfx942"))
    text = llvm_text(module)
    assert "call <4 x float> @llvm.amdgcn.mfma.f32.16x16x16bf16.1k(<4 x i16>" in text
    assert "lshr i32" in text and "trunc i32" in text and "to i16" in text


def test_an_instruction_the_chip_lacks_is_a_located_error() -> None:
    module = uop_level(matmul(32, 32, 16, "f16"), "gfx942")  # MFMA chosen for gfx942 ...
    with pytest.raises(DiagnosticError, match="gfx1100 has no matrix instruction mfma.16x16x16.f16"):
        run_passes(module, ["uop-to-amdgpu{arch=gfx1100}"])  # ... lowered for gfx1100


def test_named_pipeline_gives_the_chip_to_kernel_optimize() -> None:
    from tinyir.tools.pipeline import build_pipeline

    passes = build_pipeline("lower-to-amdgpu{arch=gfx1100}")
    optimize = next(p for p in passes if p.name == "kernel-optimize")
    lower = next(p for p in passes if p.name == "uop-to-amdgpu")
    assert optimize.arch == "gfx1100" and lower.arch == "gfx1100"
