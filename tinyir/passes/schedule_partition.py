"""Kernel partition for `schedule-kernels`: which tensors are realized, and what each kernel holds.

This is plain Python analysis over the SSA graph of the entry function (primitive `tir` ops only,
after `tensor-decompose`); `tinyir/passes/schedule.py` builds the IR from its answer.

A tensor is *realized* when it lives in a buffer of its own. The rules, applied to a fixed point:

1. function arguments are realized (they are the input buffers);
2. a non-splat `tir.constant` is realized as an `st.buffer_constant` (a buffer, no kernel);
3. a function result is realized (it needs an output buffer); if it is an argument, a non-splat
   constant or a result already returned, it gets a *copy kernel* instead (outputs never alias);
4. a reduce is realized when, inside the fused region of some kernel,
   a. its result flows (through fused ops) into another reduce: a kernel holds one reduce;
   b. its result flows through a non-invertible movement op (expand, pad, shrink), or along paths
      with different movements to one op: `fold-views` can only lift invertible movements
      (reshape, permute, flip) past the reduce to the store, the same ones on every path;
   c. it is part of more than one kernel's region: a reduce is computed once, not per consumer;
   d. another reduce that none of a-c realizes meets it in the same kernel (e.g. `sum(x) + max(y)`):
      all but the last of them (in function order) are realized.
   Rules a, b and d do not apply to a *row kernel* (`row_kernel_problem`): every reduce of the
   region reduces the same axes of the same shape (one row per output), at most `max_row` elements
   a row and `MAX_ROW_REDUCES` reduces, and what follows a reduce is elementwise, another such
   reduce, a reshape that only adds or drops size-1 dims, or an `expand` of the reduce's keepdims
   shape back to the row's full shape (softmax, log_softmax, layernorm, `x - mean(x)`). Such a kernel computes its reduces one after
   another per row and then the row's outputs (shapetracker-to-loop gives each its own loop over
   the row).

Everything else (elementwise ops, movement ops, splat constants, iota) is fused into each kernel
that consumes it, and recomputed per consumer when shared (tinygrad's choice: memory traffic costs
more than ALU). The *region* of a realized value is found by walking its operands backwards and
stopping at realized values, which become the kernel's loaded inputs. Every realized value that is
not an argument or a non-splat constant is the root of exactly one kernel; kernels come in the
order of their roots in the function, which is a dependency order because SSA order is one.

The fixed point is monotone (the realized set only grows, regions only shrink), so it terminates;
rule 4 can only become true for a reduce through rules 3 and 4 themselves. At the fixed point
every kernel holds at most one reduce, and only invertible movements follow it, unless it is a row
kernel.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from xdsl.dialects.builtin import DenseIntOrFPElementsAttr
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Block, BlockArgument, Operation, OpResult, SSAValue
from xdsl.utils.exceptions import DiagnosticException

from tinyir.dialects import tensor as tir


def _names(ops: Iterable[type[Operation]]) -> frozenset[str]:
    return frozenset(op.name for op in ops)


MOVEMENT_OPS = _names(tir.MOVEMENT_OPS)
# Movements `fold-views` can invert onto the store, so they may follow a reduce in its kernel.
INVERTIBLE_MOVEMENT_OPS = _names((tir.ReshapeOp, tir.PermuteOp, tir.FlipOp))
REDUCE_OPS = _names(tir.REDUCE_OPS)
SOURCE_OPS = _names(tir.SOURCE_OPS)
ELEMENTWISE_OPS = _names(tir.ELEMENTWISE_OPS)
SCHEDULABLE_OPS = MOVEMENT_OPS | REDUCE_OPS | SOURCE_OPS | ELEMENTWISE_OPS


class ScheduleError(DiagnosticException):
    """The function holds something the scheduler cannot partition (e.g. a composite op)."""


def constant_value(op: Operation) -> DenseIntOrFPElementsAttr | None:
    """The dense value of a `tir.constant` (None for other ops)."""
    if op.name != "tir.constant":
        return None
    value = op.properties.get("value") or op.attributes.get("value")
    return value if isinstance(value, DenseIntOrFPElementsAttr) else None


def is_splat_constant(op: Operation) -> bool:
    """A `tir.constant` whose elements are all equal: it becomes an `st.const` leaf."""
    value = constant_value(op)
    if value is None:
        return False
    if value.is_splat():
        return True
    values = value.get_values()
    return len(values) > 0 and all(v == values[0] for v in values)


def is_buffer_constant(value: SSAValue) -> bool:
    """A non-splat `tir.constant` result: it becomes an `st.buffer_constant`."""
    return isinstance(value, OpResult) and value.owner.name == "tir.constant" and not is_splat_constant(value.owner)


@dataclass
class Kernel:
    """One kernel: it computes `root` from the fused `ops` (block order) and loads `inputs`."""

    root: SSAValue
    ops: list[Operation]
    inputs: list[SSAValue]

    @property
    def reduces(self) -> list[Operation]:
        return [op for op in self.ops if op.name in REDUCE_OPS]


@dataclass
class Schedule:
    """The partition of one function: realized values (with the rule that realized each)."""

    realized: dict[SSAValue, str]
    kernels: list[Kernel]
    # (result index, source value) for each result that gets a copy kernel.
    copies: list[tuple[int, SSAValue]] = field(default_factory=list)

    def reason(self, value: SSAValue) -> str | None:
        return self.realized.get(value)


def entry_function(module: Operation) -> FuncOp | None:
    """The entry `func.func`: `@main`, else the first one."""
    funcs = [op for op in module.walk() if isinstance(op, FuncOp)]
    for func in funcs:
        if func.sym_name.data == "main":
            return func
    return funcs[0] if funcs else None


def fused_region(root: SSAValue, realized: dict[SSAValue, str],
                 position: dict[Operation, int] | None = None) -> Kernel:
    """The ops fused into the kernel of `root`: walk operands back, stopping at realized values.
    `position`: each op of the block at its index (`block_positions`), so that ordering a region
    costs its size and not the block's (a big program has hundreds of regions)."""
    ops: set[Operation] = set()
    inputs: list[SSAValue] = []
    stack = [root]
    seen: set[SSAValue] = set()
    while stack:
        value = stack.pop()
        if value in seen:
            continue
        seen.add(value)
        if value is not root and value in realized:
            inputs.append(value)
            continue
        if not isinstance(value, OpResult):
            raise ScheduleError("an unrealized block argument cannot be fused")
        ops.add(value.owner)
        stack.extend(reversed(value.owner.operands))
    block = root.owner.parent_block() if isinstance(root, OpResult) else None
    if block is None:
        ordered = []
    elif position is not None:
        ordered = sorted((op for op in ops if op in position), key=position.__getitem__)
    else:
        ordered = [op for op in block.ops if op in ops]
    order = {v: i for i, v in enumerate(_first_use_order(ordered, set(inputs)))}
    inputs.sort(key=lambda v: order.get(v, len(order)))
    return Kernel(root, ordered, inputs)


def block_positions(block: Block) -> dict[Operation, int]:
    """Each op of `block` at its index in it."""
    return {op: i for i, op in enumerate(block.ops)}


def _first_use_order(ops: list[Operation], inputs: set[SSAValue]) -> list[SSAValue]:
    """Loaded values in the order the region's ops first use them (stable kernel signatures)."""
    order: list[SSAValue] = []
    for op in ops:
        for operand in op.operands:
            if operand in inputs and operand not in order:
                order.append(operand)
    return order


def _blocked_reduce(reduce: Operation, region: set[Operation]) -> str | None:
    """Why `reduce` cannot stay in this region (rules 4a, 4b), or None if it can."""
    # each value the reduce reaches, with the movements on the way: fold-views lifts them to the store,
    # which it can only do when every path carries the same ones (r * flip(v) + flip(r * v) cannot)
    stack: list[tuple[SSAValue, tuple]] = [(reduce.results[0], ())]
    moved: dict[SSAValue, tuple] = {}
    while stack:
        value, path = stack.pop()
        if value in moved:
            if moved[value] != path:
                return "reaches its consumer along paths with different movements"
            continue
        moved[value] = path
        for use in value.uses:
            user = use.operation
            if user not in region:
                continue
            if user.name in REDUCE_OPS:
                return f"consumed by {user.name}"
            if user.name in MOVEMENT_OPS and user.name not in INVERTIBLE_MOVEMENT_OPS:
                return f"reaches its consumer through {user.name}"
            step = path
            if user.name in MOVEMENT_OPS:
                step = path + ((user.name, tir.shape_of(user.results[0]),
                                tuple(sorted((k, str(v)) for k, v in user.properties.items()))),)
            stack.extend((result, step) for result in user.results)
    return None


#: rows up to this many reduced elements share a kernel with their consumers (split-reduce's
#: threshold: a longer row is split into two reduces and is not one row any more)
MAX_ROW = 32768
#: a row kernel holds at most this many reduces (a chain of four layernorms): each of its loops over
#: the row recomputes the elementwise ops before it, so the work grows with the square of the chain
MAX_ROW_REDUCES = 8


def _row(op: Operation) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(input shape, reduced axes) of a reduce: the rows it reduces."""
    return tir.shape_of(op.operands[0]), tuple(op.axes_tuple())


def keepdims_shape(full: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(1 if d in axes else n for d, n in enumerate(full))


def _only_unit_dims_differ(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return [n for n in a if n != 1] == [n for n in b if n != 1]


def row_kernel_problem(kernel: Kernel, max_row: int = MAX_ROW) -> str | None:
    """Why the region of `kernel` cannot be one row kernel (module docstring), or None if it can."""
    reduces = kernel.reduces
    if not reduces:
        return "no reduce"
    rows = {_row(op) for op in reduces}
    if len(rows) > 1:
        return "reduces over different rows"
    if len(reduces) > MAX_ROW_REDUCES:  # each loop over the row recomputes what came before it
        return f"more than {MAX_ROW_REDUCES} reduces"
    (full, axes), = rows
    if math.prod(full[d] for d in axes) > max_row:
        return f"a row of more than {max_row} elements"
    keep = keepdims_shape(full, axes)
    after: set[Operation] = set()  # ops computed from a reduce (walked in block order)
    for op in kernel.ops:
        if op in after or op.name in REDUCE_OPS or any(isinstance(v, OpResult) and v.owner in after
                                                       for v in op.operands):
            after.add(op)
    for op in kernel.ops:
        if op not in after or op.name in REDUCE_OPS or op.name in ELEMENTWISE_OPS:
            continue
        shape_in, shape_out = tir.shape_of(op.operands[0]), tir.shape_of(op.results[0])
        if op.name == "tir.reshape" and _only_unit_dims_differ(shape_in, shape_out):
            continue
        if op.name == "tir.expand" and shape_in == keep and shape_out == full:
            continue
        return f"{op.name} follows a reduce"
    root_shape = tir.shape_of(kernel.root)
    if root_shape != full and not _only_unit_dims_differ(root_shape, keep):
        return "the result is neither a row nor one value per row"
    return None


def _check_ops(func: FuncOp) -> None:
    for op in func.body.block.ops:
        if isinstance(op, ReturnOp):
            continue
        if op.name not in SCHEDULABLE_OPS:
            hint = " (run tensor-decompose first)" if op.name.startswith("tir.") else ""
            raise ScheduleError(f"schedule-kernels: cannot schedule '{op.name}'{hint}")


def partition(func: FuncOp, max_row: int = MAX_ROW) -> Schedule:
    """Decide the realized values and kernels of `func` (see the module docstring); rows of up to
    `max_row` elements make row kernels (0: none)."""
    _check_ops(func)
    block = func.body.block
    ret = block.last_op
    if not isinstance(ret, ReturnOp):
        raise ScheduleError("schedule-kernels: the entry function must end in func.return")
    realized: dict[SSAValue, str] = {}
    for arg in block.args:
        realized[arg] = "function argument"
    for op in block.ops:
        if op.results and is_buffer_constant(op.results[0]):
            realized[op.results[0]] = "non-splat constant"
    copies: list[tuple[int, SSAValue]] = []
    returned: set[SSAValue] = set()
    for index, value in enumerate(ret.operands):
        if value in returned or isinstance(value, BlockArgument) or is_buffer_constant(value):
            copies.append((index, value))  # rule 3: an output never aliases an input or output
        else:
            realized.setdefault(value, "function result")
        returned.add(value)

    position = block_positions(block)  # partition decides only: the block does not change meanwhile
    while True:
        roots = _kernel_roots(realized, position)
        regions = [fused_region(root, realized, position) for root in roots]
        owners: dict[Operation, int] = {}
        for kernel in regions:
            for op in kernel.reduces:
                owners[op] = owners.get(op, 0) + 1
        new: dict[SSAValue, str] = {}
        for kernel in regions:
            region = set(kernel.ops)
            row = max_row > 0 and row_kernel_problem(kernel, max_row) is None
            for op in kernel.reduces:
                value = op.results[0]
                if value is kernel.root or value in new:
                    continue
                if owners[op] > 1:
                    new[value] = f"reduce used by {owners[op]} kernels"
                elif row:
                    continue
                elif (why := _blocked_reduce(op, region)) is not None:
                    new[value] = f"reduce {why}"
            # Rule 4d: independent reduces meeting in one epilogue; keep the last one fused.
            staying = [op for op in kernel.reduces if op.results[0] not in new]
            for op in staying[:-1] if not row else []:
                if op.results[0] is not kernel.root:
                    new[op.results[0]] = "reduce shares its kernel with another reduce"
        if not new:
            return Schedule(realized, regions, copies)
        realized.update(new)


def _kernel_roots(realized: Iterable[SSAValue], position: dict[Operation, int]) -> list[SSAValue]:
    """Realized values that need a kernel, in function order (`position`: `block_positions` of
    their block)."""
    roots = [v for v in realized if isinstance(v, OpResult) and not is_buffer_constant(v)]
    return sorted(roots, key=lambda v: position.get(v.owner, 0))


__all__ = ["Kernel", "Schedule", "ScheduleError", "partition", "fused_region", "entry_function",
           "is_splat_constant", "is_buffer_constant", "constant_value", "MOVEMENT_OPS",
           "INVERTIBLE_MOVEMENT_OPS", "REDUCE_OPS", "ELEMENTWISE_OPS", "MAX_ROW", "row_kernel_problem",
           "keepdims_shape"]
