"""EMIT-DISPATCH (tinyir/targets/llvm/emit.py): the LLVM printer tells ops apart by a table of
classes remembered per op class; every llir op class the printer handles gets its own kind, and no
entry of the table hides a later one."""

from __future__ import annotations

import pytest

from tinyir.targets.llvm import dialect as ll
from tinyir.targets.llvm.emit import _KINDS, _kind


def test_no_entry_hides_a_later_one() -> None:
    for i, (_, earlier) in enumerate(_KINDS):
        for name, later in _KINDS[i + 1:]:
            assert not issubclass(later, earlier), f"{later.__name__} ({name}) is caught by {earlier.__name__} first"


@pytest.mark.parametrize(("cls", "kind"), [
    (ll.AddOp, "binary"), (ll.FDivOp, "binary"), (ll.LShrOp, "binary"), (ll.ICmpOp, "cmp"), (ll.FCmpOp, "cmp"),
    (ll.SExtOp, "cast"), (ll.BitcastOp, "cast"), (ll.FNegOp, "fneg"), (ll.SelectOp, "select"), (ll.GEPOp, "gep"),
    (ll.LoadOp, "load"), (ll.StoreOp, "store"), (ll.VLoadOp, "vload"), (ll.VStoreOp, "vstore"),
    (ll.MaskedVLoadOp, "masked_vload"), (ll.AllocaOp, "alloca"), (ll.CallOp, "call"), (ll.VectorCallOp, "vector_call"),
    (ll.FenceOp, "fence"), (ll.ConstantOp, "constant"), (ll.GlobalArrayOp, "global_array"),
    (ll.LoopBeginOp, "loop_begin"), (ll.LoopEndOp, "loop_end"), (ll.IfBeginOp, "if_begin"), (ll.IfEndOp, "if_end"),
    (ll.RetOp, "ret"), (ll.KernelOp, "other"),
])
def test_each_op_class_has_its_kind(cls: type, kind: str) -> None:
    op = object.__new__(cls)  # the kind reads the class only
    assert _kind(op) == kind


def test_is_llir_op_answers_as_isinstance() -> None:
    """LLIR-TEST: the class-set test gives isinstance's answer, for llir ops, others and subclasses."""
    from tinyir.dialects import uop

    class Derived(ll.AddOp):  # not an llir op class itself: found by the isinstance fallback
        pass

    for cls in (*ll.LLIR_OPS, uop.AddOp, uop.KernelOp, Derived):
        op = object.__new__(cls)
        assert ll.is_llir_op(op) == isinstance(op, ll.LLIR_OPS), cls.__name__
