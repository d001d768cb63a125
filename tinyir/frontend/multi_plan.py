"""Realizing graphs that span devices from a cached plan (docs/multi-gpu.md, "How a collective is scheduled").

A sharded step's graph is one lazy graph over several devices, cut at its `allreduce` nodes. Working
out its schedule (the rounds of collectives, the per-device subgraphs, their programs) walks the
graph many times; doing that on every step made a two-device step several times slower than a
one-device one. So, like a one-device realize caches its program by the graph's structure
(realize.py), a multi-device realize caches its *plan* by the structure of the whole graph plus
every node's device: a list of steps that refer to values by their position in the graph, not by
node. A cached realize walks the graph once (to find its structure and its argument buffers), runs
the steps, and stores only the roots' values (intermediate values, collectives' results included,
are not kept, as on one device).

Steps are runnables with `execute(input buffers) -> output buffers`: compiled programs, and
`CollectiveRun` for a round's collectives, so a TinyJit capture (tinyir/runtime/jit.py) records and
replays both the same way. The plan holds no lazy nodes and no buffers (a cached plan must not keep
a graph alive).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tinyir.frontend.lazy import LazyOp
from tinyir.runtime.bounded import BoundedCache

COLLECTIVE = "allreduce"  # multi.COLLECTIVE (kept here too: multi.py imports this module)

# A value in a plan: >= 0 the node of that position in the graph (Graph.nodes), < 0 the argument -1-ref.
Ref = int


@dataclass(frozen=True)
class CollectiveRun:
    """One round's all-reduces as one runnable step (one NCCL group on GPUs): `execute` takes every
    collective's source buffers, one collective after the other, and returns every result the same way."""

    calls: tuple[tuple[int, str], ...]  # per collective: (number of source buffers, "sum" | "max")

    def execute(self, inputs: Sequence[Any]) -> list[Any]:
        from tinyir.runtime.collectives import all_reduce_many

        groups, start = [], 0
        for count, op in self.calls:
            groups.append((list(inputs[start:start + count]), op))
            start += count
        return [b for result in all_reduce_many(groups) for b in result]


@dataclass(frozen=True)
class Step:
    runnable: Any               # a compiled Program, or a CollectiveRun
    device: str                 # the program's device ("" for a collective round)
    inputs: tuple[Ref, ...]
    outputs: tuple[Ref | None, ...]  # where each output buffer goes (None: nowhere)
    op_count: int = 0           # the program's lazy ops (DEBUG=1's line)


@dataclass(frozen=True)
class Plan:
    steps: tuple[Step, ...]
    roots: tuple[Ref, ...]      # the value of each root, in the order realize was given them


@dataclass
class PlanCache:
    """The plans built so far (most recently used), and how often one was built or reused."""

    plans: BoundedCache
    built: int = 0
    reused: int = 0


PLANS = PlanCache(BoundedCache(256))


def plan_key(graph: Any) -> tuple:
    """The graph's structure (realize.collect's key) with every node's and argument's device."""
    return (graph.key, tuple([n.device for n in graph.nodes]), tuple([a.device for a in graph.args]))


def realize(graph: Any, cache: PlanCache = PLANS) -> list[Any] | None:
    """The buffers of `graph.outputs` (a graph over several devices, realize.collect's), computed by
    its cached plan (built on first sight). None if the graph has no collective and its roots all
    sit on one device: it really mixes devices (the caller raises)."""
    key = plan_key(graph)
    plan = cache.plans.get(key)
    if plan is None:
        plan = build_plan(graph)
        if plan is None:
            return None
        cache.plans[key] = plan
        cache.built += 1
    else:
        cache.reused += 1
    return run_plan(plan, [a.realized for a in graph.args], len(graph.nodes))


def run_plan(plan: Plan, args: list[Any], node_count: int) -> list[Any]:
    from tinyir.frontend.realize import debug_level
    from tinyir.runtime import jit

    values: list[Any] = [None] * node_count
    debug = debug_level()
    for step in plan.steps:
        inputs = [args[-1 - r] if r < 0 else values[r] for r in step.inputs]
        outputs = step.runnable.execute(inputs)
        if jit.CAPTURING:
            jit.note_run(step.runnable, inputs, outputs)
        if debug >= 1 and step.device:
            print(f"realize: {step.op_count} ops, {len(inputs)} inputs -> {len(outputs)} outputs on {step.device}",
                  file=sys.stderr)
        for r, value in zip(step.outputs, outputs):
            if r is not None:
                values[r] = value
    return [args[-1 - r] if r < 0 else values[r] for r in plan.roots]


def build_plan(graph: Any) -> Plan | None:
    """The schedule of a graph over several devices, in rounds: every collective whose sources read
    no collective not yet computed is ready; the sources of all ready ones are computed together (one
    program per device, so a backward pass's gradients come out of one program), then the ready
    collectives run (one `CollectiveRun`); when none is left, the roots (one program per device)."""
    nodes: list[LazyOp] = graph.nodes
    refs: dict[int, Ref] = {id(a): -1 - i for i, a in enumerate(graph.args)}
    refs.update({id(n): i for i, n in enumerate(nodes)})

    def ref(node: LazyOp) -> Ref:
        while id(node) not in refs:  # only a `detach` is missing (collect makes it transparent)
            node = node.srcs[0]
        return refs[id(node)]

    sources = [[ref(s) for s in n.srcs] for n in nodes]
    computed: set[Ref] = set()
    steps: list[Step] = []
    while True:
        waiting: dict[Ref, bool] = {}  # node -> whether it reads a collective not yet computed
        ready: list[Ref] = []
        for i, node in enumerate(nodes):
            if i in computed:
                continue
            reads = any(waiting.get(r, False) for r in sources[i])
            if node.op == COLLECTIVE:
                if not reads:
                    ready.append(i)
                reads = True
            waiting[i] = reads
        if not ready:
            break
        wanted = [r for i in ready for r in sources[i]]
        steps += _programs(graph, [nodes[r] for r in dict.fromkeys(wanted) if r >= 0 and r not in computed],
                           ref, computed)
        steps.append(_collective_step(nodes, ready, sources))
        computed.update(ready)
    roots = [ref(r) for r in graph.outputs]
    if not steps and len({r.device for r in graph.outputs}) == 1:
        return None
    steps += _programs(graph, [nodes[r] for r in dict.fromkeys(roots) if r >= 0 and r not in computed], ref, computed)
    return Plan(tuple(steps), tuple(roots))


def _programs(graph: Any, wanted: list[LazyOp], ref: Any, computed: set[Ref]) -> list[Step]:
    """One program per device computing `wanted` from the graph's arguments and the values computed
    so far (marked computed)."""
    from tinyir.frontend.realize import _program, collect

    position = {id(n): i for i, n in enumerate(graph.nodes)}

    def done(node: LazyOp) -> bool:  # an argument of the program: realized, or computed by an earlier step
        return node.realized is not None or position.get(id(node), -1) in computed

    by_device: dict[str, list[LazyOp]] = {}
    for node in wanted:
        by_device.setdefault(node.device, []).append(node)
    steps = []
    for device, outs in by_device.items():
        sub = collect(outs, done)
        mixed = {n.device for n in sub.nodes} | {a.device for a in sub.args}
        if mixed != {device}:
            raise RuntimeError(f"realize: the graph mixes devices {sorted(mixed)}; move tensors with .to()")
        program = _program(sub, device)
        out_refs = tuple(ref(o) for o in outs)
        steps.append(Step(program, device, tuple(ref(a) for a in sub.args), out_refs, len(sub.nodes)))
        computed.update(out_refs)
    return steps


def _collective_step(nodes: list[LazyOp], ready: list[Ref], sources: list[list[Ref]]) -> Step:
    """The ready collectives as one step: nodes with the same sources and op are one collective
    (one node per device), each fed its sources and giving every member its device's result."""
    groups: dict[tuple, list[Ref]] = {}
    for i in ready:
        groups.setdefault((tuple(sources[i]), nodes[i].arg), []).append(i)
    calls, inputs, outputs = [], [], []
    for (srcs, op), members in groups.items():
        first = nodes[members[0]]
        devices = [s.device for s in first.srcs]
        by_device = {nodes[m].device: m for m in members}
        calls.append((len(srcs), op))
        inputs += srcs
        outputs += [by_device.get(d) for d in devices]  # None: no node of this device takes the result
    return Step(CollectiveRun(tuple(calls)), "", tuple(inputs), tuple(outputs))
