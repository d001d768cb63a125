"""BACKGROUND-COMPILE (tinyir/runtime/background_compile.py): the CPU's LLVM compiles run on a worker
thread while the plan goes on; results, errors and the caches are as if they ran in place."""

from __future__ import annotations

import itertools
import sys
import threading

import numpy as np
import pytest

from tinyir.ir import parse_module
from tinyir.runtime import executor
from tinyir.runtime.background_compile import Deferred, PendingCompiles
from tinyir.runtime.cpu import CPUError
from tinyir.runtime.executor import compile_program, get_device

_fresh = itertools.count()


def _fresh_module():
    """A three-kernel program no earlier test compiled (its constants are new): a sum, a max, and
    an elementwise product of the two with the input."""
    c = 1.5 + next(_fresh) / 1024
    return parse_module(f"""func.func @main(%a: tensor<8x16xf32>) -> (tensor<8xf32>, tensor<8x16xf32>) {{
      %c = tir.constant dense<{c}> : tensor<8x16xf32>
      %0 = tir.mul %a, %c : tensor<8x16xf32>
      %1 = tir.reduce_sum %0 [1] : tensor<8x16xf32> -> tensor<8xf32>
      %2 = tir.reduce_max %a [1] : tensor<8x16xf32> -> tensor<8xf32>
      %3 = tir.add %1, %2 : tensor<8xf32>
      %r = tir.reshape %3 : tensor<8xf32> -> tensor<8x1xf32>
      %4 = tir.expand %r : tensor<8x1xf32> -> tensor<8x16xf32>
      %5 = tir.mul %4, %a : tensor<8x16xf32>
      func.return %3, %5 : tensor<8xf32>, tensor<8x16xf32>
    }}"""), c


def _expected(a: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray]:
    row = (a * np.float32(c)).sum(1) + a.max(1)
    return row, row[:, None] * a


def test_cpu_compiles_on_the_worker_thread_and_computes_the_same(monkeypatch) -> None:
    device = get_device("cpu")
    threads: list[str] = []
    compile_in_place = type(device).compile

    def recording(source, artifact=None):
        threads.append(threading.current_thread().name)
        return compile_in_place(device, source, artifact)

    monkeypatch.setattr(device, "compile", recording)
    module, c = _fresh_module()
    interval = sys.getswitchinterval()
    program = compile_program(module, "cpu")
    a = np.random.default_rng(0).standard_normal((8, 16)).astype(np.float32)
    row, full = program.run([a])
    want_row, want_full = _expected(a, c)
    np.testing.assert_allclose(row, want_row, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(full, want_full, rtol=1e-5, atol=1e-5)
    assert threads and all(name.startswith("tinyir-compile") for name in threads), threads
    assert sys.getswitchinterval() == interval  # SWITCH-INTERVAL restored
    assert not any(isinstance(step.compiled, Deferred) for step in program.steps)
    assert not any(isinstance(compiled, Deferred) for _, compiled in executor._KERNEL_CACHE.values())


def test_a_failed_compile_raises_and_leaves_no_placeholder(monkeypatch) -> None:
    device = get_device("cpu")
    compile_in_place = type(device).compile
    calls = []

    def failing_once(source, artifact=None):
        calls.append(source.name)
        if len(calls) == 1:
            raise CPUError(f"kernel {source.name}: LLVM rejected the IR: a test's failure")
        return compile_in_place(device, source, artifact)

    monkeypatch.setattr(device, "compile", failing_once)
    module, c = _fresh_module()
    interval = sys.getswitchinterval()
    with pytest.raises(CPUError, match="a test's failure"):
        compile_program(module, "cpu")
    assert sys.getswitchinterval() == interval
    assert not any(isinstance(compiled, Deferred) for _, compiled in executor._KERNEL_CACHE.values())
    # the same program again: every kernel compiles (none is taken from a half-finished plan)
    program = compile_program(module, "cpu")
    a = np.linspace(-3, 3, 128, dtype=np.float32).reshape(8, 16)
    row, full = program.run([a])
    np.testing.assert_allclose(row, _expected(a, c)[0], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(full, _expected(a, c)[1], rtol=1e-5, atol=1e-5)


def test_pending_compiles_finish_every_job_before_raising_the_first_error() -> None:
    pending = PendingCompiles()
    done: list[int] = []
    release = threading.Event()

    def job(value: int):
        def run():
            release.wait(5)
            if value == 1:
                raise ValueError("first")
            if value == 3:
                raise KeyError("second")
            return value * 10
        return run

    deferred = [pending.submit(f"job {v}", job(v), done.append) for v in range(5)]
    assert pending.submit("job 2", job(9), done.append) is deferred[2]  # started already: the same compile
    release.set()
    with pytest.raises(ValueError, match="first"):
        pending.wait()
    assert done == [0, 20, 40, 20]  # the successful jobs, in order (job 2 twice: two callers)
    assert all(d.future.done() for d in deferred)
    assert pending.wait() == {}  # nothing left


def test_a_forked_child_compiles_on_a_thread_of_its_own() -> None:
    """After a fork the parent's compile thread does not exist in the child: the child's first plan
    must start its own (else it would wait for ever on a queue nobody reads)."""
    import os

    _fresh_module()  # (only its constants counter moves)
    compile_program(_fresh_module()[0], "cpu")  # the parent's compile thread exists now
    pid = os.fork()
    if pid == 0:  # the child: compile a new program, exit 0 if it ran right
        code = 1
        try:
            module, c = _fresh_module()
            a = np.ones((8, 16), np.float32)
            row, _ = compile_program(module, "cpu").run([a])
            code = 0 if np.allclose(row, _expected(a, c)[0]) else 2
        finally:
            os._exit(code)
    import time

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0
            return
        time.sleep(0.05)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    pytest.fail("the forked child's compile never finished")
