"""Indexing-style methods of `Tensor`: scatter, scatter_reduce, masked_select, nonzero, diag,
diagonal, meshgrid, repeat_interleave, roll, unfold; boolean-mask indexing and the reflect,
replicate and circular pad modes (used by `__getitem__` and `pad` in movement.py).

Everything is movement ops plus one-hot matches (`index == arange(n)`) reduced with sum/max/prod,
so it compiles and differentiates like the rest of the API. Two methods have a result shape that
depends on the values: `nonzero` and `masked_select` (and indexing with a boolean mask, which uses
`nonzero`) realize the mask to count its true elements, as tinygrad does; they are not lazy in
the mask and cannot be captured by TinyJit with a changing mask.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from tinyir.errors import TensorIndexError, TensorTypeError, TensorValueError
from tinyir.frontend.arguments import int_arg
from tinyir.frontend.dtypes import dtypes

if TYPE_CHECKING:
    from tinyir.frontend.tensor import Tensor

SCATTER_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


def _is_bool_index(item: Any) -> bool:
    from tinyir.frontend.tensor import Tensor

    if isinstance(item, Tensor):
        return item.dtype.is_bool()
    if isinstance(item, np.ndarray):
        return item.dtype == np.bool_
    if isinstance(item, list) and item:
        flat = np.asarray(item, dtype=object).ravel()
        return all(isinstance(v, (bool, np.bool_)) for v in flat)
    return False


def expand_bool_masks(x: Tensor, index: Any) -> Any:
    """The index with every boolean mask replaced by the integer index tensors of its true
    positions (mask.nonzero() as a tuple): x[mask] selects what PyTorch selects. Realizes masks."""
    from tinyir.frontend.tensor import Tensor

    items = list(index) if isinstance(index, tuple) else [index]
    if not any(_is_bool_index(i) for i in items):
        return index
    out: list[Any] = []
    dim = 0
    for item in items:
        if _is_bool_index(item):
            mask = item.numpy() if isinstance(item, Tensor) else np.asarray(item, dtype=np.bool_)
            covered = x.shape[dim:dim + mask.ndim]
            if tuple(mask.shape) != tuple(covered):
                raise TensorIndexError(f"getitem: boolean mask of shape {tuple(mask.shape)} does not match the indexed "
                                 f"dims {tuple(covered)} of {x.shape} (from dim {dim})")
            out.extend(Tensor(np.asarray(p, dtype=np.int32), device=x.device) for p in np.nonzero(mask))
            dim += mask.ndim
        else:
            out.append(item)
            dim += 0 if item is None or item is Ellipsis else 1
    return tuple(out)


def _part(x: Tensor, d: int, lo: int, hi: int) -> Tensor:
    """Elements lo..hi of dim d."""
    bounds: list[Any] = [None] * x.ndim
    bounds[d] = (lo, hi)
    return x.shrink(bounds)


def pad_with_mode(x: Tensor, pairs: Sequence[tuple[int, int]], mode: str) -> Tensor:
    """Pad by (before, after) per dim with PyTorch's non-constant modes: reflect (mirror without
    the edge), replicate (repeat the edge), circular (wrap around). Negative amounts crop first."""
    if mode not in ("reflect", "replicate", "circular"):
        raise TensorValueError(f"pad: unknown mode {mode!r} (constant, reflect, replicate or circular)")
    crop = tuple((-min(b, 0), s + min(a, 0)) for (b, a), s in zip(pairs, x.shape))
    x = x.shrink(crop)
    for d, (b, a) in enumerate(pairs):
        b, a, n = max(b, 0), max(a, 0), x.shape[d]
        if b == a == 0:
            continue
        limit = n - 1 if mode == "reflect" else n if mode == "circular" else None
        if n == 0 or (limit is not None and max(b, a) > limit):
            raise TensorValueError(f"pad: {mode} padding ({b}, {a}) of dim {d} needs "
                             f"{'amounts below' if mode == 'reflect' else 'amounts up to'} its size {n}"
                             if n else f"pad: {mode} padding of the empty dim {d}")

        if mode == "reflect":
            left, right = _part(x, d, 1, b + 1).flip(d), _part(x, d, n - 1 - a, n - 1).flip(d)
        elif mode == "replicate":
            left = _part(x, d, 0, 1).expand(*[b if i == d else s for i, s in enumerate(x.shape)])
            right = _part(x, d, n - 1, n).expand(*[a if i == d else s for i, s in enumerate(x.shape)])
        else:
            left, right = _part(x, d, n - b, n), _part(x, d, 0, a)
        pieces = [p for p in (left, x, right) if p.shape[d]]
        x = pieces[0].cat(*pieces[1:], dim=d)
    return x


class IndexingMixin:
    # ------------------------------------------------------------------ scatter
    def _scatter_operands(self: Tensor, dim: int, index: Tensor, src: Any, opname: str) -> tuple[int, Tensor, Tensor]:
        """dim normalized, and index and src cut to index's shape, with `dim` moved last."""
        from tinyir.frontend.tensor import Tensor

        d = self._axis(dim, opname)
        if not isinstance(index, Tensor) or index.dtype.is_float() or index.dtype.is_bool():
            raise TensorTypeError(f"{opname}: index must be an integer tensor")
        if not isinstance(src, Tensor):
            src = Tensor.full(index.shape, src, dtype=self.dtype, device=self.device)
        if index.ndim != self.ndim or src.ndim != self.ndim:
            raise TensorValueError(f"{opname}: index {index.shape}, src {src.shape} and self {self.shape} need the same "
                             f"number of dims")
        for j, (i, s, x) in enumerate(zip(index.shape, src.shape, self.shape)):
            if i > s or (j != d and i > x):
                raise TensorValueError(f"{opname}: index shape {index.shape} does not fit src {src.shape} and self "
                                 f"{self.shape} (dim {dim})")
        from tinyir.frontend.index_range import check_index_range

        check_index_range(index, self.shape[d] if self.ndim else 1, opname, f"dim {d}")  # INDEX-RANGE
        src = src.shrink(tuple((0, i) for i in index.shape)).cast(self.dtype)
        if self.ndim == 0:
            return 0, index.reshape(1), src.reshape(1)
        return d, index.transpose(d, -1), src.transpose(d, -1)

    def _scatter_back(self: Tensor, d: int, index_shape: tuple[int, ...], t: Tensor, fill: Any) -> Tensor:
        """A result on the index's region, (..., n) with `dim` last, back on self's shape (the
        region is padded with `fill` outside)."""
        if self.ndim == 0:
            return t.reshape(())
        t = t.transpose(d, -1)
        pads = [(0, 0 if j == d else s - i) for j, (i, s) in enumerate(zip(index_shape, self.shape))]
        return t.pad(pads, value=fill) if any(p != (0, 0) for p in pads) else t

    def scatter(self: Tensor, dim: int, index: Tensor, src: Any, reduce: str | None = None) -> Tensor:
        """out = self, then out[index[i][j]][j] = src[i][j] (dim 0) for every position of index.
        `src` may be a scalar. When an index repeats, the last write (highest position along dim)
        wins, which is what PyTorch's CPU kernel does. reduce="add" / "multiply" accumulate
        instead (PyTorch's deprecated form of scatter_reduce)."""
        from tinyir.frontend.tensor import Tensor

        if reduce is not None:
            modes = {"add": "sum", "multiply": "prod"}
            if reduce not in modes:
                raise TensorValueError(f"scatter: reduce must be 'add' or 'multiply', got {reduce!r}")
            return self.scatter_reduce(dim, index, src, modes[reduce], include_self=True)
        d, idx, s = self._scatter_operands(dim, index, src, "scatter")
        n = self.shape[d] if self.ndim else 1
        m = idx.shape[-1]
        hot = idx.unsqueeze(-1) == Tensor.arange(n, device=self.device)  # [..., i, k]
        rows = Tensor.arange(m, device=self.device).reshape(m, 1)
        last = hot.where(rows, -1).max(-2, keepdim=True) if m else None  # the last i writing to k
        if last is None:
            return self
        chosen = hot & (rows == last)
        written = self._scatter_back(d, index.shape, hot.any(-2), False)
        values = self._scatter_back(d, index.shape, chosen.where(s.unsqueeze(-1), 0).sum(-2).cast(self.dtype), 0)
        return written.where(values, self)

    def scatter_reduce(self: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str,
                       include_self: bool = True) -> Tensor:
        """Reduce every src element into self[index] along dim with sum, prod, mean, amax or amin
        (torch.Tensor.scatter_reduce). include_self=False leaves self's value out of the positions
        written to. An integer mean rounds down, as in PyTorch. The gradient of amax/amin is shared
        evenly by the elements equal to the result."""
        from tinyir.frontend.sorting import from_order_key, order_key
        from tinyir.frontend.tensor import Tensor

        if reduce not in SCATTER_REDUCTIONS:
            raise TensorValueError(f"scatter_reduce: reduce must be one of {SCATTER_REDUCTIONS}, got {reduce!r}")
        d, idx, s = self._scatter_operands(dim, index, src, "scatter_reduce")
        n = self.shape[d] if self.ndim else 1
        hot = idx.unsqueeze(-1) == Tensor.arange(n, device=self.device)  # [..., i, k]
        x = s.unsqueeze(-1)  # [..., i, 1]
        if include_self:  # self's own value is one more candidate of every position: row i = 0
            region = [(0, i) if j != d else None for j, i in enumerate(index.shape)]
            own = self.shrink(region).transpose(d, -1) if self.ndim else self.reshape(1)
            x = own.unsqueeze(-2).cat(x.expand(*x.shape[:-1], n), dim=-2)
            hot = Tensor.full((*own.shape[:-1], 1, n), True, dtype=dtypes.bool, device=self.device).cat(hot, dim=-2)
        is_int = not self.dtype.is_float()
        if reduce in ("sum", "mean"):
            acc = hot.where(x, 0).sum(-2)
            if reduce == "mean":
                count = hot.sum(-2)
                safe = count.maximum(1)
                acc = acc._floordiv(safe.cast(acc.dtype)) if is_int else acc / safe
        elif reduce == "prod":
            acc = hot.where(x, 1).prod(-2)
        else:
            sign = 1 if reduce == "amax" else -1
            if is_int:
                keyed = order_key(x)
                keyed = keyed if sign > 0 else ~keyed
                acc = hot.where(keyed, dtypes.min(keyed.dtype)).max(-2)
                acc = from_order_key(acc if sign > 0 else ~acc, self.dtype)
            else:
                acc = sign * hot.where(sign * x, -float("inf")).max(-2)
        acc = acc.cast(self.dtype)
        written = self._scatter_back(d, index.shape, hot.any(-2), False)
        return written.where(self._scatter_back(d, index.shape, acc, 0), self)

    # ------------------------------------------------------------------ data-dependent shapes
    def nonzero(self: Tensor, as_tuple: bool = False) -> Any:
        """Indices of the non-zero elements, (count, ndim) int32 (or one index tensor per dim with
        as_tuple). Realizes self: the result's shape depends on its values."""
        from tinyir.frontend.tensor import Tensor

        found = np.argwhere(self.numpy()).astype(np.int32).reshape(-1, self.ndim)
        if as_tuple:
            return tuple(Tensor(np.ascontiguousarray(found[:, i]), device=self.device) for i in range(self.ndim))
        return Tensor(found, device=self.device)

    def masked_select(self: Tensor, mask: Any) -> Tensor:
        """The elements where `mask` (broadcast with self) is true, as a 1-D tensor in order.
        Realizes the mask (not self): the result's length depends on it."""
        from tinyir.frontend.tensor import Tensor, _broadcast_shape

        m = mask if isinstance(mask, Tensor) else Tensor(mask, device=self.device)
        shape = _broadcast_shape(self.shape, m.shape, "masked_select")
        x = self._broadcast_to(shape).reshape(-1)
        where = np.flatnonzero(np.broadcast_to(m.cast(dtypes.bool).numpy(), shape)).astype(np.int32)
        return x[Tensor(where, device=self.device)]

    # ------------------------------------------------------------------ diagonals and grids
    def diagonal(self: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        """The diagonal of the (dim1, dim2) planes as a last dim (torch.diagonal), movement ops
        only: flatten the square, pad each row by one and keep column 0."""
        offset = int_arg(offset, "diagonal", "offset")
        a, b = self._axis(dim1, "diagonal"), self._axis(dim2, "diagonal")
        if a == b:
            raise TensorValueError(f"diagonal: dim1 and dim2 are the same dim ({dim1})")
        rest = [i for i in range(self.ndim) if i not in (a, b)]
        x = self.permute(rest + [a, b])
        r, c = x.shape[-2], x.shape[-1]
        row0, col0 = max(-offset, 0), max(offset, 0)
        length = max(0, min(r - row0, c - col0))
        lead = x.shape[:-2]
        x = x.shrink([None] * len(lead) + [(min(row0, r), min(row0, r) + length), (min(col0, c), min(col0, c) + length)])
        if length == 0:
            return x.reshape(lead + (0,))
        x = x.reshape(lead + (length * length,)).pad([None] * len(lead) + [(0, length)])
        x = x.reshape(lead + (length, length + 1)).shrink([None] * len(lead) + [None, (0, 1)])
        return x.reshape(lead + (length,))

    def diag(self: Tensor, diagonal: int = 0) -> Tensor:
        """1-D: a square matrix with self on the `diagonal`-th diagonal; 2-D: that diagonal."""
        from tinyir.frontend.tensor import Tensor

        if self.ndim == 2:
            return self.diagonal(diagonal)
        if self.ndim != 1:
            raise TensorValueError(f"diag: expects a 1-d or 2-d tensor, got shape {self.shape}")
        n, k = self.shape[0], abs(diagonal)
        square = Tensor.eye(n, dtype=dtypes.bool, device=self.device).where(self.reshape(n, 1), 0).cast(self.dtype)
        pads = ((0, k), (k, 0)) if diagonal >= 0 else ((k, 0), (0, k))
        return square.pad(pads) if k else square

    def meshgrid(self: Tensor | Sequence[Tensor], *tensors: Tensor, indexing: str = "ij") -> tuple[Tensor, ...]:
        """Coordinate grids of 1-d tensors (torch.meshgrid): `a.meshgrid(b)` as tinygrad, or
        `Tensor.meshgrid(a, b)` / `Tensor.meshgrid([a, b])` as PyTorch."""
        ts = list(self) if isinstance(self, (list, tuple)) else [self, *tensors]
        if indexing not in ("ij", "xy"):
            raise TensorValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
        for t in ts:
            if t.ndim > 1:
                raise TensorValueError(f"meshgrid: expects 0-d or 1-d tensors, got shape {t.shape}")
        axes = list(range(len(ts)))
        if indexing == "xy" and len(ts) >= 2:  # the first two inputs vary along the second and first axes
            axes[0], axes[1] = 1, 0
        sizes = [0] * len(ts)
        for t, ax in zip(ts, axes):
            sizes[ax] = t.numel()
        out = []
        for t, ax in zip(ts, axes):
            shape = [1] * len(ts)
            shape[ax] = t.numel()
            out.append(t.reshape(shape).expand(*sizes))
        return tuple(out)

    # ------------------------------------------------------------------ repeats and windows
    def repeat_interleave(self: Tensor, repeats: Any, dim: int | None = None) -> Tensor:
        """Repeat each element `repeats` times along dim (the flattened tensor when None). A
        list/tensor of per-element counts is read on the host (a tensor is realized)."""
        from tinyir.frontend.tensor import Tensor

        x = self.flatten() if dim is None else self
        d = 0 if dim is None else x._axis(dim, "repeat_interleave")
        if isinstance(repeats, float):
            raise TensorTypeError(f"repeat_interleave: repeats must be an int or a list/tensor of ints, got {repeats!r}")
        if isinstance(repeats, (int, np.integer)):
            if repeats < 0:
                raise TensorValueError(f"repeat_interleave: repeats must be non-negative, got {repeats}")
            shape = list(x.shape)
            x = x.unsqueeze(d + 1).expand(*shape[:d + 1], int(repeats), *shape[d + 1:])
            return x.flatten(d, d + 1)
        counts = np.asarray(repeats.numpy() if isinstance(repeats, Tensor) else repeats).reshape(-1)
        if counts.size and counts.dtype.kind not in "iu":
            raise TensorTypeError(f"repeat_interleave: repeats must be integers, got {counts.dtype} values")
        if counts.size == 1 and x.shape[d] != 1:
            return x.repeat_interleave(int(counts[0]), d)
        if counts.size != x.shape[d] or (counts < 0).any():
            raise TensorValueError(f"repeat_interleave: {counts.size} repeats for dim {d} of size {x.shape[d]}"
                             if counts.size != x.shape[d] else "repeat_interleave: repeats must be non-negative")
        picks = np.repeat(np.arange(x.shape[d], dtype=np.int32), counts.astype(np.int64))
        return x[(slice(None),) * d + (Tensor(picks, device=self.device),)]

    def roll(self: Tensor, shifts: int | Sequence[int], dims: int | Sequence[int] | None = None) -> Tensor:
        """Shift elements along dims, wrapping around (torch.roll; dims=None rolls the flat tensor)."""
        if dims is None:
            return self.flatten().roll(shifts, 0).reshape(self.shape)
        shift_list = [int_arg(s, "roll", "shift") for s in ([shifts] if not isinstance(shifts, (tuple, list)) else shifts)]
        dim_list = [dims] if isinstance(dims, int) else list(dims)
        if len(shift_list) != len(dim_list):
            raise TensorValueError(f"roll: {len(shift_list)} shifts for {len(dim_list)} dims")
        x = self
        for s, dim in zip(shift_list, dim_list):
            d = x._axis(dim, "roll")
            n = x.shape[d]
            s = s % n if n else 0
            if s == 0:
                continue
            head = x.shrink([(n - s, n) if i == d else None for i in range(x.ndim)])
            tail = x.shrink([(0, n - s) if i == d else None for i in range(x.ndim)])
            x = head.cat(tail, dim=d)
        return x

    def unfold(self: Tensor, dimension: int, size: int, step: int) -> Tensor:
        """Every window of `size` elements, `step` apart, along `dimension`; the windows become that
        dim and their elements a new last dim (torch.Tensor.unfold)."""
        from tinyir.frontend.tensor import Tensor

        if self.ndim == 0:
            raise TensorValueError("unfold: a 0-d tensor has no dimension to unfold")
        size, step = int_arg(size, "unfold", "size"), int_arg(step, "unfold", "step")
        d = self._axis(dimension, "unfold")
        n = self.shape[d]
        if step <= 0:
            raise TensorValueError(f"unfold: step must be positive, got {step}")
        if not 0 <= size <= n:
            raise TensorValueError(f"unfold: size {size} does not fit dim {dimension} of size {n}")
        count = (n - size) // step + 1
        pieces = [self._slice_dim(d, o, o + (count - 1) * step + 1, step).unsqueeze(-1) for o in range(size)]
        if not pieces:  # size 0: count empty windows
            return Tensor.zeros(*self.shape[:d], count, *self.shape[d + 1:], 0, dtype=self.dtype, device=self.device)
        return pieces[0].cat(*pieces[1:], dim=-1)

