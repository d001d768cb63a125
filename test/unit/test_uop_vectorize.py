"""uop-vectorize and the vector ops uop.vload/uop.vstore: the interpreter's meaning, the pass keeping every
result bit for bit, the default GPU pipelines using it, PTX that ptxas assembles, OpenCL on PoCL against numpy."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest

from tinyir.dialects import uop
from tinyir.ir import parse_module
from tinyir.passes.uop_vectorize import UopVectorize, scalarize
from tinyir.registry import default_pipeline
from tinyir.runtime.executor import run_passes
from tinyir.runtime.uop_interp import UopInterpreterError, run_program

MATMUL = """func.func @main(%a: tensor<{m}x{k}xf32>, %b: tensor<{k}x{n}xf32>) -> tensor<{m}x{n}xf32> {{
  %c = tir.matmul %a, %b : tensor<{m}x{k}xf32>, tensor<{k}x{n}xf32> -> tensor<{m}x{n}xf32>
  func.return %c : tensor<{m}x{n}xf32>
}}"""
ELEMENTWISE = """func.func @main(%a: tensor<{n}xf32>, %b: tensor<{n}xf32>) -> tensor<{n}xf32> {{
  %m = tir.mul %a, %b : tensor<{n}xf32>
  %one = tir.constant dense<1.0> : tensor<{n}xf32>
  %r = tir.add %m, %one : tensor<{n}xf32>
  func.return %r : tensor<{n}xf32>
}}"""
INT_ADD = """func.func @main(%a: tensor<{n}xi32>, %b: tensor<{n}xi32>) -> tensor<{n}xi32> {{
  %r = tir.add %a, %b : tensor<{n}xi32>
  func.return %r : tensor<{n}xi32>
}}"""

#: (name, program, kernel-optimize actions, vector ops expected at least)
CASES = [
    ("matmul-tile", MATMUL.format(m=32, k=16, n=32), "upcast:1:4,upcast:0:2,local:1:4,local:0:4,unroll:2:4", 4),
    ("matmul-local-first", MATMUL.format(m=32, k=16, n=32), "local:1:4,local:0:4,upcast:1:4,unroll:2:4", 1),
    ("matmul-upcast2", MATMUL.format(m=16, k=8, n=16), "upcast:1:2,unroll:2:2", 2),
    ("matmul-odd", MATMUL.format(m=6, k=5, n=6), "upcast:1:3", 0),
    ("elementwise", ELEMENTWISE.format(n=256), "upcast:0:4,local:0:16", 3),
    # local before upcast: the copies are 16 elements apart (coalesced scalars), nothing to merge
    ("elementwise-local-first", ELEMENTWISE.format(n=256), "local:0:16,upcast:0:4", 0),
    ("elementwise-upcast8", ELEMENTWISE.format(n=64), "upcast:0:8", 6),
    ("int-add", INT_ADD.format(n=64), "upcast:0:4", 3),
    ("matmul-f16", MATMUL.format(m=32, k=16, n=32).replace("f32", "f16"), "upcast:1:4,local:1:8,unroll:2:4", 2),
]


def _inputs(module, seed: int = 0) -> list[np.ndarray]:
    from tinyir.runtime.reference import entry_function

    rng = np.random.default_rng(seed)
    out = []
    for arg in entry_function(module).args:
        shape, dtype = arg.type.get_shape(), arg.type.element_type
        if str(dtype) == "i32":
            out.append(rng.integers(-1000, 1000, shape, dtype=np.int32))
        else:
            out.append(rng.standard_normal(shape).astype(np.float16 if str(dtype) == "f16" else np.float32))
    return out


def _uop_module(text: str, actions: str):
    module = parse_module(text)
    specs = default_pipeline("opencl", "uop-to-opencl", f'actions="{actions}"')
    return run_passes(module, specs[:specs.index("uop-simplify") + 1])


def _vector_ops(module) -> int:
    return sum(isinstance(op, uop.VLoadOp | uop.VStoreOp) for op in module.walk())


@pytest.mark.parametrize("name,text,actions,at_least", CASES, ids=[c[0] for c in CASES])
def test_vectorized_kernels_compute_the_same_bits(name, text, actions, at_least) -> None:
    """On the interpreter (which checks each vector index is aligned), before and after the pass."""
    module = _uop_module(text, actions)
    inputs = _inputs(parse_module(text))
    before = run_program(module, inputs)
    UopVectorize().apply(None, module)  # type: ignore[arg-type]
    module.verify()
    assert _vector_ops(module) >= at_least
    after = run_program(module, inputs)
    for b, a in zip(before, after):
        np.testing.assert_array_equal(a, b)
    scalarize(module)  # and back: the same again, without vector ops
    assert _vector_ops(module) == 0
    for b, a in zip(before, run_program(module, inputs)):
        np.testing.assert_array_equal(a, b)


VECTOR_KERNEL = """func.func @main(%x: !st.buffer<16xf32>) -> !st.buffer<16xf32> {{
  %o = st.alloc : !st.buffer<16xf32>
  uop.kernel "k"(%o, %x) : !st.buffer<16xf32>, !st.buffer<16xf32> {{
  ^bb0(%ob: !st.buffer<16xf32>, %xb: !st.buffer<16xf32>):
    %g = uop.special "gidx0" 4 : i32
    %c = uop.const {stride} : i32
    %i = uop.mul %g, %c : i32
    %two = uop.const 2 : i32
    %p = uop.cmplt %g, %two : i32
    %a, %b, %d, %e = uop.vload %xb[%i], %p : 4 x f32
    uop.vstore %ob[%i], %e, %d, %b, %a : f32
  }}
  func.return %o : !st.buffer<16xf32>
}}"""


def test_interpreter_reads_and_writes_lanes_with_one_gate() -> None:
    x = np.arange(16, dtype=np.float32)
    (out,) = run_program(parse_module(VECTOR_KERNEL.format(stride=4)), [x])
    # work-items 0, 1 read 0 .. 7 and write each quad reversed; 2, 3 read zeros and store nothing
    expected = np.concatenate([x[3::-1], x[7:3:-1]])
    np.testing.assert_array_equal(out[:8], expected)


def test_interpreter_rejects_an_unaligned_vector_index() -> None:
    with pytest.raises(UopInterpreterError, match="not a multiple of its 4 lanes"):
        run_program(parse_module(VECTOR_KERNEL.format(stride=3)), [np.zeros(16, np.float32)])


def test_verifier_rejects_other_lane_counts() -> None:
    text = VECTOR_KERNEL.format(stride=4).replace("%a, %b, %d, %e = uop.vload %xb[%i], %p : 4 x f32",
                                                  "%a, %b, %d = uop.vload %xb[%i], %p : 3 x f32")
    text = text.replace("%e, %d, %b, %a", "%d, %b, %a")
    with pytest.raises(Exception, match="2 or 4 lanes, got 3"):
        parse_module(text).verify()


def test_default_pipelines_vectorize_on_gpus_only() -> None:
    for device, lower in (("cuda", "uop-to-ptx"), ("opencl", "uop-to-opencl"), ("metal", "uop-to-metal"),
                          ("amdgpu", "uop-to-amdgpu")):
        specs = default_pipeline(device, lower)
        want = "uop-vectorize{width=4 bf16_copies=true}" if device == "cuda" else "uop-vectorize{width=4}"  # cp.async
        assert want in specs[specs.index("uop-simplify"):specs.index(lower)], device
    assert not any(s.startswith("uop-vectorize") for s in default_pipeline("cpu", "uop-to-llvm"))


def test_width_option_is_checked() -> None:
    with pytest.raises(ValueError, match="width must be one of 2, 4, got 8"):
        UopVectorize(width=8)


@pytest.mark.skipif(shutil.which("ptxas") is None, reason="ptxas not installed")
@pytest.mark.parametrize("arch", ["sm_80", "sm_90a"])
@pytest.mark.parametrize("name,text,actions,at_least", [c for c in CASES if c[3]], ids=[c[0] for c in CASES if c[3]])
def test_ptx_with_vectors_assembles(tmp_path, arch, name, text, actions, at_least) -> None:
    from tinyir.targets.ptx.emit import emit_module

    module = parse_module(text)
    specs = default_pipeline("cuda", f"uop-to-ptx{{arch={arch}}}", f'actions="{actions}"')
    ptx_text = emit_module(run_passes(module, specs))
    assert ".v4." in ptx_text or ".v2." in ptx_text
    path = tmp_path / "k.ptx"
    path.write_text(ptx_text)
    done = subprocess.run(["ptxas", f"-arch={arch}", str(path), "-o", str(tmp_path / "k.cubin")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def opencl_device() -> None:
    from tinyir.runtime.executor import get_device

    try:
        get_device("opencl")
    except Exception as exc:  # noqa: BLE001 - no pyopencl or no platform: nothing to run on
        pytest.skip(f"no OpenCL device ({exc})")


OPENCL_CASES = [
    ("matmul", MATMUL.format(m=64, k=32, n=64), "upcast:1:4,upcast:0:4,local:1:8,local:0:4,unroll:2:4",
     lambda a, b: a @ b),
    ("matmul-default", MATMUL.format(m=128, k=64, n=128), None, lambda a, b: a @ b),
    ("elementwise", ELEMENTWISE.format(n=1024), "upcast:0:4,local:0:16", lambda a, b: a * b + 1),
    ("elementwise-default", ELEMENTWISE.format(n=1 << 14), None, lambda a, b: a * b + 1),
    ("int-add", INT_ADD.format(n=256), "upcast:0:4", lambda a, b: a + b),
]


@pytest.mark.parametrize("name,text,actions,reference", OPENCL_CASES, ids=[c[0] for c in OPENCL_CASES])
def test_opencl_vector_kernels_match_numpy(opencl_device, name, text, actions, reference) -> None:
    from tinyir.runtime.executor import compile_program

    module = parse_module(text)
    a, b = _inputs(module, seed=1)
    program = compile_program(module, "opencl", None if actions is None else f'actions="{actions}"')
    if actions is not None:  # explicit upcasts of contiguous axes: the kernel text has vectors
        assert any("4*)(" in k.text for k in program.kernels), [k.text for k in program.kernels]
    (got,) = program.run([a, b])
    expected = reference(a.astype(np.float64), b.astype(np.float64)) if a.dtype == np.float32 else reference(a, b)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-4)


# Work-groups of 4 work-items: each loads a quad of the group's 16-element tile (4 scalar loads), stores it
# to local memory reversed inside the quad, and after a barrier writes the quad of the mirrored work-item:
# out[16w + 4l + k] = x[16w + 4(3-l) + (3-k)], i.e. every tile reversed. The pass merges all four runs.
TILE_REVERSE = """func.func @main(%a: !st.buffer<64xf32>) -> !st.buffer<64xf32> {
  %t = st.alloc : !st.buffer<64xf32>
  uop.kernel "k0"(%t, %a) : !st.buffer<64xf32>, !st.buffer<64xf32> {
  ^bb0(%o: !st.buffer<64xf32>, %x: !st.buffer<64xf32>):
    %w = uop.special "wgid0" 4 : i32
    %l = uop.special "lidx0" 4 : i32
    %tile = uop.define_local : !st.buffer<16xf32>
    %c1 = uop.const 1 : i32
    %c2 = uop.const 2 : i32
    %c3 = uop.const 3 : i32
    %c4 = uop.const 4 : i32
    %c16 = uop.const 16 : i32
    %wb = uop.mul %w, %c16 : i32
    %lb = uop.mul %l, %c4 : i32
    %b = uop.add %wb, %lb : i32
    %b1 = uop.add %b, %c1 : i32
    %b2 = uop.add %b, %c2 : i32
    %b3 = uop.add %b, %c3 : i32
    %x0 = uop.load %x[%b] : f32
    %x1 = uop.load %x[%b1] : f32
    %x2 = uop.load %x[%b2] : f32
    %x3 = uop.load %x[%b3] : f32
    %l1 = uop.add %lb, %c1 : i32
    %l2 = uop.add %lb, %c2 : i32
    %l3 = uop.add %lb, %c3 : i32
    uop.store %tile[%lb], %x3 : f32
    uop.store %tile[%l1], %x2 : f32
    uop.store %tile[%l2], %x1 : f32
    uop.store %tile[%l3], %x0 : f32
    uop.barrier
    %n = uop.const -4 : i32
    %m = uop.mul %l, %n : i32
    %c12 = uop.const 12 : i32
    %r = uop.add %m, %c12 : i32
    %r1 = uop.add %r, %c1 : i32
    %r2 = uop.add %r, %c2 : i32
    %r3 = uop.add %r, %c3 : i32
    %y0 = uop.load %tile[%r] : f32
    %y1 = uop.load %tile[%r1] : f32
    %y2 = uop.load %tile[%r2] : f32
    %y3 = uop.load %tile[%r3] : f32
    uop.store %o[%b], %y0 : f32
    uop.store %o[%b1], %y1 : f32
    uop.store %o[%b2], %y2 : f32
    uop.store %o[%b3], %y3 : f32
  }
  func.return %t : !st.buffer<64xf32>
}"""


def test_local_memory_vectors_on_the_interpreter_and_opencl(opencl_device) -> None:
    from tinyir.runtime.executor import get_device
    from tinyir.targets.opencl.dialect import KernelOp
    from tinyir.targets.opencl.emit import emit_kernel
    from tinyir.targets.opencl.lower import UopToOpenCL

    x = np.random.default_rng(2).standard_normal(64).astype(np.float32)
    expected = x.reshape(4, 16)[:, ::-1].reshape(-1)
    module = parse_module(TILE_REVERSE)
    np.testing.assert_array_equal(run_program(module, [x])[0], expected)
    UopVectorize().apply(None, module)  # type: ignore[arg-type]
    module.verify()
    assert _vector_ops(module) == 4
    np.testing.assert_array_equal(run_program(module, [x])[0], expected)  # race-checked, aligned

    UopToOpenCL().apply(None, module)  # type: ignore[arg-type]
    source = emit_kernel(next(op for op in module.walk() if isinstance(op, KernelOp)))
    assert "vstore4(" in source.text and "vload4(0, lmem0" in source.text and "float4*)(data1" in source.text
    device = get_device("opencl")
    buffers = [device.upload(np.zeros(64, np.float32)), device.upload(x)]
    device.launch(device.compile(source), buffers, source)
    np.testing.assert_array_equal(device.download(buffers[0], (64,), np.dtype(np.float32)), expected)


@pytest.mark.parametrize("name,text,actions,at_least", [c for c in CASES if c[3]], ids=[c[0] for c in CASES if c[3]])
def test_amdgpu_vectors_assemble(name, text, actions, at_least) -> None:
    """LLVM's AMDGPU backend takes the `<N x T>` accesses (gfx942 ISA has wide loads and stores)."""
    from tinyir.targets.amdgpu.emit import emit_module
    from tinyir.targets.llvm.emit import emit_module as llvm_text

    module = run_passes(parse_module(text), default_pipeline("amdgpu", "uop-to-amdgpu{arch=gfx942}", f'actions="{actions}"'))
    ir = llvm_text(module)
    assert ir.count("load <") + ir.count("store <") >= at_least
    isa = emit_module(module)
    assert "global_load_dwordx" in isa or "global_store_dwordx" in isa
