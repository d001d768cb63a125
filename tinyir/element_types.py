"""Element types of tinyir and their numpy counterparts.

tinyir has six element types: `f32`, `f16`, `i32`, `i8`, `ui8` and `i1` (bool). This module maps
them to numpy dtypes and back, and names their classes (float / int / bool) for verifiers.
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import Float16Type, Float32Type, IntegerType, Signedness, f16, f32, i1, i8, i32
from xdsl.ir import Attribute

ui8 = IntegerType(8, Signedness.UNSIGNED)

# element type -> numpy dtype, in the order of the docs
_TO_NUMPY: dict[Attribute, np.dtype] = {
    f32: np.dtype(np.float32),
    f16: np.dtype(np.float16),
    i32: np.dtype(np.int32),
    i8: np.dtype(np.int8),
    ui8: np.dtype(np.uint8),
    i1: np.dtype(np.bool_),
}
_FROM_NUMPY: dict[np.dtype, Attribute] = {v: k for k, v in _TO_NUMPY.items()}

ELEMENT_TYPES: tuple[Attribute, ...] = tuple(_TO_NUMPY)
FLOAT_TYPES: tuple[Attribute, ...] = (f32, f16)
INT_TYPES: tuple[Attribute, ...] = (i32, i8, ui8)
BOOL_TYPES: tuple[Attribute, ...] = (i1,)


def numpy_dtype(element_type: Attribute) -> np.dtype:
    """The numpy dtype of a tinyir element type (`f32` -> float32, `i1` -> bool, ...)."""
    try:
        return _TO_NUMPY[element_type]
    except KeyError:
        raise ValueError(f"unsupported element type {element_type}; tinyir has f32, f16, i32, i8, ui8, i1") from None


def element_type(dtype: np.dtype | type | str) -> Attribute:
    """The tinyir element type of a numpy dtype (float32 -> `f32`, bool -> `i1`, ...)."""
    dt = np.dtype(dtype)
    try:
        return _FROM_NUMPY[dt]
    except KeyError:
        raise ValueError(f"unsupported numpy dtype {dt}; tinyir has float32, float16, int32, int8, uint8, bool") from None


def is_float(t: Attribute) -> bool:
    return isinstance(t, (Float32Type, Float16Type))


def is_bool(t: Attribute) -> bool:
    return t == i1


def is_int(t: Attribute) -> bool:
    """An integer type that is not bool (i32, i8, ui8)."""
    return isinstance(t, IntegerType) and t != i1


def is_unsigned(t: Attribute) -> bool:
    return isinstance(t, IntegerType) and t.signedness.data == Signedness.UNSIGNED


def bit_width(t: Attribute) -> int:
    """Storage width in bits (i1 counts as 8, as it is stored in a byte)."""
    return numpy_dtype(t).itemsize * 8
