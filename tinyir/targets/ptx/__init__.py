"""The PTX target: the `ptx` dialect, the `uop-to-ptx` lowering, the PTX emitter, the `cuda` device."""

from __future__ import annotations

from tinyir.targets.base import Device, KernelLimits, Target
from tinyir.tensor_cores import NVIDIA_SM80
from tinyir.targets.ptx.emit import emit_kernel


def _device() -> Device:
    from tinyir.runtime.cuda import CUDADevice  # imports pycuda / cuda-bindings only when a kernel runs

    return CUDADevice()


TARGET = Target(name="cuda", lower_pass="uop-to-ptx", kernel_op="ptx.kernel", emit_kernel=emit_kernel, device=_device,
                limits=KernelLimits(max_local_size=1024, local_memory_bytes=49152, cores=132, max_copies=512,
                                    matrix_instructions=NVIDIA_SM80))
