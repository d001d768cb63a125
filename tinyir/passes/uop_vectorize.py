"""`uop-vectorize`: runs of scalar loads (stores) of consecutive elements become one `uop.vload`
(`uop.vstore`), which GPU targets emit as vector accesses (`ld.global.v4.f32`, `vload4`, `float4`).

Upcast copies (tinyir/passes/expand.py) leave N scalar accesses of one buffer at indices base+0 ..
base+N-1. A run is grouped when its accesses have the same buffer, element type (f32, i32, f16) and gate,
their indices are one linear form `sum(coef * value) + k` that differs only in the constant k, and
base (the k = 0 index) is provably a multiple of N (buffers are aligned to at least 16 bytes, so an
aligned element index is an aligned address). Loads are merged at the first load, stores at the
last; nothing is moved across a loop boundary, a barrier, or a store (for loads) or other access
(for stores) of a buffer that may be the same memory, nor a store past an assign to the accumulator
it stores. Whatever is not proven stays scalar.

`scalarize` is the inverse, for targets that lower vector accesses lane by lane.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, bf16, f16, f32, i32
from xdsl.ir import Attribute, Block, Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter
from xdsl.rewriter import InsertPoint

from tinyir.dialects import uop
from tinyir.passes.symbolic import int_const, linear_terms
from tinyir.rewrite import Rule, RulePass, RuleTable, rule

#: element types whose runs are merged (targets lower other vector accesses lane by lane)
VECTOR_TYPES = (f32, i32, f16)
#: a power of two at least as large as any alignment worth knowing (and far below 2**32, see `_multiple`)
MAX_ALIGN = 1 << 16
Form = tuple[frozenset[tuple[SSAValue, int]], int]  # ({(value, coef)}, const)
Access = uop.LoadOp | uop.StoreOp


def _pow2(n: int) -> int:
    """The largest power of two dividing n (MAX_ALIGN for 0)."""
    return min(n & -n, MAX_ALIGN) if n else MAX_ALIGN


class IndexFacts:
    """Linear forms and known power-of-two divisors of i32 values, cached per kernel.

    Index math is i32 and may wrap; both facts still hold modulo 2**32, which every power of two up
    to MAX_ALIGN divides, and in-bounds indices differ by exactly their constants."""

    def __init__(self) -> None:
        self.multiples: dict[SSAValue, int] = {}

    def form(self, index: SSAValue) -> Form | None:
        """`index` as ({(value, coef)}, const); None if it reads an accumulator directly (whose
        value changes between two accesses, so equal forms would not mean equal values)."""
        coefs: dict[SSAValue, int] = {}
        terms, const = linear_terms(index)
        for value, coef in terms:
            if isinstance(value.owner, uop.DefineAccOp):
                return None
            coefs[value] = coefs.get(value, 0) + coef
        return frozenset((v, c) for v, c in coefs.items() if c), const

    def multiple(self, v: SSAValue) -> int:
        """A power of two that divides `v` at every point (1 if nothing is known)."""
        if v not in self.multiples:
            self.multiples[v] = 1  # cut cycles through accumulators
            self.multiples[v] = self._multiple(v)
        return self.multiples[v]

    def _multiple(self, v: SSAValue) -> int:
        op = v.owner
        c = int_const(v)
        if c is not None:
            return _pow2(c)
        if isinstance(op, uop.RangeOp) and op.end.value.data - op.start.value.data == 1:
            return _pow2(op.start.value.data)
        if isinstance(op, uop.AddOp | uop.WhereOp):
            a, b = op.operands[-2:]
            return min(self.multiple(a), self.multiple(b))
        if isinstance(op, uop.MulOp):
            return min(self.multiple(op.lhs) * self.multiple(op.rhs), MAX_ALIGN)
        shift = int_const(op.rhs) if isinstance(op, uop.ShlOp) else None
        if shift is not None and 0 <= shift < 16:
            return min(self.multiple(op.lhs) << shift, MAX_ALIGN)
        if isinstance(op, uop.ModOp) and int_const(op.rhs):  # x - c * trunc(x / c)
            return min(self.multiple(op.lhs), _pow2(int_const(op.rhs)))
        if isinstance(op, uop.AndOp) and int_const(op.rhs) is not None:  # clears bits: x's zeros or c's stay
            return max(self.multiple(op.lhs), _pow2(int_const(op.rhs)))
        shift = int_const(op.rhs) if isinstance(op, uop.ShrOp) else None
        if shift is not None and 0 <= shift < 16:  # x >> s: x's low zeros past s
            return max(self.multiple(op.lhs) >> shift, 1)
        return 1

    def aligned(self, form: Form, width: int) -> bool:
        """Whether `form` is a multiple of `width` (a power of two) at every point."""
        terms, const = form
        return const % width == 0 and all(_pow2(coef) * self.multiple(v) % width == 0 for v, coef in terms)


def _may_alias(a: SSAValue, b: SSAValue) -> bool:
    """Kernel arguments may be one buffer passed twice; a define_local is its own memory."""
    return a is b or (isinstance(a.owner, Block) and isinstance(b.owner, Block))


def _value_of(op: Access) -> SSAValue:
    return op.result if isinstance(op, uop.LoadOp) else op.value


def _is_copy(op: Access) -> bool:
    """A load whose value only goes to stores, or a store of a lane of a merged load: its bits move
    unchanged (a store of a scalar load stays scalar: that load may have readers that compute, for
    which uop-emulate-bf16 widens it to f32)."""
    if isinstance(op, uop.LoadOp):
        return all(isinstance(u.operation, uop.StoreOp) and u.operation.value is op.result for u in op.result.uses)
    return isinstance(op.value.owner, uop.VLoadOp)


def _runs(ops: list[Operation], cls: type[Access], width: int, facts: IndexFacts,
          copy_types: tuple[Attribute, ...] = ()) -> list[list[Access]]:
    """Candidate runs: `width` accesses of class `cls` at base+0 .. base+width-1, base aligned (of
    VECTOR_TYPES, or of `copy_types` where the access is part of a copy)."""
    groups: dict[tuple, dict[int, list[Access]]] = {}
    for op in ops:
        if isinstance(op, cls) and (_value_of(op).type in VECTOR_TYPES
                                    or (_value_of(op).type in copy_types and _is_copy(op))):
            form = facts.form(op.index)
            if form is not None and not isinstance(getattr(op.gate, "owner", None), uop.DefineAccOp):
                key = (op.buffer, op.gate, _value_of(op).type, form[0])
                groups.setdefault(key, {}).setdefault(form[1], []).append(op)
    runs = []
    for (buffer, _, _, terms), by_const in groups.items():
        if buffer.type.size() < width:  # a gated-off access may read element 0 .. width-1 (AMDGPU)
            continue
        for start in sorted(by_const):
            if facts.aligned((terms, start), width) and all(by_const.get(start + k) for k in range(width)):
                runs.append([by_const[start + k][0] for k in range(width)])
    return runs


def _blocked(ops: list[Operation], pos: dict[Operation, int], run: list[Access], stores_only: bool) -> bool:
    """Whether something between the run's first and last access forbids merging it there: a loop
    boundary, a barrier, an access of the same memory (only stores, for a run of loads), or (for
    stores) a write to an accumulator one of them stores."""
    first, last = min(pos[a] for a in run), max(pos[a] for a in run)
    members = set(run)
    buffer = run[0].buffer
    stored = {a.value for a in run} if not stores_only else set()  # an accumulator is read when stored
    for op in ops[first + 1:last]:
        if isinstance(op, uop.RangeOp | uop.EndRangeOp | uop.BarrierOp):
            return True
        if isinstance(op, uop.AssignOp) and op.acc in stored:
            return True
        accesses = (uop.StoreOp, uop.VStoreOp) if stores_only else (uop.StoreOp, uop.VStoreOp, uop.LoadOp, uop.VLoadOp)
        if isinstance(op, accesses) and op not in members and _may_alias(op.buffer, buffer):
            return True
    return False


def _defined_before(value: SSAValue, at: int, pos: dict[Operation, int]) -> bool:
    owner = value.owner
    return isinstance(owner, Block) or pos.get(owner, at) < at


def vectorize_kernel(kernel: uop.KernelOp, rewriter: PatternRewriter, width: int,
                     dropped: list[SSAValue], copy_types: tuple[Attribute, ...] = ()) -> bool:
    """Merge the kernel's runs of loads and stores, widest first (`copy_types`: element types
    merged only in copies). Returns whether it changed; the indices of the merged lanes 1.. are
    added to `dropped`."""
    changed = False
    facts = IndexFacts()
    for w in (n for n in sorted(uop.VECTOR_WIDTHS, reverse=True) if n <= width):
        for cls in (uop.LoadOp, uop.StoreOp):
            for run in _runs(list(kernel.body.block.ops), cls, w, facts, copy_types):  # disjoint runs
                ops = list(kernel.body.block.ops)  # afresh: each merge moves and erases accesses
                pos = {op: i for i, op in enumerate(ops)}
                if _blocked(ops, pos, run, stores_only=cls is uop.LoadOp):
                    continue
                at = min(pos[a] for a in run) if cls is uop.LoadOp else max(pos[a] for a in run)
                if not _defined_before(run[0].index, at + (cls is uop.StoreOp), pos):
                    continue  # lane 0's index is computed after the first load
                dropped.extend(a.index for a in run[1:])
                _merge(run, ops[at], rewriter)
                changed = True
    return changed


def _merge(run: list[Access], at: Operation, rewriter: PatternRewriter) -> None:
    lane0 = run[0]
    if isinstance(lane0, uop.LoadOp):
        vload = uop.VLoadOp(lane0.buffer, lane0.index, len(run), lane0.gate)
        rewriter.insert(vload, InsertPoint.before(at))
        for load, lane in zip(run, vload.lanes):
            rewriter.replace(load, [], [lane])
    else:
        rewriter.insert(uop.VStoreOp(lane0.buffer, lane0.index, [s.value for s in run], lane0.gate),
                           InsertPoint.after(at))
        for store in run:
            rewriter.erase(store)


# -- the inverse, for targets without vector accesses ---------------------------------------------


def _lane_index(index: SSAValue, k: int) -> Operation | SSAValue:
    return index if k == 0 else uop.AddOp(index, uop.ConstOp(k, index.type).result)  # INDEX64: i32 or i64


def _scalar_loads(op: uop.VLoadOp) -> list[Operation]:
    return [uop.LoadOp(op.buffer, _out(_lane_index(op.index, k)), op.gate) for k in range(len(op.lanes))]


def _scalar_stores(op: uop.VStoreOp, rewriter: PatternRewriter) -> bool:
    for k, value in enumerate(op.values):
        index = _lane_index(op.index, k)
        new = [index.operands[1].owner, index] if isinstance(index, Operation) else []
        rewriter.insert([*new, uop.StoreOp(op.buffer, _out(index), value, op.gate)], InsertPoint.before(op))
    rewriter.erase(op)
    return True


def _out(v: Operation | SSAValue) -> SSAValue:
    return v.results[0] if isinstance(v, Operation) else v


def vector_element(op: uop.VLoadOp | uop.VStoreOp) -> Attribute:
    """The element type of a vector access."""
    return op.lanes[0].type if isinstance(op, uop.VLoadOp) else op.values[0].type


def scalarize(root: Operation, keep: Callable[[Operation], bool] = lambda op: False) -> None:
    """Lower the vload/vstore ops under `root` to scalar loads/stores (same meaning, lane by lane),
    except those `keep` accepts (a target's lowering turns them into its vector accesses)."""
    RuleTable("uop-scalarize", [
        rule(uop.VLoadOp, lambda op: None if keep(op) else _scalar_loads(op), "vload -> one load per lane at index + k"),
        rule(uop.VStoreOp, lambda op, rw: None if keep(op) else _scalar_stores(op, rw),
             "vstore -> one store per lane at index + k"),
    ]).apply(root, greedy=False)


@dataclass(frozen=True)
class UopVectorize(RulePass):
    """Merge runs of consecutive, aligned scalar loads and stores into uop.vload / uop.vstore."""

    name = "uop-vectorize"
    summary = "merge runs of consecutive aligned loads/stores (upcast copies) into vector accesses"
    greedy = False

    width: int = 4  # the widest vector, in lanes (2 or 4); narrower runs are merged too
    # bf16 runs too where they only copy (a load whose value only goes to stores, and those stores):
    # for uop-async-copy, whose cp.async copies 4, 8 or 16 bytes; the lowering must then accept bf16
    # vectors, or copy them lane by lane (uop-to-ptx), since uop-emulate-bf16 leaves them as bits
    bf16_copies: bool = False

    def __post_init__(self) -> None:
        if self.width not in uop.VECTOR_WIDTHS:
            raise ValueError(f"width must be one of {', '.join(map(str, uop.VECTOR_WIDTHS))}, got {self.width}")

    def rules(self) -> Sequence[Rule]:
        copy_types = (bf16,) if self.bf16_copies else ()
        return [rule(uop.KernelOp, lambda op, rw: vectorize_kernel(op, rw, self.width, self._dropped, copy_types),
                     "merge runs of N loads (stores) of base+0..N-1, base a multiple of N, into vload (vstore)")]

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        object.__setattr__(self, "_dropped", [])  # per run: the lane indices the merges left behind
        super().apply(ctx, op)
        _erase_unused(self._dropped)


def _erase_unused(values: list[SSAValue]) -> None:
    """Erase the pure index math computing `values` that nothing uses any more."""
    while values:
        owner = values.pop().owner
        if isinstance(owner, Operation) and owner.parent is not None and type(owner) in uop.PURE_UOPS \
                and not any(r.uses for r in owner.results):
            values.extend(owner.operands)
            owner.detach()
            owner.erase()
