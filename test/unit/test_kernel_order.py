"""KERNEL-ORDER (tinyir/runtime/kernel_order.py): a program's kernels are launched in an order with a
lower memory peak where one exists; the values are those of the passes' order, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from tinyir import Tensor, nn
from tinyir.frontend import realize
from tinyir.nn import optim
from tinyir.runtime import executor, kernel_order
from tinyir.runtime.executor import Program, _Step

F32 = np.dtype(np.float32)


def _program(kernels: list[tuple[int, ...]], sizes: dict[int, int], outputs: list[int]) -> Program:
    """Arguments are slots 0 and 1; each kernel writes operand 0 (allocated just before it)."""
    program = Program("cpu", [((4,), F32), ((5,), F32)], [((sizes[s],), F32) for s in outputs])
    program.arg_slots, program.out_slots = [0, 1], outputs
    for operands in kernels:
        program.steps.append(_Step("alloc", operands[0], shape=(sizes[operands[0]],), dtype=F32))
        program.steps.append(_Step("kernel", operands=operands))
    program.same_element = [frozenset() for _ in kernels]
    return program


def _kernel_operands(program: Program) -> list[tuple[int, ...]]:
    return [s.operands for s in program.steps if s.kind == "kernel"]


def test_a_big_buffer_is_freed_before_another_is_made():
    # old order: big (2), mid (3) both live, then out 4 reads mid, out 5 reads big
    sizes = {2: 1000, 3: 1000, 4: 1, 5: 1}
    program = _program([(2, 0), (3, 1), (4, 3), (5, 2)], sizes, [4, 5])
    before = kernel_order.simulated_peak(program.steps, program.out_slots)
    assert kernel_order.reorder(program)
    order = _kernel_operands(program)
    assert sorted(order) == sorted([(2, 0), (3, 1), (4, 3), (5, 2)])
    assert order.index((2, 0)) < order.index((5, 2)) and order.index((3, 1)) < order.index((4, 3))  # still topological
    assert kernel_order.simulated_peak(program.steps, program.out_slots) < before
    for index, step in enumerate(program.steps):  # each kernel right after the alloc of what it writes
        if step.kind == "kernel":
            assert program.steps[index - 1].kind == "alloc" and program.steps[index - 1].result == step.operands[0]


def test_an_order_that_is_not_lower_is_kept():
    sizes = {2: 10, 3: 10}
    program = _program([(2, 0), (3, 2)], sizes, [3])
    steps = list(program.steps)
    assert not kernel_order.reorder(program)
    assert program.steps == steps


def test_a_possible_in_place_writer_stays_after_the_inputs_readers():
    # kernel (4, 0) may write over argument 0 (it reads it only at the element it writes): the
    # reader (2, 0) of argument 0 stays before it, even though running the writer first frees more
    sizes = {2: 1000, 3: 1, 4: 4}
    program = _program([(2, 0), (3, 2), (4, 0)], sizes, [3, 4])
    program.same_element = [frozenset(), frozenset(), frozenset({1})]
    kernel_order.reorder(program)
    order = _kernel_operands(program)
    assert order.index((2, 0)) < order.index((4, 0))


def test_kernels_writing_several_buffers_are_left_alone():
    sizes = {2: 1000, 3: 1000}
    program = _program([(2, 0), (2, 1), (3, 2)], sizes, [3])
    assert not kernel_order.reorder(program)


def _train(device: str) -> tuple[list[float], list[np.ndarray]]:
    rng = np.random.default_rng(0)
    l1, l2, l3 = nn.Linear(6, 32), nn.Linear(32, 32), nn.Linear(32, 3)  # activations bigger than weights
    for layer in (l1, l2, l3):
        layer.weight = Tensor(rng.normal(size=layer.weight.shape).astype(np.float32) * 0.5, device=device)
        layer.bias = Tensor(rng.normal(size=layer.bias.shape).astype(np.float32), device=device)
    params = nn.state.get_parameters([l1, l2, l3])
    opt = optim.AdamW(params, lr=0.01)
    x = Tensor(rng.normal(size=(256, 6)).astype(np.float32), device=device)
    y = Tensor(rng.integers(0, 3, size=(256,)).astype(np.int32), device=device)
    losses = []
    for _ in range(3):
        with Tensor.train():
            opt.zero_grad()
            loss = l3(l2(l1(x).relu()).relu()).sparse_categorical_crossentropy(y)
            loss.backward()
            opt.step()
        losses.append(loss.item())
    return losses, [p.numpy() for p in params]


@pytest.mark.parametrize("device", ["cpu", "opencl"])
def test_training_gives_the_same_values_in_either_order(device, monkeypatch, tmp_path):
    """Off, on, and on again from the disk cache (a saved plan keeps the order it was compiled in)."""
    reordered = []
    original = kernel_order.reorder
    monkeypatch.setattr(kernel_order, "reorder", lambda program: reordered.append(original(program)) or reordered[-1])
    results = []
    for enabled, cache in ((False, "off"), (True, "on"), (True, "on")):
        monkeypatch.setattr(kernel_order.SETTINGS, "enabled", enabled)
        monkeypatch.setenv("TINYIR_CACHE_DIR", str(tmp_path / cache))  # the order is chosen when compiling
        realize.clear_cache()
        executor._PROGRAM_CACHE.clear()
        results.append(_train(device))
    assert any(reordered)  # the step's program runs in another order
    for losses, params in results[1:]:
        assert losses == results[0][0]
        for got, want in zip(params, results[0][1]):
            np.testing.assert_array_equal(got, want)
