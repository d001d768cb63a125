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
