"""`tinyir.nn.state`: see tinyir/frontend/nn/state.py."""

from tinyir.frontend.nn.state import *  # noqa: F403
from tinyir.frontend.nn.state import __all__  # noqa: F401
