"""TinyJit: capture the programs a function of Tensors runs, then replay them on new inputs.

A capture records every program run (`realize_nodes` reports them here) with the buffers it read
and wrote, and every `Tensor.assign` (the way state changes: parameters, optimizer moments, running
statistics). Each buffer a captured run reads is then traced to where it came from: an argument of
the function, the value a state tensor held when the call began, the output of an earlier captured
run, or a constant (a buffer made outside the captured runs, kept as it is). A replay walks that
list calling `Program.execute` directly: no graph building, no hashing, no IR.

A sharded tensor (tinyir/frontend/multi.py) is its shards' buffers, one per device: its arguments,
state and outputs are traced buffer by buffer, and a round of collectives is one recorded run (a
`multi_plan.CollectiveRun`), so a data-parallel training step replays every device's programs and
its gradient all-reduces with no graph work at all.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tinyir.errors import TinyirError

#: the captures in progress, innermost last (nested jitted functions): each sees every run and assign
CAPTURING: list[_Capture] = []


def note_run(program: Any, inputs: list[Any], outputs: list[Any]) -> None:
    """A program ran (realize.py, or a replay) while something captures."""
    for capture in CAPTURING:
        capture.record(program, inputs, outputs)


def held_by_captures(buffer: Any) -> int:
    """How many references the captures in progress hold to `buffer` (IN-PLACE: a buffer is dead
    after a program when nothing else holds it; a capture's bookkeeping must not change the program
    a capture builds, tinyir/frontend/inplace.py)."""
    count = 0
    for capture in CAPTURING:
        count += sum(b is buffer for b in capture.arg_buffers)
        count += sum(b is buffer for before in capture.state_before for b in before)
        count += sum(b is buffer for _, ins, outs in capture.runs for b in (*ins, *outs))
    return count


def note_assign(tensor: Any) -> None:
    """A tensor is about to change its value (`Tensor.assign`, or a replay) while something captures."""
    for capture in CAPTURING:
        capture.note_assign(tensor)

# Where a buffer comes from, in a replay: ("arg", i), ("state", i), ("out", run, output), ("const", buffer)
Source = tuple


@dataclass
class _Run:
    program: Any
    sources: list[Source]


class _Capture:
    """What one capturing call did: the program runs, and the tensors it assigned to."""

    def __init__(self, args: list[Any]):
        self.args = args
        self.arg_buffers = [b for t in args for b in buffers_of(t)]  # before the function can assign to them
        self.runs: list[tuple[Any, list[Any], list[Any]]] = []  # (program, inputs, outputs); keeps ids unique
        self.state: list[Any] = []  # assigned tensors, first assignment first
        self.assigned: set[int] = set()
        self.state_before: list[Any] = []  # the buffer each held when the call began (None: unrealized)

    def record(self, program: Any, inputs: list[Any], outputs: list[Any]) -> None:
        self.runs.append((program, list(inputs), list(outputs)))

    def note_assign(self, tensor: Any) -> None:
        """Called by `Tensor.assign` before the tensor changes."""
        if id(tensor) not in self.assigned:
            self.assigned.add(id(tensor))  # the tensor itself is held in `state`
            self.state.append(tensor)
            self.state_before.append(buffers_of(tensor))

    def finish(self, outputs: list[Any]) -> _Replay:
        for tensor, before in zip(self.state, self.state_before):
            if any(b is None for b in before):
                raise TinyirError(f"TinyJit: a tensor of shape {tensor.shape} assigned by the function was not "
                                  "realized when the capturing call began (realize the state before calling)")
        arg_index = {id(b): i for i, b in enumerate(self.arg_buffers)}
        state_index = {id(b): i for i, b in enumerate(b for bs in self.state_before for b in bs) if b is not None}
        produced: dict[int, tuple[int, int]] = {}

        def source(buffer: Any) -> Source:
            key = id(buffer)
            if key in produced:
                return ("out", *produced[key])
            if key in arg_index:
                return ("arg", arg_index[key])
            if key in state_index:
                return ("state", state_index[key])
            return ("const", buffer)

        runs = []
        for r, (program, inputs, outs) in enumerate(self.runs):
            runs.append(_Run(program, [source(b) for b in inputs]))
            for j, b in enumerate(outs):
                produced.setdefault(id(b), (r, j))
        signature = [_signature(t) for t in self.args]
        return _Replay(signature, runs, self.state, [[source(b) for b in buffers_of(t)] for t in self.state],
                       [[source(b) for b in buffers_of(t)] for t in outputs], [_layout(t) for t in outputs])


class _Replay:
    """The captured runs, replayable on new argument buffers."""

    def __init__(self, signature: list[tuple], runs: list[_Run], state: list[Any], state_after: list[list[Source]],
                 outputs: list[list[Source]], out_layouts: list[tuple]):
        self.signature, self.runs, self.state = signature, runs, state
        self.state_after, self.outputs, self.out_layouts = state_after, outputs, out_layouts
        self.state_layouts = [_layout(t) for t in state]

    def __call__(self, args: list[Any]) -> list[Any]:
        """Run the captured programs on the buffers of `args`; the outputs as new leaf LazyOps."""

        got = [_signature(t) for t in args]
        if got != self.signature:
            raise TinyirError("TinyJit: the arguments do not match the captured call: captured "
                              f"{_describe(self.signature)}, got {_describe(got)} (make a new TinyJit for new shapes)")
        arg_buffers = [b for t in args for b in _realized(t)]
        state_buffers = [b for t in self.state for b in _realized(t)]
        results: list[list[Any]] = []

        def value(src: Source) -> Any:
            kind = src[0]
            if kind == "out":
                return results[src[1]][src[2]]
            if kind == "arg":
                return arg_buffers[src[1]]
            if kind == "state":
                return state_buffers[src[1]]
            return src[1]

        for run in self.runs:
            inputs = [value(s) for s in run.sources]
            results.append(run.program.execute(inputs))
            if CAPTURING:  # a jitted function called inside another one's capture
                note_run(run.program, inputs, results[-1])
        for tensor, srcs, layout in zip(self.state, self.state_after, self.state_layouts):
            if CAPTURING:
                note_assign(tensor)
            tensor.lazydata = _leaf([value(s) for s in srcs], layout)
        return [_leaf([value(s) for s in srcs], layout) for srcs, layout in zip(self.outputs, self.out_layouts)]


def buffers_of(tensor: Any) -> list[Any]:
    """A tensor's buffers (None where unrealized): one, or a sharded tensor's one per device."""
    node = tensor.lazydata
    return [s.realized for s in node.srcs] if node.op == "multi" else [node.realized]


def _realized(tensor: Any) -> list[Any]:
    found = buffers_of(tensor)
    if any(b is None for b in found):
        tensor.realize()
        found = buffers_of(tensor)
    return found


def _layout(tensor: Any) -> tuple:
    """What a replay needs to rebuild the tensor from its buffers: its dtype, and a sharded one's
    shard axis, whole shape and devices."""
    node = tensor.lazydata
    if node.op == "multi":
        return (node.dtype, node.arg, node.shape, node.device)
    return (node.dtype,)


def _leaf(buffers: list[Any], layout: tuple) -> Any:
    """A realized leaf LazyOp (a sharded one: a MultiLazy of realized shards) holding `buffers`."""
    from tinyir.frontend import lazy

    dtype = layout[0]
    if len(layout) == 1:
        return lazy.from_buffer(buffers[0], dtype)
    from tinyir.frontend.multi import MultiLazy

    _, axis, shape, devices = layout
    return MultiLazy([lazy.from_buffer(b, dtype) for b in buffers], axis, shape, dtype, devices)


def _signature(tensor: Any) -> tuple:
    """What a replay's argument must match: shape, dtype, device(s) and, sharded, the shard axis."""
    node = tensor.lazydata
    return (tensor.shape, tensor.dtype, tensor.device, node.arg if node.op == "multi" else None)


def _describe(signature: list[tuple]) -> str:
    def one(shape: tuple, dtype: Any, device: Any, axis: int | None) -> str:
        where = f"sharded on axis {axis} over {device}" if axis is not None else f"on {device}"
        return f"{shape} {dtype.name} {where}"

    return "(" + ", ".join(one(*s) for s in signature) + ")"


class TinyJit:
    """Decorate a function of Tensors: the first call runs normally, the second runs and captures
    the programs it launches, every later call replays them on the new argument buffers.

    * The arguments replayed are the function's Tensor arguments (positional, then keyword in
      call order); other arguments are baked in by the capture. Calls after the capture must pass
      Tensors of the captured shapes, dtypes and devices: anything else raises TinyirError
      (tinygrad does the same; make a new TinyJit for other shapes).
    * State that changes from call to call must change through `Tensor.assign` (optimizers,
      BatchNorm's running statistics do): the replay updates exactly the tensors assigned during
      the capture. Any other tensor the function reads is a constant of the capture, and so are
      random numbers drawn inside it (the same ones every replay).
    * Returns what the function returns: a Tensor, a tuple or list of Tensors, or None; replays
      return new realized Tensors in the same structure.
    """

    def __init__(self, fn: Callable[..., Any]):
        self.fn = fn
        self.calls = 0
        self.replay: _Replay | None = None
        self._structure: Callable[[list[Any]], Any] | None = None
        self._state: list[Any] = []  # the tensors the last call assigned to
        functools.update_wrapper(self, fn)

    def reset(self) -> None:
        """Forget the capture: the next call runs normally, the one after captures again."""
        self.calls, self.replay, self._structure, self._state = 0, None, None, []

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        """A jitted method: each object gets its own TinyJit (a capture bakes in its `self`)."""
        if obj is None:
            return self
        key = f"_tinyjit_{getattr(self.fn, '__name__', id(self))}"
        state = getattr(obj, "__dict__", None)
        if state is None:
            raise TinyirError(f"TinyJit: cannot decorate a method of {type(obj).__name__}, which has no __dict__")
        if key not in state:
            state[key] = TinyJit(functools.partial(self.fn, obj))
        return state[key]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from tinyir.frontend.tensor import Tensor

        tensors = [a for a in (*args, *kwargs.values()) if isinstance(a, Tensor)]
        if self.replay is not None:
            return self._structure([Tensor(node) for node in self.replay(tensors)])
        pending = [t for t in (*tensors, *self._state) if any(b is None for b in buffers_of(t))]
        if pending:
            Tensor.realize(*pending)
        self.calls += 1
        # Both calls watch the assigns, to realize the new state with the results: a capture must
        # find every state tensor realized when it begins, or it would bake in its lazy graph.
        capture = _Capture(tensors)
        CAPTURING.append(capture)
        try:
            out = self.fn(*args, **kwargs)
            flat, structure = _flatten(out)
            pending = [t for t in (*flat, *capture.state) if any(b is None for b in buffers_of(t))]
            if pending:
                Tensor.realize(*pending)
        finally:
            CAPTURING.remove(capture)
        self._state = capture.state
        if self.calls >= 2:
            self.replay, self._structure = capture.finish(flat), structure
        return out


def _flatten(out: Any) -> tuple[list[Any], Callable[[list[Any]], Any]]:
    """The Tensors a function returned, and how to rebuild the same structure from new ones."""
    from tinyir.frontend.tensor import Tensor

    if out is None:
        return [], lambda ts: None
    if isinstance(out, Tensor):
        return [out], lambda ts: ts[0]
    if isinstance(out, (tuple, list)) and all(isinstance(t, Tensor) for t in out):
        kind = type(out)
        return list(out), lambda ts: kind(ts)
    raise TinyirError(f"TinyJit: the function must return a Tensor, a tuple or list of Tensors, or None, "
                      f"not {type(out).__name__}")
