"""Symbolic helpers for i32 index math at the uop level: value bounds and linear forms.

`bounds(v)` gives an inclusive (min, max) of an i32 value from the sizes of the `uop.special`s and
`uop.range`s it is computed from (None when unknown, e.g. a loaded value, or when the math could
wrap around). `linear_terms(v)` reads a chain of adds and multiplications by constants as
`sum(coef * base) + const`, so idiv/mod by a constant can split off the multiples of the divisor.
"""

from __future__ import annotations

from xdsl.dialects.builtin import i1, i32
from xdsl.ir import SSAValue

from tinyir.dialects import uop

Bounds = tuple[int, int]
I32_MIN, I32_MAX = -(2**31), 2**31 - 1


def const_value(v: SSAValue) -> int | float | bool | None:
    """The constant a value holds, if it is a `uop.const` result (asked for every operand of every op
    uop-simplify visits: an exact type test and the property read directly; no uop op is subclassed)."""
    owner = v.owner
    return uop.literal_value(owner.properties["value"]) if type(owner) is uop.ConstOp else None


def int_const(v: SSAValue) -> int | None:
    c = const_value(v)
    return c if isinstance(c, int) and not isinstance(c, bool) else None


def _trunc_div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return -q if (a < 0) != (b < 0) else q


def _fits(lo: int, hi: int) -> Bounds | None:
    return (lo, hi) if I32_MIN <= lo and hi <= I32_MAX else None


def bounds(v: SSAValue, depth: int = 0, memo: dict[SSAValue, Bounds | None] | None = None) -> Bounds | None:
    """Inclusive (min, max) of an i32 (or i1, as 0/1) value, or None when not known.

    `memo` (a dict the caller keeps while the IR does not change) remembers each value's bounds, so
    asking for every op of a kernel costs one walk instead of one per op."""
    if memo is not None:
        if v not in memo:
            memo[v] = _bounds(v, depth, memo)
        return memo[v]
    return _bounds(v, depth, None)


def _bounds(v: SSAValue, depth: int, memo: dict[SSAValue, Bounds | None] | None) -> Bounds | None:
    if v.type == i1:
        c = const_value(v)
        return (int(c), int(c)) if c is not None else (0, 1)
    if v.type != i32 or depth > 64:
        return None
    op = v.owner
    if isinstance(op, uop.ConstOp):
        c = int(uop.literal_value(op.value))
        return (c, c)
    if isinstance(op, uop.SpecialOp):
        return (0, op.size.value.data - 1)
    if isinstance(op, uop.RangeOp):
        return (op.start.value.data, op.end.value.data - 1)
    if isinstance(op, uop.CastOp) and op.input.type == i1:
        return (0, 1)
    if isinstance(op, uop.WhereOp):
        a, b = bounds(op.if_true, depth + 1, memo), bounds(op.if_false, depth + 1, memo)
        return None if a is None or b is None else (min(a[0], b[0]), max(a[1], b[1]))
    if not isinstance(op, (uop.AddOp, uop.MulOp, uop.MaxOp, uop.IdivOp, uop.ModOp)):
        return None
    a, b = bounds(op.lhs, depth + 1, memo), bounds(op.rhs, depth + 1, memo)
    if a is None or b is None:
        return None
    if isinstance(op, uop.AddOp):
        return _fits(a[0] + b[0], a[1] + b[1])
    if isinstance(op, uop.MulOp):
        products = [x * y for x in a for y in b]
        return _fits(min(products), max(products))
    if isinstance(op, uop.MaxOp):
        return (max(a[0], b[0]), max(a[1], b[1]))
    if b[0] != b[1] or b[0] <= 0:  # idiv/mod: only by a positive constant
        return None
    c = b[0]
    if isinstance(op, uop.IdivOp):
        return (_trunc_div(a[0], c), _trunc_div(a[1], c))
    if a[0] >= 0:  # mod
        return (a[0] % c, a[1] % c) if a[0] // c == a[1] // c else (0, c - 1)
    return (-(c - 1) if a[0] < 0 else 0, c - 1 if a[1] > 0 else 0)


def linear_terms(v: SSAValue) -> tuple[list[tuple[SSAValue, int]], int]:
    """`v` as ([(base, coef), ...], const): v == sum(coef * base) + const (add/mul-by-const chains)."""
    c = int_const(v)
    if c is not None:
        return [], c
    op = v.owner
    kind = type(op)  # exact types, operands by position: uop-simplify asks this of every i32 add
    if kind is uop.AddOp and v.type == i32:
        lhs, rhs = op._operands
        lt, lc = linear_terms(lhs)
        rt, rc = linear_terms(rhs)
        return lt + rt, lc + rc
    if kind is uop.MulOp and v.type == i32:
        lhs, rhs = op._operands
        for x, k in ((lhs, rhs), (rhs, lhs)):
            kc = int_const(k)
            if kc is not None:
                terms, const = linear_terms(x)
                return [(b, coef * kc) for b, coef in terms], const * kc
    return [(v, 1)], 0


def build_linear(terms: list[tuple[SSAValue, int]], const: int, ops: list, type_=i32) -> SSAValue:
    """The ops computing sum(coef * base) + const (the inverse of `linear_terms`), appended to `ops`."""
    total: SSAValue | None = None
    for base, coef in terms:
        term = base
        if coef != 1:
            ops += [c := uop.ConstOp(coef, type_), m := uop.MulOp(base, c.result)]
            term = m.result
        if total is not None:
            ops.append(a := uop.AddOp(total, term))
            term = a.result
        total = term
    if const or total is None:
        ops.append(c := uop.ConstOp(const, type_))
        if total is None:
            return c.result
        ops.append(a := uop.AddOp(total, c.result))
        total = a.result
    return total


def terms_bounds(terms: list[tuple[SSAValue, int]], const: int,
                 memo: dict[SSAValue, Bounds | None] | None = None) -> Bounds | None:
    lo = hi = const
    for base, coef in terms:
        b = bounds(base, memo=memo)
        if b is None:
            return None
        lo += min(b[0] * coef, b[1] * coef)
        hi += max(b[0] * coef, b[1] * coef)
    return _fits(lo, hi)


__all__ = ["bounds", "build_linear", "linear_terms", "terms_bounds", "const_value", "int_const", "Bounds"]
