"""`OpenCLDevice`: compiles OpenCL C kernels and runs them through pyopencl.

On a machine without a GPU this is PoCL (the CPU OpenCL "Portable Computing Language"), so the
OpenCL path really executes everywhere. A GPU device is preferred when a platform offers one.
Each program's binary is the artifact the on-disk cache keeps (tinyir/runtime/disk_cache.py), so a
second process creates its programs from binaries instead of compiling OpenCL C again.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tinyir.errors import TinyirError
from tinyir.targets.base import Device, KernelSource


SYSTEM_ICD_DIR = "/etc/OpenCL/vendors"


def _prefer_system_icd() -> None:
    """Use the system's OpenCL drivers (e.g. Debian's PoCL) when any are installed.

    The PoCL bundled in the pyopencl wheel has an LLVM that rejects CPUs newer than itself
    ("unknown target CPU 'generic'"), so a system PoCL, when present, is the safer default.
    An explicit OCL_ICD_VENDORS always wins.
    """
    if "OCL_ICD_VENDORS" in os.environ or not os.path.isdir(SYSTEM_ICD_DIR):
        return
    if any(name.endswith(".icd") for name in os.listdir(SYSTEM_ICD_DIR)):
        os.environ["OCL_ICD_VENDORS"] = SYSTEM_ICD_DIR


def _pyopencl() -> Any:
    _prefer_system_icd()
    try:
        import pyopencl
    except ImportError as exc:  # pragma: no cover - pyopencl is a dependency
        raise TinyirError("the OpenCL device needs pyopencl (pip install pyopencl pocl-binary-distribution)") from exc
    return pyopencl


def _pick_device(cl: Any) -> Any:
    """The device named by $TINYIR_OPENCL_DEVICE (a substring of its name), else a GPU, else any."""
    try:
        platforms = cl.get_platforms()
    except cl.Error:  # no ICD loader configuration at all
        platforms = []
    devices = [d for p in platforms for d in p.get_devices()]
    if not devices:
        raise TinyirError("no OpenCL platform/device found: install a driver, or PoCL for the CPU "
                          "(pip install pocl-binary-distribution)")
    wanted = os.environ.get("TINYIR_OPENCL_DEVICE", "").lower()
    if wanted:
        named = [d for d in devices if wanted in f"{d.platform.name} {d.name}".lower()]
        if not named:
            found = ", ".join(repr(d.name) for d in devices)
            raise TinyirError(f"TINYIR_OPENCL_DEVICE={wanted!r} matches no OpenCL device (found {found})")
        return named[0]
    gpus = [d for d in devices if d.type & cl.device_type.GPU]
    return (gpus or devices)[0]


#: OpenCL C allows `/` and sqrt a few ulp of error unless asked for correct rounding; the ALU table
#: (tinyir/alu.py) makes recip and sqrt correctly rounded on every device.
BUILD_OPTIONS = ["-cl-fp32-correctly-rounded-divide-sqrt"]


@dataclass
class CompiledCL:
    """A built kernel, and its program's binary for this device (the disk cache's artifact: a
    later process creates the program from it instead of compiling the source again)."""

    kernel: Any
    artifact: bytes | None = None


class OpenCLDevice(Device):
    """One OpenCL device with an in-order queue; programs are cached by their source text."""

    name = "opencl"

    def __init__(self) -> None:
        self.cl = _pyopencl()
        self.device = _pick_device(self.cl)
        self.context = self.cl.Context([self.device])
        self.queue = self.cl.CommandQueue(self.context)
        self._programs: dict[str, Any] = {}
        self._kernels: dict[tuple[str, str], CompiledCL] = {}
        self.source_builds = 0  # programs compiled from OpenCL C (tests of the disk cache count them)
        self.binary_loads = 0  # programs created from a disk-cached binary

    @property
    def supports_fp16(self) -> bool:
        """Whether kernels may compute in `half` (cl_khr_fp16): needed by uop-to-opencl{fp16=native} only."""
        return "cl_khr_fp16" in self.device.extensions.split()

    @property
    def supports_fp64(self) -> bool:  # DTYPES
        return "cl_khr_fp64" in self.device.extensions.split()

    @property
    def artifact_identity(self) -> str:
        """What a program binary depends on besides the device's name: its driver and platform."""
        return f"{self.device.driver_version} {self.device.platform.version}"

    def compile(self, source: KernelSource, artifact: bytes | None = None) -> CompiledCL:
        """`artifact`: the program binary an earlier compile of the same text made on this device
        (disk cache, keyed by device name, driver and platform versions): the program is created
        from it and the source is not compiled. A binary the driver refuses raises; the executor
        then compiles the source (a cache entry is never trusted)."""
        if "cl_khr_fp16" in source.text and not self.supports_fp16:
            raise TinyirError(f"kernel {source.name!r} uses f16, but OpenCL device {self.device.name!r} "
                              "has no cl_khr_fp16 extension")
        if "cl_khr_fp64" in source.text and not self.supports_fp64:  # DTYPES: f64 needs the device's double
            raise TinyirError(f"kernel {source.name!r} uses f64 (float64), but OpenCL device {self.device.name!r} "
                              "has no cl_khr_fp64 extension (no double precision)")
        kernel = self._kernels.get((source.text, source.name))
        if kernel is not None:  # pyopencl warns when one program's kernel is retrieved twice
            return kernel
        program = self._programs.get(source.text)
        if program is None and artifact is not None:
            program = self.cl.Program(self.context, [self.device], [artifact]).build(options=BUILD_OPTIONS)
            self.binary_loads += 1
            self._programs[source.text] = program
        if program is None:
            try:
                self.source_builds += 1
                program = self.cl.Program(self.context, source.text).build(options=BUILD_OPTIONS)
            except self.cl.RuntimeError as exc:  # build failure: show the compiler's log
                hint = ""
                if "unknown target CPU" in str(exc):  # PoCL's LLVM predates this host CPU
                    hint = ("\nhint: this PoCL's LLVM does not know the host CPU; use a newer PoCL or pick "
                            "another device with TINYIR_OPENCL_DEVICE")
                raise TinyirError(f"OpenCL build of kernel {source.name!r} failed:\n{exc}{hint}\n{source.text}") from exc
            self._programs[source.text] = program
        binaries = program.get_info(self.cl.program_info.BINARIES)
        binary = bytes(binaries[0]) if binaries and binaries[0] else None
        kernel = CompiledCL(self.cl.Kernel(program, source.name), binary)
        self._kernels[(source.text, source.name)] = kernel
        return kernel

    def upload(self, array: np.ndarray) -> Any:
        host = np.ascontiguousarray(array)
        mf = self.cl.mem_flags
        if host.nbytes == 0:  # OpenCL buffers cannot be empty
            return self.cl.Buffer(self.context, mf.READ_WRITE, 1)
        return self.cl.Buffer(self.context, mf.READ_WRITE | mf.COPY_HOST_PTR, hostbuf=host)

    def alloc(self, shape: Sequence[int], dtype: np.dtype) -> Any:
        nbytes = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
        return self.cl.Buffer(self.context, self.cl.mem_flags.READ_WRITE, max(nbytes, 1))

    def download(self, buffer: Any, shape: Sequence[int], dtype: np.dtype) -> np.ndarray:
        out = np.empty(tuple(shape), dtype=dtype)
        if out.nbytes:
            self.cl.enqueue_copy(self.queue, out, buffer).wait()
        return out

    def launch(self, compiled: CompiledCL, buffers: Sequence[Any], source: KernelSource) -> None:
        """Run over `source.global_size`: entry d is the extent of `get_global_id(d)` (gidx<d>).

        OpenCL's dimension 0 varies fastest between neighbouring work-items, so gidx0 -- the
        innermost, contiguous axis by the uop convention -- is the fastest, as intended. A kernel
        with a `local_size` (explicit work-groups) runs in exactly those groups.
        """
        if len(buffers) != len(source.arg_dtypes) and source.arg_dtypes:
            raise TinyirError(f"kernel {source.name!r} takes {len(source.arg_dtypes)} buffers, got {len(buffers)}")
        local = tuple(source.local_size) if source.local_size is not None else None
        if local is not None:
            self._check_work_group(compiled.kernel, source, local)
        compiled.kernel(self.queue, tuple(source.global_size), local, *buffers)

    def _check_work_group(self, kernel: Any, source: KernelSource, local: tuple[int, ...]) -> None:
        """A clear error, before the launch, for a work-group this device (or kernel) cannot run."""
        cl = self.cl
        most = kernel.get_work_group_info(cl.kernel_work_group_info.WORK_GROUP_SIZE, self.device)
        limits = self.device.max_work_item_sizes
        threads = int(np.prod(local))
        if threads > most or any(n > m for n, m in zip(local, limits)):
            raise TinyirError(f"kernel {source.name!r}: work-group {list(local)} ({threads} work-items) exceeds what "
                              f"OpenCL device {self.device.name!r} runs for it (at most {most}, per dim {limits})")
        local_bytes = kernel.get_work_group_info(cl.kernel_work_group_info.LOCAL_MEM_SIZE, self.device)
        if local_bytes > self.device.local_mem_size:
            raise TinyirError(f"kernel {source.name!r}: {local_bytes} bytes of local memory exceed the "
                              f"{self.device.local_mem_size} of OpenCL device {self.device.name!r}")

    def synchronize(self) -> None:
        self.queue.finish()
