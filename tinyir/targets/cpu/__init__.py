"""The CPU target: uops -> `llir` (LLVM IR) -> llvmlite JIT on the host."""

from __future__ import annotations

from tinyir.runtime.cpu import CPUDevice
import os

from tinyir.targets.base import KernelLimits, Target
from tinyir.targets.llvm.emit import emit_kernel

TARGET = Target(name="cpu", lower_pass="uop-to-llvm", kernel_op="llir.kernel", emit_kernel=emit_kernel,
                device=CPUDevice,
                # a convolution's register tile holds a 56-wide row by 4 channels (224 outputs; 14 of 32 AVX-512
                # registers) with its 3x3 window unrolled (2016 copies): kernel_heuristics.py's CPU_WHOLE_ROW
                limits=KernelLimits(vector_width=8, max_upcast=256, max_copies=2048, cores=os.cpu_count() or 1))
