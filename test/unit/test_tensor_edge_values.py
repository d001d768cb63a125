"""Issue 9's wrong values at the Tensor API, each as a class of inputs against numpy / PyTorch on every
device: min/argmin at the most negative integer and with ties and NaN, NaN-free gradients at extreme
inputs, 0**0, cumprod through zeros and signs, var/std with correction >= N, clip's boundary gradient,
n-d pooling, `x ** tensor`, 0-d cumsum, bool maximum, constants past a dtype's range."""

from __future__ import annotations

import numpy as np
import pytest

from tinyir import Tensor, dtypes

import torch  # noqa: E402  (the reference of the Tensor tests)

DEVICES = ["cpu", "opencl", "reference", "c"]
INT_TYPES = [(np.int8, dtypes.int8), (np.uint8, dtypes.uint8), (np.int32, dtypes.int32)]


def _extremes(np_type) -> np.ndarray:
    info = np.iinfo(np_type)
    return np.array([5, info.min, 3, info.max, info.min, 0, info.max], dtype=np_type)


# ---------------------------------------------------------------------------------- min / argmin

@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("np_type,dt", INT_TYPES, ids=[t[1].name for t in INT_TYPES])
def test_integer_min_and_argmin_at_the_type_limits(device, np_type, dt):
    a = _extremes(np_type)
    t = Tensor(a, device=device)
    assert t.dtype == dt
    assert t.min().item() == a.min() and t.max().item() == a.max()
    assert t.argmin().item() == np.argmin(a) and t.argmax().item() == np.argmax(a)  # ties: the first
    m = a.reshape(1, -1).repeat(2, 0)
    m[1] = m[1][::-1]
    tm = Tensor(m, device=device)
    np.testing.assert_array_equal(tm.min(axis=1).numpy(), m.min(axis=1))
    np.testing.assert_array_equal(tm.argmin(axis=1).numpy(), m.argmin(axis=1))
    np.testing.assert_array_equal(tm.argmin(axis=0).numpy(), m.argmin(axis=0))
    np.testing.assert_array_equal(tm[0].minimum(tm[1]).numpy(), np.minimum(m[0], m[1]))
    low, high = int(np.iinfo(np_type).min) + 1, int(np.iinfo(np_type).max) - 1
    np.testing.assert_array_equal(t.clip(low, high).numpy(), np.clip(a, low, high))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("np_type", [np.int64, np.uint32, np.uint64, np.int16])
def test_running_and_scattered_extremes_of_wide_integers(device, np_type):
    """cummax/cummin and scatter_reduce amax/amin keep every bit of 64-bit and uint32 values (their
    keys were int32: [-2**63 + 1, -7, 2] had a running max of [-2**63 + 1, -2**63 + 1, 2])."""
    info = np.iinfo(np_type)
    a = np.array([info.min + 1, 7, 2**31 + 5 if info.max > 2**32 else 3, info.max, 5, info.min, 2**31 - 1
                  if info.max > 2**31 else 1, 9], np_type)
    t = Tensor(a, device=device)
    np.testing.assert_array_equal(t.cummax(0)[0].numpy(), np.maximum.accumulate(a))
    np.testing.assert_array_equal(t.cummin(0)[0].numpy(), np.minimum.accumulate(a))
    np.testing.assert_array_equal(t.cummax(0)[1].numpy(), torch.cummax(torch.tensor(a.astype(np.float64)), 0)[1])
    index = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    for reduce, fn in (("amax", np.maximum), ("amin", np.minimum)):
        got = Tensor(np.zeros(4, np_type), device=device).scatter_reduce(0, Tensor(index, device=device), t, reduce,
                                                                           include_self=False)
        np.testing.assert_array_equal(got.numpy(), fn(a[0::2], a[1::2]))


@pytest.mark.parametrize("device", DEVICES)
def test_issue_examples_min_argmin(device):
    assert Tensor(np.int8([-128, 5, 3]), device=device).min().item() == -128
    assert Tensor(np.int32([3, -2**31, 7]), device=device).argmin().item() == 1
    assert Tensor([3, 2, 2], device=device).argmin().item() == 1
    assert Tensor([3, 5, 5], device=device).argmax().item() == 1
    assert Tensor([2.0, 1.0, 1.0, 2.0], device=device).argmin().item() == 1


@pytest.mark.parametrize("device", DEVICES)
def test_argmax_argmin_of_nan_is_the_first_nan(device):
    for a in ([1.0, np.nan, 3.0], [np.nan, 1.0, np.nan], [1.0, 2.0, np.nan]):
        arr = np.array(a, np.float32)
        assert Tensor(arr, device=device).argmax().item() == np.argmax(arr) == torch.tensor(arr).argmax().item()
        assert Tensor(arr, device=device).argmin().item() == np.argmin(arr) == torch.tensor(arr).argmin().item()


@pytest.mark.parametrize("device", DEVICES)
def test_bool_min_max_argmin(device):
    a = np.array([True, False, True])
    t = Tensor(a, device=device)
    assert t.min().item() is False and t.max().item() is True
    assert t.argmin().item() == 1 and t.argmax().item() == 0
    b = Tensor([False, False, True], device=device)
    np.testing.assert_array_equal(t.maximum(b).numpy(), np.maximum(a, [False, False, True]))
    np.testing.assert_array_equal(t.minimum(b).numpy(), np.minimum(a, [False, False, True]))


# ---------------------------------------------------------------------------------- gradients

def _value_and_grad(device, fn, values):
    x = Tensor(np.array(values, np.float32), device=device, requires_grad=True)
    y = fn(x)
    (g,) = y.sum().gradient(x)
    tx = torch.tensor(values, dtype=torch.float32, requires_grad=True)
    ty = fn(tx)
    ty.sum().backward()
    return y.numpy(), g.numpy(), ty.detach().numpy(), tx.grad.numpy()


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", ["sigmoid", "tanh", "silu"])
def test_activation_gradients_at_extreme_inputs_are_numbers(device, name):
    extreme = [-1000.0, -100.0, -30.0, -1.0, 0.0, 1.0, 30.0, 100.0, 1000.0]
    fn = {"sigmoid": lambda x: x.sigmoid(), "tanh": lambda x: x.tanh(),
          "silu": lambda x: x.silu() if isinstance(x, Tensor) else torch.nn.functional.silu(x)}[name]
    got, grad, want, want_grad = _value_and_grad(device, fn, extreme)
    assert np.isfinite(got).all() and np.isfinite(grad).all()
    np.testing.assert_allclose(got, want, atol=1e-6, rtol=1e-5)
    np.testing.assert_allclose(grad, want_grad, atol=1e-6, rtol=1e-5)


F = torch.nn.functional
ACTIVATIONS = [  # (name, tinyir, torch): values and slopes at corners, at 0 and far out
    ("sigmoid", lambda x: x.sigmoid(), torch.sigmoid), ("tanh", lambda x: x.tanh(), torch.tanh),
    ("silu", lambda x: x.silu(), F.silu), ("softplus", lambda x: x.softplus(), F.softplus),
    ("softplus_beta", lambda x: x.softplus(2.0), lambda x: F.softplus(x, 2.0)),
    ("elu", lambda x: x.elu(2.0), lambda x: F.elu(x, 2.0)), ("celu", lambda x: x.celu(0.5), lambda x: F.celu(x, 0.5)),
    ("selu", lambda x: x.selu(), F.selu), ("relu6", lambda x: x.relu6(), F.relu6),
    ("hardtanh", lambda x: x.hardtanh(), F.hardtanh), ("hardsigmoid", lambda x: x.hardsigmoid(), F.hardsigmoid),
    ("hardswish", lambda x: x.hardswish(), F.hardswish), ("mish", lambda x: x.mish(), F.mish),
    ("gelu", lambda x: x.gelu(), lambda x: F.gelu(x, approximate="tanh")),
    ("bce_logits", lambda x: x.binary_crossentropy_logits(x * 0 + 1, reduction="none"),
     lambda x: F.binary_cross_entropy_with_logits(x, x * 0 + 1, reduction="none")),
    ("bce_logits_pos_weight", lambda x: x.binary_crossentropy_logits(x * 0 + 1, reduction="none", pos_weight=2.0),
     lambda x: F.binary_cross_entropy_with_logits(x, x * 0 + 1, reduction="none", pos_weight=torch.tensor(2.0))),
]
CORNERS = [-1000.0, -100.0, -20.0, -6.0, -3.0, -1.0, -0.5, -1e-3, -1e-6, 0.0, 1e-6, 1e-3, 0.5, 1.0, 3.0, 6.0, 20.0,
           100.0, 1000.0]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name,fn,torch_fn", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_values_and_slopes_at_corners_and_extremes(device, name, fn, torch_fn):
    got, grad, want, want_grad = _value_and_grad(device, lambda x: fn(x) if isinstance(x, Tensor) else torch_fn(x),
                                                 CORNERS)
    assert np.isfinite(grad).all(), f"non-finite gradient at {np.array(CORNERS)[~np.isfinite(grad)]}"
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(grad, want_grad, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("device", DEVICES)
def test_pow_slopes_where_the_log_is_minus_inf(device):
    for exponent in (2.5, 1.5, 1.0, 0.0, 3.0, 0.5, 0.25, -1.0, -2.0, -0.5):
        got, grad, want, want_grad = _value_and_grad(
            device, lambda x: x ** (x * 0 + exponent) if isinstance(x, Tensor) else x ** exponent, [0.0, 1.0, 2.0])
        np.testing.assert_allclose(got, want, rtol=1e-6)
        np.testing.assert_allclose(grad, want_grad, rtol=1e-5, err_msg=f"exponent {exponent}")
    e = Tensor([0.0, 2.0, 2.5], device=device, requires_grad=True)
    (g,) = (0.0 ** e).sum().gradient(e)  # d(0**e)/de is 0, as PyTorch
    np.testing.assert_array_equal(g.numpy(), [0.0, 0.0, 0.0])


@pytest.mark.parametrize("device", DEVICES)
def test_clip_gradient_is_one_on_the_boundary(device):
    values = [-2.0, -1.0, -0.5, 0.0, 1.0, 1.5, float("nan")]
    got, grad, want, want_grad = _value_and_grad(device, lambda x: x.clip(-1.0, 1.0), values)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(grad, want_grad)
    got, grad, want, want_grad = _value_and_grad(device, lambda x: x.clamp(min_=0.0) if isinstance(x, Tensor)
                                                 else x.clamp(min=0.0), values)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(grad, want_grad)


# ---------------------------------------------------------------------------------- values

@pytest.mark.parametrize("device", DEVICES)
def test_pow_edge_values(device):
    base = np.array([0.0, 0.0, 0.0, 1.0, 2.0, -2.0, np.nan, 1.0, -8.0], np.float32)
    expo = np.array([0.0, 2.0, -1.0, np.nan, 0.0, 3.0, 0.0, np.inf, 1 / 3], np.float32)
    want = (torch.tensor(base) ** torch.tensor(expo)).numpy()
    got = (Tensor(base, device=device) ** Tensor(expo, device=device)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-6)
    assert (Tensor([0.0], device=device) ** 0.0).item() == 1.0
    assert (0.0 ** Tensor([0.0], device=device)).item() == 1.0


@pytest.mark.parametrize("device", DEVICES)
def test_pow_with_a_tensor_exponent(device):
    got = Tensor([2.0, 3.0, 4.0], device=device) ** Tensor([2.0, 0.5, -1.0], device=device)
    np.testing.assert_allclose(got.numpy(), [4.0, 3.0 ** 0.5, 0.25], rtol=1e-6)
    got = Tensor([2.0, 3.0], device=device).pow(Tensor(2.0, device=device))
    np.testing.assert_allclose(got.numpy(), [4.0, 9.0], rtol=1e-6)


@pytest.mark.parametrize("device", DEVICES)
def test_cumprod_is_exact_through_zeros_and_signs(device):
    rng = np.random.default_rng(3)
    a = rng.uniform(-1.5, 1.5, size=(3, 17)).astype(np.float32)
    a[1, 5] = 0.0
    a[2, ::3] *= -1
    for axis in (0, 1, -1):
        np.testing.assert_allclose(Tensor(a, device=device).cumprod(axis).numpy(),
                                   torch.tensor(a).cumprod(axis).numpy(), rtol=1e-5, atol=1e-7)
    ints = np.array([1, -2, 3, -1, 2, 0, 5], np.int32)
    np.testing.assert_array_equal(Tensor(ints, device=device).cumprod().numpy(), np.cumprod(ints))


def test_cumprod_gradient_matches_torch():
    a = np.array([[1.5, -2.0, 0.5, 3.0], [0.7, 1.1, -0.3, 2.0]], np.float32)
    x = Tensor(a, requires_grad=True)
    (g,) = x.cumprod(1).sum().gradient(x)
    t = torch.tensor(a, requires_grad=True)
    t.cumprod(1).sum().backward()
    np.testing.assert_allclose(g.numpy(), t.grad.numpy(), rtol=1e-5)


@pytest.mark.parametrize("device", ["cpu", "opencl"])
def test_std_gradient_of_equal_elements_is_zero(device):
    """std = sqrt(var) has an infinite slope at var = 0: PyTorch's gradient there is 0 (it was NaN)."""
    a = np.array([[2.0, 2.0, 2.0], [1.0, 2.0, 4.0], [-0.5, -0.5, -0.5]], np.float32)
    for correction in (0, 1):
        x = Tensor(a, device=device, requires_grad=True)
        (g,) = (x.std(1, correction=correction) * Tensor([1.0, 2.0, 3.0], device=device)).sum().gradient(x)
        t = torch.tensor(a, requires_grad=True)
        (t.std(1, correction=correction) * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
        np.testing.assert_allclose(g.numpy(), t.grad.numpy(), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("device", DEVICES)
def test_scans_of_a_0d_tensor(device):
    assert Tensor(5.0, device=device).cumsum().item() == 5.0
    assert Tensor(5.0, device=device).cumsum(-1).item() == 5.0
    assert Tensor(-3.0, device=device).cumprod().item() == -3.0
    assert Tensor(5.0, device=device).cumsum().shape == ()


@pytest.mark.filterwarnings("ignore:.*degrees of freedom")  # torch's, for correction >= N
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("values", [[1.0, 2.0], [1.0, 1.0], [4.0], [1.0, 2.0, 4.0]])
@pytest.mark.parametrize("correction", [0, 1, 2, 3, 5])
def test_var_std_with_any_correction(device, values, correction):
    t, tt = Tensor(values, device=device), torch.tensor(values)
    with np.errstate(all="ignore"):
        np.testing.assert_allclose(t.var(correction=correction).numpy(), tt.var(correction=correction).numpy(),
                                   rtol=1e-6)
        np.testing.assert_allclose(t.std(correction=correction).numpy(), tt.std(correction=correction).numpy(),
                                   rtol=1e-6)


@pytest.mark.parametrize("device", DEVICES)
def test_pooling_pools_as_many_dims_as_the_kernel_has(device):
    rng = np.random.default_rng(4)
    a = rng.normal(size=(1, 2, 4, 6, 6)).astype(np.float32)
    F = torch.nn.functional
    t, tt = Tensor(a, device=device), torch.tensor(a)
    np.testing.assert_allclose(t.avg_pool2d((2, 2, 2)).numpy(), F.avg_pool3d(tt, 2).numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(t.max_pool2d((2, 3, 2), stride=(1, 2, 2)).numpy(),
                               F.max_pool3d(tt, (2, 3, 2), stride=(1, 2, 2)).numpy())
    np.testing.assert_allclose(t.avg_pool2d((3, 3, 3), stride=1, padding=1, count_include_pad=False).numpy(),
                               F.avg_pool3d(tt, 3, stride=1, padding=1, count_include_pad=False).numpy(),
                               rtol=1e-5, atol=1e-6)
    assert t.avg_pool2d(2).shape == F.avg_pool2d(tt[0], 2).unsqueeze(0).shape  # an int kernel: 2-d


@pytest.mark.parametrize("device", DEVICES)
def test_constants_past_the_dtype_range_are_inf(device):
    half = Tensor(np.ones(2, np.float16), device=device)
    np.testing.assert_array_equal((half * 70000.0).numpy(), [np.inf, np.inf])
    np.testing.assert_array_equal((half * -1e6).numpy(), [-np.inf, -np.inf])
    assert Tensor.full((2,), 1e39, device=device).numpy()[0] == np.inf


# ---------------------------------------------------------------------------------- bad arguments

BAD_ARGUMENTS = [
    # (call, builtin class user code catches, words the message must hold)
    (lambda: Tensor([1.0, 2.0, 3.0, 4.0]).reshape(6.5, 2), TypeError, ["reshape", "6.5", "int"]),
    (lambda: Tensor([1.0, 2.0, 3.0, 4.0]).reshape(2.0, 2), TypeError, ["reshape", "int"]),
    (lambda: Tensor([1.0, 2.0, 3.0, 4.0]).reshape(-2, -2), ValueError, ["reshape"]),
    (lambda: Tensor([1.0, 2.0]).sum(axis=1.5), TypeError, ["sum", "axis", "1.5"]),
    (lambda: Tensor([[1.0]]).expand(2.5, 1), TypeError, ["expand", "2.5"]),
    (lambda: Tensor.arange(2**40).realize(), ValueError, ["realize", str(2**40)]),  # lazy until realized
    (lambda: Tensor.arange("a"), TypeError, ["arange", "stop", "str"]),
    (lambda: Tensor.arange(0, float("inf")), ValueError, ["arange", "stop", "inf"]),
    (lambda: Tensor.eye(2.5), TypeError, ["eye", "2.5"]),
    (lambda: Tensor.linspace(0, 1, -1), ValueError, ["linspace", "-1"]),
    (lambda: Tensor([1.0]).pad(((1.5, 0),)), TypeError, ["pad", "1.5"]),
    (lambda: Tensor([1.0]).pad((1,)), ValueError, ["pad"]),
    (lambda: Tensor([1.0, 2.0]).shrink(((0.5, 1),)), TypeError, ["shrink", "0.5"]),
    (lambda: Tensor([1.0]).repeat(2.0), TypeError, ["repeat", "2.0"]),
    (lambda: Tensor([1.0, 2.0]).split(1.0), TypeError, ["split", "1.0"]),
    (lambda: Tensor([1.0, 2.0]).split([1, 1.0]), TypeError, ["split", "1.0"]),
    (lambda: Tensor([[1.0, 2.0]]).max(axis=(0, 0.5)), TypeError, ["max", "axis"]),
    (lambda: Tensor([[1.0, 2.0]]).mean(axis="0"), TypeError, ["mean", "axis"]),
    (lambda: Tensor([1.0, 2.0]).sum(axis=2), IndexError, ["sum", "axis 2", "out of range"]),
    (lambda: Tensor([[1, 2], [3]]), ValueError, ["ragged", "[1]"]),
    (lambda: Tensor([[1.0, 2.0], [3.0, [4.0, 5.0]]]), ValueError, ["ragged"]),
    (lambda: Tensor([1, "a"]), TypeError, ["str"]),
    (lambda: Tensor([300], dtype=dtypes.int8), ValueError, ["300", "int8"]),
    (lambda: Tensor(np.array([-1, 5]), dtype=dtypes.uint8), ValueError, ["-1", "uint8"]),
    (lambda: Tensor.full((2,), float("inf"), dtype=dtypes.int32), ValueError, ["inf", "int32"]),
    (lambda: Tensor([1.0, 2.0, 3.0])[::0], ValueError, ["getitem", "step", "zero"]),
    (lambda: Tensor([1.0, 2.0, 3.0])[0.5:], TypeError, ["getitem", "slice start"]),
    (lambda: Tensor([1.0, 2.0, 3.0])[5], IndexError, ["getitem", "5"]),
    (lambda: Tensor.zeros(2, -1), ValueError, ["zeros", "negative", "-1"]),
    (lambda: Tensor.ones(2.5), TypeError, ["ones", "2.5"]),
    (lambda: Tensor.zeros(3, 2**40).numpy(), ValueError, ["realize", str(2**40)]),
    # more than 2**31 elements is allowed (64-bit indexing); more bytes than the host has is not
    (lambda: Tensor.zeros(2**20, 2**20).numpy(), ValueError, ["realize", "(1048576, 1048576)", "GiB"]),
    (lambda: Tensor.full((2**21, 2**21), 1.0).realize(), ValueError, ["realize", "(2097152, 2097152)", "GiB"]),
]


@pytest.mark.parametrize("call,builtin,words", BAD_ARGUMENTS, ids=[str(i) for i in range(len(BAD_ARGUMENTS))])
def test_bad_arguments_raise_tinyirs_error_naming_them(call, builtin, words):
    from tinyir.errors import TensorArgumentError, TinyirError

    with pytest.raises(TensorArgumentError) as info:
        call()
    assert isinstance(info.value, builtin) and isinstance(info.value, TinyirError)
    for word in words:
        assert word in str(info.value), f"{word!r} not in {str(info.value)!r}"


@pytest.mark.parametrize("make,want", [
    (lambda: Tensor([2**40 + 5]), [2**40 + 5]), (lambda: Tensor(np.array([2**40 + 5, 1])), [2**40 + 5, 1]),
    (lambda: Tensor(2**40 + 5), 2**40 + 5), (lambda: Tensor([1, 2]) + 2**40, [2**40 + 1, 2**40 + 2]),
], ids=["list", "array", "scalar", "constant"])
def test_int64_values_are_never_narrowed_silently(make, want):
    """Until tinyir has int64 this is an error naming int64; with it, the exact value."""
    from tinyir.errors import TensorArgumentError

    try:
        got = make().numpy()
    except TensorArgumentError as exc:
        assert isinstance(exc, ValueError) and "int64" in str(exc) and str(2**40)[:6] in str(exc)
        return
    np.testing.assert_array_equal(got, want)


def test_integers_that_fit_still_convert():
    np.testing.assert_array_equal(Tensor(np.arange(5)).numpy(), np.arange(5))  # int64 data that fits int32
    np.testing.assert_array_equal(Tensor(np.array([2**31 - 1, -2**31])).numpy(), [2**31 - 1, -2**31])
    np.testing.assert_array_equal(Tensor([[]]).numpy(), np.zeros((1, 0), np.float32))
    np.testing.assert_array_equal(Tensor([[1, 2], (3, 4)]).numpy(), [[1, 2], [3, 4]])
    assert Tensor([1.0, 2.0, 3.0, 4.0]).reshape(np.int64(2), 2).shape == (2, 2)
    assert Tensor([1.0, 2.0]).sum(axis=np.int64(0)).item() == 3.0
    assert (Tensor(np.uint8([1])) + 255).item() == 0  # a constant for a narrower type wraps as a C cast


@pytest.mark.parametrize("device", DEVICES)
def test_integer_max_pool_pads_with_the_dtype_minimum(device):
    a = np.array([[[[-5, -7], [-3, -9]]]], np.int8)
    got = Tensor(a, device=device).max_pool2d(2, stride=1, padding=1).numpy()
    want = torch.nn.functional.max_pool2d(torch.tensor(a, dtype=torch.float32), 2, stride=1, padding=1).numpy()
    np.testing.assert_array_equal(got, want.astype(np.int8))


# ---------------------------------------------------------------------------------- precision

PRECISION_INPUTS = np.float32([1e-30, 1e-7, -3e-6, 1e-4, -2e-3, 0.01, 0.04, 0.1, 0.2499, 0.25, -0.3, 0.4999, 0.5, 0.7,
                               0.99, -0.9999, 1.0, 1.0000001, 1.001, 1.5, 3.0, 30.0, -1000.0, 1e4, 12345.678, 3e8, 1e20,
                               -1e20, np.inf, np.nan, 1.5707964, 3.1415927, -4.712389])


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", ["sinh", "cosh", "tanh", "asinh", "atanh", "acosh", "cos", "tan", "sin"])
def test_transcendentals_keep_their_digits(device, name):
    """Against float64 PyTorch rounded to f32: small arguments (no cancellation: sinh(1e-7) was 19%
    off), large ones (cos(1e4) lost digits through pi/2 - x; asinh/acosh(1e20) overflowed) and the
    special values."""
    with np.errstate(all="ignore"):
        got = getattr(Tensor(PRECISION_INPUTS, device=device), name)().numpy().astype(np.float64)
        want = getattr(torch, name)(torch.tensor(PRECISION_INPUTS, dtype=torch.float64)).numpy()
        want = want.astype(np.float32).astype(np.float64)
        both_nan = np.isnan(got) & np.isnan(want)
        rel = np.abs(got - want) / np.maximum(np.abs(want), 1e-30)
        rel[both_nan | (got == want)] = 0
    bad = {float(x): (float(g), float(w)) for x, g, w, r in zip(PRECISION_INPUTS, got, want, rel) if not r <= 2e-6}
    assert not bad, f"{name}: input -> (got, want) {bad}"


@pytest.mark.parametrize("device", DEVICES)
def test_inverse_hyperbolic_slopes_at_the_ends(device):
    for name, values in (("atanh", [-1.0, 0.0, 1e-5, 0.2499, 0.25, 0.9, 1.0]), ("acosh", [1.0, 1.0000001, 1.5, 1e9]),
                         ("asinh", [0.0, 1e-5, 0.2499, 0.25, -3.0, -1e9]), ("cos", [0.0, 1.5707964, 3.0, -1000.0]),
                         ("sinh", [0.0, 1e-5, 0.4999, 0.5, 3.0])):
        got, grad, want, want_grad = _value_and_grad(device, lambda x: getattr(x, name)() if isinstance(x, Tensor)
                                                     else getattr(torch, name)(x), values)
        np.testing.assert_allclose(got, want, rtol=2e-6, atol=1e-30, err_msg=name)
        np.testing.assert_allclose(grad, want_grad, rtol=1e-5, err_msg=name)


@pytest.mark.parametrize("device", DEVICES)
def test_bitwise_not_and_bool_bitcasts_of_every_width(device):
    """~x sets every bit of the element's width (uint16/32/64 too, not only a byte's), and bitcasts
    to and from bool go through the byte (bool has no bits of its own in the IR)."""
    for dt in (np.uint8, np.uint16, np.uint32, np.uint64, np.int8, np.int16, np.int32, np.int64):
        x = np.array([0, 5, np.iinfo(dt).max], dtype=dt)
        got = Tensor(x, device=device).bitwise_not().numpy()
        assert got.dtype == x.dtype and (got == ~x).all(), (dt, got)
    np.testing.assert_array_equal(Tensor(np.array([True, False]), device=device).bitcast(dtypes.uint8).numpy(), [1, 0])
    np.testing.assert_array_equal(Tensor(np.array([0, 1, 2], np.int8), device=device).bitcast(dtypes.bool).numpy(),
                                  np.array([0, 1, 2], np.int8).astype(bool))


@pytest.mark.parametrize("device", DEVICES)
def test_numpy_arrays_index_like_lists(device):
    a = np.arange(12.0, dtype=np.float32).reshape(3, 4)
    x = Tensor(a, device=device)
    np.testing.assert_array_equal(x[np.array([2, 0])].numpy(), a[np.array([2, 0])])
    np.testing.assert_array_equal(x[1, np.array([3, 1])].numpy(), a[1, np.array([3, 1])])
    np.testing.assert_array_equal(x[np.array([True, False, True])].numpy(), a[np.array([True, False, True])])


@pytest.mark.parametrize("device", DEVICES)
def test_integer_powers_stay_integers_and_wrap(device):
    """int ** int is an int, wrapping as the type does, as PyTorch; a negative exponent truncates 1/x."""
    b, e = np.array([2, -1, 1, 0, 3, -2, 7], np.int32), np.array([-1, -3, -2, 2, 20, 3, 0], np.int32)
    got = (Tensor(b, device=device) ** Tensor(e, device=device)).numpy()
    want = (torch.from_numpy(b) ** torch.from_numpy(e)).numpy()
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal((Tensor(np.array([3, -2], np.int32), device=device) ** 40).numpy(),
                                  (torch.tensor([3, -2], dtype=torch.int32) ** 40).numpy())
    small = (Tensor(np.array([2, 3], np.int8), device=device) ** Tensor(np.array([7, 5], np.int8), device=device)).numpy()
    np.testing.assert_array_equal(small, np.array([-128, -13], np.int8))
    np.testing.assert_array_equal((2 ** Tensor(np.array([0, 5, 30], np.int32), device=device)).numpy(), [1, 32, 2**30])


@pytest.mark.parametrize("device", DEVICES)
def test_adding_zero_keeps_the_sign_of_zero_where_it_shows(device):
    """-0.0 + 0.0 is +0.0 (the ALU table). uop-simplify drops `+ 0.0` only where the sign cannot be
    seen (a sum into an accumulator starting at +0.0), so both results below are +0.0 bits."""
    x = Tensor(np.array([-0.0, -0.0, -0.0], np.float32), device=device)
    stored = (x + 0.0).numpy()
    assert not np.signbit(stored).any()
    summed = ((x + 0.0) * 2.0).sum().numpy()
    assert summed == 0 and not np.signbit(summed)
    padded = Tensor(np.array([[-0.0, -0.0]], np.float32), device=device).pad(((0, 0), (1, 1))).sum(1).numpy()
    assert not np.signbit(padded).any()


@pytest.mark.parametrize("device", DEVICES)
def test_division_by_subnormals_and_in_half_precision_is_torchs(device):
    """x / y is x * recip(y): 1 / a subnormal y overflows to inf, so y is scaled first (0 / 1e-40 was NaN,
    1e-40 / 1e-40 inf); float16 and bfloat16 divide in float32 (float16's 1e-6 / 1e-6 was inf)."""
    a = np.array([0.0, 1e-40, 1e-30, 1.0, 3e38, -0.0, 1e-45, 2.0, 7.0, np.inf, np.nan, 1.0, -3.0], np.float32)
    b = np.array([1e-40, 1e-40, 1e-39, 1e-45, 0.5, 1e-40, 3e38, 1e-38, 0.0, 1e-40, 1.0, -0.0, 1e-45], np.float32)
    for dtype in (np.float32, np.float64):
        got = (Tensor(a.astype(dtype), device=device) / Tensor(b.astype(dtype), device=device)).numpy()
        want = (torch.tensor(a.astype(dtype)) / torch.tensor(b.astype(dtype))).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-6)
        assert (np.signbit(got) == np.signbit(want)).all()
    np.testing.assert_array_equal((Tensor([0.0], device=device) // Tensor([1e-40], device=device)).numpy(), [0.0])
    h = np.array([1e-6, 3e-5, 6e-8, 1.0, 0.0], np.float16)
    got = (Tensor(h, device=device) / Tensor(h[[0, 1, 2, 2, 2]], device=device)).numpy()
    np.testing.assert_array_equal(got, (torch.tensor(h) / torch.tensor(h[[0, 1, 2, 2, 2]])).numpy())
    x, y = Tensor(a, device=device).cast(dtypes.bfloat16), Tensor(b, device=device).cast(dtypes.bfloat16)
    want = (torch.tensor(a).bfloat16() / torch.tensor(b).bfloat16()).float().numpy()
    np.testing.assert_array_equal((x / y).cast(dtypes.float32).numpy(), want)


def test_division_gradients_at_subnormal_divisors():
    x, y = Tensor([1e-41, 2.0], requires_grad=True), Tensor([1e-40, 4.0], requires_grad=True)
    gx, gy = (x / y).sum().gradient(x, y)
    tx, ty = torch.tensor([1e-41, 2.0], requires_grad=True), torch.tensor([1e-40, 4.0], requires_grad=True)
    (tx / ty).sum().backward()
    np.testing.assert_allclose(gx.numpy(), tx.grad.numpy(), rtol=1e-5)
    np.testing.assert_allclose(gy.numpy(), ty.grad.numpy(), rtol=1e-5)


@pytest.mark.parametrize("device", DEVICES)
def test_comparisons_with_nan_are_false(device):
    """<= and >= were `not >` and `not <`: true next to a NaN (IEEE 754 and PyTorch: false)."""
    v = np.array([np.nan, 1.0, 1.5, 2.0, -np.inf, np.inf, -0.0, 0.0], np.float32)
    a, b = np.repeat(v, v.size), np.tile(v, v.size)
    x, y, tx, ty = Tensor(a, device=device), Tensor(b, device=device), torch.tensor(a), torch.tensor(b)
    for op in ("__lt__", "__le__", "__gt__", "__ge__", "__eq__", "__ne__"):
        np.testing.assert_array_equal(getattr(x, op)(y).numpy(), getattr(tx, op)(ty).numpy(), err_msg=op)
        np.testing.assert_array_equal(getattr(x, op)(1.5).numpy(), getattr(tx, op)(1.5).numpy(), err_msg=op)
    h = Tensor(np.array(1.5, np.float16), device=device)
    np.testing.assert_array_equal((x >= h).numpy(), (tx >= 1.5).numpy())
    np.testing.assert_array_equal((2.0 >= x).numpy(), (2.0 >= tx).numpy())
    np.testing.assert_array_equal(x.le(y).numpy(), tx.le(ty).numpy())
    np.testing.assert_array_equal(Tensor([1, 2, 3], device=device).ge(2).numpy(), [False, True, True])


@pytest.mark.parametrize("device", DEVICES)
def test_logsumexp_of_rows_with_infinities(device):
    """A row whose max is +-inf shifts by 0, not by the max (inf - inf was NaN: logsumexp([1, inf]) gave NaN)."""
    a = np.array([[1.0, np.inf, 2.0], [-np.inf, -np.inf, -np.inf], [1.0, 2.0, 3.0], [-np.inf, 0.0, 1.0]], np.float32)
    np.testing.assert_allclose(Tensor(a, device=device).logsumexp(1).numpy(), torch.logsumexp(torch.tensor(a), 1).numpy(),
                               rtol=1e-6)


@pytest.mark.parametrize("device", DEVICES)
def test_logcumsumexp_shifts_each_row_by_its_own_running_max(device):
    """One max for the whole tensor underflowed a row far below it ([[0, 1], [200, 201]] gave -inf in row 0)
    and an inf anywhere made every row NaN."""
    rows = np.array([[0.0, 1.0, -3.0], [200.0, 201.0, 150.0], [1.0, np.inf, 2.0], [-np.inf, -np.inf, 1.0]], np.float32)
    for a in (rows, np.random.default_rng(0).standard_normal((3, 4, 5)).astype(np.float32) * 30):
        for axis in range(a.ndim):
            np.testing.assert_allclose(Tensor(a, device=device).logcumsumexp(axis).numpy(),
                                       torch.logcumsumexp(torch.tensor(a), axis).numpy(), rtol=1e-5)
    a = np.random.default_rng(1).standard_normal((3, 5)).astype(np.float32)
    x, t = Tensor(a, device=device, requires_grad=True), torch.tensor(a, requires_grad=True)
    (g,) = (x.logcumsumexp(1) * Tensor(a, device=device)).sum().gradient(x)
    (torch.logcumsumexp(t, 1) * torch.tensor(a)).sum().backward()
    np.testing.assert_allclose(g.numpy(), t.grad.numpy(), rtol=1e-5, atol=1e-6)
