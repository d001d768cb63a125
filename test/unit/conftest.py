"""Test-suite defaults: every on-disk cache (compiled kernels, beam searches) lives in a fresh
temporary directory, so no test depends on what an earlier run left in the user's cache."""

from __future__ import annotations

import os
import shutil
import tempfile

_CACHE_DIR = tempfile.mkdtemp(prefix="tinyir-test-cache-")
os.environ["TINYIR_CACHE_DIR"] = _CACHE_DIR  # set at import: before any test imports tinyir


def pytest_unconfigure(config: object) -> None:
    shutil.rmtree(_CACHE_DIR, ignore_errors=True)


if os.environ.get("TINYIR_SIM_CUDA"):  # `cuda` simulated at the uop level, no GPU (cuda_sim.py)
    import cuda_sim

    cuda_sim.install()
