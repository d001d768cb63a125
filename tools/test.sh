#!/usr/bin/env bash
# Set up a virtual environment in .venv and run every test: lit/FileCheck, then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
. .venv/bin/activate
python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
python -m pip install -q -e '.[test,onnx]'   # onnx: tinyir.onnx and its conformance tests
python -m pip install -q torch==2.13.0   # PyTorch (local CPU wheel) as the Tensor API's reference
# The C target lives outside the core, as a plugin package registered by entry point.
python -m pip install -q --no-deps --no-build-isolation -e examples/c_target
# OpenCL kernels run on PoCL. The PoCL inside the pyopencl wheel has an LLVM too old for some
# host CPUs ("unknown target CPU 'generic'"); Debian's PoCL is used instead where we can install it
# (tinyir/runtime/opencl.py prefers /etc/OpenCL/vendors when it holds a driver).
if ! ls /etc/OpenCL/vendors/*.icd >/dev/null 2>&1 && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pocl-opencl-icd) >/dev/null 2>&1 \
    || echo "warning: could not install Debian's PoCL; OpenCL tests use the wheel's PoCL"
fi
# The visualizer's tests render its page in a headless Chromium and draw graphs with Graphviz's dot;
# installed here where we can (the tests skip, saying why, where neither is found).
if { ! command -v chromium >/dev/null || ! command -v dot >/dev/null; } && command -v apt-get >/dev/null \
    && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    chromium graphviz fonts-dejavu-core) >/dev/null 2>&1 \
    || echo "warning: could not install Chromium and Graphviz; the visualizer's browser and drawing tests skip"
fi
export PYTHONHASHSEED=0
lit -q --show-unsupported --show-xfail -j 2 test/lit examples/c_target/test
python -m pytest -q -p no:cacheprovider test/unit "$@"
# The Tensor API suite once more on OpenCL: every method on a second compiled device (issue 9)
if [ $# -eq 0 ]; then
  TINYIR_TEST_DEVICE=opencl python -m pytest -q -p no:cacheprovider test/unit/test_tensor_ops.py \
    test/unit/test_tensor_surface.py test/unit/test_tensor_api.py test/unit/test_index_range.py \
    test/unit/test_zero_size_reductions.py test/unit/test_nn.py test/unit/test_optim.py test/unit/test_state.py
  # ... and on cuda simulated for sm_90a (test/unit/cuda_sim.py): the cuda chain to the uop level, run by
  # the uop interpreter, so the GPU path's kernels are checked on every run, GPU or not
  TINYIR_SIM_CUDA=sm_90a TINYIR_TEST_DEVICE=cuda python -m pytest -q -p no:cacheprovider test/unit/test_tensor_ops.py \
    test/unit/test_tensor_surface.py test/unit/test_tensor_api.py test/unit/test_index_range.py \
    test/unit/test_zero_size_reductions.py test/unit/test_nn.py test/unit/test_optim.py test/unit/test_state.py \
    test/unit/test_window_view.py
fi
