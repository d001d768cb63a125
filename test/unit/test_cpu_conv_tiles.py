"""The CPU heuristics' register tiles for ResNet-18's kinds of convolution, checked against torch.

tinyir/passes/kernel_heuristics.py: rows that 16 and 8 do not divide (14 or 7 wide) get the whole
row; a stride-2 convolution or downsample too (its loads of every other element are masked
loads), and 4 outputs by up to 32 channels where its row is wider than 64; a 7x7 window has its
outer axis unrolled; a 56-wide row gets 4 channels. Odd sizes, padding,
strides and channel counts the tile does not divide are compared with torch.nn.functional.conv2d.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def _full_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """These small shapes stand for ResNet-18's large ones: the small-kernel budget is off here."""
    from tinyir.passes import kernel_heuristics

    monkeypatch.setattr(kernel_heuristics, "CPU_SMALL_WORK", 0)


def test_a_small_conv_keeps_a_small_tile(monkeypatch: pytest.MonkeyPatch) -> None:
    """A conv of fewer than CPU_SMALL_WORK multiply-adds gets at most CPU_SMALL_COPIES body copies
    (its whole 14-wide row by 4 channels by its 3x3x3 window would be 1512), and is still right."""
    from tinyir.passes import kernel_heuristics

    monkeypatch.setattr(kernel_heuristics, "CPU_SMALL_WORK", 1 << 22)
    actions = check_conv((2, 3, 16, 16), (16, 3, 3, 3), seed=3)
    copies = 1
    for a in actions[0].split(","):
        kind, axis, amount = a.split(":")
        copies *= {"0": 3}.get(amount, int(amount)) if kind in ("upcast", "unroll") else 1
    assert copies <= kernel_heuristics.CPU_SMALL_COPIES, actions


def chosen_actions(x: np.ndarray, w: np.ndarray, **conv: int) -> list[str]:
    """The CPU pipeline's actions for the conv kernel(s) of `conv2d(x, w, **conv)`."""
    from tinyir import Tensor
    from tinyir.dialects import loop
    from tinyir.frontend.realize import build_function, collect
    from tinyir.registry import default_pipeline
    from tinyir.runtime.executor import run_passes

    out = Tensor(x, device="reference").conv2d(Tensor(w, device="reference"), **conv)
    module, _ = build_function(collect([out.lazydata], lambda node: node.realized is not None))
    specs = default_pipeline("cpu", "uop-to-llvm")
    run_passes(module, specs[: specs.index("loop-to-uop")])
    return [kernel.attributes["actions"].data for kernel in module.walk()
            if isinstance(kernel, loop.KernelOp) and "actions" in kernel.attributes]


def check_conv(x_shape: tuple[int, ...], w_shape: tuple[int, ...], seed: int, **conv: int) -> list[str]:
    """conv2d on the CPU equals torch's; returns the actions chosen."""
    from tinyir import Tensor

    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape).astype(np.float32)
    w = rng.standard_normal(w_shape).astype(np.float32)
    got = Tensor(x).conv2d(Tensor(w), **conv).numpy()
    want = torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(w), **conv).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
    return chosen_actions(x, w, **conv)


@pytest.mark.parametrize("size", [14, 7])
def test_narrow_rows_get_the_whole_row(size: int) -> None:
    """14- and 7-wide rows (16 and 8 do not divide them) are one tile row each, by 8 channels."""
    actions = check_conv((1, 6, size, size), (8, 6, 3, 3), seed=size, padding=1)
    assert any(f"upcast:2:{size}," in a and "upcast:0:8" in a and a.count("unroll") == 2 for a in actions), actions


def test_56_wide_row_gets_4_channels() -> None:
    actions = check_conv((1, 5, 3, 56), (8, 5, 3, 3), seed=1, padding=1)
    assert any("upcast:2:56,upcast:0:4," in a for a in actions), actions


@pytest.mark.parametrize("x_shape, w_shape, padding", [
    ((1, 8, 16, 16), (16, 8, 3, 3), 1),   # a stage's first 3x3 conv
    ((1, 5, 15, 13), (6, 5, 3, 3), 1),    # odd sizes (a 7-wide output row), channels the tile does not divide
    ((2, 8, 16, 16), (32, 8, 1, 1), 0),   # a 1x1 downsample
    ((1, 6, 9, 56), (8, 6, 3, 3), 1),     # a 28-wide output row
])
def test_stride_2_rows_are_masked_loads(x_shape: tuple[int, ...], w_shape: tuple[int, ...], padding: int) -> None:
    """A stride-2 conv's rows up to 64 wide are whole-row tiles as a stride-1 conv's, read by
    masked loads of every other element (no gathers)."""
    from tinyir.runtime import get_device

    before = set(get_device("cpu")._cache)
    actions = check_conv(x_shape, w_shape, seed=2, stride=2, padding=padding)
    out_w = (x_shape[3] + 2 * padding - w_shape[3]) // 2 + 1
    assert any(f"upcast:2:{out_w}," in a for a in actions), actions
    conv = [c.optimized_ir for key, c in get_device("cpu")._cache.items() if key not in before]
    assert any("masked.load" in t for t in conv) and not any("gather" in t for t in conv)


def test_7x7_stride_2_stem_unrolls_its_outer_window_axis() -> None:
    """A 7x7 stride-2 pad-3 conv of 3 channels over a row wider than 64 (ResNet's stem: 112): a
    4-wide tile by 16 channels with the window's row axis unrolled (its loads of other rows fold)."""
    actions = check_conv((1, 3, 16, 136), (16, 3, 7, 7), seed=3, stride=2, padding=3)
    assert any(a == "upcast:2:4,upcast:0:16,unroll:4:0" for a in actions), actions


def test_transposed_matmul_keeps_its_wide_tile() -> None:
    """A load that moves far along the output row (a transposed operand) is not a stride-2
    convolution's: a @ b.T keeps the 16-wide matmul tile."""
    from tinyir import Tensor
    from tinyir.dialects import loop
    from tinyir.frontend.realize import build_function, collect
    from tinyir.registry import default_pipeline
    from tinyir.runtime.executor import run_passes

    rng = np.random.default_rng(6)
    a = rng.standard_normal((32, 24)).astype(np.float32)
    b = rng.standard_normal((48, 24)).astype(np.float32)
    np.testing.assert_allclose((Tensor(a) @ Tensor(b).T).numpy(), a @ b.T, rtol=1e-4, atol=1e-4)
    out = Tensor(a, device="reference") @ Tensor(b, device="reference").T
    module, _ = build_function(collect([out.lazydata], lambda node: node.realized is not None))
    specs = default_pipeline("cpu", "uop-to-llvm")
    run_passes(module, specs[: specs.index("loop-to-uop")])
    actions = [k.attributes["actions"].data for k in module.walk()
               if isinstance(k, loop.KernelOp) and "actions" in k.attributes]
    assert any("upcast:1:16" in act for act in actions), actions


@pytest.mark.parametrize("x_shape, padding", [((2, 3, 16, 16), 0), ((8, 3, 32, 32), 0), ((2, 4, 12, 12), 1)])
def test_few_input_channels_stay_a_loop(x_shape: tuple[int, ...], padding: int) -> None:
    """CONV-CHANNELS: 3 or 4 input channels are not unrolled with the 3x3 window (axes 4 and 5 of the
    kernel, the channels axis 3): as many body copies again for a slower kernel; still right."""
    for actions in check_conv(x_shape, (16, x_shape[1], 3, 3), seed=5, padding=padding):
        unrolled = [a for a in actions.split(",") if a.startswith("unroll")]
        assert "unroll:3:0" not in unrolled and "unroll:5:0" in unrolled, actions
