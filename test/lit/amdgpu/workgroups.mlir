// RUN: tinyir-opt %s -p uop-to-amdgpu | filecheck %s
// RUN: tinyir-opt %s -p uop-to-amdgpu --mlir-print-op-generic | tinyir-opt | filecheck %s
// RUN: tinyir-opt %s -p uop-to-amdgpu -t llvm | filecheck %s --check-prefix=IR
// RUN: tinyir-opt %s -p uop-to-amdgpu -t amdgpu | filecheck %s --check-prefix=ISA
// Workgroup kernels: wgid -> workgroup.id, lidx -> workitem.id with no guard (the launch is exact:
// workgroup = the lidx sizes), define_local -> an addrspace(3) (LDS) global array (bool as i8),
// barrier -> s.barrier between workgroup-scope release/acquire fences; the lowered IR round-trips.

// CHECK-LABEL: func.func @stage
// CHECK:         llir.kernel "stage" (%a, %b) : !st.buffer<3x256xf32>, !st.buffer<3x256xf32> global [256, 3, 1] attributes {calling_conv = "amdgpu_kernel", triple = "amdgcn-amd-amdhsa", amdgpu.target = #amdgpu.target<"gfx942", [64, 1, 1]>} {
// CHECK-NEXT:    ^bb0(%out: !llir.ptr<f32, 1>, %in: !llir.ptr<f32, 1>):
// CHECK-NEXT:      %y = llir.call "llvm.amdgcn.workgroup.id.y"() : () -> i32
// CHECK-NEXT:      %w = llir.call "llvm.amdgcn.workgroup.id.x"() : () -> i32
// CHECK-NEXT:      %l = llir.call "llvm.amdgcn.workitem.id.x"() : () -> i32
// CHECK-NEXT:      %tmp = llir.global_array 64 : !llir.ptr<f32, 3>
// CHECK-NEXT:      %flags = llir.global_array 64 : !llir.ptr<i8, 3>
// CHECK-NOT:       llir.if_begin
// CHECK:           %[[AT:.*]] = llir.gep %tmp[%l] : !llir.ptr<f32, 3>, i32
// CHECK-NEXT:      llir.store %{{.*}}, %[[AT]] : f32, !llir.ptr<f32, 3>
// CHECK:           llir.zext %pos : i1 to i8
// CHECK:           llir.store %{{.*}}, %{{.*}} : i8, !llir.ptr<i8, 3>
// CHECK-NEXT:      llir.fence release "workgroup"
// CHECK-NEXT:      llir.call "llvm.amdgcn.s.barrier"() : () -> ()
// CHECK-NEXT:      llir.fence acquire "workgroup"
// CHECK:           llir.load %{{.*}} : !llir.ptr<f32, 3> -> f32
// CHECK:           llir.load %{{.*}} : !llir.ptr<i8, 3> -> i8

// IR:      define amdgpu_kernel void @stage(
// IR:        %l = call i32 @llvm.amdgcn.workitem.id.x()
// IR:        getelementptr inbounds float, ptr addrspace(3) @stage.tmp, i32 %l
// IR:        fence syncscope("workgroup") release
// IR-NEXT:   call void @llvm.amdgcn.s.barrier()
// IR-NEXT:   fence syncscope("workgroup") acquire
// IR-DAG:  @stage.tmp = internal addrspace(3) global [64 x float] poison, align 16
// IR-DAG:  @stage.flags = internal addrspace(3) global [64 x i8] poison, align 16
// IR-DAG:  declare void @llvm.amdgcn.s.barrier()

// ISA-LABEL: stage:
// ISA:         ds_write_b32
// ISA:         s_barrier
// ISA:         ds_read_b32
// ISA:         .amdhsa_group_segment_fixed_size 320

func.func @stage(%a: !st.buffer<3x256xf32>, %b: !st.buffer<3x256xf32>) {
  uop.kernel "stage" (%a, %b) : !st.buffer<3x256xf32>, !st.buffer<3x256xf32> {
  ^bb0(%out: !st.buffer<3x256xf32>, %in: !st.buffer<3x256xf32>):
    %y = uop.special "wgid1" 3 : i32
    %w = uop.special "wgid0" 4 : i32
    %l = uop.special "lidx0" 64 : i32
    %tmp = uop.define_local : !st.buffer<64xf32>
    %flags = uop.define_local : !st.buffer<64xi1>
    %c64 = uop.const 64 : i32
    %c256 = uop.const 256 : i32
    %c63 = uop.const 63 : i32
    %zero = uop.const 0.0 : f32
    %row = uop.mul %y, %c256 : i32
    %col0 = uop.mul %w, %c64 : i32
    %col = uop.add %col0, %l : i32
    %i = uop.add %row, %col : i32
    %v = uop.load %in[%i] : f32
    uop.store %tmp[%l], %v : f32
    %pos = uop.cmplt %zero, %v : f32
    uop.store %flags[%l], %pos : i1
    uop.barrier
    %nl = uop.neg %l : i32
    %j = uop.add %c63, %nl : i32
    %r = uop.load %tmp[%j] : f32
    %f = uop.load %flags[%j] : i1
    %z = uop.where %f, %r, %zero : f32
    uop.store %out[%i], %z : f32
  }
  func.return
}
