"""Checkpoint readers: safetensors through a memory map, PyTorch .pt/.pth through a restricted
unpickler, and GGUF (F32, F16, BF16, Q8_0).

Every reader returns numpy-backed Tensors in a dtype tinyir has: a file dtype tinyir lacks is widened
(bfloat16 -> float32) or narrowed where every value fits (int64 -> int32), and refused with a
CheckpointError naming the tensor otherwise.

safetensors: an 8-byte little-endian header size, a JSON header (name -> dtype, shape,
data_offsets), then the data. The file is memory-mapped: only the header and the tensors' own bytes
are ever read.

PyTorch (zip format, torch >= 1.6): `archive/data.pkl` is a pickle whose persistent ids name the
storages `archive/data/<key>`. The unpickler resolves only the globals a state dict needs (tensor
rebuild functions, storage types, OrderedDict); any other global -- `os.system`, `builtins.eval`,
a model class -- is refused before it is called, so a malicious file runs nothing.

GGUF (https://github.com/ggml-org/ggml/blob/master/docs/gguf.md): "GGUF", version, tensor and
key/value counts, the key/values, then per tensor its name, dims (fastest first), type and offset
into the data section, which starts at the next multiple of `general.alignment` (32 by default).
"""

from __future__ import annotations

import json
import os
import pickle
import struct
import zipfile
from collections import OrderedDict
from typing import Any

import numpy as np

from tinyir.element_types import BFLOAT16
from tinyir.errors import TinyirError
from tinyir.frontend.dtypes import from_numpy
from tinyir.frontend.tensor import Tensor


class CheckpointError(TinyirError, ValueError):
    """A checkpoint file tinyir cannot or will not load (malformed, unsafe, an unsupported dtype)."""


def tinyir_array(arr: np.ndarray, what: str) -> np.ndarray:
    """`arr` in a dtype tinyir has: kept where it has it, else bf16 -> f32, f64 -> f32, and 64-bit
    ints -> int32 when every value fits."""
    try:
        from_numpy(arr.dtype)
        return arr
    except TinyirError:
        pass
    if arr.dtype == BFLOAT16 or arr.dtype == np.float64:
        return arr.astype(np.float32)
    if arr.dtype.kind in "iu":
        if arr.size and (int(arr.min()) < -(2 ** 31) or int(arr.max()) > 2 ** 31 - 1):
            raise CheckpointError(f"{what}: {arr.dtype} values outside int32's range and this tinyir has no {arr.dtype}")
        return arr.astype(np.int32)
    raise CheckpointError(f"{what}: dtype {arr.dtype} is not supported by tinyir")


def _tensor(arr: np.ndarray, what: str, device: str | None) -> Tensor:
    return Tensor(np.array(tinyir_array(arr, what), order="C"), device=device)  # its own copy, off the map


# ------------------------------------------------------------------------------------ safetensors
SAFETENSORS_DTYPES = {
    "F64": np.dtype("<f8"), "F32": np.dtype("<f4"), "F16": np.dtype("<f2"), "BF16": BFLOAT16,
    "I64": np.dtype("<i8"), "I32": np.dtype("<i4"), "I16": np.dtype("<i2"), "I8": np.dtype("i1"),
    "U64": np.dtype("<u8"), "U32": np.dtype("<u4"), "U16": np.dtype("<u2"), "U8": np.dtype("u1"),
    "BOOL": np.dtype("?"),
}


def safetensors_header(fn: str | os.PathLike) -> tuple[dict[str, Any], int]:
    """The JSON header and where the data starts; reads only the header's bytes."""
    size_on_disk = os.path.getsize(fn)
    with open(fn, "rb") as f:
        head = f.read(8)
        if len(head) < 8:
            raise CheckpointError(f"{fn}: too short to be a safetensors file")
        (size,) = struct.unpack("<Q", head)
        if 8 + size > size_on_disk:
            raise CheckpointError(f"{fn}: declares a {size}-byte header but has {size_on_disk - 8} bytes after the size")
        try:
            header = json.loads(f.read(size).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CheckpointError(f"{fn}: malformed safetensors header: {exc}") from exc
    if not isinstance(header, dict):
        raise CheckpointError(f"{fn}: the safetensors header is not a JSON object")
    return header, 8 + size


def safetensors_arrays(fn: str | os.PathLike) -> dict[str, np.ndarray]:
    """name -> a read-only numpy view into the memory-mapped file (in the file's dtype)."""
    header, start = safetensors_header(fn)
    data_len = os.path.getsize(fn) - start
    mapped = np.memmap(fn, dtype=np.uint8, mode="r") if data_len > 0 else np.zeros(0, np.uint8)
    out: dict[str, np.ndarray] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = SAFETENSORS_DTYPES.get(info.get("dtype"))
        if dtype is None:
            raise CheckpointError(f"{fn}: tensor {name!r} has dtype {info.get('dtype')!r}, which tinyir cannot read")
        shape = tuple(int(s) for s in info["shape"])
        begin, end = (int(v) for v in info["data_offsets"])
        if not 0 <= begin <= end <= data_len or end - begin != int(np.prod(shape)) * dtype.itemsize:
            raise CheckpointError(f"{fn}: tensor {name!r} has bad data_offsets {[begin, end]} for shape {shape}")
        out[name] = mapped[start + begin:start + end].view(dtype).reshape(shape)
    return out


def safetensors_load(fn: str | os.PathLike, device: str | None = None) -> dict[str, Tensor]:
    """Read a safetensors file into name -> Tensor through a memory map."""
    return {name: _tensor(arr, f"{fn}: {name}", device) for name, arr in safetensors_arrays(fn).items()}


# ----------------------------------------------------------------------------------- PyTorch .pt
TORCH_STORAGES = {
    "FloatStorage": np.dtype("<f4"), "DoubleStorage": np.dtype("<f8"), "HalfStorage": np.dtype("<f2"),
    "BFloat16Storage": BFLOAT16, "LongStorage": np.dtype("<i8"), "IntStorage": np.dtype("<i4"),
    "ShortStorage": np.dtype("<i2"), "CharStorage": np.dtype("i1"), "ByteStorage": np.dtype("u1"),
    "BoolStorage": np.dtype("?"),
}


class _StorageType:
    def __init__(self, name: str):
        self.name, self.dtype = name, TORCH_STORAGES[name]


def _rebuild_tensor(storage: np.ndarray, offset: int, size: tuple[int, ...], stride: tuple[int, ...],
                    *_rest: Any) -> np.ndarray:
    """The tensor view (offset, size, stride in elements) of a storage, copied out."""
    count = 1 + sum((s - 1) * st for s, st in zip(size, stride)) if all(size) else 0
    if offset < 0 or offset + count > storage.size:
        raise CheckpointError(f"a tensor of size {tuple(size)} and stride {tuple(stride)} at offset {offset} "
                              f"does not fit its storage of {storage.size} elements")
    if not size:
        return storage[offset:offset + 1].reshape(()).copy()
    view = np.lib.stride_tricks.as_strided(storage[offset:], shape=tuple(size),
                                           strides=tuple(st * storage.itemsize for st in stride), writeable=False)
    return np.array(view)


def _rebuild_parameter(data: np.ndarray, *_rest: Any) -> np.ndarray:
    return data


# the only globals a state dict may name: (module, name) -> what it becomes
_ALLOWED_GLOBALS: dict[tuple[str, str], Any] = {
    ("collections", "OrderedDict"): OrderedDict,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
    ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    **{("torch", name): _StorageType(name) for name in TORCH_STORAGES},
}


class RestrictedUnpickler(pickle.Unpickler):
    """Resolves only tensor storage, tensor rebuilds and OrderedDict; refuses every other global."""

    def __init__(self, file: Any, storage: Any, where: str):
        super().__init__(file)
        self._storage, self._where = storage, where

    def find_class(self, module: str, name: str) -> Any:
        allowed = _ALLOWED_GLOBALS.get((module, name))
        if allowed is None:
            raise CheckpointError(f"{self._where}: refused to load global {module}.{name}: a checkpoint may hold only "
                                  "tensors and plain containers (dict, list, tuple, OrderedDict, numbers, strings)")
        return allowed

    def persistent_load(self, pid: Any) -> Any:
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage" and isinstance(pid[1], _StorageType)):
            raise CheckpointError(f"{self._where}: unexpected persistent id {pid!r} (only tensor storages)")
        return self._storage(pid[1], str(pid[2]), int(pid[4]))


def _load_torch_arrays(fn: str | os.PathLike) -> Any:
    """The pickled object with each tensor as a numpy array."""
    if not zipfile.is_zipfile(fn):
        raise CheckpointError(f"{fn}: not a zip-format PyTorch checkpoint (the legacy format of torch < 1.6 is not "
                              "supported: load it in PyTorch and save it again)")
    with zipfile.ZipFile(fn) as archive:
        names = archive.namelist()
        pickles = [n for n in names if n.endswith("/data.pkl") or n == "data.pkl"]
        if not pickles:
            raise CheckpointError(f"{fn}: no data.pkl in the archive")
        prefix = pickles[0][: -len("data.pkl")]
        byteorder = archive.read(prefix + "byteorder").decode().strip() if prefix + "byteorder" in names else "little"
        if byteorder != "little":
            raise CheckpointError(f"{fn}: big-endian checkpoints are not supported")
        loaded: dict[str, np.ndarray] = {}

        def storage(kind: _StorageType, key: str, numel: int) -> np.ndarray:
            if key not in loaded:
                entry = f"{prefix}data/{key}"
                if entry not in names:
                    raise CheckpointError(f"{fn}: storage {key} is missing from the archive")
                raw = archive.read(entry)
                if len(raw) < numel * kind.dtype.itemsize:
                    raise CheckpointError(f"{fn}: storage {key} holds {len(raw)} bytes, fewer than {numel} "
                                          f"{kind.name} elements")
                loaded[key] = np.frombuffer(raw, dtype=kind.dtype, count=numel)
            return loaded[key]

        with archive.open(pickles[0]) as f:
            try:
                return RestrictedUnpickler(f, storage, str(fn)).load()
            except CheckpointError:
                raise
            except (pickle.UnpicklingError, EOFError, TypeError, ValueError, AttributeError) as exc:
                raise CheckpointError(f"{fn}: malformed checkpoint pickle: {exc}") from exc


def torch_load(fn: str | os.PathLike, device: str | None = None) -> Any:
    """Load a PyTorch .pt/.pth file (`torch.save` of a state dict or of containers of tensors) with
    every tensor as a tinyir Tensor, the containers kept; nothing in the file is executed."""
    def convert(obj: Any, path: str) -> Any:
        if isinstance(obj, np.ndarray):
            return _tensor(obj, f"{fn}: {path or 'tensor'}", device)
        if isinstance(obj, dict):
            return type(obj)((k, convert(v, f"{path}.{k}" if path else str(k))) for k, v in obj.items())
        if isinstance(obj, (list, tuple)):
            return type(obj)(convert(v, f"{path}.{i}" if path else str(i)) for i, v in enumerate(obj))
        return obj
    return convert(_load_torch_arrays(fn), "")


# ----------------------------------------------------------------------------------------- GGUF
GGML_F32, GGML_F16, GGML_Q8_0, GGML_BF16 = 0, 1, 8, 30
_Q8_0_BLOCK = 32  # values per block: a float16 scale, then 32 int8s
_GGUF_SCALARS = {0: "<u1", 1: "<i1", 2: "<u2", 3: "<i2", 4: "<u4", 5: "<i4", 6: "<f4", 7: "?", 10: "<u8",
                 11: "<i8", 12: "<f8"}
_GGUF_STRING, _GGUF_ARRAY = 8, 9


class _Reader:
    def __init__(self, data: np.ndarray, fn: Any):
        self.data, self.pos, self.fn = data, 0, fn

    def take(self, n: int) -> np.ndarray:
        if self.pos + n > self.data.size:
            raise CheckpointError(f"{self.fn}: truncated GGUF file (needs {n} bytes at offset {self.pos})")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def scalar(self, fmt: str) -> Any:
        dt = np.dtype(fmt)
        return self.take(dt.itemsize).view(dt)[0].item()

    def string(self) -> str:
        return bytes(self.take(self.scalar("<u8"))).decode("utf-8", errors="replace")

    def value(self, kind: int) -> Any:
        if kind in _GGUF_SCALARS:
            return self.scalar(_GGUF_SCALARS[kind])
        if kind == _GGUF_STRING:
            return self.string()
        if kind == _GGUF_ARRAY:
            item, count = self.scalar("<u4"), self.scalar("<u8")
            return [self.value(item) for _ in range(count)]
        raise CheckpointError(f"{self.fn}: unknown GGUF value type {kind}")


def _dequantize_q8_0(raw: np.ndarray, count: int) -> np.ndarray:
    blocks = raw.reshape(-1, 2 + _Q8_0_BLOCK)
    scales = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    values = blocks[:, 2:].copy().view(np.int8).astype(np.float32)
    return (values * scales).reshape(-1)[:count]


def gguf_load(fn: str | os.PathLike, device: str | None = None) -> tuple[dict[str, Tensor], dict[str, Any]]:
    """Read a GGUF file (memory-mapped): name -> Tensor (F32, F16, BF16 as stored or widened; Q8_0
    dequantized to float32) and the key/value metadata."""
    data = np.memmap(fn, dtype=np.uint8, mode="r")
    r = _Reader(data, fn)
    if bytes(r.take(4)) != b"GGUF":
        raise CheckpointError(f"{fn}: not a GGUF file (no GGUF magic)")
    version = r.scalar("<u4")
    if version not in (2, 3):
        raise CheckpointError(f"{fn}: GGUF version {version} is not supported (2 and 3 are)")
    n_tensors, n_kv = r.scalar("<u8"), r.scalar("<u8")
    metadata: dict[str, Any] = {}
    for _ in range(n_kv):
        key = r.string()
        metadata[key] = r.value(r.scalar("<u4"))
    infos = []
    for _ in range(n_tensors):
        name = r.string()
        dims = [r.scalar("<u8") for _ in range(r.scalar("<u4"))]
        infos.append((name, tuple(reversed(dims)), r.scalar("<u4"), r.scalar("<u8")))
    alignment = int(metadata.get("general.alignment", 32))
    start = -(-r.pos // alignment) * alignment
    tensors: dict[str, Tensor] = {}
    for name, shape, kind, offset in infos:
        count = int(np.prod(shape))
        at = start + offset
        if kind in (GGML_F32, GGML_F16, GGML_BF16):
            dtype = {GGML_F32: np.dtype("<f4"), GGML_F16: np.dtype("<f2"), GGML_BF16: BFLOAT16}[kind]
            nbytes = count * dtype.itemsize
            arr = data[at:at + nbytes].view(dtype) if at + nbytes <= data.size else None
        elif kind == GGML_Q8_0:
            if count % _Q8_0_BLOCK:
                raise CheckpointError(f"{fn}: Q8_0 tensor {name!r} of {count} values is not whole blocks of 32")
            nbytes = count // _Q8_0_BLOCK * (2 + _Q8_0_BLOCK)
            arr = _dequantize_q8_0(data[at:at + nbytes], count) if at + nbytes <= data.size else None
        else:
            raise CheckpointError(f"{fn}: tensor {name!r} has GGML type {kind}; tinyir reads F32 (0), F16 (1), "
                                  "Q8_0 (8) and BF16 (30)")
        if arr is None:
            raise CheckpointError(f"{fn}: tensor {name!r} runs past the end of the file")
        tensors[name] = _tensor(arr.reshape(shape), f"{fn}: {name}", device)
    return tensors, metadata


__all__ = ["CheckpointError", "RestrictedUnpickler", "gguf_load", "safetensors_arrays", "safetensors_load",
           "tinyir_array", "torch_load"]
