"""Every elementwise Tensor op on every dtype over a grid of edge values (NaN, +-inf, -0.0, subnormals,
the integer limits), against PyTorch, on the CPU.

test_alu_conformance checks the ALU table's ops one by one; this checks what the frontend builds on
them (<= and >= were `not >` and `not <`, true next to a NaN; float // rounded the quotient before its
floor; x / subnormal was NaN). Where PyTorch leaves a result undefined or refuses (integer division by
zero, shifts past the width, float -> int out of range) the case is left out: README's ALU semantics
define tinyir's answer there, and test_alu_conformance checks it.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from tinyir import Tensor, dtypes

FLOAT_EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 7.0, 0.1, -0.7, np.inf, -np.inf, np.nan, 1e-40, -1e-45, 3e38,
               65504.0, 1e-7]
TYPES = {"float32": (torch.float32, dtypes.float32), "float16": (torch.float16, dtypes.float16),
         "bfloat16": (torch.bfloat16, dtypes.bfloat16), "int8": (torch.int8, dtypes.int8),
         "uint8": (torch.uint8, dtypes.uint8), "int16": (torch.int16, dtypes.int16),
         "int32": (torch.int32, dtypes.int32), "int64": (torch.int64, dtypes.int64), "bool": (torch.bool, dtypes.bool)}
FLOATS = ("float32", "float16", "bfloat16")


def _edges(name: str) -> torch.Tensor:
    tt = TYPES[name][0]
    if name == "bool":
        return torch.tensor([False, True])
    if name in FLOATS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return torch.tensor(FLOAT_EDGES, dtype=torch.float32).to(tt)
    info = torch.iinfo(tt)
    values = {0, 1, -1, 2, -7, 7, 3, info.min, info.max, info.min + 1, info.max - 1}
    return torch.tensor(sorted(v for v in values if info.min <= v <= info.max), dtype=tt)


def _tiny(t: torch.Tensor) -> Tensor:
    if t.dtype == torch.bfloat16:
        return Tensor(t.float().numpy()).cast(dtypes.bfloat16)
    return Tensor(t.numpy())


def _np(x) -> np.ndarray:
    if isinstance(x, Tensor):
        return (x.cast(dtypes.float32) if x.dtype == dtypes.bfloat16 else x).numpy()
    return (x.float() if x.dtype == torch.bfloat16 else x).numpy()


def _check(got: Tensor, want: torch.Tensor, keep: np.ndarray | None, rtol: float, what: str,
           signed_zero: bool = True) -> None:
    want_dtype = TYPES[str(want.dtype).removeprefix("torch.")][1]
    assert got.dtype == want_dtype, f"{what}: dtype {got.dtype} != torch's {want.dtype}"
    g, w = _np(got), _np(want)
    if keep is not None:
        g, w = g[keep], w[keep]
    if g.dtype.kind != "f":
        np.testing.assert_array_equal(g, w, err_msg=what)
        return
    nan = np.isnan(w)
    np.testing.assert_array_equal(np.isnan(g), nan, err_msg=f"{what}: NaN where torch's is not, or not where it is")
    g, w = g[~nan], w[~nan]
    if rtol == 0:
        np.testing.assert_array_equal(g, w, err_msg=what)
        if signed_zero:
            np.testing.assert_array_equal(np.signbit(g), np.signbit(w), err_msg=f"{what}: sign of zero")
    else:
        np.testing.assert_allclose(g, w, rtol=rtol, atol=rtol * 1e-30, err_msg=what)


EXACT_BINARY = {
    "add": lambda x, y: x + y, "sub": lambda x, y: x - y, "mul": lambda x, y: x * y,
    "lt": lambda x, y: x < y, "le": lambda x, y: x <= y, "gt": lambda x, y: x > y, "ge": lambda x, y: x >= y,
    "eq": lambda x, y: x == y, "ne": lambda x, y: x != y,
    "maximum": lambda x, y: x.maximum(y), "minimum": lambda x, y: x.minimum(y),
    "and": lambda x, y: x & y, "or": lambda x, y: x | y, "xor": lambda x, y: x ^ y,
    "floordiv": lambda x, y: x // y, "remainder": lambda x, y: x % y, "fmod": lambda x, y: x.fmod(y),
    "truncdiv": lambda x, y: x.div(y, rounding_mode="trunc"), "div": lambda x, y: x / y,
    "where": lambda x, y: (x > y).where(x, y) if isinstance(x, Tensor) else torch.where(x > y, x, y),
    "logical_xor": lambda x, y: x.logical_xor(y),
}
ROUNDED = {"div"}  # correctly rounded by PyTorch, x * recip(y) by tinyir: one ulp apart at most


def _undefined(name: str, dt: str, a: torch.Tensor, b: torch.Tensor) -> np.ndarray | None:
    """Elements where PyTorch has no defined answer to compare with (None: every element counts)."""
    if dt in FLOATS:
        if name in ("fmod", "remainder"):  # PyTorch's CPU kernel: a - trunc(a/b)*b, NaN where a/b overflows
            with np.errstate(all="ignore"):
                fa, fb = a.float().numpy(), b.float().numpy()
                return ~(np.isinf(fa / fb) & np.isfinite(fa) & (fb != 0))
        if name in ("floordiv", "truncdiv"):
            # x * recip(y) is within an ulp of PyTorch's correctly rounded quotient, which from 2**22 on
            # (ulp 0.5) can be on either side of a whole number: / checks that ulp, with a tolerance
            with np.errstate(all="ignore"):
                q = np.abs(a.double().numpy() / b.double().numpy())
            return ~(q >= 2.0**22) | ~np.isfinite(q)
        return None
    if name in ("floordiv", "remainder", "fmod", "truncdiv"):  # x / 0, and MIN / -1 (SIGFPE in PyTorch)
        return ((b != 0) & ~((a == torch.iinfo(a.dtype).min) & (b == -1))).numpy() if dt != "bool" else None
    return None


def _pairs(dt: str) -> tuple[torch.Tensor, torch.Tensor]:
    v = _edges(dt)
    return v.repeat_interleave(v.numel()), v.repeat(v.numel())


@pytest.mark.parametrize("dt", list(TYPES))
def test_binary_ops_on_edge_values_match_torch(dt):
    a, b = _pairs(dt)
    x, y = _tiny(a), _tiny(b)
    failures = []
    for name, fn in EXACT_BINARY.items():
        if dt == "bool" and name in ("sub", "floordiv", "remainder", "fmod", "truncdiv", "div"):
            continue
        if dt in FLOATS and name in ("and", "or", "xor"):
            continue
        keep = _undefined(name, dt, a, b)
        tb = b if keep is None or dt in FLOATS else torch.where(torch.tensor(keep), b, torch.ones_like(b))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want = fn(a, tb)
        rtol = {"float16": 1e-3, "bfloat16": 8e-3}.get(dt, 2e-7) if name in ROUNDED else 0
        try:  # PyTorch's maximum(0.0, -0.0) is -0.0; the ALU table's is IEEE 754-2019's +0.0
            _check(fn(x, y), want, keep, rtol, f"{name} {dt}", signed_zero=name not in ("maximum", "minimum"))
        except AssertionError as e:
            failures.append(str(e))
    assert not failures, "\n".join(failures)


UNARY = {
    "neg": (lambda x: -x, 0), "abs": (lambda x: x.abs(), 0), "sign": (lambda x: x.sign(), 0),
    "floor": (lambda x: x.floor(), 0), "ceil": (lambda x: x.ceil(), 0), "trunc": (lambda x: x.trunc(), 0),
    "round": (lambda x: x.round(), 0), "relu": (lambda x: x.relu(), 0), "isnan": (lambda x: x.isnan(), 0),
    "isinf": (lambda x: x.isinf(), 0), "isfinite": (lambda x: x.isfinite(), 0),
    "logical_not": (lambda x: x.logical_not(), 0), "square": (lambda x: x.square(), 0),
    "clamp": (lambda x: x.clamp(-1, 2), 0), "bitwise_not": (lambda x: ~x, 0),
    "exp": (lambda x: x.exp(), 2e-6), "log": (lambda x: x.log(), 2e-6), "sqrt": (lambda x: x.sqrt(), 2e-7),
    "sigmoid": (lambda x: x.sigmoid(), 2e-6), "tanh": (lambda x: x.tanh(), 2e-6),
    "reciprocal": (lambda x: x.reciprocal(), 2e-7),
}


@pytest.mark.parametrize("dt", list(TYPES))
def test_unary_ops_on_edge_values_match_torch(dt):
    a = _edges(dt)
    x = _tiny(a)
    failures = []
    for name, (fn, rtol) in UNARY.items():
        if dt in FLOATS and name == "bitwise_not":
            continue
        if dt not in FLOATS and (rtol or name in ("floor", "ceil", "trunc", "round", "isnan", "isinf", "isfinite")):
            continue  # PyTorch's integer rounding and transcendentals differ in dtype, not values
        if dt == "bool" and name in ("neg", "abs", "sign", "square", "clamp", "relu"):
            continue
        if dt in ("float16", "bfloat16") and rtol:  # computed in float32, rounded once (as PyTorch)
            rtol = {"float16": 1e-3, "bfloat16": 8e-3}[dt]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want = fn(a)
        try:
            _check(fn(x), want, None, rtol, f"{name} {dt}", signed_zero=name != "relu")  # PyTorch: relu(-0.0) = -0.0
        except AssertionError as e:
            failures.append(str(e))
    assert not failures, "\n".join(failures)
