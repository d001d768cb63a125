"""`Tensor`: a lazy tensor with tinygrad's names and semantics (which follow PyTorch's).

Every method records `tir` primitive ops in a lazy graph (lazy.py); composite functions (softmax,
conv2d, einsum, ...) are written here in terms of those primitives, so the compiler sees only the
RISC core. `.realize()`, `.numpy()`, `.tolist()` and `.item()` compile and run the graph
(realize.py); `.backward()` and `Tensor.gradient` differentiate it with the `tensor-autodiff`
pass (autograd.py). Movement ops, reductions and the nn functional ops live in mixin modules
(elementwise.py, movement.py, reduce.py, functional.py, math_ops.py, sorting.py, indexing.py,
interpolate.py, pooling.py) that `Tensor` inherits.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from contextlib import contextmanager
from typing import Any, ClassVar

import numpy as np

from tinyir.element_types import float_info
from tinyir.errors import TensorIndexError, TensorTypeError, TensorValueError
from tinyir.frontend import lazy
from tinyir.frontend.arguments import axis_arg, check_array_fits, check_int_fits, nested_data_error, shape_arg
from tinyir.frontend.dtypes import DType, dtypes, least_upper_dtype, least_upper_float, python_dtype, to_dtype
from tinyir.frontend.elementwise import ElementwiseMixin
from tinyir.frontend.functional import FunctionalMixin
from tinyir.frontend.indexing import IndexingMixin
from tinyir.frontend.interpolate import InterpolateMixin
from tinyir.frontend.math_ops import MathMixin
from tinyir.frontend.movement import MovementMixin
from tinyir.frontend.pooling import PoolingMixin
from tinyir.frontend.reduce import ReduceMixin
from tinyir.frontend.sorting import SortingMixin
from tinyir.runtime import jit

Scalar = int | float | bool


class Device:
    """Device names: `Device.DEFAULT` comes from `TINYIR_DEVICE` (cpu unless set)."""

    DEFAULT: str = os.environ.get("TINYIR_DEVICE", "cpu")
    _checked: ClassVar[dict[str, str]] = {}  # names seen -> canonical name (every op asks: checked once)

    @staticmethod
    def canonicalize(device: Any) -> Any:
        """The device's name ("opencl:0" -> "opencl", "cuda:1" stays); an unknown one is an error here,
        at the call. A tuple of names (a sharded tensor's devices, MULTI-DEVICE) gives a tuple."""
        given = device or Device.DEFAULT
        if type(given) is list:
            given = tuple(given)
        name = Device._checked.get(given)
        if name is None:
            from tinyir.runtime.executor import canonical_device_name

            if isinstance(given, tuple):
                from tinyir.frontend.multi import canonical_devices

                name = canonical_devices(given)
            else:
                name = canonical_device_name(str(given).lower())
            Device._checked[given] = name
        return name


class Tensor(ElementwiseMixin, MovementMixin, ReduceMixin, FunctionalMixin, MathMixin, SortingMixin, IndexingMixin,
             InterpolateMixin, PoolingMixin):
    """A lazy n-dimensional array on a device."""

    training: ClassVar[bool] = False
    no_grad: ClassVar[bool] = False
    _seed: ClassVar[int] = 0
    _rng_counter: ClassVar[int] = 0
    __array_priority__ = 1000  # numpy defers `ndarray op Tensor` to us

    def __init__(self, data: Any, device: str | None = None, dtype: Any = None,
                 requires_grad: bool | None = None):
        if type(data) is lazy.LazyOp and device is None and dtype is None and requires_grad is None:
            # every op's result comes here: the fast path of the general case below
            self.lazydata, self._requires_grad, self.grad = data, None, None
            return
        dev = Device.canonicalize(device)
        dt = to_dtype(dtype) if dtype is not None else None
        if isinstance(data, lazy.LazyOp):
            node = data
        elif isinstance(data, Tensor):
            node = data.lazydata if dt is None else data.cast(dt).lazydata
        elif isinstance(data, (bool, int, float, np.bool_, np.integer, np.floating)):
            dt = dt or python_dtype(data)
            node = lazy.make("const", (), _normalize_const(data, dt), (), dt, dev)
        elif isinstance(data, (list, tuple)):
            dt = dt or python_dtype(data)
            node = lazy.buffer(_array_of_list(data, dt), dt, dev)
        elif isinstance(data, np.ndarray):
            from tinyir.frontend.dtypes import from_numpy

            dt = dt or from_numpy(data.dtype)
            check_array_fits(data, dt.np)  # DTYPES: data narrowed to an explicit dtype must keep every value
            node = lazy.buffer(data, dt, dev)
        else:
            raise TensorTypeError(f"Tensor: cannot make a tensor from {type(data).__name__}")
        self.lazydata: lazy.LazyOp = node
        self._requires_grad: bool | None = None
        self.requires_grad = requires_grad
        self.grad: Tensor | None = None

    @property
    def requires_grad(self) -> bool | None:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool | None) -> None:
        from tinyir.frontend.autograd import REQUIRES_GRAD

        self._requires_grad = value
        if value:
            REQUIRES_GRAD.add(self)
            node = self.lazydata
            if node.op == "multi":  # MULTI-DEVICE: a private node on every device
                from tinyir.frontend.multi import private_copy

                self.lazydata = private_copy(node)
            elif node.op != "buffer":  # a private node: hash-consing must not merge two parameters
                self.lazydata = lazy.LazyOp(node.op, node.srcs, node.arg, node.shape, node.dtype, node.device,
                                            node.realized)
                # expressions built from this tensor before now use the old node: autodiff checks it
                # to raise instead of returning a zero gradient for them (held here so it stays
                # identifiable; the private copy holds the same sources anyway)
                self._superseded = (*getattr(self, "_superseded", ()), node)
                node.unregister()  # expressions built from now on must not pick the old node up

    # ------------------------------------------------------------------ properties
    @property
    def shape(self) -> tuple[int, ...]:
        return self.lazydata.shape

    @property
    def dtype(self) -> DType:
        return self.lazydata.dtype

    @property
    def device(self) -> str:
        return self.lazydata.device

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def numel(self) -> int:
        return self.lazydata.size

    def element_size(self) -> int:
        return self.dtype.itemsize

    def nbytes(self) -> int:
        return self.numel() * self.element_size()

    def size(self, dim: int | None = None) -> int | tuple[int, ...]:
        return self.shape if dim is None else self.shape[self._axis(dim, "size")]

    def __len__(self) -> int:
        if not self.shape:
            raise TensorTypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __repr__(self) -> str:
        return f"<Tensor {self.lazydata!r} on {self.device} with grad {self.grad.lazydata if self.grad else None!r}>"

    def __hash__(self) -> int:  # `==` builds a tensor, so hash by identity
        return id(self)

    def __bool__(self) -> bool:
        if self.numel() != 1:
            raise RuntimeError(f"the truth value of a tensor with shape {self.shape} is ambiguous")
        return bool(self.item())

    # ------------------------------------------------------------------ realization
    def realize(self, *others: Tensor) -> Tensor:
        """Compute this tensor (and `others`, in the same program) on the device."""
        from tinyir.frontend.realize import realize_nodes

        realize_nodes([t.lazydata for t in (self, *others)])
        return self

    def numpy(self) -> np.ndarray:
        """The values as a new numpy array (realizes; one copy from the device; a sharded tensor's
        parts are put together on the host)."""
        if self.lazydata.op == "multi":  # MULTI-DEVICE
            from tinyir.frontend.multi import to_numpy

            return to_numpy(self)
        self.realize()
        return self.lazydata.realized.numpy()

    def tolist(self) -> Any:
        return self.numpy().tolist()

    def item(self) -> Scalar:
        if self.numel() != 1:
            raise TensorValueError(f"item: a tensor with {self.numel()} elements (shape {self.shape}) has no single value")
        return self.numpy().reshape(()).item()

    def data(self) -> memoryview:
        return memoryview(self.numpy())

    def to(self, device: str | None) -> Tensor:
        """This tensor on another device (realizes it; a device-to-device copy, through the host).
        MULTI-DEVICE: a sharded tensor is gathered; a tuple of devices replicates (`shard(devices)`)."""
        dev = Device.canonicalize(device)
        if self.lazydata.op == "multi":
            from tinyir.frontend.multi import gather

            return gather(self, dev)
        if type(dev) is tuple:
            return self.shard(dev)
        if dev == self.device:
            return self
        self.realize()
        return Tensor(lazy.from_buffer(self.lazydata.realized.to(dev), self.dtype), requires_grad=self.requires_grad)

    def shard(self, devices: Sequence[str], axis: int | None = None) -> Tensor:
        """This tensor split on `axis` over `devices` (None: a copy on each): a sharded tensor whose
        ops run on every device (MULTI-DEVICE, tinyir/frontend/multi.py, docs/multi-gpu.md)."""
        from tinyir.frontend.multi import shard

        return shard(self, devices, axis)

    def shard_(self, devices: Sequence[str], axis: int | None = None) -> Tensor:
        """`shard` in place (a model's parameters: the optimizer keeps the same tensors)."""
        self.lazydata = self.shard(devices, axis).lazydata
        return self

    def to_(self, device: str | None) -> Tensor:
        moved = self.to(device)
        self.lazydata = moved.lazydata
        return self

    def clone(self) -> Tensor:
        return Tensor(lazy.buffer(self.numpy(), self.dtype, self.device), requires_grad=self.requires_grad)

    def assign(self, x: Any) -> Tensor:
        """Make this tensor hold `x` (same shape and dtype); optimizers update parameters this way."""
        if not isinstance(x, Tensor):
            x = Tensor(x, device=self.device, dtype=self.dtype)
        if x.shape != self.shape:
            raise TensorValueError(f"assign: shape {x.shape} does not match {self.shape}")
        if x.dtype != self.dtype:
            x = x.cast(self.dtype)
        if jit.CAPTURING:  # a TinyJit capture replays this tensor's updates
            jit.note_assign(self)
        self.lazydata = x.detach().lazydata  # state updates carry no gradient history
        return self

    def replace(self, x: Tensor) -> Tensor:
        if x.shape != self.shape:
            raise TensorValueError(f"replace: shape {x.shape} does not match {self.shape}")
        self.lazydata = x.lazydata
        return self

    def detach(self) -> Tensor:
        """The same values, with no gradient flowing back through them."""
        if self.lazydata.realized is not None:  # a new leaf sharing the computed value
            return Tensor(lazy.LazyOp("buffer", (), None, self.shape, self.dtype, self.device, self.lazydata.realized))
        return Tensor(lazy.make("detach", (self.lazydata,), None, self.shape, self.dtype, self.device))

    # ------------------------------------------------------------------ autodiff
    def backward(self, gradient: Tensor | None = None) -> Tensor:
        from tinyir.frontend.autograd import backward

        backward(self, gradient)
        return self

    def gradient(self, *targets: Tensor, gradient: Tensor | None = None) -> list[Tensor]:
        """d(self)/d(target) for each target, as lazy tensors (self must be a scalar unless `gradient`).
        A target self does not depend on gets zeros, as in tinygrad (PyTorch's autograd.grad raises
        unless allow_unused=True); one self used only through a value realized before the target
        required grad (its graph is gone) raises RuntimeError naming it."""
        from tinyir.frontend.autograd import gradients

        return gradients(self, list(targets), gradient)

    # ------------------------------------------------------------------ creation
    @staticmethod
    def _const(value: Scalar, shape: tuple[int, ...], dtype: DType, device: str | None = None) -> Tensor:
        dev = Device.canonicalize(device)
        return Tensor(lazy.make("const", (), _normalize_const(value, dtype), tuple(shape), dtype, dev))

    @staticmethod
    def full(shape: int | Sequence[int], fill_value: Scalar, dtype: Any = None, device: str | None = None,
             requires_grad: bool | None = None) -> Tensor:
        dt = to_dtype(dtype) if dtype is not None else python_dtype(fill_value)
        out = Tensor._const(fill_value, _shape_arg(shape, "full"), dt, device)
        out.requires_grad = requires_grad
        return out

    @staticmethod
    def zeros(*shape: Any, dtype: Any = None, device: str | None = None, requires_grad: bool | None = None) -> Tensor:
        return Tensor.full(_shape_arg(shape, "zeros"), 0.0, dtype or dtypes.default_float, device, requires_grad)

    @staticmethod
    def ones(*shape: Any, dtype: Any = None, device: str | None = None, requires_grad: bool | None = None) -> Tensor:
        return Tensor.full(_shape_arg(shape, "ones"), 1.0, dtype or dtypes.default_float, device, requires_grad)

    @staticmethod
    def empty(*shape: Any, dtype: Any = None, device: str | None = None, requires_grad: bool | None = None) -> Tensor:
        return Tensor.zeros(*shape, dtype=dtype, device=device, requires_grad=requires_grad)

    def full_like(self, fill_value: Scalar, dtype: Any = None, device: str | None = None) -> Tensor:
        return Tensor.full(self.shape, fill_value, dtype or self.dtype, device or self.device)

    def zeros_like(self, dtype: Any = None, device: str | None = None, requires_grad: bool | None = None) -> Tensor:
        out = self.full_like(0, dtype, device)
        out.requires_grad = requires_grad
        return out

    def ones_like(self, dtype: Any = None, device: str | None = None, requires_grad: bool | None = None) -> Tensor:
        out = self.full_like(1, dtype, device)
        out.requires_grad = requires_grad
        return out

    @staticmethod
    def arange(start: Scalar, stop: Scalar | None = None, step: Scalar = 1, dtype: Any = None,
               device: str | None = None) -> Tensor:
        if stop is None:
            start, stop = 0, start
        for name, v in (("start", start), ("stop", stop), ("step", step)):
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
                raise TensorTypeError(f"arange: {name} must be a number, got {v!r} ({type(v).__name__})")
            if not math.isfinite(v):
                raise TensorValueError(f"arange: {name} must be finite, got {v}")
        if step == 0:
            raise TensorValueError("arange: step must not be zero")
        dt = to_dtype(dtype) if dtype is not None else least_upper_dtype(*(python_dtype(v) for v in (start, stop, step)))
        (n,) = shape_arg((max(0, math.ceil((stop - start) / step)),), "arange")
        index = Tensor(lazy.make("iota", (), 0, (n,), dtypes.int32 if not dt.is_float() else dt, Device.canonicalize(device)))
        return (index * step + start).cast(dt)

    @staticmethod
    def linspace(start: float, stop: float, steps: int, dtype: Any = None, device: str | None = None) -> Tensor:
        dt = to_dtype(dtype) if dtype is not None else dtypes.default_float
        (steps,) = shape_arg((steps,), "linspace")
        if steps == 1:
            return Tensor.full((1,), start, dt, device)
        step = (stop - start) / (steps - 1)
        return (Tensor.arange(steps, dtype=dtypes.float32, device=device) * step + start).cast(dt)

    @staticmethod
    def eye(n: int, m: int | None = None, dtype: Any = None, device: str | None = None) -> Tensor:
        n, m = shape_arg((n, n if m is None else m), "eye")
        dev = Device.canonicalize(device)
        rows = Tensor(lazy.make("iota", (), 0, (n, m), dtypes.int32, dev))
        cols = Tensor(lazy.make("iota", (), 1, (n, m), dtypes.int32, dev))
        return (rows == cols).cast(to_dtype(dtype) if dtype is not None else dtypes.default_float)

    # random numbers: counter-based bits on the device from (seed, counter) keys
    @staticmethod
    def manual_seed(seed: int = 0) -> None:
        Tensor._seed, Tensor._rng_counter = int(seed), 0

    @staticmethod
    def _random_bits(shape: tuple[int, ...], device: str | None) -> Tensor:
        """Uniform random int32 bits; the key is a realized buffer, so the program structure (and the
        compiled kernel) is the same for every call."""
        Tensor._rng_counter += 1
        key_value = (Tensor._seed * 0x9E3779B1 + Tensor._rng_counter * 0x85EBCA77) & 0x7FFFFFFF
        dev = Device.canonicalize(device)
        key = lazy.buffer(np.array(key_value, dtype=np.int32), dtypes.int32, dev)
        return Tensor(lazy.make("random_bits", (key,), None, tuple(shape), dtypes.int32, dev))

    @staticmethod
    def rand(*shape: Any, dtype: Any = None, device: str | None = None, requires_grad: bool | None = None) -> Tensor:
        """Uniform in [0, 1): the top 24 bits of the random bits, scaled."""
        shp = _shape_arg(shape, "rand")
        bits = Tensor._random_bits(shp, device)
        mantissa = (bits >> 8) & 0xFFFFFF  # arithmetic shift then mask = logical shift
        out = (mantissa.cast(dtypes.float32) * (1.0 / (1 << 24))).cast(to_dtype(dtype) if dtype else dtypes.default_float)
        out.requires_grad = requires_grad
        return out

    @staticmethod
    def randn(*shape: Any, dtype: Any = None, device: str | None = None, requires_grad: bool | None = None) -> Tensor:
        """Standard normal, by the Box-Muller transform of two uniform tensors."""
        shp = _shape_arg(shape, "randn")
        u1, u2 = Tensor.rand(*shp, device=device), Tensor.rand(*shp, device=device)
        radius = ((1.0 - u1).log() * -2.0).sqrt()
        out = (radius * (u2 * (2 * math.pi)).cos()).cast(to_dtype(dtype) if dtype else dtypes.default_float)
        out.requires_grad = requires_grad
        return out

    @staticmethod
    def randint(*shape: Any, low: int = 0, high: int = 10, dtype: Any = None, device: str | None = None) -> Tensor:
        shp = _shape_arg(shape, "randint")
        if high <= low:
            raise TensorValueError(f"randint: high ({high}) must be greater than low ({low})")
        return (Tensor.rand(*shp, device=device) * (high - low)).floor().cast(dtypes.int32).add(low).cast(
            to_dtype(dtype) if dtype else dtypes.int32)

    @staticmethod
    def uniform(*shape: Any, low: float = 0.0, high: float = 1.0, dtype: Any = None, device: str | None = None,
                requires_grad: bool | None = None) -> Tensor:
        out = (Tensor.rand(*shape, device=device) * (high - low) + low).cast(to_dtype(dtype) if dtype else dtypes.default_float)
        out.requires_grad = requires_grad
        return out

    @staticmethod
    def normal(*shape: Any, mean: float = 0.0, std: float = 1.0, dtype: Any = None, device: str | None = None,
               requires_grad: bool | None = None) -> Tensor:
        out = (Tensor.randn(*shape, device=device) * std + mean).cast(to_dtype(dtype) if dtype else dtypes.default_float)
        out.requires_grad = requires_grad
        return out

    @staticmethod
    def scaled_uniform(*shape: Any, **kwargs: Any) -> Tensor:
        shp = _shape_arg(shape, "scaled_uniform")
        return Tensor.uniform(*shp, low=-1.0, high=1.0, **kwargs) * (math.prod(shp) ** -0.5)

    @staticmethod
    def glorot_uniform(*shape: Any, **kwargs: Any) -> Tensor:
        shp = _shape_arg(shape, "glorot_uniform")
        bound = (6 / (shp[0] + math.prod(shp[1:]))) ** 0.5
        return Tensor.uniform(*shp, low=-bound, high=bound, **kwargs)

    @staticmethod
    def kaiming_uniform(*shape: Any, a: float = 0.01, **kwargs: Any) -> Tensor:
        shp = _shape_arg(shape, "kaiming_uniform")
        bound = math.sqrt(3.0) * math.sqrt(2.0 / (1 + a**2)) / math.sqrt(math.prod(shp[1:]))
        return Tensor.uniform(*shp, low=-bound, high=bound, **kwargs)

    @staticmethod
    def kaiming_normal(*shape: Any, a: float = 0.01, **kwargs: Any) -> Tensor:
        shp = _shape_arg(shape, "kaiming_normal")
        std = math.sqrt(2.0 / (1 + a**2)) / math.sqrt(math.prod(shp[1:]))
        return Tensor.normal(*shp, mean=0.0, std=std, **kwargs)

    def rand_like(self, **kwargs: Any) -> Tensor:
        return Tensor.rand(*self.shape, device=kwargs.pop("device", self.device), **kwargs)

    def randn_like(self, **kwargs: Any) -> Tensor:
        return Tensor.randn(*self.shape, device=kwargs.pop("device", self.device), **kwargs)

    @staticmethod
    @contextmanager
    def train(mode: bool = True):  # noqa: ANN205 - a context manager
        """`with Tensor.train(): ...` turns on training behaviour (dropout) inside the block."""
        previous, Tensor.training = Tensor.training, mode
        try:
            yield
        finally:
            Tensor.training = previous

    @staticmethod
    @contextmanager
    def test():  # noqa: ANN205
        with Tensor.train(False):
            yield

    # ------------------------------------------------------------------ primitive builders
    def _op(self, op: str, *srcs: Tensor, arg: Any = None, shape: tuple[int, ...] | None = None,
            dtype: DType | None = None) -> Tensor:
        return Tensor(lazy.make(op, (self.lazydata, *(s.lazydata for s in srcs)), arg,
                                self.shape if shape is None else tuple(shape), dtype or self.dtype, self.device))

    def _axis(self, axis: int, opname: str, ndim: int | None = None) -> int:
        axis = axis_arg(axis, opname)
        nd = self.ndim if ndim is None else ndim
        if not -max(nd, 1) <= axis < max(nd, 1):
            raise TensorIndexError(f"{opname}: axis {axis} is out of range for shape {self.shape}")
        return axis % nd if nd else 0

    def _to_tensor(self, x: Any, opname: str) -> Tensor:
        if isinstance(x, Tensor):
            if x.device != self.device:
                raise TensorValueError(f"{opname}: tensors on different devices ({self.device} and {x.device})")
            return x
        if isinstance(x, (bool, int, float, np.bool_, np.integer, np.floating)):
            # a python scalar takes the tensor's dtype, unless it needs a wider class (float into int)
            pdt = python_dtype(x)
            if self.dtype.is_bool() and not pdt.is_bool():
                dt = pdt
            elif pdt.is_float() and not self.dtype.is_float():
                dt = dtypes.default_float
            else:
                dt = self.dtype
            return Tensor._const(x, (), dt, self.device)
        return Tensor(x, device=self.device)

    def _broadcasted(self, y: Any, opname: str, reverse: bool = False,
                     match_dtype: bool = True) -> tuple[Tensor, Tensor]:
        x, y = self, self._to_tensor(y, opname)
        if reverse:
            x, y = y, x
        if match_dtype and x.dtype != y.dtype:
            dt = least_upper_dtype(x.dtype, y.dtype)
            x, y = x.cast(dt), y.cast(dt)
        shape = _broadcast_shape(x.shape, y.shape, opname)
        return x._broadcast_to(shape), y._broadcast_to(shape)

    def _broadcast_to(self, shape: tuple[int, ...]) -> Tensor:
        if self.shape == shape:
            return self
        if self.lazydata.op == "const" and not self.requires_grad:  # a splat constant is made at its final shape
            return Tensor._const(self.lazydata.arg, shape, self.dtype, self.device)
        padded = (1,) * (len(shape) - self.ndim) + self.shape
        x = self.reshape(padded) if padded != self.shape else self
        return x._op("expand", arg=tuple(shape), shape=shape) if padded != shape else x

    # ------------------------------------------------------------------ casts
    def cast(self, dtype: Any) -> Tensor:
        dt = to_dtype(dtype)
        return self if dt == self.dtype else self._op("cast", dtype=dt)

    def bitcast(self, dtype: Any) -> Tensor:
        dt = to_dtype(dtype)
        if dt.itemsize != self.dtype.itemsize:
            raise TensorValueError(f"bitcast: {self.dtype.name} and {dt.name} differ in size")
        if dt == self.dtype:
            return self
        # bool has no bits of its own in the IR (i1): it goes through its byte, 0 or 1 (a byte read
        # as bool is true when nonzero, as numpy's and PyTorch's views give)
        if self.dtype.is_bool():
            return self.cast(dtypes.uint8).bitcast(dt)
        if dt.is_bool():
            return self.bitcast(dtypes.uint8).cast(dt)
        return self._op("bitcast", dtype=dt)

    def float(self) -> Tensor:
        return self.cast(dtypes.float32)

    def half(self) -> Tensor:
        return self.cast(dtypes.float16)

    def int(self) -> Tensor:
        return self.cast(dtypes.int32)

    def bool(self) -> Tensor:
        return self.cast(dtypes.bool)

    def _float(self) -> Tensor:
        return self.cast(least_upper_float(self.dtype))

    # ------------------------------------------------------------------ elementwise primitives
    def _need(self, opname: str, *kinds: str) -> None:
        ok = {"float": self.dtype.is_float(), "int": self.dtype.is_int(), "bool": self.dtype.is_bool()}
        if not any(ok[k] for k in kinds):
            raise TensorTypeError(f"{opname}: dtype {self.dtype.name} is not supported (needs {' or '.join(kinds)})")

    def neg(self) -> Tensor:
        return self.logical_not() if self.dtype.is_bool() else self._op("neg")

    def exp2(self) -> Tensor:
        return self._float()._op("exp2")

    def log2(self) -> Tensor:
        return self._float()._op("log2")

    def sin(self) -> Tensor:
        return self._float()._op("sin")

    def sqrt(self) -> Tensor:
        return self._float()._op("sqrt")

    def reciprocal(self) -> Tensor:
        return self._float()._op("recip")

    def add(self, x: Any, reverse: bool = False) -> Tensor:
        a, b = self._broadcasted(x, "add", reverse)
        return a._op("or", b) if a.dtype.is_bool() else a._op("add", b)

    def mul(self, x: Any, reverse: bool = False) -> Tensor:
        a, b = self._broadcasted(x, "mul", reverse)
        return a._op("and", b) if a.dtype.is_bool() else a._op("mul", b)

    def sub(self, x: Any, reverse: bool = False) -> Tensor:
        a, b = self._broadcasted(x, "sub", reverse)
        if a.dtype.is_bool():
            raise TensorTypeError("sub: subtraction of bool tensors is not supported, use logical_xor")
        return a._op("add", b._op("neg"))

    def div(self, x: Any, reverse: bool = False, rounding_mode: str | None = None) -> Tensor:
        a, b = self._broadcasted(x, "div", reverse)
        if rounding_mode == "trunc":
            return a.idiv(b) if not a.dtype.is_float() else (a / b).trunc()
        if rounding_mode == "floor":
            return a._floordiv(b)
        return a._float()._true_div(b._float())

    def _true_div(self, b: Tensor) -> Tensor:
        """self * recip(b), with b scaled by a power of two into the range whose reciprocal is a normal
        number, and the product scaled back: 1 / a subnormal overflows (0 / 1e-40 was NaN, 1e-40 / 1e-40
        inf) and 1 / a huge b is subnormal, short of digits (3e38 / 3e38 was 0.99999994). float16 and
        bfloat16 divide in float32 and round once (their own reciprocal rounds twice and overflows below
        1 / 65504 in float16)."""
        if self.dtype.itemsize < 4:
            return self.float()._true_div(b.float()).cast(self.dtype)
        info = float_info(self.dtype.np)
        up, size = 2.0 ** (info.nmant + 1), b.abs()
        scale = (size < float(info.tiny)).where(up, (size > 1 / float(info.tiny)).where(1 / up, 1.0))
        scale = scale.cast(self.dtype).detach()
        return self._op("mul", (b * scale)._op("recip")) * scale

    def idiv(self, x: Any, reverse: bool = False) -> Tensor:
        """Integer division truncating toward zero (C semantics)."""
        a, b = self._broadcasted(x, "idiv", reverse)
        a._need("idiv", "int")
        return a._op("idiv", b)

    def _floordiv(self, b: Tensor) -> Tensor:
        if self.dtype.is_float():
            return self._float_floordiv(b)
        q = self._op("idiv", b)
        inexact = self._op("mod", b)._op("cmpne", b.zeros_like(), dtype=dtypes.bool)
        signs_differ = (self < 0) ^ (b < 0)
        return (inexact & signs_differ).where(q - 1, q)

    def _float_floordiv(self, b: Tensor) -> Tensor:
        """Python's and PyTorch's float floor division, taken from the exact remainder: floor(a / b)
        rounds the quotient first (1.0 // 0.1 would be 10, not 9). A step function: no gradient.
        Every step rounds to self's dtype, float16 and bfloat16 too, as PyTorch's vectorized CPU kernel
        does (bit for bit: test_fmod). Its scalar path, for a few elements, and its CUDA kernel round
        once instead: bfloat16's 300 // 0.7 is 430 here and there 428."""
        a, b = self.detach(), b.detach()
        r = a._op("fmod", b)
        q = (a - r) / b  # a - r is a whole multiple of b: the quotient is whole up to one rounding
        q = ((r != 0) & ((r < 0) ^ (b < 0))).where(q - 1, q)
        whole = q.floor()
        whole = (q - whole > 0.5).where(whole + 1, whole)
        whole = (q == 0).where(a.zeros_like().copysign(a / b), whole)  # the sign of the true quotient
        return (b == 0).where(a / b, whole)

    def mod(self, x: Any, reverse: bool = False) -> Tensor:
        """Python/PyTorch remainder: the sign of the divisor."""
        a, b = self._broadcasted(x, "mod", reverse)
        if a.dtype.is_float():  # PyTorch's remainder: the exact fmod, moved by b where the signs differ
            r = a._op("fmod", b)
            return ((r != 0) & ((r < 0) ^ (b < 0))).where(r + b, r)
        a._need("mod", "int")
        r = a._op("mod", b)
        fix = (r != 0) & ((r < 0) ^ (b < 0))
        return fix.where(r + b, r)

    def maximum(self, x: Any) -> Tensor:
        a, b = self._broadcasted(x, "maximum")
        return a | b if a.dtype.is_bool() else a._op("max", b)  # tir.max takes no i1

    def minimum(self, x: Any) -> Tensor:
        a, b = self._broadcasted(x, "minimum")
        if a.dtype.is_bool():
            return a & b
        return a._order_flipped()._op("max", b._order_flipped())._order_flipped()

    def where(self, x: Any, y: Any) -> Tensor:
        """`self ? x : y` elementwise (self is the condition), broadcasting all three."""
        cond = self if self.dtype.is_bool() else self._op("cmpne", self.zeros_like(), dtype=dtypes.bool)
        if not isinstance(x, Tensor) and isinstance(y, Tensor):
            xt = y._to_tensor(x, "where")
            yt = y
        elif isinstance(x, Tensor):
            xt, yt = x, x._to_tensor(y, "where")
        else:
            dt = least_upper_dtype(python_dtype(x), python_dtype(y))
            xt, yt = Tensor._const(x, (), dt, self.device), Tensor._const(y, (), dt, self.device)
        xt, yt = xt._broadcasted(yt, "where")
        shape = _broadcast_shape(cond.shape, xt.shape, "where")
        cond, xt, yt = cond._broadcast_to(shape), xt._broadcast_to(shape), yt._broadcast_to(shape)
        return cond._op("where", xt, yt, dtype=xt.dtype)

    # comparisons (results are bool)
    def _cmp(self, op: str, x: Any, reverse: bool = False) -> Tensor:
        a, b = self._broadcasted(x, op, reverse)
        return a._op(op, b, dtype=dtypes.bool)

    def __lt__(self, x: Any) -> Tensor:
        return self._cmp("cmplt", x)

    def __gt__(self, x: Any) -> Tensor:
        return self._cmp("cmplt", x, reverse=True)

    def __ne__(self, x: Any) -> Tensor:  # type: ignore[override]
        return self._cmp("cmpne", x)

    def __eq__(self, x: Any) -> Tensor:  # type: ignore[override]
        return self._cmp("cmpne", x).logical_not()

    def __le__(self, x: Any) -> Tensor:
        return self._ordered_or_equal(x, reverse=False)

    def __ge__(self, x: Any) -> Tensor:
        return self._ordered_or_equal(x, reverse=True)

    def _ordered_or_equal(self, x: Any, reverse: bool) -> Tensor:
        """self <= x (self >= x when reverse). On floats not (x < self) would be true next to a NaN:
        there it is (self < x) or (self == x), false with a NaN as in IEEE 754."""
        a, b = self._broadcasted(x, "ge" if reverse else "le")
        a, b = (b, a) if reverse else (a, b)
        if not a.dtype.is_float():
            return b._op("cmplt", a, dtype=dtypes.bool).logical_not()
        return a._op("cmplt", b, dtype=dtypes.bool) | a._op("cmpne", b, dtype=dtypes.bool).logical_not()

    def eq(self, x: Any) -> Tensor:
        return self == x

    def ne(self, x: Any) -> Tensor:
        return self != x

    def lt(self, x: Any) -> Tensor:
        return self < x

    def gt(self, x: Any) -> Tensor:
        return self > x

    def le(self, x: Any) -> Tensor:
        return self <= x

    def ge(self, x: Any) -> Tensor:
        return self >= x

    # bitwise and logical
    def _bitop(self, op: str, x: Any, reverse: bool = False) -> Tensor:
        a, b = self._broadcasted(x, op, reverse)
        a._need(op, "int", "bool")
        return a._op(op, b)

    def bitwise_and(self, x: Any) -> Tensor:
        return self._bitop("and", x)

    def bitwise_or(self, x: Any) -> Tensor:
        return self._bitop("or", x)

    def bitwise_xor(self, x: Any) -> Tensor:
        return self._bitop("xor", x)

    def bitwise_not(self) -> Tensor:
        self._need("bitwise_not", "int", "bool")
        # all bits set: True, -1, or the unsigned type's maximum (255 for uint8, 2**32 - 1 for uint32)
        ones = True if self.dtype.is_bool() else -1 if not self.dtype.is_unsigned() else self.dtype.max
        return self._op("xor", self.full_like(ones))

    def lshift(self, x: Any) -> Tensor:
        a, b = self._broadcasted(x, "shl")
        a._need("lshift", "int")
        return a._op("shl", b)

    def rshift(self, x: Any) -> Tensor:
        a, b = self._broadcasted(x, "shr")
        a._need("rshift", "int")
        return a._op("shr", b)

    def logical_not(self) -> Tensor:
        return self.bool()._op("xor", Tensor._const(True, self.shape, dtypes.bool, self.device))

    def logical_and(self, x: Any) -> Tensor:
        return self.bool() & (x.bool() if isinstance(x, Tensor) else bool(x))

    def logical_or(self, x: Any) -> Tensor:
        return self.bool() | (x.bool() if isinstance(x, Tensor) else bool(x))

    def logical_xor(self, x: Any) -> Tensor:
        return self.bool() ^ (x.bool() if isinstance(x, Tensor) else bool(x))

    # ------------------------------------------------------------------ operators
    def __neg__(self) -> Tensor:
        return self.neg()

    def __invert__(self) -> Tensor:
        return self.bitwise_not()

    def __add__(self, x: Any) -> Tensor:
        return self.add(x)

    def __radd__(self, x: Any) -> Tensor:
        return self.add(x, True)

    def __sub__(self, x: Any) -> Tensor:
        return self.sub(x)

    def __rsub__(self, x: Any) -> Tensor:
        return self.sub(x, True)

    def __mul__(self, x: Any) -> Tensor:
        return self.mul(x)

    def __rmul__(self, x: Any) -> Tensor:
        return self.mul(x, True)

    def __truediv__(self, x: Any) -> Tensor:
        return self.div(x)

    def __rtruediv__(self, x: Any) -> Tensor:
        return self.div(x, True)

    def __floordiv__(self, x: Any) -> Tensor:
        return self.div(x, rounding_mode="floor")

    def __rfloordiv__(self, x: Any) -> Tensor:
        return self.div(x, True, rounding_mode="floor")

    def __mod__(self, x: Any) -> Tensor:
        return self.mod(x)

    def __rmod__(self, x: Any) -> Tensor:
        return self.mod(x, True)

    def __pow__(self, x: Any) -> Tensor:
        return self.pow(x)

    def __rpow__(self, x: Any) -> Tensor:
        return self.pow(x, True)

    def __matmul__(self, x: Tensor) -> Tensor:
        return self.matmul(x)

    def __rmatmul__(self, x: Tensor) -> Tensor:
        return self._to_tensor(x, "matmul").matmul(self)

    def __and__(self, x: Any) -> Tensor:
        return self._bitop("and", x)

    def __rand__(self, x: Any) -> Tensor:
        return self._bitop("and", x, True)

    def __or__(self, x: Any) -> Tensor:
        return self._bitop("or", x)

    def __ror__(self, x: Any) -> Tensor:
        return self._bitop("or", x, True)

    def __xor__(self, x: Any) -> Tensor:
        return self._bitop("xor", x)

    def __rxor__(self, x: Any) -> Tensor:
        return self._bitop("xor", x, True)

    def __lshift__(self, x: Any) -> Tensor:
        return self.lshift(x)

    def __rshift__(self, x: Any) -> Tensor:
        return self.rshift(x)

    # in-place operators rebind the tensor to the new value (tinygrad's semantics)
    def __iadd__(self, x: Any) -> Tensor:
        return self.assign(self + x)

    def __isub__(self, x: Any) -> Tensor:
        return self.assign(self - x)

    def __imul__(self, x: Any) -> Tensor:
        return self.assign(self * x)

    def __itruediv__(self, x: Any) -> Tensor:
        return self.assign(self / x)


def _normalize_const(value: Any, dtype: DType) -> Any:
    """A python value of the dtype's class, so equal constants hash equal."""
    if dtype.is_bool():
        return bool(value)
    if dtype.is_float():  # rounded to the dtype: past its range a constant is inf, as in numpy/PyTorch
        with np.errstate(over="ignore"):
            return float(np.array(float(value), dtype=dtype.np))
    if isinstance(value, (float, np.floating)) and not math.isfinite(value):
        raise TensorValueError(f"constant: {value} has no {dtype.name} value")
    v = int(value)
    if not -2**31 <= v < 2**31:  # DTYPES: past int32, a value must fit its dtype (int64: no silent wrap)
        check_int_fits(v, dtype.np, "constant")
    # an int32 value into a narrower integer type wraps, as a C cast (uint8 255 is the bit pattern of int8 -1)
    return int(np.array(v, np.uint64 if v >= 2**63 else np.int64).astype(dtype.np)) if dtype.np.kind in "iu" else v


def _array_of_list(data: list | tuple, dt: DType) -> np.ndarray:
    """A nested list as an array of the dtype; a ragged level, an element that is not a number or an
    integer the dtype cannot hold is an error naming the element (numpy's message would not)."""
    try:
        return np.array(data, dtype=dt.np)
    except (ValueError, TypeError, OverflowError):
        raise nested_data_error(data, dt.np) from None


def _shape_arg(shape: Any, opname: str) -> tuple[int, ...]:
    """Shapes may be given as `f(2, 3)` or `f((2, 3))`."""
    if not isinstance(shape, (tuple, list)):
        shape = (shape,)
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return shape_arg(tuple(shape), opname)


def _broadcast_shape(a: tuple[int, ...], b: tuple[int, ...], opname: str) -> tuple[int, ...]:
    n = max(len(a), len(b))
    pa, pb = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    out = []
    for x, y in zip(pa, pb):
        if x != y and 1 not in (x, y):
            raise TensorValueError(f"{opname}: shapes {a} and {b} cannot be broadcast together")
        out.append(y if x == 1 else x)
    return tuple(out)
