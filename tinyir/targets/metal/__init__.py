"""The Metal target: the `metal` dialect, the `uop-to-metal` lowering and the MSL emitter.

It produces kernel text everywhere; there is no runtime device (no Apple GPU here). The tests check
every kernel with the system C++ compiler against test/metal/metal_stub.h (syntax and types only).
"""

from __future__ import annotations

from tinyir.targets.base import KernelLimits, Target
from tinyir.targets.metal.emit import emit_kernel
from tinyir.tensor_cores import APPLE

TARGET = Target(name="metal", lower_pass="uop-to-metal", kernel_op="metal.kernel", emit_kernel=emit_kernel,
                limits=KernelLimits(max_local_size=1024, local_memory_bytes=32768, cores=32,
                                    matrix_instructions=APPLE))  # simdgroup_matrix
