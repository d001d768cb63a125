"""The CPU device: LLVM IR text -> llvmlite (verify, O3 for the host CPU) -> MCJIT -> ctypes call.

Buffers are numpy arrays; a kernel is a `void f(ptr, ptr, ..., i32 start, i32 end)` that loops
over its whole grid itself, its outermost grid dimension (the last `global_size` entry) only over
[start, end). A launch splits that dimension into a few contiguous parts per thread and calls the
function once per part on a thread pool (ctypes releases the GIL during the call); every part
writes its own output elements, so the result is the serial one, bit for bit. Kernels over little
data run on the calling thread. `TINYIR_CPU_THREADS` sets the thread count (default: all cores).
A kernel without a grid (or a hand-written one without the two parameters) is one plain call.
Compiled kernels are cached by their text with the kernel's own name replaced by one fixed symbol
(the outermost grid extent is a parameter, so kernels that differ only in it and in their names
share one compile), and every execution engine is kept alive for as long as the device is.
"""

from __future__ import annotations

import ctypes
import functools
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import llvmlite.binding as llvm
import numpy as np

from tinyir.errors import TinyirError
from tinyir.runtime.bounded import BoundedCache
from tinyir.runtime.buffer import host_view
from tinyir.targets.base import Device, KernelSource

OPT_LEVEL = 3
# Below this many bytes of buffers a kernel runs on the calling thread: handing parts to the pool
# costs tens of microseconds, more than such a kernel takes.
MIN_PARALLEL_BYTES = 1 << 18
PARTS_PER_THREAD = 4
# the symbol every kernel is compiled under (its own name stays in KernelSource.name for messages)
KERNEL_SYMBOL = "tinyir.kernel"


def anonymous_text(source: KernelSource) -> str:
    """The kernel's LLVM text with its own symbol (`@name(` and its arrays' `@name.x`) renamed to
    `KERNEL_SYMBOL`: two kernels equal but for their names then have one text, one compile."""
    if not re.fullmatch(r"[A-Za-z_$][\w$]*", source.name):  # a quoted symbol: left as it is
        return source.text
    return re.sub(rf"@{re.escape(source.name)}(?=[(.])", "@" + KERNEL_SYMBOL, source.text)


def thread_count() -> int:
    """`TINYIR_CPU_THREADS`, else every core of this machine."""
    value = os.environ.get("TINYIR_CPU_THREADS", "").strip()
    if not value:
        return os.cpu_count() or 1
    if not value.isdigit() or int(value) < 1:
        raise TinyirError(f"TINYIR_CPU_THREADS must be a positive integer, got '{value}'")
    return int(value)


def split_range(extent: int, parts: int) -> list[tuple[int, int]]:
    """[0, extent) as `parts` contiguous, non-empty, nearly equal [start, end) pieces, in order."""
    parts = max(1, min(parts, extent))
    return [(extent * i // parts, extent * (i + 1) // parts) for i in range(parts)]


def new_host_target_machine() -> llvm.TargetMachine:
    """A target machine for this process's CPU, with all its features (so LLVM uses AVX etc.).

    MCJIT takes ownership of the machine it is given, so every engine needs its own.
    """
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    target = llvm.Target.from_triple(llvm.get_process_triple())
    features = llvm.get_host_cpu_features().flatten()
    return target.create_target_machine(cpu=llvm.get_host_cpu_name(), features=features, opt=OPT_LEVEL,
                                        codemodel="jitdefault", jit=True)


@functools.cache
def host_target_machine() -> llvm.TargetMachine:
    """The process-wide host target machine, for its triple, data layout and optimization passes."""
    return new_host_target_machine()


def optimize(module: llvm.ModuleRef, tm: llvm.TargetMachine, speed_level: int = OPT_LEVEL) -> None:
    """Run LLVM's default O`speed_level` pipeline (with loop and SLP vectorization) in place."""
    pto = llvm.create_pipeline_tuning_options(speed_level=speed_level)
    pto.loop_vectorization = speed_level >= 2
    pto.slp_vectorization = speed_level >= 2
    pto.loop_unrolling = True
    builder = llvm.create_pass_builder(tm, pto)
    builder.getModulePassManager().run(module, builder)


@dataclass
class CompiledKernel:
    """A JIT-compiled kernel: the C function, and the engine that owns its code."""

    function: Any
    engine: llvm.ExecutionEngine
    optimized_ir: str
    split: bool = False  # takes (start, end) of its outermost grid dimension after the buffers
    artifact: bytes | None = None  # optimized IR, NUL, machine code: reloads without LLVM work


class CPUError(RuntimeError):
    """LLVM rejected a kernel (bad IR text or a failed verification)."""


@functools.lru_cache(maxsize=4096)
def _np_dtypes(names: tuple[str, ...]) -> tuple[np.dtype, ...]:
    return tuple(np.dtype(n) for n in names)


def _address(array: np.ndarray) -> int:
    """The address of an array's data: through a ctypes view (`array.ctypes.data` costs several
    times more), or `ctypes.data` where that view cannot be made (read-only or empty arrays)."""
    try:
        return ctypes.addressof(ctypes.c_char.from_buffer(array))
    except (TypeError, ValueError):
        return array.ctypes.data


class CPUDevice(Device):
    """Runs LLVM IR kernels on the host CPU through llvmlite's MCJIT."""

    name = "cpu"
    # MULTI-DEVICE: cpu:N is this process's memory and CPU too, so one compiled kernel (its engine
    # lives as long as the device that made it, the whole process) serves every index
    kernels_shared_by_index = True
    # BACKGROUND-COMPILE: LLVM releases the GIL; `compile` guards the one thing it shares (its cache)
    compiles_off_thread = True

    def __init__(self, opt_level: int = OPT_LEVEL, threads: int | None = None,
                 min_parallel_bytes: int = MIN_PARALLEL_BYTES):
        self.tm = host_target_machine()
        self.opt_level = opt_level
        self.threads = thread_count() if threads is None else threads
        if self.threads < 1:
            raise TinyirError(f"CPU device: threads must be at least 1, got {self.threads}")
        self.min_parallel_bytes = min_parallel_bytes
        self._pool: ThreadPoolExecutor | None = None  # threads - 1 workers: the caller runs a part too
        self._pool_workers = 0
        self._cache: BoundedCache[str, CompiledKernel] = BoundedCache(2048)  # most recently used kernels
        self._cache_lock = threading.Lock()  # BACKGROUND-COMPILE: the compile thread uses the cache too

    def compile(self, source: KernelSource, artifact: bytes | None = None) -> CompiledKernel:
        """`artifact`: an earlier compile's `CompiledKernel.artifact` for the same text on this CPU
        (the disk cache, tinyir/runtime/disk_cache.py): its optimized IR and machine code are
        reloaded, so LLVM neither optimizes nor generates code again."""
        text = anonymous_text(source)
        symbol = KERNEL_SYMBOL if text != source.text else source.name
        with self._cache_lock:
            cached = self._cache.get(text)
        if cached is not None:
            return cached
        optimized, _, machine_code = (artifact or b"").partition(b"\0")
        try:
            module = llvm.parse_assembly(optimized.decode() if machine_code else text)
            module.verify()
        except RuntimeError as exc:
            raise CPUError(f"kernel {source.name}: LLVM rejected the IR: {exc}\n{source.text}") from exc
        module.triple = self.tm.triple
        module.data_layout = str(self.tm.target_data)
        if not machine_code:
            optimize(module, self.tm, self.opt_level)
        engine = llvm.create_mcjit_compiler(module, new_host_target_machine())
        emitted: list[bytes] = []
        engine.set_object_cache(lambda _module, data: emitted.append(bytes(data)),
                                (lambda _module: machine_code) if machine_code else None)
        engine.finalize_object()
        engine.run_static_constructors()
        address = engine.get_function_address(symbol)
        if not address:
            raise CPUError(f"kernel {source.name}: symbol not found after compilation")
        params = [str(a.type) for a in module.get_function(symbol).arguments]
        split = len(params) >= 2 and params[-2:] == ["i32", "i32"]
        nbuffers = len(params) - 2 if split else len(params)
        argtypes = [ctypes.c_void_p] * nbuffers + [ctypes.c_int32] * (2 if split else 0)
        function = ctypes.CFUNCTYPE(None, *argtypes)(address)
        optimized_ir = str(module)
        code = machine_code or (emitted[0] if emitted else b"")
        compiled = CompiledKernel(function, engine, optimized_ir, split,
                                  optimized_ir.encode() + b"\0" + code if code else None)
        with self._cache_lock:
            self._cache[text] = compiled
        return compiled

    def upload(self, array: np.ndarray) -> np.ndarray:
        # Kernels never write the buffers they read (the scheduler gives every output its own
        # buffer), so a contiguous host array is used in place rather than copied.
        return np.ascontiguousarray(array)

    def alloc(self, shape: Sequence[int], dtype: np.dtype) -> np.ndarray:
        return np.empty(tuple(shape), dtype=dtype)

    def download(self, buffer: np.ndarray, shape: Sequence[int], dtype: np.dtype) -> np.ndarray:
        # No copy: the buffer's owner (tinyir/runtime/buffer.py) copies when the buffer lives on.
        return buffer.reshape(tuple(shape)).astype(dtype, copy=False)

    def view(self, buffer: np.ndarray, shape: Sequence[int], dtype: np.dtype) -> np.ndarray:
        return host_view(buffer, shape, dtype)

    def launch(self, compiled: CompiledKernel, buffers: Sequence[np.ndarray], source: KernelSource) -> None:
        expected = _np_dtypes(source.arg_dtypes)  # `dtype.name` costs microseconds; comparing dtypes does not
        for i, b in enumerate(buffers):
            if not (isinstance(b, np.ndarray) and b.flags.c_contiguous):
                raise CPUError(f"kernel {source.name}: buffer {i} is not a contiguous numpy array")
            if expected and b.dtype is not expected[i] and b.dtype != expected[i]:
                raise CPUError(f"kernel {source.name}: buffer {i} has dtype {b.dtype}, "
                               f"the kernel expects {source.arg_dtypes[i]}")
        pointers = [_address(b) for b in buffers]
        if not compiled.split:
            compiled.function(*pointers)
            return
        extent = source.global_size[-1] if source.global_size else 1
        threads = min(self.threads_for(buffers), extent)
        if threads == 1:
            compiled.function(*pointers, 0, extent)
            return
        # A few parts per thread, taken in turn: a thread slowed down (a core shared with another
        # process) takes fewer of them instead of holding up the launch.
        parts = iter(split_range(extent, threads * PARTS_PER_THREAD))
        lock = threading.Lock()

        def run_parts() -> None:
            while True:
                with lock:
                    part = next(parts, None)
                if part is None:
                    return
                compiled.function(*pointers, *part)

        if self._pool is None or self._pool_workers != self.threads - 1:  # `threads` may be reset
            if self._pool is not None:
                self._pool.shutdown()
            self._pool_workers = self.threads - 1
            self._pool = ThreadPoolExecutor(max_workers=self._pool_workers, thread_name_prefix="tinyir-cpu")
        futures = [self._pool.submit(run_parts) for _ in range(threads - 1)]
        run_parts()
        for future in futures:
            future.result()

    def threads_for(self, buffers: Sequence[np.ndarray]) -> int:
        """How many threads a launch over these buffers uses: 1 for little data."""
        if self.threads == 1 or sum(b.nbytes for b in buffers) < self.min_parallel_bytes:
            return 1
        return self.threads
