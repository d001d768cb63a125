"""`tinyir-viz`: compile a tensor-level program while recording every pass, and write the page.

    tinyir-viz prog.mlir -o page.html [--device cpu] [--no-run] [--seed N]

The page (tinyir/viz/page.py) holds the IR after every pass with its rule firings, each kernel's
uop list and target code, and, unless --no-run, the kernels' times from one run on random inputs.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from tinyir.diagnostics import DiagnosticError
from tinyir.errors import TinyirError
from tinyir.tools.source import failure_exit


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tinyir-viz", description="Write a page showing every rewrite of a program.")
    parser.add_argument("file", help="a .mlir file with a tensor-level func.func ('-' reads stdin)")
    parser.add_argument("-o", "--output", default="tinyir_viz.html", help="the page to write (default tinyir_viz.html)")
    parser.add_argument("--device", default=os.environ.get("TINYIR_DEVICE", "cpu"),
                        help="cpu (default), opencl, cuda, ... (a target with kernels; not 'reference')")
    parser.add_argument("--no-run", action="store_true", help="compile only (no kernel times on the page)")
    parser.add_argument("--seed", type=int, default=0, help="seed for the random inputs of the run (default 0)")
    args = parser.parse_args(argv)
    try:
        from tinyir.runtime import compile_program
        from tinyir.runtime.executor import _PROGRAM_CACHE
        from tinyir.tools.run import random_inputs
        from tinyir.tools.source import load_module
        from tinyir.viz.record import VizSession, recording

        if args.device == "reference":
            raise TinyirError("--device reference interprets the tensor level: it has no passes or kernels to show")
        module = load_module(args.file)
        session = VizSession()
        try:
            with recording(session):
                _PROGRAM_CACHE.clear()  # a program compiled before this recording would show no passes
                program = compile_program(module, args.device)
                if not args.no_run:
                    program.run(random_inputs(program.input_types, args.seed))
        except (TinyirError, DiagnosticError):
            if session.programs:  # the passes up to the failing one are what one wants to see
                session.write(args.output)
                print(f"tinyir-viz: wrote {args.output} up to the failure below", file=sys.stderr)
            raise
        try:
            session.write(args.output)
        except OSError as exc:
            raise TinyirError(f"cannot write {args.output}: {exc.strerror}") from exc
        record = session.programs[0]
        passes, kernels = len(record.steps) - 1, len(record.kernels)
        print(f"tinyir-viz: wrote {args.output} ({passes} pass{'es' * (passes != 1)}, "
              f"{kernels} kernel{'s' * (kernels != 1)})")
        return 0
    except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 - failure_exit tells bad input from bugs
        return failure_exit("tinyir-viz", args.file, exc)


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
