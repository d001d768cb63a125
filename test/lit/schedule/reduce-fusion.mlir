// RUN: tinyir-opt %s -p schedule-kernels | filecheck %s
// A reduce fuses its elementwise inputs and an elementwise epilogue: one kernel. The reduce that
// drops its axis becomes the keepdims form plus a reshape (lifted to the store by fold-views).

func.func @main(%a: tensor<4x8xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %0 = tir.mul %a, %a : tensor<4x8xf32>
  %1 = tir.reduce_sum %0 [1] : tensor<4x8xf32> -> tensor<4xf32>
  %2 = tir.sqrt %1 : tensor<4xf32>
  %3 = tir.add %2, %b : tensor<4xf32>
  func.return %3 : tensor<4xf32>
}

// CHECK-LABEL: func.func @main(%a: !st.buffer<4x8xf32>, %b: !st.buffer<4xf32>) -> !st.buffer<4xf32>
// CHECK-NEXT:    %[[OUT:.*]] = st.alloc : !st.buffer<4xf32>
// CHECK-NEXT:    st.kernel "k0"(%[[OUT]], %a, %b)
// CHECK-NEXT:    ^bb0(
// CHECK-NEXT:      %[[A:.*]] = st.load {{.*}} : tensor<4x8xf32>
// CHECK-NEXT:      %[[B:.*]] = st.load {{.*}} : tensor<4xf32>
// CHECK-NEXT:      %[[SQ:.*]] = tir.mul %[[A]], %[[A]] : tensor<4x8xf32>
// CHECK-NEXT:      %[[R:.*]] = tir.reduce_sum %[[SQ]] [1] : tensor<4x8xf32> -> tensor<4x1xf32>
// CHECK-NEXT:      %[[RS:.*]] = tir.reshape %[[R]] : tensor<4x1xf32> -> tensor<4xf32>
// CHECK-NEXT:      %[[E0:.*]] = tir.sqrt %[[RS]] : tensor<4xf32>
// CHECK-NEXT:      %[[E1:.*]] = tir.add %[[E0]], %[[B]] : tensor<4xf32>
// CHECK-NEXT:      st.store %out [#st.view<[4], [1], 0>], %[[E1]] : tensor<4xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %[[OUT]] : !st.buffer<4xf32>
