"""wgmma (sm_90a): the warpgroup matrix instruction that reads A and B from staged tiles in shared memory
through 64-bit descriptors (tinyir/tensor_cores.py SharedOperands). The tc action selects it on cuda
with arch=sm_90a; the stage pass lays the tiles out in core matrices; lower_tensor_cores builds the
descriptors and one `uop.wgmma` per tile; the uop interpreter decodes the descriptors as the hardware
does; uop-to-ptx emits wgmma.fence / mma_async / commit_group / wait_group and fence.proxy.async before
each barrier. Results are compared with float64 numpy within the f16/bf16 tolerance."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
from test_kernel_optimize import cuda_available  # noqa: F401  (fixture)
from test_tensor_cores import check, inputs, matmul

from xdsl.dialects.builtin import i64

from tinyir.dialects import uop
from tinyir.passes.kernel_optimize import KernelOptimizeError
from tinyir.registry import default_pipeline
from tinyir.runtime.executor import run_passes
from tinyir.runtime.uop_interp import run_program
from tinyir.tensor_cores import INSTRUCTIONS, NVIDIA_SM90A, SharedOperands

WGMMA = [n for n in NVIDIA_SM90A if n.startswith("wgmma.")]


#: the layouts a run gets by default (MN-major B tiles copied in 16-byte runs, 128-byte swizzles)
from tinyir import tensor_cores as _tensor_cores  # noqa: E402
from tinyir.passes import stage as _stage  # noqa: E402

DEFAULT_LAYOUT = (_tensor_cores.MN_MAJOR_WGMMA_TILES, _tensor_cores.SWIZZLE_WGMMA_TILES, _stage.WGMMA_COPY_VECTOR)


@pytest.fixture(autouse=True)
def interleaved_k_major(monkeypatch):
    """Each test here names the layout it checks; unnamed: K-major interleaved tiles, element copies."""
    monkeypatch.setattr(_tensor_cores, "MN_MAJOR_WGMMA_TILES", False)
    monkeypatch.setattr(_tensor_cores, "SWIZZLE_WGMMA_TILES", False)
    monkeypatch.setattr(_stage, "WGMMA_COPY_VECTOR", 1)


@pytest.fixture
def default_layout(monkeypatch):
    monkeypatch.setattr(_tensor_cores, "MN_MAJOR_WGMMA_TILES", DEFAULT_LAYOUT[0])
    monkeypatch.setattr(_tensor_cores, "SWIZZLE_WGMMA_TILES", DEFAULT_LAYOUT[1])
    monkeypatch.setattr(_stage, "WGMMA_COPY_VECTOR", DEFAULT_LAYOUT[2])


@pytest.fixture
def mn_major(monkeypatch):
    """B tiles MN-major with copies in runs of 8 (the default; TINYIR_WGMMA_MN_MAJOR=0 turns it off)."""
    from tinyir import tensor_cores
    from tinyir.passes import stage

    monkeypatch.setattr(tensor_cores, "MN_MAJOR_WGMMA_TILES", True)
    monkeypatch.setattr(stage, "WGMMA_COPY_VECTOR", 8)


@pytest.fixture
def k_major(monkeypatch):
    """B tiles K-major, copied element by element (TINYIR_WGMMA_MN_MAJOR=0): not pipelined."""
    from tinyir import tensor_cores
    from tinyir.passes import stage

    monkeypatch.setattr(tensor_cores, "MN_MAJOR_WGMMA_TILES", False)
    monkeypatch.setattr(stage, "WGMMA_COPY_VECTOR", 1)


def lowered(module, actions: str, arch: str = "sm_90a", upto: str = "uop-to-ptx"):
    """The module through the cuda chain with explicit actions for `arch` (up to the PTX lowering, or
    through it with upto="")."""
    specs = default_pipeline("cuda", f"uop-to-ptx{{arch={arch}}}", f'actions="{actions}" arch={arch}')
    if upto:
        specs = specs[: next(i for i, s in enumerate(specs) if s.startswith(upto))]
    run_passes(module, specs)
    return module


@pytest.mark.parametrize("name", WGMMA)
def test_accumulator_layout_is_the_ptx_isa_one(name: str) -> None:
    """wgmma .m64nNk16 D: warp w of the warpgroup holds rows 16w..16w+15; in the warp, lane = 4 g + t holds
    d[4i + j] at row 16w + g + 8 (j >> 1), column 8i + 2t + (j & 1)."""
    mi = INSTRUCTIONS[name]
    mi.check()
    assert (mi.threads, mi.m, mi.k, mi.c.elements) == (128, 64, 16, mi.n // 2)
    for lane in range(128):
        w, g, t = lane >> 5, (lane >> 2) & 7, lane & 3
        assert [mi.c.coordinate(lane, e) for e in range(mi.n // 2)] == [
            (16 * w + g + 8 * ((e >> 1) & 1), 8 * (e >> 2) + 2 * t + (e & 1)) for e in range(mi.n // 2)]


def test_core_matrix_layout_and_descriptor_bits() -> None:
    """No swizzle, K-major: (row, k) of a block at element 8 (row % 8) + k % 8 + 64 (k // 8) + 128 (row // 8),
    i.e. 16-byte core-matrix rows, leading byte offset 128 (along k), stride byte offset 256 (along rows)."""
    shared = SharedOperands()
    for row in range(128):
        for k in range(16):
            assert shared.element_offset(row, k) == 8 * (row % 8) + k % 8 + 64 * (k // 8) + 128 * (row // 8)
    bits = shared.descriptor_bits()
    assert (bits & 0x3FFF, (bits >> 16) & 0x3FFF, (bits >> 32) & 0x3FFF, bits >> 62) == (0, 128 >> 4, 256 >> 4, 0)


SHAPES = [(64, 32, 64), (128, 64, 128), (100, 40, 70), (70, 48, 130)]  # the last two: padded tiles
ACTIONS = ["tc:2:{s},stage:2:0", "tc:2:{s},stage:2:2", "tc:2:{s},upcast:0:2,stage:2:2",
           "tc:2:{s},local:1:2,upcast:0:2,stage:2:0"]


@pytest.mark.parametrize("ty", ["f16", "bf16"])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
def test_wgmma_matmul_on_the_uop_interpreter_matches_numpy(shape, ty: str) -> None:
    m, k, n = shape
    a, b = inputs([(m, k), (k, n)], ty)
    want = a.astype(np.float64) @ b.astype(np.float64)
    ran = 0
    for select, actions in [(s, acts.format(s=s)) for s in (1, 2) for acts in ACTIONS]:
        module = matmul(m, k, n, ty)
        try:
            lowered(module, actions)
        except KernelOptimizeError:
            continue  # an explicit list that does not divide this shape
        wgmmas = [op for op in module.walk() if op.name == "uop.wgmma"]
        assert wgmmas and wgmmas[0].instruction.data == f"wgmma.m64n{64 * select}k16.{ty}"
        assert not any(op.name in ("uop.mma", "uop.ldmatrix") for op in module.walk())
        (got,) = run_program(module, [a, b])
        check(got, want, ty)
        ran += 1
    assert ran >= 2


def test_interpreter_reads_what_the_descriptor_says(monkeypatch) -> None:
    """Descriptors whose leading and stride byte offsets are swapped (the tiles laid out as before) read
    other elements: the interpreter's result is wrong, so the layout and the descriptor bits are
    checked against each other there, not only on the chip."""
    m, k, n = 64, 32, 64
    a, b = inputs([(m, k), (k, n)], "f16")
    want = a.astype(np.float64) @ b.astype(np.float64)
    swapped = SharedOperands(leading_bytes=256, stride_bytes=128).descriptor_bits()
    monkeypatch.setattr(SharedOperands, "descriptor_bits", lambda self: swapped)
    (got,) = run_program(lowered(matmul(m, k, n, "f16"), "tc:2:1,stage:2:2"), [a, b])
    assert np.abs(got.astype(np.float64) - want).max() > 0.1 * np.abs(want).max()


def test_wgmma_needs_sm_90a_and_staged_operands() -> None:
    with pytest.raises(KernelOptimizeError, match=r"not 2 \(wgmma needs arch=sm_90a\)"):
        lowered(matmul(64, 32, 64, "f16"), "tc:2:1,stage:2:2", arch="sm_90")
    with pytest.raises(KernelOptimizeError, match="wgmma.m64n64k16.f16 reads A and B from local memory: add a stage"):
        lowered(matmul(64, 32, 64, "f16"), "tc:2:1")
    # mma.sync stays the first choice on sm_90a (the heuristics' tc:A:0)
    module = lowered(matmul(64, 32, 64, "f16"), "tc:2:0,stage:2:2")
    assert any(op.name == "uop.mma" for op in module.walk())


def _ptx(m: int, k: int, n: int, ty: str, actions: str) -> str:
    from tinyir.targets.ptx.emit import emit_module

    return emit_module(lowered(matmul(m, k, n, ty), actions, upto=""))


@pytest.mark.parametrize("ty, actions", [("f16", "tc:2:1,stage:2:2"), ("bf16", "tc:2:2,upcast:0:2,stage:2:2"),
                                         ("f16", "tc:2:2,local:0:2,upcast:1:2,stage:2:4")])
@pytest.mark.parametrize("layout", ["k_major", "mn_major"])
def test_wgmma_ptx_assembles_for_sm_90a(ty: str, actions: str, layout: str, tmp_path, request) -> None:
    """The PTX: fence.proxy.async before each barrier, a wgmma.fence before the first wgmma on each
    accumulator, the chunk's k steps chained on it (no fence, no wait between them: WGMMA-CHAIN) in
    one commit group, waited for before their accumulators are read; ptxas accepts it for sm_90a
    (and sees no register shortage that would serialize the wgmmas: they update their accumulators in
    place)."""
    request.getfixturevalue(layout)  # mn_major: B's copies in vectors, so the chunk is pipelined
    text = _ptx(256, 64, 256, ty, actions)
    lines = [line.strip() for line in text.splitlines()]
    n = 64 * int(actions[5])
    issued = [i for i, line in enumerate(lines) if line.startswith(f"wgmma.mma_async.sync.aligned.m64n{n}k16.f32.{ty}.{ty}")]
    per_step = 2 if "upcast" in actions else 1
    pipelined = "cp.async.commit_group;" in lines  # then the chunk's k steps are all unrolled
    steps = int(actions[-1]) if pipelined else 1
    assert issued and len(issued) == per_step * steps
    assert [i for i in issued if lines[i - 1] == "wgmma.fence.sync.aligned;"] == issued[:per_step]
    assert not any("wgmma.wait_group" in line for line in lines[issued[0]:issued[-1]])
    commit = lines.index("wgmma.commit_group.sync.aligned;", issued[-1])
    branch = next(i for i in range(issued[-1], len(lines)) if "bra " in lines[i])
    # pipelined (4 stages): the newest group stays in flight across the back branch (WGMMA-IN-FLIGHT)
    assert lines[commit + 1] == f"wgmma.wait_group.sync.aligned {int(pipelined)};" and commit < branch
    barriers = [i for i, line in enumerate(lines) if line == "bar.sync 0;"]
    assert barriers and all(lines[i - 1] == "fence.proxy.async.shared::cta;" for i in barriers)
    assert ".target sm_90a" in text
    if shutil.which("ptxas") is None:
        pytest.skip("ptxas is not installed")
    (tmp_path / "k.ptx").write_text(text)
    done = subprocess.run(["ptxas", "-arch=sm_90a", str(tmp_path / "k.ptx"), "-o", str(tmp_path / "k.cubin")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "C7511" not in done.stderr, done.stderr  # wgmma serialized for want of registers


def test_uop_to_ptx_refuses_wgmma_below_sm_90a() -> None:
    module = lowered(matmul(64, 32, 64, "f16"), "tc:2:1,stage:2:2")
    from xdsl.context import Context

    from tinyir.targets.ptx.lower import UopToPTX

    with pytest.raises(Exception, match="wgmma.m64n64k16.f16 \\(wgmma\\) needs arch=sm_90a, got sm_90"):
        UopToPTX(arch="sm_90").apply(Context(), module)


@pytest.mark.cuda
@pytest.mark.parametrize("ty", ["f16", "bf16"])
def test_wgmma_matmul_on_cuda(ty: str, cuda_available) -> None:  # noqa: F811
    from tinyir.runtime.executor import compile_program, get_target

    target = get_target("cuda")
    old = target.lower_pass
    object.__setattr__(target, "lower_pass", "uop-to-ptx{arch=sm_90a}")
    try:
        for m, k, n in [(64, 32, 64), (128, 64, 256), (100, 40, 70)]:
            a, b = inputs([(m, k), (k, n)], ty)
            for actions in ("tc:2:1,stage:2:0", "tc:2:2,upcast:0:2,stage:2:2"):
                try:
                    program = compile_program(matmul(m, k, n, ty), "cuda", f'actions="{actions}" arch=sm_90a')
                except KernelOptimizeError:
                    continue
                (got,) = program.run([a, b])
                check(got, a.astype(np.float64) @ b.astype(np.float64), ty)
    finally:
        object.__setattr__(target, "lower_pass", old)


def test_heuristics_prefer_wgmma_on_sm_90a(monkeypatch) -> None:
    """On sm_90a the cuda heuristics choose the widest wgmma, two along m per warpgroup, two warpgroups
    along n where the columns allow (128 x 256 tiles), staged in chunks of 4 k steps: and that plan
    computes the right product. With PREFER_WGMMA off they keep mma.sync (tc:A:0)."""
    from tinyir.passes import wgmma_heuristics

    def heuristic(module):
        specs = default_pipeline("cuda", "uop-to-ptx", "", "sm_90a")
        run_passes(module, specs[: next(i for i, s in enumerate(specs) if s.startswith("uop-to-ptx"))])
        return module

    for (m, k, n), plan in (((128, 64, 128), "tc:2:2,upcast:0:2,stage:2:4"),
                            ((128, 128, 256), "tc:2:2,upcast:0:2,local:1:2,stage:2:4")):
        a, b = inputs([(m, k), (k, n)], "f16")
        module = heuristic(matmul(m, k, n, "f16"))
        kernel = next(op for op in module.walk() if op.name == "uop.kernel")
        assert kernel.attributes["actions"].data == plan
        (got,) = run_program(module, [a, b])
        check(got, a.astype(np.float64) @ b.astype(np.float64), "f16")
    monkeypatch.setattr(wgmma_heuristics, "PREFER_WGMMA", False)
    module = heuristic(matmul(128, 64, 128, "f16"))
    assert any(op.name == "uop.mma" for op in module.walk())


def test_staged_copies_of_a_wgmma_tile_become_vectors(monkeypatch) -> None:
    """With K-major tiles and copies in runs of 4, A's runs along k land in one core-matrix row: the
    store positions are the first one + j, which uop-vectorize proves aligned through the layout's
    shifts and masks, so they become vector stores (B's runs along n go to 4 rows: scalar stores);
    the interpreter checks each vector's alignment and the product."""
    from tinyir import tensor_cores
    from tinyir.passes import stage

    monkeypatch.setattr(stage, "WGMMA_COPY_VECTOR", 4)
    monkeypatch.setattr(tensor_cores, "MN_MAJOR_WGMMA_TILES", False)
    m, k, n = 128, 64, 128
    a, b = inputs([(m, k), (k, n)], "f16")
    module = lowered(matmul(m, k, n, "f16"), "tc:2:2,upcast:0:2,stage:2:4")
    tiles = [op.result for op in module.walk() if op.name == "uop.define_local"]
    vstores = [op for op in module.walk() if op.name == "uop.vstore"]
    assert vstores and {op.buffer for op in vstores} == {tiles[0]}
    assert not any(op.a_trans or op.b_trans for op in module.walk() if op.name == "uop.wgmma")
    (got,) = run_program(module, [a, b])
    check(got, a.astype(np.float64) @ b.astype(np.float64), "f16")


def test_mn_major_layout_and_descriptor_bits() -> None:
    """MN-major (the transpose immediate), no swizzle: (row, k) of a block at element row % 8 + 8 (k % 8)
    + 64 (k // 8) + 128 (row // 8): core matrices of 8 k rows of 16 bytes along the tile's rows, the
    byte offsets as for K-major (leading: along k, stride: along the rows)."""
    shared = SharedOperands(mn_major=True)
    for row in range(128):
        for k in range(16):
            assert shared.element_offset(row, k) == row % 8 + 8 * (k % 8) + 64 * (k // 8) + 128 * (row // 8)
    assert shared.descriptor_bits() == SharedOperands().descriptor_bits() and shared.transpose == 1


@pytest.mark.parametrize("ty", ["f16", "bf16"])
@pytest.mark.parametrize("shape, actions", [((128, 64, 128), "tc:2:2,upcast:0:2,stage:2:4"),
                                            ((64, 32, 64), "tc:2:1,stage:2:2"),
                                            ((128, 64, 256), "tc:2:2,upcast:0:2,local:1:2,stage:2:4"),
                                            ((100, 40, 70), "tc:2:1,stage:2:0")])
def test_mn_major_b_tiles_copy_in_16_byte_vectors(shape, actions: str, ty: str, mn_major) -> None:
    """B (k x n row-major) is staged MN-major: its copy runs of 8 along n and A's along k each land in
    one 16-byte core-matrix row, as vector stores (of uop's widest vector, 4 lanes); the wgmma reads B transposed (b_trans), A not; the
    interpreter decodes the MN-major descriptor and gives the product (a padded shape too)."""
    m, k, n = shape
    a, b = inputs([(m, k), (k, n)], ty)
    module = lowered(matmul(m, k, n, ty), actions)
    tiles = [op.result for op in module.walk() if op.name == "uop.define_local"]
    vstores = [op for op in module.walk() if op.name == "uop.vstore" and op.buffer in tiles]
    if m % 8 == 0 and n % 8 == 0 and k % 8 == 0:
        assert {op.buffer for op in vstores} == set(tiles) and {len(op.values) for op in vstores} == {4}
    wgmmas = [op for op in module.walk() if op.name == "uop.wgmma"]
    assert wgmmas and all(op.b_trans is not None and op.a_trans is None for op in wgmmas)
    (got,) = run_program(module, [a, b])
    check(got, a.astype(np.float64) @ b.astype(np.float64), ty)


def test_mn_major_descriptor_read_k_major_is_wrong(monkeypatch, mn_major) -> None:
    """The same MN-major B tile read without the transpose (b_trans dropped) is a wrong product: the
    interpreter decodes the transpose, it does not ignore it."""
    from tinyir.dialects.uop import WgmmaOp

    m, k, n = 64, 32, 64
    a, b = inputs([(m, k), (k, n)], "f16")
    module = lowered(matmul(m, k, n, "f16"), "tc:2:1,stage:2:2")
    for op in module.walk():
        if isinstance(op, WgmmaOp):
            del op.properties["b_trans"]
    (got,) = run_program(module, [a, b])
    want = a.astype(np.float64) @ b.astype(np.float64)
    assert np.abs(got.astype(np.float64) - want).max() > 0.1 * np.abs(want).max()


def _descriptor_modes(module) -> set[int]:
    """The swizzle modes of the kernel's wgmma descriptors (the constant or'ed into each)."""
    modes = set()
    for op in module.walk():
        if op.name == "uop.wgmma":
            for desc in (op.a_desc, op.b_desc):
                bits = desc.owner.operands[1].owner
                modes.add(int(bits.value.value.data) % 2**64 >> 62)  # i64: mode 2 and 3 are negative
    return modes


@pytest.mark.parametrize("shape, actions, mode", [
    ((128, 64, 128), "tc:2:2,upcast:0:2,stage:2:4", 1),       # 4 k steps a chunk: 128-byte rows
    ((64, 32, 64), "tc:2:1,stage:2:2", 2),                    # 2: 64-byte rows
    ((64, 128, 64), "tc:2:1,stage:2:8", 3),                   # 8: one k step a 32-byte row
    ((100, 40, 70), "tc:2:1,stage:2:0", 3),                   # a padded 3-step chunk
    ((128, 64, 128), "tc:2:1,unroll:2:2,stage:2:2", 3)],      # the stage not right above the tc k
    ids=lambda v: str(v) if isinstance(v, int) else None)
@pytest.mark.parametrize("ty", ["f16", "bf16"])
def test_swizzled_tiles_on_the_uop_interpreter(shape, actions: str, mode: int, ty: str, monkeypatch) -> None:
    """With SWIZZLE_WGMMA_TILES the stage pass stores each block's 16-byte chunks xor-swizzled as wide
    as the chunk's k steps allow; the descriptors say which, and the interpreter's reads (the chip's
    address xor) give the product."""
    from tinyir import tensor_cores

    monkeypatch.setattr(tensor_cores, "SWIZZLE_WGMMA_TILES", True)
    m, k, n = shape
    a, b = inputs([(m, k), (k, n)], ty)
    module = lowered(matmul(m, k, n, ty), actions)
    assert _descriptor_modes(module) == {mode}
    (got,) = run_program(module, [a, b])
    check(got, a.astype(np.float64) @ b.astype(np.float64), ty)


def test_swizzled_ptx_aligns_tiles_and_assembles(monkeypatch, tmp_path) -> None:
    from tinyir import tensor_cores

    monkeypatch.setattr(tensor_cores, "SWIZZLE_WGMMA_TILES", True)
    text = _ptx(256, 128, 256, "f16", "tc:2:2,upcast:0:2,local:0:2,stage:2:4")
    assert text.count(".shared .align 1024 .b8") == 2
    if shutil.which("ptxas") is None:
        pytest.skip("ptxas is not installed")
    (tmp_path / "k.ptx").write_text(text)
    done = subprocess.run(["ptxas", "-arch=sm_90a", str(tmp_path / "k.ptx"), "-o", str(tmp_path / "k.cubin")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "C7511" not in done.stderr, done.stderr


def test_wgmma_batched_matmul_with_epilogue_and_a_computed_factor() -> None:
    """Batches stay grid axes and relu(x @ w + bias) is copied once per accumulator; a factor that is
    computed (exp2 of a load, not a load) cannot be read through a descriptor: one loop-to-uop error."""
    from tinyir import Tensor
    from tinyir.frontend.realize import build_function, collect

    x, w, bias = inputs([(3, 64, 48), (48, 64), (64,)], "f16")
    ts = [Tensor(v, device="reference") for v in (x, w, bias)]
    module, _ = build_function(collect([((ts[0] @ ts[1] + ts[2]).relu()).lazydata],
                                       lambda node: node.realized is not None))
    lowered(module, "tc:3:1,stage:3:0")
    assert any(op.name == "uop.wgmma" for op in module.walk())
    (got,) = run_program(module, [x, w, bias])
    want = np.maximum(x.astype(np.float64) @ w.astype(np.float64) + bias.astype(np.float64), 0)
    check(got, want, "f16")

    module, _ = build_function(collect([(ts[0].exp2() @ ts[1]).lazydata], lambda node: node.realized is not None))
    with pytest.raises(Exception, match="wgmma.m64n64k16.f16 reads A and B from staged tiles"):
        lowered(module, "tc:3:1,stage:3:0")


def test_heuristics_keep_mma_sync_for_a_computed_factor() -> None:
    """A relu's backward makes a factor computed from two loads (where(h > 0, g, 0)); stage copies loads
    only, so wgmma could not read it, and the sm_90a heuristics keep mma.sync there instead of
    choosing a plan loop-to-uop refuses. The plain product beside it still gets wgmma. Both match numpy."""
    from tinyir import Tensor
    from tinyir.frontend.realize import build_function, collect

    x, g, h = inputs([(128, 64), (128, 256), (128, 256)], "f16")
    ts = [Tensor(v, device="reference") for v in (x, g, h)]
    masked = (ts[2] > 0).where(ts[1], 0)
    graph = collect([(ts[0].T @ masked).lazydata, (ts[0].T @ ts[1]).lazydata], lambda node: node.realized is not None)
    module, _ = build_function(graph)
    order = [next(i for i, t in enumerate(ts) if t.lazydata is a) for a in graph.args]
    specs = default_pipeline("cuda", "uop-to-ptx", "", "sm_90a")
    run_passes(module, specs[: next(i for i, s in enumerate(specs) if s.startswith("uop-to-ptx"))])
    kernels = [op for op in module.walk() if op.name == "uop.kernel"]
    assert sorted(k.attributes["actions"].data.split(",")[0] for k in kernels) == ["tc:2:0", "tc:2:2"]
    got = run_program(module, [(x, g, h)[i] for i in order])
    xd, gd, hd = (v.astype(np.float64) for v in (x, g, h))
    check(got[0], xd.T @ np.where(hd > 0, gd, 0), "f16")
    check(got[1], xd.T @ gd, "f16")


def test_uop_and_ptx_wgmma_verify_their_operands() -> None:
    """uop.wgmma: a shared-memory instruction, N/2 f32 accumulators, local tiles of its element type;
    ptx.wgmma: shape m64nNk16 and N/2 registers. The uop form prints and parses back."""
    from xdsl.dialects.builtin import i1, i64
    from xdsl.utils.exceptions import VerifyException

    from tinyir.ir import parse_module
    from tinyir.targets.ptx import dialect as ptx

    module = lowered(matmul(64, 32, 64, "f16"), "tc:2:1,stage:2:2")
    assert str(parse_module(str(module))) == str(module)
    op = next(o for o in module.walk() if o.name == "uop.wgmma")
    op.verify()
    with pytest.raises(VerifyException, match="c and d need 32 elements per thread, got 31 and 31"):
        op.__class__(op.instruction.data, op.a_tile, op.a_desc, op.b_tile, op.b_desc, list(op.c)[:31]).verify()
    with pytest.raises(VerifyException, match="is not a shared-memory matrix instruction"):
        op.__class__("mma.m16n8k16.f16", op.a_tile, op.a_desc, op.b_tile, op.b_desc, list(op.c)).verify()
    with pytest.raises(VerifyException, match="the a tile must hold bf16"):
        op.__class__("wgmma.m64n64k16.bf16", op.a_tile, op.a_desc, op.b_tile, op.b_desc, list(op.c)).verify()
    desc = uop.ConstOp(0, i64).result
    flag = uop.ConstOp(True, i1).result
    with pytest.raises(VerifyException, match="32 accumulator registers, got 31"):
        ptx.WgmmaOp("m64n64k16", "f16", desc, desc, flag, list(op.c)[:31]).verify()
    with pytest.raises(VerifyException, match="shape must be m64nNk16"):
        ptx.WgmmaOp("m64n300k16", "f16", desc, desc, flag, list(op.c)).verify()


def test_overlapped_k_steps_wait_after_the_loop(monkeypatch, tmp_path) -> None:
    """OVERLAP_K_STEPS: the chunk loop's wgmma groups stay in flight across iterations (each commits,
    none waits at the back branch); one wait after the loop, before the barrier that lets the next copy
    overwrite the tiles (with pipelined tiles, the next chunk's). A loop with anything else in its body keeps its waits."""
    from tinyir.targets.ptx import lower

    monkeypatch.setattr(lower, "OVERLAP_K_STEPS", True)
    lines = [line.strip() for line in _ptx(256, 128, 256, "f16", "tc:2:2,upcast:0:2,stage:2:4").splitlines()]
    commit = lines.index("wgmma.commit_group.sync.aligned;")
    branch = next(i for i in range(commit, len(lines)) if "bra " in lines[i])
    assert "wgmma.wait_group.sync.aligned 0;" not in lines[commit:branch]
    # (the tiles are pipelined: the next barrier is the next chunk's, after its copies' wait)
    assert lines[branch + 1] == "wgmma.wait_group.sync.aligned 0;"
    barriers = [i for i, line in enumerate(lines) if line == "bar.sync 0;"]
    assert barriers and all(lines[i - 1] == "fence.proxy.async.shared::cta;" for i in barriers)
    if shutil.which("ptxas") is None:
        pytest.skip("ptxas is not installed")
    (tmp_path / "k.ptx").write_text("\n".join(lines))
    done = subprocess.run(["ptxas", "-arch=sm_90a", str(tmp_path / "k.ptx"), "-o", str(tmp_path / "k.cubin")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "C7511" not in done.stderr, done.stderr


def _pipelined(m: int, k: int, n: int, ty: str, actions: str, stages: int):
    """The module through loop-to-uop and the vectorizer, then uop-async-copy with `stages` buffers (sm_90a's
    shared memory) and the k steps unrolled."""
    specs = default_pipeline("cuda", "uop-to-ptx{arch=sm_90a}", f'actions="{actions}" arch=sm_90a')
    specs = [s for s in specs[: next(i for i, s in enumerate(specs) if s.startswith("uop-to-ptx"))]
             if not s.startswith("uop-async-copy")]
    module = matmul(m, k, n, ty)
    run_passes(module, [*specs, f"uop-async-copy{{stages={stages} arch=sm_90a unroll=8}}"])
    return module


@pytest.mark.parametrize("stages", [2, 3, 4])
@pytest.mark.parametrize("ty", ["f16", "bf16"])
@pytest.mark.parametrize("shape, actions", [((128, 256, 128), "tc:2:2,upcast:0:2,stage:2:4"),
                                            ((64, 128, 64), "tc:2:1,stage:2:2"),
                                            ((128, 192, 256), "tc:2:2,upcast:0:2,local:1:2,stage:2:4"),
                                            ((100, 120, 70), "tc:2:1,stage:2:2")])
def test_pipelined_wgmma_tiles_on_the_uop_interpreter(shape, actions: str, ty: str, stages: int, mn_major) -> None:
    """uop-async-copy pipelines wgmma tiles: every staged copy is a cp.async (A's and B's runs of 8, two
    4-lane vectors, merged into one 16-byte copy into one core-matrix row), `stages` buffers per tile, each wgmma's descriptor start moved
    to the current buffer; the interpreter (copies land at the wait) gives the product."""
    m, k, n = shape
    a, b = inputs([(m, k), (k, n)], ty)
    module = _pipelined(m, k, n, ty, actions, stages)
    copies = [op for op in module.walk() if isinstance(op, uop.AsyncCopyOp)]
    wgmmas = [op for op in module.walk() if isinstance(op, uop.WgmmaOp)]
    assert wgmmas and all(op.b_trans is not None for op in wgmmas)
    if n % 8 == 0:  # else B's runs along n are gated lane by lane: 2-byte copies, not pipelined
        assert copies and not any(isinstance(op, uop.StoreOp | uop.VStoreOp) and uop.is_local_buffer(op.buffer)
                                  for op in module.walk())
        assert {op.lanes.value.data for op in copies} == {8}
        ahead = stages - 2 if stages >= 4 else stages - 1  # WGMMA-IN-FLIGHT: a chunk less ahead from 4 stages
        assert [op.pending.value.data for op in module.walk() if isinstance(op, uop.AsyncWaitOp)] == [ahead - 1, 0]
        assert all((op.in_flight is not None) == (stages >= 4) for op in wgmmas)
    (got,) = run_program(module, [a, b])
    check(got, a.astype(np.float64) @ b.astype(np.float64), ty)


def test_pipelined_wgmma_ptx_waits_fences_then_barriers(tmp_path, mn_major) -> None:
    """The pipelined wgmma PTX: cp.async (16 bytes) for both tiles, and in the loop
    cp.async.wait_group, then fence.proxy.async (cp.async writes are generic-proxy; wgmma reads through
    the async proxy), then the barrier that publishes the chunk, before any wgmma; ptxas accepts it."""
    from tinyir.targets.ptx.emit import emit_module

    module = _pipelined(256, 256, 256, "f16", "tc:2:2,upcast:0:2,local:1:2,stage:2:4", 3)
    run_passes(module, ["uop-emulate-bf16", "uop-to-ptx{arch=sm_90a}"])
    lines = [line.strip() for line in emit_module(module).splitlines()]
    assert any(line.startswith("cp.async.") and "], 16, " in line for line in lines)
    assert not any(line.startswith("st.shared") for line in lines)
    waits = [i for i, line in enumerate(lines) if line.startswith("cp.async.wait_group")]
    first_wgmma = next(i for i, line in enumerate(lines) if line.startswith("wgmma.mma_async"))
    loop_wait = waits[0]
    assert lines[loop_wait] == "cp.async.wait_group 1;"
    assert lines[loop_wait + 1] == "fence.proxy.async.shared::cta;" and lines[loop_wait + 2] == "bar.sync 0;"
    assert loop_wait < first_wgmma and ", 1, 1, 0, 1;" in lines[first_wgmma]
    if shutil.which("ptxas") is None:
        pytest.skip("ptxas is not installed")
    (tmp_path / "k.ptx").write_text("\n".join(lines))
    subprocess.run(["ptxas", "-arch=sm_90a", str(tmp_path / "k.ptx"), "-o", str(tmp_path / "k.cubin")], check=True)


def test_copies_not_16_byte_aligned_stay_8_byte(mn_major) -> None:
    """B read 4 elements into its rows (a shrink): its runs of 8 start 8 bytes off a 16-byte boundary in
    global memory, so uop-async-copy keeps them as two 8-byte copies; A's (aligned) become 16-byte ones;
    the interpreter (which checks each copy's alignment) gives the product."""
    from tinyir.ir import parse_module

    m, k, n = 64, 128, 64
    module = parse_module(f"""func.func @main(%a: tensor<{m}x{k}xf16>, %b: tensor<{k}x{n + 4}xf16>) -> tensor<{m}x{n}xf16> {{
      %s = tir.shrink %b [[0, {k}], [4, {n + 4}]] : tensor<{k}x{n + 4}xf16> -> tensor<{k}x{n}xf16>
      %0 = tir.matmul %a, %s : tensor<{m}x{k}xf16>, tensor<{k}x{n}xf16> -> tensor<{m}x{n}xf16>
      func.return %0 : tensor<{m}x{n}xf16>
    }}""")
    specs = default_pipeline("cuda", "uop-to-ptx{arch=sm_90a}", 'actions="tc:2:1,stage:2:2" arch=sm_90a')
    specs = specs[: next(i for i, s in enumerate(specs) if s.startswith("uop-to-ptx"))]  # (async copies for sm_90a)
    run_passes(module, specs)
    wgmma = next(op for op in module.walk() if isinstance(op, uop.WgmmaOp))
    lanes = {tile: {op.lanes.value.data for op in module.walk() if isinstance(op, uop.AsyncCopyOp) and op.tile is tile}
             for tile in (wgmma.a_tile, wgmma.b_tile)}
    assert lanes == {wgmma.a_tile: {8}, wgmma.b_tile: {4}}
    a, b = inputs([(m, k), (k, n + 4)], "f16")
    (got,) = run_program(module, [a, b])
    check(got, a.astype(np.float64) @ b[:, 4:].astype(np.float64), "f16")


def test_a_warps_16_byte_copies_fill_512_contiguous_bytes(mn_major) -> None:
    """COPY-ORDER: in an unswizzled wgmma tile copied in 16-byte runs, lanes 0..31 of the copy take
    the core k dimension fastest, then the core rows: a warp's runs fill 512 contiguous bytes (4
    conflict-free wavefronts, not 8 to 32 ways into the same banks) and read 16 rows of global
    memory, 32 bytes each."""
    from tinyir.dialects import loop
    from tinyir.passes import stage

    module = matmul(128, 64, 256, "f16")
    specs = default_pipeline("cuda", "uop-to-ptx{arch=sm_90a}", 'actions="tc:2:2,upcast:0:2,stage:2:4" arch=sm_90a')
    run_passes(module, specs[: next(i for i, s in enumerate(specs) if s.startswith("kernel-dedup"))])
    kernel = next(op for op in module.walk() if isinstance(op, loop.KernelOp))
    tiles = [s for s in stage.staged_loads(kernel) if s.core is not None]
    assert len(tiles) == 2 and [s.shared.mn_major for s in tiles] == [False, True]
    for s in tiles:
        rows, k = s.core
        order = stage._copy_order(s, 8)
        assert order[:2] == [k, rows]
        inner = s.dims[-1]
        offsets, lines = [], set()
        for lane in range(32):
            coordinate, unit = {}, lane
            for d in order:
                extent = s.extent(d) // 8 if d is inner else s.extent(d)
                coordinate[d] = (unit % extent) * (8 if d is inner else 1)
                unit //= extent
            offsets.append(2 * (s.shared.element_offset(coordinate[rows], coordinate[k])
                                + sum(coordinate.get(d, 0) * st for d, st in zip(s.layout, s.strides()))))
            element = sum(c * stage._stride(s.load.index, d.result) for d, c in coordinate.items())
            lines.add(element // 64)  # 128-byte lines of global memory
        assert len(lines) == 16, (s.shared, lines)  # 16 rows, 32 bytes each (whole sectors)
        assert sorted(offsets) == list(range(0, 512, 16)), (s.shared, offsets)


def test_swizzled_mn_major_layout() -> None:
    """SWIZZLE-MN: a 128 x 16 block of B, MN-major with the 128-byte swizzle: each k's 64 rows fill a
    128-byte line, its 16-byte chunk c (rows 8c..8c+7) at chunk c ^ (k % 8); atoms of 8 k 1024 bytes
    (SBO), atoms of 64 rows 2048 bytes apart (LBO); every element has its own place; mode 1, trans."""
    shared = SharedOperands.swizzled_mn(128)
    offsets = {(r, k): shared.element_offset(r, k) for r in range(128) for k in range(16)}
    assert sorted(offsets.values()) == list(range(128 * 16))
    for k in range(16):
        for r in range(0, 128, 8):
            chunk = ((r >> 3) & 7) ^ (k & 7)
            start = (r >> 6) * 1024 + (k >> 3) * 512 + (k & 7) * 64 + chunk * 8
            assert [offsets[(r + i, k)] for i in range(8)] == list(range(start, start + 8))
    bits = shared.descriptor_bits()
    assert (bits >> 16 & 0x3FFF, bits >> 32 & 0x3FFF, bits >> 62) == (2048 >> 4, 1024 >> 4, 1)
    assert shared.transpose == 1 and shared.block_k == 16


@pytest.mark.parametrize("ty", ["f16", "bf16"])
@pytest.mark.parametrize("shape, actions, stages", [((128, 256, 128), "tc:2:2,upcast:0:2,stage:2:4", 3),
                                                    ((128, 192, 256), "tc:2:2,upcast:0:2,local:1:2,stage:2:4", 4),
                                                    ((64, 128, 64), "tc:2:1,stage:2:2", 3)])
def test_swizzled_a_and_mn_major_b_on_the_uop_interpreter(shape, actions: str, stages: int, ty: str,
                                                          monkeypatch, mn_major) -> None:
    """With swizzling on and B MN-major, A's tile is K-major with the 128-byte swizzle and B's MN-major
    with it (SWIZZLE-MN): both copied in 16-byte cp.async runs along their lines; the interpreter
    decodes both descriptors as the chip does and gives the product."""
    from tinyir import tensor_cores

    monkeypatch.setattr(tensor_cores, "SWIZZLE_WGMMA_TILES", True)
    m, k, n = shape
    a, b = inputs([(m, k), (k, n)], ty)
    module = _pipelined(m, k, n, ty, actions, stages)
    copies = [op for op in module.walk() if isinstance(op, uop.AsyncCopyOp)]
    assert copies and {op.lanes.value.data for op in copies} == {8}
    bits = [int(uop.literal_value(op.value)) & (1 << 64) - 1 for op in module.walk()
            if isinstance(op, uop.ConstOp) and op.result.type == i64]
    descriptors = {(b >> 62, b >> 16 & 0x3FFF) for b in bits if b >> 62}
    assert (1, 2048 >> 4) in descriptors  # B: the 128-byte swizzle, MN-major (LBO 2048)
    assert len(descriptors) == 2  # and A's K-major swizzle (128 bytes for chunks of 4 k steps, else 64)
    (got,) = run_program(module, [a, b])
    check(got, a.astype(np.float64) @ b.astype(np.float64), ty)


def test_default_layout_is_mn_major_and_swizzled() -> None:
    """Without TINYIR_WGMMA_MN_MAJOR / TINYIR_WGMMA_SWIZZLE set (as CI runs): B tiles MN-major copied
    in 16-byte runs, every tile swizzled."""
    import os

    if "TINYIR_WGMMA_MN_MAJOR" in os.environ or "TINYIR_WGMMA_SWIZZLE" in os.environ:
        pytest.skip("a layout is chosen by the environment")
    assert DEFAULT_LAYOUT == (True, True, 8)


@pytest.mark.parametrize("shape, actions", [((128, 128, 256), "tc:2:2,upcast:0:2,local:1:2,stage:2:4"),
                                            ((128, 64, 128), "tc:2:2,upcast:0:2,stage:2:4"),
                                            ((64, 96, 64), "tc:2:1,stage:2:2")])
@pytest.mark.parametrize("ty", ["f16", "bf16"])
def test_default_layout_on_the_uop_interpreter(shape, actions: str, ty: str, default_layout) -> None:
    """The default chain's layouts and pipelining (4 stages, k steps unrolled, a group in flight):
    the interpreter's product is right, and the PTX assembles."""
    m, k, n = shape
    a, b = inputs([(m, k), (k, n)], ty)
    module = lowered(matmul(m, k, n, ty), actions)
    (got,) = run_program(module, [a, b])
    check(got, a.astype(np.float64) @ b.astype(np.float64), ty)
