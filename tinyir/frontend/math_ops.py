"""More elementwise math on `Tensor`, composed from the primitives (so it compiles and differentiates
like everything else): atan, asin, acos, erf, log10, logaddexp, logsigmoid, softmin, fmod,
copysign, isclose, normalize.

The transcendental ones have no primitive: atan reduces its argument twice (|x| > 1 through
pi/2 - atan(1/x), then the half-angle identity) and sums a short odd series; erf is a Taylor series
near 0 and the Abramowitz-Stegun 7.1.26 rational form elsewhere. Both are within a few float32 ulp
of the exact values over the whole range (see test/unit/test_tensor_surface.py).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tinyir.frontend.tensor import Tensor

# atan(x) for |x| <= tan(pi/8): x * sum_k (-1)^k x^(2k) / (2k+1); eight terms reach 1e-9 there
_ATAN_TERMS = tuple((-1) ** k / (2 * k + 1) for k in range(8))
# erf near 0: 2/sqrt(pi) * sum_k (-1)^k x^(2k+1) / (k! (2k+1)), used for |x| < 0.5 (error < 2e-9)
_ERF_TAYLOR = tuple(2 / math.sqrt(math.pi) * (-1) ** k / (math.factorial(k) * (2 * k + 1)) for k in range(7))
# Abramowitz & Stegun 7.1.26: erf(x) = 1 - t (a1 + a2 t + ... + a5 t^4) exp(-x^2), t = 1 / (1 + p x)
_AS_P = 0.3275911
_AS_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)


def _poly(x: Tensor, coeffs: tuple[float, ...]) -> Tensor:
    """coeffs[0] + coeffs[1] x + ... by Horner's rule."""
    out = x * coeffs[-1] + coeffs[-2]
    for c in reversed(coeffs[:-2]):
        out = out * x + c
    return out


class MathMixin:
    def atan(self: Tensor) -> Tensor:
        x = self._float()
        big = x.abs() > 1
        # 1/x only where it is used: the unused branch must not feed inf into the gradient
        inv = big.where(x, 1.0).reciprocal()
        y = big.where(inv, x)  # |y| <= 1
        half = y / (1 + (1 + y * y).sqrt())  # atan(y) = 2 atan(half), |half| <= tan(pi/8)
        small = 2 * half * _poly(half * half, _ATAN_TERMS)
        quarter_turn = (x > 0).where(math.pi / 2, -math.pi / 2)
        return big.where(quarter_turn - small, small)

    def asin(self: Tensor) -> Tensor:
        """Inside (-1, 1) through atan; at +-1 (and past, NaN) as +-(pi/2 - sqrt(2 (1 - |x|))), which
        has PyTorch's infinite slope there. Each branch sees only inputs it is defined on, so
        the unused one adds no NaN to the gradient."""
        x = self._float()
        inside = x.abs() < 1
        xs = inside.where(x, 0.0)
        core = (xs / ((1 - xs) * (1 + xs)).sqrt()).atan()
        edge = (x > 0).where(math.pi / 2 - (2 * (1 - x)).sqrt(), (2 * (1 + x)).sqrt() - math.pi / 2)
        return inside.where(core, edge)

    def acos(self: Tensor) -> Tensor:
        """2 atan(sqrt((1 - x) / (1 + x))) inside (-1, 1) (accurate near 1); at +-1 as asin."""
        x = self._float()
        inside = x.abs() < 1
        xs = inside.where(x, 0.0)
        core = 2 * ((1 - xs) / (1 + xs)).sqrt().atan()
        edge = (x > 0).where((2 * (1 - x)).sqrt(), math.pi - (2 * (1 + x)).sqrt())
        return inside.where(core, edge)

    def erf(self: Tensor) -> Tensor:
        x = self._float()
        near = x.abs() < 0.5
        xn = near.where(x, 0.0)  # each branch on the inputs it serves: no inf * 0 in the gradient
        taylor = xn * _poly(xn * xn, _ERF_TAYLOR)
        a = near.where(1.0, (x < 0).where(-x, x))  # |x| by a select: a NaN keeps its NaN gradient
        a = (a > 4).where(4.0, a)  # erf(4) is 1 in float32; keeps exp and t finite at +-inf
        t = (1 + _AS_P * a).reciprocal()
        tail = 1 - t * _poly(t, _AS_A) * (-(a * a)).exp()
        return near.where(taylor, (x < 0).where(-tail, tail))

    def log10(self: Tensor) -> Tensor:
        return self.log2() * math.log10(2)

    def logaddexp(self: Tensor, other: Any) -> Tensor:
        """log(exp(self) + exp(other)) without overflow. Where the larger side is infinite the result
        is that side (its gradient 1, as in PyTorch); the finite formula only sees finite maxima."""
        a, b = self._broadcasted(other, "logaddexp")
        a, b = a._float(), b._float()
        m = a.maximum(b)
        finite = m.isfinite()
        a_s, b_s = finite.where(a, 0.0), finite.where(b, 0.0)
        shift = finite.where(m, 0.0).detach()
        return finite.where(((a_s - shift).exp() + (b_s - shift).exp()).log() + shift, m)

    def logsigmoid(self: Tensor) -> Tensor:
        """log(sigmoid(x)) = min(x, 0) - log(1 + exp(-|x|)), by selects so the slope at 0 is 1/2."""
        x = self._float()
        nonneg = x >= 0
        return nonneg.where(0.0, x) - (1 + nonneg.where(-x, x).exp()).log()

    def softmin(self: Tensor, axis: int = -1, dtype: Any = None) -> Tensor:
        return (-self).softmax(axis, dtype)

    def fmod(self: Tensor, other: Any) -> Tensor:
        """C's fmod: the remainder with the sign of the dividend (PyTorch's torch.fmod), exact on
        floats (the ALU table's `fmod`: x - trunc(x/y)*y without rounding; NaN for y = 0 or an
        infinite x, x for an infinite y). Gradients as PyTorch: 1 to self, -trunc(self / other)
        to other."""
        a, b = self._broadcasted(other, "fmod")
        if not a.dtype.is_float():
            a._need("fmod", "int")
            return a._op("mod", b)
        return a._op("fmod", b)

    def copysign(self: Tensor, other: Any) -> Tensor:
        """|self| with the sign of `other` (-0.0 counts as negative); no gradient flows to `other`.
        The gradient is +-1 (0 at self = 0, as PyTorch); at an infinite or NaN self PyTorch's
        is NaN (its formula divides by self) where this one is +-1 and 0."""
        a, b = self._broadcasted(other, "copysign")  # the promoted dtype, floated: PyTorch's result type
        a, b = a._float(), b._float()
        negative = (b < 0) | ((b == 0) & (b.reciprocal() < 0)) if b.dtype.is_float() else b < 0
        magnitude = a.abs()
        return negative.where(-magnitude, magnitude)

    def isclose(self: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Tensor:
        """|self - other| <= atol + rtol |other|; equal values (infinities too) are close."""
        a, b = self._broadcasted(other, "isclose")
        close = (a == b)
        if a.dtype.is_float():
            close = close | ((a - b).abs() <= atol + rtol * b.abs()) & a.isfinite() & b.isfinite()
            if equal_nan:
                close = close | (a.isnan() & b.isnan())
        else:
            close = close | ((a - b).abs() <= atol + rtol * b.abs())
        return close

    def normalize(self: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
        """self / max(||self||_p along dim, eps) (torch.nn.functional.normalize). The clamp is taken
        before the root, so an all-zero slice has a finite gradient."""
        x = self._float()
        if p == 2:
            total = x.square().sum(dim, keepdim=True)
            return x * total.maximum(eps * eps).rsqrt()
        if p == 1:
            return x / x.abs().sum(dim, keepdim=True).maximum(eps)
        if p == math.inf:
            return x / x.abs().max(dim, keepdim=True).maximum(eps)
        total = x.abs().pow(p).sum(dim, keepdim=True)
        return x / total.maximum(eps ** p).pow(1 / p)

    def _gelu_erf(self: Tensor) -> Tensor:
        """PyTorch's exact gelu (`approximate="none"`): x Phi(x)."""
        return 0.5 * self * (1 + (self * (1 / math.sqrt(2))).erf())
