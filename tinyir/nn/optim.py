"""`tinyir.nn.optim`: see tinyir/frontend/nn/optim.py."""

from tinyir.frontend.nn.optim import *  # noqa: F403
from tinyir.frontend.nn.optim import __all__  # noqa: F401
