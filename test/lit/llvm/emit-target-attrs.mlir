// RUN: tinyir-opt %s -t llvm | filecheck %s
// Target details are kernel attributes: a GPU kernel gets its own triple, calling convention and
// address spaces (the AMDGPU target reuses llir this way); allocas stay in the entry block.

// CHECK:       target triple = "amdgcn-amd-amdhsa"
// CHECK-LABEL: define amdgpu_kernel void @g0(ptr addrspace(1) noalias %p) #0 {
// CHECK-NEXT:  entry:
// CHECK-NEXT:    %slot = alloca float, align 4, addrspace(5)
// CHECK-NEXT:    %t = call i32 @llvm.amdgcn.workitem.id.x()
// CHECK-NEXT:    %q = getelementptr inbounds float, ptr addrspace(1) %p, i32 %t
// CHECK-NEXT:    %v = load float, ptr addrspace(1) %q, align 4
// CHECK-NEXT:    store float %v, ptr addrspace(5) %slot, align 4
// CHECK-NEXT:    ret void
// CHECK-NEXT:  }
// CHECK:       declare i32 @llvm.amdgcn.workitem.id.x()
func.func @gpu(%a: !st.buffer<4xf32>) {
  llir.kernel "g0" (%a) : !st.buffer<4xf32> global [4] attributes {triple = "amdgcn-amd-amdhsa", calling_conv = "amdgpu_kernel"} {
  ^bb0(%p: !llir.ptr<f32, 1>):
    %t = llir.call "llvm.amdgcn.workitem.id.x"() : () -> i32
    %slot = llir.alloca : !llir.ptr<f32, 5>
    %q = llir.gep %p[%t] : !llir.ptr<f32, 1>, i32
    %v = llir.load %q : !llir.ptr<f32, 1> -> f32
    llir.store %v, %slot : f32, !llir.ptr<f32, 5>
    llir.ret
  }
  func.return
}
