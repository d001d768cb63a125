"""`uop-to-llvm`: micro-ops to `llir`, for the CPU (the kernel function runs the whole grid).

Semantics kept exactly (docs/ir.md): integers wrap; `idiv`/`mod` are C's `sdiv`/`srem` (`udiv`/
`urem` on ui8); `shr` is `ashr` on signed and `lshr` on unsigned types; float `max` is
`llvm.maximum` (NaN propagates, as in numpy and PyTorch); i1 buffers hold bytes (loads compare with 0, stores zero-extend); f16 is `half`.
Nothing traps or makes poison, whatever the data; every op means what the ALU table (tinyir/alu.py)
says: x/0 = x%0 = 0, x/-1 is computed as -x, a shift by an amount outside [0, width) gives 0 (shl,
lshr) or the sign fill (ashr), float->int casts saturate (`llvm.fpto[su]i.sat`, NaN -> 0).

`uop.special` dims become loops around the whole body (gidx0 innermost, as it is the fastest
dim); the outermost one is `{parallel}`: the CPU device splits it over threads. A gated load
reads index 0 and selects 0 when the gate is false (no branch, nothing out of bounds is touched);
a gated store is an `if`; accumulators are allocas. Before lowering, tinyir/targets/llvm/hints.py
marks index math that cannot wrap (`nsw`) and upcast loops to leave to the SLP vectorizer.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import ClassVar

from xdsl.context import Context
from xdsl.dialects.builtin import IntegerType, ModuleOp, Signedness, StringAttr, UnitAttr, bf16, f16, f32, f64, i1, i8, i16, i32
from xdsl.ir import Attribute, Operation, Region, SSAValue
from xdsl.pattern_rewriter import PatternRewriter
from xdsl.rewriter import InsertPoint

from tinyir.diagnostics import emit_error
from tinyir.dialects import uop
from tinyir.passes.uop_vectorize import scalarize
from tinyir.rewrite import Rule, RulePass, rule
from tinyir.targets.llvm import dialect as ll
from tinyir.targets.llvm.hints import annotate
from tinyir.targets.llvm.masked_loads import group_masked_loads
from tinyir.targets.llvm.mathlib import exp2_f32

# ---------------------------------------------------------------- types


def value_type(t: Attribute) -> Attribute:
    """The llir (signless) type of a uop value: ui8 -> i8, bf16 -> i16 (its bits: uop-emulate-bf16
    leaves bf16 only in loads, stores and bitcasts), the rest unchanged."""
    if t == bf16:
        return i16
    if isinstance(t, IntegerType) and t.signedness.data != Signedness.SIGNLESS:
        return IntegerType(t.width.data)
    return t


def storage_type(t: Attribute) -> Attribute:
    """How a buffer element of uop type `t` sits in memory: i1 as a byte."""
    return i8 if t == i1 else value_type(t)


def is_unsigned(t: Attribute) -> bool:
    return isinstance(t, IntegerType) and t.signedness.data == Signedness.UNSIGNED


def is_float(t: Attribute) -> bool:
    return t in (f16, f32, f64)


def _float_suffix(t: Attribute) -> str:
    return {f16: "f16", f32: "f32", f64: "f64"}[t]


_FLOAT_BITS = {f16: 16, f32: 32, f64: 64}


def const(value: float | int | bool, t: Attribute) -> ll.ConstantOp:
    """An llir constant of uop type `t` (unsigned values are re-read as two's complement)."""
    t = value_type(t)
    if isinstance(t, IntegerType) and t.width.data > 1:
        bits = t.width.data
        value = int(value) & ((1 << bits) - 1)
        if value >= 1 << (bits - 1):
            value -= 1 << bits
    return ll.ConstantOp(value, t)


# ---------------------------------------------------------------- operands


@dataclass
class UopTypes:
    """The state of one application of the lowering: llir is signless, so once a producer is
    lowered its value no longer says whether it was i8 or ui8; the lowering remembers the uop type
    of every value it makes (accumulator slots included). The rules reach it through
    `uop_type`/`remember_uop_type` (those of the AMDGPU lowering too): it is set for the length of
    one `apply`, per thread, so applications never share or leak entries."""

    of: dict[SSAValue, Attribute] = field(default_factory=dict)


#: the state of the application running in this thread (`UopToLLVM.apply` sets it)
_UOP_TYPES: ContextVar[UopTypes | None] = ContextVar("uop_to_llvm_types", default=None)


def uop_type(v: SSAValue) -> Attribute:
    """The uop type of an operand, lowered or not (for an accumulator slot: the register's type)."""
    state = _UOP_TYPES.get()
    return v.type if state is None else state.of.get(v, v.type)


def remember_uop_type(value: SSAValue, uop_type_: Attribute) -> None:
    """Record the uop type of a value this lowering (or one built on it) made."""
    state = _UOP_TYPES.get()
    if state is None:
        raise RuntimeError("remember_uop_type: no uop-to-llvm lowering is running")
    state.of[value] = uop_type_


def reads_unlowered_accumulator(op: Operation) -> bool:
    """Whether an operand still comes from an accumulator that is not lowered yet."""
    return any(isinstance(v.owner, uop.DefineAccOp) for v in op.operands)


def read(v: SSAValue) -> SSAValue | Operation:
    """An operand's value: accumulators (allocas by now) are read with a load at the point of use."""
    if isinstance(v.owner, ll.AllocaOp):
        load = ll.LoadOp(v)
        remember_uop_type(load.result, uop_type(v))
        return load
    return v


def operands(op: Operation) -> list[SSAValue | Operation]:
    return [read(v) for v in op.operands]


def _lowering(fn: Callable[[Operation], object]) -> Callable[[Operation], object]:
    """Wait (no match) until every accumulator an op reads is lowered; remember the result's uop type."""
    def wrapper(op: Operation) -> object:
        if reads_unlowered_accumulator(op):
            return None
        result = fn(op)
        if result is not None and op.results:
            remember_uop_type(ll.value_of(result), op.results[0].type)
        return result
    wrapper.__name__ = fn.__name__
    return wrapper


# ---------------------------------------------------------------- ALU rules


def lower_neg(op: uop.NegOp) -> Operation:
    (x,) = operands(op)
    t = op.result.type
    if is_float(t):
        return ll.FNegOp(x)
    if t == i1:
        return ll.XorOp(x, const(True, i1))
    return ll.SubOp(const(0, t), x)


def intrinsic(name: str) -> Callable[[Operation], Operation]:
    """`uop.exp2` etc. as a call of `llvm.NAME.f32` / `.f16`."""
    def lower(op: Operation) -> Operation:
        t = op.results[0].type
        return ll.CallOp(f"llvm.{name}.{_float_suffix(t)}", operands(op), t)
    lower.__name__ = f"lower_{name}"
    return lower


def lower_exp2(op: uop.Exp2Op) -> Operation:
    """f32: computed inline (mathlib.py), so that loops of it vectorize; f16: the intrinsic."""
    (x,) = operands(op)
    return exp2_f32(x) if op.result.type == f32 else intrinsic("exp2")(op)


def lower_recip(op: uop.RecipOp) -> Operation:
    (x,) = operands(op)
    return ll.FDivOp(const(1.0, op.result.type), x)


def _reduction_update(op: Operation, new: Operation) -> Operation:
    """A float add/mul into an accumulator may be reassociated, so that LLVM can vectorize the
    reduction (the sum order changes, as numpy's pairwise summation changes it)."""
    if any(isinstance(v.owner, ll.AllocaOp) for v in op.operands):
        new.attributes["fastmath"] = StringAttr("reassoc")
    return new


def lower_add(op: uop.AddOp) -> Operation | None:
    if "fma" in op.attributes and any(isinstance(v.owner, uop.MulOp) for v in op.operands):
        return None  # an update chain's product + sum (hints.py): its product is lowered first
    x, y = operands(op)
    t = op.result.type
    if "fma" in op.attributes:  # one llvm.fma of the product's operands and the sum
        product, other = (x, y) if isinstance(getattr(x, "owner", None), ll.FMulOp) else (y, x)
        if isinstance(getattr(product, "owner", None), ll.FMulOp):
            return ll.CallOp(f"llvm.fma.{_float_suffix(t)}", [product.owner.lhs, product.owner.rhs, other], t)
    if is_float(t):
        return _reduction_update(op, ll.FAddOp(x, y))
    return ll.OrOp(x, y) if t == i1 else _no_wrap(op, ll.AddOp(x, y))


def lower_mul(op: uop.MulOp) -> Operation:
    x, y = operands(op)
    t = op.result.type
    if is_float(t):
        return _reduction_update(op, ll.FMulOp(x, y))
    return ll.AndOp(x, y) if t == i1 else _no_wrap(op, ll.MulOp(x, y))


def _no_wrap(op: Operation, new: Operation) -> Operation:
    """Carry the `overflow` flags that hints.py proved for an index add/mul."""
    if "overflow" in op.attributes:
        new.attributes["overflow"] = op.attributes["overflow"]
    return new


def lower_max(op: uop.MaxOp) -> Operation:
    x, y = operands(op)
    t = op.result.type
    if is_float(t):
        return ll.CallOp(f"llvm.maximum.{_float_suffix(t)}", [x, y], t)  # NaN-propagating, like numpy
    if t == i1:
        return ll.OrOp(x, y)
    greater = ll.ICmpOp("ugt" if is_unsigned(t) else "sgt", x, y)
    return ll.SelectOp(greater, x, y)


def _divisor_checks(y: SSAValue | Operation, t: Attribute) -> tuple[Operation, Operation, Operation | None]:
    """(`y == 0`, a divisor that cannot trap: 0 and -1 replaced by 1, `y == -1` or None if unsigned)."""
    y_is_zero = ll.ICmpOp("eq", y, const(0, t))
    if is_unsigned(t):
        return y_is_zero, ll.SelectOp(y_is_zero, const(1, t), y), None
    y_is_minus_one = ll.ICmpOp("eq", y, const(-1, t))
    safe = ll.SelectOp(ll.OrOp(y_is_zero, y_is_minus_one), const(1, t), y)
    return y_is_zero, safe, y_is_minus_one


def constant_of(v: SSAValue | Operation) -> int | float | None:
    """The value of an llir constant operand, else None."""
    owner = v if isinstance(v, Operation) else v.owner
    return owner.value.value.data if isinstance(owner, ll.ConstantOp) else None


def _plain_divisor(y: SSAValue | Operation) -> bool:
    """A constant divisor that can neither trap nor overflow: no checks needed."""
    return constant_of(y) not in (None, 0, -1)


def lower_idiv(op: uop.IdivOp) -> Operation:
    """x / y toward zero; x / 0 = 0 (as the uop interpreter and folder), x / -1 = -x (wraps)."""
    x, y = operands(op)
    t = op.result.type
    if _plain_divisor(y):
        return ll.UDivOp(x, y) if is_unsigned(t) else ll.SDivOp(x, y)
    y_is_zero, divisor, minus_one = _divisor_checks(y, t)
    quotient: Operation = ll.UDivOp(x, divisor) if minus_one is None else ll.SDivOp(x, divisor)
    if minus_one is not None:
        quotient = ll.SelectOp(minus_one, ll.SubOp(const(0, t), x), quotient)
    return ll.SelectOp(y_is_zero, const(0, t), quotient)


def lower_mod(op: uop.ModOp) -> Operation:
    """x % y with the sign of x; x % 0 = 0 (the ALU table's, as numpy's); x % -1 = 0 (no trap)."""
    x, y = operands(op)
    t = op.result.type
    if _plain_divisor(y):
        return ll.URemOp(x, y) if is_unsigned(t) else ll.SRemOp(x, y)
    y_is_zero, divisor, _ = _divisor_checks(y, t)
    remainder = ll.URemOp(x, divisor) if is_unsigned(t) else ll.SRemOp(x, divisor)
    return ll.SelectOp(y_is_zero, const(0, t), remainder)


def _shift(op: Operation, shift: Callable[[SSAValue | Operation, SSAValue | Operation], Operation],
           out_of_range: Callable[[SSAValue | Operation], Operation]) -> Operation:
    """`shift(x, y)` where 0 <= y < width, else `out_of_range(x)` (the ALU table's rule; LLVM makes
    poison there). A constant amount is decided here; an unknown one by an unsigned compare (a
    negative amount reads as a huge one) and a select around a shift by the amount mod width."""
    x, y = operands(op)
    t = op.result.type
    width = value_type(t).width.data
    known = constant_of(y)
    if known is not None:
        known = int(known) & ((1 << width) - 1)  # its unsigned value
        return shift(x, const(known, t)) if known < width else out_of_range(x)
    in_range = ll.ICmpOp("ult", y, const(width, t))
    return ll.SelectOp(in_range, shift(x, ll.AndOp(y, const(width - 1, t))), out_of_range(x))


def lower_shl(op: uop.ShlOp) -> Operation:
    """x << y; 0 when y < 0 or y >= width."""
    t = op.result.type
    return _shift(op, ll.ShlOp, lambda x: const(0, t))


def binary(llir_op: type[ll._BinaryOp]) -> Callable[[Operation], Operation]:
    """A uop binary op that maps to one llir instruction."""
    def lower(op: Operation) -> Operation:
        return llir_op(*operands(op))
    lower.__name__ = f"lower_to_{llir_op.name}"
    return lower


def lower_shr(op: uop.ShrOp) -> Operation:
    """x >> y (arithmetic if signed, logical if unsigned); the sign fill when y < 0 or y >= width."""
    t = op.result.type
    width = value_type(t).width.data
    if is_unsigned(t):
        return _shift(op, ll.LShrOp, lambda x: const(0, t))
    return _shift(op, ll.AShrOp, lambda x: ll.AShrOp(x, const(width - 1, t)))


def lower_cmplt(op: uop.CmpltOp) -> Operation:
    x, y = operands(op)
    t = uop_type(op.lhs)
    if is_float(t):
        return ll.FCmpOp("olt", x, y)
    return ll.ICmpOp("ult" if is_unsigned(t) or t == i1 else "slt", x, y)


def lower_cmpne(op: uop.CmpneOp) -> Operation:
    x, y = operands(op)
    return ll.FCmpOp("une", x, y) if is_float(uop_type(op.lhs)) else ll.ICmpOp("ne", x, y)


def lower_where(op: uop.WhereOp) -> Operation:
    return ll.SelectOp(*operands(op))


def lower_cast(op: uop.CastOp) -> SSAValue | Operation:
    (x,) = operands(op)
    src, dst = uop_type(op.input), op.result.type
    out = value_type(dst)
    if dst == i1:  # truth value: != 0
        return ll.FCmpOp("une", x, const(0.0, src)) if is_float(src) else ll.ICmpOp("ne", x, const(0, src))
    if is_float(src) and is_float(dst):
        if src == dst:
            return x
        return ll.FPExtOp(x, out) if _FLOAT_BITS[dst] > _FLOAT_BITS[src] else ll.FPTruncOp(x, out)
    if is_float(dst):  # int or bool -> float
        return ll.UIToFPOp(x, out) if is_unsigned(src) or src == i1 else ll.SIToFPOp(x, out)
    if is_float(src):  # toward zero, saturating, NaN -> 0: defined for every input (no poison)
        kind = "fptoui" if is_unsigned(dst) else "fptosi"
        if src == f16:  # F16-SAT: from f32 (exact). On a host with AVX512-FP16 (the H100 machine's),
            x, src = ll.FPExtOp(x, f32), f32  # LLVM's f16 form gave -32768, not 0, for NaN -> i16
        return ll.CallOp(f"llvm.{kind}.sat.i{out.width.data}.{_float_suffix(src)}", [x], out)
    ws, wd = src.width.data, dst.width.data
    if ws == wd:  # i8 <-> ui8: same bits, but a new value (its signedness differs)
        return ll.BitcastOp(x, out)
    if wd < ws:
        return ll.TruncOp(x, out)
    return ll.ZExtOp(x, out) if is_unsigned(src) or src == i1 else ll.SExtOp(x, out)


def lower_bitcast(op: uop.BitcastOp) -> SSAValue | Operation:
    (x,) = operands(op)
    return ll.BitcastOp(x, value_type(op.result.type))


# ---------------------------------------------------------------- memory and structure


def lower_const(op: uop.ConstOp) -> Operation:
    return const(uop.literal_value(op.value), op.result.type)


def _element_pointer(buffer: SSAValue, index: SSAValue | Operation, element: Attribute) -> ll.GEPOp:
    return ll.GEPOp(buffer, index, ll.PtrType(storage_type(element)))


def lower_load(op: uop.LoadOp) -> Operation:
    t = op.result.type
    _, index, *gate = operands(op)
    if gate:  # read element 0 instead (always in bounds), then replace the value by 0
        index = ll.SelectOp(gate[0], index, const(0, ll.value_of(index).type))  # INDEX64: i32 or i64
    value: Operation = ll.LoadOp(_element_pointer(op.buffer, index, t))
    if t == i1:
        value = ll.ICmpOp("ne", value, const(0, i8))
    return ll.SelectOp(gate[0], value, const(0, t)) if gate else value


def lower_store(op: uop.StoreOp, rewriter: PatternRewriter) -> bool | None:
    if reads_unlowered_accumulator(op):
        return None
    t = uop.buffer_element_type(op.buffer.type)
    _, index, value, *gate = operands(op)
    if t == i1:
        value = ll.ZExtOp(value, i8)
    new_ops = _with_producers(ll.StoreOp(value, _element_pointer(op.buffer, index, t)))
    if gate:
        new_ops = [*_with_producers(ll.IfBeginOp(gate[0])), *new_ops, ll.IfEndOp()]
    rewriter.replace(op, new_ops, [])
    return True


def _with_producers(op: Operation) -> list[Operation]:
    """`op` preceded by the new, detached ops that feed it (operands first)."""
    out: list[Operation] = []

    def visit(o: Operation) -> None:
        for v in o.operands:
            if isinstance(v.owner, Operation) and v.owner.parent is None and v.owner not in out:
                visit(v.owner)
        out.append(o)

    visit(op)
    return out


def lower_define_acc(op: uop.DefineAccOp, rewriter: PatternRewriter) -> SSAValue:
    slot = ll.AllocaOp(value_type(op.result.type))
    remember_uop_type(slot.result, op.result.type)
    init = const(uop.literal_value(op.value), op.result.type)
    rewriter.insert([slot, init, ll.StoreOp(init.result, slot.result)], InsertPoint.before(op))
    return slot.result


def lower_assign(op: uop.AssignOp) -> Operation | None:
    if isinstance(op.acc.owner, uop.DefineAccOp):
        return None
    return ll.StoreOp(read(op.value), op.acc)


def lower_range(op: uop.RangeOp) -> Operation:
    begin = ll.LoopBeginOp(op.start.value.data, op.end.value.data, i32)
    if "vectorize" in op.attributes:  # an upcast body for the SLP vectorizer (hints.py)
        begin.attributes["vectorize"] = op.attributes["vectorize"]
    return begin


def lower_endrange(op: uop.EndRangeOp) -> Operation:
    return ll.LoopEndOp(op.range)


def _special_order(op: uop.SpecialOp) -> tuple[int, int]:
    """Outermost first: global dims before local ones, higher dims before dim 0."""
    d = op.dim.data
    return (0 if d.startswith("gidx") else 1, -int(d[4:]))


def lower_specials(op: uop.SpecialOp, rewriter: PatternRewriter) -> bool:
    """All grid indices of the kernel at once: loops around the whole body, gidx0 innermost."""
    block = op.parent_block()
    assert block is not None
    specials = sorted((o for o in block.ops if isinstance(o, uop.SpecialOp)), key=_special_order)
    begins = []
    for special in specials:
        begin = ll.LoopBeginOp(0, special.size.value.data, i32)
        begin.attributes["dim"] = special.dim
        begins.append(begin)
    if begins:  # the outermost grid loop: the CPU device runs parts of it on several threads
        begins[0].attributes["parallel"] = UnitAttr()
    rewriter.insert(begins, InsertPoint.at_start(block))
    rewriter.insert([ll.LoopEndOp(b.iv) for b in reversed(begins)], InsertPoint.at_end(block))
    for special, begin in zip(specials, begins):
        rewriter.replace_all_uses_with(special.result, begin.iv)
        rewriter.erase(special)
    return True


def lower_kernel(op: uop.KernelOp) -> Operation | None:
    """Once the body is all llir: pointer parameters, a `ret`, and the grid from the gidx loops."""
    old = op.body.block
    if any(not ll.is_llir_op(o) for o in old.ops):
        return None
    # the body's block moves to the new kernel with pointer arguments in place of the buffers
    # (moving each op to a new block one by one cost as much as lowering a tenth of them)
    new, count = old, len(old.args)
    for i, old_arg in enumerate(list(old.args)):
        new_arg = new.insert_arg(ll.PtrType(storage_type(uop.buffer_element_type(old_arg.type))), count + i)
        new_arg.name_hint = old_arg.name_hint
        old_arg.replace_all_uses_with(new_arg)
    for old_arg in list(old.args[:count]):
        new.erase_arg(old_arg)
    new.add_op(ll.RetOp())
    grid = sorted((o for o in new.ops if isinstance(o, ll.LoopBeginOp) and "dim" in o.attributes
                   and o.attributes["dim"].data.startswith("gidx")),
                  key=lambda o: int(o.attributes["dim"].data[4:]))
    sizes = [o.upper.data for o in grid] or [1]
    body = Region()
    op.body.move_blocks(body)
    return ll.KernelOp(op.kernel_name.data, list(op.buffers), sizes, body)


# what `scalarize` lowers lane by lane (unless the target keeps them)
_VECTOR_ACCESSES = (uop.VLoadOp, uop.VStoreOp)


def _uop_kernels(root: Operation) -> list[uop.KernelOp]:
    """The `uop.kernel`s nested in `root`, found without walking into any kernel's body (kernels
    do not nest, and their bodies hold most of the ops)."""
    found: list[uop.KernelOp] = []
    for region in root.regions:
        for block in region.blocks:
            for inner in block.ops:
                if isinstance(inner, uop.KernelOp):
                    found.append(inner)
                elif not isinstance(inner, ll.KernelOp):
                    found.extend(_uop_kernels(inner))
    return found


@functools.cache
def host_has_fma() -> bool:
    """Whether this CPU has fused multiply-add instructions (else `llvm.fma` would be a libm call)."""
    import llvmlite.binding as llvm

    llvm.initialize_native_target()
    features = llvm.get_host_cpu_features()
    return bool(features.get("fma") or features.get("avx512f"))


class UopToLLVM(RulePass):
    """Lower `uop.kernel`s to `llir.kernel`s that loop over their grid (the CPU target)."""

    name: ClassVar[str] = "uop-to-llvm"
    summary: ClassVar[str] = "uop micro-ops to llir (LLVM IR); grid indices become loops"
    # one walk over each kernel (IN-ORDER, rewrite.py) rather than the greedy driver's worklist;
    # False is for the test that compares the two
    in_order: ClassVar[bool] = True

    def keeps_vector(self, op: Operation) -> bool:
        """Whether this lowering emits a uop.vload/vstore as one vector access (else lane by lane,
        which the CPU's SLP vectorizer merges again)."""
        return False

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        fuse = self.name == UopToLLVM.name and host_has_fma()
        kernels = _uop_kernels(op)
        for kernel in kernels:
            if any(type(o) in _VECTOR_ACCESSES for o in kernel.body.block.ops):  # else a walk for nothing
                scalarize(kernel, keep=self.keeps_vector)
            annotate(kernel, fuse)
            if self.name == UopToLLVM.name:  # the CPU: AVX/AVX-512 masked loads (GPUs would scalarize them)
                group_masked_loads(kernel)
        table = self.table()
        types = _UOP_TYPES.set(UopTypes())
        try:
            # Each op is lowered once, after what it reads (a kernel's body is in order), then the
            # kernel; an op whose rule waits (none should) leaves the rest to the greedy driver.
            waiting = not self.in_order
            for kernel in kernels if self.in_order else ():
                waiting |= bool(table.apply_in_order(kernel.body.block.ops))
                waiting |= bool(table.apply_in_order([kernel]))
            if waiting:
                table.apply(op, greedy=self.greedy, reverse=self.reverse)
        finally:
            _UOP_TYPES.reset(types)
        for left in _uop_kernels(op):  # an op no rule handles would otherwise leave its kernel in uop
            stuck = next((o for o in left.body.block.ops if not ll.is_llir_op(o)), left)
            emit_error(stuck, f"{self.name} cannot lower this op")

    def exp2_rule(self) -> Rule:
        """The CPU computes f32 exp2 inline (vectorizable); passes built on this one, for GPUs
        with a hardware exp2, keep the intrinsic."""
        if self.name == UopToLLVM.name:
            return rule(uop.Exp2Op, _lowering(lower_exp2), "exp2 -> inline f32 polynomial (vectorizes) | llvm.exp2 (f16)")
        return rule(uop.Exp2Op, _lowering(intrinsic("exp2")), "exp2 -> llvm.exp2")

    def rules(self) -> Sequence[Rule]:
        g = _lowering
        return [
            rule(uop.SpecialOp, lower_specials, "grid indices -> loops around the body, gidx0 innermost, the outermost parallel"),
            rule(uop.RangeOp, lower_range, "range -> loop_begin (vectorize = false: an upcast body for SLP)"),
            rule(uop.EndRangeOp, lower_endrange, "endrange -> loop_end"),
            rule(uop.DefineAccOp, lower_define_acc, "accumulator -> alloca + store of the initial value"),
            rule(uop.AssignOp, lower_assign, "assign -> store into the accumulator's alloca"),
            rule(uop.ConstOp, g(lower_const), "const -> constant (ui8 as i8 bits)"),
            rule(uop.LoadOp, g(lower_load), "load -> gep + load; gated: index 0 and select 0; i1: byte != 0"),
            rule(uop.StoreOp, lower_store, "store -> gep + store; gated: inside if; i1: zext to byte"),
            rule(uop.NegOp, g(lower_neg), "neg -> fneg | sub 0, x | xor true"),
            self.exp2_rule(),
            rule(uop.Log2Op, g(intrinsic("log2")), "log2 -> llvm.log2"),
            rule(uop.SinOp, g(intrinsic("sin")), "sin -> llvm.sin"),
            rule(uop.SqrtOp, g(intrinsic("sqrt")), "sqrt -> llvm.sqrt"),
            rule(uop.RecipOp, g(lower_recip), "recip -> fdiv 1.0, x"),
            rule(uop.AddOp, g(lower_add), "add -> fadd (reassoc into an accumulator) | add (nsw where proven) | or (i1)"),
            rule(uop.MulOp, g(lower_mul), "mul -> fmul (reassoc into an accumulator) | mul (nsw where proven) | and (i1)"),
            rule(uop.MaxOp, g(lower_max), "max -> llvm.maximum | select of icmp | or (i1)"),
            rule(uop.IdivOp, g(lower_idiv), "idiv -> sdiv | udiv that cannot trap; x/0 = 0"),
            rule(uop.ModOp, g(lower_mod), "mod -> srem | urem that cannot trap; x%0 = 0"),
            rule(uop.FmodOp, g(binary(ll.FRemOp)), "fmod -> frem (exact: C's fmod)"),
            rule(uop.AndOp, g(binary(ll.AndOp)), "and -> and"),
            rule(uop.OrOp, g(binary(ll.OrOp)), "or -> or"),
            rule(uop.XorOp, g(binary(ll.XorOp)), "xor -> xor"),
            rule(uop.ShlOp, g(lower_shl), "shl -> shl, 0 for an amount outside [0, width)"),
            rule(uop.ShrOp, g(lower_shr), "shr -> ashr (signed) | lshr (unsigned); sign fill for an amount outside [0, width)"),
            rule(uop.CmpltOp, g(lower_cmplt), "cmplt -> fcmp olt | icmp slt/ult"),
            rule(uop.CmpneOp, g(lower_cmpne), "cmpne -> fcmp une | icmp ne"),
            rule(uop.WhereOp, g(lower_where), "where -> select"),
            rule(uop.CastOp, g(lower_cast), "cast -> fpext/fptrunc/[su]itofp/fpto[su]i.sat/trunc/[sz]ext/!= 0"),
            rule(uop.BitcastOp, g(lower_bitcast), "bitcast -> bitcast"),
            rule(uop.KernelOp, lower_kernel, "kernel -> llir.kernel over pointers, once its body is lowered"),
        ]
