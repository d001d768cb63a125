"""What the model examples share: a median wall-clock time, tinyir's first, second and steady-state
calls with the time in kernels, and a PyTorch module exported to ONNX."""

from __future__ import annotations

import io
import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np


def median_time(fn: Callable[[], Any], repeats: int) -> float:
    """Seconds: the median of `repeats` calls of `fn`."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def tinyir_times(fn: Callable[[], Any], repeats: int, device: str) -> dict[str, float]:
    """Seconds of a tinyir forward `fn` that has already run once (its first call, which compiles,
    is the caller's to time): the second call; the steady state (the median of `repeats` calls
    after it); and, from one more call, the time spent in kernels (every launch timed with the
    device synchronized before and after) and the rest of the call (the Python above the kernels:
    building the lazy graph, finding the compiled program, uploads and downloads)."""
    import time

    from tinyir.runtime.buffer import allocator_for

    start = time.perf_counter()
    fn()
    second = time.perf_counter() - start
    steady = median_time(fn, repeats)
    dev = allocator_for(device).device
    launch, in_kernels = dev.launch, [0.0]

    def timed_launch(*args: Any) -> None:
        dev.synchronize()
        begin = time.perf_counter()
        launch(*args)
        dev.synchronize()
        in_kernels[0] += time.perf_counter() - begin

    dev.launch = timed_launch  # this instance only, for one call (the executor reads device.launch per run)
    try:
        start = time.perf_counter()
        fn()
        total = time.perf_counter() - start
    finally:
        del dev.launch
    return {"tinyir_second": second, "tinyir": steady, "tinyir_kernels": in_kernels[0],
            "tinyir_above_kernels": max(total - in_kernels[0], 0.0)}


def jit_time(model: Callable[[Any], Any], make_input: Callable[[], Any], want: np.ndarray, repeats: int,
             rtol: float, atol: float) -> float:
    """Seconds per forward of `model` under TinyJit (median of `repeats` replays): the programs its
    second call ran are replayed, with no lazy graph built and no program looked up; each of the
    first three calls (run, capture, first replay) must give `want`."""
    from tinyir import Tensor, TinyJit

    jitted = TinyJit(lambda x: model(x).realize())

    def forward() -> np.ndarray:
        with Tensor.train(False):
            return jitted(make_input()).numpy()

    for _ in range(3):
        np.testing.assert_allclose(forward(), want, rtol=rtol, atol=atol, err_msg="tinyir under TinyJit")
    return median_time(forward, repeats)


def export_onnx(torch_model: Any, x: np.ndarray, input_name: str, output_name: str = "logits") -> Any:
    """The module traced on `x` as an ONNX model (opset 17, the TorchScript exporter), in memory."""
    import onnx
    import torch

    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(torch_model, (torch.from_numpy(x),), buf, dynamo=False, opset_version=17,
                          input_names=[input_name], output_names=[output_name])
    return onnx.load_from_string(buf.getvalue())


def print_report(r: dict[str, float], device: str, rtol: float, atol: float) -> None:
    """What an example measured (`r` from its comparison): differences from PyTorch and onnxruntime,
    then tinyir's times against theirs."""
    import torch

    print(f"tinyir vs PyTorch: max relative difference {r['torch_err']:.1e} (tolerance rtol {rtol}, atol {atol})")
    if "onnx_err" in r:
        print(f"tinyir.onnx vs onnxruntime: max relative difference {r['onnx_err']:.1e}")
    print(f"tinyir ({device}) first call (compiles):{r['tinyir_first'] * 1e3:10.2f} ms")
    if "tinyir_second" in r:
        print(f"tinyir ({device}) second call:          {r['tinyir_second'] * 1e3:10.2f} ms")
    print(f"tinyir ({device}) steady state:         {r['tinyir'] * 1e3:10.2f} ms   (median after two calls)")
    if "tinyir_kernels" in r:
        print(f"  of one steady call: kernels {r['tinyir_kernels'] * 1e3:.2f} ms, above the kernels "
              f"{r['tinyir_above_kernels'] * 1e3:.2f} ms (graph building, program lookup, copies)")
    if "tinyir_jit" in r:
        print(f"tinyir ({device}) under TinyJit:        {r['tinyir_jit'] * 1e3:10.2f} ms   (replays: no graph building)")
    print(f"PyTorch (CPU, {torch.get_num_threads()} threads):             {r['torch'] * 1e3:10.2f} ms"
          f"   tinyir / PyTorch = {r['tinyir'] / r['torch']:.2f}"
          + (f", under TinyJit {r['tinyir_jit'] / r['torch']:.2f}" if "tinyir_jit" in r else ""))
    if "onnx_err" in r:
        print(f"tinyir.onnx ({device}):                {r['tinyir_onnx'] * 1e3:10.2f} ms")
        print(f"onnxruntime (CPU):                     {r['onnxruntime'] * 1e3:10.2f} ms"
              f"   tinyir.onnx / onnxruntime = {r['tinyir_onnx'] / r['onnxruntime']:.2f}")
