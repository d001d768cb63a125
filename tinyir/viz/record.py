"""What the visualizer records of a compile: the IR after every pass with its rule firings, each
kernel's uop list and target code, and its launch times; plus the hooks' observers.

`compile_program` asks `observe_compile` for an observer (None unless VIZ=1, PROFILE=1 or a
`tinyir-viz` recording is on, so the compiler's usual path is unchanged); `run_passes` asks
`pass_watch`; a compiled program keeps a `LaunchWatch` (or None) for its launches.
"""

from __future__ import annotations

import atexit
import contextlib
import re
import sys
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from tinyir.viz.firings import FIRING_LOG, Firing, FiringLog
from tinyir.viz.settings import SWITCHES, output_path


@dataclass
class Step:
    """The module after one pass (or as given, for the first step)."""

    name: str            # pass name, or "input"
    spec: str            # the pass as written in a pipeline, with its options
    text: str            # the whole module's IR after the pass
    firings: list[Firing] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class KernelRecord:
    name: str
    uop: str = ""        # the uop.kernel after the last uop-level pass
    target: str = ""     # the target's code for it
    flops: int = 0
    bytes: int = 0
    actions: str = ""
    times: list[float] = field(default_factory=list)  # seconds per launch


@dataclass
class ProgramRecord:
    title: str
    device: str
    steps: list[Step] = field(default_factory=list)
    kernels: dict[str, KernelRecord] = field(default_factory=dict)

    def kernel(self, name: str) -> KernelRecord:
        found = self.kernels.get(name)
        if found is None:
            found = self.kernels[name] = KernelRecord(name)
        return found

    def note_uop_kernels(self, module: Any) -> None:
        """Each `uop.kernel`'s text and estimates (the module is at the uop level)."""
        from tinyir.dialects import uop
        from tinyir.ir import to_text
        from tinyir.runtime.kernel_info import kernel_info

        for op in module.walk():
            if isinstance(op, uop.KernelOp):
                record = self.kernel(op.kernel_name.data)
                record.uop = to_text(op)
                info = kernel_info(op)
                record.flops, record.bytes, record.actions = info.flops, info.bytes, info.actions

    def note_sources(self, sources: list[Any]) -> None:
        for source in sources:
            self.kernel(source.name).target = source.text


@dataclass
class VizSession:
    """Every program recorded in one run (one page)."""

    programs: list[ProgramRecord] = field(default_factory=list)

    def write(self, path: str) -> str:
        from tinyir.viz.page import render_page

        with open(path, "w", encoding="utf-8") as f:
            f.write(render_page(self.programs))
        return path


#: the session of a `tinyir-viz` run (VIZ=1 uses the process's own, written at exit)
SESSION: ContextVar[VizSession | None] = ContextVar("tinyir_viz_session", default=None)
#: the program whose passes are being recorded right now
CURRENT_PROGRAM: ContextVar[ProgramRecord | None] = ContextVar("tinyir_viz_program", default=None)
_ENV_SESSION: list[VizSession] = []


@contextlib.contextmanager
def recording(session: VizSession) -> Iterator[VizSession]:
    token = SESSION.set(session)
    try:
        yield session
    finally:
        SESSION.reset(token)


def _env_session() -> VizSession:
    if not _ENV_SESSION:
        _ENV_SESSION.append(VizSession())
        atexit.register(_write_env_session)
    return _ENV_SESSION[0]


def _write_env_session() -> None:
    session = _ENV_SESSION[0]
    if not session.programs:
        return
    path = output_path("TINYIR_VIZ_PATH", "tinyir_viz.html")
    try:
        session.write(path)
    except OSError as exc:
        print(f"VIZ: could not write the page: {exc}", file=sys.stderr)
        return
    print(f"VIZ: wrote the rewrites of {len(session.programs)} program(s) to {path}", file=sys.stderr)


def active_session() -> VizSession | None:
    session = SESSION.get()
    if session is None and SWITCHES.viz:
        session = _env_session()
    return session


# ---------------------------------------------------------------- observers

def _levels(text: str) -> str:
    """The dialects present in a module's text, in lowering order (e.g. "st, uop")."""
    order = ["tir", "st", "loop", "uop", "llir", "ocl", "ptx", "amdgpu", "metal"]
    found = set(re.findall(r"\b(tir|st|loop|uop|llir|ocl|ptx|amdgpu|metal)\.[a-z_]", text))
    return ", ".join(d for d in order if d in found)


def _signature(module: Any) -> str:
    from xdsl.dialects import func

    for op in module.ops:
        if isinstance(op, func.FuncOp):
            ins = ", ".join(str(t) for t in op.function_type.inputs.data)
            outs = ", ".join(str(t) for t in op.function_type.outputs.data)
            return f"@{op.sym_name.data}({ins}) -> ({outs})"
    return "(no function)"


@dataclass
class CompileObserver:
    """One compile being recorded (`record`), profiled (`profile`) and/or drawn (GRAPH=1)."""

    record: ProgramRecord | None
    profile: Any
    start_us: float = 0.0

    @contextlib.contextmanager
    def passes(self) -> Iterator[None]:
        """While the pass chain runs: `run_passes` records into this program."""
        token = CURRENT_PROGRAM.set(self.record) if self.record is not None else None
        try:
            yield
        finally:
            if token is not None:
                CURRENT_PROGRAM.reset(token)

    def compiled(self, program: Any) -> None:
        """The program is built: keep its kernels' code, hand it the launch watch."""
        if self.record is not None:
            self.record.note_sources(program.kernels)
        if SWITCHES.graph:
            from tinyir.viz.graph import note_kernel_graph

            note_kernel_graph(program)
        if self.profile is not None:
            self.profile.add(self.record.title if self.record else f"compile for {program.device_name}",
                             "compile", 0, self.start_us, self.profile.now_us() - self.start_us,
                             {"kernels": len(program.kernels)})
        if self.record is not None or self.profile is not None:
            program.watch = LaunchWatch(self.record, self.profile)


def observe_compile(module: Any, device: str) -> CompileObserver | None:
    """An observer for this compile, or None when nothing records or profiles (the usual case)."""
    session = active_session()
    profile = None
    if SWITCHES.profile:
        from tinyir.runtime.profile import active_profile

        profile = active_profile()
    if session is None and profile is None and not SWITCHES.graph:
        return None
    record = None
    if session is not None:
        from tinyir.ir import to_text

        record = ProgramRecord(f"program {len(session.programs)}: {_signature(module)} on {device}", device)
        text = to_text(module)
        record.steps.append(Step("input", f"input ({_levels(text)})", text))
        session.programs.append(record)
    observer = CompileObserver(record, profile)
    if profile is not None:
        observer.start_us = profile.now_us()
    return observer


@dataclass
class PassWatch:
    record: ProgramRecord | None
    profile: Any

    def run(self, p: Any, ctx: Any, module: Any) -> None:
        """Apply one pass, recording its firings and the IR after it, and/or timing it."""
        from tinyir.ir import to_text

        log = FiringLog() if self.record is not None else None
        token = FIRING_LOG.set(log) if log is not None else None
        start_us = self.profile.now_us() if self.profile is not None else 0.0
        start = time.perf_counter()
        try:
            p.apply(ctx, module)
        except BaseException as exc:
            if self.record is not None and log is not None:  # show how far it got, then fail as before
                self.record.steps.append(Step(p.name, f"{_spec(p)}: FAILED: {type(exc).__name__}: {exc}",
                                              _text_or_note(module), log.firings, time.perf_counter() - start))
            raise
        finally:
            if token is not None:
                FIRING_LOG.reset(token)
        seconds = time.perf_counter() - start
        spec = _spec(p)
        if self.profile is not None:
            self.profile.add(p.name, "pass", 1, start_us, seconds * 1e6, {"pass": spec})
        if self.record is not None and log is not None:
            text = to_text(module)
            self.record.steps.append(Step(p.name, spec, text, log.firings, seconds))
            if "uop.kernel" in text:  # the last uop-level form of each kernel is the one lowered
                self.record.note_uop_kernels(module)


def _text_or_note(module: Any) -> str:
    from tinyir.ir import to_text

    try:
        return to_text(module)
    except Exception as exc:  # noqa: BLE001 - a pass that failed half-way may leave unprintable IR
        return f"(the IR cannot be printed after the failure: {type(exc).__name__}: {exc})"


def _spec(p: Any) -> str:
    try:
        return str(p.pipeline_pass_spec())
    except Exception:  # noqa: BLE001 - a pass with options xDSL cannot print
        return p.name


def pass_watch() -> PassWatch | None:
    """For `run_passes`: None unless a program is being recorded or PROFILE=1."""
    record = CURRENT_PROGRAM.get()
    profile = None
    if SWITCHES.profile:
        from tinyir.runtime.profile import active_profile

        profile = active_profile()
    if record is None and profile is None:
        return None
    return PassWatch(record, profile)


def pipeline_watch(module: Any, title: str) -> PassWatch | None:
    """For a pass loop outside `compile_program` (tinyir-opt): a watch recording the module as a
    program of its own under VIZ=1 and timing the passes under PROFILE=1; None when both are off."""
    session = active_session()
    profile = None
    if SWITCHES.profile:
        from tinyir.runtime.profile import active_profile

        profile = active_profile()
    if session is None and profile is None:
        return None
    record = None
    if session is not None:
        from tinyir.ir import to_text

        record = ProgramRecord(f"program {len(session.programs)}: {title}", "target")
        text = to_text(module)
        record.steps.append(Step("input", f"input ({_levels(text)})", text))
        session.programs.append(record)
    return PassWatch(record, profile)


@dataclass
class LaunchWatch:
    """Kernel launch times for the page and/or the trace."""

    record: ProgramRecord | None
    profile: Any

    def now_us(self) -> float:
        return self.profile.now_us() if self.profile is not None else 0.0

    def launched(self, source: Any, start_us: float, seconds: float) -> None:
        if self.record is not None:
            self.record.kernel(source.name).times.append(seconds)
        if self.profile is not None:
            args = {"global": list(source.global_size)}
            if source.local_size:
                args["local"] = list(source.local_size)
            self.profile.add(source.name, "kernel", 2, start_us, seconds * 1e6, args)
