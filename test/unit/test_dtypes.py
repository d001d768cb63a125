"""The element types beyond f32/f16/i32/i8/ui8/i1 (issue 9): f64, bf16, i64, i16, ui16, ui32, ui64.

Every ALU op on each new type, and casts from and to it, on every device here against the ALU table
(tinyir/alu.py: bit for bit, within the op's tolerance for exp2/log2/sin); Tensor-level elementwise
ops, reductions and a matmul against numpy/PyTorch; `DType.min`/`max`; promotion against
`torch.promote_types`; int64 data kept whole; the errors of a device that lacks a type; PTX for each
type assembled by ptxas. One program per (type, family) with many results keeps it fast.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from xdsl.dialects.builtin import bf16, f16, f32, f64, i1, i8, i16, i32, i64

from tinyir import Tensor, alu
from tinyir.element_types import (BASE_TYPES, BFLOAT16, ELEMENT_TYPES, bit_width, float_info, numpy_dtype, ui8, ui16, ui32,
                                  ui64)
from tinyir.frontend.dtypes import dtypes, least_upper_dtype
from tinyir.ir import parse_module
from tinyir.runtime import compile_program
from test_metal_target import cxx_check  # noqa: F401 - the fixture that type-checks MSL with g++

NEW_TYPES = (f64, bf16, i64, i16, ui16, ui32, ui64)
DEVICES = ["reference", "cpu", "opencl", "c"]

_FLOAT_EDGES = [0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 0.5, -2.5, 2.5, 3.7, -3.7, 0.1, 2.0, 7.0, 255.5,
                256.0, -129.0, 65504.0, 1e5, np.pi, 1.00390625, 1.01171875, -1.0078125]
EDGES = {
    f64: [*_FLOAT_EDGES, 1.7e308, -1.7e308, 2.2250738585072014e-308, 5e-324, 2.0**63, -2.0**63, 2.0**64, 1e19,
          3.0e38, 1e-45, 2.0**31, -2.0**31 - 1, 4294967295.5, 9.007199254740993e15],
    bf16: [*_FLOAT_EDGES, 3.3e38, -3.3e38, 1.2e-38, 9.2e-41, 2.0**31, 2.0**63, -2.0**63, 1e12],
    i64: [0, 1, -1, 2, -2, 3, 7, -7, 63, 64, 65, 255, 2**31, -2**31 - 1, 2**40 + 5, 2**53 + 1, 2**63 - 1, -2**63,
          -2**63 + 1],
    i16: [0, 1, -1, 2, -2, 3, 7, -7, 15, 16, 17, 255, 256, 300, -300, 32767, -32768, -32767],
    ui16: [0, 1, 2, 3, 7, 15, 16, 17, 255, 256, 300, 32767, 32768, 65534, 65535],
    ui32: [0, 1, 2, 3, 7, 31, 32, 33, 255, 65535, 65536, 2**31 - 1, 2**31, 2**32 - 2, 2**32 - 1],
    ui64: [0, 1, 2, 3, 7, 63, 64, 65, 2**32, 2**53 + 1, 2**63 - 1, 2**63, 2**64 - 2, 2**64 - 1],
}
# casts need values of the other types too (a few each)
EDGES.update({
    f32: [0.0, -0.0, 1.0, -1.5, np.inf, -np.inf, np.nan, 3.0e38, 1e-45, 1.00390625, 1.0117188, 2.0**31, 1e12, -1e19,
          65504.0, 70000.0, 2.0**64],
    f16: [0.0, -0.0, 1.0, -1.5, np.inf, -np.inf, np.nan, 65504.0, 6e-8, 1000.5, 300.0, -129.0],
    i32: [0, 1, -1, 255, 256, -129, 65535, 65536, 2**31 - 1, -2**31, 16777217],
    i8: [0, 1, -1, 127, -128],
    ui8: [0, 1, 127, 128, 255],
    i1: [False, True],
})


def _edges(t) -> np.ndarray:
    with np.errstate(over="ignore"):
        values = EDGES[t]
        if t == bf16:  # through float64 -> float32 -> bfloat16, as ml_dtypes rounds
            return np.array(values, np.float32).astype(BFLOAT16)
        return np.array(values, dtype=numpy_dtype(t))


def _same(got: np.ndarray, want: np.ndarray, tolerance: float) -> np.ndarray:
    """Elementwise agreement: equal bits (any NaN for NaN), or within `tolerance` of a finite value."""
    is_float = want.dtype.kind == "f" or want.dtype == BFLOAT16
    if not is_float:
        return got == want
    g, w = got.astype(np.float64), want.astype(np.float64)
    nan = np.isnan(w)
    ok = np.isnan(g) == nan
    bits = np.ascontiguousarray(got).view(f"u{got.itemsize}") == np.ascontiguousarray(want).view(f"u{want.itemsize}")
    if tolerance == 0.0:
        return ok & (nan | bits)
    eps = max(tolerance, float(float_info(want.dtype).eps))  # bf16: numpy 2.5's finfo refuses it
    with np.errstate(invalid="ignore"):
        close = np.isfinite(w) & (np.abs(g - w) <= eps * np.maximum(np.abs(w), 1.0))
    return ok & (nan | bits | close)


def _program(t, results: list[tuple[str, object]], n: int):
    """`func @main(%c: i1, %a: T, %b: T) -> (...)`: one result per (op, result type)."""
    ty = f"tensor<{n}x{t}>"
    lines, outs = [], []
    for k, (op, rt) in enumerate(results):
        out_ty = f"tensor<{n}x{rt}>"
        arity = alu.ALU[op].arity
        if op in ("cast", "bitcast"):
            lines.append(f"%r{k} = tir.{op} %a : {ty} to {out_ty}")
        elif arity == 3:
            lines.append(f"%r{k} = tir.where %c, %a, %b : {ty}")
        else:
            lines.append(f"%r{k} = tir.{op} {', '.join(['%a', '%b'][:arity])} : {ty}")
        outs.append((f"%r{k}", out_ty))
    sig = ", ".join(ty for _, ty in outs)
    body = "\n  ".join(lines)
    text = (f"func.func @main(%c: tensor<{n}xi1>, %a: {ty}, %b: {ty}) -> ({sig}) {{\n  {body}\n"
            f"  func.return {', '.join(v for v, _ in outs)} : {sig}\n}}")
    return parse_module(text)


def _op_cases(t) -> list[tuple[str, object]]:
    """Every ALU op the tir level accepts on `t` (conversions apart)."""
    return [(row.name, i1 if row.compare else t) for row in alu.ALU_TABLE
            if row.name not in alu.CONVERSIONS and row.dtypes.accepts(t)]


def _conversion_cases(t) -> list[tuple[str, object]]:
    """Casts from `t` to every other type; bitcasts to the other types of its width."""
    casts = [("cast", d) for d in ELEMENT_TYPES if d != t]
    bitcasts = [("bitcast", d) for d in ELEMENT_TYPES if d not in (t, i1) and t != i1 and bit_width(d) == bit_width(t)]
    return casts + bitcasts


def _inputs(t) -> list[np.ndarray]:
    e = _edges(t)
    a, b = np.repeat(e, e.size), np.tile(e, e.size)
    return [np.arange(a.size) % 3 == 0, a, b]


def _check(device: str, t, cases: list[tuple[str, object]], xs: list[np.ndarray]) -> list[str]:
    module = _program(t, cases, xs[1].size)
    if device == "uop-interpreter":  # the default pipeline's passes to the uop level, interpreted
        from tinyir.registry import CORE_PIPELINE
        from tinyir.runtime.executor import run_passes
        from tinyir.runtime.uop_interp import run_program

        run_passes(module, CORE_PIPELINE)
        got_all = run_program(module, xs)
    else:
        got_all = compile_program(module, device).run(xs)
    failures = []
    for (op, rt), got in zip(cases, got_all):
        row = alu.ALU[op]
        operands = {1: [xs[1]], 2: [xs[1], xs[2]], 3: xs}[row.arity]
        want = alu.eval_op(op, operands, numpy_dtype(rt))
        got = np.asarray(got)
        bad = ~_same(got, want, row.tolerance)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            args = ", ".join(repr(x[i]) for x in operands)
            failures.append(f"{op} {t}->{rt}: {op}({args}) = {got[i]!r}, table: {want[i]!r} "
                            f"({int(bad.sum())} of {bad.size} differ)")
    return failures


@pytest.mark.parametrize("device", [*DEVICES, "uop-interpreter"])
@pytest.mark.parametrize("t", NEW_TYPES, ids=str)
def test_every_op_on_the_new_types_matches_the_table(device, t):
    failures = _check(device, t, _op_cases(t), _inputs(t))
    assert not failures, f"{device} differs from the ALU table:\n" + "\n".join(failures)


@pytest.mark.parametrize("device", [*DEVICES, "uop-interpreter"])
@pytest.mark.parametrize("t", ELEMENT_TYPES, ids=str)
def test_casts_to_and_from_the_new_types_match_the_table(device, t):
    """Casts (and same-width bitcasts) from every type to the others; the base types only to the new ones."""
    cases = _conversion_cases(t)
    if t in BASE_TYPES:
        cases = [(op, d) for op, d in cases if d in NEW_TYPES]
    if device == "opencl":  # f16 values are floats there (fp16=storage): no f16 bits to bitcast (an error)
        cases = [(op, d) for op, d in cases if not (op == "bitcast" and f16 in (t, d))]
    e = _edges(t)
    failures = _check(device, t, cases, [np.zeros(e.size, bool), e, e])
    assert not failures, f"{device} differs from the ALU table:\n" + "\n".join(failures)


# ---------------------------------------------------------------------------- PTX (ptxas, no GPU)


def _ptx_text(module) -> str:
    from tinyir.ir import make_context
    from tinyir.registry import CORE_PIPELINE
    from tinyir.runtime.executor import run_passes
    from tinyir.passes.emulate_bf16 import EmulateBf16
    from tinyir.targets.ptx.emit import emit_module
    from tinyir.targets.ptx.lower import UopToPTX

    run_passes(module, CORE_PIPELINE)
    EmulateBf16().apply(make_context(), module)
    UopToPTX(arch="sm_80", ptx_version="8.0").apply(make_context(), module)
    module.verify()
    return emit_module(module)


@pytest.mark.parametrize("t", NEW_TYPES, ids=str)
def test_ptx_of_every_op_and_cast_assembles(t):
    """Each new type's ops and its casts to and from every type, lowered to PTX (sm_80) and assembled."""
    from test_ptx_target import _ptxas, assemble

    if _ptxas() is None:
        pytest.skip("ptxas is not on PATH")
    conversions = [(op, d) for op, d in _conversion_cases(t) if not (op == "bitcast" and f16 in (t, d))]
    assemble(_ptx_text(_program(t, _op_cases(t) + conversions, 8)), "sm_80")
    for s in BASE_TYPES:  # into the new type
        assemble(_ptx_text(_program(s, [("cast", t)], 8)), "sm_80")


def test_ptx_bitcast_between_f16_and_16_bit_integers_is_a_clear_error():
    from tinyir.diagnostics import DiagnosticError

    with pytest.raises(DiagnosticError, match="bitcast i16 to f16"):
        _ptx_text(_program(i16, [("bitcast", f16)], 4))


# ---------------------------------------------------------------------------- devices that lack a type


def test_metal_f64_is_an_error_naming_device_and_dtype():
    from tinyir.diagnostics import DiagnosticError
    from tinyir.ir import make_context
    from tinyir.registry import CORE_PIPELINE
    from tinyir.runtime.executor import run_passes
    from tinyir.targets.metal.lower import UopToMetal

    module = _program(f64, [("add", f64)], 4)
    run_passes(module, CORE_PIPELINE)
    with pytest.raises(DiagnosticError, match=r"device 'metal' has no f64 \(float64\)"):
        UopToMetal().apply(make_context(), module)


def test_metal_lowers_the_other_new_types():
    from tinyir.ir import make_context
    from tinyir.registry import CORE_PIPELINE
    from tinyir.runtime.executor import run_passes
    from tinyir.passes.emulate_bf16 import EmulateBf16
    from tinyir.targets.metal.emit import emit_module
    from tinyir.targets.metal.lower import UopToMetal

    for t in (bf16, i64, i16, ui16, ui32, ui64):
        module = _program(t, _op_cases(t) + [("cast", f32), ("cast", i32)], 4)
        run_passes(module, CORE_PIPELINE)
        EmulateBf16().apply(make_context(), module)
        UopToMetal().apply(make_context(), module)
        text = emit_module(module)
        assert "kernel void" in text


# ---------------------------------------------------------------------------- the Tensor API


ALL = [dtypes.float64, dtypes.bfloat16, dtypes.int64, dtypes.int16, dtypes.uint16, dtypes.uint32, dtypes.uint64]
TORCH = {dtypes.float64: torch.float64, dtypes.bfloat16: torch.bfloat16, dtypes.int64: torch.int64,
         dtypes.int16: torch.int16, dtypes.uint16: torch.uint16, dtypes.uint32: torch.uint32,
         dtypes.uint64: torch.uint64, dtypes.float32: torch.float32, dtypes.float16: torch.float16,
         dtypes.int32: torch.int32, dtypes.int8: torch.int8, dtypes.uint8: torch.uint8, dtypes.bool: torch.bool}


def test_min_max_of_every_dtype():
    for dt in dtypes.all():
        if dt.is_bool():
            assert (dt.min, dt.max) == (False, True)
        elif dt.is_int():
            info = torch.iinfo(TORCH[dt])
            assert (dt.min, dt.max) == (info.min, info.max) and isinstance(dt.max, int)
        else:
            info = torch.finfo(TORCH[dt])
            assert (dt.min, dt.max) == (info.min, info.max)
    assert dtypes.bfloat16.max == 3.3895313892515355e38 and dtypes.uint64.max == 2**64 - 1
    assert dtypes.min(dtypes.int64) == -2**63 and dtypes.max(dtypes.int16) == 32767


def test_promotion_is_torchs_for_every_pair_torch_accepts():
    checked = 0
    for a, b in itertools.product(dtypes.all(), repeat=2):
        try:
            want = torch.promote_types(TORCH[a], TORCH[b])
        except RuntimeError:  # PyTorch refuses uint16/32/64 with signed types: the lattice decides
            continue
        assert TORCH[least_upper_dtype(a, b)] == want, (a, b)
        checked += 1
    assert checked > 120
    # the pairs PyTorch refuses, by tinygrad's lattice
    assert least_upper_dtype(dtypes.uint32, dtypes.int32) == dtypes.int64
    assert least_upper_dtype(dtypes.uint16, dtypes.int8) == dtypes.int32
    assert least_upper_dtype(dtypes.uint64, dtypes.int64) == dtypes.float16
    assert (Tensor([1], dtype=dtypes.int64) + Tensor([1.0], dtype=dtypes.bfloat16)).dtype == dtypes.bfloat16


def test_numpy_data_keeps_its_dtype_and_int64_is_never_narrowed():
    for np_dtype in (np.float64, np.int64, np.int16, np.uint16, np.uint32, np.uint64, BFLOAT16):
        assert Tensor(np.zeros(2, np_dtype)).dtype.np == np.dtype(np_dtype)
    big = np.array([2**40 + 5, -2**63, 2**63 - 1, 1], np.int64)
    for device in DEVICES:
        t = Tensor(big, device=device)
        assert t.dtype == dtypes.int64
        np.testing.assert_array_equal(t.numpy(), big)
        np.testing.assert_array_equal((t + 1).numpy(), big + np.int64(1))  # wraps at 64 bits, as numpy
    assert Tensor([2**40 + 5, 1]).dtype == dtypes.int64 and Tensor([2**40 + 5]).tolist() == [2**40 + 5]
    assert Tensor(2**63 + 1).dtype == dtypes.uint64 and Tensor(2**63 + 1).item() == 2**63 + 1
    assert (Tensor([1], dtype=dtypes.int64) + 2**40).tolist() == [2**40 + 1]


def _data(dt, shape, seed=0):
    rng = np.random.default_rng(seed)
    if dt.is_float():
        return (rng.standard_normal(shape) * 3).astype(np.float32).astype(dt.np)
    low = 0 if dt.is_unsigned() else -50
    return rng.integers(low, 50, shape).astype(dt.np)


def _torch(x: np.ndarray, dt) -> torch.Tensor:
    if dt == dtypes.bfloat16:
        return torch.from_numpy(x.view(np.uint16).astype(np.int32)).to(torch.int16).view(torch.bfloat16)
    return torch.from_numpy(np.ascontiguousarray(x).astype(x.dtype))


def _numpy(t: torch.Tensor, dt) -> np.ndarray:
    if dt == dtypes.bfloat16:
        return t.view(torch.int16).numpy().view(np.uint16).view(BFLOAT16)
    return t.numpy()


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dt", ALL, ids=lambda d: d.name)
def test_tensor_ops_reductions_and_matmul_match_torch(device, dt):
    """Elementwise ops, sum and max over an axis and a matmul, against PyTorch on the CPU (bf16: the
    same per-op rounding; sums and matmuls of bf16 accumulate in f32 and round once at the end)."""
    a, b, c = _data(dt, (3, 5), 1), _data(dt, (3, 5), 2), _data(dt, (5, 4), 3)
    sum_dt = dtypes.int32 if dt in (dtypes.int16, dtypes.uint16) else dt  # narrow ints sum in int32 (tinygrad)
    x, y = Tensor(a, device=device), Tensor(b, device=device)
    got = {"add": x + y, "mul": x * y, "max": x.maximum(y), "lt": x < y, "sum": x.sum(axis=1), "amax": x.max(axis=0),
           "matmul": x @ Tensor(c, device=device)}
    if dt == dtypes.bfloat16:  # PyTorch computes bf16 as tinyir does (f32, rounded per op)
        ta, tb, tc = _torch(a, dt), _torch(b, dt), _torch(c, dt)
        want = {k: _numpy(v, dt) if v.dtype != torch.bool else v.numpy() for k, v in {
            "add": ta + tb, "mul": ta * tb, "max": torch.maximum(ta, tb), "lt": ta < tb, "sum": ta.sum(dim=1),
            "amax": ta.amax(dim=0), "matmul": ta @ tc}.items()}
    else:  # numpy (PyTorch has no add on uint16/32/64): integers wrap at their width
        want = {"add": a + b, "mul": a * b, "max": np.maximum(a, b), "lt": a < b, "sum": a.sum(axis=1, dtype=sum_dt.np),
                "amax": a.max(axis=0), "matmul": a @ c if dt.is_float() else
                (a.astype(np.int64) @ c.astype(np.int64)).astype(sum_dt.np)}
    if dt.is_float():
        got["sqrt"] = x.abs().sqrt()
        want["sqrt"] = _numpy(_torch(a, dt).abs().sqrt(), dt) if dt == dtypes.bfloat16 else np.sqrt(np.abs(a))
    for name in got:
        g, w = got[name].numpy().astype(np.float64), np.asarray(want[name]).astype(np.float64)
        if name in ("sum", "matmul") and dt.is_float():  # the order of the additions may differ
            tol = 8e-3 if dt == dtypes.bfloat16 else 1e-12
            np.testing.assert_allclose(g, w, rtol=tol, atol=tol * np.abs(a).max() ** 2 * 5,
                                       err_msg=f"{dt.name} {name} on {device}")
        else:
            np.testing.assert_array_equal(g, w, err_msg=f"{dt.name} {name} on {device}")
    assert got["add"].dtype == dt and got["sum"].dtype == sum_dt and got["matmul"].dtype == sum_dt  # as int8's
    if dt.is_float():  # trunc/floor of values past int32 (f64 goes through int64)
        big = np.array([2.0**40 + 0.5, -2.0**45 - 0.5, 3.7, -3.7, 2.0**60], np.float32).astype(dt.np)
        np.testing.assert_array_equal(Tensor(big, device=device).floor().numpy().astype(np.float64),
                                      np.floor(big.astype(np.float64)))


@pytest.mark.parametrize("device", DEVICES)
def test_bf16_rounds_to_nearest_even_like_torch(device):
    """f32 -> bf16 at ties, just past them, at overflow and for NaN/inf, compared with PyTorch."""
    x = np.float32([1.00390625, 1.01171875, 1.0039063, -1.00390625, 3.3961e38, 3.4e38, np.inf, -np.inf, np.nan,
                    9.2e-41, 1e-45, 0.0, -0.0, 65504.0, 2.0**-126, 255.5])
    got = Tensor(x, device=device).cast(dtypes.bfloat16).numpy()
    want = _numpy(torch.from_numpy(x).to(torch.bfloat16), dtypes.bfloat16)
    np.testing.assert_array_equal(got.astype(np.float32), want.astype(np.float32))
    assert got.dtype == BFLOAT16
    # and back: every bf16 value is an f32 exactly; arithmetic rounds after each op
    h = Tensor(x[:4], device=device).cast(dtypes.bfloat16)
    np.testing.assert_array_equal((h + h * h).cast(dtypes.float32).numpy(),
                                  _numpy(_torch(got[:4], dtypes.bfloat16) + _torch(got[:4], dtypes.bfloat16) ** 2,
                                         dtypes.bfloat16).astype(np.float32))


@pytest.mark.parametrize("t", NEW_TYPES, ids=str)
def test_amdgpu_of_every_op_and_cast_assembles(t):
    """Each new type's ops and casts lowered with uop-to-amdgpu and assembled by LLVM's AMDGPU backend."""
    from tinyir.ir import make_context
    from tinyir.registry import CORE_PIPELINE
    from tinyir.runtime.executor import run_passes
    from tinyir.passes.emulate_bf16 import EmulateBf16
    from tinyir.targets.amdgpu import dialect as amd
    from tinyir.targets.amdgpu.emit import compile_object, llvm_ir, target_machine
    from tinyir.targets.amdgpu.lower import UopToAMDGPU
    from tinyir.targets.llvm import dialect as ll

    try:
        target_machine(amd.ARCHS[0])
    except Exception as exc:  # noqa: BLE001 - llvmlite without the AMDGPU backend
        pytest.skip(f"cannot assemble AMDGPU kernels: {exc}")
    module = _program(t, _op_cases(t) + _conversion_cases(t), 8)
    run_passes(module, CORE_PIPELINE)
    EmulateBf16().apply(make_context(), module)
    UopToAMDGPU().apply(make_context(), module)
    module.verify()
    for kernel in (op for op in module.walk() if isinstance(op, ll.KernelOp)):
        assert compile_object(llvm_ir(kernel), amd.ARCHS[0])[:4] == b"\x7fELF"


def test_opencl_device_without_fp64_is_an_error_naming_device_and_dtype(monkeypatch):
    from tinyir.errors import TinyirError
    from tinyir.runtime.opencl import OpenCLDevice

    monkeypatch.setattr(OpenCLDevice, "supports_fp64", property(lambda self: False))
    xs = [np.zeros(3, bool), np.ones(3), np.ones(3)]
    with pytest.raises(TinyirError, match=r"uses f64 \(float64\), but OpenCL device .* has no cl_khr_fp64"):
        compile_program(_program(f64, [("max", f64), ("mul", f64)], 3), "opencl").run(xs)


def test_metal_kernels_of_the_new_types_pass_the_cxx_check(cxx_check):
    """MSL of every op and cast of bf16 and the new integer types, type-checked by g++ against the stub."""
    from tinyir.ir import make_context
    from tinyir.registry import CORE_PIPELINE
    from tinyir.runtime.executor import run_passes
    from tinyir.passes.emulate_bf16 import EmulateBf16
    from tinyir.targets.metal.emit import emit_module
    from tinyir.targets.metal.lower import UopToMetal

    for t in (bf16, i64, i16, ui16, ui32, ui64):
        cases = [(op, d) for op, d in _op_cases(t) + _conversion_cases(t) if d != f64]
        module = _program(t, cases, 4)
        run_passes(module, CORE_PIPELINE)
        EmulateBf16().apply(make_context(), module)
        UopToMetal().apply(make_context(), module)
        cxx_check(emit_module(module), f"dtypes_{t}")


def test_bfloat16_limits_do_not_ask_numpys_finfo(monkeypatch) -> None:
    """numpy 2.5's `finfo` refuses ml_dtypes' bfloat16 ("not compatible with finfo"; seen on the GPU
    machine): bfloat16's limits come from ml_dtypes (`element_types.float_info`), so trunc, floor
    and `dtypes.bfloat16.max` work whatever numpy does (floor division is built on trunc)."""
    import ml_dtypes
    import numpy as np
    import torch

    from tinyir import Tensor
    from tinyir.frontend.dtypes import dtypes

    numpy_finfo = np.finfo

    def refusing(dt):
        if np.dtype(dt) == np.dtype(ml_dtypes.bfloat16):
            raise ValueError("data type dtype(bfloat16) not compatible with finfo")
        return numpy_finfo(dt)

    monkeypatch.setattr(np, "finfo", refusing)
    values = [1.5, -2.5, 3.75, -0.0, 0.3, -7.0, 300.0, 1e30]
    x = Tensor(np.array(values, np.float32)).cast(dtypes.bfloat16)
    t = torch.tensor(values).bfloat16()
    for got, want in ((x.floor(), t.floor()), (x.trunc(), t.trunc()), (x.ceil(), t.ceil())):
        np.testing.assert_array_equal(got.numpy().astype(np.float32), want.float().numpy())
    assert dtypes.bfloat16.max == float(torch.finfo(torch.bfloat16).max)
    assert dtypes.bfloat16.min == -float(torch.finfo(torch.bfloat16).max)

