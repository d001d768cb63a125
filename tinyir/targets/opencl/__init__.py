"""The OpenCL target: the `ocl` dialect, the `uop-to-opencl` lowering, the OpenCL C emitter."""

from __future__ import annotations

from tinyir.targets.base import Device, KernelLimits, Target
from tinyir.targets.opencl.emit import emit_kernel


def _device() -> Device:
    from tinyir.runtime.opencl import OpenCLDevice  # imports pyopencl only when a kernel runs

    return OpenCLDevice()


TARGET = Target(name="opencl", lower_pass="uop-to-opencl", kernel_op="ocl.kernel",
                emit_kernel=emit_kernel, device=_device,
                limits=KernelLimits(max_local_size=256, local_memory_bytes=32768, cores=16))
