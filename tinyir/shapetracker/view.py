"""Views and shapetrackers: zero-cost movement ops as index algebra (pure Python, no xDSL).

A `View` maps an index `(x0, ..., xn-1)` of its shape to a flat position
`offset + sum(stride_i * x_i)`; a per-dim validity `mask` of ranges `[lo, hi)` marks the
elements that exist (outside it the element reads as 0 and is never loaded).

A `ShapeTracker` is a tuple of views: `views[0]` maps onto the buffer, each later view maps
onto the shape of the view below it (its flat position is unflattened, row-major, into an index
of that shape). `views[-1].shape` is the shape seen. A movement op that one view cannot express
stacks a new view; `simplify()` merges adjacent views again where one view says both.

Index expressions go through a small *builder protocol*, so the same algebra can produce
numpy arrays (tests), strings (debugging) or IR ops (the loop level's builder emitting `uop`s).
A builder `b` provides, on expressions of its own kind:

    b.const(n: int)        an integer constant (index math is i32 at the loop level)
    b.add(x, y)            x + y
    b.mul(x, y)            x * y
    b.idiv(x, y)           x / y, truncating toward zero (y is always a positive constant here)
    b.mod(x, y)            x % y, sign of the dividend (y is always a positive constant here)
    b.lt(x, y)             x < y, a boolean
    b.and_(p, q)           p and q, on booleans
    b.true()               the boolean constant true
    b.false()              the boolean constant false (only for views masked out entirely)

`ShapeTracker.index_and_valid(idxs, b)` takes one expression per dim of the seen shape and returns
`(flat buffer index, validity)`. It never emits `*0`, `*1`, `+0`, index terms of size-1 dims or
mask terms that always hold; the index is meaningful only where validity holds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

Shape = tuple[int, ...]
Mask = tuple[tuple[int, int], ...]


# ----------------------------------------------------------------------------------------------
# small helpers


def prod(xs: Sequence[int]) -> int:
    return math.prod(xs)


def contiguous_strides(shape: Sequence[int]) -> Shape:
    """Row-major strides of `shape`; size-1 dims get stride 0 (they never move the index)."""
    strides, acc = [], 1
    for d in reversed(shape):
        strides.append(0 if d == 1 else acc)
        acc *= d
    return tuple(reversed(strides))


def invert_permutation(perm: Sequence[int]) -> tuple[int, ...]:
    """The permutation that undoes `perm` (result dim i of permute = input dim perm[i])."""
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return tuple(inv)


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _check_rank(what: str, arg: Sequence[Any], shape: Shape) -> None:
    if len(arg) != len(shape):
        raise ValueError(f"{what}: {len(arg)} entries for a rank-{len(shape)} shape {shape}")


# ----------------------------------------------------------------------------------------------
# View


@dataclass(frozen=True)
class View:
    """One strided, offset, optionally masked window onto the shape below it. Build with `create`."""

    shape: Shape
    strides: Shape
    offset: int = 0
    mask: Mask | None = None

    # -- construction ----------------------------------------------------------------------

    @staticmethod
    def create(shape: Sequence[int], strides: Sequence[int] | None = None, offset: int = 0,
               mask: Sequence[Sequence[int]] | None = None) -> View:
        """A view in canonical form: size-1 (and single-valid-index) dims get stride 0, a mask that
        covers everything becomes None, a view with nothing valid gets an all-empty mask."""
        shape = tuple(int(d) for d in shape)
        if any(d < 0 for d in shape):
            raise ValueError(f"negative dimension in shape {shape}")
        strides = contiguous_strides(shape) if strides is None else tuple(int(s) for s in strides)
        _check_rank("strides", strides, shape)
        if mask is not None:
            _check_rank("mask", mask, shape)
            mask = tuple((max(0, int(lo)), min(d, int(hi))) for (lo, hi), d in zip(mask, shape))
            if any(lo >= hi for lo, hi in mask) and prod(shape) > 0:
                return View(shape, (0,) * len(shape), 0, tuple((0, 0) for _ in shape))
            new_strides = list(strides)
            for i, (lo, hi) in enumerate(mask):  # one valid index: fold its term into the offset
                if hi - lo == 1 and new_strides[i] != 0:
                    offset += lo * new_strides[i]
                    new_strides[i] = 0
            strides = tuple(new_strides)
            if all(lo == 0 and hi == d for (lo, hi), d in zip(mask, shape)):
                mask = None
        strides = tuple(0 if d == 1 else s for d, s in zip(shape, strides))
        return View(shape, strides, int(offset), mask)

    @staticmethod
    def contiguous(shape: Sequence[int]) -> View:
        return View.create(shape)

    @staticmethod
    def nothing_valid(shape: Sequence[int]) -> View | None:
        """A view of `shape` with no valid element, or None for rank 0: a mask is per dim, so a
        rank-0 view cannot say it (a rank-0 read of a padded element keeps the masked view below)."""
        return View.create(shape, mask=[(0, 0)] * len(shape)) if len(shape) else None

    # -- queries -----------------------------------------------------------------------------

    @property
    def size(self) -> int:
        return prod(self.shape)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def is_contiguous(self) -> bool:
        return self.offset == 0 and self.mask is None and self.strides == contiguous_strides(self.shape)

    @property
    def all_invalid(self) -> bool:
        return self.mask is not None and any(lo >= hi for lo, hi in self.mask)

    def full_mask(self) -> Mask:
        return self.mask if self.mask is not None else tuple((0, d) for d in self.shape)

    def index_range(self) -> tuple[int, int] | None:
        """(min, max) flat position over the valid elements; None when nothing is valid."""
        if self.all_invalid or self.size == 0:
            return None
        lo = hi = self.offset
        for s, (mlo, mhi) in zip(self.strides, self.full_mask()):
            a, b = s * mlo, s * (mhi - 1)
            lo += min(a, b)
            hi += max(a, b)
        return lo, hi

    # -- the six movement ops ----------------------------------------------------------------

    def permute(self, perm: Sequence[int]) -> View:
        if sorted(perm) != list(range(self.ndim)):
            raise ValueError(f"permute: {tuple(perm)} is not a permutation of {self.ndim} dims")
        mask = None if self.mask is None else tuple(self.mask[p] for p in perm)
        return View.create([self.shape[p] for p in perm], [self.strides[p] for p in perm], self.offset, mask)

    def expand(self, shape: Sequence[int]) -> View:
        _check_rank("expand", shape, self.shape)
        for old, new in zip(self.shape, shape):
            if old != new and old != 1:
                raise ValueError(f"expand: cannot expand {self.shape} to {tuple(shape)}")
        strides = [s if old == new else 0 for s, old, new in zip(self.strides, self.shape, shape)]
        mask = None
        if self.mask is not None:
            mask = [m if old == new else (0, new) for m, old, new in zip(self.mask, self.shape, shape)]
            if self.all_invalid:
                mask = [(0, 0)] * len(shape)
        return View.create(shape, strides, self.offset, mask)

    def pad(self, arg: Sequence[tuple[int, int]]) -> View:
        _check_rank("pad", arg, self.shape)
        if any(b < 0 or a < 0 for b, a in arg):
            raise ValueError(f"pad: negative padding {tuple(arg)}")
        if all(b == 0 and a == 0 for b, a in arg):
            return self
        shape = [d + b + a for d, (b, a) in zip(self.shape, arg)]
        offset = self.offset - sum(b * s for (b, _), s in zip(arg, self.strides))
        mask = [(lo + b, hi + b) for (lo, hi), (b, _) in zip(self.full_mask(), arg)]
        return View.create(shape, self.strides, offset, mask)

    def shrink(self, arg: Sequence[tuple[int, int]]) -> View:
        _check_rank("shrink", arg, self.shape)
        if any(not 0 <= b <= e <= d for (b, e), d in zip(arg, self.shape)):
            raise ValueError(f"shrink: {tuple(arg)} is not inside {self.shape}")
        shape = [e - b for b, e in arg]
        offset = self.offset + sum(b * s for (b, _), s in zip(arg, self.strides))
        mask = None
        if self.mask is not None:
            mask = [(max(lo - b, 0), min(hi - b, e - b)) for (lo, hi), (b, e) in zip(self.mask, arg)]
        return View.create(shape, self.strides, offset, mask)

    def flip(self, axes: Sequence[int]) -> View:
        if any(not 0 <= a < self.ndim for a in axes):
            raise ValueError(f"flip: axes {tuple(axes)} out of range for rank {self.ndim}")
        flipped = set(axes)
        strides = [-s if i in flipped else s for i, s in enumerate(self.strides)]
        offset = self.offset + sum((d - 1) * s for i, (d, s) in enumerate(zip(self.shape, self.strides))
                                   if i in flipped)
        mask = None
        if self.mask is not None:
            mask = [(d - hi, d - lo) if i in flipped else (lo, hi)
                    for i, ((lo, hi), d) in enumerate(zip(self.mask, self.shape))]
        return View.create(self.shape, strides, offset, mask)

    def reshape(self, shape: Sequence[int]) -> View | None:
        """The same elements, row-major, in `shape`; None when one view cannot express it."""
        shape = tuple(int(d) for d in shape)
        if prod(shape) != self.size:
            raise ValueError(f"reshape: {self.shape} ({self.size} elements) to {shape} ({prod(shape)})")
        if shape == self.shape:
            return self
        if self.all_invalid:
            return View.nothing_valid(shape)
        if self.size == 0:
            return View.create(shape)
        return _reshape_groups(self, shape)


def _groups(old: list[int], new: list[int]) -> list[tuple[list[int], list[int]]]:
    """Pair up runs of old and new dim sizes (no 1s) whose products agree, smallest runs first."""
    out, i, j = [], 0, 0
    while i < len(old):
        go, gn = [old[i]], [new[j]]
        i, j = i + 1, j + 1
        while prod(go) != prod(gn):
            if prod(go) < prod(gn):
                go.append(old[i])
                i += 1
            else:
                gn.append(new[j])
                j += 1
        out.append((go, gn))
    return out


def _reshape_groups(view: View, shape: Shape) -> View | None:
    old_pos = [i for i, d in enumerate(view.shape) if d != 1]
    new_pos = [i for i, d in enumerate(shape) if d != 1]
    strides = [0] * len(shape)
    mask = [(0, d) for d in shape]
    offset = view.offset
    full = view.full_mask()
    k = 0
    for go, gn in _groups([view.shape[i] for i in old_pos], [shape[i] for i in new_pos]):
        dims = old_pos[k:k + len(go)]
        k += len(go)
        # strides: the old run must be one stride walk (merge), then it splits freely
        ostr = [view.strides[i] for i in dims]
        for a in range(len(dims) - 2, -1, -1):
            need = ostr[a + 1] * view.shape[dims[a + 1]]
            if ostr[a] != need:
                lo, hi = full[dims[a]]
                if hi - lo != 1:  # a dim with one valid index can take any stride
                    return None
                offset += lo * (ostr[a] - need)
                ostr[a] = need
        base = ostr[-1]
        # mask: old box -> one flat range -> new box
        flat = _box_to_range([full[i] for i in dims], go)
        if flat is None:
            return None
        box = _range_to_box(flat, gn)
        if box is None:
            return None
        npos = new_pos[:len(gn)]
        new_pos = new_pos[len(gn):]
        for idx, (p, n) in enumerate(zip(npos, gn)):
            strides[p] = base * prod(gn[idx + 1:])
            mask[p] = box[idx]
    return View.create(shape, strides, offset, mask)


def _box_to_range(box: list[tuple[int, int]], sizes: list[int]) -> tuple[int, int] | None:
    """The flat row-major range covered by a box, if the box is one contiguous run."""
    n = len(sizes)
    j = n - 1  # innermost dim that is not full
    while j >= 0 and box[j] == (0, sizes[j]):
        j -= 1
    if j < 0:
        return 0, prod(sizes)
    if any(hi - lo != 1 for lo, hi in box[:j]):
        return None
    inner = prod(sizes[j + 1:])
    start = sum(lo * prod(sizes[i + 1:]) for i, (lo, _) in enumerate(box[:j]))
    return start + box[j][0] * inner, start + box[j][1] * inner


def _range_to_box(rng: tuple[int, int], sizes: list[int]) -> list[tuple[int, int]] | None:
    """The box of a row-major index space covering exactly the flat range, if there is one."""
    lo, hi = rng
    if lo == 0 and hi == prod(sizes):
        return [(0, d) for d in sizes]
    for k in range(len(sizes) - 1, -1, -1):
        inner = prod(sizes[k + 1:])
        outer = inner * sizes[k]
        if lo % inner or hi % inner:
            break
        if lo // outer == (hi - 1) // outer:  # outer digits fixed, digit k a range, inner digits full
            fixed = [(lo // prod(sizes[i + 1:])) % sizes[i] for i in range(k)]
            box = [(v, v + 1) for v in fixed]
            box.append(((lo // inner) % sizes[k], ((hi - 1) // inner) % sizes[k] + 1))
            box += [(0, d) for d in sizes[k + 1:]]
            return box
    return None


def merge_views(lower: View, upper: View) -> View | None:
    """One view that reads what `upper` stacked on `lower` reads, or None."""
    if upper.all_invalid:
        return View.create(upper.shape, mask=upper.mask)
    if lower.all_invalid:
        return View.nothing_valid(upper.shape)
    if lower.is_contiguous:
        return upper
    if upper.offset == 0 and upper.size == lower.size and upper.strides == contiguous_strides(upper.shape):
        moved = lower.reshape(upper.shape)
        if moved is not None:
            return _intersect_mask(moved, upper.mask)
    if lower.mask is None:  # lower is one stride walk: flat position f -> lower.offset + s * f
        flat = lower.reshape((lower.size,))
        if flat is not None:
            s = flat.strides[0] if lower.size > 1 else 0
            return View.create(upper.shape, [s * u for u in upper.strides], flat.offset + s * upper.offset,
                               upper.mask)
    return _merge_digitwise(lower, upper)


def _intersect_mask(view: View, mask: Mask | None) -> View:
    if mask is None:
        return view
    both = [(max(a, c), min(b, d)) for (a, b), (c, d) in zip(view.full_mask(), mask)]
    return View.create(view.shape, view.strides, view.offset, both)


def _split_digits(lower: View, upper: View) -> tuple[list[int], dict[int, list[tuple[int, int]]]] | None:
    """`upper`'s flat position as lower's row-major digits, carry-free: (the offset's digits, {lower
    dim: [(upper dim, coefficient)]}), exact wherever upper is valid; None when a digit would carry.

    DIGIT-WRAP: a digit may wrap into the dim just outside it when lower ignores that dim (stride 0,
    no mask: an expand). Its coefficients then count modulo the digit's size, as long as the reduced
    digit stays in range and the pair carries no further out; the ignored digit reads 0. This is how
    a window built by repeating its input (Tensor._windows) folds into one strided view."""
    row = [prod(lower.shape[j + 1:]) for j in range(lower.ndim)]
    rng = upper.index_range()
    if rng is None or rng[0] < 0 or rng[1] >= lower.size:
        return None
    # the offset as digits of lower's index; the outermost digit takes the rest (it may be out of
    # range, e.g. negative under padding, as long as the valid elements bring it back in)
    big = [j for j in range(lower.ndim) if lower.shape[j] > 1]
    if not big:
        return None
    digits = [(upper.offset // row[j]) % lower.shape[j] if lower.shape[j] > 1 else 0 for j in range(lower.ndim)]
    digits[big[0]] = upper.offset // row[big[0]]
    assign: dict[int, list[tuple[int, int]]] = {}  # lower dim -> [(upper dim, coefficient)]
    umask = upper.full_mask()
    for i, s in enumerate(upper.strides):
        if s == 0:
            continue
        j = next((j for j in big if s % row[j] == 0), None)
        if j is None:
            return None
        assign.setdefault(j, []).append((i, s // row[j]))

    def reach(j: int, terms: list[tuple[int, int]], scale: int = 1) -> tuple[int, int]:
        lo = hi = 0
        for i, c in terms:
            a, b = c * scale * umask[i][0], c * scale * (umask[i][1] - 1)
            lo, hi = lo + min(a, b), hi + max(a, b)
        return lo, hi

    wrapped: set[int] = set()  # ignored dims that took a wrapped digit's carry
    for k in range(len(big) - 1, -1, -1):  # inner to outer, so a wrap marks its outer dim first
        j = big[k]
        if j in wrapped:
            continue
        lo, hi = reach(j, assign.get(j, []))
        n = lower.shape[j]
        if 0 <= digits[j] + lo and digits[j] + hi < n:
            continue
        outer = big[k - 1] if k else None
        if outer is None or lower.strides[outer] != 0 or lower.full_mask()[outer] != (0, lower.shape[outer]):
            return None
        if k - 1:  # the pair must not carry past the ignored dim (the outermost digit takes the rest)
            olo, ohi = reach(outer, assign.get(outer, []), n)
            pair = digits[outer] * n + digits[j]
            if pair + lo + olo < 0 or pair + hi + ohi >= lower.shape[outer] * n:
                return None
        reduced = [(i, c % n) for i, c in assign.get(j, []) if c % n]
        rlo, rhi = reach(j, reduced)
        if digits[j] + rlo < 0 or digits[j] + rhi >= n:
            return None
        assign[j] = reduced
        assign.pop(outer, None)
        digits[outer] = 0
        wrapped.add(outer)
    return digits, assign


def _merge_digitwise(lower: View, upper: View) -> View | None:
    """Merge when every upper dim moves exactly one digit of lower's row-major index, carry-free."""
    if upper.index_range() is None:
        return View.nothing_valid(upper.shape)
    split = _split_digits(lower, upper)
    if split is None:
        return None
    digits, assign = split
    umask = upper.full_mask()
    strides = [0] * upper.ndim
    offset = lower.offset + sum(d * s for d, s in zip(digits, lower.strides))
    mask = [list(m) for m in umask]
    lmask = lower.full_mask()
    for j in range(lower.ndim):
        terms = assign.get(j, [])
        for i, c in terms:
            strides[i] += c * lower.strides[j]
        mlo, mhi = lmask[j]
        if (mlo, mhi) == (0, lower.shape[j]):
            continue
        if not terms:
            if not mlo <= digits[j] < mhi:
                return View.nothing_valid(upper.shape)
            continue
        if len(terms) > 1:
            return None
        i, c = terms[0]
        o = digits[j]
        if c > 0:
            xlo, xhi = _ceil_div(mlo - o, c), (mhi - 1 - o) // c + 1
        else:
            xlo, xhi = _ceil_div(o + 1 - mhi, -c), (o - mlo) // (-c) + 1
        mask[i] = [max(mask[i][0], xlo), min(mask[i][1], xhi)]
    return View.create(upper.shape, strides, offset, mask)


# ----------------------------------------------------------------------------------------------
# builders


class IndexBuilder(Protocol):
    """What `index_and_valid` needs from a builder (see the module docstring)."""

    def const(self, value: int) -> Any: ...
    def add(self, x: Any, y: Any) -> Any: ...
    def mul(self, x: Any, y: Any) -> Any: ...
    def idiv(self, x: Any, y: Any) -> Any: ...
    def mod(self, x: Any, y: Any) -> Any: ...
    def lt(self, x: Any, y: Any) -> Any: ...
    def and_(self, x: Any, y: Any) -> Any: ...
    def true(self) -> Any: ...
    def false(self) -> Any: ...


class NumpyBuilder:
    """Evaluates index expressions on numpy integer arrays, with C semantics for idiv/mod."""

    def __init__(self) -> None:
        import numpy as np

        self.np = np

    def const(self, value: int) -> Any:
        return self.np.int64(value)

    def add(self, x: Any, y: Any) -> Any:
        return x + y

    def mul(self, x: Any, y: Any) -> Any:
        return x * y

    def idiv(self, x: Any, y: Any) -> Any:
        q = self.np.abs(x) // self.np.abs(y)
        return self.np.where((x < 0) != (y < 0), -q, q)

    def mod(self, x: Any, y: Any) -> Any:
        return x - y * self.idiv(x, y)

    def lt(self, x: Any, y: Any) -> Any:
        return x < y

    def and_(self, x: Any, y: Any) -> Any:
        return self.np.logical_and(x, y)

    def true(self) -> Any:
        return self.np.bool_(True)

    def false(self) -> Any:
        return self.np.bool_(False)


class StringBuilder:
    """Builds readable C-like expression strings, e.g. `((x0*4)+x1)` (for debugging and docs)."""

    def const(self, value: int) -> str:
        return str(value)

    def add(self, x: str, y: str) -> str:
        return f"({x}+{y})"

    def mul(self, x: str, y: str) -> str:
        return f"({x}*{y})"

    def idiv(self, x: str, y: str) -> str:
        return f"({x}/{y})"

    def mod(self, x: str, y: str) -> str:
        return f"({x}%{y})"

    def lt(self, x: str, y: str) -> str:
        return f"({x}<{y})"

    def and_(self, x: str, y: str) -> str:
        return f"({x}&&{y})"

    def true(self) -> str:
        return "true"

    def false(self) -> str:
        return "false"


class _Expr:
    """Folds constants while building, so the builder never sees +0, *0, *1 or const-only math."""

    def __init__(self, b: IndexBuilder):
        self.b = b

    def lift(self, x: Any) -> Any:
        return self.b.const(x) if isinstance(x, int) else x

    def add(self, x: Any, y: Any) -> Any:
        if isinstance(x, int) and isinstance(y, int):
            return x + y
        if isinstance(x, int) and x == 0:
            return y
        if isinstance(y, int) and y == 0:
            return x
        return self.b.add(self.lift(x), self.lift(y))

    def mul(self, x: Any, c: int) -> Any:
        if isinstance(x, int):
            return x * c
        if c == 0:
            return 0
        return x if c == 1 else self.b.mul(x, self.b.const(c))

    def idiv(self, x: Any, c: int) -> Any:
        if isinstance(x, int):
            return int(x / c) if x * c < 0 else x // c
        return x if c == 1 else self.b.idiv(x, self.b.const(c))

    def mod(self, x: Any, c: int) -> Any:
        if isinstance(x, int):
            return x - c * (int(x / c) if x * c < 0 else x // c)
        return 0 if c == 1 else self.b.mod(x, self.b.const(c))


def view_index_and_valid(view: View, idxs: Sequence[Any], b: IndexBuilder, e: _Expr | None = None,
                         with_index: bool = True) -> tuple[Any, list[Any] | None]:
    """(flat position as int-or-expr, list of validity terms or None when nothing is valid);
    without `with_index` the position is not built (0)."""
    e = e or _Expr(b)
    if view.all_invalid:
        return 0, None
    index: Any = 0
    terms: list[Any] = []
    for d, x, s in zip(view.shape, idxs, view.strides):
        if d != 1 and with_index:
            index = e.add(index, e.mul(x, s))
    index = e.add(index, view.offset if with_index else 0)
    if view.mask is not None:
        for d, x, (lo, hi) in zip(view.shape, idxs, view.mask):
            if lo > 0:
                terms.append(b.lt(b.const(lo - 1), e.lift(x)))
            if hi < d:
                terms.append(b.lt(e.lift(x), b.const(hi)))
    return index, terms


# ----------------------------------------------------------------------------------------------
# ShapeTracker


@dataclass(frozen=True)
class ShapeTracker:
    """A stack of views; `views[0]` maps onto the buffer, `views[-1].shape` is the shape seen."""

    views: tuple[View, ...]

    def __post_init__(self) -> None:
        if not self.views:
            raise ValueError("a ShapeTracker needs at least one view")
        for below, above in zip(self.views, self.views[1:]):
            rng = above.index_range()
            if rng is not None and (rng[0] < 0 or rng[1] >= below.size):
                raise ValueError(f"view {above} reads outside the {below.shape} view below it")

    @staticmethod
    def contiguous(shape: Sequence[int]) -> ShapeTracker:
        return ShapeTracker((View.contiguous(shape),))

    @staticmethod
    def from_views(views: Sequence[View]) -> ShapeTracker:
        return ShapeTracker(tuple(views))

    # -- queries -----------------------------------------------------------------------------

    @property
    def shape(self) -> Shape:
        return self.views[-1].shape

    @property
    def size(self) -> int:
        return self.views[-1].size

    @property
    def ndim(self) -> int:
        return self.views[-1].ndim

    @property
    def is_contiguous(self) -> bool:
        return len(self.views) == 1 and self.views[0].is_contiguous

    @property
    def real_strides(self) -> tuple[int | None, ...]:
        """Per dim, the buffer stride of a step along it, or None where no single stride says it
        (stacked views that do not merge, or a dim whose mask makes it a gather)."""
        st = self.simplify()
        if len(st.views) == 1:
            v = st.views[0]
            return tuple(None if v.mask is not None and v.mask[i] != (0, d) else s
                         for i, (d, s) in enumerate(zip(v.shape, v.strides)))
        return tuple(0 if d == 1 else None for d in self.shape)

    def buffer_extent(self) -> tuple[int, int] | None:
        """(min, max) buffer position that valid elements may read; None when nothing is valid.
        Exact for one view; for stacked views, the reach of the buffer-side view (a safe bound)."""
        st = self.simplify()
        if len(st.views) == 1 or st.views[-1].all_invalid:
            return st.views[-1].index_range() if len(st.views) == 1 else None
        return st.views[0].index_range()

    # -- movement ops --------------------------------------------------------------------------

    def _top(self, view: View) -> ShapeTracker:
        return ShapeTracker(self.views[:-1] + (view,))

    def permute(self, perm: Sequence[int]) -> ShapeTracker:
        return self._top(self.views[-1].permute(perm))

    def expand(self, shape: Sequence[int]) -> ShapeTracker:
        return self._top(self.views[-1].expand(shape))

    def pad(self, arg: Sequence[tuple[int, int]]) -> ShapeTracker:
        return self._top(self.views[-1].pad(arg))

    def shrink(self, arg: Sequence[tuple[int, int]]) -> ShapeTracker:
        return self._top(self.views[-1].shrink(arg))

    def flip(self, axes: Sequence[int]) -> ShapeTracker:
        return self._top(self.views[-1].flip(axes))

    def reshape(self, shape: Sequence[int]) -> ShapeTracker:
        moved = self.views[-1].reshape(shape)
        if moved is not None:
            return self._top(moved)
        return ShapeTracker(self.views + (View.contiguous(shape),))

    def movement(self, kind: str, arg: Any) -> ShapeTracker:
        """Apply a movement op by name (`reshape permute expand pad shrink flip`)."""
        if kind not in MOVEMENT_OPS:
            raise ValueError(f"unknown movement op {kind!r}")
        return getattr(self, kind)(arg)

    # -- merging -------------------------------------------------------------------------------

    def simplify(self) -> ShapeTracker:
        """Merge adjacent views wherever one view expresses both (top-down, to a fixed point)."""
        views = list(self.views)
        changed = True
        while changed and len(views) > 1:
            changed = False
            for i in range(len(views) - 1, 0, -1):
                merged = merge_views(views[i - 1], views[i])
                if merged is not None:
                    views[i - 1:i + 1] = [merged]
                    changed = True
                    break
        return ShapeTracker(tuple(views))

    # -- index expressions ---------------------------------------------------------------------

    def index_and_valid(self, idxs: Sequence[Any], b: IndexBuilder) -> tuple[Any, Any]:
        """(flat buffer index, validity) for the element at `idxs` of the seen shape."""
        if len(idxs) != self.ndim:
            raise ValueError(f"index_and_valid: {len(idxs)} indices for shape {self.shape}")
        e = _Expr(b)
        terms: list[Any] = []
        cur: list[Any] = list(idxs)
        index: Any = 0
        for depth in range(len(self.views) - 1, -1, -1):
            view = self.views[depth]
            split = _split_digits(self.views[depth - 1], view) if depth and not view.all_invalid else None
            index, vterms = view_index_and_valid(view, cur, b, e, with_index=split is None)
            if vterms is None:
                return e.lift(0), b.false()
            terms = vterms + terms
            if split is not None:
                # DIGIT-SPLIT: each digit of the view below is affine in this view's indices (no
                # idiv/mod), e.g. a padded window whose mask a merged view could not say
                digits, assign = split
                above = cur
                cur = []
                for j, d in enumerate(digits):
                    x: Any = d
                    for i, c in assign.get(j, []):
                        x = e.add(x, e.mul(above[i], c))
                    cur.append(x)
                continue
            if depth:  # unflatten into the shape of the view below
                below = self.views[depth - 1].shape
                cur = []
                for j, d in enumerate(below):
                    if d == 1:
                        cur.append(0)
                        continue
                    part = e.idiv(index, prod(below[j + 1:]))
                    cur.append(part if j == 0 or all(x == 1 for x in below[:j]) else e.mod(part, d))
        valid = terms[0] if terms else b.true()
        for t in terms[1:]:
            valid = b.and_(valid, t)
        return e.lift(index), valid

    # -- inverses for the store side -----------------------------------------------------------

    def invert_movement(self, kind: str, arg: Any, input_shape: Sequence[int]) -> ShapeTracker:
        """Store-side fold: storing `movement(v)` through self == storing `v` through the result.
        Only the bijective movements (reshape, permute, flip) invert."""
        if kind == "reshape":
            return self.reshape(tuple(input_shape))
        if kind == "permute":
            return self.permute(invert_permutation(arg))
        if kind == "flip":
            return self.flip(arg)
        raise ValueError(f"{kind} is not invertible (only reshape, permute, flip are)")

    def __str__(self) -> str:
        return "[" + ", ".join(_view_str(v) for v in self.views) + "]"


def _view_str(v: View) -> str:
    mask = "" if v.mask is None else ", " + str([list(m) for m in v.mask])
    return f"View({list(v.shape)}, {list(v.strides)}, {v.offset}{mask})"


MOVEMENT_OPS = ("reshape", "permute", "expand", "pad", "shrink", "flip")
INVERTIBLE_MOVEMENT_OPS = ("reshape", "permute", "flip")

__all__ = ["View", "ShapeTracker", "IndexBuilder", "NumpyBuilder", "StringBuilder", "merge_views",
           "contiguous_strides", "invert_permutation", "MOVEMENT_OPS", "INVERTIBLE_MOVEMENT_OPS", "prod"]
