"""Running tinyir programs: compile a tensor-level module for a device and execute it."""

from tinyir.runtime.executor import (
    Program,
    compile_program,
    get_device,
    get_target,
    kernel_cache_size,
    run,
    structural_hash,
)

DEVICES = ("reference", "cpu", "opencl", "cuda")

__all__ = ["DEVICES", "Program", "compile_program", "get_device", "get_target", "kernel_cache_size",
           "run", "structural_hash"]
