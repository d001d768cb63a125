"""The on-disk compile cache: what lets a second process skip the passes and the backend compile.

One sqlite3 file, `compile.sqlite3`, in `cache_dir()` (`$TINYIR_CACHE_DIR`, default the user's cache
directory); `TINYIR_CACHELEVEL=0` turns it off (nothing is read or written). Three kinds of rows:

- `program`: a lowered launch plan (steps, slots, constants, the kernels' texts), keyed by the
  tensor-level program's structural hash, the device, its identity (CPU model and features, GPU
  model), the pipeline and its options, and the code version;
- `kernel`: one kernel's `KernelSource`, keyed by its target-level structural hash (+ device, code);
- `artifact`: what a device needs to reload a compiled kernel without compiling it again (the CPU:
  the optimized LLVM IR and the machine code), keyed by the kernel text (+ device, code).

Values are JSON or raw bytes, never pickles. Every row carries the SHA-256 of its value: a row
whose value does not match (a torn or corrupted file) is deleted and reported as a miss, so the
caller recompiles and overwrites it. Writers run in sqlite transactions with a busy timeout (WAL
journal where the file system allows), so concurrent processes are safe. The code version is
tinyir's version plus a digest of its own source files, so a changed compiler never reuses the
plans of an older one.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sqlite3
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: the cache's file inside the cache directory
FILE_NAME = "compile.sqlite3"

_SCHEMA = """CREATE TABLE IF NOT EXISTS entries (
    kind TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, checksum TEXT NOT NULL,
    PRIMARY KEY (kind, key))"""


def cache_dir() -> Path:
    """`$TINYIR_CACHE_DIR`, else `$XDG_CACHE_HOME/tinyir`, else `~/.cache/tinyir`."""
    explicit = os.environ.get("TINYIR_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "tinyir"


def cache_level() -> int:
    """`TINYIR_CACHELEVEL` (default 1; 0 turns the disk cache off)."""
    value = os.environ.get("TINYIR_CACHELEVEL", "1").strip() or "1"
    try:
        return int(value)
    except ValueError:
        return 1


@functools.cache
def code_version() -> str:
    """tinyir's version and a digest of its source files: a cache key part that changes with the code."""
    from tinyir import __version__

    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:16]}"


def device_identity(device: Any) -> str:
    """What a compiled artifact depends on besides its text: the device's model (the beam search's
    identity: GPU model, OpenCL device, CPU name and triple), plus the CPU's features and
    optimization level, which change the machine code LLVM emits, and a device's own
    `artifact_identity` (OpenCL: driver and platform versions; CUDA: compute capability)."""
    from tinyir.search.measure import device_identity as identity

    parts = [type(device).__name__, identity(device), getattr(device, "artifact_identity", "")]
    if getattr(device, "tm", None) is not None:
        parts += [_host_cpu_features(), f"O{getattr(device, 'opt_level', '')}"]
    return " ".join(parts)


@functools.cache
def _host_cpu_features() -> str:
    """The host CPU's features as LLVM names them: asked once (a program's key asked it each compile)."""
    import llvmlite.binding as llvm

    return llvm.get_host_cpu_features().flatten()


def make_key(*parts: Any) -> str:
    """One key from JSON-able parts (order matters)."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class CacheStats:
    """What this process's cache did (tests and DEBUG read it)."""

    hits: int = 0
    misses: int = 0
    writes: int = 0
    corrupt: int = 0
    errors: list[str] = field(default_factory=list)


class DiskCache:
    """Rows of (kind, key) -> checksummed bytes in one sqlite3 file. Failures to open or write (a
    read-only directory, a full disk) turn the cache off for the process with one warning: the
    cache saves time, it is never needed for a right answer."""

    def __init__(self, path: Path):
        self.path = path
        self.stats = CacheStats()
        self._db: sqlite3.Connection | None = None
        self._broken = False

    def _connect(self) -> sqlite3.Connection | None:
        if self._db is None and not self._broken:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
                db.execute("PRAGMA busy_timeout = 30000")
                try:
                    db.execute("PRAGMA journal_mode = WAL")
                    # in WAL mode NORMAL never corrupts the file; a crash may lose the last writes, which a
                    # cache can afford. FULL's fsync per commit cost ~3 ms a row (a first call writes many)
                    db.execute("PRAGMA synchronous = NORMAL")
                except sqlite3.Error:
                    pass  # e.g. a network file system: the default rollback journal is safe too
                db.execute(_SCHEMA)
                self._db = db
            except (OSError, sqlite3.Error) as exc:
                self._fail(exc)
        return self._db

    def _fail(self, exc: Exception) -> None:
        self._broken = True
        self.stats.errors.append(str(exc))
        print(f"tinyir: disk cache {self.path} turned off: {exc} (set TINYIR_CACHE_DIR to a writable folder, "
              f"or TINYIR_CACHELEVEL=0)", file=sys.stderr)

    def get(self, kind: str, key: str) -> bytes | None:
        """The stored value, or None (never stored, or corrupted: then the row is deleted)."""
        db = self._connect()
        if db is None:
            return None
        try:
            row = db.execute("SELECT value, checksum FROM entries WHERE kind=? AND key=?", (kind, key)).fetchone()
            if row is not None and hashlib.sha256(bytes(row[0])).hexdigest() != row[1]:
                self.stats.corrupt += 1
                with db:
                    db.execute("DELETE FROM entries WHERE kind=? AND key=?", (kind, key))
                row = None
        except sqlite3.Error as exc:  # a corrupted database file: a miss, and no more tries
            self._fail(exc)
            return None
        if row is None:
            self.stats.misses += 1
            return None
        self.stats.hits += 1
        return bytes(row[0])

    def put(self, kind: str, key: str, value: bytes) -> None:
        """Store (or overwrite) one row atomically."""
        db = self._connect()
        if db is None:
            return
        try:
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)",
                       (kind, key, value, hashlib.sha256(value).hexdigest()))
            db.execute("COMMIT")
            self.stats.writes += 1
        except sqlite3.Error as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            self._fail(exc)

    def get_json(self, kind: str, key: str) -> Any:
        """A stored JSON value, or None (a value that does not decode counts as corrupted)."""
        raw = self.get(kind, key)
        if raw is None:
            return None
        try:
            return json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            self.stats.corrupt += 1
            return None

    def put_json(self, kind: str, key: str, value: Any) -> None:
        self.put(kind, key, json.dumps(value, separators=(",", ":")).encode())


_CACHES: dict[tuple[Path, int], DiskCache] = {}


def disk_cache() -> DiskCache | None:
    """The cache for the current `TINYIR_CACHE_DIR` (None when `TINYIR_CACHELEVEL=0`)."""
    if cache_level() <= 0:
        return None
    path = cache_dir() / FILE_NAME
    key = (path, os.getpid())  # a forked child opens its own connection
    if key not in _CACHES:
        _CACHES[key] = DiskCache(path)
    return _CACHES[key]


__all__ = ["CacheStats", "DiskCache", "FILE_NAME", "cache_dir", "cache_level", "code_version", "device_identity", "disk_cache",
           "make_key"]
