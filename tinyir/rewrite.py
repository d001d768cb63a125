"""The one rewrite mechanism of tinyir: rule tables applied by a shared driver.

A rule is data: the op type(s) it is rooted at, a function that matches and builds the
replacement, and a short comment. A pass is a `RuleTable` (plus options); the driver applies
it greedily to a fixed point or in a single walk, counts how often each rule fired and can
trace every firing.

A rule's function takes the matched op (and, if it asks for a second parameter, the
`PatternRewriter`) and returns:
  * `None` / `False`     -- no match, nothing changed;
  * an `SSAValue`        -- replace the op's single result with this existing value;
  * an `Operation`       -- a new op (not yet inserted) that replaces the root; operands of it
                            that are results of other new, detached ops are inserted first, so
                            nested constructors like `Add(Mul(x, c), y)` just work;
  * a list of the above  -- one per result of the root (multi-result ops);
  * `True`               -- the function changed the IR itself through the rewriter.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
import types
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation, OpResult, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    PatternRewriter,
    PatternRewriterListener,
    PatternRewriteWalker,
    RewritePattern,
)
from xdsl.rewriter import InsertPoint

from tinyir.viz.firings import FIRING_LOG, FiringLog, op_text, result_text

RuleFn = Callable[..., Any]


@dataclass(frozen=True)
class Rule:
    """One rewrite: `root` op type(s), the match-and-build function, a few words of comment."""

    name: str
    root: tuple[type[Operation], ...]
    fn: RuleFn
    doc: str
    wants_rewriter: bool = False


def rule(root: type[Operation] | Iterable[type[Operation]], fn: RuleFn, doc: str, name: str | None = None) -> Rule:
    """Build a `Rule`; `name` defaults to the comment, so tables stay one line per rule."""
    roots = (root,) if isinstance(root, type) else tuple(root)
    return Rule(name or doc, roots, fn, doc, wants_rewriter=_parameter_count(fn) >= 2)


def _parameter_count(fn: RuleFn) -> int:
    """How many parameters `fn` takes. Tables are built afresh for each application of a pass (a
    small program's compile asked `inspect.signature` some thirty times), so a plain function's
    count, or a partial's of one, is remembered by its code object (closures made per table share
    theirs, and the code keeps nothing of the IR alive)."""
    if isinstance(fn, functools.partial) and not fn.keywords and _plain(fn.func):
        return max(_code_parameter_count(fn.func) - len(fn.args), 0)
    if _plain(fn):
        return _code_parameter_count(fn)
    try:
        return len(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return 1


def _plain(fn: Any) -> bool:
    """A function whose signature is its code's: no `*args`, not a wrapper that names another."""
    return (type(fn) is types.FunctionType and not hasattr(fn, "__wrapped__")
            and not fn.__code__.co_flags & inspect.CO_VARARGS)


def _code_parameter_count(fn: types.FunctionType) -> int:
    found = _PARAMETER_COUNTS.get(fn.__code__)
    if found is None:
        found = _PARAMETER_COUNTS[fn.__code__] = len(inspect.signature(fn).parameters)
    return found


#: code object -> how many parameters a function with it takes (`_parameter_count`)
_PARAMETER_COUNTS: dict[types.CodeType, int] = {}


# Process-wide statistics, read by `tinyir-opt --mlir-pass-statistics`: pass -> rule -> count.
STATISTICS: dict[str, Counter[str]] = {}


def _detached_producers(op: Operation, out: list[Operation], seen: set[int]) -> None:
    """Collect new ops feeding `op` that are not yet in a block, operands first."""
    for operand in op.operands:
        owner = operand.owner if isinstance(operand, OpResult) else None
        if owner is not None and owner.parent is None and id(owner) not in seen:
            seen.add(id(owner))
            _detached_producers(owner, out, seen)
            out.append(owner)


def _install_plainly(op: Operation, new_ops: list[Operation], values: list[SSAValue],
                     rewriter: PatternRewriter) -> None:
    """`rewriter.replace(op, new_ops, values)` for a rewriter without listeners (IN-ORDER): the
    same IR and name hints, without the bookkeeping for listeners (a third of the cost)."""
    block = op.parent_block()
    assert block is not None
    if new_ops:
        block.insert_ops_before(new_ops, op)
    for old, new in zip(op.results, values):
        old.replace_all_uses_with(new)
        if not new.name_hint:
            new.name_hint = old.name_hint
    if len(values) == 1 and (hint := values[0].name_hint) is not None:
        for new_op in new_ops:
            for res in new_op.results:
                if not res.name_hint:
                    res.name_hint = hint
    block.erase_op(op)
    rewriter.has_done_action = True


def _apply_result(op: Operation, result: Any, rewriter: PatternRewriter, plainly: bool = False) -> bool:
    """Install what a rule returned in place of `op` (`plainly`: the rewriter has no listeners).
    Returns whether anything changed."""
    if result is None or result is False:
        return False
    if result is True:
        return True
    items = list(result) if isinstance(result, (list, tuple)) else [result]
    new_ops: list[Operation] = []
    seen: set[int] = set()
    values: list[SSAValue] = []
    for item in items:
        if isinstance(item, Operation):
            if item.parent is None and id(item) not in seen:
                _detached_producers(item, new_ops, seen)
                seen.add(id(item))
                new_ops.append(item)
            if len(item.results) != 1 and len(items) == 1:
                values.extend(item.results)
            else:
                values.append(item.results[0])
        elif isinstance(item, SSAValue):
            values.append(item)
        else:
            raise TypeError(f"rule returned {type(item).__name__}, expected an op or a value")
    if len(values) != len(op.results):
        raise ValueError(f"rule on {op.name} gave {len(values)} values for {len(op.results)} results")
    if not new_ops and all(v is r for v, r in zip(values, op.results)):
        return False
    if plainly:
        _install_plainly(op, new_ops, values, rewriter)
    else:
        rewriter.replace(op, new_ops, values)
    return True


@functools.lru_cache(maxsize=4096)
def _matching_roots(roots: tuple[tuple[type[Operation], ...], ...], cls: type[Operation]) -> tuple[int, ...]:
    """Which rules (by index) an op of type `cls` is a root of. Tables are built afresh for each
    application of a pass, so this answer is remembered across them (a small program's compile
    spent a fifth of its time asking it again)."""
    return tuple(i for i, root in enumerate(roots) if any(issubclass(cls, t) for t in root))


class RuleTable(RewritePattern):
    """A named list of rules, usable as one xDSL `RewritePattern`."""

    def __init__(self, name: str, rules: Sequence[Rule]):
        self.name = name
        self.rules = list(rules)
        self.by_type: dict[type[Operation], list[Rule]] = {}
        self.stats: Counter[str] = Counter()
        self.trace = bool(os.environ.get("TINYIR_TRACE_RULES"))
        names = [r.name for r in self.rules]
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise ValueError(f"rule table {name}: duplicate rule names {dup}")

    def _rules_for(self, op: Operation) -> list[Rule]:
        cls = type(op)
        found = self.by_type.get(cls)
        if found is None:
            found = [self.rules[i] for i in _matching_roots(tuple(r.root for r in self.rules), cls)]
            self.by_type[cls] = found
        return found

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        self._rewrite(op, rewriter, plainly=False)

    def _rewrite(self, op: Operation, rewriter: PatternRewriter, plainly: bool) -> None:
        for r in self._rules_for(op):
            result = r.fn(op, rewriter) if r.wants_rewriter else r.fn(op)
            if result is None or result is False:  # most tries: no match (no call to install nothing)
                continue
            if _apply_result(op, result, rewriter, plainly):
                self.stats[r.name] += 1
                STATISTICS.setdefault(self.name, Counter())[r.name] += 1
                if self.trace:
                    print(f"[{self.name}] {r.name} @ {op.name}", file=sys.stderr)
                return

    def apply(self, root: Operation, *, greedy: bool = True, reverse: bool = False,
              listener: PatternRewriterListener | None = None) -> bool:
        """Apply the table to every op nested in `root` (to a fixed point when `greedy`).

        `listener`, if given, hears of every insertion, replacement and removal the rules make
        (e.g. so a pass can keep a table of values that follows replacements)."""
        log = FIRING_LOG.get()  # set only while the visualizer records (tinyir/viz/firings.py)
        pattern = self if log is None else _RecordingTable(self, log)
        walker = PatternRewriteWalker(pattern, apply_recursively=greedy, walk_reverse=reverse,
                                      listener=listener or PatternRewriterListener())
        changed = False
        for region in root.regions:
            changed |= walker.rewrite_region(region)
        return changed

    def apply_in_order(self, ops: Iterable[Operation]) -> list[Operation]:
        """One forward walk over `ops` (taken as a list first), each op tried once: for passes that
        translate op by op, where ops come after what they read. No worklist: the greedy driver
        would also revisit every op a rule inserted and every user of a replaced value (most of
        uop-to-llvm's time). Returns the ops whose rules all declined (to leave to `apply`); ops
        that an earlier rule removed are skipped. Statistics, tracing and the visualizer's log
        work as in `apply`. (IN-ORDER)"""
        log = FIRING_LOG.get()
        recorder = None if log is None else _RecordingTable(self, log)
        rewriter: PatternRewriter | None = None
        declined: list[Operation] = []
        for op in list(ops):
            if op.parent is None or not self._rules_for(op):
                continue
            if rewriter is None:
                rewriter = PatternRewriter(op)
            rewriter.has_done_action = False
            rewriter.current_operation = op
            rewriter.insertion_point = InsertPoint.before(op)
            rewriter.name_hint = None
            try:
                if recorder is None:
                    self._rewrite(op, rewriter, plainly=True)
                else:
                    recorder.match_and_rewrite(op, rewriter)
            except Exception as err:  # noqa: BLE001 - reported as the greedy driver does: the IR as a note
                op.emit_error(f"Error while applying pattern: {err}", underlying_error=err)
            if not rewriter.has_done_action:
                declined.append(op)
        return declined

    def describe(self) -> str:
        """The table as text: one line per rule, root op and comment."""
        lines = [f"{self.name}: {len(self.rules)} rules"]
        for r in self.rules:
            roots = ",".join(getattr(t, "name", t.__name__) for t in r.root)
            lines.append(f"  {roots:<24} {r.doc}")
        return "\n".join(lines)


class _RecordingTable(RewritePattern):
    """`table`'s matching, also writing each firing to the visualizer's log (text before and after)."""

    def __init__(self, table: RuleTable, log: FiringLog):
        self.table, self.log = table, log

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        table = self.table
        rules = table._rules_for(op)
        if not rules:
            return
        before = None
        for r in rules:
            if r.wants_rewriter:  # it may edit the op through the rewriter: print it first
                before = before or op_text(op)
                result = r.fn(op, rewriter)
            else:  # it builds new ops and leaves the root as it was: print it only if it matched
                result = r.fn(op)
                if result is not None and result is not False:
                    before = before or op_text(op)
            if _apply_result(op, result, rewriter):
                table.stats[r.name] += 1
                STATISTICS.setdefault(table.name, Counter())[r.name] += 1
                self.log.add(table.name, r, op.name, before or "", result_text(op, result))
                if table.trace:
                    print(f"[{table.name}] {r.name} @ {op.name}", file=sys.stderr)
                return


@dataclass(frozen=True)
class RulePass(ModulePass):
    """A pass that is a rule table. Subclasses set `name`, `summary` and `rules()`."""

    name: ClassVar[str] = "rule-pass"
    summary: ClassVar[str] = ""
    greedy: ClassVar[bool] = True
    reverse: ClassVar[bool] = False

    def rules(self) -> Sequence[Rule]:  # options may shape the table
        raise NotImplementedError

    def table(self) -> RuleTable:
        return RuleTable(self.name, self.rules())

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        self.table().apply(op, greedy=self.greedy, reverse=self.reverse)


def erase_dead(root: Operation, is_removable: Callable[[Operation], bool]) -> int:
    """Erase ops without uses for which `is_removable` holds, to a fixed point. Returns count."""
    count = 0
    changed = True
    while changed:
        changed = False
        for op in list(root.walk(reverse=True)):
            if op is root or op.parent is None:
                continue
            if all(not r.uses for r in op.results) and op.results and is_removable(op):
                op.detach()
                op.erase()
                count += 1
                changed = True
    return count


__all__ = ["Rule", "RuleTable", "RulePass", "rule", "erase_dead", "STATISTICS", "field"]
