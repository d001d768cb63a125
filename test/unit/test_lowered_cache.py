"""A new program reuses the kernels earlier programs lowered (tinyir/runtime/lowered_cache.py): the
passes after shapetracker-to-loop (kernel-optimize, the lowering) do not run again for a kernel seen before (same up to its name,
buffers of another shape but the same size), and the results stay right (compared with numpy)."""

from __future__ import annotations

import numpy as np
import pytest

from tinyir import Tensor
from tinyir.dialects import uop
from tinyir.ir import parse_module
from tinyir.runtime import executor

DEVICES = ["cpu", "opencl"]


@pytest.fixture(autouse=True)
def _no_disk_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TINYIR_CACHELEVEL", "0")  # every new program runs its passes


def _needs(device: str) -> None:
    if device == "opencl":
        pytest.importorskip("pyopencl")


@pytest.mark.parametrize("device", DEVICES)
def test_a_row_sum_reuses_the_first_kernel_of_a_full_sum(device: str) -> None:
    _needs(device)
    rng = np.random.default_rng(5)
    n = 104 * 4096  # a size no other test uses: the full sum's first kernel is new to this process
    flat = rng.standard_normal(n).astype(np.float32)
    total = Tensor(flat, device=device).sum().numpy()
    np.testing.assert_allclose(total, flat.sum(dtype=np.float64), rtol=1e-4)
    hits, emitted = executor._LOWERED.hits, executor.COMPILE_STATS.emitted
    matrix = flat.reshape(256, -1)[::-1].copy()  # split-reduce splits the full sum into 256 rows
    rows = Tensor(matrix, device=device).sum(1).numpy()
    np.testing.assert_allclose(rows, matrix.sum(1, dtype=np.float64), rtol=1e-4, atol=1e-3)
    if executor._LOWERED.hits == hits:  # which split the full sum took is the heuristics'; say what it was
        pytest.skip("this split of the full sum does not start with the row sum's kernel")
    assert executor.COMPILE_STATS.emitted == emitted  # nor emitted again: shapes of one size hash alike


@pytest.mark.parametrize("device", DEVICES)
def test_a_second_program_reuses_kernels_on_new_shapes_of_one_size(device: str) -> None:
    _needs(device)
    rng = np.random.default_rng(6)
    a, b = rng.standard_normal((2, 3 * 1237)).astype(np.float32)
    got = (Tensor(a, device=device) * Tensor(b, device=device) + 1).numpy()
    np.testing.assert_allclose(got, a * b + 1, rtol=1e-6)
    hits = executor._LOWERED.hits
    a2, b2 = a.reshape(3, 1237), b.reshape(3, 1237)[::-1].copy()
    # another program (its inputs are 3x1237 buffers) whose one kernel is the first's up to its name
    got2 = (Tensor(a2, device=device).reshape(-1) * Tensor(b2, device=device).reshape(-1) + 1).numpy()
    np.testing.assert_allclose(got2, (a2 * b2 + 1).reshape(-1), rtol=1e-6)
    assert executor._LOWERED.hits == hits + 1
    # a kernel that differs (another constant) is lowered anew, and right
    got3 = (Tensor(a2, device=device).reshape(-1) * Tensor(b2, device=device).reshape(-1) + 2).numpy()
    np.testing.assert_allclose(got3, (a2 * b2 + 2).reshape(-1), rtol=1e-6)
    assert executor._LOWERED.hits == hits + 1


def test_a_program_with_a_remembered_kernel_twice() -> None:
    rng = np.random.default_rng(7)
    x, y, z = rng.standard_normal((3, 31, 29)).astype(np.float32)
    np.testing.assert_allclose(Tensor(x).exp().sum(1).numpy(), np.exp(x).sum(1), rtol=1e-5)
    hits = executor._LOWERED.hits
    # two kernels equal to the remembered one: both are taken from the cache
    sy, sz = Tensor(y).exp().sum(1), Tensor(z).exp().sum(1)
    sy.realize(sz)  # one program, two kernels
    np.testing.assert_allclose(sy.numpy(), np.exp(y).sum(1), rtol=1e-5)
    np.testing.assert_allclose(sz.numpy(), np.exp(z).sum(1), rtol=1e-5)
    assert executor._LOWERED.hits == hits + 2


def test_flat_buffer_hash_reads_size_not_shape() -> None:
    text = """func.func @f(%a: !st.buffer<{shape}xf32>) {{
  uop.kernel "k" (%a) : !st.buffer<{shape}xf32> {{
  ^bb0(%b: !st.buffer<{shape}xf32>):
    %g = uop.special "gidx0" 4 : i32
    %c = uop.const 1.0 : f32
    uop.store %b[%g], %c : f32
  }}
  func.return
}}"""
    square, flat, other = (next(op for op in parse_module(text.format(shape=s)).walk() if isinstance(op, uop.KernelOp))
                           for s in ("4x4", "16", "17"))
    assert executor.structural_hash(square) != executor.structural_hash(flat)
    assert executor.structural_hash(square, flat_buffers=True) == executor.structural_hash(flat, flat_buffers=True)
    assert executor.structural_hash(other, flat_buffers=True) != executor.structural_hash(flat, flat_buffers=True)


def test_an_option_naming_a_kernel_keeps_the_substitution_after_kernel_dedup() -> None:
    from tinyir.runtime.lowered_cache import LoweredKernelCache, lower_with_reuse

    ran: list[list[str]] = []
    specs = ["shapetracker-to-loop", "kernel-optimize{kernel=k1 actions=\"upcast:0:4\"}", "kernel-dedup",
             "loop-to-uop", "uop-simplify", "uop-to-llvm", "kernel-dedup-restore"]
    module = parse_module("func.func @main() {\n  func.return\n}")
    lower_with_reuse(module, specs, lambda part: ran.append(list(part)), LoweredKernelCache())
    assert ran[0] == specs[:3]  # substituted after kernel-dedup: the by-name option ran on every kernel
    ran.clear()
    lower_with_reuse(module, [s for s in specs if "kernel=" not in s], lambda part: ran.append(list(part)),
                     LoweredKernelCache())
    assert ran[0] == ["shapetracker-to-loop"]  # else right after shapetracker-to-loop


@pytest.mark.parametrize("device", DEVICES)
def test_a_placed_kernel_keeps_its_hash(device: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """KNOWN-HASH: a kernel taken from the cache is not hashed again for the plan, and the hash the
    plan takes is the one hashing it gives (same program, same kernel hashes, without the memory)."""
    _needs(device)
    from tinyir.frontend import realize

    rng = np.random.default_rng(8)
    a, b = rng.standard_normal((2, 5 * 1291)).astype(np.float32)
    (Tensor(a, device=device) * Tensor(b, device=device) - 3).numpy()  # lowered and remembered
    calls = []
    hashing = executor._kernel_hash
    monkeypatch.setattr(executor, "_kernel_hash", lambda op: calls.append(op) or hashing(op))

    def program_hashes() -> list[str]:
        realize._PROGRAMS.clear()
        executor._PROGRAM_CACHE.clear()
        x = Tensor(a.reshape(5, 1291), device=device).reshape(-1) * Tensor(b.reshape(5, 1291), device=device).reshape(-1)
        np.testing.assert_allclose((x - 3).numpy(), a * b - 3, rtol=1e-6)
        return list(list(executor._PROGRAM_CACHE.values())[-1].kernel_hashes)

    remembered = program_hashes()
    assert not calls  # its hash came with it
    monkeypatch.setattr(executor._LOWERED, "entry_of", lambda kernel: None)
    assert program_hashes() == remembered and calls  # hashed again: the same
