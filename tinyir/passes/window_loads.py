"""Window loads: a sum of gated loads that a padded window makes becomes one gated load
(part of kernel-optimize, on targets with work-groups).

A convolution or pool reads its padded input through windows; the views of the windows and of the
padding do not merge into one view, so fold-views gives one load per kernel offset, each gated to its
offset and to the rows and columns its shift keeps inside the input, and adds them:

    x = sum over (kh, kw) of load(in[base + (kh-1)*W + (kw-1)], kh == i & kw == j & rows ok & cols ok)

Exactly one term is live at each point, so this is one load whose index is affine in the window
ranges, gated by bounds on `a*h + b*kh` (for a stride a and dilation b):

    x = load(in[base + kh*W + kw - W - 1], 1 <= h + kh < H + 1 & 1 <= w + kw < W + 1)

`merge_window_loads` finds such sums (leaves: loads of one buffer whose gates bound single values
by constants, each leaf pinning the window ranges to one point, every point once) and fits the
merged index and gate; each fit is checked on every point of the window and every value of the
bounded ranges before anything changes, so a sum that is not a window is left alone.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from xdsl.dialects.builtin import i32
from xdsl.ir import Operation, SSAValue
from xdsl.rewriter import InsertPoint, Rewriter

from tinyir.dialects import loop, uop
from tinyir.passes.symbolic import build_linear, int_const, linear_terms
from tinyir.rewrite import erase_dead

#: windows larger than this many points are left as they are (the checks enumerate them)
MAX_POINTS = 1024
#: ranges bounded per point are enumerated up to this extent
MAX_EXTENT = 1 << 16


def _affine(v: SSAValue) -> tuple[dict[SSAValue, int], int]:
    """v as ({atom: coef}, const) over atoms (values that are not add, mul by a constant or const)."""
    terms, const = linear_terms(v)
    coefs: dict[SSAValue, int] = {}
    for atom, k in terms:
        coefs[atom] = coefs.get(atom, 0) + k
    return {x: k for x, k in coefs.items() if k}, const


def _bounds(gate: SSAValue | None) -> dict[SSAValue, tuple[float, float]] | None:
    """The gate as lo <= value < hi per value (an and of compares with a constant), or None."""
    found: dict[SSAValue, tuple[float, float]] = {}
    todo = [gate] if gate is not None else []
    while todo:
        v = todo.pop()
        op = v.owner
        if isinstance(op, uop.AndOp):
            todo += [op.lhs, op.rhs]
            continue
        if not isinstance(op, uop.CmpltOp):
            return None
        lo, hi = int_const(op.lhs), int_const(op.rhs)
        if (lo is None) == (hi is None):
            return None
        x = op.rhs if lo is not None else op.lhs
        old = found.get(x, (-math.inf, math.inf))
        found[x] = (max(old[0], lo + 1), old[1]) if lo is not None else (old[0], min(old[1], hi))
    return found


def _extent(v: SSAValue) -> int | None:
    return v.owner.extent if isinstance(v.owner, loop.RangeOp) else None


def _leaves(root: uop.AddOp) -> list[uop.LoadOp] | None:
    """The loads an add tree sums (its inner adds used once), or None if a leaf is not a load."""
    leaves, todo = [], [root.lhs, root.rhs]
    while todo:
        v = todo.pop()
        op = v.owner
        if isinstance(op, uop.AddOp) and v.uses.get_length() == 1:
            todo += [op.lhs, op.rhs]
        elif isinstance(op, uop.LoadOp) and v.uses.get_length() == 1:
            leaves.append(op)
        else:
            return None
    return leaves


@dataclass
class _Leaf:
    load: uop.LoadOp
    terms: dict[SSAValue, int]
    const: int
    bounds: dict[SSAValue, tuple[float, float]]


@dataclass
class _Condition:
    """lo <= a*x + b*w < hi (b = 0 and w None: a bound on x alone)."""

    x: SSAValue
    a: int
    w: SSAValue | None
    b: int
    lo: float
    hi: float


def _fit_condition(x: SSAValue, leaves: Sequence[_Leaf], window: Sequence[SSAValue], points: Sequence[tuple[int, ...]],
                   terms: dict[SSAValue, int], steps: dict[SSAValue, int]) -> _Condition | None:
    """One condition on x equal, at every window point and every value of x, to the leaves' bounds."""
    intervals = [leaf.bounds.get(x, (-math.inf, math.inf)) for leaf in leaves]
    if all(iv == intervals[0] for iv in intervals):
        return _Condition(x, 1, None, 0, *intervals[0])
    extent = _extent(x)
    if extent is None or extent > MAX_EXTENT or x not in terms:
        return None
    for wi, w in enumerate(window):
        a, b = terms[x], steps.get(w, 0)
        if b == 0:
            continue
        g = math.gcd(a, b)
        a, b = a // g, b // g
        inside = [a * v + b * p[wi] for leaf, p, (lo, hi) in zip(leaves, points, intervals)
                  for v in range(extent) if lo <= v < hi]
        if not inside:
            continue
        lo, hi = min(inside), max(inside) + 1
        if all((lo <= a * v + b * p[wi] < hi) == (ilo <= v < ihi)
               for p, (ilo, ihi) in zip(points, intervals) for v in range(extent)):
            return _Condition(x, a, w, b, lo, hi)
    return None


def _plan(root: uop.AddOp) -> tuple[list[_Leaf], list[_Condition], dict[SSAValue, int], int] | None:
    """The merged load's parts: the leaves, the gate's conditions, each window range's index step and
    the index offset at the window's first point; None where the sum is not a window."""
    loads = _leaves(root)
    if not loads or len(loads) < 2 or len({id(ld.buffer) for ld in loads}) != 1:
        return None
    if any(ld.index.type != i32 for ld in loads):
        return None  # 64-bit index math (INDEX64) is left as it is
    leaves = []
    for ld in loads:
        form, bounds = _affine(ld.index), _bounds(ld.gate)
        if bounds is None:
            return None
        for x, (lo, hi) in bounds.items():  # a range's own bounds clip its gate's
            if (extent := _extent(x)) is not None:
                bounds[x] = (max(lo, 0), min(hi, extent))
        leaves.append(_Leaf(ld, form[0], form[1], bounds))
    # window ranges: pinned to one point by every leaf, read by no index
    window = [x for x in leaves[0].bounds if _extent(x) is not None
              and all(x in lf.bounds and lf.bounds[x][1] - lf.bounds[x][0] == 1 for lf in leaves)
              and all(x not in lf.terms for lf in leaves)]
    if not window:
        return None
    sizes = [_extent(w) for w in window]
    if math.prod(sizes) > MAX_POINTS or len(leaves) != math.prod(sizes):
        return None
    points = [tuple(int(lf.bounds[w][0]) for w in window) for lf in leaves]
    if sorted(points) != list(itertools.product(*(range(s) for s in sizes))):
        return None  # not every point exactly once
    terms = leaves[0].terms
    if any(lf.terms != terms for lf in leaves):
        return None
    # the offset, affine in the window point: const = c0 + sum(step_w * p_w)
    base = points.index(tuple(0 for _ in window))
    c0 = leaves[base].const
    steps = {}
    for wi, w in enumerate(window):
        unit = tuple(1 if j == wi else 0 for j in range(len(window)))
        steps[w] = leaves[points.index(unit)].const - c0 if sizes[wi] > 1 else 0
    if any(lf.const != c0 + sum(steps[w] * p[wi] for wi, w in enumerate(window)) for lf, p in zip(leaves, points)):
        return None
    conditions = []
    others = list(dict.fromkeys(x for lf in leaves for x in lf.bounds if x not in window))
    if any(x.type != i32 for x in others):
        return None
    for x in others:
        cond = _fit_condition(x, leaves, window, points, terms, steps)
        if cond is None:
            return None
        conditions.append(cond)
    return leaves, conditions, steps, c0


def merge_window_loads(kernel: loop.KernelOp) -> int:
    """Replace each window sum of gated loads in `kernel` by one gated load; how many were replaced."""
    merged = 0
    for op in list(kernel.body.block.ops):
        if op.parent is None or not isinstance(op, uop.AddOp):
            continue
        if any(isinstance(u.operation, uop.AddOp) and u.operation.parent is not None and _leaves(u.operation)
               for u in op.result.uses):
            continue  # an inner add of a larger sum: the root takes it
        plan = _plan(op)
        if plan is None:
            continue
        leaves, conditions, steps, c0 = plan
        first = leaves[0].load
        index_type = first.index.type
        ops: list[Operation] = []
        # index: the leaves' common part + each window range times its step + the offset at point 0
        parts = [(x, k) for x, k in leaves[0].terms.items()] + [(w, s) for w, s in steps.items() if s]
        index = build_linear(parts, c0, ops, index_type)
        gate: SSAValue | None = None
        for cond in conditions:
            value = build_linear([(cond.x, cond.a)] + ([(cond.w, cond.b)] if cond.w is not None else []), 0, ops)
            extent = _extent(cond.x)
            low_known = cond.w is None and cond.lo <= 0 and cond.a == 1 and extent is not None
            tests = []
            if cond.lo != -math.inf and not low_known:
                ops.append(c := uop.ConstOp(int(cond.lo) - 1, i32))
                tests.append(uop.CmpltOp(c.result, value))
            if cond.hi != math.inf and not (cond.w is None and cond.a == 1 and extent is not None and cond.hi >= extent):
                ops.append(c := uop.ConstOp(int(cond.hi), i32))
                tests.append(uop.CmpltOp(value, c.result))
            for t in tests:
                ops.append(t)
                if gate is not None:
                    ops.append(both := uop.AndOp(gate, t.result))
                    gate = both.result
                else:
                    gate = t.result
        load = uop.LoadOp(first.buffer, index, gate)
        ops.append(load)
        Rewriter.insert_op(ops, InsertPoint.before(op))
        op.result.replace_all_uses_with(load.result)
        merged += 1
    if merged:  # the leaves, their indices and gates (dead ops would still read the ranges)
        erase_dead(kernel, lambda dead: isinstance(dead, (uop.AddOp, uop.MulOp, uop.ConstOp, uop.CmpltOp,
                                                          uop.AndOp, uop.LoadOp, uop.IdivOp, uop.ModOp)))
    return merged
