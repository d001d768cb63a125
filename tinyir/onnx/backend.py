"""ONNX's backend interface (`onnx.backend.base.Backend`) on tinyir devices.

`prepare` reads the model once: initializers become tensors on the device, every node's operator
is checked against the table (tinyir/onnx/ops.py) so that an unsupported one is reported before
anything runs. `TinyirBackendRep.run` then walks the nodes in graph order, each one a few Tensor API
calls; shapes come from the inputs given. Values needed as Python numbers (a Reshape's shape, a
Slice's starts, ...) are kept on the host when the graph computes them from shapes and constants
(ops.HOST_OPS), and read back from the device otherwise.
"""

from __future__ import annotations

import ctypes.util
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from tinyir.errors import TinyirError

try:
    import onnx
    from onnx import numpy_helper
    from onnx.backend.base import Backend, BackendRep, namedtupledict
except ImportError as _exc:  # pragma: no cover - the optional dependency is missing
    raise ImportError("tinyir.onnx needs the onnx package: pip install 'tinyir[onnx]'") from _exc


class OnnxError(TinyirError):
    """A model tinyir.onnx cannot run: an unsupported operator or attribute, a bad input."""


# ONNX backend device names -> tinyir device names (any tinyir name is accepted as it is)
DEVICE_NAMES = {"CPU": "cpu", "CUDA": "cuda", "OPENCL": "opencl", "METAL": "metal", "AMDGPU": "amdgpu"}


def tinyir_device(device: str) -> str:
    """The tinyir device for an ONNX device string ("CPU", "CUDA:1" is tinyir's "cuda:1", "opencl", ...)."""
    from tinyir.runtime.executor import canonical_device_name

    base, sep, index = str(device).partition(":")
    name = DEVICE_NAMES.get(base.upper(), base.lower()) + sep + index  # MULTI-DEVICE: the index is kept
    try:
        name = canonical_device_name(name)
    except TinyirError as exc:
        raise OnnxError(f"device {device!r}: {exc} (or one of {', '.join(DEVICE_NAMES)})") from None
    return name


def host_array(value: Any) -> np.ndarray:
    """A numpy array of an input, initializer or attribute tensor."""
    if isinstance(value, onnx.TensorProto):
        return numpy_helper.to_array(value)
    return np.asarray(value)


def device_array(arr: np.ndarray, what: str) -> np.ndarray:
    """An array in a dtype tinyir has. int64/uint64 stay 64-bit where tinyir has them; otherwise
    they are narrowed to int32 when every value fits, and refused (naming `what`) when not."""
    from tinyir.frontend.dtypes import dtypes, from_numpy

    if arr.dtype.kind in "iu" and arr.dtype.itemsize == 8 and not hasattr(dtypes, arr.dtype.name):
        if arr.size and (arr.min() < -(2 ** 31) or arr.max() > 2 ** 31 - 1):
            raise OnnxError(f"{what}: {arr.dtype} values outside int32's range "
                            f"({arr.min()}..{arr.max()}) and this tinyir has no {arr.dtype}")
        return arr.astype(np.int32)
    try:
        from_numpy(arr.dtype)
    except TinyirError:
        raise OnnxError(f"{what}: element type {arr.dtype} is not supported by tinyir") from None
    return arr if arr.flags.c_contiguous else np.array(arr, order="C")  # (ascontiguousarray makes 0-d 1-d)


def _attributes(node: onnx.NodeProto) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for attr in node.attribute:
        value = onnx.helper.get_attribute_value(attr)
        if isinstance(value, bytes):
            value = value.decode()
        elif isinstance(value, onnx.TensorProto):
            value = numpy_helper.to_array(value)
        elif isinstance(value, list) and value and isinstance(value[0], bytes):
            value = [v.decode() for v in value]
        out[attr.name] = value
    return out


def _node_label(node: onnx.NodeProto, index: int) -> str:
    return f"node #{index} {node.name!r}" if node.name else f"node #{index} (outputs {list(node.output)})"


class NodeContext:
    """One node being run: its attributes, its opset, and its inputs as tensors or host arrays."""

    def __init__(self, node: onnx.NodeProto, index: int, opset: int, values: Sequence[Any], device: str):
        self.node, self.index, self.opset, self.device = node, index, opset, device
        self.attrs = _attributes(node)
        self.values = list(values)  # per input: Tensor, np.ndarray (host value) or None (omitted)

    @property
    def label(self) -> str:
        return f"{self.node.op_type} (opset {self.opset}) in {_node_label(self.node, self.index)}"

    def error(self, message: str) -> OnnxError:
        return OnnxError(f"{self.label}: {message}")

    def attr(self, name: str, default: Any = None) -> Any:
        return self.attrs.get(name, default)

    def has(self, i: int) -> bool:
        return i < len(self.values) and self.values[i] is not None

    def x(self, i: int) -> Any:
        """Input i as a Tensor (None when omitted)."""
        from tinyir.frontend.tensor import Tensor

        if not self.has(i):
            return None
        value = self.values[i]
        if isinstance(value, np.ndarray):
            value = Tensor(device_array(value, f"{self.label}: input {i}"), device=self.device)
            self.values[i] = value
        return value

    def inputs(self) -> list[Any]:
        return [self.x(i) for i in range(len(self.values)) if self.has(i)]

    def host(self, i: int) -> np.ndarray | None:
        """Input i's value on the host (read back from the device when it was computed there)."""
        if not self.has(i):
            return None
        value = self.values[i]
        return value if isinstance(value, np.ndarray) else value.numpy()

    def ints(self, i: int, default: Any = None) -> list[int] | None:
        value = self.host(i)
        return default if value is None else [int(v) for v in value.reshape(-1)]

    def scalar(self, i: int, default: Any = None) -> Any:
        value = self.host(i)
        return default if value is None or value.size == 0 else value.reshape(-1)[0].item()

    def ints_from(self, name: str, i: int, default: Any = None) -> list[int] | None:
        """An attribute before the opset moved it to an input, the input after (axes, pads, split...)."""
        if name in self.attrs:
            value = self.attrs[name]
            return [int(v) for v in (value if isinstance(value, (list, tuple, np.ndarray)) else [value])]
        return self.ints(i, default)


def _opsets(model: onnx.ModelProto) -> dict[str, int]:
    return {(o.domain or "ai.onnx"): o.version for o in model.opset_import}


def _output_dtype(info: onnx.ValueInfoProto) -> np.dtype | None:
    elem = info.type.tensor_type.elem_type if info.type.HasField("tensor_type") else 0
    if not elem:
        return None
    try:
        return np.dtype(onnx.helper.tensor_dtype_to_np_dtype(elem))
    except (KeyError, TypeError, ValueError):
        return None


def _check_supported(node: onnx.NodeProto, index: int, opsets: Mapping[str, int]) -> int:
    from tinyir.onnx.ops import OPS, OUT_OF_SCOPE

    domain = node.domain or "ai.onnx"
    opset = opsets.get(domain, opsets.get("ai.onnx", onnx.defs.onnx_opset_version()))
    where = f"{node.op_type} (domain {domain}, opset {opset}) in {_node_label(node, index)}"
    if domain != "ai.onnx" or node.op_type not in OPS:
        reason = OUT_OF_SCOPE.get(node.op_type) if domain == "ai.onnx" else f"the {domain} domain is not supported"
        raise OnnxError(f"unsupported ONNX operator {where}" + (f": {reason}" if reason else ""))
    return opset


def run_graph_nodes(nodes: Sequence[onnx.NodeProto], env: dict[str, Any], opsets: Mapping[str, int],
                    device: str) -> dict[str, Any]:
    """Run nodes in order on `env` (name -> Tensor or host array); returns env with their outputs."""
    from tinyir.onnx.ops import HOST_OPS, OPS

    for index, node in enumerate(nodes):
        opset = _check_supported(node, index, opsets)
        values = []
        for name in node.input:
            if name and name not in env:
                raise OnnxError(f"{node.op_type} in {_node_label(node, index)}: input {name!r} is not computed "
                                "before it (nodes must be in topological order)")
            values.append(env[name] if name else None)
        ctx = NodeContext(node, index, opset, values, device)
        present = [v for v in values if v is not None]
        host = HOST_OPS.get(node.op_type)
        try:
            if host is not None and all(isinstance(v, np.ndarray) and v.size <= 1024 for v in present):
                results = host(ctx)  # shape arithmetic stays on the host (numpy)
            else:
                results = OPS[node.op_type](ctx)
        except OnnxError:
            raise
        except TinyirError as exc:
            raise OnnxError(f"{ctx.label}: {exc}") from exc
        for name, value in zip(node.input, ctx.values):  # a large host array uploaded here stays uploaded
            if name and isinstance(env[name], np.ndarray) and env[name].size > 1024 and not isinstance(value, np.ndarray):
                env[name] = value
        if not isinstance(results, (tuple, list)):
            results = (results,)
        for name, value in zip(node.output, results):
            if name:  # numpy reductions of 0-d arrays give numpy scalars: kept as 0-d arrays
                env[name] = np.asarray(value) if isinstance(value, np.generic) else value
    return env


class TinyirBackendRep(BackendRep):
    """A prepared model: `run(inputs)` with a list (graph input order) or a dict by name."""

    def __init__(self, model: onnx.ModelProto, device: str = "CPU"):
        from tinyir.frontend.tensor import Tensor

        self.model = model
        self.device = tinyir_device(device)
        self.opsets = _opsets(model)
        graph = model.graph
        for index, node in enumerate(graph.node):  # every operator checked before anything runs
            _check_supported(node, index, self.opsets)
        self.constants: dict[str, Any] = {}
        for init in graph.initializer:
            arr = host_array(init)
            # small integer initializers stay on the host too: they are usually shapes, axes or indices
            self.constants[init.name] = arr if arr.dtype.kind in "iub" and arr.size <= 1024 else Tensor(
                device_array(arr, f"initializer {init.name!r}"), device=self.device)
        self.input_names = [i.name for i in graph.input if i.name not in self.constants]
        self.output_names = [o.name for o in graph.output]
        self.output_dtypes = [_output_dtype(o) for o in graph.output]

    def run(self, inputs: Any, **kwargs: Any) -> Any:
        from tinyir.frontend.tensor import Tensor

        if isinstance(inputs, Mapping):
            unknown = sorted(set(inputs) - set(self.input_names) - set(self.constants))
            if unknown:
                raise OnnxError(f"run: inputs {unknown} are not inputs of the graph (its inputs: {self.input_names})")
            given = dict(inputs)
        else:
            arrays = [inputs] if isinstance(inputs, np.ndarray) else list(inputs)
            if len(arrays) > len(self.input_names):
                raise OnnxError(f"run: {len(arrays)} inputs given, the graph takes {len(self.input_names)} "
                                f"({self.input_names})")
            given = dict(zip(self.input_names, arrays))
        missing = [n for n in self.input_names if n not in given]
        if missing:
            raise OnnxError(f"run: missing inputs {missing}")
        env: dict[str, Any] = dict(self.constants)
        for name, value in given.items():
            env[name] = Tensor(device_array(host_array(value), f"input {name!r}"), device=self.device)
        env = run_graph_nodes(self.model.graph.node, env, self.opsets, self.device)
        return namedtupledict("Outputs", self.output_names)(*self._read(env, self.output_names, self.output_dtypes))

    @staticmethod
    def _read(env: dict[str, Any], names: Sequence[str], dtypes: Sequence[np.dtype | None]) -> list[np.ndarray]:
        from tinyir.frontend.tensor import Tensor

        for name in names:
            if name not in env:
                raise OnnxError(f"graph output {name!r} is computed by no node")
        on_device = [env[n] for n in names if isinstance(env[n], Tensor)]
        if on_device:
            on_device[0].realize(*on_device[1:])  # one schedule for every output
        outputs = []
        for name, dtype in zip(names, dtypes):
            value = env[name]
            arr = value if isinstance(value, np.ndarray) else value.numpy()
            outputs.append(arr.astype(dtype) if dtype is not None and arr.dtype != dtype else arr)
        return outputs


class TinyirBackend(Backend):
    """ONNX's backend interface for tinyir (`onnx.backend.base.Backend`)."""

    @classmethod
    def is_compatible(cls, model: onnx.ModelProto, device: str = "CPU", **kwargs: Any) -> bool:
        try:
            opsets = _opsets(model)
            for index, node in enumerate(model.graph.node):
                _check_supported(node, index, opsets)
        except OnnxError:
            return False
        return cls.supports_device(device)

    @classmethod
    def prepare(cls, model: onnx.ModelProto, device: str = "CPU", **kwargs: Any) -> TinyirBackendRep:
        if isinstance(model, (str, bytes)) and not isinstance(model, onnx.ModelProto):
            model = onnx.load(model) if isinstance(model, str) else onnx.load_from_string(model)
        return TinyirBackendRep(model, device)

    @classmethod
    def run_model(cls, model: onnx.ModelProto, inputs: Any, device: str = "CPU", **kwargs: Any) -> Any:
        return cls.prepare(model, device, **kwargs).run(inputs)

    @classmethod
    def run_node(cls, node: onnx.NodeProto, inputs: Any, device: str = "CPU", outputs_info: Any = None,
                 **kwargs: Any) -> Any:
        from tinyir.frontend.tensor import Tensor

        dev = tinyir_device(device)
        opset = kwargs.get("opset_version", onnx.defs.onnx_opset_version())
        arrays = [inputs[n] for n in node.input if n] if isinstance(inputs, Mapping) else list(inputs)
        env: dict[str, Any] = {}
        present = [n for n in node.input if n]
        for name, arr in zip(present, arrays):
            env[name] = Tensor(device_array(host_array(arr), f"input {name!r}"), device=dev)
        env = run_graph_nodes([node], env, {node.domain or "ai.onnx": opset}, dev)
        names = [n for n in node.output if n]
        return namedtupledict("Outputs", names)(*TinyirBackendRep._read(env, names, [None] * len(names)))

    @classmethod
    def supports_device(cls, device: str) -> bool:
        try:
            name = tinyir_device(device)
        except TinyirError:
            return False
        if name == "cuda":  # a PTX target is always there; running needs the driver
            return ctypes.util.find_library("cuda") is not None
        return True


prepare = TinyirBackend.prepare
run_model = TinyirBackend.run_model
run_node = TinyirBackend.run_node
supports_device = TinyirBackend.supports_device
