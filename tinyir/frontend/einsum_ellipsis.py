"""`...` in `Tensor.einsum` formulas: each operand's ellipsis becomes fresh letters for its
unnamed dims, aligned from the right and broadcast as in numpy/PyTorch, before the letter-only
einsum runs."""

from __future__ import annotations

import string
from typing import TYPE_CHECKING

from tinyir.errors import TensorValueError

if TYPE_CHECKING:
    from tinyir.frontend.tensor import Tensor


def expand_ellipsis(spec: str, operands: list[Tensor]) -> tuple[str, list[Tensor]]:
    """The formula (spaces removed) with every `...` spelled out, and the operands with their
    ellipsis dims broadcast to one shape. Without `->`, the ellipsis dims lead the output."""
    from tinyir.frontend.tensor import _broadcast_shape

    lhs, arrow, out = spec.partition("->")
    inputs = lhs.split(",")
    if len(inputs) != len(operands):
        raise TensorValueError(f"einsum: {len(inputs)} operands in {spec!r}, {len(operands)} given")
    free = [c for c in string.ascii_letters if c not in spec]
    counts = []
    for term, t in zip(inputs, operands):
        if term.count("...") > 1:
            raise TensorValueError(f"einsum: more than one '...' in {term!r}")
        named = len(term.replace("...", ""))
        if "..." in term and named > t.ndim:
            raise TensorValueError(f"einsum: {term!r} names {named} dims of shape {t.shape}")
        counts.append(t.ndim - named if "..." in term else 0)
    width = max(counts)
    if width > len(free):
        raise TensorValueError(f"einsum: too many dims under '...' ({width})")
    letters = "".join(free[:width])
    shape: tuple[int, ...] = ()
    for term, t, c in zip(inputs, operands, counts):
        if "..." in term:
            start = term.index("...")
            shape = _broadcast_shape(shape, t.shape[start:start + c], "einsum")
    new_inputs, new_ops = [], []
    for term, t, c in zip(inputs, operands, counts):
        if "..." in term:
            start = term.index("...")
            own = shape[width - c:]  # this operand's ellipsis dims, right-aligned in the broadcast shape
            t = t.expand(*t.shape[:start], *own, *t.shape[start + c:]) if t.shape[start:start + c] != own else t
            term = term.replace("...", letters[width - c:])
        new_inputs.append(term)
        new_ops.append(t)
    if arrow:
        out_letters = out.replace("...", letters)
    else:
        named = "".join(new_inputs).translate(str.maketrans("", "", letters))
        out_letters = letters + "".join(sorted(c for c in set(named) if named.count(c) == 1))
    return ",".join(new_inputs) + "->" + out_letters, new_ops
