"""Printing `llir` as LLVM IR text (`tinyir-opt -t llvm`).

One `llir.kernel` becomes one `define void @name(ptr ...)`. The structured markers are expanded
into basic blocks: a loop is a rotated (do-while) loop whose induction variable is a `phi` (the
verifier guarantees at least one trip), an if is a `br i1` around its block. Allocas are hoisted
into the entry block so that mem2reg promotes them. Constants are inlined as literals.

A `{parallel}` loop runs over [%start, %end), two i32 parameters after the pointers (the caller
gives each thread its part; an empty part runs nothing). `{vectorize = false}` becomes
`!llvm.loop` metadata on the loop's back edge.

WIDE-INDEX: in a host kernel (no calling convention: the CPU's), index math is printed in i64.
A loop's induction variable, each i32 `add`/`sub`/`mul` marked `nsw` (hints.py) and each signed
or equality `icmp` built only from such values and constants compute, in i64, exactly the sign
extension of their i32 value (no wrap by their flags), so a GEP takes them as they are. A use that
needs the i32 value reads one `trunc` made after the definition. LLVM's optimizer then has no sign
extensions to widen (IndVarSimplify and LoopIdiomRecognize took a third of the O3 time of a 64x64
matmul's register tile). A division stays i32 (its i64 form would be exact too, by a constant other
than 0 and -1), and so does math on its result: measured, widening it made the W5 conv's kernel 5%
slower, keeping it made it 25% faster than all-i32 (LLVM then unrolls the channel loop). GPU
kernels keep i32 (64-bit integer math costs more there).
"""

from __future__ import annotations

import functools
import re
import struct
from collections.abc import Iterable

import numpy as np
from xdsl.dialects.builtin import (
    FloatAttr,
    IntegerType,
    ModuleOp,
    f16,
    f32,
    f64,
    i32,
    i64,
)
from xdsl.ir import Attribute, Operation, SSAValue

from tinyir.diagnostics import emit_error
from tinyir.targets.base import KernelSource
from tinyir.targets.llvm import dialect as ll

_IDENT = re.compile(r"^[A-Za-z$._][A-Za-z$._0-9]*$")


@functools.lru_cache(maxsize=256)
def llvm_type(t: Attribute) -> str:
    """The LLVM spelling of an llir value type (asked for every operand printed: remembered)."""
    if isinstance(t, ll.PtrType):
        return f"ptr addrspace({t.addrspace.data})" if t.addrspace.data else "ptr"
    if isinstance(t, IntegerType):
        return f"i{t.width.data}"
    names = {f16: "half", f32: "float", f64: "double"}
    if t in names:
        return names[t]
    raise ValueError(f"no LLVM type for {t}")


def float_literal(value: float, t: Attribute) -> str:
    """An exact LLVM float literal: hex of the double (float/double) or `0xH` bits (half)."""
    if t == f16:
        return "0xH%04X" % int(np.array(value, np.float16).view(np.uint16))
    if t == f32:
        value = float(np.float32(value))
    return "0x%016X" % struct.unpack("<Q", struct.pack("<d", value))[0]


def constant_literal(op: ll.ConstantOp) -> str:
    t = op.result.type
    if isinstance(op.value, FloatAttr):
        return float_literal(op.value.value.data, t)
    v = op.value.value.data
    if t == IntegerType(1):
        return "true" if v else "false"
    return str(v)


def host_triple_and_layout() -> tuple[str, str]:
    """The host's target triple and data layout, as LLVM reports them."""
    from tinyir.runtime.cpu import host_target_machine

    tm = host_target_machine()
    return tm.triple, str(tm.target_data)


def _global_name(name: str) -> str:
    return f"@{name}" if _IDENT.match(name) else '@"' + name.replace('"', "\\22") + '"'


#: EMIT-DISPATCH: the llir op classes the printer tells apart, in the order it tests them (a class
#: before any class it derives from)
_KINDS: tuple[tuple[str, type], ...] = (
    ("masked_vload", ll.MaskedVLoadOp), ("vload", ll.VLoadOp), ("vstore", ll.VStoreOp), ("store", ll.StoreOp),
    ("fence", ll.FenceOp), ("vector_call", ll.VectorCallOp), ("call", ll.CallOp), ("binary", ll._BinaryOp),
    ("fneg", ll.FNegOp), ("cmp", ll._CmpOp), ("select", ll.SelectOp), ("cast", ll._CastOp), ("gep", ll.GEPOp),
    ("load", ll.LoadOp), ("alloca", ll.AllocaOp), ("constant", ll.ConstantOp), ("global_array", ll.GlobalArrayOp),
    ("loop_begin", ll.LoopBeginOp), ("loop_end", ll.LoopEndOp), ("if_begin", ll.IfBeginOp), ("if_end", ll.IfEndOp),
    ("ret", ll.RetOp),
)
_KIND_OF: dict[type, str] = {}


def _kind(obj: object) -> str:
    """EMIT-DISPATCH: the `_KINDS` name of an op ("other" for none, or for a block), remembered per
    class: an isinstance test on an IRDL op class costs about a microsecond (an ABC check), and the
    printer asked some 30 of them per op (a third of a 64x64 matmul's 15 ms of printing)."""
    cls = type(obj)
    kind = _KIND_OF.get(cls)
    if kind is None:
        kind = _KIND_OF[cls] = next((name for name, base in _KINDS if issubclass(cls, base)), "other")
    return kind


#: WIDE-INDEX: i32 ops whose i64 form on sign-extended operands is the sign extension of their result
_WIDE_WHEN_NSW = frozenset({"llir.add", "llir.sub", "llir.mul"})  # when marked nsw
_WIDE_PREDICATES = frozenset({"eq", "ne", "slt", "sle", "sgt", "sge"})  # icmp: same answer on sign extensions


def wide_index_values(block: Iterable[Operation]) -> set[SSAValue]:
    """WIDE-INDEX: the i32 values of a kernel's ops printed in i64 (see the module docstring)."""
    wide: set[SSAValue] = set()

    def is_i32_constant(v: SSAValue) -> bool:
        return _kind(v.owner) == "constant" and v.type == i32

    def index_operands(op: Operation) -> bool:
        return all(v in wide or is_i32_constant(v) for v in op.operands) and any(v in wide for v in op.operands)

    for op in block:
        kind = _kind(op)
        if kind == "loop_begin" and op.iv.type == i32:
            wide.add(op.iv)
        elif kind == "binary" and op.result.type == i32 and op.name in _WIDE_WHEN_NSW:
            flags = op.attributes.get("overflow")
            if flags is not None and "nsw" in flags.data.split() and index_operands(op):
                wide.add(op.result)
    return wide


def _wide_compare(op: Operation, wide: set[SSAValue]) -> bool:
    """An icmp printed on the i64 forms of its operands (WIDE-INDEX)."""
    return (_kind(op) == "cmp" and op.name == "llir.icmp" and op.predicate.data in _WIDE_PREDICATES
            and op.lhs.type == i32 and any(v in wide for v in op.operands)
            and all(v in wide or _kind(v.owner) == "constant" for v in op.operands))


def _is_widening(op: Operation, wide: set[SSAValue]) -> bool:
    """A `sext` to i64 of a wide value (an INDEX64 kernel's cast of a loop index): its i64 form itself."""
    return _kind(op) == "cast" and op.name == "llir.sext" and op.operand in wide and op.result.type == i64


def _narrow_uses(block: Iterable[Operation], wide: set[SSAValue]) -> set[SSAValue]:
    """The wide values that some op reads as i32 (each gets one `trunc` after its definition)."""
    narrow: set[SSAValue] = set()
    for op in block:
        kind = _kind(op)
        if (kind == "binary" and op.result in wide) or _wide_compare(op, wide) or kind == "loop_end" \
                or _is_widening(op, wide):
            continue
        index = op.index if kind in ("gep", "masked_vload") else None
        narrow.update(v for v in op.operands if v in wide and v is not index)
    return narrow


class _FunctionPrinter:
    """Prints one kernel; holds value names, the current block label and the output lines."""

    def __init__(self, kernel: ll.KernelOp):
        self.kernel = kernel
        self.names: dict[SSAValue, str] = {}
        self.used: set[str] = {"entry"}  # values and labels share one namespace in LLVM
        self.next_suffix: dict[str, int] = {}  # hint -> where its search for a free name resumes
        self.lines: list[str] = []
        self.block = "entry"
        self.declarations: dict[str, str] = {}
        self.metadata: list[str] = []  # `!llvm.loop` nodes, numbered by the module
        self.bounds: tuple[str, str] | None = None  # (%start, %end) of the parallel loop
        # WIDE-INDEX: values printed in i64 (host kernels only), and the i32 `trunc` of those read as i32
        self.wide: set[SSAValue] = set()
        self.narrow_needed: set[SSAValue] = set()
        self.narrow: dict[SSAValue, str] = {}

    def fresh(self, hint: str | None) -> str:
        """An unused local name; hints with dots are refused, so `%x.next`-style names stay ours."""
        base = hint if hint and _IDENT.match(hint) and "." not in hint and not hint[0].isdigit() else "v"
        # names are never freed, so every suffix below the saved one is taken: resuming there gives
        # the same name as counting up from 0, without a scan per call that grows with the kernel
        n = self.next_suffix.get(base, 0)
        name = f"{base}{n}" if n else base
        while name in self.used:
            n += 1
            name = f"{base}{n}"
        self.used.add(name)
        self.next_suffix[base] = n + 1
        return name

    def define(self, value: SSAValue) -> str:
        self.names[value] = name = "%" + self.fresh(value.name_hint)
        if value in self.narrow_needed:
            self.narrow[value] = name + ".i32"
        return name

    def narrow_copy(self, value: SSAValue) -> None:
        """WIDE-INDEX: `%x.i32 = trunc` of a wide value read as i32, right after its definition."""
        if value in self.narrow:
            self.emit(f"{self.narrow[value]} = trunc i64 {self.names[value]} to i32")

    def ref(self, value: SSAValue, wide: bool = False) -> str:
        """The value's name (a constant's literal); a wide value's i64 name only where `wide`."""
        owner = value.owner
        if _kind(owner) == "constant":
            return constant_literal(owner)
        if value in self.wide and not wide:
            return self.narrow[value]
        return self.names[value]

    def typed(self, value: SSAValue) -> str:
        return f"{llvm_type(value.type)} {self.ref(value)}"

    def typed_index(self, value: SSAValue) -> str:
        """An index operand: i64 where it is wide (WIDE-INDEX), else as `typed`."""
        return f"i64 {self.ref(value, wide=True)}" if value in self.wide else self.typed(value)

    def label(self, name: str) -> None:
        self.lines.append(f"{name}:")
        self.block = name

    def emit(self, text: str) -> None:
        self.lines.append("  " + text)

    def new_label(self, stem: str) -> str:
        return self.fresh(stem)

    # -------------------------------------------------------------- the function

    def print_function(self, noalias: bool) -> str:
        kernel = self.kernel
        block = kernel.body.block
        if kernel.calling_conv is None:  # WIDE-INDEX: a host kernel
            ops = list(block.ops)
            self.wide = wide_index_values(ops)
            self.narrow_needed = _narrow_uses(ops, self.wide)
        params = []
        for arg in block.args:
            attrs = " noalias" if noalias else ""
            params.append(f"{llvm_type(arg.type)}{attrs} {self.define(arg)}")
        ops_kinds = [(op, _kind(op)) for op in block.ops]
        if any(kind == "loop_begin" and "parallel" in op.attributes for op, kind in ops_kinds):
            self.bounds = ("%" + self.fresh("start"), "%" + self.fresh("end"))
            params += [f"i32 {self.bounds[0]}", f"i32 {self.bounds[1]}"]
        cc = f"{kernel.calling_conv.data} " if kernel.calling_conv is not None else ""
        head = f"define {cc}void {_global_name(kernel.sym_name.data)}({', '.join(params)}) #0 {{"
        self.lines.append(head)
        self.label("entry")
        for op, kind in ops_kinds:  # allocas first, so mem2reg promotes them
            if kind == "alloca":
                self.emit_op(op, kind)
            elif kind == "global_array":  # module-level: `@kernel.name = internal global ...`
                self.global_array(op)
        loops: list[tuple[SSAValue, str, str, int]] = []  # (iv, body label, exit label, phi line)
        ifs: list[str] = []
        for op, kind in ops_kinds:
            if kind in ("alloca", "constant", "global_array"):
                continue
            if kind == "loop_begin":
                body = self.new_label("loop")
                exit_ = body + ".exit"
                pred = self.block
                lower = op.lower.data
                wide = op.iv in self.wide
                if "parallel" in op.attributes:
                    assert self.bounds is not None
                    lower = self.bounds[0]
                    if wide:  # the i32 parameters' i64 forms, for the phi and the latch
                        self.emit(f"%{body}.lo = sext i32 {self.bounds[0]} to i64")
                        self.emit(f"%{body}.hi = sext i32 {self.bounds[1]} to i64")
                        lower = f"%{body}.lo"
                    self.emit(f"%{body}.any = icmp slt i32 {self.bounds[0]}, {self.bounds[1]}")
                    self.emit(f"br i1 %{body}.any, label %{body}, label %{exit_}")
                else:
                    self.emit(f"br label %{body}")
                self.label(body)
                iv = self.define(op.iv)
                t = "i64" if wide else llvm_type(op.iv.type)
                self.lines.append(f"  {iv} = phi {t} [ {lower}, %{pred} ], [ {iv}.next, %LATCH ]")
                loops.append((op.iv, body, exit_, len(self.lines) - 1))
                self.narrow_copy(op.iv)
            elif kind == "loop_end":
                iv_value, body, exit_, phi_line = loops.pop()
                begin = iv_value.owner
                assert isinstance(begin, ll.LoopBeginOp)
                iv, t = self.names[iv_value], llvm_type(iv_value.type)
                upper = self.bounds[1] if "parallel" in begin.attributes and self.bounds else begin.upper.data
                if iv_value in self.wide:
                    t = "i64"
                    upper = f"%{body}.hi" if "parallel" in begin.attributes else upper
                self.emit(f"{iv}.next = add nuw nsw {t} {iv}, 1")
                self.emit(f"{iv}.done = icmp eq {t} {iv}.next, {upper}")
                self.emit(f"br i1 {iv}.done, label %{exit_}, label %{body}{self.loop_metadata(begin)}")
                self.lines[phi_line] = self.lines[phi_line].replace("%LATCH", f"%{self.block}")
                self.label(exit_)
            elif kind == "if_begin":
                then = self.new_label("if")
                ifs.append(then + ".end")
                self.emit(f"br i1 {self.ref(op.cond)}, label %{then}, label %{then}.end")
                self.label(then)
            elif kind == "if_end":
                end = ifs.pop()
                self.emit(f"br label %{end}")
                self.label(end)
            elif kind == "ret":
                self.emit("ret void")
            else:
                self.emit_op(op, kind)
        self.lines.append("}")
        return "\n".join(self.lines)

    def loop_metadata(self, begin: ll.LoopBeginOp) -> str:
        """`, !llvm.loop !N` for a loop LLVM must not vectorize (N is a placeholder the module renumbers)."""
        vectorize = begin.attributes.get("vectorize")
        if vectorize is None or vectorize.value.data:
            return ""
        self.metadata.append('!{!"llvm.loop.vectorize.width", i32 1}')
        return f", !llvm.loop !LOOP{len(self.metadata) - 1}"

    def global_array(self, op: ll.GlobalArrayOp) -> None:
        t = op.result.type
        name = _global_name(f"{self.kernel.sym_name.data}.{self.fresh(op.result.name_hint or 'array')}")
        self.names[op.result] = name
        space = f"addrspace({t.addrspace.data}) " if t.addrspace.data else ""
        self.declarations[name] = (f"{name} = internal {space}global [{op.size.data} x {llvm_type(t.element_type)}] "
                                   "poison, align 16")

    def vector_call(self, op: ll.VectorCallOp) -> None:
        """An intrinsic call on vectors: each group of n > 1 arguments `insertelement`ed into an
        `<n x T>`, a group of 1 passed as it is; a vector result read back lane by lane."""
        args, types = [], []
        for group in op.argument_groups():
            t = llvm_type(group[0].type)
            if len(group) == 1:
                args.append(self.typed(group[0]))
                types.append(t)
                continue
            vector, whole = f"<{len(group)} x {t}>", "poison"
            for k, lane in enumerate(group):
                part = "%" + self.fresh("vec")
                self.emit(f"{part} = insertelement {vector} {whole}, {self.typed(lane)}, i32 {k}")
                whole = part
            args.append(f"{vector} {whole}")
            types.append(vector)
        t, n = llvm_type(op.lanes[0].type), len(op.lanes)
        ret = f"<{n} x {t}>" if n > 1 else t
        callee = _global_name(op.callee.data)
        self.declarations[callee] = f"declare {ret} {callee}({', '.join(types)})"
        if n == 1:
            self.emit(f"{self.define(op.lanes[0])} = call {ret} {callee}({', '.join(args)})")
            return
        whole = "%" + self.fresh("vec")
        self.emit(f"{whole} = call {ret} {callee}({', '.join(args)})")
        for k, lane in enumerate(op.lanes):
            self.emit(f"{self.define(lane)} = extractelement {ret} {whole}, i32 {k}")

    def vector_load(self, op: ll.VLoadOp) -> None:
        t = op.lanes[0].type
        vector = f"<{len(op.lanes)} x {llvm_type(t)}>"
        whole = "%" + self.fresh("vec")
        self.emit(f"{whole} = load {vector}, {self.typed(op.ptr)}, align {_align(t) * len(op.lanes)}")
        for k, lane in enumerate(op.lanes):
            self.emit(f"{self.define(lane)} = extractelement {vector} {whole}, i32 {k}")

    def vector_store(self, op: ll.VStoreOp) -> None:
        t = op.values[0].type
        vector, whole = f"<{len(op.values)} x {llvm_type(t)}>", "poison"
        for k, lane in enumerate(op.values):
            part = "%" + self.fresh("vec")
            self.emit(f"{part} = insertelement {vector} {whole}, {self.typed(lane)}, i32 {k}")
            whole = part
        self.emit(f"store {vector} {whole}, {self.typed(op.ptr)}, align {_align(t) * len(op.values)}")

    def masked_vector_load(self, op: ll.MaskedVLoadOp) -> None:
        """`llvm.masked.load` of the lanes from element `index` on (a plain GEP: lane 0 may be
        gated off and out of bounds), gated-off lanes 0; then one `extractelement` per lane."""
        t, n = op.lanes[0].type, len(op.lanes)
        vector, mask = f"<{n} x {llvm_type(t)}>", "poison"
        for k, gate in enumerate(op.gates):
            part = "%" + self.fresh("mask")
            self.emit(f"{part} = insertelement <{n} x i1> {mask}, {self.typed(gate)}, i32 {k}")
            mask = part
        pointer, whole = "%" + self.fresh("mptr"), "%" + self.fresh("vec")
        self.emit(f"{pointer} = getelementptr {llvm_type(t)}, {self.typed(op.base_ptr)}, {self.typed_index(op.index)}")
        space = op.base_ptr.type.addrspace.data
        callee = f"@llvm.masked.load.v{n}{_vector_suffix(t)}.p{space}"
        ptr_type = f"ptr addrspace({space})" if space else "ptr"
        self.declarations[callee] = f"declare {vector} {callee}({ptr_type}, i32, <{n} x i1>, {vector})"
        self.emit(f"{whole} = call {vector} {callee}({ptr_type} {pointer}, i32 {_align(t)}, <{n} x i1> {mask}, "
                  f"{vector} zeroinitializer)")
        for k, lane in enumerate(op.lanes):
            self.emit(f"{self.define(lane)} = extractelement {vector} {whole}, i32 {k}")

    def emit_op(self, op: Operation, kind: str | None = None) -> None:
        kind = kind or _kind(op)
        if kind == "masked_vload":
            self.masked_vector_load(op)
            return
        if kind == "vload":
            self.vector_load(op)
            return
        if kind == "vstore":
            self.vector_store(op)
            return
        if kind == "store":
            self.emit(f"store {self.typed(op.value)}, {self.typed(op.ptr)}, align {_align(op.value.type)}")
            return
        if kind == "fence":
            scope = f' syncscope("{op.syncscope.data}")' if op.syncscope is not None else ""
            self.emit(f"fence{scope} {op.ordering.data}")
            return
        if kind == "vector_call":
            self.vector_call(op)
            return
        if kind == "call" and not op.results:
            callee = _global_name(op.callee.data)
            self.declarations[callee] = f"declare void {callee}({', '.join(llvm_type(a.type) for a in op.args)})"
            self.emit(f"call void {callee}({', '.join(self.typed(a) for a in op.args)})")
            return
        if _is_widening(op, self.wide):  # the i64 form is there already
            self.names[op.results[0]] = self.names[op.operands[0]]
            return
        r = self.define(op.results[0])
        if kind == "binary":
            flags = op.attributes.get("fastmath") or op.attributes.get("overflow")
            opcode = op.name[5:] + (f" {flags.data}" if flags is not None else "")
            if op.result in self.wide:
                self.emit(f"{r} = {opcode} i64 {self.ref(op.lhs, wide=True)}, {self.ref(op.rhs, wide=True)}")
                self.narrow_copy(op.result)
            else:
                self.emit(f"{r} = {opcode} {self.typed(op.lhs)}, {self.ref(op.rhs)}")
        elif _wide_compare(op, self.wide):
            self.emit(f"{r} = icmp {op.predicate.data} i64 {self.ref(op.lhs, wide=True)}, {self.ref(op.rhs, wide=True)}")
        elif kind == "fneg":
            self.emit(f"{r} = fneg {self.typed(op.operand)}")
        elif kind == "cmp":
            self.emit(f"{r} = {op.name[5:]} {op.predicate.data} {self.typed(op.lhs)}, {self.ref(op.rhs)}")
        elif kind == "select":
            self.emit(f"{r} = select {self.typed(op.cond)}, {self.typed(op.true_value)}, {self.typed(op.false_value)}")
        elif kind == "cast":
            self.emit(f"{r} = {op.name[5:]} {self.typed(op.operand)} to {llvm_type(op.result.type)}")
        elif kind == "gep":
            elem = llvm_type(op.base_ptr.type.element_type)
            self.emit(f"{r} = getelementptr inbounds {elem}, {self.typed(op.base_ptr)}, {self.typed_index(op.index)}")
        elif kind == "load":
            t = op.result.type
            self.emit(f"{r} = load {llvm_type(t)}, {self.typed(op.ptr)}, align {_align(t)}")
        elif kind == "alloca":
            t = op.result.type
            space = f", addrspace({t.addrspace.data})" if t.addrspace.data else ""
            self.emit(f"{r} = alloca {llvm_type(t.element_type)}, align {_align(t.element_type)}{space}")
        elif kind == "call":
            ret = llvm_type(op.result.type)
            callee = _global_name(op.callee.data)
            args = ", ".join(self.typed(a) for a in op.args)
            self.declarations[callee] = f"declare {ret} {callee}({', '.join(llvm_type(a.type) for a in op.args)})"
            self.emit(f"{r} = call {ret} {callee}({args})")
        else:
            emit_error(op, "cannot be printed as LLVM IR")


def _vector_suffix(t: Attribute) -> str:
    """An element type's part of an overloaded intrinsic's name: f32, f16, i32, ..."""
    return llvm_type(t).replace("float", "f32").replace("half", "f16").replace("double", "f64")


@functools.lru_cache(maxsize=256)
def _align(t: Attribute) -> int:
    return max(1, ll.bit_width(t) // 8)


def _kernel_parts(kernel: ll.KernelOp, first_node: int) -> tuple[str, dict[str, str], list[str]]:
    """The function's text (loop metadata numbered from `first_node`), its declarations and its
    metadata lines."""
    # Distinct buffers cannot alias, which lets LLVM vectorize without runtime checks.
    distinct = len({id(a) for a in kernel.args}) == len(kernel.args)
    printer = _FunctionPrinter(kernel)
    text = printer.print_function(noalias=distinct)
    nodes = []
    for i, body in enumerate(printer.metadata):
        loop, prop = first_node + 2 * i, first_node + 2 * i + 1
        text = re.sub(rf"!LOOP{i}\b", f"!{loop}", text)
        nodes += [f"!{loop} = distinct !{{!{loop}, !{prop}}}", f"!{prop} = {body}"]
    return text, printer.declarations, nodes


def _module_text(kernels: Iterable[ll.KernelOp]) -> str:
    kernels = list(kernels)
    functions, declarations, metadata = [], {}, []
    for k in kernels:
        text, decls, nodes = _kernel_parts(k, len(metadata))
        functions.append(text)
        declarations.update(decls)
        metadata += nodes
    first = kernels[0] if kernels else None
    if first is not None and first.triple is not None:
        triple = first.triple.data
        layout = first.datalayout.data if first.datalayout is not None else ""
    else:
        triple, layout = host_triple_and_layout()
    header = [f'target triple = "{triple}"']
    if layout:
        header.insert(0, f'target datalayout = "{layout}"')
    body = "\n\n".join(functions)
    decls = "\n".join(declarations[k] for k in sorted(declarations))
    attrs = 'attributes #0 = { nounwind }'
    tail = "\n\n" + "\n".join(metadata) if metadata else ""
    return "\n".join(header) + "\n\n" + body + ("\n\n" + decls if decls else "") + "\n\n" + attrs + tail + "\n"


def kernel_arg_dtypes(kernel: ll.KernelOp) -> tuple[str, ...]:
    """numpy dtype names of the kernel's buffers (from the host buffer types, else the pointers)."""
    from tinyir.element_types import numpy_dtype

    out = []
    for operand, arg in zip(kernel.args, kernel.body.block.args):
        element = getattr(operand.type, "element_type", None)
        try:
            out.append(numpy_dtype(element).name)
        except ValueError:
            out.append(numpy_dtype(arg.type.element_type).name)
    return tuple(out)


def emit_kernel(op: Operation) -> KernelSource:
    """One `llir.kernel` as a complete LLVM IR module (host triple and data layout unless set)."""
    if not isinstance(op, ll.KernelOp):
        emit_error(op, "is not an llir.kernel; the LLVM emitter prints llir.kernel ops only")
    return KernelSource(
        name=op.sym_name.data,
        text=_module_text([op]),
        global_size=tuple(s.data for s in op.global_size),
        arg_dtypes=kernel_arg_dtypes(op),
    )


def emit_module(module: ModuleOp) -> str:
    """Every `llir.kernel` of a module in one LLVM IR module (for `tinyir-opt -t llvm`)."""
    kernels = [op for op in module.walk() if isinstance(op, ll.KernelOp)]
    if not kernels:
        emit_error(module, "no llir.kernel to print as LLVM IR (run uop-to-llvm first)")
    return _module_text(kernels)
