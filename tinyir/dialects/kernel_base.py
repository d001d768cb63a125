"""The shape shared by the core kernel ops (`st.kernel`, `loop.kernel`, `uop.kernel`).

    NAME "k0" (%o, %a) : T0, T1 attributes {...} { ^bb0(%o2: T0, %a2: T1): ... }

A named, isolated kernel over buffer operands that its single block's arguments mirror; each
level adds its own checks of the body in `verify_`.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import StringAttr
from xdsl.ir import Block, Region, SSAValue
from xdsl.irdl import AnyAttr, IRDLOperation, prop_def, region_def, traits_def, var_operand_def
from xdsl.traits import IsolatedFromAbove, NoTerminator


class IsolatedKernelBase(IRDLOperation):
    """Fields, syntax and constructor of a kernel op (operand 0 is the buffer written)."""

    kernel_name = prop_def(StringAttr, prop_name="kernel_name")
    buffers = var_operand_def(AnyAttr())
    body = region_def("single_block")

    traits = traits_def(IsolatedFromAbove(), NoTerminator())
    assembly_format = "$kernel_name `(` $buffers `)` `:` type($buffers) attr-dict-with-keyword $body"

    def __init__(self, kernel_name: str, buffers: Sequence[SSAValue], body: Region | None = None):
        if body is None:
            body = Region(Block(arg_types=[b.type for b in buffers]))
        super().__init__(operands=[buffers], regions=[body], properties={"kernel_name": StringAttr(kernel_name)})

    @property
    def name_str(self) -> str:
        return self.kernel_name.data
