"""Frontend dtypes: the six element types of tinyir, as tinygrad-like objects, and type promotion.

`dtypes.float32`, `dtypes.float16`, `dtypes.int32`, `dtypes.int8`, `dtypes.uint8`, `dtypes.bool`.
Promotion follows a small lattice (like tinygrad's, restricted to these types):

    bool -> int8 -> int32 -> float16 -> float32
    bool -> uint8 -> int32

the result of mixing two dtypes is the least type reachable from both (int8 + uint8 -> int32).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from tinyir.errors import TensorTypeError


@dataclass(frozen=True)
class DType:
    """One element type: its name, byte size, numpy dtype and tinyir element type name."""

    name: str
    itemsize: int
    np_name: str
    ir_name: str  # "f32", "f16", "i32", "i8", "ui8", "i1" (docs/ir.md)
    fmt: str      # python struct format, for memoryview-like users

    @property
    def np(self) -> np.dtype:
        return np.dtype(self.np_name)

    def is_float(self) -> bool:
        return self.ir_name.startswith("f")

    def is_int(self) -> bool:
        return self.ir_name.startswith(("i", "ui")) and self.ir_name != "i1"

    def is_unsigned(self) -> bool:
        return self.ir_name.startswith("ui")

    def is_bool(self) -> bool:
        return self.ir_name == "i1"

    def __repr__(self) -> str:
        return f"dtypes.{self.name}"


class dtypes:  # noqa: N801 - tinygrad's spelling: `dtypes.float32`
    """Namespace of the frontend dtypes, with tinygrad's helpers."""

    float32 = DType("float32", 4, "float32", "f32", "f")
    float16 = DType("float16", 2, "float16", "f16", "e")
    int32 = DType("int32", 4, "int32", "i32", "i")
    int8 = DType("int8", 1, "int8", "i8", "b")
    uint8 = DType("uint8", 1, "uint8", "ui8", "B")
    bool = DType("bool", 1, "bool", "i1", "?")
    float = float32
    half = float16
    int = int32
    default_float = float32
    default_int = int32

    @staticmethod
    def all() -> tuple[DType, ...]:
        return (dtypes.float32, dtypes.float16, dtypes.int32, dtypes.int8, dtypes.uint8, dtypes.bool)

    @staticmethod
    def is_float(dt: DType) -> bool:
        return dt.is_float()

    @staticmethod
    def is_int(dt: DType) -> bool:
        return dt.is_int()

    @staticmethod
    def is_unsigned(dt: DType) -> bool:
        return dt.is_unsigned()

    @staticmethod
    def from_np(dt: Any) -> DType:
        return from_numpy(np.dtype(dt))

    @staticmethod
    def from_py(x: Any) -> DType:
        return python_dtype(x)


# One step up the promotion lattice for each dtype.
_LATTICE: dict[DType, tuple[DType, ...]] = {
    dtypes.bool: (dtypes.int8, dtypes.uint8),
    dtypes.int8: (dtypes.int32,),
    dtypes.uint8: (dtypes.int32,),
    dtypes.int32: (dtypes.float16,),
    dtypes.float16: (dtypes.float32,),
    dtypes.float32: (),
}
_ORDER = [dtypes.bool, dtypes.int8, dtypes.uint8, dtypes.int32, dtypes.float16, dtypes.float32]


def _upper_set(dt: DType) -> set[DType]:
    out = {dt}
    for parent in _LATTICE[dt]:
        out |= _upper_set(parent)
    return out


def least_upper_dtype(*ds: DType) -> DType:
    """The least dtype every argument promotes to."""
    common = set.intersection(*(_upper_set(d) for d in ds))
    return min(common, key=_ORDER.index)


def least_upper_float(dt: DType) -> DType:
    """`dt` if it is a float type, else the default float (for exp, log, division...)."""
    return dt if dt.is_float() else dtypes.default_float


_BY_NUMPY = {d.np: d for d in _ORDER}
_BY_NAME = {d.name: d for d in _ORDER} | {"float": dtypes.float32, "half": dtypes.float16, "int": dtypes.int32}


def from_numpy(dt: np.dtype) -> DType:
    """The frontend dtype of a numpy dtype (float64 -> float32, int64 -> int32, like tinygrad)."""
    if dt in _BY_NUMPY:
        return _BY_NUMPY[dt]
    if dt.kind == "f":
        return dtypes.float32
    if dt.kind in "iu":
        return dtypes.int32
    if dt.kind == "b":
        return dtypes.bool
    raise TensorTypeError(f"unsupported numpy dtype {dt} (tinyir has {', '.join(d.name for d in _ORDER)})")


def to_dtype(x: Any) -> DType:
    """Accept a DType, its name, a numpy dtype or a python type."""
    if isinstance(x, DType):
        return x
    if isinstance(x, str) and x in _BY_NAME:
        return _BY_NAME[x]
    if x is float:
        return dtypes.float32
    if x is int:
        return dtypes.int32
    if x is bool:
        return dtypes.bool
    try:
        return from_numpy(np.dtype(x))
    except TypeError as exc:
        raise TensorTypeError(f"unknown dtype {x!r}") from exc


def python_dtype(x: Any) -> DType:
    """The dtype a python scalar (or nested list of them) gets: bool, int32 or float32."""
    if isinstance(x, (bool, np.bool_)):
        return dtypes.bool
    if isinstance(x, (int, np.integer)):
        return dtypes.int32
    if isinstance(x, (float, np.floating)):
        return dtypes.float32
    if isinstance(x, (list, tuple)):
        if len(x) == 0:
            return dtypes.float32
        return least_upper_dtype(*(python_dtype(e) for e in x))
    raise TensorTypeError(f"cannot make a tensor from {type(x).__name__}")
