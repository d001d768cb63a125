"""Compile examples/mlp_forward.mlir through every level and run it on the CPU; compare with numpy."""

import os
import sys

import numpy as np

from tinyir.runtime import compile_program
from tinyir.tools.source import load_module

here = os.path.dirname(os.path.abspath(__file__))
module = load_module(os.path.join(here, "mlp_forward.mlir"))
device = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("TINYIR_DEVICE", "cpu")
program = compile_program(module, device)

rng = np.random.default_rng(0)
x, w1, b1, w2 = (rng.standard_normal(s).astype(np.float32) * 0.5 for s in [(8, 16), (16, 32), (1, 32), (32, 10)])
(probs,) = program.run([x, w1, b1, w2])

logits = np.maximum(x @ w1 + b1, 0) @ w2
expected = np.exp(logits - logits.max(1, keepdims=True))
expected /= expected.sum(1, keepdims=True)

print(f"device: {device}, kernels: {len(program.kernels)}")
for k in program.kernels:
    print(f"  {k.name}: global {k.global_size}")
with np.printoptions(precision=4, suppress=True):
    print("softmax(relu(x @ w1 + b1) @ w2), first two rows:")
    print(probs[:2])
ok = np.allclose(probs, expected, rtol=1e-4, atol=1e-5)
print(f"max |tinyir - numpy| = {np.abs(probs - expected).max():.2e}; matches numpy: {ok}")
sys.exit(0 if ok else 1)
