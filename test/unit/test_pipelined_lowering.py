"""PIPELINED-LOWERING (tinyir/runtime/pipelined_lowering.py): a big program's kernels are lowered a
group at a time, each group compiled while the next is lowered. The kernels, their texts and the
results must be what lowering the whole module at once gives."""

from __future__ import annotations

import numpy as np
import pytest

from tinyir import Tensor, nn
from tinyir.errors import TinyirError
from tinyir.frontend import realize
from tinyir.nn import optim
from tinyir.runtime import executor, pipelined_lowering


def _clear_caches() -> None:
    realize._PROGRAMS.clear()
    executor._PROGRAM_CACHE.clear()
    executor._KERNEL_CACHE.clear()
    executor._LOWERED.clear()


def _training_steps(steps: int = 3) -> tuple[list[float], list[np.ndarray], list[str]]:
    """A 3-layer MLP trained with AdamW (one program of about 40 kernels): losses, final weights,
    and the texts of the big program's kernels."""
    rng = np.random.default_rng(3)
    x = Tensor(rng.standard_normal((16, 24)).astype(np.float32))
    y = Tensor(rng.integers(0, 5, 16).astype(np.int32))
    layers = [nn.Linear(24, 32), nn.Linear(32, 32), nn.Linear(32, 5)]
    for i, layer in enumerate(layers):  # the same weights on every call
        init = np.random.default_rng(10 + i)
        layer.weight = Tensor(init.standard_normal(layer.weight.shape).astype(np.float32) * 0.2)
        layer.bias = Tensor(init.standard_normal(layer.bias.shape).astype(np.float32) * 0.1)
    params = [p for layer in layers for p in (layer.weight, layer.bias)]
    opt = optim.AdamW(params, lr=1e-2)
    losses = []
    with Tensor.train():
        for _ in range(steps):
            opt.zero_grad()
            h = x
            for layer in layers[:-1]:
                h = layer(h).gelu()
            loss = layers[-1](h).sparse_categorical_crossentropy(y)
            loss.backward()
            opt.step()
            losses.append(float(loss.numpy()))
    biggest = max(executor._PROGRAM_CACHE.values(), key=lambda p: len(p.kernels))
    return losses, [p.numpy() for p in params], [k.text for k in biggest.kernels]


def test_groups_give_the_kernels_and_results_of_one_whole_module_run(monkeypatch) -> None:
    calls = []
    lower = pipelined_lowering.lower_in_groups
    monkeypatch.setattr(pipelined_lowering, "lower_in_groups", lambda *a: calls.append(1) or lower(*a))
    monkeypatch.setattr(pipelined_lowering, "GROUP_KERNELS", 5)
    device = executor.get_device("cpu")
    compile_in_place, compiled = type(device).compile, []
    monkeypatch.setattr(device, "compile", lambda source, artifact=None: (artifact is None and compiled.append(source.text))
                        or compile_in_place(device, source, artifact))  # (with an artifact: a reload)
    _clear_caches()
    grouped = _training_steps()
    assert calls and len(grouped[2]) > 3 * 5  # grouped: several groups of 5
    big = [text for text in compiled if text in set(grouped[2])]
    assert big and len(big) == len(set(big))  # each text of the big program compiled once: its plan took
    # the compile started as its group was lowered (small programs of equal texts are separate plans)
    monkeypatch.setattr(pipelined_lowering, "GROUP_KERNELS", 10**6)  # one group: the whole module at once
    _clear_caches()
    whole = _training_steps()
    assert grouped[2] == whole[2]  # the same kernel texts, in the same order
    assert grouped[0] == whole[0]  # the same losses, bit for bit
    for a, b in zip(grouped[1], whole[1]):
        np.testing.assert_array_equal(a, b)
    assert whole[0][-1] < whole[0][0]


def test_a_failing_pass_leaves_every_kernel_in_its_module(monkeypatch) -> None:
    """A pass that fails in the third group: the error is the pass's, and the module holds every
    kernel (lowered or not) in its place, no placeholder left."""
    from tinyir.ir import parse_module
    from tinyir.registry import default_pipeline
    from tinyir.runtime.executor import run_passes
    from tinyir.runtime.lowered_cache import _host_blocks, _is_kernel

    lines = [f"  %r{i} = tir.mul %a, %c{i} : tensor<64xf32>" for i in range(9)]
    consts = [f"  %c{i} = tir.constant dense<{i + 2}.5> : tensor<64xf32>" for i in range(9)]
    outs = ", ".join(f"%r{i}" for i in range(9))
    types = ", ".join(["tensor<64xf32>"] * 9)
    module = parse_module("func.func @main(%a: tensor<64xf32>) -> (" + types + ") {\n" + "\n".join(consts + lines)
                          + f"\n  func.return {outs} : {types}\n}}")
    specs = default_pipeline("cpu", "uop-to-llvm")
    at = specs.index("shapetracker-to-loop")
    run_passes(module, specs[:at + 1])
    monkeypatch.setattr(pipelined_lowering, "GROUP_KERNELS", 3)
    runs, readied = [], []

    def run(part):
        runs.append(list(part))
        if len(runs) == 6:  # the third group's first part
            raise TinyirError("a test's failure")
        run_passes(module, part)

    tail = specs[at + 1:-1]
    with pytest.raises(TinyirError, match="a test's failure"):
        pipelined_lowering.lower_in_groups(module, tail, tail.index("uop-simplify") + 1, run, readied.append)
    assert [len(group) for group in readied] == [3, 3]
    ops = [op for block in _host_blocks(module) for op in block.ops]
    assert not any(op.name == "kernel_copy.launch" and pipelined_lowering.SET_ASIDE in str(op) for op in ops)
    kernels = [op for op in ops if _is_kernel(op)]
    assert len(kernels) == 9
    assert [k.name for k in kernels] == ["llir.kernel"] * 6 + ["loop.kernel"] * 3
