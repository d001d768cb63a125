"""Out-of-range indices are a TensorIndexError (an IndexError) where PyTorch raises, naming the call
and the bad value; in-range and (where PyTorch allows them) negative indices still give PyTorch's
values. tinyir/frontend/index_range.py."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from test_tensor_helpers import tensor_test_device  # noqa: F401 - an autouse fixture
from tinyir import Tensor
from tinyir.errors import TensorIndexError
from tinyir.nn import Embedding

X = np.arange(12, dtype=np.float32).reshape(3, 4)
ONES = np.ones((1, 4), np.float32)


def _both(tiny_fn, torch_fn, match: str) -> None:
    """torch raises (IndexError or RuntimeError), and tinyir raises TensorIndexError matching `match`."""
    with pytest.raises((IndexError, RuntimeError)):
        torch_fn()
    with pytest.raises(TensorIndexError, match=match):
        tiny_fn()


BAD = {
    "gather past the end": (lambda x: x.gather(1, Tensor([[0, 4]] * 3)),
                            lambda t: t.gather(1, torch.tensor([[0, 4]] * 3)), r"gather: index 4 .*dim 1 of size 4"),
    "gather negative": (lambda x: x.gather(1, Tensor([[0, -1]] * 3)),
                        lambda t: t.gather(1, torch.tensor([[0, -1]] * 3)), r"gather: index -1"),
    "scatter": (lambda x: x.scatter(0, Tensor([[3, 0, 0, 0]]), 1.0),
                lambda t: t.scatter(0, torch.tensor([[3, 0, 0, 0]]), 1.0), r"scatter: index 3 .*dim 0 of size 3"),
    "scatter add": (lambda x: x.scatter(0, Tensor([[0, 9, 0, 0]]), Tensor(ONES), reduce="add"),
                    lambda t: t.scatter_add(0, torch.tensor([[0, 9, 0, 0]]), torch.tensor(ONES)), r"index 9"),
}
for _mode in ("sum", "prod", "mean", "amax", "amin"):
    BAD[f"scatter_reduce {_mode}"] = (
        lambda x, m=_mode: x.scatter_reduce(0, Tensor([[0, -1, 0, 0]]), Tensor(ONES), m),
        lambda t, m=_mode: t.scatter_reduce(0, torch.tensor([[0, -1, 0, 0]]), torch.tensor(ONES), m),
        r"scatter_reduce: index -1")
BAD.update({
    "getitem": (lambda x: x[Tensor([0, 3])], lambda t: t[torch.tensor([0, 3])], r"getitem: index 3 .*\[1\]"),
    "getitem too negative": (lambda x: x[Tensor([-4])], lambda t: t[torch.tensor([-4])], r"getitem: index -4"),
    "getitem second dim": (lambda x: x[:, Tensor([[1], [4]])], lambda t: t[:, torch.tensor([[1], [4]])],
                           r"index 4 .*dim 1 of size 4"),
    "lazy index": (lambda x: x.gather(1, Tensor([[1, 2]] * 3) * 2),
                   lambda t: t.gather(1, torch.tensor([[1, 2]] * 3) * 2), r"gather: index 4"),
    "nll_loss": (lambda x: x.log_softmax(-1).nll_loss(Tensor([0, 1, 4])),
                 lambda t: torch.nn.functional.nll_loss(t.log_softmax(-1), torch.tensor([0, 1, 4])), r"nll_loss: index 4"),
    "cross_entropy": (lambda x: x.cross_entropy(Tensor([0, -2, 1])),
                      lambda t: torch.nn.functional.cross_entropy(t, torch.tensor([0, -2, 1])), r"cross_entropy: index -2"),
    "one_hot": (lambda x: Tensor([0, 5]).one_hot(3),
                lambda t: torch.nn.functional.one_hot(torch.tensor([0, 5]), 3), r"one_hot: index 5"),
})


@pytest.mark.parametrize("case", list(BAD))
def test_out_of_range_index_is_an_index_error(case):
    tiny_fn, torch_fn, match = BAD[case]
    _both(lambda: tiny_fn(Tensor(X)).numpy(), lambda: torch_fn(torch.tensor(X)), match)


def test_embedding_and_max_unpool():
    emb = Embedding(5, 2)
    with pytest.raises(TensorIndexError, match=r"Embedding: index 5 .*\[0, 1\].*vocabulary of size 5"):
        emb(Tensor([[1, 5]]))
    with pytest.raises(IndexError):
        torch.nn.Embedding(5, 2)(torch.tensor([[1, 5]]))
    with pytest.raises(TensorIndexError, match="Embedding: index -1"):
        emb(Tensor([-1]))
    a = np.random.default_rng(0).random((1, 1, 4, 4)).astype(np.float32)
    y, ind = Tensor(a).max_pool2d(2, return_indices=True)
    with pytest.raises(TensorIndexError, match=r"max_unpool2d: index 2\d .*16"):
        y.max_unpool2d(ind + 20, 2)
    ty, tind = torch.nn.functional.max_pool2d(torch.tensor(a), 2, return_indices=True)
    with pytest.raises(RuntimeError):
        torch.nn.functional.max_unpool2d(ty, tind + 20, 2)
    np.testing.assert_array_equal(y.max_unpool2d(ind, 2).numpy(), torch.nn.functional.max_unpool2d(ty, tind, 2).numpy())


def test_in_range_and_allowed_negative_indices_are_torchs():
    x, t = Tensor(X), torch.tensor(X)
    idx = np.array([0, -3, 2, -1], np.int32)
    np.testing.assert_array_equal(x[Tensor(idx)].numpy(), t[torch.tensor(idx, dtype=torch.long)].numpy())
    np.testing.assert_array_equal(x[:, Tensor([-1, 0])].numpy(), t[:, torch.tensor([-1, 0])].numpy())
    g = np.array([[3, 0], [1, 1], [0, 2]], np.int32)
    np.testing.assert_array_equal(x.gather(1, Tensor(g)).numpy(), t.gather(1, torch.tensor(g, dtype=torch.long)).numpy())
    np.testing.assert_allclose(x.cross_entropy(Tensor([0, -100, 3])).item(),
                               torch.nn.functional.cross_entropy(t, torch.tensor([0, -100, 3])).item(), rtol=1e-6)
    assert x.gather(1, Tensor(np.zeros((3, 0), np.int32))).shape == (3, 0)  # nothing to check


def test_setitem_with_an_out_of_range_tensor_index():
    x = Tensor(X.copy()).realize()
    with pytest.raises(TensorIndexError, match="getitem: index 3"):
        x[Tensor([3])] = 1.0
    x[Tensor([-1])] = 7.0
    want = X.copy()
    want[-1] = 7.0
    np.testing.assert_array_equal(x.numpy(), want)
