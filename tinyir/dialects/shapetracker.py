"""The shapetracker level, `st` (docs/ir.md section 2): buffers, views, kernels that read through views.

Host side: `st.alloc`, `st.buffer_constant`, `st.kernel`. Inside a kernel body: the leaves
`st.load`, `st.arange`, `st.const` and the final `st.store`, each reading or writing through a
shapetracker (an array of `#st.view<...>` attributes; the algebra is tinyir/shapetracker/view.py).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

from xdsl.dialects.builtin import (
    ArrayAttr,
    DenseIntOrFPElementsAttr,
    FloatAttr,
    IntAttr,
    IntegerAttr,
    IntegerType,
    TensorType,
)
from xdsl.ir import Attribute, Data, Dialect, Operation, ParametrizedAttribute, SSAValue, TypeAttribute
from xdsl.irdl import (
    AnyAttr,
    IRDLOperation,
    irdl_attr_definition,
    irdl_op_definition,
    lazy_traits_def,
    operand_def,
    prop_def,
    result_def,
    var_operand_def,
)
from xdsl.parser import AttrParser, Parser
from xdsl.printer import Printer
from xdsl.traits import HasParent, Pure
from xdsl.utils.exceptions import VerifyException

from tinyir.dialects.kernel_base import IsolatedKernelBase
from tinyir.element_types import ELEMENT_TYPES, TYPE_NAMES, is_bool, is_float, is_int
from tinyir.shapetracker.view import ShapeTracker, View
from tinyir.dialects.tensor import make_type as tir_make_type

# ----------------------------------------------------------------------------------------------
# types and attributes


@irdl_attr_definition
class BufferType(ParametrizedAttribute, TypeAttribute):
    """`!st.buffer<4x4xf32>`: a device buffer holding a contiguous row-major array of that shape."""

    name = "st.buffer"

    shape: ArrayAttr[IntAttr]
    element_type: Attribute

    def __init__(self, shape: Sequence[int], element_type: Attribute):
        super().__init__(ArrayAttr(IntAttr(int(d)) for d in shape), element_type)

    def shape_tuple(self) -> tuple[int, ...]:
        return tuple(d.data for d in self.shape)

    def size(self) -> int:
        return math.prod(self.shape_tuple())

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[Attribute]:
        with parser.in_angle_brackets():
            dims, element_type = parser.parse_ranked_shape()
        return ArrayAttr(IntAttr(d) for d in dims), element_type

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_string("".join(f"{d}x" for d in self.shape_tuple()))
            printer.print_attribute(self.element_type)

    def verify(self) -> None:
        if any(d < 0 for d in self.shape_tuple()):
            raise VerifyException(f"!st.buffer dimensions must be static and non-negative, got {self.shape_tuple()}")
        if self.element_type not in ELEMENT_TYPES:
            raise VerifyException(f"!st.buffer element type {self.element_type} is not one of {TYPE_NAMES}")


def _parse_ints(parser: AttrParser) -> list[int]:
    return parser.parse_comma_separated_list(parser.Delimiter.SQUARE, parser.parse_integer)


def _ints(xs: Sequence[int]) -> str:
    return "[" + ", ".join(str(x) for x in xs) + "]"


@irdl_attr_definition
class ViewAttr(Data[View]):
    """`#st.view<[shape], [strides], offset>` or `#st.view<[shape], [strides], offset, [[lo, hi], ...]>`."""

    name = "st.view"

    @classmethod
    def from_view(cls, view: View) -> ViewAttr:
        return cls(view)

    @property
    def view(self) -> View:
        return self.data

    @classmethod
    def parse_parameter(cls, parser: AttrParser) -> View:
        with parser.in_angle_brackets():
            shape = _parse_ints(parser)
            parser.parse_punctuation(",")
            strides = _parse_ints(parser)
            parser.parse_punctuation(",")
            offset = parser.parse_integer(allow_boolean=False)
            mask = None
            if parser.parse_optional_punctuation(","):
                pos = parser.pos
                mask = parser.parse_comma_separated_list(parser.Delimiter.SQUARE, lambda: _parse_ints(parser))
                if any(len(m) != 2 for m in mask):
                    parser.raise_error("a view mask is a list of [lo, hi] pairs", pos, parser.pos)
                mask = tuple((m[0], m[1]) for m in mask)
        return View(tuple(shape), tuple(strides), offset, mask)

    def print_parameter(self, printer: Printer) -> None:
        v = self.data
        text = f"<{_ints(v.shape)}, {_ints(v.strides)}, {v.offset}"
        if v.mask is not None:
            text += ", [" + ", ".join(_ints(m) for m in v.mask) + "]"
        printer.print_string(text + ">")

    def verify(self) -> None:
        v = self.data
        if len(v.strides) != len(v.shape):
            raise VerifyException(f"#st.view has {len(v.shape)} dims but {len(v.strides)} strides")
        if any(d < 0 for d in v.shape):
            raise VerifyException(f"#st.view shape {list(v.shape)} has a negative dimension")
        if v.mask is not None:
            if len(v.mask) != len(v.shape):
                raise VerifyException(f"#st.view mask has {len(v.mask)} ranges for {len(v.shape)} dims")
            for i, ((lo, hi), d) in enumerate(zip(v.mask, v.shape)):
                if not 0 <= lo <= hi <= d:
                    raise VerifyException(f"#st.view mask range [{lo}, {hi}) of dim {i} is not inside [0, {d}]")


def tracker_attr(tracker: ShapeTracker) -> ArrayAttr[ViewAttr]:
    """The `views` property of a leaf or store: one `#st.view` per view, buffer side first."""
    return ArrayAttr(_view_attr(v) for v in tracker.views)


@functools.lru_cache(maxsize=8192)
def _view_attr(view: View) -> ViewAttr:
    """One (immutable) `#st.view` per view: view folding makes thousands of leaves through few views,
    and xDSL verifies each new attribute."""
    return ViewAttr(view)


def _tracker_of(views: ArrayAttr) -> ShapeTracker:
    return ShapeTracker(tuple(v.view for v in views.data))


# ----------------------------------------------------------------------------------------------
# host-side ops


@irdl_op_definition
class AllocOp(IRDLOperation):
    """`%t = st.alloc : !st.buffer<4x4xf32>` — a fresh, uninitialized buffer."""

    name = "st.alloc"
    result = result_def(BufferType)
    assembly_format = "attr-dict `:` type($result)"

    def __init__(self, buffer_type: BufferType):
        super().__init__(result_types=[buffer_type])


def _format_dense(attr: DenseIntOrFPElementsAttr, element_type: Attribute) -> str:
    values = attr.get_values()
    shape = tuple(attr.get_shape() or ())

    def scalar(x: Any) -> str:
        if is_bool(element_type):
            return "true" if x else "false"
        return _format_float(float(x)) if is_float(element_type) else str(int(x))

    def nest(flat: Sequence[Any], dims: tuple[int, ...]) -> str:
        if not dims:
            return scalar(flat[0])
        step = math.prod(dims[1:])
        return "[" + ", ".join(nest(flat[i * step:(i + 1) * step], dims[1:]) for i in range(dims[0])) + "]"

    return nest(list(values), shape)


def _format_float(x: float) -> str:
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return repr(x)


def _parse_scalar(parser: AttrParser) -> float | int | bool:
    """A number, `true`/`false`, or `inf`/`-inf`/`nan`."""
    if parser.parse_optional_keyword("true"):
        return True
    if parser.parse_optional_keyword("false"):
        return False
    if parser.parse_optional_keyword("nan"):
        return math.nan
    if parser.parse_optional_keyword("inf"):
        return math.inf
    if parser.parse_optional_punctuation("-"):
        return -math.inf if parser.parse_optional_keyword("inf") else -parser.parse_number()
    return parser.parse_number()


def _parse_nested(parser: AttrParser) -> Any:
    if parser.parse_optional_punctuation("["):
        if parser.parse_optional_punctuation("]"):
            return []
        items = [_parse_nested(parser)]
        while parser.parse_optional_punctuation(","):
            items.append(_parse_nested(parser))
        parser.parse_punctuation("]")
        return items
    return _parse_scalar(parser)


def _flatten(x: Any, shape: list[int], depth: int = 0) -> list[Any]:
    if isinstance(x, list):
        if len(shape) <= depth:
            shape.append(len(x))
        return [y for item in x for y in _flatten(item, shape, depth + 1)]
    return [x]


@irdl_op_definition
class BufferConstantOp(IRDLOperation):
    """`%c = st.buffer_constant dense<[1.0, 2.0]> : !st.buffer<2xf32>` — a buffer with known contents."""

    name = "st.buffer_constant"
    value = prop_def(DenseIntOrFPElementsAttr)
    result = result_def(BufferType)

    def __init__(self, value: DenseIntOrFPElementsAttr, buffer_type: BufferType):
        super().__init__(result_types=[buffer_type], properties={"value": value})

    @classmethod
    def parse(cls, parser: Parser) -> BufferConstantOp:
        parser.parse_keyword("dense")
        parser.parse_punctuation("<")
        pos = parser.pos
        nested = _parse_nested(parser)
        parser.parse_punctuation(">")
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        ty = parser.parse_type()
        if not isinstance(ty, BufferType):
            parser.raise_error(f"st.buffer_constant needs an !st.buffer type, got {ty}")
        values = _flatten(nested, [])
        shape = list(ty.shape_tuple())
        if len(values) == 1 and not isinstance(nested, list):
            values = values * math.prod(shape)
        if len(values) != math.prod(shape):
            parser.raise_error(f"{len(values)} values for {ty} ({math.prod(shape)} elements)", pos, parser.pos)
        el = ty.element_type
        if is_float(el):
            values = [float(v) for v in values]
        else:
            values = [int(v) for v in values]
        dense = DenseIntOrFPElementsAttr.from_list(TensorType(el, shape), values)
        op = cls(dense, ty)
        op.attributes.update(attrs)
        return op

    def print(self, printer: Printer) -> None:
        ty = self.result.type
        assert isinstance(ty, BufferType)
        printer.print_string(f" dense<{_format_dense(self.value, ty.element_type)}>")
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        printer.print_attribute(ty)

    def verify_(self) -> None:
        ty = self.result.type
        assert isinstance(ty, BufferType)
        vty = self.value.get_type()
        if vty.element_type != ty.element_type:
            raise VerifyException(f"constant element type {vty.element_type} differs from {ty}")
        if math.prod(vty.get_shape()) != ty.size():
            raise VerifyException(f"constant has {math.prod(vty.get_shape())} elements, {ty} holds {ty.size()}")


@irdl_op_definition
class KernelOp(IsolatedKernelBase):
    """`st.kernel "k0" (%t, %a) : T0, T1 { ^bb0(%o: T0, %x: T1): ... st.store ... }`.

    Operand 0 is the buffer written, the others are read; the block arguments mirror the operands.
    """

    name = "st.kernel"
    buffers = var_operand_def(BufferType)

    @property
    def output(self) -> SSAValue:
        """The block argument of the written buffer."""
        return self.body.block.args[0]

    def store(self) -> StoreOp:
        last = self.body.block.last_op
        assert isinstance(last, StoreOp)
        return last

    def verify_(self) -> None:
        if not self.kernel_name.data:
            raise VerifyException("st.kernel needs a non-empty name")
        if not self.buffers:
            raise VerifyException("st.kernel needs at least one buffer (operand 0 is the one written)")
        block = self.body.block
        if [a.type for a in block.args] != [v.type for v in self.buffers]:
            raise VerifyException(
                "st.kernel block arguments must mirror the operands: operands have types "
                f"({', '.join(str(v.type) for v in self.buffers)}), block arguments "
                f"({', '.join(str(a.type) for a in block.args)})"
            )
        stores = [op for op in block.ops if isinstance(op, StoreOp)]
        if len(stores) != 1 or block.last_op is not stores[0]:
            raise VerifyException(f"st.kernel body must end with its only st.store (found {len(stores)})")


# ----------------------------------------------------------------------------------------------
# kernel-body ops


def _check_tracker(op: IRDLOperation, views: ArrayAttr, shape: tuple[int, ...], buffer: SSAValue | None) -> None:
    """The shapetracker is well formed, seen with `shape`, and stays inside `buffer` if given."""
    if not views.data:
        raise VerifyException(f"{op.name} needs at least one view")
    for v in views.data:
        if not isinstance(v, ViewAttr):
            raise VerifyException(f"{op.name} views must be #st.view attributes, got {v}")
    try:
        tracker = _tracker_of(views)
    except ValueError as exc:
        raise VerifyException(f"bad shapetracker: {exc}") from None
    if tracker.shape != shape:
        raise VerifyException(f"the last view has shape {list(tracker.shape)}, the tensor {list(shape)}")
    if buffer is None:
        return
    bty = buffer.type
    assert isinstance(bty, BufferType)
    reach = tracker.buffer_extent()
    if reach is not None and (reach[0] < 0 or reach[1] >= bty.size()):
        raise VerifyException(
            f"the views reach buffer positions [{reach[0]}, {reach[1]}], outside {bty} "
            f"(size {bty.size()})"
        )


def _tensor(op: IRDLOperation, t: Attribute) -> TensorType:
    if not isinstance(t, TensorType) or any(d < 0 for d in t.get_shape()):
        raise VerifyException(f"{op.name} needs a static tensor type, got {t}")
    if t.element_type not in ELEMENT_TYPES:
        raise VerifyException(f"{op.name}: {t.element_type} is not a tinyir element type")
    return t


def _print_views(printer: Printer, views: ArrayAttr) -> None:
    printer.print_string(" [")
    printer.print_list(views.data, printer.print_attribute)
    printer.print_string("]")


def _parse_buffer_operand(parser: Parser) -> SSAValue:
    """A buffer operand; its type is not spelled out (`st.load %x [...]`), so it must be defined
    already (kernel bodies only read their block arguments, which always are)."""
    operand = parser.parse_unresolved_operand()
    found = parser.ssa_values.get(operand.operand_name)
    if found is None or operand.index >= len(found):
        parser.raise_error(f"buffer %{operand.operand_name} must be defined before its use", operand.span)
    value = found[operand.index]
    if not isinstance(value.type, BufferType):
        parser.raise_error(f"expected an !st.buffer operand, got {value.type}", operand.span)
    return value


def _parse_views(parser: Parser) -> ArrayAttr:
    pos = parser.pos
    views = parser.parse_comma_separated_list(parser.Delimiter.SQUARE, parser.parse_attribute)
    for v in views:
        if not isinstance(v, ViewAttr):
            parser.raise_error(f"expected #st.view attributes, got {v}", pos, parser.pos)
    return ArrayAttr(views)


class _Leaf(IRDLOperation):
    """A kernel-body op reading through a shapetracker (`views`)."""

    views = prop_def(ArrayAttr)

    def tracker(self) -> ShapeTracker:
        return _tracker_of(self.views)

    def with_tracker(self, tracker: ShapeTracker) -> _Leaf:
        """A detached copy of this leaf reading through `tracker` (result shape = tracker shape)."""
        raise NotImplementedError


@irdl_op_definition
class LoadOp(_Leaf):
    """`%v = st.load %x [views] : tensor<...>` — element = buffer[view index] if valid else 0."""

    name = "st.load"
    buffer = operand_def(BufferType)
    result = result_def(TensorType)
    traits = lazy_traits_def(lambda: (Pure(), HasParent(KernelOp)))

    def __init__(self, buffer: SSAValue, tracker: ShapeTracker, result_type: TensorType | None = None):
        bty = buffer.type
        assert isinstance(bty, BufferType)
        result_type = result_type or tir_make_type(bty.element_type, tracker.shape)
        # LEAF-INIT: straight through Operation.__init__; a leaf's operands and results are fixed,
        # so the IRDL builder's argument-list checks say nothing (fold-views makes thousands)
        Operation.__init__(self, operands=[buffer], result_types=[result_type],
                           properties={"views": tracker_attr(tracker)})

    def with_tracker(self, tracker: ShapeTracker) -> LoadOp:
        return LoadOp(self.buffer, tracker, tir_make_type(self.result.type.element_type, tracker.shape))

    @classmethod
    def parse(cls, parser: Parser) -> LoadOp:
        buffer = _parse_buffer_operand(parser)
        views = _parse_views(parser)
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        ty = parser.parse_type()
        return cls.build(operands=[buffer], result_types=[ty], properties={"views": views}, attributes=attrs)

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_operand(self.buffer)
        _print_views(printer, self.views)
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        printer.print_attribute(self.result.type)

    def verify_(self) -> None:
        t = _tensor(self, self.result.type)
        bty = self.buffer.type
        assert isinstance(bty, BufferType)
        if bty.element_type != t.element_type:
            raise VerifyException(f"st.load of {bty} gives {bty.element_type} elements, not {t}")
        _check_tracker(self, self.views, tuple(t.get_shape()), self.buffer)


@irdl_op_definition
class ArangeOp(_Leaf):
    """`%i = st.arange [views] : tensor<...>` — element = its view index if valid else 0."""

    name = "st.arange"
    result = result_def(TensorType)
    traits = lazy_traits_def(lambda: (Pure(), HasParent(KernelOp)))
    assembly_format = "$views attr-dict `:` type($result)"

    def __init__(self, tracker: ShapeTracker, result_type: TensorType):
        Operation.__init__(self, result_types=[result_type], properties={"views": tracker_attr(tracker)})  # LEAF-INIT

    def with_tracker(self, tracker: ShapeTracker) -> ArangeOp:
        return ArangeOp(tracker, tir_make_type(self.result.type.element_type, tracker.shape))

    def verify_(self) -> None:
        t = _tensor(self, self.result.type)
        if not (is_int(t.element_type) or is_float(t.element_type)):
            raise VerifyException(f"st.arange needs an int or float element type, got {t}")
        _check_tracker(self, self.views, tuple(t.get_shape()), None)


@irdl_op_definition
class ConstOp(_Leaf):
    """`%c = st.const 1.0 [views] : tensor<...>` — element = value if valid else 0 (splat constants)."""

    name = "st.const"
    value = prop_def(AnyAttr())
    result = result_def(TensorType)
    traits = lazy_traits_def(lambda: (Pure(), HasParent(KernelOp)))

    def __init__(self, value: float | int | bool | Attribute, tracker: ShapeTracker, result_type: TensorType):
        attr = value if isinstance(value, Attribute) else _scalar_attr(value, result_type.element_type)
        Operation.__init__(self, result_types=[result_type],  # LEAF-INIT
                           properties={"value": attr, "views": tracker_attr(tracker)})

    def with_tracker(self, tracker: ShapeTracker) -> ConstOp:
        return ConstOp(self.value, tracker, tir_make_type(self.result.type.element_type, tracker.shape))

    def scalar(self) -> float | int | bool:
        v = self.value
        if isinstance(v, FloatAttr):
            return float(v.value.data)
        assert isinstance(v, IntegerAttr)
        return bool(v.value.data) if is_bool(v.type) else int(v.value.data)

    @classmethod
    def parse(cls, parser: Parser) -> ConstOp:
        scalar = _parse_scalar(parser)
        views = _parse_views(parser)
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        pos = parser.pos
        ty = parser.parse_type()
        if not isinstance(ty, TensorType):
            parser.raise_error(f"st.const needs a tensor type, got {ty}", pos, parser.pos)
        try:
            attr = _scalar_attr(scalar, ty.element_type)
        except ValueError as exc:
            parser.raise_error(str(exc), pos, parser.pos)
        op = cls.build(result_types=[ty], properties={"value": attr, "views": views}, attributes=attrs)
        return op

    def print(self, printer: Printer) -> None:
        v = self.scalar()
        text = ("true" if v else "false") if isinstance(v, bool) else (
            _format_float(v) if isinstance(v, float) else str(v))
        printer.print_string(" " + text)
        _print_views(printer, self.views)
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        printer.print_attribute(self.result.type)

    def verify_(self) -> None:
        t = _tensor(self, self.result.type)
        if not isinstance(self.value, (FloatAttr, IntegerAttr)) or self.value.type != t.element_type:
            raise VerifyException(f"st.const value {self.value} must be a scalar of the element type of {t}")
        _check_tracker(self, self.views, tuple(t.get_shape()), None)


def _scalar_attr(value: float | int | bool, element_type: Attribute) -> Attribute:
    if is_float(element_type):
        return FloatAttr(float(value), element_type)
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(f"{value} is not an integer, as {element_type} needs")
    if is_bool(element_type):
        return IntegerAttr(int(bool(value)), element_type)
    if isinstance(element_type, IntegerType):
        return IntegerAttr(int(value), element_type)
    raise ValueError(f"{element_type} is not a tinyir element type")


@irdl_op_definition
class StoreOp(IRDLOperation):
    """`st.store %o [views], %v : tensor<...>` — writes `%v` through the views; the last op of a kernel."""

    name = "st.store"
    buffer = operand_def(BufferType)
    value = operand_def(TensorType)
    views = prop_def(ArrayAttr)
    traits = lazy_traits_def(lambda: (HasParent(KernelOp),))

    def __init__(self, buffer: SSAValue, tracker: ShapeTracker, value: SSAValue):
        super().__init__(operands=[buffer, value], properties={"views": tracker_attr(tracker)})

    @classmethod
    def parse(cls, parser: Parser) -> StoreOp:
        buffer = _parse_buffer_operand(parser)
        views = _parse_views(parser)
        parser.parse_punctuation(",")
        value = parser.parse_unresolved_operand()
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        ty = parser.parse_type()
        return cls.build(operands=[buffer, parser.resolve_operand(value, ty)], properties={"views": views},
                         attributes=attrs)

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_operand(self.buffer)
        _print_views(printer, self.views)
        printer.print_string(", ")
        printer.print_operand(self.value)
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        printer.print_attribute(self.value.type)

    def tracker(self) -> ShapeTracker:
        return _tracker_of(self.views)

    def verify_(self) -> None:
        t = _tensor(self, self.value.type)
        bty = self.buffer.type
        assert isinstance(bty, BufferType)
        if bty.element_type != t.element_type:
            raise VerifyException(f"st.store of {t} into {bty}: element types differ")
        kernel = self.parent_op()
        if isinstance(kernel, KernelOp) and self.buffer is not kernel.body.block.args[0]:
            raise VerifyException("st.store must write the kernel's first block argument (operand 0)")
        _check_tracker(self, self.views, tuple(t.get_shape()), self.buffer)


LEAF_OPS: tuple[type[_Leaf], ...] = (LoadOp, ArangeOp, ConstOp)

ST = Dialect("st", [AllocOp, BufferConstantOp, KernelOp, LoadOp, ArangeOp, ConstOp, StoreOp], [BufferType, ViewAttr])

__all__ = ["ST", "BufferType", "ViewAttr", "tracker_attr", "AllocOp", "BufferConstantOp", "KernelOp",
           "LoadOp", "ArangeOp", "ConstOp", "StoreOp", "LEAF_OPS"]
