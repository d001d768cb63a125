"""Shared checks for the Tensor tests: forward values and gradients against PyTorch."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

import numpy as np
import pytest

from tinyir import Tensor
from tinyir.frontend.tensor import Device

# The Tensor tests compile and run on the default CPU device unless told otherwise
# (TINYIR_TEST_DEVICE=reference|opencl|cuda); test_tensor_device.py also runs programs on OpenCL.
TEST_DEVICE = os.environ.get("TINYIR_TEST_DEVICE", "cpu")


@pytest.fixture(autouse=True)
def tensor_test_device():
    """Autouse in the modules that import it: the default device for the test, restored after."""
    previous, Device.DEFAULT = Device.DEFAULT, TEST_DEVICE
    yield
    Device.DEFAULT = previous


def torch_or_skip():
    """PyTorch, the reference of these tests (tools/test.sh installs it): missing is a failure."""
    try:
        import torch
    except ImportError:  # pragma: no cover
        pytest.fail("PyTorch is needed for the Tensor tests: pip install torch==2.13.0")
    return torch


def check(tiny_fn: Callable, torch_fn: Callable | None, shapes: Sequence[tuple[int, ...]], *, grad: bool = True,
          low: float = -2.0, high: float = 2.0, atol: float = 1e-4, rtol: float = 1e-4, seed: int = 0,
          ints: bool = False) -> None:
    """Run fn on random inputs of `shapes` in tinyir and torch (torch_fn defaults to tiny_fn with
    torch tensors); compare outputs, then the gradients of sum(out * random weights)."""
    torch = torch_or_skip()
    torch_fn = torch_fn or tiny_fn
    rng = np.random.default_rng(seed)
    if ints:
        arrays = [rng.integers(int(low), int(high), size=s).astype(np.int32) for s in shapes]
    else:
        arrays = [rng.uniform(low, high, size=s).astype(np.float32) for s in shapes]
    need_grad = grad and not ints
    tiny_in = [Tensor(a, requires_grad=need_grad) for a in arrays]
    torch_in = [torch.tensor(a, requires_grad=need_grad) for a in arrays]
    tiny_out = tiny_fn(*tiny_in)
    torch_out = torch_fn(*torch_in)
    got = tiny_out.numpy()
    want = torch_out.detach().numpy()
    assert got.shape == want.shape, f"shape {got.shape} != torch {want.shape}"
    np.testing.assert_allclose(got, want.astype(got.dtype) if want.dtype != bool else want, atol=atol, rtol=rtol)
    if not need_grad:
        return
    weights = rng.uniform(0.5, 1.5, size=want.shape).astype(np.float32)
    tiny_loss = (tiny_out * Tensor(weights)).sum()
    grads = tiny_loss.gradient(*tiny_in)
    (torch_out * torch.tensor(weights)).sum().backward()
    for i, (g, t) in enumerate(zip(grads, torch_in)):
        expected = t.grad.numpy() if t.grad is not None else np.zeros(t.shape, np.float32)
        np.testing.assert_allclose(g.numpy(), expected, atol=atol * 10, rtol=rtol * 10,
                                   err_msg=f"gradient of input {i}")
