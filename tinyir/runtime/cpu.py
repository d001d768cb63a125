"""The CPU device: LLVM IR text -> llvmlite (verify, O3 for the host CPU) -> MCJIT -> ctypes call.

Buffers are numpy arrays; a kernel is a `void f(ptr, ptr, ...)` that loops over its whole grid
itself, so a launch is one C call with the arrays' data pointers. Compiled kernels are cached by
their text, and every execution engine is kept alive for as long as the device is.
"""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import llvmlite.binding as llvm
import numpy as np

from tinyir.targets.base import Device, KernelSource

OPT_LEVEL = 3


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


class CPUError(RuntimeError):
    """LLVM rejected a kernel (bad IR text or a failed verification)."""


class CPUDevice(Device):
    """Runs LLVM IR kernels on the host CPU through llvmlite's MCJIT."""

    name = "cpu"

    def __init__(self, opt_level: int = OPT_LEVEL):
        self.tm = host_target_machine()
        self.opt_level = opt_level
        self._cache: dict[str, CompiledKernel] = {}

    def compile(self, source: KernelSource) -> CompiledKernel:
        cached = self._cache.get(source.text)
        if cached is not None:
            return cached
        try:
            module = llvm.parse_assembly(source.text)
            module.verify()
        except RuntimeError as exc:
            raise CPUError(f"kernel {source.name}: LLVM rejected the IR: {exc}\n{source.text}") from exc
        module.triple = self.tm.triple
        module.data_layout = str(self.tm.target_data)
        optimize(module, self.tm, self.opt_level)
        engine = llvm.create_mcjit_compiler(module, new_host_target_machine())
        engine.finalize_object()
        engine.run_static_constructors()
        address = engine.get_function_address(source.name)
        if not address:
            raise CPUError(f"kernel {source.name}: symbol not found after compilation")
        nargs = len(source.arg_dtypes) if source.arg_dtypes else _count_params(module, source.name)
        function = ctypes.CFUNCTYPE(None, *([ctypes.c_void_p] * nargs))(address)
        compiled = CompiledKernel(function, engine, str(module))
        self._cache[source.text] = compiled
        return compiled

    def upload(self, array: np.ndarray) -> np.ndarray:
        # Kernels never write the buffers they read (the scheduler gives every output its own
        # buffer), so a contiguous host array is used in place rather than copied.
        return np.ascontiguousarray(array)

    def alloc(self, shape: Sequence[int], dtype: np.dtype) -> np.ndarray:
        return np.empty(tuple(shape), dtype=dtype)

    def download(self, buffer: np.ndarray, shape: Sequence[int], dtype: np.dtype) -> np.ndarray:
        # Output buffers are allocated afresh by every run, so handing them over needs no copy.
        return buffer.reshape(tuple(shape)).astype(dtype, copy=False)

    def launch(self, compiled: CompiledKernel, buffers: Sequence[np.ndarray], source: KernelSource) -> None:
        for i, b in enumerate(buffers):
            if not (isinstance(b, np.ndarray) and b.flags.c_contiguous):
                raise CPUError(f"kernel {source.name}: buffer {i} is not a contiguous numpy array")
            if source.arg_dtypes and b.dtype.name != source.arg_dtypes[i]:
                raise CPUError(f"kernel {source.name}: buffer {i} has dtype {b.dtype}, "
                               f"the kernel expects {source.arg_dtypes[i]}")
        compiled.function(*(b.ctypes.data for b in buffers))


def _count_params(module: llvm.ModuleRef, name: str) -> int:
    return len(list(module.get_function(name).arguments))
