"""Optimizers against torch.optim: the same parameters, the same gradients each step (a fixed
quadratic-ish loss computed in both), several steps; the parameters must stay equal."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from test_tensor_helpers import tensor_test_device  # noqa: F401 - an autouse fixture: TINYIR_TEST_DEVICE

from tinyir import Tensor
from tinyir.frontend import realize
from tinyir.nn import optim

import torch  # noqa: E402  (installed by tools/test.sh; a missing reference is a failure)

STEPS = 4


def run_both(make_tiny: Callable, make_torch: Callable, steps: int = STEPS) -> None:
    rng = np.random.default_rng(0)
    init = [rng.standard_normal((3, 4)).astype(np.float32), rng.standard_normal((4,)).astype(np.float32)]
    target = rng.standard_normal((2, 4)).astype(np.float32)
    x = rng.standard_normal((2, 3)).astype(np.float32)
    tiny_params = [Tensor(a.copy()) for a in init]
    torch_params = [torch.tensor(a.copy(), requires_grad=True) for a in init]
    tiny_opt, torch_opt = make_tiny(tiny_params), make_torch(torch_params)
    for step in range(steps):
        w, b = tiny_params
        loss = ((Tensor(x) @ w + b - Tensor(target)) ** 2).mean() + (w * w).sum() * 0.1
        tiny_opt.zero_grad()
        loss.backward()
        tiny_opt.step()
        tw, tb = torch_params
        torch_loss = ((torch.tensor(x) @ tw + tb - torch.tensor(target)) ** 2).mean() + (tw * tw).sum() * 0.1
        torch_opt.zero_grad()
        torch_loss.backward()
        torch_opt.step()
        for i, (mine, theirs) in enumerate(zip(tiny_params, torch_params)):
            np.testing.assert_allclose(mine.numpy(), theirs.detach().numpy(), atol=1e-5, rtol=1e-4,
                                       err_msg=f"param {i} after step {step + 1}")


@pytest.mark.parametrize("kwargs", [
    dict(lr=0.1),
    dict(lr=0.1, momentum=0.9),
    dict(lr=0.1, momentum=0.9, nesterov=True),
    dict(lr=0.05, momentum=0.5, weight_decay=0.1),
], ids=["plain", "momentum", "nesterov", "weight-decay"])
def test_sgd_matches_torch(kwargs: dict) -> None:
    run_both(lambda ps: optim.SGD(ps, **kwargs), lambda ps: torch.optim.SGD(ps, **kwargs))


@pytest.mark.parametrize("kwargs", [dict(lr=0.05), dict(lr=0.01, b1=0.8, b2=0.99, eps=1e-6),
                                    dict(lr=0.05, weight_decay=0.1)], ids=["default", "betas", "l2"])
def test_adam_matches_torch(kwargs: dict) -> None:
    torch_kwargs = {("betas" if k == "b1" else k): v for k, v in kwargs.items() if k != "b2"}
    if "b1" in kwargs:
        torch_kwargs["betas"] = (kwargs["b1"], kwargs["b2"])
    run_both(lambda ps: optim.Adam(ps, **kwargs), lambda ps: torch.optim.Adam(ps, **torch_kwargs))


@pytest.mark.parametrize("wd", [0.01, 0.5])
def test_adamw_matches_torch(wd: float) -> None:
    run_both(lambda ps: optim.AdamW(ps, lr=0.05, weight_decay=wd),
             lambda ps: torch.optim.AdamW(ps, lr=0.05, weight_decay=wd))


def test_lamb_scales_the_adam_step_by_the_trust_ratio() -> None:
    """One LAMB step from zero moments: the Adam update is sign(g) (|m_hat/sqrt(v_hat)| = 1),
    rescaled to the norm of the parameter."""
    p0 = np.array([3.0, -4.0], np.float32)
    p = Tensor(p0.copy())
    opt = optim.LAMB([p], lr=0.1, eps=0.0)
    (p * Tensor(np.array([2.0, 5.0], np.float32))).sum().backward()
    opt.step()
    np.testing.assert_allclose(p.numpy(), p0 - 0.1 * np.array([1.0, 1.0]) * (5.0 / np.sqrt(2)), rtol=1e-5)


def test_step_graph_compiles_once() -> None:
    """lr and the bias corrections are tensors: later steps reuse the first step's program."""
    p = Tensor(np.ones((2, 2), np.float32))
    opt = optim.Adam([p], lr=0.1)

    def step() -> None:
        opt.zero_grad()
        (p * p).sum().backward()
        opt.step()

    step()
    step()
    before = realize.STATS["compiled"]
    step()
    step()
    assert realize.STATS["compiled"] == before


def test_buffers_are_realized_but_not_updated() -> None:
    param, running = Tensor(np.ones(2, np.float32)), Tensor(np.zeros(2, np.float32), requires_grad=False)
    opt = optim.SGD([param, running], lr=1.0)
    assert opt.params == [param] and opt.buffers == [running] and param.requires_grad
    running.assign(running + 1)
    (param * 2).sum().backward()
    opt.step()
    assert running.lazydata.realized is not None and param.lazydata.realized is not None
    assert param.numpy().tolist() == [-1.0, -1.0] and running.numpy().tolist() == [1.0, 1.0]


def test_step_without_backward_is_an_error() -> None:
    opt = optim.SGD([Tensor(np.ones(2, np.float32))])
    with pytest.raises(RuntimeError, match="backward"):
        opt.step()


def test_nesterov_needs_momentum() -> None:
    with pytest.raises(ValueError, match="nesterov"):
        optim.SGD([Tensor(np.ones(2, np.float32))], nesterov=True)
