"""One kernel on one device, ready to try action lists: lower, compile, run, check and time each.

`KernelBench` holds a copy of the `loop.kernel` in a module of its own (a function whose
arguments are the kernel's buffers), random input buffers made once with a fixed seed, and the
output of the kernel lowered with no actions -- the answer every candidate must give again.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp, StringAttr
from xdsl.ir import Block, Region

from tinyir.dialects import loop, uop
from tinyir.element_types import is_float_dtype, numpy_dtype  # DTYPES
from tinyir.errors import TinyirError
from tinyir.passes.kernel_optimize import Action, apply_action
from tinyir.passes.grid_dims import merge_globals
from tinyir.registry import CORE_PIPELINE, uop_lowering
from tinyir.runtime.buffer import Buffer, allocator_for
from tinyir.runtime.executor import get_target, run_passes, structural_hash
from tinyir.targets.base import Device, KernelSource, Target

#: the passes between kernel-optimize and a target's lowering in every default pipeline
LOWERING = tuple(CORE_PIPELINE[CORE_PIPELINE.index("loop-to-uop"):])


def device_identity(device: Device) -> str:
    """What tells two devices of one name apart for tuning: the GPU model, the OpenCL device, the CPU."""
    for owner, attribute in (("device", "name"), ("backend", "name")):  # OpenCL device; CUDA backend
        found = getattr(getattr(device, owner, None), attribute, None)
        if isinstance(found, str) and found:
            return found
    if getattr(device, "tm", None) is not None:  # the CPU device's LLVM target machine
        import llvmlite.binding as llvm

        return f"{llvm.get_host_cpu_name()} {device.tm.triple}"
    return type(device).__name__


def isolate(kernel: loop.KernelOp) -> ModuleOp:
    """A module holding only a copy of `kernel`, its buffers the arguments of one function.

    The copy is renamed so that kernels differing only in name share one structural hash."""
    args: list[Any] = []
    for value in kernel.operands:
        if value not in args:
            args.append(value)
    block = Block(arg_types=[v.type for v in args])
    mapping = dict(zip(args, block.args))
    copy = kernel.clone(value_mapper=mapping)
    copy.kernel_name = StringAttr("search")
    copy.attributes.pop("actions", None)
    block.add_ops([copy, func.ReturnOp()])
    function = func.FuncOp("search", ([v.type for v in args], []), Region(block))
    return ModuleOp([function])


def lower_kernel(module: ModuleOp, target: Target, actions: Sequence[Action], chip: str = "") -> KernelSource:
    """The target's text of the kernel in `module` (made by `isolate`, left unchanged) with
    `actions` applied and the rest of the default pipeline run, for `chip` (a device's); errors raise."""
    from tinyir.passes.kernel_optimize import target_limits

    module = module.clone()
    kernel = next(op for op in module.walk() if isinstance(op, loop.KernelOp))
    limits = target_limits(target.name, chip)
    for action in actions:
        apply_action(kernel, action, limits)
    merge_globals(kernel, limits.max_global_dims)  # as kernel-optimize does after its actions
    run_passes(module, [*LOWERING, *uop_lowering(target.name, target.lower_pass, chip)])
    op = next(op for op in module.walk() if op.name == target.kernel_op)
    return target.emit_kernel(op)


def random_array(rng: np.random.Generator, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """Floats in [-2, 2), integers in [1, 8) (never 0: a kernel may divide by them), random bools."""
    if dtype == np.bool_:
        return rng.integers(0, 2, size=shape).astype(np.bool_)
    if dtype.kind == "f" or not np.issubdtype(dtype, np.integer):
        return rng.uniform(-2, 2, size=shape).astype(dtype)
    return rng.integers(1, 8, size=shape).astype(dtype)


def same_result(got: np.ndarray, want: np.ndarray, terms: int = 1) -> bool:
    """Exact for integers and bools (their sums are the same in any order); for floats close,
    relative to the output's magnitude. A candidate may add a reduction's `terms` in another
    order, and the unoptimized kernel's own rounding grows like eps * sqrt(terms), so the
    tolerance does too once that is over the fixed one (only for reduces of about a million terms)."""
    if got.shape != want.shape or got.dtype != want.dtype:
        return False
    if not is_float_dtype(got.dtype):  # DTYPES: bf16's numpy kind is "V"
        return bool(np.array_equal(got, want))
    x, y = got.astype(np.float64), want.astype(np.float64)
    tol = max(1e-2 if got.dtype.itemsize <= 2 else 1e-4, 8 * float(np.finfo(np.float32).eps) * math.sqrt(terms))
    finite = np.isfinite(y)
    scale = max(1.0, float(np.max(np.abs(y[finite]))) if finite.any() else 1.0)
    return bool(np.allclose(x, y, rtol=tol, atol=tol * scale, equal_nan=True))


@dataclass
class Candidate:
    """One action list and what became of it: its kernel, its best time, or why it was discarded."""

    actions: tuple[Action, ...]
    source: KernelSource | None = None
    compiled: Any = None
    seconds: float = math.inf
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None and math.isfinite(self.seconds)

    def discard(self, why: str) -> None:
        self.problem, self.seconds = why, math.inf


class KernelBench:
    """A loop.kernel, its random inputs on `device_name`, and the unoptimized kernel's output."""

    def __init__(self, kernel: loop.KernelOp, device_name: str, seed: int = 0):
        from tinyir.passes.kernel_optimize import target_limits

        self.target = get_target(device_name)
        self.allocator = allocator_for(device_name)
        self.device: Device = self.allocator.device
        self.chip = getattr(self.device, "chip", "")  # candidates are lowered for the chip the device's programs are
        self.limits = target_limits(self.target.name, self.chip)
        self.module = isolate(kernel)
        self.kernel_hash = structural_hash(self.module)
        self.identity = device_identity(self.device)
        #: terms of the kernel's reduces (per output), which the float tolerance grows with
        self.terms = math.prod(op.extent for op in self.kernel().body.block.ops
                               if isinstance(op, loop.RangeOp) and op.range_kind in loop.REDUCING_KINDS)
        args = list(self.module.body.block.first_op.body.block.args)
        self._operand_args = [args.index(v) for v in self.kernel().operands]  # launch order -> argument
        # the arguments the kernel stores to (operand 0 by the kernel contract; any other is checked too)
        body_args = list(self.kernel().body.block.args)
        self._written = sorted({self._operand_args[body_args.index(op.buffer)] for op in self.kernel().walk()
                                if isinstance(op, uop.StoreOp) and op.buffer in body_args} | {self._operand_args[0]})
        self.expected: list[np.ndarray] | None = None
        self._seed = seed
        self._arrays: list[np.ndarray] | None = None
        self._buffers: list[Buffer] = []

    def kernel(self, module: ModuleOp | None = None) -> loop.KernelOp:
        return next(op for op in (module or self.module).walk() if isinstance(op, loop.KernelOp))

    # ---------------------------------------------------------------- lowering

    def lower(self, actions: Sequence[Action]) -> KernelSource:
        """The target's text of the kernel with `actions` applied (errors raise)."""
        return lower_kernel(self.module, self.target, actions, self.chip)

    # ---------------------------------------------------------------- running

    def _inputs(self) -> list[np.ndarray]:
        if self._arrays is None:
            rng = np.random.default_rng(self._seed)
            self._arrays = []
            for arg in self.module.body.block.first_op.body.block.args:
                shape = tuple(arg.type.shape_tuple()) if hasattr(arg.type, "shape_tuple") else tuple(arg.type.get_shape())
                self._arrays.append(random_array(rng, shape, numpy_dtype(arg.type.element_type)))
            # buffers read are uploaded once; written ones get a fresh copy per checked run
            self._buffers = [self.allocator.upload(a.copy()) for a in self._arrays]
        return self._arrays

    def _launch_buffers(self, fresh_outputs: bool) -> list[Any]:
        arrays = self._inputs()
        if fresh_outputs:
            for i in self._written:
                self._buffers[i] = self.allocator.upload(arrays[i].copy())
        return [self._buffers[i].handle for i in self._operand_args]

    def run_once(self, candidate: Candidate) -> tuple[list[np.ndarray], float]:
        """Run on freshly initialised output buffers; (their contents, seconds the launch took)."""
        handles = self._launch_buffers(fresh_outputs=True)
        self.device.synchronize()
        start = time.perf_counter()
        self.device.launch(candidate.compiled, handles, candidate.source)
        self.device.synchronize()
        seconds = time.perf_counter() - start
        return [self._buffers[i].numpy() for i in self._written], seconds

    def time(self, candidate: Candidate, repeats: int, give_up_after: float = math.inf) -> float:
        """The best of `repeats` launches after the checked one (some devices finish compiling at the
        first launch, so it is not timed). The output buffer is reused: only the time counts. A launch
        slower than `give_up_after` cannot win: the rest are skipped."""
        handles = self._launch_buffers(fresh_outputs=False)
        best = math.inf
        for _ in range(repeats):
            start = time.perf_counter()
            self.device.launch(candidate.compiled, handles, candidate.source)
            self.device.synchronize()
            seconds = time.perf_counter() - start
            best = min(best, seconds)
            if seconds > give_up_after:
                break
        return best

    def measure(self, candidate: Candidate, repeats: int, time_limit_s: float, give_up_after: float) -> None:
        """Run a compiled candidate, check its output against `expected` and time it; on any failure
        the candidate is discarded with the reason."""
        try:
            got, first = self.run_once(candidate)
        except Exception as exc:  # noqa: BLE001 - a candidate that crashes is discarded, whatever the error
            candidate.discard(f"launch failed: {type(exc).__name__}: {first_line(exc)}")
            return
        if first > time_limit_s:
            candidate.discard(f"ran {first:.3g} s, over the {time_limit_s:g} s limit")
            return
        if self.expected is not None and not all(same_result(g, e, self.terms) for g, e in zip(got, self.expected)):
            candidate.discard("wrong result: differs from the unoptimized kernel's output")
            return
        try:
            candidate.seconds = self.time(candidate, repeats, give_up_after)
        except Exception as exc:  # noqa: BLE001 - as above
            candidate.discard(f"launch failed: {type(exc).__name__}: {first_line(exc)}")

    def measure_baseline(self, candidate: Candidate, repeats: int) -> None:
        """Run the unoptimized kernel: its output is the answer for every candidate; it must work."""
        if candidate.problem is not None:
            raise TinyirError(f"beam search: the unoptimized kernel does not compile: {candidate.problem}")
        try:
            self.expected, _ = self.run_once(candidate)
        except TinyirError:
            raise
        except Exception as exc:
            raise TinyirError(f"beam search: the unoptimized kernel failed to run: {type(exc).__name__}: "
                              f"{first_line(exc)}") from exc
        candidate.seconds = self.time(candidate, repeats)


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.split("\n", 1)[0] if text else type(exc).__name__
