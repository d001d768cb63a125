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
