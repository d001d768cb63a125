"""Compiling a tensor-level module for a device, and running it.

`compile_program` runs the default pass chain in memory (no re-parsing between passes), ending in
the target's lowering pass, then turns the entry function's host side into a flat launch plan:
`st.alloc` -> allocate, `st.buffer_constant` -> upload, `<target>.kernel` -> compiled kernel
launch, `func.return` -> outputs. Kernels are compiled once per structural hash of their IR; plans,
kernel texts and reloadable binaries also persist on disk (tinyir/runtime/disk_cache.py), so a
second process compiles nothing it compiled before.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import gc
import hashlib
import inspect
import json
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import IndexType, IntegerAttr, IntegerType, ModuleOp, StringAttr, TensorType
from xdsl.ir import Attribute, Block, Operation, SSAValue, TypeAttribute

from tinyir.dialects.shapetracker import BufferType  # LOWERED-CACHE
from tinyir.errors import TinyirError
from tinyir.ir import make_context, to_text
from tinyir.registry import CORE_PIPELINE, default_pipeline, load, lowering_spec
from tinyir.runtime.kernel_info import KernelInfo, module_kernel_info
from tinyir.passes.kernel_dedup import kernel_name  # PIPELINED-LOWERING
from tinyir.runtime.background_compile import Deferred, PendingCompiles  # BACKGROUND-COMPILE
from tinyir.runtime.bounded import BoundedCache
from tinyir.runtime.lowered_cache import LoweredKernelCache, lower_with_reuse  # LOWERED-CACHE
from tinyir.runtime.buffer import Buffer, allocator_for, as_buffer
from tinyir.runtime.donation import kernels_in_order, module_same_element  # IN-PLACE
from tinyir.runtime.disk_cache import code_version, device_identity, disk_cache, make_key
from tinyir.runtime import kernel_order  # KERNEL-ORDER
from tinyir.runtime.planner import MemoryPlan, plan_memory
from tinyir.targets.base import Device, KernelSource, Target
from tinyir.viz.record import observe_compile, pass_watch


def debug_level() -> int:
    try:
        return int(os.environ.get("DEBUG", "0"))
    except ValueError:
        return 0


def entry_function(module: ModuleOp) -> func.FuncOp:
    """The entry of a program: `@main` if present, else the first function."""
    funcs = [op for op in module.ops if isinstance(op, func.FuncOp)]
    if not funcs:
        raise TinyirError("the module has no func.func to run")
    for f in funcs:
        if f.sym_name.data == "main":
            return f
    return funcs[0]


def structural_hash(op: Operation, anonymous: bool = False, flat_buffers: bool = False) -> str:
    """A hash of an op's IR that ignores SSA names: equal structure, equal hash.

    `anonymous`: without the op's own name (a kernel's `kernel_name`/`sym_name` property), so
    kernels that differ only in their names hash alike (tinyir/passes/kernel_dedup.py).
    `flat_buffers`: each `!st.buffer` type as its element type and element count (LOWERED-CACHE: kernel
    lowering reads a buffer's size, never its shape, so a 256x256 and a 65536 buffer lower alike).

    It hashes what the generic printer shows (op names, operands, result and block argument types,
    properties, attributes, successors, regions), with each value and block numbered by where it first
    appears, so names never count. Only attributes are printed, once per attribute object: printing
    whole kernels to hash them cost more than compiling them."""
    numbers: dict[SSAValue | Block, str] = {}  # each value and block -> its number, as text
    texts: dict[int, str] = {}  # id(attribute) -> its text; the IR keeps every attribute alive meanwhile
    parts: list[str] = []
    add = parts.append
    SEP = "\x01"  # between items of one field; "\x00" between fields (neither occurs in IR text)

    def number(item: SSAValue | Block) -> str:
        found = numbers.get(item)
        if found is None:
            found = numbers[item] = str(len(numbers))
        return found

    def text(attr: Any) -> str:
        found = texts.get(id(attr))
        if found is None:
            flat = flat_buffers and isinstance(attr, BufferType)  # LOWERED-CACHE
            found = texts[id(attr)] = f"!st.buffer<{attr.size()}x{attr.element_type}>" if flat else _type_text(attr)
        return found

    unnamed = ("kernel_name", "sym_name") if anonymous else ()  # kernel_dedup.NAME_PROPERTIES

    # The private operand and successor tuples: the public properties build a view object per call
    # (HASH-FAST: a GPT step hashes some 76k ops). An empty field is the empty text either way.
    def visit(inner: Operation) -> None:
        add(inner.name)
        operands = inner._operands
        add(SEP.join([number(v) for v in operands]) if operands else "")
        add(SEP.join([number(r) + ":" + text(r.type) for r in inner.results]))
        properties = inner.properties
        add(SEP.join([k + "=" + text(v) for k, v in sorted(properties.items())
                      if inner is not op or k not in unnamed]) if properties else "")
        attributes = inner.attributes
        add(SEP.join([k + "=" + text(v) for k, v in sorted(attributes.items())]) if attributes else "")
        successors = inner._successors
        add(SEP.join([number(b) for b in successors]) if successors else "")
        for region in inner.regions:
            add("{")
            for block in region.blocks:
                add("^" + number(block) + "(" + SEP.join([number(a) + ":" + text(a.type) for a in block.args]))
                for child in block.ops:
                    visit(child)
            add("}")

    visit(op)
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


#: a type's printed text, across hashes (TYPE-TEXT): each compile hashes its program and kernels
#: several times, and printing the same tensor and buffer types again was a fifth of a small
#: program's compile. Types, and strings and integers (ATTR-TEXT: a 64x64 matmul's kernels hash
#: 317 string properties, 2.5 ms of printing): equal ones print alike, where equal float values need
#: not (0.0 and -0.0), so nothing holding a float is kept. Bounded: cleared when full.
_TYPE_TEXTS: dict[Attribute, str] = {}
_TYPE_TEXTS_MAX = 1 << 14


def _type_text(attr: Any) -> str:
    if not isinstance(attr, (TypeAttribute, StringAttr)) and not (
            isinstance(attr, IntegerAttr) and isinstance(attr.type, (IntegerType, IndexType))):
        return str(attr)
    found = _TYPE_TEXTS.get(attr)
    if found is None:
        if len(_TYPE_TEXTS) >= _TYPE_TEXTS_MAX:
            _TYPE_TEXTS.clear()
        found = _TYPE_TEXTS[attr] = str(attr)
    return found


# ---------------------------------------------------------------- targets and devices

BUILTIN_TARGETS = {
    "cpu": "tinyir.targets.cpu:TARGET",
    "opencl": "tinyir.targets.opencl:TARGET",
    "cuda": "tinyir.targets.ptx:TARGET",
    "amdgpu": "tinyir.targets.amdgpu:TARGET",
    "metal": "tinyir.targets.metal:TARGET",
}


@functools.cache
def device_names() -> frozenset[str]:
    """Every name a program can be compiled for: built-in targets, plugins, and "reference"."""
    from tinyir.registry import plugin_targets

    return frozenset(BUILTIN_TARGETS) | {t.name for t in plugin_targets()} | {"reference"}


def split_device_name(name: str) -> tuple[str, int]:
    """`base:N` -> (base, N), a plain `base` -> (base, 0) (MULTI-DEVICE: `cuda:1` is the second GPU);
    one clear error for an unknown base or a malformed index."""
    base, sep, index = name.partition(":")
    if base not in device_names():
        raise TinyirError(f"unknown device {name!r} (known: {', '.join(sorted(device_names()))}, "
                          f"each also as NAME:N)")
    if not sep:
        return base, 0
    if not index.isdigit() or not index.isascii():
        raise TinyirError(f"malformed device name {name!r}: after '{base}:' comes a device index N >= 0")
    return base, int(index)


@functools.cache
def canonical_device_name(name: str) -> str:
    """The name a device prints as: `base` for index 0 (`cuda:0` is `cuda`), else `base:N`."""
    base, index = split_device_name(name)
    return base if index == 0 else f"{base}:{index}"


def check_device_name(name: str) -> None:
    """Raise the one clear error for a device nobody registered (or a malformed `base:N`)."""
    split_device_name(name)


def get_target(name: str) -> Target:
    """A built-in target by device name (`cuda:1` compiles for `cuda`), or one registered through
    `tinyir.targets`."""
    from tinyir.registry import plugin_targets

    name = split_device_name(name)[0]
    if name in BUILTIN_TARGETS:
        try:
            return load(BUILTIN_TARGETS[name])
        except ImportError as exc:
            raise TinyirError(f"device {name!r} is not available: {exc}") from exc
    found = next((t for t in plugin_targets() if t.name == name), None)
    if found is None:  # "reference" interprets the tensor level: it has no kernels to lower
        raise TinyirError(f"device {name!r} has no compilation target (it runs the tensor level as it is)")
    return found


_DEVICES: dict[str, Device] = {}


def get_device(name: str) -> Device:
    """The process-wide device instance for a device name: one per index (`cpu` and `cpu:1` are two
    devices with their own buffers; a device class taking `ordinal` is opened on GPU N)."""
    found = _DEVICES.get(name)
    if found is not None:
        return found
    canonical = canonical_device_name(name)
    if canonical not in _DEVICES:
        target = get_target(canonical)
        if target.device is None:
            raise TinyirError(f"target {canonical!r} produces kernel text but has no runtime device")
        index = split_device_name(canonical)[1]
        if "ordinal" in inspect.signature(target.device).parameters:
            _DEVICES[canonical] = target.device(ordinal=index)
        else:
            _DEVICES[canonical] = target.device()
    _DEVICES[name] = _DEVICES[canonical]
    return _DEVICES[name]


# ---------------------------------------------------------------- passes

#: PASS-REUSE: per process, the context and the built passes of each pipeline text, keyed with the
#: plugin targets loaded (they add dialects and passes). Passes are frozen dataclasses whose state
#: lives in each run, and no pass changes the context, so both serve every compile: building them
#: was about 0.25 ms of each compile (three contexts, three pipelines), 7% of a small program's.
_PASS_CONTEXTS: dict[tuple[int, ...], Any] = {}
_PIPELINES: dict[tuple[str, tuple[int, ...]], list[Any]] = {}
_PIPELINES_MAX = 256


def _pipeline(text: str) -> tuple[Any, list[Any]]:
    from tinyir.registry import all_passes, plugin_targets
    from tinyir.tools.pipeline import PipelineError, build_pipeline

    plugins = tuple(id(t) for t in plugin_targets())
    ctx = _PASS_CONTEXTS.get(plugins)
    if ctx is None:
        ctx = _PASS_CONTEXTS[plugins] = make_context()
    passes = _PIPELINES.get((text, plugins))
    if passes is None:
        try:
            passes = build_pipeline(text, all_passes())
        except PipelineError as exc:
            raise TinyirError(exc.message) from None
        if len(_PIPELINES) >= _PIPELINES_MAX:
            _PIPELINES.clear()
        _PIPELINES[(text, plugins)] = passes
    return ctx, passes


def run_passes(module: ModuleOp, specs: Sequence[str], *, dump: bool = False) -> ModuleOp:
    """Apply passes in place, each given as `name` or `name{options}` (as in a pipeline)."""
    ctx, passes = _pipeline(",".join(specs))
    watch = pass_watch()  # None unless VIZ/PROFILE records this compile (tinyir/viz/record.py)
    for p in passes:
        if watch is None:
            p.apply(ctx, module)
        else:
            watch.run(p, ctx, module)
        if dump:
            print(f"// -----// IR Dump After {p.name} //----- //\n{to_text(module)}", file=sys.stderr)
    return module


def pipeline_for(target: Target, chip: str = "") -> list[str]:
    """The default chain for a target (for its device's `chip`): optimized by its heuristics, or by a
    search timed on its device with `TINYIR_BEAM=N` (tinyir/search/); `TINYIR_OPT=0`: unoptimized."""
    if os.environ.get("TINYIR_OPT", "1") == "0":
        return [*CORE_PIPELINE, lowering_spec(target.lower_pass, chip)]
    from tinyir.search import beam_options

    return default_pipeline(target.name, target.lower_pass, beam_options(), chip)


# ---------------------------------------------------------------- programs

@dataclass
class _Step:
    kind: str                     # "alloc" | "const" | "kernel"
    result: int = -1              # slot written (alloc/const)
    operands: tuple[int, ...] = ()  # slots read (kernel)
    shape: tuple[int, ...] = ()
    dtype: Any = None
    data: np.ndarray | None = None
    source: KernelSource | None = None
    compiled: Any = None
    pool: int = -1                # alloc: the planned pool it views (-1: a buffer of its own)
    uploaded: Buffer | None = None  # const: its device copy, made by the first run (values never change)
    info: KernelInfo | None = None  # kernel: work, memory and actions, for DEBUG=2
    drops: tuple[int, ...] = ()   # kernel: intermediate slots last used here (POOL-LIFETIME: freed after it)
    drop_pools: tuple[int, ...] = ()  # kernel: pools last used here


def _buffer_shape_dtype(value: SSAValue) -> tuple[tuple[int, ...], np.dtype]:
    from tinyir.element_types import numpy_dtype

    typ = value.type
    shape = tuple(typ.shape_tuple()) if hasattr(typ, "shape_tuple") else tuple(typ.get_shape())
    return shape, numpy_dtype(typ.element_type)


@dataclass
class Program:
    """A compiled program: a launch plan for one device.

    `execute` takes and returns device `Buffer`s (the Tensor API's path: nothing crosses to the
    host); `run` takes numpy arrays or buffers and returns numpy arrays (the CLI's and tests' path).
    """

    device_name: str
    input_types: list[tuple[tuple[int, ...], np.dtype]]
    output_types: list[tuple[tuple[int, ...], np.dtype]]
    steps: list[_Step] = field(default_factory=list)
    nslots: int = 0
    arg_slots: list[int] = field(default_factory=list)
    out_slots: list[int] = field(default_factory=list)
    kernels: list[KernelSource] = field(default_factory=list)
    kernel_hashes: list[str] = field(default_factory=list)  # structural hash of each kernel's IR
    reference_module: ModuleOp | None = None
    memory: MemoryPlan = field(default_factory=MemoryPlan)
    watch: Any = None  # a LaunchWatch timing every launch for VIZ/PROFILE (tinyir/viz/record.py)
    # IN-PLACE: per kernel, the inputs it reads only at the element it writes (tinyir/runtime/donation.py);
    # None: unknown (no in-place outputs)
    same_element: list[frozenset[int]] | None = None
    write_into_cache: dict[tuple[int, tuple[int, ...]], bool] = field(default_factory=dict)  # IN-PLACE

    def plan_memory(self) -> None:
        """Let intermediates whose lives do not overlap share memory (tinyir/runtime/planner.py)."""
        self.memory = plan_memory(self.steps, self.out_slots)
        for index, step in enumerate(self.steps):
            step.pool = self.memory.pool_of.get(index, -1)
        # POOL-LIFETIME: a pool is allocated at its first user's alloc and given back after its last
        # user's last kernel, so the step's peak is what is live at once, not every pool together
        last: dict[int, int] = {}
        for index, step in enumerate(self.steps):
            if step.kind == "kernel":
                for slot in step.operands:
                    last[slot] = index
        outputs = set(self.out_slots)
        drops: dict[int, list[int]] = {}
        pool_end: dict[int, int] = {}
        for step in self.steps:
            if step.kind == "alloc" and step.result not in outputs and step.result in last:
                drops.setdefault(last[step.result], []).append(step.result)
                if step.pool >= 0:
                    pool_end[step.pool] = max(pool_end.get(step.pool, -1), last[step.result])
        pool_drops: dict[int, list[int]] = {}
        for pool, end in pool_end.items():
            pool_drops.setdefault(end, []).append(pool)
        for index, step in enumerate(self.steps):
            step.drops, step.drop_pools = tuple(drops.get(index, ())), tuple(pool_drops.get(index, ()))

    def check_inputs(self, inputs: Sequence[Any]) -> list[Any]:
        """The inputs, checked against the signature: Buffers as they are, anything else as a
        contiguous numpy array of the expected dtype (same-kind casts are made)."""
        if len(inputs) != len(self.input_types):
            raise TinyirError(f"expected {len(self.input_types)} inputs, got {len(inputs)}")
        out = []
        for i, (arr, (shape, dtype)) in enumerate(zip(inputs, self.input_types)):
            if isinstance(arr, Buffer):
                if arr.shape != shape or arr.dtype != dtype:
                    raise TinyirError(f"input {i}: expected {shape} {dtype}, got a buffer of {arr.shape} {arr.dtype}")
                out.append(arr)
                continue
            arr = np.asarray(arr)
            if tuple(arr.shape) != shape:
                raise TinyirError(f"input {i}: expected shape {shape}, got {tuple(arr.shape)}")
            if arr.dtype != dtype:
                if np.can_cast(arr.dtype, dtype, casting="same_kind") or arr.dtype.kind == dtype.kind:
                    arr = arr.astype(dtype)
                else:
                    raise TinyirError(f"input {i}: expected dtype {dtype}, got {arr.dtype}")
            out.append(np.ascontiguousarray(arr).reshape(arr.shape))  # keeps 0-d inputs 0-d
        return out

    def run(self, inputs: Sequence[Any]) -> list[np.ndarray]:
        """Run on numpy arrays (or buffers); the outputs come back to the host as numpy arrays."""
        return [b.numpy(copy=False) for b in self.execute(inputs)]

    def execute(self, inputs: Sequence[Any], into: dict[int, Buffer] | None = None) -> list[Buffer]:
        """Run on device buffers (numpy arrays are uploaded first); the outputs are new device buffers,
        but for `into` (IN-PLACE: output index -> an input buffer it overwrites, which
        `donation.can_write_into` allowed and nothing else reads afterwards).

        The Tensor API's and the JIT's calls pass buffers already on the device, of the signature's
        shapes and dtypes: those are checked in one pass, without `check_inputs`'s conversions."""
        name = self.device_name
        types = self.input_types
        if len(inputs) == len(types) and all(
                isinstance(v, Buffer) and v.allocator.name == name and v.shape == t[0] and v.dtype == t[1]
                for v, t in zip(inputs, types)):
            args = inputs
        else:
            args = [v if isinstance(v, Buffer) and v.device == name else as_buffer(v, name)
                    for v in self.check_inputs(inputs)]
        allocator = allocator_for(name)
        if self.reference_module is not None:
            from tinyir.runtime.reference import run_reference

            results = run_reference(self.reference_module, [a.numpy(copy=False) for a in args])
            return [allocator.upload(np.asarray(r)) for r in results]
        device = allocator.device
        launch = device.launch
        level = debug_level()
        watched = level > 0 or self.watch is not None
        slots: list[Any] = [None] * self.nslots
        for slot, buf in zip(self.arg_slots, args):
            slots[slot] = buf
        if into:  # IN-PLACE: these outputs' alloc steps find their buffers in place
            for index, buf in into.items():
                slots[self.out_slots[index]] = buf
        sizes = self.memory.pool_sizes
        pools: list[Buffer | None] = [None] * len(sizes)  # POOL-LIFETIME: allocated at first use
        for step in self.steps:
            kind = step.kind
            if kind == "kernel":
                if watched:
                    self._launch_with_debug(step, slots, device, level)
                else:
                    launch(step.compiled, [slots[s].handle for s in step.operands], step.source)
                if step.drops:  # POOL-LIFETIME: intermediates whose last kernel this was
                    for slot in step.drops:
                        slots[slot] = None
                    for pool in step.drop_pools:
                        pools[pool] = None
            elif kind == "alloc":
                if slots[step.result] is None:  # IN-PLACE: else an input buffer written in place
                    pool = step.pool
                    if pool < 0:
                        slots[step.result] = allocator.alloc(step.shape, step.dtype)
                    else:
                        raw = pools[pool]
                        if raw is None:
                            raw = pools[pool] = allocator.alloc_raw(sizes[pool])
                        slots[step.result] = allocator.view(raw, step.shape, step.dtype)
            else:  # const
                if step.uploaded is None:
                    step.uploaded = allocator.upload(step.data)
                slots[step.result] = step.uploaded
        if level >= 2:
            print(f"*** memory {allocator.report()}; plan: {self.memory.describe()}", file=sys.stderr)
        return [slots[slot] for slot in self.out_slots]

    def _launch_with_debug(self, step: _Step, slots: list[Any], device: Device, level: int) -> None:
        """`execute`'s launch under DEBUG (names the kernel, and from level 2 times it) or a watch
        (VIZ/PROFILE: times it, synchronized before and after so the time is the kernel's own)."""
        assert step.source is not None
        watch = self.watch
        if watch is not None:
            device.synchronize()
            start_us = watch.now_us()
        start = time.perf_counter()
        device.launch(step.compiled, [slots[s].handle for s in step.operands], step.source)
        if watch is not None:
            device.synchronize()
            watch.launched(step.source, start_us, time.perf_counter() - start)
        if level <= 0:
            return
        timing = ""
        if level >= 2:
            device.synchronize()
            seconds = time.perf_counter() - start
            timing = f" {seconds * 1e3:8.3f} ms"
            if step.info is not None:
                timing += f" {step.info.describe(seconds)}"
        local = f" local {step.source.local_size}" if step.source.local_size else ""
        print(f"*** {self.device_name:6s} {step.source.name:<12s} global {step.source.global_size}{local}{timing}",
              file=sys.stderr)


# bounded (tinyir/runtime/bounded.py): a process that keeps making new programs keeps the recent ones
_KERNEL_CACHE: BoundedCache[tuple[str, str], tuple[KernelSource, Any]] = BoundedCache(2048)
_PROGRAM_CACHE: BoundedCache[tuple[str, str], Program] = BoundedCache(512)
_LOWERED = LoweredKernelCache()  # LOWERED-CACHE: kernels lowered by earlier programs


def kernel_cache_size() -> int:
    """How many kernels have been compiled in this process (for tests of the cache)."""
    return _KERNEL_CACHE.inserted  # the cache keeps only the recent ones; this counts every compile


def _tensor_sig(types: Sequence[Any]) -> list[tuple[tuple[int, ...], np.dtype]]:
    from tinyir.element_types import numpy_dtype

    out = []
    for t in types:
        if not isinstance(t, TensorType):
            raise TinyirError(f"entry function types must be tensors, got {t}")
        out.append((tuple(t.get_shape()), numpy_dtype(t.element_type)))
    return out


@contextlib.contextmanager
def _fewer_full_collections(then_collect: bool = False) -> Iterator[None]:
    """Passes make many short-lived objects: full garbage collections while they run cost about a
    tenth of a big program's compile time, so the oldest generation is collected less often.
    `then_collect`: if a full collection was held back (more young collections than the usual
    threshold), run it at the end, where it counts as compile time; left to the next run, it cost
    the model examples' second call 0.25-0.6 s (a GPT-2 tiny forward takes 5 ms)."""
    old = gc.get_threshold()
    gc.set_threshold(old[0], old[1], max(old[2], 1000))
    try:
        yield
    finally:
        gc.set_threshold(*old)
        if then_collect and gc.get_count()[2] > old[2]:  # GC-AFTER-COMPILE
            gc.collect()


@contextlib.contextmanager
def _compile_objects_only() -> Iterator[None]:
    """GC-FREEZE: the objects that existed before a compile are set aside (`gc.freeze`) while it runs,
    so its collections, and the full one at its end (GC-AFTER-COMPILE), walk only what the compile
    made, not every object of the process: with tinygrad imported (170k objects) that full
    collection took 65 ms of a conv's 330 ms first call. Left alone where the process froze objects
    itself (unfreezing would release them too) or turned collection off."""
    set_aside = gc.isenabled() and gc.get_freeze_count() == 0
    if set_aside:
        gc.freeze()
    try:
        yield
    finally:
        if set_aside:
            gc.unfreeze()


def compile_program(module: ModuleOp, device: str = "cpu", optimize: str | Sequence[str] | None = None) -> Program:
    """Compile a tensor-level module for `device` ("reference" interprets it with numpy).

    `optimize`: extra options of `kernel-optimize` (e.g. `actions="upcast:0:4"`); None: the target's
    heuristics (or none at all with `TINYIR_OPT=0`)."""
    device = canonical_device_name(device)
    key = (device, structural_hash(module), optimize if isinstance(optimize, (str, type(None))) else tuple(optimize),
           os.environ.get("TINYIR_OPT", "1"), os.environ.get("TINYIR_BEAM", ""))
    if key in _PROGRAM_CACHE:
        return _PROGRAM_CACHE[key]
    entry = entry_function(module)
    ins = _tensor_sig(entry.function_type.inputs.data)
    outs = _tensor_sig(entry.function_type.outputs.data)
    base = split_device_name(device)[0]
    sibling = _sibling_program(key, base)
    if sibling is not None:  # MULTI-DEVICE: cpu:1 reuses what cpu compiled; only its kernels are loaded anew
        program = Program(device, ins, outs)
        plan = _plan_json(sibling)
        if plan is not None and _load_plan(program, plan, get_device(device), show_code=False):
            program.same_element = sibling.same_element  # IN-PLACE
            program.plan_memory()
            _PROGRAM_CACHE[key] = program
            return program
    if base == "reference":
        program = Program(device, ins, outs, reference_module=module.clone())
        _PROGRAM_CACHE[key] = program
        return program
    target = get_target(device)
    dev = get_device(device)
    level = debug_level()
    chip = getattr(dev, "chip", "")  # cuda on an sm_90 GPU: sm_90a (wgmma)
    specs = pipeline_for(target, chip) if optimize is None else default_pipeline(target.name, target.lower_pass,
                                                                                 optimize, chip)
    observer = observe_compile(module, device)  # None unless VIZ, GRAPH or PROFILE is on
    disk, disk_key = disk_cache(), ""
    if observer is not None and observer.record is not None:
        disk = None  # the page shows every pass: compile, even if the disk holds the program
    program = Program(device, ins, outs)
    if disk is not None:
        disk_key = make_key("program", key[1], base, device_identity(dev), [str(s) for s in specs], key[2:],
                            code_version())
        plan = disk.get_json("program", disk_key)
        if plan is not None and not _load_plan(program, plan, dev, show_code=level >= 3):
            program = Program(device, ins, outs)  # an unusable entry: compile, and overwrite it below
            plan = None
    if disk is None or plan is None:
        with _compile_objects_only():  # GC-FREEZE
            _compile_into(program, module, specs, target, dev, level, observer, disk, disk_key)
    program.plan_memory()
    if observer is not None:
        observer.compiled(program)
    _PROGRAM_CACHE[key] = program
    return program


def _compile_into(program: Program, module: ModuleOp, specs: Sequence[str], target: Any, dev: Device, level: int,
                  observer: Any, disk: Any, disk_key: str) -> None:
    """The passes, then the plan of `program` (and its disk cache entry)."""
    lowered = module.clone()
    reuse = _LOWERED if observer is None else None  # LOWERED-CACHE: a VIZ page shows every pass
    # BACKGROUND-COMPILE: the device's compiles (where it takes them off the thread) run while the
    # next kernels are lowered (PIPELINED-LOWERING), hashed and printed and the garbage is collected;
    # the program waits for them
    pending = PendingCompiles() if getattr(dev, "compiles_off_thread", False) else None
    early: dict[int, tuple[Operation, KernelSource]] = {}  # PIPELINED-LOWERING: emitted as lowered
    ready = None if pending is None or level >= 4 else (
        lambda kernels: _compile_early(kernels, target, dev, pending, early))
    try:
        with _fewer_full_collections(), observer.passes() if observer is not None else contextlib.nullcontext():
            # IN-PLACE: what each kernel reads is read off the shapetracker level, before the loops
            at = specs.index("shapetracker-to-loop") if "shapetracker-to-loop" in specs else 0
            run_passes(lowered, specs[:at], dump=level >= 4)
            same_element = module_same_element(lowered) if at else None
            infos = lower_with_reuse(lowered, specs[at:], lambda part: run_passes(lowered, part, dump=level >= 4),
                                     reuse, ready)
        COMPILE_STATS.pipelines += 1
        _plan_and_collect(program, lowered, target, dev, level, infos, same_element, pending, early)
    except BaseException:
        if pending is not None:  # the compiles end before the error leaves (theirs would hide it)
            _finish_compiles(program, pending, raise_errors=False)
        raise
    if pending is not None:
        _finish_compiles(program, pending)
    if disk is not None:  # once every kernel compiled: a plan on disk is one that compiled
        saved = _plan_json(program)
        if saved is not None:
            disk.put_json("program", disk_key, saved)


def _compile_early(kernels: list[Operation], target: Any, dev: Device, pending: PendingCompiles,
                   early: dict[int, tuple[Operation, KernelSource]]) -> None:
    """PIPELINED-LOWERING: print a lowered group's kernels and start their compiles; the plan reuses
    the text, and its compile of that text is the one started here (`PendingCompiles.submit`)."""
    for op in kernels:
        if op.name == target.kernel_op:
            source = target.emit_kernel(op)
            early[id(op)] = (op, source)
            pending.submit(source.text, lambda source=source: dev.compile(source), lambda _compiled: None)


def _plan_and_collect(program: Program, lowered: ModuleOp, target: Any, dev: Device, level: int, infos: Any,
                      same_element: Any, pending: PendingCompiles | None,
                      early: dict[int, tuple[Operation, KernelSource]]) -> None:
    with _fewer_full_collections(then_collect=True):  # hashing and emitting: as busy as the passes
        try:
            _build_plan(program, entry_function(lowered), target, dev, show_code=level >= 3, pending=pending,
                        early=early)
        finally:
            _LOWERED.adopt()  # ADOPT: the kernels it remembered leave `lowered`, which is read no more
        _LOWERED.placed.clear()  # KNOWN-HASH: read by this plan only (and holding its kernels alive)
        program.same_element = kernels_in_order(same_element, program.steps)  # IN-PLACE
        if kernel_order.SETTINGS.enabled:  # KERNEL-ORDER: free big intermediates early
            kernel_order.reorder(program)
        for step in program.steps:
            if step.kind == "kernel" and step.source is not None:
                step.info = infos.get(step.source.name)


def _finish_compiles(program: Program, pending: PendingCompiles, raise_errors: bool = True) -> None:
    """BACKGROUND-COMPILE: wait for the plan's compiles and put each result in its steps and in the
    kernel cache; a failed one leaves neither holding its placeholder (the error is raised, unless
    `raise_errors` is False: the caller raises its own)."""
    results: dict[int, Any] | None = None
    try:
        results = pending.wait()
    except BaseException:
        if raise_errors:
            raise
    finally:
        for key, (source, compiled) in list(_KERNEL_CACHE.items()):
            if isinstance(compiled, Deferred):
                if compiled.future.exception() is None:
                    _KERNEL_CACHE[key] = (source, compiled.future.result())
                else:
                    del _KERNEL_CACHE[key]
    if results is None:
        return  # a failed plan: its steps are never run
    for step in program.steps:
        if isinstance(step.compiled, Deferred):  # another thread's plan started this one: its own result
            found = results.get(id(step.compiled))
            step.compiled = found if found is not None else step.compiled.future.result()


def _sibling_program(key: tuple, base: str) -> Program | None:
    """A program compiled from the same module for another device of the same kind (`cpu` for
    `cpu:1`): its lowering is the same, so the passes need not run again."""
    for other in list(_DEVICES):  # device names as given, so several may name one device
        if other != key[0] and split_device_name(other)[0] == base:
            found = _PROGRAM_CACHE.get((canonical_device_name(other), *key[1:]))
            if found is not None and found.reference_module is None:
                return found
    return None


def _build_plan(program: Program, entry: func.FuncOp, target: Target, device: Device, show_code: bool,
                pending: PendingCompiles | None = None,
                early: dict[int, tuple[Operation, KernelSource]] | None = None) -> None:
    slot_of: dict[SSAValue, int] = {}

    def new_slot(value: SSAValue) -> int:
        slot_of[value] = program.nslots
        program.nslots += 1
        return slot_of[value]

    block: Block = entry.body.blocks[0]
    program.arg_slots = [new_slot(arg) for arg in block.args]
    for op in block.ops:
        if op.name == "st.alloc":
            shape, dtype = _buffer_shape_dtype(op.results[0])
            program.steps.append(_Step("alloc", new_slot(op.results[0]), shape=shape, dtype=dtype))
        elif op.name == "st.buffer_constant":
            shape, dtype = _buffer_shape_dtype(op.results[0])
            data = _dense_to_numpy(op, shape, dtype)
            program.steps.append(_Step("const", new_slot(op.results[0]), data=data, shape=shape, dtype=dtype))
        elif op.name == target.kernel_op:
            entry = _LOWERED.entry_of(op)  # KNOWN-HASH: a kernel the lowered cache placed hashes as before
            khash = entry.kernel_hash if entry is not None and entry.kernel_hash else _kernel_hash(op)  # ALU-TABLE
            if entry is not None:
                entry.kernel_hash = khash
            source, compiled = _compiled_kernel(program.device_name, khash, lambda: _emitted(op, target, early), device,
                                                show_code, pending)
            program.kernels.append(source)
            program.kernel_hashes.append(khash)
            program.steps.append(_Step("kernel", operands=tuple(slot_of[v] for v in op.operands),
                                       source=source, compiled=compiled))
        elif isinstance(op, func.ReturnOp):
            program.out_slots = [slot_of[v] for v in op.operands]
        else:
            raise TinyirError(f"cannot execute host op {op.name} (was the pipeline run to the {target.name} target?)")


def _emitted(op: Operation, target: Target, early: dict[int, tuple[Operation, KernelSource]] | None) -> KernelSource:
    """The kernel's source: as PIPELINED-LOWERING printed it (same op, same name), else printed now."""
    found = early.get(id(op)) if early else None
    if found is not None and found[0] is op and found[1].name == kernel_name(op):
        return found[1]
    return target.emit_kernel(op)


def _kernel_hash(kernel: Operation) -> str:
    """The structural hash of a kernel and the types of the buffers it is launched with: kernels of
    one signless body (i8 and ui8, say) still check different host dtypes."""
    buffers = "\x01".join(_flat_type(v.type) for v in kernel.operands)  # ALU-TABLE: kernel key
    # LOWERED-CACHE: shapes do not count, sizes do (a row sum's kernel is a full sum's first)
    return hashlib.sha256((structural_hash(kernel, anonymous=True, flat_buffers=True) + "\x00" + buffers).encode()
                          ).hexdigest()


def _flat_type(t: Any) -> str:
    """A buffer type as its element type and element count (LOWERED-CACHE), any other type as printed."""
    return f"!st.buffer<{t.size()}x{t.element_type}>" if isinstance(t, BufferType) else str(t)


@dataclass
class CompileStats:
    """What this process compiled: pass pipelines run, kernels emitted as text, kernels built by a
    device's compiler, kernels reloaded from a disk-cached artifact (tests of the caches read it)."""

    pipelines: int = 0
    emitted: int = 0
    backend_compiles: int = 0
    reloaded: int = 0


COMPILE_STATS = CompileStats()


def _compiled_kernel(device_name: str, khash: str, emit: Callable[[], KernelSource], device: Device,
                     show_code: bool, pending: PendingCompiles | None = None) -> tuple[KernelSource, Any]:
    """One kernel's source and device code: from this process's cache, else the disk cache (text
    and, where the device can reload it, its binary), else emitted and compiled (and stored)."""
    # MULTI-DEVICE: devices whose compiled kernels run on any index (the CPU's) share them
    shared = getattr(device, "kernels_shared_by_index", False)
    key = (split_device_name(device_name)[0] if shared else device_name, khash)
    if key in _KERNEL_CACHE:
        return _KERNEL_CACHE[key]
    disk = disk_cache()
    identity = device_identity(device) if disk is not None else ""
    source_key = make_key("kernel", khash, split_device_name(device_name)[0], identity, code_version())
    source = _source_from_json(disk.get_json("kernel", source_key)) if disk is not None else None
    if source is None:
        source = emit()
        COMPILE_STATS.emitted += 1
        if disk is not None and (saved := _source_json(source)) is not None:
            disk.put_json("kernel", source_key, saved)
    if show_code:
        print(source.text, file=sys.stderr)
    _KERNEL_CACHE[key] = (source, _compile_source(source, device, device_name, identity, pending))
    return _KERNEL_CACHE[key]


def _compile_source(source: KernelSource, device: Device, device_name: str, identity: str,
                    pending: PendingCompiles | None = None) -> Any:
    """`device.compile`, reloading a disk-cached artifact where the device takes one
    (`compile(source, artifact)`, and an `artifact` on what it returns: the CPU's machine code).
    `pending`: a new compile goes to the compile thread (BACKGROUND-COMPILE), a `Deferred` stands in."""
    takes_artifact = "artifact" in inspect.signature(device.compile).parameters
    disk = disk_cache() if takes_artifact else None
    if disk is None:
        COMPILE_STATS.backend_compiles += 1
        if pending is not None:
            return pending.submit(source.text, lambda: device.compile(source), lambda _compiled: None)
        return device.compile(source)
    artifact_key = make_key("artifact", source.text, split_device_name(device_name)[0], identity, code_version())
    artifact = disk.get("artifact", artifact_key)
    if artifact is not None:
        try:
            compiled = device.compile(source, artifact=artifact)
            COMPILE_STATS.reloaded += 1
            return compiled
        except Exception:  # noqa: BLE001 - an artifact the device refuses is recompiled, never trusted
            pass
    COMPILE_STATS.backend_compiles += 1

    def store(compiled: Any) -> None:  # on this thread: the disk cache's connection is this thread's
        if isinstance(getattr(compiled, "artifact", None), bytes):
            disk.put("artifact", artifact_key, compiled.artifact)

    if pending is not None:
        return pending.submit(source.text, lambda: device.compile(source), store)
    compiled = device.compile(source)
    store(compiled)
    return compiled


def _source_json(source: KernelSource) -> dict[str, Any] | None:
    """A KernelSource as JSON data (None if a field is not plain data)."""
    data = {f.name: getattr(source, f.name) for f in fields(source)}
    try:
        json.dumps(data)
    except (TypeError, ValueError):
        return None
    return data


def _source_from_json(data: Any) -> KernelSource | None:
    """The KernelSource a `_source_json` value describes (lists become tuples); None if it does not fit."""
    if not isinstance(data, dict) or set(data) != {f.name for f in fields(KernelSource)}:
        return None
    try:
        return KernelSource(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})
    except TypeError:
        return None


def _plan_json(program: Program) -> dict[str, Any] | None:
    """A lowered program's launch plan as JSON: steps, slots, constants' bytes and kernel texts."""
    from tinyir.element_types import dtype_token  # DTYPES
    steps: list[list[Any]] = []
    kernel = 0
    for step in program.steps:
        if step.kind == "alloc":
            steps.append(["alloc", step.result, list(step.shape), dtype_token(np.dtype(step.dtype))])  # DTYPES
        elif step.kind == "const":
            assert step.data is not None
            steps.append(["const", step.result, list(step.shape), dtype_token(np.dtype(step.dtype)),  # DTYPES
                          base64.b64encode(np.ascontiguousarray(step.data).tobytes()).decode()])
        else:
            steps.append(["kernel", list(step.operands), kernel])
            kernel += 1
    sources = [_source_json(s) for s in program.kernels]
    if any(s is None for s in sources):
        return None
    infos = [[s.info.flops, s.info.bytes, s.info.actions] if s.info else None for s in program.steps
             if s.kind == "kernel"]
    same_element = None if program.same_element is None else [sorted(s) for s in program.same_element]  # IN-PLACE
    return {"nslots": program.nslots, "arg_slots": program.arg_slots, "out_slots": program.out_slots,
            "steps": steps, "sources": sources, "kernel_hashes": program.kernel_hashes, "infos": infos,
            "same_element": same_element}


def _load_plan(program: Program, plan: Any, device: Device, show_code: bool) -> bool:
    """Fill `program` from a `_plan_json` value, compiling (or reloading) its kernels; False if the
    value does not describe a plan (it is then recompiled and overwritten)."""
    try:
        sources = [_source_from_json(s) for s in plan["sources"]]
        hashes = [str(h) for h in plan["kernel_hashes"]]
        if any(s is None for s in sources) or len(hashes) != len(sources):
            return False
        steps = []
        for entry in plan["steps"]:
            if entry[0] == "alloc":
                steps.append(_Step("alloc", int(entry[1]), shape=tuple(entry[2]), dtype=np.dtype(entry[3])))
            elif entry[0] == "const":
                shape, dtype = tuple(entry[2]), np.dtype(entry[3])
                data = np.frombuffer(base64.b64decode(entry[4]), dtype=dtype).reshape(shape).copy()
                steps.append(_Step("const", int(entry[1]), data=data, shape=shape, dtype=dtype))
            else:
                index = int(entry[2])
                source = sources[index]
                assert source is not None
                source, compiled = _compiled_kernel(program.device_name, hashes[index], lambda s=source: s, device,
                                                    show_code)
                program.kernels.append(source)
                program.kernel_hashes.append(hashes[index])
                info = (plan.get("infos") or [None] * len(sources))[index]
                steps.append(_Step("kernel", operands=tuple(int(o) for o in entry[1]), source=source,
                                   compiled=compiled,
                                   info=KernelInfo(source.name, int(info[0]), int(info[1]), str(info[2]))
                                   if info else None))
        program.steps = steps
        program.nslots = int(plan["nslots"])
        program.arg_slots = [int(s) for s in plan["arg_slots"]]
        program.out_slots = [int(s) for s in plan["out_slots"]]
        same_element = plan.get("same_element")  # IN-PLACE
        program.same_element = None if same_element is None else [frozenset(int(p) for p in s) for s in same_element]
    except (KeyError, IndexError, TypeError, ValueError, AssertionError):
        return False
    return True


def _dense_to_numpy(op: Operation, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    attr = op.value if hasattr(op, "value") else op.properties["value"]
    values = attr.get_values() if hasattr(attr, "get_values") else attr.get_attrs()
    arr = np.array(values, dtype=dtype)
    if arr.size == 1 and int(np.prod(shape)) != 1:
        arr = np.full(shape, arr.reshape(()), dtype=dtype)
    return np.ascontiguousarray(arr.reshape(shape))


def run(module: ModuleOp, inputs: Sequence[np.ndarray], device: str = "cpu") -> list[np.ndarray]:
    """Compile (cached) and run a tensor-level module; returns its outputs as numpy arrays."""
    return compile_program(module, device).run(inputs)
