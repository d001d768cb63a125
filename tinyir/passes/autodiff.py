"""`tensor-autodiff`: reverse-mode differentiation of a `tir` function, as IR-to-IR.

    tinyir-opt f.mlir -p 'tensor-autodiff{wrt=0,1}'
    tinyir-opt f.mlir -p 'tensor-autodiff{func=loss wrt=0 seeded=true}'

The pass rewrites one function (`func`, default `@main` or the first one) whose FIRST result is
the value to differentiate, call it L:
  * results: the original results, followed by dL/d(arg i) for every i in `wrt` (each of the
    argument's type), in `wrt` order; `wrt` defaults to every float argument;
  * L must be a float scalar (rank 0; the seed is 1), unless `seeded=true`: then the function
    gets one more, last, argument of L's type holding the seed (the incoming gradient);
  * an argument L does not depend on gets a zero gradient; other functions are left alone;
  * composite ops are first decomposed with `tensor-decompose`'s rules.

The adjoints come from `GRADIENTS`, one declarative rule per primitive op: op -> a function of
(op, adjoint of its result) giving one adjoint contribution per operand (None where no gradient
flows). Contributions to one value are summed with `tir.add`; broadcasting was an explicit
`tir.expand` in the forward function, so its rule (a `tir.reduce_sum` over the expanded axes)
is what un-broadcasts. The driver is a single reverse walk over the ops that lie on a path from
a `wrt` argument to L: reverse mode needs the adjoint of every user before an op's own rule
runs, which a greedy pattern driver cannot order.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import FunctionType, ModuleOp, TensorType, bf16
from xdsl.ir import Block, Operation, OpResult, SSAValue
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import VerifyException

from tinyir.dialects import tensor as tir
from tinyir.element_types import is_float
from tinyir.rewrite import Rule, RuleTable, rule

Grad = SSAValue | Operation
Contributions = Sequence[Grad | None]


# ------------------------------------------------------------------------- small builders

def splat(like: Grad, value: float) -> tir.ConstantOp:
    return tir.ConstantOp.splat(value, tir.tensor_type(like))


def bool_splat(like: Grad, value: bool) -> tir.ConstantOp:
    return tir.ConstantOp.splat(value, tir.make_type(tir.i1, tir.shape_of(like)))


def scale(g: Grad, c: float) -> Operation:
    return tir.MulOp(g, splat(g, c))


def keepdims_shape(op: tir.ReduceOp) -> list[int]:
    axes = op.axes_tuple()
    return [1 if i in axes else d for i, d in enumerate(tir.shape_of(op.x))]


def as_keepdims(op: tir.ReduceOp, v: Grad) -> Grad:
    """A reduce's result (or its adjoint) in the keepdims shape."""
    shape = keepdims_shape(op)
    return v if list(tir.shape_of(v)) == shape else tir.ReshapeOp(v, shape)


def where_zero(mask: Grad, g: Grad) -> Operation:
    """g where mask holds, 0 elsewhere."""
    return tir.WhereOp(mask, g, splat(g, 0.0))


def inverse_perm(perm: Sequence[int]) -> list[int]:
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return inv


# ------------------------------------------------------------------------- gradient rules

def max_grads(op: tir.MaxOp, g: Grad) -> Contributions:
    """The larger operand gets g; ties split it evenly (as PyTorch's maximum does)."""
    x, y = op.operands
    half = scale(g, 0.5)
    tie = tir.XorOp(tir.CmpneOp(x, y), bool_splat(x, True))
    gx = tir.WhereOp(tir.CmpltOp(y, x), g, where_zero(tie, half))
    gy = tir.WhereOp(tir.CmpltOp(x, y), g, where_zero(tie, half))
    return gx, gy


def reduce_sum_grads(op: tir.ReduceSumOp, g: Grad) -> Contributions:
    return (tir.ExpandOp(as_keepdims(op, g), tir.shape_of(op.x)),)


def reduce_max_grads(op: tir.ReduceMaxOp, g: Grad) -> Contributions:
    """g goes to the elements equal to the max, split evenly among ties."""
    shape = tir.shape_of(op.x)
    is_max = tir.XorOp(tir.CmpneOp(op.x, tir.ExpandOp(as_keepdims(op, op.result), shape)), bool_splat(op.x, True))
    count = tir.ReduceSumOp(tir.CastOp(is_max, tir.element_type_of(op.x)), op.axes_tuple(), keepdims=True)
    share = tir.MulOp(as_keepdims(op, g), tir.RecipOp(count))
    return (where_zero(is_max, tir.ExpandOp(share, shape)),)


def expand_grads(op: tir.ExpandOp, g: Grad) -> Contributions:
    """Un-broadcast: sum over the axes that were expanded from 1."""
    src, dst = tir.shape_of(op.x), tir.shape_of(op.result)
    axes = [i for i, (a, b) in enumerate(zip(src, dst)) if a != b]
    return (tir.ReduceSumOp(g, axes, keepdims=True) if axes else g,)


def pad_grads(op: tir.PadOp, g: Grad) -> Contributions:
    shape = tir.shape_of(op.x)
    return (tir.ShrinkOp(g, [(b, b + s) for (b, _), s in zip(op.pads(), shape)]),)


def shrink_grads(op: tir.ShrinkOp, g: Grad) -> Contributions:
    shape = tir.shape_of(op.x)
    return (tir.PadOp(g, [(b, s - e) for (b, e), s in zip(op.bounds(), shape)]),)


def cast_grads(op: tir.CastOp, g: Grad) -> Contributions:
    return (tir.CastOp(g, tir.element_type_of(op.x)) if is_float(tir.element_type_of(op.x)) else None,)


def trunc_float(x: Grad) -> Operation:
    """x rounded toward zero, in its float type: through an integer where |x| < 2**(mantissa bits)
    (there every float is already whole, and inf/NaN stay as they are)."""
    ft = tir.element_type_of(x)
    mantissa = {16: 10, 32: 23, 64: 52}[ft.bitwidth] if ft != bf16 else 7
    through = tir.i64 if mantissa > 31 else tir.i32
    small = tir.CmpltOp(tir.MaxOp(x, tir.NegOp(x)), splat(x, float(2 ** mantissa)))
    return tir.WhereOp(small, tir.CastOp(tir.CastOp(x, through), ft), x)


def fmod_grads(op: tir.FmodOp, g: Grad) -> Contributions:
    """As PyTorch: g to x, -g * trunc(x / y) to y."""
    x, y = op.operands
    return g, tir.NegOp(tir.MulOp(g, trunc_float(tir.MulOp(x, tir.RecipOp(y)))))


LN2 = math.log(2.0)
NO_GRADIENT: Callable[[Operation, Grad], Contributions] = lambda op, g: (None,) * len(op.operands)  # noqa: E731

# One rule per primitive: op -> contributions to its operands' adjoints, given g = dL/d(result).
GRADIENTS: list[Rule] = [
    rule(tir.NegOp, lambda op, g: (tir.NegOp(g),), "neg: -g"),
    rule(tir.Exp2Op, lambda op, g: (tir.MulOp(g, scale(op.result, LN2)),), "exp2: g * y * ln 2"),
    rule(tir.Log2Op, lambda op, g: (tir.MulOp(g, tir.RecipOp(scale(op.x, LN2))),), "log2: g / (x ln 2)"),
    rule(tir.SinOp, lambda op, g: (tir.MulOp(g, tir.SinOp(tir.AddOp(op.x, splat(op.x, math.pi / 2)))),),
         "sin: g * sin(x + pi/2)"),
    rule(tir.SqrtOp, lambda op, g: (tir.MulOp(g, tir.RecipOp(scale(op.result, 2.0))),), "sqrt: g / (2 y)"),
    rule(tir.RecipOp, lambda op, g: (tir.NegOp(tir.MulOp(g, tir.MulOp(op.result, op.result))),), "recip: -g y y"),
    rule(tir.CastOp, cast_grads, "cast: g cast back (float sources only)"),
    rule(tir.AddOp, lambda op, g: (g, g), "add: g, g"),
    rule(tir.MulOp, lambda op, g: (tir.MulOp(g, op.operands[1]), tir.MulOp(g, op.operands[0])), "mul: g y, g x"),
    rule(tir.MaxOp, max_grads, "max: g to the larger operand, split on ties"),
    rule(tir.FmodOp, fmod_grads, "fmod: g, -g trunc(x / y)"),
    rule(tir.WhereOp, lambda op, g: (None, where_zero(op.operands[0], g),
                                     tir.WhereOp(op.operands[0], splat(g, 0.0), g)), "where: g routed by the mask"),
    rule(tir.ReduceSumOp, reduce_sum_grads, "reduce_sum: expand g back"),
    rule(tir.ReduceMaxOp, reduce_max_grads, "reduce_max: g to the maxima, split on ties"),
    rule(tir.ReshapeOp, lambda op, g: (tir.ReshapeOp(g, tir.shape_of(op.x)),), "reshape: reshape g back"),
    rule(tir.PermuteOp, lambda op, g: (tir.PermuteOp(g, inverse_perm(op.perm_tuple())),), "permute: inverse permute"),
    rule(tir.ExpandOp, expand_grads, "expand: reduce_sum over the expanded axes (un-broadcast)"),
    rule(tir.PadOp, pad_grads, "pad: shrink g to the unpadded region"),
    rule(tir.ShrinkOp, shrink_grads, "shrink: pad g with zeros"),
    rule(tir.FlipOp, lambda op, g: (tir.FlipOp(g, op.axes_tuple()),), "flip: flip g"),
    rule((tir.CmpltOp, tir.CmpneOp), NO_GRADIENT, "compare: no gradient (bool result)"),
    rule((tir.IdivOp, tir.ModOp, tir.AndOp, tir.OrOp, tir.XorOp, tir.ShlOp, tir.ShrOp), NO_GRADIENT,
         "integer and bitwise ops: no gradient"),
    rule(tir.BitcastOp, NO_GRADIENT, "bitcast: no gradient"),
    rule((tir.ConstantOp, tir.IotaOp), NO_GRADIENT, "sources: nothing to propagate"),
]
GRADIENT_TABLE = RuleTable("tensor-autodiff", GRADIENTS)


# ------------------------------------------------------------------------- the driver

def _insert_tree(value: Grad, before: Operation, block: Block, inserted: list[Operation] | None = None) -> SSAValue:
    """Insert a value's not-yet-inserted producers (operands first) before `before`."""
    root = value if isinstance(value, Operation) else value.owner if isinstance(value, OpResult) else None
    if root is not None and root.parent is None:
        stack: list[tuple[Operation, bool]] = [(root, False)]
        while stack:
            op, ready = stack.pop()
            if op.parent is not None:
                continue
            if ready:
                block.insert_op_before(op, before)
                if inserted is not None:
                    inserted.append(op)
                continue
            stack.append((op, True))
            for operand in op.operands:
                if isinstance(operand, OpResult) and operand.owner.parent is None:
                    stack.append((operand.owner, False))
    return value.results[0] if isinstance(value, Operation) else value


def _entry(module: ModuleOp, name: str | None) -> func.FuncOp:
    funcs = [op for op in module.ops if isinstance(op, func.FuncOp)]
    if name is not None:
        for f in funcs:
            if f.sym_name.data == name:
                return f
        raise VerifyException(f"tensor-autodiff: no function @{name}")
    if not funcs:
        raise VerifyException("tensor-autodiff: the module has no func.func")
    return next((f for f in funcs if f.sym_name.data == "main"), funcs[0])


def differentiate(fn: func.FuncOp, wrt: Sequence[int] | None = None, seeded: bool = False) -> list[int]:
    """Add the gradient computation to `fn` in place (see the module docstring). Returns `wrt`."""
    block = fn.body.blocks[0]
    ret = block.last_op
    if not isinstance(ret, func.ReturnOp) or not ret.operands:
        raise VerifyException(f"tensor-autodiff: @{fn.sym_name.data} must return the value to differentiate")
    if any(isinstance(op, tir.Composite) for op in block.ops):
        from tinyir.passes.decompose import TensorDecompose

        TensorDecompose().table().apply(fn)
    loss = ret.operands[0]
    loss_type = loss.type
    if not isinstance(loss_type, TensorType) or not is_float(loss_type.get_element_type()):
        raise VerifyException(f"tensor-autodiff: result 0 must be a float tensor, got {loss_type}")
    args = list(block.args)
    chosen = list(wrt) if wrt is not None else [i for i, a in enumerate(args) if is_float(a.type.get_element_type())]
    for i in chosen:
        if not 0 <= i < len(args):
            raise VerifyException(f"tensor-autodiff: wrt index {i} is out of range ({len(args)} arguments)")
        if not is_float(args[i].type.get_element_type()):
            raise VerifyException(f"tensor-autodiff: argument {i} has type {args[i].type}; only float arguments have gradients")

    if not seeded and tir.shape_of(loss):
        raise VerifyException(
            f"tensor-autodiff: result 0 has shape {list(tir.shape_of(loss))}; differentiate a scalar or pass seeded=true")

    # ops on a path from a wrt argument to the loss
    forward: set[SSAValue] = {args[i] for i in chosen}
    for op in block.ops:
        if any(o in forward for o in op.operands):
            forward.update(op.results)
    needed: set[SSAValue] = {loss}
    active: list[Operation] = []
    for op in reversed(list(block.ops)):
        if op is ret:
            continue
        if any(r in needed for r in op.results) and any(r in forward for r in op.results):
            active.append(op)
            needed.update(o for o in op.operands if o in forward)

    added: list[Operation] = []
    seed: SSAValue
    if seeded:
        seed = block.insert_arg(loss_type, len(block.args))
    else:
        seed = _insert_tree(tir.ConstantOp.splat(1.0, loss_type), ret, block, added)
    adjoint: dict[SSAValue, SSAValue] = {loss: seed}
    for op in active:  # already in reverse order
        g = adjoint.get(op.results[0])
        if g is None:
            continue
        rules = GRADIENT_TABLE._rules_for(op)
        if not rules:
            raise VerifyException(f"tensor-autodiff: no gradient rule for {op.name}")
        contributions = rules[0].fn(op, g)
        GRADIENT_TABLE.stats[rules[0].name] += 1
        for operand, c in zip(op.operands, contributions):
            if c is None or operand not in forward or not is_float(operand.type.get_element_type()):
                continue
            value = _insert_tree(c, ret, block, added)
            if operand in adjoint:
                value = _insert_tree(tir.AddOp(adjoint[operand], value), ret, block, added)
            adjoint[operand] = value
    grads = []
    for i in chosen:
        g = adjoint.get(args[i])
        grads.append(g if g is not None else _insert_tree(splat(args[i], 0.0), ret, block))
    new_ret = func.ReturnOp(*ret.operands, *grads)
    block.insert_op_before(new_ret, ret)
    ret.detach()
    ret.erase()
    for op in reversed(added):  # adjoints that reached no argument (e.g. stopped at an int cast)
        if all(not r.uses for r in op.results):
            op.detach()
            op.erase()
    fn.function_type = FunctionType.from_lists([a.type for a in block.args], [v.type for v in new_ret.operands])
    return chosen


@dataclass(frozen=True)
class TensorAutodiff(ModulePass):
    """Add reverse-mode gradients to a tir function (see the module docstring)."""

    name: ClassVar[str] = "tensor-autodiff"
    summary: ClassVar[str] = "Append d(result 0)/d(args) to a tir function, one gradient rule per primitive op"

    func: str | None = None
    wrt: tuple[int, ...] | None = None
    seeded: bool = False

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        wrt = None if self.wrt is None else [self.wrt] if isinstance(self.wrt, int) else list(self.wrt)
        differentiate(_entry(op, self.func), wrt, self.seeded)
        op.verify()


__all__ = ["TensorAutodiff", "GRADIENTS", "GRADIENT_TABLE", "differentiate"]
