"""`PROFILE=1`: a Chrome/Perfetto trace of compile passes and kernel launches, written at exit.

Events are "complete" events (`ph: "X"`, microseconds): passes on thread 1 ("compile"), whole
compiles on thread 0 ("programs"), kernel launches on thread 2 ("kernels", timed with the device
synchronized, so each duration is the kernel's own). The file goes to `$TINYIR_PROFILE_PATH`
(default: tinyir_profile.json in the temporary folder) and its path is printed on stderr; open it
in ui.perfetto.dev or chrome://tracing.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from tinyir.viz.settings import output_path

THREADS = {0: "programs", 1: "compile passes", 2: "kernel launches"}


@dataclass
class Profile:
    """The trace being collected; `now_us` is the clock every event uses."""

    events: list[dict[str, Any]] = field(default_factory=list)
    origin: float = field(default_factory=time.perf_counter)
    written: bool = False

    def now_us(self) -> float:
        return (time.perf_counter() - self.origin) * 1e6

    def add(self, name: str, category: str, thread: int, start_us: float, duration_us: float,
            args: dict[str, Any] | None = None) -> None:
        event = {"name": name, "cat": category, "ph": "X", "ts": round(start_us, 3),
                 "dur": round(max(duration_us, 0.0), 3), "pid": os.getpid(), "tid": thread}
        if args:
            event["args"] = args
        self.events.append(event)

    def trace(self) -> dict[str, Any]:
        """The Chrome trace format's JSON object (thread names as metadata events)."""
        pid = os.getpid()
        names = [{"name": "thread_name", "ph": "M", "ts": 0, "dur": 0, "pid": pid, "tid": tid,
                  "args": {"name": label}} for tid, label in THREADS.items()]
        process = {"name": "process_name", "ph": "M", "ts": 0, "dur": 0, "pid": pid, "tid": 0,
                   "args": {"name": f"tinyir ({os.path.basename(sys.argv[0]) or 'python'})"}}
        return {"traceEvents": [process, *names, *self.events], "displayTimeUnit": "ms"}

    def write(self, path: str) -> str:
        folder = os.path.dirname(os.path.abspath(path))
        os.makedirs(folder, exist_ok=True)
        with open(path, "w") as f:
            json.dump(self.trace(), f)
        return path


_ACTIVE: list[Profile] = []  # the process's profile, made by the first event when PROFILE=1


def active_profile() -> Profile:
    """The process's profile (created on first use, written at exit)."""
    if not _ACTIVE:
        _ACTIVE.append(Profile())
        atexit.register(_write_at_exit)
    return _ACTIVE[0]


def _write_at_exit() -> None:
    profile = _ACTIVE[0]
    if profile.written or not profile.events:
        return
    profile.written = True
    try:
        path = profile.write(output_path("TINYIR_PROFILE_PATH", "tinyir_profile.json"))
        print(f"PROFILE: wrote a trace of {len(profile.events)} events to {path} "
              "(open it in ui.perfetto.dev or chrome://tracing)", file=sys.stderr)
    except OSError as exc:
        print(f"PROFILE: could not write the trace: {exc}", file=sys.stderr)
