"""Linear algebra and nn functional methods of `Tensor`, written with primitives only.

matmul/dot, einsum, linear, conv2d, conv_transpose2d, max_pool2d, avg_pool2d, batchnorm,
layernorm, dropout, scaled_dot_product_attention, and the losses (cross_entropy,
sparse_categorical_crossentropy, binary_crossentropy(_logits), nll_loss).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from tinyir.errors import TensorValueError
from tinyir.frontend.dtypes import dtypes

if TYPE_CHECKING:
    from tinyir.frontend.tensor import Tensor


def _pair(x: int | Sequence[int], n: int = 2) -> tuple[int, ...]:
    return (x,) * n if isinstance(x, int) else tuple(x)


class FunctionalMixin:
    # ------------------------------------------------------------------ linear algebra
    def dot(self: Tensor, w: Tensor) -> Tensor:
        """Matrix product with numpy/PyTorch rules for 1-D operands and batch broadcasting:
        a broadcast multiply over (..., n, k, m) and a sum over k."""
        w = self._to_tensor(w, "matmul")
        if self.ndim == 0 or w.ndim == 0:
            raise TensorValueError(f"matmul: both operands need at least 1 dim, got {self.shape} and {w.shape}")
        k = self.shape[-1]
        k_w = w.shape[-min(w.ndim, 2)]
        if k != k_w:
            raise TensorValueError(f"matmul: shapes {self.shape} and {w.shape} do not match (inner dims {k} != {k_w})")
        x = self.reshape(self.shape[:-1] + (1,) * min(w.ndim - 1, 1) + (k,))
        wt = w.reshape(w.shape[:-2] + (1,) * min(self.ndim - 1, 1) + w.shape[-min(w.ndim, 2):]).transpose(-1, -min(w.ndim, 2))
        return (x * wt).sum(-1)

    def matmul(self: Tensor, x: Tensor, reverse: bool = False) -> Tensor:
        return x.dot(self) if reverse else self.dot(x)

    @staticmethod
    def einsum(formula: str, *operands: Any) -> Tensor:
        """`Tensor.einsum("ij,jk->ik", a, b)`: align every operand on all letters, multiply, sum."""
        ops = list(operands[0]) if len(operands) == 1 and isinstance(operands[0], (list, tuple)) else list(operands)
        spec = formula.replace(" ", "")
        if "..." in spec:  # spelled out as fresh letters (einsum_ellipsis.py)
            from tinyir.frontend.einsum_ellipsis import expand_ellipsis

            spec, ops = expand_ellipsis(spec, ops)
        lhs, _, out = spec.partition("->")
        inputs = lhs.split(",")
        if len(inputs) != len(ops):
            raise TensorValueError(f"einsum: {len(inputs)} operands in {formula!r}, {len(ops)} given")
        if "->" not in spec:
            counts = {c: lhs.count(c) for c in set(lhs.replace(",", ""))}
            out = "".join(sorted(c for c, n in counts.items() if n == 1))
        letters = sorted(set(lhs.replace(",", "")))
        sizes: dict[str, int] = {}
        aligned = []
        for letters_in, t in zip(inputs, ops):
            if len(letters_in) != t.ndim:
                raise TensorValueError(f"einsum: {letters_in!r} has {len(letters_in)} letters for shape {t.shape}")
            for c, s in zip(letters_in, t.shape):
                if sizes.setdefault(c, s) != s and s != 1:
                    raise TensorValueError(f"einsum: letter {c!r} has sizes {sizes[c]} and {s}")
            # repeated letters in one operand (a diagonal) are taken with a mask
            for c in set(letters_in):
                while letters_in.count(c) > 1:
                    i, j = letters_in.index(c), letters_in.index(c, letters_in.index(c) + 1)
                    from tinyir.frontend.tensor import Tensor

                    eye = Tensor.eye(t.shape[i], dtype=dtypes.bool, device=t.device)
                    shape = [1] * t.ndim
                    shape[i], shape[j] = t.shape[i], t.shape[j]
                    t = eye.reshape(shape).where(t, 0).sum(j)
                    letters_in = letters_in[:j] + letters_in[j + 1:]
            order = sorted(range(len(letters_in)), key=lambda i: letters.index(letters_in[i]))
            t = t.permute(order) if order else t
            present = [letters_in[i] for i in order]
            t = t.reshape(tuple(sizes[c] if c in present else 1 for c in letters))
            aligned.append(t)
        prod = aligned[0]
        for t in aligned[1:]:
            prod = prod * t
        summed = [i for i, c in enumerate(letters) if c not in out]
        result = prod.sum(tuple(summed)) if summed else prod
        kept = [c for c in letters if c in out]
        return result.permute([kept.index(c) for c in out]) if out else result

    def linear(self: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
        """`self @ weight + bias` (weight is (in, out), tinygrad's convention)."""
        x = self * weight if weight.ndim == 1 else self.dot(weight)
        return x + bias if bias is not None else x

    def sequential(self: Tensor, layers: Sequence[Callable[[Tensor], Tensor]]) -> Tensor:
        """Apply each callable in turn: `x.sequential([l1, Tensor.relu, l2])` is `l2(l1(x).relu())`."""
        out = self
        for layer in layers:
            out = layer(out)
        return out

    # ------------------------------------------------------------------ windows
    def _windows(self: Tensor, kernel: tuple[int, ...], stride: tuple[int, ...],
                 dilation: tuple[int, ...]) -> Tensor:
        """(..., *spatial) -> (..., *out_spatial, *kernel): every window of the last dims
        (tinyir/frontend/windows.py: one strided view, or stacked slices where that is slower)."""
        from tinyir.frontend.windows import windows

        return windows(self, kernel, stride, dilation)

    def _pad_spatial(self: Tensor, padding: int | Sequence[int], nd: int, value: float = 0.0) -> Tensor:
        p = _pair(padding, nd) if isinstance(padding, int) or len(padding) == nd else tuple(padding)
        if len(p) == nd:
            pairs = [(v, v) for v in p]
        else:  # flat PyTorch order (left, right, top, bottom)
            pairs = [(p[2 * i], p[2 * i + 1]) for i in range(nd)][::-1]
        if all(pr == (0, 0) for pr in pairs):
            return self
        return self.pad([None] * (self.ndim - nd) + pairs, value=value)

    def max_pool2d(self: Tensor, kernel_size: int | Sequence[int] = (2, 2), stride: Any = None,
                   dilation: int | Sequence[int] = 1, padding: int | Sequence[int] = 0,
                   ceil_mode: bool = False, return_indices: bool = False) -> Any:
        if ceil_mode or return_indices:  # pooling.py: PyTorch's ceil_mode sizes and flat indices
            return self._pool("max", len(_pair(kernel_size)), kernel_size, stride, dilation, padding, ceil_mode,
                              return_indices=return_indices, opname="max_pool2d")
        k = _pair(kernel_size)  # as many pooled (last) dims as the kernel has sizes, 2 for an int
        nd = len(k)
        # padding reads the dtype's lowest value (-2**31 would wrap to 0 in int8)
        lowest = -math.inf if self.dtype.is_float() else 0 if self.dtype.is_unsigned() else -(2 ** (8 * self.dtype.itemsize - 1))
        x = self._pad_spatial(padding, nd, value=lowest)
        windows = x._windows(k, _pair(stride if stride is not None else k, nd), _pair(dilation, nd))
        return windows.max(tuple(range(-nd, 0)))

    def avg_pool2d(self: Tensor, kernel_size: int | Sequence[int] = (2, 2), stride: Any = None,
                   dilation: int | Sequence[int] = 1, padding: int | Sequence[int] = 0,
                   ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
        if ceil_mode:  # pooling.py: PyTorch's ceil_mode sizes and divisors
            return self._pool("avg", len(_pair(kernel_size)), kernel_size, stride, dilation, padding, ceil_mode,
                              count_include_pad, opname="avg_pool2d")
        k = _pair(kernel_size)  # as many pooled (last) dims as the kernel has sizes, 2 for an int
        nd = len(k)
        st, dl, axes = _pair(stride if stride is not None else k, nd), _pair(dilation, nd), tuple(range(-nd, 0))
        x = self._pad_spatial(padding, nd)
        total = x._windows(k, st, dl).sum(axes)
        if count_include_pad:
            return total * (1 / math.prod(k))
        ones = self.ones_like()._pad_spatial(padding, nd)  # how many real (unpadded) elements each window holds
        return total / ones._windows(k, st, dl).sum(axes)

    def conv2d(self: Tensor, weight: Tensor, bias: Tensor | None = None, groups: int = 1,
               stride: int | Sequence[int] = 1, dilation: int | Sequence[int] = 1,
               padding: int | Sequence[int] = 0) -> Tensor:
        """Cross-correlation of (N, Cin, H, W) with (Cout, Cin/groups, KH, KW)."""
        if self.ndim != 4 or weight.ndim != 4:
            raise TensorValueError(f"conv2d: expects 4-d input and weight, got {self.shape} and {weight.shape}")
        n, cin, _, _ = self.shape
        cout, cin_g, kh, kw = weight.shape
        if cin != cin_g * groups or cout % groups:
            raise TensorValueError(f"conv2d: input {self.shape} and weight {weight.shape} do not match with groups={groups}")
        x = self._pad_spatial(padding, 2)
        # CONV-GRAD: broadcast over Cout/G before taking windows, so the input's gradient sums the
        # windows per output channel first and then reduces over the channels in one kernel (a
        # transposed convolution), instead of materializing a (N, Cin, OH, OW, KH, KW) gradient
        # KH*KW times the input's size; the forward reads and sums the same elements in the same order
        x = x.reshape(n, groups, 1, cin_g, *x.shape[2:]).expand(n, groups, cout // groups, cin_g, *x.shape[2:])
        x = x._windows((kh, kw), _pair(stride), _pair(dilation))
        oh, ow = x.shape[4], x.shape[5]
        # x: (N, G, Cout/G, Cin/G, OH, OW, KH, KW); w: (1, G, Cout/G, Cin/G, 1, 1, KH, KW)
        w = weight.reshape(1, groups, cout // groups, cin_g, 1, 1, kh, kw)
        out = (x * w).sum((3, 6, 7)).reshape(n, cout, oh, ow)
        return out + bias.reshape(1, -1, 1, 1) if bias is not None else out

    def conv_transpose2d(self: Tensor, weight: Tensor, bias: Tensor | None = None, groups: int = 1,
                         stride: int | Sequence[int] = 1, dilation: int | Sequence[int] = 1,
                         padding: int | Sequence[int] = 0, output_padding: int | Sequence[int] = 0) -> Tensor:
        """Transposed convolution: weight is (Cin, Cout/groups, KH, KW). Spread the input by the
        stride, pad by dilation*(k-1)-padding, and correlate with the flipped, transposed kernel."""
        cin, cout_g, kh, kw = weight.shape
        st, dl, pd, op = _pair(stride), _pair(dilation), _pair(padding), _pair(output_padding)
        x = self
        for axis, s in ((2, st[0]), (3, st[1])):
            if s > 1:
                size = x.shape[axis]
                x = x.unsqueeze(axis + 1)
                pads = [None] * x.ndim
                pads[axis + 1] = (0, s - 1)
                x = x.pad(pads).flatten(axis, axis + 1)
                bounds = [None] * x.ndim
                bounds[axis] = (0, (size - 1) * s + 1)
                x = x.shrink(bounds)
        pads = [None, None] + [(d * (k - 1) - p, d * (k - 1) - p + o) for d, k, p, o in zip(dl, (kh, kw), pd, op)]
        x = x.pad(pads)
        w = weight.reshape(groups, cin // groups, cout_g, kh, kw).transpose(1, 2).reshape(groups * cout_g, cin // groups, kh, kw)
        return x.conv2d(w.flip((2, 3)), bias, groups=groups, dilation=dl)

    # ------------------------------------------------------------------ normalization and misc
    def batchnorm(self: Tensor, weight: Tensor | None, bias: Tensor | None, mean: Tensor, invstd: Tensor,
                  axis: int | tuple[int, ...] = 1) -> Tensor:
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
        shape = tuple(s if i in axes else 1 for i, s in enumerate(self.shape))
        x = self - mean.reshape(shape)
        if weight is not None:
            x = x * weight.reshape(shape)
        x = x * (invstd.reshape(shape) if invstd.ndim == len(axes) else invstd)
        return x + bias.reshape(shape) if bias is not None else x

    def layernorm(self: Tensor, axis: int | tuple[int, ...] = -1, eps: float = 1e-5) -> Tensor:
        centered = self - self.mean(axis, keepdim=True)
        return centered * (centered.square().mean(axis, keepdim=True) + eps).rsqrt()

    def dropout(self: Tensor, p: float = 0.5) -> Tensor:
        from tinyir.frontend.tensor import Tensor

        if not Tensor.training or p == 0:
            return self
        keep = Tensor.rand(*self.shape, device=self.device) >= p
        return keep.where(self, 0) * (1 / (1 - p))

    def scaled_dot_product_attention(self: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None = None,
                                     dropout_p: float = 0.0, is_causal: bool = False,
                                     enable_gqa: bool = False) -> Tensor:
        from tinyir.frontend.tensor import Tensor

        if enable_gqa and key.ndim >= 3 and key.shape[-3] != self.shape[-3]:
            # grouped-query attention: each key/value head serves a group of query heads
            if self.shape[-3] % key.shape[-3]:
                raise ValueError(f"scaled_dot_product_attention: {self.shape[-3]} query heads are not a multiple "
                                 f"of {key.shape[-3]} key/value heads")
            group = self.shape[-3] // key.shape[-3]
            key, value = key.repeat_interleave(group, -3), value.repeat_interleave(group, -3)
        scores = self @ key.transpose(-2, -1) * (1 / math.sqrt(self.shape[-1]))
        if is_causal:
            n, m = self.shape[-2], key.shape[-2]
            attn_mask = Tensor.ones(n, m, dtype=dtypes.bool, device=self.device).tril()
        if attn_mask is not None:
            scores = attn_mask.where(scores, -math.inf) if attn_mask.dtype.is_bool() else scores + attn_mask
        return scores.softmax(-1).dropout(dropout_p) @ value

    def tril(self: Tensor, diagonal: int = 0) -> Tensor:
        from tinyir.frontend.tensor import Tensor

        n, m = self.shape[-2], self.shape[-1]
        rows = Tensor.arange(n, device=self.device).reshape(n, 1)
        cols = Tensor.arange(m, device=self.device).reshape(1, m)
        return (cols <= rows + diagonal).where(self, self.zeros_like())

    def triu(self: Tensor, diagonal: int = 0) -> Tensor:
        from tinyir.frontend.tensor import Tensor

        n, m = self.shape[-2], self.shape[-1]
        rows = Tensor.arange(n, device=self.device).reshape(n, 1)
        cols = Tensor.arange(m, device=self.device).reshape(1, m)
        return (cols >= rows + diagonal).where(self, self.zeros_like())

    # ------------------------------------------------------------------ losses
    def _reduce_loss(self: Tensor, reduction: str) -> Tensor:
        if reduction == "mean":
            return self.mean()
        if reduction == "sum":
            return self.sum()
        if reduction == "none":
            return self
        raise TensorValueError(f"loss: unknown reduction {reduction!r} (mean, sum or none)")

    def sparse_categorical_crossentropy(self: Tensor, Y: Tensor, ignore_index: int = -1,  # noqa: N803
                                        label_smoothing: float = 0.0, reduction: str = "mean") -> Tensor:
        """Cross entropy of logits (..., C) against integer labels (...) (tinygrad's)."""
        from tinyir.frontend.tensor import Tensor

        if Y.shape != self.shape[:-1]:
            raise TensorValueError(f"sparse_categorical_crossentropy: logits {self.shape} and labels {Y.shape} do not match")
        from tinyir.frontend.index_range import check_index_range

        check_index_range(Y, self.shape[-1], "sparse_categorical_crossentropy", "the classes", ignore=ignore_index)  # INDEX-RANGE
        log_probs = self.log_softmax(-1)
        valid = Y != ignore_index
        hot = Y.unsqueeze(-1) == Tensor.arange(self.shape[-1], device=self.device)
        nll = -hot.where(log_probs, 0).sum(-1)
        smooth = -log_probs.mean(-1)
        loss = valid.where((1 - label_smoothing) * nll + label_smoothing * smooth, 0)
        if reduction == "mean":
            return loss.sum() / valid.sum()  # ZERO-SIZE: nothing counted is 0/0 = nan (PyTorch's, tinygrad's)
        return loss._reduce_loss(reduction)

    def cross_entropy(self: Tensor, Y: Tensor, reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
        """PyTorch's cross_entropy on logits (N, C, ...) or (C,): Y holds class indices or probabilities."""
        x = self.unsqueeze(0) if self.ndim == 1 else self
        logits = x.permute((0,) + tuple(range(2, x.ndim)) + (1,)) if x.ndim > 2 else x  # classes last
        if Y.dtype.is_float():
            y = Y.unsqueeze(0) if Y.ndim == 1 else Y
            y = y.permute((0,) + tuple(range(2, y.ndim)) + (1,)) if y.ndim > 2 else y
            c = logits.shape[-1]
            y = y * (1 - label_smoothing) + label_smoothing / c
            loss = -(logits.log_softmax(-1) * y).sum(-1)
            return loss._reduce_loss(reduction) if self.ndim > 1 or reduction != "none" else loss.reshape(())
        labels = Y.unsqueeze(0) if Y.ndim == 0 else Y
        from tinyir.frontend.index_range import check_index_range

        check_index_range(labels, logits.shape[-1], "cross_entropy", "the classes", ignore=-100)  # INDEX-RANGE
        loss = logits.sparse_categorical_crossentropy(labels, ignore_index=-100, label_smoothing=label_smoothing,
                                                      reduction=reduction)
        return loss.reshape(()) if self.ndim == 1 and reduction == "none" else loss

    def nll_loss(self: Tensor, Y: Tensor, weight: Tensor | None = None, ignore_index: int = -100,
                 reduction: str = "mean") -> Tensor:
        """-self[..., Y] (log-probabilities, classes last), each scaled by weight[Y] when given;
        "mean" divides by the total weight of the counted labels, as PyTorch."""
        from tinyir.frontend.index_range import check_index_range
        from tinyir.frontend.tensor import Tensor

        check_index_range(Y, self.shape[-1], "nll_loss", "the classes", ignore=ignore_index)  # INDEX-RANGE
        hot = Y.unsqueeze(-1) == Tensor.arange(self.shape[-1], device=self.device)
        valid = Y != ignore_index
        picked = -hot.where(self, 0).sum(-1)
        if weight is not None:
            label_weight = valid.where(hot.where(weight, 0).sum(-1), 0)
            loss = valid.where(picked * label_weight, 0)
            return loss.sum() / label_weight.sum() if reduction == "mean" else loss._reduce_loss(reduction)
        loss = valid.where(picked, 0)
        if reduction == "mean":
            return loss.sum() / valid.sum()  # ZERO-SIZE: nothing counted is 0/0 = nan (PyTorch's, tinygrad's)
        return loss._reduce_loss(reduction)

    def binary_crossentropy(self: Tensor, Y: Tensor, reduction: str = "mean", pos_weight: Any = None) -> Tensor:
        """BCE of probabilities; pos_weight scales the positive term (as BCEWithLogitsLoss's)."""
        positive = Y * self.log() if pos_weight is None else pos_weight * Y * self.log()
        return (-positive - (1 - Y) * (1 - self).log())._reduce_loss(reduction)

    def binary_crossentropy_logits(self: Tensor, Y: Tensor, reduction: str = "mean", pos_weight: Any = None) -> Tensor:
        """BCE of logits, stably; pos_weight scales the positive term (BCEWithLogitsLoss)."""
        if pos_weight is None:  # softplus: its slope at 0 is 1/2 (relu and abs would give 0 there)
            return (self.softplus() - self * Y)._reduce_loss(reduction)
        log_sigmoid_neg = (-self).softplus()  # -log(sigmoid(x))
        return ((1 - Y) * self + (1 + (pos_weight - 1) * Y) * log_sigmoid_neg)._reduce_loss(reduction)
