"""The one table from ONNX operator (standard domain) to tinyir Tensor API calls.

Each entry takes a NodeContext (tinyir/onnx/backend.py): `ctx.x(i)` is input i as a Tensor (None
when omitted), `ctx.ints(i)` / `ctx.scalar(i)` its value on the host (shapes, axes, pads: resolved
when the node runs), `ctx.attr(name, default)` an attribute with the default of the operator's
schema, `ctx.opset` the model's opset, where an attribute's default or place changed between
opsets. An entry returns a Tensor, a host numpy array, or a tuple of them (multiple outputs).

HOST_OPS runs the same operators in numpy when every input is already a small host array: the shape
arithmetic exported models do (Shape -> Gather -> Concat -> Reshape) then needs no kernel.
OUT_OF_SCOPE names the operators tinyir.onnx leaves out on purpose, with the reason (docs/onnx.md).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from tinyir.errors import TensorTypeError
from tinyir.frontend.dtypes import dtypes, from_numpy
from tinyir.frontend.tensor import Tensor

Handler = Callable[[Any], Any]


# ---------------------------------------------------------------------------------------- helpers
def _onnx_np_dtype(elem_type: int, ctx: Any) -> np.dtype:
    import onnx

    try:
        dt = np.dtype(onnx.helper.tensor_dtype_to_np_dtype(elem_type))
    except (KeyError, TypeError, ValueError):
        raise ctx.error(f"element type {onnx.TensorProto.DataType.Name(elem_type)} is not supported") from None
    _tensor_dtype(dt, ctx)  # one tinyir has
    return dt


def _tensor_dtype(npdt: np.dtype, ctx: Any) -> Any:
    if npdt.kind in "iu" and npdt.itemsize == 8 and not hasattr(dtypes, npdt.name):
        return dtypes.int32  # no 64-bit ints in this tinyir: computed in int32 (backend.device_array)
    try:
        return from_numpy(npdt)
    except TensorTypeError:
        raise ctx.error(f"element type {npdt} is not supported by tinyir") from None


def _axis(axis: int, ndim: int) -> int:
    return axis + ndim if axis < 0 else axis


def _index_dtype(ctx: Any) -> Any:
    return _tensor_dtype(np.dtype(np.int64), ctx)


def _broadcast(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(np.broadcast_shapes(a, b))


def _expand_to(x: Tensor, shape: tuple[int, ...]) -> Tensor:
    if x.shape == shape:
        return x
    return x.reshape((1,) * (len(shape) - x.ndim) + x.shape).expand(shape)


def _variadic(fn: Callable[[Tensor, Tensor], Tensor]) -> Handler:
    def run(ctx: Any) -> Tensor:
        xs = ctx.inputs()
        out = xs[0]
        for x in xs[1:]:
            out = fn(out, x)
        shape = xs[0].shape
        for x in xs[1:]:
            shape = _broadcast(shape, x.shape)
        return _expand_to(out, shape)
    return run


def _reduce_axes(ctx: Any, ndim: int, input_index: int = 1) -> tuple[int, ...] | None:
    """The axes of a reduction (attribute before the opset made them input 1); None: no reduction."""
    axes = ctx.ints_from("axes", input_index)
    if not axes:
        return None if ctx.attr("noop_with_empty_axes", 0) else tuple(range(ndim))
    return tuple(sorted(_axis(a, ndim) for a in axes))


def _reduction(fn: Callable[[Tensor, tuple[int, ...], bool], Tensor], empty: Any = None) -> Handler:
    """`empty`: the result over no elements, a value or a function of the dtype."""
    def run(ctx: Any) -> Tensor:
        x = ctx.x(0)
        axes = _reduce_axes(ctx, x.ndim)
        if axes is None:
            return x
        keep = bool(ctx.attr("keepdims", 1))
        if x.numel() == 0 and empty is not None:  # a reduction over nothing: the operation's identity
            shape = tuple(1 if i in axes else s for i, s in enumerate(x.shape)) if keep else tuple(
                s for i, s in enumerate(x.shape) if i not in axes)
            value = empty(x.dtype) if callable(empty) else empty
            return Tensor.full(shape, value, dtype=x.dtype, device=x.device)
        if not axes:
            return x
        return fn(x, axes, keep)
    return run


def _softmax_like(fn: Callable[[Tensor, int], Tensor]) -> Handler:
    def run(ctx: Any) -> Tensor:
        x = ctx.x(0)
        if ctx.opset >= 13:
            return fn(x, _axis(ctx.attr("axis", -1), x.ndim))
        axis = _axis(ctx.attr("axis", 1), x.ndim)  # before opset 13: the input is coerced to 2-d at axis
        flat = x.reshape(math.prod(x.shape[:axis]), math.prod(x.shape[axis:]))
        return fn(flat, 1).reshape(x.shape)
    return run


def _hardmax(x: Tensor, axis: int) -> Tensor:
    first = x.argmax(axis, keepdim=True)
    positions = Tensor.arange(x.shape[axis], device=x.device).reshape(
        tuple(x.shape[axis] if i == axis else 1 for i in range(x.ndim)))
    return (positions == first).cast(x.dtype)


def _spatial_pads(ctx: Any, spatial: tuple[int, ...], kernel: tuple[int, ...], strides: tuple[int, ...],
                  dilations: tuple[int, ...]) -> list[tuple[int, int]]:
    """(begin, end) padding per spatial dim from `pads` or `auto_pad`."""
    nd = len(spatial)
    auto = ctx.attr("auto_pad", "NOTSET")
    if auto in ("SAME_UPPER", "SAME_LOWER"):
        pairs = []
        for n, k, s, d in zip(spatial, kernel, strides, dilations):
            out = -(-n // s)
            total = max((out - 1) * s + (k - 1) * d + 1 - n, 0)
            small = total // 2
            pairs.append((small, total - small) if auto == "SAME_UPPER" else (total - small, small))
        return pairs
    if auto == "VALID":
        return [(0, 0)] * nd
    pads = ctx.attr("pads", [0] * (2 * nd))
    return [(int(pads[i]), int(pads[i + nd])) for i in range(nd)]


def _pad_spatial(x: Tensor, pairs: list[tuple[int, int]], value: Any = 0.0) -> Tensor:
    if all(p == (0, 0) for p in pairs):
        return x
    return x.pad([None] * (x.ndim - len(pairs)) + list(pairs), value=value)


def _conv(ctx: Any) -> Tensor:
    return _conv_of(ctx, ctx.x(0), ctx.x(1), ctx.x(2))


def _conv_of(ctx: Any, x: Tensor, w: Tensor, b: Tensor | None) -> Tensor:
    """Conv's attributes applied to x, w and b (also ConvInteger's and QLinearConv's centered integers)."""
    nd = x.ndim - 2
    kernel = tuple(ctx.attr("kernel_shape", w.shape[2:]))
    strides = tuple(ctx.attr("strides", [1] * nd))
    dilations = tuple(ctx.attr("dilations", [1] * nd))
    pairs = _spatial_pads(ctx, x.shape[2:], kernel, strides, dilations)
    return _pad_spatial(x, pairs)._conv(nd, w, b, strides, 0, dilations, int(ctx.attr("group", 1)), "Conv")


def _spread(x: Tensor, axis: int, stride: int) -> Tensor:
    """Insert stride-1 zeros between neighbours along axis (a transposed convolution's input)."""
    if stride == 1:
        return x
    n = x.shape[axis]
    x = x.unsqueeze(axis + 1)
    pads: list[Any] = [None] * x.ndim
    pads[axis + 1] = (0, stride - 1)
    x = x.pad(pads).flatten(axis, axis + 1)
    bounds: list[Any] = [None] * x.ndim
    bounds[axis] = (0, (n - 1) * stride + 1)
    return x.shrink(bounds)


def _conv_transpose(ctx: Any) -> Tensor:
    x, w, b = ctx.x(0), ctx.x(1), ctx.x(2)
    nd = x.ndim - 2
    group = int(ctx.attr("group", 1))
    kernel = tuple(ctx.attr("kernel_shape", w.shape[2:]))
    strides = tuple(ctx.attr("strides", [1] * nd))
    dilations = tuple(ctx.attr("dilations", [1] * nd))
    out_pad = tuple(ctx.attr("output_padding", [0] * nd))
    spatial = x.shape[2:]
    output_shape = ctx.attr("output_shape")
    auto = ctx.attr("auto_pad", "NOTSET")
    if output_shape is not None or auto in ("SAME_UPPER", "SAME_LOWER"):
        target = (list(output_shape)[-nd:] if output_shape is not None else [n * s for n, s in zip(spatial, strides)])
        pairs = []
        for n, k, s, d, op, t in zip(spatial, kernel, strides, dilations, out_pad, target):
            total = s * (n - 1) + op + (k - 1) * d + 1 - int(t)
            small = total // 2
            pairs.append((small, total - small) if auto == "SAME_UPPER" else (total - small, small))
    elif auto == "VALID":
        pairs = [(0, 0)] * nd
    else:
        pads = ctx.attr("pads", [0] * (2 * nd))
        pairs = [(int(pads[i]), int(pads[i + nd])) for i in range(nd)]
    for i, s in enumerate(strides):
        x = _spread(x, 2 + i, s)
    full = [(d * (k - 1) - pb, d * (k - 1) - pe + op) for d, k, (pb, pe), op in zip(dilations, kernel, pairs, out_pad)]
    x = _pad_spatial(x, full)
    cin, cout_g = w.shape[:2]
    wt = w.reshape(group, cin // group, cout_g, *kernel).transpose(1, 2).reshape(group * cout_g, cin // group, *kernel)
    wt = wt.flip(tuple(range(2, 2 + nd)))
    return x._conv(nd, wt, b, 1, 0, dilations, group, "ConvTranspose")


def _pool_geometry(ctx: Any, x: Tensor) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...],
                                                   list[tuple[int, int]], tuple[int, ...]]:
    """kernel, strides, dilations, (begin, end) pads and output size of a pooling node."""
    kernel = tuple(int(k) for k in ctx.attr("kernel_shape"))
    nd = len(kernel)
    strides = tuple(ctx.attr("strides", [1] * nd))
    dilations = tuple(ctx.attr("dilations", [1] * nd))
    spatial = x.shape[-nd:]
    pairs = _spatial_pads(ctx, spatial, kernel, strides, dilations)
    ceil = bool(ctx.attr("ceil_mode", 0))
    out = []
    for n, k, s, d, (pb, pe) in zip(spatial, kernel, strides, dilations, pairs):
        span = n + pb + pe - ((k - 1) * d + 1)
        o = (-(-span // s) if ceil else span // s) + 1
        if ceil and (o - 1) * s >= n + pb:  # the last window would start in the end padding
            o -= 1
        out.append(o)
    return kernel, strides, dilations, pairs, tuple(out)


def _pool_windows(x: Tensor, kernel: tuple[int, ...], strides: tuple[int, ...], dilations: tuple[int, ...],
                  pairs: list[tuple[int, int]], out: tuple[int, ...], value: Any) -> Tensor:
    """(..., *out, *kernel): the windows, the input padded by pairs (and at the end for ceil_mode)."""
    nd = len(kernel)
    spatial = x.shape[-nd:]
    full = []
    for n, k, s, d, (pb, pe), o in zip(spatial, kernel, strides, dilations, pairs, out):
        need = (o - 1) * s + (k - 1) * d + 1
        full.append((pb, max(need - n - pb, pe)))
    w = _pad_spatial(x, full, value)._windows(kernel, strides, dilations)
    return w.shrink([None] * (w.ndim - 2 * nd) + [(0, o) for o in out] + [None] * nd)


def _max_pool(ctx: Any) -> Any:
    from tinyir.frontend.pooling import lowest

    x = ctx.x(0)
    kernel, strides, dilations, pairs, out = _pool_geometry(ctx, x)
    nd = len(kernel)
    windows = _pool_windows(x, kernel, strides, dilations, pairs, out, lowest(x.dtype))
    result = windows.max(tuple(range(-nd, 0)))
    if len(ctx.node.output) < 2 or not ctx.node.output[1]:
        return result
    # Indices: the flat index into the unpadded input of each window's first maximum
    spatial = x.shape[-nd:]
    places = Tensor.arange(math.prod(x.shape), device=x.device).reshape(x.shape)
    if ctx.attr("storage_order", 0):  # column-major within each (n, c) plane: the first spatial dim varies fastest
        lead = x.shape[:-nd]
        places = Tensor.arange(math.prod(lead), device=x.device).reshape(*lead, *[1] * nd) * math.prod(spatial)
        for j, size in enumerate(spatial):
            along = [size if i == j else 1 for i in range(nd)]
            places = places + Tensor.arange(size, device=x.device).reshape(*[1] * len(lead), *along) * math.prod(spatial[:j])
        places = places.expand(*x.shape)
    places = _pool_windows(places, kernel, strides, dilations, pairs, out, -1)
    flat = windows.reshape(windows.shape[:windows.ndim - nd] + (-1,))
    first = flat.argmax(-1, keepdim=True)
    hot = Tensor.arange(flat.shape[-1], device=x.device) == first
    indices = hot.where(places.reshape(flat.shape), 0).sum(-1)
    del spatial
    return result, indices.cast(_index_dtype(ctx))


def _avg_pool(ctx: Any) -> Tensor:
    x = ctx.x(0)
    kernel, strides, dilations, pairs, out = _pool_geometry(ctx, x)
    nd = len(kernel)
    axes = tuple(range(-nd, 0))
    total = _pool_windows(x, kernel, strides, dilations, pairs, out, 0.0).sum(axes)
    # divisor: real elements, plus the explicit padding with count_include_pad (never ceil_mode's extra)
    ones = x.ones_like()
    if ctx.attr("count_include_pad", 0):
        ones = _pad_spatial(ones, pairs, 1.0)
        pairs = [(0, 0)] * nd
    count = _pool_windows(ones, kernel, strides, dilations, pairs, out, 0.0).sum(axes)
    return total / count


def _lp_pool(ctx: Any) -> Tensor:
    x = ctx.x(0)
    p = float(ctx.attr("p", 2))
    kernel, strides, dilations, pairs, out = _pool_geometry(ctx, x)
    windows = _pool_windows(x.abs().pow(p), kernel, strides, dilations, pairs, out, 0.0)
    return windows.sum(tuple(range(-len(kernel), 0))).pow(1.0 / p)


def _batch_norm(ctx: Any) -> Any:
    x, scale, bias, mean, var = (ctx.x(i) for i in range(5))
    eps = float(ctx.attr("epsilon", 1e-5))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    training = bool(ctx.attr("training_mode", 0))
    if not training:
        return (x - mean.reshape(shape)) * ((var.reshape(shape) + eps).rsqrt() * scale.reshape(shape)) + bias.reshape(shape)
    axes = tuple(i for i in range(x.ndim) if i != 1)
    batch_mean = x.mean(axes)
    batch_var = ((x - batch_mean.reshape(shape)) ** 2).mean(axes)
    y = (x - batch_mean.reshape(shape)) * ((batch_var.reshape(shape) + eps).rsqrt() * scale.reshape(shape)) + bias.reshape(shape)
    momentum = float(ctx.attr("momentum", 0.9))
    return y, mean * momentum + batch_mean * (1 - momentum), var * momentum + batch_var * (1 - momentum)


def _normalize(x: Tensor, axes: tuple[int, ...], eps: float) -> tuple[Tensor, Tensor, Tensor]:
    mean = x.mean(axes, keepdim=True)
    centered = x - mean
    inv_std = ((centered * centered).mean(axes, keepdim=True) + eps).rsqrt()
    return centered * inv_std, mean, inv_std


def _layer_norm(ctx: Any) -> Any:
    x, scale, bias = ctx.x(0), ctx.x(1), ctx.x(2)
    axis = _axis(ctx.attr("axis", -1), x.ndim)
    y, mean, inv_std = _normalize(x.float() if x.dtype != dtypes.float32 else x, tuple(range(axis, x.ndim)),
                                  float(ctx.attr("epsilon", 1e-5)))
    y = y.cast(x.dtype) * scale
    if bias is not None:
        y = y + bias
    return y, mean, inv_std


def _instance_norm(ctx: Any) -> Tensor:
    x, scale, bias = ctx.x(0), ctx.x(1), ctx.x(2)
    y, _, _ = _normalize(x, tuple(range(2, x.ndim)), float(ctx.attr("epsilon", 1e-5)))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    return y * scale.reshape(shape) + bias.reshape(shape)


def _group_norm(ctx: Any) -> Tensor:
    x, scale, bias = ctx.x(0), ctx.x(1), ctx.x(2)
    groups = int(ctx.attr("num_groups"))
    n, c = x.shape[:2]
    g = x.reshape(n, groups, -1)
    y, _, _ = _normalize(g, (2,), float(ctx.attr("epsilon", 1e-5)))
    y = y.reshape(x.shape)
    shape = (1, -1) + (1,) * (x.ndim - 2)
    if scale.numel() == groups and groups != c:  # opset 18: one scale per group
        scale = scale.reshape(groups, 1).expand(groups, c // groups).reshape(c)
        bias = bias.reshape(groups, 1).expand(groups, c // groups).reshape(c)
    return y * scale.reshape(shape) + bias.reshape(shape)


def _rms_norm(ctx: Any) -> Tensor:
    x, scale = ctx.x(0), ctx.x(1)
    axis = _axis(ctx.attr("axis", -1), x.ndim)
    xf = x.float() if x.dtype != dtypes.float32 else x
    ms = (xf * xf).mean(tuple(range(axis, x.ndim)), keepdim=True)
    return (xf * (ms + float(ctx.attr("epsilon", 1e-5))).rsqrt()).cast(x.dtype) * scale


def _lrn(ctx: Any) -> Tensor:
    x = ctx.x(0)
    size = int(ctx.attr("size"))
    alpha, beta, bias = float(ctx.attr("alpha", 1e-4)), float(ctx.attr("beta", 0.75)), float(ctx.attr("bias", 1.0))
    before, after = (size - 1) // 2, -(-(size - 1) // 2)
    sq = (x * x).pad([None, (before, after)] + [None] * (x.ndim - 2))
    c = x.shape[1]
    total = sq.shrink([None, (0, c)] + [None] * (x.ndim - 2))
    for off in range(1, size):
        total = total + sq.shrink([None, (off, off + c)] + [None] * (x.ndim - 2))
    return x / (bias + (alpha / size) * total).pow(beta)


def _mvn(ctx: Any) -> Tensor:
    x = ctx.x(0)
    axes = tuple(_axis(a, x.ndim) for a in ctx.attr("axes", [0, 2, 3]))
    mean = x.mean(axes, keepdim=True)
    var = (x * x).mean(axes, keepdim=True) - mean * mean
    return (x - mean) / (var.sqrt() + 1e-9)


def _lp_norm(ctx: Any) -> Tensor:
    x = ctx.x(0)
    axis, p = ctx.attr("axis", -1), int(ctx.attr("p", 2))
    norm = x.abs().sum(axis, keepdim=True) if p == 1 else (x * x).sum(axis, keepdim=True).sqrt()
    return (norm == 0).where(0.0, x / norm).cast(x.dtype)  # a zero vector stays zero


def _gemm(ctx: Any) -> Tensor:
    a, b, c = ctx.x(0), ctx.x(1), ctx.x(2)
    if ctx.attr("transA", 0):
        a = a.transpose(0, 1)
    if ctx.attr("transB", 0):
        b = b.transpose(0, 1)
    out = a @ b
    alpha, beta = float(ctx.attr("alpha", 1.0)), float(ctx.attr("beta", 1.0))
    if alpha != 1.0:
        out = out * alpha
    if c is not None and beta != 0.0:
        out = out + (c * beta if beta != 1.0 else c)
    return out.cast(a.dtype) if out.dtype != a.dtype else out


def _reshape_target(shape: tuple[int, ...], target: list[int], allowzero: bool) -> tuple[int, ...]:
    out = [shape[i] if (t == 0 and not allowzero) else t for i, t in enumerate(target)]
    if -1 in out:
        known = math.prod(v for v in out if v != -1)
        out[out.index(-1)] = math.prod(shape) // known if known else 0
    return tuple(out)


def _reshape(ctx: Any) -> Any:
    x = ctx.x(0) if not isinstance(ctx.values[0], np.ndarray) else ctx.values[0]
    target = ctx.ints_from("shape", 1)
    return x.reshape(_reshape_target(tuple(x.shape), target, bool(ctx.attr("allowzero", 0))))


def _flatten(ctx: Any) -> Tensor:
    x = ctx.x(0)
    axis = _axis(ctx.attr("axis", 1), x.ndim)
    return x.reshape(math.prod(x.shape[:axis]), math.prod(x.shape[axis:]))


def _squeeze(ctx: Any) -> Any:
    x = ctx.values[0] if isinstance(ctx.values[0], np.ndarray) else ctx.x(0)
    axes = ctx.ints_from("axes", 1)
    if axes is None:
        axes = [i for i, s in enumerate(x.shape) if s == 1]
    axes = {_axis(a, x.ndim) for a in axes}
    return x.reshape(tuple(s for i, s in enumerate(x.shape) if i not in axes))


def _unsqueeze(ctx: Any) -> Any:
    x = ctx.values[0] if isinstance(ctx.values[0], np.ndarray) else ctx.x(0)
    axes = ctx.ints_from("axes", 1)
    ndim = x.ndim + len(axes)
    axes = sorted(_axis(a, ndim) for a in axes)
    shape = list(x.shape)
    for a in axes:
        shape.insert(a, 1)
    return x.reshape(tuple(shape))


def _transpose(ctx: Any) -> Tensor:
    x = ctx.x(0)
    perm = ctx.attr("perm", list(range(x.ndim))[::-1])
    return x.permute(*perm)


def _concat(ctx: Any) -> Tensor:
    xs = [x for x in ctx.inputs()]
    axis = _axis(ctx.attr("axis"), xs[0].ndim)
    xs = [x for x in xs if x.shape[axis] != 0] or xs[:1]
    return xs[0].cat(*xs[1:], dim=axis) if len(xs) > 1 else xs[0]


def _split(ctx: Any) -> tuple[Tensor, ...]:
    x = ctx.x(0)
    axis = _axis(ctx.attr("axis", 0), x.ndim)
    sizes = ctx.ints_from("split", 1)
    n = len([o for o in ctx.node.output])
    if not sizes:
        parts = int(ctx.attr("num_outputs", n))
        size = -(-x.shape[axis] // parts)
        sizes = [min(size, x.shape[axis] - i * size) for i in range(parts)]
    out, start = [], 0
    for s in sizes:
        bounds: list[Any] = [None] * x.ndim
        bounds[axis] = (start, start + s)
        out.append(x.shrink(bounds))
        start += s
    return tuple(out)


def _slice_args(ctx: Any, ndim: int) -> list[slice]:
    if ctx.opset < 10:
        starts, ends = ctx.attr("starts"), ctx.attr("ends")
        axes, steps = ctx.attr("axes", list(range(len(starts)))), [1] * len(starts)
    else:
        starts, ends = ctx.ints(1), ctx.ints(2)
        axes = ctx.ints(3, list(range(len(starts))))
        steps = ctx.ints(4, [1] * len(starts))
    index = [slice(None)] * ndim
    for s, e, a, st in zip(starts, ends, axes, steps):
        index[_axis(int(a), ndim)] = slice(int(s), int(e), int(st))
    return index


def _slice(ctx: Any) -> Any:
    x = ctx.values[0] if isinstance(ctx.values[0], np.ndarray) else ctx.x(0)
    index = _slice_args(ctx, x.ndim)
    if isinstance(x, np.ndarray):
        return x[tuple(index)]
    # a slice that selects nothing is an empty tensor (the Tensor API has no 0-size view there)
    empty = [len(range(*sl.indices(n))) == 0 for sl, n in zip(index, x.shape)]
    if any(empty):
        shape = tuple(len(range(*sl.indices(n))) for sl, n in zip(index, x.shape))
        return Tensor(np.zeros(shape, x.dtype.np), device=x.device)
    return x[tuple(index)]


def _normalized_index(idx: Tensor, n: int) -> Tensor:
    return (idx < 0).where(idx + n, idx)


def _gather(ctx: Any) -> Tensor:
    x, idx = ctx.x(0), ctx.x(1)
    axis = _axis(ctx.attr("axis", 0), x.ndim)
    idx = _normalized_index(idx, x.shape[axis])
    if idx.ndim == 0:
        bounds: list[Any] = [None] * x.ndim
        value = ctx.host(1)
        if value is not None and isinstance(ctx.values[1], np.ndarray):
            i = int(value) % x.shape[axis]
            bounds[axis] = (i, i + 1)
            return x.shrink(bounds).squeeze(axis)
        return x[(slice(None),) * axis + (idx.reshape(1),)].squeeze(axis)
    return x[(slice(None),) * axis + (idx,)]


def _gather_elements(ctx: Any) -> Tensor:
    x, idx = ctx.x(0), ctx.x(1)
    axis = _axis(ctx.attr("axis", 0), x.ndim)
    return x.gather(axis, _normalized_index(idx, x.shape[axis]))


def _flat_positions(shape: tuple[int, ...], idx: Tensor) -> Tensor:
    """Row-major flat positions of index tuples along idx's last dim (negatives wrap)."""
    k = idx.shape[-1]
    pos = None
    for j in range(k):
        col = _normalized_index(idx[..., j], shape[j]) * math.prod(shape[j + 1:k])
        pos = col if pos is None else pos + col
    return pos


def _gather_nd(ctx: Any) -> Tensor:
    x, idx = ctx.x(0), ctx.x(1)
    batch = int(ctx.attr("batch_dims", 0))
    k = idx.shape[-1]
    if not batch:
        flat = x.reshape((math.prod(x.shape[:k]),) + x.shape[k:])
        return flat[_flat_positions(x.shape, idx)]
    # the first `batch` dims pair x with idx: each batch's index tuples address its own slice of x
    batches, per_batch = math.prod(x.shape[:batch]), math.prod(x.shape[batch:batch + k])
    flat = x.reshape((batches * per_batch,) + x.shape[batch + k:])
    tuples = idx.reshape(batches, -1, k)
    offsets = Tensor.arange(batches, device=idx.device).reshape(batches, 1).cast(idx.dtype) * per_batch
    pos = _flat_positions(x.shape[batch:], tuples) + offsets
    return flat[pos.reshape(-1)].reshape(idx.shape[:-1] + x.shape[batch + k:])


def _scatter_elements(ctx: Any) -> Tensor:
    x, idx, upd = ctx.x(0), ctx.x(1), ctx.x(2)
    axis = _axis(ctx.attr("axis", 0), x.ndim)
    idx = _normalized_index(idx, x.shape[axis])
    reduction = ctx.attr("reduction", "none")
    if reduction == "none":
        return x.scatter(axis, idx, upd)
    modes = {"add": "sum", "mul": "prod", "max": "amax", "min": "amin"}
    return x.scatter_reduce(axis, idx, upd, modes[reduction], include_self=True)


def _scatter_nd(ctx: Any) -> Tensor:
    x, idx, upd = ctx.x(0), ctx.x(1), ctx.x(2)
    k = idx.shape[-1]
    rest = x.shape[k:]
    rows = math.prod(rest)
    flat = x.reshape(math.prod(x.shape[:k]), rows)
    pos = _flat_positions(x.shape, idx).reshape(-1, 1).expand(-1, rows)
    updates = upd.reshape(-1, rows)
    reduction = ctx.attr("reduction", "none")
    if reduction == "none":
        out = flat.scatter(0, pos, updates)
    else:
        modes = {"add": "sum", "mul": "prod", "max": "amax", "min": "amin"}
        out = flat.scatter_reduce(0, pos, updates, modes[reduction], include_self=True)
    return out.reshape(x.shape)


def _expand(ctx: Any) -> Tensor:
    x = ctx.x(0)
    shape = _broadcast(x.shape, tuple(ctx.ints(1)))
    return _expand_to(x, shape)


_PAD_MODES = {"constant": "constant", "reflect": "reflect", "edge": "replicate", "wrap": "circular"}


def _pad(ctx: Any) -> Tensor:
    x = ctx.x(0)
    if ctx.opset < 11:
        pads = ctx.attr("pads", ctx.attr("paddings"))
        value = float(ctx.attr("value", 0.0))
    else:
        pads = ctx.ints(1)
        value = ctx.scalar(2, 0)
    axes = ctx.ints(3) if ctx.opset >= 18 else None
    axes = [_axis(a, x.ndim) for a in (axes if axes is not None else range(x.ndim))]
    pairs: list[Any] = [(0, 0)] * x.ndim
    for i, a in enumerate(axes):
        pairs[a] = (int(pads[i]), int(pads[i + len(axes)]))
    mode = ctx.attr("mode", "constant")
    if mode not in _PAD_MODES:
        raise ctx.error(f"mode {mode!r} is not supported")
    if all(p == (0, 0) for p in pairs):
        return x
    if mode != "constant":
        return x.pad(pairs, mode=_PAD_MODES[mode])
    return x.pad(pairs, value=value)


def _shape(ctx: Any) -> np.ndarray:
    value = ctx.values[0]
    shape = list(value.shape)
    start, end = ctx.attr("start", 0), ctx.attr("end", None)
    return np.array(shape[start:end] if end is not None else shape[start:], dtype=np.int64)


def _constant(ctx: Any) -> np.ndarray:
    for name, make in (("value", np.asarray), ("value_float", lambda v: np.array(v, np.float32)),
                       ("value_floats", lambda v: np.array(v, np.float32)),
                       ("value_int", lambda v: np.array(v, np.int64)), ("value_ints", lambda v: np.array(v, np.int64))):
        if name in ctx.attrs:
            return make(ctx.attrs[name])
    raise ctx.error(f"needs one of value, value_float(s), value_int(s); has {sorted(ctx.attrs)}")


def _constant_of_shape(ctx: Any) -> Any:
    shape = tuple(ctx.ints(0))
    fill = ctx.attr("value", np.zeros(1, np.float32))
    arr = np.full(shape, fill.reshape(-1)[0], dtype=fill.dtype)
    return arr if arr.size <= 1024 else Tensor.full(shape, fill.reshape(-1)[0].item(),
                                                    dtype=_tensor_dtype(fill.dtype, ctx), device=ctx.device)


def _range(ctx: Any) -> Any:
    start, limit, delta = ctx.host(0), ctx.host(1), ctx.host(2)
    return np.arange(start.item(), limit.item(), delta.item()).astype(start.dtype)


def _cast_to(x: Tensor, npdt: np.dtype, ctx: Any) -> Tensor:
    target = _tensor_dtype(npdt, ctx)
    if x.dtype.is_float() and (target.is_int() or target.is_bool()) and not target.is_bool():
        x = x.trunc()  # C's float -> int conversion rounds toward zero
    return x.cast(target)


def _cast(ctx: Any) -> Any:
    npdt = _onnx_np_dtype(int(ctx.attr("to")), ctx)
    return _cast_to(ctx.x(0), npdt, ctx)


def _cast_like(ctx: Any) -> Any:
    return ctx.x(0).cast(ctx.x(1).dtype)


def _eye_like(ctx: Any) -> Tensor:
    x = ctx.values[0]
    npdt = _onnx_np_dtype(int(ctx.attr("dtype")), ctx) if "dtype" in ctx.attrs else np.dtype(ctx.x(0).dtype.np)
    return Tensor(np.eye(x.shape[0], x.shape[1], k=int(ctx.attr("k", 0)), dtype=npdt), device=ctx.device)


def _trilu(ctx: Any) -> Tensor:
    x = ctx.x(0)
    k = int(ctx.scalar(1, 0))
    return x.triu(k) if ctx.attr("upper", 1) else x.tril(k)


def _one_hot(ctx: Any) -> Tensor:
    idx, values = ctx.x(0), ctx.x(2)
    depth = int(ctx.scalar(1))
    axis = _axis(ctx.attr("axis", -1), idx.ndim + 1)
    idx = _normalized_index(idx, depth).unsqueeze(axis)
    positions = Tensor.arange(depth, device=idx.device).reshape(
        tuple(depth if i == axis else 1 for i in range(idx.ndim)))
    return (idx == positions).where(values[1], values[0])


def _cumsum(ctx: Any) -> Tensor:
    x = ctx.x(0)
    axis = _axis(int(ctx.scalar(1)), x.ndim)
    y = x.flip(axis) if ctx.attr("reverse", 0) else x
    out = y.cumsum(axis)
    if ctx.attr("exclusive", 0):
        out = out - y
    return out.flip(axis) if ctx.attr("reverse", 0) else out


def _cumprod(ctx: Any) -> Tensor:
    x = ctx.x(0)
    axis = _axis(int(ctx.scalar(1)), x.ndim)
    reverse = bool(ctx.attr("reverse", 0))
    y = x.flip(axis) if reverse else x
    if ctx.attr("exclusive", 0):  # shifted by one: a 1 first, the last element left out
        pads: list[Any] = [None] * x.ndim
        pads[axis] = (1, -1)
        y = y.pad(pads, value=1)
    out = y.cumprod(axis)
    return out.flip(axis) if reverse else out


def _nll(ctx: Any, log_prob: Tensor, target: Tensor, weight: Tensor | None) -> Tensor:
    """NegativeLogLikelihoodLoss of (N, C, d...) log-probabilities and (N, d...) class indices."""
    ignore = ctx.attr("ignore_index")
    ignored = (target == ignore) if ignore is not None else None
    safe = ignored.where(0, target) if ignored is not None else target
    picked = -log_prob.gather(1, safe.unsqueeze(1)).squeeze(1)
    w = weight[safe] if weight is not None else None
    if ignored is not None:
        w = ignored.where(0.0, w if w is not None else 1.0).cast(log_prob.dtype)
    loss = picked * w if w is not None else picked
    reduction = ctx.attr("reduction", "mean")
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction != "mean":
        raise ctx.error(f"reduction {reduction!r} is not one of none, sum, mean")
    return loss.sum() / w.sum() if w is not None else loss.mean()


def _nll_loss(ctx: Any) -> Tensor:
    return _nll(ctx, ctx.x(0), ctx.x(1), ctx.x(2))


def _softmax_cross_entropy(ctx: Any) -> Any:
    scores = ctx.x(0)
    log_prob = scores.log_softmax(1)
    return _nll(ctx, log_prob, ctx.x(1), ctx.x(2)), log_prob


def _topk(ctx: Any) -> tuple[Tensor, Tensor]:
    x = ctx.x(0)
    k = int(ctx.scalar(1)) if ctx.opset >= 10 else int(ctx.attr("k"))
    values, indices = x.topk(k, ctx.attr("axis", -1), largest=bool(ctx.attr("largest", 1)))
    return values, indices.cast(_index_dtype(ctx))


def _arg(largest: bool) -> Handler:
    def run(ctx: Any) -> Tensor:
        x = ctx.x(0)
        axis = _axis(ctx.attr("axis", 0), x.ndim)
        keep = bool(ctx.attr("keepdims", 1))
        if ctx.attr("select_last_index", 0):
            y = x.flip(axis)
            i = (y.argmax(axis, keepdim=keep) if largest else y.argmin(axis, keepdim=keep))
            i = (x.shape[axis] - 1) - i
        else:
            i = x.argmax(axis, keepdim=keep) if largest else x.argmin(axis, keepdim=keep)
        return i.cast(_index_dtype(ctx))
    return run


def _depth_to_space(ctx: Any) -> Tensor:
    x = ctx.x(0)
    b = int(ctx.attr("blocksize"))
    n, c, h, w = x.shape
    if ctx.attr("mode", "DCR") == "DCR":
        y = x.reshape(n, b, b, c // (b * b), h, w).permute(0, 3, 4, 1, 5, 2)
    else:
        y = x.reshape(n, c // (b * b), b, b, h, w).permute(0, 1, 4, 2, 5, 3)
    return y.reshape(n, c // (b * b), h * b, w * b)


def _space_to_depth(ctx: Any) -> Tensor:
    x = ctx.x(0)
    b = int(ctx.attr("blocksize"))
    n, c, h, w = x.shape
    blocks = x.reshape(n, c, h // b, b, w // b, b)
    order = (0, 3, 5, 1, 2, 4) if ctx.attr("mode", "DCR") == "DCR" else (0, 1, 3, 5, 2, 4)
    return blocks.permute(*order).reshape(n, c * b * b, h // b, w // b)


def _dropout(ctx: Any) -> Any:
    x = ctx.x(0)
    training = bool(ctx.scalar(2, 0)) if ctx.opset >= 12 else False
    ratio = float(ctx.scalar(1, 0.5)) if ctx.opset >= 12 else float(ctx.attr("ratio", 0.5))
    if training and ratio != 0.0:  # a fresh mask: each element kept with probability 1 - ratio, scaled up
        if not 0.0 <= ratio < 1.0:
            raise ctx.error(f"ratio must be in [0, 1) in training mode, got {ratio}")
        mask = _seeded(ctx, lambda: Tensor.rand(*x.shape, device=x.device) >= ratio)
        return mask.where(x * (1.0 / (1.0 - ratio)), 0.0).cast(x.dtype), mask
    mask = Tensor.full(x.shape, True, dtype=dtypes.bool, device=x.device)
    return x, mask


def _seeded(ctx: Any, draw: Callable[[], Tensor]) -> Tensor:
    """`draw()` with the node's `seed` (a float attribute) as the generator's seed when it has one, the
    process's generator untouched after; without one, from the process's generator."""
    seed = ctx.attr("seed", None)
    if seed is None:
        return draw()
    saved = (Tensor._seed, Tensor._rng_counter)
    Tensor.manual_seed(int(np.float32(seed).view(np.uint32)))  # every bit of the float seeds
    try:
        return draw().realize()
    finally:
        Tensor._seed, Tensor._rng_counter = saved


def _random_dtype(ctx: Any, default: Any) -> Any:
    return _tensor_dtype(_onnx_np_dtype(int(ctx.attr("dtype")), ctx), ctx) if "dtype" in ctx.attrs else default


def _random_uniform(ctx: Any, like: bool = False) -> Tensor:
    shape = tuple(ctx.x(0).shape) if like else tuple(int(d) for d in ctx.attr("shape"))
    dtype = _random_dtype(ctx, ctx.x(0).dtype if like else dtypes.float32)
    low, high = float(ctx.attr("low", 0.0)), float(ctx.attr("high", 1.0))
    return _seeded(ctx, lambda: Tensor.uniform(*shape, low=low, high=high, dtype=dtype, device=ctx.device))


def _random_normal(ctx: Any, like: bool = False) -> Tensor:
    shape = tuple(ctx.x(0).shape) if like else tuple(int(d) for d in ctx.attr("shape"))
    dtype = _random_dtype(ctx, ctx.x(0).dtype if like else dtypes.float32)
    mean, scale = float(ctx.attr("mean", 0.0)), float(ctx.attr("scale", 1.0))
    return _seeded(ctx, lambda: Tensor.normal(*shape, mean=mean, std=scale, dtype=dtype, device=ctx.device))


def _bernoulli(ctx: Any) -> Tensor:
    p = ctx.x(0)
    dtype = _random_dtype(ctx, p.dtype)
    return _seeded(ctx, lambda: (Tensor.rand(*p.shape, device=ctx.device) < p.float()).cast(dtype))


def _multinomial(ctx: Any) -> Tensor:
    """`sample_size` draws per batch row from the softmax of its unnormalized log-probabilities: the
    number of cumulative probabilities at or below a uniform draw is the drawn class."""
    x = ctx.x(0)
    if x.ndim != 2:
        raise ctx.error(f"input must be (batch, classes), got shape {x.shape}")
    batch, classes = x.shape
    count = int(ctx.attr("sample_size", 1))
    dtype = _random_dtype(ctx, dtypes.int32)
    cdf = x.float().softmax(-1).cumsum(-1).reshape(batch, 1, classes)

    def draw() -> Tensor:
        u = Tensor.rand(batch, count, 1, device=ctx.device)
        return (u >= cdf).cast(dtypes.int32).sum(-1).minimum(classes - 1).cast(dtype)

    return _seeded(ctx, draw)


def _clip(ctx: Any) -> Tensor:
    x = ctx.x(0)
    if ctx.opset < 11:
        lo, hi = ctx.attr("min"), ctx.attr("max")
    else:
        lo, hi = ctx.scalar(1), ctx.scalar(2)
    if lo is not None:
        x = x.maximum(lo)
    if hi is not None:
        x = x.minimum(hi)
    return x


def _compress(ctx: Any) -> Tensor:
    x = ctx.x(0)
    keep = np.nonzero(ctx.host(1).reshape(-1))[0]
    axis = ctx.attr("axis")
    if axis is None:
        x, axis = x.reshape(-1), 0
    axis = _axis(axis, x.ndim)
    keep = keep[keep < x.shape[axis]]
    return x[(slice(None),) * axis + (Tensor(keep.astype(np.int32), device=x.device),)]


def _nonzero(ctx: Any) -> np.ndarray:
    return np.array(np.nonzero(ctx.host(0)), dtype=np.int64).reshape(ctx.host(0).ndim, -1)


def _div(x: Tensor, y: Tensor) -> Tensor:
    if x.dtype.is_float():
        return x / y
    return x.div(y, rounding_mode="trunc")


def _mod(ctx: Any) -> Tensor:
    x, y = ctx.x(0), ctx.x(1)
    if ctx.attr("fmod", 0):
        return x.fmod(y).cast(x.dtype)
    if not x.dtype.is_float():
        return x.mod(y)
    r = x.fmod(y).cast(x.dtype)  # then moved to the divisor's sign, as numpy's mod (x mod inf: x or inf)
    moved = (r != 0) & ((r < 0) != (y < 0))
    return moved.where(r + y, r)


def _pow(ctx: Any) -> Tensor:
    x, y = ctx.x(0), ctx.x(1)
    out = x.float().pow(y.float()) if not x.dtype.is_float() else x.pow(y)
    return out.cast(x.dtype) if out.dtype != x.dtype else out


def _bitshift(ctx: Any) -> Tensor:
    x, y = ctx.x(0), ctx.x(1)
    return x.lshift(y) if ctx.attr("direction") == "LEFT" else x.rshift(y)


def _prelu(ctx: Any) -> Tensor:
    x, slope = ctx.x(0), ctx.x(1)
    return (x < 0).where(x * slope, x)


def _shrink(ctx: Any) -> Tensor:
    x = ctx.x(0)
    bias, lambd = float(ctx.attr("bias", 0.0)), float(ctx.attr("lambd", 0.5))
    return (x < -lambd).where(x + bias, (x > lambd).where(x - bias, 0)).cast(x.dtype)


def _isinf(ctx: Any) -> Tensor:
    return ctx.x(0).isinf(bool(ctx.attr("detect_positive", 1)), bool(ctx.attr("detect_negative", 1)))


def _gelu(ctx: Any) -> Tensor:
    x = ctx.x(0)
    if ctx.attr("approximate", "none") == "tanh":
        return x.gelu("tanh")
    return 0.5 * x * (1 + (x * (1 / math.sqrt(2))).erf())


def _where(ctx: Any) -> Tensor:
    cond, x, y = ctx.x(0), ctx.x(1), ctx.x(2)
    return cond.where(x, y)


def _size(ctx: Any) -> np.ndarray:
    return np.array(math.prod(ctx.values[0].shape), dtype=np.int64)


def _mean(ctx: Any) -> Tensor:
    xs = ctx.inputs()
    return _variadic(lambda a, b: a + b)(ctx) / len(xs)


def _einsum(ctx: Any) -> Tensor:
    return Tensor.einsum(ctx.attr("equation").replace(" ", ""), *ctx.inputs())


def _matmul(ctx: Any) -> Tensor:
    a, b = ctx.x(0), ctx.x(1)
    return a @ b


def _tile(ctx: Any) -> Tensor:
    return ctx.x(0).repeat(*ctx.ints(1))


def _identity(ctx: Any) -> Any:
    return ctx.values[0]


def _reverse_sequence(ctx: Any) -> Tensor:
    x = ctx.x(0)
    lens = ctx.ints(1)
    batch_axis, time_axis = ctx.attr("batch_axis", 1), ctx.attr("time_axis", 0)
    t = x.shape[time_axis]
    order = np.zeros((x.shape[batch_axis], t), dtype=np.int32)
    for b, n in enumerate(lens):
        order[b] = list(range(n - 1, -1, -1)) + list(range(n, t))
    # index[time, batch] or index[batch, time], broadcast over the remaining dims
    index = order if batch_axis < time_axis else order.T
    shape = [1] * x.ndim
    shape[batch_axis], shape[time_axis] = x.shape[batch_axis], t
    idx = Tensor(index.reshape(shape), device=x.device).expand(x.shape)
    return x.gather(time_axis, idx)


# --------------------------------------------------------------------------------------- Attention
def _heads(x: Tensor, heads: int) -> Tensor:
    """(B, S, heads * D) -> (B, heads, S, D)."""
    b, seq, hidden = x.shape
    return x.reshape(b, seq, heads, hidden // heads).permute(0, 2, 1, 3)


def _structural_bias(ctx: Any, batch: int, q_len: int, kv_len: int, past_len: int | None,
                     nonpad: list[int] | None, dtype: np.dtype) -> np.ndarray | None:
    """The additive 0/-inf bias of is_causal, the sliding window and nonpad_kv_seqlen, built on the
    host: (batch or 1, 1, q, kv), or None when there is none."""
    causal = bool(ctx.attr("is_causal", 0))
    left, right = int(ctx.attr("left_window_size", -1)), int(ctx.attr("right_window_size", -1))
    if not causal and left < 0 and right < 0 and nonpad is None:
        return None
    if past_len is None and nonpad is not None:  # external cache: the frontier per batch
        offsets = np.array(nonpad, dtype=np.int64).reshape(-1, 1, 1) - q_len
    else:
        offsets = np.full((1, 1, 1), past_len or 0, dtype=np.int64)
    i = np.arange(q_len).reshape(1, q_len, 1)
    j = np.arange(kv_len).reshape(1, 1, kv_len)
    diff = (i + offsets) - j  # query position minus key position
    allowed = np.ones(diff.shape, dtype=bool)
    if causal:
        allowed &= diff >= 0
    if left >= 0:
        allowed &= diff <= left
    if right >= 0:
        allowed &= -diff <= right
    if nonpad is not None:
        allowed = allowed & (np.arange(kv_len).reshape(1, 1, kv_len) < np.array(nonpad).reshape(-1, 1, 1))
    bias = np.where(allowed, 0.0, -np.inf).astype(dtype)
    return bias.reshape(bias.shape[0], 1, q_len, kv_len)


def _half_matmul(a: Tensor, b: Tensor) -> Tensor:
    """a @ b as numpy multiplies float16/bfloat16 arrays (ONNX's reference): products summed in
    float32, the sum rounded once to the input type."""
    return (a.float() @ b.float()).cast(a.dtype)


def _half_softmax(x: Tensor) -> Tensor:
    """Softmax over the last axis rounded where the reference's numpy rounds float16/bfloat16 (one
    half-precision ulp is about the cases' rtol, so only the same roundings match): x - max in x's
    type; exp in float32, rounded; the sum in float32 rounded once (numpy's float16 sum) or, for
    bfloat16, left to right with every add rounded (ml_dtypes' add, as numpy reduces with it); the
    quotient in float32, rounded once (one correctly rounded division)."""
    e = (x - x.max(-1, keepdim=True).detach()).float().exp().cast(x.dtype)
    if x.dtype == dtypes.float16:
        total = e.float().sum(-1, keepdim=True).cast(x.dtype)
    else:  # left to right, each add rounded (a reduce may add in another order)
        total = e.shrink([None] * (e.ndim - 1) + [(0, 1)])
        for j in range(1, e.shape[-1]):
            total = total + e.shrink([None] * (e.ndim - 1) + [(j, j + 1)])
    return (e.float() / total.float()).cast(x.dtype)


def _attention(ctx: Any) -> tuple[Tensor, ...]:
    q, k, v, mask, past_k, past_v = (ctx.x(i) for i in range(6))
    nonpad = ctx.ints(6)
    three_d = q.ndim == 3
    if three_d:
        q_heads, kv_heads = int(ctx.attr("q_num_heads")), int(ctx.attr("kv_num_heads"))
        q, k, v = _heads(q, q_heads), _heads(k, kv_heads), _heads(v, kv_heads)
    scale = ctx.attr("scale")
    scale = math.sqrt(1 / math.sqrt(q.shape[3]) if scale is None else float(scale))
    scale = float(np.array(scale, dtype=q.dtype.np))  # in the input's precision, as the reference
    k = past_k.cat(k, dim=2) if past_k is not None else k
    v = past_v.cat(v, dim=2) if past_v is not None else v
    present_k, present_v = k, v
    batch, heads, q_len = q.shape[:3]
    kv_len = k.shape[2]
    bias: Any = None
    if mask is not None:
        width = kv_len - mask.shape[-1]  # a shorter mask: the missing keys are masked out
        if width > 0:
            mask = mask.pad([None] * (mask.ndim - 1) + [(0, width)], value=False if mask.dtype == dtypes.bool else -math.inf)
        bias = mask.where(0.0, -math.inf).cast(q.dtype) if mask.dtype == dtypes.bool else mask
    structural = _structural_bias(ctx, batch, q_len, kv_len, past_k.shape[2] if past_k is not None else None,
                                  nonpad, np.dtype(q.dtype.np))
    if structural is not None:
        s_t = Tensor(structural, device=q.device)
        bias = s_t if bias is None else bias + s_t
    if heads != k.shape[1]:  # grouped-query attention: each key/value head serves heads // kv_heads queries
        reps = heads // k.shape[1]
        k = k.unsqueeze(2).expand(batch, k.shape[1], reps, kv_len, k.shape[3]).reshape(batch, heads, kv_len, -1)
        v = v.unsqueeze(2).expand(batch, v.shape[1], reps, kv_len, v.shape[3]).reshape(batch, heads, kv_len, -1)
    half = q.dtype in (dtypes.float16, dtypes.bfloat16)  # rounded as the reference rounds (_half_softmax)
    matmul = _half_matmul if half else Tensor.matmul
    qk = matmul(q * scale, (k * scale).transpose(2, 3))
    softcap = float(ctx.attr("softcap", 0.0))
    if softcap > 0:
        qk = (qk / softcap).tanh() * softcap
    with_bias = qk + bias if bias is not None else qk
    mode = int(ctx.attr("qk_matmul_output_mode", 0))
    precision = ctx.attr("softmax_precision")
    logits = with_bias.cast(_tensor_dtype(_onnx_np_dtype(int(precision), ctx), ctx)) if precision else with_bias
    probs = _half_softmax(logits) if logits.dtype in (dtypes.float16, dtypes.bfloat16) else logits.softmax(-1)
    if bias is not None:  # a row with no key allowed gives zeros (not NaN)
        all_masked = _expand_to(bias, with_bias.shape).max(-1, keepdim=True) == -math.inf
        probs = all_masked.where(0.0, probs)
    probs = probs.cast(q.dtype)
    extra = {2: with_bias, 3: probs}.get(mode, qk)
    out = matmul(probs, v)
    if three_d:
        out = out.permute(0, 2, 1, 3).reshape(batch, q_len, -1)
    return out, present_k, present_v, extra.cast(q.dtype)


def _rotary_embedding(ctx: Any) -> Tensor:
    x, cos, sin, positions = ctx.x(0), ctx.x(1), ctx.x(2), ctx.x(3)
    shape = x.shape
    if x.ndim == 4:  # (B, heads, S, D) -> (B, S, heads, D)
        x = x.permute(0, 2, 1, 3)
    else:
        heads = int(ctx.attr("num_heads"))
        x = x.reshape(shape[0], shape[1], heads, shape[2] // heads)
    dim = int(ctx.attr("rotary_embedding_dim", 0)) or x.shape[3]
    if positions is not None:
        cos, sin = cos[positions], sin[positions]  # (B, S, dim / 2)
    cos, sin = cos.unsqueeze(2), sin.unsqueeze(2)
    rotate = x.shrink([None, None, None, (0, dim)])
    interleaved = bool(ctx.attr("interleaved", 0))
    if interleaved:
        pairs = rotate.reshape(*rotate.shape[:3], dim // 2, 2)
        x1, x2 = pairs[..., 0], pairs[..., 1]
    else:
        x1, x2 = rotate.shrink([None, None, None, (0, dim // 2)]), rotate.shrink([None, None, None, (dim // 2, dim)])
    real, imag = cos * x1 - sin * x2, sin * x1 + cos * x2
    rotated = real.unsqueeze(-1).cat(imag.unsqueeze(-1), dim=-1).reshape(rotate.shape) if interleaved else real.cat(
        imag, dim=-1)
    out = rotated.cat(x.shrink([None, None, None, (dim, x.shape[3])]), dim=-1) if dim < x.shape[3] else rotated
    return out.reshape(shape) if len(shape) == 3 else out.permute(0, 2, 1, 3)


def _tensor_scatter(ctx: Any) -> Tensor:
    cache, update = ctx.x(0), ctx.x(1)
    starts = ctx.ints(2, [0] * cache.shape[0])
    axis = _axis(int(ctx.attr("axis", -2)), cache.ndim)
    circular = ctx.attr("mode", "linear") == "circular"
    size, length = cache.shape[axis], update.shape[axis]
    # per batch row: for each cache position along axis, which update position lands there (-1: none)
    source = np.full((cache.shape[0], size), -1, dtype=np.int32)
    for b, start in enumerate(starts):
        for i in range(length):
            j = (start + i) % size if circular else start + i
            if 0 <= j < size:
                source[b, j] = i
    shape = [1] * cache.ndim
    shape[0], shape[axis] = cache.shape[0], size
    src = Tensor(source.reshape(shape), device=cache.device).expand(
        tuple(s if i != axis else size for i, s in enumerate(cache.shape)))
    picked = _gather_padded(update, axis, src.maximum(0))
    return (src >= 0).where(picked, cache)


def _gather_padded(x: Tensor, axis: int, index: Tensor) -> Tensor:
    """x.gather along axis with an index whose size along axis may exceed x's."""
    hot = index.unsqueeze(-1) == Tensor.arange(x.shape[axis], device=x.device)  # [..., size, length] at the end
    moved = x.unsqueeze(-1).transpose(axis, -1)  # x's axis moved to the end, 1 left at axis
    return hot.where(moved, 0).sum(-1).cast(x.dtype)


def _max_unpool(ctx: Any) -> Tensor:
    x, idx = ctx.x(0), ctx.x(1)
    kernel = tuple(int(k) for k in ctx.attr("kernel_shape"))
    nd = len(kernel)
    strides = tuple(ctx.attr("strides", [1] * nd))
    pads = ctx.attr("pads", [0] * (2 * nd))
    out_shape = ctx.ints(2)
    # indices address the pooled input's shape; an output_shape beyond it is zeros at the end
    spatial = tuple((n - 1) * s - pads[i] - pads[i + nd] + k
                    for i, (n, s, k) in enumerate(zip(x.shape[2:], strides, kernel)))
    positions = math.prod(spatial)
    # indices are flat over the whole (N, C, *spatial) output: make them per (n, c) plane
    plane = idx % positions
    flat_x = x.reshape(x.shape[0], x.shape[1], -1, 1)
    hot = plane.reshape(x.shape[0], x.shape[1], -1, 1) == Tensor.arange(positions, device=x.device)
    out = hot.where(flat_x, 0).sum(2).cast(x.dtype).reshape(x.shape[0], x.shape[1], *spatial)
    if out_shape is not None and tuple(out_shape[-nd:]) != spatial:
        out = _pad_spatial(out, [(0, t - n) for t, n in zip(out_shape[-nd:], spatial)])
    return out


# --------------------------------------------------------------------- quantization, windows, misc
def _scale_like(ctx: Any, scale: Tensor, x: Tensor) -> Tensor:
    """A quantization scale (or zero point) laid out against x: a scalar, per-axis (1-d), or blocked."""
    axis = _axis(int(ctx.attr("axis", 1)), max(x.ndim, 1))
    block = int(ctx.attr("block_size", 0))
    if scale.ndim == 0 or scale.numel() == 1 and not block:
        return scale.reshape(())
    if block:  # one scale per `block` elements along axis
        expanded = scale.unsqueeze(axis + 1).expand(*scale.shape[:axis + 1], block, *scale.shape[axis + 1:])
        expanded = expanded.reshape(*scale.shape[:axis], scale.shape[axis] * block, *scale.shape[axis + 1:])
        return expanded.shrink([(0, n) if i == axis else None for i, n in enumerate(x.shape)])
    return scale.reshape(tuple(scale.shape[0] if i == axis else 1 for i in range(x.ndim)))


def _dequantize(ctx: Any) -> Tensor:
    x, scale, zero = ctx.x(0), ctx.x(1), ctx.x(2)
    s = _scale_like(ctx, scale, x)
    centered = x.float() - _scale_like(ctx, zero, x).float() if zero is not None else x.float()
    out = centered * s.float()
    target = _onnx_np_dtype(int(ctx.attr("output_dtype")), ctx) if ctx.attr("output_dtype", 0) else np.dtype(scale.dtype.np)
    return out.cast(_tensor_dtype(target, ctx))


def _quantize(ctx: Any) -> Tensor:
    x, scale, zero = ctx.x(0), ctx.x(1), ctx.x(2)
    if ctx.attr("output_dtype", 0):
        target = _tensor_dtype(_onnx_np_dtype(int(ctx.attr("output_dtype")), ctx), ctx)
    else:
        target = zero.dtype if zero is not None else dtypes.uint8
    if not target.is_int():
        raise ctx.error(f"quantizing to {target.name} is not supported (integer targets only)")
    q = (x.float() / _scale_like(ctx, scale, x).float()).round()  # half to even
    if zero is not None:
        q = q + _scale_like(ctx, zero, x).float()
    return q.clip(target.min, target.max).cast(target)


# Integer operators (MatMulInteger, ConvInteger, QLinear*): x - zero_point in int32, an exact integer
# matmul or convolution, then (QLinear*) one requantization. The float steps are computed in float64
# and rounded to the scales' dtype after each step, so they give the correctly rounded results of
# ONNX's reference, which computes them in that dtype (tinyir's own division is x * (1/y), an ulp off
# IEEE's, enough to move a .5 before rounding).
def _centered(x: Tensor, zero: Tensor | None, per_axis: int | None = None) -> Tensor:
    """x - zero in int32; a 1-d zero point of more than one value applies along `per_axis` of x."""
    out = x.cast(dtypes.int32)
    if zero is None:
        return out
    z = zero.cast(dtypes.int32)
    if per_axis is not None and z.numel() > 1:
        z = z.reshape(tuple(-1 if i == per_axis else 1 for i in range(x.ndim)))
    return out - z


def _exact(fn: Callable[[Tensor, Tensor], Tensor], a: Tensor, b: Tensor, dtype: Any) -> Tensor:
    """fn(a, b) computed in float64 and rounded to `dtype`: the correctly rounded result in dtype."""
    return fn(a.cast(dtypes.float64), b.cast(dtypes.float64)).cast(dtype)


def _requantize(acc: Tensor, scale: Tensor, zero: Tensor | None, target: Any) -> Tensor:
    """round(acc * scale) + zero, saturated to the integer dtype `target` (half to even)."""
    out = (acc.cast(dtypes.float64) * scale.cast(dtypes.float64)).round()
    if zero is not None:
        out = out + zero.cast(dtypes.float64)
    return out.clip(target.min, target.max).cast(target)


def _reflect(x: Tensor, low: float, high: float) -> Tensor:
    """x folded back into [low, high] by reflecting at the borders as often as needed."""
    span = high - low
    below, above = low - x, x - high
    folds_below, folds_above = (below / span).trunc(), (above / span).trunc()
    rest_below, rest_above = below - folds_below * span, above - folds_above * span
    from_below = (folds_below % 2 == 0).where(low + rest_below, high - rest_below)
    from_above = (folds_above % 2 == 0).where(high - rest_above, low + rest_above)
    return (x < low).where(from_below, (x > high).where(from_above, x))


def _cubic_coefficients(f: Tensor, alpha: float = -0.75) -> list[Tensor]:
    """Keys' cubic convolution weights of the taps at -1, 0, 1, 2 for a fraction f in [0, 1)."""
    def far(t: Tensor) -> Tensor:  # 1 < |t| < 2
        return ((alpha * t - 5 * alpha) * t + 8 * alpha) * t - 4 * alpha

    def near(t: Tensor) -> Tensor:  # |t| <= 1
        return ((alpha + 2) * t - (alpha + 3)) * t * t + 1
    return [far(f + 1), near(f), near(1 - f), far(2 - f)]


def _grid_sample(ctx: Any) -> Tensor:
    """Each output position samples X at the grid's coordinates (normalized to [-1, 1], innermost dim
    first). Per spatial dim the taps and their weights make a (N, positions, size) matrix; X is then
    contracted with those matrices one dim at a time."""
    x, grid = ctx.x(0), ctx.x(1)
    mode = {"bilinear": "linear", "bicubic": "cubic"}.get(ctx.attr("mode", "linear"), ctx.attr("mode", "linear"))
    padding, align = ctx.attr("padding_mode", "zeros"), bool(ctx.attr("align_corners", 0))
    if mode not in ("nearest", "linear", "cubic") or padding not in ("zeros", "border", "reflection"):
        raise ctx.error(f"mode {mode!r} with padding_mode {padding!r} is not supported")
    n, c, dims = x.shape[0], x.shape[1], x.shape[2:]
    out_spatial = grid.shape[1:-1]
    positions = math.prod(out_spatial)
    coords = grid.float().reshape(n, positions, len(dims))
    out = x.float().reshape(n, c, 1, *dims)
    for i in reversed(range(len(dims))):
        size = dims[i]
        low, high = (0.0, size - 1.0) if align else (-0.5, size - 0.5)
        g = coords[:, :, len(dims) - 1 - i]
        v = (g + 1) / 2 * (size - 1) if align else ((g + 1) * size - 1) / 2
        if mode == "nearest":
            v = v.round()  # half to even, as numpy's rint
        outside = (v < low).logical_or(v > high)
        if mode == "cubic":
            pass  # each tap is padded, not the coordinate: PyTorch and onnxruntime (ONNX's reference clamps both)
        elif padding == "border":
            v = outside.where(v.clip(0, size - 1), v)
        elif padding == "reflection":
            v = outside.where(_reflect(v, low, high), v)
        if mode == "nearest":
            taps = [(v.trunc(), None)]
        else:
            start = v.floor()
            fraction = v - start
            if mode == "linear":
                taps = [(start, 1 - fraction), (start + 1, fraction)]
            else:
                taps = [(start + j - 1, w) for j, w in enumerate(_cubic_coefficients(fraction))]
        columns = Tensor.arange(size, device=x.device).float()
        weights = None
        for index, weight in taps:
            if padding == "border":
                index = index.clip(0, size - 1)
            elif padding == "reflection":
                index = _reflect(index, low, high).trunc()
            hit = index.unsqueeze(-1) == columns  # out-of-range taps (zeros padding) hit no column
            term = hit.where(1.0 if weight is None else weight.unsqueeze(-1), 0.0)
            weights = term if weights is None else weights + term
        # out (n, c, positions, d0..di) times weights (n, positions, di) summed over di
        shape = (n, 1, positions) + (1,) * i + (size,)
        out = (out * weights.reshape(shape)).sum(-1)
    return out.reshape(n, c, *out_spatial).cast(x.dtype)


def _place_strided(t: Tensor, axis: int, stride: int, begin: int, length: int) -> Tensor:
    """t's elements along `axis` placed at begin, begin + stride, ... of `length` zeros."""
    t = _spread(t, axis, stride)
    end = length - begin - t.shape[axis]
    return _pad_spatial(t, [(begin, end)] + [(0, 0)] * (t.ndim - axis - 1))


def _col2im(ctx: Any) -> Tensor:
    """Col2Im: the columns of each block offset added into the image at their strided, dilated places."""
    x, image, block = ctx.x(0), ctx.ints(1), ctx.ints(2)
    nd = len(image)
    dilations = ctx.attr("dilations", [1] * nd)
    pads = ctx.attr("pads", [0] * (2 * nd))
    strides = ctx.attr("strides", [1] * nd)
    n, c = x.shape[0], x.shape[1] // math.prod(block)
    padded = [image[i] + pads[i] + pads[i + nd] for i in range(nd)]
    counts = [(padded[i] - dilations[i] * (block[i] - 1) - 1) // strides[i] + 1 for i in range(nd)]
    columns = x.reshape(n, c, *block, *counts)
    out = None
    for offset in itertools.product(*(range(b) for b in block)):
        piece = columns[(slice(None), slice(None), *offset)]
        for i in range(nd):
            piece = _place_strided(piece, 2 + i, strides[i], offset[i] * dilations[i], padded[i])
        out = piece if out is None else out + piece
    return out.shrink([None, None] + [(pads[i], pads[i] + image[i]) for i in range(nd)])


def _causal_conv_with_state(ctx: Any) -> tuple[Tensor, Tensor]:
    """A depthwise causal 1-d convolution: the past state (or zeros) prepended to the input, a valid
    convolution of each channel with its k taps, an optional SiLU; the last k - 1 padded positions are
    the next state."""
    x, w, bias, past = ctx.x(0), ctx.x(1), ctx.x(2), ctx.x(3)
    activation = ctx.attr("activation", "none")
    if activation not in ("none", "silu", "swish"):
        raise ctx.error(f"activation {activation!r} is not supported (none, silu, swish)")
    channels, k = x.shape[1], w.shape[2]
    padded = x.pad([None, None, (k - 1, 0)]) if past is None else past.cat(x, dim=2)
    wide = dtypes.float32 if x.dtype in (dtypes.float16, dtypes.bfloat16) else x.dtype  # half: in float32
    out = padded.cast(wide)._conv(1, w.cast(wide), bias.cast(wide) if bias is not None else None, (1,), 0, (1,),
                                  channels, "CausalConvWithState").cast(x.dtype)
    if activation != "none":
        out = _in_f32(lambda y: y * y.sigmoid(), out)
    return out, padded.shrink([None, None, (padded.shape[2] - (k - 1), padded.shape[2])])


def _linear_attention(ctx: Any) -> tuple[Tensor, Tensor]:
    """LinearAttention: a (d_k, d_v) state per key/value head, updated at every step (decayed by exp(decay)
    for the gated rules, the delta rule writing beta * (v - what the state already returns for k)) and
    read by the queries; unrolled over the sequence in float32, as RNN/GRU/LSTM are."""
    query, key, value, past, decay, beta = (ctx.x(i) for i in range(6))
    rule = ctx.attr("update_rule", "gated_delta")
    q_heads, kv_heads = ctx.attr("q_num_heads"), ctx.attr("kv_num_heads")
    if rule not in ("linear", "gated", "delta", "gated_delta"):
        raise ctx.error(f"update_rule {rule!r} is not supported (linear, gated, delta, gated_delta)")
    if not q_heads or not kv_heads or q_heads % kv_heads:
        raise ctx.error(f"q_num_heads ({q_heads}) must be a positive multiple of kv_num_heads ({kv_heads})")
    gated, delta = rule in ("gated", "gated_delta"), rule in ("delta", "gated_delta")
    if gated != (decay is not None) or delta != (beta is not None):
        raise ctx.error(f"update_rule {rule!r} takes {'a' if gated else 'no'} decay and {'a' if delta else 'no'} beta input")
    b, t, _ = query.shape
    d_k, d_v, group = query.shape[-1] // q_heads, value.shape[-1] // kv_heads, q_heads // kv_heads

    def heads(x: Tensor, count: int) -> Tensor:  # (B, T, H*D) -> (B, H, T, D) in float32
        return x.reshape(b, t, count, -1).permute(0, 2, 1, 3).cast(dtypes.float32)
    q, k, v = heads(query, q_heads), heads(key, kv_heads), heads(value, kv_heads)
    gates = heads(decay, kv_heads) if decay is not None else None  # last dim 1 (per head) or d_k
    betas = heads(beta, beta.shape[-1]) if beta is not None else None  # (B, 1 or H_kv, T, 1)
    state = (past.cast(dtypes.float32) if past is not None
             else Tensor.zeros(b, kv_heads, d_k, d_v, device=query.device))
    scale = float(ctx.attr("scale", 0.0)) or 1.0 / math.sqrt(d_k)
    outputs = []
    for i in range(t):
        k_t, v_t = k[:, :, i], v[:, :, i]
        if gates is not None:
            state = state * gates[:, :, i].exp().unsqueeze(-1)
        if betas is not None:
            v_t = betas[:, :, i] * (v_t - (state * k_t.unsqueeze(-1)).sum(2))
        state = state + k_t.unsqueeze(-1) * v_t.unsqueeze(-2)
        q_t = q[:, :, i].reshape(b, kv_heads, group, d_k)  # query heads grouped by the key/value head they read
        outputs.append((q_t.unsqueeze(-1) * state.unsqueeze(2)).sum(-2).reshape(b, q_heads, d_v) * scale)
    out = Tensor.stack(*outputs, dim=2).permute(0, 2, 1, 3).reshape(b, t, q_heads * d_v).cast(query.dtype)
    return out, state.cast(past.dtype if past is not None else query.dtype)


def _linear_tap_weights(coord: Tensor, size: int) -> Tensor:
    """(..., size) weights of bilinear sampling at `coord` along one axis; taps outside 0..size-1 are dropped
    (zero padding)."""
    start = coord.floor()
    fraction = (coord - start).unsqueeze(-1)
    columns = Tensor.arange(size, device=coord.device).cast(coord.dtype)
    return ((start.unsqueeze(-1) == columns).where(1 - fraction, 0.0)
            + ((start + 1).unsqueeze(-1) == columns).where(fraction, 0.0))


def _deform_conv(ctx: Any) -> Tensor:
    """DeformConv (2-d): every kernel tap samples X bilinearly at its place moved by the tap's offset
    (zero outside, times the mask), then the samples go through the convolution's weights as a matmul."""
    x, w, offset, bias, mask = (ctx.x(i) for i in range(5))
    if x.ndim != 4:
        raise ctx.error(f"only 2-d DeformConv is supported, got input shape {x.shape}")
    n, cin, ih, iw = x.shape
    cout, (kh, kw) = w.shape[0], tuple(ctx.attr("kernel_shape", w.shape[2:]))
    (sh, sw), (dh, dw) = ctx.attr("strides", [1, 1]), ctx.attr("dilations", [1, 1])
    pads = ctx.attr("pads", [0, 0, 0, 0])
    group, offset_group = int(ctx.attr("group", 1)), int(ctx.attr("offset_group", 1))
    oh, ow = offset.shape[2:]
    samples = kh * kw * oh * ow  # per (batch, offset group): every tap at every output position
    moved = offset.float().reshape(n, offset_group, kh, kw, 2, oh, ow)
    rows = (np.arange(kh) * dh).reshape(kh, 1, 1, 1) + (np.arange(oh) * sh - pads[0]).reshape(1, 1, oh, 1)
    cols = (np.arange(kw) * dw).reshape(1, kw, 1, 1) + (np.arange(ow) * sw - pads[1]).reshape(1, 1, 1, ow)
    ys = moved[:, :, :, :, 0] + Tensor(rows.astype(np.float32), device=x.device)
    xs = moved[:, :, :, :, 1] + Tensor(cols.astype(np.float32), device=x.device)
    weights_y = _linear_tap_weights(ys.reshape(n, offset_group, samples), ih)  # (n, og, samples, ih)
    weights_x = _linear_tap_weights(xs.reshape(n, offset_group, samples), iw)
    planes = x.float().reshape(n, offset_group, cin // offset_group, 1, ih, iw)
    along_x = (planes * weights_x.reshape(n, offset_group, 1, samples, 1, iw)).sum(-1)
    sampled = (along_x * weights_y.reshape(n, offset_group, 1, samples, ih)).sum(-1)  # (n, og, c/og, samples)
    if mask is not None:
        sampled = sampled * mask.float().reshape(n, offset_group, 1, samples)
    columns = sampled.reshape(n, group, (cin // group) * kh * kw, oh * ow)
    out = w.float().reshape(1, group, cout // group, (cin // group) * kh * kw) @ columns
    out = out.reshape(n, cout, oh, ow)
    if bias is not None:
        out = out + bias.float().reshape(1, cout, 1, 1)
    return out.cast(x.dtype)


def _det(ctx: Any) -> Tensor:
    """Determinants of the last two dims: Gaussian elimination with partial pivoting, unrolled over the
    n columns (each step picks the largest remaining pivot, swaps it up, and eliminates below it)."""
    x = ctx.x(0)
    n = x.shape[-1]
    a = x.float()
    rows = Tensor.arange(n, device=x.device)
    det = Tensor.ones(*x.shape[:-2], device=x.device)
    for k in range(n):
        column = a[..., :, k]
        pivot_row = (rows >= k).where(column.abs(), -1.0).argmax(-1, keepdim=True)  # (..., 1)
        swapped = (rows == k).where(pivot_row, (rows == pivot_row).where(k, rows))
        a = a.gather(-2, swapped.unsqueeze(-1).expand(*a.shape))
        pivot = a[..., k, k]
        det = det * (pivot_row[..., 0] == k).where(pivot, -pivot)
        factors = (rows > k).where(a[..., :, k] / (pivot == 0).where(1.0, pivot).unsqueeze(-1), 0.0)
        a = a - factors.unsqueeze(-1) * a[..., k:k + 1, :]
    return det.cast(x.dtype)


def _matmul_integer(ctx: Any) -> Tensor:
    a, b = ctx.x(0), ctx.x(1)
    return _centered(a, ctx.x(2), a.ndim - 2) @ _centered(b, ctx.x(3), b.ndim - 1)  # per-row, per-column


def _qlinear_matmul(ctx: Any) -> Tensor:
    a, a_scale, a_zero, b, b_scale, b_zero, y_scale, y_zero = (ctx.x(i) for i in range(8))
    acc = _centered(a, a_zero, a.ndim - 2) @ _centered(b, b_zero, b.ndim - 1)
    product = _exact(lambda p, q: p * q, a_scale, b_scale, a_scale.dtype)
    scale = _exact(lambda p, q: p / q, product, y_scale, a_scale.dtype)
    return _requantize(acc, scale, y_zero, y_zero.dtype if y_zero is not None else a.dtype)


def _conv_integer(ctx: Any) -> Tensor:
    x, w = ctx.x(0), ctx.x(1)
    return _conv_of(ctx, _centered(x, ctx.x(2)), _centered(w, ctx.x(3), 0), None)


def _qlinear_conv(ctx: Any) -> Tensor:
    x, x_scale, x_zero, w, w_scale, w_zero, y_scale, y_zero, bias = (ctx.x(i) for i in range(9))
    acc = _conv_of(ctx, _centered(x, x_zero), _centered(w, w_zero, 0), bias)
    if w_scale.numel() > 1:  # per output channel
        w_scale = w_scale.reshape((1, -1) + (1,) * (x.ndim - 2))
    product = _exact(lambda p, q: p * q, x_scale, w_scale, x_scale.dtype)
    scale = _exact(lambda p, q: p / q, product, y_scale, x_scale.dtype)
    return _requantize(acc, scale, y_zero, y_zero.dtype if y_zero is not None else x.dtype)


def _dynamic_quantize(ctx: Any) -> tuple[Tensor, Tensor, Tensor]:
    """uint8 quantization with the scale and zero point of x's range (extended to include 0)."""
    x = ctx.x(0).float()
    high, low = x.max().maximum(0.0), x.min().minimum(0.0)
    span = (high == low).where(1.0, high - low)
    scale = _exact(lambda p, q: p / q, span, Tensor(np.float32(255.0), device=x.device), dtypes.float32)
    zero = (0.0 - _exact(lambda p, q: p / q, low, scale, dtypes.float32)).clip(0, 255).round()
    q = _exact(lambda p, q: p / q, x, scale, dtypes.float32).round() + zero
    return q.clip(0, 255).cast(dtypes.uint8), scale, zero.cast(dtypes.uint8)


_WINDOWS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "HannWindow": lambda n, size: 0.5 - 0.5 * np.cos(2 * np.pi * n / size),
    "HammingWindow": lambda n, size: 25 / 46 - (1 - 25 / 46) * np.cos(2 * np.pi * n / size),
    "BlackmanWindow": lambda n, size: 0.42 - 0.5 * np.cos(2 * np.pi * n / size) + 0.08 * np.cos(4 * np.pi * n / size),
}


def _window(name: str) -> Handler:
    def run(ctx: Any) -> np.ndarray:
        size = int(ctx.scalar(0))
        n = np.arange(size, dtype=np.float64)
        denominator = size if ctx.attr("periodic", 1) else size - 1
        out = _WINDOWS[name](n, denominator)
        return out.astype(_onnx_np_dtype(int(ctx.attr("output_datatype", 1)), ctx))
    return run


def _center_crop_pad(ctx: Any) -> Tensor:
    x = ctx.x(0)
    target = ctx.ints(1)
    axes = [_axis(a, x.ndim) for a in ctx.attr("axes", list(range(x.ndim)))]
    for a, t in zip(axes, target):
        n = x.shape[a]
        if n > t:
            start = (n - t) // 2
            x = x.shrink([(start, start + t) if i == a else None for i in range(x.ndim)])
        elif n < t:
            before = (t - n) // 2
            x = x.pad([(before, t - n - before) if i == a else None for i in range(x.ndim)])
    return x


def _bitcast(ctx: Any) -> Tensor:
    x = ctx.x(0)
    target = _tensor_dtype(_onnx_np_dtype(int(ctx.attr("to")), ctx), ctx)
    if target == x.dtype:
        return x
    if x.dtype == dtypes.bool or target == dtypes.bool:  # one byte 0 or 1 either way (Tensor.bitcast of i1 fails)
        return x.cast(target)
    return x.bitcast(target)


def _dft(ctx: Any) -> Tensor:
    """DFT as two matrix products with cos/sin matrices built on the host (complex = last dim of 2)."""
    x = ctx.x(0)
    axis = int(ctx.attr("axis", 1)) if ctx.opset < 20 else int(ctx.scalar(2, -2))
    axis = _axis(axis, x.ndim)
    inverse, onesided = bool(ctx.attr("inverse", 0)), bool(ctx.attr("onesided", 0))
    size = x.shape[axis]
    n = int(ctx.scalar(1)) if ctx.has(1) else (2 * (size - 1) if inverse and onesided else size)
    xr = x.shrink([(0, 1) if i == x.ndim - 1 else None for i in range(x.ndim)]).squeeze(-1).transpose(axis, -1)
    xi = (x.shrink([(1, 2) if i == x.ndim - 1 else None for i in range(x.ndim)]).squeeze(-1).transpose(axis, -1)
          if x.shape[-1] == 2 else None)
    m_in = n // 2 + 1 if inverse and onesided else n  # the input is cut or zero-padded to this length
    m_out = n // 2 + 1 if onesided and not inverse else n

    def fit(t: Tensor) -> Tensor:
        return t.shrink([None] * (t.ndim - 1) + [(0, m_in)]) if size >= m_in else t.pad(
            [None] * (t.ndim - 1) + [(0, m_in - size)])
    xr, xi = fit(xr), fit(xi) if xi is not None else None
    c, s = _dft_matrices(m_in, m_out, n, inverse, onesided, x)
    real = xr @ c - (xi @ s if xi is not None else 0)
    if inverse and onesided:
        return real.transpose(axis, -1).unsqueeze(-1)
    imag = xr @ s + (xi @ c if xi is not None else 0)
    return real.unsqueeze(-1).cat(imag.unsqueeze(-1), dim=-1).transpose(axis, -2)


def _dft_matrices(m_in: int, m_out: int, n: int, inverse: bool, onesided: bool, like: Tensor) -> tuple[Tensor, Tensor]:
    """The (m_in, m_out) cos and sin matrices of an n-point DFT, in like's dtype and on its device."""
    j = np.arange(m_in).reshape(-1, 1)
    k = np.arange(m_out).reshape(1, -1)
    theta = 2 * np.pi * j * k / n
    if inverse and onesided:  # the mirrored half counted twice (numpy's irfft)
        weight = np.where((j == 0) | ((n % 2 == 0) & (j == n // 2)), 1.0, 2.0)
        cos, sin = weight * np.cos(theta) / n, weight * np.sin(theta) / n
    elif inverse:
        cos, sin = np.cos(theta) / n, np.sin(theta) / n
    else:
        cos, sin = np.cos(theta), -np.sin(theta)
    return tuple(Tensor(m.astype(np.float32), device=like.device).cast(like.dtype) for m in (cos, sin))


def _stft(ctx: Any) -> Tensor:
    """STFT: frames of the signal (batch, length, 1 or 2) every frame_step samples, times the window,
    through a forward DFT of frame_length points: (batch, frames, bins, 2)."""
    x, step, window = ctx.x(0), int(ctx.scalar(1)), ctx.x(2)
    length = int(ctx.scalar(3)) if ctx.has(3) else (window.shape[0] if window is not None else x.shape[-2])
    width = window.shape[0] if window is not None else length
    frames = 1 + (x.shape[-2] - width) // step
    stacked = Tensor.stack(*(x.shrink([None, (f * step, f * step + width), None]) for f in range(frames)), dim=1)
    if window is not None:
        stacked = stacked * window.cast(x.dtype).reshape(1, 1, width, 1)
    bins = length // 2 + 1 if ctx.attr("onesided", 1) else length
    fitted = stacked.shrink([None, None, (0, min(width, length)), None])
    if width < length:
        fitted = fitted.pad([None, None, (0, length - width), None])
    xr = fitted[..., 0]
    xi = fitted[..., 1] if x.shape[-1] == 2 else None
    c, s = _dft_matrices(length, bins, length, False, False, x)
    real = xr @ c - (xi @ s if xi is not None else 0)
    imag = xr @ s + (xi @ c if xi is not None else 0)
    return real.unsqueeze(-1).cat(imag.unsqueeze(-1), dim=-1)


def _mel_weight_matrix(ctx: Any) -> np.ndarray:
    """MelWeightMatrix: (dft_length // 2 + 1, num_mel_bins) triangular filters, equally spaced on the mel
    scale between the edge frequencies; a constant, computed on the host with the inputs' dtypes."""
    bins, dft_length, rate, low, high = (ctx.host(i) for i in range(5))
    mel_bins = int(bins)
    low_mel = 2595 * np.log1p(low / 700) / np.log(10)
    high_mel = 2595 * np.log1p(high / 700) / np.log(10)
    edges = np.arange(0, mel_bins + 2) * ((high_mel - low_mel) / (mel_bins + 2)) + low_mel
    edges = (((dft_length + 1) * (700 * np.expm1(edges / 2595 * np.log(10)))) // rate).astype(int)
    out = np.zeros((int(dft_length) // 2 + 1, mel_bins))
    rows = np.arange(out.shape[0])
    for i in range(mel_bins):
        left, center, right = edges[i], edges[i + 1], edges[i + 2]
        if center == left:
            out[center, i] = 1
        else:
            rising = (rows >= left) & (rows <= center)
            out[rising, i] = (rows[rising] - left) / (center - left)
        if right > center:
            falling = (rows >= center) & (rows < right)
            out[falling, i] = (right - rows[falling]) / (right - center)
    return out.astype(_onnx_np_dtype(int(ctx.attr("output_datatype", 1)), ctx))


def _unique(ctx: Any) -> tuple[np.ndarray, ...]:
    """Unique: a data-dependent output shape, so the input is read back and np.unique runs on the host."""
    x = ctx.host(0)
    axis = ctx.attr("axis")
    values, first, inverse, counts = np.unique(x, return_index=True, return_inverse=True, return_counts=True,
                                               axis=axis)
    if not ctx.attr("sorted", 1):  # in order of first occurrence
        order = np.argsort(first, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(order.size)
        values = np.take(values, order, axis=0 if axis is None else axis)
        first, counts, inverse = first[order], counts[order], rank[inverse.reshape(-1)]
    as_i64 = np.int64
    return values, first.astype(as_i64), inverse.reshape(-1).astype(as_i64), counts.astype(as_i64)


def _box_extents(boxes: np.ndarray, center_point_box: int) -> tuple[np.ndarray, ...]:
    """(x_min, x_max, y_min, y_max) of (B, 4) boxes: [y1, x1, y2, x2] corners in either order, or
    [x_center, y_center, width, height]."""
    if center_point_box:
        xc, yc, w, h = boxes.T
        return xc - w / 2, xc + w / 2, yc - h / 2, yc + h / 2
    y1, x1, y2, x2 = boxes.T
    return np.minimum(x1, x2), np.maximum(x1, x2), np.minimum(y1, y2), np.maximum(y1, y2)


def _non_max_suppression(ctx: Any) -> np.ndarray:
    """NonMaxSuppression: how many boxes survive depends on the data, so the inputs are read back and the
    greedy selection (highest score first, ties to the lower index) runs on the host."""
    boxes, scores = ctx.host(0), ctx.host(1)
    limit, iou_threshold, score_threshold = (ctx.host(i) for i in (2, 3, 4))
    limit = max(int(limit.reshape(-1)[0]), 0) if limit is not None and limit.size else 0
    iou_threshold = iou_threshold.reshape(-1)[0] if iou_threshold is not None and iou_threshold.size else 0.0
    selected = []
    for b in range(boxes.shape[0]):
        x0, x1, y0, y1 = _box_extents(boxes[b], int(ctx.attr("center_point_box", 0)))
        area = (x1 - x0) * (y1 - y0)
        wide = np.minimum(x1[:, None], x1[None]) - np.maximum(x0[:, None], x0[None])
        high = np.minimum(y1[:, None], y1[None]) - np.maximum(y0[:, None], y0[None])
        overlap = np.where((wide > 0) & (high > 0), wide * high, 0)
        union = area[:, None] + area[None] - overlap
        counted = (overlap > 0) & (area[:, None] > 0) & (area[None] > 0) & (union > 0)
        suppresses = counted & (overlap / np.where(counted, union, 1) > iou_threshold)
        for c in range(scores.shape[1]):
            s = scores[b, c]
            candidates = np.arange(s.size)
            if score_threshold is not None and score_threshold.size:
                candidates = candidates[s > score_threshold.reshape(-1)[0]]
            kept: list[int] = []
            for i in candidates[np.lexsort((candidates, -s[candidates]))]:
                if len(kept) == limit:
                    break
                if not suppresses[i, kept].any():
                    kept.append(int(i))
                    selected.append((b, c, int(i)))
    return np.array(selected, np.int64).reshape(-1, 3)


def _roi_axis_weights(start: float, bin_size: float, samples: int, pooled: int, size: int) -> np.ndarray:
    """(pooled, size): the sum over one bin's `samples` sampling points along one axis of their linear
    interpolation weights (a point beyond -1 or size contributes nothing; one past the last pixel is
    the last pixel)."""
    w = np.zeros((pooled, size))
    for p in range(pooled):
        for i in range(samples):
            y = start + p * bin_size + (i + 0.5) * bin_size / samples
            if y < -1.0 or y > size:
                continue
            y = max(y, 0.0)
            low = int(y)
            if low >= size - 1:
                low = high = size - 1
                y = float(low)
            else:
                high = low + 1
            w[p, low] += 1 - (y - low)
            w[p, high] += y - low
    return w


def _roi_corners(y: float, size: int) -> tuple[int, int, float, float] | None:
    """The two pixels a sampling coordinate interpolates and their weights (None: beyond -1 or size,
    no contribution; one past the last pixel is the last pixel)."""
    if y < -1.0 or y > size:
        return None
    y = max(y, 0.0)
    low = int(y)
    if low >= size - 1:
        return size - 1, size - 1, 1.0, 0.0
    return low, low + 1, 1 - (y - low), y - low


def _roi_align_max(x: Tensor, starts: list[tuple[float, float, float, float, int, int]], out_h: int,
                   out_w: int) -> tuple[Tensor, Tensor, np.ndarray, np.ndarray]:
    """RoiAlign mode max as ONNX defines it (its reference and onnxruntime): per sampling point the
    largest of the four weighted corners w_i * v_i (not the interpolated value), then the largest over
    the bin's points. `x` holds each roi's image (R, C, H, W); the corners' positions and weights are
    built on the host: (flat images, gather index, weights, which sampling points exist)."""
    height, width = x.shape[2:]
    rois = len(starts)
    samples = max(gh * gw for *_, gh, gw in starts) if starts else 1
    pos = np.zeros((rois, out_h, out_w, samples, 4), np.int64)
    weight = np.zeros((rois, out_h, out_w, samples, 4), np.float32)
    valid = np.zeros((rois, out_h, out_w, samples), bool)
    for r, (start_h, start_w, bin_h, bin_w, grid_h, grid_w) in enumerate(starts):
        for ph in range(out_h):
            for pw in range(out_w):
                for iy in range(grid_h):
                    rows = _roi_corners(start_h + ph * bin_h + (iy + 0.5) * bin_h / grid_h, height)
                    for ix in range(grid_w):
                        k = iy * grid_w + ix
                        valid[r, ph, pw, k] = True  # an outside point contributes max(0 * v) = 0
                        cols = _roi_corners(start_w + pw * bin_w + (ix + 0.5) * bin_w / grid_w, width)
                        if rows is None or cols is None:
                            continue
                        (y0, y1, hy, ly), (x0, x1, hx, lx) = rows, cols
                        pos[r, ph, pw, k] = (y0 * width + x0, y0 * width + x1, y1 * width + x0, y1 * width + x1)
                        weight[r, ph, pw, k] = (hy * hx, hy * lx, ly * hx, ly * lx)
    channels = x.shape[1]
    flat = x.reshape(rois, channels, height * width)
    index = Tensor(pos.reshape(rois, 1, -1).astype(np.int32), device=x.device).expand(rois, channels, pos[0].size)
    return flat, index, weight, valid


def _roi_align(ctx: Any) -> Tensor:
    """RoiAlign: each output bin averages (mode avg) or takes the largest of (mode max) bilinear samples
    of its roi's batch image. For avg the sampling points form a grid, so the average is separable:
    per roi a (pooled_h, H) and a (pooled_w, W) weight matrix, built on the host from the read-back
    rois, and two matmuls."""
    x = ctx.x(0)
    rois, batch_indices = ctx.host(1).astype(np.float64), ctx.host(2).reshape(-1).astype(np.int64)
    mode = ctx.attr("mode", "avg")
    if mode not in ("avg", "max"):
        raise ctx.error(f"mode {mode!r} is not supported (avg or max)")
    default_ctm = "half_pixel" if ctx.opset >= 16 else "output_half_pixel"
    half_pixel = ctx.attr("coordinate_transformation_mode", default_ctm) == "half_pixel"
    out_h, out_w = int(ctx.attr("output_height", 1)), int(ctx.attr("output_width", 1))
    ratio, scale = int(ctx.attr("sampling_ratio", 0)), float(ctx.attr("spatial_scale", 1.0))
    height, width = x.shape[2:]
    rows, cols, starts = [], [], []
    for x1, y1, x2, y2 in rois:
        offset = 0.5 if half_pixel else 0.0
        start_w, start_h = x1 * scale - offset, y1 * scale - offset
        roi_w, roi_h = x2 * scale - offset - start_w, y2 * scale - offset - start_h
        if not half_pixel:
            roi_w, roi_h = max(roi_w, 1.0), max(roi_h, 1.0)
        grid_h = ratio if ratio > 0 else int(np.ceil(roi_h / out_h))
        grid_w = ratio if ratio > 0 else int(np.ceil(roi_w / out_w))
        starts.append((start_h, start_w, roi_h / out_h, roi_w / out_w, grid_h, grid_w))
        count = max(grid_h * grid_w, 1)
        rows.append(_roi_axis_weights(start_h, roi_h / out_h, grid_h, out_h, height) / count)
        cols.append(_roi_axis_weights(start_w, roi_w / out_w, grid_w, out_w, width))
    if mode == "max":
        images = x.float()[batch_indices.tolist()]  # (R, C, H, W)
        flat, index, weight, valid = _roi_align_max(images, starts, out_h, out_w)
        rois_n, channels = len(starts), x.shape[1]
        corners = flat.gather(2, index).reshape(rois_n, channels, out_h, out_w, -1, 4)
        weighted = corners * Tensor(weight[:, None], device=x.device)
        # points past the bin's grid (rois with fewer samples) never win: -inf before the max
        fill = Tensor(np.where(valid, 0.0, -np.inf).astype(np.float32)[:, None], device=x.device)
        return (weighted.max(-1) + fill).max(-1).cast(x.dtype)
    weights_h = Tensor(np.stack(rows).astype(np.float32)[:, None], device=x.device)  # (R, 1, out_h, H)
    weights_w = Tensor(np.stack(cols).astype(np.float32)[:, None], device=x.device)  # (R, 1, out_w, W)
    images = x.float()[batch_indices.tolist()]  # (R, C, H, W)
    return (weights_h @ images @ weights_w.transpose(-1, -2)).cast(x.dtype)


def _affine_grid(ctx: Any) -> Tensor:
    theta = ctx.x(0)
    size = ctx.ints(1)
    n, spatial = size[0], size[2:]
    align = bool(ctx.attr("align_corners", 0))

    def coords(length: int) -> np.ndarray:
        if align:
            return np.linspace(-1.0, 1.0, length) if length > 1 else np.zeros(1)
        return (np.arange(length) * 2 + 1) / length - 1

    axes = [coords(s) for s in spatial]  # (D,) H, W
    mesh = np.meshgrid(*axes, indexing="ij")
    # homogeneous base grid (..., x, y[, z], 1): the last spatial dim is x
    base = np.stack([m for m in reversed(mesh)] + [np.ones_like(mesh[0])], axis=-1).astype(np.float32)
    flat = Tensor(base.reshape(-1, base.shape[-1]), device=theta.device).cast(theta.dtype)  # (P, nd + 1)
    out = flat @ theta.transpose(1, 2)  # (N, P, nd)
    return out.reshape(n, *spatial, len(spatial))


# ------------------------------------------------------------------------------- recurrent layers
# activation name -> (how many of activation_alpha/beta it takes, the function of (x, alpha, beta))
_RNN_ACTIVATIONS: dict[str, tuple[int, Callable[[Tensor, float, float], Tensor]]] = {
    "Sigmoid": (0, lambda x, a, b: x.sigmoid()),
    "Tanh": (0, lambda x, a, b: x.tanh()),
    "Relu": (0, lambda x, a, b: x.relu()),
    "Softsign": (0, lambda x, a, b: x / (1 + x.abs())),
    "Softplus": (0, lambda x, a, b: (1 + x.exp()).log()),
    "LeakyRelu": (1, lambda x, a, b: x.leaky_relu(a)),
    "ThresholdedRelu": (1, lambda x, a, b: (x > a).where(x, 0.0)),
    "Elu": (1, lambda x, a, b: x.elu(a)),
    "HardSigmoid": (2, lambda x, a, b: (x * a + b).clip(0, 1)),
    "Affine": (2, lambda x, a, b: x * a + b),
    "ScaledTanh": (2, lambda x, a, b: (x * b).tanh() * a),
}


def _rnn_activations(ctx: Any, defaults: list[str], directions: int) -> list[list[Callable[[Tensor], Tensor]]]:
    names = ctx.attr("activations", defaults * directions)
    alphas, betas = list(ctx.attr("activation_alpha", [])), list(ctx.attr("activation_beta", []))
    per_dir = len(names) // directions
    fns = []
    for name in names:
        key = next((k for k in _RNN_ACTIVATIONS if k.lower() == str(name).lower()), None)
        if key is None:
            raise ctx.error(f"activation {name!r} is not supported")
        count, fn = _RNN_ACTIVATIONS[key]
        a = alphas.pop(0) if count >= 1 and alphas else 0.01 if key == "LeakyRelu" else 1.0
        b = betas.pop(0) if count >= 2 and betas else 0.0
        fns.append(lambda x, fn=fn, a=a, b=b: fn(x, a, b))
    return [fns[d * per_dir:(d + 1) * per_dir] for d in range(directions)]


def _recurrent(ctx: Any, kind: str) -> tuple[Tensor, ...]:
    """RNN, GRU and LSTM, unrolled over the (static) sequence length."""
    x, w, r, b = ctx.x(0), ctx.x(1), ctx.x(2), ctx.x(3)
    lens, h0 = ctx.ints(4), ctx.x(5)
    c0, peep = (ctx.x(6), ctx.x(7)) if kind == "LSTM" else (None, None)
    layout = int(ctx.attr("layout", 0))
    if layout:  # batch first: (batch, seq, input) -> (seq, batch, input)
        x = x.transpose(0, 1)
        h0 = h0.transpose(0, 1) if h0 is not None else None
        c0 = c0.transpose(0, 1) if c0 is not None else None
    seq, batch = x.shape[:2]
    if lens is not None and any(n != seq for n in lens):
        raise ctx.error("sequence_lens shorter than the sequence is not supported")
    hidden = int(ctx.attr("hidden_size", r.shape[-1]))
    direction = ctx.attr("direction", "forward")
    dirs = 2 if direction == "bidirectional" else 1
    gates = {"RNN": 1, "GRU": 3, "LSTM": 4}[kind]
    acts = _rnn_activations(ctx, {"RNN": ["Tanh"], "GRU": ["Sigmoid", "Tanh"], "LSTM": ["Sigmoid", "Tanh", "Tanh"]}[kind],
                            dirs)
    clip = ctx.attr("clip")

    def clipped(t: Tensor) -> Tensor:
        return t.clip(-clip, clip) if clip is not None else t

    ys, hs, cs = [], [], []
    for d in range(dirs):
        f = acts[d]
        wd, rd = w[d], r[d]  # (gates * hidden, input), (gates * hidden, hidden)
        bias = b[d] if b is not None else Tensor.zeros(2 * gates * hidden, dtype=x.dtype, device=x.device)
        wb, rb = bias.shrink([(0, gates * hidden)]), bias.shrink([(gates * hidden, 2 * gates * hidden)])
        h = h0[d] if h0 is not None else Tensor.zeros(batch, hidden, dtype=x.dtype, device=x.device)
        c = c0[d] if c0 is not None else Tensor.zeros(batch, hidden, dtype=x.dtype, device=x.device)
        x_proj = x @ wd.transpose(0, 1) + wb  # (seq, batch, gates * hidden): every step's input part at once
        order = range(seq - 1, -1, -1) if (direction == "reverse" or d == 1) else range(seq)
        steps: dict[int, Tensor] = {}

        def gate(t: Tensor, i: int) -> Tensor:
            return t.shrink([None, (i * hidden, (i + 1) * hidden)])

        for t in order:
            xp = x_proj[t]
            if kind == "RNN":
                h = f[0](clipped(xp + h @ rd.transpose(0, 1) + rb))
            elif kind == "GRU":
                hr = h @ rd.transpose(0, 1)  # (batch, 3 * hidden): z, r, h parts
                z = f[0](clipped(gate(xp, 0) + gate(hr, 0) + gate(rb.unsqueeze(0), 0)))
                rg = f[0](clipped(gate(xp, 1) + gate(hr, 1) + gate(rb.unsqueeze(0), 1)))
                rh = rd.shrink([(2 * hidden, 3 * hidden), None])
                if ctx.attr("linear_before_reset", 0):
                    cand = gate(xp, 2) + rg * (gate(hr, 2) + gate(rb.unsqueeze(0), 2))
                else:
                    cand = gate(xp, 2) + (rg * h) @ rh.transpose(0, 1) + gate(rb.unsqueeze(0), 2)
                hc = f[1](clipped(cand))
                h = (1 - z) * hc + z * h
            else:
                pre = xp + h @ rd.transpose(0, 1) + rb  # i, o, f, c
                p_i, p_o, p_f = ((peep[d].shrink([(k * hidden, (k + 1) * hidden)]) for k in range(3)) if peep is not None
                                 else (None, None, None))
                gi = f[0](clipped(gate(pre, 0) + (p_i * c if p_i is not None else 0)))
                gf = f[0](clipped(gate(pre, 2) + (p_f * c if p_f is not None else 0)))
                if ctx.attr("input_forget", 0):
                    gf = 1 - gi
                gc = f[1](clipped(gate(pre, 3)))
                c = gf * c + gi * gc
                go = f[0](clipped(gate(pre, 1) + (p_o * c if p_o is not None else 0)))
                h = go * f[2](c)
            steps[t] = h
        ys.append(Tensor.stack(*[steps[t] for t in range(seq)], dim=0))  # (seq, batch, hidden)
        hs.append(h)
        cs.append(c)
    y = Tensor.stack(*ys, dim=1)  # (seq, dirs, batch, hidden)
    y_h, y_c = Tensor.stack(*hs, dim=0), Tensor.stack(*cs, dim=0)
    if layout:
        y, y_h, y_c = y.permute(2, 0, 1, 3), y_h.transpose(0, 1), y_c.transpose(0, 1)
    return (y, y_h, y_c) if kind == "LSTM" else (y, y_h)


# ------------------------------------------------------------------------------------------ Resize
def _source_coordinate(o: int, n_in: int, n_out: int, scale: float, mode: str) -> float:
    if mode == "half_pixel":
        return (o + 0.5) / scale - 0.5
    if mode == "pytorch_half_pixel":
        return (o + 0.5) / scale - 0.5 if n_out > 1 else 0.0
    if mode == "align_corners":  # with scales, the output length is the unrounded n_in * scale
        length = n_in * scale
        return 0.0 if length == 1 else o * (n_in - 1) / (length - 1)
    if mode == "asymmetric":
        return o / scale
    if mode == "half_pixel_symmetric":
        adjustment = n_out / (scale * n_in)
        center = n_in / 2
        return center * (1 - adjustment) + (o + 0.5) / scale - 0.5
    raise ValueError(mode)


def _cubic_kernel(d: float, a: float) -> float:
    """Keys' cubic convolution kernel at distance d."""
    d = abs(d)
    if d <= 1:
        return ((a + 2) * d - (a + 3)) * d * d + 1
    if d < 2:
        return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a
    return 0.0


def _cubic_weights(t: float, a: float) -> list[float]:
    return [_cubic_kernel(t + 1, a), _cubic_kernel(t, a), _cubic_kernel(1 - t, a), _cubic_kernel(2 - t, a)]


def _antialias_taps(x: float, scale: float, mode: str, a: float) -> list[tuple[int, float]]:
    """(index, weight) of a downsampling filter: the linear or cubic kernel stretched by 1/scale, its
    weights normalized to sum 1. An integer coordinate counts as 1 past the index below (ONNX's reference)."""
    stretch = min(scale, 1.0)
    base = math.floor(x) - (1 if x == math.floor(x) else 0)
    ratio = x - base
    reach = 1 if mode == "linear" else 2
    start = math.floor(-reach / stretch) + 1
    offsets = range(start, 2 - start)
    if mode == "linear":
        coeffs = [max(0.0, 1 - abs((i - ratio) * stretch)) for i in offsets]
    else:
        coeffs = [_cubic_kernel(stretch * (i - ratio), a) for i in offsets]
    total = sum(coeffs)
    return [(base + i, c / total) for i, c in zip(offsets, coeffs)]


def _resize_matrix(ctx: Any, n_in: int, n_out: int, scale: float,
                   crop: tuple[float, float] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(n_out, n_in) weights: output o = sum_i W[o, i] * input i along one axis; and which outputs fall
    outside the input (tf_crop_and_resize's crop box, `crop` = its normalized start and end here: those
    rows have no weights and take the extrapolation value)."""
    mode = ctx.attr("mode", "nearest")
    ctm = ctx.attr("coordinate_transformation_mode", "half_pixel")
    nearest = ctx.attr("nearest_mode", "round_prefer_floor")
    w = np.zeros((n_out, n_in), dtype=np.float64)
    outside = np.zeros(n_out, dtype=bool)
    for o in range(n_out):
        if crop is not None:
            start, end = crop
            x = (start * (n_in - 1) + o * (end - start) * (n_in - 1) / (n_out - 1) if n_out > 1
                 else 0.5 * (start + end) * (n_in - 1))
            if not 0 <= x <= n_in - 1:
                outside[o] = True
                continue
        else:
            x = _source_coordinate(o, n_in, n_out, scale, ctm)
        if ctx.attr("antialias", 0) and mode in ("linear", "cubic"):
            picked = _antialias_taps(x, scale, mode, float(ctx.attr("cubic_coeff_a", -0.75)))
            if ctx.attr("exclude_outside", 0):
                picked = [(j, c) for j, c in picked if 0 <= j < n_in]
            total = sum(c for _, c in picked)
            for j, c in picked:  # beyond the edges: the edge value (ONNX pads with 'edge')
                w[o, min(max(j, 0), n_in - 1)] += c / total
            continue
        if mode == "nearest":
            if nearest == "round_prefer_floor":
                i = math.ceil(x - 0.5)
            elif nearest == "round_prefer_ceil":
                i = math.floor(x + 0.5)
            elif nearest == "floor":
                i = math.floor(x)
            else:
                i = math.ceil(x)
            w[o, min(max(i, 0), n_in - 1)] = 1.0
        elif mode == "linear":
            x = min(max(x, 0.0), n_in - 1)
            i0 = math.floor(x)
            i1 = min(i0 + 1, n_in - 1)
            w[o, i0] += 1 - (x - i0)
            w[o, i1] += x - i0
        elif mode == "cubic":
            i0 = math.floor(x)
            coeffs = _cubic_weights(x - i0, float(ctx.attr("cubic_coeff_a", -0.75)))
            exclude = bool(ctx.attr("exclude_outside", 0))
            picked = []
            for j, c in zip(range(i0 - 1, i0 + 3), coeffs):
                if exclude and not 0 <= j < n_in:
                    continue
                picked.append((min(max(j, 0), n_in - 1), c))
            total = sum(c for _, c in picked) if exclude else 1.0
            for j, c in picked:
                w[o, j] += c / total
        else:
            raise ctx.error(f"mode {mode!r} is not supported")
    return w, outside


def _resize(ctx: Any) -> Tensor:
    x = ctx.x(0)
    if ctx.attr("antialias", 0) and ctx.attr("mode", "nearest") not in ("linear", "cubic"):
        raise ctx.error(f"antialias=1 needs mode linear or cubic, not {ctx.attr('mode', 'nearest')!r}")
    ctm = ctx.attr("coordinate_transformation_mode", "half_pixel")
    if ctm == "tf_crop_and_resize" and (ctx.node.op_type == "Upsample" or ctx.opset < 11):
        raise ctx.error("coordinate_transformation_mode 'tf_crop_and_resize' needs Resize's roi input (opset 11)")
    if ctx.node.op_type == "Upsample":
        scales_in, sizes_in = (ctx.attr("scales") or list(ctx.host(1))), None
    else:
        first = 1 if ctx.opset < 11 else 2
        scales_in = ctx.host(first)
        sizes_in = ctx.host(first + 1)
        scales_in = None if scales_in is None or scales_in.size == 0 else [float(s) for s in scales_in]
        sizes_in = None if sizes_in is None or sizes_in.size == 0 else [int(s) for s in sizes_in]
    axes = [_axis(a, x.ndim) for a in ctx.attr("axes", list(range(x.ndim)))]
    scales, sizes = [1.0] * x.ndim, list(x.shape)
    if sizes_in is not None:
        policy = ctx.attr("keep_aspect_ratio_policy", "stretch")
        ratios = [sizes_in[i] / x.shape[a] for i, a in enumerate(axes)]
        if policy != "stretch":
            r = min(ratios) if policy == "not_larger" else max(ratios)
            ratios = [r] * len(axes)
            sizes_in = [math.floor(r * x.shape[a] + 0.5) for a in axes]
        for i, a in enumerate(axes):
            scales[a], sizes[a] = ratios[i], sizes_in[i]
    else:
        for i, a in enumerate(axes):
            scales[a] = scales_in[i]
            sizes[a] = math.floor(x.shape[a] * scales_in[i])
    crops: dict[int, tuple[float, float]] = {}
    if ctm == "tf_crop_and_resize":  # roi: the crop box's normalized starts, then its ends, per axis
        roi = [float(v) for v in ctx.host(1).reshape(-1)]
        crops = {a: (roi[i], roi[i + len(axes)]) for i, a in enumerate(axes)}
    out = x.float() if not x.dtype.is_float() else x
    outside_any = None
    for a in range(x.ndim):
        if sizes[a] == x.shape[a] and scales[a] == 1.0 and a not in crops:
            continue
        w, outside = _resize_matrix(ctx, x.shape[a], sizes[a], scales[a], crops.get(a))
        weights = Tensor(w.T.astype(np.float32), device=x.device)  # (n_in, n_out)
        out = (out.transpose(a, -1) @ weights.cast(out.dtype)).transpose(a, -1)
        if outside.any():
            along = Tensor(outside.reshape([-1 if i == a else 1 for i in range(x.ndim)]), device=x.device)
            outside_any = along if outside_any is None else outside_any.logical_or(along)
    if outside_any is not None:  # tf_crop_and_resize: outputs from outside the input on any axis
        out = outside_any.where(float(ctx.attr("extrapolation_value", 0.0)), out).cast(out.dtype)
    return out.cast(x.dtype) if out.dtype != x.dtype else out


# --------------------------------------------------------------------------------------- the table
def _in_f32(fn: Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    """fn computed in float32 for float16/bfloat16 (one rounding at the end, as ONNX's reference)."""
    if x.dtype in (dtypes.float16, dtypes.bfloat16):
        return fn(x.float()).cast(x.dtype)
    return fn(x)


def _unary(fn: Callable[[Tensor], Tensor]) -> Handler:
    return lambda ctx: _in_f32(fn, ctx.x(0))


def _binary(fn: Callable[[Tensor, Tensor], Tensor]) -> Handler:
    return lambda ctx: fn(ctx.x(0), ctx.x(1))


OPS: dict[str, Handler] = {
    # elementwise, one input
    "Abs": _unary(lambda x: x.abs()),
    "Neg": _unary(lambda x: -x),
    "Exp": _unary(lambda x: x.exp()),
    "Log": _unary(lambda x: x.log()),
    "Sqrt": _unary(lambda x: x.sqrt()),
    "Reciprocal": _unary(lambda x: x.reciprocal()),
    "Floor": _unary(lambda x: x.floor()),
    "Ceil": _unary(lambda x: x.ceil()),
    "Round": _unary(lambda x: x.round()),  # half to even, as ONNX
    "Sign": _unary(lambda x: x.sign()),
    "Sin": _unary(lambda x: x.sin()), "Cos": _unary(lambda x: x.cos()), "Tan": _unary(lambda x: x.tan()),
    "Asin": _unary(lambda x: x.asin()), "Acos": _unary(lambda x: x.acos()), "Atan": _unary(lambda x: x.atan()),
    "Sinh": _unary(lambda x: x.sinh()), "Cosh": _unary(lambda x: x.cosh()), "Tanh": _unary(lambda x: x.tanh()),
    "Asinh": _unary(lambda x: x.asinh()), "Acosh": _unary(lambda x: x.acosh()), "Atanh": _unary(lambda x: x.atanh()),
    "Erf": _unary(lambda x: x.erf()),
    "Sigmoid": _unary(lambda x: x.sigmoid()),
    "Relu": _unary(lambda x: x.relu()),
    "Softplus": _unary(lambda x: (1 + x.exp()).log()),
    "Softsign": _unary(lambda x: x / (1 + x.abs())),
    "Mish": _unary(lambda x: x * (1 + x.exp()).log().tanh()),
    "HardSwish": _unary(lambda x: x * (x / 6 + 0.5).clip(0, 1)),
    "Not": _unary(lambda x: x.logical_not()),
    # unsigned: xor with all ones of the width (Tensor.bitwise_not used 255 for every unsigned width)
    "BitwiseNot": _unary(lambda x: x.bitwise_xor(x.full_like(x.dtype.max)) if x.dtype.is_unsigned() else x.bitwise_not()),
    "IsNaN": _unary(lambda x: x.isnan()),
    "IsInf": _isinf,
    "Identity": _identity,
    "HardSigmoid": lambda ctx: _in_f32(lambda x: (x * float(ctx.attr("alpha", 0.2)) + float(ctx.attr("beta", 0.5)))
                                       .clip(0, 1), ctx.x(0)),
    "Elu": lambda ctx: _in_f32(lambda x: x.elu(float(ctx.attr("alpha", 1.0))), ctx.x(0)),
    "Celu": lambda ctx: _in_f32(lambda x: x.celu(float(ctx.attr("alpha", 1.0))), ctx.x(0)),
    "Selu": lambda ctx: _in_f32(lambda x: x.selu(float(ctx.attr("alpha", 1.67326319217681884765625)),
                                                 float(ctx.attr("gamma", 1.05070102214813232421875))), ctx.x(0)),
    "LeakyRelu": lambda ctx: _in_f32(lambda x: x.leaky_relu(float(ctx.attr("alpha", 0.01))), ctx.x(0)),
    "ThresholdedRelu": lambda ctx: (ctx.x(0) > float(ctx.attr("alpha", 1.0))).where(ctx.x(0), 0.0).cast(ctx.x(0).dtype),
    "Swish": lambda ctx: _in_f32(lambda x: x * (x * float(ctx.attr("alpha", 1.0))).sigmoid(), ctx.x(0)),
    "Gelu": _gelu,
    "Shrink": _shrink,
    "PRelu": _prelu,
    # elementwise, two or more inputs (numpy broadcasting)
    "Add": _binary(lambda a, b: a + b), "Sub": _binary(lambda a, b: a - b), "Mul": _binary(lambda a, b: a * b),
    "Div": _binary(_div), "Mod": _mod, "Pow": _pow,
    "And": _binary(lambda a, b: a.logical_and(b)), "Or": _binary(lambda a, b: a.logical_or(b)),
    "Xor": _binary(lambda a, b: a.logical_xor(b)),
    "BitwiseAnd": _binary(lambda a, b: a.bitwise_and(b)), "BitwiseOr": _binary(lambda a, b: a.bitwise_or(b)),
    "BitwiseXor": _binary(lambda a, b: a.bitwise_xor(b)), "BitShift": _bitshift,
    "Equal": _binary(lambda a, b: a == b), "Less": _binary(lambda a, b: a < b),
    "LessOrEqual": _binary(lambda a, b: a <= b), "Greater": _binary(lambda a, b: a > b),
    "GreaterOrEqual": _binary(lambda a, b: a >= b),
    "Max": _variadic(lambda a, b: a.maximum(b)), "Min": _variadic(lambda a, b: a.minimum(b)),
    "Sum": _variadic(lambda a, b: a + b), "Mean": _mean,
    "Where": _where, "Clip": _clip,
    # reductions
    "ReduceSum": _reduction(lambda x, ax, k: x.sum(ax, keepdim=k), 0),
    "ReduceMean": _reduction(lambda x, ax, k: x.mean(ax, keepdim=k)),
    "ReduceMax": _reduction(lambda x, ax, k: x.max(ax, keepdim=k), lambda dt: -math.inf if dt.is_float() else dt.min),
    "ReduceMin": _reduction(lambda x, ax, k: x.min(ax, keepdim=k), lambda dt: math.inf if dt.is_float() else dt.max),
    "ReduceProd": _reduction(lambda x, ax, k: x.prod(ax, keepdim=k), 1),
    "ReduceL1": _reduction(lambda x, ax, k: x.abs().sum(ax, keepdim=k), 0),
    "ReduceL2": _reduction(lambda x, ax, k: (x * x).sum(ax, keepdim=k).sqrt().cast(x.dtype), 0),
    "ReduceSumSquare": _reduction(lambda x, ax, k: (x * x).sum(ax, keepdim=k), 0),
    "ReduceLogSum": _reduction(lambda x, ax, k: x.sum(ax, keepdim=k).log(), -math.inf),
    "ReduceLogSumExp": _reduction(lambda x, ax, k: x.logsumexp(ax, keepdim=k), -math.inf),
    "ArgMax": _arg(True), "ArgMin": _arg(False),
    "Softmax": _softmax_like(lambda x, a: x.softmax(a)),
    "LogSoftmax": _softmax_like(lambda x, a: x.log_softmax(a)),
    "Hardmax": _softmax_like(_hardmax),
    "CumSum": _cumsum, "CumProd": _cumprod, "TopK": _topk,
    "NegativeLogLikelihoodLoss": _nll_loss, "SoftmaxCrossEntropyLoss": _softmax_cross_entropy,
    # linear algebra, convolution, pooling, normalization
    "MatMul": _matmul, "Gemm": _gemm, "Einsum": _einsum, "Attention": _attention,
    "RNN": lambda ctx: _recurrent(ctx, "RNN"), "GRU": lambda ctx: _recurrent(ctx, "GRU"),
    "LSTM": lambda ctx: _recurrent(ctx, "LSTM"),
    "QuantizeLinear": _quantize, "DequantizeLinear": _dequantize,
    "DynamicQuantizeLinear": _dynamic_quantize, "MatMulInteger": _matmul_integer, "QLinearMatMul": _qlinear_matmul,
    "ConvInteger": _conv_integer, "QLinearConv": _qlinear_conv, "Det": _det,
    "GridSample": _grid_sample, "Col2Im": _col2im, "NonMaxSuppression": _non_max_suppression,
    "STFT": _stft, "MelWeightMatrix": _mel_weight_matrix, "CausalConvWithState": _causal_conv_with_state,
    "LinearAttention": _linear_attention, "DeformConv": _deform_conv, "RoiAlign": _roi_align, "BitCast": _bitcast,
    "RandomUniform": _random_uniform, "RandomNormal": _random_normal,
    "RandomUniformLike": lambda ctx: _random_uniform(ctx, like=True),
    "RandomNormalLike": lambda ctx: _random_normal(ctx, like=True), "Bernoulli": _bernoulli,
    "Multinomial": _multinomial,
    "HannWindow": _window("HannWindow"), "HammingWindow": _window("HammingWindow"),
    "BlackmanWindow": _window("BlackmanWindow"), "CenterCropPad": _center_crop_pad,
    "DFT": _dft, "AffineGrid": _affine_grid, "Unique": _unique,
    "RotaryEmbedding": _rotary_embedding, "TensorScatter": _tensor_scatter, "MaxUnpool": _max_unpool,
    "SwiGLU": lambda ctx: _in_f32(lambda a: a * (a * float(ctx.attr("alpha", 1.0))).sigmoid(), ctx.x(0)) * ctx.x(1),
    "Conv": _conv, "ConvTranspose": _conv_transpose,
    "MaxPool": _max_pool, "AveragePool": _avg_pool, "LpPool": _lp_pool,
    "GlobalAveragePool": _unary(lambda x: x.mean(tuple(range(2, x.ndim)), keepdim=True)),
    "GlobalMaxPool": _unary(lambda x: x.max(tuple(range(2, x.ndim)), keepdim=True)),
    "BatchNormalization": _batch_norm, "InstanceNormalization": _instance_norm,
    "LayerNormalization": _layer_norm, "GroupNormalization": _group_norm, "RMSNormalization": _rms_norm,
    "LRN": _lrn, "MeanVarianceNormalization": _mvn, "LpNormalization": _lp_norm,
    "Dropout": _dropout,
    # shapes and data movement
    "Reshape": _reshape, "Flatten": _flatten, "Squeeze": _squeeze, "Unsqueeze": _unsqueeze,
    "Transpose": _transpose, "Concat": _concat, "Split": _split, "Slice": _slice,
    "Gather": _gather, "GatherElements": _gather_elements, "GatherND": _gather_nd,
    "ScatterElements": _scatter_elements, "Scatter": _scatter_elements, "ScatterND": _scatter_nd,
    "Expand": _expand, "Tile": _tile, "Pad": _pad,
    "Shape": _shape, "Size": _size, "Constant": _constant, "ConstantOfShape": _constant_of_shape,
    "Range": _range, "Cast": _cast, "CastLike": _cast_like, "EyeLike": _eye_like, "Trilu": _trilu,
    "OneHot": _one_hot, "DepthToSpace": _depth_to_space, "SpaceToDepth": _space_to_depth,
    "Compress": _compress, "NonZero": _nonzero, "ReverseSequence": _reverse_sequence,
    "Resize": _resize, "Upsample": _resize,
}


# ------------------------------------------------------------------- the same operators on the host
def _np_binary(fn: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Handler:
    return lambda ctx: np.asarray(fn(ctx.values[0], ctx.values[1]))


def _np_cast(ctx: Any) -> np.ndarray:
    return ctx.values[0].astype(_onnx_np_dtype(int(ctx.attr("to")), ctx))


def _np_gather(ctx: Any) -> np.ndarray:
    x, idx = ctx.values[0], ctx.values[1]
    return np.take(x, idx.astype(np.int64), axis=ctx.attr("axis", 0))


def _np_concat(ctx: Any) -> np.ndarray:
    return np.concatenate([v for v in ctx.values if v is not None], axis=ctx.attr("axis"))


def _np_div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.dtype.kind == "f":
        return a / b
    return (np.trunc(a / b)).astype(np.result_type(a, b))


def _np_reduce_prod(ctx: Any) -> np.ndarray:
    x = ctx.values[0]
    axes = _reduce_axes(ctx, x.ndim)
    return x if axes is None else np.prod(x, axis=axes, keepdims=bool(ctx.attr("keepdims", 1))).astype(x.dtype)


def _np_expand(ctx: Any) -> np.ndarray:
    x = ctx.values[0]
    return np.broadcast_to(x, _broadcast(x.shape, tuple(ctx.ints(1)))).copy()


HOST_OPS: dict[str, Handler] = {
    "Shape": _shape, "Size": _size, "Constant": _constant, "ConstantOfShape": _constant_of_shape,
    "Range": _range, "NonZero": _nonzero, "Identity": _identity,
    "Reshape": _reshape, "Squeeze": _squeeze, "Unsqueeze": _unsqueeze, "Slice": _slice,
    "Gather": _np_gather, "Concat": _np_concat, "Cast": _np_cast, "Expand": _np_expand,
    "Add": _np_binary(np.add), "Sub": _np_binary(np.subtract), "Mul": _np_binary(np.multiply),
    "Div": _np_binary(_np_div), "Equal": _np_binary(np.equal), "Less": _np_binary(np.less),
    "Greater": _np_binary(np.greater),
    "Where": lambda ctx: np.where(ctx.values[0], ctx.values[1], ctx.values[2]),
    "ReduceProd": _np_reduce_prod,
}


# Operators left out on purpose: why (docs/onnx.md lists them)
_TRAINING = "a training operator (tinyir.onnx runs inference graphs; tinyir's autograd trains)"
_SEQUENCE = "sequence values are not tensors: tinyir.onnx runs graphs of tensors"
_OPTIONAL = "optional values are not tensors: tinyir.onnx runs graphs of tensors"
_STRING = "tinyir has no string tensors"
_CONTROL = "control flow (a subgraph run a data-dependent number of times) is not converted"
OUT_OF_SCOPE: dict[str, str] = {
    **{op: _TRAINING for op in ("Adagrad", "Adam", "Momentum", "Gradient")},
    **{op: _SEQUENCE for op in ("SequenceAt", "SequenceConstruct", "SequenceEmpty", "SequenceErase",
                                "SequenceInsert", "SequenceLength", "SequenceMap", "SplitToSequence",
                                "ConcatFromSequence")},
    **{op: _OPTIONAL for op in ("Optional", "OptionalGetElement", "OptionalHasElement")},
    **{op: _STRING for op in ("StringConcat", "StringNormalizer", "StringSplit", "RegexFullMatch",
                              "TfIdfVectorizer", "ImageDecoder")},
    **{op: _CONTROL for op in ("If", "Loop", "Scan")},
}

