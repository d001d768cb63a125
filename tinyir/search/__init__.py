"""Search over kernel-optimization actions, timed on the device (`TINYIR_BEAM=N`, `--beam N`,
`kernel-optimize{beam=N target=DEV}`): beam.py searches, measure.py runs and checks candidates,
cache.py remembers the answers on disk."""

from __future__ import annotations

import os

from tinyir.errors import TinyirError
from tinyir.runtime.disk_cache import cache_dir
from tinyir.search.beam import SearchReport, beam_search
from tinyir.search.cache import SearchCache

__all__ = ["SearchCache", "SearchReport", "beam_options", "beam_search", "beam_width", "cache_dir"]


def beam_width() -> int:
    """`TINYIR_BEAM` as a beam width (0 when unset: no search)."""
    text = os.environ.get("TINYIR_BEAM", "").strip()
    if not text:
        return 0
    if not text.isdigit():
        raise TinyirError(f"TINYIR_BEAM must be a whole number (the beam width), got {text!r}")
    return int(text)


def beam_options() -> str:
    """The `kernel-optimize` options that `TINYIR_BEAM` asks for ("" when it is unset or 0)."""
    width = beam_width()
    return f"beam={width}" if width else ""
