"""`CUDADevice`: loads PTX text on an NVIDIA GPU and launches its kernels.

Two backends, the first that works wins: pycuda (the `tinyir[cuda]` extra), else NVIDIA's
`cuda-bindings` driver API (`from cuda.bindings import driver`). Both JIT the PTX through the
driver (`cuModuleLoadData`), so no CUDA toolkit is needed at run time. Where neither is installed,
or no GPU answers, the device raises one TinyirError saying what was tried.

The machine code the driver makes of the PTX (a cubin: through the driver's linker, cuLinkComplete,
with cuda-bindings; through `ptxas` for the GPU's architecture with pycuda, where it is installed)
is the artifact the on-disk cache keeps (tinyir/runtime/disk_cache.py), keyed by the GPU's compute
capability and driver version: a second process loads cubins and JITs no PTX.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tinyir.errors import TinyirError
from tinyir.targets.base import Device, KernelSource


def launch_grid(source: KernelSource) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """(grid in blocks, block in threads) for a kernel: the block from `local_size`, the grid
    the ceiling of `global_size` over it, per dimension (x = gidx0)."""
    block = tuple(source.local_size or (1, 1, 1)) + (1, 1, 1)
    sizes = tuple(source.global_size) + (1, 1, 1)
    grid = tuple(math.ceil(sizes[d] / block[d]) for d in range(3))
    return grid, block[:3]  # type: ignore[return-value]


class _PyCUDA:
    """The pycuda backend."""

    def __init__(self, ordinal: int) -> None:
        import pycuda.driver as cuda  # noqa: PLC0415 - optional dependency

        cuda.init()
        if cuda.Device.count() == 0:
            raise TinyirError("pycuda found no CUDA GPU")
        self.cuda = cuda
        self.context = cuda.Device(ordinal).retain_primary_context()
        self.context.push()
        self.name = cuda.Device(ordinal).name()
        major, minor = cuda.Device(ordinal).compute_capability()
        self.arch = f"sm_{major}{minor}"
        self.driver_version = str(cuda.get_driver_version())

    def activate(self) -> None:
        """Make this GPU's context the current one (several GPUs in one process share the thread)."""
        current = self.cuda.Context.get_current()
        if current is None or current.handle != self.context.handle:
            if current is not None:
                self.cuda.Context.pop()
            self.context.push()

    def load(self, ptx: str, name: str) -> Any:
        return self.cuda.module_from_buffer(ptx.encode()).get_function(name)

    def cubin(self, ptx: str) -> bytes | None:
        """The PTX assembled for this GPU by `ptxas`, if installed (pycuda's linker keeps no cubin)."""
        ptxas = shutil.which("ptxas")
        if ptxas is None:
            return None
        with tempfile.TemporaryDirectory(prefix="tinyir-ptxas-") as tmp:
            src, out = os.path.join(tmp, "k.ptx"), os.path.join(tmp, "k.cubin")
            with open(src, "w") as f:
                f.write(ptx)
            arch = f"{self.arch}a" if f".target {self.arch}a" in ptx else self.arch  # sm_90a: wgmma
            done = subprocess.run([ptxas, f"-arch={arch}", src, "-o", out], capture_output=True, text=True,
                                  check=False)
            if done.returncode != 0:
                return None  # the driver's JIT (load) reports the problem
            with open(out, "rb") as f:
                return f.read()

    def load_image(self, image: bytes, name: str) -> Any:
        return self.cuda.module_from_buffer(image).get_function(name)

    def allow_dynamic_shared(self, function: Any, nbytes: int) -> None:
        """Let `function` take `nbytes` of dynamic shared memory (past 48 KB only when asked for)."""
        function.set_attribute(self.cuda.function_attribute.MAX_DYNAMIC_SHARED_SIZE_BYTES, nbytes)

    def alloc(self, nbytes: int) -> Any:
        return self.cuda.mem_alloc(max(nbytes, 1))

    def free(self, buffer: Any) -> None:
        buffer.free()

    def upload(self, buffer: Any, host: np.ndarray) -> None:
        self.cuda.memcpy_htod(buffer, host)

    def download(self, host: np.ndarray, buffer: Any) -> None:
        self.cuda.memcpy_dtoh(host, buffer)

    def launch(self, function: Any, grid: tuple[int, ...], block: tuple[int, ...], buffers: Sequence[Any],
               shared_bytes: int = 0) -> None:
        function(*buffers, grid=grid, block=block, shared=shared_bytes)

    def synchronize(self) -> None:
        self.cuda.Context.synchronize()


class _CudaBindings:
    """The `cuda-bindings` (cuda-python) driver API backend."""

    def __init__(self, ordinal: int) -> None:
        from cuda.bindings import driver  # noqa: PLC0415 - optional dependency

        self.driver = driver
        self.check(driver.cuInit(0), "cuInit")
        count = self.check(driver.cuDeviceGetCount(), "cuDeviceGetCount")
        if count == 0:
            raise TinyirError("cuda-bindings found no CUDA GPU")
        device = self.check(driver.cuDeviceGet(ordinal), "cuDeviceGet")
        self.context = self.check(driver.cuDevicePrimaryCtxRetain(device), "cuDevicePrimaryCtxRetain")
        self.check(driver.cuCtxSetCurrent(self.context), "cuCtxSetCurrent")
        raw = self.check(driver.cuDeviceGetName(256, device), "cuDeviceGetName")
        self.name = raw.split(b"\0", 1)[0].decode(errors="replace")
        attribute = driver.CUdevice_attribute
        major = self.check(driver.cuDeviceGetAttribute(attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device),
                           "cuDeviceGetAttribute")
        minor = self.check(driver.cuDeviceGetAttribute(attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device),
                           "cuDeviceGetAttribute")
        self.arch = f"sm_{major}{minor}"
        self.driver_version = str(self.check(driver.cuDriverGetVersion(), "cuDriverGetVersion"))
        self.modules: list[Any] = []  # keep loaded modules alive

    def check(self, result: tuple, what: str) -> Any:
        """Unpack a driver call's (error, value...) tuple, raising TinyirError on failure."""
        err, *values = result if isinstance(result, tuple) else (result,)
        if err != self.driver.CUresult.CUDA_SUCCESS:
            _, text = self.driver.cuGetErrorString(err)
            detail = text.decode() if isinstance(text, bytes) else str(err)
            raise TinyirError(f"CUDA driver call {what} failed: {detail}")
        return values[0] if len(values) == 1 else (values or None)

    def activate(self) -> None:
        """Make this GPU's context the current one (several GPUs in one process share the thread)."""
        self.check(self.driver.cuCtxSetCurrent(self.context), "cuCtxSetCurrent")

    def load(self, ptx: str, name: str) -> Any:
        return self.load_image(ptx.encode() + b"\0", name)

    def cubin(self, ptx: str) -> bytes | None:
        """The driver's JIT of the PTX for this GPU, as a cubin (its linker: cuLinkComplete)."""
        import ctypes

        driver = self.driver
        state = self.check(driver.cuLinkCreate(0, [], []), "cuLinkCreate")
        try:
            data = ptx.encode() + b"\0"
            self.check(driver.cuLinkAddData(state, driver.CUjitInputType.CU_JIT_INPUT_PTX, data, len(data),
                                            b"kernel.ptx", 0, [], []), "cuLinkAddData")
            address, size = self.check(driver.cuLinkComplete(state), "cuLinkComplete")
            return ctypes.string_at(int(address), int(size))  # copied before the linker frees it
        finally:
            driver.cuLinkDestroy(state)

    def load_image(self, image: bytes, name: str) -> Any:
        """A kernel of a module made from PTX text (NUL-terminated) or a cubin."""
        module = self.check(self.driver.cuModuleLoadData(image), "cuModuleLoadData")
        self.modules.append(module)
        return self.check(self.driver.cuModuleGetFunction(module, name.encode()), "cuModuleGetFunction")

    def allow_dynamic_shared(self, function: Any, nbytes: int) -> None:
        """Let `function` take `nbytes` of dynamic shared memory (past 48 KB only when asked for)."""
        attribute = self.driver.CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES
        self.check(self.driver.cuFuncSetAttribute(function, attribute, nbytes), "cuFuncSetAttribute")

    def alloc(self, nbytes: int) -> Any:
        return self.check(self.driver.cuMemAlloc(max(nbytes, 1)), "cuMemAlloc")

    def free(self, buffer: Any) -> None:
        self.check(self.driver.cuMemFree(buffer), "cuMemFree")

    def upload(self, buffer: Any, host: np.ndarray) -> None:
        self.check(self.driver.cuMemcpyHtoD(buffer, host.ctypes.data, host.nbytes), "cuMemcpyHtoD")

    def download(self, host: np.ndarray, buffer: Any) -> None:
        self.check(self.driver.cuMemcpyDtoH(host.ctypes.data, buffer, host.nbytes), "cuMemcpyDtoH")

    def launch(self, function: Any, grid: tuple[int, ...], block: tuple[int, ...], buffers: Sequence[Any],
               shared_bytes: int = 0) -> None:
        # kernelParams: an array of pointers, each to one 64-bit device address
        pointers = [np.array([int(b)], dtype=np.uint64) for b in buffers]
        params = np.array([p.ctypes.data for p in pointers], dtype=np.uint64)
        self.check(self.driver.cuLaunchKernel(function, *grid, *block, shared_bytes, 0, params.ctypes.data, 0),
                   "cuLaunchKernel")

    def synchronize(self) -> None:
        self.check(self.driver.cuCtxSynchronize(), "cuCtxSynchronize")


def _open_backend(ordinal: int) -> _PyCUDA | _CudaBindings:
    """pycuda if importable and working, else cuda-bindings; one error listing both failures."""
    wanted = os.environ.get("TINYIR_CUDA_BACKEND", "").lower()  # "pycuda" or "cuda-bindings" to force one
    attempts = [("pycuda", _PyCUDA), ("cuda-bindings", _CudaBindings)]
    if wanted:
        attempts = [a for a in attempts if a[0] == wanted] or attempts
    problems = []
    for label, backend in attempts:
        try:
            return backend(ordinal)
        except ImportError as exc:
            problems.append(f"{label}: not installed ({exc.name or exc})")
        except TinyirError as exc:
            problems.append(f"{label}: {exc}")
        except Exception as exc:  # driver missing, no GPU: pycuda raises its own error types
            problems.append(f"{label}: {type(exc).__name__}: {exc}")
    raise TinyirError("the cuda device needs an NVIDIA GPU and pycuda (pip install 'tinyir[cuda]') or "
                      "cuda-bindings (pip install cuda-bindings); " + "; ".join(problems))


@dataclass
class CompiledCUDA:
    """A loaded kernel, and the cubin it was loaded from (the disk cache's artifact; None where
    no cubin could be made, e.g. pycuda without ptxas: the PTX was JIT-compiled on load)."""

    function: Any
    artifact: bytes | None = None


def lowering_chip(arch: str) -> str:
    """The chip a GPU of compute capability `arch` (sm_XY) gets its kernels lowered for: the arch with
    its architecture-specific features where the cuda target lists them (sm_90 -> sm_90a: wgmma), else
    the arch itself where listed (its shared memory), else "" (the target's default, sm_80).
    `TINYIR_CUDA_ARCH` overrides it (e.g. sm_80: mma.sync on a Hopper GPU)."""
    from tinyir.targets.ptx import CHIP_LIMITS

    chosen = os.environ.get("TINYIR_CUDA_ARCH")
    if chosen is not None:
        if chosen and chosen not in CHIP_LIMITS:
            raise TinyirError(f"TINYIR_CUDA_ARCH={chosen}: the cuda target has no such chip "
                              f"(chips: {', '.join(CHIP_LIMITS)})")
        return chosen
    return next((chip for chip in (f"{arch}a", arch) if chip in CHIP_LIMITS), "")


class CUDADevice(Device):
    """One NVIDIA GPU: `cuda:N` (tinyir/runtime/executor.py) opens GPU `ordinal` N; plain `cuda`
    (ordinal 0 or None) opens $TINYIR_CUDA_DEVICE, default 0. Kernels are cached by their PTX text.

    With several GPUs open in one process, every call first makes its GPU's context current (one
    driver call): the thread's current context is whichever GPU was used last."""

    name = "cuda"
    open_count = 0  # GPUs opened in this process: with more than one, contexts are switched per call

    def __init__(self, ordinal: int | None = None) -> None:
        if not ordinal:
            ordinal = int(os.environ.get("TINYIR_CUDA_DEVICE", "0"))
        self.ordinal = ordinal
        self.backend = _open_backend(ordinal)
        self.chip = lowering_chip(self.backend.arch)
        self._functions: dict[tuple[str, str], CompiledCUDA] = {}
        CUDADevice.open_count += 1

    def activate(self) -> None:
        if CUDADevice.open_count > 1:
            self.backend.activate()

    @property
    def backend_name(self) -> str:
        return "pycuda" if isinstance(self.backend, _PyCUDA) else "cuda-bindings"

    @property
    def artifact_identity(self) -> str:
        """What a cubin depends on besides the GPU's name: its architecture and the driver."""
        return f"{self.backend.arch} driver {self.backend.driver_version}"

    def compile(self, source: KernelSource, artifact: bytes | None = None) -> CompiledCUDA:
        """`artifact`: the cubin an earlier compile of the same PTX made for this GPU (disk cache): it
        is loaded as it is, with no JIT. A cubin the driver refuses raises; the executor then
        compiles the PTX (a cache entry is never trusted)."""
        key = (source.text, source.name)
        self.activate()
        if key not in self._functions and artifact is not None:
            self._functions[key] = self._allow_shared(
                CompiledCUDA(self.backend.load_image(artifact, source.name), artifact), source)
        if key not in self._functions:
            try:
                try:
                    cubin = self.backend.cubin(source.text)
                except Exception:  # noqa: BLE001 - no cubin (the linker failed): the JIT load reports why
                    cubin = None
                function = (self.backend.load(source.text, source.name) if cubin is None
                            else self.backend.load_image(cubin, source.name))
                self._functions[key] = self._allow_shared(CompiledCUDA(function, cubin), source)
            except TinyirError as exc:
                raise TinyirError(f"loading the PTX of kernel {source.name!r} failed: {exc}\n{source.text}") from exc
            except Exception as exc:  # pycuda's LogicError/CompileError carry the JIT log
                raise TinyirError(f"loading the PTX of kernel {source.name!r} failed: {exc}\n{source.text}") from exc
        return self._functions[key]

    def _allow_shared(self, compiled: CompiledCUDA, source: KernelSource) -> CompiledCUDA:
        """A kernel with dynamic shared memory (tinyir/targets/ptx/emit.py) may take its bytes: asked
        for once per loaded function (cuFuncSetAttribute); each launch then passes them."""
        if source.dynamic_shared_bytes:
            try:
                self.backend.allow_dynamic_shared(compiled.function, source.dynamic_shared_bytes)
            except Exception as exc:  # noqa: BLE001 - pycuda raises its own error types
                raise TinyirError(f"kernel {source.name!r} needs {source.dynamic_shared_bytes} bytes of shared "
                                  f"memory, more than this GPU ({self.backend.name}, {self.backend.arch}) lets a "
                                  f"block use (lower for its arch: lower-to-ptx{{arch={self.backend.arch}}}): {exc}"
                                  ) from exc
        return compiled

    def upload(self, array: np.ndarray) -> Any:
        host = np.ascontiguousarray(array)
        self.activate()
        buffer = self.backend.alloc(host.nbytes)
        if host.nbytes:
            self.backend.upload(buffer, host)
        return buffer

    def alloc(self, shape: Sequence[int], dtype: np.dtype) -> Any:
        self.activate()
        return self.backend.alloc(int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize)

    def free(self, buffer: Any) -> None:
        self.activate()
        self.backend.free(buffer)

    def download(self, buffer: Any, shape: Sequence[int], dtype: np.dtype) -> np.ndarray:
        out = np.empty(tuple(shape), dtype=dtype)
        if out.nbytes:
            self.activate()
            self.backend.synchronize()
            self.backend.download(out, buffer)
        return out

    def launch(self, compiled: CompiledCUDA, buffers: Sequence[Any], source: KernelSource) -> None:
        if source.arg_dtypes and len(buffers) != len(source.arg_dtypes):
            raise TinyirError(f"kernel {source.name!r} takes {len(source.arg_dtypes)} buffers, got {len(buffers)}")
        grid, block = launch_grid(source)
        self.activate()
        self.backend.launch(compiled.function, grid, block, buffers, source.dynamic_shared_bytes)

    def synchronize(self) -> None:
        self.activate()
        self.backend.synchronize()
