"""TYPE-TEXT: structural hashes remember each type's printed text across calls; hashes still tell
types apart, equal types hash alike, and the memory is bounded."""

from __future__ import annotations

from xdsl.dialects.builtin import TensorType, f16, f32, i32

from tinyir.dialects.shapetracker import BufferType
from tinyir.ir import parse_module
from tinyir.runtime import executor

KERNEL = """
func.func @f(%a: !st.buffer<{n}x{t}>) {{
  uop.kernel "k" (%a) : !st.buffer<{n}x{t}> {{
  ^bb0(%b: !st.buffer<{n}x{t}>):
    %g = uop.special "gidx0" {n} : i32
    %x = uop.load %b[%g] : {t}
    uop.store %b[%g], %x : {t}
  }}
  func.return
}}
"""


def test_hashes_tell_types_apart_with_the_texts_remembered() -> None:
    hashes = {}
    for _ in range(2):  # the second round reads the remembered texts
        for n in (4, 8):
            for t in ("f32", "f16", "i32"):
                h = executor.structural_hash(parse_module(KERNEL.format(n=n, t=t)))
                assert hashes.setdefault((n, t), h) == h
    assert len(set(hashes.values())) == len(hashes)


def test_type_texts_are_bounded(monkeypatch) -> None:
    monkeypatch.setattr(executor, "_TYPE_TEXTS_MAX", 8)
    monkeypatch.setattr(executor, "_TYPE_TEXTS", {})
    for n in range(1, 40):
        for t in (f32, f16, i32):
            assert executor._type_text(TensorType(t, [n])) == str(TensorType(t, [n]))
            assert executor._type_text(BufferType([n, 2], t)) == str(BufferType([n, 2], t))
            assert len(executor._TYPE_TEXTS) <= 8


def test_strings_and_integers_are_remembered_floats_are_not(monkeypatch) -> None:
    """ATTR-TEXT: string and integer attributes print alike when equal, so their texts are kept;
    a float is printed each time (0.0 and -0.0 are equal but print apart), so they still hash apart."""
    from xdsl.dialects.builtin import FloatAttr, IntegerAttr, StringAttr

    monkeypatch.setattr(executor, "_TYPE_TEXTS", {})
    for attr in (StringAttr("gidx0"), IntegerAttr(7, i32)):
        assert executor._type_text(attr) == str(attr) and attr in executor._TYPE_TEXTS
    for value in (0.0, -0.0):
        assert executor._type_text(FloatAttr(value, f32)) == str(FloatAttr(value, f32))
    assert not any(isinstance(a, FloatAttr) for a in executor._TYPE_TEXTS)
    const = 'func.func @f() {{\n  %c = arith.constant {v} : f32\n  func.return\n}}\n'
    hashes = {executor.structural_hash(parse_module(const.format(v=v))) for v in ("0.0", "-0.0")}
    assert len(hashes) == 2
