"""The `c` device: C text -> the system C compiler (`cc -O2 -shared -fPIC`) -> ctypes.

Buffers are numpy arrays in host memory; a kernel is a `void f(T* ...)` that loops over its whole
grid, so a launch is one C call with the arrays' data pointers. Each distinct kernel text is
compiled once per process (a shared library in a temporary directory, kept while the device lives).
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from typing import Any

import numpy as np

from tinyir.errors import TinyirError
from tinyir.runtime.buffer import host_view
from tinyir.targets.base import Device, KernelSource

CFLAGS = ("-O2", "-shared", "-fPIC", "-std=c11")


def c_compiler() -> str:
    """The C compiler: $CC, else `cc`; a TinyirError when there is none."""
    name = os.environ.get("CC", "cc")
    path = shutil.which(name)
    if path is None:
        raise TinyirError(f"the c device needs a C compiler: '{name}' is not on PATH (set CC to one)")
    return path


class CDevice(Device):
    """Runs C kernels on the host CPU."""

    name = "c"

    def __init__(self) -> None:
        self.compiler = c_compiler()
        self.workdir = tempfile.TemporaryDirectory(prefix="tinyir-c-")
        self.libraries: dict[str, ctypes.CDLL] = {}  # text hash -> loaded library (kept alive)

    def compile(self, source: KernelSource) -> Any:
        key = hashlib.sha256(source.text.encode()).hexdigest()[:16]
        if key not in self.libraries:
            c_file = os.path.join(self.workdir.name, f"{key}.c")
            library = os.path.join(self.workdir.name, f"{key}.so")
            with open(c_file, "w") as f:
                f.write(source.text)
            done = subprocess.run([self.compiler, *CFLAGS, "-o", library, c_file, "-lm"],
                                  capture_output=True, text=True)
            if done.returncode != 0:
                raise TinyirError(f"cc failed on kernel {source.name!r}:\n{done.stderr.strip()}")
            self.libraries[key] = ctypes.CDLL(library)
        function = getattr(self.libraries[key], source.name)
        function.restype = None
        function.argtypes = [ctypes.c_void_p] * len(source.arg_dtypes)
        return function

    def upload(self, array: np.ndarray) -> np.ndarray:
        return np.array(array, copy=True, order="C")

    def alloc(self, shape: Sequence[int], dtype: np.dtype) -> np.ndarray:
        return np.empty(tuple(shape), dtype=dtype)

    def download(self, buffer: np.ndarray, shape: Sequence[int], dtype: np.dtype) -> np.ndarray:
        return buffer.reshape(tuple(shape)).astype(dtype, copy=True)

    def view(self, buffer: np.ndarray, shape: Sequence[int], dtype: np.dtype) -> np.ndarray:
        return host_view(buffer, shape, dtype)

    def launch(self, compiled: Any, buffers: Sequence[np.ndarray], source: KernelSource) -> None:
        compiled(*(b.ctypes.data for b in buffers))
