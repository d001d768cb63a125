"""The cuda heuristics' wgmma plan (sm_90a: `kernel-optimize{target=cuda arch=sm_90a}`).

wgmma reads A and B from staged tiles (tinyir/tensor_cores.py SharedOperands), so its plan is `tc`
with the widest wgmma that fits (m64n128k16, else m64n64k16), each warpgroup two instructions along m
(a 128 x N register tile), two warpgroups a work-group along m where the rows allow, and the reduce
staged in chunks of 4 k steps (64 elements) or 2, whichever tiles fit the local memory. Without a
fitting plan the heuristics keep mma.sync (tinyir/passes/kernel_heuristics.py).
"""

from __future__ import annotations

from tinyir.dialects import loop
from tinyir.passes.kernel_optimize import Action, axes
from tinyir.targets.base import KernelLimits
from tinyir.tensor_cores import INSTRUCTIONS

#: the cuda heuristics take wgmma over mma.sync where the target lists it (arch=sm_90a). It ran right
#: on an H100 but not faster: this plan 0.94-1.01 ms, the best wgmma tiles 0.80 ms, mma.sync's default
#: 0.68 ms (f16 4096^3, docs/performance.md). Making it the default is this line (and lowering the
#: cuda device's kernels with arch=sm_90a on an sm_90 GPU) once it is faster
PREFER_WGMMA = False


def wgmma_actions(kernel: loop.KernelOp, limits: KernelLimits) -> list[Action] | None:
    """The wgmma action list for a matrix product (module docstring); None where PREFER_WGMMA is off,
    the target has no wgmma, or no plan fits."""
    if not PREFER_WGMMA:
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
            m = axis_list.index(match.m)
            steps = -(-axis_list[r].extent // mi.k)
            rows = -(-match.m.extent // mi.m)
            base = [Action("tc", r, select)]
            for extra in ([Action("upcast", m, 2), Action("local", m, 2)], [Action("upcast", m, 2)], []):
                if any(rows % (2 ** (i + 1)) for i in range(len(extra))):
                    continue
                for chunk in (4, 2):
                    if steps % chunk:
                        continue
                    actions = [*base, *extra, Action("stage", r, chunk)]
                    try:  # the staged tiles must fit the local memory
                        apply_actions(kernel.clone(), actions, limits)
                    except KernelOptimizeError:
                        continue
                    return actions
    return None
