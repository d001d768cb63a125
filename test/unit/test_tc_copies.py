"""The loads of the mma.sync kernels (issue 10): bf16 fragments come by ldmatrix as f16 ones do (no
scalar shared loads, no repacking), and staged 16-bit tiles are copied in runs of 16 bytes, one
`cp.async.cg ... 16` each where both memories are 16-byte aligned (two 8-byte copies where not).
Results on the uop interpreter (which executes ldmatrix, mma and cp.async, checks every copy's
alignment and races) against numpy; the PTX assembled by ptxas for sm_80 and sm_90a."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter

import numpy as np
import pytest

from tinyir.dialects import uop
from tinyir.ir import parse_module
from tinyir.registry import default_pipeline
from tinyir.runtime.executor import run_passes
from tinyir.runtime.uop_interp import run_program
from tinyir.targets.ptx.emit import emit_module
from test_tensor_cores import check, inputs, matmul, uop_level

#: the default tile of a large f16/bf16 matmul on cuda (test_tc_pipeline.PIPELINED)
PIPELINED = "tc:2:0,upcast:1:8,upcast:0:4,local:0:2,local:1:2,unroll:2:2,stage:2:2"
#: a small pipelined tile (32 x 16 blocks of 2 warps)
SMALL = "tc:2:0,upcast:1:2,local:0:2,unroll:2:2,stage:2:2"
needs_ptxas = pytest.mark.skipif(shutil.which("ptxas") is None, reason="needs ptxas")


def copy_lanes(module) -> Counter:
    return Counter(op.lanes.value.data for op in module.walk() if isinstance(op, uop.AsyncCopyOp))


def ptx_of(module, arch: str) -> str:
    run_passes(module, ["uop-emulate-bf16", f"uop-to-ptx{{arch={arch}}}"])
    return emit_module(module)


def assemble(text: str, arch: str, tmp_path) -> None:
    (tmp_path / "k.ptx").write_text(text)
    run = subprocess.run(["ptxas", f"-arch={arch}", str(tmp_path / "k.ptx"), "-o", str(tmp_path / "k.cubin")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def uop_level_before_emulation(module, actions: str | None = None):
    """The module at the uop level before uop-emulate-bf16 (uop_level runs it for the interpreter too)."""
    specs = default_pipeline("cuda", "uop-to-ptx", f'actions="{actions}"' if actions else "")
    run_passes(module, specs[: next(i for i, s in enumerate(specs) if s.startswith("uop-emulate-bf16"))])
    return module


@pytest.mark.parametrize("ty", ["f16", "bf16"])
def test_default_tiles_copy_16_bytes_a_run(ty: str) -> None:
    m, k, n = 256, 256, 128  # the default tile, 4 chunks of 64 (more than the 3 stages)
    module = uop_level(matmul(m, k, n, ty))
    lanes = copy_lanes(module)
    assert set(lanes) == {8}, lanes  # 8 halves: one 16-byte copy each
    assert any(isinstance(op, uop.LdMatrixOp) for op in module.walk())
    a, b = inputs([(m, k), (k, n)], ty)
    (got,) = run_program(module, [a, b])
    check(got, a.astype(np.float64) @ b.astype(np.float64), ty)


@pytest.mark.parametrize("ty", ["f16", "bf16"])
@pytest.mark.parametrize("shape", [(60, 128, 32), (64, 128, 32), (92, 128, 32)])
def test_small_tiles_and_tiles_past_the_edge(shape, ty: str) -> None:
    """m not a multiple of the tile (60, 92: the rows past the edge are gated off, zero-filled copies):
    still 16-byte copies, and the product right."""
    m, k, n = shape
    module = uop_level(matmul(m, k, n, ty), actions=SMALL)
    lanes = copy_lanes(module)
    assert lanes and set(lanes) == {8}, lanes
    if m % 32:
        assert any(op.gate is not None for op in module.walk() if isinstance(op, uop.AsyncCopyOp))
    a, b = inputs([(m, k), (k, n)], ty)
    (got,) = run_program(module, [a, b])
    check(got, a.astype(np.float64) @ b.astype(np.float64), ty)


def shrunk_b(m: int, k: int, n: int, ty: str, skip: int = 4):
    """A @ B[:, skip:]: B's rows start `skip` elements into a row of n + skip."""
    t = lambda r, c: f"tensor<{r}x{c}x{ty}>"  # noqa: E731
    return parse_module(f"""func.func @main(%a: {t(m, k)}, %b: {t(k, n + skip)}) -> {t(m, n)} {{
      %s = tir.shrink %b [[0, {k}], [{skip}, {n + skip}]] : {t(k, n + skip)} -> {t(k, n)}
      %0 = tir.matmul %a, %s : {t(m, k)}, {t(k, n)} -> {t(m, n)}
      func.return %0 : {t(m, n)}
    }}""")


@pytest.mark.parametrize("ty", ["f16", "bf16"])
def test_copies_off_a_16_byte_boundary_stay_8_bytes(ty: str) -> None:
    """B read 4 elements into its rows: its runs of 8 start 8 bytes off a 16-byte boundary in global
    memory, so they stay two 8-byte copies (a misaligned cp.async faults); A's become 16-byte ones."""
    m, k, n = 64, 128, 32
    module = uop_level(shrunk_b(m, k, n, ty), actions=SMALL)
    by_source: dict = {}  # the source's shape -> its copies' lanes
    for op in module.walk():
        if isinstance(op, uop.AsyncCopyOp):
            by_source.setdefault(tuple(d.data for d in op.source.type.shape), set()).add(op.lanes.value.data)
    assert by_source == {(m, k): {8}, (k, n + 4): {4}}
    a, b = inputs([(m, k), (k, n + 4)], ty)
    (got,) = run_program(module, [a, b])
    check(got, a.astype(np.float64) @ b[:, 4:].astype(np.float64), ty)


@needs_ptxas
@pytest.mark.parametrize("arch", ["sm_80", "sm_90a"])
def test_misaligned_copies_ptx(arch: str, tmp_path) -> None:
    text = ptx_of(uop_level_before_emulation(shrunk_b(64, 128, 32, "f16"), SMALL), arch)
    assert re.search(r"cp\.async\.cg\.shared\.global \[%rd\d+\], \[%rd\d+\], 16, %r\d+;", text)
    assert re.search(r"cp\.async\.ca\.shared\.global \[%rd\d+\], \[%rd\d+\], 8, %r\d+;", text)
    assemble(text, arch, tmp_path)


@needs_ptxas
@pytest.mark.parametrize("ty", ["f16", "bf16"])
@pytest.mark.parametrize("arch", ["sm_80", "sm_90a"])
def test_default_4096_kernel_loads(ty: str, arch: str, tmp_path) -> None:
    """The default 4096^3 kernel: fragments by ldmatrix (x4 for A, x2 .trans for B) straight into
    mma.sync (bf16 as f16: no scalar shared loads, no conversion of operands), tiles by 16-byte cp.async.cg."""
    module = matmul(4096, 4096, 4096, ty)
    run_passes(module, default_pipeline("cuda", f"uop-to-ptx{{arch={arch}}}"))
    text = emit_module(module)
    found = Counter(re.sub(r"\[%rd\d+\]", "[]", f) for f in re.findall(
        r"ldmatrix\.sync\.aligned\.m8n8\.x\d(?:\.trans)?|ld\.shared\.u16|cvt\.rn\.bf16x2\.f32|prmt\.b32|"
        r"cp\.async\.c[ag]\.shared\.global \[%rd\d+\], \[%rd\d+\], \d+|mma\.sync", text))
    copies = {key: v for key, v in found.items() if key.startswith("cp.async")}
    assert copies == {"cp.async.cg.shared.global [], [], 16": 48}, found
    assert found["ldmatrix.sync.aligned.m8n8.x4"] == 16 and found["ldmatrix.sync.aligned.m8n8.x2.trans"] == 32
    assert found["mma.sync"] == 128
    # (bf16's only conversions: the epilogue's f32 -> bf16 roundings, one per stored element)
    stores = text.count("st.global.u16") if ty == "bf16" else 0
    assert not (found["ld.shared.u16"] or found["prmt.b32"]) and found["cvt.rn.bf16x2.f32"] == stores, found
    assemble(text, arch, tmp_path)
