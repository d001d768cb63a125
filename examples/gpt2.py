"""A GPT-2-style language model in tinyir's Tensor API: trained on the repository's own documentation
with a character tokenizer, then sampled; and checked against the same model in PyTorch.

    python examples/gpt2.py train [--steps 300] [--config tiny|124m] [--device cpu]
    python examples/gpt2.py compare [--config tiny|124m] [--tokens 64] [--repeats 3] [--no-onnx]

`train`: the text is README.md and docs/*.md of this repository (no download), one token per
character. Each step is one compiled program (forward, gradients and the AdamW update realized
together). It prints the loss every few steps (it falls from about ln(vocabulary size)) and then
samples text from the trained model.

`compare`: PyTorch's copy of the architecture (`TorchGPT`, the parameter names of Hugging Face's
GPT2LMHeadModel with nn.Linear layouts) gets seeded random weights; its state dict is saved with
`torch.save` and loaded into the tinyir model with tinyir's restricted `.pth` loader
(`tinyir.nn.state.torch_load`). Both compute the logits of the same tokens, which must agree within
1e-4 relative error (f32); the model is also exported to ONNX here and run by `tinyir.onnx` and
onnxruntime, compared the same way. Then each one's time per forward pass is printed with the
ratios (median of --repeats runs after a warm-up run). tinyir's first call (which compiles), its
second call and its steady state are printed apart, and one steady call is split into the time in
kernels and the time above them (model_tools.tinyir_times).

Configurations: `tiny` (default: 2 layers, 2 heads, 64 wide, a 64-character context) and `124m`
(GPT-2 small: 12 layers, 12 heads, 768 wide, a 1024-token context and, in `compare`, GPT-2's
50257-token vocabulary: 124,439,808 parameters).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("TINYIR_DEVICE", "cpu")  # the CPU device unless the caller picked another

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # examples/ (also when loaded by path)
from model_tools import export_onnx, jit_time, median_time, print_report, tinyir_times

from tinyir import Tensor, nn
from tinyir.nn.optim import AdamW
from tinyir.nn.state import get_parameters, load_state_dict, torch_load

REPO = Path(__file__).resolve().parents[1]
RTOL, ATOL = 1e-4, 1e-4  # f32 logits of order 1 (PyTorch sums in another order)


@dataclass(frozen=True)
class Config:
    n_layer: int
    n_head: int
    n_embd: int
    n_ctx: int
    vocab_size: int = 0  # 0: the tokenizer's


CONFIGS = {"tiny": Config(2, 2, 64, 64), "124m": Config(12, 12, 768, 1024, 50257)}


# ----------------------------------------------------------------------------------------------------------
# the model in tinyir


def _normal(rng: np.random.Generator, shape: tuple[int, ...], std: float) -> Tensor:
    return Tensor(rng.normal(0.0, std, shape).astype(np.float32))


class Linear:
    """y = x @ weight.T + bias, GPT-2's initialization (normal, std 0.02 unless given; zero bias)."""

    def __init__(self, rng: np.random.Generator, n_in: int, n_out: int, std: float = 0.02):
        self.weight = _normal(rng, (n_out, n_in), std)
        self.bias = Tensor(np.zeros(n_out, np.float32))

    def __call__(self, x: Tensor) -> Tensor:
        return x.linear(self.weight.transpose(), self.bias)


class Attention:
    """Causal multi-head self-attention: one projection to queries, keys and values, one back."""

    def __init__(self, rng: np.random.Generator, cfg: Config):
        self.n_head = cfg.n_head
        self.c_attn = Linear(rng, cfg.n_embd, 3 * cfg.n_embd)
        self.c_proj = Linear(rng, cfg.n_embd, cfg.n_embd, 0.02 / math.sqrt(2 * cfg.n_layer))

    def __call__(self, x: Tensor) -> Tensor:
        batch, time_, width = x.shape
        heads = [t.reshape(batch, time_, self.n_head, width // self.n_head).transpose(1, 2)
                 for t in self.c_attn(x).split(width, dim=-1)]
        out = heads[0].scaled_dot_product_attention(heads[1], heads[2], is_causal=True)
        return self.c_proj(out.transpose(1, 2).reshape(batch, time_, width))


class MLP:
    def __init__(self, rng: np.random.Generator, cfg: Config):
        self.c_fc = Linear(rng, cfg.n_embd, 4 * cfg.n_embd)
        self.c_proj = Linear(rng, 4 * cfg.n_embd, cfg.n_embd, 0.02 / math.sqrt(2 * cfg.n_layer))

    def __call__(self, x: Tensor) -> Tensor:
        return self.c_proj(self.c_fc(x).gelu())  # GPT-2's tanh approximation


class Block:
    """Pre-norm transformer block: x + attn(ln_1(x)), then + mlp(ln_2(.))."""

    def __init__(self, rng: np.random.Generator, cfg: Config):
        self.ln_1, self.attn = nn.LayerNorm(cfg.n_embd), Attention(rng, cfg)
        self.ln_2, self.mlp = nn.LayerNorm(cfg.n_embd), MLP(rng, cfg)

    def __call__(self, x: Tensor) -> Tensor:
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class Transformer:
    def __init__(self, rng: np.random.Generator, cfg: Config):
        self.wte = nn.Embedding(cfg.vocab_size, cfg.n_embd)
        self.wte.weight = _normal(rng, (cfg.vocab_size, cfg.n_embd), 0.02)
        self.wpe = nn.Embedding(cfg.n_ctx, cfg.n_embd)
        self.wpe.weight = _normal(rng, (cfg.n_ctx, cfg.n_embd), 0.01)
        self.h = [Block(rng, cfg) for _ in range(cfg.n_layer)]
        self.ln_f = nn.LayerNorm(cfg.n_embd)


class GPT:
    """GPT-2: token and position embeddings, n_layer blocks, a final layer norm, and logits through the
    token embedding (tied, as GPT-2's lm_head)."""

    def __init__(self, cfg: Config, seed: int = 0):
        self.cfg = cfg
        self.transformer = Transformer(np.random.default_rng(seed), cfg)

    def __call__(self, idx: Tensor) -> Tensor:
        t = self.transformer
        positions = Tensor.arange(idx.shape[1], device=idx.device).reshape(1, -1)
        x = t.wte(idx) + t.wpe(positions)
        x = t.ln_f(x.sequential(t.h))
        return x.matmul(t.wte.weight.transpose())


# ----------------------------------------------------------------------------------------------------------
# the same model in PyTorch


def torch_gpt(cfg: Config) -> Any:
    """The architecture in PyTorch, with GPT2LMHeadModel's parameter names (its Conv1D weights are
    nn.Linear's transposed: transpose them to load a Hugging Face checkpoint)."""
    import torch
    from torch import nn as tnn

    class TorchAttention(tnn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.c_attn, self.c_proj = tnn.Linear(cfg.n_embd, 3 * cfg.n_embd), tnn.Linear(cfg.n_embd, cfg.n_embd)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            b, t, c = x.shape
            q, k, v = (y.reshape(b, t, cfg.n_head, c // cfg.n_head).transpose(1, 2)
                       for y in self.c_attn(x).split(c, dim=-1))
            scores = (q @ k.transpose(-2, -1)) / math.sqrt(c // cfg.n_head)
            causal = torch.ones(t, t, dtype=torch.bool).tril()
            out = scores.masked_fill(~causal, float("-inf")).softmax(-1) @ v
            return self.c_proj(out.transpose(1, 2).reshape(b, t, c))

    class TorchMLP(tnn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.c_fc, self.c_proj = tnn.Linear(cfg.n_embd, 4 * cfg.n_embd), tnn.Linear(4 * cfg.n_embd, cfg.n_embd)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.c_proj(tnn.functional.gelu(self.c_fc(x), approximate="tanh"))

    class TorchBlock(tnn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.ln_1, self.attn = tnn.LayerNorm(cfg.n_embd), TorchAttention()
            self.ln_2, self.mlp = tnn.LayerNorm(cfg.n_embd), TorchMLP()

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    class TorchGPT(tnn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = tnn.ModuleDict({
                "wte": tnn.Embedding(cfg.vocab_size, cfg.n_embd), "wpe": tnn.Embedding(cfg.n_ctx, cfg.n_embd),
                "h": tnn.ModuleList(TorchBlock() for _ in range(cfg.n_layer)), "ln_f": tnn.LayerNorm(cfg.n_embd)})

        def forward(self, idx: torch.Tensor) -> torch.Tensor:
            t = self.transformer
            x = t.wte(idx) + t.wpe(torch.arange(idx.shape[1]).reshape(1, -1))
            for block in t.h:
                x = block(x)
            return t.ln_f(x) @ t.wte.weight.T

    return TorchGPT()


def seeded_torch_gpt(cfg: Config, seed: int = 0) -> Any:
    """TorchGPT with seeded random weights (GPT-2's scale: normal, std 0.02; layer norms and biases
    random too, so a mix-up of names shows), in eval mode."""
    import torch

    torch.manual_seed(seed)
    model = torch_gpt(cfg)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith(("ln_1.weight", "ln_2.weight", "ln_f.weight")):
                p.uniform_(0.8, 1.2)
            elif name.endswith("bias"):
                p.uniform_(-0.02, 0.02)
            else:
                p.normal_(0.0, 0.02)
    return model.eval()


def load_from_torch(torch_model: Any, cfg: Config) -> GPT:
    """A tinyir GPT with the weights of `torch_model`, through a `.pth` file and `torch_load`."""
    import torch

    model = GPT(cfg)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "gpt2.pth")
        torch.save(torch_model.state_dict(), path)
        load_state_dict(model, torch_load(path))
    return model


# ----------------------------------------------------------------------------------------------------------
# text, training and sampling


def load_text() -> str:
    """README.md and docs/*.md of this repository."""
    files = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    return "\n\n".join(f.read_text(encoding="utf-8") for f in files if f.exists())


class CharTokenizer:
    """One token per distinct character of the training text."""

    def __init__(self, text: str):
        self.chars = sorted(set(text))
        self.index = {c: i for i, c in enumerate(self.chars)}

    @property
    def vocab_size(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        return np.array([self.index[c] for c in text], np.int32)

    def decode(self, tokens: Any) -> str:
        return "".join(self.chars[int(t)] for t in tokens)


def train(steps: int = 300, config: str = "tiny", batch: int = 16, lr: float = 3e-3, seed: int = 0,
          log_every: int = 25, show: bool = True) -> tuple[GPT, CharTokenizer, list[float]]:
    """Train on the repository's text; returns the model, the tokenizer and the loss of every step."""
    text = load_text()
    tokenizer = CharTokenizer(text)
    data = tokenizer.encode(text)
    cfg = replace(CONFIGS[config], vocab_size=tokenizer.vocab_size)
    model = GPT(cfg, seed)
    opt = AdamW(get_parameters(model), lr=lr, weight_decay=0.01)
    rng = np.random.default_rng(seed + 1)
    losses: list[float] = []
    started = time.perf_counter()
    with Tensor.train():
        for step in range(1, steps + 1):
            starts = rng.integers(0, len(data) - cfg.n_ctx - 1, size=batch)
            window = np.stack([data[s:s + cfg.n_ctx + 1] for s in starts])
            logits = model(Tensor(window[:, :-1]))
            loss = logits.sparse_categorical_crossentropy(Tensor(window[:, 1:]))
            opt.zero_grad()
            loss.backward()
            loss.realize(*opt.schedule_step())  # forward, backward and update: one program
            losses.append(loss.item())
            if show and (step % log_every == 0 or step in (1, steps)):
                print(f"step {step:5d}/{steps}  loss {losses[-1]:.4f}  ({time.perf_counter() - started:.1f} s)")
    return model, tokenizer, losses


def sample(model: GPT, tokenizer: CharTokenizer, prompt: str = "tinyir ", length: int = 200,
           temperature: float = 0.8, seed: int = 0) -> str:
    """Sampled text after `prompt`. Every step runs the model on a full context window (the prompt
    and what was sampled so far, left-aligned, padded at the end): one shape, so one compile; causal
    attention keeps the padding from reaching the position read."""
    rng = np.random.default_rng(seed)
    n_ctx = model.cfg.n_ctx
    tokens = list(tokenizer.encode(prompt))
    with Tensor.train(False):
        for _ in range(length):
            context = tokens[-n_ctx:]
            window = np.zeros((1, n_ctx), np.int32)
            window[0, :len(context)] = context
            logits = model(Tensor(window))[0, len(context) - 1].numpy().astype(np.float64) / temperature
            probs = np.exp(logits - logits.max())
            tokens.append(int(rng.choice(len(probs), p=probs / probs.sum())))
    return tokenizer.decode(tokens)


# ----------------------------------------------------------------------------------------------------------
# comparison with PyTorch and onnxruntime


def compare(config: str = "tiny", tokens: int = 64, batch: int = 1, vocab_size: int = 0, repeats: int = 3,
            device: str = "cpu", with_onnx: bool = True, seed: int = 0) -> dict[str, float]:
    """Load PyTorch's weights, compare the logits, and time; returns the times in seconds (keys tinyir,
    torch, and with ONNX tinyir_onnx, onnxruntime) and the largest relative differences (*_err)."""
    import torch

    base = CONFIGS[config]
    cfg = replace(base, vocab_size=vocab_size or base.vocab_size or 96)
    torch_model = seeded_torch_gpt(cfg, seed)
    model = load_from_torch(torch_model, cfg)
    ids = np.random.default_rng(seed).integers(0, cfg.vocab_size, size=(batch, min(tokens, cfg.n_ctx))).astype(np.int32)

    def tinyir_forward() -> np.ndarray:
        with Tensor.train(False):
            return model(Tensor(ids, device=device)).numpy()

    result: dict[str, float] = {}
    start = time.perf_counter()
    got = tinyir_forward()
    result["tinyir_first"] = time.perf_counter() - start
    with torch.no_grad():
        want = torch_model(torch.from_numpy(ids.astype(np.int64))).numpy()
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, err_msg="tinyir vs PyTorch")
    result["torch_err"] = float(np.max(np.abs(got - want)) / np.max(np.abs(want)))
    result.update(tinyir_times(tinyir_forward, repeats, device))
    result["tinyir_jit"] = jit_time(model, lambda: Tensor(ids, device=device), got, repeats, RTOL, ATOL)
    with torch.no_grad():
        result["torch"] = median_time(lambda: torch_model(torch.from_numpy(ids.astype(np.int64))), repeats)
    if with_onnx:
        import onnxruntime

        import tinyir.onnx as backend

        proto = export_onnx(torch_model, ids.astype(np.int64), "tokens")
        rep = backend.prepare(proto, device=device)
        feed = ids.astype(np.int64)
        (onnx_got,) = rep.run([feed])
        session = onnxruntime.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
        (ort_out,) = session.run(None, {"tokens": feed})
        np.testing.assert_allclose(onnx_got, ort_out, rtol=RTOL, atol=ATOL, err_msg="tinyir.onnx vs onnxruntime")
        result["onnx_err"] = float(np.max(np.abs(onnx_got - ort_out)) / np.max(np.abs(ort_out)))
        result["tinyir_onnx"] = median_time(lambda: rep.run([feed]), repeats)
        result["onnxruntime"] = median_time(lambda: session.run(None, {"tokens": feed}), repeats)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("train", "compare"))
    parser.add_argument("--config", choices=sorted(CONFIGS), default="tiny")
    parser.add_argument("--device", default=os.environ["TINYIR_DEVICE"], help="tinyir device (default cpu)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=300, help="train: steps (default 300)")
    parser.add_argument("--batch", type=int, default=16, help="train: sequences per step (compare: 1)")
    parser.add_argument("--lr", type=float, default=3e-3, help="train: AdamW learning rate")
    parser.add_argument("--sample", type=int, default=200, help="train: characters to sample afterwards")
    parser.add_argument("--tokens", type=int, default=64, help="compare: sequence length")
    parser.add_argument("--repeats", type=int, default=3, help="compare: timed runs")
    parser.add_argument("--no-onnx", action="store_true", help="compare: skip the ONNX export and onnxruntime")
    args = parser.parse_args(argv)
    from tinyir.frontend.tensor import Device

    Device.DEFAULT = args.device
    if args.mode == "train":
        model, tokenizer, losses = train(args.steps, args.config, args.batch, args.lr, args.seed)
        print(f"loss: {losses[0]:.3f} at step 1 -> {np.mean(losses[-10:]):.3f} (mean of the last 10 steps)")
        print("sample:\n" + sample(model, tokenizer, length=args.sample, seed=args.seed))
        return 0

    r = compare(args.config, args.tokens, repeats=args.repeats, device=args.device, with_onnx=not args.no_onnx,
                seed=args.seed)
    cfg = CONFIGS[args.config]
    print(f"GPT-2 {args.config} ({cfg.n_layer} layers, {cfg.n_head} heads, width {cfg.n_embd}), {args.tokens} tokens")
    print_report(r, args.device, RTOL, ATOL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
