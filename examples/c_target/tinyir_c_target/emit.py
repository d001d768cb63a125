"""Print `c.kernel` ops as C99 (`tinyir-opt -t c`): a kernel function plus the helpers it calls.

    void k0(float* restrict data0, const float* restrict data1) {
      for (int32_t gidx0 = 0; gidx0 < 16; gidx0++) {
        float val0 = data1[gidx0];
        float val1 = exp2_f32(val0);
        data0[gidx0] = val1;
      }
    }

Each helper is a `static inline` function defined for the types it is used with; together they
say, in C, what tinyir's micro-ops mean (the ALU table, tinyir/alu.py): signed integers wrap
(computed in the unsigned type), x / 0 = x % 0 = 0, x / -1 = -x (no trap), a shift by an amount
outside [0, width) gives 0 or the sign fill, float max propagates NaN and orders -0 below +0,
float -> int saturates (NaN -> 0), bool buffers hold one byte each.
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import ModuleOp, bf16, f16, f32, f64, i1, i8, i16, i32, i64
from xdsl.ir import Attribute, Operation

from tinyir.diagnostics import emit_error
from tinyir.element_types import is_unsigned, numpy_dtype, ui8, ui16, ui32, ui64
from tinyir.targets.base import KernelSource
from tinyir.targets.clike.emit import StatementPrinter, double_text, float_text, int32_text, int64_text, kernels_of
from tinyir_c_target import dialect as c

C_TYPES, STORAGE_TYPES = c.C_TYPES, c.STORAGE_TYPES
SHORT: dict[Attribute, str] = {f32: "f32", f16: "f16", i32: "i32", i8: "i8", ui8: "u8", i1: "bool", f64: "f64",
                               i64: "i64", i16: "i16", ui64: "u64", ui32: "u32", ui16: "u16", bf16: "bf16"}
UNSIGNED: dict[Attribute, str] = {i32: "uint32_t", i8: "uint8_t", ui8: "uint8_t", i64: "uint64_t", i16: "uint16_t",
                                  ui64: "uint64_t", ui32: "uint32_t", ui16: "uint16_t"}
# the unsigned type wrapping arithmetic runs in: at least as wide as int, so that C's promotion of
# a narrow operand to (signed) int cannot overflow (uint16 65535 * 65535)
WRAPPING: dict[Attribute, str] = {t: "uint64_t" if numpy_dtype(t).itemsize == 8 else "uint32_t" for t in UNSIGNED}
INT_RANGE: dict[Attribute, tuple[int, int]] = {t: (int(np.iinfo(numpy_dtype(t)).min), int(np.iinfo(numpy_dtype(t)).max))
                                               for t in UNSIGNED}
PRELUDE = "#include <math.h>\n#include <stdbool.h>\n#include <stdint.h>\n#include <string.h>\n"
_MATH = {"exp2": "exp2f", "log2": "log2f", "sin": "sinf", "sqrt": "sqrtf"}


def c_literal(value: float | int | bool, t: Attribute) -> str:
    """`value` as a C expression of type `t` (floats in the shortest text that reads back exactly)."""
    if t == i1:
        return "true" if value else "false"
    if t == f64:
        return double_text(float(value))
    if t in (f32, f16):
        text = float_text(float(np.float32(value)))
        return text if t == f32 else f"((_Float16){text})"
    v = int(value)
    if t in (i64, ui64):
        return f"(({C_TYPES[t]}){int64_text(v, t == ui64)})"
    if t == i32 and v == -(2**31):
        return "INT32_MIN"
    return f"(({C_TYPES[t]}){v})" if t != i32 else int32_text(v)


def _is_int(t: Attribute) -> bool:
    return t in UNSIGNED


def _is_float(t: Attribute) -> bool:
    return t in (f32, f16, f64)


def _float_function(fn: str, t: Attribute, *args: str) -> str:
    """A libm call on f32 (f16 goes through float; f64 calls the double function: no `f` suffix)."""
    if t == f32:
        return f"{fn}({', '.join(args)})"
    if t == f64:
        return f"{fn.removesuffix('f')}({', '.join(args)})"
    return f"(_Float16){fn}({', '.join(f'(float){a}' for a in args)})"


def _cast_body(src: Attribute, dst: Attribute) -> str:
    if dst == i1:
        return "return a != 0;"
    if _is_float(src) and _is_int(dst):  # toward zero, saturating, NaN -> 0 (never undefined)
        lo, hi = INT_RANGE[dst]
        wide, f = ("double", "") if src == f64 else ("float", "f")  # the bounds round up to a power of two or stay exact
        return (f"{wide} x = ({wide})a; if (x != x) return 0; if (x <= {lo}.0{f}) return {c_literal(lo, dst)}; "
                f"if (x >= {hi}.0{f}) return {c_literal(hi, dst)}; return ({C_TYPES[dst]})x;")
    if _is_int(src) and _is_int(dst) and src != dst:  # wrap to the new width (two's complement)
        return f"return ({C_TYPES[dst]})({UNSIGNED[dst]})a;"
    return f"return ({C_TYPES[dst]})a;"


def _body(name: str, t: Attribute, result: Attribute) -> str:
    """The C statement(s) computing helper `name` on operands `a`, `b`(, `c`) of type `t`."""
    T, U, W = C_TYPES[t], UNSIGNED.get(t), WRAPPING.get(t)
    bits = numpy_dtype(t).itemsize * 8
    signed = U is not None and not is_unsigned(t)
    if name in ("add", "mul"):
        if t == i1:
            return f"return a {'|' if name == 'add' else '&'} b;"
        op = "+" if name == "add" else "*"
        return f"return ({T})(({W})a {op} ({W})b);" if W else f"return a {op} b;"
    if name == "max":
        if t == i1:
            return "return a | b;"
        if _is_float(t):  # IEEE maximum: fmaxf ignores a NaN operand, and -0 < +0 (copysign: -0 only for -0, -0)
            return (f"return a != a ? a : b != b ? b : a == b ? {_float_function('copysignf', t, 'a', '(a + b)')} "
                    f": {_float_function('fmaxf', t, 'a', 'b')};")
        return "return a > b ? a : b;"
    if name == "idiv":
        minus_one = f"if (b == -1) return ({T})(({W})0 - ({W})a); " if signed else ""
        return f"if (b == 0) return 0; {minus_one}return ({T})(a / b);"
    if name == "mod":
        minus_one = "if (b == -1) return 0; " if signed else ""
        return f"if (b == 0) return 0; {minus_one}return ({T})(a % b);"
    if name == "fmod":  # exact (C99)
        return f"return {_float_function('fmodf', t, 'a', 'b')};"
    if name in ("and", "or", "xor"):
        return f"return ({T})(a {dict(zip(('and', 'or', 'xor'), '&|^'))[name]} b);"
    if name == "shl":  # an amount outside [0, width) gives 0 (viewed unsigned, a negative one is huge)
        return f"return ({U})b < {bits} ? ({T})(({W})({U})a << b) : 0;"
    if name == "shr":  # arithmetic on signed types (gcc and clang shift signed values arithmetically)
        fill = f"({T})(a >> {bits - 1})" if signed else "0"
        return f"return ({U})b < {bits} ? ({T})(a >> b) : {fill};"
    if name == "cmplt":
        return "return a < b;"
    if name == "cmpne":
        return "return a != b;"
    if name == "where":
        return "return c ? a : b;"
    if name == "neg":
        if t == i1:
            return "return !a;"
        return f"return ({T})(({W})0 - ({W})a);" if W else "return -a;"
    if name in _MATH:
        return f"return {_float_function(_MATH[name], t, 'a')};"
    if name == "recip":
        return f"return ({T})1.0f / a;"
    if name == "cast":
        return _cast_body(t, result)
    if name == "bitcast":
        return f"{C_TYPES[result]} r; memcpy(&r, &a, sizeof r); return r;"
    raise ValueError(f"no C helper '{name}'")


def helper(op: c.CallOp) -> tuple[str, str]:
    """(name, definition) of the helper a `c.call` uses."""
    name = op.callee.data
    types = [a.type for a in op.args]
    value_type = types[-1]  # where's condition comes first
    result = op.result.type
    suffix = f"{SHORT[types[0]]}_to_{SHORT[result]}" if name in ("cast", "bitcast") else SHORT[value_type]
    fn = f"{name}_{suffix}"
    params = ", ".join(f"{C_TYPES[t]} {p}" for t, p in zip(types, ("c", "a", "b") if name == "where" else ("a", "b")))
    return fn, f"static inline {C_TYPES[result]} {fn}({params}) {{ {_body(name, value_type, result)} }}"


class _KernelPrinter(StatementPrinter):
    """C99 spelling; every computation is a call of a helper, collected into `helpers`."""

    CONST = c.ConstOp
    VAR = c.VarOp
    WRITES = (c.StoreOp,)
    TYPES = C_TYPES
    STORAGE = STORAGE_TYPES
    HEADER = "void {name}({params}) {{"
    PARAMETER = "{const}{type}* restrict {name}"
    INDEX_TYPE = "int32_t"
    BOOL_FROM_BYTE = "({} != 0)"
    BYTE_FROM_BOOL = "(uint8_t){}"
    NO_FORM = "C emitter: no C form for {op}"

    def __init__(self, kernel: c.KernelOp, helpers: dict[str, str]) -> None:
        super().__init__(kernel)
        self.helpers = helpers

    def literal(self, value: float | int | bool, t: Attribute) -> str:
        return c_literal(value, t)

    def open_grid_or_loop(self, op: c.ForOp) -> None:
        dim = op.attributes.get("dim")  # a grid loop is named after its index, gidxN
        self.open_loop(op.result, op.lower.data, op.upper.data, None if dim is None else dim.data)

    def call(self, op: c.CallOp) -> str:
        name, definition = helper(op)
        self.helpers[name] = definition
        return f"{name}({', '.join(self.ref(a) for a in op.args)})"


_KernelPrinter.STATEMENTS = {
    c.ForOp: _KernelPrinter.open_grid_or_loop,
    c.EndForOp: _KernelPrinter.close_loop,
    c.AssignOp: _KernelPrinter.assign,
    c.StoreOp: _KernelPrinter.store,
}

_KernelPrinter.EXPRESSIONS = {
    c.VarOp: _KernelPrinter.register,
    c.LoadOp: _KernelPrinter.load,
    c.CallOp: _KernelPrinter.call,
}


def _translation_unit(kernels: list[c.KernelOp]) -> str:
    helpers: dict[str, str] = {}
    bodies = [_KernelPrinter(k, helpers).print_kernel() for k in kernels]
    return "\n".join([PRELUDE, *(helpers[h] for h in sorted(helpers)), "", "\n\n".join(bodies), ""])


def emit_kernel(kernel: Operation) -> KernelSource:
    """One `c.kernel` as a C file, with its grid and parameter dtypes."""
    if not isinstance(kernel, c.KernelOp):
        emit_error(kernel, f"C emitter: expected a c.kernel, got {kernel.name}")
    dtypes = tuple(numpy_dtype(c.buffer_element_type(a.type)).name for a in kernel.body.block.args)
    return KernelSource(name=kernel.kernel_name.data, text=_translation_unit([kernel]),
                        global_size=tuple(g.data for g in kernel.grid), arg_dtypes=dtypes)


def emit_module(module: ModuleOp) -> str:
    """Every `c.kernel` of a module as one C file (for `tinyir-opt -t c`)."""
    kernels = kernels_of(module, c.KernelOp, "C emitter: the module has no c.kernel (run uop-to-c first)")
    return _translation_unit(kernels)
