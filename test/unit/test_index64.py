"""Kernels whose indices pass 2**31 - 1 compute them in 64 bits (st_to_loop's `needs_wide_index`):
a buffer of more than 2**31 int8/bool elements on the CPU, read through a huge output, a view with a
huge stride and offset, and a sum, compared with numpy. Small kernels keep 32-bit index math
(test/lit/tir/huge-shape.mlir, test/lit/pipeline/index64.mlir check the IR and target text)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from tinyir import Tensor, dtypes

N = 2**31 + 64  # elements: past int32, and a multiple of 4 (the view below)


def _available_gib() -> float:
    try:
        with open("/proc/meminfo") as f:
            info = {line.split(":")[0]: int(line.split()[1]) for line in f}
        return info["MemAvailable"] / 2**20
    except (OSError, KeyError, ValueError):
        return 0.0


pytestmark = pytest.mark.skipif(_available_gib() < 10 and not os.environ.get("TINYIR_TEST_HUGE"),
                                reason="needs ~7 GiB of free memory (two 2 GiB buffers and numpy's checks)")

#: positions to compare: both ends, around 2**31, and a few in between
PROBES = np.array([0, 1, 255, 2**31 - 2, 2**31 - 1, 2**31, 2**31 + 1, N - 2, N - 1, 123456789, 2**31 - 2**20])


def _values() -> np.ndarray:
    """Position p holds p % 251 as int8 (so a wrong index shows)."""
    return np.tile(np.arange(251).astype(np.int8), -(-N // 251))[:N]


def _at(positions: np.ndarray) -> np.ndarray:
    """What `_values()` holds at these positions (without keeping a 2 GiB copy around)."""
    return (np.asarray(positions, np.int64) % 251).astype(np.int8)


@pytest.mark.slow
def test_a_buffer_past_2_31_elements_on_the_cpu() -> None:
    a = Tensor(_values(), device="cpu")
    # a huge output: the loop over N points is split in two i32 loops, the index is i64
    got = (a + 1).numpy()
    np.testing.assert_array_equal(got[PROBES], _at(PROBES) + np.int8(1))
    tail = np.arange(N - 4096, N)
    np.testing.assert_array_equal(got[-4096:], _at(tail) + np.int8(1))
    del got
    # a small view with a stride of N / 4 and an offset past 2**31: i64 index math, small loops
    corner = (a.reshape(4, N // 4)[:, -3:].T + 0).numpy()
    rows, cols = np.meshgrid(np.arange(4), np.arange(N // 4 - 3, N // 4), indexing="ij")
    np.testing.assert_array_equal(corner, _at(rows * (N // 4) + cols).T)
    # bools of the whole buffer, summed (the sum's first kernel reads at i64 indices)
    assert int((a == 5).sum().numpy()) == len(range(5, N, 251))
    assert int(a[-1:].cast(dtypes.int32).numpy()[0]) == int(_at(np.array([N - 1]))[0])
