#!/usr/bin/env bash
# Set up .venv, then compile and run the example program on the default CPU device.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
. .venv/bin/activate
python -m pip install -q -e .
python examples/mlp_forward.py
