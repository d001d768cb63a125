"""Upcast copies become vector code after LLVM's O3 on the CPU.

An upcast reduce body is 16 scalar copies reading B[k*N + col + 0..15]: tinyir/targets/llvm/hints.py
keeps the loop vectorizer off that loop (it would gather along k) so that the SLP vectorizer
packs the copies into vector loads; the result is checked against numpy too.
"""

from __future__ import annotations

import re

import llvmlite.binding as llvm
import numpy as np
import pytest

from test_cpu_target import lower
from tinyir.runtime.cpu import CPUDevice
from tinyir.targets.llvm.emit import emit_kernel

K, N, UPCAST = 64, 256, 16


def upcast_matvec(index_math: str) -> str:
    """out[col + u] = sum_k a[k] * B[k, col + u] for u < 16, one accumulator per copy.

    `index_math` "mul": col = j * 16; "divmod": col = (j / 4) * 64 + (j % 4) * 16 (as a reshaped
    view gives), the same columns through idiv/mod."""
    lines = [f'    %j = uop.special "gidx0" {N // UPCAST} : i32',
             f"    %n = uop.const {N} : i32", f"    %u = uop.const {UPCAST} : i32",
             "    %four = uop.const 4 : i32", "    %sixty_four = uop.const 64 : i32"]
    if index_math == "mul":
        lines.append("    %col = uop.mul %j, %u : i32")
    else:
        lines += ["    %jq = uop.idiv %j, %four : i32", "    %jr = uop.mod %j, %four : i32",
                  "    %hi = uop.mul %jq, %sixty_four : i32", "    %lo = uop.mul %jr, %u : i32",
                  "    %col = uop.add %hi, %lo : i32"]
    for c in range(UPCAST):
        lines += [f"    %acc{c} = uop.define_acc 0.0 : f32", f"    %c{c} = uop.const {c} : i32"]
    lines += [f"    %k = uop.range 0, {K} : i32", "    %a = uop.load %b1[%k] : f32",
              "    %row = uop.mul %k, %n : i32", "    %base = uop.add %row, %col : i32"]
    for c in range(UPCAST):
        lines += [f"    %i{c} = uop.add %base, %c{c} : i32", f"    %v{c} = uop.load %b2[%i{c}] : f32",
                  f"    %p{c} = uop.mul %v{c}, %a : f32", f"    %s{c} = uop.add %acc{c}, %p{c} : f32",
                  f"    uop.assign %acc{c}, %s{c} : f32"]
    lines.append("    uop.endrange %k")
    for c in range(UPCAST):
        lines += [f"    %o{c} = uop.add %col, %c{c} : i32", f"    uop.store %b0[%o{c}], %acc{c} : f32"]
    return "\n".join(lines)


def host_vector_widths() -> str:
    """The f32 vector widths O3 may pick on this CPU: 16 with AVX-512, 8 with AVX."""
    features = llvm.get_host_cpu_features()
    if features.get("avx512f"):
        return "16|8"
    if features.get("avx"):
        return "8"
    pytest.skip("the host CPU has no AVX: vectors are 4 wide at most")


@pytest.mark.parametrize("index_math", ["mul", "divmod"])
def test_upcast_copies_become_vector_loads(index_math: str) -> None:
    rng = np.random.default_rng(1)
    out = np.zeros(N, np.float32)
    a = rng.standard_normal(K).astype(np.float32)
    b = rng.standard_normal((K, N)).astype(np.float32)
    kernel, _ = lower(upcast_matvec(index_math), [out, a, b])
    source = emit_kernel(kernel)
    assert "llvm.loop.vectorize.width" in source.text  # the k loop is left to SLP
    device = CPUDevice(threads=2, min_parallel_bytes=0)
    compiled = device.compile(source)
    ir = compiled.optimized_ir
    assert re.search(rf"load <({host_vector_widths()}) x float>", ir), "no vector load of B's columns"
    assert "masked.gather" not in ir
    device.launch(compiled, [out, a, b], source)
    np.testing.assert_allclose(out, a @ b, rtol=1e-4, atol=1e-4)


def test_exp2_is_inline_vector_code_within_2_ulp() -> None:
    """f32 exp2 (softmax's) vectorizes with no libm call, and stays within 2 ulp of numpy's float64
    result rounded to f32: edges (NaN, +-inf, overflow at 128, subnormals, 0 below -150) included."""
    rng = np.random.default_rng(2)
    edges = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-30, -1e-30, 0.5, -0.5, 127.0, 127.99, 128.0, 128.5,
             -126.0, -126.5, -149.0, -149.5, -149.6, -150.0, -151.0, 1e4, -1e4]
    integers = np.arange(-150, 129)
    x = np.concatenate([edges, integers, rng.uniform(-160, 130, 1 << 16), rng.uniform(-1, 1, 1 << 12)])
    x = x.astype(np.float32)
    out = np.zeros_like(x)
    body = f"""
    %i = uop.special "gidx0" {x.size} : i32
    %v = uop.load %b1[%i] : f32
    %e = uop.exp2 %v : f32
    uop.store %b0[%i], %e : f32"""
    kernel, _ = lower(body, [out, x])
    source = emit_kernel(kernel)
    device = CPUDevice(threads=2, min_parallel_bytes=0)
    compiled = device.compile(source)
    assert "exp2" not in compiled.optimized_ir
    assert re.search(rf"fmul <({host_vector_widths()}) x float>", compiled.optimized_ir)
    device.launch(compiled, [out, x], source)
    with np.errstate(over="ignore"):
        exact = np.exp2(x.astype(np.float64))
        want = exact.astype(np.float32)
    np.testing.assert_array_equal(np.isnan(out), np.isnan(want))
    big = np.isinf(want)
    np.testing.assert_array_equal(out[big], want[big])
    normal = np.isfinite(want) & (want >= np.finfo(np.float32).tiny)
    ulps = np.abs(out[normal] - exact[normal]) / np.spacing(want[normal]).astype(np.float64)
    assert ulps.max() <= 2.0, f"exp2 off by {ulps.max():.2f} ulp"
    tiny = np.isfinite(want) & ~normal  # subnormal or 0: off by at most one subnormal step
    assert (np.abs(out[tiny] - exact[tiny]) <= 2.0 ** -149).all()
    at_integers = slice(len(edges), len(edges) + integers.size)
    np.testing.assert_array_equal(out[at_integers], want[at_integers])  # 2^n is exact
