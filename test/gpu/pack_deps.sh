#!/usr/bin/env bash
# Copy xdsl and its pure-Python dependencies from this machine's environment into build/gpu-deps
# (git-ignored), so that test/gpu/run_on_gpu.sh can run on a GPU machine without network.
set -eu
cd "$(dirname "$0")/../.."
PYTHON="${PYTHON:-python3}"
rm -rf build/gpu-deps && mkdir -p build/gpu-deps
"$PYTHON" - <<'PY'
import importlib, os, shutil
for name in ("xdsl", "immutabledict", "ordered_set", "typing_extensions"):
    mod = importlib.import_module(name)
    src = mod.__file__
    if os.path.basename(src) == "__init__.py":
        shutil.copytree(os.path.dirname(src), f"build/gpu-deps/{name}",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    else:
        shutil.copy(src, "build/gpu-deps/")
print("packed into build/gpu-deps:", sorted(os.listdir("build/gpu-deps")))
PY
du -sh build/gpu-deps
# ml_dtypes (bf16 on the host) has a compiled extension: wheels for the Python versions a GPU
# machine may run, installed there by run_on_gpu.sh when the import fails.
rm -rf build/gpu-wheels && mkdir -p build/gpu-wheels
for v in 310 311 312 313; do
  "$PYTHON" -m pip download -q ml_dtypes==0.7.0 --no-deps --only-binary=:all: --python-version "$v" \
    --platform manylinux_2_27_x86_64 --platform manylinux_2_28_x86_64 -d build/gpu-wheels || true
done
ls build/gpu-wheels
