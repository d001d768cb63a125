"""fmod and float remainder exact on every device (the ALU table's `fmod`), bit for bit with PyTorch,
and the PTX long-division algorithm (tinyir/targets/ptx/fmod.py) checked against numpy's fmod."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from tinyir import Tensor, dtypes
from tinyir.targets.ptx.fmod import PLANS, exact_model

DEVICES = ["cpu", "opencl", "reference", "c"]
EDGES = [0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 0.1, 5.3, -5.3, 3e38, -3e38, 1e-45, -1e-45, 1e-40,
         1.1754944e-38, 2.0**31, 1e12, 7.0, -2.5, 3.7, 16777217.0, 2.0**-126, 65504.0]


def _values(dtype, n: int, seed: int) -> np.ndarray:
    """The edges and random values over the whole exponent range of `dtype`."""
    rng = np.random.default_rng(seed)
    info = np.finfo(dtype)
    exponents = rng.integers(info.minexp - info.nmant, info.maxexp, n)
    with np.errstate(over="ignore", under="ignore"):
        spread = (rng.uniform(1, 2, n) * np.exp2(exponents.astype(np.float64)) * rng.choice([-1, 1], n))
        return np.concatenate([np.array(EDGES, np.float64), spread]).astype(dtype)


def _pairs(dtype, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    v = _values(dtype, n, seed)
    return np.repeat(v, v.size), np.tile(v, v.size)


def _same_bits(got: np.ndarray, want: np.ndarray) -> None:
    """Equal to the bit (-0 is not 0), any NaN for a NaN."""
    nan = np.isnan(want.astype(np.float64))
    assert np.array_equal(np.isnan(got.astype(np.float64)), nan)
    bits = np.dtype(f"u{got.dtype.itemsize}")
    mismatch = np.flatnonzero(got[~nan].view(bits) != want[~nan].view(bits))
    assert mismatch.size == 0, [(x, w) for x, w in zip(got[~nan][mismatch][:5], want[~nan][mismatch][:5])]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_ptx_algorithm_is_exact(dtype):
    """The PTX steps, run in Python with every fma checked to be exact, give numpy's fmod."""
    a, b = _pairs(dtype, 24 if dtype == np.float64 else 36)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = np.fmod(a, b)
        got = np.array([exact_model(x, y, dtype) for x, y in zip(a, b)], dtype)
    _same_bits(got, want)


def test_ptx_plan_spans_every_quotient():
    """Steps x bits cover the quotient of the largest value by the smallest subnormal."""
    for ty, dtype in (("f32", np.float32), ("f64", np.float64)):
        info, plan = np.finfo(dtype), PLANS[ty]
        assert plan.bits == info.nmant
        assert plan.bits * plan.steps >= info.maxexp - (info.minexp - info.nmant)
    assert (PLANS["f32"].steps, PLANS["f64"].steps) == (13, 41)


def _torch_comparable(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Where PyTorch's CPU kernel gives C's fmod: it computes a - trunc(a/b)*b, which is NaN where a/b
    overflows the type (C, numpy and tinyir give the exact remainder there)."""
    with np.errstate(all="ignore"):
        return ~(np.isinf(a / b) & np.isfinite(a) & (b != 0))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [np.float32, np.float16, np.float64])
def test_fmod_and_remainder_are_exact_to_the_bit(device, dtype):
    """C's fmod (numpy's) everywhere; PyTorch's fmod and remainder wherever its quotient is finite."""
    a, b = _pairs(dtype, 12, seed=1)
    x, y = Tensor(a, device=device), Tensor(b, device=device)
    fmod, remainder = x.fmod(y).numpy(), (x % y).numpy()
    with np.errstate(all="ignore"):
        _same_bits(fmod, np.fmod(a, b))
    keep = _torch_comparable(a, b)
    ta, tb = torch.tensor(a[keep]), torch.tensor(b[keep])
    _same_bits(fmod[keep], torch.fmod(ta, tb).numpy())
    _same_bits(remainder[keep], torch.remainder(ta, tb).numpy())


@pytest.mark.parametrize("device", DEVICES)
def test_issue_example_fmod_5_3_by_0_1(device):
    got = Tensor([5.3], device=device).fmod(0.1).numpy()
    assert got[0] == torch.fmod(torch.tensor([5.3]), 0.1).item() == np.float32(1.1175871e-07)
    assert (Tensor([-5.3], device=device) % 0.1).item() == torch.remainder(torch.tensor([-5.3]), 0.1).item()


def test_bfloat16_fmod_is_the_exact_f32_one():
    a, b = _pairs(np.float32, 8, seed=2)
    x = Tensor(a).cast(dtypes.bfloat16)
    y = Tensor(b).cast(dtypes.bfloat16)
    ta, tb = torch.tensor(a).bfloat16(), torch.tensor(b).bfloat16()
    got = x.fmod(y).cast(dtypes.float32).numpy()
    keep = _torch_comparable(ta.float().numpy(), tb.float().numpy())
    _same_bits(got[keep], torch.fmod(ta, tb).float().numpy()[keep])


@pytest.mark.parametrize("device", ["cpu", "opencl"])
def test_gradients_are_torchs(device):
    a = np.array([5.3, -5.3, 7.5, -7.5, 1e6, 0.3], np.float32)
    b = np.array([0.1, 2.0, -2.0, 2.0, 3.0, 0.7], np.float32)
    for tiny_fn, torch_fn in ((lambda x, y: x.fmod(y), torch.fmod), (lambda x, y: x % y, torch.remainder)):
        x, y = Tensor(a, device=device, requires_grad=True), Tensor(b, device=device, requires_grad=True)
        gx, gy = tiny_fn(x, y).sum().gradient(x, y)
        tx, ty = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
        torch_fn(tx, ty).sum().backward()
        np.testing.assert_array_equal(gx.numpy(), tx.grad.numpy())
        np.testing.assert_array_equal(gy.numpy(), ty.grad.numpy())


@pytest.mark.parametrize("device", DEVICES)
def test_float_floor_division_floors_the_exact_quotient(device):
    """`//` on floats is PyTorch's (and Python's): 1.0 // 0.1 is 9, not floor(1.0 / 0.1) = 10. Inputs where
    PyTorch's own rounding of a huge or half-precision quotient could differ by one ulp are left out."""
    v = np.array([0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 0.1, 0.7, 7.0, -7.0, 5.3, -5.3, -2.5, 3.7, 0.3,
                  -0.3, 1e-3], np.float32)
    a, b = np.repeat(v, v.size), np.tile(v, v.size)
    for dtype in (np.float32, np.float64):
        got = (Tensor(a.astype(dtype), device=device) // Tensor(b.astype(dtype), device=device)).numpy()
        _same_bits(got, (torch.tensor(a.astype(dtype)) // torch.tensor(b.astype(dtype))).numpy())
    x = Tensor(a, device=device).cast(dtypes.bfloat16) // Tensor(b, device=device).cast(dtypes.bfloat16)
    _same_bits(x.cast(dtypes.float32).numpy(), (torch.tensor(a).bfloat16() // torch.tensor(b).bfloat16()).float().numpy())
    assert (Tensor([1.0, -1.0], device=device) // 0.1).tolist() == [1.0 // 0.1, -1.0 // 0.1] == [9.0, -10.0]


@pytest.mark.parametrize("device", DEVICES)
def test_half_precision_division_rounds_as_torch(device):
    """/ is the correctly rounded quotient in float16 and bfloat16 (float32's rounded once), so /, trunc
    division and // (each step rounded to the dtype, PyTorch's way) agree with PyTorch to the bit.
    OpenCL's float16 is storage only: a chain of ops rounds once at its end, so its // is left out."""
    rng = np.random.default_rng(0)
    a, b = rng.uniform(-3000, 3000, 4000).astype(np.float16), rng.uniform(0.3, 3, 4000).astype(np.float16)
    a[:50] *= np.float16(0.001)
    b[50:100] *= np.float16(0.001)
    cases = [("div", lambda x, y: x / y), ("trunc", lambda x, y: x.div(y, rounding_mode="trunc")),
             ("floor", lambda x, y: x // y)]
    for name, fn in cases:
        x, y = Tensor(a, device=device), Tensor(b, device=device)
        if not (device == "opencl" and name == "floor"):
            np.testing.assert_array_equal(fn(x, y).numpy(), fn(torch.tensor(a), torch.tensor(b)).numpy())
        got = fn(x.cast(dtypes.bfloat16), y.cast(dtypes.bfloat16)).cast(dtypes.float32).numpy()
        np.testing.assert_array_equal(got, fn(torch.tensor(a).bfloat16(), torch.tensor(b).bfloat16()).float().numpy())


def test_float_floor_division_has_no_gradient():
    x, y = Tensor([5.3, -2.5], requires_grad=True), Tensor([0.1, 2.0], requires_grad=True)
    gx, gy = (x // y).sum().gradient(x, y)
    assert gx.tolist() == [0.0, 0.0] and gy.tolist() == [0.0, 0.0]
