"""Every reduction and scan method of Tensor on shapes with a 0 dim, against PyTorch: the same values
(shape and dtype included), or, where PyTorch raises, tinyir's own TensorArgumentError. Gradients
where the method has one (the gradient of an empty input is an empty tensor; of a non-empty result of
an empty reduction it is whatever flows back: nothing)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from test_tensor_helpers import tensor_test_device  # noqa: F401 - an autouse fixture
from tinyir import Tensor
from tinyir.errors import TensorArgumentError

# (shape, axis): axis None reduces everything
SHAPES = [((0,), None), ((0,), 0), ((2, 0), 1), ((2, 0), None), ((0, 3), 0), ((0, 3), 1), ((2, 0, 3), 1)]


def _ax(axis):
    return {} if axis is None else {"dim": axis}


def _first(r):
    return r[0] if isinstance(r, tuple) else r


def _torch_first(r):
    return r.values if hasattr(r, "values") else r[0] if isinstance(r, tuple) else r


# name -> (tinyir fn(x, axis), torch fn(t, axis)); None axis only where the method takes it
METHODS = {
    "sum": (lambda x, a: x.sum(a), lambda t, a: t.sum(**_ax(a))),
    "sum_keepdim": (lambda x, a: x.sum(a, keepdim=True), lambda t, a: t.sum(**_ax(a), keepdim=True) if a is not None
                    else t.sum().reshape([1] * t.ndim)),
    "prod": (lambda x, a: x.prod(a), lambda t, a: t.prod(**_ax(a)) if a is not None else t.prod()),
    "mean": (lambda x, a: x.mean(a), lambda t, a: t.mean(**_ax(a))),
    "max": (lambda x, a: x.max(a), lambda t, a: t.amax(**_ax(a))),
    "min": (lambda x, a: x.min(a), lambda t, a: t.amin(**_ax(a))),
    "argmax": (lambda x, a: x.argmax(a), lambda t, a: t.argmax(**_ax(a))),
    "argmin": (lambda x, a: x.argmin(a), lambda t, a: t.argmin(**_ax(a))),
    "std": (lambda x, a: x.std(a), lambda t, a: t.std(**_ax(a))),
    "var": (lambda x, a: x.var(a), lambda t, a: t.var(**_ax(a))),
    "var_no_correction": (lambda x, a: x.var(a, correction=0), lambda t, a: t.var(**_ax(a), correction=0)),
    "std_mean": (lambda x, a: x.std_mean(a)[0] + x.std_mean(a)[1], lambda t, a: sum(torch.std_mean(t, **_ax(a)))),
    "var_mean": (lambda x, a: x.var_mean(a)[0] * 2 + x.var_mean(a)[1],
                 lambda t, a: torch.var_mean(t, **_ax(a))[0] * 2 + torch.var_mean(t, **_ax(a))[1]),
    "logsumexp": (lambda x, a: x.logsumexp(a), lambda t, a: t.logsumexp(**_ax(a)) if a is not None
                  else t.reshape(-1).logsumexp(0)),
    "any": (lambda x, a: (x > 0).any(a), lambda t, a: (t > 0).any(**_ax(a))),
    "all": (lambda x, a: (x > 0).all(a), lambda t, a: (t > 0).all(**_ax(a))),
    "cumsum": (lambda x, a: x.cumsum(a), lambda t, a: t.cumsum(a)),
    "cumprod": (lambda x, a: x.cumprod(a), lambda t, a: t.cumprod(a)),
    "cummax": (lambda x, a: x.cummax(a)[0], lambda t, a: torch.cummax(t, a).values),
    "cummax_indices": (lambda x, a: x.cummax(a)[1], lambda t, a: torch.cummax(t, a).indices),
    "cummin": (lambda x, a: x.cummin(a)[0], lambda t, a: torch.cummin(t, a).values),
    "logcumsumexp": (lambda x, a: x.logcumsumexp(a), lambda t, a: t.logcumsumexp(a)),
    "softmax": (lambda x, a: x.softmax(a), lambda t, a: t.softmax(a)),
    "log_softmax": (lambda x, a: x.log_softmax(a), lambda t, a: t.log_softmax(a)),
    "softmin": (lambda x, a: x.softmin(a), lambda t, a: torch.nn.functional.softmin(t, a)),
    "sort": (lambda x, a: x.sort(a)[0], lambda t, a: torch.sort(t, a).values),
    "argsort": (lambda x, a: x.argsort(a), lambda t, a: torch.argsort(t, a)),
    "topk0": (lambda x, a: x.topk(0, a)[0], lambda t, a: torch.topk(t, 0, a).values),
    "sum_int": (lambda x, a: x.int().sum(a), lambda t, a: t.int().sum(**_ax(a))),
    "prod_int": (lambda x, a: x.int().prod(a), lambda t, a: t.int().prod(**_ax(a)) if a is not None else t.int().prod()),
    "max_int": (lambda x, a: x.int().max(a), lambda t, a: t.int().amax(**_ax(a))),
    "cumsum_int": (lambda x, a: x.int().cumsum(a), lambda t, a: t.int().cumsum(a)),
    "any_bool": (lambda x, a: x.bool().any(a), lambda t, a: t.bool().any(**_ax(a))),
}
SCANS = {"cumsum_int", "cumsum", "cumprod", "cummax", "cummax_indices", "cummin", "logcumsumexp", "softmax", "log_softmax", "softmin",
         "sort", "argsort", "topk0"}  # take one axis, no None
CASES = [(name, shape, axis) for name in METHODS for shape, axis in SHAPES if not (name in SCANS and axis is None)]


def _torch_dtype_as_numpy(want: np.ndarray) -> np.dtype:
    """tinyir's indices are int32 where PyTorch's are int64 (README); the rest keeps the dtype."""
    return np.dtype(np.int32) if want.dtype == np.int64 else want.dtype


@pytest.mark.parametrize("name,shape,axis", CASES, ids=[f"{n}-{s}-{a}" for n, s, a in CASES])
def test_zero_size(name, shape, axis):
    tiny_fn, torch_fn = METHODS[name]
    t = torch.zeros(shape, requires_grad=True)
    try:
        want = torch_fn(t, axis)
    except (RuntimeError, IndexError) as exc:
        with pytest.raises(TensorArgumentError):
            tiny_fn(Tensor.zeros(*shape), axis).numpy()
        assert str(exc)
        return
    x = Tensor.zeros(*shape, requires_grad=True)
    got = tiny_fn(x, axis)
    w = want.detach().numpy()
    g = got.numpy()
    assert g.shape == w.shape, f"shape {g.shape} != torch's {w.shape}"
    assert g.dtype == _torch_dtype_as_numpy(w), f"dtype {g.dtype} != torch's {w.dtype}"
    np.testing.assert_array_equal(g, w.astype(g.dtype))
    if not want.dtype.is_floating_point or not want.requires_grad:
        return
    want.sum().backward()
    (grad,) = got.sum().gradient(x)
    assert grad.shape == tuple(t.grad.shape)
    np.testing.assert_array_equal(grad.numpy(), t.grad.numpy())


EMPTY_LABELS = np.zeros(0, np.int32)
LOSSES = {
    "cross_entropy": (lambda x: x.cross_entropy(Tensor(EMPTY_LABELS)),
                      lambda t: torch.nn.functional.cross_entropy(t, torch.tensor(EMPTY_LABELS, dtype=torch.long))),
    "nll_loss": (lambda x: x.nll_loss(Tensor(EMPTY_LABELS)),
                 lambda t: torch.nn.functional.nll_loss(t, torch.tensor(EMPTY_LABELS, dtype=torch.long))),
    "all_ignored": (lambda x: Tensor.ones(2, 3).cross_entropy(Tensor([-100, -100])),
                    lambda t: torch.nn.functional.cross_entropy(torch.ones(2, 3), torch.tensor([-100, -100]))),
    "mse": (lambda x: ((x - 1) ** 2).mean(), lambda t: torch.nn.functional.mse_loss(t, torch.ones_like(t))),
    "normalize": (lambda x: x.normalize(dim=1), lambda t: torch.nn.functional.normalize(t, dim=1)),
    "layernorm": (lambda x: x.layernorm(), lambda t: torch.nn.functional.layer_norm(t, (3,), eps=1e-5)),
}


@pytest.mark.parametrize("name", list(LOSSES))
def test_losses_and_norms_of_an_empty_batch(name):
    """Means over nothing are NaN, as in PyTorch (0/0), also when every label is ignored."""
    tiny_fn, torch_fn = LOSSES[name]
    got, want = tiny_fn(Tensor.zeros(0, 3)).numpy(), torch_fn(torch.zeros(0, 3)).numpy()
    assert got.shape == want.shape
    np.testing.assert_array_equal(got, want)
