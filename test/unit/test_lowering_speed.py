"""The faster kernel lowering gives what the slower one gave: uop-to-llvm's walk in program order
(IN-ORDER) prints the same LLVM text as the greedy driver, llir ops built without the IRDL
builder (FAST-INIT) equal the builder's, and the rule driver's walk keeps its statistics and
hands back what a rule declined."""

from __future__ import annotations

from typing import ClassVar

import pytest
from corpus import corpus_files, load
from xdsl.dialects.builtin import IntAttr, StringAttr, f32, i1, i32
from xdsl.ir import Block, Operation
from xdsl.irdl import IRDLOperation, OperandDef, ResultDef

from tinyir.dialects import uop
from tinyir.ir import make_context, parse_module, to_text
from tinyir.rewrite import STATISTICS, RuleTable, rule
from tinyir.targets.llvm import dialect as ll
from tinyir.targets.llvm.emit import emit_module
from tinyir.targets.llvm.lower import UopToLLVM
from tinyir.tools.pipeline import build_pipeline


class _GreedyUopToLLVM(UopToLLVM):
    """The same lowering through the greedy driver's worklist (the way it ran before IN-ORDER)."""

    in_order: ClassVar[bool] = False


def _at_uop_level(path) -> object:
    """A corpus program run through the CPU pipeline up to (not including) uop-to-llvm."""
    passes = build_pipeline("lower-to-llvm")
    names = [p.name for p in passes]
    module = load(path).module()
    ctx = make_context()
    for p in passes[: names.index("uop-to-llvm")]:
        p.apply(ctx, module)
    return module


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.stem)
def test_in_order_lowering_prints_what_the_greedy_driver_printed(path) -> None:
    module = _at_uop_level(path)
    twin = parse_module(to_text(module))
    UopToLLVM().apply(make_context(), module)
    _GreedyUopToLLVM().apply(make_context(), twin)
    assert emit_module(module) == emit_module(twin)


def test_in_order_walk_counts_firings_and_returns_what_waited() -> None:
    """A rule that declines (returns None) leaves its op to the caller; the others fire once each
    and are counted in the table's and the process's statistics."""
    module = parse_module("""
func.func @f(%a: !st.buffer<4xi32>) {
  uop.kernel "k" (%a) : !st.buffer<4xi32> {
  ^bb0(%o: !st.buffer<4xi32>):
    %g = uop.special "gidx0" 4 : i32
    %c = uop.const 2 : i32
    %m = uop.mul %g, %c : i32
    uop.store %o[%g], %m : i32
  }
  func.return
}
""")
    kernel = next(op for op in module.walk() if isinstance(op, uop.KernelOp))
    table = RuleTable("test-in-order", [
        rule(uop.ConstOp, lambda op: ll.ConstantOp(op.value.value.data, op.result.type), "const -> llir"),
        rule(uop.MulOp, lambda op: None, "mul waits"),
    ])
    STATISTICS.pop("test-in-order", None)
    declined = table.apply_in_order(kernel.body.block.ops)
    assert [op.name for op in declined] == ["uop.mul"]
    assert table.stats == {"const -> llir": 1}
    assert STATISTICS["test-in-order"] == {"const -> llir": 1}
    assert any(isinstance(op, ll.ConstantOp) for op in kernel.body.block.ops)
    assert not any(isinstance(op, uop.ConstOp) for op in kernel.body.block.ops)


def _samples(cls: type[IRDLOperation], block: Block) -> dict[str, object]:
    """Arguments for one op of each FAST-INIT class, built from block arguments of fitting types."""
    x, y, flag, ptr = block.args
    if cls is ll.LoopBeginOp:
        return {"operands": [], "result_types": [i32], "properties": {"lower": IntAttr(0), "upper": IntAttr(4)}}
    if cls is ll.ConstantOp:
        return {"operands": [], "result_types": [f32], "properties": {"value": ll.ConstantOp(1.5, f32).value}}
    if cls is ll.AllocaOp:
        return {"operands": [], "result_types": [ll.PtrType(f32)], "properties": {}}
    if cls in (ll.FCmpOp, ll.ICmpOp):
        return {"operands": [x, y], "result_types": [i1], "properties": {"predicate": StringAttr("ne")}}
    if cls is ll.SelectOp:
        return {"operands": [flag, x, y], "result_types": [f32], "properties": {}}
    if cls is ll.GEPOp:
        return {"operands": [ptr, flag], "result_types": [ptr.type], "properties": {}}
    if cls is ll.LoadOp:
        return {"operands": [ptr], "result_types": [f32], "properties": {}}
    if cls is ll.StoreOp:
        return {"operands": [x, ptr], "result_types": [], "properties": {}}
    if cls in (ll.LoopEndOp, ll.IfBeginOp):
        return {"operands": [flag], "result_types": [], "properties": {}}
    definition = cls.get_irdl_definition()
    operands = [x, y][: len(definition.operands)]
    return {"operands": operands, "result_types": [f32], "properties": {}}


@pytest.mark.parametrize("cls", ll.FIXED_ARITY_OPS, ids=lambda c: c.name)
def test_fast_init_builds_what_the_irdl_builder_builds(cls: type[IRDLOperation]) -> None:
    definition = cls.get_irdl_definition()
    # only single operands and results: nothing for the IRDL builder to group or count
    assert all(type(d) is OperandDef for _, d in definition.operands)
    assert all(type(d) is ResultDef for _, d in definition.results)
    assert not definition.regions and not definition.successors and not definition.options
    block = Block(arg_types=[f32, f32, i1, ll.PtrType(f32)])
    args = _samples(cls, block)
    fast: Operation = cls.__new__(cls)
    ll.init_fixed(fast, args["operands"], args["result_types"], args["properties"])
    slow: Operation = cls.__new__(cls)
    IRDLOperation.__init__(slow, operands=args["operands"], result_types=args["result_types"],
                           properties=args["properties"])
    assert [v for v in fast.operands] == [v for v in slow.operands]
    assert [r.type for r in fast.results] == [r.type for r in slow.results]
    assert fast.properties == slow.properties and fast.attributes == slow.attributes


def test_uop_types_live_only_while_a_lowering_runs() -> None:
    """The uop types the lowering remembers are the state of one application (no module global
    that outlives it or is shared between threads)."""
    from tinyir.targets.llvm import lower

    module = _at_uop_level(corpus_files()[0])
    UopToLLVM().apply(make_context(), module)
    assert lower._UOP_TYPES.get() is None
    value = module.body.block.args[0] if module.body.block.args else None
    with pytest.raises(RuntimeError, match="no uop-to-llvm lowering is running"):
        lower.remember_uop_type(value, i32)


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.stem)
def test_in_order_ptx_lowering_prints_what_the_greedy_driver_printed(path, monkeypatch) -> None:
    """uop-to-ptx's walk in order (each kernel, then its body: IN-ORDER) gives the PTX text the
    greedy driver gave, on every corpus program (sm_90a, the Hopper default chain)."""
    from tinyir.registry import default_pipeline
    from tinyir.runtime.executor import run_passes
    from tinyir.targets.ptx.emit import emit_module as emit_ptx
    from tinyir.targets.ptx.lower import UopToPTX

    specs = default_pipeline("cuda", "uop-to-ptx", chip="sm_90a")
    at = next(i for i, s in enumerate(specs) if s.startswith("uop-to-ptx"))
    texts = []
    for in_order in (True, False):
        module = load(path).module()
        run_passes(module, specs[:at])
        monkeypatch.setattr(UopToPTX, "in_order", in_order)
        run_passes(module, specs[at:])
        texts.append(emit_ptx(module))
    assert texts[0] == texts[1]
