"""PASS-REUSE (tinyir/runtime/executor.py `_pipeline`): one context and one built pipeline per
pipeline text serve every compile of the process; a pass keeps no state between runs, so a second
program through the same passes is still right; an unknown pass is still one clear error."""

from __future__ import annotations

import numpy as np
import pytest

from tinyir import Tensor
from tinyir.errors import TinyirError
from tinyir.runtime import executor


def test_a_pipeline_text_is_built_once() -> None:
    ctx, passes = executor._pipeline("fold-views,shapetracker-to-loop")
    again_ctx, again = executor._pipeline("fold-views,shapetracker-to-loop")
    assert again is passes and again_ctx is ctx
    other_ctx, other = executor._pipeline("fold-views")
    assert other is not passes and other_ctx is ctx and [p.name for p in other] == ["fold-views"]


def test_programs_through_reused_passes_stay_right(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TINYIR_CACHELEVEL", "0")
    rng = np.random.default_rng(3)
    for shape in ((37, 41), (41, 37), (5, 3, 7)):  # new programs, the same pipeline texts
        a = rng.standard_normal(shape).astype(np.float32)
        np.testing.assert_allclose(Tensor(a).exp().sum(-1).numpy(), np.exp(a).sum(-1), rtol=1e-5)


def test_an_unknown_pass_is_an_error_each_time() -> None:
    for _ in range(2):
        with pytest.raises(TinyirError, match="unknown pass 'no-such-pass'"):
            executor.run_passes(executor.ModuleOp([]), ["no-such-pass"])
