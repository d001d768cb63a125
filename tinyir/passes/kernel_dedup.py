"""`kernel-dedup` and `kernel-dedup-restore`: each distinct kernel of a program is lowered once.

A training step has many kernels that differ only in their names and in the buffers they are
launched on (the same layer norm twice, the same AdamW update of equally shaped parameters).
`kernel-dedup` (before the per-kernel lowering passes) replaces every kernel that equals an
earlier one but for its name by a placeholder (tinyir/dialects/kernel_copy.py)

    kernel_copy.launch "k3" as "k9" (%buf7, %buf2) : ...

that launches a copy of the earlier kernel `k3` on its own buffers; the passes after it leave it
alone. `kernel-dedup-restore` (after the target's lowering) puts a copy of `k3`, as it is then,
renamed `k9` and launched on the placeholder's buffers, where the placeholder was. The program is the
same; the lowering passes and the device's compiler see each distinct kernel once.

Kernels are compared by the executor's structural hash without their names: the buffers a kernel
is launched on are numbered by where they first appear, so a kernel reading one buffer twice
never matches one reading two.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp, StringAttr
from xdsl.ir import Block, Operation
from xdsl.passes import ModulePass

from tinyir.dialects.kernel_copy import LaunchOp
from tinyir.errors import TinyirError

# the property that names a kernel op: `kernel_name` at the core levels and in most targets'
# dialects, `sym_name` in LLVM's
NAME_PROPERTIES = ("kernel_name", "sym_name")


def kernel_name_property(op: Operation) -> str | None:
    """Which of `NAME_PROPERTIES` names this kernel op (None: it has none, so it is no kernel)."""
    return next((p for p in NAME_PROPERTIES if isinstance(op.properties.get(p), StringAttr)), None)


def kernel_name(op: Operation) -> str | None:
    prop = kernel_name_property(op)
    return None if prop is None else op.properties[prop].data  # type: ignore[attr-defined]


def _host_blocks(module: ModuleOp) -> list[Block]:
    return [block for f in module.ops if isinstance(f, func.FuncOp) for block in f.body.blocks]


def _is_kernel(op: Operation) -> bool:
    return bool(op.regions) and kernel_name_property(op) is not None


@dataclass(frozen=True)
class KernelDedup(ModulePass):
    """Kernels equal to an earlier kernel but for their names -> launches of a copy of that kernel."""

    name: ClassVar[str] = "kernel-dedup"
    summary: ClassVar[str] = "replace kernels equal but for their names by launches of a copy of the first"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        from tinyir.runtime.executor import structural_hash

        for block in _host_blocks(op):
            first_of: dict[str, Operation] = {}
            for kernel in list(block.ops):
                if not _is_kernel(kernel):
                    continue
                original = first_of.setdefault(structural_hash(kernel, anonymous=True), kernel)
                if original is kernel:
                    continue
                placeholder = LaunchOp(str(kernel_name(original)), str(kernel_name(kernel)), list(kernel.operands))
                block.insert_op_before(placeholder, kernel)
                kernel.detach()
                kernel.erase()


@dataclass(frozen=True)
class KernelDedupRestore(ModulePass):
    """`kernel_copy.launch` placeholders -> renamed copies of the kernel they stand for."""

    name: ClassVar[str] = "kernel-dedup-restore"
    summary: ClassVar[str] = "replace kernel_copy.launch ops by renamed copies of their kernels"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for block in _host_blocks(op):
            placeholders = [c for c in block.ops if isinstance(c, LaunchOp)]
            if not placeholders:
                continue
            kernels = {kernel_name(k): k for k in block.ops if _is_kernel(k)}
            for call in placeholders:
                self._restore(call, kernels, block)

    @staticmethod
    def _restore(call: LaunchOp, kernels: dict[str | None, Operation], block: Block) -> None:
        callee, duplicate = call.original.data, call.copy_name
        original = kernels.get(callee)
        if original is None:
            raise TinyirError(f"kernel-dedup-restore: {duplicate.data} stands for kernel {callee}, "
                              "which is not in the function")
        if len(original.operands) != len(call.operands):
            raise TinyirError(f"kernel-dedup-restore: kernel {callee} takes {len(original.operands)} buffers, "
                              f"its copy {duplicate.data} is launched on {len(call.operands)}")
        copy = original.clone(value_mapper=dict(zip(original.operands, call.operands)))
        copy.properties[str(kernel_name_property(copy))] = duplicate
        block.insert_op_before(copy, call)
        call.detach()
        call.erase()


__all__ = ["NAME_PROPERTIES", "KernelDedup", "KernelDedupRestore", "kernel_name"]
