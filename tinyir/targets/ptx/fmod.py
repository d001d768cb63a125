"""Exact `fmod` for PTX, which has no float remainder instruction: long division by scaled divisors.

The ALU table's fmod is C's: r = x - n*y with n = trunc(x/y) taken without rounding; r is always
representable. `x - trunc(x/y)*y` in floats is not exact (the quotient rounds, the product rounds,
and past 2**24 the quotient is not even an integer's worth of precision), so PTX computes it in
`STEPS[ty]` straight-line steps, each removing up to `bits` bits of the quotient exactly:

  a = |x|, b = |y|; b_k = b * 2**(bits*k) for k = 0 .. steps-1 (a power-of-two scale: exact, or inf
  past the range); r = a; for k = steps-1 down to 0: r = r mod b_k, where r < b_(k+1) beforehand.

One step, `r mod b_k` with r < b_k * 2**bits (skipped unless r >= b_k, which is also false for an
infinite b_k, where 0 * inf would give NaN):
  * q = trunc(div.rn(r, b_k)): the correctly rounded quotient is monotone, so q is n = floor(r/b_k)
    or n + 1 (rounded up to the next integer), never less; q <= 2**bits is an exact integer;
  * r' = fma(-q, b_k, r) is exact: r - q*b_k lies in (-b_k, b_k) and is a multiple of the smaller
    of ulp(r) and ulp(b_k), so it has at most the type's precision;
  * if r' < 0 (q was n + 1): r' + b_k, exact (the true remainder is representable).
`steps` is the least number of `bits`-bit steps that span every finite quotient (smallest
subnormal divisor to the largest value): 13 for f32, 41 for f64. The sign of x goes back on by
its bit (-0 stays -0); NaN for a NaN operand, and the steps themselves give NaN for y = 0 or an
infinite x (q = inf, fma(-inf, b, r) = NaN), and x for an infinite y (no step runs). f16 runs in
f32 (exact: the f32 remainder of f16 values is an f16 value). `exact_model` is the same
algorithm in Python, tested against numpy's fmod (test/unit/test_ptx_fmod.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from xdsl.dialects.builtin import f16, f32, f64, i32, i64
from xdsl.ir import Operation, SSAValue

from tinyir.targets.ptx import dialect as ptx


@dataclass(frozen=True)
class Plan:
    """How one float type's fmod is unrolled."""

    bits: int  # quotient bits removed per step: the mantissa bits, so q <= 2**bits is exact
    steps: int
    sign_bit: int
    int_class: str  # the integer register type holding the float's bits


def _plan(dtype: type, int_class: str) -> Plan:
    info = np.finfo(dtype)
    span = info.maxexp - (info.minexp - info.nmant)  # log2(largest / smallest subnormal), rounded up
    return Plan(info.nmant, math.ceil(span / info.nmant), 1 << (info.bits - 1), int_class)


PLANS: dict[str, Plan] = {"f32": _plan(np.float32, "b32"), "f64": _plan(np.float64, "b64")}
_INT_REGISTER = {"f32": i32, "f64": i64}
_FLOAT_REGISTER = {"f32": f32, "f64": f64}


def _const(value: float | int, ty: str) -> SSAValue:
    return ptx.ConstOp(value, ty).result


def _with_sign_bits(magnitude: SSAValue, sign_of: SSAValue, ty: str) -> SSAValue:
    """|magnitude| with the sign bit of `sign_of` (bit operations: -0 keeps its sign)."""
    plan, ireg = PLANS[ty], _INT_REGISTER[ty]
    sign = ptx.AndOp(plan.int_class, [ptx.MovOp(sign_of, ireg).result, _const(plan.sign_bit, plan.int_class)]).result
    bits = ptx.OrOp(plan.int_class, [ptx.MovOp(magnitude, ireg).result, sign]).result
    return ptx.MovOp(bits, _FLOAT_REGISTER[ty]).result


def _abs(x: SSAValue, ty: str) -> SSAValue:
    plan, ireg = PLANS[ty], _INT_REGISTER[ty]
    bits = ptx.AndOp(plan.int_class, [ptx.MovOp(x, ireg).result, _const(plan.sign_bit - 1, plan.int_class)]).result
    return ptx.MovOp(bits, _FLOAT_REGISTER[ty]).result


def _step(r: SSAValue, b_k: SSAValue, ty: str) -> SSAValue:
    """r mod b_k, given r < b_k * 2**bits (r where r < b_k)."""
    q = ptx.CvtOp(ptx.DivOp(ty, [r, b_k], "rn").result, ty, ty, "rzi").result
    rem = ptx.MadOp(ty, [ptx.NegOp(ty, [q]).result, b_k, r], "rn").result  # fma: one rounding, here none
    negative = ptx.SetpOp(ty, [rem, _const(0.0, ty)], "lt").result
    rem = ptx.SelpOp(ty, [ptx.AddOp(ty, [rem, b_k], "rn").result, rem, negative]).result
    return ptx.SelpOp(ty, [rem, r, ptx.SetpOp(ty, [r, b_k], "ge").result]).result


def fmod_value(x: SSAValue, y: SSAValue, ty: str) -> SSAValue:
    """The ops computing fmod(x, y) on registers of PTX type `ty` (f32 or f64); the result."""
    plan = PLANS[ty]
    b = [_abs(y, ty)]
    scale = _const(float(2 ** plan.bits), ty)
    for _ in range(plan.steps - 1):
        b.append(ptx.MulOp(ty, [b[-1], scale], "rn").result)
    r = _abs(x, ty)
    for b_k in reversed(b):
        r = _step(r, b_k, ty)
    either_nan = ptx.SetpOp(ty, [x, y], "nan").result
    return ptx.SelpOp(ty, [ptx.AddOp(ty, [x, y], "rn").result, _with_sign_bits(r, x, ty), either_nan]).result


def lower_fmod(x: SSAValue, y: SSAValue) -> Operation:
    """fmod of two f16/f32/f64 registers; f16 through f32 (the remainder converts back exactly)."""
    if x.type == f16:
        wide = fmod_value(ptx.CvtOp(x, "f16", "f32").result, ptx.CvtOp(y, "f16", "f32").result, "f32")
        return ptx.CvtOp(wide, "f32", "f16", "rn")
    value = fmod_value(x, y, "f64" if x.type == f64 else "f32")
    owner = value.owner
    assert isinstance(owner, Operation)
    return owner


# ---------------------------------------------------------------- the same algorithm in Python


def _representable(value: Fraction, dtype: type) -> bool:
    return Fraction(float(dtype(float(value)))) == value


def exact_model(x: float, y: float, dtype: type = np.float32) -> float:
    """fmod(x, y) by the steps above, in numpy scalars of `dtype`; each fma is computed exactly
    (Fraction) and checked to be representable, as the argument above says it always is."""
    plan = PLANS["f64" if dtype == np.float64 else "f32"]
    x, y = dtype(x), dtype(y)
    if np.isnan(x) or np.isnan(y):
        return dtype(x + y)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        b = [abs(y)]
        for _ in range(plan.steps - 1):
            b.append(dtype(b[-1] * dtype(2.0 ** plan.bits)))
        r = abs(x)
        for b_k in reversed(b):
            if not r >= b_k:
                continue
            q = np.trunc(dtype(r / b_k))
            if not (np.isfinite(q) and np.isfinite(r) and b_k != 0):
                r = dtype(np.nan)  # fma(-inf, b, r) or fma(-q, 0, inf): NaN
                continue
            exact = Fraction(float(r)) - Fraction(float(q)) * Fraction(float(b_k))
            assert _representable(exact, dtype), (x, y, b_k, q)
            rem = dtype(float(exact))
            r = dtype(rem + b_k) if rem < 0 else rem
        return np.copysign(r, x) if not np.isnan(r) else r


__all__ = ["PLANS", "Plan", "fmod_value", "lower_fmod", "exact_model"]
