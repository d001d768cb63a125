"""AMDGPU kernels as text: `llir` -> LLVM IR (amdgcn triple) -> llvmlite's AMDGPU backend.

`-t amdgpu` prints ISA assembly (what `llc -march=amdgcn` prints); `compile_object` gives the ELF
relocatable object the same backend writes, which the tests make for every corpus kernel.
"""

from __future__ import annotations

import functools

import llvmlite.binding as llvm
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation

from tinyir.diagnostics import emit_error
from tinyir.targets.amdgpu import dialect as amd
from tinyir.targets.base import KernelSource
from tinyir.targets.llvm import dialect as ll
from tinyir.targets.llvm import emit as llvm_emit


@functools.cache
def target_machine(arch: str) -> llvm.TargetMachine:
    """LLVM's AMDGPU target machine for one architecture (O3)."""
    if arch not in amd.ARCHS:
        raise ValueError(f"unknown AMDGPU arch '{arch}' (known: {', '.join(amd.ARCHS)})")
    llvm.initialize_all_targets()
    llvm.initialize_all_asmprinters()
    try:
        target = llvm.Target.from_triple(amd.TRIPLE)
    except RuntimeError as exc:  # an llvmlite built without the AMDGPU backend
        raise RuntimeError(f"this llvmlite has no AMDGPU backend: {exc}") from None
    return target.create_target_machine(cpu=arch, opt=3)


def optimized_module(ir_text: str, arch: str) -> llvm.ModuleRef:
    """Parse, verify and optimize (O3, so that accumulators become registers) LLVM IR text."""
    from tinyir.runtime.cpu import optimize

    tm = target_machine(arch)
    module = llvm.parse_assembly(ir_text)
    module.triple = amd.TRIPLE
    module.data_layout = str(tm.target_data)
    module.verify()
    optimize(module, tm)
    return module


def compile_assembly(ir_text: str, arch: str) -> str:
    """AMDGPU ISA assembly for LLVM IR text."""
    return target_machine(arch).emit_assembly(optimized_module(ir_text, arch))


def compile_object(ir_text: str, arch: str) -> bytes:
    """The ELF object LLVM's AMDGPU backend writes for LLVM IR text."""
    return target_machine(arch).emit_object(optimized_module(ir_text, arch))


def kernel_target(kernel: ll.KernelOp) -> amd.TargetAttr:
    """The `#amdgpu.target` of a kernel made by uop-to-amdgpu (an error for any other kernel)."""
    target = kernel.attributes.get(amd.TARGET_KEY)
    if not isinstance(target, amd.TargetAttr):
        emit_error(kernel, "is not an AMDGPU kernel (no amdgpu.target attribute; run uop-to-amdgpu)")
    return target


def llvm_ir(kernel: ll.KernelOp) -> str:
    """The kernel as an LLVM IR module for the amdgcn triple (before optimization)."""
    kernel_target(kernel)
    return llvm_emit.emit_kernel(kernel).text


def emit_kernel(op: Operation) -> KernelSource:
    """One AMDGPU `llir.kernel` as ISA assembly, with its grid and workgroup size."""
    if not isinstance(op, ll.KernelOp):
        emit_error(op, "is not an llir.kernel; the AMDGPU emitter prints llir.kernel ops only")
    target = kernel_target(op)
    source = llvm_emit.emit_kernel(op)
    return KernelSource(name=source.name, text=compile_assembly(source.text, target.arch.data),
                        global_size=source.global_size, local_size=target.workgroup_size,
                        arg_dtypes=source.arg_dtypes)


def emit_module(module: ModuleOp) -> str:
    """Every AMDGPU kernel of a module as one ISA assembly file (for `tinyir-opt -t amdgpu`)."""
    kernels = [op for op in module.walk() if isinstance(op, ll.KernelOp)]
    if not kernels:
        emit_error(module, "no llir.kernel to print as AMDGPU assembly (run uop-to-amdgpu first)")
    archs = {kernel_target(k).arch.data for k in kernels}
    if len(archs) > 1:
        emit_error(module, f"kernels for several AMDGPU archs in one module: {', '.join(sorted(archs))}")
    return compile_assembly(llvm_emit.emit_module(module), archs.pop())
