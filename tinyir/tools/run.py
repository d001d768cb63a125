"""`tinyir-run`: compile a tensor-level program and run its entry function on a device.

    tinyir-run prog.mlir [--device cpu|opencl|reference|cuda] [--inputs a.npy,b.npy] [--seed N]
                         [-o out.npz] [--check] [--beam N]
    tinyir-run model.onnx [--device ...] [--inputs x.npy] [-o out.npz] [--check]   (tinyir.onnx; --check
                         compares with onnxruntime)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence

import numpy as np

from tinyir.errors import TinyirError
from tinyir.tools.source import failure_exit


def random_inputs(types: Sequence[tuple[tuple[int, ...], np.dtype]], seed: int) -> list[np.ndarray]:
    """Inputs for a signature: floats in [-2, 2), ints in [-8, 8), random bools."""
    rng = np.random.default_rng(seed)
    out = []
    for shape, dtype in types:
        if dtype == np.bool_:
            out.append(rng.integers(0, 2, size=shape).astype(np.bool_))
        elif np.issubdtype(dtype, np.floating):
            out.append(rng.uniform(-2, 2, size=shape).astype(dtype))
        elif np.issubdtype(dtype, np.unsignedinteger):
            out.append(rng.integers(0, 16, size=shape).astype(dtype))
        else:
            out.append(rng.integers(-8, 8, size=shape).astype(dtype))
    return out


def _load_inputs(spec: str, count: int) -> list[np.ndarray]:
    paths = [p for p in spec.split(",") if p]
    if len(paths) != count:
        raise TinyirError(f"--inputs names {len(paths)} files but the entry function takes {count} arguments")
    arrays = []
    for path in paths:
        try:
            arrays.append(np.load(path, allow_pickle=False))
        except (OSError, ValueError) as exc:
            raise TinyirError(f"cannot read input {path}: {exc}") from exc
    return arrays


def _save_npz(path: str, outputs: Sequence[np.ndarray]) -> None:
    """Write all outputs or nothing: a temp file in the same folder, then an atomic rename."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".npz.tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **{f"out{i}": o for i, o in enumerate(outputs)})
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _parse(path: str):
    from tinyir.tools.source import load_module

    return load_module(path)


def _onnx_input_types(model) -> list[tuple[tuple[int, ...], np.dtype]]:
    """Shapes and dtypes of an ONNX graph's inputs (not its initializers), for random inputs."""
    import onnx

    inits = {i.name for i in model.graph.initializer}
    types = []
    for value in model.graph.input:
        if value.name in inits:
            continue
        tensor_type = value.type.tensor_type
        dims = [d.dim_value if d.HasField("dim_value") else None for d in tensor_type.shape.dim]
        if any(d is None for d in dims):
            raise TinyirError(f"input {value.name!r} has a dynamic shape {dims}: give its data with --inputs")
        types.append((tuple(dims), np.dtype(onnx.helper.tensor_dtype_to_np_dtype(tensor_type.elem_type))))
    return types


def _run_onnx(args: argparse.Namespace) -> tuple[list[np.ndarray], list[np.ndarray] | None]:
    """Run an .onnx file with tinyir.onnx (and onnxruntime with --check)."""
    try:
        import onnx

        import tinyir.onnx as backend
    except ImportError as exc:
        raise TinyirError(f"running an .onnx file needs the onnx package: pip install 'tinyir[onnx]' ({exc})") from exc
    try:
        model = onnx.load(args.file)
    except Exception as exc:
        raise TinyirError(f"cannot read ONNX model {args.file}: {exc}") from exc
    types = _onnx_input_types(model) if not args.inputs else None
    rep = backend.prepare(model, device=args.device)
    inputs = (_load_inputs(args.inputs, len(rep.input_names)) if args.inputs
              else random_inputs(types, args.seed))
    outputs = list(rep.run(inputs))
    expected = None
    if args.check:
        try:
            import onnxruntime
        except ImportError as exc:
            raise TinyirError("--check on an .onnx file needs onnxruntime: pip install 'tinyir[onnx]'") from exc
        session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
        expected = session.run(None, dict(zip(rep.input_names, inputs)))
    return outputs, expected


def _max_difference(a: np.ndarray, b: np.ndarray) -> float:
    if a.shape != b.shape:
        return float("inf")
    if a.size == 0:
        return 0.0
    x, y = a.astype(np.float64), b.astype(np.float64)
    same = (x == y) | (np.isnan(x) & np.isnan(y))  # equal infinities and NaN pairs agree
    with np.errstate(invalid="ignore"):
        return float(np.max(np.where(same, 0.0, np.abs(x - y))))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tinyir-run", description="Compile and run a tinyir tensor program.")
    parser.add_argument("file", help="a .mlir file with a tensor-level func.func (the entry: @main or the first), "
                                     "or an .onnx model (run by tinyir.onnx)")
    parser.add_argument("--device", default=os.environ.get("TINYIR_DEVICE", "cpu"),
                        help="cpu (default), opencl, reference, cuda, or a plugin target; NAME:N picks device N")
    parser.add_argument("--inputs", help="comma-separated .npy files, one per argument")
    parser.add_argument("--seed", type=int, default=0, help="seed for random inputs (default 0)")
    parser.add_argument("-o", "--output", help="save outputs to this .npz (out0, out1, ...)")
    parser.add_argument("--check", action="store_true",
                        help="also run the numpy reference and report the largest difference")
    parser.add_argument("--rtol", type=float, default=1e-4, help="tolerance for --check (relative)")
    parser.add_argument("--atol", type=float, default=1e-4, help="tolerance for --check (absolute)")
    parser.add_argument("--beam", type=int, default=None, metavar="N",
                        help="choose each kernel's optimizations by a search of beam width N, timed on the device "
                             "(cached on disk; default: $TINYIR_BEAM, else the target's heuristics)")
    args = parser.parse_args(argv)
    try:
        from tinyir.runtime import compile_program

        if args.beam is not None and args.beam < 0:
            raise TinyirError(f"--beam takes a beam width (0: no search), got {args.beam}")
        if args.file.endswith(".onnx"):
            outputs, expected = _run_onnx(args)
        else:
            module = _parse(args.file)
            program = compile_program(module, args.device, None if args.beam is None else f"beam={args.beam}")
            inputs = (_load_inputs(args.inputs, len(program.input_types)) if args.inputs
                      else random_inputs(program.input_types, args.seed))
            outputs = program.run(inputs)
            expected = compile_program(module, "reference").run(inputs) if args.check else None
        if args.output:
            _save_npz(args.output, outputs)
        else:
            with np.printoptions(precision=5, suppress=True, threshold=200):
                for i, out in enumerate(outputs):
                    print(f"out{i}: {out.dtype} {list(out.shape)}\n{out}")
        if expected is not None:
            reference = "onnxruntime" if args.file.endswith(".onnx") else "reference"
            worst_ok = True
            for i, (got, want) in enumerate(zip(outputs, expected)):
                diff = _max_difference(got, want)
                ok = got.shape == want.shape and (
                    np.allclose(got.astype(np.float64), want.astype(np.float64), rtol=args.rtol, atol=args.atol,
                                equal_nan=True))
                worst_ok &= ok
                print(f"check out{i}: max |{args.device} - {reference}| = {diff:.3g} -> {'OK' if ok else 'MISMATCH'}")
            if not worst_ok:
                return 1
        return 0
    except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 - failure_exit tells bad input from bugs
        return failure_exit("tinyir-run", args.file, exc)


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
