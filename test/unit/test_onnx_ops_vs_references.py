"""tinyir.onnx's integer operators, Det, GatherND's batch_dims, GridSample and Col2Im beyond ONNX's own
node cases (which test_onnx_conformance.py runs): per-row/per-column zero points, per-channel scales
with padding, saturation, pivoting and singular matrices, two batch dims, every GridSample mode and
padding, Col2Im with stride, dilation and padding; numpy or PyTorch as the reference."""

from __future__ import annotations

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
from onnx import helper

import tinyir.onnx as backend


def run(op: str, inputs: list[np.ndarray], **attrs: object) -> list[np.ndarray]:
    names = [f"in{i}" for i in range(len(inputs))]
    node = helper.make_node(op, names, ["out0", "out1", "out2"][:_outputs(op)], **attrs)
    return list(backend.run_node(node, inputs, device="CPU"))


def _outputs(op: str) -> int:
    return 3 if op == "DynamicQuantizeLinear" else 1


RNG = np.random.default_rng(0)


def test_matmul_integer_per_row_and_per_column_zero_points() -> None:
    a = RNG.integers(0, 256, (5, 7)).astype(np.uint8)
    b = RNG.integers(-128, 128, (7, 3)).astype(np.int8)
    a_zero = RNG.integers(0, 256, 5).astype(np.uint8)
    b_zero = RNG.integers(-128, 128, 3).astype(np.int8)
    (got,) = run("MatMulInteger", [a, b, a_zero, b_zero])
    want = (a.astype(np.int32) - a_zero[:, None]) @ (b.astype(np.int32) - b_zero[None, :])
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, want)


def test_qlinear_conv_per_channel_with_padding_bias_and_saturation() -> None:
    x = RNG.integers(0, 256, (2, 3, 6, 6)).astype(np.uint8)
    w = RNG.integers(-128, 128, (4, 3, 3, 3)).astype(np.int8)
    x_scale, x_zero = np.float32(0.05), np.uint8(120)
    w_scale = np.array([0.01, 0.02, 0.005, 0.03], np.float32)
    w_zero = np.zeros(4, np.int8)
    y_scale, y_zero = np.float32(0.2), np.uint8(128)
    bias = RNG.integers(-500, 500, 4).astype(np.int32)
    (got,) = run("QLinearConv", [x, x_scale, x_zero, w, w_scale, w_zero, y_scale, y_zero, bias], pads=[1, 1, 1, 1])
    import torch

    acc = torch.nn.functional.conv2d(torch.from_numpy(x.astype(np.float64) - 120),
                                     torch.from_numpy(w.astype(np.float64)), padding=1).numpy() + bias[None, :, None, None]
    scale = (x_scale * w_scale / y_scale).astype(np.float32).astype(np.float64)[None, :, None, None]
    want = np.clip(np.rint(acc * scale) + 128, 0, 255).astype(np.uint8)
    assert got.dtype == np.uint8 and ((got == 255).any() or (got == 0).any())  # the case saturates somewhere
    np.testing.assert_array_equal(got, want)


def test_dynamic_quantize_linear_of_an_all_positive_input_has_zero_point_0() -> None:
    x = np.array([[0.5, 2.0], [1.0, 3.0]], np.float32)
    q, scale, zero = run("DynamicQuantizeLinear", [x])
    assert zero == 0 and scale == np.float32(3.0) / np.float32(255)
    np.testing.assert_array_equal(q, np.rint(x / scale).astype(np.uint8))


def test_det_pivots_and_is_zero_for_a_singular_matrix() -> None:
    m = RNG.standard_normal((3, 2, 4, 4)).astype(np.float32)
    m[0, 0] = [[0, 1, 2, 3], [1, 0, 1, 1], [2, 2, 0, 1], [1, 3, 1, 0]]  # zeros on the diagonal: needs row swaps
    m[0, 1, 3] = m[0, 1, 0] + m[0, 1, 1]  # singular
    (got,) = run("Det", [m])
    np.testing.assert_allclose(got, np.linalg.det(m.astype(np.float64)), rtol=1e-4, atol=1e-5)
    assert got.shape == (3, 2) and got.dtype == np.float32


def test_gather_nd_with_two_batch_dims() -> None:
    x = RNG.standard_normal((2, 3, 4, 5)).astype(np.float32)
    idx = RNG.integers(-4, 4, (2, 3, 6, 1)).astype(np.int64)
    (got,) = run("GatherND", [x, idx], batch_dims=2)
    want = np.stack([np.stack([x[b, c][idx[b, c, :, 0]] for c in range(3)]) for b in range(2)])
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [0, 1])
def test_grid_sample_matches_pytorch(mode: str, padding_mode: str, align_corners: int) -> None:
    """Grid coordinates beyond [-1, 1] reach the padding; PyTorch's grid_sample is the reference."""
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal((2, 3, 5, 6)).astype(np.float32)
    grid = RNG.uniform(-1.6, 1.6, (2, 4, 7, 2)).astype(np.float32)
    (got,) = run("GridSample", [x, grid], mode=mode, padding_mode=padding_mode, align_corners=align_corners)
    want = torch.nn.functional.grid_sample(torch.from_numpy(x), torch.from_numpy(grid), mode=mode,
                                           padding_mode=padding_mode, align_corners=bool(align_corners)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_col2im_matches_pytorch_fold_with_stride_dilation_and_padding() -> None:
    torch = pytest.importorskip("torch")
    image, block, stride, dilation, pad = (7, 8), (2, 3), (2, 1), (1, 2), (1, 2)
    blocks = [(image[i] + 2 * pad[i] - dilation[i] * (block[i] - 1) - 1) // stride[i] + 1 for i in range(2)]
    x = RNG.standard_normal((2, 3 * 6, blocks[0] * blocks[1])).astype(np.float32)
    (got,) = run("Col2Im", [x, np.array(image, np.int64), np.array(block, np.int64)], strides=list(stride),
                 dilations=list(dilation), pads=[pad[0], pad[1], pad[0], pad[1]])
    want = torch.nn.functional.fold(torch.from_numpy(x), image, block, dilation=dilation, padding=pad,
                                    stride=stride).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_maxpool_indices_in_column_major_order_on_a_non_square_plane() -> None:
    x = RNG.permutation(2 * 3 * 4 * 6).astype(np.float32).reshape(2, 3, 4, 6)  # distinct values: one maximum
    node = helper.make_node("MaxPool", ["x"], ["y", "i"], kernel_shape=[2, 3], strides=[2, 3], storage_order=1)
    values, indices = backend.run_node(node, [x], device="CPU")
    windows = x.reshape(2, 3, 2, 2, 2, 3).transpose(0, 1, 2, 4, 3, 5).reshape(2, 3, 2, 2, 6)
    h = np.arange(2)[:, None] * 2 + windows.argmax(-1) // 3
    w = np.arange(2)[None, :] * 3 + windows.argmax(-1) % 3
    plane = np.arange(6).reshape(2, 3, 1, 1) * 24
    np.testing.assert_array_equal(values, windows.max(-1))
    np.testing.assert_array_equal(indices, plane + w * 4 + h)  # column-major: h varies fastest


def test_deform_conv_with_groups_strides_dilations_mask_and_bias_matches_onnx_reference() -> None:
    from onnx.reference import ReferenceEvaluator

    x = RNG.standard_normal((2, 4, 7, 6)).astype(np.float32)
    w = RNG.standard_normal((6, 2, 2, 3)).astype(np.float32)
    offset = RNG.uniform(-2, 2, (2, 2 * 2 * 3 * 2, 4, 2)).astype(np.float32)
    bias = RNG.standard_normal(6).astype(np.float32)
    mask = RNG.uniform(0, 1, (2, 2 * 2 * 3, 4, 2)).astype(np.float32)
    attrs = {"kernel_shape": [2, 3], "strides": [2, 2], "dilations": [2, 1], "pads": [1, 0, 1, 0], "group": 2,
             "offset_group": 2}
    (got,) = run("DeformConv", [x, w, offset, bias, mask], **attrs)
    node = helper.make_node("DeformConv", ["x", "w", "o", "b", "m"], ["y"], **attrs)
    (want,) = ReferenceEvaluator(node).run(None, {"x": x, "w": w, "o": offset, "b": bias, "m": mask})
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("mode", ["linear", "cubic"])
@pytest.mark.parametrize("exclude_outside", [0, 1])
def test_resize_antialias_downsampling_matches_onnxruntime(mode: str, exclude_outside: int) -> None:
    """onnxruntime pads with the edge as ONNX's reference does; PyTorch drops taps outside the image, which is
    exclude_outside=1 (and its bicubic antialias uses a = -0.5)."""
    onnxruntime = pytest.importorskip("onnxruntime")
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal((1, 2, 17, 23)).astype(np.float32)
    attrs = {"mode": mode, "antialias": 1, "exclude_outside": exclude_outside, "cubic_coeff_a": -0.5,
             "coordinate_transformation_mode": "pytorch_half_pixel"}
    node = helper.make_node("Resize", ["x", "", "", "sizes"], ["y"], **attrs)
    graph = helper.make_graph([node], "resize", [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, x.shape)],
                              [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, None)],
                              initializer=[helper.make_tensor("sizes", onnx.TensorProto.INT64, [4], [1, 2, 5, 7])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    (got,) = backend.prepare(model, device="CPU").run([x])
    (want,) = onnxruntime.InferenceSession(model.SerializeToString()).run(None, {"x": x})
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    if exclude_outside:
        torch_out = torch.nn.functional.interpolate(torch.from_numpy(x), size=(5, 7), antialias=True,
                                                    mode="bilinear" if mode == "linear" else "bicubic").numpy()
        np.testing.assert_allclose(got, torch_out, rtol=1e-4, atol=1e-5)


def test_resize_antialias_with_nearest_is_refused() -> None:
    x = np.zeros((1, 1, 4, 4), np.float32)
    with pytest.raises(backend.OnnxError, match="antialias=1 needs mode linear or cubic"):
        run("Resize", [x, np.array([], np.float32), np.array([1, 1, 0.5, 0.5], np.float32)], antialias=1)


@pytest.mark.parametrize("ctm", ["half_pixel", "output_half_pixel"])
def test_roi_align_adaptive_sampling_and_rois_past_the_edge_match_onnxruntime(ctm: str) -> None:
    onnxruntime = pytest.importorskip("onnxruntime")
    x = RNG.standard_normal((2, 3, 9, 11)).astype(np.float32)
    rois = np.array([[0, 0, 10, 8], [3.3, 1.7, 19.5, 12.2], [-4, -3, 6, 5], [15, 12, 30, 25]], np.float32)
    batch_indices = np.array([0, 1, 1, 0], np.int64)
    node = helper.make_node("RoiAlign", ["x", "rois", "b"], ["y"], output_height=3, output_width=4, spatial_scale=0.5,
                            sampling_ratio=0, coordinate_transformation_mode=ctm)
    graph = helper.make_graph(
        [node], "roi", [helper.make_tensor_value_info(n, t, a.shape) for n, t, a in
                        (("x", onnx.TensorProto.FLOAT, x), ("rois", onnx.TensorProto.FLOAT, rois),
                         ("b", onnx.TensorProto.INT64, batch_indices))],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 16)])
    (got,) = backend.prepare(model, device="CPU").run([x, rois, batch_indices])
    (want,) = onnxruntime.InferenceSession(model.SerializeToString()).run(None, {"x": x, "rois": rois, "b": batch_indices})
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
