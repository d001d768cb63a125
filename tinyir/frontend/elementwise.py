"""Elementwise composite methods of `Tensor`, each a few primitive ops.

exp, log, rsqrt, cos, tan, abs, sign, trunc/floor/ceil/round, isnan/isinf, clip, the activation
functions (relu, leaky_relu, elu, gelu, silu, sigmoid, tanh, softplus, mish, hardswish, ...),
lerp and pow.
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING, Any

from tinyir.errors import TensorValueError
from tinyir.frontend.dtypes import dtypes

if TYPE_CHECKING:
    from tinyir.frontend.tensor import Tensor


def _odd_series(x: Tensor, coefficients: tuple[float, ...]) -> Tensor:
    """x * (c0 + c1 x^2 + c2 x^4 + ...), by Horner's rule in x^2."""
    x2 = x * x
    acc = x2 * coefficients[-1]
    for c in reversed(coefficients[1:-1]):
        acc = x2 * (acc + c)
    return x * (acc + coefficients[0])


# Taylor coefficients of odd functions (of x, x^3, x^5, ...), enough terms for f32 on the ranges used
_SINH = tuple(1 / math.factorial(2 * k + 1) for k in range(7))
_ATANH = tuple(1 / (2 * k + 1) for k in range(12))
_ASINH = tuple((-1) ** k * math.factorial(2 * k) / (4**k * math.factorial(k) ** 2 * (2 * k + 1)) for k in range(9))


def _rounded_once(method):
    """A float16/bfloat16 input computes in float32 and rounds once at the end, as PyTorch does: the
    composite's steps, each rounded to the narrow type, lose digits (float16 exp(7) was 1093, not 1097)."""

    @functools.wraps(method)
    def wrapper(self: Tensor) -> Tensor:
        if self.dtype.is_float() and self.dtype.itemsize < 4:
            return method(self.float()).cast(self.dtype)
        return method(self)

    return wrapper


class ElementwiseMixin:
    @_rounded_once
    def exp(self: Tensor) -> Tensor:
        return (self._float() * (1 / math.log(2))).exp2()

    @_rounded_once
    def log(self: Tensor) -> Tensor:
        return self.log2() * math.log(2)

    def rsqrt(self: Tensor) -> Tensor:
        return self.sqrt().reciprocal()

    @_rounded_once
    def cos(self: Tensor) -> Tensor:
        """From sines of x, 2x and x/2 (exact scalings: the target's sin reduces any argument), never
        sin(pi/2 - x), whose rounded sum loses digits as |x| grows: 1 - 2 sin(x/2)^2 where
        |sin x| < 1/2 (there |cos x| > 0.86, no cancellation), else sin(2x) / (2 sin x)."""
        x = self._float()
        s = x.sin()
        near_one = s.abs() < 0.5
        half = (x * 0.5).sin()
        safe_s = near_one.where(1.0, s)  # the dropped quotient never divides by sin x = 0
        return near_one.where(1 - 2 * half * half, (x * 2).sin() / (2 * safe_s))

    def tan(self: Tensor) -> Tensor:
        return self.sin() / self.cos()

    def square(self: Tensor) -> Tensor:
        return self * self

    def abs(self: Tensor) -> Tensor:
        if self.dtype.is_bool() or self.dtype.is_unsigned():
            return self
        return self.maximum(-self)  # ties at 0 split the gradient: d|x|/dx = 0 there, as in torch

    def sign(self: Tensor) -> Tensor:
        return (self > 0).where(1, (self < 0).where(-1, 0)).cast(self.dtype)

    def trunc(self: Tensor) -> Tensor:
        """Toward zero, in the float domain: from 2**(mantissa bits) on every float is an integer (and
        inf and NaN stay), so only smaller values go through int32, where they always fit."""
        if not self.dtype.is_float():
            return self
        from tinyir.element_types import float_info

        whole = float(2 ** float_info(self.dtype.np).nmant)  # ALU-TABLE: no int32 overflow (1e12)
        x = self.detach()  # a step function: no gradient (PyTorch's 0), on either branch
        through = dtypes.int64 if whole > 2**31 else dtypes.int32  # DTYPES: f64's 2**52 needs int64
        t = x.cast(through).cast(self.dtype)
        t = (t == 0).where(x * 0, t)  # -0.5 and -0.0 truncate to -0.0 (x * 0 keeps x's sign), as in PyTorch
        return (x.abs() < whole).where(t, x)

    def floor(self: Tensor) -> Tensor:
        if not self.dtype.is_float():
            return self
        t = self.trunc()
        return (t > self).where(t - 1, t)

    def ceil(self: Tensor) -> Tensor:
        if not self.dtype.is_float():
            return self
        t = self.trunc()
        return (t < self).where(t + 1, t)

    def round(self: Tensor) -> Tensor:
        """Round half to even, like PyTorch and numpy."""
        if not self.dtype.is_float():
            return self
        low = self.floor()
        frac = self - low
        low_is_odd = (low - (low * 0.5).floor() * 2) == 1
        up = (frac > 0.5) | ((frac == 0.5) & low_is_odd)
        rounded = up.where(low + 1, low)
        return (rounded == 0).where(self.detach() * 0, rounded)  # -0.5 rounds to -0.0, as in PyTorch

    def isnan(self: Tensor) -> Tensor:
        return self != self

    def isinf(self: Tensor, detect_positive: bool = True, detect_negative: bool = True) -> Tensor:
        infinite = ((self * 0) != 0) & (self == self)  # inf * 0 is nan; a finite x gives 0
        if detect_positive and detect_negative:
            return infinite
        return infinite & ((self > 0) if detect_positive else (self < 0))

    def isfinite(self: Tensor) -> Tensor:
        return (self * 0) == 0

    def clip(self: Tensor, min_: Any = None, max_: Any = None) -> Tensor:
        if min_ is None and max_ is None:
            raise TensorValueError("clip: at least one of min_ and max_ must be given")
        # selects, not maximum/minimum: the gradient is 1 on the boundary, as in PyTorch (a max
        # splits it between tied operands), and NaN stays NaN (with gradient 0, as PyTorch's)
        x = self.isnan().where(self.detach(), self) if self.dtype.is_float() else self
        if min_ is not None:
            x, low = x._broadcasted(min_, "clip")
            x = (x < low).where(low, x)
        if max_ is not None:
            x, high = x._broadcasted(max_, "clip")
            x = (x > high).where(high, x)
        return x

    def clamp(self: Tensor, min_: Any = None, max_: Any = None) -> Tensor:
        return self.clip(min_, max_)

    def relu(self: Tensor) -> Tensor:
        return (self <= 0).where(0, self)  # NaN stays NaN, as in PyTorch (x > 0 is false for it)

    def relu6(self: Tensor) -> Tensor:
        return self.hardtanh(0, 6)

    def leaky_relu(self: Tensor, neg_slope: float = 0.01) -> Tensor:
        return (self > 0).where(self, self * neg_slope)

    def _exp_of_negative_part(self: Tensor, scale: float = 1.0) -> Tensor:
        """exp(min(x, 0) / scale), the negative branch of elu/celu/selu: exp never sees a large
        positive x, so the branch the select drops has no inf whose 0 * inf would be a NaN gradient."""
        return (self > 0).where(0, self * (1 / scale) if scale != 1.0 else self).exp()

    def elu(self: Tensor, alpha: float = 1.0) -> Tensor:
        return (self > 0).where(self, alpha * (self._exp_of_negative_part() - 1))

    def celu(self: Tensor, alpha: float = 1.0) -> Tensor:
        return (self > 0).where(self, alpha * (self._exp_of_negative_part(alpha) - 1))

    def selu(self: Tensor, alpha: float = 1.6732632423543772, gamma: float = 1.0507009873554805) -> Tensor:
        return gamma * (self > 0).where(self, alpha * (self._exp_of_negative_part() - 1))  # PyTorch's constants

    @_rounded_once
    def sigmoid(self: Tensor) -> Tensor:
        """1 / (1 + exp(-x)) for x >= 0, exp(x) / (1 + exp(x)) below: exp only ever sees -|x|, so
        nothing overflows and the gradient has no inf * 0 (NaN) at large |x|."""
        x = self._float()
        nonneg = x >= 0
        e = nonneg.where(-x, x).exp()  # exp(-|x|), with |x|'s slope 1 at 0 (the x >= 0 branch's)
        return nonneg.where(1.0, e) / (1 + e)

    def hardsigmoid(self: Tensor, alpha: float = 1 / 6, beta: float = 0.5) -> Tensor:
        y = alpha * self + beta
        return (y <= 0).where(0, (y >= 1).where(1, y))  # slope 0 at both corners, as in PyTorch

    @_rounded_once
    def tanh(self: Tensor) -> Tensor:
        """(1 - e) / (1 + e) with e = exp(-2|x|) in (0, 1], signed: nothing overflows (no NaN
        gradient at large |x|). Below |x| = 0.05, where 1 - e would cancel to a few digits, an odd
        Taylor polynomial (its next term is below 1e-13 relative there)."""
        x = self._float()
        nonneg = x >= 0
        e = (nonneg.where(-x, x) * 2).exp()
        magnitude = (1 - e) / (1 + e)
        small = (x < 0.05) & (x > -0.05)
        xs = small.where(x, 0)  # the polynomial only sees small inputs: no inf in the dropped branch
        x2 = xs * xs
        series = xs * (1 + x2 * (-1 / 3 + x2 * (2 / 15 + x2 * (-17 / 315))))
        return small.where(series, nonneg.where(magnitude, -magnitude))

    def sinh(self: Tensor) -> Tensor:
        """(e^x - e^-x) / 2, which cancels for small |x|: there (|x| < 1/2) its odd Taylor polynomial."""
        x = self._float()
        small = x.abs() < 0.5
        return small.where(_odd_series(small.where(x, 0), _SINH), (x.exp() - (-x).exp()) / 2)

    def cosh(self: Tensor) -> Tensor:
        return (self.exp() + (-self).exp()) / 2

    def atanh(self: Tensor) -> Tensor:
        """(log(1 + x) - log(1 - x)) / 2 (at +-1 the value and slope are +-inf, not NaN); below
        |x| = 1/4 its odd Taylor polynomial, where the two logs would cancel."""
        x = self._float()
        small = x.abs() < 0.25
        return small.where(_odd_series(small.where(x, 0), _ATANH), ((1 + x).log() - (1 - x).log()) * 0.5)

    def asinh(self: Tensor) -> Tensor:
        """sign(x) log(|x| + sqrt(x^2 + 1)): odd, so no cancellation for negative x; below |x| = 1/4
        its Taylor polynomial, past 2**28 log(2|x|) (x^2 would overflow)."""
        x = self._float()
        ax = x.abs()
        small, huge = ax < 0.25, ax > 2.0**28
        mid = (small | huge).where(1.0, ax)  # each dropped branch sees a harmless input
        big = huge.where(ax, 1.0)
        magnitude = huge.where(big.log() + math.log(2), (mid + (mid * mid + 1).sqrt()).log())
        return small.where(_odd_series(small.where(x, 0), _ASINH), (x < 0).where(-magnitude, magnitude))

    def acosh(self: Tensor) -> Tensor:
        """log1p(t) with t = (x - 1) + sqrt(x - 1) sqrt(x + 1): exact near 1 (x - 1 is exact there),
        past 2**28 log(2x) (x^2 would overflow); NaN below 1."""
        x = self._float()
        huge = x > 2.0**28
        xm = huge.where(2.0, x)
        t = (xm - 1) + (xm - 1).sqrt() * (xm + 1).sqrt()  # two roots: the slope at 1 is inf, not inf * 0
        return huge.where(huge.where(x, 1.0).log() + math.log(2), t._log1p())

    def _log1p(self: Tensor) -> Tensor:
        """log(1 + t), accurate for small t: log(u) * t / (u - 1) with u = 1 + t rounded (u - 1 is
        exact, so the rounding of u cancels); t itself where u rounds to 1."""
        u = 1 + self
        exact = u == 1
        return exact.where(self, u.log() * self / exact.where(1.0, u - 1))

    def gelu(self: Tensor, approximate: str = "tanh") -> Tensor:
        """The tanh approximation by default (PyTorch's `approximate="tanh"`), as in tinygrad;
        approximate="none" is PyTorch's default, exact x * Phi(x) (math_ops.py)."""
        if approximate == "none":
            return self._gelu_erf()
        if approximate != "tanh":
            raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
        return 0.5 * self * (1 + (math.sqrt(2 / math.pi) * (self + 0.044715 * self * self * self)).tanh())

    def quick_gelu(self: Tensor) -> Tensor:
        return self * (self * 1.702).sigmoid()

    def silu(self: Tensor) -> Tensor:
        return self * self.sigmoid()

    def swish(self: Tensor) -> Tensor:
        return self.silu()

    def softplus(self: Tensor, beta: float = 1.0) -> Tensor:
        """log(1 + exp(beta x)) / beta, computed stably as max(y, 0) + log(1 + exp(-|y|)), both
        taken from the y >= 0 side at 0 (so the slope there is 1/2, not the 0 a tie-split max gives)."""
        y = self * beta
        nonneg = y >= 0
        return (nonneg.where(y, 0) + (1 + nonneg.where(-y, y).exp()).log()) * (1 / beta)

    def mish(self: Tensor) -> Tensor:
        return self * self.softplus().tanh()

    def hardswish(self: Tensor) -> Tensor:
        return (self <= -3).where(0, (self >= 3).where(self, self * (self + 3) * (1 / 6)))

    def hardtanh(self: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
        """clip, but with slope 0 on the corners (PyTorch's hardtanh; its clamp has slope 1 there)."""
        return (self <= min_val).where(min_val, (self >= max_val).where(max_val, self))

    def softsign(self: Tensor) -> Tensor:
        return self / (1 + self.abs())

    def lerp(self: Tensor, end: Any, weight: Any) -> Tensor:
        return self + (end - self) * weight

    def _int_pow(self: Tensor, exponent: Tensor, known: int | None = None) -> Tensor:
        """An integer power of integers stays an integer, wrapping as the type does (PyTorch's): by
        squaring and multiplying over the exponent's bits (only the set bits of a known exponent).
        A negative exponent gives 1 / base truncated: 1 for 1, +-1 for -1, 0 otherwise."""
        out, square = self.ones_like(), self
        if known is not None and known >= 0:
            while known:
                if known & 1:
                    out = out * square
                known >>= 1
                if known:
                    square = square * square
            return out
        bits = exponent.dtype.itemsize * 8 - (0 if exponent.dtype.is_unsigned() else 1)
        rest = exponent
        for i in range(bits):
            out = ((rest & 1) == 1).where(out * square, out)
            if i + 1 < bits:
                square, rest = square * square, rest >> 1
        if exponent.dtype.is_unsigned():
            return out
        odd = (exponent & 1) == 1
        inverse = (self == 1).where(1, ((self == -1) & odd).where(-1, (self == -1).where(1, 0))).cast(self.dtype)
        return (exponent < 0).where(inverse, out)

    def pow(self: Tensor, x: Any, reverse: bool = False) -> Tensor:
        scalar_exponent = not reverse and isinstance(x, (int, float)) and not isinstance(x, bool)
        if scalar_exponent and float(x).is_integer() and 0 <= x <= 8:
            out, base = self.ones_like(), self  # small integer powers: exact, by multiplication
            for _ in range(int(x)):
                out = out * base
            return out
        if scalar_exponent and x == 0.5:
            return self.sqrt()
        if scalar_exponent and x == -1:
            return self.reciprocal()
        base, exponent = self._broadcasted(x, "pow", reverse)
        if base.dtype.is_int() and exponent.dtype.is_int():
            return base._int_pow(exponent, x if scalar_exponent and isinstance(x, int) else None)
        base, exponent = base._float(), exponent._float()
        # lanes known without the log, whose log2(0) = -inf would make the chain rule's 0 * inf a NaN
        # gradient: x**0 = 1 and 1**(inf or nan) = 1, 0**e = 0 with slope 0 for e > 1, x**1 = x
        one = (exponent == 0) | ((base == 1) & exponent.isfinite().logical_not())
        zero = (base == 0) & (exponent > 1)
        identity = exponent == 1
        # 0**e for 0 < e < 1 is 0 with slope +inf, like sqrt(0); for e < 0 it is inf with slope
        # -inf, like 1/0 (PyTorch's e * 0**(e - 1)); each reads the base only in its own lanes
        root, pole = (base == 0) & (exponent > 0) & (exponent < 1), (base == 0) & (exponent < 0)
        at_zero = root.where(root.where(base, 1.0).sqrt(), pole.where(base, 1.0).reciprocal())
        safe = (one | zero | identity | root | pole).where(1.0, base)
        magnitude = (safe.abs().log2() * exponent).exp2()
        exp_is_odd = (exponent - (exponent * 0.5).floor() * 2) == 1
        negate = (base < 0) & exp_is_odd
        exp_is_int = exponent == exponent.trunc()
        result = negate.where(-magnitude, magnitude)
        result = ((base < 0) & exp_is_int.logical_not()).where(math.nan, result)
        result = (root | pole).where(at_zero, result)
        return one.where(1.0, zero.where(0.0, identity.where(base, result)))
