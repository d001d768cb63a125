"""`tinyir-opt`: the mlir-opt of tinyir. Parse IR, run a pass pipeline, print IR or target text.

User errors (bad IR, bad pipeline, unreadable input) print `tinyir-opt: error: ...` or a located
`file:line:col: error: ...` and exit 1; an internal bug prints one line and exits 2 (full traceback
with --debug or TINYIR_DEBUG=1). Heavy imports (dialects, passes) happen lazily, on first use.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

from tinyir.diagnostics import Diagnostic, DiagnosticError, collect_diagnostics, op_location
from tinyir.tools.locations import Chunk, LocatingParser, SourceFiles, line_col, split_input
from tinyir.tools.pipeline import PipelineError, available_passes, build_pipeline
from tinyir.viz.record import pipeline_watch

PROG = "tinyir-opt"
_BLANK = re.compile(r"(\s|//[^\n]*)*")

DESCRIPTION = """\
Run tinyir (and xDSL) passes on an IR file, like mlir-opt.

Pipelines: --pass-pipeline='builtin.module(pass-a,pass-b{opt=1 list=1,2})' or -p pass-a,pass-b.
Nested anchors such as builtin.module(func.func(cse),canonicalize) are accepted and flattened:
every tinyir pass is a module pass, so each nested pass runs on the whole module, in order."""


class ArgError(Exception):
    pass


class _ArgParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # exit 1 with one line, like every other user error
        raise ArgError(message)


def build_arg_parser() -> argparse.ArgumentParser:
    p = _ArgParser(prog=PROG, description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", nargs="?", default="-", help="input IR file ('-' or nothing: stdin)")
    p.add_argument("-o", "--output", default="-", help="output file, written atomically ('-': stdout)")
    p.add_argument("--pass-pipeline", help="textual pipeline, e.g. 'builtin.module(a,b{x=1})'")
    p.add_argument("-p", "--passes", help="short form: comma-separated passes, e.g. 'a,b{x=1}'")
    p.add_argument("-t", "--target", help="after the pipeline, print this target's text instead of IR")
    p.add_argument("--split-input-file", action="store_true",
                   help="process each chunk between '// -----' lines on its own")
    p.add_argument("--verify-diagnostics", action="store_true",
                   help="check diagnostics against '// expected-error {{...}}' annotations")
    p.add_argument("--mlir-print-op-generic", "--print-op-generic", dest="generic", action="store_true",
                   help="print ops in the generic form")
    p.add_argument("--mlir-print-debuginfo", dest="debuginfo", action="store_true",
                   help="print op locations")
    p.add_argument("--mlir-print-ir-before", metavar="PASSES", default="",
                   help="dump the IR to stderr before these passes (comma-separated)")
    p.add_argument("--mlir-print-ir-after", metavar="PASSES", default="",
                   help="dump the IR to stderr after these passes (comma-separated)")
    p.add_argument("--mlir-print-ir-after-all", action="store_true", help="dump the IR after every pass")
    p.add_argument("--mlir-timing", action="store_true", help="report wall time per pass to stderr")
    p.add_argument("--mlir-pass-statistics", action="store_true",
                   help="report how often each rule of each pass fired, to stderr")
    p.add_argument("--allow-unregistered-dialect", action="store_true", help="accept ops of unknown dialects")
    p.add_argument("--list-passes", action="store_true",
                   help="list tinyir's passes (core and plugins), one per line with a description, and exit")
    p.add_argument("--list-xdsl-passes", action="store_true",
                   help="list the passes xDSL itself provides (also usable in pipelines) and exit")
    p.add_argument("--debug", action="store_true", help="show Python tracebacks for internal errors")
    p.add_argument("--version", action="store_true", help="print the version and exit")
    return p


class UserError(Exception):
    """Ends the run with `tinyir-opt: error: message`, exit 1."""


class InternalError(Exception):
    """A bug in a pass, dialect or emitter (not the user's input): exit 2."""


@dataclass
class Timing:
    """Wall time per phase, accumulated over chunks, in first-seen order."""

    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, name: str, start: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start

    def report(self, total: float) -> str:
        rule = "===" + "-" * 73 + "==="
        lines = [rule, "... Execution time report ...".center(79).rstrip(), rule,
                 f"  Total Execution Time: {total:.4f} seconds", "", "  ----Wall Time----  ----Name----"]
        for name, secs in self.seconds.items():
            lines.append(f"  {secs:8.4f} ({100 * secs / total if total else 0:5.1f}%)  {name}")
        lines.append(f"  {total:8.4f} (100.0%)  Total")
        return "\n".join(lines)


def _make_context(allow_unregistered: bool) -> Any:
    from xdsl.context import Context
    from xdsl.dialects import get_all_dialects

    from tinyir.registry import all_dialects

    ctx = Context(allow_unregistered=allow_unregistered)
    dialects = dict(get_all_dialects())
    dialects.update(all_dialects())
    for name, factory in dialects.items():
        ctx.register_dialect(name, factory)
    return ctx


def _print_ir(module: Any, generic: bool, debuginfo: bool = False) -> str:
    from io import StringIO

    from xdsl.printer import Printer

    out = StringIO()
    Printer(stream=out, print_generic_format=generic, print_debuginfo=debuginfo).print_op(module)
    return out.getvalue() + "\n"


def _load_emitter(name: str) -> Callable[[Any], str]:
    from tinyir.registry import all_emitters, load

    emitters = all_emitters()
    if name not in emitters:
        raise UserError(f"unknown target '{name}' (known: {', '.join(sorted(emitters))})")
    entry = emitters[name]
    if callable(entry):
        return entry
    try:
        return load(entry)
    except Exception as exc:
        raise UserError(f"target '{name}' is unavailable: {type(exc).__name__}: {exc}") from None


class ChunkFailed(Exception):
    """Processing of one chunk stopped at an error (already recorded as a diagnostic)."""


class Driver:
    """One run of tinyir-opt over one input."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.debug = args.debug or os.environ.get("TINYIR_DEBUG", "") not in ("", "0")
        self.sources = SourceFiles()
        self.timing = Timing()
        self.passes: list[Any] = []
        self.print_before: set[str] = set()
        self.print_after: set[str] = set()
        self.emitter: Callable[[Any], str] | None = None
        self.ctx: Any = None

    # ---- set-up -------------------------------------------------------------------------------
    def prepare(self) -> None:
        a = self.args
        if a.pass_pipeline is not None and a.passes is not None:
            raise UserError("give either --pass-pipeline or -p, not both")
        text = a.pass_pipeline if a.pass_pipeline is not None else a.passes
        catalog = available_passes()
        if text:
            start = time.perf_counter()
            try:
                self.passes = build_pipeline(text, catalog)
            except PipelineError as exc:
                raise UserError(exc.render()) from None
            self.timing.add("Pipeline parsing", start)
        for attr, target in (("mlir_print_ir_before", self.print_before), ("mlir_print_ir_after", self.print_after)):
            for name in filter(None, (n.strip() for n in getattr(a, attr).split(","))):
                if name not in catalog:
                    flag = "--" + attr.replace("_", "-")
                    raise UserError(f"{flag}: unknown pass '{name}'")
                target.add(name)
        if a.target:
            self.emitter = _load_emitter(a.target)
        self.ctx = _make_context(a.allow_unregistered_dialect)

    def read_input(self) -> tuple[str, str]:
        name = self.args.input
        try:
            if name == "-":
                data = sys.stdin.buffer.read()
                name = "<stdin>"
            else:
                with open(name, "rb") as f:
                    data = f.read()
        except IsADirectoryError:
            raise UserError(f"cannot read '{name}': it is a directory") from None
        except OSError as exc:
            raise UserError(f"cannot read '{name}': {exc.strerror or exc}") from None
        if b"\0" in data:
            raise UserError(f"cannot read '{name}': it is a binary file, not IR text")
        try:
            return name, data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UserError(f"cannot read '{name}': not UTF-8 text (byte {exc.start})") from None

    # ---- one chunk ----------------------------------------------------------------------------
    def _crash(self, what: str, exc: Exception) -> InternalError:
        if self.debug:
            raise exc
        return InternalError(f"{what}: {type(exc).__name__}: {exc}")

    def parse(self, chunk: Chunk, name: str, diags: list[Diagnostic]) -> Any:
        from xdsl.utils.exceptions import DiagnosticException, ParseError

        start = time.perf_counter()
        if _BLANK.fullmatch(chunk.text):  # like mlir-opt: no ops at all is an empty module
            from xdsl.dialects.builtin import ModuleOp

            return ModuleOp([])
        parser = LocatingParser(self.ctx, chunk.padded(), name)
        try:
            module = parser.parse_module()
        except ParseError as exc:
            diags.append(Diagnostic("error", exc.msg, line_col(parser.source_text, exc.span.start, name)))
            raise ChunkFailed from None
        except DiagnosticException as exc:  # e.g. an attribute verifier run while parsing
            diags.append(Diagnostic("error", str(exc), parser.current_loc()))
            raise ChunkFailed from None
        except Exception as exc:  # a dialect's parse method broke on this input
            if self.debug:
                raise
            diags.append(Diagnostic("error", f"cannot parse: {type(exc).__name__}: {exc}", parser.current_loc()))
            raise ChunkFailed from None
        finally:
            self.timing.add("Parser", start)
        return module

    def verify(self, module: Any, diags: list[Diagnostic], after: str | None = None) -> None:
        start = time.perf_counter()
        try:
            failure = _find_verify_failure(module)
        finally:
            self.timing.add("Verifier", start)
        if failure is None:
            return
        op, exc = failure
        if self.debug and not _is_verify_error(exc):
            raise exc
        message = str(exc) if _is_verify_error(exc) else f"verifier crashed: {type(exc).__name__}: {exc}"
        suffix = f" (after pass '{after}')" if after else ""
        diags.append(Diagnostic("error", f"'{op.name}' op {message}{suffix}", op_location(op)))
        raise ChunkFailed

    def run_passes(self, module: Any, diags: list[Diagnostic]) -> None:
        from xdsl.utils.exceptions import DiagnosticException

        a = self.args
        watch = pipeline_watch(module, f"tinyir-opt {a.input}")  # VIZ=1 / PROFILE=1 (tinyir/viz/record.py)
        for p in self.passes:
            if p.name in self.print_before:
                self.dump("Before", p.name, module)
            start = time.perf_counter()
            try:
                if watch is None:
                    p.apply(self.ctx, module)
                else:
                    watch.run(p, self.ctx, module)
            except DiagnosticError as exc:
                diags.append(_located(exc))
                raise ChunkFailed from None
            except DiagnosticException as exc:  # xDSL passes signal failure this way
                diags.append(Diagnostic("error", f"pass '{p.name}' failed: {exc}", op_location(module)))
                raise ChunkFailed from None
            except Exception as exc:
                raise self._crash(f"pass '{p.name}' crashed", exc) from None
            finally:
                self.timing.add(p.name, start)
            self.verify(module, diags, after=p.name)
            if a.mlir_print_ir_after_all or p.name in self.print_after:
                self.dump("After", p.name, module)

    def dump(self, when: str, pass_name: str, module: Any) -> None:
        header = f"// -----// IR Dump {when} {pass_name} //----- //"
        sys.stderr.write(header + "\n" + _print_ir(module, self.args.generic))
        sys.stderr.flush()

    def render(self, module: Any, diags: list[Diagnostic]) -> str:
        start = time.perf_counter()
        try:
            if self.emitter is None:
                return _print_ir(module, self.args.generic, self.args.debuginfo)
            try:
                text = self.emitter(module)
            except DiagnosticError as exc:
                diags.append(_located(exc))
                raise ChunkFailed from None
            except Exception as exc:
                raise self._crash(f"target '{self.args.target}' crashed", exc) from None
            return text if text.endswith("\n") else text + "\n"
        finally:
            self.timing.add("Output", start)

    def process(self, chunk: Chunk, name: str) -> tuple[str | None, list[Diagnostic]]:
        diags: list[Diagnostic] = []
        with collect_diagnostics(diags.append):
            try:
                module = self.parse(chunk, name, diags)
                self.verify(module, diags)
                self.run_passes(module, diags)
                return self.render(module, diags), diags
            except ChunkFailed:
                return None, diags

    # ---- whole run ----------------------------------------------------------------------------
    def run(self) -> int:
        from tinyir.rewrite import STATISTICS

        t0 = time.perf_counter()
        STATISTICS.clear()
        self.prepare()
        name, text = self.read_input()
        self.sources.add(name, text)
        outputs: list[str] = []
        failed = False
        for chunk in split_input(text, self.args.split_input_file):
            out, diags = self.process(chunk, name)
            if self.args.verify_diagnostics:
                from tinyir.tools.verify_diagnostics import check, read_expectations

                diags = check(read_expectations(chunk, name), diags)
            for d in diags:
                sys.stderr.write(self.sources.render(d, name) + "\n")
                failed |= d.severity == "error"
            if out is not None:
                outputs.append(out)
            elif not self.args.verify_diagnostics:
                failed = True
        if not failed or self.args.output == "-":
            self.write_output("// -----\n".join(outputs))
        if self.args.mlir_timing:
            sys.stderr.write(self.timing.report(time.perf_counter() - t0) + "\n")
        if self.args.mlir_pass_statistics:
            sys.stderr.write(_statistics_report(self.passes, STATISTICS) + "\n")
        return 1 if failed else 0

    def write_output(self, text: str) -> None:
        path = self.args.output
        if path == "-":
            sys.stdout.write(text)
            sys.stdout.flush()
            return
        directory = os.path.dirname(os.path.abspath(path))
        try:
            fd, tmp = tempfile.mkstemp(prefix=".tinyir-opt-", dir=directory)
        except OSError as exc:
            raise UserError(f"cannot write '{path}': {exc.strerror or exc}") from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.chmod(tmp, _output_mode(path))  # mkstemp makes 0600; give the usual permissions
            os.replace(tmp, path)
        except OSError as exc:
            os.unlink(tmp)
            raise UserError(f"cannot write '{path}': {exc.strerror or exc}") from None
        except BaseException:
            os.unlink(tmp)
            raise


def _output_mode(path: str) -> int:
    """An existing file keeps its mode; a new one gets 0666 minus the umask, like open() would."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _is_verify_error(exc: Exception) -> bool:
    from xdsl.utils.exceptions import DiagnosticException

    return isinstance(exc, DiagnosticException)


def _verify_error(op: Any, nested: bool = True) -> Exception | None:
    try:
        op.verify() if nested else op.verify(verify_nested_ops=False)
    except Exception as exc:
        return exc
    return None


def _find_verify_failure(module: Any) -> tuple[Any, Exception] | None:
    """The innermost op whose verification fails, and its error (None when the module verifies)."""
    exc = _verify_error(module)
    if exc is None:
        return None
    op = module
    while True:  # descend into the first child that fails on its own; else the op itself is at fault
        child_failure = None
        for region in op.regions:
            for block in region.blocks:
                for child in block.ops:
                    if (child_exc := _verify_error(child)) is not None:
                        child_failure = (child, child_exc)
                        break
                if child_failure:
                    break
            if child_failure:
                break
        if child_failure is None:
            return op, exc
        op, exc = child_failure


def _located(exc: DiagnosticError) -> Diagnostic:
    prefix = f"'{exc.op.name}' op " if exc.op is not None else ""
    return Diagnostic("error", prefix + exc.message, op_location(exc.op))


def _statistics_report(passes: Sequence[Any], stats: dict[str, Any]) -> str:
    rule = "===" + "-" * 73 + "==="
    lines = [rule, "... Pass statistics report ...".center(79).rstrip(), rule]
    for name in dict.fromkeys(p.name for p in passes):  # a pass listed twice is reported once
        lines.append(name)
        counts = stats.get(name)
        if not counts:
            lines.append("  (no rule fired)")
            continue
        width = max(len(str(n)) for n in counts.values())
        for rule_name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"  (S) {n:>{width}} {rule_name}")
    return "\n".join(lines)


def list_passes() -> str:
    """tinyir's passes (core and plugins), one per line: name, one-line description, {options}."""
    from tinyir.tools.pipeline import describe_pass, option_signature, tinyir_passes

    ours = tinyir_passes()
    width = max((len(n) for n in ours), default=0)
    lines = []
    for name, factory in ours.items():
        try:
            cls = factory()
        except Exception as exc:
            lines.append(f"{name:<{width}}  (unavailable: {type(exc).__name__}: {exc})")
            continue
        sig = option_signature(cls)
        text = describe_pass(cls)
        if text[1:2].islower():  # one style for every line ("lower ...", not "Lower ...")
            text = text[:1].lower() + text[1:]
        lines.append(f"{name:<{width}}  {text}" + (f" {sig}" if sig else ""))
    from tinyir.registry import named_pipelines

    for name, (device, lower) in named_pipelines().items():
        lines.append(f"{name:<{width}}  pipeline: the default chain for device {device}, ending in {lower} "
                     f"(options go to {lower} or kernel-optimize)")
    return "\n".join(lines)


def list_xdsl_passes() -> str:
    """xDSL's own passes, one name per line (not imported, so not described)."""
    from tinyir.tools.pipeline import tinyir_passes
    from xdsl.transforms import get_all_passes

    ours = tinyir_passes()
    return "\n".join(sorted(n for n in get_all_passes() if n not in ours))


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as pkg_version

    try:
        ours = pkg_version("tinyir")
    except PackageNotFoundError:
        ours = "dev"
    return f"{PROG} {ours} (xdsl {pkg_version('xdsl')})"


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv or os.environ.get("TINYIR_DEBUG", "") not in ("", "0")
    try:
        args = build_arg_parser().parse_args(argv)
        if args.version:
            print(version())
            code = 0
        elif args.list_passes:
            print(list_passes())
            code = 0
        elif args.list_xdsl_passes:
            print(list_xdsl_passes())
            code = 0
        else:
            code = Driver(args).run()
    except ArgError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        code = 1
    except UserError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        code = 1
    except InternalError as exc:
        print(f"{PROG}: internal error: {exc} (run with --debug for a traceback)", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:
        code = 130
    except BrokenPipeError:
        code = 0
    except Exception as exc:
        if debug:
            raise
        print(f"{PROG}: internal error: {type(exc).__name__}: {exc} (run with --debug for a traceback)",
              file=sys.stderr)
        code = 2
    sys.exit(code)


if __name__ == "__main__":
    main()
