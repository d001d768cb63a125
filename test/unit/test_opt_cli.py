"""tinyir-opt behaviours that are awkward to check in lit: atomic -o, exit codes, no tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pytest
from xdsl.passes import ModulePass

from tinyir.tools import opt
from tinyir.tools.pipeline import PipelineError, build_pipeline, parse_pipeline_text

GOOD = "func.func @f(%a: i32) -> i32 {\n  %0 = arith.addi %a, %a : i32\n  func.return %0 : i32\n}\n"


def run_opt(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run tinyir-opt in this process (fast); returns (exit status, stdout, stderr)."""
    with pytest.raises(SystemExit) as exit_info:
        opt.main(args)
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


@pytest.fixture
def good_file(tmp_path: Path) -> Path:
    path = tmp_path / "good.mlir"
    path.write_text(GOOD)
    return path


def test_output_written_atomically(tmp_path: Path, good_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.mlir"
    code, stdout, _ = run_opt([str(good_file), "-p", "cse", "-o", str(out)], capsys)
    assert code == 0 and stdout == ""
    assert "arith.addi %a, %a" in out.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.mlir", "out.mlir"]
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's 0600


def test_failed_pipeline_leaves_existing_output_untouched(tmp_path: Path, good_file: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.mlir"
    out.write_text("previous contents\n")
    code, _, err = run_opt([str(good_file), "-p", "test-emit-diagnostics{severity=error}", "-o", str(out)], capsys)
    assert code == 1
    assert "good.mlir:3:3: error: 'func.return' op here" in err
    assert out.read_text() == "previous contents\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.mlir", "out.mlir"]  # no temp file left


def test_failed_run_creates_no_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.mlir"
    bad.write_text("func.func @f() -> i32 {\n  func.return\n}\n")
    code, _, err = run_opt([str(bad), "-o", str(tmp_path / "out.mlir")], capsys)
    assert code == 1 and "bad.mlir:2:3: error:" in err
    assert not (tmp_path / "out.mlir").exists()


def test_output_into_missing_directory_is_a_user_error(tmp_path: Path, good_file: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_opt([str(good_file), "-o", str(tmp_path / "nope" / "out.mlir")], capsys)
    assert code == 1 and err.startswith("tinyir-opt: error: cannot write")


@pytest.mark.parametrize("content, message", [
    (b"\x7fELF\x02\x01\x01\x00\x00\x00", "it is a binary file"),
    (b"\xff\xfe\xfa not utf-8", "not UTF-8 text"),
])
def test_unreadable_input(tmp_path: Path, content: bytes, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "input.mlir"
    path.write_bytes(content)
    code, out, err = run_opt([str(path)], capsys)
    assert code == 1 and out == ""
    assert err.startswith("tinyir-opt: error: cannot read") and message in err
    assert "Traceback" not in err


def test_missing_file_and_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_opt([str(tmp_path / "missing.mlir")], capsys)
    assert code == 1 and "No such file or directory" in err
    code, _, err = run_opt([str(tmp_path)], capsys)
    assert code == 1 and "it is a directory" in err


@pytest.mark.parametrize("text", [
    "garbage that is not IR\n",
    "func.func @f( {\n",
    "%0 = arith.constant 1 : i32\n%0 = arith.constant 2 : i32\n",
    '"builtin.module"() ({\n',
    "func.func @f() {\n  func.return %undefined : i32\n}\n",
])
def test_garbage_gives_located_error_not_traceback(tmp_path: Path, text: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "garbage.mlir"
    path.write_text(text)
    code, out, err = run_opt([str(path)], capsys)
    assert code == 1 and out == ""
    first = err.splitlines()[0]
    assert first.startswith(f"{path}:") and ": error: " in first
    assert "Traceback" not in err


def test_empty_input_is_an_empty_module(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "empty.mlir"
    path.write_text("// only a comment\n")
    code, out, _ = run_opt([str(path)], capsys)
    assert code == 0 and out == "builtin.module {\n}\n"


@dataclass(frozen=True)
class CrashingPass(ModulePass):
    name: ClassVar[str] = "test-crash"

    def apply(self, ctx, op) -> None:  # type: ignore[no-untyped-def]
        raise KeyError("bug in a pass")


def test_internal_error_exits_2_without_traceback(good_file: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(opt, "available_passes", lambda: {"test-crash": lambda: CrashingPass})
    monkeypatch.delenv("TINYIR_DEBUG", raising=False)
    code, _, err = run_opt([str(good_file), "-p", "test-crash"], capsys)
    assert code == 2
    assert err.strip() == ("tinyir-opt: internal error: pass 'test-crash' crashed: KeyError: 'bug in a pass' "
                           "(run with --debug for a traceback)")


def test_debug_flag_shows_the_traceback(good_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(opt, "available_passes", lambda: {"test-crash": lambda: CrashingPass})
    with pytest.raises(KeyError):
        opt.main([str(good_file), "-p", "test-crash", "--debug"])


def test_pipeline_parser_flattens_anchors_and_types_values() -> None:
    specs = parse_pipeline_text('builtin.module(func.func(cse, a{x=1 y=2.5,3 z="s p" flag w=v.w}), b)')
    assert [(s.name, s.anchor) for s in specs] == [("cse", "func.func"), ("a", "func.func"), ("b", "builtin.module")]
    assert specs[1].options == {"x": (1,), "y": (2.5, 3), "z": ("s p",), "flag": (), "w": ("v.w",)}
    assert parse_pipeline_text("") == []
    assert parse_pipeline_text("builtin.module()") == []


@pytest.mark.parametrize("text, message", [
    ("a(", "expected a pass name, found end of text"),
    ("a{x=1", "unterminated '{'"),
    ("a{x=1 x=2}", "option 'x' given twice"),
    ("a b", "expected ',' or end of pipeline, found 'b'"),
    ("a{x=}", "expected an option value"),
])
def test_pipeline_parser_errors(text: str, message: str) -> None:
    with pytest.raises(PipelineError) as info:
        parse_pipeline_text(text)
    assert message in info.value.message


def test_options_are_type_checked() -> None:
    (p,) = build_pipeline("test-emit-diagnostics{limit=3 severity=warning message=7}")
    assert (p.limit, p.severity, p.message) == (3, "warning", "7")
    with pytest.raises(PipelineError, match="expects int, got '3.5'"):
        build_pipeline("test-emit-diagnostics{limit=3.5}")


def test_real_entry_point_has_no_traceback(tmp_path: Path) -> None:
    """One subprocess run through the installed script: binary garbage, exit 1, one clean line."""
    path = tmp_path / "blob.mlir"
    path.write_bytes(os.urandom(64) + b"\0")
    env = {k: v for k, v in os.environ.items() if k != "TINYIR_DEBUG"}
    proc = subprocess.run([sys.executable, "-m", "tinyir.tools.opt", str(path)], capture_output=True, text=True,
                          env=env, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
