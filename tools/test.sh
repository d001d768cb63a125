#!/usr/bin/env bash
# Set up a virtual environment in .venv and run every test: lit/FileCheck, then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
. .venv/bin/activate
python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
python -m pip install -q -e '.[test]'
python -m pip install -q torch==2.13.0   # PyTorch (local CPU wheel) as the Tensor API's reference
export PYTHONHASHSEED=0
lit -q --show-unsupported --show-xfail -j 2 test/lit
python -m pytest -q -p no:cacheprovider test/unit "$@"
