"""Tensor programs on the cuda chain without a GPU: the simulated cuda device (cuda_sim.py) lowers each
program with the cuda heuristics for sm_90a (wgmma, 4-stage cp.async pipelines, native bf16 stores)
and for sm_80 (mma.sync, ldmatrix), and the uop interpreter runs the kernels. Shapes are large enough
for the tensor-core plans and include ones the tiles do not divide; results are compared with PyTorch
in float64 within the f16/bf16 tolerance. Where a GPU is present, the `-m cuda` tests run instead."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import cuda_sim
from tinyir import Tensor, dtypes
from tinyir.frontend import realize
from tinyir.runtime import executor

TOLERANCE = {"f16": 3e-3, "bf16": 1e-2}
TINY = {"f16": dtypes.float16, "bf16": dtypes.bfloat16}
TORCH = {"f16": torch.float16, "bf16": torch.bfloat16}


@pytest.fixture(params=["sm_90a", "sm_80"])
def sim(request, monkeypatch):
    """`cuda` simulated for one chip, with nothing cached from another device or chip before or after."""
    try:
        executor.get_device("cuda")
        pytest.skip("a real GPU is here: the -m cuda tests cover this")
    except Exception:  # noqa: BLE001 - no GPU, or no CUDA bindings: simulate
        pass
    monkeypatch.setenv("TINYIR_SIM_CUDA", request.param)
    monkeypatch.setenv("TINYIR_CACHELEVEL", "0")
    cuda_sim.install(monkeypatch.setitem)
    _forget_cuda()
    yield request.param
    _forget_cuda()


def _forget_cuda() -> None:
    """Programs, kernels and the device compiled for `cuda` so far (their keys do not name the chip,
    which a real device never changes)."""
    cuda_sim.KERNELS.clear()
    realize.clear_cache()
    for cache in (executor._PROGRAM_CACHE, executor._KERNEL_CACHE, executor._LOWERED):
        cache.clear()
    executor._DEVICES.pop("cuda", None)


def _inputs(shapes, ty, seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    return [torch.tensor(rng.standard_normal(s) * scale, dtype=TORCH[ty]) for s in shapes]


def _tiny(t: torch.Tensor, ty: str, grad: bool = False) -> Tensor:
    """`t` as a realized f16/bf16 tensor on the simulated GPU."""
    out = Tensor(t.float().numpy(), device="cuda").cast(TINY[ty]).realize()
    out.requires_grad = grad
    return out


def _matrix_ops(chip: str) -> set[str]:
    """Which matrix instructions the kernels run so far used."""
    found = {name for text in cuda_sim.KERNELS for name in ("uop.wgmma", "uop.mma ") if name in text}
    assert found, "no kernel ran on tensor cores"
    assert chip == "sm_90a" or "uop.wgmma" not in found
    return found


def _check(got: Tensor, want: torch.Tensor, ty: str) -> None:
    g, w = got.float().numpy().astype(np.float64), want.double().numpy()
    scale = max(1.0, float(np.abs(w).max()))
    np.testing.assert_allclose(g, w, rtol=TOLERANCE[ty], atol=TOLERANCE[ty] * scale)


@pytest.mark.parametrize("ty", ["f16", "bf16"])
@pytest.mark.parametrize("shape", [(128, 64, 256), (200, 136, 328)], ids=lambda s: "x".join(map(str, s)))
def test_matmul(sim, ty, shape) -> None:
    m, k, n = shape
    a, b = _inputs([(m, k), (k, n)], ty)
    _check(_tiny(a, ty) @ _tiny(b, ty), a.double() @ b.double(), ty)
    if shape == (128, 64, 256):
        assert _matrix_ops(sim) == {"uop.wgmma" if sim == "sm_90a" else "uop.mma "}


def test_half_of_f32_tensors_then_matmul(sim) -> None:
    """`a.half() @ b.half()` of f32 tensors: the casts fuse into the product's kernel, so its factors are
    computed; sm_90a took wgmma there and loop-to-uop refused it (wgmma reads only staged tiles, and
    stage copies loads): now mma.sync, on both chips."""
    a, b = _inputs([(128, 64), (64, 256)], "f16")
    ta, tb = (Tensor(t.float().numpy(), device="cuda").realize() for t in (a, b))
    _check(ta.half() @ tb.half(), a.double() @ b.double(), "f16")
    assert _matrix_ops(sim) == {"uop.mma "}


def test_batched_matmul_with_bias_and_gelu_in_bf16(sim) -> None:
    a, b, bias = _inputs([(3, 128, 96), (96, 256), (256,)], "bf16")
    want = torch.nn.functional.gelu(a.double() @ b.double() + bias.double(), approximate="tanh")
    _check((_tiny(a, "bf16") @ _tiny(b, "bf16") + _tiny(bias, "bf16")).gelu(), want, "bf16")


def test_mlp_training_step_in_f16(sim) -> None:
    """The relu's backward makes a computed factor, where(h > 0, g, 0): sm_90a keeps mma.sync for that
    product (a wgmma plan there did not compile)."""
    x, w1, w2 = _inputs([(256, 64), (64, 128), (128, 32)], "f16", scale=0.5)
    tw1, tw2 = _tiny(w1, "f16", grad=True), _tiny(w2, "f16", grad=True)
    loss = (_tiny(x, "f16") @ tw1).relu().matmul(tw2).float().square().mean()
    loss.backward()
    rw1, rw2 = (w.double().requires_grad_() for w in (w1, w2))
    want = (x.double() @ rw1).relu().matmul(rw2).square().mean()
    want.backward()
    _check(loss, want.detach(), "f16")
    _check(tw1.grad, rw1.grad, "f16")
    _check(tw2.grad, rw2.grad, "f16")
    assert "uop.mma " in _matrix_ops(sim)


def test_conv2d_forward_and_backward_in_f16(sim) -> None:
    x, w = _inputs([(2, 16, 12, 12), (32, 16, 3, 3)], "f16", scale=0.5)
    tx, tw = _tiny(x, "f16", grad=True), _tiny(w, "f16", grad=True)
    out = tx.conv2d(tw, padding=1)
    out.float().square().sum().backward()
    rx, rw = x.double().requires_grad_(), w.double().requires_grad_()
    want = torch.nn.functional.conv2d(rx, rw, padding=1)
    want.square().sum().backward()
    _check(out, want.detach(), "f16")
    _check(tx.grad, rx.grad, "f16")
    _check(tw.grad, rw.grad, "f16")


def test_causal_attention_in_f16(sim) -> None:
    q, k, v = _inputs([(2, 2, 64, 32)] * 3, "f16", seed=3)
    got = _tiny(q, "f16").scaled_dot_product_attention(_tiny(k, "f16"), _tiny(v, "f16"), is_causal=True)
    want = torch.nn.functional.scaled_dot_product_attention(q.double(), k.double(), v.double(), is_causal=True)
    _check(got, want, "f16")
