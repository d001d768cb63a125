"""The memory planner: intermediates whose lives do not overlap share a pool; results are unchanged."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinyir import Tensor
from tinyir.errors import TinyirError
from tinyir.frontend import realize
from tinyir.runtime.buffer import allocator_for
from tinyir.runtime.planner import plan_memory

F32, I32 = np.dtype(np.float32), np.dtype(np.int32)


@dataclass
class Step:
    kind: str
    result: int = -1
    operands: tuple[int, ...] = ()
    shape: tuple[int, ...] = ()
    dtype: np.dtype = F32


def _chain_steps(n: int, grow: bool = False) -> list[Step]:
    """Slot 0 is the input; kernel i writes slot i+1 from slot i; the last slot is the output.
    Slots hold 16 floats, or 16 + i with `grow` (each within POOL-FIT's slack of the one before)."""
    steps = []
    for i in range(n):
        steps += [Step("alloc", i + 1, shape=(16 + i if grow else 16,)), Step("kernel", operands=(i + 1, i))]
    return steps


def test_a_chain_alternates_two_pools():
    steps = _chain_steps(5)
    plan = plan_memory(steps, out_slots=[5])
    # slots 1..4 are intermediates; 1 and 3 (and 2 and 4) never live at the same time
    pools = [plan.pool_of.get(i, -1) for i in range(0, len(steps), 2)]
    assert pools == [0, 1, 0, 1, -1]
    assert plan.pool_sizes == [64, 64]
    assert plan.unplanned_bytes == 64 * 4 and plan.planned_bytes == 64 * 2


def test_a_pool_grows_to_its_biggest_user():
    plan = plan_memory(_chain_steps(5, grow=True), out_slots=[5])
    assert [plan.pool_of[i] for i in (0, 2, 4, 6)] == [0, 1, 0, 1]
    assert plan.pool_sizes == [4 * 18, 4 * 19]  # each pool as big as its biggest user


def test_buffers_of_very_different_sizes_do_not_share_a_pool():
    """POOL-FIT: a small buffer in a big pool (or a big one growing a small pool) would hold memory
    nothing uses for as long as the pool lives."""
    steps = [Step("alloc", 1, shape=(1000,)), Step("kernel", operands=(1, 0)),
             Step("alloc", 2, shape=(10,)), Step("kernel", operands=(2, 1)),
             Step("alloc", 3, shape=(10,)), Step("kernel", operands=(3, 2)),
             Step("alloc", 4, shape=(1000,)), Step("kernel", operands=(4, 3)),
             Step("alloc", 5, shape=(1,)), Step("kernel", operands=(5, 4))]
    plan = plan_memory(steps, out_slots=[5])
    big, small = {plan.pool_of[0], plan.pool_of[6]}, {plan.pool_of[2], plan.pool_of[4]}
    assert len(big) == 1 and not big & small  # the two big ones share; no small one joins them
    assert plan.pool_sizes[plan.pool_of[0]] == 4000


def test_lives_that_share_a_kernel_do_not_share_a_pool():
    # kernel 1 reads slot 1 and writes slot 2: they may not alias, even though slot 1 dies there
    steps = [Step("alloc", 1, shape=(8,)), Step("kernel", operands=(1, 0)),
             Step("alloc", 2, shape=(8,)), Step("kernel", operands=(2, 1)),
             Step("alloc", 3, shape=(8,)), Step("kernel", operands=(3, 2))]
    plan = plan_memory(steps, out_slots=[3])
    assert plan.pool_of[0] != plan.pool_of[2] and 4 not in plan.pool_of


def test_outputs_and_unused_allocs_are_not_planned():
    steps = [Step("alloc", 1, shape=(8,)), Step("alloc", 2, shape=(8,)), Step("kernel", operands=(2, 0))]
    plan = plan_memory(steps, out_slots=[2])
    assert plan.pool_of == {} and plan.pool_sizes == []


def test_a_pool_is_reused_across_dtypes_and_grows():
    steps = [Step("alloc", 1, shape=(8,), dtype=F32), Step("kernel", operands=(1, 0)),
             Step("alloc", 2, shape=(8,)), Step("kernel", operands=(2, 1)),
             Step("alloc", 3, shape=(9,), dtype=I32), Step("kernel", operands=(3, 2)),
             Step("alloc", 4, shape=(1,)), Step("kernel", operands=(4, 3))]
    plan = plan_memory(steps, out_slots=[4])
    assert plan.pool_of[0] == plan.pool_of[4] and plan.pool_sizes[plan.pool_of[0]] == 36


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 64), st.lists(st.integers(0, 30), max_size=4)), min_size=1, max_size=30))
def test_no_two_live_buffers_share_a_pool(kernels):
    """Random launch plans: each kernel writes a new slot and reads earlier ones; the plan never lets
    two buffers in use by overlapping kernel ranges share a pool, and every pool fits its users."""
    steps, first, last = [], {}, {}
    for k, (size, reads) in enumerate(kernels):
        slot = k + 1
        operands = (slot, *sorted({r % slot for r in reads}))
        steps += [Step("alloc", slot, shape=(size,)), Step("kernel", operands=operands)]
        for s in operands:
            first.setdefault(s, 2 * k + 1)
            last[s] = 2 * k + 1
    plan = plan_memory(steps, out_slots=[len(kernels)])
    users: dict[int, list[int]] = {}
    for index, pool in plan.pool_of.items():
        slot = steps[index].result
        assert plan.pool_sizes[pool] >= steps[index].shape[0] * 4
        users.setdefault(pool, []).append(slot)
    for slots in users.values():
        for a in slots:
            for b in slots:
                if a < b:
                    assert last[a] < first[b] or last[b] < first[a]


def _last_program():
    return list(realize._PROGRAMS.values())[-1]


def _devices() -> list[str]:
    names = ["cpu", "c"]
    try:
        allocator_for("opencl")
        names.append("opencl")
    except TinyirError:  # pragma: no cover
        pass
    return names


@pytest.mark.parametrize("device", _devices())
def test_a_chain_of_matmuls_reuses_buffers(device):
    rng = np.random.default_rng(0)
    x_np = rng.normal(size=(8, 16)).astype(np.float32)
    ws_np = [rng.normal(size=(16, 16)).astype(np.float32) * 0.3 for _ in range(4)]
    y, want = Tensor(x_np, device=device), x_np
    for w in ws_np:
        y, want = (y @ Tensor(w, device=device)).relu(), np.maximum(want @ w, 0)
    np.testing.assert_allclose(y.numpy(), want, rtol=1e-4, atol=1e-5)
    program = _last_program()
    assert len(program.kernels) == 4
    assert program.memory.unplanned_bytes == 3 * 8 * 16 * 4  # three intermediates...
    assert program.memory.pool_sizes == [8 * 16 * 4] * 2  # ...in two pools


@pytest.mark.parametrize("device", _devices())
def test_planned_buffers_of_other_dtypes_give_the_same_values(device):
    rng = np.random.default_rng(1)
    x_np, w_np = rng.normal(size=(6, 6)).astype(np.float32), rng.normal(size=(6, 6)).astype(np.float32)
    wi_np = rng.integers(-3, 4, size=(6, 6)).astype(np.int32)
    x, w, wi = Tensor(x_np, device=device), Tensor(w_np, device=device), Tensor(wi_np, device=device)
    h = (x @ w) @ w  # two f32 intermediates
    hi = (h * 10).cast("int32") @ wi  # an int32 intermediate, free to take the first f32 one's pool
    out = (hi.cast("float32") @ w).numpy()
    h_np = (x_np @ w_np) @ w_np
    hi_np = (h_np * 10).astype(np.int32) @ wi_np
    np.testing.assert_allclose(out, hi_np.astype(np.float32) @ w_np, rtol=1e-4, atol=1e-3)
    program = _last_program()
    assert len(program.memory.pool_sizes) < sum(s.kind == "alloc" for s in program.steps) - 1
