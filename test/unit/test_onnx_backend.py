"""tinyir.onnx as a backend: a model exported from PyTorch here, run by tinyir.onnx and compared with
onnxruntime and PyTorch; the backend interface (prepare/run/run_node/supports_device), shapes from
int64 inputs, clear errors, and `tinyir-run model.onnx`."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
torch = pytest.importorskip("torch")
from onnx import TensorProto, helper

import tinyir.onnx as backend
from tinyir.onnx import OnnxError


class SmallNet(torch.nn.Module):
    """Conv, batch norm, pooling, a flatten through Shape/Reshape, layer norm, GELU, softmax."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 3, stride=1, padding=1)
        self.bn = torch.nn.BatchNorm2d(8)
        self.conv2 = torch.nn.Conv2d(8, 8, 3, stride=2, padding=1, groups=2)
        self.fc = torch.nn.Linear(8 * 4 * 4, 16)
        self.ln = torch.nn.LayerNorm(16)
        self.head = torch.nn.Linear(16, 5)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = torch.relu(self.bn(self.conv(x)))
        x = torch.nn.functional.max_pool2d(x, 2)
        x = torch.nn.functional.silu(self.conv2(x))
        x = x.reshape(x.shape[0], -1)
        h = torch.nn.functional.gelu(self.ln(self.fc(x)))
        logits = self.head(h)
        return logits, torch.softmax(logits, dim=-1)


def _export(model: torch.nn.Module, example: torch.Tensor, **kwargs) -> onnx.ModelProto:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (example,), buf, dynamo=False, opset_version=17, input_names=["x"],
                          output_names=["logits", "probs"], **kwargs)
    return onnx.load_from_string(buf.getvalue())


@pytest.fixture(scope="module")
def small_net() -> tuple[torch.nn.Module, onnx.ModelProto]:
    torch.manual_seed(0)
    model = SmallNet()
    with torch.no_grad():  # running stats that are not the identity
        model.bn.running_mean.uniform_(-0.5, 0.5)
        model.bn.running_var.uniform_(0.5, 2.0)
    model.eval()
    return model, _export(model, torch.randn(2, 3, 16, 16), dynamic_axes={"x": {0: "batch"}})


def test_pytorch_export_matches_onnxruntime_and_torch(small_net) -> None:
    ort = pytest.importorskip("onnxruntime")
    model, proto = small_net
    x = np.random.default_rng(0).standard_normal((2, 3, 16, 16)).astype(np.float32)
    logits, probs = backend.prepare(proto, device="CPU").run([x])
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    ort_logits, ort_probs = session.run(None, {"x": x})
    np.testing.assert_allclose(logits, ort_logits, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(probs, ort_probs, rtol=1e-4, atol=1e-5)
    with torch.no_grad():
        want = model(torch.from_numpy(x))[0].numpy()
    np.testing.assert_allclose(logits, want, rtol=1e-4, atol=1e-4)


def test_dynamic_batch_resolved_from_the_inputs(small_net) -> None:
    model, proto = small_net
    rep = backend.prepare(proto, device="CPU")
    x = np.random.default_rng(1).standard_normal((3, 3, 16, 16)).astype(np.float32)  # batch 3, exported with 2
    out = rep.run({"x": x})
    assert out.logits.shape == (3, 5) and out[1].shape == (3, 5)  # by name and in graph order
    with torch.no_grad():
        np.testing.assert_allclose(out.logits, model(torch.from_numpy(x))[0].numpy(), rtol=1e-4, atol=1e-4)


def _graph(nodes, inputs, outputs, initializers=(), opset=18) -> onnx.ModelProto:
    graph = helper.make_graph(nodes, "g", inputs, outputs, initializer=list(initializers))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def test_int64_shape_inputs_are_host_ints() -> None:
    """Reshape's int64 shape and Slice's int64 starts/ends come from initializers and a Shape chain."""
    nodes = [
        helper.make_node("Shape", ["x"], ["s"]),
        helper.make_node("Gather", ["s", "zero"], ["n"], axis=0),
        helper.make_node("Unsqueeze", ["n", "zero1"], ["n1"]),
        helper.make_node("Concat", ["n1", "minus1"], ["shape"], axis=0),
        helper.make_node("Reshape", ["x", "shape"], ["flat"]),
        helper.make_node("Slice", ["flat", "starts", "ends", "axes"], ["y"]),
    ]
    inits = [
        helper.make_tensor("zero", TensorProto.INT64, [], [0]),
        helper.make_tensor("zero1", TensorProto.INT64, [1], [0]),
        helper.make_tensor("minus1", TensorProto.INT64, [1], [-1]),
        helper.make_tensor("starts", TensorProto.INT64, [1], [1]),
        helper.make_tensor("ends", TensorProto.INT64, [1], [2 ** 62]),  # "to the end": past int32, on the host
        helper.make_tensor("axes", TensorProto.INT64, [1], [1]),
    ]
    model = _graph(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 2, 3])],
                   [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], inits)
    x = np.arange(24, dtype=np.float32).reshape(4, 2, 3)
    (y,) = backend.prepare(model).run([x])
    np.testing.assert_array_equal(y, x.reshape(4, -1)[:, 1:])


def test_int64_data_keeps_its_values_and_dtype() -> None:
    model = _graph([helper.make_node("Add", ["a", "b"], ["c"])],
                   [helper.make_tensor_value_info("a", TensorProto.INT64, [3])],
                   [helper.make_tensor_value_info("c", TensorProto.INT64, [3])],
                   [helper.make_tensor("b", TensorProto.INT64, [3], [1, -2, 3])])
    (c,) = backend.prepare(model).run([np.array([10, 20, 2 ** 31 - 10], dtype=np.int64)])
    assert c.dtype == np.int64
    np.testing.assert_array_equal(c, [11, 18, 2 ** 31 - 7])


def test_run_node_and_supports_device() -> None:
    node = helper.make_node("Gemm", ["a", "b", "c"], ["y"], transB=1, alpha=0.5)
    a, b, c = (np.random.default_rng(i).standard_normal(s).astype(np.float32) for i, s in
               enumerate([(2, 3), (4, 3), (4,)]))
    (y,) = backend.run_node(node, [a, b, c], device="CPU")
    np.testing.assert_allclose(y, 0.5 * a @ b.T + c, rtol=1e-5, atol=1e-6)
    assert backend.supports_device("CPU") and backend.supports_device("cpu") and backend.supports_device("reference")
    assert not backend.supports_device("TPU")


def test_unsupported_operator_is_one_clear_error() -> None:
    model = _graph([helper.make_node("Loop", ["m", "cond"], ["y"], name="my_loop")],
                   [helper.make_tensor_value_info("m", TensorProto.INT64, [])],
                   [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], opset=16)
    with pytest.raises(OnnxError) as err:
        backend.prepare(model)
    message = str(err.value)
    assert "Loop" in message and "opset 16" in message and "my_loop" in message and "control flow" in message
    assert not backend.TinyirBackend.is_compatible(model)


def test_bad_inputs_are_clear_errors() -> None:
    model = _graph([helper.make_node("Relu", ["x"], ["y"])],
                   [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
                   [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])])
    rep = backend.prepare(model)
    with pytest.raises(OnnxError, match="missing inputs"):
        rep.run([])
    with pytest.raises(OnnxError, match="not inputs of the graph"):
        rep.run({"z": np.zeros(2, np.float32)})
    with pytest.raises(OnnxError, match="unknown device|device"):
        backend.prepare(model, device="NOPE")


def test_tinyir_run_onnx_file(small_net, tmp_path) -> None:
    from tinyir.tools.run import main

    _, proto = small_net
    path = tmp_path / "net.onnx"
    onnx.save(proto, str(path))
    x = np.random.default_rng(2).standard_normal((2, 3, 16, 16)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    out = tmp_path / "out.npz"
    assert main([str(path), "--inputs", str(tmp_path / "x.npy"), "-o", str(out), "--device", "cpu", "--check"]) == 0
    got = np.load(out)
    logits, _ = backend.prepare(proto).run([x])
    np.testing.assert_allclose(got["out0"], logits, rtol=1e-6, atol=1e-6)
    assert main([str(tmp_path / "missing.onnx")]) == 1  # one error line, no traceback


@pytest.mark.parametrize("device", ["CPU", "OPENCL", "reference", "c"])
def test_every_device(device: str) -> None:
    """The same small graph (Conv, Relu, ReduceMean) on each device this machine has."""
    if not backend.supports_device(device):
        pytest.skip(f"{device} is not available here")
    rng = np.random.default_rng(0)
    w = rng.standard_normal((3, 2, 3, 3)).astype(np.float32)
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]), helper.make_node("Relu", ["c"], ["r"]),
             helper.make_node("ReduceMean", ["r"], ["y"], axes=[2, 3], keepdims=0)]
    model = _graph(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 5, 5])],
                   [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                   [helper.make_tensor("w", TensorProto.FLOAT, [3, 2, 3, 3], w.reshape(-1))], opset=13)
    x = rng.standard_normal((1, 2, 5, 5)).astype(np.float32)
    try:
        (y,) = backend.prepare(model, device=device).run([x])
    except Exception as exc:
        if "not available" in str(exc):
            pytest.skip(str(exc))
        raise
    want = torch.relu(torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding=1)).mean((2, 3))
    np.testing.assert_allclose(y, want.numpy(), rtol=1e-5, atol=1e-6)


def test_host_scalars_from_shape_arithmetic() -> None:
    """Shape -> Gather (0-d index) -> Add -> Range: numpy gives scalars there, kept as 0-d host arrays."""
    nodes = [helper.make_node("Shape", ["x"], ["s"]), helper.make_node("Gather", ["s", "zero"], ["n"]),
             helper.make_node("Add", ["n", "one"], ["n1"]), helper.make_node("Range", ["zero", "n1", "one"], ["r"]),
             helper.make_node("Cast", ["r"], ["rf"], to=TensorProto.FLOAT),
             helper.make_node("ReduceSum", ["x"], ["total"], keepdims=0),
             helper.make_node("Mul", ["rf", "total"], ["y"])]
    inits = [helper.make_tensor("zero", TensorProto.INT64, [], [0]), helper.make_tensor("one", TensorProto.INT64, [], [1])]
    model = _graph(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 2])],
                   [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], inits)
    x = np.ones((3, 2), np.float32)
    (y,) = backend.prepare(model).run([x])
    np.testing.assert_array_equal(y, np.arange(4, dtype=np.float32) * 6)


class TinyLM(torch.nn.Module):
    """Embedding, a causal transformer encoder layer, a vocabulary head."""

    def __init__(self) -> None:
        super().__init__()
        self.emb = torch.nn.Embedding(50, 32)
        self.layer = torch.nn.TransformerEncoderLayer(32, 4, 64, dropout=0.0, batch_first=True)
        self.out = torch.nn.Linear(32, 50)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        mask = torch.nn.Transformer.generate_square_subsequent_mask(ids.shape[1])
        return self.out(self.layer(self.emb(ids), src_mask=mask, is_causal=True))


def test_pytorch_transformer() -> None:
    """int64 token ids, Gather embedding, attention through MatMul/Softmax/Trilu, shape arithmetic on
    the host (the TorchScript exporter keeps some traced sizes as constants, so the shape is the
    exported one)."""
    ort = pytest.importorskip("onnxruntime")
    torch.manual_seed(0)
    model = TinyLM().eval()
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (torch.randint(0, 50, (2, 8)),), buf, dynamo=False, opset_version=17,
                          input_names=["ids"])
    proto = onnx.load_from_string(buf.getvalue())
    ids = torch.randint(0, 50, (2, 8))  # other tokens than exported with
    (got,) = backend.prepare(proto).run([ids.numpy()])
    (want,) = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"]).run(
        None, {"ids": ids.numpy()})
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
    with torch.no_grad():
        np.testing.assert_allclose(got, model(ids).numpy(), rtol=1e-4, atol=1e-4)
