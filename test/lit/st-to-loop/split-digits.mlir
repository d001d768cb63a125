// RUN: tinyir-opt %s -p shapetracker-to-loop | filecheck %s
// DIGIT-SPLIT (tinyir/shapetracker/view.py): a padded input's windows are two views (the upper one
// strides (1, 9) into rows of 9 that wrap around the repeated, padded 8 elements below). Each
// digit of the lower view is affine in the window indices, so the index is o + j - 1, gated by
// 0 < o + j < 7 (the padding), with no idiv or mod.

// CHECK-LABEL: func.func @padded_windows
// CHECK:         %i0 = loop.range 6 global : i32
// CHECK-NEXT:    %i1 = loop.range 3 global : i32
// CHECK-NEXT:    %0 = uop.add %i0, %i1 : i32
// CHECK-NEXT:    %1 = uop.const -1 : i32
// CHECK-NEXT:    %2 = uop.add %0, %1 : i32
// CHECK-NEXT:    %3 = uop.const 0 : i32
// CHECK-NEXT:    %4 = uop.cmplt %3, %0 : i32
// CHECK-NEXT:    %5 = uop.const 7 : i32
// CHECK-NEXT:    %6 = uop.cmplt %0, %5 : i32
// CHECK-NEXT:    %7 = uop.and %4, %6 : i1
// CHECK-NEXT:    %w = uop.load %x[%2], %7 : f32
// CHECK-NOT:     uop.idiv
// CHECK-NOT:     uop.mod
func.func @padded_windows(%a: !st.buffer<6xf32>) -> !st.buffer<6x3xf32> {
  %t = st.alloc : !st.buffer<6x3xf32>
  st.kernel "k1" (%t, %a) : !st.buffer<6x3xf32>, !st.buffer<6xf32> {
  ^bb0(%o: !st.buffer<6x3xf32>, %x: !st.buffer<6xf32>):
    %w = st.load %x [#st.view<[4, 8], [0, 1], -1, [[0, 4], [1, 7]]>, #st.view<[6, 3], [1, 9], 0>] : tensor<6x3xf32>
    st.store %o [#st.view<[6, 3], [3, 1], 0>], %w : tensor<6x3xf32>
  }
  func.return %t : !st.buffer<6x3xf32>
}

// A lower view whose outer dim is read (rows 16 apart, not an expand) cannot take the wrap: the
// index keeps its division.
// CHECK-LABEL: func.func @no_wrap
// CHECK:         uop.idiv
// CHECK:         uop.load %x
func.func @no_wrap(%a: !st.buffer<64xf32>) -> !st.buffer<6x3xf32> {
  %t = st.alloc : !st.buffer<6x3xf32>
  st.kernel "k2" (%t, %a) : !st.buffer<6x3xf32>, !st.buffer<64xf32> {
  ^bb0(%o: !st.buffer<6x3xf32>, %x: !st.buffer<64xf32>):
    %w = st.load %x [#st.view<[4, 8], [16, 1], 0>, #st.view<[6, 3], [1, 9], 0>] : tensor<6x3xf32>
    st.store %o [#st.view<[6, 3], [3, 1], 0>], %w : tensor<6x3xf32>
  }
  func.return %t : !st.buffer<6x3xf32>
}
