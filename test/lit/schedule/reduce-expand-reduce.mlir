// RUN: tinyir-opt %s --split-input-file -p schedule-kernels | filecheck %s
// reduce -> expand -> reduce over the same rows: one row kernel (both reduces loop over each row
// in turn); over another axis, the first reduce is realized (2 kernels); a reduce consumed by
// another reduce directly is realized too.

func.func @main(%a: tensor<4x8xf32>) -> tensor<4xf32> {
  %s = tir.reduce_sum %a [1] : tensor<4x8xf32> -> tensor<4x1xf32>
  %e = tir.expand %s : tensor<4x1xf32> -> tensor<4x8xf32>
  %d = tir.mul %a, %e : tensor<4x8xf32>
  %t = tir.reduce_max %d [1] : tensor<4x8xf32> -> tensor<4xf32>
  func.return %t : tensor<4xf32>
}

// -----

func.func @main(%a: tensor<4x8xf32>) -> tensor<8xf32> {
  %s = tir.reduce_sum %a [1] : tensor<4x8xf32> -> tensor<4x1xf32>
  %e = tir.expand %s : tensor<4x1xf32> -> tensor<4x8xf32>
  %d = tir.mul %a, %e : tensor<4x8xf32>
  %t = tir.reduce_max %d [0] : tensor<4x8xf32> -> tensor<8xf32>
  func.return %t : tensor<8xf32>
}

// -----

func.func @main(%a: tensor<4x8xf32>) -> tensor<f32> {
  %s = tir.reduce_sum %a [1] : tensor<4x8xf32> -> tensor<4xf32>
  %t = tir.reduce_max %s [0] : tensor<4xf32> -> tensor<f32>
  func.return %t : tensor<f32>
}

// CHECK-LABEL: func.func @main(%a: !st.buffer<4x8xf32>) -> !st.buffer<4xf32>
// CHECK-NEXT:    %[[T:.*]] = st.alloc : !st.buffer<4xf32>
// CHECK-NEXT:    st.kernel "k0"(%[[T]], %a)
// CHECK:           %s = tir.reduce_sum
// CHECK-NEXT:      %e = tir.expand %s : tensor<4x1xf32> -> tensor<4x8xf32>
// CHECK-NEXT:      %d = tir.mul
// CHECK-NEXT:      %t = tir.reduce_max %d [1] : tensor<4x8xf32> -> tensor<4x1xf32>
// CHECK-NEXT:      %[[TR:.*]] = tir.reshape %t : tensor<4x1xf32> -> tensor<4xf32>
// CHECK-NEXT:      st.store %out [#st.view<[4], [1], 0>], %[[TR]] : tensor<4xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %[[T]] : !st.buffer<4xf32>

// CHECK-LABEL: func.func @main(%a: !st.buffer<4x8xf32>) -> !st.buffer<8xf32>
// CHECK-NEXT:    %[[S:.*]] = st.alloc : !st.buffer<4x1xf32>
// CHECK-NEXT:    st.kernel "k0"(%[[S]], %a)
// CHECK:           %s = tir.reduce_sum
// CHECK-NEXT:      st.store %out [#st.view<[4, 1], [1, 0], 0>], %s : tensor<4x1xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    %[[T:.*]] = st.alloc : !st.buffer<8xf32>
// CHECK-NEXT:    st.kernel "k1"(%[[T]], %[[S]], %a)
// CHECK-NEXT:    ^bb0(%out: !st.buffer<8xf32>, %[[SB:.*]]: !st.buffer<4x1xf32>, %{{.*}}: !st.buffer<4x8xf32>):
// CHECK-NEXT:      %s = st.load %[[SB]] [#st.view<[4, 1], [1, 0], 0>] : tensor<4x1xf32>
// CHECK-NEXT:      %[[A:.*]] = st.load
// CHECK-NEXT:      %e = tir.expand %s : tensor<4x1xf32> -> tensor<4x8xf32>
// CHECK-NEXT:      %d = tir.mul %[[A]], %e : tensor<4x8xf32>
// CHECK-NEXT:      %t = tir.reduce_max %d [0] : tensor<4x8xf32> -> tensor<1x8xf32>
// CHECK-NEXT:      %[[TR:.*]] = tir.reshape %t : tensor<1x8xf32> -> tensor<8xf32>
// CHECK-NEXT:      st.store %out [#st.view<[8], [1], 0>], %[[TR]] : tensor<8xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %[[T]] : !st.buffer<8xf32>

// CHECK-LABEL: func.func @main(%a: !st.buffer<4x8xf32>) -> !st.buffer<f32>
// CHECK-NEXT:    %[[S:.*]] = st.alloc : !st.buffer<4xf32>
// CHECK-NEXT:    st.kernel "k0"(%[[S]], %a)
// CHECK:           tir.reduce_sum
// CHECK:         %[[T:.*]] = st.alloc : !st.buffer<f32>
// CHECK-NEXT:    st.kernel "k1"(%[[T]], %[[S]])
// CHECK:           %t = tir.reduce_max %s [0] : tensor<4xf32> -> tensor<1xf32>
// CHECK-NEXT:      %[[TR:.*]] = tir.reshape %t : tensor<1xf32> -> tensor<f32>
// CHECK-NEXT:      st.store %out [#st.view<[], [], 0>], %[[TR]] : tensor<f32>
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %[[T]] : !st.buffer<f32>
