"""Reduction methods of `Tensor`, on the two reduce primitives (reduce_sum, reduce_max).

sum, prod, max, min, mean, var, std, argmax, argmin, any, all, softmax, log_softmax, logsumexp,
cumsum. Every reduction takes `axis` (int, tuple or None = all, negative allowed) and `keepdim`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from tinyir.errors import TensorValueError
from tinyir.frontend.dtypes import dtypes

if TYPE_CHECKING:
    from tinyir.frontend.tensor import Tensor

Axis = int | tuple[int, ...] | list[int] | None


#: DTYPES: what sum/prod accumulate in int32 (tinygrad's: the integer types narrower than int32)
SMALL_INTS = (dtypes.bool, dtypes.int8, dtypes.uint8, dtypes.int16, dtypes.uint16)


class ReduceMixin:
    def _axes(self: Tensor, axis: Axis, opname: str) -> tuple[int, ...]:
        if axis is None:
            return tuple(range(self.ndim))
        axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)  # _axis checks each is an int
        out = tuple(sorted({self._axis(a, opname) for a in axes}))
        return out if self.ndim else ()

    def _reduce(self: Tensor, op: str, axis: Axis, keepdim: bool, opname: str) -> Tensor:
        axes = self._axes(axis, opname)
        kept = tuple(1 if i in axes else s for i, s in enumerate(self.shape))
        if op == "reduce_max" and any(self.shape[a] == 0 for a in axes):
            raise TensorValueError(f"{opname}: reduction over a zero-size dim of {self.shape} has no identity")
        out = self._op(op, arg=axes, shape=kept) if axes else self
        if keepdim:
            return out
        return out.reshape(tuple(s for i, s in enumerate(self.shape) if i not in axes))

    def sum(self: Tensor, axis: Axis = None, keepdim: bool = False, acc_dtype: Any = None,
            dtype: Any = None) -> Tensor:
        # small integer types and bool accumulate in int32, like tinygrad/PyTorch; dtype= casts the
        # input first (PyTorch's sum(dtype=))
        x = self.cast(dtypes.int32) if self.dtype in SMALL_INTS else self
        x = self.cast(dtype) if dtype is not None else x
        if acc_dtype is not None:
            x = x.cast(acc_dtype)
        return x._reduce("reduce_sum", axis, keepdim, "sum")

    def max(self: Tensor, axis: Axis = None, keepdim: bool = False) -> Tensor:
        if self.dtype.is_bool():
            return self.cast(dtypes.int32)._reduce("reduce_max", axis, keepdim, "max").cast(dtypes.bool)
        return self._reduce("reduce_max", axis, keepdim, "max")

    def min(self: Tensor, axis: Axis = None, keepdim: bool = False) -> Tensor:
        return self._order_flipped().max(axis, keepdim)._order_flipped()

    def _order_flipped(self: Tensor) -> Tensor:
        """An order-reversing bijection, its own inverse, so min = flip(max(flip(x))): `~x` (= -x-1)
        for integers and bools, which cannot overflow where `-x` wraps at the most negative
        integer; `-x` for floats (exact, NaN stays NaN)."""
        return -self if self.dtype.is_float() else ~self

    def mean(self: Tensor, axis: Axis = None, keepdim: bool = False) -> Tensor:
        axes = self._axes(axis, "mean")
        count = math.prod(self.shape[a] for a in axes)
        total = self._float().sum(axis, keepdim)
        return total * (1.0 / count) if count else total * math.nan

    def var(self: Tensor, axis: Axis = None, keepdim: bool = False, correction: int = 1) -> Tensor:
        axes = self._axes(axis, "var")
        count = math.prod(self.shape[a] for a in axes)
        centered = self._float() - self._float().mean(axis, keepdim=True)
        # PyTorch divides by max(0, N - correction): x/0 is inf, and 0/0 (all equal) NaN
        return centered.square().sum(axis, keepdim) / float(max(0, count - correction))

    def std(self: Tensor, axis: Axis = None, keepdim: bool = False, correction: int = 1) -> Tensor:
        var = self.var(axis, keepdim, correction)
        zero = var == 0  # sqrt's slope is infinite at 0: PyTorch's gradient is 0 there (all elements equal), not NaN
        return zero.where(0.0, zero.where(1.0, var).sqrt())

    def var_mean(self: Tensor, axis: Axis = None, keepdim: bool = False, correction: int = 1) -> tuple[Tensor, Tensor]:
        return self.var(axis, keepdim, correction), self.mean(axis, keepdim)

    def std_mean(self: Tensor, axis: Axis = None, keepdim: bool = False, correction: int = 1) -> tuple[Tensor, Tensor]:
        return self.std(axis, keepdim, correction), self.mean(axis, keepdim)

    def prod(self: Tensor, axis: Axis = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
        """Product by pairwise halving (log2 n multiplies; pads odd lengths with 1)."""
        axes = self._axes(axis, "prod")
        rest = [i for i in range(self.ndim) if i not in axes]
        x = self.cast(dtypes.int32) if self.dtype in SMALL_INTS else self
        x = self.cast(dtype) if dtype is not None else x  # PyTorch's prod(dtype=): cast the input first
        n = math.prod(self.shape[a] for a in axes)
        x = x.permute(rest + list(axes)).reshape(tuple(self.shape[i] for i in rest) + (n,))
        if n == 0:
            x = x.ones_like()[..., :0].pad([None] * (x.ndim - 1) + [(0, 1)], value=1)
        while x.shape[-1] > 1:
            if x.shape[-1] % 2:
                x = x.pad([None] * (x.ndim - 1) + [(0, 1)], value=1)
            half = x.shape[-1] // 2
            x = x[..., :half] * x[..., half:]
        out = x.reshape(tuple(self.shape[i] for i in rest))
        if keepdim:
            out = out.reshape(tuple(1 if i in axes else s for i, s in enumerate(self.shape)))
        return out

    def argmax(self: Tensor, axis: int | None = None, keepdim: bool = False) -> Tensor:
        """Index of the first maximum (of the flattened tensor when axis is None)."""
        from tinyir.frontend.tensor import Tensor

        if axis is None:
            return self.flatten().argmax(0)
        a = self._axis(axis, "argmax")
        n = self.shape[a]
        is_max = self == self.max(a, keepdim=True)
        if self.dtype.is_float():  # a NaN is the maximum, as in numpy and PyTorch (the first one wins)
            is_max = is_max | self.isnan()
        countdown = Tensor.arange(n, 0, -1, device=self.device).reshape((n,) + (1,) * (self.ndim - a - 1))
        return (n - is_max.where(countdown, 0).max(a, keepdim)).cast(dtypes.int32)

    def argmin(self: Tensor, axis: int | None = None, keepdim: bool = False) -> Tensor:
        return self._order_flipped().argmax(axis, keepdim)

    def any(self: Tensor, axis: Axis = None, keepdim: bool = False) -> Tensor:
        if self.numel() == 0:  # ZERO-SIZE: max has no identity; a count of nothing is 0 -> False
            return self.bool().cast(dtypes.int32).sum(axis, keepdim) != 0
        return self.bool().max(axis, keepdim)

    def all(self: Tensor, axis: Axis = None, keepdim: bool = False) -> Tensor:
        return self.logical_not().any(axis, keepdim).logical_not()

    def _max_detached(self: Tensor, axis: int) -> Tensor:
        return self.max(axis, keepdim=True).detach()

    def softmax(self: Tensor, axis: int = -1, dtype: Any = None) -> Tensor:
        x = self.cast(dtype) if dtype is not None else self._float()
        if x.numel() == 0:  # ZERO-SIZE: nothing to normalize (and max has no identity)
            return x
        e = (x - x._max_detached(axis)).exp()
        if x.dtype.itemsize < 4:  # float16/bfloat16: `/` divides in float32 and rounds once
            return e / e.sum(axis, keepdim=True)
        # the sum is in [1, n] (its largest term is exp(0)): its reciprocal is a normal number, so the
        # guard of `/` against subnormal and huge divisors (a select per element) is not needed
        return e * e.sum(axis, keepdim=True).reciprocal()

    def log_softmax(self: Tensor, axis: int = -1, dtype: Any = None) -> Tensor:
        x = self.cast(dtype) if dtype is not None else self._float()
        if x.numel() == 0:  # ZERO-SIZE: as softmax
            return x
        shifted = x - x._max_detached(axis)
        return shifted - shifted.exp().sum(axis, keepdim=True).log()

    def logsumexp(self: Tensor, axis: Axis = None, keepdim: bool = False) -> Tensor:
        x = self._float()
        if x.numel() == 0:  # ZERO-SIZE: log of an empty sum, -inf (PyTorch's), or an empty result
            return x.sum(axis, keepdim).log()
        m = x.max(axis, keepdim=True).detach()
        m = m.isinf().where(0.0, m)  # an infinite max would give inf - inf = NaN: shift by 0 there instead
        out = (x - m).exp().sum(axis, keepdim=True).log() + m
        if keepdim:
            return out
        axes = self._axes(axis, "logsumexp")
        return out.reshape(tuple(s for i, s in enumerate(self.shape) if i not in axes))

    def logcumsumexp(self: Tensor, axis: int = 0) -> Tensor:
        if self.numel() == 0:  # ZERO-SIZE: an empty running result (max has no identity)
            self._axis(axis, "logcumsumexp")
            return self._float()
        from tinyir.frontend.tensor import Tensor

        if self.ndim == 0:
            return self._float()
        d = self._axis(axis, "logcumsumexp")
        x = self._float().transpose(d, -1)
        n = x.shape[-1]
        positions = Tensor.arange(n, device=self.device)
        upto = positions.reshape(1, n) <= positions.reshape(n, 1)  # [i, j]: j <= i
        xj = x.unsqueeze(-2)
        # shift each output by its own running max (one max for the whole tensor underflowed a row far
        # below it to -inf, and an inf anywhere made every row NaN); an infinite max shifts by 0
        m = upto.where(xj, -math.inf).max(-1, keepdim=True).detach()
        m = m.isinf().where(0.0, m)
        total = upto.where(xj - m, -math.inf).exp().sum(-1)  # masked before exp: no 0 * inf gradient
        return (total.log() + m.squeeze(-1)).transpose(d, -1)

    def cumsum(self: Tensor, axis: int = 0) -> Tensor:
        """Running sum along `axis`, as a masked sum with a lower-triangular 0/1 matrix."""
        return self._running(axis, "cumsum", 0, "sum")

    def cumprod(self: Tensor, axis: int = 0) -> Tensor:
        """Running product along `axis`: the product of a lower-triangular selection (ones above the
        diagonal), so zeros and negative numbers multiply exactly (no log/exp)."""
        return self._running(axis, "cumprod", 1, "prod")

    def _running(self: Tensor, axis: int, opname: str, identity: int, reduce: str) -> Tensor:
        """The `reduce` method ("sum", "prod") over each prefix along `axis`: element [i, j] of a square is x[j] for j <= i and
        the reduction's identity above the diagonal; a 0-d tensor is its own prefix (as PyTorch)."""
        from tinyir.frontend.tensor import Tensor

        a = self._axis(axis, opname)
        if self.ndim == 0:
            return getattr(self, reduce)()
        n = self.shape[a]
        x = self.transpose(a, -1)
        rows = Tensor.arange(n, device=self.device).reshape(n, 1)
        lower = rows >= Tensor.arange(n, device=self.device).reshape(1, n)  # [i, j] = j <= i
        return getattr(lower.where(x.unsqueeze(-2), identity), reduce)(-1).transpose(a, -1)
