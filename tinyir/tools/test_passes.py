"""Passes that exist to test the driver (like MLIR's `-test-*` passes); they work on arith/func IR.

- `test-emit-diagnostics`: emits a diagnostic at every op of a given name (errors stop the pass).
- `test-arith-identities`: a small rule table (x+0 -> x, x*1 -> x, x*0 -> 0) whose firings show in
  `--mlir-pass-statistics`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

from xdsl.context import Context
from xdsl.dialects import arith
from xdsl.dialects.builtin import IntegerAttr, ModuleOp
from xdsl.ir import SSAValue
from xdsl.passes import ModulePass

from tinyir.diagnostics import emit_error, emit_remark, emit_warning
from tinyir.rewrite import Rule, RulePass, rule


@dataclass(frozen=True)
class TestEmitDiagnostics(ModulePass):
    """Emit a diagnostic at each op named `op`, in walk order, at most `limit` of them (-1: all)."""

    name: ClassVar[str] = "test-emit-diagnostics"
    summary: ClassVar[str] = "emit a diagnostic at every op of a given name (driver tests)"

    op: str = "func.return"
    severity: Literal["error", "warning", "remark"] = "remark"
    message: str = "here"
    limit: int = -1

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        emit = {"error": emit_error, "warning": emit_warning, "remark": emit_remark}[self.severity]
        emitted = 0
        for inner in op.walk():
            if inner.name == self.op and emitted != self.limit:
                emit(inner, self.message)
                emitted += 1


def _int_constant(value: SSAValue) -> int | None:
    owner = value.owner
    if isinstance(owner, arith.ConstantOp) and isinstance(owner.value, IntegerAttr):
        return owner.value.value.data
    return None


def _add_zero(op: arith.AddiOp) -> SSAValue | None:
    if _int_constant(op.rhs) == 0:
        return op.lhs
    return op.rhs if _int_constant(op.lhs) == 0 else None


def _mul_one(op: arith.MuliOp) -> SSAValue | None:
    if _int_constant(op.rhs) == 1:
        return op.lhs
    return op.rhs if _int_constant(op.lhs) == 1 else None


def _mul_zero(op: arith.MuliOp) -> SSAValue | None:
    for side in (op.rhs, op.lhs):
        if _int_constant(side) == 0:
            return side
    return None


@dataclass(frozen=True)
class TestArithIdentities(RulePass):
    """Fold integer identities; a rule table for driver tests (statistics, IR dumps)."""

    name: ClassVar[str] = "test-arith-identities"
    summary: ClassVar[str] = "fold x+0, x*1 and x*0 on integers (driver tests)"

    def rules(self) -> Sequence[Rule]:
        return [
            rule(arith.AddiOp, _add_zero, "x + 0 -> x"),
            rule(arith.MuliOp, _mul_one, "x * 1 -> x"),
            rule(arith.MuliOp, _mul_zero, "x * 0 -> 0"),
        ]


def emit_op_counts(module: ModuleOp) -> str:
    """A test 'target' for `tinyir-opt -t test-op-counts`: how many ops of each name, sorted."""
    from collections import Counter

    counts = Counter(op.name for op in module.walk() if op is not module)
    return "".join(f"{name} {n}\n" for name, n in sorted(counts.items()))
