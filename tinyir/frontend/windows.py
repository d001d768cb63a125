"""The windows of a tensor's last dims, the gather under every convolution and pool.

`windows(x, kernel, stride, dilation)`: (..., *spatial) -> (..., *out_spatial, *kernel), where
window element (o, j) of a size-n dim is x[o*stride + j*dilation]. It has two forms that give the
same values:

- WINDOW-VIEW (`window_views`): movement ops only, which fold-views merges into one strided view
  of the input (shapetracker DIGIT-WRAP), so each window element is one load. A first call compiles
  a ninth of the loads of the slice form (a 3x3 convolution). Its gradient, though, is a sum over
  the input's repeats, a reduce that cannot join the reduce over the output channels that CONV-GRAD
  (functional.conv2d) sets up, so the backward would hold a gradient of the input per channel.
- WINDOW-SLICES (`window_slices`): one strided slice per kernel offset, stacked. Its gradient is a
  sum of padded slices, elementwise, which CONV-GRAD's channel reduce takes in one kernel.

`windows` takes the view form where all three hold, the slice form otherwise:
- no gradient flows into x (x does not depend on a tensor with requires_grad, or gradients are
  off): inference, or a first layer whose input is data;
- the windows are disjoint (k <= stride, no dilation) or dense (stride 1, no dilation). The taps
  of overlapping windows share loads in the view form (see below); with a stride or a dilation the
  CPU tile then vectorized worse: 64->128 @56 3x3 stride 2 without padding 2.9 -> 3.7 ms, 64->64
  @56 3x3 dilation 2 1.8 -> 12 ms;
- x reads no padding in its kernel (no `pad` between x and the buffers and reduces below it). A
  padded window does not merge into one view (its mask bounds o*stride + j*dilation), so each
  element is a load through two views whose index splits into affine digits (DIGIT-SPLIT), gated;
  the CPU kernel then shares one load between the taps that read the same element (3x fewer
  loads), whose masked vector loads then serve the taps at shifted lanes: a 3x3 64->64 @56 conv ran
  10-25% slower than with a load of its own per tap, which the slice form keeps.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from tinyir.errors import TensorValueError
from tinyir.frontend import lazy

if TYPE_CHECKING:
    from tinyir.frontend.tensor import Tensor


def output_sizes(x: Tensor, kernel: tuple[int, ...], stride: tuple[int, ...],
                 dilation: tuple[int, ...]) -> tuple[int, ...]:
    """How many windows each of the last len(kernel) dims holds; an error where none fits."""
    spatial = x.shape[x.ndim - len(kernel):]
    out = tuple((s - d * (k - 1) - 1) // st + 1 for s, k, st, d in zip(spatial, kernel, stride, dilation))
    if any(o <= 0 for o in out):
        raise TensorValueError(f"pool: kernel {kernel} (dilation {dilation}) does not fit input {x.shape}")
    return out


#: nodes `reads_padding` looks at before it gives up and answers yes (the slice form)
PADDING_SEARCH = 256


def reads_padding(x: Tensor) -> bool:
    """Whether a `pad` lies between x and the buffers and reduces it is computed from."""
    todo, seen = [x.lazydata], set()
    while todo:
        node = todo.pop()
        if id(node) in seen or node.realized is not None or node.op in lazy.REDUCE:
            continue
        if node.op == "pad" or len(seen) >= PADDING_SEARCH:
            return True
        seen.add(id(node))
        todo.extend(node.srcs)
    return False


def _disjoint(kernel: tuple[int, ...], stride: tuple[int, ...], dilation: tuple[int, ...]) -> bool:
    """Windows that neither overlap nor skip elements inside themselves: k <= stride, no dilation."""
    return all(k == 1 or (k <= st and d == 1) for k, st, d in zip(kernel, stride, dilation))


def windows(x: Tensor, kernel: tuple[int, ...], stride: tuple[int, ...], dilation: tuple[int, ...]) -> Tensor:
    from tinyir.frontend.realize import _keeps_history

    dense = all(st == 1 and d == 1 for st, d in zip(stride, dilation))
    if not (dense or _disjoint(kernel, stride, dilation)) or reads_padding(x) or _keeps_history([x.lazydata]):
        return window_slices(x, kernel, stride, dilation)
    return window_views(x, kernel, stride, dilation)


def window_slices(x: Tensor, kernel: tuple[int, ...], stride: tuple[int, ...], dilation: tuple[int, ...]) -> Tensor:
    """WINDOW-SLICES: one strided slice per kernel offset, stacked on a new last dim."""
    out_sp = output_sizes(x, kernel, stride, dilation)
    lead = x.ndim - len(kernel)
    pieces = []
    for offsets in itertools.product(*(range(k) for k in kernel)):
        idx = [slice(None)] * lead + [slice(o * d, o * d + (n - 1) * st + 1, st)
                                      for o, d, n, st in zip(offsets, dilation, out_sp, stride)]
        pieces.append(x[tuple(idx)].unsqueeze(-1))
    stacked = pieces[0].cat(*pieces[1:], dim=-1) if len(pieces) > 1 else pieces[0]
    return stacked.reshape(stacked.shape[:-1] + kernel)


def window_views(x: Tensor, kernel: tuple[int, ...], stride: tuple[int, ...], dilation: tuple[int, ...]) -> Tensor:
    """WINDOW-VIEW: windows that do not overlap (k <= stride, no dilation) are a reshape of the dim
    into (out, stride) and a shrink to (out, k). Overlapping ones repeat the input r times, so that
    a row of length L = n*m + dilation (m >= 1, L >= out*stride) starting at j*L reads the input
    from j*dilation on (j*L = j*dilation mod n): shrink to k*L, rows of L, each row shrunk to
    out*stride and split into (out, stride), offset 0 of each stride kept."""
    out_sp = output_sizes(x, kernel, stride, dilation)
    nd = len(kernel)
    lead = x.shape[:x.ndim - nd]
    spatial = x.shape[x.ndim - nd:]
    keep = [None] * len(lead)
    if _disjoint(kernel, stride, dilation):
        reach = [o * st for o, st in zip(out_sp, stride)]  # may pass the end: those elements are never read
        x = x.pad(keep + [(0, max(0, r - n)) for r, n in zip(reach, spatial)])
        x = x.shrink(keep + [(0, r) for r in reach])
        x = x.reshape(lead + tuple(v for o, st in zip(out_sp, stride) for v in (o, st)))
        x = x.shrink(keep + [b for k in kernel for b in (None, (0, k))])
        out_first = (0, 1)  # (..., o1, k1, o2, k2, ...)
    else:
        rows = [n * max(1, -(-(o * st - d) // n)) + d for n, o, st, d in zip(spatial, out_sp, stride, dilation)]
        repeats = [-(-k * r // n) for k, r, n in zip(kernel, rows, spatial)]
        x = x.reshape(lead + tuple(v for n in spatial for v in (1, n)))
        x = x.expand(lead + tuple(v for r, n in zip(repeats, spatial) for v in (r, n)))
        x = x.reshape(lead + tuple(r * n for r, n in zip(repeats, spatial)))
        x = x.shrink(keep + [(0, k * r) for k, r in zip(kernel, rows)])
        x = x.reshape(lead + tuple(v for k, r in zip(kernel, rows) for v in (k, r)))
        x = x.shrink(keep + [b for o, st in zip(out_sp, stride) for b in (None, (0, o * st))])
        if any(st > 1 for st in stride):
            x = x.reshape(lead + tuple(v for k, o, st in zip(kernel, out_sp, stride) for v in (k, o, st)))
            x = x.shrink(keep + [b for _ in kernel for b in (None, None, (0, 1))])
        x = x.reshape(lead + tuple(v for k, o in zip(kernel, out_sp) for v in (k, o)))
        out_first = (1, 0)  # (..., k1, o1, k2, o2, ...)
    n = len(lead)
    return x.permute(*range(n), *(n + 2 * i + out_first[0] for i in range(nd)),
                     *(n + 2 * i + out_first[1] for i in range(nd)))
