"""Convolution and pooling over any number of spatial dims: conv1d, conv3d, max/avg_pool1d and 3d,
`ceil_mode`, max pooling's `return_indices`, and max_unpool1d/2d/3d.

All are the window gather of windows.py (`Tensor._windows`: strided views, or slices under autograd)
followed by a multiply-sum or a max, so they compile and differentiate like conv2d. Input is
(N, C, *spatial) or, unbatched, (C, *spatial). Output sizes follow PyTorch, including ceil_mode's
rule that a last window must start inside the input or its left padding.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tinyir.errors import TensorValueError
from tinyir.frontend.dtypes import DType

if TYPE_CHECKING:
    from tinyir.frontend.tensor import Tensor


def _ntuple(x: int | Sequence[int], n: int, what: str, opname: str) -> tuple[int, ...]:
    out = (int(x),) * n if isinstance(x, int) else tuple(int(v) for v in x)
    if len(out) != n:
        raise TensorValueError(f"{opname}: {what} {tuple(x)} needs {n} values")
    return out


def lowest(dtype: DType) -> float | int:
    """The value below every other of the dtype (max pooling pads with it)."""
    if dtype.is_float():
        return -math.inf
    if dtype.is_bool():
        return False
    return 0 if dtype.is_unsigned() else -(2 ** (8 * dtype.itemsize - 1))


def pooled_size(n: int, k: int, s: int, d: int, p: int, ceil_mode: bool) -> int:
    span = d * (k - 1) + 1
    if ceil_mode:
        out = -(-(n + 2 * p - span) // s) + 1
        return out - 1 if (out - 1) * s >= n + p else out  # the last window must start inside
    return (n + 2 * p - span) // s + 1


class PoolingMixin:
    def _pool_geometry(self: Tensor, nd: int, kernel_size: Any, stride: Any, dilation: Any, padding: Any,
                       ceil_mode: bool, opname: str) -> tuple[tuple[int, ...], ...]:
        if self.ndim < nd + 1:
            raise TensorValueError(f"{opname}: expects (N, C, *spatial) or (C, *spatial) with {nd} spatial dims, "
                             f"got shape {self.shape}")
        k = _ntuple(kernel_size, nd, "kernel_size", opname)
        st = _ntuple(stride if stride is not None and stride != [] else k, nd, "stride", opname)
        dl = _ntuple(dilation, nd, "dilation", opname)
        pd = _ntuple(padding, nd, "padding", opname)
        spatial = self.shape[-nd:]
        if any(v <= 0 for v in k + st + dl) or any(p < 0 or 2 * p > kk for p, kk in zip(pd, k)):
            raise TensorValueError(f"{opname}: kernel {k}, stride {st}, dilation {dl} must be positive and padding {pd} "
                             f"at most half the kernel")
        out = tuple(pooled_size(n, kk, s, d, p, ceil_mode) for n, kk, s, d, p in zip(spatial, k, st, dl, pd))
        if any(o <= 0 for o in out):
            raise TensorValueError(f"{opname}: kernel {k} (dilation {dl}, padding {pd}) does not fit input {self.shape}")
        extra = tuple(max(0, (o - 1) * s + d * (kk - 1) + 1 - (n + 2 * p))
                      for o, s, d, kk, n, p in zip(out, st, dl, k, spatial, pd))
        return k, st, dl, pd, out, extra

    def _spatial_pad(self: Tensor, nd: int, pd: tuple[int, ...], extra: tuple[int, ...], value: Any) -> Tensor:
        pairs = [(p, p + e) for p, e in zip(pd, extra)]
        return self.pad([None] * (self.ndim - nd) + pairs, value=value) if any(pr != (0, 0) for pr in pairs) else self

    def _pool(self: Tensor, kind: str, nd: int, kernel_size: Any, stride: Any = None, dilation: Any = 1,
              padding: Any = 0, ceil_mode: bool = False, count_include_pad: bool = True,
              return_indices: bool = False, opname: str = "pool") -> Any:
        """Max or average pooling over the last nd dims (PyTorch's output size and divisors)."""
        from tinyir.frontend.tensor import Tensor

        k, st, dl, pd, out, extra = self._pool_geometry(nd, kernel_size, stride, dilation, padding, ceil_mode, opname)
        window_count = math.prod(k)

        def windows(t: Tensor) -> Tensor:  # (..., *out, K): flattened windows, cut to the output size
            w = t._windows(k, st, dl)
            w = w.shrink([None] * (w.ndim - 2 * nd) + [(0, o) for o in out] + [None] * nd)
            return w.reshape(w.shape[:w.ndim - nd] + (window_count,))

        spatial = self.shape[-nd:]
        if kind == "avg":
            total = windows(self._spatial_pad(nd, pd, extra, 0)).sum(-1)
            ones = Tensor.ones(*spatial, device=self.device)
            if count_include_pad:  # PyTorch counts the padding but not what ceil_mode adds past it
                counted = ones._spatial_pad(nd, pd, (0,) * nd, 1)._spatial_pad(nd, (0,) * nd, extra, 0)
            else:
                counted = ones._spatial_pad(nd, pd, extra, 0)
            divisor = windows(counted).sum(-1)
            if not any(extra) and (count_include_pad or not any(pd)):
                return total * (1 / window_count)
            return total / divisor
        x = self._spatial_pad(nd, pd, extra, lowest(self.dtype))
        values = windows(x)
        result = values.max(-1)
        if not return_indices:
            return result
        # where each maximum came from: the first maximal element of its window (the last NaN), as a flat index
        # into the (unpadded) spatial dims, as PyTorch's indices
        places = Tensor.arange(math.prod(spatial), device=self.device).reshape(spatial)
        places = windows(places._spatial_pad(nd, pd, extra, -1))
        offsets = Tensor.arange(window_count, device=self.device)
        chosen = values.argmax(-1)
        if self.dtype.is_float():  # PyTorch's kernel takes every NaN it meets: the last one wins
            nan = values.isnan()
            chosen = nan.any(-1).where(nan.where(offsets, -1).max(-1), chosen)
        hot = chosen.unsqueeze(-1) == offsets
        return result, hot.where(places, 0).sum(-1)

    def max_pool1d(self: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
                   ceil_mode: bool = False, return_indices: bool = False) -> Any:
        return self._pool("max", 1, kernel_size, stride, dilation, padding, ceil_mode,
                          return_indices=return_indices, opname="max_pool1d")

    def max_pool3d(self: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
                   ceil_mode: bool = False, return_indices: bool = False) -> Any:
        return self._pool("max", 3, kernel_size, stride, dilation, padding, ceil_mode,
                          return_indices=return_indices, opname="max_pool3d")

    def avg_pool1d(self: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
                   count_include_pad: bool = True) -> Tensor:
        return self._pool("avg", 1, kernel_size, stride, 1, padding, ceil_mode, count_include_pad, opname="avg_pool1d")

    def avg_pool3d(self: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
                   count_include_pad: bool = True) -> Tensor:
        return self._pool("avg", 3, kernel_size, stride, 1, padding, ceil_mode, count_include_pad, opname="avg_pool3d")

    def _max_unpool(self: Tensor, nd: int, indices: Tensor, kernel_size: Any, stride: Any, padding: Any,
                    output_size: Sequence[int] | None, opname: str) -> Tensor:
        """Put each value at its flat spatial index (from max pooling's return_indices); zeros elsewhere."""
        from tinyir.frontend.index_range import check_index_range
        from tinyir.frontend.tensor import Tensor

        if indices.shape != self.shape:
            raise TensorValueError(f"{opname}: indices {indices.shape} and input {self.shape} differ in shape")
        k = _ntuple(kernel_size, nd, "kernel_size", opname)
        st = _ntuple(stride if stride is not None else k, nd, "stride", opname)
        pd = _ntuple(padding, nd, "padding", opname)
        spatial_in = self.shape[-nd:]
        if output_size is None:
            size = tuple((n - 1) * s - 2 * p + kk for n, s, p, kk in zip(spatial_in, st, pd, k))
        else:
            size = tuple(int(v) for v in output_size)[-nd:]
        lead = self.shape[:-nd]
        positions = math.prod(size)
        check_index_range(indices, positions, opname, f"the output's {size} positions")  # INDEX-RANGE
        x = self.reshape(lead + (math.prod(spatial_in), 1))
        idx = indices.reshape(lead + (math.prod(spatial_in), 1))
        hot = idx == Tensor.arange(positions, device=self.device)  # [..., i, q]
        return hot.where(x, 0).sum(-2).cast(self.dtype).reshape(lead + size)

    def max_unpool1d(self: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
                     output_size: Sequence[int] | None = None) -> Tensor:
        return self._max_unpool(1, indices, kernel_size, stride, padding, output_size, "max_unpool1d")

    def max_unpool2d(self: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
                     output_size: Sequence[int] | None = None) -> Tensor:
        return self._max_unpool(2, indices, kernel_size, stride, padding, output_size, "max_unpool2d")

    def max_unpool3d(self: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
                     output_size: Sequence[int] | None = None) -> Tensor:
        return self._max_unpool(3, indices, kernel_size, stride, padding, output_size, "max_unpool3d")

    # ------------------------------------------------------------------ convolution
    def _conv(self: Tensor, nd: int, weight: Tensor, bias: Tensor | None, stride: Any, padding: Any, dilation: Any,
              groups: int, opname: str) -> Tensor:
        """Cross-correlation of (N, Cin, *spatial) with (Cout, Cin/groups, *kernel)."""
        if self.ndim == nd + 1:  # unbatched
            return self.unsqueeze(0)._conv(nd, weight, bias, stride, padding, dilation, groups, opname).squeeze(0)
        if self.ndim != nd + 2 or weight.ndim != nd + 2:
            raise TensorValueError(f"{opname}: expects {nd + 2}-d input and weight, got {self.shape} and {weight.shape}")
        n, cin = self.shape[:2]
        cout, cin_g = weight.shape[:2]
        k = weight.shape[2:]
        if cin != cin_g * groups or cout % groups:
            raise TensorValueError(f"{opname}: input {self.shape} and weight {weight.shape} do not match with groups={groups}")
        st = _ntuple(stride, nd, "stride", opname)
        dl = _ntuple(dilation, nd, "dilation", opname)
        if padding == "valid":
            pairs = [(0, 0)] * nd
        elif padding == "same":
            if any(s != 1 for s in st):
                raise TensorValueError(f"{opname}: padding='same' needs stride 1, got {st}")
            totals = [d * (kk - 1) for d, kk in zip(dl, k)]
            pairs = [(t // 2, t - t // 2) for t in totals]
        else:
            pairs = [(p, p) for p in _ntuple(padding, nd, "padding", opname)]
        x = self.pad([None, None] + pairs) if any(p != (0, 0) for p in pairs) else self
        # CONV-GRAD (as functional.conv2d): broadcast over Cout/G before taking windows, so the
        # input's gradient is one reduce over the output channels, not a windows-sized tensor
        spatial = x.shape[2:]
        x = x.reshape(n, groups, 1, cin_g, *spatial).expand(n, groups, cout // groups, cin_g, *spatial)
        x = x._windows(tuple(k), st, dl)  # (N, G, Cout/G, Cin/G, *out, *k)
        out = x.shape[4:4 + nd]
        w = weight.reshape(1, groups, cout // groups, cin_g, *(1,) * nd, *k)
        summed = (3,) + tuple(range(4 + nd, 4 + 2 * nd))
        result = (x * w).sum(summed).reshape(n, cout, *out)
        return result + bias.reshape(1, -1, *(1,) * nd) if bias is not None else result

    def conv1d(self: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
               dilation: Any = 1, groups: int = 1) -> Tensor:
        """torch.nn.functional.conv1d (argument order as PyTorch's)."""
        return self._conv(1, weight, bias, stride, padding, dilation, groups, "conv1d")

    def conv3d(self: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
               dilation: Any = 1, groups: int = 1) -> Tensor:
        """torch.nn.functional.conv3d (argument order as PyTorch's)."""
        return self._conv(3, weight, bias, stride, padding, dilation, groups, "conv3d")
