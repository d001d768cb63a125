"""Source positions for tinyir-opt: a parser that locates every op, input splitting, caret rendering."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Any

from xdsl.context import Context
from xdsl.dialects.builtin import FileLineColLoc, IntAttr, ModuleOp, StringAttr, UnknownLoc
from xdsl.ir import Operation
from xdsl.parser import Parser, UnresolvedOperand
from xdsl.utils.exceptions import ParseError
from xdsl.utils.lexer import Span

from tinyir.diagnostics import Diagnostic, SourceLoc

SPLIT_MARKER = re.compile(r"^// -----\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Chunk:
    """A piece of the input file; `first_line` is its 1-based line number in the whole file."""

    text: str
    first_line: int

    def padded(self) -> str:
        """The chunk preceded by blank lines, so that positions in it are positions in the file."""
        return "\n" * (self.first_line - 1) + self.text


def split_input(text: str, split: bool) -> list[Chunk]:
    """Split on lines `// -----` (when `split`), remembering where each chunk starts."""
    if not split:
        return [Chunk(text, 1)]
    chunks: list[Chunk] = []
    start = 0
    for marker in SPLIT_MARKER.finditer(text):
        chunks.append(Chunk(text[start:marker.start()], text.count("\n", 0, start) + 1))
        start = marker.end()
    chunks.append(Chunk(text[start:], text.count("\n", 0, start) + 1))
    return chunks


def line_col(text: str, offset: int, name: str) -> SourceLoc:
    """1-based line and column of a character offset in `text`."""
    offset = max(0, min(offset, len(text)))
    line_start = text.rfind("\n", 0, offset) + 1
    return SourceLoc(name, text.count("\n", 0, offset) + 1, offset - line_start + 1)


class LocatingParser(Parser):
    """An xDSL parser that gives every parsed op a `FileLineColLoc` (unless the source has `loc(...)`).

    xDSL 0.74 leaves ops at `loc(unknown)` otherwise; the driver needs positions for verifier and
    pass errors. Locations are not printed (unless asked) and survive cloning.
    """

    def __init__(self, ctx: Context, text: str, name: str):
        super().__init__(ctx, text, name)
        self.source_text = text
        self.source_name = name
        self._name_attr = StringAttr(name)
        self._first_forward_use: dict[str, Span] = {}
        # line start offsets, so that locating each op is a binary search, not a scan of the text
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def resolve_operand(self, operand: UnresolvedOperand, type: Any) -> Any:
        # remember where a value is first used before its definition, to point at it if it never comes
        if operand.operand_name not in self.ssa_values:
            self._first_forward_use.setdefault(operand.operand_name, operand.span)
        return super().resolve_operand(operand, type)

    def parse_module(self, allow_implicit_module: bool = True) -> ModuleOp:
        try:
            return super().parse_module(allow_implicit_module)
        except ParseError as exc:
            undefined = [n for n in self.forward_ssa_references if n in self._first_forward_use]
            if exc.msg.startswith("values used but not defined") and undefined:
                span = self._first_forward_use[undefined[0]]
                raise ParseError(span, f"use of undefined value %{undefined[0]}") from None
            raise

    def parse_operation(self) -> Operation:
        start = self._current_token.span.start
        op = super().parse_operation()
        if isinstance(op.location, UnknownLoc):
            line = bisect_right(self._line_starts, start)
            col = start - self._line_starts[line - 1] + 1
            op.location = FileLineColLoc(self._name_attr, IntAttr(line), IntAttr(col))
        return op

    def current_loc(self) -> SourceLoc:
        """Where the parser stands (for errors raised without a span, e.g. attribute verifiers)."""
        return line_col(self.source_text, self._current_token.span.start, self.source_name)


def parse_located(ctx: Context, text: str, name: str) -> ModuleOp:
    """Parse a module whose ops carry their source positions (not verified)."""
    return LocatingParser(ctx, text, name).parse_module()


class SourceFiles:
    """Source texts by name, to show the offending line under a diagnostic."""

    def __init__(self) -> None:
        self._lines: dict[str, list[str]] = {}

    def add(self, name: str, text: str) -> None:
        self._lines[name] = text.split("\n")

    def render(self, diag: Diagnostic, fallback_file: str = "") -> str:
        """`file:line:col: severity: message`, then the source line and a caret under the column."""
        out = [diag.headline(fallback_file)]
        loc = diag.loc
        lines = self._lines.get(loc.file) if loc else None
        if loc and lines is not None and 1 <= loc.line <= len(lines):
            source = lines[loc.line - 1].expandtabs(1)
            out.append(source)
            out.append(" " * (loc.col - 1) + "^")
        return "\n".join(out)


def render_error(diag: Diagnostic, text: str, name: str) -> str:
    """A diagnostic as the tools print it: headline, source line, caret."""
    files = SourceFiles()
    files.add(name, text)
    return files.render(diag, name)


def parse_and_verify(text: str, name: str) -> ModuleOp:
    """Parse and verify a whole file for the tools; a bad file raises one located `TinyirError`."""
    from xdsl.utils.exceptions import DiagnosticException, ParseError

    from tinyir.errors import TinyirError
    from tinyir.ir import make_context
    from tinyir.tools.opt import _find_verify_failure, _is_verify_error

    if "\0" in text:
        raise TinyirError(f"cannot read '{name}': it is a binary file, not IR text")
    parser = LocatingParser(make_context(), text, name)
    try:
        module = parser.parse_module()
    except ParseError as exc:
        diag = Diagnostic("error", exc.msg, line_col(parser.source_text, exc.span.start, name))
        raise TinyirError(render_error(diag, text, name)) from None
    except DiagnosticException as exc:  # an attribute verifier run while parsing
        raise TinyirError(render_error(Diagnostic("error", str(exc), parser.current_loc()), text, name)) from None
    failure = _find_verify_failure(module)
    if failure is not None:
        op, exc = failure
        message = str(exc) if _is_verify_error(exc) else f"verifier crashed: {type(exc).__name__}: {exc}"
        from tinyir.diagnostics import op_location

        diag = Diagnostic("error", f"'{op.name}' op {message}", op_location(op))
        raise TinyirError(render_error(diag, text, name)) from None
    return module
