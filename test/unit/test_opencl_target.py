"""The OpenCL target end to end: hand-written uop kernels -> uop-to-opencl -> OpenCL C -> PoCL,
compared with numpy."""

from __future__ import annotations

import numpy as np
import pytest

from tinyir.errors import TinyirError
from tinyir.ir import make_context, parse_module
from tinyir.targets.base import KernelSource
from tinyir.targets.opencl import TARGET
from tinyir.targets.opencl.dialect import KernelOp
from tinyir.targets.opencl.emit import emit_kernel
from tinyir.targets.opencl.lower import UopToOpenCL


@pytest.fixture(scope="module")
def device():
    """The OpenCL device, skipping only where no device exists or none can build any kernel."""
    try:
        dev = TARGET.device()
        dev.compile(KernelSource("probe", "__kernel void probe(__global int* p) { p[0] = 1; }", (1,)))
    except TinyirError as exc:
        lines = str(exc).splitlines()
        cause = [line for line in lines if line.startswith("error:")] or lines[:1]
        pytest.skip(f"no working OpenCL device here: {cause[0]}")
    return dev


def lower(text: str, **options) -> KernelOp:
    module = parse_module(text)
    UopToOpenCL(**options).apply(make_context(), module)
    module.verify()
    return next(op for op in module.walk() if isinstance(op, KernelOp))


def kernel_text(params: str, body: str, name: str = "k") -> str:
    """A module with one uop kernel; `params` like `%o: !st.buffer<4xf32>, %a: ...`."""
    names = [p.split(":")[0].strip() for p in params.split(", %")]
    names = [n if n.startswith("%") else "%" + n for n in names]
    types = [p.split(":", 1)[1].strip() for p in params.split(", %")]
    args = ", ".join(f"{n}_arg: {t}" for n, t in zip(names, types))
    return (f"func.func @main({args}) {{\n"
            f"  uop.kernel \"{name}\" ({', '.join(n + '_arg' for n in names)}) : {', '.join(types)} {{\n"
            f"  ^bb0({params}):\n{body}\n  }}\n  func.return\n}}\n")


def run(device, text: str, inputs: list[np.ndarray], out_shape: tuple[int, ...], out_dtype, **options) -> np.ndarray:
    source = emit_kernel(lower(text, **options))
    compiled = device.compile(source)
    out = device.alloc(out_shape, np.dtype(out_dtype))
    device.launch(compiled, [out, *(device.upload(a) for a in inputs)], source)
    return device.download(out, out_shape, np.dtype(out_dtype))


def test_elementwise_2d_grid(device):
    body = """
    %x = uop.special "gidx0" 8 : i32
    %y = uop.special "gidx1" 4 : i32
    %c8 = uop.const 8 : i32
    %row = uop.mul %y, %c8 : i32
    %i = uop.add %row, %x : i32
    %a = uop.load %p[%i] : f32
    %b = uop.load %q[%i] : f32
    %e = uop.exp2 %a : f32
    %m = uop.max %a, %b : f32
    %s = uop.mul %e, %b : f32
    %r = uop.add %s, %m : f32
    uop.store %o[%i], %r : f32"""
    text = kernel_text("%o: !st.buffer<4x8xf32>, %p: !st.buffer<4x8xf32>, %q: !st.buffer<4x8xf32>", body)
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 4, 8), dtype=np.float32)
    got = run(device, text, [a, b], (4, 8), np.float32)
    np.testing.assert_allclose(got, np.exp2(a) * b + np.maximum(a, b), rtol=1e-5)
    source = emit_kernel(lower(text))
    assert source.global_size == (8, 4) and source.arg_dtypes == ("float32",) * 3


def test_gated_load_pads_with_zero(device):
    # out[i] = a[i - 2] for 2 <= i < 6, else 0 (a pad of [2, 4] around 4 elements)
    body = """
    %i = uop.special "gidx0" 10 : i32
    %c2 = uop.const 2 : i32
    %c6 = uop.const 6 : i32
    %m2 = uop.const -2 : i32
    %t = uop.const true : i1
    %lo = uop.cmplt %i, %c2 : i32
    %ok_lo = uop.xor %lo, %t : i1
    %ok_hi = uop.cmplt %i, %c6 : i32
    %ok = uop.and %ok_lo, %ok_hi : i1
    %j = uop.add %i, %m2 : i32
    %v = uop.load %a[%j], %ok : f32
    uop.store %o[%i], %v : f32"""
    text = kernel_text("%o: !st.buffer<10xf32>, %a: !st.buffer<4xf32>", body)
    a = np.array([1.5, -2.0, 3.25, 4.0], np.float32)
    np.testing.assert_array_equal(run(device, text, [a], (10,), np.float32), np.pad(a, (2, 4)))


def test_reduce_loops_sum_and_max(device):
    body = """
    %r = uop.special "gidx0" 3 : i32
    %c5 = uop.const 5 : i32
    %base = uop.mul %r, %c5 : i32
    %sum = uop.define_acc 0.0 : f32
    %max = uop.define_acc -inf : f32
    %k = uop.range 0, 5 : i32
    %i = uop.add %base, %k : i32
    %v = uop.load %a[%i] : f32
    %s = uop.add %sum, %v : f32
    uop.assign %sum, %s : f32
    %m = uop.max %max, %v : f32
    uop.assign %max, %m : f32
    uop.endrange %k
    %res = uop.add %sum, %max : f32
    uop.store %o[%r], %res : f32"""
    text = kernel_text("%o: !st.buffer<3xf32>, %a: !st.buffer<3x5xf32>", body)
    a = np.random.default_rng(1).standard_normal((3, 5), dtype=np.float32)
    got = run(device, text, [a], (3,), np.float32)
    np.testing.assert_allclose(got, a.sum(1) + a.max(1), rtol=1e-5)
    assert "for (int ridx0 = 0; ridx0 < 5; ridx0++) {" in emit_kernel(lower(text)).text


def _binary_kernel(op: str, dtype: str, n: int) -> str:
    body = f"""
    %i = uop.special "gidx0" {n} : i32
    %x = uop.load %a[%i] : {dtype}
    %y = uop.load %b[%i] : {dtype}
    %z = uop.{op} %x, %y : {dtype}
    uop.store %o[%i], %z : {dtype}"""
    return kernel_text(f"%o: !st.buffer<{n}x{dtype}>, %a: !st.buffer<{n}x{dtype}>, %b: !st.buffer<{n}x{dtype}>", body)


def _c_idiv(x, y):
    return (np.abs(x) // np.abs(y) * np.sign(x) * np.sign(y)).astype(x.dtype)


INT32_CASES = {
    "add": lambda x, y: (x.astype(np.int64) + y).astype(np.int32),
    "mul": lambda x, y: (x.astype(np.int64) * y).astype(np.int32),
    "idiv": _c_idiv,
    "mod": lambda x, y: np.fmod(x, y),
    "max": np.maximum,
    "and": np.bitwise_and,
    "xor": np.bitwise_xor,
}


@pytest.mark.parametrize("op", sorted(INT32_CASES))
def test_int32_ops_wrap_and_truncate(device, op):
    x = np.array([2**31 - 1, -7, 7, -7, -2**31, 123456789, 5, -1], np.int32)
    y = np.array([1, 2, -2, -2, 1, 1000, 3, 3], np.int32)
    got = run(device, _binary_kernel(op, "i32", 8), [x, y], (8,), np.int32)
    np.testing.assert_array_equal(got, INT32_CASES[op](x, y))


def test_shifts_wrap_and_are_arithmetic(device):
    x = np.array([1, -8, 2**30, 0x40000001, -1, 77], np.int32)
    y = np.array([31, 1, 1, 2, 4, 3], np.int32)
    with np.errstate(over="ignore"):
        shl = (x.astype(np.int64) << y).astype(np.int32)
    np.testing.assert_array_equal(run(device, _binary_kernel("shl", "i32", 6), [x, y], (6,), np.int32), shl)
    np.testing.assert_array_equal(run(device, _binary_kernel("shr", "i32", 6), [x, y], (6,), np.int32), x >> y)


@pytest.mark.parametrize("dtype,np_dtype", [("i8", np.int8), ("ui8", np.uint8)])
def test_byte_arithmetic_wraps(device, dtype, np_dtype):
    x = np.array([127, -128, 100, -3], np.int64).astype(np_dtype)
    y = np.array([1, -1, 100, 7], np.int64).astype(np_dtype)
    for op, ref in [("add", np.add), ("mul", np.multiply)]:
        with np.errstate(over="ignore"):
            want = ref(x, y)
        got = run(device, _binary_kernel(op, dtype, 4), [x, y], (4,), np_dtype)
        np.testing.assert_array_equal(got, want, err_msg=op)


def test_neg_of_int_min_wraps(device):
    body = """
    %i = uop.special "gidx0" 3 : i32
    %x = uop.load %a[%i] : i32
    %n = uop.neg %x : i32
    uop.store %o[%i], %n : i32"""
    x = np.array([-2**31, 5, -6], np.int32)
    got = run(device, kernel_text("%o: !st.buffer<3xi32>, %a: !st.buffer<3xi32>", body), [x], (3,), np.int32)
    np.testing.assert_array_equal(got, np.array([-2**31, -5, 6], np.int32))


def test_casts_and_bitcasts(device):
    body = """
    %i = uop.special "gidx0" 5 : i32
    %x = uop.load %a[%i] : f32
    %t = uop.cast %x : f32 to i32
    %b = uop.cast %x : f32 to i1
    %bf = uop.cast %b : i1 to f32
    %tf = uop.cast %t : i32 to f32
    %bits = uop.bitcast %x : f32 to i32
    %back = uop.bitcast %bits : i32 to f32
    %u = uop.add %tf, %bf : f32
    %r = uop.add %u, %back : f32
    uop.store %o[%i], %r : f32"""
    x = np.array([-2.7, 0.0, 0.4, 3.9, -0.5], np.float32)
    got = run(device, kernel_text("%o: !st.buffer<5xf32>, %a: !st.buffer<5xf32>", body), [x], (5,), np.float32)
    want = x.astype(np.int32).astype(np.float32) + x.astype(bool).astype(np.float32) + x
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_bool_buffers_and_where(device):
    # o = where(m & (a < b), a, b) and an i1 output of m ^ (a != b)
    body = """
    %i = uop.special "gidx0" 6 : i32
    %m = uop.load %mask[%i] : i1
    %x = uop.load %a[%i] : f32
    %y = uop.load %b[%i] : f32
    %lt = uop.cmplt %x, %y : f32
    %ne = uop.cmpne %x, %y : f32
    %c = uop.and %m, %lt : i1
    %w = uop.where %c, %x, %y : f32
    %f = uop.xor %m, %ne : i1
    %cast = uop.cast %f : i1 to f32
    %r = uop.add %w, %cast : f32
    uop.store %o[%i], %r : f32"""
    text = kernel_text("%o: !st.buffer<6xf32>, %mask: !st.buffer<6xi1>, %a: !st.buffer<6xf32>, %b: !st.buffer<6xf32>", body)
    m = np.array([True, False, True, True, False, False])
    a = np.array([1, 2, 3, 4, 5, 6], np.float32)
    b = np.array([2, 1, 3, 5, 5, 0], np.float32)
    want = np.where(m & (a < b), a, b) + (m ^ (a != b)).astype(np.float32)
    np.testing.assert_array_equal(run(device, text, [m, a, b], (6,), np.float32), want)
    assert "__global const uchar* restrict data1" in emit_kernel(lower(text)).text


def test_bool_output_buffer(device):
    body = """
    %i = uop.special "gidx0" 4 : i32
    %x = uop.load %a[%i] : i32
    %z = uop.const 0 : i32
    %b = uop.cmplt %x, %z : i32
    uop.store %o[%i], %b : i1"""
    x = np.array([-1, 0, 3, -9], np.int32)
    got = run(device, kernel_text("%o: !st.buffer<4xi1>, %a: !st.buffer<4xi32>", body), [x], (4,), np.bool_)
    np.testing.assert_array_equal(got, x < 0)


F16_BODY = """
    %i = uop.special "gidx0" 4 : i32
    %x = uop.load %a[%i] : f16
    %y = uop.add %x, %x : f16
    uop.store %o[%i], %y : f16"""
F16_TEXT = kernel_text("%o: !st.buffer<4xf16>, %a: !st.buffer<4xf16>", F16_BODY)


def test_f16_native_runs_or_fails_clearly(device):
    source = emit_kernel(lower(F16_TEXT, fp16="native"))
    assert source.text.startswith("#pragma OPENCL EXTENSION cl_khr_fp16 : enable")
    assert "half val" in source.text
    x = np.array([0.5, -1.25, 3.0, 1000.0], np.float16)
    if device.supports_fp16:
        np.testing.assert_array_equal(run(device, F16_TEXT, [x], (4,), np.float16, fp16="native"), x + x)
    else:
        with pytest.raises(TinyirError, match="has no cl_khr_fp16 extension"):
            device.compile(source)


def test_fp16_option_is_checked():
    with pytest.raises(TinyirError, match="fp16='fast' is not one of storage, native"):
        UopToOpenCL(fp16="fast")


def test_f16_elementwise_in_storage_mode(device):
    """The default mode runs f16 anywhere: vload_half/vstore_half, float math, no pragma."""
    body = """
    %i = uop.special "gidx0" 64 : i32
    %x = uop.load %a[%i] : f16
    %y = uop.load %b[%i] : f16
    %p = uop.mul %x, %y : f16
    %s = uop.add %p, %x : f16
    %m = uop.max %s, %y : f16
    %h = uop.const 0.5 : f16
    %e = uop.mul %m, %h : f16
    %r = uop.exp2 %e : f16
    uop.store %o[%i], %r : f16"""
    text = kernel_text("%o: !st.buffer<64xf16>, %a: !st.buffer<64xf16>, %b: !st.buffer<64xf16>", body)
    source = emit_kernel(lower(text))
    assert "cl_khr_fp16" not in source.text and "half val" not in source.text
    assert "vload_half(" in source.text and "vstore_half_rte(" in source.text
    rng = np.random.default_rng(0)
    a, b = (rng.uniform(-3, 3, 64).astype(np.float16) for _ in range(2))
    expected = np.exp2(np.maximum(a * b + a, b) * np.float16(0.5))
    got = run(device, text, [a, b], (64,), np.float16)
    assert got.dtype == np.float16
    np.testing.assert_allclose(got.astype(np.float32), expected.astype(np.float32), rtol=1e-2, atol=1e-2)


def test_f16_reduce_in_storage_mode(device):
    """Row sums of f16 with an f16 accumulator, which is a float register in storage mode."""
    body = """
    %g = uop.special "gidx0" 6 : i32
    %acc = uop.define_acc 0.0 : f16
    %k = uop.range 0, 40 : i32
    %c40 = uop.const 40 : i32
    %row = uop.mul %g, %c40 : i32
    %idx = uop.add %row, %k : i32
    %x = uop.load %a[%idx] : f16
    %s = uop.add %acc, %x : f16
    uop.assign %acc, %s : f16
    uop.endrange %k
    uop.store %o[%g], %acc : f16"""
    text = kernel_text("%o: !st.buffer<6xf16>, %a: !st.buffer<240xf16>", body)
    a = np.random.default_rng(1).uniform(-1, 1, (6, 40)).astype(np.float16)
    got = run(device, text, [a], (6,), np.float16)
    expected = a.astype(np.float32).sum(axis=1).astype(np.float16)
    np.testing.assert_allclose(got.astype(np.float32), expected.astype(np.float32), rtol=1e-2, atol=1e-2)


def test_f16_casts_in_storage_mode(device):
    """Casts to f16 round like numpy (nearest even, overflow to inf, subnormals); from f16 they read the float."""
    body = """
    %i = uop.special "gidx0" 8 : i32
    %x = uop.load %a[%i] : f32
    %h = uop.cast %x : f32 to f16
    %w = uop.cast %h : f16 to f32
    uop.store %o[%i], %w : f32
    %n = uop.cast %h : f16 to i32
    uop.store %ints[%i], %n : i32
    %j = uop.load %b[%i] : i32
    %hj = uop.cast %j : i32 to f16
    uop.store %halves[%i], %hj : f16"""
    text = kernel_text("%o: !st.buffer<8xf32>, %ints: !st.buffer<8xi32>, %halves: !st.buffer<8xf16>, "
                       "%a: !st.buffer<8xf32>, %b: !st.buffer<8xi32>", body)
    x = np.array([0.1, 1.0 + 2.0**-11, -2.71828, 70000.0, 3e-6, -1e-8, 65504.0, 1234.56], np.float32)
    ints = np.array([0, 1, -7, 2049, 65519, 70000, -300, 12345], np.int32)
    source = emit_kernel(lower(text))
    assert "tinyir_round_half(" in source.text
    compiled = device.compile(source)
    bufs = [device.alloc((8,), np.dtype(np.float32)), device.alloc((8,), np.dtype(np.int32)),
            device.alloc((8,), np.dtype(np.float16))]
    device.launch(compiled, [*bufs, device.upload(x), device.upload(ints)], source)
    widened = device.download(bufs[0], (8,), np.dtype(np.float32))
    truncated = device.download(bufs[1], (8,), np.dtype(np.int32))
    halves = device.download(bufs[2], (8,), np.dtype(np.float16))
    with np.errstate(over="ignore"):
        x16, ints16 = x.astype(np.float16), ints.astype(np.float16)
    np.testing.assert_array_equal(widened, x16.astype(np.float32))  # exact: the f16 value itself
    finite = np.isfinite(x16)
    np.testing.assert_array_equal(truncated[finite], x16[finite].astype(np.int32))
    np.testing.assert_array_equal(halves, ints16)


def test_program_cache_and_build_errors(device):
    source = emit_kernel(lower(_binary_kernel("add", "f32", 4)))
    device.compile(source)
    cached = len(device._programs)
    device.compile(source)
    assert len(device._programs) == cached  # the same text builds once
    broken = KernelSource(name="bad", text="__kernel void bad(__global float* p) { p[0] = q; }", global_size=(1,))
    with pytest.raises(TinyirError, match="build of kernel 'bad' failed"):
        device.compile(broken)


TENSOR_PROGRAMS = {
    "matmul": ("""
func.func @main(%a: tensor<3x5xf32>, %b: tensor<5x4xf32>) -> tensor<3x4xf32> {
  %c = tir.matmul %a, %b : tensor<3x5xf32>, tensor<5x4xf32> -> tensor<3x4xf32>
  func.return %c : tensor<3x4xf32>
}""", [(3, 5), (5, 4)], lambda a, b: a @ b),
    "pad_flip_max": ("""
func.func @main(%a: tensor<4x3xf32>, %b: tensor<7x3xf32>) -> tensor<7xf32> {
  %p = tir.pad %a [[1, 2], [0, 0]] : tensor<4x3xf32> -> tensor<7x3xf32>
  %f = tir.flip %p [0] : tensor<7x3xf32>
  %s = tir.add %f, %b : tensor<7x3xf32>
  %m = tir.reduce_max %s [1] : tensor<7x3xf32> -> tensor<7xf32>
  func.return %m : tensor<7xf32>
}""", [(4, 3), (7, 3)], lambda a, b: (np.pad(a, ((1, 2), (0, 0)))[::-1] + b).max(1)),
}


@pytest.mark.parametrize("name", sorted(TENSOR_PROGRAMS))
def test_tensor_programs_through_the_default_pipeline(device, name):
    from tinyir.runtime.executor import run as run_program

    text, shapes, reference = TENSOR_PROGRAMS[name]
    rng = np.random.default_rng(2)
    inputs = [rng.standard_normal(s, dtype=np.float32) for s in shapes]
    (got,) = run_program(parse_module(text), inputs, device="opencl")
    np.testing.assert_allclose(got, reference(*inputs), rtol=1e-5, atol=1e-6)


def test_kernel_without_global_ids_runs_once(device):
    body = """
    %z = uop.const 0 : i32
    %acc = uop.define_acc 0 : i32
    %k = uop.range 0, 6 : i32
    %v = uop.load %a[%k] : i32
    %s = uop.add %acc, %v : i32
    uop.assign %acc, %s : i32
    uop.endrange %k
    uop.store %o[%z], %acc : i32"""
    text = kernel_text("%o: !st.buffer<i32>, %a: !st.buffer<6xi32>", body)
    assert emit_kernel(lower(text)).global_size == (1,)
    x = np.array([1, -2, 3, 2**31 - 1, 5, -6], np.int32)
    wrapped_sum = np.array(x.astype(np.int64).sum()).astype(np.int32)  # overflows int32: wraps
    np.testing.assert_array_equal(run(device, text, [x], (), np.int32), wrapped_sum)


class _FakeDevice:
    def __init__(self, name: str) -> None:
        self.name, self.type = name, 0
        self.platform = type("P", (), {"name": "Fake Platform"})()


class _FakeCL:
    """Just enough of pyopencl for device selection."""

    class Error(Exception):
        pass

    class device_type:
        GPU = 4

    def __init__(self, names: list[str]) -> None:
        self.devices = [_FakeDevice(n) for n in names]

    def get_platforms(self):
        devices = self.devices
        return [type("Platform", (), {"get_devices": lambda self: devices})()] if devices else []


def test_device_selection_errors(monkeypatch):
    from tinyir.runtime.opencl import _pick_device

    monkeypatch.delenv("TINYIR_OPENCL_DEVICE", raising=False)
    with pytest.raises(TinyirError, match="no OpenCL platform/device found"):
        _pick_device(_FakeCL([]))
    assert _pick_device(_FakeCL(["cpu-a", "cpu-b"])).name == "cpu-a"
    monkeypatch.setenv("TINYIR_OPENCL_DEVICE", "CPU-B")
    assert _pick_device(_FakeCL(["cpu-a", "cpu-b"])).name == "cpu-b"
    monkeypatch.setenv("TINYIR_OPENCL_DEVICE", "gpu")
    with pytest.raises(TinyirError, match="matches no OpenCL device"):
        _pick_device(_FakeCL(["cpu-a"]))
