"""The AMDGPU target: uops -> `llir` for amdgcn-amd-amdhsa (`uop-to-amdgpu`) -> ISA assembly.

It produces kernel text everywhere (LLVM's AMDGPU backend, inside llvmlite); there is no runtime
device here, as there is no AMD GPU to launch on.
"""

from __future__ import annotations

from dataclasses import replace

from tinyir.targets.amdgpu.emit import emit_kernel
from tinyir.targets.amdgpu.mma import ARCH_INSTRUCTIONS
from tinyir.targets.base import KernelLimits, Target

_LIMITS = KernelLimits(max_local_size=1024, local_memory_bytes=65536, cores=104)
#: each chip's limits: its own matrix instructions (MFMA on gfx90a/gfx942, WMMA on gfx1100)
CHIP_LIMITS = {arch: replace(_LIMITS, matrix_instructions=names) for arch, names in ARCH_INSTRUCTIONS.items()}

TARGET = Target(name="amdgpu", lower_pass="uop-to-amdgpu", kernel_op="llir.kernel", emit_kernel=emit_kernel,
                limits=CHIP_LIMITS["gfx942"], chip_limits=CHIP_LIMITS)  # gfx942: uop-to-amdgpu's default arch
