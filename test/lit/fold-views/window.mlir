// RUN: tinyir-opt %s -p fold-views | filecheck %s
// WINDOW-VIEW (tinyir/frontend/windows.py): the windows of a dim built by repeating it (expand),
// cutting rows of n + 1 and shrinking, fold into one strided view of the input (shapetracker
// DIGIT-WRAP): window o, tap j reads x[o + j]. Padded first, the windows stay two views (no view's
// mask bounds o + j); st-to-loop then indexes them without idiv/mod (DIGIT-SPLIT).

// CHECK-LABEL: func.func @windows
// CHECK:         %w = st.load %x [#st.view<[4, 3], [1, 1], 0>] : tensor<4x3xf32>
// CHECK-NEXT:    st.store %o [#st.view<[4, 3], [3, 1], 0>], %w : tensor<4x3xf32>
func.func @windows(%a: !st.buffer<6xf32>) -> !st.buffer<4x3xf32> {
  %t = st.alloc : !st.buffer<4x3xf32>
  st.kernel "k0" (%t, %a) : !st.buffer<4x3xf32>, !st.buffer<6xf32> {
  ^bb0(%o: !st.buffer<4x3xf32>, %x: !st.buffer<6xf32>):
    %v = st.load %x [#st.view<[6], [1], 0>] : tensor<6xf32>
    %r1 = tir.reshape %v : tensor<6xf32> -> tensor<1x6xf32>
    %e = tir.expand %r1 : tensor<1x6xf32> -> tensor<4x6xf32>
    %r2 = tir.reshape %e : tensor<4x6xf32> -> tensor<24xf32>
    %s1 = tir.shrink %r2 [[0, 21]] : tensor<24xf32> -> tensor<21xf32>
    %r3 = tir.reshape %s1 : tensor<21xf32> -> tensor<3x7xf32>
    %s2 = tir.shrink %r3 [[0, 3], [0, 4]] : tensor<3x7xf32> -> tensor<3x4xf32>
    %w = tir.permute %s2 [1, 0] : tensor<3x4xf32> -> tensor<4x3xf32>
    st.store %o [#st.view<[4, 3], [3, 1], 0>], %w : tensor<4x3xf32>
  }
  func.return %t : !st.buffer<4x3xf32>
}

// CHECK-LABEL: func.func @padded_windows
// CHECK:         %w = st.load %x [#st.view<[4, 8], [0, 1], -1, {{\[\[}}0, 4], [1, 7]]>, #st.view<[6, 3], [1, 9], 0>] : tensor<6x3xf32>
func.func @padded_windows(%a: !st.buffer<6xf32>) -> !st.buffer<6x3xf32> {
  %t = st.alloc : !st.buffer<6x3xf32>
  st.kernel "k1" (%t, %a) : !st.buffer<6x3xf32>, !st.buffer<6xf32> {
  ^bb0(%o: !st.buffer<6x3xf32>, %x: !st.buffer<6xf32>):
    %v = st.load %x [#st.view<[6], [1], 0>] : tensor<6xf32>
    %p = tir.pad %v [[1, 1]] : tensor<6xf32> -> tensor<8xf32>
    %r1 = tir.reshape %p : tensor<8xf32> -> tensor<1x8xf32>
    %e = tir.expand %r1 : tensor<1x8xf32> -> tensor<4x8xf32>
    %r2 = tir.reshape %e : tensor<4x8xf32> -> tensor<32xf32>
    %s1 = tir.shrink %r2 [[0, 27]] : tensor<32xf32> -> tensor<27xf32>
    %r3 = tir.reshape %s1 : tensor<27xf32> -> tensor<3x9xf32>
    %s2 = tir.shrink %r3 [[0, 3], [0, 6]] : tensor<3x9xf32> -> tensor<3x6xf32>
    %w = tir.permute %s2 [1, 0] : tensor<3x6xf32> -> tensor<6x3xf32>
    st.store %o [#st.view<[6, 3], [3, 1], 0>], %w : tensor<6x3xf32>
  }
  func.return %t : !st.buffer<6x3xf32>
}
