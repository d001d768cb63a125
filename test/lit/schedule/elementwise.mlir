// RUN: tinyir-opt %s -p schedule-kernels | filecheck %s
// An elementwise chain over inputs, with a broadcast, is one kernel.

func.func @main(%a: tensor<4x4xf32>, %b: tensor<4xf32>) -> tensor<4x4xf32> {
  %r = tir.reshape %b : tensor<4xf32> -> tensor<1x4xf32>
  %e = tir.expand %r : tensor<1x4xf32> -> tensor<4x4xf32>
  %0 = tir.add %a, %e : tensor<4x4xf32>
  %1 = tir.exp2 %0 : tensor<4x4xf32>
  %2 = tir.mul %1, %a : tensor<4x4xf32>
  %3 = tir.sqrt %2 : tensor<4x4xf32>
  func.return %3 : tensor<4x4xf32>
}

// CHECK-LABEL: func.func @main(%a: !st.buffer<4x4xf32>, %b: !st.buffer<4xf32>) -> !st.buffer<4x4xf32>
// CHECK-NEXT:    %[[OUT:.*]] = st.alloc : !st.buffer<4x4xf32>
// CHECK-NEXT:    st.kernel "k0"(%[[OUT]], %b, %a) : !st.buffer<4x4xf32>, !st.buffer<4xf32>, !st.buffer<4x4xf32> {
// CHECK-NEXT:    ^bb0(%out: !st.buffer<4x4xf32>, %[[B:.*]]: !st.buffer<4xf32>, %[[A:.*]]: !st.buffer<4x4xf32>):
// CHECK-NEXT:      %[[LB:.*]] = st.load %[[B]] [#st.view<[4], [1], 0>] : tensor<4xf32>
// CHECK-NEXT:      %[[LA:.*]] = st.load %[[A]] [#st.view<[4, 4], [4, 1], 0>] : tensor<4x4xf32>
// CHECK-NEXT:      %r = tir.reshape %[[LB]] : tensor<4xf32> -> tensor<1x4xf32>
// CHECK-NEXT:      %e = tir.expand %r : tensor<1x4xf32> -> tensor<4x4xf32>
// CHECK-NEXT:      %[[X0:.*]] = tir.add %[[LA]], %e : tensor<4x4xf32>
// CHECK-NEXT:      %[[X1:.*]] = tir.exp2 %[[X0]] : tensor<4x4xf32>
// CHECK-NEXT:      %[[X2:.*]] = tir.mul %[[X1]], %[[LA]] : tensor<4x4xf32>
// CHECK-NEXT:      %[[X3:.*]] = tir.sqrt %[[X2]] : tensor<4x4xf32>
// CHECK-NEXT:      st.store %out [#st.view<[4, 4], [4, 1], 0>], %[[X3]] : tensor<4x4xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %[[OUT]] : !st.buffer<4x4xf32>
