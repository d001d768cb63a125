"""A few Tensor programs on the compiling devices (the other Tensor tests use the reference
interpreter): forward and backward of a small MLP, softmax, conv2d and random numbers."""

from __future__ import annotations

import numpy as np
import pytest

from tinyir import Tensor


def _devices() -> list[str]:
    out = ["cpu"]
    try:
        import pyopencl  # noqa: F401

        out.append("opencl")
    except ImportError:
        pass
    return out


@pytest.mark.parametrize("device", _devices())
def test_mlp_step_on_device(device):
    rng = np.random.default_rng(0)
    xs, w1s, w2s = (rng.normal(size=s).astype(np.float32) for s in ((8, 5), (5, 6), (6, 3)))
    labels = np.array([0, 1, 2, 0, 1, 2, 0, 1], np.int32)
    x, y = Tensor(xs, device=device), Tensor(labels, device=device)
    w1, w2 = Tensor(w1s, device=device, requires_grad=True), Tensor(w2s, device=device, requires_grad=True)
    loss = (x @ w1).relu().matmul(w2).sparse_categorical_crossentropy(y)
    loss.backward()
    ref = [Tensor(a, device="reference", requires_grad=True) for a in (w1s, w2s)]
    ref_loss = (Tensor(xs, device="reference") @ ref[0]).relu().matmul(ref[1]).sparse_categorical_crossentropy(
        Tensor(labels, device="reference"))
    ref_loss.backward()
    np.testing.assert_allclose(loss.item(), ref_loss.item(), rtol=1e-5)
    for got, want in zip((w1, w2), ref):
        np.testing.assert_allclose(got.grad.numpy(), want.grad.numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("device", _devices())
def test_ops_on_device(device):
    rng = np.random.default_rng(1)
    a = rng.normal(size=(2, 3, 6, 6)).astype(np.float32)
    w = rng.normal(size=(4, 3, 3, 3)).astype(np.float32)
    for fn in (lambda t, k: t.softmax(-1), lambda t, k: t.conv2d(k, padding=1).max_pool2d(),
               lambda t, k: t[:, ::-1, 1:5:2].cumsum(-1)):
        got = fn(Tensor(a, device=device), Tensor(w, device=device)).numpy()
        want = fn(Tensor(a, device="reference"), Tensor(w, device="reference")).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    Tensor.manual_seed(3)
    on_device = Tensor.rand(4, 5, device=device).numpy()
    Tensor.manual_seed(3)
    np.testing.assert_array_equal(on_device, Tensor.rand(4, 5, device="reference").numpy())
