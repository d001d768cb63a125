"""tinyir.onnx's random operators (RandomUniform/Normal and their *Like forms, Bernoulli, Multinomial,
Dropout in training mode). ONNX's own cases for them expect one draw of numpy's generator, which no
other generator reproduces, so these tests check what a draw must satisfy: shape, dtype, range, the
moments of a large sample, determinism under a seed, and Dropout's scaling against its mask."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

import tinyir.onnx as backend

N = 20000


def run(node: onnx.NodeProto, inputs=(), opset: int = 22):
    return backend.run_node(node, list(inputs), device="CPU", opset_version=opset)


def test_random_uniform_and_normal():
    (u,) = run(helper.make_node("RandomUniform", [], ["y"], shape=[N], low=-2.0, high=3.0, seed=1.0))
    assert u.shape == (N,) and u.dtype == np.float32
    assert u.min() >= -2.0 and u.max() < 3.0 and abs(u.mean() - 0.5) < 0.05 and abs(u.std() - 5 / 12**0.5) < 0.05
    (n,) = run(helper.make_node("RandomNormal", [], ["y"], shape=[100, 200], mean=1.5, scale=2.0, seed=2.0))
    assert n.shape == (100, 200) and abs(n.mean() - 1.5) < 0.05 and abs(n.std() - 2.0) < 0.05
    (h,) = run(helper.make_node("RandomUniform", [], ["y"], shape=[8], dtype=TensorProto.FLOAT16))
    assert h.dtype == np.float16


def test_a_seed_makes_a_draw_repeatable_and_seeds_differ():
    node = helper.make_node("RandomNormal", [], ["y"], shape=[64], seed=3.0)
    (a,), (b,) = run(node), run(node)
    np.testing.assert_array_equal(a, b)
    (c,) = run(helper.make_node("RandomNormal", [], ["y"], shape=[64], seed=4.0))
    assert not np.array_equal(a, c)


def test_like_forms_take_the_input_shape_and_dtype():
    x = np.zeros((30, 40), np.float16)
    (u,) = run(helper.make_node("RandomUniformLike", ["x"], ["y"], low=1.0, high=2.0), [x])
    assert u.shape == x.shape and u.dtype == np.float16 and u.min() >= 1.0 and u.max() <= 2.0
    (n,) = run(helper.make_node("RandomNormalLike", ["x"], ["y"], dtype=TensorProto.FLOAT), [x])
    assert n.shape == x.shape and n.dtype == np.float32


def test_bernoulli_draws_each_element_with_its_probability():
    p = np.array([0.0, 0.25, 0.5, 1.0], np.float32)[None].repeat(N // 4, 0)
    (y,) = run(helper.make_node("Bernoulli", ["p"], ["y"], seed=5.0), [p])
    assert y.dtype == np.float32 and set(np.unique(y)) <= {0.0, 1.0}
    np.testing.assert_allclose(y.mean(0), [0.0, 0.25, 0.5, 1.0], atol=0.03)
    assert y[:, 0].max() == 0.0 and y[:, 3].min() == 1.0


def test_multinomial_frequencies_follow_the_softmax():
    logits = np.log(np.array([[0.1, 0.2, 0.7], [0.5, 0.5, 0.0]], np.float32) + 1e-30)
    (y,) = run(helper.make_node("Multinomial", ["x"], ["y"], sample_size=N, seed=6.0), [logits])
    assert y.shape == (2, N) and y.dtype == np.int32
    np.testing.assert_allclose([np.mean(y[0] == k) for k in range(3)], [0.1, 0.2, 0.7], atol=0.02)
    assert set(np.unique(y[1])) <= {0, 1}  # a class of probability 0 is never drawn


def test_dropout_in_training_mode_scales_what_it_keeps():
    x = np.random.default_rng(0).standard_normal((100, 200)).astype(np.float32)
    ratio = np.array(0.3, np.float32)
    node = helper.make_node("Dropout", ["x", "r", "t"], ["y", "mask"], seed=7.0)
    y, mask = run(node, [x, ratio, np.array(True)])
    assert mask.dtype == np.bool_ and abs(mask.mean() - 0.7) < 0.02
    np.testing.assert_allclose(y, np.where(mask, x / 0.7, 0.0), rtol=1e-6)
    y, mask = run(node, [x, ratio, np.array(False)])  # inference: the identity
    np.testing.assert_array_equal(y, x)
    assert mask.all()
    with pytest.raises(Exception, match="ratio"):
        run(node, [x, np.array(1.0, np.float32), np.array(True)])
