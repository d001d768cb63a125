"""The on-disk memory of finished searches: one sqlite3 table in the user's cache directory.

A row maps what decides a search's answer -- the kernel's structural hash, the device name, the
device's own identity (its model, arch or CPU name), the tinyir version and the beam width -- to
the action list found, stored as text (`format_actions`), never pickled. sqlite3 serializes
writers across processes, so two programs searching at once at worst search the same kernel twice.
"""

from __future__ import annotations

import sqlite3
from dataclasses import astuple, dataclass
from pathlib import Path

from tinyir.errors import TinyirError
from tinyir.runtime.disk_cache import cache_dir  # one cache directory for every on-disk cache

#: the table's file inside the cache directory
FILE_NAME = "beam.sqlite3"

_SCHEMA = """CREATE TABLE IF NOT EXISTS beam (
    kernel_hash TEXT NOT NULL, device TEXT NOT NULL, identity TEXT NOT NULL, version TEXT NOT NULL,
    width INTEGER NOT NULL, actions TEXT NOT NULL,
    PRIMARY KEY (kernel_hash, device, identity, version, width))"""


@dataclass(frozen=True)
class SearchKey:
    kernel_hash: str
    device: str
    identity: str
    version: str
    width: int


class SearchCache:
    """Finished searches by `SearchKey`; `path` defaults to the table in `cache_dir()`."""

    def __init__(self, path: Path | None = None):
        self.path = path or cache_dir() / FILE_NAME

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=30)
            db.execute(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise TinyirError(f"beam search cache {self.path}: {exc} (set TINYIR_CACHE_DIR to a writable folder)") from exc
        return db

    def lookup(self, key: SearchKey) -> str | None:
        """The stored action string, or None when this search was never finished."""
        db = self._connect()
        try:
            row = db.execute("SELECT actions FROM beam WHERE kernel_hash=? AND device=? AND identity=? AND version=? "
                             "AND width=?", astuple(key)).fetchone()
        finally:
            db.close()
        return None if row is None else row[0]

    def store(self, key: SearchKey, actions: str) -> None:
        db = self._connect()
        try:
            with db:  # one transaction: the row is written whole or not at all
                db.execute("INSERT OR REPLACE INTO beam VALUES (?, ?, ?, ?, ?, ?)", (*astuple(key), actions))
        finally:
            db.close()
