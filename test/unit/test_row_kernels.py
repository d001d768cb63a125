"""Row kernels (issue 7): a reduce fused with the consumers that broadcast its result back over its
row (schedule_partition.py, row_loops.py, row_optimize.py). softmax, log_softmax, layernorm,
rmsnorm, `x - mean(x)` and a variance are one kernel each; every result is compared with numpy on
each device, on the uop interpreter with the GPU heuristics' work-groups (its race check catches a
missing barrier), and the PTX is assembled by ptxas."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from tinyir import Tensor
from tinyir.dialects import loop, uop
from tinyir.registry import default_pipeline
from tinyir.runtime.executor import run_passes
from tinyir.runtime.uop_interp import run_program
from test_kernel_optimize import cuda_available  # noqa: F401  (fixture)
from test_metal_target import cxx_check  # noqa: F401  (fixture)


def _softmax(x: np.ndarray, axis: int | tuple[int, ...] = -1) -> np.ndarray:
    e = np.exp(x - x.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


def _layernorm(x: np.ndarray) -> np.ndarray:
    m = x.mean(-1, keepdims=True)
    return (x - m) / np.sqrt(((x - m) ** 2).mean(-1, keepdims=True) + 1e-5)


# name -> (tinyir function, numpy function); each is one row kernel
PROGRAMS: dict[str, tuple[Callable[[Tensor], Tensor], Callable[[np.ndarray], np.ndarray]]] = {
    "softmax": (lambda x: x.softmax(-1), _softmax),
    "log_softmax": (lambda x: x.log_softmax(-1), lambda x: np.log(_softmax(x))),
    "layernorm": (lambda x: x.layernorm(), _layernorm),
    "rmsnorm": (lambda x: x * (x * x).mean(-1, keepdim=True).add(1e-6).rsqrt(),
                lambda x: x / np.sqrt((x * x).mean(-1, keepdims=True) + 1e-6)),
    "minus_mean": (lambda x: x - x.mean(-1, keepdim=True), lambda x: x - x.mean(-1, keepdims=True)),
    "variance": (lambda x: ((x - x.mean(-1, keepdim=True)) ** 2).mean(-1),
                 lambda x: ((x - x.mean(-1, keepdims=True)) ** 2).mean(-1)),
    "sum_plus_max": (lambda x: x.sum(-1) + x.max(-1), lambda x: x.sum(-1) + x.max(-1)),
    "softmax_axis0": (lambda x: x.softmax(0), lambda x: _softmax(x, 0)),
    "softmax_of_padded": (lambda x: x.pad(((0, 0), (1, 2))).softmax(-1),
                          lambda x: _softmax(np.pad(x, ((0, 0), (1, 2))))),
    "chain": (lambda x: x.softmax(-1).layernorm(), lambda x: _layernorm(_softmax(x))),
}
SHAPES = [(6, 40), (3, 256), (1, 512), (5, 37)]  # (5, 37): a row no work-group size divides


def data(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32) * 3


def launches(fn: Callable[[], None], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture,
             device: str) -> int:
    capsys.readouterr()
    monkeypatch.setenv("DEBUG", "1")
    try:
        fn()
    finally:
        monkeypatch.delenv("DEBUG")
    return sum(1 for line in capsys.readouterr().err.splitlines() if line.startswith(f"*** {device}"))


@pytest.mark.parametrize("device", ["cpu", "opencl", "c", "reference"])
@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_row_kernel_matches_numpy(name: str, device: str, monkeypatch, capsys) -> None:
    fn, ref = PROGRAMS[name]
    for shape in SHAPES:
        x = data(shape)
        out = fn(Tensor(x, device=device))
        count = launches(out.realize, monkeypatch, capsys, device)
        if device != "reference":  # the reference device runs the program, not kernels
            # chain too: softmax's ops are recomputed in each of layernorm's loops over the row
            assert count == 1, (name, shape, count)
        np.testing.assert_allclose(out.numpy(), ref(x), rtol=2e-4, atol=2e-5, err_msg=f"{name} {shape}")


def _module(name: str, shape: tuple[int, ...]):
    from tinyir.frontend.realize import build_function, collect

    x = Tensor(np.zeros(shape, np.float32), device="reference")
    out = PROGRAMS[name][0](x)
    module, _ = build_function(collect([out.lazydata], lambda node: node.realized is not None))
    return module


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_row_kernel_on_work_groups_in_the_uop_interpreter(name: str) -> None:
    """The GPU heuristics (one work-group per row, the row's reduces grouped) on the interpreter."""
    for shape in [(3, 256), (4, 64), (2, 48)]:
        module = _module(name, shape)
        specs = default_pipeline("cuda", "uop-to-ptx")
        run_passes(module, specs[: specs.index("uop-vectorize{width=4}") if "uop-vectorize{width=4}" in specs
                                 else specs.index("uop-to-ptx")])
        kernels = [op for op in module.walk() if isinstance(op, uop.KernelOp)]
        row = shape[0] if name == "softmax_axis0" else shape[-1] + (3 if name == "softmax_of_padded" else 0)
        grouped = any(op.dim.data == "lidx0" for k in kernels for op in k.body.block.ops
                      if isinstance(op, uop.SpecialOp))
        # a strided row (axis 0) is one thread's, neighbouring threads on neighbouring rows (local)
        expected = shape[1] % 32 == 0 if name == "softmax_axis0" else row % 16 == 0
        assert grouped == expected, f"{name} {shape}: a row of {row}, work-groups: {grouped}"
        x = data(shape, seed=1)
        (got,) = run_program(module, [x])
        np.testing.assert_allclose(got, PROGRAMS[name][1](x), rtol=2e-4, atol=2e-5, err_msg=f"{name} {shape}")


@pytest.mark.parametrize("actions", ["group:1:16", "group:2:8", "group:2:4,local:0:2", "local:0:2",
                                     "unroll:1:4,group:1:8", "group:2:4,unroll:1:2", "unroll:2:0"])
def test_row_actions_in_the_uop_interpreter(actions: str) -> None:
    """Explicit actions on softmax's row kernel (axes: rows, then the max's and the sum's row)."""
    module = _module("softmax", (4, 32))
    specs = default_pipeline("opencl", "uop-to-opencl", f'actions="{actions}"')
    run_passes(module, specs[: specs.index("uop-to-opencl")])
    x = data((4, 32), seed=2)
    (got,) = run_program(module, [x])
    np.testing.assert_allclose(got, _softmax(x), rtol=2e-4, atol=2e-6)


@pytest.mark.parametrize("action,message", [
    ("upcast:0:2", "upcast is not supported on a row kernel"),
    ("stage:1:2", "stage is not supported on a row kernel"),
    ("group:1:3", "not divisible"),
])
def test_row_actions_refused(action: str, message: str) -> None:
    from tinyir.passes.kernel_optimize import KernelOptimizeError

    module = _module("softmax", (4, 32))
    specs = default_pipeline("opencl", "uop-to-opencl", f'actions="{action}"')
    with pytest.raises(KernelOptimizeError, match=message):
        run_passes(module, specs[: specs.index("uop-to-opencl")])


def test_row_kernel_ptx_assembles() -> None:
    from test_ptx_target import assemble

    from tinyir.targets.ptx.emit import emit_module

    for name in ("softmax", "layernorm", "variance"):
        module = _module(name, (64, 1024))
        run_passes(module, default_pipeline("cuda", "uop-to-ptx{arch=sm_90 ptx_version=9.0}"))
        text = emit_module(module)
        assert text.count(".entry") == 1 and "bar.sync" in text and ".shared" in text, name
        assemble(text, "sm_90")


def test_long_rows_fall_back_to_three_kernels(monkeypatch, capsys) -> None:
    """Rows past max_row (split-reduce's threshold) are not one row: today's kernels."""
    x = data((2, 40000))
    out = Tensor(x, device="cpu").softmax(-1)
    assert launches(out.realize, monkeypatch, capsys, "cpu") > 1
    np.testing.assert_allclose(out.numpy(), _softmax(x), rtol=2e-4, atol=1e-7)


def test_loop_level_segments() -> None:
    """softmax at the loop level: its rows global, one reduce range per reduce and serial outputs."""
    module = _module("softmax", (4, 32))
    run_passes(module, ["tensor-decompose", "schedule-kernels", "fold-views", "shapetracker-to-loop"])
    (kernel,) = [op for op in module.walk() if isinstance(op, loop.KernelOp)]
    kinds = [op.range_kind.value for op in kernel.body.block.ops if isinstance(op, loop.RangeOp)]
    assert kinds == ["global", "reduce", "reduce", "serial"]


def test_row_kernel_metal_and_amdgpu(cxx_check) -> None:
    """Metal (threadgroup partials, threadgroup_barrier) passes the C++ check; AMDGPU (LDS, s_barrier)
    is assembled by LLVM for every arch."""
    from test_amdgpu_target import _backend_or_fail

    from tinyir.targets.amdgpu import dialect as amd
    from tinyir.targets.amdgpu.emit import compile_object, llvm_ir
    from tinyir.targets.llvm import dialect as ll
    from tinyir.targets.metal.emit import emit_module as emit_metal

    module = _module("softmax", (64, 256))
    run_passes(module, default_pipeline("metal", "uop-to-metal"))
    text = emit_metal(module)
    assert text.count("kernel void") == 1 and text.count("threadgroup_barrier") == 2 * (1 + 6)  # partials, 6 halvings (64 threads)
    cxx_check(text, "rows")
    _backend_or_fail()
    module = _module("layernorm", (64, 256))
    run_passes(module, default_pipeline("amdgpu", "uop-to-amdgpu"))
    (kernel,) = [op for op in module.walk() if isinstance(op, ll.KernelOp)]
    ir = llvm_ir(kernel)
    assert "addrspace(3)" in ir and ir.count("call void @llvm.amdgcn.s.barrier") == 2 * (1 + 6)
    for arch in amd.ARCHS:
        assert compile_object(ir, arch)[:4] == b"\x7fELF"


@pytest.mark.parametrize("device", ["cpu", "opencl"])
def test_f16_row_kernels(device: str, monkeypatch, capsys) -> None:
    """f16 rows: the sums accumulate in f32 in each segment (and the result rounds once to f16)."""
    x = data((5, 300)).astype(np.float16)
    for name in ("softmax", "layernorm"):
        fn, ref = PROGRAMS[name]
        out = fn(Tensor(x, device=device))
        assert launches(out.realize, monkeypatch, capsys, device) == 1
        got = out.numpy()
        assert got.dtype == np.float16
        np.testing.assert_allclose(got.astype(np.float64), ref(x.astype(np.float64)), rtol=4e-3, atol=4e-3)


@pytest.mark.cuda
@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_row_kernel_on_cuda(name: str, cuda_available, monkeypatch, capsys) -> None:
    """On an NVIDIA GPU (`pytest -m cuda`): the default heuristics' row kernels against numpy."""
    fn, ref = PROGRAMS[name]
    for shape in SHAPES + [(64, 4096), (256, 1000)]:
        x = data(shape)
        out = fn(Tensor(x, device="cuda"))
        assert launches(out.realize, monkeypatch, capsys, "cuda") == 1, (name, shape)
        # PTX's ex2.approx / lg2.approx: a few ulp
        np.testing.assert_allclose(out.numpy(), ref(x), rtol=1e-4, atol=1e-5, err_msg=f"{name} {shape}")


def test_chains_of_row_ops(monkeypatch, capsys) -> None:
    """Chained layernorms share one row kernel up to MAX_ROW_REDUCES reduces (each loop over the row
    recomputes the ops before it); a longer chain falls back to a kernel per reduce."""
    from tinyir.passes.schedule_partition import MAX_ROW_REDUCES

    x = data((8, 64))
    for chain in (MAX_ROW_REDUCES // 2, MAX_ROW_REDUCES // 2 + 1):
        out, want = Tensor(x, device="cpu"), x.astype(np.float64)
        for _ in range(chain):
            out, want = out.layernorm(), _layernorm(want)
        count = launches(out.realize, monkeypatch, capsys, "cpu")
        assert (count == 1) == (2 * chain <= MAX_ROW_REDUCES), (chain, count)
        np.testing.assert_allclose(out.numpy(), want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("axes", [(1, 2), (1,), (0, 2)])
def test_rows_over_several_or_inner_dims(axes: tuple[int, ...], monkeypatch, capsys) -> None:
    """Rows over two dims, or a middle dim (strided), or the outer and inner dims: cpu and opencl, and
    the cuda heuristics on the interpreter."""
    from tinyir.ir import parse_module

    x = data((2, 16, 32), seed=3)
    for device in ("cpu", "opencl"):
        out = Tensor(x, device=device).softmax(axes if len(axes) > 1 else axes[0])
        assert launches(out.realize, monkeypatch, capsys, device) == 1
        np.testing.assert_allclose(out.numpy(), _softmax(x, axes), rtol=1e-5, atol=1e-6)
    module = parse_module(f"""func.func @main(%x: tensor<2x16x32xf32>) -> tensor<2x16x32xf32> {{
      %y = tir.softmax %x [{", ".join(map(str, axes))}] : tensor<2x16x32xf32>
      func.return %y : tensor<2x16x32xf32>
    }}""")
    specs = default_pipeline("cuda", "uop-to-ptx")
    run_passes(module, specs[: specs.index("uop-to-ptx")])
    (got,) = run_program(module, [x])
    np.testing.assert_allclose(got, _softmax(x, axes), rtol=1e-5, atol=1e-6)


def test_integer_rows() -> None:
    xi = np.random.default_rng(4).integers(-50, 50, (4, 64)).astype(np.int32)
    for device in ("cpu", "opencl"):
        t = Tensor(xi, device=device)
        got = (t - t.max(-1, keepdim=True) + t.sum(-1, keepdim=True)).numpy()
        np.testing.assert_array_equal(got, xi - xi.max(-1, keepdims=True) + xi.sum(-1, keepdims=True))


def test_row_in_registers_is_read_once() -> None:
    """A thread's part of a row of up to ROW_REGISTERS values is unrolled whole: no loop is left over
    the row, the three segments' loads merge, and the PTX reads each element once (one float4 per
    thread for a row of 1024 on 256 threads) and writes it once."""
    from test_ptx_target import assemble

    from tinyir.targets.ptx.emit import emit_module

    module = _module("softmax", (8, 1024))
    run_passes(module, default_pipeline("cuda", "uop-to-ptx{arch=sm_90 ptx_version=9.0}"))
    text = emit_module(module)
    assert text.count("ld.global") == 1 and "ld.global.v4.f32" in text, text
    assert text.count("st.global") == 1 and "st.global.v4.f32" in text
    assemble(text, "sm_90")
