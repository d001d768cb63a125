"""`rule()` tells a rule that wants the rewriter by its parameter count, remembered per code object
(tables are built for every application of a pass): the answer is inspect's for every rule of every
registered pass, for partials, closures made per table, wrappers and functions with *args."""

from __future__ import annotations

import functools
import inspect

from tinyir import rewrite
from tinyir.registry import all_passes


def _inspected(fn) -> int:
    try:
        return len(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return 1


def test_every_registered_rule_agrees_with_inspect() -> None:
    checked = 0
    for factory in all_passes().values():
        made = factory()
        try:
            rules = (made() if isinstance(made, type) else made).rules()
        except Exception:  # a pass that needs options or is no rule table
            continue
        for r in rules:
            assert r.wants_rewriter == (_inspected(r.fn) >= 2), r.name
            checked += 1
    assert checked > 100


def test_shapes_of_callables() -> None:
    def two(a, b):
        return None

    def three(run, a, b=None):
        return None

    def star(*args):
        return None

    def make(k):
        def closure(op):  # one code object for every closure made
            return k
        return closure

    @functools.wraps(two)
    def wrapper(op):
        return None

    class Bound:
        def method(self, op, rewriter):
            return None

    cases = [two, three, star, make(1), make(2), wrapper, Bound().method, functools.partial(three, 1),
             functools.partial(three, 1, 2), functools.partial(star, 1), len]
    for fn in cases * 2:  # the second round reads what the first remembered
        assert rewrite._parameter_count(fn) == _inspected(fn), fn
