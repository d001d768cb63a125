"""f32 math that LLVM can vectorize on the CPU, built from plain llir instructions.

`llvm.exp2.f32` in a vectorized loop becomes one libm call per lane (LLVM has no vector exp2 for
the host without a vector math library), which dominates softmax. Here exp2 is computed inline:

    x' = min(max(x, -150), 128)        NaN stays NaN; the clamps keep the scale exponents in range
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


def exp2_f32(x: SSAValue | Operation) -> Operation:
    """2^x for an f32 value, as a tree of new llir ops (see the module docstring)."""
    low = ll.CallOp("llvm.maximum.f32", [SSAValue.get(x), ll.ConstantOp(-150.0, f32).result], f32)
    clamped = ll.CallOp("llvm.minimum.f32", [low.result, ll.ConstantOp(128.0, f32).result], f32)
    nearest = ll.CallOp("llvm.rint.f32", [clamped.result], f32)
    frac = ll.FSubOp(clamped, nearest)
    coefficients = [math.log(2) ** k / math.factorial(k) for k in range(EXP2_TERMS)]
    poly: Operation = ll.ConstantOp(coefficients[-1], f32)
    for c in reversed(coefficients[:-1]):
        poly = ll.FAddOp(ll.FMulOp(poly, frac), ll.ConstantOp(c, f32))
    n = ll.CallOp("llvm.fptosi.sat.i32.f32", [nearest.result], i32)  # NaN -> 0: no poison
    half = ll.AShrOp(n, ll.ConstantOp(1, i32))
    rest = ll.SubOp(n, half)
    return ll.FMulOp(ll.FMulOp(poly, _power_of_two(half)), _power_of_two(rest))
