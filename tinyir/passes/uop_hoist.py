"""`uop-hoist`: loop-invariant arithmetic moves out of its loops.

A `uop.kernel` is a straight list of ops in which `uop.range` / `uop.endrange` bracket loops. Index
arithmetic that depends only on thread ids and constants is often placed inside a loop: a staged
copy's addresses are built where the copy is, and the pipelined copies of `uop-async-copy` repeat
them in the loop body. GPU assemblers do not move it out (ptxas recomputes a thread id's division
inside the loop on every trip), so before a GPU lowering every pure op (ALU ops and constants) whose
operands are all defined outside the innermost loops around it moves before the outermost of those
loops. Memory reads, accumulators (`uop.define_acc`: a register that `uop.assign` rewrites inside the
loop, so an op reading it is not invariant) and everything with an effect stay where they are.

One forward walk is enough: an op is visited after its operands, which have already moved as far
out as they can, so it moves straight to its final loop level.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter
from xdsl.rewriter import InsertPoint

from tinyir.dialects import uop
from tinyir.rewrite import Rule, RulePass, RuleTable, rule

Loops = tuple[uop.RangeOp, ...]


@dataclass
class LoopNest:
    """The loops open at each op of the kernels (outermost first), kept up to date as ops move."""

    open_at: dict[Operation, Loops] = field(default_factory=dict)

    @staticmethod
    def of(module: ModuleOp) -> LoopNest:
        nest = LoopNest()
        for kernel in module.walk():
            if not isinstance(kernel, uop.KernelOp):
                continue
            stack: list[uop.RangeOp] = []
            for op in kernel.body.block.ops:
                if isinstance(op, uop.EndRangeOp) and op.range.owner in stack:
                    stack.remove(op.range.owner)
                nest.open_at[op] = tuple(stack)
                if isinstance(op, uop.RangeOp):
                    stack.append(op)
        return nest

    def defined_in(self, value: SSAValue) -> Loops | None:
        """The loops a value is defined in; None where it varies inside every loop around its
        readers (an accumulator) or is not a kernel op's result."""
        owner = value.owner
        if not isinstance(owner, Operation):
            return ()  # a kernel argument
        if isinstance(owner, uop.DefineAccOp):
            return None
        loops = self.open_at.get(owner)
        if loops is None:
            return None
        return (*loops, owner) if isinstance(owner, uop.RangeOp) else loops


def _shared_depth(a: Loops, b: Loops) -> int:
    depth = 0
    for x, y in zip(a, b):
        if x is not y:
            break
        depth += 1
    return depth


def hoist(nest: LoopNest, op: uop.AluOp | uop.ConstOp, rewriter: PatternRewriter) -> bool:
    """Move `op` before the outermost loop around it that none of its operands is defined in."""
    loops = nest.open_at.get(op)
    if not loops:
        return False
    depth = 0
    for operand in op.operands:
        defined = nest.defined_in(operand)
        if defined is None:
            return False
        depth = max(depth, _shared_depth(defined, loops))
        if depth == len(loops):
            return False
    op.detach()
    rewriter.insert(op, InsertPoint.before(loops[depth]))
    nest.open_at[op] = loops[:depth]
    return True


class UopHoist(RulePass):
    """Move loop-invariant ALU ops and constants of uop kernels out of their loops (module docstring)."""

    name = "uop-hoist"
    summary = "Move loop-invariant arithmetic of uop kernels out of their loops"
    greedy = False

    def rules(self, nest: LoopNest | None = None) -> Sequence[Rule]:
        nest = nest or LoopNest()
        return [rule((uop.AluOp, uop.ConstOp), lambda op, rewriter: hoist(nest, op, rewriter),
                     "pure op whose operands are all defined outside its innermost loops -> before the outermost such loop")]

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        RuleTable(self.name, self.rules(LoopNest.of(op))).apply(op, greedy=self.greedy)
