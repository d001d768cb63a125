"""CPU benchmark: tinyir's compiled kernels against numpy, measured in the same run.

    python tools/bench_cpu.py [--repeat N] [--device cpu|opencl]

For each program it prints the median time of the kernels alone (inputs already on the device),
the whole `Program.run` (with the copies in and out), numpy's time, and the ratios. Timings are
information for people, never asserted by tests.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

from tinyir.ir import parse_module
from tinyir.runtime import compile_program, get_device

PROGRAMS: dict[str, tuple[str, Callable[..., np.ndarray], list[tuple[int, ...]]]] = {
    "fused elementwise (4M)": ("""
func.func @main(%a: tensor<2048x2048xf32>, %b: tensor<2048x2048xf32>) -> tensor<2048x2048xf32> {
  %m = tir.mul %a, %b : tensor<2048x2048xf32>
  %s = tir.add %m, %a : tensor<2048x2048xf32>
  %r = tir.relu %s : tensor<2048x2048xf32>
  func.return %r : tensor<2048x2048xf32>
}""", lambda a, b: np.maximum(a * b + a, 0), [(2048, 2048), (2048, 2048)]),
    "row sum (4M)": ("""
func.func @main(%a: tensor<2048x2048xf32>) -> tensor<2048xf32> {
  %s = tir.reduce_sum %a [1] : tensor<2048x2048xf32> -> tensor<2048xf32>
  func.return %s : tensor<2048xf32>
}""", lambda a: a.sum(1), [(2048, 2048)]),
    "column max (4M)": ("""
func.func @main(%a: tensor<2048x2048xf32>) -> tensor<2048xf32> {
  %s = tir.reduce_max %a [0] : tensor<2048x2048xf32> -> tensor<2048xf32>
  func.return %s : tensor<2048xf32>
}""", lambda a: a.max(0), [(2048, 2048)]),
    "softmax 1024x1024": ("""
func.func @main(%a: tensor<1024x1024xf32>) -> tensor<1024x1024xf32> {
  %s = tir.softmax %a [1] : tensor<1024x1024xf32>
  func.return %s : tensor<1024x1024xf32>
}""", lambda a: (lambda e: e / e.sum(1, keepdims=True))(np.exp(a - a.max(1, keepdims=True))), [(1024, 1024)]),
    "matmul 256": ("""
func.func @main(%a: tensor<256x256xf32>, %b: tensor<256x256xf32>) -> tensor<256x256xf32> {
  %c = tir.matmul %a, %b : tensor<256x256xf32>, tensor<256x256xf32> -> tensor<256x256xf32>
  func.return %c : tensor<256x256xf32>
}""", lambda a, b: a @ b, [(256, 256), (256, 256)]),
}


def median_time(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    device = get_device(args.device)
    print(f"{'program':26s} {'kernels':>8s} {'run':>8s} {'numpy':>8s} {'kernels/numpy':>14s} {'run/numpy':>10s}"
          f"  (ms, median of {args.repeat}; ratio < 1 means tinyir is faster)")
    for name, (text, reference, shapes) in PROGRAMS.items():
        program = compile_program(parse_module(text), args.device)
        inputs = [rng.standard_normal(s).astype(np.float32) for s in shapes]
        (out,) = program.run(inputs)
        np.testing.assert_allclose(out, reference(*inputs), rtol=1e-3, atol=1e-3)
        buffers = [device.upload(x) for x in inputs]
        slots = {slot: buf for slot, buf in zip(program.arg_slots, buffers)}

        def kernels_only() -> None:
            local = dict(slots)
            for step in program.steps:
                if step.kind == "alloc":
                    local[step.result] = device.alloc(step.shape, step.dtype)
                elif step.kind == "kernel":
                    device.launch(step.compiled, [local[s] for s in step.operands], step.source)
            device.synchronize()

        t_kernels = median_time(kernels_only, args.repeat)
        t_run = median_time(lambda: program.run(inputs), args.repeat)
        t_numpy = median_time(lambda: reference(*inputs), args.repeat)
        print(f"{name:26s} {t_kernels * 1e3:8.3f} {t_run * 1e3:8.3f} {t_numpy * 1e3:8.3f} "
              f"{t_kernels / t_numpy:14.2f} {t_run / t_numpy:10.2f}")


if __name__ == "__main__":
    main()
