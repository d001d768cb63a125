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
