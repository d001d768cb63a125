"""Division of a non-negative i32 by a constant without div/rem on PTX (tinyir/targets/ptx/lower.py
`division_magic`, `_divide_by_constant`), and the index math that uses it, run on every GPU-style
device together with `uop-hoist` (which moves that math out of loops)."""

from __future__ import annotations

import numpy as np
import pytest

from test_kernel_optimize import cuda_available  # noqa: F401  (fixture)
from tinyir import Tensor
from tinyir.targets.ptx.lower import division_magic

DIVISORS = [*range(2, 3000), 3001, 4095, 4097, 56 * 56, 2**20 + 1, 2**30 - 1, 2**30 + 1,
            2**31 - 3, 2**31 - 1, 1_000_003, 123_456_789]
EDGES = [0, 1, 2, 3, 7, 8, 2**16 - 1, 2**16, 2**30 - 1, 2**30, 2**31 - 2, 2**31 - 1]


def test_division_magic_is_exact_for_31_bit_dividends() -> None:
    """mul.hi.u32(x, m) >> s == x idiv c for every divisor above and dividends at the edges (0, the
    largest i32, around each multiple of c there) and at random."""
    rng = np.random.default_rng(0)
    for c in DIVISORS:
        m, s = division_magic(c)
        assert 0 < m < 2**32 and 0 <= s < 31, (c, m, s)
        near = [q * c + d for q in (1, 2, (2**31 - 1) // c) for d in (-1, 0, 1)]
        x = np.array([v for v in EDGES + near if 0 <= v < 2**31], dtype=np.uint64)
        x = np.concatenate([x, rng.integers(0, 2**31, 200, dtype=np.uint64)])
        got = ((x * np.uint64(m)) >> np.uint64(32)) >> np.uint64(s)  # x * m < 2**63: exact in uint64
        np.testing.assert_array_equal(got, x // np.uint64(c), err_msg=f"divisor {c}")


@pytest.mark.parametrize("c", [2, 3, 7, 8, 56, 1000, 4097, 65537])
def test_index_division_on_opencl(c: int) -> None:
    n = 1 << 14
    got = (Tensor.arange(n, device="opencl") // c).numpy(), (Tensor.arange(n, device="opencl") % c).numpy()
    np.testing.assert_array_equal(got[0], np.arange(n) // c)
    np.testing.assert_array_equal(got[1], np.arange(n) % c)


def _permuted(device: str) -> np.ndarray:
    """A transpose of a 7x9x11 tensor: its copy kernel's index math divides the thread id by 9, 11, 99."""
    return Tensor.arange(7 * 9 * 11, device=device).reshape(7, 9, 11).permute(2, 0, 1).contiguous().numpy()


@pytest.mark.cuda
@pytest.mark.parametrize("c", [2, 3, 7, 8, 56, 1000, 4097, 65537, 2**31 - 1])
def test_index_division_on_cuda(c: int, cuda_available) -> None:  # noqa: F811
    n = (1 << 22) + 3
    got = (Tensor.arange(n, device="cuda") // c).numpy(), (Tensor.arange(n, device="cuda") % c).numpy()
    np.testing.assert_array_equal(got[0], np.arange(n) // c)
    np.testing.assert_array_equal(got[1], np.arange(n) % c)


@pytest.mark.cuda
def test_permuted_copy_on_cuda(cuda_available) -> None:  # noqa: F811
    np.testing.assert_array_equal(_permuted("cuda"), np.arange(7 * 9 * 11).reshape(7, 9, 11).transpose(2, 0, 1))


def test_permuted_copy_on_opencl() -> None:
    np.testing.assert_array_equal(_permuted("opencl"), np.arange(7 * 9 * 11).reshape(7, 9, 11).transpose(2, 0, 1))
