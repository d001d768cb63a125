"""Writing a realize's outputs into input buffers that nothing reads afterwards (peak memory of training steps).

After `p.assign(p.detach() - lr * g)` the old value of `p` is read only by the program that computes
the new one: the program may write the new value over it (tinyir/runtime/donation.py says which
outputs a program can write in place). This module decides, per realize, which input buffers are
dead after the program, from CPython reference counts, which are exact:

  * a buffer is dead when the only references to it are the `realized` slots of argument nodes of
    this graph, and its device memory is referenced only by the buffer (no numpy view of it, no
    other tensor sharing it, no TinyJit capture);
  * each of those argument nodes is referenced only from inside this graph (the graph's argument
    list and the `srcs` of its nodes): no tensor, and no lazy node outside the graph, reads it;
  * a node inside the graph that depends on such an argument and is referenced from outside (a
    gradient in `p.grad`, a loss realized after the step) would read the overwritten buffer when it
    is realized later: it is computed by this program too (an extra output), so it never does.

Once a buffer is overwritten, its old argument nodes are retired (op `overwritten`): only a kept
autodiff history can still reach them, and realizing through one is a clear error, never a value
computed from the new contents. Extra outputs whose graphs read a retired node drop those graphs
(`read_retired`), as other realized values do: kept, they would hold every value realized inside them
(the logits a loss reads) for as long as `p.grad` lives. While TinyJit captures, the program is the same (extra outputs
included) but writes fresh outputs, as its replays do. `TINYIR_INPLACE=0` turns all this off
(`SETTINGS.enabled`).
"""

from __future__ import annotations

import os
import sys
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tinyir.errors import TinyirError
from tinyir.frontend.dtypes import dtypes
from tinyir.frontend.lazy import MOVEMENT, LazyOp, live_nodes, toposort
from tinyir.runtime import jit
from tinyir.runtime.donation import can_write_into

if TYPE_CHECKING:
    from tinyir.frontend.realize import Graph
    from tinyir.runtime.buffer import Buffer

#: the op of an argument node whose buffer was overwritten in place
OVERWRITTEN = "overwritten"

#: RETIRED-GRAPH: in the lineage of a value whose graph was dropped because it read overwritten
#: values (`read_retired`), so autodiff through it says why it cannot (a constant node, never computed)
DROPPED_FOR_OVERWRITE = LazyOp(OVERWRITTEN, (), None, (), dtypes.float32, "none")


@dataclass
class InplaceSettings:
    """Read once from the environment (`TINYIR_INPLACE=0`: off); tests flip the field."""

    enabled: bool = field(default_factory=lambda: os.environ.get("TINYIR_INPLACE", "1").strip() != "0")


SETTINGS = InplaceSettings()


@dataclass
class Donation:
    """The dead input buffers of one realize, by shape and dtype, and the extra outputs it needs."""

    dead: dict[int, tuple[Buffer, tuple[LazyOp, ...]]] = field(default_factory=dict)  # id(buffer) -> (it, arg nodes)
    extras: list[LazyOp] = field(default_factory=list)
    write: bool = True  # False while TinyJit captures: the same program, with fresh outputs


def _internal_uses(graph: Graph, pending: list[LazyOp]) -> tuple[dict[int, int], list[LazyOp]]:
    """How often each node is a source of a node in the graph (detach nodes included, which the
    graph's node list leaves out), and the detach nodes met."""
    uses: dict[int, int] = {}
    detaches: list[LazyOp] = []
    stack = [*graph.nodes, *[r for r in pending if r.op == "detach"]]
    seen: set[int] = {id(r) for r in pending}  # each node's sources are counted once
    while stack:
        node = stack.pop()
        for src in node.srcs:
            uses[id(src)] = uses.get(id(src), 0) + 1
            if src.op == "detach" and id(src) not in seen:
                seen.add(id(src))
                detaches.append(src)
                stack.append(src)
    return uses, detaches


def _refcounts(nodes: list[LazyOp]) -> list[int]:
    """Each node's reference count, less the three this function adds (`nodes`, the loop variable,
    getrefcount's argument). A helper of its own: no stray local of the caller's can hold a node."""
    return [sys.getrefcount(node) - 3 for node in nodes]


def prepare(graph: Graph, pending: list[LazyOp]) -> Donation | None:
    """The input buffers nothing reads after this realize (None if there are none), and the nodes
    inside the graph that must be realized with it so that this stays true."""
    if not SETTINGS.enabled:
        return None
    holders = _candidate_holders(graph, {(r.shape, r.dtype.np) for r in pending})
    if not holders:
        return None
    args = graph.args
    unshared = []
    for indices in holders:
        buf = args[indices[0]].realized
        # references: each holder's `realized` slot, `buf`, getrefcount's argument; the device memory:
        # the buffer's `handle` and getrefcount's argument (a numpy view of it would hold one more)
        held = jit.held_by_captures(buf) if jit.CAPTURING else 0
        if (sys.getrefcount(buf) == len(indices) + 2 + held and sys.getrefcount(buf.handle) == 2
                and getattr(buf.handle, "base", None) is None):
            unshared.append(indices)
    if not unshared:
        return None
    uses, detaches = _internal_uses(graph, pending)
    dead = {}
    for indices in unshared:
        nodes = [args[i] for i in indices]
        # references to an argument node besides the list: the graph's argument list and its uses
        counts = _refcounts(nodes)
        if all(counts[k] == 1 + uses.get(id(nodes[k]), 0) for k in range(len(nodes))):
            buf = nodes[0].realized
            dead[id(buf)] = (buf, tuple(nodes))
    if not dead:
        return None
    donation = Donation(dead, write=not jit.CAPTURING)  # a capture builds the program a plain call builds
    _find_extras(graph, pending, donation, uses, detaches)
    return donation if donation.dead else None


def _candidate_holders(graph: Graph, shapes: set[tuple[tuple[int, ...], Any]]) -> list[list[int]]:
    """The argument indices holding each buffer that has an output's shape and dtype, grouped by buffer."""
    holders: dict[int, list[int]] = {}
    for index, node in enumerate(graph.args):
        buf = node.realized
        if buf is not None and buf.base is None and (buf.shape, buf.dtype) in shapes:
            holders.setdefault(id(buf), []).append(index)
    return list(holders.values())


def _dependents(graph: Graph, detaches: list[LazyOp], donation: Donation) -> dict[int, int]:
    """id(node) -> id of a dead buffer it depends on (one is enough), for every node of the graph."""
    reads: dict[int, int] = {}
    for buf, nodes in donation.dead.values():
        for arg in nodes:
            reads[id(arg)] = id(buf)
    for node in graph.nodes:  # sources first (topological order); a detach is its source
        for src in node.srcs:
            found = reads.get(id(_undetached(src)))
            if found is not None:
                reads[id(node)] = found
                break
    for node in detaches:
        found = reads.get(id(_undetached(node)))
        if found is not None:
            reads[id(node)] = found
    return reads


def _find_extras(graph: Graph, pending: list[LazyOp], donation: Donation, uses: dict[int, int],
                 detaches: list[LazyOp]) -> None:
    """Nodes inside the graph that depend on a dead buffer's argument nodes and are referenced from
    outside the graph: they become extra outputs (a view or detach: the node it starts from)."""
    reads = _dependents(graph, detaches, donation)
    roots = {id(r) for r in pending}
    members = [*graph.nodes, *detaches]
    counts = _refcounts(members)
    arg_ids = {id(a) for a in graph.args}
    extras: dict[int, LazyOp] = {}
    referenced: list[tuple[LazyOp, int]] = []  # (node, its references from outside the graph)
    for node, count in zip(members, counts):
        # references besides `members`: graph.nodes or `detaches`, and its uses
        if id(node) in roots or id(node) not in reads or count == 1 + uses.get(id(node), 0):
            continue
        base = _under_views(node)
        if id(base) in arg_ids:  # read from outside through a view or detach of the argument itself
            donation.dead.pop(reads[id(node)], None)
        elif id(base) not in roots:
            extras[id(base)] = base
            referenced.append((node, count - 1 - uses.get(id(node), 0)))
    if referenced:  # READERS-FRONTIER: realize the (smaller) values that the readers outside hold instead
        frontier = _readers_frontier(graph, detaches, referenced)
        if frontier is not None and _nbytes(frontier) < _nbytes(list(extras.values())):
            extras = {id(n): n for n in frontier}
    saved = sum(buf.nbytes for buf, _ in donation.dead.values())
    if any(e.size * e.dtype.itemsize > saved for e in extras.values()):
        # realizing a reader (a big broadcast, say) would cost more memory than writing in place saves
        donation.dead.clear()
        return
    donation.extras = list(extras.values())


#: READERS-FRONTIER: how many nodes outside the graph `_readers_frontier` walks before it gives up
MAX_OUTSIDE_WALK = 256


def _nbytes(nodes: list[LazyOp]) -> int:
    return sum(n.size * n.dtype.itemsize for n in nodes)


def _readers_frontier(graph: Graph, detaches: list[LazyOp], referenced: list[tuple[LazyOp, int]]) -> list[LazyOp] | None:
    """READERS-FRONTIER: the nodes outside the graph that something other than lazy nodes holds (a
    tensor: a loss read after the step), among those reading `referenced` (graph nodes, each with
    its count of references from outside), directly or through other unrealized nodes; a node held
    otherwise (a kept graph, a tensor) is one of them itself. Realizing these instead of the
    referenced nodes leaves nothing outside that reads the old buffers: a step computes its scalar
    loss, not the logits the loss reads. None where the readers are many or on another device."""
    inside = {id(n) for n in graph.nodes} | {id(a) for a in graph.args} | {id(d) for d in detaches}
    outside = [n for n in live_nodes() if id(n) not in inside]
    counts = _refcounts(outside)  # references besides `outside`
    occurrences: dict[int, int] = {}  # id(node) -> how often it is a source of an outside node
    readers: dict[int, list[int]] = {}  # id(node) -> the outside nodes reading it (indices)
    for i, n in enumerate(outside):
        for src in n.srcs:
            occurrences[id(src)] = occurrences.get(id(src), 0) + 1
            readers.setdefault(id(src), []).append(i)
    frontier: dict[int, LazyOp] = {}
    seen: set[int] = set()
    for node, refs in referenced:
        if refs > occurrences.get(id(node), 0):  # held by more than unrealized nodes: realized itself
            base = _under_views(node)
            frontier[id(base)] = base
        stack = list(readers.get(id(node), ()))
        while stack:
            i = stack.pop()
            if i in seen:
                continue
            seen.add(i)
            reader = outside[i]
            if len(seen) > MAX_OUTSIDE_WALK or reader.device != node.device or reader.op == "multi":
                return None
            if counts[i] > occurrences.get(id(reader), 0):
                frontier[id(reader)] = reader
            stack.extend(readers.get(id(reader), ()))
    return list(frontier.values())


def with_outputs(graph: Graph, extras: list[LazyOp]) -> Graph:
    """The graph with further outputs: what `collect` of the longer list of roots gives. Nodes of its
    own are numbered alike, without walking the graph again; nodes outside it (READERS-FRONTIER) are
    collected first, so that their kernels run early and what only they read is freed early."""
    from tinyir.frontend.realize import Graph, collect

    position = {id(n): i for i, n in enumerate(graph.nodes)}
    if any(id(e) not in position for e in extras):
        again = collect([*extras, *graph.outputs])
        entries, indices = again.key
        return Graph(again.nodes, again.args, [*graph.outputs, *extras],
                     (entries, (*indices[len(extras):], *indices[:len(extras)])))
    entries, outputs = graph.key
    return Graph(graph.nodes, graph.args, [*graph.outputs, *extras],
                 (entries, (*outputs, *[position[id(e)] for e in extras])))


def _undetached(node: LazyOp) -> LazyOp:
    while node.op == "detach":
        node = node.srcs[0]
    return node


def _under_views(node: LazyOp) -> LazyOp:
    """The node a chain of detaches and movement ops starts from: realizing it is enough for the
    chain to stop reading anything else (a permuted gradient needs no copy of its own)."""
    while node.op == "detach" or node.op in MOVEMENT:
        node = node.srcs[0]
    return node


def choose(program: Any, graph: Graph, pending: list[LazyOp], donation: Donation) -> dict[int, Buffer]:
    """Output index -> the dead input buffer it is written into, where the program allows it."""
    into: dict[int, Buffer] = {}
    if not donation.write:
        return into
    position = {id(a): i for i, a in enumerate(graph.args)}  # the graph may have been collected again
    free = [(buf, tuple(position[id(n)] for n in nodes)) for buf, nodes in donation.dead.values()
            if all(id(n) in position for n in nodes)]
    for index, root in enumerate(pending):
        for k, (buf, indices) in enumerate(free):
            if (buf.shape == root.shape and buf.dtype == root.dtype.np and buf.device == root.device
                    and can_write_into(program, index, indices)):
                into[index] = buf
                del free[k]
                break
    return into


def retire(donation: Donation, into: dict[int, Buffer]) -> None:
    """The argument nodes of overwritten buffers no longer hold them (see the module docstring)."""
    written = {id(b) for b in into.values()}
    for buf_id, (_, nodes) in donation.dead.items():
        if buf_id in written:
            for node in nodes:
                node.unregister()
                node.op, node.srcs, node.arg, node.realized = OVERWRITTEN, (), None, None


def read_retired(extras: list[LazyOp]) -> set[int]:
    """Ids of the extra outputs whose graph reads a retired argument node (not through a `detach`).
    RETIRED-GRAPH: such a graph can no longer be realized or differentiated where it reads the old
    value, and keeping it would keep every realized value inside it alive (a training step's logits,
    held by the gradients in `p.grad` until the next step): these extras drop their graphs like
    other realized nodes, and their lineage makes autodiff through them a clear error."""
    reads: dict[int, bool] = {}
    for node in toposort(extras, cut=lambda n: n.op == "detach"):
        reads[id(node)] = node.op == OVERWRITTEN or (
            node.op != "detach" and any(reads.get(id(src), False) for src in node.srcs))
    return {id(e) for e in extras if reads.get(id(e), False)}


def mark_dropped(nodes: list[LazyOp]) -> None:
    """RETIRED-GRAPH: these realized nodes dropped their graphs because they read overwritten values."""
    for node in nodes:
        if node.lineage is None:
            node.lineage = weakref.WeakSet()
        node.lineage.add(DROPPED_FOR_OVERWRITE)


def refuse_overwritten(node: LazyOp, operands: list[Any]) -> Any:
    """The `tir` builder of a retired node: one clear error."""
    raise TinyirError(f"a tensor of shape {node.shape} {node.dtype.name} was overwritten in place by a later "
                      f"assign (an optimizer step) and its old value is gone; realize what reads it before the "
                      f"step, or set TINYIR_INPLACE=0")


__all__ = ["DROPPED_FOR_OVERWRITE", "OVERWRITTEN", "SETTINGS", "Donation", "InplaceSettings", "choose",
           "mark_dropped", "prepare", "read_retired", "refuse_overwritten", "retire",
           "with_outputs"]
