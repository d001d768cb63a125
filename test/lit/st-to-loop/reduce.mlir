// RUN: tinyir-opt %s -p shapetracker-to-loop | filecheck %s
// A keepdims reduce: one global range per kept dim, one reduce range per reduced dim (size-1 dims
// get none); the reduce becomes loop.reduce, the epilogue is indexed by the output shape.

// CHECK-LABEL: func.func @sum_rows
// CHECK:      %i0 = loop.range 4 global : i32
// CHECK-NEXT: %r1 = loop.range 3 reduce : i32
// CHECK:      %v = uop.load %x[%{{.*}}] : f32
// CHECK-NEXT: %s = loop.reduce add %v over %r1 : f32
// CHECK-NEXT: %c = uop.const 2.0 : f32
// CHECK-NEXT: %e = uop.mul %s, %c : f32
// CHECK-NEXT: uop.store %o[%i0], %e : f32
func.func @sum_rows(%a: !st.buffer<3x4xf32>) -> !st.buffer<4x1xf32> {
  %t = st.alloc : !st.buffer<4x1xf32>
  st.kernel "k0" (%t, %a) : !st.buffer<4x1xf32>, !st.buffer<3x4xf32> {
  ^bb0(%o: !st.buffer<4x1xf32>, %x: !st.buffer<3x4xf32>):
    %v = st.load %x [#st.view<[4, 3], [1, 4], 0>] : tensor<4x3xf32>
    %s = tir.reduce_sum %v [1] : tensor<4x3xf32> -> tensor<4x1xf32>
    %c = st.const 2.0 [#st.view<[4, 1], [0, 0], 0>] : tensor<4x1xf32>
    %e = tir.mul %s, %c : tensor<4x1xf32>
    st.store %o [#st.view<[4, 1], [1, 0], 0>], %e : tensor<4x1xf32>
  }
  func.return %t : !st.buffer<4x1xf32>
}

// CHECK-LABEL: func.func @max_two_axes
// CHECK:      %i1 = loop.range 3 global : i32
// CHECK-NEXT: %r0 = loop.range 2 reduce : i32
// CHECK-NEXT: %r2 = loop.range 5 reduce : i32
// CHECK:      %m = loop.reduce max %v over %r0, %r2 : i32
// CHECK-NEXT: uop.store %o[%i1], %m : i32
func.func @max_two_axes(%a: !st.buffer<2x3x5xi32>) -> !st.buffer<1x3x1xi32> {
  %t = st.alloc : !st.buffer<1x3x1xi32>
  st.kernel "k1" (%t, %a) : !st.buffer<1x3x1xi32>, !st.buffer<2x3x5xi32> {
  ^bb0(%o: !st.buffer<1x3x1xi32>, %x: !st.buffer<2x3x5xi32>):
    %v = st.load %x [#st.view<[2, 3, 5], [15, 5, 1], 0>] : tensor<2x3x5xi32>
    %m = tir.reduce_max %v [0, 2] : tensor<2x3x5xi32> -> tensor<1x3x1xi32>
    st.store %o [#st.view<[1, 3, 1], [0, 1, 0], 0>], %m : tensor<1x3x1xi32>
  }
  func.return %t : !st.buffer<1x3x1xi32>
}

// A reduce over a size-1 axis only has nothing to combine: the value is used as it is.
// CHECK-LABEL: func.func @size_one_axis
// CHECK:      %i0 = loop.range 4 global : i32
// CHECK-NEXT: %v = uop.load %x[%i0] : f32
// CHECK-NEXT: uop.store %o[%i0], %v : f32
func.func @size_one_axis(%a: !st.buffer<4x1xf32>) -> !st.buffer<4x1xf32> {
  %t = st.alloc : !st.buffer<4x1xf32>
  st.kernel "k2" (%t, %a) : !st.buffer<4x1xf32>, !st.buffer<4x1xf32> {
  ^bb0(%o: !st.buffer<4x1xf32>, %x: !st.buffer<4x1xf32>):
    %v = st.load %x [#st.view<[4, 1], [1, 0], 0>] : tensor<4x1xf32>
    %s = tir.reduce_sum %v [1] : tensor<4x1xf32> -> tensor<4x1xf32>
    st.store %o [#st.view<[4, 1], [1, 0], 0>], %s : tensor<4x1xf32>
  }
  func.return %t : !st.buffer<4x1xf32>
}
