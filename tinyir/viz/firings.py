"""Rule firings as data: what the shared rewrite driver (tinyir/rewrite.py) reports when asked.

The driver reads `FIRING_LOG` once per table application; when it holds a log (only while the
visualizer records a pass), every firing is appended: rule name and comment, the op it was rooted
at, and the text of the op before and of what replaced it after. With no log set the driver takes
its usual path and prints nothing.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from xdsl.ir import Operation, OpResult, SSAValue

#: the longest text kept for one side of a firing (a whole kernel can be a rule's root)
TEXT_LIMIT = 4000


@dataclass(frozen=True)
class Firing:
    table: str   # the rule table (usually the pass name)
    rule: str
    comment: str
    root: str    # op name the rule matched
    before: str
    after: str


@dataclass
class FiringLog:
    """The firings of one pass, in order."""

    firings: list[Firing] = field(default_factory=list)

    def add(self, table: str, rule: Any, root: str, before: str, after: str) -> None:
        comment = rule.doc if rule.doc != rule.name else ""
        self.firings.append(Firing(table, rule.name, comment, root, before, after))


FIRING_LOG: ContextVar[FiringLog | None] = ContextVar("tinyir_firing_log", default=None)


def op_text(op: Operation) -> str:
    """An op printed on its own (SSA names local to the print), cut to `TEXT_LIMIT`."""
    from tinyir.ir import to_text

    try:
        text = to_text(op)
    except Exception as exc:  # noqa: BLE001 - a half-built op must not break recording
        text = f"<{op.name}: cannot print: {type(exc).__name__}>"
    return text if len(text) <= TEXT_LIMIT else text[:TEXT_LIMIT] + f"\n... ({len(text) - TEXT_LIMIT} more characters)"


def result_text(op: Operation, result: Any) -> str:
    """What a rule left in place of `op`: the ops defining the replacement values (or the op
    itself, changed in place, when the rule edited the IR through the rewriter)."""
    if result is True:
        return op_text(op) if op.parent is not None else "(the rule rewrote the IR through the rewriter)"
    items = list(result) if isinstance(result, (list, tuple)) else [result]
    parts: list[str] = []
    for item in items:
        if isinstance(item, Operation):
            parts.append(op_text(item))
        elif isinstance(item, OpResult):
            parts.append(op_text(item.owner))
        elif isinstance(item, SSAValue):
            parts.append(f"(a block argument{' %' + item.name_hint if item.name_hint else ''})")
    return "\n".join(parts)
