"""`Tensor.interpolate`: resizing the spatial dims (all but the first two), as
torch.nn.functional.interpolate with modes nearest, nearest-exact, linear, bilinear and trilinear.

Each resized axis is a fixed linear map from the input positions to the output positions, known
when the method is called: the source positions and weights are computed on the host (numpy) and
applied as a masked multiply-and-sum along that axis, so the result compiles and differentiates
like any other expression. Only an output's own source elements take part (a `where` masks the
rest), so an inf or NaN elsewhere in the row does not leak in; a neighbour with weight 0 is
still read, so an inf there gives NaN as PyTorch's `x0 * w0 + x1 * w1` does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from tinyir.errors import TensorTypeError, TensorValueError

if TYPE_CHECKING:
    from tinyir.frontend.tensor import Tensor

MODES = {"nearest": None, "nearest-exact": None, "linear": 1, "bilinear": 2, "trilinear": 3}


def _source_weights(n_in: int, n_out: int, mode: str, align_corners: bool,
                    scale: float | None) -> tuple[np.ndarray, np.ndarray]:
    """(n_out, n_in) weights and which inputs each output reads: output j = sum of w[j, i] * input i
    over the inputs it reads, with PyTorch's index arithmetic. `scale` is the user's scale_factor
    (PyTorch then maps positions by 1/scale_factor)."""
    ratio = (1 / scale) if scale else n_in / n_out
    out = np.arange(n_out, dtype=np.float32)  # PyTorch's CPU kernels compute positions in float32
    ratio = np.float32(ratio)
    w = np.zeros((n_out, n_in), dtype=np.float32)
    if mode in ("nearest", "nearest-exact"):
        pos = np.floor((out + (0.5 if mode == "nearest-exact" else 0.0)) * ratio)
        w[np.arange(n_out), np.minimum(pos.astype(np.int64), n_in - 1)] = 1
        return w, w != 0
    if align_corners:
        src = out * np.float32((n_in - 1) / (n_out - 1)) if n_out > 1 else np.zeros(n_out, np.float32)
    else:
        src = np.maximum((out + np.float32(0.5)) * ratio - np.float32(0.5), np.float32(0))
    low = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    high = np.minimum(low + 1, n_in - 1)
    frac = (src - low).astype(np.float32)
    np.add.at(w, (np.arange(n_out), low), 1 - frac)
    np.add.at(w, (np.arange(n_out), high), frac)
    reads = np.zeros((n_out, n_in), dtype=np.bool_)
    reads[np.arange(n_out), low] = reads[np.arange(n_out), high] = True  # a 0 weight too: 0 * inf is NaN, as in PyTorch
    return w, reads


class InterpolateMixin:
    def interpolate(self: Tensor, size: int | Sequence[int] | None = None, scale_factor: Any = None,
                    mode: str = "linear", align_corners: bool | None = None) -> Tensor:
        """Resize (N, C, *spatial) to `size` (or spatial * scale_factor, rounded down).
        linear/bilinear/trilinear need 1/2/3 spatial dims; align_corners only applies to them."""
        from tinyir.frontend.tensor import Tensor

        if mode not in MODES:
            raise TensorValueError(f"interpolate: unknown mode {mode!r} (one of {', '.join(MODES)})")
        nd = self.ndim - 2
        if nd < 1:
            raise TensorValueError(f"interpolate: expects (N, C, *spatial) input, got shape {self.shape}")
        if MODES[mode] is not None and MODES[mode] != nd:
            raise TensorValueError(f"interpolate: mode {mode!r} needs {MODES[mode]} spatial dims, input {self.shape} has {nd}")
        if MODES[mode] is None and align_corners:
            raise TensorValueError(f"interpolate: align_corners only applies to the linear modes, not {mode!r}")
        if (size is None) == (scale_factor is None):
            raise TensorValueError("interpolate: give exactly one of size and scale_factor")
        spatial = self.shape[2:]
        scales: tuple[float | None, ...] = (None,) * nd
        if size is not None:
            sizes = (size,) * nd if isinstance(size, int) else tuple(size)
        else:
            scales = (scale_factor,) * nd if isinstance(scale_factor, (int, float)) else tuple(scale_factor)
            sizes = tuple(math.floor(s * f) for s, f in zip(spatial, scales))
        if len(sizes) != nd or any(not isinstance(s, (int, np.integer)) or s <= 0 for s in sizes):
            raise TensorValueError(f"interpolate: size {sizes} does not give a positive size for each of the {nd} "
                             f"spatial dims of {self.shape}")
        if MODES[mode] is not None and not self.dtype.is_float():  # a blend would be rounded silently
            raise TensorTypeError(f"interpolate: mode {mode!r} needs a float tensor, got {self.dtype.name}")
        x = self  # nearest modes pick one element: exact in any dtype
        for axis, (n_in, n_out, scale) in enumerate(zip(spatial, sizes, scales)):
            d = axis + 2
            if n_in == n_out and scale in (None, 1, 1.0):
                continue  # the identity map in every mode
            w, reads = _source_weights(n_in, n_out, mode, bool(align_corners), scale)
            used = Tensor(reads, device=self.device)  # (n_out, n_in)
            weights = Tensor(w, device=self.device)
            xt = x.transpose(d, -1).unsqueeze(-2)  # [..., 1, n_in]
            picked = used.where(xt * weights, 0) if MODES[mode] is not None else used.where(xt, 0)
            x = picked.sum(-1).transpose(d, -1)
        return x.cast(self.dtype) if x.dtype != self.dtype else x  # a where-sum of ints is int32
