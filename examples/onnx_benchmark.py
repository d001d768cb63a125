"""A small convolutional network exported from PyTorch to ONNX here, run by tinyir.onnx, onnxruntime and
PyTorch on the CPU: checks that the three agree, then prints each one's time per batch and the ratios.

    python examples/onnx_benchmark.py [--batch 8] [--size 32] [--repeats 20] [--device cpu]

Times are medians of `--repeats` runs after a warm-up run (tinyir's first run compiles its kernels;
that time is printed separately). Needs `pip install 'tinyir[onnx]'` and torch.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # examples/
from model_tools import median_time


def build_model(size: int):
    import torch

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.features = torch.nn.Sequential(
                torch.nn.Conv2d(3, 16, 3, padding=1), torch.nn.BatchNorm2d(16), torch.nn.ReLU(),
                torch.nn.MaxPool2d(2),
                torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.BatchNorm2d(32), torch.nn.ReLU(),
                torch.nn.AdaptiveAvgPool2d(1))
            self.head = torch.nn.Linear(32, 10)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return torch.softmax(self.head(self.features(x).flatten(1)), dim=-1)

    torch.manual_seed(0)
    return Net().eval()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--size", type=int, default=32, help="image height and width")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--device", default="cpu", help="tinyir device (default cpu)")
    args = parser.parse_args()

    import onnx
    import onnxruntime
    import torch

    import tinyir.onnx as backend

    model = build_model(args.size)
    x = np.random.default_rng(0).standard_normal((args.batch, 3, args.size, args.size)).astype(np.float32)
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (torch.from_numpy(x),), buf, dynamo=False, opset_version=17, input_names=["x"])
    proto = onnx.load_from_string(buf.getvalue())

    rep = backend.prepare(proto, device=args.device)
    start = time.perf_counter()
    (tinyir_out,) = rep.run([x])
    first = time.perf_counter() - start
    session = onnxruntime.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    (ort_out,) = session.run(None, {"x": x})
    with torch.no_grad():
        torch_out = model(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(tinyir_out, ort_out, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(tinyir_out, torch_out, rtol=1e-4, atol=1e-5)

    t_tinyir = median_time(lambda: rep.run([x]), args.repeats)
    t_ort = median_time(lambda: session.run(None, {"x": x}), args.repeats)
    with torch.no_grad():
        t_torch = median_time(lambda: model(torch.from_numpy(x)), args.repeats)
    print(f"batch {args.batch} x 3 x {args.size} x {args.size}; outputs agree within 1e-4")
    print(f"tinyir ({args.device}) first run (compiles): {first * 1e3:9.2f} ms")
    print(f"tinyir ({args.device}):                     {t_tinyir * 1e3:9.2f} ms")
    print(f"onnxruntime (CPU):                     {t_ort * 1e3:9.2f} ms   tinyir / onnxruntime = {t_tinyir / t_ort:.2f}")
    print(f"PyTorch (CPU, {torch.get_num_threads()} threads):             {t_torch * 1e3:9.2f} ms   "
          f"tinyir / PyTorch = {t_tinyir / t_torch:.2f}")


if __name__ == "__main__":
    main()
