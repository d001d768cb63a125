"""Print `c.kernel` ops as C99 (`tinyir-opt -t c`): a kernel function plus the helpers it calls.

    void k0(float* restrict data0, const float* restrict data1) {
      for (int32_t gidx0 = 0; gidx0 < 16; gidx0++) {
        float val0 = data1[gidx0];
        float val1 = exp2_f32(val0);
        data0[gidx0] = val1;
      }
    }

Each helper is a `static inline` function defined for the types it is used with; together they
say, in C, what tinyir's micro-ops mean: signed integers wrap (computed in the unsigned type),
x / 0 = 0 and x % 0 = x, x / -1 = -x (no trap), shift amounts are taken mod the width, float max
propagates NaN (as numpy), float -> int saturates (NaN -> 0), bool buffers hold one byte each.
"""

from __future__ import annotations

import math

import numpy as np
from xdsl.dialects.builtin import ModuleOp, f16, f32, i1, i8, i32
from xdsl.ir import Attribute, Operation, SSAValue

from tinyir.diagnostics import emit_error
from tinyir.dialects.uop import literal_value
from tinyir.element_types import numpy_dtype, ui8
from tinyir.targets.base import KernelSource
from tinyir_c_target import dialect as c

C_TYPES: dict[Attribute, str] = {f32: "float", f16: "_Float16", i32: "int32_t", i8: "int8_t", ui8: "uint8_t", i1: "bool"}
STORAGE_TYPES: dict[Attribute, str] = {**C_TYPES, i1: "uint8_t"}
SHORT: dict[Attribute, str] = {f32: "f32", f16: "f16", i32: "i32", i8: "i8", ui8: "u8", i1: "bool"}
UNSIGNED: dict[Attribute, str] = {i32: "uint32_t", i8: "uint8_t", ui8: "uint8_t"}
INT_RANGE: dict[Attribute, tuple[int, int]] = {i32: (-2**31, 2**31 - 1), i8: (-128, 127), ui8: (0, 255)}
PRELUDE = "#include <math.h>\n#include <stdbool.h>\n#include <stdint.h>\n#include <string.h>\n"
_MATH = {"exp2": "exp2f", "log2": "log2f", "sin": "sinf", "sqrt": "sqrtf"}


def c_literal(value: float | int | bool, t: Attribute) -> str:
    """`value` as a C expression of type `t` (floats in the shortest text that reads back exactly)."""
    if t == i1:
        return "true" if value else "false"
    if t in (f32, f16):
        v = float(np.float32(value))
        if math.isnan(v):
            text = "NAN"
        elif math.isinf(v):
            text = "INFINITY" if v > 0 else "(-INFINITY)"
        else:
            text = str(np.float32(v))
            text = f"{text}f" if ("." in text or "e" in text) else f"{text}.0f"
            text = f"({text})" if text.startswith("-") else text
        return text if t == f32 else f"((_Float16){text})"
    v = int(value)
    if t == i32 and v == -(2**31):
        return "INT32_MIN"
    return f"(({C_TYPES[t]}){v})" if t != i32 else (f"({v})" if v < 0 else str(v))


def _is_int(t: Attribute) -> bool:
    return t in UNSIGNED


def _is_float(t: Attribute) -> bool:
    return t in (f32, f16)


def _float_function(fn: str, t: Attribute, *args: str) -> str:
    """A libm call on f32 (f16 goes through float)."""
    if t == f32:
        return f"{fn}({', '.join(args)})"
    return f"(_Float16){fn}({', '.join(f'(float){a}' for a in args)})"


def _cast_body(src: Attribute, dst: Attribute) -> str:
    if dst == i1:
        return "return a != 0;"
    if _is_float(src) and _is_int(dst):  # toward zero, saturating, NaN -> 0 (never undefined)
        lo, hi = INT_RANGE[dst]
        return (f"float x = (float)a; if (x != x) return 0; if (x <= {lo}.0f) return {c_literal(lo, dst)}; "
                f"if (x >= {hi}.0f) return {c_literal(hi, dst)}; return ({C_TYPES[dst]})x;")
    if _is_int(src) and _is_int(dst) and src != dst:  # wrap to the new width (two's complement)
        return f"return ({C_TYPES[dst]})({UNSIGNED[dst]})a;"
    return f"return ({C_TYPES[dst]})a;"


def _body(name: str, t: Attribute, result: Attribute) -> str:
    """The C statement(s) computing helper `name` on operands `a`, `b`(, `c`) of type `t`."""
    T, U = C_TYPES[t], UNSIGNED.get(t)
    bits = numpy_dtype(t).itemsize * 8
    signed = t in (i32, i8)
    if name in ("add", "mul"):
        if t == i1:
            return f"return a {'|' if name == 'add' else '&'} b;"
        op = "+" if name == "add" else "*"
        return f"return ({T})(({U})a {op} ({U})b);" if U else f"return a {op} b;"
    if name == "max":
        if t == i1:
            return "return a | b;"
        if _is_float(t):  # fmaxf ignores a NaN operand; tinyir (like numpy) propagates it
            return f"return a != a ? a : b != b ? b : {_float_function('fmaxf', t, 'a', 'b')};"
        return "return a > b ? a : b;"
    if name == "idiv":
        minus_one = f"if (b == -1) return ({T})(({U})0 - ({U})a); " if signed else ""
        return f"if (b == 0) return 0; {minus_one}return ({T})(a / b);"
    if name == "mod":
        minus_one = "if (b == -1) return 0; " if signed else ""
        return f"if (b == 0) return a; {minus_one}return ({T})(a % b);"
    if name in ("and", "or", "xor"):
        return f"return ({T})(a {dict(zip(('and', 'or', 'xor'), '&|^'))[name]} b);"
    if name == "shl":
        return f"return ({T})(({U})a << (b & {bits - 1}));"
    if name == "shr":  # arithmetic on signed types (gcc and clang shift signed values arithmetically)
        return f"return ({T})(a >> (b & {bits - 1}));"
    if name == "cmplt":
        return "return a < b;"
    if name == "cmpne":
        return "return a != b;"
    if name == "where":
        return "return c ? a : b;"
    if name == "neg":
        if t == i1:
            return "return !a;"
        return f"return ({T})(({U})0 - ({U})a);" if U else "return -a;"
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


class _KernelPrinter:
    """Names values and prints one C statement per op."""

    def __init__(self, kernel: c.KernelOp, helpers: dict[str, str]) -> None:
        self.kernel = kernel
        self.helpers = helpers
        self.names: dict[SSAValue, str] = {}
        self.counters: dict[str, int] = {}
        self.lines: list[str] = []
        self.depth = 1

    def fresh(self, value: SSAValue, prefix: str) -> str:
        n = self.counters.get(prefix, 0)
        self.counters[prefix] = n + 1
        self.names[value] = f"{prefix}{n}"
        return self.names[value]

    def ref(self, value: SSAValue) -> str:
        if isinstance(value.owner, c.ConstOp):
            return c_literal(literal_value(value.owner.value), value.owner.result.type)
        return self.names[value]

    def line(self, text: str) -> None:
        self.lines.append("  " * self.depth + text)

    def print_kernel(self) -> str:
        kernel = self.kernel
        written = {op.buffer for op in kernel.body.walk() if isinstance(op, c.StoreOp)}
        params = []
        for arg in kernel.body.block.args:
            const = "" if arg in written else "const "
            params.append(f"{const}{STORAGE_TYPES[c.buffer_element_type(arg.type)]}* restrict {self.fresh(arg, 'data')}")
        for op in kernel.body.block.ops:
            self.statement(op)
        return "\n".join([f"void {kernel.kernel_name.data}({', '.join(params)}) {{", *self.lines, "}"])

    def statement(self, op: Operation) -> None:
        if isinstance(op, c.ConstOp):
            return
        if isinstance(op, c.ForOp):
            dim = op.attributes.get("dim")  # a grid loop is named after its index, gidxN
            name = self.fresh(op.result, "ridx") if dim is None else dim.data
            self.names[op.result] = name
            self.line(f"for (int32_t {name} = {op.lower.data}; {name} < {op.upper.data}; {name}++) {{")
            self.depth += 1
        elif isinstance(op, c.EndForOp):
            self.depth -= 1
            self.line("}")
        elif isinstance(op, c.AssignOp):
            self.line(f"{self.ref(op.var)} = {self.ref(op.value)};")
        elif isinstance(op, c.StoreOp):
            value = self.ref(op.value)
            if op.value.type == i1:
                value = f"(uint8_t){value}"
            text = f"{self.ref(op.buffer)}[{self.ref(op.index)}] = {value};"
            self.line(f"if ({self.ref(op.gate)}) {text}" if op.gate is not None else text)
        else:
            result = op.results[0]
            prefix = "acc" if isinstance(op, c.VarOp) else "val"
            self.line(f"{C_TYPES[result.type]} {self.fresh(result, prefix)} = {self.expression(op)};")

    def expression(self, op: Operation) -> str:
        if isinstance(op, c.VarOp):
            return c_literal(literal_value(op.value), op.result.type)
        if isinstance(op, c.LoadOp):
            read = f"{self.ref(op.buffer)}[{self.ref(op.index)}]"
            read = f"({read} != 0)" if op.result.type == i1 else read
            return read if op.gate is None else f"{self.ref(op.gate)} ? {read} : {c_literal(0, op.result.type)}"
        if isinstance(op, c.CallOp):
            name, definition = helper(op)
            self.helpers[name] = definition
            return f"{name}({', '.join(self.ref(a) for a in op.args)})"
        emit_error(op, f"C emitter: no C form for {op.name}")


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
    kernels = [op for op in module.walk() if isinstance(op, c.KernelOp)]
    if not kernels:
        emit_error(module, "C emitter: the module has no c.kernel (run uop-to-c first)")
    return _translation_unit(kernels)
