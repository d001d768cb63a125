"""`tinyir.nn` is `tinyir.frontend.nn` (written on top of the Tensor API): this package re-exports
it so that `import tinyir.nn`, `from tinyir.nn import optim` and `from tinyir.nn.state import
safe_save` work like tinygrad's `tinygrad.nn`."""

from tinyir.frontend.nn import *  # noqa: F403
from tinyir.frontend.nn import __all__, optim, state  # noqa: F401
