#!/usr/bin/env bash
# Run tinyir on the NVIDIA GPU: the corpus on `--device cuda` vs numpy (N passed / N failed), the
# pytest `cuda` marker tests, and a small benchmark against PyTorch. No network needed.
#
#   bash test/gpu/run_on_gpu.sh            # from the repository root, on the GPU machine
#
# Python dependencies: the GPU machine needs numpy and cuda-bindings (or pycuda); xdsl and its
# small pure-Python dependencies are taken from build/gpu-deps when they are not installed there
# (fill that folder here with `bash test/gpu/pack_deps.sh` and carry it along).
set -u
cd "$(dirname "$0")/../.."
PYTHON="${PYTHON:-python3}"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
if ! "$PYTHON" -c "import xdsl" 2>/dev/null; then
  if [ -d build/gpu-deps ]; then
    export PYTHONPATH="$PYTHONPATH:$PWD/build/gpu-deps"
  else
    echo "error: xdsl is not importable and build/gpu-deps is missing (run test/gpu/pack_deps.sh first)" >&2
    exit 2
  fi
fi
if ! "$PYTHON" -c "import ml_dtypes" 2>/dev/null && [ -d build/gpu-wheels ]; then
  "$PYTHON" -m pip install -q --no-index --find-links build/gpu-wheels ml_dtypes || true
fi
"$PYTHON" - <<'PY' || exit 2
import importlib, sys
missing = [m for m in ("numpy", "xdsl", "ml_dtypes") if importlib.util.find_spec(m) is None]
if missing:
    sys.exit(f"error: missing Python packages: {', '.join(missing)}")
print("python", sys.version.split()[0])
PY
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
status=0
"$PYTHON" test/gpu/cuda_check.py "$@" || status=1
echo "--- tinyir-run --device cuda --check (the documented CLI path) ---"
for prog in softmax matmul reduce_f16 int8_wrap; do
  "$PYTHON" -m tinyir.tools.run "test/corpus/$prog.mlir" --device cuda --check --rtol 2e-3 --atol 2e-3 >/tmp/tinyir_run_$prog.txt 2>&1 \
    && echo "ok   tinyir-run $prog: $(grep -c OK /tmp/tinyir_run_$prog.txt) output(s) OK" \
    || { echo "FAIL tinyir-run $prog:"; tail -n 5 "/tmp/tinyir_run_$prog.txt"; status=1; }
done
if "$PYTHON" -c "import pytest" 2>/dev/null; then
  echo "--- pytest -m cuda (ptx target, work-groups, vector accesses, random kernel-optimize actions) ---"
  "$PYTHON" -m pytest -q -m cuda -p no:cacheprovider test/unit/test_ptx_target.py test/unit/test_workgroups.py \
    test/unit/test_uop_vectorize.py test/unit/test_kernel_optimize.py 2>&1 | tail -n 15 || status=1
else
  echo "pytest is not installed here: skipped the pytest -m cuda run (cuda_check.py above covers the corpus)"
fi
exit $status
