"""Run the tinyir corpus on the `cuda` device against numpy, then a small benchmark against PyTorch.

    python test/gpu/cuda_check.py [--only NAME,...] [--no-bench]

Prints one line per corpus program (ok / FAIL with the largest difference or the error), a summary
`N passed / N failed`, and benchmark lines `tinyir X ms, torch Y ms, ratio tinyir/torch Z`.
Exit status 1 if any program failed. Needs no network.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "test" / "unit")]

from corpus import corpus_files, load  # noqa: E402

from tinyir.ir import parse_module  # noqa: E402
from tinyir.runtime.executor import compile_program, get_device  # noqa: E402


def _close(got: np.ndarray, want: np.ndarray) -> tuple[bool, str]:
    want = np.asarray(want)
    if got.shape != want.shape:
        return False, f"shape {got.shape} != {want.shape}"
    if want.dtype.kind == "f":
        g, w = got.astype(np.float64), want.astype(np.float64)
        tol = 2e-2 if want.dtype == np.float16 else 2e-3
        ok = np.allclose(g, w, rtol=tol, atol=tol, equal_nan=True)
        finite = np.isfinite(g) & np.isfinite(w)
        diff = float(np.max(np.abs(g - w)[finite])) if finite.any() else 0.0
        return bool(ok), f"max |diff| {diff:.3g}"
    ok = np.array_equal(got, want.astype(got.dtype))
    return bool(ok), f"{int(np.sum(got != want.astype(got.dtype)))} elements differ"


def run_corpus(only: set[str]) -> tuple[int, int]:
    passed = failed = 0
    for path in corpus_files():
        if only and path.stem not in only:
            continue
        program = load(path)
        try:
            module = program.module()
            inputs = program.make_inputs(0, module)
            expected = program.expected(inputs, module)
            got = compile_program(module, "cuda").run(inputs)
            results = [_close(g, w) for g, w in zip(got, expected)]
            ok = len(got) == len(expected) and all(r[0] for r in results)
            detail = "; ".join(r[1] for r in results)
        except Exception as exc:  # report and go on with the next program
            ok, detail = False, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            if "--verbose" in sys.argv:
                traceback.print_exc()
        passed += ok
        failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {path.stem:<28} {detail}", flush=True)
    return passed, failed


def run_tensor_api() -> tuple[int, int]:
    """The Tensor API on device="cuda": an MLP step (forward + backward) and softmax vs the reference."""
    from tinyir import Tensor

    rng = np.random.default_rng(0)
    xs, w1s, w2s = (rng.normal(size=s).astype(np.float32) for s in ((8, 5), (5, 6), (6, 3)))
    labels = np.array([0, 1, 2, 0, 1, 2, 0, 1], np.int32)
    results = {}
    for device in ("cuda", "reference"):
        x, y = Tensor(xs, device=device), Tensor(labels, device=device)
        w1 = Tensor(w1s, device=device, requires_grad=True)
        w2 = Tensor(w2s, device=device, requires_grad=True)
        loss = (x @ w1).relu().matmul(w2).sparse_categorical_crossentropy(y)
        loss.backward()
        soft = Tensor(xs, device=device).softmax().numpy()
        results[device] = [np.asarray(loss.item()), w1.grad.numpy(), w2.grad.numpy(), soft]
    checks = ["loss", "grad w1", "grad w2", "softmax"]
    passed = failed = 0
    for name, got, want in zip(checks, results["cuda"], results["reference"]):
        ok, detail = _close(got, want)
        passed += ok
        failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} tensor api: {name:<18} {detail}", flush=True)
    return passed, failed


def _time(fn, repeat: int = 20) -> float:
    """Median wall time of fn() in ms (fn synchronizes itself)."""
    fn()  # warm up: compile, caches
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return float(np.median(times))


def _kernel_time(program, device, inputs) -> float:
    """Time only the kernel launches of a compiled program (buffers stay on the GPU)."""
    buffers = [device.upload(a) for a in inputs]
    slots = [None] * program.nslots
    for slot, b in zip(program.arg_slots, buffers):
        slots[slot] = b
    for step in program.steps:
        if step.kind == "alloc":
            slots[step.result] = device.alloc(step.shape, step.dtype)
        elif step.kind == "const":
            slots[step.result] = device.upload(step.data)

    def launch_all() -> None:
        for step in program.steps:
            if step.kind == "kernel":
                device.launch(step.compiled, [slots[s] for s in step.operands], step.source)
        device.synchronize()

    return _time(launch_all)


BENCHMARKS = {
    "add 16M f32": ("""
func.func @main(%a: tensor<16777216xf32>, %b: tensor<16777216xf32>) -> tensor<16777216xf32> {
  %0 = tir.add %a, %b : tensor<16777216xf32>
  func.return %0 : tensor<16777216xf32>
}""", lambda a, b: a + b),
    "matmul 1024x1024 f32": ("""
func.func @main(%a: tensor<1024x1024xf32>, %b: tensor<1024x1024xf32>) -> tensor<1024x1024xf32> {
  %0 = tir.matmul %a, %b : tensor<1024x1024xf32>, tensor<1024x1024xf32> -> tensor<1024x1024xf32>
  func.return %0 : tensor<1024x1024xf32>
}""", lambda a, b: a @ b),
}


def run_benchmarks() -> None:
    try:
        import torch
        have_torch = torch.cuda.is_available()
    except ImportError:
        have_torch = False
    device = get_device("cuda")
    rng = np.random.default_rng(0)
    for name, (text, torch_fn) in BENCHMARKS.items():
        module = parse_module(text, name)
        program = compile_program(module, "cuda")
        shapes = [s for s, _ in program.input_types]
        inputs = [rng.standard_normal(s, dtype=np.float32) for s in shapes]
        got = program.run(inputs)[0]
        want = torch_fn(*(x.astype(np.float64) for x in inputs))
        err = float(np.max(np.abs(got - want)) / (np.max(np.abs(want)) or 1))
        ours = _kernel_time(program, device, inputs)
        line = f"bench {name:<22} tinyir {ours:9.3f} ms (max rel err {err:.1e})"
        if have_torch:
            tin = [torch.from_numpy(x).cuda() for x in inputs]

            def torch_run() -> None:
                torch_fn(*tin)
                torch.cuda.synchronize()

            theirs = _time(torch_run)
            line += f", torch {theirs:9.3f} ms, ratio tinyir/torch {ours / theirs:7.2f}x"
        else:
            line += ", torch not available (no ratio)"
        print(line, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="", help="comma-separated corpus program names")
    parser.add_argument("--no-bench", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    device = get_device("cuda")
    print(f"cuda device: {getattr(device.backend, 'name', '?')} via {device.backend_name}", flush=True)
    passed, failed = run_corpus({n for n in args.only.split(",") if n})
    print(f"corpus on cuda: {passed} passed / {failed} failed", flush=True)
    if not args.only:
        try:
            t_passed, t_failed = run_tensor_api()
        except Exception as exc:  # the Tensor API is a colleague's module: report, do not crash
            t_passed, t_failed = 0, 1
            print(f"FAIL tensor api: {type(exc).__name__}: {exc}", flush=True)
        print(f"tensor api on cuda: {t_passed} passed / {t_failed} failed", flush=True)
        failed += t_failed
    if not args.no_bench:
        run_benchmarks()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
