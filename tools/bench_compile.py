"""Compile-time benchmark: first call and steady state of W1..W5 and a small GPT training step.

    python tools/bench_compile.py [--quick] [--device cpu] [--repeat N]

For each workload it prints the first call (building the graph, compiling, running: what a user
waits for the first time) and the median of later calls (cached programs), for tinyir and, when it
is installed, tinygrad in the same run, with the ratio tinyir / tinygrad. The on-disk kernel cache
(and tinygrad's `CACHEDB`) point at a fresh temporary directory, so first calls really compile
(pass `--cache-dir` twice in a row to measure a warm disk cache: the second run is a second
process that has seen every program). Timings are information for people, never asserted by tests.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import numpy as np

# name -> (build(Tensor, nn, optim, quick) -> step function); each step returns a tensor to realize.
Workload = Callable[[Any, Any, Any, bool], Callable[[], Any]]


def _rand(T: Any, *shape: int) -> Any:
    return T(np.random.default_rng(0).standard_normal(shape).astype(np.float32)).realize()


def w1_elementwise(T: Any, nn: Any, optim: Any, quick: bool) -> Callable[[], Any]:
    n = 2**16 if quick else 2**22
    a, b = _rand(T, n), _rand(T, n)
    return lambda: a * b + 1


def w2_sum(T: Any, nn: Any, optim: Any, quick: bool) -> Callable[[], Any]:
    a = _rand(T, 2**16 if quick else 2**22)
    return lambda: a.sum()


def w2b_row_sum(T: Any, nn: Any, optim: Any, quick: bool) -> Callable[[], Any]:
    a = _rand(T, *((256, 256) if quick else (2048, 2048)))
    return lambda: a.sum(1)


def w3_softmax(T: Any, nn: Any, optim: Any, quick: bool) -> Callable[[], Any]:
    a = _rand(T, *((128, 128) if quick else (1024, 1024)))
    return lambda: a.softmax(1)


def w4_matmul(T: Any, nn: Any, optim: Any, quick: bool) -> Callable[[], Any]:
    n = 64 if quick else 256
    a, b = _rand(T, n, n), _rand(T, n, n)
    return lambda: a @ b


def w5_conv(T: Any, nn: Any, optim: Any, quick: bool) -> Callable[[], Any]:
    x = _rand(T, *((2, 3, 16, 16) if quick else (8, 3, 32, 32)))
    w = _rand(T, 16, 3, 3, 3)
    return lambda: x.conv2d(w)


def splat_sum(T: Any, nn: Any, optim: Any, quick: bool) -> Callable[[], Any]:
    """A program of constants only: its compile time must not grow with the element count."""
    n = 2**20 if quick else 2**26
    return lambda: (T.ones(n) * 2).sum()


def training_mode(T: Any) -> Any:
    """Training on: `Tensor.train()` in tinyir, `Context(TRAINING=1)` in tinygrad 0.14 (which has no Tensor.train)."""
    if hasattr(T, "train"):
        return T.train()
    from tinygrad.helpers import Context

    return Context(TRAINING=1)


def gpt_step(T: Any, nn: Any, optim: Any, quick: bool) -> Callable[[], Any]:
    """A 2-layer causal transformer training step (d=128, T=64, batch 8, AdamW); --quick: smaller."""
    d, ctx, batch, vocab, layers = (32, 16, 2, 64, 1) if quick else (128, 64, 8, 256, 2)
    rng = np.random.default_rng(0)

    class Block:
        def __init__(self) -> None:
            self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
            self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
            self.fc1, self.fc2 = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

        def __call__(self, x: Any) -> Any:
            q, k, v = self.qkv(self.ln1(x)).chunk(3, dim=2)
            att = (q @ k.transpose(1, 2)) * (1.0 / d**0.5)
            mask = T.ones(ctx, ctx).tril()
            att = att.masked_fill(mask == 0, -1e9).softmax(-1)
            x = x + self.proj(att @ v)
            return x + self.fc2(self.fc1(self.ln2(x)).gelu())

    class GPT:
        def __init__(self) -> None:
            self.tok, self.pos = nn.Embedding(vocab, d), nn.Embedding(ctx, d)
            self.blocks = [Block() for _ in range(layers)]
            self.ln, self.head = nn.LayerNorm(d), nn.Linear(d, vocab)

        def __call__(self, idx: Any) -> Any:
            x = self.tok(idx) + self.pos(T.arange(ctx).reshape(1, ctx))
            for block in self.blocks:
                x = block(x)
            return self.head(self.ln(x))

    model = GPT()
    opt = optim.AdamW(nn.state.get_parameters(model), lr=1e-3)
    x = T(rng.integers(0, vocab, (batch, ctx)).astype(np.int32)).realize()
    y = T(rng.integers(0, vocab, (batch, ctx)).astype(np.int32)).realize()

    def step() -> Any:
        with training_mode(T):
            opt.zero_grad()
            loss = model(x).sparse_categorical_crossentropy(y)
            loss.backward()
            opt.step()
        return loss

    return step


WORKLOADS: dict[str, Workload] = {
    "W1 a*b+1": w1_elementwise,
    "W2 sum": w2_sum,
    "W2 row sum": w2b_row_sum,
    "W3 softmax": w3_softmax,
    "W4 matmul": w4_matmul,
    "W5 conv": w5_conv,
    "splat (ones*2).sum()": splat_sum,
    "GPT train step": gpt_step,
}


# tinyir's device name -> tinygrad 0.14's (its CPU device runs clang-compiled C by default)
TINYGRAD_DEVICES = {"cpu": "CPU", "opencl": "CL", "cuda": "CUDA", "amdgpu": "AMD", "metal": "METAL"}


def _frameworks(device: str) -> dict[str, tuple[Any, Any, Any]]:
    """(Tensor, nn, optim) per installed framework; tinygrad only when it is importable."""
    from tinyir import Tensor, nn
    from tinyir.nn import optim

    out: dict[str, tuple[Any, Any, Any]] = {"tinyir": (Tensor, nn, optim)}
    if importlib.util.find_spec("tinygrad") is not None and device in TINYGRAD_DEVICES:
        os.environ["DEV"] = TINYGRAD_DEVICES[device]  # tinygrad reads its device when imported
        from tinygrad import Tensor as TgTensor
        from tinygrad import nn as tg_nn

        out["tinygrad"] = (TgTensor, tg_nn, tg_nn.optim)
    return out


def measure(build: Workload, fw: tuple[Any, Any, Any], quick: bool, repeat: int) -> tuple[float, float]:
    """(first call, median of `repeat` later calls) in seconds; each call realizes and reads back."""
    T, nn, optim = fw
    step = build(T, nn, optim, quick)

    def call() -> None:
        step().numpy()

    start = time.perf_counter()
    call()
    first = time.perf_counter() - start
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return first, statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes (seconds in all)")
    parser.add_argument("--device", default=os.environ.get("TINYIR_DEVICE", "cpu"))
    parser.add_argument("--repeat", type=int, default=3, help="steady-state calls to take the median of")
    parser.add_argument("--cache-dir", help="on-disk kernel cache to use (default: a fresh temporary one)")
    parser.add_argument("--only", help="run the workloads whose name contains this text")
    args = parser.parse_args(argv)
    os.environ["TINYIR_DEVICE"] = args.device
    tmp = None
    if args.cache_dir:
        os.environ["TINYIR_CACHE_DIR"] = args.cache_dir
        os.environ.setdefault("CACHEDB", os.path.join(args.cache_dir, "tinygrad-cache.db"))
    else:  # cold caches for both: a fresh directory (tinygrad's CACHEDB is read when it is imported)
        tmp = tempfile.TemporaryDirectory(prefix="tinyir-bench-cache-")
        os.environ["TINYIR_CACHE_DIR"] = tmp.name
        os.environ["CACHEDB"] = os.path.join(tmp.name, "tinygrad-cache.db")
        os.environ["CACHELEVEL"] = "0"  # tinygrad's own disk cache off too (read when tinygrad is imported)
    frameworks = _frameworks(args.device)
    for T, _, _ in frameworks.values():  # one-time costs (imports, device start) are no workload's
        (T(np.array([1.0, 2.0], dtype=np.float32)) + 1).numpy()
    names = list(frameworks)
    header = f"{'workload':<22s}" + "".join(f"{n + ' first':>16s}{n + ' steady':>18s}" for n in names)
    if "tinygrad" in frameworks:
        header += f"{'first ratio':>13s}{'steady ratio':>14s}"
    tg = f", tinygrad on {TINYGRAD_DEVICES.get(args.device, args.device.upper())}" if "tinygrad" in frameworks else ""
    print(f"device {args.device}{tg}{' (quick sizes)' if args.quick else ''}; times in ms")
    print(header)
    for label, build in WORKLOADS.items():
        if args.only and args.only not in label:
            continue
        row = f"{label:<22s}"
        results = {}
        for name in names:
            results[name] = measure(build, frameworks[name], args.quick, args.repeat)
            first, steady = results[name]
            row += f"{first * 1e3:16.1f}{steady * 1e3:18.2f}"
        if "tinygrad" in results:
            (f1, s1), (f2, s2) = results["tinyir"], results["tinygrad"]
            row += f"{f1 / f2:12.2f}x{s1 / s2:13.2f}x"
        print(row, flush=True)
    if "tinygrad" not in frameworks:
        print("(tinygrad is not installed: no ratios)")
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
