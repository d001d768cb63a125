"""The fast paths of a cached realize and a JIT replay (issue 8's overhead targets): the one-pass graph
walk, the device-name cache, the executor's buffer check, the CPU launch's argument building, and
tools/bench_overhead.py. Each gives the same values (checked against numpy) and the same errors as
the general path it short-cuts."""

from __future__ import annotations

import importlib.util
import pathlib
import re

import numpy as np
import pytest

from tinyir import Tensor, TinyJit
from tinyir.errors import TinyirError
from tinyir.frontend import lazy
from tinyir.frontend.realize import collect
from tinyir.frontend.tensor import Device
from tinyir.runtime.buffer import allocator_for
from tinyir.runtime.cpu import CPUError

RNG = np.random.default_rng(0)
TOOLS = pathlib.Path(__file__).resolve().parents[2] / "tools"


def _f32(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape).astype(np.float32)


def _realized(node: lazy.LazyOp) -> bool:
    return node.realized is not None


# ---------------------------------------------------------------- the graph walk

def test_collect_lists_nodes_as_a_topological_sort_does():
    """The one-pass walk gives the node order, arguments and numbering of toposort + numbering."""
    a, b = Tensor(_f32(4, 3)).realize(), Tensor(_f32(4, 3)).realize()
    c = a * b
    out = (c + c.exp2()).sum(1) + (c.detach() * 2).max(1)  # a shared node, a detach, two outputs' worth
    graph = collect([out.lazydata, c.lazydata])
    order = lazy.toposort([out.lazydata, c.lazydata], _realized)
    assert graph.args == [n for n in order if _realized(n)]
    assert graph.nodes == [n for n in order if not _realized(n) and n.op != "detach"]
    assert all(n.op != "detach" for n in graph.nodes)
    entries, outputs = graph.key
    assert len(entries) == len(graph.nodes) + len(graph.args)
    assert outputs[1] == graph.nodes.index(c.lazydata)


def test_collect_keys_are_structural():
    a, b = Tensor(_f32(8)).realize(), Tensor(_f32(8)).realize()
    x, y = Tensor(_f32(8)).realize(), Tensor(_f32(8)).realize()
    assert collect([(a * b + 1).lazydata]).key == collect([(x * y + 1).lazydata]).key
    assert collect([(a * b + 1).lazydata]).key != collect([(a + b + 1).lazydata]).key  # another op
    assert collect([(a * b + 1).lazydata]).key != collect([(b * b + 1).lazydata]).key  # another wiring
    assert collect([(a * b + 1).lazydata]).key != collect([(a * b + 2).lazydata]).key  # another constant


def test_collect_walks_deep_graphs_without_recursion():
    x = Tensor(_f32(2)).realize()
    y = x
    for _ in range(5000):
        y = y + 1.0
    graph = collect([y.lazydata])
    assert graph.args == [x.lazydata] and len(graph.nodes) == 5001  # each add, and the one (shared) constant


# ---------------------------------------------------------------- realize and replay give numpy's values

def test_cached_realizes_match_numpy():
    a_np, b_np = _f32(1000), _f32(1000)
    a, b = Tensor(a_np).realize(), Tensor(b_np).realize()
    for i in range(5):
        out = (a * b + i).numpy()
        np.testing.assert_allclose(out, a_np * b_np + i, rtol=1e-6, atol=1e-6)
    c = Tensor(_f32(1000))  # new buffers, the same program
    np.testing.assert_allclose((a * c + 1).numpy(), a_np * c.numpy() + 1, rtol=1e-6, atol=1e-6)


def test_jit_replays_match_numpy_on_new_inputs():
    @TinyJit
    def f(x: Tensor, y: Tensor) -> Tensor:
        return ((x * y).relu() + x.exp2()).sum(0)

    for _ in range(4):
        x_np, y_np = _f32(16, 8), _f32(16, 8)
        got = f(Tensor(x_np), Tensor(y_np)).numpy()
        np.testing.assert_allclose(got, (np.maximum(x_np * y_np, 0) + np.exp2(x_np)).sum(0), rtol=1e-5, atol=1e-5)
    assert f.replay is not None


def test_tensor_fast_path_keeps_requires_grad_semantics():
    x = Tensor(_f32(3))
    y = Tensor(x.lazydata)  # the fast path: a node, nothing else
    assert y.requires_grad is None and y.grad is None and y.lazydata is x.lazydata
    z = Tensor(x.lazydata, requires_grad=True)  # the general path
    assert z.requires_grad


# ---------------------------------------------------------------- device names

def test_device_names_are_canonical_and_unknown_ones_always_raise():
    assert Device.canonicalize("CPU:0") == "cpu" and Device.canonicalize("CPU:0") == "cpu"
    for _ in range(2):  # an error is never cached as a name
        with pytest.raises(TinyirError, match="unknown device 'nope'"):
            Tensor([1.0], device="nope")


# ---------------------------------------------------------------- the executor's buffer check

def _program():
    from tinyir.ir import parse_module
    from tinyir.runtime import compile_program

    return compile_program(parse_module("""
func.func @main(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %0 = tir.mul %a, %b : tensor<4xf32>
  func.return %0 : tensor<4xf32>
}"""), "cpu")


def test_execute_refuses_buffers_of_other_dtypes_and_counts():
    program, cpu = _program(), allocator_for("cpu")
    a = cpu.upload(np.arange(4, dtype=np.float32))
    with pytest.raises(TinyirError, match=r"input 1: expected \(4,\) float32, got a buffer of \(4,\) int32"):
        program.execute([a, cpu.upload(np.arange(4, dtype=np.int32))])
    with pytest.raises(TinyirError, match="expected 2 inputs, got 1"):
        program.execute([a])
    np.testing.assert_array_equal(program.execute([a, a])[0].numpy(), np.arange(4, dtype=np.float32) ** 2)


def test_cpu_launch_reads_read_only_arrays_and_checks_dtypes():
    program = _program()
    data = np.arange(4, dtype=np.float32)
    read_only = np.frombuffer(data.tobytes(), dtype=np.float32)  # no writable view can be made of it
    assert not read_only.flags.writeable
    np.testing.assert_array_equal(program.run([read_only, read_only])[0], data * data)
    step = next(s for s in program.steps if s.kind == "kernel")
    device = allocator_for("cpu").device
    with pytest.raises(CPUError, match="buffer 0 has dtype float64, the kernel expects float32"):
        device.launch(step.compiled, [np.zeros(4), data, np.empty(4, np.float32)], step.source)


# ---------------------------------------------------------------- tools/bench_overhead.py

def _bench_overhead():
    spec = importlib.util.spec_from_file_location("bench_overhead", TOOLS / "bench_overhead.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("device", ["cpu", "opencl"])
def test_bench_overhead_prints_the_two_ratios(device, capsys):
    if device == "opencl":
        try:
            allocator_for("opencl")
        except TinyirError as exc:  # pragma: no cover - pyopencl and PoCL are dependencies
            pytest.skip(f"no OpenCL device: {exc}")
    assert _bench_overhead().main(["--device", device, "--log2", "10", "--calls", "2", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert f"a*b+1 over 2^10 float32 on {device}" in out
    for name in ("kernel", "un-jitted", "jitted"):
        row = re.search(rf"^{name}\s+([0-9.]+)\s+([0-9.]+)", out, re.MULTILINE)
        assert row is not None and float(row.group(1)) > 0 and float(row.group(2)) > 0, out
    replay = re.search(r"^jit replay of a (\d+)-kernel training step: ([0-9.]+) us per kernel", out, re.MULTILINE)
    assert replay is not None and int(replay.group(1)) >= 20 and float(replay.group(2)) > 0, out


def test_bench_overhead_refuses_wrong_results_and_unknown_devices():
    bench = _bench_overhead()
    want = np.ones(4)
    bench.check("ok", np.ones(4, np.float32), want)
    with pytest.raises(SystemExit, match="wrong result"):
        bench.check("bad", np.array([1, 1, 1, 1.01], np.float32), want)
    with pytest.raises(SystemExit, match="unknown device"):
        bench.main(["--device", "nope", "--log2", "4"])


# ---------------------------------------------------------------- host memory reuse

def test_big_host_buffers_are_reused_unless_something_still_sees_them():
    from tinyir.runtime.buffer import HOST_REUSE_BYTES

    n = HOST_REUSE_BYTES // 4
    allocator = allocator_for("cpu")
    x_np = _f32(n)
    x = Tensor(x_np).realize()
    y = (x * 2).realize()
    dead = id(y.lazydata.realized.handle)
    del y
    z = (x * 3).realize()  # the dead output's memory comes back, and is fully rewritten
    assert id(z.lazydata.realized.handle) == dead
    np.testing.assert_array_equal(z.numpy(), x_np * 3)
    program = _big_program(n)
    seen = program.run([x_np, x_np])[0]  # a host view of the output buffer, which dies here
    for i in range(3):  # nothing may write over memory a caller still sees
        np.testing.assert_array_equal(program.run([x_np, np.full(n, i, np.float32)])[0], x_np * i)
    np.testing.assert_array_equal(seen, x_np * x_np)
    before = allocator.cached
    small = (Tensor.ones(256) * 2).realize()
    del small
    assert allocator.cached == before  # small host arrays go back to numpy at once
    allocator.free_cache()


def _big_program(n: int):
    from tinyir.ir import parse_module
    from tinyir.runtime import compile_program

    return compile_program(parse_module(f"""
func.func @main(%a: tensor<{n}xf32>, %b: tensor<{n}xf32>) -> tensor<{n}xf32> {{
  %0 = tir.mul %a, %b : tensor<{n}xf32>
  func.return %0 : tensor<{n}xf32>
}}"""), "cpu")
