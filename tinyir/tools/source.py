"""Reading IR files for the tools: one clear error (with file:line:col where known), never a traceback."""

from __future__ import annotations

from xdsl.dialects.builtin import ModuleOp
from xdsl.utils.exceptions import ParseError, VerifyException

from tinyir.errors import TinyirError


def read_text(path: str) -> str:
    if path == "-":
        import sys

        return sys.stdin.read()
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except IsADirectoryError as exc:
        raise TinyirError(f"{path}: is a directory") from exc
    except FileNotFoundError as exc:
        raise TinyirError(f"{path}: no such file") from exc
    except UnicodeDecodeError as exc:
        raise TinyirError(f"{path}: not a text file ({exc.reason})") from exc
    except OSError as exc:
        raise TinyirError(f"{path}: {exc.strerror}") from exc


def load_module(path: str) -> ModuleOp:
    """Read, parse and verify an IR file."""
    text = read_text(path)
    name = "<stdin>" if path == "-" else path
    try:
        from tinyir.tools import locations  # located parsing and verification, when available
    except ImportError:
        locations = None
    if locations is not None and hasattr(locations, "parse_and_verify"):
        return locations.parse_and_verify(text, name)
    from tinyir.ir import make_context
    from xdsl.parser import Parser

    try:
        module = Parser(make_context(), text, name).parse_module()
        module.verify()
    except ParseError as exc:
        raise TinyirError(str(exc).strip()) from exc
    except VerifyException as exc:
        raise TinyirError(f"{name}: error: {exc}") from exc
    return module


def failure_exit(prog: str, path: str, exc: BaseException) -> int:
    """What a tool prints and returns when its work raised `exc`: one line (or the located message)
    and 1 for bad input, 130 for Ctrl-C, 2 for a bug in tinyir (re-raised with TINYIR_DEBUG=1)."""
    import os
    import sys

    from tinyir.diagnostics import DiagnosticError

    if isinstance(exc, TinyirError):
        message = str(exc)
        located = ": error: " in message.split("\n", 1)[0]  # already `file:line:col: error: ...`
        print(message if located else f"{prog}: error: {message}", file=sys.stderr)
        return 1
    if isinstance(exc, DiagnosticError):  # a pass refused the program (e.g. a dtype the device lacks)
        print(f"{prog}: {exc.diagnostic().headline(path)}", file=sys.stderr)
        return 1
    if isinstance(exc, KeyboardInterrupt):
        return 130
    if os.environ.get("TINYIR_DEBUG", "") not in ("", "0"):
        raise exc
    print(f"{prog}: internal error: {type(exc).__name__}: {exc} (set TINYIR_DEBUG=1 for a traceback)",
          file=sys.stderr)
    return 2
