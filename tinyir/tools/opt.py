"""`tinyir-opt`: mlir-opt for tinyir (minimal bootstrap version; the full CLI replaces this)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from xdsl.xdsl_opt_main import xDSLOptMain

from tinyir.registry import all_dialects, all_passes


class TinyirOptMain(xDSLOptMain):
    def register_all_dialects(self) -> None:
        super().register_all_dialects()
        for name, factory in all_dialects().items():
            if name not in self.ctx.registered_dialect_names:
                self.ctx.register_dialect(name, factory)

    def register_all_passes(self) -> None:
        super().register_all_passes()
        for name, factory in all_passes().items():
            self.register_pass(name, factory)

    def register_all_arguments(self, arg_parser: argparse.ArgumentParser) -> None:
        super().register_all_arguments(arg_parser)
        arg_parser.add_argument("--pass-pipeline", dest="passes", type=str)


def main(args: Sequence[str] | None = None) -> None:
    TinyirOptMain(args=args if args is not None else sys.argv[1:]).run()


if __name__ == "__main__":
    main()
