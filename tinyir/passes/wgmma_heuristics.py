"""The cuda heuristics' wgmma plan (sm_90a: `kernel-optimize{target=cuda arch=sm_90a}`).

wgmma reads A and B from staged tiles (tinyir/tensor_cores.py SharedOperands), so its plan is `tc`
with the widest wgmma that fits (m64n128k16, else m64n64k16), each warpgroup two instructions along m
(a 128 x N register tile), two warpgroups a work-group along n where the columns allow (a 128 x 256
tile), else along m, and the reduce staged in chunks of 4 k steps (64 elements) or 2, whichever tiles
fit the local memory. A product smaller than the instruction, a convolution (a reduce with a window
besides the channels), or a product with a computed factor (stage copies loads only), keeps mma.sync. Without a
fitting plan the heuristics keep mma.sync (tinyir/passes/kernel_heuristics.py).
"""

from __future__ import annotations

from tinyir.dialects import loop, uop
from tinyir.passes.kernel_optimize import Action, axes
from tinyir.targets.base import KernelLimits
from tinyir.tensor_cores import INSTRUCTIONS

#: the cuda heuristics take wgmma over mma.sync where the target lists it (arch=sm_90a, which the cuda
#: device lowers for on an sm_90 GPU). H100, f16 4096^3: this plan's 128 x 256 tiles with 4 stages took
#: 0.251 ms (72% of cuBLAS) against mma.sync's 0.462 (docs/performance.md, stop 20)
PREFER_WGMMA = True


def wgmma_actions(kernel: loop.KernelOp, limits: KernelLimits) -> list[Action] | None:
    """The wgmma action list for a matrix product (module docstring); None where PREFER_WGMMA is off,
    the target has no wgmma, no plan fits, or the kernel is a convolution (more reduces than its
    channels': mma.sync's halo tiles, CONV_TC_TILE, are what its speed was measured with)."""
    reduces = [r for r in axes(kernel) if r.range_kind == loop.RangeKind.REDUCE]
    if not PREFER_WGMMA or len(reduces) != 1:
        return None
    return plan_wgmma(kernel, limits)


def plan_wgmma(kernel: loop.KernelOp, limits: KernelLimits) -> list[Action] | None:
    """The plan itself, whatever PREFER_WGMMA says (for tests and the GPU round)."""
    from tinyir.passes.kernel_optimize import (
        KernelOptimizeError,
        apply_actions,
        tc_plan,
    )

    axis_list = axes(kernel)
    reduces = [i for i, r in enumerate(axis_list) if r.range_kind == loop.RangeKind.REDUCE]
    for r in sorted(reduces, key=lambda a: -axis_list[a].extent):
        first = tc_plan(kernel, axis_list[r], 0, limits)
        if isinstance(first, str):
            continue
        element = first[0].element
        fitting = [n for n in limits.matrix_instructions if INSTRUCTIONS[n].in_type == element]
        wide = sorted((i for i, n in enumerate(fitting) if INSTRUCTIONS[n].shared is not None),
                      key=lambda i: -INSTRUCTIONS[fitting[i]].n)
        for select in wide:
            found = tc_plan(kernel, axis_list[r], select, limits)
            if isinstance(found, str):
                continue
            match, mi = found
            if match.m.extent < mi.m or match.n.extent < mi.n:
                continue  # mostly padding: a narrower wgmma, or mma.sync's 16 x 8
            m, n = axis_list.index(match.m), axis_list.index(match.n)
            steps = -(-axis_list[r].extent // mi.k)
            rows, cols = -(-match.m.extent // mi.m), -(-match.n.extent // mi.n)
            base = [Action("tc", r, select)]
            for extra in ([Action("upcast", m, 2), Action("local", n, 2)], [Action("upcast", m, 2), Action("local", m, 2)],
                          [Action("upcast", m, 2)], []):
                used = {m: 1, n: 1}
                for a in extra:
                    used[a.axis] *= a.amount
                if rows % used[m] or cols % used[n]:
                    continue
                for chunk in (4, 2):
                    if steps % chunk:
                        continue
                    actions = [*base, *extra, Action("stage", r, chunk)]
                    staged = kernel.clone()
                    try:  # the staged tiles must fit the local memory
                        apply_actions(staged, actions, limits)
                    except KernelOptimizeError:
                        continue
                    if not operands_staged(staged):
                        return None  # a computed factor (a relu mask's where): mma.sync reads it from registers
                    return actions
    return None


def operands_staged(kernel: loop.KernelOp) -> bool:
    """Whether the stage pass will copy both factors of the kernel's product (after its actions) into
    tiles laid out for wgmma's descriptors, which is all wgmma can read. stage copies loads, so a factor
    computed from loads (the backward of a relu: where(x > 0, grad, 0)) stays in global memory, where
    only mma.sync can take it."""
    from tinyir.passes.stage import staged_loads
    from tinyir.passes.tensor_core import _uncast

    tiles = {id(s.load) for s in staged_loads(kernel) if s.core is not None}
    for red in (op for op in kernel.body.block.ops if isinstance(op, loop.ReduceOp)):
        mul = red.value.owner
        factors = [_uncast(v) for v in mul.operands] if isinstance(mul, uop.MulOp) else []
        if len(factors) != 2 or not all(f is not None and id(f.owner) in tiles for f in factors):
            return False
    return True
