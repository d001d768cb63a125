"""BEAM search over kernel-optimization actions (tinyir/search/): results equal numpy's and the
unoptimized kernel's, the second search is a lookup in the on-disk cache, and candidates that
compute a wrong result, fail to compile, crash or run too long are discarded.

Small kernels and few split sizes keep every search to a few seconds on a 2-core machine."""

from __future__ import annotations

import json
import sqlite3
import sys
import time

import numpy as np
import pytest

import tinyir
from tinyir.dialects import loop, uop
from tinyir.element_types import element_type
from tinyir.errors import TinyirError
from tinyir.ir import parse_module, to_text
from tinyir.passes.kernel_optimize import Action, apply_actions, format_actions
from tinyir.registry import CORE_PIPELINE
from tinyir.runtime.disk_cache import FILE_NAME
from tinyir.runtime.executor import (
    compile_program,
    get_device,
    get_target,
    pipeline_for,
    run_passes,
)
from tinyir.search import SearchCache, SearchReport, beam_search, cache_dir
from tinyir.search import measure as measure_module
from tinyir.search.cache import SearchKey
from tinyir.search.measure import KernelBench, same_result
from tinyir.search.workers import LoweringPool

# a row sum after an elementwise product: one global and one reduce axis
ROWSUM = """
func.func @main(%a: tensor<4x32xf32>, %b: tensor<4x32xf32>) -> tensor<4xf32> {
  %m = tir.mul %a, %b : tensor<4x32xf32>
  %s = tir.reduce_sum %m [1] : tensor<4x32xf32> -> tensor<4xf32>
  func.return %s : tensor<4xf32>
}
"""

# an integer elementwise kernel: outputs must be equal exactly
INT_EW = """
func.func @main(%a: tensor<64xi32>, %b: tensor<64xi32>) -> tensor<64xi32> {
  %m = tir.mul %a, %b : tensor<64xi32>
  %s = tir.add %m, %a : tensor<64xi32>
  func.return %s : tensor<64xi32>
}
"""

FAST = {"amounts": (0, 2, 4), "max_rounds": 2, "repeats": 2}
#: fewer candidates where each compile is slow (PoCL builds every kernel with its own LLVM)
QUICK = {"amounts": (0, 4), "max_rounds": 1, "repeats": 2}


@pytest.fixture(autouse=True)
def tmp_cache(tmp_path, monkeypatch):
    """Every test searches with its own empty cache."""
    monkeypatch.setenv("TINYIR_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("TINYIR_BEAM", raising=False)
    return tmp_path / "cache"


def loop_kernel(text: str) -> loop.KernelOp:
    """The (only) loop.kernel of a tensor program, as kernel-optimize sees it."""
    module = parse_module(text)
    run_passes(module, CORE_PIPELINE[:CORE_PIPELINE.index("loop-to-uop")])
    kernels = [op for op in module.walk() if isinstance(op, loop.KernelOp)]
    assert len(kernels) == 1
    return kernels[0]


def inputs_for(text: str) -> list[np.ndarray]:
    rng = np.random.default_rng(7)
    if "i32" in text:
        return [rng.integers(-50, 50, size=64).astype(np.int32) for _ in range(2)]
    return [rng.uniform(-1, 1, size=(4, 32)).astype(np.float32) for _ in range(2)]


def expected_for(text: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a * b + a if "i32" in text else (a * b).sum(axis=1)


@pytest.mark.parametrize("device", ["cpu", "opencl"])
@pytest.mark.parametrize("text", [ROWSUM, INT_EW], ids=["rowsum", "int_elementwise"])
def test_search_result_is_valid_and_computes_the_same(device, text, monkeypatch):
    kernel = loop_kernel(text)
    before = str(kernel)
    report = SearchReport()
    actions = beam_search(kernel, device, 2, report=report, **(QUICK if device == "opencl" else FAST))
    assert str(kernel) == before, "the search must not change the kernel it is given"
    assert not report.cached and report.rounds >= 1
    assert any(c.ok for c in report.candidates[1:]), "some candidate besides the unoptimized one was timed"
    # valid: the actions apply to a fresh copy of the kernel within the target's limits
    apply_actions(loop_kernel(text).clone(), actions, get_target(device).limits)
    # same result, end to end: the program compiled with the found actions against numpy
    a, b = inputs_for(text)
    want = expected_for(text, a, b)
    if not actions:  # no actions: the unoptimized program
        monkeypatch.setenv("TINYIR_OPT", "0")
    spec = f'actions="{format_actions(actions)}"' if actions else None
    [got] = compile_program(parse_module(text), device, spec).run([a, b])
    if got.dtype.kind == "f":
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    else:
        np.testing.assert_array_equal(got, want)


def test_second_search_is_a_lookup(monkeypatch, tmp_cache):
    kernel = loop_kernel(ROWSUM)
    first = beam_search(kernel, "cpu", 1, **FAST)

    def no_lowering(self, actions):
        raise AssertionError("a cached search must not lower or compile anything")

    monkeypatch.setattr(KernelBench, "lower", no_lowering)
    report = SearchReport()
    assert beam_search(loop_kernel(ROWSUM), "cpu", 1, report=report, **FAST) == first
    assert report.cached and report.candidates == []
    # stored as JSON text in the compile cache's file, one row, under the key's five parts
    rows = sqlite3.connect(tmp_cache / FILE_NAME).execute("SELECT key, value FROM entries WHERE kind='beam'").fetchall()
    assert len(rows) == 1
    _hash, device, identity, version, width = json.loads(rows[0][0])
    assert (device, version, width) == ("cpu", tinyir.__version__, 1) and identity
    assert json.loads(rows[0][1]) == format_actions(first)


def test_cache_key_parts_are_all_compared(tmp_path):
    cache = SearchCache(tmp_path / "c.sqlite3")
    key = SearchKey("abc", "cpu", "znver5", "0.1.0", 2)
    assert cache.lookup(key) is None
    cache.store(key, "upcast:0:4")
    assert cache.lookup(key) == "upcast:0:4"
    for other in (SearchKey("abd", "cpu", "znver5", "0.1.0", 2), SearchKey("abc", "opencl", "znver5", "0.1.0", 2),
                  SearchKey("abc", "cpu", "skylake", "0.1.0", 2), SearchKey("abc", "cpu", "znver5", "0.2.0", 2),
                  SearchKey("abc", "cpu", "znver5", "0.1.0", 4)):
        assert cache.lookup(other) is None
    cache.store(key, "")  # "no actions" is an answer too, not a miss
    assert cache.lookup(key) == ""


def test_cache_dir_default_and_override(monkeypatch, tmp_path):
    monkeypatch.delenv("TINYIR_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "tinyir"
    monkeypatch.setenv("TINYIR_CACHE_DIR", str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine"


def test_cache_turned_off_means_searching_again(monkeypatch):
    monkeypatch.setenv("TINYIR_CACHELEVEL", "0")
    key = SearchKey("abc", "cpu", "znver5", "0.1.0", 2)
    SearchCache().store(key, "upcast:0:4")
    assert SearchCache().lookup(key) is None


def test_kernel_name_does_not_change_the_key():
    a, b = loop_kernel(ROWSUM), loop_kernel(ROWSUM)
    b.kernel_name = type(b.kernel_name)("other")
    assert KernelBench(a, "cpu").kernel_hash == KernelBench(b, "cpu").kernel_hash


def corrupting(bad: Action):
    """apply_action that, after applying `bad`, makes the kernel store 7 instead of its value."""
    real = measure_module.apply_action

    def apply(kernel, action, limits):
        real(kernel, action, limits)
        if action == bad:
            store = next(op for op in kernel.body.block.ops if isinstance(op, uop.StoreOp))
            seven = uop.ConstOp(7.0, element_type(np.float32))
            kernel.body.block.insert_op_before(seven, store)
            store.operands[2] = seven.result  # (buffer, index, value)

    return apply


@pytest.mark.parametrize("device", ["cpu", "opencl"])
def test_wrong_result_is_discarded(monkeypatch, device):
    bad = Action("unroll", 1, 0)
    monkeypatch.setattr(measure_module, "apply_action", corrupting(bad))
    report = SearchReport()
    actions = beam_search(loop_kernel(ROWSUM), device, 2, report=report, workers=1, **QUICK)
    assert report.discarded["unroll:1:0"].startswith("wrong result")
    assert bad not in actions


def test_compile_failure_crash_slow_compile_and_slow_run_are_discarded(monkeypatch):
    kernel = loop_kernel(ROWSUM)
    bench_lower = KernelBench.lower
    texts: dict[str, str] = {}  # kernel text -> what goes wrong with it

    def lower(self, actions):
        source = bench_lower(self, actions)
        trouble = {"unroll:1:2": "compile", "unroll:1:4": "crash", "upcast:0:2": "slow",
                   "upcast:0:0": "slow compile"}.get(format_actions(actions))
        if trouble:
            texts[source.text] = trouble
        return source

    device = get_device("cpu")
    compile_, launch = device.compile, device.launch

    def bad_compile(source):
        if texts.get(source.text) == "compile":
            raise RuntimeError("LLVM said no")
        if texts.get(source.text) == "slow compile":
            time.sleep(1.2)
        return compile_(source)

    def bad_launch(compiled, buffers, source):
        if texts.get(source.text) == "crash":
            raise RuntimeError("segfault, in spirit")
        if texts.get(source.text) == "slow":
            time.sleep(1.2)
        launch(compiled, buffers, source)

    monkeypatch.setattr(KernelBench, "lower", lower)
    monkeypatch.setattr(device, "compile", bad_compile)
    monkeypatch.setattr(device, "launch", bad_launch)
    report = SearchReport()
    actions = beam_search(kernel, "cpu", 2, report=report, time_limit_s=1.0, amounts=(0, 2, 4), max_rounds=1,
                          workers=1)
    assert report.discarded["unroll:1:2"].startswith("compile failed: RuntimeError: LLVM said no")
    assert report.discarded["unroll:1:4"].startswith("launch failed: RuntimeError: segfault")
    assert "over the 1 s limit" in report.discarded["upcast:0:2"]
    assert report.discarded["upcast:0:0"] == "compile took over the 1 s limit"
    assert format_actions(actions) not in {"unroll:1:2", "unroll:1:4", "upcast:0:2", "upcast:0:0"}


def test_workers_lower_exactly_as_in_process():
    """Lowering on worker processes gives the very kernels that lowering in the process gives."""
    bench = KernelBench(loop_kernel(ROWSUM), "opencl")
    lists = [(), (Action("upcast", 0, 2),), (Action("group", 1, 8), Action("local", 0, 2)), (Action("unroll", 1, 3),)]
    pool = LoweringPool(to_text(bench.module), "opencl", 2)
    try:
        got = pool.lower_all(lists, 60.0)
    finally:
        pool.close()
    assert not pool.broken
    for actions, (source, problem) in zip(lists[:3], got):
        assert problem is None and source == bench.lower(actions)
    assert got[3][0] is None and "not divisible by 3" in got[3][1]


def test_a_dead_worker_means_lowering_in_process():
    pool = LoweringPool("not IR at all", "cpu", 2)  # the workers die reading the kernel
    assert pool.lower_all([(Action("upcast", 0, 2),)], 60.0) == [None]
    assert pool.broken and not pool.usable_for(100)


def test_a_hung_worker_is_over_the_limit():
    """A lowering that does not come back in time is reported as such; what was never sent is left
    to the caller (None), and the workers are stopped."""
    pool = LoweringPool("", "cpu", 2)
    pool.command = [sys.executable, "-c", "import sys, time; sys.stdin.readline(); sys.stdin.readline(); time.sleep(60)"]
    lists = [(Action("upcast", 0, 2),), (Action("upcast", 0, 4),), (Action("unroll", 1, 2),)]
    start = time.perf_counter()
    got = pool.lower_all(lists, 0.5)
    assert time.perf_counter() - start < 10
    assert got[:2] == [(None, "lowering took over the 0.5 s limit")] * 2 and got[2] is None
    assert pool.broken and pool._procs == []


def test_search_with_workers(monkeypatch):
    monkeypatch.setattr("tinyir.search.workers.MIN_ROUND", 2)  # this small kernel's rounds go to workers too
    report = SearchReport()
    actions = beam_search(loop_kernel(ROWSUM), "cpu", 2, report=report, workers=2, amounts=(0, 2, 4),
                          max_rounds=1, repeats=2)
    assert report.lowered_in_workers >= 5 and report.discarded == {}
    apply_actions(loop_kernel(ROWSUM).clone(), actions, get_target("cpu").limits)


def test_same_result_rules():
    x = np.array([1.0, 2.0, np.nan], dtype=np.float32)
    assert same_result(x + 1e-6, x)
    assert not same_result(x + 1e-2, x)
    assert not same_result(x.astype(np.float64), x)  # a dtype change is a different result
    # a long reduce may round differently: the tolerance grows with its terms (here to 0.8%)
    y = np.array([1000.0], dtype=np.float32)
    assert not same_result(y + 0.5, y) and same_result(y + 0.5, y, terms=1 << 26)
    assert not same_result(y + 50, y, terms=1 << 26)
    i = np.array([1, 2, 3], dtype=np.int32)
    assert same_result(i.copy(), i) and not same_result(i + np.array([0, 0, 1], dtype=np.int32), i)


def test_bad_width_and_bad_env(monkeypatch):
    with pytest.raises(TinyirError, match="beam width must be at least 1"):
        beam_search(loop_kernel(ROWSUM), "cpu", 0)
    monkeypatch.setenv("TINYIR_BEAM", "wide")
    with pytest.raises(TinyirError, match="TINYIR_BEAM must be a whole number"):
        pipeline_for(get_target("cpu"))


def test_env_sets_the_pipeline_option(monkeypatch):
    monkeypatch.setenv("TINYIR_BEAM", "3")
    assert "kernel-optimize{target=cpu beam=3}" in pipeline_for(get_target("cpu"))
    monkeypatch.setenv("TINYIR_BEAM", "0")
    assert "kernel-optimize{target=cpu}" in pipeline_for(get_target("cpu"))


def test_pass_option_uses_the_search(monkeypatch):
    """kernel-optimize{beam=N target=DEV} asks beam_search per kernel and applies its answer."""
    kernel = loop_kernel(ROWSUM)
    calls = []

    def fake_search(k, device, width):
        calls.append((k.kernel_name.data, device, width))
        return [Action("upcast", 0, 2)]

    monkeypatch.setattr("tinyir.search.beam_search", fake_search)
    module = kernel.parent_op().parent_op()
    run_passes(module, ["kernel-optimize{beam=2 target=cpu}"])
    assert calls == [("k0", "cpu", 2)]
    assert kernel.attributes["actions"].data == "upcast:0:2"
    assert [r.extent for r in kernel.body.block.ops if isinstance(r, loop.RangeOp)][:2] == [2, 2]


def test_program_with_beam_end_to_end(monkeypatch):
    """TINYIR_BEAM through the executor: the search runs in the pipeline, the result is numpy's."""
    monkeypatch.setenv("TINYIR_BEAM", "1")
    # a cached answer keeps this test fast: the search itself is covered above
    kernel = loop_kernel(ROWSUM)
    beam_search(kernel, "cpu", 1, **FAST)
    a, b = inputs_for(ROWSUM)
    [got] = compile_program(parse_module(ROWSUM), "cpu").run([a, b])
    np.testing.assert_allclose(got, (a * b).sum(axis=1), rtol=1e-5, atol=1e-5)


def test_run_cli_beam(tmp_path, capsys):
    """tinyir-run --beam N searches each kernel (here: a cached answer) and the result checks out."""
    from tinyir.tools.run import main

    path = tmp_path / "rowsum.mlir"
    path.write_text(ROWSUM)
    beam_search(loop_kernel(ROWSUM), "cpu", 1, **FAST)
    assert main([str(path), "--beam", "1", "--check"]) == 0
    assert "-> OK" in capsys.readouterr().out
    assert main([str(path), "--beam", "-1"]) == 1
    assert "--beam takes a beam width (0: no search), got -1" in capsys.readouterr().err


def test_reference_device_is_refused():
    with pytest.raises(TinyirError, match="reference interpreter runs no kernels"):
        beam_search(loop_kernel(ROWSUM), "reference", 1)


def test_wgmma_is_reached_with_its_stage():
    """The search extends a list one step at a time; wgmma (sm_90a) is refused without a stage, so its
    tc action comes paired with every stage that fits, and each such pair is a valid action list."""
    from types import SimpleNamespace

    from test_tensor_cores import matmul

    from tinyir.passes.kernel_optimize import check_kernel, target_limits
    from tinyir.search.beam import next_actions
    from tinyir.search.measure import isolate

    module = matmul(128, 128, 128, "f16")
    run_passes(module, CORE_PIPELINE[:CORE_PIPELINE.index("loop-to-uop")])
    kernel = next(op for op in module.walk() if isinstance(op, loop.KernelOp))
    limits = target_limits("cuda", "sm_90a")
    bench = SimpleNamespace(module=isolate(kernel), limits=limits, kernel=lambda m=None: next(
        op for op in (m or bench.module).walk() if isinstance(op, loop.KernelOp)))
    steps = next_actions(bench, (), (0, 1, 2, 4))
    paired = [s for s in steps if len(s) == 2]
    assert paired and all(s[0].kind == "tc" and s[1].kind == "stage" for s in paired)
    assert all(len(s) == 1 for s in steps if s[0].kind != "tc")
    for step in paired:
        trial = bench.kernel().clone()
        apply_actions(trial, step, limits)
        assert check_kernel(trial, limits) is None
    # without a stage the same tc is not offered alone
    alone = {s[0] for s in steps if len(s) == 1 and s[0].kind == "tc"}
    assert not alone & {s[0] for s in paired}
    # on sm_80 (mma.sync reads registers) no step needs a stage
    bench.limits = target_limits("cuda", "sm_80")
    assert all(len(s) == 1 for s in next_actions(bench, (), (0, 1, 2, 4)))


def test_candidates_lower_through_the_default_chain() -> None:
    """A candidate is lowered as the default pipeline lowers the chosen actions: a cuda tensor-core
    tile's staged copies pipelined (cp.async), a bf16 one through bf16 emulation (no target computes
    in bf16: without it the candidate could not lower at all)."""
    from tinyir.search.measure import isolate, lower_kernel

    for ty in ("f16", "bf16"):
        t = f"tensor<128x128x{ty}>"
        module = parse_module(f"func.func @main(%a: {t}, %b: {t}) -> {t} {{\n"
                              f"  %0 = tir.matmul %a, %b : {t}, {t} -> {t}\n  func.return %0 : {t}\n}}")
        run_passes(module, CORE_PIPELINE[:CORE_PIPELINE.index("loop-to-uop")])
        kernel = next(op for op in module.walk() if isinstance(op, loop.KernelOp))
        actions = [Action("tc", 2, 0), Action("upcast", 1, 2), Action("stage", 2, 2)]
        text = lower_kernel(isolate(kernel), get_target("cuda"), actions).text
        assert "cp.async" in text and f"mma.sync.aligned.m16n8k16.row.col.f32.{ty}.{ty}.f32" in text


def test_a_candidate_with_four_global_dims_fits_the_cuda_grid() -> None:
    """The search sees a conv's output dims unmerged (n, oc, h, w: 4 global ranges, so tensor cores
    can find the product); its candidates, the unoptimized one included, are merged back to the
    grid's 3 dims as kernel-optimize does, so they lower to PTX."""
    from tinyir.passes.grid_dims import unmerge_globals
    from tinyir.search.measure import isolate, lower_kernel

    from tinyir import Tensor
    from tinyir.frontend.realize import build_function, collect

    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((2, 8, 6, 6)).astype(np.float32), device="reference")
    w = Tensor(rng.standard_normal((4, 8, 3, 3)).astype(np.float32), device="reference")
    module, _ = build_function(collect([x.conv2d(w).lazydata], lambda node: node.realized is not None))
    run_passes(module, CORE_PIPELINE[:CORE_PIPELINE.index("loop-to-uop")])
    kernel = next(op for op in module.walk() if isinstance(op, loop.KernelOp))
    assert unmerge_globals(kernel)
    assert sum(op.range_kind == loop.RangeKind.GLOBAL for op in kernel.walk() if isinstance(op, loop.RangeOp)) == 4
    text = lower_kernel(isolate(kernel), get_target("cuda"), []).text
    assert "%ctaid.z" in text or "%ctaid.y" in text
