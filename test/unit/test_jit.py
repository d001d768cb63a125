"""TinyJit: replays give the values of un-jitted runs (a training loop), and build no IR."""

from __future__ import annotations

import numpy as np
import pytest

from tinyir import Tensor, TinyJit, nn
from tinyir.errors import TinyirError
from tinyir.frontend import realize
from tinyir.nn.optim import SGD, Adam
from tinyir.runtime import executor, kernel_cache_size
from tinyir.runtime.buffer import allocator_for


def _data() -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    rng = np.random.default_rng(0)
    xs = rng.normal(size=(5, 16, 4)).astype(np.float32)  # one batch per step
    ys = rng.integers(0, 3, size=(5, 16)).astype(np.int32)
    weights = [rng.normal(size=s).astype(np.float32) * 0.5 for s in ((4, 8), (8,), (8, 3), (3,))]
    return xs, ys, weights


def _model(weights: list[np.ndarray]) -> list:
    l1, l2 = nn.Linear(4, 8), nn.Linear(8, 3)
    for layer, (w, b) in zip((l1, l2), (weights[:2], weights[2:])):
        layer.weight = Tensor(w.T.copy(), requires_grad=True)
        layer.bias = Tensor(b, requires_grad=True)
    return [l1, Tensor.relu, l2]


def _train(optimizer: type, jit: bool, monkeypatch=None) -> tuple[list[float], list[np.ndarray]]:
    xs, ys, weights = _data()
    model = _model(weights)
    params = nn.state.get_parameters(model)
    opt = optimizer(params, lr=0.05)

    def step(x: Tensor, y: Tensor) -> Tensor:
        with Tensor.train():
            opt.zero_grad()
            loss = x.sequential(model).sparse_categorical_crossentropy(y).backward()
            opt.step()
        return loss

    run = TinyJit(step) if jit else step
    losses = []
    for i in range(5):
        x, y = Tensor(xs[i]), Tensor(ys[i])
        if jit and i == 2 and monkeypatch is not None:  # replays from here on: nothing may build IR
            _forbid_compiling(monkeypatch)
        losses.append(run(x, y).item())
    return losses, [p.numpy() for p in params]


def _forbid_compiling(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("a replay built a graph or compiled")

    for module, name in ((realize, "collect"), (realize, "build_function"), (realize, "_program"),
                         (executor, "compile_program"), (executor, "structural_hash"), (executor, "run_passes")):
        monkeypatch.setattr(module, name, refuse)


@pytest.mark.parametrize("optimizer", [SGD, Adam])
def test_a_jitted_training_loop_matches_the_plain_one(optimizer, monkeypatch):
    plain_losses, plain_params = _train(optimizer, jit=False)
    stats, kernels = dict(realize.STATS), kernel_cache_size()
    jit_losses, jit_params = _train(optimizer, jit=True, monkeypatch=monkeypatch)
    np.testing.assert_allclose(jit_losses, plain_losses, rtol=1e-6)
    for got, want in zip(jit_params, plain_params):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    first = _data()[2][0].T
    assert np.abs(jit_params[0] - first).min() > 1e-4  # every step updated the weights
    assert kernel_cache_size() == kernels  # the un-jitted loop compiled everything the jitted one ran
    # two plain calls realize programs; the three replays realize none
    assert realize.STATS["compiled"] == stats["compiled"]


def test_replays_take_new_inputs_and_return_tensors_in_the_same_structure():
    calls = []

    @TinyJit
    def f(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
        calls.append(1)
        return a * b + 1, (a - b).sum()

    rng = np.random.default_rng(2)
    for i in range(5):
        a_np, b_np = rng.normal(size=(3, 4)).astype(np.float32), rng.normal(size=(3, 4)).astype(np.float32)
        prod, diff = f(Tensor(a_np), b=Tensor(b_np))
        np.testing.assert_allclose(prod.numpy(), a_np * b_np + 1, rtol=1e-6)
        np.testing.assert_allclose(diff.item(), (a_np - b_np).sum(), rtol=1e-5)
    assert len(calls) == 2  # the function itself ran for the plain call and the capture only


def test_lazy_arguments_are_realized_first():
    f = TinyJit(lambda x: (x * 2).exp2())
    for i in range(4):
        x = Tensor.full((4,), float(i)) + 1  # unrealized
        np.testing.assert_allclose(f(x).numpy(), np.exp2(np.full(4, 2.0 * (i + 1))), rtol=1e-6)


def test_other_shapes_or_dtypes_are_refused():
    f = TinyJit(lambda x: x + 1)
    for _ in range(3):
        f(Tensor.ones(2, 3))
    with pytest.raises(TinyirError, match=r"captured \(\(2, 3\) float32 on cpu\), got \(\(3, 2\) float32 on cpu\)"):
        f(Tensor.ones(3, 2))
    with pytest.raises(TinyirError, match=r"got \(\(2, 3\) int32 on cpu\)"):
        f(Tensor.ones(2, 3, dtype="int32"))
    with pytest.raises(TinyirError, match=r"got \(\)"):
        f()


def test_unsupported_results_are_refused():
    with pytest.raises(TinyirError, match="must return a Tensor, a tuple or list of Tensors, or None, not float"):
        TinyJit(lambda x: 1.5)(Tensor.ones(2))


def test_state_assigned_inside_is_carried_from_replay_to_replay():
    counter = Tensor.zeros(3)
    counter.realize()

    @TinyJit
    def bump(x: Tensor) -> None:
        counter.assign(counter + x)
        counter.realize()

    for i in range(5):
        bump(Tensor.full((3,), float(i)))
    assert counter.numpy().tolist() == [10.0] * 3


def test_replays_on_opencl_stay_on_the_device():
    try:
        allocator = allocator_for("opencl")
    except TinyirError as exc:  # pragma: no cover
        pytest.skip(f"no OpenCL device: {exc}")
    f = TinyJit(lambda a, b: (a * b + 1).sum(axis=0))
    rng = np.random.default_rng(3)
    inputs = [[Tensor(rng.normal(size=(4, 5)).astype(np.float32), device="opencl") for _ in range(2)]
              for _ in range(4)]
    outs = [f(*pair) for pair in inputs[:2]]
    uploads, downloads = allocator.uploads, allocator.downloads
    outs += [f(*pair) for pair in inputs[2:]]
    assert (allocator.uploads, allocator.downloads) == (uploads, downloads)
    for (a, b), out in zip(inputs, outs):
        np.testing.assert_allclose(out.numpy(), (a.numpy() * b.numpy() + 1).sum(axis=0), rtol=1e-5)


def test_a_jitted_method_binds_its_object():
    class Scale:
        def __init__(self, k: float):
            self.k = Tensor.full((3,), k).realize()

        @TinyJit
        def __call__(self, x: Tensor) -> Tensor:
            return x * self.k

    scale, other = Scale(3.0), Scale(-1.0)
    for i in range(4):
        assert scale(Tensor.full((3,), float(i))).tolist() == [3.0 * i] * 3
        assert other(Tensor.full((3,), float(i))).tolist() == [-1.0 * i] * 3  # its own capture


def test_running_statistics_and_nested_jits_follow_the_plain_run():
    rng = np.random.default_rng(4)
    batches = [rng.normal(size=(6, 4)).astype(np.float32) * (i + 1) for i in range(5)]

    def make():
        norm = nn.BatchNorm(4)

        def forward(x: Tensor) -> Tensor:
            with Tensor.train():
                return norm(x).relu().sum(axis=0)
        return norm, forward

    plain_norm, plain = make()
    want = [plain(Tensor(b)).numpy() for b in batches]
    jit_norm, forward = make()
    inner = TinyJit(forward)
    outer = TinyJit(lambda x: inner(x) * 2)  # captures the inner jit's replays too
    got = [outer(Tensor(b)).numpy() for b in batches]
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w * 2, rtol=1e-5, atol=1e-6)
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        np.testing.assert_allclose(getattr(jit_norm, name).numpy(), getattr(plain_norm, name).numpy(), rtol=1e-6)
    assert jit_norm.num_batches_tracked.item() == 5


def test_state_changed_lazily_between_calls_is_realized_first():
    total = Tensor.zeros(2).realize()

    @TinyJit
    def add(x: Tensor) -> Tensor:
        total.assign(total + x)
        return total * 1

    for i in range(5):
        total.assign(total + 100)  # outside the function, lazily, before every call
        np.testing.assert_allclose(add(Tensor.full((2,), 1.0)).numpy(), [101.0 * (i + 1)] * 2)


def test_a_state_tensor_lazy_when_the_capture_begins_is_refused():
    lazy_state = Tensor.zeros(2) + 1  # never realized
    calls = []

    @TinyJit
    def f(x: Tensor) -> Tensor:
        calls.append(1)
        if len(calls) == 2:  # first assigned by the capturing call, so nothing realized it before
            lazy_state.assign(lazy_state + x)
        return x + 1

    f(Tensor.ones(2))
    with pytest.raises(TinyirError, match="was not realized when the capturing call began"):
        f(Tensor.ones(2))
