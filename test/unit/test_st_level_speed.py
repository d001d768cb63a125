"""The st-level compile-time work (issue 8, helper h22a) builds what it built before: shared
attributes keep equal values apart where they print apart, ops built without the IRDL builder
equal the builder's, and fold-views' reduce memo agrees with a fresh walk."""

from __future__ import annotations

from corpus import load
from xdsl.dialects.builtin import TensorType, f32, i1, i32
from xdsl.ir import Block

from tinyir.dialects import shapetracker as st
from tinyir.dialects import tensor as tir
from tinyir.dialects import uop
from tinyir.ir import parse_module, to_text
from tinyir.passes.fold_views import ReduceDependence, _depends_on_reduce
from tinyir.runtime.executor import _pipeline
from tinyir.shapetracker.view import ShapeTracker


def test_shared_attributes_keep_apart_what_prints_apart() -> None:
    assert str(uop.scalar_attr(-0.0, f32)) != str(uop.scalar_attr(0.0, f32))
    assert uop.scalar_attr(7, i32) is uop.scalar_attr(7, i32)
    assert uop.scalar_attr(True, i1) == uop.scalar_attr(1, i1)
    assert tir.make_type(f32, [2, 3]) is tir.make_type(f32, (2, 3))
    assert tir.make_type(f32, (2, 3)) == TensorType(f32, [2, 3])


def test_ops_built_without_the_irdl_builder_equal_the_builders() -> None:
    block = Block(arg_types=[i32, i32, i1])
    x, y, c = block.args
    built = [uop.ConstOp(3, i32), uop.AddOp(x, y), uop.CmpltOp(x, y), uop.WhereOp(c, x, y)]
    irdl = [uop.ConstOp.build(result_types=[i32], properties={"value": uop.scalar_attr(3, i32)}),
            uop.AddOp.build(operands=[x, y], result_types=[i32]),
            uop.CmpltOp.build(operands=[x, y], result_types=[i1]),
            uop.WhereOp.build(operands=[c, x, y], result_types=[i32])]
    for op in built + irdl:
        block.add_op(op)
    for fast, slow in zip(built, irdl):
        fast.verify()
        assert to_text(fast).split("=", 1)[1] == to_text(slow).split("=", 1)[1]
    const = uop.ConstOp(1, i32)
    assert uop.AddOp(const, const).operands[0] is const.results[0]  # an op of one result is its value
    leaf = st.ConstOp(1.0, ShapeTracker.contiguous((4,)), tir.make_type(f32, (4,)))
    assert leaf.views == st.tracker_attr(ShapeTracker.contiguous((4,))) and leaf.result.type == TensorType(f32, [4])


def test_reduce_memo_agrees_with_a_fresh_walk() -> None:
    module = parse_module(load("test/corpus/softmax.mlir").text)
    ctx, passes = _pipeline("tensor-decompose,schedule-kernels")
    for p in passes:
        p.apply(ctx, module)
    memo = ReduceDependence()
    values = [r for op in module.walk() if isinstance(op.parent_op(), st.KernelOp) for r in op.results]
    assert values
    for v in reversed(values):  # consumers first, then what they read: the memo answers both
        assert memo.of(v) == _depends_on_reduce(v)
    assert any(memo.of(v) for v in values) and not all(memo.of(v) for v in values)
