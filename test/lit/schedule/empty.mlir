// Zero-size tensors: an empty output gets its buffer but no kernel; a reduce over an empty axis
// becomes its identity (0 for sum, -inf for float max) and loads nothing.
// RUN: tinyir-opt %s -p schedule-kernels,fold-views | filecheck %s

// CHECK-LABEL: func.func @main
// CHECK:         %[[T:.*]] = st.alloc : !st.buffer<5xf32>
// CHECK-NEXT:    st.kernel "k0"(%[[T]], %{{.*}})
// CHECK-NOT:       st.load
// CHECK:           st.const 0.0
// CHECK:         %[[E:.*]] = st.alloc : !st.buffer<0x5xf32>
// CHECK-NEXT:    %[[M:.*]] = st.alloc : !st.buffer<3xf32>
// CHECK-NEXT:    st.kernel "k1"(%[[M]], %{{.*}})
// CHECK:           st.const -inf
// CHECK:         func.return %[[T]], %[[E]], %[[M]]
func.func @main(%a: tensor<0x5xf32>, %c: tensor<3x0xf32>) -> (tensor<5xf32>, tensor<0x5xf32>, tensor<3xf32>) {
  %t = tir.reduce_sum %a [0] : tensor<0x5xf32> -> tensor<5xf32>
  %e = tir.exp2 %a : tensor<0x5xf32>
  %m = tir.reduce_max %c [1] : tensor<3x0xf32> -> tensor<3xf32>
  func.return %t, %e, %m : tensor<5xf32>, tensor<0x5xf32>, tensor<3xf32>
}
