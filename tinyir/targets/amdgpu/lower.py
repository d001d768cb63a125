"""`uop-to-amdgpu`: micro-ops to `llir` for the `amdgcn-amd-amdhsa` triple (an AMDGPU kernel).

The ALU, loop and accumulator rules are `uop-to-llvm`'s (the same LLVM instructions, the same
no-trap semantics); this table replaces only what the kernel ABI changes:
  * buffers are `ptr addrspace(1)` (global memory) parameters of an `amdgpu_kernel` function;
  * accumulators are allocas in addrspace(5) (private memory), as the amdgcn data layout demands;
  * `gidxN` is `workgroup.id * workgroup size + workitem.id` along dimension N (x, y, z), read
    with `llvm.amdgcn.workgroup.id.*` / `llvm.amdgcn.workitem.id.*`; when the grid is not a
    multiple of the workgroup, the whole body is guarded by `gidx < size` (partial workgroups).
The workgroup is `block_size` work-items along x (at most the grid's x extent) and 1 along y, z.
A grid of more than 3 dimensions folds gidx2, gidx3, ... into z (gidx2 fastest): the launch grid
is (size0, size1, size2 * size3 * ...), and each index is taken back out with a division and a mod.
A kernel with `wgid`/`lidx` specials launches exactly its workgroups: `wgidN` is `workgroup.id`,
`lidxN` is `workitem.id` (no guard), `uop.define_local` is an addrspace(3) (LDS) global array, and
`uop.barrier` is `llvm.amdgcn.s.barrier` between workgroup-scope release and acquire fences.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, f16, f32, f64, i1, i32
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.pattern_rewriter import PatternRewriter
from xdsl.rewriter import InsertPoint

from tinyir.diagnostics import emit_error
from tinyir.dialects import uop
from tinyir.passes.uop_vectorize import vector_element
from tinyir.rewrite import Rule, rule
from tinyir.targets.amdgpu import dialect as amd
from tinyir.targets.amdgpu.mma import lower_mma
from tinyir.targets.llvm import dialect as ll
from tinyir.targets.llvm import lower as llvm_lower
from tinyir.targets.llvm.dialect import bit_width
from tinyir.targets.llvm.lower import UopToLLVM, _lowering, const, operands, storage_type, value_type

AXES = ("x", "y", "z")
# uop.kernel -> (its grid in work-items, its workgroup), read before the specials go
_GRIDS: dict[uop.KernelOp, tuple[list[int], tuple[int, int, int]]] = {}


def workgroup_size(grid: Sequence[int], block_size: int) -> tuple[int, int, int]:
    """The workgroup for a grid: up to `block_size` work-items along x, 1 along y and z."""
    return (min(block_size, grid[0]) if grid else 1, 1, 1)


def kernel_grid(kernel: uop.KernelOp) -> list[int]:
    """The extent of each `gidxN` of a gidx kernel, N = 0, 1, ...; [1] when it has none."""
    sizes: dict[int, int] = {}
    for op in kernel.body.block.ops:
        if not isinstance(op, uop.SpecialOp):
            continue
        name = op.dim.data
        dim = int(name[4:])
        if sizes.setdefault(dim, op.size.value.data) != op.size.value.data:
            emit_error(op, f"uop-to-amdgpu: {name} is used with two different sizes")
    return [sizes.get(d, 1) for d in range(max(sizes) + 1)] if sizes else [1]


def _id_call(kind: str, dim: int) -> ll.CallOp:
    return ll.CallOp(f"llvm.amdgcn.{kind}.id.{AXES[dim]}", [], i32)


def global_pointer(buffer: SSAValue, index: SSAValue | Operation, element: Attribute) -> ll.GEPOp:
    """`&buffer[index]` in global memory (the buffer is still an !st.buffer while lowering)."""
    return ll.GEPOp(buffer, index, ll.PtrType(storage_type(element), amd.GLOBAL_ADDRSPACE))


def _with_producers(op: Operation, out: list[Operation] | None = None) -> list[Operation]:
    """`op` preceded by the new, detached ops that feed it, operands first, appended to `out`
    (ops already there are not repeated)."""
    out = [] if out is None else out

    def visit(o: Operation) -> None:
        for v in o.operands:
            owner = v.owner
            if isinstance(owner, Operation) and owner.parent is None and owner not in out:
                visit(owner)
        out.append(o)

    visit(op)
    return out


def element_pointer(buffer: SSAValue, index: SSAValue | Operation, element: Attribute) -> ll.GEPOp | None:
    """`&buffer[index]`: a kernel buffer in global memory, or an LDS array (None while that is still a
    uop.define_local)."""
    if isinstance(buffer.owner, uop.DefineLocalOp):
        return None
    if isinstance(buffer.owner, ll.GlobalArrayOp):
        return ll.GEPOp(buffer, index)
    return global_pointer(buffer, index, element)


def lower_load(op: uop.LoadOp) -> Operation | None:
    """Global or LDS load; gated: load element 0 (always in bounds) and select 0 when the gate is false."""
    if llvm_lower.reads_unlowered_accumulator(op) or isinstance(op.buffer.owner, uop.DefineLocalOp):
        return None
    t = op.result.type
    _, index, *gate = operands(op)
    if gate:
        index = ll.SelectOp(gate[0], index, const(0, SSAValue.get(index).type))  # INDEX64: i32 or i64
    value: Operation = ll.LoadOp(element_pointer(op.buffer, index, t))
    if t == i1:  # bools are bytes in memory
        value = ll.ICmpOp("ne", value, const(0, storage_type(t)))
    result = ll.SelectOp(gate[0], value, const(0, t)) if gate else value
    llvm_lower.remember_uop_type(result.results[0], t)
    return result


def lower_store(op: uop.StoreOp, rewriter: PatternRewriter) -> bool | None:
    """Global or LDS store; gated: inside an `if`."""
    if llvm_lower.reads_unlowered_accumulator(op) or isinstance(op.buffer.owner, uop.DefineLocalOp):
        return None
    # the element's uop type: the buffer's, or for an LDS array (already llir) the stored value's
    local = isinstance(op.buffer.owner, ll.GlobalArrayOp)
    t = llvm_lower.uop_type(op.value) if local else uop.buffer_element_type(op.buffer.type)
    _, index, value, *gate = operands(op)
    if t == i1:
        value = ll.ZExtOp(value, storage_type(t))
    new_ops = _with_producers(ll.StoreOp(value, element_pointer(op.buffer, index, t)))
    if gate:
        new_ops = [*_with_producers(ll.IfBeginOp(gate[0])), *new_ops, ll.IfEndOp()]
    rewriter.replace(op, new_ops, [])
    return True


def lower_vload(op: uop.VLoadOp) -> Operation | list[Operation] | None:
    """One `load <N x T>` (global or LDS, aligned to the vector); gated: index 0 (in bounds and
    aligned) and select 0 per lane."""
    if llvm_lower.reads_unlowered_accumulator(op) or isinstance(op.buffer.owner, uop.DefineLocalOp):
        return None
    t = op.lanes[0].type
    _, index, *gate = operands(op)
    if gate:
        index = ll.SelectOp(gate[0], index, const(0, SSAValue.get(index).type))  # INDEX64: i32 or i64
    loaded = ll.VLoadOp(element_pointer(op.buffer, index, t), len(op.lanes))
    lanes = [ll.SelectOp(gate[0], lane, const(0, t)) for lane in loaded.lanes] if gate else [loaded]
    for lane in ([r.results[0] for r in lanes] if gate else loaded.lanes):
        llvm_lower.remember_uop_type(lane, t)
    return lanes if gate else loaded


def lower_vstore(op: uop.VStoreOp, rewriter: PatternRewriter) -> bool | None:
    """One `store <N x T>` (global or LDS); gated: inside an `if`."""
    if llvm_lower.reads_unlowered_accumulator(op) or isinstance(op.buffer.owner, uop.DefineLocalOp):
        return None
    local = isinstance(op.buffer.owner, ll.GlobalArrayOp)
    t = llvm_lower.uop_type(op.values[0]) if local else uop.buffer_element_type(op.buffer.type)
    _, index, *rest = operands(op)
    values, gate = rest[:len(op.values)], rest[len(op.values):]
    new_ops = _with_producers(ll.VStoreOp(values, element_pointer(op.buffer, index, t)))
    if gate:
        new_ops = [*_with_producers(ll.IfBeginOp(gate[0])), *new_ops, ll.IfEndOp()]
    rewriter.replace(op, new_ops, [])
    return True


def lower_define_acc(op: uop.DefineAccOp, rewriter: PatternRewriter) -> SSAValue:
    """A private-memory (addrspace 5) slot; LLVM's mem2reg turns it into a register."""
    slot = ll.AllocaOp(value_type(op.result.type), amd.PRIVATE_ADDRSPACE)
    llvm_lower.remember_uop_type(slot.result, op.result.type)  # so that reads know the register's uop type
    init = const(uop.literal_value(op.value), op.result.type)
    rewriter.insert([slot, init, ll.StoreOp(init.result, slot.result)], InsertPoint.before(op))
    return slot.result


def lower_define_local(op: uop.DefineLocalOp) -> Operation:
    """An LDS array: an addrspace(3) global of the kernel (bools as bytes)."""
    t = op.result.type
    return ll.GlobalArrayOp(t.size(), storage_type(t.element_type), amd.LOCAL_ADDRSPACE)


def lower_barrier(op: uop.BarrierOp, rewriter: PatternRewriter) -> bool:
    """s_barrier between workgroup-scope fences: LDS writes before it are seen by every work-item after."""
    rewriter.replace(op, [ll.FenceOp("release", "workgroup"), ll.CallOp("llvm.amdgcn.s.barrier", [], None),
                          ll.FenceOp("acquire", "workgroup")], [])
    return True


def lds_bytes(kernel: uop.KernelOp) -> int:
    return sum(d.result.type.size() * bit_width(storage_type(d.result.type.element_type)) // 8
               for d in kernel.body.block.ops if isinstance(d, uop.DefineLocalOp))


def lower_f64_via_f32(op: Operation) -> Operation | None:
    """DTYPES: f64 exp2/log2/sin in f32 (approximate, and f32's range: alu.TARGET_LIMITS)."""
    if op.results[0].type != f64:
        return None
    (x,) = operands(op)
    name = op.name.split(".", 1)[1]
    narrow = ll.CallOp(f"llvm.{name}.f32", [ll.FPTruncOp(x, f32)], f32)
    return ll.FPExtOp(narrow, f64)


@dataclass(frozen=True)
class UopToAMDGPU(UopToLLVM):
    """Lower `uop.kernel`s to `amdgpu_kernel` `llir.kernel`s for an AMD GPU."""

    name: ClassVar[str] = "uop-to-amdgpu"
    summary: ClassVar[str] = "uop micro-ops to llir for amdgcn-amd-amdhsa (AMDGPU kernel ABI)"

    arch: str = "gfx942"     # one of gfx90a, gfx942, gfx1100
    block_size: int = 256    # work-items per workgroup along x

    @staticmethod
    def lower_workgroup_specials(kernel: uop.KernelOp, rewriter: PatternRewriter) -> bool:
        """wgidN -> workgroup.id, lidxN -> workitem.id along N, at the top; the launch is exact (no guard)."""
        block = kernel.body.block
        specials = [o for o in block.ops if isinstance(o, uop.SpecialOp)]
        ids: dict[str, ll.CallOp] = {}
        for special in specials:
            name = special.dim.data
            if name not in ids:
                kind = "workgroup" if uop.special_kind(name) == "wgid" else "workitem"
                ids[name] = _id_call(kind, uop.special_dim(name))
                ids[name].result.name_hint = special.result.name_hint
        rewriter.insert(list(ids.values()), InsertPoint.at_start(block))
        for special in specials:
            rewriter.replace_all_uses_with(special.result, ids[special.dim.data].result)
            rewriter.erase(special)
        return True

    def lower_specials(self, op: uop.SpecialOp, rewriter: PatternRewriter) -> bool:
        """All grid indices of a kernel at once: ids at the top, and a guard around the body."""
        kernel = op.parent_op()
        assert isinstance(kernel, uop.KernelOp)
        if uop.is_workgroup_kernel(kernel):
            return self.lower_workgroup_specials(kernel, rewriter)
        grid = kernel_grid(kernel)
        block = kernel.body.block
        workgroup = workgroup_size(grid, self.block_size)
        new_ops: list[Operation] = []
        in_range: list[Operation] = []
        index_of: dict[int, SSAValue] = {}
        for dim, size in enumerate(grid):
            if dim >= 2:  # z, shared by every dim from 2 on
                index_of[dim] = self._folded_z_index(grid, dim, new_ops)
                continue
            group = _id_call("workgroup", dim)
            if workgroup[dim] == 1:
                index = group
            else:
                index = ll.AddOp(ll.MulOp(group, const(workgroup[dim], i32)), _id_call("workitem", dim))
            _with_producers(index, new_ops)
            index_of[dim] = index.results[0]
            if size % workgroup[dim]:  # the last workgroup is partial: its extra items do nothing
                in_range.append(ll.ICmpOp("slt", index.results[0], const(size, i32)))
        if in_range:
            guard = in_range[0]
            for other in in_range[1:]:
                guard = ll.AndOp(guard, other)
            _with_producers(ll.IfBeginOp(guard.results[0]), new_ops)
            rewriter.insert([ll.IfEndOp()], InsertPoint.at_end(block))
        rewriter.insert(new_ops, InsertPoint.at_start(block))
        for special in [o for o in block.ops if isinstance(o, uop.SpecialOp)]:
            index_of[int(special.dim.data[4:])].name_hint = special.result.name_hint
            rewriter.replace_all_uses_with(special.result, index_of[int(special.dim.data[4:])])
            rewriter.erase(special)
        return True

    @staticmethod
    def _folded_z_index(grid: Sequence[int], dim: int, new_ops: list[Operation]) -> SSAValue:
        """gidx`dim` (>= 2) out of workgroup.id.z: (z / (size2 * ... * size`dim-1`)) % size`dim`."""
        index: Operation = _id_call("workgroup", 2)
        stride = 1
        for inner in grid[2:dim]:
            stride *= inner
        if stride > 1:
            index = ll.UDivOp(index, const(stride, i32))
        if dim < len(grid) - 1:  # the outermost dim needs no mod: z stays below the product
            index = ll.URemOp(index, const(grid[dim], i32))
        _with_producers(index, new_ops)
        return index.results[0]

    def lower_kernel(self, op: uop.KernelOp) -> Operation | None:
        """Once the body is all llir: global pointer parameters, `ret`, triple, ABI and target."""
        old = op.body.block
        if any(not ll.is_llir_op(o) for o in old.ops):
            return None
        grid, workgroup = _GRIDS[op]
        new = Block(arg_types=[ll.PtrType(storage_type(uop.buffer_element_type(a.type)), amd.GLOBAL_ADDRSPACE)
                               for a in old.args])
        for old_arg, new_arg in zip(old.args, new.args):
            new_arg.name_hint = old_arg.name_hint
            old_arg.replace_all_uses_with(new_arg)
        for inner in list(old.ops):
            inner.detach()
            new.add_op(inner)
        new.add_op(ll.RetOp())
        kernel = ll.KernelOp(op.kernel_name.data, list(op.buffers), grid, Region(new),
                             calling_conv=amd.CALLING_CONV, triple=amd.TRIPLE)
        kernel.attributes[amd.TARGET_KEY] = amd.TargetAttr(self.arch, workgroup)
        return kernel

    def launch(self, kernel: uop.KernelOp) -> tuple[list[int], tuple[int, int, int]]:
        """(grid in work-items, workgroup) of a kernel: exact for wgid/lidx kernels (checked against
        the AMDGPU limits), `block_size` work-items along x for gidx kernels."""
        launch = uop.workgroup_launch(kernel)
        if launch is None:
            grid = kernel_grid(kernel)
            return grid, workgroup_size(grid, self.block_size)
        grid, group = launch
        if group[0] * group[1] * group[2] > amd.MAX_WORKGROUP:
            emit_error(kernel, f"uop-to-amdgpu: a workgroup of {group} (lidx0, 1, 2) exceeds AMDGPU's "
                               f"{amd.MAX_WORKGROUP} work-items")
        if lds_bytes(kernel) > amd.MAX_LDS_BYTES:
            emit_error(kernel, f"uop-to-amdgpu: {lds_bytes(kernel)} bytes of local memory exceed AMDGPU's "
                               f"{amd.MAX_LDS_BYTES} bytes of LDS per workgroup")
        return grid, (group[0], group[1], group[2])

    def rules(self) -> Sequence[Rule]:
        own = [
            rule(uop.SpecialOp, self.lower_specials, "gidxN -> workgroup.id * size + workitem.id; guard partial groups; "
                 "wgidN -> workgroup.id, lidxN -> workitem.id"),
            rule(uop.DefineLocalOp, lower_define_local, "define_local -> addrspace(3) global array (LDS)"),
            rule(uop.BarrierOp, lower_barrier, "barrier -> fence release, llvm.amdgcn.s.barrier, fence acquire (workgroup)"),
            rule(uop.DefineAccOp, lower_define_acc, "accumulator -> alloca in addrspace(5) + initial store"),
            rule(uop.LoadOp, lower_load, "load -> gep + load from addrspace(1); gated: index 0 and select 0"),
            rule(uop.StoreOp, lower_store, "store -> gep + store to addrspace(1); gated: inside if"),
            rule(uop.VLoadOp, lower_vload, "vload (f32, i32, f16) -> gep + load <N x T>, align N*size; gated: index 0, selects"),
            rule(uop.VStoreOp, lower_vstore, "vstore (f32, i32, f16) -> gep + store <N x T>; gated: inside if"),
            rule(uop.KernelOp, self.lower_kernel, "kernel -> amdgpu_kernel llir.kernel over global pointers"),
            rule(uop.MmaOp, lambda op: lower_mma(op, self.arch),
                 "mma -> MFMA (gfx90a, gfx942) / WMMA (gfx1100) intrinsic on vectors; refused where the arch lacks it",
                 name="mma -> MFMA / WMMA intrinsic"),
            rule((uop.Exp2Op, uop.Log2Op, uop.SinOp), _lowering(lower_f64_via_f32),
                 "f64 exp2/log2/sin -> the f32 intrinsic between fptrunc and fpext (the backend has no f64 libcall)"),
        ]
        replaced = {uop.SpecialOp, uop.DefineAccOp, uop.LoadOp, uop.StoreOp, uop.KernelOp}
        return own + [r for r in super().rules() if not set(r.root) & replaced]

    def keeps_vector(self, op: Operation) -> bool:
        return vector_element(op) in (f32, i32, f16)  # i1 and the byte types lane by lane

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if self.arch not in amd.ARCHS:
            emit_error(op, f"uop-to-amdgpu: unknown arch '{self.arch}' (known: {', '.join(amd.ARCHS)})")
        if not 1 <= self.block_size <= amd.MAX_WORKGROUP:
            emit_error(op, f"uop-to-amdgpu: block_size must be in 1..{amd.MAX_WORKGROUP}, got {self.block_size}")
        _GRIDS.clear()
        try:
            for kernel in op.walk():  # grids first: the special rule erases what they are read from
                if isinstance(kernel, uop.KernelOp):
                    _GRIDS[kernel] = self.launch(kernel)
            super().apply(ctx, op)
        finally:
            _GRIDS.clear()
