"""Movement and indexing methods of `Tensor`: the six movement primitives and what is built on them.

reshape/view, permute, transpose, T, expand, pad, shrink, flip, squeeze, unsqueeze, flatten,
unflatten, repeat, cat, stack, split, chunk, `__getitem__` (ints, slices with any step, None,
Ellipsis, integer tensors), `__setitem__` on realized tensors, gather, one_hot.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from tinyir.errors import TensorIndexError, TensorTypeError, TensorValueError
from tinyir.frontend.arguments import int_arg
from tinyir.frontend.dtypes import dtypes

if TYPE_CHECKING:
    from tinyir.frontend.tensor import Tensor


def _args(shape: Sequence[Any]) -> tuple[Any, ...]:
    """`f(2, 3)` or `f((2, 3))`."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def _slice_bounds(item: slice, n: int) -> tuple[int, int, int]:
    """start, stop, step of a slice on a size-n dim; a zero step or a bound that is not an int is an
    error naming the slice (Python's own message would not say where)."""
    for what in ("start", "stop", "step"):
        bound = getattr(item, what)
        if bound is not None:
            int_arg(bound, "getitem", f"slice {what}")
    if item.step is not None and int(item.step) == 0:
        raise TensorValueError(f"getitem: slice step must not be zero, got {item}")
    return item.indices(n)


def _pad_pair(p: Any) -> tuple[int, int]:
    if not isinstance(p, (tuple, list)) or len(p) != 2:
        raise TensorTypeError(f"pad: each dim's padding is None or a (before, after) pair of ints, got {p!r}")
    return int_arg(p[0], "pad", "padding"), int_arg(p[1], "pad", "padding")


class MovementMixin:
    # ------------------------------------------------------------------ primitives
    def reshape(self: Tensor, *shape: Any) -> Tensor:
        new = [int_arg(s, "reshape", f"size {i} of {_args(shape)}") for i, s in enumerate(_args(shape))]
        if new.count(-1) > 1:
            raise TensorValueError(f"reshape: only one -1 allowed in {tuple(new)}")
        if -1 in new:
            rest = math.prod(s for s in new if s != -1)
            if rest == 0 or self.numel() % rest:
                raise TensorValueError(f"reshape: cannot reshape {self.shape} to {tuple(new)}")
            new[new.index(-1)] = self.numel() // rest
        new_shape = tuple(new)
        if any(s < 0 for s in new_shape) or math.prod(new_shape) != self.numel():
            raise TensorValueError(f"reshape: cannot reshape {self.shape} to {new_shape}")
        if new_shape == self.shape:
            return self
        if self.lazydata.op == "const" and not self.requires_grad:
            return self._const(self.lazydata.arg, new_shape, self.dtype, self.device)
        return self._op("reshape", arg=new_shape, shape=new_shape)

    def view(self: Tensor, *shape: Any) -> Tensor:
        return self.reshape(*shape)

    def permute(self: Tensor, *order: int) -> Tensor:
        perm = tuple(self._axis(a, "permute") for a in _args(order))
        if sorted(perm) != list(range(self.ndim)):
            raise TensorValueError(f"permute: {tuple(_args(order))} is not a permutation of the axes of {self.shape}")
        if perm == tuple(range(self.ndim)):
            return self
        return self._op("permute", arg=perm, shape=tuple(self.shape[p] for p in perm))

    def expand(self: Tensor, *shape: Any) -> Tensor:
        new = _args(shape)
        if len(new) < self.ndim:
            raise TensorValueError(f"expand: cannot expand {self.shape} to {new}")
        src = (1,) * (len(new) - self.ndim) + self.shape
        target = tuple(s if n == -1 else int_arg(n, "expand", f"size of {tuple(new)}") for s, n in zip(src, new))
        for s, n in zip(src, target):
            if s != n and s != 1:
                raise TensorValueError(f"expand: cannot expand {self.shape} to {new}")
        return self._broadcast_to(target)

    def broadcast_to(self: Tensor, *shape: Any) -> Tensor:
        return self.expand(*shape)

    def pad(self: Tensor, padding: Sequence[Any], mode: str = "constant", value: float = 0.0) -> Tensor:
        """Pad with `value`. `padding` is per-dim pairs ((before, after), ...) with None for no
        padding, or a flat PyTorch-order tuple (last dim first: (left, right, top, bottom, ...));
        negative amounts crop."""
        if all(isinstance(p, (int, np.integer)) for p in padding):
            if len(padding) % 2 or len(padding) // 2 > self.ndim:
                raise TensorValueError(f"pad: flat padding {tuple(padding)} does not fit shape {self.shape}")
            flat = [int(p) for p in padding]
            pairs = [(0, 0)] * self.ndim
            for i in range(len(flat) // 2):
                pairs[self.ndim - 1 - i] = (flat[2 * i], flat[2 * i + 1])
        else:
            if len(padding) != self.ndim:
                raise TensorValueError(f"pad: {len(padding)} pairs for shape {self.shape}")
            pairs = [(0, 0) if p is None else _pad_pair(p) for p in padding]
        if mode != "constant":  # reflect, replicate, circular (indexing.py)
            from tinyir.frontend.indexing import pad_with_mode

            return pad_with_mode(self, pairs, mode)
        # negative amounts crop first
        crop = tuple((-min(b, 0), s + min(a, 0)) for (b, a), s in zip(pairs, self.shape))
        x = self.shrink(crop)
        grow = tuple((max(b, 0), max(a, 0)) for b, a in pairs)
        if all(g == (0, 0) for g in grow):
            return x
        shape = tuple(s + b + a for s, (b, a) in zip(x.shape, grow))
        padded = x._op("pad", arg=grow, shape=shape)
        if value == 0:
            return padded
        inside = x.ones_like(dtype=dtypes.bool)._op("pad", arg=grow, shape=shape)
        return inside.where(padded, value)

    def shrink(self: Tensor, arg: Sequence[tuple[int, int] | None]) -> Tensor:
        if len(arg) != self.ndim:
            raise TensorValueError(f"shrink: {len(arg)} bounds for shape {self.shape}")
        bounds = tuple((0, s) if b is None else (int_arg(b[0], "shrink", "bound"), int_arg(b[1], "shrink", "bound"))
                       for b, s in zip(arg, self.shape))
        for (lo, hi), s in zip(bounds, self.shape):
            if not 0 <= lo <= hi <= s:
                raise TensorValueError(f"shrink: bounds {bounds} do not fit shape {self.shape}")
        if all(b == (0, s) for b, s in zip(bounds, self.shape)):
            return self
        return self._op("shrink", arg=bounds, shape=tuple(hi - lo for lo, hi in bounds))

    def flip(self: Tensor, axis: int | Sequence[int]) -> Tensor:
        axes = tuple(sorted({self._axis(a, "flip") for a in ((axis,) if isinstance(axis, int) else axis)}))
        axes = tuple(a for a in axes if self.shape[a] > 1)
        return self._op("flip", arg=axes) if axes else self

    # ------------------------------------------------------------------ derived
    def transpose(self: Tensor, dim0: int = 1, dim1: int = 0) -> Tensor:
        order = list(range(self.ndim))
        a, b = self._axis(dim0, "transpose"), self._axis(dim1, "transpose")
        order[a], order[b] = order[b], order[a]
        return self.permute(order)

    @property
    def T(self: Tensor) -> Tensor:  # noqa: N802 - the usual name
        return self.transpose() if self.ndim == 2 else self.permute(tuple(reversed(range(self.ndim))))

    def squeeze(self: Tensor, dim: int | None = None) -> Tensor:
        if dim is None:
            return self.reshape(tuple(s for s in self.shape if s != 1))
        if self.ndim == 0:
            return self
        d = self._axis(dim, "squeeze")
        return self if self.shape[d] != 1 else self.reshape(self.shape[:d] + self.shape[d + 1:])

    def unsqueeze(self: Tensor, dim: int) -> Tensor:
        d = self._axis(dim, "unsqueeze", self.ndim + 1)
        return self.reshape(self.shape[:d] + (1,) + self.shape[d:])

    def flatten(self: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        if self.ndim == 0:
            return self.reshape(1)
        s, e = self._axis(start_dim, "flatten"), self._axis(end_dim, "flatten")
        return self.reshape(self.shape[:s] + (math.prod(self.shape[s:e + 1]),) + self.shape[e + 1:])

    def unflatten(self: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
        d = self._axis(dim, "unflatten")
        return self.reshape(self.shape[:d] + tuple(sizes) + self.shape[d + 1:])

    def repeat(self: Tensor, *repeats: int) -> Tensor:
        reps = tuple(int_arg(r, "repeat", "repeat count") for r in _args(repeats))
        if len(reps) < self.ndim:
            raise TensorValueError(f"repeat: {len(reps)} repeats for shape {self.shape}")
        base = self.reshape((1,) * (len(reps) - self.ndim) + self.shape)
        inter = tuple(x for r, s in zip(reps, base.shape) for x in (1, s))
        expanded = tuple(x for r, s in zip(reps, base.shape) for x in (r, s))
        return base.reshape(inter).expand(expanded).reshape(tuple(r * s for r, s in zip(reps, base.shape)))

    def cat(self: Tensor, *others: Tensor, dim: int = 0) -> Tensor:
        tensors = [self, *others]
        d = self._axis(dim, "cat")
        for t in others:
            if t.ndim != self.ndim or any(a != b for i, (a, b) in enumerate(zip(t.shape, self.shape)) if i != d):
                raise TensorValueError(f"cat: shapes {[x.shape for x in tensors]} differ outside dim {dim}")
        from tinyir.frontend.dtypes import least_upper_dtype

        dt = least_upper_dtype(*(t.dtype for t in tensors))
        total = sum(t.shape[d] for t in tensors)
        out, offset = None, 0
        for t in tensors:
            pads = [(0, 0)] * self.ndim
            pads[d] = (offset, total - offset - t.shape[d])
            piece = t.cast(dt).pad(pads)
            out = piece if out is None else out + piece
            offset += t.shape[d]
        return out

    @staticmethod
    def stack(*tensors: Tensor, dim: int = 0) -> Tensor:
        ts = list(tensors[0]) if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else list(tensors)
        first = ts[0]
        d = first._axis(dim, "stack", first.ndim + 1)
        return ts[0].unsqueeze(d).cat(*(t.unsqueeze(d) for t in ts[1:]), dim=d)

    def split(self: Tensor, sizes: int | Sequence[int], dim: int = 0) -> tuple[Tensor, ...]:
        d = self._axis(dim, "split")
        n = self.shape[d]
        if not isinstance(sizes, (list, tuple)):
            sizes = int_arg(sizes, "split", "size")
        else:
            sizes = [int_arg(s, "split", "size") for s in sizes]
        if isinstance(sizes, int):
            if sizes <= 0:
                raise TensorValueError(f"split: size {sizes} must be positive")
            sizes = [min(sizes, n - i) for i in range(0, n, sizes)] or [0]
        if sum(sizes) != n:
            raise TensorValueError(f"split: sizes {tuple(sizes)} do not add up to {n} (dim {dim} of {self.shape})")
        out, offset = [], 0
        for s in sizes:
            bounds = [None] * self.ndim
            bounds[d] = (offset, offset + s)
            out.append(self.shrink(bounds))
            offset += s
        return tuple(out)

    def chunk(self: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        d = self._axis(dim, "chunk")
        return self.split(max(1, math.ceil(self.shape[d] / chunks)), d)

    def contiguous(self: Tensor) -> Tensor:
        return self

    # ------------------------------------------------------------------ indexing
    def _index_items(self: Tensor, index: Any) -> list[Any]:
        """The index as one item per dim (Ellipsis expanded, missing trailing dims as `:`), plus Nones."""
        from tinyir.frontend.tensor import Tensor

        items = list(index) if isinstance(index, tuple) else [index]
        if any(isinstance(i, (list, np.ndarray)) for i in items):  # lists and numpy arrays index as tensors
            items = [Tensor(i, device=self.device) if isinstance(i, (list, np.ndarray)) else i for i in items]
        consumed = sum(1 for i in items if i is not None and i is not Ellipsis)
        if consumed > self.ndim:
            raise TensorIndexError(f"getitem: too many indices ({consumed}) for shape {self.shape}")
        ellipses = [k for k, i in enumerate(items) if i is Ellipsis]  # identity: Tensor `==` builds a tensor
        if len(ellipses) > 1:
            raise TensorIndexError("getitem: only one Ellipsis allowed")
        if ellipses:
            at = ellipses[0]
            items[at:at + 1] = [slice(None)] * (self.ndim - consumed)
        else:
            items += [slice(None)] * (self.ndim - consumed)
        return items

    def __getitem__(self: Tensor, index: Any) -> Tensor:
        from tinyir.frontend.tensor import Tensor

        from tinyir.frontend.indexing import expand_bool_masks

        items = self._index_items(expand_bool_masks(self, index))  # a boolean mask: its nonzero() indices
        x, dim, tensor_dims, tensor_idx, drop = self, 0, [], [], []
        for item in items:
            if item is None:
                x = x.unsqueeze(dim)
                dim += 1
            elif isinstance(item, Tensor):
                if item.dtype.is_float() or item.dtype.is_bool():
                    raise TensorIndexError(f"getitem: index tensors must be integer, got {item.dtype.name}")
                tensor_dims.append(dim)
                tensor_idx.append(item)
                dim += 1
            elif isinstance(item, (int, np.integer)):
                n = x.shape[dim]
                i = int(item) + n if item < 0 else int(item)
                if not 0 <= i < n:
                    raise TensorIndexError(f"getitem: index {int(item)} is out of range for dim {dim} of {self.shape}")
                x = x._slice_dim(dim, i, i + 1, 1)
                drop.append(dim)
                dim += 1
            elif isinstance(item, slice):
                start, stop, step = _slice_bounds(item, x.shape[dim])
                x = x._slice_dim(dim, start, stop, step)
                dim += 1
            else:
                raise TensorIndexError(f"getitem: unsupported index {item!r}")
        if tensor_idx:
            x = x._index_with_tensors(tensor_dims, tensor_idx, drop)
            return x
        return x.reshape(tuple(s for i, s in enumerate(x.shape) if i not in drop)) if drop else x

    def _slice_dim(self: Tensor, d: int, start: int, stop: int, step: int) -> Tensor:
        """Elements start, start+step, ... (before stop) of dim d, for any non-zero step."""
        n = self.shape[d]
        x = self
        if step < 0:  # flip, then it is a forward slice in flipped coordinates
            x = x.flip(d)
            start, stop, step = n - 1 - start, n - 1 - stop, -step
        count = max(0, math.ceil((stop - start) / step))
        bounds: list[Any] = [None] * x.ndim
        bounds[d] = (start, start + (count - 1) * step + 1) if count else (0, 0)
        x = x.shrink(bounds)
        if step == 1 or count <= 1:
            return x
        # stride: pad to count*step, split the dim into (count, step), keep column 0
        pads = [(0, 0)] * x.ndim
        pads[d] = (0, count * step - x.shape[d])
        x = x.pad(pads)
        x = x.reshape(x.shape[:d] + (count, step) + x.shape[d + 1:])
        bounds = [None] * x.ndim
        bounds[d + 1] = (0, 1)
        x = x.shrink(bounds)
        return x.reshape(x.shape[:d] + (count,) + x.shape[d + 2:])

    def _index_with_tensors(self: Tensor, dims: list[int], idx: list[Tensor], drop: list[int]) -> Tensor:
        """Advanced indexing by one-hot masks: x[..., t, ...] = sum_k x[..., k, ...] * (t == k)."""
        from tinyir.frontend.tensor import Tensor, _broadcast_shape

        bshape: tuple[int, ...] = ()
        for t in idx:
            bshape = _broadcast_shape(bshape, t.shape, "getitem")
        rest = [d for d in range(self.ndim) if d not in dims and d not in drop]
        x = self.permute(rest + dims + drop)  # indexed dims last (dropped dims have size 1)
        x = x.reshape(tuple(self.shape[d] for d in rest + dims))
        mask = None
        from tinyir.frontend.index_range import check_index_range

        for t, d in zip(idx, dims):
            n = self.shape[d]
            check_index_range(t, n, "getitem", f"dim {d}", negative=True)  # INDEX-RANGE
            t = t.cast(dtypes.int32)
            t = (t < 0).where(t + n, t)
            hot = t._broadcast_to(bshape).unsqueeze(-1) == Tensor.arange(n, device=self.device)
            hot = hot.reshape(bshape + (1,) * len(rest) + (1,) * (dims.index(d)) + (n,) + (1,) * (len(dims) - dims.index(d) - 1))
            mask = hot if mask is None else mask & hot
        xb = x.reshape((1,) * len(bshape) + x.shape)
        picked = mask.where(xb, 0)
        # one element per sum: back to self's dtype (sums of small ints and bools are int32)
        out = picked.sum(axis=tuple(range(len(bshape) + len(rest), picked.ndim))).cast(self.dtype)
        adjacent = dims == list(range(dims[0], dims[0] + len(dims)))
        if adjacent and dims[0] > 0:  # torch puts the index dims where the first indexed dim was
            lead = sum(1 for d in rest if d < dims[0])
            nb = len(bshape)
            order = list(range(nb, nb + lead)) + list(range(nb)) + list(range(nb + lead, out.ndim))
            out = out.permute(order)
        return out

    def __setitem__(self: Tensor, index: Any, value: Any) -> None:
        """Write `value` into the selected elements of a realized tensor (then realizes it)."""
        from tinyir.frontend.tensor import Tensor

        if self.lazydata.realized is None:
            raise RuntimeError("setitem: only realized tensors can be assigned to (call .realize() first)")
        selected_shape = self[index].shape
        v = value if isinstance(value, Tensor) else Tensor(value, device=self.device, dtype=self.dtype)
        v = v.cast(self.dtype).expand(selected_shape) if v.shape != selected_shape else v.cast(self.dtype)
        items = self._index_items(index)
        if any(isinstance(i, Tensor) for i in items):
            result = self._scatter_by_positions(index, v)
        else:
            result = self._scatter_box(items, v)
        self.lazydata = result.realize().lazydata

    def _scatter_box(self: Tensor, items: list[Any], v: Tensor) -> Tensor:
        """Basic indexing (ints, slices, None): place v back on the full shape with the inverse
        movement ops (pad, strided reshape, flip) and select it with an equally placed mask."""
        per_dim = [i for i in items if i is not None]
        box = []
        for d, item in enumerate(per_dim):
            if isinstance(item, slice):
                start, stop, step = item.indices(self.shape[d])
                box.append((start, stop, step, max(0, math.ceil((stop - start) / step))))
            else:
                i = int(item) + self.shape[d] if item < 0 else int(item)
                box.append((i, i + 1, 1, 1))
        v = v.reshape(tuple(b[3] for b in box))
        mask = v.ones_like(dtype=dtypes.bool)
        for d, (start, stop, step, count) in enumerate(box):
            v, mask = v._unslice_dim(d, self.shape[d], start, step, count), \
                mask._unslice_dim(d, self.shape[d], start, step, count)
        return mask.where(v, self)

    def _unslice_dim(self: Tensor, d: int, n: int, start: int, step: int, count: int) -> Tensor:
        """The inverse of `_slice_dim`: `count` elements placed at start, start+step, ... of a
        size-n dim, zeros elsewhere."""
        x = self
        if step < 0:  # place in flipped coordinates, then flip back
            return x._unslice_dim(d, n, n - 1 - start, -step, count).flip(d)
        if step > 1 and count > 1:
            x = x.unsqueeze(d + 1)
            pads: list[Any] = [None] * x.ndim
            pads[d + 1] = (0, step - 1)
            x = x.pad(pads).flatten(d, d + 1)
            bounds: list[Any] = [None] * x.ndim
            bounds[d] = (0, (count - 1) * step + 1)
            x = x.shrink(bounds)
        pads = [None] * x.ndim
        pads[d] = (start, n - start - x.shape[d])
        return x.pad(pads)

    def _scatter_by_positions(self: Tensor, index: Any, v: Tensor) -> Tensor:
        """Advanced indexing: one-hot match of every selected flat position (O(selected * numel))."""
        from tinyir.frontend.tensor import Tensor

        positions = Tensor.arange(self.numel(), device=self.device).reshape(self.shape)[index]
        flat_pos = positions.reshape(-1, 1)
        hot = flat_pos == Tensor.arange(self.numel(), device=self.device).reshape(1, -1)
        written = hot.cast(dtypes.int32).max(axis=0) != 0
        new_values = hot.where(v.reshape(-1, 1), 0).sum(axis=0).cast(self.dtype)
        return written.where(new_values, self.reshape(-1)).reshape(self.shape)

    def gather(self: Tensor, dim: int, index: Tensor) -> Tensor:
        """out[i][j][k] = self[i][index[i][j][k]][k] for dim=1 (torch.gather)."""
        from tinyir.frontend.tensor import Tensor

        d = self._axis(dim, "gather")
        if index.ndim != self.ndim or any(a > b for i, (a, b) in enumerate(zip(index.shape, self.shape)) if i != d):
            raise TensorValueError(f"gather: index shape {index.shape} does not fit {self.shape} at dim {dim}")
        if index.dtype.is_float() or index.dtype.is_bool():
            raise TensorTypeError(f"gather: index must be an integer tensor, got {index.dtype.name}")
        from tinyir.frontend.index_range import check_index_range

        check_index_range(index, self.shape[d] if self.ndim else 1, "gather", f"dim {d}")  # INDEX-RANGE
        if self.ndim == 0:  # a 0-d tensor is its own only element
            return self.reshape(1).gather(0, index.reshape(1)).reshape(())
        bounds = [None if i == d else (0, s) for i, s in enumerate(index.shape)]
        x = self.shrink(bounds).unsqueeze(-1).transpose(-1, d)  # dim d moved to the end, size 1 left at d
        hot = index.unsqueeze(-1) == Tensor.arange(self.shape[d], device=self.device)
        return hot.where(x, 0).sum(-1).cast(self.dtype)  # one element per sum: no widening of small ints

    def one_hot(self: Tensor, num_classes: int = -1) -> Tensor:
        from tinyir.frontend.tensor import Tensor

        from tinyir.frontend.index_range import check_index_range

        if num_classes == -1:
            num_classes = int(self.max().item()) + 1 if self.numel() else 0
        check_index_range(self, num_classes, "one_hot", "num_classes")  # INDEX-RANGE
        return (self.unsqueeze(-1) == Tensor.arange(num_classes, device=self.device)).cast(dtypes.int32)

    def masked_fill(self: Tensor, mask: Tensor, value: Any) -> Tensor:
        return mask.where(value, self)
