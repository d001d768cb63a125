"""The AMDGPU target: uops -> `llir` for amdgcn-amd-amdhsa (`uop-to-amdgpu`) -> ISA assembly.

It produces kernel text everywhere (LLVM's AMDGPU backend, inside llvmlite); there is no runtime
device here, as there is no AMD GPU to launch on.
"""

from __future__ import annotations

from tinyir.targets.amdgpu.emit import emit_kernel
from tinyir.targets.base import KernelLimits, Target

TARGET = Target(name="amdgpu", lower_pass="uop-to-amdgpu", kernel_op="llir.kernel", emit_kernel=emit_kernel,
                limits=KernelLimits(max_local_size=1024, local_memory_bytes=65536, cores=104))
