"""Kernels equal but for their names are lowered and compiled once (tinyir/passes/kernel_dedup.py),
and CPU kernels that differ only in their names and outermost grid extent share one LLVM compile
(tinyir/runtime/cpu.py). Results are compared with numpy."""

from __future__ import annotations

import numpy as np
import pytest

from tinyir import Tensor
from tinyir.runtime import executor
from tinyir.runtime.cpu import CPUDevice
from tinyir.targets.base import KernelSource


@pytest.fixture(autouse=True)
def _no_disk_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TINYIR_CACHELEVEL", "0")  # count real compiles


def test_equal_kernels_are_emitted_once_and_launched_on_their_own_buffers() -> None:
    rng = np.random.default_rng(3)
    a, b, c, d = (rng.standard_normal((8, 8)).astype(np.float32) for _ in range(4))
    before = executor.COMPILE_STATS.emitted
    # four kernels: two equal matmuls (on different buffers), a sum of one of them, and the rest
    got = ((Tensor(a) @ Tensor(b)).sum(1) + (Tensor(c) @ Tensor(d)).sum(1)).numpy()
    assert executor.COMPILE_STATS.emitted - before == 3
    np.testing.assert_allclose(got, (a @ b).sum(1) + (c @ d).sum(1), rtol=1e-5, atol=1e-5)


def test_cpu_kernels_differing_only_in_name_share_one_compile() -> None:
    device = CPUDevice(threads=1)
    body = """define void @{name}(ptr %out, ptr %x, i32 %start, i32 %end) {{
entry:
  br label %loop
loop:
  %i = phi i32 [ %start, %entry ], [ %next, %loop ]
  %p = getelementptr float, ptr %x, i32 %i
  %v = load float, ptr %p
  %w = fadd float %v, 1.0
  %q = getelementptr float, ptr %out, i32 %i
  store float %w, ptr %q
  %next = add i32 %i, 1
  %done = icmp sge i32 %next, %end
  br i1 %done, label %exit, label %loop
exit:
  ret void
}}
"""
    first = KernelSource(name="k3", text=body.format(name="k3"), global_size=(4,), arg_dtypes=("float32", "float32"))
    second = KernelSource(name="k12", text=body.format(name="k12"), global_size=(9,),
                          arg_dtypes=("float32", "float32"))
    compiled = device.compile(first)
    assert device.compile(second) is compiled
    for source in (first, second):
        n = source.global_size[0]
        x, out = np.arange(n, dtype=np.float32), np.zeros(n, np.float32)
        device.launch(compiled, [out, x], source)
        np.testing.assert_array_equal(out, x + 1)
