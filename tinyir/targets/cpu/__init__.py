"""The CPU target: uops -> `llir` (LLVM IR) -> llvmlite JIT on the host."""

from __future__ import annotations

from tinyir.runtime.cpu import CPUDevice
from tinyir.targets.base import Target
from tinyir.targets.llvm.emit import emit_kernel

TARGET = Target(name="cpu", lower_pass="uop-to-llvm", kernel_op="llir.kernel", emit_kernel=emit_kernel,
                device=CPUDevice)
