"""Tensor ops against PyTorch: forward values and gradients, with broadcasting, negative axes and
size-1 / zero-size dims. Each case: (id, tinyir fn, torch fn or None = same code, input shapes)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_tensor_helpers import check, tensor_test_device  # noqa: F401 - an autouse fixture

from tinyir import Tensor

import torch  # noqa: E402  (installed by tools/test.sh; a missing reference is a failure)
F = torch.nn.functional

UNARY = [
    ("neg", lambda x: -x, None), ("exp", lambda x: x.exp(), None), ("exp2", lambda x: x.exp2(), None),
    ("sin", lambda x: x.sin(), None), ("cos", lambda x: x.cos(), None), ("tan", lambda x: x.tan(), None),
    ("abs", lambda x: x.abs(), None), ("relu", lambda x: x.relu(), None), ("sigmoid", lambda x: x.sigmoid(), None),
    ("tanh", lambda x: x.tanh(), None), ("square", lambda x: x.square(), None),
    ("leaky_relu", lambda x: x.leaky_relu(0.1), lambda x: F.leaky_relu(x, 0.1)),
    ("elu", lambda x: x.elu(), lambda x: F.elu(x)),
    ("gelu", lambda x: x.gelu(), lambda x: F.gelu(x, approximate="tanh")),
    ("silu", lambda x: x.silu(), lambda x: F.silu(x)), ("swish", lambda x: x.swish(), lambda x: F.silu(x)),
    ("softplus", lambda x: x.softplus(), lambda x: F.softplus(x)), ("mish", lambda x: x.mish(), lambda x: F.mish(x)),
    ("hardswish", lambda x: x.hardswish(), lambda x: F.hardswish(x)),
    ("hardtanh", lambda x: x.hardtanh(), lambda x: F.hardtanh(x)),
    ("clip", lambda x: x.clip(-0.5, 0.7), lambda x: x.clamp(-0.5, 0.7)),
    ("pow2", lambda x: x ** 2, None), ("pow3", lambda x: x ** 3, None),
    ("lerp", lambda x: x.lerp(x * 2 + 1, 0.3), lambda x: torch.lerp(x, x * 2 + 1, 0.3)),
    ("sign", lambda x: x.sign(), None), ("floor", lambda x: x.floor(), None), ("ceil", lambda x: x.ceil(), None),
    ("trunc", lambda x: x.trunc(), None), ("round", lambda x: (x * 3).round(), lambda x: (x * 3).round()),
    ("celu", lambda x: x.celu(0.7), lambda x: F.celu(x, 0.7)), ("selu", lambda x: x.selu(), lambda x: F.selu(x)),
    ("softsign", lambda x: x.softsign(), lambda x: F.softsign(x)), ("sinh", lambda x: x.sinh(), None),
    ("cosh", lambda x: x.cosh(), None), ("asinh", lambda x: x.asinh(), None),
    ("hardsigmoid", lambda x: x.hardsigmoid(), lambda x: F.hardsigmoid(x)), ("relu6", lambda x: x.relu6(), lambda x: F.relu6(x)),
    ("quick_gelu", lambda x: x.quick_gelu(), lambda x: x * torch.sigmoid(1.702 * x)),
    ("tril", lambda x: x.tril(), None), ("triu", lambda x: x.triu(1), lambda x: x.triu(1)),
    ("masked_fill", lambda x: x.masked_fill(x > 0.5, 2.0), lambda x: x.masked_fill(x > 0.5, 2.0)),
    ("logcumsumexp", lambda x: x.logcumsumexp(1), lambda x: x.logcumsumexp(1)),
]
POSITIVE = [
    ("log", lambda x: x.log(), None), ("log2", lambda x: x.log2(), None), ("sqrt", lambda x: x.sqrt(), None),
    ("rsqrt", lambda x: x.rsqrt(), None), ("reciprocal", lambda x: x.reciprocal(), None),
    ("pow_frac", lambda x: x ** 1.7, None), ("rpow", lambda x: 2.0 ** x, None),
]
BINARY = [
    ("add", lambda x, y: x + y), ("sub", lambda x, y: x - y), ("mul", lambda x, y: x * y),
    ("div", lambda x, y: x / (y.abs() + 0.5)), ("maximum", lambda x, y: x.maximum(y)),
    ("minimum", lambda x, y: x.minimum(y)), ("where", lambda x, y: (x > y).where(x, y * 2) if isinstance(x, Tensor) else torch.where(x > y, x, y * 2)),
    ("radd", lambda x, y: 1.5 + x * y), ("rsub", lambda x, y: 1.5 - x), ("rdiv", lambda x, y: 2.0 / (x.abs() + 1)),
]
BROADCAST_SHAPES = [((3, 4), (3, 4)), ((3, 1), (1, 4)), ((2, 3, 4), (4,)), ((1,), (5, 1)), ((2, 0, 3), (3,))]


@pytest.mark.parametrize("name,fn,tfn", UNARY, ids=[u[0] for u in UNARY])
def test_unary(name, fn, tfn):
    check(fn, tfn, [(3, 5)], grad=name not in ("sign", "floor", "ceil", "trunc", "round"))


@pytest.mark.parametrize("name,fn,tfn", POSITIVE, ids=[u[0] for u in POSITIVE])
def test_unary_positive(name, fn, tfn):
    check(fn, tfn, [(4, 3)], low=0.2, high=3.0)


@pytest.mark.parametrize("shapes", BROADCAST_SHAPES, ids=str)
@pytest.mark.parametrize("name,fn", BINARY, ids=[b[0] for b in BINARY])
def test_binary_broadcast(name, fn, shapes):
    check(fn, None, list(shapes))


@pytest.mark.parametrize("name,fn", [
    ("lt", lambda x, y: x < y), ("gt", lambda x, y: x > y), ("le", lambda x, y: x <= y),
    ("ge", lambda x, y: x >= y), ("eq", lambda x, y: x == y), ("ne", lambda x, y: x != y),
], ids=lambda v: v if isinstance(v, str) else "")
def test_compare(name, fn):
    check(fn, None, [(3, 4), (4,)], grad=False, low=-2, high=2, ints=True)


@pytest.mark.parametrize("name,fn,tfn", [
    ("and", lambda x, y: x & y, None), ("or", lambda x, y: x | y, None), ("xor", lambda x, y: x ^ y, None),
    ("invert", lambda x, y: ~x, None), ("lshift", lambda x, y: x << 2, None), ("rshift", lambda x, y: x >> 1, None),
    ("floordiv", lambda x, y: x // (y.abs() + 1), None), ("mod", lambda x, y: x % (y.abs() + 1), None),
    ("idiv_neg", lambda x, y: x // -(y.abs() + 1), None), ("mod_neg", lambda x, y: x % -(y.abs() + 1), None),
    ("add_int", lambda x, y: x + y * 3, None), ("sum_int", lambda x, y: (x * y).sum(-1), None),
], ids=lambda v: v if isinstance(v, str) else "")
def test_integer_ops(name, fn, tfn):
    check(fn, tfn, [(3, 4), (3, 4)], grad=False, low=-9, high=9, ints=True)


REDUCE = [
    ("sum", lambda x: x.sum(), None), ("sum_axis", lambda x: x.sum(1), None),
    ("sum_neg_keep", lambda x: x.sum(-1, keepdim=True), lambda x: x.sum(-1, keepdim=True)),
    ("sum_tuple", lambda x: x.sum((0, 2)), lambda x: x.sum((0, 2))),
    ("max", lambda x: x.max(), None), ("max_axis", lambda x: x.max(1), lambda x: x.amax(1)),
    ("min_axis", lambda x: x.min(-1), lambda x: x.amin(-1)),
    ("mean", lambda x: x.mean(1), None), ("var", lambda x: x.var(1), None),
    ("var0", lambda x: x.var(-1, correction=0), lambda x: x.var(-1, correction=0)),
    ("std", lambda x: x.std((0, 1)), lambda x: x.std((0, 1))), ("prod", lambda x: x.prod(1), None),
    ("softmax", lambda x: x.softmax(1), lambda x: x.softmax(1)),
    ("log_softmax", lambda x: x.log_softmax(-1), lambda x: x.log_softmax(-1)),
    ("logsumexp", lambda x: x.logsumexp(2), lambda x: x.logsumexp(2)),
    ("cumsum", lambda x: x.cumsum(1), None), ("cumsum_neg", lambda x: x.cumsum(-1), lambda x: x.cumsum(-1)),
]


@pytest.mark.parametrize("shape", [(2, 3, 4), (1, 5, 1)], ids=str)
@pytest.mark.parametrize("name,fn,tfn", REDUCE, ids=[r[0] for r in REDUCE])
def test_reduce(name, fn, tfn, shape):
    check(fn, tfn, [shape])


def test_reduce_zero_size_and_argmax():
    check(lambda x: x.sum(1), None, [(3, 0)])
    check(lambda x: x.sum(0), None, [(0, 4)])
    check(lambda x: x.argmax(1), None, [(3, 5)], grad=False)
    check(lambda x: x.argmin(-1), None, [(3, 5)], grad=False)
    check(lambda x: x.argmax(), None, [(3, 5)], grad=False)
    check(lambda x: (x > 0).any(1), None, [(3, 5)], grad=False)
    check(lambda x: (x > -1.5).all(0), None, [(3, 5)], grad=False)


MOVEMENT = [
    ("reshape", lambda x: x.reshape(4, -1), None), ("permute", lambda x: x.permute(2, 0, 1), None),
    ("transpose", lambda x: x.transpose(-1, 0), lambda x: x.transpose(-1, 0)),
    ("expand", lambda x: x[:, :1].expand(2, 5, 4), lambda x: x[:, :1].expand(2, 5, 4)),
    ("pad_pairs", lambda x: x.pad(((1, 0), None, (2, 1))), lambda x: F.pad(x, (2, 1, 0, 0, 1, 0))),
    ("pad_flat_value", lambda x: x.pad((1, 2), value=3.0), lambda x: F.pad(x, (1, 2), value=3.0)),
    ("pad_negative", lambda x: x.pad((-1, 1)), lambda x: F.pad(x, (-1, 1))),
    ("shrink", lambda x: x.shrink(((0, 1), None, (1, 3))), lambda x: x[0:1, :, 1:3]),
    ("flip", lambda x: x.flip((0, -1)), lambda x: x.flip((0, -1))),
    ("squeeze", lambda x: x[:1].squeeze(0), lambda x: x[:1].squeeze(0)),
    ("unsqueeze", lambda x: x.unsqueeze(-1), None), ("flatten", lambda x: x.flatten(1), None),
    ("unflatten", lambda x: x.unflatten(2, (2, 2)), None), ("repeat", lambda x: x.repeat(2, 1, 3), None),
    ("cat", lambda x: x.cat(x * 2, dim=-1), lambda x: torch.cat([x, x * 2], dim=-1)),
    ("stack", lambda x: Tensor.stack(x, x + 1, dim=1), lambda x: torch.stack([x, x + 1], dim=1)),
    ("split", lambda x: x.split([1, 3], dim=2)[1], lambda x: x.split([1, 3], dim=2)[1]),
    ("chunk", lambda x: x.chunk(2, dim=-1)[0], lambda x: x.chunk(2, dim=-1)[0]),
    ("T", lambda x: x.reshape(6, 4).T, lambda x: x.reshape(6, 4).T),
]


@pytest.mark.parametrize("name,fn,tfn", MOVEMENT, ids=[m[0] for m in MOVEMENT])
def test_movement(name, fn, tfn):
    check(fn, tfn, [(2, 3, 4)])


GETITEM = [
    ("int", lambda x: x[1]), ("neg_int", lambda x: x[-1, 2]), ("slice", lambda x: x[:, 1:3]),
    ("step", lambda x: x[:, ::2, 1:]), ("none", lambda x: x[None, :, None, 1]),
    ("ellipsis", lambda x: x[..., 2]), ("ellipsis_mid", lambda x: x[0, ..., None, 1:]),
    ("empty_slice", lambda x: x[:, 3:1]),
]


@pytest.mark.parametrize("name,fn", GETITEM, ids=[g[0] for g in GETITEM])
def test_getitem(name, fn):
    check(fn, None, [(3, 5, 4)])


def test_getitem_negative_steps():  # torch has no negative steps: compare with flip
    check(lambda x: x[::-1, ::-2], lambda x: x.flip((0, 1))[:, ::2], [(3, 5, 4)])
    check(lambda x: x[:, 4:0:-3], lambda x: x[:, [4, 1]], [(3, 5, 4)])
    check(lambda x: x[-1::-2, 1], lambda x: x[[2, 0], 1], [(3, 5, 4)])


def test_getitem_tensor_indices():
    idx = np.array([[0, 2], [-1, 1]], np.int32)
    check(lambda x: x[Tensor(idx)], lambda x: x[torch.tensor(idx).long() % 3], [(3, 4)])
    check(lambda x: x[:, Tensor(idx)], lambda x: x[:, torch.tensor(idx).long() % 4], [(3, 4)])
    rows, cols = np.array([0, 2, 1], np.int32), np.array([3, 0, 1], np.int32)
    check(lambda x: x[Tensor(rows), Tensor(cols)], lambda x: x[torch.tensor(rows).long(), torch.tensor(cols).long()],
          [(3, 4)])
    check(lambda x: x[1:, Tensor(cols), None], lambda x: x[1:, torch.tensor(cols).long(), None], [(3, 4)])


def test_gather_one_hot_setitem():
    idx = np.array([[0, 2, 2], [1, 0, 1]], np.int32)
    check(lambda x: x.gather(1, Tensor(idx)), lambda x: x.gather(1, torch.tensor(idx).long()), [(2, 4)])
    check(lambda x: x.gather(0, Tensor(idx)), lambda x: x.gather(0, torch.tensor(idx).long()), [(3, 3)])
    assert Tensor([0, 2, 1]).one_hot(3).tolist() == [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
    t = Tensor(np.zeros((3, 4), np.float32)).realize()
    t[1, 1:3] = 5.0
    t[:, 0] = Tensor([1.0, 2.0, 3.0])
    expect = np.zeros((3, 4), np.float32)
    expect[1, 1:3] = 5.0
    expect[:, 0] = [1, 2, 3]
    np.testing.assert_array_equal(t.numpy(), expect)


LINALG = [
    ("matmul", lambda a, b: a @ b, [(3, 4), (4, 5)]), ("matmul_batch", lambda a, b: a @ b, [(2, 3, 4), (4, 2)]),
    ("matmul_bcast", lambda a, b: a @ b, [(2, 1, 3, 4), (3, 4, 2)]), ("vec_mat", lambda a, b: a @ b, [(4,), (4, 3)]),
    ("mat_vec", lambda a, b: a @ b, [(3, 4), (4,)]), ("dot_vec", lambda a, b: a.dot(b) if isinstance(a, Tensor)
                                                      else a.dot(b), [(4,), (4,)]),
    ("einsum", lambda a, b: Tensor.einsum("ij,jk->ki", a, b) if isinstance(a, Tensor)
     else torch.einsum("ij,jk->ki", a, b), [(3, 4), (4, 2)]),
    ("einsum_batch", lambda a, b: Tensor.einsum("bij,bjk->bik", a, b) if isinstance(a, Tensor)
     else torch.einsum("bij,bjk->bik", a, b), [(2, 3, 4), (2, 4, 2)]),
    ("einsum_trace", lambda a, b: Tensor.einsum("ii", a) if isinstance(a, Tensor) else torch.einsum("ii", a),
     [(3, 3), (1,)]),
    ("linear", lambda a, b: a.linear(b, b[0]) if isinstance(a, Tensor) else a @ b + b[0], [(2, 4), (4, 4)]),
]


@pytest.mark.parametrize("name,fn,shapes", LINALG, ids=[c[0] for c in LINALG])
def test_linalg(name, fn, shapes):
    check(fn, None, shapes)


CONV = [
    ("conv2d", lambda x, w: x.conv2d(w), lambda x, w: F.conv2d(x, w), [(2, 3, 6, 5), (4, 3, 3, 2)]),
    ("conv2d_stride_pad", lambda x, w: x.conv2d(w, stride=2, padding=1), lambda x, w: F.conv2d(x, w, stride=2, padding=1),
     [(1, 2, 7, 7), (3, 2, 3, 3)]),
    ("conv2d_dilation_groups", lambda x, w: x.conv2d(w, groups=2, dilation=2),
     lambda x, w: F.conv2d(x, w, groups=2, dilation=2), [(1, 4, 7, 6), (4, 2, 2, 2)]),
    ("conv_transpose2d", lambda x, w: x.conv_transpose2d(w, stride=2, padding=1),
     lambda x, w: F.conv_transpose2d(x, w, stride=2, padding=1), [(1, 2, 4, 3), (2, 3, 3, 3)]),
    ("max_pool2d", lambda x, w: x.max_pool2d(), lambda x, w: F.max_pool2d(x, 2), [(2, 2, 4, 6), (1,)]),
    ("max_pool2d_stride", lambda x, w: x.max_pool2d(3, stride=1, padding=1),
     lambda x, w: F.max_pool2d(x, 3, stride=1, padding=1), [(1, 2, 5, 5), (1,)]),
    ("avg_pool2d", lambda x, w: x.avg_pool2d((2, 3)), lambda x, w: F.avg_pool2d(x, (2, 3)), [(1, 2, 4, 6), (1,)]),
    ("avg_pool2d_pad", lambda x, w: x.avg_pool2d(3, stride=2, padding=1, count_include_pad=False),
     lambda x, w: F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False), [(1, 2, 5, 6), (1,)]),
]


@pytest.mark.parametrize("name,fn,tfn,shapes", CONV, ids=[c[0] for c in CONV])
def test_conv_pool(name, fn, tfn, shapes):
    check(fn, tfn, shapes, atol=1e-4)


def test_losses():
    labels = np.array([0, 2, 1, 2], np.int32)
    tl = torch.tensor(labels).long()
    check(lambda x: x.sparse_categorical_crossentropy(Tensor(labels)), lambda x: F.cross_entropy(x, tl), [(4, 3)])
    check(lambda x: x.cross_entropy(Tensor(labels)), lambda x: F.cross_entropy(x, tl), [(4, 3)])
    check(lambda x: x.cross_entropy(Tensor(labels), label_smoothing=0.1, reduction="sum"),
          lambda x: F.cross_entropy(x, tl, label_smoothing=0.1, reduction="sum"), [(4, 3)])
    check(lambda x, y: x.cross_entropy(y.softmax(-1)), lambda x, y: F.cross_entropy(x, y.softmax(-1)), [(4, 3), (4, 3)])
    check(lambda x, y: x.sigmoid().binary_crossentropy(y.sigmoid()),
          lambda x, y: F.binary_cross_entropy(x.sigmoid(), y.sigmoid()), [(5,), (5,)])
    check(lambda x, y: x.binary_crossentropy_logits(y.sigmoid()),
          lambda x, y: F.binary_cross_entropy_with_logits(x, y.sigmoid()), [(2, 3), (2, 3)])
    check(lambda x: x.log_softmax(-1).nll_loss(Tensor(labels)), lambda x: F.nll_loss(x.log_softmax(-1), tl), [(4, 3)])


def test_normalization_and_attention():
    check(lambda x: x.layernorm(), lambda x: F.layer_norm(x, (4,), eps=1e-5), [(3, 4)])
    check(lambda x, m, s: x.batchnorm(None, None, m, s.abs() + 0.5),
          lambda x, m, s: (x - m.reshape(1, 3, 1)) * (s.abs() + 0.5).reshape(1, 3, 1), [(2, 3, 4), (3,), (3,)])
    check(lambda q, k, v: q.scaled_dot_product_attention(k, v), lambda q, k, v: F.scaled_dot_product_attention(q, k, v),
          [(2, 3, 4), (2, 5, 4), (2, 5, 4)])
    check(lambda q, k, v: q.scaled_dot_product_attention(k, v, is_causal=True),
          lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True), [(1, 4, 4), (1, 4, 4), (1, 4, 4)])


def test_isnan_isinf():
    x = Tensor([1.0, math.inf, -math.inf, math.nan, 0.0])
    assert x.isnan().tolist() == [False, False, False, True, False]
    assert x.isinf().tolist() == [False, True, True, False, False]


@pytest.mark.parametrize("name,fn,tfn", [
    ("pad_empty", lambda x: x.pad(((1, 1), None)), lambda x: F.pad(x, (0, 0, 1, 1))),
    ("cat_empty", lambda x: x.cat(x.sum(0, keepdim=True) + 1), lambda x: torch.cat([x, x.sum(0, keepdim=True) + 1])),
    ("permute_empty", lambda x: x.permute(1, 0) * 2, lambda x: x.permute(1, 0) * 2),
    ("mean_empty_keep", lambda x: x.sum(0, keepdim=True).expand(2, 3) * x.shape[1],
     lambda x: x.sum(0, keepdim=True).expand(2, 3) * x.shape[1]),
], ids=lambda v: v if isinstance(v, str) else "")
def test_zero_size_dims(name, fn, tfn):
    check(fn, tfn, [(0, 3)])


_CHAIN_OPS = [
    ("add", lambda a, b: a + b), ("mul", lambda a, b: a * b), ("sub", lambda a, b: a - b),
    ("max", lambda a, b: a.maximum(b)), ("div", lambda a, b: a / (b * b + 1)),
]


def test_random_broadcast_chains():
    """Random chains of binary ops on broadcast-compatible shapes, then a reduce on a random
    (possibly negative) axis: values and gradients against torch."""
    import hypothesis as hyp
    st = hyp.strategies

    @hyp.settings(max_examples=20, deadline=None, derandomize=True)
    @hyp.given(st.lists(st.integers(1, 3), min_size=1, max_size=3), st.data())
    def run(shape, data):
        shapes = [tuple(s if data.draw(st.booleans()) else 1 for s in shape)[data.draw(st.integers(0, len(shape) - 1)):]
                  for _ in range(3)]
        ops = data.draw(st.lists(st.sampled_from(range(len(_CHAIN_OPS))), min_size=1, max_size=4))
        axis = data.draw(st.integers(-len(shape), len(shape) - 1))

        def fn(x, y, z):
            out, others = x, [y, z]
            for i, k in enumerate(ops):
                out = _CHAIN_OPS[k][1](out, others[i % 2])
            out = out + 0 * (y.sum() + z.sum())  # every input takes part, even if size-1
            return out.sum(axis if -out.ndim <= axis < out.ndim else -1)

        check(fn, None, shapes)

    run()
