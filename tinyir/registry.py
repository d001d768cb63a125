"""Where tinyir's dialects and passes live: import paths, loaded lazily.

Add a dialect or pass by adding one line here. Targets outside the core register through the
`tinyir.targets` entry point group (see docs/new-target.md) and are merged in by `all_passes`.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from typing import Any

# dialect name -> "module:attribute"
DIALECTS: dict[str, str] = {
    "tir": "tinyir.dialects.tensor:TIR",
    "st": "tinyir.dialects.shapetracker:ST",
    "loop": "tinyir.dialects.loop:LOOP",
    "uop": "tinyir.dialects.uop:UOP",
    "ocl": "tinyir.targets.opencl.dialect:OCL",
    "llir": "tinyir.targets.llvm.dialect:LLIR",
    "ptx": "tinyir.targets.ptx.dialect:PTX",
    "amdgpu": "tinyir.targets.amdgpu.dialect:AMDGPU",
    "metal": "tinyir.targets.metal.dialect:METAL",
    "kernel_copy": "tinyir.dialects.kernel_copy:KERNEL_COPY",
}

# pass name -> "module:class", in default pipeline order first
PASSES: dict[str, str] = {
    "tensor-decompose": "tinyir.passes.decompose:TensorDecompose",
    "tensor-autodiff": "tinyir.passes.autodiff:TensorAutodiff",
    "split-reduce": "tinyir.passes.split_reduce:SplitReduce",
    "schedule-kernels": "tinyir.passes.schedule:ScheduleKernels",
    "fold-views": "tinyir.passes.fold_views:FoldViews",
    "shapetracker-to-loop": "tinyir.passes.st_to_loop:ShapetrackerToLoop",
    "kernel-optimize": "tinyir.passes.kernel_optimize:KernelOptimize",
    "kernel-dedup": "tinyir.passes.kernel_dedup:KernelDedup",
    "loop-to-uop": "tinyir.passes.loop_to_uop:LoopToUop",
    "uop-simplify": "tinyir.passes.uop_simplify:UopSimplify",
    "uop-vectorize": "tinyir.passes.uop_vectorize:UopVectorize",
    "uop-async-copy": "tinyir.passes.async_copy:UopAsyncCopy",
    "uop-emulate-bf16": "tinyir.passes.emulate_bf16:EmulateBf16",
    "uop-hoist": "tinyir.passes.uop_hoist:UopHoist",
    "uop-to-opencl": "tinyir.targets.opencl.lower:UopToOpenCL",
    "uop-to-llvm": "tinyir.targets.llvm.lower:UopToLLVM",
    "uop-to-ptx": "tinyir.targets.ptx.lower:UopToPTX",
    "uop-to-amdgpu": "tinyir.targets.amdgpu.lower:UopToAMDGPU",
    "uop-to-metal": "tinyir.targets.metal.lower:UopToMetal",
    "kernel-dedup-restore": "tinyir.passes.kernel_dedup:KernelDedupRestore",
    # driver tests (tinyir-opt), on arith/func IR
    "test-emit-diagnostics": "tinyir.tools.test_passes:TestEmitDiagnostics",
    "test-arith-identities": "tinyir.tools.test_passes:TestArithIdentities",
}

# Pipelines by device: the pass names run from tensor level to target level.
CORE_PIPELINE = ["tensor-decompose", "split-reduce", "schedule-kernels", "fold-views", "shapetracker-to-loop",
                 "loop-to-uop", "uop-simplify"]
TARGET_PASS = {"cpu": "uop-to-llvm", "opencl": "uop-to-opencl", "cuda": "uop-to-ptx",
               "amdgpu": "uop-to-amdgpu", "metal": "uop-to-metal"}




def default_pipeline(device: str, lower_pass: str, optimize: str | Sequence[str] = "", chip: str = "") -> list[str]:
    """The whole chain for a device, as pass specs: the core passes with `kernel-optimize` (the
    device's heuristics, or `optimize` as its extra options; a list of them: one kernel-optimize
    pass each, e.g. per kernel) before `loop-to-uop`, then the lowering. Kernels equal but for
    their names are lowered once (`kernel-dedup` before loop-to-uop, `kernel-dedup-restore` last).
    `chip`: the `arch=` of every pass whose work depends on the chip (a device's `chip`); an `arch=`
    that `optimize` names itself wins (without a `chip`, only kernel-optimize takes it, as before)."""
    at = CORE_PIPELINE.index("loop-to-uop")
    extras = [optimize] if isinstance(optimize, str) else list(optimize)
    named = [m.group(1) for extra in extras if (m := re.search(r"\barch=([\w.]+)", extra))]
    chip = named[0] if named and chip else chip
    extras = [extra if "arch=" in extra else " ".join(e for e in (extra, chip and f"arch={chip}") if e)
              for extra in extras]
    optimizers = [f"kernel-optimize{{target={device}" + (f" {extra}" if extra else "") + "}" for extra in extras]
    return [*CORE_PIPELINE[:at], *optimizers, "kernel-dedup", *CORE_PIPELINE[at:],
            *uop_lowering(device, lower_pass, chip), "kernel-dedup-restore"]


def uop_lowering(device: str, lower_pass: str, chip: str = "") -> list[str]:
    """The chain's passes after uop-simplify, to the target's text: the vectorizer and the
    asynchronous copies where the target has them, bf16 emulation (DTYPES: no target computes in
    bf16), loop-invariant code motion for a GPU, the lowering (for `chip`, where given). The search
    lowers its candidates through the same passes."""
    return [*vectorize_passes(device), *async_copy_passes(device, chip), emulate_bf16_pass(device),
            *hoist_passes(device), lowering_spec(lower_pass, chip)]


def lowering_spec(lower_pass: str, chip: str = "") -> str:
    """The lowering pass for `chip` (`uop-to-ptx{arch=sm_90a}`); a spec with options is taken as given."""
    return f"{lower_pass}{{arch={chip}}}" if chip and "{" not in lower_pass else lower_pass


def _builtin_limits(device: str, chip: str = ""):
    """A built-in target's limits (for `chip`), None for a plugin's: the optional passes below are
    chosen from them."""
    if device not in TARGET_PASS:
        return None
    from tinyir.passes.kernel_optimize import target_limits

    return target_limits(device, chip)


def emulate_bf16_pass(device: str) -> str:
    """`uop-emulate-bf16`, leaving f32 -> bf16 casts that only feed stores to a target whose lowering
    rounds them itself (cuda: one cvt.rn.bf16x2.f32 instead of nine integer ops: a bf16 matmul's epilogue)."""
    limits = _builtin_limits(device)
    return "uop-emulate-bf16{native_stores=true}" if limits and limits.rounds_to_bf16 else "uop-emulate-bf16"


def hoist_passes(device: str) -> list[str]:
    """`uop-hoist` for a built-in GPU target (local memory: work-groups): their assemblers leave
    loop-invariant index math inside loops (ptxas does); LLVM's own LICM serves the CPU."""
    limits = _builtin_limits(device)
    return ["uop-hoist"] if limits and limits.has_local else []


def vectorize_passes(device: str) -> list[str]:
    """`uop-vectorize` for a built-in GPU target whose limits ask for vectors (vector_width > 1; every
    built-in lowering accepts vload/vstore); none for the CPU (LLVM's SLP vectorizer merges copies)."""
    limits = _builtin_limits(device)
    if not limits or not limits.has_local or limits.vector_width <= 1:
        return []
    # where staged copies become cp.async, bf16 copies are merged too (cp.async copies 4, 8 or 16 bytes)
    return [f"uop-vectorize{{width={limits.vector_width}" + (" bf16_copies=true" if limits.async_copy else "") + "}"]


def async_copy_passes(device: str, chip: str = "") -> list[str]:
    """`uop-async-copy` (staged tiles pipelined) for a built-in target whose limits say it copies
    asynchronously (cuda: cp.async); its stages and local memory come from the target's limits (for
    the chip that `lower-to-ptx{arch=...}` names)."""
    limits = _builtin_limits(device, chip)
    arch = f" arch={chip}" if chip else ""
    return [f"uop-async-copy{{target={device}{arch}}}"] if limits and limits.async_copy else []


def named_pipelines() -> dict[str, tuple[str, str]]:
    """`lower-to-NAME` -> (device, lowering pass), one per target (built-in and plugins):
    `lower-to-ptx`, `lower-to-llvm`, `lower-to-opencl`, `lower-to-metal`, `lower-to-amdgpu`, ..."""
    found = {f"lower-to-{p.removeprefix('uop-to-')}": (device, p) for device, p in TARGET_PASS.items()}
    for target in plugin_targets():
        found[f"lower-to-{target.lower_pass.removeprefix('uop-to-')}"] = (target.name, target.lower_pass)
    return found


def load(path: str) -> Any:
    """Import "module:attribute"."""
    module, _, attr = path.partition(":")
    return getattr(importlib.import_module(module), attr)


@functools.cache
def _plugin_entries() -> list[Any]:
    """Read once a process: scanning every installed package's metadata takes ~15 ms, and each
    compile asks once per pass."""
    try:
        return list(entry_points(group="tinyir.targets"))
    except Exception:  # pragma: no cover - broken metadata must not break the compiler
        return []


def plugin_targets() -> list[Any]:
    """Target descriptions registered by installed packages (`tinyir.targets` entry points)."""
    found = []
    for ep in _plugin_entries():
        try:
            found.append(ep.load())
        except Exception as exc:  # a broken plugin is reported, not fatal
            import sys

            print(f"tinyir: warning: target plugin {ep.name!r} failed to load: {exc}", file=sys.stderr)
    return found


def all_dialects() -> dict[str, Callable[[], Any]]:
    """Dialect factories, core and plugins."""
    out: dict[str, Callable[[], Any]] = {name: (lambda p=path: load(p)) for name, path in DIALECTS.items()}
    for target in plugin_targets():
        for name, factory in (getattr(target, "dialects", None) or {}).items():
            out[name] = factory
    return out


def all_passes() -> dict[str, Callable[[], Any]]:
    """Pass class factories, core and plugins."""
    out: dict[str, Callable[[], Any]] = {name: (lambda p=path: load(p)) for name, path in PASSES.items()}
    for target in plugin_targets():
        for name, factory in (getattr(target, "passes", None) or {}).items():
            out[name] = factory
    return out

# Text emitters for `tinyir-opt -t NAME`: "module:function" taking the module, returning text.
EMITTERS: dict[str, str] = {
    "opencl": "tinyir.targets.opencl.emit:emit_module",
    "llvm": "tinyir.targets.llvm.emit:emit_module",
    "ptx": "tinyir.targets.ptx.emit:emit_module",
    "amdgpu": "tinyir.targets.amdgpu.emit:emit_module",
    "metal": "tinyir.targets.metal.emit:emit_module",
    "test-op-counts": "tinyir.tools.test_passes:emit_op_counts",  # driver tests
}


def all_emitters() -> dict[str, str | object]:
    """Emitters, core and plugins (a plugin maps a name to a callable)."""
    out: dict[str, str | object] = dict(EMITTERS)
    for target in plugin_targets():
        out.update(getattr(target, "emitters", None) or {})
    return out
