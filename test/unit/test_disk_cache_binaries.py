"""Device binaries in the on-disk cache: OpenCL program binaries (a second process builds no
program from OpenCL C) and CUDA cubins (through a fake driver backend: no GPU here). A binary the
driver refuses is compiled again from its text, never trusted."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tinyir.runtime import executor
from tinyir.runtime.cuda import CompiledCUDA, CUDADevice
from tinyir.runtime.disk_cache import FILE_NAME, device_identity
from tinyir.targets.base import KernelSource

SCRIPT = """
import json
import numpy as np
from tinyir import Tensor
from tinyir.runtime import executor
a = np.arange(24, dtype=np.float32).reshape(4, 6) / 5
out = ((Tensor(a, device="opencl") * 2 + 1).exp().sum(1) / 3).numpy()
soft = Tensor(a, device="opencl").softmax(1).numpy()
device = executor.get_device("opencl")
print(json.dumps({"out": out.tolist(), "soft": soft.tolist(), "stats": executor.COMPILE_STATS.__dict__,
                  "source_builds": device.source_builds, "binary_loads": device.binary_loads}))
"""


def _opencl_available() -> bool:
    try:
        executor.get_device("opencl")
    except Exception:  # noqa: BLE001 - no OpenCL platform: the OpenCL tests skip
        return False
    return True


def _process(cache_dir: Path) -> dict[str, Any]:
    env = {**os.environ, "TINYIR_CACHE_DIR": str(cache_dir), "TINYIR_CACHELEVEL": "1"}
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    a = np.arange(24, dtype=np.float32).reshape(4, 6) / 5
    np.testing.assert_allclose(result["out"], np.exp(a * 2 + 1).sum(1) / 3, rtol=1e-5)
    e = np.exp(a - a.max(1, keepdims=True))
    np.testing.assert_allclose(result["soft"], e / e.sum(1, keepdims=True), rtol=1e-5, atol=1e-7)
    return result


@pytest.mark.skipif(not _opencl_available(), reason="no OpenCL device")
def test_second_opencl_process_builds_no_program_from_source(tmp_path: Path) -> None:
    first = _process(tmp_path)
    assert first["source_builds"] >= 2 and first["binary_loads"] == 0
    second = _process(tmp_path)
    assert second["source_builds"] == 0
    assert second["binary_loads"] == first["source_builds"]
    assert second["stats"]["backend_compiles"] == 0 and second["stats"]["pipelines"] == 0


@pytest.mark.skipif(not _opencl_available(), reason="no OpenCL device")
def test_refused_opencl_binary_is_built_from_source_again(tmp_path: Path) -> None:
    first = _process(tmp_path)
    garbage = b"not a program binary"
    db = sqlite3.connect(tmp_path / FILE_NAME)
    with db:  # a checksum that matches: only the driver can tell the binary is bad
        n = db.execute("UPDATE entries SET value=?, checksum=? WHERE kind='artifact'",
                       (garbage, hashlib.sha256(garbage).hexdigest())).rowcount
    db.close()
    assert n == first["source_builds"]
    second = _process(tmp_path)  # right results (checked in _process), built from OpenCL C again
    assert second["source_builds"] == first["source_builds"] and second["binary_loads"] == 0


class FakeCudaBackend:
    """Stands in for pycuda / cuda-bindings: a 'cubin' is the PTX's hash; records what it did."""

    arch, driver_version, name = "sm_90", "12040", "Fake GPU"

    def __init__(self) -> None:
        self.jit_loads: list[str] = []
        self.image_loads: list[bytes] = []
        self.cubins = 0

    def cubin(self, ptx: str) -> bytes:
        self.cubins += 1
        return b"CUBIN" + hashlib.sha256(ptx.encode()).digest()

    def load(self, ptx: str, name: str) -> str:
        self.jit_loads.append(name)
        return f"function {name}"

    def load_image(self, image: bytes, name: str) -> str:
        if not image.startswith(b"CUBIN"):
            raise RuntimeError("CUDA_ERROR_INVALID_IMAGE")
        self.image_loads.append(image)
        return f"function {name}"


def _fake_cuda() -> CUDADevice:
    device = CUDADevice.__new__(CUDADevice)  # no GPU: the backend is the fake
    device.backend = FakeCudaBackend()
    device._functions = {}
    return device


SOURCE = KernelSource("k0", ".version 8.0\n.target sm_90\n// a kernel\n", global_size=(4,))


def test_cuda_compile_keeps_the_cubin_and_reloads_it_without_jit() -> None:
    first = _fake_cuda()
    compiled = first.compile(SOURCE)
    assert isinstance(compiled, CompiledCUDA) and compiled.artifact is not None
    assert first.backend.cubins == 1 and first.backend.jit_loads == []
    second = _fake_cuda()  # "another process"
    again = second.compile(SOURCE, artifact=compiled.artifact)
    assert again.function == compiled.function and second.backend.cubins == 0
    assert second.backend.image_loads == [compiled.artifact]
    with pytest.raises(RuntimeError):  # a refused cubin raises: the executor compiles the PTX instead
        _fake_cuda().compile(SOURCE, artifact=b"garbage")


def test_cuda_cubins_go_through_the_disk_cache_keyed_by_architecture(monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_path: Path) -> None:
    monkeypatch.setenv("TINYIR_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("TINYIR_CACHELEVEL", "1")
    first, second = _fake_cuda(), _fake_cuda()
    identity = device_identity(first)
    assert "sm_90" in identity and "12040" in identity
    executor._compile_source(SOURCE, first, "cuda", identity)
    before = executor.COMPILE_STATS.reloaded
    executor._compile_source(SOURCE, second, "cuda", identity)
    assert executor.COMPILE_STATS.reloaded == before + 1 and second.backend.cubins == 0
    other = _fake_cuda()
    other.backend.arch = "sm_80"  # another architecture: its own cubin
    assert device_identity(other) != identity
