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


def padded_window_body(width: int, lanes: int) -> str:
    """out[c + u] = sum_r x[c + u + r - 1] * w[r] over r < 3, x zero outside [0, width): a padded 1-D
    convolution with a register tile of `lanes` copies, each load gated by its own bounds test."""
    lines = [f'    %j = uop.special "gidx0" {width // lanes} : i32', f"    %u = uop.const {lanes} : i32",
             "    %zero = uop.const 0 : i32", f"    %width = uop.const {width} : i32",
             "    %col = uop.mul %j, %u : i32"]
    for c in range(lanes):
        lines += [f"    %acc{c} = uop.define_acc 0.0 : f32", f"    %c{c} = uop.const {c - 1} : i32"]
    lines += ["    %r = uop.range 0, 3 : i32", "    %wr = uop.load %b2[%r] : f32",
              "    %base = uop.add %col, %r : i32"]
    for c in range(lanes):
        lines += [f"    %i{c} = uop.add %base, %c{c} : i32",
                  f"    %lo{c} = uop.cmplt %i{c}, %zero : i32", f"    %in{c} = uop.cmplt %i{c}, %width : i32",
                  f"    %t{c} = uop.const true : i1", f"    %nlo{c} = uop.xor %lo{c}, %t{c} : i1",
                  f"    %g{c} = uop.and %nlo{c}, %in{c} : i1",
                  f"    %v{c} = uop.load %b1[%i{c}], %g{c} : f32", f"    %p{c} = uop.mul %v{c}, %wr : f32",
                  f"    %s{c} = uop.add %acc{c}, %p{c} : f32", f"    uop.assign %acc{c}, %s{c} : f32"]
    lines.append("    uop.endrange %r")
    for c in range(lanes):
        lines += [f"    %k{c} = uop.const {c} : i32", f"    %o{c} = uop.add %col, %k{c} : i32",
                  f"    uop.store %b0[%o{c}], %acc{c} : f32"]
    return "\n".join(lines)


@pytest.mark.parametrize("lanes", [4, 8, 16])
def test_gated_window_copies_become_masked_vector_loads(lanes: int) -> None:
    """A padded window's copies (each load gated by its own bounds test, the first tile's lane 0 at
    element -1) load as one masked vector, never a gather, and read 0 off the buffer's ends."""
    width = 64
    rng = np.random.default_rng(3)
    out = np.zeros(width, np.float32)
    x = rng.standard_normal(width).astype(np.float32)
    w = rng.standard_normal(3).astype(np.float32)
    kernel, _ = lower(padded_window_body(width, lanes), [out, x, w])
    source = emit_kernel(kernel)
    assert f"@llvm.masked.load.v{lanes}f32" in source.text
    device = CPUDevice(threads=1)
    compiled = device.compile(source)
    assert "masked.gather" not in compiled.optimized_ir
    device.launch(compiled, [out, x, w], source)
    padded = np.pad(x, 1)
    want = sum(padded[r:r + width] * w[r] for r in range(3))
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-5)


def test_padded_conv2d_has_no_gathers_and_matches_torch() -> None:
    """conv2d with padding through the Tensor API on the CPU: the default register tile's padded
    window loads are masked vector loads (no gathers) feeding FMAs, and the result is torch's."""
    torch = pytest.importorskip("torch")
    from tinyir import Tensor
    from tinyir.runtime import get_device

    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 8, 10, 16)).astype(np.float32)
    w = rng.standard_normal((8, 8, 3, 3)).astype(np.float32)
    before = set(get_device("cpu")._cache)  # kernels other tests compiled in this process are not looked at
    got = Tensor(x).conv2d(Tensor(w), padding=1).numpy()
    want = torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding=1).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
    texts = [c.optimized_ir for k, c in get_device("cpu")._cache.items() if k not in before]
    conv = [t for t in texts if "masked.load" in t]
    assert conv, "the padded conv kernel has no masked vector loads"
    assert not any("masked.gather" in t for t in conv)
    if llvm.get_host_cpu_features().get("fma"):
        assert any(re.search(r"@llvm\.fma\.v\d+f32", t) for t in conv), "the conv's products are not vector FMAs"


def test_padded_conv2d_whole_row_tile_matches_torch(monkeypatch) -> None:
    """A padded 3x3 conv over 28-wide rows gets a whole-row register tile (kernel_heuristics.py,
    CPU_WHOLE_ROW) with both windows unrolled, and computes torch's result (row ends masked). The
    shape stands for a large conv: the small-kernel budget (CPU_SMALL_WORK) is off."""
    torch = pytest.importorskip("torch")
    from tinyir.passes import kernel_heuristics

    monkeypatch.setattr(kernel_heuristics, "CPU_SMALL_WORK", 0)
    from tinyir import Tensor
    from tinyir.dialects import loop
    from tinyir.frontend.realize import build_function, collect
    from tinyir.registry import default_pipeline
    from tinyir.runtime.executor import run_passes

    n, c, h, w = 1, 8, 6, 28
    rng = np.random.default_rng(5)
    x = rng.standard_normal((n, c, h, w)).astype(np.float32)
    k = rng.standard_normal((c, c, 3, 3)).astype(np.float32)
    from tinyir.runtime import get_device

    before = set(get_device("cpu")._cache)  # only this test's kernels are looked at below
    got = Tensor(x).conv2d(Tensor(k), padding=1).numpy()
    want = torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(k), padding=1).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)

    out = Tensor(x, device="reference").conv2d(Tensor(k, device="reference"), padding=1)
    module, _ = build_function(collect([out.lazydata], lambda node: node.realized is not None))
    specs = default_pipeline("cpu", "uop-to-llvm")
    run_passes(module, specs[: specs.index("loop-to-uop")])
    chosen = [kernel.attributes["actions"].data for kernel in module.walk()
              if isinstance(kernel, loop.KernelOp) and "actions" in kernel.attributes]
    assert any(f":{w}," in a and a.count("unroll") == 2 for a in chosen), chosen
    # every window row's copies (the first or last folded away off the image) load as masked vectors
    conv = [c.optimized_ir for key, c in get_device("cpu")._cache.items()
            if key not in before and "masked.load" in c.optimized_ir]
    assert conv and not any("masked.gather" in t or "gather" in t for t in conv)
