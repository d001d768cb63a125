"""Tensor cores on Metal: `uop.mma` as `simdgroup_multiply_accumulate` on 8 x 8 `simdgroup_matrix`es.

The layout data of tinyir/tensor_cores.py is checked against the thread_elements() order of Apple's
simdgroup matrices (as metal-flash-attention documents it: 2 neighbouring columns per thread, the
lanes of a quad over 2 rows x 2 column pairs, quads in Morton order); the tc kernels run on the uop
interpreter against numpy, and their MSL passes the C++ stub check (no Apple GPU here)."""

from __future__ import annotations

import numpy as np
import pytest

from test_metal_target import cxx_check  # noqa: F401  (fixture)
from test_tensor_cores import actions_of, check, inputs, matmul
from tinyir.diagnostics import DiagnosticError
from tinyir.ir import parse_module
from tinyir.registry import default_pipeline
from tinyir.runtime.executor import run_passes
from tinyir.runtime.uop_interp import run_program
from tinyir.targets.metal import TARGET
from tinyir.targets.metal.emit import emit_module
from tinyir.tensor_cores import APPLE, INSTRUCTIONS


def test_simdgroup_layout_is_apples_thread_elements_order() -> None:
    """Lane l holds row 4 * (l // 16) + (l // 2) % 4 and columns 4 * ((l // 8) % 2) + 2 * (l % 2) + {0, 1}
    of every operand (A, B, C and D alike)."""
    mi = INSTRUCTIONS["simdgroup.8x8x8.f16"]
    assert (mi.threads, mi.in_type, mi.acc_type) == (32, "f16", "f32")
    for lane in range(32):
        row = 4 * (lane // 16) + (lane // 2) % 4
        col = 4 * ((lane // 8) % 2) + 2 * (lane % 2)
        for layout in (mi.a, mi.b, mi.c):
            assert [layout.coordinate(lane, e) for e in range(2)] == [(row, col), (row, col + 1)]


def test_metal_lists_simdgroup_matrix() -> None:
    assert TARGET.limits.matrix_instructions == APPLE


def uop_level(module, actions: str | None = None):
    specs = default_pipeline("metal", "uop-to-metal", f'actions="{actions}"' if actions else "")
    run_passes(module, specs[: specs.index("uop-to-metal")])
    return module


SHAPES = [(8, 8, 8), (16, 16, 8), (64, 48, 32), (40, 24, 16), (24, 56, 8), (17, 33, 9)]  # the last: padded tiles


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
def test_tc_matmul_on_the_uop_interpreter_matches_numpy(shape) -> None:
    m, k, n = shape
    a, b = inputs([(m, k), (k, n)], "f16")
    module = uop_level(matmul(m, k, n, "f16"))  # the metal heuristics choose tc here
    assert actions_of(module)[0].startswith("tc:")
    assert {op.instruction.data for op in module.walk() if op.name == "uop.mma"} == {"simdgroup.8x8x8.f16"}
    (got,) = run_program(module, [a, b])
    check(got, a.astype(np.float64) @ b.astype(np.float64), "f16")


@pytest.mark.parametrize("actions", ["tc:2:0,upcast:0:2,upcast:1:2,local:0:2,unroll:2:2", "tc:2:0,stage:2:2",
                                     "tc:2:0,upcast:1:2,local:0:2,local:1:2,stage:2:0"])
def test_tc_with_explicit_actions_on_the_uop_interpreter(actions: str) -> None:
    a, b = inputs([(32, 32), (32, 32)], "f16", seed=1)
    module = uop_level(matmul(32, 32, 32, "f16"), actions)
    (got,) = run_program(module, [a, b])
    check(got, a.astype(np.float64) @ b.astype(np.float64), "f16")


def test_tc_batched_matmul_with_epilogue_on_the_uop_interpreter(cxx_check) -> None:  # noqa: F811
    """relu(x @ w + bias) cast to f16, batched: the epilogue per element of the tile; the MSL checks."""
    from tinyir import Tensor
    from tinyir.frontend.realize import build_function, collect

    x, w, bias = inputs([(2, 16, 24), (24, 16), (16,)], "f16")
    ts = [Tensor(v, device="reference") for v in (x, w, bias)]
    out = (ts[0] @ ts[1] + ts[2]).relu()
    module, _ = build_function(collect([out.lazydata], lambda node: node.realized is not None))
    uop_level(module)
    assert any(a.startswith("tc:") for a in actions_of(module))
    (got,) = run_program(module, [x, w, bias])
    check(got, np.maximum(x.astype(np.float64) @ w.astype(np.float64) + bias.astype(np.float64), 0), "f16")
    module, _ = build_function(collect([out.lazydata], lambda node: node.realized is not None))
    run_passes(module, default_pipeline("metal", "uop-to-metal"))
    text = emit_module(module)
    assert "simdgroup_multiply_accumulate(" in text
    cxx_check(text, "tc_batched_epilogue")


def test_bf16_matmul_falls_back_without_tc() -> None:
    module = uop_level(matmul(16, 16, 16, "bf16"))
    assert not any(op.name == "uop.mma" for op in module.walk())


@pytest.mark.parametrize(("shape", "actions"), [((16, 16, 8), ""), ((64, 64, 64), ""),
                                               ((64, 64, 64), "tc:2:0,upcast:1:2,local:0:2,local:1:2,stage:2:0")])
def test_tc_msl_passes_the_cxx_check(shape, actions: str, cxx_check) -> None:  # noqa: F811
    m, k, n = shape
    module = matmul(m, k, n, "f16")
    run_passes(module, default_pipeline("metal", "uop-to-metal", f'actions="{actions}"' if actions else ""))
    text = emit_module(module)
    assert "simdgroup_half8x8 " in text and "simdgroup_float8x8 " in text
    assert "simdgroup_multiply_accumulate(" in text and ".thread_elements()[1] = " in text
    cxx_check(text, f"tc_{m}x{k}x{n}_{len(actions)}")


def test_refusals_are_located_errors() -> None:
    module = uop_level(matmul(16, 16, 8, "f16"))
    with pytest.raises(DiagnosticError, match="simdgroup_matrix needs MSL 2.3 or later, the kernels are MSL 2.2"):
        run_passes(module, ["uop-to-metal{msl_version=2.2}"])
    module = parse_module("""func.func @f(%x: !st.buffer<64xf16>, %out: !st.buffer<64xf32>) {
      uop.kernel "k" (%out, %x) : !st.buffer<64xf32>, !st.buffer<64xf16> {
      ^bb0(%o: !st.buffer<64xf32>, %in: !st.buffer<64xf16>):
        %l = uop.special "lidx0" 64 : i32
        %a = uop.load %in[%l] : f16
        %c = uop.const 0.0 : f32
        %d0, %d1, %d2, %d3 = uop.mma "mfma.16x16x16.f16" a(%a, %a, %a, %a) b(%a, %a, %a, %a) c(%c, %c, %c, %c) : (f16, f16, f16, f16), (f16, f16, f16, f16), (f32, f32, f32, f32) -> (f32, f32, f32, f32)
        uop.store %o[%l], %d0 : f32
      }
      func.return
    }""")
    with pytest.raises(DiagnosticError, match="no MSL form for matrix instruction mfma.16x16x16.f16"):
        run_passes(module, ["uop-to-metal"])
