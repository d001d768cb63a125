"""`--verify-diagnostics`: check emitted diagnostics against `// expected-error {{...}}` annotations.

MLIR's rules: `expected-(error|warning|remark)` followed by an optional designator and `{{text}}`;
the diagnostic must be on the designated line and contain `text`.
  (none)    the annotation's own line          @+N / @-N  N lines below / above it
  @above    the closest line above that holds no annotation
  @below    the closest such line below        @unknown   a diagnostic without a location
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tinyir.diagnostics import Diagnostic, SourceLoc
from tinyir.tools.locations import Chunk

_EXPECTED = re.compile(
    r"expected-(?P<sev>error|warning|remark)(?:@(?P<where>[+-]\d+|above|below|unknown))?\s*\{\{(?P<text>.*)\}\}")


@dataclass
class Expected:
    severity: str
    text: str
    line: int | None  # None: expected at an unknown location
    annotation: SourceLoc
    matched: bool = False


def read_expectations(chunk: Chunk, file: str) -> list[Expected]:
    found: list[Expected] = []
    below: list[Expected] = []
    last_code_line = 0
    for index, source in enumerate(chunk.text.split("\n")):
        line = chunk.first_line + index
        matches = list(_EXPECTED.finditer(source))
        if not matches:  # as in MLIR, any line holding an annotation is skipped by @above/@below
            for pending in below:
                pending.line = line
            below.clear()
            last_code_line = line
        for m in matches:
            where = m.group("where")
            exp = Expected(m.group("sev"), m.group("text"), line, SourceLoc(file, line, m.start() + 1))
            if where == "above":
                exp.line = last_code_line
            elif where == "below":
                below.append(exp)
            elif where == "unknown":
                exp.line = None
            elif where:
                exp.line = line + int(where)
            found.append(exp)
    for pending in below:  # nothing below: can never match, reported as missing
        pending.line = -1
    return found


def check(expected: list[Expected], emitted: list[Diagnostic]) -> list[Diagnostic]:
    """Problems (as error diagnostics) for unexpected and missing diagnostics; empty when all match."""
    problems: list[Diagnostic] = []
    for diag in emitted:
        line = diag.loc.line if diag.loc else None
        hit = next((e for e in expected if not e.matched and e.severity == diag.severity
                    and e.line == line and e.text in diag.message), None)
        if hit is None:
            problems.append(Diagnostic("error", f"unexpected {diag.severity}: {diag.message}", diag.loc))
        else:
            hit.matched = True
    for e in expected:
        if not e.matched:
            where = "at an unknown location" if e.line is None else f"on line {e.line}"
            problems.append(Diagnostic("error", f'expected {e.severity} "{e.text}" was not produced ({where})',
                                       e.annotation))
    return sorted(problems, key=lambda d: (d.loc is None, d.loc.line if d.loc else 0, d.loc.col if d.loc else 0))
