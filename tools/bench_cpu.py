"""CPU benchmark: tinyir through the Tensor API against numpy and PyTorch, in the same run.

    python tools/bench_cpu.py [--quick] [--repeat N] [--only NAME] [--threads N]

Each workload is built with the Tensor API on realized inputs and realized again and again
(steady state: the program is compiled once and then comes from the cache); printed is the median
wall time of tinyir, numpy and PyTorch (CPU, default threads) and the ratios. Every tinyir result
is checked against numpy first. `--threads N` gives tinyir and PyTorch N threads each.
Timings are information for people, never asserted by tests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class Workload:
    name: str
    shapes: list[tuple[int, ...]]
    tinyir: Callable[..., Any]   # Tensors -> Tensor
    numpy: Callable[..., Any]    # arrays -> array
    torch: Callable[..., Any]    # torch tensors -> torch tensor
    flops: float = 0.0           # for GFLOP/s where it means something


def _softmax_np(a: np.ndarray) -> np.ndarray:
    e = np.exp(a - a.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def _conv2d_np(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """3x3, stride 1, padding 1, as 9 shifted matmuls (numpy has no conv)."""
    n, c, h, wd = x.shape
    o = w.shape[0]
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    out = np.zeros((n, o, h, wd), np.float32)
    for dy in range(3):
        for dx in range(3):
            patch = xp[:, :, dy:dy + h, dx:dx + wd]
            out += np.einsum("nchw,oc->nohw", patch, w[:, :, dy, dx], optimize=True)
    return out


def workloads(quick: bool) -> list[Workload]:
    import torch.nn.functional as tf

    n_ew = 1 << (18 if quick else 22)
    n_sum = 1 << (20 if quick else 24)
    rows = 1024 if quick else 4096
    soft = 512 if quick else 2048
    conv_batch, conv_hw = (1, 28) if quick else (8, 56)
    matmuls = [256] if quick else [512, 1024]
    out = [
        Workload(f"a*b+1 {n_ew}", [(n_ew,), (n_ew,)], lambda a, b: a * b + 1, lambda a, b: a * b + 1,
                 lambda a, b: a * b + 1),
        Workload(f"sum {n_sum} -> scalar", [(n_sum,)], lambda a: a.sum(), lambda a: a.sum(), lambda a: a.sum()),
        Workload(f"row sum {rows}x{rows}", [(rows, rows)], lambda a: a.sum(1), lambda a: a.sum(1),
                 lambda a: a.sum(1)),
        Workload(f"softmax {soft}x{soft}", [(soft, soft)], lambda a: a.softmax(1), _softmax_np,
                 lambda a: a.softmax(1)),
    ]
    for n in matmuls:
        out.append(Workload(f"matmul {n}^3", [(n, n), (n, n)], lambda a, b: a @ b, lambda a, b: a @ b,
                            lambda a, b: a @ b, flops=2.0 * n ** 3))
    x, w = (conv_batch, 64, conv_hw, conv_hw), (64, 64, 3, 3)
    out.append(Workload(f"conv2d {'x'.join(map(str, x))} 3x3 p1", [x, w],
                        lambda a, b: a.conv2d(b, padding=1), _conv2d_np, lambda a, b: tf.conv2d(a, b, padding=1),
                        flops=2.0 * conv_batch * 64 * conv_hw * conv_hw * 64 * 9))
    return out


def median_time(fn: Callable[[], object], repeat: int, budget_s: float = 20.0, warmup_s: float = 0.05) -> float:
    """Median of up to `repeat` timed calls after warm-up calls (fewer when a call is slow)."""
    # Let the previous library's spinning worker threads (BLAS, OpenMP) go to sleep first: on a
    # machine with few cores they would otherwise steal the cores from this one.
    time.sleep(0.2)
    # After that pause the cores take about 10 ms of work to come back to speed (every library's
    # first 5-10 calls of a 1 ms softmax were up to 3x slower here), so warm up for `warmup_s`.
    start = time.perf_counter()
    fn()
    first = time.perf_counter() - start
    warm_calls = 0
    while time.perf_counter() - start < warmup_s and warm_calls < 1000:
        fn()
        warm_calls += 1
    count = max(1, min(repeat, int(budget_s / max(first, 1e-9))))
    times = []
    for _ in range(count):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a few seconds in all)")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--only", default="", help="run the workloads whose name contains this")
    parser.add_argument("--threads", type=int, default=0,
                        help="TINYIR_CPU_THREADS and torch's thread count (0: their defaults, all cores)")
    args = parser.parse_args()
    if args.threads:
        os.environ["TINYIR_CPU_THREADS"] = str(args.threads)

    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    from tinyir import Tensor
    from tinyir.runtime import get_device

    threads = get_device("cpu").threads
    print(f"tinyir CPU threads {threads}, torch threads {torch.get_num_threads()}, "
          f"median of up to {args.repeat} (ms; ratio > 1: tinyir is slower)")
    print(f"{'workload':30s} {'tinyir':>10s} {'numpy':>9s} {'torch':>9s} {'/numpy':>8s} {'/torch':>8s} {'GFLOP/s':>8s}")
    rng = np.random.default_rng(0)
    for work in workloads(args.quick):
        if args.only and args.only not in work.name:
            continue
        arrays = [rng.standard_normal(s).astype(np.float32) for s in work.shapes]
        tensors = [Tensor(a).realize() for a in arrays]
        torches = [torch.from_numpy(a) for a in arrays]
        want = np.asarray(work.numpy(*arrays))
        got = work.tinyir(*tensors).numpy()
        scale = max(1.0, float(np.abs(want).max()))
        if got.shape != want.shape or not np.allclose(got, want, rtol=1e-3, atol=1e-3 * scale):
            print(f"{work.name:30s} WRONG RESULT: max abs error {np.abs(got - want).max():.3g}", file=sys.stderr)
            continue
        t_tiny = median_time(lambda: work.tinyir(*tensors).realize(), args.repeat)
        t_np = median_time(lambda: work.numpy(*arrays), args.repeat)
        with torch.no_grad():
            t_torch = median_time(lambda: work.torch(*torches), args.repeat)
        gflops = f"{work.flops / t_tiny / 1e9:8.1f}" if work.flops else f"{'':8s}"
        print(f"{work.name:30s} {t_tiny * 1e3:10.2f} {t_np * 1e3:9.2f} {t_torch * 1e3:9.2f} "
              f"{t_tiny / t_np:8.1f} {t_tiny / t_torch:8.1f} {gflops}", flush=True)


if __name__ == "__main__":
    main()
