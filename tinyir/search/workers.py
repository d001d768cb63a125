"""Lowering a round's candidates on worker processes: the passes are Python, so threads would
only take turns holding the interpreter.

A worker is `python -m tinyir.search.workers`, a fresh interpreter (not a fork of a process that
holds GPU contexts and threads, and not a re-run of the user's script, as multiprocessing's
"spawn" would do). It reads one JSON line with the kernel's IR text and device, then one line per
candidate with its action string, and answers each with one line: the `KernelSource` fields, or
why lowering failed. A worker that dies or answers nonsense ends the pool; the search then
lowers in its own process.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from tinyir.passes.kernel_optimize import Action, format_actions
from tinyir.targets.base import KernelSource

#: a round with fewer candidates than this is lowered in the searching process (starting workers costs more)
MIN_ROUND = 8


def default_workers() -> int:
    """One worker per core but one (the searching process keeps running kernels), at most 16."""
    return max(1, min(16, (os.cpu_count() or 1) - 1))


class LoweringPool:
    """Worker processes for one search, started at the first round big enough to need them."""

    def __init__(self, module_text: str, device: str, workers: int, chip: str = ""):
        self.module_text, self.device, self.workers, self.chip = module_text, device, workers, chip
        self._procs: list[subprocess.Popen] = []
        self.broken = False
        self.command = [sys.executable, "-m", "tinyir.search.workers"]  # how a worker starts

    def usable_for(self, count: int) -> bool:
        return self.workers > 1 and count >= MIN_ROUND and not self.broken

    def _start(self) -> None:
        package_root = str(Path(__file__).resolve().parents[2])  # so a source checkout imports too
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p))
        hello = json.dumps({"module": self.module_text, "device": self.device, "chip": self.chip}) + "\n"
        for _ in range(self.workers):
            proc = subprocess.Popen(self.command, stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
            proc.stdin.write(hello)
            proc.stdin.flush()
            self._procs.append(proc)

    def lower_all(self, action_lists: Sequence[Sequence[Action]],
                  timeout_s: float) -> list[tuple[KernelSource | None, str | None] | None]:
        """Each list's (source, problem), in order. One request per worker at a time, so no pipe
        fills up. When a worker dies, or none answers for `timeout_s` (then the lowerings under way
        are reported as over the limit), the pool is closed, and the entries not done are None:
        the caller lowers those in its own process."""
        results: list[tuple[KernelSource | None, str | None] | None] = [None] * len(action_lists)
        busy: dict[subprocess.Popen, int] = {}
        try:
            if not self._procs:
                self._start()
            todo = list(enumerate(action_lists))[::-1]
            with selectors.DefaultSelector() as selector:
                for proc in self._procs:
                    selector.register(proc.stdout, selectors.EVENT_READ, proc)
                while todo or busy:
                    for proc in self._procs:
                        if proc not in busy and todo:
                            index, actions = todo.pop()
                            proc.stdin.write(json.dumps({"actions": format_actions(actions)}) + "\n")
                            proc.stdin.flush()
                            busy[proc] = index
                    ready = selector.select(timeout=timeout_s)
                    if not ready:
                        for index in busy.values():
                            results[index] = (None, f"lowering took over the {timeout_s:g} s limit")
                        raise TimeoutError("no lowering worker answered in time")
                    for key, _ in ready:
                        proc = key.data
                        line = proc.stdout.readline()
                        if not line or proc not in busy:
                            raise OSError("a lowering worker stopped")
                        answer = json.loads(line)
                        results[busy.pop(proc)] = ((None, answer["error"]) if "error" in answer else
                                                   (_source(answer), None))
        except (OSError, ValueError, KeyError, TypeError):  # TimeoutError is an OSError
            self.broken = True
            self.close(kill=True)
        return results

    def close(self, kill: bool = False) -> None:
        for proc in self._procs:
            if kill:
                proc.kill()
            try:
                proc.stdin.close()  # a worker ends at the end of its input
            except OSError:
                pass
        for proc in self._procs:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            proc.stdout.close()
        self._procs = []


def _source(fields: dict) -> KernelSource:
    local = fields["local_size"]
    return KernelSource(fields["name"], fields["text"], tuple(fields["global_size"]),
                        None if local is None else tuple(local), tuple(fields["arg_dtypes"]),
                        fields.get("dynamic_shared_bytes", 0))


def serve(lines, out) -> None:
    """The worker's loop: the kernel first, then one answer per action string."""
    from tinyir.ir import parse_module
    from tinyir.passes.kernel_optimize import parse_actions
    from tinyir.runtime.executor import get_target
    from tinyir.search.measure import first_line, lower_kernel

    hello = json.loads(next(lines))
    module, target = parse_module(hello["module"], "<beam search kernel>"), get_target(hello["device"])
    for line in lines:
        try:
            answer = asdict(lower_kernel(module, target, parse_actions(json.loads(line)["actions"]), hello.get("chip", "")))
        except Exception as exc:  # noqa: BLE001 - reported per candidate
            answer = {"error": f"{type(exc).__name__}: {first_line(exc)}"}
        out.write(json.dumps(answer) + "\n")
        out.flush()


if __name__ == "__main__":
    serve(iter(sys.stdin), sys.stdout)
