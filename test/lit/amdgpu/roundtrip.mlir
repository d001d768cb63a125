// RUN: %roundtrip
// The #amdgpu.target attribute (arch, workgroup size) round-trips on an AMDGPU llir.kernel.

// CHECK-LABEL: func.func @k
// CHECK:         llir.kernel "k0" (%b) : !st.buffer<4xf32> global [4] attributes {calling_conv = "amdgpu_kernel", triple = "amdgcn-amd-amdhsa", amdgpu.target = #amdgpu.target<"gfx1100", [4, 1, 1]>} {
// CHECK-NEXT:    ^bb0(%p: !llir.ptr<f32, 1>):
// CHECK-NEXT:      %i = llir.call "llvm.amdgcn.workitem.id.x"() : () -> i32
func.func @k(%b: !st.buffer<4xf32>) {
  llir.kernel "k0" (%b) : !st.buffer<4xf32> global [4] attributes {calling_conv = "amdgpu_kernel", triple = "amdgcn-amd-amdhsa", amdgpu.target = #amdgpu.target<"gfx1100", [4, 1, 1]>} {
  ^bb0(%p: !llir.ptr<f32, 1>):
    %i = llir.call "llvm.amdgcn.workitem.id.x"() : () -> i32
    %one = llir.constant 1.0 : f32
    %q = llir.gep %p[%i] : !llir.ptr<f32, 1>, i32
    llir.store %one, %q : f32, !llir.ptr<f32, 1>
    llir.ret
  }
  func.return
}
