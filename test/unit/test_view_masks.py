"""Padding masks survive every movement chain, rank-0 results included (issue 9: a padded element
read as a rank-0 view used to load the neighbouring real element instead of 0)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_views import factor_shapes, numpy_apply, read

from tinyir import Tensor
from tinyir.shapetracker import ShapeTracker, View

DEVICES = ["cpu", "opencl", "reference", "c"]


# ---------------------------------------------------------------------------------- view algebra

def test_rank0_view_of_a_padded_element_reads_zero():
    tracker = ShapeTracker.contiguous((3,)).pad(((1, 0),)).shrink(((0, 1),)).reshape(())
    buffer = np.array([2, 3, 5])
    assert read(tracker, buffer) == 0
    assert read(tracker.simplify(), buffer) == 0


def test_rank0_view_of_a_real_element_reads_it():
    tracker = ShapeTracker.contiguous((3,)).pad(((1, 0),)).shrink(((2, 3),)).reshape(())
    assert read(tracker.simplify(), np.array([2, 3, 5])) == 3
    assert len(tracker.simplify().views) == 1  # a valid rank-0 read stays one view


def test_nothing_valid_has_no_rank0_form():
    assert View.nothing_valid(()) is None
    assert View.nothing_valid((2, 0)).all_invalid or View.nothing_valid((2, 0)).size == 0
    assert View.nothing_valid((2, 3)).all_invalid


@st.composite
def pad_shrink_index_chains(draw, max_rank: int = 3, others: bool = False):
    """A shape and steps of pad / shrink / index (shrink to one element, then drop the dim); with
    `others`, also reshape, permute, flip and expand (of size-1 dims) between them."""
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=max_rank)))
    steps, cur = [], shape
    for _ in range(draw(st.integers(1, 7 if others else 5))):
        if not cur:  # rank 0: only a reshape goes on (to size-1 dims, which an expand may then grow)
            kinds = ["reshape"]
        else:
            kinds = ["pad", "shrink", "index"] + (["reshape", "permute", "flip", "expand"] if others else [])
        kind = draw(st.sampled_from(kinds))
        if kind == "reshape":
            arg = factor_shapes(int(np.prod(cur)), draw)
            cur = arg
        elif kind == "permute":
            arg = tuple(draw(st.permutations(range(len(cur)))))
            cur = tuple(cur[p] for p in arg)
        elif kind == "flip":
            arg = tuple(sorted(draw(st.sets(st.integers(0, len(cur) - 1)))))
        elif kind == "expand":
            arg = tuple(draw(st.integers(1, 3)) if d == 1 else d for d in cur)
            cur = arg
        elif kind == "pad":
            arg = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in cur)
            cur = tuple(d + b + a for d, (b, a) in zip(cur, arg))
        elif kind == "shrink":
            arg = []
            for d in cur:
                b = draw(st.integers(0, d - 1))
                arg.append((b, draw(st.integers(b + 1, d))))
            arg = tuple(arg)
            cur = tuple(e - b for b, e in arg)
        else:
            dim = draw(st.integers(0, len(cur) - 1))
            arg = (dim, draw(st.integers(0, cur[dim] - 1)))
            cur = cur[:dim] + cur[dim + 1:]
        steps.append((kind, arg))
        if not cur and not others:
            break
    return shape, steps


def _numpy_chain(arr: np.ndarray, steps) -> np.ndarray:
    for kind, arg in steps:
        if kind == "index":
            dim, i = arg
            arr = np.take(arr, i, axis=dim)
        else:
            arr = numpy_apply(arr, kind, arg)
    return arr


@settings(max_examples=300, deadline=None)
@given(st.one_of(pad_shrink_index_chains(), pad_shrink_index_chains(others=True)))
def test_tracker_chain_reads_what_numpy_reads(chain):
    shape, steps = chain
    buffer = np.arange(int(np.prod(shape)), dtype=np.int64) + 1  # +1: a real 0 means "masked"
    tracker = ShapeTracker.contiguous(shape)
    for kind, arg in steps:
        if kind == "index":
            dim, i = arg
            bounds = tuple((i, i + 1) if k == dim else (0, d) for k, d in enumerate(tracker.shape))
            tracker = tracker.shrink(bounds).reshape(tracker.shape[:dim] + tracker.shape[dim + 1:])
        else:
            tracker = tracker.movement(kind, arg)
    expected = _numpy_chain(buffer.reshape(shape), steps)
    np.testing.assert_array_equal(read(tracker, buffer), expected)
    np.testing.assert_array_equal(read(tracker.simplify(), buffer), expected)


# ---------------------------------------------------------------------------------- the Tensor API

@pytest.mark.parametrize("device", DEVICES)
def test_padded_element_indexed_to_rank0(device):
    x = Tensor([2.0, 3.0, 5.0], device=device)
    assert x.pad(((1, 0),))[0].item() == 0.0
    assert x.pad(((0, 2),))[-1].item() == 0.0
    assert x.pad(((1, 0),))[1].item() == 2.0
    assert x.pad(((1, 1),), value=7.0)[0].item() == 7.0


@pytest.mark.parametrize("device", DEVICES)
def test_consequences_prod_and_stack(device):
    assert Tensor.full((3, 3), 2, device=device).prod().item() == 512
    assert Tensor.full((5,), 3.0, device=device).prod().item() == 243.0
    x = Tensor([1.5, -2.0, 4.0], device=device)
    stacked = Tensor.stack(x, x, x)
    assert stacked[0, 0].item() == 1.5
    assert stacked[2, 1].item() == -2.0
    np.testing.assert_array_equal(Tensor.cat(x, x)[4:5].numpy(), [-2.0])


@pytest.mark.parametrize("device", DEVICES)
@settings(max_examples=15, deadline=None)
@given(chain=st.one_of(pad_shrink_index_chains(), pad_shrink_index_chains(others=True)))
def test_tensor_pad_shrink_index_chain_matches_numpy(device, chain):
    shape, steps = chain
    data = (np.arange(int(np.prod(shape))) + 1).astype(np.float32).reshape(shape)
    t = Tensor(data, device=device)
    for kind, arg in steps:
        if kind == "index":
            dim, i = arg
            t = t[(slice(None),) * dim + (i,)]
        elif kind == "expand":
            t = t.expand(arg)
        else:
            t = getattr(t, kind)(arg)
    expected = _numpy_chain(data, steps)
    got = t.numpy()
    assert got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


ELEMENTWISE = {  # f(0) != 0 for all but "double": a pad must not sink through them as zeros
    "plus_one": (lambda t: t + 1, lambda a: a + 1), "exp": (lambda t: (t * 0.1).exp(), lambda a: np.exp(a * 0.1)),
    "double": (lambda t: t * 2, lambda a: a * 2), "recip": (lambda t: (t + 0.5).reciprocal(), lambda a: 1 / (a + 0.5)),
}


@pytest.mark.parametrize("device", DEVICES)
@settings(max_examples=15, deadline=None)
@given(chain=pad_shrink_index_chains(others=True), source=st.sampled_from(["buffer", "arange", "full"]),
       op=st.sampled_from(sorted(ELEMENTWISE)), at=st.integers(0, 7))
def test_chain_with_an_elementwise_op_and_any_source(device, chain, source, op, at):
    """Leaves other than buffers (iota, splat constants) and an elementwise op with f(0) != 0
    somewhere in the chain: padded elements still read the pad value (0) where numpy says so."""
    shape, steps = chain
    data = (np.arange(int(np.prod(shape))) + 1).astype(np.float32).reshape(shape)
    if source == "buffer":
        t = Tensor(data, device=device)
    elif source == "arange":
        t = (Tensor.arange(int(np.prod(shape)), device=device).float() + 1).reshape(shape)
    else:
        data = np.full(shape, 3.0, np.float32)
        t = Tensor.full(shape, 3.0, device=device)
    fn, np_fn = ELEMENTWISE[op]
    expected = data
    for k, (kind, arg) in enumerate(steps):
        if k == at:
            t, expected = fn(t), np_fn(expected)
        if kind == "index":
            dim, i = arg
            t = t[(slice(None),) * dim + (i,)]
            expected = np.take(expected, i, axis=dim)
        else:
            t = t.expand(arg) if kind == "expand" else getattr(t, kind)(arg)
            expected = numpy_apply(expected, kind, arg)
    np.testing.assert_allclose(t.numpy(), expected, rtol=1e-6)
