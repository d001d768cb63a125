"""Kernels lowered once per process: a new program reuses what an earlier program's passes made.

`kernel-dedup` already lowers each distinct kernel of one program once. Across programs, the first
call of a new program (a row sum after a full sum whose first kernel is that row sum, the same
layer in a new model) would run `loop-to-uop` and everything after it again for kernels the process
has already lowered. This cache remembers, per process, each kernel as the pipeline's tail made
it, keyed by

  * the tail of the pipeline after `shapetracker-to-loop` (kernel-optimize, kernel-dedup, the
    lowering passes and their options; after `kernel-dedup` where a kernel-optimize option names a
    kernel), and
  * the kernel's structural hash at that point (loop level), without its name and with each buffer
    type read as element type and element count: the passes read a buffer's size in bytes, never
    its shape, so a `256x256xf32` and a `65536xf32` input lower alike.

`lower_with_reuse` runs the pipeline in three parts around that point: up to it; then each kernel
it has seen becomes a `kernel_copy.launch` placeholder (which the passes after it leave alone) and
the rest are optimized and lowered; before `kernel-dedup-restore`, each placeholder becomes a renamed
copy of the remembered kernel (its buffer arguments retyped to this program's buffers), and each
newly lowered kernel is remembered. The estimates read at the uop level (`KernelInfo`) are
remembered with it.

ADOPT: a newly lowered kernel is remembered as it is, not copied (a copy of a 64x64 matmul's
register tile took 13 ms): the program's module is only read after `finish` (kernel-dedup-restore
copies, the plan prints), and `adopt`, once the plan is built, moves the kernel out of that module
into a block of its own, so that the module can be freed. A copy is made only when a later program
reuses the kernel.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp, StringAttr
from xdsl.ir import Block, Operation
from xdsl.rewriter import Rewriter

from tinyir.dialects import shapetracker as st
from tinyir.dialects.kernel_copy import LaunchOp
from tinyir.passes.kernel_dedup import kernel_name, kernel_name_property
from tinyir.runtime.bounded import BoundedCache
from tinyir.runtime.kernel_info import KernelInfo, module_kernel_info

#: the placeholder's `original` for a kernel that comes from this cache (no kernel has this name)
FROM_CACHE = "<lowered-kernel-cache>"


@dataclass
class _Entry:
    """One lowered kernel, launched on its own operands: once adopted, the arguments of a block
    owning nothing else (before, the values of the module that lowered it: ADOPT);
    `kernel_hash`: the executor's hash of it (KNOWN-HASH), once a plan has computed it."""

    kernel: Operation
    info: KernelInfo | None
    kernel_hash: str | None = None


@dataclass
class _Pending:
    """What one program took from the cache (copy name -> entry) and what it lowers anew (name -> key)."""

    reused: dict[str, tuple[LaunchOp, _Entry]] = field(default_factory=dict)
    fresh: dict[str, tuple[tuple[str, ...], str]] = field(default_factory=dict)


@dataclass
class LoweredKernelCache:
    """(pipeline tail, kernel key) -> the lowered kernel; one per process (the executor's)."""

    entries: BoundedCache[tuple[tuple[str, ...], str], _Entry] = field(default_factory=lambda: BoundedCache(1024))
    hits: int = 0
    # KNOWN-HASH: the kernels the last `finish` left in its module (newly remembered or restored), by
    # id, each with itself (so an id reused by a later op never matches) and its entry. A restored
    # copy hashes like the kernel it was remembered from: the same body up to its name, buffers of
    # the same element type and count (what the executor's kernel hash reads).
    placed: dict[int, tuple[Operation, _Entry]] = field(default_factory=dict)
    # ADOPT: kernels the last `finish` remembered that still live in their program's module
    unadopted: list[Operation] = field(default_factory=list)

    def entry_of(self, kernel: Operation) -> _Entry | None:
        """The entry of a kernel the last `finish` placed, or None."""
        found = self.placed.get(id(kernel))
        return found[1] if found is not None and found[0] is kernel else None

    def clear(self) -> None:
        self.entries.clear()
        self.placed.clear()
        self.unadopted.clear()

    def adopt(self) -> None:
        """ADOPT: move each kernel the last `finish` remembered out of its module (whose plan is
        built: nothing reads the module after it) into a block of its own, launched on its args."""
        for kernel in self.unadopted:
            holder = Block(arg_types=[v.type for v in kernel.operands])
            if kernel.parent is not None:
                kernel.detach()
            kernel.operands = holder.args
            holder.add_op(kernel)
        self.unadopted.clear()

    def substitute(self, module: ModuleOp, tail: tuple[str, ...]) -> _Pending:
        """Replace each kernel seen before by a placeholder; note the others' keys."""
        from tinyir.runtime.executor import structural_hash

        pending = _Pending()
        self.placed.clear()
        for block in _host_blocks(module):
            for kernel in [op for op in block.ops if _is_kernel(op)]:
                key = (tail, structural_hash(kernel, anonymous=True, flat_buffers=True))
                name = str(kernel_name(kernel))
                entry = self.entries.get(key)
                if entry is None:
                    pending.fresh[name] = key
                    continue
                placeholder = LaunchOp(FROM_CACHE, name, list(kernel.operands))
                block.insert_op_before(placeholder, kernel)
                kernel.detach()
                kernel.erase()
                pending.reused[name] = (placeholder, entry)
                self.hits += 1
        return pending

    def finish(self, module: ModuleOp, pending: _Pending, infos: dict[str, KernelInfo]) -> None:
        """Remember the newly lowered kernels, then put the remembered ones where their placeholders are."""
        self.placed.clear()
        self.adopt()  # a program whose plan failed: its kernels leave its module now
        for block in _host_blocks(module):
            for kernel in [op for op in block.ops if _is_kernel(op)]:
                key = pending.fresh.get(str(kernel_name(kernel)))
                if key is not None and key not in self.entries:
                    self.entries[key] = entry = _Entry(kernel, infos.get(str(kernel_name(kernel))))
                    self.placed[id(kernel)] = (kernel, entry)
                    self.unadopted.append(kernel)
        for name, (placeholder, entry) in pending.reused.items():
            copy = _restore(placeholder, entry, name)
            self.placed[id(copy)] = (copy, entry)
            if entry.info is not None:
                infos[name] = entry.info


def _restore(placeholder: LaunchOp, entry: _Entry, name: str) -> Operation:
    original = entry.kernel
    copy = original.clone(value_mapper=dict(zip(original.operands, placeholder.operands)))
    copy.properties[str(kernel_name_property(copy))] = StringAttr(name)
    # the remembered kernel's buffers may have another shape of the same size: take this program's
    for arg, buffer in zip(copy.regions[0].blocks[0].args if copy.regions and copy.regions[0].blocks else (),
                           placeholder.operands):
        if isinstance(arg.type, st.BufferType) and isinstance(buffer.type, st.BufferType) and arg.type != buffer.type:
            Rewriter.replace_value_with_new_type(arg, buffer.type)
    block = placeholder.parent_block()
    assert block is not None
    block.insert_op_before(copy, placeholder)
    placeholder.detach()
    placeholder.erase()
    return copy


def _host_blocks(module: ModuleOp) -> list[Block]:
    return [block for f in module.ops if isinstance(f, func.FuncOp) for block in f.body.blocks]


def _is_kernel(op: Operation) -> bool:
    return bool(op.regions) and kernel_name_property(op) is not None


def lower_with_reuse(module: ModuleOp, specs: Sequence[str], run: Callable[[Sequence[str]], object],
                     cache: LoweredKernelCache | None,
                     ready: Callable[[list[Operation]], None] | None = None) -> dict[str, KernelInfo]:
    """Run `specs` on `module` (through `run`), reusing `cache`'s kernels where the pipeline has the
    kernel-dedup pair; returns the kernels' uop-level estimates by name. `ready`: the new kernels
    are lowered a group at a time and handed to it as each group is done (PIPELINED-LOWERING)."""
    specs = list(specs)
    at = specs.index("uop-simplify") + 1 if "uop-simplify" in specs else 0
    dedup = specs.index("kernel-dedup") + 1 if "kernel-dedup" in specs else 0
    if dedup and "shapetracker-to-loop" in specs[:dedup] and not any("kernel=" in s for s in specs[:dedup]):
        # substitute before kernel-optimize, which then skips remembered kernels too (its choice reads
        # the kernel alone, unless an option names a kernel: then after kernel-dedup)
        dedup = specs.index("shapetracker-to-loop") + 1
    if cache is None or not dedup or dedup > at or specs[-1] != "kernel-dedup-restore":
        run(specs[:at])
        infos = module_kernel_info(module)  # read at the uop level, before the target's lowering
        run(specs[at:])
        return infos
    run(specs[:dedup])
    pending = cache.substitute(module, tuple(specs[dedup:]))
    infos: dict[str, KernelInfo] = {}
    if pending.fresh and ready is not None:
        from tinyir.runtime.pipelined_lowering import lower_in_groups

        infos = lower_in_groups(module, specs[dedup:-1], at - dedup, run, ready)
    elif pending.fresh:  # the passes of the tail lower kernels only: with none left, they have nothing to do
        run(specs[dedup:at])
        infos = module_kernel_info(module)
        run(specs[at:-1])
    cache.finish(module, pending, infos)
    run(specs[-1:])
    return infos


__all__ = ["FROM_CACHE", "LoweredKernelCache", "lower_with_reuse"]
