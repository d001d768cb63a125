"""Tensor cores: the `tc` action and the lowering of its tile ranges to `uop.mma` (part of loop-to-uop).

`tc:A:S` (kernel-optimize) maps the reduce over axis A of `cast(x) * cast(y)`, x and y f16 (or
bf16) values, onto a matrix instruction of the target (tinyir/tensor_cores.py; S picks among those
whose element type fits, 0 the first). x must depend on a global axis M that y does not read and y
on a global axis N that x does not read (the innermost such axes are taken). The action splits M, N
and A by the instruction's m, n and k into `tc` ranges, and adds a `local` range of the instruction's
lanes after every other range (so it is lidx0 and a warp is 32 neighbouring threads).

`lower_tensor_cores` (first in loop-to-uop) then removes the `tc` ranges: each thread loads its
elements of the A tile (x with m, k replaced by the layout's coordinates for this lane and element),
of B (y at k, n), and one `uop.mma` with a zero C gives its elements of the tile's product; each of
them is summed by its own `loop.reduce` over the remaining reduce ranges (reduces over the same
loops share one loop nest). Everything after the reduce that read m and n (casts, bias, the store)
is copied once per element of C, at that element's coordinates. Upcast, unroll and local ranges
on the outer axes work as for any kernel: an upcast of M shares B's elements among its copies.

An instruction that reads A and B from shared memory (wgmma, `MatrixInstruction.shared`) needs both
factors staged: the stage pass lays their tiles out as its descriptors say, and instead of element
copies each tile gets one descriptor per operand (the block at (row 0, k 0)) and one `uop.wgmma`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from xdsl.dialects.builtin import BFloat16Type, Float16Type, StringAttr, f32, i32, i64
from xdsl.ir import Operation, SSAValue
from xdsl.rewriter import InsertPoint, Rewriter

from tinyir.dialects import loop, uop
from tinyir.tensor_cores import INSTRUCTIONS, Layout, MatrixInstruction, SharedOperands

RK = loop.RangeKind
#: the kernel attribute naming the matrix instruction a `tc` action chose
TC_ATTR = "tensor_core"


def _element_name(t) -> str | None:
    return "f16" if isinstance(t, Float16Type) else "bf16" if isinstance(t, BFloat16Type) else None


@dataclass
class TcMatch:
    """A reduce that a matrix instruction can compute: sum over k of cast(x) * cast(y)."""

    reduce: loop.ReduceOp
    x: SSAValue          # the f16/bf16 operand read at (m, k)
    y: SSAValue          # read at (k, n)
    m: loop.RangeOp      # the range x reads and y does not
    n: loop.RangeOp      # the range y reads and x does not
    k: loop.RangeOp      # the reduced range
    element: str         # "f16" or "bf16"


def _uncast(v: SSAValue) -> SSAValue | None:
    """x where v = cast(x) from f16/bf16 to f32."""
    op = v.owner
    if isinstance(op, uop.CastOp) and v.type == f32 and _element_name(op.input.type):
        return op.input
    return None


def match_reduce(kernel: loop.KernelOp, k: loop.RangeOp, m_kind: RK = RK.GLOBAL, swap: bool = False) -> TcMatch | str:
    """The tensor-core pattern for reduce range `k` (the match, or why it does not fit); m and n are
    ranges of `m_kind` (global when choosing the action, tc when lowering it). A is the product's
    left factor, or its right one with `swap`."""
    ops = list(kernel.body.block.ops)
    deps = loop.range_dependencies(ops)
    reduces = [op for op in ops if isinstance(op, loop.ReduceOp)]
    if len(reduces) != 1 or k.result not in reduces[0].ranges:
        return "tc needs a kernel with one reduce, over the axis"
    red = reduces[0]
    if red.kind != loop.ReduceKind.ADD or red.result.type != f32:
        return "tc needs an f32 sum"
    mul = red.value.owner
    if not isinstance(mul, uop.MulOp):
        return "tc needs a sum of products"
    x, y = _uncast(mul.lhs), _uncast(mul.rhs)
    if swap:
        x, y = y, x
    if x is None or y is None or x.type != y.type:
        return "tc needs a product of two f16 (or two bf16) values cast to f32"
    kinds = {r: r.owner.range_kind for r in deps[x] | deps[y]}
    if k.result not in deps[x] or k.result not in deps[y]:
        return "tc needs both factors to read the reduce axis"
    only_x = [r for r in ops if isinstance(r, loop.RangeOp) and r.result in deps[x] - deps[y] and kinds[r.result] == m_kind]
    only_y = [r for r in ops if isinstance(r, loop.RangeOp) and r.result in deps[y] - deps[x] and kinds[r.result] == m_kind]
    if not only_x or not only_y:
        return "tc needs each factor to read an output axis the other does not (a matrix product)"
    # nothing but the two factors may read k: the instruction sums over it inside the warp
    cone = _cone([x, y], k.result, deps)
    for op in ops:
        if op is red or op is mul or op in cone or op is k or op in (mul.lhs.owner, mul.rhs.owner):
            continue
        used = deps[op.results[0]] if op.results else frozenset().union(*(deps.get(v, frozenset()) for v in op.operands))
        if k.result in used:
            return "tc needs the reduce axis read only by the two factors"
    return TcMatch(red, x, y, only_x[-1], only_y[-1], k, _element_name(x.type))


def _cone(roots: Sequence[SSAValue], r: SSAValue, deps) -> set[Operation]:
    """The ops that compute `roots` and depend on range `r`."""
    seen: set[Operation] = set()
    todo = [v for v in roots]
    while todo:
        v = todo.pop()
        op = v.owner
        if not isinstance(op, Operation) or op in seen or r not in deps.get(v, frozenset()):
            continue
        seen.add(op)
        todo.extend(op.operands)
    return seen


def choose_instruction(match: TcMatch, names: Sequence[str], select: int) -> MatrixInstruction | str:
    fitting = [INSTRUCTIONS[n] for n in names if INSTRUCTIONS[n].in_type == match.element]
    if not fitting:
        return f"the target has no matrix instruction for {match.element}" + (
            f" (it has {', '.join(names)})" if names else " (it has none)")
    if select >= len(fitting):
        wgmma = fitting[0].name.startswith("mma.") and not any(i.shared for i in fitting)  # NVIDIA before sm_90a
        return (f"the target has {len(fitting)} matrix instruction(s) for {match.element}, not {select + 1}"
                + (" (wgmma needs arch=sm_90a)" if wgmma else ""))
    return fitting[select]


def shared_operand_instruction(kernel: loop.KernelOp) -> str | None:
    """The name of the kernel's matrix instruction (the tc action's) when it reads A and B from
    local memory (wgmma), else None."""
    name = kernel.attributes.get(TC_ATTR)
    mi = INSTRUCTIONS.get(name.data) if isinstance(name, StringAttr) else None
    return mi.name if mi is not None and mi.shared is not None else None


def apply_tc(kernel: loop.KernelOp, match: TcMatch, mi: MatrixInstruction) -> None:
    """Split m, n and k by the instruction's tile (padded where it does not divide: the loads and
    stores past the end gated) and add the lane range (after `tc_plan` said yes)."""
    from tinyir.passes.kernel_optimize import split_range

    for r, size in ((match.m, mi.m), (match.n, mi.n), (match.k, mi.k)):
        split_range(r, size, RK.TC, padded=True)
    last = [op for op in kernel.body.block.ops if isinstance(op, loop.RangeOp)][-1]
    lane = loop.RangeOp(mi.threads, RK.LOCAL)
    lane.result.name_hint = "lane"
    Rewriter.insert_op(lane, InsertPoint.after(last))
    kernel.attributes[TC_ATTR] = StringAttr(mi.name)


class _Coordinates:
    """SSA values of layout coordinates for the lane, built once each and placed after the lane."""

    def __init__(self, lane: SSAValue, ops: list[Operation]):
        self.lane, self.ops = lane, ops
        self.lane_part: dict[tuple[Layout, int], SSAValue | None] = {}
        self.values: dict[tuple[Layout, int, int], SSAValue] = {}

    def _const(self, value: int) -> SSAValue:
        self.ops.append(c := uop.ConstOp(value, i32))
        return c.result

    def _lane_part(self, layout: Layout, axis: int) -> SSAValue | None:
        key = (layout, axis)
        if key not in self.lane_part:
            total = None
            for shift, mask, scale in layout.lane_terms(axis):
                term = self.lane
                if shift:
                    self.ops.append(s := uop.ShrOp(term, self._const(shift)))
                    term = s.result
                if mask != (1 << (len(layout.lane_bits) - shift)) - 1:  # else lane >> shift is below mask
                    self.ops.append(a := uop.AndOp(term, self._const(mask)))
                    term = a.result
                if scale != 1:
                    self.ops.append(m := uop.MulOp(term, self._const(scale)))
                    term = m.result
                if total is not None:
                    self.ops.append(t := uop.AddOp(total, term))
                    term = t.result
                total = term
            self.lane_part[key] = total
        return self.lane_part[key]

    def get(self, layout: Layout, axis: int, element: int) -> SSAValue:
        """Coordinate `axis` (0 row, 1 column) of `element` for this lane."""
        offset = layout.coordinate(0, element)[axis]
        key = (layout, axis, offset)
        if key not in self.values:
            part = self._lane_part(layout, axis)
            if part is None:
                self.values[key] = self._const(offset)
            elif offset:
                self.ops.append(a := uop.AddOp(part, self._const(offset)))
                self.values[key] = a.result
            else:
                self.values[key] = part
        return self.values[key]


def lower_tensor_cores(kernel: loop.KernelOp) -> None:
    """Replace the `tc` ranges of a kernel by per-element copies and one `uop.mma` (module docstring)."""
    name = kernel.attributes.get(TC_ATTR)
    block = kernel.body.block
    ops = list(block.ops)
    tc_ranges = [op for op in ops if isinstance(op, loop.RangeOp) and op.range_kind == RK.TC]
    if not tc_ranges:
        return
    from tinyir.passes.loop_to_uop import LoopToUopError

    for op in reversed(list(block.ops)):  # what staging left unused (the copied loads' index math)
        if op.results and not isinstance(op, loop.RangeOp) and all(not r.uses for r in op.results):
            op.detach()
            op.erase()
    ops = list(block.ops)
    if not isinstance(name, StringAttr) or name.data not in INSTRUCTIONS:
        raise LoopToUopError(kernel, "loop-to-uop: tc ranges without a matrix instruction (use the tc action)")
    mi = INSTRUCTIONS[name.data]
    k = next((r for r in tc_ranges if any(isinstance(u.operation, loop.ReduceOp) for u in r.result.uses)), None)
    found: TcMatch | str = "no reduce ends a tc range"
    for swap in (False, True):
        if k is not None:
            found = match_reduce(kernel, k, RK.TC, swap)
            if not isinstance(found, str) and (found.m.extent, found.n.extent) == (mi.m, mi.n):
                break
    if isinstance(found, str):
        raise LoopToUopError(kernel, f"loop-to-uop: tc ranges that no matrix instruction fits: {found}")
    m, n = found.m, found.n
    if {m, n, k} != set(tc_ranges) or (m.extent, n.extent, k.extent) != (mi.m, mi.n, mi.k):
        raise LoopToUopError(kernel, f"loop-to-uop: the tc ranges do not form one {mi.name} tile")
    workgroup = [op for op in ops if isinstance(op, loop.RangeOp) and op.range_kind in (RK.LOCAL, RK.GROUP)]
    lane = workgroup[-1] if workgroup else None
    if lane is None or lane.extent != mi.threads:
        raise LoopToUopError(kernel, f"loop-to-uop: {mi.name} needs a last local range of {mi.threads} lanes")

    red = found.reduce
    leaves = {m.result, n.result, k.result, red.result}
    reach: dict[SSAValue, frozenset[SSAValue]] = {}  # value -> the leaves it is computed from
    for op in ops:
        for r in op.results:
            reach[r] = frozenset({r}) if r in leaves else frozenset().union(
                *(reach.get(v, frozenset()) for v in op.operands))

    new_ops: list[Operation] = []
    coords = _Coordinates(lane.result, new_ops)
    copies: dict[tuple, SSAValue] = {}

    def copy(value: SSAValue, assign: dict[SSAValue, SSAValue]) -> SSAValue:
        """`value` recomputed with the leaves replaced as `assign` says."""
        used = reach.get(value, frozenset())
        if not used:
            return value
        if value in assign:
            return assign[value]
        key = (value, tuple(sorted((id(l), id(assign[l])) for l in used)))
        if key not in copies:
            op = value.owner
            clone = op.clone_without_regions({v: copy(v, assign) for v in op.operands})
            new_ops.append(clone)
            for old, new in zip(op.results, clone.results):
                new.name_hint = old.name_hint
                copies[(old, key[1])] = new
        return copies[key]

    def assignment(layout: Layout, rows: SSAValue, cols: SSAValue, element: int) -> dict[SSAValue, SSAValue]:
        return {rows: coords.get(layout, 0, element), cols: coords.get(layout, 1, element)}

    def fragment(value: SSAValue, layout: Layout, rows: SSAValue, cols: SSAValue) -> list[SSAValue]:
        """This lane's elements of an operand: one ldmatrix from a staged tile where it fits, else
        `value` at each element's coordinates."""
        plan = ldmatrix_plan(value, layout, rows, cols, mi)
        if plan is None:
            return [copy(value, assignment(layout, rows, cols, e)) for e in range(layout.elements)]
        count, trans, starts = plan
        load = value.owner
        index = copy(load.index, {rows: coords.get(starts, 0, 0), cols: coords.get(starts, 1, 0)})
        new_ops.append(matrix := uop.LdMatrixOp(load.buffer, index, count, trans))
        return list(matrix.elements)

    stages = [op for op in ops if isinstance(op, loop.RangeOp) and op.range_kind == RK.STAGE]

    def descriptor(value: SSAValue, rows: loop.RangeOp) -> tuple[SSAValue, SSAValue, bool]:
        """(tile, descriptor, MN-major) of a wgmma operand: the staged tile `value` is read from and the
        descriptor of its block at (row 0, k 0), after checking the stage pass laid the block out
        as the descriptor says (tinyir/tensor_cores.py SharedOperands)."""
        shared = mi.shared
        assert shared is not None
        load = value.owner
        if not (isinstance(load, uop.LoadOp) and isinstance(load.buffer.owner, uop.DefineLocalOp)):
            raise LoopToUopError(kernel, f"loop-to-uop: {mi.name} reads A and B from staged tiles: add a stage "
                                         "action on the reduce axis")
        shared = _block_layout(load.index, rows, k, shared, stages)
        if shared is None:
            raise LoopToUopError(kernel, f"loop-to-uop: the staged tile of a {mi.name} operand is not in a "
                                         "layout its descriptor can name (core matrices, or swizzled)")
        new_ops.append(zero := uop.ConstOp(0, i32))
        origin = copy(load.index, {rows.result: zero.result, k.result: zero.result})
        # the start address field is bytes >> 4: 16-bit elements >> 3
        new_ops.extend([three := uop.ConstOp(3, i32), start := uop.ShrOp(origin, three.result),
                        wide := uop.CastOp(start.result, i64), bits := uop.ConstOp(shared.descriptor_bits(), i64),
                        desc := uop.OrOp(wide.result, bits.result)])
        desc.result.name_hint = "desc"
        return load.buffer, desc.result, shared.mn_major

    results: list[loop.ReduceOp] = []
    for op in ops:
        if op in tc_ranges:
            continue
        if op is red and mi.shared is not None:  # wgmma: A and B through descriptors
            a_tile, a_desc, a_trans = descriptor(found.x, m)
            b_tile, b_desc, b_trans = descriptor(found.y, n)
            zero = uop.ConstOp(0.0, f32)
            mma = uop.WgmmaOp(mi.name, a_tile, a_desc, b_tile, b_desc, [zero.result] * mi.c.elements, a_trans, b_trans)
            new_ops += [zero, mma]
            rest = [r for r in red.ranges if r is not k.result]
            for d in mma.d:
                results.append(part := loop.ReduceOp(red.kind, d, rest))
                part.result.name_hint = red.result.name_hint
                new_ops.append(part)
            continue
        if op is red:
            a = fragment(found.x, mi.a, m.result, k.result)
            b = fragment(found.y, mi.b, k.result, n.result)
            zero = uop.ConstOp(0.0, f32)
            mma = uop.MmaOp(mi.name, a, b, [zero.result] * mi.c.elements)
            new_ops += [zero, mma]
            rest = [r for r in red.ranges if r is not k.result]
            for e, d in enumerate(mma.d):
                results.append(part := loop.ReduceOp(red.kind, d, rest))
                part.result.name_hint = red.result.name_hint
                new_ops.append(part)
            continue
        touched = frozenset().union(*(reach.get(v, frozenset()) for v in op.operands)) | frozenset(
            l for r in op.results for l in reach.get(r, frozenset()))
        if not touched:
            op.detach()
            new_ops.append(op)
            if op is lane:  # the lane's coordinates next, before anything reads them
                for layout in (x for x in (mi.a, mi.b, mi.c) if x is not None):
                    for e in range(layout.elements):
                        coords.get(layout, 0, e), coords.get(layout, 1, e)
            continue
        if not op.results:  # a store (or another effect) after the tile: one per element of C
            for e in range(mi.c.elements):
                assign = {**assignment(mi.c, m.result, n.result, e), red.result: results[e].result}
                new_ops.append(op.clone_without_regions({v: copy(v, assign) for v in op.operands}))
    _replace_body(block, new_ops)


def _block_layout(index: SSAValue, rows: loop.RangeOp, k: loop.RangeOp, plain: SharedOperands,
                  stages: Sequence[loop.RangeOp]) -> SharedOperands | None:
    """Which layout the stage pass gave a wgmma operand's tile (tinyir/passes/stage.py): interleaved
    core matrices (K-major or MN-major), or a 32/64/128-byte swizzle whose block row holds 1, 2 or 4 k
    steps (the stage range above the tc k); found by evaluating the tile index at sample (row, k)
    against each candidate's element_offset. None: none fits."""
    candidates: list[tuple[SharedOperands, loop.RangeOp | None]] = [
        (plain, None), (replace(plain, mn_major=True), None), (plain.swizzled(32), None)]
    candidates += [(plain.swizzled(32 * st.extent), st) for st in stages if st.extent in (2, 4)]
    if rows.extent % 64 == 0:
        candidates.append((SharedOperands.swizzled_mn(rows.extent), None))
    sample_rows = sorted({*range(min(rows.extent, 9)), 15, 16, 32, rows.extent - 1} & set(range(rows.extent)))
    for layout, outer in candidates:
        base = _index_at(index, {})
        if base is None or base % (rows.extent * layout.block_k):
            continue
        fits = True
        for r in sample_rows:
            for kk in range(layout.block_k):
                env = {rows.result: r, k.result: kk % k.extent}
                if outer is not None:
                    env[outer.result] = kk // k.extent
                at = _index_at(index, env)
                if at is None or at - base != layout.element_offset(r, kk):
                    fits = False
                    break
            if not fits:
                break
        if fits:
            return layout
    return None


_INDEX_ARITH = {uop.AddOp: lambda a, b: a + b, uop.MulOp: lambda a, b: a * b, uop.ShrOp: lambda a, b: a >> b,
                uop.AndOp: lambda a, b: a & b, uop.XorOp: lambda a, b: a ^ b, uop.IdivOp: lambda a, b: a // b if b else 0,
                uop.ModOp: lambda a, b: a % b if b else a}


def _index_at(value: SSAValue, env: dict[SSAValue, int]) -> int | None:
    """An index expression's value with ranges set by `env` (others 0); None if not plain arithmetic
    (the tile indices here are non-negative: floor and truncation agree)."""
    owner = value.owner
    if isinstance(owner, loop.RangeOp):
        return env.get(value, 0)
    if isinstance(owner, uop.ConstOp):
        literal = uop.literal_value(owner.value)
        return int(literal) if isinstance(literal, int) else None
    if type(owner) in _INDEX_ARITH:
        a, b = (_index_at(v, env) for v in owner.operands)
        return None if a is None or b is None else _INDEX_ARITH[type(owner)](a, b)
    return None


def ldmatrix_plan(value: SSAValue, layout: Layout, rows: SSAValue, cols: SSAValue,
                  mi: MatrixInstruction) -> tuple[int, bool, Layout] | None:
    """(blocks, transposed, where each lane's row starts) when an operand's elements can come from
    one `uop.ldmatrix`: the value is an f16 or bf16 load from a staged tile whose index is affine, one of the
    operand's axes contiguous in it and every other step a multiple of 8 elements (16-byte rows),
    and the layout hands each lane the pairs ldmatrix does (NVIDIA's fragments). None otherwise."""
    from tinyir.passes.kernel_heuristics import _evaluate

    load = value.owner
    if not (mi.threads == 32 and mi.name.startswith("mma.") and isinstance(load, uop.LoadOp)
            and isinstance(load.buffer.owner, uop.DefineLocalOp) and _element_name(value.type) is not None
            and load.gate is None):
        return None
    pair = 0 if layout.element_bits[0][0] else 1  # the axis an element pair runs along
    count = layout.elements // 2
    for lane in range(32):
        for j in range(count):
            origin = layout.coordinate(0, 2 * j)
            for p in range(2):
                step = [0, 0]
                step[1 - pair], step[pair] = lane >> 2, 2 * (lane & 3) + p
                if layout.coordinate(lane, 2 * j + p) != (origin[0] + step[0], origin[1] + step[1]):
                    return None
    ranges: set[SSAValue] = set()
    todo = [load.index]
    while todo:
        v = todo.pop()
        if isinstance(v.owner, loop.RangeOp):
            ranges.add(v)
        elif isinstance(v.owner, Operation):
            todo.extend(v.owner.operands)
    base = _evaluate(load.index, {}, {})
    strides = {r: _evaluate(load.index, {r: 1}, {}) for r in ranges}
    if base is None or any(s is None for s in strides.values()):
        return None
    strides = {r: s - base for r, s in strides.items()}
    axis_range = (rows, cols)
    if strides.get(axis_range[pair]) == 1:
        trans, along = False, 1 - pair   # stored rows run along the other axis
    elif strides.get(axis_range[1 - pair]) == 1:
        trans, along = True, pair
    else:
        return None
    contiguous = axis_range[1 - along]
    if base % 8 or any(s % 8 for r, s in strides.items() if r is not contiguous):
        return None
    row_step = [(0, 0)] * 3
    row_step = [((1 << i, 0) if along == 0 else (0, 1 << i)) for i in range(3)]
    block_steps = list(layout.element_bits[1:1 + (count.bit_length() - 1)])
    lane_bits = (*row_step, *block_steps, *[(0, 0)] * (2 - len(block_steps)))
    return count, trans, Layout(layout.rows, layout.cols, lane_bits, ())


def _replace_body(block, new_ops: list[Operation]) -> None:
    kept = set(map(id, new_ops))
    for op in reversed(list(block.ops)):
        if id(op) not in kept:
            op.detach()
            op.erase(safe_erase=False)
    for op in list(block.ops):
        op.detach()
    for op in new_ops:
        block.add_op(op)


def accumulate_in_place(kernel: uop.KernelOp) -> None:
    """`d = mma(a, b, 0)` whose every element only feeds `x_e + d_e` becomes `mma(a, b, x)`: the
    instruction adds C itself, so the accumulators go through it instead of through separate adds.
    The new mma is placed before the first of those adds (every x_e is defined before it when the
    mmas are rewritten in order: an unrolled second mma's x_e is the first one's result)."""
    block = kernel.body.block
    for mma in [op for op in block.ops if isinstance(op, uop.MmaOp | uop.WgmmaOp)]:
        zeros = all(isinstance(c.owner, uop.ConstOp) and uop.literal_value(c.owner.value) == 0.0 for c in mma.c)
        adds = []
        for d in mma.d:
            uses = list(d.uses)
            if len(uses) != 1 or not isinstance(uses[0].operation, uop.AddOp) or uses[0].index != 1:
                break
            adds.append(uses[0].operation)
        if not zeros or len(adds) != len(mma.d):
            continue
        ops = list(block.ops)
        first = min(adds, key=ops.index)
        where = ops.index(first)
        if any(isinstance(a.lhs.owner, Operation) and a.lhs.owner.parent is block and ops.index(a.lhs.owner) >= where
               for a in adds):
            continue
        c = [a.lhs for a in adds]
        fused = mma.with_c(c) if isinstance(mma, uop.WgmmaOp) else uop.MmaOp(mma.instruction.data, list(mma.a),
                                                                                list(mma.b), c)
        Rewriter.insert_op(fused, InsertPoint.before(first))
        for add, d in zip(adds, fused.d):
            add.result.replace_all_uses_with(d)
            add.detach()
            add.erase()
        mma.detach()
        mma.erase()
