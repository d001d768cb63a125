"""Sharded tensors: one lazy tensor per device, and the axis they split (docs/multi-gpu.md).

`x.shard(("cuda", "cuda:1"), axis=0)` gives a Tensor whose `lazydata` is a `MultiLazy`: one lazy
node per device (its `srcs`) and the shard axis (its `arg`; None: every device holds the whole
value, "replicated"). Its `device` is the tuple of device names. Tensor methods build nodes through
`lazy.make`, which sends a node on a device tuple here (`make`): the op is applied to every shard,
so every composite (matmul, softmax, cross-entropy, the optimizers) runs on each device unchanged.

The rules, per primitive:
  * sources (const, iota, random bits) and data given for a device tuple: replicated;
  * elementwise ops: operands sharded on one axis; replicated operands are sliced to each device's
    part there (no communication); operands sharded on different axes are an error;
  * movement ops that keep the shard axis whole (a permute, a reshape that keeps its boundary, an
    expand/pad/shrink/flip of other axes) run per device; one that would move data between
    devices is an error naming the op (gather with `.to(device)` first);
  * reductions over other axes run per device; a reduction over the shard axis reduces each
    device's part, then an `allreduce` lazy node per device combines the partial results
    (tinyir/runtime/collectives.py: NCCL between CUDA GPUs, the host elsewhere): the result is
    replicated.

Realizing compiles one program per device; an `allreduce` node is computed before the programs that
read it, by computing its sources (one program per device) and calling the collective on their
buffers: the plan of tinyir/frontend/multi_plan.py, cached by the graph's structure (called from
realize.py).

Autodiff (`backward`): each device's graph is differentiated on its own (autograd.py), cut at the
`allreduce` nodes; the gradient crosses an all-reduce as an all-reduce of the gradients (its adjoint),
itself a lazy collective. A replicated value's gradient is the sum of its copies' gradients, so
the scalar loss (replicated) is seeded with 1/N on each of N devices and a replicated leaf's
gradient is all-reduced: the data-parallel step's gradient all-reduce falls out of the rules.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from tinyir.errors import TensorValueError
from tinyir.frontend import lazy
from tinyir.frontend.dtypes import DType
from tinyir.frontend.lazy import LazyOp

if TYPE_CHECKING:
    from tinyir.frontend.tensor import Tensor

ELEMENTWISE = (*lazy.UNARY, *lazy.BINARY, *lazy.COMPARE, "where", "cast", "bitcast", "detach")
COLLECTIVE = "allreduce"  # the lazy op: srcs = one partial per device, arg = "sum" | "max"


class MultiLazy(LazyOp):
    """A sharded tensor's value: `srcs` one lazy node per device (in `device` order), `arg` the
    shard axis (None: replicated), `shape` the whole (logical) shape."""

    __slots__ = ()

    def __init__(self, shards: Sequence[LazyOp], axis: int | None, shape: tuple[int, ...], dtype: DType,
                 devices: tuple[str, ...]):
        super().__init__("multi", tuple(shards), axis, tuple(shape), dtype, devices)

    @property
    def shards(self) -> tuple[LazyOp, ...]:
        return self.srcs

    @property
    def axis(self) -> int | None:
        return self.arg

    def __repr__(self) -> str:
        return f"<MultiLazy {self.shape} {self.dtype.name} axis={self.arg} on {self.device}>"


def canonical_devices(names: Sequence[str]) -> tuple[str, ...]:
    """Device names as canonical names (`cpu:0` -> `cpu`); one error for none or a repeated one."""
    from tinyir.runtime.executor import canonical_device_name

    out = tuple(canonical_device_name(str(n).lower()) for n in names)
    if not out:
        raise TensorValueError("shard: no devices given")
    if len(set(out)) != len(out):
        raise TensorValueError(f"shard: a device appears twice in {out}")
    return out


def local_shape(shape: tuple[int, ...], axis: int | None, n: int) -> tuple[int, ...]:
    """One device's part of `shape` split `n` ways on `axis`."""
    if axis is None:
        return shape
    return shape[:axis] + (shape[axis] // n,) + shape[axis + 1:]


def _part_bounds(shape: tuple[int, ...], axis: int, n: int, i: int) -> tuple[tuple[int, int], ...]:
    size = shape[axis] // n
    return tuple((i * size, (i + 1) * size) if d == axis else (0, s) for d, s in enumerate(shape))


# ---------------------------------------------------------------- making sharded tensors

def shard(tensor: Tensor, devices: Sequence[str], axis: int | None) -> Tensor:
    """`tensor` split on `axis` over `devices` (None: a copy on each), as a sharded Tensor."""
    from tinyir.frontend.tensor import Tensor
    from tinyir.runtime.collectives import broadcast

    devs = canonical_devices(devices)
    node = tensor.lazydata
    if isinstance(node, MultiLazy):
        if node.device == devs and node.arg == (axis if axis is None else tensor._axis(axis, "shard")):
            return tensor
        raise TensorValueError(f"shard: the tensor is already sharded over {node.device} (axis {node.arg}); "
                               "gather it with .to(device) first")
    n = len(devs)
    if axis is not None:
        axis = tensor._axis(axis, "shard")
        if tensor.shape[axis] % n:
            raise TensorValueError(f"shard: axis {axis} of shape {tensor.shape} does not split evenly over {n} devices")
    tensor.realize()
    if axis is None:
        buffers = broadcast(tensor.lazydata.realized, devs)
    else:  # every device's part cut on the tensor's own device (one program), then copied over
        parts = [tensor.shrink(_part_bounds(tensor.shape, axis, n, i)) for i in range(n)]
        Tensor.realize(*parts)
        buffers = [p.lazydata.realized.to(d) for p, d in zip(parts, devs)]
    shards = [lazy.from_buffer(b, tensor.dtype) for b in buffers]
    return Tensor(MultiLazy(shards, axis, tensor.shape, tensor.dtype, devs), requires_grad=tensor.requires_grad)


def replicated_buffer(value: np.ndarray, dtype: DType, devices: tuple[str, ...]) -> MultiLazy:
    """Host data uploaded to every device (a `Tensor(data, device=(...))`)."""
    shards = [lazy.buffer(value, dtype, d) for d in devices]
    return MultiLazy(shards, None, shards[0].shape, dtype, devices)


def private_copy(node: MultiLazy) -> MultiLazy:
    """The same value with a node of its own on every device (a parameter must not be merged with
    an equal expression by hash-consing, tensor.py's requires_grad)."""
    shards = [s if s.op == "buffer" else LazyOp(s.op, s.srcs, s.arg, s.shape, s.dtype, s.device, s.realized)
              for s in node.srcs]
    for s in node.srcs:
        s.unregister()
    return MultiLazy(shards, node.arg, node.shape, node.dtype, node.device)


# ---------------------------------------------------------------- ops on every device

def make(op: str, srcs: tuple[LazyOp, ...], arg: Any, shape: tuple[int, ...], dtype: DType,
         devices: tuple[str, ...]) -> MultiLazy:
    """`lazy.make` for a node on a device tuple: the op on every device's shard."""
    n = len(devices)
    for s in srcs:
        if not isinstance(s, MultiLazy) or s.device != devices:
            where = s.device if isinstance(s, MultiLazy) else f"the single device {s.device}"
            raise TensorValueError(f"{op}: an operand on {where} next to one sharded over {devices}; "
                                   "shard both over the same devices")
    if not srcs:  # const, iota: the same value on every device
        shards = [lazy.make(op, (), arg, shape, dtype, d) for d in devices]
        return MultiLazy(shards, None, shape, dtype, devices)
    if op == "random_bits":  # from a replicated key: the same bits everywhere
        shards = [lazy.make(op, (srcs[0].srcs[i],), arg, shape, dtype, d) for i, d in enumerate(devices)]
        return MultiLazy(shards, None, shape, dtype, devices)
    if op in ELEMENTWISE:
        return _elementwise(op, srcs, arg, shape, dtype, devices)
    if op in lazy.REDUCE:
        return _reduce(op, srcs[0], arg, shape, dtype, devices)
    if op in lazy.MOVEMENT:
        return _movement(op, srcs[0], arg, shape, dtype, devices)
    raise TensorValueError(f"{op}: not supported on tensors sharded over {n} devices")


def _elementwise(op: str, srcs: tuple[MultiLazy, ...], arg: Any, shape: tuple[int, ...], dtype: DType,
                 devices: tuple[str, ...]) -> MultiLazy:
    axes = sorted({s.arg for s in srcs if s.arg is not None})
    if len(axes) > 1:
        raise TensorValueError(f"{op}: operands sharded on different axes {axes}; gather one with .to(device) "
                               "and shard it like the other")
    axis = axes[0] if axes else None
    n = len(devices)
    out_shape = local_shape(shape, axis, n)
    shards = []
    for i, d in enumerate(devices):
        operands = []
        for s in srcs:
            part = s.srcs[i]
            if axis is not None and s.arg is None and s.shape[axis] != 1:  # this device's slice of a copy
                bounds = _part_bounds(s.shape, axis, n, i)
                part = lazy.make("shrink", (part,), bounds, local_shape(s.shape, axis, n), s.dtype, d)
            operands.append(part)
        shards.append(lazy.make(op, tuple(operands), arg, out_shape, dtype, d))
    return MultiLazy(shards, axis, shape, dtype, devices)


def _reduce(op: str, src: MultiLazy, axes: tuple[int, ...], shape: tuple[int, ...], dtype: DType,
            devices: tuple[str, ...]) -> MultiLazy:
    n, axis = len(devices), src.arg
    if axis is None or axis not in axes:
        out = local_shape(shape, axis, n)
        shards = [lazy.make(op, (s,), axes, out, dtype, d) for s, d in zip(src.srcs, devices)]
        return MultiLazy(shards, axis, shape, dtype, devices)
    partials = [lazy.make(op, (s,), axes, shape, dtype, d) for s, d in zip(src.srcs, devices)]
    return MultiLazy(all_reduce(partials, "sum" if op == "reduce_sum" else "max"), None, shape, dtype, devices)


def all_reduce(partials: Sequence[LazyOp], op: str) -> list[LazyOp]:
    """One `allreduce` node per device: op of the partials, elementwise (one device: the partial)."""
    if len(partials) == 1:
        return list(partials)
    srcs = tuple(partials)
    return [lazy.make(COLLECTIVE, srcs, op, p.shape, p.dtype, p.device) for p in partials]


def _sum_everywhere(parts: Sequence[LazyOp]) -> list[LazyOp]:
    """`all_reduce(parts, "sum")`, but parts computed from constants alone by one expression (a
    loss's seeds, scaled) are equal on every device: N times each, with no collective, so a
    backward pass's gradients need no round of their own."""
    from tinyir.frontend.realize import collect

    def constant(part: LazyOp) -> bool:
        return all(node.op in ("const", "iota") for node in lazy.toposort([part]) if not node.srcs)

    if parts[0].dtype.is_float() and all(constant(p) for p in parts) and \
            len({collect([p]).key for p in parts}) == 1:
        return [lazy.make("mul", (p, lazy.make("const", (), float(len(parts)), p.shape, p.dtype, p.device)), None,
                          p.shape, p.dtype, p.device) for p in parts]
    return all_reduce(parts, "sum")


def _reshaped_axis(old: tuple[int, ...], new: tuple[int, ...], axis: int, n: int) -> int | None:
    """Where a reshape puts the shard axis: the new axis whose leading dims hold as many elements as
    the old axis's and that still splits `n` ways into contiguous parts; None if there is none."""
    before = math.prod(old[:axis])
    count = 1
    for j, size in enumerate(new):
        if count == before and size % n == 0 and size >= n:
            split_old = old[axis] // n * math.prod(old[axis + 1:])
            if size // n * math.prod(new[j + 1:]) == split_old:
                return j
        count *= size
        if count > before:
            return None
    return None


def _movement(op: str, src: MultiLazy, arg: Any, shape: tuple[int, ...], dtype: DType,
              devices: tuple[str, ...]) -> MultiLazy:
    n, axis = len(devices), src.arg
    new_axis, local_arg = axis, arg
    if axis is not None:
        whole = src.shape[axis]
        moves = False
        if op == "reshape":
            new_axis = _reshaped_axis(src.shape, shape, axis, n)
            moves = new_axis is None
            local_arg = None if moves else local_shape(shape, new_axis, n)
        elif op == "permute":
            new_axis = tuple(arg).index(axis)
        elif op == "expand":
            moves = shape[axis] != whole
            local_arg = local_shape(shape, axis, n)
        elif op == "pad":
            moves = tuple(arg[axis]) != (0, 0)
        elif op == "shrink":
            moves = tuple(arg[axis]) != (0, whole)
            local_arg = tuple((0, whole // n) if d == axis else tuple(b) for d, b in enumerate(arg))
        elif op == "flip":
            moves = axis in tuple(arg)
        if moves:
            raise TensorValueError(f"{op}: would move data between the devices of a tensor sharded on axis {axis} "
                                   f"(shape {src.shape} -> {shape}); gather it with .to(device) first")
    out = local_shape(shape, new_axis, n)
    shards = [lazy.make(op, (s,), local_arg, out, dtype, d) for s, d in zip(src.srcs, devices)]
    return MultiLazy(shards, new_axis, shape, dtype, devices)


# ---------------------------------------------------------------- gathering

def to_numpy(tensor: Tensor) -> np.ndarray:
    node = tensor.lazydata
    tensor.realize()
    if node.arg is None:
        return node.srcs[0].realized.numpy()
    return np.concatenate([s.realized.numpy() for s in node.srcs], axis=node.arg)


def gather(tensor: Tensor, device: Any) -> Tensor:
    """The whole value on one device (`device` a tuple: the same sharding, or an error)."""
    from tinyir.frontend.tensor import Tensor

    node = tensor.lazydata
    if isinstance(device, tuple):
        if device == node.device:
            return tensor
        raise TensorValueError(f"to: the tensor is sharded over {node.device}; gather it onto one device first")
    tensor.realize()
    if node.arg is None:
        own = [s for s in node.srcs if s.device == device]
        source = own[0] if own else node.srcs[0]
        return Tensor(lazy.from_buffer(source.realized.to(device), node.dtype))
    parts = [Tensor(lazy.from_buffer(s.realized.to(device), node.dtype)) for s in node.srcs]
    return parts[0].cat(*parts[1:], dim=node.arg)


# ---------------------------------------------------------------- autodiff

def backward(loss: Tensor, gradient: Tensor | None = None) -> None:
    """`loss.backward()` for a sharded (replicated, scalar) loss: `.grad` of every sharded tensor
    with requires_grad it depends on, sharded like it (a replicated one: all-reduced)."""
    from tinyir.frontend.autograd import REQUIRES_GRAD, check_history, gradients
    from tinyir.frontend.tensor import Tensor

    root: MultiLazy = loss.lazydata
    devices, n = root.device, len(root.device)
    if root.arg is not None:
        raise RuntimeError(f"backward: the loss is sharded on axis {root.arg}; reduce it to a replicated value first")
    if gradient is None:
        if loss.shape != ():
            raise RuntimeError(f"backward: the loss must be a scalar (shape {loss.shape}); pass gradient= to seed it")
        seeds = [lazy.make("const", (), 1.0 / n, (), root.dtype, d) for d in devices]
    else:
        seed = gradient.lazydata
        if not isinstance(seed, MultiLazy) or seed.device != devices or seed.arg is not None or seed.shape != loss.shape:
            raise TensorValueError("backward: gradient= must be replicated over the loss's devices, of its shape")
        seeds = [lazy.make("mul", (s, lazy.make("const", (), 1.0 / n, s.shape, s.dtype, d)), None, s.shape, s.dtype, d)
                 for s, d in zip(seed.srcs, devices)]
    everything = lazy.toposort(list(root.srcs))
    reachable = {id(node) for node in everything}
    targets = [t for t in list(REQUIRES_GRAD) if t.requires_grad and isinstance(t.lazydata, MultiLazy)
               and any(id(s) in reachable for s in t.lazydata.srcs)]
    if not targets:
        raise RuntimeError("backward: the loss does not depend on any tensor with requires_grad=True")
    for t in targets:
        if t.lazydata.device != devices:
            raise TensorValueError(f"backward: a parameter on {t.lazydata.device}, the loss on {devices}")
    check_history(loss, targets, "backward")
    leaves = {id(s) for t in targets for s in t.lazydata.srcs}
    collectives = [node for node in everything if node.op == COLLECTIVE and node.dtype.is_float()]
    grads: dict[int, LazyOp] = {}

    def accumulate(node: LazyOp, grad: LazyOp) -> None:
        found = grads.get(id(node))
        grads[id(node)] = grad if found is None else lazy.make("add", (found, grad), None, grad.shape, grad.dtype,
                                                                  grad.device)

    cut = {id(c) for c in collectives} | leaves

    def local(out: LazyOp, seed: LazyOp) -> None:
        """Gradients from `out` (seeded) down to the leaves and collectives of its own device."""
        if id(out) in cut:
            accumulate(out, seed)
            return
        found = lazy.toposort([out], lambda node: id(node) in cut)
        wanted = [node for node in found if id(node) in cut and node.dtype.is_float()]
        if not wanted:
            return
        outs = gradients(Tensor(out), [Tensor(w) for w in wanted], Tensor(seed), split_dependent=False)
        for w, g in zip(wanted, outs):
            accumulate(w, g.lazydata)

    for out, seed in zip(root.srcs, seeds):
        local(out, seed)
    groups: dict[tuple, list[LazyOp]] = {}  # one collective's nodes, in the order they first appear
    for node in collectives:
        groups.setdefault((tuple(id(s) for s in node.srcs), node.arg), []).append(node)
    for group in reversed(list(groups.values())):  # users before sources
        if not any(id(m) in grads for m in group):
            continue
        first = group[0]
        member = {m.device: m for m in group}
        upstream = [grads.get(id(member[s.device])) if s.device in member else None for s in first.srcs]
        upstream = [g if g is not None else lazy.make("const", (), 0.0, first.shape, first.dtype, s.device)
                    for g, s in zip(upstream, first.srcs)]
        for src, g in zip(first.srcs, _sum_everywhere(upstream)):  # the adjoint: an all-reduce of gradients
            if first.arg == "max":  # the gradient goes where the maximum came from
                g = lazy.make("mul", (g, _where_equal(src, member.get(src.device), first, g.dtype)), None, g.shape,
                              g.dtype, g.device)
            local(src, g)
    for t in targets:
        node = t.lazydata
        parts = [grads.get(id(s)) or lazy.make("const", (), 0.0, s.shape, s.dtype, s.device) for s in node.srcs]
        if node.arg is None:  # a replicated leaf: the sum of its copies' gradients
            parts = all_reduce(parts, "sum")
        g = Tensor(MultiLazy(parts, node.arg, node.shape, node.dtype, devices))
        t.grad = g if t.grad is None else t.grad + g


def _where_equal(src: LazyOp, result: LazyOp | None, first: LazyOp, dtype: DType) -> LazyOp:
    """1 where a device's partial maximum equals the all-reduced maximum, else 0."""
    from tinyir.frontend.dtypes import dtypes

    d, shape = src.device, src.shape
    result = result if result is not None else lazy.make(COLLECTIVE, first.srcs, "max", first.shape, first.dtype, d)
    differs = lazy.make("cmpne", (src, result), None, shape, dtypes.bool, d)
    same = lazy.make("cmpne", (differs, lazy.make("const", (), True, shape, dtypes.bool, d)), None, shape,
                     dtypes.bool, d)
    return lazy.make("cast", (same,), None, shape, dtype, d)
