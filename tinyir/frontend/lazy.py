"""The lazy graph: plain Python nodes, one per `tir` primitive op (docs/ir.md section 1).

Building xDSL IR costs ~30 us an op, so a Tensor expression records `LazyOp` nodes instead and the
graph becomes IR once per realize (and only when its structure is new, see realize.py).

Node kinds (`op`), named like the `tir` ops they become:
  * sources: `buffer` (a realized device buffer, a function argument), `const` (splat; `arg` = value),
    `iota` (`arg` = axis), `random_bits` (src = the i32 key buffer);
  * unary: neg exp2 log2 sin sqrt recip cast bitcast;
  * binary: add mul max idiv mod and or xor shl shr cmplt cmpne; ternary: where;
  * reduce_sum, reduce_max (`arg` = axes; always the keepdims form);
  * movement: reshape (`arg` = shape), permute (perm), expand (shape), pad (pairs), shrink (pairs),
    flip (axes).
Nodes are hash-consed: building the same op on the same sources twice gives the same node, so a
gradient graph imported from IR shares its forward part with the graph it came from.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from tinyir import alu
from tinyir.frontend.dtypes import DType

if TYPE_CHECKING:
    from tinyir.runtime.buffer import Buffer

UNARY, BINARY, COMPARE = alu.UNARY, alu.BINARY, alu.COMPARE  # the ALU table's families (tinyir/alu.py)
REDUCE = ("reduce_sum", "reduce_max")
MOVEMENT = ("reshape", "permute", "expand", "pad", "shrink", "flip")
SOURCES = ("buffer", "const", "iota", "random_bits")

_CONSED: weakref.WeakValueDictionary[tuple, LazyOp] = weakref.WeakValueDictionary()


class LazyOp:
    """One node of the lazy graph: op name, sources, static argument, result shape and dtype.

    A realized node holds its value in `realized` (a device `Buffer`, tinyir/runtime/buffer.py) and
    has op `buffer`; realizing an unrealized node turns it into a buffer in place, so every tensor
    sharing it sees the value.
    A buffer that was computed (not created from data) remembers in `lineage` the live nodes its
    dropped graph used, so autodiff can tell "the loss does not use x" from "the loss used x
    through a value whose graph is gone" (the second is an error, never a silent zero gradient).
    """

    __slots__ = ("op", "srcs", "arg", "shape", "dtype", "device", "realized", "lineage", "__weakref__")

    def __init__(self, op: str, srcs: tuple[LazyOp, ...], arg: Any, shape: tuple[int, ...], dtype: DType,
                 device: str, realized: Buffer | None = None):
        self.op, self.srcs, self.arg, self.shape, self.dtype = op, srcs, arg, shape, dtype
        self.device, self.realized = device, realized
        self.lineage: weakref.WeakSet[LazyOp] | None = None

    def __repr__(self) -> str:
        return f"<LazyOp {self.op} {self.shape} {self.dtype.name} arg={self.arg}>"

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    def become_buffer(self, value: Buffer, track_lineage: bool = True) -> None:
        """Replace this node's computation by its computed value (drops the graph behind it, but
        first records its lineage: every live node it was computed from, through non-`detach` ops).
        Values computed under `Tensor.no_grad` are constants like detached ones: no lineage."""
        self.unregister()
        if self.op == "buffer":
            lineage = self.lineage
        else:
            lineage = graph_lineage(self) if track_lineage and self.op != "detach" else None
        self.op, self.srcs, self.arg, self.realized = "buffer", (), None, value
        self.lineage = lineage or None

    def keep_value(self, value: Buffer) -> None:
        """Store the computed value and keep the graph (autodiff may still need it). The node leaves
        the hash-consing table: an identical expression built later is a new, unrealized node, so
        a repeated training step builds the same program as the first one (same cache key)."""
        self.unregister()
        self.realized = value

    def unregister(self) -> None:
        """Leave the hash-consing table (identical expressions built later get a new node)."""
        key = self._cons_key()
        if key is not None and _CONSED.get(key) is self:
            del _CONSED[key]

    def _cons_key(self) -> tuple | None:
        if self.op == "buffer":
            return None
        return (self.op, tuple([id(s) for s in self.srcs]), self.arg, self.shape, self.dtype.name, self.device)


def live_nodes() -> list[LazyOp]:
    """Every live unrealized node (the hash-consing table holds each one, weakly)."""
    return list(_CONSED.values())


def make(op: str, srcs: tuple[LazyOp, ...], arg: Any, shape: tuple[int, ...], dtype: DType, device: str) -> LazyOp:
    """A node, shared with an identical live one if there is one (hash-consing). On a tuple of
    devices (a sharded tensor, MULTI-DEVICE): the op on every device (tinyir/frontend/multi.py)."""
    if type(device) is tuple:
        from tinyir.frontend import multi

        return multi.make(op, srcs, arg, shape, dtype, device)
    if op in ("reduce_sum", "pad") and srcs[0].size == 0 and math.prod(shape) != 0:
        # a sum over zero elements, or a padded empty tensor, is all 0: this keeps zero-size
        # tensors out of programs with non-empty results
        return make("const", (), False if dtype.is_bool() else 0.0 if dtype.is_float() else 0, shape, dtype, device)
    key = (op, tuple([id(s) for s in srcs]), arg, shape, dtype.name, device)  # names: DType's hash is slow
    found = _CONSED.get(key)
    if found is not None and found.op == op and all(a is b for a, b in zip(found.srcs, srcs)):
        return found
    node = LazyOp(op, srcs, arg, shape, dtype, device)
    _CONSED[key] = node
    return node


def buffer(value: np.ndarray, dtype: DType, device: str) -> LazyOp:
    """A realized leaf holding `value` (converted to the dtype's numpy type) on `device`: one upload."""
    from tinyir.runtime.buffer import allocator_for

    if type(device) is tuple:  # MULTI-DEVICE: data for several devices is copied to each
        from tinyir.frontend import multi

        return multi.replicated_buffer(value, dtype, device)
    # a private copy: host devices use uploaded arrays in place (ascontiguousarray would make 0-d 1-d)
    arr = np.array(value, dtype=dtype.np, order="C")
    return from_buffer(allocator_for(device).upload(arr), dtype)


def from_buffer(value: Buffer, dtype: DType) -> LazyOp:
    """A realized leaf holding a device buffer (no copy)."""
    return LazyOp("buffer", (), None, value.shape, dtype, value.device, realized=value)


def graph_lineage(root: LazyOp) -> weakref.WeakSet[LazyOp]:
    """The nodes `root` is computed from (not through a `detach`), with the lineage of the computed
    buffers among them. Weak: a node no tensor holds can no longer become a gradient target."""
    out: weakref.WeakSet[LazyOp] = weakref.WeakSet()
    seen: set[int] = {id(root)}
    stack = list(root.srcs)
    while stack:
        node = stack.pop()
        if id(node) in seen or node.op == "detach":
            continue
        seen.add(id(node))
        out.add(node)
        if node.lineage:
            out |= node.lineage
        stack.extend(node.srcs)
    return out


def toposort(roots: list[LazyOp], cut: Callable[[LazyOp], bool] | None = None) -> list[LazyOp]:
    """Every node the roots depend on, sources before users (iterative: graphs can be deep).

    A node for which `cut` holds is listed but its sources are not followed."""
    order: list[LazyOp] = []
    seen: set[int] = set()
    for root in roots:
        stack: list[tuple[LazyOp, bool]] = [(root, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            if cut is not None and cut(node):
                continue
            for src in reversed(node.srcs):
                if id(src) not in seen:
                    stack.append((src, False))
    return order
