"""A simulated `cuda` device for the tests, with no GPU: `TINYIR_SIM_CUDA=sm_90a` (or sm_80) in the
environment makes `cuda` a device whose programs take the cuda chain of passes (the cuda heuristics
for that chip, tensor cores and wgmma, staging, cp.async, vectorized copies, bf16 with native stores,
uop-hoist) down to the uop level, where the uop interpreter (tinyir/runtime/uop_interp.py, which
decodes wgmma descriptors and waits for async copies as the hardware does) runs each kernel on numpy
buffers. Only the GPU is left out, and the PTX text unless `TINYIR_SIM_PTXAS=1` (then every
program's kernels are also lowered to PTX and assembled by ptxas).

    TINYIR_SIM_CUDA=sm_90a TINYIR_TEST_DEVICE=cuda python -m pytest test/unit/test_tensor_ops.py

conftest.py installs it. Fresh buffers are filled with a poison pattern (NaN for floats), as GPU
memory holds whatever was there: a kernel that reads what it never wrote shows."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation
from xdsl.passes import ModulePass

from tinyir.targets.base import Device, KernelSource, Target

#: the uop kernels the simulated lowering passed on, by the text that names them
KERNELS: dict[str, Operation] = {}


@dataclass(frozen=True)
class KeepUops(ModulePass):
    """The simulated chain's last pass: the uop kernels stay as they are for the interpreter."""

    name = "uop-keep-for-sim"
    arch: str = ""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if os.environ.get("TINYIR_SIM_PTXAS") == "1":
            _assemble(op, self.arch or "sm_80")


def _assemble(module: ModuleOp, arch: str) -> None:
    """TINYIR_SIM_PTXAS=1: the same kernels lowered to PTX and assembled by ptxas as well."""
    import shutil
    import subprocess
    import tempfile

    from tinyir.runtime.executor import run_passes
    from tinyir.targets.ptx.emit import emit_module

    if not any(o.name == "uop.kernel" for o in module.walk()) or shutil.which("ptxas") is None:
        return
    lowered = module.clone()
    run_passes(lowered, [f"uop-to-ptx{{arch={arch}}}"])
    with tempfile.TemporaryDirectory() as tmp:
        with open(f"{tmp}/k.ptx", "w") as f:
            f.write(emit_module(lowered))
        done = subprocess.run(["ptxas", f"-arch={arch}", f"{tmp}/k.ptx", "-o", f"{tmp}/k.cubin"],
                              capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"ptxas -arch={arch} refused the simulated program's PTX: {done.stderr[:2000]}")


def _emit(kernel: Operation) -> KernelSource:
    text = f"// {kernel.name_str}(...): the uop kernel the interpreter runs\n{kernel}"
    KERNELS.setdefault(text, kernel.clone())
    return KernelSource(name=kernel.name_str, text=text, global_size=(1,), local_size=(1,))


def _poisoned(shape: Sequence[int], dtype: np.dtype) -> np.ndarray:
    dtype = np.dtype(dtype)
    out = np.empty(tuple(shape), dtype)
    if dtype.kind == "f" or dtype.name == "bfloat16":
        out[...] = np.nan
    else:
        out.reshape(-1).view(np.uint8)[...] = 0x5A
    return out


class SimulatedCUDADevice(Device):
    name = "cuda"

    def __init__(self) -> None:
        self.chip = os.environ.get("TINYIR_SIM_CUDA", "sm_90a")

    def compile(self, source: KernelSource) -> Any:
        return KERNELS[source.text]

    def upload(self, array: np.ndarray) -> np.ndarray:
        return np.array(array, copy=True, order="C")

    def alloc(self, shape: Sequence[int], dtype: np.dtype) -> np.ndarray:
        return _poisoned(shape, dtype)

    def download(self, buffer: np.ndarray, shape: Sequence[int], dtype: np.dtype) -> np.ndarray:
        return np.array(buffer.reshape(tuple(shape)), dtype=dtype, copy=True)

    def view(self, buffer: np.ndarray, shape: Sequence[int], dtype: np.dtype) -> np.ndarray:
        from tinyir.runtime.buffer import host_view

        return host_view(buffer, shape, dtype)

    def launch(self, compiled: Any, buffers: Sequence[np.ndarray], source: KernelSource) -> None:
        from tinyir.runtime.uop_interp import run_kernel

        run_kernel(compiled, list(buffers))


def _target() -> Target:
    from tinyir.targets import ptx

    return Target(name="cuda", lower_pass="uop-keep-for-sim", kernel_op="uop.kernel", emit_kernel=_emit,
                  device=SimulatedCUDADevice, limits=ptx.TARGET.limits, chip_limits=ptx.TARGET.chip_limits)


TARGET = _target()


def install(setitem=lambda mapping, key, value: mapping.__setitem__(key, value)) -> None:
    """Make `cuda` the simulated device in this process (before anything compiles for cuda);
    `setitem`: pytest's monkeypatch.setitem, to undo it after a test."""
    from tinyir import registry
    from tinyir.runtime import executor

    setitem(registry.PASSES, "uop-keep-for-sim", "cuda_sim:KeepUops")
    setitem(executor.BUILTIN_TARGETS, "cuda", "cuda_sim:TARGET")
