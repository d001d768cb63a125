"""Model state: walking a model for its tensors, and the safetensors file format.

safetensors layout (https://huggingface.co/docs/safetensors): an unsigned little-endian 64-bit
header size N; N bytes of UTF-8 JSON mapping each name to {"dtype", "shape", "data_offsets":
[begin, end]} (offsets into the data section) plus an optional "__metadata__" of string pairs;
then the data section, each tensor's raw little-endian row-major bytes. Written here directly
(no safetensors package needed).
"""

from __future__ import annotations

import json
import os
import struct
import tempfile
from collections import OrderedDict
from typing import Any

import numpy as np

from tinyir.frontend.dtypes import DType, dtypes
from tinyir.frontend.tensor import Tensor

# safetensors dtype names of the tinyir dtypes
SAFE_DTYPES: dict[DType, str] = {
    dtypes.float32: "F32", dtypes.float16: "F16", dtypes.int32: "I32",
    dtypes.int8: "I8", dtypes.uint8: "U8", dtypes.bool: "BOOL",
    **{getattr(dtypes, name): code for name, code in (  # the dtypes this tinyir has of the wider set
        ("float64", "F64"), ("bfloat16", "BF16"), ("int64", "I64"), ("int16", "I16"), ("uint16", "U16"),
        ("uint32", "U32"), ("uint64", "U64")) if hasattr(dtypes, name)},
}
# other safetensors dtypes a file may hold: loaded and converted to the nearest tinyir dtype
_WIDENED: dict[str, tuple[str, DType]] = {
    "F64": ("<f8", dtypes.float32), "I64": ("<i8", dtypes.int32), "I16": ("<i2", dtypes.int32),
    "U16": ("<u2", dtypes.int32), "U32": ("<u4", dtypes.int32),
}


def get_state_dict(obj: Any, prefix: str = "", tensor_type: type = Tensor) -> dict[str, Tensor]:
    """Every tensor reachable from `obj` through attributes, lists, tuples and dicts, by dotted
    name ("layers.0.weight"), in attribute order."""
    if isinstance(obj, tensor_type):
        return {prefix.strip("."): obj}
    if hasattr(obj, "_asdict"):  # namedtuple
        return get_state_dict(obj._asdict(), prefix, tensor_type)
    if isinstance(obj, OrderedDict):
        return get_state_dict(dict(obj), prefix, tensor_type)
    state: dict[str, Tensor] = {}
    if isinstance(obj, (list, tuple)):
        for i, x in enumerate(obj):
            state.update(get_state_dict(x, f"{prefix}{i}.", tensor_type))
    elif isinstance(obj, dict):
        for k, v in obj.items():
            state.update(get_state_dict(v, f"{prefix}{k}.", tensor_type))
    elif hasattr(obj, "__dict__") and not isinstance(obj, type):
        for k, v in vars(obj).items():
            state.update(get_state_dict(v, f"{prefix}{k}.", tensor_type))
    return state


def get_parameters(obj: Any) -> list[Tensor]:
    """The model's tensors as a list (each once), for an optimizer."""
    seen: set[int] = set()
    out = []
    for t in get_state_dict(obj).values():
        if id(t) not in seen:
            seen.add(id(t))
            out.append(t)
    return out


def load_state_dict(model: Any, state_dict: dict[str, Tensor], strict: bool = True, verbose: bool = False,
                    consume: bool = False) -> None:
    """Copy `state_dict`'s tensors into the model's tensors of the same names (shapes must match;
    values are cast to the model's dtypes). With strict, a missing or unexpected key is an error."""
    model_state = get_state_dict(model)
    if strict:
        missing = sorted(set(model_state) - set(state_dict))
        unexpected = sorted(set(state_dict) - set(model_state))
        if missing or unexpected:
            raise KeyError(f"load_state_dict: missing keys {missing}, unexpected keys {unexpected}")
    for name, target in model_state.items():
        if name not in state_dict:
            if verbose:
                print(f"load_state_dict: {name} not in the state dict, left as is")
            continue
        source = state_dict[name]
        if source.shape != target.shape:
            raise ValueError(f"load_state_dict: {name} has shape {source.shape} in the state dict, "
                             f"{target.shape} in the model")
        # a fresh buffer: the model must not share a node with the state dict
        target.assign(Tensor(source.to(target.device).cast(target.dtype).numpy(), device=target.device))
        target.realize()
        if consume:
            del state_dict[name]


def _header(tensors: dict[str, Tensor], metadata: dict[str, str] | None) -> tuple[bytes, list[np.ndarray]]:
    header: dict[str, Any] = {}
    if metadata:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise TypeError("safe_save: metadata must map strings to strings")
        header["__metadata__"] = dict(metadata)
    arrays, offset = [], 0
    for name, t in tensors.items():
        if t.dtype not in SAFE_DTYPES:
            raise TypeError(f"safe_save: {name} has dtype {t.dtype.name}, which safetensors cannot hold")
        arr = np.ascontiguousarray(t.numpy()).astype(t.dtype.np.newbyteorder("<"), copy=False)
        header[name] = {"dtype": SAFE_DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + arr.nbytes]}
        arrays.append(arr)
        offset += arr.nbytes
    text = json.dumps(header, separators=(",", ":")).encode()
    return text + b" " * (-len(text) % 8), arrays  # padded so the data starts 8-byte aligned


def safe_save(tensors: dict[str, Tensor], fn: str | os.PathLike, metadata: dict[str, str] | None = None) -> None:
    """Write `tensors` (name -> Tensor) to `fn` in the safetensors format.

    All or nothing: the data goes to a temporary file beside `fn`, renamed over it at the end."""
    header, arrays = _header(tensors, metadata)
    folder = os.path.dirname(os.path.abspath(fn))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".safetensors-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(struct.pack("<Q", len(header)))
            f.write(header)
            for arr in arrays:
                f.write(arr.tobytes())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, fn)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _read_header(data: memoryview, fn: Any) -> tuple[dict[str, Any], int]:
    if len(data) < 8:
        raise ValueError(f"safe_load: {fn} is too short to be a safetensors file")
    (size,) = struct.unpack("<Q", data[:8])
    if 8 + size > len(data):
        raise ValueError(f"safe_load: {fn} declares a {size}-byte header but has {len(data) - 8} bytes after the size")
    try:
        header = json.loads(bytes(data[8:8 + size]).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"safe_load: {fn} has a malformed header: {exc}") from exc
    return header, 8 + size


def safe_load_metadata(fn: str | os.PathLike) -> dict[str, str]:
    from tinyir.frontend.nn.checkpoint import safetensors_header

    return safetensors_header(fn)[0].get("__metadata__", {})


def safe_load(fn: str | os.PathLike | Tensor, device: str | None = None) -> dict[str, Tensor]:
    """Read a safetensors file (a path, or a uint8 Tensor of its bytes) into name -> Tensor. A path
    is memory-mapped (tinyir/frontend/nn/checkpoint.py): only the tensors' bytes are read; dtypes
    this tinyir lacks are widened (bf16 -> f32) or narrowed where every value fits (i64 -> i32)."""
    if not isinstance(fn, Tensor):
        from tinyir.frontend.nn.checkpoint import safetensors_load

        return safetensors_load(fn, device)
    raw = fn.numpy().tobytes()
    data = memoryview(raw)
    header, start = _read_header(data, fn)
    by_name = {v: k for k, v in SAFE_DTYPES.items()}
    out: dict[str, Tensor] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        shape = tuple(info["shape"])
        if info["dtype"] in by_name:
            dt = by_name[info["dtype"]]
            np_dtype = dt.np.newbyteorder("<")
        elif info["dtype"] in _WIDENED:
            np_dtype, dt = np.dtype(_WIDENED[info["dtype"]][0]), _WIDENED[info["dtype"]][1]
        else:
            raise TypeError(f"safe_load: {name} has dtype {info['dtype']}, which tinyir does not support")
        if not 0 <= begin <= end <= len(data) - start or (end - begin) != int(np.prod(shape)) * np_dtype.itemsize:
            raise ValueError(f"safe_load: {name} has bad data_offsets {[begin, end]} for shape {shape}")
        arr = np.frombuffer(data[start + begin:start + end], dtype=np_dtype).reshape(shape)
        out[name] = Tensor(arr.astype(dt.np), device=device)
    return out


from tinyir.frontend.nn.checkpoint import CheckpointError, gguf_load, torch_load

__all__ = [
    "CheckpointError",
    "get_parameters",
    "get_state_dict",
    "gguf_load",
    "load_state_dict",
    "safe_load",
    "safe_load_metadata",
    "safe_save",
    "torch_load",
]
