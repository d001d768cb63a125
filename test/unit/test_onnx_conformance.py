"""ONNX's node conformance cases (the ones `onnx.backend.test` generates) through tinyir.onnx on cpu.

Every generated case runs, except:
- OUT_OF_SCOPE operators (tinyir/onnx/ops.py: training, sequence, optional, string and control-flow
  operators, and the non-standard domains ai.onnx.ml / ai.onnx.preview*): skipped, with the reason;
- element types tinyir has no dtype for (float8, float4, int4/uint4, int2/uint2, strings): skipped;
- the `_expanded` variants: the same cases again, run through the operator's function body (a graph
  of the operators already tested here); skipped to keep CI's cost bounded (`TINYIR_ONNX_EXPANDED=1`
  runs them);
- UNREPRODUCIBLE: cases whose expected output is a draw of numpy's random generator (Bernoulli,
  training-mode Dropout): skipped, with the reason;
- NOT_YET: in-scope operators or cases tinyir.onnx does not convert yet, each with what is missing;
  these are strict xfails, so a case that starts passing says so and leaves the list.
The rest must pass, with the case's own rtol/atol.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
pytest.importorskip("onnx.backend.test")

from onnx import numpy_helper
from onnx.backend.test.loader import load_model_tests

import tinyir.onnx as backend
from tinyir.onnx.ops import OUT_OF_SCOPE

# in-scope operators tinyir.onnx does not convert yet: what is missing
NOT_YET_OPS = {
    "FlexAttention": "ai.onnx.preview: not converted yet",
}
# cases whose expected output no implementation can reproduce: skipped, with the reason (docs/onnx.md)
RANDOM_OUTPUT = "the expected output is one draw of numpy's random generator in ONNX's case generator"
UNREPRODUCIBLE_OPS = {"Bernoulli": RANDOM_OUTPUT}
UNREPRODUCIBLE_CASES = {
    name: "Dropout in training mode: " + RANDOM_OUTPUT + " (the mask)"
    for name in ("test_training_dropout", "test_training_dropout_default", "test_training_dropout_mask",
                 "test_training_dropout_default_mask")}
# single cases of converted operators that are not supported yet: what is missing
NOT_YET_CASES = {
    **{name: "half-precision Attention through its function body: the _expanded graph's Softmax and MatMul "
             "round as tinyir's float16/bfloat16 ops do, not as the reference's numpy (the Attention node "
             "itself rounds as the reference)"
       for name in ("test_attention_4d_fp16_expanded", "test_attention_4d_gqa_with_past_and_present_fp16_expanded",
                    "test_attention_4d_causal_bf16_expanded", "test_attention_4d_padded_kv_bf16_expanded",
                    "test_attention_4d_causal_padded_kv_bf16_expanded",
                    "test_attention_4d_attn_mask_causal_bf16_expanded", "test_attention_3d_causal_bf16_expanded")},
    **{name: "expected values hold float noise (1.9e-7) above the case's atol of 1e-7 where the exact result, "
             "which tinyir gives, is 0" for name in ("test_dft_inverse", "test_dft_inverse_opset19")},
    "test_dynamicquantizelinear_expanded": "tinyir divides as x * recip(y) (docs/ir.md), an ulp from IEEE division: "
                                           "one x / scale lands on the other side of a .5 before rounding",
}
# element types tinyir has no dtype for: the case's name says which
MISSING_TYPES = ("float8", "float4", "e4m3", "e5m2", "e8m0", "int4", "int2", "string")  # in lower case
RUN_EXPANDED = os.environ.get("TINYIR_ONNX_EXPANDED", "") not in ("", "0")


def _cases() -> list:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the generators' own numpy overflow warnings
        return load_model_tests(kind="node")


CASES = {c.name: c for c in _cases()}


def _skip_reason(case) -> str | None:
    domains = {n.domain or "ai.onnx" for n in case.model.graph.node}
    if "expanded" in case.name and not RUN_EXPANDED:
        return "an _expanded variant (the operator's function body): TINYIR_ONNX_EXPANDED=1 runs it"
    if domains - {"ai.onnx"}:
        return f"domain {sorted(domains - {'ai.onnx'})}: only the standard domain is in scope"
    for n in case.model.graph.node:
        if n.op_type in OUT_OF_SCOPE:
            return f"{n.op_type}: {OUT_OF_SCOPE[n.op_type]}"
        if n.op_type in UNREPRODUCIBLE_OPS:
            return f"{n.op_type}: {UNREPRODUCIBLE_OPS[n.op_type]}"
    if case.name.removesuffix("_expanded") in UNREPRODUCIBLE_CASES:
        return UNREPRODUCIBLE_CASES[case.name.removesuffix("_expanded")]
    if any(t in case.name.lower() for t in MISSING_TYPES):
        return "an element type tinyir has no dtype for"
    return None


def _params():
    params = []
    for name, case in sorted(CASES.items()):
        reason = _skip_reason(case)
        marks = []
        if reason:
            marks.append(pytest.mark.skip(reason=reason))
        else:
            missing = NOT_YET_CASES.get(name) or next(
                (NOT_YET_OPS[n.op_type] for n in case.model.graph.node if n.op_type in NOT_YET_OPS), None)
            if missing:
                marks.append(pytest.mark.xfail(reason=f"not yet: {missing}", strict=True))
        params.append(pytest.param(name, marks=marks, id=name))
    return params


def _array(value) -> np.ndarray:
    return numpy_helper.to_array(value) if isinstance(value, onnx.TensorProto) else np.asarray(value)


@pytest.mark.parametrize("name", _params())
def test_node_case(name: str) -> None:
    case = CASES[name]
    rep = backend.prepare(case.model, device="CPU")
    for inputs, expected in case.data_sets:
        outputs = rep.run(list(inputs))
        assert len(outputs) == len(expected)
        for got, want in zip(outputs, expected):
            want = _array(want)
            assert got.shape == want.shape, f"shape {got.shape}, expected {want.shape}"
            if want.dtype.kind in "fc" or want.dtype.name == "bfloat16":
                np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=case.rtol,
                                           atol=case.atol, equal_nan=True)
            else:
                assert got.dtype == want.dtype, f"dtype {got.dtype}, expected {want.dtype}"
                np.testing.assert_array_equal(got, want)


def test_not_yet_lists_name_real_operators() -> None:
    """The NOT_YET lists stay true: each names an operator or case the generated cases have."""
    ops = {n.op_type for c in CASES.values() for n in c.model.graph.node}
    assert set(NOT_YET_OPS) <= ops and set(UNREPRODUCIBLE_OPS) <= ops
    assert set(NOT_YET_CASES) <= set(CASES) and set(UNREPRODUCIBLE_CASES) <= set(CASES)
