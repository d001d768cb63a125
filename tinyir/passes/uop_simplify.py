"""`uop-simplify`: constant folding, algebraic identities, symbolic index math, CSE and DCE on uops.

All of it is one rule table applied greedily to a fixed point. The index rules use value bounds
(tinyir/passes/symbolic.py) derived from the sizes of `uop.special`s and `uop.range`s, which is
what lets view index math such as `((g1*4 + g0) idiv 4) mod 3` collapse to `g1 mod 3`.
Constant folding evaluates with the ALU table (tinyir/alu.py), as the uop interpreter does.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, i1, i32
from xdsl.ir import Block, Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter, PatternRewriterListener

from tinyir import alu
from tinyir.dialects import uop
from tinyir.element_types import is_int
from tinyir.passes.symbolic import (
    I32_MAX,
    Bounds,
    bounds,
    const_value,
    int_const,
    linear_terms,
    terms_bounds,
)
from tinyir.rewrite import Rule, RulePass, RuleTable, rule
from tinyir.runtime.uop_interp import eval_alu

COMMUTATIVE = tuple(sorted((uop.ALU_BY_NAME[name] for name in alu.COMMUTATIVE), key=lambda c: c.name))
ALU = tuple(sorted(uop.UOP_ALU, key=lambda c: c.name))
PURE = tuple(sorted(uop.PURE_UOPS, key=lambda c: c.name))
_PURE_TYPES = frozenset(uop.PURE_UOPS)


def const(value: object, type_: object) -> uop.ConstOp:
    return uop.ConstOp.create(result_types=[type_], properties={"value": _literal(repr(value), value, type_)})


@functools.lru_cache(maxsize=4096)
def _literal(text: str, value: object, type_: object) -> object:
    """`uop.scalar_attr(value, type_)`, made once per value (attributes are immutable, so ops share
    them); `text` (the value's repr) keeps 0.0 and -0.0, and 1 and True, apart."""
    return uop.scalar_attr(value, type_)  # type: ignore[arg-type]


def const_at(run: SimplifyRun, op: Operation, value: object, type_: object) -> SSAValue | Operation:
    """The constant `value` to stand in for `op`'s result: an equal constant already visible at `op`
    where the block's order is tracked, else a new one (CONST-REUSE: an unrolled body folds to the
    same few constants hundreds of times; a new one would be inserted, then merged by CSE)."""
    if run.tracks_order and op.parent is not None:
        order = run.order(op.parent)
        twins = order.nullary.get(_const_key(repr(value), value, type_))
        if twins:
            found = order.nearest_visible(op, twins)
            if found is not None and found is not False:
                return found.results[0]
    return const(value, type_)


@functools.lru_cache(maxsize=4096)
def _const_key(text: str, value: object, type_: object) -> tuple:
    """`_nullary_key` of `const(value, type_)`, without building the op (CONST-REUSE)."""
    return ("uop.const", (("value", str(_literal(text, value, type_))),), (type_,))


def _is(v: SSAValue, value: int | bool) -> bool:
    """Whether `v` is the constant `value` (bools match only bools, numbers only numbers)."""
    c = const_value(v)
    return c is not None and isinstance(c, bool) == isinstance(value, bool) and c == value


@dataclass
class SimplifyRun:
    """What one application of the pass remembers between rule firings.

    `props_keys`: op -> the printed-properties part of its CSE key (the dict keeps the ops alive,
    so no id is reused; rules never edit an op's properties in place). `bounds`: value -> its
    value bounds; a memoized range stays sound while rules rewrite, since a value is only ever
    replaced by one that is equal (bounds are about the value, not about how it is computed).
    `orders`: block -> where its ops stand (`BlockOrder`), kept only while `listener()` hears of
    every insertion and removal (without it, CSE scans the block instead). `folds`: the results of
    constant folds made so far, by op name, result type and operands."""

    props_keys: dict[Operation, tuple] = field(default_factory=dict)
    bounds: dict[SSAValue, Bounds | None] = field(default_factory=dict)
    orders: dict[Block, BlockOrder] = field(default_factory=dict)
    tracks_order: bool = False
    folds: dict[tuple, object] = field(default_factory=dict)

    def listener(self) -> PatternRewriterListener:
        """The listener that keeps `orders` true while the rules rewrite (CSE-ORDER)."""
        self.tracks_order = True
        return PatternRewriterListener(operation_insertion_handler=[self._inserted],
                                       operation_removal_handler=[self._removed])

    def order(self, block: Block) -> BlockOrder:
        found = self.orders.get(block)
        if found is None:
            found = self.orders[block] = BlockOrder(block, self)
        return found

    def _inserted(self, op: Operation) -> None:
        order = self.orders.get(op.parent) if op.parent is not None else None
        if order is not None and not order.insert(op):
            del self.orders[op.parent]  # renumbered from scratch when next asked

    def _removed(self, op: Operation) -> None:
        order = self.orders.get(op.parent) if op.parent is not None else None
        if order is not None and not order.remove(op):
            del self.orders[op.parent]


#: the gap between neighbouring ops' numbers when a block is numbered: room for ops inserted later
_ORDER_GAP = 1 << 32


class BlockOrder:
    """A block's ops numbered in block order (CSE-ORDER), so CSE can tell which of an op's twins
    come before it and are visible there without walking the block backwards from the op (that
    walk made CSE quadratic in a kernel's length): an op inserted later takes a number between its
    neighbours'. Also the block's loops (range, end) and stores, and its operand-less pure ops by
    CSE key (their twins, which no use list can find)."""

    def __init__(self, block: Block, run: SimplifyRun):
        self.run = run
        self.number: dict[Operation, int] = {}
        self.loops: list[tuple[Operation, Operation]] = []
        self.stores: list[Operation] = []
        self.nullary: dict[tuple, list[Operation]] = {}
        for i, op in enumerate(block.ops):
            self.number[op] = i * _ORDER_GAP
            self._note(op)

    def _note(self, op: Operation) -> None:
        kind = type(op)
        if kind is uop.EndRangeOp:
            self.loops.append((op.range.owner, op))
        elif kind is uop.StoreOp or kind is uop.VStoreOp:
            self.stores.append(op)
        elif not op._operands and kind in _PURE_TYPES and op.results:
            self.nullary.setdefault(_nullary_key(self.run, op), []).append(op)

    def insert(self, op: Operation) -> bool:
        """Number a newly inserted op (and any unnumbered ops next to it: a rewrite inserts several
        ops before telling of the first). False when there is no room or the loops change."""
        self.number.pop(op, None)  # an op moved here (detached, then inserted) is numbered anew
        kind = type(op)
        if kind is uop.RangeOp or kind is uop.EndRangeOp:
            return False
        first, last = op, op
        while first._prev_op is not None and first._prev_op not in self.number:
            first = first._prev_op
        while last._next_op is not None and last._next_op not in self.number:
            last = last._next_op
        lo = self.number[first._prev_op] if first._prev_op is not None else -_ORDER_GAP
        hi = self.number[last._next_op] if last._next_op is not None else lo + 2 * _ORDER_GAP
        run = []
        cur = first
        while True:
            run.append(cur)
            if cur is last:
                break
            cur = cur._next_op
        step = (hi - lo) // (len(run) + 1)
        if step < 1:
            return False
        for i, new in enumerate(run, 1):
            if type(new) is uop.RangeOp or type(new) is uop.EndRangeOp:
                return False
            self.number[new] = lo + i * step
            self._note(new)
        return True

    def remove(self, op: Operation) -> bool:
        kind = type(op)
        if kind is uop.RangeOp or kind is uop.EndRangeOp:
            return False
        if op.regions:
            return False  # its nested ops go too: numbered again from scratch
        self.number.pop(op, None)
        if kind is uop.StoreOp or kind is uop.VStoreOp:
            self.stores = [s for s in self.stores if s is not op]
        elif not op._operands and kind in _PURE_TYPES and op.results:
            twins = self.nullary.get(_nullary_key(self.run, op))
            if twins is not None and op in twins:
                twins.remove(op)
        return True

    def nearest_visible(self, op: Operation, twins: Sequence[Operation]) -> Operation | None | bool:
        """The twin nearest before `op` that `op` can see (not inside a loop that ended before it;
        for a load, no store to its buffer in between, in such a loop or not, nor in a loop entered
        in between).
        None when there is none; False when some op is unnumbered (the caller walks instead)."""
        number = self.number
        at = number.get(op)
        if at is None:
            return False
        closed = [(number[r], number[e]) for r, e in self.loops if number[e] < at]
        best, best_at = None, None
        for twin in twins:
            t = number.get(twin)
            if t is None:
                return False
            if t < at and (best_at is None or t > best_at) and not any(r <= t <= e for r, e in closed):
                best, best_at = twin, t
        if best is not None and isinstance(op, uop.LoadOp):
            # loops entered between the twin and `op`: a store anywhere in them comes between
            # in a later iteration
            entered = [(number[r], number[e]) for r, e in self.loops if best_at < number[r] < at < number[e]]
            buffer = op._operands[0]  # a load's, and every store's, first operand is its buffer
            for store in self.stores:
                s = number.get(store)
                if s is None:
                    return False
                if store._operands[0] is buffer and (best_at < s < at or any(r < s < e for r, e in entered)):
                    return None  # memory may have changed (a store in a loop that ended counts too)
        return best


def _nullary_key(run: SimplifyRun, op: Operation) -> tuple:
    return (op.name, _props_key(run, op), tuple(r.type for r in op.results))


# -- constant folding -----------------------------------------------------------------------------


def fold_constants(run: SimplifyRun, op: Operation) -> Operation | None:
    operands = op._operands
    for v in operands:  # most ops have an operand that is not a constant: no list built for them
        if type(v.owner) is not uop.ConstOp:
            return None
    values = [uop.literal_value(v.owner.value) for v in operands]
    result_type = op.results[0].type
    # the same fold recurs in every copy of an unrolled body: evaluated once (repr keeps -0.0 apart)
    key = (op.name, result_type, tuple((repr(x), v.type) for x, v in zip(values, operands)))
    result = run.folds.get(key)
    if result is None:
        result = run.folds[key] = eval_alu(op.name.split(".", 1)[1], values, result_type,
                                           [v.type for v in operands]).item()
    return const_at(run, op, result, result_type)


def const_to_rhs(op: Operation) -> Operation | None:
    lhs, rhs = op._operands  # the hot rules read operands by position (named ones cost a descriptor)
    if const_value(lhs) is not None and const_value(rhs) is None:
        return type(op)(rhs, lhs)
    return None


# -- algebraic identities -------------------------------------------------------------------------


def add_zero(op: uop.AddOp) -> SSAValue | None:
    """x + 0 -> x on ints; on floats x + (-0.0), and x + 0.0 where the sign of a zero result cannot
    be seen: -0.0 + 0.0 is +0.0 (the ALU table's add), so dropping the add changes only that sign."""
    lhs, rhs = op._operands
    c = const_value(rhs)
    if c is None or isinstance(c, bool) or c != 0:  # not _is(rhs, 0)
        return None
    if not isinstance(c, float) or math.copysign(1.0, c) < 0 or _zero_sign_unseen(op.results[0]):
        return lhs
    return None


def _never_minus_zero(v: SSAValue, depth: int = 8) -> bool:
    """`v` is never -0.0: a non-negative-zero constant, an add accumulator starting at +0.0, or a
    sum with such an operand (a rounded sum is -0.0 only when both operands are)."""
    owner = v.owner
    if isinstance(owner, uop.ConstOp):
        c = const_value(v)
        return not (isinstance(c, float) and c == 0 and math.copysign(1.0, c) < 0)
    if isinstance(owner, uop.DefineAccOp):
        c = uop.literal_value(owner.value)
        return isinstance(c, float) and c == 0 and math.copysign(1.0, c) > 0
    if isinstance(owner, uop.AddOp) and depth:
        return any(_never_minus_zero(x, depth - 1) for x in owner.operands)
    return False


def _zero_sign_unseen(v: SSAValue, depth: int = 4) -> bool:
    """Every use of `v` gives the same bits whether a zero `v` is +0.0 or -0.0: it is added to a value
    that is never -0.0 (a + 0.0 == a + -0.0 then: the sum of a convolution's padded window into its
    accumulator), or multiplied or negated into such uses."""
    if depth == 0 or not v.uses:
        return False
    for use in v.uses:
        user = use.operation
        if isinstance(user, uop.AddOp):
            other = user.operands[1 - use.index]
            if not _never_minus_zero(other):
                return False
        elif isinstance(user, uop.MulOp | uop.NegOp):
            if not _zero_sign_unseen(user.results[0], depth - 1):
                return False
        else:
            return False
    return True


def add_consts(op: uop.AddOp) -> Operation | None:
    """(x + c1) + c2 -> x + (c1 + c2), on ints (floats would change rounding)."""
    lhs, rhs = op._operands
    c2 = int_const(rhs)
    inner = lhs.owner
    if c2 is None or type(inner) is not uop.AddOp or not is_int(op.results[0].type):
        return None
    c1 = int_const(inner._operands[1])
    if c1 is None:
        return None
    return uop.AddOp(inner._operands[0], _res(const(c1 + c2, op.results[0].type)))


def mul_one(op: uop.MulOp) -> SSAValue | None:
    return op.lhs if _is(op.rhs, 1) else None


def mul_zero(op: uop.MulOp) -> Operation | None:
    return const(0, op.result.type) if is_int(op.result.type) and _is(op.rhs, 0) else None


def mul_consts(op: uop.MulOp) -> Operation | None:
    """(x * c1) * c2 -> x * (c1 * c2), on ints."""
    inner, c2 = op.lhs.owner, int_const(op.rhs)
    if c2 is None or not isinstance(inner, uop.MulOp) or int_const(inner.rhs) is None:
        return None
    return uop.MulOp(inner.lhs, _res(const(int_const(inner.rhs) * c2, op.result.type)))


def idiv_one(op: uop.IdivOp) -> SSAValue | None:
    return op.lhs if _is(op.rhs, 1) else None


def mod_one(op: uop.ModOp) -> Operation | None:
    return const(0, op.result.type) if _is(op.rhs, 1) else None


def same_operands(op: Operation) -> SSAValue | None:
    """max(x, x), x and x, x or x -> x."""
    return op.operands[0] if op.operands[0] is op.operands[1] else None


def and_consts(op: uop.AndOp) -> SSAValue | Operation | None:
    if op.result.type != i1:
        return None
    if _is(op.rhs, True):
        return op.lhs
    return op.rhs if _is(op.rhs, False) else None


def or_consts(op: uop.OrOp) -> SSAValue | Operation | None:
    if op.result.type != i1:
        return None
    if _is(op.rhs, False):
        return op.lhs
    return op.rhs if _is(op.rhs, True) else None


def xor_zero(op: uop.XorOp) -> SSAValue | None:
    return op.lhs if _is(op.rhs, 0) or _is(op.rhs, False) else None


def where_const_cond(op: uop.WhereOp) -> SSAValue | None:
    c = const_value(op.cond)
    return None if c is None else (op.if_true if c else op.if_false)


def where_same(op: uop.WhereOp) -> SSAValue | None:
    return op.if_true if op.if_true is op.if_false else None


def double_neg(op: uop.NegOp) -> SSAValue | None:
    return op.input.owner.input if isinstance(op.input.owner, uop.NegOp) else None


def cast_same(op: uop.CastOp) -> SSAValue | None:
    return op.input if op.input.type == op.result.type else None


# -- symbolic index math --------------------------------------------------------------------------


def build_linear(terms: Sequence[tuple[SSAValue, int]], constant: int) -> SSAValue | Operation:
    """sum(coef * base) + constant as new ops (or an existing value when nothing is to build)."""
    out: SSAValue | Operation | None = None
    for base, coef in terms:
        term: SSAValue | Operation = base if coef == 1 else uop.MulOp(base, _res(const(coef, i32)))
        out = term if out is None else uop.AddOp(_res(out), _res(term))
    if out is None:
        return const(constant, i32)
    return out if constant == 0 else uop.AddOp(_res(out), _res(const(constant, i32)))


def _res(x: SSAValue | Operation) -> SSAValue:
    return x.results[0] if isinstance(x, Operation) else x


Split = tuple[list[tuple[SSAValue, int]], int, list[tuple[SSAValue, int]], int, tuple[int, int]]


def _split_by_divisor(run: SimplifyRun, x: SSAValue, c: int) -> Split | None:
    """x = c * whole + rest with rest >= 0 and x >= 0 (so C's truncating idiv/mod split exactly)."""
    terms, constant = linear_terms(x)
    whole = [(b, k // c) for b, k in terms if k % c == 0]
    rest = [(b, k) for b, k in terms if k % c != 0]
    total, rest_b = terms_bounds(terms, constant, run.bounds), terms_bounds(rest, constant % c, run.bounds)
    if total is None or rest_b is None or total[0] < 0 or rest_b[0] < 0:
        return None
    return whole, constant // c, rest, constant % c, rest_b


def _useful_split(run: SimplifyRun, op: uop.IdivOp | uop.ModOp) -> tuple[Any, int, Any, int, bool] | None:
    """The lhs split by the constant divisor, when splitting simplifies: (whole, q, rest, r, rest < c)."""
    c = int_const(op.rhs)
    split = _split_by_divisor(run, op.lhs, c) if c and c > 0 else None
    if split is None:
        return None
    whole, q, rest, r, rest_b = split
    rest_small = rest_b[1] < c
    if not whole and q == 0 and not rest_small:
        return None
    return whole, q, rest, r, rest_small


def idiv_split(run: SimplifyRun, op: uop.IdivOp) -> SSAValue | Operation | None:
    """(a*c + b) idiv c -> a + b idiv c (b, and the whole, >= 0); b idiv c -> 0 when 0 <= b < c."""
    if (split := _useful_split(run, op)) is None:
        return None
    whole, q, rest, r, rest_small = split
    quotient = build_linear(whole, q)
    if rest_small:
        return quotient
    return uop.AddOp(_res(quotient), _res(uop.IdivOp(_res(build_linear(rest, r)), op.rhs)))


def mod_split(run: SimplifyRun, op: uop.ModOp) -> SSAValue | Operation | None:
    """(a*c + b) mod c -> b mod c (b, and the whole, >= 0); b mod c -> b when 0 <= b < c."""
    if (split := _useful_split(run, op)) is None:
        return None
    _, _, rest, r, rest_small = split
    remainder = build_linear(rest, r)
    return remainder if rest_small else uop.ModOp(_res(remainder), op.rhs)


def _common_factor(run: SimplifyRun, op: uop.IdivOp | uop.ModOp) -> tuple[SSAValue | Operation, int, int, int] | None:
    """x = g*y + r with g > 1 dividing the divisor c and every coefficient of x, 0 <= r < g, x >= 0
    and y >= 0: (y, g, r, c // g). Then x idiv c = y idiv (c/g) and x mod c = (y mod (c/g))*g + r
    (an upcast copy's `(i*8 + k) idiv 64` is `i idiv 8` for every k < 8, so the copies share it)."""
    c = int_const(op.rhs)
    if not c or c <= 1 or op.lhs.type != i32:
        return None
    terms, constant = linear_terms(op.lhs)
    g = math.gcd(c, *(k for _, k in terms)) if terms else 1
    if g <= 1 or g == c:
        return None  # nothing shared, or idiv_split/mod_split's case (x = c*y + r)
    inner = [(b, k // g) for b, k in terms]
    total, y_bounds = terms_bounds(terms, constant, run.bounds), terms_bounds(inner, constant // g, run.bounds)
    if total is None or y_bounds is None or total[0] < 0 or y_bounds[0] < 0:
        return None
    return build_linear(inner, constant // g), g, constant % g, c // g


def idiv_common_factor(run: SimplifyRun, op: uop.IdivOp) -> Operation | None:
    """(g*y + r) idiv (g*m) -> y idiv m for 0 <= r < g and y >= 0."""
    if (found := _common_factor(run, op)) is None:
        return None
    y, _, _, m = found
    return uop.IdivOp(_res(y), _res(const(m, op.rhs.type)))


def mod_common_factor(run: SimplifyRun, op: uop.ModOp) -> Operation | None:
    """(g*y + r) mod (g*m) -> (y mod m)*g + r for 0 <= r < g and y >= 0."""
    if (found := _common_factor(run, op)) is None:
        return None
    y, g, r, m = found
    t = op.rhs.type
    scaled = uop.MulOp(_res(uop.ModOp(_res(y), _res(const(m, t)))), _res(const(g, t)))
    return scaled if r == 0 else uop.AddOp(_res(scaled), _res(const(r, t)))


def add_collect(op: uop.AddOp) -> SSAValue | Operation | None:
    """i32 sums: x*a + x*b -> x*(a+b), and (x idiv c)*(k*c) + (x mod c)*k -> x*k."""
    result = op.results[0]
    if result.type != i32:
        return None
    terms, constant = linear_terms(result)
    merged: dict[SSAValue, int] = {}
    for base, coef in terms:
        merged[base] = merged.get(base, 0) + coef
    changed = len(merged) != len(terms)
    for base in list(merged):
        div = base.owner
        if not isinstance(div, uop.IdivOp) or base not in merged:
            continue
        c = int_const(div.rhs)
        rem = next((m for m in merged if isinstance(m.owner, uop.ModOp) and m.owner.lhs is div.lhs
                    and int_const(m.owner.rhs) == c), None)
        if c and rem is not None and merged[base] == c * merged[rem]:
            k = merged.pop(rem)
            merged.pop(base)
            merged[div.lhs] = merged.get(div.lhs, 0) + k
            changed = True
    if not changed:
        return None
    return build_linear([(b, k) for b, k in merged.items() if k != 0], constant)


def idiv_idiv(run: SimplifyRun, op: uop.IdivOp) -> Operation | None:
    """(x idiv a) idiv b -> x idiv (a*b) when x >= 0 and a, b > 0."""
    inner, b = op.lhs.owner, int_const(op.rhs)
    if not isinstance(inner, uop.IdivOp) or b is None or b <= 0:
        return None
    a, xb = int_const(inner.rhs), bounds(inner.lhs, memo=run.bounds)
    if a is None or a <= 0 or xb is None or xb[0] < 0:
        return None
    if a * b > I32_MAX:  # x < a*b: the quotient is 0 (a wrapped divisor would not say so)
        return const(0, i32)
    return uop.IdivOp(inner.lhs, _res(const(a * b, i32)))


def mod_mod(run: SimplifyRun, op: uop.ModOp) -> Operation | None:
    """(x mod a) mod b -> x mod b when b divides a and x >= 0."""
    inner, b = op.lhs.owner, int_const(op.rhs)
    if not isinstance(inner, uop.ModOp) or b is None or b <= 0:
        return None
    a, xb = int_const(inner.rhs), bounds(inner.lhs, memo=run.bounds)
    if a is None or a <= 0 or a % b or xb is None or xb[0] < 0:
        return None
    return uop.ModOp(inner.lhs, op.rhs)


def cmplt_bounds(run: SimplifyRun, op: uop.CmpltOp) -> Operation | None:
    """x < y decided by value bounds (only for i32/i1 operands)."""
    a, b = bounds(op.lhs, memo=run.bounds), bounds(op.rhs, memo=run.bounds)
    if a is None or b is None or op.lhs.type not in (i32, i1):
        return None
    if a[1] < b[0]:
        return const(True, i1)
    if a[0] >= b[1]:
        return const(False, i1)
    return None


# -- memory ---------------------------------------------------------------------------------------


def load_gate_const(run: SimplifyRun, op: uop.LoadOp) -> SSAValue | Operation | None:
    """A load gated by true is plain; gated by false it reads 0 and touches no memory."""
    operands = op._operands  # buffer, index and, when gated, the gate
    g = const_value(operands[2]) if len(operands) > 2 else None
    if g is None:
        return None
    return uop.LoadOp(op.buffer, op.index) if g else const_at(run, op, 0, op.result.type)


def store_gate_const(op: uop.StoreOp, rewriter: PatternRewriter) -> bool | Operation | None:
    g = None if op.gate is None else const_value(op.gate)
    if g is None:
        return None
    if g:
        return uop.StoreOp(op.buffer, op.index, op.value)
    rewriter.erase(op)
    return True


# -- CSE and DCE ----------------------------------------------------------------------------------


def _cse_key(op: Operation) -> tuple:
    operands = tuple(id(v) for v in op.operands)
    if type(op) in COMMUTATIVE:
        operands = tuple(sorted(operands))
    props = tuple(sorted((k, str(v)) for k, v in op.properties.items()))
    return (op.name, operands, props, tuple(r.type for r in op.results))


def _operand_ids(op: Operation) -> tuple[int, ...]:
    ids = tuple(map(id, op._operands))
    return tuple(sorted(ids)) if type(op) in COMMUTATIVE else ids


def _props_key(run: SimplifyRun, op: Operation) -> tuple:
    found = run.props_keys.get(op)
    if found is None:
        found = run.props_keys[op] = tuple(sorted((k, str(v)) for k, v in op.properties.items()))
    return found


def _same_key(run: SimplifyRun, candidate: Operation, name: str, operand_ids: tuple[int, ...], op: Operation) -> bool:
    """`_cse_key(candidate) == _cse_key(op)`, comparing the cheap parts (name, operands, result
    types) first and the printed properties (memoized per op) last."""
    if candidate.name != name or _operand_ids(candidate) != operand_ids:
        return False
    if tuple(r.type for r in candidate.results) != tuple(r.type for r in op.results):
        return False
    return _props_key(run, candidate) == _props_key(run, op)


def _fewest_uses(values: Sequence[SSAValue]) -> SSAValue:
    """The value with the shortest use list, found by walking the lists in step (xDSL's lists are
    linked: counting one costs its length), so it costs a few times the shortest one only."""
    cursors = [(v, v.first_use) for v in values]
    while True:
        for value, use in cursors:
            if use is None:
                return value
        cursors = [(v, u._next_use) for v, u in cursors]


def _twins_in_block(run: SimplifyRun, op: Operation, name: str, operand_ids: tuple[int, ...]) -> list[Operation]:
    """The other ops of op's block that have op's CSE key. An op with operands can only be
    identical to another user of each of its operands, so the shortest of their use lists is
    searched instead of the block; an index or a constant used all over the kernel has a long one."""
    block = op.parent
    operands = op._operands
    source = operands[0] if len(operands) == 1 else _fewest_uses(operands)
    twins = []
    for use in source.uses:
        other = use._operation
        if other is not op and other.parent is block and other.name == name and _same_key(run, other, name, operand_ids, op):
            twins.append(other)
    return twins


def _all_results(twin: Operation) -> SSAValue | list[SSAValue]:
    """What stands in for a twin's op: its result, or all of them (an ldmatrix's fragments)."""
    return twin.results[0] if len(twin.results) == 1 else list(twin.results)


def cse(run: SimplifyRun, op: Operation) -> SSAValue | list[SSAValue] | None:
    """Reuse an identical earlier op that is visible here: same scope or an enclosing one, never a
    loop that has already ended; never for ops that read an accumulator (their value changes)."""
    if uop.reads_accumulator(op):
        return None
    name, operand_ids = op.name, _operand_ids(op)
    block = op.parent
    # With operands, the twins are the users of an operand (none: nothing to look for); without,
    # the block's table of operand-less ops has them when the order is tracked (CSE-ORDER)
    twins: list[Operation] | None = _twins_in_block(run, op, name, operand_ids) if op._operands else None
    if twins is not None and not twins:
        return None
    if run.tracks_order and block is not None:
        order = run.order(block)
        if twins is None:
            twins = [t for t in order.nullary.get(_nullary_key(run, op), ()) if t is not op and t.parent is block]
            if not twins:
                return None
        found = order.nearest_visible(op, twins)
        if found is not False:
            return None if found is None else _all_results(found)
    return _scan_back(run, op, name, operand_ids, None if twins is None else {id(t) for t in twins})


def _scan_back(run: SimplifyRun, op: Operation, name: str, operand_ids: tuple[int, ...],
               twins: set[int] | None) -> SSAValue | list[SSAValue] | None:
    """CSE's search when the block's order is not tracked: walk back from `op` to the nearest twin
    (`twins`: their ids; None: compare every earlier op's key)."""
    # the scan is the hot loop here: exact-type tests (no uop op is subclassed)
    is_load = isinstance(op, uop.LoadOp)
    end_range, store, vstore = uop.EndRangeOp, uop.StoreOp, uop.VStoreOp
    prev = op._prev_op
    while prev is not None:
        kind = type(prev)
        if kind is end_range:  # skip a closed loop: its values are out of scope, not its stores
            start = prev.range.owner
            if is_load and _stores_between(start, prev, op.buffer):
                return None
            prev = start._prev_op
            continue
        if is_load and (kind is store or kind is vstore) and prev.buffer is op.buffer:
            return None  # memory may have changed
        if is_load and kind is uop.RangeOp and _stores_between(prev, _loop_end(prev), op.buffer):
            return None  # a loop around `op` stores to its buffer: a later iteration reads that
        if (id(prev) in twins) if twins is not None else (prev.name == name and _same_key(run, prev, name, operand_ids, op)):
            return _all_results(prev)
        prev = prev._prev_op
    return None


def _loop_end(range_op: Operation) -> Operation | None:
    """The `uop.endrange` of a `uop.range` (None while it has none)."""
    return next((use.operation for use in range_op.results[0].uses if type(use.operation) is uop.EndRangeOp), None)


def _stores_between(first: Operation, last: Operation, buffer: SSAValue) -> bool:
    """Whether an op from `first` to `last` (a loop; None: the block's end) stores to `buffer`."""
    op: Operation | None = first
    while op is not None:
        if type(op) in (uop.StoreOp, uop.VStoreOp) and op.buffer is buffer:
            return True
        if op is last:
            return False
        op = op._next_op
    return False


def dead(op: Operation, rewriter: PatternRewriter) -> bool:
    if op.results and all(r.first_use is None for r in op.results):
        rewriter.erase(op)
        return True
    return False


class UopSimplify(RulePass):
    """Simplify uop kernels: folding, identities, index math from value bounds, CSE, DCE."""

    name = "uop-simplify"
    summary = "constant folding, algebraic and symbolic index simplification, CSE and DCE of uops"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        run = SimplifyRun()  # one per application of the pass
        RuleTable(self.name, self.rules(run)).apply(op, greedy=self.greedy, reverse=self.reverse,
                                                    listener=run.listener())

    def rules(self, run: SimplifyRun | None = None) -> Sequence[Rule]:
        run = run or SimplifyRun()  # one per table, so per application of the pass
        with_run = functools.partial
        return [
            rule(PURE, dead, "remove a pure op without uses"),
            rule(ALU, with_run(fold_constants, run), "fold an ALU op on constants"),
            rule(COMMUTATIVE, const_to_rhs, "commutative op: constant to the right"),
            rule(uop.AddOp, add_zero, "x + 0 -> x (floats: x + -0.0, or x + 0.0 where a zero's sign is unseen)"),
            rule(uop.AddOp, add_consts, "(x + c1) + c2 -> x + (c1+c2) (ints)"),
            rule(uop.MulOp, mul_one, "x * 1 -> x"),
            rule(uop.MulOp, mul_zero, "x * 0 -> 0 (ints)"),
            rule(uop.MulOp, mul_consts, "(x * c1) * c2 -> x * (c1*c2) (ints)"),
            rule(uop.IdivOp, idiv_one, "x idiv 1 -> x"),
            rule(uop.ModOp, mod_one, "x mod 1 -> 0"),
            rule((uop.MaxOp, uop.AndOp, uop.OrOp), same_operands, "max/and/or of x with itself -> x"),
            rule(uop.AndOp, and_consts, "p and true -> p, p and false -> false"),
            rule(uop.OrOp, or_consts, "p or false -> p, p or true -> true"),
            rule(uop.XorOp, xor_zero, "x xor 0 -> x"),
            rule(uop.WhereOp, where_const_cond, "where(true|false, a, b) -> a|b"),
            rule(uop.WhereOp, where_same, "where(c, a, a) -> a"),
            rule(uop.NegOp, double_neg, "neg(neg(x)) -> x"),
            rule(uop.CastOp, cast_same, "cast to the same type -> x"),
            rule(uop.IdivOp, with_run(idiv_split, run), "(a*c + b) idiv c -> a + b idiv c; b idiv c -> 0 if 0<=b<c"),
            rule(uop.ModOp, with_run(mod_split, run), "(a*c + b) mod c -> b mod c; b mod c -> b if 0<=b<c"),
            rule(uop.AddOp, add_collect, "x*a + x*b -> x*(a+b); (x idiv c)*c + x mod c -> x"),
            rule(uop.IdivOp, with_run(idiv_common_factor, run), "(g*y + r) idiv (g*m) -> y idiv m for 0 <= r < g, y >= 0"),
            rule(uop.ModOp, with_run(mod_common_factor, run), "(g*y + r) mod (g*m) -> (y mod m)*g + r for 0 <= r < g, y >= 0"),
            rule(uop.IdivOp, with_run(idiv_idiv, run), "(x idiv a) idiv b -> x idiv (a*b) for x >= 0"),
            rule(uop.ModOp, with_run(mod_mod, run), "(x mod a) mod b -> x mod b if b divides a, x >= 0"),
            rule(uop.CmpltOp, with_run(cmplt_bounds, run), "x < y decided by value bounds"),
            rule(uop.LoadOp, with_run(load_gate_const, run), "load gated by a constant -> plain load | 0"),
            rule(uop.StoreOp, store_gate_const, "store gated by a constant -> plain store | nothing"),
            rule(PURE, with_run(cse, run), "reuse an identical visible op (CSE)"),
        ]
