"""Compile cost grows with the program, never with the data (issue 8, item 5).

A program of splat constants over 2^26 elements must compile exactly like the same program over 4
elements: the same ops at every level, the same (tiny) amount of dense data, hashes of the same
size. Asserted on IR contents and sizes, never on wall-clock time.
"""

from __future__ import annotations

import pytest
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, ModuleOp, TensorType, f32

from tinyir import Tensor
from tinyir.dialects import tensor as tir
from tinyir.frontend.realize import build_function, collect
from tinyir.ir import to_text
from tinyir.runtime.executor import get_target, pipeline_for, run_passes, structural_hash


def _module(n: int) -> ModuleOp:
    """`(ones(n) * 2).sum()` as the frontend builds it (graph only; nothing runs)."""
    out = (Tensor.ones(n, device="cpu") * 2).sum()
    module, _ = build_function(collect([out.lazydata], lambda node: node.realized is not None))
    return module


def _dense_bytes(module: ModuleOp) -> int:
    """Bytes of dense element data held anywhere in the module (properties and attributes)."""
    total = 0
    for op in module.walk():
        for attr in (*op.properties.values(), *op.attributes.values()):
            if isinstance(attr, DenseIntOrFPElementsAttr):
                total += len(attr.data.data)
    return total


def _op_names(module: ModuleOp) -> list[str]:
    return [op.name for op in module.walk()]


def _levels(n: int) -> list[ModuleOp]:
    """The program after each pass of the CPU pipeline."""
    module = _module(n)
    levels = [module.clone()]
    for name in pipeline_for(get_target("cpu")):
        run_passes(module, [name])
        levels.append(module.clone())
    return levels


def test_splat_is_one_value_whatever_the_shape() -> None:
    big = tir.ConstantOp.splat(1.0, TensorType(f32, [2**26]))
    assert len(big.value.data.data) == 4  # one f32
    assert big.is_splat() and big.splat_value() == 1.0
    assert len(to_text(big, generic=True)) < 200


def test_huge_constant_program_compiles_like_a_small_one() -> None:
    # 2^20 and 2^26 elements: the same kernels (a large reduce is split the same way), the same
    # ops at every level, the same few bytes of constant data
    mid, big = _levels(2**20), _levels(2**26)
    assert len(mid) == len(big)
    for level, (a, b) in enumerate(zip(mid, big)):
        assert _op_names(a) == _op_names(b), f"level {level}"
        assert _dense_bytes(b) == _dense_bytes(a) <= 8, f"level {level}"
        # the printed IR (what the structural hash reads) differs only in the sizes' digits
        assert abs(len(to_text(b, generic=True)) - len(to_text(a, generic=True))) < 100, f"level {level}"
    # against 4 elements: no more constant data, and a bounded number of ops (split-reduce and
    # kernel-optimize add a kernel and unrolled steps, never anything per element)
    small = _levels(4)
    for level, (a, b) in enumerate(zip(small, big)):
        assert _dense_bytes(b) == _dense_bytes(a), f"level {level}"
        assert len(_op_names(b)) < 200, f"level {level}"


def test_huge_constant_program_gives_the_right_number() -> None:
    assert (Tensor.ones(2**24, device="cpu") * 2).sum().item() == 2.0**25


def test_non_splat_constant_keeps_its_elements() -> None:
    op = tir.ConstantOp.from_list([1.0, 2.0, 3.0], TensorType(f32, [3]))
    assert not op.is_splat() and op.splat_value() is None
    assert op.values() == (1.0, 2.0, 3.0)
    splat = tir.ConstantOp.from_list([5], TensorType(tir.i32, [2, 2]))
    assert splat.values() == (5, 5, 5, 5)


def test_huge_tensor_builds_lazily_and_fails_clearly() -> None:
    z = Tensor.zeros(2**31, device="cpu")  # lazy: nothing is allocated
    assert z.shape == (2**31,)
    # INDEX64: 2^31 elements compile (64-bit indices: test_index64.py); more than the host holds is refused
    with pytest.raises(Exception, match=r"needs 4096\.0 GiB, more than this host's"):
        (Tensor.zeros(2**40, device="cpu") + 1).numpy()


def test_largest_32_bit_shape_still_compiles() -> None:
    # 2^31 - 1 elements is the limit; the program holds no data of that size (graph only)
    module, _ = build_function(collect([Tensor.zeros(2**31 - 1, device="cpu").sum().lazydata],
                                       lambda node: node.realized is not None))
    run_passes(module, ["tensor-decompose", "schedule-kernels", "fold-views"])
    assert _dense_bytes(module) <= 4
    assert any(op.name == "st.kernel" for op in module.walk())
