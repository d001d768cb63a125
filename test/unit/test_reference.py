"""The numpy reference interpreter of `tir`, and `tensor-decompose` checked through it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus import corpus_files, load
from tinyir.dialects import tensor as tir
from tinyir.ir import make_context, parse_module
from tinyir.passes.decompose import TensorDecompose
from tinyir.runtime.reference import IMPLS, c_idiv, c_mod, random_bits, run_reference


def run1(body: str, signature: str, result: str, *inputs: np.ndarray) -> np.ndarray:
    """Run a one-result function whose body ends in `%r`."""
    text = f"func.func @main({signature}) -> {result} {{\n{body}\n  func.return %r : {result}\n}}"
    (out,) = run_reference(parse_module(text), list(inputs))
    return out


def decomposed(text: str):
    module = parse_module(text)
    TensorDecompose().apply(make_context(), module)
    module.verify()
    return module


def test_every_tir_op_has_an_implementation() -> None:
    assert set(IMPLS) == set(tir.TIR.operations)


# ---------------------------------------------------------------------------- C integer semantics


def test_idiv_truncates_toward_zero_and_mod_has_the_dividend_sign() -> None:
    a = np.array([7, -7, 7, -7, 6, -1], np.int32)
    b = np.array([2, 2, -2, -2, 3, 5], np.int32)
    assert c_idiv(a, b).tolist() == [3, -3, -3, 3, 2, 0]
    assert c_mod(a, b).tolist() == [1, -1, 1, -1, 0, -1]
    sig = "%a: tensor<6xi32>, %b: tensor<6xi32>"
    assert run1("  %r = tir.idiv %a, %b : tensor<6xi32>", sig, "tensor<6xi32>", a, b).tolist() == [3, -3, -3, 3, 2, 0]
    assert run1("  %r = tir.mod %a, %b : tensor<6xi32>", sig, "tensor<6xi32>", a, b).tolist() == [1, -1, 1, -1, 0, -1]


def test_i8_arithmetic_wraps() -> None:
    a = np.array([100, -100, 127, 64], np.int8)
    sig = "%a: tensor<4xi8>"
    assert run1("  %r = tir.add %a, %a : tensor<4xi8>", sig, "tensor<4xi8>", a).tolist() == [-56, 56, -2, -128]
    assert run1("  %r = tir.mul %a, %a : tensor<4xi8>", sig, "tensor<4xi8>", a).tolist() == [16, 16, 1, 0]
    one = "  %c = tir.constant dense<1> : tensor<4xi8>\n"
    assert run1(one + "  %r = tir.shl %a, %c : tensor<4xi8>", sig, "tensor<4xi8>", a).tolist() == [-56, 56, -2, -128]


def test_shr_is_arithmetic_on_signed_and_logical_on_unsigned() -> None:
    two = "  %c = tir.constant dense<2> : tensor<2x{t}>\n  %r = tir.shr %a, %c : tensor<2x{t}>"
    signed = run1(two.format(t="i8"), "%a: tensor<2xi8>", "tensor<2xi8>", np.array([-16, 16], np.int8))
    unsigned = run1(two.format(t="ui8"), "%a: tensor<2xui8>", "tensor<2xui8>", np.array([240, 16], np.uint8))
    assert signed.tolist() == [-4, 4]
    assert unsigned.tolist() == [60, 4]


def test_casts() -> None:
    x = np.array([-1.7, -0.2, 0.0, 2.9], np.float32)
    to_int = run1("  %r = tir.cast %a : tensor<4xf32> to tensor<4xi32>", "%a: tensor<4xf32>", "tensor<4xi32>", x)
    to_bool = run1("  %r = tir.cast %a : tensor<4xf32> to tensor<4xi1>", "%a: tensor<4xf32>", "tensor<4xi1>", x)
    from_bool = run1("  %r = tir.cast %a : tensor<4xi1> to tensor<4xf32>", "%a: tensor<4xi1>", "tensor<4xf32>",
                     np.array([True, False, True, False]))
    assert to_int.tolist() == [-1, 0, 0, 2]
    assert to_bool.tolist() == [True, True, False, True]
    assert from_bool.tolist() == [1.0, 0.0, 1.0, 0.0]


# ---------------------------------------------------------------------------- sources and movement


def test_iota_pad_shrink_flip() -> None:
    iota = run1("  %r = tir.iota 1 : tensor<2x3xi32>", "", "tensor<2x3xi32>")
    assert iota.tolist() == [[0, 1, 2], [0, 1, 2]]
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    sig = "%a: tensor<2x3xf32>"
    pad = run1("  %r = tir.pad %a [[1, 0], [0, 1]] : tensor<2x3xf32> -> tensor<3x4xf32>", sig, "tensor<3x4xf32>", x)
    assert pad.tolist() == [[0, 0, 0, 0], [0, 1, 2, 0], [3, 4, 5, 0]]
    shrink = run1("  %r = tir.shrink %a [[1, 2], [0, 2]] : tensor<2x3xf32> -> tensor<1x2xf32>", sig, "tensor<1x2xf32>", x)
    assert shrink.tolist() == [[3, 4]]
    flip = run1("  %r = tir.flip %a [1] : tensor<2x3xf32>", sig, "tensor<2x3xf32>", x)
    assert flip.tolist() == [[2, 1, 0], [5, 4, 3]]


def test_non_splat_constant_and_rank0() -> None:
    c = run1("  %r = tir.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi8>", "", "tensor<2x2xi8>")
    assert c.dtype == np.int8 and c.tolist() == [[1, 2], [3, 4]]
    s = run1("  %r = tir.reduce_max %a [0] : tensor<3xf32> -> tensor<f32>", "%a: tensor<3xf32>", "tensor<f32>",
             np.array([1.0, 5.0, -2.0], np.float32))
    assert s.shape == () and float(s) == 5.0


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=3), st.data())
def test_permute_and_reduce_match_numpy(shape: list[int], data: st.DataObject) -> None:
    perm = data.draw(st.permutations(range(len(shape))))
    axes = sorted(data.draw(st.sets(st.integers(0, len(shape) - 1))))
    x = np.random.default_rng(len(shape)).uniform(-2, 2, shape).astype(np.float32)
    t_in = "tensor<" + "".join(f"{d}x" for d in shape) + "f32>"
    out_shape = [shape[p] for p in perm]
    t_perm = "tensor<" + "".join(f"{d}x" for d in out_shape) + "f32>"
    kept = [d for i, d in enumerate(out_shape) if i not in axes]
    t_out = "tensor<" + "".join(f"{d}x" for d in kept) + "f32>"
    body = (f"  %p = tir.permute %a {list(perm)} : {t_in} -> {t_perm}\n"
            f"  %r = tir.reduce_sum %p {axes} : {t_perm} -> {t_out}")
    got = run1(body, f"%a: {t_in}", t_out, x)
    np.testing.assert_allclose(got, np.transpose(x, perm).sum(axis=tuple(axes)), rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------------------- random_bits


@pytest.mark.parametrize("shape", [(), (7,), (3, 4), (2, 3, 2)])
@pytest.mark.parametrize("key", [0, 1, -5, 123456789])
def test_random_bits_decomposition_is_bit_exact(shape: tuple[int, ...], key: int) -> None:
    t = "tensor<" + "".join(f"{d}x" for d in shape) + "i32>"
    text = f"""func.func @main(%k: tensor<i32>) -> {t} {{
  %0 = tir.random_bits %k : tensor<i32> -> {t}
  func.return %0 : {t}
}}"""
    k = np.array(key, np.int32)
    (direct,) = run_reference(parse_module(text), [k])
    (lowered,) = run_reference(decomposed(text), [k])
    np.testing.assert_array_equal(direct, lowered)
    np.testing.assert_array_equal(direct, random_bits(shape, key))


def test_random_bits_look_random() -> None:
    a, b = random_bits((64, 64), 1), random_bits((64, 64), 2)
    assert len(np.unique(a)) == a.size  # no collisions among 4096 draws
    assert np.mean(a == b) < 0.01
    ones = np.unpackbits(a.view(np.uint8)).mean()
    assert 0.48 < ones < 0.52  # bits balanced
    assert random_bits((2, 2), 0)[0, 0] != 0


# ---------------------------------------------------------------------------- tensor-decompose


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.stem)
def test_decompose_preserves_semantics(path) -> None:
    program = load(path)
    module = program.module()
    inputs = program.make_inputs(1, module)
    before = run_reference(module, inputs)
    after_module = decomposed(program.text)
    assert not any(isinstance(op, tir.COMPOSITE_OPS) for op in after_module.walk())
    after = run_reference(after_module, inputs)
    for x, y in zip(before, after):
        if x.dtype.kind == "f":
            tol = 1e-2 if x.dtype == np.float16 else 1e-5
            np.testing.assert_allclose(x, y, rtol=tol, atol=tol)
        else:
            np.testing.assert_array_equal(x, y)


# ---------------------------------------------------------------------------- errors and entry


def test_wrong_inputs_are_reported() -> None:
    text = "func.func @main(%a: tensor<2xf32>) -> tensor<2xf32> {\n  func.return %a : tensor<2xf32>\n}"
    module = parse_module(text)
    with pytest.raises(ValueError, match="takes 1 inputs, got 2"):
        run_reference(module, [np.zeros(2), np.zeros(2)])
    with pytest.raises(ValueError, match=r"input 0: expected shape \(2,\)"):
        run_reference(module, [np.zeros(3)])


def test_main_is_the_entry_even_when_not_first() -> None:
    text = """
func.func @helper(%a: tensor<2xf32>) -> tensor<2xf32> {
  %0 = tir.neg %a : tensor<2xf32>
  func.return %0 : tensor<2xf32>
}
func.func @main(%a: tensor<2xf32>) -> tensor<2xf32> {
  %0 = tir.exp2 %a : tensor<2xf32>
  func.return %0 : tensor<2xf32>
}"""
    (out,) = run_reference(parse_module(text), [np.array([1.0, 2.0], np.float32)])
    assert out.tolist() == [2.0, 4.0]


# ---------------------------------------------------------------------------- builders (used by other passes)


def test_builders_infer_result_types() -> None:
    from xdsl.dialects.builtin import TensorType, f32, i1, i32
    from xdsl.ir import Block

    block = Block(arg_types=[TensorType(f32, [4, 3]), TensorType(i32, [])])
    x, key = block.args
    assert tir.shape_of(tir.ReduceSumOp(x, [1], keepdims=True)) == (4, 1)
    assert tir.shape_of(tir.ReduceMaxOp(x, [0, 1])) == ()
    assert tir.shape_of(tir.PermuteOp(x, [1, 0])) == (3, 4)
    assert tir.shape_of(tir.PadOp(x, [(1, 2), (0, 1)])) == (7, 4)
    assert tir.shape_of(tir.ShrinkOp(x, [(1, 3), (0, 2)])) == (2, 2)
    assert tir.shape_of(tir.ExpandOp(tir.ReshapeOp(x, [4, 1, 3]), [4, 5, 3])) == (4, 5, 3)
    assert tir.element_type_of(tir.CmpltOp(x, x)) == i1
    assert tir.element_type_of(tir.CastOp(x, i32)) == i32
    assert tir.shape_of(tir.RandomBitsOp(key, [2, 2])) == (2, 2)
    assert tir.shape_of(tir.MatmulOp(x, tir.PermuteOp(x, [1, 0]))) == (4, 4)
    pad = tir.PadOp(x, [(1, 2), (0, 1)])
    assert pad.pads() == ((1, 2), (0, 1)) and tir.FlipOp(x, [1, 0]).axes_tuple() == (0, 1)
    assert tir.ConstantOp.splat(True, TensorType(i1, [2])).values() == (True, True)
    assert tir.ConstantOp.from_list([1, 2, 3, 4], TensorType(i32, [2, 2])).splat_value() is None
    assert tir.IotaOp(1, TensorType(i32, [2, 3])).axis_int() == 1
    for op in (pad, tir.SubOp(x, x), tir.SoftmaxOp(x, [1])):
        op.verify()


def test_nan_and_signed_zero_splats() -> None:
    """A NaN splat is a splat (NaN != NaN made splat_value None: the reference device crashed on it, as
    in bfloat16 ** on a negative base), and -0.0 next to 0.0 is none."""
    from xdsl.dialects.builtin import TensorType, f32

    nan = tir.ConstantOp.splat(float("nan"), TensorType(f32, [3]))
    assert np.isnan(nan.splat_value())
    assert tir.ConstantOp.from_list([0.0, -0.0], TensorType(f32, [2])).splat_value() is None
    assert np.isnan(tir.ConstantOp.from_list([float("nan")] * 2, TensorType(f32, [2])).splat_value())

    from tinyir import Tensor, dtypes

    x = Tensor(np.array([1.5, -2.0, -1.0], np.float32), device="reference").cast(dtypes.bfloat16)
    np.testing.assert_array_equal((x ** Tensor([2.0], device="reference").cast(dtypes.bfloat16)).float().numpy(),
                                  [2.25, 4.0, 1.0])
    got = (Tensor([1.0, 2.0], device="reference") + float("nan")).numpy()
    assert np.isnan(got).all()
