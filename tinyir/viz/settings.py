"""The switches of the looking tools, read once from the environment when tinyir starts.

`VIZ=1` records every program the process compiles and writes the rewrite page at exit,
`GRAPH=1` draws the tensor graph and the kernel graph at exit, `PROFILE=1` writes a Chrome trace
at exit. Hooks in the compiler test one attribute of `SWITCHES`; with every switch off they do
nothing else. Tests flip the attributes (they are plain fields) instead of the environment.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass


def _on(name: str) -> bool:
    return os.environ.get(name, "").strip() not in ("", "0")


@dataclass
class Switches:
    viz: bool
    graph: bool
    profile: bool

    @classmethod
    def from_env(cls) -> Switches:
        return cls(viz=_on("VIZ"), graph=_on("GRAPH"), profile=_on("PROFILE"))


SWITCHES = Switches.from_env()


def output_path(env_name: str, default_name: str) -> str:
    """Where an at-exit output goes: `$env_name` if set, else the temporary folder."""
    return os.environ.get(env_name) or os.path.join(tempfile.gettempdir(), default_name)
