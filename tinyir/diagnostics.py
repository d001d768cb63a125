"""Diagnostics for passes and verifiers: errors, warnings and remarks attached to ops.

A pass reports a problem with the op it is about:

    from tinyir.diagnostics import emit_error, emit_warning
    emit_warning(op, "kernel has no outputs; it will be dropped")
    emit_error(op, "unsupported dtype f64 on this device")      # raises DiagnosticError

`emit_error` raises `DiagnosticError`, which stops the pass; the driver (`tinyir-opt`) catches it
and prints `file:line:col: error: message` with the source line. Warnings and remarks do not stop
anything: they go to the innermost handler installed with `collect_diagnostics()` (the driver
installs one), or to stderr when there is none. Positions come from the op's location attribute
(`tinyir-opt` attaches a `FileLineColLoc` to every parsed op); an op without one (e.g. created by
a pass) borrows the location of its closest located ancestor.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal, NoReturn

from xdsl.ir import Operation

Severity = Literal["error", "warning", "remark"]


@dataclass(frozen=True)
class SourceLoc:
    """A position in a source file: 1-based line and column."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Diagnostic:
    """One message, with where it points to (None when unknown)."""

    severity: Severity
    message: str
    loc: SourceLoc | None = None

    def headline(self, fallback_file: str = "") -> str:
        where = str(self.loc) if self.loc else fallback_file
        return f"{where}: {self.severity}: {self.message}" if where else f"{self.severity}: {self.message}"


class DiagnosticError(Exception):
    """An error about a specific op; raised by passes (via `emit_error`) and caught by the driver."""

    def __init__(self, op: Operation | None, message: str):
        super().__init__(message)
        self.op = op
        self.message = message

    def diagnostic(self) -> Diagnostic:
        return Diagnostic("error", self.message, op_location(self.op))


def op_location(op: Operation | None) -> SourceLoc | None:
    """The source position of `op`, or of its closest ancestor that has one."""
    from xdsl.dialects.builtin import FileLineColLoc

    while op is not None:
        loc = op.location
        if isinstance(loc, FileLineColLoc):
            return SourceLoc(loc.filename.data, loc.line.data, loc.column.data)
        op = op.parent_op()
    return None


Handler = Callable[[Diagnostic], None]
_handlers: list[Handler] = []


def _print_to_stderr(diag: Diagnostic) -> None:
    print(diag.headline(), file=sys.stderr)


def report(diag: Diagnostic) -> None:
    """Send a diagnostic to the innermost handler (stderr when none is installed)."""
    (_handlers[-1] if _handlers else _print_to_stderr)(diag)


@contextmanager
def collect_diagnostics(handler: Handler) -> Iterator[None]:
    """Route warnings/remarks emitted inside the block to `handler`."""
    _handlers.append(handler)
    try:
        yield
    finally:
        _handlers.remove(handler)


def emit_error(op: Operation | None, message: str) -> NoReturn:
    """Fail the current pass with an error located at `op`."""
    raise DiagnosticError(op, message)


def emit_warning(op: Operation | None, message: str) -> None:
    """A warning located at `op`; the pass goes on."""
    report(Diagnostic("warning", message, op_location(op)))


def emit_remark(op: Operation | None, message: str) -> None:
    """A remark (information for the user, e.g. a chosen optimization) located at `op`."""
    report(Diagnostic("remark", message, op_location(op)))


__all__ = ["Diagnostic", "DiagnosticError", "Severity", "SourceLoc", "collect_diagnostics",
           "emit_error", "emit_remark", "emit_warning", "op_location", "report"]
