"""GC-FREEZE: a compile sets the process's older objects aside while it runs and gives them back at
its end; a process that froze objects itself keeps them frozen."""

from __future__ import annotations

import gc

import numpy as np

from tinyir import Tensor
from tinyir.frontend import realize
from tinyir.runtime import executor


def _compile_and_run(scale: float) -> np.ndarray:
    realize.clear_cache()
    executor._PROGRAM_CACHE.clear()
    x = Tensor(np.arange(12, dtype=np.float32).reshape(3, 4))
    return ((x * scale + 1.0).sum(1)).numpy()


def test_compile_gives_frozen_objects_back(monkeypatch) -> None:
    monkeypatch.setenv("TINYIR_CACHELEVEL", "0")  # compile for real, not from the disk cache
    seen = []
    real_compile = executor._compile_into

    def spy(*args, **kwargs):
        seen.append(gc.get_freeze_count())  # set aside while the compile runs
        return real_compile(*args, **kwargs)

    monkeypatch.setattr(executor, "_compile_into", spy)
    assert gc.get_freeze_count() == 0
    got = _compile_and_run(2.0)
    assert seen and seen[0] > 0
    assert gc.get_freeze_count() == 0  # all given back
    np.testing.assert_allclose(got, (np.arange(12).reshape(3, 4) * 2.0 + 1).sum(1))


def test_compile_leaves_the_processs_own_frozen_objects_alone(monkeypatch) -> None:
    monkeypatch.setenv("TINYIR_CACHELEVEL", "0")
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        got = _compile_and_run(3.0)
        # not released by the compile (objects freed meanwhile leave the frozen set)
        assert gc.get_freeze_count() > frozen // 2
    finally:
        gc.unfreeze()
    np.testing.assert_allclose(got, (np.arange(12).reshape(3, 4) * 3.0 + 1).sum(1))
