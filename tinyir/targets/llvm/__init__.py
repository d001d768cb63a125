"""LLVM IR target pieces: the `llir` dialect, the `uop-to-llvm` lowering and the `.ll` emitter.

The CPU target (tinyir/targets/cpu) uses them with the host triple; a GPU target can reuse the
dialect with its own triple, address spaces and calling convention (kernel attributes).
"""
