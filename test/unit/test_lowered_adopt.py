"""ADOPT (tinyir/runtime/lowered_cache.py): the lowered-kernel cache remembers a newly lowered kernel
itself, not a copy; once the program's plan is built the kernel leaves that program's module for a
block of its own, and a later program that reuses it gets a right copy (compared with numpy)."""

from __future__ import annotations

import numpy as np
import pytest

from tinyir import Tensor
from tinyir.frontend import realize
from tinyir.runtime import executor

DEVICES = ["cpu", "opencl"]


@pytest.fixture(autouse=True)
def _no_disk_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TINYIR_CACHELEVEL", "0")  # every new program runs its passes


def _remembered() -> dict:
    return {key: entry for key, entry in executor._LOWERED.entries.items()}


@pytest.mark.parametrize("device", DEVICES)
def test_remembered_kernels_leave_their_module_and_are_reused_right(device: str) -> None:
    if device == "opencl":
        pytest.importorskip("pyopencl")
    rng = np.random.default_rng(11)
    a, b = rng.standard_normal((2, 5 * 1013)).astype(np.float32)  # sizes no other test uses
    before = _remembered()
    got = (Tensor(a, device=device) * 3 - Tensor(b, device=device)).numpy()
    np.testing.assert_allclose(got, a * 3 - b, rtol=1e-6)
    new = [entry for key, entry in _remembered().items() if key not in before]
    assert new, "the program remembered no kernel"
    assert not executor._LOWERED.unadopted
    for entry in new:
        holder = entry.kernel.parent_block()
        assert holder is not None and holder.parent is None  # a block of its own, in no module
        assert list(entry.kernel.operands) == list(holder.args)
    a2, b2 = a.reshape(5, 1013)[::-1].copy(), b.reshape(5, 1013)
    hits = []
    for _ in range(3):  # compiled three times: the last two reuse a remembered (adopted) kernel
        realize._PROGRAMS.clear()
        executor._PROGRAM_CACHE.clear()
        got2 = (Tensor(a2, device=device).reshape(-1) * 3 - Tensor(b2, device=device).reshape(-1)).numpy()
        np.testing.assert_allclose(got2, (a2 * 3 - b2).reshape(-1), rtol=1e-6)
        hits.append(executor._LOWERED.hits)
    assert hits[2] == hits[1] + 1 and hits[1] >= hits[0] + 1


def test_a_failed_plan_still_lets_its_kernels_leave_the_module(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(12)
    a = rng.standard_normal(7 * 1019).astype(np.float32)

    def failing_plan(*args: object, **kwargs: object) -> None:
        raise RuntimeError("plan failed")

    monkeypatch.setattr(executor, "_build_plan", failing_plan)
    with pytest.raises(RuntimeError, match="plan failed"):
        (Tensor(a, device="cpu") * 5 + 2).numpy()
    monkeypatch.undo()
    assert not executor._LOWERED.unadopted
    np.testing.assert_allclose((Tensor(a, device="cpu") * 5 + 2).numpy(), a * 5 + 2, rtol=1e-6)
