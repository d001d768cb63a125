"""The interface every target implements, built-in or plugin (see docs/new-target.md).

A target lowers `uop.kernel` ops to its own kernel op (pass `lower_pass`), prints each kernel as
text (`emit_kernel`), and may bring a runtime `Device` that compiles that text and launches it.
The host side of the entry function (`st.alloc`, `st.buffer_constant`, kernels, `func.return`) is
executed by tinyir/runtime/executor.py, whatever the target.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from xdsl.ir import Operation


@dataclass(frozen=True)
class KernelSource:
    """One kernel as target text, plus what a launch needs."""

    name: str                     # entry symbol in `text`
    text: str                     # OpenCL C / LLVM IR / PTX / ... for this one kernel
    global_size: tuple[int, ...]  # launch grid in work-items (CPU kernels loop over it themselves)
    local_size: tuple[int, ...] | None = None
    arg_dtypes: tuple[str, ...] = ()  # numpy dtype names of the buffer parameters, in order
    dynamic_shared_bytes: int = 0     # cuda: bytes of `.extern .shared` memory each launch gives the kernel


class Device(ABC):
    """A place kernels run: it compiles kernel text and launches it on its buffers."""

    name: str = "device"
    #: the chip its kernels are lowered for: the target's `arch=` option (cuda: sm_90a on an sm_90
    #: GPU, for wgmma), "" for the target's default chip
    chip: str = ""
    #: BACKGROUND-COMPILE (tinyir/runtime/background_compile.py): `compile` releases the GIL (the
    #: CPU's LLVM) and may run on a worker thread while the host prepares the next kernels
    compiles_off_thread: bool = False

    @abstractmethod
    def compile(self, source: KernelSource) -> Any:
        """Compile one kernel; the result is passed back to `launch`."""

    @abstractmethod
    def upload(self, array: np.ndarray) -> Any:
        """A device buffer holding a copy of `array` (contiguous)."""

    @abstractmethod
    def alloc(self, shape: Sequence[int], dtype: np.dtype) -> Any:
        """An uninitialised device buffer for an array of this shape and dtype."""

    @abstractmethod
    def download(self, buffer: Any, shape: Sequence[int], dtype: np.dtype) -> np.ndarray:
        """The buffer's contents as a new numpy array."""

    @abstractmethod
    def launch(self, compiled: Any, buffers: Sequence[Any], source: KernelSource) -> None:
        """Run a compiled kernel over `source.global_size` with these buffers, in order."""

    def synchronize(self) -> None:
        """Wait until launched work is done (a no-op for synchronous devices)."""

    # Optional, with defaults that suit a device whose buffers free themselves when collected and
    # whose memory is untyped (tinyir/runtime/buffer.py calls these).
    def free(self, buffer: Any) -> None:
        """Give a buffer's memory back now (the default leaves it to the handle's own collection)."""

    def view(self, buffer: Any, shape: Sequence[int], dtype: np.dtype) -> Any:
        """A buffer of `shape` and `dtype` over the start of `buffer`, which `alloc` made as raw bytes
        (`(nbytes,)` of uint8) for the memory planner. Untyped device memory is its own view."""
        return buffer


@dataclass(frozen=True)
class KernelLimits:
    """What a target's kernels may use; `kernel-optimize` reads it for its checks and heuristics.

    A target with `max_local_size == 0` has no work-groups (its `uop.special`s are only `gidx`),
    so `local` and `group` actions are refused there.
    """

    max_local_size: int = 0          # threads in one work-group (product of the lidx sizes); 0 = none
    max_local_dims: int = 3          # lidx0 .. lidx{n-1}
    local_memory_bytes: int = 0      # work-group shared memory
    max_upcast: int = 64             # product of upcast sizes: outputs (accumulators) per thread, in registers
    max_copies: int = 256            # product of upcast and unroll sizes: copies of the body (code size)
    vector_width: int = 4            # elements of an f32 vector access the target prefers
    cores: int = 1                   # parallel units the heuristics should fill (SMs, CPU threads)
    max_global_dims: int = 3         # grid dimensions
    matrix_instructions: tuple[str, ...] = ()  # tensor-core instructions (tinyir/tensor_cores.py names)
    async_copy: bool = False         # global -> local copies without registers (cp.async): staged tiles pipelined
    copy_stages: int = 2             # with async_copy: buffers per staged tile (copies of the next stages-1 chunks in flight)
    rounds_to_bf16: bool = False     # the lowering rounds an f32 to the bf16 a store takes (cuda: cvt.rn.bf16x2.f32)

    @property
    def has_local(self) -> bool:
        return self.max_local_size > 0


#: the limits of a target that declares none: no work-groups
NO_LOCAL = KernelLimits()


@dataclass(frozen=True)
class Target:
    """What a target registers: its lowering pass, kernel op, emitter and (optional) device."""

    name: str                                        # "opencl", "cpu", "cuda", ...
    lower_pass: str                                  # name of the uop-to-TARGET pass
    kernel_op: str                                   # op name of the target's kernel, e.g. "ocl.kernel"
    emit_kernel: Callable[[Operation], KernelSource]  # one target kernel op -> its text
    device: Callable[[], Device] | None = None       # factory of the runtime device, if it can run
    dialects: dict[str, Callable[[], Any]] | None = None  # extra dialects (plugins)
    passes: dict[str, Callable[[], Any]] | None = None    # extra passes (plugins)
    emitters: dict[str, Callable[[Any], str]] | None = None  # `tinyir-opt -t NAME` printers (plugins)
    limits: KernelLimits = NO_LOCAL                  # what kernel-optimize may use on this target
    chip_limits: dict[str, KernelLimits] | None = None  # per chip (kernel-optimize's arch), where they differ
