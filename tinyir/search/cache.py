"""The on-disk memory of finished searches: rows of kind "beam" in the compile cache's sqlite3
file (tinyir/runtime/disk_cache.py: `$TINYIR_CACHE_DIR`, checksummed rows, safe across processes,
off with `TINYIR_CACHELEVEL=0`).

A row maps what decides a search's answer -- the kernel's structural hash, the device name, the
device's own identity (its model, arch or CPU name), the tinyir version and the beam width -- to
the action list found, stored as JSON text (`format_actions`), never pickled. A stale answer
stays correct (it is applied and lowered by the current code), so the key holds the release
version rather than a digest of the sources: editing tinyir does not throw the searches away.
"""

from __future__ import annotations

import json
from dataclasses import astuple, dataclass
from pathlib import Path

from tinyir.runtime.disk_cache import DiskCache, disk_cache

#: the kind of the rows in the compile cache's table
KIND = "beam"


@dataclass(frozen=True)
class SearchKey:
    kernel_hash: str
    device: str
    identity: str
    version: str
    width: int

    def text(self) -> str:
        return json.dumps(astuple(self))


class SearchCache:
    """Finished searches by `SearchKey`: in the process's compile cache, or in the sqlite3 file at
    `path`. With the cache turned off, nothing is found and nothing stored."""

    def __init__(self, path: Path | None = None):
        self.disk = DiskCache(path) if path is not None else disk_cache()

    def lookup(self, key: SearchKey) -> str | None:
        """The stored action string, or None when this search was never finished."""
        value = None if self.disk is None else self.disk.get_json(KIND, key.text())
        return value if isinstance(value, str) else None

    def store(self, key: SearchKey, actions: str) -> None:
        if self.disk is not None:
            self.disk.put_json(KIND, key.text(), actions)
