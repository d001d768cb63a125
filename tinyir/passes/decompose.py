"""`tensor-decompose`: rewrite every composite `tir` op into primitives, one rule per op.

Rules may build other composites (softmax builds sub/exp/div); the greedy driver decomposes those
in turn, so the output holds primitives only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import ClassVar

from xdsl.ir import Operation, SSAValue

from tinyir.dialects import tensor as tir
from tinyir.rewrite import Rule, RulePass, rule

LOG2_E = math.log2(math.e)
LN_2 = math.log(2.0)


def splat_like(x: SSAValue | Operation, value: float | int) -> tir.ConstantOp:
    """A constant of x's type with every element `value`."""
    return tir.ConstantOp.splat(value, tir.tensor_type(x))


def broadcast_to(x: SSAValue | Operation, shape: Sequence[int]) -> Operation | SSAValue:
    """Reshape x to rank len(shape) with 1s in front if needed, then expand to `shape`."""
    src = tir.shape_of(x)
    if src == tuple(shape):
        return x
    if len(src) != len(shape):
        x = tir.ReshapeOp(x, [1] * (len(shape) - len(src)) + list(src))
    return tir.ExpandOp(x, shape)


def matmul(op: tir.MatmulOp) -> Operation:
    """[..., m, k] x [..., k, n]: put both on [..., m, n, k], multiply, sum over k."""
    a, b = tir.shape_of(op.lhs), tir.shape_of(op.rhs)
    batch, (m, k), n = list(a[:-2]), a[-2:], b[-1]
    r = len(a)
    lhs = tir.ExpandOp(tir.ReshapeOp(op.lhs, [*batch, m, 1, k]), [*batch, m, n, k])
    rhs_t = tir.PermuteOp(op.rhs, [*range(r - 2), r - 1, r - 2])  # [..., n, k]
    rhs = tir.ExpandOp(tir.ReshapeOp(rhs_t, [*batch, 1, n, k]), [*batch, m, n, k])
    return tir.ReduceSumOp(tir.MulOp(lhs, rhs), [r], keepdims=False)


def softmax(op: tir.SoftmaxOp) -> Operation:
    """exp(x - max) / sum(exp(x - max)) over the axes (max subtracted for stability)."""
    x, axes, shape = op.x, op.axes_tuple(), tir.shape_of(op.x)
    shifted = tir.ExpOp(tir.SubOp(x, tir.ExpandOp(tir.ReduceMaxOp(x, axes, keepdims=True), shape)))
    total = tir.ExpandOp(tir.ReduceSumOp(shifted, axes, keepdims=True), shape)
    return tir.DivOp(shifted, total)


def random_bits(op: tir.RandomBitsOp) -> Operation | SSAValue:
    """The tir.RANDOM_BITS_STEPS hash of (flat index, key) with i32 mul/xor/shr/and."""
    shape = list(tir.shape_of(op.result))
    flat = tir.IotaOp(0, tir.make_type(tir.i32, [math.prod(shape)]))
    index = flat if shape == [math.prod(shape)] else tir.ReshapeOp(flat, shape)
    key = broadcast_to(op.key, shape)
    seeded = tir.MulOp(tir.AddOp(key, splat_like(index, 1)), splat_like(index, tir.RANDOM_BITS_KEY_MUL))
    h: Operation | SSAValue = tir.AddOp(seeded, index)
    for step, amount in tir.RANDOM_BITS_STEPS:
        if step == "xorshift":  # h ^= h >>> amount, the logical shift as arithmetic shr and a mask
            low = tir.AndOp(tir.ShrOp(h, splat_like(index, amount)), splat_like(index, (1 << (32 - amount)) - 1))
            h = tir.XorOp(h, low)
        else:
            h = tir.MulOp(h, splat_like(index, amount))
    return h


class TensorDecompose(RulePass):
    """Composite tir ops -> primitive tir ops."""

    name: ClassVar[str] = "tensor-decompose"
    summary: ClassVar[str] = "Rewrite composite tir ops (matmul, softmax, sub, ...) into primitives"

    def rules(self) -> list[Rule]:
        return [
            rule(tir.SubOp, lambda op: tir.AddOp(op.lhs, tir.NegOp(op.rhs)), "sub: x + neg(y)"),
            rule(tir.DivOp, lambda op: tir.MulOp(op.lhs, tir.RecipOp(op.rhs)), "div: x * recip(y)"),
            rule(tir.ExpOp, lambda op: tir.Exp2Op(tir.MulOp(op.x, splat_like(op.x, LOG2_E))), "exp: exp2(x * log2 e)"),
            rule(tir.LogOp, lambda op: tir.MulOp(tir.Log2Op(op.x), splat_like(op.x, LN_2)), "log: log2(x) * ln 2"),
            rule(tir.ReluOp, lambda op: tir.MaxOp(op.x, splat_like(op.x, 0)), "relu: max(x, 0)"),
            rule(tir.MatmulOp, matmul, "matmul: expand both to [..., m, n, k], mul, reduce_sum k"),
            rule(tir.SoftmaxOp, softmax, "softmax: exp(x - max) / sum"),
            rule(tir.RandomBitsOp, random_bits, "random_bits: hash of (flat index, key)"),
        ]
