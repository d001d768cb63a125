"""Shapetracker algebra: views, stacks of views, index and validity expressions."""

from tinyir.shapetracker.view import (
    INVERTIBLE_MOVEMENT_OPS,
    MOVEMENT_OPS,
    IndexBuilder,
    NumpyBuilder,
    ShapeTracker,
    StringBuilder,
    View,
    contiguous_strides,
    invert_permutation,
    merge_views,
)

__all__ = ["View", "ShapeTracker", "IndexBuilder", "NumpyBuilder", "StringBuilder", "merge_views",
           "contiguous_strides", "invert_permutation", "MOVEMENT_OPS", "INVERTIBLE_MOVEMENT_OPS"]
