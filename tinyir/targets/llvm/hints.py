"""What `uop-to-llvm` proves about a uop kernel before lowering it, for LLVM's optimizer.

Both facts are attached to the uop ops as attributes that the lowering rules copy onto the llir
ops they make (the uop operands are gone by the time a rule runs, so the facts are read first):

* `overflow = "nsw"` (or `"nuw nsw"`) on an i32 `uop.add`/`uop.mul` whose operands have known
  bounds (tinyir/passes/symbolic.py) and whose result cannot wrap. It changes no value, it only
  states what is true, so that LLVM sees that `p[i + 1]` follows `p[i]` after the i32 index is
  sign-extended for the address. Math on loaded values keeps its plain wrap-around instructions.
* `vectorize = false` on an innermost `uop.range` that updates several accumulators and whose
  loads mostly stride along it: that is an upcast body (register tile) whose copies read
  consecutive elements, e.g. `B[k*N + j*16 + 0..15]` in a loop over k. Vectorizing the loop would
  gather along k; left alone, LLVM's SLP vectorizer packs the copies into vector loads and FMAs.
* `fma` on a float add of an accumulator's update chain (`acc + x0*w0 + x1*w1 + ...`, an unrolled
  window summed into a register tile) whose other operand is a product used only there: it is
  lowered to `llvm.fma` (one rounding instead of two, as PyTorch's kernels compute; the reduction's
  order is free already). An explicit intrinsic rather than `contract` flags, so that every path
  LLVM makes of a loop (vector body, scalar remainder) fuses alike and a kernel's result does not
  depend on how its grid is split over threads. Elementwise math outside a reduction keeps its
  exact IEEE meaning.
"""

from __future__ import annotations

from xdsl.dialects.builtin import IntegerAttr, StringAttr, UnitAttr, f16, f32, f64, i32
from xdsl.ir import Operation, SSAValue

from tinyir.dialects import uop
from tinyir.passes.symbolic import bounds, linear_terms


def mark_no_wrap(op: uop.AddOp | uop.MulOp, memo: dict | None = None) -> None:
    """`overflow` flags on an i32 add/mul when bounds prove it never wraps (`memo`: see `bounds`)."""
    if op.result.type != i32 or bounds(op.result, memo=memo) is None:
        return
    lhs, rhs = bounds(op.lhs, memo=memo), bounds(op.rhs, memo=memo)
    unsigned = lhs is not None and rhs is not None and lhs[0] >= 0 and rhs[0] >= 0
    op.attributes["overflow"] = StringAttr("nuw nsw" if unsigned else "nsw")


def _depends_on(v: SSAValue, loop: SSAValue, seen: set[int]) -> bool:
    if v is loop:
        return True
    owner = v.owner
    if not isinstance(owner, Operation) or id(owner) in seen or isinstance(owner, uop.LoadOp):
        return False  # a loaded value is data, not index math of this loop
    seen.add(id(owner))
    return any(_depends_on(o, loop, seen) for o in owner.operands)


def _stride(index: SSAValue, loop: SSAValue) -> int | None:
    """The step of `index` per iteration of `loop` (0: invariant), None when not linear in it."""
    terms, _ = linear_terms(index)
    step = 0
    for base, coef in terms:
        if base is loop:
            step += coef
        elif _depends_on(base, loop, set()):
            return None
    return step


def leave_to_slp(begin: uop.RangeOp) -> bool:
    """Whether an innermost loop should not be vectorized (see the module docstring)."""
    contiguous = strided = 0
    accumulators: set[SSAValue] = set()
    op = begin.next_op
    while op is not None and not (isinstance(op, uop.EndRangeOp) and op.range is begin.result):
        if isinstance(op, uop.RangeOp):
            return False  # not innermost: LLVM vectorizes innermost loops only
        if isinstance(op, uop.AssignOp):
            accumulators.add(op.acc)
        elif isinstance(op, (uop.LoadOp, uop.StoreOp)):
            step = _stride(op.index, begin.result)
            if step == 1:
                contiguous += 1
            elif step != 0:
                strided += 1
        op = op.next_op
    return len(accumulators) >= 2 and strided > contiguous


def _float_add(v: SSAValue) -> uop.AddOp | None:
    owner = v.owner
    return owner if isinstance(owner, uop.AddOp) and owner.result.type in (f16, f32, f64) else None


def mark_fused(assign: uop.AssignOp, slp_loop: bool) -> None:
    """`fma` on the adds of the chain that computes an accumulator's new value from its old one
    whose other operand is a single-use float product (see the module docstring). The add that
    reads the accumulator itself is fused only in a loop left to SLP (`slp_loop`): elsewhere LLVM's
    loop vectorizer needs it as a plain `reassoc` add to vectorize the reduction."""
    add, chain = _float_add(assign.value), []
    while add is not None and add not in chain:
        chain.append(add)
        if assign.acc in (add.lhs, add.rhs):
            break
        add = next((a for a in map(_float_add, (add.lhs, add.rhs)) if a is not None and a.result.has_one_use()),
                   None)
    else:
        return  # the chain does not reach the accumulator: not an update chain
    for add in chain:
        if assign.acc in (add.lhs, add.rhs) and not slp_loop:
            continue
        if any(isinstance(v.owner, uop.MulOp) and v.has_one_use() for v in (add.lhs, add.rhs)):
            add.attributes["fma"] = UnitAttr()


def annotate(kernel: uop.KernelOp, fuse: bool = False) -> None:
    """Attach the hints to the ops of one kernel (before it is lowered); `fuse`: mark FMAs (a
    target with FMA instructions)."""
    memo: dict = {}  # flags change no value, so bounds stay valid for the whole walk
    loops: list[uop.RangeOp] = []
    for op in kernel.body.block.ops:
        if isinstance(op, (uop.AddOp, uop.MulOp)):
            mark_no_wrap(op, memo)
        elif isinstance(op, uop.AssignOp) and fuse:
            mark_fused(op, bool(loops) and "vectorize" in loops[-1].attributes)
        elif isinstance(op, uop.RangeOp):
            loops.append(op)
            if leave_to_slp(op):
                op.attributes["vectorize"] = IntegerAttr.from_bool(False)
        elif isinstance(op, uop.EndRangeOp) and loops:
            loops.pop()
