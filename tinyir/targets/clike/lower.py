"""What the C-family lowerings read from a `uop.kernel` alike."""

from __future__ import annotations

from tinyir.diagnostics import emit_error
from tinyir.dialects import uop


def kernel_grid(kernel: uop.KernelOp, pass_name: str, local_indices: str = "are not supported") -> list[int]:
    """The extent of each `gidxN`, N = 0, 1, ...; [1] for a kernel without grid indices.

    `local_indices` completes the error for a local index: `<pass_name>: local indices (lidx0) ...`.
    """
    sizes: dict[int, int] = {}
    for op in kernel.body.block.ops:
        if isinstance(op, uop.SpecialOp):
            name = op.dim.data
            if not name.startswith("gidx"):
                emit_error(op, f"{pass_name}: local indices ({name}) {local_indices}; use global indices only")
            if sizes.setdefault(int(name[4:]), op.size.value.data) != op.size.value.data:
                emit_error(op, f"{pass_name}: {name} is used with two different sizes")
    return [sizes.get(d, 1) for d in range(max(sizes) + 1)] if sizes else [1]
