"""Checks of Tensor API arguments. A bad one is a `TensorArgumentError` (tinyir/errors.py) naming the
call and the argument, raised before anything is built or allocated: never Python's or numpy's
message from deep inside, never a silently changed value (a float size truncated, an int64 wrapped)."""

from __future__ import annotations

import functools
import math
import operator
import os
from typing import Any

import numpy as np

from tinyir.errors import TensorTypeError, TensorValueError

WIDEST_INT = np.iinfo(np.int64)  # tinyir's widest signed integer type (DTYPES: uint64 reaches 2**64 - 1)


def int_arg(value: Any, opname: str, what: str) -> int:
    """An integer argument (int, numpy integer, anything with __index__); a float is an error, not
    truncated (reshape(6.5, 2) must not become reshape(6, 2))."""
    try:
        return operator.index(value)
    except TypeError:
        raise TensorTypeError(f"{opname}: {what} must be an int, got {value!r} ({type(value).__name__})") from None


def shape_arg(shape: Any, opname: str) -> tuple[int, ...]:
    """A shape: ints, none negative. A lazy shape may be huge (a 2^32-element expand that is summed
    allocates nothing); what a buffer may hold is checked where it is allocated (`check_allocatable`).
    A kernel whose indices pass 2**31 - 1 computes them in 64 bits (st_to_loop's `needs_wide_index`)."""
    if not isinstance(shape, (tuple, list)):
        raise TensorTypeError(f"{opname}: shape must be a tuple of ints, got {shape!r} ({type(shape).__name__})")
    out = tuple(int_arg(s, opname, f"size {i} of shape {tuple(shape)}") for i, s in enumerate(shape))
    for s in out:
        if s < 0:
            raise TensorValueError(f"{opname}: shape {out} has a negative size {s}")
    return out


def axis_arg(axis: Any, opname: str) -> int:
    return int_arg(axis, opname, "axis")


def check_allocatable(shape: tuple[int, ...], itemsize: int, opname: str) -> None:
    """A tensor about to be given memory: its bytes must fit the host's memory (every buffer passes
    through it on download). More than 2**31 - 1 elements is fine: its kernels index in 64 bits."""
    count = math.prod(shape)
    memory = _host_memory()
    if memory is not None and count * itemsize > memory:
        raise TensorValueError(f"{opname}: a tensor of shape {shape} needs {count * itemsize / 2**30:.1f} GiB, more "
                               f"than this host's {memory / 2**30:.1f} GiB of memory")


@functools.cache
def _host_memory() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not a POSIX host: no bound known
        return None


def nested_data_error(data: Any, np_dtype: np.dtype, opname: str = "Tensor") -> Exception:
    """Why a nested list does not make an array of `np_dtype` (numpy refused it): a ragged level, an
    element that is not a number, or an integer the dtype cannot hold. Names where."""
    def walk(x: Any, where: tuple[int, ...]) -> tuple[int, ...]:
        if isinstance(x, (list, tuple)):
            shapes = [walk(e, (*where, i)) for i, e in enumerate(x)]
            for i, s in enumerate(shapes[1:], 1):
                if s != shapes[0]:
                    raise TensorValueError(f"{opname}: the nested list is ragged: element {_at((*where, 0))} has "
                                           f"shape {shapes[0]} but element {_at((*where, i))} has shape {s}")
            return (len(x), *(shapes[0] if shapes else ()))
        if isinstance(x, (bool, np.bool_, float, np.floating)):
            return ()
        if isinstance(x, (int, np.integer)):
            check_int_fits(int(x), np_dtype, f"{opname}: element {_at(where)}")
            return ()
        if isinstance(x, np.ndarray):
            return x.shape
        raise TensorTypeError(f"{opname}: element {_at(where)} is a {type(x).__name__}, not a number")

    try:
        walk(data, ())
    except (TensorValueError, TensorTypeError) as exc:
        return exc
    return TensorValueError(f"{opname}: cannot make a {np.dtype(np_dtype).name} tensor from the data")


def _at(where: tuple[int, ...]) -> str:
    return "".join(f"[{i}]" for i in where) or "(the data)"


def check_int_fits(value: int, np_dtype: np.dtype, what: str) -> None:
    """An integer must fit the integer dtype it goes into (no silent wrap); the message names the
    dtype it needs (int64 or uint64), or says that it needs more than 64 bits."""
    dt = np.dtype(np_dtype)
    if dt.kind not in "iu":
        return
    info = np.iinfo(dt)
    if info.min <= value <= info.max:
        return
    need = "more than 64 bits"  # DTYPES: int64/uint64 hold the rest
    if WIDEST_INT.min <= value <= WIDEST_INT.max or 0 <= value < 2**64:
        need = f"a wider type than {dt.name} (range {info.min} .. {info.max}): int64 or uint64"
    raise TensorValueError(f"{what}: the integer {value} does not fit {dt.name}; it needs {need}")


def check_array_fits(array: np.ndarray, np_dtype: np.dtype, opname: str = "Tensor") -> None:
    """Integer data narrowed to a smaller integer dtype (int64 -> int32) must keep every value."""
    src, dst = array.dtype, np.dtype(np_dtype)
    if src.kind not in "iu" or dst.kind not in "iu" or array.size == 0 or np.can_cast(src, dst, "safe"):
        return
    low, high = int(array.min()), int(array.max())
    bad = low if low < np.iinfo(dst).min else high
    check_int_fits(bad, dst, f"{opname}: {src.name} data")
