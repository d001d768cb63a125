"""The CPU target end to end: hand-written uop kernels -> uop-to-llvm -> .ll -> llvmlite JIT -> numpy.

Each kernel is checked against numpy with C semantics (truncating division, wrap-around, ...).
"""

from __future__ import annotations

import numpy as np
import pytest

from tinyir import alu
from tinyir.ir import make_context, parse_module
from tinyir.registry import load
from tinyir.runtime.cpu import CPUDevice
from tinyir.targets.llvm import dialect as ll
from tinyir.targets.llvm.emit import emit_kernel, emit_module
from tinyir.targets.llvm.lower import UopToLLVM

DTYPE_NAMES = {np.float32: "f32", np.float16: "f16", np.int32: "i32", np.int8: "i8", np.uint8: "ui8",
               np.bool_: "i1"}


@pytest.fixture(scope="module")
def device() -> CPUDevice:
    return CPUDevice()


def buffer_type(arr: np.ndarray) -> str:
    dims = "x".join(str(d) for d in arr.shape)
    return f"!st.buffer<{dims}x{DTYPE_NAMES[arr.dtype.type]}>"


def lower(body: str, buffers: list[np.ndarray]) -> tuple[ll.KernelOp, object]:
    """A uop kernel over `buffers` (block args %b0, %b1, ...), lowered to an llir.kernel."""
    types = [buffer_type(b) for b in buffers]
    names = [f"%b{i}" for i in range(len(buffers))]
    outer = [f"%a{i}" for i in range(len(buffers))]
    text = (
        f"func.func @main({', '.join(f'{o}: {t}' for o, t in zip(outer, types))}) {{\n"
        f'  uop.kernel "k" ({", ".join(outer)}) : {", ".join(types)} {{\n'
        f"  ^bb0({', '.join(f'{n}: {t}' for n, t in zip(names, types))}):\n{body}\n  }}\n"
        f"  func.return\n}}\n"
    )
    module = parse_module(text)
    UopToLLVM().apply(make_context(), module)
    module.verify()
    kernel = next(op for op in module.walk() if isinstance(op, ll.KernelOp))
    return kernel, module


def run(device: CPUDevice, body: str, *buffers: np.ndarray) -> list[np.ndarray]:
    """Lower, emit, JIT and launch a kernel on copies of `buffers`; returns them afterwards."""
    kernel, _ = lower(body, list(buffers))
    source = emit_kernel(kernel)
    compiled = device.compile(source)
    bufs = [device.upload(b) for b in buffers]
    device.launch(compiled, bufs, source)
    return [device.download(b, b.shape, b.dtype) for b in bufs]


def test_elementwise_2d_grid(device: CPUDevice) -> None:
    rng = np.random.default_rng(0)
    a = rng.uniform(0.5, 4.0, (3, 5)).astype(np.float32)
    b = rng.uniform(-2.0, 2.0, (3, 5)).astype(np.float32)
    out = np.zeros((3, 5), np.float32)
    body = """
    %x = uop.special "gidx0" 5 : i32
    %y = uop.special "gidx1" 3 : i32
    %five = uop.const 5 : i32
    %row = uop.mul %y, %five : i32
    %i = uop.add %row, %x : i32
    %va = uop.load %b1[%i] : f32
    %vb = uop.load %b2[%i] : f32
    %e = uop.exp2 %vb : f32
    %l = uop.log2 %va : f32
    %s = uop.sin %vb : f32
    %q = uop.sqrt %va : f32
    %r = uop.recip %va : f32
    %n = uop.neg %vb : f32
    %m = uop.max %n, %s : f32
    %t0 = uop.mul %e, %l : f32
    %t1 = uop.add %t0, %q : f32
    %t2 = uop.add %t1, %r : f32
    %t3 = uop.add %t2, %m : f32
    uop.store %b0[%i], %t3 : f32"""
    (res, _, _) = run(device, body, out, a, b)
    expect = np.exp2(b) * np.log2(a) + np.sqrt(a) + 1 / a + np.maximum(-b, np.sin(b))
    np.testing.assert_allclose(res, expect, rtol=1e-5, atol=1e-6)


def test_gated_load_and_store_pad(device: CPUDevice) -> None:
    """out[i] = a[i-2] for 2 <= i < 10 else 0 (gated load); only even i are written (gated store)."""
    a = np.arange(1, 9, dtype=np.float32)
    out = np.full(12, -1.0, np.float32)
    body = """
    %i = uop.special "gidx0" 12 : i32
    %two = uop.const 2 : i32
    %ten = uop.const 10 : i32
    %one = uop.const 1 : i32
    %zero = uop.const 0 : i32
    %m2 = uop.const -2 : i32
    %lo = uop.cmplt %one, %i : i32
    %hi = uop.cmplt %i, %ten : i32
    %valid = uop.and %lo, %hi : i1
    %src = uop.add %i, %m2 : i32
    %v = uop.load %b1[%src], %valid : f32
    %odd = uop.and %i, %one : i32
    %even = uop.cmpne %odd, %one : i32
    uop.store %b0[%i], %v, %even : f32"""
    (res, _) = run(device, body, out, a)
    padded = np.concatenate([[0, 0], a, [0, 0]]).astype(np.float32)
    expect = np.where(np.arange(12) % 2 == 0, padded, -1.0)
    np.testing.assert_array_equal(res, expect)


def test_reduce_loop_sum_and_max(device: CPUDevice) -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((6, 37)).astype(np.float32)
    out = np.zeros(6, np.float32)
    body = """
    %g = uop.special "gidx0" 6 : i32
    %acc = uop.define_acc 0.0 : f32
    %big = uop.define_acc -inf : f32
    %w = uop.const 37 : i32
    %base = uop.mul %g, %w : i32
    %k = uop.range 0, 37 : i32
    %idx = uop.add %base, %k : i32
    %v = uop.load %b1[%idx] : f32
    %s = uop.add %acc, %v : f32
    uop.assign %acc, %s : f32
    %m = uop.max %big, %v : f32
    uop.assign %big, %m : f32
    uop.endrange %k
    %r = uop.add %acc, %big : f32
    uop.store %b0[%g], %r : f32"""
    (res, _) = run(device, body, out, x)
    np.testing.assert_allclose(res, x.sum(axis=1) + x.max(axis=1), rtol=1e-5, atol=1e-5)


def test_matmul_nested_reduce(device: CPUDevice) -> None:
    """A 2-D grid with an inner reduce: c[i, j] = sum_k a[i, k] * b[k, j]."""
    rng = np.random.default_rng(2)
    a = rng.standard_normal((5, 7)).astype(np.float32)
    b = rng.standard_normal((7, 9)).astype(np.float32)
    c = np.zeros((5, 9), np.float32)
    body = """
    %j = uop.special "gidx0" 9 : i32
    %i = uop.special "gidx1" 5 : i32
    %acc = uop.define_acc 0.0 : f32
    %seven = uop.const 7 : i32
    %nine = uop.const 9 : i32
    %arow = uop.mul %i, %seven : i32
    %k = uop.range 0, 7 : i32
    %ai = uop.add %arow, %k : i32
    %krow = uop.mul %k, %nine : i32
    %bi = uop.add %krow, %j : i32
    %va = uop.load %b1[%ai] : f32
    %vb = uop.load %b2[%bi] : f32
    %p = uop.mul %va, %vb : f32
    %s = uop.add %acc, %p : f32
    uop.assign %acc, %s : f32
    uop.endrange %k
    %crow = uop.mul %i, %nine : i32
    %ci = uop.add %crow, %j : i32
    uop.store %b0[%ci], %acc : f32"""
    (res, _, _) = run(device, body, c, a, b)
    np.testing.assert_allclose(res, a @ b, rtol=1e-5, atol=1e-5)


INT_BODY = """
    %i = uop.special "gidx0" {n} : i32
    %x = uop.load %b{nx}[%i] : {t}
    %y = uop.load %b{ny}[%i] : {t}
    %r = uop.{op} %x, %y : {t}
    uop.store %b0[%i], %r : {t}"""


def c_div(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return alu.eval_op("idiv", [x, y], x.dtype)  # the ALU table: toward zero, x / 0 = 0


def c_mod(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return alu.eval_op("mod", [x, y], x.dtype)  # sign of x, x % 0 = 0


def _table(name: str):
    return lambda x, y: alu.eval_op(name, [x, y], x.dtype)


@pytest.mark.parametrize("op, reference", [
    ("idiv", c_div),
    ("mod", c_mod),
    ("add", lambda x, y: (x.astype(np.int64) + y).astype(np.int32)),
    ("mul", lambda x, y: (x.astype(np.int64) * y).astype(np.int32)),
    ("max", np.maximum),
    ("and", np.bitwise_and),
    ("or", np.bitwise_or),
    ("xor", np.bitwise_xor),
    ("shl", _table("shl")),
    ("shr", _table("shr")),
])
def test_int32_ops(device: CPUDevice, op: str, reference) -> None:
    x = np.array([7, -7, 7, -7, 0, 2**31 - 1, -2**31, -2**31, 100, -100, 5, 12345], np.int32)
    y = np.array([2, 2, -2, -2, 3, 2, -1, 0, 0, 7, 33, 3], np.int32)
    if op in ("shl", "shr"):
        y = np.abs(y)
    out = np.zeros_like(x)
    (res, _, _) = run(device, INT_BODY.format(n=x.size, nx=1, ny=2, t="i32", op=op), out, x, y)
    np.testing.assert_array_equal(res, reference(x, y))


@pytest.mark.parametrize("op, reference", [
    ("idiv", _table("idiv")),
    ("mod", _table("mod")),
    ("max", np.maximum),
    ("shr", _table("shr")),
    ("add", lambda x, y: x + y),
])
def test_uint8_ops(device: CPUDevice, op: str, reference) -> None:
    x = np.array([200, 255, 7, 128, 0, 90], np.uint8)
    y = np.array([3, 128, 0, 1, 9, 201], np.uint8)
    out = np.zeros_like(x)
    with np.errstate(all="ignore"):
        expect = reference(x, y).astype(np.uint8)
    (res, _, _) = run(device, INT_BODY.format(n=x.size, nx=1, ny=2, t="ui8", op=op), out, x, y)
    np.testing.assert_array_equal(res, expect)


def test_uint8_constant_operands_stay_unsigned(device: CPUDevice) -> None:
    """A ui8 constant is an i8 bit pattern in LLVM; compares and casts of it must stay unsigned."""
    x = np.array([0, 100, 199, 200, 201, 255], np.uint8)
    less = np.zeros(6, np.bool_)
    wide = np.zeros(6, np.int32)
    body = """
    %i = uop.special "gidx0" 6 : i32
    %x = uop.load %b2[%i] : ui8
    %c = uop.const 200 : ui8
    %lt = uop.cmplt %c, %x : ui8
    uop.store %b0[%i], %lt : i1
    %cw = uop.cast %c : ui8 to i32
    %xw = uop.cast %x : ui8 to i32
    %s = uop.add %cw, %xw : i32
    uop.store %b1[%i], %s : i32"""
    (res, sums, _) = run(device, body, less, wide, x)
    np.testing.assert_array_equal(res, 200 < x)
    np.testing.assert_array_equal(sums, 200 + x.astype(np.int32))


def test_int8_neg_wraps_and_compare(device: CPUDevice) -> None:
    x = np.array([-128, -1, 0, 1, 127], np.int8)
    neg = np.zeros_like(x)
    less = np.zeros(5, np.bool_)
    body = """
    %i = uop.special "gidx0" 5 : i32
    %x = uop.load %b2[%i] : i8
    %n = uop.neg %x : i8
    uop.store %b0[%i], %n : i8
    %lt = uop.cmplt %n, %x : i8
    uop.store %b1[%i], %lt : i1"""
    (res, lt, _) = run(device, body, neg, less, x)
    np.testing.assert_array_equal(res, -x)
    np.testing.assert_array_equal(lt, -x < x)


CAST_BODY = """
    %i = uop.special "gidx0" {n} : i32
    %x = uop.load %b1[%i] : {src}
    %r = uop.{op} %x : {src} to {dst}
    uop.store %b0[%i], %r : {dst}"""


@pytest.mark.parametrize("src, dst, values", [
    (np.float32, np.int32, [1.9, -1.9, 0.0, 3e9, -3e9, np.nan]),
    (np.int32, np.float32, [1, -7, 2**24 + 1, -2**31]),
    (np.float32, np.bool_, [0.0, -0.0, 1.5, np.nan]),
    (np.bool_, np.float32, [True, False]),
    (np.float32, np.float16, [1.0, 65504.0, 1e-8, 3.14159]),
    (np.float16, np.float32, [1.0, -2.5, 0.1]),
    (np.int8, np.int32, [-128, -1, 127]),
    (np.uint8, np.int32, [0, 128, 255]),
    (np.int32, np.int8, [300, -129, 5]),
    (np.uint8, np.float32, [0, 200, 255]),
    (np.float32, np.uint8, [0.0, 2.7, 255.0, 300.0, -5.0]),
    (np.int8, np.uint8, [-1, 5, -128]),
    (np.int32, np.bool_, [0, 5, -1]),
])
def test_casts(device: CPUDevice, src, dst, values) -> None:
    x = np.array(values, src)
    out = np.zeros(x.size, dst)
    if np.issubdtype(src, np.floating) and np.issubdtype(dst, np.integer):
        info = np.iinfo(dst)  # saturating, NaN -> 0
        expect = np.clip(np.trunc(np.nan_to_num(x.astype(np.float64), nan=0.0)), info.min, info.max).astype(dst)
    elif dst == np.bool_:
        expect = x != 0
    else:
        with np.errstate(all="ignore"):
            expect = x.astype(dst)
    body = CAST_BODY.format(n=x.size, src=DTYPE_NAMES[src], dst=DTYPE_NAMES[dst], op="cast")
    (res, _) = run(device, body, out, x)
    np.testing.assert_array_equal(res, expect)


def test_bitcast_f32_i32(device: CPUDevice) -> None:
    x = np.array([1.0, -0.0, np.inf, 3.5], np.float32)
    out = np.zeros(4, np.int32)
    (res, _) = run(device, CAST_BODY.format(n=4, src="f32", dst="i32", op="bitcast"), out, x)
    np.testing.assert_array_equal(res, x.view(np.int32))


def test_bool_buffers(device: CPUDevice) -> None:
    a = np.array([True, False, True, False])
    b = np.array([True, True, False, False])
    x = np.array([1.0, 2.0, 3.0, 4.0], np.float32)
    out = np.zeros(4, np.bool_)
    sel = np.zeros(4, np.float32)
    body = """
    %i = uop.special "gidx0" 4 : i32
    %a = uop.load %b2[%i] : i1
    %b = uop.load %b3[%i] : i1
    %x = uop.xor %a, %b : i1
    %n = uop.neg %a : i1
    %o = uop.or %x, %n : i1
    %m = uop.mul %o, %b : i1
    uop.store %b0[%i], %m : i1
    %v = uop.load %b4[%i] : f32
    %z = uop.const 0.0 : f32
    %w = uop.where %a, %v, %z : f32
    uop.store %b1[%i], %w : f32"""
    (res, chosen, _, _, _) = run(device, body, out, sel, a, b, x)
    np.testing.assert_array_equal(res, ((a ^ b) | ~a) & b)
    np.testing.assert_array_equal(chosen, np.where(a, x, 0))
    assert res.view(np.uint8).max() <= 1  # stored as proper 0/1 bytes


def test_f16_arithmetic(device: CPUDevice) -> None:
    rng = np.random.default_rng(3)
    a = rng.uniform(-4, 4, 64).astype(np.float16)
    b = rng.uniform(0.5, 4, 64).astype(np.float16)
    out = np.zeros(64, np.float16)
    body = """
    %i = uop.special "gidx0" 64 : i32
    %a = uop.load %b1[%i] : f16
    %b = uop.load %b2[%i] : f16
    %p = uop.mul %a, %b : f16
    %s = uop.add %p, %a : f16
    %r = uop.recip %b : f16
    %t = uop.add %s, %r : f16
    %m = uop.max %t, %a : f16
    uop.store %b0[%i], %m : f16"""
    (res, _, _) = run(device, body, out, a, b)
    expect = np.maximum(a * b + a + np.reciprocal(b), a)
    np.testing.assert_array_equal(res, expect)


def test_f16_transcendentals(device: CPUDevice) -> None:
    a = np.linspace(0.25, 4.0, 32).astype(np.float16)
    out = np.zeros(32, np.float16)
    body = """
    %i = uop.special "gidx0" 32 : i32
    %a = uop.load %b1[%i] : f16
    %e = uop.exp2 %a : f16
    %l = uop.log2 %a : f16
    %s = uop.sin %a : f16
    %q = uop.sqrt %a : f16
    %t0 = uop.add %e, %l : f16
    %t1 = uop.add %t0, %s : f16
    %t2 = uop.add %t1, %q : f16
    uop.store %b0[%i], %t2 : f16"""
    (res, _) = run(device, body, out, a)
    expect = ((np.exp2(a) + np.log2(a)) + np.sin(a)) + np.sqrt(a)
    np.testing.assert_allclose(res.astype(np.float32), expect.astype(np.float32), rtol=2e-3)


def test_large_elementwise_is_vectorized(device: CPUDevice) -> None:
    """A contiguous elementwise loop comes out of O3 with vector instructions for the host."""
    n = 4096
    a = np.arange(n, dtype=np.float32)
    out = np.zeros(n, np.float32)
    body = f"""
    %i = uop.special "gidx0" {n} : i32
    %a = uop.load %b1[%i] : f32
    %two = uop.const 2.0 : f32
    %r = uop.mul %a, %two : f32
    uop.store %b0[%i], %r : f32"""
    kernel, _ = lower(body, [out, a])
    source = emit_kernel(kernel)
    compiled = device.compile(source)
    device.launch(compiled, [out, a], source)
    np.testing.assert_array_equal(out, a * 2)
    assert "x float>" in compiled.optimized_ir  # <4|8|16 x float>, whatever the host has


def test_compile_cache_and_target(device: CPUDevice) -> None:
    body = """
    %i = uop.special "gidx0" 4 : i32
    %c = uop.const 1.0 : f32
    uop.store %b0[%i], %c : f32"""
    out = np.zeros(4, np.float32)
    kernel, module = lower(body, [out])
    source = emit_kernel(kernel)
    assert source.name == "k" and source.global_size == (4,) and source.arg_dtypes == ("float32",)
    assert device.compile(source) is device.compile(source)
    assert emit_module(module).count("define void @k(") == 1
    target = load("tinyir.targets.cpu:TARGET")
    assert (target.name, target.lower_pass, target.kernel_op) == ("cpu", "uop-to-llvm", "llir.kernel")
    assert target.emit_kernel is emit_kernel and isinstance(target.device(), CPUDevice)


def test_bad_ir_is_a_clear_error(device: CPUDevice) -> None:
    from tinyir.runtime.cpu import CPUError
    from tinyir.targets.base import KernelSource

    with pytest.raises(CPUError, match="LLVM rejected"):
        device.compile(KernelSource(name="f", text="define void @f( {", global_size=(1,)))


def test_uop_interpreter_agrees(device: CPUDevice) -> None:
    """The CPU and the uop reference interpreter agree on a kernel with every int edge case."""
    import tinyir.runtime.uop_interp as interp
    x = np.array([7, -7, 0, -2**31, 9, -9], np.int32)
    y = np.array([-2, 0, 5, -1, 40, 3], np.int32)
    body = """
    %i = uop.special "gidx0" 6 : i32
    %x = uop.load %b1[%i] : i32
    %y = uop.load %b2[%i] : i32
    %d = uop.idiv %x, %y : i32
    %m = uop.mod %x, %y : i32
    %s = uop.shr %x, %y : i32
    %t = uop.add %d, %m : i32
    %u = uop.xor %t, %s : i32
    uop.store %b0[%i], %u : i32"""
    out = np.zeros(6, np.int32)
    types = [buffer_type(b) for b in (out, x, y)]
    (res, _, _) = run(device, body, out, x, y)
    text = (f"func.func @main(%a0: {types[0]}, %a1: {types[1]}, %a2: {types[2]}) {{\n"
            f'  uop.kernel "k" (%a0, %a1, %a2) : {", ".join(types)} {{\n'
            f"  ^bb0(%b0: {types[0]}, %b1: {types[1]}, %b2: {types[2]}):\n{body}\n  }}\n  func.return\n}}\n")
    kernel = next(op for op in parse_module(text).walk() if op.name == "uop.kernel")
    ref = [np.zeros(6, np.int32), x.copy(), y.copy()]
    interp.run_kernel(kernel, ref)
    np.testing.assert_array_equal(res, ref[0])




def test_float_reduction_is_vectorized(device: CPUDevice) -> None:
    """The accumulator's fadd carries `reassoc`, so the row sum comes out as a vector reduction."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((4, 1024)).astype(np.float32)
    out = np.zeros(4, np.float32)
    body = """
    %g = uop.special "gidx0" 4 : i32
    %acc = uop.define_acc 0.0 : f32
    %w = uop.const 1024 : i32
    %base = uop.mul %g, %w : i32
    %k = uop.range 0, 1024 : i32
    %idx = uop.add %base, %k : i32
    %v = uop.load %b1[%idx] : f32
    %s = uop.add %acc, %v : f32
    uop.assign %acc, %s : f32
    uop.endrange %k
    uop.store %b0[%g], %acc : f32"""
    kernel, _ = lower(body, [out, x])
    source = emit_kernel(kernel)
    assert "fadd reassoc float" in source.text
    compiled = device.compile(source)
    device.launch(compiled, [out, x], source)
    np.testing.assert_allclose(out, x.sum(axis=1), rtol=1e-4, atol=1e-4)
    assert "x float>" in compiled.optimized_ir


PROGRAMS = {
    "matmul": ("""func.func @main(%a: tensor<6x5xf32>, %b: tensor<5x7xf32>) -> tensor<6x7xf32> {
  %c = tir.matmul %a, %b : tensor<6x5xf32>, tensor<5x7xf32> -> tensor<6x7xf32>
  func.return %c : tensor<6x7xf32>
}""", [(6, 5), (5, 7)], np.float32, lambda a, b: a @ b),
    "softmax": ("""func.func @main(%a: tensor<3x16xf32>) -> tensor<3x16xf32> {
  %c = tir.softmax %a [1] : tensor<3x16xf32>
  func.return %c : tensor<3x16xf32>
}""", [(3, 16)], np.float32,
        lambda a: np.exp(a - a.max(1, keepdims=True)) / np.exp(a - a.max(1, keepdims=True)).sum(1, keepdims=True)),
    "int_div_mod": ("""func.func @main(%a: tensor<8xi32>, %b: tensor<8xi32>) -> tensor<8xi32> {
  %c = tir.idiv %a, %b : tensor<8xi32>
  %d = tir.mod %a, %b : tensor<8xi32>
  %e = tir.mul %c, %d : tensor<8xi32>
  func.return %e : tensor<8xi32>
}""", [(8,), (8,)], np.int32, lambda a, b: c_div(a, b) * c_mod(a, b)),
    "pad_flip_f16": ("""func.func @main(%a: tensor<4x3xf16>) -> tensor<7x3xf16> {
  %f = tir.flip %a [0] : tensor<4x3xf16>
  %p = tir.pad %f [[1, 2], [0, 0]] : tensor<4x3xf16> -> tensor<7x3xf16>
  func.return %p : tensor<7x3xf16>
}""", [(4, 3)], np.float16, lambda a: np.pad(a[::-1], ((1, 2), (0, 0)))),
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_tensor_programs_through_the_pipeline(name: str) -> None:
    """Tensor-level programs through the whole default pipeline to the CPU, against numpy."""
    from tinyir.runtime import run as run_program

    text, shapes, dtype, reference = PROGRAMS[name]
    rng = np.random.default_rng(5)
    if np.issubdtype(dtype, np.integer):
        inputs = [rng.integers(-20, 20, s).astype(dtype) for s in shapes]
        inputs[-1][inputs[-1] == 0] = 3
    else:
        inputs = [rng.standard_normal(s).astype(dtype) for s in shapes]
    (out,) = run_program(parse_module(text), inputs, device="cpu")
    np.testing.assert_allclose(out, reference(*inputs), rtol=1e-5, atol=1e-5)


def test_op_without_rule_is_reported() -> None:
    """An op no rule lowers (say, a uop added later) is reported on that op, not left behind."""
    from xdsl.dialects.builtin import UnregisteredOp

    from tinyir.diagnostics import DiagnosticError

    out = np.zeros(4, np.float32)
    text = (f"func.func @main(%a: {buffer_type(out)}) {{\n"
            f'  uop.kernel "k" (%a) : {buffer_type(out)} {{\n  ^bb0(%o: {buffer_type(out)}):\n'
            f'    %i = uop.special "gidx0" 4 : i32\n  }}\n  func.return\n}}\n')
    module = parse_module(text)
    kernel = next(op for op in module.walk() if op.name == "uop.kernel")
    kernel.body.block.add_op(UnregisteredOp.with_name("uop.barrier").create())
    with pytest.raises(DiagnosticError, match="uop-to-llvm cannot lower this op"):
        UopToLLVM().apply(make_context(), module)
