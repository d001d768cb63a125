"""nn layers against torch.nn: the same weights (copied from tinyir), the same input; outputs and
the gradients of sum(out * w) with respect to the input and every parameter must agree."""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_tensor_helpers import tensor_test_device  # noqa: F401 - an autouse fixture: TINYIR_TEST_DEVICE

from tinyir import Tensor, nn
from tinyir.nn.state import get_state_dict

import torch  # noqa: E402  (installed by tools/test.sh; a missing reference is a failure)


def copy_into_torch(tiny_layer: object, torch_layer: object) -> None:
    """tinyir's state dict -> the torch module's parameters and buffers, by name."""
    tiny_state = get_state_dict(tiny_layer)
    torch_state = torch_layer.state_dict()
    assert set(tiny_state) >= set(torch_state), f"names differ: {sorted(tiny_state)} vs {sorted(torch_state)}"
    with torch.no_grad():
        for name, value in torch_state.items():
            value.copy_(torch.tensor(tiny_state[name].numpy().reshape(value.shape)))


def compare(tiny_layer: object, torch_layer: object, x: np.ndarray, *, atol: float = 1e-4,
            train: bool = False, params: tuple[str, ...] = ("weight", "bias")) -> None:
    copy_into_torch(tiny_layer, torch_layer)
    torch_layer.train(train)
    rng = np.random.default_rng(1)
    tx = Tensor(x)
    with Tensor.train(train):
        out = tiny_layer(tx)
    tx_torch = torch.tensor(x, requires_grad=x.dtype == np.float32)
    want = torch_layer(tx_torch)
    weights = rng.uniform(0.5, 1.5, size=want.shape).astype(np.float32)
    (want * torch.tensor(weights)).sum().backward()
    tiny_params = [getattr(tiny_layer, p) for p in params if getattr(tiny_layer, p, None) is not None]
    targets = ([tx] if tx_torch.requires_grad else []) + tiny_params
    # gradients first: realizing `out` alone would drop its graph (nothing requires grad)
    grads = (out * Tensor(weights)).sum().gradient(*targets)
    Tensor.realize(out, *grads)
    np.testing.assert_allclose(out.numpy(), want.detach().numpy(), atol=atol, rtol=1e-4)
    expected = ([tx_torch.grad] if tx_torch.requires_grad else []) + \
               [getattr(torch_layer, p).grad for p in params if getattr(tiny_layer, p, None) is not None]
    names = (["input"] if tx_torch.requires_grad else []) + [p for p in params if getattr(tiny_layer, p, None) is not None]
    for name, g, e in zip(names, grads, expected):
        np.testing.assert_allclose(g.numpy(), e.numpy(), atol=atol * 10, rtol=1e-3, err_msg=f"gradient of {name}")


def randn(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("bias", [True, False])
def test_linear(bias: bool) -> None:
    compare(nn.Linear(5, 3, bias=bias), torch.nn.Linear(5, 3, bias=bias), randn(4, 5))


def test_linear_batched_input() -> None:
    compare(nn.Linear(4, 2), torch.nn.Linear(4, 2), randn(2, 3, 4))


def test_linear_init_matches_pytorch_bounds() -> None:
    """kaiming_uniform(a=sqrt(5)) gives U(-1/sqrt(in), 1/sqrt(in)) for the weight, like the bias."""
    Tensor.manual_seed(3)
    layer = nn.Linear(64, 256)
    bound = 1 / math.sqrt(64)
    w, b = layer.weight.numpy(), layer.bias.numpy()
    assert layer.weight.shape == (256, 64) and layer.bias.shape == (256,)
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert np.abs(w).max() > 0.9 * bound and abs(w.std() - bound / math.sqrt(3)) < 0.01  # uniform, not narrower


@pytest.mark.parametrize("kwargs", [
    dict(kernel_size=3),
    dict(kernel_size=(3, 2), stride=2, padding=1, bias=False),
    dict(kernel_size=3, padding="same", dilation=2),
    dict(kernel_size=2, groups=2, out_channels=4),
], ids=["plain", "stride-pad-nobias", "same-dilated", "groups"])
def test_conv2d(kwargs: dict) -> None:
    kwargs = dict(kwargs)
    out_channels = kwargs.pop("out_channels", 3)
    compare(nn.Conv2d(2, out_channels, **kwargs), torch.nn.Conv2d(2, out_channels, **kwargs), randn(2, 2, 6, 5))


def test_conv_transpose2d() -> None:
    compare(nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1), torch.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1),
            randn(1, 2, 4, 4))


def test_batchnorm_eval_uses_running_stats() -> None:
    layer, ref = nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3)
    layer.running_mean.assign(Tensor(np.array([0.5, -1.0, 2.0], np.float32))).realize()
    layer.running_var.assign(Tensor(np.array([1.5, 0.25, 4.0], np.float32))).realize()
    layer.weight.assign(Tensor(np.array([1.0, 2.0, -0.5], np.float32))).realize()
    compare(layer, ref, randn(2, 3, 4, 4))


def test_batchnorm_train_normalizes_with_batch_stats_and_updates_running_stats() -> None:
    layer, ref = nn.BatchNorm2d(3, momentum=0.2), torch.nn.BatchNorm2d(3, momentum=0.2)
    layer.bias.assign(Tensor(np.array([0.1, 0.2, 0.3], np.float32))).realize()
    x = randn(4, 3, 2, 2) * 2 + 1
    compare(layer, ref, x, train=True)
    Tensor.realize(layer.running_mean, layer.running_var)
    np.testing.assert_allclose(layer.running_mean.numpy(), ref.running_mean.numpy(), atol=1e-5)
    np.testing.assert_allclose(layer.running_var.numpy(), ref.running_var.numpy(), atol=1e-5)
    assert layer.num_batches_tracked.numpy().tolist() == [1]


def test_batchnorm1d_on_features() -> None:
    compare(nn.BatchNorm(5), torch.nn.BatchNorm1d(5), randn(6, 5), train=True)


def test_batchnorm_without_affine_or_running_stats() -> None:
    layer = nn.BatchNorm2d(2, affine=False, track_running_stats=False)
    compare(layer, torch.nn.BatchNorm2d(2, affine=False, track_running_stats=False), randn(3, 2, 2, 2))


@pytest.mark.parametrize("shape,normalized", [((3, 4), 4), ((2, 3, 4), (3, 4))], ids=["last", "last-two"])
def test_layernorm(shape: tuple, normalized: int | tuple) -> None:
    layer, ref = nn.LayerNorm(normalized), torch.nn.LayerNorm(normalized)
    layer.weight.assign(Tensor(randn(*layer.weight.shape, seed=5))).realize()
    compare(layer, ref, randn(*shape))


def test_layernorm_without_affine() -> None:
    compare(nn.LayerNorm(4, elementwise_affine=False), torch.nn.LayerNorm(4, elementwise_affine=False), randn(3, 4),
            params=())


def test_groupnorm() -> None:
    layer, ref = nn.GroupNorm(2, 4), torch.nn.GroupNorm(2, 4)
    layer.weight.assign(Tensor(randn(4, seed=7))).realize()
    compare(layer, ref, randn(2, 4, 3, 3))


def test_instancenorm() -> None:
    compare(nn.InstanceNorm(3), torch.nn.InstanceNorm2d(3, affine=True), randn(2, 3, 4, 4))


def test_rmsnorm() -> None:
    layer, ref = nn.RMSNorm(6), torch.nn.RMSNorm(6, eps=1e-6)
    layer.weight.assign(Tensor(randn(6, seed=9))).realize()
    compare(layer, ref, randn(3, 6), params=("weight",))


def test_embedding() -> None:
    layer, ref = nn.Embedding(7, 3), torch.nn.Embedding(7, 3)
    idx = np.array([[0, 3, 6], [2, 2, 5]], np.int32)
    copy_into_torch(layer, ref)
    layer.weight.requires_grad = True  # so that realizing `out` keeps the graph for the gradient
    out = layer(Tensor(idx))
    want = ref(torch.tensor(idx, dtype=torch.long))
    np.testing.assert_allclose(out.numpy(), want.detach().numpy(), atol=1e-6)
    weights = np.random.default_rng(0).uniform(0.5, 1.5, size=want.shape).astype(np.float32)
    (grad,) = (out * Tensor(weights)).sum().gradient(layer.weight)
    (want * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(grad.numpy(), ref.weight.grad.numpy(), atol=1e-5)


def test_layers_get_distinct_parameters() -> None:
    """Two layers' ones/zeros parameters must be separate leaves, or their gradients would merge."""
    a, b = nn.LayerNorm(3), nn.LayerNorm(3)
    assert a.weight.lazydata is not b.weight.lazydata
    x = Tensor(randn(2, 3))
    ga, gb = (b(a(x)) * Tensor(randn(2, 3, seed=1))).sum().gradient(a.weight, b.weight)
    assert not np.allclose(ga.numpy(), gb.numpy())


@pytest.mark.parametrize("make,x,message", [
    (lambda: nn.GroupNorm(3, 4), None, "do not split"),
    (lambda: nn.Conv2d(3, 4, 2, groups=2), None, "divisible by groups"),
    (lambda: nn.Conv2d(1, 1, 3, stride=2, padding="same"), None, "needs stride 1"),
    (lambda: nn.LayerNorm(4), (2, 5), "does not end in"),
    (lambda: nn.BatchNorm(4), (4,), "at least 2 dims"),
], ids=["groupnorm-groups", "conv-groups", "same-stride", "layernorm-shape", "batchnorm-1d"])
def test_bad_configurations_raise_clear_errors(make, x, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        layer = make()
        layer(Tensor(randn(*x)))
