"""Tensor API behaviour beyond op values: creation, dtypes and promotion, random numbers, errors at
the call, the program cache, and the autograd surface (backward, grad, gradient, detach)."""

from __future__ import annotations

import numpy as np
import pytest
from test_tensor_helpers import check, tensor_test_device  # noqa: F401 - an autouse fixture

from tinyir import Tensor, dtypes, nn
from tinyir.frontend import autograd, realize
from tinyir.nn import optim
from tinyir.nn.state import get_parameters
from tinyir.runtime import executor


def test_creation():
    assert Tensor.zeros(2, 3).tolist() == [[0.0] * 3] * 2
    assert Tensor.ones((2,)).dtype == dtypes.float32
    assert Tensor.full((2, 2), 7).tolist() == [[7, 7], [7, 7]]
    assert Tensor.full((2,), 7).dtype == dtypes.int32
    assert Tensor.arange(5).tolist() == [0, 1, 2, 3, 4]
    assert Tensor.arange(1, 2, 0.25).tolist() == [1.0, 1.25, 1.5, 1.75]
    assert Tensor.arange(5, 0, -2).tolist() == [5, 3, 1]
    np.testing.assert_allclose(Tensor.linspace(0, 1, 5).numpy(), np.linspace(0, 1, 5), atol=1e-6)
    np.testing.assert_array_equal(Tensor.eye(2, 3).numpy(), np.eye(2, 3))
    x = Tensor([[1, 2], [3, 4]])
    assert x.zeros_like().tolist() == [[0, 0], [0, 0]] and x.ones_like().dtype == dtypes.int32
    assert x.full_like(9.5, dtype=dtypes.float32).tolist() == [[9.5, 9.5], [9.5, 9.5]]
    assert Tensor(3.5).item() == 3.5 and Tensor(3.5).shape == ()
    assert Tensor(np.arange(6, dtype=np.int64).reshape(2, 3)).dtype == dtypes.int64  # DTYPES: kept, as PyTorch
    assert Tensor([]).shape == (0,) and Tensor([]).numpy().shape == (0,)
    assert Tensor.zeros(2, 0).numpy().shape == (2, 0)


def test_dtypes_and_promotion():
    assert Tensor([1, 2]).dtype == dtypes.int32
    assert Tensor([1.0, 2]).dtype == dtypes.float32
    assert Tensor([True]).dtype == dtypes.bool
    assert (Tensor([1, 2]) + 1.5).dtype == dtypes.float32
    assert (Tensor([1, 2]) * 2).dtype == dtypes.int32
    assert (Tensor([1, 2], dtype=dtypes.int8) + Tensor([1], dtype=dtypes.uint8)).dtype == dtypes.int16  # DTYPES: as torch
    assert (Tensor([1.0], dtype=dtypes.float16) + Tensor([1.0])).dtype == dtypes.float32
    assert (Tensor([1], dtype=dtypes.int32) + Tensor([1.0], dtype=dtypes.float16)).dtype == dtypes.float16
    assert (Tensor([True]) + 1).dtype == dtypes.int32
    assert (Tensor([1, 2]) / 2).dtype == dtypes.float32
    assert (Tensor([1, 2]) < 2).dtype == dtypes.bool
    assert Tensor([True, False]).sum().dtype == dtypes.int32
    assert Tensor([1.5, -2.7]).cast(dtypes.int32).tolist() == [1, -2]
    assert Tensor([300], dtype=dtypes.int32).cast(dtypes.uint8).tolist() == [44]
    assert Tensor([0.0, 2.0]).cast(dtypes.bool).tolist() == [False, True]
    assert Tensor([1.0]).bitcast(dtypes.int32).item() == 0x3F800000
    np.testing.assert_allclose(Tensor([1.5], dtype=dtypes.float16).float().numpy(), [1.5])
    assert (Tensor([7, -7]) // 2).tolist() == [3, -4] and (Tensor([7, -7]) % 3).tolist() == [1, 2]


def test_random_reproducible_and_distributed():
    Tensor.manual_seed(42)
    a = Tensor.rand(64, 64).numpy()
    b = Tensor.rand(64, 64).numpy()
    Tensor.manual_seed(42)
    np.testing.assert_array_equal(Tensor.rand(64, 64).numpy(), a)
    assert not np.array_equal(a, b)
    assert a.min() >= 0 and a.max() < 1 and abs(a.mean() - 0.5) < 0.02
    n = Tensor.randn(100, 100).numpy()
    assert abs(n.mean()) < 0.05 and abs(n.std() - 1) < 0.05
    r = Tensor.randint(1000, low=3, high=7).numpy()
    assert r.dtype == np.int32 and set(np.unique(r)) == {3, 4, 5, 6}
    u = Tensor.uniform(50, 50, low=-2, high=-1).numpy()
    assert u.min() >= -2 and u.max() < -1
    for init in (Tensor.scaled_uniform, Tensor.glorot_uniform, Tensor.kaiming_uniform, Tensor.kaiming_normal):
        w = init(16, 8).numpy()
        assert w.shape == (16, 8) and 0 < w.std() < 1
    g = Tensor.normal(4000, mean=3, std=0.5).numpy()
    assert abs(g.mean() - 3) < 0.05 and abs(g.std() - 0.5) < 0.05


def test_random_reuses_the_compiled_program():
    Tensor.rand(8, 8).realize()
    before = realize.STATS["compiled"]
    for _ in range(3):
        Tensor.rand(8, 8).realize()
    assert realize.STATS["compiled"] == before


@pytest.mark.parametrize("fn,message", [
    (lambda: Tensor.ones(2, 3) + Tensor.ones(4, 3), r"add: shapes \(2, 3\) and \(4, 3\)"),
    (lambda: Tensor.ones(2, 3) @ Tensor.ones(2, 3), r"matmul: shapes \(2, 3\) and \(2, 3\)"),
    (lambda: Tensor.ones(2, 3).sum(2), r"sum: axis 2 is out of range for shape \(2, 3\)"),
    (lambda: Tensor.ones(2, 3).reshape(4, 2), r"reshape: cannot reshape \(2, 3\) to \(4, 2\)"),
    (lambda: Tensor.ones(2, 3).permute(0, 0), r"permute"),
    (lambda: Tensor.ones(2, 3).expand(4, 3), r"expand: cannot expand \(2, 3\)"),
    (lambda: Tensor.ones(2, 3) & Tensor.ones(2, 3), r"and: dtype float32"),
    (lambda: Tensor.ones(2, 3)[5], r"index 5 is out of range for dim 0 of \(2, 3\)"),
    (lambda: Tensor.ones(2, 3)[0, 0, 0], r"too many indices"),
    (lambda: Tensor.ones(2, 3).cat(Tensor.ones(2, 4)), r"cat: shapes"),
    (lambda: Tensor.ones(1, 3, 4, 4).conv2d(Tensor.ones(2, 2, 3, 3)), r"conv2d: input \(1, 3, 4, 4\)"),
    (lambda: Tensor.ones(2).cast("complex64"), r"complex64"),
    (lambda: Tensor.ones(3).item(), r"item: a tensor with 3 elements"),
])
def test_errors_name_the_op_and_shapes(fn, message):
    with pytest.raises((ValueError, IndexError, TypeError)) as info:
        fn()
    import re

    assert re.search(message, str(info.value)), str(info.value)


def test_program_cache_keys_on_structure_not_data():
    def step(a: np.ndarray) -> np.ndarray:
        return ((Tensor(a) * 2 + 1).relu().sum(0)).numpy()

    step(np.ones((3, 4), np.float32))
    compiled = realize.STATS["compiled"]
    out = step(np.full((3, 4), -3, np.float32))
    assert realize.STATS["compiled"] == compiled
    np.testing.assert_array_equal(out, np.zeros(4))
    step(np.ones((5, 4), np.float32))  # a new shape is a new program
    assert realize.STATS["compiled"] == compiled + 1


def test_realize_many_and_shared_nodes():
    a = Tensor([1.0, 2.0])
    b, c = a * 2, a * 2
    assert b.lazydata is c.lazydata  # hash-consed
    b.realize(c)
    assert b.tolist() == [2.0, 4.0] and c.tolist() == [2.0, 4.0]


def test_backward_accumulates_and_detach_stops():
    w = Tensor([1.0, -2.0, 3.0], requires_grad=True)
    x = Tensor([0.5, 0.5, 2.0])
    (w * x).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [0.5, 0.5, 2.0])
    (w * x).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [1.0, 1.0, 4.0])
    w.grad = None
    (w * w.detach()).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [1.0, -2.0, 3.0])
    with pytest.raises(RuntimeError, match="loss must be a scalar"):
        (w * 2).backward()
    with pytest.raises(RuntimeError, match="requires_grad"):
        x.sum().backward()


def test_gradient_wrt_intermediates_and_realized_forward():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = x * x
    h.realize()  # realizing a forward value keeps its history for autodiff
    loss = (h * 3).sum()
    dx, dh = loss.gradient(x, h)
    np.testing.assert_allclose(dx.numpy(), [6.0, 12.0, 18.0])
    np.testing.assert_allclose(dh.numpy(), [3.0, 3.0, 3.0])
    seeded = h.gradient(x, gradient=Tensor([1.0, 0.0, 2.0]))[0]
    np.testing.assert_allclose(seeded.numpy(), [2.0, 0.0, 12.0])


def test_training_loop_runs_the_pass_once():
    Tensor.manual_seed(0)
    w = Tensor.randn(4, 2, requires_grad=True).realize()
    x, y = Tensor(np.random.default_rng(0).normal(size=(8, 4)).astype(np.float32)), Tensor([0, 1] * 4)
    runs = autograd.STATS["pass_runs"]
    losses = []
    for _ in range(4):
        w.grad = None
        loss = (x @ w).sparse_categorical_crossentropy(y)
        loss.backward()
        w.assign(w - w.grad * 0.5).realize()
        losses.append(loss.item())
    assert autograd.STATS["pass_runs"] == runs + 1
    assert losses[-1] < losses[0]
    assert w.lazydata.op == "buffer"  # assign drops the history of a parameter update


def test_setitem_requires_realized_and_misc():
    with pytest.raises(RuntimeError, match="realized"):
        (Tensor([1.0]) + 1)[0] = 2.0
    t = Tensor([[1.0, 2.0], [3.0, 4.0]])
    assert t.T.tolist() == [[1.0, 3.0], [2.0, 4.0]]
    assert t.numel() == 4 and t.ndim == 2 and len(t) == 2 and t.size(-1) == 2
    assert t.to("reference").device == "reference"
    check(lambda x: x.contiguous().view(-1), None, [(2, 3)])
    with Tensor.train():
        assert Tensor.training
        Tensor.manual_seed(1)
        d = Tensor.ones(1000).dropout(0.25).numpy()
        assert np.all(np.isclose(d, 0) | np.isclose(d, 1 / 0.75)) and abs((d == 0).mean() - 0.25) < 0.05
    assert not Tensor.training and Tensor.ones(3).dropout(0.5).tolist() == [1.0] * 3


@pytest.mark.parametrize("index,value", [
    ((1, slice(1, 3)), 5.0), ((slice(None), 0), [1.0, 2.0, 3.0]), ((slice(None, None, -2), slice(3, 0, -2)), [[7.0, 8.0], [9.0, 10.0]]),
    ((Ellipsis, None, -1), 4.0), ((slice(1, 1),), 3.0), ((np.array([2, 0]),), 6.0), ((-1, np.array([0, 3])), [1.0, 2.0]),
], ids=str)
def test_setitem_like_numpy(index, value):
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    t = Tensor(a.copy()).realize()
    t[tuple(Tensor(i.astype(np.int32)) if isinstance(i, np.ndarray) else i for i in index)] = value
    a[index] = value
    np.testing.assert_array_equal(t.numpy(), a)


# ------------------------------------------------------------------ no silent zero gradients

def test_gradient_through_a_value_realized_before_requires_grad_raises():
    """The realize dropped the graph (nothing required grad then): an error naming the tensor,
    never a zero gradient. PyTorch also refuses (the value has no grad_fn)."""
    x = Tensor([1.0, 2.0, 3.0])
    y = x * 2
    y.numpy()
    x.requires_grad = True
    with pytest.raises(RuntimeError, match=r"target 0, Tensor\(shape=\(3,\), dtype=float32.*graph was dropped"):
        y.sum().gradient(x)
    with pytest.raises(RuntimeError, match=r"backward: the loss depends on Tensor\(shape=\(3,\)"):
        (y.sum() + x.sum()).backward()  # partly through the dropped graph: still an error
    assert x.grad is None


def test_lost_history_is_found_through_chains_and_lazy_leaves():
    p = Tensor([1.0, 2.0])
    q = p + 1
    q.numpy()
    r = q * q  # built from a computed buffer, realized again: the lineage carries over
    r.numpy()
    p.requires_grad = True
    with pytest.raises(RuntimeError, match="graph was dropped"):
        r.sum().gradient(p)
    w = Tensor.randn(3)  # a lazy leaf: requires_grad gives it a private node
    z = (w * 3).exp()
    z.numpy()
    w.requires_grad = True
    with pytest.raises(RuntimeError, match="graph was dropped"):
        z.sum().gradient(w)
    a = Tensor.randn(3)
    b = a * 2  # not realized, but built from the node `a` had before requires_grad
    a.requires_grad = True
    with pytest.raises(RuntimeError, match="built before requires_grad was set"):
        b.sum().gradient(a)


def test_rebuilt_expressions_and_detached_values_differentiate():
    x = Tensor([1.0, 2.0, 3.0])
    (x * 2).numpy()
    x.requires_grad = True
    np.testing.assert_allclose((x * 2).sum().gradient(x)[0].numpy(), [2.0, 2.0, 2.0])  # rebuilt: fine
    w = Tensor([1.0, -1.0], requires_grad=True)
    Tensor.no_grad = True
    try:
        frozen = (w * 5).realize()  # values computed under no_grad are constants, like detach()
    finally:
        Tensor.no_grad = False
    np.testing.assert_allclose((frozen * w).sum().gradient(w)[0].numpy(), [5.0, -5.0])
    np.testing.assert_allclose(((w * 3).detach() * w).sum().gradient(w)[0].numpy(), [3.0, -3.0])


def test_gradient_of_an_unused_target_is_zero():
    """tinygrad's behaviour (PyTorch's autograd.grad raises unless allow_unused=True)."""
    u, v = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0], requires_grad=True)
    du, dv = (u * u).sum().gradient(u, v)
    np.testing.assert_allclose(du.numpy(), [2.0, 4.0])
    np.testing.assert_array_equal(dv.numpy(), [0.0])


# ------------------------------------------------------------------ the program cache over training steps

class _MLP:
    def __init__(self) -> None:
        self.l1, self.l2 = nn.Linear(12, 8), nn.Linear(8, 3)

    def __call__(self, x: Tensor) -> Tensor:
        return self.l2(self.l1(x).relu())


def _compiles_per_step(step, n: int = 3) -> list[tuple[int, int]]:
    """(programs, kernels) compiled by each of n calls of `step`."""
    out = []
    for _ in range(n):
        programs, kernels = executor._PROGRAM_CACHE.inserted, executor.kernel_cache_size()
        step()
        out.append((executor._PROGRAM_CACHE.inserted - programs, executor.kernel_cache_size() - kernels))
    return out


def test_identical_training_steps_compile_only_once():
    rng = np.random.default_rng(5)
    x, y = Tensor(rng.standard_normal((6, 12)).astype(np.float32)), Tensor(rng.integers(0, 3, 6).astype(np.int32))
    model = _MLP()
    params = get_parameters(model)
    opt = optim.SGD(params, lr=0.1, momentum=0.9)

    def train_step() -> None:
        opt.zero_grad()
        loss = model(x).sparse_categorical_crossentropy(y)
        loss.backward()
        loss.realize(*opt.schedule_step())

    counts = _compiles_per_step(train_step)
    assert counts[0][0] >= 1 and counts[1:] == [(0, 0), (0, 0)], counts

    losses: list[Tensor] = []  # kept alive, as a training loop that logs its losses does

    def forward_backward() -> None:  # no update: the parameters, and so the loss, stay the same
        for p in params:
            p.grad = None
        loss = model(x).sparse_categorical_crossentropy(y)
        loss.backward()
        loss.realize(*[p.grad for p in params])
        losses.append(loss)

    # the realized loss of step 1 used to be hash-consed into step 2's identical expression, so
    # step 2 built a program without the forward outputs (a different key) and compiled again
    counts = _compiles_per_step(forward_backward)
    assert counts[0][0] == 1 and counts[1:] == [(0, 0), (0, 0)], counts
    assert len({loss.item() for loss in losses}) == 1


def test_accumulating_gradients_compile_for_the_first_two_steps():
    """Without zero_grad, step 1 computes grad = g and later steps grad = old grad + g: genuinely
    two graphs, so steps 1 and 2 compile and step 3 reuses step 2's program."""
    w = Tensor(np.linspace(-1, 1, 10, dtype=np.float32).reshape(5, 2), requires_grad=True)
    x = Tensor(np.ones((3, 5), np.float32))

    def step() -> None:
        loss = (x @ w).tanh().sum()
        loss.backward()
        loss.realize(w.grad)

    counts = _compiles_per_step(step)
    assert counts[0][0] == 1 and counts[1][0] == 1 and counts[2] == (0, 0), counts


# ------------------------------------------------------------------ DEBUG levels (issue 3)

def _debug_output(level: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> str:
    """stderr of realizing a program whose structure this test alone builds (so it compiles)."""
    capsys.readouterr()
    monkeypatch.setenv("DEBUG", str(level))
    x = Tensor(np.arange(5 * 13, dtype=np.float32).reshape(5, 13))
    out = ((x * (0.01 * level + 0.05)).exp2().sum(1) + 0.5).numpy()
    monkeypatch.delenv("DEBUG")
    expected = np.exp2(np.arange(65, dtype=np.float32).reshape(5, 13) * (0.01 * level + 0.05)).sum(1) + 0.5
    np.testing.assert_allclose(out, expected, rtol=1e-5)
    return capsys.readouterr().err


LAUNCH = r"^\*\*\* \S+ +(\w+) +global \S+"


@pytest.mark.parametrize("level", [0, 1, 2, 3, 4])
def test_debug_levels(level: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    import re

    err = _debug_output(level, monkeypatch, capsys)
    launches = re.findall(LAUNCH + r".*$", err, re.M)
    timed = re.findall(LAUNCH + r".* [0-9.]+ ms( .*)?$", err, re.M)
    if level == 0:
        assert err == ""
        return
    # 1: one line per realize, one per kernel launched
    assert re.search(r"^realize: \d+ ops, 1 inputs -> 1 outputs on \S+$", err, re.M), err
    assert len(launches) >= 1
    assert (len(timed) == len(launches)) == (level >= 2), err  # 2: each kernel's time
    kernel_names = re.findall(LAUNCH, err, re.M)
    shows_code = all(re.search(rf"\b{name}\(", err) for name in kernel_names)  # 3: the kernels' source
    assert shows_code == (level >= 3), err
    ir_dumps = ("tensor-level IR from the frontend", "IR Dump After schedule-kernels",
                "IR Dump After shapetracker-to-loop", "IR Dump After loop-to-uop")
    assert all(h in err for h in ir_dumps) == (level >= 4)  # 4: the IR after each level
    assert any(h in err for h in ir_dumps) == (level >= 4)


def test_readme_training_snippet_learns():
    """The README's example: sequential layers, sparse_categorical_crossentropy, Adam, train()."""
    from tinyir import nn
    from tinyir.nn.optim import Adam

    Tensor.manual_seed(0)
    x, y = Tensor.randn(64, 8), Tensor.randint(64, high=3)
    model = [nn.Linear(8, 32), Tensor.relu, nn.Linear(32, 3)]
    opt = Adam(nn.state.get_parameters(model), lr=1e-2)
    losses = []
    with Tensor.train():
        for _ in range(30):
            opt.zero_grad()
            loss = x.sequential(model).sparse_categorical_crossentropy(y).backward()
            opt.step()
            losses.append(loss.item())
    assert losses[-1] < 0.8 * losses[0]


def test_unknown_device_is_an_error_at_the_call():
    from tinyir.errors import TinyirError

    with pytest.raises(TinyirError, match="unknown device 'vulkan'"):
        Tensor([1.0, 2.0], device="vulkan")
    with pytest.raises(TinyirError, match="unknown device 'nope'"):
        Tensor([1.0]).to("nope")
    assert Tensor([1.0], device="opencl:0").device == "opencl"
