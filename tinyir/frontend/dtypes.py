"""Frontend dtypes: the element types of tinyir as tinygrad-like objects, and type promotion.

`dtypes.bool`, `int8 int16 int32 int64`, `uint8 uint16 uint32 uint64`, `float16 bfloat16 float32
float64`, each with `.min` / `.max` (the least and greatest finite value) and `.np` (its numpy dtype;
bfloat16 is `ml_dtypes.bfloat16`, see tinyir/element_types.py).

Promotion (the dtype of `a + b`) is the least dtype above both in tinygrad's lattice:

    bool -> int8 -> int16 -> int32 -> int64 -> {float16, bfloat16} -> float32 -> float64
    bool -> uint8 -> {int16, uint16};  uint16 -> {int32, uint32};  uint32 -> {int64, uint64}
    uint64 -> {float16, bfloat16}

which is PyTorch's `torch.promote_types` on every pair PyTorch accepts (int8 + uint8 = int16,
int64 + float16 = float16, float16 + bfloat16 = float32); for the pairs PyTorch refuses (uint16,
uint32 or uint64 with a signed type) it gives the lattice's answer (uint32 + int32 = int64,
uint64 + int64 = float16, where float16 is taken before bfloat16 when both are least).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np

from tinyir.element_types import BFLOAT16, float_info
from tinyir.errors import TensorTypeError


@dataclass(frozen=True)
class DType:
    """One element type: its name, byte size, numpy dtype and tinyir element type name."""

    name: str
    itemsize: int
    np_name: str
    ir_name: str  # "f32", "bf16", "i64", "ui16", "i1", ... (docs/ir.md)
    fmt: str      # python struct format, for memoryview-like users ("" where struct has none: bfloat16)

    @property
    def np(self) -> np.dtype:
        return BFLOAT16 if self.np_name == "bfloat16" else np.dtype(self.np_name)

    def is_float(self) -> bool:
        return self.ir_name.startswith(("f", "bf"))

    def is_int(self) -> bool:
        return self.ir_name.startswith(("i", "ui")) and self.ir_name != "i1"

    def is_unsigned(self) -> bool:
        return self.ir_name.startswith("ui")

    def is_bool(self) -> bool:
        return self.ir_name == "i1"

    @property
    def min(self) -> bool | int | float:
        """The least value (finite for floats: -max), as tinygrad's `dtypes.min`."""
        if self.is_bool():
            return False
        if self.is_int():
            return int(np.iinfo(self.np).min)
        return float(-_finfo_max(self))

    @property
    def max(self) -> bool | int | float:
        """The greatest value (finite for floats), as tinygrad's `dtypes.max`."""
        if self.is_bool():
            return True
        if self.is_int():
            return int(np.iinfo(self.np).max)
        return float(_finfo_max(self))

    def __repr__(self) -> str:
        return f"dtypes.{self.name}"


def _finfo_max(dt: DType) -> float:
    return float(float_info(dt.np).max)


class dtypes:  # noqa: N801 - tinygrad's spelling: `dtypes.float32`
    """Namespace of the frontend dtypes, with tinygrad's helpers."""

    float64 = DType("float64", 8, "float64", "f64", "d")
    float32 = DType("float32", 4, "float32", "f32", "f")
    float16 = DType("float16", 2, "float16", "f16", "e")
    bfloat16 = DType("bfloat16", 2, "bfloat16", "bf16", "")
    int64 = DType("int64", 8, "int64", "i64", "q")
    int32 = DType("int32", 4, "int32", "i32", "i")
    int16 = DType("int16", 2, "int16", "i16", "h")
    int8 = DType("int8", 1, "int8", "i8", "b")
    uint64 = DType("uint64", 8, "uint64", "ui64", "Q")
    uint32 = DType("uint32", 4, "uint32", "ui32", "I")
    uint16 = DType("uint16", 2, "uint16", "ui16", "H")
    uint8 = DType("uint8", 1, "uint8", "ui8", "B")
    bool = DType("bool", 1, "bool", "i1", "?")
    float = float32
    half = float16
    double = float64
    int = int32
    long = int64
    short = int16
    char = int8
    uchar = uint8
    ushort = uint16
    uint = uint32
    ulong = uint64
    default_float = float32
    default_int = int32

    @staticmethod
    def all() -> tuple[DType, ...]:
        return tuple(_ORDER)

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
    def min(dt: DType) -> Any:
        return dt.min

    @staticmethod
    def max(dt: DType) -> Any:
        return dt.max

    @staticmethod
    def from_np(dt: Any) -> DType:
        return from_numpy(np.dtype(dt))

    @staticmethod
    def from_py(x: Any) -> DType:
        return python_dtype(x)


# The steps up the promotion lattice from each dtype (tinygrad's lattice, without fp8).
_LATTICE: dict[DType, tuple[DType, ...]] = {
    dtypes.bool: (dtypes.int8, dtypes.uint8),
    dtypes.int8: (dtypes.int16,),
    dtypes.int16: (dtypes.int32,),
    dtypes.int32: (dtypes.int64,),
    dtypes.int64: (dtypes.float16, dtypes.bfloat16),
    dtypes.uint8: (dtypes.int16, dtypes.uint16),
    dtypes.uint16: (dtypes.int32, dtypes.uint32),
    dtypes.uint32: (dtypes.int64, dtypes.uint64),
    dtypes.uint64: (dtypes.float16, dtypes.bfloat16),
    dtypes.float16: (dtypes.float32,),
    dtypes.bfloat16: (dtypes.float32,),
    dtypes.float32: (dtypes.float64,),
    dtypes.float64: (),
}
# low to high; among two least candidates the earlier wins (float16 before bfloat16)
_ORDER = [dtypes.bool, dtypes.int8, dtypes.uint8, dtypes.int16, dtypes.uint16, dtypes.int32, dtypes.uint32,
          dtypes.int64, dtypes.uint64, dtypes.float16, dtypes.bfloat16, dtypes.float32, dtypes.float64]


@functools.cache
def _upper_set(dt: DType) -> frozenset[DType]:
    out = {dt}
    for parent in _LATTICE[dt]:
        out |= _upper_set(parent)
    return frozenset(out)


def least_upper_dtype(*ds: DType) -> DType:
    """The least dtype every argument promotes to."""
    common = frozenset.intersection(*(_upper_set(d) for d in ds))
    return min(common, key=_ORDER.index)


def least_upper_float(dt: DType) -> DType:
    """`dt` if it is a float type, else the default float (for exp, log, division...)."""
    return dt if dt.is_float() else dtypes.default_float


_BY_NUMPY = {d.np: d for d in _ORDER}
_BY_NAME = {d.name: d for d in _ORDER} | {name: getattr(dtypes, name) for name in (
    "float", "half", "double", "int", "long", "short", "char", "uchar", "ushort", "uint", "ulong")}


def from_numpy(dt: np.dtype) -> DType:
    """The frontend dtype of a numpy dtype, kept as it is (float64 stays float64, int64 stays int64,
    as in PyTorch and tinygrad); bfloat16 is ml_dtypes'."""
    dt = np.dtype(dt)
    if dt.byteorder not in "=|" and dt.newbyteorder("=") in _BY_NUMPY:
        dt = dt.newbyteorder("=")
    if dt in _BY_NUMPY:
        return _BY_NUMPY[dt]
    raise TensorTypeError(f"unsupported numpy dtype {dt} (tinyir has {', '.join(d.name for d in _ORDER)})")


def to_dtype(x: Any) -> DType:
    """Accept a DType, its name, a numpy dtype or a python type."""
    if isinstance(x, DType):
        return x
    if isinstance(x, str) and x in _BY_NAME:
        return _BY_NAME[x]
    if x is float:
        return dtypes.default_float
    if x is int:
        return dtypes.default_int
    if x is bool:
        return dtypes.bool
    try:
        return from_numpy(np.dtype(x))
    except TypeError as exc:
        raise TensorTypeError(f"unknown dtype {x!r}") from exc


def python_dtype(x: Any) -> DType:
    """The dtype a python scalar (or nested list of them) gets: bool, int32 (int64 for an int past
    int32's range, uint64 past int64's), float32; a numpy scalar keeps its dtype."""
    if isinstance(x, np.generic) and x.dtype in _BY_NUMPY:
        return _BY_NUMPY[x.dtype]
    if isinstance(x, (bool, np.bool_)):
        return dtypes.bool
    if isinstance(x, (int, np.integer)):
        for dt in (dtypes.int32, dtypes.int64, dtypes.uint64):
            if dt.min <= int(x) <= dt.max:
                return dt
        return dtypes.int32  # past 64 bits: the array conversion names the element that does not fit
    if isinstance(x, (float, np.floating)):
        return dtypes.default_float
    if isinstance(x, (list, tuple)):
        if len(x) == 0:
            return dtypes.default_float
        return least_upper_dtype(*(python_dtype(e) for e in x))
    raise TensorTypeError(f"cannot make a tensor from {type(x).__name__}")
