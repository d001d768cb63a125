"""The `xdsl.universe` entry point: lets stock `xdsl-opt` load tinyir's dialects and passes."""

from xdsl.universe import Universe

from tinyir.registry import DIALECTS, PASSES, load

TINYIR_UNIVERSE = Universe(
    all_dialects={name: (lambda p=path: load(p)) for name, path in DIALECTS.items()},
    all_passes={name: (lambda p=path: load(p)) for name, path in PASSES.items()},
)
