"""Layers with weights: Linear, Conv2d, ConvTranspose2d, Embedding (tinygrad's constructors and init).

Parameters are realized when the layer is built: each becomes its own buffer, a distinct leaf of
the lazy graph. (A constant like `Tensor.ones(n)` is hash-consed, so two layers building it lazily
would share one node, and autodiff could not tell their gradients apart.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from tinyir.frontend.tensor import Tensor


def _tuple(x: int | Sequence[int], n: int = 2) -> tuple[int, ...]:
    return (x,) * n if isinstance(x, int) else tuple(x)


def realize_params(*params: Tensor | None) -> None:
    """Compute freshly initialized parameters in one program (one compile per layer shape)."""
    present = [p for p in params if p is not None]
    if present:
        Tensor.realize(*present)


class Linear:
    """`y = x @ weight.T + bias`, weight (out_features, in_features) like PyTorch; init like
    PyTorch's: kaiming_uniform(a=sqrt(5)) weight, uniform(+-1/sqrt(in_features)) bias."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True):
        self.weight = Tensor.kaiming_uniform(out_features, in_features, a=math.sqrt(5))
        bound = 1 / math.sqrt(in_features) if in_features else 0.0
        self.bias = Tensor.uniform(out_features, low=-bound, high=bound) if bias else None
        realize_params(self.weight, self.bias)

    def __call__(self, x: Tensor) -> Tensor:
        return x.linear(self.weight.transpose(), self.bias)


def _conv_padding(padding: int | Sequence[int] | str, kernel_size: tuple[int, ...],
                  dilation: tuple[int, ...], stride: tuple[int, ...]) -> int | tuple[int, ...]:
    """Conv padding as conv2d takes it; "valid" is none, "same" keeps the size (stride 1 only)."""
    if padding == "valid":
        return 0
    if padding == "same":
        if any(s != 1 for s in stride):
            raise ValueError(f"Conv2d: padding='same' needs stride 1, got stride {stride}")
        total = [d * (k - 1) for d, k in zip(dilation, kernel_size)]
        flat: list[int] = []
        for t in reversed(total):  # flat PyTorch order: last dim first, (left, right)
            flat += [t // 2, t - t // 2]
        return tuple(flat)
    if isinstance(padding, str):
        raise ValueError(f"Conv2d: unknown padding {padding!r} (an int, a tuple, 'same' or 'valid')")
    return padding


class Conv2d:
    """2-d cross-correlation over (N, C_in, H, W); weight (out, in/groups, KH, KW), PyTorch's init."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | Sequence[int],
                 stride: int | Sequence[int] = 1, padding: int | Sequence[int] | str = 0,
                 dilation: int | Sequence[int] = 1, groups: int = 1, bias: bool = True):
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"Conv2d: channels {in_channels}->{out_channels} are not divisible by groups={groups}")
        self.kernel_size = _tuple(kernel_size)
        self.stride, self.dilation, self.groups = _tuple(stride), _tuple(dilation), groups
        self.padding = _conv_padding(padding, self.kernel_size, self.dilation, self.stride)
        self.weight = Tensor.kaiming_uniform(out_channels, in_channels // groups, *self.kernel_size, a=math.sqrt(5))
        bound = 1 / math.sqrt(math.prod(self.weight.shape[1:]))
        self.bias = Tensor.uniform(out_channels, low=-bound, high=bound) if bias else None
        realize_params(self.weight, self.bias)

    def __call__(self, x: Tensor) -> Tensor:
        return x.conv2d(self.weight, self.bias, groups=self.groups, stride=self.stride,
                        dilation=self.dilation, padding=self.padding)


class ConvTranspose2d:
    """Transposed 2-d convolution; weight (in, out/groups, KH, KW), PyTorch's init."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | Sequence[int],
                 stride: int | Sequence[int] = 1, padding: int | Sequence[int] = 0,
                 output_padding: int | Sequence[int] = 0, dilation: int | Sequence[int] = 1,
                 groups: int = 1, bias: bool = True):
        self.kernel_size = _tuple(kernel_size)
        self.stride, self.padding, self.output_padding = stride, padding, output_padding
        self.dilation, self.groups = dilation, groups
        self.weight = Tensor.kaiming_uniform(in_channels, out_channels // groups, *self.kernel_size, a=math.sqrt(5))
        bound = 1 / math.sqrt(math.prod(self.weight.shape[1:]))
        self.bias = Tensor.uniform(out_channels, low=-bound, high=bound) if bias else None
        realize_params(self.weight, self.bias)

    def __call__(self, x: Tensor) -> Tensor:
        return x.conv_transpose2d(self.weight, self.bias, groups=self.groups, stride=self.stride,
                                  dilation=self.dilation, padding=self.padding, output_padding=self.output_padding)


class Embedding:
    """A lookup table (vocab_size, embed_size), glorot_uniform init like tinygrad. The lookup is a
    one-hot select and sum, so it is differentiable and needs no gather kernel."""

    def __init__(self, vocab_size: int, embed_size: int):
        self.vocab_sz, self.embed_sz = vocab_size, embed_size
        self.weight = Tensor.glorot_uniform(vocab_size, embed_size)
        realize_params(self.weight)

    def __call__(self, idx: Tensor) -> Tensor:
        if idx.dtype.is_float():
            raise TypeError(f"Embedding: indices must be integers, got {idx.dtype.name}")
        from tinyir.frontend.index_range import check_index_range

        check_index_range(idx, self.vocab_sz, "Embedding", "the vocabulary")  # INDEX-RANGE
        big = idx.shape + (self.vocab_sz, self.embed_sz)
        vocab = Tensor.arange(self.vocab_sz, device=idx.device).reshape(self.vocab_sz, 1).expand(big)
        hot = idx.reshape(idx.shape + (1, 1)).expand(big) == vocab
        return hot.where(self.weight.expand(big), 0.0).sum(-2)
