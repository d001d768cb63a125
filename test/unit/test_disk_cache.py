"""The on-disk compile cache (tinyir/runtime/disk_cache.py): a second process compiles nothing it
compiled before, a corrupted entry is recompiled (never trusted), TINYIR_CACHELEVEL=0 writes
nothing, concurrent processes are safe. Every test points TINYIR_CACHE_DIR at its own tmp dir."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tinyir.ir import parse_module
from tinyir.runtime import executor
from tinyir.runtime.disk_cache import FILE_NAME, DiskCache, disk_cache

PROGRAM = """
func.func @main(%a: tensor<4x8xf32>, %b: tensor<8xf32>) -> (tensor<4x8xf32>, tensor<4xf32>) {
  %r = tir.reshape %b : tensor<8xf32> -> tensor<1x8xf32>
  %e = tir.expand %r : tensor<1x8xf32> -> tensor<4x8xf32>
  %m = tir.mul %a, %e : tensor<4x8xf32>
  %c = tir.constant dense<[[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]]> : tensor<1x8xf32>
  %ce = tir.expand %c : tensor<1x8xf32> -> tensor<4x8xf32>
  %y = tir.add %m, %ce : tensor<4x8xf32>
  %s = tir.softmax %y [1] : tensor<4x8xf32>
  %t = tir.reduce_max %y [1] : tensor<4x8xf32> -> tensor<4xf32>
  func.return %s, %t : tensor<4x8xf32>, tensor<4xf32>
}
"""

# One "process": compile and run PROGRAM on the CPU, print the results and what was compiled.
SCRIPT = f"""
import json, sys
import numpy as np
from tinyir.ir import parse_module
from tinyir.runtime import executor
from tinyir.runtime.disk_cache import disk_cache
a = np.arange(32, dtype=np.float32).reshape(4, 8) / 7
b = np.linspace(-1, 1, 8, dtype=np.float32)
s, t = executor.compile_program(parse_module({PROGRAM!r}), "cpu").run([a, b])
from tinyir import Tensor
api = ((Tensor(a) * 2 + 1).relu().sum(1) / 3).tolist()  # the Tensor API's path to the same caches
cache = disk_cache()
print(json.dumps({{"s": s.tolist(), "t": t.tolist(), "api": api, "stats": executor.COMPILE_STATS.__dict__,
                  "corrupt": cache.stats.corrupt if cache else None}}))
"""


def _inputs() -> tuple[np.ndarray, np.ndarray]:
    return np.arange(32, dtype=np.float32).reshape(4, 8) / 7, np.linspace(-1, 1, 8, dtype=np.float32)


def _expected() -> tuple[np.ndarray, np.ndarray]:
    a, b = _inputs()
    y = a * b + np.arange(1, 9, dtype=np.float32)
    e = np.exp(y - y.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True), y.max(1)


def _process(cache_dir: Path, level: str = "1") -> dict:
    env = {**os.environ, "TINYIR_CACHE_DIR": str(cache_dir), "TINYIR_CACHELEVEL": level, "TINYIR_DEVICE": "cpu"}
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    s, t = _expected()
    np.testing.assert_allclose(result["s"], s, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(result["t"], t, rtol=1e-6)
    a, _ = _inputs()
    np.testing.assert_allclose(result["api"], np.maximum(a * 2 + 1, 0).sum(1) / 3, rtol=1e-6)
    return result


def _corrupt(cache_dir: Path, kind: str, checksum_too: bool = False, value: bytes = b"\x00garbage") -> int:
    """Overwrite the values of every `kind` row (keeping the old checksum unless `checksum_too`)."""
    import hashlib

    db = sqlite3.connect(cache_dir / FILE_NAME)
    with db:
        if checksum_too:
            n = db.execute("UPDATE entries SET value=?, checksum=? WHERE kind=?",
                           (value, hashlib.sha256(value).hexdigest(), kind)).rowcount
        else:
            n = db.execute("UPDATE entries SET value=? WHERE kind=?", (value, kind)).rowcount
    db.close()
    return n


def test_second_process_compiles_nothing(tmp_path: Path) -> None:
    first = _process(tmp_path)
    assert first["stats"]["pipelines"] == 2 and first["stats"]["backend_compiles"] >= 3  # two programs
    second = _process(tmp_path)
    assert second["stats"] == {"pipelines": 0, "emitted": 0, "backend_compiles": 0,
                               "reloaded": first["stats"]["backend_compiles"]}


def test_corrupted_entries_are_recompiled_and_overwritten(tmp_path: Path) -> None:
    _process(tmp_path)
    assert _corrupt(tmp_path, "program") == 2 and _corrupt(tmp_path, "artifact") >= 3
    again = _process(tmp_path)
    assert again["corrupt"] >= 3
    assert again["stats"]["pipelines"] == 2 and again["stats"]["reloaded"] == 0  # nothing trusted
    assert again["stats"]["emitted"] == 0  # the kernel texts were intact
    healed = _process(tmp_path)  # the recompiled entries replaced the corrupted ones
    assert healed["corrupt"] == 0 and healed["stats"]["pipelines"] == 0 and healed["stats"]["backend_compiles"] == 0
    # values whose checksums match but that are not what they claim: a plan that is not a plan, a
    # CPU artifact whose IR does not parse. (Machine code itself is trusted on its checksum and
    # key: LLVM cannot check an object file without risking the process.)
    _corrupt(tmp_path, "program", checksum_too=True, value=b'{"steps": 3}')
    _corrupt(tmp_path, "artifact", checksum_too=True, value=b"not LLVM IR\x00\x7fELF")
    wrong = _process(tmp_path)
    assert wrong["stats"]["pipelines"] == 2 and wrong["stats"]["reloaded"] == 0


def test_cachelevel_0_writes_nothing(tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    assert _process(cache_dir, level="0")["stats"]["pipelines"] == 2
    assert not cache_dir.exists()


def test_concurrent_processes(tmp_path: Path) -> None:
    env = {**os.environ, "TINYIR_CACHE_DIR": str(tmp_path), "TINYIR_CACHELEVEL": "1", "TINYIR_DEVICE": "cpu"}
    procs = [subprocess.Popen([sys.executable, "-c", SCRIPT], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    s, _ = _expected()
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        np.testing.assert_allclose(json.loads(out.strip().splitlines()[-1])["s"], s, rtol=1e-5, atol=1e-6)
    cache = DiskCache(tmp_path / FILE_NAME)  # every row both wrote reads back whole
    db = sqlite3.connect(tmp_path / FILE_NAME)
    rows = db.execute("SELECT kind, key FROM entries").fetchall()
    db.close()
    assert {kind for kind, _ in rows} == {"program", "kernel", "artifact"}
    assert all(cache.get(kind, key) is not None for kind, key in rows) and cache.stats.corrupt == 0


def test_disk_cache_rows(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path / FILE_NAME)
    assert cache.get("kernel", "k") is None
    cache.put("kernel", "k", b"one")
    cache.put("kernel", "k", b"two")  # overwritten
    assert cache.get("kernel", "k") == b"two"
    cache.put_json("program", "p", {"a": [1, 2]})
    assert cache.get_json("program", "p") == {"a": [1, 2]}
    _corrupt(tmp_path, "kernel")
    assert cache.get("kernel", "k") is None and cache.stats.corrupt == 1
    assert cache.get("kernel", "k") is None and cache.stats.corrupt == 1  # the bad row is gone


def test_unwritable_cache_dir_warns_once_and_still_compiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("TINYIR_CACHE_DIR", str(blocker / "cache"))
    cache = disk_cache()
    assert cache is not None
    cache.put("kernel", "k", b"v")
    assert cache.get("kernel", "k") is None
    assert capsys.readouterr().err.count("turned off") == 1


def test_in_process_results_unchanged_with_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TINYIR_CACHE_DIR", str(tmp_path))
    s, t = executor.compile_program(parse_module(PROGRAM), "cpu").run(list(_inputs()))
    es, et = _expected()
    np.testing.assert_allclose(s, es, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(t, et, rtol=1e-6)
