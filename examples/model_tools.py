"""What the model examples share: a median wall-clock time and a PyTorch module exported to ONNX."""

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
    print(f"tinyir ({device}) first run (compiles): {r['tinyir_first'] * 1e3:10.2f} ms")
    print(f"tinyir ({device}):                     {r['tinyir'] * 1e3:10.2f} ms")
    print(f"PyTorch (CPU, {torch.get_num_threads()} threads):             {r['torch'] * 1e3:10.2f} ms"
          f"   tinyir / PyTorch = {r['tinyir'] / r['torch']:.2f}")
    if "onnx_err" in r:
        print(f"tinyir.onnx ({device}):                {r['tinyir_onnx'] * 1e3:10.2f} ms")
        print(f"onnxruntime (CPU):                     {r['onnxruntime'] * 1e3:10.2f} ms"
              f"   tinyir.onnx / onnxruntime = {r['tinyir_onnx'] / r['onnxruntime']:.2f}")
