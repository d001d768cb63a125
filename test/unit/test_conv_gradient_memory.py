"""Convolution gradients (CONV-GRAD, tinyir/frontend/functional.py conv2d, pooling.py _conv): the
input is broadcast over the output channels before its windows are taken, so the input's gradient
is one reduce over the output channels (a transposed convolution) and no windows-sized tensor
(N, Cin, OH, OW, KH, KW) is ever realized. Values against PyTorch (float64)."""

from __future__ import annotations

import gc

import numpy as np
import pytest
import torch

from tinyir import Tensor
from tinyir.runtime.buffer import allocator_for

CASES = {  # (input shape, weight shape, keyword arguments)
    "plain": ((2, 3, 9, 8), (4, 3, 3, 3), {}),
    "stride and padding": ((2, 3, 9, 8), (4, 3, 3, 2), {"stride": 2, "padding": 1}),
    "dilation": ((1, 2, 10, 10), (3, 2, 3, 3), {"dilation": 2}),
    "groups": ((2, 4, 7, 7), (6, 2, 3, 3), {"groups": 2, "padding": 1}),
}


def _grads(shape_x, shape_w, kwargs, nd=2):
    rng = np.random.default_rng(0)
    x_np = rng.normal(size=shape_x).astype(np.float32)
    w_np = rng.normal(size=shape_w).astype(np.float32)
    b_np = rng.normal(size=shape_w[0]).astype(np.float32)
    g_np = None
    x, w, b = (Tensor(v, requires_grad=True) for v in (x_np, w_np, b_np))
    conv = {1: Tensor.conv1d, 2: Tensor.conv2d, 3: Tensor.conv3d}[nd]
    out = conv(x, w, b, **kwargs)
    g_np = rng.normal(size=out.shape).astype(np.float32)
    (out * Tensor(g_np)).sum().backward()
    tx, tw, tb = (torch.tensor(v.astype(np.float64), requires_grad=True) for v in (x_np, w_np, b_np))
    tconv = {1: torch.nn.functional.conv1d, 2: torch.nn.functional.conv2d, 3: torch.nn.functional.conv3d}[nd]
    tout = tconv(tx, tw, tb, **kwargs)
    (tout * torch.tensor(g_np.astype(np.float64))).sum().backward()
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-5, atol=1e-5)
    for got, want in ((x.grad, tx.grad), (w.grad, tw.grad), (b.grad, tb.grad)):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("case", list(CASES))
def test_conv2d_gradients_match_pytorch(case):
    _grads(*CASES[case])


def test_conv1d_and_conv3d_gradients_match_pytorch():
    _grads((2, 3, 11), (4, 3, 3), {"padding": 1, "stride": 2}, nd=1)
    _grads((1, 2, 5, 6, 5), (3, 2, 2, 3, 2), {"padding": 1}, nd=3)


def test_the_input_gradient_never_holds_every_window():
    """The backward of a 3x3 convolution holds about the input's gradient, not nine times it."""
    rng = np.random.default_rng(1)
    n, cin, cout, size = 4, 8, 16, 16
    x = Tensor(rng.normal(size=(n, cin, size, size)).astype(np.float32), requires_grad=True)
    w = Tensor(rng.normal(size=(cout, cin, 3, 3)).astype(np.float32), requires_grad=True)
    x.realize(), w.realize()
    loss = x.conv2d(w).relu().sum()
    allocator = allocator_for("cpu")
    gc.collect()
    allocator.peak = allocator.in_use
    start = allocator.in_use
    loss.backward()
    Tensor.realize(x.grad, w.grad)
    windows = n * cin * (size - 2) ** 2 * 9 * 4  # the (N, Cin, OH, OW, KH, KW) gradient, in bytes
    assert allocator.peak - start < windows / 2
