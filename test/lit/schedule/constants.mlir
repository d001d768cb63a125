// RUN: tinyir-opt %s -p schedule-kernels | filecheck %s
// A non-splat constant becomes a buffer (no kernel of its own); a splat constant becomes an
// st.const leaf inside each kernel that uses it.

func.func @main(%a: tensor<4xf32>) -> tensor<4xf32> {
  %c = tir.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %h = tir.constant dense<5.000000e-01> : tensor<4xf32>
  %m = tir.mul %a, %c : tensor<4xf32>
  %o = tir.add %m, %h : tensor<4xf32>
  func.return %o : tensor<4xf32>
}

// CHECK-LABEL: func.func @main(%a: !st.buffer<4xf32>) -> !st.buffer<4xf32>
// CHECK-NEXT:    %[[C:.*]] = st.buffer_constant dense<[1.0, 2.0, 3.0, 4.0]> : !st.buffer<4xf32>
// CHECK-NEXT:    %[[OUT:.*]] = st.alloc : !st.buffer<4xf32>
// CHECK-NEXT:    st.kernel "k0"(%[[OUT]], %a, %[[C]]) : !st.buffer<4xf32>, !st.buffer<4xf32>, !st.buffer<4xf32> {
// CHECK-NEXT:    ^bb0(%out: !st.buffer<4xf32>, %[[AB:.*]]: !st.buffer<4xf32>, %[[CB:.*]]: !st.buffer<4xf32>):
// CHECK-NEXT:      %[[A:.*]] = st.load %[[AB]] [#st.view<[4], [1], 0>] : tensor<4xf32>
// CHECK-NEXT:      %[[CL:.*]] = st.load %[[CB]] [#st.view<[4], [1], 0>] : tensor<4xf32>
// CHECK-NEXT:      %h = st.const 0.5 [#st.view<[4], [0], 0>] : tensor<4xf32>
// CHECK-NEXT:      %m = tir.mul %[[A]], %[[CL]] : tensor<4xf32>
// CHECK-NEXT:      %o = tir.add %m, %h : tensor<4xf32>
// CHECK-NEXT:      st.store %out [#st.view<[4], [1], 0>], %o : tensor<4xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %[[OUT]] : !st.buffer<4xf32>
