"""BACKGROUND-COMPILE: a device's compiler runs on a worker thread while the host goes on.

LLVM (the CPU's compiler, through llvmlite's ctypes calls) releases the GIL while it optimizes and
generates code: about 2.5 s of a GPT training step's 10 s first call, in 138 kernels. A plan hands
each new kernel's compile to one worker thread and goes on hashing and printing the next kernels
(and collecting the garbage the passes left); the program waits for them all before it first runs.
llvmlite runs one LLVM call at a time, so a second worker would gain nothing.

A device opts in with `compiles_off_thread = True`; its `compile` then runs on the worker and must
not share unguarded state with the host thread. Errors are raised to the caller when it waits, in
submission order, after every compile has finished (so no compile outlives its plan).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

_worker_lock = threading.Lock()
_worker: ThreadPoolExecutor | None = None


def _compile_worker() -> ThreadPoolExecutor:
    """The process's one compile thread, started on first use (idle between plans)."""
    global _worker
    with _worker_lock:
        if _worker is None:
            _worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tinyir-compile")
        return _worker


def _forget_worker() -> None:
    """A forked child has no compile thread (only the parent's executor object): it starts its own."""
    global _worker
    _worker = None


os.register_at_fork(after_in_child=_forget_worker)


class Deferred:
    """A compiled kernel that is still being compiled: `PendingCompiles.wait` puts the result in place."""

    __slots__ = ("future",)

    def __init__(self, future: Future) -> None:
        self.future = future


#: SWITCH-INTERVAL: while compiles are pending, the host thread gives the GIL up this often (Python's
#: default is every 5 ms). The worker needs the GIL for a moment between LLVM calls, about 20 per
#: kernel; at 5 ms a wait, it sat idle most of the time the host thread was busy.
SWITCH_INTERVAL_S = 0.0002


class PendingCompiles:
    """The compiles one plan handed to the worker, each with what to do with its result."""

    def __init__(self) -> None:
        self.jobs: list[tuple[Deferred, Callable[[Any], None]]] = []
        self._started: dict[str, Deferred] = {}  # key (a kernel's text) -> its compile
        self._interval: float | None = None  # the switch interval to restore (SWITCH-INTERVAL)

    def submit(self, key: str, compile_kernel: Callable[[], Any], done: Callable[[Any], None]) -> Deferred:
        """Start `compile_kernel()` on the worker, unless a compile of `key` started already (then
        that one stands for both); `done(result)` runs on the caller's thread in `wait`."""
        deferred = self._started.get(key)
        if deferred is None:
            if self._interval is None:
                self._interval = sys.getswitchinterval()
                sys.setswitchinterval(min(self._interval, SWITCH_INTERVAL_S))
            deferred = self._started[key] = Deferred(_compile_worker().submit(compile_kernel))
        self.jobs.append((deferred, done))
        return deferred

    def wait(self) -> dict[int, Any]:
        """Every result, by `id` of its Deferred (after `done` ran for it); the first error, if any, is
        raised once all have finished."""
        results: dict[int, Any] = {}
        error: BaseException | None = None
        jobs, self.jobs = self.jobs, []
        self._started.clear()
        for deferred, done in jobs:
            try:
                result = deferred.future.result()
                done(result)
                results[id(deferred)] = result
            except BaseException as exc:  # noqa: BLE001 - re-raised below, after the others finished
                error = error or exc
        if self._interval is not None:
            sys.setswitchinterval(self._interval)
            self._interval = None
        if error is not None:
            raise error
        return results


__all__ = ["Deferred", "PendingCompiles"]
