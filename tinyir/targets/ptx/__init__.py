"""The PTX target: the `ptx` dialect, the `uop-to-ptx` lowering, the PTX emitter, the `cuda` device."""

from __future__ import annotations

from dataclasses import replace

from tinyir.targets.base import Device, KernelLimits, Target
from tinyir.tensor_cores import NVIDIA_SM80, NVIDIA_SM90A
from tinyir.targets.ptx.dialect import SHARED_BYTES_PER_BLOCK
from tinyir.targets.ptx.emit import emit_kernel


def _device(ordinal: int | None = None) -> Device:
    """GPU `ordinal` (`cuda:N`); None or 0: $TINYIR_CUDA_DEVICE, default 0."""
    from tinyir.runtime.cuda import CUDADevice  # imports pycuda / cuda-bindings only when a kernel runs

    return CUDADevice(ordinal)


_LIMITS = KernelLimits(max_local_size=1024, local_memory_bytes=SHARED_BYTES_PER_BLOCK["sm_80"], cores=132,
                       max_copies=512, matrix_instructions=NVIDIA_SM80, async_copy=True, copy_stages=3,
                       rounds_to_bf16=True)
#: per arch (`arch=` of lower-to-ptx / kernel-optimize / uop-async-copy): the shared memory a block
#: may use (past 48 KB as dynamic shared memory); sm_90a adds wgmma to the matrix instructions. With
#: no arch: sm_80's, uop-to-ptx's default (an sm_86/89 GPU takes less: lower for its arch there)
CHIP_LIMITS = {arch: replace(_LIMITS, local_memory_bytes=SHARED_BYTES_PER_BLOCK[arch],
                             matrix_instructions=NVIDIA_SM90A if arch == "sm_90a" else NVIDIA_SM80)
               for arch in SHARED_BYTES_PER_BLOCK}

TARGET = Target(name="cuda", lower_pass="uop-to-ptx", kernel_op="ptx.kernel", emit_kernel=emit_kernel, device=_device,
                limits=_LIMITS, chip_limits=CHIP_LIMITS)
