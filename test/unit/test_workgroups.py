"""Work-group kernels (wgid/lidx specials, uop.define_local, uop.barrier): the uop interpreter
(the reference semantics, with its race check) against numpy."""

from __future__ import annotations

import numpy as np
import pytest

from tinyir.dialects import uop
from tinyir.ir import parse_module
from tinyir.runtime.uop_interp import UopInterpreterError, run_kernel, run_program
from workgroup_kernels import CASES, Case, program


def the_kernel(module) -> uop.KernelOp:
    return next(op for op in module.walk() if isinstance(op, uop.KernelOp))


def check(got: list[np.ndarray], expected: list[np.ndarray | None]) -> None:
    for i, (g, e) in enumerate(zip(got, expected)):
        if e is not None:  # bit-exact: every kernel here adds in the order its numpy twin does
            np.testing.assert_array_equal(g.reshape(-1), np.asarray(e).reshape(-1), err_msg=f"buffer {i}")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_interpreter_matches_numpy(case: Case) -> None:
    kernel = the_kernel(parse_module(case.text))
    grid, group = uop.launch_shape(kernel)
    assert (tuple(grid), tuple(group)) == (case.grid, case.group)
    buffers, expected = case.buffers()
    run_kernel(kernel, buffers)
    check(buffers, expected)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_uop_simplify_keeps_work_group_kernels(case: Case) -> None:
    """uop-simplify (CSE, DCE, folding) keeps local memory, barriers and the result."""
    from tinyir.passes.uop_simplify import UopSimplify

    module = lowered(case.text, UopSimplify())
    kernel = the_kernel(module)
    before = the_kernel(parse_module(case.text))
    for op_type in (uop.DefineLocalOp, uop.BarrierOp):
        count = lambda k: sum(isinstance(op, op_type) for op in k.body.block.ops)  # noqa: E731
        assert count(kernel) == count(before)
    buffers, expected = case.buffers()
    run_kernel(kernel, buffers)
    check(buffers, expected)


def race(body: str) -> str:
    return program("!st.buffer<8xi32>", [], f"""
    %g = uop.special "wgid0" 2 : i32
    %l = uop.special "lidx0" 4 : i32
    %tmp = uop.define_local : !st.buffer<4xi32>
    %one = uop.const 1 : i32
    %four = uop.const 4 : i32
    %r0 = uop.add %l, %one : i32
    %right = uop.mod %r0, %four : i32
    %gl = uop.mul %g, %four : i32
    %i = uop.add %gl, %l : i32
{body}""")


def test_local_memory_is_per_work_group() -> None:
    # both groups use tmp[l]; each reads back its own group's values
    text = race("""
    uop.store %tmp[%l], %i : i32
    uop.barrier
    %v = uop.load %tmp[%right] : i32
    uop.store %o[%i], %v : i32""")
    (out,) = run_program(parse_module(text), [])
    np.testing.assert_array_equal(out, [1, 2, 3, 0, 5, 6, 7, 4])


def test_missing_barrier_before_read_is_a_race() -> None:
    text = race("""
    uop.store %tmp[%l], %i : i32
    %v = uop.load %tmp[%right] : i32
    uop.store %o[%i], %v : i32""")
    with pytest.raises(UopInterpreterError, match=r"reads local memory element 1 of work-group 0 .*\(a race\)"):
        run_program(parse_module(text), [])


def test_missing_barrier_before_overwrite_is_a_race() -> None:
    # read a neighbour's element, then overwrite one's own: the neighbour may not have read yet
    text = race("""
    uop.store %tmp[%l], %i : i32
    uop.barrier
    %v = uop.load %tmp[%right] : i32
    uop.store %tmp[%l], %v : i32
    uop.store %o[%i], %v : i32""")
    with pytest.raises(UopInterpreterError, match=r"writes local memory element .*\(a race\)"):
        run_program(parse_module(text), [])


def test_two_work_items_writing_different_values_is_a_race() -> None:
    text = race("""
    %c0 = uop.const 0 : i32
    uop.store %tmp[%c0], %l : i32
    uop.barrier
    %v = uop.load %tmp[%c0] : i32
    uop.store %o[%i], %v : i32""")
    with pytest.raises(UopInterpreterError, match="writes local memory element 0 of work-group 0"):
        run_program(parse_module(text), [])


def test_same_value_from_every_work_item_and_own_element_reuse_are_fine() -> None:
    # every work-item writes 7 to tmp[0] (harmless), and a work-item may re-read and re-write its own
    # element with no barrier
    text = race("""
    %c0 = uop.const 0 : i32
    %c7 = uop.const 7 : i32
    uop.store %tmp[%l], %l : i32
    %mine = uop.load %tmp[%l] : i32
    %twice = uop.add %mine, %mine : i32
    uop.store %tmp[%l], %twice : i32
    uop.barrier
    %v = uop.load %tmp[%right] : i32
    uop.barrier
    uop.store %tmp[%c0], %c7 : i32
    uop.barrier
    %w = uop.load %tmp[%c0] : i32
    %s = uop.add %v, %w : i32
    uop.store %o[%i], %s : i32""")
    (out,) = run_program(parse_module(text), [])
    np.testing.assert_array_equal(out, [9, 11, 13, 7] * 2)


def test_local_index_out_of_bounds() -> None:
    text = race("""
    uop.store %tmp[%i], %l : i32""")
    with pytest.raises(UopInterpreterError, match="index 4 out of bounds for a buffer of 4 elements"):
        run_program(parse_module(text), [])


# ---------------------------------------------------------------------------------------------
# OpenCL (PoCL on the CPU here): uop-to-opencl, emit, build, launch with the exact work-groups.


@pytest.fixture(scope="module")
def opencl():
    from tinyir.errors import TinyirError
    from tinyir.targets.base import KernelSource
    from tinyir.targets.opencl import TARGET

    try:
        dev = TARGET.device()
        dev.compile(KernelSource("probe", "__kernel void probe(__global int* p) { p[0] = 1; }", (1,)))
    except TinyirError as exc:
        pytest.skip(f"no working OpenCL device here: {str(exc).splitlines()[0]}")
    return dev


def lowered(text: str, pass_) -> list:
    """The module after `pass_` (verified), and its single target kernel op."""
    from tinyir.ir import make_context

    module = parse_module(text)
    pass_.apply(make_context(), module)
    module.verify()
    return module


def run_on(device, source, buffers: list[np.ndarray]) -> list[np.ndarray]:
    compiled = device.compile(source)
    handles = [device.upload(b) for b in buffers]
    device.launch(compiled, handles, source)
    return [device.download(h, b.shape, b.dtype) for h, b in zip(handles, buffers)]


@pytest.mark.parametrize("fp16", ["storage", "native"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_opencl_matches_numpy(opencl, case: Case, fp16: str) -> None:
    from tinyir.targets.opencl.dialect import KernelOp
    from tinyir.targets.opencl.emit import emit_kernel
    from tinyir.targets.opencl.lower import UopToOpenCL

    if fp16 == "native" and not opencl.supports_fp16:
        pytest.skip("the OpenCL device has no cl_khr_fp16")
    module = lowered(case.text, UopToOpenCL(fp16=fp16))
    source = emit_kernel(next(op for op in module.walk() if isinstance(op, KernelOp)))
    assert source.local_size == case.group
    assert source.global_size == tuple(g * n for g, n in zip(case.grid, case.group))
    buffers, expected = case.buffers()
    check(run_on(opencl, source, buffers), expected)


def test_opencl_work_group_too_large_is_one_clear_error(opencl) -> None:
    from tinyir.errors import TinyirError
    from tinyir.targets.opencl.dialect import KernelOp
    from tinyir.targets.opencl.emit import emit_kernel
    from tinyir.targets.opencl.lower import UopToOpenCL

    n = 1 << 16  # more work-items per group than any OpenCL device runs
    text = program(f"!st.buffer<{n}xi32>", [], f"""
    %l = uop.special "lidx0" {n} : i32
    uop.store %o[%l], %l : i32""")
    module = lowered(text, UopToOpenCL())
    source = emit_kernel(next(op for op in module.walk() if isinstance(op, KernelOp)))
    with pytest.raises(TinyirError, match=r"work-group \[65536, 1, 1\] \(65536 work-items\) exceeds"):
        run_on(opencl, source, [np.zeros(n, np.int32)])


# ---------------------------------------------------------------------------------------------
# PTX: every case assembled by ptxas for sm_80 (PTX 8.0) and sm_90a (PTX 9.0); run on a GPU
# under the `cuda` marker.

PTX_TARGETS = [("sm_80", "8.0"), ("sm_90a", "9.0")]


def ptx_source(text: str, arch: str = "sm_80", version: str = "8.0"):
    from tinyir.targets.ptx.dialect import KernelOp
    from tinyir.targets.ptx.emit import emit_kernel
    from tinyir.targets.ptx.lower import UopToPTX

    module = lowered(text, UopToPTX(arch=arch, ptx_version=version))
    return emit_kernel(next(op for op in module.walk() if isinstance(op, KernelOp)))


@pytest.mark.parametrize("arch,version", PTX_TARGETS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_ptx_assembles(case: Case, arch: str, version: str) -> None:
    from test_ptx_target import assemble

    source = ptx_source(case.text, arch, version)
    assert source.local_size == case.group
    assert source.global_size == tuple(g * n for g, n in zip(case.grid, case.group))
    bx, by, bz = case.group
    assert f".maxntid {bx}, {by}, {bz}" in source.text
    assert ("bar.sync 0;" in source.text) and (".shared .align 16 .b8" in source.text)
    assemble(source.text, arch)


def test_cuda_launch_is_exact() -> None:
    from tinyir.runtime.cuda import launch_grid

    source = ptx_source(CASES[1].text)  # transpose: 3 x 2 groups of 16 x 16
    assert launch_grid(source) == ((3, 2, 1), (16, 16, 1))


@pytest.mark.cuda
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_cuda_matches_numpy(case: Case) -> None:
    from tinyir.errors import TinyirError
    from tinyir.runtime import get_device

    try:
        device = get_device("cuda")
    except TinyirError as exc:
        pytest.skip(f"no CUDA GPU here ({exc})")
    buffers, expected = case.buffers()
    check(run_on(device, ptx_source(case.text), buffers), expected)


@pytest.mark.parametrize("body,message", [
    ('%l = uop.special "lidx0" 2048 : i32', r"a work-group of \[2048, 1, 1\] \(lidx0, 1, 2\) exceeds CUDA's block limit"),
    ('%l = uop.special "lidx2" 128 : i32', r"a work-group of \[1, 1, 128\] .* exceeds CUDA's block limit"),
    ('%w = uop.special "wgid1" 70000 : i32', r"a grid of \[1, 70000, 1\] work-groups .* exceeds CUDA's grid limit"),
    ('%l = uop.special "lidx0" 32 : i32\n    %big = uop.define_local : !st.buffer<65536xf32>',
     r"262144 bytes of local memory exceed the 166912 bytes of shared memory a block may use on sm_80"),
])
def test_ptx_refuses_what_cuda_cannot_launch(body: str, message: str) -> None:
    from tinyir.diagnostics import DiagnosticError

    with pytest.raises(DiagnosticError, match=message):
        ptx_source(program("!st.buffer<4xf32>", [], "    " + body))


# ---------------------------------------------------------------------------------------------
# Metal: every case through uop-to-metal, checked by g++ against test/metal/metal_stub.h.

from test_metal_target import cxx_check  # noqa: E402,F401 - the g++ fixture


def metal_source(text: str):
    from tinyir.targets.metal.dialect import KernelOp
    from tinyir.targets.metal.emit import emit_kernel
    from tinyir.targets.metal.lower import UopToMetal

    module = lowered(text, UopToMetal())
    return emit_kernel(next(op for op in module.walk() if isinstance(op, KernelOp)))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_metal_passes_the_cxx_check(case: Case, cxx_check) -> None:
    source = metal_source(case.text)
    assert source.local_size == case.group
    assert source.global_size == tuple(g * n for g, n in zip(case.grid, case.group))
    assert "threadgroup_barrier(mem_flags::mem_threadgroup);" in source.text
    cxx_check(source.text, f"wg_{case.name}")


def test_metal_refuses_too_much_threadgroup_memory() -> None:
    from tinyir.diagnostics import DiagnosticError

    text = program("!st.buffer<4xf32>", [], """
    %l = uop.special "lidx0" 32 : i32
    %big = uop.define_local : !st.buffer<8193xf32>""")
    with pytest.raises(DiagnosticError, match="32772 bytes of local memory exceed Metal's 32768 bytes"):
        metal_source(text)


# ---------------------------------------------------------------------------------------------
# AMDGPU: every case through uop-to-amdgpu, assembled to an object by llvmlite's AMDGPU backend.


@pytest.mark.parametrize("arch", ["gfx90a", "gfx942", "gfx1100"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_amdgpu_assembles(case: Case, arch: str) -> None:
    from tinyir.targets.amdgpu.emit import compile_assembly, llvm_ir
    from tinyir.targets.amdgpu.lower import UopToAMDGPU
    from tinyir.targets.llvm.dialect import KernelOp

    module = lowered(case.text, UopToAMDGPU(arch=arch))
    kernel = next(op for op in module.walk() if isinstance(op, KernelOp))
    assert kernel.attributes["amdgpu.target"].workgroup_size == case.group
    assert tuple(s.data for s in kernel.global_size) == tuple(g * n for g, n in zip(case.grid, case.group))
    ir = llvm_ir(kernel)
    assert "addrspace(3) global" in ir and "call void @llvm.amdgcn.s.barrier()" in ir
    isa = compile_assembly(ir, arch)
    lds = sum(int(line.split()[-1]) for line in isa.splitlines() if ".amdhsa_group_segment_fixed_size" in line)
    assert lds >= 1, "the kernel's LDS arrays are gone"
    assert "s_barrier" in isa


# ---------------------------------------------------------------------------------------------
# With the loop level: kernel-optimize's local/group actions, loop-to-uop and uop-simplify make
# work-group kernels (a grouped reduce through local memory); the interpreter (race check included)
# and OpenCL agree with numpy, and the PTX assembles.

MATMUL_LOOP = """
func.func @main(%a: !st.buffer<16x32xf32>, %b: !st.buffer<32x12xf32>) -> !st.buffer<16x12xf32> {
  %0 = st.alloc : !st.buffer<16x12xf32>
  loop.kernel "k0"(%0, %a, %b) : !st.buffer<16x12xf32>, !st.buffer<16x32xf32>, !st.buffer<32x12xf32> {
  ^bb0(%out: !st.buffer<16x12xf32>, %x: !st.buffer<16x32xf32>, %y: !st.buffer<32x12xf32>):
    %i0 = loop.range 16 global : i32
    %i1 = loop.range 12 global : i32
    %r2 = loop.range 32 reduce : i32
    %c32 = uop.const 32 : i32
    %row = uop.mul %i0, %c32 : i32
    %xi = uop.add %row, %r2 : i32
    %xv = uop.load %x[%xi] : f32
    %c12 = uop.const 12 : i32
    %col = uop.mul %r2, %c12 : i32
    %yi = uop.add %i1, %col : i32
    %yv = uop.load %y[%yi] : f32
    %p = uop.mul %xv, %yv : f32
    %s = loop.reduce add %p over %r2 : f32
    %oi0 = uop.mul %i0, %c12 : i32
    %oi = uop.add %oi0, %i1 : i32
    uop.store %out[%oi], %s : f32
  }
  func.return %0 : !st.buffer<16x12xf32>
}
"""


@pytest.mark.parametrize("actions", ["local:1:4", "group:2:8", "local:0:4,local:1:4,group:2:4"])
def test_optimized_loop_kernels_run(opencl, actions: str) -> None:
    from test_ptx_target import assemble
    from tinyir.ir import to_text
    from tinyir.runtime.executor import run_passes
    from tinyir.targets.opencl.dialect import KernelOp
    from tinyir.targets.opencl.emit import emit_kernel
    from tinyir.targets.opencl.lower import UopToOpenCL

    module = parse_module(MATMUL_LOOP)
    run_passes(module, [f'kernel-optimize{{actions="{actions}"}}', "loop-to-uop", "uop-simplify"])
    module.verify()
    text = to_text(module)
    kernel = the_kernel(module)
    assert uop.is_workgroup_kernel(kernel)
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((16, 32), np.float32), rng.standard_normal((32, 12), np.float32)
    (out,) = run_program(module, [a, b])
    np.testing.assert_allclose(out, a @ b, rtol=1e-5, atol=1e-5)
    source = emit_kernel(next(op for op in lowered(text, UopToOpenCL()).walk() if isinstance(op, KernelOp)))
    got = run_on(opencl, source, [np.zeros((16, 12), np.float32), a, b])[0]
    np.testing.assert_allclose(got, a @ b, rtol=1e-5, atol=1e-5)
    assemble(ptx_source(text, "sm_90a", "9.0").text, "sm_90a")
