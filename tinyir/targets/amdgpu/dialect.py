"""The `amdgpu` dialect: what is AMDGPU-specific on top of `llir`.

An AMDGPU kernel is an `llir.kernel` (triple `amdgcn-amd-amdhsa`, calling convention
`amdgpu_kernel`, buffers in addrspace(1), accumulators in addrspace(5)) that carries one
`#amdgpu.target<"gfx942", [256, 1, 1]>` attribute under the key `amdgpu.target`: the GPU
architecture it is compiled for and the workgroup size it is launched with.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import ArrayAttr, IntAttr, StringAttr
from xdsl.ir import Attribute, Dialect, ParametrizedAttribute
from xdsl.irdl import irdl_attr_definition
from xdsl.parser import AttrParser
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException

ARCHS: tuple[str, ...] = ("gfx90a", "gfx942", "gfx1100")  # MI200, MI300, RDNA3
TRIPLE = "amdgcn-amd-amdhsa"
CALLING_CONV = "amdgpu_kernel"
GLOBAL_ADDRSPACE = 1   # kernel buffers
LOCAL_ADDRSPACE = 3    # LDS: workgroup-shared arrays
PRIVATE_ADDRSPACE = 5  # allocas (the data layout's `A5`)
MAX_WORKGROUP = 1024   # work-items per workgroup on every arch above
MAX_LDS_BYTES = 65536  # LDS per workgroup on every arch above
TARGET_KEY = "amdgpu.target"  # the kernel attribute holding a TargetAttr


@irdl_attr_definition
class TargetAttr(ParametrizedAttribute):
    """`#amdgpu.target<"gfx942", [256, 1, 1]>`: architecture and workgroup size (x, y, z)."""

    name = "amdgpu.target"

    arch: StringAttr
    workgroup: ArrayAttr[IntAttr]

    def __init__(self, arch: str, workgroup: Sequence[int]):
        super().__init__(StringAttr(arch), ArrayAttr(IntAttr(w) for w in workgroup))

    @property
    def workgroup_size(self) -> tuple[int, ...]:
        return tuple(w.data for w in self.workgroup)

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            arch = parser.parse_str_literal()
            parser.parse_punctuation(",")
            sizes = parser.parse_comma_separated_list(parser.Delimiter.SQUARE, parser.parse_integer)
        return (StringAttr(arch), ArrayAttr(IntAttr(s) for s in sizes))

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_string_literal(self.arch.data)
            printer.print_string(f", [{', '.join(str(s) for s in self.workgroup_size)}]")

    def verify(self) -> None:
        if self.arch.data not in ARCHS:
            raise VerifyException(f"unknown AMDGPU arch '{self.arch.data}' (known: {', '.join(ARCHS)})")
        sizes = self.workgroup_size
        if len(sizes) != 3 or any(s <= 0 for s in sizes):
            raise VerifyException(f"workgroup size must be 3 positive numbers (x, y, z), got {list(sizes)}")
        total = sizes[0] * sizes[1] * sizes[2]
        if total > MAX_WORKGROUP:
            raise VerifyException(f"workgroup of {total} work-items exceeds the AMDGPU limit of {MAX_WORKGROUP}")


AMDGPU = Dialect("amdgpu", [], [TargetAttr])

__all__ = ["AMDGPU", "TargetAttr", "ARCHS", "TRIPLE", "CALLING_CONV", "TARGET_KEY"]
