"""TinyJit: capture the programs a function of Tensors runs, then replay them on new inputs.

A capture records every program run (`realize_nodes` reports them here) with the buffers it read
and wrote, and every `Tensor.assign` (the way state changes: parameters, optimizer moments, running
statistics). Each buffer a captured run reads is then traced to where it came from: an argument of
the function, the value a state tensor held when the call began, the output of an earlier captured
run, or a constant (a buffer made outside the captured runs, kept as it is). A replay walks that
list calling `Program.execute` directly: no graph building, no hashing, no IR.
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
        self.arg_buffers = [t.lazydata.realized for t in args]  # before the function can assign to them
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
            self.state_before.append(tensor.lazydata.realized)

    def finish(self, outputs: list[Any]) -> _Replay:
        for tensor, before in zip(self.state, self.state_before):
            if before is None:
                raise TinyirError(f"TinyJit: a tensor of shape {tensor.shape} assigned by the function was not "
                                  "realized when the capturing call began (realize the state before calling)")
        arg_index = {id(b): i for i, b in enumerate(self.arg_buffers)}
        state_index = {id(b): i for i, b in enumerate(self.state_before) if b is not None}
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
        signature = [(t.shape, t.dtype, t.device) for t in self.args]
        return _Replay(signature, runs, self.state, [source(t.lazydata.realized) for t in self.state],
                       [source(t.lazydata.realized) for t in outputs], [t.dtype for t in outputs])


class _Replay:
    """The captured runs, replayable on new argument buffers."""

    def __init__(self, signature: list[tuple], runs: list[_Run], state: list[Any], state_after: list[Source],
                 outputs: list[Source], out_dtypes: list[Any]):
        self.signature, self.runs, self.state = signature, runs, state
        self.state_after, self.outputs, self.out_dtypes = state_after, outputs, out_dtypes

    def __call__(self, args: list[Any]) -> list[Any]:
        """Run the captured programs on the buffers of `args`; the outputs as new leaf LazyOps."""
        from tinyir.frontend import lazy

        got = [(t.shape, t.dtype, t.device) for t in args]
        if got != self.signature:
            raise TinyirError("TinyJit: the arguments do not match the captured call: captured "
                              f"{_describe(self.signature)}, got {_describe(got)} (make a new TinyJit for new shapes)")
        arg_buffers = [_realized(t) for t in args]
        state_buffers = [_realized(t) for t in self.state]
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
        for tensor, src in zip(self.state, self.state_after):
            if CAPTURING:
                note_assign(tensor)
            tensor.lazydata = lazy.from_buffer(value(src), tensor.dtype)
        return [lazy.from_buffer(value(s), dtype) for s, dtype in zip(self.outputs, self.out_dtypes)]


def _realized(tensor: Any) -> Any:
    if tensor.lazydata.realized is None:
        tensor.realize()
    return tensor.lazydata.realized


def _describe(signature: list[tuple]) -> str:
    return "(" + ", ".join(f"{shape} {dtype.name} on {device}" for shape, dtype, device in signature) + ")"


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
        pending = [t for t in (*tensors, *self._state) if t.lazydata.realized is None]
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
            pending = [t for t in (*flat, *capture.state) if t.lazydata.realized is None]
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
