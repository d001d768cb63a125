"""PIPELINED-LOWERING: a big program's kernels are lowered a group at a time, so that the device
compiles each group (on its compile thread: tinyir/runtime/background_compile.py) while the next
group goes through the passes.

The lowering passes run over a whole module. Left so, a GPT training step's 138 kernels all reach
LLVM only after the last pass, and LLVM's 2.5 s then follow the passes' 5 s. Here the passes up to
`kernel-dedup` (which must see every kernel to find the equal ones) run on the whole module; then
every kernel is set aside behind a placeholder, and each group in turn is put back, lowered by the
rest of the passes, handed to `ready` (which starts its compiles) and set aside again. At the end
every lowered kernel returns to its place, so the module is what the whole-module passes would have
made: the passes are per-kernel from `loop-to-uop` on (each rewrites one kernel's body from what
that kernel holds).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from xdsl.ir import Operation

from tinyir.dialects.kernel_copy import LaunchOp
from tinyir.errors import TinyirError
from tinyir.passes.kernel_dedup import kernel_name
from tinyir.runtime.kernel_info import KernelInfo, module_kernel_info

#: kernels lowered per group: enough that the passes' fixed cost per run stays small, few enough
#: that the first compiles start early (a GPT step's kernels take about 25 ms of passes and 20 ms of
#: LLVM each)
GROUP_KERNELS = 12
#: the placeholder's `original` while a kernel is set aside (no kernel has this name)
SET_ASIDE = "<set-aside-while-lowering>"


def _kernels(module: Operation) -> list[Operation]:
    from tinyir.runtime.lowered_cache import _host_blocks, _is_kernel

    return [op for block in _host_blocks(module) for op in block.ops if _is_kernel(op)]


def _set_aside(kernel: Operation, placeholder: LaunchOp | None = None) -> LaunchOp:
    """Detach `kernel`, leaving a placeholder (a new one, or `placeholder`, which it sits before)."""
    if placeholder is None:
        placeholder = LaunchOp(SET_ASIDE, str(kernel_name(kernel)), list(kernel.operands))
        block = kernel.parent_block()
        assert block is not None
        block.insert_op_before(placeholder, kernel)
    kernel.detach()
    return placeholder


def _put_back(kernel: Operation, placeholder: LaunchOp) -> None:
    block = placeholder.parent_block()
    assert block is not None
    block.insert_op_before(kernel, placeholder)


def lower_in_groups(module: Operation, specs: Sequence[str], at: int, run: Callable[[Sequence[str]], object],
                    ready: Callable[[list[Operation]], None]) -> dict[str, KernelInfo]:
    """Run `specs` on `module` (through `run`) as PIPELINED-LOWERING says; `at`: where in `specs` the
    kernels' estimates are read (after uop-simplify). Returns them by kernel name, as the whole-module
    run would."""
    specs = list(specs)
    head = specs.index("kernel-dedup") + 1 if "kernel-dedup" in specs else 0
    run(specs[:head])
    kernels = _kernels(module)
    if len(kernels) <= GROUP_KERNELS or head > at:
        run(specs[head:at])
        infos = module_kernel_info(module)
        run(specs[at:])
        ready(_kernels(module))
        return infos
    aside = [(_set_aside(k), k) for k in kernels]
    lowered: dict[int, Operation] = {}  # placeholder id -> its kernel, lowered and set aside again
    in_module: set[int] = set()  # placeholder ids whose kernels the passes are lowering now
    infos: dict[str, KernelInfo] = {}
    try:
        for start in range(0, len(aside), GROUP_KERNELS):
            group = aside[start:start + GROUP_KERNELS]
            for placeholder, kernel in group:
                _put_back(kernel, placeholder)
                in_module.add(id(placeholder))
            run(specs[head:at])
            infos.update(module_kernel_info(module))
            run(specs[at:])
            done = []
            for placeholder, _ in group:
                kernel = placeholder.prev_op
                if kernel is None or kernel_name(kernel) != placeholder.copy_name.data:
                    raise TinyirError(f"internal error: lowering moved kernel {placeholder.copy_name.data}")
                _set_aside(kernel, placeholder)
                in_module.discard(id(placeholder))
                lowered[id(placeholder)] = kernel
                done.append(kernel)
            ready(done)
    finally:  # every kernel back in place, lowered or not (an error leaves the module whole)
        for placeholder, kernel in aside:
            if id(placeholder) not in in_module:
                _put_back(lowered.get(id(placeholder), kernel), placeholder)
            placeholder.detach()
            placeholder.erase()
    return infos


__all__ = ["GROUP_KERNELS", "lower_in_groups"]
