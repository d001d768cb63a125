"""Device buffers: a value in one device's memory, and the allocator that counts them.

A `Buffer` is an immutable value once written (kernels never write the buffers they read, and every
program output is a fresh buffer), so buffers may be shared freely: a realized tensor, a JIT capture
and a program run can all hold the same one. The one exception (IN-PLACE): a program may write an
output over an input buffer that nothing but that program refers to, which it then no longer reads
(an optimizer's `assign`: tinyir/frontend/inplace.py, tinyir/runtime/donation.py). It is freed when nothing refers to it (CPython frees it
as the last reference goes; the allocator's counters follow, and keeps device memory for reuse). Copies to and from the host go through
`Allocator.upload` / `Allocator.download`, which count them: tests check that realized values stay on
their device, and `DEBUG=2` prints the memory in use and its peak per device.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from tinyir.errors import TinyirError
from tinyir.targets.base import Device, KernelSource


class Buffer:
    """`shape` elements of `dtype` on one device; `handle` is what the device's kernels take.

    A buffer made by `Allocator.view` is a typed window on a raw planned allocation (`base`),
    which it keeps alive; only buffers that own their memory are counted and freed.
    """

    __slots__ = ("allocator", "shape", "dtype", "handle", "nbytes", "base", "__weakref__")

    def __init__(self, allocator: Allocator, shape: tuple[int, ...], dtype: np.dtype, handle: Any,
                 base: Buffer | None = None):
        self.allocator, self.shape, self.dtype, self.handle, self.base = allocator, shape, dtype, handle, base
        self.nbytes = math.prod(shape) * dtype.itemsize
        if base is None:
            allocator.count_alloc(self.nbytes)

    def __del__(self) -> None:
        if self.base is None:
            self.allocator.release(self)

    def __repr__(self) -> str:
        return f"<Buffer {self.shape} {self.dtype} on {self.device}>"

    @property
    def device(self) -> str:
        return self.allocator.name

    def numpy(self, copy: bool = True) -> np.ndarray:
        """The contents as a numpy array (a host copy; `copy=False` lets a host device hand over
        its own memory, for a caller that drops the buffer right away)."""
        return self.allocator.download(self, copy)

    def to(self, device: str) -> Buffer:
        """A copy on `device`: through the host (the only path between two devices' memories)."""
        target = allocator_for(device)
        if target is self.allocator:
            return self
        return target.upload(self.numpy(copy=False))


class Allocator:
    """Makes buffers on one device and keeps its counters: bytes in use and their peak, host copies.

    Device memory (any handle but a numpy array) is not given back when its buffer dies but kept for
    the next buffer of the same shape and dtype, as tinygrad's allocator does: on a GPU, allocating
    costs time and freeing waits for the device. `free_cache` gives it all back (and runs by itself
    when an allocation fails). Host memory goes back to numpy at once, but for big arrays that nothing
    else refers to (`_reusable_host_array`): those are kept the same way.
    """

    def __init__(self, name: str, device: Device):
        self.name, self.device = name, device
        self.in_use = self.peak = self.cached = 0
        self.uploads = self.downloads = 0  # copies host -> device and device -> host
        self.cache: dict[tuple[tuple[int, ...], np.dtype], list[Any]] = {}

    def count_alloc(self, nbytes: int) -> None:
        self.in_use += nbytes
        self.peak = max(self.peak, self.in_use)

    def release(self, buffer: Buffer) -> None:
        self.in_use -= buffer.nbytes
        handle = buffer.handle
        if not isinstance(handle, np.ndarray) or _reusable_host_array(handle):
            self.cache.setdefault((buffer.shape, buffer.dtype), []).append(handle)
            self.cached += buffer.nbytes
            return
        self._free(handle)

    def _free(self, handle: Any) -> None:
        try:
            self.device.free(handle)
        except Exception:  # noqa: BLE001 - at interpreter exit the device may already be gone
            pass

    def free_cache(self) -> None:
        """Give the memory of dead buffers back to the device."""
        for handles in self.cache.values():
            for handle in handles:
                self._free(handle)
        self.cache.clear()
        self.cached = 0

    def alloc(self, shape: Sequence[int], dtype: np.dtype) -> Buffer:
        shape, dtype = tuple(int(s) for s in shape), np.dtype(dtype)
        free = self.cache.get((shape, dtype))
        if free:
            self.cached -= math.prod(shape) * dtype.itemsize
            return Buffer(self, shape, dtype, free.pop())
        try:
            handle = self.device.alloc(shape, dtype)
        except Exception:
            if not self.cache:
                raise
            self.free_cache()  # out of memory, perhaps: the cache goes first
            handle = self.device.alloc(shape, dtype)
        return Buffer(self, shape, dtype, handle)

    def alloc_raw(self, nbytes: int) -> Buffer:
        """Untyped memory for the memory planner; `view` gives typed buffers at its start."""
        return self.alloc((nbytes,), np.dtype(np.uint8))

    def view(self, raw: Buffer, shape: tuple[int, ...], dtype: np.dtype) -> Buffer:
        return Buffer(self, shape, dtype, self.device.view(raw.handle, shape, dtype), base=raw)

    def upload(self, array: np.ndarray) -> Buffer:
        """A new buffer holding a copy of `array` (host devices may use the array in place)."""
        array = np.asarray(array)
        self.uploads += 1
        return Buffer(self, tuple(array.shape), array.dtype, self.device.upload(array))

    def download(self, buffer: Buffer, copy: bool = True) -> np.ndarray:
        self.downloads += 1
        out = np.asarray(self.device.download(buffer.handle, buffer.shape, buffer.dtype)).reshape(buffer.shape)
        if copy and isinstance(buffer.handle, np.ndarray) and np.may_share_memory(out, buffer.handle):
            out = out.copy()  # host devices hand over their own memory: the caller gets its own
        return out

    def report(self) -> str:
        return (f"{self.name}: {self.in_use / 1e6:.3f} MB in use, peak {self.peak / 1e6:.3f} MB, "
                f"{self.cached / 1e6:.3f} MB cached, {self.uploads} uploads, {self.downloads} downloads")


# Host arrays this big are kept for reuse too: the OS maps them fresh on every allocation, and
# touching a fresh mapping's pages costs more than a memory-bound kernel over them.
HOST_REUSE_BYTES = 1 << 20


def _reusable_host_array(array: np.ndarray) -> bool:
    """A big host array that nothing but the dying buffer refers to (4 references: the buffer's
    slot, `release`'s local, this parameter and getrefcount's argument): no view of it (a
    `numpy(copy=False)` result holds one), and memory of its own, writable (not a caller's array)."""
    return (array.nbytes >= HOST_REUSE_BYTES and array.base is None and array.flags.writeable
            and sys.getrefcount(array) <= 4)


class HostDevice(Device):
    """Numpy arrays in host memory: the device of `reference` values (the numpy interpreter)."""

    name = "host"

    def compile(self, source: KernelSource) -> Any:
        raise TinyirError("the host device runs no kernels")

    def launch(self, compiled: Any, buffers: Sequence[Any], source: KernelSource) -> None:
        raise TinyirError("the host device runs no kernels")

    def upload(self, array: np.ndarray) -> np.ndarray:
        return np.array(array, order="C")  # values are immutable, but the caller's array is not

    def alloc(self, shape: Sequence[int], dtype: np.dtype) -> np.ndarray:
        return np.empty(tuple(shape), dtype=dtype)

    def download(self, buffer: np.ndarray, shape: Sequence[int], dtype: np.dtype) -> np.ndarray:
        return buffer.reshape(tuple(shape))

    def view(self, buffer: np.ndarray, shape: Sequence[int], dtype: np.dtype) -> np.ndarray:
        return host_view(buffer, shape, dtype)


def host_view(raw: np.ndarray, shape: Sequence[int], dtype: np.dtype) -> np.ndarray:
    """A typed array over the first bytes of a raw uint8 array (the host devices' `view`)."""
    nbytes = math.prod(shape) * np.dtype(dtype).itemsize
    return raw[:nbytes].view(dtype).reshape(tuple(shape))


_ALLOCATORS: dict[str, Allocator] = {}


def allocator_for(device: str) -> Allocator:
    """The process-wide allocator of a device name (`reference` keeps numpy arrays on the host);
    one per device index (MULTI-DEVICE: `cpu:1` counts its own buffers; `cpu:0` is `cpu`)."""
    found = _ALLOCATORS.get(device)
    if found is None:
        from tinyir.runtime import executor

        name = executor.canonical_device_name(device)
        found = _ALLOCATORS.get(name)
        if found is None:
            host = executor.split_device_name(name)[0] == "reference"
            dev: Device = HostDevice() if host else executor.get_device(name)
            found = _ALLOCATORS[name] = Allocator(name, dev)
        _ALLOCATORS[device] = found
    return found


def as_buffer(value: Any, device: str) -> Buffer:
    """`value` as a buffer on `device`: a Buffer there is kept, anything else is uploaded."""
    if isinstance(value, Buffer):
        return value.to(device)
    return allocator_for(device).upload(np.asarray(value))

