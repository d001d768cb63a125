"""The model examples at small sizes: examples/gpt2.py (trains on the repository's text, samples,
loads PyTorch's state dict and gives its logits, and through ONNX onnxruntime's) and
examples/resnet18.py (PyTorch's ResNet-18 through a .pth state dict gives PyTorch's output).
Tolerance: 1e-4 relative (f32), the examples' own RTOL/ATOL. The full sizes are the examples'
defaults (`python examples/resnet18.py`, `python examples/gpt2.py compare --config 124m`)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from tinyir import Tensor
from tinyir.frontend.tensor import Device

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load_example(name: str):
    spec = importlib.util.spec_from_file_location(f"{name}_example", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(f"{name}_example", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def gpt2(monkeypatch: pytest.MonkeyPatch):
    module = load_example("gpt2")
    monkeypatch.setattr(Device, "DEFAULT", "cpu")
    monkeypatch.setitem(module.CONFIGS, "tiny", module.Config(n_layer=1, n_head=2, n_embd=32, n_ctx=16))
    return module


def test_gpt2_trains_on_the_repository_text_and_samples(gpt2) -> None:
    model, tokenizer, losses = gpt2.train(steps=25, batch=4, show=False)
    assert losses[0] == pytest.approx(np.log(tokenizer.vocab_size), rel=0.1)  # a near-uniform start
    # 25 steps of batch 4 reach about the text's unigram entropy (3.5 nats): a drop of 0.8-1.0 from the start,
    # which moves with the docs (the training text) and the CPU's float rounding; 0.5 is far from both
    assert np.mean(losses[-5:]) < losses[0] - 0.5, losses
    text = gpt2.sample(model, tokenizer, prompt="the ", length=20)
    assert text.startswith("the ") and len(text) == 24 and set(text) <= set(tokenizer.chars)


def test_gpt2_state_dict_from_pytorch_gives_its_logits_and_onnx_gives_onnxruntimes(gpt2) -> None:
    pytest.importorskip("onnxruntime")
    result = gpt2.compare(tokens=16, batch=1, vocab_size=40, repeats=1)  # asserts 1e-4 inside
    assert result["torch_err"] < 1e-4 and result["onnx_err"] < 1e-4
    # first call, second call and steady state apart; one steady call split at the kernels
    assert all(result[k] > 0 for k in ("tinyir_first", "tinyir_second", "tinyir", "tinyir_kernels"))
    assert result["tinyir_above_kernels"] >= 0


def test_gpt2_wrong_state_dict_is_refused(gpt2) -> None:
    cfg = gpt2.Config(1, 2, 32, 16, vocab_size=40)
    torch_model = gpt2.seeded_torch_gpt(gpt2.Config(1, 2, 32, 16, vocab_size=41))
    with pytest.raises(ValueError, match="transformer.wte.weight"):
        gpt2.load_from_torch(torch_model, cfg)


def test_gpt2_124m_configuration_is_gpt2_small() -> None:
    module = load_example("gpt2")
    torch_model = module.torch_gpt(module.CONFIGS["124m"])
    assert sum(p.numel() for p in torch_model.parameters()) == 124_439_808  # GPT-2 small, lm_head tied


@pytest.mark.slow
def test_gpt2_124m_from_pytorch_gives_its_logits() -> None:
    """GPT-2 small end to end (about 20 s, 2.7 GB): PyTorch's seeded state dict through a .pth file,
    16 tokens, logits within 1e-4 of PyTorch's."""
    module = load_example("gpt2")
    cfg = module.CONFIGS["124m"]
    torch_model = module.seeded_torch_gpt(cfg)
    model = module.load_from_torch(torch_model, cfg)
    ids = np.random.default_rng(0).integers(0, cfg.vocab_size, size=(1, 16))
    with Tensor.train(False):
        got = model(Tensor(ids.astype(np.int32))).numpy()
    with torch.no_grad():
        want = torch_model(torch.from_numpy(ids)).numpy()
    assert got.shape == (1, 16, 50257)
    np.testing.assert_allclose(got, want, rtol=module.RTOL, atol=module.ATOL)


def test_resnet18_state_dict_from_pytorch_gives_its_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Device, "DEFAULT", "cpu")
    module = load_example("resnet18")
    result = module.run(batch=2, size=32, width=8, num_classes=10, repeats=1, with_onnx=False)  # asserts 1e-4
    assert result["torch_err"] < 1e-4


def test_resnet18_architecture_is_torchvisions() -> None:
    """ResNet-18's parameter count and torchvision's parameter names (layerN.M.downsample.0 ...); the tinyir
    model's names are checked against these by the strict load_state_dict above."""
    module = load_example("resnet18")
    names = dict(module.torch_resnet18().named_parameters())
    assert sum(p.numel() for p in names.values()) == 11_689_512
    assert {"conv1.weight", "layer2.0.downsample.0.weight", "layer4.1.bn2.bias", "fc.weight"} <= set(names)


def load_bench():  # tools/bench_onnx.py as a module
    path = EXAMPLES.parent / "tools" / "bench_onnx.py"
    spec = importlib.util.spec_from_file_location("bench_onnx_tool", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_onnx_reports_ratios_of_the_minimums(capsys: pytest.CaptureFixture) -> None:
    bench = load_bench()
    case = bench.Bench("M", None, None, np.zeros(1), None, 1e-4, 1e-4)
    results = {"PyTorch": (1.0, 0.010, 0.02), "tinyir": (9.0, 0.030, 0.04), "tinyir.onnx": (9.0, 0.040, 0.05),
               "onnxruntime": (1.0, 0.020, 0.03)}
    bench.report(case, results)
    out = capsys.readouterr().out
    assert "tinyir / PyTorch = 3.00" in out and "tinyir.onnx / onnxruntime = 2.00" in out
    bench.report(case, dict(list(results.items())[:2]))
    assert "no onnx/onnxruntime installed" in capsys.readouterr().out


def test_bench_onnx_refuses_an_unknown_model(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_info:
        load_bench().main(["--models", "resnet18,vgg"])
    assert exit_info.value.code == 2 and "unknown ['vgg']" in capsys.readouterr().err
