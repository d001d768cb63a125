"""Launch order for peak memory: run the kernels of a program in an order that frees buffers early.

The passes leave kernels in the order the frontend built the graph (a depth-first walk from the
outputs), which can keep a big intermediate alive long after most of its readers ran: in a training
step the logits live until the last weight gradient that reads them. `reorder` lists the kernels
again, greedily: of the kernels whose inputs are ready, the one that frees the most bytes (inputs it
is the last reader of) less the bytes it allocates, ties in the old order; a second, milder order
keeps the old one but where a ready kernel frees more than it allocates. It keeps whichever order
gives the lowest peak of the memory plan (tinyir/runtime/planner.py, simulated as the executor runs
it; outputs a run may write in place cost nothing), and the old order unless one is lower. Each
kernel computes the same values from the same inputs, so results are bit-identical. A full-size GPT
training step (tools/bench_memory.py): peak 16.35 MB -> 15.37 MB (the backward pass computes weight
gradients sooner, freeing the activations they read). About 12 ms for its 188 kernels.

Orders the frontend relies on are kept: a kernel that may write an output over an input buffer
(IN-PLACE, tinyir/runtime/donation.py: it reads that input only at the element it writes) stays
after the kernels that read that input before it, or any input of its shape and dtype (one buffer
may be passed as several arguments). `TINYIR_KERNEL_ORDER=0` keeps the passes' order
(`SETTINGS.enabled`; read when a program is compiled, and stored with it in the disk cache).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any

from tinyir.runtime.planner import plan_memory


@dataclass
class OrderSettings:
    """Read once from the environment; tests flip the field."""

    enabled: bool = field(default_factory=lambda: os.environ.get("TINYIR_KERNEL_ORDER", "1").strip() != "0")


SETTINGS = OrderSettings()


def reorder(program: Any) -> bool:
    """Reorder `program.steps` (and its per-kernel `same_element` facts) for a lower peak; True if
    it did. A program whose kernels do not each write a buffer of their own (operand 0) is left alone."""
    steps, outputs = program.steps, program.out_slots
    kernels = [i for i, s in enumerate(steps) if s.kind == "kernel"]
    in_place = _maybe_in_place(program, kernels)
    # one buffer may come as several arguments (a parameter read by the forward pass and its update):
    # which ones is known only when it runs, so arguments of one shape and dtype count as one
    arg_types = dict(zip(program.arg_slots, [(tuple(shape), str(dtype)) for shape, dtype in program.input_types]))
    best_peak, order, candidate = simulated_peak(steps, outputs, in_place), None, steps
    for keep_old_order in (True, False):
        found = _greedy_order(steps, kernels, outputs, program.same_element, in_place, arg_types, keep_old_order)
        if found is None or found == list(range(len(kernels))):
            continue
        rebuilt = _rebuilt(steps, kernels, found)
        peak = simulated_peak(rebuilt, outputs, in_place)
        if peak < best_peak:
            best_peak, order, candidate = peak, found, rebuilt
    if order is None:
        return False
    program.steps = candidate
    # per-kernel lists follow the launch order (a saved plan names each kernel step's source by position)
    if program.same_element is not None:
        program.same_element = [program.same_element[k] for k in order]
    if len(program.kernels) == len(order):
        program.kernels = [program.kernels[k] for k in order]
    if len(program.kernel_hashes) == len(order):
        program.kernel_hashes = [program.kernel_hashes[k] for k in order]
    return True


def _maybe_in_place(program: Any, kernels: list[int]) -> set[int]:
    """Output slots a run may write over an argument of their size (IN-PLACE: their kernel reads
    that argument only at the element it writes): they cost no new memory then."""
    facts = program.same_element
    if facts is None or len(facts) != len(kernels):
        return set()
    arg_bytes = {slot: math.prod(shape) * dtype.itemsize for slot, (shape, dtype) in zip(program.arg_slots, program.input_types)}
    outputs = set(program.out_slots)
    out: set[int] = set()
    for k, i in enumerate(kernels):
        step = program.steps[i]
        written = step.operands[0]
        if written in outputs and any(arg_bytes.get(step.operands[p]) == _bytes(program.steps, written) for p in facts[k]):
            out.add(written)
    return out


def _bytes(steps: list[Any], slot: int) -> int | None:
    found = next((s for s in steps if s.kind == "alloc" and s.result == slot), None)
    return None if found is None else math.prod(found.shape) * found.dtype.itemsize


def _greedy_order(steps: list[Any], kernels: list[int], outputs: list[int],
                  facts: list[frozenset[int]] | None, in_place: set[int], arg_types: dict[int, tuple],
                  keep_old_order: bool) -> list[int] | None:
    """Kernel positions (indices into `kernels`) in the new order, or None if the program is not
    in the one-output-per-kernel form this reads. `keep_old_order`: the next kernel of the old order
    runs unless a ready kernel frees more than it allocates (and more than that one frees)."""
    allocs = {s.result: s for s in steps if s.kind == "alloc"}
    writer: dict[int, int] = {}
    for k, i in enumerate(kernels):
        out = steps[i].operands[0]
        if out in writer or out not in allocs:
            return None
        writer[out] = k
    deps: list[set[int]] = []
    readers: dict[int, list[int]] = {}
    for k, i in enumerate(kernels):
        reads = set(steps[i].operands[1:])
        found = {writer[s] for s in reads if s in writer}
        if any(d >= k for d in found):  # read before written: not a form this understands
            return None
        deps.append(found)
        for s in reads:
            readers.setdefault(s, []).append(k)
    if facts is not None and len(facts) == len(kernels):
        output_set = set(outputs)
        for k, i in enumerate(kernels):  # IN-PLACE: a possible in-place writer stays after the input's readers
            if steps[i].operands[0] not in output_set:
                continue
            for position in facts[k]:
                slot = steps[i].operands[position]
                if slot in arg_types:  # a program argument, maybe one buffer with others of its type
                    for alias in (a for a, t in arg_types.items() if t == arg_types[slot]):
                        deps[k] |= {r for r in readers.get(alias, ()) if r < k}
    output_set = set(outputs)
    size = {slot: 0 if slot in in_place else math.prod(s.shape) * s.dtype.itemsize for slot, s in allocs.items()}
    waiting = {s: len(ks) for s, ks in readers.items()}  # readers not yet run, per slot
    users = [[] for _ in kernels]  # kernels that depend on each kernel
    pending = [len(d) for d in deps]
    for k, d in enumerate(deps):
        for j in d:
            users[j].append(k)
    ready = [k for k in range(len(kernels)) if pending[k] == 0]
    order: list[int] = []
    while ready:
        def score(k: int) -> tuple[int, int]:
            operands = steps[kernels[k]].operands
            freed = sum(size[s] for s in set(operands[1:])
                        if s in size and s not in output_set and waiting.get(s, 0) == 1)
            return (freed - size[operands[0]], -k)

        first = min(ready)  # the old order, unless a ready kernel frees more than it allocates
        best = max(ready, key=score)
        if keep_old_order and score(best)[0] <= max(0, score(first)[0]):
            best = first
        ready.remove(best)
        order.append(best)
        for s in set(steps[kernels[best]].operands[1:]):
            waiting[s] -= 1
        for u in users[best]:
            pending[u] -= 1
            if pending[u] == 0:
                ready.append(u)
    return order if len(order) == len(kernels) else None


def _rebuilt(steps: list[Any], kernels: list[int], order: list[int]) -> list[Any]:
    """The steps with the kernels in `order`, each right after the alloc of the buffer it writes;
    constants and allocs no kernel writes first, as they were."""
    written = {steps[i].operands[0] for i in kernels}
    alloc_of = {s.result: s for s in steps if s.kind == "alloc"}
    head = [s for s in steps if s.kind == "const" or (s.kind == "alloc" and s.result not in written)]
    body: list[Any] = []
    for k in order:
        kernel = steps[kernels[k]]
        body.append(alloc_of[kernel.operands[0]])
        body.append(kernel)
    return head + body


def simulated_peak(steps: list[Any], outputs: list[int], in_place: set[int] = frozenset()) -> int:
    """Bytes the executor holds at its peak for these steps (pools from their first user to their
    last, other buffers from their alloc to their last use; outputs to the end, but for those in
    `in_place`), inputs aside."""
    plan = plan_memory(steps, outputs)
    output_set = set(outputs)
    last: dict[int, int] = {}
    for index, step in enumerate(steps):
        if step.kind == "kernel":
            for slot in step.operands:
                last[slot] = index
    frees: dict[int, int] = {}  # step index -> bytes given back after it
    pool_end: dict[int, int] = {}
    for index, step in enumerate(steps):
        if step.kind != "alloc" or step.result not in last:
            continue
        pool = plan.pool_of.get(index, -1)
        if pool >= 0:
            pool_end[pool] = max(pool_end.get(pool, -1), last[step.result])
        elif step.result not in output_set:
            frees[last[step.result]] = frees.get(last[step.result], 0) + math.prod(step.shape) * step.dtype.itemsize
    for pool, end in pool_end.items():
        frees[end] = frees.get(end, 0) + plan.pool_sizes[pool]
    live = peak = 0
    started: set[int] = set()
    for index, step in enumerate(steps):
        if step.kind == "alloc":
            pool = plan.pool_of.get(index, -1)
            if pool < 0:
                live += 0 if step.result in in_place else math.prod(step.shape) * step.dtype.itemsize
            elif pool not in started:
                started.add(pool)
                live += plan.pool_sizes[pool]
            peak = max(peak, live)
        live -= frees.get(index, 0)
    return peak


__all__ = ["SETTINGS", "OrderSettings", "reorder", "simulated_peak"]
