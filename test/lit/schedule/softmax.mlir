// RUN: tinyir-opt %s -p schedule-kernels | filecheck %s
// RUN: tinyir-opt %s -p 'schedule-kernels{max_row=4}' | filecheck %s --check-prefix=ROWS4
// Softmax is one row kernel: the max and the sum reduce the same rows, and what follows them is
// elementwise or their broadcast back over the row (expand 4x1 -> 4x5). With rows longer than
// max_row, both reduces are realized: three kernels (max, exp-sum, normalize).

func.func @main(%x: tensor<4x5xf32>) -> tensor<4x5xf32> {
  %m = tir.reduce_max %x [1] : tensor<4x5xf32> -> tensor<4x1xf32>
  %me = tir.expand %m : tensor<4x1xf32> -> tensor<4x5xf32>
  %nm = tir.neg %me : tensor<4x5xf32>
  %d = tir.add %x, %nm : tensor<4x5xf32>
  %c = tir.constant dense<1.44269502> : tensor<4x5xf32>
  %dl = tir.mul %d, %c : tensor<4x5xf32>
  %e = tir.exp2 %dl : tensor<4x5xf32>
  %s = tir.reduce_sum %e [1] : tensor<4x5xf32> -> tensor<4x1xf32>
  %se = tir.expand %s : tensor<4x1xf32> -> tensor<4x5xf32>
  %r = tir.recip %se : tensor<4x5xf32>
  %o = tir.mul %e, %r : tensor<4x5xf32>
  func.return %o : tensor<4x5xf32>
}

// CHECK-LABEL: func.func @main(%x: !st.buffer<4x5xf32>) -> !st.buffer<4x5xf32>
// CHECK-NEXT:    %[[RES:.*]] = st.alloc : !st.buffer<4x5xf32>
// CHECK-NEXT:    st.kernel "k0"(%[[RES]], %x)
// CHECK:           %m = tir.reduce_max {{.*}} [1] : tensor<4x5xf32> -> tensor<4x1xf32>
// CHECK-NEXT:      %me = tir.expand %m : tensor<4x1xf32> -> tensor<4x5xf32>
// CHECK:           %s = tir.reduce_sum %e [1] : tensor<4x5xf32> -> tensor<4x1xf32>
// CHECK-NEXT:      %se = tir.expand %s : tensor<4x1xf32> -> tensor<4x5xf32>
// CHECK:           %o = tir.mul %e, %r : tensor<4x5xf32>
// CHECK-NEXT:      st.store %out [#st.view<[4, 5], [5, 1], 0>], %o
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %[[RES]] : !st.buffer<4x5xf32>

// ROWS4-LABEL: func.func @main(%x: !st.buffer<4x5xf32>) -> !st.buffer<4x5xf32>
// ROWS4-NEXT:    %[[MAX:.*]] = st.alloc : !st.buffer<4x1xf32>
// ROWS4-NEXT:    st.kernel "k0"(%[[MAX]], %x)
// ROWS4:           tir.reduce_max {{.*}} [1] : tensor<4x5xf32> -> tensor<4x1xf32>
// ROWS4-NEXT:      st.store %out [#st.view<[4, 1], [1, 0], 0>]
// ROWS4-NEXT:    }
// ROWS4-NEXT:    %[[SUM:.*]] = st.alloc : !st.buffer<4x1xf32>
// ROWS4-NEXT:    st.kernel "k1"(%[[SUM]], %[[MAX]], %x)
// ROWS4:           %me = tir.expand
// ROWS4:           %c = st.const 1.4426950216293335 [#st.view<[4, 5], [0, 0], 0>] : tensor<4x5xf32>
// ROWS4:           %e = tir.exp2
// ROWS4-NEXT:      %s = tir.reduce_sum %e [1] : tensor<4x5xf32> -> tensor<4x1xf32>
// ROWS4-NEXT:      st.store %out [#st.view<[4, 1], [1, 0], 0>], %s
// ROWS4-NEXT:    }
// ROWS4-NEXT:    %[[RES:.*]] = st.alloc : !st.buffer<4x5xf32>
// ROWS4-NEXT:    st.kernel "k2"(%[[RES]], %[[MAX]], %x, %[[SUM]])
// ROWS4-NOT:       tir.reduce
// ROWS4:           %e = tir.exp2
// ROWS4-NOT:       tir.reduce
// ROWS4:           %o = tir.mul %e, %r : tensor<4x5xf32>
// ROWS4-NEXT:      st.store %out [#st.view<[4, 5], [5, 1], 0>], %o
// ROWS4-NEXT:    }
// ROWS4-NEXT:    func.return %[[RES]] : !st.buffer<4x5xf32>
