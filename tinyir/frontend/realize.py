"""Realizing lazy graphs: lazy nodes -> one `tir` function -> the runtime -> device buffers.

A graph's *structure* (op names, static arguments, shapes, dtypes, constants and how nodes
connect; not buffer contents) is its cache key: the first realize of a structure builds the IR
and compiles it (`tinyir.runtime.compile_program`), every later one only launches the cached
kernels. Realized buffers are the function's arguments, passed as they are: values stay on their
device. A TinyJit capture in progress (tinyir/runtime/jit.py) is told of every program run.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.ir import Block, Operation, Region, SSAValue

from tinyir.frontend import inplace, lazy  # IN-PLACE
from tinyir.frontend.arguments import check_allocatable
from tinyir.frontend.dtypes import DType, from_numpy
from tinyir.frontend.lazy import LazyOp
from tinyir.runtime import jit
from tinyir.runtime.bounded import BoundedCache
from tinyir.runtime.buffer import Buffer, allocator_for
from tinyir.viz.settings import SWITCHES


def debug_level() -> int:
    try:
        return int(os.environ.get("DEBUG", "0"))
    except ValueError:
        return 0


# ---------------------------------------------------------------- lazy op -> tir op

def element_type(dtype: DType) -> Any:
    from tinyir.element_types import element_type as np_to_element

    return np_to_element(dtype.np)


def tensor_type(node: LazyOp) -> TensorType:
    return TensorType(element_type(node.dtype), list(node.shape))


def _builders() -> dict[str, Callable[[LazyOp, list[SSAValue]], Operation]]:
    """How each lazy node kind becomes a `tir` op (the constructors of tinyir/dialects/tensor.py)."""
    from tinyir.dialects import tensor as tir

    def unary(cls: type) -> Callable:
        return lambda n, xs: cls(xs[0])

    def binary(cls: type) -> Callable:
        return lambda n, xs: cls(xs[0], xs[1])

    table: dict[str, Callable[[LazyOp, list[SSAValue]], Operation]] = {
        "const": lambda n, xs: tir.ConstantOp.splat(n.arg, tensor_type(n)),
        "iota": lambda n, xs: tir.IotaOp(n.arg, tensor_type(n)),
        "random_bits": lambda n, xs: tir.RandomBitsOp(xs[0], n.shape),
        "cast": lambda n, xs: tir.CastOp(xs[0], element_type(n.dtype)),
        "bitcast": lambda n, xs: tir.BitcastOp(xs[0], element_type(n.dtype)),
        "where": lambda n, xs: tir.WhereOp(xs[0], xs[1], xs[2]),
        "reduce_sum": lambda n, xs: tir.ReduceSumOp(xs[0], n.arg, keepdims=True),
        "reduce_max": lambda n, xs: tir.ReduceMaxOp(xs[0], n.arg, keepdims=True),
        "reshape": lambda n, xs: tir.ReshapeOp(xs[0], n.arg),
        "permute": lambda n, xs: tir.PermuteOp(xs[0], n.arg),
        "expand": lambda n, xs: tir.ExpandOp(xs[0], n.arg),
        "pad": lambda n, xs: tir.PadOp(xs[0], n.arg),
        "shrink": lambda n, xs: tir.ShrinkOp(xs[0], n.arg),
        "flip": lambda n, xs: tir.FlipOp(xs[0], n.arg),
        inplace.OVERWRITTEN: inplace.refuse_overwritten,  # IN-PLACE
    }
    for name in lazy.UNARY:
        table[name] = unary(getattr(tir, name.capitalize() + "Op"))
    for name in (*lazy.BINARY, *lazy.COMPARE):
        table[name] = binary(getattr(tir, name.capitalize() + "Op"))
    return table


_BUILDERS: dict[str, Callable[[LazyOp, list[SSAValue]], Operation]] = {}


def builders() -> dict[str, Callable[[LazyOp, list[SSAValue]], Operation]]:
    if not _BUILDERS:
        _BUILDERS.update(_builders())
    return _BUILDERS


# ---------------------------------------------------------------- graph -> function

@dataclass
class Graph:
    """A lazy graph cut at its arguments, in topological order, with its structural key."""

    nodes: list[LazyOp]          # every node computed inside the function, sources first
    args: list[LazyOp]           # the function's arguments (realized buffers or cut points)
    outputs: list[LazyOp]
    key: tuple


def _is_realized(node: LazyOp) -> bool:
    return node.realized is not None


def collect(outputs: list[LazyOp], cut: Callable[[LazyOp], bool] = _is_realized) -> Graph:
    """Walk back from `outputs`, stopping at nodes where `cut` holds (they become arguments).
    `detach` nodes are transparent here (they are identities).

    One iterative post-order walk (graphs can be deep) numbers the nodes and builds the key: this
    runs on every realize, cached or not."""
    index: dict[int, int] = {}
    args: list[LazyOp] = []
    nodes: list[LazyOp] = []
    entries: list[tuple] = []
    for root in outputs:
        stack: list[tuple[LazyOp, bool]] = [(root, False)]
        while stack:
            node, expanded = stack.pop()
            key = id(node)
            if expanded:  # every source is numbered
                if node.op == "detach":
                    index[key] = index[id(node.srcs[0])]
                else:
                    index[key] = len(nodes)
                    nodes.append(node)
                    entries.append((node.op, node.arg, node.shape, node.dtype.name,
                                    tuple([index[id(s)] for s in node.srcs])))
                continue
            if key in index:
                continue
            if cut(node):
                index[key] = -1 - len(args)
                args.append(node)
                entries.append(("arg", node.shape, node.dtype.name))
                continue
            index[key] = 0  # on the stack (a DAG has no cycles: overwritten once its sources are done)
            stack.append((node, True))
            for src in reversed(node.srcs):
                if id(src) not in index:
                    stack.append((src, False))
    return Graph(nodes, args, outputs, (tuple(entries), tuple(index[id(o)] for o in outputs)))


def build_function(graph: Graph, name: str = "main") -> tuple[ModuleOp, dict[int, SSAValue]]:
    """The graph as `func.func @main(args) -> outputs` of tir ops. Returns the module and the
    SSA value of every node (keyed by id)."""
    table = builders()
    block = Block(arg_types=[tensor_type(a) for a in graph.args])
    values: dict[int, SSAValue] = {id(a): v for a, v in zip(graph.args, block.args)}

    def value_of(node: LazyOp) -> SSAValue:
        while id(node) not in values and node.op == "detach":
            node = node.srcs[0]
        return values[id(node)]

    for node in graph.nodes:
        op = table[node.op](node, [value_of(s) for s in node.srcs])
        block.add_op(op)
        values[id(node)] = op.results[0]
    results = [value_of(o) for o in graph.outputs]
    block.add_op(func.ReturnOp(*results))
    fn = func.FuncOp(name, ([tensor_type(a) for a in graph.args], [r.type for r in results]), Region(block))
    return ModuleOp([fn]), values


# ---------------------------------------------------------------- realize

_PROGRAMS: BoundedCache[tuple, Any] = BoundedCache(512)  # the most recently used programs (bounded.py)
STATS = {"compiled": 0, "cached": 0}


def _program(graph: Graph, device: str) -> Any:
    from tinyir.runtime import compile_program

    key = (device, graph.key)
    program = _PROGRAMS.get(key)
    if program is None:
        module, _ = build_function(graph)
        if debug_level() >= 4:
            from tinyir.ir import to_text

            print(f"// -----// tensor-level IR from the frontend //----- //\n{to_text(module)}", file=sys.stderr)
        program = compile_program(module, device)
        _PROGRAMS[key] = program
        STATS["compiled"] += 1
    else:
        STATS["cached"] += 1
    return program


def _keeps_history(roots: list[LazyOp]) -> set[int]:
    """Ids of the roots whose graph autodiff may still need: they depend, through ops that are
    not `detach`, on a tensor with requires_grad (and gradients are on). Other roots drop their
    graph when realized, so long-running loops do not accumulate history; they keep a weak
    `lineage` instead, so autodiff raises (not returns zeros) if one of those inputs later
    requires grad."""
    from tinyir.frontend.autograd import REQUIRES_GRAD
    from tinyir.frontend.tensor import Tensor

    if Tensor.no_grad:
        return set()
    wanted = {id(t.lazydata) for t in list(REQUIRES_GRAD) if t.requires_grad}
    wanted |= {id(s) for t in list(REQUIRES_GRAD) if t.requires_grad and t.lazydata.op == "multi"
               for s in t.lazydata.srcs}  # MULTI-DEVICE: a sharded parameter is its shards
    if not wanted:
        return set()
    depends: dict[int, bool] = {}
    for node in lazy.toposort(roots):
        depends[id(node)] = id(node) in wanted or (
            node.op != "detach" and any(depends.get(id(s), False) for s in node.srcs))
    return {id(r) for r in roots if depends.get(id(r), False)}


def realize_nodes(roots: list[LazyOp]) -> None:
    """Compute every unrealized root in one program and store its value on the node (roots on
    several devices, or reading a collective: one program per device, tinyir/frontend/multi.py)."""
    if any(r.op == "multi" for r in roots):  # MULTI-DEVICE: a sharded tensor is its shards
        roots = [s for r in roots for s in (r.srcs if r.op == "multi" else (r,))]
    pending: list[LazyOp] = []
    for r in roots:
        if r.realized is None and all(r is not p for p in pending):
            pending.append(r)
    if not pending:
        return
    keep = _keeps_history(pending)
    from tinyir.frontend.tensor import Tensor

    def store(node: LazyOp, value: Buffer) -> None:
        if id(node) in keep and node.op != "detach":  # a detach has no history to keep
            node.keep_value(value)
        else:
            node.become_buffer(value, track_lineage=not Tensor.no_grad)

    for r in pending:  # before anything is allocated: a tensor too large to hold is a clear error
        check_allocatable(r.shape, r.dtype.itemsize, "realize")
    for r in [r for r in pending if r.size == 0]:  # nothing to compute: zero elements
        store(r, allocator_for(r.device).alloc(r.shape, r.dtype.np))
    pending = [r for r in pending if r.size != 0]
    if not pending:
        return
    graph = collect(pending)
    devices = {n.device for n in graph.nodes} | {a.device for a in graph.args}
    if len(devices) > 1:  # MULTI-DEVICE: collectives first, then one program per device, from a cached plan
        from tinyir.frontend.multi_plan import realize as realize_across_devices

        values = realize_across_devices(graph)
        if values is None:
            raise RuntimeError(f"realize: the graph mixes devices {sorted(devices)}; move tensors with .to()")
        for node, value in zip(pending, values):
            store(node, value)
        return
    if not graph.nodes:  # every root is a detach of a realized node
        for r in pending:
            src = r
            while src.realized is None and src.op == "detach":
                src = src.srcs[0]
            store(r, src.realized)
        return
    device = devices.pop()
    # IN-PLACE: input buffers nothing reads afterwards; never when a root keeps its graph for autodiff,
    # which still reads its inputs (a loss realized before its backward)
    histories = any(id(r) in keep and r.op != "detach" for r in pending)  # a detach keeps no history
    donation = inplace.prepare(graph, pending) if not histories else None
    if donation is not None and donation.extras:  # IN-PLACE: readers from outside are computed now
        pending = pending + donation.extras
        keep |= {id(e) for e in donation.extras}  # they keep their graphs, as they did unrealized
        graph = inplace.with_outputs(graph, donation.extras)
    if SWITCHES.graph:  # GRAPH=1 draws what was realized (tinyir/viz/graph.py)
        from tinyir.viz.graph import note_realize

        note_realize(graph)
    program = _program(graph, device)
    if debug_level() >= 1:
        print(f"realize: {len(graph.nodes)} ops, {len(graph.args)} inputs -> {len(pending)} outputs on {device}",
              file=sys.stderr)
    ins = [a.realized for a in graph.args]
    into = inplace.choose(program, graph, pending, donation) if donation is not None else None  # IN-PLACE
    outs = program.execute(ins, into)
    dropped: set[int] = set()
    if into:  # IN-PLACE
        inplace.retire(donation, into)
        dropped = inplace.read_retired(donation.extras)  # RETIRED-GRAPH: nothing can run through their graphs
        keep -= dropped
    if jit.CAPTURING:
        jit.note_run(program, ins, outs)
    for node, value in zip(pending, outs):
        store(node, value)
    if dropped:  # RETIRED-GRAPH
        inplace.mark_dropped([node for node in pending if id(node) in dropped])


def dtype_of_type(t: TensorType) -> DType:
    from tinyir.element_types import numpy_dtype

    return from_numpy(numpy_dtype(t.element_type))


def clear_cache() -> None:
    from tinyir.frontend.multi_plan import PLANS

    _PROGRAMS.clear()
    PLANS.plans.clear()  # MULTI-DEVICE: plans hold programs too
