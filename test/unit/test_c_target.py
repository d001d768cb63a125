"""The C target plugin (examples/c_target): every corpus program on device "c", against numpy, and
the plugin's pieces reached only through the `tinyir.targets` entry point (no core file names it).

The plugin is a separate package; this test installs nothing. Install it with
    pip install -e examples/c_target
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from corpus import corpus_files, load
from test_corpus import check, run_on
from tinyir.registry import all_dialects, all_emitters, all_passes, plugin_targets

ROOT = Path(__file__).resolve().parents[2]
INSTALL = "pip install -e examples/c_target"


@pytest.fixture(scope="module")
def c_target():
    """The plugin's Target, found through the entry point; a failure (not a skip) when missing."""
    found = [t for t in plugin_targets() if t.name == "c"]
    if not found:
        pytest.fail(f"the C target plugin is not installed: run `{INSTALL}` from the repository root")
    return found[0]


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.stem)
def test_corpus_program_on_c(path, c_target) -> None:
    program = load(path)
    check(program.name, *run_on("c", program))


def test_plugin_registers_dialect_pass_and_emitter(c_target) -> None:
    assert c_target.lower_pass == "uop-to-c" and c_target.kernel_op == "c.kernel"
    assert "c" in all_dialects() and "uop-to-c" in all_passes() and "c" in all_emitters()


def test_tinyir_opt_emits_c(c_target, tmp_path) -> None:
    pipeline = ("tensor-decompose,schedule-kernels,fold-views,shapetracker-to-loop,loop-to-uop,"
                "uop-simplify,uop-to-c")
    done = subprocess.run([sys.executable, "-m", "tinyir.tools.opt", str(ROOT / "test/corpus/reduce_sum_axis0.mlir"),
                           "-p", pipeline, "-t", "c"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "void k0(float* restrict data0, const float* restrict data1)" in done.stdout
    assert "for (int32_t ridx0 = 0;" in done.stdout
    c_file = tmp_path / "k.c"
    c_file.write_text(done.stdout)
    from tinyir_c_target.device import c_compiler

    compiled = subprocess.run([c_compiler(), "-std=c11", "-Wall", "-Werror", "-fsyntax-only", str(c_file)],
                              capture_output=True, text=True)
    assert compiled.returncode == 0, compiled.stderr


def test_integer_division_never_traps(c_target) -> None:
    """x / 0 = 0, x % 0 = 0 and INT_MIN / -1 = INT_MIN (the ALU table), as on the cpu device (C would trap)."""
    import numpy as np

    from tinyir.ir import parse_module
    from tinyir.runtime import run

    text = """
    func.func @main(%a: tensor<4xi32>, %b: tensor<4xi32>) -> (tensor<4xi32>, tensor<4xi32>) {
      %q = tir.idiv %a, %b : tensor<4xi32>
      %r = tir.mod %a, %b : tensor<4xi32>
      func.return %q, %r : tensor<4xi32>, tensor<4xi32>
    }"""
    a = np.array([7, -7, -2**31, 5], np.int32)
    b = np.array([0, 2, -1, -1], np.int32)
    c_out = run(parse_module(text), [a, b], device="c")
    cpu_out = run(parse_module(text), [a, b], device="cpu")
    np.testing.assert_array_equal(c_out[0], [0, -3, -2**31, -5])
    np.testing.assert_array_equal(c_out[1], [0, -1, 0, 0])
    for got, want in zip(c_out, cpu_out):
        np.testing.assert_array_equal(got, want)


def test_float_max_propagates_nan_like_numpy(c_target) -> None:
    import numpy as np

    from tinyir.ir import parse_module
    from tinyir.runtime import run

    text = """
    func.func @main(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
      %m = tir.max %a, %b : tensor<4xf32>
      func.return %m : tensor<4xf32>
    }"""
    a = np.array([np.nan, 1.0, 2.0, -np.inf], np.float32)
    b = np.array([0.0, np.nan, 3.0, -1.0], np.float32)
    np.testing.assert_array_equal(run(parse_module(text), [a, b], device="c")[0], np.maximum(a, b))
