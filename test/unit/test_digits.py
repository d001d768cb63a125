"""The digits example (examples/digits.py) trains on the CPU device with fewer steps and must
clear an accuracy floor; the full run (1500 steps) reaches >= 97%."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from tinyir.frontend.tensor import Device

import sklearn  # noqa: E402,F401  (the test extra installs scikit-learn: its bundled digits data)
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "digits.py"


def load_example():  # noqa: ANN201 - the example module
    spec = importlib.util.spec_from_file_location("digits_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("digits_example", module)
    spec.loader.exec_module(module)
    return module


def test_digits_mlp_trains_to_an_accuracy_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Device, "DEFAULT", "cpu")
    accuracy = load_example().train(steps=120, seed=0, show_progress=False)
    assert accuracy >= 0.93, f"test accuracy {accuracy:.3f} after 120 steps"


def test_digits_command_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setattr(Device, "DEFAULT", "cpu")
    assert load_example().main(["--steps", "20", "--seed", "1", "--batch", "32"]) == 0
    out = capsys.readouterr().out
    assert "20/20" in out and "test accuracy:" in out
