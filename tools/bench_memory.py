"""Peak device memory of a few workloads, tinyir vs tinygrad in the same run.

    python tools/bench_memory.py [--quick] [--device cpu] [--only TEXT]

For each workload (a GPT training step, a conv net training step, a long elementwise chain) it runs
one step (the first call, which also builds the optimizer's state), then measures a second step:
the peak of the bytes held by live device buffers during that step (weights, optimizer state,
inputs, intermediates, outputs), and that peak above what was held when the step began (what the
step itself needed). tinyir's figures are its allocator's counters (what `DEBUG=2` prints: bytes in
use and their peak; freed buffers its cache keeps for reuse are not counted, as tinygrad's are not);
tinygrad's are `GlobalCounters.mem_used`, whose peak is read after each allocation. Ratios are
tinyir / tinygrad (below 1: tinyir holds less). Information for people, never asserted by tests.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import os
import sys
import tempfile
from collections.abc import Callable
from typing import Any

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_compile import TINYGRAD_DEVICES, gpt_step, training_mode  # noqa: E402

Workload = Callable[[Any, Any, Any, bool], Callable[[], Any]]


def convnet_step(T: Any, nn: Any, optim: Any, quick: bool) -> Callable[[], Any]:
    """conv(1->8, 3x3) relu, conv(8->16, 3x3) relu, flatten, linear -> 10 classes, cross entropy, Adam."""
    batch, size = (8, 16) if quick else (32, 28)
    rng = np.random.default_rng(0)

    class Net:
        def __init__(self) -> None:
            self.c1, self.c2 = nn.Conv2d(1, 8, 3), nn.Conv2d(8, 16, 3)
            self.fc = nn.Linear(16 * (size - 4) ** 2, 10)

        def __call__(self, x: Any) -> Any:
            x = self.c2(self.c1(x).relu()).relu()
            return self.fc(x.reshape(x.shape[0], -1))

    model = Net()
    opt = optim.Adam(nn.state.get_parameters(model), lr=1e-3)
    x = T(rng.standard_normal((batch, 1, size, size)).astype(np.float32)).realize()
    y = T(rng.integers(0, 10, (batch,)).astype(np.int32)).realize()

    def step() -> Any:
        with training_mode(T):
            opt.zero_grad()
            loss = model(x).sparse_categorical_crossentropy(y)
            loss.backward()
            opt.step()
        return loss

    return step


def elementwise_chain(T: Any, nn: Any, optim: Any, quick: bool) -> Callable[[], Any]:
    """64 elementwise ops over two vectors: fused, it needs the inputs and one output."""
    n = 2**16 if quick else 2**22
    rng = np.random.default_rng(0)
    a = T(rng.standard_normal(n).astype(np.float32)).realize()
    b = T(rng.standard_normal(n).astype(np.float32)).realize()

    def step() -> Any:
        x = a
        for i in range(16):
            x = (x * 0.99 + b).relu() - (a * (0.01 * i))
        return x

    return step


def normalize_chain(T: Any, nn: Any, optim: Any, quick: bool) -> Callable[[], Any]:
    """8 rounds of x - mean(x) over rows, scaled: each reduce ends a kernel, so intermediates live."""
    shape = (256, 256) if quick else (2048, 2048)
    a = T(np.random.default_rng(0).standard_normal(shape).astype(np.float32)).realize()

    def step() -> Any:
        x = a
        for _ in range(8):
            x = (x - x.mean(1, keepdim=True)) * 1.5
        return x

    return step


WORKLOADS: dict[str, Workload] = {
    "GPT train step": gpt_step,
    "conv net train step": convnet_step,
    "elementwise chain": elementwise_chain,
    "row-normalize chain": normalize_chain,
}


class TinyirMeter:
    """tinyir's allocator counters for one device."""

    def __init__(self, device: str):
        from tinyir.runtime.buffer import allocator_for

        self.allocator = allocator_for(device)

    def start(self) -> int:
        gc.collect()
        self.allocator.peak = self.allocator.in_use
        return self.allocator.in_use

    def peak(self) -> int:
        return self.allocator.peak


class TinygradMeter:
    """tinygrad's `GlobalCounters.mem_used`, its peak read after every buffer allocation."""

    def __init__(self) -> None:
        from tinygrad.device import Buffer
        from tinygrad.helpers import GlobalCounters

        self.counters = GlobalCounters
        self.high = 0
        meter = self
        allocate = Buffer.allocate

        def counted(buffer: Any, *args: Any, **kwargs: Any) -> Any:
            result = allocate(buffer, *args, **kwargs)
            meter.high = max(meter.high, GlobalCounters.mem_used)
            return result

        Buffer.allocate = counted  # type: ignore[method-assign]

    def start(self) -> int:
        gc.collect()
        self.high = self.counters.mem_used
        return self.counters.mem_used

    def peak(self) -> int:
        return self.high


def measure(build: Workload, fw: tuple[Any, Any, Any], meter: Any, quick: bool) -> tuple[int, int]:
    """(peak bytes during the second step, that peak minus the bytes held when the step began)."""
    T, nn, optim = fw
    step = build(T, nn, optim, quick)
    step().numpy()  # the first call: compiles, and makes the optimizer's state
    held = meter.start()
    out = step()
    out.numpy()
    peak = meter.peak()
    del out
    return peak, peak - held


def _frameworks(device: str) -> dict[str, tuple[tuple[Any, Any, Any], Any]]:
    from tinyir import Tensor, nn
    from tinyir.nn import optim

    out: dict[str, tuple[tuple[Any, Any, Any], Any]] = {"tinyir": ((Tensor, nn, optim), TinyirMeter(device))}
    if importlib.util.find_spec("tinygrad") is not None and device in TINYGRAD_DEVICES:
        os.environ["DEV"] = TINYGRAD_DEVICES[device]
        from tinygrad import Tensor as TgTensor
        from tinygrad import nn as tg_nn

        out["tinygrad"] = ((TgTensor, tg_nn, tg_nn.optim), TinygradMeter())
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes")
    parser.add_argument("--device", default=os.environ.get("TINYIR_DEVICE", "cpu"))
    parser.add_argument("--only", help="run the workloads whose name contains this text")
    args = parser.parse_args(argv)
    os.environ["TINYIR_DEVICE"] = args.device
    tmp = tempfile.TemporaryDirectory(prefix="tinyir-bench-memory-")
    os.environ.setdefault("TINYIR_CACHE_DIR", tmp.name)
    os.environ.setdefault("CACHELEVEL", "0")
    frameworks = _frameworks(args.device)
    names = list(frameworks)
    print(f"device {args.device}{' (quick sizes)' if args.quick else ''}; MB of live device buffers during a "
          f"second step: peak, and peak above what the step began with")
    header = f"{'workload':<22s}" + "".join(f"{n + ' peak':>16s}{n + ' step':>16s}" for n in names)
    if "tinygrad" in frameworks:
        header += f"{'peak ratio':>12s}{'step ratio':>12s}"
    print(header)
    for label, build in WORKLOADS.items():
        if args.only and args.only not in label:
            continue
        row, results = f"{label:<22s}", {}
        for name in names:
            fw, meter = frameworks[name]
            results[name] = measure(build, fw, meter, args.quick)
            row += f"{results[name][0] / 1e6:16.3f}{results[name][1] / 1e6:16.3f}"
        if "tinygrad" in results:
            (p1, s1), (p2, s2) = results["tinyir"], results["tinygrad"]
            row += f"{p1 / p2 if p2 else float('nan'):11.2f}x{s1 / s2 if s2 else float('nan'):11.2f}x"
        print(row, flush=True)
    if "tinygrad" not in frameworks:
        print("(tinygrad is not installed: no ratios)")
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
