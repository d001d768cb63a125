"""ResNet-18 in tinyir's Tensor API, checked against PyTorch and onnxruntime on 224x224 images.

    python examples/resnet18.py [--batch 1] [--size 224] [--width 64] [--repeats 5] [--device cpu] [--no-onnx]

The same network is defined twice, in tinyir (`ResNet`) and in PyTorch (`torch_resnet18`, the
architecture and parameter names of torchvision's resnet18, so a torchvision state dict loads too).
PyTorch's model gets seeded random weights and random batch-norm statistics; its state dict is saved
with `torch.save` and read back by tinyir's restricted `.pth` loader (`tinyir.nn.state.torch_load`)
into the tinyir model. Both then run the same images; the model is also exported to ONNX here and run
by `tinyir.onnx` and onnxruntime. The outputs must agree within 1e-4 relative error (f32, atol 1e-4 on
logits of order 1); then each one's time per batch is printed (median of --repeats runs after a warm-up
run) with the ratios; tinyir's first call (which compiles), second call and steady state apart, and
one steady call split into the time in kernels and above them (model_tools.tinyir_times).

`--width` (the first stage's channels, 64 for ResNet-18) and `--size` make a small configuration for
tests; the defaults are the real ResNet-18 on 224x224 images.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from typing import Any

import numpy as np

os.environ.setdefault("TINYIR_DEVICE", "cpu")  # the CPU device unless the caller picked another

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # examples/ (also when loaded by path)
from model_tools import export_onnx, jit_time, median_time, print_report, tinyir_times

from tinyir import Tensor, nn
from tinyir.nn.state import get_state_dict, load_state_dict, torch_load

RTOL, ATOL = 1e-4, 1e-4  # f32 logits of order 1: PyTorch and onnxruntime sum in other orders


class BasicBlock:
    """Two 3x3 convolutions with batch norm, added to the input (through a strided 1x1 convolution
    and batch norm where the shape changes)."""

    def __init__(self, in_channels: int, channels: int, stride: int):
        self.conv1 = nn.Conv2d(in_channels, channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.downsample = ([nn.Conv2d(in_channels, channels, 1, stride=stride, bias=False), nn.BatchNorm2d(channels)]
                           if stride != 1 or in_channels != channels else [])

    def __call__(self, x: Tensor) -> Tensor:
        out = self.bn2(self.conv2(self.bn1(self.conv1(x)).relu()))
        shortcut = x.sequential(self.downsample) if self.downsample else x
        return (out + shortcut).relu()


class ResNet:
    """ResNet-18: a 7x7 stride-2 stem and 3x3 max pool, four stages of two BasicBlocks (channels
    width, 2w, 4w, 8w; stages 2-4 halve the resolution), global average pooling and a linear head."""

    def __init__(self, num_classes: int = 1000, width: int = 64, blocks: tuple[int, ...] = (2, 2, 2, 2)):
        self.conv1 = nn.Conv2d(3, width, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        channels, stages = width, []
        for i, count in enumerate(blocks):
            out = width * 2 ** i
            stage = []
            for j in range(count):
                stage.append(BasicBlock(channels, out, 2 if (i > 0 and j == 0) else 1))
                channels = out
            stages.append(stage)
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        self.fc = nn.Linear(channels, num_classes)

    def __call__(self, x: Tensor) -> Tensor:
        x = self.bn1(self.conv1(x)).relu().max_pool2d(3, stride=2, padding=1)
        for stage in (self.layer1, self.layer2, self.layer3, self.layer4):
            x = x.sequential(stage)
        return self.fc(x.mean(axis=(2, 3)))


def torch_resnet18(num_classes: int = 1000, width: int = 64, blocks: tuple[int, ...] = (2, 2, 2, 2)) -> Any:
    """The same network in PyTorch, with torchvision's parameter names."""
    import torch
    from torch import nn as tnn

    class TorchBlock(tnn.Module):
        def __init__(self, in_channels: int, channels: int, stride: int):
            super().__init__()
            self.conv1 = tnn.Conv2d(in_channels, channels, 3, stride, 1, bias=False)
            self.bn1 = tnn.BatchNorm2d(channels)
            self.conv2 = tnn.Conv2d(channels, channels, 3, 1, 1, bias=False)
            self.bn2 = tnn.BatchNorm2d(channels)
            self.downsample = (tnn.Sequential(tnn.Conv2d(in_channels, channels, 1, stride, bias=False),
                                              tnn.BatchNorm2d(channels))
                               if stride != 1 or in_channels != channels else None)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            out = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
            return torch.relu(out + (self.downsample(x) if self.downsample is not None else x))

    class TorchResNet(tnn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = tnn.Conv2d(3, width, 7, 2, 3, bias=False)
            self.bn1 = tnn.BatchNorm2d(width)
            self.maxpool = tnn.MaxPool2d(3, 2, 1)
            channels = width
            for i, count in enumerate(blocks):
                out = width * 2 ** i
                stage = []
                for j in range(count):
                    stage.append(TorchBlock(channels, out, 2 if (i > 0 and j == 0) else 1))
                    channels = out
                setattr(self, f"layer{i + 1}", tnn.Sequential(*stage))
            self.avgpool = tnn.AdaptiveAvgPool2d(1)
            self.fc = tnn.Linear(channels, num_classes)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            x = self.maxpool(torch.relu(self.bn1(self.conv1(x))))
            x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
            return self.fc(torch.flatten(self.avgpool(x), 1))

    return TorchResNet()


def seeded_torch_model(seed: int = 0, num_classes: int = 1000, width: int = 64) -> Any:
    """PyTorch's ResNet-18 with seeded random weights and random (not identity) batch-norm statistics,
    in eval mode."""
    import torch

    torch.manual_seed(seed)
    model = torch_resnet18(num_classes, width)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.uniform_(-0.1, 0.1)
                module.running_var.uniform_(0.5, 1.5)
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.1, 0.1)
    return model.eval()


def load_from_torch(torch_model: Any, width: int, num_classes: int) -> ResNet:
    """A tinyir ResNet with the weights of `torch_model`, through a `.pth` file and `torch_load`."""
    import torch

    model = ResNet(num_classes, width)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "resnet18.pth")
        torch.save(torch_model.state_dict(), path)
        state = torch_load(path)
    # PyTorch keeps num_batches_tracked as a 0-d int64, tinyir's BatchNorm as a (1,) counter
    state = {k: v.reshape(get_state_dict(model)[k].shape) if k.endswith("num_batches_tracked") else v
             for k, v in state.items()}
    load_state_dict(model, state)
    return model


def run(batch: int = 1, size: int = 224, width: int = 64, num_classes: int = 1000, repeats: int = 5,
        device: str = "cpu", with_onnx: bool = True, seed: int = 0) -> dict[str, float]:
    """Build, compare and time; returns the times in seconds (keys tinyir, torch, and with ONNX
    tinyir_onnx, onnxruntime) and the largest relative differences (keys ending in _err)."""
    import torch

    torch_model = seeded_torch_model(seed, num_classes, width)
    model = load_from_torch(torch_model, width, num_classes)
    images = np.random.default_rng(seed).standard_normal((batch, 3, size, size)).astype(np.float32)

    def tinyir_forward() -> np.ndarray:
        with Tensor.train(False):
            return model(Tensor(images, device=device)).numpy()

    result: dict[str, float] = {}
    start = time.perf_counter()
    got = tinyir_forward()
    result["tinyir_first"] = time.perf_counter() - start
    with torch.no_grad():
        want = torch_model(torch.from_numpy(images)).numpy()
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, err_msg="tinyir vs PyTorch")
    result["torch_err"] = float(np.max(np.abs(got - want)) / np.max(np.abs(want)))
    result.update(tinyir_times(tinyir_forward, repeats, device))
    result["tinyir_jit"] = jit_time(model, lambda: Tensor(images, device=device), got, repeats, RTOL, ATOL)
    with torch.no_grad():
        result["torch"] = median_time(lambda: torch_model(torch.from_numpy(images)), repeats)
    if with_onnx:
        import onnxruntime

        import tinyir.onnx as backend

        proto = export_onnx(torch_model, images, "images")
        rep = backend.prepare(proto, device=device)
        (onnx_got,) = rep.run([images])
        session = onnxruntime.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
        (ort_out,) = session.run(None, {"images": images})
        np.testing.assert_allclose(onnx_got, ort_out, rtol=RTOL, atol=ATOL, err_msg="tinyir.onnx vs onnxruntime")
        result["onnx_err"] = float(np.max(np.abs(onnx_got - ort_out)) / np.max(np.abs(ort_out)))
        result["tinyir_onnx"] = median_time(lambda: rep.run([images]), repeats)
        result["onnxruntime"] = median_time(lambda: session.run(None, {"images": images}), repeats)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--size", type=int, default=224, help="image height and width (default 224)")
    parser.add_argument("--width", type=int, default=64, help="first stage's channels (ResNet-18: 64)")
    parser.add_argument("--classes", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--device", default=os.environ["TINYIR_DEVICE"], help="tinyir device (default cpu)")
    parser.add_argument("--no-onnx", action="store_true", help="skip the ONNX export and onnxruntime")
    args = parser.parse_args(argv)

    r = run(args.batch, args.size, args.width, args.classes, args.repeats, args.device, not args.no_onnx)
    print(f"ResNet-18 (width {args.width}), batch {args.batch} x 3 x {args.size} x {args.size}, {args.classes} classes")
    print_report(r, args.device, RTOL, ATOL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
