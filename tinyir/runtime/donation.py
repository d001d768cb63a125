"""In-place outputs: a program may write an output into the buffer of an input that nothing reads afterwards.

`Tensor.assign` (optimizers, running statistics) makes a new value from the old one; giving the new
value a buffer of its own keeps two copies of every parameter and optimizer moment alive during a
training step. The frontend (tinyir/frontend/inplace.py) finds inputs whose buffers nothing else will
read after the program; this module says where a program can write an output into such a buffer
without any of its kernels reading an element after it was overwritten:

  * per kernel, at the shapetracker level (after `fold-views`, where every buffer access is an
    `st.load` or the kernel's one `st.store` through a view): the inputs read only at the element the
    kernel writes (`same_element_inputs`): every load of the input uses exactly the store's view,
    the store's view is contiguous (each element written once), and every op between such a load and
    the store is elementwise, so each output element depends on that input only at the same element.
    Passes after this level (loops, kernel-optimize, vectorizing) keep each output element computed
    from the same input elements, by the work item that stores it.
  * per program (`can_write_into`): the kernel writing the output is the last kernel touching the
    input's buffer, and it reads that buffer only at the same element; kernels after it read the new
    value through the output, as they would have read the fresh buffer.
"""

from __future__ import annotations

from typing import Any

from xdsl.ir import Operation

from tinyir import alu
from tinyir.dialects import shapetracker as st
from tinyir.shapetracker.view import View

#: kernel-body ops that compute each element from the same element of their operands (the ALU table's ops)
ELEMENTWISE = frozenset(f"tir.{name}" for name in (*alu.UNARY, *alu.BINARY, *alu.COMPARE, "where", "cast", "bitcast"))


def same_element_inputs(kernel: st.KernelOp) -> frozenset[int]:
    """Operand positions (1, 2, ...) of the inputs this kernel reads only at the element it writes."""
    store = kernel.body.block.last_op
    if not isinstance(store, st.StoreOp):  # not the one-store form this reads: nothing is known
        return frozenset()
    views = store.views.data
    if len(views) != 1:
        return frozenset()
    view = views[0].view
    if view.mask is not None or view != View.create(view.shape):  # contiguous: each element written once
        return frozenset()
    args = kernel.body.block.args
    out: set[int] = set()
    for position in range(1, len(args)):
        uses = [use.operation for use in args[position].uses]
        if uses and all(isinstance(op, st.LoadOp) and op.views == store.views and _elementwise_to(op, store)
                        for op in uses):
            out.add(position)
    return frozenset(out)


def _elementwise_to(load: st.LoadOp, store: st.StoreOp) -> bool:
    """Every op the load's value flows through on its way to the store is elementwise over the store's shape."""
    shape = store.value.type
    stack: list[Operation] = [use.operation for use in load.result.uses]
    seen: set[int] = set()
    while stack:
        op = stack.pop()
        if op is store:
            continue
        if id(op) in seen:
            continue
        seen.add(id(op))
        if op.name not in ELEMENTWISE or any(r.type.get_shape() != shape.get_shape() for r in op.results):
            return False
        for result in op.results:
            stack.extend(use.operation for use in result.uses)
    return True


def module_same_element(module: Operation) -> list[tuple[int, frozenset[int]]]:
    """(operand count, `same_element_inputs`) of every `st.kernel` of the module, in launch order."""
    return [(len(op.buffers), same_element_inputs(op)) for op in module.walk() if isinstance(op, st.KernelOp)]


def kernels_in_order(facts: list[tuple[int, frozenset[int]]] | None, steps: list[Any]) -> list[frozenset[int]] | None:
    """The facts of each kernel step, in launch order (the passes after the shapetracker level keep
    the kernels' order; names do not identify them: a kernel compiled for another program keeps
    that program's name). None where the kernels do not line up."""
    kernels = [s for s in steps if s.kind == "kernel"]
    if facts is None or len(facts) != len(kernels) or any(n != len(k.operands) for (n, _), k in zip(facts, kernels)):
        return None
    return [f for _, f in facts]


def can_write_into(program: Any, out_index: int, arg_indices: tuple[int, ...]) -> bool:
    """Whether `program` may write output `out_index` into the buffer passed as every argument in
    `arg_indices` (one buffer may be passed as several arguments), given that nothing outside the
    program reads that buffer afterwards. Cached on the program."""
    key = (out_index, arg_indices)
    found = program.write_into_cache.get(key)
    if found is None:
        found = program.write_into_cache[key] = _can_write_into(program, out_index, arg_indices)
    return found


def _can_write_into(program: Any, out_index: int, arg_indices: tuple[int, ...]) -> bool:
    facts = program.same_element
    if facts is None or program.reference_module is not None:
        return False
    out = program.out_slots[out_index]
    held = {program.arg_slots[i] for i in arg_indices}
    if program.out_slots.count(out) != 1 or held & set(program.out_slots):
        return False
    kernels = [step for step in program.steps if step.kind == "kernel"]
    if len(kernels) != len(facts):
        return False
    writer = next((k for k, step in enumerate(kernels) if step.operands[0] == out), None)
    if writer is None:  # the output is a constant or an argument, not written by a kernel
        return False
    for k, step in enumerate(kernels[writer:], start=writer):
        reads = [position for position, slot in enumerate(step.operands) if slot in held]
        if k > writer and reads:  # would read the new value where the program means the old one
            return False
        if k == writer and any(position == 0 or position not in facts[k] for position in reads):
            return False
    return True


__all__ = ["ELEMENTWISE", "can_write_into", "kernels_in_order", "module_same_element", "same_element_inputs"]
