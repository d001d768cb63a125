"""Compile-time shortcuts of uop-simplify and loop-to-uop give the IR the long way gave.

CONST-REUSE: a fold (or a load gated off) takes an equal constant already visible instead of
inserting a new one that CSE would merge; never one inside a loop that has ended. The IR is the
same but for which name a surviving constant carries (targets print constants as literals)."""

from __future__ import annotations

from collections import Counter

import numpy as np

from tinyir.dialects import uop
from tinyir.ir import make_context, parse_module, to_text
from tinyir.passes.uop_simplify import UopSimplify
from tinyir.rewrite import STATISTICS, RuleTable
from tinyir.runtime.executor import structural_hash
from tinyir.runtime.uop_interp import run_kernel

CSE = "reuse an identical visible op (CSE)"


def _folding_kernel() -> str:
    # 30 folds to 5 and 30 loads gated off (0), before, inside and after a loop
    adds = "\n".join(f"    %f{i} = uop.add %c2, %c3 : i32\n    %z{i} = uop.load %p[%g], %no : i32\n"
                     f"    %s{i} = uop.add %f{i}, %z{i} : i32\n    uop.store %o[%g], %s{i} : i32" for i in range(10))
    inside = adds.replace("%f", "%fi").replace("%z", "%zi").replace("%s", "%si").replace("%g]", "%j]")
    after = adds.replace("%f", "%fa").replace("%z", "%za").replace("%s", "%sa")
    return f"""
func.func @f(%a: !st.buffer<4xi32>, %b: !st.buffer<4xi32>) {{
  uop.kernel "k" (%a, %b) : !st.buffer<4xi32>, !st.buffer<4xi32> {{
  ^bb0(%o: !st.buffer<4xi32>, %p: !st.buffer<4xi32>):
    %g = uop.special "gidx0" 4 : i32
    %c2 = uop.const 2 : i32
    %c3 = uop.const 3 : i32
    %no = uop.const false : i1
    %j = uop.range 0, 4 : i32
{inside}
    uop.endrange %j
{adds}
{after}
  }}
  func.return
}}
"""


def _simplified(text: str, tracked: bool) -> tuple[str, int, str]:
    """The simplified module's text, how often CSE fired, and its structural hash (names ignored)."""
    module = parse_module(text)
    before = STATISTICS.get("uop-simplify", Counter())[CSE]
    if tracked:
        UopSimplify().apply(make_context(), module)
    else:  # a bare table: no block order, so every constant is made and then merged by CSE
        RuleTable("uop-simplify", UopSimplify().rules()).apply(module)
    return to_text(module), STATISTICS.get("uop-simplify", Counter())[CSE] - before, structural_hash(module)


def test_folds_reuse_a_visible_constant() -> None:
    text = _folding_kernel()
    tracked, merged, tracked_hash = _simplified(text, tracked=True)
    _, merged_bare, scanned_hash = _simplified(text, tracked=False)
    assert tracked_hash == scanned_hash
    assert merged_bare > 40  # the long way: a new 5 and 0 per fold, each merged
    assert merged < merged_bare // 4
    kernel = tracked[tracked.index("uop.kernel"):]
    # the 5 made inside the loop is not seen after it: one 5 in the loop, one after it
    after = kernel[kernel.index("uop.endrange"):]
    assert "uop.const 5 : i32" in after and kernel.count("uop.const 5 : i32") == 2


def test_folded_kernel_computes_what_it_did() -> None:
    text = _folding_kernel()
    module = parse_module(text)
    UopSimplify().apply(make_context(), module)

    def run(m) -> list[np.ndarray]:
        kernel = next(op for op in m.walk() if isinstance(op, uop.KernelOp))
        data = [np.zeros(4, dtype=np.int32), np.arange(4, dtype=np.int32) + 9]
        run_kernel(kernel, data)
        return data

    got, want = run(module), run(parse_module(text))
    assert all(np.array_equal(a, b) for a, b in zip(got, want))
    assert np.array_equal(got[0], np.full(4, 5))
