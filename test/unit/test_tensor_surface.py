"""The rest of tinygrad's Tensor surface (math_ops.py, sorting.py, indexing.py, interpolate.py,
pooling.py, einsum_ellipsis.py and the new arguments): forward values and gradients against
PyTorch on the compiled CPU device, edge values and zero-size shapes, and a smaller subset on
opencl, reference and c."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from test_tensor_helpers import check, tensor_test_device  # noqa: F401 - an autouse fixture

from tinyir import Tensor, dtypes
from tinyir.frontend.tensor import Device

INF, NAN = math.inf, math.nan
EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1e-6, -1e-6, 30.0, -30.0, INF, -INF, NAN]


def _same(got: np.ndarray, want: torch.Tensor, atol: float = 1e-6, rtol: float = 1e-6) -> None:
    want_np = want.detach().numpy()
    assert got.shape == want_np.shape, f"shape {got.shape} != torch {want_np.shape}"
    np.testing.assert_allclose(got, want_np, atol=atol, rtol=rtol)


# ---------------------------------------------------------------------------------- math_ops

@pytest.mark.parametrize("name,low,high", [("atan", -4, 4), ("asin", -0.95, 0.95), ("acos", -0.95, 0.95),
                                           ("erf", -3, 3), ("log10", 0.1, 5), ("logsigmoid", -6, 6)])
def test_unary_math(name, low, high):
    tfn = getattr(F, name) if name == "logsigmoid" else (lambda x: getattr(x, name)())
    check(lambda x: getattr(x, name)(), tfn, [(3, 5)], low=low, high=high, atol=2e-6, rtol=2e-5)


@pytest.mark.parametrize("name", ["atan", "asin", "acos", "erf", "log10", "logsigmoid"])
def test_unary_math_edge_values(name):
    values = np.array(EDGES + [0.999999, -0.999999, 2.0, -3.0, 1e30, 0.4999, 4.0], np.float32)
    tfn = F.logsigmoid if name == "logsigmoid" else (lambda x: getattr(x, name)())
    t, tt = Tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    out, tout = getattr(t, name)(), tfn(tt)
    _same(out.numpy(), tout, atol=3e-7, rtol=3e-6)
    tout.sum().backward()  # gradients at the edges too: inf at asin(+-1), 0 at erf(+-inf), 1/2 at logsigmoid(0)
    _same(out.sum().gradient(t)[0].numpy(), tt.grad, atol=1e-6, rtol=1e-4)


def test_softmin_gelu_approximate():
    check(lambda x: x.softmin(1), lambda x: F.softmin(x, 1), [(3, 4)])
    check(lambda x: x.gelu(approximate="none"), lambda x: F.gelu(x), [(3, 4)], low=-4, high=4, atol=1e-5)
    check(lambda x: x.gelu(approximate="tanh"), lambda x: F.gelu(x, approximate="tanh"), [(3, 4)])
    with pytest.raises(ValueError, match="approximate"):
        Tensor([1.0]).gelu(approximate="fast")


def test_logaddexp():
    check(lambda a, b: a.logaddexp(b), lambda a, b: torch.logaddexp(a, b), [(3, 4), (4,)], low=-5, high=5)
    a = np.array([-INF, INF, -INF, 3.0, NAN, 100.0], np.float32)
    b = np.array([-INF, -INF, 2.0, INF, 1.0, 100.0], np.float32)
    _same(Tensor(a).logaddexp(Tensor(b)).numpy(), torch.logaddexp(torch.tensor(a), torch.tensor(b)))
    ta, tb = Tensor(a[1:4], requires_grad=True), Tensor(b[1:4], requires_grad=True)  # an infinite side: slope 1
    ga, gb = ta.logaddexp(tb).sum().gradient(ta, tb)
    np.testing.assert_array_equal(ga.numpy(), [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(gb.numpy(), [0.0, 1.0, 1.0])


def test_fmod_copysign_isclose():
    check(lambda a, b: a.fmod(b), lambda a, b: torch.fmod(a, b), [(3, 4), (3, 4)], low=0.5, high=3)
    a = np.array([7, -7, 7, -7, 0, 5], np.int32)
    b = np.array([3, 3, -3, -3, 2, 5], np.int32)
    np.testing.assert_array_equal(Tensor(a).fmod(Tensor(b)).numpy(), torch.fmod(torch.tensor(a), torch.tensor(b)))
    fa = np.array([5.5, -5.5, 3.0, -3.0, INF, 0.0, 1.0, NAN, 7.0], np.float32)
    fb = np.array([2.0, 2.0, INF, -INF, 2.0, 0.0, -0.0, 1.0, NAN], np.float32)
    _same(Tensor(fa).fmod(Tensor(fb)).numpy(), torch.fmod(torch.tensor(fa), torch.tensor(fb)))
    qa = np.array([7.0, -7.0, 1000.5, -0.3, 2.0**20 + 3], np.float32)  # quotients below 2**24, exact products
    qb = np.array([2.0, 0.5, -3.0, 0.25, 7.0], np.float32)
    np.testing.assert_array_equal(Tensor(qa).fmod(Tensor(qb)).numpy(), torch.fmod(torch.tensor(qa), torch.tensor(qb)))
    check(lambda a, b: a.copysign(b), lambda a, b: torch.copysign(a, b), [(2, 5), (2, 5)])
    x = np.array([1.0, 2.0, -3.0, 0.0, -0.0, INF, 4.0], np.float32)
    s = np.array([-0.0, 0.0, 1.0, -1.0, 2.0, -INF, -2.0], np.float32)
    got = Tensor(x).copysign(Tensor(s)).numpy()
    want = torch.copysign(torch.tensor(x), torch.tensor(s)).numpy()
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))
    p = np.array([1.0, INF, -INF, NAN, 1.0, 0.0, 1e-9], np.float32)
    q = np.array([1.0 + 1e-6, INF, INF, NAN, 1.1, 1e-9, 0.0], np.float32)
    for kw in ({}, {"equal_nan": True}, {"rtol": 0.2, "atol": 0.0}):
        np.testing.assert_array_equal(Tensor(p).isclose(Tensor(q), **kw).numpy(),
                                      torch.isclose(torch.tensor(p), torch.tensor(q), **kw).numpy())


def test_copysign_result_dtype_is_the_promoted_float():
    """torch.copysign's dtype: both operands promoted, then floated (bool with bfloat16 gave float32, a
    float16 magnitude with a float32 sign gave float16)."""
    pairs = [(np.array([True, False]), np.array([-1.0, 2.0], np.float16)), (np.array([1.5, 2.0], np.float16),
             np.array([-0.0, 3.0], np.float32)), (np.array([3, -4], np.int32), np.array([-1, 0], np.int8))]
    for x, y in pairs:
        got, want = Tensor(x).copysign(Tensor(y)), torch.copysign(torch.tensor(x), torch.tensor(y))
        assert got.numpy().dtype == want.numpy().dtype
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    got = Tensor([1.0, 2.0]).cast(dtypes.bfloat16).copysign(Tensor([True, False]))
    assert got.dtype == dtypes.bfloat16


def test_normalize():
    check(lambda x: x.normalize(), lambda x: F.normalize(x), [(3, 4)])
    check(lambda x: x.normalize(p=1, dim=0), lambda x: F.normalize(x, p=1, dim=0), [(3, 4)])
    check(lambda x: x.normalize(p=3, dim=-1), lambda x: F.normalize(x, p=3, dim=-1), [(2, 3)], low=0.5, high=2)
    zero = np.zeros((2, 3), np.float32)  # an all-zero row: finite values and gradient, as PyTorch's
    t, tt = Tensor(zero, requires_grad=True), torch.tensor(zero, requires_grad=True)
    out, tout = t.normalize(dim=1), F.normalize(tt, dim=1)
    _same(out.numpy(), tout)
    (tout * torch.arange(6.0).reshape(2, 3)).sum().backward()
    _same((out * Tensor(np.arange(6, dtype=np.float32).reshape(2, 3))).sum().gradient(t)[0].numpy(), tt.grad,
          rtol=1e-5)


# ---------------------------------------------------------------------------------- sorting

@pytest.mark.parametrize("dim,descending", [(-1, False), (0, True)])
def test_sort_argsort_topk(dim, descending):
    check(lambda x: x.sort(dim, descending)[0], lambda x: torch.sort(x, dim, descending)[0], [(3, 5)])
    a = np.random.default_rng(1).permutation(20).reshape(4, 5).astype(np.float32)
    tiny_v, tiny_i = Tensor(a).sort(dim, descending)
    torch_v, torch_i = torch.sort(torch.tensor(a), dim=dim, descending=descending, stable=True)
    _same(tiny_v.numpy(), torch_v)
    np.testing.assert_array_equal(tiny_i.numpy(), torch_i.numpy())
    np.testing.assert_array_equal(Tensor(a).argsort(dim, descending).numpy(),
                                  torch.argsort(torch.tensor(a), dim=dim, descending=descending, stable=True).numpy())
    check(lambda x: x.topk(2, dim)[0], lambda x: torch.topk(x, 2, dim)[0], [(3, 5)])
    check(lambda x: x.topk(2, dim, largest=False)[0], lambda x: torch.topk(x, 2, dim, largest=False)[0], [(3, 5)])
    np.testing.assert_array_equal(Tensor(a).topk(3, dim)[1].numpy(), torch.topk(torch.tensor(a), 3, dim)[1].numpy())


def test_sort_edge_values():
    a = np.array([3.0, NAN, 1.0, -INF, 1.0, NAN, INF, -0.0, 0.0, 2.0], np.float32)
    for descending in (False, True):
        v, i = Tensor(a).sort(descending=descending)
        tv, ti = torch.sort(torch.tensor(a), descending=descending, stable=True)
        _same(v.numpy(), tv)
        np.testing.assert_array_equal(i.numpy(), ti.numpy())
    ints = np.array([5, -2**31, 7, 2**31 - 1, 5, 0], np.int32)
    v, i = Tensor(ints).sort()
    tv, ti = torch.sort(torch.tensor(ints), stable=True)
    np.testing.assert_array_equal(v.numpy(), tv.numpy())
    np.testing.assert_array_equal(i.numpy(), ti.numpy())
    assert Tensor.zeros(2, 0).sort()[0].shape == (2, 0) and Tensor.zeros(0, 3).argsort(0).shape == (0, 3)
    assert Tensor(2.0).sort()[0].item() == 2.0 and Tensor([1.0, 2.0]).topk(0)[0].shape == (0,)
    with pytest.raises(ValueError, match="topk"):
        Tensor([1.0, 2.0]).topk(3)


@pytest.mark.parametrize("name", ["cummax", "cummin"])
def test_cummax_cummin(name):
    check(lambda x: getattr(x, name)(1)[0], lambda x: getattr(torch, name)(x, 1)[0], [(3, 6)])
    check(lambda x: getattr(x, name)(0)[0], lambda x: getattr(torch, name)(x, 0)[0], [(4, 2)])
    a = np.array([1.0, 3.0, 3.0, 2.0, -1.0, -1.0, NAN, 5.0, NAN, 1.0], np.float32)
    for values in (a, a[:6], np.array([5, -2**31, 7, 2**31 - 1, 7, -2**31], np.int32)):
        v, i = getattr(Tensor(values), name)(0)
        tv, ti = getattr(torch, name)(torch.tensor(values), 0)
        _same(v.numpy(), tv)
        np.testing.assert_array_equal(i.numpy(), ti.numpy())
    # ties: the gradient goes to the index taken, as in PyTorch
    check(lambda x: getattr(x, name)(0)[0], lambda x: getattr(torch, name)(x, 0)[0], [(6,)], ints=False, low=0,
          high=0.001)
    assert getattr(Tensor.zeros(0, 2), name)(0)[0].shape == (0, 2)


# ---------------------------------------------------------------------------------- scatter / gather

def _index(shape, high, seed=0):
    return np.random.default_rng(seed).integers(0, high, size=shape).astype(np.int32)


def test_scatter():
    idx = np.array([[0, 1, 2, 0], [2, 0, 0, 1]], np.int32)
    check(lambda s, src: s.scatter(0, Tensor(idx), src), lambda s, src: s.scatter(0, torch.tensor(idx, dtype=torch.long), src),
          [(3, 5), (2, 4)])
    perm = np.array([[2, 0, 1], [1, 2, 0]], np.int32)  # unique per row: the result is defined in PyTorch
    check(lambda s, src: s.scatter(1, Tensor(perm), src), lambda s, src: s.scatter(1, torch.tensor(perm, dtype=torch.long), src),
          [(2, 4), (2, 3)])
    check(lambda s: s.scatter(1, Tensor(perm), 7.5), lambda s: s.scatter(1, torch.tensor(perm, dtype=torch.long), 7.5),
          [(2, 3)])
    dup = np.array([0, 0, 2, 0], np.int32)  # repeated targets: the last write wins (PyTorch CPU)
    np.testing.assert_array_equal(Tensor.zeros(3).scatter(0, Tensor(dup), Tensor([1.0, 2.0, 3.0, 4.0])).numpy(),
                                  [4.0, 0.0, 3.0])
    for reduce, treduce in (("add", "add"), ("multiply", "multiply")):
        got = Tensor.ones(3).scatter(0, Tensor(dup), Tensor([1.0, 2.0, 3.0, 4.0]), reduce=reduce).numpy()
        want = torch.ones(3).scatter(0, torch.tensor(dup, dtype=torch.long), torch.tensor([1.0, 2.0, 3.0, 4.0]),
                                     reduce=treduce)
        _same(got, want)
    empty = Tensor.ones(3).scatter(0, Tensor(np.zeros(0, np.int32)), Tensor.zeros(0))
    np.testing.assert_array_equal(empty.numpy(), [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="scatter"):
        Tensor.ones(2, 2).scatter(0, Tensor(np.zeros((3, 2), np.int32)), Tensor.ones(2, 2))


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce(reduce, include_self):
    idx = np.array([[0, 1, 0, 1], [2, 0, 0, 2]], np.int32)
    check(lambda s, src: s.scatter_reduce(0, Tensor(idx), src, reduce, include_self=include_self),
          lambda s, src: s.scatter_reduce(0, torch.tensor(idx, dtype=torch.long), src, reduce, include_self=include_self),
          [(3, 5), (2, 4)], low=0.5, high=2)


def test_scatter_reduce_ints_and_ties():
    s = np.array([1, 2, 3, -4], np.int32)
    idx = np.array([0, 0, 2, 3, 3], np.int32)
    src = np.array([-1, -2, 4, -2**31, 2**31 - 1], np.int32)
    for reduce in ("sum", "mean", "amax", "amin"):
        for include_self in (True, False):
            got = Tensor(s).scatter_reduce(0, Tensor(idx), Tensor(src), reduce, include_self=include_self).numpy()
            want = torch.tensor(s).scatter_reduce(0, torch.tensor(idx, dtype=torch.long), torch.tensor(src), reduce,
                                                  include_self=include_self)
            np.testing.assert_array_equal(got, want.numpy(), err_msg=f"{reduce} include_self={include_self}")
    # amax ties share the gradient evenly, as in PyTorch (inputs all within 1e-7 of 2: equal in float32)
    check(lambda s, src: s.scatter_reduce(0, Tensor(np.zeros(3, np.int32)), src, "amax"),
          lambda s, src: s.scatter_reduce(0, torch.zeros(3, dtype=torch.long), src, "amax"), [(2,), (3,)],
          low=2, high=2.0000001)


def test_gather_edge_cases():
    idx = np.array([[0, 2], [1, 0]], np.int32)  # smaller than self outside dim
    check(lambda x: x.gather(1, Tensor(idx)), lambda x: x.gather(1, torch.tensor(idx, dtype=torch.long)), [(3, 4)])
    check(lambda x: x.gather(-2, Tensor(idx)), lambda x: x.gather(-2, torch.tensor(idx, dtype=torch.long)), [(3, 4)])
    rep = np.array([[1, 1, 1], [0, 0, 2]], np.int32)  # repeated indices: gradients add up
    check(lambda x: x.gather(1, Tensor(rep)), lambda x: x.gather(1, torch.tensor(rep, dtype=torch.long)), [(2, 3)])
    assert Tensor.ones(3, 4).gather(1, Tensor(np.zeros((3, 0), np.int32))).shape == (3, 0)
    assert Tensor.ones(3, 4).gather(0, Tensor(np.zeros((0, 4), np.int32))).shape == (0, 4)
    check(lambda x: x.reshape(()).gather(0, Tensor(np.array(0, np.int32))),
          lambda x: x.reshape(()).gather(0, torch.tensor(0)), [(1,)])  # 0-d
    with pytest.raises(TypeError, match="gather: index"):
        Tensor.ones(3).gather(0, Tensor([0.0]))


# ---------------------------------------------------------------------------------- data-dependent shapes

@pytest.mark.parametrize("np_type", [np.int8, np.uint8, np.int16, np.bool_, np.float16])
def test_tensor_indexing_keeps_the_dtype(np_type):
    """x[tensor], masked_select and gather sum one-hot picks, which widened small ints and bools to int32."""
    a = (np.arange(12).reshape(3, 4) % 5 - 1).astype(np_type)
    rows, mask = np.array([2, 0, -1]), (np.arange(12).reshape(3, 4) % 3 == 0)
    for got, want in ((Tensor(a)[Tensor(rows)], torch.tensor(a)[torch.tensor(rows)]),
                      (Tensor(a)[Tensor(rows), Tensor([1, 3, 0])], torch.tensor(a)[torch.tensor(rows), torch.tensor([1, 3, 0])]),
                      (Tensor(a).masked_select(Tensor(mask)), torch.tensor(a).masked_select(torch.tensor(mask))),
                      (Tensor(a).gather(1, Tensor(np.array([[3, 0], [1, 1], [2, 0]]))),
                       torch.tensor(a).gather(1, torch.tensor([[3, 0], [1, 1], [2, 0]])))):
        assert got.numpy().dtype == want.numpy().dtype == a.dtype
        np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_nonzero_masked_select_bool_indexing():
    a = np.array([[0.0, 1.5, 0.0], [-2.0, 0.0, NAN]], np.float32)
    np.testing.assert_array_equal(Tensor(a).nonzero().numpy(), torch.tensor(a).nonzero().numpy())
    _, cols = Tensor(a).nonzero(as_tuple=True)
    np.testing.assert_array_equal(cols.numpy(), [1, 0, 2])
    assert Tensor.zeros(2, 3).nonzero().shape == (0, 2) and Tensor.zeros(0).nonzero().shape == (0, 1)
    mask = np.array([True, False, True], np.bool_)
    check(lambda x: x.masked_select(Tensor(mask)), lambda x: x.masked_select(torch.tensor(mask)), [(2, 3)])
    check(lambda x: x[Tensor(mask)], lambda x: x[torch.tensor(mask)], [(3, 2)])
    mask2 = np.array([[True, False, True], [False, False, True]])
    check(lambda x: x[Tensor(mask2)], lambda x: x[torch.tensor(mask2)], [(2, 3, 2)])
    check(lambda x: x[:, Tensor(mask)], lambda x: x[:, torch.tensor(mask)], [(2, 3)])
    check(lambda x: x[[True, False]], lambda x: x[[True, False]], [(2, 3)])
    assert Tensor.ones(3).masked_select(Tensor([False, False, False])).shape == (0,)
    with pytest.raises(IndexError, match="boolean mask"):
        Tensor.ones(3, 2)[Tensor([True, False])]
    x = Tensor([[1.0, -2.0, 3.0], [-4.0, 5.0, -6.0]]).realize()
    x[x < 0] = 0.0  # setitem through a mask
    np.testing.assert_array_equal(x.numpy(), [[1.0, 0.0, 3.0], [0.0, 5.0, 0.0]])


def test_indexing_with_lists_and_tensors():
    check(lambda x: x[[0, 2, -1]], lambda x: x[[0, 2, -1]], [(4, 3)])
    check(lambda x: x[[[0, 1], [2, 2]]], lambda x: x[torch.tensor([[0, 1], [2, 2]])], [(3, 2)])
    check(lambda x: x[1:, [0, 2]], lambda x: x[1:, [0, 2]], [(3, 4)])
    check(lambda x: x[[0, 1], [2, 0]], lambda x: x[[0, 1], [2, 0]], [(3, 4)])
    check(lambda x: x[..., Tensor([1, 1, 0])], lambda x: x[..., torch.tensor([1, 1, 0])], [(2, 2, 3)])
    assert Tensor.ones(3, 2)[Tensor(np.zeros(0, np.int32))].shape == (0, 2)


# ---------------------------------------------------------------------------------- shapes and windows

def test_diag_diagonal_meshgrid():
    for offset in (0, 1, -2, 5):
        check(lambda x, k=offset: x.diagonal(k), lambda x, k=offset: x.diagonal(k), [(3, 4)])
        check(lambda x, k=offset: x.diag(k), lambda x, k=offset: x.diag(k), [(3,)])
    check(lambda x: x.diagonal(1, 2, 0), lambda x: x.diagonal(1, 2, 0), [(3, 2, 4)])
    check(lambda x: x.diag(-1), lambda x: x.diag(-1), [(4, 3)])
    check(lambda a, b: Tensor.meshgrid(a, b, indexing="ij")[1] * 2 + Tensor.meshgrid(a, b, indexing="ij")[0],
          lambda a, b: torch.meshgrid(a, b, indexing="ij")[1] * 2 + torch.meshgrid(a, b, indexing="ij")[0],
          [(3,), (4,)])
    check(lambda a, b, c: sum(t * (i + 1) for i, t in enumerate(Tensor.meshgrid(a, b, c, indexing="xy"))),
          lambda a, b, c: sum(t * (i + 1) for i, t in enumerate(torch.meshgrid(a, b, c, indexing="xy"))),
          [(3,), (2,), (4,)])
    assert Tensor.zeros(0, 3).diagonal().shape == (0,)
    a, b = Tensor([1.0, 2.0]), Tensor([3.0, 4.0, 5.0])
    for grids in (a.meshgrid(b), Tensor.meshgrid([a, b])):  # tinygrad's and PyTorch's spellings
        np.testing.assert_array_equal(grids[1].numpy(), torch.meshgrid(torch.tensor([1.0, 2.0]),
                                                                       torch.tensor([3.0, 4.0, 5.0]), indexing="ij")[1])


def test_repeat_interleave_roll_unfold():
    check(lambda x: x.repeat_interleave(2, 1), lambda x: x.repeat_interleave(2, 1), [(2, 3)])
    check(lambda x: x.repeat_interleave(3), lambda x: x.repeat_interleave(3), [(2, 2)])
    check(lambda x: x.repeat_interleave([1, 0, 2], 0), lambda x: x.repeat_interleave(torch.tensor([1, 0, 2]), 0),
          [(3, 2)])
    check(lambda x: x.repeat_interleave(Tensor([2, 1]), dim=-1), lambda x: x.repeat_interleave(torch.tensor([2, 1]), -1),
          [(3, 2)])
    assert Tensor.ones(2, 3).repeat_interleave(0, 1).shape == (2, 0)
    check(lambda x: x.roll(2, 1), lambda x: x.roll(2, 1), [(2, 5)])
    check(lambda x: x.roll((-1, 7), (0, 1)), lambda x: x.roll((-1, 7), (0, 1)), [(3, 4)])
    check(lambda x: x.roll(3), lambda x: x.roll(3), [(2, 3)])
    check(lambda x: x.unfold(1, 3, 2), lambda x: x.unfold(1, 3, 2), [(2, 7)])
    check(lambda x: x.unfold(0, 2, 1), lambda x: x.unfold(0, 2, 1), [(4, 2)])
    assert Tensor.ones(5).unfold(0, 0, 2).shape == torch.ones(5).unfold(0, 0, 2).shape
    with pytest.raises(ValueError, match="unfold"):
        Tensor.ones(3).unfold(0, 4, 1)


@pytest.mark.parametrize("call,match", [
    (lambda: Tensor.ones(3).unfold(0, 1.5, 1), "unfold: size"), (lambda: Tensor.ones(3).topk(1.0), "topk: k"),
    (lambda: Tensor.ones(3).roll(0.5, 0), "roll: shift"), (lambda: Tensor.ones(3).repeat_interleave(2.0), "repeat_interleave"),
    (lambda: Tensor.ones(3).repeat_interleave([1.0, 2.0, 1.0]), "repeat_interleave"),
    (lambda: Tensor.ones(2, 2).diagonal(0.5), "diagonal: offset"), (lambda: Tensor.ones(2, 2).diagonal(0, 1, 1), "diagonal"),
    (lambda: Tensor.ones(3).scatter(0, Tensor([0.0]), 1.0), "scatter: index"),
    (lambda: Tensor.ones(3).scatter_reduce(0, Tensor([0]), Tensor([1.0]), "max"), "scatter_reduce: reduce"),
    (lambda: Tensor.ones(1, 1, 3).max_pool1d(2, padding=2), "max_pool1d"),
    (lambda: Tensor.ones(1, 2, 3).conv1d(Tensor.ones(1, 3, 2)), "conv1d"),
    (lambda: Tensor.einsum("...i,...i...", Tensor.ones(2), Tensor.ones(2)), "einsum"),
    (lambda: Tensor.ones(2, 2).pad((1, 1), mode="wrap"), "pad: unknown mode"),
])
def test_bad_arguments_name_the_call(call, match):
    from tinyir.errors import TensorArgumentError

    with pytest.raises(TensorArgumentError, match=match):
        call()


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_pad_modes(mode):
    check(lambda x: x.pad((2, 1), mode=mode), lambda x: F.pad(x, (2, 1), mode=mode), [(2, 3, 4)])
    check(lambda x: x.pad((1, 2, 2, 0), mode=mode), lambda x: F.pad(x, (1, 2, 2, 0), mode=mode), [(1, 2, 3, 4)])
    check(lambda x: x.pad((-1, 2), mode=mode), lambda x: F.pad(x, (-1, 2), mode=mode), [(1, 2, 4)])
    if mode == "replicate":  # any amount
        check(lambda x: x.pad((3, 3), mode=mode), lambda x: F.pad(x, (3, 3), mode=mode), [(1, 2, 2)])
    else:
        with pytest.raises(ValueError, match=mode):
            Tensor.ones(1, 2, 2).pad((3, 3), mode=mode)


def test_einsum_ellipsis():
    check(lambda a, b: Tensor.einsum("...ij,...jk->...ik", a, b), lambda a, b: torch.einsum("...ij,...jk->...ik", a, b),
          [(2, 3, 4), (2, 4, 5)])
    check(lambda a, b: Tensor.einsum("b...i,bi->b...", a, b), lambda a, b: torch.einsum("b...i,bi->b...", a, b),
          [(2, 3, 2, 4), (2, 4)])
    check(lambda a, b: Tensor.einsum("...i,...i", a, b), lambda a, b: torch.einsum("...i,...i", a, b),
          [(2, 3, 4), (3, 4)])
    check(lambda a: Tensor.einsum("i...->...", a), lambda a: torch.einsum("i...->...", a), [(3, 2)])
    check(lambda a: Tensor.einsum("...ii->...i", a), lambda a: torch.einsum("...ii->...i", a), [(2, 3, 3)])


# ---------------------------------------------------------------------------------- interpolate

@pytest.mark.parametrize("mode,shape,size,align", [
    ("nearest", (1, 2, 5), 8, None), ("nearest", (1, 1, 6, 4), (3, 7), None), ("nearest-exact", (1, 1, 5), 3, None),
    ("nearest-exact", (1, 1, 3, 4), (5, 2), None), ("linear", (2, 1, 5), 8, False), ("linear", (1, 2, 6), 4, True),
    ("bilinear", (1, 2, 3, 4), (5, 3), False), ("bilinear", (1, 1, 4, 4), (7, 2), True),
    ("trilinear", (1, 1, 2, 3, 2), (3, 2, 4), False), ("trilinear", (1, 1, 3, 2, 2), (2, 3, 3), True),
    ("linear", (1, 1, 4), 1, True)])
def test_interpolate(mode, shape, size, align):
    kw = {} if align is None else {"align_corners": align}
    check(lambda x: x.interpolate(size=size, mode=mode, **kw), lambda x: F.interpolate(x, size=size, mode=mode, **kw),
          [shape])


def test_interpolate_scale_factor_and_errors():
    check(lambda x: x.interpolate(scale_factor=1.7, mode="nearest"),
          lambda x: F.interpolate(x, scale_factor=1.7, mode="nearest"), [(1, 1, 5)])
    check(lambda x: x.interpolate(scale_factor=(0.5, 2.5), mode="bilinear"),
          lambda x: F.interpolate(x, scale_factor=(0.5, 2.5), mode="bilinear"), [(1, 1, 4, 3)])
    a = np.array([[[1.0, INF, 3.0, NAN, 5.0]]], np.float32)  # a non-finite value stays in its own outputs
    _same(Tensor(a).interpolate(size=9, mode="linear").numpy(), F.interpolate(torch.tensor(a), size=9, mode="linear"))
    ints = np.array([[[2**30 + 1, -5, 7]]], np.int32)  # nearest copies exactly in any dtype
    np.testing.assert_array_equal(Tensor(ints).interpolate(size=5, mode="nearest").numpy(),
                                  F.interpolate(torch.tensor(ints).double(), size=5, mode="nearest").long().numpy())
    with pytest.raises(TypeError, match="float"):
        Tensor(ints).interpolate(size=2)
    with pytest.raises(ValueError, match="spatial"):
        Tensor.ones(1, 1, 4).interpolate(size=(2, 2), mode="bilinear")
    with pytest.raises(ValueError, match="mode"):
        Tensor.ones(1, 1, 4).interpolate(size=2, mode="bicubicle")


# ---------------------------------------------------------------------------------- conv and pooling

def test_conv1d_conv3d():
    check(lambda x, w, b: x.conv1d(w, b, stride=2, padding=1), lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1),
          [(2, 4, 7), (6, 4, 3), (6,)])
    check(lambda x, w, b: x.conv1d(w, b, stride=2, padding=1, groups=2),
          lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1, groups=2), [(2, 4, 7), (6, 2, 3), (6,)])
    check(lambda x, w: x.conv1d(w, dilation=2, padding="same"), lambda x, w: F.conv1d(x, w, dilation=2, padding="same"),
          [(1, 2, 6), (3, 2, 2)])
    check(lambda x, w: x.conv1d(w), lambda x, w: F.conv1d(x, w), [(2, 5), (3, 2, 2)])  # unbatched
    check(lambda x, w, b: x.conv3d(w, b, padding=(1, 0, 1), stride=(1, 2, 1)),
          lambda x, w, b: F.conv3d(x, w, b, padding=(1, 0, 1), stride=(1, 2, 1)), [(1, 2, 3, 4, 3), (2, 2, 2, 2, 2), (2,)])


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("ceil_mode", [False, True])
def test_pools(nd, ceil_mode):
    shape = {1: (1, 2, 7), 2: (1, 1, 5, 6), 3: (1, 1, 4, 5, 3)}[nd]
    name = {1: "1d", 2: "2d", 3: "3d"}[nd]
    tmax, tavg = getattr(F, f"max_pool{name}"), getattr(F, f"avg_pool{name}")
    check(lambda x: getattr(x, f"max_pool{name}")(3 if nd < 3 else 2, stride=2, padding=1, ceil_mode=ceil_mode),
          lambda x: tmax(x, 3 if nd < 3 else 2, stride=2, padding=1, ceil_mode=ceil_mode), [shape])
    for include in (True, False):
        check(lambda x, inc=include: getattr(x, f"avg_pool{name}")(3 if nd < 3 else 2, stride=2, padding=1,
                                                                   ceil_mode=ceil_mode, count_include_pad=inc),
              lambda x, inc=include: tavg(x, 3 if nd < 3 else 2, stride=2, padding=1, ceil_mode=ceil_mode,
                                          count_include_pad=inc),
              [shape])


def test_max_pool_indices_and_unpool():
    a = np.random.default_rng(3).permutation(60).reshape(1, 2, 5, 6).astype(np.float32)
    for kw in ({"kernel_size": 2}, {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
               {"kernel_size": (2, 3), "stride": 1, "dilation": 2}):
        values, idx = Tensor(a).max_pool2d(**kw, return_indices=True)
        tvalues, tidx = F.max_pool2d(torch.tensor(a), **kw, return_indices=True)
        _same(values.numpy(), tvalues)
        np.testing.assert_array_equal(idx.numpy(), tidx.numpy())
    nan = np.array([[[[1.0, NAN, 2.0], [5.0, NAN, 9.0]]]], np.float32)  # the last NaN of a window, as PyTorch
    np.testing.assert_array_equal(Tensor(nan).max_pool2d(2, stride=1, return_indices=True)[1].numpy(),
                                  F.max_pool2d(torch.tensor(nan), 2, stride=1, return_indices=True)[1].numpy())
    values, idx = Tensor(a).max_pool2d(2, return_indices=True)
    tvalues, tidx = F.max_pool2d(torch.tensor(a), 2, return_indices=True)
    check(lambda v: v.max_unpool2d(idx, 2), lambda v: F.max_unpool2d(v, tidx, 2), [tuple(tvalues.shape)])
    check(lambda v: v.max_unpool2d(idx, 2, output_size=(5, 6)), lambda v: F.max_unpool2d(v, tidx, 2, output_size=(5, 6)),
          [tuple(tvalues.shape)])
    v1, i1 = Tensor(a[0]).max_pool1d(2, return_indices=True)
    tv1, ti1 = F.max_pool1d(torch.tensor(a[0]), 2, return_indices=True)
    np.testing.assert_array_equal(i1.numpy(), ti1.numpy())
    _same(v1.max_unpool1d(i1, 2).numpy(), F.max_unpool1d(tv1, ti1, 2))


# ---------------------------------------------------------------------------------- reductions and arguments

def test_reductions_over_zero_size_axes():
    for shape, axis in (((0,), None), ((2, 0), 1), ((0, 3), 0), ((0, 3), 1)):
        x, tx = Tensor.zeros(*shape), torch.zeros(*shape)
        tdim = {} if axis is None else {"dim": axis}
        _same(x.sum(axis).numpy(), tx.sum(**tdim))
        _same(x.prod(axis).numpy(), tx.prod(**tdim) if axis is not None else tx.prod())
        _same(x.mean(axis).numpy(), tx.mean(**tdim))
        if 0 in [shape[a] for a in ((axis,) if axis is not None else range(len(shape)))]:
            with pytest.raises((ValueError, RuntimeError, IndexError)):
                x.max(axis)
            with pytest.raises((RuntimeError, IndexError)):
                tx.amax(**tdim)
        else:
            _same(x.max(axis).numpy(), tx.amax(**tdim))
    check(lambda x: x.sum(1) + x.prod(1), lambda x: x.sum(1) + x.prod(1), [(3, 0)])


def test_sum_prod_dtype():
    a = np.array([[100, 100, 100], [-128, -1, 2]], np.int8)
    np.testing.assert_array_equal(Tensor(a).sum(1, dtype=dtypes.int8).numpy(),
                                  torch.tensor(a).sum(1, dtype=torch.int8).numpy())
    np.testing.assert_array_equal(Tensor(a).prod(1, dtype=dtypes.int32).numpy(),
                                  torch.tensor(a).prod(1, dtype=torch.int32).numpy())
    assert Tensor(a).sum(dtype=dtypes.float32).dtype == dtypes.float32
    check(lambda x: x.sum(0, dtype=dtypes.float32), lambda x: x.sum(0, dtype=torch.float32), [(3, 2)])
    check(lambda x: x.prod(dtype=dtypes.float32), lambda x: x.prod(dtype=torch.float32), [(2, 3)])


def test_sdpa_enable_gqa():
    check(lambda q, k, v: q.scaled_dot_product_attention(k, v, enable_gqa=True),
          lambda q, k, v: F.scaled_dot_product_attention(q, k, v, enable_gqa=True), [(1, 4, 3, 2), (1, 2, 5, 2), (1, 2, 5, 3)])
    check(lambda q, k, v: q.scaled_dot_product_attention(k, v, is_causal=True, enable_gqa=True),
          lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True),
          [(2, 2, 3, 2), (2, 1, 3, 2), (2, 1, 3, 2)])
    with pytest.raises(ValueError, match="heads"):
        Tensor.ones(1, 3, 2, 2).scaled_dot_product_attention(Tensor.ones(1, 2, 2, 2), Tensor.ones(1, 2, 2, 2),
                                                             enable_gqa=True)


def test_nll_loss_weight_and_bce_pos_weight():
    labels = np.array([0, 2, 1, 2, -100], np.int32)
    weight = np.array([0.5, 2.0, 1.5], np.float32)
    tl = torch.tensor(labels, dtype=torch.long)
    for reduction in ("mean", "sum", "none"):
        check(lambda x, r=reduction: x.log_softmax(-1).nll_loss(Tensor(labels), weight=Tensor(weight), reduction=r),
              lambda x, r=reduction: F.nll_loss(x.log_softmax(-1), tl, weight=torch.tensor(weight), reduction=r),
              [(5, 3)])
    check(lambda x: x.log_softmax(-1).nll_loss(Tensor(labels)), lambda x: F.nll_loss(x.log_softmax(-1), tl), [(5, 3)])
    y = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.25]], np.float32)
    pw = np.array([2.0, 0.5, 3.0], np.float32)
    ty = torch.tensor(y)
    check(lambda x: x.binary_crossentropy_logits(Tensor(y), pos_weight=Tensor(pw)),
          lambda x: F.binary_cross_entropy_with_logits(x, ty, pos_weight=torch.tensor(pw)), [(2, 3)], low=-4, high=4)
    check(lambda x: x.binary_crossentropy_logits(Tensor(y), reduction="none", pos_weight=2.0),
          lambda x: F.binary_cross_entropy_with_logits(x, ty, reduction="none", pos_weight=torch.tensor(2.0)), [(2, 3)])
    # probabilities: PyTorch's form of the same loss, -(pw y log p + (1 - y) log(1 - p))
    check(lambda x: x.sigmoid().binary_crossentropy(Tensor(y), pos_weight=Tensor(pw)),
          lambda x: F.binary_cross_entropy_with_logits(x, ty, pos_weight=torch.tensor(pw)), [(2, 3)], low=-3, high=3)


# ---------------------------------------------------------------------------------- zero-size shapes

EMPTY_INDEX = np.zeros((0, 3), np.int32)
ZERO_SIZE = {
    "roll": (lambda x: x.roll(1, 0), lambda x: x.roll(1, 0), [(0, 3)]),
    "conv1d": (lambda x, w: x.conv1d(w), lambda x, w: F.conv1d(x, w), [(0, 3, 4), (2, 3, 2)]),
    "max_pool1d": (lambda x: x.max_pool1d(2), lambda x: F.max_pool1d(x, 2), [(0, 2, 4)]),
    "avg_pool3d": (lambda x: x.avg_pool3d(2, ceil_mode=True), lambda x: F.avg_pool3d(x, 2, ceil_mode=True),
                   [(0, 1, 3, 3, 3)]),
    "interpolate": (lambda x: x.interpolate(size=5), lambda x: F.interpolate(x, size=5, mode="linear"), [(0, 2, 3)]),
    "normalize": (lambda x: x.normalize(), F.normalize, [(0, 3)]),
    "logaddexp": (lambda x, y: x.logaddexp(y), torch.logaddexp, [(2, 0), (2, 0)]),
    "atan": (lambda x: x.atan(), torch.atan, [(0,)]),
    "scatter_reduce": (lambda x: x.scatter_reduce(0, Tensor(EMPTY_INDEX), x[:0], "amax"),
                       lambda x: x.scatter_reduce(0, torch.tensor(EMPTY_INDEX, dtype=torch.long), x[:0], "amax"), [(2, 3)]),
    "diag": (lambda x: x.diag(), torch.diag, [(0,)]),
    "unfold": (lambda x: x.unfold(1, 2, 1), lambda x: x.unfold(1, 2, 1), [(0, 3)]),
    "cummin": (lambda x: x.cummin(1)[0], lambda x: torch.cummin(x, 1)[0], [(0, 3)]),
    "pad_reflect": (lambda x: x.pad((1, 1), mode="reflect"), lambda x: F.pad(x, (1, 1), mode="reflect"), [(0, 2, 3)]),
    "einsum": (lambda x: Tensor.einsum("...i,...i->...", x, x), lambda x: torch.einsum("...i,...i->...", x, x),
               [(0, 3)]),
    "sort": (lambda x: x.sort(0)[0], lambda x: torch.sort(x, 0)[0], [(0, 3)]),
    "topk": (lambda x: x.topk(1, 1)[0], lambda x: torch.topk(x, 1, 1)[0], [(0, 3)]),
    "masked_select": (lambda x: x.masked_select(Tensor(np.zeros((0, 3), np.bool_))),
                      lambda x: x.masked_select(torch.zeros((0, 3), dtype=torch.bool)), [(0, 3)]),
}


@pytest.mark.parametrize("case", list(ZERO_SIZE))
def test_zero_size_shapes(case):
    fn, tfn, shapes = ZERO_SIZE[case]
    check(fn, tfn, shapes)


# ---------------------------------------------------------------------------------- other devices

DEVICE_CASES = {
    "sort": (lambda x: x.sort(-1)[0] + x.argsort(0).float(), lambda x: torch.sort(x, -1)[0] + torch.argsort(x, 0).float(), (3, 4)),
    "cummax": (lambda x: x.cummax(1)[0], lambda x: torch.cummax(x, 1)[0], (2, 5)),
    "scatter_reduce": (lambda x: x.scatter_reduce(0, Tensor([[0, 1], [0, 0]]), x[:2, :2] * 2, "amax", include_self=False),
                       lambda x: x.scatter_reduce(0, torch.tensor([[0, 1], [0, 0]]), x[:2, :2] * 2, "amax",
                                                  include_self=False), (3, 3)),
    "atan_erf": (lambda x: (x * 3).atan() + x.erf() + x.acos() * 0.5, lambda x: (x * 3).atan() + x.erf() + x.acos() * 0.5, (2, 4)),
    "interpolate": (lambda x: x.interpolate(size=(3, 5), mode="bilinear", align_corners=True),
                    lambda x: F.interpolate(x, size=(3, 5), mode="bilinear", align_corners=True), (1, 1, 2, 3)),
    "pad_pool": (lambda x: x.pad((1, 2), mode="reflect").max_pool1d(2, ceil_mode=True),
                 lambda x: F.max_pool1d(F.pad(x, (1, 2), mode="reflect"), 2, ceil_mode=True), (1, 2, 5)),
    "conv1d": (lambda x: x.conv1d(x[:2, :, :2] * 0.5, padding=1), lambda x: F.conv1d(x, x[:2, :, :2] * 0.5, padding=1), (2, 3, 4)),
}


@pytest.mark.parametrize("device", ["opencl", "reference", "c"])
@pytest.mark.parametrize("case", list(DEVICE_CASES))
def test_on_other_devices(device, case):
    fn, tfn, shape = DEVICE_CASES[case]
    previous, Device.DEFAULT = Device.DEFAULT, device
    try:
        check(fn, tfn, [shape], low=-0.9, high=0.9)
    finally:
        Device.DEFAULT = previous
