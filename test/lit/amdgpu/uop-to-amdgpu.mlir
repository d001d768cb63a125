// RUN: tinyir-opt %s -p uop-to-amdgpu | filecheck %s
// RUN: tinyir-opt %s -p 'uop-to-amdgpu{arch=gfx1100 block_size=64}' | filecheck %s --check-prefix=OPT
// RUN: tinyir-opt %s -p uop-to-amdgpu | tinyir-opt --mlir-print-op-generic | tinyir-opt | filecheck %s
// uop-to-amdgpu: the AMDGPU kernel ABI on llir. Global ids from workgroup/workitem ids, buffers in
// addrspace(1), accumulators in addrspace(5), a guard when the grid is not a multiple of the workgroup.

// CHECK-LABEL: func.func @reduce
// CHECK:         llir.kernel "r0" (%out, %x) : !st.buffer<300xf32>, !st.buffer<300x8xf32> global [300] attributes {calling_conv = "amdgpu_kernel", triple = "amdgcn-amd-amdhsa", amdgpu.target = #amdgpu.target<"gfx942", [256, 1, 1]>} {
// CHECK-NEXT:    ^bb0(%o: !llir.ptr<f32, 1>, %a: !llir.ptr<f32, 1>):
// CHECK-NEXT:      %[[WG:.*]] = llir.call "llvm.amdgcn.workgroup.id.x"() : () -> i32
// CHECK-NEXT:      %[[BS:.*]] = llir.constant 256 : i32
// CHECK-NEXT:      %[[BASE:.*]] = llir.mul %[[WG]], %[[BS]] : i32
// CHECK-NEXT:      %[[WI:.*]] = llir.call "llvm.amdgcn.workitem.id.x"() : () -> i32
// CHECK-NEXT:      %g = llir.add %[[BASE]], %[[WI]] : i32
// CHECK-NEXT:      %[[N:.*]] = llir.constant 300 : i32
// CHECK-NEXT:      %[[IN:.*]] = llir.icmp slt %g, %[[N]] : i32
// CHECK-NEXT:      llir.if_begin %[[IN]]
// CHECK:           %acc = llir.alloca : !llir.ptr<f32, 5>
// CHECK-NEXT:      %[[INIT:.*]] = llir.constant 0.0 : f32
// CHECK-NEXT:      llir.store %[[INIT]], %acc : f32, !llir.ptr<f32, 5>
// CHECK-NEXT:      %k = llir.loop_begin 0 to 8 : i32
// CHECK-NEXT:      %idx = llir.add %base, %k {overflow = "nuw nsw"} : i32
// CHECK-NEXT:      %[[P:.*]] = llir.gep %a[%idx] : !llir.ptr<f32, 1>, i32
// CHECK-NEXT:      %[[V:.*]] = llir.load %[[P]] : !llir.ptr<f32, 1> -> f32
// CHECK-NEXT:      %[[OLD:.*]] = llir.load %acc : !llir.ptr<f32, 5> -> f32
// CHECK-NEXT:      %[[SUM:.*]] = llir.fadd %[[OLD]], %[[V]] {fastmath = "reassoc"} : f32
// CHECK-NEXT:      llir.store %[[SUM]], %acc : f32, !llir.ptr<f32, 5>
// CHECK-NEXT:      llir.loop_end %k : i32
// CHECK-NEXT:      %[[FINAL:.*]] = llir.load %acc : !llir.ptr<f32, 5> -> f32
// CHECK-NEXT:      %[[Q:.*]] = llir.gep %o[%g] : !llir.ptr<f32, 1>, i32
// CHECK-NEXT:      llir.store %[[FINAL]], %[[Q]] : f32, !llir.ptr<f32, 1>
// CHECK-NEXT:      llir.if_end
// CHECK-NEXT:      llir.ret

// OPT-LABEL: func.func @reduce
// OPT:         amdgpu.target = #amdgpu.target<"gfx1100", [64, 1, 1]>
// OPT:         %[[BS:.*]] = llir.constant 64 : i32
func.func @reduce(%out: !st.buffer<300xf32>, %x: !st.buffer<300x8xf32>) {
  uop.kernel "r0" (%out, %x) : !st.buffer<300xf32>, !st.buffer<300x8xf32> {
  ^bb0(%o: !st.buffer<300xf32>, %a: !st.buffer<300x8xf32>):
    %g = uop.special "gidx0" 300 : i32
    %c8 = uop.const 8 : i32
    %base = uop.mul %g, %c8 : i32
    %acc = uop.define_acc 0.0 : f32
    %k = uop.range 0, 8 : i32
    %idx = uop.add %base, %k : i32
    %v = uop.load %a[%idx] : f32
    %s = uop.add %acc, %v : f32
    uop.assign %acc, %s : f32
    uop.endrange %k
    uop.store %o[%g], %acc : f32
  }
  func.return
}

// A grid that fits whole workgroups needs no guard; y is the workgroup id (workgroups are 1 high);
// bools are bytes in global memory; a gated load reads element 0 and selects 0.
// CHECK-LABEL: func.func @gated
// CHECK:         ^bb0(%o: !llir.ptr<i8, 1>, %a: !llir.ptr<i8, 1>):
// CHECK-NEXT:      %[[WGX:.*]] = llir.call "llvm.amdgcn.workgroup.id.x"() : () -> i32
// CHECK-NEXT:      %[[BS:.*]] = llir.constant 8 : i32
// CHECK-NEXT:      %[[BASE:.*]] = llir.mul %[[WGX]], %[[BS]] : i32
// CHECK-NEXT:      %[[WIX:.*]] = llir.call "llvm.amdgcn.workitem.id.x"() : () -> i32
// CHECK-NEXT:      %i = llir.add %[[BASE]], %[[WIX]] : i32
// CHECK-NEXT:      %row = llir.call "llvm.amdgcn.workgroup.id.y"() : () -> i32
// CHECK-NOT:       llir.if_begin
// CHECK:           %valid = llir.icmp slt %i, %six : i32
// CHECK-NEXT:      %[[ZERO:.*]] = llir.constant 0 : i32
// CHECK-NEXT:      %[[SAFE:.*]] = llir.select %valid, %i, %[[ZERO]] : i32
// CHECK-NEXT:      %[[P:.*]] = llir.gep %a[%[[SAFE]]] : !llir.ptr<i8, 1>, i32
// CHECK-NEXT:      %[[BYTE:.*]] = llir.load %[[P]] : !llir.ptr<i8, 1> -> i8
// CHECK-NEXT:      %[[B0:.*]] = llir.constant 0 : i8
// CHECK-NEXT:      %[[BOOL:.*]] = llir.icmp ne %[[BYTE]], %[[B0]] : i8
// CHECK-NEXT:      %[[FALSE:.*]] = llir.constant false : i1
// CHECK-NEXT:      %{{.*}} = llir.select %valid, %[[BOOL]], %[[FALSE]] : i1
// CHECK:           llir.if_begin %valid
// CHECK-NEXT:      %[[WIDE:.*]] = llir.zext %{{.*}} : i1 to i8
// CHECK-NEXT:      %[[Q:.*]] = llir.gep %o[%i] : !llir.ptr<i8, 1>, i32
// CHECK-NEXT:      llir.store %[[WIDE]], %[[Q]] : i8, !llir.ptr<i8, 1>
// CHECK-NEXT:      llir.if_end
// CHECK-NEXT:      llir.ret
func.func @gated(%out: !st.buffer<2x8xi1>, %x: !st.buffer<2x8xi1>) {
  uop.kernel "g0" (%out, %x) : !st.buffer<2x8xi1>, !st.buffer<2x8xi1> {
  ^bb0(%o: !st.buffer<2x8xi1>, %a: !st.buffer<2x8xi1>):
    %i = uop.special "gidx0" 8 : i32
    %row = uop.special "gidx1" 2 : i32
    %six = uop.const 6 : i32
    %valid = uop.cmplt %i, %six : i32
    %v = uop.load %a[%i], %valid : i1
    %n = uop.neg %v : i1
    uop.store %o[%i], %n, %valid : i1
  }
  func.return
}

// More than 3 grid dimensions: gidx2 and gidx3 share z (gidx2 = z % 3, gidx3 = z / 3).
// CHECK-LABEL: func.func @four_dims
// CHECK:         %[[Z:.*]] = llir.call "llvm.amdgcn.workgroup.id.z"() : () -> i32
// CHECK-NEXT:    %[[THREE:.*]] = llir.constant 3 : i32
// CHECK-NEXT:    %d2 = llir.urem %[[Z]], %[[THREE]] : i32
// CHECK-NEXT:    %[[Z2:.*]] = llir.call "llvm.amdgcn.workgroup.id.z"() : () -> i32
// CHECK-NEXT:    %[[STRIDE:.*]] = llir.constant 3 : i32
// CHECK-NEXT:    %d3 = llir.udiv %[[Z2]], %[[STRIDE]] : i32
func.func @four_dims(%out: !st.buffer<5x3x2x2xi32>) {
  uop.kernel "d0" (%out) : !st.buffer<5x3x2x2xi32> {
  ^bb0(%o: !st.buffer<5x3x2x2xi32>):
    %d0 = uop.special "gidx0" 2 : i32
    %d1 = uop.special "gidx1" 2 : i32
    %d2 = uop.special "gidx2" 3 : i32
    %d3 = uop.special "gidx3" 5 : i32
    %s = uop.add %d2, %d3 : i32
    uop.store %o[%d0], %s : i32
  }
  func.return
}

// Host code and kernels of other levels are left alone.
// CHECK-LABEL: func.func @host_only
// CHECK-NEXT:    %[[B:.*]] = st.alloc : !st.buffer<4xf32>
// CHECK-NEXT:    func.return %[[B]] : !st.buffer<4xf32>
func.func @host_only() -> !st.buffer<4xf32> {
  %b = st.alloc : !st.buffer<4xf32>
  func.return %b : !st.buffer<4xf32>
}
