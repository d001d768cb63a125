"""Reductions that must be right, not just close: f16 sums and matmuls accumulate in f32 (as PyTorch
does), and a big sum is split (split-reduce) so that it matches numpy's float64 sum within 1e-6."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tinyir import Tensor
from tinyir.ir import parse_module
from tinyir.runtime import compile_program


def _devices() -> list[str]:
    out = ["reference", "cpu"]
    try:
        import pyopencl  # noqa: F401

        out.append("opencl")
    except ImportError:
        pass
    return out


def _ulps(got: np.ndarray, want: np.ndarray) -> float:
    """The largest difference in units of the f16 spacing at the wanted value."""
    return float(np.max(np.abs(got.astype(np.float64) - want) / np.spacing(np.abs(want).astype(np.float16))))


@pytest.mark.parametrize("device", _devices())
def test_f16_matmul_matches_torch(device):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((16, 512)).astype(np.float16)
    b = rng.standard_normal((512, 8)).astype(np.float16)
    want = (torch.from_numpy(a) @ torch.from_numpy(b)).numpy()  # f32 products and sums, rounded once
    got = (Tensor(a, device=device) @ Tensor(b, device=device)).numpy()
    assert got.dtype == np.float16
    if device == "reference":
        # the interpreter runs the tensor-level mul on its own, in f16; only its sum is in f32
        products = torch.from_numpy(a)[:, :, None] * torch.from_numpy(b)[None, :, :]
        want = products.float().sum(dim=1).half().numpy()
    # summed in f16 this is off by up to ~20 ulps; in f32 only the order of the sum may differ
    assert _ulps(got, want.astype(np.float64)) <= 1


@pytest.mark.parametrize("device", _devices())
def test_f16_sum_accumulates_in_f32(device):
    x = np.random.default_rng(1).random((4, 4096)).astype(np.float16)
    want = x.astype(np.float64).sum(axis=1)  # ~2048: an f16 accumulator stops growing at 2048 + ulp/2 steps
    got = Tensor(x, device=device).sum(axis=1).numpy()
    assert got.dtype == np.float16
    assert _ulps(got, want) <= 1
    np.testing.assert_array_equal(got, torch.from_numpy(x).sum(dim=1).numpy())


@pytest.mark.parametrize("device", _devices())
def test_f16_split_sums_in_f32(device):
    # 2^16 elements into one: split-reduce makes 256 partials of 256 contiguous elements, then their
    # sum. Pairs of partials cancel to 2^-6 each: rounded to f16 (~128, ulp 0.125) that would be lost
    rng = np.random.default_rng(5)
    a = rng.random((128, 256)).astype(np.float16)
    b = -a
    b[:, 0] += np.float16(2**-6)
    x = np.stack([a, b], axis=1).reshape(-1)
    got = Tensor(x, device=device).sum().numpy()
    assert got.dtype == np.float16 and _ulps(got, x.astype(np.float64).sum()) <= 1
    y = rng.random(x.size).astype(np.float16)
    dot = (Tensor(y, device=device) * Tensor(x, device=device)).sum().numpy()
    want = (torch.from_numpy(y).float() * torch.from_numpy(x).float()).sum().half().numpy()
    if device == "reference":  # products in f16 (see above)
        want = (torch.from_numpy(y) * torch.from_numpy(x)).float().sum().half().numpy()
    assert _ulps(dot, want.astype(np.float64)) <= 1


@pytest.mark.parametrize("device", _devices())
def test_f16_max_is_exact(device):
    x = np.random.default_rng(2).standard_normal((3, 1000)).astype(np.float16)
    x[1, 17] = np.nan
    got = Tensor(x, device=device).max(axis=1).numpy()
    np.testing.assert_array_equal(got, torch.from_numpy(x).amax(dim=1).numpy())


def _sum_program(n: int, dtype: str, op: str = "reduce_sum") -> str:
    return (f"func.func @main(%a: tensor<{n}x{dtype}>) -> tensor<{dtype}> {{\n"
            f"  %s = tir.{op} %a [0] : tensor<{n}x{dtype}> -> tensor<{dtype}>\n"
            f"  func.return %s : tensor<{dtype}>\n}}\n")


@pytest.mark.parametrize("device", _devices())
def test_big_sum_matches_float64(device):
    # 2^26 is the target; 2^24 keeps the test quick on 2 cores. One running sum of 2^24 f32 is off by
    # ~1e-4 relative (0.5 on a GPU at 2^26, where every add rounds away the small addends)
    r = Tensor.rand(2**24, device=device)
    x = r.numpy().astype(np.float64)
    got = float(r.sum().item())
    assert abs(got - x.sum()) <= 1e-6 * x.sum()


@pytest.mark.parametrize("device", [d for d in _devices() if d != "reference"])
def test_split_sum_is_two_kernels_and_exact_for_ints(device):
    # i32 sums wrap, and wrapping addition is associative: the split changes nothing
    x = np.random.default_rng(3).integers(-2**31, 2**31 - 1, size=1 << 16, dtype=np.int32)
    program = compile_program(parse_module(_sum_program(x.size, "i32")), device)
    assert len(program.kernels) == 2  # 256 partial sums, then their sum
    np.testing.assert_array_equal(program.run([x])[0], x.sum(dtype=np.int32))


@pytest.mark.parametrize("device", [d for d in _devices() if d != "reference"])
@pytest.mark.parametrize("op", ["reduce_sum", "reduce_max"])
def test_split_keeps_nan_and_inf(device, op):
    fn = np.sum if op == "reduce_sum" else np.max
    program = compile_program(parse_module(_sum_program(1 << 16, "f32", op)), device)
    assert len(program.kernels) == 2
    for poison in ([(5, np.nan)], [(4464, np.inf)], [(3, np.inf), (60000, -np.inf)]):
        x = np.random.default_rng(4).random(1 << 16, dtype=np.float32)
        for i, v in poison:
            x[i] = v
        with np.errstate(invalid="ignore"):  # inf + -inf
            want = fn(x)
        np.testing.assert_array_equal(program.run([x])[0], want, err_msg=f"{op} with {poison}")
