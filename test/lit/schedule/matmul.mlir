// RUN: tinyir-opt %s -p schedule-kernels | filecheck %s
// Matmul written as broadcast multiply and sum is exactly one kernel.

func.func @main(%a: tensor<8x8xf32>, %b: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %ar = tir.reshape %a : tensor<8x8xf32> -> tensor<8x1x8xf32>
  %ae = tir.expand %ar : tensor<8x1x8xf32> -> tensor<8x8x8xf32>
  %bt = tir.permute %b [1, 0] : tensor<8x8xf32> -> tensor<8x8xf32>
  %br = tir.reshape %bt : tensor<8x8xf32> -> tensor<1x8x8xf32>
  %be = tir.expand %br : tensor<1x8x8xf32> -> tensor<8x8x8xf32>
  %m = tir.mul %ae, %be : tensor<8x8x8xf32>
  %s = tir.reduce_sum %m [2] : tensor<8x8x8xf32> -> tensor<8x8xf32>
  func.return %s : tensor<8x8xf32>
}

// CHECK-LABEL: func.func @main
// CHECK-NEXT:    %[[OUT:.*]] = st.alloc : !st.buffer<8x8xf32>
// CHECK-NEXT:    st.kernel "k0"(%[[OUT]], %a, %b)
// CHECK:           tir.permute
// CHECK:           tir.mul {{.*}} : tensor<8x8x8xf32>
// CHECK-NEXT:      %s = tir.reduce_sum %m [2] : tensor<8x8x8xf32> -> tensor<8x8x1xf32>
// CHECK-NEXT:      %[[S:.*]] = tir.reshape %s : tensor<8x8x1xf32> -> tensor<8x8xf32>
// CHECK-NEXT:      st.store %out [#st.view<[8, 8], [8, 1], 0>], %[[S]] : tensor<8x8xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %[[OUT]] : !st.buffer<8x8xf32>
