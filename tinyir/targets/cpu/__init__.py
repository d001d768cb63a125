"""The CPU target: uops -> `llir` (LLVM IR) -> llvmlite JIT on the host."""

from __future__ import annotations

from tinyir.runtime.cpu import CPUDevice
import os

from tinyir.targets.base import KernelLimits, Target
from tinyir.targets.llvm.emit import emit_kernel

TARGET = Target(name="cpu", lower_pass="uop-to-llvm", kernel_op="llir.kernel", emit_kernel=emit_kernel,
                device=CPUDevice,
                limits=KernelLimits(vector_width=8, max_upcast=128, max_copies=1024, cores=os.cpu_count() or 1))
