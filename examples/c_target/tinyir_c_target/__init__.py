"""tinyir's C target, packaged outside the core: the worked example of docs/new-target.md.

`pip install -e examples/c_target` registers `TARGET` under the `tinyir.targets` entry point group;
then `tinyir-run --device c`, `Tensor(..., device="c")` and `tinyir-opt -p ...,uop-to-c -t c` work.
"""

from __future__ import annotations

from typing import Any

from tinyir.targets.base import Device, Target


def _dialect() -> Any:
    from tinyir_c_target.dialect import C

    return C


def _lowering() -> Any:
    from tinyir_c_target.lower import UopToC

    return UopToC


def _emit_kernel(op: Any) -> Any:
    from tinyir_c_target.emit import emit_kernel

    return emit_kernel(op)


def _emit_module(module: Any) -> str:
    from tinyir_c_target.emit import emit_module

    return emit_module(module)


def _device() -> Device:
    from tinyir_c_target.device import CDevice

    return CDevice()


TARGET = Target(
    name="c",
    lower_pass="uop-to-c",
    kernel_op="c.kernel",
    emit_kernel=_emit_kernel,
    device=_device,
    dialects={"c": _dialect},
    passes={"uop-to-c": _lowering},
    emitters={"c": _emit_module},
)
