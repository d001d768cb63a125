"""Windows as views (tinyir/frontend/windows.py WINDOW-VIEW) and the shapetracker rules that fold
them (DIGIT-WRAP, DIGIT-SPLIT in tinyir/shapetracker/view.py): both window forms against a numpy
gather, which form `windows` picks, one view per unpadded window, and affine digits (no idiv/mod)
under padding. `TINYIR_TEST_DEVICE=opencl` (or cuda) runs the Tensor tests there."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from test_tensor_helpers import tensor_test_device  # noqa: F401 - an autouse fixture: TINYIR_TEST_DEVICE

from tinyir import Tensor
from tinyir.frontend.windows import window_slices, window_views, windows
from tinyir.shapetracker import NumpyBuilder, ShapeTracker, StringBuilder, View
from tinyir.shapetracker import view as view_module

GEOMETRIES = [  # (input shape, kernel, stride, dilation)
    ((2, 3, 7, 8), (3, 3), (1, 1), (1, 1)),
    ((1, 2, 9, 8), (3, 2), (2, 2), (1, 1)),
    ((1, 1, 10, 10), (3, 3), (1, 1), (2, 2)),
    ((2, 5), (2,), (2,), (1,)),
    ((1, 7, 9), (2, 3), (2, 3), (1, 1)),
    ((3, 8, 8), (2, 2), (3, 3), (1, 1)),
    ((1, 8, 8), (2, 2), (5, 5), (1, 1)),     # out*stride past the input: the last window still fits
    ((4, 11), (3,), (5,), (2,)),
    ((2, 6, 6, 6), (2, 3, 2), (1, 2, 3), (2, 1, 1)),
    ((1, 1, 4, 4), (4, 4), (1, 1), (1, 1)),  # one window: the whole input
    ((5,), (1,), (3,), (1,)),
    ((3, 13), (3,), (4,), (3,)),
]


def gathered(a: np.ndarray, kernel, stride, dilation) -> np.ndarray:
    nd = len(kernel)
    out = [(n - d * (k - 1) - 1) // s + 1 for n, k, s, d in zip(a.shape[-nd:], kernel, stride, dilation)]
    res = np.zeros(a.shape[:-nd] + tuple(out) + tuple(kernel), a.dtype)
    for o in itertools.product(*map(range, out)):
        for j in itertools.product(*map(range, kernel)):
            res[(...,) + o + j] = a[(...,) + tuple(oo * s + jj * d for oo, jj, s, d in zip(o, j, stride, dilation))]
    return res


@pytest.mark.parametrize("form", [window_views, window_slices])
@pytest.mark.parametrize("shape, kernel, stride, dilation", GEOMETRIES)
def test_both_forms_gather_the_windows(form, shape, kernel, stride, dilation) -> None:
    a = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    got = form(Tensor(a), kernel, stride, dilation).numpy()
    np.testing.assert_array_equal(got, gathered(a, kernel, stride, dilation))


def _ops(t: Tensor) -> set[str]:
    seen, todo, ops = set(), [t.lazydata], set()
    while todo:
        node = todo.pop()
        if id(node) not in seen:
            seen.add(id(node))
            ops.add(node.op)
            todo.extend(node.srcs)
    return ops


def test_windows_picks_views_only_where_they_pay(monkeypatch: pytest.MonkeyPatch) -> None:
    """Views (no pad of the stacked slices) for unpadded, dense or disjoint windows without a
    gradient; slices for padding, strided overlapping windows, and a gradient flowing into x."""
    x = Tensor(np.ones((1, 2, 8, 8), np.float32))
    assert "pad" not in _ops(windows(x, (3, 3), (1, 1), (1, 1)))     # dense
    assert "pad" not in _ops(windows(x, (2, 2), (2, 2), (1, 1)))     # disjoint (a 2x2 pool)
    assert "pad" in _ops(windows(x, (3, 3), (2, 2), (1, 1)))         # strided and overlapping
    assert "pad" in _ops(windows(x, (3, 3), (1, 1), (2, 2)))         # dilated
    assert "pad" in _ops(windows(x.pad([None, None, (1, 1), (1, 1)]), (3, 3), (1, 1), (1, 1)))
    w = Tensor(np.ones((1, 2, 8, 8), np.float32), requires_grad=True)
    assert "pad" in _ops(windows(w * 2, (3, 3), (1, 1), (1, 1)))
    monkeypatch.setattr(Tensor, "no_grad", True)
    assert "pad" not in _ops(windows(w * 2, (3, 3), (1, 1), (1, 1)))


def repeat_windows(n: int, k: int, d: int, s: int, o: int) -> ShapeTracker:
    """WINDOW-VIEW's movements of one size-n dim, on a shapetracker."""
    row = n * max(1, -(-(o * s - d) // n)) + d
    r = -(-k * row // n)
    t = ShapeTracker.contiguous((n,)).reshape((1, n)).expand((r, n)).reshape((r * n,))
    t = t.shrink(((0, k * row),)).reshape((k, row)).shrink(((0, k), (0, o * s)))
    return t.reshape((k, o, s)).shrink(((0, k), (0, o), (0, 1))).reshape((k, o)).permute((1, 0))


def test_digit_wrap_folds_a_repeated_input_into_one_view() -> None:
    tracker = repeat_windows(n=16, k=3, d=1, s=1, o=14)
    assert len(tracker.views) == 2
    merged = tracker.simplify()
    assert merged.views == (View.create((14, 3), (1, 1)),)
    strided = repeat_windows(n=17, k=3, d=2, s=3, o=5).simplify()
    assert strided.views == (View.create((5, 3), (3, 2)),)


def test_digit_wrap_needs_an_ignored_outer_dim() -> None:
    """The same upper view over a lower whose outer dim is read (rows 32 apart, not an expand) does
    not merge: its index keeps the division."""
    upper = View.create((14, 3), (1, 17))
    read_outer = View.create((4, 16), (32, 1))
    assert view_module._split_digits(read_outer, upper) is None
    assert view_module.merge_views(read_outer, upper) is None
    ignored = View.create((4, 16), (0, 1))
    assert view_module.merge_views(ignored, upper) == View.create((14, 3), (1, 1))


def test_digit_split_gives_padded_windows_affine_indices() -> None:
    """A padded input under window views stays two views (the mask bounds o + j), and its index
    is built without idiv/mod, reading what the division path reads."""
    n, k = 6, 3  # padded to 8; rows of 9, 4 repeats; 6 windows
    padded = ShapeTracker.contiguous((n,)).pad(((1, 1),))
    t = padded.reshape((1, n + 2)).expand((4, n + 2)).reshape((4 * (n + 2),))
    t = t.shrink(((0, k * (n + 3)),)).reshape((k, n + 3)).shrink(((0, k), (0, n))).permute((1, 0))
    t = t.simplify()
    assert len(t.views) == 2
    index, valid = t.index_and_valid(["o", "j"], StringBuilder())
    assert "/" not in index and "%" not in index and "/" not in valid
    idxs = list(np.indices(t.shape))
    split = t.index_and_valid(idxs, NumpyBuilder())
    original = view_module._split_digits
    try:
        view_module._split_digits = lambda lower, upper: None
        divided = t.index_and_valid(idxs, NumpyBuilder())
    finally:
        view_module._split_digits = original
    np.testing.assert_array_equal(np.broadcast_to(split[1], t.shape), np.broadcast_to(divided[1], t.shape))
    valid_mask = np.broadcast_to(split[1], t.shape)
    np.testing.assert_array_equal(np.broadcast_to(split[0], t.shape)[valid_mask],
                                  np.broadcast_to(divided[0], t.shape)[valid_mask])


@pytest.mark.parametrize("kwargs", [{}, {"padding": 1}, {"stride": 2}, {"dilation": 2}, {"groups": 2}])
def test_conv_and_pools_in_the_view_form_match_torch(kwargs) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((2, 4, 11, 10)).astype(np.float32), rng.standard_normal((6, 4 // kwargs.get("groups", 1), 3, 3)).astype(np.float32)
    got = Tensor(x).conv2d(Tensor(w), **kwargs).numpy()
    want = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), **kwargs).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(Tensor(x).max_pool2d(3, 1).numpy(), torch.nn.functional.max_pool2d(torch.tensor(x), 3, 1).numpy())
    np.testing.assert_allclose(Tensor(x).avg_pool2d(2).numpy(), torch.nn.functional.avg_pool2d(torch.tensor(x), 2).numpy(),
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("shape, kernel, stride, dilation", GEOMETRIES[:6])
def test_both_forms_have_the_same_gradient(shape, kernel, stride, dilation) -> None:
    """The view form is taken without a gradient, but one may still flow through it (requires_grad
    set after the windows were built): its gradient (a sum over the repeats) is the slice form's."""
    rng = np.random.default_rng(2)
    a = rng.standard_normal(shape).astype(np.float32)
    g = rng.standard_normal(gathered(a, kernel, stride, dilation).shape).astype(np.float32)
    grads = []
    for form in (window_views, window_slices):
        x = Tensor(a, requires_grad=True)
        (form(x, kernel, stride, dilation) * Tensor(g)).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-5, atol=1e-5)
