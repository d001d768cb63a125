"""f32 math that LLVM can vectorize on the CPU, built from plain llir instructions.

`llvm.exp2.f32` in a vectorized loop becomes one libm call per lane (LLVM has no vector exp2 for
the host without a vector math library), which dominates softmax. Here exp2 is computed inline:

    x' = min(max(x, -150), 128)        the clamps keep the scale exponents in range (compare and
                                       select: one vmaxps/vminps each; a NaN x is put back at the end)
    n  = rint(x'),  f = x' - n         f in [-0.5, 0.5], exact
    p  = sum_k (f ln 2)^k / k!, k <= 7 2^f: truncation error below 6e-9 relative (Horner, f32)
    2^x = p * 2^(n >> 1) * 2^(n - (n >> 1))

Each power of two is built from its exponent bits; splitting it in two keeps both factors normal
floats for every n in [-150, 128], so overflow gives +inf (x >= 128), underflow rounds through the
subnormals to 0 (x <= -150), and integer x gives 2^x exactly. The result is within 2 ulp of the
correctly rounded value (tested against numpy in test/unit/test_cpu_vectorize.py).
"""

from __future__ import annotations

import math

from xdsl.dialects.builtin import f32, i32
from xdsl.ir import Operation, SSAValue

from tinyir.targets.llvm import dialect as ll

EXP2_TERMS = 8  # Taylor terms of 2^f = e^(f ln 2): degree 7


def _power_of_two(exponent: Operation) -> Operation:
    """2^e as an f32, for e in [-126, 127]: the biased exponent in the float's exponent bits."""
    biased = ll.AddOp(exponent, ll.ConstantOp(127, i32))
    return ll.BitcastOp(ll.ShlOp(biased, ll.ConstantOp(23, i32)), f32)


def _select_above(x: SSAValue | Operation, bound: float, predicate: str) -> Operation:
    """`x predicate bound ? x : bound`: one vmaxps/vminps on x86 (a NaN x gives the bound)."""
    c = ll.ConstantOp(bound, f32)
    return ll.SelectOp(ll.FCmpOp(predicate, SSAValue.get(x), c.result), x, c)


def exp2_f32(x: SSAValue | Operation) -> Operation:
    """2^x for an f32 value, as a tree of new llir ops (see the module docstring)."""
    x = SSAValue.get(x)
    clamped = _select_above(_select_above(x, -150.0, "ogt"), 128.0, "olt")  # never NaN
    nearest = ll.CallOp("llvm.rint.f32", [clamped.results[0]], f32)
    frac = ll.FSubOp(clamped, nearest)
    coefficients = [math.log(2) ** k / math.factorial(k) for k in range(EXP2_TERMS)]
    poly: Operation = ll.ConstantOp(coefficients[-1], f32)
    for c in reversed(coefficients[:-1]):
        poly = ll.FAddOp(ll.FMulOp(poly, frac), ll.ConstantOp(c, f32))
    n = ll.FPToSIOp(nearest, i32)  # an integer in [-150, 128]: exact, no poison
    half = ll.AShrOp(n, ll.ConstantOp(1, i32))
    rest = ll.SubOp(n, half)
    value = ll.FMulOp(ll.FMulOp(poly, _power_of_two(half)), _power_of_two(rest))
    return ll.SelectOp(ll.FCmpOp("uno", x, x), x, value)  # NaN stays NaN
