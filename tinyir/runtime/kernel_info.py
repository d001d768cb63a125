"""What DEBUG=2 says about a kernel besides its time: work done, memory touched, actions chosen.

Read off the `uop.kernel` ops (after `uop-simplify`), where every op runs once per point of its
specials times the sizes of the `uop.range`s around it: a float ALU op counts as one FLOP per run,
and the memory estimate is the size of every global buffer the kernel takes (each read or written
once at best, as tinygrad counts it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from xdsl.ir import Operation

from tinyir.dialects import uop
from tinyir.element_types import is_float, numpy_dtype


@dataclass(frozen=True)
class KernelInfo:
    name: str
    flops: int
    bytes: int
    actions: str

    def describe(self, seconds: float) -> str:
        """`GFLOP/s  GB/s  actions` for a run that took `seconds`."""
        if seconds <= 0:
            return f"actions [{self.actions}]"
        return (f"{self.flops / seconds * 1e-9:9.2f} GFLOP/s {self.bytes / seconds * 1e-9:8.2f} GB/s"
                f"  actions [{self.actions}]")


def _buffer_bytes(t) -> int:
    return math.prod(t.shape_tuple() if hasattr(t, "shape_tuple") else t.get_shape()) * numpy_dtype(
        t.element_type).itemsize


def kernel_info(kernel: uop.KernelOp) -> KernelInfo:
    """The estimates for one uop.kernel."""
    points = 1
    loops: list[int] = []
    flops = 0
    for op in kernel.body.block.ops:
        if isinstance(op, uop.SpecialOp):
            points *= op.size.value.data
        elif isinstance(op, uop.RangeOp):
            loops.append(op.end.value.data - op.start.value.data)
        elif isinstance(op, uop.EndRangeOp):
            loops.pop()
        elif type(op) in uop.UOP_ALU and op.results and is_float(op.results[0].type):
            flops += points * math.prod(loops)
    actions = kernel.attributes.get("actions")
    return KernelInfo(kernel.kernel_name.data, flops, sum(_buffer_bytes(v.type) for v in kernel.buffers),
                      actions.data if actions is not None else "")


def module_kernel_info(module: Operation) -> dict[str, KernelInfo]:
    """Kernel name -> estimates, for every uop.kernel in the module."""
    return {k.kernel_name.data: kernel_info(k) for k in module.walk() if isinstance(k, uop.KernelOp)}
