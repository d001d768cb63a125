"""The statement printer shared by the C-family emitters: one C statement per op of a kernel.

Names: buffer parameters `data0..`, grid indices `gidx0..` (work-group and local ids `wgid0..`,
`lidx0..`), local arrays `lmem0..`, loop indices `ridx0..`, registers `acc0..`, every other value `val0..`; constants are printed inline where they are used. A
subclass gives the spelling (class constants and `literal`) and the per-op handlers
(`STATEMENTS` for ops without a value, `EXPRESSIONS` for the right-hand side of `T valN = ...;`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import ClassVar

import numpy as np

from xdsl.dialects.builtin import ModuleOp, i1
from xdsl.ir import Attribute, Operation, SSAValue

from tinyir.diagnostics import emit_error
from tinyir.dialects.uop import buffer_element_type, literal_value


def float_text(v: float) -> str:
    """`v` as a C float expression: `1.5f`, `(-2.0f)`, `NAN`, `INFINITY`, `(-INFINITY)`."""
    if math.isnan(v):
        return "NAN"
    if math.isinf(v):
        return "INFINITY" if v > 0 else "(-INFINITY)"
    text = str(np.float32(v))  # the shortest text that reads back as this float (and half)
    text = f"{text}f" if ("." in text or "e" in text) else f"{text}.0f"
    return f"({text})" if text.startswith("-") else text


def double_text(v: float) -> str:
    """`v` as a C double expression: `1.5`, `(-2.0)`, `NAN`, `INFINITY` (as a double: the macros are
    floats, exact in double)."""
    if math.isnan(v) or math.isinf(v):
        return f"((double){float_text(v)})"
    text = repr(float(v))  # the shortest text that reads back as this double
    text = text if ("." in text or "e" in text) else f"{text}.0"
    return f"({text})" if text.startswith("-") else text


def int64_text(v: int, unsigned: bool) -> str:
    """`v` as a C 64-bit integer expression: `5ul`, `(-3l)`, the least long without a literal of its own."""
    if unsigned:
        return f"{v & (2**64 - 1)}ul"
    return "(-9223372036854775807l-1)" if v == -(2**63) else (f"({v}l)" if v < 0 else f"{v}l")


def int32_text(v: int) -> str:
    """`v` as a C int expression (INT_MIN has no literal of its own)."""
    return "(-2147483647-1)" if v == -(2**31) else (f"({v})" if v < 0 else str(v))


def kernels_of(module: ModuleOp, kernel_type: type[Operation], missing: str) -> list[Operation]:
    """The module's kernels of `kernel_type` (an error `missing` if it has none)."""
    kernels = [op for op in module.walk() if isinstance(op, kernel_type)]
    if not kernels:
        emit_error(module, missing)
    return kernels


class StatementPrinter:
    """Names values and prints one statement per op of one kernel."""

    CONST: ClassVar[type[Operation]]  # printed inline at each use
    VAR: ClassVar[type[Operation]]  # registers, named accN
    WRITES: ClassVar[tuple[type[Operation], ...]]  # ops writing their `buffer` (others are const)
    TYPES: ClassVar[Mapping[Attribute, str]]  # scalar type -> its spelling
    STORAGE: ClassVar[Mapping[Attribute, str]]  # buffer element type -> its spelling
    HEADER: ClassVar[str]  # formatted with `name` and `params`
    PARAMETER: ClassVar[str]  # formatted with `const`, `type`, `name` and `n`
    EXTRA_PARAMETERS: ClassVar[tuple[str, ...]] = ()
    INDEX_TYPE: ClassVar[str] = "int"
    BOOL_FROM_BYTE: ClassVar[str]  # how a byte read from a bool buffer becomes a bool
    BYTE_FROM_BOOL: ClassVar[str]
    NO_FORM: ClassVar[str]  # the error for an op without a handler, formatted with `op`
    STATEMENTS: ClassVar[dict[type[Operation], Callable[..., None]]]
    EXPRESSIONS: ClassVar[dict[type[Operation], Callable[..., str]]]

    def __init__(self, kernel: Operation) -> None:
        self.kernel = kernel
        self.names: dict[SSAValue, str] = {}
        self.counters: dict[str, int] = {}
        self.lines: list[str] = []
        self.depth = 1
        self.inlined: set[Operation] = set()  # ops printed inside their user's statement

    def literal(self, value: float | int | bool, t: Attribute) -> str:
        raise NotImplementedError

    def fresh(self, value: SSAValue, prefix: str) -> str:
        n = self.counters.get(prefix, 0)
        self.counters[prefix] = n + 1
        self.names[value] = f"{prefix}{n}"
        return self.names[value]

    def ref(self, value: SSAValue) -> str:
        """How a use of `value` is written: its name, or the literal of a constant."""
        owner = value.owner
        if isinstance(owner, self.CONST):
            return self.literal(literal_value(owner.value), owner.result.type)  # type: ignore[attr-defined]
        return self.names[value]

    def line(self, text: str) -> None:
        self.lines.append("  " * self.depth + text)

    def print_kernel(self) -> str:
        body = self.kernel.regions[0].block
        written = {op.buffer for op in self.kernel.walk() if isinstance(op, self.WRITES)}  # type: ignore[attr-defined]
        params = [self.PARAMETER.format(const="" if arg in written else "const ", n=n,
                                        type=self.STORAGE[buffer_element_type(arg.type)], name=self.fresh(arg, "data"))
                  for n, arg in enumerate(body.args)]
        for op in body.ops:
            self.statement(op)
        header = self.HEADER.format(name=self.kernel.kernel_name.data,  # type: ignore[attr-defined]
                                    params=", ".join([*params, *self.EXTRA_PARAMETERS]))
        return "\n".join([header, *self.lines, "}"])

    def statement(self, op: Operation) -> None:
        if op in self.inlined or isinstance(op, self.CONST):
            return  # printed at its use
        handler = self.STATEMENTS.get(type(op))
        if handler is not None:
            handler(self, op)
            return
        result = op.results[0]
        expr = self.expr(op)
        self.line(f"{self.TYPES[result.type]} {self.fresh(result, 'acc' if isinstance(op, self.VAR) else 'val')} = {expr};")

    def expr(self, op: Operation) -> str:
        """The expression computing `op`'s result from its operands."""
        handler = self.EXPRESSIONS.get(type(op))
        if handler is None:
            emit_error(op, self.NO_FORM.format(op=op.name))
        return handler(self, op)

    # -------------------------------------------------------------- handlers shared by the dialects

    def register(self, op: Operation) -> str:
        return self.literal(literal_value(op.value), op.result.type)  # type: ignore[attr-defined]

    def assign(self, op: Operation) -> None:
        self.line(f"{self.ref(op.var)} = {self.ref(op.value)};")  # type: ignore[attr-defined]

    def gated(self, gate: SSAValue | None, text: str) -> str:
        return text if gate is None else f"if ({self.ref(gate)}) {text}"

    def load(self, op: Operation) -> str:
        read = f"{self.ref(op.buffer)}[{self.ref(op.index)}]"  # type: ignore[attr-defined]
        if op.result.type == i1:  # type: ignore[attr-defined]  # bool buffers hold bytes
            read = self.BOOL_FROM_BYTE.format(read)
        if op.gate is None:  # type: ignore[attr-defined]
            return read
        return f"{self.ref(op.gate)} ? {read} : {self.literal(0, op.result.type)}"  # type: ignore[attr-defined]

    def store(self, op: Operation) -> None:
        value = self.ref(op.value)  # type: ignore[attr-defined]
        if op.value.type == i1:  # type: ignore[attr-defined]
            value = self.BYTE_FROM_BOOL.format(value)
        self.line(self.gated(op.gate, f"{self.ref(op.buffer)}[{self.ref(op.index)}] = {value};"))  # type: ignore[attr-defined]

    def vector_of(self, vector_type: str, parts: list[str]) -> str:
        """A vector value from lane expressions (one part: every lane); C-family dialects differ."""
        raise NotImplementedError

    def vector_load(self, op: Operation, read: str) -> None:
        """`TN valN = READ;` (gated: `g ? READ : (TN)(0)`); the lanes are then `valN.x` .. `valN.w`."""
        lanes = op.lanes  # type: ignore[attr-defined]
        t = lanes[0].type
        vector_type = f"{self.TYPES[t]}{len(lanes)}"
        if op.gate is not None:  # type: ignore[attr-defined]
            read = f"{self.ref(op.gate)} ? {read} : {self.vector_of(vector_type, [self.literal(0, t)])}"  # type: ignore[attr-defined]
        name = self.fresh(lanes[0], "val")
        self.line(f"{vector_type} {name} = {read};")
        for lane, component in zip(lanes, "xyzw"):
            self.names[lane] = f"{name}.{component}"

    def vector_value(self, op: Operation) -> tuple[str, str]:
        """(`TN`, `(TN)(a, b, ..)`) of a vector store's values."""
        values = op.values  # type: ignore[attr-defined]
        vector_type = f"{self.TYPES[values[0].type]}{len(values)}"
        return vector_type, self.vector_of(vector_type, [self.ref(v) for v in values])

    def grid_index(self, result: SSAValue, dim: int, expr: str, prefix: str = "gidx") -> None:
        """`int gidxD = EXPR;` (`wgidD`, `lidxD` for work-group and local ids; a second read of the
        same index gets a valN name)."""
        name = f"{prefix}{dim}"
        if name in self.names.values():
            name = self.fresh(result, "val")
        self.names[result] = name
        self.line(f"int {name} = {expr};")

    def local_array(self, op: Operation, qualifier: str) -> None:
        """`QUALIFIER T lmemN[SIZE];` (bool elements in their storage type, as in buffers)."""
        t = op.result.type  # type: ignore[attr-defined]
        self.line(f"{qualifier} {self.STORAGE[t.element_type]} {self.fresh(op.results[0], 'lmem')}[{t.size()}];")

    def open_loop(self, index: SSAValue, lower: int, upper: int, name: str | None = None) -> None:
        """`for (int ridxN = LO; ridxN < HI; ridxN++) {` (the index named `name` if given)."""
        name = self.fresh(index, "ridx") if name is None else name
        self.names[index] = name
        self.line(f"for ({self.INDEX_TYPE} {name} = {lower}; {name} < {upper}; {name}++) {{")
        self.depth += 1

    def close_loop(self, op: Operation) -> None:
        self.depth -= 1
        self.line("}")
