"""Collectives over several devices' buffers: all-reduce, all-gather, broadcast.

Two ways to run one, chosen by the buffers' devices:
  * every buffer on a distinct CUDA GPU (`cuda`, `cuda:1`, ...): NVIDIA's NCCL through cupy's
    binding (`cupy.cuda.nccl`, an optional dependency), on the device buffers themselves, enqueued
    on each GPU's default stream after the kernels already launched there: no host round trip;
  * anything else (cpu:N, opencl:N, reference, a mix): the host fallback copies every buffer to the
    host, combines the arrays in device order, and uploads the result to every device. It gives
    the same values (sums are accumulated in the buffers' dtype, one device after the other) and
    says so at DEBUG=1.
A collective on CUDA buffers without cupy's NCCL is an error, not a silent host fallback.
`TINYIR_COLLECTIVES=host` forces the host path everywhere (to compare the two).

The tensor level (tinyir/frontend/multi.py) records an `allreduce` lazy node per device; realizing
one runs `all_reduce` here on the realized partial results.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from tinyir.errors import TinyirError
from tinyir.runtime.buffer import Buffer, allocator_for

REDUCE_OPS = ("sum", "max")

# numpy dtype name -> cupy.cuda.nccl's datatype constant name
NCCL_DTYPES = {
    "float32": "NCCL_FLOAT32", "float16": "NCCL_FLOAT16", "float64": "NCCL_FLOAT64", "bfloat16": "NCCL_BFLOAT16",
    "int8": "NCCL_INT8", "uint8": "NCCL_UINT8", "bool": "NCCL_UINT8", "int32": "NCCL_INT32", "uint32": "NCCL_UINT32",
    "int64": "NCCL_INT64", "uint64": "NCCL_UINT64",
}
NCCL_OPS = {"sum": "NCCL_SUM", "max": "NCCL_MAX"}

# ordinals of a GPU group -> its NCCL communicators, one per GPU, in that order (made once: costly)
_COMMUNICATORS: dict[tuple[int, ...], list[Any]] = {}


def _debug() -> int:
    try:
        return int(os.environ.get("DEBUG", "0"))
    except ValueError:
        return 0


def _check_group(buffers: Sequence[Buffer], what: str) -> None:
    if not buffers:
        raise TinyirError(f"{what}: no buffers")
    devices = [b.device for b in buffers]
    if len(set(devices)) != len(devices):
        raise TinyirError(f"{what}: a device appears twice in {devices}")
    first = buffers[0]
    for b in buffers[1:]:
        if b.shape != first.shape or b.dtype != first.dtype:
            raise TinyirError(f"{what}: buffers differ: {first.shape} {first.dtype} on {first.device} and "
                              f"{b.shape} {b.dtype} on {b.device}")


def uses_nccl(devices: Sequence[str]) -> bool:
    """Whether a collective over these devices runs on NCCL: all of them CUDA GPUs."""
    from tinyir.runtime.executor import split_device_name

    if os.environ.get("TINYIR_COLLECTIVES", "").lower() == "host":
        return False
    return len(devices) > 1 and all(split_device_name(d)[0] == "cuda" for d in devices)


def _nccl() -> Any:
    try:
        from cupy.cuda import nccl  # optional dependency
    except ImportError as exc:
        raise TinyirError("collectives between CUDA GPUs need NCCL through cupy (pip install cupy-cuda12x; "
                          f"NVIDIA's NCCL comes with it): {exc}; TINYIR_COLLECTIVES=host copies through "
                          "the host instead") from None
    return nccl


def _communicators(buffers: Sequence[Buffer]) -> tuple[Any, list[Any]]:
    nccl = _nccl()
    ordinals = tuple(b.allocator.device.ordinal for b in buffers)
    comms = _COMMUNICATORS.get(ordinals)
    if comms is None:
        try:
            comms = list(nccl.NcclCommunicator.initAll(list(ordinals)))
        except Exception as exc:  # noqa: BLE001 - cupy's NcclError, or a CUDA runtime error: one clear message
            raise TinyirError(f"NCCL could not set up GPUs {list(ordinals)}: {type(exc).__name__}: {exc}") from None
        _COMMUNICATORS[ordinals] = comms
    return nccl, comms


def _nccl_dtype(nccl: Any, dtype: np.dtype) -> int:
    name = NCCL_DTYPES.get(np.dtype(dtype).name)
    if name is None or not hasattr(nccl, name):
        raise TinyirError(f"NCCL has no datatype for {np.dtype(dtype).name}")
    return getattr(nccl, name)


def _announce(what: str, buffers: Sequence[Buffer]) -> None:
    if _debug() >= 1:
        print(f"collective {what} over {', '.join(b.device for b in buffers)}: host fallback (no NCCL for these "
              "devices): every buffer is copied to the host and back", file=sys.stderr)


def _handle(buffer: Buffer) -> int:
    return int(buffer.handle)


def all_reduce(buffers: Sequence[Buffer], op: str = "sum") -> list[Buffer]:
    """Every device gets op(buffers) elementwise (`sum` or `max`), as a new buffer."""
    return all_reduce_many([(buffers, op)])[0]


def all_reduce_many(calls: Sequence[tuple[Sequence[Buffer], str]]) -> list[list[Buffer]]:
    """Several all-reduces, each (buffers, op): on NCCL one group call for all of them (a backward
    pass's gradients go together); the results in the same order."""
    for buffers, op in calls:
        if op not in REDUCE_OPS:
            raise TinyirError(f"all_reduce: op must be one of {', '.join(REDUCE_OPS)}, got {op!r}")
        _check_group(buffers, "all_reduce")
    results: list[list[Buffer] | None] = [None] * len(calls)
    on_nccl = []
    for i, (buffers, op) in enumerate(calls):
        if len(buffers) == 1:
            results[i] = [buffers[0]]
        elif uses_nccl([b.device for b in buffers]):
            on_nccl.append(i)
        else:
            results[i] = _host_all_reduce(buffers, op)
    if on_nccl:
        nccl = _nccl()
        launches = []
        for i in on_nccl:
            buffers, op = calls[i]
            _, comms = _communicators(buffers)
            outs = [b.allocator.alloc(b.shape, b.dtype) for b in buffers]
            launches.append((comms, buffers, outs, op))
            results[i] = outs
        if _debug() >= 1:
            print(f"collective all_reduce x{len(launches)} over {', '.join(b.device for b in calls[on_nccl[0]][0])}: "
                  "NCCL", file=sys.stderr)
        nccl.groupStart()
        for comms, buffers, outs, op in launches:
            count = int(np.prod(buffers[0].shape, dtype=np.int64))
            dtype = _nccl_dtype(nccl, buffers[0].dtype)
            for comm, src, dst in zip(comms, buffers, outs):
                comm.allReduce(_handle(src), _handle(dst), count, dtype, getattr(nccl, NCCL_OPS[op]), 0)
        nccl.groupEnd()
    return [r for r in results if r is not None]


def _host_all_reduce(buffers: Sequence[Buffer], op: str) -> list[Buffer]:
    _announce(f"all_reduce({op})", buffers)
    arrays = [b.numpy(copy=False) for b in buffers]
    total = np.array(arrays[0])
    for a in arrays[1:]:  # in device order, in the dtype: the same on every run
        total = np.maximum(total, a) if op == "max" else (total | a if total.dtype == np.bool_ else total + a)
    return [b.allocator.upload(np.array(total)) for b in buffers]


def all_gather(buffers: Sequence[Buffer]) -> list[Buffer]:
    """Every device gets the buffers stacked in device order: shape (len(buffers), *shape)."""
    _check_group(buffers, "all_gather")
    shape = (len(buffers), *buffers[0].shape)
    if uses_nccl([b.device for b in buffers]):
        nccl, comms = _communicators(buffers)
        outs = [b.allocator.alloc(shape, b.dtype) for b in buffers]
        count = int(np.prod(buffers[0].shape, dtype=np.int64))
        dtype = _nccl_dtype(nccl, buffers[0].dtype)
        nccl.groupStart()
        for comm, src, dst in zip(comms, buffers, outs):
            comm.allGather(_handle(src), _handle(dst), count, dtype, 0)
        nccl.groupEnd()
        return outs
    _announce("all_gather", buffers)
    stacked = np.stack([b.numpy(copy=False) for b in buffers])
    return [b.allocator.upload(np.array(stacked)) for b in buffers]


def broadcast(buffer: Buffer, devices: Sequence[str]) -> list[Buffer]:
    """A copy of `buffer` on each of `devices` (the buffer itself where it already is)."""
    if not devices:
        raise TinyirError("broadcast: no devices")
    allocators = [allocator_for(d) for d in devices]
    if len({id(a) for a in allocators}) != len(allocators):
        raise TinyirError(f"broadcast: a device appears twice in {list(devices)}")
    names = [a.name for a in allocators]
    if uses_nccl(names):
        root_buffer = buffer if buffer.device in names else allocators[0].upload(buffer.numpy(copy=False))
        root = names.index(root_buffer.device)
        outs = [root_buffer if a.name == root_buffer.device else a.alloc(buffer.shape, buffer.dtype)
                for a in allocators]
        nccl, comms = _communicators(outs)
        count = int(np.prod(buffer.shape, dtype=np.int64))
        dtype = _nccl_dtype(nccl, buffer.dtype)
        nccl.groupStart()
        for comm, out in zip(comms, outs):
            comm.broadcast(_handle(root_buffer), _handle(out), count, dtype, root, 0)
        nccl.groupEnd()
        return outs
    if len(names) > 1:
        _announce("broadcast", [buffer])
    host = None
    outs = []
    for a in allocators:
        if a is buffer.allocator:
            outs.append(buffer)
            continue
        if host is None:
            host = buffer.numpy(copy=False)
        outs.append(a.upload(np.array(host)))
    return outs
