"""Pass pipelines for tinyir-opt: parse `builtin.module(a,func.func(b{x=1 y=a,b}))`, check options.

Grammar (MLIR's textual pipeline, with xDSL's option syntax):

    pipeline ::= (element (`,` element)*)?
    element  ::= anchor `(` pipeline `)` | pass-name (`{` option (` ` option)* `}`)?
    option   ::= key (`=` value (`,` value)*)?        value: number, true/false, identifier, "string"

Anchors (`builtin.module`, `func.func`, any op name) nest; since every tinyir pass is a module pass,
the nested passes are flattened in order and each runs on the whole module.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from types import NoneType, UnionType
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from xdsl.passes import ModulePass


class PipelineError(Exception):
    """A bad pipeline: malformed text, unknown pass, unknown or ill-typed option."""

    def __init__(self, message: str, text: str | None = None, pos: int | None = None):
        super().__init__(message)
        self.message = message
        self.text = text
        self.pos = pos

    def render(self) -> str:
        if self.text is None or self.pos is None:
            return self.message
        return f"{self.message}\n  {self.text}\n  {' ' * self.pos}^"


@dataclass(frozen=True)
class PassSpec:
    """One pass as written: its name, raw option values and where it starts in the text."""

    name: str
    options: dict[str, tuple[Any, ...]]
    pos: int
    anchor: str  # innermost anchor, e.g. "builtin.module" or "func.func"


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_.$-]*")


class _Reader:
    """Recursive-descent reader over the pipeline text."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def fail(self, message: str, pos: int | None = None) -> PipelineError:
        return PipelineError(f"malformed pass pipeline: {message}", self.text, self.pos if pos is None else pos)

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self) -> str:
        self.skip_space()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def pipeline(self, anchor: str, closer: str) -> list[PassSpec]:
        specs: list[PassSpec] = []
        if self.peek() == closer:
            return specs
        while True:
            specs.extend(self.element(anchor))
            nxt = self.peek()
            if nxt == ",":
                self.pos += 1
                continue
            if nxt == closer:
                return specs
            expected = "',' or ')'" if closer == ")" else "',' or end of pipeline"
            raise self.fail(f"expected {expected}, found {nxt!r}" if nxt else f"expected {expected}, found end of text")

    def element(self, anchor: str) -> list[PassSpec]:
        self.skip_space()
        start = self.pos
        match = _IDENT.match(self.text, self.pos)
        if not match:
            found = self.text[self.pos:self.pos + 1]
            raise self.fail(f"expected a pass name, found {found!r}" if found else "expected a pass name, found end of text")
        name = match.group()
        self.pos = match.end()
        if self.peek() == "(":  # an anchor: nested pipeline on ops of that name
            self.pos += 1
            inner = self.pipeline(name, ")")
            if self.peek() != ")":
                raise self.fail(f"missing ')' closing '{name}('")
            self.pos += 1
            return inner
        options: dict[str, tuple[Any, ...]] = {}
        if self.pos < len(self.text) and self.text[self.pos] == "{":
            options = self.options(name)
        return [PassSpec(name, options, start, anchor)]

    def options(self, name: str) -> dict[str, tuple[Any, ...]]:
        """`{key=v1,v2 flag other="quoted string"}`, the `{` at self.pos."""
        options: dict[str, tuple[Any, ...]] = {}
        self.pos += 1
        while True:
            self.skip_space()
            if self.pos >= len(self.text):
                raise self.fail(f"unterminated '{{' in the options of '{name}'")
            if self.text[self.pos] == "}":
                self.pos += 1
                return options
            key_pos = self.pos
            key = _OPTION_KEY.match(self.text, self.pos)
            if not key:
                raise self.fail(f"expected an option name in the options of '{name}'")
            self.pos = key.end()
            if key.group() in options:
                raise self.fail(f"option '{key.group()}' given twice", key_pos)
            values: list[Any] = []
            if self.pos < len(self.text) and self.text[self.pos] == "=":
                self.pos += 1
                values.append(self.value())
                while self.pos < len(self.text) and self.text[self.pos] == ",":
                    self.pos += 1
                    values.append(self.value())
            options[key.group()] = tuple(values)
            if self.pos < len(self.text) and not (self.text[self.pos].isspace() or self.text[self.pos] == "}"):
                raise self.fail("expected a space or '}' after an option")

    def value(self) -> Any:
        """One option value: "quoted" (always a string), true/false, an int, a float, or a bare word."""
        if self.pos < len(self.text) and self.text[self.pos] == '"':
            end = self.pos + 1
            chars: list[str] = []
            while end < len(self.text) and self.text[end] != '"':
                if self.text[end] == "\\" and end + 1 < len(self.text):
                    end += 1
                chars.append(self.text[end])
                end += 1
            if end >= len(self.text):
                raise self.fail("unterminated string in pass options")
            self.pos = end + 1
            return "".join(chars)
        word = _BARE_VALUE.match(self.text, self.pos)
        if not word:
            raise self.fail("expected an option value")
        self.pos = word.end()
        text = word.group()
        if text in ("true", "false"):
            return text == "true"
        if _INT.fullmatch(text):
            return int(text)
        if _FLOAT.fullmatch(text):
            return float(text)
        return text


_OPTION_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_BARE_VALUE = re.compile(r"[^\s,{}()\"]+")
_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+")


def parse_pipeline_text(text: str) -> list[PassSpec]:
    """The flat list of passes in a pipeline (nested anchors flattened, in order)."""
    reader = _Reader(text)
    specs = reader.pipeline("builtin.module", "")
    if reader.peek():
        raise reader.fail(f"unexpected {reader.peek()!r}")
    return specs


# ---- pass catalog ---------------------------------------------------------------------------

PassFactory = Callable[[], type[ModulePass]]


def tinyir_passes() -> dict[str, PassFactory]:
    from tinyir.registry import all_passes

    return all_passes()


def available_passes() -> dict[str, PassFactory]:
    """xDSL's passes (cse, canonicalize, dce, ...) and tinyir's, which win on a name clash."""
    from xdsl.transforms import get_all_passes

    passes: dict[str, PassFactory] = dict(get_all_passes())
    passes.update(tinyir_passes())
    return passes


def describe_pass(cls: type[ModulePass]) -> str:
    """One line: the `summary` ClassVar, else the first line of the docstring."""
    summary = getattr(cls, "summary", "") or ""
    if not summary and cls.__doc__ and not cls.__doc__.startswith(f"{cls.__name__}("):
        summary = cls.__doc__.strip().splitlines()[0]
    return summary.strip() or "(no description)"


def option_fields(cls: type[ModulePass]) -> list[dataclasses.Field[Any]]:
    if not dataclasses.is_dataclass(cls):
        return []
    return [f for f in dataclasses.fields(cls) if f.init and f.name != "name"]


def _type_name(tp: Any) -> str:
    if tp is NoneType:
        return "none"
    if get_origin(tp) in (Union, UnionType):
        return " | ".join(_type_name(a) for a in get_args(tp))
    if get_origin(tp) is tuple:
        return f"list of {_type_name(get_args(tp)[0])}"
    if get_origin(tp) is Literal:
        return "one of " + "|".join(str(a) for a in get_args(tp))
    return getattr(tp, "__name__", str(tp))


def option_signature(cls: type[ModulePass]) -> str:
    """`{key: type = default ...}` for --list-passes."""
    try:
        hints = get_type_hints(cls)
    except Exception:
        hints = {}
    parts = []
    for f in option_fields(cls):
        text = f"{f.name.replace('_', '-')}: {_type_name(hints.get(f.name, f.type))}"
        if f.default is not dataclasses.MISSING:
            text += f" = {f.default!r}"
        parts.append(text)
    return "{" + ", ".join(parts) + "}" if parts else ""


class _Mismatch(Exception):
    pass


def _scalar(value: Any, tp: Any) -> Any:
    if tp is Any:
        return value
    if get_origin(tp) is Literal:
        if value in get_args(tp) and not (isinstance(value, bool) and True not in get_args(tp)):
            return value
        raise _Mismatch
    if tp is bool:
        if isinstance(value, bool):
            return value
    elif tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif tp is str:
        return value if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)
    elif isinstance(tp, type) and isinstance(value, tp):
        return value
    raise _Mismatch


def _coerce(values: tuple[Any, ...], tp: Any) -> Any:
    origin = get_origin(tp)
    if origin in (Union, UnionType):
        args = get_args(tp)
        if not values and NoneType in args:
            return None
        for arg in args:
            if arg is NoneType:
                continue
            try:
                return _coerce(values, arg)
            except _Mismatch:
                continue
        raise _Mismatch
    if origin is tuple:
        elem = get_args(tp)[0] if get_args(tp) else Any
        return tuple(_scalar(v, elem) for v in values)
    if tp is bool and not values:  # `pass{flag}` switches a flag on
        return True
    if len(values) != 1:
        raise _Mismatch
    return _scalar(values[0], tp)


def _show(values: tuple[Any, ...]) -> str:
    return ",".join(str(v).lower() if isinstance(v, bool) else str(v) for v in values) or "(nothing)"


@functools.cache
def _type_hints(cls: type) -> dict[str, Any]:
    """A pass class's resolved annotations, once per class: resolving them took two thirds of
    building a pipeline, which every compile does several times (FIRST-CALL)."""
    return get_type_hints(cls)


def instantiate(spec: PassSpec, cls: type[ModulePass]) -> ModulePass:
    """Build the pass from its written options, with a clear error for each kind of mistake."""
    fields = {f.name: f for f in option_fields(cls)}
    hints = _type_hints(cls) if fields else {}
    kwargs: dict[str, Any] = {}
    for key, values in spec.options.items():
        field_name = key.replace("-", "_")
        if field_name not in fields:
            known = ", ".join(n.replace("_", "-") for n in fields) or "none"
            raise PipelineError(f"pass '{spec.name}' has no option '{key}' (options: {known})")
        tp = hints.get(field_name, fields[field_name].type)
        try:
            kwargs[field_name] = _coerce(values, tp)
        except _Mismatch:
            raise PipelineError(f"option '{key}' of pass '{spec.name}' expects {_type_name(tp)}, "
                                f"got '{_show(values)}'") from None
    for name, f in fields.items():
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        if required and name not in kwargs:
            raise PipelineError(f"pass '{spec.name}' requires option '{name.replace('_', '-')}'")
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise PipelineError(f"invalid options for pass '{spec.name}': {exc}") from None


#: other names users know an option by (AMD calls the GPU architecture a chip)
OPTION_ALIASES = {"chip": "arch"}
#: options of a lowering that kernel-optimize takes as well (its limits may depend on the chip)
CHIP_OPTIONS = ("arch",)


def expand_named_pipeline(spec: PassSpec, catalog: dict[str, PassFactory]) -> list[PassSpec] | None:
    """`lower-to-NAME{options}` as the passes of that target's default chain, or None when `spec` is
    not a named pipeline. Each option goes to the lowering pass or to `kernel-optimize`, whichever
    has it (`lower-to-ptx{arch=sm_90a}`, `lower-to-llvm{actions="upcast:0:4"}`)."""
    from tinyir.registry import default_pipeline, named_pipelines

    named = named_pipelines().get(spec.name)
    if named is None:
        return None
    device, lower = named
    chain = [parse_pipeline_text(entry)[0] for entry in default_pipeline(device, lower)]
    owners = {"kernel-optimize": {f.name for f in option_fields(catalog["kernel-optimize"]())},
              lower: {f.name for f in option_fields(catalog[lower]())}}
    for entry in chain:  # a pass whose work depends on the chip takes its options too (uop-async-copy's
        if entry.name in owners or entry.name not in catalog:  # arch and stages); unknown: build_pipeline says so
            continue
        try:
            fields = {f.name for f in option_fields(catalog[entry.name]())}
        except Exception:  # noqa: BLE001 - a pass that does not import: build_pipeline reports it
            continue
        if any(c.replace("-", "_") in fields for c in CHIP_OPTIONS):
            owners[entry.name] = fields
    given: dict[str, dict[str, tuple[Any, ...]]] = {name: {} for name in owners}
    for key, values in spec.options.items():
        key = OPTION_ALIASES.get(key, key)
        takers = [n for n, fields in owners.items() if key.replace("-", "_") in fields and key != "target"]
        if key in CHIP_OPTIONS:  # the lowering's chip is the other passes' too; a target without chips has none
            takers = takers if lower in takers else []
        if not takers:
            chip = {c for c in CHIP_OPTIONS if c.replace("-", "_") not in owners[lower]}
            known = sorted({k.replace("_", "-") for f in owners.values() for k in f} - {"target"} - chip)
            raise PipelineError(f"pipeline '{spec.name}' has no option '{key}' (options: {', '.join(known)})")
        for owner in takers:
            given[owner][key] = values
    specs = []
    for entry in chain:  # the chain's own options (uop-async-copy's target), then the given ones
        options = {"target": (device,)} if entry.name == "kernel-optimize" else dict(entry.options)
        options.update(given.get(entry.name, {}))
        specs.append(PassSpec(entry.name, options, spec.pos, spec.anchor))
    return specs


def build_pipeline(text: str, passes: dict[str, PassFactory] | None = None) -> list[ModulePass]:
    """Parse and instantiate a pipeline; raises `PipelineError` on any problem."""
    catalog = passes if passes is not None else available_passes()
    specs = []
    for spec in parse_pipeline_text(text):
        specs.extend(expand_named_pipeline(spec, catalog) or [spec])
    built: list[ModulePass] = []
    for spec in specs:
        factory = catalog.get(spec.name)
        if factory is None:
            close = difflib.get_close_matches(spec.name, list(catalog), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise PipelineError(f"unknown pass '{spec.name}'{hint}", text, spec.pos)
        try:
            cls = factory()
        except Exception as exc:  # a colleague's module that does not import yet
            raise PipelineError(f"pass '{spec.name}' is unavailable: {type(exc).__name__}: {exc}") from None
        built.append(instantiate(spec, cls))
    return built
