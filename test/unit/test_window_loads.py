"""Window loads (tinyir/passes/window_loads.py): a padded window's sum of gated loads becomes one
gated load on targets with work-groups. Each case runs on opencl (PoCL) and, lowered for cuda, on the
uop interpreter, against PyTorch in float64; the merge is counted so a case that stops merging fails."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tinyir import Tensor
from tinyir.dialects import loop, uop
from tinyir.frontend.realize import build_function, collect
from tinyir.ir import parse_module
from tinyir.passes.window_loads import merge_window_loads
from tinyir.registry import default_pipeline
from tinyir.rewrite import STATISTICS
from tinyir.runtime.executor import compile_program, run_passes
from tinyir.runtime.uop_interp import run_program
from test_kernel_optimize import cuda_available  # noqa: F401  (fixture)

F = torch.nn.functional
CASES = {  # name: (input shape, weight shape or None, tinyir op, torch op)
    "conv3x3 pad1": ((2, 3, 9, 7), (4, 3, 3, 3), lambda x, w: x.conv2d(w, padding=1), lambda x, w: F.conv2d(x, w, padding=1)),
    "conv3x3 stride2 pad1": ((1, 2, 11, 10), (3, 2, 3, 3), lambda x, w: x.conv2d(w, padding=1, stride=2),
                             lambda x, w: F.conv2d(x, w, padding=1, stride=2)),
    "conv7x7 stride2 pad3": ((1, 3, 16, 13), (2, 3, 7, 7), lambda x, w: x.conv2d(w, padding=3, stride=2),
                             lambda x, w: F.conv2d(x, w, padding=3, stride=2)),
    "conv3x3 dilation2 pad2": ((1, 2, 10, 9), (2, 2, 3, 3), lambda x, w: x.conv2d(w, padding=2, dilation=2),
                               lambda x, w: F.conv2d(x, w, padding=2, dilation=2)),
    "conv 2x4 pad (1, 2)": ((1, 2, 6, 8), (3, 2, 2, 4), lambda x, w: x.conv2d(w, padding=(1, 2)),
                            lambda x, w: F.conv2d(x, w, padding=(1, 2))),
    "conv1d k5 pad2": ((2, 3, 17), (4, 3, 5), lambda x, w: x.conv1d(w, padding=2), lambda x, w: F.conv1d(x, w, padding=2)),
    "avg_pool 3x3 stride2 pad1": ((2, 3, 9, 8), None, lambda x: x.avg_pool2d(3, stride=2, padding=1),
                                  lambda x: F.avg_pool2d(x, 3, stride=2, padding=1)),
    "conv_transpose stride2": ((1, 3, 5, 6), (3, 2, 3, 3), lambda x, w: x.conv_transpose2d(w, stride=2, padding=1),
                               lambda x, w: F.conv_transpose2d(x, w, stride=2, padding=1)),
}

#: windows over a stride-dilated input (zeros between the elements) are left as pieces: their gates
#: are not bounds of affine values
UNMERGED = {"conv_transpose stride2"}


def _arrays(case):
    xs, ws = CASES[case][:2]
    rng = np.random.default_rng(0)
    return [rng.standard_normal(s).astype(np.float32) for s in (xs, ws) if s is not None]


def _module(case, arrays):
    ts = [Tensor(a, device="reference") for a in arrays]
    graph = collect([CASES[case][2](*ts).lazydata], lambda node: node.realized is not None)
    module, _ = build_function(graph)
    order = [next(i for i, t in enumerate(ts) if t.lazydata is a) for a in graph.args]
    return module, [arrays[i] for i in order]


def _want(case, arrays):
    return CASES[case][3](*(torch.tensor(a.astype(np.float64)) for a in arrays)).numpy()


@pytest.mark.parametrize("case", sorted(CASES))
def test_window_loads_match_torch_on_opencl_and_the_interpreter(case: str) -> None:
    arrays = _arrays(case)
    want = _want(case, arrays)
    before = STATISTICS.get("kernel-optimize", {}).get("window-loads", 0)
    module, args = _module(case, arrays)
    got = compile_program(module, "opencl").run(args)[0]
    if case not in UNMERGED:
        assert STATISTICS["kernel-optimize"]["window-loads"] > before, "no window was merged"
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
    module, args = _module(case, arrays)
    specs = default_pipeline("cuda", "uop-to-ptx")
    run_passes(module, specs[: specs.index("uop-to-ptx")])
    (got,) = run_program(module, args)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


@pytest.mark.cuda
@pytest.mark.parametrize("case", sorted(CASES))
def test_window_loads_on_cuda(case: str, cuda_available) -> None:
    arrays = _arrays(case)
    module, args = _module(case, arrays)
    np.testing.assert_allclose(compile_program(module, "cuda").run(args)[0], _want(case, arrays), rtol=1e-4, atol=1e-4)


def test_cpu_keeps_its_pieces() -> None:
    """The CPU lowers padded windows to masked load runs (tinyir/targets/llvm/masked_loads.py): no merge."""
    arrays = _arrays("conv3x3 pad1")
    before = STATISTICS.get("kernel-optimize", {}).get("window-loads", 0)
    module, args = _module("conv3x3 pad1", arrays)
    got = compile_program(module, "cpu").run(args)[0]
    assert STATISTICS.get("kernel-optimize", {}).get("window-loads", 0) == before
    np.testing.assert_allclose(got, _want("conv3x3 pad1", arrays), rtol=1e-4, atol=1e-4)


def _kernel(body: str, ranges: str = "%i = loop.range 8 global : i32\n    %r = loop.range 3 reduce : i32") -> loop.KernelOp:
    module = parse_module(f"""func.func @main(%a: !st.buffer<8xf32>) -> !st.buffer<8xf32> {{
  %0 = st.alloc : !st.buffer<8xf32>
  loop.kernel "k0"(%0, %a) : !st.buffer<8xf32>, !st.buffer<8xf32> {{
  ^bb0(%out: !st.buffer<8xf32>, %in: !st.buffer<8xf32>):
    {ranges}
    {body}
    %s = loop.reduce add %x over %r : f32
    uop.store %out[%i], %s : f32
  }}
  func.return %0 : !st.buffer<8xf32>
}}""")
    return next(op for op in module.walk() if isinstance(op, loop.KernelOp))


def _piece(name: str, shift: int, point: int) -> str:
    """in[i + shift] gated to r == point and to i + shift inside [0, 8)."""
    return f"""%c{name} = uop.const {shift} : i32
    %ix{name} = uop.add %i, %c{name} : i32
    %p{name} = uop.const {point - 1} : i32
    %q{name} = uop.const {point + 1} : i32
    %lo{name} = uop.const {-shift - 1} : i32
    %hi{name} = uop.const {8 - shift} : i32
    %g1{name} = uop.cmplt %lo{name}, %i : i32
    %g2{name} = uop.cmplt %i, %hi{name} : i32
    %g3{name} = uop.cmplt %p{name}, %r : i32
    %g4{name} = uop.cmplt %r, %q{name} : i32
    %ga{name} = uop.and %g1{name}, %g2{name} : i1
    %gb{name} = uop.and %g3{name}, %g4{name} : i1
    %gc{name} = uop.and %ga{name}, %gb{name} : i1
    %l{name} = uop.load %in[%ix{name}], %gc{name} : f32"""


def test_a_1d_window_becomes_one_load_gated_by_i_plus_r() -> None:
    # points r = 0, 1, 2 read in[i - 1], in[i], in[i + 1]
    body = "\n    ".join([_piece("a", -1, 0), _piece("b", 0, 1), _piece("c", 1, 2)])
    body += "\n    %ab = uop.add %la, %lb : f32\n    %x = uop.add %ab, %lc : f32"
    kernel = _kernel(body)
    assert merge_window_loads(kernel) == 1
    loads = [op for op in kernel.walk() if isinstance(op, uop.LoadOp)]
    assert len(loads) == 1 and loads[0].gate is not None
    module = kernel.parent_op()
    while module.parent_op() is not None:
        module = module.parent_op()
    run_passes(module, ["loop-to-uop", "uop-simplify"])
    x = np.arange(1, 9, dtype=np.float32)
    (got,) = run_program(module, [x])
    np.testing.assert_array_equal(got, np.convolve(x, np.ones(3, np.float32), mode="same"))


def test_sums_that_are_not_windows_are_left_alone() -> None:
    # two pieces at the same point (r == 0 twice): not every point exactly once
    body = "\n    ".join([_piece("a", -1, 0), _piece("b", 0, 0)]) + "\n    %x = uop.add %la, %lb : f32"
    assert merge_window_loads(_kernel(body, "%i = loop.range 8 global : i32\n    %r = loop.range 2 reduce : i32")) == 0
    # offsets not affine in the point: in[i - 1], in[i + 1], in[i] for r = 0, 1, 2
    body = "\n    ".join([_piece("a", -1, 0), _piece("b", 1, 1), _piece("c", 0, 2)])
    body += "\n    %ab = uop.add %la, %lb : f32\n    %x = uop.add %ab, %lc : f32"
    assert merge_window_loads(_kernel(body)) == 0


def test_random_convolutions_match_torch_on_opencl() -> None:
    """Random kernel sizes, strides, dilations and paddings (asymmetric ones too): merged or not,
    every result equals PyTorch's."""
    rng = np.random.default_rng(7)
    for _ in range(10):
        kh, kw = rng.integers(1, 6, 2)
        sh, sw = rng.integers(1, 4, 2)
        dh, dw = rng.integers(1, 3, 2)
        ph, pw = rng.integers(0, kh // 2 + 1), rng.integers(0, kw // 2 + 1)
        h = int(rng.integers(dh * (kh - 1) + 1, 14)) + 1
        w = int(rng.integers(dw * (kw - 1) + 1, 14)) + 1
        x = rng.standard_normal((2, 3, h, w)).astype(np.float32)
        wt = rng.standard_normal((4, 3, kh, kw)).astype(np.float32)
        args = dict(stride=(int(sh), int(sw)), dilation=(int(dh), int(dw)), padding=(int(ph), int(pw)))
        got = Tensor(x, device="opencl").conv2d(Tensor(wt, device="opencl"), **args).numpy()
        want = F.conv2d(torch.tensor(x, dtype=torch.float64), torch.tensor(wt, dtype=torch.float64), **args).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4, err_msg=str(args))
