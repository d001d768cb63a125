"""nn.state: state dicts of nested models, load_state_dict, and safetensors files (written by
safe_save, checked with an independent reader that follows the format's spec)."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest
from test_tensor_helpers import tensor_test_device  # noqa: F401 - an autouse fixture: TINYIR_TEST_DEVICE

from tinyir import Tensor, dtypes, nn
from tinyir.nn.state import get_parameters, get_state_dict, load_state_dict, safe_load, safe_load_metadata, safe_save


class Block:
    def __init__(self) -> None:
        self.fc = nn.Linear(3, 2)
        self.norm = nn.BatchNorm(2)


class Model:
    def __init__(self) -> None:
        self.blocks = [Block(), Block()]
        self.head = {"out": nn.Linear(2, 1, bias=False)}
        self.scale = 0.5  # not a tensor: ignored


def read_safetensors_by_spec(path: Path) -> tuple[dict, dict[str, np.ndarray]]:
    """A plain reader: u64 LE header length, JSON header, raw little-endian data."""
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    kinds = {"F32": "<f4", "F16": "<f2", "I32": "<i4", "I8": "i1", "U8": "u1", "BOOL": "?"}
    data = raw[8 + n:]
    arrays = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        arrays[name] = np.frombuffer(data[begin:end], dtype=kinds[info["dtype"]]).reshape(info["shape"])
    return header, arrays


def test_state_dict_names_follow_attributes_lists_and_dicts() -> None:
    names = list(get_state_dict(Model()))
    assert names == [
        "blocks.0.fc.weight", "blocks.0.fc.bias", "blocks.0.norm.weight", "blocks.0.norm.bias",
        "blocks.0.norm.num_batches_tracked", "blocks.0.norm.running_mean", "blocks.0.norm.running_var",
        "blocks.1.fc.weight", "blocks.1.fc.bias", "blocks.1.norm.weight", "blocks.1.norm.bias",
        "blocks.1.norm.num_batches_tracked", "blocks.1.norm.running_mean", "blocks.1.norm.running_var",
        "head.out.weight"]


def test_get_parameters_lists_each_tensor_once() -> None:
    layer = nn.Linear(2, 2)
    shared = [layer, layer]
    assert get_parameters(shared) == [layer.weight, layer.bias]


def test_safe_save_and_load_round_trip(tmp_path: Path) -> None:
    tensors = {
        "f32": Tensor(np.arange(12, dtype=np.float32).reshape(3, 4) / 7),
        "f16": Tensor(np.array([1.5, -2.25], np.float16)),
        "i32": Tensor(np.array([[-(2**31), 2**31 - 1]], np.int32)),
        "i8": Tensor(np.array([-128, 127], np.int8)),
        "u8": Tensor(np.array([0, 255], np.uint8)),
        "bool": Tensor(np.array([True, False, True])),
        "scalar": Tensor(np.array(3.0, np.float32)),
        "empty": Tensor(np.zeros((0, 2), np.float32)),
    }
    path = tmp_path / "t.safetensors"
    safe_save(tensors, path, metadata={"format": "pt"})
    loaded = safe_load(path)
    assert list(loaded) == list(tensors)
    for name, t in tensors.items():
        assert loaded[name].dtype == t.dtype and loaded[name].shape == t.shape, name
        np.testing.assert_array_equal(loaded[name].numpy(), t.numpy())
    assert safe_load_metadata(path) == {"format": "pt"}


def test_file_follows_the_safetensors_spec(tmp_path: Path) -> None:
    path = tmp_path / "m.safetensors"
    weights = np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)
    safe_save({"w": Tensor(weights), "n": Tensor(np.array([7], np.int32))}, path)
    header, arrays = read_safetensors_by_spec(path)
    (header_len,) = struct.unpack("<Q", path.read_bytes()[:8])
    assert (8 + header_len) % 8 == 0  # data section aligned
    assert header["w"] == {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}
    assert header["n"] == {"dtype": "I32", "shape": [1], "data_offsets": [24, 28]}
    np.testing.assert_array_equal(arrays["w"], weights)
    assert arrays["n"].tolist() == [7]
    assert path.stat().st_size == 8 + header_len + 28


def test_safe_load_reads_a_file_written_by_hand(tmp_path: Path) -> None:
    """A file another writer made (no padding, I64 data) loads, the I64 kept (tinyir has int64)."""
    header = json.dumps({"a": {"dtype": "I64", "shape": [2], "data_offsets": [0, 16]},
                         "b": {"dtype": "F32", "shape": [], "data_offsets": [16, 20]}}).encode()
    data = np.array([5, -6], "<i8").tobytes() + np.array(2.5, "<f4").tobytes()
    path = tmp_path / "hand.safetensors"
    path.write_bytes(struct.pack("<Q", len(header)) + header + data)
    loaded = safe_load(path)
    assert loaded["a"].dtype == dtypes.int64 and loaded["a"].tolist() == [5, -6]
    assert loaded["b"].shape == () and loaded["b"].item() == 2.5


def test_safe_load_rejects_bad_offsets(tmp_path: Path) -> None:
    header = json.dumps({"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 8]}}).encode()
    path = tmp_path / "bad.safetensors"
    path.write_bytes(struct.pack("<Q", len(header)) + header + bytes(8))
    with pytest.raises(ValueError, match="data_offsets"):
        safe_load(path)


def test_model_round_trip_through_a_file(tmp_path: Path) -> None:
    source, dest = Model(), Model()
    path = tmp_path / "model.safetensors"
    safe_save(get_state_dict(source), path)
    load_state_dict(dest, safe_load(path))
    for name, t in get_state_dict(source).items():
        np.testing.assert_array_equal(get_state_dict(dest)[name].numpy(), t.numpy(), err_msg=name)
    x = Tensor(np.ones((4, 3), np.float32))
    np.testing.assert_array_equal(dest.blocks[0].fc(x).numpy(), source.blocks[0].fc(x).numpy())


def test_load_state_dict_checks_keys_and_shapes() -> None:
    layer = nn.Linear(3, 2)
    with pytest.raises(KeyError, match="missing keys \\['bias'\\]"):
        load_state_dict(layer, {"weight": Tensor(np.zeros((2, 3), np.float32))})
    with pytest.raises(ValueError, match="shape"):
        load_state_dict(layer, {"weight": Tensor(np.zeros((3, 2), np.float32)), "bias": Tensor(np.zeros(2, np.float32))})
    load_state_dict(layer, {"weight": Tensor(np.ones((2, 3), np.float32))}, strict=False)
    assert layer.weight.numpy().tolist() == [[1.0] * 3] * 2


def test_loaded_tensor_is_not_shared_with_the_state_dict() -> None:
    layer = nn.Linear(1, 1, bias=False)
    source = {"weight": Tensor(np.array([[2.0]], np.float32))}
    load_state_dict(layer, source)
    layer.weight.assign(layer.weight * 3).realize()
    assert source["weight"].item() == 2.0 and layer.weight.item() == 6.0
