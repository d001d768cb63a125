// RUN: tinyir-opt %s --split-input-file -p schedule-kernels | filecheck %s
// Outputs never alias: a returned input, a returned view of an input and a value returned twice
// each get their own buffer and kernel.

func.func @main(%a: tensor<4x4xf32>) -> tensor<4x4xf32> {
  func.return %a : tensor<4x4xf32>
}

// -----

func.func @main(%a: tensor<4x3xf32>) -> tensor<3x4xf32> {
  %p = tir.permute %a [1, 0] : tensor<4x3xf32> -> tensor<3x4xf32>
  func.return %p : tensor<3x4xf32>
}

// -----

func.func @main(%a: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %e = tir.exp2 %a : tensor<4xf32>
  func.return %e, %e : tensor<4xf32>, tensor<4xf32>
}

// CHECK-LABEL: func.func @main(%a: !st.buffer<4x4xf32>) -> !st.buffer<4x4xf32>
// CHECK-NEXT:    %[[C:.*]] = st.alloc : !st.buffer<4x4xf32>
// CHECK-NEXT:    st.kernel "k0"(%[[C]], %a) : !st.buffer<4x4xf32>, !st.buffer<4x4xf32> {
// CHECK-NEXT:    ^bb0(%out: !st.buffer<4x4xf32>, %[[AB:.*]]: !st.buffer<4x4xf32>):
// CHECK-NEXT:      %[[V:.*]] = st.load %[[AB]] [#st.view<[4, 4], [4, 1], 0>] : tensor<4x4xf32>
// CHECK-NEXT:      st.store %out [#st.view<[4, 4], [4, 1], 0>], %[[V]] : tensor<4x4xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %[[C]] : !st.buffer<4x4xf32>

// CHECK-LABEL: func.func @main(%a: !st.buffer<4x3xf32>) -> !st.buffer<3x4xf32>
// CHECK-NEXT:    %[[C:.*]] = st.alloc : !st.buffer<3x4xf32>
// CHECK-NEXT:    st.kernel "k0"(%[[C]], %a)
// CHECK-NEXT:    ^bb0(
// CHECK-NEXT:      %[[V:.*]] = st.load {{.*}} : tensor<4x3xf32>
// CHECK-NEXT:      %p = tir.permute %[[V]] [1, 0] : tensor<4x3xf32> -> tensor<3x4xf32>
// CHECK-NEXT:      st.store %out [#st.view<[3, 4], [4, 1], 0>], %p : tensor<3x4xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %[[C]] : !st.buffer<3x4xf32>

// CHECK-LABEL: func.func @main(%a: !st.buffer<4xf32>) -> (!st.buffer<4xf32>, !st.buffer<4xf32>)
// CHECK-NEXT:    %[[E:.*]] = st.alloc : !st.buffer<4xf32>
// CHECK-NEXT:    st.kernel "k0"(%[[E]], %a)
// CHECK:           tir.exp2
// CHECK:         %[[COPY:.*]] = st.alloc : !st.buffer<4xf32>
// CHECK-NEXT:    st.kernel "k1"(%[[COPY]], %[[E]])
// CHECK-NEXT:    ^bb0(%out: !st.buffer<4xf32>, %[[EB:.*]]: !st.buffer<4xf32>):
// CHECK-NEXT:      %e = st.load %[[EB]] [#st.view<[4], [1], 0>] : tensor<4xf32>
// CHECK-NEXT:      st.store %out [#st.view<[4], [1], 0>], %e : tensor<4xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %[[E]], %[[COPY]] : !st.buffer<4xf32>, !st.buffer<4xf32>
