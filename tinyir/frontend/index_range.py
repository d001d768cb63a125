"""Range checks of index tensors (gather, scatter, scatter_reduce, indexing with tensors, one_hot,
max_unpool, nn.Embedding, nll_loss / cross-entropy targets).

Those methods select by one-hot matches (`index == arange(n)`), so an index outside [0, n) would
match nothing and give a silent 0 (or leave a position unwritten). Instead each checks its index
values first and raises one TensorIndexError (an IndexError) naming the call, the first bad value,
where it is in the index tensor, and the dim's size. Negative indices count from the end only where
PyTorch allows it (indexing with tensors: [-n, n)); gather, scatter, one_hot, max_unpool, Embedding
and loss targets take [0, n), as PyTorch does.

The check needs the index values on the host: a realized index is copied there; a lazy index is
realized first (its own kernel; the rest of the expression stays lazy). Under TinyJit the check
runs when the function is captured, not on replays (which only re-run the kernels).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tinyir.errors import TensorIndexError

if TYPE_CHECKING:
    from tinyir.frontend.tensor import Tensor


def check_index_range(index: Tensor, size: int, opname: str, what: str, negative: bool = False,
                      ignore: int | None = None) -> None:
    """Raise TensorIndexError unless every value of `index` lies in [0, size) (or [-size, size)
    with `negative`); values equal to `ignore` are skipped (a loss's ignore_index). `what` says
    which dim the index selects along, for the message."""
    if index.numel() == 0:
        return
    values = np.asarray(index.numpy()).astype(np.int64, copy=False)
    low = -size if negative else 0
    bad = (values < low) | (values >= size)
    if ignore is not None:
        bad &= values != ignore
    if not bad.any():
        return
    at = tuple(int(i) for i in np.argwhere(bad)[0])
    where = f" (at {list(at)} of the index tensor)" if values.ndim else ""
    allowed = f"[{low}, {size})" if size else "nothing (the dim is empty)"
    raise TensorIndexError(f"{opname}: index {int(values[at])}{where} is out of range for {what} of size {size}; "
                           f"allowed: {allowed}")


__all__ = ["check_index_range"]
