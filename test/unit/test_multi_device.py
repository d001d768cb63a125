"""Several devices: `cpu:N`/`cuda:N` names, sharded tensors, collectives, data-parallel training.

The CPU tests run on cpu:0..3 (collectives through the host fallback); the `cuda` ones on cuda:0/1
where two GPUs answer (NCCL through cupy)."""

from __future__ import annotations

import numpy as np
import pytest

from tinyir import Tensor
from tinyir.errors import TensorValueError, TinyirError
from tinyir.frontend.multi import MultiLazy
from tinyir.runtime import collectives
from tinyir.runtime.buffer import allocator_for
from tinyir.runtime.executor import canonical_device_name, get_device

CPUS = ("cpu:0", "cpu:1", "cpu:2", "cpu:3")
rng = np.random.default_rng(13)


def data(*shape: int) -> np.ndarray:
    return rng.standard_normal(shape).astype(np.float32)


# ---------------------------------------------------------------- device names

def test_device_index_names_canonicalize():
    assert Tensor([1.0], device="cpu:0").device == "cpu"
    assert Tensor([1.0], device="CPU:2").device == "cpu:2"
    assert canonical_device_name("cuda:0") == "cuda" and canonical_device_name("cuda:1") == "cuda:1"
    assert allocator_for("cpu:0") is allocator_for("cpu")
    assert allocator_for("cpu:1") is not allocator_for("cpu")  # its own buffers and counters
    assert get_device("cpu:1") is not get_device("cpu") and get_device("cpu:1") is get_device("cpu:1")


def test_device_index_runs_and_moves():
    x = data(5)
    t = Tensor(x, device="cpu:1")
    np.testing.assert_allclose((t * 2 + 1).numpy(), x * 2 + 1, rtol=1e-6)
    moved = t.to("cpu:3")
    assert moved.device == "cpu:3" and allocator_for("cpu:3").in_use >= x.nbytes
    np.testing.assert_array_equal(moved.numpy(), x)
    assert t.to("cpu:1") is t


@pytest.mark.parametrize("bad", ["cpu:", "cpu:x", "cpu:-1", "cpu:1:2", "gpu:0", "cpu: 1"])
def test_device_index_bad_names(bad):
    with pytest.raises(TinyirError, match="device"):
        Tensor([1.0], device=bad)


def test_mixing_devices_is_one_error():
    with pytest.raises(TensorValueError, match="different devices"):
        Tensor([1.0], device="cpu:1") + Tensor([1.0], device="cpu:2")


# ---------------------------------------------------------------- collectives (runtime)

def test_collectives_host_fallback(capfd, monkeypatch):
    arrays = [data(3, 4) for _ in CPUS]
    buffers = [allocator_for(d).upload(a) for d, a in zip(CPUS, arrays)]
    monkeypatch.setenv("DEBUG", "1")
    summed = collectives.all_reduce(buffers, "sum")
    assert "host fallback" in capfd.readouterr().err
    monkeypatch.setenv("DEBUG", "0")
    expected = arrays[0] + arrays[1] + arrays[2] + arrays[3]
    for d, b in zip(CPUS, summed):
        assert b.device == canonical_device_name(d)
        np.testing.assert_array_equal(b.numpy(), expected)
    for b in collectives.all_reduce(buffers, "max"):
        np.testing.assert_array_equal(b.numpy(), np.maximum.reduce(arrays))
    for b in collectives.all_gather(buffers):
        np.testing.assert_array_equal(b.numpy(), np.stack(arrays))
    copies = collectives.broadcast(buffers[1], CPUS)
    assert copies[1] is buffers[1]
    for d, b in zip(CPUS, copies):
        assert b.device == canonical_device_name(d)
        np.testing.assert_array_equal(b.numpy(), arrays[1])


def test_collective_errors():
    a = allocator_for("cpu").upload(data(2))
    with pytest.raises(TinyirError, match="op must be"):
        collectives.all_reduce([a, allocator_for("cpu:1").upload(data(2))], "prod")
    with pytest.raises(TinyirError, match="buffers differ"):
        collectives.all_reduce([a, allocator_for("cpu:1").upload(data(3))])
    with pytest.raises(TinyirError, match="twice"):
        collectives.all_reduce([a, a])


# ---------------------------------------------------------------- sharded tensors

@pytest.mark.parametrize("axis", [0, 1, None])
def test_shard_and_gather(axis):
    x = data(8, 4)
    t = Tensor(x).shard(CPUS, axis=axis)
    assert isinstance(t.lazydata, MultiLazy) and t.device == ("cpu", "cpu:1", "cpu:2", "cpu:3")
    assert t.shape == (8, 4)
    parts = [s.realized.numpy() for s in t.lazydata.srcs]
    if axis is None:
        assert all(np.array_equal(p, x) for p in parts)
    else:
        assert all(np.array_equal(p, q) for p, q in zip(parts, np.split(x, 4, axis=axis)))
    np.testing.assert_array_equal(t.numpy(), x)
    gathered = t.to("cpu:2")
    assert gathered.device == "cpu:2"
    np.testing.assert_array_equal(gathered.numpy(), x)


def test_shard_errors():
    with pytest.raises(TensorValueError, match="evenly"):
        Tensor(data(6, 2)).shard(CPUS, axis=0)
    with pytest.raises(TensorValueError, match="twice"):
        Tensor(data(4)).shard(("cpu", "cpu:0"), axis=0)
    with pytest.raises(TinyirError, match="device"):
        Tensor(data(4)).shard(("cpu", "cpu:x"), axis=0)
    t = Tensor(data(8, 4)).shard(CPUS, axis=0)
    with pytest.raises(TensorValueError, match="different devices"):
        t + Tensor(data(8, 4))
    with pytest.raises(TensorValueError, match="different axes"):
        t + Tensor(data(8, 4)).shard(CPUS, axis=1)
    with pytest.raises(TensorValueError, match="move data between the devices"):
        t[1:3]  # a shrink of the shard axis
    with pytest.raises(TensorValueError, match="move data between the devices"):
        t.reshape(2, 16)  # the parts' boundary would move
    with pytest.raises(TensorValueError, match="move data between the devices"):
        t.flip(0)


def test_elementwise_with_replicated_and_scalars():
    x, y, b = data(8, 6), data(8, 6), data(6)
    xs = Tensor(x).shard(CPUS, axis=0)
    ys = Tensor(y).shard(CPUS)  # replicated: each device uses its slice
    bs = Tensor(b).shard(CPUS)
    out = (xs * ys + bs).relu() - 0.5
    assert out.lazydata.arg == 0
    np.testing.assert_allclose(out.numpy(), np.maximum(x * y + b, 0) - 0.5, rtol=1e-6, atol=1e-6)
    cond = (xs > 0).where(xs, ys.exp())
    np.testing.assert_allclose(cond.numpy(), np.where(x > 0, x, np.exp(y)), rtol=1e-6)


@pytest.mark.parametrize("axis", [0, 1, 2, None])
def test_sharded_reductions(axis):
    x = data(4, 8, 12)
    t = Tensor(x).shard(CPUS, axis=axis)
    for dims in [0, 1, 2, (0, 2), None]:
        np.testing.assert_allclose(t.sum(dims).numpy(), x.sum(dims), rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(t.max(dims).numpy(), x.max(dims), rtol=1e-6)
        np.testing.assert_allclose(t.mean(dims, keepdim=True).numpy(), x.mean(dims, keepdims=True), rtol=1e-5,
                                   atol=1e-6)
    reduced = t.sum(axis if axis is not None else 0)
    assert reduced.lazydata.arg is None  # over the shard axis: all-reduced, replicated


def test_sharded_softmax_and_movement():
    x = data(8, 6, 5)
    t = Tensor(x).shard(CPUS[:2], axis=0)
    e = np.exp(x - x.max(-1, keepdims=True))
    np.testing.assert_allclose(t.softmax(-1).numpy(), e / e.sum(-1, keepdims=True), rtol=1e-5, atol=1e-6)
    moved = t.permute(2, 0, 1)
    assert moved.lazydata.arg == 1
    np.testing.assert_array_equal(moved.numpy(), x.transpose(2, 0, 1))
    flat = t.reshape(8, 30)
    assert flat.lazydata.arg == 0
    np.testing.assert_array_equal(flat.numpy(), x.reshape(8, 30))
    split = t.reshape(2, 4, 30)
    assert split.lazydata.arg == 0
    np.testing.assert_array_equal(split.numpy(), x.reshape(2, 4, 30))
    np.testing.assert_array_equal(t.pad(((0, 0), (1, 1), (0, 0))).numpy(), np.pad(x, ((0, 0), (1, 1), (0, 0))))
    np.testing.assert_array_equal(t[:, 1:3].numpy(), x[:, 1:3])


@pytest.mark.parametrize("layout", ["batch", "columns", "inner", "replicated"])
def test_sharded_matmul(layout):
    x, w = data(8, 12), data(12, 16)
    if layout == "batch":  # batch sharded, weight replicated: per device
        xs, ws, out_axis = Tensor(x).shard(CPUS, 0), Tensor(w).shard(CPUS), 0
    elif layout == "columns":  # weight sharded on its output columns
        xs, ws, out_axis = Tensor(x).shard(CPUS), Tensor(w).shard(CPUS, 1), 1
    elif layout == "inner":  # both sharded on the inner dimension: partial products, all-reduced
        xs, ws, out_axis = Tensor(x).shard(CPUS, 1), Tensor(w).shard(CPUS, 0), None
    else:
        xs, ws, out_axis = Tensor(x).shard(CPUS), Tensor(w).shard(CPUS), None
    out = xs @ ws
    assert out.lazydata.arg == out_axis
    np.testing.assert_allclose(out.numpy(), x @ w, rtol=1e-5, atol=1e-5)


def test_sharded_on_opencl():
    pytest.importorskip("pyopencl")
    try:
        get_device("opencl")
    except TinyirError as exc:
        pytest.skip(str(exc))
    x, w = data(8, 6), data(6, 3)
    devices = ("opencl:0", "opencl:1")
    out = (Tensor(x).shard(devices, 0) @ Tensor(w).shard(devices)).sum(0)
    assert out.device == ("opencl", "opencl:1")
    np.testing.assert_allclose(out.numpy(), (x @ w).sum(0), rtol=1e-5, atol=1e-5)
    sharded = Tensor(x).shard(devices, 1)
    np.testing.assert_allclose(sharded.max(1).numpy(), x.max(1))
    gathered = (sharded.exp() * 2).to("opencl:1")
    assert gathered.device == "opencl:1"
    np.testing.assert_allclose(gathered.numpy(), np.exp(x) * 2, rtol=1e-5)


# ---------------------------------------------------------------- autodiff and training

def test_sharded_backward_matches_single_device():
    x, w = data(8, 5), data(5, 3)
    ref_w = Tensor(w, requires_grad=True)
    (Tensor(x) @ ref_w).relu().square().mean().backward()
    ws = Tensor(w).shard(CPUS[:2])
    ws.requires_grad = True
    loss = (Tensor(x).shard(CPUS[:2], 0) @ ws).relu().square().mean()
    loss.backward()
    assert ws.grad.lazydata.arg is None
    np.testing.assert_allclose(loss.numpy(), (np.maximum(x @ w, 0) ** 2).mean(), rtol=1e-5)
    np.testing.assert_allclose(ws.grad.numpy(), ref_w.grad.numpy(), rtol=1e-5, atol=1e-6)
    for shard in ws.grad.lazydata.srcs:  # every device holds the whole (all-reduced) gradient
        np.testing.assert_allclose(shard.realized.numpy() if shard.realized else Tensor(shard).numpy(),
                                   ref_w.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_sharded_backward_through_max_and_sharded_leaf():
    x = data(4, 6)
    ref = Tensor(x, requires_grad=True)
    (ref.max(0) * Tensor(np.arange(6, dtype=np.float32))).sum().backward()
    xs = Tensor(x).shard(CPUS, 0)
    xs.requires_grad = True
    (xs.max(0) * Tensor(np.arange(6, dtype=np.float32)).shard(CPUS)).sum().backward()
    assert xs.grad.lazydata.arg == 0
    np.testing.assert_allclose(xs.grad.numpy(), ref.grad.numpy(), rtol=1e-6)


def _mlp_losses(devices: tuple[str, ...] | None, steps: int = 4, jit: bool = False, fresh: bool = False) -> list[float]:
    """Losses of `steps` SGD-with-momentum steps of an MLP (one batch, learnt; `fresh`: a new batch each
    step), on one device (None) or data parallel over `devices`; `jit`: the step under TinyJit."""
    from tinyir.frontend.nn import Linear
    from tinyir.frontend.nn.optim import SGD
    from tinyir.runtime.jit import TinyJit

    r = np.random.default_rng(7)
    xs = r.standard_normal((steps if fresh else 1, 16, 10)).astype(np.float32)
    ys = r.integers(0, 4, (steps if fresh else 1, 16))
    xs, ys = (xs, ys) if fresh else (np.repeat(xs, steps, axis=0), np.repeat(ys, steps, axis=0))
    l1, l2 = Linear(10, 32), Linear(32, 4)
    params = [l1.weight, l1.bias, l2.weight, l2.bias]
    for p, shape in zip(params, [(32, 10), (32,), (4, 32), (4,)]):  # the same start on every run
        p.assign(Tensor(r.standard_normal(shape).astype(np.float32) * 0.3)).realize()
        if devices is not None:
            p.shard_(devices)
    opt = SGD(params, lr=0.1, momentum=0.9)

    def train_step(xt: Tensor, yt: Tensor) -> Tensor:
        opt.zero_grad()
        loss = l2(l1(xt).relu()).sparse_categorical_crossentropy(yt)
        loss.backward()
        opt.step()
        return loss

    step = TinyJit(train_step) if jit else train_step
    losses = []
    with Tensor.train():
        for x, y in zip(xs, ys):
            xt, yt = Tensor(x), Tensor(y.astype(np.int32))
            if devices is not None:
                xt, yt = xt.shard(devices, 0), yt.shard(devices, 0)
            losses.append(float(step(xt, yt).numpy()))
    if devices is not None:
        assert all(p.device == tuple(canonical_device_name(d) for d in devices) for p in params)
    if jit:
        assert step.replay is not None  # the later steps were replays
    return losses


def test_data_parallel_training_matches_one_device():
    single = _mlp_losses(None)
    parallel = _mlp_losses(CPUS[:2])
    np.testing.assert_allclose(parallel, single, rtol=1e-4, atol=1e-5)
    assert single[-1] < single[0]


@pytest.mark.parametrize("devices", [CPUS[:2], CPUS, ("opencl:0", "opencl:1")])
def test_jitted_data_parallel_training_matches_plain_and_one_device(devices):
    """TinyJit over a sharded step: the capture records every device's programs and the gradient
    all-reduces; replays (a new batch each step) give the losses of the plain run and of one device."""
    if devices[0].startswith("opencl"):
        pytest.importorskip("pyopencl")
        try:
            get_device("opencl")
        except TinyirError as exc:
            pytest.skip(str(exc))
    single = _mlp_losses(None, steps=5, fresh=True)
    plain = _mlp_losses(devices, steps=5, fresh=True)
    jitted = _mlp_losses(devices, steps=5, fresh=True, jit=True)
    np.testing.assert_allclose(plain, single, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(jitted, plain, rtol=1e-6, atol=1e-7)


def test_jit_replays_collectives_and_keeps_the_sharding(monkeypatch):
    """A replayed reduction over the shard axis runs its all-reduce (on the new input's values); a
    sharded output comes back sharded like the captured one; another sharding is refused."""
    from tinyir.runtime.jit import TinyJit

    calls = []
    real = collectives.all_reduce_many
    monkeypatch.setattr(collectives, "all_reduce_many", lambda c: calls.append(len(c)) or real(c))

    @TinyJit
    def f(t: Tensor) -> tuple[Tensor, Tensor]:
        return t.sum(0), t * 2

    xs = [data(4, 3) for _ in range(4)]
    inputs = [Tensor(x).shard(CPUS[:2], 0) for x in xs]
    other = Tensor(data(4, 4)).shard(CPUS[:2], 1)
    for i, x in enumerate(xs):
        if i == 2:  # replays from here on: no graph walk, no plan, no program built
            from tinyir.frontend import multi_plan, realize

            def refuse(*args, **kwargs):
                raise AssertionError("a replay walked a graph or built a plan")

            for module, name in ((realize, "collect"), (realize, "_program"), (multi_plan, "build_plan")):
                monkeypatch.setattr(module, name, refuse)
        total, doubled = f(inputs[i])
        np.testing.assert_allclose(total.numpy(), x.sum(0), rtol=1e-5)
        np.testing.assert_allclose(doubled.numpy(), x * 2, rtol=1e-6)
        assert doubled.lazydata.arg == 0 and doubled.device == ("cpu", "cpu:1")
        assert total.lazydata.arg is None
    assert f.replay is not None and calls == [1] * 4  # two plain calls, two replays: one all-reduce each
    with pytest.raises(TinyirError, match="sharded on axis 1"):
        f(other)


def test_sharded_steps_reuse_their_plan():
    """The second realize of a multi-device graph of the same structure reuses its plan: no new
    schedule, no new program."""
    from tinyir.frontend import multi_plan, realize

    w = Tensor(data(5, 3)).shard(CPUS[:2])
    for i in range(3):
        x = data(8, 5)
        before = (multi_plan.PLANS.built, realize.STATS["compiled"])
        out = (Tensor(x).shard(CPUS[:2], 0) @ w).relu().sum(0)
        np.testing.assert_allclose(out.numpy(), np.maximum(x @ w.numpy(), 0).sum(0), rtol=1e-5)
        if i:
            assert (multi_plan.PLANS.built, realize.STATS["compiled"]) == before


# ---------------------------------------------------------------- two GPUs

def _two_gpus() -> tuple[str, str]:
    try:
        get_device("cuda")
        get_device("cuda:1")
    except TinyirError as exc:
        pytest.skip(f"needs two CUDA GPUs: {exc}")
    return ("cuda:0", "cuda:1")


@pytest.mark.cuda
def test_cuda_collectives_through_nccl():
    pytest.importorskip("cupy")
    devices = _two_gpus()
    arrays = [data(1000), data(1000)]
    buffers = [allocator_for(d).upload(a) for d, a in zip(devices, arrays)]
    assert collectives.uses_nccl([b.device for b in buffers])
    before = [allocator_for(d).downloads for d in devices]
    summed = collectives.all_reduce(buffers, "sum")
    assert [allocator_for(d).downloads for d in devices] == before  # no host round trip
    for b in summed:
        np.testing.assert_allclose(b.numpy(), arrays[0] + arrays[1], rtol=1e-6)
    for b in collectives.all_reduce(buffers, "max"):
        np.testing.assert_array_equal(b.numpy(), np.maximum(arrays[0], arrays[1]))
    for b in collectives.all_gather(buffers):
        np.testing.assert_array_equal(b.numpy(), np.stack(arrays))
    for b in collectives.broadcast(buffers[0], devices):
        np.testing.assert_array_equal(b.numpy(), arrays[0])


@pytest.mark.cuda
def test_cuda_sharded_ops_and_training():
    pytest.importorskip("cupy")
    devices = _two_gpus()
    x, w = data(8, 12), data(12, 16)
    out = Tensor(x).shard(devices, 0) @ Tensor(w).shard(devices)
    np.testing.assert_allclose(out.numpy(), x @ w, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(Tensor(x).shard(devices, 1).sum(1).numpy(), x.sum(1), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(_mlp_losses(devices), _mlp_losses(None), rtol=1e-4, atol=1e-5)
    plain = _mlp_losses(devices, steps=5, fresh=True)  # under TinyJit: NCCL all-reduces replayed too
    np.testing.assert_allclose(_mlp_losses(devices, steps=5, fresh=True, jit=True), plain, rtol=1e-6, atol=1e-7)


def test_sharded_unsupported_paths_raise():
    x = Tensor(data(4, 3)).shard(CPUS[:2], 0)
    x.requires_grad = True
    with pytest.raises(TensorValueError, match="sharded"):
        x.sum().gradient(x)



def test_gradients_all_reduced_together(monkeypatch):
    """A backward pass's gradient all-reduces go in one call (one NCCL group on GPUs)."""
    calls = []
    real = collectives.all_reduce_many
    monkeypatch.setattr(collectives, "all_reduce_many", lambda c: calls.append(len(c)) or real(c))
    w1, w2 = Tensor(data(3, 4)).shard(CPUS[:2]), Tensor(data(4, 2)).shard(CPUS[:2])
    w1.requires_grad = w2.requires_grad = True
    loss = (Tensor(data(8, 3)).shard(CPUS[:2], 0) @ w1 @ w2).square().mean()
    loss.backward()
    Tensor.realize(loss, w1.grad, w2.grad)
    assert calls and max(calls) >= 3  # the loss and both gradients in one round


def test_nccl_path_calls_one_group(monkeypatch):
    """The NCCL path's calls, with a stand-in for cupy.cuda.nccl that does the arithmetic on the host:
    one group per round, one allReduce per GPU with the element count, dtype and op, on stream 0."""
    import types

    arrays: dict[int, np.ndarray] = {}
    log: list[tuple] = []

    class Comm:
        def __init__(self, rank: int):
            self.rank = rank

        def allReduce(self, send, recv, count, dtype, op, stream):  # cupy's name
            log.append(("allReduce", self.rank, count, dtype, op, stream))
            pending.append((send, recv, op))

    pending: list[tuple] = []

    def group_end() -> None:
        log.append(("groupEnd",))
        for start in range(0, len(pending), 2):  # one collective: one call per GPU (two here)
            calls = pending[start:start + 2]
            for _, recv, op in calls:
                combine = np.maximum if op == 2 else np.add
                arrays[recv][...] = combine.reduce([arrays[c[0]] for c in calls])
        pending.clear()

    fake = types.SimpleNamespace(NCCL_FLOAT32=7, NCCL_INT32=2, NCCL_SUM=0, NCCL_MAX=2,
                                 groupStart=lambda: log.append(("groupStart",)), groupEnd=group_end)
    monkeypatch.setattr(collectives, "_nccl", lambda: fake)
    monkeypatch.setattr(collectives, "uses_nccl", lambda devices: True)
    monkeypatch.setattr(collectives, "_communicators", lambda buffers: (fake, [Comm(i) for i in range(len(buffers))]))

    def handle(buffer) -> int:
        arrays[id(buffer.handle)] = buffer.handle
        return id(buffer.handle)

    monkeypatch.setattr(collectives, "_handle", handle)
    a, b = data(5), data(5)
    x = [allocator_for("cpu").upload(a), allocator_for("cpu:1").upload(b)]
    y = [allocator_for("cpu").upload(np.arange(3, dtype=np.int32)), allocator_for("cpu:1").upload(np.ones(3, np.int32))]
    summed, maxed = collectives.all_reduce_many([(x, "sum"), (y, "max")])
    assert log == [("groupStart",), ("allReduce", 0, 5, 7, 0, 0), ("allReduce", 1, 5, 7, 0, 0),
                   ("allReduce", 0, 3, 2, 2, 0), ("allReduce", 1, 3, 2, 2, 0), ("groupEnd",)]
    for out in summed:
        np.testing.assert_allclose(out.numpy(), a + b, rtol=1e-6)
    for out in maxed:
        np.testing.assert_array_equal(out.numpy(), [1, 1, 2])


def test_sharded_loss_realized_before_backward():
    """Realizing a sharded loss keeps the graph autodiff needs (its parameters' shards count as
    requiring grad), as on one device."""
    x, w = data(8, 5), data(5, 3)
    ref_w = Tensor(w, requires_grad=True)
    ref = (Tensor(x) @ ref_w).square().mean()
    ref.numpy()
    ref.backward()
    ws = Tensor(w).shard(CPUS[:2])
    ws.requires_grad = True
    loss = (Tensor(x).shard(CPUS[:2], 0) @ ws).square().mean()
    np.testing.assert_allclose(loss.numpy(), ref.numpy(), rtol=1e-5)
    loss.backward()
    np.testing.assert_allclose(ws.grad.numpy(), ref_w.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_device_index_in_tinyir_run_and_onnx(tmp_path, capsys):
    from tinyir.onnx.backend import tinyir_device
    from tinyir.tools.run import main

    assert tinyir_device("CUDA:1") == "cuda:1" and tinyir_device("CPU:0") == "cpu"
    program = tmp_path / "p.mlir"
    program.write_text("func.func @main(%a: tensor<4xf32>) -> tensor<4xf32> {\n"
                       "  %b = tir.add %a, %a : tensor<4xf32>\n  return %b : tensor<4xf32>\n}\n")
    np.save(tmp_path / "a.npy", np.arange(4, dtype=np.float32))
    assert main([str(program), "--device", "cpu:2", "--inputs", str(tmp_path / "a.npy")]) == 0
    assert "0. 2. 4. 6." in capsys.readouterr().out.replace("  ", " ")
    assert main([str(program), "--device", "cpu:two"]) == 1
    assert "malformed device name" in capsys.readouterr().err


def test_every_gpu_target_opens_the_gpu_its_index_names():
    """`cuda:1` must open GPU 1 (it had opened GPU 0: the target's factory took no ordinal)."""
    import inspect

    from tinyir.runtime.executor import get_target

    assert "ordinal" in inspect.signature(get_target("cuda").device).parameters
