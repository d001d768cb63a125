"""`kernel-optimize`: kernel optimizations as actions on the ranges of a `loop.kernel`.

A kernel's *axes* are its `global` and `reduce` ranges, numbered in body order (the order
shapetracker-to-loop made them: global dims first, then reduce dims). An action splits one axis
of size s into the axis (now s/n) and a new range of size n of the action's kind, reading the old
index as `outer * n + inner`:

    upcast:A:N  global axis -> N copies per thread (a register tile of outputs)
    unroll:A:N  reduce axis -> N copies per loop iteration
    local:A:N   global axis -> N threads of a work-group (lidx)
    group:A:N   reduce axis -> N threads of a work-group reduce together through local memory
    stage:A:N   reduce axis -> chunks of N; per chunk, the loads that threads of the work-group
                share are copied into local memory once (tinyir/passes/stage.py)
    tc:A:S      reduce axis of a matrix product -> the target's matrix instruction S (0: the first
                that fits the element type): tile ranges of kind `tc` on A and on two output axes,
                and a local range of the instruction's lanes (tinyir/passes/tensor_core.py)

N = 0 takes the whole axis. The new range is innermost in the index, so `local` then `upcast` on
the same axis gives each thread every N-th element (coalesced), and `upcast` then `local` gives
each thread N neighbours (a vector). Axis numbers never change: split-off ranges are not axes.
An action that does not fit (axis out of range, wrong axis kind, size not divisible, over a
target limit) is an error located at the kernel.

The actions come from the `actions` option, or, when it is empty and a `target` is named, from
that target's heuristics (tinyir/passes/kernel_heuristics.py), or, with `beam=N` (N > 0), from a
search timed on that target's device (tinyir/search/; `TINYIR_BEAM=N` sets it in the executor).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, StringAttr, i32
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter

from tinyir.diagnostics import DiagnosticError
from tinyir.errors import TinyirError
from tinyir.dialects import loop, uop
from tinyir.passes.grid_dims import merge_globals, unmerge_globals
from tinyir.passes.window_loads import merge_window_loads
from tinyir.rewrite import STATISTICS
from tinyir.targets.base import KernelLimits

RK = loop.RangeKind


class KernelOptimizeError(DiagnosticError):
    """An action that does not fit its kernel or target."""


@dataclass(frozen=True)
class ActionKind:
    """One kind of action: which axes it splits and the kind of range it splits off."""

    axis_kind: RK
    new_kind: RK
    doc: str


#: the action table (data: listed by --list-passes docs and counted in statistics)
ACTIONS: dict[str, ActionKind] = {
    "upcast": ActionKind(RK.GLOBAL, RK.UPCAST, "global axis -> register tile of N outputs per thread"),
    "unroll": ActionKind(RK.REDUCE, RK.UNROLL, "reduce axis -> N copies of the body per iteration"),
    "local": ActionKind(RK.GLOBAL, RK.LOCAL, "global axis -> N work-group threads"),
    "group": ActionKind(RK.REDUCE, RK.GROUP, "reduce axis -> N threads reducing through local memory"),
    "stage": ActionKind(RK.REDUCE, RK.STAGE, "reduce axis -> chunks of N whose shared loads go through local memory"),
    "tc": ActionKind(RK.REDUCE, RK.TC, "matrix-product reduce axis -> tiles of the target's matrix instruction N"),
}

#: range kinds that are threads of a work-group
WORKGROUP_KINDS = frozenset({RK.LOCAL, RK.GROUP})
#: range kinds that are copies in registers
REGISTER_KINDS = frozenset({RK.UPCAST, RK.UNROLL})


@dataclass(frozen=True)
class Action:
    kind: str
    axis: int
    amount: int

    def __str__(self) -> str:
        return f"{self.kind}:{self.axis}:{self.amount}"


def parse_actions(text: str) -> list[Action]:
    """`"upcast:0:4,local:1:16"` -> actions; a malformed item raises ValueError naming it."""
    actions = []
    for item in (t.strip() for t in text.split(",")):
        if not item:
            continue
        parts = item.split(":")
        if len(parts) != 3 or parts[0] not in ACTIONS or not all(p.lstrip("-").isdigit() for p in parts[1:]):
            raise ValueError(f"bad action {item!r}: expected KIND:AXIS:AMOUNT with KIND one of "
                             f"{', '.join(ACTIONS)} (e.g. upcast:0:4)")
        actions.append(Action(parts[0], int(parts[1]), int(parts[2])))
    return actions


def format_actions(actions: Sequence[Action]) -> str:
    return ",".join(str(a) for a in actions)


def kernel_ranges(kernel: loop.KernelOp) -> list[loop.RangeOp]:
    return [op for op in kernel.body.block.ops if isinstance(op, loop.RangeOp)]


def axes(kernel: loop.KernelOp) -> list[loop.RangeOp]:
    """The splittable ranges (global and reduce), in body order."""
    return [r for r in kernel_ranges(kernel) if r.range_kind in (RK.GLOBAL, RK.REDUCE)]


def workgroup_size(kernel: loop.KernelOp) -> int:
    return math.prod(r.extent for r in kernel_ranges(kernel) if r.range_kind in WORKGROUP_KINDS)


def register_copies(kernel: loop.KernelOp) -> int:
    return math.prod(r.extent for r in kernel_ranges(kernel) if r.range_kind in REGISTER_KINDS)


def upcast_copies(kernel: loop.KernelOp) -> int:
    return math.prod(r.extent for r in kernel_ranges(kernel) if r.range_kind == RK.UPCAST)


def check_action(kernel: loop.KernelOp, action: Action, limits: KernelLimits) -> str | None:
    """Why `action` does not fit the kernel as it is now, or None when it does."""
    spec = ACTIONS[action.kind]
    axis_list = axes(kernel)
    if not 0 <= action.axis < len(axis_list):
        return f"{action}: axis {action.axis} does not exist (the kernel has {len(axis_list)} axes)"
    r = axis_list[action.axis]
    if r.range_kind != spec.axis_kind:
        return f"{action}: {action.kind} needs a {spec.axis_kind.value} axis; axis {action.axis} is {r.range_kind.value}"
    ranges = kernel_ranges(kernel)
    if any(x.range_kind == RK.TC for x in ranges) and action.kind in ("tc", "group"):
        return f"{action}: the kernel already has a tc range (its lanes are the work-group's)"
    if action.kind == "tc":
        found = tc_plan(kernel, r, action.amount, limits)
        return f"{action}: {found}" if isinstance(found, str) else None
    amount = action.amount or r.extent
    if amount < 1 or r.extent % amount:
        return f"{action}: axis {action.axis} of size {r.extent} is not divisible by {action.amount}"
    if amount == 1:
        return f"{action}: a split of 1 changes nothing"
    from tinyir.passes.row_optimize import check_row_action, is_row_kernel

    if is_row_kernel(kernel):  # a row kernel (row_optimize.py) counts its copies and memory per row
        problem = check_row_action(kernel, action.kind, r, amount, limits)
        return None if problem is None else f"{action}: {problem}"
    if spec.new_kind in WORKGROUP_KINDS:
        if not limits.has_local:
            return f"{action}: the target has no work-groups"
        ranges = kernel_ranges(kernel)
        if sum(1 for x in ranges if x.range_kind in WORKGROUP_KINDS) >= limits.max_local_dims:
            return f"{action}: over the target's {limits.max_local_dims} work-group dimensions"
        if workgroup_size(kernel) * amount > limits.max_local_size:
            return (f"{action}: a work-group of {workgroup_size(kernel) * amount} threads is over the "
                    f"target's {limits.max_local_size}")
        if spec.new_kind == RK.GROUP:
            if any(x.range_kind == RK.GROUP for x in ranges):
                return f"{action}: the kernel already has a group range (one grouped reduce per kernel)"
            if any(x.range_kind == RK.STAGE for x in ranges):
                return f"{action}: the kernel already has a stage range (one local-memory use per kernel)"
            local_bytes = workgroup_size(kernel) * amount * 4 * register_copies(kernel)
            if local_bytes > limits.local_memory_bytes:
                return f"{action}: needs {local_bytes} bytes of local memory, over the target's {limits.local_memory_bytes}"
    if spec.new_kind == RK.STAGE:
        ranges = kernel_ranges(kernel)
        if not limits.has_local:
            return f"{action}: the target has no work-groups (no local memory to stage through)"
        if not any(x.range_kind == RK.LOCAL for x in ranges):
            return f"{action}: the kernel has no local range (no threads to share a staged load)"
        if any(x.range_kind in (RK.GROUP, RK.STAGE) for x in ranges):
            return f"{action}: the kernel already has a group or stage range (one local-memory use per kernel)"
    if spec.new_kind == RK.UPCAST and upcast_copies(kernel) * amount > limits.max_upcast:
        return (f"{action}: {upcast_copies(kernel) * amount} outputs per thread (upcast) are over the "
                f"target's {limits.max_upcast}")
    if spec.new_kind in REGISTER_KINDS and register_copies(kernel) * amount > limits.max_copies:
        return (f"{action}: {register_copies(kernel) * amount} copies of the body (upcast x unroll) are over "
                f"the target's {limits.max_copies}")
    return None


def split_range(r: loop.RangeOp, amount: int, kind: RK, padded: bool = False) -> tuple[loop.RangeOp, loop.RangeOp]:
    """Split `r` into (outer of the same kind, inner of `kind`); the old index is outer*amount+inner.
    `padded`: `amount` need not divide the extent; the outer range rounds up, and every load and store
    whose index reads the old index is gated by `index < extent` (a padded load reads 0)."""
    extent = r.extent
    outer, inner = loop.RangeOp(-(-r.extent // amount), r.range_kind), loop.RangeOp(amount, kind)
    hint = r.result.name_hint or "r"
    outer.result.name_hint, inner.result.name_hint = hint, f"{hint}_{kind.value[0]}"
    scale = uop.ConstOp(amount, i32)
    mul = uop.MulOp(outer.result, scale.result)
    index = uop.AddOp(mul.result, inner.result)
    Rewriter.insert_op([outer, inner, scale, mul, index], InsertPoint.before(r))
    for use in list(r.result.uses):  # reduces that end `r` end the parts that reduce
        red = use.operation
        if isinstance(red, loop.ReduceOp):
            ranges = []
            for x in red.ranges:
                ranges.extend([outer.result, inner.result] if x is r.result else [x])
            ranges = [x for x in ranges if x.owner.range_kind in loop.REDUCING_KINDS]
            new = loop.ReduceOp(red.kind, red.value, ranges)
            new.result.name_hint = red.result.name_hint
            Rewriter.replace_op(red, new)
    r.result.replace_all_uses_with(index.result)
    r.detach()
    r.erase()
    if padded and extent % amount:
        _gate_accesses(index, extent)
    return outer, inner


def _gate_accesses(index: Operation, extent: int) -> None:
    """Gate every load and store whose index (or gate) is computed from `index` by `index < extent`;
    data flowing out of a load is not followed."""
    bound = uop.ConstOp(extent, i32)
    valid = uop.CmpltOp(index.results[0], bound.result)
    Rewriter.insert_op([bound, valid], InsertPoint.after(index))
    seen, todo, accesses = {id(valid)}, [index.results[0]], []
    while todo:
        value = todo.pop()
        for use in list(value.uses):
            op = use.operation
            if id(op) in seen or isinstance(op, loop.ReduceOp):
                continue
            seen.add(id(op))
            if isinstance(op, (uop.LoadOp, uop.StoreOp)):
                accesses.append(op)
            else:
                todo.extend(op.results)
    for op in accesses:
        gate = valid.result
        if op.gate is not None:
            both = uop.AndOp(op.gate, valid.result)
            Rewriter.insert_op(both, InsertPoint.before(op))
            gate = both.result
        if isinstance(op, uop.LoadOp):
            new = uop.LoadOp(op.buffer, op.index, gate)
        else:
            new = uop.StoreOp(op.buffer, op.index, op.value, gate)
        for old, res in zip(op.results, new.results):
            res.name_hint = old.name_hint
        Rewriter.replace_op(op, new)


def apply_action(kernel: loop.KernelOp, action: Action, limits: KernelLimits) -> None:
    """Apply one action, or raise KernelOptimizeError saying why it does not fit."""
    problem = check_action(kernel, action, limits)
    if problem is not None:
        raise KernelOptimizeError(kernel, f"kernel-optimize: kernel \"{kernel.kernel_name.data}\": {problem}")
    r = axes(kernel)[action.axis]
    if action.kind == "tc":
        from tinyir.passes.tensor_core import apply_tc

        match, instruction = tc_plan(kernel, r, action.amount, limits)
        apply_tc(kernel, match, instruction)
        return
    from tinyir.passes.row_optimize import group_rows, is_row_kernel, unroll_rows

    if action.kind in ("group", "unroll") and is_row_kernel(kernel):  # the row in every segment
        (group_rows if action.kind == "group" else unroll_rows)(kernel, r, action.amount or r.extent)
        return
    split_range(r, action.amount or r.extent, ACTIONS[action.kind].new_kind)


def tc_plan(kernel: loop.KernelOp, r: loop.RangeOp, select: int, limits: KernelLimits):
    """(match, instruction) for a `tc` action on reduce range `r`, or why it does not fit."""
    from tinyir.passes.tensor_core import choose_instruction, match_reduce

    where = f"tc on a {r.extent}-long reduce"
    if not limits.matrix_instructions:
        return f"{where}: the target has no matrix instructions"
    if any(x.range_kind == RK.GROUP for x in kernel_ranges(kernel)):
        return f"{where}: the kernel has a group range (the lanes need the work-group)"
    options = []
    for swap in (False, True):
        match = match_reduce(kernel, r, swap=swap)
        if isinstance(match, str):
            return f"{where}: {match}"
        mi = choose_instruction(match, limits.matrix_instructions, select)
        if isinstance(mi, str):
            return f"{where}: {mi}"
        sizes = (match.m.extent, match.n.extent, r.extent)
        # padding: the tile's extra rows and columns are computed and not stored; extra k reads 0 from
        # a factor that is a load (gated), so it adds 0 (a computed factor might not be 0 there)
        padding = sum(s % t != 0 for s, t in zip(sizes, (mi.m, mi.n, mi.k)))
        if r.extent % mi.k and not (isinstance(match.x.owner, uop.LoadOp) or isinstance(match.y.owner, uop.LoadOp)):
            continue
        options.append((padding, match, mi))
    if not options:
        return f"{where}: the reduce axis needs padding and neither factor is a load (padding must read 0)"
    _, match, mi = min(options, key=lambda o: o[0])
    if workgroup_size(kernel) * mi.threads > limits.max_local_size:
        return f"{where}: {mi.threads} more lanes make a work-group over the target's {limits.max_local_size}"
    if sum(1 for x in kernel_ranges(kernel) if x.range_kind in WORKGROUP_KINDS) >= limits.max_local_dims:
        return f"{where}: the lanes need a work-group dimension and the target's {limits.max_local_dims} are used"
    return match, mi


def tc_fits(kernel: loop.KernelOp, limits: KernelLimits) -> bool:
    """Whether a `tc` action fits some reduce axis of `kernel`."""
    return any(not isinstance(tc_plan(kernel, r, 0, limits), str) for r in axes(kernel) if r.range_kind == RK.REDUCE)


def unmerge_for_tensor_cores(kernel: loop.KernelOp, limits: KernelLimits) -> None:
    """On a target with matrix instructions, split merged global ranges back into their dims
    (tinyir/passes/grid_dims.py) where only that shows a matrix product (a convolution's n and oc);
    the axes are numbered after this."""
    if not limits.matrix_instructions or tc_fits(kernel, limits):
        return
    trial = kernel.clone()
    if unmerge_globals(trial) and tc_fits(trial, limits):
        unmerge_globals(kernel)


def apply_actions(kernel: loop.KernelOp, actions: Sequence[Action], limits: KernelLimits,
                  stats_name: str = "kernel-optimize") -> None:
    for action in actions:
        apply_action(kernel, action, limits)
        STATISTICS.setdefault(stats_name, Counter())[action.kind] += 1
    problem = check_kernel(kernel, limits)
    if problem is not None:
        raise KernelOptimizeError(kernel, f"kernel-optimize: kernel \"{kernel.kernel_name.data}\": {problem}")


def check_kernel(kernel: loop.KernelOp, limits: KernelLimits) -> str | None:
    """What the whole action list asks that no single action shows: the local memory of staged tiles
    (their size depends on the upcast, unroll and local ranges chosen after the stage)."""
    from tinyir.passes.stage import local_bytes
    from tinyir.passes.tensor_core import shared_operand_instruction

    staged = any(r.range_kind == RK.STAGE for r in kernel_ranges(kernel))
    if staged:
        used = local_bytes(kernel)
        if used > limits.local_memory_bytes:
            return f"staged tiles need {used} bytes of local memory, over the target's {limits.local_memory_bytes}"
    wgmma = shared_operand_instruction(kernel)
    if wgmma is not None and not staged:  # wgmma: A and B come from staged tiles
        return f"{wgmma} reads A and B from local memory: add a stage action on its reduce axis"
    return None


def target_limits(target: str, arch: str = "") -> KernelLimits:
    """The limits of a target by device name (those of chip `arch` where the target's differ per
    chip, e.g. AMDGPU's matrix instructions); with no name, a generic GPU (work-groups allowed)."""
    if not target:
        return KernelLimits(max_local_size=1024, local_memory_bytes=49152)
    from tinyir.runtime.executor import get_target

    found = get_target(target)
    if arch and found.chip_limits and arch not in found.chip_limits:  # a typo is an error, not sm_80's limits
        raise TinyirError(f"target '{target}' has no chip '{arch}' (chips: {', '.join(found.chip_limits)})")
    return (found.chip_limits or {}).get(arch, found.limits)


@dataclass(frozen=True)
class KernelOptimize(ModulePass):
    """Apply kernel-optimization actions to every loop.kernel (or the one named by `kernel`)."""

    name = "kernel-optimize"
    summary = "split loop ranges into upcast/unroll/local/group ranges: explicit actions or a target's heuristics"

    actions: str = ""   # e.g. "upcast:0:4,local:1:16"; empty: the target's heuristics
    target: str = ""    # device name whose limits and heuristics apply (cpu, opencl, cuda, ...)
    kernel: str = ""    # only this kernel (by name); empty: every kernel
    beam: int = 0       # > 0: search the actions on the target's device, this beam width (no `actions`)
    arch: str = ""      # the chip, where the target's limits depend on it (amdgpu: gfx90a, gfx942, gfx1100)

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        try:
            explicit = parse_actions(self.actions)
        except ValueError as exc:
            raise KernelOptimizeError(op, f"kernel-optimize: {exc}") from None
        if self.beam < 0:
            raise KernelOptimizeError(op, f"kernel-optimize: beam is a beam width (0: no search), got {self.beam}")
        try:
            limits = target_limits(self.target, self.arch)
        except TinyirError as exc:  # an unknown device, or one without a target
            raise KernelOptimizeError(op, f"kernel-optimize: {exc}") from None
        for kernel in [k for k in op.walk() if isinstance(k, loop.KernelOp)]:
            if self.kernel and kernel.kernel_name.data != self.kernel:
                continue
            if explicit or self.beam > 0 or self.target:
                if limits.has_local:  # GPUs: one gated load per padded window (the CPU keeps its masked runs)
                    STATISTICS.setdefault(self.name, Counter())["window-loads"] += merge_window_loads(kernel)
                unmerge_for_tensor_cores(kernel, limits)
            if explicit:
                chosen = explicit
            elif self.beam > 0:
                chosen = self._search(kernel)
            elif self.target:
                from tinyir.passes.kernel_heuristics import choose_actions

                chosen = choose_actions(kernel, self.target, limits)
            else:
                continue
            apply_actions(kernel, chosen, limits, self.name)
            merge_globals(kernel, limits.max_global_dims)
            if chosen:  # kept through lowering, so DEBUG=2 can say what was chosen
                kernel.attributes["actions"] = StringAttr(format_actions(chosen))

    def _search(self, kernel: loop.KernelOp) -> list[Action]:
        """The actions a beam search finds for `kernel` on the target's device (tinyir/search/)."""
        from tinyir.errors import TinyirError
        from tinyir.search import beam_search

        where = f"kernel-optimize: kernel \"{kernel.kernel_name.data}\""
        if not self.target:
            raise KernelOptimizeError(kernel, f"{where}: beam={self.beam} needs a target to time on (target=DEV)")
        try:
            return beam_search(kernel, self.target, self.beam)
        except TinyirError as exc:
            raise KernelOptimizeError(kernel, f"{where}: {exc}") from None
