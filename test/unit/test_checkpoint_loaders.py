"""Checkpoint readers (tinyir/frontend/nn/checkpoint.py): safetensors through a memory map with bf16
and int64, PyTorch .pt/.pth through a restricted unpickler (a malicious pickle runs nothing), GGUF
(F32, F16, Q8_0) written by the gguf package."""

from __future__ import annotations

import builtins
import json
import os
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest

from tinyir import dtypes
from tinyir.frontend.nn import checkpoint
from tinyir.nn.state import CheckpointError, gguf_load, safe_load, torch_load

torch = pytest.importorskip("torch")


def _write_safetensors(path: Path, tensors: dict[str, torch.Tensor]) -> None:
    """A safetensors file written here from PyTorch tensors' raw bytes (no safetensors package)."""
    codes = {torch.float32: "F32", torch.bfloat16: "BF16", torch.int64: "I64", torch.float16: "F16",
             torch.bool: "BOOL"}
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        raw = t.contiguous().view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": codes[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def test_safetensors_bf16_and_int64_through_a_memory_map(tmp_path: Path, monkeypatch) -> None:
    torch.manual_seed(0)
    tensors = {"w": torch.randn(64, 32).to(torch.bfloat16), "ids": torch.tensor([3, -2 ** 40, 2 ** 62]),
               "h": torch.randn(5).half(), "mask": torch.tensor([True, False])}
    path = tmp_path / "m.safetensors"
    _write_safetensors(path, tensors)
    read_sizes = []
    real_open = builtins.open

    class Counting:
        def __init__(self, f):
            self.f = f

        def read(self, n=-1):
            data = self.f.read(n)
            read_sizes.append(len(data))
            return data

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

    monkeypatch.setattr(checkpoint, "open", lambda *a, **k: Counting(real_open(*a, **k)), raising=False)
    loaded = safe_load(path)
    header_len = struct.unpack("<Q", path.read_bytes()[:8])[0]
    assert sum(read_sizes) == 8 + header_len  # the data came through the memory map, not read()
    w = loaded["w"]
    if hasattr(dtypes, "bfloat16"):
        assert w.dtype == dtypes.bfloat16
    np.testing.assert_array_equal(w.float().numpy(), tensors["w"].float().numpy())
    ids = loaded["ids"]
    assert ids.dtype == dtypes.int64 and ids.tolist() == [3, -2 ** 40, 2 ** 62]
    np.testing.assert_array_equal(loaded["h"].numpy(), tensors["h"].numpy())
    assert loaded["mask"].tolist() == [True, False]


def test_int64_narrowed_only_where_tinyir_lacks_it_and_values_fit(monkeypatch) -> None:
    """Without an int64 dtype (simulated), int64 data that fits becomes int32; data that does not is refused."""
    from tinyir.errors import TinyirError

    real = checkpoint.from_numpy

    def no_int64(dt):
        if np.dtype(dt) == np.int64:
            raise TinyirError("no int64")
        return real(dt)

    monkeypatch.setattr(checkpoint, "from_numpy", no_int64)
    narrowed = checkpoint.tinyir_array(np.array([1, -(2 ** 31)], np.int64), "ids")
    assert narrowed.dtype == np.int32 and narrowed.tolist() == [1, -(2 ** 31)]
    with pytest.raises(CheckpointError, match="ids: int64 values outside int32's range"):
        checkpoint.tinyir_array(np.array([2 ** 40], np.int64), "ids")


def test_torch_state_dict_round_trip(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3))
    state = model.state_dict()
    extra = {"model": state, "step": 7, "names": ["a", "b"], "bf16": torch.randn(3, 2).to(torch.bfloat16),
             "strided": torch.arange(12.0).reshape(3, 4).t(), "ids": torch.tensor([1, 2 ** 40])}
    path = tmp_path / "ckpt.pth"
    torch.save(extra, path)
    loaded = torch_load(path)
    assert loaded["step"] == 7 and loaded["names"] == ["a", "b"]
    for name, t in state.items():
        np.testing.assert_array_equal(loaded["model"][name].numpy(), t.numpy(), err_msg=name)
    assert loaded["model"]["1.num_batches_tracked"].dtype == dtypes.int64
    np.testing.assert_array_equal(loaded["bf16"].float().numpy(), extra["bf16"].float().numpy())
    np.testing.assert_array_equal(loaded["strided"].numpy(), extra["strided"].numpy())  # a transposed view
    assert loaded["ids"].tolist() == [1, 2 ** 40]


class _Evil:
    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_malicious_pickle_is_refused_without_running_it(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    torch.save({"weight": torch.ones(2), "payload": _Evil(marker)}, path)
    with pytest.raises(CheckpointError, match=r"refused to load global (posix|os|nt)\.system"):
        torch_load(path)
    assert not marker.exists()


def test_other_globals_and_legacy_files_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.pt"
    torch.save(torch.nn.Linear(2, 2), path)  # a whole module: its class is a global
    with pytest.raises(CheckpointError, match="refused to load global torch.nn"):
        torch_load(path)
    legacy = tmp_path / "legacy.pt"
    legacy.write_bytes(b"\x80\x02}q\x00.")
    with pytest.raises(CheckpointError, match="not a zip-format"):
        torch_load(legacy)
    broken = tmp_path / "broken.pt"
    with zipfile.ZipFile(broken, "w") as z:
        z.writestr("archive/data.pkl", b"\x80\x02(")
    with pytest.raises(CheckpointError, match="malformed"):
        torch_load(broken)


def test_gguf_f32_f16_q8_0(tmp_path: Path) -> None:
    gguf = pytest.importorskip("gguf")
    rng = np.random.default_rng(0)
    f32 = rng.standard_normal((3, 5)).astype(np.float32)
    f16 = rng.standard_normal((4, 2)).astype(np.float16)
    q_src = rng.standard_normal((2, 64)).astype(np.float32)
    q8 = gguf.quants.quantize(q_src, gguf.GGMLQuantizationType.Q8_0)
    path = tmp_path / "m.gguf"
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_uint32("test.count", 3)
    writer.add_string("test.name", "tiny")
    writer.add_tensor("f32", f32)
    writer.add_tensor("f16", f16)
    writer.add_tensor("q8", q8, raw_dtype=gguf.GGMLQuantizationType.Q8_0)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    tensors, meta = gguf_load(path)
    assert meta["test.count"] == 3 and meta["test.name"] == "tiny" and meta["general.architecture"] == "llama"
    np.testing.assert_array_equal(tensors["f32"].numpy(), f32)
    np.testing.assert_array_equal(tensors["f16"].numpy(), f16)
    want = gguf.quants.dequantize(q8, gguf.GGMLQuantizationType.Q8_0)
    assert tensors["q8"].shape == (2, 64)
    np.testing.assert_allclose(tensors["q8"].numpy(), want, rtol=0, atol=1e-6)
    np.testing.assert_allclose(tensors["q8"].numpy(), q_src, atol=0.02)  # and near the source values


def test_gguf_bad_magic(tmp_path: Path) -> None:
    path = tmp_path / "x.gguf"
    path.write_bytes(b"NOPE" + bytes(20))
    with pytest.raises(CheckpointError, match="not a GGUF file"):
        gguf_load(path)
