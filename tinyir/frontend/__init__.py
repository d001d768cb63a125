"""The Python Tensor API: `from tinyir import Tensor, dtypes, Device`."""

from tinyir.frontend.dtypes import DType, dtypes
from tinyir.frontend.tensor import Device, Tensor

__all__ = ["Tensor", "dtypes", "DType", "Device"]


def __getattr__(name: str):  # nn (tinyir/frontend/nn/) is written on top of Tensor
    if name == "nn":
        import importlib

        return importlib.import_module("tinyir.frontend.nn")
    raise AttributeError(f"module 'tinyir.frontend' has no attribute {name!r}")
