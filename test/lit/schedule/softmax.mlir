// RUN: tinyir-opt %s -p schedule-kernels | filecheck %s
// Softmax: the max and the sum reach their consumers through an expand, so both are realized:
// three kernels (max, exp-sum, normalize).

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
// CHECK-NEXT:    %[[MAX:.*]] = st.alloc : !st.buffer<4x1xf32>
// CHECK-NEXT:    st.kernel "k0"(%[[MAX]], %x)
// CHECK:           tir.reduce_max {{.*}} [1] : tensor<4x5xf32> -> tensor<4x1xf32>
// CHECK-NEXT:      st.store %out [#st.view<[4, 1], [1, 0], 0>]
// CHECK-NEXT:    }
// CHECK-NEXT:    %[[SUM:.*]] = st.alloc : !st.buffer<4x1xf32>
// CHECK-NEXT:    st.kernel "k1"(%[[SUM]], %[[MAX]], %x)
// CHECK:           %me = tir.expand
// CHECK:           %c = st.const 1.4426950216293335 [#st.view<[4, 5], [0, 0], 0>] : tensor<4x5xf32>
// CHECK:           %e = tir.exp2
// CHECK-NEXT:      %s = tir.reduce_sum %e [1] : tensor<4x5xf32> -> tensor<4x1xf32>
// CHECK-NEXT:      st.store %out [#st.view<[4, 1], [1, 0], 0>], %s
// CHECK-NEXT:    }
// CHECK-NEXT:    %[[RES:.*]] = st.alloc : !st.buffer<4x5xf32>
// CHECK-NEXT:    st.kernel "k2"(%[[RES]], %[[MAX]], %x, %[[SUM]])
// CHECK-NOT:       tir.reduce
// CHECK:           %e = tir.exp2
// CHECK-NOT:       tir.reduce
// CHECK:           %o = tir.mul %e, %r : tensor<4x5xf32>
// CHECK-NEXT:      st.store %out [#st.view<[4, 5], [5, 1], 0>], %o
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %[[RES]] : !st.buffer<4x5xf32>
