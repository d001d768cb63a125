"""Every corpus program (and a batch of random ones) on every device, against numpy."""

from __future__ import annotations

import numpy as np
import pytest

from corpus import Program, corpus_files, load, random_program
from tinyir.element_types import numpy_dtype
from tinyir.runtime.reference import entry_function

DEVICES = ["reference", "cpu", "opencl"]
RANDOM_SEEDS = range(12)


def run_on(device: str, program: Program, seed: int = 0) -> tuple[list[np.ndarray], list[np.ndarray], list]:
    """Run `program` on `device`; returns (actual, expected, result types)."""
    try:
        from tinyir.runtime import run
    except ImportError:  # the runtime is not there yet: only the reference can run
        if device != "reference":
            pytest.skip("tinyir.runtime.run is missing")
        from tinyir.runtime.reference import run_reference as reference

        def run(module, inputs, device):  # noqa: ANN001 - same signature as the runtime's
            return reference(module, inputs)

    module = program.module()
    inputs = program.make_inputs(seed, module)
    expected = program.expected([x.copy() for x in inputs], module)
    result_types = list(entry_function(module).function_type.outputs)
    actual = run(module, inputs, device=device)
    return actual, expected, result_types


def check(name: str, actual: list[np.ndarray], expected: list[np.ndarray], result_types: list) -> None:
    assert len(actual) == len(result_types), f"{name}: {len(actual)} outputs, expected {len(result_types)}"
    assert len(expected) == len(result_types), f"{name}: NUMPY gives {len(expected)} outputs for {len(result_types)}"
    for i, (got, want, t) in enumerate(zip(actual, expected, result_types)):
        dt, shape = numpy_dtype(t.get_element_type()), tuple(t.get_shape())
        got = np.asarray(got)
        assert got.shape == shape, f"{name} out{i}: shape {got.shape}, expected {shape}"
        assert got.dtype == dt, f"{name} out{i}: dtype {got.dtype}, expected {dt}"
        want = np.broadcast_to(np.asarray(want), shape)
        if dt.kind == "f":
            tol = 1e-2 if dt == np.float16 else 1e-4
            np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=tol, atol=tol,
                                       err_msg=f"{name} out{i}")
        else:
            np.testing.assert_array_equal(got, want.astype(dt), err_msg=f"{name} out{i}")


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.stem)
def test_corpus_program(path, device: str) -> None:
    program = load(path)
    check(program.name, *run_on(device, program))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("seed", RANDOM_SEEDS)
def test_random_program(seed: int, device: str) -> None:
    program = random_program(seed)
    check(f"{program.name}:\n{program.text}\n{program.numpy_source}\n", *run_on(device, program, seed))


def test_corpus_is_big_enough() -> None:
    assert len(corpus_files()) >= 35
