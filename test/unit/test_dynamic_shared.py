"""Dynamic shared memory on cuda: kernels whose local buffers pass 48 KB get one `.extern .shared` array
(tinyir/targets/ptx/emit.py), their KernelSource says how many bytes, and the cuda device lets the
function take them (cuFuncSetAttribute) and gives them at every launch. The GPU is replaced here by a
backend that records the calls; test/gpu runs the real thing."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tinyir.ir import parse_module
from tinyir.runtime.cuda import CompiledCUDA, CUDADevice
from tinyir.runtime.executor import run_passes
from tinyir.targets.base import KernelSource
from tinyir.targets.ptx import CHIP_LIMITS, TARGET
from tinyir.targets.ptx.dialect import SHARED_BYTES_PER_BLOCK
from tinyir.targets.ptx.emit import emit_kernel

KERNEL = """func.func @main(%a: !st.buffer<1024xf32>, %b: !st.buffer<1024xf32>) {{
  uop.kernel "k" (%a, %b) : !st.buffer<1024xf32>, !st.buffer<1024xf32> {{
  ^bb0(%out: !st.buffer<1024xf32>, %in: !st.buffer<1024xf32>):
    %w = uop.special "wgid0" 4 : i32
    %l = uop.special "lidx0" 256 : i32
    %t = uop.define_local : !st.buffer<{n}xf32>
    %c256 = uop.const 256 : i32
    %base = uop.mul %w, %c256 : i32
    %i = uop.add %base, %l : i32
    %v = uop.load %in[%i] : f32
    uop.store %t[%l], %v : f32
    uop.barrier
    %x = uop.load %t[%l] : f32
    uop.store %out[%i], %x : f32
  }}
  func.return
}}"""


def source(elements: int, arch: str = "sm_80") -> KernelSource:
    module = parse_module(KERNEL.format(n=elements))
    run_passes(module, [f"uop-to-ptx{{arch={arch}}}"])
    (kernel,) = [op for op in module.walk() if op.name == "ptx.kernel"]
    return emit_kernel(kernel)


def test_over_48_kb_the_source_carries_the_dynamic_bytes() -> None:
    assert source(12288).dynamic_shared_bytes == 0  # 48 KB: static
    big = source(12289)
    assert big.dynamic_shared_bytes == 49156 and ".extern .shared .align 128 .b8 k_dsmem[];" in big.text


class _Recorder:
    """A cuda backend that records what the device asks of it."""

    name, arch = "fake GPU", "sm_90"

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def cubin(self, ptx: str) -> bytes:
        return b"cubin"

    def load_image(self, image: bytes, name: str) -> str:
        return f"function {name}"

    def allow_dynamic_shared(self, function, nbytes: int) -> None:
        self.calls.append(("allow", function, nbytes))

    def launch(self, function, grid, block, buffers, shared_bytes: int = 0) -> None:
        self.calls.append(("launch", function, grid, block, shared_bytes))


def device() -> CUDADevice:
    dev = object.__new__(CUDADevice)
    dev.ordinal, dev.backend, dev._functions = 0, _Recorder(), {}
    return dev


@pytest.mark.parametrize("elements,shared", [(12289, 49156), (1024, 0)])
def test_the_device_allows_and_gives_the_bytes_at_every_launch(elements, shared) -> None:
    dev, src = device(), source(elements)
    compiled = dev.compile(src)
    dev.compile(src)  # cached: asked once
    for _ in range(2):
        dev.launch(compiled, [1, 2], src)
    allowed = [c for c in dev.backend.calls if c[0] == "allow"]
    assert allowed == ([("allow", "function k", shared)] if shared else [])
    launches = [c for c in dev.backend.calls if c[0] == "launch"]
    assert launches == [("launch", "function k", (4, 1, 1), (256, 1, 1), shared)] * 2
    # a cached cubin (the disk cache's artifact) is allowed the bytes too
    again = device()
    again.compile(src, artifact=b"cubin")
    assert [c for c in again.backend.calls if c[0] == "allow"] == allowed


def test_a_gpu_that_refuses_the_bytes_says_which_kernel_and_arch() -> None:
    from tinyir.errors import TinyirError

    dev, src = device(), source(40000)

    def refuse(function, nbytes):
        raise RuntimeError("CUDA_ERROR_INVALID_VALUE")

    dev.backend.allow_dynamic_shared = refuse
    with pytest.raises(TinyirError, match=r"kernel 'k' needs 160000 bytes of shared memory.*sm_90"):
        dev.compile(src)


def test_limits_per_arch() -> None:
    assert {a: l.local_memory_bytes for a, l in CHIP_LIMITS.items()} == SHARED_BYTES_PER_BLOCK
    assert TARGET.limits.local_memory_bytes == SHARED_BYTES_PER_BLOCK["sm_80"]
    from tinyir.passes.kernel_optimize import target_limits

    assert target_limits("cuda", "sm_86").local_memory_bytes == 101376
    assert target_limits("cuda", "sm_90a").matrix_instructions != target_limits("cuda", "sm_90").matrix_instructions


def test_search_workers_keep_the_dynamic_bytes() -> None:
    from dataclasses import asdict

    from tinyir.search.workers import _source

    src = source(12289)
    assert _source(asdict(src)) == src


@pytest.mark.skipif(shutil.which("ptxas") is None, reason="needs ptxas")
@pytest.mark.parametrize("arch", ["sm_80", "sm_90a"])
def test_the_largest_block_assembles(arch, tmp_path) -> None:
    elements = SHARED_BYTES_PER_BLOCK[arch] // 4
    src = source(elements, arch)
    assert src.dynamic_shared_bytes == elements * 4
    (tmp_path / "k.ptx").write_text(src.text)
    run = subprocess.run(["ptxas", f"-arch={arch}", str(tmp_path / "k.ptx"), "-o", str(tmp_path / "k.cubin")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_past_the_arch_limit_is_one_error() -> None:
    with pytest.raises(Exception, match="exceed the 101376 bytes of shared memory a block may use on sm_86"):
        source(101376 // 4 + 1, "sm_86")
