"""`tinyir-run`: devices, inputs from files, atomic -o, --check, and one clear error for bad input."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from tinyir.tools.run import main

PROGRAM = """
func.func @main(%a: tensor<3x4xf32>, %b: tensor<4xf32>) -> tensor<3xf32> {
  %e = tir.reshape %b : tensor<4xf32> -> tensor<1x4xf32>
  %x = tir.expand %e : tensor<1x4xf32> -> tensor<3x4xf32>
  %m = tir.mul %a, %x : tensor<3x4xf32>
  %s = tir.reduce_sum %m [1] : tensor<3x4xf32> -> tensor<3xf32>
  func.return %s : tensor<3xf32>
}
"""


@pytest.fixture
def program(tmp_path):
    path = tmp_path / "prog.mlir"
    path.write_text(PROGRAM)
    return path


@pytest.mark.parametrize("device", ["reference", "cpu", "opencl"])
def test_inputs_from_files_and_npz_output(program, tmp_path, device):
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    b = np.array([1, -1, 2, 0.5], dtype=np.float32)
    np.save(tmp_path / "a.npy", a)
    np.save(tmp_path / "b.npy", b)
    out = tmp_path / "out.npz"
    assert main([str(program), "--device", device, "--inputs", f"{tmp_path}/a.npy,{tmp_path}/b.npy",
                 "-o", str(out)]) == 0
    np.testing.assert_allclose(np.load(out)["out0"], (a * b).sum(1), rtol=1e-6)


def test_random_inputs_and_check(program, capsys):
    assert main([str(program), "--device", "cpu", "--seed", "3", "--check"]) == 0
    printed = capsys.readouterr().out
    assert "out0: float32 [3]" in printed and "-> OK" in printed


def test_bad_program_is_located_and_leaves_no_output(tmp_path, capsys):
    bad = tmp_path / "bad.mlir"
    bad.write_text(PROGRAM.replace("%m = tir.mul %a, %x : tensor<3x4xf32>\n",
                                   "%m = tir.mul %a, %x : tensor<3x4xf32>\n  %z = tir.permute %m [0, 0] : "
                                   "tensor<3x4xf32> -> tensor<3x3xf32>\n"))
    out = tmp_path / "out.npz"
    assert main([str(bad), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:6:3: error: 'tir.permute' op" in err and "^" in err
    assert not out.exists()


@pytest.mark.parametrize("args, message", [
    (["missing.mlir"], "no such file"),
    (["{prog}", "--device", "nope"], "unknown device 'nope'"),
    (["{prog}", "--inputs", "x.npy"], "names 1 files but the entry function takes 2"),
])
def test_user_errors(program, capsys, args, message):
    assert main([a.format(prog=program) for a in args]) == 1
    assert message in capsys.readouterr().err


def test_wrong_input_shape(program, tmp_path, capsys):
    np.save(tmp_path / "a.npy", np.zeros((2, 2), np.float32))
    np.save(tmp_path / "b.npy", np.zeros(4, np.float32))
    assert main([str(program), "--inputs", f"{tmp_path}/a.npy,{tmp_path}/b.npy"]) == 1
    assert "input 0: expected shape (3, 4), got (2, 2)" in capsys.readouterr().err


def test_console_script_exit_status_without_traceback(tmp_path):
    garbage = tmp_path / "garbage.mlir"
    garbage.write_text("this is not IR }}}")
    proc = subprocess.run([sys.executable, "-m", "tinyir.tools.run", str(garbage)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "garbage.mlir:1:6: error" in proc.stderr
