"""`shapetracker-to-loop`: each `st.kernel` (after fold-views) becomes a `loop.kernel`.

Iteration space (an analysis, `KernelSpace.of`): one `loop.range global` per output dim and one
`loop.range reduce` per reduced dim (size-1 dims get no range: their index is the constant 0).
Values before the reduce are indexed by the full (pre-reduce) shape, values after it by the
output (keepdims) shape, whose reduced dims are 1.

The op-by-op conversion is a rule table: every leaf turns into index/validity math through
`ShapeTracker.index_and_valid` with a builder that emits `uop` ops; `tir` elementwise ops become
their scalar `uop` twins; `tir.reduce_sum/max` becomes `loop.reduce add/max`; `st.store` becomes
`uop.store`. Host ops (`st.alloc`, `st.buffer_constant`, ...) are left alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
import math
from dataclasses import dataclass, field
from typing import Any

from xdsl.context import Context
from xdsl.dialects.builtin import BFloat16Type, Float16Type, ModuleOp, TensorType, f32, i1, i32, i64
from xdsl.ir import Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter
from xdsl.rewriter import InsertPoint, Rewriter

from tinyir.dialects import loop, tensor as tir, uop
from tinyir.dialects import shapetracker as st
from tinyir.diagnostics import DiagnosticError
from tinyir.rewrite import Rule, RulePass, RuleTable, rule
from tinyir.shapetracker.view import ShapeTracker

REDUCE_KIND = {tir.ReduceSumOp: loop.ReduceKind.ADD, tir.ReduceMaxOp: loop.ReduceKind.MAX}

#: Sums of these element types accumulate in a wider type and are cast back at the end (as PyTorch and
#: tinygrad do); max is exact in any type. split-reduce reads this table too.
SUM_ACCUMULATOR: dict[type, Any] = {Float16Type: f32, BFloat16Type: f32}  # DTYPES: bf16 as f16


def sum_accumulator(element: Any) -> Any | None:
    """The type a sum over `element` accumulates in, if wider than `element`."""
    return SUM_ACCUMULATOR.get(type(element))


class StToLoopError(DiagnosticError):
    """An st.kernel outside what this lowering accepts (movement ops left, two reduces, ...)."""


class UopIndexBuilder:
    """The `IndexBuilder` of tinyir/shapetracker/view.py, emitting `uop` ops via `insert`: index math
    in `index_type` (i32, or i64 in a kernel that needs it: see `needs_wide_index`), validity in i1."""

    def __init__(self, insert: Callable[[Operation], None], index_type: Any = i32):
        self.insert = insert
        self.index_type = index_type

    def _emit(self, op: Operation) -> SSAValue:
        self.insert(op)
        return op.results[0]

    def const(self, value: int) -> SSAValue:
        return self._emit(uop.ConstOp(value, self.index_type))

    def add(self, x: SSAValue, y: SSAValue) -> SSAValue:
        return self._emit(uop.AddOp(x, y))

    def mul(self, x: SSAValue, y: SSAValue) -> SSAValue:
        return self._emit(uop.MulOp(x, y))

    def idiv(self, x: SSAValue, y: SSAValue) -> SSAValue:
        return self._emit(uop.IdivOp(x, y))

    def mod(self, x: SSAValue, y: SSAValue) -> SSAValue:
        return self._emit(uop.ModOp(x, y))

    def lt(self, x: SSAValue, y: SSAValue) -> SSAValue:
        return self._emit(uop.CmpltOp(x, y))

    def and_(self, x: SSAValue, y: SSAValue) -> SSAValue:
        return self._emit(uop.AndOp(x, y))

    def true(self) -> SSAValue:
        return self._emit(uop.ConstOp(True, i1))

    def false(self) -> SSAValue:
        return self._emit(uop.ConstOp(False, i1))


def _shape(v: SSAValue) -> tuple[int, ...]:
    t = v.type
    assert isinstance(t, TensorType)
    return tuple(t.get_shape())


def _element(v: SSAValue) -> Any:
    t = v.type
    return t.get_element_type() if isinstance(t, TensorType) else t


@dataclass
class KernelSpace:
    """The iteration space of one kernel: ranges, and the per-dim index for each tensor shape."""

    full_shape: tuple[int, ...]
    out_shape: tuple[int, ...]
    full_idxs: list[SSAValue | int]
    out_idxs: list[SSAValue | int]
    reduce_ranges: list[SSAValue]
    ranges: list[loop.RangeOp]
    index_ops: list[Operation] = field(default_factory=list)  # idiv/mod splitting merged global dims
    index_type: Any = i32  # INDEX64: i64 where an index of this kernel passes MAX_INDEX

    # a row kernel (tinyir/passes/row_loops.py): per op, the indices of its segment, and per reduce
    # its own ranges (each reduce and the outputs loop over the row separately)
    segment_idxs: dict[int, list[SSAValue | int]] = field(default_factory=dict)
    reduce_ranges_of: dict[int, list[SSAValue]] = field(default_factory=dict)
    row_kernel: bool = False

    @staticmethod
    def of(kernel: st.KernelOp, max_global_dims: int = 3) -> KernelSpace:
        """Read the shapes of a kernel and make its (detached) loop.range ops."""
        body = list(kernel.body.block.ops)
        reduces = [op for op in body if isinstance(op, tir.ReduceOp)]
        if len(reduces) > 1 or any(isinstance(op, tir.MOVEMENT_OPS) for op in body):
            from tinyir.passes.row_loops import row_space

            return row_space(kernel, reduces, max_global_dims)
        out_shape = _shape(kernel.store().value)
        full_shape, axes = out_shape, ()
        if reduces:
            red = reduces[0]
            if not red.keepdims():
                raise StToLoopError(red, "shapetracker-to-loop needs keepdims reduces (as after fold-views)")
            full_shape, axes = _shape(red.x), red.axes_tuple()
            if tuple(1 if i in axes else d for i, d in enumerate(full_shape)) != out_shape:
                raise StToLoopError(red, f"reduce result shape {_shape(red.result)} != stored shape {out_shape}")
        return KernelSpace.build(full_shape, out_shape, axes, max_global_dims)

    @staticmethod
    def build(full_shape: tuple[int, ...], out_shape: tuple[int, ...], axes: Sequence[int],
              max_global_dims: int) -> KernelSpace:
        """The ranges of an iteration space: global ranges over `out_shape`, reduce ranges over the
        `axes` of `full_shape`."""
        ranges: list[loop.RangeOp] = []
        index_ops: list[Operation] = []
        dim_index: dict[int, SSAValue] = {}
        global_dims = [d for d, size in enumerate(out_shape) if size > 1]
        # GPUs have 3 grid dimensions: the outermost global dims share one range, split by idiv/mod
        merged = global_dims[: len(global_dims) - max_global_dims + 1] if len(global_dims) > max_global_dims else []
        if merged:
            whole = _range_value(math.prod(out_shape[d] for d in merged), loop.RangeKind.GLOBAL,
                                 "i" + "_".join(str(d) for d in merged), ranges, index_ops)
            inner = 1
            for d in reversed(merged):  # innermost merged dim varies fastest
                value: SSAValue = whole
                if inner > 1:
                    index_ops.append(div := uop.IdivOp(value, _const_op(index_ops, inner, value.type)))
                    value = div.result
                if d != merged[0]:
                    index_ops.append(rem := uop.ModOp(value, _const_op(index_ops, out_shape[d], value.type)))
                    value = rem.result
                dim_index[d] = value
                inner *= out_shape[d]
        for d in global_dims:  # global ranges first, in dim order
            if d not in dim_index:
                dim_index[d] = _range_value(out_shape[d], loop.RangeKind.GLOBAL, f"i{d}", ranges, index_ops)
        full_idxs: list[SSAValue | int] = []
        out_idxs: list[SSAValue | int] = []
        for d in range(len(out_shape)):
            idx = dim_index.get(d)
            out_idxs.append(idx if idx is not None else 0)
            full_idxs.append(idx if (idx is not None and d not in axes) else 0)
        reduce_ranges = []
        for d in axes:
            if full_shape[d] > 1:
                first = len(ranges)
                full_idxs[d] = _range_value(full_shape[d], loop.RangeKind.REDUCE, f"r{d}", ranges, index_ops)
                reduce_ranges += [r.result for r in ranges[first:]]
        return KernelSpace(full_shape, out_shape, full_idxs, out_idxs, reduce_ranges, ranges, index_ops)

    def widen(self) -> None:
        """INDEX64: compute this kernel's index math in i64. Ranges stay i32 (each fits); each i32 dim
        index is cast to i64 once, and the index math built from it is i64."""
        self.index_type = i64
        casts: dict[SSAValue, SSAValue] = {}

        def wide(idx: SSAValue | int) -> SSAValue | int:
            if isinstance(idx, int) or idx.type == i64:
                return idx
            if idx not in casts:
                self.index_ops.append(cast := uop.CastOp(idx, i64))
                casts[idx] = cast.result
            return casts[idx]

        self.full_idxs = [wide(i) for i in self.full_idxs]
        self.out_idxs = [wide(i) for i in self.out_idxs]

    def idxs_for(self, shape: tuple[int, ...], op: Operation) -> list[SSAValue | int]:
        if id(op) in self.segment_idxs:
            return self.segment_idxs[id(op)]
        if shape == self.full_shape:
            return self.full_idxs
        if shape == self.out_shape:
            return self.out_idxs
        if self.row_kernel and [n for n in shape if n != 1] == [n for n in self.out_shape if n != 1]:
            # one value per row, reshaped by size-1 dims (a row kernel's reduce dropping its axes)
            idxs = iter(i for i, n in zip(self.out_idxs, self.out_shape) if n != 1)
            return [next(idxs) if n != 1 else 0 for n in shape]
        raise StToLoopError(op, f"a kernel value of shape {shape} is neither the full shape {self.full_shape} "
                            f"nor the output shape {self.out_shape} (run fold-views first)")


def _const_op(ops: list[Operation], value: int, type: Any = i32) -> SSAValue:
    const = uop.ConstOp(value, type)
    ops.append(const)
    return const.result


def _range_value(extent: int, kind: loop.RangeKind, name: str, ranges: list[loop.RangeOp],
                 index_ops: list[Operation]) -> SSAValue:
    """The index of one loop over `extent` points: a range, or (INDEX64) for an extent past
    MAX_INDEX two ranges `outer * inner + inner'` of extents that fit, their index in i64. An
    extent with no such factoring (a large prime) is one clear error."""
    if extent <= MAX_INDEX:
        r = loop.RangeOp(extent, kind)
        r.result.name_hint = name
        ranges.append(r)
        return r.result
    # the fewest outer iterations whose inner loop fits: long inner loops (the CPU's vector loop, a GPU's
    # x dimension) and a short outer one (a GPU's y dimension holds 65535); the search is bounded
    least = -(-extent // MAX_INDEX)
    outer = next((f for f in range(least, least + 2**20) if extent % f == 0), None)
    if outer is None:
        raise StToLoopError(None, f"a loop of {extent} points has no factor that splits it into two of at most "
                                  f"{MAX_INDEX} (loops are 32-bit)")
    inner = extent // outer
    outer_r, inner_r = loop.RangeOp(outer, kind), loop.RangeOp(inner, kind)
    outer_r.result.name_hint, inner_r.result.name_hint = name, name + "_in"
    ranges += [outer_r, inner_r]
    index_ops += [o := uop.CastOp(outer_r.result, i64), n := uop.CastOp(inner_r.result, i64)]
    index_ops += [m := uop.MulOp(o.result, _const_op(index_ops, inner, i64)), a := uop.AddOp(m.result, n.result)]
    return a.result


@dataclass(frozen=True)
class ShapetrackerToLoop(RulePass):
    """Lower st.kernels to loop.kernels (iteration-space analysis + conversion rule table)."""

    name = "shapetracker-to-loop"
    summary = "turn each st.kernel into a loop.kernel: ranges, index math, scalar uop ALU, loop.reduce"

    max_global_dims: int = 3  # outer output dims beyond this share one global range

    def kernel_rules(self, space: KernelSpace) -> Sequence[Rule]:
        def builder(root: Operation, rewriter: PatternRewriter) -> UopIndexBuilder:
            return UopIndexBuilder(lambda op: rewriter.insert(op, InsertPoint.before(root)), space.index_type)

        def index_and_valid(op: Operation, tracker: ShapeTracker,
                            rewriter: PatternRewriter) -> tuple[SSAValue, SSAValue | None]:
            idx, valid = tracker.index_and_valid(space.idxs_for(tracker.shape, op), builder(op, rewriter))
            if isinstance(valid.owner, uop.ConstOp) and uop.literal_value(valid.owner.value) is True:
                if not valid.uses:  # always valid: no gate, and no dead `true` left behind
                    rewriter.erase(valid.owner)
                return idx, None
            return idx, valid

        def gated(value: SSAValue, valid: SSAValue | None, rewriter: PatternRewriter, root: Operation) -> Any:
            if valid is None:
                return value
            zero = uop.ConstOp(0, value.type)
            rewriter.insert(zero, InsertPoint.before(root))
            return uop.WhereOp(valid, value, zero.result)

        def load(op: st.LoadOp, rewriter: PatternRewriter) -> Operation:
            idx, valid = index_and_valid(op, op.tracker(), rewriter)
            return uop.LoadOp(op.buffer, idx, valid)

        def const(op: st.ConstOp, rewriter: PatternRewriter) -> Any:
            idx, valid = index_and_valid(op, op.tracker(), rewriter)
            if not idx.uses and isinstance(idx.owner, uop.ConstOp):  # a splat needs no index
                rewriter.erase(idx.owner)
            c = uop.ConstOp(op.scalar(), _element(op.result))
            rewriter.insert(c, InsertPoint.before(op))
            return gated(c.result, valid, rewriter, op)

        def arange(op: st.ArangeOp, rewriter: PatternRewriter) -> Any:
            idx, valid = index_and_valid(op, op.tracker(), rewriter)
            if _element(op.result) != idx.type:  # INDEX64: an i32 arange of a wide kernel truncates
                cast = uop.CastOp(idx, _element(op.result))
                rewriter.insert(cast, InsertPoint.before(op))
                idx = cast.result
            return gated(idx, valid, rewriter, op)

        def store(op: st.StoreOp, rewriter: PatternRewriter) -> Operation:
            idx, valid = index_and_valid(op, op.tracker(), rewriter)
            return uop.StoreOp(op.buffer, idx, op.value, valid)

        def alu(op: Operation) -> Operation:
            return uop.ALU_BY_NAME[op.name.split(".", 1)[1]].create(
                operands=list(op.operands), result_types=[_element(op.results[0])])

        def widened(value: SSAValue, wide: Any, root: Operation, rewriter: PatternRewriter) -> SSAValue:
            """`value` in the accumulator type; a product of narrow values is computed wide (exact for f16)."""
            def cast(v: SSAValue) -> SSAValue:
                rewriter.insert(c := uop.CastOp(v, wide), InsertPoint.before(root))
                return c.result

            mul = value.owner
            if not isinstance(mul, uop.MulOp):
                return cast(value)
            rewriter.insert(product := uop.MulOp(cast(mul.lhs), cast(mul.rhs)), InsertPoint.before(root))
            if mul.result.has_one_use():  # only this reduce read the narrow product
                rewriter.replace(mul, [], [product.result])
            return product.result

        def reduce(op: tir.ReduceOp, rewriter: PatternRewriter) -> Operation | SSAValue:
            ranges = space.reduce_ranges_of.get(id(op), space.reduce_ranges)
            if not ranges:  # only size-1 axes: nothing to combine
                return op.x
            kind = REDUCE_KIND[type(op)]
            narrow = op.x.type
            wide = sum_accumulator(narrow) if kind == loop.ReduceKind.ADD else None
            if wide is None:
                return loop.ReduceOp(kind, op.x, ranges)
            total = loop.ReduceOp(kind, widened(op.x, wide, op, rewriter), ranges)
            return uop.CastOp(total.result, narrow)

        def row_broadcast(op: Operation) -> SSAValue | None:
            """A row kernel's reduce value seen over its row (or reshaped by size-1 dims): itself."""
            return op.operands[0] if space.row_kernel else None

        return [
            rule(st.LoadOp, load, "st.load -> index/valid math + uop.load (gated when the view masks)"),
            rule(st.ConstOp, const, "st.const -> uop.const (where valid, else 0)"),
            rule(st.ArangeOp, arange, "st.arange -> the view index (where valid, else 0)"),
            rule(tir.ELEMENTWISE_OPS, alu, "tir elementwise op -> its scalar uop twin"),
            rule(tir.REDUCE_OPS, reduce, "tir.reduce_sum/max -> loop.reduce add/max over the reduce ranges "
                                         "(f16 sums and their products in f32, cast back after)"),
            rule(st.StoreOp, store, "st.store -> index/valid math + uop.store"),
            rule((tir.ExpandOp, tir.ReshapeOp), row_broadcast,
                 "row kernel: a reduce value expanded over its row (or reshaped by 1-dims) -> the value"),
        ]

    def rules(self) -> Sequence[Rule]:
        # the table is built per kernel (its rules close over the iteration space); this one lists it
        return self.kernel_rules(KernelSpace((), (), [], [], [], []))

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for kernel in [k for k in op.walk() if isinstance(k, st.KernelOp)]:
            lower_kernel(kernel, self)


#: index math below this level is i32 unless a kernel needs more (docs/ir.md): i64 where some index
#: of the kernel passes this (INDEX64)
MAX_INDEX = 2**31 - 1


def needs_wide_index(kernel: st.KernelOp, space: KernelSpace) -> bool:
    """INDEX64: whether an index of this kernel may not fit in i32: a buffer, a range's position, or
    a position in a view. Shapes that are only ever broadcast or split into ranges may be larger
    (a 4096^3 matmul iterates 2^36 points through indices below 2^24), so they keep i32 math."""
    for buffer in kernel.buffers:
        count = math.prod(buffer.type.shape_tuple()) if hasattr(buffer.type, "shape_tuple") else 0
        if count > MAX_INDEX:
            return True
    if any(isinstance(i, SSAValue) and i.type == i64 for i in (*space.full_idxs, *space.out_idxs)):
        return True  # a loop past MAX_INDEX, split in two
    for op in kernel.body.block.ops:
        if not isinstance(op, (st.LoadOp, st.ConstOp, st.ArangeOp, st.StoreOp)):
            continue
        views = op.tracker().views
        for below, view in zip((None, *views), views):
            bounds = view.index_range()
            if below is not None and below.size > MAX_INDEX:
                return True
            if bounds is not None and max(-bounds[0], bounds[1]) > MAX_INDEX:
                return True
    return False


def lower_kernel(kernel: st.KernelOp, lowering: ShapetrackerToLoop | None = None) -> loop.KernelOp:
    """Replace one st.kernel by its loop.kernel; returns the new kernel."""
    lowering = lowering or ShapetrackerToLoop()
    from tinyir.passes.fold_views import is_row_broadcast

    for op in kernel.body.block.ops:
        if isinstance(op, tir.MOVEMENT_OPS) and not is_row_broadcast(op):
            raise StToLoopError(op, f"{op.name} left in st.kernel \"{kernel.name_str}\": run fold-views first")
    if lowering.max_global_dims < 1:
        raise StToLoopError(kernel, f"max_global_dims must be at least 1, got {lowering.max_global_dims}")
    try:
        space = KernelSpace.of(kernel, lowering.max_global_dims)
    except StToLoopError as exc:  # INDEX64: a loop that cannot be split is this kernel's error
        if exc.op is not None:
            raise
        raise StToLoopError(kernel, f"kernel \"{kernel.name_str}\": {exc.message}") from None
    if needs_wide_index(kernel, space):
        space.widen()
    region = kernel.detach_region(kernel.body)
    block = region.block
    first = block.first_op
    for r in [*space.ranges, *space.index_ops]:
        block.insert_op_before(r, first) if first is not None else block.add_op(r)
    new_kernel = loop.KernelOp(kernel.name_str, list(kernel.buffers), region)
    new_kernel.attributes.update(kernel.attributes)
    Rewriter.replace_op(kernel, new_kernel)
    table = RuleTable(lowering.name, lowering.kernel_rules(space))
    table.apply(new_kernel, greedy=False)
    leftover = [o for o in block.ops if o.dialect_name() not in ("loop", "uop")]
    if leftover:
        raise StToLoopError(leftover[0], f"shapetracker-to-loop cannot lower {leftover[0].name} "
                                         f"in \"{kernel.name_str}\"")
    return new_kernel
