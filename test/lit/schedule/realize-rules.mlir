// RUN: tinyir-opt %s --split-input-file -p schedule-kernels | filecheck %s
// More realize rules: a reduce followed by a shrink (not invertible onto the store) is realized;
// of two independent reduces meeting in one epilogue, the first is realized and the last stays;
// invertible movements (permute) after a reduce stay in its kernel; dead ops are not scheduled.

func.func @main(%a: tensor<4x8xf32>) -> tensor<2xf32> {
  %s = tir.reduce_sum %a [1] : tensor<4x8xf32> -> tensor<4xf32>
  %t = tir.shrink %s [[1, 3]] : tensor<4xf32> -> tensor<2xf32>
  func.return %t : tensor<2xf32>
}

// CHECK-LABEL: func.func @main(%a: !st.buffer<4x8xf32>) -> !st.buffer<2xf32>
// CHECK-NEXT:    %[[S:.*]] = st.alloc : !st.buffer<4xf32>
// CHECK-NEXT:    st.kernel "k0"(%[[S]], %a)
// CHECK:           tir.reduce_sum
// CHECK:         %[[T:.*]] = st.alloc : !st.buffer<2xf32>
// CHECK-NEXT:    st.kernel "k1"(%[[T]], %[[S]])
// CHECK-NEXT:    ^bb0(
// CHECK-NEXT:      %s = st.load
// CHECK-NEXT:      %t = tir.shrink %s {{\[}}[1, 3]] : tensor<4xf32> -> tensor<2xf32>
// CHECK-NEXT:      st.store %out [#st.view<[2], [1], 0>], %t : tensor<2xf32>

// -----

func.func @main(%a: tensor<4x8xf32>, %b: tensor<4x3xf32>) -> tensor<4xf32> {
  %s = tir.reduce_sum %a [1] : tensor<4x8xf32> -> tensor<4xf32>
  %m = tir.reduce_max %b [1] : tensor<4x3xf32> -> tensor<4xf32>
  %dead = tir.reduce_max %a [0] : tensor<4x8xf32> -> tensor<8xf32>
  %o = tir.add %s, %m : tensor<4xf32>
  func.return %o : tensor<4xf32>
}

// CHECK-LABEL: func.func @main(%a: !st.buffer<4x8xf32>, %b: !st.buffer<4x3xf32>) -> !st.buffer<4xf32>
// CHECK-NEXT:    %[[S:.*]] = st.alloc : !st.buffer<4xf32>
// CHECK-NEXT:    st.kernel "k0"(%[[S]], %a)
// CHECK:           %s = tir.reduce_sum
// CHECK:         %[[O:.*]] = st.alloc : !st.buffer<4xf32>
// CHECK-NEXT:    st.kernel "k1"(%[[O]], %b, %[[S]])
// CHECK-NEXT:    ^bb0(
// CHECK-NEXT:      %[[B:.*]] = st.load {{.*}} : tensor<4x3xf32>
// CHECK-NEXT:      %s = st.load {{.*}} : tensor<4xf32>
// CHECK-NEXT:      %m = tir.reduce_max %[[B]] [1] : tensor<4x3xf32> -> tensor<4x1xf32>
// CHECK-NEXT:      %[[M:.*]] = tir.reshape %m : tensor<4x1xf32> -> tensor<4xf32>
// CHECK-NEXT:      %o = tir.add %s, %[[M]] : tensor<4xf32>
// CHECK-NEXT:      st.store
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %[[O]] : !st.buffer<4xf32>

// -----

func.func @main(%a: tensor<4x8x3xf32>, %b: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %s = tir.reduce_sum %a [1] : tensor<4x8x3xf32> -> tensor<4x3xf32>
  %p = tir.permute %s [1, 0] : tensor<4x3xf32> -> tensor<3x4xf32>
  %o = tir.add %p, %b : tensor<3x4xf32>
  func.return %o : tensor<3x4xf32>
}

// CHECK-LABEL: func.func @main(%a: !st.buffer<4x8x3xf32>, %b: !st.buffer<3x4xf32>) -> !st.buffer<3x4xf32>
// CHECK-NEXT:    %[[O:.*]] = st.alloc : !st.buffer<3x4xf32>
// CHECK-NEXT:    st.kernel "k0"(%[[O]], %a, %b)
// CHECK:           %s = tir.reduce_sum {{.*}} [1] : tensor<4x8x3xf32> -> tensor<4x1x3xf32>
// CHECK-NEXT:      %[[R:.*]] = tir.reshape %s : tensor<4x1x3xf32> -> tensor<4x3xf32>
// CHECK-NEXT:      %p = tir.permute %[[R]] [1, 0] : tensor<4x3xf32> -> tensor<3x4xf32>
// CHECK-NEXT:      %o = tir.add %p, {{.*}} : tensor<3x4xf32>
// CHECK-NEXT:      st.store %out [#st.view<[3, 4], [4, 1], 0>], %o : tensor<3x4xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %[[O]] : !st.buffer<3x4xf32>
