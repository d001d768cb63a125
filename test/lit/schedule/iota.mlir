// RUN: tinyir-opt %s -p schedule-kernels | filecheck %s
// iota becomes an st.arange of its axis, reshaped and expanded to the iota's shape.

func.func @main(%a: tensor<3x4xi32>) -> tensor<3x4xi32> {
  %i = tir.iota 0 : tensor<3x4xi32>
  %o = tir.add %a, %i : tensor<3x4xi32>
  func.return %o : tensor<3x4xi32>
}

// CHECK-LABEL: func.func @main(%a: !st.buffer<3x4xi32>) -> !st.buffer<3x4xi32>
// CHECK-NEXT:    %[[OUT:.*]] = st.alloc : !st.buffer<3x4xi32>
// CHECK-NEXT:    st.kernel "k0"(%[[OUT]], %a)
// CHECK-NEXT:    ^bb0(
// CHECK-NEXT:      %[[A:.*]] = st.load {{.*}} : tensor<3x4xi32>
// CHECK-NEXT:      %i = st.arange [#st.view<[3], [1], 0>] : tensor<3xi32>
// CHECK-NEXT:      %[[R:.*]] = tir.reshape %i : tensor<3xi32> -> tensor<3x1xi32>
// CHECK-NEXT:      %[[E:.*]] = tir.expand %[[R]] : tensor<3x1xi32> -> tensor<3x4xi32>
// CHECK-NEXT:      %o = tir.add %[[A]], %[[E]] : tensor<3x4xi32>
// CHECK-NEXT:      st.store %out [#st.view<[3, 4], [4, 1], 0>], %o : tensor<3x4xi32>
// CHECK-NEXT:    }
