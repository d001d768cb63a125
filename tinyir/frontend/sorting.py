"""Sorting and running extrema of `Tensor`: sort, argsort, topk, cummax, cummin.

There is no sort primitive: an element's place in the sorted order is its *rank*, the number of
elements that come before it (smaller ones, and equal ones at a lower index, so the order is
stable), counted with an n x n comparison along the axis; the sorted values are then picked by a
one-hot match of rank and position. O(n^2) per row, which suits the short axes these are used on.
NaN sorts as the largest value, as in PyTorch. Values are always picked from the input with
`where`, so the gradient goes exactly to the element chosen, as in PyTorch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tinyir.errors import TensorValueError
from tinyir.frontend.arguments import int_arg
from tinyir.frontend.dtypes import dtypes

if TYPE_CHECKING:
    from tinyir.frontend.tensor import Tensor


def _nan(x: Tensor) -> Tensor:
    return x.isnan() if x.dtype.is_float() else x.zeros_like(dtype=dtypes.bool)


def _before(a: Tensor, b: Tensor, descending: bool) -> Tensor:
    """a comes strictly before b in the order (NaN largest)."""
    if descending:
        a, b = b, a
    return (a < b) | (_nan(b) & _nan(a).logical_not())


def _same(a: Tensor, b: Tensor) -> Tensor:
    return (a == b) | (_nan(a) & _nan(b))


def order_key(x: Tensor) -> Tensor:
    """x's integers (or bools) in a signed type whose order is theirs, so that `~` reverses it and the
    type's minimum is below every key: int32 for the narrow types, int64 for int64 and uint32, and
    uint64's bits with the top one flipped (2**63 + v keeps its place above v)."""
    if x.dtype.itemsize < 4 or x.dtype == dtypes.int32:
        return x.cast(dtypes.int32)
    if x.dtype == dtypes.uint64:
        return x.bitcast(dtypes.int64) ^ dtypes.min(dtypes.int64)
    return x.cast(dtypes.int64)


def from_order_key(key: Tensor, dtype) -> Tensor:
    """The value of dtype that `order_key` made `key` from."""
    if dtype == dtypes.uint64:
        return (key ^ dtypes.min(dtypes.int64)).bitcast(dtypes.uint64)
    return key.cast(dtype)


def _pick(x: Tensor, index: Tensor) -> Tensor:
    """x[..., index[..., k]] along the last axis by a one-hot match (index has x's leading shape)."""
    from tinyir.frontend.tensor import Tensor

    n = x.shape[-1]
    hot = index.unsqueeze(-1) == Tensor.arange(n, device=x.device)
    return hot.where(x.unsqueeze(-2), 0).sum(-1).cast(x.dtype)


class SortingMixin:
    def _sort_last(self: Tensor, descending: bool) -> Tensor:
        """The stable sorting permutation of the last axis: out[..., k] = index of the k-th element."""
        from tinyir.frontend.tensor import Tensor

        n = self.shape[-1]
        xi, xj = self.unsqueeze(-1), self.unsqueeze(-2)  # [..., i, j]: does element j come before i?
        positions = Tensor.arange(n, device=self.device)
        earlier = positions.reshape(1, n) < positions.reshape(n, 1)
        before = _before(xj, xi, descending) | (_same(xj, xi) & earlier)
        rank = before.sum(-1)  # [..., i]
        hot = rank.unsqueeze(-2) == positions.reshape(n, 1)  # [..., k, i]
        return hot.where(positions, 0).sum(-1)

    def argsort(self: Tensor, dim: int = -1, descending: bool = False) -> Tensor:
        """Indices that sort `dim` (stable: equal elements keep their order), int32."""
        if self.ndim == 0:
            return self.zeros_like(dtype=dtypes.int32)
        d = self._axis(dim, "argsort")
        x = self.transpose(d, -1)
        return x._sort_last(descending).transpose(d, -1)

    def sort(self: Tensor, dim: int = -1, descending: bool = False) -> tuple[Tensor, Tensor]:
        """(values, indices) sorted along `dim`, stable, NaN largest (torch.sort(stable=True))."""
        if self.ndim == 0:
            return self, self.zeros_like(dtype=dtypes.int32)
        d = self._axis(dim, "sort")
        x = self.transpose(d, -1)
        order = x._sort_last(descending)
        return _pick(x, order).transpose(d, -1), order.transpose(d, -1)

    def topk(self: Tensor, k: int, dim: int = -1, largest: bool = True, sorted_: bool = True) -> tuple[Tensor, Tensor]:
        """The k largest (or smallest) elements along `dim` and their indices, in sorted order (ties:
        the lower index first)."""
        if self.ndim == 0:
            if k not in (0, 1):
                raise TensorValueError(f"topk: k={k} is out of range for a 0-d tensor")
            return self.sort()
        k = int_arg(k, "topk", "k")
        d = self._axis(dim, "topk")
        if not 0 <= k <= self.shape[d]:
            raise TensorValueError(f"topk: k={k} is out of range for dim {dim} of size {self.shape[d]}")
        values, indices = self.sort(d, descending=largest)
        bounds = [None] * self.ndim
        bounds[d] = (0, k)
        return values.shrink(bounds), indices.shrink(bounds)

    def _cumulative_extreme(self: Tensor, dim: int, largest: bool, opname: str) -> tuple[Tensor, Tensor]:
        from tinyir.frontend.tensor import Tensor

        if self.ndim == 0:
            return self, self.zeros_like(dtype=dtypes.int32)
        d = self._axis(dim, opname)
        x = self.transpose(d, -1)
        n = x.shape[-1]
        if n == 0 or self.numel() == 0:
            return self, self.zeros_like(dtype=dtypes.int32)
        positions = Tensor.arange(n, device=self.device)
        upto = positions.reshape(1, n) <= positions.reshape(n, 1)  # [i, j]: j <= i
        xj = x.unsqueeze(-2)
        # the running extreme's index: the last j <= i that no earlier-or-equal element beats
        # (a NaN beats everything, so it wins from where it appears on, as in PyTorch)
        if x.dtype.is_float():
            keyed = x if largest else -x
            extreme = upto.where(keyed.unsqueeze(-2), -float("inf")).max(-1, keepdim=True)  # [..., i, 1]
            nan_seen = (upto & _nan(xj)).any(-1, keepdim=True)
            hit = upto & nan_seen.where(_nan(xj), keyed.unsqueeze(-2) == extreme)
        else:
            keyed = order_key(x)
            keyed = keyed if largest else ~keyed  # ~ reverses the order of ints, with no overflow
            extreme = upto.where(keyed.unsqueeze(-2), dtypes.min(keyed.dtype)).max(-1, keepdim=True)
            hit = upto & (keyed.unsqueeze(-2) == extreme)
        index = hit.where(positions, -1).max(-1)
        return _pick(x, index).transpose(d, -1), index.transpose(d, -1)

    def cummax(self: Tensor, dim: int = 0) -> tuple[Tensor, Tensor]:
        """(values, indices): the running maximum along `dim` and where it was taken (the last of
        equal elements; NaN propagates), as torch.cummax."""
        return self._cumulative_extreme(dim, True, "cummax")

    def cummin(self: Tensor, dim: int = 0) -> tuple[Tensor, Tensor]:
        return self._cumulative_extreme(dim, False, "cummin")
