"""`tinyir.onnx`: ONNX models on every tinyir device, through ONNX's standard backend interface.

    import onnx, tinyir.onnx as backend
    outputs = backend.prepare(onnx.load("model.onnx"), device="CPU").run([x])

The graph is converted node by node into Tensor API calls (tinyir/onnx/ops.py holds the one table
from ONNX operator to Tensor calls), so it compiles through the same passes as any tinyir program.
Needs the optional `onnx` package: `pip install tinyir[onnx]`. See docs/onnx.md.
"""

from tinyir.onnx.backend import (
    OnnxError,
    TinyirBackend,
    TinyirBackendRep,
    prepare,
    run_model,
    run_node,
    supports_device,
)
from tinyir.onnx.ops import OPS

__all__ = [
    "OPS",
    "OnnxError",
    "TinyirBackend",
    "TinyirBackendRep",
    "prepare",
    "run_model",
    "run_node",
    "supports_device",
]
