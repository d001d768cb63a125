"""WIDE-INDEX (tinyir/targets/llvm/emit.py): a CPU kernel prints its loop indices and the no-wrap
index math built from them in i64, reads one `trunc` where an index is used as an i32 value, and
keeps i32 for math that may wrap; results equal numpy's."""

from __future__ import annotations

import re

import numpy as np
import pytest
from test_cpu_target import lower

from tinyir.runtime.cpu import CPUDevice
from tinyir.targets.llvm.emit import emit_kernel


@pytest.fixture(scope="module")
def device() -> CPUDevice:
    return CPUDevice()


def compile_and_run(device: CPUDevice, body: str, *buffers: np.ndarray) -> tuple[str, list[np.ndarray]]:
    """The kernel's LLVM text, and `buffers` after one launch (the kernel writes them in place)."""
    kernel, _ = lower(body, list(buffers))
    source = emit_kernel(kernel)
    compiled = device.compile(source)
    bufs = [device.upload(b) for b in buffers]
    device.launch(compiled, bufs, source)
    return source.text, [device.download(b, b.shape, b.dtype) for b in bufs]


def body_lines(text: str) -> list[str]:
    """The function's instructions after its entry block's allocas and bound extensions."""
    return [line.strip() for line in text.split("define", 1)[1].splitlines()[1:]]


def test_row_sum_indices_are_i64_without_extensions(device: CPUDevice) -> None:
    a = np.random.default_rng(0).standard_normal((6, 8)).astype(np.float32)
    out = np.zeros(6, np.float32)
    text, (got, _) = compile_and_run(device, """
    %g = uop.special "gidx0" 6 : i32
    %acc = uop.define_acc 0.0 : f32
    %eight = uop.const 8 : i32
    %base = uop.mul %g, %eight : i32
    %k = uop.range 0, 8 : i32
    %idx = uop.add %base, %k : i32
    %v = uop.load %b1[%idx] : f32
    %s = uop.add %acc, %v : f32
    uop.assign %acc, %s : f32
    uop.endrange %k
    uop.store %b0[%g], %acc : f32
    """, out, a)
    np.testing.assert_allclose(got, a.sum(1), rtol=1e-5)
    lines = body_lines(text)
    assert "%base = mul nuw nsw i64 %g, 8" in lines and "%idx = add nuw nsw i64 %base, %k" in lines
    assert all(" i64 " in line for line in lines if "getelementptr" in line)
    assert all("phi i64" in line for line in lines if " phi " in line)
    # only %start and %end are extended; no index is truncated back
    assert [line for line in lines if "sext" in line or "trunc" in line] == [
        line for line in lines if re.search(r"sext i32 %(start|end) to i64", line)]


def test_index_read_as_a_value_is_truncated_once(device: CPUDevice) -> None:
    out_f = np.zeros(10, np.float32)
    out_i = np.zeros(10, np.int32)
    text, (got_f, got_i) = compile_and_run(device, """
    %i = uop.special "gidx0" 10 : i32
    %three = uop.const 3 : i32
    %j = uop.mul %i, %three : i32
    %f = uop.cast %j : i32 to f32
    uop.store %b0[%i], %f : f32
    uop.store %b1[%i], %j : i32
    """, out_f, out_i)
    np.testing.assert_array_equal(got_f, np.arange(10, dtype=np.float32) * 3)
    np.testing.assert_array_equal(got_i, np.arange(10, dtype=np.int32) * 3)
    assert text.count("%j.i32 = trunc i64 %j to i32") == 1
    assert "sitofp i32 %j.i32 to float" in text and "store i32 %j.i32" in text


def test_division_stays_i32(device: CPUDevice) -> None:
    """Division and remainder (by a constant or a loaded value) are i32 math on the truncated index."""
    a = np.arange(4, dtype=np.float32) + 1
    d = np.array([2, 3, 5, 7, 2, 3, 5, 7, 2, 3, 5, 7], np.int32)
    out = np.zeros(12, np.float32)
    out_q = np.zeros(12, np.int32)
    text, (got, _, got_q, _) = compile_and_run(device, """
    %i = uop.special "gidx0" 12 : i32
    %three = uop.const 3 : i32
    %q = uop.idiv %i, %three : i32
    %r = uop.mod %i, %three : i32
    %x = uop.load %b1[%q] : f32
    %y = uop.load %b1[%r] : f32
    %s = uop.add %x, %y : f32
    uop.store %b0[%i], %s : f32
    %dv = uop.load %b3[%i] : i32
    %qv = uop.idiv %i, %dv : i32
    uop.store %b2[%i], %qv : i32
    """, out, a, out_q, d)
    i = np.arange(12)
    np.testing.assert_array_equal(got, a[i // 3] + a[i % 3])
    np.testing.assert_array_equal(got_q, (i // d).astype(np.int32))
    assert re.search(r"= sdiv i32 %i\.i32, 3", text) and re.search(r"= srem i32 %i\.i32, 3", text)
    assert re.search(r"= (s|u)div i32 %i\.i32, %", text)  # a loaded divisor
    assert "i64" not in "".join(line for line in text.splitlines() if "div" in line or "rem" in line)


def test_math_that_may_wrap_stays_i32(device: CPUDevice) -> None:
    """A hash of the index overflows i32: it has no nsw, so it is i32 math with i32's wrap-around."""
    out = np.zeros(64, np.int32)
    text, (got,) = compile_and_run(device, """
    %i = uop.special "gidx0" 64 : i32
    %m = uop.const 1000000007 : i32
    %h = uop.mul %i, %m : i32
    %c = uop.const 12345 : i32
    %s = uop.add %h, %c : i32
    uop.store %b0[%i], %s : i32
    """, out)
    expected = (np.arange(64, dtype=np.int64) * 1000000007 + 12345).astype(np.uint32).view(np.int32)
    np.testing.assert_array_equal(got, expected)
    assert "mul i32 %i.i32, 1000000007" in text and "getelementptr inbounds i32, ptr %b0, i64 %i" in text


def test_tensor_results_through_wide_indices() -> None:
    """Padded conv (masked loads at negative offsets), a strided slice, matmul and arange on cpu."""
    from tinyir import Tensor

    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 9, 9)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    a = rng.standard_normal((33, 17)).astype(np.float32)
    b = rng.standard_normal((17, 20)).astype(np.float32)
    torch = pytest.importorskip("torch")
    conv = Tensor(x, device="cpu").conv2d(Tensor(w, device="cpu"), padding=1, stride=2).numpy()
    ref = torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding=1, stride=2).numpy()
    np.testing.assert_allclose(conv, ref, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose((Tensor(a, device="cpu") @ Tensor(b, device="cpu")).numpy(), a @ b, rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(Tensor(a, device="cpu")[3:30:4, ::-2].numpy(), a[3:30:4, ::-2])
    np.testing.assert_array_equal(Tensor.arange(50, device="cpu").numpy(), np.arange(50))
