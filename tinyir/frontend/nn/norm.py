"""Normalization layers: BatchNorm (BatchNorm2d), LayerNorm, LayerNorm2d, GroupNorm, InstanceNorm,
RMSNorm, with tinygrad's constructors (which follow PyTorch's) and defaults."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tinyir.frontend.dtypes import dtypes
from tinyir.frontend.tensor import Tensor


def _filled(shape: tuple[int, ...], value: float, dtype: np.dtype = np.float32,
            requires_grad: bool | None = None) -> Tensor:
    """A fresh buffer (not a hash-consed constant, see layers.py), holding `value`."""
    return Tensor(np.full(shape, value, dtype=dtype), requires_grad=requires_grad)


def _channel_shape(x: Tensor) -> tuple[int, ...]:
    return (1, -1) + (1,) * (x.ndim - 2)


class BatchNorm:
    """Batch normalization over axis 1 of (N, C, ...). In training (`Tensor.train()`) it normalizes
    with the batch statistics and updates running_mean/running_var (unbiased variance) with
    `momentum`; otherwise it uses the running statistics."""

    def __init__(self, sz: int, eps: float = 1e-5, affine: bool = True, track_running_stats: bool = True,
                 momentum: float = 0.1):
        self.eps, self.track_running_stats, self.momentum = eps, track_running_stats, momentum
        self.weight: Tensor | None = _filled((sz,), 1.0) if affine else None
        self.bias: Tensor | None = _filled((sz,), 0.0) if affine else None
        self.num_batches_tracked = _filled((1,), 0, np.int32, requires_grad=False)
        if track_running_stats:
            self.running_mean = _filled((sz,), 0.0, requires_grad=False)
            self.running_var = _filled((sz,), 1.0, requires_grad=False)

    def calc_stats(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """Batch mean and biased variance over every axis but 1."""
        axes = tuple(a for a in range(x.ndim) if a != 1)
        mean = x.mean(axis=axes)
        # centering with a detached mean: d(var)/d(mean) is zero anyway, and this keeps it out of the graph
        centered = x - mean.detach().reshape(_channel_shape(x))
        return mean, (centered * centered).mean(axis=axes)

    def __call__(self, x: Tensor) -> Tensor:
        if x.ndim < 2:
            raise ValueError(f"BatchNorm: input needs at least 2 dims (N, C, ...), got shape {x.shape}")
        use_batch = Tensor.training or not self.track_running_stats
        if use_batch:
            mean, var = self.calc_stats(x)
            if Tensor.training and self.track_running_stats:
                n = x.numel() // x.shape[1]
                unbiased = var.detach() * (n / max(n - 1, 1))
                m = self.momentum
                self.running_mean.assign((1 - m) * self.running_mean + m * mean.detach())
                self.running_var.assign((1 - m) * self.running_var + m * unbiased)
                self.num_batches_tracked.assign(self.num_batches_tracked + 1)
        else:
            mean, var = self.running_mean, self.running_var
        return x.batchnorm(self.weight, self.bias, mean, (var + self.eps).rsqrt())


BatchNorm2d = BatchNorm  # tinygrad's alias (the layer works for any (N, C, ...) input)
BatchNorm1d = BatchNorm


class LayerNorm:
    """Normalize over the last len(normalized_shape) dims, then scale and shift elementwise."""

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5, elementwise_affine: bool = True):
        self.normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.axis = tuple(-1 - i for i in range(len(self.normalized_shape)))
        self.eps, self.elementwise_affine = eps, elementwise_affine
        self.weight = _filled(self.normalized_shape, 1.0) if elementwise_affine else None
        self.bias = _filled(self.normalized_shape, 0.0) if elementwise_affine else None

    def __call__(self, x: Tensor) -> Tensor:
        if x.shape[x.ndim - len(self.normalized_shape):] != self.normalized_shape:
            raise ValueError(f"LayerNorm: input shape {x.shape} does not end in {self.normalized_shape}")
        x = x.layernorm(axis=self.axis, eps=self.eps)
        return x * self.weight + self.bias if self.elementwise_affine else x


class LayerNorm2d(LayerNorm):
    """LayerNorm over the channels of (N, C, H, W)."""

    def __call__(self, x: Tensor) -> Tensor:
        return super().__call__(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)


class GroupNorm:
    """Normalize each of `num_groups` channel groups of (N, C, ...) over its channels and positions."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True):
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm: {num_channels} channels do not split into {num_groups} groups")
        self.num_groups, self.num_channels, self.eps = num_groups, num_channels, eps
        self.weight: Tensor | None = _filled((num_channels,), 1.0) if affine else None
        self.bias: Tensor | None = _filled((num_channels,), 0.0) if affine else None

    def __call__(self, x: Tensor) -> Tensor:
        if x.ndim < 2 or x.shape[1] != self.num_channels:
            raise ValueError(f"GroupNorm: expected (N, {self.num_channels}, ...), got shape {x.shape}")
        grouped = x.reshape(x.shape[0], self.num_groups, -1).layernorm(eps=self.eps).reshape(x.shape)
        if self.weight is None:
            return grouped
        return grouped * self.weight.reshape(_channel_shape(x)) + self.bias.reshape(_channel_shape(x))


class InstanceNorm:
    """Normalize each channel of each sample over its positions (GroupNorm with one channel a group)."""

    def __init__(self, num_features: int, eps: float = 1e-5, affine: bool = True):
        self.num_features, self.eps = num_features, eps
        self.weight: Tensor | None = _filled((num_features,), 1.0) if affine else None
        self.bias: Tensor | None = _filled((num_features,), 0.0) if affine else None

    def __call__(self, x: Tensor) -> Tensor:
        normed = x.reshape(x.shape[0], self.num_features, -1).layernorm(eps=self.eps).reshape(x.shape)
        if self.weight is None:
            return normed
        return normed * self.weight.reshape(_channel_shape(x)) + self.bias.reshape(_channel_shape(x))


class RMSNorm:
    """`x / sqrt(mean(x^2, last dim) + eps) * weight`, computed in float32."""

    def __init__(self, dim: int, eps: float = 1e-6, elementwise_affine: bool = True):
        self.eps = eps
        self.weight = _filled((dim,), 1.0) if elementwise_affine else None

    def _norm(self, x: Tensor) -> Tensor:
        return x * (x.square().mean(-1, keepdim=True) + self.eps).rsqrt()

    def __call__(self, x: Tensor) -> Tensor:
        out = self._norm(x.cast(dtypes.float32) if x.dtype != dtypes.float32 else x).cast(x.dtype)
        return out if self.weight is None else out * self.weight


__all__ = ["BatchNorm", "BatchNorm1d", "BatchNorm2d", "GroupNorm", "InstanceNorm", "LayerNorm", "LayerNorm2d",
           "RMSNorm"]
