"""The `tensor-autodiff` pass, rule by rule: for each primitive, differentiate
L = sum(op(x[, y]) * w) written in tir, run the gradient function with the reference interpreter
and compare with PyTorch's autograd of the same expression."""

from __future__ import annotations

import numpy as np
import pytest

from tinyir.ir import make_context, parse_module
from tinyir.passes.autodiff import GRADIENTS, TensorAutodiff
from tinyir.runtime.reference import run_reference

import torch  # noqa: E402  (installed by tools/test.sh; a missing reference is a failure)

# name: (argument types, the op producing %z : tensor<ZTYPE>, ZTYPE, torch expression, input ranges)
CASES = {
    "neg": ("tensor<2x3xf32>", "%z = tir.neg %x : tensor<2x3xf32>", "2x3", lambda x: -x),
    "exp2": ("tensor<2x3xf32>", "%z = tir.exp2 %x : tensor<2x3xf32>", "2x3", lambda x: torch.exp2(x)),
    "log2": ("tensor<2x3xf32>", "%z = tir.log2 %x : tensor<2x3xf32>", "2x3", lambda x: torch.log2(x)),
    "sin": ("tensor<2x3xf32>", "%z = tir.sin %x : tensor<2x3xf32>", "2x3", lambda x: torch.sin(x)),
    "sqrt": ("tensor<2x3xf32>", "%z = tir.sqrt %x : tensor<2x3xf32>", "2x3", lambda x: torch.sqrt(x)),
    "recip": ("tensor<2x3xf32>", "%z = tir.recip %x : tensor<2x3xf32>", "2x3", lambda x: 1 / x),
    "cast": ("tensor<2x3xf32>", "%h = tir.cast %x : tensor<2x3xf32> to tensor<2x3xf16>\n"
             "  %z = tir.cast %h : tensor<2x3xf16> to tensor<2x3xf32>", "2x3", lambda x: x.half().float()),
    "add": ("tensor<2x3xf32>, %y: tensor<2x3xf32>", "%z = tir.add %x, %y : tensor<2x3xf32>", "2x3", lambda x, y: x + y),
    "mul": ("tensor<2x3xf32>, %y: tensor<2x3xf32>", "%z = tir.mul %x, %y : tensor<2x3xf32>", "2x3", lambda x, y: x * y),
    "max": ("tensor<2x3xf32>, %y: tensor<2x3xf32>", "%z = tir.max %x, %y : tensor<2x3xf32>", "2x3",
            lambda x, y: torch.maximum(x, y)),
    "fmod": ("tensor<2x3xf32>, %y: tensor<2x3xf32>", "%z = tir.fmod %x, %y : tensor<2x3xf32>", "2x3",
             lambda x, y: torch.fmod(x, y)),
    "where": ("tensor<2x3xf32>, %y: tensor<2x3xf32>", "%m = tir.cmplt %x, %y : tensor<2x3xf32>\n"
              "  %z = tir.where %m, %x, %y : tensor<2x3xf32>", "2x3", lambda x, y: torch.where(x < y, x, y)),
    "reduce_sum": ("tensor<2x3xf32>", "%z = tir.reduce_sum %x [1] : tensor<2x3xf32> -> tensor<2xf32>", "2",
                   lambda x: x.sum(1)),
    "reduce_max": ("tensor<2x3xf32>", "%z = tir.reduce_max %x [0] : tensor<2x3xf32> -> tensor<1x3xf32>", "1x3",
                   lambda x: x.amax(0, keepdim=True)),
    "reshape": ("tensor<2x3xf32>", "%z = tir.reshape %x : tensor<2x3xf32> -> tensor<3x2xf32>", "3x2",
                lambda x: x.reshape(3, 2)),
    "permute": ("tensor<2x3xf32>", "%z = tir.permute %x [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>", "3x2",
                lambda x: x.T),
    "expand": ("tensor<2x1xf32>", "%z = tir.expand %x : tensor<2x1xf32> -> tensor<2x3xf32>", "2x3",
               lambda x: x.expand(2, 3)),
    "pad": ("tensor<2x3xf32>", "%z = tir.pad %x [[1, 0], [0, 2]] : tensor<2x3xf32> -> tensor<3x5xf32>", "3x5",
            lambda x: torch.nn.functional.pad(x, (0, 2, 1, 0))),
    "shrink": ("tensor<2x3xf32>", "%z = tir.shrink %x [[1, 2], [0, 2]] : tensor<2x3xf32> -> tensor<1x2xf32>", "1x2",
               lambda x: x[1:2, 0:2]),
    "flip": ("tensor<2x3xf32>", "%z = tir.flip %x [0, 1] : tensor<2x3xf32>", "2x3", lambda x: x.flip((0, 1))),
}


def _program(args: str, body: str, zshape: str) -> str:
    zt = f"tensor<{zshape}xf32>"
    rank = zshape.count("x") + 1
    axes = ", ".join(str(i) for i in range(rank))
    return f"""func.func @main(%x: {args}, %w: {zt}) -> tensor<f32> {{
  {body}
  %p = tir.mul %z, %w : {zt}
  %s = tir.reduce_sum %p [{axes}] : {zt} -> tensor<f32>
  func.return %s : tensor<f32>
}}"""


@pytest.mark.parametrize("name", sorted(CASES))
def test_rule_matches_torch(name):
    args, body, zshape, torch_fn = CASES[name]
    module = parse_module(_program(args, body, zshape))
    nargs = args.count("tensor<")
    TensorAutodiff(wrt=tuple(range(nargs))).apply(make_context(), module)
    rng = np.random.default_rng(1)
    low = 0.3 if name in ("log2", "sqrt", "recip") else -2.0
    shapes = [tuple(int(d) for d in t.split("<")[1].split("x")[:-1]) for t in args.split(", %y: ")]
    xs = [rng.uniform(low, 2.0, size=s).astype(np.float32) for s in shapes]
    w = rng.uniform(0.5, 1.5, size=tuple(int(d) for d in zshape.split("x"))).astype(np.float32)
    outs = run_reference(module, [*xs, w])
    txs = [torch.tensor(x, requires_grad=True) for x in xs]
    loss = (torch_fn(*txs) * torch.tensor(w)).sum()
    loss.backward()
    np.testing.assert_allclose(outs[0], loss.item(), rtol=1e-5, atol=1e-5)
    for got, t in zip(outs[1:], txs):
        np.testing.assert_allclose(got, t.grad.numpy(), rtol=1e-3 if name == "cast" else 1e-5, atol=1e-5)


def test_every_differentiable_primitive_has_a_case():
    """Each rule in the table that propagates a gradient is exercised above."""
    differentiable = {r.root[0].name.removeprefix("tir.") for r in GRADIENTS if "no gradient" not in r.doc
                      and "nothing" not in r.doc}
    assert differentiable <= set(CASES), differentiable - set(CASES)


def test_max_ties_split_evenly():
    module = parse_module("""func.func @main(%x: tensor<4xf32>) -> tensor<f32> {
  %m = tir.reduce_max %x [0] : tensor<4xf32> -> tensor<f32>
  func.return %m : tensor<f32>
}""")
    TensorAutodiff().apply(make_context(), module)
    _, grad = run_reference(module, [np.array([1, 3, 3, 2], np.float32)])
    np.testing.assert_allclose(grad, [0, 0.5, 0.5, 0])


def test_seeded_vector_output():
    module = parse_module("""func.func @main(%x: tensor<3xf32>) -> tensor<3xf32> {
  %y = tir.mul %x, %x : tensor<3xf32>
  func.return %y : tensor<3xf32>
}""")
    TensorAutodiff(seeded=True).apply(make_context(), module)
    x, seed = np.array([1, 2, 3], np.float32), np.array([1, 0, 2], np.float32)
    y, grad = run_reference(module, [x, seed])
    np.testing.assert_allclose(grad, 2 * x * seed)
