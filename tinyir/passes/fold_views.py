"""`fold-views`: push the `tir` movement ops of kernel bodies into the shapetrackers of the leaves
(`st.load`, `st.arange`, `st.const`) and, inverted, into the shapetracker of the `st.store`.

Before the reduce of a kernel (the prologue) movements sink: through elementwise ops down to the
leaves. After it (the epilogue) values have the reduced shape and cannot be re-indexed, so only
bijective movements (reshape, permute, flip) may appear there; they rise: above elementwise ops
(the other operands take the inverse movement) up to the store, which inverts them.

Padding needs care: padded elements must read 0, so a pad sinks through `f` only when `f(0, ..) = 0`
by the ALU table (tinyir/alu.py; idiv and mod by 0 are 0 there). Otherwise `pad(f(x))` becomes
`where(pad(true), f(pad(x)), 0)`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, TensorType, i1
from xdsl.ir import Operation, OpResult, SSAValue
from xdsl.pattern_rewriter import PatternRewriter, PatternRewriterListener

from tinyir import alu
from tinyir.diagnostics import emit_error
from tinyir.dialects import shapetracker as st
from tinyir.dialects import tensor as tir
from tinyir.element_types import numpy_dtype
from tinyir.rewrite import Rule, RulePass, RuleTable, rule
from tinyir.shapetracker.view import INVERTIBLE_MOVEMENT_OPS, ShapeTracker, View, invert_permutation

Movement = tuple[str, Any]

def _zero_at_zeros(name: str) -> bool:
    """Whether the ALU table gives 0 for all-zero operands, on every element type the op takes."""
    row = alu.ALU[name]
    if name in alu.CONVERSIONS:
        return True  # a zero converts (and reinterprets) to a zero
    for t in row.dtypes.types():
        zeros = [np.zeros(1, bool if name == "where" and i == 0 else numpy_dtype(t)) for i in range(row.arity)]
        if alu.eval_op(name, zeros, np.dtype(bool) if row.compare else numpy_dtype(t))[0] != 0:
            return False
    return True


# elementwise ops for which f(0, ..., 0) is not 0 by the ALU table (exp2, log2, recip): a pad cannot
# simply sink through them. (idiv and mod by 0 give 0 there, so they need nothing.)
_PAD_NEEDS_WHERE = tuple(op for name, op in tir.ALU_BY_NAME.items() if not _zero_at_zeros(name))


# ----------------------------------------------------------------------------------------------
# movement ops as (kind, argument) pairs


def movement_of(op: Operation) -> Movement:
    """The shapetracker movement a `tir` movement op performs."""
    shape = tuple(tir.shape_of(op.results[0]))
    if isinstance(op, tir.ReshapeOp):
        return "reshape", shape
    if isinstance(op, tir.ExpandOp):
        return "expand", shape
    if isinstance(op, tir.PermuteOp):
        return "permute", op.perm_tuple()
    if isinstance(op, tir.PadOp):
        return "pad", op.pads()
    if isinstance(op, tir.ShrinkOp):
        return "shrink", op.bounds()
    if isinstance(op, tir.FlipOp):
        return "flip", op.axes_tuple()
    raise TypeError(f"{op.name} is not a movement op")


def make_movement(x: SSAValue | Operation, kind: str, arg: Any) -> Operation:
    """A new (detached) `tir` movement op applying `kind(arg)` to `x`."""
    build = {"reshape": tir.ReshapeOp, "expand": tir.ExpandOp, "permute": tir.PermuteOp,
             "pad": tir.PadOp, "shrink": tir.ShrinkOp, "flip": tir.FlipOp}[kind]
    return build(x, arg)


def inverse_movement(kind: str, arg: Any, input_shape: Sequence[int]) -> Movement:
    """The movement that undoes a bijective one (`input_shape` is the shape it started from)."""
    if kind == "reshape":
        return "reshape", tuple(input_shape)
    if kind == "permute":
        return "permute", invert_permutation(arg)
    if kind == "flip":
        return "flip", arg
    raise ValueError(f"{kind} has no inverse")


def _in_kernel(op: Operation) -> bool:
    block = op.parent
    region = block.parent if block is not None else None
    return region is not None and _IS_KERNEL[type(region.parent)]


def _owner(v: SSAValue) -> Operation | None:
    return v.owner if isinstance(v, OpResult) else None


def _type_test(classes: tuple[type, ...]) -> dict[type, bool]:
    """A memo of `issubclass(cls, classes)` by exact type: the hot walks below test millions of
    ops, and `isinstance` on xDSL's ABC-based classes is slow."""
    class Memo(dict):
        def __missing__(self, cls: type) -> bool:
            self[cls] = found = issubclass(cls, classes)
            return found
    return Memo()


_IS_REDUCE = _type_test(tir.REDUCE_OPS)
_IS_OP = _type_test((Operation,))
_IS_LEAF = _type_test(st.LEAF_OPS)
_IS_MOVEMENT = _type_test(tir.MOVEMENT_OPS)
_IS_KERNEL = _type_test((st.KernelOp,))


def _depends_on_reduce(v: SSAValue, memo: ReduceDependence | None = None) -> bool:
    """Whether a kernel-body value is computed from a reduce (it lives in the epilogue)."""
    return (memo or ReduceDependence()).of(v)


class ReduceDependence:
    """`_depends_on_reduce` remembered per op within one run. Every fold-views rewrite replaces a
    value by one computed from the same inputs (a twin, a moved copy, a leaf), so an op's answer
    never changes while it lives; entries keep their op, so a reused id cannot match."""

    def __init__(self) -> None:
        self._known: dict[int, tuple[Operation, bool]] = {}  # id(op) -> (op, computed from a reduce)

    def of(self, v: SSAValue) -> bool:
        root = v.owner  # an op for an OpResult, a Block for a block argument
        if not _IS_OP[type(root)]:
            return False
        known = self._known
        entry = known.get(id(root))
        if entry is not None and entry[0] is root:
            return entry[1]
        seen: set[int] = set()
        visited: list[Operation] = []
        stack = [root]
        while stack:
            owner = stack.pop()
            if not _IS_OP[type(owner)] or id(owner) in seen:
                continue
            seen.add(id(owner))
            entry = known.get(id(owner))
            if entry is not None and entry[0] is owner:
                if entry[1]:
                    known[id(root)] = (root, True)
                    return True
                continue  # its whole subtree is reduce-free
            if _IS_REDUCE[type(owner)]:
                known[id(root)] = (root, True)
                return True
            visited.append(owner)
            stack.extend(operand.owner for operand in owner._operands)
        for op in visited:  # nothing below any of them is a reduce
            known[id(op)] = (op, False)
        return False


def _with_operands(op: Operation, operands: Sequence[SSAValue | Operation], shape: Sequence[int]) -> Operation:
    """A copy of elementwise `op` on new operands, its result of `shape`."""
    values = [o.results[0] if isinstance(o, Operation) else o for o in operands]
    result = tir.make_type(tir.element_type_of(op.results[0]), shape)
    # `create`, as `clone` does: the same operands in number, so the IRDL builder's checks say nothing
    return type(op).create(operands=values, result_types=[result], properties=dict(op.properties),
                           attributes=dict(op.attributes))


def _broadcast(value: Any, shape: Sequence[int], element_type: Any) -> st.ConstOp:
    """An `st.const` leaf: `value` at every index of `shape`."""
    tracker = ShapeTracker((View.create(shape, (0,) * len(shape)),))
    return st.ConstOp(value, tracker, TensorType(element_type, list(shape)))


# ----------------------------------------------------------------------------------------------
# shared moved values


def _dominates(value: SSAValue, op: Operation) -> bool:
    """Whether `value` is defined before `op` in `op`'s block (kernel bodies are one block).

    Walks out from the definition in both directions, so the cost is the distance between them."""
    block = op.parent_block()
    definition = value.owner
    if not _IS_OP[type(definition)]:
        return definition is block
    if definition is op or definition.parent_block() is not block:
        return False
    later, earlier = definition.next_op, definition.prev_op
    while later is not None or earlier is not None:
        if later is op:
            return True
        if earlier is op:
            return False
        later = later.next_op if later is not None else None
        earlier = earlier.prev_op if earlier is not None else None
    return False


_IS_HOISTABLE = _type_test((*st.LEAF_OPS, *tir.ELEMENTWISE_OPS, *tir.MOVEMENT_OPS))


def _hoist_before(value: SSAValue, at: Operation) -> bool:
    """Make `value` defined before `at`, moving its op (and, first, those of its operands that are
    not) up to just before `at`. Safe: a moved op only goes earlier, still before all its users,
    and after its operands. Gives up (False) on anything but pure body ops of `at`'s block."""
    if _dominates(value, at):
        return True
    op = value.owner
    if not _IS_OP[type(op)] or not _IS_HOISTABLE[type(op)] or op.parent_block() is not at.parent_block():
        return False
    if not all(_hoist_before(operand, at) for operand in op.operands):
        return False
    op.detach()
    at.parent_block().insert_op_before(op, at)
    return True


class MovedValues:
    """Hash-consing of movements within one run: (value, kind, argument) -> the value that is
    `kind(argument)` applied to it. Kernel bodies are DAGs; without this, a value shared by several
    paths is moved (and its whole subtree copied) once per path when movements sink.

    Entries follow the rewrites through a listener: when the op of a known moved value is replaced
    (it sank or folded into a leaf), the entry now names the replacement, which computes the same
    and is defined no later; when it is erased, the entry goes."""

    def __init__(self) -> None:
        # key -> (the moved value, the source value, kept so its id stays unique while keyed)
        self._moved: dict[tuple[int, str, Any], tuple[SSAValue, SSAValue]] = {}
        self._keys_of: dict[int, list[tuple[int, str, Any]]] = {}  # id(moved value) -> its keys
        self.listener = PatternRewriterListener(
            operation_replacement_handler=[self._replaced], operation_removal_handler=[self._removed])

    @staticmethod
    def _key(source: SSAValue, kind: str, arg: Any) -> tuple[int, str, Any]:
        return id(source), kind, arg

    def lookup(self, source: SSAValue, kind: str, arg: Any, at: Operation) -> SSAValue | None:
        """The known `kind(arg)` of `source`, made usable at `at` (defined before it), if any."""
        entry = self._moved.get(self._key(source, kind, arg))
        if entry is None or entry[1] is not source or entry[0].owner is at:
            return None
        return entry[0] if _hoist_before(entry[0], at) else None

    def record(self, source: SSAValue, kind: str, arg: Any, moved: SSAValue) -> None:
        key = self._key(source, kind, arg)
        old = self._moved.get(key)
        if old is not None:
            self._forget(key, old[0])
        self._moved[key] = (moved, source)
        self._keys_of.setdefault(id(moved), []).append(key)

    def move(self, source: SSAValue, kind: str, arg: Any, at: Operation) -> SSAValue | Operation:
        """`kind(arg)` of `source` for an op built at `at`: a known value, else a new movement op (a
        leaf's new shapetracker when `source` is a leaf)."""
        known = self.lookup(source, kind, arg, at)
        if known is not None:
            return known
        leaf = source.owner
        if _IS_LEAF[type(leaf)]:  # what fold_into_leaf would make of the movement op, built at once
            new = leaf.with_tracker(leaf.tracker().movement(kind, arg))
        else:
            new = make_movement(source, kind, arg)
        self.record(source, kind, arg, new.results[0])
        return new

    def _forget(self, key: tuple[int, str, Any], moved: SSAValue) -> None:
        keys = self._keys_of.get(id(moved))
        if keys is not None and key in keys:
            keys.remove(key)
            if not keys:
                del self._keys_of[id(moved)]

    def _replaced(self, op: Operation, new_results: Sequence[SSAValue | None]) -> None:
        for old, new in zip(op.results, new_results):
            keys = self._keys_of.pop(id(old), None)
            if not keys:
                continue
            for key in keys:
                source = self._moved[key][1]
                if new is None:
                    del self._moved[key]
                else:
                    self._moved[key] = (new, source)
            if new is not None:
                self._keys_of.setdefault(id(new), []).extend(keys)

    def _removed(self, op: Operation) -> None:
        for result in op.results:
            for key in self._keys_of.pop(id(result), ()):
                del self._moved[key]


class _Key:
    """An `IdenticalOps` key with its hash computed once (a tuple hashes all its items each lookup)."""

    __slots__ = ("items", "hash")

    def __init__(self, items: tuple[Any, ...]) -> None:
        self.items = items
        self.hash = hash(items)

    def __hash__(self) -> int:
        return self.hash

    def __eq__(self, other: object) -> bool:
        return self is other or (isinstance(other, _Key) and self.hash == other.hash and self.items == other.items)


class IdenticalOps:
    """Hash-consing of pure body ops within one run: (op type, operands, properties, result type)
    -> the one op computing it. Sinking copies movements onto every path of a DAG, so equal leaves
    (a broadcast constant, a load through the same view) and then equal ops above them appear
    many times; merging them keeps the kernel a DAG. Entries go when their op is erased.

    Each op's key is remembered until the rewriter changes its operands or erases it (the driver
    asks about most ops several times, and building and hashing a key was a fifth of the pass)."""

    def __init__(self) -> None:
        self._ops: dict[_Key, Operation] = {}
        self._key_of: dict[int, _Key] = {}  # id(op) -> its key in `_ops`
        self._keys: dict[int, tuple[Operation, _Key]] = {}  # id(op) -> (op, its current key)
        self.listener = PatternRewriterListener(operation_removal_handler=[self._removed],
                                                operation_modification_handler=[self._modified])

    def _key(self, op: Operation) -> _Key:
        known = self._keys.get(id(op))
        if known is not None and known[0] is op:
            return known[1]
        key = _Key((type(op), tuple(id(v) for v in op._operands), tuple(sorted(op.properties.items())),
                    tuple(sorted(op.attributes.items())), tuple(r.type for r in op.results)))
        self._keys[id(op)] = (op, key)
        return key

    def earlier_twin(self, op: Operation) -> Operation | None:
        """An identical op defined before `op`; else `op` becomes the one that later twins reuse."""
        key = self._key(op)
        known = self._ops.get(key)
        if known is op:
            return None
        # a keyed op's operands may have been replaced since (and a dead operand's id reused):
        # it is a twin only if it still has this key
        if known is not None and known.parent is not None and self._key(known) == key \
                and _dominates(known.results[0], op):
            return known
        if known is not None:
            self._key_of.pop(id(known), None)
        self._ops[key] = op
        self._key_of[id(op)] = key
        return None

    def _modified(self, op: Operation) -> None:
        self._keys.pop(id(op), None)

    def _removed(self, op: Operation) -> None:
        self._keys.pop(id(op), None)
        key = self._key_of.pop(id(op), None)
        if key is not None and self._ops.get(key) is op:
            del self._ops[key]


# ----------------------------------------------------------------------------------------------
# rules


def share_identical(op: Operation, twins: IdenticalOps) -> SSAValue | None:
    """A leaf or elementwise op identical to one computed before it -> that one's result."""
    if not _in_kernel(op) or len(op.results) != 1:
        return None
    twin = twins.earlier_twin(op)
    return None if twin is None else twin.results[0]


def fold_into_leaf(op: Operation) -> Operation | None:
    """movement(leaf) -> the leaf reading through the moved shapetracker."""
    if not _in_kernel(op):
        return None
    leaf = _owner(op.operands[0])
    if not isinstance(leaf, st.LEAF_OPS):
        return None
    kind, arg = movement_of(op)
    return leaf.with_tracker(leaf.tracker().movement(kind, arg))


def share_movement(op: Operation, moves: MovedValues) -> SSAValue | None:
    """movement(x), the same movement of x already computed before it -> that value.

    Otherwise this one becomes the known value: later copies (from sinking along another path of
    the DAG) reuse it, or what it sank or folded into, instead of moving x's subtree again."""
    if not _in_kernel(op):
        return None
    source, (kind, arg) = op.operands[0], movement_of(op)
    known = moves.lookup(source, kind, arg, op)
    if known is not None:
        return known
    moves.record(source, kind, arg, op.results[0])
    return None


def sink_through_elementwise(op: Operation, moves: MovedValues, reduces: ReduceDependence) -> Operation | None:
    """movement(f(a, b, ..)) -> f(movement(a), movement(b), ..), in the prologue only; a movement
    of an operand that was already computed (the DAG shares it) is reused, not built again."""
    if not _in_kernel(op):
        return None
    inner = _owner(op.operands[0])
    if not isinstance(inner, tir.ELEMENTWISE_OPS) or _depends_on_reduce(op.operands[0], reduces):
        return None
    kind, arg = movement_of(op)
    out_shape = tir.shape_of(op.results[0])
    moved = _with_operands(inner, [moves.move(x, kind, arg, op) for x in inner.operands], out_shape)
    if kind == "pad" and isinstance(inner, _PAD_NEEDS_WHERE):
        zero = _broadcast(0, out_shape, tir.element_type_of(op.results[0]))
        return tir.WhereOp(_padded_true(inner, arg), moved, zero)
    return moved


def _padded_true(inner: Operation, pads: Any) -> st.ConstOp:
    """An i1 leaf that is true on the original elements and false (0) in the padding."""
    shape = tir.shape_of(inner.results[0])
    tracker = ShapeTracker((View.create(shape, (0,) * len(shape)),)).pad(pads)
    return st.ConstOp(True, tracker, TensorType(i1, list(tracker.shape)))


def lift_above_elementwise(op: Operation, reduces: ReduceDependence) -> Operation | None:
    """f(m(x), b) with m bijective and x after the reduce -> m(f(x, m^-1(b))): rise to the store.

    Several epilogue operands may rise together when they all went through the same movement
    (f(m(x), m(y)) -> m(f(x, y))), e.g. a reduce result used twice."""
    if not _in_kernel(op):
        return None
    if not any(_IS_MOVEMENT[type(v.owner)] for v in op._operands):
        return None  # nothing to lift (checked first: the reduce walks below are the costly part)
    dependent = [i for i, v in enumerate(op.operands) if _depends_on_reduce(v, reduces)]
    moved = [i for i in dependent
             if isinstance(_owner(op.operands[i]), tir.MOVEMENT_OPS)
             and movement_of(_owner(op.operands[i]))[0] in INVERTIBLE_MOVEMENT_OPS]
    if not moved or len(moved) != len(dependent):
        return None  # an unmoved epilogue value meets a moved one: left for the error
    moves = [_owner(op.operands[i]) for i in moved]
    kind, arg = movement_of(moves[0])
    source_shape = tir.shape_of(moves[0].operands[0])
    if any(movement_of(m) != (kind, arg) or tir.shape_of(m.operands[0]) != source_shape for m in moves[1:]):
        return None  # different movements meet: no single one can rise
    inv_kind, inv_arg = inverse_movement(kind, arg, source_shape)
    operands = [_owner(v).operands[0] if j in moved else make_movement(v, inv_kind, inv_arg)
                for j, v in enumerate(op.operands)]
    inner = _with_operands(op, operands, source_shape)
    return make_movement(inner, kind, arg)


def fold_into_store(op: st.StoreOp) -> Operation | None:
    """store(m(v)) with m bijective -> store(v) through the inverted shapetracker."""
    move = _owner(op.value)
    if not isinstance(move, tir.MOVEMENT_OPS):
        return None
    kind, arg = movement_of(move)
    if kind not in INVERTIBLE_MOVEMENT_OPS:
        return None
    source = move.operands[0]
    tracker = op.tracker().invert_movement(kind, arg, tir.shape_of(source))
    return st.StoreOp(op.buffer, tracker, source)


def canonical(tracker: ShapeTracker) -> ShapeTracker:
    """Each view in canonical form, then adjacent views merged where one view says both."""
    return ShapeTracker(tuple(View.create(v.shape, v.strides, v.offset, v.mask) for v in tracker.views)).simplify()


@functools.lru_cache(maxsize=4096)
def _better_tracker(views: Any) -> ShapeTracker | None:
    """The canonical form of the shapetracker in a `views` property, None if it already is:
    memoized by the (immutable) attribute, as the greedy driver asks about each leaf many times."""
    tracker = ShapeTracker(tuple(v.view for v in views.data))
    better = canonical(tracker)
    return None if better == tracker else better


def simplify_leaf(op: Operation) -> Operation | None:
    """A leaf whose shapetracker simplifies -> the leaf with the simplified one."""
    better = _better_tracker(op.views)
    return None if better is None else op.with_tracker(better)


def simplify_store(op: st.StoreOp) -> Operation | None:
    """A store whose shapetracker simplifies -> the store through the simplified one."""
    better = _better_tracker(op.views)
    return None if better is None else st.StoreOp(op.buffer, better, op.value)


def erase_dead(op: Operation, rewriter: PatternRewriter) -> bool:
    """A pure kernel-body op nobody uses any more (a leaf or op that was folded away) -> erased."""
    if not _in_kernel(op) or any(r.uses for r in op.results):
        return False
    rewriter.erase(op)
    return True


BODY_OPS = (*st.LEAF_OPS, *tir.ELEMENTWISE_OPS, *tir.MOVEMENT_OPS, *tir.REDUCE_OPS)


class FoldViews(RulePass):
    """Fold the movement ops of kernel bodies into shapetrackers (docs/ir.md section 2)."""

    name: ClassVar[str] = "fold-views"
    summary: ClassVar[str] = "push tir movement ops of st.kernel bodies into leaf and store shapetrackers"

    def rules(self) -> list[Rule]:
        return self._rules(MovedValues(), IdenticalOps(), ReduceDependence())

    def _rules(self, moves: MovedValues, twins: IdenticalOps, reduces: ReduceDependence) -> list[Rule]:
        """The table; `moves` and `twins` are the run's hash-consing tables (see their classes),
        `reduces` its memo of which values are computed from a reduce."""
        return [
            rule((*st.LEAF_OPS, *tir.ELEMENTWISE_OPS), lambda op: share_identical(op, twins),
                 "leaf or elementwise op identical to an earlier one -> that one"),
            rule(tir.MOVEMENT_OPS, lambda op: share_movement(op, moves), "movement(x) computed before -> that value"),
            rule(tir.MOVEMENT_OPS, fold_into_leaf, "movement(leaf) -> leaf through the moved shapetracker"),
            rule(tir.MOVEMENT_OPS, lambda op: sink_through_elementwise(op, moves, reduces),
                 "movement(f(a, ..)) -> f(movement(a), ..) before the reduce, shared movements reused"),
            rule(tir.ELEMENTWISE_OPS, lambda op: lift_above_elementwise(op, reduces), "f(m(x), b) -> m(f(x, m^-1(b))) after the reduce, m bijective"),
            rule(st.StoreOp, fold_into_store, "store(m(v)) -> store(v) through the inverted shapetracker, m bijective"),
            rule(st.LEAF_OPS, simplify_leaf, "leaf -> leaf with merged / canonical views"),
            rule(st.StoreOp, simplify_store, "store -> store with merged / canonical views"),
            rule(BODY_OPS, erase_dead, "unused kernel-body op -> erased"),
        ]

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        # one of each per run: they must hear of every rewrite the table makes
        moves, twins = MovedValues(), IdenticalOps()
        listener = PatternRewriterListener()
        listener.extend_from_listener(moves.listener)
        listener.extend_from_listener(twins.listener)
        RuleTable(self.name, self._rules(moves, twins, ReduceDependence())).apply(op, greedy=self.greedy, reverse=self.reverse,
                                                              listener=listener)
        for kernel in op.walk():
            if not isinstance(kernel, st.KernelOp):
                continue
            for body_op in kernel.body.block.ops:
                if isinstance(body_op, tir.MOVEMENT_OPS) and not is_row_broadcast(body_op):
                    emit_error(body_op, f"fold-views: cannot fold this {body_op.name} of kernel "
                               f"\"{kernel.name_str}\" into a shapetracker ({_why(body_op)})")


def is_row_broadcast(op: Operation) -> bool:
    """A movement of a row kernel (tinyir/passes/schedule_partition.py) that stays: a reduce's
    result expanded back over its row, or reshaped by size-1 dims only. shapetracker-to-loop reads
    both as the reduce's value itself (one per row)."""
    if not isinstance(op, (tir.ExpandOp, tir.ReshapeOp)) or not _depends_on_reduce(op.operands[0]):
        return False
    shape_in, shape_out = tir.shape_of(op.operands[0]), tir.shape_of(op.results[0])
    if isinstance(op, tir.ReshapeOp):
        return [n for n in shape_in if n != 1] == [n for n in shape_out if n != 1]
    block = op.parent_block()
    rows = {(tir.shape_of(red.operands[0]), tuple(red.axes_tuple()))
            for red in (block.ops if block is not None else ()) if _IS_REDUCE[type(red)]}
    return any(shape_out == full and shape_in == tuple(1 if d in axes else n for d, n in enumerate(full))
               for full, axes in rows)


def _why(op: Operation) -> str:
    if _depends_on_reduce(op.operands[0]):
        kind = movement_of(op)[0]
        if kind not in INVERTIBLE_MOVEMENT_OPS:
            return f"{kind} after the reduce would re-index a reduced value; only reshape, permute and flip rise to the store"
        return "it meets another value computed from the reduce"
    return "its operand is neither a leaf nor an elementwise op"


__all__ = ["FoldViews", "is_row_broadcast", "movement_of", "make_movement", "inverse_movement", "canonical"]
