"""Every ALU op x element type x edge value on every device here, against the ALU table (tinyir/alu.py).

One program per (op, dtype) runs all the edge values (every pair of them for a binary op) at once;
each device's answer must be the table's numpy meaning: bit for bit for integers, bools and the
exact float ops (any NaN for a NaN), within the op's tolerance for exp2/log2/sin.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from xdsl.dialects.builtin import f16, f32, i1, i8, i32
from xdsl.traits import Commutative

from tinyir import alu
from tinyir.dialects import tensor as tir
from tinyir.dialects import uop
from tinyir.element_types import BASE_TYPES, bit_width, float_info, numpy_dtype, ui8

ELEMENT_TYPES = BASE_TYPES  # DTYPES: the newer types (f64, bf16, i64, ...) are checked in test_dtypes.py
from tinyir.ir import parse_module
from tinyir.runtime import compile_program
from tinyir.runtime.uop_interp import ALU_SEMANTICS, eval_alu

_F32_EDGES = [0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 0.5, -2.5, 2.5, 3.7, -3.7, 0.1, 2.0, 7.0,
              3.0e38, -3.0e38, 1.1754944e-38, -1.1754944e-38, 1e-45, 2.0**31, -2.0**31, 2.0**31 - 128, 1e12, -1e12,
              255.5, 256.0, -129.0, 65504.0, 65520.0, 1e5, np.pi]
_F16_EDGES = [0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 0.5, -2.5, 2.5, 3.7, -3.7, 0.1, 2.0, 7.0,
              65504.0, -65504.0, 6.104e-5, 6e-8, 255.5, 256.0, -129.0, 300.0, 1000.0, np.pi]
_INT_EDGES = {
    i32: [0, 1, -1, 2, -2, 3, 7, -7, 8, 31, 32, 33, 100, -100, 255, 256, 2**31 - 1, -2**31, -2**31 + 1, 65535],
    i8: [0, 1, -1, 2, -2, 3, 7, -7, 8, 9, 100, -100, 104, 127, -128, -127],
    ui8: [0, 1, 2, 3, 7, 8, 9, 100, 104, 127, 128, 200, 254, 255],
}
EDGES = {f32: _F32_EDGES, f16: _F16_EDGES, i1: [False, True], **_INT_EDGES}

DEVICES = ["reference", "cpu", "opencl", "c"]
NAMES = {f32: "f32", f16: "f16", i32: "i32", i8: "i8", ui8: "ui8", i1: "i1"}


def _edges(t) -> np.ndarray:
    with np.errstate(over="ignore"):
        return np.array(EDGES[t], dtype=numpy_dtype(t))


def _operands(arity: int, t) -> list[np.ndarray]:
    """Every combination of edge values (a where's condition takes both truth values)."""
    e = _edges(t)
    if arity == 1:
        return [e]
    if arity == 2:
        return [np.repeat(e, e.size), np.tile(e, e.size)]
    a, b = np.repeat(e, e.size), np.tile(e, e.size)
    cond = np.arange(a.size) % 3 == 0
    return [cond, a, b]


def _cases() -> list[tuple[str, object, object]]:
    """(op, operand type, result type) for every op and type the tir op accepts."""
    out = []
    for row in alu.ALU_TABLE:
        if row.name == "cast":
            out += [("cast", s, d) for s, d in itertools.product(ELEMENT_TYPES, ELEMENT_TYPES) if s != d]
        elif row.name == "bitcast":
            out += [("bitcast", s, d) for s, d in itertools.product(ELEMENT_TYPES, ELEMENT_TYPES)
                    if s != d and i1 not in (s, d) and bit_width(s) == bit_width(d)]
        else:
            out += [(row.name, t, i1 if row.compare else t) for t in row.dtypes.types() if t in ELEMENT_TYPES]  # DTYPES
    return out


CASES = _cases()


def _module(op: str, t, result, n: int):
    ty, rt = f"tensor<{n}x{NAMES[t]}>", f"tensor<{n}x{NAMES[result]}>"
    arity = alu.ALU[op].arity
    if op in ("cast", "bitcast"):
        args, body = f"%a: {ty}", f"%r = tir.{op} %a : {ty} to {rt}"
    elif arity == 3:
        args, body = f"%c: tensor<{n}xi1>, %a: {ty}, %b: {ty}", f"%r = tir.where %c, %a, %b : {ty}"
    else:
        names = ["%a", "%b"][:arity]
        args = ", ".join(f"{v}: {ty}" for v in names)
        body = f"%r = tir.{op} {', '.join(names)} : {ty}"
    return parse_module(f"func.func @main({args}) -> {rt} {{\n  {body}\n  func.return %r : {rt}\n}}")


def _same(got: np.ndarray, want: np.ndarray, tolerance: float) -> np.ndarray:
    """Elementwise agreement: equal bits (any NaN for NaN), or within `tolerance` of a finite value."""
    if want.dtype.kind != "f":
        return got == want
    nan = np.isnan(want)
    ok = (np.isnan(got) == nan)
    bits = np.ascontiguousarray(got).view(f"u{got.itemsize}") == np.ascontiguousarray(want).view(f"u{want.itemsize}")
    if tolerance == 0.0:
        return ok & (nan | bits)
    g, w = got.astype(np.float64), want.astype(np.float64)
    eps = max(tolerance, float(float_info(want.dtype).eps))  # bf16: numpy 2.5's finfo refuses it
    with np.errstate(invalid="ignore"):
        close = np.isfinite(w) & (np.abs(g - w) <= eps * np.maximum(np.abs(w), 1.0))
    return ok & (nan | bits | close)


def _device_available(device: str) -> bool:
    if device == "opencl":
        try:
            import pyopencl  # noqa: F401
        except ImportError:
            return False
    return True


def _run_uop_interpreter(module, xs):
    """The program lowered to the uop level (the default pipeline's passes) and interpreted."""
    from tinyir.registry import CORE_PIPELINE
    from tinyir.runtime.executor import run_passes
    from tinyir.runtime.uop_interp import run_program

    run_passes(module, CORE_PIPELINE)
    return run_program(module, xs)


@pytest.mark.parametrize("device", [*DEVICES, "uop-interpreter"])
def test_every_op_matches_the_table(device):
    if not _device_available(device):
        pytest.skip(f"{device} is not available here")
    failures = []
    for op, t, result in CASES:
        row = alu.ALU[op]
        xs = _operands(row.arity, t)
        want = alu.eval_op(op, xs, numpy_dtype(result))
        module = _module(op, t, result, xs[0].size)
        if device == "uop-interpreter":
            got = np.asarray(_run_uop_interpreter(module, xs)[0])
        else:
            got = np.asarray(compile_program(module, device).run(xs)[0])
        bad = ~_same(got, want, row.tolerance)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            args = ", ".join(repr(x[i]) for x in xs)
            failures.append(f"{op} {NAMES[t]}->{NAMES[result]}: {op}({args}) = {got[i]!r}, table: {want[i]!r} "
                            f"({int(bad.sum())} of {bad.size} differ)")
    assert not failures, f"{device} differs from the ALU table:\n" + "\n".join(failures)


def test_uop_interpreter_and_folding_use_the_table():
    # the interpreter's functions are the table's, and folding a constant reads it as its element type
    assert ALU_SEMANTICS == {r.name: r.meaning for r in alu.ALU_TABLE if r.meaning is not None}
    assert eval_alu("shl", [1, 40], i32, [i32, i32]) == 0  # not 1 << (40 mod 64) of an int64
    assert eval_alu("shl", [104, 3], ui8, [ui8, ui8]) == 64
    assert eval_alu("idiv", [7, 0], i32, [i32, i32]) == 0
    assert eval_alu("mod", [-7, 0], i32, [i32, i32]) == 0
    assert eval_alu("cast", [1e12], i32, [f32]) == 2**31 - 1


def test_dialect_families_are_the_tables():
    assert set(tir.ALU_BY_NAME) == set(alu.ALU) == set(uop.ALU_BY_NAME)
    for name, row in alu.ALU.items():
        assert getattr(uop.ALU_BY_NAME[name], "ALLOWED", alu.ANY) is row.uop_dtypes
        if hasattr(tir.ALU_BY_NAME[name], "DTYPES") and row.arity < 3 and name not in alu.CONVERSIONS:
            assert tir.ALU_BY_NAME[name].DTYPES is row.dtypes
        assert uop.ALU_BY_NAME[name].has_trait(Commutative) == row.commutative
    assert {c.name.split(".")[1] for c in uop.UOP_UNARY} == set(alu.UNARY)
    assert {c.name.split(".")[1] for c in uop.UOP_BINARY} == set(alu.BINARY)
    assert {c.name.split(".")[1] for c in uop.UOP_COMPARE} == set(alu.COMPARE)


@pytest.mark.parametrize("device", DEVICES)
def test_issue_examples_agree_with_numpy(device):
    """The ALU-level wrong values of issue 9, through the Tensor API, on every device."""
    if not _device_available(device):
        pytest.skip(f"{device} is not available here")
    from tinyir import Tensor, dtypes

    # a ui8 result wraps at 8 bits before a widening cast (OpenCL C promoted it to int: 300, 832)
    assert (Tensor(np.uint8([200]), device=device) + 100).cast(dtypes.int32).numpy().tolist() == [44]
    assert (Tensor(np.uint8([104]), device=device) << 3).cast(dtypes.int32).numpy().tolist() == [64]
    # floor division and modulo by zero: numpy's 0, on every device
    a, b = np.int32([7, -7, 5]), np.int32([0, 2, 0])
    with np.errstate(divide="ignore"):
        assert (Tensor(a, device=device) // Tensor(b, device=device)).numpy().tolist() == (a // b).tolist()
        assert (Tensor(a, device=device) % Tensor(b, device=device)).numpy().tolist() == (a % b).tolist()
    # padded idiv/mod results: fold-views sinks the pad plainly, as the table's 0 / 0 is 0
    a2, b2 = np.int32([7, -7, 5, 9]), np.int32([2, 0, -1, 4])
    with np.errstate(divide="ignore"):
        padded = Tensor(a2, device=device).idiv(Tensor(b2, device=device)).pad(((1, 2),)).numpy()
        assert padded.tolist() == [0, 3, 0, -5, 2, 0, 0]
        assert (Tensor(a2, device=device) % Tensor(b2, device=device)).pad(((2, 0),)).numpy().tolist() == \
            [0, 0, *(a2 % b2).tolist()]
    # shifts by >= the width or a negative amount: 0 and the sign fill, as numpy and PyTorch
    x, n = np.int32([1, -8, 5, 1, -1]), np.int32([40, 33, -1, 31, 32])
    assert (Tensor(x, device=device) << Tensor(n, device=device)).numpy().tolist() == np.left_shift(x, n).tolist()
    assert (Tensor(x, device=device) >> Tensor(n, device=device)).numpy().tolist() == np.right_shift(x, n).tolist()
    # trunc (and floor/ceil built on it) of floats beyond int32
    f = np.float32([1e12, -1e12, 2.7, -2.7, np.inf, -np.inf, np.nan, 8388607.5, 3e38])
    np.testing.assert_array_equal(Tensor(f, device=device).trunc().numpy(), np.trunc(f))
    np.testing.assert_array_equal(Tensor(f, device=device).floor().numpy(), np.floor(f))
    np.testing.assert_array_equal(Tensor(f, device=device).ceil().numpy(), np.ceil(f))
    h = np.float16([60000.0, -2.5, np.inf, 1000.5])
    np.testing.assert_array_equal(Tensor(h, device=device).trunc().numpy(), np.trunc(h))


def test_ptx_lowering_of_every_case_assembles():
    """Every op x dtype lowered to PTX (sm_80) and assembled by ptxas (no GPU needed)."""
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    from tinyir.ir import make_context
    from tinyir.registry import CORE_PIPELINE
    from tinyir.runtime.executor import run_passes
    from tinyir.targets.ptx.emit import emit_module
    from tinyir.targets.ptx.lower import UopToPTX

    tool = shutil.which("ptxas")
    if tool is None:
        pytest.skip("ptxas is not on PATH")
    texts = []
    for op, t, result in CASES:
        module = _module(op, t, result, len(_operands(alu.ALU[op].arity, t)[0]))
        run_passes(module, CORE_PIPELINE)
        UopToPTX(arch="sm_80", ptx_version="8.0").apply(make_context(), module)
        texts.append((f"{op}_{NAMES[t]}_{NAMES[result]}", emit_module(module)))
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in texts:
            path = Path(tmp, f"{name}.ptx")
            path.write_text(text)
            done = subprocess.run([tool, "-arch=sm_80", str(path), "-o", str(Path(tmp, "k.cubin"))],
                                  capture_output=True, text=True, timeout=60)
            assert done.returncode == 0, f"ptxas rejected {name}:\n{done.stderr}\n{text}"


@pytest.mark.cuda
def test_cuda_matches_the_table():
    """On an NVIDIA GPU (`pytest -m cuda`): every case against the table; the ops the table lists as
    approximate on PTX (TARGET_LIMITS) are compared within 1e-5 on inputs in [-100, 100] only."""
    from tinyir.errors import TinyirError
    from tinyir.runtime.executor import get_device

    try:
        get_device("cuda")
    except TinyirError as exc:
        pytest.skip(f"no CUDA GPU here ({exc})")
    failures = []
    for op, t, result in CASES:
        row = alu.ALU[op]
        xs = _operands(row.arity, t)
        want = alu.eval_op(op, xs, numpy_dtype(result))
        got = np.asarray(compile_program(_module(op, t, result, xs[0].size), "cuda").run(xs)[0])
        if op in alu.TARGET_LIMITS["ptx"] and t in (f32, f16):
            keep = np.abs(xs[0].astype(np.float64)) <= 100
            bad = ~_same(got[keep], want[keep], 1e-5)
        else:
            bad = ~_same(got, want, row.tolerance)
        if bad.any():
            failures.append(f"{op} {NAMES[t]}->{NAMES[result]}: {int(bad.sum())} of {bad.size} differ")
    assert not failures, "cuda differs from the ALU table:\n" + "\n".join(failures)


@pytest.mark.parametrize("device", DEVICES)
def test_narrow_results_wrap_before_widening(device):
    """Every i8/ui8 op's result, cast to i32 and f32 in the same kernel: the value is the wrapped
    byte (C promotes char to int; a target must not let the wider value through)."""
    if not _device_available(device):
        pytest.skip(f"{device} is not available here")
    failures = []
    for row in alu.ALU_TABLE:
        if row.meaning is None or row.compare or row.arity == 3:
            continue
        for t in (i8, ui8):
            if not row.dtypes.accepts(t):
                continue
            xs = _operands(row.arity, t)
            n = xs[0].size
            ty = f"tensor<{n}x{NAMES[t]}>"
            names = ["%a", "%b"][:row.arity]
            text = (f"func.func @main({', '.join(f'{v}: {ty}' for v in names)}) -> (tensor<{n}xi32>, tensor<{n}xf32>) {{\n"
                    f"  %r = tir.{row.name} {', '.join(names)} : {ty}\n"
                    f"  %w = tir.cast %r : {ty} to tensor<{n}xi32>\n"
                    f"  %f = tir.cast %r : {ty} to tensor<{n}xf32>\n"
                    f"  func.return %w, %f : tensor<{n}xi32>, tensor<{n}xf32>\n}}")
            want = alu.eval_op(row.name, xs, numpy_dtype(t))
            got_i, got_f = compile_program(parse_module(text), device).run(xs)
            if not (np.array_equal(got_i, want.astype(np.int32)) and np.array_equal(got_f, want.astype(np.float32))):
                failures.append(f"{row.name} {NAMES[t]}")
    assert not failures, f"{device}: a narrow result leaks its promoted value: {', '.join(failures)}"


def test_trunc_beyond_int32_has_pytorchs_zero_gradient():
    import torch

    from tinyir import Tensor

    values = [1e12, -1e12, 2.5, -3.7, 0.5]
    x = Tensor(values, requires_grad=True)
    (x.trunc() * x).sum().backward()
    t = torch.tensor(values, requires_grad=True)
    (t.trunc() * t).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())


def test_amdgpu_lowering_of_every_case_compiles():
    """Every op x dtype lowered with uop-to-amdgpu (the LLVM rules: selects, llvm.maximum,
    llvm.fpto[su]i.sat) and compiled to an AMDGPU object by llvmlite's backend."""
    from tinyir.ir import make_context
    from tinyir.registry import CORE_PIPELINE
    from tinyir.runtime.executor import run_passes
    from tinyir.targets.amdgpu.emit import compile_object, llvm_ir, target_machine
    from tinyir.targets.amdgpu.lower import UopToAMDGPU
    from tinyir.targets.llvm import dialect as ll

    try:
        target_machine("gfx942")
    except RuntimeError as exc:
        pytest.skip(f"llvmlite has no AMDGPU backend here: {exc}")
    for op, t, result in CASES:
        module = _module(op, t, result, len(_operands(alu.ALU[op].arity, t)[0]))
        run_passes(module, CORE_PIPELINE)
        UopToAMDGPU().apply(make_context(), module)
        for kernel in (k for k in module.walk() if isinstance(k, ll.KernelOp)):
            obj = compile_object(llvm_ir(kernel), "gfx942")
            assert obj[:4] == b"\x7fELF", f"{op} {NAMES[t]}->{NAMES[result]}: no AMDGPU object"
