"""Device buffers: realized tensors stay on their device (host copies counted on OpenCL and on a fake
device registered here), `.to()` between devices, buffers freed when unreferenced, DEBUG=2's report."""

from __future__ import annotations

import gc

import numpy as np
import pytest

import tinyir.registry
from tinyir import Tensor
from tinyir.errors import TinyirError
from tinyir.runtime import executor
from tinyir.runtime.buffer import _ALLOCATORS, Buffer, allocator_for, host_view
from tinyir.targets.base import Device, Target

RNG = np.random.default_rng(0)


def _opencl_or_skip() -> None:
    try:
        allocator_for("opencl")
    except TinyirError as exc:  # pragma: no cover - pyopencl and PoCL are dependencies
        pytest.skip(f"no OpenCL device: {exc}")


class _Memory:
    """The fake device's buffer handle: deliberately not a numpy array."""

    def __init__(self, array: np.ndarray):
        self.array = array


class FakeDevice(Device):
    """Runs the CPU target's kernels on memory it hands out as opaque handles, counting host copies."""

    name = "fakedev"

    def __init__(self) -> None:
        self.cpu = executor.get_device("cpu")
        self.uploads = self.downloads = self.frees = 0

    def compile(self, source):
        return self.cpu.compile(source)

    def upload(self, array):
        self.uploads += 1
        return _Memory(np.array(array, order="C"))

    def alloc(self, shape, dtype):
        return _Memory(np.empty(tuple(shape), dtype))

    def download(self, buffer, shape, dtype):
        self.downloads += 1
        return buffer.array.reshape(tuple(shape)).copy()

    def view(self, buffer, shape, dtype):
        return _Memory(host_view(buffer.array, shape, dtype))

    def free(self, buffer):
        self.frees += 1

    def launch(self, compiled, buffers, source):
        assert all(isinstance(b, _Memory) for b in buffers)
        self.cpu.launch(compiled, [b.array for b in buffers], source)


@pytest.fixture
def fakedev(monkeypatch):
    """A plugin target `fakedev` (the CPU target's lowering, the fake device's memory)."""
    cpu = executor.get_target("cpu")
    target = Target(name="fakedev", lower_pass=cpu.lower_pass, kernel_op=cpu.kernel_op,
                    emit_kernel=cpu.emit_kernel, device=FakeDevice, limits=cpu.limits)
    real = tinyir.registry.plugin_targets
    monkeypatch.setattr(tinyir.registry, "plugin_targets", lambda: [*real(), target])
    executor.device_names.cache_clear()
    yield executor.get_device("fakedev")
    for table in (executor._DEVICES, _ALLOCATORS):
        table.pop("fakedev", None)
    monkeypatch.undo()
    executor.device_names.cache_clear()


def _chain(a: Tensor, b: Tensor) -> Tensor:
    """Three programs, each reading the last one's realized output."""
    c = (a * b + 1).realize()
    d = (c.exp() - c.max(axis=1, keepdim=True)).realize()
    return (d.sum(axis=0) * 0.5).realize()


def _chain_numpy(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    c = a * b + 1
    return (np.exp(c) - c.max(axis=1, keepdims=True)).sum(axis=0) * 0.5


def test_realized_values_stay_on_the_fake_device(fakedev):
    a_np, b_np = (RNG.normal(size=(6, 5)).astype(np.float32) for _ in range(2))
    a, b = Tensor(a_np, device="fakedev"), Tensor(b_np, device="fakedev")
    assert fakedev.uploads == 2 and isinstance(a.lazydata.realized.handle, _Memory)
    _chain(a, b)  # the first run of each program uploads its constants once
    uploads, downloads = fakedev.uploads, fakedev.downloads
    for _ in range(3):
        out = _chain(a, b)
    assert (fakedev.uploads, fakedev.downloads) == (uploads, downloads)  # no host round trip
    np.testing.assert_allclose(out.numpy(), _chain_numpy(a_np, b_np), rtol=1e-5)
    assert fakedev.downloads == downloads + 1
    assert out.tolist() == pytest.approx(_chain_numpy(a_np, b_np).tolist(), rel=1e-5)
    assert out.sum().item() == pytest.approx(float(_chain_numpy(a_np, b_np).sum()), rel=1e-5)


def test_fake_device_buffers_are_freed_through_the_cache(fakedev):
    allocator = allocator_for("fakedev")
    x = Tensor(np.ones((64, 64), np.float32), device="fakedev")
    before = allocator.in_use
    y = (x * 3).realize()
    z = (y.sum(axis=1) + x[0]).realize()
    assert allocator.in_use == before + 64 * 64 * 4 + 64 * 4
    assert allocator.peak >= allocator.in_use
    handles = {id(y.lazydata.realized.handle), id(z.lazydata.realized.handle)}
    del y, z
    gc.collect()
    assert allocator.in_use == before and allocator.cached >= 64 * 64 * 4 + 64 * 4
    again = (x * 3).realize()  # a dead buffer of the same shape and dtype is reused
    assert id(again.lazydata.realized.handle) in handles and allocator.in_use == before + 64 * 64 * 4
    np.testing.assert_array_equal(again.numpy(), np.full((64, 64), 3.0, np.float32))
    frees, cached = fakedev.frees, len([h for hs in allocator.cache.values() for h in hs])
    allocator.free_cache()
    assert fakedev.frees == frees + cached and allocator.cached == 0


def test_host_buffers_go_back_at_once():
    allocator = allocator_for("cpu")
    before = allocator.in_use
    y = (Tensor.ones(256) * 2).realize()
    assert allocator.in_use == before + 256 * 4
    del y
    gc.collect()
    assert allocator.in_use == before and not allocator.cache.get(((256,), np.dtype(np.float32)))  # not kept


def test_opencl_keeps_realized_values_on_the_device():
    _opencl_or_skip()
    allocator = allocator_for("opencl")
    a_np, b_np = (RNG.normal(size=(6, 5)).astype(np.float32) for _ in range(2))
    a, b = Tensor(a_np, device="opencl"), Tensor(b_np, device="opencl")
    _chain(a, b)
    uploads, downloads = allocator.uploads, allocator.downloads
    for _ in range(3):
        out = _chain(a, b)
    assert (allocator.uploads, allocator.downloads) == (uploads, downloads)
    assert type(out.lazydata.realized.handle).__name__ == "Buffer"  # a pyopencl buffer, not a host array
    np.testing.assert_allclose(out.numpy(), _chain_numpy(a_np, b_np), rtol=1e-5)
    assert allocator.downloads == downloads + 1


def _devices() -> list[str]:
    names = ["cpu", "reference", "c"]
    try:
        allocator_for("opencl")
        names.append("opencl")
    except TinyirError:  # pragma: no cover
        pass
    return names


def test_to_between_every_pair_of_devices():
    devices = _devices()
    x_np = RNG.normal(size=(3, 4)).astype(np.float32)
    for src in devices:
        for dst in devices:
            x = Tensor(x_np, device=src) * 2
            moved = x.to(dst)
            assert moved.device == dst
            if dst != src:  # a copy: realized there (the same device gives the tensor itself, lazy)
                assert moved.lazydata.realized.device == dst
            np.testing.assert_allclose(moved.numpy(), x_np * 2, rtol=1e-6)
            np.testing.assert_allclose((moved + 1).sum(axis=0).numpy(), (x_np * 2 + 1).sum(axis=0), rtol=1e-5)


def test_to_keeps_dtypes_and_zero_sized_tensors():
    for dst in _devices():
        ints = Tensor(np.arange(6, dtype=np.int32).reshape(2, 3)).to(dst)
        assert ints.dtype.name == "int32" and ints.numpy().tolist() == [[0, 1, 2], [3, 4, 5]]
        flags = (Tensor([1, 2, 3]) > 1).to(dst)
        assert flags.numpy().tolist() == [False, True, True]
        empty = Tensor.zeros(0, 3).to(dst)
        assert empty.numpy().shape == (0, 3)


def test_numpy_returns_a_private_copy():
    t = (Tensor([1.0, 2.0]) + 1).realize()
    got = t.numpy()
    got[0] = 100.0
    assert t.numpy().tolist() == [2.0, 3.0]
    src = np.array([5.0, 6.0], np.float32)
    s = Tensor(src)
    src[0] = -1.0  # the tensor holds its own copy of the data it was made from
    assert s.numpy().tolist() == [5.0, 6.0]


def test_program_execute_takes_and_returns_buffers():
    from tinyir.ir import parse_module
    from tinyir.runtime import compile_program

    module = parse_module("""
func.func @main(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %0 = tir.mul %a, %b : tensor<4xf32>
  %1 = tir.exp2 %0 : tensor<4xf32>
  func.return %1 : tensor<4xf32>
}""")
    program = compile_program(module, "cpu")
    a, b = np.arange(4, dtype=np.float32), np.full(4, 0.5, np.float32)
    bufs = [allocator_for("cpu").upload(a), allocator_for("cpu").upload(b)]
    (out,) = program.execute(bufs)
    assert isinstance(out, Buffer) and out.shape == (4,) and out.device == "cpu"
    np.testing.assert_allclose(out.numpy(), np.exp2(a * b), rtol=1e-6)
    (again,) = program.execute([out, bufs[1]])  # an output fed straight back in
    np.testing.assert_allclose(again.numpy(), np.exp2(np.exp2(a * b) * b), rtol=1e-6)
    np.testing.assert_allclose(program.run([a, b])[0], np.exp2(a * b), rtol=1e-6)  # numpy in, numpy out
    with pytest.raises(TinyirError, match=r"input 1: expected \(4,\) float32, got a buffer of \(2,\) float32"):
        program.execute([bufs[0], allocator_for("cpu").upload(np.zeros(2, np.float32))])
    other = allocator_for("reference").upload(b)  # a buffer elsewhere is copied over
    np.testing.assert_allclose(program.execute([bufs[0], other])[0].numpy(), np.exp2(a * b), rtol=1e-6)


def test_debug_2_reports_memory(monkeypatch, capsys):
    monkeypatch.setenv("DEBUG", "2")
    x = Tensor(RNG.normal(size=(8, 8)).astype(np.float32))
    x.softmax(axis=1).realize()
    err = capsys.readouterr().err
    line = next(line for line in err.splitlines() if line.startswith("*** memory cpu:"))
    assert "MB in use, peak" in line and "plan: intermediates" in line and "unplanned" in line
