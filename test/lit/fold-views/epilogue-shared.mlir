// A reduce result used twice in the epilogue, both times through the same reshape: the reshape
// rises above both elementwise ops at once and folds into the store.
// RUN: tinyir-opt %s -p schedule-kernels,fold-views | filecheck %s

// CHECK-LABEL: st.kernel "k0"
// CHECK:         %[[R:.*]] = tir.reduce_sum %{{.*}} [1] : tensor<2x3xf32> -> tensor<2x1xf32>
// CHECK:         %[[Y:.*]] = st.load %{{.*}} [#st.view<[2, 1], [1, 0], 0>] : tensor<2x1xf32>
// CHECK-NEXT:    %[[T:.*]] = tir.add %[[R]], %[[Y]] : tensor<2x1xf32>
// CHECK-NEXT:    %[[U:.*]] = tir.mul %[[R]], %[[T]] : tensor<2x1xf32>
// CHECK-NEXT:    st.store %{{.*}} [#st.view<[2, 1], [1, 0], 0>], %[[U]] : tensor<2x1xf32>
// CHECK-NOT:     tir.reshape
func.func @main(%x: tensor<2x3xf32>, %y: tensor<2xf32>) -> tensor<2xf32> {
  %r = tir.reduce_sum %x [1] : tensor<2x3xf32> -> tensor<2xf32>
  %t = tir.add %r, %y : tensor<2xf32>
  %u = tir.mul %r, %t : tensor<2xf32>
  func.return %u : tensor<2xf32>
}
