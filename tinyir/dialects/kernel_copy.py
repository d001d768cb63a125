"""The `kernel_copy` dialect: a kernel launch that stands for a copy of another kernel.

    kernel_copy.launch "k0" as "k9" (%o, %a) : !st.buffer<4xf32>, !st.buffer<4xf32>

launches a copy of kernel "k0" of the same function, renamed "k9", on the listed buffers.
`kernel-dedup` makes these for kernels equal to an earlier one but for their names, so the
passes after it lower each distinct kernel once; `kernel-dedup-restore` turns each back into a
renamed copy of the (then lowered) kernel op (tinyir/passes/kernel_dedup.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import StringAttr
from xdsl.ir import Dialect, SSAValue
from xdsl.irdl import (
    AnyAttr,
    IRDLOperation,
    irdl_op_definition,
    prop_def,
    var_operand_def,
)


@irdl_op_definition
class LaunchOp(IRDLOperation):
    """Launch a copy of kernel `original`, named `copy_name`, on `buffers`."""

    name = "kernel_copy.launch"
    original = prop_def(StringAttr)
    copy_name = prop_def(StringAttr)
    buffers = var_operand_def(AnyAttr())
    assembly_format = "$original `as` $copy_name `(` $buffers `)` `:` type($buffers) attr-dict"

    def __init__(self, original: str, copy_name: str, buffers: Sequence[SSAValue]):
        super().__init__(operands=[buffers],
                         properties={"original": StringAttr(original), "copy_name": StringAttr(copy_name)})


KERNEL_COPY = Dialect("kernel_copy", [LaunchOp], [])
