"""Fusion is visible: the number of kernels key programs launch on the CPU device, counted with
the runtime's DEBUG=1 hook (one `*** cpu KERNEL` line per launch). The budgets are today's
counts: a scheduler change that splits kernels fails here; one that fuses more should lower them."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from tinyir import Tensor, nn
from tinyir.frontend.tensor import Device
from tinyir.nn import optim
from tinyir.nn.state import get_parameters


@pytest.fixture(autouse=True)
def cpu_device(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Device, "DEFAULT", "cpu")


def launches(fn: Callable[[], None], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> int:
    """Kernels launched while `fn` runs, which must realize exactly one program."""
    capsys.readouterr()
    monkeypatch.setenv("DEBUG", "1")
    try:
        fn()
    finally:
        monkeypatch.delenv("DEBUG")
    err = capsys.readouterr().err.splitlines()
    programs = [line for line in err if line.startswith("realize:")]
    assert len(programs) == 1, f"expected one program, got: {programs}"
    return sum(1 for line in err if line.startswith("*** cpu"))


def data(*shape: int, seed: int = 0) -> Tensor:
    return Tensor(np.random.default_rng(seed).standard_normal(shape).astype(np.float32))


def test_matmul_as_mul_sum_is_one_kernel(monkeypatch, capsys) -> None:
    a, b = data(8, 16), data(16, 4, seed=1)
    out = (a.reshape(8, 16, 1) * b.reshape(1, 16, 4)).sum(1)
    assert launches(out.realize, monkeypatch, capsys) == 1
    np.testing.assert_allclose(out.numpy(), a.numpy() @ b.numpy(), rtol=1e-5, atol=1e-5)


def test_matmul_operator_is_one_kernel(monkeypatch, capsys) -> None:
    out = data(5, 7) @ data(7, 3, seed=1)
    assert launches(out.realize, monkeypatch, capsys) == 1


def test_softmax_kernels(monkeypatch, capsys) -> None:
    """max, sum of exp, normalize: one row kernel (each loops over the row in turn)."""
    x = data(4, 10)
    out = x.softmax(-1)
    assert launches(out.realize, monkeypatch, capsys) == 1
    e = np.exp(x.numpy() - x.numpy().max(-1, keepdims=True))
    np.testing.assert_allclose(out.numpy(), e / e.sum(-1, keepdims=True), rtol=1e-5, atol=1e-6)


def test_layernorm_and_log_softmax_are_one_kernel_each(monkeypatch, capsys) -> None:
    x = data(4, 10)
    assert launches(x.layernorm().realize, monkeypatch, capsys) == 1
    assert launches(x.log_softmax(-1).realize, monkeypatch, capsys) == 1


class MLP:
    def __init__(self) -> None:
        self.l1, self.l2 = nn.Linear(64, 32), nn.Linear(32, 10)

    def __call__(self, x: Tensor) -> Tensor:
        return self.l2(self.l1(x).relu())


def test_mlp_forward_is_one_kernel_per_layer(monkeypatch, capsys) -> None:
    out = MLP()(data(16, 64))
    assert launches(out.realize, monkeypatch, capsys) == 2


def test_mlp_training_step_kernels(monkeypatch, capsys) -> None:
    """Forward, backward (tensor-autodiff) and the SGD update of an MLP, realized as one program."""
    model = MLP()
    opt = optim.SGD(get_parameters(model), lr=0.1)
    y = Tensor(np.random.default_rng(2).integers(0, 10, 16).astype(np.int32))
    loss = model(data(16, 64)).sparse_categorical_crossentropy(y)
    opt.zero_grad()
    loss.backward()
    count = launches(lambda: loss.realize(*opt.schedule_step()), monkeypatch, capsys)
    # today: 2 forward matmuls, 6 for the loss (log-softmax max and sum, label select, counts, mean),
    # 2 backward matmul chains, 4 parameter updates (each fused with its gradient's reduce), and, as the
    # updates overwrite the old parameters in place (tinyir/frontend/inplace.py), the 4 gradients that
    # p.grad still holds are outputs of their own (they read the old parameters); 14 without in-place
    assert 6 <= count <= 18, f"{count} kernels for an MLP training step"
