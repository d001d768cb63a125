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
"""

from __future__ import annotations

from xdsl.dialects.builtin import IntegerAttr, StringAttr, i32
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


def annotate(kernel: uop.KernelOp) -> None:
    """Attach the hints to the ops of one kernel (before it is lowered)."""
    memo: dict = {}  # flags change no value, so bounds stay valid for the whole walk
    for op in kernel.body.block.ops:
        if isinstance(op, (uop.AddOp, uop.MulOp)):
            mark_no_wrap(op, memo)
        elif isinstance(op, uop.RangeOp) and leave_to_slp(op):
            op.attributes["vectorize"] = IntegerAttr.from_bool(False)
