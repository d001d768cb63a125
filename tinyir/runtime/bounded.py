"""A mapping that keeps its most recently used entries: the process-wide caches (programs, kernels,
lowered kernels, autodiff templates, compiled CPU code) are bounded by it, so a long-running process
that keeps building new programs does not grow without limit. An evicted entry is only rebuilt
(compiled again) when it is asked for again."""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class BoundedCache(OrderedDict, Generic[K, V]):
    """An OrderedDict of at most `limit` entries: reads and writes make an entry the newest, and a
    write past the limit drops the oldest."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit
        self.inserted = 0  # new keys ever written (what was built), evicted ones included

    def __getitem__(self, key: K) -> V:
        value = super().__getitem__(key)
        self.move_to_end(key)
        return value

    def get(self, key: K, default: V | None = None) -> V | None:  # type: ignore[override]
        if key in self:
            return self[key]
        return default

    def __setitem__(self, key: K, value: V) -> None:
        self.inserted += key not in self
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.limit:
            self.popitem(last=False)
