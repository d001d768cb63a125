"""The memory planner: intermediate buffers of one program share memory where their lives do not overlap.

An intermediate is an `st.alloc` that is not a program output. Its life runs from the first kernel
that uses it (its writer) to the last one (its last reader), in launch order. Intermediates are
placed in pools, whole allocations reused at offset 0 (a pool is raw bytes; each user views it with
its own shape and dtype): greedily in launch order, each takes the smallest free pool big enough,
else grows the largest free one, else opens a new one, among free pools within `SIZE_SLACK` of its
size only (POOL-FIT: a small buffer in a big pool, or a big one growing a small pool, holds memory
nothing uses for as long as the pool lives; with any free pool allowed, a full-size GPT training
step's pools held 2.2 MB more than its live intermediates at its peak). Two lives that share a kernel overlap, so a
kernel never reads and writes the same memory through two buffers. The executor allocates each pool
at its first user and gives it back after its last user's last kernel (POOL-LIFETIME), so outputs
made late in a program (a training step's gradients) reuse memory its early intermediates held.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


#: POOL-FIT: buffers share a pool only within this factor of its size
SIZE_SLACK = 1.25


@dataclass
class MemoryPlan:
    """Where each planned alloc lives, and what planning saved (bytes)."""

    pool_of: dict[int, int] = field(default_factory=dict)  # alloc step index -> pool
    pool_sizes: list[int] = field(default_factory=list)
    unplanned_bytes: int = 0  # every intermediate in its own buffer

    @property
    def planned_bytes(self) -> int:
        return sum(self.pool_sizes)

    def describe(self) -> str:
        return (f"intermediates {self.planned_bytes / 1e6:.3f} MB in {len(self.pool_sizes)} pools "
                f"(unplanned {self.unplanned_bytes / 1e6:.3f} MB)")


def plan_memory(steps: list[Any], out_slots: list[int]) -> MemoryPlan:
    """Plan the `alloc` steps of a launch plan (steps with kind, result, operands, shape, dtype)."""
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for index, step in enumerate(steps):
        if step.kind == "kernel":
            for slot in step.operands:
                first.setdefault(slot, index)
                last[slot] = index
    outputs = set(out_slots)
    lives = []  # (first use, last use, bytes, alloc step index)
    for index, step in enumerate(steps):
        if step.kind == "alloc" and step.result not in outputs and step.result in first:
            nbytes = _nbytes(step.shape, step.dtype)
            lives.append((first[step.result], last[step.result], nbytes, index))
    plan = MemoryPlan()
    busy_until: list[int] = []  # per pool: the last use of its current user
    for start, end, nbytes, index in sorted(lives):
        plan.unplanned_bytes += nbytes
        free = [p for p, until in enumerate(busy_until) if until < start]
        # POOL-FIT: a pool is shared by buffers of about its size; a much smaller or bigger one would
        # hold (or make it hold) memory nothing uses while it lives
        close = [p for p in free if nbytes <= plan.pool_sizes[p] * SIZE_SLACK and plan.pool_sizes[p] <= nbytes * SIZE_SLACK]
        fitting = [p for p in close if plan.pool_sizes[p] >= nbytes]
        growing = [p for p in close if plan.pool_sizes[p] < nbytes]
        if fitting:
            pool = min(fitting, key=lambda p: plan.pool_sizes[p])
        elif growing:
            pool = max(growing, key=lambda p: plan.pool_sizes[p])
            plan.pool_sizes[pool] = nbytes
        else:
            pool = len(plan.pool_sizes)
            plan.pool_sizes.append(nbytes)
            busy_until.append(end)
        busy_until[pool] = end
        plan.pool_of[index] = pool
    return plan


def _nbytes(shape: tuple[int, ...], dtype: Any) -> int:
    count = 1
    for s in shape:
        count *= int(s)
    return count * dtype.itemsize
