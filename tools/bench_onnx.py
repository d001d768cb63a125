"""Benchmark the model examples (ResNet-18 and GPT-2) through tinyir against onnxruntime and PyTorch, in
one run, and print the ratios.

    python tools/bench_onnx.py [--device cpu] [--models resnet18,gpt2] [--gpt2-config 124m]
                               [--size 224] [--tokens 64] [--batch 1] [--repeats 10]

Each model is PyTorch's (examples/resnet18.py, examples/gpt2.py) with seeded random weights. tinyir
runs it twice: as the example's Tensor-API model with PyTorch's state dict loaded through a `.pth`
file ("tinyir"), and as the ONNX file PyTorch exports here, through `tinyir.onnx` ("tinyir.onnx").
onnxruntime runs the same ONNX file (its CPU provider, or CUDA's with --device cuda where
onnxruntime-gpu is installed) and PyTorch the module (on CUDA with --device cuda where torch sees a
GPU, else on the CPU). Every output is first checked against PyTorch's within 1e-4 relative error.

Each figure is the minimum and the median of --repeats runs after one warm-up run (tinyir's warm-up
compiles the kernels; that time is printed as "first run"). Minimums are what the ratios use: on a
shared machine they are the least disturbed. Every tinyir run includes the copy of the input to the
device and of the output back, as onnxruntime's and PyTorch's do for their device.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def load_example(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"{name}_example", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(f"{name}_example", module)
    spec.loader.exec_module(module)
    return module


def timed(fn: Callable[[], Any], repeats: int, sync: Callable[[], None] = lambda: None) -> tuple[float, float, float]:
    """(first run, minimum, median) in seconds."""
    start = time.perf_counter()
    fn()
    sync()
    first = time.perf_counter() - start
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - start)
    return first, min(times), statistics.median(times)


class Bench:
    """One model: its PyTorch module, the tinyir model with the same weights, the input, and the ONNX file."""

    def __init__(self, name: str, torch_model: Any, tinyir_model: Any, feed: np.ndarray, proto: Any, rtol: float,
                 atol: float):
        self.name, self.torch_model, self.tinyir_model = name, torch_model, tinyir_model
        self.feed, self.proto, self.rtol, self.atol = feed, proto, rtol, atol


def have_onnx() -> bool:
    """Whether onnx and onnxruntime are installed (without them only tinyir and PyTorch run)."""
    return all(importlib.util.find_spec(m) is not None for m in ("onnx", "onnxruntime"))


def resnet18_bench(args: argparse.Namespace) -> Bench:
    ex = load_example("resnet18")
    torch_model = ex.seeded_torch_model(0, 1000, 64)
    images = np.random.default_rng(0).standard_normal((args.batch, 3, args.size, args.size)).astype(np.float32)
    return Bench(f"ResNet-18, {args.batch}x3x{args.size}x{args.size}", torch_model,
                 ex.load_from_torch(torch_model, 64, 1000), images,
                 ex.export_onnx(torch_model, images, "images") if have_onnx() else None,
                 ex.RTOL, ex.ATOL)


def gpt2_bench(args: argparse.Namespace) -> Bench:
    from dataclasses import replace

    ex = load_example("gpt2")
    base = ex.CONFIGS[args.gpt2_config]
    cfg = replace(base, vocab_size=base.vocab_size or 96)
    torch_model = ex.seeded_torch_gpt(cfg, 0)
    ids = np.random.default_rng(0).integers(0, cfg.vocab_size, size=(args.batch, min(args.tokens, cfg.n_ctx)))
    return Bench(f"GPT-2 {args.gpt2_config} ({cfg.n_layer} layers, width {cfg.n_embd}), {ids.shape[1]} tokens",
                 torch_model, ex.load_from_torch(torch_model, cfg), ids.astype(np.int64),
                 ex.export_onnx(torch_model, ids.astype(np.int64), "tokens") if have_onnx() else None, ex.RTOL, ex.ATOL)


BENCHES = {"resnet18": resnet18_bench, "gpt2": gpt2_bench}


def run_bench(bench: Bench, args: argparse.Namespace) -> dict[str, tuple[float, float, float]]:
    import torch

    from tinyir import Tensor

    on_gpu = args.device.lower().startswith("cuda")
    torch_device = "cuda" if on_gpu and torch.cuda.is_available() else "cpu"
    sync = torch.cuda.synchronize if torch_device == "cuda" else (lambda: None)
    torch_model = bench.torch_model.to(torch_device)
    torch_feed = torch.from_numpy(bench.feed).to(torch_device)
    with torch.no_grad():
        want = torch_model(torch_feed).cpu().numpy()  # also PyTorch's warm-up

    def tinyir_run() -> np.ndarray:
        tinyir_feed = bench.feed.astype(np.int32) if bench.feed.dtype == np.int64 else bench.feed
        with Tensor.train(False):
            return bench.tinyir_model(Tensor(tinyir_feed, device=args.device)).numpy()

    # PyTorch first and onnxruntime last: onnxruntime's worker threads keep spinning for a while after
    # each run, which would take the CPU from whatever runs next
    runs: dict[str, Callable[[], Any]] = {
        f"PyTorch ({torch_device}, {torch.get_num_threads()} threads)": lambda: torch_model(torch_feed),
        f"tinyir ({args.device})": tinyir_run,
    }
    if bench.proto is not None:
        import onnxruntime

        import tinyir.onnx as backend

        rep = backend.prepare(bench.proto, device=args.device)
        providers = [p for p in (["CUDAExecutionProvider"] if on_gpu else []) + ["CPUExecutionProvider"]
                     if p in onnxruntime.get_available_providers()]
        session = onnxruntime.InferenceSession(bench.proto.SerializeToString(), providers=providers)
        input_name = session.get_inputs()[0].name
        runs[f"tinyir.onnx ({args.device})"] = lambda: rep.run([bench.feed])[0]
        runs[f"onnxruntime ({session.get_providers()[0].replace('ExecutionProvider', '')})"] = \
            lambda: session.run(None, {input_name: bench.feed})[0]
    results: dict[str, tuple[float, float, float]] = {}
    for label, fn in runs.items():
        with torch.no_grad():
            results[label] = timed(fn, args.repeats, sync if label.startswith("PyTorch") else (lambda: None))
            got = fn()
        got = got.cpu().numpy() if isinstance(got, torch.Tensor) else got
        np.testing.assert_allclose(got, want, rtol=bench.rtol, atol=bench.atol, err_msg=f"{bench.name}: {label}")
    return results


def report(bench: Bench, results: dict[str, tuple[float, float, float]]) -> None:
    print(f"\n{bench.name}: outputs agree with PyTorch within rtol {bench.rtol}, atol {bench.atol}")
    print(f"  {'':34s} {'first run':>11s} {'min':>11s} {'median':>11s}")
    for label, (first, best, median) in results.items():
        print(f"  {label:34s} {first * 1e3:8.2f} ms {best * 1e3:8.2f} ms {median * 1e3:8.2f} ms")
    best = [results[k][1] for k in results]  # PyTorch, tinyir[, tinyir.onnx, onnxruntime]
    ratios = [f"tinyir / PyTorch = {best[1] / best[0]:.2f}"]
    if len(best) == 4:
        ratios += [f"tinyir.onnx / onnxruntime = {best[2] / best[3]:.2f}", f"tinyir.onnx / PyTorch = {best[2] / best[0]:.2f}",
                   f"onnxruntime / PyTorch = {best[3] / best[0]:.2f}"]
    else:
        ratios.append("(no onnx/onnxruntime installed: tinyir.onnx and onnxruntime not run)")
    print("  ratios (min): " + ", ".join(ratios))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", help="tinyir device: cpu, cuda, opencl, ... (default cpu)")
    parser.add_argument("--models", default="resnet18,gpt2", help="comma-separated: " + ", ".join(BENCHES))
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--size", type=int, default=224, help="ResNet-18's image size (default 224)")
    parser.add_argument("--gpt2-config", choices=("tiny", "124m"), default="124m")
    parser.add_argument("--tokens", type=int, default=64, help="GPT-2's sequence length (default 64)")
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args(argv)
    os.environ.setdefault("TINYIR_DEVICE", args.device)
    names = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in names if m not in BENCHES]
    if unknown:
        parser.error(f"--models: unknown {unknown}; known: {sorted(BENCHES)}")
    for name in names:
        bench = BENCHES[name](args)
        report(bench, run_bench(bench, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
