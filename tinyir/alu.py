"""The ALU semantics table: what every elementwise op of tinyir means, exactly, on every element type.

One row per op (`ALU`, by short name: "add", "idiv", "cast", ...): arity, the element types the tir
op and the uop op accept, commutativity, whether every target computes it bit-exactly, and its
meaning as a numpy function on arrays of the operand dtype. The meaning is the definition: the
numpy reference and the uop interpreter run it, `uop-simplify` folds constants with it, the tir and
uop op families take their dtype classes and docs from it, and every target lowering implements it
(tested op x dtype x edge value in test/unit/test_alu_conformance.py). docs/ir.md ("ALU semantics")
is the prose form, with the places where a target cannot match.

The choices, where C leaves things undefined (C/tinygrad on hardware where that is defined, numpy
where the frontend's PyTorch-like API needs it; every device computes the same bits):

  * integers wrap at the element width (two's complement), also i8/ui8: a narrow result is wrapped
    before anything else sees it (no C integer promotion leaks through)
  * idiv truncates toward zero (C); the frontend's `//` (floor, as Python and PyTorch) is built from
    it. x idiv 0 = 0 and x mod 0 = 0 (numpy's answers); MIN idiv -1 = MIN (wraps), MIN mod -1 = 0
  * mod has the sign of the dividend (C's %), so x == (x idiv y) * y + x mod y for y != 0
  * fmod (floats) is C's fmod, exact: the remainder x - n*y with n = trunc(x/y) taken without any
    rounding (it is always representable); NaN for y = 0 or infinite x; x for infinite y. Targets
    without one (PTX) compute it by exact long division (tinyir/targets/ptx/fmod.py)
  * shl/shr by an amount outside [0, bits): shl gives 0, shr gives the sign fill (0 or -1), as
    numpy and PyTorch, and PTX's clamping shifts; shr is arithmetic on signed, logical on unsigned
  * float max is IEEE 754-2019 maximum: NaN if either operand is NaN, and +0 > -0 (commutative bits)
  * cmplt is false and cmpne true when an operand is NaN
  * cast float -> int truncates toward zero and saturates to the type's range; NaN -> 0 (PTX `cvt.rzi`,
    LLVM `fpto[su]i.sat`); int -> int wraps; -> float rounds to nearest even (overflow -> inf);
    -> bool is `!= 0` (NaN -> true); bool -> 0/1
  * i1 (uop only): add and max are `or`, mul is `and`, neg is `not`; cmplt is false < true
  * exp2, log2, sin are approximate on some targets (see `tolerance`); sqrt and recip are correctly
    rounded where the target can (see `TARGET_LIMITS`)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from xdsl.ir import Attribute

from tinyir.element_types import ELEMENT_TYPES, is_bool, is_float, is_float_dtype, is_int

Array = np.ndarray


# ---------------------------------------------------------------------------- dtype classes


@dataclass(frozen=True)
class DTypeClass:
    """A named set of element types, e.g. "float" for exp2."""

    name: str
    accepts: Callable[[Attribute], bool]

    def types(self) -> tuple[Attribute, ...]:
        """The element types of the class, in the order of `ELEMENT_TYPES`."""
        return tuple(t for t in ELEMENT_TYPES if self.accepts(t))


FLOAT = DTypeClass("float", is_float)
INT = DTypeClass("integer", is_int)
INT_OR_BOOL = DTypeClass("integer or bool", lambda t: is_int(t) or is_bool(t))
NUMERIC = DTypeClass("float or integer", lambda t: is_float(t) or is_int(t))
ANY = DTypeClass("any element type", lambda t: t in ELEMENT_TYPES)


# ---------------------------------------------------------------------------- numpy meanings
# Every function takes arrays of the operand dtype (bool for i1) and returns the result's values;
# callers run them under np.errstate(all="ignore") and convert to the result dtype.


def _unsigned_view(x: Array) -> Array:
    """The same bits as the unsigned integer type of the same width (wrapping arithmetic)."""
    return x.view(np.dtype(f"u{x.dtype.itemsize}")) if x.dtype.kind == "i" else x


def _bits(x: Array) -> int:
    return x.dtype.itemsize * 8


def _neg(x: Array) -> Array:
    if x.dtype == np.bool_:
        return np.logical_not(x)
    return np.negative(x)  # ints wrap (-MIN = MIN); floats flip the sign bit (-0.0 from 0.0)


def _add(x: Array, y: Array) -> Array:
    return np.logical_or(x, y) if x.dtype == np.bool_ else np.add(x, y)


def _mul(x: Array, y: Array) -> Array:
    return np.logical_and(x, y) if x.dtype == np.bool_ else np.multiply(x, y)


def _max(x: Array, y: Array) -> Array:
    """IEEE 754-2019 maximum on floats: NaN wins, and +0 is greater than -0."""
    if x.dtype == np.bool_:
        return np.logical_or(x, y)
    out = np.maximum(x, y)  # propagates NaN
    if is_float_dtype(x.dtype):  # DTYPES: bf16's numpy kind is "V"
        both_zero = (x == 0) & (y == 0)
        out = np.where(both_zero & ~(np.signbit(x) & np.signbit(y)), np.zeros((), x.dtype), out)
    return out


def _divisor_edges(x: Array, y: Array) -> tuple[Array, Array, Array]:
    """(y == 0, y == -1, a divisor with both replaced by 1)."""
    zero = y == 0
    minus_one = (y.astype(np.int64) == -1) if y.dtype.kind == "i" else np.zeros(y.shape, bool)
    return zero, minus_one, np.where(zero | minus_one, np.ones((), y.dtype), y)


def _idiv(x: Array, y: Array) -> Array:
    """Toward zero; x idiv 0 = 0; x idiv -1 = -x (wraps, MIN idiv -1 = MIN)."""
    zero, minus_one, safe = _divisor_edges(x, y)
    q = np.floor_divide(x, safe)
    q = q + ((np.remainder(x, safe) != 0) & ((x < 0) != (safe < 0))).astype(x.dtype)  # floor -> trunc
    q = np.where(minus_one, np.negative(x), q)
    return np.where(zero, np.zeros((), x.dtype), q)


def _mod(x: Array, y: Array) -> Array:
    """Sign of the dividend; x mod 0 = 0; x mod -1 = 0."""
    zero, minus_one, safe = _divisor_edges(x, y)
    r = np.fmod(x, safe)
    return np.where(zero | minus_one, np.zeros((), x.dtype), r)


def _fmod(x: Array, y: Array) -> Array:
    """C's fmod, exact: x - n*y with n = trunc(x/y) computed without rounding (the result is always
    representable); the sign of x (also -0); NaN if y = 0, x is infinite or either is NaN; x if y
    is infinite. bf16 (numpy has no bf16 fmod) through f32, which is exact for the same reason."""
    if x.dtype.kind == "V":  # DTYPES: bf16's numpy kind is "V"
        return np.fmod(x.astype(np.float32), y.astype(np.float32)).astype(x.dtype)
    return np.fmod(x, y)


def _shift_in_range(x: Array, y: Array) -> tuple[Array, Array]:
    """(0 <= y < bits, y where it is in range and 0 elsewhere, as an unsigned amount)."""
    ok = (y >= 0) & (y < _bits(x))  # DTYPES: no int64 view (a uint64 amount >= 2**63 would turn negative)
    return ok, np.where(ok, y, np.zeros((), y.dtype)).astype(_unsigned_view(x).dtype)


def _shl(x: Array, y: Array) -> Array:
    """x << y wrapped to the width; 0 when y is negative or >= the width."""
    ok, amount = _shift_in_range(x, y)
    shifted = np.left_shift(_unsigned_view(x), amount).view(x.dtype)
    return np.where(ok, shifted, np.zeros((), x.dtype))


def _shr(x: Array, y: Array) -> Array:
    """x >> y, arithmetic on signed and logical on unsigned types; the sign fill when y is negative
    or >= the width (-1 for a negative signed x, else 0)."""
    ok, amount = _shift_in_range(x, y)
    shifted = np.right_shift(x, amount.astype(x.dtype))
    fill = np.where(x < 0, np.array(-1).astype(x.dtype), np.zeros((), x.dtype)) if x.dtype.kind == "i" \
        else np.zeros((), x.dtype)
    return np.where(ok, shifted, fill)


def _cmplt(x: Array, y: Array) -> Array:
    return np.less(x, y)  # NaN: false; bool: false < true


def _where(c: Array, x: Array, y: Array) -> Array:
    return np.where(c, x, y)


def cast_values(x: Array, to: np.dtype) -> Array:
    """`cast` to numpy dtype `to`: float -> int truncates toward zero and saturates (NaN -> 0),
    int -> int wraps, -> float rounds to nearest even, -> bool is != 0, bool -> 0/1."""
    to = np.dtype(to)
    x = np.asarray(x)
    if to == np.bool_:
        return x != 0
    if is_float_dtype(x.dtype) and to.kind in "iu":  # DTYPES: bf16's numpy kind is "V"
        info = np.iinfo(to)
        t = np.trunc(x.astype(np.float64))
        high = t >= float(info.max) + 1  # a power of two, exact in float64
        low = t < float(info.min)
        inside = np.where(high | low | np.isnan(t), 0, t).astype(to)
        return np.where(high, to.type(info.max), np.where(low, to.type(info.min), inside))
    return x.astype(to)  # ints wrap to a narrower width; int/float -> float rounds to nearest


def bitcast_values(x: Array, to: np.dtype) -> Array:
    """`bitcast`: the same bits read as `to` (same width)."""
    return np.ascontiguousarray(x).view(to)


# ---------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class AluOp:
    """One row of the table."""

    name: str  # the op's short name: tir.NAME and uop.NAME
    arity: int
    dtypes: DTypeClass  # what tir accepts (of the last operand: where's condition is i1)
    uop_dtypes: DTypeClass  # what uop accepts: i1 arithmetic is logical there
    meaning: Callable[..., Array] | None  # numpy function on operand arrays (None: cast/bitcast, by type)
    doc: str  # the meaning in one line, edges included
    commutative: bool = False
    compare: bool = False  # the result is i1
    tolerance: float = 0.0  # 0: bit-exact on every target; else the relative error a target may have

    @property
    def exact(self) -> bool:
        return self.tolerance == 0.0


def _row(name: str, arity: int, dtypes: DTypeClass, meaning: Callable[..., Array] | None, doc: str,
         uop_dtypes: DTypeClass | None = None, **kw: object) -> AluOp:
    return AluOp(name, arity, dtypes, uop_dtypes or dtypes, meaning, doc, **kw)  # type: ignore[arg-type]


_TRANSCENDENTAL = 2e-6  # f32 relative error allowed to libm-style and hardware approximations

ALU_TABLE: tuple[AluOp, ...] = (
    # unary
    _row("neg", 1, NUMERIC, _neg, "-x; ints wrap (-MIN = MIN); floats flip the sign (-0 from 0); i1: not", ANY),
    _row("exp2", 1, FLOAT, np.exp2, "2**x; exp2(-inf) = 0, exp2(inf) = inf", tolerance=_TRANSCENDENTAL),
    _row("log2", 1, FLOAT, np.log2, "log2(x); log2(0) = -inf, log2(x<0) = nan", tolerance=_TRANSCENDENTAL),
    _row("sin", 1, FLOAT, np.sin, "sin(x), radians; sin(+-inf) = nan", tolerance=_TRANSCENDENTAL),
    _row("sqrt", 1, FLOAT, np.sqrt, "sqrt(x) correctly rounded; sqrt(-0) = -0, sqrt(x<0) = nan"),
    _row("recip", 1, FLOAT, np.reciprocal, "1/x correctly rounded; recip(+-0) = +-inf"),
    # binary
    _row("add", 2, NUMERIC, _add, "x + y; ints wrap at the element width; i1: or", ANY, commutative=True),
    _row("mul", 2, NUMERIC, _mul, "x * y; ints wrap at the element width; i1: and", ANY, commutative=True),
    _row("max", 2, NUMERIC, _max, "max(x, y); floats: NaN if either is NaN, +0 > -0 (IEEE maximum); i1: or",
         ANY, commutative=True),
    _row("idiv", 2, INT, _idiv, "x / y truncated toward zero; x/0 = 0; MIN/-1 = MIN"),
    _row("mod", 2, INT, _mod, "x - (x idiv y) * y, sign of x; x%0 = 0; MIN%-1 = 0"),
    _row("fmod", 2, FLOAT, _fmod, "C fmod, exact: x - trunc(x/y)*y without rounding, sign of x (-0 kept); "
         "fmod(x, 0), fmod(inf, y) = nan; fmod(x, inf) = x"),
    _row("and", 2, INT_OR_BOOL, np.bitwise_and, "bitwise and", commutative=True),
    _row("or", 2, INT_OR_BOOL, np.bitwise_or, "bitwise or", commutative=True),
    _row("xor", 2, INT_OR_BOOL, np.bitwise_xor, "bitwise xor", commutative=True),
    _row("shl", 2, INT, _shl, "x << y wrapped; 0 if y < 0 or y >= bits"),
    _row("shr", 2, INT, _shr, "x >> y, arithmetic if signed, logical if unsigned; sign fill if y < 0 or y >= bits"),
    _row("cmplt", 2, ANY, _cmplt, "x < y (i1); false if either is NaN; false < true", compare=True),
    _row("cmpne", 2, ANY, np.not_equal, "x != y (i1); true if either is NaN", compare=True, commutative=True),
    # ternary
    _row("where", 3, ANY, _where, "c ? x : y (c is i1)"),
    # conversions (the meaning depends on the result type: cast_values / bitcast_values)
    _row("cast", 1, ANY, None, "value conversion: float->int truncates and saturates (NaN -> 0), int->int wraps, "
         "->float rounds to nearest even, ->i1 is != 0, i1-> 0/1"),
    _row("bitcast", 1, ANY, None, "the same bits as another type of the same width"),
)

ALU: dict[str, AluOp] = {row.name: row for row in ALU_TABLE}

#: The rows by family (what the dialects' op lists are made of).
UNARY: tuple[str, ...] = tuple(r.name for r in ALU_TABLE if r.arity == 1 and r.meaning is not None)
BINARY: tuple[str, ...] = tuple(r.name for r in ALU_TABLE if r.arity == 2 and not r.compare)
COMPARE: tuple[str, ...] = tuple(r.name for r in ALU_TABLE if r.compare)
TERNARY: tuple[str, ...] = tuple(r.name for r in ALU_TABLE if r.arity == 3)
CONVERSIONS: tuple[str, ...] = ("cast", "bitcast")
COMMUTATIVE: frozenset[str] = frozenset(r.name for r in ALU_TABLE if r.commutative)

#: Where a target cannot compute the table's meaning exactly (a hardware or language limit), by
#: target and op; docs/ir.md lists the same. Everything not named here is bit-exact (within an
#: op's `tolerance`) on that target.
TARGET_LIMITS: dict[str, dict[str, str]] = {
    "ptx": {
        "exp2": "ex2.approx.f32 (approximate)",
        "log2": "lg2.approx.f32 (approximate)",
        "sin": "sin.approx.f32: its error grows without bound outside about [-100 pi, 100 pi]",
        "max": "the sign of zero in max(+0, -0) is max.NaN's (not checked on hardware here); f64: max.f64's, "
               "with NaN passed through by selp",
        "f64": "exp2, log2 and sin of f64 are computed in f32 (approximate, and f32's range); a bitcast "
               "between f16 and a 16-bit integer is not supported (DTYPES)",
    },
    "metal": {**{name: f"metal::{name} (the platform's, a few ulp)" for name in ("exp2", "log2", "sin")},
              **{name: "correctly rounded only where the Metal library is built without fast math (its default "
                       "is fast math)" for name in ("sqrt", "recip", "fmod")}},
    "amdgpu": {name: f"llvm.{name} on the AMDGPU backend (a few ulp; f64 computed in f32: DTYPES)"
               for name in ("exp2", "log2", "sin")},
    "opencl": {
        "f16": "with fp16=storage (the default), a chain of f16 ops computes in f32 and rounds to f16 at "
               "casts and stores only (each single op is still the correctly rounded f16 result); a bitcast "
               "between f16 and a 16-bit integer needs fp16=native (DTYPES)",
    },
}


def eval_op(name: str, operands: list[Array], result: np.dtype) -> Array:
    """Evaluate op `name` by the table on numpy arrays already of the operand dtypes; the result has
    numpy dtype `result`."""
    result = np.dtype(result)
    with np.errstate(all="ignore"):
        if name == "cast":
            return np.asarray(cast_values(operands[0], result))
        if name == "bitcast":
            return bitcast_values(np.asarray(operands[0]), result)
        out = ALU[name].meaning(*operands)  # type: ignore[misc]
        return np.asarray(out).astype(result)


__all__ = ["ALU", "ALU_TABLE", "AluOp", "DTypeClass", "FLOAT", "INT", "INT_OR_BOOL", "NUMERIC", "ANY", "UNARY",
           "BINARY", "COMPARE", "TERNARY", "CONVERSIONS", "COMMUTATIVE", "TARGET_LIMITS", "cast_values",
           "bitcast_values", "eval_op"]
