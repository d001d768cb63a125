"""The PTX target: the `ptx` dialect, the `uop-to-ptx` lowering, the PTX emitter, the `cuda` device."""

from __future__ import annotations

from dataclasses import replace

from tinyir.targets.base import Device, KernelLimits, Target
from tinyir.tensor_cores import NVIDIA_SM80, NVIDIA_SM90A
from tinyir.targets.ptx.emit import emit_kernel


def _device(ordinal: int | None = None) -> Device:
    """GPU `ordinal` (`cuda:N`); None or 0: $TINYIR_CUDA_DEVICE, default 0."""
    from tinyir.runtime.cuda import CUDADevice  # imports pycuda / cuda-bindings only when a kernel runs

    return CUDADevice(ordinal)


_LIMITS = KernelLimits(max_local_size=1024, local_memory_bytes=49152, cores=132, max_copies=512,
                       matrix_instructions=NVIDIA_SM80, async_copy=True)
#: sm_90a (`arch=sm_90a` of lower-to-ptx / kernel-optimize) adds wgmma to the matrix instructions
CHIP_LIMITS = {"sm_90a": replace(_LIMITS, matrix_instructions=NVIDIA_SM90A)}

TARGET = Target(name="cuda", lower_pass="uop-to-ptx", kernel_op="ptx.kernel", emit_kernel=emit_kernel, device=_device,
                limits=_LIMITS, chip_limits=CHIP_LIMITS)
