"""The test corpus: hand-written tensor-level programs with numpy expectations, and a generator
of random ones for property tests.

A corpus file `test/corpus/NAME.mlir` holds one `func.func @main` and comment directives:
  `// NUMPY: <python>`   (one or more lines) computes the expected outputs from the inputs, named
                         like the function's arguments (`%a` -> `a`), with `np` available; it
                         assigns `out` (one result) or `out0`, `out1`, ...
  `// NONZERO: b, c`     integer inputs that must not contain 0 (divisors).
Inputs are seeded: floats uniform in [-2, 2), signed ints in [-8, 8), unsigned ints in [0, 16),
bools random.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from xdsl.dialects.builtin import ModuleOp, TensorType

from tinyir.element_types import numpy_dtype
from tinyir.ir import parse_module
from tinyir.runtime.reference import entry_function

CORPUS_DIR = Path(__file__).resolve().parents[1] / "corpus"

_DIRECTIVE = re.compile(r"^\s*//\s*(NUMPY|NONZERO):\s?(.*)$")


@dataclass
class Program:
    """One corpus program: its IR text, its numpy expectation and how to make its inputs."""

    name: str
    text: str
    numpy_source: str
    nonzero: set[str] = field(default_factory=set)

    def module(self) -> ModuleOp:
        return parse_module(self.text, self.name)

    def signature(self, module: ModuleOp | None = None) -> list[tuple[str, TensorType]]:
        """(name, type) of each entry argument, named as in the source (`%a` -> "a")."""
        func = entry_function(module or self.module())
        return [(arg.name_hint or f"arg{i}", arg.type) for i, arg in enumerate(func.body.block.args)]

    def make_inputs(self, seed: int = 0, module: ModuleOp | None = None) -> list[np.ndarray]:
        rng = np.random.default_rng(seed)
        return [random_input(rng, t, name in self.nonzero) for name, t in self.signature(module)]

    def expected(self, inputs: list[np.ndarray], module: ModuleOp | None = None) -> list[np.ndarray]:
        """Run the NUMPY lines; returns out (or out0, out1, ...) as arrays."""
        scope: dict[str, object] = {"np": np}
        scope.update({name: x for (name, _), x in zip(self.signature(module), inputs)})
        with np.errstate(all="ignore"):
            exec(compile(self.numpy_source, f"<{self.name} NUMPY>", "exec"), scope)
        if "out" in scope:
            return [np.asarray(scope["out"])]
        outs, i = [], 0
        while f"out{i}" in scope:
            outs.append(np.asarray(scope[f"out{i}"]))
            i += 1
        if not outs:
            raise ValueError(f"{self.name}: NUMPY lines assign neither `out` nor `out0`")
        return outs


def random_input(rng: np.random.Generator, t: TensorType, nonzero: bool = False) -> np.ndarray:
    """A seeded input of type `t` (see the module docstring for the ranges)."""
    dt, shape = numpy_dtype(t.get_element_type()), tuple(t.get_shape())
    if dt == np.bool_:
        return rng.integers(0, 2, shape).astype(np.bool_)
    if dt.kind == "f":
        return rng.uniform(-2.0, 2.0, shape).astype(dt)
    lo, hi = (0, 16) if dt.kind == "u" else (-8, 8)
    x = rng.integers(lo, hi, shape)
    if nonzero:
        x = np.where(x == 0, 1, x)
    return x.astype(dt)


def load(path: Path | str) -> Program:
    """Read a corpus file."""
    path = Path(path)
    text = path.read_text()
    numpy_lines: list[str] = []
    nonzero: set[str] = set()
    for line in text.splitlines():
        m = _DIRECTIVE.match(line)
        if not m:
            continue
        if m.group(1) == "NUMPY":
            numpy_lines.append(m.group(2))
        else:
            nonzero |= {n.strip().lstrip("%") for n in m.group(2).split(",") if n.strip()}
    if not numpy_lines:
        raise ValueError(f"{path}: no `// NUMPY:` line")
    return Program(path.stem, text, "\n".join(numpy_lines), nonzero)


def corpus_files() -> list[Path]:
    return sorted(CORPUS_DIR.glob("*.mlir"))


# ------------------------------------------------------------------------------------------------
# random programs: a chain of elementwise and movement ops on one input, ending in a reduce


def _ty(shape: tuple[int, ...]) -> str:
    return "tensor<" + "".join(f"{d}x" for d in shape) + "f32>"


class _Builder:
    """Emits IR text and the matching numpy expression side by side."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.count = 0

    def emit(self, rhs: str) -> str:
        name = f"%v{self.count}"
        self.count += 1
        self.lines.append(f"  {name} = {rhs}")
        return name

    def const(self, value: float, shape: tuple[int, ...]) -> str:
        return self.emit(f"tir.constant dense<{value!r}> : {_ty(shape)}")


Step = Callable[[random.Random, _Builder, str, str, tuple[int, ...]], tuple[str, str, tuple[int, ...]]]


def _unary(op: str, np_fn: str) -> Step:
    return lambda r, b, v, e, s: (b.emit(f"tir.{op} {v} : {_ty(s)}"), f"{np_fn}({e})", s)


def _scale(r: random.Random, b: _Builder, v: str, e: str, s: tuple[int, ...]):
    k = r.choice([0.5, -1.5, 2.0])
    c = b.const(k, s)
    return b.emit(f"tir.mul {v}, {c} : {_ty(s)}"), f"({e} * np.float32({k!r}))", s


def _add_sin(r: random.Random, b: _Builder, v: str, e: str, s: tuple[int, ...]):
    t = b.emit(f"tir.sin {v} : {_ty(s)}")
    return b.emit(f"tir.add {v}, {t} : {_ty(s)}"), f"({e} + np.sin({e}))", s


def _relu(r: random.Random, b: _Builder, v: str, e: str, s: tuple[int, ...]):
    z = b.const(0.0, s)
    return b.emit(f"tir.max {v}, {z} : {_ty(s)}"), f"np.maximum({e}, np.float32(0))", s


def _exp2_sin(r: random.Random, b: _Builder, v: str, e: str, s: tuple[int, ...]):
    t = b.emit(f"tir.sin {v} : {_ty(s)}")
    return b.emit(f"tir.exp2 {t} : {_ty(s)}"), f"np.exp2(np.sin({e}))", s


def _select(r: random.Random, b: _Builder, v: str, e: str, s: tuple[int, ...]):
    z = b.const(0.25, s)
    m = b.emit(f"tir.cmplt {v}, {z} : {_ty(s)}")
    n = b.emit(f"tir.neg {v} : {_ty(s)}")
    return b.emit(f"tir.where {m}, {v}, {n} : {_ty(s)}"), f"np.where({e} < 0.25, {e}, -{e})", s


def _permute(r: random.Random, b: _Builder, v: str, e: str, s: tuple[int, ...]):
    perm = list(range(len(s)))
    r.shuffle(perm)
    out = tuple(s[p] for p in perm)
    return b.emit(f"tir.permute {v} {perm} : {_ty(s)} -> {_ty(out)}"), f"np.transpose({e}, {tuple(perm)})", out


def _flip(r: random.Random, b: _Builder, v: str, e: str, s: tuple[int, ...]):
    axes = sorted(r.sample(range(len(s)), r.randint(1, len(s))))
    return b.emit(f"tir.flip {v} {axes} : {_ty(s)}"), f"np.flip({e}, {tuple(axes)})", s


def _pad(r: random.Random, b: _Builder, v: str, e: str, s: tuple[int, ...]):
    pads = [(r.randint(0, 2), r.randint(0, 2)) for _ in s]
    out = tuple(d + lo + hi for d, (lo, hi) in zip(s, pads))
    text = "[" + ", ".join(f"[{lo}, {hi}]" for lo, hi in pads) + "]"
    return b.emit(f"tir.pad {v} {text} : {_ty(s)} -> {_ty(out)}"), f"np.pad({e}, {tuple(pads)})", out


def _shrink(r: random.Random, b: _Builder, v: str, e: str, s: tuple[int, ...]):
    bounds = []
    for d in s:
        lo = r.randint(0, d - 1)
        bounds.append((lo, r.randint(lo + 1, d)))
    out = tuple(hi - lo for lo, hi in bounds)
    text = "[" + ", ".join(f"[{lo}, {hi}]" for lo, hi in bounds) + "]"
    index = ", ".join(f"{lo}:{hi}" for lo, hi in bounds)
    return b.emit(f"tir.shrink {v} {text} : {_ty(s)} -> {_ty(out)}"), f"{e}[{index}]", out


def _reshape(r: random.Random, b: _Builder, v: str, e: str, s: tuple[int, ...]):
    n = int(np.prod(s))
    divisors = [d for d in range(1, n + 1) if n % d == 0]
    first = r.choice(divisors)
    out = (first, n // first) if r.random() < 0.7 else (n,)
    return b.emit(f"tir.reshape {v} : {_ty(s)} -> {_ty(out)}"), f"{e}.reshape({out})", out


def _expand(r: random.Random, b: _Builder, v: str, e: str, s: tuple[int, ...]):
    k = r.randint(2, 3)
    unit = (1, *s)
    out = (k, *s)
    u = b.emit(f"tir.reshape {v} : {_ty(s)} -> {_ty(unit)}")
    return b.emit(f"tir.expand {u} : {_ty(unit)} -> {_ty(out)}"), f"np.broadcast_to({e}[None], {out})", out


ELEMENTWISE_STEPS: list[Step] = [
    _unary("neg", "np.negative"), _unary("sin", "np.sin"), _scale, _add_sin, _relu, _exp2_sin, _select,
]
MOVEMENT_STEPS: list[Step] = [_permute, _flip, _pad, _shrink, _reshape, _expand]


def random_program(seed: int, length: int = 5) -> Program:
    """A random chain of elementwise and movement ops on one f32 input, ending in a reduce."""
    r = random.Random(seed)
    shape = tuple(r.randint(1, 6) for _ in range(r.randint(1, 3)))
    b = _Builder()
    v, e, s = "%a", "a", shape
    for _ in range(length):
        steps = MOVEMENT_STEPS if r.random() < 0.5 else ELEMENTWISE_STEPS
        step = r.choice(steps)
        if step is _expand and (len(s) >= 4 or int(np.prod(s)) * 3 > 4096):  # keep sizes small
            step = _flip
        v, e, s = step(r, b, v, e, s)
    axes = sorted(r.sample(range(len(s)), r.randint(1, len(s))))
    keep = r.random() < 0.5
    out = tuple(1 if i in axes else d for i, d in enumerate(s)) if keep else tuple(d for i, d in enumerate(s) if i not in axes)
    kind, np_fn = r.choice([("reduce_sum", "np.sum"), ("reduce_max", "np.max")])
    v = b.emit(f"tir.{kind} {v} {axes} : {_ty(s)} -> {_ty(out)}")
    expr = f"{np_fn}({e}, axis={tuple(axes)}, keepdims={keep})"
    text = "\n".join([
        f"func.func @main(%a: {_ty(shape)}) -> {_ty(out)} {{",
        *b.lines,
        f"  func.return {v} : {_ty(out)}",
        "}",
    ])
    return Program(f"random{seed}", text, f"out = {expr}")


__all__ = ["Program", "load", "corpus_files", "random_input", "random_program", "CORPUS_DIR"]
