// RUN: tinyir-opt %s -p fold-views | filecheck %s
// After the reduce, bijective movements rise above elementwise ops (the other operand takes the
// inverse movement) and fold, inverted, into the store's shapetracker.

// CHECK-LABEL: func.func @reshape_of_reduce
// CHECK:         %s = tir.reduce_sum %v [1] : tensor<4x8xf32> -> tensor<4x1xf32>
// CHECK-NEXT:    st.store %o [#st.view<[4, 1], [1, 0], 0>], %s : tensor<4x1xf32>
func.func @reshape_of_reduce(%a: !st.buffer<4x8xf32>) -> !st.buffer<4xf32> {
  %t = st.alloc : !st.buffer<4xf32>
  st.kernel "k0" (%t, %a) : !st.buffer<4xf32>, !st.buffer<4x8xf32> {
  ^bb0(%o: !st.buffer<4xf32>, %x: !st.buffer<4x8xf32>):
    %v = st.load %x [#st.view<[4, 8], [8, 1], 0>] : tensor<4x8xf32>
    %s = tir.reduce_sum %v [1] : tensor<4x8xf32> -> tensor<4x1xf32>
    %r = tir.reshape %s : tensor<4x1xf32> -> tensor<4xf32>
    st.store %o [#st.view<[4], [1], 0>], %r : tensor<4xf32>
  }
  func.return %t : !st.buffer<4xf32>
}

// CHECK-LABEL: func.func @permute_rises_to_the_store
// CHECK:         %s = tir.reduce_max %v [2] : tensor<2x3x4xf32> -> tensor<2x3x1xf32>
// CHECK-NEXT:    %m = st.load %y [#st.view<[2, 3, 1], [-1, 2, 0], 1>] : tensor<2x3x1xf32>
// CHECK-NEXT:    %m_1 = tir.mul %s, %m : tensor<2x3x1xf32>
// CHECK-NEXT:    st.store %o [#st.view<[2, 3, 1], [-1, 2, 0], 1>], %m_1 : tensor<2x3x1xf32>
// CHECK-NEXT:  }
func.func @permute_rises_to_the_store(%a: !st.buffer<2x3x4xf32>, %b: !st.buffer<3x2xf32>) -> !st.buffer<3x2xf32> {
  %t = st.alloc : !st.buffer<3x2xf32>
  st.kernel "k1" (%t, %a, %b) : !st.buffer<3x2xf32>, !st.buffer<2x3x4xf32>, !st.buffer<3x2xf32> {
  ^bb0(%o: !st.buffer<3x2xf32>, %x: !st.buffer<2x3x4xf32>, %y: !st.buffer<3x2xf32>):
    %v = st.load %x [#st.view<[2, 3, 4], [12, 4, 1], 0>] : tensor<2x3x4xf32>
    %s = tir.reduce_max %v [2] : tensor<2x3x4xf32> -> tensor<2x3x1xf32>
    %f = tir.flip %s [0] : tensor<2x3x1xf32>
    %r = tir.reshape %f : tensor<2x3x1xf32> -> tensor<2x3xf32>
    %p = tir.permute %r [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
    %w = st.load %y [#st.view<[3, 2], [2, 1], 0>] : tensor<3x2xf32>
    %m = tir.mul %p, %w : tensor<3x2xf32>
    st.store %o [#st.view<[3, 2], [2, 1], 0>], %m : tensor<3x2xf32>
  }
  func.return %t : !st.buffer<3x2xf32>
}
