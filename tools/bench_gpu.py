"""GPU benchmark: kernel time of tinyir against PyTorch on the same GPU, the workloads of issue 7.

    python tools/bench_gpu.py [--device cuda] [--quick] [--repeat N] [--only NAME]

Each workload is built with the Tensor API, compiled once with `compile_program`, its inputs are
uploaded once and its buffers allocated once; timed are only the kernel launches of the program's
steps (median of N repetitions, synchronized; on cuda with CUDA events on the default stream, which
tinyir's launches share, and an L2 flush (a 256 MB write) before every repetition). PyTorch runs the
same workload on the same inputs (TF32 off), timed the same way, and tinyir's output is checked
against it before anything is timed. On other devices (`--device opencl --quick` to test this
script on a machine without a GPU) numpy is the reference and is timed on the host.

Printed: tinyir ms, reference ms, their ratio (> 1: tinyir is slower), GB/s for the memory-bound
workloads (and the share of the H200's copy bandwidth, 4.16 TB/s read+write, on cuda), GFLOP/s
for matmul and conv. Timings are information for people, never asserted by tests.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

H200_COPY_BANDWIDTH = 4.16e12  # bytes/s read+write, measured with a device copy (issue 7)


@dataclass
class Workload:
    name: str
    shapes: list[tuple[int, ...]]
    dtype: str                   # numpy dtype name of the inputs
    tinyir: Callable[..., Any]   # Tensors -> Tensor
    torch: Callable[..., Any]    # torch tensors -> torch tensor (the reference on cuda)
    numpy: Callable[..., Any]    # arrays -> array (the reference elsewhere: checked in a wider type, timed as is)
    bytes: float = 0.0           # memory traffic, for GB/s (memory-bound workloads)
    flops: float = 0.0           # for GFLOP/s
    positive: bool = False       # inputs uniform in [0, 1) (sums: a relative error that means something), else normal


def _softmax_np(a: np.ndarray) -> np.ndarray:
    e = np.exp(a - a.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def _conv2d_np(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Stride 1, padding 1: every 3x3 window of the padded input against every filter."""
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, w.shape[2:], axis=(2, 3))  # n c h w kh kw
    return np.einsum("nchwyx,ocyx->nohw", windows, w, optimize=True)


def _wide(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A numpy reference computed in float64 (f32 inputs) or float32 (f16: PyTorch's accumulator)."""
    def run(*arrays: np.ndarray) -> np.ndarray:
        dtype = arrays[0].dtype
        wide = np.float64 if dtype == np.float32 else np.float32
        return np.asarray(fn(*[a.astype(wide) for a in arrays])).astype(dtype)
    return run


def workloads(quick: bool) -> list[Workload]:
    import torch.nn.functional as tf

    n = 1 << (20 if quick else 26)
    rows, cols = (256, 1024) if quick else (4096, 16384)
    soft = 256 if quick else 4096
    mm = 256 if quick else 4096
    xs, ws = ((2, 16, 16, 16), (16, 16, 3, 3)) if quick else ((32, 64, 56, 56), (64, 64, 3, 3))
    conv_flops = 2.0 * xs[0] * ws[0] * xs[2] * xs[3] * ws[1] * 9
    return [
        Workload(f"a*b+1 {n} f32", [(n,), (n,)], "float32", lambda a, b: a * b + 1, lambda a, b: a * b + 1,
                 lambda a, b: a * b + 1, bytes=3 * 4 * n),
        Workload(f"sum {n} f32", [(n,)], "float32", lambda a: a.sum(), lambda a: a.sum(), np.sum,
                 bytes=4 * n, positive=True),
        Workload(f"row sum {rows}x{cols} f32", [(rows, cols)], "float32", lambda a: a.sum(1), lambda a: a.sum(1),
                 lambda a: a.sum(1), bytes=4 * rows * cols, positive=True),
        Workload(f"softmax {soft}x{soft} f32", [(soft, soft)], "float32", lambda a: a.softmax(1),
                 lambda a: a.softmax(1), _softmax_np, bytes=2 * 4 * soft * soft),
        Workload(f"matmul {mm}^3 f32", [(mm, mm), (mm, mm)], "float32", lambda a, b: a @ b, lambda a, b: a @ b,
                 np.matmul, flops=2.0 * mm ** 3),
        Workload(f"matmul {mm}^3 f16", [(mm, mm), (mm, mm)], "float16", lambda a, b: a @ b, lambda a, b: a @ b,
                 np.matmul, flops=2.0 * mm ** 3),
        Workload(f"conv2d 3x3 p1 {'x'.join(map(str, xs))}", [xs, ws], "float32",
                 lambda x, w: x.conv2d(w, padding=1), lambda x, w: tf.conv2d(x, w, padding=1), _conv2d_np,
                 flops=conv_flops),
        # tensor cores (issue 10): f16 and bf16 products accumulate in f32 and round once
        *(Workload(f"matmul {size}^3 {name}", [(size, size), (size, size)], dtype, lambda a, b: a @ b,
                   lambda a, b: a @ b, np.matmul, flops=2.0 * size ** 3)
          for size in ((mm,) if quick else (mm, 2 * mm)) for name, dtype in (("f16", "float16"), ("bf16", "bfloat16"))
          if (size, name) != (mm, "f16")),
        Workload(f"conv2d 3x3 p1 {'x'.join(map(str, xs))} f16", [xs, ws], "float16",
                 lambda x, w: x.conv2d(w, padding=1), lambda x, w: tf.conv2d(x, w, padding=1), _conv2d_np,
                 flops=conv_flops),
    ]


# ---------------------------------------------------------------- tinyir: build, compile, bind, launch

def build_module(work: Workload, arrays: list[np.ndarray]) -> Any:
    """The workload as a tensor-level module through the Tensor API; its arguments are the inputs, in order."""
    from tinyir import Tensor
    from tinyir.frontend.realize import build_function, collect

    # realized on the host interpreter: only their shapes and dtypes enter the module
    inputs = [Tensor(a, device="reference") for a in arrays]
    out = work.tinyir(*inputs)
    graph = collect([out.lazydata], lambda node: node.realized is not None)
    order = [next(i for i, t in enumerate(inputs) if t.lazydata is arg) for arg in graph.args]
    if order != list(range(len(inputs))):
        raise SystemExit(f"{work.name}: the program takes its inputs in the order {order}; expected each once")
    module, _ = build_function(graph)
    return module


class Bound:
    """A compiled program with its buffers on the device: inputs uploaded and intermediates
    allocated once, so `launch` runs only the kernels."""

    def __init__(self, program: Any, arrays: list[np.ndarray]):
        from tinyir.runtime.buffer import allocator_for

        allocator = allocator_for(program.device_name)
        self.device = allocator.device
        self.slots: list[Any] = [None] * program.nslots
        for slot, array in zip(program.arg_slots, program.check_inputs(arrays)):
            self.slots[slot] = allocator.upload(array)
        pools = [allocator.alloc_raw(size) for size in program.memory.pool_sizes]
        self.kernels = []
        for step in program.steps:
            if step.kind == "alloc":
                self.slots[step.result] = (allocator.alloc(step.shape, step.dtype) if step.pool < 0
                                           else allocator.view(pools[step.pool], step.shape, step.dtype))
            elif step.kind == "const":
                self.slots[step.result] = allocator.upload(step.data)
            else:
                self.kernels.append((step.compiled, [self.slots[s].handle for s in step.operands], step.source))
        self.pools = pools  # views keep their pool alive too; kept here for clarity
        self.outputs = [self.slots[s] for s in program.out_slots]

    def launch(self) -> None:
        for compiled, handles, source in self.kernels:
            self.device.launch(compiled, handles, source)

    def result(self) -> np.ndarray:
        self.device.synchronize()
        return self.outputs[0].numpy()


# ---------------------------------------------------------------- timing

class Timer:
    """Median of repetitions: CUDA events and an L2 flush on cuda, wall clock elsewhere."""

    def __init__(self, cuda: bool, repeat: int, budget_s: float = 10.0):
        self.cuda, self.repeat, self.budget_s = cuda, repeat, budget_s
        if cuda:
            import torch

            self.torch = torch
            self.flush = torch.empty(256 << 20, dtype=torch.uint8, device="cuda")

    def median_ms(self, fn: Callable[[], Any], sync: Callable[[], None]) -> float:
        fn()  # warm-up
        sync()
        times: list[float] = []
        spent = time.perf_counter()
        while len(times) < self.repeat and (len(times) < 3 or time.perf_counter() - spent < self.budget_s):
            if self.cuda:
                self.flush.fill_(len(times) & 0xFF)  # evicts the inputs from the 50-60 MB L2
                start, end = (self.torch.cuda.Event(enable_timing=True) for _ in range(2))
                start.record()
                fn()
                end.record()
                end.synchronize()
                times.append(start.elapsed_time(end))
            else:
                begin = time.perf_counter()
                fn()
                sync()
                times.append((time.perf_counter() - begin) * 1e3)
        return statistics.median(times)


def to_torch(a: np.ndarray) -> Any:
    """A torch tensor of the array (bf16 through f32: torch reads no ml_dtypes arrays; exact)."""
    import torch

    if a.dtype.name == "bfloat16":
        return torch.from_numpy(a.astype(np.float32)).to(torch.bfloat16)
    return torch.from_numpy(a)


def close_enough(got: np.ndarray, want: np.ndarray, dtype: str) -> tuple[bool, float]:
    """Max error over the largest magnitude within 1e-4 (f32) or 3e-3 (f16: one rounding of the
    result is 5e-4, cuBLAS may round partial sums to f16 too; f16 accumulation over 4096 terms is
    off by ~1e-2)."""
    got64, want64 = got.astype(np.float64), want.astype(np.float64)
    scale = max(1.0, float(np.abs(want64).max()))
    err = float(np.abs(got64 - want64).max()) / scale if got.size else 0.0
    return got.shape == want.shape and err <= {"float16": 3e-3, "bfloat16": 1e-2}.get(dtype, 1e-4), err


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda", help="tinyir device (cuda; opencl to test the script)")
    parser.add_argument("--quick", action="store_true", help="small sizes")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--only", default="", help="run the workloads whose name contains this")
    args = parser.parse_args()

    import ml_dtypes  # noqa: F401  (numpy's "bfloat16" dtype)
    import torch

    from tinyir.errors import TinyirError
    from tinyir.runtime import compile_program, get_device

    cuda = args.device == "cuda"
    if cuda:
        if not torch.cuda.is_available():
            raise SystemExit("bench_gpu: --device cuda needs PyTorch with CUDA (torch.cuda.is_available() is False)")
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        torch.cuda.init()  # torch and tinyir share the device's primary context
    try:
        device = get_device(args.device)
    except TinyirError as exc:
        raise SystemExit(f"bench_gpu: {exc}") from exc
    reference = f"torch on {torch.cuda.get_device_name()}" if cuda else "numpy (float64 for f32) on the host"
    timer = Timer(cuda, args.repeat)
    print(f"tinyir on {args.device} against {reference}; median of up to {args.repeat}, kernel time in ms"
          f"{', L2 flushed' if cuda else ''} (ratio > 1: tinyir is slower)")
    print(f"{'workload':34s} {'tinyir':>9s} {'ref':>9s} {'ratio':>7s} {'GB/s':>8s} {'GFLOP/s':>9s}  note")
    rng = np.random.default_rng(0)
    for work in workloads(args.quick):
        if args.only and args.only not in work.name:
            continue
        arrays = [(rng.random(s) if work.positive else rng.standard_normal(s)).astype(work.dtype) for s in work.shapes]
        try:
            program = compile_program(build_module(work, arrays), args.device)
            bound = Bound(program, arrays)
            bound.launch()
            got = bound.result()
        except TinyirError as exc:
            print(f"{work.name:34s} FAILED: {exc}", flush=True)
            continue
        if cuda:
            inputs = [to_torch(a).cuda() for a in arrays]
            with torch.no_grad():
                want = work.torch(*inputs).float().cpu().numpy()
            ref_fn: Callable[[], Any] = lambda: work.torch(*inputs)  # noqa: E731
            sync: Callable[[], None] = torch.cuda.synchronize
        else:
            want = _wide(work.numpy)(*arrays)
            ref_fn, sync = (lambda: work.numpy(*arrays)), (lambda: None)  # host code is synchronous
        ok, err = close_enough(got, want, work.dtype)
        if not ok:
            print(f"{work.name:34s} WRONG RESULT: scaled max error {err:.3g} against {reference}", flush=True)
            continue
        t_tiny = timer.median_ms(bound.launch, device.synchronize)
        with torch.no_grad():
            t_ref = timer.median_ms(ref_fn, sync)
        gbs = f"{work.bytes / t_tiny / 1e6:8.1f}" if work.bytes else f"{'':8s}"
        gflops = f"{work.flops / t_tiny / 1e6:9.1f}" if work.flops else f"{'':9s}"
        note = f"{work.bytes / t_tiny / 1e9 / H200_COPY_BANDWIDTH * 1e12:.0%} of H200 copy bw" \
            if cuda and work.bytes else ""
        note += f"{'; ' if note else ''}{len(bound.kernels)} kernel{'s' if len(bound.kernels) != 1 else ''}"
        note += f"; error {err:.1e}"
        print(f"{work.name:34s} {t_tiny:9.3f} {t_ref:9.3f} {t_tiny / t_ref:7.2f} {gbs} {gflops}  {note}", flush=True)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
