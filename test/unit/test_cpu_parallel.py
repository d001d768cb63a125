"""The CPU device runs the outermost grid dimension in parts on a thread pool.

Every part writes its own output elements, so 1, 2 and 3 threads give the same bits; the corpus
runs with each count (every launch split, however small) against numpy.
"""

from __future__ import annotations

import numpy as np
import pytest

from corpus import corpus_files, load
from test_corpus import check, run_on
from test_cpu_target import lower
from tinyir.errors import TinyirError
from tinyir.runtime.cpu import CPUDevice, split_range, thread_count
from tinyir.runtime.executor import get_device
from tinyir.targets.llvm.emit import emit_kernel


@pytest.fixture
def cpu_threads(monkeypatch: pytest.MonkeyPatch):
    """Set the process-wide CPU device's thread count, with every launch split (no inline size)."""
    device = get_device("cpu")
    assert isinstance(device, CPUDevice)
    monkeypatch.setattr(device, "min_parallel_bytes", 0)

    def set_threads(n: int) -> CPUDevice:
        monkeypatch.setattr(device, "threads", n)
        return device
    return set_threads


CORPUS = corpus_files()


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_corpus_with_1_2_3_threads(path, cpu_threads) -> None:
    program = load(path)
    results = []
    for n in (1, 2, 3):
        cpu_threads(n)
        actual, expected, types = run_on("cpu", program)
        check(f"{program.name} ({n} threads)", actual, expected, types)
        results.append(actual)
    for n, other in zip((2, 3), results[1:]):  # not just close: the same bits
        for i, (a, b) in enumerate(zip(results[0], other)):
            assert np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True), \
                f"{program.name} out{i}: {n} threads differ from 1"


# A 2-D grid, gidx1 (outermost, 7 rows) split over threads; each row also sums a reduce loop.
ROWS_BODY = """
    %x = uop.special "gidx0" 5 : i32
    %y = uop.special "gidx1" 7 : i32
    %acc = uop.define_acc 0.0 : f32
    %five = uop.const 5 : i32
    %four = uop.const 4 : i32
    %row = uop.mul %y, %five : i32
    %cell = uop.add %row, %x : i32
    %base = uop.mul %cell, %four : i32
    %k = uop.range 0, 4 : i32
    %i = uop.add %base, %k : i32
    %v = uop.load %b1[%i] : f32
    %s = uop.add %acc, %v : f32
    uop.assign %acc, %s : f32
    uop.endrange %k
    uop.store %b0[%cell], %acc : f32
"""


def run_with(device: CPUDevice, body: str, *buffers: np.ndarray) -> list[np.ndarray]:
    kernel, _ = lower(body, list(buffers))
    source = emit_kernel(kernel)
    compiled = device.compile(source)
    assert compiled.split, "a kernel with a grid takes (start, end) of its outermost dimension"
    bufs = [device.upload(b.copy()) for b in buffers]
    device.launch(compiled, bufs, source)
    return bufs


@pytest.mark.parametrize("threads", [1, 2, 3, 7, 16])
def test_outer_range_any_thread_count(threads: int) -> None:
    """7 rows over 1..16 threads, more threads than rows included: every row exactly once."""
    device = CPUDevice(threads=threads, min_parallel_bytes=0)
    x = np.random.default_rng(0).standard_normal((7, 5, 4)).astype(np.float32)
    out = np.full((7, 5), np.nan, np.float32)  # a row no part wrote would stay NaN
    got = run_with(device, ROWS_BODY, out, x)[0]
    np.testing.assert_allclose(got, x.sum(axis=2), rtol=1e-6, atol=1e-6)
    assert device.threads_for([out, x]) == threads


def test_little_data_runs_inline() -> None:
    device = CPUDevice(threads=4)
    small = [np.zeros(16, np.float32)]
    big = [np.zeros(1 << 20, np.float32)]
    assert device.threads_for(small) == 1
    assert device.threads_for(big) == 4
    assert CPUDevice(threads=1).threads_for(big) == 1


def test_kernel_without_grid_is_one_call() -> None:
    """No uop.special: no parallel loop, no (start, end) parameters."""
    body = """
    %zero = uop.const 0 : i32
    %v = uop.load %b1[%zero] : f32
    %d = uop.add %v, %v : f32
    uop.store %b0[%zero], %d : f32
"""
    device = CPUDevice(threads=3, min_parallel_bytes=0)
    kernel, _ = lower(body, [np.zeros(1, np.float32), np.ones(1, np.float32)])
    source = emit_kernel(kernel)
    assert "i32 %start" not in source.text
    compiled = device.compile(source)
    assert not compiled.split
    out = np.zeros(1, np.float32)
    device.launch(compiled, [out, np.full(1, 1.5, np.float32)], source)
    assert out[0] == 3.0


def test_split_range() -> None:
    for extent in (1, 2, 7, 100):
        for parts in (1, 2, 3, 8):
            pieces = split_range(extent, parts)
            assert len(pieces) == min(extent, parts)
            assert pieces[0][0] == 0 and pieces[-1][1] == extent
            assert all(s < e for s, e in pieces)
            assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:]))


def test_thread_count_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TINYIR_CPU_THREADS", "3")
    assert thread_count() == 3
    assert CPUDevice().threads == 3
    monkeypatch.delenv("TINYIR_CPU_THREADS")
    assert thread_count() >= 1
    for bad in ("0", "-2", "two", "1.5"):
        monkeypatch.setenv("TINYIR_CPU_THREADS", bad)
        with pytest.raises(TinyirError, match="TINYIR_CPU_THREADS must be a positive integer"):
            thread_count()


def test_tensor_matmul_and_conv_on_1_2_3_threads(cpu_threads) -> None:
    """Upcast register tiles (kernel-optimize) split over threads: matmul and conv2d against torch."""
    import torch
    import torch.nn.functional as tf

    from tinyir import Tensor

    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((48, 96)).astype(np.float32), rng.standard_normal((96, 128)).astype(np.float32)
    x, w = rng.standard_normal((2, 8, 12, 12)).astype(np.float32), rng.standard_normal((16, 8, 3, 3)).astype(np.float32)
    want_mm = a @ b
    want_conv = tf.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding=1).numpy()
    for n in (1, 2, 3):
        cpu_threads(n)
        np.testing.assert_allclose((Tensor(a) @ Tensor(b)).numpy(), want_mm, rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(Tensor(x).conv2d(Tensor(w), padding=1).numpy(), want_conv, rtol=1e-4, atol=1e-4)
