"""The faster compile-time helpers give what the slower ones gave: structural hashes that ignore
names and nothing else, the LLVM emitter's fresh names, and CSE's search for a twin among the
users of a kernel-wide value."""

from __future__ import annotations

import random

import numpy as np

from tinyir.dialects import uop
from tinyir.ir import make_context, parse_module, to_text
from tinyir.passes.uop_simplify import UopSimplify
from tinyir.runtime.executor import structural_hash
from tinyir.runtime.uop_interp import run_kernel
from tinyir.targets.llvm.emit import _FunctionPrinter

KERNEL = """
func.func @f(%{a}: !st.buffer<4xi32>) {{
  uop.kernel "k" (%{a}) : !st.buffer<4xi32> {{
  ^bb0(%{n}: !st.buffer<4xi32>):
    %{g} = uop.special "gidx0" 4 : i32
    %{c} = uop.const {k} : i32
    %{m} = uop.{op} {lhs}, {rhs} : i32
    uop.store %{n}[%{g}], %{m} : i32
  }}
  func.return
}}
"""


def _kernel(names: str = "a n g c m", k: int = 2, op: str = "idiv", swap: bool = False) -> str:
    a, n, g, c, m = names.split()
    lhs, rhs = (f"%{c}", f"%{g}") if swap else (f"%{g}", f"%{c}")
    return KERNEL.format(a=a, n=n, g=g, c=c, m=m, k=k, op=op, lhs=lhs, rhs=rhs)


def test_structural_hash_ignores_names_only() -> None:
    base = structural_hash(parse_module(_kernel()))
    assert structural_hash(parse_module(_kernel("x y z w v"))) == base
    assert structural_hash(parse_module(_kernel(k=3))) != base  # a constant
    assert structural_hash(parse_module(_kernel(op="mod"))) != base  # an op
    assert structural_hash(parse_module(_kernel(swap=True))) != base  # operand order
    assert structural_hash(parse_module(_kernel().replace('"k"', '"k2"'))) != base  # a property


def test_structural_hash_keeps_the_names() -> None:
    module = parse_module(_kernel())
    before = to_text(module)
    structural_hash(module)
    assert to_text(module) == before


def _fresh_by_counting(used: set[str], base: str) -> str:
    """The emitter's original rule: count up from 0 past every taken name."""
    name, n = base, 0
    while name in used:
        n += 1
        name = f"{base}{n}"
    used.add(name)
    return name


def test_fresh_names_match_counting_from_zero() -> None:
    rng = random.Random(0)
    hints = ["x", "x1", "x11", "v", "v2", "entry", "i", None, "a.b", "3d", "x2"]
    printer = _FunctionPrinter(kernel=None)  # type: ignore[arg-type]  # fresh() needs no kernel
    used = {"entry"}
    for _ in range(3000):
        hint = rng.choice(hints)
        got = printer.fresh(hint)
        base = hint if hint and "." not in hint and not hint[0].isdigit() else "v"
        assert got == _fresh_by_counting(used, base)


def _cse_kernel() -> str:
    # %g feeds every op; the twins also share %c, whose use list is the short one searched
    consts = "\n".join(f"    %k{i} = uop.const {i + 100} : i32" for i in range(40))
    adds = "\n".join(f"    %u{i} = uop.add %g, %k{i} : i32\n    uop.store %o[%g], %u{i} : i32" for i in range(40))
    return f"""
func.func @f(%a: !st.buffer<4xi32>, %b: !st.buffer<4xi32>, %d: !st.buffer<4xi32>, %e: !st.buffer<4xi32>) {{
  uop.kernel "k" (%a, %b, %d, %e) : !st.buffer<4xi32>, !st.buffer<4xi32>, !st.buffer<4xi32>, !st.buffer<4xi32> {{
  ^bb0(%o: !st.buffer<4xi32>, %p: !st.buffer<4xi32>, %q: !st.buffer<4xi32>, %r: !st.buffer<4xi32>):
    %g = uop.special "gidx0" 4 : i32
    %c = uop.const 3 : i32
{consts}
{adds}
    %t1 = uop.idiv %g, %c : i32
    uop.store %p[%g], %t1 : i32
    %t2 = uop.idiv %g, %c : i32
    uop.store %q[%g], %t2 : i32
    %t3 = uop.mod %c, %g : i32
    uop.store %r[%g], %t3 : i32
  }}
  func.return
}}
"""


def _run(module) -> list[np.ndarray]:
    kernel = next(op for op in module.walk() if isinstance(op, uop.KernelOp))
    buffers = [np.zeros(4, dtype=np.int32) for _ in range(4)]
    run_kernel(kernel, buffers)
    return buffers


def test_cse_finds_twins_among_users_of_a_widely_used_value() -> None:
    module = parse_module(_cse_kernel())
    UopSimplify().apply(make_context(), module)
    ops = [op.name for op in module.walk()]
    assert ops.count("uop.idiv") == 1  # %t2 is %t1
    assert ops.count("uop.mod") == 1  # %c mod %g is another op
    assert ops.count("uop.add") == 40  # each add has its own constant: nothing to merge
    g = np.arange(4, dtype=np.int32)
    out, p, q, r = _run(module)
    assert np.array_equal(out, g + 139) and np.array_equal(p, g // 3) and np.array_equal(q, g // 3)
    assert np.array_equal(r, np.where(g == 0, 0, 3 % np.maximum(g, 1)))  # x % 0 = 0 (the ALU table)
    assert all(np.array_equal(x, y) for x, y in zip(_run(parse_module(_cse_kernel())), (out, p, q, r)))


def _scoped_kernel() -> str:
    # twins inside a closed inner loop, in an open outer one, loads across stores in a closed loop
    # and in the open scope, and operand-less twins (constants) made by folding
    return """
func.func @f(%a: !st.buffer<64xi32>, %b: !st.buffer<64xi32>) {
  uop.kernel "k" (%a, %b) : !st.buffer<64xi32>, !st.buffer<64xi32> {
  ^bb0(%o: !st.buffer<64xi32>, %p: !st.buffer<64xi32>):
    %g = uop.special "gidx0" 4 : i32
    %c3 = uop.const 3 : i32
    %acc = uop.define_acc 0 : i32
    %x0 = uop.load %p[%g] : i32
    %i = uop.range 0, 4 : i32
    %i4 = uop.mul %i, %c3 : i32
    %x1 = uop.load %p[%g] : i32
    %j = uop.range 0, 2 : i32
    %j4 = uop.mul %i, %c3 : i32
    %x2 = uop.load %p[%i4] : i32
    uop.store %p[%j], %x2 : i32
    %one = uop.add %c3, %c3 : i32
    %s1 = uop.add %acc, %j4 : i32
    uop.assign %acc, %s1 : i32
    uop.endrange %j
    %j5 = uop.mul %i, %c3 : i32
    %x3 = uop.load %p[%i4] : i32
    %x4 = uop.load %p[%g] : i32
    %six = uop.add %c3, %c3 : i32
    %t = uop.add %j5, %x3 : i32
    %t2 = uop.add %t, %x4 : i32
    %t3 = uop.add %t2, %six : i32
    %s2 = uop.add %acc, %t3 : i32
    uop.assign %acc, %s2 : i32
    uop.store %o[%i4], %x1 : i32
    %x5 = uop.load %o[%i4] : i32
    %s3 = uop.add %acc, %x5 : i32
    uop.assign %acc, %s3 : i32
    uop.endrange %i
    %x6 = uop.load %p[%g] : i32
    %y = uop.add %x6, %x0 : i32
    %y2 = uop.add %y, %acc : i32
    uop.store %o[%g], %y2 : i32
  }
  func.return
}
"""


def test_cse_by_block_order_matches_the_backward_scan() -> None:
    """CSE-ORDER: uop-simplify's CSE finds a twin by the ops' numbers in the block; without the
    listener that keeps them (a table applied bare) it walks back from the op. Both give the same IR."""
    from pathlib import Path

    from tinyir.rewrite import RuleTable

    lit = Path(__file__).parents[1] / "lit" / "uop-simplify" / "cse-dce.mlir"
    for text in (_scoped_kernel(), _cse_kernel(), lit.read_text()):
        tracked, scanned = parse_module(text), parse_module(text)
        UopSimplify().apply(make_context(), tracked)
        RuleTable("uop-simplify", UopSimplify().rules()).apply(scanned)
        assert to_text(tracked) == to_text(scanned)


def test_cse_keeps_a_load_after_a_loop_that_stores_to_its_buffer() -> None:
    """A load is not merged with one before a loop that stored to its buffer (the loop has ended,
    its stores have not), nor with one before a loop around it that stores to its buffer (a later
    iteration reads what an earlier one stored): the kernel computes what it did before uop-simplify."""
    module = parse_module(_scoped_kernel())
    loads = sum(1 for op in module.walk() if isinstance(op, uop.LoadOp))
    UopSimplify().apply(make_context(), module)
    kernel = next(op for op in module.walk() if isinstance(op, uop.KernelOp))
    texts = [to_text(op) for op in kernel.body.block.ops]
    # x0; x1 (in loop i, whose inner loop j stores to %p: a later iteration reads what it stored);
    # x4 (after loop j); x6 (after loop i)
    assert sum(t.startswith("%x") and "uop.load %p[%g]" in t for t in texts) == 4
    assert loads > 3
    data = [np.zeros(64, dtype=np.int32), np.arange(64, dtype=np.int32) * 7 + 1]
    want = [a.copy() for a in data]
    run_kernel(kernel, data)
    run_kernel(next(op for op in parse_module(_scoped_kernel()).walk() if isinstance(op, uop.KernelOp)), want)
    assert all(np.array_equal(a, b) for a, b in zip(data, want))


def test_remembered_folds_keep_signed_zeros_and_types_apart() -> None:
    """uop-simplify evaluates each constant fold once per run: neg(0.0) and neg(-0.0), and the same
    numbers in i32 and f32, still fold to their own constants."""
    module = parse_module("""
func.func @f(%a: !st.buffer<4xf32>, %b: !st.buffer<4xi32>) {
  uop.kernel "k" (%a, %b) : !st.buffer<4xf32>, !st.buffer<4xi32> {
  ^bb0(%o: !st.buffer<4xf32>, %p: !st.buffer<4xi32>):
    %g = uop.special "gidx0" 4 : i32
    %z = uop.const 0.0 : f32
    %mz = uop.const -0.0 : f32
    %n1 = uop.neg %z : f32
    %n2 = uop.neg %mz : f32
    %i = uop.const 7 : i32
    %j = uop.const 2 : i32
    %d = uop.idiv %i, %j : i32
    %f7 = uop.const 7.0 : f32
    %f2 = uop.const 2.0 : f32
    %fd = uop.mul %f7, %f2 : f32
    %e = uop.mul %i, %j : i32
    %s = uop.add %n1, %fd : f32
    uop.store %o[%g], %n1 : f32
    uop.store %o[%g], %n2 : f32
    uop.store %o[%g], %s : f32
    uop.store %p[%g], %d : i32
    uop.store %p[%g], %e : i32
  }
  func.return
}
""")
    UopSimplify().apply(make_context(), module)
    stored = [to_text(op.value.owner) for op in module.walk() if isinstance(op, uop.StoreOp)]
    assert [s.split("= ")[1] for s in stored] == [
        "uop.const -0.0 : f32", "uop.const 0.0 : f32", "uop.const 14.0 : f32", "uop.const 3 : i32", "uop.const 14 : i32"]


def test_cse_by_block_order_matches_the_scan_on_a_lowered_conv() -> None:
    """CSE-ORDER on a real kernel: a padded conv lowered to uops (unrolled window: thousands of
    twins, folds and gated loads) simplifies to the same IR with and without the block order."""
    from tinyir import Tensor
    from tinyir.frontend.realize import build_function, collect
    from tinyir.registry import default_pipeline
    from tinyir.rewrite import RuleTable
    from tinyir.runtime.executor import run_passes

    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((2, 3, 8, 8)).astype(np.float32), device="reference")
    w = Tensor(rng.standard_normal((4, 3, 3, 3)).astype(np.float32), device="reference")
    module, _ = build_function(collect([x.conv2d(w, padding=1).lazydata], lambda node: node.realized is not None))
    specs = default_pipeline("cpu", "uop-to-llvm")
    run_passes(module, specs[: specs.index("uop-simplify")])
    text = to_text(module)
    tracked, scanned = parse_module(text), parse_module(text)
    UopSimplify().apply(make_context(), tracked)
    RuleTable("uop-simplify", UopSimplify().rules()).apply(scanned)
    assert to_text(tracked) == to_text(scanned)
    assert len(to_text(tracked)) < len(text)
