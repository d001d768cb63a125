"""`uop.mma` on AMD GPUs: MFMA (CDNA: gfx90a, gfx942; wave64) and WMMA (RDNA3: gfx1100; wave32).

Each thread's elements of A, B and C are, in the layout order of tinyir/tensor_cores.py, exactly the
lanes of the intrinsic's vector operands (the layouts are AMD's register layouts), so the lowering
is one `llir.vector_call`: insertelement into the vectors, the intrinsic, extractelement of D.
bf16 elements arrive as f32 registers holding bf16 values (uop-emulate-bf16): their high 16 bits
are the bf16 exactly, and the intrinsics take them as i16.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xdsl.dialects.builtin import bf16, f32, i16, i32
from xdsl.ir import Attribute, Operation, SSAValue

from tinyir.diagnostics import emit_error
from tinyir.dialects import uop
from tinyir.targets.llvm import dialect as ll
from tinyir.targets.llvm import lower as llvm_lower
from tinyir.targets.llvm.lower import const, operands
from tinyir.tensor_cores import AMD_CDNA, AMD_RDNA3


@dataclass(frozen=True)
class AmdMatrixIntrinsic:
    """How one matrix instruction is called: the LLVM intrinsic and its trailing i32 immediates."""

    callee: str
    immediates: tuple[int, ...] = ()  # MFMA's cbsz, abid, blgp: 0 = no broadcast


#: tinyir/tensor_cores.py name -> the intrinsic (names and signatures as LLVM's AMDGPU intrinsics)
INTRINSICS: dict[str, AmdMatrixIntrinsic] = {
    "mfma.16x16x16.f16": AmdMatrixIntrinsic("llvm.amdgcn.mfma.f32.16x16x16f16", (0, 0, 0)),
    "mfma.16x16x16.bf16": AmdMatrixIntrinsic("llvm.amdgcn.mfma.f32.16x16x16bf16.1k", (0, 0, 0)),
    "wmma.16x16x16.f16": AmdMatrixIntrinsic("llvm.amdgcn.wmma.f32.16x16x16.f16.v8f32.v16f16"),
    "wmma.16x16x16.bf16": AmdMatrixIntrinsic("llvm.amdgcn.wmma.f32.16x16x16.bf16.v8f32.v16i16"),
}

#: the matrix instructions of each AMDGPU arch (MFMA on CDNA, WMMA on RDNA3)
ARCH_INSTRUCTIONS: dict[str, tuple[str, ...]] = {"gfx90a": AMD_CDNA, "gfx942": AMD_CDNA, "gfx1100": AMD_RDNA3}

#: the wavefront each arch runs kernels on (LLVM's default for the arch, which the instructions need)
WAVE_SIZE: dict[str, int] = {"gfx90a": 64, "gfx942": 64, "gfx1100": 32}


def _bf16_bits(value: SSAValue | Operation, uop_type: Attribute) -> SSAValue:
    """The i16 bits of a bf16 element: already i16 for a bf16 value, else the high half of the f32
    (detached ops: the rule table inserts them before the call)."""
    value = SSAValue.get(value)
    if uop_type == bf16:
        return value
    high = ll.LShrOp(ll.BitcastOp(value, i32), const(16, i32))
    return ll.TruncOp(high.results[0], i16).result


def lower_mma(op: uop.MmaOp, arch: str) -> Operation | None:
    """uop.mma -> one MFMA/WMMA intrinsic call; an instruction the arch lacks is a located error."""
    if llvm_lower.reads_unlowered_accumulator(op):
        return None
    mi = op.matrix_instruction
    if mi.name not in ARCH_INSTRUCTIONS.get(arch, ()):
        have = ", ".join(ARCH_INSTRUCTIONS.get(arch, ())) or "none"
        emit_error(op, f"uop-to-amdgpu: {arch} has no matrix instruction {mi.name} (it has {have}; "
                       f"kernel-optimize{{arch={arch}}} chooses among these)")
    values = operands(op)
    a, b, c = values[:len(op.a)], values[len(op.a):len(op.a) + len(op.b)], values[len(op.a) + len(op.b):]
    groups: list[Sequence[SSAValue | Operation]] = []
    bits: dict[SSAValue, SSAValue] = {}  # an element used twice is converted once
    for part, originals in ((a, op.a), (b, op.b)):
        if mi.in_type == "bf16":
            for v, original in zip(part, originals):
                if original not in bits:
                    bits[original] = _bf16_bits(v, llvm_lower.uop_type(original))
            part = [bits[original] for original in originals]
        groups.append(part)
    groups.append(c)
    intrinsic = INTRINSICS[mi.name]
    groups += [[const(v, i32)] for v in intrinsic.immediates]
    call = ll.VectorCallOp(intrinsic.callee, [[SSAValue.get(v) for v in g] for g in groups], f32, len(op.d))
    for lane in call.lanes:
        llvm_lower.remember_uop_type(lane, f32)
    return call
