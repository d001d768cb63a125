"""compile_program holds full garbage collections back while passes run, and runs the one it held back
at its end: left to the next run, it would land in a model's first steady call (0.25-0.6 s for a
GPT-2 forward of 5 ms, examples/gpt2.py)."""

from __future__ import annotations

import gc

import numpy as np

from tinyir import Tensor
from tinyir.frontend import realize
from tinyir.runtime import executor


def test_no_full_collection_left_after_a_compile(monkeypatch) -> None:
    monkeypatch.setenv("TINYIR_CACHELEVEL", "0")  # compile for real, not from the disk cache
    old = gc.get_threshold()
    gc.set_threshold(100, 2, 2)  # low thresholds: a small compile postpones full collections too
    try:
        realize.clear_cache()
        executor._PROGRAM_CACHE.clear()
        x = Tensor(np.arange(24, dtype=np.float32).reshape(4, 6))
        got = ((x * 3.0 + 1.0).exp2().sum(1) / 7.0).numpy()
        assert gc.get_count()[2] <= 2, gc.get_count()  # the held-back collection ran
    finally:
        gc.set_threshold(*old)
    want = (np.exp2(np.arange(24, dtype=np.float64).reshape(4, 6) * 3 + 1).sum(1) / 7).astype(np.float32)
    np.testing.assert_allclose(got, want, rtol=1e-5)
