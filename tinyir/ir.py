"""Shared IR plumbing: a context with every tinyir dialect, parsing and printing helpers."""

from __future__ import annotations

from io import StringIO

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation
from xdsl.parser import Parser
from xdsl.printer import Printer


def make_context(allow_unregistered: bool = False) -> Context:
    """A context that knows xDSL's builtin/func/arith dialects and every tinyir dialect (lazily)."""
    from xdsl.dialects.arith import Arith
    from xdsl.dialects.builtin import Builtin
    from xdsl.dialects.func import Func

    from tinyir.registry import all_dialects

    ctx = Context(allow_unregistered=allow_unregistered)
    for dialect in (Builtin, Func, Arith):
        ctx.load_dialect(dialect)
    for name, factory in all_dialects().items():
        if name not in ctx.registered_dialect_names:
            ctx.register_dialect(name, factory)
    return ctx


def parse_module(text: str, name: str = "<input>", ctx: Context | None = None) -> ModuleOp:
    """Parse IR text into a verified module."""
    module = Parser(ctx or make_context(), text, name).parse_module()
    module.verify()
    return module


def to_text(op: Operation, generic: bool = False) -> str:
    """Print an op (custom syntax unless `generic`)."""
    out = StringIO()
    Printer(stream=out, print_generic_format=generic).print_op(op)
    return out.getvalue()
