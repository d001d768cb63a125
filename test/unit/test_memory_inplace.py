"""In-place outputs (tinyir/frontend/inplace.py, tinyir/runtime/donation.py): a realize writes a new
value over an input buffer that nothing reads afterwards. Values must be exactly those of fresh
buffers (TINYIR_INPLACE=0), and nothing may read an overwritten buffer."""

from __future__ import annotations

import weakref

import numpy as np
import pytest

from tinyir import Tensor, nn
from tinyir.errors import TinyirError
from tinyir.frontend import inplace, lazy, realize
from tinyir.nn import optim
from tinyir.runtime.buffer import allocator_for
from tinyir.runtime.donation import module_same_element
from tinyir.runtime.executor import run_passes


def _devices() -> list[str]:
    names = ["cpu"]
    try:
        allocator_for("opencl")
        names.append("opencl")
    except TinyirError:  # pragma: no cover - pyopencl and PoCL are dependencies
        pass
    return names


OPTIMIZERS = {
    "SGD": lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, weight_decay=0.01),
    "Adam": lambda ps: optim.Adam(ps, lr=0.01),
    "AdamW": lambda ps: optim.AdamW(ps, lr=0.01, weight_decay=0.1),
}


def _train(make_opt, device: str, steps: int = 4) -> tuple[list[float], list[np.ndarray], list[bool]]:
    """Losses and final parameters of a small MLP; per step, whether the state kept its buffers."""
    rng = np.random.default_rng(0)
    l1, l2 = nn.Linear(6, 8), nn.Linear(8, 3)
    for layer in (l1, l2):
        layer.weight = Tensor(rng.normal(size=layer.weight.shape).astype(np.float32) * 0.5, device=device)
        layer.bias = Tensor(rng.normal(size=layer.bias.shape).astype(np.float32), device=device)
    params = nn.state.get_parameters([l1, l2])
    opt = make_opt(params)
    state = [t for t in (*params, *getattr(opt, "b", []), *getattr(opt, "m", []), *getattr(opt, "v", []))]
    x = Tensor(rng.normal(size=(5, 6)).astype(np.float32), device=device)
    y = Tensor(rng.integers(0, 3, size=(5,)).astype(np.int32), device=device)
    losses, kept = [], []
    for _ in range(steps):
        before = {id(t.lazydata.realized) for t in state}
        with Tensor.train():
            opt.zero_grad()
            loss = l2(l1(x).relu()).sparse_categorical_crossentropy(y)
            loss.backward()
            opt.step()
        kept.append({id(t.lazydata.realized) for t in state} == before)
        losses.append(loss.item())  # realized after the step: reads the parameters before it
    return losses, [p.numpy() for p in params], kept


@pytest.mark.parametrize("device", _devices())
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_training_loops_give_the_same_values_in_place(name, device, monkeypatch):
    monkeypatch.setattr(inplace.SETTINGS, "enabled", False)
    fresh_losses, fresh_params, fresh_kept = _train(OPTIMIZERS[name], device)
    monkeypatch.setattr(inplace.SETTINGS, "enabled", True)
    losses, params, kept = _train(OPTIMIZERS[name], device)
    assert losses == fresh_losses
    for got, want in zip(params, fresh_params):
        np.testing.assert_array_equal(got, want)
    assert not any(fresh_kept)
    assert all(kept[1:])  # from the second step on (the first also creates the state) no new buffers


@pytest.mark.parametrize("device", _devices())
def test_gradients_read_after_the_step_are_those_of_the_old_parameters(device):
    w_np = np.arange(6, dtype=np.float32).reshape(2, 3)
    w = Tensor(w_np.copy(), device=device, requires_grad=True)
    opt = optim.SGD([w], lr=0.5)
    loss = (w * w).sum()
    loss.backward()
    opt.step()
    np.testing.assert_array_equal(w.numpy(), w_np - 0.5 * 2 * w_np)
    np.testing.assert_array_equal(w.grad.numpy(), 2 * w_np)
    assert loss.item() == float((w_np * w_np).sum())


ALIASING = {
    "transpose": (lambda x: x.T + 1, lambda a: a.T + 1),
    "flip": (lambda x: x[::-1], lambda a: a[::-1]),
    "reduce then broadcast": (lambda x: x - x.sum(1, keepdim=True), lambda a: a - a.sum(1, keepdims=True)),
    "shifted": (lambda x: x.pad(((1, 0), (0, 0)))[:4], lambda a: np.pad(a, ((1, 0), (0, 0)))[:4]),
    "elementwise": (lambda x: (x * 0.5 - 1).exp2(), lambda a: np.exp2(a * 0.5 - 1)),
}


@pytest.mark.parametrize("device", _devices())
@pytest.mark.parametrize("case", list(ALIASING))
def test_assigns_that_read_other_elements_are_right(case, device):
    make, want = ALIASING[case]
    a = np.arange(16, dtype=np.float32).reshape(4, 4) / 8
    x = Tensor(a.copy(), device=device)
    for _ in range(3):
        x.assign(make(x)).realize()
        a = want(a)
    np.testing.assert_allclose(x.numpy(), a, rtol=1e-6)


@pytest.mark.parametrize("device", _devices())
def test_an_old_value_still_read_elsewhere_is_kept(device):
    a = np.arange(8, dtype=np.float32)
    x = Tensor(a.copy(), device=device)
    doubled = x * 2  # lazy: reads the old value
    detached = x.detach()  # shares the old buffer
    x.assign(x + 1).realize()
    np.testing.assert_array_equal(x.numpy(), a + 1)
    np.testing.assert_array_equal(doubled.numpy(), a * 2)
    np.testing.assert_array_equal(detached.numpy(), a)


@pytest.mark.parametrize("device", _devices())
def test_an_old_value_read_by_a_lazy_tensor_through_the_program_is_computed_with_it(device):
    a = np.arange(8, dtype=np.float32)
    x = Tensor(a.copy(), device=device)
    shared = x * 3  # inside the program below, and held here
    x.assign(shared + x).realize()
    np.testing.assert_array_equal(x.numpy(), a * 4)
    np.testing.assert_array_equal(shared.numpy(), a * 3)
    np.testing.assert_array_equal((shared + 1).numpy(), a * 3 + 1)


def test_a_dead_buffer_is_written_in_place_and_a_live_one_is_not():
    x = Tensor(np.ones(1000, np.float32))
    buffer = weakref.ref(x.lazydata.realized)
    x.assign(x * 2 + 1).realize()
    assert x.lazydata.realized is buffer()  # nothing else held the old value
    keep = x.detach()
    x.assign(x * 2 + 1).realize()
    assert x.lazydata.realized is not buffer() and keep.lazydata.realized is buffer()
    np.testing.assert_array_equal(keep.numpy(), np.full(1000, 3, np.float32))
    np.testing.assert_array_equal(x.numpy(), np.full(1000, 7, np.float32))


def test_a_numpy_view_of_the_old_buffer_keeps_it():
    x = Tensor(np.ones(16, np.float32))
    view = x.lazydata.realized.numpy(copy=False)  # the host device hands over its memory
    x.assign(x + 1).realize()
    np.testing.assert_array_equal(view, np.ones(16, np.float32))


def test_turned_off_nothing_is_written_in_place(monkeypatch):
    monkeypatch.setattr(inplace.SETTINGS, "enabled", False)
    x = Tensor(np.ones(8, np.float32))
    buffer = x.lazydata.realized
    x.assign(x + 1).realize()
    assert x.lazydata.realized is not buffer


def test_a_kept_history_through_an_overwritten_value_is_a_clear_error():
    x = Tensor(np.full(4, 3.0, np.float32), requires_grad=True)
    w = Tensor(np.full(4, 2.0, np.float32), requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    (w.grad,) = (x * w * w).sum().gradient(w)  # no x.grad: nothing outside the step reads the old w
    opt.step()  # realizes w.grad = 2 x w with it, keeping its history, which reads the old w
    np.testing.assert_array_equal(w.grad.numpy(), np.full(4, 12.0, np.float32))
    np.testing.assert_allclose(w.numpy(), np.full(4, 0.8, np.float32), rtol=1e-6)
    with pytest.raises(TinyirError, match="overwritten in place"):
        w.grad.sum().gradient(x)[0].numpy()  # 2 w at the old w, which is gone


def _kernel_facts(build) -> list[frozenset[int]]:
    x = Tensor(np.ones((4, 4), np.float32))
    y = Tensor(np.ones((4, 4), np.float32))
    out = build(x, y)
    graph = realize.collect([out.lazydata])
    module, _ = realize.build_function(graph)
    run_passes(module, ["tensor-decompose", "split-reduce", "schedule-kernels", "fold-views"])
    return [facts for _, facts in module_same_element(module)]


def test_inputs_read_only_at_the_written_element_are_found():
    assert _kernel_facts(lambda x, y: x * 2 + y) == [frozenset({1, 2})]
    assert _kernel_facts(lambda x, y: x.T + y) == [frozenset({2})]  # x is read transposed
    assert _kernel_facts(lambda x, y: x[::-1] * y) == [frozenset({2})]
    assert _kernel_facts(lambda x, y: x + x.T) == [frozenset()]  # one of x's loads is another element
    assert _kernel_facts(lambda x, y: (x * y).sum(1, keepdim=True) + y[:, :1]) == [frozenset()]  # under a reduce


@pytest.mark.parametrize("device", _devices())
@pytest.mark.parametrize("order", ["sum first", "assign first"])
def test_another_output_of_the_program_reads_the_old_value(order, device):
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    x = Tensor(a.copy(), device=device)
    total = x.sum(1, keepdim=True) + x[:, ::-1]  # another kernel of the same program reads the old x
    x.assign(x * 2 + 1)
    Tensor.realize(*((total, x) if order == "sum first" else (x, total)))
    np.testing.assert_array_equal(x.numpy(), a * 2 + 1)
    np.testing.assert_array_equal(total.numpy(), a.sum(1, keepdims=True) + a[:, ::-1])


def test_a_reader_bigger_than_the_saving_is_not_realized_for_it():
    a, w_np = np.arange(64, dtype=np.float32), np.linspace(0, 1, 64, dtype=np.float32)
    x, w = Tensor(a.copy()), Tensor(w_np)
    buffer = weakref.ref(x.lazydata.realized)
    outer = x.reshape(64, 1) * w.reshape(1, 64)  # 64x64, fused into the sum below; held here
    x.assign(x + outer.sum(1)).realize()
    assert outer.lazydata.realized is None  # not computed for the assign's sake
    assert x.lazydata.realized is not buffer()  # so the old x stays: `outer` reads it
    np.testing.assert_allclose(x.numpy(), a + (a[:, None] * w_np[None, :]).sum(1), rtol=1e-5)
    np.testing.assert_allclose(outer.numpy(), a[:, None] * w_np[None, :], rtol=1e-6)


@pytest.mark.parametrize("device", _devices())
def test_two_tensors_sharing_a_buffer_both_assigned_in_one_program(device):
    a = np.arange(16, dtype=np.float32).reshape(4, 4)
    x = Tensor(a.copy(), device=device)
    y = x.detach()  # the same buffer under another node
    x.assign(x + y.T)
    y.assign(y * 2 - x)  # reads the new x (lazy) and the old buffer
    Tensor.realize(x, y)
    new_x = a + a.T
    np.testing.assert_array_equal(x.numpy(), new_x)
    np.testing.assert_array_equal(y.numpy(), a * 2 - new_x)


@pytest.mark.parametrize("device", _devices())
def test_chained_assigns_before_one_realize(device):
    a = np.arange(6, dtype=np.float32)
    x = Tensor(a.copy(), device=device)
    x.assign(x + 1)
    x.assign(x * 2)
    x.assign(x[::-1] - x)
    x.realize()
    b = (a + 1) * 2
    np.testing.assert_array_equal(x.numpy(), b[::-1] - b)


def test_a_loss_realized_before_its_backward_keeps_its_inputs():
    """A realize whose root keeps its graph for autodiff writes nothing in place: the backward still
    reads the inputs (here a temporary target tensor that nothing else holds)."""
    import torch

    x = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], np.float32)
    y = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.25]], np.float32)
    tx = Tensor(x, requires_grad=True)
    loss = tx.binary_crossentropy_logits(Tensor(y), reduction="none", pos_weight=2.0)
    loss.realize()
    (grad,) = loss.sum().gradient(tx)
    px = torch.tensor(x, requires_grad=True)
    torch.nn.functional.binary_cross_entropy_with_logits(px, torch.tensor(y), reduction="none",
                                                         pos_weight=torch.tensor(2.0)).sum().backward()
    np.testing.assert_allclose(grad.numpy(), px.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_values_realized_for_a_step_drop_graphs_that_read_overwritten_values():
    """RETIRED-GRAPH: the gradients `p.grad` holds and the logits a loss reads after the step are
    computed by the step; their graphs read the parameters it overwrote, so they are dropped: nothing
    of the step's graph (the logits) stays alive through `p.grad` once the loss is read."""
    rng = np.random.default_rng(1)
    l1, l2 = nn.Linear(6, 8), nn.Linear(8, 3)
    opt = optim.Adam(nn.state.get_parameters([l1, l2]), lr=0.01)
    x = Tensor(rng.normal(size=(5, 6)).astype(np.float32))
    y = Tensor(rng.integers(0, 3, size=(5,)).astype(np.int32))
    for _ in range(2):
        with Tensor.train():
            opt.zero_grad()
            loss = l2(l1(x).relu()).sparse_categorical_crossentropy(y)
            loss.backward()
            opt.step()
        loss.item()
    for p in nn.state.get_parameters([l1, l2]):
        held = [n for n in lazy.toposort([p.grad.lazydata]) if n.realized is not None]
        assert len(held) == 1  # the gradient's own buffer, nothing else
    # differentiating through such a value: test_a_kept_history_through_an_overwritten_value_is_a_clear_error


@pytest.mark.parametrize("device", _devices())
def test_a_loss_read_after_the_step_is_computed_by_the_step(device):
    """READERS-FRONTIER: the loss, read after the step, reads the logits, which read the old weights:
    the step computes the loss itself (4 bytes), not the logits for it, and its value is the one
    before the step."""
    rng = np.random.default_rng(2)
    w_np = rng.normal(size=(6, 3)).astype(np.float32)
    x_np = rng.normal(size=(5, 6)).astype(np.float32)
    w = Tensor(w_np.copy(), device=device, requires_grad=True)
    x = Tensor(x_np, device=device)
    opt = optim.SGD([w], lr=0.1)
    logits = x @ w
    loss = logits.square().mean()
    loss.backward()
    del logits  # only the loss holds the logits now
    opt.step()
    assert loss.lazydata.realized is not None  # computed with the step
    np.testing.assert_allclose(loss.item(), float(((x_np @ w_np) ** 2).mean()), rtol=1e-6)
    want = w_np - 0.1 * (2 / 15) * x_np.T @ (x_np @ w_np)
    np.testing.assert_allclose(w.numpy(), want, rtol=1e-5, atol=1e-6)


def test_a_reader_held_with_a_bigger_value_keeps_the_smaller_extra():
    """READERS-FRONTIER: when what the readers outside hold is bigger than the node they read, that node
    is realized for them, as before."""
    rng = np.random.default_rng(3)
    w_np = rng.normal(size=(6, 3)).astype(np.float32)
    x_np = rng.normal(size=(5, 6)).astype(np.float32)
    w = Tensor(w_np.copy(), requires_grad=True)
    x = Tensor(x_np)
    opt = optim.SGD([w], lr=0.1)
    logits = x @ w
    loss = logits.square().mean()
    loss.backward()
    wide = (logits.square().mean() + logits.reshape(5, 3, 1).expand(5, 3, 40)).detach()  # bigger than the logits
    opt.step()
    assert loss.lazydata.realized is None
    np.testing.assert_allclose(loss.item(), float(((x_np @ w_np) ** 2).mean()), rtol=1e-6)
    np.testing.assert_allclose(wide.numpy()[:, :, 0], ((x_np @ w_np) ** 2).mean() + x_np @ w_np, rtol=1e-5)
