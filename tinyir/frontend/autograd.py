"""`backward()`, `.grad` and `Tensor.gradient` on top of the `tensor-autodiff` pass.

The loss's lazy graph, cut at the targets (and at realized buffers and `detach`es), becomes a tir
function with the loss as result 0; `tensor-autodiff` appends the gradients; the added ops are
read back as a *template* (plain tuples referring to the function's forward nodes, arguments and
new ops) and instantiated as lazy nodes. Templates are cached by the graph's structure, so a
training loop runs the pass once and afterwards only replays tuples.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from xdsl.ir import SSAValue

from tinyir.errors import TensorTypeError, TensorValueError, TinyirError
from tinyir.frontend import lazy
from tinyir.frontend.dtypes import DType
from tinyir.frontend.inplace import DROPPED_FOR_OVERWRITE
from tinyir.frontend.realize import Graph, build_function, collect, dtype_of_type
from tinyir.runtime.bounded import BoundedCache
from tinyir.viz.settings import SWITCHES

if TYPE_CHECKING:
    from tinyir.frontend.tensor import Tensor

# every tensor created or marked with requires_grad=True (backward() looks for them in the graph)
REQUIRES_GRAD: weakref.WeakSet[Tensor] = weakref.WeakSet()

# where a loss's graph is cut: leaves, `detach`es, and collectives (MULTI-DEVICE, multi.py: their
# sources are on other devices; sharded autodiff crosses them itself)
CUT_OPS = ("buffer", "detach", "allreduce")

Ref = tuple[str, int]  # ("fwd", node index) | ("arg", argument index) | ("seed", 0) | ("new", entry index)


@dataclass(frozen=True)
class Template:
    """The gradient ops the pass added, as data: (op, arg, shape, dtype, source refs)."""

    entries: tuple[tuple[str, Any, tuple[int, ...], DType, tuple[Ref, ...]], ...]
    grads: tuple[Ref, ...]


_TEMPLATES: BoundedCache[tuple, Template] = BoundedCache(256)  # the most recently used (bounded.py)
STATS = {"pass_runs": 0, "replays": 0}


def _lazy_form(op: Any) -> list[tuple[str, Any]]:
    """A tir op as lazy node kinds: [(kind, arg)], two for a non-keepdims reduce."""
    from tinyir.dialects import tensor as tir

    name = op.name.removeprefix("tir.")
    if isinstance(op, tir.ConstantOp):
        value = op.splat_value()
        if value is None and not op.values():  # a zero-size constant
            value = 0
        if value is None:
            raise NotImplementedError("autograd: non-splat constant in the gradient")
        return [("const", value)]
    if isinstance(op, tir.IotaOp):
        return [("iota", op.axis_int())]
    if isinstance(op, tir.ReduceOp):
        forms = [(name, op.axes_tuple())]
        if not op.keepdims():
            forms.append(("reshape", tir.shape_of(op.result)))
        return forms
    if isinstance(op, (tir.ReshapeOp, tir.ExpandOp)):
        return [(name, tir.shape_of(op.result))]
    if isinstance(op, tir.PermuteOp):
        return [(name, op.perm_tuple())]
    if isinstance(op, tir.PadOp):
        return [(name, op.pads())]
    if isinstance(op, tir.ShrinkOp):
        return [(name, op.bounds())]
    if isinstance(op, tir.FlipOp):
        return [(name, op.axes_tuple())]
    if name in (*lazy.UNARY, *lazy.BINARY, *lazy.COMPARE, "where", "cast", "bitcast"):
        return [(name, None)]
    raise NotImplementedError(f"autograd: cannot import {op.name} from the gradient function")


def _normalize(kind: str, arg: Any, dtype: DType) -> Any:
    if kind != "const":
        return tuple(tuple(a) if isinstance(a, (list, tuple)) else a for a in arg) if isinstance(arg, (list, tuple)) else arg
    return bool(arg) if dtype.is_bool() else float(arg) if dtype.is_float() else int(arg)


def make_template(graph: Graph, wrt: list[int], seeded: bool) -> Template:
    from tinyir.dialects import tensor as tir
    from tinyir.passes.autodiff import differentiate

    module, values = build_function(graph, "loss")
    fn = next(iter(module.ops))
    refs: dict[SSAValue, Ref] = {}
    for i, arg in enumerate(fn.body.blocks[0].args):
        refs[arg] = ("arg", i)
    for i, node in enumerate(graph.nodes):
        refs.setdefault(values[id(node)], ("fwd", i))
    differentiate(fn, wrt, seeded)
    STATS["pass_runs"] += 1
    block = fn.body.blocks[0]
    if seeded:
        refs[block.args[-1]] = ("seed", 0)
    entries: list[tuple] = []
    for op in block.ops:
        if op.results and op.results[0] in refs:
            continue
        if not op.results:  # func.return
            grads = tuple(refs[v] for v in op.operands[1:])
            continue
        srcs = tuple(refs[v] for v in op.operands)
        dtype = dtype_of_type(op.results[0].type)
        for kind, arg in _lazy_form(op):
            shape = tir.shape_of(op.results[0]) if kind != "reduce_sum" and kind != "reduce_max" else \
                tuple(1 if i in arg else s for i, s in enumerate(tir.shape_of(op.operands[0])))
            entries.append((kind, _normalize(kind, arg, dtype), tuple(shape), dtype, srcs))
            srcs = (("new", len(entries) - 1),)
        refs[op.results[0]] = ("new", len(entries) - 1)
    return Template(tuple(entries), grads)


def _blocks_another(targets: list[Tensor]) -> bool:
    """Whether some target lies downstream of another (cutting the graph at it would hide the
    path to the other one)."""
    ids = {id(t.lazydata) for t in targets}
    for t in targets:
        upstream = lazy.toposort(list(t.lazydata.srcs)) if t.lazydata.op != "buffer" else []
        if any(id(n) in ids for n in upstream):
            return True
    return False


def _describe(t: Tensor) -> str:
    return f"Tensor(shape={t.shape}, dtype={t.dtype.name}, device={t.device}) at {id(t):#x}"


def check_history(loss: Tensor, targets: list[Tensor], what: str) -> None:
    """Raise if the loss depends on a target only through a graph that is gone: a value realized
    while nothing in its graph required grad (its graph was dropped, see realize.py), or an
    expression built before `requires_grad` gave the target its own node. Differentiating would
    silently give zero (or partial) gradients there."""
    visited: set[int] = set()
    lineages: list[weakref.WeakSet] = []
    stack = [loss.lazydata]
    while stack:
        node = stack.pop()
        if id(node) in visited or node.op == "detach":
            continue
        visited.add(id(node))
        if node.lineage:
            lineages.append(node.lineage)
        stack.extend(node.srcs)
    for i, t in enumerate(targets):
        former = [n for n in getattr(t, "_superseded", ()) if n.op != "const"]  # consts are shared
        lost_inside = any(id(n) in visited for n in former)
        lost_in_buffer = any(n in lin for lin in lineages for n in (t.lazydata, *former))
        if lost_in_buffer and any(DROPPED_FOR_OVERWRITE in lin for lin in lineages
                                  if any(n in lin for n in (t.lazydata, *former))):  # RETIRED-GRAPH
            raise TinyirError(f"{what}: the loss depends on {_describe(t)} through a value whose graph was dropped "
                              f"because values it read were overwritten in place by a later assign (an optimizer "
                              f"step); compute the gradient before the step, or set TINYIR_INPLACE=0")
        if lost_inside or lost_in_buffer:
            how = ("a value realized (.numpy()/.realize()) while nothing in its graph required grad, so its "
                   "graph was dropped" if lost_in_buffer else "an expression built before requires_grad was set")
            raise RuntimeError(
                f"{what}: the loss depends on {'target ' + str(i) + ', ' if what == 'gradient' else ''}"
                f"{_describe(t)} through {how}; its gradient cannot be computed. Set requires_grad=True "
                f"before building and realizing expressions from it (or rebuild them).")


def gradients(loss: Tensor, targets: list[Tensor], seed: Tensor | None = None,
              split_dependent: bool = True) -> list[Tensor]:
    """d(loss)/d(target) for each target, as lazy tensors. The graph is cut at the targets (they
    become the function's arguments); when one target is computed from another, each target
    gets its own cut (and template) instead.

    A target the loss does not depend on gets a zero gradient (tinygrad's behaviour; PyTorch's
    `autograd.grad` raises unless allow_unused=True). A target the loss used through a realized
    value whose graph was dropped raises RuntimeError instead (see `check_history`).

    `split_dependent=False`: a target downstream of another one stays a cut (paths through it are
    not followed): sharded autodiff (multi.py) cuts each device's graph at its collectives so."""
    from tinyir.frontend.tensor import Tensor

    if loss.lazydata.op == "multi" or any(t.lazydata.op == "multi" for t in targets):
        raise TensorValueError("gradient: not supported for sharded tensors (MULTI-DEVICE); use loss.backward() "
                               "and read .grad")
    check_history(loss, targets, "gradient")
    if split_dependent and len(targets) > 1 and _blocks_another(targets):
        return [gradients(loss, [t], seed)[0] for t in targets]

    if seed is None and loss.shape != ():
        raise RuntimeError(f"gradient: the loss must be a scalar (shape {loss.shape}); pass gradient= to seed it")
    if seed is not None and seed.shape != loss.shape:
        raise TensorValueError(f"gradient: seed shape {seed.shape} does not match the loss shape {loss.shape}")
    if not loss.dtype.is_float():
        raise TensorTypeError(f"gradient: the loss has dtype {loss.dtype.name}; only float values can be differentiated")
    for t in targets:
        if not t.dtype.is_float():
            raise TensorTypeError(f"gradient: target of dtype {t.dtype.name} (shape {t.shape}) is not a float tensor")
    target_ids = {id(t.lazydata) for t in targets}
    graph = collect([loss.lazydata],
                    lambda n: n.op in CUT_OPS or id(n) in target_ids)
    arg_index = {id(a): i for i, a in enumerate(graph.args)}
    wrt: list[int] = []
    for t in targets:
        i = arg_index.get(id(t.lazydata))
        if i is not None and i not in wrt:
            wrt.append(i)
    key = (graph.key, tuple(wrt), seed is not None)
    template = _TEMPLATES.get(key)
    if template is None:
        template = make_template(graph, wrt, seed is not None)
        _TEMPLATES[key] = template
    else:
        STATS["replays"] += 1
    device = loss.device
    made: list[lazy.LazyOp] = []

    def resolve(ref: Ref) -> lazy.LazyOp:
        kind, i = ref
        if kind == "fwd":
            return graph.nodes[i]
        if kind == "arg":
            return graph.args[i]
        if kind == "seed":
            return seed.lazydata
        return made[i]

    for kind, arg, shape, dtype, srcs in template.entries:
        made.append(lazy.make(kind, tuple(resolve(s) for s in srcs), arg, shape, dtype, device))
    if SWITCHES.graph:  # GRAPH=1 draws these nodes as the backward pass (tinyir/viz/graph.py)
        from tinyir.viz.graph import note_backward

        note_backward(made, {id(n) for n in (*graph.nodes, *graph.args)})
    by_arg = {wrt_i: resolve(ref) for wrt_i, ref in zip(wrt, template.grads)}
    out = []
    for t in targets:
        i = arg_index.get(id(t.lazydata))
        out.append(Tensor(by_arg[i]) if i is not None else t.zeros_like())
    return out


def backward(loss: Tensor, gradient: Tensor | None = None) -> None:
    """Accumulate d(loss)/dt into `t.grad` for every requires_grad tensor the loss depends on."""
    if loss.lazydata.op == "multi":  # MULTI-DEVICE: a sharded loss (tinyir/frontend/multi.py)
        from tinyir.frontend.multi import backward as multi_backward

        multi_backward(loss, gradient)
        return
    reachable = {id(n) for n in lazy.toposort([loss.lazydata])}
    check_history(loss, [t for t in list(REQUIRES_GRAD) if t.requires_grad], "backward")
    targets = [t for t in list(REQUIRES_GRAD) if t.requires_grad and id(t.lazydata) in reachable]
    if not targets:
        raise RuntimeError("backward: the loss does not depend on any tensor with requires_grad=True")
    for t, g in zip(targets, gradients(loss, targets, gradient)):
        t.grad = g if t.grad is None else t.grad + g
