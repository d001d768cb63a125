"""The numpy reference: an interpreter of every `tir` op (composites too) on the entry function.

`run_reference(module_or_func, inputs)` is the ground truth every compiled device is compared with.
The primitive elementwise ops mean what the ALU table says (tinyir/alu.py): integers wrap, `idiv`
truncates toward zero, x / 0 = x % 0 = 0, out-of-range shifts give 0 or the sign fill, float max
propagates NaN, float -> int casts saturate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Operation, SSAValue

from tinyir.dialects import tensor as tir
from tinyir.passes.decompose import LN_2, LOG2_E
from tinyir import alu
from tinyir.alu import eval_op
from tinyir.element_types import BFLOAT16, is_float_dtype, numpy_dtype

NARROW_FLOATS = (np.dtype(np.float16), BFLOAT16)  # DTYPES: sums and matmuls of these accumulate in f32

Impl = Callable[..., np.ndarray]


def entry_function(module: ModuleOp | FuncOp) -> FuncOp:
    """The entry `func.func` of a module: `@main` if there is one, else the first function."""
    if isinstance(module, FuncOp):
        return module
    funcs = [op for op in module.ops if isinstance(op, FuncOp)]
    if not funcs:
        raise ValueError("module has no func.func to run")
    return next((f for f in funcs if f.sym_name.data == "main"), funcs[0])


def _dtype(v: SSAValue | Operation) -> np.dtype:
    return numpy_dtype(tir.element_type_of(v))


def _shape(op: Operation) -> tuple[int, ...]:
    return tir.shape_of(op.results[0])


# ---------------------------------------------------------------------------- integer helpers


def c_idiv(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """`idiv` of the ALU table: toward zero, x / 0 = 0, MIN / -1 = MIN."""
    return eval_op("idiv", [a, np.asarray(b, a.dtype)], a.dtype)


def c_mod(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """`mod` of the ALU table: sign of the dividend, x % 0 = 0."""
    return eval_op("mod", [a, np.asarray(b, a.dtype)], a.dtype)


def logical_shr_i32(h: np.ndarray, s: int) -> np.ndarray:
    return ((h >> s) & np.int32((1 << (32 - s)) - 1)).astype(np.int32)


def random_bits(shape: Sequence[int], key: int) -> np.ndarray:
    """The `tir.random_bits` hash of (flat index, key), as i32, exactly as the decomposition does it."""
    n = int(np.prod(shape, dtype=np.int64))
    with np.errstate(all="ignore"):
        h = np.arange(n, dtype=np.int32) + (np.int32(key) + np.int32(1)) * np.int32(tir.RANDOM_BITS_KEY_MUL)
        for step, amount in tir.RANDOM_BITS_STEPS:
            h = h ^ logical_shr_i32(h, amount) if step == "xorshift" else h * np.int32(amount)
    return h.astype(np.int32).reshape(tuple(shape))


# ---------------------------------------------------------------------------- op implementations


def _constant(op: tir.ConstantOp) -> np.ndarray:
    if op.is_splat():  # one stored value: broadcast it, never a Python list per element
        return np.full(_shape(op), op.splat_value(), dtype=_dtype(op))
    return np.array(op.values(), dtype=_dtype(op)).reshape(_shape(op))


def _iota(op: tir.IotaOp) -> np.ndarray:
    shape, axis = _shape(op), op.axis_int()
    idx = np.arange(shape[axis]).reshape([-1 if i == axis else 1 for i in range(len(shape))])
    return np.broadcast_to(idx, shape).astype(_dtype(op))


def _reduce(np_fn: Callable[..., np.ndarray]) -> Impl:
    def impl(op: tir.ReduceOp, x: np.ndarray) -> np.ndarray:
        axes = op.axes_tuple()
        acc = np.float32 if x.dtype in NARROW_FLOATS else x.dtype  # f16/bf16 sums accumulate in f32
        if np_fn is np.sum:
            out = np.sum(x, axis=axes, keepdims=True, dtype=acc)
        else:
            lowest = -np.inf if is_float_dtype(x.dtype) else np.iinfo(x.dtype).min  # the max of nothing
            out = np.max(x, axis=axes, keepdims=True, initial=lowest) if axes else x
        return out.astype(x.dtype).reshape(_shape(op))

    return impl


def _softmax(op: tir.SoftmaxOp, x: np.ndarray) -> np.ndarray:
    axes = op.axes_tuple()
    e = np.exp(x - np.max(x, axis=axes, keepdims=True))
    return (e / np.sum(e, axis=axes, keepdims=True)).astype(x.dtype)


def _matmul(op: tir.MatmulOp, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.dtype in NARROW_FLOATS:  # accumulate in f32 like the decomposition's reduce (DTYPES: bf16 too)
        return np.matmul(a.astype(np.float32), b.astype(np.float32)).astype(a.dtype)
    return np.matmul(a, b).astype(a.dtype)


def _typed(fn: Callable[..., np.ndarray]) -> Impl:
    """An elementwise numpy function whose result keeps the op's result dtype."""
    return lambda op, *xs: np.asarray(fn(*xs)).astype(_dtype(op))


def _alu(name: str) -> Impl:
    """Primitive elementwise op `name` as the ALU table defines it (tinyir/alu.py)."""
    return lambda op, *xs: eval_op(name, list(xs), _dtype(op))


# op class -> implementation(op, *operand arrays); one line per op
IMPLS: dict[type[Operation], Impl] = {
    tir.ConstantOp: _constant,
    tir.IotaOp: _iota,
    tir.RandomBitsOp: lambda op, key: random_bits(_shape(op), int(key)),
    **{tir.ALU_BY_NAME[name]: _alu(name) for name in alu.ALU},  # every primitive elementwise op
    tir.ReduceSumOp: _reduce(np.sum),
    tir.ReduceMaxOp: _reduce(np.max),
    tir.ReshapeOp: lambda op, x: x.reshape(_shape(op)),
    tir.PermuteOp: lambda op, x: np.transpose(x, op.perm_tuple()),
    tir.ExpandOp: lambda op, x: np.broadcast_to(x, _shape(op)).copy(),
    tir.PadOp: lambda op, x: np.pad(x, op.pads()),
    tir.ShrinkOp: lambda op, x: x[tuple(slice(lo, hi) for lo, hi in op.bounds())],
    tir.FlipOp: lambda op, x: np.flip(x, op.axes_tuple()) if op.axes_tuple() else x,
    tir.MatmulOp: _matmul,
    # composites mean their decomposition (tensor-decompose), op by op through the ALU table
    tir.SubOp: lambda op, x, y: eval_op("add", [x, eval_op("neg", [y], y.dtype)], _dtype(op)),
    tir.DivOp: lambda op, x, y: eval_op("mul", [x, eval_op("recip", [y], y.dtype)], _dtype(op)),
    tir.ExpOp: lambda op, x: eval_op("exp2", [eval_op("mul", [x, np.full_like(x, LOG2_E)], x.dtype)], _dtype(op)),
    tir.LogOp: lambda op, x: eval_op("mul", [eval_op("log2", [x], x.dtype), np.full_like(x, LN_2)], _dtype(op)),
    tir.ReluOp: lambda op, x: eval_op("max", [x, np.zeros_like(x)], _dtype(op)),
    tir.SoftmaxOp: _softmax,
}


def _check_input(arg: SSAValue, given: object, index: int) -> np.ndarray:
    t = arg.type
    if not isinstance(t, TensorType):
        raise TypeError(f"input {index}: entry argument has type {t}, expected a tensor")
    dt, shape = numpy_dtype(t.get_element_type()), tuple(t.get_shape())
    arr = np.asarray(given)
    if arr.shape != shape:
        raise ValueError(f"input {index}: expected shape {shape} ({t}), got {arr.shape}")
    return arr.astype(dt, copy=False)


def run_reference(module_or_func: ModuleOp | FuncOp, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Interpret the entry function of a tensor-level module on numpy arrays; one array per result."""
    func = entry_function(module_or_func)
    args = func.body.block.args
    if len(inputs) != len(args):
        raise ValueError(f"@{func.sym_name.data} takes {len(args)} inputs, got {len(inputs)}")
    env: dict[SSAValue, np.ndarray] = {a: _check_input(a, x, i) for i, (a, x) in enumerate(zip(args, inputs))}
    for op in func.body.block.ops:
        if isinstance(op, ReturnOp):
            return [np.array(env[v]) for v in op.arguments]
        impl = IMPLS.get(type(op))
        if impl is None:
            raise NotImplementedError(f"the numpy reference has no implementation of {op.name}")
        with np.errstate(all="ignore"):
            out = impl(op, *(env[v] for v in op.operands))
        out = np.asarray(out)
        expected = (tir.shape_of(op.results[0]), _dtype(op.results[0]))
        if (out.shape, out.dtype) != expected:  # an interpreter bug, never a user error
            raise AssertionError(f"reference {op.name}: got {out.shape} {out.dtype}, expected {expected}")
        env[op.results[0]] = out
    raise ValueError(f"@{func.sym_name.data} has no func.return")


__all__ = ["run_reference", "entry_function", "random_bits", "c_idiv", "c_mod", "IMPLS"]
