"""Element types of tinyir and their numpy counterparts.

tinyir has thirteen element types: floats `f64`, `f32`, `f16`, `bf16`; signed integers `i64`, `i32`,
`i16`, `i8`; unsigned integers `ui64`, `ui32`, `ui16`, `ui8`; and `i1` (bool). This module maps
them to numpy dtypes and back, and names their classes (float / int / bool) for verifiers.

bf16 on the host: numpy has no bfloat16, so tinyir uses `ml_dtypes.bfloat16` (a numpy dtype of
kind "V", 2 bytes, whose conversions to and from float32 round to nearest even). Host arrays of a
bf16 tensor have that dtype; `x.view(np.uint16)` gives the bits. Arithmetic on bf16 is done in f32
and rounded to bf16 after every op, on every device (docs/ir.md, "Element types").
"""

from __future__ import annotations

import ml_dtypes
import numpy as np
from xdsl.dialects.builtin import (BFloat16Type, Float16Type, Float32Type, Float64Type, IntegerType, Signedness, bf16,
                                   f16, f32, f64, i1, i8, i16, i32, i64)
from xdsl.ir import Attribute

ui8 = IntegerType(8, Signedness.UNSIGNED)
ui16 = IntegerType(16, Signedness.UNSIGNED)
ui32 = IntegerType(32, Signedness.UNSIGNED)
ui64 = IntegerType(64, Signedness.UNSIGNED)

#: numpy's dtype for bf16 values on the host (ml_dtypes)
BFLOAT16 = np.dtype(ml_dtypes.bfloat16)

# element type -> numpy dtype, in the order of the docs
_TO_NUMPY: dict[Attribute, np.dtype] = {
    f32: np.dtype(np.float32),
    f16: np.dtype(np.float16),
    i32: np.dtype(np.int32),
    i8: np.dtype(np.int8),
    ui8: np.dtype(np.uint8),
    i1: np.dtype(np.bool_),
    f64: np.dtype(np.float64),
    bf16: BFLOAT16,
    i64: np.dtype(np.int64),
    i16: np.dtype(np.int16),
    ui16: np.dtype(np.uint16),
    ui32: np.dtype(np.uint32),
    ui64: np.dtype(np.uint64),
}
_FROM_NUMPY: dict[np.dtype, Attribute] = {v: k for k, v in _TO_NUMPY.items()}
_NAMES = ", ".join(str(t) for t in _TO_NUMPY)
#: the element type names, for error messages
TYPE_NAMES = _NAMES

ELEMENT_TYPES: tuple[Attribute, ...] = tuple(_TO_NUMPY)
FLOAT_TYPES: tuple[Attribute, ...] = (f32, f16, f64, bf16)
INT_TYPES: tuple[Attribute, ...] = (i32, i8, ui8, i64, i16, ui16, ui32, ui64)
BOOL_TYPES: tuple[Attribute, ...] = (i1,)
#: the element types that exist before tinyir widened its set (every target has these)
BASE_TYPES: tuple[Attribute, ...] = (f32, f16, i32, i8, ui8, i1)


def numpy_dtype(element_type: Attribute) -> np.dtype:
    """The numpy dtype of a tinyir element type (`f32` -> float32, `i1` -> bool, `bf16` -> ml_dtypes.bfloat16)."""
    try:
        return _TO_NUMPY[element_type]
    except KeyError:
        raise ValueError(f"unsupported element type {element_type}; tinyir has {_NAMES}") from None


def element_type(dtype: np.dtype | type | str) -> Attribute:
    """The tinyir element type of a numpy dtype (float32 -> `f32`, bool -> `i1`, ...)."""
    dt = np.dtype(dtype)
    try:
        return _FROM_NUMPY[dt]
    except KeyError:
        raise ValueError(f"unsupported numpy dtype {dt}; tinyir has "
                         f"{', '.join(d.name for d in _TO_NUMPY.values())}") from None


def is_float(t: Attribute) -> bool:
    return isinstance(t, (Float32Type, Float16Type, Float64Type, BFloat16Type))


def is_bool(t: Attribute) -> bool:
    return t == i1


def is_int(t: Attribute) -> bool:
    """An integer type that is not bool (i64 .. i8, ui64 .. ui8)."""
    return isinstance(t, IntegerType) and t != i1


def is_unsigned(t: Attribute) -> bool:
    return isinstance(t, IntegerType) and t.signedness.data == Signedness.UNSIGNED


def bit_width(t: Attribute) -> int:
    """Storage width in bits (i1 counts as 8, as it is stored in a byte)."""
    return numpy_dtype(t).itemsize * 8


def float_info(dt: np.dtype | type) -> np.finfo:
    """The limits of a float dtype (numpy's `finfo`), bfloat16's included: ml_dtypes' finfo knows
    its own types, which numpy 2.5's `finfo` refuses ("not compatible with finfo")."""
    return ml_dtypes.finfo(dt)


def is_float_dtype(dt: np.dtype) -> bool:
    """A numpy float dtype, bfloat16 included (its kind is "V", not "f")."""
    return dt.kind == "f" or dt == BFLOAT16


def compute_dtype(dt: np.dtype) -> np.dtype:
    """The numpy dtype arithmetic on `dt` runs in: float32 for bfloat16 (rounded back after each
    op), `dt` itself otherwise."""
    return np.dtype(np.float32) if dt == BFLOAT16 else dt


def dtype_token(dt: np.dtype) -> str:
    """A string that `np.dtype` reads back as `dt` (a plan on disk): `dt.str`, but "bfloat16" for
    bf16, whose `.str` is only "|V2"."""
    return "bfloat16" if dt == BFLOAT16 else dt.str
