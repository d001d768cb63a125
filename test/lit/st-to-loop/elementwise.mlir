// RUN: tinyir-opt %s -p shapetracker-to-loop | filecheck %s
// Leaves become index/validity math: a permuted view, a padded view (gated load), a masked
// constant (where), and an arange; the host ops around the kernel stay as they are.

// CHECK-LABEL: func.func @main
// CHECK:      %t = st.alloc : !st.buffer<4x3xf32>
// CHECK-NEXT: loop.kernel "k0"(%t, %a, %b) : !st.buffer<4x3xf32>, !st.buffer<3x4xf32>, !st.buffer<2x3xf32> {
// CHECK-NEXT: ^bb0(%o: !st.buffer<4x3xf32>, %x: !st.buffer<3x4xf32>, %y: !st.buffer<2x3xf32>):
// CHECK-NEXT:   %i0 = loop.range 4 global : i32
// CHECK-NEXT:   %i1 = loop.range 3 global : i32
// permuted: x[i1, i0] = x[i1*4 + i0]
// CHECK-NEXT:   %0 = uop.const 4 : i32
// CHECK-NEXT:   %1 = uop.mul %i1, %0 : i32
// CHECK-NEXT:   %2 = uop.add %i0, %1 : i32
// CHECK-NEXT:   %v = uop.load %x[%2] : f32
// padded rows [1, 3): index i0*3 + i1 - 3, valid when 0 < i0 < 3
// CHECK-NEXT:   %3 = uop.const 3 : i32
// CHECK-NEXT:   %4 = uop.mul %i0, %3 : i32
// CHECK-NEXT:   %5 = uop.add %4, %i1 : i32
// CHECK-NEXT:   %6 = uop.const -3 : i32
// CHECK-NEXT:   %7 = uop.add %5, %6 : i32
// CHECK-NEXT:   %8 = uop.const 0 : i32
// CHECK-NEXT:   %9 = uop.cmplt %8, %i0 : i32
// CHECK-NEXT:   %10 = uop.const 3 : i32
// CHECK-NEXT:   %11 = uop.cmplt %i0, %10 : i32
// CHECK-NEXT:   %12 = uop.and %9, %11 : i1
// CHECK-NEXT:   %p = uop.load %y[%7], %12 : f32
// a constant masked to columns [1, 3) (only the lower bound can fail): where(0 < i1, 2.0, 0)
// CHECK-NEXT:   %13 = uop.const 0 : i32
// CHECK-NEXT:   %14 = uop.cmplt %13, %i1 : i32
// CHECK-NEXT:   %15 = uop.const 2.0 : f32
// CHECK-NEXT:   %16 = uop.const 0.0 : f32
// CHECK-NEXT:   %c = uop.where %14, %15, %16 : f32
// arange along dim 0 (stride 1, broadcast over dim 1), cast to f32
// CHECK-NEXT:   %ar = uop.cast %i0 : i32 to f32
// elementwise tir ops become scalar uops
// CHECK-NEXT:   %s = uop.add %v, %p : f32
// CHECK-NEXT:   %s2 = uop.add %s, %c : f32
// CHECK-NEXT:   %s3 = uop.add %s2, %ar : f32
// CHECK-NEXT:   %17 = uop.const 3 : i32
// CHECK-NEXT:   %18 = uop.mul %i0, %17 : i32
// CHECK-NEXT:   %19 = uop.add %18, %i1 : i32
// CHECK-NEXT:   uop.store %o[%19], %s3 : f32
// CHECK-NEXT: }
// CHECK-NEXT: func.return %t : !st.buffer<4x3xf32>
func.func @main(%a: !st.buffer<3x4xf32>, %b: !st.buffer<2x3xf32>) -> !st.buffer<4x3xf32> {
  %t = st.alloc : !st.buffer<4x3xf32>
  st.kernel "k0" (%t, %a, %b) : !st.buffer<4x3xf32>, !st.buffer<3x4xf32>, !st.buffer<2x3xf32> {
  ^bb0(%o: !st.buffer<4x3xf32>, %x: !st.buffer<3x4xf32>, %y: !st.buffer<2x3xf32>):
    %v = st.load %x [#st.view<[4, 3], [1, 4], 0>] : tensor<4x3xf32>
    %p = st.load %y [#st.view<[4, 3], [3, 1], -3, [[1, 3], [0, 3]]>] : tensor<4x3xf32>
    %c = st.const 2.0 [#st.view<[4, 3], [0, 0], 0, [[0, 4], [1, 3]]>] : tensor<4x3xf32>
    %ar = st.arange [#st.view<[4, 3], [1, 0], 0>] : tensor<4x3xf32>
    %s = tir.add %v, %p : tensor<4x3xf32>
    %s2 = tir.add %s, %c : tensor<4x3xf32>
    %s3 = tir.add %s2, %ar : tensor<4x3xf32>
    st.store %o [#st.view<[4, 3], [3, 1], 0>], %s3 : tensor<4x3xf32>
  }
  func.return %t : !st.buffer<4x3xf32>
}
