"""`tinyir.nn`: layers, with `nn.optim` (optimizers) and `nn.state` (state dicts, safetensors).

Layers are plain classes holding Tensors and called on a Tensor, as in tinygrad; every forward
is written with Tensor methods, so it compiles through the same pipeline as any expression.
"""

from tinyir.frontend.nn import optim, state
from tinyir.frontend.nn.layers import Conv2d, ConvTranspose2d, Embedding, Linear
from tinyir.frontend.nn.norm import (
    BatchNorm,
    BatchNorm1d,
    BatchNorm2d,
    GroupNorm,
    InstanceNorm,
    LayerNorm,
    LayerNorm2d,
    RMSNorm,
)

__all__ = ["BatchNorm", "BatchNorm1d", "BatchNorm2d", "Conv2d", "ConvTranspose2d", "Embedding", "GroupNorm",
           "InstanceNorm", "LayerNorm", "LayerNorm2d", "Linear", "RMSNorm", "optim", "state"]
