"""`uop-to-c`: micro-ops to the `c` dialect, one rule per uop op.

A C kernel runs once and loops over its grid itself: the grid indices become `c.for` loops around
the whole body (gidx0 innermost, as it is the fastest dimension). Every ALU micro-op becomes a
`c.call` of the helper of the same name; the emitter defines the helpers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, StringAttr
from xdsl.ir import Operation
from xdsl.pattern_rewriter import PatternRewriter
from xdsl.rewriter import InsertPoint

from tinyir.diagnostics import emit_error
from tinyir.dialects import uop
from tinyir.rewrite import Rule, RulePass, rule
from tinyir.targets.clike.lower import kernel_grid as clike_kernel_grid
from tinyir_c_target import dialect as c


def kernel_grid(kernel: uop.KernelOp) -> list[int]:
    """The extent of each `gidxN`, N = 0, 1, ...; [1] for a kernel without grid indices."""
    return clike_kernel_grid(kernel, "uop-to-c")


def lower_kernel(op: uop.KernelOp) -> Operation:
    return c.KernelOp(op.name_str, kernel_grid(op), list(op.buffers), op.detach_region(op.body))


def lower_specials(op: uop.SpecialOp, rewriter: PatternRewriter) -> bool | None:
    """All grid indices of a kernel at once: one loop per dimension around the whole body."""
    kernel = op.parent_op()
    if not isinstance(kernel, c.KernelOp):
        return None  # the kernel rule reads the grid from the specials first
    block = kernel.body.block
    grid = [g.data for g in kernel.grid]
    loops = {dim: c.ForOp(0, size) for dim, size in reversed(list(enumerate(grid)))}  # outermost first
    for dim, loop in loops.items():
        loop.attributes["dim"] = StringAttr(f"gidx{dim}")
    rewriter.insert(list(loops.values()), InsertPoint.at_start(block))
    rewriter.insert([c.EndForOp(loop.result) for loop in reversed(loops.values())], InsertPoint.at_end(block))
    for special in [o for o in block.ops if isinstance(o, uop.SpecialOp)]:
        loop = loops[int(special.dim.data[4:])]
        loop.result.name_hint = special.result.name_hint
        rewriter.replace_all_uses_with(special.result, loop.result)
        rewriter.erase(special)
    return True


def helper_call(op: Operation) -> Operation:
    """Any ALU micro-op: a call of the helper named like it (`uop.add` -> `c.call "add"`)."""
    return c.CallOp(op.name.split(".", 1)[1], list(op.operands), op.results[0].type)


ALU_OPS: tuple[type[Operation], ...] = tuple(sorted(uop.UOP_ALU, key=lambda cls: cls.name))


@dataclass(frozen=True)
class UopToC(RulePass):
    """Rewrite every `uop.kernel` into a `c.kernel`."""

    name = "uop-to-c"
    summary = "Lower micro-ops to the c dialect (C text for the system C compiler)"

    def rules(self) -> Sequence[Rule]:
        return [
            rule(uop.KernelOp, lower_kernel, "uop.kernel -> c.kernel with the grid of its gidx"),
            rule(uop.SpecialOp, lower_specials, "grid indices -> for loops around the body, gidx0 innermost"),
            rule(uop.RangeOp, lambda op: c.ForOp(op.start.value.data, op.end.value.data), "range -> for"),
            rule(uop.EndRangeOp, lambda op: c.EndForOp(op.range), "endrange -> closing brace"),
            rule(uop.DefineAccOp, lambda op: c.VarOp(uop.literal_value(op.value), op.result.type), "acc -> var"),
            rule(uop.AssignOp, lambda op: c.AssignOp(op.acc, op.value), "assign -> `acc = v;`"),
            rule(uop.ConstOp, lambda op: c.ConstOp(uop.literal_value(op.value), op.result.type), "const -> literal"),
            rule(uop.LoadOp, lambda op: c.LoadOp(op.buffer, op.index, op.gate), "load -> `g ? p[i] : 0`"),
            rule(uop.StoreOp, lambda op: c.StoreOp(op.buffer, op.index, op.value, op.gate), "store -> `p[i] = v`"),
            rule(ALU_OPS, helper_call, "ALU op -> call of the helper of the same name"),
        ]

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        super().apply(ctx, op)
        for kernel in op.walk():
            if isinstance(kernel, c.KernelOp):
                for inner in kernel.body.walk():
                    if inner is not kernel and not inner.name.startswith("c."):
                        emit_error(inner, f"uop-to-c: cannot lower {inner.name} to C")
