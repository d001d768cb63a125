"""CPU benchmark: every convolution of ResNet-18 (batch 1, 224x224, f32) against PyTorch, same threads.

    python tools/bench_cpu_conv.py [--repeat N] [--threads N] [--only TEXT] [--batch N] [--backward]

Per shape it prints the time of the first call (compile, or the disk cache's reload), tinyir's
steady-state time through the Tensor API, PyTorch's (the same thread count; `--threads 0`: each
library's default), their ratio, tinyir's GFLOP/s, and how many times the shape occurs in the
model; the last line weighs each shape by that count (the forward's convolutions as a whole).
The forward's last two columns time the compiled program alone (`Program.run`: the kernel, without
the Tensor API's graph building and cache look-up that every realize does) against PyTorch.
Calls of tinyir and PyTorch alternate, and the median of each is taken, so a machine whose load
changes during the run slows both alike; `--cpu-time --threads 1` takes the least CPU time of
each instead, which other processes on a busy machine disturb less. `--backward` times the gradients of a training step
instead: with respect to the input and to the weight (one backward program for both, as a
training step runs them). Every result is checked against PyTorch first.
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


@dataclass(frozen=True)
class ConvShape:
    name: str
    channels: int      # input channels
    size: int          # input height = width
    out_channels: int
    kernel: int
    stride: int
    padding: int
    count: int         # times it occurs in ResNet-18's forward

    def output_size(self) -> int:
        return (self.size + 2 * self.padding - self.kernel) // self.stride + 1

    def flops(self, batch: int) -> float:
        return 2.0 * batch * self.out_channels * self.channels * self.kernel ** 2 * self.output_size() ** 2


# ResNet-18 at 224x224: the stem, then per stage its first (strided) 3x3 conv, its 1x1 strided
# downsample, and the 3x3 convs at the stage's own width.
RESNET18 = [
    ConvShape("stem 7x7 s2 3->64 @224", 3, 224, 64, 7, 2, 3, 1),
    ConvShape("3x3 64->64 @56", 64, 56, 64, 3, 1, 1, 4),
    ConvShape("3x3 s2 64->128 @56", 64, 56, 128, 3, 2, 1, 1),
    ConvShape("1x1 s2 64->128 @56", 64, 56, 128, 1, 2, 0, 1),
    ConvShape("3x3 128->128 @28", 128, 28, 128, 3, 1, 1, 3),
    ConvShape("3x3 s2 128->256 @28", 128, 28, 256, 3, 2, 1, 1),
    ConvShape("1x1 s2 128->256 @28", 128, 28, 256, 1, 2, 0, 1),
    ConvShape("3x3 256->256 @14", 256, 14, 256, 3, 1, 1, 3),
    ConvShape("3x3 s2 256->512 @14", 256, 14, 512, 3, 2, 1, 1),
    ConvShape("1x1 s2 256->512 @14", 256, 14, 512, 1, 2, 0, 1),
    ConvShape("3x3 512->512 @7", 512, 7, 512, 3, 1, 1, 3),
]


def alternate_times(fns: list[Callable[[], object]], repeat: int, cpu_time: bool = False,
                    budget_s: float = 20.0) -> list[float]:
    """Median wall time of each function, calling them in turn `repeat` times (fewer when slow);
    `cpu_time`: the least CPU time of this process instead (steadier on a loaded machine)."""
    clock = time.process_time if cpu_time else time.perf_counter
    first = []
    for fn in fns:  # warm-up, and a measure of how many rounds fit the budget
        start = time.perf_counter()
        fn()
        first.append(time.perf_counter() - start)
    rounds = max(1, min(repeat, int(budget_s / max(sum(first), 1e-9))))
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(rounds):
        for fn, spent in zip(fns, times):
            time.sleep(0.01)  # let the other library's spinning threads go to sleep
            start = clock()
            fn()
            spent.append(clock() - start)
    return [min(t) if cpu_time else statistics.median(t) for t in times]


def bench_shape(shape: ConvShape, batch: int, backward: bool, repeat: int, cpu_time: bool,
                rng: np.random.Generator) -> tuple[float, float, float, float, float] | None:
    """(first call, tinyir, torch, compiled program alone (forward), FLOPs) in seconds for one
    shape; None (and a message) if tinyir's result is not torch's."""
    import torch
    import torch.nn.functional as tf

    from tinyir import Tensor

    oh = shape.output_size()
    x = rng.standard_normal((batch, shape.channels, shape.size, shape.size)).astype(np.float32)
    w = (rng.standard_normal((shape.out_channels, shape.channels, shape.kernel, shape.kernel))
         / np.sqrt(shape.channels * shape.kernel ** 2)).astype(np.float32)
    g = rng.standard_normal((batch, shape.out_channels, oh, oh)).astype(np.float32)
    conv = {"stride": shape.stride, "padding": shape.padding}
    tx, tw, tg = (torch.from_numpy(a) for a in (x, w, g))
    xs, ws, gs = (Tensor(a).realize() for a in (x, w, g))
    if backward:
        def tiny() -> list[Tensor]:
            # the gradients of sum(conv(x, w) * g): conv's backward applied to g
            xg, wg = Tensor(x, requires_grad=True), Tensor(w, requires_grad=True)
            (xg.conv2d(wg, **conv) * gs).sum().backward()
            return [xg.grad.realize(), wg.grad.realize()]

        def ref() -> list[torch.Tensor]:
            xr, wr = tx.clone().requires_grad_(), tw.clone().requires_grad_()
            (tf.conv2d(xr, wr, **conv) * tg).sum().backward()
            return [xr.grad, wr.grad]
        flops = 2 * shape.flops(batch)
    else:
        def tiny() -> list[Tensor]:
            return [xs.conv2d(ws, **conv).realize()]

        def ref() -> list[torch.Tensor]:
            with torch.no_grad():
                return [tf.conv2d(tx, tw, **conv)]
        flops = shape.flops(batch)
    start = time.perf_counter()
    got = [t.numpy() for t in tiny()]
    first = time.perf_counter() - start
    for a, want in zip(got, ref()):
        want = want.detach().numpy()
        scale = max(1.0, float(np.abs(want).max()))
        if a.shape != want.shape or not np.allclose(a, want, rtol=1e-3, atol=1e-3 * scale):
            print(f"{shape.name:26s} WRONG RESULT: max abs error {np.abs(a - want).max():.3g}", file=sys.stderr)
            return None
    fns: list[Callable[[], object]] = [tiny, ref]
    if not backward:  # the compiled program alone: the kernel without the Tensor API's graph work
        program, arrays = compiled_program(x, w, conv)
        fns.append(lambda: program.run(arrays))
    times = alternate_times(fns, repeat, cpu_time)
    return first, times[0], times[1], times[2] if len(times) > 2 else float("nan"), flops


def compiled_program(x: np.ndarray, w: np.ndarray, conv: dict[str, int]) -> tuple[Any, list[np.ndarray]]:
    """conv2d(x, w) compiled for the CPU as one program (what a realize runs after building and
    looking up its graph), and its inputs in the program's order."""
    from tinyir import Tensor
    from tinyir.frontend.realize import build_function, collect
    from tinyir.runtime.executor import compile_program

    inputs = [Tensor(a, device="reference") for a in (x, w)]
    graph = collect([inputs[0].conv2d(inputs[1], **conv).lazydata], lambda node: node.realized is not None)
    module, _ = build_function(graph)
    arrays = [next(a for t, a in zip(inputs, (x, w)) if t.lazydata is arg) for arg in graph.args]
    return compile_program(module, "cpu"), arrays


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2,
                        help="TINYIR_CPU_THREADS and torch's thread count (0: their defaults)")
    parser.add_argument("--only", default="", help="run the shapes whose name contains this")
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--cpu-time", action="store_true",
                        help="least CPU time instead of median wall time (for a loaded machine; use --threads 1)")
    parser.add_argument("--backward", action="store_true", help="gradients wrt input and weight instead")
    args = parser.parse_args()
    if args.threads:
        os.environ["TINYIR_CPU_THREADS"] = str(args.threads)

    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    from tinyir.runtime import get_device

    what = "backward (grad input + grad weight)" if args.backward else "forward"
    print(f"ResNet-18 convolutions, batch {args.batch}, f32, {what}; tinyir CPU threads "
          f"{get_device('cpu').threads}, torch threads {torch.get_num_threads()}; "
          f"{'least CPU time' if args.cpu_time else 'median wall time'} of up to {args.repeat} alternating calls (ms; ratio > 1: tinyir is slower)")
    print(f"{'shape':26s} {'first':>8s} {'tinyir':>9s} {'torch':>9s} {'/torch':>7s} {'GFLOP/s':>8s} {'count':>6s} "
          f"{'program':>9s} {'/torch':>7s}")
    rng = np.random.default_rng(0)
    total_tiny = total_torch = total_program = 0.0
    for shape in RESNET18:
        if args.only and args.only not in shape.name:
            continue
        timed = bench_shape(shape, args.batch, args.backward, args.repeat, args.cpu_time, rng)
        if timed is None:
            continue
        first, t_tiny, t_torch, t_program, flops = timed
        total_tiny += shape.count * t_tiny
        total_torch += shape.count * t_torch
        total_program += shape.count * t_program
        print(f"{shape.name:26s} {first * 1e3:8.0f} {t_tiny * 1e3:9.3f} {t_torch * 1e3:9.3f} "
              f"{t_tiny / t_torch:7.2f} {flops / t_tiny / 1e9:8.1f} {shape.count:6d} "
              f"{t_program * 1e3:9.3f} {t_program / t_torch:7.2f}", flush=True)
    if total_torch:
        print(f"{'all, weighted by count':26s} {'':8s} {total_tiny * 1e3:9.2f} {total_torch * 1e3:9.2f} "
              f"{total_tiny / total_torch:7.2f} {'':8s} {'':6s} {total_program * 1e3:9.2f} "
              f"{total_program / total_torch:7.2f}")


if __name__ == "__main__":
    main()
