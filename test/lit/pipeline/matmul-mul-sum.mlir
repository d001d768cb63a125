// The matmul written as (a.reshape(N,1,N) * b.T.reshape(1,N,N)).sum(axis=2) goes through the whole
// default chain as exactly one kernel: one loop over k, both loads inside it, one store.
// RUN: tinyir-opt %s --pass-pipeline='builtin.module(tensor-decompose,schedule-kernels,fold-views,shapetracker-to-loop,loop-to-uop,uop-simplify,uop-to-opencl)' -t opencl | filecheck %s
// RUN: tinyir-opt %s -p tensor-decompose,schedule-kernels,fold-views,shapetracker-to-loop,loop-to-uop,uop-simplify,uop-to-llvm -t llvm | filecheck %s --check-prefix=LLVM
// RUN: tinyir-opt %s -p tensor-decompose,schedule-kernels | filecheck %s --check-prefix=ST

// ST-COUNT-1: st.kernel
// ST-NOT:     st.kernel

// CHECK:       __kernel void k0(__global float* restrict data0, __global const float* restrict data1, __global const float* restrict data2) {
// CHECK-NEXT:    int gidx1 = get_global_id(1);
// CHECK-NEXT:    int gidx0 = get_global_id(0);
// CHECK:         float acc0 = 0.0f;
// CHECK-NEXT:    for (int ridx0 = 0; ridx0 < 16; ridx0++) {
// CHECK:           float {{.*}} = data1[{{.*}}];
// CHECK:           float {{.*}} = data2[{{.*}}];
// CHECK:           acc0 = {{.*}};
// CHECK-NEXT:    }
// CHECK:         data0[{{.*}}] = acc0;
// CHECK-NEXT:  }
// CHECK-NOT:   __kernel

// LLVM:       define void @k0(ptr noalias {{.*}}, ptr noalias {{.*}}, ptr noalias {{.*}})
// LLVM:         load float, ptr
// LLVM:         load float, ptr
// LLVM:         fmul
// LLVM:         store float
// LLVM-NOT:   define void
func.func @main(%a: tensor<16x16xf32>, %b: tensor<16x16xf32>) -> tensor<16x16xf32> {
  %ar = tir.reshape %a : tensor<16x16xf32> -> tensor<16x1x16xf32>
  %ae = tir.expand %ar : tensor<16x1x16xf32> -> tensor<16x16x16xf32>
  %bt = tir.permute %b [1, 0] : tensor<16x16xf32> -> tensor<16x16xf32>
  %br = tir.reshape %bt : tensor<16x16xf32> -> tensor<1x16x16xf32>
  %be = tir.expand %br : tensor<1x16x16xf32> -> tensor<16x16x16xf32>
  %m = tir.mul %ae, %be : tensor<16x16x16xf32>
  %s = tir.reduce_sum %m [2] : tensor<16x16x16xf32> -> tensor<16x16xf32>
  func.return %s : tensor<16x16xf32>
}
